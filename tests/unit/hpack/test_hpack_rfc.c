/* RFC 7541 Appendix C examples, byte-exact in both directions.
 *
 * Decode direction: every wire image of C.1-C.6 decodes to exactly the RFC
 * header list, and the dynamic table matches the RFC's listing (entries,
 * sizes) after every block.
 *
 * Encode direction: the encoder, given the same header lists, produces the
 * RFC's bytes. Where an example's representation is a matter of encoder
 * strategy rather than of the format, the test says so next to the vector
 * (see ENCODE STRATEGY notes below); in that case it asserts that the output
 * decodes, with a fresh decoder, to the same list and is no longer than the
 * RFC's bytes.
 *
 * ENCODE STRATEGY notes (decided here, without asking):
 *  - C.2.2 (":path" literal without indexing) and C.2.3 ("password" never
 *    indexed) are requested through HYPER_FIELD_NO_INDEX and
 *    HYPER_FIELD_SENSITIVE; with those flags the representation is fixed by
 *    the header documentation, so the bytes are asserted exactly.
 *  - C.3/C.4 (requests) use only static-table hits and incremental indexing
 *    of new fields; any encoder that indexes what it sends emits exactly the
 *    RFC bytes, so they are asserted exactly (NEVER, AUTO and ALWAYS; AUTO
 *    Huffman-codes every string of C.4 because each one gets shorter).
 *  - C.5/C.6 (responses, table size 256): hyper never indexes
 *    `set-cookie` (see test_hpack_rfc_c5_responses_plain_encode), so
 *    C.5.1-2/C.6.1-2 are asserted exactly and C.5.3/C.6.3 exactly up to the
 *    set-cookie field, then by round trip (not "no longer than the RFC":
 *    a non-indexed set-cookie costs one octet more, by design).
 *  - C.5/C.6 size update: the encoder is created with
 *    cfg.max_table_size = 256 and told set_peer_table_size(256). Whether it
 *    announces its 256-octet table with a leading size update (0x3f 0xe1
 *    0x01) is not fixed by the RFC examples (they assume both sides start at
 *    256) nor by hpack.h; both are conformant. The test accepts either, but
 *    if an update is present it must be exactly 0x3f 0xe1 0x01, only in the
 *    first block, and the rest of the block must be the RFC bytes.
 *  - C.6.2 with HUFFMAN_AUTO: "307" Huffman-codes to 3 octets (64 0e ff),
 *    not strictly shorter than the 3 raw octets, so AUTO sends it raw; the
 *    expected block is then 48 03 33 30 37 c1 c0 bf (which is C.5.2). With
 *    HUFFMAN_ALWAYS the RFC bytes are expected.
 */
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

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct nv {
  const char *name;
  const char *value;
} nv;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define WIRE_MAX 2048

/* Parses hex digits (whitespace ignored) into |out|; returns the length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (const char *p = hex; *p; p++) {
    int v;
    if (*p >= '0' && *p <= '9')
      v = *p - '0';
    else if (*p >= 'a' && *p <= 'f')
      v = *p - 'a' + 10;
    else if (*p >= 'A' && *p <= 'F')
      v = *p - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      if (n >= cap)
        fail_msg("hex vector too long");
      out[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  if (hi >= 0)
    fail_msg("odd number of hex digits in %s", hex);
  return n;
}

static void hexstr(const uint8_t *p, size_t n, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 3 < cap; i++)
    o += (size_t)snprintf(out + o, cap - o, "%02x", p[i]);
  out[o] = 0;
}

/* Asserts got == want byte for byte, printing both in hex otherwise. */
static void assert_bytes(const char *what, const uint8_t *got, size_t glen,
                         const uint8_t *want, size_t wlen) {
  if (glen == wlen && memcmp(got, want, glen) == 0)
    return;
  char g[2 * WIRE_MAX + 1], w[2 * WIRE_MAX + 1];
  hexstr(got, glen, g, sizeof g);
  hexstr(want, wlen, w, sizeof w);
  fail_msg("%s:\n  got  (%zu) %s\n  want (%zu) %s", what, glen, g, wlen, w);
}

static void to_fields(const nv *in, size_t n, hyper_field *out,
                      uint32_t flags) {
  for (size_t i = 0; i < n; i++) {
    out[i].name = (const uint8_t *)in[i].name;
    out[i].name_len = strlen(in[i].name);
    out[i].value = (const uint8_t *)in[i].value;
    out[i].value_len = strlen(in[i].value);
    out[i].flags = flags;
  }
}

static int field_eq(const hyper_field *f, const char *name, const char *value) {
  size_t nl = strlen(name), vl = strlen(value);
  return f->name_len == nl && f->value_len == vl &&
         (nl == 0 || memcmp(f->name, name, nl) == 0) &&
         (vl == 0 || memcmp(f->value, value, vl) == 0);
}

static void assert_field(const char *what, size_t i, const hyper_field *f,
                         const char *name, const char *value) {
  if (!field_eq(f, name, value))
    fail_msg("%s field %zu: got \"%.*s: %.*s\", want \"%s: %s\"", what, i,
             (int)f->name_len, (const char *)f->name, (int)f->value_len,
             (const char *)f->value, name, value);
}

