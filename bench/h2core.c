/*
 * bench/h2core.c — the sans-IO HTTP/2 core, hyper against libnghttp2, in one
 * process: GET exchanges through an in-memory client<->server pair, and the
 * memory each side spends per open stream.
 *
 * Throughput. A client core and a server core are wired to each other in
 * memory: the client's pending output is fed to the server's recv and the
 * server's to the client's, zero copy on both sides, events drained after
 * every recv. The workload (the same for both libraries):
 *   - 100,000 GET requests (--exchanges), at most 100 in flight
 *     (--concurrency); whenever responses have come back the client tops the
 *     window up again, then output is moved client -> server -> client;
 *   - request: 6 fields (:method GET, :scheme https, :authority, :path
 *     cycling over 10 values, user-agent, accept), END_STREAM on HEADERS;
 *   - response: :status 200 + content-type, content-length, server, then one
 *     100-byte DATA frame with END_STREAM.
 * Both pairs use the same settings: hyper's defaults, which nghttp2 is
 * raised to (SETTINGS_INITIAL_WINDOW_SIZE 4 MiB, a 16 MiB connection
 * window, max frame 16384, HPACK table 4096, MAX_CONCURRENT_STREAMS 100,
 * MAX_HEADER_LIST_SIZE 65536, ENABLE_PUSH 0 from the client,
 * NO_RFC7540_PRIORITIES 1), automatic flow control on receive (hyper AUTO
 * mode, nghttp2's automatic WINDOW_UPDATE), inbound header validation on
 * (hyper's default, nghttp2's HTTP messaging checks), the C library
 * allocator, no debug output. nghttp2 gets its fastest documented paths:
 * header names and values are passed with NGHTTP2_NV_FLAG_NO_COPY_NAME |
 * NO_COPY_VALUE (hyper encodes straight from the caller's fields), and the
 * chunks nghttp2_session_mem_send() returns (about one frame each) are
 * gathered into one buffer, as a socket writer would, and fed to the peer
 * in one nghttp2_session_mem_recv() call (feeding each chunk directly was
 * measured ~10% slower for nghttp2). hyper's pending output is already one
 * contiguous span and is fed without a copy.
 *
 * Every run is verified: each side must have seen every request and
 * response (:status 200), exactly 100 body octets per exchange, every
 * stream ended without a reset, and no stream may be left open. A mismatch
 * is an error (exit 1). The DATA octets feed a checksum, printed at the end,
 * so that no work can be elided.
 *
 * The two libraries alternate in rounds (default 5; the order flips every
 * round) so that frequency scaling and noise from other processes hit both
 * alike; each round runs the whole workload once per library on a fresh
 * pair (connection setup and teardown are not timed). The reported ratio is
 * the median of the per-round ratios hyper/nghttp2.
 *
 * Memory. With a counting allocator on each side (hyper_mem for hyper,
 * nghttp2_mem with nghttp2_session_{client,server}_new3 for nghttp2), after
 * the handshake, the client opens --mem-streams (default 1000) streams in
 * batches of 10 (one output transfer per batch), the server receives every
 * HEADERS and never answers; (live bytes at N - live bytes at 0) / N is
 * reported for each side. For this the server advertises
 * MAX_CONCURRENT_STREAMS N (both libraries). Live bytes are the sizes asked
 * of the allocator (its own overhead is not counted).
 *
 * Build flags: Debian's libnghttp2 is compiled with -O2; CMake's Release
 * type compiles hyper with -O3. For strict parity configure with
 * -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG".
 *
 * Targets (reported, not asserted): hyper >= 1.5 x nghttp2 exchanges/s, and
 * hyper's memory per open stream <= nghttp2's on each side.
 *
 * Usage: h2core [--exchanges N] [--concurrency C] [--rounds R]
 *               [--mem-streams N] [--only hyper|nghttp2] [--clock wall|cpu]
 * --only runs the throughput part for one library alone (for profilers);
 * the memory part is then skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <nghttp2/nghttp2.h>

#include "hyper/h2.h"

#define TARGET_RATIO 1.5
#define BODY_LEN 100
#define NPATHS 10
#define NREQ 6
#define NRESP 4
#define MEM_BATCH 10
#define STREAM_WINDOW HYPER_H2_DEFAULT_STREAM_RECV_WINDOW
#define CONN_WINDOW HYPER_H2_DEFAULT_CONN_RECV_WINDOW

#if defined(__GNUC__)
#  define NOINLINE __attribute__((noinline))
#else
#  define NOINLINE
#endif

/* nghttp2 1.61 renamed the ssize_t entry points (the old ones are
 * deprecated there); Debian 12 ships 1.52. */
#if NGHTTP2_VERSION_NUM >= 0x013d00
typedef nghttp2_ssize ng_ssize;
typedef nghttp2_data_provider2 ng_data_provider;
#  define ng_mem_send nghttp2_session_mem_send2
#  define ng_mem_recv nghttp2_session_mem_recv2
#  define ng_submit_response nghttp2_submit_response2
#else
typedef ssize_t ng_ssize;
typedef nghttp2_data_provider ng_data_provider;
#  define ng_mem_send nghttp2_session_mem_send
#  define ng_mem_recv nghttp2_session_mem_recv
#  define ng_submit_response nghttp2_submit_response
#endif

/* ------------------------------------------------------------------------ */
/* Utilities                                                                */
/* ------------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void die(const char *fmt, ...);

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("h2core bench: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void *xcalloc(size_t nmemb, size_t size) {
  void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
  if (!p) {
    die("out of memory (%zu x %zu bytes)", nmemb, size);
  }
  return p;
}

/* --clock: CLOCK_MONOTONIC (wall, the default) or the process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID: on a shared machine the time the process was
 * not running is left out, so the ratio is steadier). */
