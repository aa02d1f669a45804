/* Tests for src/decode/: the Content-Encoding parser, gzip / deflate (zlib
 * and raw) / br decoding and stacks of them, streaming under every split,
 * truncation, corruption, the bomb limits with bounded memory, and an
 * allocation-failure sweep.
 *
 * gzip and deflate inputs are made at test time with zlib (deflateInit2
 * windowBits 31 = gzip, 15 = zlib, -15 = raw). brotli inputs cannot be: the
 * library links only libbrotlidec, so br_vectors.h holds vectors made once
 * by gen_br_vectors.c with libbrotlienc from the generators in
 * decode_data.h; the test rebuilds the plaintext and compares. zstd inputs
 * are made at test time with libzstd (the library links it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "br_vectors.h"
#include "decode/decode.h"
#include "decode_data.h"
#include "failmem.h"

#define MIB ((size_t)1 << 20)
#define NO_FIRST SIZE_MAX

/* ---- helpers ---- */

typedef struct blob {
  uint8_t *p;
  size_t len;
} blob;

static void blob_free(blob *b) {
  free(b->p);
  b->p = NULL;
  b->len = 0;
}

static blob blob_cat(blob a, const uint8_t *p, size_t n) {
  a.p = realloc(a.p, a.len + n + 1);
  assert_non_null(a.p);
  if (n)
    memcpy(a.p + a.len, p, n);
  a.len += n;
  return a;
}

static blob blob_dup(const uint8_t *p, size_t n) {
  blob b = {NULL, 0};
  return blob_cat(b, p, n);
}

/* zlib compression: |wbits| 31 gzip, 15 zlib, -15 raw. Optional gzip
 * header and preset dictionary. */
static blob z_encode_ex(int wbits, int level, const uint8_t *p, size_t n,
                        gz_header *head, const uint8_t *dict,
                        size_t dict_len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
                                Z_DEFAULT_STRATEGY),
                   Z_OK);
  if (head)
    assert_int_equal(deflateSetHeader(&z, head), Z_OK);
  if (dict)
    assert_int_equal(deflateSetDictionary(&z, dict, (uInt)dict_len), Z_OK);
  size_t cap = deflateBound(&z, (uLong)n) + 64;
  blob b = {malloc(cap), 0};
  assert_non_null(b.p);
  z.next_in = (Bytef *)(uintptr_t)p;
  z.avail_in = (uInt)n;
  z.next_out = b.p;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  b.len = cap - z.avail_out;
  deflateEnd(&z);
  return b;
}

static blob z_encode(int wbits, const uint8_t *p, size_t n) {
  return z_encode_ex(wbits, 6, p, n, NULL, NULL, 0);
}

static blob gen(int text, size_t n, uint64_t seed) {
  blob b = {malloc(n + 1), n};
  assert_non_null(b.p);
  if (text)
    dd_text(b.p, n, seed);
  else
    dd_random(b.p, n, seed);
  return b;
}

/* Where decoded bytes go: kept (to compare) or only counted. */
typedef struct sink {
  int keep;
  uint64_t total;
  blob data;
  size_t cap;
} sink;

static void sink_put(sink *s, const uint8_t *p, size_t n) {
  s->total += n;
  if (!s->keep || !n)
    return;
  if (s->data.len + n > s->cap) { /* geometric growth: ASan-friendly */
    s->cap = HYPER_MAX(s->data.len + n, 2 * s->cap);
    s->data.p = realloc(s->data.p, s->cap);
    assert_non_null(s->data.p);
  }
  memcpy(s->data.p + s->data.len, p, n);
  s->data.len += n;
}

/* How the input is cut and how big the output buffer is. */
typedef struct plan {
  size_t first;   /* size of the first piece; NO_FIRST for none */
  size_t chunk;   /* size of later pieces; 0 = all the rest at once */
  size_t out_cap; /* > 0 */
} plan;

/* Decodes |in| the way a client would, following the feed contract, and
 * finishes. Returns the first error, or finish's result. */
static int decode_ex(const char *hdr, const uint8_t *in, size_t n, plan pl,
                     const hyper__decode_limits *lim, const hyper_mem *mem,
                     sink *out) {
  hyper__decoder *d = NULL;
  int rv = hyper__decoder_new(&d, hdr, strlen(hdr), lim, mem);
  if (rv) {
    assert_null(d);
    return rv;
  }
  uint8_t *obuf = malloc(pl.out_cap);
  assert_non_null(obuf);
  size_t off = 0;
  int first = pl.first != NO_FIRST;
  do {
    size_t piece = n - off;
    if (first)
      piece = HYPER_MIN(pl.first, piece);
    else if (pl.chunk)
      piece = HYPER_MIN(pl.chunk, piece);
    first = 0;
    const uint8_t *p = in + off;
    size_t left = piece;
    for (;;) {
      size_t c = 99, pr = 99;
      rv = hyper__decoder_feed(d, left ? p : NULL, left, &c, obuf, pl.out_cap,
                               &pr);
      assert_true(c <= left);
      assert_true(pr <= pl.out_cap);
      sink_put(out, obuf, pr);
      if (rv) {
        /* sticky: the same error again, nothing consumed or produced */
        size_t c2, pr2;
        assert_int_equal(hyper__decoder_feed(d, p, left, &c2, obuf,
                                             pl.out_cap, &pr2),
                         rv);
        assert_int_equal(c2, 0);
        assert_int_equal(pr2, 0);
        assert_int_equal(hyper__decoder_finish(d), rv);
        goto done;
      }
      p += c;
      left -= c;
      if (!left && pr < pl.out_cap)
        break;
      assert_true(c || pr); /* progress, or the caller would spin */
    }
    off += piece;
  } while (off < n);
  rv = hyper__decoder_finish(d);
  if (rv)
    assert_int_equal(hyper__decoder_finish(d), rv);
done:
  hyper__decoder_free(d);
  free(obuf);
  return rv;
}

static int decode_plain(const char *hdr, const uint8_t *in, size_t n,
                        size_t chunk, size_t out_cap, sink *out) {
  plan pl = {NO_FIRST, chunk, out_cap};
  return decode_ex(hdr, in, n, pl, NULL, NULL, out);
}

