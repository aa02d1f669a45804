/* The blocking client against nghttpd in cleartext HTTP/2 (h2c, prior
 * knowledge): GET, the seed's three requests read out of order, headers,
 * read(amt) / read-all / chunk iteration, trailers, request bodies of
 * awkward sizes echoed back (--echo-upload) including multiples of the frame
 * size (hyper #355) and across small server windows, putrequest /
 * putheader / endheaders / send, streaming uploads, the stream limit, PING,
 * close and reconnect, connection refused and a silent server.
 *
 * Every test is bounded: the client runs with short timeouts, so a hang
 * fails as HYPER_ERR_TIMEOUT instead of stalling ctest. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "client_testserver.h"

#include "failmem.h"
#include "hyper/client.h"

static cs_docroot www;
static cs_nghttpd srv_plain;  /* --echo-upload --trailer */
static cs_nghttpd srv_small;  /* -w 14 -W 15: small windows */
static cs_nghttpd srv_one;    /* -m 1: one stream at a time */

static int group_setup(void **state) {
  (void)state;
  if (cs_docroot_make(&www) != 0)
    return -1;
  char *plain[] = {"--echo-upload", "--trailer=x-trailer: yes", NULL};
  char *small[] = {"--echo-upload", "-w", "14", "-W", "15", NULL};
  char *one[] = {"--echo-upload", "-m", "1", NULL};
  if (cs_nghttpd_start(&srv_plain, www.dir, NULL, plain) != 0 ||
      cs_nghttpd_start(&srv_small, www.dir, NULL, small) != 0 ||
      cs_nghttpd_start(&srv_one, www.dir, NULL, one) != 0) {
    print_error("cannot start nghttpd (Debian nghttp2-server)\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  cs_nghttpd_stop(&srv_plain);
  cs_nghttpd_stop(&srv_small);
  cs_nghttpd_stop(&srv_one);
  cs_docroot_remove(&www);
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static void opts_h2c(hyper_client_opts *o) {
  hyper_client_opts_init(o);
  o->secure = 0;
  o->connect_timeout_ms = 5000;
  o->read_timeout_ms = 5000;
  o->request_timeout_ms = 20000;
}

static hyper_client *client_for(const cs_nghttpd *s, hyper_client_opts *o,
                                const hyper_mem *mem) {
  hyper_client_opts def;
  if (!o) {
    opts_h2c(&def);
    o = &def;
  }
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s->port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, o, mem), 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
}

static void check_pattern(const uint8_t *p, size_t n, size_t off) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != cs_pattern(off + i)) {
      print_error("byte %zu differs\n", off + i);
      fail();
    }
}

/* GET |path| and read the whole body; returns the status. */
static int get_all(hyper_client *c, const char *path, uint8_t **body,
                   size_t *len) {
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  *body = malloc(s.len + 1);
  assert_non_null(*body);
  if (s.len)
    memcpy(*body, s.ptr, s.len);
  *len = s.len;
  int st = hyper_resp_status(r);
  hyper_resp_free(r);
  return st;
}

/* POST |n| pattern bytes to the echo server, read the echo back. */
static void post_echo(hyper_client *c, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  assert_non_null(b);
  for (size_t i = 0; i < n; i++)
    b[i] = cs_pattern(i);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "POST", "/echo", b, n, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  assert_int_equal(hyper_resp_status(r), 200);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  if (s.len != n)
    print_error("POST %zu: echoed %zu\n", n, s.len);
  assert_int_equal(s.len, n);
  check_pattern(s.ptr, s.len, 0);
  hyper_resp_free(r);
  free(b);
}

/* ---- tests -------------------------------------------------------------- */

static void test_client_get_h2c(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client_for(&srv_plain, NULL, &fm.mem);
  assert_false(hyper_client_is_connected(c));
  uint32_t id = 0;
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id));
  assert_int_equal(id, 1);
  assert_true(hyper_client_is_connected(c));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, 0, &r));
  assert_int_equal(hyper_resp_status(r), 200);
  assert_string_equal(hyper_resp_reason(r), "");
  assert_int_equal(hyper_resp_stream_id(r), 1);
  uint8_t buf[256];
  size_t n;
  expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
  assert_int_equal(n, strlen(CS_SMALL));
  assert_memory_equal(buf, CS_SMALL, n);
  expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
  assert_int_equal(n, 0); /* the end */
  hyper_resp_free(r);
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
}

/* The seed's example, as written: three requests, responses fetched in the
 * order second, first, third. */