static clockid_t g_clock = CLOCK_MONOTONIC;

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(g_clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, size_t n) {
  double *tmp;
  double m;
  if (n == 0) {
    return 0.0;
  }
  tmp = xcalloc(n, sizeof *tmp);
  memcpy(tmp, v, n * sizeof *tmp);
  qsort(tmp, n, sizeof *tmp, cmp_double);
  m = (n & 1) ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
  free(tmp);
  return m;
}

/* ------------------------------------------------------------------------ */
/* A counting allocator (live and peak bytes), for both libraries' hooks.   */
/* Each block carries its size in a header as large as max_align_t so that  */
/* the pointers handed out keep malloc's alignment.                         */
/* ------------------------------------------------------------------------ */

typedef struct counter {
  size_t live, peak;
  uint64_t nallocs;
} counter;

typedef union mhdr {
  size_t size;
  max_align_t align;
} mhdr;

static void *cnt_alloc(counter *c, size_t n, int zero) {
  mhdr *h;
  if (n > SIZE_MAX - sizeof *h) {
    return NULL;
  }
  h = zero ? calloc(1, sizeof *h + n) : malloc(sizeof *h + n);
  if (!h) {
    return NULL;
  }
  h->size = n;
  c->live += n;
  c->nallocs++;
  if (c->live > c->peak) {
    c->peak = c->live;
  }
  return h + 1;
}

static void cnt_free(counter *c, void *p) {
  mhdr *h;
  if (!p) {
    return;
  }
  h = (mhdr *)p - 1;
  c->live -= h->size;
  free(h);
}

static void *cnt_realloc(counter *c, void *p, size_t n) {
  mhdr *h, *nh;
  size_t old;
  if (!p) {
    return cnt_alloc(c, n, 0);
  }
  if (n > SIZE_MAX - sizeof *h) {
    return NULL;
  }
  h = (mhdr *)p - 1;
  old = h->size;
  nh = realloc(h, sizeof *nh + n);
  if (!nh) {
    return NULL;
  }
  nh->size = n;
  c->live = c->live - old + n;
  c->nallocs++;
  if (c->live > c->peak) {
    c->peak = c->live;
  }
  return nh + 1;
}

static void *hy_cnt_malloc(size_t n, void *user) {
  return cnt_alloc(user, n, 0);
}
static void *hy_cnt_calloc(size_t nmemb, size_t n, void *user) {
  if (n && nmemb > SIZE_MAX / n) {
    return NULL;
  }
  return cnt_alloc(user, nmemb * n, 1);
}
static void *hy_cnt_realloc(void *p, size_t n, void *user) {
  return cnt_realloc(user, p, n);
}
static void hy_cnt_free(void *p, void *user) { cnt_free(user, p); }

static hyper_mem hy_counting_mem(counter *c) {
  hyper_mem m;
  m.user = c;
  m.malloc = hy_cnt_malloc;
  m.calloc = hy_cnt_calloc;
  m.realloc = hy_cnt_realloc;
  m.free = hy_cnt_free;
  return m;
}

static nghttp2_mem ng_counting_mem(counter *c) {
  nghttp2_mem m;
  m.mem_user_data = c;
  m.malloc = hy_cnt_malloc;
  m.free = hy_cnt_free;
  m.calloc = hy_cnt_calloc;
  m.realloc = hy_cnt_realloc;
  return m;
}

/* ------------------------------------------------------------------------ */
/* The workload: the same field bytes for both libraries.                   */
/* ------------------------------------------------------------------------ */

#define NV(n, v) {(const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1}

typedef struct kv {
  const uint8_t *name;
  size_t name_len;
  const uint8_t *value;
  size_t value_len;
} kv;

static const kv REQ_FIXED[NREQ] = {
    NV(":method", "GET"),
    NV(":scheme", "https"),
    NV(":authority", "bench.example.com"),
    NV(":path", ""), /* replaced by PATHS[i] */
    NV("user-agent", "hyper-h2core-bench/1.0"),
    NV("accept", "*/*"),
};
#define PATH_INDEX 3

static const char *const PATHS[NPATHS] = {
    "/",          "/index.html", "/style.css",   "/app.js",
    "/logo.png",  "/api/items",  "/api/user/7",  "/favicon.ico",
    "/fonts/a.woff2", "/static/img/banner.jpg"};

static const kv RESP[NRESP] = {
    NV(":status", "200"),
    NV("content-type", "text/plain"),
    NV("content-length", "100"),
    NV("server", "bench"),
};

typedef struct workload {
  hyper_field req[NPATHS][NREQ];
  nghttp2_nv req_nv[NPATHS][NREQ];
  hyper_field resp[NRESP];
  nghttp2_nv resp_nv[NRESP];
  uint8_t body[BODY_LEN];
  uint64_t exchanges;
  uint32_t concurrency;
} workload;

static void set_field(hyper_field *f, nghttp2_nv *nv, const kv *src,
                      const char *value_override) {
  const uint8_t *value = src->value;
  size_t vlen = src->value_len;
  if (value_override) {
    value = (const uint8_t *)value_override;
    vlen = strlen(value_override);
  }
  f->name = src->name;
  f->name_len = src->name_len;
  f->value = value;
  f->value_len = vlen;
  f->flags = 0;
  /* nghttp2_nv wants non-const pointers; it does not write through them. */
  nv->name = (uint8_t *)(uintptr_t)src->name;
  nv->namelen = src->name_len;
  nv->value = (uint8_t *)(uintptr_t)value;
  nv->valuelen = vlen;
  nv->flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
}

