/* The cleartext upgrade entry points of the HTTP/2 core (RFC 7540 §3.2):
 * hyper_h2_conn_upgrade_settings() / _upgrade_client() / _upgrade_server(),
 * a client core and a server core wired to each other in memory. The
 * HTTP/1.1 half of the exchange is the caller's and is not simulated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "failmem.h"
#include "h2_harness.h"
#include "hyper/h2.h"

/* A client and a server that switched: the server read |value| from the
 * client's HTTP2-Settings. */
static void upgraded_pair(h2h_pair *p, const hyper_h2_config *ccfg,
                          const hyper_mem *mem, int head) {
  memset(p, 0, sizeof *p);
  hyper_h2_config dc, ds;
  if (!ccfg) {
    hyper_h2_config_init(&dc, HYPER_H2_ROLE_CLIENT);
    ccfg = &dc;
  }
  hyper_h2_config_init(&ds, HYPER_H2_ROLE_SERVER);
  assert_int_equal(hyper_h2_conn_new(&p->cli.c, ccfg, mem), 0);
  assert_int_equal(hyper_h2_conn_new(&p->srv.c, &ds, mem), 0);
  char value[HYPER_H2_UPGRADE_SETTINGS_MAX];
  size_t len = 0;
  assert_int_equal(
      hyper_h2_conn_upgrade_settings(p->cli.c, value, sizeof value, &len), 0);
  assert_int_equal(strlen(value), len);
  hyper_field req[4];
  const char *const nv[] = {":method", head ? "HEAD" : "GET",
                            ":scheme", "http",
                            ":authority", "example.com",
                            ":path", "/",
                            NULL};
  size_t n = h2h_fields(nv, req, 4);
  assert_int_equal(hyper_h2_conn_upgrade_server(p->srv.c, value, len, req, n),
                   0);
  assert_int_equal(hyper_h2_conn_upgrade_client(p->cli.c, head), 0);
}

