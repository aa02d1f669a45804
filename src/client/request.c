/* Requests: header blocks (pseudo-header fields, the caller's fields minus
 * connection-specific ones, content-length, accept-encoding), the stream
 * limit, request bodies sent within flow control (from a buffer or a read
 * callback), the putrequest/putheader/endheaders/send sequence, and
 * get_response. */
#include <stdio.h>
#include <string.h>

#include "client_int.h"

/* ------------------------------------------------------------------------ */
/* Header blocks                                                            */
/* ------------------------------------------------------------------------ */

static int name_is(const void *n, size_t len, const char *lit) {
  return hyper_hdrs_name_eq(n, len, lit, strlen(lit));
}

/* te: only "trailers" may be sent in HTTP/2 (RFC 9113 §8.2.2). */
static int te_is_trailers(const uint8_t *v, size_t len) {
  while (len && (v[0] == ' ' || v[0] == '\t'))
    v++, len--;
  while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
    len--;
  return hyper_hdrs_name_eq(v, len, "trailers", 8);
}

/* Adds one caller field to the request map |h|: connection-specific fields
 * are dropped, host becomes :authority, the request pseudo-header fields
 * replace ours. */
static int add_field(hyper_hdrs *h, const uint8_t *name, size_t nlen,
                     const uint8_t *value, size_t vlen, uint32_t flags) {
  if (nlen == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (name_is(name, nlen, "connection") || name_is(name, nlen, "keep-alive") ||
      name_is(name, nlen, "proxy-connection") ||
      name_is(name, nlen, "transfer-encoding") ||
      name_is(name, nlen, "upgrade"))
    return 0;
  if (name_is(name, nlen, "te") && !te_is_trailers(value, vlen))
    return 0;
  if (name_is(name, nlen, "host"))
    return hyper_hdrs_set(h, HYPER_HDRS_LIT(":authority"), value, vlen, flags);
  if (name[0] == ':') {
    if (name_is(name, nlen, ":method") || name_is(name, nlen, ":scheme") ||
        name_is(name, nlen, ":authority") || name_is(name, nlen, ":path"))
      return hyper_hdrs_set(h, name, nlen, value, vlen, flags);
    return HYPER_ERR_INVALID_ARGUMENT;
  }
  return hyper_hdrs_add(h, name, nlen, value, vlen, flags);
}

/* A new request map with the four pseudo-header fields. */
static int new_request(hyper_client *cl, const char *method, const char *path,
                       hyper_hdrs **out) {
  hyper_hdrs *h;
  int rv = hyper__client_req_map(cl, &h); /* lowercasing names */
  if (rv)
    return rv;
  const char *scheme = cl->opts.secure ? "https" : "http";
  if ((rv = hyper_hdrs_add(h, HYPER_HDRS_LIT(":method"), method,
                           strlen(method), 0)) != 0 ||
      (rv = hyper_hdrs_add(h, HYPER_HDRS_LIT(":scheme"), scheme,
                           strlen(scheme), 0)) != 0 ||
      (rv = hyper_hdrs_add(h, HYPER_HDRS_LIT(":authority"), cl->authority,
                           strlen(cl->authority), 0)) != 0 ||
      (rv = hyper_hdrs_add(h, HYPER_HDRS_LIT(":path"), path, strlen(path),
                           0)) != 0) {
    hyper_hdrs_free(h);
    return rv;
  }
  *out = h;
  return 0;
}

static int add_user_fields(hyper_hdrs *h, const hyper_hdrs *user) {
  size_t n = 0;
  const hyper_field *f = hyper_hdrs_fields(user, &n);
  for (size_t i = 0; i < n; i++) {
    int rv = add_field(h, f[i].name, f[i].name_len, f[i].value,
                       f[i].value_len,
                       f[i].flags & (HYPER_FIELD_SENSITIVE |
                                     HYPER_FIELD_NO_INDEX));
    if (rv)
      return rv;
  }
  return 0;
}

/* The fields every request gets unless the caller set them. */
static int add_defaults(hyper_client *cl, hyper_hdrs *h, int has_body,
                        size_t len) {
  int rv = 0;
  if (has_body && !hyper_hdrs_contains(h, HYPER_HDRS_LIT("content-length"))) {
    char num[24];
    int k = snprintf(num, sizeof num, "%zu", len);
    rv = hyper_hdrs_add(h, HYPER_HDRS_LIT("content-length"), num, (size_t)k,
                        0);
  }
  const char *ae = cl->opts.accept_encoding;
  if (!rv && ae && ae[0] &&
      !hyper_hdrs_contains(h, HYPER_HDRS_LIT("accept-encoding")))
    rv = hyper_hdrs_add(h, HYPER_HDRS_LIT("accept-encoding"), ae, strlen(ae),
                        0);
  return rv;
}

static int check_token(const char *s) {
  if (!s || !s[0])
    return HYPER_ERR_INVALID_ARGUMENT;
  for (const char *p = s; *p; p++)
    if (*p == '\r' || *p == '\n')
      return HYPER_ERR_INVALID_ARGUMENT;
  return 0;
}

/* check_token() that also gives the length (0: invalid). */
static size_t token_len(const char *s) {
  if (!s)
    return 0;
  const char *p = s;
  for (; *p; p++)
    if (*p == '\r' || *p == '\n')
      return 0;
  return (size_t)(p - s);
}

/* ------------------------------------------------------------------------ */
/* The stream limit                                                         */
/* ------------------------------------------------------------------------ */

static uint32_t stream_limit(const hyper_client *cl) {
  uint32_t lim = hyper_h2_conn_remote_settings(cl->h2)->max_concurrent_streams;
  if (cl->opts.max_concurrent_streams &&
      cl->opts.max_concurrent_streams < lim)
    lim = cl->opts.max_concurrent_streams;
  return lim;
}

/* Can an open stream close without the caller sending more request data? */
static int some_stream_can_close(const hyper_client *cl) {
  for (const hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if ((cs->flags & CS_SENT) && !(cs->flags & CS_PUSH) &&
        !(cs->flags & CS_RESET) && (cs->flags & CS_LOCAL_END) &&
        !(cs->flags & CS_REMOTE_END))
      return 1;
  return 0;
}

static int cond_slot(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)cs;
  (void)arg;
  if (cl->goaway)
    return hyper__client_err(cl, HYPER_ERR_H2_GOAWAY, cl->goaway_code, 0,
                             "the server sent GOAWAY: open a new connection");
  uint32_t open = hyper_h2_conn_open_streams(cl->h2, 1);
  uint32_t lim = stream_limit(cl);
  if (open < lim)
    return 1;
  if (cl->opts.limit_mode == HYPER_CLIENT_LIMIT_FAIL)
    return hyper__client_err(cl, HYPER_ERR_LIMIT_EXCEEDED, 0, 0,
                             "%u streams open: the limit (%u) is reached",
                             (unsigned)open, (unsigned)lim);
  if (!some_stream_can_close(cl))
    return hyper__client_err(cl, HYPER_ERR_LIMIT_EXCEEDED, 0, 0,
                             "%u streams open (the limit) and each waits for "
                             "request data from the caller",
                             (unsigned)open);
  /* Waiting: streams close only when their responses end, so unread data
   * must not hold their windows shut. */
  int rv = hyper__client_spill(cl, NULL, 1);
  return rv ? rv : 0;
}

/* Submits the header block of |cs| (the |n| fields |f|), waiting for a
 * stream slot. On success |cs| is CS_SENT with its real id. */
static int submit(hyper_client *cl, hyper__cstream *cs, const hyper_field *f,
                  size_t n, int end_stream) {
  for (;;) {
    int rv = hyper__client_wait(cl, NULL, cond_slot, NULL, cs->deadline);
    if (rv)
      return rv;
    uint32_t id = 0;
    rv = hyper_h2_submit_request(cl->h2, f, n, end_stream, &id);
    if (rv == HYPER_ERR_LIMIT_EXCEEDED &&
        cl->opts.limit_mode == HYPER_CLIENT_LIMIT_WAIT) {
      /* the core counts differently than we thought: read and retry */
      if ((rv = hyper__client_pump(cl, cs->deadline, 0)) != 0)
        return rv;
      continue;
    }
    if (rv) {
      if (rv == HYPER_ERR_H2_GOAWAY)
        return hyper__client_err(cl, rv, cl->goaway_code, 0,
                                 "the server sent GOAWAY: open a new "
                                 "connection");
      return hyper__client_err_h2(cl, rv);
    }
    cs->id = id;
    cs->flags |= CS_SENT | (end_stream ? CS_LOCAL_END : 0);
    cl->recent = id;
    return 0;
  }
}

/* ------------------------------------------------------------------------ */
/* Request bodies                                                           */
/* ------------------------------------------------------------------------ */

typedef struct body_src {
  const uint8_t *p; /* buffer source */
  size_t len, off;
  hyper_client_body_fn fn; /* or callback source */
  void *user;
} body_src;

/* Pending output worth writing before queueing more. */
#define FLUSH_AT (256u * 1024u)

static int cond_window(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)arg;
  if (cs->flags & CS_RESET || cs->err)
    return 1; /* the caller looks at why */
  int64_t w = hyper_h2_conn_local_flow_control_window(cl->h2, cs->id);
  if (w != 0)
    return 1;
  /* Stalled: a server may hold back WINDOW_UPDATE until we take its
   * response (to this or another stream), so unread data is acknowledged
   * while we wait (within max_buffered). */
  int rv = hyper__client_spill(cl, NULL, 1);
  return rv ? rv : 0;
}