static void assert_fields(const char *what, const hyper_field *got, size_t ngot,
                          const nv *want, size_t nwant) {
  if (ngot != nwant)
    fail_msg("%s: got %zu fields, want %zu", what, ngot, nwant);
  for (size_t i = 0; i < nwant; i++)
    assert_field(what, i, &got[i], want[i].name, want[i].value);
}

/* Decodes |hex| and checks the result against |want|. */
static void decode_hex(hyper_hpack_dec *dec, const char *what, const char *hex,
                       const nv *want, size_t nwant) {
  uint8_t wire[WIRE_MAX];
  size_t len = unhex(hex, wire, sizeof wire);
  const hyper_field *f = NULL;
  size_t n = 9999;
  int rv = hyper_hpack_dec_decode(dec, wire, len, &f, &n);
  if (rv != 0)
    fail_msg("%s: decode returned %d (%s)", what, rv, hyper_err_name(rv));
  assert_fields(what, f, n, want, nwant);
}

/* Checks the decoder's dynamic table: |ents| newest first, |size| octets. */
static void assert_dec_table(hyper_hpack_dec *dec, const char *what,
                             const nv *ents, size_t n, size_t size) {
  if (hyper_hpack_dec_table_len(dec) != n)
    fail_msg("%s: table has %zu entries, want %zu", what,
             hyper_hpack_dec_table_len(dec), n);
  if (hyper_hpack_dec_table_size(dec) != size)
    fail_msg("%s: table size %zu, want %zu", what,
             hyper_hpack_dec_table_size(dec), size);
  size_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    hyper_field f;
    memset(&f, 0, sizeof f);
    int rv = hyper_hpack_dec_table_get(dec, 62 + i, &f);
    if (rv != 0)
      fail_msg("%s: table_get(%zu) = %d", what, 62 + i, rv);
    assert_field(what, 62 + i, &f, ents[i].name, ents[i].value);
    sum += f.name_len + f.value_len + HYPER_HPACK_ENTRY_OVERHEAD;
  }
  assert_int_equal(sum, size);
  hyper_field f;
  assert_int_equal(hyper_hpack_dec_table_get(dec, 62 + n, &f),
                   HYPER_ERR_HPACK_INDEX);
}

static hyper_hpack_dec *new_dec(uint32_t max_table_size) {
  hyper_hpack_dec_config cfg;
  hyper_hpack_dec_config_init(&cfg);
  cfg.max_table_size = max_table_size;
  hyper_hpack_dec *dec = NULL;
  assert_int_equal(hyper_hpack_dec_new(&dec, &cfg, NULL), 0);
  assert_non_null(dec);
  return dec;
}

static hyper_hpack_enc *new_enc(uint32_t max_table_size,
                                hyper_hpack_huffman huff) {
  hyper_hpack_enc_config cfg;
  hyper_hpack_enc_config_init(&cfg);
  cfg.max_table_size = max_table_size;
  cfg.huffman = huff;
  hyper_hpack_enc *enc = NULL;
  assert_int_equal(hyper_hpack_enc_new(&enc, &cfg, NULL), 0);
  assert_non_null(enc);
  return enc;
}

/* Encodes |n| fields (all with |flags|) and returns the length in |out|. */
static size_t encode_nv(hyper_hpack_enc *enc, const nv *in, size_t n,
                        uint32_t flags, uint8_t *out, size_t cap) {
  hyper_field fields[16];
  assert_true(n <= N(fields));
  to_fields(in, n, fields, flags);
  size_t bound = hyper_hpack_enc_bound(enc, fields, n);
  size_t len = 0;
  int rv = hyper_hpack_enc_encode(enc, fields, n, out, cap, &len);
  if (rv != 0)
    fail_msg("encode returned %d (%s)", rv, hyper_err_name(rv));
  assert_true(len <= bound);
  assert_true(len <= cap);
  return len;
}

/* Encodes |in| and asserts the wire is exactly |hex|. */
static void encode_expect(hyper_hpack_enc *enc, const char *what, const nv *in,
                          size_t n, uint32_t flags, const char *hex) {
  uint8_t got[WIRE_MAX], want[WIRE_MAX];
  size_t glen = encode_nv(enc, in, n, flags, got, sizeof got);
  size_t wlen = unhex(hex, want, sizeof want);
  assert_bytes(what, got, glen, want, wlen);
}

/* ------------------------------------------------------------------------ */
/* The RFC vectors                                                          */
/* ------------------------------------------------------------------------ */

/* C.3 / C.4 request header lists */
static const nv req1[] = {{":method", "GET"},
                          {":scheme", "http"},
                          {":path", "/"},
                          {":authority", "www.example.com"}};
static const nv req2[] = {{":method", "GET"},
                          {":scheme", "http"},
                          {":path", "/"},
                          {":authority", "www.example.com"},
                          {"cache-control", "no-cache"}};
static const nv req3[] = {{":method", "GET"},
                          {":scheme", "https"},
                          {":path", "/index.html"},
                          {":authority", "www.example.com"},
                          {"custom-key", "custom-value"}};
/* dynamic tables after each request, newest first */
static const nv req_tab1[] = {{":authority", "www.example.com"}};
static const nv req_tab2[] = {{"cache-control", "no-cache"},
                              {":authority", "www.example.com"}};
static const nv req_tab3[] = {{"custom-key", "custom-value"},
                              {"cache-control", "no-cache"},
                              {":authority", "www.example.com"}};

