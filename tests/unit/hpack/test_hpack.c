/* HPACK encoder/decoder behaviour through the public API: round trips,
 * indexing policy, size updates, table bookkeeping, configuration. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hyper/hpack.h"
#include "hpack/hints.h"
#include "hpack/static_table.h"
#include "hpack/table.h"

#define F(n, v) {(const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0}
#define FF(n, v, fl) {(const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, (fl)}

typedef struct pair {
  hyper_hpack_enc *enc;
  hyper_hpack_dec *dec;
  uint8_t wire[65536];
  size_t len;
} pair;

static pair *pair_new(uint32_t table) {
  static pair p;
  memset(&p, 0, sizeof p);
  hyper_hpack_enc_config ec;
  hyper_hpack_enc_config_init(&ec);
  ec.max_table_size = table;
  hyper_hpack_dec_config dc;
  hyper_hpack_dec_config_init(&dc);
  dc.max_table_size = table;
  assert_int_equal(hyper_hpack_enc_new(&p.enc, &ec, NULL), 0);
  assert_int_equal(hyper_hpack_dec_new(&p.dec, &dc, NULL), 0);
  hyper_hpack_enc_set_peer_table_size(p.enc, table);
  return &p;
}

static void pair_free(pair *p) {
  hyper_hpack_enc_free(p->enc);
  hyper_hpack_dec_free(p->dec);
}

/* Encodes |in|, decodes the wire and asserts the lists are equal. */
static void roundtrip(pair *p, const hyper_field *in, size_t n) {
  assert_int_equal(hyper_hpack_enc_encode(p->enc, in, n, p->wire, sizeof p->wire, &p->len), 0);
  assert_true(p->len <= hyper_hpack_enc_bound(p->enc, in, n));
  const hyper_field *out;
  size_t nout;
  assert_int_equal(hyper_hpack_dec_decode(p->dec, p->wire, p->len, &out, &nout), 0);
  assert_int_equal(nout, n);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(out[i].name_len, in[i].name_len);
    assert_memory_equal(out[i].name, in[i].name, in[i].name_len);
    assert_int_equal(out[i].value_len, in[i].value_len);
    if (in[i].value_len)
      assert_memory_equal(out[i].value, in[i].value, in[i].value_len);
  }
  /* Both sides must agree on the table. */
  assert_int_equal(hyper_hpack_enc_table_size(p->enc), hyper_hpack_dec_table_size(p->dec));
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), hyper_hpack_dec_table_len(p->dec));
}

static void test_hpack_roundtrip_request(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field req[] = {F(":method", "GET"), F(":scheme", "https"),
                       F(":authority", "example.org"), F(":path", "/index.html"),
                       F("user-agent", "hyper/0.1"), F("accept", "*/*"),
                       F("x-custom", "")};
  roundtrip(p, req, 7);
  size_t first = p->len;
  roundtrip(p, req, 7);
  /* The second time everything but :path (static full match anyway) is
   * indexed: one octet per field. */
  assert_int_equal(p->len, 7);
  assert_true(first > 7);
  pair_free(p);
}

static void test_hpack_static_full_match_is_one_octet(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f[] = {F(":method", "GET"), F(":status", "404"),
                     F("accept-encoding", "gzip, deflate"), F(":authority", "")};
  roundtrip(p, f, 4);
  static const uint8_t want[] = {0x82, 0x8d, 0x90, 0x81};
  assert_int_equal(p->len, sizeof want);
  assert_memory_equal(p->wire, want, sizeof want);
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), 0);
  pair_free(p);
}