/* Decodes and checks the result equals |want|. */
static void expect_decodes(const char *hdr, const uint8_t *in, size_t n,
                           plan pl, const uint8_t *want, size_t want_len) {
  sink s = {1, 0, {NULL, 0}, 0};
  int rv = decode_ex(hdr, in, n, pl, NULL, NULL, &s);
  if (rv)
    fail_msg("%s: %s (in %zu, first %zu, chunk %zu, out %zu)", hdr,
             hyper_err_name(rv), n, pl.first, pl.chunk, pl.out_cap);
  assert_int_equal(s.data.len, want_len);
  if (want_len)
    assert_memory_equal(s.data.p, want, want_len);
  blob_free(&s.data);
}

/* Several feeding patterns; the output must not depend on them. */
static void expect_decodes_all_ways(const char *hdr, const uint8_t *in,
                                    size_t n, const uint8_t *want,
                                    size_t want_len) {
  static const plan small[] = {{NO_FIRST, 0, 16384}, {NO_FIRST, 0, 1},
                               {NO_FIRST, 1, 1},     {NO_FIRST, 1, 4096},
                               {NO_FIRST, 7, 13},    {NO_FIRST, 100, 1000}};
  static const plan large[] = {{NO_FIRST, 0, 65536},
                               {NO_FIRST, 4096, 1000},
                               {3, 65536, 4096}};
  int big = n > 100000 || want_len > 100000;
  const plan *pl = big ? large : small;
  size_t np = big ? HYPER_ARRAY_LEN(large) : HYPER_ARRAY_LEN(small);
  for (size_t i = 0; i < np; i++)
    expect_decodes(hdr, in, n, pl[i], want, want_len);
}

/* Every two-piece split of |in|, with a small output buffer. */
static void expect_decodes_every_split(const char *hdr, const uint8_t *in,
                                       size_t n, const uint8_t *want,
                                       size_t want_len) {
  for (size_t k = 0; k <= n; k++) {
    plan pl = {k, 0, 64};
    expect_decodes(hdr, in, n, pl, want, want_len);
  }
}

static int expect_error(const char *hdr, const uint8_t *in, size_t n,
                        size_t chunk) {
  sink s = {0, 0, {NULL, 0}, 0};
  return decode_plain(hdr, in, n, chunk, 4096, &s);
}

/* zstd compression of |p| into one frame; |window_log| 0 = the library's
 * choice, otherwise forced (with the content size left out of the header,
 * so the window really is that large). */
static blob zstd_encode(const uint8_t *p, size_t n, int window_log) {
  ZSTD_CCtx *c = ZSTD_createCCtx();
  assert_non_null(c);
  assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3)));
  if (window_log) {
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log)));
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0)));
  }
  size_t cap = ZSTD_compressBound(n) + 64;
  blob b = {malloc(cap), 0};
  assert_non_null(b.p);
  ZSTD_inBuffer ib = {p, n, 0};
  ZSTD_outBuffer ob = {b.p, cap, 0};
  /* continue-then-end: the size stays unknown, so the window is not
   * shrunk to fit the input */
  while (ib.pos < ib.size)
    assert_false(ZSTD_isError(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue)));
  size_t r = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
  assert_false(ZSTD_isError(r));
  assert_int_equal(r, 0);
  b.len = ob.pos;
  ZSTD_freeCCtx(c);
  return b;
}

/* ---- Content-Encoding parsing ---- */