static const char c3_1[] = "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
static const char c3_2[] = "8286 84be 5808 6e6f 2d63 6163 6865";
static const char c3_3[] = "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573"
                           "746f 6d2d 7661 6c75 65";
static const char c4_1[] = "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff";
static const char c4_2[] = "8286 84be 5886 a8eb 1064 9cbf";
static const char c4_3[] = "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b"
                           "b8e8 b4bf";

/* C.5 / C.6 response header lists */
#define DATE1 "Mon, 21 Oct 2013 20:13:21 GMT"
#define DATE2 "Mon, 21 Oct 2013 20:13:22 GMT"
#define LOC "https://www.example.com"
#define COOKIE "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
static const nv resp1[] = {{":status", "302"},
                           {"cache-control", "private"},
                           {"date", DATE1},
                           {"location", LOC}};
static const nv resp2[] = {{":status", "307"},
                           {"cache-control", "private"},
                           {"date", DATE1},
                           {"location", LOC}};
static const nv resp3[] = {
    {":status", "200"}, {"cache-control", "private"}, {"date", DATE2},
    {"location", LOC},  {"content-encoding", "gzip"}, {"set-cookie", COOKIE}};
static const nv resp_tab1[] = {{"location", LOC},
                               {"date", DATE1},
                               {"cache-control", "private"},
                               {":status", "302"}};
static const nv resp_tab2[] = {{":status", "307"},
                               {"location", LOC},
                               {"date", DATE1},
                               {"cache-control", "private"}};
static const nv resp_tab3[] = {
    {"set-cookie", COOKIE}, {"content-encoding", "gzip"}, {"date", DATE2}};

static const char c5_1[] =
    "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420"
    "3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77"
    "7777 2e65 7861 6d70 6c65 2e63 6f6d";
static const char c5_2[] = "4803 3330 37c1 c0bf";
static const char c5_3[] =
    "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
    "3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a"
    "584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33"
    "3630 303b 2076 6572 7369 6f6e 3d31";
static const char c6_1[] =
    "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81"
    "66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
static const char c6_2[] = "4883 640e ffc1 c0bf";
static const char c6_3[] =
    "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a"
    "839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36"
    "72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07";

typedef struct step {
  const char *wire;
  const nv *fields;
  size_t nfields;
  const nv *table;
  size_t ntable;
  size_t table_size;
} step;

#define STEP(w, f, t, s)                                                       \
  { w, f, N(f), t, N(t), s }

static const step c3_steps[] = {STEP(c3_1, req1, req_tab1, 57),
                                STEP(c3_2, req2, req_tab2, 110),
                                STEP(c3_3, req3, req_tab3, 164)};
static const step c4_steps[] = {STEP(c4_1, req1, req_tab1, 57),
                                STEP(c4_2, req2, req_tab2, 110),
                                STEP(c4_3, req3, req_tab3, 164)};
static const step c5_steps[] = {STEP(c5_1, resp1, resp_tab1, 222),
                                STEP(c5_2, resp2, resp_tab2, 222),
                                STEP(c5_3, resp3, resp_tab3, 215)};
static const step c6_steps[] = {STEP(c6_1, resp1, resp_tab1, 222),
                                STEP(c6_2, resp2, resp_tab2, 222),
                                STEP(c6_3, resp3, resp_tab3, 215)};
/* C.6 under HUFFMAN_AUTO: identical but for "307" sent raw (see top). */
static const step c6_auto_steps[] = {STEP(c6_1, resp1, resp_tab1, 222),
                                     STEP(c5_2, resp2, resp_tab2, 222),
                                     STEP(c6_3, resp3, resp_tab3, 215)};

static void run_decode_steps(const char *name, const step *steps, size_t n,
                             uint32_t max_table_size) {
  hyper_hpack_dec *dec = new_dec(max_table_size);
  for (size_t i = 0; i < n; i++) {
    char what[64];
    snprintf(what, sizeof what, "%s.%zu decode", name, i + 1);
    decode_hex(dec, what, steps[i].wire, steps[i].fields, steps[i].nfields);
    assert_dec_table(dec, what, steps[i].table, steps[i].ntable,
                     steps[i].table_size);
  }
  hyper_hpack_dec_free(dec);
}

/* Bytes needed to send |f| as literals with literal names, no Huffman, no
 * indexing: the "no compression at all" baseline. */
static size_t intlen7(size_t v) {
  size_t n = 1;
  if (v >= 127) {
    v -= 127;
    n++;
    while (v >= 128) {
      v >>= 7;
      n++;
    }
  }
  return n;
}

static size_t baseline_len(const nv *f, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    size_t nl = strlen(f[i].name), vl = strlen(f[i].value);
    total += 1 + intlen7(nl) + nl + intlen7(vl) + vl;
  }
  return total;
}

/* Encodes each step's list with |enc| and checks it (allowing one leading
 * size update |announce_hex| in the first block when given, see the notes
 * at the top; |announce_required| makes it mandatory):
 *  - steps [0, exact_steps): the RFC bytes exactly, and the encoder's
 *    table as the RFC lists it;
 *  - step exact_steps, if any, is where hyper's strategy departs by design:
 *    its first |prefix_len| bytes (the fields before the one hyper
 *    represents differently) must be the RFC's;
 *  - every step: the output decodes, with a fresh decoder of |dec_size|, to
 *    the RFC list, encoder and decoder tables stay in step, and the block
 *    is no longer than the no-compression baseline.
 * Returns the total number of bytes written. */