static void test_hpack_sensitive_fields_never_indexed(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f[] = {F("authorization", "Basic dXNlcjpwYXNz"),
                     F("proxy-authorization", "secret"),
                     F("cookie", "id=1"), /* short cookie */
                     FF("x-token", "abc", HYPER_FIELD_SENSITIVE)};
  for (int round = 0; round < 2; round++) {
    roundtrip(p, f, 4);
    assert_int_equal(hyper_hpack_enc_table_len(p->enc), 0);
  }
  /* Every representation is "literal never indexed" (0001xxxx). */
  hyper_hpack_dec *d;
  assert_int_equal(hyper_hpack_dec_new(&d, NULL, NULL), 0);
  const hyper_field *out;
  size_t n;
  assert_int_equal(hyper_hpack_dec_decode(d, p->wire, p->len, &out, &n), 0);
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++)
    assert_true(out[i].flags & HYPER_FIELD_SENSITIVE);
  assert_int_equal(p->wire[0] & 0xf0, 0x10);
  hyper_hpack_dec_free(d);
  pair_free(p);
}

static void test_hpack_long_cookie_is_indexed(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f[] = {F("cookie", "session=0123456789abcdef0123456789")};
  roundtrip(p, f, 1);
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), 1);
  assert_int_equal(p->wire[0] & 0xc0, 0x40);
  roundtrip(p, f, 1);
  assert_int_equal(p->len, 1);
  assert_int_equal(p->wire[0], 0x80 | 62);
  pair_free(p);
}

static void test_hpack_no_index_flag(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f[] = {FF("x-request-id", "7f1c2a", HYPER_FIELD_NO_INDEX)};
  roundtrip(p, f, 1);
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), 0);
  assert_int_equal(p->wire[0] & 0xf0, 0x00);
  const hyper_field *out;
  size_t n;
  hyper_hpack_dec *d;
  assert_int_equal(hyper_hpack_dec_new(&d, NULL, NULL), 0);
  assert_int_equal(hyper_hpack_dec_decode(d, p->wire, p->len, &out, &n), 0);
  assert_int_equal(out[0].flags & HYPER_FIELD_SENSITIVE, 0);
  hyper_hpack_dec_free(d);
  pair_free(p);
}

static void test_hpack_dynamic_name_reference(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field a[] = {F("x-trace", "one")};
  hyper_field b[] = {F("x-trace", "two")};
  roundtrip(p, a, 1);
  roundtrip(p, b, 1);
  /* Literal with incremental indexing, name = dynamic index 62. */
  assert_int_equal(p->wire[0], 0x40 | 62);
  pair_free(p);
}

static void test_hpack_eviction_keeps_tables_in_sync(void **state) {
  (void)state;
  pair *p = pair_new(256);
  char name[32], value[64];
  for (int i = 0; i < 200; i++) {
    snprintf(name, sizeof name, "x-h%d", i % 7);
    snprintf(value, sizeof value, "value-%d-%0*d", i, i % 40, 0);
    hyper_field f = {(const uint8_t *)name, strlen(name), (const uint8_t *)value,
                     strlen(value), 0};
    hyper_field g[] = {f, F(":method", "GET"), f};
    roundtrip(p, g, 3);
    assert_true(hyper_hpack_dec_table_size(p->dec) <= 256);
  }
  pair_free(p);
}

static void test_hpack_table_get(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f;
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 2, &f), 0);
  assert_int_equal(f.name_len, 7);
  assert_memory_equal(f.name, ":method", 7);
  assert_memory_equal(f.value, "GET", 3);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 61, &f), 0);
  assert_memory_equal(f.name, "www-authenticate", 16);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 0, &f), HYPER_ERR_HPACK_INDEX);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 62, &f), HYPER_ERR_HPACK_INDEX);
  hyper_field a[] = {F("x-a", "1"), F("x-b", "22")};
  roundtrip(p, a, 2);
  assert_int_equal(hyper_hpack_dec_table_len(p->dec), 2);
  assert_int_equal(hyper_hpack_dec_table_size(p->dec), 3 + 1 + 32 + 3 + 2 + 32);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 62, &f), 0); /* newest */
  assert_memory_equal(f.name, "x-b", 3);
  assert_memory_equal(f.value, "22", 2);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 63, &f), 0);
  assert_memory_equal(f.name, "x-a", 3);
  assert_int_equal(hyper_hpack_dec_table_get(p->dec, 64, &f), HYPER_ERR_HPACK_INDEX);
  pair_free(p);
}

