/* The HTTP/2 connection: a client core and a server core wired to each
 * other in memory (h2_harness.c). Exchanges from RFC 9113 §8 (requests,
 * responses, bodies, trailers, 1xx), PING, SETTINGS, GOAWAY, and the rule
 * that any split of the byte stream gives the same events. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2_harness.h"

static const char *const post_req[] = {
    ":method", "POST", ":scheme", "https", ":authority", "example.com",
    ":path", "/upload", "content-length", "11", NULL};

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

/* A server application: answers every request with 200 and a body of
 * |user| bytes (a size_t *) once the request has ended. */
static void serve(h2h_side *s, const hyper_h2_event *ev, void *user) {
  size_t body = user ? *(size_t *)user : 5;
  if (ev->type != HYPER_H2_EV_STREAM_ENDED)
    return;
  char len[32];
  snprintf(len, sizeof len, "%zu", body);
  const char *nv[] = {":status", "200", "content-length", len, NULL};
  assert_int_equal(respond(s, ev->stream_id, nv, body == 0), 0);
  if (body) {
    uint8_t buf[16384];
    memset(buf, 'x', sizeof buf);
    assert_true(body <= sizeof buf);
    assert_int_equal(hyper_h2_send_data(s->c, ev->stream_id, buf, body, 1), 0);
  }
}

static void test_conn_pair_handshake(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* each side saw the other's SETTINGS and the ACK of its own */
  assert_true(h2h_log_has(&p.srv.log, "REMOTE_SETTINGS 0 2:1->0 3:"));
  assert_true(h2h_log_has(&p.srv.log, "SETTINGS_ACKED 0"));
  assert_true(h2h_log_has(&p.cli.log, "REMOTE_SETTINGS 0"));
  assert_true(h2h_log_has(&p.cli.log, "SETTINGS_ACKED 0"));
  /* the connection window was raised to 16 MiB (WINDOW_UPDATE after the
   * preface) */
  assert_true(h2h_log_has(&p.srv.log, "WINDOW_UPDATED 0 +16711681"));
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.srv.c, 0),
                   HYPER_H2_DEFAULT_CONN_RECV_WINDOW);
  assert_int_equal(hyper_h2_conn_remote_settings(p.cli.c)->max_concurrent_streams,
                   100);
  assert_int_equal(hyper_h2_conn_local_settings(p.cli.c)->enable_push, 0);
  assert_false(hyper_h2_conn_wants_write(p.cli.c));
  assert_true(hyper_h2_conn_wants_read(p.cli.c));
  h2h_pair_free(&p);
}

static void test_conn_pair_get(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  p.srv.on_event = serve;
  uint32_t id = 0;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(id, 1);
  assert_int_equal(hyper_h2_conn_open_streams(p.cli.c, 1), 1);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log,
                          "REQUEST 1 ES :method=GET :scheme=https "
                          ":authority=example.com :path=/\nSTREAM_ENDED 1\n"));
  assert_true(h2h_log_has(&p.cli.log,
                          "RESPONSE 1 :status=200 content-length=5\n"
                          "DATA 1 len=5 flow=5 ES\nSTREAM_ENDED 1\n"));
  assert_int_equal(p.cli.data_bytes, 5);
  assert_int_equal(hyper_h2_conn_open_streams(p.cli.c, 1), 0);
  assert_int_equal(hyper_h2_conn_open_streams(p.srv.c, 0), 0);
  /* the stream is closed: sending on it is refused without side effects */
  assert_int_equal(hyper_h2_send_data(p.cli.c, 1, NULL, 0, 1),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(hyper_h2_send_data(p.cli.c, 3, NULL, 0, 1),
                   HYPER_ERR_H2_PROTOCOL);
  uint32_t next;
  assert_int_equal(hyper_h2_get_next_available_stream_id(p.cli.c, &next), 0);
  assert_int_equal(next, 3);
  h2h_pair_free(&p);
}

/* RFC 9218: the client states a request's priority in the `priority`
 * field (written by hyper_h2_priority_format()), the server reads it back
 * from the request (hyper_h2_priority_from_fields()); a PRIORITY_UPDATE
 * changes it later and arrives already parsed. */
static hyper_h2_priority prio_seen;
static int prio_rv = -1;
static void serve_prio(h2h_side *s, const hyper_h2_event *ev, void *user) {
  if (ev->type == HYPER_H2_EV_REQUEST_RECEIVED)
    prio_rv = hyper_h2_priority_from_fields(ev->u.headers.fields,
                                            ev->u.headers.nfields, &prio_seen);
  serve(s, ev, user);
}