static void test_client_three_requests_any_order(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t first, second, third;
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL,
                                    &first));
  expect_ok(c, hyper_client_request(c, "POST", "/post", "key=value", 9, NULL,
                                    &second));
  expect_ok(c, hyper_client_request(c, "GET", "/c.txt", NULL, 0, NULL,
                                    &third));
  assert_int_equal(first, 1);
  assert_int_equal(second, 3);
  assert_int_equal(third, 5);
  hyper_resp *second_response, *first_response, *third_response;
  expect_ok(c, hyper_client_get_response(c, second, &second_response));
  expect_ok(c, hyper_client_get_response(c, first, &first_response));
  expect_ok(c, hyper_client_get_response(c, third, &third_response));
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(third_response, &s));
  assert_int_equal(s.len, strlen(CS_C));
  assert_memory_equal(s.ptr, CS_C, s.len);
  expect_ok(c, hyper_resp_read_all(second_response, &s));
  assert_int_equal(s.len, 9);
  assert_memory_equal(s.ptr, "key=value", 9);
  expect_ok(c, hyper_resp_read_all(first_response, &s));
  assert_int_equal(s.len, strlen(CS_A));
  assert_memory_equal(s.ptr, CS_A, s.len);
  /* each response once */
  hyper_resp *again;
  assert_int_equal(hyper_client_get_response(c, first, &again),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_client_get_response(c, 0, &again),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_client_get_response(c, 77, &again),
                   HYPER_ERR_INVALID_STATE);
  hyper_resp_free(first_response);
  hyper_resp_free(second_response);
  hyper_resp_free(third_response);
  hyper_client_free(c);
}

/* 0 = the oldest outstanding request. */
static void test_client_get_response_oldest(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  const char *paths[] = {"/a.txt", "/small.txt", "/c.txt"};
  const char *bodies[] = {CS_A, CS_SMALL, CS_C};
  for (int i = 0; i < 3; i++)
    expect_ok(c, hyper_client_request(c, "GET", paths[i], NULL, 0, NULL,
                                      NULL));
  for (int i = 0; i < 3; i++) {
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, 0, &r));
    assert_int_equal(hyper_resp_stream_id(r), 1 + 2 * i);
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, strlen(bodies[i]));
    assert_memory_equal(s.ptr, bodies[i], s.len);
    hyper_resp_free(r);
  }
  hyper_client_free(c);
}

static void test_client_headers_map(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  const hyper_hdrs *h = hyper_resp_headers(r);
  assert_non_null(h);
  hyper_slice v;
  assert_true(hyper_hdrs_get_first(h, HYPER_HDRS_LIT("Content-Length"), &v));
  assert_int_equal(v.len, 5);
  assert_memory_equal(v.ptr, "70000", 5);
  assert_true(hyper_hdrs_contains(h, HYPER_HDRS_LIT("server")));
  /* no pseudo-header fields in the map */
  assert_false(hyper_hdrs_contains(h, HYPER_HDRS_LIT(":status")));
  size_t n = 0;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_true(n > 0);
  for (size_t i = 0; i < n; i++)
    assert_true(f[i].name_len > 0 && f[i].name[0] != ':');
  hyper_resp_free(r); /* unread: the stream is reset, nothing leaks */
  /* the connection is still fine */
  uint8_t *b;
  size_t len;
  assert_int_equal(get_all(c, "/small.txt", &b, &len), 200);
  free(b);
  hyper_client_free(c);
}

