/*
 * bench/e2e_client.c — the hyper side of bench/e2e.sh: a small load client
 * written on the public blocking API (include/hyper/client.h) only, the
 * way an application would use it.
 *
 * Modes (first argument):
 *   get       N GET requests of PATH over C connections with M streams in
 *             flight on each (h2load -cC -mM -nN). One thread drives every
 *             connection: each keeps M requests outstanding; the oldest
 *             response of a connection is fetched, its body read whole
 *             (hyper_resp_read_all) and freed, and a new request takes its
 *             place; connections are served round-robin. M = 1, C = 1 is the
 *             latency-bound "one request at a time" workload.
 *   download  GET PATH once and read the body with hyper_resp_read() into a
 *             256 KiB buffer (data is discarded, its length checked).
 *   upload    POST the contents of --file FILE (read into memory first, as
 *             curl --data-binary @FILE does) or else SIZE octets of a
 *             pattern to PATH; the response body is read and discarded.
 *   exec      e2e_client exec -- CMD ARGS...: runs CMD and prints its wall
 *             time and CPU (user, sys from getrusage(RUSAGE_CHILDREN), microsecond
 *             resolution)
 *             and peak RSS on stderr as "exec: wall_s=... cpu_s=...
 *             user_s=... sys_s=... maxrss_kib=..."; exits with CMD's status.
 *             e2e.sh measures every tool (this client included) this way.
 *   mem       Opens M streams at once on one connection (the server must
 *             allow M concurrent streams), then fetches every response.
 *             Reports the library's live heap bytes (through a counting
 *             hyper_mem) after the connection is up, with the M requests
 *             open, and with every response head and body (PATH) received
 *             but not read; bytes per open stream = difference / M.
 *
 * Output: one line "key=value ..." per run (parsed by e2e.sh), with the
 * wall time, the process CPU (user+sys from getrusage, whole process),
 * requests/s or MB/s, CPU µs per request, the number of heap allocations
 * made through the hook, peak RSS (KiB). Every response must have :status
 * 200 (and, when given, a body of --expect octets); anything else is an
 * error (exit 1).
 *
 * Usage: e2e_client MODE HOST:PORT [--tls] [--ca FILE] [--path P] [-n N]
 *                   [-c C] [-m M] [--size BYTES] [--expect BYTES]
 *                   [--warmup N] [--no-decode] [--coalesce] [--poll]
 *                   [--file F]
 * --coalesce sets the client option coalesce_requests (pipelined requests
 * share one write; see client.h).
 * --poll (mode get): instead of fetching the oldest response of each
 * connection in turn (a blocking wait on that one connection), wait on all
 * connections at once with hyper_client_poll() and fetch every response
 * hyper_client_response_state() reports complete: the way a program keeps
 * several connections busy from one thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hyper/client.h"

/* ---- counting allocator ------------------------------------------------ */

typedef struct counter {
  uint64_t allocs; /* malloc/calloc/realloc(NULL) calls */
  int64_t live;    /* bytes currently allocated (sizes asked for) */
  int64_t peak;
} counter;

static counter g_ctr;

/* A size header in front of every block so that free() knows the size. */
#define HDR 16

static void *c_malloc(size_t n, void *u) {
  counter *c = u;
  unsigned char *p = malloc(n + HDR);
  if (!p)
    return NULL;
  memcpy(p, &n, sizeof n);
  c->allocs++;
  c->live += (int64_t)n;
  if (c->live > c->peak)
    c->peak = c->live;
  return p + HDR;
}

static void *c_calloc(size_t k, size_t n, void *u) {
  if (n && k > SIZE_MAX / n)
    return NULL;
  void *p = c_malloc(k * n, u);
  if (p)
    memset(p, 0, k * n);
  return p;
}

static void c_free(void *ptr, void *u) {
  counter *c = u;
  if (!ptr)
    return;
  unsigned char *p = (unsigned char *)ptr - HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  c->live -= (int64_t)n;
  free(p);
}

static void *c_realloc(void *ptr, size_t n, void *u) {
  counter *c = u;
  if (!ptr)
    return c_malloc(n, u);
  unsigned char *p = (unsigned char *)ptr - HDR;
  size_t old;
  memcpy(&old, p, sizeof old);
  unsigned char *q = realloc(p, n + HDR);
  if (!q)
    return NULL;
  memcpy(q, &n, sizeof n);
  c->allocs++;
  c->live += (int64_t)n - (int64_t)old;
  if (c->live > c->peak)
    c->peak = c->live;
  return q + HDR;
}

