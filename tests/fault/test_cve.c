/* CVE regressions: one named test per advisory, in the exact shape of the
 * attack, for the client role and, where the attack applies, the server
 * role. Each test asserts
 *   - the exact library error and GOAWAY / RST_STREAM code,
 *   - the memory the core used, measured with the counting allocator of
 *     tests/support/failmem (peak bytes; printed), against a fixed bound,
 *   - that nothing is processed after a terminal error (h2h_expect_goaway
 *     feeds a PING after it: no frame, no event, the same sticky error),
 *   - no leak (the runner frees the core and checks live blocks == 0),
 * and runs every scenario whole, byte by byte and in random chunks with
 * identical results (h2h_run_scenario, tests/unit/h2/h2_harness.c).
 *
 * The HTTP/1.1 cases (curl CVE-2023-38039) drive the sans-IO response
 * parser with the same allocator. See tests/fault/README.md for the map
 * from advisories and HOSTILE-PEERS ids to these tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../unit/h2/h2_harness.h"
#include "failmem.h"
#include "hyper/h1.h"
#include "hyper/hpack.h"

static int g_variant;
static hyper_h2_role g_role;

#define KIB 1024u

/* Prints the measured peak and fails above |limit|. */
static void peak_le(const char *what, size_t peak, size_t limit) {
  print_message("  %-44s peak %7zu bytes (limit %zu)\n", what, peak, limit);
  if (peak > limit)
    fail_msg("%s: peak %zu bytes > %zu", what, peak, limit);
}

static size_t run_role(hyper_h2_role role, const hyper_h2_config *cfg,
                       h2h_scen_fn fn) {
  g_role = role;
  return h2h_run_scenario(role, cfg, 0, fn);
}

static hyper_h2_config cfg_of(hyper_h2_role role) {
  hyper_h2_config c;
  hyper_h2_config_init(&c, role);
  return c;
}

static int is_server(const h2h_raw *r) {
  return r->role == HYPER_H2_ROLE_SERVER;
}

/* Client role: submits a GET (|es|: without a body). */
static uint32_t req(h2h_raw *r, int es) {
  hyper_field f[8];
  size_t n = h2h_fields(h2h_get_req, f, 8);
  uint32_t id = 0;
  assert_int_equal(hyper_h2_submit_request(r->core.c, f, n, es, &id), 0);
  h2h_raw_collect(r);
  return id;
}

/* Server role: the peer opens stream |id| with a GET. */
static int open_stream(h2h_raw *r, uint32_t id, uint8_t flags) {
  return h2h_raw_headers(r, id, flags, h2h_get_req);
}

/* Opens stream number |i| (0-based) whatever the role, with END_STREAM
 * from the requester when |es|. Client role: the core requests and the
 * peer answers with a 200 head (no END_STREAM); server role: the peer
 * requests and the core answers with a 200 head. Returns the id. */
static uint32_t stream(h2h_raw *r, uint32_t i, int es) {
  hyper_field f[4];
  if (is_server(r)) {
    uint32_t id = 1 + 2 * i;
    assert_int_equal(open_stream(r, id, es ? F_ES : 0), 0);
    assert_int_equal(hyper_h2_submit_response(r->core.c, id, f,
                                              h2h_fields(h2h_resp_200, f, 4),
                                              0),
                     0);
    h2h_raw_collect(r);
    return id;
  }
  uint32_t id = req(r, es);
  assert_int_equal(h2h_raw_headers(r, id, 0, h2h_resp_200), 0);
  return id;
}

/* The core sends as much of a body on |id| as the windows allow. */
static size_t send_what_fits(h2h_raw *r, uint32_t id) {
  static const uint8_t body[16384];
  int64_t w = hyper_h2_conn_local_flow_control_window(r->core.c, id);
  if (w <= 0)
    return 0;
  size_t n = (size_t)w;
  if (n > hyper_h2_conn_max_outbound_frame_size(r->core.c))
    n = hyper_h2_conn_max_outbound_frame_size(r->core.c);
  if (n > sizeof body)
    n = sizeof body;
  assert_int_equal(hyper_h2_send_data(r->core.c, id, body, n, 0), 0);
  return n;
}

/* Sum of the DATA payload octets the core sent (frame lengths; no padding
 * is ever added by the core). */
static size_t data_out(const h2h_raw *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nframes; i++)
    if (r->frames[i].type == T_DATA)
      n += r->frames[i].len;
  return n;
}

/* An HPACK block: :status 200 (client role) or a GET (server role), then
 * |fields| distinct never-indexed literal fields "x-<i>: <vlen x 'v'>". */
static size_t literal_block(const h2h_raw *r, uint8_t *out, size_t cap,
                            unsigned fields, size_t vlen) {
  size_t n = 0;
  if (is_server(r)) {
    out[n++] = 0x82; /* :method GET */
    out[n++] = 0x87; /* :scheme https */
    out[n++] = 0x84; /* :path / */
    out[n++] = 0x01; /* :authority, literal without indexing */
    out[n++] = 1;
    out[n++] = 'a';
  } else {
    out[n++] = 0x88; /* :status 200 */
  }
  for (unsigned i = 0; i < fields; i++) {
    char name[16];
    int nl = snprintf(name, sizeof name, "x-%u", i);
    assert_true(n + 4 + (size_t)nl + 4 + vlen <= cap);
    out[n++] = 0x10; /* literal never indexed, new name (RFC 7541 §6.2.3) */
    out[n++] = (uint8_t)nl;
    memcpy(out + n, name, (size_t)nl);
    n += (size_t)nl;
    n += h2h_hpack_int(out + n, 0, 7, (uint32_t)vlen);
    memset(out + n, 'v', vlen);
    n += vlen;
  }
  return n;
}

/* Sends |blk| as HEADERS (+ CONTINUATIONs of at most 16384 octets) on
 * |id| with END_HEADERS on the last frame. Returns the core's error. */
static int send_block(h2h_raw *r, uint32_t id, uint8_t flags,
                      const uint8_t *blk, size_t n) {
  size_t first = n < 16384 ? n : 16384;
  int rv = h2h_raw_frame(r, T_HEADERS,
                         (uint8_t)(flags | (first == n ? F_EH : 0)), id, blk,
                         first);
  for (size_t off = first; off < n && rv == 0;) {
    size_t k = n - off < 16384 ? n - off : 16384;
    rv = h2h_raw_frame(r, T_CONT, off + k == n ? F_EH : 0, id, blk + off, k);
    off += k;
  }
  return rv;
}