static void test_hpack_size_update_signalled(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  hyper_field f[] = {F("x-a", "1")};
  roundtrip(p, f, 1);
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), 1);
  /* Peer goes to 0: the next block starts with an update to 0 (0x20) and
   * the table is empty on both sides. */
  hyper_hpack_enc_set_peer_table_size(p->enc, 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(p->dec, 0), 0);
  roundtrip(p, f, 1);
  assert_int_equal(p->wire[0], 0x20);
  assert_int_equal(hyper_hpack_dec_table_len(p->dec), 0);
  /* Down to 100 and back to 2048 between two blocks: min then final. */
  assert_int_equal(hyper_hpack_dec_set_max_table_size(p->dec, 4096), 0);
  hyper_hpack_enc_set_peer_table_size(p->enc, 4096);
  roundtrip(p, f, 1);
  assert_int_equal(p->wire[0], 0x3f); /* 4096 = 31 + 4065 */
  hyper_hpack_enc_set_peer_table_size(p->enc, 100);
  hyper_hpack_enc_set_peer_table_size(p->enc, 2048);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(p->dec, 100), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(p->dec, 2048), 0);
  roundtrip(p, f, 1);
  static const uint8_t want[] = {0x3f, 0x45, 0x3f, 0xe1, 0x0f};
  assert_memory_equal(p->wire, want, sizeof want);
  /* The entry of "x-a: 1" (36 octets) survived at 100, so the field is an
   * indexed reference. */
  assert_int_equal(p->wire[sizeof want], 0x80 | 62);
  /* No change: no update. */
  roundtrip(p, f, 1);
  assert_int_equal(p->len, 1);
  pair_free(p);
}

static void test_hpack_encoder_caps_huge_peer_table(void **state) {
  (void)state;
  hyper_hpack_enc *e;
  assert_int_equal(hyper_hpack_enc_new(&e, NULL, NULL), 0);
  hyper_hpack_enc_set_peer_table_size(e, UINT32_MAX);
  hyper_field f[] = {F("x-a", "1")};
  uint8_t buf[64];
  size_t n;
  assert_int_equal(hyper_hpack_enc_encode(e, f, 1, buf, sizeof buf, &n), 0);
  /* Capped at the configured 4096, which the decoder already assumes: no
   * size update. */
  assert_int_equal(buf[0] & 0xe0, 0x40);
  hyper_hpack_enc_free(e);
}

static void test_hpack_small_encoder_cap_announced(void **state) {
  (void)state;
  hyper_hpack_enc_config c;
  hyper_hpack_enc_config_init(&c);
  c.max_table_size = 256;
  hyper_hpack_enc *e;
  assert_int_equal(hyper_hpack_enc_new(&e, &c, NULL), 0);
  uint8_t buf[64];
  size_t n;
  assert_int_equal(hyper_hpack_enc_encode(e, NULL, 0, buf, sizeof buf, &n), 0);
  static const uint8_t want[] = {0x3f, 0xe1, 0x01}; /* 256 */
  assert_int_equal(n, sizeof want);
  assert_memory_equal(buf, want, n);
  hyper_hpack_enc_free(e);
}

