/* Hostile clients against the server core: the "Server role" list of
 * ../shared/HOSTILE-PEERS.md (rapid reset, MadeYouReset, CONTINUATION
 * flood, HPACK bomb, SETTINGS/PING floods, dribble and zero window, empty
 * frames, zero-length names, ids going backwards, slow headers) plus the
 * server-side rules of RFC 9113 §5.1.1, §5.1.2, §5.3.1, §6.8, §8.3.1 and
 * RFC 9218 §7.1. Same runner as the client suite: each scenario whole, byte
 * by byte and in random chunks, with leak and memory checks. */
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

static const char *const post_req[] = {
    ":method", "POST", ":scheme", "https", ":authority", "example.com",
    ":path", "/", "content-length", "1", NULL};

static int open_stream(h2h_raw *r, uint32_t id, uint8_t flags) {
  return h2h_raw_headers(r, id, flags, h2h_get_req);
}

static void run(h2h_scen_fn fn) {
  h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, fn);
}

static hyper_h2_config server_cfg(void) {
  hyper_h2_config c;
  hyper_h2_config_init(&c, HYPER_H2_ROLE_SERVER);
  return c;
}

static void scen_basic(h2h_raw *r) {
  assert_int_equal(open_stream(r, 1, F_ES), 0);
  assert_true(h2h_ev_has(r, "REQUEST 1 ES :method=GET :scheme=https "
                        ":authority=example.com :path=/\nSTREAM_ENDED 1\n"));
  hyper_field f[4];
  assert_int_equal(hyper_h2_submit_response(r->core.c, 1, f,
                                            h2h_fields(h2h_resp_200, f, 4), 0),
                   0);
  assert_int_equal(hyper_h2_send_data(r->core.c, 1, (const uint8_t *)"hi", 2,
                                      1),
                   0);
  h2h_raw_collect(r);
  assert_true(h2h_log_has(&r->out, "HEADERS 1 :status=200\nDATA 1 len=2 ES\n"));
}

static void test_conn_hostile_server_basic_exchange(void **state) {
  (void)state;
  run(scen_basic);
}

static void scen_A1(h2h_raw *r) {
  int rv;
  if (g_variant == 0) {
    rv = h2h_raw_send(r, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
  } else {
    assert_int_equal(h2h_raw_send(r, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24), 0);
    rv = h2h_ping(r, 0, 1);
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_server_A1_bad_preface(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, H2H_NO_HANDSHAKE, scen_A1);
}

/* Rapid Reset (CVE-2023-44487): open and cancel, as fast as possible. */
static void scen_rapid_reset(h2h_raw *r) {
  int rv = 0, i;
  uint64_t now = 0;
  for (i = 0; i < 3000 && rv == 0; i++) {
    if (g_variant) { /* 31 ms apart: below 33/s, never limited */
      now += 31;
      assert_int_equal(hyper_h2_conn_set_time(r->core.c, now), 0);
    }
    rv = open_stream(r, 1 + 2 * (uint32_t)i, F_ES);
    if (rv == 0)
      rv = h2h_rst(r, 1 + 2 * (uint32_t)i, HYPER_H2_CANCEL);
  }
  if (g_variant) {
    assert_int_equal(rv, 0);
    assert_int_equal(h2h_raw_goaway(r), -1);
  } else {
    assert_true(i <= 1001);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  }
}

static void test_conn_hostile_server_rapid_reset(void **state) {
  (void)state;
  hyper_h2_config c = server_cfg();
  c.settings_timeout_ms = 0;
  for (g_variant = 0; g_variant < 2; g_variant++) {
    size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, &c, 0, scen_rapid_reset);
    assert_true(peak < 512 * 1024); /* closed streams are forgotten */
  }
}

/* MadeYouReset (CVE-2025-8671): frames that make *us* reset a stream. Each
 * stream error we send costs the peer glitch budget. */
static void scen_made_you_reset(h2h_raw *r) {
  static uint8_t two[2] = {'a', 'b'};
  uint8_t prio4[4] = {0, 0, 0, 0};
  int rv = 0, i;
  for (i = 0; i < 10000 && rv == 0; i++) {
    uint32_t id = 1 + 2 * (uint32_t)i;
    switch (g_variant) {
    case 0: /* WINDOW_UPDATE of 0 on the stream */
      rv = open_stream(r, id, 0);
      if (!rv)
        rv = h2h_wu(r, id, 0);
      break;
    case 1: /* stream window overflow */
      rv = open_stream(r, id, 0);
      if (!rv)
        rv = h2h_wu(r, id, 0x7fffffffu);
      break;
    case 2: /* HEADERS on half-closed (remote) */
      rv = open_stream(r, id, F_ES);
      if (!rv)
        rv = open_stream(r, id, F_ES);
      break;
    case 3: /* DATA on half-closed (remote) */
      rv = open_stream(r, id, F_ES);
      if (!rv)
        rv = h2h_data(r, id, 0, two, 2);
      break;
    case 4: /* PRIORITY of the wrong size */
      rv = open_stream(r, id, 0);
      if (!rv)
        rv = h2h_raw_frame(r, T_PRIORITY, 0, id, prio4, 4);
      break;
    case 5: /* DATA beyond content-length */
      rv = h2h_raw_headers(r, id, 0, post_req);
      if (!rv)
        rv = h2h_data(r, id, 0, two, 2);
      break;
    default: { /* a malformed request */
      const char *const bad[] = {":method", "GET", ":path", "/", NULL};
      rv = h2h_raw_headers(r, id, F_ES, bad);
      break;
    }
    }
  }
  assert_true(i <= 1001);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_RST) >= 999);
}