static const hyper_mem g_mem = {&g_ctr, c_malloc, c_calloc, c_realloc,
                                c_free};

/* ---- options ------------------------------------------------------------ */

typedef struct cfg {
  const char *mode, *host, *ca, *path, *file;
  int tls;
  uint64_t n, warmup;
  unsigned conns, streams;
  uint64_t size;
  int64_t expect; /* -1: not checked */
  int decode;
  int coalesce;
  int poll; /* drive the connections with hyper_client_poll() */
} cfg;

static void usage(void) {
  fprintf(stderr,
          "usage: e2e_client exec -- CMD [ARGS...]\n"
          "       e2e_client get|download|upload|mem HOST:PORT [--tls] "
          "[--ca FILE]\n"
          "       [--path P] [-n N] [-c C] [-m M] [--size BYTES] "
          "[--expect BYTES]\n"
          "       [--warmup N] [--no-decode] [--coalesce] [--poll] [--file F]\n");
  exit(2);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static int fail(hyper_client *c, const char *what, int rv) {
  fprintf(stderr, "e2e_client: %s: %s (%s)\n", what, hyper_err_name(rv),
          c ? hyper_client_last_error(c)->desc : "");
  return 1;
}

static int new_client(const cfg *g, hyper_client **out) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = g->tls;
  o.ca_file = g->ca;
  o.decode_content = g->decode;
#ifndef E2E_NO_COALESCE /* for measuring trees older than the option */
  /* with --poll every request waits for the poll (one write a batch) */
  o.coalesce_requests = g->coalesce && g->poll ? 2 : g->coalesce;
#endif
  o.accept_encoding = NULL; /* like h2load: no accept-encoding */
  int rv = hyper_client_new(out, g->host, &o, &g_mem);
  if (rv)
    return fail(NULL, "hyper_client_new", rv);
  if ((rv = hyper_client_connect(*out)) != 0) {
    fail(*out, "connect", rv);
    hyper_client_free(*out);
    return 1;
  }
  return 0;
}

/* Fetches the response of |id|, reads it whole, checks it. Returns the
 * body length or -1. */
static int64_t finish_one(const cfg *g, hyper_client *c, uint32_t id) {
  hyper_resp *r;
  int rv = hyper_client_get_response(c, id, &r);
  if (rv) {
    fail(c, "get_response", rv);
    return -1;
  }
  hyper_slice body;
  rv = hyper_resp_read_all(r, &body);
  int st = hyper_resp_status(r);
  hyper_resp_free(r);
  if (rv) {
    fail(c, "read_all", rv);
    return -1;
  }
  if (st != 200 || (g->expect >= 0 && (int64_t)body.len != g->expect)) {
    fprintf(stderr, "e2e_client: status %d, body %zu octets\n", st, body.len);
    return -1;
  }
  return (int64_t)body.len;
}

/* ---- get ----------------------------------------------------------------- */

typedef struct conn {
  hyper_client *c;
  uint32_t *ring; /* outstanding stream ids, oldest first */
  unsigned head, count;
} conn;

/* Makes requests on |x| until it has g->streams outstanding or |*issued|
 * reaches |total|. 0 or 1. */
static int top_up(const cfg *g, conn *x, uint64_t *issued, uint64_t total) {
  while (x->count < g->streams && *issued < total) {
    uint32_t id;
    int rv = hyper_client_request(x->c, "GET", g->path, NULL, 0, NULL, &id);
    if (rv)
      return fail(x->c, "request", rv);
    x->ring[(x->head + x->count) % g->streams] = id;
    x->count++;
    (*issued)++;
  }
  return 0;
}

/* Fetches, reads and checks the oldest outstanding response of |x| and
 * takes it off the ring, adding its body length to |*bytes|. 0 or 1. */
static int finish_oldest(const cfg *g, conn *x, uint64_t *bytes) {
  uint32_t id = x->ring[x->head];
  x->head = (x->head + 1) % g->streams;
  x->count--;
  int64_t len = finish_one(g, x->c, id);
  if (len < 0)
    return 1;
  *bytes += (uint64_t)len;
  return 0;
}

