/*
 * h2_server_driver: hyper's sans-IO server core over a loopback socket,
 * for an independent client (h2_peer.py client: python-h2), h2c with prior
 * knowledge.
 *
 *   h2_server_driver [--deadline-ms N]
 *
 * Listens on 127.0.0.1, port 0, prints "PORT n" on stdout (and nothing else
 * there), serves ONE connection with the paths of h2_peer.py, and exits once
 * the client has sent GOAWAY and every response is out, or at the deadline
 * (default 30 s). Prints one line per check on stderr ("serve GET /big",
 * "ping_ack", ...) and "N passed, M failed"; exits 0 when all passed.
 *
 * The core runs in ACK mode with a 65,535-octet stream receive window, so
 * the client's 1 MiB upload depends on our WINDOW_UPDATEs; DATA goes out in
 * pieces of at most min(hyper_h2_conn_local_flow_control_window(),
 * hyper_h2_conn_max_outbound_frame_size()).
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

#define WHO "h2_server_driver"
#define MAX_REC 128
#define MAX_TR 8
#define ERRLEN 512

typedef struct srec {
  int used;
  uint32_t id;
  int pushed;
  char method[16], path[128], scheme[16], authority[128];
  size_t bighead_len; /* length of the request's x-big-req field */
  /* request */
  iop_buf body;
  size_t max_frame;
  char tn[MAX_TR][64], tv[MAX_TR][256];
  size_t ntr;
  /* response body and trailers, sent as the windows allow */
  iop_buf own;
  const uint8_t *out;
  size_t out_len, out_off;
  hyper_field rtr[MAX_TR];
  size_t nrtr;
  char fnv[24];
  int out_active;
} srec;

typedef struct srv {
  int fd;
  hyper_h2_conn *c;
  srec r[MAX_REC];
  iop_result *res;
  uint64_t t_conn;
  size_t pings, ping_acks, remote_resets;
  uint32_t ifw_before_shrink;
  int settings_sent, settings_acked, client_change_seen;
  int goaway;
  uint32_t goaway_code;
  int eof, dead;
  char why[ERRLEN];
  uint8_t *big;
} srv;

static const uint8_t SERVER_PING[8] = {'h', 'y', 'p', 'e', 'r', 's', 'r', 'v'};

static void die_conn(srv *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void die_conn(srv *s, const char *fmt, ...) {
  if (!s->dead) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
  }
  s->dead = 1;
}

static srec *rec_find(srv *s, uint32_t id) {
  for (int i = 0; i < MAX_REC; i++)
    if (s->r[i].used && s->r[i].id == id)
      return &s->r[i];
  return NULL;
}

static srec *rec_new(srv *s, uint32_t id) {
  for (int i = 0; i < MAX_REC; i++)
    if (!s->r[i].used) {
      memset(&s->r[i], 0, sizeof s->r[i]);
      s->r[i].used = 1;
      s->r[i].id = id;
      return &s->r[i];
    }
  return NULL;
}

static void rec_release(srec *r) {
  if (!r || !r->used)
    return;
  iop_buf_free(&r->body);
  iop_buf_free(&r->own);
  r->used = 0;
}

/* One check per served request: records it and forgets the stream. */
static void served(srv *s, srec *r, int ok, const char *why) {
  char name[192];
  snprintf(name, sizeof name, "serve %s %s (stream %u)",
           r->pushed ? "PUSH" : r->method, r->path, (unsigned)r->id);
  iop_record(s->res, WHO, name, ok, why, iop_now_ms() - s->t_conn);
  rec_release(r);
}

static void api_fail(srv *s, srec *r, const char *call, int rv) {
  char why[256];
  snprintf(why, sizeof why, "%s: %s (%s)", call, hyper_err_name(rv),
           hyper_h2_conn_last_error(s->c)->desc);
  served(s, r, 0, why);
}

/* ---- responses ------------------------------------------------------------
 */

/* Sends the final response head; then |len| octets of |body| (not copied:
 * must stay valid until sent; NULL with |len| 0) and the |ntr| trailers in
 * r->rtr, or END_STREAM on the head when there is neither. */
