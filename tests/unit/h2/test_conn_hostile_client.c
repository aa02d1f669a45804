/* Hostile servers against the client core: the scenarios of
 * ../shared/HOSTILE-PEERS.md groups A-F, G (the parts a sans-IO core can
 * decide) and J, each named after its id. A scripted peer writes raw
 * frames; every scenario runs whole, byte by byte and in random chunks
 * (J1) under a counting allocator (no leak, bounded memory). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2_harness.h"

/* Which variant of a scenario to run (scenarios are plain functions). */
static int g_variant;

#include "h2/conn_int.h" /* to look at the HPACK encoder's table (A6) */

static uint32_t req(h2h_raw *r, int es) {
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  uint32_t id = 0;
  assert_int_equal(hyper_h2_submit_request(r->core.c, f, n, es, &id), 0);
  h2h_raw_collect(r);
  return id;
}

static int resp(h2h_raw *r, uint32_t id, uint8_t flags) {
  return h2h_raw_headers(r, id, flags, h2h_resp_200);
}

static hyper_h2_config client_cfg(void) {
  hyper_h2_config c;
  hyper_h2_config_init(&c, HYPER_H2_ROLE_CLIENT);
  return c;
}

static void run(h2h_scen_fn fn) {
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, 0, fn);
}

/* ---- A. Connection setup ------------------------------------------------- */

static void scen_A1(h2h_raw *r) {
  int rv;
  switch (g_variant) {
  case 0: /* an HTTP/1.1 reply: the type octet is 'P', not SETTINGS */
    rv = h2h_raw_send(r, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
    break;
  case 1: /* a PING first */
    rv = h2h_ping(r, 0, 1);
    break;
  default: /* a SETTINGS ACK first */
    rv = h2h_raw_frame(r, T_SETTINGS, F_ACK, 0, NULL, 0);
    break;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_A1_bad_preface(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, H2H_NO_HANDSHAKE, scen_A1);
}

static void scen_A2(h2h_raw *r) {
  assert_int_equal(hyper_h2_conn_set_time(r->core.c, 1000), 0);
  assert_int_equal(hyper_h2_conn_set_time(r->core.c, 11000), 0);
  int rv = hyper_h2_conn_set_time(r->core.c, 11001);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_SETTINGS_TIMEOUT,
                HYPER_H2_SETTINGS_TIMEOUT);
  /* requests fail */
  hyper_field f[8];
  uint32_t id;
  assert_int_equal(hyper_h2_submit_request(r->core.c, f,
                                           h2h_fields(h2h_get_req, f, 8), 1,
                                           &id),
                   HYPER_ERR_INVALID_STATE);
}

static void test_conn_hostile_A2_no_settings(void **state) {
  (void)state;
  /* never sends SETTINGS, and sends SETTINGS but never ACKs ours */
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, H2H_NO_HANDSHAKE, scen_A2);
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, H2H_NO_ACK, scen_A2);
}

static void scen_A2_acked_in_time(h2h_raw *r) {
  assert_int_equal(hyper_h2_conn_set_time(r->core.c, 5), 0);
  assert_int_equal(hyper_h2_conn_set_time(r->core.c, 1000000), 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_A2_acked_settings_never_time_out(void **state) {
  (void)state;
  run(scen_A2_acked_in_time);
}

static void scen_A3(h2h_raw *r) {
  int rv;
  uint8_t six[6] = {0, 3, 0, 0, 0, 10};
  switch (g_variant) {
  case 0: /* ACK with a payload */
    rv = h2h_raw_frame(r, T_SETTINGS, F_ACK, 0, six, 6);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
    break;
  case 1: /* on a stream */
    rv = h2h_raw_frame(r, T_SETTINGS, 0, 1, six, 6);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
    break;
  default: /* length not a multiple of 6 */
    rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, six, 5);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
    break;
  }
}

static void test_conn_hostile_A3_settings_malformed(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_A3);
}

static void scen_A4(h2h_raw *r) {
  static const struct {
    uint16_t id;
    uint32_t v;
    int herr;
    uint32_t code;
  } cases[] = {
      {HYPER_H2_SETTINGS_ENABLE_PUSH, 1, HYPER_ERR_H2_PROTOCOL,
       HYPER_H2_PROTOCOL_ERROR},
      {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u,
       HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 0, HYPER_ERR_H2_PROTOCOL,
       HYPER_H2_PROTOCOL_ERROR},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16383, HYPER_ERR_H2_PROTOCOL,
       HYPER_H2_PROTOCOL_ERROR},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 1u << 24, HYPER_ERR_H2_PROTOCOL,
       HYPER_H2_PROTOCOL_ERROR},
  };
  int rv = h2h_settings1(r, cases[g_variant].id, cases[g_variant].v);
  h2h_expect_goaway(r, rv, cases[g_variant].herr, cases[g_variant].code);
}

static void test_conn_hostile_A4_settings_values(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 5; g_variant++)
    run(scen_A4);
}

static void scen_A5_unread(h2h_raw *r) {
  r->no_collect = 1; /* the peer never reads our ACKs */
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, NULL, 0);
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_SETTINGS) >= 999); /* ACKed within budget */
}

static void scen_A5_read(h2h_raw *r) {
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, NULL, 0);
  assert_true(i <= 1001); /* the glitch budget */
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_SETTINGS) >= 999);
}

static void scen_A5_entries(h2h_raw *r) {
  size_t n = g_variant == 0 ? 2400 : g_variant == 1 ? 33 : 32;
  uint8_t *p = calloc(n, 6);
  for (size_t i = 0; i < n; i++) {
    p[6 * i + 1] = 0x3; /* MAX_CONCURRENT_STREAMS */
    p[6 * i + 5] = (uint8_t)i;
  }
  int rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, p, 6 * n);
  free(p);
  if (n > 32) {
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  } else {
    assert_int_equal(rv, 0);
    assert_int_equal(h2h_raw_goaway(r), -1);
    assert_int_equal(
        hyper_h2_conn_remote_settings(r->core.c)->max_concurrent_streams, 31);
  }
}