static void test_client_read_in_pieces(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  uint8_t buf[1000];
  size_t off = 0, n;
  /* odd amounts: 7, then 999, then read-all for the rest */
  expect_ok(c, hyper_resp_read(r, buf, 7, &n));
  assert_int_equal(n, 7);
  check_pattern(buf, n, off);
  off += n;
  for (int i = 0; i < 20; i++) {
    expect_ok(c, hyper_resp_read(r, buf, 999, &n));
    assert_int_equal(n, 999); /* read(amt) fills amt until the end */
    check_pattern(buf, n, off);
    off += n;
  }
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(off + s.len, 70000);
  check_pattern(s.ptr, s.len, off);
  expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
  assert_int_equal(n, 0);
  hyper_resp_free(r);
  /* read past a 1 MiB body in 64 KiB reads */
  expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                    &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  uint8_t *big = malloc(65536);
  assert_non_null(big);
  off = 0;
  for (;;) {
    expect_ok(c, hyper_resp_read(r, big, 65536, &n));
    if (n == 0)
      break;
    check_pattern(big, n, off);
    off += n;
  }
  assert_int_equal(off, 1u << 20);
  free(big);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_read_chunks(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice ch;
  size_t off = 0;
  int count = 0, rv;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
    assert_true(ch.len <= 16384); /* one DATA frame at a time */
    check_pattern(ch.ptr, ch.len, off);
    off += ch.len;
    count++;
  }
  expect_ok(c, rv);
  assert_int_equal(off, 70000);
  assert_true(count >= 5);
  assert_int_equal(hyper_resp_read_chunk(r, &ch), 0);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_trailers(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  const hyper_hdrs *t;
  expect_ok(c, hyper_resp_trailers(r, &t)); /* drains the body */
  hyper_slice v;
  assert_true(hyper_hdrs_get_first(t, HYPER_HDRS_LIT("x-trailer"), &v));
  assert_int_equal(v.len, 3);
  assert_memory_equal(v.ptr, "yes", 3);
  hyper_slice s; /* the body is still all there */
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 70000);
  check_pattern(s.ptr, s.len, 0);
  hyper_resp_free(r);
  hyper_client_free(c);
  /* a response without trailers */
  c = client_for(&srv_small, NULL, NULL);
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL,
                                    &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  expect_ok(c, hyper_resp_trailers(r, &t));
  assert_int_equal(hyper_hdrs_count(t), 0);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* Request bodies of awkward sizes, echoed back. */
static void test_client_post_sizes(void **state) {
  (void)state;
  static const size_t sizes[] = {0,     1,     16383,    16384,   16385,
                                 32768, 65535, 65536,    65537,   1u << 20,
                                 12u << 20 /* echo > our stream window */};
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    post_echo(c, sizes[i]);
  hyper_client_free(c);
}

/* hyper #355: bodies whose size is a multiple of a chunk size (1 KiB, the
 * frame size, the server's 16,383-octet stream window) must end the
 * stream, not hang; the small-window server makes every upload wait for
 * WINDOW_UPDATE many times. */
static void test_client_issue355_multiples(void **state) {
  (void)state;
  static const size_t sizes[] = {1024,      2048,      16384,    16383 * 2,
                                 16384 * 4, 32767 * 2, 65536 * 3, 1u << 20};
  hyper_client_opts o;
  opts_h2c(&o);
  o.request_timeout_ms = 10000; /* a hang fails as TIMEOUT */
  hyper_client *c = client_for(&srv_small, &o, NULL);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    post_echo(c, sizes[i]);
  hyper_client_free(c);
  c = client_for(&srv_plain, &o, NULL);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    post_echo(c, sizes[i]);
  hyper_client_free(c);
}

/* Several uploads in flight at once over small windows, responses read in
 * reverse order. */
static void test_client_concurrent_uploads(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_small, NULL, NULL);
  enum { N = 4, LEN = 100000 };
  uint8_t *b = malloc(LEN);
  assert_non_null(b);
  for (size_t i = 0; i < LEN; i++)
    b[i] = cs_pattern(i);
  uint32_t ids[N];
  for (int i = 0; i < N; i++)
    expect_ok(c, hyper_client_request(c, "PUT", "/up", b, LEN - 1000 * i,
                                      NULL, &ids[i]));
  for (int i = N - 1; i >= 0; i--) {
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, ids[i], &r));
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, LEN - 1000 * i);
    check_pattern(s.ptr, s.len, 0);
    hyper_resp_free(r);
  }
  free(b);
  hyper_client_free(c);
}

