/*
 * h2_client_driver: hyper's sans-IO client core over a loopback socket
 * against an independent server (h2_peer.py server: python-h2), h2c with
 * prior knowledge.
 *
 *   h2_client_driver [--deadline-ms N] PORT
 *
 * Runs the scenarios below in order on ONE connection and prints one line
 * per scenario and "N passed, M failed" on stderr; exits 0 when all passed.
 * The socket is non-blocking and every wait is a poll() bounded by the
 * scenario's timeout and a global deadline (default 40 s).
 *
 * The core runs in ACK mode (every DATA octet is acknowledged with
 * hyper_h2_acknowledge_received_data()) with a 65,535-octet stream receive
 * window, so the peer's 1 MiB responses depend on our WINDOW_UPDATEs, and
 * with enable_push on.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "hyper/h2.h"
#include "interop_common.h"

#define WHO "h2_client_driver"
#define MAX_REC 128
#define MAX_CHG 64
#define ERRLEN 512

typedef struct rec {
  int used;
  uint32_t id;
  /* pushed streams */
  int pushed;
  uint32_t parent;
  iop_buf push_req;
  uint64_t push_seq;
  /* response */
  int status;
  int n_info, info_status;
  iop_buf info, head, body, trailers;
  size_t max_frame, padded_frames;
  int ended, reset, reset_remote;
  uint32_t reset_code;
  uint64_t end_seq;
  /* request body, sent as the windows allow */
  const uint8_t *up;
  size_t up_len, up_off;
  hyper_field up_tr[4];
  size_t up_ntr;
  int up_active, up_gate;
  char up_err[160];
} rec;

typedef struct sess {
  int fd;
  hyper_h2_conn *c;
  char authority[64];
  uint64_t deadline;
  uint64_t seq;
  rec r[MAX_REC];
  hyper_h2_setting_change chg[MAX_CHG];
  size_t nchg;
  size_t acked;
  size_t pings, ping_acks;
  uint8_t ping[8], ping_ack[8];
  int goaway;
  uint32_t goaway_code;
  int eof, dead;
  char why[ERRLEN];
  uint8_t *big; /* IOP_BIG_LEN pattern bytes */
} sess;

static void die_conn(sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void die_conn(sess *s, const char *fmt, ...) {
  if (!s->dead) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
  }
  s->dead = 1;
}

static rec *rec_find(sess *s, uint32_t id) {
  for (int i = 0; i < MAX_REC; i++)
    if (s->r[i].used && s->r[i].id == id)
      return &s->r[i];
  return NULL;
}

static rec *rec_new(sess *s, uint32_t id) {
  for (int i = 0; i < MAX_REC; i++)
    if (!s->r[i].used) {
      memset(&s->r[i], 0, sizeof s->r[i]);
      s->r[i].used = 1;
      s->r[i].id = id;
      return &s->r[i];
    }
  return NULL;
}

static void rec_release(rec *r) {
  if (!r || !r->used)
    return;
  iop_buf_free(&r->push_req);
  iop_buf_free(&r->info);
  iop_buf_free(&r->head);
  iop_buf_free(&r->body);
  iop_buf_free(&r->trailers);
  r->used = 0;
}

static int rec_done(const rec *r) { return r->ended || r->reset; }

/* ---- the socket loop ----------------------------------------------------- */

static void on_event(sess *s, const hyper_h2_event *ev) {
  rec *r = ev->stream_id ? rec_find(s, ev->stream_id) : NULL;
  s->seq++;
  switch (ev->type) {
  case HYPER_H2_EV_RESPONSE_RECEIVED: {
    if (!r)
      break;
    char st[8];
    if (iop_get(ev->u.headers.fields, ev->u.headers.nfields, ":status", st,
                sizeof st) == 0)
      r->status = atoi(st);
    iop_fields_text(&r->head, ev->u.headers.fields, ev->u.headers.nfields);
    break;
  }
  case HYPER_H2_EV_INFORMATIONAL_RECEIVED: {
    if (!r)
      break;
    char st[8];
    r->n_info++;
    if (iop_get(ev->u.headers.fields, ev->u.headers.nfields, ":status", st,
                sizeof st) == 0)
      r->info_status = atoi(st);
    iop_fields_text(&r->info, ev->u.headers.fields, ev->u.headers.nfields);
    break;
  }
  case HYPER_H2_EV_DATA_RECEIVED:
    if (r) {
      if (iop_buf_add(&r->body, ev->u.data.data, ev->u.data.len))
        die_conn(s, "%s%s", "out of memory", "");
      if (ev->u.data.len > r->max_frame)
        r->max_frame = ev->u.data.len;
      if (ev->u.data.flow_controlled_len > ev->u.data.len)
        r->padded_frames++;
    }
    if (ev->u.data.len) {
      int rv = hyper_h2_acknowledge_received_data(s->c, ev->stream_id,
                                                  ev->u.data.len);
      if (rv)
        die_conn(s, "acknowledge_received_data: %s%s", hyper_err_name(rv), "");
    }
    break;
  case HYPER_H2_EV_TRAILERS_RECEIVED:
    if (r)
      iop_fields_text(&r->trailers, ev->u.headers.fields,
                      ev->u.headers.nfields);
    break;
  case HYPER_H2_EV_STREAM_ENDED:
    if (r) {
      r->ended = 1;
      r->end_seq = s->seq;
    }
    break;
  case HYPER_H2_EV_STREAM_RESET:
    if (r) {
      r->reset = 1;
      r->reset_code = ev->u.reset.error_code;
      r->reset_remote = ev->u.reset.remote;
      r->end_seq = s->seq;
    }
    break;
  case HYPER_H2_EV_PUSHED_STREAM_RECEIVED:
    r = rec_new(s, ev->stream_id);
    if (!r) {
      die_conn(s, "%s%s", "too many streams", "");
      break;
    }
    r->pushed = 1;
    r->parent = ev->u.push.parent_stream_id;
    r->push_seq = s->seq;
    iop_fields_text(&r->push_req, ev->u.push.fields, ev->u.push.nfields);
    break;
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED:
    for (size_t i = 0; i < ev->u.settings.count && s->nchg < MAX_CHG; i++)
      s->chg[s->nchg++] = ev->u.settings.changes[i];
    break;
  case HYPER_H2_EV_SETTINGS_ACKED:
    s->acked++;
    break;
  case HYPER_H2_EV_PING_RECEIVED:
    s->pings++;
    memcpy(s->ping, ev->u.ping.opaque, 8);
    break;
  case HYPER_H2_EV_PING_ACK_RECEIVED:
    s->ping_acks++;
    memcpy(s->ping_ack, ev->u.ping.opaque, 8);
    break;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    s->goaway = 1;
    s->goaway_code = ev->u.goaway.error_code;
    break;
  default:
    break;
  }
}