static size_t run_encode_steps(const char *name, hyper_hpack_enc *enc,
                               const step *steps, size_t n, uint32_t dec_size,
                               const char *announce_hex, int announce_required,
                               size_t exact_steps, size_t prefix_len) {
  hyper_hpack_dec *dec = new_dec(dec_size);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    char what[64];
    snprintf(what, sizeof what, "%s.%zu encode", name, i + 1);
    uint8_t got[WIRE_MAX], want[WIRE_MAX], upd[8];
    size_t glen =
        encode_nv(enc, steps[i].fields, steps[i].nfields, 0, got, sizeof got);
    size_t wlen = unhex(steps[i].wire, want, sizeof want);
    total += glen;
    size_t skip = 0;
    if (glen > 0 && (got[0] & 0xe0) == 0x20) {
      /* A dynamic table size update. */
      if (i != 0 || !announce_hex)
        fail_msg("%s: unexpected size update at block start (0x%02x)", what,
                 got[0]);
      size_t ulen = unhex(announce_hex, upd, sizeof upd);
      assert_true(glen >= ulen);
      assert_bytes("leading size update", got, ulen, upd, ulen);
      skip = ulen;
    } else if (i == 0 && announce_required) {
      fail_msg("%s: the block does not start with the size update %s", what,
               announce_hex);
    }
    int exact = i < exact_steps;
    if (exact) {
      assert_bytes(what, got + skip, glen - skip, want, wlen);
      /* The encoder's table follows the RFC's listing. */
      assert_int_equal(hyper_hpack_enc_table_len(enc), steps[i].ntable);
      assert_int_equal(hyper_hpack_enc_table_size(enc), steps[i].table_size);
    } else if (i == exact_steps) {
      assert_true(prefix_len <= wlen && prefix_len <= glen - skip);
      assert_bytes(what, got + skip, prefix_len, want, prefix_len);
    }
    size_t base = baseline_len(steps[i].fields, steps[i].nfields);
    if (glen - skip > base)
      fail_msg("%s: %zu bytes, more than the %zu of plain literals", what,
               glen - skip, base);

    /* The output round-trips through an independent decoder. */
    const hyper_field *f;
    size_t nf;
    int rv = hyper_hpack_dec_decode(dec, got, glen, &f, &nf);
    if (rv != 0)
      fail_msg("%s: fresh decoder returned %s", what, hyper_err_name(rv));
    assert_fields(what, f, nf, steps[i].fields, steps[i].nfields);
    if (exact)
      assert_dec_table(dec, what, steps[i].table, steps[i].ntable,
                       steps[i].table_size);
    /* Encoder and decoder tables stay in step (same entries count/size). */
    assert_int_equal(hyper_hpack_enc_table_len(enc),
                     hyper_hpack_dec_table_len(dec));
    assert_int_equal(hyper_hpack_enc_table_size(enc),
                     hyper_hpack_dec_table_size(dec));
    assert_true(hyper_hpack_enc_table_size(enc) <= dec_size);
  }
  hyper_hpack_dec_free(dec);
  return total;
}

static size_t rfc_total(const step *steps, size_t n) {
  uint8_t buf[WIRE_MAX];
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += unhex(steps[i].wire, buf, sizeof buf);
  return total;
}

/* ------------------------------------------------------------------------ */
/* C.1 Integer representation                                               */
/* ------------------------------------------------------------------------ */

/* The decoder accepts a size update of exactly its max_table_size and
 * rejects one octet more, which pins the decoded integer value. */
static void check_size_update_value(const char *hex_ok, const char *hex_over,
                                    uint32_t value) {
  uint8_t wire[16];
  size_t len;
  const hyper_field *f;
  size_t n;

  hyper_hpack_dec *dec = new_dec(value);
  len = unhex(hex_ok, wire, sizeof wire);
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n), 0);
  assert_int_equal(n, 0);
  hyper_hpack_dec_free(dec);

  dec = new_dec(value);
  len = unhex(hex_over, wire, sizeof wire);
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n),
                   HYPER_ERR_HPACK_TABLE_SIZE);
  hyper_hpack_dec_free(dec);
}

/* Encoder side: after set_peer_table_size(value), the next block starts
 * with the size update |hex| (5-bit prefix integer), then 0x82. */
static void check_size_update_encode(uint32_t value, const char *hex) {
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  hyper_hpack_enc_set_peer_table_size(enc, value);
  static const nv get[] = {{":method", "GET"}};
  char want[64];
  snprintf(want, sizeof want, "%s 82", hex);
  encode_expect(enc, "size update encode", get, 1, 0, want);
  /* Only once. */
  encode_expect(enc, "size update encode (2nd block)", get, 1, 0, "82");
  hyper_hpack_enc_free(enc);
}

/* C.1.1: 10 with a 5-bit prefix is the single octet 01010 (0x2a as a size
 * update, whose pattern is 001xxxxx). */
static void test_hpack_rfc_c1_1_integer_10(void **state) {
  (void)state;
  check_size_update_value("2a", "2b", 10);
  check_size_update_encode(10, "2a");
}

/* C.1.2: 1337 with a 5-bit prefix is 31, 154, 10 (0x3f 0x9a 0x0a). */
static void test_hpack_rfc_c1_2_integer_1337(void **state) {
  (void)state;
  check_size_update_value("3f 9a 0a", "3f 9b 0a", 1337);
  check_size_update_encode(1337, "3f 9a 0a");
}