static void test_conn_hostile_A5_settings_flood(void **state) {
  (void)state;
  run(scen_A5_unread);
  run(scen_A5_read);
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_A5_entries);
}

static void scen_A6(h2h_raw *r) {
  assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_HEADER_TABLE_SIZE,
                             0xffffffffu),
                   0);
  char val[300];
  memset(val, 'v', sizeof val - 1);
  val[sizeof val - 1] = 0;
  for (int i = 0; i < 60; i++) {
    char name[16];
    snprintf(name, sizeof name, "x-h%d", i);
    const char *nv[] = {":method", "GET", ":scheme", "https", ":authority",
                        "a", ":path", "/", name, val, NULL};
    hyper_field f[8];
    uint32_t id;
    assert_int_equal(hyper_h2_submit_request(r->core.c, f, h2h_fields(nv, f, 8),
                                             1, &id),
                     i < 100 ? 0 : 0);
    h2h_raw_collect(r);
    assert_true(hyper_hpack_enc_table_size(r->core.c->enc) <= 4096);
  }
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_A6_huge_table(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.settings.max_concurrent_streams = 100;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_A6);
  assert_true(peak < 256 * 1024); /* no big allocation */
}

static void scen_A7(h2h_raw *r) {
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  uint32_t id;
  if (g_variant == 0) {
    assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 0),
                     0);
    assert_int_equal(hyper_h2_submit_request(r->core.c, f, n, 1, &id),
                     HYPER_ERR_LIMIT_EXCEEDED);
    h2h_raw_collect(r);
    assert_int_equal(h2h_raw_count(r, T_HEADERS), 0);
  } else {
    uint32_t a = req(r, 1);
    req(r, 1);
    req(r, 1);
    assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 1),
                     0);
    assert_int_equal(hyper_h2_submit_request(r->core.c, f, n, 1, &id),
                     HYPER_ERR_LIMIT_EXCEEDED);
    /* the open streams still work */
    assert_int_equal(resp(r, a, F_ES), 0);
    assert_true(h2h_ev_has(r, "RESPONSE 1 ES"));
  }
  assert_int_equal(h2h_raw_goaway(r), -1); /* not a protocol error */
}

static void test_conn_hostile_A7_zero_concurrency(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    run(scen_A7);
}

static void scen_A8(h2h_raw *r) {
  uint32_t id = req(r, 1);
  /* unknown setting identifiers are ignored */
  assert_int_equal(h2h_settings1(r, 0x99, 7), 0);
  assert_true(h2h_ev_has(r, "REMOTE_SETTINGS 0\n"));
  /* unknown frame types are surfaced, not fatal */
  assert_int_equal(h2h_raw_frame(r, 0xfa, 0xff, 0, "xyz", 3), 0);
  assert_int_equal(h2h_raw_frame(r, 0xfb, 0, id, NULL, 0), 0);
  assert_true(h2h_ev_has(r, "UNKNOWN_FRAME 0 type=0xfa len=3\n"));
  assert_true(h2h_ev_has(r, "UNKNOWN_FRAME 1 type=0xfb len=0\n"));
  /* unknown flags are ignored (0xfe has no ACK bit: a PING to answer) */
  assert_int_equal(h2h_ping(r, 0xfe, 9), 0);
  assert_int_equal(h2h_raw_count(r, T_PING), 1);
  /* the reserved bit of the stream id is ignored */
  uint8_t blk[1024];
  uint8_t fr[1100];
  size_t n = h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
  int w = hyper_h2_frame_pack_raw(fr, sizeof fr, T_HEADERS, F_EH | F_ES, id,
                                  blk, n);
  assert_true(w > 0);
  fr[5] |= 0x80;
  assert_int_equal(h2h_raw_send(r, fr, (size_t)w), 0);
  assert_true(h2h_ev_has(r, "RESPONSE 1 ES :status=200\n"));
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void scen_A8_churn(h2h_raw *r) {
  int rv = 0, i;
  for (i = 0; i < 5000 && rv == 0; i++)
    rv = h2h_raw_frame(r, 0xfa, 0, 0, NULL, 0);
  assert_true(i <= 1001);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_A8_unknown_settings_frames_flags(void **state) {
  (void)state;
  run(scen_A8);
  run(scen_A8_churn);
}

/* ---- B. Frame layer -------------------------------------------------------- */

static void scen_B1(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, 0), 0);
  static uint8_t big[20000];
  int rv = h2h_data(r, id, F_ES, big, sizeof big);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
  assert_false(h2h_ev_has(r, "DATA"));
  assert_false(h2h_ev_has(r, "STREAM_ENDED"));
}

static void test_conn_hostile_B1_oversize_frame(void **state) {
  (void)state;
  run(scen_B1);
}

static void scen_B2(h2h_raw *r) {
  uint32_t id = req(r, 0);
  uint8_t z[8] = {0};
  int rv;
  switch (g_variant) {
  case 0:
    rv = h2h_raw_frame(r, T_PING, 0, 0, z, 7);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
    break;
  case 1:
    rv = h2h_raw_frame(r, T_RST, 0, id, z, 3);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
    break;
  case 2:
    rv = h2h_raw_frame(r, T_WU, 0, id, z, 5);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR);
    break;
  default: /* §6.3: a stream error */
    rv = h2h_raw_frame(r, T_PRIORITY, 0, id, z, 4);
    h2h_expect_rst(r, rv, id, HYPER_H2_FRAME_SIZE_ERROR);
    assert_true(h2h_ev_has(r, "STREAM_RESET 1 FRAME_SIZE_ERROR local\n"));
    break;
  }
}

static void test_conn_hostile_B2_fixed_length_violations(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 4; g_variant++)
    run(scen_B2);
}