static void test_conn_hostile_server_made_you_reset(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 7; g_variant++) {
    size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0,
                               scen_made_you_reset);
    assert_true(peak < 512 * 1024);
  }
}

static void scen_continuation_flood(h2h_raw *r) {
  uint8_t blk[1024];
  size_t n = h2h_raw_block(r, h2h_get_req, blk, sizeof blk);
  assert_int_equal(h2h_raw_frame(r, T_HEADERS, F_ES, 1, blk, n), 0);
  static uint8_t frag[16384];
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_raw_frame(r, T_CONT, 0, 1, frag, g_variant ? sizeof frag : 1);
  assert_true(i <= 9);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_false(h2h_ev_has(r, "REQUEST"));
}

static void test_conn_hostile_server_continuation_flood(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++) {
    size_t peak =
        h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_continuation_flood);
    assert_true(peak < 320 * 1024);
  }
}

static void scen_hpack_bomb(h2h_raw *r) {
  static uint8_t blk[16384];
  for (uint32_t s = 0; s < (g_variant ? 30u : 1u); s++) {
    size_t n = 0;
    blk[n++] = 0x82; /* :method GET */
    blk[n++] = 0x87; /* :scheme https */
    blk[n++] = 0x84; /* :path / */
    blk[n++] = 0x41; /* :authority, literal with indexing */
    blk[n++] = 1;
    blk[n++] = 'a';
    if (s == 0) {
      blk[n++] = 0x40;
      blk[n++] = 5;
      memcpy(blk + n, "x-big", 5);
      n += 5;
      n += h2h_hpack_int(blk + n, 0, 7, 4000);
      memset(blk + n, 'b', 4000);
      n += 4000;
    }
    /* the 4000-octet entry is at index 63 after :authority was added */
    for (int i = 0; i < 10000; i++)
      blk[n++] = s == 0 ? 0xbe : 0xbf;
    int rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES, 1 + 2 * s, blk, n);
    h2h_expect_rst(r, rv, 1 + 2 * s, HYPER_H2_ENHANCE_YOUR_CALM);
  }
  assert_false(h2h_ev_has(r, "REQUEST"));
  /* still in step */
  assert_int_equal(open_stream(r, 101, F_ES), 0);
  assert_true(h2h_ev_has(r, "REQUEST 101 ES"));
}

