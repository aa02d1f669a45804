/* Allocation-failure sweep over a full HTTP/2 exchange (HOSTILE-PEERS J2,
 * nghttp2 failmalloc_test.c): the k-th allocation fails, for every k, and
 * then (second sweep) every allocation from the k-th on. The first error
 * any call reports must be HYPER_ERR_NOMEM, and freeing both connections
 * must release every block. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2_harness.h"

#define CHECK(expr)                                                            \
  do {                                                                         \
    int rv_ = (expr);                                                          \
    if (rv_ != 0)                                                              \
      return rv_;                                                              \
  } while (0)

/* The server's application: answers requests, pushes once. */
static void app(h2h_side *s, const hyper_h2_event *ev, void *user) {
  int *err = user;
  if (*err || ev->type != HYPER_H2_EV_STREAM_ENDED || ev->stream_id != 1)
    return;
  hyper_field f[8];
  const char *const preq[] = {":method", "GET", ":scheme", "https",
                              ":authority", "example.com", ":path", "/p",
                              NULL};
  uint32_t pid;
  int rv = hyper_h2_push_promise(s->c, 1, f, h2h_fields(preq, f, 8), &pid);
  if (!rv)
    rv = hyper_h2_submit_response(s->c, pid, f, h2h_fields(h2h_resp_200, f, 8),
                                  1);
  if (!rv)
    rv = hyper_h2_submit_response(s->c, 1, f, h2h_fields(h2h_resp_200, f, 8),
                                  0);
  if (!rv)
    rv = hyper_h2_send_data(s->c, 1, (const uint8_t *)"body", 4, 0);
  const char *const tr[] = {"x-t", "1", NULL};
  if (!rv)
    rv = hyper_h2_submit_trailers(s->c, 1, f, h2h_fields(tr, f, 8));
  *err = rv;
}

static int exchange(const hyper_mem *mem, int *app_err) {
  hyper_h2_config cc, sc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  cc.settings.enable_push = 1;
  sc.recv_mode = HYPER_H2_RECV_ACK;
  h2h_pair p;
  int rv = h2h_pair_new(&p, &cc, &sc, mem);
  if (rv) {
    h2h_pair_free(&p);
    return rv;
  }
  p.srv.on_event = app;
  p.srv.user = app_err;
  p.srv.ack_data = 1;
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "example.com", ":path", "/up",
                             "content-type", "text/plain", NULL};
  hyper_field f[8];
  uint32_t id;
  const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  hyper_h2_setting s = {HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 50};
  rv = hyper_h2_submit_request(p.cli.c, f, h2h_fields(req, f, 8), 0, &id);
  if (!rv)
    rv = hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"hello", 5, 0);
  if (!rv)
    rv = hyper_h2_ping(p.cli.c, op);
  if (!rv)
    rv = hyper_h2_update_settings(p.srv.c, &s, 1);
  if (!rv)
    rv = h2h_pump(&p);
  const char *const tr[] = {"x-sum", "5", NULL};
  if (!rv)
    rv = hyper_h2_submit_trailers(p.cli.c, id, f, h2h_fields(tr, f, 8));
  if (!rv)
    rv = h2h_pump(&p);
  if (!rv)
    rv = *app_err;
  /* a second request, with many streams' worth of churn */
  for (int i = 0; i < 3 && !rv; i++) {
    rv = hyper_h2_submit_request(p.cli.c, f, h2h_fields(h2h_get_req, f, 8), 1,
                                 &id);
    if (!rv)
      rv = h2h_pump(&p);
    if (!rv)
      rv = hyper_h2_reset_stream(p.srv.c, id, HYPER_H2_CANCEL);
  }
  if (!rv)
    rv = hyper_h2_close(p.srv.c, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                        NULL, 0);
  if (!rv)
    rv = h2h_pump(&p);
  if (!rv && !h2h_log_has(&p.cli.log, "TRAILERS 1 ES x-t=1"))
    rv = -9997;
  if (!rv && !h2h_log_has(&p.cli.log, "PUSHED 2 parent=1"))
    rv = -9996;
  h2h_pair_free(&p);
  return rv;
}

static void test_conn_failmalloc_full_exchange_clean(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  int app_err = 0;
  assert_int_equal(exchange(&fm.mem, &app_err), 0);
  assert_int_equal(fm.live_blocks, 0);
  assert_true(fm.nalloc > 10);
}

static void sweep(int after) {
  failmem fm;
  failmem_init(&fm);
  int app_err = 0;
  assert_int_equal(exchange(&fm.mem, &app_err), 0);
  long total = fm.nalloc;
  print_message("exchange makes %ld allocations\n", total);
  for (long k = 1; k <= total + 1; k++) {
    failmem_init(&fm);
    if (after)
      fm.fail_after = k;
    else
      fm.fail_at = k;
    app_err = 0;
    int rv = exchange(&fm.mem, &app_err);
    if (fm.nfailed) {
      if (rv != HYPER_ERR_NOMEM)
        fail_msg("k=%ld: first error %d (%s), not NOMEM", k, rv,
                 hyper_err_name(rv));
    } else {
      assert_int_equal(rv, 0);
    }
    if (fm.live_blocks != 0)
      fail_msg("k=%ld: %ld blocks leaked", k, fm.live_blocks);
  }
}

static void test_conn_failmalloc_each_allocation(void **state) {
  (void)state;
  sweep(0);
}

static void test_conn_failmalloc_from_each_allocation_on(void **state) {
  (void)state;
  sweep(1);
}

/* Creating a connection fails cleanly at every step of the ladder. */
static void test_conn_failmalloc_new(void **state) {
  (void)state;
  for (long k = 1; k < 20; k++) {
    failmem fm;
    failmem_init(&fm);
    fm.fail_at = k;
    hyper_h2_config c;
    hyper_h2_config_init(&c, HYPER_H2_ROLE_SERVER);
    hyper_h2_conn *conn = NULL;
    int rv = hyper_h2_conn_new(&conn, &c, &fm.mem);
    if (rv == 0) {
      rv = hyper_h2_conn_initiate(conn);
      assert_true(rv == 0 || rv == HYPER_ERR_NOMEM);
      hyper_h2_conn_free(conn);
    } else {
      assert_int_equal(rv, HYPER_ERR_NOMEM);
      assert_null(conn);
    }
    assert_int_equal(fm.live_blocks, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_failmalloc_full_exchange_clean),
      cmocka_unit_test(test_conn_failmalloc_each_allocation),
      cmocka_unit_test(test_conn_failmalloc_from_each_allocation_on),
      cmocka_unit_test(test_conn_failmalloc_new),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
