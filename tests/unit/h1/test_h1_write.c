/* The HTTP/1.1 request writer (RFC 9112 §3, §6.1, §7.1; RFC 9110 §7.2,
 * §10.1.1): byte-exact output, exact sizing, atomicity on
 * HYPER_ERR_BUFFER_TOO_SMALL, validation, request flags, and chunk framing
 * round-tripped through the chunked decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/common.h"
#include "hyper/h1.h"

static hyper_slice sl(const char *s) {
  hyper_slice x;
  x.ptr = (const uint8_t *)s;
  x.len = s ? strlen(s) : 0;
  return x;
}

static hyper_field fld(const char *n, const char *v) {
  hyper_field f;
  f.name = (const uint8_t *)n;
  f.name_len = strlen(n);
  f.value = (const uint8_t *)v;
  f.value_len = strlen(v);
  f.flags = 0;
  return f;
}

static hyper_h1_request req_init(const char *method, const char *target,
                                 const char *authority) {
  hyper_h1_request r;
  memset(&r, 0, sizeof r);
  r.method = sl(method);
  r.target = sl(target);
  r.authority = sl(authority);
  r.content_length = HYPER_H1_LENGTH_NONE;
  return r;
}

/* Writes |r| and checks the exact output, the size function, and that
 * every smaller buffer fails atomically with the exact size. */
