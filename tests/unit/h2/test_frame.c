/* Tests for the HTTP/2 frame codec (include/hyper/frame.h, src/h2/frame.c),
 * written from RFC 9113 §4 and §6, RFC 7838 §4 (ALTSVC), RFC 8336 §2 (ORIGIN)
 * and RFC 9218 §7.1 (PRIORITY_UPDATE): round trips for every type, every
 * validation rule with its wire code and connection/stream classification,
 * padding edges, reserved bits, frame size limits, unknown types, truncated
 * input, and a fixed-seed garbage run. Frames under test are built by hand
 * (mk()) so the parser is not only checked against the packer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hyper/frame.h"

/* ---- helpers ---------------------------------------------------------- */

#define CONN 1
#define STREAM 0
#define DEF_MAX HYPER_H2_DEFAULT_MAX_FRAME_SIZE

static uint8_t buf[70000];
static uint8_t out[70000];

/* Builds a frame by hand into |b|: header then |plen| payload octets. The
 * stream id is written as given, reserved bit included. Returns the size. */
static size_t mk(uint8_t *b, uint32_t plen, uint8_t type, uint8_t flags,
                 uint32_t sid_raw, const void *payload) {
  b[0] = (uint8_t)(plen >> 16);
  b[1] = (uint8_t)(plen >> 8);
  b[2] = (uint8_t)plen;
  b[3] = type;
  b[4] = flags;
  b[5] = (uint8_t)(sid_raw >> 24);
  b[6] = (uint8_t)(sid_raw >> 16);
  b[7] = (uint8_t)(sid_raw >> 8);
  b[8] = (uint8_t)sid_raw;
  if (plen && payload)
    memcpy(b + 9, payload, plen);
  return 9 + (size_t)plen;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* The per-type parse function for hdr->type, called directly. */
static int typed_parse(const hyper_h2_frame_hdr *h, const uint8_t *p,
                       size_t len, hyper_h2_frame *f, hyper_h2_frame_err *e) {
  switch (h->type) {
  case HYPER_H2_FRAME_DATA:
    return hyper_h2_frame_parse_data(h, p, len, &f->u.data, e);
  case HYPER_H2_FRAME_HEADERS:
    return hyper_h2_frame_parse_headers(h, p, len, &f->u.headers, e);
  case HYPER_H2_FRAME_PRIORITY:
    return hyper_h2_frame_parse_priority(h, p, len, &f->u.priority, e);
  case HYPER_H2_FRAME_RST_STREAM:
    return hyper_h2_frame_parse_rst_stream(h, p, len, &f->u.rst_stream, e);
  case HYPER_H2_FRAME_SETTINGS:
    return hyper_h2_frame_parse_settings(h, p, len, &f->u.settings, e);
  case HYPER_H2_FRAME_PUSH_PROMISE:
    return hyper_h2_frame_parse_push_promise(h, p, len, &f->u.push_promise,
                                             e);
  case HYPER_H2_FRAME_PING:
    return hyper_h2_frame_parse_ping(h, p, len, &f->u.ping, e);
  case HYPER_H2_FRAME_GOAWAY:
    return hyper_h2_frame_parse_goaway(h, p, len, &f->u.goaway, e);
  case HYPER_H2_FRAME_WINDOW_UPDATE:
    return hyper_h2_frame_parse_window_update(h, p, len, &f->u.window_update,
                                              e);
  case HYPER_H2_FRAME_CONTINUATION:
    return hyper_h2_frame_parse_continuation(h, p, len, &f->u.continuation, e);
  case HYPER_H2_FRAME_ALTSVC:
    return hyper_h2_frame_parse_altsvc(h, p, len, &f->u.altsvc, e);
  case HYPER_H2_FRAME_ORIGIN:
    return hyper_h2_frame_parse_origin(h, p, len, &f->u.origin, e);
  case HYPER_H2_FRAME_PRIORITY_UPDATE:
    return hyper_h2_frame_parse_priority_update(h, p, len,
                                                &f->u.priority_update, e);
  default:
    return hyper_h2_frame_parse_unknown(h, p, len, &f->u.unknown, e);
  }
}

/* Parses |n| octets of |b| as one frame with the generic entry point and,
 * independently, with header_parse + check_header + the typed function; both
 * must agree. Returns the generic result. */
static int parse2(const uint8_t *b, size_t n, hyper_h2_frame *f,
                  hyper_h2_frame_err *e) {
  int rv = hyper_h2_frame_parse(b, n, DEF_MAX, f, e);
  hyper_h2_frame f2;
  hyper_h2_frame_err e2 = {HYPER_H2_NO_ERROR, -1, NULL};
  assert_int_equal(hyper_h2_frame_header_parse(b, &f2.hdr), 0);
  int rv2 = hyper_h2_frame_check_header(&f2.hdr, DEF_MAX, &e2);
  if (rv2 == 0)
    rv2 = typed_parse(&f2.hdr, b + 9, n - 9, &f2, &e2);
  if (rv > 0) {
    assert_int_equal(rv2, 0);
    assert_int_equal(rv, (int)(9 + f->hdr.length));
  } else {
    assert_int_equal(rv2, rv);
    if (rv != HYPER_ERR_INCOMPLETE && rv != HYPER_ERR_INVALID_ARGUMENT) {
      assert_int_equal(e2.code, e->code);
      assert_int_equal(e2.connection, e->connection);
      assert_non_null(e->desc);
    }
  }
  return rv;
}

/* Parses and expects success; returns the parsed frame in |f|. */
static void ok(const uint8_t *b, size_t n, hyper_h2_frame *f) {
  hyper_h2_frame_err e = {HYPER_H2_NO_ERROR, 0, NULL};
  int rv = parse2(b, n, f, &e);
  if (rv < 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                e.desc ? e.desc : "-");
  assert_int_equal(rv, (int)n);
}

/* Parses and expects failure |lib| with wire |code| and classification. */
static void bad(const uint8_t *b, size_t n, int lib, hyper_h2_code code,
                int conn) {
  hyper_h2_frame f;
  hyper_h2_frame_err e = {HYPER_H2_NO_ERROR, -1, NULL};
  int rv = parse2(b, n, &f, &e);
  assert_int_equal(rv, lib);
  assert_int_equal(e.code, code);
  assert_int_equal(e.connection, conn);
}

static int slice_eq(hyper_slice s, const char *str) {
  return s.len == strlen(str) && (s.len == 0 || memcmp(s.ptr, str, s.len) == 0);
}

/* A slice must lie inside [base, base + n). */
static void assert_within(hyper_slice s, const uint8_t *base, size_t n) {
  if (s.len == 0)
    return;
  assert_true(s.ptr >= base);
  assert_true(s.ptr + s.len <= base + n);
}

/* ---- frame header ----------------------------------------------------- */

static void test_frame_header_parse_fields(void **state) {
  (void)state;
  const uint8_t in[9] = {0x01, 0x02, 0x03, 0x07, 0xa5, 0x12, 0x34, 0x56, 0x78};
  hyper_h2_frame_hdr h;
  assert_int_equal(hyper_h2_frame_header_parse(in, &h), 0);
  assert_int_equal(h.length, 0x010203);
  assert_int_equal(h.type, 7);
  assert_int_equal(h.flags, 0xa5);
  assert_int_equal(h.stream_id, 0x12345678);
}

static void test_frame_header_reserved_bit_ignored(void **state) {
  (void)state;
  const uint8_t in[9] = {0, 0, 0, 0, 0, 0x80, 0, 0, 0x03};
  hyper_h2_frame_hdr h;
  assert_int_equal(hyper_h2_frame_header_parse(in, &h), 0);
  assert_int_equal(h.stream_id, 3);
  const uint8_t all[9] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  assert_int_equal(hyper_h2_frame_header_parse(all, &h), 0);
  assert_int_equal(h.stream_id, HYPER_H2_MAX_STREAM_ID);
  assert_int_equal(h.length, HYPER_H2_MAX_FRAME_SIZE_LIMIT);
}

static void test_frame_header_pack_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame_hdr h = {0xabcdef, 0x42, 0x81, 0x7fffffff}, g;
  uint8_t b[9];
  assert_int_equal(hyper_h2_frame_pack_header(b, &h), 9);
  const uint8_t want[9] = {0xab, 0xcd, 0xef, 0x42, 0x81,
                           0x7f, 0xff, 0xff, 0xff};
  assert_memory_equal(b, want, 9);
  assert_int_equal(hyper_h2_frame_header_parse(b, &g), 0);
  assert_int_equal(g.length, h.length);
  assert_int_equal(g.type, h.type);
  assert_int_equal(g.flags, h.flags);
  assert_int_equal(g.stream_id, h.stream_id);
  h.stream_id = 0x80000001u; /* reserved bit may not be sent */
  assert_int_equal(hyper_h2_frame_pack_header(b, &h),
                   HYPER_ERR_INVALID_ARGUMENT);
  h.stream_id = 1;
  h.length = 0x1000000;
  assert_int_equal(hyper_h2_frame_pack_header(b, &h),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_header_parse(NULL, &g),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_header_parse(b, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_code_names(void **state) {
  (void)state;
  assert_string_equal(hyper_h2_code_name(HYPER_H2_NO_ERROR), "NO_ERROR");
  assert_string_equal(hyper_h2_code_name(HYPER_H2_PROTOCOL_ERROR),
                      "PROTOCOL_ERROR");
  assert_string_equal(hyper_h2_code_name(HYPER_H2_FRAME_SIZE_ERROR),
                      "FRAME_SIZE_ERROR");
  assert_string_equal(hyper_h2_code_name(HYPER_H2_HTTP_1_1_REQUIRED),
                      "HTTP_1_1_REQUIRED");
  assert_string_equal(hyper_h2_code_name(0xe), "UNKNOWN");
  assert_string_equal(hyper_h2_code_name(0xffffffffu), "UNKNOWN");
  for (uint32_t c = 0; c <= 0xd; c++)
    assert_string_not_equal(hyper_h2_code_name(c), "UNKNOWN");
}

/* ---- max frame size (RFC 9113 §4.2) ----------------------------------- */

static void test_frame_max_size_default_boundary(void **state) {
  (void)state;
  hyper_h2_frame f;
  size_t n = mk(buf, 16384, HYPER_H2_FRAME_DATA, 0, 1, NULL);
  memset(buf + 9, 'x', 16384);
  ok(buf, n, &f);
  assert_int_equal(f.u.data.data.len, 16384);
  n = mk(buf, 16385, HYPER_H2_FRAME_DATA, 0, 1, NULL);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_max_size_before_payload(void **state) {
  (void)state;
  /* Only the header is there: an oversized frame is refused at once. */
  hyper_h2_frame f;
  hyper_h2_frame_err e;
  mk(buf, 16385, 0xfe, 0, 3, NULL);
  assert_int_equal(hyper_h2_frame_parse(buf, 9, DEF_MAX, &f, &e),
                   HYPER_ERR_H2_FRAME_SIZE);
  assert_int_equal(e.code, HYPER_H2_FRAME_SIZE_ERROR);
  assert_int_equal(e.connection, 1);
  assert_int_equal(f.hdr.type, 0xfe);
  /* PRIORITY size errors are stream errors, but not when over the max. */
  mk(buf, 20000, HYPER_H2_FRAME_PRIORITY, 0, 3, NULL);
  assert_int_equal(hyper_h2_frame_parse(buf, 9, DEF_MAX, &f, &e),
                   HYPER_ERR_H2_FRAME_SIZE);
  assert_int_equal(e.connection, 1);
}

static void test_frame_max_size_local_setting(void **state) {
  (void)state;
  hyper_h2_frame_hdr h = {16385, HYPER_H2_FRAME_DATA, 0, 1};
  hyper_h2_frame_err e;
  assert_int_equal(hyper_h2_frame_check_header(&h, 16385, &e), 0);
  assert_int_equal(hyper_h2_frame_check_header(&h, 16384, &e),
                   HYPER_ERR_H2_FRAME_SIZE);
  h.length = HYPER_H2_MAX_FRAME_SIZE_LIMIT;
  assert_int_equal(
      hyper_h2_frame_check_header(&h, HYPER_H2_MAX_FRAME_SIZE_LIMIT, &e), 0);
  /* The local setting itself must be legal. */
  assert_int_equal(hyper_h2_frame_check_header(&h, 16383, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_check_header(&h, 0x1000000, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_check_header(NULL, DEF_MAX, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* err may be NULL */
  h.length = 20000;
  assert_int_equal(hyper_h2_frame_check_header(&h, DEF_MAX, NULL),
                   HYPER_ERR_H2_FRAME_SIZE);
}

/* ---- DATA (§6.1) ------------------------------------------------------ */

static void test_frame_data_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_data(out, sizeof out, 5,
                                   HYPER_H2_FLAG_END_STREAM,
                                   (const uint8_t *)"hello", 5,
                                   HYPER_H2_NO_PADDING);
  assert_int_equal(n, 14);
  const uint8_t want[] = {0, 0, 5, 0, 1, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.hdr.stream_id, 5);
  assert_int_equal(f.hdr.flags, HYPER_H2_FLAG_END_STREAM);
  assert_true(slice_eq(f.u.data.data, "hello"));
  assert_int_equal(f.u.data.padded, 0);
  assert_int_equal(f.u.data.flow_controlled_len, 5);
  assert_within(f.u.data.data, out, (size_t)n);
}

static void test_frame_data_padded_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_data(out, sizeof out, 1, 0,
                                   (const uint8_t *)"abc", 3, 4);
  assert_int_equal(n, 9 + 1 + 3 + 4);
  assert_int_equal(out[4], HYPER_H2_FLAG_PADDED);
  assert_int_equal(out[9], 4);
  for (int i = 0; i < 4; i++)
    assert_int_equal(out[13 + i], 0); /* padding MUST be zero when sending */
  ok(out, (size_t)n, &f);
  assert_true(slice_eq(f.u.data.data, "abc"));
  assert_int_equal(f.u.data.padded, 1);
  assert_int_equal(f.u.data.pad_len, 4);
  /* §6.1: the entire payload counts, Pad Length and padding included */
  assert_int_equal(f.u.data.flow_controlled_len, 8);
}

static void test_frame_data_pad_length_zero(void **state) {
  (void)state;
  /* "A frame can be increased in size by one octet by including a Pad Length
   * field with a value of zero." */
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_data(out, sizeof out, 1, 0,
                                   (const uint8_t *)"ab", 2, 0);
  assert_int_equal(n, 9 + 3);
  ok(out, (size_t)n, &f);
  assert_true(slice_eq(f.u.data.data, "ab"));
  assert_int_equal(f.u.data.pad_len, 0);
  assert_int_equal(f.u.data.flow_controlled_len, 3);
}

static void test_frame_data_pad_length_payload_minus_one(void **state) {
  (void)state;
  /* payload 5 = Pad Length octet + 4 padding: empty data, still valid */
  hyper_h2_frame f;
  const uint8_t p[5] = {4, 0, 0, 0, 0};
  size_t n = mk(buf, 5, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_PADDED, 1, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.data.data.len, 0);
  assert_int_equal(f.u.data.flow_controlled_len, 5);
}

static void test_frame_data_pad_length_too_long(void **state) {
  (void)state;
  /* padding length == payload length, and greater: connection PROTOCOL */
  const uint8_t p5[5] = {5, 0, 0, 0, 0};
  size_t n = mk(buf, 5, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_PADDED, 1, p5);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  const uint8_t p255[3] = {255, 'a', 'b'};
  n = mk(buf, 3, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_PADDED, 1, p255);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  const uint8_t p1[1] = {1};
  n = mk(buf, 1, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_PADDED, 1, p1);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void test_frame_data_padded_empty_payload(void **state) {
  (void)state;
  /* PADDED but no room for the Pad Length octet: too small (§4.2) */
  size_t n = mk(buf, 0, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_PADDED, 1, NULL);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_data_stream_zero(void **state) {
  (void)state;
  size_t n = mk(buf, 2, HYPER_H2_FRAME_DATA, 0, 0, "hi");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  /* the reserved bit does not make a stream id */
  n = mk(buf, 2, HYPER_H2_FRAME_DATA, 0, 0x80000000u, "hi");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void test_frame_data_empty_and_unused_flags(void **state) {
  (void)state;
  hyper_h2_frame f;
  /* 0x20 (PRIORITY) and 0x04 are unused for DATA and must be ignored */
  size_t n = mk(buf, 3, HYPER_H2_FRAME_DATA, 0x20 | 0x04 | 0x02 | 0x01,
                0x80000007u, "xyz");
  ok(buf, n, &f);
  assert_int_equal(f.hdr.stream_id, 7);
  assert_true(slice_eq(f.u.data.data, "xyz"));
  n = mk(buf, 0, HYPER_H2_FRAME_DATA, HYPER_H2_FLAG_END_STREAM, 1, NULL);
  ok(buf, n, &f);
  assert_int_equal(f.u.data.data.len, 0);
  assert_int_equal(f.u.data.flow_controlled_len, 0);
}

static void test_frame_data_pack_errors(void **state) {
  (void)state;
  const uint8_t d[4] = {'a', 'b', 'c', 'd'};
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 0, 0, d, 4, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(
      hyper_h2_frame_pack_data(out, sizeof out, 0x80000001u, 0, d, 4, -1),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 1,
                                            HYPER_H2_FLAG_PADDED, d, 4, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 1, 0, d, 4, 256),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 1, 0, d, 4, -2),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 1, 0, NULL, 4, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(
      hyper_h2_frame_pack_data(out, sizeof out, 1, 0, d, 0x1000000, -1),
      HYPER_ERR_INVALID_ARGUMENT);
  /* exact size: 9 + 1 + 4 + 255 */
  assert_int_equal(hyper_h2_frame_pack_data(out, 268, 1, 0, d, 4, 255),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_data(out, 269, 1, 0, d, 4, 255), 269);
  assert_int_equal(hyper_h2_frame_pack_data(NULL, 0, 1, 0, d, 4, -1),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  /* empty DATA with END_STREAM and no data pointer is fine */
  assert_int_equal(hyper_h2_frame_pack_data(out, sizeof out, 1,
                                            HYPER_H2_FLAG_END_STREAM, NULL, 0,
                                            -1),
                   9);
}

/* ---- HEADERS (§6.2) --------------------------------------------------- */

static void test_frame_headers_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_headers(
      out, sizeof out, 3, HYPER_H2_FLAG_END_HEADERS | HYPER_H2_FLAG_END_STREAM,
      NULL, (const uint8_t *)"\x82\x86", 2, HYPER_H2_NO_PADDING);
  assert_int_equal(n, 11);
  const uint8_t want[] = {0, 0, 2, 1, 5, 0, 0, 0, 3, 0x82, 0x86};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_true(slice_eq(f.u.headers.block, "\x82\x86"));
  assert_int_equal(f.u.headers.has_priority, 0);
  assert_int_equal(f.u.headers.padded, 0);
}

static void test_frame_headers_priority_padded_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  hyper_h2_priority_spec pr = {0x7fffffff, 1, 255};
  int n = hyper_h2_frame_pack_headers(out, sizeof out, 9,
                                      HYPER_H2_FLAG_END_HEADERS, &pr,
                                      (const uint8_t *)"blk", 3, 2);
  assert_int_equal(n, 9 + 1 + 5 + 3 + 2);
  assert_int_equal(out[4], HYPER_H2_FLAG_END_HEADERS | HYPER_H2_FLAG_PADDED |
                               HYPER_H2_FLAG_PRIORITY);
  ok(out, (size_t)n, &f);
  assert_true(slice_eq(f.u.headers.block, "blk"));
  assert_int_equal(f.u.headers.has_priority, 1);
  assert_int_equal(f.u.headers.priority.exclusive, 1);
  assert_int_equal(f.u.headers.priority.stream_dependency, 0x7fffffff);
  assert_int_equal(f.u.headers.priority.weight, 255);
  assert_int_equal(f.u.headers.pad_len, 2);
  assert_within(f.u.headers.block, out, (size_t)n);
}

static void test_frame_headers_priority_fields(void **state) {
  (void)state;
  /* Exclusive is the top bit of the dependency word */
  hyper_h2_frame f;
  const uint8_t p[6] = {0x00, 0x00, 0x00, 0x05, 16, 0x88};
  size_t n = mk(buf, 6, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PRIORITY, 7, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.headers.priority.exclusive, 0);
  assert_int_equal(f.u.headers.priority.stream_dependency, 5);
  assert_int_equal(f.u.headers.priority.weight, 16);
  assert_int_equal(f.u.headers.block.len, 1);
  /* self-dependency is not a codec error (RFC 9113 dropped the rule) */
  const uint8_t q[5] = {0x80, 0x00, 0x00, 0x07, 0};
  n = mk(buf, 5, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PRIORITY, 7, q);
  ok(buf, n, &f);
  assert_int_equal(f.u.headers.priority.exclusive, 1);
  assert_int_equal(f.u.headers.priority.stream_dependency, 7);
  assert_int_equal(f.u.headers.block.len, 0);
}

static void test_frame_headers_empty_block(void **state) {
  (void)state;
  hyper_h2_frame f;
  size_t n = mk(buf, 0, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_END_HEADERS, 1,
                NULL);
  ok(buf, n, &f);
  assert_int_equal(f.u.headers.block.len, 0);
  /* padded, nothing but padding */
  const uint8_t p[3] = {2, 0, 0};
  n = mk(buf, 3, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PADDED, 1, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.headers.block.len, 0);
}

static void test_frame_headers_stream_zero(void **state) {
  (void)state;
  size_t n = mk(buf, 1, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_END_HEADERS, 0,
                "\x82");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void test_frame_headers_priority_too_short(void **state) {
  (void)state;
  /* PRIORITY flag but fewer than 5 octets: FRAME_SIZE, connection (§4.2:
   * frames carrying a field block) */
  size_t n = mk(buf, 4, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PRIORITY, 1,
                "\0\0\0\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  /* PADDED + PRIORITY needs 6 */
  n = mk(buf, 5, HYPER_H2_FRAME_HEADERS,
         HYPER_H2_FLAG_PRIORITY | HYPER_H2_FLAG_PADDED, 1, "\0\0\0\0\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 0, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PADDED, 1, NULL);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_headers_pad_too_long(void **state) {
  (void)state;
  const uint8_t p[4] = {4, 'a', 0, 0};
  size_t n = mk(buf, 4, HYPER_H2_FRAME_HEADERS, HYPER_H2_FLAG_PADDED, 1, p);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  /* padding that fits the payload but overlaps the priority fields */
  const uint8_t q[8] = {5, 0, 0, 0, 3, 16, 0, 0};
  n = mk(buf, 8, HYPER_H2_FRAME_HEADERS,
         HYPER_H2_FLAG_PADDED | HYPER_H2_FLAG_PRIORITY, 1, q);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  /* exactly filling what follows the priority fields is fine */
  const uint8_t r[8] = {2, 0, 0, 0, 3, 16, 0, 0};
  hyper_h2_frame f;
  n = mk(buf, 8, HYPER_H2_FRAME_HEADERS,
         HYPER_H2_FLAG_PADDED | HYPER_H2_FLAG_PRIORITY, 1, r);
  ok(buf, n, &f);
  assert_int_equal(f.u.headers.block.len, 0);
}

static void test_frame_headers_pack_errors(void **state) {
  (void)state;
  hyper_h2_priority_spec pr = {0x80000000u, 0, 0};
  assert_int_equal(hyper_h2_frame_pack_headers(out, sizeof out, 0, 0, NULL,
                                               (const uint8_t *)"a", 1, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_headers(out, sizeof out, 1,
                                               HYPER_H2_FLAG_PRIORITY, NULL,
                                               (const uint8_t *)"a", 1, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_headers(out, sizeof out, 1, 0, &pr,
                                               (const uint8_t *)"a", 1, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  pr.stream_dependency = 3;
  /* exact size 9 + 1 + 5 + 1 + 7 = 23 */
  assert_int_equal(hyper_h2_frame_pack_headers(out, 22, 1, 0, &pr,
                                               (const uint8_t *)"a", 1, 7),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_headers(out, 23, 1, 0, &pr,
                                               (const uint8_t *)"a", 1, 7),
                   23);
}

/* ---- PRIORITY (§6.3) -------------------------------------------------- */

static void test_frame_priority_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  hyper_h2_priority_spec pr = {11, 1, 42};
  int n = hyper_h2_frame_pack_priority(out, sizeof out, 13, &pr);
  assert_int_equal(n, 14);
  const uint8_t want[] = {0, 0, 5, 2, 0, 0, 0, 0, 13, 0x80, 0, 0, 11, 42};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.priority.priority.stream_dependency, 11);
  assert_int_equal(f.u.priority.priority.exclusive, 1);
  assert_int_equal(f.u.priority.priority.weight, 42);
  assert_int_equal(hyper_h2_frame_pack_priority(out, 13, 13, &pr),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_priority(out, sizeof out, 0, &pr),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_priority(out, sizeof out, 1, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_priority_bad_length_is_stream_error(void **state) {
  (void)state;
  size_t n = mk(buf, 4, HYPER_H2_FRAME_PRIORITY, 0, 3, "\0\0\0\1");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, STREAM);
  n = mk(buf, 6, HYPER_H2_FRAME_PRIORITY, 0, 3, "\0\0\0\1\0\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, STREAM);
  n = mk(buf, 0, HYPER_H2_FRAME_PRIORITY, 0, 3, NULL);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, STREAM);
}

static void test_frame_priority_stream_zero(void **state) {
  (void)state;
  size_t n = mk(buf, 5, HYPER_H2_FRAME_PRIORITY, 0, 0, "\0\0\0\1\0");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  /* stream 0 wins over the length */
  n = mk(buf, 4, HYPER_H2_FRAME_PRIORITY, 0, 0, "\0\0\0\1");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

/* ---- RST_STREAM (§6.4) ------------------------------------------------ */

static void test_frame_rst_stream_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_rst_stream(out, sizeof out, 1,
                                         HYPER_H2_CANCEL);
  assert_int_equal(n, 13);
  const uint8_t want[] = {0, 0, 4, 3, 0, 0, 0, 0, 1, 0, 0, 0, 8};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.rst_stream.error_code, HYPER_H2_CANCEL);
  /* unknown codes pass through (§7: no special behaviour) */
  n = hyper_h2_frame_pack_rst_stream(out, sizeof out, 1, 0xdeadbeefu);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.rst_stream.error_code, 0xdeadbeefu);
  assert_int_equal(hyper_h2_frame_pack_rst_stream(out, 12, 1, 0),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_rst_stream(out, sizeof out, 0, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_rst_stream_bad_length(void **state) {
  (void)state;
  size_t n = mk(buf, 3, HYPER_H2_FRAME_RST_STREAM, 0, 1, "\0\0\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 5, HYPER_H2_FRAME_RST_STREAM, 0, 1, "\0\0\0\0\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_rst_stream_stream_zero(void **state) {
  (void)state;
  size_t n = mk(buf, 4, HYPER_H2_FRAME_RST_STREAM, 0, 0, "\0\0\0\1");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

/* ---- SETTINGS (§6.5) -------------------------------------------------- */

static size_t settings_frame(uint8_t *b, const hyper_h2_setting *s, size_t n,
                             uint8_t flags, uint32_t sid) {
  uint8_t p[600];
  for (size_t i = 0; i < n; i++) {
    p[6 * i] = (uint8_t)(s[i].id >> 8);
    p[6 * i + 1] = (uint8_t)s[i].id;
    put32(p + 6 * i + 2, s[i].value);
  }
  return mk(b, (uint32_t)(6 * n), HYPER_H2_FRAME_SETTINGS, flags, sid, p);
}

static void test_frame_settings_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  const hyper_h2_setting s[] = {
      {HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, 0},
      {HYPER_H2_SETTINGS_ENABLE_PUSH, 0},
      {HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff},
      {HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16384},
      {HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE, 0xffffffffu},
      {HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1},
      {HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  int n = hyper_h2_frame_pack_settings(out, sizeof out, s, 8);
  assert_int_equal(n, 9 + 48);
  const uint8_t head[] = {0, 0, 48, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  assert_memory_equal(out, head, sizeof head);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.settings.ack, 0);
  assert_int_equal(f.u.settings.count, 8);
  for (size_t i = 0; i < 8; i++) {
    hyper_h2_setting e;
    assert_int_equal(hyper_h2_frame_settings_get(&f.u.settings, i, &e), 0);
    assert_int_equal(e.id, s[i].id);
    assert_int_equal(e.value, s[i].value);
  }
  hyper_h2_setting e;
  assert_int_equal(hyper_h2_frame_settings_get(&f.u.settings, 8, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_settings_get(NULL, 0, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_settings_get(&f.u.settings, 0, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_settings_empty_and_ack(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_settings(out, sizeof out, NULL, 0);
  assert_int_equal(n, 9);
  ok(out, 9, &f);
  assert_int_equal(f.u.settings.ack, 0);
  assert_int_equal(f.u.settings.count, 0);
  n = hyper_h2_frame_pack_settings_ack(out, sizeof out);
  const uint8_t want[9] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
  assert_int_equal(n, 9);
  assert_memory_equal(out, want, 9);
  ok(out, 9, &f);
  assert_int_equal(f.u.settings.ack, 1);
  assert_int_equal(f.u.settings.count, 0);
  assert_int_equal(hyper_h2_frame_pack_settings_ack(out, 8),
                   HYPER_ERR_BUFFER_TOO_SMALL);
}

static void test_frame_settings_ack_with_payload(void **state) {
  (void)state;
  const hyper_h2_setting s[] = {{HYPER_H2_SETTINGS_ENABLE_PUSH, 0}};
  size_t n = settings_frame(buf, s, 1, HYPER_H2_FLAG_ACK, 0);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 1, HYPER_H2_FRAME_SETTINGS, HYPER_H2_FLAG_ACK, 0, "\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_settings_length_not_multiple_of_6(void **state) {
  (void)state;
  for (uint32_t len = 1; len < 13; len++) {
    if (len % 6 == 0)
      continue;
    uint8_t p[13] = {0};
    size_t n = mk(buf, len, HYPER_H2_FRAME_SETTINGS, 0, 0, p);
    bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  }
}

static void test_frame_settings_nonzero_stream(void **state) {
  (void)state;
  size_t n = settings_frame(buf, NULL, 0, 0, 1);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  n = settings_frame(buf, NULL, 0, HYPER_H2_FLAG_ACK, 3);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void settings_value_case(uint16_t id, uint32_t value, int lib,
                                hyper_h2_code code) {
  /* the bad entry last, after a valid one: the whole frame fails */
  const hyper_h2_setting s[] = {{HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, 1},
                                {id, value}};
  size_t n = settings_frame(buf, s, 2, 0, 0);
  if (lib == 0) {
    hyper_h2_frame f;
    ok(buf, n, &f);
    assert_int_equal(f.u.settings.count, 2);
    assert_int_equal(hyper_h2_frame_pack_settings(out, sizeof out, s, 2),
                     (int)n);
    assert_memory_equal(out, buf, n);
  } else {
    bad(buf, n, lib, code, CONN);
    /* and the packer refuses to send it */
    assert_int_equal(hyper_h2_frame_pack_settings(out, sizeof out, s, 2),
                     HYPER_ERR_INVALID_ARGUMENT);
  }
}

static void test_frame_settings_enable_push_values(void **state) {
  (void)state;
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_PUSH, 0, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_PUSH, 1, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_PUSH, 2, HYPER_ERR_H2_PROTOCOL,
                      HYPER_H2_PROTOCOL_ERROR);
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_PUSH, 0xffffffffu,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_frame_settings_initial_window_size(void **state) {
  (void)state;
  settings_value_case(HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff, 0,
                      0);
  settings_value_case(HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u,
                      HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR);
  settings_value_case(HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE, 0xffffffffu,
                      HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR);
}

static void test_frame_settings_max_frame_size(void **state) {
  (void)state;
  settings_value_case(HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16383,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
  settings_value_case(HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 0,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
  settings_value_case(HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16384, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16777215, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 16777216,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_frame_settings_boolean_extensions(void **state) {
  (void)state;
  /* RFC 8441 §3 and RFC 9218 §2.1: 0 or 1 only */
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 2,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
  settings_value_case(HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES, 1, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES, 7,
                      HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR);
}

static void test_frame_settings_unknown_ids_ignored(void **state) {
  (void)state;
  /* §6.5.2: unknown identifiers MUST be ignored, whatever the value; the
   * ones with unconstrained values take anything */
  settings_value_case(0x0, 0xffffffffu, 0, 0);
  settings_value_case(0x7, 12345, 0, 0);
  settings_value_case(0xa, 99, 0, 0);
  settings_value_case(0xffff, 0xffffffffu, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_HEADER_TABLE_SIZE, 0xffffffffu, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0, 0);
  settings_value_case(HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE, 0, 0, 0);
}

static void test_frame_settings_unused_flags(void **state) {
  (void)state;
  /* 0x08 is not PADDED on SETTINGS: the payload is read as entries */
  hyper_h2_frame f;
  const hyper_h2_setting s[] = {{HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS, 5}};
  size_t n = settings_frame(buf, s, 1, 0x08 | 0x20 | 0x04, 0);
  ok(buf, n, &f);
  assert_int_equal(f.u.settings.ack, 0);
  assert_int_equal(f.u.settings.count, 1);
}

/* ---- PUSH_PROMISE (§6.6) ---------------------------------------------- */

static void test_frame_push_promise_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_push_promise(out, sizeof out, 1,
                                           HYPER_H2_FLAG_END_HEADERS, 2,
                                           (const uint8_t *)"\x82", 1, -1);
  assert_int_equal(n, 14);
  const uint8_t want[] = {0, 0, 5, 5, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0x82};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.push_promise.promised_stream_id, 2);
  assert_true(slice_eq(f.u.push_promise.block, "\x82"));
  n = hyper_h2_frame_pack_push_promise(out, sizeof out, 1, 0, 0x7ffffffe,
                                       (const uint8_t *)"ab", 2, 3);
  assert_int_equal(n, 9 + 1 + 4 + 2 + 3);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.push_promise.promised_stream_id, 0x7ffffffe);
  assert_int_equal(f.u.push_promise.pad_len, 3);
  assert_true(slice_eq(f.u.push_promise.block, "ab"));
}

static void test_frame_push_promise_reserved_bit(void **state) {
  (void)state;
  hyper_h2_frame f;
  const uint8_t p[4] = {0x80, 0, 0, 4};
  size_t n = mk(buf, 4, HYPER_H2_FRAME_PUSH_PROMISE, 0, 1, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.push_promise.promised_stream_id, 4);
  assert_int_equal(f.u.push_promise.block.len, 0);
}

static void test_frame_push_promise_errors(void **state) {
  (void)state;
  const uint8_t p[4] = {0, 0, 0, 2};
  size_t n = mk(buf, 4, HYPER_H2_FRAME_PUSH_PROMISE, 0, 0, p);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  n = mk(buf, 3, HYPER_H2_FRAME_PUSH_PROMISE, 0, 1, p);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  const uint8_t q[5] = {0, 0, 0, 0, 2};
  n = mk(buf, 4, HYPER_H2_FRAME_PUSH_PROMISE, HYPER_H2_FLAG_PADDED, 1, q);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  /* promised stream 0 is never a legal new stream */
  const uint8_t z[4] = {0x80, 0, 0, 0};
  n = mk(buf, 4, HYPER_H2_FRAME_PUSH_PROMISE, 0, 1, z);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  /* padding longer than what follows the promised id */
  const uint8_t r[7] = {3, 0, 0, 0, 2, 0, 0};
  n = mk(buf, 7, HYPER_H2_FRAME_PUSH_PROMISE, HYPER_H2_FLAG_PADDED, 1, r);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  assert_int_equal(hyper_h2_frame_pack_push_promise(out, sizeof out, 1, 0, 0,
                                                    NULL, 0, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_push_promise(
                       out, sizeof out, 1, HYPER_H2_FLAG_END_STREAM, 2, NULL,
                       0, -1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_push_promise(out, 12, 1, 0, 2, NULL, 0,
                                                    -1),
                   HYPER_ERR_BUFFER_TOO_SMALL);
}

/* ---- PING (§6.7) ------------------------------------------------------ */

static void test_frame_ping_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  const uint8_t op[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int n = hyper_h2_frame_pack_ping(out, sizeof out, 0, op);
  assert_int_equal(n, 17);
  const uint8_t want[] = {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  assert_memory_equal(out, want, sizeof want);
  ok(out, 17, &f);
  assert_int_equal(f.u.ping.ack, 0);
  assert_memory_equal(f.u.ping.opaque, op, 8);
  n = hyper_h2_frame_pack_ping(out, sizeof out, 1, op);
  ok(out, 17, &f);
  assert_int_equal(f.u.ping.ack, 1);
  assert_int_equal(hyper_h2_frame_pack_ping(out, 16, 1, op),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_ping(out, 17, 1, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_ping_errors(void **state) {
  (void)state;
  uint8_t p[9] = {0};
  size_t n = mk(buf, 7, HYPER_H2_FRAME_PING, 0, 0, p);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 9, HYPER_H2_FRAME_PING, 0, 0, p);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 8, HYPER_H2_FRAME_PING, 0, 1, p);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void test_frame_ping_padded_flag_unused(void **state) {
  (void)state;
  /* PADDED means nothing on PING: the first octet is opaque data */
  hyper_h2_frame f;
  const uint8_t p[8] = {200, 1, 1, 1, 1, 1, 1, 1};
  size_t n = mk(buf, 8, HYPER_H2_FRAME_PING, HYPER_H2_FLAG_PADDED | 0x20, 0, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.ping.ack, 0);
  assert_memory_equal(f.u.ping.opaque, p, 8);
}

/* ---- GOAWAY (§6.8) ---------------------------------------------------- */

static void test_frame_goaway_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_goaway(out, sizeof out, 0x7fffffff,
                                     HYPER_H2_NO_ERROR,
                                     (const uint8_t *)"bye", 3);
  assert_int_equal(n, 20);
  const uint8_t want[] = {0, 0, 11, 7, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff,
                          0, 0, 0, 0, 'b', 'y', 'e'};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.goaway.last_stream_id, 0x7fffffff);
  assert_int_equal(f.u.goaway.error_code, 0);
  assert_true(slice_eq(f.u.goaway.debug_data, "bye"));
  n = hyper_h2_frame_pack_goaway(out, sizeof out, 0, 0x1234, NULL, 0);
  assert_int_equal(n, 17);
  ok(out, 17, &f);
  assert_int_equal(f.u.goaway.error_code, 0x1234);
  assert_int_equal(f.u.goaway.debug_data.len, 0);
  assert_int_equal(hyper_h2_frame_pack_goaway(out, 19, 1, 0,
                                              (const uint8_t *)"bye", 3),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(
      hyper_h2_frame_pack_goaway(out, sizeof out, 0x80000000u, 0, NULL, 0),
      HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_goaway_reserved_bit(void **state) {
  (void)state;
  hyper_h2_frame f;
  uint8_t p[8];
  put32(p, 0x80000005u);
  put32(p + 4, HYPER_H2_ENHANCE_YOUR_CALM);
  size_t n = mk(buf, 8, HYPER_H2_FRAME_GOAWAY, 0xff, 0, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.goaway.last_stream_id, 5);
  assert_int_equal(f.u.goaway.error_code, HYPER_H2_ENHANCE_YOUR_CALM);
}

static void test_frame_goaway_errors(void **state) {
  (void)state;
  uint8_t p[8] = {0};
  size_t n = mk(buf, 7, HYPER_H2_FRAME_GOAWAY, 0, 0, p);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 0, HYPER_H2_FRAME_GOAWAY, 0, 0, p);
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 8, HYPER_H2_FRAME_GOAWAY, 0, 3, p);
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

/* ---- WINDOW_UPDATE (§6.9) --------------------------------------------- */

static void test_frame_window_update_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_window_update(out, sizeof out, 0, 0x7fffffff);
  assert_int_equal(n, 13);
  const uint8_t want[] = {0, 0, 4, 8, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
  assert_memory_equal(out, want, sizeof want);
  ok(out, 13, &f);
  assert_int_equal(f.hdr.stream_id, 0);
  assert_int_equal(f.u.window_update.increment, 0x7fffffff);
  n = hyper_h2_frame_pack_window_update(out, sizeof out, 7, 1);
  ok(out, 13, &f);
  assert_int_equal(f.hdr.stream_id, 7);
  assert_int_equal(f.u.window_update.increment, 1);
}

static void test_frame_window_update_reserved_bit(void **state) {
  (void)state;
  hyper_h2_frame f;
  uint8_t p[4];
  put32(p, 0x80000010u);
  size_t n = mk(buf, 4, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 1, p);
  ok(buf, n, &f);
  assert_int_equal(f.u.window_update.increment, 16);
}

static void test_frame_window_update_zero_on_stream(void **state) {
  (void)state;
  /* §6.9: increment 0 on a stream is a stream error */
  size_t n = mk(buf, 4, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 5, "\0\0\0\0");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, STREAM);
  /* only the reserved bit set is still 0 */
  n = mk(buf, 4, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 5, "\x80\0\0\0");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, STREAM);
  hyper_h2_frame_window_update wu = {99};
  hyper_h2_frame_hdr h;
  hyper_h2_frame_header_parse(buf, &h);
  assert_int_equal(
      hyper_h2_frame_parse_window_update(&h, buf + 9, 4, &wu, NULL),
      HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(wu.increment, 0);
}

static void test_frame_window_update_zero_on_connection(void **state) {
  (void)state;
  size_t n = mk(buf, 4, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 0, "\0\0\0\0");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

static void test_frame_window_update_bad_length(void **state) {
  (void)state;
  /* a connection error even on a stream (§6.9) */
  size_t n = mk(buf, 3, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 5, "\0\0\1");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 5, HYPER_H2_FRAME_WINDOW_UPDATE, 0, 0, "\0\0\0\1\0");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
}

static void test_frame_window_update_pack_errors(void **state) {
  (void)state;
  assert_int_equal(hyper_h2_frame_pack_window_update(out, sizeof out, 1, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(
      hyper_h2_frame_pack_window_update(out, sizeof out, 1, 0x80000000u),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(
      hyper_h2_frame_pack_window_update(out, sizeof out, 0x80000000u, 1),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_window_update(out, 12, 1, 1),
                   HYPER_ERR_BUFFER_TOO_SMALL);
}

/* ---- CONTINUATION (§6.10) --------------------------------------------- */

static void test_frame_continuation_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_continuation(out, sizeof out, 3,
                                           HYPER_H2_FLAG_END_HEADERS,
                                           (const uint8_t *)"frag", 4);
  assert_int_equal(n, 13);
  const uint8_t want[] = {0, 0, 4, 9, 4, 0, 0, 0, 3, 'f', 'r', 'a', 'g'};
  assert_memory_equal(out, want, sizeof want);
  ok(out, 13, &f);
  assert_true(slice_eq(f.u.continuation.block, "frag"));
  n = hyper_h2_frame_pack_continuation(out, sizeof out, 3, 0, NULL, 0);
  ok(out, 9, &f);
  assert_int_equal(f.u.continuation.block.len, 0);
  /* PADDED is not defined for CONTINUATION: the octets are all block */
  size_t m = mk(buf, 3, HYPER_H2_FRAME_CONTINUATION, HYPER_H2_FLAG_PADDED, 3,
                "\x09xy");
  ok(buf, m, &f);
  assert_int_equal(f.u.continuation.block.len, 3);
  assert_int_equal(hyper_h2_frame_pack_continuation(
                       out, sizeof out, 3, HYPER_H2_FLAG_END_STREAM, NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_continuation(out, sizeof out, 0, 0,
                                                    NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_continuation_stream_zero(void **state) {
  (void)state;
  size_t n = mk(buf, 1, HYPER_H2_FRAME_CONTINUATION, HYPER_H2_FLAG_END_HEADERS,
                0, "x");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

/* ---- ALTSVC (RFC 7838 §4) --------------------------------------------- */

static void test_frame_altsvc_stream_zero_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  const char *o = "https://example.com", *v = "h2=\":8000\"";
  int n = hyper_h2_frame_pack_altsvc(out, sizeof out, 0, (const uint8_t *)o,
                                     strlen(o), (const uint8_t *)v,
                                     strlen(v));
  assert_int_equal(n, (int)(11 + strlen(o) + strlen(v)));
  assert_int_equal(out[9], 0);
  assert_int_equal(out[10], strlen(o));
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.altsvc.ignore, 0);
  assert_true(slice_eq(f.u.altsvc.origin, o));
  assert_true(slice_eq(f.u.altsvc.field_value, v));
}

static void test_frame_altsvc_stream_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_altsvc(out, sizeof out, 1, NULL, 0,
                                     (const uint8_t *)"clear", 5);
  assert_int_equal(n, 16);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.altsvc.ignore, 0);
  assert_int_equal(f.u.altsvc.origin.len, 0);
  assert_true(slice_eq(f.u.altsvc.field_value, "clear"));
}

static void test_frame_altsvc_ignored_cases(void **state) {
  (void)state;
  hyper_h2_frame f;
  /* stream 0 with an empty origin */
  size_t n = mk(buf, 7, HYPER_H2_FRAME_ALTSVC, 0, 0, "\0\0clear");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  /* a stream with an origin */
  n = mk(buf, 8, HYPER_H2_FRAME_ALTSVC, 0, 1, "\0\1aclear");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  /* malformed: no room for Origin-Len, or Origin-Len past the payload */
  n = mk(buf, 1, HYPER_H2_FRAME_ALTSVC, 0, 0, "\0");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  n = mk(buf, 0, HYPER_H2_FRAME_ALTSVC, 0, 1, NULL);
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  n = mk(buf, 4, HYPER_H2_FRAME_ALTSVC, 0, 0, "\0\3ab");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  /* empty field value */
  n = mk(buf, 3, HYPER_H2_FRAME_ALTSVC, 0, 0, "\0\1a");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 1);
  assert_int_equal(f.u.altsvc.origin.len, 0);
  /* flags are unused: ignored, not a reason to drop */
  n = mk(buf, 4, HYPER_H2_FRAME_ALTSVC, 0xff, 0, "\0\1ax");
  ok(buf, n, &f);
  assert_int_equal(f.u.altsvc.ignore, 0);
}

static void test_frame_altsvc_pack_errors(void **state) {
  (void)state;
  const uint8_t *v = (const uint8_t *)"x";
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, sizeof out, 0, NULL, 0, v,
                                              1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, sizeof out, 1, v, 1, v, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, sizeof out, 1, NULL, 0, v,
                                              0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, sizeof out, 0, buf, 65536,
                                              v, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, 11, 1, NULL, 0, v, 1),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, 12, 1, NULL, 0, v, 1), 12);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, 12, 0, v, 1, v, 1),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_altsvc(out, 13, 0, v, 1, v, 1), 13);
}

/* ---- ORIGIN (RFC 8336 §2) --------------------------------------------- */

static void test_frame_origin_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  const hyper_slice o[3] = {{(const uint8_t *)"https://a.example", 17},
                            {NULL, 0},
                            {(const uint8_t *)"https://b.example:8443", 22}};
  int n = hyper_h2_frame_pack_origin(out, sizeof out, o, 3);
  assert_int_equal(n, 9 + 2 + 17 + 2 + 2 + 22);
  assert_int_equal(out[3], HYPER_H2_FRAME_ORIGIN);
  assert_int_equal(out[4], 0);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.origin.ignore, 0);
  assert_int_equal(f.u.origin.count, 3);
  size_t pos = 0;
  hyper_slice s;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(hyper_h2_frame_origin_next(&f.u.origin, &pos, &s), 1);
    assert_int_equal(s.len, o[i].len);
    if (s.len)
      assert_memory_equal(s.ptr, o[i].ptr, s.len);
    assert_within(s, out, (size_t)n);
  }
  assert_int_equal(hyper_h2_frame_origin_next(&f.u.origin, &pos, &s), 0);
  assert_int_equal(hyper_h2_frame_origin_next(&f.u.origin, &pos, &s), 0);
  assert_int_equal(hyper_h2_frame_origin_next(NULL, &pos, &s),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_origin(out, (size_t)n - 1, o, 3),
                   HYPER_ERR_BUFFER_TOO_SMALL);
}

static void test_frame_origin_empty(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_origin(out, sizeof out, NULL, 0);
  assert_int_equal(n, 9);
  ok(out, 9, &f);
  assert_int_equal(f.u.origin.ignore, 0);
  assert_int_equal(f.u.origin.count, 0);
  size_t pos = 0;
  hyper_slice s;
  assert_int_equal(hyper_h2_frame_origin_next(&f.u.origin, &pos, &s), 0);
}

static void test_frame_origin_nonzero_stream_ignored(void **state) {
  (void)state;
  hyper_h2_frame f;
  size_t n = mk(buf, 3, HYPER_H2_FRAME_ORIGIN, 0, 1, "\0\1a");
  ok(buf, n, &f);
  assert_int_equal(f.u.origin.ignore, 1);
  assert_int_equal(f.u.origin.count, 0);
  size_t pos = 0;
  hyper_slice s;
  assert_int_equal(hyper_h2_frame_origin_next(&f.u.origin, &pos, &s), 0);
}

static void test_frame_origin_flags(void **state) {
  (void)state;
  /* §2.1: flags 0x1-0x8 are for incompatible changes -> ignore the frame;
   * the others do not change processing */
  hyper_h2_frame f;
  for (unsigned bit = 0; bit < 8; bit++) {
    size_t n = mk(buf, 3, HYPER_H2_FRAME_ORIGIN, (uint8_t)(1u << bit), 0,
                  "\0\1a");
    ok(buf, n, &f);
    assert_int_equal(f.u.origin.ignore, bit < 4 ? 1 : 0);
    assert_int_equal(f.u.origin.count, bit < 4 ? 0 : 1);
  }
}

static void test_frame_origin_truncated_entry(void **state) {
  (void)state;
  hyper_h2_frame f;
  /* one whole entry, then a lone octet where an Origin-Len should be */
  size_t n = mk(buf, 4, HYPER_H2_FRAME_ORIGIN, 0, 0, "\0\1a\0");
  ok(buf, n, &f);
  assert_int_equal(f.u.origin.ignore, 1);
  /* the same plus one octet is a valid empty second entry */
  n = mk(buf, 5, HYPER_H2_FRAME_ORIGIN, 0, 0, "\0\1a\0\0");
  ok(buf, n, &f);
  assert_int_equal(f.u.origin.ignore, 0);
  assert_int_equal(f.u.origin.count, 2);
  n = mk(buf, 4, HYPER_H2_FRAME_ORIGIN, 0, 0, "\0\3ab");
  ok(buf, n, &f);
  assert_int_equal(f.u.origin.ignore, 1);
  assert_int_equal(f.u.origin.count, 0);
}

/* ---- PRIORITY_UPDATE (RFC 9218 §7.1) ---------------------------------- */

static void test_frame_priority_update_roundtrip(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_priority_update(out, sizeof out, 5,
                                              (const uint8_t *)"u=1, i", 6);
  assert_int_equal(n, 19);
  const uint8_t want[] = {0, 0, 10, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 5,
                          'u', '=', '1', ',', ' ', 'i'};
  assert_memory_equal(out, want, sizeof want);
  ok(out, (size_t)n, &f);
  assert_int_equal(f.u.priority_update.prioritized_stream_id, 5);
  assert_true(slice_eq(f.u.priority_update.field_value, "u=1, i"));
  /* reserved bit ignored; empty value allowed */
  size_t m = mk(buf, 4, HYPER_H2_FRAME_PRIORITY_UPDATE, 0xff, 0,
                "\x80\0\0\x09");
  ok(buf, m, &f);
  assert_int_equal(f.u.priority_update.prioritized_stream_id, 9);
  assert_int_equal(f.u.priority_update.field_value.len, 0);
  assert_int_equal(hyper_h2_frame_pack_priority_update(out, sizeof out, 0,
                                                       NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_pack_priority_update(out, 12, 1, NULL, 0),
                   HYPER_ERR_BUFFER_TOO_SMALL);
}

static void test_frame_priority_update_errors(void **state) {
  (void)state;
  size_t n = mk(buf, 4, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 1, "\0\0\0\1");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
  n = mk(buf, 3, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, "\0\0\1");
  bad(buf, n, HYPER_ERR_H2_FRAME_SIZE, HYPER_H2_FRAME_SIZE_ERROR, CONN);
  n = mk(buf, 6, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0, "\x80\0\0\0u=");
  bad(buf, n, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR, CONN);
}

/* ---- unknown types, generic parse, truncation ------------------------- */

static void test_frame_unknown_type_passthrough(void **state) {
  (void)state;
  hyper_h2_frame f;
  /* type 0xb (unassigned here), 0xff: surfaced with payload, never fatal,
   * on any stream, with any flags */
  const uint8_t types[] = {0x0b, 0x0d, 0x0f, 0x11, 0xff};
  for (size_t i = 0; i < sizeof types; i++) {
    size_t n = mk(buf, 5, types[i], 0xff, 0x80000000u | (uint32_t)i, "pay\0d");
    ok(buf, n, &f);
    assert_int_equal(f.hdr.type, types[i]);
    assert_int_equal(f.hdr.flags, 0xff);
    assert_int_equal(f.hdr.stream_id, i);
    assert_int_equal(f.u.unknown.payload.len, 5);
    assert_memory_equal(f.u.unknown.payload.ptr, "pay\0d", 5);
  }
  size_t n = mk(buf, 0, 0xee, 0, 0, NULL);
  ok(buf, n, &f);
  assert_int_equal(f.u.unknown.payload.len, 0);
  /* the raw parser takes known types too */
  n = mk(buf, 8, HYPER_H2_FRAME_PING, 0, 0, "12345678");
  hyper_h2_frame_unknown u;
  assert_int_equal(hyper_h2_frame_parse_unknown(&f.hdr, buf + 9, 8, &u, NULL),
                   0);
  assert_int_equal(u.payload.len, 0); /* f.hdr still says length 0 */
  hyper_h2_frame_hdr h;
  hyper_h2_frame_header_parse(buf, &h);
  assert_int_equal(hyper_h2_frame_parse_unknown(&h, buf + 9, 8, &u, NULL), 0);
  assert_int_equal(u.payload.len, 8);
}

static void test_frame_pack_raw(void **state) {
  (void)state;
  hyper_h2_frame f;
  int n = hyper_h2_frame_pack_raw(out, sizeof out, 0xab, 0x5a, 77,
                                  (const uint8_t *)"ext", 3);
  assert_int_equal(n, 12);
  ok(out, 12, &f);
  assert_int_equal(f.hdr.type, 0xab);
  assert_int_equal(f.hdr.flags, 0x5a);
  assert_int_equal(f.hdr.stream_id, 77);
  assert_true(slice_eq(f.u.unknown.payload, "ext"));
  assert_int_equal(hyper_h2_frame_pack_raw(out, 11, 0xab, 0, 1,
                                           (const uint8_t *)"ext", 3),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_h2_frame_pack_raw(out, sizeof out, 0xab, 0,
                                           0x80000000u, NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
}

static void test_frame_parse_sequence(void **state) {
  (void)state;
  /* several frames back to back, consumed one at a time */
  size_t n = 0;
  const hyper_h2_setting s[] = {{HYPER_H2_SETTINGS_MAX_FRAME_SIZE, 32768}};
  n += (size_t)hyper_h2_frame_pack_settings(out + n, sizeof out - n, s, 1);
  n += (size_t)hyper_h2_frame_pack_window_update(out + n, sizeof out - n, 0,
                                                 1000);
  n += (size_t)hyper_h2_frame_pack_headers(out + n, sizeof out - n, 1,
                                           HYPER_H2_FLAG_END_HEADERS, NULL,
                                           (const uint8_t *)"\x88", 1, -1);
  n += (size_t)hyper_h2_frame_pack_raw(out + n, sizeof out - n, 0xfa, 0, 1,
                                       NULL, 0);
  n += (size_t)hyper_h2_frame_pack_data(out + n, sizeof out - n, 1,
                                        HYPER_H2_FLAG_END_STREAM,
                                        (const uint8_t *)"body", 4, 10);
  const uint8_t types[] = {HYPER_H2_FRAME_SETTINGS,
                           HYPER_H2_FRAME_WINDOW_UPDATE,
                           HYPER_H2_FRAME_HEADERS, 0xfa, HYPER_H2_FRAME_DATA};
  size_t off = 0;
  for (size_t i = 0; i < sizeof types; i++) {
    hyper_h2_frame f;
    hyper_h2_frame_err e;
    int rv = hyper_h2_frame_parse(out + off, n - off, DEF_MAX, &f, &e);
    assert_true(rv > 0);
    assert_int_equal(f.hdr.type, types[i]);
    off += (size_t)rv;
  }
  assert_int_equal(off, n);
  hyper_h2_frame f;
  assert_int_equal(hyper_h2_frame_parse(out + off, 0, DEF_MAX, &f, NULL),
                   HYPER_ERR_INCOMPLETE);
}

static void test_frame_truncated_every_prefix(void **state) {
  (void)state;
  /* every prefix of a valid frame is INCOMPLETE, never an error or a read
   * past the end (ASan builds check the latter) */
  size_t lens[16];
  size_t k = 0, n = 0;
  uint8_t frames[512];
  hyper_h2_priority_spec pr = {1, 0, 9};
  const uint8_t op[8] = {0};
  const hyper_slice o[1] = {{(const uint8_t *)"https://x", 9}};
#define ADD(expr)                                                              \
  do {                                                                         \
    int r_ = (expr);                                                           \
    assert_true(r_ > 0);                                                       \
    lens[k++] = (size_t)r_;                                                    \
    n += (size_t)r_;                                                           \
  } while (0)
  ADD(hyper_h2_frame_pack_data(frames + n, sizeof frames - n, 1, 0,
                               (const uint8_t *)"abc", 3, 2));
  ADD(hyper_h2_frame_pack_headers(frames + n, sizeof frames - n, 1, 0, &pr,
                                  (const uint8_t *)"abc", 3, 1));
  ADD(hyper_h2_frame_pack_priority(frames + n, sizeof frames - n, 3, &pr));
  ADD(hyper_h2_frame_pack_rst_stream(frames + n, sizeof frames - n, 3, 8));
  ADD(hyper_h2_frame_pack_settings_ack(frames + n, sizeof frames - n));
  ADD(hyper_h2_frame_pack_push_promise(frames + n, sizeof frames - n, 1, 0, 2,
                                       (const uint8_t *)"z", 1, 0));
  ADD(hyper_h2_frame_pack_ping(frames + n, sizeof frames - n, 0, op));
  ADD(hyper_h2_frame_pack_goaway(frames + n, sizeof frames - n, 1, 0,
                                 (const uint8_t *)"dbg", 3));
  ADD(hyper_h2_frame_pack_window_update(frames + n, sizeof frames - n, 1, 5));
  ADD(hyper_h2_frame_pack_continuation(frames + n, sizeof frames - n, 1, 4,
                                       (const uint8_t *)"c", 1));
  ADD(hyper_h2_frame_pack_altsvc(frames + n, sizeof frames - n, 1, NULL, 0,
                                 (const uint8_t *)"clear", 5));
  ADD(hyper_h2_frame_pack_origin(frames + n, sizeof frames - n, o, 1));
  ADD(hyper_h2_frame_pack_priority_update(frames + n, sizeof frames - n, 1,
                                          (const uint8_t *)"u=2", 3));
#undef ADD
  size_t off = 0;
  for (size_t i = 0; i < k; i++) {
    for (size_t cut = 0; cut < lens[i]; cut++) {
      /* an exact-size heap copy, so that sanitizers see any overread */
      uint8_t *tmp = malloc(cut ? cut : 1);
      assert_non_null(tmp);
      memcpy(tmp, frames + off, cut);
      hyper_h2_frame f;
      hyper_h2_frame_err e;
      assert_int_equal(hyper_h2_frame_parse(tmp, cut, DEF_MAX, &f, &e),
                       HYPER_ERR_INCOMPLETE);
      if (cut >= 9) {
        hyper_h2_frame f2;
        assert_int_equal(typed_parse(&f.hdr, tmp + 9, cut - 9, &f2, &e),
                         HYPER_ERR_INCOMPLETE);
      }
      free(tmp);
    }
    hyper_h2_frame f;
    assert_int_equal(
        hyper_h2_frame_parse(frames + off, lens[i], DEF_MAX, &f, NULL),
        (int)lens[i]);
    off += lens[i];
  }
}

static void test_frame_invalid_arguments(void **state) {
  (void)state;
  hyper_h2_frame f;
  hyper_h2_frame_err e = {HYPER_H2_NO_ERROR, 7, NULL};
  hyper_h2_frame_hdr h = {8, HYPER_H2_FRAME_PING, 0, 0};
  const uint8_t p[8] = {0};
  /* wrong type for the function */
  assert_int_equal(hyper_h2_frame_parse_data(&h, p, 8, &f.u.data, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(e.connection, 7); /* untouched */
  assert_int_equal(hyper_h2_frame_parse_ping(NULL, p, 8, &f.u.ping, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_parse_ping(&h, p, 8, NULL, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_parse_ping(&h, NULL, 8, &f.u.ping, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_parse_ping(&h, p, 7, &f.u.ping, &e),
                   HYPER_ERR_INCOMPLETE);
  assert_int_equal(hyper_h2_frame_parse_ping(&h, p, 8, &f.u.ping, NULL), 0);
  /* extra octets after the payload are not looked at */
  uint8_t big[20] = {0};
  assert_int_equal(hyper_h2_frame_parse_ping(&h, big, 20, &f.u.ping, NULL), 0);
  assert_int_equal(hyper_h2_frame_parse(NULL, 0, DEF_MAX, &f, &e),
                   HYPER_ERR_INCOMPLETE);
  assert_int_equal(hyper_h2_frame_parse(NULL, 5, DEF_MAX, &f, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_parse(big, 20, DEF_MAX, NULL, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h2_frame_parse(big, 20, 100, &f, &e),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* a NULL payload is fine for an empty frame */
  hyper_h2_frame_hdr z = {0, HYPER_H2_FRAME_CONTINUATION, 0, 1};
  assert_int_equal(hyper_h2_frame_parse_continuation(&z, NULL, 0,
                                                     &f.u.continuation, &e),
                   0);
}

/* ---- garbage ---------------------------------------------------------- */

static uint64_t rng_state;
static uint32_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Checks the invariants of one generic parse of |len| octets at |src|,
 * parsed from an exact-size heap copy so that sanitizers see overreads. */
static void check_any(const uint8_t *src, size_t len, uint32_t max) {
  uint8_t *b = malloc(len ? len : 1);
  assert_non_null(b);
  memcpy(b, src, len);
  hyper_h2_frame f;
  hyper_h2_frame_err e = {HYPER_H2_NO_ERROR, -1, NULL};
  int rv = hyper_h2_frame_parse(b, len, max, &f, &e);
  if (rv > 0) {
    assert_true((size_t)rv <= len);
    assert_int_equal((size_t)rv, 9 + (size_t)f.hdr.length);
    assert_true(f.hdr.length <= max);
    assert_true(f.hdr.stream_id <= HYPER_H2_MAX_STREAM_ID);
    size_t pl = f.hdr.length;
    const uint8_t *p = b + 9;
    switch (f.hdr.type) {
    case HYPER_H2_FRAME_DATA:
      assert_within(f.u.data.data, p, pl);
      assert_int_equal(f.u.data.flow_controlled_len, pl);
      break;
    case HYPER_H2_FRAME_HEADERS:
      assert_within(f.u.headers.block, p, pl);
      break;
    case HYPER_H2_FRAME_SETTINGS:
      for (size_t i = 0; i < f.u.settings.count; i++) {
        hyper_h2_setting s;
        assert_int_equal(hyper_h2_frame_settings_get(&f.u.settings, i, &s), 0);
      }
      assert_int_equal(f.u.settings.count * 6, pl);
      break;
    case HYPER_H2_FRAME_PUSH_PROMISE:
      assert_within(f.u.push_promise.block, p, pl);
      assert_true(f.u.push_promise.promised_stream_id != 0);
      break;
    case HYPER_H2_FRAME_GOAWAY:
      assert_within(f.u.goaway.debug_data, p, pl);
      break;
    case HYPER_H2_FRAME_WINDOW_UPDATE:
      assert_true(f.u.window_update.increment >= 1);
      break;
    case HYPER_H2_FRAME_ALTSVC:
      assert_within(f.u.altsvc.origin, p, pl);
      assert_within(f.u.altsvc.field_value, p, pl);
      break;
    case HYPER_H2_FRAME_ORIGIN: {
      size_t pos = 0, cnt = 0;
      hyper_slice s;
      while (hyper_h2_frame_origin_next(&f.u.origin, &pos, &s) == 1) {
        assert_within(s, p, pl);
        cnt++;
      }
      assert_int_equal(cnt, f.u.origin.count);
      break;
    }
    case HYPER_H2_FRAME_PRIORITY_UPDATE:
      assert_within(f.u.priority_update.field_value, p, pl);
      break;
    default:
      break;
    }
  } else if (rv == HYPER_ERR_INCOMPLETE) {
    assert_true(len < 9 || len < 9 + (size_t)f.hdr.length);
  } else {
    assert_true(rv == HYPER_ERR_H2_PROTOCOL || rv == HYPER_ERR_H2_FRAME_SIZE ||
                rv == HYPER_ERR_H2_FLOW_CONTROL);
    assert_true(e.connection == 0 || e.connection == 1);
    assert_non_null(e.desc);
    assert_string_not_equal(hyper_h2_code_name(e.code), "UNKNOWN");
    if (rv == HYPER_ERR_H2_PROTOCOL)
      assert_int_equal(e.code, HYPER_H2_PROTOCOL_ERROR);
    if (rv == HYPER_ERR_H2_FRAME_SIZE)
      assert_int_equal(e.code, HYPER_H2_FRAME_SIZE_ERROR);
    if (rv == HYPER_ERR_H2_FLOW_CONTROL)
      assert_int_equal(e.code, HYPER_H2_FLOW_CONTROL_ERROR);
    /* the only stream errors: PRIORITY size, WINDOW_UPDATE 0 on a stream */
    if (e.connection == 0) {
      assert_true(f.hdr.stream_id != 0);
      assert_true(f.hdr.type == HYPER_H2_FRAME_PRIORITY ||
                  f.hdr.type == HYPER_H2_FRAME_WINDOW_UPDATE);
    }
  }
  free(b);
}

static void test_frame_random_garbage_never_crashes(void **state) {
  (void)state;
  rng_state = 0x9e3779b97f4a7c15ULL;
  static uint8_t g[300];
  for (int iter = 0; iter < 200000; iter++) {
    size_t len = rng() % sizeof g;
    for (size_t i = 0; i < len; i++)
      g[i] = (uint8_t)rng();
    if (len >= 9 && (rng() & 1)) {
      /* plausible header: small length, a known-ish type */
      uint32_t pl = rng() % (uint32_t)(len - 8);
      g[0] = 0;
      g[1] = (uint8_t)(pl >> 8);
      g[2] = (uint8_t)pl;
      g[3] = (uint8_t)(rng() % 0x12);
      if (rng() & 1)
        g[5] = g[6] = g[7] = 0, g[8] = (uint8_t)(rng() & 3);
    }
    uint32_t max = (rng() & 1) ? DEF_MAX : DEF_MAX + rng() % 1000;
    check_any(g, len, max);
  }
}

static void test_frame_mutated_valid_frames(void **state) {
  (void)state;
  rng_state = 42;
  uint8_t base[256], m[256];
  hyper_h2_priority_spec pr = {3, 1, 7};
  const hyper_h2_setting s[] = {{1, 4096}, {4, 65535}, {5, 16384}};
  const hyper_slice o[2] = {{(const uint8_t *)"https://a", 9},
                            {(const uint8_t *)"https://b", 9}};
  const uint8_t op[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  for (int iter = 0; iter < 100000; iter++) {
    int n = 0;
    switch (iter % 9) {
    case 0:
      n = hyper_h2_frame_pack_data(base, sizeof base, 1, 1,
                                   (const uint8_t *)"data", 4,
                                   (int)(rng() % 8));
      break;
    case 1:
      n = hyper_h2_frame_pack_headers(base, sizeof base, 3, 4, &pr,
                                      (const uint8_t *)"hb", 2, 3);
      break;
    case 2:
      n = hyper_h2_frame_pack_settings(base, sizeof base, s, 3);
      break;
    case 3:
      n = hyper_h2_frame_pack_push_promise(base, sizeof base, 1, 4, 2,
                                           (const uint8_t *)"pp", 2, 1);
      break;
    case 4:
      n = hyper_h2_frame_pack_goaway(base, sizeof base, 5, 1,
                                     (const uint8_t *)"why", 3);
      break;
    case 5:
      n = hyper_h2_frame_pack_altsvc(base, sizeof base, 0,
                                     (const uint8_t *)"https://o", 9,
                                     (const uint8_t *)"h2=\":1\"", 7);
      break;
    case 6:
      n = hyper_h2_frame_pack_origin(base, sizeof base, o, 2);
      break;
    case 7:
      n = hyper_h2_frame_pack_priority_update(base, sizeof base, 7,
                                              (const uint8_t *)"u=0", 3);
      break;
    default:
      n = hyper_h2_frame_pack_ping(base, sizeof base, 1, op);
      break;
    }
    assert_true(n > 0);
    memcpy(m, base, (size_t)n);
    int flips = 1 + (int)(rng() % 3);
    for (int k = 0; k < flips; k++)
      m[rng() % (uint32_t)n] ^= (uint8_t)(1u << (rng() % 8));
    /* exact-length view so that any overread lands past the frame */
    check_any(m, (size_t)n, DEF_MAX);
    check_any(m, (size_t)n - rng() % (uint32_t)n, DEF_MAX);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frame_header_parse_fields),
      cmocka_unit_test(test_frame_header_reserved_bit_ignored),
      cmocka_unit_test(test_frame_header_pack_roundtrip),
      cmocka_unit_test(test_frame_code_names),
      cmocka_unit_test(test_frame_max_size_default_boundary),
      cmocka_unit_test(test_frame_max_size_before_payload),
      cmocka_unit_test(test_frame_max_size_local_setting),
      cmocka_unit_test(test_frame_data_roundtrip),
      cmocka_unit_test(test_frame_data_padded_roundtrip),
      cmocka_unit_test(test_frame_data_pad_length_zero),
      cmocka_unit_test(test_frame_data_pad_length_payload_minus_one),
      cmocka_unit_test(test_frame_data_pad_length_too_long),
      cmocka_unit_test(test_frame_data_padded_empty_payload),
      cmocka_unit_test(test_frame_data_stream_zero),
      cmocka_unit_test(test_frame_data_empty_and_unused_flags),
      cmocka_unit_test(test_frame_data_pack_errors),
      cmocka_unit_test(test_frame_headers_roundtrip),
      cmocka_unit_test(test_frame_headers_priority_padded_roundtrip),
      cmocka_unit_test(test_frame_headers_priority_fields),
      cmocka_unit_test(test_frame_headers_empty_block),
      cmocka_unit_test(test_frame_headers_stream_zero),
      cmocka_unit_test(test_frame_headers_priority_too_short),
      cmocka_unit_test(test_frame_headers_pad_too_long),
      cmocka_unit_test(test_frame_headers_pack_errors),
      cmocka_unit_test(test_frame_priority_roundtrip),
      cmocka_unit_test(test_frame_priority_bad_length_is_stream_error),
      cmocka_unit_test(test_frame_priority_stream_zero),
      cmocka_unit_test(test_frame_rst_stream_roundtrip),
      cmocka_unit_test(test_frame_rst_stream_bad_length),
      cmocka_unit_test(test_frame_rst_stream_stream_zero),
      cmocka_unit_test(test_frame_settings_roundtrip),
      cmocka_unit_test(test_frame_settings_empty_and_ack),
      cmocka_unit_test(test_frame_settings_ack_with_payload),
      cmocka_unit_test(test_frame_settings_length_not_multiple_of_6),
      cmocka_unit_test(test_frame_settings_nonzero_stream),
      cmocka_unit_test(test_frame_settings_enable_push_values),
      cmocka_unit_test(test_frame_settings_initial_window_size),
      cmocka_unit_test(test_frame_settings_max_frame_size),
      cmocka_unit_test(test_frame_settings_boolean_extensions),
      cmocka_unit_test(test_frame_settings_unknown_ids_ignored),
      cmocka_unit_test(test_frame_settings_unused_flags),
      cmocka_unit_test(test_frame_push_promise_roundtrip),
      cmocka_unit_test(test_frame_push_promise_reserved_bit),
      cmocka_unit_test(test_frame_push_promise_errors),
      cmocka_unit_test(test_frame_ping_roundtrip),
      cmocka_unit_test(test_frame_ping_errors),
      cmocka_unit_test(test_frame_ping_padded_flag_unused),
      cmocka_unit_test(test_frame_goaway_roundtrip),
      cmocka_unit_test(test_frame_goaway_reserved_bit),
      cmocka_unit_test(test_frame_goaway_errors),
      cmocka_unit_test(test_frame_window_update_roundtrip),
      cmocka_unit_test(test_frame_window_update_reserved_bit),
      cmocka_unit_test(test_frame_window_update_zero_on_stream),
      cmocka_unit_test(test_frame_window_update_zero_on_connection),
      cmocka_unit_test(test_frame_window_update_bad_length),
      cmocka_unit_test(test_frame_window_update_pack_errors),
      cmocka_unit_test(test_frame_continuation_roundtrip),
      cmocka_unit_test(test_frame_continuation_stream_zero),
      cmocka_unit_test(test_frame_altsvc_stream_zero_roundtrip),
      cmocka_unit_test(test_frame_altsvc_stream_roundtrip),
      cmocka_unit_test(test_frame_altsvc_ignored_cases),
      cmocka_unit_test(test_frame_altsvc_pack_errors),
      cmocka_unit_test(test_frame_origin_roundtrip),
      cmocka_unit_test(test_frame_origin_empty),
      cmocka_unit_test(test_frame_origin_nonzero_stream_ignored),
      cmocka_unit_test(test_frame_origin_flags),
      cmocka_unit_test(test_frame_origin_truncated_entry),
      cmocka_unit_test(test_frame_priority_update_roundtrip),
      cmocka_unit_test(test_frame_priority_update_errors),
      cmocka_unit_test(test_frame_unknown_type_passthrough),
      cmocka_unit_test(test_frame_pack_raw),
      cmocka_unit_test(test_frame_parse_sequence),
      cmocka_unit_test(test_frame_truncated_every_prefix),
      cmocka_unit_test(test_frame_invalid_arguments),
      cmocka_unit_test(test_frame_random_garbage_never_crashes),
      cmocka_unit_test(test_frame_mutated_valid_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