static void scen_B3(h2h_raw *r) {
  uint32_t id = req(r, 1);
  uint8_t p[6] = {6, 'a', 'b', 'c', 'd', 'e'}; /* pad >= payload */
  int rv;
  if (g_variant == 0) {
    assert_int_equal(resp(r, id, 0), 0);
    rv = h2h_data(r, id, F_PADDED, p, 6);
  } else {
    rv = h2h_raw_frame(r, T_HEADERS, F_PADDED | F_EH, id, p, 6);
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_B3_bad_padding(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    run(scen_B3);
}

static void scen_B4(h2h_raw *r) {
  static const struct {
    uint8_t type;
    uint32_t sid;
    uint8_t len;
  } cases[] = {{T_DATA, 0, 1},     {T_HEADERS, 0, 1}, {T_RST, 0, 4},
               {T_PRIORITY, 0, 5}, {T_CONT, 0, 1},    {T_PUSH, 0, 4},
               {T_SETTINGS, 1, 0}, {T_PING, 1, 8},    {T_GOAWAY, 1, 8}};
  req(r, 1);
  uint8_t z[8] = {0, 0, 0, 2, 0, 0, 0, 0};
  int rv = h2h_raw_frame(r, cases[g_variant].type,
                         cases[g_variant].type == T_HEADERS ? F_EH : 0,
                         cases[g_variant].sid, z, cases[g_variant].len);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_B4_wrong_stream_0(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 9; g_variant++)
    run(scen_B4);
}

static void scen_B5(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, 0), 0);
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_data(r, id, 0, NULL, 0);
  assert_true(i <= 1001); /* CPU bounded: the glitch budget */
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_B5_empty_frames_flood(void **state) {
  (void)state;
  run(scen_B5);
}

/* ---- C. Stream states ------------------------------------------------------- */

static void scen_C1(h2h_raw *r) {
  req(r, 1);
  int rv;
  uint8_t four[4] = {0, 0, 0, 1};
  switch (g_variant) {
  case 0:
    rv = h2h_data(r, 5, 0, "x", 1);
    break;
  case 1:
    rv = resp(r, 5, 0);
    break;
  case 2:
    rv = h2h_raw_frame(r, T_RST, 0, 5, four, 4);
    break;
  default:
    rv = h2h_raw_frame(r, T_WU, 0, 5, four, 4);
    break;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_C1_frame_on_idle(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 4; g_variant++)
    run(scen_C1);
}

static void scen_C2(h2h_raw *r) {
  req(r, 1);
  int rv = resp(r, 2, 0);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_C2_unpromised_even_stream(void **state) {
  (void)state;
  run(scen_C2);
}

static void scen_C3(h2h_raw *r) {
  if (g_variant == 0) { /* closed: a connection error (§5.1 closed) */
    uint32_t id = req(r, 1);
    assert_int_equal(resp(r, id, F_ES), 0);
    assert_true(h2h_ev_has(r, "RESPONSE 1 ES :status=200\nSTREAM_ENDED 1\n"));
    int rv = h2h_data(r, id, 0, "late", 4);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_STREAM_CLOSED, HYPER_H2_STREAM_CLOSED);
    assert_true(h2h_ev_has(r, "RESPONSE 1 ES :status=200\nSTREAM_ENDED 1\n"));
  } else { /* half-closed (remote): a stream error */
    uint32_t id = req(r, 0);
    assert_int_equal(resp(r, id, F_ES), 0);
    int rv = g_variant == 1 ? h2h_data(r, id, 0, "late", 4) : resp(r, id, F_ES);
    h2h_expect_rst(r, rv, id, HYPER_H2_STREAM_CLOSED);
    assert_true(h2h_ev_has(r, "RESPONSE 1 ES :status=200\nSTREAM_ENDED 1\n"));
    assert_true(h2h_ev_has(r, "STREAM_RESET 1 STREAM_CLOSED local\n"));
  }
}

static void test_conn_hostile_C3_frame_after_end(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_C3);
}

static void scen_C4(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, 0), 0);
  assert_int_equal(hyper_h2_reset_stream(r->core.c, id, HYPER_H2_CANCEL), 0);
  h2h_raw_collect(r);
  size_t wu_before = h2h_raw_count(r, T_WU);
  static uint8_t chunk[16000];
  for (int i = 0; i < 4; i++)
    assert_int_equal(h2h_data(r, id, 0, chunk, sizeof chunk), 0);
  /* late trailers: decoded (HPACK stays in step), dropped */
  const char *const tr[] = {"x-late", "1", NULL};
  assert_int_equal(h2h_raw_headers(r, id, F_ES, tr), 0);
  assert_false(h2h_ev_has(r, "DATA"));
  assert_false(h2h_ev_has(r, "TRAILERS"));
  /* the connection window was charged and refilled */
  assert_true(h2h_raw_count(r, T_WU) > wu_before);
  assert_int_equal(h2h_raw_last(r, T_WU)->sid, 0);
  /* the connection is fine */
  uint32_t id2 = req(r, 1);
  assert_int_equal(h2h_raw_headers(r, id2, F_ES, tr + 0) == 0 ? 0 : 1, 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_C4_frames_after_our_rst(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.connection_window = 65535;
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_C4);
  c.recv_mode = HYPER_H2_RECV_ACK; /* dropped octets acknowledged by us */
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_C4);
}

static void scen_C5(h2h_raw *r) {
  int rv;
  uint32_t id;
  const char *const tr[] = {"x-t", "1", NULL};
  switch (g_variant) {
  case 0: /* DATA before HEADERS */
    id = req(r, 1);
    rv = h2h_data(r, id, 0, "x", 1);
    h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
    break;
  case 1: /* a second HEADERS without END_STREAM */
    id = req(r, 1);
    assert_int_equal(resp(r, id, 0), 0);
    rv = h2h_raw_headers(r, id, 0, tr);
    h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
    assert_true(h2h_ev_has(r, "STREAM_RESET 1 PROTOCOL_ERROR local\n"));
    break;
  default: /* trailers, then DATA */
    id = req(r, 0);
    assert_int_equal(resp(r, id, 0), 0);
    assert_int_equal(h2h_raw_headers(r, id, F_ES, tr), 0);
    rv = h2h_data(r, id, 0, "x", 1);
    h2h_expect_rst(r, rv, id, HYPER_H2_STREAM_CLOSED);
    break;
  }
  /* the request failed: never a clean end */
  assert_false(h2h_ev_has(r, "DATA 1"));
}

