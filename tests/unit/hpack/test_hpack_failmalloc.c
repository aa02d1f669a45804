/* Allocation-failure sweep over the HPACK encoder and decoder (after
 * nghttp2's failmalloc test): fail the k-th allocation, for k = 1, 2, ...,
 * while creating an encoder and a decoder and running a story of 20 header
 * blocks through both; every failure must surface as HYPER_ERR_NOMEM (then
 * HYPER_ERR_HPACK_FAILED from the failed decoder), nothing may leak, and once
 * k passes the number of allocations the story completes with the right
 * output. Also: encoding never allocates, and is atomic on
 * HYPER_ERR_BUFFER_TOO_SMALL. */
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
/* The story: 20 realistic request header blocks with repetition            */
/* ------------------------------------------------------------------------ */

#define NBLOCKS 20
#define MAXF 64
#define SWEEP_LIMIT 10000

typedef struct block {
  hyper_field f[MAXF];
  size_t n;
} block;

static block story[NBLOCKS];
static char strbuf[64 * 1024];
static size_t strbuf_used;
static char big3000[3000], huge9000[9000], long_cookie[260];

__attribute__((format(printf, 1, 2))) static const char *keep(const char *fmt,
                                                              ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = strbuf + strbuf_used;
  int n = vsnprintf(p, sizeof strbuf - strbuf_used, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof strbuf - strbuf_used);
  strbuf_used += (size_t)n + 1;
  return p;
}

static void add(block *b, const char *name, const char *value, uint32_t flags) {
  assert_true(b->n < MAXF);
  hyper_field *f = &b->f[b->n++];
  f->name = (const uint8_t *)name;
  f->name_len = strlen(name);
  f->value = (const uint8_t *)value;
  f->value_len = strlen(value);
  f->flags = flags;
}

static void build_story(void) {
  static const char *paths[] = {"/",
                                "/index.html",
                                "/static/css/site.css",
                                "/static/js/app.js?v=20131021",
                                "/images/logo.png",
                                "/api/v1/items",
                                "/favicon.ico"};
  static const char ua[] =
      "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0 "
      "hyper-failmalloc-test/1.0";
  memset(story, 0, sizeof story);
  strbuf_used = 0;
  memset(big3000, 'x', sizeof big3000 - 1);
  big3000[sizeof big3000 - 1] = 0;
  for (size_t i = 0; i < sizeof huge9000 - 1; i++)
    huge9000[i] = (char)('a' + i % 26);
  huge9000[sizeof huge9000 - 1] = 0;
  for (size_t i = 0; i < sizeof long_cookie - 1; i++)
    long_cookie[i] = (char)("0123456789abcdef=;"[i % 18]);
  long_cookie[sizeof long_cookie - 1] = 0;

  for (int i = 0; i < NBLOCKS; i++) {
    block *b = &story[i];
    const char *path = paths[i % 7];
    add(b, ":method", i % 5 == 3 ? "POST" : "GET", 0);
    add(b, ":scheme", "https", 0);
    add(b, ":authority", i < 12 ? "www.example.com" : "static.example.net", 0);
    add(b, ":path", i % 7 == 5 ? keep("/api/v1/items?page=%d", i) : path, 0);
    add(b, "user-agent", ua, 0);
    add(b, "accept",
        i % 2
            ? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            : "*/*",
        0);
    add(b, "accept-language", "en-US,en;q=0.5", 0);
    add(b, "accept-encoding", "gzip, deflate, br", 0);
    add(b, "cookie", i % 3 == 0 ? "sid=abc" : long_cookie, 0);
    add(b, "referer", keep("https://www.example.com%s", path), 0);
    if (i % 4 == 1)
      add(b, "authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1", 0);
    add(b, "x-request-id", keep("req-%04d-5f2b9c", i), 0);
    if (i == 6)
      add(b, "x-big", big3000, 0);
    if (i == 9)
      for (int k = 0; k < 40; k++)
        add(b, keep("x-h-%02d", k), keep("v%d", k * 7), 0);
    if (i == 14)
      add(b, "x-huge", huge9000, 0);
    if (i == 15) {
      add(b, "x-secret", "s3cr3t", HYPER_FIELD_SENSITIVE);
      add(b, "x-noidx", "n", HYPER_FIELD_NO_INDEX);
    }
  }
}

