/* Several connections from one thread: hyper_client_poll() and
 * hyper_client_response_state() (client.h), against nghttpd in cleartext
 * and over TLS (certificates made at test time), and a scripted HTTP/1.1
 * server. Every wait is bounded by a timeout passed to the poll; a poll
 * that returns 0 while responses are outstanding fails the test (nothing
 * arrived within the bound). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "client_testserver.h"
#include "h1srv.h"

#include "failmem.h"
#include "hyper/client.h"

static cs_docroot www;
static ts_certs certs;
static cs_nghttpd srv_plain;
static cs_nghttpd srv_tls;

static int group_setup(void **state) {
  (void)state;
  if (ts_certs_make(&certs) != 0 || cs_docroot_make(&www) != 0)
    return -1;
  if (cs_nghttpd_start(&srv_plain, www.dir, NULL, NULL) != 0 ||
      cs_nghttpd_start(&srv_tls, www.dir, &certs, NULL) != 0) {
    print_error("cannot start nghttpd (Debian nghttp2-server)\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  cs_nghttpd_stop(&srv_plain);
  cs_nghttpd_stop(&srv_tls);
  cs_docroot_remove(&www);
  ts_certs_remove(&certs);
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static void opts_for(hyper_client_opts *o, int tls) {
  hyper_client_opts_init(o);
  o->secure = tls;
  if (tls)
    o->ca_file = ts_path(&certs, "ca.pem");
  o->connect_timeout_ms = 5000;
  o->read_timeout_ms = 5000;
  o->request_timeout_ms = 20000;
}

static hyper_client *client_at(uint16_t port, const hyper_client_opts *o,
                               const hyper_mem *mem) {
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, o, mem), 0);
  int rv = hyper_client_connect(c);
  if (rv)
    print_error("connect: %s\n", hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                c ? hyper_client_last_error(c)->desc : "");
  assert_int_equal(rv, 0);
}

/* What a file of the docroot holds (cs_docroot_make()). */
static void check_body(const char *path, const uint8_t *p, size_t n) {
  if (strcmp(path, "/small.txt") == 0) {
    assert_int_equal(n, strlen(CS_SMALL));
    assert_memory_equal(p, CS_SMALL, n);
    return;
  }
  if (strcmp(path, "/a.txt") == 0) {
    assert_int_equal(n, strlen(CS_A));
    assert_memory_equal(p, CS_A, n);
    return;
  }
  size_t want = strcmp(path, "/p70000.bin") == 0 ? 70000u : 1048576u;
  assert_int_equal(n, want);
  for (size_t i = 0; i < n; i++)
    if (p[i] != cs_pattern(i)) {
      print_error("%s: byte %zu differs\n", path, i);
      fail();
    }
}

#define MAXREQ 16

typedef struct outstanding {
  hyper_client *c;
  uint32_t id[MAXREQ];
  const char *path[MAXREQ];
  int done[MAXREQ];
  unsigned n;
} outstanding;

/* Polls |n| clients until every request of |out| is complete, fetching
 * and checking each response as soon as hyper_client_response_state()
 * says COMPLETE (never waiting on one connection). Returns the number of
 * polls. */
static unsigned drain(outstanding *out, size_t n, hyper_client **cls) {
  unsigned left = 0, polls = 0;
  for (size_t k = 0; k < n; k++)
    left += out[k].n;
  int first = 1;
  while (left > 0) {
    if (!first) { /* what is already complete needs no poll */
      int rv = hyper_client_poll(cls, n, 5000);
      /* bounded: each poll moves at least one read's worth */
      assert_true(++polls < 100000);
      if (rv <= 0)
        print_error("poll returned %d with %u responses outstanding\n", rv,
                    left);
      assert_true(rv > 0);
    }
    first = 0;
    for (size_t k = 0; k < n; k++)
      for (unsigned i = 0; i < out[k].n; i++) {
        if (out[k].done[i])
          continue;
        int st = hyper_client_response_state(out[k].c, out[k].id[i]);
        assert_true(st >= HYPER_RESPONSE_PENDING &&
                    st <= HYPER_RESPONSE_COMPLETE);
        if (st != HYPER_RESPONSE_COMPLETE)
          continue;
        hyper_resp *r;
        expect_ok(out[k].c,
                  hyper_client_get_response(out[k].c, out[k].id[i], &r));
        assert_int_equal(hyper_resp_status(r), 200);
        hyper_slice s;
        expect_ok(out[k].c, hyper_resp_read_all(r, &s));
        check_body(out[k].path[i], s.ptr, s.len);
        hyper_resp_free(r);
        out[k].done[i] = 1;
        left--;
      }
  }
  return polls;
}

/* ---- argument and state errors ------------------------------------------ */