/* The boundary of the 5-bit prefix: 30 fits, 31 needs a 0 continuation. */
static void test_hpack_rfc_c1_prefix_boundary(void **state) {
  (void)state;
  check_size_update_value("3e", "3f 00", 30);
  check_size_update_value("3f 00", "3f 01", 31);
  check_size_update_encode(30, "3e");
  check_size_update_encode(31, "3f 00");
  check_size_update_encode(0, "20");
  /* 4096, the default (decoder max 4096 accepts it; 4097 is too big). */
  check_size_update_value("3f e1 1f", "3f e2 1f", 4096);
}

/* C.1.3: 42 at an octet boundary. HPACK has no 8-bit prefix on the wire;
 * the nearest observable is a string length with a 7-bit prefix, where 42
 * is the single octet 0x2a as well. ":path" literal without indexing (name
 * index 4) with a 42-octet value. */
static void test_hpack_rfc_c1_3_integer_42(void **state) {
  (void)state;
  static const char v42[] = "/0123456789abcdefghijklmnopqrstuvwxyzABCDE";
  assert_int_equal(strlen(v42), 42);
  uint8_t wire[64];
  wire[0] = 0x04;
  wire[1] = 0x2a;
  memcpy(wire + 2, v42, 42);

  hyper_hpack_dec *dec = new_dec(4096);
  const hyper_field *f;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, 44, &f, &n), 0);
  assert_int_equal(n, 1);
  assert_field("C.1.3", 0, &f[0], ":path", v42);
  assert_int_equal(hyper_hpack_dec_table_len(dec), 0);
  hyper_hpack_dec_free(dec);

  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  nv in[] = {{":path", v42}};
  uint8_t got[WIRE_MAX];
  size_t len = encode_nv(enc, in, 1, HYPER_FIELD_NO_INDEX, got, sizeof got);
  assert_bytes("C.1.3 encode", got, len, wire, 44);
  hyper_hpack_enc_free(enc);
}

/* ------------------------------------------------------------------------ */
/* C.2 Header field representation                                          */
/* ------------------------------------------------------------------------ */

static const char c2_1[] =
    "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572";
static const char c2_2[] = "040c 2f73 616d 706c 652f 7061 7468";
static const char c2_3[] = "1008 7061 7373 776f 7264 0673 6563 7265 74";
static const char c2_4[] = "82";

static void test_hpack_rfc_c2_1_literal_with_indexing(void **state) {
  (void)state;
  static const nv want[] = {{"custom-key", "custom-header"}};
  hyper_hpack_dec *dec = new_dec(4096);
  decode_hex(dec, "C.2.1", c2_1, want, 1);
  assert_dec_table(dec, "C.2.1", want, 1, 55);
  hyper_hpack_dec_free(dec);

  dec = new_dec(4096);
  uint8_t wire[64];
  size_t len = unhex(c2_1, wire, sizeof wire);
  const hyper_field *f;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n), 0);
  assert_int_equal(f[0].flags & HYPER_FIELD_SENSITIVE, 0);
  hyper_hpack_dec_free(dec);

  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  encode_expect(enc, "C.2.1 encode", want, 1, 0, c2_1);
  assert_int_equal(hyper_hpack_enc_table_len(enc), 1);
  assert_int_equal(hyper_hpack_enc_table_size(enc), 55);
  /* The same field again is now a dynamic-table hit, index 62. */
  encode_expect(enc, "C.2.1 encode again", want, 1, 0, "be");
  hyper_hpack_enc_free(enc);
}

static void test_hpack_rfc_c2_2_literal_without_indexing(void **state) {
  (void)state;
  static const nv want[] = {{":path", "/sample/path"}};
  hyper_hpack_dec *dec = new_dec(4096);
  uint8_t wire[64];
  size_t len = unhex(c2_2, wire, sizeof wire);
  const hyper_field *f;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n), 0);
  assert_fields("C.2.2", f, n, want, 1);
  assert_int_equal(f[0].flags & HYPER_FIELD_SENSITIVE, 0);
  assert_dec_table(dec, "C.2.2", NULL, 0, 0);
  hyper_hpack_dec_free(dec);

  /* HYPER_FIELD_NO_INDEX selects "literal without indexing". */
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  encode_expect(enc, "C.2.2 encode", want, 1, HYPER_FIELD_NO_INDEX, c2_2);
  assert_int_equal(hyper_hpack_enc_table_len(enc), 0);
  assert_int_equal(hyper_hpack_enc_table_size(enc), 0);
  hyper_hpack_enc_free(enc);
}

static void test_hpack_rfc_c2_3_literal_never_indexed(void **state) {
  (void)state;
  static const nv want[] = {{"password", "secret"}};
  hyper_hpack_dec *dec = new_dec(4096);
  uint8_t wire[64];
  size_t len = unhex(c2_3, wire, sizeof wire);
  const hyper_field *f;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n), 0);
  assert_fields("C.2.3", f, n, want, 1);
  /* Sent never-indexed: the decoder must say so. */
  assert_int_equal(f[0].flags & HYPER_FIELD_SENSITIVE, HYPER_FIELD_SENSITIVE);
  assert_dec_table(dec, "C.2.3", NULL, 0, 0);
  hyper_hpack_dec_free(dec);

  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  encode_expect(enc, "C.2.3 encode", want, 1, HYPER_FIELD_SENSITIVE, c2_3);
  assert_int_equal(hyper_hpack_enc_table_len(enc), 0);
  /* Sensitive fields are never indexed, not even the second time. */
  encode_expect(enc, "C.2.3 encode again", want, 1, HYPER_FIELD_SENSITIVE,
                c2_3);
  assert_int_equal(hyper_hpack_enc_table_len(enc), 0);
  hyper_hpack_enc_free(enc);
}