/* After a stream error the connection still works: a fresh stream
 * completes. */
static void still_works(h2h_raw *r, uint32_t i) {
  if (is_server(r)) {
    uint32_t id = 1 + 2 * i;
    assert_int_equal(open_stream(r, id, F_ES), 0);
    char want[32];
    snprintf(want, sizeof want, "REQUEST %u ES", id);
    assert_true(h2h_ev_has(r, want));
  } else {
    uint32_t id = req(r, 1);
    assert_int_equal(h2h_raw_headers(r, id, F_ES, h2h_resp_200), 0);
    char want[32];
    snprintf(want, sizeof want, "RESPONSE %u ES", id);
    assert_true(h2h_ev_has(r, want));
  }
  assert_int_equal(h2h_raw_goaway(r), -1);
}

/* ===== CVE-2019-9511 "Data Dribble" ===================================== */
/* The peer asks for data on many streams and opens the windows one octet
 * at a time without reading, so that a naive sender queues 1-octet DATA
 * frames without bound. The core never queues beyond the windows: what it
 * holds is bounded by what the peer granted. Variant 1, the reverse: the
 * peer sends its body as 1-octet DATA frames; nothing accumulates per
 * frame and no WINDOW_UPDATE storm answers it. */
static void scen_9511(h2h_raw *r) {
  if (g_variant == 0) {
    assert_int_equal(
        h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
    uint32_t ids[10];
    for (uint32_t i = 0; i < 10; i++)
      ids[i] = is_server(r) ? stream(r, i, 1) : req(r, 0);
    r->no_collect = 1; /* the attacker does not read */
    size_t sent = 0, granted = 0;
    for (int round = 0; round < 300; round++)
      for (int i = 0; i < 10; i++) {
        assert_int_equal(h2h_wu(r, ids[i], 1), 0);
        granted++;
        sent += send_what_fits(r, ids[i]);
      }
    r->no_collect = 0;
    h2h_raw_collect(r);
    assert_int_equal(sent, granted);
    assert_int_equal(data_out(r), granted); /* never past the windows */
    assert_int_equal(h2h_raw_goaway(r), -1);
  } else {
    uint32_t id;
    if (is_server(r)) {
      const char *const post[] = {":method", "POST", ":scheme", "https",
                                  ":authority", "a", ":path", "/", NULL};
      id = 1;
      assert_int_equal(h2h_raw_headers(r, id, 0, post), 0);
    } else {
      id = stream(r, 0, 1);
    }
    for (int i = 0; i < 5000; i++)
      assert_int_equal(h2h_data(r, id, 0, "x", 1), 0);
    assert_int_equal(h2h_data(r, id, F_ES, "x", 1), 0);
    assert_int_equal(r->core.data_bytes, 5001);
    assert_true(h2h_raw_count(r, T_WU) <= 4); /* no 9511 in reverse */
    assert_int_equal(h2h_raw_goaway(r), -1);
  }
}

static void test_cve_2019_9511_data_dribble_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le(g_variant ? "9511 client, 1-octet DATA in" : "9511 client, 1-octet windows",
            run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9511), 128 * KIB);
}

static void test_cve_2019_9511_data_dribble_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le(g_variant ? "9511 server, 1-octet DATA in" : "9511 server, 1-octet windows",
            run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9511), 128 * KIB);
}

/* ===== CVE-2019-9512 "Ping Flood" ======================================= */
/* 10^5 PINGs while never reading the ACKs: the ACK queue is bounded
 * (max_pending_acks 1000), then GOAWAY(ENHANCE_YOUR_CALM). */
static void scen_9512(h2h_raw *r) {
  r->no_collect = 1;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_ping(r, 0, (uint8_t)i);
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_PING) >= 999); /* answered within budget */
}

static void test_cve_2019_9512_ping_flood_client(void **state) {
  (void)state;
  peak_le("9512 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9512),
          128 * KIB);
}

static void test_cve_2019_9512_ping_flood_server(void **state) {
  (void)state;
  peak_le("9512 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9512),
          128 * KIB);
}

/* ===== CVE-2019-9513 "Resource Loop" ==================================== */
/* The peer churns the RFC 7540 priority tree: PRIORITY frames re-parenting
 * open streams (exclusive and not) and creating idle streams by the
 * thousand. hyper keeps no tree (RFC 9113 §5.3.2 deprecates it): every
 * frame costs O(1), no memory, no output. */
static void scen_9513(h2h_raw *r) {
  uint32_t ids[5];
  for (uint32_t i = 0; i < 5; i++)
    ids[i] = stream(r, i, 0);
  h2h_raw_collect(r);
  size_t frames = r->nframes, live = r->fm.live_bytes;
  clock_t t0 = clock();
  for (uint32_t i = 0; i < 6000; i++) {
    uint32_t sid = (i & 1) ? ids[i % 5] : 1001 + 2 * i; /* open or idle */
    uint32_t dep = (i & 2) ? ids[(i + 1) % 5] : 1001 + 2 * (i + 1);
    uint8_t p[5] = {(uint8_t)((dep >> 24) | ((i & 4) ? 0x80 : 0)),
                    (uint8_t)(dep >> 16), (uint8_t)(dep >> 8), (uint8_t)dep,
                    (uint8_t)i};
    assert_int_equal(h2h_raw_frame(r, T_PRIORITY, 0, sid, p, 5), 0);
  }
  double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
  assert_true(cpu < 10.0); /* generous: no loop per frame */
  assert_int_equal(r->nframes, frames);    /* nothing sent back */
  /* nothing kept per frame: 6000 frames, at most one small amortised
   * growth (64 octets measured in the client role) */
  assert_true(r->fm.live_bytes <= live + 1024);
  still_works(r, 5);
}

static void test_cve_2019_9513_resource_loop_client(void **state) {
  (void)state;
  peak_le("9513 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9513),
          128 * KIB);
}

static void test_cve_2019_9513_resource_loop_server(void **state) {
  (void)state;
  peak_le("9513 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9513),
          128 * KIB);
}

/* ===== CVE-2019-9514 "Reset Flood" ====================================== */
/* The peer provokes a RST_STREAM per stream (an invalid request or
 * response head) and does not read them: each reset is a glitch, so the
 * flood ends with GOAWAY(ENHANCE_YOUR_CALM) before 1001 resets, with the
 * queue bounded. */