static void feed(sess *s, const uint8_t *buf, size_t n) {
  size_t off = 0;
  while (off < n && !s->dead) {
    int used = hyper_h2_conn_recv(s->c, buf + off, n - off);
    if (used < 0) {
      const hyper_h2_error *e = hyper_h2_conn_last_error(s->c);
      char d[300];
      snprintf(d, sizeof d, "%s (h2 code %s, stream %u)", e->desc,
               hyper_h2_code_name(e->h2_code), (unsigned)e->stream_id);
      die_conn(s, "hyper_h2_conn_recv: %s: %s", hyper_err_name(used), d);
      iop_flush(s->c, s->fd); /* the GOAWAY, best effort */
      return;
    }
    hyper_h2_event ev;
    int any = 0;
    while (hyper_h2_conn_next_event(s->c, &ev)) {
      any = 1;
      on_event(s, &ev);
    }
    if (used == 0 && !any) {
      die_conn(s, "%s%s",
               "hyper_h2_conn_recv consumed nothing and queued no event", "");
      return;
    }
    off += (size_t)used;
  }
}

static void pump_uploads(sess *s) {
  for (int i = 0; i < MAX_REC; i++) {
    rec *r = &s->r[i];
    if (!r->used || !r->up_active || r->up_gate)
      continue;
    while (r->up_off < r->up_len) {
      int64_t avail = hyper_h2_conn_local_flow_control_window(s->c, r->id);
      if (avail < 0) {
        snprintf(r->up_err, sizeof r->up_err, "local_flow_control_window: %s",
                 hyper_err_name((int)avail));
        r->up_active = 0;
        break;
      }
      if (avail == 0)
        break;
      size_t n = r->up_len - r->up_off;
      if ((uint64_t)avail < n)
        n = (size_t)avail;
      if (hyper_h2_conn_max_outbound_frame_size(s->c) < n)
        n = hyper_h2_conn_max_outbound_frame_size(s->c);
      int last = n == r->up_len - r->up_off && r->up_ntr == 0;
      int rv = hyper_h2_send_data(s->c, r->id, r->up + r->up_off, n, last);
      if (rv) {
        snprintf(r->up_err, sizeof r->up_err, "send_data(%zu): %s", n,
                 hyper_err_name(rv));
        r->up_active = 0;
        break;
      }
      r->up_off += n;
    }
    if (r->up_active && r->up_off == r->up_len) {
      int rv = 0;
      if (r->up_ntr)
        rv = hyper_h2_submit_trailers(s->c, r->id, r->up_tr, r->up_ntr);
      else if (r->up_len == 0)
        rv = hyper_h2_end_stream(s->c, r->id);
      if (rv)
        snprintf(r->up_err, sizeof r->up_err, "ending the request: %s",
                 hyper_err_name(rv));
      r->up_active = 0;
    }
  }
}