static void settings_value(void **state) {
  (void)state;
  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
  cfg.settings.enable_push = 0;
  cfg.settings.initial_window_size = 65535;
  cfg.settings.max_header_list_size = 65536; /* RFC: unlimited; capped */
  cfg.settings.max_concurrent_streams = 0xffffffffu;
  cfg.settings.max_frame_size = 16384;
  cfg.settings.header_table_size = 4096;
  cfg.settings.no_rfc7540_priorities = 0;
  cfg.settings.enable_connect_protocol = 0;
  hyper_h2_conn *c;
  assert_int_equal(hyper_h2_conn_new(&c, &cfg, NULL), 0);
  char v[HYPER_H2_UPGRADE_SETTINGS_MAX];
  size_t len = 0;
  /* RFC defaults but the header list: ENABLE_PUSH (0x2) = 0, always
   * stated by a client, and MAX_HEADER_LIST_SIZE (0x6) = 65536: twelve
   * octets 00 02 00 00 00 00 00 06 00 01 00 00 */
  assert_int_equal(hyper_h2_conn_upgrade_settings(c, v, sizeof v, &len), 0);
  assert_string_equal(v, "AAIAAAAAAAYAAQAA");
  assert_int_equal(len, 16);
  /* too small: nothing written, the size told */
  char small[16];
  memset(small, 'x', sizeof small);
  assert_int_equal(hyper_h2_conn_upgrade_settings(c, small, 16, &len),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(len, 16);
  assert_int_equal(small[0], 'x');
  assert_int_equal(hyper_h2_conn_upgrade_settings(c, NULL, 0, &len),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_conn_upgrade_settings(NULL, v, sizeof v, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_conn_upgrade_settings(c, NULL, 4, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_h2_conn_free(c);

  /* INITIAL_WINDOW_SIZE (0x4) = 0x00100000 as well, in id order */
  cfg.settings.initial_window_size = 1u << 20;
  assert_int_equal(hyper_h2_conn_new(&c, &cfg, NULL), 0);
  assert_int_equal(hyper_h2_conn_upgrade_settings(c, v, sizeof v, &len), 0);
  assert_string_equal(v, "AAIAAAAAAAQAEAAAAAYAAQAA");
  hyper_h2_conn_free(c);
}

static void exchange(void **state) {
  (void)state;
  hyper_h2_config ccfg;
  hyper_h2_config_init(&ccfg, HYPER_H2_ROLE_CLIENT);
  ccfg.settings.initial_window_size = 1u << 20;
  ccfg.settings.max_frame_size = 1u << 15;
  h2h_pair p;
  upgraded_pair(&p, &ccfg, NULL, 0);
  /* The client's settings hold on the server before any frame arrived
   * (§3.2.1: implicitly acknowledged by the 101). */
  const hyper_h2_settings *rs = hyper_h2_conn_remote_settings(p.srv.c);
  assert_int_equal(rs->initial_window_size, 1u << 20);
  assert_int_equal(rs->max_frame_size, 1u << 15);
  assert_int_equal(hyper_h2_conn_open_streams(p.cli.c, 1), 1);
  assert_int_equal(hyper_h2_conn_open_streams(p.srv.c, 0), 1);
  /* The server may answer stream 1 at once; the stream window is the
   * client's 1 MiB from the start, the connection window grows with the
   * client's WINDOW_UPDATE after its preface. */
  assert_int_equal(hyper_h2_conn_remote_flow_control_window(p.cli.c, 1),
                   1 << 20);
  hyper_field resp[2];
  size_t rn = h2h_fields(h2h_resp_200, resp, 2);
  assert_int_equal(hyper_h2_submit_response(p.srv.c, 1, resp, rn, 0), 0);
  static uint8_t body[100000];
  memset(body, 'b', sizeof body);
  size_t off = 0;
  while (off < sizeof body) {
    size_t k = sizeof body - off < 16384 ? sizeof body - off : 16384;
    if (hyper_h2_conn_local_flow_control_window(p.srv.c, 1) < (int64_t)k)
      assert_int_equal(h2h_pump(&p), 0);
    assert_true(hyper_h2_conn_local_flow_control_window(p.srv.c, 1) >=
                (int64_t)k);
    assert_int_equal(hyper_h2_send_data(p.srv.c, 1, body + off, k,
                                        off + k == sizeof body),
                     0);
    off += k;
  }
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(p.cli.err, 0);
  assert_int_equal(p.srv.err, 0);
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 1"));
  assert_true(h2h_log_has(&p.cli.log, "STREAM_ENDED 1"));
  assert_int_equal(p.cli.data_bytes, sizeof body);
  /* The server never saw stream 1 as an event: the caller had it. */
  assert_false(h2h_log_has(&p.srv.log, "REQUEST 1"));
  /* Exactly one SETTINGS ACK each way: the frames after the preface. */
  assert_true(h2h_log_has(&p.cli.log, "SETTINGS_ACKED 0"));
  assert_true(h2h_log_has(&p.srv.log, "SETTINGS_ACKED 0"));

  /* The next request is stream 3. */
  uint32_t next = 0;
  assert_int_equal(hyper_h2_get_next_available_stream_id(p.cli.c, &next), 0);
  assert_int_equal(next, 3);
  hyper_field req[4];
  size_t qn = h2h_fields(h2h_get_req, req, 4);
  uint32_t id = 0;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, qn, 1, &id), 0);
  assert_int_equal(id, 3);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.srv.log, "REQUEST 3 ES"));
  assert_int_equal(hyper_h2_submit_response(p.srv.c, 3, resp, rn, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 3 ES"));
  assert_int_equal(p.cli.err, 0);
  assert_int_equal(p.srv.err, 0);
  /* Stream 1 is closed on both ends; a frame for it is the peer's error. */
  assert_true(hyper_h2_conn_local_flow_control_window(p.srv.c, 1) < 0);
  h2h_pair_free(&p);
}

static void head_request(void **state) {
  (void)state;
  h2h_pair p;
  upgraded_pair(&p, NULL, NULL, 1);
  /* A HEAD response carries content-length but no content (§8.1.1). */
  const char *const nv[] = {":status", "200", "content-length", "10", NULL};
  hyper_field resp[2];
  size_t rn = h2h_fields(nv, resp, 2);
  assert_int_equal(hyper_h2_submit_response(p.srv.c, 1, resp, rn, 1), 0);
  assert_int_equal(h2h_pump(&p), 0);
  assert_int_equal(p.cli.err, 0);
  assert_true(h2h_log_has(&p.cli.log, "RESPONSE 1 ES"));
  h2h_pair_free(&p);
}

/* The client's stream 1 is half-closed (local): the client cannot send on
 * it, and the server cannot receive on it. */
static void stream_one_states(void **state) {
  (void)state;
  h2h_pair p;
  upgraded_pair(&p, NULL, NULL, 0);
  assert_int_not_equal(hyper_h2_send_data(p.cli.c, 1, (const uint8_t *)"x", 1,
                                          1),
                       0);
  hyper_field req[4];
  size_t qn = h2h_fields(h2h_get_req, req, 4);
  /* a server's stream 1 is half-closed (remote): DATA from the client on
   * it would be STREAM_CLOSED; the server itself may still send */
  assert_int_equal(hyper_h2_conn_open_streams(p.srv.c, 0), 1);
  assert_int_equal(h2h_pump(&p), 0);
  uint32_t id = 0;
  assert_int_equal(hyper_h2_submit_request(p.cli.c, req, qn, 1, &id), 0);
  assert_int_equal(id, 3);
  h2h_pair_free(&p);
}

static void refusals(void **state) {
  (void)state;
  hyper_h2_conn *s, *c;
  assert_int_equal(hyper_h2_conn_new(&s, NULL, NULL), 0); /* client */
  hyper_h2_config sc;
  hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
  hyper_h2_conn_free(s);
  assert_int_equal(hyper_h2_conn_new(&s, &sc, NULL), 0);
  assert_int_equal(hyper_h2_conn_new(&c, NULL, NULL), 0);
  /* wrong roles */
  assert_int_equal(hyper_h2_conn_upgrade_client(s, 0),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_conn_upgrade_server(c, "", 0, NULL, 0),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_conn_upgrade_client(NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_conn_upgrade_server(s, NULL, 3, NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* bad values change nothing */
  static const char *const bad[] = {
      "!!!!",      /* not base64url */
      "AAEC",      /* 3 octets: not a whole setting */
      "A",         /* impossible length */
      "AAIAAAAC",  /* ENABLE_PUSH = 2 */
      "AAUAAAAA",  /* MAX_FRAME_SIZE = 0 */
      "AAIAAAAB+", /* '+' is base64, not base64url */
      "AAIAAAAAB", /* 9 characters: impossible length */
      "AAIAAAAAAB",/* 7 octets with nonzero pad bits */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(
        hyper_h2_conn_upgrade_server(s, bad[i], strlen(bad[i]), NULL, 0),
        HYPER_ERR_INVALID_ARGUMENT);
  /* an empty value is valid (no settings), as is padding */
  hyper_h2_conn *s2;
  assert_int_equal(hyper_h2_conn_new(&s2, &sc, NULL), 0);
  assert_int_equal(hyper_h2_conn_upgrade_server(s2, "", 0, NULL, 0), 0);
  assert_int_equal(hyper_h2_conn_upgrade_server(s2, "", 0, NULL, 0),
                   HYPER_ERR_INVALID_STATE); /* twice */
  hyper_h2_conn_free(s2);
  assert_int_equal(hyper_h2_conn_upgrade_server(s, "AAIAAAAA==", 10, NULL, 0),
                   0);
  /* after initiate, or twice */
  assert_int_equal(hyper_h2_conn_initiate(c), 0);
  assert_int_equal(hyper_h2_conn_upgrade_client(c, 0),
                   HYPER_ERR_INVALID_STATE);
  hyper_h2_conn_free(c);
  assert_int_equal(hyper_h2_conn_new(&c, NULL, NULL), 0);
  assert_int_equal(hyper_h2_conn_upgrade_client(c, 0), 0);
  assert_int_equal(hyper_h2_conn_upgrade_client(c, 0),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h2_conn_initiate(c), HYPER_ERR_INVALID_STATE);
  hyper_h2_conn_free(c);
  hyper_h2_conn_free(s);
}

/* Every allocation of the upgraded setup may fail: each run ends in an
 * error (or succeeds) and frees everything. */
static void alloc_failures(void **state) {
  (void)state;
  for (long k = 1; k < 200; k++) {
    failmem fm;
    failmem_init(&fm);
    fm.fail_at = k;
    hyper_h2_config sc;
    hyper_h2_config_init(&sc, HYPER_H2_ROLE_SERVER);
    hyper_h2_conn *c = NULL, *s = NULL;
    int rc = hyper_h2_conn_new(&c, NULL, &fm.mem);
    int rs = rc ? rc : hyper_h2_conn_new(&s, &sc, &fm.mem);
    if (!rc && !rs) {
      char v[HYPER_H2_UPGRADE_SETTINGS_MAX];
      size_t len;
      assert_int_equal(hyper_h2_conn_upgrade_settings(c, v, sizeof v, &len),
                       0);
      int a = hyper_h2_conn_upgrade_server(s, v, len, NULL, 0);
      int b = hyper_h2_conn_upgrade_client(c, 0);
      assert_true(a == 0 || a == HYPER_ERR_NOMEM);
      assert_true(b == 0 || b == HYPER_ERR_NOMEM);
    } else {
      assert_true((rc ? rc : rs) == HYPER_ERR_NOMEM);
    }
    hyper_h2_conn_free(c);
    hyper_h2_conn_free(s);
    assert_int_equal(fm.live_blocks, 0);
    if (fm.nfailed == 0)
      break; /* every allocation was passed */
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(settings_value),  cmocka_unit_test(exchange),
      cmocka_unit_test(head_request),    cmocka_unit_test(stream_one_states),
      cmocka_unit_test(refusals),        cmocka_unit_test(alloc_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