static void test_conn_hostile_server_hpack_bomb(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++) {
    size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_hpack_bomb);
    assert_true(peak < 512 * 1024); /* measured, not RSS, but the same */
  }
}

static void scen_settings_ping_flood(h2h_raw *r) {
  r->no_collect = 1;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = g_variant ? h2h_ping(r, 0, (uint8_t)i)
                   : h2h_raw_frame(r, T_SETTINGS, 0, 0, NULL, 0);
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_server_settings_and_ping_floods(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++) {
    size_t peak =
        h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_settings_ping_flood);
    assert_true(peak < 256 * 1024);
  }
}

static void scen_dribble(h2h_raw *r) {
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "a", ":path", "/", NULL};
  assert_int_equal(h2h_raw_headers(r, 1, 0, req), 0);
  for (int i = 0; i < 3000; i++)
    assert_int_equal(h2h_data(r, 1, 0, "x", 1), 0);
  assert_int_equal(h2h_data(r, 1, F_ES, "x", 1), 0);
  assert_int_equal(r->core.data_bytes, 3001);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_server_data_dribble(void **state) {
  (void)state;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_dribble);
  assert_true(peak < 128 * 1024); /* nothing accumulates per frame */
  hyper_h2_config c = server_cfg();
  c.recv_mode = HYPER_H2_RECV_ACK;
  peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, &c, 0, scen_dribble);
  assert_true(peak < 128 * 1024);
}

/* CVE-2019-9517 shape: the client never opens a window for our response. */
static void scen_zero_window(h2h_raw *r) {
  assert_int_equal(h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
  for (uint32_t id = 1; id <= 21; id += 2)
    assert_int_equal(open_stream(r, id, F_ES), 0);
  hyper_field f[4];
  size_t n = h2h_fields(h2h_resp_200, f, 4);
  static uint8_t body[1000];
  for (uint32_t id = 1; id <= 21; id += 2) {
    assert_int_equal(hyper_h2_submit_response(r->core.c, id, f, n, 0), 0);
    assert_int_equal(hyper_h2_send_data(r->core.c, id, body, 1, 0),
                     HYPER_ERR_H2_FLOW_CONTROL);
  }
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_count(r, T_DATA), 0);
  assert_false(hyper_h2_conn_wants_write(r->core.c));
}

static void test_conn_hostile_server_zero_window(void **state) {
  (void)state;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_zero_window);
  assert_true(peak < 128 * 1024);
}