static void scen_9514(h2h_raw *r) {
  r->no_collect = 1;
  int rv = 0, i;
  const char *const bad_req[] = {":method", "GET", ":path", "/", NULL};
  const char *const bad_resp[] = {":status", "200", "X-Upper", "1", NULL};
  for (i = 0; i < 10000 && rv == 0; i++) {
    if (is_server(r)) {
      rv = h2h_raw_headers(r, 1 + 2 * (uint32_t)i, F_ES, bad_req);
    } else {
      hyper_field f[8];
      uint32_t id;
      rv = hyper_h2_submit_request(r->core.c, f,
                                   h2h_fields(h2h_get_req, f, 8), 1, &id);
      assert_int_equal(rv, 0);
      rv = h2h_raw_headers(r, id, 0, bad_resp);
    }
  }
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_RST) >= 999);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_false(h2h_ev_has(r, "RESPONSE"));
}

static void test_cve_2019_9514_reset_flood_client(void **state) {
  (void)state;
  peak_le("9514 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9514),
          256 * KIB);
}

static void test_cve_2019_9514_reset_flood_server(void **state) {
  (void)state;
  peak_le("9514 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9514),
          256 * KIB);
}

/* ===== CVE-2019-9515 "Settings Flood" =================================== */
/* SETTINGS frames (empty, or one entry each) without reading the ACKs. */
static void scen_9515(h2h_raw *r) {
  r->no_collect = 1;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = g_variant ? h2h_settings1(r, HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS,
                                   100 + (uint32_t)(i & 1))
                   : h2h_raw_frame(r, T_SETTINGS, 0, 0, NULL, 0);
  assert_true(i <= 1001);
  r->no_collect = 0;
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_SETTINGS) >= 999);
}

static void test_cve_2019_9515_settings_flood_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("9515 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9515),
            128 * KIB);
}

static void test_cve_2019_9515_settings_flood_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("9515 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9515),
            128 * KIB);
}

/* ===== CVE-2019-9516 "0-Length Headers Leak" ============================ */
/* Header fields with an empty name (and value), stream after stream: each
 * is malformed (RST_STREAM(PROTOCOL_ERROR), §8.2.1) and leaves nothing
 * behind: live memory after 600 streams equals live memory after 300. */
static void scen_9516(h2h_raw *r) {
  const char *const req_nv[] = {":method", "GET", ":scheme", "https",
                                ":authority", "a", ":path", "/", "", "",
                                NULL};
  const char *const resp_nv[] = {":status", "200", "", "", NULL};
  size_t live300 = 0;
  for (uint32_t i = 0; i < 600; i++) {
    uint32_t id;
    int rv;
    if (is_server(r)) {
      id = 1 + 2 * i;
      rv = h2h_raw_headers(r, id, F_ES, req_nv);
    } else {
      id = req(r, 1);
      rv = h2h_raw_headers(r, id, F_ES, resp_nv);
    }
    h2h_expect_rst(r, rv, id, HYPER_H2_PROTOCOL_ERROR);
    if (i == 299)
      live300 = r->fm.live_bytes;
  }
  assert_true(r->fm.live_bytes <= live300);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_false(h2h_ev_has(r, "RESPONSE"));
  still_works(r, 600);
}

static void test_cve_2019_9516_zero_length_headers_leak_client(void **state) {
  (void)state;
  peak_le("9516 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9516),
          256 * KIB);
}

static void test_cve_2019_9516_zero_length_headers_leak_server(void **state) {
  (void)state;
  peak_le("9516 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9516),
          256 * KIB);
}

/* ===== CVE-2019-9517 "Internal Data Buffering" ========================== */
/* The peer closes its window (INITIAL_WINDOW_SIZE 0), asks for data on
 * 100 streams and does not read: the core refuses DATA it cannot send
 * (HYPER_ERR_H2_FLOW_CONTROL, nothing queued) and only the heads wait.
 * Variant 1, inbound: with ACK-mode receive and nothing acknowledged, a
 * peer that sends past our window is a FLOW_CONTROL_ERROR, so what we hold
 * is bounded by the window we granted. */
static void scen_9517(h2h_raw *r) {
  if (g_variant == 0) {
    assert_int_equal(
        h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
    r->no_collect = 1;
    static const uint8_t body[16384];
    for (uint32_t i = 0; i < 100; i++) {
      uint32_t id = is_server(r) ? stream(r, i, 1) : req(r, 0);
      assert_int_equal(hyper_h2_send_data(r->core.c, id, body, sizeof body, 0),
                       HYPER_ERR_H2_FLOW_CONTROL);
    }
    r->no_collect = 0;
    h2h_raw_collect(r);
    assert_int_equal(h2h_raw_count(r, T_DATA), 0);
    assert_int_equal(h2h_raw_goaway(r), -1);
  } else {
    uint32_t id;
    if (is_server(r)) {
      const char *const post[] = {":method", "POST", ":scheme", "https",
                                  ":authority", "a", ":path", "/", NULL};
      id = 1;
      assert_int_equal(h2h_raw_headers(r, id, 0, post), 0);
    } else {
      id = stream(r, 0, 1);
    }
    static const uint8_t chunk[16384];
    int rv = 0, i;
    for (i = 0; i < 100 && rv == 0; i++)
      rv = h2h_data(r, id, 0, chunk, sizeof chunk);
    assert_true(i <= 5); /* 65535 octets granted */
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOW_CONTROL,
                      HYPER_H2_FLOW_CONTROL_ERROR);
  }
}

static void cfg_9517(hyper_h2_config *c) {
  c->recv_mode = HYPER_H2_RECV_ACK;
  c->connection_window = 65535;           /* the connection runs out */
  c->settings.initial_window_size = 1u << 20; /* before the stream */
}

static void test_cve_2019_9517_internal_data_buffering_client(void **state) {
  (void)state;
  hyper_h2_config c = cfg_of(HYPER_H2_ROLE_CLIENT);
  g_variant = 0;
  peak_le("9517 client, 100 stalled uploads",
          run_role(HYPER_H2_ROLE_CLIENT, &c, scen_9517), 256 * KIB);
  cfg_9517(&c);
  g_variant = 1;
  peak_le("9517 client, unread data",
          run_role(HYPER_H2_ROLE_CLIENT, &c, scen_9517), 128 * KIB);
}

static void test_cve_2019_9517_internal_data_buffering_server(void **state) {
  (void)state;
  hyper_h2_config c = cfg_of(HYPER_H2_ROLE_SERVER);
  g_variant = 0;
  peak_le("9517 server, 100 stalled responses",
          run_role(HYPER_H2_ROLE_SERVER, &c, scen_9517), 256 * KIB);
  cfg_9517(&c);
  g_variant = 1;
  peak_le("9517 server, unread data",
          run_role(HYPER_H2_ROLE_SERVER, &c, scen_9517), 128 * KIB);
}