/* Sender-side silly-window avoidance (RFC 9113 §5.2.2 leaves it to the
 * sender how it uses a window; cf. TCP's, RFC 1122 §4.2.3.4): a window
 * below SMALL_DATA octets that does not cover the rest of the body is
 * given up to SMALL_WAIT_MS to grow before it is used, so that a peer
 * granting 1 octet per WINDOW_UPDATE gets DATA frames of about SMALL_DATA
 * octets, not one frame per update (HOSTILE-PEERS D7, the client-side
 * mirror of CVE-2019-9511). A wait in which the window does not grow at
 * all means the peer grants more only once it has this data (a tiny
 * receive buffer, or a lock-step dribbler): that frame goes out as the
 * window allows, and after each further fruitless wait twice as many
 * frames as the time before (a growing wait resets this), so such a peer
 * costs about log2(frames) waits, not one per frame, and a peer that
 * stalled once is back to coalesced frames after one small frame. */
#define SMALL_DATA 1024u
#define SMALL_WAIT_MS 20

static int cond_window_at(hyper_client *cl, hyper__cstream *cs, void *arg) {
  if (cs->flags & CS_RESET || cs->err)
    return 1;
  int64_t w = hyper_h2_conn_local_flow_control_window(cl->h2, cs->id);
  return w < 0 || w >= *(const int64_t *)arg;
}

/* Waits at most SMALL_WAIT_MS (and not past the request deadline) for the
 * window of |cs| to reach |want|. 0 also when it did not. */
static int wait_small_window(hyper_client *cl, hyper__cstream *cs,
                             int64_t want) {
  int64_t until = hyper__io_deadline_after(SMALL_WAIT_MS);
  hyper_client_error saved = cl->err;
  int rv = hyper__client_wait(cl, cs, cond_window_at, &want,
                              HYPER_MIN(until, cs->deadline));
  if (rv == HYPER_ERR_TIMEOUT && !cl->conn_err &&
      hyper__io_now_ms() < cs->deadline) {
    cl->err = saved; /* our short wait ended, not the request's */
    rv = 0;
  }
  return rv;
}

/* Stops sending because the stream is over. 0 when the server reset it
 * after a complete response (the upload is simply not needed). */