static void respond(srv *s, srec *r, const hyper_field *f, size_t n,
                    const uint8_t *body, size_t len, size_t ntr) {
  int end = len == 0 && ntr == 0;
  int rv = hyper_h2_submit_response(s->c, r->id, f, n, end);
  if (rv) {
    api_fail(s, r, "submit_response", rv);
    return;
  }
  if (end) {
    served(s, r, 1, "");
    return;
  }
  r->out = body;
  r->out_len = len;
  r->out_off = 0;
  r->nrtr = ntr;
  r->out_active = 1;
}

static void pump_sends(srv *s) {
  for (int i = 0; i < MAX_REC; i++) {
    srec *r = &s->r[i];
    if (!r->used || !r->out_active)
      continue;
    while (r->out_off < r->out_len) {
      int64_t avail = hyper_h2_conn_local_flow_control_window(s->c, r->id);
      if (avail < 0) {
        api_fail(s, r, "local_flow_control_window", (int)avail);
        break;
      }
      if (avail == 0)
        break;
      size_t n = r->out_len - r->out_off;
      if ((uint64_t)avail < n)
        n = (size_t)avail;
      if (hyper_h2_conn_max_outbound_frame_size(s->c) < n)
        n = hyper_h2_conn_max_outbound_frame_size(s->c);
      int last = n == r->out_len - r->out_off && r->nrtr == 0;
      int rv = hyper_h2_send_data(s->c, r->id, r->out + r->out_off, n, last);
      if (rv) {
        api_fail(s, r, "send_data", rv);
        break;
      }
      r->out_off += n;
    }
    if (!r->used || r->out_off < r->out_len)
      continue;
    int rv =
        r->nrtr ? hyper_h2_submit_trailers(s->c, r->id, r->rtr, r->nrtr) : 0;
    if (rv)
      api_fail(s, r, "submit_trailers", rv);
    else
      served(s, r, 1, "");
  }
}

static void on_request_head(srv *s, srec *r) {
  int shrink = strcmp(r->path, "/shrink") == 0;
  if (!shrink && strcmp(r->path, "/settings") != 0)
    return;
  /* mid-flight: the response head, then new SETTINGS before the body */
  hyper_field f[1] = {iop_field(":status", "200")};
  int rv = hyper_h2_submit_response(s->c, r->id, f, 1, 0);
  if (rv) {
    api_fail(s, r, "submit_response", rv);
    return;
  }
  hyper_h2_setting set[3] = {
      {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, IOP_SETTINGS_IFW},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, IOP_SETTINGS_MFS},
      {HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, IOP_SETTINGS_HTS}};
  if (shrink) {
    /* the client is uploading: its stream window goes negative */
    s->ifw_before_shrink =
        hyper_h2_conn_local_settings(s->c)->initial_window_size;
    set[0].value = IOP_SHRINK_IFW;
  }
  rv = hyper_h2_update_settings(s->c, set, shrink ? 1 : 3);
  if (rv) {
    api_fail(s, r, "update_settings", rv);
    return;
  }
  if (!shrink)
    s->settings_sent = 1;
}

/* Sends r->own (already filled) as the rest of a response whose head is
 * out. */
static void send_own(srec *r) {
  r->out = r->own.p;
  r->out_len = r->own.len;
  r->out_off = 0;
  r->nrtr = 0;
  r->out_active = 1;
}

