/* Server push with nghttpd's -p option (h2c): pushes promised before the
 * response head are handed out without waiting, each once; their request
 * fields, responses and bodies; cancel; capture_all; pushes freed unread;
 * push disabled (the default). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "client_testserver.h"

#include "failmem.h"
#include "hyper/client.h"

static cs_docroot www;
static cs_nghttpd srv;

static int group_setup(void **state) {
  (void)state;
  if (cs_docroot_make(&www) != 0)
    return -1;
  char *push[] = {"-p/index.html=/style.css,/script.js", NULL};
  if (cs_nghttpd_start(&srv, www.dir, NULL, push) != 0) {
    print_error("cannot start nghttpd\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  cs_nghttpd_stop(&srv);
  cs_docroot_remove(&www);
  return 0;
}

static hyper_client *client(int enable_push, const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.enable_push = enable_push;
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, mem), 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
}

static void read_body(hyper_client *c, hyper_resp *r, const char *want) {
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, strlen(want));
  assert_memory_equal(s.ptr, want, s.len);
}

/* The seed's example: pushes promised before the response head, then the
 * body, then any others. */
static void test_client_push_basic(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client(1, &fm.mem);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                    &id));
  hyper_resp *resp;
  expect_ok(c, hyper_client_get_response(c, 0, &resp));
  hyper_push *got[4];
  int n = 0, rv;
  hyper_push *p;
  while ((rv = hyper_client_next_push(c, 0, 0, &p)) == 1 && n < 4)
    got[n++] = p;
  expect_ok(c, rv < 0 ? rv : 0);
  read_body(c, resp, CS_INDEX);
  while ((rv = hyper_client_next_push(c, id, 0, &p)) == 1 && n < 4)
    got[n++] = p;
  expect_ok(c, rv < 0 ? rv : 0);
  assert_int_equal(n, 2);
  /* not idempotent: nothing more */
  assert_int_equal(hyper_client_next_push(c, id, 0, &p), 0);
  assert_int_equal(hyper_client_next_push(c, id, 1, &p), 0);
  char authority[32];
  (void)snprintf(authority, sizeof authority, "127.0.0.1:%u",
                 (unsigned)srv.port);
  int saw_style = 0, saw_script = 0;
  for (int i = 0; i < n; i++) {
    assert_string_equal(hyper_push_method(got[i]), "GET");
    assert_string_equal(hyper_push_scheme(got[i]), "http");
    assert_string_equal(hyper_push_authority(got[i]), authority);
    assert_int_equal(hyper_push_parent_stream_id(got[i]), id);
    assert_int_equal(hyper_push_stream_id(got[i]) % 2, 0);
    const hyper_hdrs *rh = hyper_push_request_headers(got[i]);
    assert_true(hyper_hdrs_contains(rh, HYPER_HDRS_LIT(":path")));
    if (strcmp(hyper_push_path(got[i]), "/style.css") == 0) {
      saw_style = 1;
      hyper_resp *pr;
      expect_ok(c, hyper_push_get_response(got[i], &pr));
      assert_int_equal(hyper_resp_status(pr), 200);
      assert_int_equal(hyper_resp_stream_id(pr),
                       hyper_push_stream_id(got[i]));
      read_body(c, pr, CS_STYLE);
      /* once per push */
      hyper_resp *again;
      assert_int_equal(hyper_push_get_response(got[i], &again),
                       HYPER_ERR_INVALID_STATE);
      assert_int_equal(hyper_push_cancel(got[i]), HYPER_ERR_INVALID_STATE);
      hyper_resp_free(pr);
    } else {
      assert_string_equal(hyper_push_path(got[i]), "/script.js");
      saw_script = 1;
      expect_ok(c, hyper_push_cancel(got[i]));
      expect_ok(c, hyper_push_cancel(got[i])); /* twice: no-op */
      hyper_resp *pr;
      assert_int_equal(hyper_push_get_response(got[i], &pr),
                       HYPER_ERR_INVALID_STATE);
    }
  }
  assert_true(saw_style && saw_script);
  for (int i = 0; i < n; i++)
    hyper_push_free(got[i]);
  hyper_resp_free(resp);
  /* the connection carries on */
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id));
  expect_ok(c, hyper_client_get_response(c, id, &resp));
  read_body(c, resp, CS_A);
  hyper_resp_free(resp);
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
}

/* capture_all waits for pushes until the parent's response ends; pushes
 * freed without fetching their response are cancelled. */
static void test_client_push_capture_all(void **state) {
  (void)state;
  hyper_client *c = client(1, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                    &id));
  hyper_push *p;
  int n = 0, rv;
  while ((rv = hyper_client_next_push(c, id, 1, &p)) == 1) {
    n++;
    hyper_push_free(p);
  }
  expect_ok(c, rv);
  assert_int_equal(n, 2);
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  read_body(c, r, CS_INDEX);
  hyper_resp_free(r);
  /* pushes fetched after the parent body was read */
  expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                    &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  read_body(c, r, CS_INDEX);
  while ((rv = hyper_client_next_push(c, id, 0, &p)) == 1) {
    hyper_resp *pr;
    expect_ok(c, hyper_push_get_response(p, &pr));
    hyper_push_free(p); /* before its response: allowed */
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(pr, &s));
    assert_true(s.len > 0);
    hyper_resp_free(pr);
  }
  expect_ok(c, rv);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* Freeing the parent response cancels the pushes nobody claimed. */
static void test_client_push_unclaimed_cancelled(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client(1, &fm.mem);
  for (int i = 0; i < 3; i++) {
    uint32_t id;
    expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                      &id));
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, id, &r));
    read_body(c, r, CS_INDEX);
    hyper_resp_free(r);
    hyper_push *p;
    assert_int_equal(hyper_client_next_push(c, id, 0, &p),
                     HYPER_ERR_INVALID_STATE);
  }
  hyper_resp *r;
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  read_body(c, r, CS_A);
  hyper_resp_free(r);
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
}

/* Push is off by default: nothing is promised. */
static void test_client_push_disabled(void **state) {
  (void)state;
  hyper_client *c = client(0, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                    &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  read_body(c, r, CS_INDEX);
  hyper_push *p;
  assert_int_equal(hyper_client_next_push(c, id, 1, &p), 0);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* Pushes held when the client closes stay readable as far as received. */
static void test_client_push_outlives_close(void **state) {
  (void)state;
  hyper_client *c = client(1, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/index.html", NULL, 0, NULL,
                                    &id));
  hyper_push *p = NULL;
  assert_int_equal(hyper_client_next_push(c, id, 1, &p), 1);
  hyper_resp *pr;
  expect_ok(c, hyper_push_get_response(p, &pr));
  const hyper_hdrs *t;
  expect_ok(c, hyper_resp_trailers(pr, &t)); /* the whole pushed body */
  hyper_client_free(c);
  assert_true(hyper_hdrs_contains(hyper_push_request_headers(p),
                                  HYPER_HDRS_LIT(":method")));
  hyper_slice s;
  assert_int_equal(hyper_resp_read_all(pr, &s), 0);
  assert_true(s.len > 0);
  hyper_resp_free(pr);
  hyper_push_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_push_basic),
      cmocka_unit_test(test_client_push_capture_all),
      cmocka_unit_test(test_client_push_unclaimed_cancelled),
      cmocka_unit_test(test_client_push_disabled),
      cmocka_unit_test(test_client_push_outlives_close),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