static void test_decode_header_parsing(void **state) {
  (void)state;
  static const struct {
    const char *value;
    int rv;
    unsigned n;
  } cases[] = {
      {"", HYPER_OK, 0},
      {"identity", HYPER_OK, 0},
      {" IDENTITY ,, identity\t", HYPER_OK, 0},
      {",", HYPER_OK, 0},
      {"gzip", HYPER_OK, 1},
      {"x-gzip", HYPER_OK, 1},
      {"GZip", HYPER_OK, 1},
      {"X-GZIP", HYPER_OK, 1},
      {"deflate", HYPER_OK, 1},
      {"DEFLATE", HYPER_OK, 1},
      {"br", HYPER_OK, 1},
      {"bR", HYPER_OK, 1},
      {" \tgzip \t", HYPER_OK, 1},
      {",,gzip,,", HYPER_OK, 1},
      {"gzip, identity", HYPER_OK, 1},
      {"deflate, gzip", HYPER_OK, 2},
      {"deflate,gzip,br", HYPER_OK, 3},
      {"gzip, gzip, gzip, gzip", HYPER_OK, 4},
      {"gzip, identity, gzip, identity, gzip, gzip", HYPER_OK, 4},
      {"gzip, gzip, gzip, gzip, gzip", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"compress", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"x-compress", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"zstd", HYPER_OK, 1},
      {"compress", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"gzip, foo", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"gzipx", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"gzi", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"g zip", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"gzip;q=1", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"\"gzip\"", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"gzip br", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
      {"*", HYPER_ERR_UNSUPPORTED_ENCODING, 0},
  };
  for (size_t i = 0; i < HYPER_ARRAY_LEN(cases); i++) {
    hyper__decoder *d = (hyper__decoder *)&d;
    int rv = hyper__decoder_new(&d, cases[i].value, strlen(cases[i].value),
                                NULL, NULL);
    if (rv != cases[i].rv)
      fail_msg("\"%s\": got %s", cases[i].value, hyper_err_name(rv));
    if (rv) {
      assert_null(d);
      continue;
    }
    assert_int_equal(hyper__decoder_ncodings(d), cases[i].n);
    hyper__decoder_free(d);
  }

  /* The length is honoured: no NUL needed, bytes past it ignored. */
  hyper__decoder *d;
  assert_int_equal(hyper__decoder_new(&d, "brotli", 2, NULL, NULL), HYPER_OK);
  assert_int_equal(hyper__decoder_ncodings(d), 1);
  hyper__decoder_free(d);
  static const char nul[] = {'g', 'z', 'i', 'p', '\0'};
  assert_int_equal(hyper__decoder_new(&d, nul, sizeof nul, NULL, NULL),
                   HYPER_ERR_UNSUPPORTED_ENCODING);
}

static void test_decode_api_misuse(void **state) {
  (void)state;
  hyper__decoder *d = NULL;
  uint8_t buf[8];
  size_t c = 5, p = 5;
  assert_int_equal(hyper__decoder_new(NULL, "gzip", 4, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__decoder_new(&d, NULL, 4, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__decoder_new(&d, NULL, 0, NULL, NULL), HYPER_OK);
  assert_int_equal(hyper__decoder_ncodings(d), 0);
  hyper__decoder_free(d);
  hyper__decoder_free(NULL);
  assert_int_equal(hyper__decoder_ncodings(NULL), 0);
  assert_int_equal(hyper__decoder_finish(NULL), HYPER_ERR_INVALID_ARGUMENT);

  assert_int_equal(hyper__decoder_new(&d, "gzip", 4, NULL, NULL), HYPER_OK);
  assert_int_equal(hyper__decoder_feed(NULL, buf, 1, &c, buf, 8, &p),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(c, 0);
  assert_int_equal(p, 0);
  assert_int_equal(hyper__decoder_feed(d, NULL, 1, &c, buf, 8, &p),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__decoder_feed(d, buf, 1, &c, NULL, 8, &p),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__decoder_feed(d, buf, 1, NULL, buf, 8, &p),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__decoder_feed(d, buf, 1, &c, buf, 8, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* not sticky, and (NULL, 0) everywhere is fine */
  assert_int_equal(hyper__decoder_feed(d, NULL, 0, &c, NULL, 0, &p),
                   HYPER_OK);
  assert_int_equal(hyper__decoder_finish(d), HYPER_OK); /* nothing fed */
  hyper__decoder_free(d);

  hyper__decode_limits lim;
  hyper__decode_limits_init(&lim);
  assert_int_equal(lim.max_output_total, HYPER__DECODE_DEFAULT_MAX_OUTPUT);
  assert_int_equal(lim.max_ratio, HYPER__DECODE_DEFAULT_MAX_RATIO);
  assert_int_equal(lim.ratio_grace, HYPER__DECODE_DEFAULT_RATIO_GRACE);
}

/* ---- identity ---- */

static void test_decode_identity_passthrough(void **state) {
  (void)state;
  blob t = gen(1, 100000, 9);
  static const char *const hdrs[] = {"", "identity", " Identity , ,"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(hdrs); i++)
    expect_decodes_all_ways(hdrs[i], t.p, t.len, t.p, t.len);

  /* limits do not apply to a body that is not decoded */
  hyper__decode_limits lim = {10, 1, 0};
  sink s = {1, 0, {NULL, 0}, 0};
  plan pl = {NO_FIRST, 0, 333};
  assert_int_equal(decode_ex("identity", t.p, t.len, pl, &lim, NULL, &s),
                   HYPER_OK);
  assert_int_equal(s.data.len, t.len);
  assert_memory_equal(s.data.p, t.p, t.len);
  blob_free(&s.data);
  blob_free(&t);
}

/* ---- round trips ---- */

static const size_t sizes[] = {0, 1, 1000, 1 << 20};

static void roundtrip_zlib(int wbits, const char *const *hdrs, size_t nhdrs) {
  for (size_t si = 0; si < HYPER_ARRAY_LEN(sizes); si++) {
    for (int text = 0; text <= 1; text++) {
      blob plain = gen(text, sizes[si], 100 + si);
      blob enc = z_encode(wbits, plain.p, plain.len);
      for (size_t h = 0; h < nhdrs; h++)
        expect_decodes_all_ways(hdrs[h], enc.p, enc.len, plain.p, plain.len);
      blob_free(&enc);
      /* the same data at the extreme levels */
      enc = z_encode_ex(wbits, 9, plain.p, plain.len, NULL, NULL, 0);
      expect_decodes_all_ways(hdrs[0], enc.p, enc.len, plain.p, plain.len);
      blob_free(&enc);
      enc = z_encode_ex(wbits, 0, plain.p, plain.len, NULL, NULL, 0);
      expect_decodes_all_ways(hdrs[0], enc.p, enc.len, plain.p, plain.len);
      blob_free(&enc);
      blob_free(&plain);
    }
  }
}

static void test_decode_gzip_roundtrip(void **state) {
  (void)state;
  static const char *const hdrs[] = {"gzip", "x-gzip", "GZIP, identity"};
  roundtrip_zlib(31, hdrs, HYPER_ARRAY_LEN(hdrs));
}

static void test_decode_deflate_zlib_roundtrip(void **state) {
  (void)state;
  static const char *const hdrs[] = {"deflate", "Deflate"};
  roundtrip_zlib(15, hdrs, HYPER_ARRAY_LEN(hdrs));
}

static void test_decode_deflate_raw_roundtrip(void **state) {
  (void)state;
  static const char *const hdrs[] = {"deflate", "identity,deflate"};
  roundtrip_zlib(-15, hdrs, HYPER_ARRAY_LEN(hdrs));
}

static void test_decode_gzip_header_fields(void **state) {
  (void)state;
  /* FEXTRA, FNAME, FCOMMENT and FHCRC, parsed while streaming */
  uint8_t extra[300];
  memset(extra, 'e', sizeof extra);
  gz_header head;
  memset(&head, 0, sizeof head);
  head.text = 1;
  head.time = 1700000000;
  head.os = 3;
  head.extra = extra;
  head.extra_len = sizeof extra;
  head.name = (Bytef *)(uintptr_t) "some-file-name.txt";
  head.comment = (Bytef *)(uintptr_t) "a comment";
  head.hcrc = 1;
  blob plain = gen(1, 1000, 5);
  blob enc = z_encode_ex(31, 6, plain.p, plain.len, &head, NULL, 0);
  expect_decodes_all_ways("gzip", enc.p, enc.len, plain.p, plain.len);
  expect_decodes_every_split("gzip", enc.p, enc.len, plain.p, plain.len);
  /* a wrong header CRC is caught */
  enc.p[10 + 2 + sizeof extra + 3] ^= 0x20; /* inside the name */
  assert_int_equal(expect_error("gzip", enc.p, enc.len, 0),
                   HYPER_ERR_DECODE_GZIP);
  blob_free(&enc);
  blob_free(&plain);
}

typedef struct br_vec {
  const unsigned char *p;
  size_t len;
  int kind; /* 0 empty, 1 text, 2 random, 3 repeat text, 4 repeat random */
  size_t n;
  uint64_t seed;
} br_vec;

static const br_vec br_vecs[] = {
    {br_empty, br_empty_LEN, 0, 0, 0},
    {br_one, br_one_LEN, 1, 1, 1},
    {br_text_1000, br_text_1000_LEN, 1, 1000, 1},
    {br_random_1000, br_random_1000_LEN, 2, 1000, 2},
    {br_text_1m, br_text_1m_LEN, 3, 1 << 20, 3},
    {br_random_1m, br_random_1m_LEN, 4, 1 << 20, 4},
};

static blob br_plain(const br_vec *v) {
  blob b = {malloc(v->n + 1), v->n};
  assert_non_null(b.p);
  if (v->kind == 1)
    dd_text(b.p, v->n, v->seed);
  else if (v->kind == 2)
    dd_random(b.p, v->n, v->seed);
  else if (v->kind == 3)
    dd_repeat(b.p, v->n, 4096, 1, v->seed);
  else if (v->kind == 4)
    dd_repeat(b.p, v->n, 1000, 0, v->seed);
  return b;
}

static void test_decode_br_roundtrip(void **state) {
  (void)state;
  static const char *const hdrs[] = {"br", "BR", "identity, br"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(br_vecs); i++) {
    blob plain = br_plain(&br_vecs[i]);
    for (size_t h = 0; h < HYPER_ARRAY_LEN(hdrs); h++)
      expect_decodes_all_ways(hdrs[h], br_vecs[i].p, br_vecs[i].len, plain.p,
                              plain.len);
    blob_free(&plain);
  }
}

/* ---- every split ---- */

static void test_decode_every_split(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1); /* == the br_text_1000 plaintext */
  static const int wbits[] = {31, 15, -15};
  static const char *const hdrs[] = {"gzip", "deflate", "deflate"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(wbits); i++) {
    blob enc = z_encode(wbits[i], plain.p, plain.len);
    expect_decodes_every_split(hdrs[i], enc.p, enc.len, plain.p, plain.len);
    blob_free(&enc);
  }
  expect_decodes_every_split("br", br_text_1000, br_text_1000_LEN, plain.p,
                             plain.len);
  blob r = gen(0, 1000, 2);
  expect_decodes_every_split("br", br_random_1000, br_random_1000_LEN, r.p,
                             r.len);
  blob_free(&r);
  /* one byte at a time into a one-byte buffer */
  blob enc = z_encode(31, plain.p, plain.len);
  plan one = {NO_FIRST, 1, 1};
  expect_decodes("gzip", enc.p, enc.len, one, plain.p, plain.len);
  expect_decodes("br", br_text_1000, br_text_1000_LEN, one, plain.p,
                 plain.len);
  blob_free(&enc);
  blob_free(&plain);
}

/* ---- multi-member gzip, trailing data ---- */

static void test_decode_gzip_multi_member(void **state) {
  (void)state;
  blob a = gen(1, 1000, 11), b = gen(0, 300, 12), c = gen(1, 5000, 13);
  blob ea = z_encode(31, a.p, a.len), eb = z_encode(31, b.p, b.len);
  blob ec = z_encode(31, c.p, c.len), ee = z_encode(31, NULL, 0);
  blob enc = blob_dup(ea.p, ea.len), want = blob_dup(a.p, a.len);
  enc = blob_cat(enc, eb.p, eb.len);
  want = blob_cat(want, b.p, b.len);
  enc = blob_cat(enc, ee.p, ee.len); /* an empty member */
  enc = blob_cat(enc, ec.p, ec.len);
  want = blob_cat(want, c.p, c.len);
  expect_decodes_all_ways("gzip", enc.p, enc.len, want.p, want.len);
  expect_decodes_every_split("gzip", enc.p, enc.len, want.p, want.len);

  /* NUL padding after the last member is accepted (as gzip(1) does) */
  static const uint8_t zeros[16] = {0};
  blob padded = blob_dup(enc.p, enc.len);
  padded = blob_cat(padded, zeros, sizeof zeros);
  expect_decodes_all_ways("gzip", padded.p, padded.len, want.p, want.len);
  /* ... but nothing after the padding */
  padded = blob_cat(padded, ea.p, ea.len);
  assert_int_equal(expect_error("gzip", padded.p, padded.len, 0),
                   HYPER_ERR_DECODE_GZIP);
  assert_int_equal(expect_error("gzip", padded.p, padded.len, 1),
                   HYPER_ERR_DECODE_GZIP);

  /* garbage that is not another member */
  static const char *const junk[] = {"x", "\x1f\x8c", "\x1f", "\x1f\x8b",
                                     "<html>"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(junk); i++) {
    blob g = blob_dup(ea.p, ea.len);
    g = blob_cat(g, (const uint8_t *)junk[i], strlen(junk[i]));
    assert_int_equal(expect_error("gzip", g.p, g.len, 0),
                     HYPER_ERR_DECODE_GZIP);
    assert_int_equal(expect_error("gzip", g.p, g.len, 1),
                     HYPER_ERR_DECODE_GZIP);
    blob_free(&g);
  }

  blob_free(&padded);
  blob_free(&enc);
  blob_free(&want);
  blob_free(&ea);
  blob_free(&eb);
  blob_free(&ec);
  blob_free(&ee);
  blob_free(&a);
  blob_free(&b);
  blob_free(&c);
}

static void test_decode_trailing_data(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);
  static const int wbits[] = {15, -15};
  static const char *const tails[] = {"x", "\0", "\x78\x9c"};
  static const size_t tail_len[] = {1, 1, 2};
  for (size_t w = 0; w < HYPER_ARRAY_LEN(wbits); w++) {
    for (size_t t = 0; t < HYPER_ARRAY_LEN(tails); t++) {
      blob enc = z_encode(wbits[w], plain.p, plain.len);
      enc = blob_cat(enc, (const uint8_t *)tails[t], tail_len[t]);
      assert_int_equal(expect_error("deflate", enc.p, enc.len, 0),
                       HYPER_ERR_DECODE_GZIP);
      assert_int_equal(expect_error("deflate", enc.p, enc.len, 1),
                       HYPER_ERR_DECODE_GZIP);
      blob_free(&enc);
    }
  }
  for (size_t t = 0; t < HYPER_ARRAY_LEN(tails); t++) {
    blob enc = blob_dup(br_text_1000, br_text_1000_LEN);
    enc = blob_cat(enc, (const uint8_t *)tails[t], tail_len[t]);
    assert_int_equal(expect_error("br", enc.p, enc.len, 0),
                     HYPER_ERR_DECODE_BROTLI);
    assert_int_equal(expect_error("br", enc.p, enc.len, 1),
                     HYPER_ERR_DECODE_BROTLI);
    blob_free(&enc);
  }
  blob_free(&plain);
}

/* ---- truncation ---- */

static void expect_every_prefix_fails(const char *hdr, const uint8_t *p,
                                      size_t n, int err) {
  for (size_t k = 1; k < n; k++) {
    int rv = expect_error(hdr, p, k, 0);
    if (rv != err)
      fail_msg("%s: prefix %zu of %zu: %s", hdr, k, n, hyper_err_name(rv));
    assert_int_equal(expect_error(hdr, p, k, 1), err);
  }
}

static void test_decode_truncated(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);
  static const int wbits[] = {31, 15, -15};
  static const char *const hdrs[] = {"gzip", "deflate", "deflate"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(wbits); i++) {
    blob enc = z_encode(wbits[i], plain.p, plain.len);
    expect_every_prefix_fails(hdrs[i], enc.p, enc.len, HYPER_ERR_DECODE_GZIP);
    blob_free(&enc);
    enc = z_encode(wbits[i], NULL, 0);
    expect_every_prefix_fails(hdrs[i], enc.p, enc.len, HYPER_ERR_DECODE_GZIP);
    blob_free(&enc);
  }
  expect_every_prefix_fails("br", br_text_1000, br_text_1000_LEN,
                            HYPER_ERR_DECODE_BROTLI);
  expect_every_prefix_fails("br", br_one, br_one_LEN, HYPER_ERR_DECODE_BROTLI);
  /* "gzip, br": the outer brotli stream is cut first */
  expect_every_prefix_fails("gzip, br", br_gzip_text_1000,
                            br_gzip_text_1000_LEN, HYPER_ERR_DECODE_BROTLI);
  /* "br, gzip": a complete gzip around a cut brotli stream */
  blob cut = z_encode(31, br_text_1000, br_text_1000_LEN - 1);
  assert_int_equal(expect_error("br, gzip", cut.p, cut.len, 0),
                   HYPER_ERR_DECODE_BROTLI);
  blob_free(&cut);

  /* an empty body is fine for any coding (nothing was sent) */
  static const char *const all[] = {"gzip", "deflate", "br", "deflate, gzip",
                                    "gzip, br"};
  for (size_t i = 0; i < HYPER_ARRAY_LEN(all); i++) {
    sink s = {1, 0, {NULL, 0}, 0};
    assert_int_equal(decode_plain(all[i], NULL, 0, 0, 16, &s), HYPER_OK);
    assert_int_equal(s.total, 0);
  }
  blob_free(&plain);
}

/* ---- corruption ---- */

static void corrupt_each_byte(const char *hdr, const uint8_t *p, size_t n,
                              int err, int err2, size_t must_fail_from,
                              size_t must_fail_to) {
  static const uint8_t masks[] = {0xff, 0x01, 0x80};
  uint8_t *q = malloc(n);
  assert_non_null(q);
  size_t fails = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t m = 0; m < HYPER_ARRAY_LEN(masks); m++) {
      memcpy(q, p, n);
      q[i] ^= masks[m];
      sink s = {0, 0, {NULL, 0}, 0};
      int rv = decode_plain(hdr, q, n, i % 3 ? 0 : 1, 256, &s);
      if (rv != HYPER_OK && rv != err && rv != err2)
        fail_msg("%s: byte %zu ^ %#x: %s", hdr, i, masks[m],
                 hyper_err_name(rv));
      /* (only for 0xff: the last deflate byte has unused padding bits) */
      if (i >= must_fail_from && i < must_fail_to && m == 0 && rv == HYPER_OK)
        fail_msg("%s: byte %zu ^ %#x went unnoticed", hdr, i, masks[m]);
      fails += rv != HYPER_OK;
      assert_true(s.total <= 2 * MIB); /* the default limits hold */
    }
  }
  assert_true(fails > 0);
  free(q);
}

static void test_decode_corrupt(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);
  /* gzip: the CRC-32 and length trailer catch any change after the fixed
   * 10-byte header */
  blob enc = z_encode(31, plain.p, plain.len);
  corrupt_each_byte("gzip", enc.p, enc.len, HYPER_ERR_DECODE_GZIP, 0, 10,
                    enc.len);
  blob_free(&enc);
  /* zlib: Adler-32 catches changes after the 2-byte header */
  enc = z_encode(15, plain.p, plain.len);
  corrupt_each_byte("deflate", enc.p, enc.len, HYPER_ERR_DECODE_GZIP, 0, 2,
                    enc.len);
  blob_free(&enc);
  /* raw deflate and brotli carry no checksum: only "no crash, right code" */
  enc = z_encode(-15, plain.p, plain.len);
  corrupt_each_byte("deflate", enc.p, enc.len, HYPER_ERR_DECODE_GZIP, 0, 0,
                    0);
  blob_free(&enc);
  corrupt_each_byte("br", br_text_1000, br_text_1000_LEN,
                    HYPER_ERR_DECODE_BROTLI, 0, 0, 0);
  /* "gzip, br": the gzip CRC below catches what brotli lets through */
  corrupt_each_byte("gzip, br", br_gzip_text_1000, br_gzip_text_1000_LEN,
                    HYPER_ERR_DECODE_BROTLI, HYPER_ERR_DECODE_GZIP, 0, 0);

  /* random garbage under each coding */
  blob junk = gen(0, 4096, 77);
  assert_int_equal(expect_error("gzip", junk.p, junk.len, 0),
                   HYPER_ERR_DECODE_GZIP);
  int rv = expect_error("deflate", junk.p, junk.len, 0);
  assert_true(rv == HYPER_ERR_DECODE_GZIP);
  assert_int_equal(expect_error("br", junk.p, junk.len, 0),
                   HYPER_ERR_DECODE_BROTLI);
  blob_free(&junk);

  /* a zlib stream that needs a preset dictionary cannot be decoded */
  static const uint8_t dict[] = "the quick brown fox";
  enc = z_encode_ex(15, 6, plain.p, plain.len, NULL, dict, sizeof dict - 1);
  assert_int_equal(expect_error("deflate", enc.p, enc.len, 0),
                   HYPER_ERR_DECODE_GZIP);
  blob_free(&enc);
  blob_free(&plain);
}