static void test_client_putrequest_sequence(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id = 0;
  expect_ok(c, hyper_client_putrequest(c, "POST", "/put", &id));
  assert_int_equal(id, 1);
  expect_ok(c, hyper_client_putheader(c, id, "Content-Type", "text/plain"));
  expect_ok(c, hyper_client_putheader(c, 0, "Connection", "keep-alive"));
  expect_ok(c, hyper_client_putheader(c, 0, "Transfer-Encoding", "chunked"));
  expect_ok(c, hyper_client_putheader(c, 0, "X-Test", "1"));
  assert_int_equal(hyper_client_putheader(c, 0, "bad", "a\r\nb"),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* no request() while a putrequest is open */
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 0, NULL, NULL),
                   HYPER_ERR_INVALID_STATE);
  /* send() before endheaders: not yet */
  assert_int_equal(hyper_client_send(c, id, "x", 1, 0),
                   HYPER_ERR_INVALID_STATE);
  expect_ok(c, hyper_client_endheaders(c, id, "part1,", 6, 0));
  assert_int_equal(hyper_client_putheader(c, id, "late", "1"),
                   HYPER_ERR_INVALID_STATE);
  expect_ok(c, hyper_client_send(c, id, "part2,", 6, 0));
  expect_ok(c, hyper_client_send(c, id, NULL, 0, 0));
  expect_ok(c, hyper_client_send(c, id, "part3", 5, 1));
  assert_int_equal(hyper_client_send(c, id, "more", 4, 0),
                   HYPER_ERR_INVALID_STATE);
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 17);
  assert_memory_equal(s.ptr, "part1,part2,part3", 17);
  hyper_resp_free(r);

  /* two started at once: ids in order; headers must end in order */
  uint32_t a, b;
  expect_ok(c, hyper_client_putrequest(c, "GET", "/a.txt", &a));
  expect_ok(c, hyper_client_putrequest(c, "GET", "/c.txt", &b));
  assert_int_equal(a, 3);
  assert_int_equal(b, 5);
  assert_int_equal(hyper_client_endheaders(c, b, NULL, 0, 1),
                   HYPER_ERR_INVALID_STATE);
  expect_ok(c, hyper_client_endheaders(c, a, NULL, 0, 1));
  expect_ok(c, hyper_client_endheaders(c, b, NULL, 0, 1));
  expect_ok(c, hyper_client_get_response(c, b, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, CS_C, strlen(CS_C));
  hyper_resp_free(r);
  expect_ok(c, hyper_client_get_response(c, a, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, CS_A, strlen(CS_A));
  hyper_resp_free(r);
  /* endheaders with the whole body and final: one call */
  expect_ok(c, hyper_client_putrequest(c, "PUT", "/x", &id));
  expect_ok(c, hyper_client_endheaders(c, 0, "whole", 5, 1));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 5);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* A streaming upload: the read callback hands out odd-sized pieces. */
typedef struct src_state {
  size_t total, off;
  size_t calls, max_cap;
} src_state;

static int src_read(void *user, uint8_t *buf, size_t cap, size_t *n,
                    int *eof) {
  src_state *s = user;
  s->calls++;
  if (cap > s->max_cap)
    s->max_cap = cap;
  size_t k = s->total - s->off;
  if (k > cap)
    k = cap;
  if (k > 7777)
    k = 7777;
  for (size_t i = 0; i < k; i++)
    buf[i] = cs_pattern(s->off + i);
  s->off += k;
  *n = k;
  *eof = s->off == s->total;
  return 0;
}

/* hyper #355's shape: full pieces, and the end reported only by a later
 * call that returns nothing. */
static int src_lazy_eof(void *user, uint8_t *buf, size_t cap, size_t *n,
                        int *eof) {
  src_state *s = user;
  s->calls++;
  size_t k = s->total - s->off;
  if (k > cap)
    k = cap;
  if (k > 1024)
    k = 1024;
  for (size_t i = 0; i < k; i++)
    buf[i] = cs_pattern(s->off + i);
  s->off += k;
  *n = k;
  *eof = k == 0;
  return 0;
}

static int src_fail(void *user, uint8_t *buf, size_t cap, size_t *n,
                    int *eof) {
  src_state *s = user;
  (void)buf;
  (void)cap;
  (void)eof;
  *n = 0;
  return s->calls++ < 2 ? 0 : HYPER_ERR_IO;
}

static void test_client_streaming_upload(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_small, NULL, NULL);
  src_state s = {300000, 0, 0, 0};
  uint32_t id;
  expect_ok(c, hyper_client_request_stream(c, "POST", "/stream", NULL,
                                           src_read, &s, &id));
  assert_int_equal(s.off, s.total);
  assert_true(s.max_cap <= 16384);
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice b;
  expect_ok(c, hyper_resp_read_all(r, &b));
  assert_int_equal(b.len, 300000);
  check_pattern(b.ptr, b.len, 0);
  hyper_resp_free(r);
  /* sizes that are multiples of the piece and frame sizes end the stream */
  static const size_t lazy[] = {1024, 16384, 65536, 16384 * 5};
  for (size_t i = 0; i < sizeof lazy / sizeof lazy[0]; i++) {
    src_state z = {lazy[i], 0, 0, 0};
    expect_ok(c, hyper_client_request_stream(c, "POST", "/stream", NULL,
                                             src_lazy_eof, &z, &id));
    expect_ok(c, hyper_client_get_response(c, id, &r));
    expect_ok(c, hyper_resp_read_all(r, &b));
    assert_int_equal(b.len, lazy[i]);
    check_pattern(b.ptr, b.len, 0);
    hyper_resp_free(r);
  }
  /* an empty stream */
  src_state e = {0, 0, 0, 0};
  expect_ok(c, hyper_client_request_stream(c, "POST", "/stream", NULL,
                                           src_read, &e, &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  expect_ok(c, hyper_resp_read_all(r, &b));
  assert_int_equal(b.len, 0);
  hyper_resp_free(r);
  /* a failing source resets the stream and reports its error */
  src_state f = {0, 0, 0, 0};
  assert_int_equal(hyper_client_request_stream(c, "POST", "/stream", NULL,
                                               src_fail, &f, &id),
                   HYPER_ERR_IO);
  /* the connection still works */
  uint8_t *body;
  size_t len;
  assert_int_equal(get_all(c, "/small.txt", &body, &len), 200);
  free(body);
  hyper_client_free(c);
}

/* Server limit of one stream: requests wait for a slot (the default), or
 * fail at once with LIMIT_FAIL. */
static void test_client_stream_limit(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_one, NULL, NULL);
  uint32_t ids[3];
  expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                    &ids[0]));
  expect_ok(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL,
                                    &ids[1]));
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &ids[2]));
  static const size_t lens[] = {1u << 20, 70000, sizeof CS_SMALL - 1};
  for (int i = 2; i >= 0; i--) {
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, ids[i], &r));
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, lens[i]);
    hyper_resp_free(r);
  }
  hyper_client_free(c);

  hyper_client_opts o;
  opts_h2c(&o);
  o.limit_mode = HYPER_CLIENT_LIMIT_FAIL;
  c = client_for(&srv_one, &o, NULL);
  expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                    &ids[0]));
  assert_int_equal(hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL,
                                        &ids[1]),
                   HYPER_ERR_LIMIT_EXCEEDED);
  hyper_client_free(c);

  /* our own cap, below the server's */
  opts_h2c(&o);
  o.max_concurrent_streams = 1;
  o.limit_mode = HYPER_CLIENT_LIMIT_FAIL;
  c = client_for(&srv_plain, &o, NULL);
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL,
                                    &ids[0]));
  assert_int_equal(hyper_client_request(c, "GET", "/c.txt", NULL, 0, NULL,
                                        &ids[1]),
                   HYPER_ERR_LIMIT_EXCEEDED);
  /* waiting cannot help when the open stream waits for our data */
  o.limit_mode = HYPER_CLIENT_LIMIT_WAIT;
  hyper_client *c2 = client_for(&srv_plain, &o, NULL);
  uint32_t p;
  expect_ok(c2, hyper_client_putrequest(c2, "POST", "/open", &p));
  expect_ok(c2, hyper_client_endheaders(c2, p, "x", 1, 0));
  assert_int_equal(hyper_client_request(c2, "GET", "/a.txt", NULL, 0, NULL,
                                        NULL),
                   HYPER_ERR_LIMIT_EXCEEDED);
  hyper_client_free(c2);
  hyper_client_free(c);
}