/* Runs |total| requests over the connections; 0 or 1. */
static int run_get(const cfg *g, conn *cs, uint64_t total, uint64_t *bytes) {
  uint64_t issued = 0, done = 0;
  while (done < total) {
    for (unsigned k = 0; k < g->conns; k++) {
      conn *x = &cs[k];
      if (top_up(g, x, &issued, total) != 0)
        return 1;
      if (x->count == 0)
        continue;
      if (finish_oldest(g, x, bytes) != 0)
        return 1;
      done++;
    }
  }
  return 0;
}

/* run_get() with hyper_client_poll(): every connection keeps M requests
 * in flight; after each poll, every complete response is fetched, read,
 * checked and replaced by a new request. */
static int run_get_poll(const cfg *g, conn *cs, hyper_client **cls,
                        uint64_t total, uint64_t *bytes) {
  uint64_t issued = 0, done = 0;
  while (done < total) {
    for (unsigned k = 0; k < g->conns; k++) {
      conn *x = &cs[k];
      if (top_up(g, x, &issued, total) != 0)
        return 1;
    }
    int rv = hyper_client_poll(cls, g->conns, 10000);
    if (rv < 0)
      return fail(NULL, "poll", rv);
    if (rv == 0) {
      fprintf(stderr, "e2e_client: no response for 10 s\n");
      return 1;
    }
    for (unsigned k = 0; k < g->conns; k++) {
      conn *x = &cs[k];
      /* responses of one connection complete about in order: take the
       * complete ones at the front of the ring */
      while (x->count > 0) {
        uint32_t id = x->ring[x->head];
        int st = hyper_client_response_state(x->c, id);
        if (st < 0)
          return fail(x->c, "response_state", st);
        if (st != HYPER_RESPONSE_COMPLETE)
          break;
        if (finish_oldest(g, x, bytes) != 0)
          return 1;
        done++;
      }
    }
  }
  return 0;
}

static int mode_get(const cfg *g) {
  conn *cs = calloc(g->conns, sizeof *cs);
  if (!cs)
    return 1;
  int status = 1;
  unsigned opened = 0;
  hyper_client **cls = NULL;
  double t0 = now_s(), c0 = cpu_s();
  for (; opened < g->conns; opened++) {
    cs[opened].ring = calloc(g->streams, sizeof *cs[opened].ring);
    if (!cs[opened].ring || new_client(g, &cs[opened].c) != 0)
      goto out;
  }
  double tconn = now_s() - t0;
  cls = calloc(g->conns, sizeof *cls);
  if (!cls)
    goto out;
  for (unsigned k = 0; k < g->conns; k++)
    cls[k] = cs[k].c;
  uint64_t bytes = 0;
  if (g->warmup && (g->poll ? run_get_poll(g, cs, cls, g->warmup, &bytes)
                            : run_get(g, cs, g->warmup, &bytes)) != 0)
    goto out;
  bytes = 0;
  uint64_t a0 = g_ctr.allocs;
  double t1 = now_s(), c1 = cpu_s();
  if ((g->poll ? run_get_poll(g, cs, cls, g->n, &bytes)
               : run_get(g, cs, g->n, &bytes)) != 0)
    goto out;
  double wall = now_s() - t1, cpu = cpu_s() - c1;
  uint64_t allocs = g_ctr.allocs - a0;
  printf("mode=get poll=%d conns=%u streams=%u requests=%" PRIu64
         " connect_s=%.4f wall_s=%.4f cpu_s=%.4f req_per_s=%.0f "
         "cpu_us_per_req=%.3f wall_us_per_req=%.3f allocs_per_req=%.2f "
         "body_bytes=%" PRIu64 " peak_rss_kib=%ld\n",
         g->poll, g->conns, g->streams, g->n, tconn, wall, cpu,
         (double)g->n / wall,
         cpu * 1e6 / (double)g->n, wall * 1e6 / (double)g->n,
         (double)allocs / (double)g->n, bytes, peak_rss_kib());
  (void)c0;
  status = 0;
out:
  for (unsigned k = 0; k < g->conns; k++) {
    hyper_client_free(cs[k].c);
    free(cs[k].ring);
  }
  free(cs);
  free(cls);
  return status;
}

/* ---- download ------------------------------------------------------------ */

