/* The blocking client against a raw, byte-scripted HTTP/2 server (cleartext,
 * prior knowledge, on a thread on 127.0.0.1): the socket-level hostile
 * behaviours of HOSTILE-PEERS.md group G that need frames a well-behaved
 * server core will not produce. Each case asserts the exact error and that
 * the request is reported failed, never as a complete (truncated) response:
 *   G1  GOAWAY(NO_ERROR, last = our stream) in the middle of the body: the
 *       stream finishes, the connection takes no new stream
 *   G3  partial DATA, GOAWAY(INTERNAL_ERROR), TCP close: the body fails
 *       (EOF: the stream was under the last id, the close ended it)
 *   G5  TCP RST in the middle of the body: the body fails (IO, ECONNRESET)
 *   G6  a second GOAWAY with a higher last-stream-id: the lower one holds
 *   G7  response headers one byte at a time: the total request deadline
 *       fires although the idle timeout never does
 *   G8  a server that answers our keepalive PINGs but never the request:
 *       the request deadline fires
 *   G9  a PING flood while not reading our ACKs: bounded, then H2_FLOOD
 *   G11 a PING ACK with an unknown payload: ignored
 * G2 (GOAWAY below our stream), G4 (FIN mid-body) and RST_STREAM mid-body
 * are in test_client_scripted.c; G10 (dead peer, keepalive PING timeout) is
 * test_client_dead_peer_ping in test_client_h2c.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/tcp.h>

#include "client_testserver.h"

#include "hyper/client.h"

/* ------------------------------------------------------------------------ */
/* The raw server                                                           */
/* ------------------------------------------------------------------------ */

enum { F_DATA = 0, F_HEADERS = 1, F_SETTINGS = 4, F_PING = 6, F_GOAWAY = 7 };
enum { FL_END_STREAM = 1, FL_ACK = 1, FL_END_HEADERS = 4 };

typedef struct raw_srv raw_srv;
typedef void (*raw_script)(raw_srv *s);

struct raw_srv {
  raw_script script;
  int lfd, fd;
  uint16_t port;
  int stop[2];
  pthread_t th;
  int running;
  /* results, read after raw_stop() */
  uint32_t streams[8]; /* HEADERS seen, in order */
  int nstreams;
  int pings; /* client PINGs (not ACKs) seen */
  int goaways;
  uint32_t goaway_code;
  int peer_closed;
};

/* Waits for |ev| on the socket or the stop pipe, at most |ms|. 1 ready,
 * 0 timeout, -1 stopped. */
static int rs_wait(raw_srv *s, short ev, int ms) {
  struct pollfd p[2] = {{s->fd, ev, 0}, {s->stop[0], POLLIN, 0}};
  for (;;) {
    int r = poll(p, 2, ms);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 || (p[1].revents & POLLIN))
      return -1;
    return r > 0 ? 1 : 0;
  }
}