static void workload_init(workload *w, uint64_t exchanges,
                          uint32_t concurrency) {
  size_t p, i;
  memset(w, 0, sizeof *w);
  for (p = 0; p < NPATHS; p++) {
    for (i = 0; i < NREQ; i++) {
      set_field(&w->req[p][i], &w->req_nv[p][i], &REQ_FIXED[i],
                i == PATH_INDEX ? PATHS[p] : NULL);
    }
  }
  for (i = 0; i < NRESP; i++) {
    set_field(&w->resp[i], &w->resp_nv[i], &RESP[i], NULL);
  }
  for (i = 0; i < BODY_LEN; i++) {
    w->body[i] = (uint8_t)('a' + i % 26);
  }
  w->exchanges = exchanges;
  w->concurrency = concurrency;
}

/* What one run observed; both libraries fill the same fields. */
typedef struct tally {
  uint64_t submitted, completed, responses, requests, body_bytes;
  uint64_t req_fields, resp_fields;
  uint64_t wire_c2s, wire_s2c; /* bytes moved each way */
  uint64_t sum;                /* checksum over the DATA octets */
  uint64_t srv_closed;         /* nghttp2: server streams closed */
  uint32_t inflight;
  const char *error; /* first failure, or NULL */
} tally;

static void fail(tally *t, const char *what) {
  if (!t->error) {
    t->error = what;
  }
}

/* Checks a finished run; dies with the details on a mismatch. */
static void verify(const char *lib, const tally *t, const workload *w) {
  uint64_t n = w->exchanges;
  if (t->error) {
    die("%s: %s", lib, t->error);
  }
  if (t->submitted != n || t->completed != n || t->responses != n ||
      t->requests != n || t->body_bytes != n * BODY_LEN ||
      t->req_fields != n * NREQ || t->resp_fields != n * NRESP ||
      t->inflight != 0) {
    die("%s: incomplete run: submitted %" PRIu64 ", requests seen %" PRIu64
        ", responses %" PRIu64 ", completed %" PRIu64 ", body bytes %" PRIu64
        ", request fields %" PRIu64 ", response fields %" PRIu64
        ", in flight %u; want %" PRIu64 " exchanges",
        lib, t->submitted, t->requests, t->responses, t->completed,
        t->body_bytes, t->req_fields, t->resp_fields, t->inflight, n);
  }
}

static int is_status_200(const uint8_t *name, size_t nlen,
                         const uint8_t *value, size_t vlen) {
  return nlen == 7 && memcmp(name, ":status", 7) == 0 && vlen == 3 &&
         memcmp(value, "200", 3) == 0;
}

/* ------------------------------------------------------------------------ */
/* hyper                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct hy_pair {
  hyper_h2_conn *cli, *srv;
  const workload *w;
  tally t;
  int respond; /* the server answers requests (0 in the memory test) */
} hy_pair;

static void hy_drain_server(hy_pair *p) {
  hyper_h2_event ev;
  while (hyper_h2_conn_next_event(p->srv, &ev)) {
    switch (ev.type) {
    case HYPER_H2_EV_REQUEST_RECEIVED:
      p->t.requests++;
      p->t.req_fields += ev.u.headers.nfields;
      if (!ev.end_stream) {
        fail(&p->t, "server: request without END_STREAM");
      }
      if (p->respond &&
          (hyper_h2_submit_response(p->srv, ev.stream_id, p->w->resp, NRESP,
                                    0) != 0 ||
           hyper_h2_send_data(p->srv, ev.stream_id, p->w->body, BODY_LEN,
                              1) != 0)) {
        fail(&p->t, "server: submit_response/send_data failed");
      }
      break;
    case HYPER_H2_EV_STREAM_RESET:
      fail(&p->t, "server: stream reset");
      break;
    case HYPER_H2_EV_CONNECTION_TERMINATED:
      fail(&p->t, "server: GOAWAY received");
      break;
    default:
      break;
    }
  }
}

static void hy_drain_client(hy_pair *p) {
  hyper_h2_event ev;
  while (hyper_h2_conn_next_event(p->cli, &ev)) {
    switch (ev.type) {
    case HYPER_H2_EV_RESPONSE_RECEIVED: {
      const hyper_field *f = ev.u.headers.fields;
      p->t.resp_fields += ev.u.headers.nfields;
      if (ev.u.headers.nfields > 0 &&
          is_status_200(f[0].name, f[0].name_len, f[0].value, f[0].value_len)) {
        p->t.responses++;
      } else {
        fail(&p->t, "client: response is not :status 200");
      }
      break;
    }
    case HYPER_H2_EV_DATA_RECEIVED:
      p->t.body_bytes += ev.u.data.len;
      if (ev.u.data.len) {
        p->t.sum += ev.u.data.data[ev.u.data.len - 1] + ev.u.data.len;
      }
      break;
    case HYPER_H2_EV_STREAM_ENDED:
      p->t.completed++;
      p->t.inflight--;
      break;
    case HYPER_H2_EV_STREAM_RESET:
      fail(&p->t, "client: stream reset");
      break;
    case HYPER_H2_EV_CONNECTION_TERMINATED:
      fail(&p->t, "client: GOAWAY received");
      break;
    default:
      break;
    }
  }
}