static void test_client_poll_bad_arguments(void **state) {
  (void)state;
  assert_int_equal(hyper_client_poll(NULL, 1, 0), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_poll(NULL, 0, 0), HYPER_ERR_INVALID_STATE);
  hyper_client_opts o;
  opts_for(&o, 0);
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u",
                 (unsigned)srv_plain.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  hyper_client *set[3] = {NULL, c, NULL};
  /* not connected: nothing to wait for */
  assert_int_equal(hyper_client_poll(set, 3, 0), HYPER_ERR_INVALID_STATE);
  /* more than the stack set holds, the first entry NULL, none connected */
  hyper_client *big[70];
  big[0] = NULL;
  for (size_t i = 1; i < 70; i++)
    big[i] = c;
  assert_int_equal(hyper_client_poll(big, 70, 0), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_client_response_state(NULL, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_response_state(c, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_client_response_state(c, 1),
                   HYPER_ERR_INVALID_STATE);
  expect_ok(c, hyper_client_connect(c));
  /* connected and idle: a zero timeout only looks (the server's SETTINGS
   * may or may not be there yet: 0 or 1) */
  int rv = hyper_client_poll(set, 3, 0);
  assert_true(rv == 0 || rv == 1);
  assert_int_equal(hyper_client_response_state(c, 1),
                   HYPER_ERR_INVALID_STATE);
  hyper_client_free(c);
}

/* ---- HTTP/2: many connections ------------------------------------------- */

static const char *const paths[] = {"/small.txt", "/p70000.bin", "/a.txt",
                                    "/small.txt", "/p70000.bin"};

/* |nconn| connections with |per| requests each (cycling through paths[]),
 * all issued before the first poll, drained by polling. */
static void many(int tls, size_t nconn, unsigned per, int coalesce,
                 const hyper_mem *mem) {
  hyper_client_opts o;
  opts_for(&o, tls);
  o.coalesce_requests = coalesce;
  hyper_client **cls = calloc(nconn, sizeof *cls);
  outstanding *out = calloc(nconn, sizeof *out);
  assert_non_null(cls);
  assert_non_null(out);
  for (size_t k = 0; k < nconn; k++) {
    cls[k] = client_at(tls ? srv_tls.port : srv_plain.port, &o, mem);
    out[k].c = cls[k];
    out[k].n = per;
    for (unsigned i = 0; i < per; i++) {
      out[k].path[i] = paths[(k + i) % 5];
      expect_ok(cls[k], hyper_client_request(cls[k], "GET", out[k].path[i],
                                             NULL, 0, NULL, &out[k].id[i]));
      /* nothing moved yet: no response can be there */
      assert_int_equal(hyper_client_response_state(cls[k], out[k].id[i]),
                       HYPER_RESPONSE_PENDING);
    }
  }
  unsigned polls = drain(out, nconn, cls);
  /* every poll moved something: far fewer polls than frames */
  assert_true(polls >= 1);
  for (size_t k = 0; k < nconn; k++)
    hyper_client_free(cls[k]);
  free(cls);
  free(out);
}

static void test_client_poll_h2c_ten_connections(void **state) {
  (void)state;
  many(0, 10, 5, 0, NULL);
}

/* With coalesce_requests the requests are still queued in the clients:
 * only the poll's flush sends them (else nothing would ever arrive). */
static void test_client_poll_flushes_coalesced_requests(void **state) {
  (void)state;
  many(0, 4, 8, 1, NULL);
}

/* The case that needs the flush: request 1 is complete but not fetched,
 * so coalesce_requests holds request 2 back; only the poll can send it.
 * The server's SETTINGS and the first response are all the input there
 * is, so without the flush the poll times out. */
static void test_client_poll_sends_held_request(void **state) {
  (void)state;
  hyper_client_opts o;
  opts_for(&o, 0);
  o.coalesce_requests = 1;
  hyper_client *c = client_at(srv_plain.port, &o, NULL);
  uint32_t id1, id2;
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id1));
  while (hyper_client_response_state(c, id1) != HYPER_RESPONSE_COMPLETE)
    assert_true(hyper_client_poll(&c, 1, 5000) > 0);
  expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                    &id2));
  while (hyper_client_response_state(c, id2) != HYPER_RESPONSE_COMPLETE) {
    int rv = hyper_client_poll(&c, 1, 5000);
    if (rv <= 0)
      print_error("request 2 never answered: was it sent?\n");
    assert_true(rv > 0);
  }
  outstanding out = {c, {id1, id2}, {"/a.txt", "/small.txt"}, {0}, 2};
  (void)drain(&out, 1, &c);
  hyper_client_free(c);
}

/* HYPER_CLIENT_COALESCE_ALL holds even the first request of a batch:
 * polls send them (many connections), and so does a blocking fetch. */
