/* The loop of the blocking client: output of the sans-IO core to the
 * socket, bytes from the socket into the core, and every event filed under
 * its client stream. Also the early acknowledgement ("spill") that keeps one
 * unread response from starving the others, keepalive PINGs, and the
 * connection-failure bookkeeping. */
#include <stdio.h>
#include <string.h>

#include "client_int.h"

hyper__cstream *hyper__client_find(hyper_client *cl, uint32_t id) {
  if (id == 0)
    return NULL;
  hyper__cstream **slot = &cl->find_cache[hyper__find_slot(id)];
  hyper__cstream *hit = *slot;
  if (hit && hit->id == id && (hit->flags & (CS_SENT | CS_PUSH)))
    return hit;
  for (hyper__cstream *cs = cl->tail; cs; cs = cs->prev)
    if (cs->id == id && (cs->flags & (CS_SENT | CS_PUSH))) {
      hyper__client_remember(cl, cs);
      return cs;
    }
  return NULL;
}

/* Every cached pointer is to a linked stream: a stream remembers its slot
 * (ids may change, e.g. a putrequest's predicted id) and clears it when it
 * leaves the list or is freed. */
void hyper__client_remember(hyper_client *cl, hyper__cstream *cs) {
  size_t k = hyper__find_slot(cs->id);
  if (cs->cached && cs->cached - 1 != k &&
      cl->find_cache[cs->cached - 1] == cs)
    cl->find_cache[cs->cached - 1] = NULL;
  hyper__cstream *old = cl->find_cache[k];
  if (old && old != cs)
    old->cached = 0;
  cl->find_cache[k] = cs;
  cs->cached = (uint32_t)k + 1;
}

void hyper__client_forget(hyper_client *cl, hyper__cstream *cs) {
  if (cs->cached && cl->find_cache[cs->cached - 1] == cs)
    cl->find_cache[cs->cached - 1] = NULL;
  cs->cached = 0;
}