static void on_request_end(srv *s, srec *r) {
  const char *p = r->path;
  if (strcmp(p, "/empty") == 0) {
    hyper_field f[2] = {iop_field(":status", "200"),
                        iop_field("content-length", "0")};
    respond(s, r, f, 2, NULL, 0, 0);
  } else if (strcmp(p, "/big") == 0 || strcmp(p, "/big?abort") == 0) {
    hyper_field f[3] = {iop_field(":status", "200"),
                        iop_field("content-length", "1048576"),
                        iop_field("content-type", "application/octet-stream")};
    respond(s, r, f, 3, s->big, IOP_BIG_LEN, 0);
  } else if (strcmp(p, "/trailers") == 0) {
    const char *b = IOP_TRAILERS_BODY;
    snprintf(r->fnv, sizeof r->fnv, "%016llx",
             (unsigned long long)iop_fnv1a64((const uint8_t *)b, strlen(b)));
    r->rtr[0] = iop_field("x-trailer", "yes");
    r->rtr[1] = iop_field("x-body-fnv", r->fnv);
    hyper_field f[1] = {iop_field(":status", "200")};
    respond(s, r, f, 1, (const uint8_t *)b, strlen(b), 2);
  } else if (strcmp(p, "/early") == 0) {
    hyper_field i[2] = {iop_field(":status", "103"),
                        iop_field("link", "</style.css>; rel=preload")};
    int rv = hyper_h2_submit_informational(s->c, r->id, i, 2);
    if (rv) {
      api_fail(s, r, "submit_informational", rv);
      return;
    }
    hyper_field f[1] = {iop_field(":status", "200")};
    respond(s, r, f, 1, (const uint8_t *)"early\n", 6, 0);
  } else if (strcmp(p, "/push") == 0) {
    hyper_field preq[4] = {
        iop_field(":method", "GET"), iop_field(":scheme", r->scheme),
        iop_field(":authority", r->authority[0] ? r->authority : "127.0.0.1"),
        iop_field(":path", "/pushed.css")};
    uint32_t pid = 0;
    int rv = hyper_h2_push_promise(s->c, r->id, preq, 4, &pid);
    if (rv) {
      api_fail(s, r, "push_promise", rv);
      return;
    }
    srec *pr = rec_new(s, pid);
    if (!pr) {
      served(s, r, 0, "too many streams");
      return;
    }
    pr->pushed = 1;
    snprintf(pr->path, sizeof pr->path, "/pushed.css");
    hyper_field pf[2] = {iop_field(":status", "200"),
                         iop_field("content-type", "text/css")};
    respond(s, pr, pf, 2, (const uint8_t *)IOP_PUSHED_BODY,
            strlen(IOP_PUSHED_BODY), 0);
    hyper_field f[1] = {iop_field(":status", "200")};
    respond(s, r, f, 1, (const uint8_t *)"pushed\n", 7, 0);
  } else if (strcmp(p, "/reset") == 0) {
    hyper_field f[1] = {iop_field(":status", "200")};
    int rv = hyper_h2_submit_response(s->c, r->id, f, 1, 0);
    if (rv == 0)
      rv = hyper_h2_reset_stream(s->c, r->id, HYPER_H2_CANCEL);
    if (rv)
      api_fail(s, r, "submit_response/reset_stream", rv);
    else
      served(s, r, 1, "");
  } else if (strcmp(p, "/settings") == 0) {
    /* the head went out when the request arrived (on_request_head) */
    iop_buf_addf(&r->own, "len=%zu maxframe=%zu match=%d", r->body.len,
                 r->max_frame, iop_pattern_ok(r->body.p, r->body.len));
    send_own(r);
  } else if (strcmp(p, "/shrink") == 0) {
    hyper_h2_setting set[1] = {
        {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, s->ifw_before_shrink}};
    int rv = hyper_h2_update_settings(s->c, set, 1);
    if (rv) {
      api_fail(s, r, "update_settings (restore)", rv);
      return;
    }
    iop_buf_addf(&r->own, "len=%zu match=%d", r->body.len,
                 iop_pattern_ok(r->body.p, r->body.len));
    send_own(r);
  } else if (strcmp(p, "/bighead") == 0) {
    char len[24];
    char *val = malloc(IOP_BIGHEAD_LEN + 1);
    if (!val) {
      served(s, r, 0, "out of memory");
      return;
    }
    iop_bighead_value(val, IOP_BIGHEAD_LEN);
    val[IOP_BIGHEAD_LEN] = 0;
    snprintf(len, sizeof len, "%zu", r->bighead_len);
    hyper_field f[3] = {iop_field(":status", "200"),
                        iop_field("x-big-resp", val),
                        iop_field("x-req-len", len)};
    f[1].flags = HYPER_FIELD_NO_INDEX;
    respond(s, r, f, 3, (const uint8_t *)"bighead\n", 8, 0);
    free(val); /* the head was encoded during the call */
  } else if (strcmp(p, "/padded") == 0) {
    /* the send API has no padding: the same bytes, unpadded */
    hyper_field f[1] = {iop_field(":status", "200")};
    respond(s, r, f, 1, s->big, IOP_PADDED_LEN, 0);
  } else if (strcmp(p, "/echo") == 0) {
    char cl[24];
    snprintf(cl, sizeof cl, "%zu", r->body.len);
    hyper_field f[2] = {iop_field(":status", "200"),
                        iop_field("content-length", cl)};
    for (size_t i = 0; i < r->ntr; i++)
      r->rtr[i] = iop_field(r->tn[i], r->tv[i]);
    r->own = r->body; /* move: the request body is the response body */
    memset(&r->body, 0, sizeof r->body);
    respond(s, r, f, 2, r->own.p, r->own.len, r->ntr);
  } else if (strcmp(p, "/stats") == 0) {
    const hyper_h2_settings *rs = hyper_h2_conn_remote_settings(s->c);
    iop_buf_addf(&r->own,
                 "pings=%zu pingacks=%zu ifw=%u mfs=%u hts=%u resets=%zu",
                 s->pings, s->ping_acks, (unsigned)rs->initial_window_size,
                 (unsigned)rs->max_frame_size, (unsigned)rs->header_table_size,
                 s->remote_resets);
    hyper_field f[1] = {iop_field(":status", "200")};
    respond(s, r, f, 1, r->own.p, r->own.len, 0);
  } else {
    hyper_field f[1] = {iop_field(":status", "404")};
    int rv = hyper_h2_submit_response(s->c, r->id, f, 1, 1);
    served(s, r, 0, rv ? "submit_response failed" : "unknown path (404)");
  }
}

