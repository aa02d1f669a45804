/* Allocation-failure sweeps over full exchanges (HOSTILE-PEERS J2; curl's
 * "torture" runs, nghttp2's failmalloc): a fixed exchange is run once
 * with a counting allocator to learn how many allocations it makes, then
 * once per k with the k-th allocation failing (fail_at) and once per k
 * with every allocation from the k-th on failing (fail_after). Every run
 * must end with an error or a success, a success must be the whole,
 * correct exchange (never a truncated body), and after the objects are
 * freed failmem must show no live block.
 *
 *  - the blocking client API over HTTP/2 (h2c prior knowledge) against a
 *    scripted server on a thread (tests/unit/client/h2srv.h, hyper's own
 *    server core with the plain allocator): a gzip body with trailers, an
 *    upload, two requests in flight read out of order, a server push;
 *  - the blocking client API over HTTP/1.1 against a scripted server on a
 *    thread (h1srv.h): a chunked gzip body with trailers, an upload on the
 *    kept-alive connection, a Connection: close response;
 *  - the server role of the HTTP/2 core alone (the failing allocator on
 *    the server side only, the client core on malloc): request with body
 *    and trailers, response with body, trailers and a push, settings,
 *    pings, resets and a graceful GOAWAY.
 * The HPACK codec and a client+server core pair sharing one failing
 * allocator are swept in tests/unit/hpack/test_hpack_failmalloc.c and
 * tests/unit/h2/test_conn_failmalloc.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zlib.h>

#include "../unit/client/h1srv.h"
#include "../unit/client/h2srv.h"
#include "../unit/h2/h2_harness.h"
#include "failmem.h"
#include "hyper/client.h"

/* ---- shared data ---------------------------------------------------------- */

#define TEXT_LEN 20000
static uint8_t text[TEXT_LEN];
static uint8_t gz[TEXT_LEN + 1024];
static size_t gz_len;
#define UPLOAD_LEN 20000
static uint8_t upload[UPLOAD_LEN];

static int make_data(void) {
  for (size_t i = 0; i < TEXT_LEN; i++) /* compressible, not trivial */
    text[i] = (uint8_t)("hyper fault sweep "[i % 18] + (i / 997) % 3);
  for (size_t i = 0; i < UPLOAD_LEN; i++)
    upload[i] = (uint8_t)(i * 7);
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  z.next_in = text;
  z.avail_in = TEXT_LEN;
  z.next_out = gz;
  z.avail_out = sizeof gz;
  int rv = deflate(&z, Z_FINISH);
  gz_len = sizeof gz - z.avail_out;
  deflateEnd(&z);
  return rv == Z_STREAM_END ? 0 : -1;
}

/* What one exchange ended with. */
typedef struct outcome {
  int rv;        /* first error, or 0 */
  int complete;  /* every step succeeded and was checked */
} outcome;

#define STEP(expr)                                                             \
  do {                                                                         \
    if (o->rv == 0)                                                            \
      o->rv = (expr);                                                          \
  } while (0)

/* ---- HTTP/2 server script ------------------------------------------------- */

static int h_gzip(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "gzip", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, gz, gz_len, 1000, 0);
  hyper_field t[1] = {{(const uint8_t *)"x-sum", 5, (const uint8_t *)"42", 2,
                       0}};
  (void)hyper_h2_submit_trailers(s->c, r->id, t, 1);
  return 0;
}

static int h_upload(h2srv *s, h2srv_req *r) {
  char msg[32];
  int n = snprintf(msg, sizeof msg, "got %zu", r->len);
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, msg, (size_t)n, 16384, 1);
  return 0;
}

static int h_small(h2srv *s, h2srv_req *r) {
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, r->path, strlen(r->path), 16384, 1);
  return 0;
}