/* ---- stacked codings ---- */

static void test_decode_stacked(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);

  /* "deflate, gzip": deflate applied first, then gzip */
  blob inner = z_encode(15, plain.p, plain.len);
  blob enc = z_encode(31, inner.p, inner.len);
  expect_decodes_all_ways("deflate, gzip", enc.p, enc.len, plain.p,
                          plain.len);
  expect_decodes_every_split("deflate, gzip", enc.p, enc.len, plain.p,
                             plain.len);
  /* the wrong order fails */
  assert_int_equal(expect_error("gzip, deflate", enc.p, enc.len, 0),
                   HYPER_ERR_DECODE_GZIP);
  blob_free(&enc);
  blob_free(&inner);

  /* "gzip, br": the vector is brotli over gzip */
  expect_decodes_all_ways("gzip, br", br_gzip_text_1000,
                          br_gzip_text_1000_LEN, plain.p, plain.len);
  expect_decodes_every_split("x-gzip,br", br_gzip_text_1000,
                             br_gzip_text_1000_LEN, plain.p, plain.len);
  assert_int_equal(expect_error("br, gzip", br_gzip_text_1000,
                                br_gzip_text_1000_LEN, 0),
                   HYPER_ERR_DECODE_GZIP);

  /* "br, gzip": gzip over a brotli vector, made here */
  enc = z_encode(31, br_text_1000, br_text_1000_LEN);
  expect_decodes_all_ways("br, gzip", enc.p, enc.len, plain.p, plain.len);
  blob_free(&enc);

  /* four layers, large data, through the 16 KiB inter-stage buffers */
  blob big = gen(0, 1 << 20, 21);
  blob l1 = z_encode(-15, big.p, big.len);
  blob l2 = z_encode(31, l1.p, l1.len);
  blob l3 = z_encode(15, l2.p, l2.len);
  blob l4 = z_encode(31, l3.p, l3.len);
  expect_decodes_all_ways("deflate, gzip, deflate, gzip", l4.p, l4.len,
                          big.p, big.len);
  blob_free(&l1);
  blob_free(&l2);
  blob_free(&l3);
  blob_free(&l4);
  blob_free(&big);

  /* br in the middle of a stack, with 1 MiB of output */
  blob t1m = br_plain(&br_vecs[4]);
  blob g = z_encode(31, br_text_1m, br_text_1m_LEN);
  blob gg = z_encode(15, g.p, g.len);
  expect_decodes_all_ways("br, gzip, deflate", gg.p, gg.len, t1m.p, t1m.len);
  blob_free(&g);
  blob_free(&gg);
  blob_free(&t1m);
  blob_free(&plain);
}