static int stream_over(hyper_client *cl, hyper__cstream *cs) {
  if ((cs->flags & CS_REMOTE_END) && (cs->flags & CS_HEAD) &&
      (!cs->err || cs->err == HYPER_ERR_H2_STREAM_CLOSED)) {
    cs->flags |= CS_LOCAL_END;
    return 0;
  }
  int e = cs->err ? cs->err : HYPER_ERR_H2_STREAM_CLOSED;
  if (cl->err.code == e && cl->err.stream_id == cs->id)
    return e;
  return hyper__client_err(cl, e, cs->h2_code, cs->id,
                           "stream %u closed while sending the request body "
                           "(%s)",
                           (unsigned)cs->id, hyper_h2_code_name(cs->h2_code));
}

/* Sends the body from |src| on |cs|; with |final| the last frame ends the
 * stream (an empty DATA frame when there is nothing left). */
static int send_body(hyper_client *cl, hyper__cstream *cs, body_src *src,
                     int final) {
  uint8_t *tmp = NULL;
  size_t tmpcap = 0;
  int rv = 0;
  size_t skip = 0, backoff = 1; /* small windows sent without waiting */
  /* write batch: a quarter of the peer's stream window, 16..64 KiB */
  const hyper_h2_settings *peer = hyper_h2_conn_remote_settings(cl->h2);
  size_t batch = peer ? peer->initial_window_size / 4 : 16384u;
  batch = HYPER_MIN(HYPER_MAX(batch, (size_t)16384u), (size_t)65536u);
  for (;;) {
    if (cs->flags & CS_RESET || cs->err) {
      rv = stream_over(cl, cs);
      break;
    }
    if (cl->conn_err) {
      rv = cl->conn_err;
      break;
    }
    if (!src->fn && src->off == src->len) { /* the buffer is sent */
      if (final && !(cs->flags & CS_LOCAL_END)) {
        if ((rv = hyper_h2_end_stream(cl->h2, cs->id)) != 0) {
          rv = hyper__client_err_h2(cl, rv);
          break;
        }
        cs->flags |= CS_LOCAL_END;
      }
      break;
    }
    int64_t win = hyper_h2_conn_local_flow_control_window(cl->h2, cs->id);
    if (win < 0) {
      rv = stream_over(cl, cs);
      break;
    }
    size_t room = HYPER_MIN((size_t)win,
                            (size_t)hyper_h2_conn_max_outbound_frame_size(
                                cl->h2));
    if (room == 0) {
      /* Wait for WINDOW_UPDATE (reading other streams meanwhile). */
      rv = hyper__client_wait(cl, cs, cond_window, NULL, cs->deadline);
      if (rv)
        break;
      continue;
    }
    size_t rest = src->fn ? SIZE_MAX : src->len - src->off;
    if (room < SMALL_DATA && room < rest) {
      if (skip) {
        skip--;
      } else {
        rv = wait_small_window(cl, cs, (int64_t)HYPER_MIN(rest, SMALL_DATA));
        if (rv)
          break;
        if (hyper_h2_conn_local_flow_control_window(cl->h2, cs->id) > win) {
          backoff = 1;
        } else { /* no growth: the next |backoff| small frames go now */
          skip = backoff;
          backoff = HYPER_MIN(backoff * 2, (size_t)1 << 16);
        }
        continue;
      }
    }
    size_t n;
    int end = 0;
    const uint8_t *data;
    if (!src->fn) {
      n = HYPER_MIN(room, src->len - src->off);
      data = src->p + src->off;
      end = final && src->off + n == src->len;
    } else {
      if (!tmp) {
        tmpcap = hyper_h2_conn_max_outbound_frame_size(cl->h2);
        tmpcap = HYPER_MIN(tmpcap, (size_t)1 << 20);
        if (!(tmp = hyper__mem_malloc(&cl->mem, tmpcap))) {
          rv = hyper__client_err(cl, HYPER_ERR_NOMEM, 0, cs->id,
                                 "out of memory");
          break;
        }
      }
      size_t cap = HYPER_MIN(room, tmpcap);
      int eof = 0;
      n = 0;
      rv = src->fn(src->user, tmp, cap, &n, &eof);
      if (rv >= 0 && n > cap)
        rv = HYPER_ERR_INVALID_ARGUMENT;
      if (rv < 0) {
        hyper__client_err(cl, rv, HYPER_H2_CANCEL, cs->id,
                          "the request body source failed (%s): stream %u "
                          "reset",
                          hyper_err_name(rv), (unsigned)cs->id);
        hyper__cs_cancel(cs, HYPER_H2_CANCEL);
        cs->err = rv;
        (void)hyper__client_flush(cl, cs->deadline);
        break;
      }
      rv = 0;
      data = tmp;
      end = eof != 0;
      if (n == 0 && !end)
        continue;
    }
    rv = hyper_h2_send_data(cl->h2, cs->id, data, n, end);
    if (rv) {
      rv = hyper__client_err_h2(cl, rv);
      break;
    }
    if (!src->fn)
      src->off += n;
    if (end) {
      cs->flags |= CS_LOCAL_END;
      break;
    }
    const uint8_t *pend;
    size_t queued = hyper_h2_conn_pending(cl->h2, &pend);
    if (queued >= FLUSH_AT &&
        (rv = hyper__client_flush(cl, cs->deadline)) != 0)
      break;
    /* Take in what the server sent meanwhile (WINDOW_UPDATE, early
     * responses), without waiting: after every frame from a callback;
     * from memory once a batch is queued (mode 2 writes at 64 KiB), or
     * |batch| when the peer's window is small: then it sees data, and
     * returns WINDOW_UPDATE, while the rest of its window is still being
     * sent instead of after all of it (one round trip per window). */
    int mode = src->fn || queued >= batch ? 1 : 2;
    if ((rv = hyper__client_pump(cl, cs->deadline, mode)) != 0)
      break;
  }
  hyper__mem_free(&cl->mem, tmp);
  if (!rv && cl->h2)
    rv = hyper__client_flush(cl, cs->deadline);
  return rv;
}