static void test_conn_hostile_C5_data_before_headers_etc(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_C5);
}

static void scen_C6(h2h_raw *r) {
  for (int i = 0; i < 3; i++) {
    uint32_t id = req(r, 1);
    assert_int_equal(h2h_rst(r, id, HYPER_H2_REFUSED_STREAM), 0);
  }
  assert_true(h2h_ev_has(r, "STREAM_RESET 1 REFUSED_STREAM remote\n"
                        "STREAM_RESET 3 REFUSED_STREAM remote\n"
                        "STREAM_RESET 5 REFUSED_STREAM remote\n"));
  assert_int_equal(h2h_raw_count(r, T_RST), 0); /* §5.4.2 */
  assert_int_equal(h2h_raw_goaway(r), -1);
  assert_int_equal(hyper_h2_conn_open_streams(r->core.c, 1), 0);
}

static void test_conn_hostile_C6_reset_everything(void **state) {
  (void)state;
  run(scen_C6);
}

static void scen_C7(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(h2h_rst(r, id, HYPER_H2_HTTP_1_1_REQUIRED), 0);
  assert_true(h2h_ev_has(r, "STREAM_RESET 1 HTTP_1_1_REQUIRED remote\n"));
}

static void test_conn_hostile_C7_http11_required(void **state) {
  (void)state;
  run(scen_C7);
}

static void scen_C8(h2h_raw *r) {
  uint32_t id = req(r, 0); /* still uploading */
  assert_int_equal(resp(r, id, 0), 0);
  assert_int_equal(h2h_data(r, id, F_ES, "ok", 2), 0);
  assert_int_equal(h2h_rst(r, id, HYPER_H2_NO_ERROR), 0);
  assert_true(h2h_ev_has(r, "RESPONSE 1 :status=200\nDATA 1 len=2 flow=2 ES\n"
                        "STREAM_ENDED 1\nSTREAM_RESET 1 NO_ERROR remote\n"));
  assert_int_equal(hyper_h2_send_data(r->core.c, id, (const uint8_t *)"x", 1,
                                      0),
                   HYPER_ERR_H2_STREAM_CLOSED);
}

static void test_conn_hostile_C8_rst_no_error_after_response(void **state) {
  (void)state;
  run(scen_C8);
}

/* ---- D. Flow control -------------------------------------------------------- */

static void scen_D1(h2h_raw *r) {
  int rv = h2h_wu(r, 0, 0x7fffffffu);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR);
}

static void test_conn_hostile_D1_conn_window_overflow(void **state) {
  (void)state;
  run(scen_D1);
}

static void scen_D2(h2h_raw *r) {
  uint32_t id = req(r, 0);
  int rv = h2h_wu(r, id, 0x7fffffffu);
  h2h_expect_rst(r, rv, id, HYPER_H2_FLOW_CONTROL_ERROR);
  assert_true(h2h_ev_has(r, "STREAM_RESET 1 FLOW_CONTROL_ERROR local\n"));
}

static void test_conn_hostile_D2_stream_window_overflow(void **state) {
  (void)state;
  run(scen_D2);
}

static void scen_D3(h2h_raw *r) {
  uint32_t id = req(r, 0);
  if (g_variant == 0) {
    int rv = h2h_wu(r, 0, 0);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
  } else {
    int rv = h2h_wu(r, id, 0);
    h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
  }
}

static void test_conn_hostile_D3_zero_increment(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    run(scen_D3);
}

static void scen_D4_stream(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, 0), 0);
  static uint8_t buf[1001];
  int rv = h2h_data(r, id, 0, buf, 1001); /* our stream window is 1000 */
  h2h_expect_rst(r, rv, id, HYPER_H2_FLOW_CONTROL_ERROR);
}

static void scen_D4_conn(h2h_raw *r) {
  uint32_t a = req(r, 1), b = req(r, 1);
  assert_int_equal(resp(r, a, 0), 0);
  assert_int_equal(resp(r, b, 0), 0);
  static uint8_t buf[16384];
  int rv = 0;
  size_t total = 0;
  for (int i = 0; i < 10 && rv == 0; i++) {
    rv = h2h_data(r, i % 2 ? b : a, 0, buf, sizeof buf);
    total += sizeof buf;
  }
  assert_true(total > 65535 && total <= 65535 + 16384);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR);
}

static void test_conn_hostile_D4_overrun_our_window(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.settings.initial_window_size = 1000;
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_D4_stream);
  c = client_cfg();
  c.connection_window = 65535;
  c.recv_mode = HYPER_H2_RECV_ACK; /* nothing acknowledged: no refill */
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_D4_conn);
}

static void scen_D5(h2h_raw *r) {
  uint32_t id = req(r, 0);
  static uint8_t buf[1000];
  assert_int_equal(hyper_h2_send_data(r->core.c, id, buf, 1000, 0), 0);
  assert_int_equal(
      h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 100), 0);
  /* 100 - 1000 = -900: nothing may be sent */
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, id), 0);
  assert_int_equal(hyper_h2_send_data(r->core.c, id, buf, 1, 0),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper_h2_send_data(r->core.c, id, NULL, 0, 0), 0);
  assert_int_equal(h2h_wu(r, id, 900), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, id), 0);
  assert_int_equal(h2h_wu(r, id, 100), 0);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, id), 100);
  assert_int_equal(hyper_h2_send_data(r->core.c, id, buf, 100, 1), 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_D5_negative_window(void **state) {
  (void)state;
  run(scen_D5);
}

static void scen_D6(h2h_raw *r) {
  assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
  uint32_t id = req(r, 0);
  h2h_raw_collect(r);
  size_t frames = r->nframes;
  for (int i = 0; i < 100; i++) {
    assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, id), 0);
    assert_int_equal(hyper_h2_send_data(r->core.c, id, (const uint8_t *)"x", 1,
                                        0),
                     HYPER_ERR_H2_FLOW_CONTROL);
  }
  h2h_raw_collect(r);
  assert_int_equal(r->nframes, frames); /* nothing queued: no spin */
  assert_false(hyper_h2_conn_wants_write(r->core.c));
}