/* ---- the socket loop ----------------------------------------------------- */

static int has_change(const hyper_h2_event *ev, uint16_t id, uint32_t value) {
  for (size_t i = 0; i < ev->u.settings.count; i++)
    if (ev->u.settings.changes[i].id == id &&
        ev->u.settings.changes[i].new_value == value)
      return 1;
  return 0;
}

static void on_event(srv *s, const hyper_h2_event *ev) {
  srec *r = ev->stream_id ? rec_find(s, ev->stream_id) : NULL;
  switch (ev->type) {
  case HYPER_H2_EV_REQUEST_RECEIVED: {
    const hyper_field *f = ev->u.headers.fields;
    size_t n = ev->u.headers.nfields;
    r = rec_new(s, ev->stream_id);
    if (!r) {
      die_conn(s, "%s%s", "too many streams", "");
      break;
    }
    iop_get(f, n, ":method", r->method, sizeof r->method);
    iop_get(f, n, ":path", r->path, sizeof r->path);
    iop_get(f, n, ":scheme", r->scheme, sizeof r->scheme);
    iop_get(f, n, ":authority", r->authority, sizeof r->authority);
    const hyper_field *big = iop_find(f, n, "x-big-req");
    r->bighead_len = big ? big->value_len : 0;
    on_request_head(s, r);
    break;
  }
  case HYPER_H2_EV_DATA_RECEIVED:
    if (r) {
      if (iop_buf_add(&r->body, ev->u.data.data, ev->u.data.len))
        die_conn(s, "%s%s", "out of memory", "");
      if (ev->u.data.len > r->max_frame)
        r->max_frame = ev->u.data.len;
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
      for (size_t i = 0; i < ev->u.headers.nfields && r->ntr < MAX_TR; i++) {
        const hyper_field *f = &ev->u.headers.fields[i];
        snprintf(r->tn[r->ntr], sizeof r->tn[0], "%.*s", (int)f->name_len,
                 (const char *)f->name);
        snprintf(r->tv[r->ntr], sizeof r->tv[0], "%.*s", (int)f->value_len,
                 (const char *)f->value);
        r->ntr++;
      }
    break;
  case HYPER_H2_EV_STREAM_ENDED:
    if (r && !r->pushed)
      on_request_end(s, r);
    break;
  case HYPER_H2_EV_STREAM_RESET:
    if (ev->u.reset.remote)
      s->remote_resets++;
    if (r && ev->u.reset.remote && strcmp(r->path, "/big?abort") == 0) {
      served(s, r, 1, ""); /* the client aborts this one on purpose */
    } else if (r) {
      char why[96];
      snprintf(why, sizeof why, "reset by the %s (%s)",
               ev->u.reset.remote ? "client" : "core",
               hyper_h2_code_name(ev->u.reset.error_code));
      served(s, r, 0, why);
    }
    break;
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED:
    if (has_change(ev, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, IOP_CLIENT_IFW) &&
        has_change(ev, HYPER_H2_SETTINGS_MAX_FRAME_SIZE, IOP_CLIENT_MFS) &&
        has_change(ev, HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, IOP_CLIENT_HTS) &&
        !s->client_change_seen) {
      s->client_change_seen = 1;
      iop_record(s->res, WHO, "remote_settings_changed (client's change)", 1,
                 "", iop_now_ms() - s->t_conn);
    }
    break;
  case HYPER_H2_EV_SETTINGS_ACKED:
    if (s->settings_sent && !s->settings_acked &&
        has_change(ev, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE,
                   IOP_SETTINGS_IFW) &&
        has_change(ev, HYPER_H2_SETTINGS_MAX_FRAME_SIZE, IOP_SETTINGS_MFS) &&
        has_change(ev, HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, IOP_SETTINGS_HTS)) {
      s->settings_acked = 1;
      int ok = hyper_h2_conn_local_settings(s->c)->max_frame_size ==
               IOP_SETTINGS_MFS;
      iop_record(s->res, WHO, "settings_acked (mid-flight change)", ok,
                 "local max_frame_size not updated", iop_now_ms() - s->t_conn);
    }
    break;
  case HYPER_H2_EV_PING_RECEIVED:
    s->pings++;
    break;
  case HYPER_H2_EV_PING_ACK_RECEIVED:
    if (memcmp(ev->u.ping.opaque, SERVER_PING, 8) == 0 && !s->ping_acks++)
      iop_record(s->res, WHO, "ping_ack", 1, "", iop_now_ms() - s->t_conn);
    break;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    s->goaway = 1;
    s->goaway_code = ev->u.goaway.error_code;
    break;
  default:
    break;
  }
}

static void feed(srv *s, const uint8_t *buf, size_t n) {
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
      die_conn(s, "%s%s", "hyper_h2_conn_recv consumed nothing", "");
      return;
    }
    off += (size_t)used;
  }
}

