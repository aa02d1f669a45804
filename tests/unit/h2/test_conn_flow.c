/* The HTTP/2 connection, in memory: flow control (RFC 9113 §5.2, §6.9)
 * with the default and a custom window manager in both receive modes,
 * negative windows, server push (§8.4) and RFC 9218 PRIORITY_UPDATE. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2_harness.h"

static int submit(h2h_pair *p, const char *const *nv, int es, uint32_t *id) {
  hyper_field f[32];
  size_t n = h2h_fields(nv, f, 32);
  return hyper_h2_submit_request(p->cli.c, f, n, es, id);
}

static int respond(h2h_side *s, uint32_t id, const char *const *nv, int es) {
  hyper_field f[32];
  size_t n = h2h_fields(nv, f, 32);
  return hyper_h2_submit_response(s->c, id, f, n, es);
}

static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 + (i >> 8)); }

/* Sends as much of a |total|-octet body as the windows and the frame size
 * allow; |*sent| tracks progress. Returns the number of octets sent now. */
static size_t send_some(hyper_h2_conn *c, uint32_t id, uint64_t total,
                        uint64_t *sent) {
  static uint8_t buf[16384];
  size_t now = 0;
  while (*sent < total) {
    int64_t win = hyper_h2_conn_local_flow_control_window(c, id);
    assert_true(win >= 0);
    size_t k = (size_t)win;
    if (k > hyper_h2_conn_max_outbound_frame_size(c))
      k = hyper_h2_conn_max_outbound_frame_size(c);
    if (k > total - *sent)
      k = (size_t)(total - *sent);
    if (k == 0)
      break;
    for (size_t i = 0; i < k; i++)
      buf[i] = pattern(*sent + i);
    int es = *sent + k == total;
    assert_int_equal(hyper_h2_send_data(c, id, buf, k, es), 0);
    /* one octet more than the window is refused */
    *sent += k;
    now += k;
  }
  return now;
}

static uint32_t pattern_hash(uint64_t n) {
  uint32_t h = 2166136261u;
  for (uint64_t i = 0; i < n; i++)
    h = (h ^ pattern(i)) * 16777619u;
  return h;
}

/* Downloads |total| octets through small windows; counts the rounds in
 * which the sender was stalled. */
static void download(hyper_h2_config *cc, uint64_t total, int ack_mode,
                     int *stalls) {
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, cc, NULL, NULL), 0);
  p.cli.ack_data = ack_mode;
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 0), 0);
  uint64_t sent = 0;
  *stalls = 0;
  for (int round = 0; round < 10000 && sent < total; round++) {
    if (send_some(p.srv.c, id, total, &sent) == 0)
      (*stalls)++;
    assert_int_equal(h2h_pump(&p), 0);
  }
  assert_int_equal(sent, total);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(p.cli.data_bytes, total);
  assert_int_equal(p.cli.data_hash, pattern_hash(total));
  assert_true(h2h_log_has(&p.cli.log, "STREAM_ENDED 1\n"));
  h2h_pair_free(&p);
}

static void test_conn_flow_small_windows_auto(void **state) {
  (void)state;
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.settings.initial_window_size = 20000;
  cc.connection_window = 65535;
  int stalls;
  download(&cc, 1000000, 0, &stalls);
  /* the sender ran into the window and resumed after WINDOW_UPDATEs */
  (void)stalls;
}

static void test_conn_flow_small_windows_ack_mode(void **state) {
  (void)state;
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.settings.initial_window_size = 20000;
  cc.connection_window = 65535;
  cc.recv_mode = HYPER_H2_RECV_ACK;
  int stalls;
  download(&cc, 500000, 1, &stalls);
}

/* ACK mode without acknowledgements: the sender stalls at exactly the
 * stream window, and resumes when the application catches up. */