static void test_hpack_huffman_policy(void **state) {
  (void)state;
  hyper_hpack_enc_config c;
  hyper_hpack_enc_config_init(&c);
  hyper_field f[] = {FF("x-word", "aaaaaaaa", HYPER_FIELD_NO_INDEX)};
  uint8_t buf[64];
  size_t n;
  hyper_hpack_enc *e;
  c.huffman = HYPER_HPACK_HUFFMAN_NEVER;
  assert_int_equal(hyper_hpack_enc_new(&e, &c, NULL), 0);
  assert_int_equal(hyper_hpack_enc_encode(e, f, 1, buf, sizeof buf, &n), 0);
  assert_int_equal(buf[1], 6); /* raw name length, H bit clear */
  hyper_hpack_enc_free(e);
  c.huffman = HYPER_HPACK_HUFFMAN_AUTO;
  assert_int_equal(hyper_hpack_enc_new(&e, &c, NULL), 0);
  assert_int_equal(hyper_hpack_enc_encode(e, f, 1, buf, sizeof buf, &n), 0);
  assert_true(buf[1] & 0x80); /* "x-word" is shorter in Huffman */
  hyper_hpack_enc_free(e);
  /* A value that Huffman makes longer stays raw under AUTO... */
  hyper_field g[] = {FF("x", "\x01\x02\x03", HYPER_FIELD_NO_INDEX)};
  assert_int_equal(hyper_hpack_enc_new(&e, &c, NULL), 0);
  assert_int_equal(hyper_hpack_enc_encode(e, g, 1, buf, sizeof buf, &n), 0);
  assert_int_equal(buf[n - 4], 3);
  hyper_hpack_enc_free(e);
  /* ...and is Huffman-coded under ALWAYS, still decodable. */
  c.huffman = HYPER_HPACK_HUFFMAN_ALWAYS;
  assert_int_equal(hyper_hpack_enc_new(&e, &c, NULL), 0);
  assert_int_equal(hyper_hpack_enc_encode(e, g, 1, buf, sizeof buf, &n), 0);
  hyper_hpack_dec *d;
  assert_int_equal(hyper_hpack_dec_new(&d, NULL, NULL), 0);
  const hyper_field *out;
  size_t nout;
  assert_int_equal(hyper_hpack_dec_decode(d, buf, n, &out, &nout), 0);
  assert_int_equal(nout, 1);
  assert_int_equal(out[0].value_len, 3);
  assert_memory_equal(out[0].value, "\x01\x02\x03", 3);
  hyper_hpack_dec_free(d);
  hyper_hpack_enc_free(e);
}

static void test_hpack_binary_values_roundtrip(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  uint8_t v[256];
  for (int i = 0; i < 256; i++)
    v[i] = (uint8_t)i;
  hyper_field f[] = {{(const uint8_t *)"x-bin", 5, v, sizeof v, 0},
                     {(const uint8_t *)"", 0, (const uint8_t *)"", 0, 0}};
  roundtrip(p, f, 2);
  roundtrip(p, f, 2);
  pair_free(p);
}

static void test_hpack_large_entry_not_indexed(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  static char big[4000];
  memset(big, 'x', sizeof big);
  hyper_field f[] = {{(const uint8_t *)"x-big", 5, (const uint8_t *)big, sizeof big, 0}};
  roundtrip(p, f, 1);
  /* Larger than 3/4 of the table: sent without indexing. */
  assert_int_equal(hyper_hpack_enc_table_len(p->enc), 0);
  pair_free(p);
}

static void test_hpack_zero_table(void **state) {
  (void)state;
  pair *p = pair_new(0);
  hyper_field f[] = {F("x-a", "1"), F("x-a", "1"), F(":path", "/x")};
  roundtrip(p, f, 3);
  roundtrip(p, f, 3);
  assert_int_equal(hyper_hpack_dec_table_len(p->dec), 0);
  pair_free(p);
}

static void test_hpack_many_fields(void **state) {
  (void)state;
  pair *p = pair_new(4096);
  static hyper_field f[1000];
  static char names[1000][16];
  for (int i = 0; i < 1000; i++) {
    snprintf(names[i], sizeof names[i], "x-f%d", i);
    f[i].name = (const uint8_t *)names[i];
    f[i].name_len = strlen(names[i]);
    f[i].value = (const uint8_t *)"v";
    f[i].value_len = 1;
    f[i].flags = 0;
  }
  roundtrip(p, f, 1000);
  pair_free(p);
}