static void test_client_poll_coalesce_all(void **state) {
  (void)state;
  many(0, 5, 8, HYPER_CLIENT_COALESCE_ALL, NULL);
  hyper_client_opts o;
  opts_for(&o, 0);
  o.coalesce_requests = HYPER_CLIENT_COALESCE_ALL;
  hyper_client *c = client_at(srv_plain.port, &o, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice b;
  expect_ok(c, hyper_resp_read_all(r, &b));
  check_body("/a.txt", b.ptr, b.len);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_poll_tls(void **state) {
  (void)state;
  many(1, 3, 5, 1, NULL);
}

/* More clients than the stack array holds (64): the pollfd set comes from
 * the first client's allocator, is given back, and its failure is
 * HYPER_ERR_NOMEM. */
static void test_client_poll_more_than_64_clients(void **state) {
  (void)state;
  enum { N = 70 };
  failmem fm;
  failmem_init(&fm);
  hyper_client_opts o;
  opts_for(&o, 0);
  hyper_client *cls[N];
  outstanding *out = calloc(N, sizeof *out);
  assert_non_null(out);
  for (size_t k = 0; k < N; k++) {
    cls[k] = client_at(srv_plain.port, &o, &fm.mem);
    out[k].c = cls[k];
    out[k].n = 1;
    out[k].path[0] = paths[k % 5];
    expect_ok(cls[k], hyper_client_request(cls[k], "GET", out[k].path[0],
                                           NULL, 0, NULL, &out[k].id[0]));
  }
  fm.fail_at = fm.nalloc + 1;
  assert_int_equal(hyper_client_poll(cls, N, 0), HYPER_ERR_NOMEM);
  assert_int_equal(fm.nfailed, 1);
  fm.fail_at = 0;
  long before = fm.live_blocks;
  (void)drain(out, N, cls);
  for (size_t k = 0; k < N; k++)
    hyper_client_free(cls[k]);
  assert_true(before > 0);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  free(out);
}

/* 1 MiB responses (64+ DATA frames each), two per connection on three
 * connections, fetched only once complete: every frame reaches its client
 * through polls alone. */
static void test_client_poll_large_bodies(void **state) {
  (void)state;
  hyper_client_opts o;
  opts_for(&o, 0);
  hyper_client *cls[3];
  outstanding out[3];
  memset(out, 0, sizeof out);
  for (size_t k = 0; k < 3; k++) {
    cls[k] = client_at(srv_plain.port, &o, NULL);
    out[k].c = cls[k];
    out[k].n = 2;
    for (unsigned i = 0; i < 2; i++) {
      out[k].path[i] = "/p1m.bin";
      expect_ok(cls[k], hyper_client_request(cls[k], "GET", "/p1m.bin", NULL,
                                             0, NULL, &out[k].id[i]));
    }
  }
  (void)drain(out, 3, cls);
  for (size_t k = 0; k < 3; k++)
    hyper_client_free(cls[k]);
}

/* HEAD state before COMPLETE: a response whose body trails. Poll until the
 * head of /p1m.bin is in, read the body with blocking reads. */
static void test_client_poll_head_state(void **state) {
  (void)state;
  hyper_client_opts o;
  opts_for(&o, 0);
  hyper_client *c = client_at(srv_plain.port, &o, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL, &id));
  int st;
  while ((st = hyper_client_response_state(c, id)) == HYPER_RESPONSE_PENDING)
    assert_true(hyper_client_poll(&c, 1, 5000) > 0);
  assert_true(st == HYPER_RESPONSE_HEAD || st == HYPER_RESPONSE_COMPLETE);
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  /* still tracked after the fetch */
  st = hyper_client_response_state(c, id);
  assert_true(st == HYPER_RESPONSE_HEAD || st == HYPER_RESPONSE_COMPLETE);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  check_body("/p1m.bin", s.ptr, s.len);
  assert_int_equal(hyper_client_response_state(c, id),
                   HYPER_RESPONSE_COMPLETE);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* ---- HTTP/1.1 ------------------------------------------------------------ */

/* Answers each request with its path as the body. */
static int s_echo_path(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1) {
    char resp[256];
    const char *path = strchr(s->last, ' ') + 1;
    int k = (int)(strchr(path, ' ') - path);
    (void)snprintf(resp, sizeof resp,
                   "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%.*s", k, k,
                   path);
    if (h1s_sends(fd, resp))
      break;
  }
  return 0;
}

/* Reads one request and closes the connection without answering. */
static int s_close(h1srv *s, int fd, int conn) {
  (void)conn;
  (void)h1s_read_request(s, fd);
  return 0;
}

/* Reads a request and never answers (drains until the client goes). */
static int s_silent(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request(s, fd) == 1)
    (void)h1s_drain(fd);
  return 0;
}