/* Unread responses bigger than the windows do not block the one being
 * read: many 1 MiB responses in flight, read in reverse order. */
static void test_client_unread_responses_spill(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  enum { N = 24 }; /* 24 MiB > the 16 MiB connection window */
  uint32_t ids[N];
  for (int i = 0; i < N; i++)
    expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                      &ids[i]));
  for (int i = N - 1; i >= 0; i--) {
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, ids[i], &r));
    uint8_t buf[4096];
    size_t n, total = 0;
    do {
      expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
      total += n;
    } while (n);
    assert_int_equal(total, 1u << 20);
    hyper_resp_free(r);
  }
  hyper_client_free(c);
  /* with max_buffered too small the same pattern reports LIMIT_EXCEEDED
   * instead of holding the data */
  hyper_client_opts o;
  opts_h2c(&o);
  o.max_buffered = 1u << 20;
  c = client_for(&srv_plain, &o, NULL);
  for (int i = 0; i < N; i++)
    expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                      &ids[i]));
  hyper_resp *r;
  int rv = hyper_client_get_response(c, ids[N - 1], &r);
  if (rv == 0) {
    uint8_t buf[4096];
    size_t n;
    do {
      rv = hyper_resp_read(r, buf, sizeof buf, &n);
    } while (rv == 0 && n);
    hyper_resp_free(r);
  }
  assert_int_equal(rv, HYPER_ERR_LIMIT_EXCEEDED);
  hyper_client_free(c);
}

/* 100 requests in flight on one connection (nghttpd's limit), responses
 * fetched and read in a shuffled order. */
static void test_client_hundred_in_flight_shuffled(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  enum { N = 100 };
  static const char *paths[] = {"/a.txt", "/c.txt", "/small.txt",
                                "/p70000.bin"};
  static const size_t lens[] = {sizeof CS_A - 1, sizeof CS_C - 1,
                                sizeof CS_SMALL - 1, 70000};
  uint32_t ids[N];
  int order[N];
  for (int i = 0; i < N; i++) {
    expect_ok(c, hyper_client_request(c, "GET", paths[i % 4], NULL, 0, NULL,
                                      &ids[i]));
    order[i] = i;
  }
  uint32_t seed = 12345;
  for (int i = N - 1; i > 0; i--) {
    seed = seed * 1103515245u + 12345u;
    int j = (int)((seed >> 16) % (uint32_t)(i + 1));
    int t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (int k = 0; k < N; k++) {
    int i = order[k];
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, ids[i], &r));
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, lens[i % 4]);
    hyper_resp_free(r);
  }
  hyper_client_free(c);
}

/* 1,000 sequential requests reuse one connection. */
static void test_client_thousand_sequential(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client_for(&srv_plain, NULL, &fm.mem);
  for (int i = 0; i < 1000; i++) {
    uint32_t id;
    expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                      &id));
    assert_int_equal(id, 1u + 2u * (uint32_t)i);
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, id, &r));
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, sizeof CS_SMALL - 1);
    hyper_resp_free(r);
  }
  size_t live = fm.live_bytes;
  hyper_client_free(c);
  assert_true(live < 1024 * 1024); /* nothing accumulates per request */
  assert_int_equal(fm.live_blocks, 0);
}

static void test_client_ping(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  int64_t rtt = -1;
  expect_ok(c, hyper_client_ping(c, 0, &rtt)); /* connects first */
  assert_true(rtt >= 0 && rtt < 5000);
  expect_ok(c, hyper_client_ping(c, 2000, &rtt));
  hyper_client_free(c);
}