static void test_conn_hostile_D6_zero_window_stall(void **state) {
  (void)state;
  run(scen_D6);
}

static void scen_D7(h2h_raw *r) {
  assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
  uint32_t id = req(r, 0);
  for (int i = 0; i < 50; i++)
    assert_int_equal(h2h_wu(r, id, 1), 0);
  /* each increment is reported; the window adds up (coalescing sends into
   * larger DATA frames is the sender's policy, see the report) */
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, id), 50);
  assert_true(h2h_ev_has(r, "WINDOW_UPDATED 1 +1\n"));
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_D7_window_dribble(void **state) {
  (void)state;
  run(scen_D7);
}

/* ---- E. Header blocks and HPACK ---------------------------------------------- */

static void scen_E1(h2h_raw *r) {
  uint32_t id = req(r, 1);
  uint8_t blk[1024];
  size_t n = h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
  assert_int_equal(h2h_raw_frame(r, T_HEADERS, 0, id, blk, n), 0);
  static uint8_t frag[16384];
  size_t len = g_variant == 0 ? 10 : sizeof frag;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_raw_frame(r, T_CONT, 0, id, frag, len);
  assert_true(i <= 9);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_E1_continuation_flood(void **state) {
  (void)state;
  g_variant = 0;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, 0, scen_E1);
  assert_true(peak < 128 * 1024);
  g_variant = 1; /* big fragments: the 2 x header list cap holds */
  peak = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, 0, scen_E1);
  assert_true(peak < 256 * 1024 + 64 * 1024);
}

static void scen_E2(h2h_raw *r) {
  uint32_t id = req(r, 1), id2 = req(r, 1);
  uint8_t blk[1024];
  size_t n = h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
  int rv;
  switch (g_variant) {
  case 0: /* after END_HEADERS */
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, F_EH, id, blk, n), 0);
    rv = h2h_raw_frame(r, T_CONT, F_EH, id, NULL, 0);
    break;
  case 1: /* on another stream */
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, 0, id, blk, n), 0);
    rv = h2h_raw_frame(r, T_CONT, F_EH, id2, NULL, 0);
    break;
  case 2: /* interleaved with DATA */
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, 0, id, blk, n), 0);
    rv = h2h_data(r, id2, 0, "x", 1);
    break;
  case 3: /* on stream 0 */
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, 0, id, blk, n), 0);
    rv = h2h_raw_frame(r, T_CONT, F_EH, 0, NULL, 0);
    break;
  case 4: /* interleaved with PING */
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, 0, id, blk, n), 0);
    rv = h2h_ping(r, 0, 1);
    break;
  default: /* with no block in progress at all */
    rv = h2h_raw_frame(r, T_CONT, F_EH, id, blk, n);
    break;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_E2_continuation_sequence(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 6; g_variant++)
    run(scen_E2);
}

/* :status 200, one 4000-octet entry added to the table, then referenced
 * |refs| times: ~57 MiB decoded from ~15 KB. */
static size_t bomb(uint8_t *out, size_t refs) {
  size_t n = 0;
  out[n++] = 0x88; /* :status 200 */
  out[n++] = 0x40; /* literal with incremental indexing, new name */
  out[n++] = 5;
  memcpy(out + n, "x-big", 5);
  n += 5;
  n += h2h_hpack_int(out + n, 0, 7, 4000);
  memset(out + n, 'b', 4000);
  n += 4000;
  for (size_t i = 0; i < refs; i++)
    out[n++] = 0xbe; /* indexed 62: the entry just added */
  return n;
}

static void scen_E3(h2h_raw *r) {
  static uint8_t blk[16384];
  int streams = g_variant == 0 ? 1 : 20;
  for (int s = 0; s < streams; s++) {
    uint32_t id = req(r, 1);
    size_t n = bomb(blk, 10000);
    if (s > 0) { /* the entry is already in the table: only references */
      n = 0;
      blk[n++] = 0x88;
      for (int i = 0; i < 12000; i++)
        blk[n++] = 0xbe;
    }
    int rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES, id, blk, n);
    h2h_expect_rst(r, rv, id, HYPER_H2_ENHANCE_YOUR_CALM);
  }
  assert_false(h2h_ev_has(r, "RESPONSE"));
  assert_true(h2h_ev_has(r, "STREAM_RESET 1 ENHANCE_YOUR_CALM local\n"));
  /* the HPACK context is still in step: a normal response decodes */
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, F_ES), 0);
  assert_true(h2h_ev_has(r, "RESPONSE"));
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_E3_hpack_bomb(void **state) {
  (void)state;
  g_variant = 0;
  size_t one = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, 0, scen_E3);
  assert_true(one < 512 * 1024);
}

static void test_conn_hostile_E4_http2_bomb(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.settings.initial_window_size = 0; /* and the flow window kept at 0 */
  g_variant = 1;
  size_t many = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_E3);
  /* header memory is per block, not per stream: 20 bombs cost one */
  assert_true(many < 512 * 1024);
}

static void scen_E5(h2h_raw *r) {
  uint32_t id = req(r, 1);
  uint8_t b[16];
  size_t n = 0;
  switch (g_variant) {
  case 0: /* above our SETTINGS_HEADER_TABLE_SIZE (4096) */
    n = h2h_hpack_int(b, 0x20, 5, 4097);
    b[n++] = 0x88;
    break;
  case 1: /* after a field */
    b[n++] = 0x88;
    b[n++] = 0x20;
    break;
  default: /* three in a row */
    b[n++] = 0x20;
    b[n++] = 0x20;
    b[n++] = 0x20;
    b[n++] = 0x88;
    break;
  }
  int rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES, id, b, n);
  assert_true(hyper_err_is_compression(rv));
  h2h_expect_goaway(r, rv, rv, HYPER_H2_COMPRESSION_ERROR);
}

static void test_conn_hostile_E5_table_size_abuse(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_E5);
}