/* ------------------------------------------------------------------------ */
/* request()                                                                */
/* ------------------------------------------------------------------------ */

/* The largest in-memory body kept for a retry over HTTP/1.1. */
#define RETRY_MAX_BODY (64u * 1024u)

static void put32(uint8_t *p, size_t v) {
  uint32_t x = (uint32_t)v;
  memcpy(p, &x, 4);
}

static size_t get32(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4);
  return x;
}

void hyper__kept_field(const uint8_t *k, size_t *off, hyper_field *f) {
  size_t o = *off;
  f->name_len = get32(k + o);
  f->value_len = get32(k + o + 4);
  f->name = k + o + 8;
  f->value = f->name + f->name_len;
  f->flags = 0;
  *off = o + 8 + f->name_len + f->value_len;
}

int hyper__kept_unpack(const hyper_mem *mem, const uint8_t *k, hyper_hdrs *h,
                       const char *host_name, hyper__kept_req *out) {
  memset(out, 0, sizeof *out);
  size_t nf = get32(k), body_off = get32(k + 4);
  out->body_len = get32(k + 8);
  out->body = out->body_len ? k + body_off : NULL;
  hyper_field method = {0}, path = {0};
  size_t off = HYPER__KEPT_HDR;
  int rv = 0;
  for (size_t i = 0; i < nf && !rv; i++) {
    hyper_field f;
    hyper__kept_field(k, &off, &f);
    if (name_is(f.name, f.name_len, ":method"))
      method = f;
    else if (name_is(f.name, f.name_len, ":path"))
      path = f;
    else if (name_is(f.name, f.name_len, ":authority")) /* RFC 9113 §8.3.1:
                                                    may be the caller's Host */
      rv = hyper_hdrs_add(h, host_name, strlen(host_name), f.value,
                          f.value_len, 0);
    else if (f.name_len && f.name[0] != ':') {
      out->has_body |= name_is(f.name, f.name_len, "content-length");
      rv = hyper_hdrs_add(h, f.name, f.name_len, f.value, f.value_len, 0);
    }
  }
  if (rv)
    return rv;
  /* NUL-terminated method and path (the HTTP/1.1 writer wants them so) */
  char *mp = hyper__mem_malloc(mem, method.value_len + path.value_len + 2);
  if (!mp)
    return HYPER_ERR_NOMEM;
  memcpy(mp, method.value, method.value_len);
  mp[method.value_len] = '\0';
  out->method = mp;
  out->method_len = method.value_len;
  out->path = mp + method.value_len + 1;
  memcpy(out->path, path.value, path.value_len);
  out->path[path.value_len] = '\0';
  out->path_len = path.value_len;
  return 0;
}

void hyper__kept_req_free(const hyper_mem *mem, hyper__kept_req *r) {
  hyper__mem_free(mem, r->method);
  r->method = r->path = NULL;
}

/* Keeps the request (its |n| fields |f|, copied) and a copy of its
 * in-memory body until its response head arrives, so that a reset with
 * HTTP_1_1_REQUIRED (RFC 9113 §8.1.1) can be answered by sending it again
 * over HTTP/1.1, and a refusal, a GOAWAY or a 421 by an automatic retry
 * (see "Automatic retries" below): one exact-size block in |cs->wire| (CS_KEPT; the format is
 * in client_int.h). Bodies from a callback or larger than RETRY_MAX_BODY
 * are not kept (such a request then fails with the reset); so is anything
 * when memory is short. */
static void keep_for_retry(hyper_client *c, hyper__cstream *cs,
                           const hyper_field *f, size_t n,
                           const body_src *src) {
  if (src->fn || src->len > RETRY_MAX_BODY)
    return;
  size_t total = HYPER__KEPT_HDR, nf = 0;
  for (size_t i = 0; i < n; i++) {
    if (f[i].name_len == 7 && memcmp(f[i].name, ":scheme", 7) == 0)
      continue;
    total += 8 + f[i].name_len + f[i].value_len;
    nf++;
  }
  /* field sizes are bounded by the core's header list limits; the body by
   * RETRY_MAX_BODY: the 32-bit lengths cannot overflow */
  size_t body_off = total;
  total += src->len;
  uint8_t *k = NULL;
  size_t cap = total;
  if (c->nspare_kept > 0) {
    k = c->spare_kept[--c->nspare_kept];
    cap = get32(k + 12);
    if (cap < total) {
      hyper__mem_free(&c->mem, k);
      k = NULL;
      cap = total;
    }
  }
  if (!k && !(k = hyper__mem_malloc(&c->mem, total)))
    return;
  put32(k, nf);
  put32(k + 4, body_off);
  put32(k + 8, src->len);
  put32(k + 12, cap);
  uint8_t *p = k + HYPER__KEPT_HDR;
  for (size_t i = 0; i < n; i++) {
    if (f[i].name_len == 7 && memcmp(f[i].name, ":scheme", 7) == 0)
      continue;
    put32(p, f[i].name_len);
    put32(p + 4, f[i].value_len);
    p += 8;
    if (f[i].name_len)
      memcpy(p, f[i].name, f[i].name_len);
    p += f[i].name_len;
    if (f[i].value_len)
      memcpy(p, f[i].value, f[i].value_len);
    p += f[i].value_len;
  }
  if (src->len)
    memcpy(p, src->p, src->len);
  cs->wire = k;
  cs->wire_len = total;
  cs->flags |= CS_KEPT;
}

/* Drops what keep_for_retry() kept (a small block becomes a spare). */
static void drop_kept(hyper_client *c, hyper__cstream *cs) {
  cs->flags &= ~CS_KEPT;
  if (c->nspare_kept < HYPER_ARRAY_LEN(c->spare_kept) &&
      get32(cs->wire + 12) <= HYPER__KEPT_SPARE_MAX)
    c->spare_kept[c->nspare_kept++] = cs->wire;
  else
    hyper__mem_free(&c->mem, cs->wire);
  cs->wire = NULL;
  cs->wire_len = 0;
}