/* Feeds |n| bytes to |to|, draining its events after every recv. */
static void hy_feed(hy_pair *p, hyper_h2_conn *to, const uint8_t *in,
                    size_t n) {
  while (n > 0) {
    int rv = hyper_h2_conn_recv(to, in, n);
    if (rv <= 0) {
      fail(&p->t, rv < 0 ? hyper_h2_conn_last_error(to)->desc
                         : "recv consumed nothing");
      return;
    }
    in += rv;
    n -= (size_t)rv;
    if (to == p->srv) {
      hy_drain_server(p);
    } else {
      hy_drain_client(p);
    }
  }
}

/* Moves everything |from| has pending into |to|. Returns the bytes moved. */
static uint64_t hy_transfer(hy_pair *p, hyper_h2_conn *from,
                            hyper_h2_conn *to) {
  uint64_t moved = 0;
  const uint8_t *out;
  size_t n;
  while (!p->t.error && (n = hyper_h2_conn_pending(from, &out)) > 0) {
    hy_feed(p, to, out, n);
    if (hyper_h2_conn_advance(from, n) != 0) {
      fail(&p->t, "advance failed");
    }
    moved += n;
  }
  return moved;
}

static uint64_t hy_pump(hy_pair *p) {
  uint64_t a = hy_transfer(p, p->cli, p->srv);
  uint64_t b = hy_transfer(p, p->srv, p->cli);
  p->t.wire_c2s += a;
  p->t.wire_s2c += b;
  return a + b;
}

/* --outbound-checks off: hyper neither normalises nor validates the header
 * blocks it sends, like nghttp2 (which checks received blocks only). The
 * default keeps hyper's defaults (both on, as h2 does). */
static int g_outbound_checks = 1;

static void hy_pair_new(hy_pair *p, const workload *w, const hyper_mem *cmem,
                        const hyper_mem *smem, uint32_t max_streams) {
  hyper_h2_config ccfg, scfg;
  memset(p, 0, sizeof *p);
  p->w = w;
  p->respond = 1;
  hyper_h2_config_init(&ccfg, HYPER_H2_ROLE_CLIENT);
  hyper_h2_config_init(&scfg, HYPER_H2_ROLE_SERVER);
  scfg.settings.max_concurrent_streams = max_streams;
  if (!g_outbound_checks) {
    ccfg.validate_outbound_headers = scfg.validate_outbound_headers = 0;
    ccfg.normalize_outbound_headers = scfg.normalize_outbound_headers = 0;
  }
  if (hyper_h2_conn_new(&p->cli, &ccfg, cmem) != 0 ||
      hyper_h2_conn_new(&p->srv, &scfg, smem) != 0 ||
      hyper_h2_conn_initiate(p->cli) != 0 ||
      hyper_h2_conn_initiate(p->srv) != 0) {
    die("hyper: cannot create the pair");
  }
  /* handshake: preface, SETTINGS both ways, ACKs, WINDOW_UPDATEs */
  while (hy_pump(p) > 0 && !p->t.error) {
  }
  if (p->t.error) {
    die("hyper: handshake: %s", p->t.error);
  }
  p->t.wire_c2s = p->t.wire_s2c = 0;
}

static void hy_pair_free(hy_pair *p) {
  hyper_h2_conn_free(p->cli);
  hyper_h2_conn_free(p->srv);
}

static int hy_submit(hy_pair *p, uint64_t i) {
  uint32_t id;
  int rv = hyper_h2_submit_request(p->cli, p->w->req[i % NPATHS], NREQ, 1,
                                   &id);
  if (rv != 0) {
    fail(&p->t, "client: submit_request failed");
    return rv;
  }
  p->t.submitted++;
  p->t.inflight++;
  return 0;
}

/* The timed part: every exchange of the workload on a ready pair. */
static NOINLINE void hy_exchanges(hy_pair *p) {
  const workload *w = p->w;
  while (p->t.completed < w->exchanges && !p->t.error) {
    while (p->t.inflight < w->concurrency && p->t.submitted < w->exchanges) {
      if (hy_submit(p, p->t.submitted) != 0) {
        return;
      }
    }
    if (hy_pump(p) == 0) {
      fail(&p->t, "stalled: nothing to send, exchanges outstanding");
    }
  }
}

static double hy_run(const workload *w, tally *out) {
  hy_pair p;
  double t0, t;
  hy_pair_new(&p, w, NULL, NULL, w->concurrency);
  t0 = now_sec();
  hy_exchanges(&p);
  t = now_sec() - t0;
  if (!p.t.error && (hyper_h2_conn_open_streams(p.cli, 1) != 0 ||
                     hyper_h2_conn_open_streams(p.srv, 0) != 0)) {
    fail(&p.t, "streams left open");
  }
  *out = p.t;
  hy_pair_free(&p);
  verify("hyper", out, w);
  return (double)w->exchanges / t;
}

/* ------------------------------------------------------------------------ */
/* nghttp2                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct ng_pair {
  nghttp2_session *cli, *srv;
  const workload *w;
  tally t;
  int respond;
  uint8_t *buf; /* ng_transfer()'s staging buffer */
  size_t cap;
} ng_pair;

/* The body source: |source->ptr| walks over w->body (no per-stream state). */
static ng_ssize ng_read_body(nghttp2_session *session, int32_t stream_id,
                             uint8_t *buf, size_t length,
                             uint32_t *data_flags, nghttp2_data_source *source,
                             void *user_data) {
  ng_pair *p = user_data;
  const uint8_t *at = source->ptr;
  size_t left = (size_t)(p->w->body + BODY_LEN - at);
  size_t n = left < length ? left : length;
  (void)session;
  (void)stream_id;
  memcpy(buf, at, n);
  source->ptr = (void *)(uintptr_t)(at + n);
  if (n == left) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return (ng_ssize)n;
}