static void test_conn_pair_priority_field(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  p.srv.on_event = serve_prio;
  hyper_h2_priority want = {1, 1};
  uint8_t v[HYPER_H2_PRIORITY_FORMAT_MAX];
  int len = hyper_h2_priority_format(&want, v, sizeof v);
  assert_int_equal(len, 6);
  assert_memory_equal(v, "u=1, i", 6);
  char value[16];
  memcpy(value, v, (size_t)len);
  value[len] = 0;
  const char *req[] = {":method", "GET", ":scheme", "https", ":authority",
                       "example.com", ":path", "/", "priority", value, NULL};
  uint32_t id = 0;
  assert_int_equal(submit(&p, req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(prio_rv, 0);
  assert_int_equal(prio_seen.urgency, 1);
  assert_int_equal(prio_seen.incremental, 1);
  /* no field: the defaults (u=3, not incremental) */
  prio_rv = -1;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(prio_rv, 0);
  assert_int_equal(prio_seen.urgency, 3);
  assert_int_equal(prio_seen.incremental, 0);
  /* an unparsable value is ignored as a whole (RFC 9651 §4.2) */
  const char *bad[] = {":method", "GET", ":scheme", "https", ":authority",
                       "example.com", ":path", "/", "priority", "u=2, ?", NULL};
  prio_rv = -1;
  assert_int_equal(submit(&p, bad, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(prio_rv, HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(prio_seen.urgency, 3);
  /* PRIORITY_UPDATE for an open stream reaches the server parsed */
  assert_int_equal(submit(&p, h2h_get_req, 0, &id), 0);
  assert_int_equal(hyper_h2_priority_update(p.cli.c, id, 6, 0), 0);
  assert_int_equal(h2h_pump(&p), 0);
  char line[64];
  snprintf(line, sizeof line, "PRIORITY_UPDATED %u u=6 i=0", (unsigned)id);
  assert_true(h2h_log_has(&p.srv.log, line));
  /* the pure helpers: every urgency and both flags round-trip */
  for (uint8_t u = 0; u <= 7; u++)
    for (uint8_t i = 0; i <= 1; i++) {
      hyper_h2_priority in = {u, i}, out = {9, 9};
      len = hyper_h2_priority_format(&in, v, sizeof v);
      assert_true(len >= 0);
      assert_int_equal(hyper_h2_priority_parse(len ? v : NULL, (size_t)len, &out), 0);
      assert_int_equal(out.urgency, u);
      assert_int_equal(out.incremental, i);
    }
  hyper_h2_priority bad_p = {8, 0};
  assert_int_equal(hyper_h2_priority_format(&bad_p, v, sizeof v),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_priority_format(&want, v, 5), HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_priority_parse(NULL, 3, &prio_seen), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_priority_parse((const uint8_t *)"u=1", 3, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_priority_from_fields(NULL, 1, &prio_seen),
                   HYPER_ERR_INVALID_ARGUMENT);
  h2h_pair_free(&p);
}

static void test_conn_pair_post_body_and_trailers_both_ways(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, post_req, 0, &id), 0);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"hello ", 6,
                                      0),
                   0);
  assert_int_equal(
      hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"world", 5, 0), 0);
  hyper_field tr[1];
  const char *const trv[] = {"x-checksum", "abc", NULL};
  h2h_fields(trv, tr, 1);
  assert_int_equal(hyper_h2_submit_trailers(p.cli.c, id, tr, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "REQUEST 1 :method=POST"));
  assert_true(h2h_log_has(&p.srv.log,
                          "DATA 1 len=6 flow=6\nDATA 1 len=5 flow=5\n"
                          "TRAILERS 1 ES x-checksum=abc\nSTREAM_ENDED 1\n"));
  /* response with a body and trailers */
  const char *const rv[] = {":status", "200", NULL};
  assert_int_equal(respond(&p.srv, id, rv, 0), 0);
  assert_int_equal(
      hyper_h2_send_data(p.srv.c, id, (const uint8_t *)"ok", 2, 0), 0);
  const char *const trs[] = {"grpc-status", "0", NULL};
  h2h_fields(trs, tr, 1);
  assert_int_equal(hyper_h2_submit_trailers(p.srv.c, id, tr, 1), 0);
  /* no more on a finished stream */
  assert_int_equal(hyper_h2_submit_trailers(p.srv.c, id, tr, 1),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log,
                          "RESPONSE 1 :status=200\nDATA 1 len=2 flow=2\n"
                          "TRAILERS 1 ES grpc-status=0\nSTREAM_ENDED 1\n"));
  h2h_pair_free(&p);
}

