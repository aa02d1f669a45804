/* The HTTP/2 connection API: configuration checks, argument and state
 * errors, the pull contract (events before the next recv, pending and
 * advance), the trace hook, and HPACK table size changes in both
 * directions (RFC 9113 §6.5.2, RFC 7541 §4.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2_harness.h"

static void test_conn_api_config_defaults(void **state) {
  (void)state;
  hyper_h2_config c;
  hyper_h2_config_init(&c, HYPER_H2_ROLE_CLIENT);
  assert_int_equal(c.settings.max_concurrent_streams, 100);
  assert_int_equal(c.settings.max_header_list_size, 65536);
  assert_int_equal(c.settings.enable_push, 0);
  assert_int_equal(c.max_continuations, 8);
  assert_int_equal(c.max_settings_entries, 32);
  assert_int_equal(c.max_pending_acks, 1000);
  assert_int_equal(c.max_outbound_frames, 5000);
  assert_int_equal(c.glitch_burst, 1000);
  assert_int_equal(c.glitch_rate, 33);
  assert_int_equal(c.rst_burst, 1000);
  assert_int_equal(c.encoder_table_max, 4096);
  assert_int_equal(c.max_reserved_streams, 100);
  assert_int_equal(c.connection_window, HYPER_H2_DEFAULT_CONN_RECV_WINDOW);
  assert_int_equal(c.settings.initial_window_size,
                   HYPER_H2_DEFAULT_STREAM_RECV_WINDOW);
}

static void test_conn_api_config_rejected(void **state) {
  (void)state;
  hyper_h2_conn *conn = NULL;
  hyper_h2_config c;
  assert_int_equal(hyper_h2_conn_new(NULL, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
#define BAD(role, stmt)                                                        \
  do {                                                                         \
    hyper_h2_config_init(&c, role);                                            \
    stmt;                                                                      \
    assert_int_equal(hyper_h2_conn_new(&conn, &c, NULL),                       \
                     HYPER_ERR_INVALID_ARGUMENT);                              \
    assert_null(conn);                                                         \
  } while (0)
  BAD(HYPER_H2_ROLE_SERVER, c.settings.enable_push = 1);
  BAD(HYPER_H2_ROLE_CLIENT, c.settings.enable_push = 2);
  BAD(HYPER_H2_ROLE_CLIENT, c.settings.max_frame_size = 100);
  BAD(HYPER_H2_ROLE_CLIENT, c.settings.initial_window_size = 0x80000000u);
  BAD(HYPER_H2_ROLE_CLIENT, c.settings.max_header_list_size = 300000);
  BAD(HYPER_H2_ROLE_CLIENT, c.connection_window = 1000);
  BAD(HYPER_H2_ROLE_CLIENT, c.max_settings_entries = 65);
  BAD(HYPER_H2_ROLE_CLIENT, c.max_closed_streams = 0);
  BAD(HYPER_H2_ROLE_CLIENT, c.recv_mode = (hyper_h2_recv_mode)7);
  BAD(HYPER_H2_ROLE_CLIENT, c.role = (hyper_h2_role)9);
#undef BAD
  /* NULL config: client defaults */
  assert_int_equal(hyper_h2_conn_new(&conn, NULL, NULL), 0);
  hyper_h2_conn_free(conn);
  hyper_h2_conn_free(NULL);
}