/* close() sends GOAWAY and drops the connection; the next request opens a
 * new one. A response fetched before close keeps its buffered data. */
static void test_client_close_and_reconnect(void **state) {
  (void)state;
  hyper_client *c = client_for(&srv_plain, NULL, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  const hyper_hdrs *t;
  expect_ok(c, hyper_resp_trailers(r, &t)); /* whole body received */
  expect_ok(c, hyper_client_connect(c));    /* no-op */
  expect_ok(c, hyper_client_close(c, HYPER_H2_NO_ERROR));
  assert_false(hyper_client_is_connected(c));
  expect_ok(c, hyper_client_close(c, HYPER_H2_NO_ERROR)); /* no-op */
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, strlen(CS_SMALL));
  hyper_resp_free(r);
  /* a response whose body had not arrived fails, not truncates */
  expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL,
                                    &id));
  assert_int_equal(id, 1); /* a new connection */
  expect_ok(c, hyper_client_get_response(c, id, &r));
  expect_ok(c, hyper_client_close(c, HYPER_H2_CANCEL));
  uint8_t *buf = malloc(1u << 20);
  assert_non_null(buf);
  size_t n;
  assert_int_equal(hyper_resp_read(r, buf, 1u << 20, &n),
                   HYPER_ERR_INVALID_STATE);
  assert_true(n < (1u << 20));
  free(buf);
  /* free the client first, the response after it */
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id));
  hyper_resp *r2;
  expect_ok(c, hyper_client_get_response(c, id, &r2));
  hyper_client_free(c);
  assert_int_equal(hyper_resp_status(r2), 200);
  hyper_resp_free(r2);
  hyper_resp_free(r);
}

static void test_client_connect_refused(void **state) {
  (void)state;
  uint16_t port = 0;
  int fd = ts_listen(0, -1, 0, &port); /* bound, never listening */
  assert_true(fd >= 0);
  hyper_client_opts o;
  opts_h2c(&o);
  o.port = port;
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, "127.0.0.1", &o, NULL), 0);
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 0, NULL, NULL),
                   HYPER_ERR_CONNECT);
  assert_true(strstr(hyper_client_last_error(c)->desc, "127.0.0.1") != NULL);
  assert_int_equal(hyper_client_last_error(c)->code, HYPER_ERR_CONNECT);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  close(fd);
}

/* A TCP server that accepts (in the kernel) and never answers: every wait
 * ends with TIMEOUT within its deadline. */
static void test_client_silent_server_timeout(void **state) {
  (void)state;
  uint16_t port = 0;
  int fd = ts_listen(0, 8, 0, &port);
  assert_true(fd >= 0);
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  hyper_client_opts o;
  opts_h2c(&o);
  o.connect_timeout_ms = 300; /* waiting for the server's SETTINGS */
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  int64_t t0 = cs_now_ms();
  assert_int_equal(hyper_client_connect(c), HYPER_ERR_TIMEOUT);
  int64_t took = cs_now_ms() - t0;
  assert_true(took >= 250 && took < 5000);
  hyper_client_free(c);
  /* idle read timeout */
  opts_h2c(&o);
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 200;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  t0 = cs_now_ms();
  assert_int_equal(hyper_client_connect(c), HYPER_ERR_TIMEOUT);
  took = cs_now_ms() - t0;
  assert_true(took >= 150 && took < 5000);
  hyper_client_free(c);
  close(fd);
}

/* A dead peer while waiting for a response: PINGs after ping_idle_ms, no
 * answer within ping_timeout_ms -> TIMEOUT and the connection is failed. */
static cs_nghttpd srv_tmp; /* per-test server, stopped by teardown_tmp */

static int teardown_tmp(void **state) {
  (void)state;
  cs_nghttpd_stop(&srv_tmp);
  return 0;
}

static void test_client_dead_peer_ping(void **state) {
  (void)state;
  /* nghttpd stopped with SIGSTOP answers nothing */
  char *none[] = {NULL};
  assert_int_equal(cs_nghttpd_start(&srv_tmp, www.dir, NULL, none), 0);
  hyper_client_opts o;
  opts_h2c(&o);
  o.read_timeout_ms = 10000;
  o.ping_idle_ms = 100;
  o.ping_timeout_ms = 300;
  hyper_client *c = client_for(&srv_tmp, &o, NULL);
  expect_ok(c, hyper_client_connect(c));
  kill(srv_tmp.pid, SIGSTOP);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id));
  int64_t t0 = cs_now_ms();
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), HYPER_ERR_TIMEOUT);
  int64_t took = cs_now_ms() - t0;
  assert_true(took >= 300 && took < 8000);
  assert_true(strstr(hyper_client_last_error(c)->desc, "PING") != NULL);
  assert_false(hyper_client_is_connected(c));
  kill(srv_tmp.pid, SIGCONT);
  hyper_client_free(c);
  cs_nghttpd_stop(&srv_tmp);
}