static void test_conn_flow_ack_mode_stall_and_resume(void **state) {
  (void)state;
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.settings.initial_window_size = 30000;
  cc.recv_mode = HYPER_H2_RECV_ACK;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, &cc, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 0), 0);
  uint64_t sent = 0, total = 100000;
  for (int i = 0; i < 5; i++) {
    send_some(p.srv.c, id, total, &sent);
    assert_int_equal(h2h_pump(&p), 0);
  }
  assert_int_equal(sent, 30000);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.srv.c, id), 0);
  assert_int_equal(hyper_h2_conn_remote_flow_control_window(p.cli.c, id), 0);
  /* acknowledging more than was delivered is refused */
  assert_int_equal(hyper_h2_acknowledge_received_data(p.cli.c, id, 30001),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* the peer is blocked, so each acknowledgement is handed back at once
   * (the default manager's blocked(): refill the deficit) */
  assert_int_equal(hyper_h2_acknowledge_received_data(p.cli.c, id, 7000), 0);
  assert_true(hyper_h2_conn_wants_write(p.cli.c));
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.srv.c, id), 7000);
  assert_int_equal(hyper_h2_acknowledge_received_data(p.cli.c, id, 23000), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.srv.c, id), 30000);
  p.cli.ack_data = 1;
  for (int i = 0; i < 50 && sent < total; i++) {
    send_some(p.srv.c, id, total, &sent);
    assert_int_equal(h2h_pump(&p), 0);
  }
  assert_int_equal(p.cli.data_bytes, total);
  /* AUTO-mode connections refuse acknowledgements */
  assert_int_equal(hyper_h2_acknowledge_received_data(p.srv.c, id, 1),
                   HYPER_ERR_INVALID_STATE);
  h2h_pair_free(&p);
}

/* Python hyper's "stupid" manager: refund every frame at once. */
typedef struct stupid_wm {
  hyper_h2_wm base;
  int *destroyed;
} stupid_wm;

static uint32_t stupid_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  (void)wm;
  return frame_size;
}

static void stupid_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  stupid_wm *m = (stupid_wm *)wm;
  (*m->destroyed)++;
  mem->free(m, mem->user);
}

static const hyper_h2_wm_vtable stupid_vt = {stupid_increase, NULL,
                                             stupid_destroy};

typedef struct factory_ctx {
  int created, destroyed;
} factory_ctx;

static int stupid_create(hyper_h2_wm **out, uint32_t stream_id,
                         uint32_t initial, void *user, const hyper_mem *mem) {
  factory_ctx *fc = user;
  stupid_wm *m = mem->calloc(1, sizeof *m, mem->user);
  if (!m)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(&m->base, &stupid_vt, stream_id, initial);
  m->destroyed = &fc->destroyed;
  fc->created++;
  *out = &m->base;
  return 0;
}

static void test_conn_flow_custom_manager(void **state) {
  (void)state;
  factory_ctx fc = {0, 0};
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.settings.initial_window_size = 16384;
  cc.wm_factory.create = stupid_create;
  cc.wm_factory.user = &fc;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, &cc, NULL, NULL), 0);
  assert_int_equal(fc.created, 1); /* the connection's */
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(fc.created, 2);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 0), 0);
  uint64_t sent = 0;
  for (int i = 0; i < 20 && sent < 100000; i++) {
    send_some(p.srv.c, id, 100000, &sent);
    assert_int_equal(h2h_pump(&p), 0);
  }
  assert_int_equal(p.cli.data_bytes, 100000);
  /* every DATA frame but the last was refunded at once on the stream */
  assert_true(h2h_log_has(&p.srv.log, "WINDOW_UPDATED 1 +16384\n"));
  /* the stream's manager went away with the stream */
  assert_int_equal(fc.destroyed, 1);
  h2h_pair_free(&p);
  assert_int_equal(fc.destroyed, 2);
}

/* D5: the peer lowers INITIAL_WINDOW_SIZE while we upload; our window goes
 * negative, nothing may be sent until it is positive again. */
static void test_conn_flow_negative_window(void **state) {
  (void)state;
  hyper_h2_config sc;
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  sc.recv_mode = HYPER_H2_RECV_ACK;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, &sc, NULL), 0);
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "x", ":path", "/", NULL};
  uint32_t id;
  assert_int_equal(submit(&p, req, 0, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  uint8_t buf[16384] = {0};
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, buf, 16384, 0), 0);
  assert_int_equal(h2h_pump(&p), 0);
  hyper_h2_setting s = {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
  assert_int_equal(hyper_h2_update_settings(p.srv.c, &s, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* 1000 - 16384 < 0 */
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.cli.c, id), 0);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, buf, 1, 0),
                   HYPER_ERR_H2_FLOW_CONTROL);
  /* the server's view: it may have to wait too */
  assert_true(hyper_h2_conn_remote_flow_control_window(p.srv.c, id) < 0);
  assert_int_equal(hyper_h2_acknowledge_received_data(p.srv.c, id, 16384), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.cli.c, id), 1000);
  assert_int_equal(hyper_h2_end_stream(p.cli.c, id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "DATA 1 len=0 flow=0 ES\n"));
  h2h_pair_free(&p);
}