/* The fields of a request without caller fields, built in |f| (room for
 * 6) without a map; number strings in |num|. Returns the count. */
static size_t plain_fields(hyper_client *cl, const char *method,
                           size_t mlen, const char *path, size_t plen,
                           int has_body, size_t len, char num[24],
                           hyper_field *f) {
  size_t n = 0;
#define PF(nm, v, vl)                                                          \
  f[n].name = (const uint8_t *)(nm);                                           \
  f[n].name_len = sizeof(nm) - 1;                                              \
  f[n].value = (const uint8_t *)(v);                                           \
  f[n].value_len = (vl);                                                       \
  f[n].flags = 0;                                                              \
  n++
  PF(":method", method, mlen);
  if (cl->opts.secure) {
    PF(":scheme", "https", 5);
  } else {
    PF(":scheme", "http", 4);
  }
  PF(":authority", cl->authority, cl->authority_len);
  PF(":path", path, plen);
  if (has_body) {
    int k = snprintf(num, 24, "%zu", len);
    PF("content-length", num, (size_t)k);
  }
  const char *ae = cl->opts.accept_encoding;
  if (ae && ae[0]) {
    PF("accept-encoding", ae, strlen(ae));
  }
#undef PF
  return n;
}

static int retry_err_kind(const hyper__cstream *cs);
static void carry_over(hyper__cstream *to, const hyper__cstream *from);

/* |mlen|, |plen|: the lengths of |method| and |path| (checked tokens).
 * |from|: NULL, or the stream whose automatic retry this request is (it
 * passes on the caller's id, the deadline and the retry count). */
static int do_request(hyper_client *c, const char *method, size_t mlen,
                      const char *path, size_t plen, const hyper_hdrs *headers,
                      body_src *src, int has_body, uint32_t *stream_id,
                      const hyper__cstream *from) {
  if (stream_id)
    *stream_id = 0;
  int rv = hyper_client_connect(c);
  if (rv)
    return rv;
  if (!c->h2) {
    rv = hyper__h1c_request(c, method, path, headers, src->p, src->len,
                            has_body, src->fn, src->user, stream_id);
    if (rv == 0 && from && stream_id) {
      hyper__cstream *h1 = hyper__client_find(c, *stream_id);
      if (h1)
        carry_over(h1, from);
    }
    if (rv != HYPER__H1C_NOW_H2) /* else: upgraded meanwhile, HTTP/2 */
      return rv;
  }
  if (c->npending)
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, c->last_put,
                             "a request started with putrequest (stream %u) "
                             "has not sent its headers",
                             (unsigned)c->last_put);
  hyper__cstream *cs;
  if ((rv = hyper__cs_new(c, &cs)) != 0)
    return hyper__client_err(c, rv, 0, 0, "out of memory");
  cs->deadline = hyper__client_request_deadline(c);
  if (from)
    carry_over(cs, from);
  hyper_hdrs *h = NULL;
  hyper_field pf[6];
  char num[24];
  const hyper_field *f = pf;
  size_t n = 0;
  if (!headers || hyper_hdrs_count(headers) == 0) {
    /* the common case: no map needed */
    n = plain_fields(c, method, mlen, path, plen, has_body && !src->fn,
                     src->len, num, pf);
  } else {
    rv = new_request(c, method, path, &h);
    if (!rv)
      rv = add_user_fields(h, headers);
    if (!rv)
      rv = add_defaults(c, h, has_body && !src->fn, src->len);
    if (rv) {
      hyper__client_req_map_put(c, h);
      hyper__cs_free(cs);
      return hyper__client_err(c, rv, 0, 0, "cannot build the request: %s",
                               hyper_strerror(rv));
    }
    f = hyper_hdrs_fields(h, &n);
  }
  int end_stream = !has_body || (!src->fn && src->len == 0);
  rv = submit(c, cs, f, n, end_stream);
  if (rv) {
    hyper__client_req_map_put(c, h);
    hyper__cs_free(cs);
    return rv;
  }
  keep_for_retry(c, cs, f, n, src);
  hyper__client_req_map_put(c, h);
  hyper__cs_link(c, cs);
  if (stream_id)
    *stream_id = cs->id;
  if (!end_stream)
    rv = send_body(c, cs, src, 1);
  else
    rv = hyper__client_flush_request(c, cs, cs->deadline);
  if (rv && (cs->flags & CS_KEPT) &&
      (((cs->flags & CS_RESET) && cs->h2_code == HYPER_H2_HTTP_1_1_REQUIRED) ||
       (c->goaway && c->goaway_code == HYPER_H2_HTTP_1_1_REQUIRED) ||
       retry_err_kind(cs)))
    rv = 0; /* refused while its body went out: get_response() retries */
  return rv;
}