static void test_conn_pair_informational(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t id;
  const char *const req[] = {":method", "PUT", ":scheme", "https",
                             ":authority", "a.example", ":path", "/x",
                             "expect", "100-continue", NULL};
  assert_int_equal(submit(&p, req, 0, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  hyper_field f[4];
  const char *const c100[] = {":status", "100", NULL};
  const char *const c103[] = {":status", "103", "link", "</s.css>", NULL};
  assert_int_equal(hyper_h2_submit_informational(p.srv.c, id, f,
                                                 h2h_fields(c100, f, 4)),
                   0);
  assert_int_equal(hyper_h2_submit_informational(p.srv.c, id, f,
                                                 h2h_fields(c103, f, 4)),
                   0);
  /* a final status is not informational */
  assert_int_equal(hyper_h2_submit_informational(p.srv.c, id, f,
                                                 h2h_fields(h2h_resp_200, f, 4)),
                   HYPER_ERR_H2_HEADER);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "INFORMATIONAL 1 :status=100\n"
                                      "INFORMATIONAL 1 :status=103 "
                                      "link=</s.css>\n"));
  assert_int_equal(hyper_h2_end_stream(p.cli.c, id), 0);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 1), 0);
  /* 1xx after the final response is refused (RFC 9113 §8.1) */
  assert_int_not_equal(hyper_h2_submit_informational(p.srv.c, id, f,
                                                     h2h_fields(c100, f, 4)),
                       0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 1 ES :status=200\n"
                                      "STREAM_ENDED 1\n"));
  h2h_pair_free(&p);
}

static void test_conn_pair_ping_and_settings_mid_flight(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  assert_int_equal(h2h_pump(&p), 0);
  const uint8_t op[8] = {0xab, 1, 2, 3, 4, 5, 6, 0xcd};
  assert_int_equal(hyper_h2_ping(p.cli.c, op), 0);
  uint32_t id;
  assert_int_equal(submit(&p, post_req, 0, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "PING 0 abcd\n"));
  assert_true(h2h_log_has(&p.cli.log, "PING_ACK 0 abcd\n"));
  /* the server shrinks the client's stream send windows mid-flight */
  hyper_h2_setting s[2] = {{HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 5},
                           {HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 7}};
  assert_int_equal(hyper_h2_update_settings(p.srv.c, s, 2), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "REMOTE_SETTINGS 0 4:4194304->5 3:100->7\n"));
  assert_true(h2h_log_has(&p.srv.log, "SETTINGS_ACKED 0 4:4194304->5 3:100->7\n"));
  /* the open stream's window went from 65535 to 5 (RFC 9113 §6.9.2) */
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.cli.c, id), 5);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"hello!", 6,
                                      0),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(
      hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"hello", 5, 0), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.cli.c, id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* the server's manager refills the window it shrank */
  assert_true(h2h_log_has(&p.cli.log, "WINDOW_UPDATED 1 +5\n"));
  assert_int_equal(hyper_h2_conn_local_flow_control_window(p.cli.c, id), 5);
  assert_int_equal(hyper_h2_conn_remote_settings(p.cli.c)->max_concurrent_streams,
                   7);
  h2h_pair_free(&p);
}