static int ng_srv_on_header(nghttp2_session *session,
                            const nghttp2_frame *frame, const uint8_t *name,
                            size_t namelen, const uint8_t *value,
                            size_t valuelen, uint8_t flags, void *user_data) {
  ng_pair *p = user_data;
  (void)session;
  (void)frame;
  (void)name;
  (void)namelen;
  (void)value;
  (void)valuelen;
  (void)flags;
  p->t.req_fields++;
  return 0;
}

static int ng_srv_on_frame_recv(nghttp2_session *session,
                                const nghttp2_frame *frame, void *user_data) {
  ng_pair *p = user_data;
  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;
  }
  p->t.requests++;
  if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    fail(&p->t, "server: request without END_STREAM");
    return 0;
  }
  if (p->respond) {
    ng_data_provider prd;
    prd.source.ptr = (void *)(uintptr_t)p->w->body;
    prd.read_callback = ng_read_body;
    if (ng_submit_response(session, frame->hd.stream_id, p->w->resp_nv, NRESP,
                           &prd) != 0) {
      fail(&p->t, "server: nghttp2_submit_response failed");
    }
  }
  return 0;
}

static int ng_srv_on_stream_close(nghttp2_session *session, int32_t stream_id,
                                  uint32_t error_code, void *user_data) {
  ng_pair *p = user_data;
  (void)session;
  (void)stream_id;
  p->t.srv_closed++;
  if (error_code != NGHTTP2_NO_ERROR) {
    fail(&p->t, "server: stream reset");
  }
  return 0;
}

static int ng_cli_on_header(nghttp2_session *session,
                            const nghttp2_frame *frame, const uint8_t *name,
                            size_t namelen, const uint8_t *value,
                            size_t valuelen, uint8_t flags, void *user_data) {
  ng_pair *p = user_data;
  (void)session;
  (void)flags;
  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_RESPONSE) {
    fail(&p->t, "client: unexpected header block");
    return 0;
  }
  p->t.resp_fields++;
  if (namelen == 7 && name[0] == ':') { /* :status, first in the block */
    if (is_status_200(name, namelen, value, valuelen)) {
      p->t.responses++;
    } else {
      fail(&p->t, "client: response is not :status 200");
    }
  }
  return 0;
}

static int ng_cli_on_data(nghttp2_session *session, uint8_t flags,
                          int32_t stream_id, const uint8_t *data, size_t len,
                          void *user_data) {
  ng_pair *p = user_data;
  (void)session;
  (void)flags;
  (void)stream_id;
  p->t.body_bytes += len;
  if (len) {
    p->t.sum += data[len - 1] + len;
  }
  return 0;
}

static int ng_cli_on_stream_close(nghttp2_session *session, int32_t stream_id,
                                  uint32_t error_code, void *user_data) {
  ng_pair *p = user_data;
  (void)session;
  (void)stream_id;
  if (error_code != NGHTTP2_NO_ERROR) {
    fail(&p->t, "client: stream reset");
    return 0;
  }
  p->t.completed++;
  p->t.inflight--;
  return 0;
}

/* Collects everything |from| has to send (nghttp2_session_mem_send()
 * returns about one frame per call) into p->buf, as a socket writer would,
 * then feeds it to |to| in one nghttp2_session_mem_recv(). */
static uint64_t ng_transfer(ng_pair *p, nghttp2_session *from,
                            nghttp2_session *to) {
  size_t len = 0;
  ng_ssize m;
  while (!p->t.error) {
    const uint8_t *out;
    ng_ssize n = ng_mem_send(from, &out);
    if (n < 0) {
      fail(&p->t, nghttp2_strerror((int)n));
      break;
    }
    if (n == 0) {
      break;
    }
    if ((size_t)n > p->cap - len) {
      size_t ncap = p->cap ? p->cap : 65536;
      uint8_t *nb;
      while ((size_t)n > ncap - len) {
        ncap *= 2;
      }
      nb = realloc(p->buf, ncap);
      if (!nb) {
        die("out of memory (%zu bytes)", ncap);
      }
      p->buf = nb;
      p->cap = ncap;
    }
    memcpy(p->buf + len, out, (size_t)n);
    len += (size_t)n;
  }
  if (len == 0 || p->t.error) {
    return 0;
  }
  m = ng_mem_recv(to, p->buf, len);
  if (m < 0 || (size_t)m != len) {
    fail(&p->t, m < 0 ? nghttp2_strerror((int)m) : "mem_recv short");
  }
  return len;
}

static uint64_t ng_pump(ng_pair *p) {
  uint64_t a = ng_transfer(p, p->cli, p->srv);
  uint64_t b = ng_transfer(p, p->srv, p->cli);
  p->t.wire_c2s += a;
  p->t.wire_s2c += b;
  return a + b;
}

static void ng_settings(nghttp2_session *s, int client, uint32_t max_streams) {
  nghttp2_settings_entry e[5];
  size_t n = 0;
  if (client) {
    e[n].settings_id = NGHTTP2_SETTINGS_ENABLE_PUSH;
    e[n++].value = 0;
  }
  e[n].settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
  e[n++].value = client ? HYPER_H2_DEFAULT_MAX_CONCURRENT_STREAMS
                        : max_streams;
  e[n].settings_id = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
  e[n++].value = STREAM_WINDOW;
  e[n].settings_id = NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE;
  e[n++].value = HYPER_H2_DEFAULT_MAX_HEADER_LIST;
  e[n].settings_id = NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES;
  e[n++].value = 1;
  if (nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, e, n) != 0 ||
      nghttp2_session_set_local_window_size(s, NGHTTP2_FLAG_NONE, 0,
                                            CONN_WINDOW) != 0) {
    die("nghttp2: cannot submit settings");
  }
}