static void scen_E6(h2h_raw *r) {
  uint32_t id = req(r, 1);
  static const struct {
    uint8_t len;
    uint8_t b[12];
  } cases[] = {
      {2, {0x88, 0x80}},                         /* index 0 */
      {2, {0x88, 0xbf}},                         /* past the table */
      {7, {0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}}, /* varint overflow */
      {7, {0x88, 0x00, 0x81, 'a', 0x84, 0xff, 0xff}},  /* Huffman EOS */
      {5, {0x88, 0x00, 0x0a, 'a', 'b'}},         /* length past the end */
  };
  int rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES, id, cases[g_variant].b,
                         cases[g_variant].len);
  assert_true(hyper_err_is_compression(rv));
  h2h_expect_goaway(r, rv, rv, HYPER_H2_COMPRESSION_ERROR);
}

static void test_conn_hostile_E6_hpack_bad_encodings(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 5; g_variant++)
    run(scen_E6);
}

static void scen_E7(h2h_raw *r) {
  static const char *const cases[][9] = {
      {"content-type", "x", NULL},
      {":status", "200", ":status", "200", NULL},
      {":status", "20", NULL},
      {":status", "2000", NULL},
      {":status", "abc", NULL},
      {":status", "200", ":method", "GET", NULL},
      {"x", "1", ":status", "200", NULL},
      {":status", "200", "Content-Type", "x", NULL},
      {":status", "200", "connection", "close", NULL},
      {":status", "200", "keep-alive", "1", NULL},
      {":status", "200", "transfer-encoding", "chunked", NULL},
      {":status", "200", "upgrade", "h2c", NULL},
      {":status", "200", "proxy-connection", "x", NULL},
      {":status", "200", "x", "a\rb", NULL},
      {":status", "200", "x", "a\nb", NULL},
      {":status", "200", "x", " lead", NULL},
      {":status", "200", "x", "trail ", NULL},
      {":status", "200", "", "empty-name", NULL},
      {":status", "101", NULL},
  };
  uint32_t id = req(r, 1);
  int rv;
  if (g_variant < (int)(sizeof cases / sizeof cases[0])) {
    rv = h2h_raw_headers(r, id, F_ES, cases[g_variant]);
  } else if (g_variant == (int)(sizeof cases / sizeof cases[0])) {
    /* NUL in a value (not expressible as a C string above) */
    uint8_t b[16] = {0x88, 0x00, 1, 'x', 3, 'a', 0, 'b'};
    rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES, id, b, 8);
  } else { /* content-length differs from the DATA total */
    const char *const cl[] = {":status", "200", "content-length", "10", NULL};
    assert_int_equal(h2h_raw_headers(r, id, 0, cl), 0);
    rv = h2h_data(r, id, F_ES, "12345", 5);
    h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
    assert_true(h2h_ev_has(r, "STREAM_RESET 1 PROTOCOL_ERROR local\n"));
    assert_false(h2h_ev_has(r, "STREAM_ENDED"));
    return;
  }
  h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
  assert_false(h2h_ev_has(r, "RESPONSE"));
  assert_int_equal(hyper_h2_conn_last_error(r->core.c)->stream_id, id);
  assert_int_equal(hyper_h2_conn_last_error(r->core.c)->code,
                   HYPER_ERR_H2_HEADER);
}

static void test_conn_hostile_E7_malformed_response(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 21; g_variant++)
    run(scen_E7);
}

