/* HTTP/1.1 for the blocking client (Python hyper's HTTP11Connection, and
 * the HTTP/1.1 half of HTTPConnection): requests written with the h1.h
 * writer, responses parsed by the h1.h parser object and filed into the
 * same client streams (hyper__cstream) the HTTP/2 driver fills, so that the
 * response object and its reads (response.c) are shared by both protocols.
 *
 * Connections and generations: cl->io carries HTTP/1.1 while the h1 state
 * is "live". Every connection gets a new generation number; a request
 * records the generation it was written on. Requests are written at once
 * (pipelined); the parser matches responses to them in order, and the
 * stream a parser event belongs to is the first one of the current
 * generation whose response has not ended (current()).
 *
 * A connection ends (h1_drop()) when a response forbids reuse, on any
 * parse or transport error, when the peer closes, or when the caller
 * abandons a response in the middle of its body. Requests of that
 * generation without a response head are then marked CS_H1_RESEND when
 * they may be sent again (idempotent, kept in memory, not resent before;
 * HOSTILE-PEERS I.9) or failed; the next wait or request opens a new
 * connection and writes the resends first, in their original order.
 *
 * Upgrade: h2c (HYPER_CLIENT_PROTO_H2C_UPGRADE, cleartext, RFC 7540 §3.2):
 * the first request of a client (nothing else in its list, nothing else on
 * the wire) offers the upgrade when it has no body or an in-memory body of
 * at most H1_UPGRADE_MAX_BODY octets; otherwise it goes out as plain
 * HTTP/1.1 and a later request that qualifies makes the offer. While the
 * offer waits for its answer no other request is written (bytes pipelined
 * behind it would reach an HTTP/2 server). A 101 with "Upgrade: h2c" turns
 * cl->io into an HTTP/2 connection: the core starts with stream 1
 * half-closed (local) and the request keeps its id 1; any other answer is
 * that request's HTTP/1.1 response and the client stops offering.
 *
 * HTTP_1_1_REQUIRED (RFC 9113 §8.1.1 / HOSTILE-PEERS C7): an HTTP/2
 * request reset with that code before its response is sent once more over
 * HTTP/1.1 on a separate connection (a child client with protocol HTTP11:
 * TLS offers ALPN http/1.1 only), and its response is handed out under the
 * original id. */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "client_int.h"
#include "hyper/h1.h"

struct hyper__h1c {
  hyper_h1_parser *parser;
  uint32_t gen;             /* generation of the current connection */
  uint32_t next_id;         /* next request id (odd, as HTTP/2 stream ids) */
  int live;                 /* cl->io carries HTTP/1.1 */
  int closing;              /* no further request may use this connection */
  int drop_after;           /* end the connection once the events are handled */
  int reused;               /* a response ended on this connection */
  int need_more;            /* the buffered bytes hold an incomplete section */
  hyper_h1_framing framing; /* of the response being received */
  /* Upgrade: h2c */
  int upgrading;            /* an offer is out, its answer not seen yet */
  int declined;             /* the server answered an offer without 101 */
  int switch_now;           /* 101 + END seen: switch after consuming */
  int switch_ok;            /* ... and the 101 named h2c */
  hyper_h2_conn *pending;   /* the core that takes over after a 101 */
  /* HTTP_1_1_REQUIRED retries */
  hyper_client *fallback;
};

/* The largest in-memory request body sent with an upgrade offer. */
#define H1_UPGRADE_MAX_BODY 16384u

/* Upload piece size between checks for an early response. */
#define H1_PIECE 16384u

int hyper__h1c_active(const hyper_client *cl) {
  return cl && cl->h1 && cl->h1->live && cl->io && !cl->h2;
}

static int h1_state(hyper_client *cl) {
  if (cl->h1)
    return 0;
  cl->h1 = hyper__mem_calloc(&cl->mem, 1, sizeof *cl->h1);
  if (!cl->h1)
    return HYPER_ERR_NOMEM;
  cl->h1->next_id = 1;
  return 0;
}

void hyper__h1c_free(hyper_client *cl) {
  if (!cl->h1)
    return;
  hyper_h1_parser_free(cl->h1->parser);
  hyper_h2_conn_free(cl->h1->pending);
  hyper_client_free(cl->h1->fallback);
  hyper__mem_free(&cl->mem, cl->h1);
  cl->h1 = NULL;
}

/* The stream the parser's next event belongs to. */
static hyper__cstream *current(hyper_client *cl) {
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if ((cs->flags & CS_SENT) && !(cs->flags & (CS_H1_RESEND | CS_PUSH)) &&
        cs->gen == cl->h1->gen && !(cs->flags & CS_REMOTE_END) && !cs->err)
      return cs;
  return NULL;
}

int hyper__h1c_keep(const hyper__cstream *cs) {
  const hyper_client *cl = cs->cl;
  return hyper__h1c_active(cl) && (cs->flags & CS_SENT) &&
         !(cs->flags & (CS_REMOTE_END | CS_H1_RESEND)) && !cs->err &&
         cs->gen == cl->h1->gen;
}