/* ===== CVE-2019-9518 "Empty Frames Flood" =============================== */
/* Frames with empty payloads and no flags that end anything: DATA without
 * END_STREAM (variant 0), unknown frame types (1), and a header block of
 * empty CONTINUATION frames that never ends (2). */
static void scen_9518(h2h_raw *r) {
  uint32_t id;
  if (is_server(r)) {
    const char *const post[] = {":method", "POST", ":scheme", "https",
                                ":authority", "a", ":path", "/", NULL};
    id = 1;
    if (g_variant != 2)
      assert_int_equal(h2h_raw_headers(r, id, 0, post), 0);
  } else {
    id = g_variant == 2 ? req(r, 1) : stream(r, 0, 1);
  }
  int rv = 0, i;
  if (g_variant == 2) {
    uint8_t blk[1024];
    size_t n = is_server(r) ? h2h_raw_block(r, h2h_get_req, blk, sizeof blk)
                            : h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, F_ES, id, blk, n), 0);
  }
  for (i = 0; i < 100000 && rv == 0; i++) {
    if (g_variant == 0)
      rv = h2h_data(r, id, 0, NULL, 0);
    else if (g_variant == 1)
      rv = h2h_raw_frame(r, 0x42, 0, id, NULL, 0);
    else
      rv = h2h_raw_frame(r, T_CONT, 0, id, NULL, 0);
  }
  assert_true(i <= (g_variant == 2 ? 9 : 1001));
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_int_equal(r->core.data_bytes, 0);
}

static void test_cve_2019_9518_empty_frames_flood_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    peak_le("9518 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_9518),
            128 * KIB);
}

static void test_cve_2019_9518_empty_frames_flood_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    peak_le("9518 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_9518),
            128 * KIB);
}

/* ===== CVE-2023-44487 "Rapid Reset" ===================================== */
/* Server role: HEADERS then RST_STREAM(CANCEL), as fast as possible; the
 * RST bucket (burst 1000) ends it with GOAWAY(ENHANCE_YOUR_CALM), with no
 * request processed past the limit. Client role (the mirror image): a
 * server that cancels every request at once cannot make the client keep
 * state: 3000 cancelled streams cost what one does. */
static void scen_44487(h2h_raw *r) {
  if (is_server(r)) {
    int rv = 0, i;
    for (i = 0; i < 100000 && rv == 0; i++) {
      rv = open_stream(r, 1 + 2 * (uint32_t)i, F_ES);
      if (rv == 0)
        rv = h2h_rst(r, 1 + 2 * (uint32_t)i, HYPER_H2_CANCEL);
    }
    assert_true(i <= 1001);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
    char past[32];
    snprintf(past, sizeof past, "REQUEST %u ", 1 + 2 * (unsigned)i);
    assert_false(h2h_ev_has(r, past));
  } else {
    size_t live500 = 0;
    for (int i = 0; i < 3000; i++) {
      uint32_t id = req(r, 1);
      assert_int_equal(h2h_rst(r, id, HYPER_H2_CANCEL), 0);
      if (i == 499)
        live500 = r->fm.live_bytes;
    }
    assert_true(r->fm.live_bytes <= live500);
    assert_int_equal(hyper_h2_conn_open_streams(r->core.c, 1), 0);
    still_works(r, 0);
  }
}

static void test_cve_2023_44487_rapid_reset_server(void **state) {
  (void)state;
  hyper_h2_config c = cfg_of(HYPER_H2_ROLE_SERVER);
  c.settings_timeout_ms = 0;
  peak_le("44487 server", run_role(HYPER_H2_ROLE_SERVER, &c, scen_44487),
          256 * KIB);
}

static void test_cve_2023_44487_rapid_reset_client(void **state) {
  (void)state;
  peak_le("44487 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_44487),
          256 * KIB);
}

/* ===== CVE-2024-27316 and the CONTINUATION-flood family ================= */
/* HEADERS without END_HEADERS, then CONTINUATION frames forever: tiny ones
 * (variant 0, the frame count cap: 8), full 16 KiB ones (1, the block byte
 * cap: 2 x max_header_list_size), and ones carrying a string literal that
 * announces 1 MiB and never ends (2, CVE-2024-28182 style: no decoding of
 * an unbounded literal). Nothing is delivered; memory stays at the cap. */
static void scen_27316(h2h_raw *r) {
  uint32_t id = is_server(r) ? 1 : req(r, 1);
  static uint8_t frag[16384];
  uint8_t blk[1024];
  size_t n = is_server(r) ? h2h_raw_block(r, h2h_get_req, blk, sizeof blk)
                          : h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
  if (g_variant == 2) { /* a literal of 1 MiB announced, 8 octets sent */
    blk[n++] = 0x10;
    blk[n++] = 1;
    blk[n++] = 'x';
    n += h2h_hpack_int(blk + n, 0, 7, 1u << 20);
    memset(blk + n, 'v', 8);
    n += 8;
    memset(frag, 'v', sizeof frag);
  }
  assert_int_equal(h2h_raw_frame(r, T_HEADERS, F_ES, id, blk, n), 0);
  size_t len = g_variant == 0 ? 1 : sizeof frag;
  int rv = 0, i;
  for (i = 0; i < 100000 && rv == 0; i++)
    rv = h2h_raw_frame(r, T_CONT, 0, id, frag, len);
  assert_true(i <= 9);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_false(h2h_ev_has(r, "RESPONSE"));
}

static void test_cve_2024_27316_continuation_flood_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    peak_le("27316 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_27316),
            320 * KIB);
}

static void test_cve_2024_27316_continuation_flood_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 3; g_variant++)
    peak_le("27316 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_27316),
            320 * KIB);
}

/* ===== CVE-2016-6581 "HPACK Bomb" ======================================= */
/* One 4000-octet entry added to the dynamic table, then referenced 15,000
 * times: ~18 KB on the wire, ~57 MiB decoded. The decoder stops at the
 * header list cap before copying (RST_STREAM(ENHANCE_YOUR_CALM), a stream
 * error: the HPACK context stays in step and the connection works). */