static hyper_client *h1_client(const h1srv *s) {
  hyper_client_opts o;
  opts_for(&o, 0);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  return client_at(s->port, &o, NULL);
}

/* An HTTP/2 and two HTTP/1.1 connections in one set. */
static void test_client_poll_mixed_h1_h2(void **state) {
  (void)state;
  h1srv s1, s2;
  assert_int_equal(h1s_start(&s1, s_echo_path, NULL), 0);
  assert_int_equal(h1s_start(&s2, s_echo_path, NULL), 0);
  hyper_client_opts o;
  opts_for(&o, 0);
  hyper_client *cls[3] = {client_at(srv_plain.port, &o, NULL),
                          h1_client(&s1), h1_client(&s2)};
  assert_string_equal(hyper_client_protocol(cls[1]), "http/1.1");
  static const char *const h1paths[] = {"/one", "/two/2", "/three/33"};
  uint32_t ids[3][3];
  int done[3][3] = {{0}};
  for (unsigned i = 0; i < 3; i++) {
    expect_ok(cls[0], hyper_client_request(cls[0], "GET", paths[i], NULL, 0,
                                           NULL, &ids[0][i]));
    for (unsigned k = 1; k < 3; k++)
      expect_ok(cls[k], hyper_client_request(cls[k], "GET", h1paths[i], NULL,
                                             0, NULL, &ids[k][i]));
  }
  unsigned left = 9, polls = 0;
  while (left) {
    /* a poll that reports input it does not consume would spin here */
    assert_true(++polls < 1000);
    assert_true(hyper_client_poll(cls, 3, 5000) > 0);
    for (unsigned k = 0; k < 3; k++)
      for (unsigned i = 0; i < 3; i++) {
        if (done[k][i] || hyper_client_response_state(cls[k], ids[k][i]) !=
                              HYPER_RESPONSE_COMPLETE)
          continue;
        hyper_resp *r;
        expect_ok(cls[k], hyper_client_get_response(cls[k], ids[k][i], &r));
        assert_int_equal(hyper_resp_status(r), 200);
        hyper_slice b;
        expect_ok(cls[k], hyper_resp_read_all(r, &b));
        if (k == 0) {
          check_body(paths[i], b.ptr, b.len);
        } else {
          assert_int_equal(b.len, strlen(h1paths[i]));
          assert_memory_equal(b.ptr, h1paths[i], b.len);
        }
        hyper_resp_free(r);
        done[k][i] = 1;
        left--;
      }
  }
  for (unsigned k = 0; k < 3; k++)
    hyper_client_free(cls[k]);
  h1s_stop(&s1);
  h1s_stop(&s2);
}

/* A connection that fails counts as ready; its request is COMPLETE and
 * fetching it reports the failure (never a success). */
static void test_client_poll_failed_connection_is_ready(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_close, NULL), 0);
  hyper_client *c = h1_client(&s);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/x", NULL, 0, NULL, &id));
  while (hyper_client_response_state(c, id) != HYPER_RESPONSE_COMPLETE)
    assert_true(hyper_client_poll(&c, 1, 5000) > 0);
  hyper_resp *r = NULL;
  int rv = hyper_client_get_response(c, id, &r);
  assert_true(rv < 0);
  assert_null(r);
  hyper_client_free(c);
  h1s_stop(&s);
}

/* Nothing arrives: the poll returns 0 at its timeout and the request
 * stays PENDING; a negative-timeout poll is not tried (it would wait for
 * ever). */
static void test_client_poll_timeout(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_silent, NULL), 0);
  hyper_client *c = h1_client(&s);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/x", NULL, 0, NULL, &id));
  assert_int_equal(hyper_client_poll(&c, 1, 30), 0);
  assert_int_equal(hyper_client_response_state(c, id),
                   HYPER_RESPONSE_PENDING);
  assert_int_equal(hyper_client_poll(&c, 1, 0), 0);
  hyper_client_free(c);
  h1s_stop(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_poll_bad_arguments),
      cmocka_unit_test(test_client_poll_h2c_ten_connections),
      cmocka_unit_test(test_client_poll_flushes_coalesced_requests),
      cmocka_unit_test(test_client_poll_sends_held_request),
      cmocka_unit_test(test_client_poll_coalesce_all),
      cmocka_unit_test(test_client_poll_tls),
      cmocka_unit_test(test_client_poll_more_than_64_clients),
      cmocka_unit_test(test_client_poll_large_bodies),
      cmocka_unit_test(test_client_poll_head_state),
      cmocka_unit_test(test_client_poll_mixed_h1_h2),
      cmocka_unit_test(test_client_poll_failed_connection_is_ready),
      cmocka_unit_test(test_client_poll_timeout),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