static void test_conn_pair_goaway_drain(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t a, b, c;
  assert_int_equal(submit(&p, h2h_get_req, 1, &a), 0);
  assert_int_equal(submit(&p, h2h_get_req, 1, &b), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* graceful shutdown: streams 1 and 3 may finish */
  assert_int_equal(hyper_h2_close(p.srv.c, HYPER_H2_NO_ERROR,
                                  HYPER_H2_LAST_STREAM_AUTO, NULL, 0),
                   0);
  assert_int_equal(submit(&p, h2h_get_req, 1, &c), 0); /* crosses GOAWAY */
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "TERMINATED 0 NO_ERROR last=3"));
  /* stream 5 was not processed: the server ignored it, the client closed it */
  assert_false(h2h_log_has(&p.srv.log, "REQUEST 5"));
  assert_int_equal(submit(&p, h2h_get_req, 1, &c), HYPER_ERR_H2_GOAWAY);
  assert_true(hyper_h2_conn_wants_read(p.cli.c));
  assert_int_equal(respond(&p.srv, a, h2h_resp_200, 1), 0);
  assert_int_equal(respond(&p.srv, b, h2h_resp_200, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 1 ES"));
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 3 ES"));
  assert_false(hyper_h2_conn_wants_read(p.cli.c));
  assert_false(hyper_h2_conn_wants_read(p.srv.c));
  h2h_pair_free(&p);
}

/* The same exchange, fed whole, 1 byte at a time and in random chunks, must
 * produce identical events (RFC 9113 §4: framing is independent of how the
 * transport splits bytes; HOSTILE-PEERS J1). */
static void run_exchange(size_t chunk, uint32_t rnd, h2h_log *cli_out,
                         h2h_log *srv_out) {
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  p.cli.chunk = p.srv.chunk = chunk;
  p.cli.rnd = rnd;
  p.srv.rnd = rnd ? rnd + 1 : 0;
  size_t body = 3000;
  p.srv.on_event = serve;
  p.srv.user = &body;
  const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  assert_int_equal(hyper_h2_ping(p.srv.c, op), 0);
  for (int i = 0; i < 5; i++) {
    uint32_t id;
    assert_int_equal(submit(&p, post_req, 0, &id), 0);
    assert_int_equal(hyper_h2_send_data(p.cli.c, id,
                                        (const uint8_t *)"hello world", 11, 1),
                     0);
  }
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(p.cli.data_bytes, 5 * body);
  h2h_log_add(cli_out, "%s", p.cli.log.buf);
  h2h_log_add(srv_out, "%s", p.srv.log.buf);
  h2h_pair_free(&p);
}

static void test_conn_pair_any_split_same_events(void **state) {
  (void)state;
  h2h_log c0 = {0}, s0 = {0}, c1 = {0}, s1 = {0}, c2 = {0}, s2 = {0};
  run_exchange(0, 0, &c0, &s0);
  run_exchange(1, 0, &c1, &s1);
  run_exchange(0, 77, &c2, &s2);
  assert_string_equal(c0.buf, c1.buf);
  assert_string_equal(s0.buf, s1.buf);
  assert_string_equal(c0.buf, c2.buf);
  assert_string_equal(s0.buf, s2.buf);
  assert_true(h2h_log_has(&c0, "DATA 9 len=3000 flow=3000 ES\n"));
  h2h_log_free(&c0);
  h2h_log_free(&s0);
  h2h_log_free(&c1);
  h2h_log_free(&s1);
  h2h_log_free(&c2);
  h2h_log_free(&s2);
}

static void test_conn_pair_outbound_validation(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  hyper_field f[8];
  uint32_t id = 0;
  /* missing :path */
  const char *const bad[] = {":method", "GET", ":scheme", "https",
                             ":authority", "x", NULL};
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f, h2h_fields(bad, f, 8), 1,
                                           &id),
                   HYPER_ERR_H2_HEADER);
  assert_true(strlen(hyper_h2_conn_last_error(p.cli.c)->desc) > 0);
  /* normalisation: uppercase names and connection-specific fields */
  const char *const norm[] = {":method", "GET", ":scheme", "https",
                              ":authority", "x", ":path", "/",
                              "X-Upper", " v ", "connection", "close",
                              "keep-alive", "5", NULL};
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f,
                                           h2h_fields(norm, f, 8), 1, &id),
                   0);
  assert_int_equal(id, 1);
  /* content-length with END_STREAM and no body */
  const char *const cl[] = {":method", "POST", ":scheme", "https",
                            ":authority", "x", ":path", "/",
                            "content-length", "3", NULL};
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f, h2h_fields(cl, f, 8), 1,
                                           &id),
                   HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f, h2h_fields(cl, f, 8), 0,
                                           &id),
                   0);
  assert_int_equal(id, 3);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"abcd", 4,
                                      1),
                   HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"ab", 2, 1),
                   HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(
      hyper_h2_send_data(p.cli.c, id, (const uint8_t *)"abc", 3, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "REQUEST 1 ES :method=GET :scheme=https "
                                      ":authority=x :path=/ x-upper=v\n"));
  assert_true(h2h_log_has(&p.srv.log, "DATA 3 len=3 flow=3 ES"));
  /* servers cannot submit requests, clients cannot respond */
  assert_int_equal(hyper_h2_submit_request(p.srv.c, f, h2h_fields(norm, f, 8),
                                           1, &id),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_submit_response(p.cli.c, 1, f,
                                            h2h_fields(h2h_resp_200, f, 8), 1),
                   HYPER_ERR_INVALID_STATE);
  h2h_pair_free(&p);
}