/* Released by the caller and no longer needed: unlink and free. */
static void maybe_free(hyper__cstream *cs) {
  if (!cs->resp && !cs->push && (cs->flags & CS_TAKEN))
    hyper__cs_release(cs);
}

/* Ends the current connection. Its requests without a response head are
 * marked for a resend when |may_retry| allows and they qualify, else they
 * fail with |err| (HYPER_ERR_EOF when 0); a response cut in its body fails
 * with |err| (HYPER_ERR_H1_UNEXPECTED_EOF when 0). */
static void h1_drop(hyper_client *cl, int err, int may_retry) {
  struct hyper__h1c *h = cl->h1;
  if (!h || !h->live)
    return;
  hyper__cstream *cs = cl->head;
  while (cs) {
    hyper__cstream *next = cs->next;
    if ((cs->flags & CS_SENT) && !(cs->flags & (CS_H1_RESEND | CS_PUSH)) &&
        cs->gen == h->gen && !(cs->flags & CS_REMOTE_END) && !cs->err) {
      if (cs->flags & CS_HEAD)
        cs->err = err ? err : HYPER_ERR_H1_UNEXPECTED_EOF;
      else if (may_retry && cs->wire && !cs->retried &&
               !(cs->flags & CS_DISCARD))
        cs->flags |= CS_H1_RESEND;
      else
        cs->err = err ? err : HYPER_ERR_EOF;
      if (cs->err)
        maybe_free(cs);
    }
    cs = next;
  }
  hyper_h1_parser_free(h->parser);
  h->parser = NULL;
  if (h->upgrading)
    h->declined = 1; /* a server that breaks on the offer gets no more */
  h->upgrading = h->switch_now = h->switch_ok = 0;
  hyper_h2_conn_free(h->pending);
  h->pending = NULL;
  hyper__io_free(cl->io);
  cl->io = NULL;
  h->live = 0;
  h->closing = 0;
  h->drop_after = 0;
  h->need_more = 0;
}

void hyper__h1c_teardown(hyper_client *cl) {
  if (cl->h1 && cl->h1->live)
    h1_drop(cl, HYPER_ERR_INVALID_STATE, 0);
}

void hyper__h1c_close_conn(hyper_client *cl) {
  if (hyper__h1c_active(cl))
    h1_drop(cl, HYPER_ERR_EOF, 1);
}

void hyper__h1c_abandon(hyper_client *cl, hyper__cstream *cs) {
  struct hyper__h1c *h = cl->h1;
  if (!h)
    return;
  if (cs->flags & CS_H1_RESEND) { /* never sent again */
    cs->flags &= ~CS_H1_RESEND;
    cs->err = HYPER_ERR_INVALID_STATE;
    return;
  }
  if (!h->live || cs->gen != h->gen)
    return;
  if (cs->flags & CS_HEAD) {
    /* In the middle of its body: the connection cannot carry more. */
    cs->err = HYPER_ERR_INVALID_STATE;
    h1_drop(cl, HYPER_ERR_EOF, 1);
  }
  /* Otherwise its response is read and discarded when it comes. */
}

/* Writes |cs->wire| on the current connection and tells the parser. */
static int send_wire(hyper_client *cl, hyper__cstream *cs, int64_t deadline) {
  struct hyper__h1c *h = cl->h1;
  int rv = hyper_h1_parser_request(h->parser, cs->h1_flags);
  if (rv)
    return hyper__client_err(cl, rv, 0, cs->id,
                             "request %u: the connection cannot take it "
                             "(%s)",
                             (unsigned)cs->id, hyper_strerror(rv));
  cs->gen = h->gen;
  rv = hyper__io_write_all(cl->io, cs->wire, cs->wire_len, deadline);
  if (rv) /* the response (or the close) tells the rest */
    h->closing = 1;
  return 0;
}