static void test_conn_api_state_errors(void **state) {
  (void)state;
  hyper_h2_conn *c;
  assert_int_equal(hyper_h2_conn_new(&c, NULL, NULL), 0);
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  uint32_t id;
  /* nothing before initiate */
  assert_int_equal(hyper_h2_conn_recv(c, (const uint8_t *)"x", 1),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_submit_request(c, f, n, 1, &id),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_conn_initiate(c), 0);
  assert_int_equal(hyper_h2_conn_initiate(c), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_conn_recv(c, NULL, 1), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_conn_recv(c, NULL, 0), 0);
  assert_int_equal(hyper_h2_submit_request(c, NULL, 1, 1, &id),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_submit_request(c, f, n, 1, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_send_data(c, 0, NULL, 0, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_reset_stream(c, 7, 0), HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(hyper_h2_acknowledge_received_data(c, 1, 1),
                   HYPER_ERR_INVALID_STATE);
  hyper_h2_setting bad = {HYPER_H2_SETTINGS_ENABLE_PUSH, 5};
  assert_int_equal(hyper_h2_update_settings(c, &bad, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_h2_setting list = {HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE, 1u << 20};
  assert_int_equal(hyper_h2_update_settings(c, &list, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_h2_setting nop = {HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES, 0};
  assert_int_equal(hyper_h2_update_settings(c, &nop, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* up to 8 SETTINGS in flight (one is the initial one) */
  hyper_h2_setting ok = {HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 10};
  for (int i = 0; i < 7; i++)
    assert_int_equal(hyper_h2_update_settings(c, &ok, 1), 0);
  assert_int_equal(hyper_h2_update_settings(c, &ok, 1),
                   HYPER_ERR_LIMIT_EXCEEDED);
  /* pending / advance */
  const uint8_t *out;
  size_t len = hyper_h2_conn_pending(c, &out);
  assert_true(len > 24);
  assert_memory_equal(out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
  assert_int_equal(hyper_h2_conn_advance(c, len + 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_conn_advance(c, 10), 0);
  assert_int_equal(hyper_h2_conn_pending(c, &out), len - 10);
  assert_int_equal(hyper_h2_conn_advance(c, len - 10), 0);
  assert_int_equal(hyper_h2_conn_pending(c, &out), 0);
  assert_null(out);
  assert_false(hyper_h2_conn_wants_write(c));
  /* a local close with an error: input is discarded from then on */
  assert_int_equal(hyper_h2_close(c, HYPER_H2_INTERNAL_ERROR, 0,
                                  (const uint8_t *)"bye", 3),
                   0);
  assert_true(hyper_h2_conn_wants_write(c));
  assert_false(hyper_h2_conn_wants_read(c));
  assert_int_equal(hyper_h2_conn_recv(c, (const uint8_t *)"garbage!!", 9), 9);
  assert_int_equal(hyper_h2_submit_request(c, f, n, 1, &id),
                   HYPER_ERR_INVALID_STATE);
  hyper_h2_conn_free(c);
}

/* recv stops after a frame with events; the caller must drain before the
 * next recv. */
static void test_conn_api_recv_stops_at_events(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  const uint8_t *out;
  size_t n = hyper_h2_conn_pending(p.cli.c, &out);
  uint8_t *copy = malloc(n);
  memcpy(copy, out, n);
  /* preface + SETTINGS + WINDOW_UPDATE: stops after SETTINGS */
  int used = hyper_h2_conn_recv(p.srv.c, copy, n);
  assert_true(used > 24 && (size_t)used < n);
  assert_int_equal(hyper_h2_conn_recv(p.srv.c, copy + used, n - (size_t)used),
                   HYPER_ERR_INVALID_STATE);
  hyper_h2_event ev;
  assert_int_equal(hyper_h2_conn_next_event(p.srv.c, &ev), 1);
  assert_int_equal(ev.type, HYPER_H2_EV_REMOTE_SETTINGS_CHANGED);
  assert_int_equal(hyper_h2_conn_next_event(p.srv.c, &ev), 0);
  assert_int_equal(hyper_h2_conn_next_event(p.srv.c, NULL), 0);
  int rest = hyper_h2_conn_recv(p.srv.c, copy + used, n - (size_t)used);
  assert_int_equal(rest, (int)(n - (size_t)used));
  assert_int_equal(hyper_h2_conn_next_event(p.srv.c, &ev), 1);
  assert_int_equal(ev.type, HYPER_H2_EV_WINDOW_UPDATED);
  free(copy);
  h2h_pair_free(&p);
}

typedef struct trace_log {
  h2h_log log;
  int frames_sent, frames_recv, fields_sent, fields_recv, hpack;
} trace_log;

static void tracer(const hyper_h2_trace *t, void *user) {
  trace_log *tl = user;
  switch (t->kind) {
  case HYPER_H2_TRACE_FRAME_RECV:
  case HYPER_H2_TRACE_FRAME_SENT:
    if (t->kind == HYPER_H2_TRACE_FRAME_SENT)
      tl->frames_sent++;
    else
      tl->frames_recv++;
    h2h_log_add(&tl->log, "%s type=%u flags=0x%x sid=%u len=%u",
                t->kind == HYPER_H2_TRACE_FRAME_SENT ? "send" : "recv",
                t->frame->hdr.type, t->frame->hdr.flags,
                t->frame->hdr.stream_id, t->frame->hdr.length);
    if (t->frame->hdr.type == HYPER_H2_FRAME_WINDOW_UPDATE && !t->parse_error)
      h2h_log_add(&tl->log, " inc=%u", t->frame->u.window_update.increment);
    h2h_log_add(&tl->log, "\n");
    break;
  case HYPER_H2_TRACE_FIELDS_SENT:
  case HYPER_H2_TRACE_FIELDS_RECV:
    if (t->kind == HYPER_H2_TRACE_FIELDS_SENT)
      tl->fields_sent++;
    else
      tl->fields_recv++;
    h2h_log_add(&tl->log, "%s fields sid=%u n=%zu first=%.*s\n",
                t->kind == HYPER_H2_TRACE_FIELDS_SENT ? "send" : "recv",
                t->stream_id, t->nfields, (int)t->fields[0].name_len,
                (const char *)t->fields[0].name);
    break;
  case HYPER_H2_TRACE_HPACK_TABLE:
    tl->hpack++;
    h2h_log_add(&tl->log, "hpack %s %zu->%zu max=%zu\n",
                t->hpack_encoder ? "enc" : "dec", t->old_size, t->new_size,
                t->max_size);
    break;
  }
}

static void test_conn_api_trace_hook(void **state) {
  (void)state;
  trace_log tl;
  memset(&tl, 0, sizeof tl);
  hyper_h2_config cc;
  hyper_h2_config_init(&cc, HYPER_H2_ROLE_CLIENT);
  cc.trace = tracer;
  cc.trace_user = &tl;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, &cc, NULL, NULL), 0);
  hyper_field f[8];
  const char *const req[] = {":method", "GET", ":scheme", "https",
                             ":authority", "example.com", ":path", "/",
                             "x-custom", "value", NULL};
  uint32_t id;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f, h2h_fields(req, f, 8), 1,
                                           &id),
                   0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_submit_response(p.srv.c, id, f,
                                            h2h_fields(h2h_resp_200, f, 8), 1),
                   0);
  assert_int_equal(h2h_pump(&p), 0);
  /* SETTINGS, WINDOW_UPDATE(0), HEADERS, SETTINGS ACK */
  assert_true(h2h_log_has(&tl.log, "send type=4 flags=0x0 sid=0"));
  assert_true(h2h_log_has(&tl.log, "send type=8 flags=0x0 sid=0 len=4 "
                                   "inc=16711681\n"));
  assert_true(h2h_log_has(&tl.log, "send fields sid=1 n=5 first=:method\n"));
  assert_true(h2h_log_has(&tl.log, "send type=1 flags=0x5 sid=1"));
  assert_true(h2h_log_has(&tl.log, "recv type=4 flags=0x1 sid=0 len=0\n"));
  assert_true(h2h_log_has(&tl.log, "recv fields sid=1 n=1 first=:status\n"));
  /* the encoder's table grew with the new fields */
  assert_true(h2h_log_has(&tl.log, "hpack enc 0->"));
  assert_true(tl.frames_sent >= 4 && tl.frames_recv >= 4);
  h2h_log_free(&tl.log);
  h2h_pair_free(&p);
}

/* Both sides shrink and regrow their HPACK tables mid-connection. */
static void test_conn_api_header_table_size_changes(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  hyper_field f[8];
  const char *const req[] = {":method", "GET", ":scheme", "https",
                             ":authority", "example.com", ":path", "/a",
                             "x-long-header-name", "a-long-value-to-index",
                             NULL};
  uint32_t id;
  for (int round = 0; round < 4; round++) {
    uint32_t size = round % 2 ? 4096 : 0;
    hyper_h2_setting s = {HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, size};
    assert_int_equal(hyper_h2_update_settings(p.srv.c, &s, 1), 0);
    assert_int_equal(hyper_h2_update_settings(p.cli.c, &s, 1), 0);
    for (int i = 0; i < 3; i++) {
      assert_int_equal(hyper_h2_submit_request(p.cli.c, f,
                                               h2h_fields(req, f, 8), 1, &id),
                       0);
      assert_int_equal(h2h_pump(&p), 0);
      const char *const rsp[] = {":status", "200", "x-long-header-name",
                                 "another-value", NULL};
      assert_int_equal(hyper_h2_submit_response(p.srv.c, id, f,
                                                h2h_fields(rsp, f, 8), 1),
                       0);
      assert_int_equal(h2h_pump(&p), 0);
    }
  }
  assert_true(h2h_log_has(&p.srv.log, "REQUEST 23 ES"));
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 23 ES :status=200 "
                                      "x-long-header-name=another-value\n"));
  assert_int_equal(hyper_h2_conn_local_settings(p.cli.c)->header_table_size,
                   4096);
  h2h_pair_free(&p);
}

static void test_conn_api_stream_data_and_ids(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  hyper_field f[8];
  uint32_t id;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f,
                                           h2h_fields(h2h_get_req, f, 8), 0,
                                           &id),
                   0);
  int tag = 42;
  assert_int_equal(hyper_h2_conn_set_stream_data(p.cli.c, id, &tag), 0);
  assert_ptr_equal(hyper_h2_conn_get_stream_data(p.cli.c, id), &tag);
  assert_null(hyper_h2_conn_get_stream_data(p.cli.c, 3));
  assert_int_equal(hyper_h2_conn_set_stream_data(p.cli.c, 3, &tag),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(hyper_h2_reset_stream(p.cli.c, id, HYPER_H2_CANCEL), 0);
  assert_null(hyper_h2_conn_get_stream_data(p.cli.c, id));
  uint32_t next;
  assert_int_equal(hyper_h2_get_next_available_stream_id(p.srv.c, &next), 0);
  assert_int_equal(next, 2);
  h2h_pair_free(&p);
}

/* RFC 7838 ALTSVC: surfaced to clients, ignored by servers; RFC 8336
 * ORIGIN: surfaced raw to clients. */
static void test_conn_api_altsvc_and_origin(void **state) {
  (void)state;
  h2h_raw r;
  assert_int_equal(h2h_raw_init(&r, HYPER_H2_ROLE_CLIENT, NULL, H2H_WHOLE), 0);
  uint8_t buf[64];
  int w = hyper_h2_frame_pack_altsvc(buf, sizeof buf, 0,
                                     (const uint8_t *)"https://a.example", 17,
                                     (const uint8_t *)"h3=\":443\"", 9);
  assert_true(w > 0);
  assert_int_equal(h2h_raw_send(&r, buf, (size_t)w), 0);
  assert_true(h2h_log_has(&r.core.log, "ALT_SVC 0 origin=https://a.example "
                                       "value=h3=\":443\"\n"));
  /* invalid (origin on a stream): ignored */
  const uint8_t bad[] = {0, 1, 'x', 'v'};
  assert_int_equal(h2h_raw_frame(&r, HYPER_H2_FRAME_ALTSVC, 0, 1, bad, 4), 0);
  hyper_slice o = {(const uint8_t *)"https://b.example", 17};
  w = hyper_h2_frame_pack_origin(buf, sizeof buf, &o, 1);
  assert_true(w > 0);
  assert_int_equal(h2h_raw_send(&r, buf, (size_t)w), 0);
  assert_true(h2h_log_has(&r.core.log, "UNKNOWN_FRAME 0 type=0xc len=19\n"));
  assert_int_equal(h2h_raw_goaway(&r), -1);
  h2h_raw_free(&r);
  assert_int_equal(r.fm.live_blocks, 0);

  assert_int_equal(h2h_raw_init(&r, HYPER_H2_ROLE_SERVER, NULL, H2H_WHOLE), 0);
  w = hyper_h2_frame_pack_altsvc(buf, sizeof buf, 0,
                                 (const uint8_t *)"https://a.example", 17,
                                 (const uint8_t *)"clear", 5);
  assert_int_equal(h2h_raw_send(&r, buf, (size_t)w), 0);
  assert_false(h2h_log_has(&r.core.log, "ALT_SVC"));
  h2h_raw_free(&r);
}

/* The connection-phase table (submit.c, STYLE §3.7), walked through every
 * phase: idle, open, GOAWAY sent, GOAWAY received, both, closed; each with
 * an action on the connection (PING), a new request and a push. */
static void test_conn_api_phase_table(void **state) {
  (void)state;
  static const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  hyper_field req[8];
  size_t nreq = h2h_fields(h2h_get_req, req, 8);
  uint32_t id;

  /* idle: nothing before initiate */
  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
  hyper_h2_conn *idle;
  assert_int_equal(hyper_h2_conn_new(&idle, &cfg, NULL), 0);
  assert_int_equal(hyper_h2_ping(idle, op), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_submit_request(idle, req, nreq, 1, &id), HYPER_ERR_INVALID_STATE);
  hyper_h2_conn_free(idle);

  hyper_h2_config ccfg;
  hyper_h2_config_init(&ccfg, HYPER_H2_ROLE_CLIENT);
  ccfg.settings.enable_push = 1;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, &ccfg, NULL, NULL), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* open: all allowed */
  uint32_t s1 = 0, pushed = 0;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, nreq, 0, &s1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_push_promise(p.srv.c, s1, req, nreq, &pushed), 0);
  assert_int_equal(hyper_h2_ping(p.srv.c, op), 0);
  assert_int_equal(h2h_pump(&p), 0);

  /* the server drains (GOAWAY sent): no new streams of its own, the rest goes on */
  assert_int_equal(hyper_h2_close(p.srv.c, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                                  NULL, 0), 0);
  assert_int_equal(hyper_h2_push_promise(p.srv.c, s1, req, nreq, &pushed),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_ping(p.srv.c, op), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* the client got it (GOAWAY received): new requests refused as such */
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, nreq, 1, &id), HYPER_ERR_H2_GOAWAY);
  assert_int_equal(hyper_h2_ping(p.cli.c, op), 0);
  assert_int_equal(hyper_h2_send_data(p.cli.c, s1, (const uint8_t *)"x", 1, 0), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* both ways */
  assert_int_equal(hyper_h2_close(p.cli.c, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                                  NULL, 0), 0);
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, nreq, 1, &id), HYPER_ERR_H2_GOAWAY);
  assert_int_equal(hyper_h2_ping(p.cli.c, op), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_push_promise(p.srv.c, s1, req, nreq, &pushed),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_ping(p.srv.c, op), 0);
  /* closed by an error: nothing at all */
  assert_int_equal(hyper_h2_close(p.cli.c, HYPER_H2_PROTOCOL_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                                  NULL, 0), 0);
  assert_int_equal(hyper_h2_ping(p.cli.c, op), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_send_data(p.cli.c, s1, (const uint8_t *)"x", 1, 0),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, nreq, 1, &id), HYPER_ERR_INVALID_STATE);
  h2h_pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_api_config_defaults),
      cmocka_unit_test(test_conn_api_config_rejected),
      cmocka_unit_test(test_conn_api_state_errors),
      cmocka_unit_test(test_conn_api_phase_table),
      cmocka_unit_test(test_conn_api_recv_stops_at_events),
      cmocka_unit_test(test_conn_api_trace_hook),
      cmocka_unit_test(test_conn_api_header_table_size_changes),
      cmocka_unit_test(test_conn_api_stream_data_and_ids),
      cmocka_unit_test(test_conn_api_altsvc_and_origin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