static int sending(const srv *s) {
  for (int i = 0; i < MAX_REC; i++)
    if (s->r[i].used && s->r[i].out_active)
      return 1;
  return 0;
}

static void serve(srv *s, uint64_t deadline) {
  uint8_t buf[65536];
  for (;;) {
    int rv = hyper_h2_conn_set_time(s->c, iop_now_ms());
    if (rv) {
      die_conn(s, "set_time: %s%s", hyper_err_name(rv), "");
      return;
    }
    pump_sends(s);
    int fr = iop_flush(s->c, s->fd);
    if (fr < 0) {
      die_conn(s, "send: %s%s", strerror(errno), "");
      return;
    }
    /* done: the client said goodbye and everything is out */
    if (s->goaway && !fr && !sending(s))
      return;
    uint64_t now = iop_now_ms();
    if (now >= deadline) {
      die_conn(s, "%s%s", "deadline reached", "");
      return;
    }
    struct pollfd pfd = {s->fd, (short)(POLLIN | (fr ? POLLOUT : 0)), 0};
    int pr = poll(&pfd, 1, (int)(deadline - now < 250 ? deadline - now : 250));
    if (pr < 0 && errno != EINTR) {
      die_conn(s, "poll: %s%s", strerror(errno), "");
      return;
    }
    if (pr <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
      continue;
    ssize_t n = recv(s->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      continue;
    if (n <= 0) {
      s->eof = 1;
      die_conn(s, "connection closed by the client without GOAWAY%s%s",
               n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
      return;
    }
    feed(s, buf, (size_t)n);
    if (s->dead)
      return;
  }
}

int main(int argc, char **argv) {
  long deadline_ms = 30000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--deadline-ms") == 0 && i + 1 < argc) {
      deadline_ms = atol(argv[++i]);
    } else {
      fprintf(stderr, "usage: h2_server_driver [--deadline-ms N]\n");
      return 2;
    }
  }
  if (deadline_ms <= 0)
    return 2;
  uint64_t deadline = iop_now_ms() + (uint64_t)deadline_ms;
  iop_result res;
  memset(&res, 0, sizeof res);

  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sa;
  if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 ||
      listen(ls, 4) < 0 || getsockname(ls, (struct sockaddr *)&sa, &sl) < 0 ||
      iop_set_nonblock(ls) < 0) {
    fprintf(stderr, WHO ": listen: %s\n", strerror(errno));
    if (ls >= 0)
      close(ls);
    return 1;
  }
  printf("PORT %u\n", (unsigned)ntohs(sa.sin_port));
  fflush(stdout);

  srv *s = calloc(1, sizeof *s);
  if (!s) {
    close(ls);
    return 1;
  }
  s->fd = -1;
  s->res = &res;
  s->big = malloc(IOP_BIG_LEN);
  if (!s->big)
    die_conn(s, "%s%s", "out of memory", "");
  else
    iop_pattern_fill(s->big, IOP_BIG_LEN);
  while (!s->dead && s->fd < 0) {
    uint64_t now = iop_now_ms();
    if (now >= deadline) {
      die_conn(s, "%s%s", "no connection before the deadline", "");
      break;
    }
    struct pollfd pfd = {ls, POLLIN, 0};
    int pr = poll(&pfd, 1, (int)(deadline - now));
    if (pr < 0 && errno != EINTR)
      die_conn(s, "poll: %s%s", strerror(errno), "");
    if (pr > 0) {
      s->fd = accept(ls, NULL, NULL);
      if (s->fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
          errno != EINTR)
        die_conn(s, "accept: %s%s", strerror(errno), "");
    }
  }
  close(ls);
  if (!s->dead && iop_set_nonblock(s->fd) < 0)
    die_conn(s, "fcntl: %s%s", strerror(errno), "");
  s->t_conn = iop_now_ms();
  if (!s->dead) {
    hyper_h2_config cfg;
    hyper_h2_config_init(&cfg, HYPER_H2_ROLE_SERVER);
    cfg.settings.initial_window_size = HYPER_H2_DEFAULT_WINDOW;
    cfg.recv_mode = HYPER_H2_RECV_ACK;
    int rv = hyper_h2_conn_new(&s->c, &cfg, NULL);
    if (rv == 0)
      rv = hyper_h2_conn_initiate(s->c);
    if (rv == 0)
      rv = hyper_h2_ping(s->c, SERVER_PING);
    if (rv)
      die_conn(s, "conn_new/initiate/ping: %s%s", hyper_err_name(rv), "");
  }
  if (!s->dead)
    serve(s, deadline);
  if (s->c)
    iop_flush(s->c, s->fd);

  /* connection-level checks, the root cause first */
  uint64_t el = iop_now_ms() - s->t_conn;
  if (s->dead)
    iop_record(&res, WHO, "connection", 0, s->why, el);
  if (!s->ping_acks)
    iop_record(&res, WHO, "ping_ack", 0, "our PING was not acknowledged", el);
  if (!s->settings_acked)
    iop_record(&res, WHO, "settings_acked (mid-flight change)", 0,
               "no SETTINGS_ACKED for the /settings change", el);
  if (!s->client_change_seen)
    iop_record(&res, WHO, "remote_settings_changed (client's change)", 0,
               "the client's SETTINGS change was not seen", el);
  for (int i = 0; i < MAX_REC; i++)
    if (s->r[i].used)
      served(s, &s->r[i], 0, "unfinished when the connection ended");
  char why[64];
  snprintf(why, sizeof why, "client sent GOAWAY(%s)",
           s->goaway ? hyper_h2_code_name(s->goaway_code) : "none");
  iop_record(&res, WHO, "client_goaway",
             s->goaway && s->goaway_code == HYPER_H2_NO_ERROR, why, el);

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