static size_t bomb(const h2h_raw *r, uint8_t *out, size_t refs) {
  size_t n = 0;
  uint8_t idx;
  if (is_server(r)) {
    out[n++] = 0x82;
    out[n++] = 0x87;
    out[n++] = 0x84;
    out[n++] = 0x01; /* :authority a, not indexed */
    out[n++] = 1;
    out[n++] = 'a';
  } else {
    out[n++] = 0x88;
  }
  idx = 0xbe; /* index 62: the entry added below */
  out[n++] = 0x40;
  out[n++] = 5;
  memcpy(out + n, "x-big", 5);
  n += 5;
  n += h2h_hpack_int(out + n, 0, 7, 4000);
  memset(out + n, 'b', 4000);
  n += 4000;
  for (size_t i = 0; i < refs; i++)
    out[n++] = idx;
  return n;
}

static void scen_6581(h2h_raw *r) {
  static uint8_t blk[4100 + 15000];
  uint32_t id = is_server(r) ? 1 : req(r, 1);
  size_t n = bomb(r, blk, 15000);
  int rv = send_block(r, id, F_ES, blk, n);
  h2h_expect_rst(r, rv, id, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_false(h2h_ev_has(r, "RESPONSE"));
  still_works(r, 1);
}

static void test_cve_2016_6581_hpack_bomb_client(void **state) {
  (void)state;
  peak_le("6581 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_6581),
          320 * KIB);
}

static void test_cve_2016_6581_hpack_bomb_server(void **state) {
  (void)state;
  peak_le("6581 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_6581),
          320 * KIB);
}

/* The same bomb straight into the HPACK decoder (python-hyper/hpack's
 * case): HYPER_ERR_HPACK_HEADER_LIST, memory bounded, no leak. */
static void test_cve_2016_6581_hpack_bomb_decoder(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec *dec;
  assert_int_equal(hyper_hpack_dec_new(&dec, NULL, &fm.mem), 0);
  static uint8_t blk[4100 + 15000];
  h2h_raw fake;
  memset(&fake, 0, sizeof fake);
  fake.role = HYPER_H2_ROLE_CLIENT;
  size_t n = bomb(&fake, blk, 15000);
  const hyper_field *f;
  size_t nf;
  assert_int_equal(hyper_hpack_dec_decode(dec, blk, n, &f, &nf),
                   HYPER_ERR_HPACK_HEADER_LIST);
  peak_le("6581 decoder", fm.peak_bytes, 128 * KIB);
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
}

/* ===== CVE-2016-1544 (nghttp2: unbounded header field memory) =========== */
/* Many distinct literal fields (900 x ~110 octets: ~128 KiB decoded, over
 * the 64 KiB list cap) spread over HEADERS + CONTINUATION frames, every
 * field new so no table reference shrinks it. The list is refused at the
 * cap, nothing is buffered per field. */
static void scen_1544(h2h_raw *r) {
  static uint8_t blk[128 * 1024];
  uint32_t id = is_server(r) ? 1 : req(r, 1);
  size_t n = literal_block(r, blk, sizeof blk, 900, 100);
  assert_true(n > 16384 && n < 2 * 65536); /* over 1 frame, under the block cap */
  int rv = send_block(r, id, F_ES, blk, n);
  h2h_expect_rst(r, rv, id, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_false(h2h_ev_has(r, "REQUEST"));
  assert_false(h2h_ev_has(r, "RESPONSE"));
  still_works(r, 1);
}

static void test_cve_2016_1544_header_memory_client(void **state) {
  (void)state;
  peak_le("1544 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_1544),
          384 * KIB);
}

static void test_cve_2016_1544_header_memory_server(void **state) {
  (void)state;
  peak_le("1544 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_1544),
          384 * KIB);
}

/* ===== CVE-2020-11080 (nghttp2: huge SETTINGS) ========================== */
/* One SETTINGS frame of 2,730 entries (16,380 octets), which cost nghttp2
 * quadratic CPU: refused at once (more than 32 entries) with
 * GOAWAY(ENHANCE_YOUR_CALM). Variant 1: a flood of SETTINGS frames of 32
 * entries each, ACKs unread: bounded like 9515. */
static void scen_11080(h2h_raw *r) {
  if (g_variant == 0) {
    size_t ne = 2730;
    uint8_t *p = calloc(ne, 6);
    assert_non_null(p);
    for (size_t i = 0; i < ne; i++) {
      p[6 * i + 1] = (uint8_t)(1 + i % 6); /* every known setting */
      if (1 + i % 6 != HYPER_H2_SETTINGS_ENABLE_PUSH)
        p[6 * i + 4] = 0x40; /* 16384: valid for the others */
    }
    clock_t t0 = clock();
    int rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, p, 6 * ne);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    free(p);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  } else {
    uint8_t p[32 * 6];
    memset(p, 0, sizeof p);
    for (size_t i = 0; i < 32; i++) {
      p[6 * i + 1] = HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS;
      p[6 * i + 5] = (uint8_t)i;
    }
    r->no_collect = 1;
    int rv = 0, i;
    for (i = 0; i < 100000 && rv == 0; i++)
      rv = h2h_raw_frame(r, T_SETTINGS, 0, 0, p, sizeof p);
    assert_true(i <= 1001);
    r->no_collect = 0;
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  }
}

static void test_cve_2020_11080_huge_settings_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("11080 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_11080),
            128 * KIB);
}

static void test_cve_2020_11080_huge_settings_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("11080 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_11080),
            128 * KIB);
}

/* ===== CVE-2025-8671 "MadeYouReset" ===================================== */
/* Frames that make *us* reset the stream (the six primitives of the
 * advisory, plus a malformed head), repeated 10^4 times: each such reset
 * is a glitch, so the attack ends with GOAWAY(ENHANCE_YOUR_CALM) before
 * 1001 of them. */
static int made_you_reset(h2h_raw *r, uint32_t i) {
  static const uint8_t two[2] = {'a', 'b'};
  const uint8_t prio4[4] = {0, 0, 0, 0};
  int rv;
  uint32_t id;
  if (is_server(r)) {
    id = 1 + 2 * i;
    const char *const post[] = {":method", "POST", ":scheme", "https",
                                ":authority", "a", ":path", "/",
                                "content-length", "1", NULL};
    int es = g_variant == 2 || g_variant == 3;
    rv = g_variant == 5 ? h2h_raw_headers(r, id, 0, post)
                        : open_stream(r, id, es ? F_ES : 0);
  } else {
    /* a request still uploading: window updates matter and a response
     * with END_STREAM leaves the stream half-closed (remote) */
    id = req(r, 0);
    const char *const cl[] = {":status", "200", "content-length", "1", NULL};
    int es = g_variant == 2 || g_variant == 3;
    rv = h2h_raw_headers(r, id, es ? F_ES : 0,
                         g_variant == 5 ? cl : h2h_resp_200);
  }
  if (rv)
    return rv;
  switch (g_variant) {
  case 0: /* WINDOW_UPDATE of 0 on the stream */
    return h2h_wu(r, id, 0);
  case 1: /* stream window overflow */
    return h2h_wu(r, id, 0x7fffffffu);
  case 2: /* HEADERS on half-closed (remote) */
    return is_server(r) ? open_stream(r, id, F_ES)
                        : h2h_raw_headers(r, id, F_ES, h2h_resp_200);
  case 3: /* DATA on half-closed (remote) */
    return h2h_data(r, id, 0, two, 2);
  case 4: /* PRIORITY of the wrong size */
    return h2h_raw_frame(r, T_PRIORITY, 0, id, prio4, 4);
  default: /* DATA beyond content-length */
    return h2h_data(r, id, 0, two, 2);
  }
}