static int mode_download(const cfg *g) {
  hyper_client *c;
  double t0 = now_s(), c0 = cpu_s();
  if (new_client(g, &c) != 0)
    return 1;
  size_t cap = 256 * 1024;
  uint8_t *buf = malloc(cap);
  if (!buf) {
    hyper_client_free(c);
    return 1;
  }
  int status = 1;
  uint32_t id;
  hyper_resp *r = NULL;
  uint64_t total = 0;
  int rv = hyper_client_request(c, "GET", g->path, NULL, 0, NULL, &id);
  if (rv) {
    fail(c, "request", rv);
    goto out;
  }
  if ((rv = hyper_client_get_response(c, id, &r)) != 0) {
    fail(c, "get_response", rv);
    goto out;
  }
  if (hyper_resp_status(r) != 200) {
    fprintf(stderr, "e2e_client: status %d\n", hyper_resp_status(r));
    goto out;
  }
  for (;;) {
    size_t got = 0;
    rv = hyper_resp_read(r, buf, cap, &got);
    if (rv) {
      fail(c, "read", rv);
      goto out;
    }
    if (got == 0)
      break;
    total += got;
  }
  if (g->expect >= 0 && (int64_t)total != g->expect) {
    fprintf(stderr, "e2e_client: body %" PRIu64 " octets, expected %" PRId64
                    "\n", total, g->expect);
    goto out;
  }
  double wall = now_s() - t0, cpu = cpu_s() - c0;
  printf("mode=download bytes=%" PRIu64 " wall_s=%.4f cpu_s=%.4f "
         "mb_per_s=%.1f allocs=%" PRIu64 " peak_rss_kib=%ld\n",
         total, wall, cpu, (double)total / wall / 1e6, g_ctr.allocs,
         peak_rss_kib());
  status = 0;
out:
  hyper_resp_free(r);
  hyper_client_free(c);
  free(buf);
  return status;
}

/* ---- upload -------------------------------------------------------------- */

/* Reads the file |path| whole into memory (as curl --data-binary @file
 * does). */
static uint8_t *read_file(const char *path, uint64_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return NULL;
  }
  size_t cap = 1 << 20, len = 0;
  uint8_t *b = malloc(cap);
  while (b) {
    if (len == cap) {
      uint8_t *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
    }
    size_t k = fread(b + len, 1, cap - len, f);
    if (k == 0)
      break;
    len += k;
  }
  fclose(f);
  *size = len;
  return b;
}

static int mode_upload(const cfg *g) {
  uint64_t size = g->size;
  uint8_t *body;
  if (g->file) {
    body = read_file(g->file, &size);
  } else {
    body = malloc(size ? size : 1);
    for (uint64_t i = 0; body && i < size; i++)
      body[i] = (uint8_t)('a' + i % 26);
  }
  if (!body)
    return 1;
  hyper_client *c;
  double t0 = now_s(), c0 = cpu_s();
  if (new_client(g, &c) != 0) {
    free(body);
    return 1;
  }
  int status = 1;
  uint32_t id;
  int rv = hyper_client_request(c, "POST", g->path, body, size, NULL, &id);
  if (rv) {
    fail(c, "request", rv);
    goto out;
  }
  if (finish_one(g, c, id) < 0)
    goto out;
  double wall = now_s() - t0, cpu = cpu_s() - c0;
  printf("mode=upload bytes=%" PRIu64 " wall_s=%.4f cpu_s=%.4f "
         "mb_per_s=%.1f allocs=%" PRIu64 " peak_rss_kib=%ld\n",
         size, wall, cpu, (double)size / wall / 1e6, g_ctr.allocs,
         peak_rss_kib());
  status = 0;
out:
  hyper_client_free(c);
  free(body);
  return status;
}

/* ---- mem ----------------------------------------------------------------- */