int hyper_client_request(hyper_client *c, const char *method, const char *path,
                         const void *body, size_t len,
                         const hyper_hdrs *headers, uint32_t *stream_id) {
  if (stream_id)
    *stream_id = 0;
  size_t mlen = token_len(method), plen = token_len(path);
  if (!c || !mlen || !plen || (!body && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  body_src src = {body, len, 0, NULL, NULL};
  return do_request(c, method, mlen, path, plen, headers, &src, body != NULL,
                    stream_id, NULL);
}

int hyper_client_request_stream(hyper_client *c, const char *method,
                                const char *path, const hyper_hdrs *headers,
                                hyper_client_body_fn read, void *user,
                                uint32_t *stream_id) {
  if (stream_id)
    *stream_id = 0;
  size_t mlen = token_len(method), plen = token_len(path);
  if (!c || !mlen || !plen || !read)
    return HYPER_ERR_INVALID_ARGUMENT;
  body_src src = {NULL, 0, 0, read, user};
  return do_request(c, method, mlen, path, plen, headers, &src, 1, stream_id,
                    NULL);
}

/* ------------------------------------------------------------------------ */
/* putrequest / putheader / endheaders / send                               */
/* ------------------------------------------------------------------------ */

/* The stream started with putrequest whose headers are not sent, by id (0:
 * the latest). */
static hyper__cstream *find_pending(hyper_client *cl, uint32_t id) {
  if (id == 0)
    id = cl->last_put;
  for (hyper__cstream *cs = cl->tail; cs; cs = cs->prev)
    if (cs->id == id && !(cs->flags & (CS_SENT | CS_PUSH)) && cs->req)
      return cs;
  return NULL;
}

int hyper_client_putrequest(hyper_client *c, const char *method,
                            const char *path, uint32_t *stream_id) {
  if (stream_id)
    *stream_id = 0;
  if (!c || check_token(method) || check_token(path))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = hyper_client_connect(c);
  if (rv)
    return rv;
  if (!c->h2)
    return hyper__client_err(c, HYPER_ERR_UNSUPPORTED, 0, 0,
                             "putrequest needs HTTP/2; the connection "
                             "speaks HTTP/1.1: use hyper_client_request() "
                             "or hyper_client_request_stream()");
  if (c->goaway)
    return hyper__client_err(c, HYPER_ERR_H2_GOAWAY, c->goaway_code, 0,
                             "the server sent GOAWAY: open a new connection");
  uint32_t next;
  if ((rv = hyper_h2_get_next_available_stream_id(c->h2, &next)) != 0)
    return hyper__client_err_h2(c, rv);
  uint64_t id = (uint64_t)next + 2u * c->npending;
  if (id > 0x7fffffffu)
    return hyper__client_err(c, HYPER_ERR_H2_STREAM_IDS_EXHAUSTED, 0, 0,
                             "no stream id left on this connection");
  hyper__cstream *cs;
  if ((rv = hyper__cs_new(c, &cs)) != 0)
    return hyper__client_err(c, rv, 0, 0, "out of memory");
  if ((rv = new_request(c, method, path, &cs->req)) != 0) {
    hyper__cs_free(cs);
    return hyper__client_err(c, rv, 0, 0, "cannot build the request: %s",
                             hyper_strerror(rv));
  }
  cs->id = (uint32_t)id;
  hyper__cs_link(c, cs);
  c->npending++;
  c->last_put = cs->id;
  if (stream_id)
    *stream_id = cs->id;
  return 0;
}

int hyper_client_putheader(hyper_client *c, uint32_t stream_id,
                           const char *name, const char *value) {
  if (!c || check_token(name) || !value)
    return HYPER_ERR_INVALID_ARGUMENT;
  for (const char *p = value; *p; p++)
    if (*p == '\r' || *p == '\n')
      return HYPER_ERR_INVALID_ARGUMENT;
  hyper__cstream *cs = find_pending(c, stream_id);
  if (!cs)
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "no request %u waiting for headers",
                             (unsigned)stream_id);
  int rv = add_field(cs->req, (const uint8_t *)name, strlen(name),
                     (const uint8_t *)value, strlen(value), 0);
  if (rv)
    return hyper__client_err(c, rv, 0, cs->id, "cannot add field '%s': %s",
                             name, hyper_strerror(rv));
  return 0;
}

int hyper_client_endheaders(hyper_client *c, uint32_t stream_id,
                            const void *body, size_t len, int final) {
  if (!c || (!body && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!c->h2 && hyper__h1c_active(c))
    return hyper__client_err(c, HYPER_ERR_UNSUPPORTED, 0, stream_id,
                             "not available over HTTP/1.1");
  hyper__cstream *cs = find_pending(c, stream_id);
  if (!cs)
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "no request %u waiting for headers",
                             (unsigned)stream_id);
  if (c->conn_err)
    return c->conn_err;
  uint32_t next = 0;
  if (hyper_h2_get_next_available_stream_id(c->h2, &next) != 0 ||
      next != cs->id)
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, cs->id,
                             "request %u: headers must be ended in the "
                             "order the requests were started (next: %u)",
                             (unsigned)cs->id, (unsigned)next);
  int rv = add_defaults(c, cs->req, 0, 0);
  if (rv)
    return hyper__client_err(c, rv, 0, cs->id, "%s", hyper_strerror(rv));
  cs->deadline = hyper__client_request_deadline(c);
  int end_stream = final && (!body || len == 0);
  size_t nf = 0;
  const hyper_field *fl = hyper_hdrs_fields(cs->req, &nf);
  rv = submit(c, cs, fl, nf, end_stream);
  if (rv == HYPER_ERR_TIMEOUT)
    return rv; /* no stream slot in time: still started, may be retried */
  c->npending--;
  if (rv) { /* nothing was sent: the started request is dropped */
    hyper__cs_unlink(cs);
    hyper__cs_free(cs);
    return rv;
  }
  hyper__client_req_map_put(c, cs->req);
  cs->req = NULL;
  if (end_stream)
    return hyper__client_flush(c, cs->deadline);
  body_src src = {body, body ? len : 0, 0, NULL, NULL};
  if (!body && !final)
    return hyper__client_flush(c, cs->deadline);
  return send_body(c, cs, &src, final);
}

int hyper_client_send(hyper_client *c, uint32_t stream_id, const void *data,
                      size_t len, int final) {
  if (!c || (!data && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!c->h2 && hyper__h1c_active(c))
    return hyper__client_err(c, HYPER_ERR_UNSUPPORTED, 0, stream_id,
                             "not available over HTTP/1.1");
  if (stream_id == 0)
    stream_id = c->last_put;
  hyper__cstream *cs = hyper__client_find(c, stream_id);
  if (!cs || (cs->flags & CS_PUSH))
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "no request %u with its headers sent",
                             (unsigned)stream_id);
  if (cs->flags & CS_LOCAL_END) {
    if (cs->flags & CS_RESET)
      return stream_over(c, cs);
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "request %u has ended", (unsigned)stream_id);
  }
  if (c->conn_err)
    return c->conn_err;
  body_src src = {data, len, 0, NULL, NULL};
  return send_body(c, cs, &src, final);
}