static void scen_empty_frames(h2h_raw *r) {
  const char *const req[] = {":method", "POST", ":scheme", "https",
                             ":authority", "a", ":path", "/", NULL};
  assert_int_equal(h2h_raw_headers(r, 1, 0, req), 0);
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_data(r, 1, 0, NULL, 0);
  assert_true(i <= 1001);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_conn_hostile_server_empty_frames(void **state) {
  (void)state;
  run(scen_empty_frames);
}

static void scen_zero_length_name(h2h_raw *r) {
  const char *const req[] = {":method", "GET", ":scheme", "https",
                             ":authority", "a", ":path", "/", "", "v", NULL};
  int rv = h2h_raw_headers(r, 1, F_ES, req);
  h2h_expect_rst(r, rv, 1, HYPER_H2_PROTOCOL_ERROR);
  assert_false(h2h_ev_has(r, "REQUEST"));
}

static void test_conn_hostile_server_zero_length_header_name(void **state) {
  (void)state;
  run(scen_zero_length_name);
}

static void scen_ids_backwards(h2h_raw *r) {
  int rv;
  if (g_variant == 0) { /* h2spec http2/5.1.1/2 */
    assert_int_equal(open_stream(r, 5, F_ES), 0);
    rv = open_stream(r, 3, F_ES);
  } else if (g_variant == 1) { /* h2spec http2/5.1.1/1: even id */
    rv = open_stream(r, 2, F_ES);
  } else { /* reusing a closed stream's id */
    assert_int_equal(open_stream(r, 1, F_ES), 0);
    assert_int_equal(h2h_rst(r, 1, HYPER_H2_CANCEL), 0);
    rv = open_stream(r, 1, F_ES);
    h2h_expect_rst(r, rv, 1, HYPER_H2_STREAM_CLOSED);
    return;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_server_stream_id_backwards(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_ids_backwards);
}

/* Slow-loris request headers: the frame arrives in pieces; nothing is
 * delivered (or allocated per piece) until it is whole. The deadline is
 * the driver's (the core has no clock). */
static void scen_slowloris(h2h_raw *r) {
  uint8_t blk[1024], fr[160];
  size_t n = h2h_raw_block(r, h2h_get_req, blk, sizeof blk);
  int w = hyper_h2_frame_pack_raw(fr, sizeof fr, T_HEADERS, F_EH | F_ES, 1,
                                  blk, n);
  assert_true(w > 1);
  for (int i = 0; i < w - 1; i++)
    assert_int_equal(h2h_raw_send(r, fr + i, 1), 0);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_int_equal(h2h_raw_send(r, fr + w - 1, 1), 0);
  assert_true(h2h_ev_has(r, "REQUEST 1 ES"));
}

static void test_conn_hostile_server_slowloris_headers(void **state) {
  (void)state;
  size_t peak = h2h_run_scenario(HYPER_H2_ROLE_SERVER, NULL, 0, scen_slowloris);
  assert_true(peak < 128 * 1024);
}

static void scen_concurrency(h2h_raw *r) {
  for (uint32_t i = 0; i < 100; i++)
    assert_int_equal(open_stream(r, 1 + 2 * i, 0), 0);
  assert_int_equal(hyper_h2_conn_open_streams(r->core.c, 0), 100);
  int rv = open_stream(r, 201, 0); /* §5.1.2 */
  h2h_expect_rst(r, rv, 201, HYPER_H2_REFUSED_STREAM);
  assert_false(h2h_ev_has(r, "REQUEST 201"));
  /* the refused stream's body is dropped quietly */
  assert_int_equal(h2h_data(r, 201, F_ES, "x", 1), 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_server_concurrent_streams_cap(void **state) {
  (void)state;
  run(scen_concurrency);
}

static void scen_push_from_client(h2h_raw *r) {
  assert_int_equal(open_stream(r, 1, 0), 0);
  uint8_t p[8] = {0, 0, 0, 2, 0x82, 0x87, 0x84, 0x41};
  int rv = h2h_raw_frame(r, T_PUSH, F_EH, 1, p, 4);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_server_push_promise_from_client(void **state) {
  (void)state;
  run(scen_push_from_client);
}

static void scen_priority_update(h2h_raw *r) {
  uint8_t p[16] = {0, 0, 0, 1, 'u', '=', '0', ',', ' ', 'i'};
  int rv;
  switch (g_variant) {
  case 0: /* before the stream opens: fine (RFC 9218 §7.1) */
    assert_int_equal(h2h_raw_frame(r, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, p,
                                   10),
                     0);
    assert_true(h2h_ev_has(r, "PRIORITY_UPDATED 1 u=0 i=1\n"));
    assert_int_equal(open_stream(r, 1, F_ES), 0);
    p[3] = 3;
    p[6] = '9'; /* out of range: the default */
    assert_int_equal(h2h_raw_frame(r, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, p,
                                   10),
                     0);
    assert_true(h2h_ev_has(r, "PRIORITY_UPDATED 3 u=3 i=1\n"));
    return;
  case 1: /* an idle push stream */
    p[3] = 2;
    rv = h2h_raw_frame(r, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, p, 10);
    break;
  default: /* beyond the stream limit */
    p[1] = 1;
    rv = h2h_raw_frame(r, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, p, 10);
    break;
  }
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_server_priority_update(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    run(scen_priority_update);
}

static void scen_self_dependency(h2h_raw *r) {
  int rv;
  if (g_variant == 0) {
    assert_int_equal(open_stream(r, 1, 0), 0);
    uint8_t p[5] = {0, 0, 0, 1, 16};
    rv = h2h_raw_frame(r, T_PRIORITY, 0, 1, p, 5);
    h2h_expect_rst(r, rv, 1, HYPER_H2_PROTOCOL_ERROR);
  } else {
    uint8_t blk[1024], pl[140] = {0, 0, 0, 1, 16};
    size_t n = h2h_raw_block(r, h2h_get_req, blk, sizeof blk);
    memcpy(pl + 5, blk, n);
    rv = h2h_raw_frame(r, T_HEADERS, F_EH | F_ES | HYPER_H2_FLAG_PRIORITY, 1,
                       pl, 5 + n);
    h2h_expect_rst(r, rv, 1, HYPER_H2_PROTOCOL_ERROR);
    assert_false(h2h_ev_has(r, "REQUEST"));
  }
  /* PRIORITY on idle and closed streams is accepted and ignored */
  uint8_t q[5] = {0, 0, 0, 0, 16};
  assert_int_equal(h2h_raw_frame(r, T_PRIORITY, 0, 9, q, 5), 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void scen_bad_priority_on_idle(h2h_raw *r) {
  uint8_t q[5] = {0, 0, 0, 9, 16};
  int rv = h2h_raw_frame(r, T_PRIORITY, 0, 9, q, g_variant ? 5 : 4);
  /* nothing to reset on an idle stream: escalated (§5.4.1) */
  h2h_expect_goaway(r, rv, g_variant ? HYPER_ERR_H2_PROTOCOL
                                 : HYPER_ERR_H2_FRAME_SIZE,
                g_variant ? HYPER_H2_PROTOCOL_ERROR
                          : HYPER_H2_FRAME_SIZE_ERROR);
}

static void test_conn_hostile_server_self_dependency(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    run(scen_self_dependency);
  for (g_variant = 0; g_variant < 2; g_variant++)
    run(scen_bad_priority_on_idle);
}

static void scen_goaway_ignores_new(h2h_raw *r) {
  assert_int_equal(open_stream(r, 1, 0), 0);
  assert_int_equal(hyper_h2_close(r->core.c, HYPER_H2_NO_ERROR,
                                  HYPER_H2_LAST_STREAM_AUTO, NULL, 0),
                   0);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_goaway(r), HYPER_H2_NO_ERROR);
  assert_int_equal(h2h_raw_last(r, T_GOAWAY)->value, 1);
  /* §6.8: streams above the last id are ignored */
  assert_int_equal(open_stream(r, 3, 0), 0);
  assert_int_equal(h2h_data(r, 3, F_ES, "x", 1), 0);
  assert_false(h2h_ev_has(r, "REQUEST 3"));
  assert_int_equal(h2h_raw_count(r, T_RST), 0);
  /* stream 1 completes */
  assert_int_equal(h2h_data(r, 1, F_ES, "y", 1), 0);
  assert_true(h2h_ev_has(r, "DATA 1 len=1 flow=1 ES\nSTREAM_ENDED 1\n"));
  hyper_field f[4];
  assert_int_equal(hyper_h2_submit_response(r->core.c, 1, f,
                                            h2h_fields(h2h_resp_200, f, 4), 1),
                   0);
  assert_false(hyper_h2_conn_wants_read(r->core.c));
  /* the last id may only go down */
  assert_int_equal(hyper_h2_close(r->core.c, HYPER_H2_NO_ERROR, 5, NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_conn_hostile_server_goaway_ignores_new_streams(void **state) {
  (void)state;
  run(scen_goaway_ignores_new);
}

static void scen_request_rules(h2h_raw *r) {
  static const char *const cases[][13] = {
      {":method", "GET", ":scheme", "https", ":authority", "a", NULL},
      {":method", "GET", ":path", "/", ":authority", "a", NULL},
      {":method", "CONNECT", ":scheme", "https", ":path", "/",
       ":authority", "a:443", NULL},
      {":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/",
       "te", "gzip", NULL},
      {":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/",
       ":status", "200", NULL},
      {":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
       ":path", "/chat", ":authority", "a", NULL},
  };
  int rv = h2h_raw_headers(r, 1, F_ES, cases[g_variant]);
  h2h_expect_rst(r, rv, 1, HYPER_H2_PROTOCOL_ERROR);
  assert_false(h2h_ev_has(r, "REQUEST"));
}

static void scen_ext_connect(h2h_raw *r) {
  const char *const req[] = {":method", "CONNECT", ":protocol", "websocket",
                             ":scheme", "https", ":path", "/chat",
                             ":authority", "a", NULL};
  assert_int_equal(h2h_raw_headers(r, 1, 0, req), 0);
  assert_true(h2h_ev_has(r, "REQUEST 1 :method=CONNECT :protocol=websocket"));
  /* no content-length rule on a tunnel */
  assert_int_equal(h2h_data(r, 1, 0, "frame", 5), 0);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_conn_hostile_server_request_rules(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 6; g_variant++)
    run(scen_request_rules);
  hyper_h2_config c = server_cfg();
  c.settings.enable_connect_protocol = 1; /* RFC 8441 */
  h2h_run_scenario(HYPER_H2_ROLE_SERVER, &c, 0, scen_ext_connect);
}

static void scen_request_body_trailers(h2h_raw *r) {
  assert_int_equal(h2h_raw_headers(r, 1, 0, post_req), 0);
  assert_int_equal(h2h_data(r, 1, 0, "z", 1), 0);
  const char *const tr[] = {"x-sum", "1", NULL};
  assert_int_equal(h2h_raw_headers(r, 1, F_ES, tr), 0);
  assert_true(h2h_ev_has(r, "DATA 1 len=1 flow=1\nTRAILERS 1 ES x-sum=1\n"
                        "STREAM_ENDED 1\n"));
  /* content-length 1, body of 0: END_STREAM on the headers fails */
  assert_int_equal(h2h_raw_headers(r, 3, F_ES, post_req), 0);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_rst(r, 3), HYPER_H2_PROTOCOL_ERROR);
}

static void test_conn_hostile_server_request_body_and_trailers(void **state) {
  (void)state;
  run(scen_request_body_trailers);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conn_hostile_server_basic_exchange),
      cmocka_unit_test(test_conn_hostile_server_A1_bad_preface),
      cmocka_unit_test(test_conn_hostile_server_rapid_reset),
      cmocka_unit_test(test_conn_hostile_server_made_you_reset),
      cmocka_unit_test(test_conn_hostile_server_continuation_flood),
      cmocka_unit_test(test_conn_hostile_server_hpack_bomb),
      cmocka_unit_test(test_conn_hostile_server_settings_and_ping_floods),
      cmocka_unit_test(test_conn_hostile_server_data_dribble),
      cmocka_unit_test(test_conn_hostile_server_zero_window),
      cmocka_unit_test(test_conn_hostile_server_empty_frames),
      cmocka_unit_test(test_conn_hostile_server_zero_length_header_name),
      cmocka_unit_test(test_conn_hostile_server_stream_id_backwards),
      cmocka_unit_test(test_conn_hostile_server_slowloris_headers),
      cmocka_unit_test(test_conn_hostile_server_concurrent_streams_cap),
      cmocka_unit_test(test_conn_hostile_server_push_promise_from_client),
      cmocka_unit_test(test_conn_hostile_server_priority_update),
      cmocka_unit_test(test_conn_hostile_server_self_dependency),
      cmocka_unit_test(test_conn_hostile_server_goaway_ignores_new_streams),
      cmocka_unit_test(test_conn_hostile_server_request_rules),
      cmocka_unit_test(test_conn_hostile_server_request_body_and_trailers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