static void scen_8671(h2h_raw *r) {
  int rv = 0, i;
  for (i = 0; i < 10000 && rv == 0; i++)
    rv = made_you_reset(r, (uint32_t)i);
  if (i > 1001)
    fail_msg("variant %d: %d streams reset without a GOAWAY", g_variant, i);
  h2h_expect_goaway(r, rv, HYPER_ERR_H2_FLOOD, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_true(h2h_raw_count(r, T_RST) >= 999);
}

static void test_cve_2025_8671_made_you_reset_client(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 6; g_variant++)
    peak_le("8671 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_8671),
            256 * KIB);
}

static void test_cve_2025_8671_made_you_reset_server(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 6; g_variant++)
    peak_le("8671 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_8671),
            256 * KIB);
}

/* ===== CVE-2026-27135 (nghttp2: processing after a terminal error) ====== */
/* One read holds a frame that is a connection error followed by frames
 * that would otherwise produce events and output (a head, DATA, a PING):
 * none of them is processed (variant 0). Variant 1: the application
 * terminates the connection (GOAWAY with an error) and more input comes:
 * it is not processed either, and the API refuses new work. */
static void scen_27135(h2h_raw *r) {
  uint32_t id = is_server(r) ? 0 : req(r, 0);
  uint8_t buf[512];
  size_t n = 0;
  uint8_t blk[1024];
  size_t bl;
  if (g_variant == 0) {
    static const uint8_t bad_ping[7] = {0};
    int w = hyper_h2_frame_pack_raw(buf + n, sizeof buf - n, T_PING, 0, 0,
                                    bad_ping, 7); /* FRAME_SIZE_ERROR */
    assert_true(w > 0);
    n += (size_t)w;
  }
  bl = is_server(r) ? h2h_raw_block(r, h2h_get_req, blk, sizeof blk)
                    : h2h_raw_block(r, h2h_resp_200, blk, sizeof blk);
  uint32_t sid = is_server(r) ? 1 : id;
  int w = hyper_h2_frame_pack_raw(buf + n, sizeof buf - n, T_HEADERS, F_EH,
                                  sid, blk, bl);
  assert_true(w > 0);
  n += (size_t)w;
  w = hyper_h2_frame_pack_raw(buf + n, sizeof buf - n, T_DATA, F_ES, sid,
                              (const uint8_t *)"late", 4);
  assert_true(w > 0);
  n += (size_t)w;
  static const uint8_t op[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  w = hyper_h2_frame_pack_raw(buf + n, sizeof buf - n, T_PING, 0, 0, op, 8);
  assert_true(w > 0);
  n += (size_t)w;

  if (g_variant == 0) {
    unsigned long events = r->core.nevents;
    int rv = h2h_raw_send(r, buf, n);
    assert_int_equal(r->core.nevents, events);
    h2h_expect_goaway(r, rv, HYPER_ERR_H2_FRAME_SIZE,
                      HYPER_H2_FRAME_SIZE_ERROR);
  } else {
    assert_int_equal(hyper_h2_close(r->core.c, HYPER_H2_INTERNAL_ERROR,
                                    HYPER_H2_LAST_STREAM_AUTO, NULL, 0),
                     0);
    h2h_raw_collect(r);
    assert_int_equal(h2h_raw_goaway(r), HYPER_H2_INTERNAL_ERROR);
    size_t frames = r->nframes;
    unsigned long events = r->core.nevents;
    (void)h2h_raw_send(r, buf, n);
    assert_int_equal(r->nframes, frames);       /* no PING ACK, no RST */
    assert_int_equal(r->core.nevents, events);  /* no head, no DATA */
    assert_false(hyper_h2_conn_wants_read(r->core.c));
    hyper_field f[8];
    uint32_t nid;
    if (is_server(r))
      assert_true(hyper_h2_submit_response(r->core.c, 1, f,
                                           h2h_fields(h2h_resp_200, f, 8),
                                           1) < 0);
    else
      assert_true(hyper_h2_submit_request(r->core.c, f,
                                          h2h_fields(h2h_get_req, f, 8), 1,
                                          &nid) < 0);
    assert_true(hyper_h2_ping(r->core.c, op) < 0);
    h2h_raw_collect(r);
    assert_int_equal(r->nframes, frames);
  }
  assert_false(h2h_ev_has(r, "late"));
  assert_false(h2h_ev_has(r, "DATA"));
  assert_false(h2h_ev_has(r, "PING"));
}

static void test_cve_2026_27135_processing_after_terminal_error_client(
    void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("27135 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_27135),
            128 * KIB);
}

static void test_cve_2026_27135_processing_after_terminal_error_server(
    void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("27135 server", run_role(HYPER_H2_ROLE_SERVER, NULL, scen_27135),
            128 * KIB);
}

/* ===== "HTTP/2 Bomb" (2026, CVE-2026-49975 and kin) ===================== */
/* Header blocks that each stay *under* the list cap (15 references to a
 * 4000-octet entry: ~60 KB decoded from ~4 KB, then ~15 octets per
 * stream) on 100 concurrent streams whose responses cannot flow (the
 * peer's window is 0 / ours is 0). A server that keeps each stream's
 * decoded headers until it answers holds 6 MB; the core hands each list
 * to the application and keeps nothing per stream, so the connection's
 * header memory stays that of one block. */
static void scen_bomb2026(h2h_raw *r) {
  static uint8_t blk[8192];
  if (is_server(r))
    assert_int_equal(
        h2h_settings1(r, HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0), 0);
  for (uint32_t s = 0; s < 100; s++) {
    uint32_t id = is_server(r) ? 1 + 2 * s : req(r, 1);
    size_t n;
    if (s == 0) {
      n = bomb(r, blk, 14);
    } else { /* the entry is in the table: references only */
      (void)bomb(r, blk, 0);
      n = is_server(r) ? 6 : 1; /* keep the pseudo-fields only */
      for (int i = 0; i < 15; i++)
        blk[n++] = 0xbe;
    }
    assert_int_equal(h2h_raw_frame(r, T_HEADERS, F_EH, id, blk, n), 0);
    char want[32];
    snprintf(want, sizeof want, is_server(r) ? "REQUEST %u " : "RESPONSE %u ",
             id);
    assert_true(h2h_ev_has(r, want));
  }
  assert_int_equal(hyper_h2_conn_open_streams(r->core.c, !is_server(r)) +
                       hyper_h2_conn_open_streams(r->core.c, is_server(r)),
                   100);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

static void test_cve_2026_http2_bomb_client(void **state) {
  (void)state;
  hyper_h2_config c = cfg_of(HYPER_H2_ROLE_CLIENT);
  c.settings.initial_window_size = 0; /* bodies cannot flow */
  peak_le("HTTP/2 Bomb client, 100 stalled streams",
          run_role(HYPER_H2_ROLE_CLIENT, &c, scen_bomb2026), 512 * KIB);
}

static void test_cve_2026_http2_bomb_server(void **state) {
  (void)state;
  peak_le("HTTP/2 Bomb server, 100 stalled streams",
          run_role(HYPER_H2_ROLE_SERVER, NULL, scen_bomb2026), 512 * KIB);
}

/* ===== curl CVE-2023-38039: unbounded response headers ================== */
/* HTTP/2 (client role): a head of ~1,100 distinct fields (~150 KB) over
 * HEADERS + CONTINUATION, and the same as trailers after a normal head:
 * refused at the cap (RST_STREAM(ENHANCE_YOUR_CALM)), the request fails
 * (no RESPONSE / no TRAILERS, never STREAM_ENDED). */
static void scen_38039(h2h_raw *r) {
  static uint8_t blk[128 * 1024];
  uint32_t id = req(r, 1);
  if (g_variant == 1) {
    assert_int_equal(h2h_raw_headers(r, id, 0, h2h_resp_200), 0);
    assert_int_equal(h2h_data(r, id, 0, "body", 4), 0);
  }
  size_t n = literal_block(r, blk, sizeof blk, 1000, 90);
  if (g_variant == 1)
    n = n - 1, memmove(blk, blk + 1, n); /* trailers: no :status */
  int rv = send_block(r, id, F_ES, blk, n);
  h2h_expect_rst(r, rv, id, HYPER_H2_ENHANCE_YOUR_CALM);
  assert_false(h2h_ev_has(r, "TRAILERS"));
  assert_false(h2h_ev_has(r, "STREAM_ENDED"));
  if (g_variant == 0)
    assert_false(h2h_ev_has(r, "RESPONSE"));
  still_works(r, 1);
}

static void test_curl_cve_2023_38039_unbounded_headers_h2(void **state) {
  (void)state;
  for (g_variant = 0; g_variant < 2; g_variant++)
    peak_le("38039 h2 client", run_role(HYPER_H2_ROLE_CLIENT, NULL, scen_38039),
            384 * KIB);
}

/* HTTP/1.1: a response head (variant 0) or a chunked trailer section (1)
 * that never ends: 1 MiB of field lines fed in 1 KiB steps. The parser
 * stops at max_header_bytes (64 KiB) with HYPER_ERR_H1_TOO_LARGE, keeps
 * nothing beyond its one block, and the error is sticky. */
static int h1_feed_all(hyper_h1_parser *p, uint8_t *buf, size_t *have,
                       size_t *off) {
  for (;;) {
    int used = hyper_h1_parser_feed(p, buf + *off, *have - *off);
    if (used == HYPER_ERR_INCOMPLETE)
      return 0;
    if (used < 0)
      return used;
    hyper_h1_event ev;
    while (hyper_h1_parser_next_event(p, &ev))
      ;
    *off += (size_t)used;
    if (used == 0)
      return 0;
  }
}

static void h1_bomb(int trailers) {
  failmem fm;
  failmem_init(&fm);
  hyper_h1_parser *p;
  assert_int_equal(hyper_h1_parser_new(&p, NULL, &fm.mem), 0);
  size_t after_new = fm.peak_bytes;
  assert_int_equal(hyper_h1_parser_request(p, 0), 0);
  size_t cap = 1u << 20;
  uint8_t *buf = malloc(cap + 1024);
  assert_non_null(buf);
  size_t have = 0, off = 0;
  const char *head = trailers
                         ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n4\r\nbody\r\n0\r\n"
                         : "HTTP/1.1 200 OK\r\n";
  memcpy(buf, head, strlen(head));
  have = strlen(head);
  int rv = 0;
  size_t fed = 0;
  while (fed < cap && rv == 0) {
    for (int i = 0; i < 64; i++) { /* 1 KiB of 16-octet field lines */
      memcpy(buf + have, "X-Bomb: aaaaaa\r\n", 16);
      have += 16;
    }
    fed += 1024;
    rv = h1_feed_all(p, buf, &have, &off);
  }
  assert_int_equal(rv, HYPER_ERR_H1_TOO_LARGE);
  assert_true(fed <= 72 * KIB); /* stopped at the cap, not at 1 MiB */
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)"\r\n", 2),
                   HYPER_ERR_H1_TOO_LARGE); /* sticky: nothing after */
  assert_int_equal(fm.peak_bytes, after_new); /* no allocation per line */
  peak_le(trailers ? "38039 h1 trailers" : "38039 h1 head", fm.peak_bytes,
          64 * KIB);
  hyper_h1_parser_free(p);
  free(buf);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_curl_cve_2023_38039_unbounded_headers_h1(void **state) {
  (void)state;
  h1_bomb(0);
  h1_bomb(1);
}

