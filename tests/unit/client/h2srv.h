/* A scripted HTTP/2 server for the client tests: hyper's own sans-IO core
 * in the server role, on a thread, over cleartext TCP on 127.0.0.1 (port 0,
 * known before the thread starts). It serves connections one after another
 * until stopped; each request is answered by a handler chosen by :path once
 * the request has ended (or at once, for handlers marked early), so tests
 * can make a server do exactly what a real one rarely does: compressed
 * bodies, empty DATA frames, 1xx, trailers, RST_STREAM or FIN in the middle
 * of a body, GOAWAY, refusing streams.
 *
 * Stopped by a pipe and pthread_join; every wait is bounded by TS_SAFETY_MS
 * so a broken test fails instead of hanging. */
#ifndef HYPER_TEST_H2SRV_H
#define HYPER_TEST_H2SRV_H

#include "client_testserver.h"

#include "hyper/h2.h"

#define H2S_MAX_STREAMS 64

typedef struct h2srv h2srv;

typedef struct h2srv_req {
  uint32_t id;
  char method[16];
  char path[128];
  char accept_encoding[64];
  uint8_t *body;
  size_t len, cap;
  int ended;
  int answered;
} h2srv_req;

/* What a handler does; it may call the h2srv_* helpers below. Returning
 * nonzero closes the connection (TCP FIN) right after flushing. */
typedef int (*h2srv_handler)(h2srv *s, h2srv_req *r);

typedef struct h2srv_route {
  const char *path;
  h2srv_handler fn;
  int early; /* answer when the request head arrives */
} h2srv_route;

struct h2srv {
  const h2srv_route *routes;
  int lfd;
  uint16_t port;
  int stop[2];
  pthread_t th;
  int running;
  hyper_h2_conn *c; /* the current connection (server thread only) */
  int fd;
  h2srv_req reqs[H2S_MAX_STREAMS];
  unsigned nreq;
  unsigned connections; /* accepted so far */
  unsigned requests;    /* requests seen over all connections */
  int goaways;          /* GOAWAY frames received (read with __atomic) */
  uint32_t goaway_code; /* the last one's error code */
  int close_now;
};

/* ---- helpers for handlers ----------------------------------------------- */

static void h2srv_fields(hyper_field *f, size_t *n, const char *name,
                         const char *value) {
  f[*n].name = (const uint8_t *)name;
  f[*n].name_len = strlen(name);
  f[*n].value = (const uint8_t *)value;
  f[*n].value_len = strlen(value);
  f[*n].flags = 0;
  (*n)++;
}

/* Sends a response head: :status and up to 4 name/value pairs (NULL
 * terminated list). */
TS_FN void h2srv_head(h2srv *s, h2srv_req *r, const char *status,
                      const char *const *kv, int end_stream) {
  hyper_field f[8];
  size_t n = 0;
  h2srv_fields(f, &n, ":status", status);
  for (int i = 0; kv && kv[i] && n < 8; i += 2)
    h2srv_fields(f, &n, kv[i], kv[i + 1]);
  (void)hyper_h2_submit_response(s->c, r->id, f, n, end_stream);
}

/* Sends |len| octets as DATA frames of at most |frame| octets. */
TS_FN void h2srv_body(h2srv *s, h2srv_req *r, const void *p, size_t len,
                      size_t frame, int end_stream) {
  const uint8_t *b = p;
  if (len == 0 && end_stream) {
    (void)hyper_h2_send_data(s->c, r->id, NULL, 0, 1);
    return;
  }
  while (len > 0) {
    size_t k = len < frame ? len : frame;
    (void)hyper_h2_send_data(s->c, r->id, b, k, end_stream && k == len);
    b += k;
    len -= k;
  }
}

/* ---- the thread --------------------------------------------------------- */

static int h2srv_flush(h2srv *s) {
  const uint8_t *p;
  size_t n;
  while ((n = hyper_h2_conn_pending(s->c, &p)) > 0) {
    ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && errno == EAGAIN) {
      struct pollfd pf = {s->fd, POLLOUT, 0};
      if (poll(&pf, 1, TS_SAFETY_MS) <= 0)
        return -1;
      continue;
    }
    if (w <= 0)
      return -1;
    (void)hyper_h2_conn_advance(s->c, (size_t)w);
  }
  return 0;
}

static h2srv_req *h2srv_find(h2srv *s, uint32_t id) {
  for (unsigned i = 0; i < s->nreq; i++)
    if (s->reqs[i].id == id)
      return &s->reqs[i];
  return NULL;
}

static void h2srv_answer(h2srv *s, h2srv_req *r) {
  if (r->answered)
    return;
  r->answered = 1;
  for (const h2srv_route *rt = s->routes; rt && rt->path; rt++)
    if (strcmp(rt->path, r->path) == 0) {
      if (rt->fn(s, r))
        s->close_now = 1;
      return;
    }
  h2srv_head(s, r, "404", NULL, 1);
}

static int h2srv_early(h2srv *s, const char *path) {
  for (const h2srv_route *rt = s->routes; rt && rt->path; rt++)
    if (strcmp(rt->path, path) == 0)
      return rt->early;
  return 0;
}