static void expect_write(const hyper_h1_request *r, const char *want) {
  size_t n = strlen(want), len = 0, w = 0;
  assert_int_equal(hyper_h1_request_len(r, &len), 0);
  assert_int_equal(len, n);
  uint8_t *buf = malloc(n + 16);
  assert_non_null(buf);
  /* asking for the size */
  assert_int_equal(hyper_h1_write_request(r, NULL, 0, &w),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(w, n);
  for (size_t cap = 0; cap < n; cap++) {
    memset(buf, 0xA5, n + 16);
    w = 0;
    assert_int_equal(hyper_h1_write_request(r, buf, cap, &w),
                     HYPER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w, n);
    for (size_t i = 0; i < n + 16; i++)
      assert_int_equal(buf[i], 0xA5); /* nothing written */
  }
  memset(buf, 0xA5, n + 16);
  assert_int_equal(hyper_h1_write_request(r, buf, n, &w), 0);
  assert_int_equal(w, n);
  if (memcmp(buf, want, n) != 0)
    fail_msg("got:\n%.*s\nwant:\n%s", (int)n, (const char *)buf, want);
  assert_int_equal(buf[n], 0xA5);
  assert_int_equal(hyper_h1_write_request(r, buf, n + 16, &w), 0);
  assert_int_equal(w, n);
  free(buf);
}

static void expect_invalid(const hyper_h1_request *r) {
  size_t len = 12345, w = 777;
  uint8_t buf[512];
  assert_int_equal(hyper_h1_request_len(r, &len), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(len, 12345);
  assert_int_equal(hyper_h1_write_request(r, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(w, 777);
}

/* ------------------------------------------------------------------------ */

static void test_h1_write_get(void **state) {
  (void)state;
  hyper_h1_request r = req_init("GET", "/", "example.com");
  expect_write(&r, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  hyper_field f[3] = {fld("User-Agent", "hyper/0.1"), fld("Accept", "*/*"),
                      fld("X-Empty", "")};
  r = req_init("GET", "/search?q=a%20b&x=1", "example.com:8080");
  r.fields = f;
  r.nfields = 3;
  expect_write(&r, "GET /search?q=a%20b&x=1 HTTP/1.1\r\n"
                   "Host: example.com:8080\r\n"
                   "User-Agent: hyper/0.1\r\n"
                   "Accept: */*\r\n"
                   "X-Empty: \r\n"
                   "\r\n");
  /* IPv6 literal authority, absolute-form, asterisk-form, CONNECT */
  r = req_init("GET", "http://[::1]:8080/x", "[::1]:8080");
  expect_write(&r,
               "GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
  r = req_init("OPTIONS", "*", "example.com");
  expect_write(&r, "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n");
  r = req_init("CONNECT", "example.com:443", "example.com:443");
  expect_write(&r,
               "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
               "\r\n");
  /* values go out as given: obs-text and HTAB and inner spaces */
  hyper_field g[1] = {fld("X-V", " a\tcaf\xc3\xa9  ")};
  r = req_init("GET", "/", "h");
  r.fields = g;
  r.nfields = 1;
  expect_write(&r, "GET / HTTP/1.1\r\nHost: h\r\nX-V:  a\tcaf\xc3\xa9  \r\n"
                   "\r\n");
}

static void test_h1_write_bodies(void **state) {
  (void)state;
  hyper_field f[1] = {fld("Content-Type", "application/json")};
  hyper_h1_request r = req_init("POST", "/api", "example.com");
  r.fields = f;
  r.nfields = 1;
  r.content_length = 13;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 13\r\n\r\n");
  r.content_length = 0;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 0\r\n\r\n");
  r.content_length = INT64_MAX;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 9223372036854775807\r\n\r\n");
  r.content_length = HYPER_H1_LENGTH_CHUNKED;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
  /* Expect: 100-continue, with a body only */
  r.flags = HYPER_H1_WRITE_EXPECT_CONTINUE;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n"
                   "Expect: 100-continue\r\n\r\n");
  r.content_length = 1048576;
  expect_write(&r, "POST /api HTTP/1.1\r\nHost: example.com\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 1048576\r\n"
                   "Expect: 100-continue\r\n\r\n");
  r.content_length = 0;
  expect_invalid(&r); /* RFC 9110 §10.1.1: not without content */
  r.content_length = HYPER_H1_LENGTH_NONE;
  expect_invalid(&r);
}

static void test_h1_write_host_from_fields(void **state) {
  (void)state;
  /* no authority: the single Host field is written first */
  hyper_field f[3] = {fld("Accept", "*/*"), fld("host", "h.example"),
                      fld("X-A", "1")};
  hyper_h1_request r = req_init("GET", "/", NULL);
  r.fields = f;
  r.nfields = 3;
  expect_write(&r, "GET / HTTP/1.1\r\nhost: h.example\r\nAccept: */*\r\n"
                   "X-A: 1\r\n\r\n");
  /* Host twice, or with an authority, or none at all */
  hyper_field two[2] = {fld("Host", "a"), fld("HOST", "b")};
  r.fields = two;
  r.nfields = 2;
  expect_invalid(&r);
  r.nfields = 1;
  r.authority = sl("a");
  expect_invalid(&r);
  r = req_init("GET", "/", NULL);
  expect_invalid(&r);
}

static void test_h1_write_validation(void **state) {
  (void)state;
  hyper_h1_request r;
  static const char *const bad_methods[] = {"", "G T", "GET\r", "G:T",
                                            "G\x80T", "(GET)"};
  for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
    r = req_init(bad_methods[i], "/", "h");
    expect_invalid(&r);
  }
  static const char *const bad_targets[] = {"", "/a b", "/a\r\nX: y", "/\t",
                                            "/\x7f", "/caf\xc3\xa9"};
  for (size_t i = 0; i < sizeof bad_targets / sizeof bad_targets[0]; i++) {
    r = req_init("GET", bad_targets[i], "h");
    expect_invalid(&r);
  }
  static const char *const bad_auth[] = {"a b", "h/x", "u@h", "h?", "h#",
                                         "h\r\nX: y", "h\x80"};
  for (size_t i = 0; i < sizeof bad_auth / sizeof bad_auth[0]; i++) {
    r = req_init("GET", "/", bad_auth[i]);
    expect_invalid(&r);
  }
  /* field names must be tokens; values no CTL (CR, LF, NUL, ...) */
  static const struct {
    const char *n, *v;
  } bad_fields[] = {
      {"", "v"},       {"X A", "v"},     {"X:A", "v"},   {"X\r\nY", "v"},
      {"X\xc3\xa9", "v"}, {"X", "a\r\nInjected: 1"}, {"X", "a\rb"},
      {"X", "a\nb"},   {"X", "\x01"},    {"X", "a\x7f"},
      {"Content-Length", "5"}, {"transfer-encoding", "chunked"},
  };
  for (size_t i = 0; i < sizeof bad_fields / sizeof bad_fields[0]; i++) {
    hyper_field f[1] = {fld(bad_fields[i].n, bad_fields[i].v)};
    r = req_init("POST", "/", "h");
    r.fields = f;
    r.nfields = 1;
    expect_invalid(&r);
  }
  /* NUL in a value (strlen cannot express it) */
  hyper_field nul;
  nul.name = (const uint8_t *)"X";
  nul.name_len = 1;
  nul.value = (const uint8_t *)"a\0b";
  nul.value_len = 3;
  nul.flags = 0;
  r = req_init("GET", "/", "h");
  r.fields = &nul;
  r.nfields = 1;
  expect_invalid(&r);
  /* other arguments */
  r = req_init("GET", "/", "h");
  r.content_length = -3;
  expect_invalid(&r);
  r.content_length = HYPER_H1_LENGTH_NONE;
  r.flags = 0x80;
  expect_invalid(&r);
  r.flags = 0;
  r.nfields = 2; /* fields NULL */
  expect_invalid(&r);
  r.nfields = 0;
  size_t w;
  uint8_t buf[64];
  assert_int_equal(hyper_h1_write_request(&r, NULL, 10, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_write_request(&r, buf, sizeof buf, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_write_request(NULL, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_request_len(&r, NULL), HYPER_ERR_INVALID_ARGUMENT);
}

static void test_h1_write_request_flags(void **state) {
  (void)state;
  hyper_h1_request r = req_init("GET", "/", "h");
  assert_int_equal(hyper_h1_request_flags(&r), 0);
  assert_int_equal(hyper_h1_request_flags(NULL), 0);
  r.method = sl("HEAD");
  assert_int_equal(hyper_h1_request_flags(&r), HYPER_H1_REQ_HEAD);
  r.method = sl("head"); /* methods are case-sensitive */
  assert_int_equal(hyper_h1_request_flags(&r), 0);
  r.method = sl("CONNECT");
  assert_int_equal(hyper_h1_request_flags(&r), HYPER_H1_REQ_CONNECT);
  hyper_field f[3] = {fld("Connection", "Upgrade, HTTP2-Settings"),
                      fld("Upgrade", "h2c"), fld("HTTP2-Settings", "AAMAAABk")};
  r = req_init("GET", "/", "h");
  r.fields = f;
  r.nfields = 3;
  assert_int_equal(hyper_h1_request_flags(&r), HYPER_H1_REQ_UPGRADE);
  hyper_field c[2] = {fld("Connection", "keep-alive"),
                      fld("connection", " x ,CLOSE ")};
  r.fields = c;
  r.nfields = 1;
  assert_int_equal(hyper_h1_request_flags(&r), 0);
  r.nfields = 2;
  assert_int_equal(hyper_h1_request_flags(&r), HYPER_H1_REQ_CLOSE);
  hyper_field nc[1] = {fld("Connection", "closed")};
  r.fields = nc;
  r.nfields = 1;
  assert_int_equal(hyper_h1_request_flags(&r), 0);
}

static void test_h1_write_chunks(void **state) {
  (void)state;
  uint8_t buf[64];
  size_t w;
  static const struct {
    uint64_t size;
    const char *want;
  } heads[] = {
      {1, "1\r\n"},
      {15, "f\r\n"},
      {16, "10\r\n"},
      {255, "ff\r\n"},
      {4096, "1000\r\n"},
      {UINT64_MAX, "ffffffffffffffff\r\n"},
  };
  for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
    size_t n = strlen(heads[i].want);
    assert_true(n <= HYPER_H1_CHUNK_HEAD_MAX);
    memset(buf, 0xA5, sizeof buf);
    assert_int_equal(hyper_h1_write_chunk_head(heads[i].size, buf, n - 1, &w),
                     HYPER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w, n);
    assert_int_equal(buf[0], 0xA5);
    assert_int_equal(hyper_h1_write_chunk_head(heads[i].size, buf, n, &w), 0);
    assert_int_equal(w, n);
    assert_memory_equal(buf, heads[i].want, n);
  }
  assert_int_equal(hyper_h1_write_chunk_head(0, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_write_chunk_head(1, NULL, 5, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_write_chunk_head(1, buf, 5, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);

  /* whole chunks */
  assert_int_equal(hyper_h1_write_chunk((const uint8_t *)"hello", 5, buf,
                                        sizeof buf, &w),
                   0);
  assert_int_equal(w, 10);
  assert_memory_equal(buf, "5\r\nhello\r\n", 10);
  memset(buf, 0xA5, sizeof buf);
  assert_int_equal(hyper_h1_write_chunk((const uint8_t *)"hello", 5, buf, 9,
                                        &w),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(w, 10);
  assert_int_equal(buf[0], 0xA5);
  w = 99;
  assert_int_equal(hyper_h1_write_chunk(NULL, 0, NULL, 0, &w), 0);
  assert_int_equal(w, 0);
  assert_int_equal(hyper_h1_write_chunk(NULL, 3, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);

  /* the last chunk, with and without trailers */
  assert_int_equal(hyper_h1_write_last_chunk(NULL, 0, buf, sizeof buf, &w), 0);
  assert_int_equal(w, 5);
  assert_memory_equal(buf, "0\r\n\r\n", 5);
  hyper_field t[2] = {fld("X-Checksum", "abc"), fld("Server-Timing", "a;dur=1")};
  const char *want = "0\r\nX-Checksum: abc\r\nServer-Timing: a;dur=1\r\n\r\n";
  size_t n = strlen(want);
  memset(buf, 0xA5, sizeof buf);
  assert_int_equal(hyper_h1_write_last_chunk(t, 2, buf, n - 1, &w),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(w, n);
  assert_int_equal(buf[0], 0xA5);
  assert_int_equal(hyper_h1_write_last_chunk(t, 2, buf, n, &w), 0);
  assert_int_equal(w, n);
  assert_memory_equal(buf, want, n);
  static const char *const forbidden[] = {"Content-Length", "Host",
                                          "Transfer-Encoding", "Bad Name"};
  for (size_t i = 0; i < 4; i++) {
    hyper_field f[1] = {fld(forbidden[i], "1")};
    assert_int_equal(hyper_h1_write_last_chunk(f, 1, buf, sizeof buf, &w),
                     HYPER_ERR_INVALID_ARGUMENT);
  }
  hyper_field inj[1] = {fld("X", "a\r\n\r\nsmuggled")};
  assert_int_equal(hyper_h1_write_last_chunk(inj, 1, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_write_last_chunk(NULL, 1, buf, sizeof buf, &w),
                   HYPER_ERR_INVALID_ARGUMENT);
}

/* What the writer frames, the decoder reads back: data and trailers. */
static void test_h1_write_chunked_roundtrip(void **state) {
  (void)state;
  static uint8_t wire[70000];
  uint8_t src[5000];
  for (size_t i = 0; i < sizeof src; i++)
    src[i] = (uint8_t)(i * 7 + 3);
  size_t off = 0, w;
  /* pieces of 1, 2, 3, ... octets, some through the zero-copy head */
  size_t taken = 0;
  for (size_t piece = 1; taken < sizeof src; piece++) {
    size_t n = piece < sizeof src - taken ? piece : sizeof src - taken;
    if (piece % 2) {
      assert_int_equal(hyper_h1_write_chunk(src + taken, n, wire + off,
                                            sizeof wire - off, &w),
                       0);
      off += w;
    } else {
      assert_int_equal(hyper_h1_write_chunk_head(n, wire + off,
                                                 sizeof wire - off, &w),
                       0);
      off += w;
      memcpy(wire + off, src + taken, n);
      off += n;
      memcpy(wire + off, "\r\n", 2);
      off += 2;
    }
    taken += n;
  }
  hyper_field t[2] = {fld("Digest", "sha-256=abc"), fld("X-N", "2")};
  assert_int_equal(hyper_h1_write_last_chunk(t, 2, wire + off,
                                             sizeof wire - off, &w),
                   0);
  off += w;

  hyper_h1_chunked c;
  hyper_h1_chunked_init(&c, NULL);
  uint8_t *got = malloc(sizeof src);
  assert_non_null(got);
  size_t glen = 0, pos = 0;
  int done = 0;
  hyper_h1_chunked_out o;
  while (!done) {
    int rv = hyper_h1_chunked_decode(&c, wire + pos, off - pos, &o);
    assert_true(rv >= 0);
    assert_true(glen + o.len <= sizeof src);
    if (o.len)
      memcpy(got + glen, o.data, o.len);
    glen += o.len;
    pos += (size_t)rv;
    done = o.done;
  }
  assert_int_equal(pos, off);
  assert_int_equal(glen, sizeof src);
  assert_memory_equal(got, src, sizeof src);
  hyper_field f[4];
  size_t nf;
  assert_int_equal(hyper_h1_parse_fields(o.trailers.ptr, o.trailers.len, NULL,
                                         f, 4, &nf),
                   0);
  assert_int_equal(nf, 2);
  assert_int_equal(f[0].value_len, 11);
  assert_memory_equal(f[0].value, "sha-256=abc", 11);
  free(got);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_h1_write_get),
      cmocka_unit_test(test_h1_write_bodies),
      cmocka_unit_test(test_h1_write_host_from_fields),
      cmocka_unit_test(test_h1_write_validation),
      cmocka_unit_test(test_h1_write_request_flags),
      cmocka_unit_test(test_h1_write_chunks),
      cmocka_unit_test(test_h1_write_chunked_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