/* ===== curl CVE-2024-2398: PUSH_PROMISE header leak ===================== */
/* With push enabled, a PUSH_PROMISE whose promised request carries 2,000
 * header fields (over the list cap): the promise is refused
 * (RST_STREAM(ENHANCE_YOUR_CALM) on the promised stream), no push is
 * reported, and every octet allocated for it is released at once (live
 * memory back to what it was before the frame), 50 times over. */
/* PUSH_PROMISE (+ CONTINUATIONs) on |parent| promising |promised|. */
static int send_push(h2h_raw *r, uint32_t parent, uint32_t promised,
                     uint8_t *buf, size_t blen) {
  /* |buf| has 4 free octets before the block for the promised id */
  buf[0] = (uint8_t)(promised >> 24);
  buf[1] = (uint8_t)(promised >> 16);
  buf[2] = (uint8_t)(promised >> 8);
  buf[3] = (uint8_t)promised;
  size_t n = 4 + blen, first = n < 16384 ? n : 16384;
  int rv = h2h_raw_frame(r, T_PUSH, first == n ? F_EH : 0, parent, buf,
                         first);
  for (size_t off = first; off < n && rv == 0;) {
    size_t k = n - off < 16384 ? n - off : 16384;
    rv = h2h_raw_frame(r, T_CONT, off + k == n ? F_EH : 0, parent, buf + off,
                       k);
    off += k;
  }
  return rv;
}