/* ---- finish contract ---- */

static void test_decode_finish_needs_drain(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);
  blob enc = z_encode(31, plain.p, plain.len);
  hyper__decoder *d;
  uint8_t out[2000];
  size_t c, p;
  assert_int_equal(hyper__decoder_new(&d, "gzip", 4, NULL, NULL), HYPER_OK);
  assert_int_equal(hyper__decoder_feed(d, enc.p, enc.len, &c, out, 10, &p),
                   HYPER_OK);
  assert_int_equal(p, 10);
  assert_memory_equal(out, plain.p, 10);
  /* output is waiting: finish says so, and is not sticky */
  assert_int_equal(hyper__decoder_finish(d), HYPER_ERR_INVALID_STATE);
  size_t got = 10;
  while (c < enc.len || p == 10) {
    size_t c2;
    assert_int_equal(hyper__decoder_feed(d, enc.p + c, enc.len - c, &c2,
                                         out + got, 10, &p),
                     HYPER_OK);
    c += c2;
    got += p;
  }
  assert_int_equal(got, plain.len);
  assert_memory_equal(out, plain.p, plain.len);
  assert_int_equal(hyper__decoder_finish(d), HYPER_OK);
  hyper__decoder_free(d);

  /* output exactly filling the buffer at the end of the stream */
  assert_int_equal(hyper__decoder_new(&d, "gzip", 4, NULL, NULL), HYPER_OK);
  assert_int_equal(
      hyper__decoder_feed(d, enc.p, enc.len, &c, out, plain.len, &p),
      HYPER_OK);
  assert_int_equal(c, enc.len);
  assert_int_equal(p, plain.len);
  assert_int_equal(hyper__decoder_finish(d), HYPER_OK);
  hyper__decoder_free(d);
  blob_free(&enc);
  blob_free(&plain);
}