int hyper__h1c_attach(hyper_client *cl) {
  int rv = h1_state(cl);
  if (rv)
    return hyper__client_err(cl, rv, 0, 0, "out of memory");
  struct hyper__h1c *h = cl->h1;
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  cfg.max_pipeline = HYPER_H1_MAX_PIPELINE;
  rv = hyper_h1_parser_new(&h->parser, &cfg, &cl->mem);
  if (rv) {
    h->parser = NULL;
    return hyper__client_err(cl, rv, 0, 0, "out of memory");
  }
  h->gen++;
  h->live = 1;
  h->closing = h->drop_after = h->reused = h->need_more = 0;
  h->framing = HYPER_H1_BODY_NONE;
  int64_t deadline = hyper__io_deadline_after(cl->opts.read_timeout_ms);
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next) {
    if (!(cs->flags & CS_H1_RESEND))
      continue;
    cs->flags &= ~CS_H1_RESEND;
    cs->retried = 1;
    if ((rv = send_wire(cl, cs, deadline)) != 0) {
      cs->err = rv;
      return rv;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

static int to_hdrs(hyper_client *cl, const hyper_field *f, size_t n,
                   hyper_hdrs **out) {
  hyper_hdrs_config hc;
  hyper_hdrs_config_init(&hc);
  hc.lowercase_names = 1;
  hyper_hdrs *h = *out;
  int rv = 0;
  if (!h && (rv = hyper_hdrs_new(&h, &hc, &cl->mem)) != 0)
    return rv;
  *out = h;
  for (size_t i = 0; i < n && !rv; i++)
    rv = hyper_hdrs_add(h, f[i].name, f[i].name_len, f[i].value, f[i].value_len,
                        0);
  return rv;
}

static int on_head(hyper_client *cl, hyper__cstream *cs,
                   const hyper_h1_head *hd) {
  cs->status = hd->status;
  cl->h1->framing = hd->framing;
  hyper__mem_free(&cs->mem, cs->reason);
  cs->reason = hyper__mem_malloc(&cs->mem, hd->reason.len + 1);
  if (!cs->reason)
    return HYPER_ERR_NOMEM;
  if (hd->reason.len)
    memcpy(cs->reason, hd->reason.ptr, hd->reason.len);
  cs->reason[hd->reason.len] = '\0';
  int rv = to_hdrs(cl, hd->fields, hd->nfields, &cs->headers);
  if (rv)
    return rv;
  cs->flags |= CS_HEAD;
  return 0;
}

/* Does the 101 head switch to h2c? */
static int upgrade_is_h2c(const hyper_h1_head *hd) {
  for (size_t i = 0; i < hd->nfields; i++) {
    const hyper_field *f = &hd->fields[i];
    if (!hyper_hdrs_name_eq(f->name, f->name_len, "upgrade", 7))
      continue;
    const uint8_t *v = f->value;
    size_t n = f->value_len;
    return n == 3 && hyper_hdrs_name_eq(v, n, "h2c", 3);
  }
  return 0;
}

/* Files the queued parser events under their streams. */
static int on_events(hyper_client *cl) {
  struct hyper__h1c *h = cl->h1;
  hyper_h1_event ev;
  int rv = 0;
  while (hyper_h1_parser_next_event(h->parser, &ev)) {
    hyper__cstream *cs = current(cl);
    if (!cs || rv)
      continue; /* cannot happen: the parser expects a response */
    switch (ev.type) {
    case HYPER_H1_EV_HEAD:
      if (h->upgrading && ev.u.head.status == 101) {
        /* RFC 7540 §3.2: the 101 is not the response; that comes on
         * stream 1. Its Upgrade field names the new protocol. */
        h->switch_ok = upgrade_is_h2c(&ev.u.head);
        break;
      }
      if (h->upgrading) { /* declined: this is the HTTP/1.1 response */
        h->upgrading = 0;
        h->declined = 1;
        hyper_h2_conn_free(h->pending);
        h->pending = NULL;
      }
      rv = on_head(cl, cs, &ev.u.head);
      break;
    case HYPER_H1_EV_DATA:
      if (!(cs->flags & CS_DISCARD))
        rv = hyper__cs_append(cs, ev.u.data.data, ev.u.data.len);
      break;
    case HYPER_H1_EV_TRAILERS:
      rv = to_hdrs(cl, ev.u.trailers.fields, ev.u.trailers.nfields,
                   &cs->trailers);
      break;
    case HYPER_H1_EV_END:
      if (h->upgrading && ev.u.end.upgraded) {
        h->switch_now = 1;
        break;
      }
      cs->flags |= CS_REMOTE_END;
      h->reused = 1;
      h->framing = HYPER_H1_BODY_NONE;
      if (!ev.u.end.reusable || ev.u.end.upgraded) {
        h->closing = 1;
        h->drop_after = 1;
      }
      maybe_free(cs);
      break;
    default: /* 1xx: skipped */
      break;
    }
  }
  return rv;
}

/* After a 101 to our offer (and the bytes of its head consumed): the
 * connection now speaks HTTP/2 (RFC 7540 §3.2). The rest of the buffered
 * input is the server's first HTTP/2 frames. */
static int do_switch(hyper_client *cl) {
  struct hyper__h1c *h = cl->h1;
  hyper__cstream *cs = current(cl);
  if (!h->switch_ok || !cs || !h->pending || cs->id != 1) {
    hyper__client_err(cl, HYPER_ERR_H1_PARSE, 0, cs ? cs->id : 0,
                      "the server answered 101 but did not switch to h2c");
    h1_drop(cl, HYPER_ERR_H1_PARSE, 0);
    return 0;
  }
  hyper_h2_conn *h2 = h->pending;
  h->pending = NULL;
  int rv = hyper_h2_conn_upgrade_client(
      h2, (cs->h1_flags & HYPER_H1_REQ_HEAD) != 0);
  if (rv) {
    hyper_h2_conn_free(h2);
    hyper__client_err(cl, rv, 0, cs->id,
                      "cannot start HTTP/2 after the upgrade: %s",
                      hyper_strerror(rv));
    h1_drop(cl, rv, 0);
    return 0;
  }
  hyper_h1_parser_free(h->parser);
  h->parser = NULL;
  h->live = 0;
  h->upgrading = h->switch_now = h->switch_ok = 0;
  h->closing = h->drop_after = h->need_more = 0;
  hyper__mem_free(&cl->mem, cs->wire);
  cs->wire = NULL;
  cs->wire_len = 0;
  cs->flags |= CS_LOCAL_END;
  cl->h2 = h2;
  cl->conn_err = 0;
  cl->got_settings = 0;
  cl->goaway = 0;
  cl->recent = cs->id;
  cl->last_rx = hyper__io_now_ms();
  (void)hyper_h2_conn_set_time(h2, (uint64_t)cl->last_rx);
  return hyper__client_flush(
      cl, hyper__io_deadline_after(cl->opts.read_timeout_ms));
}

/* The connection failed with |code| (detail recorded for the request whose
 * response was being read). */
static int conn_error(hyper_client *cl, int code, const char *what) {
  hyper__cstream *cs = current(cl);
  hyper__client_err(cl, code, 0, cs ? cs->id : 0, "%s%s%s", what,
                    what[0] ? ": " : "", hyper_strerror(code));
  h1_drop(cl, code, 0);
  return 0;
}

/* One step: parse what is buffered, or read more. Connection failures are
 * filed under the streams (and the connection ended); the return value is
 * only for TIMEOUT and NOMEM. */
static int h1_pump(hyper_client *cl, int64_t deadline) {
  struct hyper__h1c *h = cl->h1;
  /* left by early_response(), which parses while a body is uploaded */
  if (h->switch_now)
    return do_switch(cl);
  if (h->drop_after) {
    h1_drop(cl, HYPER_ERR_EOF, 1);
    return 0;
  }
  hyper_slice in = hyper__io_peek(cl->io);
  if (in.len > 0 && !h->need_more) {
    int n = hyper_h1_parser_feed(h->parser, in.ptr, in.len);
    if (n == HYPER_ERR_INCOMPLETE) {
      h->need_more = 1;
    } else if (n < 0) {
      return conn_error(cl, n, "bad response");
    } else {
      int rv = on_events(cl);
      if (n == 0 && rv == 0)
        h->need_more = 1; /* nothing taken: wait for more input */
      hyper__io_consume(cl->io, (size_t)n);
      if (rv) {
        h1_drop(cl, rv, 0);
        return hyper__client_err(cl, rv, 0, 0, "out of memory");
      }
      if (h->switch_now)
        return do_switch(cl);
      if (h->drop_after)
        h1_drop(cl, HYPER_ERR_EOF, 1);
      return 0;
    }
  }
  int rv = hyper__io_fill(cl->io, in.len + 1, deadline, &in);
  if (rv == 0) {
    h->need_more = 0;
    return 0;
  }
  if (rv == HYPER_ERR_TIMEOUT)
    return hyper__client_err_io(cl, rv, hyper__io_last_error(cl->io));
  if (rv == HYPER_ERR_BUFFER_TOO_SMALL)
    return conn_error(cl, HYPER_ERR_H1_TOO_LARGE,
                      "response head larger than the read buffer");
  /* The peer closed, or the connection broke. */
  int e;
  if (in.len > 0)
    e = HYPER_ERR_H1_UNEXPECTED_EOF; /* an incomplete section */
  else if (rv == HYPER_ERR_EOF && hyper__io_is_tls(cl->io) &&
           !hyper__io_eof_clean(cl->io) && h->framing == HYPER_H1_BODY_CLOSE)
    e = HYPER_ERR_H1_UNEXPECTED_EOF; /* no close_notify: maybe truncated */
  else {
    e = hyper_h1_parser_eof(h->parser);
    int ev = on_events(cl); /* END of a close-delimited body */
    if (ev) {
      h1_drop(cl, ev, 0);
      return hyper__client_err(cl, ev, 0, 0, "out of memory");
    }
  }
  if (e == 0) {
    h1_drop(cl, HYPER_ERR_EOF, 1);
    return 0;
  }
  hyper__cstream *cs = current(cl);
  if (e == HYPER_ERR_EOF) {
    /* Not one byte of the response came: an idempotent request may go
     * again on a new connection when this one had been used before. */
    int code = rv == HYPER_ERR_EOF ? HYPER_ERR_EOF : rv;
    hyper__client_err_io(cl, code, hyper__io_last_error(cl->io));
    if (cs)
      hyper__client_err(cl, code, 0, cs->id,
                        "request %u: the server closed the connection "
                        "without responding (%s)",
                        (unsigned)cs->id, cl->err.desc);
    h1_drop(cl, code, h->reused);
    return 0;
  }
  hyper__client_err(cl, e, 0, cs ? cs->id : 0,
                    "the connection ended in the middle of a response "
                    "(%s)",
                    hyper_strerror(rv));
  h1_drop(cl, e, 0);
  return 0;
}

static int any_resend(const hyper_client *cl) {
  for (const hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if (cs->flags & CS_H1_RESEND)
      return 1;
  return 0;
}

static void fail_resends(hyper_client *cl, int code) {
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if (cs->flags & CS_H1_RESEND) {
      cs->flags &= ~CS_H1_RESEND;
      cs->err = code;
    }
}

/* Opens a new HTTP/1.1 connection (writing the resends first). */
static int reconnect(hyper_client *cl) {
  int rv = hyper_client_connect(cl);
  if (!rv && cl->h2)
    rv = hyper__client_err(cl, HYPER_ERR_UNSUPPORTED, 0, 0,
                           "the server switched to HTTP/2 on a new "
                           "connection; HTTP/1.1 requests cannot move");
  if (rv)
    fail_resends(cl, rv);
  return rv;
}

/* Octets of response bodies held in memory for the caller, other than
 * those of |except| and of bodies the caller asked to hold whole. */
static size_t held(const hyper_client *cl, const hyper__cstream *except) {
  size_t n = 0;
  for (const hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if (cs != except && !(cs->flags & CS_DRAIN))
      n += cs->end - cs->start;
  return n;
}

/* Reading on would pile more pipelined response data on top of
 * max_buffered (one read may still add a read buffer's worth). */
static int over_buffered(hyper_client *cl, const hyper__cstream *except) {
  size_t n = held(cl, except);
  if (n <= cl->opts.max_buffered)
    return 0;
  return hyper__client_err(
      cl, HYPER_ERR_LIMIT_EXCEEDED, 0, except ? except->id : 0,
      "unread HTTP/1.1 response data (%zu octets) exceeds max_buffered "
      "(%zu); read or close the earlier responses",
      n, cl->opts.max_buffered);
}

hyper_client *hyper__h1c_fallback_of(const hyper_client *cl) {
  return cl->h1 ? cl->h1->fallback : NULL;
}

int hyper__h1c_poll_ready(const hyper_client *cl) {
  const struct hyper__h1c *h = cl->h1;
  if (!h || !hyper__h1c_active(cl))
    return 0;
  if (h->switch_now || h->drop_after)
    return 1;
  hyper_slice in = hyper__io_peek(cl->io);
  /* buffered: parse it unless it is an incomplete section; nothing in our
   * buffer but decrypted bytes in OpenSSL: read them */
  return in.len > 0 ? !h->need_more : hyper__io_has_buffered(cl->io);
}

int hyper__h1c_step(hyper_client *cl, int64_t deadline) {
  if (!hyper__h1c_active(cl))
    return 0;
  return h1_pump(cl, deadline);
}

int hyper__h1c_wait(hyper_client *cl, hyper__cstream *cs,
                    hyper__client_cond cond, void *arg, int64_t deadline) {
  for (;;) {
    int r = cond(cl, cs, arg);
    if (r != 0)
      return r > 0 ? 0 : r;
    if (cl->h2) /* switched to HTTP/2 by an upgrade */
      return hyper__client_wait(cl, cs, cond, arg, deadline);
    if (!hyper__h1c_active(cl)) {
      if (!any_resend(cl))
        return hyper__client_err(cl, HYPER_ERR_INVALID_STATE, 0,
                                 cs ? cs->id : 0, "the connection is closed");
      int rv = reconnect(cl);
      if (rv)
        return rv;
      continue;
    }
    int rv = over_buffered(cl, cs);
    if (rv)
      return rv;
    rv = h1_pump(cl, deadline);
    if (rv)
      return rv;
  }
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/* Nonzero when the server has sent something (or closed) while the only
 * outstanding request is still uploading: stop sending its body. */
static int early_response(hyper_client *cl) {
  struct hyper__h1c *h = cl->h1;
  if (hyper_h1_parser_outstanding(h->parser) != 1)
    return 0;
  hyper__cstream *cs = current(cl);
  for (;;) {
    hyper_slice in = hyper__io_peek(cl->io);
    if (in.len == 0 || h->need_more) {
      struct pollfd pfd = {hyper__io_fd(cl->io), POLLIN, 0};
      if (!hyper__io_has_buffered(cl->io) && poll(&pfd, 1, 0) <= 0)
        return 0;
      /* Readable: application data, a close, or only TLS records. */
      int rv = hyper__io_fill(cl->io, in.len + 1,
                              hyper__io_deadline_after(-1), &in);
      if (rv == HYPER_ERR_TIMEOUT)
        return 0;
      if (rv)
        return 1; /* closed or broken: the waiting call tells */
      h->need_more = 0;
      continue;
    }
    /* Parse what came: interim responses (100 Continue, RFC 9110 §15.2)
     * do not stop the upload, a final response does. */
    int n = hyper_h1_parser_feed(h->parser, in.ptr, in.len);
    if (n == HYPER_ERR_INCOMPLETE) {
      h->need_more = 1;
      continue;
    }
    if (n < 0)
      return 1; /* sticky: the waiting call reports it */
    int ev = on_events(cl);
    hyper__io_consume(cl->io, (size_t)n);
    if (ev) {
      h->drop_after = 1;
      return 1;
    }
    if (h->drop_after || h->switch_now || !cs ||
        (cs->flags & (CS_HEAD | CS_REMOTE_END)))
      return 1;
    if (n == 0)
      h->need_more = 1;
  }
}

/* Writes |n| octets in pieces, stopping (with |*stopped|) when a response
 * arrives meanwhile. */
static int send_pieces(hyper_client *cl, const uint8_t *p, size_t n,
                       int64_t deadline, int *stopped) {
  while (n > 0) {
    if (early_response(cl)) {
      *stopped = 1;
      return 0;
    }
    size_t k = n < H1_PIECE ? n : H1_PIECE;
    int rv = hyper__io_write_all(cl->io, p, k, deadline);
    if (rv)
      return rv;
    p += k;
    n -= k;
  }
  return 0;
}

static int is_idempotent(const char *m) {
  static const char *const list[] = {"GET",   "HEAD", "OPTIONS",
                                     "TRACE", "PUT",  "DELETE"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(list); i++)
    if (strcmp(m, list[i]) == 0)
      return 1;
  return 0;
}

static int name_is(const hyper_field *f, const char *lit) {
  return hyper_hdrs_name_eq(f->name, f->name_len, lit, strlen(lit));
}

/* Parses a content-length value the caller gave ("123"). -1: invalid. */
static int64_t parse_len(const uint8_t *v, size_t n) {
  if (n == 0 || n > 18)
    return -1;
  int64_t x = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    x = x * 10 + (v[i] - '0');
  }
  return x;
}

/* The request's field list: the caller's minus the framing fields, plus
 * accept-encoding. Stores whether a host field was given and a
 * content-length the caller set (-1 when none). */
static int build_fields(hyper_client *cl, const hyper_hdrs *user,
                        hyper_hdrs **out, int *has_host, int64_t *user_len) {
  hyper_hdrs *h;
  int rv = hyper_hdrs_new(&h, NULL, &cl->mem);
  if (rv)
    return rv;
  *has_host = 0;
  *user_len = -1;
  size_t n = 0;
  const hyper_field *f = user ? hyper_hdrs_fields(user, &n) : NULL;
  for (size_t i = 0; i < n && !rv; i++) {
    if (f[i].name_len == 0 || f[i].name[0] == ':') {
      rv = HYPER_ERR_INVALID_ARGUMENT;
    } else if (name_is(&f[i], "content-length")) {
      *user_len = parse_len(f[i].value, f[i].value_len);
      if (*user_len < 0)
        rv = HYPER_ERR_INVALID_ARGUMENT;
    } else if (name_is(&f[i], "transfer-encoding")) {
      continue; /* the writer chooses the framing */
    } else {
      if (name_is(&f[i], "host"))
        *has_host = 1;
      rv = hyper_hdrs_add(h, f[i].name, f[i].name_len, f[i].value,
                          f[i].value_len, 0);
    }
  }
  const char *ae = cl->opts.accept_encoding;
  if (!rv && ae && ae[0] &&
      !hyper_hdrs_contains(h, HYPER_HDRS_LIT("accept-encoding")))
    rv =
        hyper_hdrs_add(h, HYPER_HDRS_LIT("Accept-Encoding"), ae, strlen(ae), 0);
  if (rv) {
    hyper_hdrs_free(h);
    return rv;
  }
  *out = h;
  return 0;
}

/* Adds the upgrade offer to the request fields |f| (RFC 7540 §3.2) and
 * creates the HTTP/2 core that takes over after a 101. */
static int add_offer(hyper_client *cl, hyper_hdrs *f) {
  struct hyper__h1c *h = cl->h1;
  hyper_h2_conn_free(h->pending);
  h->pending = NULL;
  int rv = hyper__client_h2_new(cl, &h->pending);
  if (rv) {
    h->pending = NULL;
    return rv;
  }
  char v[HYPER_H2_UPGRADE_SETTINGS_MAX];
  size_t vlen = 0;
  if ((rv = hyper_h2_conn_upgrade_settings(h->pending, v, sizeof v,
                                           &vlen)) != 0 ||
      (rv = hyper_hdrs_add(f, HYPER_HDRS_LIT("Connection"),
                           HYPER_HDRS_LIT("Upgrade, HTTP2-Settings"), 0)) !=
          0 ||
      (rv = hyper_hdrs_add(f, HYPER_HDRS_LIT("Upgrade"),
                           HYPER_HDRS_LIT("h2c"), 0)) != 0 ||
      (rv = hyper_hdrs_add(f, HYPER_HDRS_LIT("HTTP2-Settings"), v, vlen,
                           0)) != 0) {
    hyper_h2_conn_free(h->pending);
    h->pending = NULL;
  }
  return rv;
}

/* Streams the body from |fn| (chunked unless |declared| >= 0). */
static int send_stream(hyper_client *cl, hyper__cstream *cs,
                       hyper_client_body_fn fn, void *user, int64_t declared,
                       int *stopped) {
  size_t cap = H1_PIECE + HYPER_H1_CHUNK_HEAD_MAX + 8;
  uint8_t *buf = hyper__mem_malloc(&cl->mem, cap * 2);
  if (!buf)
    return HYPER_ERR_NOMEM;
  uint8_t *data = buf + cap;
  uint64_t total = 0;
  int rv = 0;
  for (;;) {
    if (early_response(cl)) {
      *stopped = 1;
      break;
    }
    size_t n = 0;
    int eof = 0;
    if ((rv = fn(user, data, H1_PIECE, &n, &eof)) != 0)
      break;
    if (n > H1_PIECE) {
      rv = HYPER_ERR_INVALID_ARGUMENT;
      break;
    }
    total += n;
    if (declared >= 0) {
      if (total > (uint64_t)declared || (eof && total != (uint64_t)declared)) {
        rv = hyper__client_err(cl, HYPER_ERR_INVALID_ARGUMENT, 0, cs->id,
                               "request %u: the body length differs from "
                               "its content-length",
                               (unsigned)cs->id);
        break;
      }
      if (n && (rv = hyper__io_write_all(cl->io, data, n, cs->deadline)))
        break;
    } else {
      size_t w = 0;
      if (n && ((rv = hyper_h1_write_chunk(data, n, buf, cap, &w)) != 0 ||
                (rv = hyper__io_write_all(cl->io, buf, w, cs->deadline))))
        break;
      if (eof && ((rv = hyper_h1_write_last_chunk(NULL, 0, buf, cap, &w)) ||
                  (rv = hyper__io_write_all(cl->io, buf, w, cs->deadline))))
        break;
    }
    if (eof)
      break;
  }
  hyper__mem_free(&cl->mem, buf);
  return rv;
}

int hyper__h1c_request(hyper_client *cl, const char *method, const char *path,
                       const hyper_hdrs *headers, const void *body, size_t len,
                       int has_body, hyper_client_body_fn fn, void *user,
                       uint32_t *id) {
  int64_t deadline = hyper__client_request_deadline(cl);
  struct hyper__h1c *h = cl->h1;
  int rv;
  /* An upgrade offer is out: its answer decides the protocol, and nothing
   * may be pipelined behind it (RFC 7540 §3.2). */
  while (hyper__h1c_active(cl) && h->upgrading)
    if ((rv = over_buffered(cl, NULL)) != 0 ||
        (rv = h1_pump(cl, deadline)) != 0)
      return rv;
  if (cl->h2)
    return HYPER__H1C_NOW_H2;
  /* A connection that must close, or whose pipeline is full: let its
   * responses finish (their bodies are held for the caller, within
   * max_buffered); then open a new one if needed. */
  while (hyper__h1c_active(cl) &&
         (h->closing ||
          hyper_h1_parser_outstanding(h->parser) >= HYPER_H1_MAX_PIPELINE))
    if ((rv = over_buffered(cl, NULL)) != 0 ||
        (rv = h1_pump(cl, deadline)) != 0)
      return rv;
  /* An idle reused connection with bytes waiting (extra body octets) or
   * already closed by the server is not used. */
  if (hyper__h1c_active(cl) && h->reused &&
      hyper_h1_parser_outstanding(h->parser) == 0) {
    hyper_slice in = hyper__io_peek(cl->io);
    if (in.len > 0 || hyper__io_fill(cl->io, 1, hyper__io_deadline_after(-1),
                                     &in) != HYPER_ERR_TIMEOUT)
      h1_drop(cl, HYPER_ERR_EOF, 1);
  }
  if (!hyper__h1c_active(cl) && (rv = reconnect(cl)) != 0)
    return rv;

  /* The first request of the client offers Upgrade: h2c when it may. */
  int offer = cl->opts.protocol == HYPER_CLIENT_PROTO_H2C_UPGRADE &&
              !cl->opts.secure && !h->declined && !cl->head &&
              hyper_h1_parser_outstanding(h->parser) == 0 && !fn &&
              (!has_body || len <= H1_UPGRADE_MAX_BODY);
  hyper__cstream *cs;
  if ((rv = hyper__cs_new(cl, &cs)) != 0)
    return hyper__client_err(cl, rv, 0, 0, "out of memory");
  cs->deadline = deadline;
  hyper_hdrs *f = NULL;
  int has_host = 0;
  int64_t user_len = -1;
  rv = build_fields(cl, headers, &f, &has_host, &user_len);
  if (!rv && offer)
    rv = add_offer(cl, f);
  if (rv) {
    hyper_hdrs_free(f);
    hyper__cs_free(cs);
    return hyper__client_err(cl, rv, 0, 0, "cannot build the request: %s",
                             hyper_strerror(rv));
  }
  hyper_h1_request req;
  memset(&req, 0, sizeof req);
  req.method.ptr = (const uint8_t *)method;
  req.method.len = strlen(method);
  req.target.ptr = (const uint8_t *)path;
  req.target.len = strlen(path);
  if (!has_host) {
    req.authority.ptr = (const uint8_t *)cl->authority;
    req.authority.len = strlen(cl->authority);
  }
  req.fields = hyper_hdrs_fields(f, &req.nfields);
  if (fn)
    req.content_length = user_len >= 0 ? user_len : HYPER_H1_LENGTH_CHUNKED;
  else if (has_body)
    req.content_length = (int64_t)len;
  else
    req.content_length = HYPER_H1_LENGTH_NONE;
  size_t hlen = 0;
  rv = hyper_h1_request_len(&req, &hlen);
  size_t blen = fn ? 0 : len;
  if (!rv) {
    cs->wire = hyper__mem_malloc(&cl->mem, hlen + blen + 1);
    if (!cs->wire)
      rv = HYPER_ERR_NOMEM;
  }
  if (!rv)
    rv = hyper_h1_write_request(&req, cs->wire, hlen, &hlen);
  if (!rv) {
    cs->h1_flags = hyper_h1_request_flags(&req);
    if (blen)
      memcpy(cs->wire + hlen, body, blen);
    cs->wire_len = hlen + blen;
  }
  hyper_hdrs_free(f);
  if (rv) {
    hyper__cs_free(cs);
    return hyper__client_err(cl, rv, 0, 0, "cannot build the request: %s",
                             hyper_strerror(rv));
  }
  rv = hyper_h1_parser_request(h->parser, cs->h1_flags);
  if (rv) {
    hyper__cs_free(cs);
    return hyper__client_err(cl, rv, 0, 0,
                             "the connection cannot take another request "
                             "(%s)",
                             hyper_strerror(rv));
  }
  if (offer) {
    /* the request becomes HTTP/2 stream 1 if the server agrees */
    h->upgrading = 1;
    h->next_id = 1;
  }
  cs->id = h->next_id;
  h->next_id = h->next_id >= 0x7ffffffdu ? 1 : h->next_id + 2;
  cs->gen = h->gen;
  cs->flags |= CS_SENT;
  hyper__cs_link(cl, cs);
  cl->recent = cs->id;
  if (id)
    *id = cs->id;

  int stopped = 0;
  rv = send_pieces(cl, cs->wire, cs->wire_len, deadline, &stopped);
  if (!rv && !stopped && fn)
    rv = send_stream(cl, cs, fn, user, user_len, &stopped);
  cs->flags |= CS_LOCAL_END;
  if (fn || offer || !is_idempotent(method)) { /* never sent again */
    hyper__mem_free(&cl->mem, cs->wire);
    cs->wire = NULL;
  }
  if (stopped) {
    h->closing = 1; /* the request is incomplete on the wire */
    return 0;
  }
  if (rv == HYPER_ERR_IO || rv == HYPER_ERR_TLS) {
    /* The peer may have answered and closed: get_response() tells. */
    h->closing = 1;
    return 0;
  }
  if (rv) {
    /* The body source failed or lied: the request is broken on the wire. */
    int code = rv;
    if (cl->err.code != code)
      hyper__client_err(cl, code, 0, cs->id, "request %u: %s", (unsigned)cs->id,
                        hyper_strerror(code));
    hyper_client_error saved = cl->err;
    h1_drop(cl, code, 0);
    cl->err = saved;
    return code;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* HTTP_1_1_REQUIRED: the retry over HTTP/1.1                               */
/* ------------------------------------------------------------------------ */

void hyper__h1c_close_fallback(hyper_client *cl, uint32_t error_code) {
  if (cl->h1 && cl->h1->fallback)
    (void)hyper_client_close(cl->h1->fallback, error_code);
}

int hyper__h1c_fallback(hyper_client *cl, hyper__cstream *cs,
                        hyper__cstream **out) {
  if (!(cs->flags & CS_KEPT) || !cs->wire || cs->retried ||
      (cs->flags & CS_HEAD))
    return HYPER_ERR_UNSUPPORTED;
  cs->retried = 1; /* once */
  int rv = h1_state(cl);
  if (rv)
    return hyper__client_err(cl, rv, 0, cs->id, "out of memory");
  struct hyper__h1c *h = cl->h1;
  if (!h->fallback) {
    /* Same origin and options; HTTP/1.1 only (TLS: ALPN http/1.1). */
    hyper_client_opts o = cl->opts;
    o.protocol = HYPER_CLIENT_PROTO_HTTP11;
    o.require_h2 = 0;
    o.port = cl->port;
    rv = hyper_client_new(&h->fallback, cl->host, &o, &cl->mem);
    if (rv) {
      h->fallback = NULL;
      return hyper__client_err(cl, rv, 0, cs->id,
                               "cannot create the HTTP/1.1 connection for "
                               "the retry of stream %u: %s",
                               (unsigned)cs->id, hyper_strerror(rv));
    }
  }
  hyper_client *fb = h->fallback;
  hyper_hdrs *fields = NULL;
  hyper__kept_req kr = {0};
  if (hyper_hdrs_new(&fields, NULL, &cl->mem) != 0 ||
      hyper__kept_unpack(&cl->mem, cs->wire, fields, "Host", &kr) != 0)
    rv = hyper__client_err(cl, HYPER_ERR_NOMEM, 0, cs->id, "out of memory");
  uint32_t nid = 0;
  if (!rv && (rv = hyper_client_connect(fb)) == 0)
    rv = hyper__h1c_request(fb, kr.method, kr.path, fields, kr.body,
                            kr.body_len, kr.has_body, NULL, NULL, &nid);
  if (rv && rv != HYPER_ERR_NOMEM)
    hyper__client_err(cl, rv, HYPER_H2_HTTP_1_1_REQUIRED, cs->id,
                      "stream %u: the server requires HTTP/1.1, and the "
                      "retry failed: %s",
                      (unsigned)cs->id, fb->err.desc);
  hyper_hdrs_free(fields);
  hyper__kept_req_free(&cl->mem, &kr);
  if (rv)
    return rv;
  hyper__cstream *ncs = hyper__client_find(fb, nid);
  if (!ncs)
    return hyper__client_err(cl, HYPER_ERR_INTERNAL, 0, cs->id,
                             "the retried request vanished");
  ncs->id = cs->id; /* the caller's handle (hyper issue #294) */
  ncs->retried = 1;
  *out = ncs;
  return 0;
}