/* Two scenarios. 0: default decoder (4096), encoder capped at 8192; sizes
 * go up to 8192, down-and-up through 1024, to 0 and back to 4096.
 * 1: a decoder configured with a 0-octet table and an encoder told the peer
 * allows 0, then raised to 65536, 16384 and 65536 again (the decoder's
 * table storage grows from nothing, on demand, during the story). */
static int scenario;

static uint32_t scenario_dec_table(void) { return scenario ? 0 : 4096; }

static void enc_config(hyper_hpack_enc_config *cfg) {
  hyper_hpack_enc_config_init(cfg);
  cfg->max_table_size = scenario ? 65536 : 8192;
}

/* Table size changes before block |i| (i = -1: right after creation),
 * applied to both sides the way an HTTP/2 connection would (SETTINGS
 * acknowledged). */
static void size_events(int i, uint32_t *sizes, size_t *nsizes) {
  static const struct {
    int scenario, block;
    uint32_t sizes[2];
    size_t n;
  } ev[] = {
      {0, 5, {8192, 0}, 1},  {0, 11, {1024, 8192}, 2}, {0, 17, {0, 0}, 1},
      {0, 18, {4096, 0}, 1}, {1, -1, {0, 0}, 1},       {1, 2, {65536, 0}, 1},
      {1, 8, {16384, 0}, 1}, {1, 13, {65536, 0}, 1},
  };
  *nsizes = 0;
  for (size_t k = 0; k < sizeof ev / sizeof ev[0]; k++)
    if (ev[k].scenario == scenario && ev[k].block == i) {
      for (size_t j = 0; j < ev[k].n; j++)
        sizes[(*nsizes)++] = ev[k].sizes[j];
    }
}

static int expect_sensitive(const hyper_field *in) {
  if (in->flags & HYPER_FIELD_SENSITIVE)
    return 1;
  if (in->name_len == 13 && memcmp(in->name, "authorization", 13) == 0)
    return 1;
  if (in->name_len == 6 && memcmp(in->name, "cookie", 6) == 0 &&
      in->value_len < 20)
    return 1;
  return 0;
}

static void assert_same_list(int blk, const hyper_field *in, size_t n,
                             const hyper_field *out, size_t nout) {
  if (n != nout)
    fail_msg("block %d: %zu fields decoded, %zu encoded", blk, nout, n);
  for (size_t i = 0; i < n; i++) {
    if (in[i].name_len != out[i].name_len ||
        memcmp(in[i].name, out[i].name, in[i].name_len) != 0 ||
        in[i].value_len != out[i].value_len ||
        memcmp(in[i].value, out[i].value, in[i].value_len) != 0)
      fail_msg("block %d field %zu: got \"%.*s\" (%zu-octet value), want "
               "\"%.*s\"",
               blk, i, (int)out[i].name_len, (const char *)out[i].name,
               out[i].value_len, (int)in[i].name_len, (const char *)in[i].name);
    if (expect_sensitive(&in[i]) != !!(out[i].flags & HYPER_FIELD_SENSITIVE))
      fail_msg("block %d field %zu (%.*s): SENSITIVE flag %u", blk, i,
               (int)in[i].name_len, (const char *)in[i].name,
               out[i].flags & HYPER_FIELD_SENSITIVE);
  }
}

/* ------------------------------------------------------------------------ */
/* One run of the story under a failmem                                     */
/* ------------------------------------------------------------------------ */

typedef struct run_result {
  int err;      /* first error, 0 if the story completed */
  int where;    /* -2 enc_new, -1 dec_new, else block index */
  long nalloc;  /* allocations attempted */
  long nfailed; /* allocations refused */
} run_result;

static uint8_t wire[64 * 1024];