static void ng_pair_new(ng_pair *p, const workload *w, nghttp2_mem *cmem,
                        nghttp2_mem *smem, uint32_t max_streams) {
  nghttp2_session_callbacks *cb;
  nghttp2_option *opt;
  memset(p, 0, sizeof *p);
  p->w = w;
  p->respond = 1;
  if (nghttp2_option_new(&opt) != 0) {
    die("nghttp2_option_new");
  }
  if (nghttp2_session_callbacks_new(&cb) != 0) {
    die("nghttp2_session_callbacks_new");
  }
  nghttp2_session_callbacks_set_on_header_callback(cb, ng_cli_on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
                                                            ng_cli_on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(
      cb, ng_cli_on_stream_close);
  if (nghttp2_session_client_new3(&p->cli, cb, p, opt, cmem) != 0) {
    die("nghttp2_session_client_new3");
  }
  nghttp2_session_callbacks_del(cb);

  if (nghttp2_session_callbacks_new(&cb) != 0) {
    die("nghttp2_session_callbacks_new");
  }
  nghttp2_session_callbacks_set_on_header_callback(cb, ng_srv_on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
                                                       ng_srv_on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(
      cb, ng_srv_on_stream_close);
  if (nghttp2_session_server_new3(&p->srv, cb, p, opt, smem) != 0) {
    die("nghttp2_session_server_new3");
  }
  nghttp2_session_callbacks_del(cb);
  nghttp2_option_del(opt);

  ng_settings(p->cli, 1, max_streams);
  ng_settings(p->srv, 0, max_streams);
  while (ng_pump(p) > 0 && !p->t.error) {
  }
  if (p->t.error) {
    die("nghttp2: handshake: %s", p->t.error);
  }
  p->t.wire_c2s = p->t.wire_s2c = 0;
}

static void ng_pair_free(ng_pair *p) {
  nghttp2_session_del(p->cli);
  nghttp2_session_del(p->srv);
  free(p->buf);
}

static int ng_submit(ng_pair *p, uint64_t i) {
  int32_t id = nghttp2_submit_request(p->cli, NULL, p->w->req_nv[i % NPATHS],
                                      NREQ, NULL, NULL);
  if (id < 0) {
    fail(&p->t, "client: nghttp2_submit_request failed");
    return id;
  }
  p->t.submitted++;
  p->t.inflight++;
  return 0;
}

static NOINLINE void ng_exchanges(ng_pair *p) {
  const workload *w = p->w;
  while (p->t.completed < w->exchanges && !p->t.error) {
    while (p->t.inflight < w->concurrency && p->t.submitted < w->exchanges) {
      if (ng_submit(p, p->t.submitted) != 0) {
        return;
      }
    }
    if (ng_pump(p) == 0) {
      fail(&p->t, "stalled: nothing to send, exchanges outstanding");
    }
  }
}

static double ng_run(const workload *w, tally *out) {
  ng_pair p;
  double t0, t;
  ng_pair_new(&p, w, NULL, NULL, w->concurrency);
  t0 = now_sec();
  ng_exchanges(&p);
  t = now_sec() - t0;
  if (!p.t.error && p.t.srv_closed != w->exchanges) {
    fail(&p.t, "server streams left open");
  }
  *out = p.t;
  ng_pair_free(&p);
  verify("nghttp2", out, w);
  return (double)w->exchanges / t;
}

/* ------------------------------------------------------------------------ */
/* Memory per open stream                                                   */
/* ------------------------------------------------------------------------ */

typedef struct mem_result {
  size_t cli0, srv0, clin, srvn; /* live bytes at 0 and N open streams */
  size_t cli_peak, srv_peak;
} mem_result;

static double per_stream(size_t at_n, size_t at_0, uint32_t n) {
  return ((double)at_n - (double)at_0) / (double)n;
}

static void hy_memory(const workload *w, uint32_t n, mem_result *r) {
  counter cc = {0, 0, 0}, sc = {0, 0, 0};
  hyper_mem cm = hy_counting_mem(&cc), sm = hy_counting_mem(&sc);
  hy_pair p;
  uint32_t i;
  hy_pair_new(&p, w, &cm, &sm, n);
  p.respond = 0;
  r->cli0 = cc.live;
  r->srv0 = sc.live;
  for (i = 0; i < n && !p.t.error; i++) {
    hy_submit(&p, i);
    if ((i + 1) % MEM_BATCH == 0 || i + 1 == n) {
      hy_pump(&p);
    }
  }
  while (hy_pump(&p) > 0 && !p.t.error) {
  }
  if (p.t.error) {
    die("hyper memory test: %s", p.t.error);
  }
  if (p.t.requests != n || hyper_h2_conn_open_streams(p.cli, 1) != n ||
      hyper_h2_conn_open_streams(p.srv, 0) != n) {
    die("hyper memory test: %u streams wanted open, client %u, server %u "
        "(requests seen %" PRIu64 ")",
        n, hyper_h2_conn_open_streams(p.cli, 1),
        hyper_h2_conn_open_streams(p.srv, 0), p.t.requests);
  }
  r->clin = cc.live;
  r->srvn = sc.live;
  r->cli_peak = cc.peak;
  r->srv_peak = sc.peak;
  hy_pair_free(&p);
  if (cc.live != 0 || sc.live != 0) {
    die("hyper memory test: %zu + %zu bytes still allocated after free",
        cc.live, sc.live);
  }
}

static void ng_memory(const workload *w, uint32_t n, mem_result *r) {
  counter cc = {0, 0, 0}, sc = {0, 0, 0};
  nghttp2_mem cm = ng_counting_mem(&cc), sm = ng_counting_mem(&sc);
  ng_pair p;
  uint32_t i;
  ng_pair_new(&p, w, &cm, &sm, n);
  p.respond = 0;
  r->cli0 = cc.live;
  r->srv0 = sc.live;
  for (i = 0; i < n && !p.t.error; i++) {
    ng_submit(&p, i);
    if ((i + 1) % MEM_BATCH == 0 || i + 1 == n) {
      ng_pump(&p);
    }
  }
  while (ng_pump(&p) > 0 && !p.t.error) {
  }
  if (p.t.error) {
    die("nghttp2 memory test: %s", p.t.error);
  }
  for (i = 0; i < n; i++) {
    int32_t id = (int32_t)(2 * i + 1);
    if (!nghttp2_session_find_stream(p.cli, id) ||
        !nghttp2_session_find_stream(p.srv, id)) {
      die("nghttp2 memory test: stream %d is not open on both sides", id);
    }
  }
  if (p.t.requests != n || p.t.completed != 0 || p.t.srv_closed != 0) {
    die("nghttp2 memory test: %u streams wanted open; requests seen %" PRIu64
        ", closed: client %" PRIu64 ", server %" PRIu64,
        n, p.t.requests, p.t.completed, p.t.srv_closed);
  }
  r->clin = cc.live;
  r->srvn = sc.live;
  r->cli_peak = cc.peak;
  r->srv_peak = sc.peak;
  ng_pair_free(&p);
  if (cc.live != 0 || sc.live != 0) {
    die("nghttp2 memory test: %zu + %zu bytes still allocated after free",
        cc.live, sc.live);
  }
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f) {
  fputs("usage: h2core [--exchanges N] [--concurrency C] [--rounds R]\n"
        "              [--mem-streams N] [--only hyper|nghttp2]\n"
        "              [--outbound-checks on|off] [--clock wall|cpu]\n"
        "  --exchanges N    GET exchanges per library and round "
        "(default 100000)\n"
        "  --concurrency C  streams in flight (default 100)\n"
        "  --rounds R       rounds, each timing both libraries (default 5)\n"
        "  --mem-streams N  open streams for the memory test (default 1000)\n"
        "  --only LIB       time LIB alone, skip the memory test (profiling)\n"
        "  --outbound-checks on|off\n"
        "                   hyper validates/normalises what it sends (default\n"
        "                   on, hyper's default; off matches nghttp2, which\n"
        "                   checks received header blocks only)\n"
        "  --clock wall|cpu wall time (default) or process CPU time per\n"
        "                   timed run; cpu leaves out the time other\n"
        "                   processes held the CPU on a shared machine\n",
        f);
}

static const char *verdict(int ok) { return ok ? "met" : "NOT met"; }

static long parse_long(const char *opt, const char *s, long lo, long hi) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || *end || v < lo || v > hi) {
    die("%s: want an integer in %ld..%ld, got \"%s\"", opt, lo, hi, s);
  }
  return v;
}