/* ---- bomb limits ---- */

static void test_decode_ratio_bomb_gzip(void **state) {
  (void)state;
  size_t n = 10 * MIB;
  uint8_t *zeros = calloc(1, n);
  assert_non_null(zeros);
  blob bomb = z_encode_ex(31, 9, zeros, n, NULL, NULL, 0);
  assert_true(bomb.len < 12000); /* ~10 KB: ratio ~1030 */

  failmem fm;
  failmem_init(&fm);
  sink s = {0, 0, {NULL, 0}, 0};
  plan pl = {NO_FIRST, 16384, 16384};
  assert_int_equal(decode_ex("gzip", bomb.p, bomb.len, pl, NULL, &fm.mem, &s),
                   HYPER_ERR_DECODE_RATIO);
  /* stopped just past the 1 MiB grace, holding only zlib's state */
  assert_true(s.total > MIB);
  assert_true(s.total <= MIB + 65536);
  assert_true(fm.peak_bytes < 64 * 1024);
  assert_int_equal(fm.live_blocks, 0);

  /* stacked: gzip(gzip(zeros)) is ~100x smaller again */
  blob bomb2 = z_encode_ex(31, 9, bomb.p, bomb.len, NULL, NULL, 0);
  failmem_init(&fm);
  s.total = 0;
  assert_int_equal(
      decode_ex("gzip, gzip", bomb2.p, bomb2.len, pl, NULL, &fm.mem, &s),
      HYPER_ERR_DECODE_RATIO);
  assert_true(s.total <= MIB + 65536);
  assert_true(fm.peak_bytes < 128 * 1024);
  assert_int_equal(fm.live_blocks, 0);

  /* with the checks off the same input is a valid 10 MiB body */
  hyper__decode_limits off = {0, 0, 0};
  s.total = 0;
  assert_int_equal(decode_ex("gzip", bomb.p, bomb.len, pl, &off, NULL, &s),
                   HYPER_OK);
  assert_int_equal(s.total, n);
  s.total = 0;
  assert_int_equal(
      decode_ex("gzip, gzip", bomb2.p, bomb2.len, pl, &off, NULL, &s),
      HYPER_OK);
  assert_int_equal(s.total, n);
  /* and a larger ratio lets it through */
  hyper__decode_limits lax = {0, 2000, MIB};
  s.total = 0;
  assert_int_equal(decode_ex("gzip", bomb.p, bomb.len, pl, &lax, NULL, &s),
                   HYPER_OK);
  blob_free(&bomb2);
  blob_free(&bomb);
  free(zeros);
}