static run_result run_story(failmem *fm) {
  run_result r = {0, 0, 0, 0};
  hyper_hpack_enc_config ecfg;
  enc_config(&ecfg);
  hyper_hpack_enc *const ENC_SENTINEL = (hyper_hpack_enc *)(uintptr_t)0x1111;
  hyper_hpack_dec *const DEC_SENTINEL = (hyper_hpack_dec *)(uintptr_t)0x2222;
  hyper_hpack_enc *enc = ENC_SENTINEL;
  hyper_hpack_dec *dec = DEC_SENTINEL;

  int rv = hyper_hpack_enc_new(&enc, &ecfg, &fm->mem);
  if (rv) {
    assert_ptr_equal(enc, ENC_SENTINEL); /* untouched on failure */
    r.err = rv;
    r.where = -2;
    enc = NULL;
    dec = NULL;
    goto done;
  }
  hyper_hpack_dec_config dcfg;
  hyper_hpack_dec_config_init(&dcfg);
  dcfg.max_table_size = scenario_dec_table();
  rv = hyper_hpack_dec_new(&dec, &dcfg, &fm->mem);
  if (rv) {
    assert_ptr_equal(dec, DEC_SENTINEL);
    r.err = rv;
    r.where = -1;
    dec = NULL;
    goto done;
  }

  for (int i = -1; i < NBLOCKS; i++) {
    uint32_t sizes[4];
    size_t ns;
    size_events(i, sizes, &ns);
    for (size_t k = 0; k < ns; k++) {
      hyper_hpack_enc_set_peer_table_size(enc, sizes[k]);
      rv = hyper_hpack_dec_set_max_table_size(dec, sizes[k]);
      if (rv) {
        r.err = rv;
        r.where = i;
        goto done;
      }
    }
    if (i < 0)
      continue;
    size_t len = 0;
    rv = hyper_hpack_enc_encode(enc, story[i].f, story[i].n, wire, sizeof wire,
                                &len);
    if (rv)
      fail_msg("block %d: encode returned %s (encode never allocates)", i,
               hyper_err_name(rv));
    const hyper_field *out = NULL;
    size_t nout = 0;
    rv = hyper_hpack_dec_decode(dec, wire, len, &out, &nout);
    if (rv) {
      r.err = rv;
      r.where = i;
      assert_int_equal(nout, 0);
      /* The decoder is failed now. */
      if (rv == HYPER_ERR_NOMEM) {
        int again = hyper_hpack_dec_decode(dec, wire, len, &out, &nout);
        if (again != HYPER_ERR_HPACK_FAILED)
          fail_msg("block %d: decode after NOMEM returned %s, want "
                   "HPACK_FAILED",
                   i, hyper_err_name(again));
      }
      goto done;
    }
    assert_same_list(i, story[i].f, story[i].n, out, nout);
    assert_int_equal(hyper_hpack_enc_table_size(enc),
                     hyper_hpack_dec_table_size(dec));
    assert_int_equal(hyper_hpack_enc_table_len(enc),
                     hyper_hpack_dec_table_len(dec));
  }

done:
  hyper_hpack_dec_free(dec);
  hyper_hpack_enc_free(enc);
  r.nalloc = fm->nalloc;
  r.nfailed = fm->nfailed;
  return r;
}

static void check_failed_run(long k, const run_result *r, const failmem *fm) {
  /* Nothing leaked, whatever happened. */
  if (fm->live_blocks != 0 || fm->live_bytes != 0)
    fail_msg("k=%ld: leak after error %s at %d: %ld blocks, %zu bytes", k,
             hyper_err_name(r->err), r->where, fm->live_blocks, fm->live_bytes);
  if (r->err == 0) {
    /* Completed: only acceptable if no allocation was refused. */
    if (r->nfailed != 0)
      fail_msg("k=%ld: %ld allocation(s) failed but the story completed: "
               "a NULL from the allocator was swallowed",
               k, r->nfailed);
    return;
  }
  if (r->err != HYPER_ERR_NOMEM)
    fail_msg("k=%ld: error %s at %d, want NOMEM", k, hyper_err_name(r->err),
             r->where);
  if (r->nfailed == 0)
    fail_msg("k=%ld: NOMEM at %d without a failed allocation", k, r->where);
}

/* The reference run: no failures; returns the number of allocations. */
static long count_allocations(void) {
  failmem fm;
  failmem_init(&fm);
  run_result r = run_story(&fm);
  assert_int_equal(r.err, 0);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  return r.nalloc;
}

static void test_hpack_failmalloc_story_completes(void **state) {
  (void)state;
  build_story();
  for (scenario = 0; scenario < 2; scenario++) {
    long n = count_allocations();
    print_message("scenario %d: %ld allocations\n", scenario, n);
    /* encoder + decoder + growth while decoding: a handful at least */
    assert_true(n >= 8);
    /* The same again: deterministic. */
    assert_int_equal(count_allocations(), n);
  }
}

/* Runs the sweep for the current scenario: fail_at = k (exactly one
 * allocation fails) or, with |from|, fail_after = k (every allocation from
 * the k-th on fails, so error paths that allocate again fail too). */