/* The total per-request deadline bounds get_response. */
static void test_client_request_deadline(void **state) {
  (void)state;
  char *none[] = {NULL};
  assert_int_equal(cs_nghttpd_start(&srv_tmp, www.dir, NULL, none), 0);
  hyper_client_opts o;
  opts_h2c(&o);
  o.request_timeout_ms = 300;
  hyper_client *c = client_for(&srv_tmp, &o, NULL);
  expect_ok(c, hyper_client_connect(c));
  kill(srv_tmp.pid, SIGSTOP);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id));
  int64_t t0 = cs_now_ms();
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), HYPER_ERR_TIMEOUT);
  int64_t took = cs_now_ms() - t0;
  assert_true(took < 5000);
  /* not a connection failure: it works once the server is back (within
   * this request's deadline it cannot, so a new request is used) */
  assert_true(hyper_client_is_connected(c));
  kill(srv_tmp.pid, SIGCONT);
  hyper_client_free(c);
  cs_nghttpd_stop(&srv_tmp);
}

/* A custom window manager whose calls are observed. */
typedef struct obs_wm {
  hyper_h2_wm base;
} obs_wm;

typedef struct obs_factory {
  unsigned creates, destroys;
  uint64_t seen;
} obs_factory;

static obs_factory *obs_current;

static uint32_t obs_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  obs_current->seen += frame_size;
  return hyper_h2_wm_default_increase_window_size(wm, frame_size);
}

static void obs_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  obs_current->destroys++;
  mem->free(wm, mem->user);
}

static const hyper_h2_wm_vtable obs_vt = {obs_increase, NULL, obs_destroy};

static int obs_create(hyper_h2_wm **out, uint32_t stream_id,
                      uint32_t initial, void *user, const hyper_mem *mem) {
  obs_factory *f = user;
  obs_wm *m = mem->calloc(1, sizeof *m, mem->user);
  if (!m)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(&m->base, &obs_vt, stream_id, initial);
  f->creates++;
  *out = &m->base;
  return 0;
}

static void test_client_window_manager(void **state) {
  (void)state;
  obs_factory f = {0, 0, 0};
  obs_current = &f;
  hyper_client_opts o;
  opts_h2c(&o);
  o.window_manager.create = obs_create;
  o.window_manager.user = &f;
  hyper_client *c = client_for(&srv_plain, &o, NULL);
  uint8_t *b;
  size_t len;
  assert_int_equal(get_all(c, "/p1m.bin", &b, &len), 200);
  assert_int_equal(len, 1u << 20);
  free(b);
  hyper_client_free(c);
  assert_true(f.creates >= 2); /* the connection and the stream */
  assert_int_equal(f.creates, f.destroys);
  /* each octet is reported twice: stream and connection manager */
  assert_true(f.seen >= 2u * (1u << 20));
}