static void test_decode_ratio_bomb_br(void **state) {
  (void)state;
  /* 64 MiB of zeros in 102 bytes of brotli */
  failmem fm;
  failmem_init(&fm);
  sink s = {0, 0, {NULL, 0}, 0};
  plan pl = {NO_FIRST, 0, 16384};
  assert_int_equal(decode_ex("br", br_zeros_64m, br_zeros_64m_LEN, pl, NULL,
                             &fm.mem, &s),
                   HYPER_ERR_DECODE_RATIO);
  assert_true(s.total > MIB && s.total <= MIB + 16384);
  /* brotli holds at most its window (4 MiB for this stream) */
  assert_true(fm.peak_bytes < 4 * MIB + 256 * 1024);
  assert_int_equal(fm.live_blocks, 0);

  /* the total cap alone (ratio off) stops it exactly one byte past */
  hyper__decode_limits lim = {5 * MIB, 0, 0};
  s.total = 0;
  assert_int_equal(decode_ex("br", br_zeros_64m, br_zeros_64m_LEN, pl, &lim,
                             NULL, &s),
                   HYPER_ERR_DECODE_RATIO);
  assert_int_equal(s.total, 5 * MIB + 1);

  /* with no limit it is a valid 64 MiB body */
  hyper__decode_limits off = {0, 0, 0};
  s.total = 0;
  pl.out_cap = 1 << 20;
  assert_int_equal(decode_ex("br", br_zeros_64m, br_zeros_64m_LEN, pl, &off,
                             NULL, &s),
                   HYPER_OK);
  assert_int_equal(s.total, 64 * MIB);
}

static void test_decode_limits(void **state) {
  (void)state;
  blob plain = gen(1, 1 << 20, 31);
  blob enc = z_encode(31, plain.p, plain.len);
  plan pl = {NO_FIRST, 1000, 4096};
  sink s = {0, 0, {NULL, 0}, 0};

  /* max_output_total: one byte past the cap, exactly */
  hyper__decode_limits lim = {100000, 0, 0};
  assert_int_equal(decode_ex("gzip", enc.p, enc.len, pl, &lim, NULL, &s),
                   HYPER_ERR_DECODE_RATIO);
  assert_int_equal(s.total, 100001);
  /* exactly at the cap is fine */
  lim.max_output_total = plain.len;
  s.total = 0;
  assert_int_equal(decode_ex("gzip", enc.p, enc.len, pl, &lim, NULL, &s),
                   HYPER_OK);
  assert_int_equal(s.total, plain.len);

  /* max_ratio with no grace: text compresses ~3x here */
  hyper__decode_limits r2 = {0, 2, 0}, r10 = {0, 10, 0};
  s.total = 0;
  assert_int_equal(decode_ex("gzip", enc.p, enc.len, pl, &r2, NULL, &s),
                   HYPER_ERR_DECODE_RATIO);
  s.total = 0;
  assert_int_equal(decode_ex("gzip", enc.p, enc.len, pl, &r10, NULL, &s),
                   HYPER_OK);
  /* the grace covers small, very compressible bodies */
  blob sp = {calloc(1, 100000), 100000};
  assert_non_null(sp.p);
  memset(sp.p, ' ', sp.len);
  blob esp = z_encode_ex(31, 9, sp.p, sp.len, NULL, NULL, 0);
  assert_true(sp.len / esp.len > HYPER__DECODE_DEFAULT_MAX_RATIO / 10);
  expect_decodes_all_ways("gzip", esp.p, esp.len, sp.p, sp.len);
  hyper__decode_limits r2g = {0, 2, 0};
  s.total = 0;
  assert_int_equal(decode_ex("gzip", esp.p, esp.len, pl, &r2g, NULL, &s),
                   HYPER_ERR_DECODE_RATIO);
  blob_free(&esp);
  blob_free(&sp);
  blob_free(&enc);
  blob_free(&plain);
}

/* ---- allocation failures ---- */

typedef struct sweep_case {
  const char *hdr;
  blob enc;
  blob want;
} sweep_case;

static void sweep(const sweep_case *sc) {
  long k;
  for (k = 1;; k++) {
    failmem fm;
    failmem_init(&fm);
    fm.fail_at = k;
    sink s = {1, 0, {NULL, 0}, 0};
    plan pl = {NO_FIRST, 100, 512};
    int rv = decode_ex(sc->hdr, sc->enc.p, sc->enc.len, pl, NULL, &fm.mem, &s);
    assert_int_equal(fm.live_blocks, 0);
    assert_int_equal(fm.live_bytes, 0);
    if (fm.nfailed) {
      if (rv != HYPER_ERR_NOMEM)
        fail_msg("%s: allocation %ld failed: %s", sc->hdr, k,
                 hyper_err_name(rv));
      blob_free(&s.data);
      continue;
    }
    assert_int_equal(rv, HYPER_OK);
    assert_int_equal(s.data.len, sc->want.len);
    assert_memory_equal(s.data.p, sc->want.p, sc->want.len);
    blob_free(&s.data);
    break;
  }
  assert_true(k > 1); /* something was allocated */
}

/* zstd (RFC 8878, RFC 9659): round trips under every feeding pattern, a
 * body of several frames with a skippable frame between, stacking with
 * gzip, truncation, corruption, trailing garbage, the 8 MiB window cap,
 * and a bomb stopped by the ratio limit. */