static void scen_E8(h2h_raw *r) {
  uint32_t id = req(r, 1);
  char link[201];
  memset(link, 'l', 200);
  link[200] = 0;
  const char *const c103[] = {":status", "103", "link", link, NULL};
  int i;
  for (i = 0; i < 10000 && h2h_raw_rst(r, id) < 0; i++)
    assert_int_equal(h2h_raw_headers(r, id, 0, c103), 0);
  assert_true(i < 400); /* ~64 KiB of 1xx headers */
  h2h_expect_rst(r, 0, id, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_E8_1xx_flood(void **state) {
  (void)state;
  run(scen_E8);
}

/* ---- F. Server push ---------------------------------------------------------- */

static int promise(h2h_raw *r, uint32_t parent, uint32_t promised,
                   const char *const *nv) {
  uint8_t buf[16384];
  buf[0] = (uint8_t)(promised >> 24);
  buf[1] = (uint8_t)(promised >> 16);
  buf[2] = (uint8_t)(promised >> 8);
  buf[3] = (uint8_t)promised;
  size_t n = h2h_raw_block(r, nv, buf + 4, sizeof buf - 4);
  return h2h_raw_frame(r, T_PUSH, F_EH, parent, buf, 4 + n);
}

static const char *const push_req[] = {":method", "GET", ":scheme", "https",
                                       ":authority", "example.com", ":path",
                                       "/p", NULL};

static void scen_F1(h2h_raw *r) {
  uint32_t id = req(r, 1);
  int rv = promise(r, id, 2, push_req);
  if (g_variant == 0) { /* our ENABLE_PUSH=0 was acknowledged */
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
  } else { /* in flight: refuse the stream (§8.4) */
    h2h_expect_rst(r, rv, 2, HYPER_H2_REFUSED_STREAM);
    assert_false(h2h_ev_has(r, "PUSHED"));
    /* the pushed response crossing our RST_STREAM is dropped */
    assert_int_equal(resp(r, 2, 0), 0);
    assert_int_equal(h2h_data(r, 2, F_ES, "x", 1), 0);
    assert_int_equal(h2h_raw_goaway(r), -1);
  }
}

static void test_conn_hostile_F1_push_when_disabled(void **state) {
  (void)state;
  g_variant = 0;
  run(scen_F1);
  g_variant = 1;
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, H2H_NO_ACK, scen_F1);
}

static void scen_F2(h2h_raw *r) {
  uint32_t id = req(r, 1);
  int rv;
  switch (g_variant) {
  case 0: /* odd promised id */
    rv = promise(r, id, 3, push_req);
    break;
  case 1: /* a reused id */
    assert_int_equal(promise(r, id, 2, push_req), 0);
    rv = promise(r, id, 2, push_req);
    break;
  case 2: /* an id lower than one already used */
    assert_int_equal(promise(r, id, 4, push_req), 0);
    rv = promise(r, id, 2, push_req);
    break;
  default: /* promise on a pushed stream */
    assert_int_equal(promise(r, id, 2, push_req), 0);
    assert_int_equal(resp(r, 2, 0), 0);
    rv = promise(r, 2, 4, push_req);
    break;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_F2_bad_promise(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.settings.enable_push = 1;
  for (g_variant = 0; g_variant < 4; g_variant++)
    h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_F2);
}

static void scen_F3(h2h_raw *r) {
  uint32_t id = req(r, 0);
  if (g_variant == 0) {
    for (uint32_t i = 0; i < 101; i++)
      assert_int_equal(promise(r, id, 2 + 2 * i, push_req), 0);
    assert_true(h2h_ev_has(r, "PUSHED 200 parent=1"));
    assert_false(h2h_ev_has(r, "PUSHED 202"));
    h2h_expect_rst(r, 0, 202, HYPER_H2_REFUSED_STREAM);
  } else {
    /* a promised request of 2000 fields (> 64 KiB as a header list) */
    static const char *nv[4003];
    static char names[2000][8];
    int k = 0;
    for (int i = 0; i < 8; i++)
      nv[k++] = push_req[i];
    for (int i = 0; i < 1997; i++) {
      snprintf(names[i], sizeof names[i], "h%d", i);
      nv[k++] = names[i];
      nv[k++] = "v";
    }
    nv[k] = NULL;
    uint8_t *buf = malloc(65536);
    buf[0] = buf[1] = buf[2] = 0;
    buf[3] = 2;
    hyper_field *f = malloc(2001 * sizeof *f);
    size_t nf = h2h_fields(nv, f, 2001), len = 0;
    assert_int_equal(hyper_hpack_enc_encode(r->enc, f, nf, buf + 4, 65532,
                                            &len),
                     0);
    assert_true(4 + len <= 16384);
    int rv = h2h_raw_frame(r, T_PUSH, F_EH, id, buf, 4 + len);
    free(buf);
    free(f);
    h2h_expect_rst(r, rv, 2, HYPER_H2_ENHANCE_YOUR_CALM);
    assert_false(h2h_ev_has(r, "PUSHED"));
  }
}

static void test_conn_hostile_F3_push_flood(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.settings.enable_push = 1;
  for (g_variant = 0; g_variant < 2; g_variant++)
    h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_F3);
}

/* ---- G. What the core decides of lifecycle and timing ------------------------ */

static void scen_G2(h2h_raw *r) {
  uint32_t a = req(r, 1), b = req(r, 1), c = req(r, 1);
  uint8_t g[8] = {0, 0, 0, (uint8_t)a, 0, 0, 0, 0};
  assert_int_equal(h2h_raw_frame(r, T_GOAWAY, 0, 0, g, 8), 0);
  assert_true(h2h_ev_has(r, "TERMINATED 0 NO_ERROR last=1 debug=0\n"));
  /* streams 3 and 5 were not processed: closed, safe to retry */
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, b),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(hyper_h2_conn_local_flow_control_window(r->core.c, c),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(hyper_h2_conn_open_streams(r->core.c, 1), 1);
  hyper_field f[8];
  uint32_t id;
  assert_int_equal(hyper_h2_submit_request(r->core.c, f,
                                           h2h_fields(h2h_get_req, f, 8), 1,
                                           &id),
                   HYPER_ERR_H2_GOAWAY);
  /* G1: stream 1 still finishes */
  assert_int_equal(resp(r, a, F_ES), 0);
  assert_true(h2h_ev_has(r, "RESPONSE 1 ES"));
  assert_false(hyper_h2_conn_wants_read(r->core.c));
  /* G6: a second GOAWAY cannot raise the last stream id */
  uint8_t g2[8] = {0, 0, 0, 9, 0, 0, 0, 0};
  assert_int_equal(h2h_raw_frame(r, T_GOAWAY, 0, 0, g2, 8), 0);
  assert_true(h2h_ev_has(r, "STREAM_ENDED 1\n"
                        "TERMINATED 0 NO_ERROR last=1 debug=0\n"));
}

static void test_conn_hostile_G2_G6_goaway_unprocessed_and_increase(
    void **state) {
  (void)state;
  run(scen_G2);
}

static void scen_G3(h2h_raw *r) {
  uint32_t id = req(r, 1);
  assert_int_equal(resp(r, id, 0), 0);
  assert_int_equal(h2h_data(r, id, 0, "part", 4), 0);
  uint8_t g[12] = {0, 0, 0, 1, 0, 0, 0, 2, 'b', 'y', 'e', '!'};
  assert_int_equal(h2h_raw_frame(r, T_GOAWAY, 0, 0, g, 12), 0);
  /* the stream never looks complete */
  assert_false(h2h_ev_has(r, "STREAM_ENDED 1"));
  assert_true(h2h_ev_has(r, "TERMINATED 0 INTERNAL_ERROR last=1 debug=4\n"));
}

static void test_conn_hostile_G3_goaway_then_close(void **state) {
  (void)state;
  run(scen_G3);
}

static void scen_G9(h2h_raw *r) {
  r->no_collect = 1;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_ping(r, 0, (uint8_t)i);
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_G9_ping_flood(void **state) {
  (void)state;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_CLIENT, NULL, 0, scen_G9);
  assert_true(peak < 256 * 1024); /* bounded ACK queue */
}

static void scen_G11(h2h_raw *r) {
  assert_int_equal(h2h_ping(r, F_ACK, 0x42), 0);
  assert_false(h2h_ev_has(r, "PING_ACK"));
  const uint8_t op[8] = {7, 0, 0, 0, 0, 0, 0, 7};
  assert_int_equal(hyper_h2_ping(r->core.c, op), 0);
  assert_int_equal(h2h_ping(r, F_ACK, 7), 0);
  assert_true(h2h_ev_has(r, "PING_ACK 0 0707\n"));
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_G11_bogus_ping_ack(void **state) {
  (void)state;
  run(scen_G11);
}

/* ---- J. Core robustness ------------------------------------------------------- */

/* J3: acting on the connection while draining events. */
static void reenter(h2h_side *s, const hyper_h2_event *ev, void *user) {
  (void)user;
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  uint32_t id;
  if (ev->type == HYPER_H2_EV_RESPONSE_RECEIVED && ev->stream_id == 1) {
    assert_int_equal(hyper_h2_submit_request(s->c, f, n, 1, &id), 0);
    assert_int_equal(hyper_h2_reset_stream(s->c, 1, HYPER_H2_CANCEL), 0);
  }
  if (ev->type == HYPER_H2_EV_RESPONSE_RECEIVED && ev->stream_id == 5)
    assert_int_equal(hyper_h2_close(s->c, HYPER_H2_CANCEL,
                                    HYPER_H2_LAST_STREAM_AUTO, NULL, 0),
                     0);
}

static void scen_J3(h2h_raw *r) {
  r->core.on_event = reenter;
  req(r, 0);
  req(r, 1);
  assert_int_equal(resp(r, 1, 0), 0);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_rst(r, 1), HYPER_H2_CANCEL);
  assert_int_equal(h2h_raw_count(r, T_HEADERS), 3); /* 1, 3 and 5 */
  assert_int_equal(resp(r, 5, F_ES), 0);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_goaway(r), HYPER_H2_CANCEL);
  /* after our close with an error, input is discarded */
  assert_int_equal(resp(r, 3, F_ES), 0);
  assert_false(h2h_ev_has(r, "RESPONSE 3"));
}