static void test_client_options_and_args(void **state) {
  (void)state;
  hyper_client *c = NULL;
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  assert_int_equal(o.secure, 1);
  assert_int_equal(o.network_buffer_size, 65536);
  assert_int_equal(o.insecure, 0);
  assert_int_equal(o.enable_push, 0);
  assert_int_equal(hyper_client_new(NULL, "x", NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_new(&c, NULL, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  const char *bad[] = {"", "host:", "host:0", "host:65536", "host:12a",
                       "[::1", "[::1]x", "[]:80", "a b", "a/b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(hyper_client_new(&c, bad[i], NULL, NULL),
                     HYPER_ERR_INVALID_ARGUMENT);
  o.read_timeout_ms = 0;
  assert_int_equal(hyper_client_new(&c, "h", &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_client_opts_init(&o);
  o.cert_file = "/x.pem"; /* without a key */
  assert_int_equal(hyper_client_new(&c, "h", &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_client_opts_init(&o);
  o.network_buffer_size = 0;
  assert_int_equal(hyper_client_new(&c, "h", &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* good ones; nothing is sent */
  const char *good[] = {"example.com", "example.com:8443", "127.0.0.1:1",
                        "[::1]:8443", "::1", "[::1]"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_int_equal(hyper_client_new(&c, good[i], NULL, NULL), 0);
    assert_false(hyper_client_is_connected(c));
    hyper_client_free(c);
  }
  hyper_client_free(NULL);
  hyper_resp_free(NULL);
  hyper_push_free(NULL);
  assert_null(hyper_client_last_error(NULL));
  assert_int_equal(hyper_resp_status(NULL), 0);
  /* argument checks before any I/O */
  assert_int_equal(hyper_client_new(&c, "127.0.0.1:1", NULL, NULL), 0);
  assert_int_equal(hyper_client_request(c, "", "/", NULL, 0, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_request(c, "GET", NULL, NULL, 0, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 5, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_get_response(c, 0, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, 0, &r),
                   HYPER_ERR_INVALID_STATE);
  hyper_push *p;
  assert_int_equal(hyper_client_next_push(c, 1, 0, &p),
                   HYPER_ERR_INVALID_STATE);
  hyper_client_free(c);
}

/* Allocation failures anywhere in a GET: an error or success, never a
 * leak or a crash. */
/* The header map of an HTTP/2 response is built on the first
 * hyper_resp_headers() (a program that never asks builds none): the
 * fields are those received, an allocation failure then gives NULL, and a
 * later call succeeds; content-encoding decoding builds it when needed. */
static void test_client_headers_built_on_demand(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client_for(&srv_plain, NULL, &fm.mem);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  long before = fm.nalloc;
  fm.fail_after = before + 1; /* every allocation from here fails */
  assert_null(hyper_resp_headers(r));
  assert_true(fm.nfailed >= 1);
  fm.fail_after = 0;
  const hyper_hdrs *h = hyper_resp_headers(r);
  assert_non_null(h);
  assert_ptr_equal(hyper_resp_headers(r), h); /* built once */
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(h, HYPER_HDRS_LIT("content-length"),
                                        &v), 1);
  assert_int_equal(v.len, 2);
  assert_memory_equal(v.ptr, "19", 2); /* strlen(CS_SMALL) */
  size_t n = 0;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_true(n >= 1);
  for (size_t i = 0; i < n; i++)
    assert_true(f[i].name_len > 0 && f[i].name[0] != ':');
  hyper_slice b;
  expect_ok(c, hyper_resp_read_all(r, &b));
  assert_int_equal(b.len, strlen(CS_SMALL));
  hyper_resp_free(r);
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_client_failmalloc_get(void **state) {
  (void)state;
  failmem fm;
  long total;
  {
    failmem_init(&fm);
    hyper_client *c = client_for(&srv_plain, NULL, &fm.mem);
    uint8_t *b;
    size_t len;
    assert_int_equal(get_all(c, "/p70000.bin", &b, &len), 200);
    free(b);
    hyper_client_free(c);
    total = fm.nalloc;
    assert_int_equal(fm.live_blocks, 0);
  }
  for (long k = 1; k <= total; k++) {
    failmem_init(&fm);
    fm.fail_at = k;
    hyper_client_opts o;
    opts_h2c(&o);
    char host[32];
    (void)snprintf(host, sizeof host, "127.0.0.1:%u",
                   (unsigned)srv_plain.port);
    hyper_client *c = NULL;
    int rv = hyper_client_new(&c, host, &o, &fm.mem);
    if (rv) {
      assert_int_equal(rv, HYPER_ERR_NOMEM);
      assert_null(c);
      assert_int_equal(fm.live_blocks, 0);
      continue;
    }
    uint32_t id;
    rv = hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL, &id);
    hyper_resp *r = NULL;
    if (rv == 0)
      rv = hyper_client_get_response(c, id, &r);
    if (rv == 0) {
      hyper_slice s;
      rv = hyper_resp_read_all(r, &s);
      if (rv == 0)
        assert_int_equal(s.len, 70000);
    }
    if (rv != 0 && rv != HYPER_ERR_NOMEM && !hyper_err_is_fatal(rv))
      print_message("alloc %ld: %s\n", k, hyper_err_name(rv));
    hyper_resp_free(r);
    hyper_client_free(c);
    assert_int_equal(fm.live_blocks, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_options_and_args),
      cmocka_unit_test(test_client_get_h2c),
      cmocka_unit_test(test_client_three_requests_any_order),
      cmocka_unit_test(test_client_get_response_oldest),
      cmocka_unit_test(test_client_headers_map),
      cmocka_unit_test(test_client_read_in_pieces),
      cmocka_unit_test(test_client_read_chunks),
      cmocka_unit_test(test_client_trailers),
      cmocka_unit_test(test_client_post_sizes),
      cmocka_unit_test(test_client_issue355_multiples),
      cmocka_unit_test(test_client_concurrent_uploads),
      cmocka_unit_test(test_client_putrequest_sequence),
      cmocka_unit_test(test_client_streaming_upload),
      cmocka_unit_test(test_client_stream_limit),
      cmocka_unit_test(test_client_unread_responses_spill),
      cmocka_unit_test(test_client_hundred_in_flight_shuffled),
      cmocka_unit_test(test_client_thousand_sequential),
      cmocka_unit_test(test_client_ping),
      cmocka_unit_test(test_client_close_and_reconnect),
      cmocka_unit_test(test_client_connect_refused),
      cmocka_unit_test(test_client_silent_server_timeout),
      cmocka_unit_test_teardown(test_client_dead_peer_ping, teardown_tmp),
      cmocka_unit_test_teardown(test_client_request_deadline, teardown_tmp),
      cmocka_unit_test(test_client_window_manager),
      cmocka_unit_test(test_client_headers_built_on_demand),
      cmocka_unit_test(test_client_failmalloc_get),
  };
  signal(SIGPIPE, SIG_DFL);
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