static void sweep(int from) {
  long total = count_allocations();
  long k, in_enc_new = 0, in_dec_new = 0, in_story = 0;
  int completed = 0;
  for (k = 1; k <= SWEEP_LIMIT; k++) {
    failmem fm;
    failmem_init(&fm);
    if (from)
      fm.fail_after = k;
    else
      fm.fail_at = k;
    run_result r = run_story(&fm);
    check_failed_run(k, &r, &fm);
    if (r.err == 0) {
      completed = 1;
      break;
    }
    if (r.where == -2)
      in_enc_new++;
    else if (r.where == -1)
      in_dec_new++;
    else
      in_story++;
  }
  if (!completed)
    fail_msg("sweep did not complete within %d runs", SWEEP_LIMIT);
  /* It completes exactly when k passes the allocation count. */
  assert_int_equal(k, total + 1);
  print_message("scenario %d, %s sweep: %ld runs (NOMEM in enc_new %ld, "
                "dec_new %ld, during the story %ld)\n",
                scenario, from ? "fail_after" : "fail_at", k, in_enc_new,
                in_dec_new, in_story);
  /* Every stage was hit at least once. */
  assert_true(in_enc_new > 0 && in_dec_new > 0 && in_story > 0);
}

static void test_hpack_failmalloc_fail_kth(void **state) {
  (void)state;
  build_story();
  for (scenario = 0; scenario < 2; scenario++)
    sweep(0);
}

static void test_hpack_failmalloc_fail_from_kth(void **state) {
  (void)state;
  build_story();
  for (scenario = 0; scenario < 2; scenario++)
    sweep(1);
}

/* ------------------------------------------------------------------------ */
/* Encoding never allocates                                                 */
/* ------------------------------------------------------------------------ */

static void test_hpack_failmalloc_encode_never_allocates(void **state) {
  (void)state;
  build_story();
  for (scenario = 0; scenario < 2; scenario++) {
    failmem fm;
    failmem_init(&fm);
    hyper_hpack_enc_config ecfg;
    enc_config(&ecfg);
    hyper_hpack_enc *enc = NULL;
    assert_int_equal(hyper_hpack_enc_new(&enc, &ecfg, &fm.mem), 0);
    long before = fm.nalloc;
    fm.fail_after = fm.nalloc + 1;
    for (int round = 0; round < 5; round++) {
      for (int i = -1; i < NBLOCKS; i++) {
        uint32_t sizes[4];
        size_t ns;
        size_events(i, sizes, &ns);
        for (size_t k = 0; k < ns; k++)
          hyper_hpack_enc_set_peer_table_size(enc, sizes[k]);
        if (i < 0)
          continue;
        if (round == 3)
          hyper_hpack_enc_set_peer_table_size(enc, UINT32_MAX);
        size_t bound = hyper_hpack_enc_bound(enc, story[i].f, story[i].n);
        size_t len;
        int rv = hyper_hpack_enc_encode(enc, story[i].f, story[i].n, wire,
                                        sizeof wire, &len);
        if (rv)
          fail_msg("round %d block %d: %s", round, i, hyper_err_name(rv));
        assert_true(len <= bound);
      }
    }
    /* Not one allocation was even attempted. */
    assert_int_equal(fm.nalloc, before);
    assert_int_equal(fm.nfailed, 0);
    hyper_hpack_enc_free(enc);
    assert_int_equal(fm.live_blocks, 0);
    assert_int_equal(fm.live_bytes, 0);
  }
}

/* hpack.h: set_max_table_size "allocates nothing". */
static void
test_hpack_failmalloc_dec_set_max_table_size_no_alloc(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hpack_dec *dec = NULL;
  assert_int_equal(hyper_hpack_dec_new(&dec, NULL, &fm.mem), 0);
  long before = fm.nalloc;
  fm.fail_after = fm.nalloc + 1;
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 8192), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1u << 20), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 1u << 30), 0);
  assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, 100), 0);
  assert_int_equal(fm.nalloc, before);
  /* The last call lowered the maximum: the peer shrinks as required and
   * the block decodes (allocating again is allowed from here on). */
  fm.fail_after = 0;
  static const uint8_t blk[] = {0x3f, 0x45, 0x82};
  const hyper_field *f;
  size_t nf;
  assert_int_equal(hyper_hpack_dec_decode(dec, blk, sizeof blk, &f, &nf), 0);
  assert_int_equal(nf, 1);
  hyper_hpack_dec_free(dec);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Atomic on BUFFER_TOO_SMALL                                               */
/* ------------------------------------------------------------------------ */

static uint8_t out_a[64 * 1024], out_b[64 * 1024];