/* Pushes /pushed (body "pushed!") before answering "main". */
static int h_push(h2srv *s, h2srv_req *r) {
  hyper_field f[4];
  size_t n = 0;
  h2srv_fields(f, &n, ":method", "GET");
  h2srv_fields(f, &n, ":scheme", "http");
  h2srv_fields(f, &n, ":authority", "127.0.0.1");
  h2srv_fields(f, &n, ":path", "/pushed");
  uint32_t pid;
  if (hyper_h2_push_promise(s->c, r->id, f, n, &pid) == 0) {
    hyper_field h[1];
    size_t hn = 0;
    h2srv_fields(h, &hn, ":status", "200");
    (void)hyper_h2_submit_response(s->c, pid, h, hn, 0);
    (void)hyper_h2_send_data(s->c, pid, (const uint8_t *)"pushed!", 7, 1);
  }
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, "main", 4, 16384, 1);
  return 0;
}

static const h2srv_route routes[] = {
    {"/push", h_push, 0},
    {"/gzip", h_gzip, 0},
    {"/upload", h_upload, 0},
    {"/s1", h_small, 0},
    {"/s2", h_small, 0},
    {NULL, NULL, 0},
};

static h2srv srv2;

/* ---- HTTP/1.1 server script ------------------------------------------------ */