/* ------------------------------------------------------------------------ */
/* Automatic retries (option max_retries)                                   */
/* ------------------------------------------------------------------------ */

enum { RETRY_NONE, RETRY_SAME, RETRY_NEW };

/* Can |k| take a new stream now (for a retry on the same connection)? A
 * putrequest whose headers are not sent holds the next stream id. */
static int takes_streams(const hyper_client *k) {
  return k->h2 && k->io && !k->conn_err && !k->goaway && !k->npending;
}

/* The retry an unanswered kept request |cs| qualifies for, from why it
 * failed (|cs->err|). Only requests the server did not process: a refused
 * stream (RFC 9113 §8.7) or one above a GOAWAY's last-stream-id (§6.8). */
static int retry_err_kind(const hyper__cstream *cs) {
  const hyper_client *k = cs->cl;
  if (!k || !(cs->flags & CS_KEPT) || (cs->flags & (CS_HEAD | CS_PUSH)) ||
      cs->nretry >= k->opts.max_retries)
    return RETRY_NONE;
  if (cs->err == HYPER_ERR_H2_REFUSED_STREAM && (cs->flags & CS_RESET) &&
      cs->h2_code == HYPER_H2_REFUSED_STREAM)
    return takes_streams(k) ? RETRY_SAME : RETRY_NEW;
  if (cs->err == HYPER_ERR_H2_GOAWAY && k->goaway &&
      k->goaway_code != HYPER_H2_HTTP_1_1_REQUIRED &&
      cs->id > k->goaway_last && !(cs->flags & CS_MOVED))
    return RETRY_NEW;
  return RETRY_NONE;
}

/* A kept request answered 421 Misdirected Request may be retried over a
 * different connection, whatever its method (RFC 9110 §15.5.20); once. */
static int retry_421(const hyper__cstream *cs) {
  const hyper_client *k = cs->cl;
  return k && (cs->flags & CS_KEPT) && (cs->flags & CS_HEAD) &&
         cs->status == 421 && !(cs->flags & CS_MOVED) &&
         cs->nretry < k->opts.max_retries;
}

/* The retry stream |to| answers for |from|'s caller. */
static void carry_over(hyper__cstream *to, const hyper__cstream *from) {
  to->uid = from->uid ? from->uid : from->id;
  to->nretry = from->nretry;
  to->deadline = from->deadline;
  to->flags |= from->flags & CS_MOVED;
}

/* The client for a retry of a request of |k| on a new connection: the
 * first successor whose connection still takes requests (or is not open);
 * one that does not but holds no stream is closed and reused; else a new
 * one, same origin and options, at the end of the chain. */
static int successor(hyper_client *k, hyper_client **out) {
  hyper_client **pp = &k->retry_next;
  while (*pp) {
    hyper_client *s = *pp;
    if (!s->h2 || !(s->conn_err || s->goaway))
      break;
    if (!s->head && !s->retry_next) {
      (void)hyper_client_close(s, HYPER_H2_NO_ERROR);
      break;
    }
    pp = &s->retry_next;
  }
  if (!*pp) {
    hyper_client_opts o = k->opts; /* strings copied by hyper_client_new */
    o.port = k->port;
    int rv = hyper_client_new(pp, k->host, &o, &k->mem);
    if (rv) {
      *pp = NULL;
      return hyper__client_err(k, rv, 0, 0,
                               "cannot create the connection for a retry: "
                               "%s",
                               hyper_strerror(rv));
    }
  }
  *out = *pp;
  return 0;
}

/* Sends the request kept in |cs| again on |t| (its own client, or a
 * successor) and stores the new stream in |*out|; it answers to the
 * caller's id of |cs|. Errors are recorded on |t|. */
static int resend(hyper_client *t, hyper__cstream *cs, hyper__cstream **out) {
  hyper_hdrs *h = NULL;
  hyper__kept_req kr = {0};
  int rv = hyper__client_req_map(t, &h);
  if (!rv)
    rv = hyper__kept_unpack(&t->mem, cs->wire, h, "host", &kr);
  if (rv) {
    hyper__client_req_map_put(t, h);
    return hyper__client_err(t, rv, 0, cs->id,
                             "cannot retry stream %u: %s", (unsigned)cs->id,
                             hyper_strerror(rv));
  }
  body_src src = {kr.body, kr.body_len, 0, NULL, NULL};
  uint32_t nid = 0;
  rv = do_request(t, kr.method, kr.method_len, kr.path, kr.path_len, h, &src,
                  kr.has_body, &nid, cs);
  hyper__kept_req_free(&t->mem, &kr);
  hyper__client_req_map_put(t, h);
  if (rv)
    return rv;
  if (!(*out = hyper__client_find(t, nid)))
    return hyper__client_err(t, HYPER_ERR_INTERNAL, 0, cs->id,
                             "the retried request vanished");
  return 0;
}

/* |cs| was replaced by its retry: nobody asks for it again. */
static void retire(hyper__cstream *cs) {
  if (cs->flags & CS_KEPT)
    drop_kept(cs->cl, cs);
  cs->flags |= CS_TAKEN;
  hyper__cs_release(cs);
}

/* Copies the detail of the last failure on |k| (a successor) to the
 * caller's client |c|, naming the caller's id; returns |rv|. */
static int report(hyper_client *c, const hyper_client *k,
                  const hyper__cstream *cs, int rv) {
  if (k && k != c)
    c->err = k->err;
  if (cs && cs->uid && c->err.stream_id == cs->id) {
    char was[sizeof c->err.desc];
    memcpy(was, c->err.desc, sizeof was);
    was[sizeof was - 1] = '\0';
    int n = snprintf(c->err.desc, sizeof c->err.desc,
                     "request %u (retry %u, stream %u): ", (unsigned)cs->uid,
                     (unsigned)cs->nretry, (unsigned)cs->id);
    if (n > 0 && (size_t)n < sizeof c->err.desc) {
      size_t len = strlen(was), room = sizeof c->err.desc - (size_t)n - 1;
      len = HYPER_MIN(len, room);
      memcpy(c->err.desc + n, was, len);
      c->err.desc[(size_t)n + len] = '\0';
    }
    c->err.stream_id = cs->uid;
  }
  return rv;
}