static void test_hpack_config_validation(void **state) {
  (void)state;
  hyper_hpack_dec *d = NULL;
  hyper_hpack_enc *e = NULL;
  hyper_hpack_dec_config dc;
  hyper_hpack_enc_config ec;
  assert_int_equal(hyper_hpack_dec_new(NULL, NULL, NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hpack_enc_new(NULL, NULL, NULL), HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_dec_config_init(&dc);
  dc.max_header_list_size = 0;
  assert_int_equal(hyper_hpack_dec_new(&d, &dc, NULL), HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_dec_config_init(&dc);
  dc.max_table_size = (1u << 30) + 1;
  assert_int_equal(hyper_hpack_dec_new(&d, &dc, NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_null(d);
  hyper_hpack_enc_config_init(&ec);
  ec.huffman = (hyper_hpack_huffman)7;
  assert_int_equal(hyper_hpack_enc_new(&e, &ec, NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_null(e);
  hyper_hpack_dec_free(NULL);
  hyper_hpack_enc_free(NULL);
  assert_int_equal(hyper_hpack_dec_table_size(NULL), 0);
}

static void test_hpack_encode_buffer_too_small(void **state) {
  (void)state;
  hyper_hpack_enc *e;
  assert_int_equal(hyper_hpack_enc_new(&e, NULL, NULL), 0);
  hyper_field f[] = {F("x-a", "1")};
  uint8_t buf[64];
  size_t n = 0;
  size_t bound = hyper_hpack_enc_bound(e, f, 1);
  assert_true(bound <= sizeof buf);
  assert_int_equal(hyper_hpack_enc_encode(e, f, 1, buf, bound - 1, &n),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper_hpack_enc_table_len(e), 0);
  assert_int_equal(hyper_hpack_enc_encode(e, f, 1, buf, bound, &n), 0);
  assert_int_equal(hyper_hpack_enc_table_len(e), 1);
  hyper_field bad[] = {{NULL, 3, (const uint8_t *)"x", 1, 0}};
  assert_int_equal(hyper_hpack_enc_encode(e, bad, 1, buf, sizeof buf, &n),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_hpack_enc_free(e);
}

static void test_hpack_decode_empty_block(void **state) {
  (void)state;
  hyper_hpack_dec *d;
  assert_int_equal(hyper_hpack_dec_new(&d, NULL, NULL), 0);
  const hyper_field *out = (const hyper_field *)1;
  size_t n = 99;
  assert_int_equal(hyper_hpack_dec_decode(d, NULL, 0, &out, &n), 0);
  assert_int_equal(n, 0);
  hyper_hpack_dec_free(d);
}

/* The generated static hashes and map must agree with hyper__hpack_hash()
 * (tools/gen_static_table.py mirrors it in Python). */
static void test_hpack_static_table_generated_hashes(void **state) {
  (void)state;
  for (unsigned i = 1; i <= HYPER__HPACK_STATIC_LEN; i++) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[i - 1];
    uint32_t h = hyper__hpack_hash((const uint8_t *)e->name, e->name_len);
    assert_int_equal(hyper__hpack_static_hash[i - 1], h);
    unsigned full;
    unsigned idx = hyper__hpack_static_find((const uint8_t *)e->name, e->name_len, h,
                                            (const uint8_t *)e->value, e->value_len, &full);
    /* The first entry of that name, and a full match on this very entry. */
    assert_true(idx >= 1 && idx <= i);
    assert_string_equal(hyper__hpack_static[idx - 1].name, e->name);
    assert_int_equal(full, i);
  }
  unsigned full;
  const uint8_t *n = (const uint8_t *)"x-not-static";
  assert_int_equal(hyper__hpack_static_find(n, 12, hyper__hpack_hash(n, 12), n, 0, &full), 0);
  assert_int_equal(full, 0);
  /* Hash of every length 0..20 is stable for equal input, differs for a
   * one-bit change (a smoke check of the tail handling). */
  uint8_t a[20], b[20];
  for (size_t len = 1; len <= sizeof a; len++) {
    for (size_t i = 0; i < len; i++)
      a[i] = b[i] = (uint8_t)('a' + i);
    assert_int_equal(hyper__hpack_hash(a, len), hyper__hpack_hash(b, len));
    b[len - 1] ^= 1;
    assert_int_not_equal(hyper__hpack_hash(a, len), hyper__hpack_hash(b, len));
  }
}

/* Regression (fuzz): a decoder allowing more than 4096 still starts at the
 * protocol's 4096, like the encoder assumes, until a size update says more.
 * Before the fix the decoder started at its limit and kept entries the
 * encoder had evicted. */
/* The decoder's name hints (src/hpack/hints.h): where each field's name
 * (and value) came from, including through dynamic entries, whose hint is
 * inherited from the field that created them. */
static void test_hpack_decoder_name_hints(void **state) {
  (void)state;
  hyper_hpack_dec *d;
  assert_int_equal(hyper_hpack_dec_new(&d, NULL, NULL), 0);
  assert_null(hyper__hpack_dec_name_hints(NULL));
  const hyper_field *f;
  size_t n;
  static const uint8_t b1[] = {
      0x82,                          /* indexed: static 2 :method GET */
      0x41, 3, 'a', '.', 'b',        /* incremental, name static 1 */
      0x40, 3, 'x', '-', 'y', 1, 'z', /* incremental, literal name */
      0x04, 2, '/', 'q',             /* without indexing, name static 4 */
      0x8f,                          /* indexed: static 15 accept-charset "" */
  };
  assert_int_equal(hyper_hpack_dec_decode(d, b1, sizeof b1, &f, &n), 0);
  assert_int_equal(n, 5);
  const uint8_t *h = hyper__hpack_dec_name_hints(d);
  assert_non_null(h);
  assert_int_equal(h[0], 2 | HYPER__HPACK_HINT_STATIC_VALUE);
  assert_int_equal(h[1], 1);
  assert_int_equal(h[2], 0);
  assert_int_equal(h[3], 4);
  assert_int_equal(h[4], 15 | HYPER__HPACK_HINT_STATIC_VALUE);
  static const uint8_t b2[] = {
      0xbf,             /* indexed: dynamic 2 (:authority a.b) */
      0xbe,             /* indexed: dynamic 1 (x-y: z) */
      0x7f, 0x00, 1, 'c', /* incremental, name dynamic 2 (63): :authority */
      0x10, 1, 'k', 1, 'v', /* never indexed, literal name */
      0x7f, 0x00, 1, 'd', /* name index 63 is now x-y's entry... */
  };
  assert_int_equal(hyper_hpack_dec_decode(d, b2, sizeof b2, &f, &n), 0);
  assert_int_equal(n, 5);
  h = hyper__hpack_dec_name_hints(d);
  assert_int_equal(f[0].name_len, 10);
  assert_memory_equal(f[0].name, ":authority", 10);
  assert_int_equal(h[0], 1);
  assert_int_equal(h[1], 0);
  assert_int_equal(h[2], 1);
  assert_int_equal(h[3], 0);
  /* after "c" was inserted, dynamic 2 (index 63) is x-y: a literal name */
  assert_memory_equal(f[4].name, "x-y", 3);
  assert_int_equal(h[4], 0);
  /* growing the field arrays keeps one hint per field */
  uint8_t big[200];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i % 2 ? 0x82 : 0xbf); /* :method GET, :authority */
  assert_int_equal(hyper_hpack_dec_decode(d, big, sizeof big, &f, &n), 0);
  assert_int_equal(n, sizeof big);
  h = hyper__hpack_dec_name_hints(d);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(h[i], i % 2 ? (2 | HYPER__HPACK_HINT_STATIC_VALUE) : 1);
  hyper_hpack_dec_free(d);
}

/* Encoding with the lookups done beforehand (hyper__hpack_enc_lookup(),
 * as the HTTP/2 core does) writes the same octets, block after block, as
 * the public call on an encoder in the same state. */
static void test_hpack_encode_with_lookups(void **state) {
  (void)state;
  hyper_hpack_enc *a, *b;
  assert_int_equal(hyper_hpack_enc_new(&a, NULL, NULL), 0);
  assert_int_equal(hyper_hpack_enc_new(&b, NULL, NULL), 0);
  const hyper_field f[] = {F(":method", "GET"), F(":scheme", "https"),
                           F(":authority", "example.com"), F(":path", "/x"),
                           F("user-agent", "t/1"), F("x-a", "b"),
                           FF("authorization", "secret", 0), F("cookie", "c=1"),
                           FF("x-n", "v", HYPER_FIELD_NO_INDEX)};
  size_t n = sizeof f / sizeof f[0];
  hyper__hpack_pre pre[sizeof f / sizeof f[0]];
  uint8_t hints[sizeof f / sizeof f[0]];
  for (int round = 0; round < 3; round++) {
    uint8_t oa[512], ob[512];
    size_t la = 0, lb = 0;
    assert_int_equal(hyper__hpack_enc_lookup(f, n, pre, hints), 0);
    assert_int_equal(hyper__hpack_enc_encode_pre(a, f, pre, n, oa, sizeof oa, &la), 0);
    assert_int_equal(hyper_hpack_enc_encode(b, f, n, ob, sizeof ob, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(oa, ob, la);
  }
  hyper_hpack_enc_free(a);
  hyper_hpack_enc_free(b);
}

/* hyper__hpack_static_name_index() (the encoder's perfect-hash slot table)
 * agrees with a linear search of the static table for every static name,
 * and refuses names that share a slot key (length, first and last octet)
 * with a static name but differ in between, differ in case, or are
 * prefixes; hyper__hpack_enc_lookup() then gives the hash of the name and
 * the full-match index exactly as hyper__hpack_static_find() does. */
static void test_hpack_static_name_slots(void **state) {
  (void)state;
  for (unsigned k = 1; k <= HYPER__HPACK_STATIC_LEN; k++) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[k - 1];
    unsigned first = k;
    while (first > 1 && strcmp(hyper__hpack_static[first - 2].name, e->name) == 0)
      first--;
    const uint8_t *nm = (const uint8_t *)e->name;
    assert_int_equal(hyper__hpack_static_name_index(nm, e->name_len), first);
    /* a copy (not the table's pointer) is found the same */
    uint8_t copy[64];
    memcpy(copy, nm, e->name_len);
    assert_int_equal(hyper__hpack_static_name_index(copy, e->name_len), first);
    if (e->name_len >= 3) {
      copy[1] ^= 0x01; /* same slot key, another name */
      assert_int_equal(hyper__hpack_static_name_index(copy, e->name_len), 0);
      copy[1] ^= 0x01;
    }
    copy[0] = (uint8_t)(copy[0] == ':' ? ':' : copy[0] - 32); /* uppercase */
    if (copy[0] != ':')
      assert_int_equal(hyper__hpack_static_name_index(copy, e->name_len), 0);
    assert_int_equal(hyper__hpack_static_name_index(nm, e->name_len - 1),
                     0 + (e->name_len == 1));
    /* the full lookup: name and value of entry k, and a value of none */
    hyper_field f[2] = {{nm, e->name_len, (const uint8_t *)e->value, e->value_len, 0},
                        {nm, e->name_len, (const uint8_t *)"\x01zz", 3, 0}};
    hyper__hpack_pre pre[2];
    uint8_t hints[2];
    assert_int_equal(hyper__hpack_enc_lookup(f, 2, pre, hints), 0);
    uint32_t hash = hyper__hpack_hash(nm, e->name_len);
    for (int i = 0; i < 2; i++) {
      unsigned full;
      unsigned sidx = hyper__hpack_static_find(f[i].name, f[i].name_len, hash,
                                               f[i].value, f[i].value_len, &full);
      assert_int_equal(pre[i].hash, hash);
      assert_int_equal(pre[i].sidx, sidx);
      assert_int_equal(pre[i].sfull, full);
    }
    assert_int_equal(pre[0].sfull, k);
    assert_int_equal(pre[1].sfull, 0);
  }
  assert_int_equal(hyper__hpack_static_name_index(NULL, 0), 0);
  assert_int_equal(hyper__hpack_static_name_index((const uint8_t *)"x-custom", 8), 0);
}

static void test_hpack_large_limits_start_at_4096(void **state) {
  (void)state;
  hyper_hpack_enc_config ec;
  hyper_hpack_enc_config_init(&ec);
  ec.max_table_size = 65536; /* peer still at its default 4096 */
  hyper_hpack_dec_config dc;
  hyper_hpack_dec_config_init(&dc);
  dc.max_table_size = 65536;
  pair p;
  assert_int_equal(hyper_hpack_enc_new(&p.enc, &ec, NULL), 0);
  assert_int_equal(hyper_hpack_dec_new(&p.dec, &dc, NULL), 0);
  char v[128];
  for (int i = 0; i < 100; i++) {
    snprintf(v, sizeof v, "value-%03d-%0100d", i, 0);
    hyper_field f = {(const uint8_t *)"x-k", 3, (const uint8_t *)v, strlen(v), 0};
    roundtrip(&p, &f, 1);
    assert_true(hyper_hpack_dec_table_size(p.dec) <= 4096);
  }
  /* Now the peer allows 65536: the encoder signals it and both grow. */
  hyper_hpack_enc_set_peer_table_size(p.enc, 65536);
  for (int i = 0; i < 100; i++) {
    snprintf(v, sizeof v, "other-%03d-%0100d", i, 0);
    hyper_field f = {(const uint8_t *)"x-k", 3, (const uint8_t *)v, strlen(v), 0};
    roundtrip(&p, &f, 1);
  }
  assert_true(hyper_hpack_dec_table_size(p.dec) > 4096);
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hpack_roundtrip_request),
      cmocka_unit_test(test_hpack_static_full_match_is_one_octet),
      cmocka_unit_test(test_hpack_sensitive_fields_never_indexed),
      cmocka_unit_test(test_hpack_long_cookie_is_indexed),
      cmocka_unit_test(test_hpack_no_index_flag),
      cmocka_unit_test(test_hpack_dynamic_name_reference),
      cmocka_unit_test(test_hpack_eviction_keeps_tables_in_sync),
      cmocka_unit_test(test_hpack_table_get),
      cmocka_unit_test(test_hpack_size_update_signalled),
      cmocka_unit_test(test_hpack_encoder_caps_huge_peer_table),
      cmocka_unit_test(test_hpack_small_encoder_cap_announced),
      cmocka_unit_test(test_hpack_huffman_policy),
      cmocka_unit_test(test_hpack_binary_values_roundtrip),
      cmocka_unit_test(test_hpack_large_entry_not_indexed),
      cmocka_unit_test(test_hpack_zero_table),
      cmocka_unit_test(test_hpack_many_fields),
      cmocka_unit_test(test_hpack_config_validation),
      cmocka_unit_test(test_hpack_encode_buffer_too_small),
      cmocka_unit_test(test_hpack_decode_empty_block),
      cmocka_unit_test(test_hpack_static_table_generated_hashes),
      cmocka_unit_test(test_hpack_large_limits_start_at_4096),
      cmocka_unit_test(test_hpack_decoder_name_hints),
      cmocka_unit_test(test_hpack_encode_with_lookups),
      cmocka_unit_test(test_hpack_static_name_slots),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