static int s_h1(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1) {
    char head[256];
    if (strncmp(s->last, "GET /chunked ", 13) == 0) {
      if (h1s_sends(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Encoding: gzip\r\n\r\n"))
        return 0;
      for (size_t off = 0; off < gz_len; off += 700) {
        size_t k = gz_len - off < 700 ? gz_len - off : 700;
        snprintf(head, sizeof head, "%zx\r\n", k);
        if (h1s_sends(fd, head) || h1s_send(fd, gz + off, k) ||
            h1s_sends(fd, "\r\n"))
          return 0;
      }
      if (h1s_sends(fd, "0\r\nX-Sum: 42\r\n\r\n"))
        return 0;
    } else if (strncmp(s->last, "POST /upload ", 13) == 0) {
      char body[32];
      int n = snprintf(body, sizeof body, "got %zu", s->body_got);
      snprintf(head, sizeof head,
               "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", n, body);
      if (h1s_sends(fd, head))
        return 0;
    } else if (strncmp(s->last, "GET /close ", 11) == 0) {
      (void)h1s_sends(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                          "Content-Length: 3\r\n\r\nbye");
      return 0;
    } else {
      if (h1s_sends(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        return 0;
    }
  }
  return 0;
}

static h1srv srv1;

/* ---- the client exchanges ------------------------------------------------- */

static int client_new(hyper_client **c, uint16_t port, int h1,
                      const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = h1 ? HYPER_CLIENT_SECURE_AUTO : 0;
  o.protocol = h1 ? HYPER_CLIENT_PROTO_HTTP11 : HYPER_CLIENT_PROTO_H2;
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  o.enable_push = !h1;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  return hyper_client_new(c, host, &o, mem);
}

/* GET |path|: the body must equal |want| (|wn| octets); with |trailer|,
 * the trailer x-sum must be 42. Returns 0 or the first error; -9990 for a
 * wrong (truncated) success. */
static int get_check(hyper_client *c, const char *path, const void *want,
                     size_t wn, int trailer) {
  uint32_t id;
  hyper_resp *r = NULL;
  int rv = hyper_client_request(c, "GET", path, NULL, 0, NULL, &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  hyper_slice b;
  if (!rv)
    rv = hyper_resp_read_all(r, &b);
  if (!rv && (b.len != wn || (wn && memcmp(b.ptr, want, wn))))
    rv = -9990;
  if (!rv && trailer) {
    const hyper_hdrs *t;
    rv = hyper_resp_trailers(r, &t);
    hyper_slice v;
    if (!rv && (hyper_hdrs_get_first(t, "x-sum", 5, &v) != 1 ||
                v.len != 2 || memcmp(v.ptr, "42", 2)))
      rv = -9991;
  }
  hyper_resp_free(r);
  return rv;
}

static int post_check(hyper_client *c) {
  uint32_t id;
  hyper_resp *r = NULL;
  int rv = hyper_client_request(c, "POST", "/upload", upload, UPLOAD_LEN,
                                NULL, &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  hyper_slice b;
  if (!rv)
    rv = hyper_resp_read_all(r, &b);
  if (!rv && (b.len != 9 || memcmp(b.ptr, "got 20000", 9)))
    rv = -9992;
  hyper_resp_free(r);
  return rv;
}

#define PUSH_REFUSED (-9989)

/* GET /push, then the pushed response. */
static int push_check(hyper_client *c) {
  uint32_t id;
  hyper_resp *r = NULL, *pr = NULL;
  hyper_push *p = NULL;
  hyper_slice b;
  int rv = hyper_client_request(c, "GET", "/push", NULL, 0, NULL, &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  if (!rv)
    rv = hyper_resp_read_all(r, &b);
  if (!rv && (b.len != 4 || memcmp(b.ptr, "main", 4)))
    rv = -9996;
  if (!rv) {
    rv = hyper_client_next_push(c, id, 1, &p);
    /* 0: the client refused the promise (RST_STREAM(REFUSED_STREAM))
     * because it could not allocate its bookkeeping, which RFC 9113 §8.4
     * allows; acceptable only when an allocation failed */
    rv = rv == 1 ? 0 : rv == 0 ? PUSH_REFUSED : rv;
  }
  if (!rv && strcmp(hyper_push_path(p), "/pushed") != 0)
    rv = -9997;
  if (!rv)
    rv = hyper_push_get_response(p, &pr);
  if (!rv)
    rv = hyper_resp_read_all(pr, &b);
  if (!rv && (b.len != 7 || memcmp(b.ptr, "pushed!", 7)))
    rv = -9998;
  hyper_resp_free(pr);
  hyper_push_free(p);
  hyper_resp_free(r);
  return rv;
}

/* Two requests in flight, the second read first. */
static int pair_check(hyper_client *c) {
  uint32_t a, b;
  hyper_resp *ra = NULL, *rb = NULL;
  int rv = hyper_client_request(c, "GET", "/s1", NULL, 0, NULL, &a);
  if (!rv)
    rv = hyper_client_request(c, "GET", "/s2", NULL, 0, NULL, &b);
  hyper_slice s;
  if (!rv)
    rv = hyper_client_get_response(c, b, &rb);
  if (!rv)
    rv = hyper_resp_read_all(rb, &s);
  if (!rv && (s.len != 3 || memcmp(s.ptr, "/s2", 3)))
    rv = -9993;
  if (!rv)
    rv = hyper_client_get_response(c, a, &ra);
  if (!rv)
    rv = hyper_resp_read_all(ra, &s);
  if (!rv && (s.len != 3 || memcmp(s.ptr, "/s1", 3)))
    rv = -9994;
  hyper_resp_free(ra);
  hyper_resp_free(rb);
  return rv;
}

static outcome client_exchange(int h1, const hyper_mem *mem) {
  outcome out = {0, 0}, *o = &out;
  hyper_client *c = NULL;
  STEP(client_new(&c, h1 ? srv1.port : srv2.port, h1, mem));
  if (h1) {
    STEP(get_check(c, "/chunked", text, TEXT_LEN, 1));
    STEP(post_check(c));
    STEP(get_check(c, "/close", "bye", 3, 0));
  } else {
    STEP(get_check(c, "/gzip", text, TEXT_LEN, 1));
    STEP(post_check(c));
    STEP(pair_check(c));
    STEP(push_check(c));
  }
  hyper_client_free(c);
  out.complete = out.rv == 0;
  return out;
}

/* ---- the server-role core exchange ---------------------------------------- */

static void srv_app(h2h_side *s, const hyper_h2_event *ev, void *user) {
  int *err = user;
  /* answers streams 1, 3 and 5; stream 7 is left open and reset */
  if (*err || ev->type != HYPER_H2_EV_STREAM_ENDED || ev->stream_id % 2 == 0 ||
      ev->stream_id >= 7)
    return;
  hyper_field f[8];
  int rv = 0;
  if (ev->stream_id == 1) {
    const char *const preq[] = {":method", "GET", ":scheme", "https",
                                ":authority", "example.com", ":path", "/p",
                                NULL};
    uint32_t pid;
    rv = hyper_h2_push_promise(s->c, 1, f, h2h_fields(preq, f, 8), &pid);
    if (!rv)
      rv = hyper_h2_submit_response(s->c, pid, f,
                                    h2h_fields(h2h_resp_200, f, 8), 1);
  }
  if (!rv)
    rv = hyper_h2_submit_response(s->c, ev->stream_id, f,
                                  h2h_fields(h2h_resp_200, f, 8), 0);
  if (!rv)
    rv = hyper_h2_send_data(s->c, ev->stream_id, text, 1000, 0);
  const char *const tr[] = {"x-t", "1", NULL};
  if (!rv)
    rv = hyper_h2_submit_trailers(s->c, ev->stream_id, f,
                                  h2h_fields(tr, f, 8));
  *err = rv;
}

/* Returns the first error of the server side (or of the pump), 0 when the
 * whole exchange completed and was checked. */
static int server_exchange(const hyper_mem *mem) {
  hyper_h2_config cc, sc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  cc.settings.enable_push = 1;
  h2h_pair p;
  memset(&p, 0, sizeof p);
  int app_err = 0;
  int rv = hyper_h2_conn_new(&p.cli.c, &cc, NULL);
  assert_int_equal(rv, 0);
  rv = hyper_h2_conn_new(&p.srv.c, &sc, mem);
  if (!rv)
    rv = hyper_h2_conn_initiate(p.cli.c);
  if (!rv)
    rv = hyper_h2_conn_initiate(p.srv.c);
  p.srv.on_event = srv_app;
  p.srv.user = &app_err;
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "example.com", ":path", "/up",
                             NULL};
  hyper_field f[8];
  uint32_t id;
  const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  hyper_h2_setting st = {HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 50};
  if (!rv)
    rv = hyper_h2_submit_request(p.cli.c, f, h2h_fields(req, f, 8), 0, &id);
  if (!rv)
    rv = hyper_h2_send_data(p.cli.c, id, upload, 5000, 0);
  if (!rv)
    rv = hyper_h2_ping(p.cli.c, op);
  if (!rv)
    rv = hyper_h2_ping(p.srv.c, op);
  if (!rv)
    rv = hyper_h2_update_settings(p.srv.c, &st, 1);
  if (!rv)
    rv = h2h_pump(&p);
  const char *const tr[] = {"x-sum", "5", NULL};
  if (!rv)
    rv = hyper_h2_submit_trailers(p.cli.c, id, f, h2h_fields(tr, f, 8));
  if (!rv)
    rv = h2h_pump(&p);
  if (!rv)
    rv = app_err;
  for (int i = 0; i < 3 && !rv; i++) {
    rv = hyper_h2_submit_request(p.cli.c, f, h2h_fields(h2h_get_req, f, 8), 1,
                                 &id);
    if (!rv)
      rv = h2h_pump(&p);
    if (!rv)
      rv = app_err;
    if (!rv && i == 2)
      rv = hyper_h2_reset_stream(p.srv.c, id, HYPER_H2_CANCEL);
  }
  if (!rv)
    rv = hyper_h2_close(p.srv.c, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                        NULL, 0);
  if (!rv)
    rv = h2h_pump(&p);
  if (!rv && (!h2h_log_has(&p.cli.log, "TRAILERS 1 ES x-t=1") ||
              !h2h_log_has(&p.cli.log, "PUSHED 2 parent=1") ||
              !h2h_log_has(&p.srv.log, "TRAILERS 1 ES x-sum=5") ||
              p.srv.data_bytes != 5000 || p.cli.data_bytes < 3000))
    rv = -9995;
  h2h_pair_free(&p);
  return rv;
}

/* ---- sweeps --------------------------------------------------------------- */

typedef enum { EX_H2_CLIENT, EX_H1_CLIENT, EX_H2_SERVER } exch;

static const char *const exch_name[] = {"client API over HTTP/2",
                                        "client API over HTTP/1.1",
                                        "HTTP/2 server core"};

static outcome run_exchange(exch e, failmem *fm) {
  if (e == EX_H2_SERVER) {
    int rv = server_exchange(&fm->mem);
    outcome o = {rv, rv == 0};
    return o;
  }
  return client_exchange(e == EX_H1_CLIENT, &fm->mem);
}

static void sweep(exch e, int after) {
  failmem fm;
  failmem_init(&fm);
  outcome o = run_exchange(e, &fm);
  if (o.rv != 0)
    fail_msg("%s: the clean exchange failed: %d (%s)", exch_name[e], o.rv,
             hyper_err_name(o.rv));
  assert_int_equal(fm.live_blocks, 0);
  long total = fm.nalloc;
  long failed_runs = 0, ok_runs = 0, nomem = 0, refused = 0;
  /* a few more than counted: the count may differ slightly between runs
   * (how the socket splits the input) */
  for (long k = 1; k <= total + 8; k++) {
    failmem_init(&fm);
    if (after)
      fm.fail_after = k;
    else
      fm.fail_at = k;
    o = run_exchange(e, &fm);
    if (o.rv <= -9990 && o.rv >= -9999)
      fail_msg("%s, k=%ld: a success with wrong content (%d)", exch_name[e],
               k, o.rv);
    if (fm.live_blocks != 0)
      fail_msg("%s, k=%ld (%s): %ld blocks (%zu bytes) leaked; exchange "
               "returned %d (%s)",
               exch_name[e], k, after ? "from k on" : "k-th only",
               fm.live_blocks, fm.live_bytes, o.rv, hyper_err_name(o.rv));
    if (o.rv == PUSH_REFUSED && fm.nfailed) { /* degraded, not failed */
      refused++;
      o.rv = 0;
    }
    if (fm.nfailed == 0 && o.rv != 0)
      fail_msg("%s, k=%ld: no allocation failed but the exchange returned "
               "%d (%s)",
               exch_name[e], k, o.rv, hyper_err_name(o.rv));
    if (o.rv) {
      failed_runs++;
      nomem += o.rv == HYPER_ERR_NOMEM;
    } else {
      ok_runs++;
    }
  }
  print_message("  %s, %s: %ld allocations; %ld runs failed (%ld with "
                "HYPER_ERR_NOMEM, the rest with the error the failure "
                "caused), %ld succeeded whole (%ld of them without the push, "
                "refused for want of memory); no leak\n",
                exch_name[e], after ? "fail from k on" : "fail the k-th",
                total, failed_runs, nomem, ok_runs, refused);
}

static void test_fault_failmalloc_client_h2_each(void **state) {
  (void)state;
  sweep(EX_H2_CLIENT, 0);
}

static void test_fault_failmalloc_client_h2_from_each(void **state) {
  (void)state;
  sweep(EX_H2_CLIENT, 1);
}

static void test_fault_failmalloc_client_h1_each(void **state) {
  (void)state;
  sweep(EX_H1_CLIENT, 0);
}

static void test_fault_failmalloc_client_h1_from_each(void **state) {
  (void)state;
  sweep(EX_H1_CLIENT, 1);
}

static void test_fault_failmalloc_server_h2_each(void **state) {
  (void)state;
  sweep(EX_H2_SERVER, 0);
}

static void test_fault_failmalloc_server_h2_from_each(void **state) {
  (void)state;
  sweep(EX_H2_SERVER, 1);
}

static int setup(void **state) {
  (void)state;
  if (make_data() != 0)
    return -1;
  if (h2srv_start(&srv2, routes) != 0)
    return -1;
  if (h1s_start(&srv1, s_h1, NULL) != 0)
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  h2srv_stop(&srv2);
  h1s_stop(&srv1);
  (void)h1s_drain; /* unused helper of h1srv.h */
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fault_failmalloc_client_h2_each),
      cmocka_unit_test(test_fault_failmalloc_client_h2_from_each),
      cmocka_unit_test(test_fault_failmalloc_client_h1_each),
      cmocka_unit_test(test_fault_failmalloc_client_h1_from_each),
      cmocka_unit_test(test_fault_failmalloc_server_h2_each),
      cmocka_unit_test(test_fault_failmalloc_server_h2_from_each),
  };
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests(tests, setup, teardown);
}