static int rs_read_full(raw_srv *s, uint8_t *b, size_t n) {
  while (n > 0) {
    if (rs_wait(s, POLLIN, TS_SAFETY_MS) != 1)
      return -1;
    ssize_t r = recv(s->fd, b, n, 0);
    if (r <= 0) {
      s->peer_closed = 1;
      return -1;
    }
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

static int rs_send(raw_srv *s, const void *b, size_t n) {
  const uint8_t *p = b;
  while (n > 0) {
    if (rs_wait(s, POLLOUT, TS_SAFETY_MS) != 1)
      return -1;
    ssize_t r = send(s->fd, p, n, MSG_NOSIGNAL);
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int rs_frame(raw_srv *s, int type, int flags, uint32_t sid,
                    const void *payload, size_t len) {
  uint8_t h[9] = {(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
                  (uint8_t)type,        (uint8_t)flags,
                  (uint8_t)(sid >> 24), (uint8_t)(sid >> 16),
                  (uint8_t)(sid >> 8),  (uint8_t)sid};
  if (rs_send(s, h, 9) != 0)
    return -1;
  return len ? rs_send(s, payload, len) : 0;
}

/* ":status: 200" (HPACK static index 8). */
static int rs_200(raw_srv *s, uint32_t sid, int end_stream) {
  static const uint8_t blk[] = {0x88};
  return rs_frame(s, F_HEADERS, FL_END_HEADERS | (end_stream ? FL_END_STREAM
                                                             : 0),
                  sid, blk, 1);
}

static int rs_goaway(raw_srv *s, uint32_t last, uint32_t code) {
  uint8_t p[8] = {(uint8_t)(last >> 24), (uint8_t)(last >> 16),
                  (uint8_t)(last >> 8),  (uint8_t)last,
                  (uint8_t)(code >> 24), (uint8_t)(code >> 16),
                  (uint8_t)(code >> 8),  (uint8_t)code};
  return rs_frame(s, F_GOAWAY, 0, 0, p, 8);
}

/* Reads one client frame and does the bookkeeping: SETTINGS are
 * acknowledged, PINGs counted and (when |ack_pings|) answered, HEADERS
 * recorded. Returns the frame type, or -1 (closed, stopped, timeout). */
static int rs_next(raw_srv *s, int ack_pings) {
  uint8_t h[9], p[16384];
  if (rs_read_full(s, h, 9) != 0)
    return -1;
  size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
  uint32_t sid = ((uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 |
                  (uint32_t)h[7] << 8 | h[8]) & 0x7fffffffu;
  if (len > sizeof p || rs_read_full(s, p, len) != 0)
    return -1;
  switch (h[3]) {
  case F_SETTINGS:
    if (!(h[4] & FL_ACK) && rs_frame(s, F_SETTINGS, FL_ACK, 0, NULL, 0))
      return -1;
    break;
  case F_HEADERS:
    if (s->nstreams < 8)
      s->streams[s->nstreams++] = sid;
    break;
  case F_PING:
    if (!(h[4] & FL_ACK)) {
      s->pings++;
      if (ack_pings && rs_frame(s, F_PING, FL_ACK, 0, p, len) != 0)
        return -1;
    }
    break;
  case F_GOAWAY:
    s->goaways++;
    if (len >= 8)
      s->goaway_code = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
                       (uint32_t)p[6] << 8 | p[7];
    break;
  default:
    break;
  }
  return h[3];
}

/* Reads until |n| requests (HEADERS) have arrived. */
static int rs_requests(raw_srv *s, int n) {
  while (s->nstreams < n)
    if (rs_next(s, 1) < 0)
      return -1;
  return 0;
}

static void *rs_main(void *arg) {
  raw_srv *s = arg;
  s->fd = -1;
  struct pollfd p[2] = {{s->lfd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
  if (poll(p, 2, TS_SAFETY_MS) <= 0 || (p[1].revents & POLLIN))
    return NULL;
  s->fd = accept(s->lfd, NULL, NULL);
  if (s->fd < 0)
    return NULL;
  uint8_t preface[24];
  if (rs_read_full(s, preface, 24) == 0 &&
      memcmp(preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24) == 0 &&
      rs_frame(s, F_SETTINGS, 0, 0, NULL, 0) == 0)
    s->script(s);
  if (s->fd >= 0)
    close(s->fd);
  s->fd = -1;
  return NULL;
}

static void raw_start(raw_srv *s, raw_script script) {
  memset(s, 0, sizeof *s);
  s->script = script;
  s->lfd = ts_listen(0, 4, 0, &s->port);
  assert_true(s->lfd >= 0);
  assert_int_equal(pipe(s->stop), 0);
  assert_int_equal(pthread_create(&s->th, NULL, rs_main, s), 0);
  s->running = 1;
}

static void raw_stop(raw_srv *s) {
  if (!s->running)
    return;
  (void)!write(s->stop[1], "x", 1);
  pthread_join(s->th, NULL);
  close(s->lfd);
  close(s->stop[0]);
  close(s->stop[1]);
  s->running = 0;
}

/* ------------------------------------------------------------------------ */
/* Client helpers                                                           */
/* ------------------------------------------------------------------------ */

static void opts_h2c(hyper_client_opts *o) {
  hyper_client_opts_init(o);
  o->secure = 0;
  o->connect_timeout_ms = 5000;
  o->read_timeout_ms = 5000;
  o->request_timeout_ms = 10000;
}

static hyper_client *client_to(const raw_srv *s, const hyper_client_opts *o) {
  hyper_client_opts def;
  if (!o) {
    opts_h2c(&def);
    o = &def;
  }
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s->port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, o, NULL), 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
}

static void expect_err(hyper_client *c, int rv, int want) {
  if (rv != want)
    print_error("expected %s, got %s: %s\n", hyper_err_name(want),
                hyper_err_name(rv), hyper_client_last_error(c)->desc);
  else
    print_message("  %s: %s\n", hyper_err_name(rv),
                  hyper_client_last_error(c)->desc);
  assert_int_equal(rv, want);
}

/* ------------------------------------------------------------------------ */
/* G1: GOAWAY(NO_ERROR, last = 1) in the middle of stream 1's body          */
/* ------------------------------------------------------------------------ */

static void script_g1(raw_srv *s) {
  if (rs_requests(s, 1) || rs_200(s, 1, 0) ||
      rs_frame(s, F_DATA, 0, 1, "par", 3) || rs_goaway(s, 1, 0) ||
      rs_frame(s, F_DATA, FL_END_STREAM, 1, "tial", 4))
    return;
  while (rs_next(s, 1) >= 0) {
  }
}

static void test_hostile_g1_goaway_graceful(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g1);
  hyper_client *c = client_to(&s, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice b;
  expect_ok(c, hyper_resp_read_all(r, &b));
  assert_int_equal(b.len, 7);
  assert_memory_equal(b.ptr, "partial", 7);
  hyper_resp_free(r);
  /* no new stream on this connection: a retryable GOAWAY error */
  expect_err(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id),
             HYPER_ERR_H2_GOAWAY);
  hyper_client_free(c);
  raw_stop(&s);
  assert_int_equal(s.nstreams, 1);
}

/* ------------------------------------------------------------------------ */
/* G3: partial DATA, GOAWAY(INTERNAL_ERROR), TCP close                      */
/* ------------------------------------------------------------------------ */

static uint8_t part[1000];

static void script_g3(raw_srv *s) {
  if (rs_requests(s, 1) || rs_200(s, 1, 0) ||
      rs_frame(s, F_DATA, 0, 1, part, sizeof part) ||
      rs_goaway(s, 1, 2 /* INTERNAL_ERROR */))
    return;
  shutdown(s->fd, SHUT_WR);
  while (rs_next(s, 1) >= 0) {
  }
}

static void test_hostile_g3_goaway_then_close(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g3);
  hyper_client *c = client_to(&s, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  assert_int_equal(hyper_resp_status(r), 200);
  hyper_slice b;
  int rv = hyper_resp_read_all(r, &b);
  /* stream 1 was allowed to finish (last-stream-id 1), so what fails it is
   * the close that follows: EOF, as for G4 */
  expect_err(c, rv, HYPER_ERR_EOF);
  /* the octets that arrived are readable, then the same error: never a
   * clean end of body */
  uint8_t buf[4096];
  size_t n, total = 0;
  while ((rv = hyper_resp_read(r, buf, sizeof buf, &n)) == 0 && n)
    total += n;
  assert_int_equal(rv, HYPER_ERR_EOF);
  assert_true(total + n <= sizeof part);
  hyper_resp_free(r);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  raw_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* G5: TCP RST in the middle of the body                                    */
/* ------------------------------------------------------------------------ */

static void script_g5(raw_srv *s) {
  if (rs_requests(s, 1) || rs_200(s, 1, 0) ||
      rs_frame(s, F_DATA, 0, 1, part, sizeof part))
    return;
  /* wait until the client consumed it (it acknowledges the DATA with
   * WINDOW_UPDATE or sends nothing: a bounded wait either way), then RST */
  (void)rs_wait(s, POLLIN, 200);
  struct linger lg = {1, 0};
  (void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(s->fd);
  s->fd = -1;
}

static void test_hostile_g5_tcp_rst(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g5);
  hyper_client *c = client_to(&s, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice b;
  int rv = hyper_resp_read_all(r, &b);
  expect_err(c, rv, HYPER_ERR_IO);
  assert_int_equal(hyper_client_last_error(c)->sys_errno, ECONNRESET);
  assert_int_equal(hyper_resp_read_all(r, &b), HYPER_ERR_IO); /* sticky */
  hyper_resp_free(r);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  raw_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* G6: a second GOAWAY with a higher last-stream-id                         */
/* ------------------------------------------------------------------------ */

static void script_g6(raw_srv *s) {
  /* RFC 9113 §6.8: the last-stream-id must not increase; the receiver
   * keeps the lower value. */
  if (rs_requests(s, 3) || rs_goaway(s, 1, 0) || rs_goaway(s, 5, 0) ||
      rs_200(s, 1, 0) || rs_frame(s, F_DATA, FL_END_STREAM, 1, "one", 3))
    return;
  while (rs_next(s, 1) >= 0) {
  }
}

static void test_hostile_g6_goaway_increase(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g6);
  hyper_client_opts o;
  opts_h2c(&o);
  o.request_timeout_ms = 3000; /* a wrongly revived stream times out */
  o.max_retries = 0; /* the GOAWAY error itself is checked (G2's retry:
                        test_client_retry.c); this peer takes one
                        connection */
  hyper_client *c = client_to(&s, &o);
  uint32_t a, b, d;
  expect_ok(c, hyper_client_request(c, "GET", "/1", NULL, 0, NULL, &a));
  expect_ok(c, hyper_client_request(c, "GET", "/3", NULL, 0, NULL, &b));
  expect_ok(c, hyper_client_request(c, "GET", "/5", NULL, 0, NULL, &d));
  hyper_resp *r;
  expect_err(c, hyper_client_get_response(c, d, &r), HYPER_ERR_H2_GOAWAY);
  expect_err(c, hyper_client_get_response(c, b, &r), HYPER_ERR_H2_GOAWAY);
  expect_ok(c, hyper_client_get_response(c, a, &r));
  hyper_slice body;
  expect_ok(c, hyper_resp_read_all(r, &body));
  assert_int_equal(body.len, 3);
  assert_memory_equal(body.ptr, "one", 3);
  hyper_resp_free(r);
  hyper_client_free(c);
  raw_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* G7: response headers one byte at a time (slow loris)                     */
/* ------------------------------------------------------------------------ */

static void script_g7(raw_srv *s) {
  if (rs_requests(s, 1))
    return;
  /* HEADERS: :status 200 and "x-slow: aaaa..." (literal, new name) */
  uint8_t f[9 + 1 + 1 + 1 + 6 + 1 + 100];
  size_t blk = sizeof f - 9;
  uint8_t *p = f + 9;
  *p++ = 0x88;
  *p++ = 0x00;
  *p++ = 6;
  memcpy(p, "x-slow", 6);
  p += 6;
  *p++ = 100;
  memset(p, 'a', 100);
  f[0] = 0;
  f[1] = 0;
  f[2] = (uint8_t)blk;
  f[3] = F_HEADERS;
  f[4] = FL_END_HEADERS | FL_END_STREAM;
  f[5] = f[6] = f[7] = 0;
  f[8] = 1;
  for (size_t i = 0; i < sizeof f; i++) {
    /* the pace of the attack (50 ms a byte), not a synchronisation */
    if (rs_wait(s, POLLIN, 50) < 0)
      return;
    if (rs_send(s, f + i, 1) != 0)
      return;
  }
}

static void test_hostile_g7_slowloris_headers(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g7);
  hyper_client_opts o;
  opts_h2c(&o);
  o.read_timeout_ms = 1000;     /* a byte every 50 ms keeps this happy */
  o.request_timeout_ms = 1500;  /* the total deadline must fire */
  hyper_client *c = client_to(&s, &o);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  int64_t t0 = cs_now_ms();
  hyper_resp *r = NULL;
  expect_err(c, hyper_client_get_response(c, id, &r), HYPER_ERR_TIMEOUT);
  int64_t took = cs_now_ms() - t0;
  print_message("  slow loris: TIMEOUT after %lld ms\n", (long long)took);
  assert_null(r);
  assert_true(took >= 1300 && took < 4000);
  hyper_client_free(c);
  raw_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* G8: PINGs answered, the request never                                    */
/* ------------------------------------------------------------------------ */

static void script_g8(raw_srv *s) {
  while (rs_next(s, 1) >= 0) {
  }
}

static void test_hostile_g8_ping_alive_no_response(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g8);
  hyper_client_opts o;
  opts_h2c(&o);
  o.ping_idle_ms = 100;
  o.ping_timeout_ms = 1000;
  o.request_timeout_ms = 1500;
  hyper_client *c = client_to(&s, &o);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  int64_t t0 = cs_now_ms();
  hyper_resp *r = NULL;
  expect_err(c, hyper_client_get_response(c, id, &r), HYPER_ERR_TIMEOUT);
  int64_t took = cs_now_ms() - t0;
  assert_true(took >= 1300 && took < 4000);
  hyper_client_free(c);
  raw_stop(&s);
  print_message("  %d keepalive PINGs answered in %lld ms\n", s.pings,
                (long long)took);
  assert_true(s.pings >= 2); /* the peer was alive all along */
}

/* ------------------------------------------------------------------------ */
/* G9: a PING flood while our ACKs are not read                             */
/* ------------------------------------------------------------------------ */

static int g9_sent;

static void script_g9(raw_srv *s) {
  if (rs_requests(s, 1))
    return;
  /* never read again: the client's ACKs pile up */
  static uint8_t burst[17 * 1000];
  for (int i = 0; i < 1000; i++) {
    uint8_t *f = burst + 17 * i;
    memset(f, 0, 17);
    f[2] = 8;
    f[3] = F_PING;
    f[9] = (uint8_t)i;
  }
  for (int k = 0; k < 100; k++) { /* 100,000 PINGs */
    if (rs_send(s, burst, sizeof burst) != 0)
      break;
    g9_sent += 1000;
  }
  /* then hold the connection open until the client leaves */
  while (rs_wait(s, POLLIN, TS_SAFETY_MS) == 1) {
    uint8_t b[4096];
    if (recv(s->fd, b, sizeof b, 0) <= 0)
      break;
  }
}

static void test_hostile_g9_ping_flood(void **state) {
  (void)state;
  raw_srv s;
  g9_sent = 0;
  raw_start(&s, script_g9);
  hyper_client *c = client_to(&s, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  hyper_resp *r = NULL;
  int64_t t0 = cs_now_ms();
  expect_err(c, hyper_client_get_response(c, id, &r), HYPER_ERR_H2_FLOOD);
  print_message("  flood detected after %lld ms\n",
                (long long)(cs_now_ms() - t0));
  assert_null(r);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  raw_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* G11: a PING ACK with a payload we never sent                             */
/* ------------------------------------------------------------------------ */

static void script_g11(raw_srv *s) {
  if (rs_requests(s, 1) || rs_frame(s, F_PING, FL_ACK, 0, "bogus!!!", 8) ||
      rs_200(s, 1, 0) || rs_frame(s, F_DATA, FL_END_STREAM, 1, "ok", 2))
    return;
  while (rs_next(s, 1) >= 0) {
  }
}

static void test_hostile_g11_bogus_ping_ack(void **state) {
  (void)state;
  raw_srv s;
  raw_start(&s, script_g11);
  hyper_client *c = client_to(&s, NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_slice b;
  expect_ok(c, hyper_resp_read_all(r, &b));
  assert_int_equal(b.len, 2);
  assert_memory_equal(b.ptr, "ok", 2);
  hyper_resp_free(r);
  assert_true(hyper_client_is_connected(c));
  hyper_client_free(c);
  raw_stop(&s);
  /* at most the GOAWAY of our close, NO_ERROR: no protocol complaint */
  assert_true(s.goaways <= 1);
  assert_int_equal(s.goaway_code, 0);
}

int main(void) {
  for (size_t i = 0; i < sizeof part; i++)
    part[i] = cs_pattern(i);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hostile_g1_goaway_graceful),
      cmocka_unit_test(test_hostile_g3_goaway_then_close),
      cmocka_unit_test(test_hostile_g5_tcp_rst),
      cmocka_unit_test(test_hostile_g6_goaway_increase),
      cmocka_unit_test(test_hostile_g7_slowloris_headers),
      cmocka_unit_test(test_hostile_g8_ping_alive_no_response),
      cmocka_unit_test(test_hostile_g9_ping_flood),
      cmocka_unit_test(test_hostile_g11_bogus_ping_ack),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