/* One round: queue uploads, write, wait up to |timeout_ms| for input. */
static void step(sess *s, int timeout_ms) {
  if (s->dead)
    return;
  int rv = hyper_h2_conn_set_time(s->c, iop_now_ms());
  if (rv) {
    die_conn(s, "set_time: %s%s", hyper_err_name(rv), "");
    return;
  }
  pump_uploads(s);
  int fr = iop_flush(s->c, s->fd);
  if (fr < 0) {
    die_conn(s, "send: %s%s", strerror(errno), "");
    return;
  }
  struct pollfd pfd = {s->fd, (short)(POLLIN | (fr ? POLLOUT : 0)), 0};
  int pr = poll(&pfd, 1, timeout_ms);
  if (pr < 0 && errno != EINTR)
    die_conn(s, "poll: %s%s", strerror(errno), "");
  if (pr <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
    return;
  uint8_t buf[65536];
  ssize_t n = recv(s->fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0) {
    s->eof = 1;
    die_conn(s, "connection closed by the peer%s%s", n < 0 ? ": " : "",
             n < 0 ? strerror(errno) : "");
    return;
  }
  feed(s, buf, (size_t)n);
}

typedef int (*pred_fn)(sess *s, void *arg);

/* Runs the loop until |pred| holds; -1 with |err| on timeout or a dead
 * connection. */
static int pump(sess *s, pred_fn pred, void *arg, int timeout_ms,
                const char *what, char *err) {
  uint64_t end = iop_now_ms() + (uint64_t)timeout_ms;
  if (end > s->deadline)
    end = s->deadline;
  for (;;) {
    if (pred(s, arg))
      return 0;
    if (s->dead)
      return iop_fail(err, ERRLEN, "%s: %s", what, s->why);
    uint64_t now = iop_now_ms();
    if (now >= end)
      return iop_fail(err, ERRLEN, "%s: timed out", what);
    step(s, (int)(end - now < 250 ? end - now : 250));
  }
}

static int pred_rec_done(sess *s, void *arg) {
  (void)s;
  return rec_done((rec *)arg);
}

/* ---- requests ------------------------------------------------------------ */

static rec *request(sess *s, const char *method, const char *path,
                    const hyper_field *extra, size_t nextra, int end_stream,
                    char *err) {
  hyper_field f[12];
  size_t n = 0;
  f[n++] = iop_field(":method", method);
  f[n++] = iop_field(":scheme", "http");
  f[n++] = iop_field(":authority", s->authority);
  f[n++] = iop_field(":path", path);
  f[n++] = iop_field("user-agent", "hyper-interop/0.1");
  for (size_t i = 0; i < nextra && n < 12; i++)
    f[n++] = extra[i];
  if (s->dead) {
    iop_fail(err, ERRLEN, "%s %s: connection dead: %s", method, path, s->why);
    return NULL;
  }
  uint32_t id = 0;
  int rv = hyper_h2_submit_request(s->c, f, n, end_stream, &id);
  if (rv) {
    iop_fail(err, ERRLEN, "submit_request %s %s: %s (%s)", method, path,
             hyper_err_name(rv), hyper_h2_conn_last_error(s->c)->desc);
    return NULL;
  }
  rec *r = rec_new(s, id);
  if (!r)
    iop_fail(err, ERRLEN, "too many streams");
  return r;
}

static void upload(rec *r, const uint8_t *data, size_t len,
                   const hyper_field *tr, size_t ntr, int gate) {
  r->up = data;
  r->up_len = len;
  r->up_off = 0;
  r->up_ntr = ntr < 4 ? ntr : 4;
  for (size_t i = 0; i < r->up_ntr; i++)
    r->up_tr[i] = tr[i];
  r->up_active = 1;
  r->up_gate = gate;
}

static rec *get(sess *s, const char *path, int timeout_ms, char *err) {
  rec *r = request(s, "GET", path, NULL, 0, 1, err);
  if (!r)
    return NULL;
  char what[96];
  snprintf(what, sizeof what, "GET %s", path);
  if (pump(s, pred_rec_done, r, timeout_ms, what, err)) {
    rec_release(r);
    return NULL;
  }
  return r;
}

#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      rv = iop_fail(err, ERRLEN, __VA_ARGS__);                                 \
      goto out;                                                                \
    }                                                                          \
  } while (0)

static int expect_ok_response(const rec *r, int status, char *err) {
  if (r->reset)
    return iop_fail(err, ERRLEN, "stream %u reset (%s)", (unsigned)r->id,
                    hyper_h2_code_name(r->reset_code));
  if (r->status != status)
    return iop_fail(err, ERRLEN, "stream %u: status %d, want %d",
                    (unsigned)r->id, r->status, status);
  if (!r->ended)
    return iop_fail(err, ERRLEN, "stream %u did not end", (unsigned)r->id);
  if (r->up_err[0])
    return iop_fail(err, ERRLEN, "stream %u upload: %s", (unsigned)r->id,
                    r->up_err);
  return 0;
}

/* ---- scenarios ------------------------------------------------------------
 */

static int pred_pings(sess *s, void *arg) {
  (void)arg;
  return s->ping_acks > 0 && s->pings > 0;
}

static int sc_ping(sess *s, char *err) {
  int rv = 0;
  const uint8_t op[8] = {'h', 'y', 'p', 'e', 'r', 'p', 'n', 'g'};
  rv = hyper_h2_ping(s->c, op);
  EXPECT(rv == 0, "hyper_h2_ping: %s", hyper_err_name(rv));
  if ((rv = pump(s, pred_pings, NULL, 5000, "PING ACK + the server's PING",
                 err)))
    goto out;
  EXPECT(memcmp(s->ping_ack, op, 8) == 0, "PING ACK opaque %.8s",
         (const char *)s->ping_ack);
  EXPECT(memcmp(s->ping, "pysrvpng", 8) == 0, "server PING opaque %.8s",
         (const char *)s->ping);
out:
  return rv;
}

static int sc_get_empty(sess *s, char *err) {
  int rv = 0;
  rec *r = get(s, "/empty", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == 0, "body of %zu bytes", r->body.len);
  EXPECT(iop_buf_contains(&r->head, "content-length: 0\n"),
         "no content-length: 0");
  EXPECT(r->trailers.len == 0, "unexpected trailers");
out:
  rec_release(r);
  return rv;
}

static int check_big(sess *s, size_t want_max_frame, int exact, char *err) {
  int rv = 0;
  rec *r = get(s, "/big", 15000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == IOP_BIG_LEN, "body of %zu bytes, want %u", r->body.len,
         IOP_BIG_LEN);
  EXPECT(iop_pattern_ok(r->body.p, r->body.len),
         "body differs from the pattern (fnv %016llx, want %016llx)",
         (unsigned long long)iop_fnv1a64(r->body.p, r->body.len),
         (unsigned long long)iop_fnv1a64(s->big, IOP_BIG_LEN));
  EXPECT(iop_buf_contains(&r->head, "content-length: 1048576\n"),
         "no content-length: 1048576");
  EXPECT(r->max_frame <= want_max_frame, "DATA frame of %zu > %zu",
         r->max_frame, want_max_frame);
  EXPECT(!exact || r->max_frame == want_max_frame,
         "largest DATA frame %zu, want %zu", r->max_frame, want_max_frame);
out:
  rec_release(r);
  return rv;
}