static void test_hpack_rfc_c2_4_indexed(void **state) {
  (void)state;
  static const nv want[] = {{":method", "GET"}};
  hyper_hpack_dec *dec = new_dec(4096);
  decode_hex(dec, "C.2.4", c2_4, want, 1);
  assert_dec_table(dec, "C.2.4", NULL, 0, 0);
  /* The static table through table_get. */
  hyper_field f;
  assert_int_equal(hyper_hpack_dec_table_get(dec, 2, &f), 0);
  assert_field("static 2", 2, &f, ":method", "GET");
  assert_int_equal(hyper_hpack_dec_table_get(dec, 1, &f), 0);
  assert_field("static 1", 1, &f, ":authority", "");
  assert_int_equal(hyper_hpack_dec_table_get(dec, 61, &f), 0);
  assert_field("static 61", 61, &f, "www-authenticate", "");
  assert_int_equal(hyper_hpack_dec_table_get(dec, 0, &f),
                   HYPER_ERR_HPACK_INDEX);
  assert_int_equal(hyper_hpack_dec_table_get(dec, 62, &f),
                   HYPER_ERR_HPACK_INDEX);
  hyper_hpack_dec_free(dec);

  for (int h = 0; h < 3; h++) {
    hyper_hpack_enc *enc = new_enc(4096, (hyper_hpack_huffman)h);
    encode_expect(enc, "C.2.4 encode", want, 1, 0, c2_4);
    assert_int_equal(hyper_hpack_enc_table_len(enc), 0);
    hyper_hpack_enc_free(enc);
  }
}

/* ------------------------------------------------------------------------ */
/* C.3 / C.4 Requests                                                       */
/* ------------------------------------------------------------------------ */

static void test_hpack_rfc_c3_requests_plain_decode(void **state) {
  (void)state;
  run_decode_steps("C.3", c3_steps, N(c3_steps), 4096);
}

static void test_hpack_rfc_c3_requests_plain_encode(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  run_encode_steps("C.3", enc, c3_steps, N(c3_steps), 4096, NULL, 0,
                   N(c4_steps), 0);
  hyper_hpack_enc_free(enc);
}

static void test_hpack_rfc_c4_requests_huffman_decode(void **state) {
  (void)state;
  run_decode_steps("C.4", c4_steps, N(c4_steps), 4096);
}

static void test_hpack_rfc_c4_requests_huffman_encode(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_ALWAYS);
  run_encode_steps("C.4 ALWAYS", enc, c4_steps, N(c4_steps), 4096, NULL, 0,
                   N(c4_steps), 0);
  hyper_hpack_enc_free(enc);
  /* AUTO: every string of C.4 is shorter Huffman-coded, so same bytes. */
  enc = new_enc(4096, HYPER_HPACK_HUFFMAN_AUTO);
  run_encode_steps("C.4 AUTO", enc, c4_steps, N(c4_steps), 4096, NULL, 0,
                   N(c4_steps), 0);
  hyper_hpack_enc_free(enc);
  /* The default config is AUTO. */
  hyper_hpack_enc_config cfg;
  hyper_hpack_enc_config_init(&cfg);
  assert_int_equal(cfg.huffman, HYPER_HPACK_HUFFMAN_AUTO);
  assert_int_equal(cfg.max_table_size, HYPER_HPACK_DEFAULT_TABLE_SIZE);
  enc = NULL;
  assert_int_equal(hyper_hpack_enc_new(&enc, NULL, NULL), 0);
  run_encode_steps("C.4 default", enc, c4_steps, N(c4_steps), 4096, NULL, 0,
                   N(c4_steps), 0);
  hyper_hpack_enc_free(enc);
}

/* The C.3 and C.4 wires interleaved through one decoder: Huffman or not is
 * per string, and the table does not care. */
static void test_hpack_rfc_c3_c4_mixed_decode(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec(4096);
  decode_hex(dec, "mixed 1", c4_1, req1, N(req1));
  decode_hex(dec, "mixed 2", c3_2, req2, N(req2));
  decode_hex(dec, "mixed 3", c4_3, req3, N(req3));
  assert_dec_table(dec, "mixed", req_tab3, N(req_tab3), 164);
  hyper_hpack_dec_free(dec);
}

/* ------------------------------------------------------------------------ */
/* C.5 / C.6 Responses, table size 256, with eviction                       */
/* ------------------------------------------------------------------------ */

static void test_hpack_rfc_c5_responses_plain_decode(void **state) {
  (void)state;
  run_decode_steps("C.5", c5_steps, N(c5_steps), 256);
}

static hyper_hpack_enc *new_enc_256(hyper_hpack_huffman huff) {
  hyper_hpack_enc *enc = new_enc(256, huff);
  hyper_hpack_enc_set_peer_table_size(enc, 256);
  return enc;
}