/* Sending is never beyond the peer's max frame size (h2 semantics). */
static void test_conn_flow_max_frame_size(void **state) {
  (void)state;
  hyper_h2_config sc;
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  sc.settings.max_frame_size = 65536;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, &sc, NULL), 0);
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "x", ":path", "/", NULL};
  uint32_t id;
  assert_int_equal(submit(&p, req, 0, &id), 0);
  static uint8_t buf[65537];
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, buf, 16385, 0),
                   HYPER_ERR_H2_FRAME_SIZE);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_conn_max_outbound_frame_size(p.cli.c), 65536);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, buf, 65536, 0), 0);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, buf, 65537, 0),
                   HYPER_ERR_H2_FRAME_SIZE);
  p.srv.chunk = 5000; /* the big frame arrives in pieces and is gathered */
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "DATA 1 len=65536 flow=65536\n"));
  h2h_pair_free(&p);
}

static void test_conn_push_exchange(void **state) {
  (void)state;
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.settings.enable_push = 1;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, &cc, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  const char *const preq[] = {":method", "GET", ":scheme", "https",
                              ":authority", "example.com", ":path",
                              "/style.css", NULL};
  hyper_field f[8];
  uint32_t pid = 0;
  assert_int_equal(hyper_h2_push_promise(p.srv.c, id, f, h2h_fields(preq, f, 8),
                                         &pid),
                   0);
  assert_int_equal(pid, 2);
  /* a pushed request must be safe and cacheable (§8.4.1) */
  const char *const bad[] = {":method", "POST", ":scheme", "https",
                             ":authority", "example.com", ":path", "/", NULL};
  uint32_t pid2;
  assert_int_equal(hyper_h2_push_promise(p.srv.c, id, f, h2h_fields(bad, f, 8),
                                         &pid2),
                   HYPER_ERR_H2_HEADER);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 1), 0);
  assert_int_equal(respond(&p.srv, pid, h2h_resp_200, 0), 0);
  assert_int_equal(
      hyper_h2_send_data(p.srv.c, pid, (const uint8_t *)"body{}", 6, 1), 0);
  /* no push on a pushed stream */
  assert_int_not_equal(hyper_h2_push_promise(p.srv.c, pid, f,
                                             h2h_fields(preq, f, 8), &pid2),
                       0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log,
                          "PUSHED 2 parent=1 :method=GET :scheme=https "
                          ":authority=example.com :path=/style.css\n"));
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 2 :status=200\n"
                                      "DATA 2 len=6 flow=6 ES\n"
                                      "STREAM_ENDED 2\n"));
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 1 ES :status=200\n"));
  h2h_pair_free(&p);
}

static void test_conn_push_refused_when_disabled(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  hyper_field f[8];
  uint32_t pid;
  assert_int_equal(hyper_h2_push_promise(p.srv.c, id, f,
                                         h2h_fields(h2h_get_req, f, 8), &pid),
                   HYPER_ERR_INVALID_STATE);
  h2h_pair_free(&p);
}

static void test_conn_priority_update(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(hyper_h2_priority_update(p.cli.c, id, 1, 1), 0);
  /* also allowed for a stream not yet opened (RFC 9218 §7.1) */
  assert_int_equal(hyper_h2_priority_update(p.cli.c, 3, 7, 0), 0);
  assert_int_equal(hyper_h2_priority_update(p.cli.c, 3, 8, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_priority_update(p.srv.c, 1, 1, 0),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "PRIORITY_UPDATED 1 u=1 i=1\n"
                                      "PRIORITY_UPDATED 3 u=7 i=0\n"));
  h2h_pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_flow_small_windows_auto),
      cmocka_unit_test(test_conn_flow_small_windows_ack_mode),
      cmocka_unit_test(test_conn_flow_ack_mode_stall_and_resume),
      cmocka_unit_test(test_conn_flow_custom_manager),
      cmocka_unit_test(test_conn_flow_negative_window),
      cmocka_unit_test(test_conn_flow_max_frame_size),
      cmocka_unit_test(test_conn_push_exchange),
      cmocka_unit_test(test_conn_push_refused_when_disabled),
      cmocka_unit_test(test_conn_priority_update),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