static void test_decode_zstd(void **state) {
  (void)state;
  blob text = gen(1, 50000, 7), rnd = gen(0, 3000, 8);
  blob zt = zstd_encode(text.p, text.len, 0);
  blob zr = zstd_encode(rnd.p, rnd.len, 0);
  expect_decodes_all_ways("zstd", zt.p, zt.len, text.p, text.len);
  expect_decodes_all_ways("ZSTD, identity", zr.p, zr.len, rnd.p, rnd.len);
  blob small = gen(1, 300, 9);
  blob zs = zstd_encode(small.p, small.len, 0);
  expect_decodes_every_split("zstd", zs.p, zs.len, small.p, small.len);
  /* an empty body labelled zstd, and one empty frame */
  expect_decodes("zstd", NULL, 0, (plan){NO_FIRST, 0, 64}, NULL, 0);
  blob ze = zstd_encode((const uint8_t *)"", 0, 0);
  expect_decodes_all_ways("zstd", ze.p, ze.len, NULL, 0);

  /* frames: text, skippable (magic 0x184D2A50, 4-byte length, payload),
   * random: decoded as text || random */
  static const uint8_t skip[] = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3};
  blob multi = blob_dup(zt.p, zt.len);
  multi = blob_cat(multi, skip, sizeof skip);
  multi = blob_cat(multi, zr.p, zr.len);
  blob want = blob_dup(text.p, text.len);
  want = blob_cat(want, rnd.p, rnd.len);
  expect_decodes_all_ways("zstd", multi.p, multi.len, want.p, want.len);

  /* stacked: zstd applied first, then gzip */
  blob zg = z_encode(31, zs.p, zs.len);
  expect_decodes_all_ways("zstd, gzip", zg.p, zg.len, small.p, small.len);

  /* truncated anywhere inside the frame: DECODE_ZSTD at finish */
  for (size_t cut = 1; cut < zs.len; cut++)
    assert_int_equal(expect_error("zstd", zs.p, cut, 0), HYPER_ERR_DECODE_ZSTD);
  /* corrupted magic / block header; garbage after the frame */
  blob bad = blob_dup(zs.p, zs.len);
  bad.p[0] ^= 0xff;
  assert_int_equal(expect_error("zstd", bad.p, bad.len, 0), HYPER_ERR_DECODE_ZSTD);
  blob_free(&bad);
  bad = blob_dup(zs.p, zs.len);
  bad = blob_cat(bad, (const uint8_t *)"junk", 4);
  assert_int_equal(expect_error("zstd", bad.p, bad.len, 1), HYPER_ERR_DECODE_ZSTD);
  blob_free(&bad);

  /* window: 8 MiB (log 23) is accepted, 16 MiB (log 24) refused */
  blob w23 = zstd_encode(small.p, small.len, 23);
  expect_decodes("zstd", w23.p, w23.len, (plan){NO_FIRST, 0, 4096}, small.p,
                 small.len);
  blob w24 = zstd_encode(small.p, small.len, 24);
  assert_int_equal(expect_error("zstd", w24.p, w24.len, 0), HYPER_ERR_DECODE_ZSTD);

  /* bomb: 64 MiB of zeros compress to a few KiB; the ratio limit stops it
   * long before the end, with decoder memory bounded (counted) */
  size_t big_n = 64 * MIB;
  uint8_t *zeros = calloc(1, big_n);
  assert_non_null(zeros);
  blob zb = zstd_encode(zeros, big_n, 0);
  free(zeros);
  assert_true(zb.len < big_n / 1000);
  failmem fm;
  failmem_init(&fm);
  sink sk = {0, 0, {NULL, 0}, 0};
  plan pl = {NO_FIRST, 0, 65536};
  assert_int_equal(decode_ex("zstd", zb.p, zb.len, pl, NULL, &fm.mem, &sk),
                   HYPER_ERR_DECODE_RATIO);
  assert_true(sk.total < big_n);
  assert_true(fm.peak_bytes < 4 * MIB);
  assert_int_equal(fm.live_blocks, 0);

  blob_free(&zb);
  blob_free(&w23);
  blob_free(&w24);
  blob_free(&zg);
  blob_free(&multi);
  blob_free(&want);
  blob_free(&ze);
  blob_free(&zs);
  blob_free(&small);
  blob_free(&zt);
  blob_free(&zr);
  blob_free(&text);
  blob_free(&rnd);
}

static void test_decode_alloc_failure_sweep(void **state) {
  (void)state;
  blob plain = gen(1, 1000, 1);
  blob z1 = z_encode(15, plain.p, plain.len);
  sweep_case cases[] = {
      {"gzip", z_encode(31, plain.p, plain.len), plain},
      {"deflate", z_encode(15, plain.p, plain.len), plain},
      {"deflate", z_encode(-15, plain.p, plain.len), plain},
      {"br", blob_dup(br_text_1000, br_text_1000_LEN), plain},
      {"gzip, br", blob_dup(br_gzip_text_1000, br_gzip_text_1000_LEN), plain},
      {"deflate, gzip", z_encode(31, z1.p, z1.len), plain},
      {"zstd", zstd_encode(plain.p, plain.len, 0), plain},
  };
  for (size_t i = 0; i < HYPER_ARRAY_LEN(cases); i++) {
    sweep(&cases[i]);
    blob_free(&cases[i].enc);
  }
  /* a larger brotli body: ring buffer and tables allocated later */
  blob r1m = br_plain(&br_vecs[5]);
  sweep_case big = {"br", blob_dup(br_random_1m, br_random_1m_LEN), r1m};
  sweep(&big);
  blob_free(&big.enc);
  blob_free(&r1m);

  /* constructor alone: every failure point of a four-stage decoder */
  for (long k = 1;; k++) {
    failmem fm;
    failmem_init(&fm);
    fm.fail_at = k;
    hyper__decoder *d = (hyper__decoder *)&d;
    int rv = hyper__decoder_new(&d, "br, gzip, deflate, br", 21, NULL,
                                &fm.mem);
    hyper__decoder_free(d);
    assert_int_equal(fm.live_blocks, 0);
    if (!fm.nfailed) {
      assert_int_equal(rv, HYPER_OK);
      break;
    }
    assert_int_equal(rv, HYPER_ERR_NOMEM);
    assert_null(d);
  }
  blob_free(&z1);
  blob_free(&plain);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_header_parsing),
      cmocka_unit_test(test_decode_api_misuse),
      cmocka_unit_test(test_decode_identity_passthrough),
      cmocka_unit_test(test_decode_gzip_roundtrip),
      cmocka_unit_test(test_decode_deflate_zlib_roundtrip),
      cmocka_unit_test(test_decode_deflate_raw_roundtrip),
      cmocka_unit_test(test_decode_gzip_header_fields),
      cmocka_unit_test(test_decode_br_roundtrip),
      cmocka_unit_test(test_decode_every_split),
      cmocka_unit_test(test_decode_gzip_multi_member),
      cmocka_unit_test(test_decode_trailing_data),
      cmocka_unit_test(test_decode_truncated),
      cmocka_unit_test(test_decode_corrupt),
      cmocka_unit_test(test_decode_stacked),
      cmocka_unit_test(test_decode_finish_needs_drain),
      cmocka_unit_test(test_decode_ratio_bomb_gzip),
      cmocka_unit_test(test_decode_ratio_bomb_br),
      cmocka_unit_test(test_decode_limits),
      cmocka_unit_test(test_decode_zstd),
      cmocka_unit_test(test_decode_alloc_failure_sweep),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