static void test_hpack_failmalloc_encode_atomic_on_small_buffer(void **state) {
  (void)state;
  build_story();
  for (int run = 0; run < 6; run++) {
    scenario = run / 3;
    int huff = run % 3;
    hyper_hpack_enc_config ecfg;
    enc_config(&ecfg);
    ecfg.huffman = (hyper_hpack_huffman)huff;
    hyper_hpack_enc *a = NULL, *b = NULL;
    assert_int_equal(hyper_hpack_enc_new(&a, &ecfg, NULL), 0);
    assert_int_equal(hyper_hpack_enc_new(&b, &ecfg, NULL), 0);
    hyper_hpack_dec_config dcfg;
    hyper_hpack_dec_config_init(&dcfg);
    dcfg.max_table_size = scenario_dec_table();
    hyper_hpack_dec *dec = NULL;
    assert_int_equal(hyper_hpack_dec_new(&dec, &dcfg, NULL), 0);

    for (int i = -1; i < NBLOCKS; i++) {
      uint32_t sizes[4];
      size_t ns;
      size_events(i, sizes, &ns);
      for (size_t k = 0; k < ns; k++) {
        hyper_hpack_enc_set_peer_table_size(a, sizes[k]);
        hyper_hpack_enc_set_peer_table_size(b, sizes[k]);
        assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, sizes[k]), 0);
      }
      if (i < 0)
        continue;
      const hyper_field *fl = story[i].f;
      size_t n = story[i].n;
      size_t bound = hyper_hpack_enc_bound(a, fl, n);
      assert_int_equal(bound, hyper_hpack_enc_bound(b, fl, n));
      assert_true(bound <= sizeof out_a);
      size_t tsize = hyper_hpack_enc_table_size(a);
      size_t tlen = hyper_hpack_enc_table_len(a);

      const size_t caps[] = {0, 1, 2, bound / 2, bound - 1};
      for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        memset(out_a, 0xa5, sizeof out_a);
        size_t len = 12345;
        int rv = hyper_hpack_enc_encode(a, fl, n, out_a, caps[c], &len);
        if (rv != HYPER_ERR_BUFFER_TOO_SMALL)
          fail_msg("block %d cap %zu (bound %zu): %s, want BUFFER_TOO_SMALL", i,
                   caps[c], bound, hyper_err_name(rv));
        /* Nothing written, nothing changed. */
        for (size_t k = 0; k < sizeof out_a; k++)
          if (out_a[k] != 0xa5)
            fail_msg("block %d cap %zu: byte %zu written", i, caps[c], k);
        assert_int_equal(hyper_hpack_enc_table_size(a), tsize);
        assert_int_equal(hyper_hpack_enc_table_len(a), tlen);
      }
      size_t len = 0;
      assert_int_equal(hyper_hpack_enc_encode(a, fl, n, NULL, 0, &len),
                       HYPER_ERR_BUFFER_TOO_SMALL);

      /* Now with exactly the bound, and the twin with a big buffer. */
      size_t la = 0, lb = 0;
      assert_int_equal(hyper_hpack_enc_encode(a, fl, n, out_a, bound, &la), 0);
      assert_int_equal(
          hyper_hpack_enc_encode(b, fl, n, out_b, sizeof out_b, &lb), 0);
      assert_true(la <= bound);
      if (la != lb || memcmp(out_a, out_b, la) != 0)
        fail_msg("block %d (huffman %d): %zu bytes after BUFFER_TOO_SMALL "
                 "retries, twin wrote %zu or different bytes",
                 i, huff, la, lb);
      assert_int_equal(hyper_hpack_enc_table_size(a),
                       hyper_hpack_enc_table_size(b));
      /* The bytes are right, too. */
      const hyper_field *out;
      size_t nout;
      int rv = hyper_hpack_dec_decode(dec, out_a, la, &out, &nout);
      if (rv)
        fail_msg("block %d: decode %s", i, hyper_err_name(rv));
      assert_same_list(i, fl, n, out, nout);
    }
    hyper_hpack_dec_free(dec);
    hyper_hpack_enc_free(a);
    hyper_hpack_enc_free(b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hpack_failmalloc_story_completes),
      cmocka_unit_test(test_hpack_failmalloc_fail_kth),
      cmocka_unit_test(test_hpack_failmalloc_fail_from_kth),
      cmocka_unit_test(test_hpack_failmalloc_encode_never_allocates),
      cmocka_unit_test(test_hpack_failmalloc_dec_set_max_table_size_no_alloc),
      cmocka_unit_test(test_hpack_failmalloc_encode_atomic_on_small_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