/* ENCODE STRATEGY (by design): hyper's encoder never adds `set-cookie` to
 * the dynamic table (per-client state a shared connection should not keep;
 * src/hpack/hpack.c never_worth_indexing) and sends it as a literal without
 * indexing (4-bit prefix: 0f 28, where the RFC's incremental-indexing form
 * takes one octet, 77). C.5.1/C.5.2 (and C.6.1/C.6.2) are therefore exact,
 * and C.5.3/C.6.3 are exact up to the set-cookie field; after it the bytes
 * and the table differ, and C.5.3 is one octet longer than the RFC's (the
 * brief's "no longer than the RFC" cannot hold for a field hyper does not
 * index). Asserted instead: the RFC prefix, the round trip, table sync,
 * and the no-compression bound; hyper's total is printed next to the RFC's.
 * (An earlier revision also never indexed `location`; the exact checks of
 * steps 1-2 pin the current choice.) */
#define C5_3_PREFIX 40 /* 88 c1 61 1d <date> c0 5a 04 "gzip" */
#define C6_3_PREFIX 32 /* 88 c1 61 96 <date> c0 5a 83 <gzip> */

static void test_hpack_rfc_c5_responses_plain_encode(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc_256(HYPER_HPACK_HUFFMAN_NEVER);
  size_t total = run_encode_steps("C.5", enc, c5_steps, N(c5_steps), 256,
                                  "3f e1 01", 0, 2, C5_3_PREFIX);
  print_message("C.5 encode: hyper %zu bytes, RFC %zu\n", total,
                rfc_total(c5_steps, N(c5_steps)));
  hyper_hpack_enc_free(enc);
}

static void test_hpack_rfc_c6_responses_huffman_decode(void **state) {
  (void)state;
  run_decode_steps("C.6", c6_steps, N(c6_steps), 256);
}

/* Same strategy note as C.5. */
static void test_hpack_rfc_c6_responses_huffman_encode(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc_256(HYPER_HPACK_HUFFMAN_ALWAYS);
  size_t total = run_encode_steps("C.6 ALWAYS", enc, c6_steps, N(c6_steps), 256,
                                  "3f e1 01", 0, 2, C6_3_PREFIX);
  print_message("C.6 encode (ALWAYS): hyper %zu bytes, RFC %zu\n", total,
                rfc_total(c6_steps, N(c6_steps)));
  hyper_hpack_enc_free(enc);
  enc = new_enc_256(HYPER_HPACK_HUFFMAN_AUTO);
  run_encode_steps("C.6 AUTO", enc, c6_auto_steps, N(c6_auto_steps), 256,
                   "3f e1 01", 0, 2, C6_3_PREFIX);
  hyper_hpack_enc_free(enc);
}

/* The encoder capped at 256 by the peer rather than by its own config:
 * cfg 4096, peer 256. The change from the default 4096 must be announced
 * (hpack.h: "any change is signalled by size updates at the start of the
 * next block"). The decoder here starts at the default 4096 like a real
 * peer, so only the update makes it evict like the encoder. */
static void test_hpack_rfc_c5_encode_peer_limited(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  hyper_hpack_enc_set_peer_table_size(enc, 256);
  run_encode_steps("C.5 peer-limited", enc, c5_steps, N(c5_steps), 4096,
                   "3f e1 01", 1, 2, C5_3_PREFIX);
  hyper_hpack_enc_free(enc);
}

/* Five rounds of the three responses through a peer-limited encoder: one
 * size update only, the table never above 256, and encoder and decoder
 * tables (evicting independently) always agree. */
static void test_hpack_rfc_c5_peer_limited_table_bound(void **state) {
  (void)state;
  hyper_hpack_enc *enc = new_enc(4096, HYPER_HPACK_HUFFMAN_NEVER);
  hyper_hpack_enc_set_peer_table_size(enc, 256);
  hyper_hpack_dec *dec = new_dec(4096);
  const nv *lists[] = {resp1, resp2, resp3};
  size_t lens[] = {N(resp1), N(resp2), N(resp3)};
  for (int round = 0; round < 5; round++) {
    for (size_t i = 0; i < 3; i++) {
      uint8_t got[WIRE_MAX];
      size_t glen = encode_nv(enc, lists[i], lens[i], 0, got, sizeof got);
      if (round == 0 && i == 0) {
        static const uint8_t upd[] = {0x3f, 0xe1, 0x01};
        assert_bytes("first block size update", got, 3, upd, 3);
      } else {
        assert_int_not_equal(got[0] & 0xe0, 0x20);
      }
      const hyper_field *f;
      size_t nf;
      assert_int_equal(hyper_hpack_dec_decode(dec, got, glen, &f, &nf), 0);
      assert_fields("peer-limited rounds", f, nf, lists[i], lens[i]);
      assert_true(hyper_hpack_enc_table_size(enc) <= 256);
      assert_int_equal(hyper_hpack_enc_table_size(enc),
                       hyper_hpack_dec_table_size(dec));
      assert_int_equal(hyper_hpack_enc_table_len(enc),
                       hyper_hpack_dec_table_len(dec));
    }
  }
  hyper_hpack_dec_free(dec);
  hyper_hpack_enc_free(enc);
}

/* A decoder whose table is larger than the encoder's still decodes the C.5
 * wires (it simply evicts later); the lists are the same. */