int hyper__client_fail(hyper_client *cl, int code) {
  if (!cl->conn_err)
    cl->conn_err = code;
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if (!(cs->flags & CS_REMOTE_END) && !cs->err)
      cs->err = cl->conn_err;
  return code;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

int hyper__client_flush(hyper_client *cl, int64_t deadline) {
  if (!cl->io || !cl->h2)
    return HYPER_ERR_INVALID_STATE;
  const uint8_t *p;
  size_t n;
  while ((n = hyper_h2_conn_pending(cl->h2, &p)) > 0) {
    int rv = hyper__io_write_all(cl->io, p, n, deadline);
    if (rv) {
      hyper__client_err_io(cl, rv, hyper__io_last_error(cl->io));
      return hyper__client_fail(cl, rv);
    }
    (void)hyper_h2_conn_advance(cl->h2, n);
  }
  return 0;
}

/* Output a nowait pump of kind 2 lets accumulate (see client_int.h). */
#define NOWAIT_BATCH (64u * 1024u)

/* Most output left queued by coalesce_requests. */
#define COALESCE_MAX (64u * 1024u)

int hyper__client_flush_request(hyper_client *cl, const hyper__cstream *cs,
                                int64_t deadline) {
  const uint8_t *p;
  if (cl->opts.coalesce_requests && cl->h2 &&
      hyper_h2_conn_pending(cl->h2, &p) < COALESCE_MAX) {
    if (cl->opts.coalesce_requests == HYPER_CLIENT_COALESCE_ALL)
      return 0; /* the next poll or waiting call writes it */
    /* An earlier request whose response is still to be fetched means a
     * later call that waits (and so writes first) is bound to come. */
    for (const hyper__cstream *o = cl->head; o && o != cs; o = o->next)
      if ((o->flags & CS_SENT) && !(o->flags & (CS_PUSH | CS_TAKEN)) &&
          !o->err && !(o->flags & CS_RESET))
        return 0;
  }
  return hyper__client_flush(cl, deadline);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

static int is_pseudo(const hyper_field *f) {
  return f->name_len > 0 && f->name[0] == ':';
}

static int fields_to_hdrs(hyper_client *cl, const hyper_field *f, size_t n,
                          int keep_pseudo, hyper_hdrs **out) {
  hyper_hdrs *h = *out;
  int rv = 0;
  if (!h && (rv = hyper_hdrs_new(&h, NULL, &cl->mem)) != 0)
    return rv;
  *out = h;
  /* Pseudo-header fields come first (RFC 9113 §8.3, checked by the core
   * unless validation is off): skip them and add the rest in one call, so
   * the map grows once per block, not once per field. */
  size_t i = 0;
  if (!keep_pseudo)
    while (i < n && is_pseudo(&f[i]))
      i++;
  size_t j = i;
  int flags_ok = 1;
  while (j < n && (keep_pseudo || !is_pseudo(&f[j]))) {
    if (f[j].flags & ~(uint32_t)HYPER_FIELD_SENSITIVE)
      flags_ok = 0;
    j++;
  }
  if (j == n && flags_ok)
    return hyper_hdrs_add_fields(h, f + i, n - i, 0);
  for (; i < n && !rv; i++)
    if (keep_pseudo || !is_pseudo(&f[i]))
      rv = hyper_hdrs_add(h, f[i].name, f[i].name_len, f[i].value,
                          f[i].value_len, f[i].flags & HYPER_FIELD_SENSITIVE);
  return rv;
}

static int parse_status(const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (f[i].name_len == 7 && memcmp(f[i].name, ":status", 7) == 0 &&
        f[i].value_len == 3) {
      int v = 0;
      for (size_t k = 0; k < 3; k++) {
        if (f[i].value[k] < '0' || f[i].value[k] > '9')
          return 0;
        v = v * 10 + (f[i].value[k] - '0');
      }
      return v;
    }
  return 0;
}

/* A stream failed on our side (no memory for its data): reset it. */
static void stream_local_fail(hyper_client *cl, hyper__cstream *cs, int rv) {
  cs->err = rv;
  hyper__client_err(cl, rv, HYPER_H2_INTERNAL_ERROR, cs->id,
                    "stream %u: cannot store the response (%s)",
                    (unsigned)cs->id, hyper_strerror(rv));
  hyper__cs_cancel(cs, HYPER_H2_INTERNAL_ERROR);
}

static int reset_error(uint32_t code) {
  return code == HYPER_H2_REFUSED_STREAM ? HYPER_ERR_H2_REFUSED_STREAM
                                         : HYPER_ERR_H2_STREAM_CLOSED;
}

static void on_goaway(hyper_client *cl, const hyper_h2_event *ev) {
  cl->goaway = 1;
  cl->goaway_last = ev->u.goaway.last_stream_id;
  cl->goaway_code = ev->u.goaway.error_code;
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next) {
    if (!(cs->flags & CS_SENT) || (cs->flags & CS_PUSH) ||
        cs->id <= cl->goaway_last || (cs->flags & CS_REMOTE_END) || cs->err)
      continue;
    cs->err = HYPER_ERR_H2_GOAWAY; /* not processed: retry elsewhere */
    cs->flags |= CS_RESET;
  }
  hyper__client_err(cl, HYPER_ERR_H2_GOAWAY, ev->u.goaway.error_code, 0,
                    "the server sent GOAWAY (%s, last stream %u)",
                    hyper_h2_code_name(ev->u.goaway.error_code),
                    (unsigned)ev->u.goaway.last_stream_id);
}

static void on_push(hyper_client *cl, const hyper_h2_event *ev) {
  hyper__cstream *cs;
  if (hyper__cs_new(cl, &cs) != 0) {
    (void)hyper_h2_reset_stream(cl->h2, ev->stream_id, HYPER_H2_REFUSED_STREAM);
    return;
  }
  cs->id = ev->stream_id;
  cs->parent = ev->u.push.parent_stream_id;
  cs->flags = CS_PUSH | CS_LOCAL_END;
  hyper__cstream *parent = hyper__client_find(cl, cs->parent);
  cs->deadline = parent ? parent->deadline
                        : hyper__client_request_deadline(cl);
  if (fields_to_hdrs(cl, ev->u.push.fields, ev->u.push.nfields, 1,
                     &cs->promise) != 0) {
    hyper__cs_free(cs);
    (void)hyper_h2_reset_stream(cl->h2, ev->stream_id, HYPER_H2_REFUSED_STREAM);
    return;
  }
  hyper__cs_link(cl, cs);
}

static void on_event(hyper_client *cl, const hyper_h2_event *ev) {
  hyper__cstream *cs = hyper__client_find(cl, ev->stream_id);
  int rv;
  switch (ev->type) {
  case HYPER_H2_EV_RESPONSE_RECEIVED:
    if (!cs || (cs->flags & CS_DISCARD))
      return;
    cs->status = parse_status(ev->u.headers.fields, ev->u.headers.nfields);
    /* noted here so that the first read need not look it up */
    cs->flags |= CS_CE_SCANNED;
    for (size_t i = 0; i < ev->u.headers.nfields; i++)
      if (ev->u.headers.fields[i].name_len == 16 &&
          memcmp(ev->u.headers.fields[i].name, "content-encoding", 16) == 0)
        cs->flags |= CS_CODED;
    rv = hyper__cs_keep_head(cs, ev->u.headers.fields, ev->u.headers.nfields);
    if (rv)
      stream_local_fail(cl, cs, rv);
    else
      cs->flags |= CS_HEAD;
    return;
  case HYPER_H2_EV_TRAILERS_RECEIVED:
    if (!cs || (cs->flags & CS_DISCARD))
      return;
    rv = fields_to_hdrs(cl, ev->u.headers.fields, ev->u.headers.nfields, 0,
                        &cs->trailers);
    if (rv)
      stream_local_fail(cl, cs, rv);
    return;
  case HYPER_H2_EV_DATA_RECEIVED:
    if (!cs || (cs->flags & CS_DISCARD)) {
      if (ev->u.data.len)
        (void)hyper_h2_acknowledge_received_data(cl->h2, ev->stream_id,
                                                 ev->u.data.len);
      return;
    }
    {
      const uint8_t *d = ev->u.data.data;
      size_t n = ev->u.data.len;
      if (cs->direct && n && cs->end == cs->start) {
        /* A reader waits for this stream with nothing buffered: hand the
         * payload over directly; it is consumed, so acknowledged now. */
        size_t k = HYPER_MIN(n, cs->direct_cap - cs->direct_len);
        memcpy(cs->direct + cs->direct_len, d, k);
        cs->direct_len += k;
        (void)hyper_h2_acknowledge_received_data(cl->h2, ev->stream_id, k);
        d += k;
        n -= k;
        if (n == 0)
          return;
      }
      rv = hyper__cs_append(cs, d, n);
      if (rv) {
        if (n)
          (void)hyper_h2_acknowledge_received_data(cl->h2, ev->stream_id, n);
        stream_local_fail(cl, cs, rv);
        return;
      }
      cs->unacked += n;
    }
    if (cs->flags & CS_DRAIN)
      hyper__cs_ack_all(cs);
    return;
  case HYPER_H2_EV_STREAM_ENDED:
    /* A stream that failed on our side (data dropped) never counts as
     * complete. */
    if (cs && !cs->err && !(cs->flags & CS_DISCARD))
      cs->flags |= CS_REMOTE_END;
    return;
  case HYPER_H2_EV_STREAM_RESET:
    if (!cs)
      return;
    cs->flags |= CS_RESET | CS_LOCAL_END;
    cs->h2_code = ev->u.reset.error_code;
    if (!(cs->flags & CS_REMOTE_END) && !cs->err) {
      if (ev->u.reset.remote) {
        cs->err = reset_error(ev->u.reset.error_code);
        hyper__client_err(cl, cs->err, ev->u.reset.error_code, cs->id,
                          "stream %u reset by the server: %s",
                          (unsigned)cs->id,
                          hyper_h2_code_name(ev->u.reset.error_code));
      } else {
        const hyper_h2_error *he = hyper_h2_conn_last_error(cl->h2);
        cs->err = he->code && he->stream_id == cs->id ? he->code
                                                       : HYPER_ERR_H2_PROTOCOL;
        hyper__client_err(cl, cs->err, ev->u.reset.error_code, cs->id,
                          "stream %u reset: %s", (unsigned)cs->id,
                          he->desc && he->desc[0] ? he->desc
                                                  : hyper_strerror(cs->err));
      }
    }
    return;
  case HYPER_H2_EV_PUSHED_STREAM_RECEIVED:
    on_push(cl, ev);
    return;
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED:
    cl->got_settings = 1;
    return;
  case HYPER_H2_EV_PING_ACK_RECEIVED:
    if (cl->ping_out && memcmp(ev->u.ping.opaque, cl->ping_data, 8) == 0) {
      cl->ping_out = 0;
      cl->ping_keepalive = 0;
      cl->rtt = hyper__io_now_ms() - cl->ping_sent;
    }
    return;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    on_goaway(cl, ev);
    return;
  default:
    return;
  }
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

static int send_keepalive(hyper_client *cl) {
  cl->ping_seq++;
  for (int i = 0; i < 8; i++)
    cl->ping_data[i] = (uint8_t)(cl->ping_seq >> (8 * (7 - i)));
  int rv = hyper_h2_ping(cl->h2, cl->ping_data);
  if (rv)
    return hyper__client_fail(cl, hyper__client_err_h2(cl, rv));
  cl->ping_out = 1;
  cl->ping_keepalive = 1;
  cl->ping_sent = hyper__io_now_ms();
  return 0;
}

/* The core refused input: a connection error (GOAWAY is queued). */
static int core_failed(hyper_client *cl, int rv) {
  hyper__client_err_h2(cl, rv);
  hyper_client_error saved = cl->err;
  (void)hyper__client_flush(cl, hyper__io_deadline_after(1000));
  cl->err = saved;
  return hyper__client_fail(cl, rv);
}

int hyper__client_pump(hyper_client *cl, int64_t deadline, int nowait) {
  if (cl->conn_err)
    return cl->conn_err;
  if (!cl->io)
    return hyper__client_err(cl, HYPER_ERR_INVALID_STATE, 0, 0,
                             "not connected");
  if (nowait == 2 && cl->h2) {
    /* One write and one read per NOWAIT_BATCH octets of request body
     * instead of per DATA frame. */
    const uint8_t *p;
    if (hyper_h2_conn_pending(cl->h2, &p) < NOWAIT_BATCH)
      return 0;
  }
  int rv = hyper__client_flush(cl, deadline);
  if (rv)
    return rv;
  int64_t now = hyper__io_now_ms();
  int64_t until = nowait ? 0 : deadline;
  int64_t ping_dead = HYPER__IO_NO_DEADLINE, ping_due = HYPER__IO_NO_DEADLINE;
  if (cl->ping_out && cl->ping_keepalive)
    ping_dead = cl->ping_sent + cl->opts.ping_timeout_ms;
  else if (!cl->ping_out && cl->opts.ping_idle_ms > 0)
    ping_due = cl->last_rx + cl->opts.ping_idle_ms;
  if (!nowait) {
    until = HYPER_MIN(until, ping_dead);
    until = HYPER_MIN(until, ping_due);
  }
  hyper_slice in;
  rv = hyper__io_read_avail(cl->io, until, &in);
  if (rv == HYPER_ERR_TIMEOUT) {
    if (nowait)
      return 0;
    now = hyper__io_now_ms();
    if (now >= ping_dead) {
      hyper__client_err(cl, HYPER_ERR_TIMEOUT, 0, 0,
                        "dead peer: PING not acknowledged within %lld ms",
                        (long long)cl->opts.ping_timeout_ms);
      return hyper__client_fail(cl, HYPER_ERR_TIMEOUT);
    }
    if (now >= deadline)
      return hyper__client_err(cl, HYPER_ERR_TIMEOUT, 0, 0,
                               "request deadline expired");
    if (now >= ping_due)
      return send_keepalive(cl); /* then wait again */
    return hyper__client_err_io(cl, rv, hyper__io_last_error(cl->io));
  }
  if (rv) {
    hyper__client_err_io(cl, rv, hyper__io_last_error(cl->io));
    if (rv == HYPER_ERR_EOF)
      hyper__client_err(cl, rv, 0, 0, "the server closed the connection");
    return hyper__client_fail(cl, rv);
  }
  now = hyper__io_now_ms();
  cl->last_rx = now;
  cl->nreads++;
  cl->poll_stalled = 0;
  /* the clock drives the core's token buckets and SETTINGS timeout */
  if ((rv = hyper_h2_conn_set_time(cl->h2, (uint64_t)now)) != 0)
    return core_failed(cl, rv);
  size_t off = 0;
  while (off < in.len) {
    int used = hyper_h2_conn_recv(cl->h2, in.ptr + off, in.len - off);
    hyper_h2_event ev;
    while (hyper_h2_conn_next_event(cl->h2, &ev))
      on_event(cl, &ev);
    if (used <= 0) {
      hyper__io_consume(cl->io, in.len);
      if (used == 0) { /* cannot happen: the core always takes bytes */
        hyper__client_err(cl, HYPER_ERR_INTERNAL, 0, 0,
                          "the HTTP/2 core took no input");
        return hyper__client_fail(cl, HYPER_ERR_INTERNAL);
      }
      return core_failed(cl, used);
    }
    off += (size_t)used;
  }
  hyper__io_consume(cl->io, in.len);
  return hyper__client_flush(cl, deadline);
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                  */
/* ------------------------------------------------------------------------ */

int hyper__client_spill(hyper_client *cl, hyper__cstream *except,
                        int force) {
  if (!cl->h2)
    return 0;
  if (!force) {
    int64_t w = hyper_h2_conn_remote_flow_control_window(cl->h2, 0);
    int64_t low = HYPER_H2_DEFAULT_CONN_RECV_WINDOW / 4;
    if (w < 0 || w >= low)
      return 0;
  }
  size_t unacked = 0, held = 0;
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next) {
    if (cs == except)
      continue;
    unacked += cs->unacked;
    if (!(cs->flags & CS_DRAIN))
      held += (cs->end - cs->start) - cs->unacked;
  }
  if (unacked == 0)
    return 0;
  if (held + unacked > cl->opts.max_buffered)
    return hyper__client_err(
        cl, HYPER_ERR_LIMIT_EXCEEDED, 0, except ? except->id : 0,
        "unread response data (%zu octets) would exceed max_buffered (%zu); "
        "read or close the other responses",
        held + unacked, cl->opts.max_buffered);
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if (cs != except)
      hyper__cs_ack_all(cs);
  return 0;
}

int hyper__client_wait(hyper_client *cl, hyper__cstream *cs,
                       hyper__client_cond cond, void *arg, int64_t deadline) {
  if (!cl->h2 && cl->h1)
    return hyper__h1c_wait(cl, cs, cond, arg, deadline);
  for (;;) {
    int r = cond(cl, cs, arg);
    if (r != 0)
      return r > 0 ? 0 : r;
    if (cl->conn_err)
      return cl->conn_err;
    if (!cl->h2)
      return hyper__client_err(cl, HYPER_ERR_INVALID_STATE, 0, 0,
                               "the connection is closed");
    int rv = hyper__client_spill(cl, cs, 0);
    if (rv)
      return rv;
    rv = hyper__client_pump(cl, deadline, 0);
    if (rv)
      return rv;
  }
}