int main(int argc, char **argv) {
  long exchanges = 100000, concurrency = 100, rounds = 5, mem_streams = 1000;
  int only = 0; /* 1 hyper, 2 nghttp2 */
  workload *w;
  double *r_h, *r_n, *r_r, m_h, m_n, m_r;
  tally th, tn;
  mem_result mh, mn;
  uint64_t sink = 0;
  long r;
  int i;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      usage(stderr);
      die("%s: missing value or unknown option", a);
    }
    if (strcmp(a, "--exchanges") == 0) {
      exchanges = parse_long(a, argv[++i], 1, 100000000L);
    } else if (strcmp(a, "--concurrency") == 0) {
      concurrency = parse_long(a, argv[++i], 1, 100);
    } else if (strcmp(a, "--rounds") == 0) {
      rounds = parse_long(a, argv[++i], 1, 1000);
    } else if (strcmp(a, "--mem-streams") == 0) {
      mem_streams = parse_long(a, argv[++i], 1, 100000);
    } else if (strcmp(a, "--outbound-checks") == 0) {
      const char *v = argv[++i];
      if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
        g_outbound_checks = strcmp(v, "on") == 0;
      else
        die("--outbound-checks: want on or off, got \"%s\"", v);
    } else if (strcmp(a, "--clock") == 0) {
      const char *v = argv[++i];
      if (strcmp(v, "wall") == 0)
        g_clock = CLOCK_MONOTONIC;
      else if (strcmp(v, "cpu") == 0)
        g_clock = CLOCK_PROCESS_CPUTIME_ID;
      else
        die("--clock: want wall or cpu, got \"%s\"", v);
    } else if (strcmp(a, "--only") == 0) {
      const char *v = argv[++i];
      if (strcmp(v, "hyper") == 0) {
        only = 1;
      } else if (strcmp(v, "nghttp2") == 0) {
        only = 2;
      } else {
        die("--only: want hyper or nghttp2, got \"%s\"", v);
      }
    } else {
      usage(stderr);
      die("unknown option %s", a);
    }
  }

  w = xcalloc(1, sizeof *w);
  workload_init(w, (uint64_t)exchanges, (uint32_t)concurrency);

  printf("h2core bench: hyper vs nghttp2 %s, in-memory client<->server pair, "
         "one process\n",
         nghttp2_version(0)->version_str);
  printf("workload: %ld GET exchanges, %ld concurrent streams; request %d "
         "fields (END_STREAM), response :status 200 + %d fields + %d-byte "
         "DATA (END_STREAM)\n",
         exchanges, concurrency, NREQ, NRESP - 1, BODY_LEN);
  printf("settings (both, hyper's defaults): stream window %u, connection "
         "window %u, max frame 16384, HPACK table 4096, MAX_CONCURRENT_STREAMS "
         "%ld, RFC 7540 priorities off\n",
         (unsigned)STREAM_WINDOW, (unsigned)CONN_WINDOW, concurrency);

  if (only) {
    double v;
    printf("timing %s alone, %ld rounds\n", only == 1 ? "hyper" : "nghttp2",
           rounds);
    for (r = 0; r < rounds; r++) {
      v = only == 1 ? hy_run(w, &th) : ng_run(w, &th);
      printf("round %ld: %.0f ex/s\n", r + 1, v);
      sink += th.sum;
    }
    printf("checksum %016" PRIx64 "\n", sink);
    free(w);
    return 0;
  }

  /* Untimed warm-up and cross-check of both: the same exchanges happen. */
  hy_run(w, &th);
  ng_run(w, &tn);
  sink += th.sum + tn.sum;
  if (th.sum != tn.sum) {
    die("checksums of the received bodies differ: hyper %" PRIu64
        ", nghttp2 %" PRIu64,
        th.sum, tn.sum);
  }
  printf("verified: both pairs completed %" PRIu64 " exchanges, %" PRIu64
         " body bytes each, no resets\n",
         w->exchanges, th.body_bytes);
  printf("wire bytes per exchange: hyper client->server %.1f, server->client "
         "%.1f; nghttp2 %.1f, %.1f\n\n",
         (double)th.wire_c2s / (double)w->exchanges,
         (double)th.wire_s2c / (double)w->exchanges,
         (double)tn.wire_c2s / (double)w->exchanges,
         (double)tn.wire_s2c / (double)w->exchanges);

  printf("round |  hyper ex/s  nghttp2 ex/s   ratio\n");
  printf("------+-----------------------------------\n");
  fflush(stdout);
  r_h = xcalloc((size_t)rounds, sizeof(double));
  r_n = xcalloc((size_t)rounds, sizeof(double));
  r_r = xcalloc((size_t)rounds, sizeof(double));
  for (r = 0; r < rounds; r++) {
    if (r % 2 == 0) {
      r_h[r] = hy_run(w, &th);
      r_n[r] = ng_run(w, &tn);
    } else {
      r_n[r] = ng_run(w, &tn);
      r_h[r] = hy_run(w, &th);
    }
    sink += th.sum + tn.sum;
    r_r[r] = r_h[r] / r_n[r];
    printf("%5ld | %11.0f %13.0f %7.2f\n", r + 1, r_h[r], r_n[r], r_r[r]);
    fflush(stdout);
  }
  m_h = median(r_h, (size_t)rounds);
  m_n = median(r_n, (size_t)rounds);
  m_r = median(r_r, (size_t)rounds);
  printf("------+-----------------------------------\n");
  printf("median| %11.0f %13.0f %7.2f\n\n", m_h, m_n, m_r);

  hy_memory(w, (uint32_t)mem_streams, &mh);
  ng_memory(w, (uint32_t)mem_streams, &mn);
  printf("memory with %ld open streams (live bytes after the handshake -> "
         "with the streams open; peak):\n",
         mem_streams);
  printf("  hyper   client %8zu -> %8zu (peak %8zu), server %8zu -> %8zu "
         "(peak %8zu)\n",
         mh.cli0, mh.clin, mh.cli_peak, mh.srv0, mh.srvn, mh.srv_peak);
  printf("  nghttp2 client %8zu -> %8zu (peak %8zu), server %8zu -> %8zu "
         "(peak %8zu)\n",
         mn.cli0, mn.clin, mn.cli_peak, mn.srv0, mn.srvn, mn.srv_peak);
  printf("checksum %016" PRIx64 "\n\n", sink);

  {
    double hc = per_stream(mh.clin, mh.cli0, (uint32_t)mem_streams);
    double hs = per_stream(mh.srvn, mh.srv0, (uint32_t)mem_streams);
    double nc = per_stream(mn.clin, mn.cli0, (uint32_t)mem_streams);
    double ns = per_stream(mn.srvn, mn.srv0, (uint32_t)mem_streams);
    printf("h2core (hyper outbound checks %s, %s clock): hyper %.0f ex/s, "
           "nghttp2 %.0f ex/s, ratio median %.2f (target >= %.1f: %s)\n",
           g_outbound_checks ? "on" : "off",
           g_clock == CLOCK_MONOTONIC ? "wall" : "cpu", m_h, m_n, m_r,
           TARGET_RATIO,
           verdict(m_r >= TARGET_RATIO));
    printf("memory per open stream: hyper client %.0f B, server %.0f B; "
           "nghttp2 client %.0f B, server %.0f B (target hyper <= nghttp2: "
           "%s)\n",
           hc, hs, nc, ns, verdict(hc <= nc && hs <= ns));
  }

  free(r_h);
  free(r_n);
  free(r_r);
  free(w);
  return 0;
}