static void h2srv_copy(char *dst, size_t cap, const hyper_field *f) {
  size_t k = f->value_len < cap - 1 ? f->value_len : cap - 1;
  memcpy(dst, f->value, k);
  dst[k] = '\0';
}

static void h2srv_event(h2srv *s, const hyper_h2_event *ev) {
  h2srv_req *r = h2srv_find(s, ev->stream_id);
  switch (ev->type) {
  case HYPER_H2_EV_REQUEST_RECEIVED:
    if (s->nreq == H2S_MAX_STREAMS)
      return;
    r = &s->reqs[s->nreq++];
    memset(r, 0, sizeof *r);
    r->id = ev->stream_id;
    s->requests++;
    for (size_t i = 0; i < ev->u.headers.nfields; i++) {
      const hyper_field *f = &ev->u.headers.fields[i];
      if (f->name_len == 5 && memcmp(f->name, ":path", 5) == 0)
        h2srv_copy(r->path, sizeof r->path, f);
      if (f->name_len == 7 && memcmp(f->name, ":method", 7) == 0)
        h2srv_copy(r->method, sizeof r->method, f);
      if (f->name_len == 15 && memcmp(f->name, "accept-encoding", 15) == 0)
        h2srv_copy(r->accept_encoding, sizeof r->accept_encoding, f);
    }
    if (h2srv_early(s, r->path))
      h2srv_answer(s, r);
    return;
  case HYPER_H2_EV_DATA_RECEIVED:
    if (r && ev->u.data.len) {
      if (r->len + ev->u.data.len > r->cap) {
        size_t nc = (r->len + ev->u.data.len) * 2;
        uint8_t *nb = realloc(r->body, nc);
        if (!nb)
          return;
        r->body = nb;
        r->cap = nc;
      }
      memcpy(r->body + r->len, ev->u.data.data, ev->u.data.len);
      r->len += ev->u.data.len;
    }
    return;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    s->goaway_code = ev->u.goaway.error_code;
    __atomic_add_fetch(&s->goaways, 1, __ATOMIC_SEQ_CST);
    return;
  case HYPER_H2_EV_STREAM_ENDED:
    if (r) {
      r->ended = 1;
      h2srv_answer(s, r);
    }
    return;
  default:
    return;
  }
}

static void h2srv_serve(h2srv *s) {
  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_SERVER);
  if (hyper_h2_conn_new(&s->c, &cfg, NULL) != 0)
    return;
  (void)hyper_h2_conn_initiate(s->c);
  s->nreq = 0;
  s->close_now = 0;
  uint8_t buf[16384];
  for (;;) {
    if (h2srv_flush(s) != 0 || s->close_now)
      break;
    struct pollfd p[2] = {{s->fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
    int pr = poll(p, 2, TS_SAFETY_MS);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0 || (p[1].revents & POLLIN))
      break;
    ssize_t got = recv(s->fd, buf, sizeof buf, 0);
    if (got <= 0)
      break;
    size_t off = 0;
    int bad = 0;
    while (off < (size_t)got) {
      int used = hyper_h2_conn_recv(s->c, buf + off, (size_t)got - off);
      hyper_h2_event ev;
      while (hyper_h2_conn_next_event(s->c, &ev))
        h2srv_event(s, &ev);
      if (used <= 0) {
        bad = 1;
        break;
      }
      off += (size_t)used;
    }
    if (bad) {
      (void)h2srv_flush(s);
      break;
    }
  }
  for (unsigned i = 0; i < s->nreq; i++)
    free(s->reqs[i].body);
  s->nreq = 0;
  hyper_h2_conn_free(s->c);
  s->c = NULL;
}

static void *h2srv_main(void *arg) {
  h2srv *s = arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  for (;;) {
    struct pollfd p[2] = {{s->lfd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
    int pr = poll(p, 2, TS_SAFETY_MS);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0 || (p[1].revents & POLLIN))
      break;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
      continue;
    s->connections++;
    s->fd = fd;
    h2srv_serve(s);
    close(fd);
    s->fd = -1;
  }
  return NULL;
}

/* Starts the server with |routes| (terminated by a {NULL} entry; must
 * outlive the server). Returns 0 or -1. */
TS_FN int h2srv_start(h2srv *s, const h2srv_route *routes) {
  memset(s, 0, sizeof *s);
  s->routes = routes;
  s->fd = -1;
  s->lfd = ts_listen(0, 8, 0, &s->port);
  if (s->lfd < 0)
    return -1;
  if (pipe(s->stop) != 0) {
    close(s->lfd);
    return -1;
  }
  if (pthread_create(&s->th, NULL, h2srv_main, s) != 0) {
    close(s->lfd);
    close(s->stop[0]);
    close(s->stop[1]);
    return -1;
  }
  s->running = 1;
  return 0;
}

TS_FN void h2srv_stop(h2srv *s) {
  if (!s->running)
    return;
  (void)!write(s->stop[1], "x", 1);
  pthread_join(s->th, NULL);
  close(s->lfd);
  close(s->stop[0]);
  close(s->stop[1]);
  s->running = 0;
}

#endif /* HYPER_TEST_H2SRV_H */