/* Retries |cs| (|kind|: RETRY_SAME, RETRY_NEW) and stores the stream that
 * carries the retry in |*out|. A GOAWAY moves the other unprocessed
 * requests of that connection along (the caller will want them too, and
 * they then share one new connection). Whatever happens, the attempt
 * counts (no request is retried without bound, even by repeated calls). */
static int retry(hyper_client *c, hyper__cstream *cs, int kind,
                 hyper__cstream **out) {
  hyper_client *k = cs->cl, *t = k;
  int head = (cs->flags & CS_HEAD) != 0;
  int goaway = !head && cs->err == HYPER_ERR_H2_GOAWAY;
  cs->nretry++;
  if (head || goaway)
    cs->flags |= CS_MOVED;
  int rv = kind == RETRY_NEW ? successor(k, &t) : 0;
  if (!rv)
    rv = resend(t, cs, out);
  if (rv == HYPER_ERR_H2_GOAWAY && t == k) {
    /* the GOAWAY came while waiting for a stream slot: nothing was sent,
     * so a new connection takes it */
    if ((rv = successor(k, &t)) == 0)
      rv = resend(t, cs, out);
  }
  if (rv)
    return report(c, t, cs, rv);
  if (goaway)
    for (hyper__cstream *o = k->head, *next; o; o = next) {
      next = o->next;
      if (o == cs || (o->flags & CS_TAKEN) || o->err != HYPER_ERR_H2_GOAWAY ||
          retry_err_kind(o) != RETRY_NEW)
        continue;
      hyper__cstream *n;
      o->nretry++;
      o->flags |= CS_MOVED;
      if (resend(t, o, &n) == 0) {
        retire(o);
      } else { /* it stays: its own get_response() tries (and reports) */
        o->nretry--;
        o->flags &= ~CS_MOVED;
      }
    }
  if (head) /* the 421's body is not wanted */
    hyper__cs_cancel(cs, HYPER_H2_CANCEL);
  retire(cs);
  return 0;
}

hyper__cstream *hyper__client_lookup(hyper_client *c, uint32_t id) {
  hyper__cstream *cs = hyper__client_find(c, id);
  if (cs && !cs->uid)
    return cs;
  /* A retry answers to the caller's id: |uid| on this connection or a
   * successor; an HTTP/1.1 retry (hyper__h1c_fallback()) takes the id
   * itself on its own client. */
  for (hyper_client *k = c; k; k = k->retry_next) {
    for (cs = k->head; cs; cs = cs->next)
      if (cs->uid == id && !(cs->flags & CS_PUSH))
        return cs;
    hyper_client *fb = hyper__h1c_fallback_of(k);
    for (cs = fb ? fb->head : NULL; cs; cs = cs->next)
      if (cs->retried && (cs->uid ? cs->uid : cs->id) == id &&
          !(cs->flags & CS_PUSH))
        return cs;
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* get_response                                                             */
/* ------------------------------------------------------------------------ */

int hyper_client_get_response(hyper_client *c, uint32_t stream_id,
                              hyper_resp **out) {
  if (!c || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = NULL;
  hyper__cstream *cs = NULL;
  if (stream_id == 0) {
    for (cs = c->head; cs; cs = cs->next)
      if ((cs->flags & CS_SENT) && !(cs->flags & (CS_PUSH | CS_TAKEN)))
        break;
    if (!cs)
      return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, 0,
                               "no request is waiting for its response");
  } else {
    cs = hyper__client_lookup(c, stream_id);
    if (!cs || (cs->flags & CS_PUSH))
      return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                               "no request with stream id %u",
                               (unsigned)stream_id);
    if (cs->flags & CS_TAKEN)
      return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                               "the response of stream %u was already "
                               "fetched",
                               (unsigned)stream_id);
  }
  int rv = hyper__cs_wait_head(cs);
  for (;;) {
    hyper_client *k = cs->cl; /* |c|, or a successor after a retry */
    if (!k)
      break;
    if (rv && (cs->flags & CS_KEPT) && !(cs->flags & CS_HEAD) &&
        (((cs->flags & CS_RESET) &&
          cs->h2_code == HYPER_H2_HTTP_1_1_REQUIRED) ||
         (k->goaway && k->goaway_code == HYPER_H2_HTTP_1_1_REQUIRED))) {
      /* Sent again over HTTP/1.1; the caller keeps its id. */
      hyper__cstream *ncs = NULL;
      int fr = hyper__h1c_fallback(k, cs, &ncs);
      if (fr == HYPER_ERR_UNSUPPORTED)
        break;
      if (fr)
        return report(c, k, cs, fr);
      ncs->uid = cs->uid;
      cs->flags |= CS_TAKEN; /* replaced: nobody asks for it again */
      hyper__cs_release(cs);
      cs = ncs;
      rv = hyper__cs_wait_head(cs);
      continue;
    }
    /* Automatic retries (max_retries): not processed, or 421. */
    int kind = rv ? (rv == cs->err ? retry_err_kind(cs) : RETRY_NONE)
                  : (retry_421(cs) ? RETRY_NEW : RETRY_NONE);
    if (kind == RETRY_NONE)
      break;
    hyper__cstream *ncs = NULL;
    if ((rv = retry(c, cs, kind, &ncs)) != 0)
      return rv;
    cs = ncs;
    rv = hyper__cs_wait_head(cs);
  }
  if (rv)
    return report(c, cs->cl, cs, rv);
  if (cs->flags & CS_KEPT) /* the head arrived: the retry copy is moot */
    drop_kept(cs->cl ? cs->cl : c, cs);
  if ((rv = hyper__resp_new(cs, out)) != 0)
    return hyper__client_err(c, rv, 0, cs->uid ? cs->uid : cs->id,
                             "out of memory");
  return 0;
}