static int mode_mem(const cfg *g) {
  hyper_client *c;
  if (new_client(g, &c) != 0)
    return 1;
  unsigned m = g->streams;
  uint32_t *ids = calloc(m, sizeof *ids);
  int status = 1;
  if (!ids)
    goto out;
  int64_t base = g_ctr.live;
  for (unsigned i = 0; i < m; i++) {
    int rv = hyper_client_request(c, "GET", g->path, NULL, 0, NULL, &ids[i]);
    if (rv) {
      fail(c, "request", rv);
      goto out;
    }
  }
  int64_t open = g_ctr.live;
  /* every response arrives (and is held) before any is read */
  hyper_resp *r;
  int rv = hyper_client_get_response(c, ids[m - 1], &r);
  if (rv) {
    fail(c, "get_response", rv);
    goto out;
  }
  hyper_slice b;
  rv = hyper_resp_read_all(r, &b);
  hyper_resp_free(r);
  if (rv) {
    fail(c, "read_all", rv);
    goto out;
  }
  /* the others may still be in flight: ping until everything is in */
  (void)hyper_client_ping(c, 0, NULL);
  int64_t held = g_ctr.live;
  for (unsigned i = 0; i + 1 < m; i++)
    if (finish_one(g, c, ids[i]) < 0)
      goto out;
  printf("mode=mem streams=%u base_bytes=%" PRId64 " open_bytes=%" PRId64
         " held_bytes=%" PRId64 " bytes_per_open_stream=%.1f "
         "bytes_per_stream_with_response=%.1f peak_heap=%" PRId64
         " peak_rss_kib=%ld\n",
         m, base, open, held, (double)(open - base) / m,
         (double)(held - base) / m, g_ctr.peak, peak_rss_kib());
  status = 0;
out:
  free(ids);
  hyper_client_free(c);
  return status;
}

/* ---- exec ---------------------------------------------------------------- */

static int mode_exec(char **argv) {
  double t0 = now_s();
  pid_t pid = fork();
  if (pid < 0) {
    perror("e2e_client: fork");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[0], argv);
    perror("e2e_client: exec");
    _exit(127);
  }
  int st = 0;
  struct rusage ru;
  /* The only child: RUSAGE_CHILDREN is exactly its usage once waited for. */
  if (waitpid(pid, &st, 0) < 0 || getrusage(RUSAGE_CHILDREN, &ru) != 0) {
    perror("e2e_client: waitpid");
    return 1;
  }
  double wall = now_s() - t0;
  double us = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
  double sy = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  fprintf(stderr,
          "exec: wall_s=%.6f cpu_s=%.6f user_s=%.6f sys_s=%.6f "
          "maxrss_kib=%ld\n",
          wall, us + sy, us, sy, ru.ru_maxrss);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* ---- main ------------------------------------------------------------------ */

static uint64_t num(const char *s) {
  char *e;
  unsigned long long v = strtoull(s, &e, 10);
  if (*e == 'k' || *e == 'K')
    v *= 1024, e++;
  else if (*e == 'm' || *e == 'M')
    v *= 1024 * 1024, e++;
  if (*e || e == s)
    usage();
  return v;
}

int main(int argc, char **argv) {
  cfg g = {0};
  g.path = "/";
  g.n = 1;
  g.conns = 1;
  g.streams = 1;
  g.expect = -1;
  g.decode = 1;
  if (argc >= 4 && strcmp(argv[1], "exec") == 0 &&
      strcmp(argv[2], "--") == 0)
    return mode_exec(argv + 3);
  if (argc < 3)
    usage();
  g.mode = argv[1];
  g.host = argv[2];
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tls") == 0) {
      g.tls = 1;
      continue;
    }
    if (strcmp(a, "--no-decode") == 0) {
      g.decode = 0;
      continue;
    }
    if (strcmp(a, "--coalesce") == 0) {
      g.coalesce = 1;
      continue;
    }
    if (strcmp(a, "--poll") == 0) {
      g.poll = 1;
      continue;
    }
    if (!v)
      usage();
    i++;
    if (strcmp(a, "--ca") == 0)
      g.ca = v;
    else if (strcmp(a, "--path") == 0)
      g.path = v;
    else if (strcmp(a, "--file") == 0)
      g.file = v;
    else if (strcmp(a, "-n") == 0)
      g.n = num(v);
    else if (strcmp(a, "-c") == 0)
      g.conns = (unsigned)num(v);
    else if (strcmp(a, "-m") == 0)
      g.streams = (unsigned)num(v);
    else if (strcmp(a, "--size") == 0)
      g.size = num(v);
    else if (strcmp(a, "--expect") == 0)
      g.expect = (int64_t)num(v);
    else if (strcmp(a, "--warmup") == 0)
      g.warmup = num(v);
    else
      usage();
  }
  if (g.conns == 0 || g.streams == 0 || g.n == 0)
    usage();
  if (strcmp(g.mode, "get") == 0)
    return mode_get(&g);
  if (strcmp(g.mode, "download") == 0)
    return mode_download(&g);
  if (strcmp(g.mode, "upload") == 0)
    return mode_upload(&g);
  if (strcmp(g.mode, "mem") == 0)
    return mode_mem(&g);
  usage();
  return 2;
}