static void test_conn_hostile_J3_reentrancy(void **state) {
  (void)state;
  run(scen_J3);
}

static void scen_J5(h2h_raw *r) {
  /* requests with bad WINDOW_UPDATEs: each makes us queue an RST_STREAM */
  r->no_collect = 1;
  int rv = 0, i;
  for (i = 0; i < 1000 && rv == 0; i++) {
    hyper_field f[8];
    uint32_t id;
    rv = hyper_h2_submit_request(r->core.c, f, h2h_fields(h2h_get_req, f, 8),
                                 0, &id);
    if (rv == HYPER_ERR_LIMIT_EXCEEDED)
      rv = 0;
    else
      assert_int_equal(rv, 0);
    rv = h2h_wu(r, id, 0);
  }
  assert_true(i <= 51);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_J5_outbound_never_drained(void **state) {
  (void)state;
  hyper_h2_config c = client_cfg();
  c.max_outbound_frames = 50;
  c.glitch_burst = 0; /* isolate the queue limit */
  h2h_run_scenario(HYPER_H2_ROLE_CLIENT, &c, 0, scen_J5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_hostile_A1_bad_preface),
      cmocka_unit_test(test_conn_hostile_A2_no_settings),
      cmocka_unit_test(test_conn_hostile_A2_acked_settings_never_time_out),
      cmocka_unit_test(test_conn_hostile_A3_settings_malformed),
      cmocka_unit_test(test_conn_hostile_A4_settings_values),
      cmocka_unit_test(test_conn_hostile_A5_settings_flood),
      cmocka_unit_test(test_conn_hostile_A6_huge_table),
      cmocka_unit_test(test_conn_hostile_A7_zero_concurrency),
      cmocka_unit_test(test_conn_hostile_A8_unknown_settings_frames_flags),
      cmocka_unit_test(test_conn_hostile_B1_oversize_frame),
      cmocka_unit_test(test_conn_hostile_B2_fixed_length_violations),
      cmocka_unit_test(test_conn_hostile_B3_bad_padding),
      cmocka_unit_test(test_conn_hostile_B4_wrong_stream_0),
      cmocka_unit_test(test_conn_hostile_B5_empty_frames_flood),
      cmocka_unit_test(test_conn_hostile_C1_frame_on_idle),
      cmocka_unit_test(test_conn_hostile_C2_unpromised_even_stream),
      cmocka_unit_test(test_conn_hostile_C3_frame_after_end),
      cmocka_unit_test(test_conn_hostile_C4_frames_after_our_rst),
      cmocka_unit_test(test_conn_hostile_C5_data_before_headers_etc),
      cmocka_unit_test(test_conn_hostile_C6_reset_everything),
      cmocka_unit_test(test_conn_hostile_C7_http11_required),
      cmocka_unit_test(test_conn_hostile_C8_rst_no_error_after_response),
      cmocka_unit_test(test_conn_hostile_D1_conn_window_overflow),
      cmocka_unit_test(test_conn_hostile_D2_stream_window_overflow),
      cmocka_unit_test(test_conn_hostile_D3_zero_increment),
      cmocka_unit_test(test_conn_hostile_D4_overrun_our_window),
      cmocka_unit_test(test_conn_hostile_D5_negative_window),
      cmocka_unit_test(test_conn_hostile_D6_zero_window_stall),
      cmocka_unit_test(test_conn_hostile_D7_window_dribble),
      cmocka_unit_test(test_conn_hostile_E1_continuation_flood),
      cmocka_unit_test(test_conn_hostile_E2_continuation_sequence),
      cmocka_unit_test(test_conn_hostile_E3_hpack_bomb),
      cmocka_unit_test(test_conn_hostile_E4_http2_bomb),
      cmocka_unit_test(test_conn_hostile_E5_table_size_abuse),
      cmocka_unit_test(test_conn_hostile_E6_hpack_bad_encodings),
      cmocka_unit_test(test_conn_hostile_E7_malformed_response),
      cmocka_unit_test(test_conn_hostile_E8_1xx_flood),
      cmocka_unit_test(test_conn_hostile_F1_push_when_disabled),
      cmocka_unit_test(test_conn_hostile_F2_bad_promise),
      cmocka_unit_test(test_conn_hostile_F3_push_flood),
      cmocka_unit_test(test_conn_hostile_G2_G6_goaway_unprocessed_and_increase),
      cmocka_unit_test(test_conn_hostile_G3_goaway_then_close),
      cmocka_unit_test(test_conn_hostile_G9_ping_flood),
      cmocka_unit_test(test_conn_hostile_G11_bogus_ping_ack),
      cmocka_unit_test(test_conn_hostile_J3_reentrancy),
      cmocka_unit_test(test_conn_hostile_J5_outbound_never_drained),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