static void test_conn_pair_large_header_block_continuation(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  assert_int_equal(h2h_pump(&p), 0);
  /* 40 KiB of headers: HEADERS + CONTINUATION frames of 16 KiB */
  static char big[4][10001];
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  for (int i = 0; i < 4; i++) {
    memset(big[i], 'a' + i, 10000);
    big[i][10000] = 0;
    f[n].name = (const uint8_t *)"x-big";
    f[n].name_len = 5;
    f[n].value = (const uint8_t *)big[i];
    f[n].value_len = 10000;
    f[n].flags = HYPER_FIELD_NO_INDEX;
    n++;
  }
  uint32_t id;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, f, n, 1, &id), 0);
  p.srv.chunk = 1000;
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "REQUEST 1 ES :method=GET"));
  assert_true(h2h_log_has(&p.srv.log, "x-big=dddddddddd"));
  h2h_pair_free(&p);
}

static void test_conn_pair_thousand_concurrent_streams(void **state) {
  (void)state;
  hyper_h2_config sc;
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  sc.settings.max_concurrent_streams = 1000;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, &sc, NULL), 0);
  assert_int_equal(h2h_pump(&p), 0);
  uint32_t ids[1000];
  for (int i = 0; i < 1000; i++)
    assert_int_equal(submit(&p, h2h_get_req, 1, &ids[i]), 0);
  uint32_t extra;
  assert_int_equal(submit(&p, h2h_get_req, 1, &extra), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_conn_open_streams(p.srv.c, 0), 1000);
  /* answer in reverse order */
  for (int i = 999; i >= 0; i--) {
    assert_int_equal(respond(&p.srv, ids[i], h2h_resp_200, 0), 0);
    uint8_t b[4] = {(uint8_t)i, 1, 2, 3};
    assert_int_equal(hyper_h2_send_data(p.srv.c, ids[i], b, 4, 1), 0);
  }
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(p.cli.data_bytes, 4000);
  assert_int_equal(hyper_h2_conn_open_streams(p.cli.c, 1), 0);
  assert_int_equal(hyper_h2_conn_open_streams(p.srv.c, 0), 0);
  assert_true(h2h_log_has(&p.cli.log, "STREAM_ENDED 1999\n"));
  h2h_pair_free(&p);
}

/* A stream reset by the client while the server is still sending: the
 * server learns of it (remote), late DATA is discarded but still counts on
 * the connection window (C4). */
static void test_conn_pair_reset_mid_response(void **state) {
  (void)state;
  h2h_pair p;
  assert_int_equal(h2h_pair_new(&p, NULL, NULL, NULL), 0);
  uint32_t id;
  assert_int_equal(submit(&p, h2h_get_req, 1, &id), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(respond(&p.srv, id, h2h_resp_200, 0), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(hyper_h2_reset_stream(p.cli.c, id, HYPER_H2_CANCEL), 0);
  assert_int_equal(hyper_h2_reset_stream(p.cli.c, id, HYPER_H2_CANCEL),
                   HYPER_ERR_H2_STREAM_CLOSED);
  uint8_t data[1000] = {0};
  assert_int_equal(hyper_h2_send_data(p.srv.c, id, data, sizeof data, 0), 0);
  int64_t before = hyper_h2_conn_remote_flow_control_window(p.cli.c, 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "STREAM_RESET 1 CANCEL remote\n"));
  assert_false(h2h_log_has(&p.cli.log, "DATA 1"));
  assert_int_equal(hyper_h2_conn_remote_flow_control_window(p.cli.c, 0),
                   before - 1000);
  assert_int_equal(hyper_h2_send_data(p.srv.c, id, data, 1, 0),
                   HYPER_ERR_H2_STREAM_CLOSED);
  h2h_pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_pair_handshake),
      cmocka_unit_test(test_conn_pair_get),
      cmocka_unit_test(test_conn_pair_priority_field),
      cmocka_unit_test(test_conn_pair_post_body_and_trailers_both_ways),
      cmocka_unit_test(test_conn_pair_informational),
      cmocka_unit_test(test_conn_pair_ping_and_settings_mid_flight),
      cmocka_unit_test(test_conn_pair_goaway_drain),
      cmocka_unit_test(test_conn_pair_any_split_same_events),
      cmocka_unit_test(test_conn_pair_outbound_validation),
      cmocka_unit_test(test_conn_pair_large_header_block_continuation),
      cmocka_unit_test(test_conn_pair_thousand_concurrent_streams),
      cmocka_unit_test(test_conn_pair_reset_mid_response),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