static void test_hpack_rfc_c5_decode_with_larger_table(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec(4096);
  for (size_t i = 0; i < N(c5_steps); i++)
    decode_hex(dec, "C.5 with 4096", c5_steps[i].wire, c5_steps[i].fields,
               c5_steps[i].nfields);
  /* Nothing was evicted: 222 + 42 (307) + 65 (date :22) + 52 (gzip) + 98. */
  assert_int_equal(hyper_hpack_dec_table_len(dec), 8);
  assert_int_equal(hyper_hpack_dec_table_size(dec), 222 + 42 + 65 + 52 + 98);
  hyper_hpack_dec_free(dec);
}

/* hpack.h: "|in| is not referenced after the call returns". Decode C.3.3
 * and C.6.3 from heap copies, wipe and free the copies, then read the
 * fields (ASan reports any reference into the freed input). */
static void test_hpack_rfc_decode_does_not_reference_input(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec(4096);
  for (size_t i = 0; i < N(c3_steps); i++) {
    uint8_t tmp[WIRE_MAX];
    size_t len = unhex(c3_steps[i].wire, tmp, sizeof tmp);
    uint8_t *in = malloc(len);
    assert_non_null(in);
    memcpy(in, tmp, len);
    const hyper_field *f;
    size_t n;
    assert_int_equal(hyper_hpack_dec_decode(dec, in, len, &f, &n), 0);
    memset(in, 0, len);
    free(in);
    assert_fields("C.3 from freed input", f, n, c3_steps[i].fields,
                  c3_steps[i].nfields);
  }
  hyper_hpack_dec_free(dec);

  dec = new_dec(256);
  for (size_t i = 0; i < N(c6_steps); i++) {
    uint8_t tmp[WIRE_MAX];
    size_t len = unhex(c6_steps[i].wire, tmp, sizeof tmp);
    uint8_t *in = malloc(len);
    assert_non_null(in);
    memcpy(in, tmp, len);
    const hyper_field *f;
    size_t n;
    assert_int_equal(hyper_hpack_dec_decode(dec, in, len, &f, &n), 0);
    memset(in, 0xff, len);
    free(in);
    assert_fields("C.6 from freed input", f, n, c6_steps[i].fields,
                  c6_steps[i].nfields);
    assert_dec_table(dec, "C.6 from freed input", c6_steps[i].table,
                     c6_steps[i].ntable, c6_steps[i].table_size);
  }
  hyper_hpack_dec_free(dec);
}

/* C.5.3 evicts, within the block, entries that the block's own earlier
 * fields were decoded from: `cache-control: private` (read from index 65)
 * is evicted by the `date` literal that follows it, and `location` (read
 * from index 64) by the final `set-cookie` literal. The decoded fields must
 * survive those evictions. */
static void test_hpack_rfc_c5_fields_survive_eviction(void **state) {
  (void)state;
  hyper_hpack_dec *dec = new_dec(256);
  decode_hex(dec, "C.5.1", c5_1, resp1, N(resp1));
  decode_hex(dec, "C.5.2", c5_2, resp2, N(resp2));
  uint8_t wire[WIRE_MAX];
  size_t len = unhex(c5_3, wire, sizeof wire);
  const hyper_field *f;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(dec, wire, len, &f, &n), 0);
  /* Both entries are gone from the table ... */
  assert_dec_table(dec, "C.5.3", resp_tab3, N(resp_tab3), 215);
  /* ... and the fields read from them are intact. */
  assert_fields("C.5.3 after evictions", f, n, resp3, N(resp3));
  hyper_hpack_dec_free(dec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hpack_rfc_c1_1_integer_10),
      cmocka_unit_test(test_hpack_rfc_c1_2_integer_1337),
      cmocka_unit_test(test_hpack_rfc_c1_prefix_boundary),
      cmocka_unit_test(test_hpack_rfc_c1_3_integer_42),
      cmocka_unit_test(test_hpack_rfc_c2_1_literal_with_indexing),
      cmocka_unit_test(test_hpack_rfc_c2_2_literal_without_indexing),
      cmocka_unit_test(test_hpack_rfc_c2_3_literal_never_indexed),
      cmocka_unit_test(test_hpack_rfc_c2_4_indexed),
      cmocka_unit_test(test_hpack_rfc_c3_requests_plain_decode),
      cmocka_unit_test(test_hpack_rfc_c3_requests_plain_encode),
      cmocka_unit_test(test_hpack_rfc_c4_requests_huffman_decode),
      cmocka_unit_test(test_hpack_rfc_c4_requests_huffman_encode),
      cmocka_unit_test(test_hpack_rfc_c3_c4_mixed_decode),
      cmocka_unit_test(test_hpack_rfc_c5_responses_plain_decode),
      cmocka_unit_test(test_hpack_rfc_c5_responses_plain_encode),
      cmocka_unit_test(test_hpack_rfc_c6_responses_huffman_decode),
      cmocka_unit_test(test_hpack_rfc_c6_responses_huffman_encode),
      cmocka_unit_test(test_hpack_rfc_c5_encode_peer_limited),
      cmocka_unit_test(test_hpack_rfc_c5_peer_limited_table_bound),
      cmocka_unit_test(test_hpack_rfc_c5_decode_with_larger_table),
      cmocka_unit_test(test_hpack_rfc_decode_does_not_reference_input),
      cmocka_unit_test(test_hpack_rfc_c5_fields_survive_eviction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
