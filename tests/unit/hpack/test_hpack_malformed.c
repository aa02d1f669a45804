/* Malformed and hostile HPACK input: every malformed block returns the
 * exact error code hpack.h documents, the sticky ones leave the decoder
 * failed (HYPER_ERR_HPACK_FAILED afterwards), the two limit errors are not
 * sticky and keep the table in sync, memory stays bounded under an "HPACK
 * bomb", and random garbage never crashes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/common.h"
#include "hyper/hpack.h"

#include "failmem.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* A byte-array literal and its length, for check_sticky() and friends. */
#define W(...)                                                                 \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Writes |v| as an HPACK integer with an N-bit |prefix| (RFC 7541 §5.1)
 * after the representation bits |first|; returns the octets written. Kept
 * independent of the library; checked against RFC C.1 below. */
static size_t put_int(uint8_t *p, uint8_t first, unsigned prefix, uint64_t v) {
  uint64_t mask = ((uint64_t)1 << prefix) - 1;
  size_t n = 0;
  if (v < mask) {
    p[n++] = (uint8_t)(first | v);
    return n;
  }
  p[n++] = (uint8_t)(first | mask);
  v -= mask;
  while (v >= 128) {
    p[n++] = (uint8_t)(0x80 | (v & 0x7f));
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* Appends a raw (non-Huffman) string literal. */
static size_t put_str(uint8_t *p, const void *s, size_t len) {
  size_t n = put_int(p, 0, 7, len);
  memcpy(p + n, s, len);
  return n + len;
}

/* Appends |count| copies of 'a' Huffman-coded (code 00011, 5 bits; RFC
 * 7541 Appendix B), padded with ones. */
static size_t put_huff_a(uint8_t *p, size_t count) {
  size_t bytes = (count * 5 + 7) / 8;
  uint8_t tmp[4096];
  assert_true(bytes <= sizeof tmp);
  memset(tmp, 0, bytes);
  size_t bit = 0;
  for (size_t i = 0; i < count; i++)
    for (int b = 4; b >= 0; b--, bit++)
      if ((0x3u >> b) & 1u)
        tmp[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
  for (; bit < bytes * 8; bit++)
    tmp[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
  size_t n = put_int(p, 0x80, 7, bytes);
  memcpy(p + n, tmp, bytes);
  return n + bytes;
}

/* Appends |count| 'a' then, if |eos|, the 30-bit EOS code, Huffman-coded
 * and padded with ones. */
static size_t put_huff_a_eos(uint8_t *p, size_t count, int eos) {
  size_t bits = count * 5 + (eos ? 30 : 0);
  size_t bytes = (bits + 7) / 8;
  uint8_t tmp[4096];
  assert_true(bytes <= sizeof tmp);
  memset(tmp, 0xff, bytes); /* EOS and padding are all ones */
  for (size_t i = 0; i < count; i++)
    for (size_t b = 0; b < 5; b++) {
      size_t bit = i * 5 + b;
      if (!((0x3u >> (4 - b)) & 1u))
        tmp[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    }
  size_t n = put_int(p, 0x80, 7, bytes);
  memcpy(p + n, tmp, bytes);
  return n + bytes;
}

static hyper_hpack_dec *new_dec_cfg(const hyper_hpack_dec_config *cfg,
                                    const hyper_mem *mem) {
  hyper_hpack_dec *dec = NULL;
  int rv = hyper_hpack_dec_new(&dec, cfg, mem);
  if (rv)
    fail_msg("hyper_hpack_dec_new: %s", hyper_err_name(rv));
  return dec;
}

static hyper_hpack_dec *new_dec(void) { return new_dec_cfg(NULL, NULL); }

static hyper_hpack_dec *new_dec_limits(uint32_t table, size_t list,
                                       size_t field) {
  hyper_hpack_dec_config cfg;
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_table_size = table;
  cfg.max_header_list_size = list;
  cfg.max_field_len = field;
  return new_dec_cfg(&cfg, NULL);
}

static int decode(hyper_hpack_dec *dec, const uint8_t *p, size_t n,
                  const hyper_field **f, size_t *nf) {
  *f = (const hyper_field *)(uintptr_t)1; /* poison */
  *nf = 777;
  return hyper_hpack_dec_decode(dec, p, n, f, nf);
}

static void expect_rv(const char *what, int got, int want) {
  if (got != want)
    fail_msg("%s: got %d (%s), want %d (%s)", what, got, hyper_err_name(got),
             want, hyper_err_name(want));
}

/* After a sticky error every call fails with HPACK_FAILED. */
static void assert_failed_state(hyper_hpack_dec *dec) {
  const hyper_field *f;
  size_t nf;
  static const uint8_t ok[] = {0x82};
  expect_rv("decode after sticky error", decode(dec, ok, 1, &f, &nf),
            HYPER_ERR_HPACK_FAILED);
  assert_int_equal(nf, 0);
  expect_rv("empty decode after sticky error", decode(dec, NULL, 0, &f, &nf),
            HYPER_ERR_HPACK_FAILED);
  expect_rv("set_max_table_size after sticky error",
            hyper_hpack_dec_set_max_table_size(dec, 4096),
            HYPER_ERR_HPACK_FAILED);
  expect_rv("decode after sticky error (again)", decode(dec, ok, 1, &f, &nf),
            HYPER_ERR_HPACK_FAILED);
}

/* Decodes |wire| on |dec| (a fresh default decoder when NULL), expects the
 * sticky error |code| named |name|, then the failed state. */
static void check_sticky_on(hyper_hpack_dec *dec, const char *what,
                            const uint8_t *wire, size_t len, int code,
                            const char *name) {
  int own = dec == NULL;
  if (own)
    dec = new_dec();
  const hyper_field *f;
  size_t nf;
  expect_rv(what, decode(dec, wire, len, &f, &nf), code);
  assert_int_equal(nf, 0);
  assert_string_equal(hyper_err_name(code), name);
  assert_true(hyper_err_is_compression(code));
  assert_false(hyper_err_is_fatal(code));
  assert_failed_state(dec);
  if (own)
    hyper_hpack_dec_free(dec);
}

static void check_sticky(const char *what, const uint8_t *wire, size_t len,
                         int code, const char *name) {
  check_sticky_on(NULL, what, wire, len, code, name);
}

static void check_ok(const char *what, hyper_hpack_dec *dec,
                     const uint8_t *wire, size_t len, size_t nfields) {
  const hyper_field *f;
  size_t nf;
  expect_rv(what, decode(dec, wire, len, &f, &nf), 0);
  assert_int_equal(nf, nfields);
}

static int field_is(const hyper_field *f, const void *name, size_t nl,
                    const void *value, size_t vl) {
  return f->name_len == nl && f->value_len == vl &&
         (nl == 0 || memcmp(f->name, name, nl) == 0) &&
         (vl == 0 || memcmp(f->value, value, vl) == 0);
}

/* ------------------------------------------------------------------------ */
/* The test's own integer writer against RFC 7541 C.1                       */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_helper_integers(void **state) {
  (void)state;
  uint8_t b[8];
  assert_int_equal(put_int(b, 0, 5, 10), 1);
  assert_int_equal(b[0], 0x0a);
  assert_int_equal(put_int(b, 0, 5, 1337), 3);
  assert_memory_equal(b, ((const uint8_t[]){0x1f, 0x9a, 0x0a}), 3);
  assert_int_equal(put_int(b, 0, 8, 42), 1);
  assert_int_equal(b[0], 42);
  /* 2^32 - 1 as a 7-bit-prefix index and 2^32 one above. */
  assert_int_equal(put_int(b, 0x80, 7, 0xffffffffu), 6);
  assert_memory_equal(
      b, ((const uint8_t[]){0xff, 0x80, 0xff, 0xff, 0xff, 0x0f}), 6);
  assert_int_equal(put_int(b, 0x80, 7, 0x100000000u), 6);
  assert_memory_equal(
      b, ((const uint8_t[]){0xff, 0x81, 0xff, 0xff, 0xff, 0x0f}), 6);
  /* 'a' Huffman-coded is 0x1f (00011 + 111 padding). */
  assert_int_equal(put_huff_a(b, 1), 2);
  assert_memory_equal(b, ((const uint8_t[]){0x81, 0x1f}), 2);
  assert_int_equal(put_huff_a(b, 8), 6); /* 40 bits exactly */
  assert_memory_equal(
      b, ((const uint8_t[]){0x85, 0x18, 0xc6, 0x31, 0x8c, 0x63}), 6);
  assert_int_equal(put_huff_a_eos(b, 8, 0), 6);
  assert_memory_equal(
      b, ((const uint8_t[]){0x85, 0x18, 0xc6, 0x31, 0x8c, 0x63}), 6);
  /* 'a' + EOS: 35 bits -> 00011111 11111111 11111111 11111111 11111111 */
  assert_int_equal(put_huff_a_eos(b, 1, 1), 6);
  assert_memory_equal(
      b, ((const uint8_t[]){0x85, 0x1f, 0xff, 0xff, 0xff, 0xff}), 6);
}

/* ------------------------------------------------------------------------ */
/* Index errors                                                             */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_index_zero(void **state) {
  (void)state;
  check_sticky("index 0", W(0x80), HYPER_ERR_HPACK_INDEX, "HPACK_INDEX");
  /* after a valid field, too */
  check_sticky("index 0 after a field", W(0x82, 0x80), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
}

static void test_hpack_malformed_index_past_table(void **state) {
  (void)state;
  /* 61 is the last static entry and fine; 62 with an empty table is not. */
  hyper_hpack_dec *dec = new_dec();
  check_ok("index 61", dec, W(0xbd), 1);
  hyper_hpack_dec_free(dec);
  check_sticky("index 62, empty table", W(0xbe), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  check_sticky("index 127", W(0xff, 0x00), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  /* 2^32-1 is a valid integer but no valid index. */
  check_sticky("index 2^32-1", W(0xff, 0x80, 0xff, 0xff, 0xff, 0x0f),
               HYPER_ERR_HPACK_INDEX, "HPACK_INDEX");

  /* One dynamic entry: 62 is fine, 63 is not. */
  dec = new_dec();
  check_ok("insert", dec, W(0x40, 0x01, 'a', 0x01, 'b', 0xbe), 2);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 1);
  check_ok("index 62", dec, W(0xbe), 1);
  check_sticky_on(dec, "index 63 with one entry", W(0xbe, 0xbf),
                  HYPER_ERR_HPACK_INDEX, "HPACK_INDEX");
  hyper_hpack_dec_free(dec);
}

static void test_hpack_malformed_literal_name_index_past_table(void **state) {
  (void)state;
  /* name index 62, empty table: with incremental indexing (6-bit prefix),
   * without indexing and never indexed (4-bit prefix) */
  check_sticky("incr name 62", W(0x7e, 0x01, 'x'), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  check_sticky("incr name 63", W(0x7f, 0x00, 0x01, 'x'), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  check_sticky("noidx name 62", W(0x0f, 0x2f, 0x01, 'x'), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  check_sticky("never name 62", W(0x1f, 0x2f, 0x01, 'x'), HYPER_ERR_HPACK_INDEX,
               "HPACK_INDEX");
  /* name index 61 is fine */
  hyper_hpack_dec *dec = new_dec();
  check_ok("noidx name 61", dec, W(0x0f, 0x2e, 0x01, 'x'), 1);
  hyper_hpack_dec_free(dec);
}

/* ------------------------------------------------------------------------ */
/* Integer errors                                                           */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_integer_overflow(void **state) {
  (void)state;
  check_sticky("index overflow", W(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("index 2^32", W(0xff, 0x81, 0xff, 0xff, 0xff, 0x0f),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("string length overflow",
               W(0x04, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x7f),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("name index overflow",
               W(0x7f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01, 'x'),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("size update overflow", W(0x3f, 0xff, 0xff, 0xff, 0xff, 0x7f),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  /* A size update of 2^32-1 is a valid integer, just too large. */
  uint8_t b[8];
  size_t n = put_int(b, 0x20, 5, 0xffffffffu);
  check_sticky("size update 2^32-1", b, n, HYPER_ERR_HPACK_TABLE_SIZE,
               "HPACK_TABLE_SIZE");
}

static void test_hpack_malformed_integer_truncated(void **state) {
  (void)state;
  check_sticky("0xff alone", W(0xff), HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("continuation bit, then end", W(0xff, 0x80),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("size update truncated", W(0x3f), HYPER_ERR_HPACK_INTEGER,
               "HPACK_INTEGER");
  check_sticky("name index truncated", W(0x7f), HYPER_ERR_HPACK_INTEGER,
               "HPACK_INTEGER");
  check_sticky("string length truncated", W(0x04, 0x7f),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("index truncated after a field", W(0x82, 0xff, 0xff),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  /* A representation cut before its string's length octet: the length
   * integer is missing, i.e. truncated. */
  check_sticky("missing name length", W(0x40), HYPER_ERR_HPACK_INTEGER,
               "HPACK_INTEGER");
  check_sticky("missing value length", W(0x40, 0x01, 'a'),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
  check_sticky("missing value length (name index)", W(0x04),
               HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER");
}

/* ------------------------------------------------------------------------ */
/* Huffman errors                                                           */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_huffman(void **state) {
  (void)state;
  /* Valid control: ":path: a" as a Huffman value. */
  hyper_hpack_dec *dec = new_dec();
  const hyper_field *f;
  size_t nf;
  expect_rv("huffman 'a'", decode(dec, W(0x04, 0x81, 0x1f), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_true(field_is(&f[0], ":path", 5, "a", 1));
  hyper_hpack_dec_free(dec);

  /* EOS (30 ones) then 'a' (00011) and 5 bits of padding. */
  check_sticky("EOS inside a value",
               W(0x04, 0x85, 0xff, 0xff, 0xff, 0xfc, 0x7f),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* 'a' then EOS then padding. */
  check_sticky("EOS after a symbol",
               W(0x04, 0x85, 0x1f, 0xff, 0xff, 0xff, 0xff),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* EOS in a name. */
  check_sticky("EOS in a name",
               W(0x00, 0x85, 0xff, 0xff, 0xff, 0xfc, 0x7f, 0x01, 'v'),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* EOS in a literal with incremental indexing. */
  check_sticky("EOS, indexed literal", W(0x44, 0x84, 0xff, 0xff, 0xff, 0xff),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* Padding longer than 7 bits: 'a' + 3 bits, then a whole 0xff. */
  check_sticky("padding > 7 bits", W(0x04, 0x82, 0x1f, 0xff),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  check_sticky("8 bits of padding only", W(0x04, 0x81, 0xff),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* Padding that is not all ones: 'a' + 000. */
  check_sticky("zero padding", W(0x04, 0x81, 0x18), HYPER_ERR_HPACK_HUFFMAN,
               "HPACK_HUFFMAN");
  /* '0' (00000) + 000. */
  check_sticky("zero padding after '0'", W(0x04, 0x81, 0x00),
               HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN");
  /* 'a' + 101: neither ones nor a code. */
  check_sticky("mixed padding", W(0x04, 0x81, 0x1d), HYPER_ERR_HPACK_HUFFMAN,
               "HPACK_HUFFMAN");
}

/* ------------------------------------------------------------------------ */
/* Truncated strings                                                        */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_string_past_end(void **state) {
  (void)state;
  check_sticky("value past end", W(0x04, 0x05, 'a', 'b'),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  check_sticky("huffman value past end", W(0x04, 0x85, 0x1f),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  check_sticky("name past end", W(0x40, 0x05, 'a', 'b'),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  check_sticky("value length 1, no bytes", W(0x00, 0x01, 'n', 0x01),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  /* A long but valid length integer (4192) with little data. */
  check_sticky("value 4192 past end", W(0x04, 0x7f, 0xe1, 0x1f, 'a'),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  /* 2^32-1: valid integer, but far past the block. */
  check_sticky("value 2^32-1 past end",
               W(0x04, 0x7f, 0x80, 0xff, 0xff, 0xff, 0x0f, 'a'),
               HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
}

/* ------------------------------------------------------------------------ */
/* Dynamic table size updates                                               */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_size_update_too_large(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec();
  check_ok("size update 4096", dec, W(0x3f, 0xe1, 0x1f), 0);
  hyper_hpack_dec_free(dec);
  check_sticky("size update 4097", W(0x3f, 0xe2, 0x1f),
               HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  /* A decoder configured with 0 accepts only 0. */
  dec = new_dec_limits(0, 65536, 65536);
  check_ok("size update 0 with max 0", dec, W(0x20, 0x82), 1);
  check_sticky_on(dec, "size update 1 with max 0", W(0x21),
                  HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  hyper_hpack_dec_free(dec);
}

static void test_hpack_malformed_size_update_position(void **state) {
  (void)state;
  check_sticky("size update after a field", W(0x82, 0x20),
               HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  check_sticky("update, field, update", W(0x20, 0x82, 0x20),
               HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  check_sticky("three size updates", W(0x20, 0x20, 0x20),
               HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  check_sticky("three size updates (4096, 0, 4096)",
               W(0x3f, 0xe1, 0x1f, 0x20, 0x3f, 0xe1, 0x1f),
               HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");

  /* Two are fine (the "smallest, then final" pair). */
  hyper_hpack_dec *dec = new_dec();
  check_ok("two size updates", dec, W(0x20, 0x20), 0);
  check_ok("0 then 4096, then a field", dec, W(0x20, 0x3f, 0xe1, 0x1f, 0x82),
           1);
  /* ... in every block. */
  check_ok("again", dec, W(0x20, 0x3f, 0xe1, 0x1f, 0x82), 1);
  hyper_hpack_dec_free(dec);

  /* A size update to 0 evicts everything; later references fail. */
  dec = new_dec();
  check_ok("insert", dec, W(0x40, 0x01, 'a', 0x01, 'b'), 1);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 1);
  check_ok("evict all", dec, W(0x20, 0x3f, 0xe1, 0x1f), 0);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 0);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 0);
  check_sticky_on(dec, "evicted entry", W(0xbe), HYPER_ERR_HPACK_INDEX,
                  "HPACK_INDEX");
  hyper_hpack_dec_free(dec);
}

static void test_hpack_malformed_size_update_required(void **state) {
  (void)state;
  /* Lowered: a block without the update fails, sticky. */
  hyper_hpack_dec *dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_sticky_on(dec, "missing size update", W(0x82),
                  HYPER_ERR_HPACK_SIZE_UPDATE_MISSING,
                  "HPACK_SIZE_UPDATE_MISSING");
  hyper_hpack_dec_free(dec);

  /* With the update (1024 = 3f e1 07) it works, once. */
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_ok("update 1024", dec, W(0x3f, 0xe1, 0x07, 0x82), 1);
  check_ok("next block needs none", dec, W(0x82), 1);
  hyper_hpack_dec_free(dec);

  /* A smaller update, or the smallest-then-final pair, is fine too. */
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_ok("update 0", dec, W(0x20, 0x82), 1);
  hyper_hpack_dec_free(dec);
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_ok("0 then 1024", dec, W(0x20, 0x3f, 0xe1, 0x07, 0x82), 1);
  hyper_hpack_dec_free(dec);

  /* An update above the new maximum is too large. */
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_sticky_on(dec, "update 4096 after lowering to 1024",
                  W(0x3f, 0xe1, 0x1f, 0x82), HYPER_ERR_HPACK_TABLE_SIZE,
                  "HPACK_TABLE_SIZE");
  hyper_hpack_dec_free(dec);

  /* Lowered to 1024 then raised back to 4096 before any block: the peer
   * must still signal the smallest size it was given (RFC 7541 §4.2). */
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 4096), 0);
  check_ok("1024 then 4096", dec, W(0x3f, 0xe1, 0x07, 0x3f, 0xe1, 0x1f, 0x82),
           1);
  hyper_hpack_dec_free(dec);
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 4096), 0);
  check_sticky_on(dec, "down and up, no update", W(0x82),
                  HYPER_ERR_HPACK_SIZE_UPDATE_MISSING,
                  "HPACK_SIZE_UPDATE_MISSING");
  hyper_hpack_dec_free(dec);

  /* Raising needs no update, and allows larger updates. */
  dec = new_dec();
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 8192), 0);
  check_ok("raised, no update", dec, W(0x82), 1);
  check_ok("raised, update 8192", dec, W(0x3f, 0xe1, 0x3f), 0);
  hyper_hpack_dec_free(dec);

  /* The peer already runs a table below the new maximum: no update is
   * required, but the new maximum holds. */
  dec = new_dec();
  check_ok("peer lowers to 100", dec, W(0x3f, 0x45), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1024), 0);
  check_ok("no update needed", dec, W(0x82), 1);
  check_sticky_on(dec, "update 2048 above new max 1024", W(0x3f, 0xe1, 0x0f),
                  HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  hyper_hpack_dec_free(dec);
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_null_arguments_decoder(void **state) {
  (void)state;
  hyper_hpack_dec_config cfg;
  hyper_hpack_dec *dec = (hyper_hpack_dec *)(uintptr_t)0x1234;
  assert_int_equal(hyper_hpack_dec_new(NULL, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_dec_config_init(&cfg);
  assert_int_equal(cfg.max_table_size, HYPER_HPACK_DEFAULT_TABLE_SIZE);
  assert_int_equal(cfg.max_header_list_size,
                   HYPER_HPACK_DEFAULT_MAX_HEADER_LIST);
  assert_int_equal(cfg.max_field_len, HYPER_HPACK_DEFAULT_MAX_FIELD_LEN);
  cfg.max_header_list_size = 0;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_field_len = 0;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_table_size = (1u << 30) + 1;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  cfg.max_table_size = UINT32_MAX;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* |*out| untouched on failure */
  assert_ptr_equal(dec, (hyper_hpack_dec *)(uintptr_t)0x1234);
  /* max_table_size 0 is allowed */
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_table_size = 0;
  dec = NULL;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL), 0);
  assert_non_null(dec);
  hyper_hpack_dec_free(dec);

  dec = new_dec();
  const hyper_field *f;
  size_t nf;
  static const uint8_t ok[] = {0x82};
  assert_int_equal(hyper_hpack_dec_decode(NULL, ok, 1, &f, &nf),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_decode(dec, NULL, 1, &f, &nf),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_decode(dec, ok, 1, NULL, &nf),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_decode(dec, ok, 1, &f, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* Nothing was read, so the table cannot be out of sync: the decoder is
   * still usable (hpack.h lists INVALID_ARGUMENT above "the errors above
   * are sticky", but an argument error consumes no input). */
  expect_rv("empty block", decode(dec, NULL, 0, &f, &nf), 0);
  assert_int_equal(nf, 0);
  expect_rv("after argument errors", decode(dec, ok, 1, &f, &nf), 0);
  assert_int_equal(nf, 1);

  hyper_field tf;
  assert_int_equal(hyper_hpack_dec_table_get(NULL, 1, &tf),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_table_get(dec, 1, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_table_get(dec, 0, &tf),
                   HYPER_ERR_HPACK_INDEX);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, (1u << 30) + 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, UINT32_MAX),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* ... and nothing changed: no update is required. */
  expect_rv("after bad set_max_table_size", decode(dec, ok, 1, &f, &nf), 0);
  hyper_hpack_dec_free(dec);
  hyper_hpack_dec_free(NULL);
}

static void test_hpack_malformed_null_arguments_encoder(void **state) {
  (void)state;
  hyper_hpack_enc_config cfg;
  hyper_hpack_enc *enc = (hyper_hpack_enc *)(uintptr_t)0x5678;
  assert_int_equal(hyper_hpack_enc_new(NULL, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_enc_config_init(&cfg);
  cfg.max_table_size = (1u << 30) + 1;
  assert_int_equal(hyper_hpack_enc_new(&enc, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_enc_config_init(&cfg);
  cfg.huffman = (hyper_hpack_huffman)3;
  assert_int_equal(hyper_hpack_enc_new(&enc, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  cfg.huffman = (hyper_hpack_huffman)-1;
  assert_int_equal(hyper_hpack_enc_new(&enc, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_ptr_equal(enc, (hyper_hpack_enc *)(uintptr_t)0x5678);

  hyper_hpack_enc_config_init(&cfg);
  cfg.huffman = HYPER_HPACK_HUFFMAN_NEVER;
  enc = NULL;
  assert_int_equal(hyper_hpack_enc_new(&enc, &cfg, NULL), 0);
  uint8_t out[256];
  size_t len = 0;
  hyper_field fld = {(const uint8_t *)"x-a", 3, (const uint8_t *)"b", 1, 0};
  assert_int_equal(hyper_hpack_enc_encode(NULL, &fld, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_enc_encode(enc, NULL, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_enc_encode(enc, &fld, 1, out, sizeof out, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_field bad = fld;
  bad.name = NULL;
  assert_int_equal(hyper_hpack_enc_encode(enc, &bad, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  bad = fld;
  bad.value = NULL;
  assert_int_equal(hyper_hpack_enc_encode(enc, &bad, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* Longer than 2^31: rejected before any byte is read. */
  bad = fld;
  bad.value_len = ((size_t)1 << 31) + 1;
  assert_int_equal(hyper_hpack_enc_encode(enc, &bad, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  bad = fld;
  bad.name_len = ((size_t)1 << 31) + 1;
  assert_int_equal(hyper_hpack_enc_encode(enc, &bad, 1, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* An invalid field after a valid one: nothing happened (atomic). */
  hyper_field two[2] = {fld, bad};
  assert_int_equal(hyper_hpack_enc_encode(enc, two, 2, out, sizeof out, &len),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_enc_table_len(enc), 0);

  /* Zero fields, NULL array: an empty block. */
  len = 99;
  assert_int_equal(hyper_hpack_enc_encode(enc, NULL, 0, out, sizeof out, &len),
                   0);
  assert_int_equal(len, 0);
  /* Empty name and value with NULL pointers are fine. */
  hyper_field empty = {NULL, 0, NULL, 0, 0};
  assert_int_equal(
      hyper_hpack_enc_encode(enc, &empty, 1, out, sizeof out, &len), 0);
  hyper_hpack_dec *dec = new_dec();
  const hyper_field *f;
  size_t nf;
  expect_rv("empty field round trip", decode(dec, out, len, &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_int_equal(f[0].name_len, 0);
  assert_int_equal(f[0].value_len, 0);

  /* The first field after all those errors encodes as a fresh encoder's
   * would: literal with incremental indexing, new name. */
  assert_int_equal(hyper_hpack_enc_encode(enc, &fld, 1, out, sizeof out, &len),
                   0);
  static const uint8_t want[] = {0x40, 0x03, 'x', '-', 'a', 0x01, 'b'};
  assert_int_equal(len, sizeof want);
  assert_memory_equal(out, want, sizeof want);

  /* A huge peer table size is capped, not signalled: no size update. */
  hyper_hpack_enc_set_peer_table_size(enc, UINT32_MAX);
  hyper_field get = {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3,
                     0};
  assert_int_equal(hyper_hpack_enc_encode(enc, &get, 1, out, sizeof out, &len),
                   0);
  assert_int_equal(len, 1);
  assert_int_equal(out[0], 0x82);
  hyper_hpack_dec_free(dec);
  hyper_hpack_enc_free(enc);
  hyper_hpack_enc_free(NULL);
}

/* The largest allowed table, 2^30, is accepted (configuration and size
 * updates); one more is not. */
static void test_hpack_malformed_table_size_limit(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec_config cfg;
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_table_size = 1u << 30;
  hyper_hpack_dec *dec = new_dec_cfg(&cfg, &fm.mem);
  uint8_t b[8];
  size_t n = put_int(b, 0x20, 5, 1u << 30);
  check_ok("size update 2^30", dec, b, n, 0);
  check_ok("a field", dec, W(0x40, 0x01, 'a', 0x01, 'b', 0xbe), 2);
  n = put_int(b, 0x20, 5, (1u << 30) + 1);
  check_sticky_on(dec, "size update 2^30+1", b, n, HYPER_ERR_HPACK_TABLE_SIZE,
                  "HPACK_TABLE_SIZE");
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
}

/* Names are written as given (no case folding) and read back as sent. */
static void test_hpack_malformed_names_as_given(void **state) {
  (void)state;
  hyper_hpack_enc *enc = NULL;
  assert_int_equal(hyper_hpack_enc_new(&enc, NULL, NULL), 0);
  hyper_field in[2] = {
      {(const uint8_t *)"X-Upper", 7, (const uint8_t *)"V", 1, 0},
      {(const uint8_t *)"Content-Type", 12, (const uint8_t *)"text/html", 9,
       0}};
  uint8_t out[256];
  size_t len;
  assert_int_equal(hyper_hpack_enc_encode(enc, in, 2, out, sizeof out, &len),
                   0);
  hyper_hpack_dec *dec = new_dec();
  const hyper_field *f;
  size_t nf;
  expect_rv("mixed-case names", decode(dec, out, len, &f, &nf), 0);
  assert_int_equal(nf, 2);
  assert_true(field_is(&f[0], "X-Upper", 7, "V", 1));
  assert_true(field_is(&f[1], "Content-Type", 12, "text/html", 9));
  hyper_hpack_dec_free(dec);
  hyper_hpack_enc_free(enc);
}

/* ------------------------------------------------------------------------ */
/* Error names, texts and classification                                    */
/* ------------------------------------------------------------------------ */

static void test_hpack_malformed_error_texts(void **state) {
  (void)state;
  static const struct {
    int code;
    const char *name, *text;
    int compression;
  } rows[] = {
      {HYPER_ERR_INVALID_ARGUMENT, "INVALID_ARGUMENT", "invalid argument", 0},
      {HYPER_ERR_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL",
       "output buffer too small", 0},
      {HYPER_ERR_HPACK_DECODE, "HPACK_DECODE", "malformed HPACK header block",
       1},
      {HYPER_ERR_HPACK_INTEGER, "HPACK_INTEGER",
       "HPACK integer overflows or is truncated", 1},
      {HYPER_ERR_HPACK_HUFFMAN, "HPACK_HUFFMAN",
       "invalid HPACK Huffman string (EOS symbol or bad padding)", 1},
      {HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE",
       "HPACK dynamic table size update too large, misplaced or repeated", 1},
      {HYPER_ERR_HPACK_INDEX, "HPACK_INDEX",
       "HPACK index is 0 or past the end of the table", 1},
      {HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED",
       "HPACK string runs past the end of the block", 1},
      {HYPER_ERR_HPACK_HEADER_LIST, "HPACK_HEADER_LIST",
       "decoded header list larger than the limit (stream error only)", 0},
      {HYPER_ERR_HPACK_FIELD_TOO_LONG, "HPACK_FIELD_TOO_LONG",
       "HPACK name or value longer than the limit (stream error only)", 0},
      {HYPER_ERR_HPACK_FAILED, "HPACK_FAILED",
       "HPACK context unusable after an earlier compression error", 1},
      {HYPER_ERR_HPACK_SIZE_UPDATE_MISSING, "HPACK_SIZE_UPDATE_MISSING",
       "HPACK block lacks the required dynamic table size update", 1},
      {HYPER_ERR_NOMEM, "NOMEM", "out of memory", 0},
      {HYPER_OK, "OK", "success", 0},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    assert_string_equal(hyper_err_name(rows[i].code), rows[i].name);
    assert_string_equal(hyper_strerror(rows[i].code), rows[i].text);
    if ((hyper_err_is_compression(rows[i].code) != 0) != rows[i].compression)
      fail_msg("hyper_err_is_compression(%s) = %d", rows[i].name,
               hyper_err_is_compression(rows[i].code));
  }
  assert_true(hyper_err_is_fatal(HYPER_ERR_NOMEM));
  assert_false(hyper_err_is_fatal(HYPER_ERR_HPACK_FAILED));
  assert_false(hyper_err_is_fatal(HYPER_ERR_HPACK_HEADER_LIST));
}

/* ------------------------------------------------------------------------ */
/* Non-sticky limit errors                                                  */
/* ------------------------------------------------------------------------ */

static size_t lit_incr(uint8_t *p, const char *name, char fill, size_t vlen) {
  size_t n = 0;
  p[n++] = 0x40;
  n += put_str(p + n, name, strlen(name));
  n += put_int(p + n, 0, 7, vlen);
  memset(p + n, fill, vlen);
  return n + vlen;
}

static void assert_table_entry(hyper_hpack_dec *dec, size_t idx,
                               const char *name, char fill, size_t vlen) {
  hyper_field e;
  assert_int_equal(hyper_hpack_dec_table_get(dec, idx, &e), 0);
  assert_int_equal(e.name_len, strlen(name));
  assert_memory_equal(e.name, name, e.name_len);
  assert_int_equal(e.value_len, vlen);
  for (size_t i = 0; i < vlen; i++)
    assert_int_equal(e.value[i], (uint8_t)fill);
}

static void assert_field_filled(const hyper_field *f, const char *name,
                                char fill, size_t vlen) {
  assert_int_equal(f->name_len, strlen(name));
  assert_memory_equal(f->name, name, f->name_len);
  assert_int_equal(f->value_len, vlen);
  for (size_t i = 0; i < vlen; i++)
    assert_int_equal(f->value[i], (uint8_t)fill);
}

static void test_hpack_malformed_header_list_not_sticky(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec_limits(4096, 200, 65536);
  uint8_t b[1024];
  size_t n = 0;
  n += lit_incr(b + n, "x-a", 'a', 150); /* 185: fits */
  n += lit_incr(b + n, "x-b", 'b', 150); /* 370: over 200 */
  b[n++] = 0x82;                         /* read on */
  n += lit_incr(b + n, "x-c", 'c', 10);  /* still inserted */
  const hyper_field *f;
  size_t nf;
  expect_rv("list over 200", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  assert_int_equal(nf, 0);
  assert_false(hyper_err_is_compression(HYPER_ERR_HPACK_HEADER_LIST));
  /* The whole block was applied to the table. */
  assert_int_equal(hyper_hpack_dec_table_len(dec), 3);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 185 + 185 + 45);
  assert_table_entry(dec, 62, "x-c", 'c', 10);
  assert_table_entry(dec, 63, "x-b", 'b', 150);
  assert_table_entry(dec, 64, "x-a", 'a', 150);

  /* The next blocks reference what the failed block inserted. */
  expect_rv("ref x-c", decode(dec, W(0xbe), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "x-c", 'c', 10);
  expect_rv("ref x-b", decode(dec, W(0xbf), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "x-b", 'b', 150);
  expect_rv("ref x-a", decode(dec, W(0xc0), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "x-a", 'a', 150);
  /* Two of them together are over the limit again, still not sticky. */
  expect_rv("x-b + x-a", decode(dec, W(0xbf, 0xc0), &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  assert_int_equal(nf, 0);
  expect_rv("x-c again", decode(dec, W(0xbe, 0x82), &f, &nf), 0);
  assert_int_equal(nf, 2);
  /* The limit can be raised for the next block. */
  hyper_hpack_dec_set_max_header_list_size(dec, 1000);
  expect_rv("x-b + x-a, limit 1000", decode(dec, W(0xbf, 0xc0), &f, &nf), 0);
  assert_int_equal(nf, 2);
  assert_field_filled(&f[0], "x-b", 'b', 150);
  assert_field_filled(&f[1], "x-a", 'a', 150);
  /* set_max_table_size still works (the decoder is not failed). */
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 8192), 0);
  hyper_hpack_dec_free(dec);
}

static void test_hpack_malformed_header_list_boundary(void **state) {
  (void)state;
  /* 3 + 165 + 32 = 200: exactly the limit is fine, one more is not. */
  uint8_t b[512];
  const hyper_field *f;
  size_t nf;
  hyper_hpack_dec *dec = new_dec_limits(4096, 200, 65536);
  size_t n = lit_incr(b, "x-a", 'a', 165);
  expect_rv("list == 200", decode(dec, b, n, &f, &nf), 0);
  assert_int_equal(nf, 1);
  n = lit_incr(b, "x-a", 'a', 166);
  expect_rv("list == 201", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  /* The 201 entry was inserted all the same (table 4096). */
  assert_int_equal(hyper_hpack_dec_table_len(dec), 2);
  assert_table_entry(dec, 62, "x-a", 'a', 166);
  /* Static fields count too: ":method: GET" is 42; 4 fit in 200, 5 do not. */
  expect_rv("4 x 42", decode(dec, W(0x82, 0x82, 0x82, 0x82), &f, &nf), 0);
  expect_rv("5 x 42", decode(dec, W(0x82, 0x82, 0x82, 0x82, 0x82), &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  hyper_hpack_dec_free(dec);
}

static void test_hpack_malformed_field_too_long_not_sticky(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec_limits(4096, 65536, 100);
  uint8_t b[1024];
  const hyper_field *f;
  size_t nf;
  size_t n = 0;
  n += lit_incr(b + n, "x-c", 'c', 101); /* value over 100 */
  n += lit_incr(b + n, "x-d", 'd', 10);
  expect_rv("value 101", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_FIELD_TOO_LONG);
  assert_int_equal(nf, 0);
  assert_false(hyper_err_is_compression(HYPER_ERR_HPACK_FIELD_TOO_LONG));
  assert_int_equal(hyper_hpack_dec_table_len(dec), 2);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 136 + 45);
  assert_table_entry(dec, 63, "x-c", 'c', 101);
  assert_table_entry(dec, 62, "x-d", 'd', 10);

  expect_rv("ref x-d", decode(dec, W(0xbe), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "x-d", 'd', 10);
  /* The long entry is still too long when referenced, still not sticky. */
  expect_rv("ref x-c", decode(dec, W(0xbf), &f, &nf),
            HYPER_ERR_HPACK_FIELD_TOO_LONG);
  expect_rv("ref x-d again", decode(dec, W(0xbe), &f, &nf), 0);
  assert_int_equal(nf, 1);

  /* A name over the limit. */
  char longname[102];
  memset(longname, 'n', 101);
  longname[101] = 0;
  n = lit_incr(b, longname, 'v', 1);
  expect_rv("name 101", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_FIELD_TOO_LONG);
  assert_table_entry(dec, 62, longname, 'v', 1);
  expect_rv("ref x-d (now 63)", decode(dec, W(0xbf), &f, &nf), 0);
  assert_field_filled(&f[0], "x-d", 'd', 10);

  /* A Huffman-coded value over the limit (101 'a' in 64 octets) is
   * detected and still inserted. */
  n = 0;
  b[n++] = 0x40;
  n += put_str(b + n, "x-h", 3);
  n += put_huff_a(b + n, 101);
  expect_rv("huffman value 101", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_FIELD_TOO_LONG);
  assert_table_entry(dec, 62, "x-h", 'a', 101);
  expect_rv("ref x-d (now 64)", decode(dec, W(0xc0), &f, &nf), 0);
  assert_field_filled(&f[0], "x-d", 'd', 10);

  /* Exactly 100 is fine. */
  n = lit_incr(b, "x-e", 'e', 100);
  expect_rv("value 100", decode(dec, b, n, &f, &nf), 0);
  assert_field_filled(&f[0], "x-e", 'e', 100);
  hyper_hpack_dec_free(dec);
}

/* max_field_len caps a name or a value, not their sum: a 60-octet name
 * with a 60-octet value is within a 100-octet max_field_len. */
static void test_hpack_malformed_field_len_is_per_string(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec_limits(4096, 65536, 100);
  char name[61];
  memset(name, 'n', 60);
  name[60] = 0;
  uint8_t b[512];
  size_t n = lit_incr(b, name, 'v', 60);
  const hyper_field *f;
  size_t nf;
  int rv_literal = decode(dec, b, n, &f, &nf);
  size_t nf_literal = nf;
  /* and the same field through the table */
  int rv_indexed = decode(dec, W(0xbe), &f, &nf);
  size_t nf_indexed = nf;
  if (rv_literal != 0 || rv_indexed != 0)
    fail_msg("name 60 + value 60 with max_field_len 100: literal -> %s, "
             "indexed -> %s (want OK for both)",
             hyper_err_name(rv_literal), hyper_err_name(rv_indexed));
  assert_int_equal(nf_literal, 1);
  assert_int_equal(nf_indexed, 1);
  assert_field_filled(&f[0], name, 'v', 60);
  hyper_hpack_dec_free(dec);
}

/* Huffman coding is a transport detail: the same field must give the same
 * result raw or Huffman-coded. Here the value (150) is over max_field_len
 * (100) and the field over max_header_list_size (100). */
static void
test_hpack_malformed_limit_error_independent_of_huffman(void **state) {
  (void)state;
  uint8_t raw[512], huf[512];
  size_t nr = 0, nh = 0;
  raw[nr++] = 0x00;
  nr += put_str(raw + nr, "a", 1);
  nr += put_int(raw + nr, 0, 7, 150);
  memset(raw + nr, 'a', 150);
  nr += 150;
  huf[nh++] = 0x00;
  nh += put_str(huf + nh, "a", 1);
  nh += put_huff_a(huf + nh, 150);

  const hyper_field *f;
  size_t nf;
  hyper_hpack_dec *dec = new_dec_limits(4096, 100, 100);
  int rv_raw = decode(dec, raw, nr, &f, &nf);
  int rv_huf = decode(dec, huf, nh, &f, &nf);
  hyper_hpack_dec_free(dec);
  assert_true(rv_raw == HYPER_ERR_HPACK_FIELD_TOO_LONG ||
              rv_raw == HYPER_ERR_HPACK_HEADER_LIST);
  if (rv_raw != rv_huf)
    fail_msg("raw value -> %s, same value Huffman-coded -> %s",
             hyper_err_name(rv_raw), hyper_err_name(rv_huf));
}

/* A sticky error later in a block that already hit a limit is still
 * reported as the sticky error: the decoder reads the whole block. */
static void test_hpack_malformed_sticky_after_limit(void **state) {
  (void)state;
  uint8_t b[512];
  size_t n;
  /* header list limit 100, then index 0 */
  n = lit_incr(b, "x-a", 'a', 80);
  b[n++] = 0x80;
  hyper_hpack_dec *dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then index 0", b, n, HYPER_ERR_HPACK_INDEX,
                  "HPACK_INDEX");
  hyper_hpack_dec_free(dec);
  /* limit, then a string past the end */
  n = lit_incr(b, "x-a", 'a', 80);
  memcpy(b + n, (const uint8_t[]){0x04, 0x05, 'a'}, 3);
  n += 3;
  dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then truncated string", b, n,
                  HYPER_ERR_HPACK_TRUNCATED, "HPACK_TRUNCATED");
  hyper_hpack_dec_free(dec);
  /* limit, then a size update */
  n = lit_incr(b, "x-a", 'a', 80);
  b[n++] = 0x20;
  dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then size update", b, n,
                  HYPER_ERR_HPACK_TABLE_SIZE, "HPACK_TABLE_SIZE");
  hyper_hpack_dec_free(dec);
  /* limit, then a Huffman string holding EOS (a literal without indexing,
   * whose value the decoder does not need to keep) */
  n = lit_incr(b, "x-a", 'a', 80);
  memcpy(b + n, (const uint8_t[]){0x04, 0x85, 0xff, 0xff, 0xff, 0xfc, 0x7f}, 7);
  n += 7;
  dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then EOS", b, n, HYPER_ERR_HPACK_HUFFMAN,
                  "HPACK_HUFFMAN");
  hyper_hpack_dec_free(dec);
  /* ... and with EOS after a valid symbol ('a', then 30 ones + 5 ones) */
  n = lit_incr(b, "x-a", 'a', 80);
  memcpy(b + n, (const uint8_t[]){0x04, 0x85, 0x1f, 0xff, 0xff, 0xff, 0xff}, 7);
  n += 7;
  dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then 'a' + EOS", b, n, HYPER_ERR_HPACK_HUFFMAN,
                  "HPACK_HUFFMAN");
  hyper_hpack_dec_free(dec);
  /* ... and with padding that is not all ones ('a' + 000) */
  n = lit_incr(b, "x-a", 'a', 80);
  memcpy(b + n, (const uint8_t[]){0x04, 0x81, 0x18}, 3);
  n += 3;
  dec = new_dec_limits(4096, 100, 65536);
  check_sticky_on(dec, "limit, then bad padding", b, n, HYPER_ERR_HPACK_HUFFMAN,
                  "HPACK_HUFFMAN");
  hyper_hpack_dec_free(dec);
}

/* A Huffman string with EOS is a compression error even when the string
 * is too long to keep: the decoder must still read (validate) all of it. */
static void
test_hpack_malformed_huffman_error_in_overlong_string(void **state) {
  (void)state;
  uint8_t b[512];
  size_t n;
  hyper_hpack_dec *dec;
  /* control: 40 'a' without EOS is just too long */
  n = 0;
  b[n++] = 0x04;
  n += put_huff_a_eos(b + n, 40, 0);
  dec = new_dec_limits(4096, 65536, 16);
  const hyper_field *f;
  size_t nf;
  expect_rv("40 'a', max_field_len 16", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_FIELD_TOO_LONG);
  hyper_hpack_dec_free(dec);
  /* 40 'a' then EOS, literal without indexing, max_field_len 16 */
  n = 0;
  b[n++] = 0x04;
  n += put_huff_a_eos(b + n, 40, 1);
  dec = new_dec_limits(4096, 65536, 16);
  int rv1 = decode(dec, b, n, &f, &nf);
  int failed1 = decode(dec, W(0x82), &f, &nf) == HYPER_ERR_HPACK_FAILED;
  hyper_hpack_dec_free(dec);
  /* 200 'a' then EOS, literal with indexing, larger than a 64 table */
  n = 0;
  b[n++] = 0x44;
  n += put_huff_a_eos(b + n, 200, 1);
  dec = new_dec_limits(64, 65536, 16);
  int rv2 = decode(dec, b, n, &f, &nf);
  int failed2 = decode(dec, W(0x82), &f, &nf) == HYPER_ERR_HPACK_FAILED;
  hyper_hpack_dec_free(dec);
  if (rv1 != HYPER_ERR_HPACK_HUFFMAN || rv2 != HYPER_ERR_HPACK_HUFFMAN ||
      !failed1 || !failed2)
    fail_msg("'a'*40 + EOS not indexed (max_field_len 16): %s%s; "
             "'a'*200 + EOS indexed (table 64, max_field_len 16): %s%s; "
             "want HPACK_HUFFMAN, then HPACK_FAILED",
             hyper_err_name(rv1), failed1 ? ", then FAILED" : "",
             hyper_err_name(rv2), failed2 ? ", then FAILED" : "");
}

/* RFC 7541 §4.4: an entry larger than the table empties it; not an error. */
static void test_hpack_malformed_entry_larger_than_table(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec();
  uint8_t *b = malloc(8192);
  assert_non_null(b);
  size_t n = lit_incr(b, "x-a", 'a', 10);
  const hyper_field *f;
  size_t nf;
  expect_rv("small", decode(dec, b, n, &f, &nf), 0);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 1);
  /* 3 + 4062 + 32 = 4097 > 4096 */
  n = lit_incr(b, "x-b", 'b', 4062);
  expect_rv("4097 entry", decode(dec, b, n, &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "x-b", 'b', 4062);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 0);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 0);
  /* 4096 exactly fits (and evicts the rest) */
  n = lit_incr(b, "x-c", 'c', 4061);
  expect_rv("4096 entry", decode(dec, b, n, &f, &nf), 0);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 1);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 4096);
  check_sticky_on(dec, "ref past the single entry", W(0xbe, 0xbf),
                  HYPER_ERR_HPACK_INDEX, "HPACK_INDEX");
  free(b);
  hyper_hpack_dec_free(dec);
}

/* ------------------------------------------------------------------------ */
/* HPACK bomb                                                               */
/* ------------------------------------------------------------------------ */

#define BOMB_REFS 15000
#define BOMB_VALUE 4000

static void test_hpack_malformed_bomb(void **state) {
  (void)state;
  size_t cap = 16 + BOMB_VALUE + BOMB_REFS;
  uint8_t *b = malloc(cap);
  assert_non_null(b);
  size_t n = lit_incr(b, "b", 'B', BOMB_VALUE); /* entry 1 + 4000 + 32 */
  memset(b + n, 0xbe, BOMB_REFS);
  n += BOMB_REFS;
  assert_true(n <= cap);

  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec *dec = new_dec_cfg(NULL, &fm.mem);
  const hyper_field *f;
  size_t nf;
  /* Decoded this would be 15001 * 4033 octets, ~57 MiB. */
  expect_rv("bomb", decode(dec, b, n, &f, &nf), HYPER_ERR_HPACK_HEADER_LIST);
  assert_int_equal(nf, 0);
  if (fm.peak_bytes >= 256 * 1024)
    fail_msg("bomb: peak %zu bytes (>= 256 KiB)", fm.peak_bytes);
  print_message("bomb: %zu-octet block, decoder peak %zu bytes\n", n,
                fm.peak_bytes);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 1);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 1 + BOMB_VALUE + 32);

  /* Not sticky: a normal block decodes, and so does one reference. */
  expect_rv("after bomb", decode(dec, W(0x82, 0x86, 0x84), &f, &nf), 0);
  assert_int_equal(nf, 3);
  expect_rv("one reference", decode(dec, W(0xbe), &f, &nf), 0);
  assert_int_equal(nf, 1);
  assert_field_filled(&f[0], "b", 'B', BOMB_VALUE);
  /* 16 references fit in 65536 (16 * 4033 = 64528), 17 do not. */
  memset(b, 0xbe, 17);
  expect_rv("16 references", decode(dec, b, 16, &f, &nf), 0);
  assert_int_equal(nf, 16);
  expect_rv("17 references", decode(dec, b, 17, &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  if (fm.peak_bytes >= 256 * 1024)
    fail_msg("bomb: peak %zu bytes (>= 256 KiB)", fm.peak_bytes);
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  free(b);
}

/* Many tiny fields: 100000 x ":method: GET" (42 each in list units). */
static void test_hpack_malformed_many_small_fields(void **state) {
  (void)state;
  size_t n = 100000;
  uint8_t *b = malloc(n);
  assert_non_null(b);
  memset(b, 0x82, n);
  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec *dec = new_dec_cfg(NULL, &fm.mem);
  const hyper_field *f;
  size_t nf;
  expect_rv("100000 fields", decode(dec, b, n, &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  if (fm.peak_bytes >= 256 * 1024)
    fail_msg("many fields: peak %zu bytes (>= 256 KiB)", fm.peak_bytes);
  /* 65536 / 42 = 1560 fields fit. */
  expect_rv("1560 fields", decode(dec, b, 1560, &f, &nf), 0);
  assert_int_equal(nf, 1560);
  expect_rv("1561 fields", decode(dec, b, 1561, &f, &nf),
            HYPER_ERR_HPACK_HEADER_LIST);
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
  free(b);
}

/* ------------------------------------------------------------------------ */
/* Random garbage                                                           */
/* ------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void) {
  /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

/* Writes a block of plausible representations (so that decoding gets past
 * the first octet), possibly with one octet flipped afterwards. */
static size_t gen_structured(uint8_t *blk, size_t cap, size_t table_len) {
  size_t n = 0;
  if (rng() % 4 == 0)
    n += put_int(blk + n, 0x20, 5, rng() % 5000);
  int reps = (int)(rng() % 6) + 1;
  for (int r = 0; r < reps && n + 40 < cap; r++) {
    uint64_t kind = rng() % 6;
    if (kind < 2) {
      n += put_int(blk + n, 0x80, 7, rng() % (61 + table_len + 3));
      continue;
    }
    static const uint8_t firsts[] = {0x40, 0x00, 0x10};
    static const unsigned prefixes[] = {6, 4, 4};
    unsigned k = (unsigned)(rng() % 3);
    if (rng() % 2) {
      n += put_int(blk + n, firsts[k], prefixes[k],
                   1 + rng() % (61 + table_len + 2));
    } else {
      blk[n++] = firsts[k];
      size_t nl = (size_t)(rng() % 8);
      n += put_int(blk + n, 0, 7, nl);
      for (size_t i = 0; i < nl; i++)
        blk[n++] = (uint8_t)('a' + rng() % 26);
    }
    uint64_t vk = rng() % 3;
    if (vk == 0) {
      size_t vl = (size_t)(rng() % 12);
      n += put_int(blk + n, 0, 7, vl);
      for (size_t i = 0; i < vl; i++)
        blk[n++] = (uint8_t)rng();
    } else if (vk == 1) {
      n += put_huff_a(blk + n, (size_t)(rng() % 16));
    } else {
      size_t vl = (size_t)(rng() % 6);
      n += put_int(blk + n, 0x80, 7, vl);
      for (size_t i = 0; i < vl; i++)
        blk[n++] = (uint8_t)rng();
    }
  }
  if (n && rng() % 2)
    blk[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
  return n;
}

static int is_sticky_code(int rv) {
  return hyper_err_is_compression(rv) && rv != HYPER_ERR_HPACK_FAILED;
}

static void test_hpack_malformed_random_garbage(void **state) {
  (void)state;
  static const uint8_t interesting[] = {
      0x00, 0x01, 0x04, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x41, 0x7e,
      0x7f, 0x80, 0x81, 0x82, 0xbe, 0xbf, 0xff, 0xe1, 0x1f, 0x85, 0x61};
  rng_state = 0x9e3779b97f4a7c15ull;
  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec_config small;
  hyper_hpack_dec_config_init(&small);
  small.max_table_size = 96;
  small.max_header_list_size = 64;
  small.max_field_len = 12;
  hyper_hpack_dec *dec = NULL;
  int use_small = 0;
  long ok = 0, errs = 0, limit_errs = 0, recreated = 0;
  long counts[1000] = {0};

  for (long iter = 0; iter < 100000; iter++) {
    if (!dec) {
      use_small = !use_small;
      dec = new_dec_cfg(use_small ? &small : NULL, &fm.mem);
      recreated++;
    }
    uint8_t blk[512];
    size_t len;
    if (iter % 2) {
      len = gen_structured(blk, sizeof blk, hyper_hpack_dec_table_len(dec));
    } else {
      len = (size_t)(rng() % 33);
      for (size_t i = 0; i < len; i++) {
        uint64_t r = rng();
        blk[i] = (r & 3) == 0 ? interesting[(r >> 8) % sizeof interesting]
                              : (uint8_t)(r >> 16);
      }
    }
    const hyper_field *f;
    size_t nf;
    int rv = decode(dec, len ? blk : NULL, len, &f, &nf);
    if (rv == 0) {
      ok++;
      /* Every field is readable and within the limits. */
      size_t list = 0;
      for (size_t i = 0; i < nf; i++) {
        volatile uint8_t sink = 0;
        for (size_t k = 0; k < f[i].name_len; k++)
          sink ^= f[i].name[k];
        for (size_t k = 0; k < f[i].value_len; k++)
          sink ^= f[i].value[k];
        (void)sink;
        list += f[i].name_len + f[i].value_len + 32;
      }
      assert_true(list <= (use_small ? small.max_header_list_size
                                     : HYPER_HPACK_DEFAULT_MAX_HEADER_LIST));
    } else {
      errs++;
      if (rv >= 0 || strcmp(hyper_err_name(rv), "UNKNOWN") == 0)
        fail_msg("block %ld: return value %d is not a hyper_err", iter, rv);
      if (rv == HYPER_ERR_INTERNAL || rv == HYPER_ERR_INVALID_ARGUMENT ||
          rv == HYPER_ERR_HPACK_FAILED)
        fail_msg("block %ld: unexpected %s", iter, hyper_err_name(rv));
      assert_int_equal(nf, 0);
      counts[-rv % 1000]++;
      if (rv == HYPER_ERR_HPACK_HEADER_LIST ||
          rv == HYPER_ERR_HPACK_FIELD_TOO_LONG) {
        limit_errs++;
      } else if (is_sticky_code(rv)) {
        /* Sticky: the next call says so; then start over. */
        static const uint8_t get[] = {0x82};
        assert_int_equal(decode(dec, get, 1, &f, &nf), HYPER_ERR_HPACK_FAILED);
        hyper_hpack_dec_free(dec);
        dec = NULL;
      } else {
        fail_msg("block %ld: %s is neither a limit nor a compression error",
                 iter, hyper_err_name(rv));
      }
    }
    if (dec) {
      size_t max =
          use_small ? small.max_table_size : HYPER_HPACK_DEFAULT_TABLE_SIZE;
      assert_true(hyper_hpack_dec_table_size(dec) <= max);
    }
  }
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  print_message("random: %ld ok, %ld errors (%ld limit), %ld decoders; "
                "INDEX %ld INTEGER %ld HUFFMAN %ld TABLE_SIZE %ld "
                "TRUNCATED %ld\n",
                ok, errs, limit_errs, recreated, counts[205], counts[202],
                counts[203], counts[204], counts[206]);
  /* The generator must reach both outcomes, or the test proves nothing. */
  assert_true(ok > 10000);
  assert_true(errs > 1000);
  assert_true(limit_errs > 100);
  assert_true(counts[205] > 0 && counts[202] > 0 && counts[203] > 0 &&
              counts[204] > 0 && counts[206] > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hpack_malformed_helper_integers),
      cmocka_unit_test(test_hpack_malformed_index_zero),
      cmocka_unit_test(test_hpack_malformed_index_past_table),
      cmocka_unit_test(test_hpack_malformed_literal_name_index_past_table),
      cmocka_unit_test(test_hpack_malformed_integer_overflow),
      cmocka_unit_test(test_hpack_malformed_integer_truncated),
      cmocka_unit_test(test_hpack_malformed_huffman),
      cmocka_unit_test(test_hpack_malformed_string_past_end),
      cmocka_unit_test(test_hpack_malformed_size_update_too_large),
      cmocka_unit_test(test_hpack_malformed_size_update_position),
      cmocka_unit_test(test_hpack_malformed_size_update_required),
      cmocka_unit_test(test_hpack_malformed_null_arguments_decoder),
      cmocka_unit_test(test_hpack_malformed_null_arguments_encoder),
      cmocka_unit_test(test_hpack_malformed_table_size_limit),
      cmocka_unit_test(test_hpack_malformed_names_as_given),
      cmocka_unit_test(test_hpack_malformed_error_texts),
      cmocka_unit_test(test_hpack_malformed_header_list_not_sticky),
      cmocka_unit_test(test_hpack_malformed_header_list_boundary),
      cmocka_unit_test(test_hpack_malformed_field_too_long_not_sticky),
      cmocka_unit_test(test_hpack_malformed_field_len_is_per_string),
      cmocka_unit_test(test_hpack_malformed_limit_error_independent_of_huffman),
      cmocka_unit_test(test_hpack_malformed_sticky_after_limit),
      cmocka_unit_test(test_hpack_malformed_huffman_error_in_overlong_string),
      cmocka_unit_test(test_hpack_malformed_entry_larger_than_table),
      cmocka_unit_test(test_hpack_malformed_bomb),
      cmocka_unit_test(test_hpack_malformed_many_small_fields),
      cmocka_unit_test(test_hpack_malformed_random_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