static void scen_2398(h2h_raw *r) {
  uint32_t id = req(r, 1);
  static const char *nv[4003];
  static char names[2000][8];
  const char *const preq[] = {":method", "GET", ":scheme", "https",
                              ":authority", "example.com", ":path", "/p"};
  int k = 0;
  for (int i = 0; i < 8; i++)
    nv[k++] = preq[i];
  for (int i = 0; i < 1997; i++) {
    snprintf(names[i], sizeof names[i], "h%d", i);
    nv[k++] = names[i];
    nv[k++] = "v";
  }
  nv[k] = NULL;
  uint8_t *buf = malloc(65536);
  hyper_field *f = malloc(2001 * sizeof *f);
  assert_non_null(buf);
  assert_non_null(f);
  size_t nf = h2h_fields(nv, f, 2001);
  for (size_t i = 8; i < nf; i++) /* every block as large as the first */
    f[i].flags = HYPER_FIELD_NO_INDEX;
  size_t live0 = 0;
  size_t live_first = 0, live_before = 0;
  for (uint32_t round = 0; round < 320; round++) {
    uint32_t promised = 2 + 2 * round;
    size_t len = 0;
    assert_int_equal(hyper_hpack_enc_encode(r->enc, f, nf, buf + 4, 65532,
                                            &len),
                     0);
    if (round == 0)
      live_before = r->fm.live_bytes;
    int rv = send_push(r, id, promised, buf, len);
    h2h_expect_rst(r, rv, promised, HYPER_H2_ENHANCE_YOUR_CALM);
    if (round == 0)
      live_first = r->fm.live_bytes;
    if (round == 299)
      live0 = r->fm.live_bytes;
  }
  /* Nothing accumulates per refused promise: what stays is the reused
   * header-block buffer (grown once, bounded by the block cap) and the
   * closed-stream records (max_closed_streams 256, ~216 octets each), so
   * live memory is flat once 256 promises were refused. */
  print_message("  2398: live %zu before, %zu after 1 refused promise, "
                "%zu after 300, %zu after 320\n", live_before, live_first,
                live0, r->fm.live_bytes);
  assert_int_equal(r->fm.live_bytes, live0);
  assert_true(live0 - live_first <= 256 * 256);
  assert_false(h2h_ev_has(r, "PUSHED"));
  free(buf);
  free(f);
  assert_int_equal(h2h_raw_headers(r, id, F_ES, h2h_resp_200), 0);
  assert_true(h2h_ev_has(r, "RESPONSE 1 ES"));
}

static void test_curl_cve_2024_2398_push_promise_leak(void **state) {
  (void)state;
  hyper_h2_config c = cfg_of(HYPER_H2_ROLE_CLIENT);
  c.settings.enable_push = 1;
  peak_le("2398 client",
          run_role(HYPER_H2_ROLE_CLIENT, &c, scen_2398), 384 * KIB);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cve_2019_9511_data_dribble_client),
      cmocka_unit_test(test_cve_2019_9511_data_dribble_server),
      cmocka_unit_test(test_cve_2019_9512_ping_flood_client),
      cmocka_unit_test(test_cve_2019_9512_ping_flood_server),
      cmocka_unit_test(test_cve_2019_9513_resource_loop_client),
      cmocka_unit_test(test_cve_2019_9513_resource_loop_server),
      cmocka_unit_test(test_cve_2019_9514_reset_flood_client),
      cmocka_unit_test(test_cve_2019_9514_reset_flood_server),
      cmocka_unit_test(test_cve_2019_9515_settings_flood_client),
      cmocka_unit_test(test_cve_2019_9515_settings_flood_server),
      cmocka_unit_test(test_cve_2019_9516_zero_length_headers_leak_client),
      cmocka_unit_test(test_cve_2019_9516_zero_length_headers_leak_server),
      cmocka_unit_test(test_cve_2019_9517_internal_data_buffering_client),
      cmocka_unit_test(test_cve_2019_9517_internal_data_buffering_server),
      cmocka_unit_test(test_cve_2019_9518_empty_frames_flood_client),
      cmocka_unit_test(test_cve_2019_9518_empty_frames_flood_server),
      cmocka_unit_test(test_cve_2023_44487_rapid_reset_server),
      cmocka_unit_test(test_cve_2023_44487_rapid_reset_client),
      cmocka_unit_test(test_cve_2024_27316_continuation_flood_client),
      cmocka_unit_test(test_cve_2024_27316_continuation_flood_server),
      cmocka_unit_test(test_cve_2016_6581_hpack_bomb_client),
      cmocka_unit_test(test_cve_2016_6581_hpack_bomb_server),
      cmocka_unit_test(test_cve_2016_6581_hpack_bomb_decoder),
      cmocka_unit_test(test_cve_2016_1544_header_memory_client),
      cmocka_unit_test(test_cve_2016_1544_header_memory_server),
      cmocka_unit_test(test_cve_2020_11080_huge_settings_client),
      cmocka_unit_test(test_cve_2020_11080_huge_settings_server),
      cmocka_unit_test(test_cve_2025_8671_made_you_reset_client),
      cmocka_unit_test(test_cve_2025_8671_made_you_reset_server),
      cmocka_unit_test(test_cve_2026_27135_processing_after_terminal_error_client),
      cmocka_unit_test(test_cve_2026_27135_processing_after_terminal_error_server),
      cmocka_unit_test(test_cve_2026_http2_bomb_client),
      cmocka_unit_test(test_cve_2026_http2_bomb_server),
      cmocka_unit_test(test_curl_cve_2023_38039_unbounded_headers_h2),
      cmocka_unit_test(test_curl_cve_2023_38039_unbounded_headers_h1),
      cmocka_unit_test(test_curl_cve_2024_2398_push_promise_leak),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