static int sc_get_big(sess *s, char *err) {
  return check_big(s, HYPER_H2_DEFAULT_MAX_FRAME_SIZE, 0, err);
}

static int sc_trailers(sess *s, char *err) {
  int rv = 0;
  rec *r = get(s, "/trailers", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(iop_buf_eq(&r->body, IOP_TRAILERS_BODY), "body of %zu bytes",
         r->body.len);
  char want[64];
  snprintf(want, sizeof want, "x-body-fnv: %016llx\n",
           (unsigned long long)iop_fnv1a64((const uint8_t *)IOP_TRAILERS_BODY,
                                           strlen(IOP_TRAILERS_BODY)));
  EXPECT(iop_buf_contains(&r->trailers, "x-trailer: yes\n") &&
             iop_buf_contains(&r->trailers, want),
         "trailers '%.*s'", (int)r->trailers.len, (const char *)r->trailers.p);
out:
  rec_release(r);
  return rv;
}

static int sc_informational(sess *s, char *err) {
  int rv = 0;
  rec *r = get(s, "/early", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->n_info == 1 && r->info_status == 103, "%d 1xx, last status %d",
         r->n_info, r->info_status);
  EXPECT(iop_buf_contains(&r->info, "link: </style.css>; rel=preload\n"),
         "1xx without link");
  EXPECT(iop_buf_eq(&r->body, "early\n"), "body of %zu bytes", r->body.len);
out:
  rec_release(r);
  return rv;
}

static int sc_push(sess *s, char *err) {
  int rv = 0;
  rec *pr = NULL;
  rec *r = get(s, "/push", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(iop_buf_eq(&r->body, "pushed\n"), "body of %zu bytes", r->body.len);
  for (int i = 0; i < MAX_REC; i++)
    if (s->r[i].used && s->r[i].pushed && s->r[i].parent == r->id)
      pr = &s->r[i];
  EXPECT(pr, "no PUSHED_STREAM_RECEIVED for stream %u", (unsigned)r->id);
  EXPECT(pr->id % 2 == 0, "promised stream %u is odd", (unsigned)pr->id);
  EXPECT(pr->push_seq < r->end_seq,
         "PUSHED_STREAM_RECEIVED came after the parent ended");
  char auth[96];
  snprintf(auth, sizeof auth, ":authority: %s\n", s->authority);
  EXPECT(iop_buf_contains(&pr->push_req, ":method: GET\n") &&
             iop_buf_contains(&pr->push_req, ":path: /pushed.css\n") &&
             iop_buf_contains(&pr->push_req, ":scheme: http\n") &&
             iop_buf_contains(&pr->push_req, auth),
         "promised request '%.*s'", (int)pr->push_req.len,
         (const char *)pr->push_req.p);
  if ((rv = pump(s, pred_rec_done, pr, 5000, "pushed response", err)))
    goto out;
  if ((rv = expect_ok_response(pr, 200, err)))
    goto out;
  EXPECT(iop_buf_contains(&pr->head, "content-type: text/css\n"),
         "pushed head '%.*s'", (int)pr->head.len, (const char *)pr->head.p);
  EXPECT(iop_buf_eq(&pr->body, IOP_PUSHED_BODY), "pushed body of %zu bytes",
         pr->body.len);
out:
  rec_release(pr);
  rec_release(r);
  return rv;
}

static int sc_reset(sess *s, char *err) {
  int rv = 0;
  rec *r = get(s, "/reset", 5000, err);
  if (!r)
    return -1;
  EXPECT(r->status == 200, "status %d before the reset", r->status);
  EXPECT(r->reset && r->reset_remote && r->reset_code == HYPER_H2_CANCEL,
         "reset=%d remote=%d code=%s", r->reset, r->reset_remote,
         hyper_h2_code_name(r->reset_code));
  EXPECT(!r->ended, "stream ended normally");
  /* the stream is gone: the core refuses to send on it */
  EXPECT(hyper_h2_send_data(s->c, r->id, NULL, 0, 1) ==
             HYPER_ERR_H2_STREAM_CLOSED,
         "send_data on the reset stream was not refused");
out:
  rec_release(r);
  return rv;
}

typedef struct chg_wait {
  rec *r;
  size_t from;
  uint32_t ifw, mfs;
} chg_wait;

static const hyper_h2_setting_change *find_chg(sess *s, size_t from,
                                               uint16_t id) {
  const hyper_h2_setting_change *c = NULL;
  for (size_t i = from; i < s->nchg; i++)
    if (s->chg[i].id == id)
      c = &s->chg[i];
  return c;
}

static int pred_settings_changed(sess *s, void *arg) {
  chg_wait *w = arg;
  return w->r->status &&
         find_chg(s, w->from, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE) &&
         find_chg(s, w->from, HYPER_H2_SETTINGS_MAX_FRAME_SIZE);
}

static int sc_server_settings(sess *s, char *err) {
  int rv = 0;
  char cl[16];
  snprintf(cl, sizeof cl, "%u", IOP_UPLOAD_LEN);
  hyper_field extra[1] = {iop_field("content-length", cl)};
  size_t from = s->nchg;
  rec *r = request(s, "POST", "/settings", extra, 1, 0, err);
  if (!r)
    return -1;
  /* the body waits until the new SETTINGS arrived */
  upload(r, s->big, IOP_UPLOAD_LEN, NULL, 0, 1);
  chg_wait w = {r, from, 0, 0};
  if ((rv = pump(s, pred_settings_changed, &w, 5000,
                 "response headers + REMOTE_SETTINGS_CHANGED", err)))
    goto out;
  const hyper_h2_setting_change *ifw =
      find_chg(s, from, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE);
  const hyper_h2_setting_change *mfs =
      find_chg(s, from, HYPER_H2_SETTINGS_MAX_FRAME_SIZE);
  EXPECT(ifw->old_value == HYPER_H2_DEFAULT_WINDOW &&
             ifw->new_value == IOP_SETTINGS_IFW,
         "INITIAL_WINDOW_SIZE %u->%u", (unsigned)ifw->old_value,
         (unsigned)ifw->new_value);
  EXPECT(mfs->old_value == HYPER_H2_DEFAULT_MAX_FRAME_SIZE &&
             mfs->new_value == IOP_SETTINGS_MFS,
         "MAX_FRAME_SIZE %u->%u", (unsigned)mfs->old_value,
         (unsigned)mfs->new_value);
  const hyper_h2_setting_change *hts =
      find_chg(s, from, HYPER_H2_SETTINGS_HEADER_TABLE_SIZE);
  EXPECT(hts && hts->old_value == 4096 && hts->new_value == IOP_SETTINGS_HTS,
         "HEADER_TABLE_SIZE change %s", hts ? "with other values" : "missing");
  EXPECT(hyper_h2_conn_max_outbound_frame_size(s->c) == IOP_SETTINGS_MFS,
         "max_outbound_frame_size %u",
         (unsigned)hyper_h2_conn_max_outbound_frame_size(s->c));
  EXPECT(hyper_h2_conn_remote_settings(s->c)->initial_window_size ==
             IOP_SETTINGS_IFW,
         "remote initial_window_size %u",
         (unsigned)hyper_h2_conn_remote_settings(s->c)->initial_window_size);
  r->up_gate = 0;
  if ((rv = pump(s, pred_rec_done, r, 10000, "POST /settings", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  char want[96];
  snprintf(want, sizeof want, "len=%u maxframe=%u match=1", IOP_UPLOAD_LEN,
           IOP_SETTINGS_MFS);
  EXPECT(iop_buf_eq(&r->body, want), "body '%.*s', want '%s'", (int)r->body.len,
         (const char *)r->body.p, want);
out:
  rec_release(r);
  return rv;
}

/* END_STREAM on the request HEADERS, then on an empty DATA frame */
static int sc_echo_empty(sess *s, char *err) {
  int rv = 0;
  rec *r = NULL;
  for (int variant = 0; variant < 2 && rv == 0; variant++) {
    r = request(s, "POST", "/echo", NULL, 0, !variant, err);
    if (!r)
      return -1;
    if (variant)
      upload(r, NULL, 0, NULL, 0, 0); /* hyper_h2_end_stream() */
    if ((rv = pump(s, pred_rec_done, r, 5000, "POST /echo", err)))
      goto out;
    if ((rv = expect_ok_response(r, 200, err)))
      goto out;
    EXPECT(r->body.len == 0, "body of %zu bytes", r->body.len);
    EXPECT(r->trailers.len == 0, "unexpected trailers");
    rec_release(r);
    r = NULL;
  }
out:
  rec_release(r);
  return rv;
}

static int sc_echo_big(sess *s, char *err) {
  int rv = 0;
  char fnv[24];
  snprintf(fnv, sizeof fnv, "%016llx",
           (unsigned long long)iop_fnv1a64(s->big, 4096));
  hyper_field tr[2] = {iop_field("x-req-trailer", "abc"),
                       iop_field("x-fnv", fnv)};
  rec *r = request(s, "POST", "/echo", NULL, 0, 0, err);
  if (!r)
    return -1;
  upload(r, s->big, IOP_BIG_LEN, tr, 2, 0);
  if ((rv = pump(s, pred_rec_done, r, 15000, "POST /echo 1 MiB", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == IOP_BIG_LEN, "echoed %zu bytes", r->body.len);
  EXPECT(iop_pattern_ok(r->body.p, r->body.len), "echoed body differs");
  char want[48];
  snprintf(want, sizeof want, "x-fnv: %s\n", fnv);
  EXPECT(iop_buf_contains(&r->trailers, "x-req-trailer: abc\n") &&
             iop_buf_contains(&r->trailers, want),
         "trailers '%.*s'", (int)r->trailers.len, (const char *)r->trailers.p);
out:
  rec_release(r);
  return rv;
}

static int sc_echo_trailers_only(sess *s, char *err) {
  int rv = 0;
  hyper_field tr[1] = {iop_field("x-only", "trailers")};
  rec *r = request(s, "POST", "/echo", NULL, 0, 0, err);
  if (!r)
    return -1;
  upload(r, NULL, 0, tr, 1, 0); /* HEADERS, then HEADERS(trailers, ES) */
  if ((rv = pump(s, pred_rec_done, r, 5000, "POST /echo", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == 0, "body of %zu bytes", r->body.len);
  EXPECT(iop_buf_contains(&r->trailers, "x-only: trailers\n"),
         "trailers '%.*s'", (int)r->trailers.len, (const char *)r->trailers.p);
out:
  rec_release(r);
  return rv;
}

static int sc_padded(sess *s, char *err) {
  int rv = 0;
  rec *r = get(s, "/padded", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == IOP_PADDED_LEN &&
             iop_pattern_ok(r->body.p, r->body.len),
         "body of %zu bytes differs", r->body.len);
  EXPECT(r->padded_frames > 0, "no padded DATA frame seen");
  EXPECT(iop_buf_contains(&r->head, "content-length: 50000\n"),
         "no content-length: 50000 (padding must not count against it)");
out:
  rec_release(r);
  return rv;
}

static int sc_bighead(sess *s, char *err) {
  int rv = 0;
  rec *r = NULL;
  char *val = malloc(IOP_BIGHEAD_LEN + 1);
  iop_buf want = {0};
  if (!val)
    return iop_fail(err, ERRLEN, "out of memory");
  iop_bighead_value(val, IOP_BIGHEAD_LEN);
  val[IOP_BIGHEAD_LEN] = 0;
  hyper_field extra[1] = {iop_field("x-big-req", val)};
  extra[0].flags = HYPER_FIELD_NO_INDEX;
  r = request(s, "GET", "/bighead", extra, 1, 1, err);
  if (!r) {
    rv = -1;
    goto out;
  }
  if ((rv = pump(s, pred_rec_done, r, 5000, "GET /bighead", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(iop_buf_contains(&r->head, "x-req-len: 40000\n"),
         "the server saw x-big-req of another length");
  iop_buf_add(&want, "x-big-resp: ", 12);
  iop_buf_add(&want, val, IOP_BIGHEAD_LEN);
  iop_buf_add(&want, "\n", 2); /* with the NUL */
  EXPECT(iop_buf_contains(&r->head, (const char *)want.p),
         "x-big-resp missing or different (head of %zu bytes)", r->head.len);
  EXPECT(iop_buf_eq(&r->body, "bighead\n"), "body of %zu bytes", r->body.len);
out:
  iop_buf_free(&want);
  free(val);
  rec_release(r);
  return rv;
}

static int pred_data_or_done(sess *s, void *arg) {
  (void)s;
  rec *r = arg;
  return r->body.len > 0 || rec_done(r);
}

static int sc_abort(sess *s, char *err) {
  int rv = 0;
  rec *r = request(s, "GET", "/big?abort", NULL, 0, 1, err);
  if (!r)
    return -1;
  if ((rv = pump(s, pred_data_or_done, r, 5000, "first DATA of /big?abort",
                 err)))
    goto out;
  EXPECT(!rec_done(r), "/big?abort ended before the reset");
  rv = hyper_h2_reset_stream(s->c, r->id, HYPER_H2_CANCEL);
  EXPECT(rv == 0, "reset_stream: %s", hyper_err_name(rv));
  rec_release(r);
  r = NULL;
  /* the connection stays usable; the server saw the reset */
  if ((rv = sc_get_empty(s, err)))
    goto out;
  r = get(s, "/stats", 5000, err);
  if (!r)
    return -1;
  char body[128];
  snprintf(body, sizeof body, "%.*s", (int)r->body.len,
           (const char *)r->body.p);
  const char *p = strstr(body, "resets=");
  EXPECT(p && atoi(p + 7) >= 1, "stats '%s'", body);
  rv = sc_get_big(s, err);
out:
  rec_release(r);
  return rv;
}

static int sc_shrink(sess *s, char *err) {
  int rv = 0;
  char cl[16];
  snprintf(cl, sizeof cl, "%u", IOP_SHRINK_LEN);
  hyper_field extra[1] = {iop_field("content-length", cl)};
  size_t from = s->nchg;
  rec *r = request(s, "POST", "/shrink", extra, 1, 0, err);
  if (!r)
    return -1;
  upload(r, s->big, IOP_SHRINK_LEN, NULL, 0, 0); /* at once: no waiting */
  if ((rv = pump(s, pred_rec_done, r, 15000, "POST /shrink", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  char want[64];
  snprintf(want, sizeof want, "len=%u match=1", IOP_SHRINK_LEN);
  EXPECT(iop_buf_eq(&r->body, want), "body '%.*s', want '%s'", (int)r->body.len,
         (const char *)r->body.p, want);
  uint32_t seen[4];
  size_t n = 0;
  for (size_t i = from; i < s->nchg && n < 4; i++)
    if (s->chg[i].id == HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE)
      seen[n++] = s->chg[i].new_value;
  EXPECT(n == 2 && seen[0] == IOP_SHRINK_IFW && seen[1] == IOP_SETTINGS_IFW,
         "%zu INITIAL_WINDOW_SIZE changes (first %u)", n,
         n ? (unsigned)seen[0] : 0u);
out:
  rec_release(r);
  return rv;
}

static int sc_priority(sess *s, char *err) {
  int rv = 0;
  rec *r = request(s, "GET", "/big", NULL, 0, 1, err);
  if (!r)
    return -1;
  /* RFC 9218 PRIORITY_UPDATE for the open stream: h2 4.x does not know the
   * frame type and must ignore it (RFC 9113 §5.5) */
  rv = hyper_h2_priority_update(s->c, r->id, 1, 1);
  EXPECT(rv == 0, "priority_update: %s", hyper_err_name(rv));
  if ((rv = pump(s, pred_rec_done, r, 15000, "GET /big", err)))
    goto out;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  EXPECT(r->body.len == IOP_BIG_LEN && iop_pattern_ok(r->body.p, r->body.len),
         "body of %zu bytes differs", r->body.len);
out:
  rec_release(r);
  return rv;
}

static int pred_acked(sess *s, void *arg) { return s->acked > *(size_t *)arg; }

static int sc_client_settings(sess *s, char *err) {
  int rv = 0;
  rec *r = NULL;
  hyper_h2_setting set[3] = {
      {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, IOP_CLIENT_IFW},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, IOP_CLIENT_MFS},
      {HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, IOP_CLIENT_HTS}};
  size_t acked = s->acked;
  rv = hyper_h2_update_settings(s->c, set, 3);
  EXPECT(rv == 0, "update_settings: %s", hyper_err_name(rv));
  if ((rv = pump(s, pred_acked, &acked, 5000, "SETTINGS_ACKED", err)))
    goto out;
  EXPECT(hyper_h2_conn_local_settings(s->c)->max_frame_size == IOP_CLIENT_MFS &&
             hyper_h2_conn_local_settings(s->c)->initial_window_size ==
                 IOP_CLIENT_IFW,
         "local settings after ACK: mfs %u ifw %u",
         (unsigned)hyper_h2_conn_local_settings(s->c)->max_frame_size,
         (unsigned)hyper_h2_conn_local_settings(s->c)->initial_window_size);
  /* the server now sends DATA frames of up to 32 KiB */
  if ((rv = check_big(s, IOP_CLIENT_MFS, 1, err)))
    goto out;
  r = get(s, "/stats", 5000, err);
  if (!r)
    return -1;
  if ((rv = expect_ok_response(r, 200, err)))
    goto out;
  char body[128];
  snprintf(body, sizeof body, "%.*s", (int)r->body.len,
           (const char *)r->body.p);
  unsigned pings = 0, acks = 0, ifw = 0, mfs = 0, hts = 0, resets = 0;
  EXPECT(sscanf(body, "pings=%u pingacks=%u ifw=%u mfs=%u hts=%u resets=%u",
                &pings, &acks, &ifw, &mfs, &hts, &resets) == 6,
         "stats '%s'", body);
  EXPECT(ifw == IOP_CLIENT_IFW && mfs == IOP_CLIENT_MFS &&
             hts == IOP_CLIENT_HTS,
         "the server sees ifw=%u mfs=%u hts=%u", ifw, mfs, hts);
  EXPECT(pings >= 1 && acks >= 1, "the server saw %u PINGs and %u ACKs", pings,
         acks);
out:
  rec_release(r);
  return rv;
}

typedef struct all_wait {
  rec **r;
  int n;
} all_wait;

static int pred_all_done(sess *s, void *arg) {
  (void)s;
  all_wait *w = arg;
  for (int i = 0; i < w->n; i++)
    if (!rec_done(w->r[i]))
      return 0;
  return 1;
}

static int sc_concurrent(sess *s, char *err) {
  int rv = 0;
  rec *r[4] = {NULL, NULL, NULL, NULL};
  const char *paths[3] = {"/big", "/trailers", "/empty"};
  for (int i = 0; i < 3; i++)
    if (!(r[i] = request(s, "GET", paths[i], NULL, 0, 1, err))) {
      rv = -1;
      goto out;
    }
  if (!(r[3] = request(s, "POST", "/echo", NULL, 0, 0, err))) {
    rv = -1;
    goto out;
  }
  upload(r[3], s->big, 100000, NULL, 0, 0);
  all_wait w = {r, 4};
  if ((rv = pump(s, pred_all_done, &w, 15000, "4 concurrent streams", err)))
    goto out;
  for (int i = 0; i < 4; i++)
    if ((rv = expect_ok_response(r[i], 200, err)))
      goto out;
  EXPECT(r[0]->body.len == IOP_BIG_LEN &&
             iop_pattern_ok(r[0]->body.p, r[0]->body.len),
         "/big body (%zu bytes) differs", r[0]->body.len);
  EXPECT(iop_buf_eq(&r[1]->body, IOP_TRAILERS_BODY) &&
             iop_buf_contains(&r[1]->trailers, "x-trailer: yes\n"),
         "/trailers");
  EXPECT(r[2]->body.len == 0, "/empty body");
  EXPECT(r[3]->body.len == 100000 &&
             iop_pattern_ok(r[3]->body.p, r[3]->body.len),
         "/echo body (%zu bytes) differs", r[3]->body.len);
out:
  for (int i = 0; i < 4; i++)
    rec_release(r[i]);
  return rv;
}

static int sc_many(sess *s, char *err) {
  int rv = 0;
  rec *r[IOP_MANY];
  memset(r, 0, sizeof r);
  for (int i = 0; i < IOP_MANY; i++)
    if (!(r[i] = request(s, "GET", i % 2 ? "/trailers" : "/empty", NULL, 0, 1,
                         err))) {
      rv = -1;
      goto out;
    }
  all_wait w = {r, IOP_MANY};
  if ((rv = pump(s, pred_all_done, &w, 10000, "50 concurrent streams", err)))
    goto out;
  for (int i = 0; i < IOP_MANY; i++) {
    if ((rv = expect_ok_response(r[i], 200, err)))
      goto out;
    EXPECT(i % 2 == 0 ||
               (iop_buf_eq(&r[i]->body, IOP_TRAILERS_BODY) &&
                iop_buf_contains(&r[i]->trailers, "x-trailer: yes\n")),
           "stream %u: body/trailers", (unsigned)r[i]->id);
  }
out:
  for (int i = 0; i < IOP_MANY; i++)
    rec_release(r[i]);
  return rv;
}

static int pred_eof(sess *s, void *arg) {
  (void)arg;
  return s->eof;
}

static int sc_goaway(sess *s, char *err) {
  int rv = hyper_h2_close(s->c, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                          (const uint8_t *)"bye", 3);
  if (rv)
    return iop_fail(err, ERRLEN, "hyper_h2_close: %s", hyper_err_name(rv));
  /* the server closes the connection once it has read our GOAWAY */
  rv = pump(s, pred_eof, NULL, 5000, "server close after GOAWAY", err);
  if (rv == 0 && hyper_h2_conn_wants_write(s->c))
    return iop_fail(err, ERRLEN, "output left unsent");
  if (rv == 0 && s->goaway && s->goaway_code != HYPER_H2_NO_ERROR)
    return iop_fail(err, ERRLEN, "server sent GOAWAY(%s)",
                    hyper_h2_code_name(s->goaway_code));
  return rv;
}

/* ---- main ------------------------------------------------------------------
 */

typedef struct scenario {
  const char *name;
  int (*fn)(sess *s, char *err);
} scenario;

static const scenario scenarios[] = {
    {"ping", sc_ping},
    {"get_empty", sc_get_empty},
    {"get_big_1MiB", sc_get_big},
    {"trailers", sc_trailers},
    {"informational_103", sc_informational},
    {"push", sc_push},
    {"reset_cancel", sc_reset},
    {"server_settings_midflight", sc_server_settings},
    {"echo_empty", sc_echo_empty},
    {"echo_1MiB_with_trailers", sc_echo_big},
    {"echo_trailers_only", sc_echo_trailers_only},
    {"padded_data", sc_padded},
    {"large_headers_continuation", sc_bighead},
    {"client_reset_midstream", sc_abort},
    {"window_shrink_midupload", sc_shrink},
    {"priority_update", sc_priority},
    {"client_settings_change", sc_client_settings},
    {"concurrent_streams", sc_concurrent},
    {"many_streams_50", sc_many},
    {"goaway", sc_goaway},
};
#define NSCEN (sizeof scenarios / sizeof scenarios[0])

static int dial(uint16_t port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (iop_set_nonblock(fd) < 0)
    goto fail;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
    return fd;
  if (errno != EINPROGRESS)
    goto fail;
  struct pollfd pfd = {fd, POLLOUT, 0};
  if (poll(&pfd, 1, timeout_ms) != 1)
    goto fail;
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
    errno = soerr;
    goto fail;
  }
  return fd;
fail:
  close(fd);
  return -1;
}

int main(int argc, char **argv) {
  long deadline_ms = 40000;
  int i = 1;
  for (; i < argc - 1; i++) {
    if (strcmp(argv[i], "--deadline-ms") == 0 && i + 1 < argc - 1)
      deadline_ms = atol(argv[++i]);
    else
      break;
  }
  long port = i == argc - 1 ? atol(argv[i]) : 0;
  if (port <= 0 || port > 65535 || deadline_ms <= 0) {
    fprintf(stderr, "usage: h2_client_driver [--deadline-ms N] PORT\n");
    return 2;
  }
  iop_result res;
  memset(&res, 0, sizeof res);
  sess *s = calloc(1, sizeof *s);
  if (!s)
    return 1;
  s->fd = -1;
  s->deadline = iop_now_ms() + (uint64_t)deadline_ms;
  snprintf(s->authority, sizeof s->authority, "127.0.0.1:%ld", port);
  s->big = malloc(IOP_BIG_LEN);
  int rv = 0;
  if (!s->big) {
    snprintf(s->why, sizeof s->why, "out of memory");
    s->dead = 1;
  } else {
    iop_pattern_fill(s->big, IOP_BIG_LEN);
    s->fd = dial((uint16_t)port, 5000);
    if (s->fd < 0) {
      snprintf(s->why, sizeof s->why, "connect to %s: %s", s->authority,
               strerror(errno));
      s->dead = 1;
    }
  }
  if (!s->dead) {
    hyper_h2_config cfg;
    hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
    cfg.settings.enable_push = 1;
    cfg.settings.initial_window_size = HYPER_H2_DEFAULT_WINDOW;
    cfg.recv_mode = HYPER_H2_RECV_ACK;
    rv = hyper_h2_conn_new(&s->c, &cfg, NULL);
    if (rv == 0)
      rv = hyper_h2_conn_initiate(s->c);
    if (rv) {
      snprintf(s->why, sizeof s->why, "conn_new/initiate: %s",
               hyper_err_name(rv));
      s->dead = 1;
    }
  }
  for (size_t k = 0; k < NSCEN; k++) {
    char err[ERRLEN] = "";
    uint64_t t0 = iop_now_ms();
    int ok;
    if (s->dead)
      ok = iop_fail(err, ERRLEN, "connection unusable: %s", s->why) == 0;
    else
      ok = scenarios[k].fn(s, err) == 0;
    iop_record(&res, WHO, scenarios[k].name, ok, err, iop_now_ms() - t0);
  }
  for (int k = 0; k < MAX_REC; k++)
    rec_release(&s->r[k]);
  hyper_h2_conn_free(s->c);
  if (s->fd >= 0)
    close(s->fd);
  free(s->big);
  free(s);
  fprintf(stderr, "%d passed, %d failed\n", res.passed, res.failed);
  if (res.failed)
    fprintf(stderr, WHO ": FAILED: %s\n", res.first);
  return res.failed ? 1 : 0;
}
