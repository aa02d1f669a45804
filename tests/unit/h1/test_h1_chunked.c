/* The chunked transfer coding decoder on its own (RFC 9112 §7.1,
 * HOSTILE-PEERS I.2). A driver plays a careful caller (fresh storage for
 * every read, unconsumed bytes kept) and summarises the result as
 * "data | trailers | outcome", which must not depend on how the input was
 * split. */
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

typedef struct result {
  char data[4096];
  size_t dlen;
  char trailers[1024];
  size_t tlen;
  int done;
  int err;         /* 0, or the error code */
  size_t consumed; /* octets consumed (meaningless after an error: how much
                      was consumed before it depends on the split) */
} result;

/* Feeds |in| split at |cuts|; stops at done, an error or the end. */
static void decode_split(const uint8_t *in, size_t n, const size_t *cuts,
                         size_t ncuts, const hyper_h1_config *cfg,
                         result *r) {
  hyper_h1_chunked c;
  hyper_h1_chunked_init(&c, cfg);
  memset(r, 0, sizeof *r);
  uint8_t *pend = NULL;
  size_t plen = 0, pos = 0;
  for (size_t piece = 0; piece <= ncuts; piece++) {
    size_t end = piece < ncuts ? cuts[piece] : n;
    uint8_t *nb = malloc(plen + (end - pos) + 1);
    assert_non_null(nb);
    if (plen)
      memcpy(nb, pend, plen);
    memcpy(nb + plen, in + pos, end - pos);
    free(pend);
    pend = nb;
    plen += end - pos;
    pos = end;
    size_t off = 0;
    while (off < plen && !r->done && !r->err) {
      hyper_h1_chunked_out o;
      int rv = hyper_h1_chunked_decode(&c, pend + off, plen - off, &o);
      if (rv == HYPER_ERR_INCOMPLETE) {
        assert_int_equal(o.len, 0);
        break;
      }
      if (rv < 0) {
        r->err = rv;
        /* sticky */
        assert_int_equal(hyper_h1_chunked_decode(&c, pend, plen, &o), rv);
        break;
      }
      assert_true((size_t)rv <= plen - off);
      if (o.len) {
        assert_true(o.data >= pend + off &&
                    o.data + o.len <= pend + off + (size_t)rv);
        assert_true(r->dlen + o.len <= sizeof r->data);
        memcpy(r->data + r->dlen, o.data, o.len);
        r->dlen += o.len;
      } else {
        assert_null(o.data);
      }
      if (o.done) {
        r->done = 1;
        if (o.trailers.len) {
          assert_true(o.trailers.ptr >= pend + off &&
                      o.trailers.ptr + o.trailers.len <=
                          pend + off + (size_t)rv);
          assert_true(o.trailers.len <= sizeof r->trailers);
          memcpy(r->trailers, o.trailers.ptr, o.trailers.len);
          r->tlen = o.trailers.len;
        }
      }
      assert_true(rv > 0 || o.done);
      off += (size_t)rv;
      r->consumed += (size_t)rv;
      if (rv == 0)
        break;
    }
    nb = malloc(plen - off + 1);
    assert_non_null(nb);
    memcpy(nb, pend + off, plen - off);
    free(pend);
    pend = nb;
    plen -= off;
    if (r->done || r->err)
      break;
  }
  if (r->done) {
    /* after the end nothing more is consumed */
    hyper_h1_chunked_out o;
    assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)"5\r\n", 3,
                                             &o),
                     0);
    assert_int_equal(o.done, 0);
  }
  free(pend);
}

static void assert_same(const result *a, const result *b, const char *what) {
  if (a->dlen != b->dlen || memcmp(a->data, b->data, a->dlen) != 0 ||
      a->tlen != b->tlen || memcmp(a->trailers, b->trailers, a->tlen) != 0 ||
      a->done != b->done || a->err != b->err ||
      (!a->err && a->consumed != b->consumed))
    fail_msg("%s: results differ (data %zu/%zu, trailers %zu/%zu, done %d/%d, "
             "err %s/%s, consumed %zu/%zu)",
             what, a->dlen, b->dlen, a->tlen, b->tlen, a->done, b->done,
             hyper_err_name(a->err), hyper_err_name(b->err), a->consumed,
             b->consumed);
}

static uint32_t rng_state = 7;
static uint32_t rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Decodes whole, byte-at-a-time and at every 2-way split; all must agree.
 * Returns the whole-input result in |r|. */
static void decode_all(const uint8_t *in, size_t n, const hyper_h1_config *cfg,
                       result *r) {
  static result other;
  decode_split(in, n, NULL, 0, cfg, r);
  size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
  assert_non_null(cuts);
  for (size_t i = 0; i + 1 < n; i++)
    cuts[i] = i + 1;
  decode_split(in, n, cuts, n ? n - 1 : 0, cfg, &other);
  assert_same(r, &other, "byte at a time");
  free(cuts);
  for (size_t k = 1; k < n; k++) {
    decode_split(in, n, &k, 1, cfg, &other);
    char what[64];
    snprintf(what, sizeof what, "split at %zu", k);
    assert_same(r, &other, what);
  }
}

static result R;

static void decode_str(const char *s, const hyper_h1_config *cfg) {
  decode_all((const uint8_t *)s, strlen(s), cfg, &R);
}

static void ok(const char *body, const char *data, const char *trailers) {
  decode_all((const uint8_t *)body, strlen(body), NULL, &R);
  if (R.err)
    fail_msg("%s: %s", body, hyper_err_name(R.err));
  assert_int_equal(R.done, 1);
  assert_int_equal(R.consumed, strlen(body));
  assert_int_equal(R.dlen, strlen(data));
  assert_memory_equal(R.data, data, R.dlen);
  assert_int_equal(R.tlen, strlen(trailers));
  assert_memory_equal(R.trailers, trailers, R.tlen);
}

static void bad_cfg(const char *body, int err, const hyper_h1_config *cfg) {
  decode_all((const uint8_t *)body, strlen(body), cfg, &R);
  if (R.err != err)
    fail_msg("%s: got %s, want %s", body, hyper_err_name(R.err),
             hyper_err_name(err));
}

static void bad(const char *body, int err) { bad_cfg(body, err, NULL); }

/* ------------------------------------------------------------------------ */

static void test_h1_chunked_basic(void **state) {
  (void)state;
  ok("5\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", "");
  ok("0\r\n\r\n", "", "");
  ok("000\r\n\r\n", "", ""); /* last-chunk = 1*("0") */
  ok("a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n",
     "01234567890123456789", "");
  ok("0005\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("000000000000000f\r\n0123456789abcde\r\n0\r\n\r\n", "0123456789abcde",
     "");
  ok("1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n", ""); /* CR/LF are data */
  /* whitespace before the CRLF of a chunk-size line is tolerated */
  ok("5 \r\nhello\r\n0\t\r\n\r\n", "hello", "");
}

static void test_h1_chunked_one_call(void **state) {
  (void)state;
  /* one call: the data span and the end, the framing after it consumed */
  const char *b = "5\r\nhello\r\n0\r\nA: b\r\n\r\nNEXT";
  hyper_h1_chunked c;
  hyper_h1_chunked_init(&c, NULL);
  hyper_h1_chunked_out o;
  int rv = hyper_h1_chunked_decode(&c, (const uint8_t *)b, strlen(b), &o);
  assert_int_equal(rv, (int)strlen(b) - 4);
  assert_int_equal(o.len, 5);
  assert_ptr_equal(o.data, b + 3);
  assert_int_equal(o.done, 1);
  assert_int_equal(o.trailers.len, 6);
  assert_ptr_equal(o.trailers.ptr, b + 13);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)b + rv, 4, &o),
                   0);
  /* two chunks: two calls, one span each */
  b = "1\r\na\r\n1\r\nb\r\n0\r\n\r\n";
  hyper_h1_chunked_init(&c, NULL);
  rv = hyper_h1_chunked_decode(&c, (const uint8_t *)b, strlen(b), &o);
  assert_int_equal(rv, 9); /* "1\r\na\r\n1\r\n" */
  assert_int_equal(o.len, 1);
  assert_int_equal(o.data[0], 'a');
  assert_int_equal(o.done, 0);
  rv = hyper_h1_chunked_decode(&c, (const uint8_t *)b + 9, strlen(b) - 9, &o);
  assert_int_equal(rv, (int)strlen(b) - 9);
  assert_int_equal(o.data[0], 'b');
  assert_int_equal(o.done, 1);
  /* empty input, NULL arguments */
  hyper_h1_chunked_init(&c, NULL);
  assert_int_equal(hyper_h1_chunked_decode(&c, NULL, 0, &o), 0);
  assert_int_equal(hyper_h1_chunked_decode(&c, NULL, 1, &o),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_chunked_decode(NULL, (const uint8_t *)b, 1, &o),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)b, 1, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  /* not sticky: the decoder still works */
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)"0\r\n\r\n", 5,
                                           &o),
                   5);
  assert_int_equal(o.done, 1);
  hyper_h1_chunked_init(NULL, NULL);
}

static void test_h1_chunked_size_rules(void **state) {
  (void)state;
  bad("\r\n", HYPER_ERR_H1_CHUNKED);          /* no size */
  bad("x\r\n", HYPER_ERR_H1_CHUNKED);         /* not hex */
  bad("-5\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("+5\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("0x5\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad(" 5\r\nhello\r\n", HYPER_ERR_H1_CHUNKED); /* leading whitespace */
  bad("5x\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  /* overflow: > 16 digits, or a value of 2^63 or more */
  bad("00000000000000005\r\n", HYPER_ERR_H1_CHUNKED);
  bad("10000000000000000\r\n", HYPER_ERR_H1_CHUNKED);
  bad("8000000000000000\r\n", HYPER_ERR_H1_CHUNKED);
  bad("ffffffffffffffff\r\n", HYPER_ERR_H1_CHUNKED);
  /* 2^63-1 is a legal size: the decoder waits for the data */
  decode_str("7fffffffffffffff\r\nabc", NULL);
  assert_int_equal(R.err, 0);
  assert_int_equal(R.done, 0);
  assert_int_equal(R.dlen, 3);
  /* line terminators: CRLF only */
  bad("5\nhello\r\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5\rhello\r\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5\r\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("0\n\r\n", HYPER_ERR_H1_CHUNKED);
  /* the CRLF after the data */
  bad("5\r\nhelloX\r\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5\r\nhello\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5\r\nhello\rX0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5\r\nhello0\r\n\r\n", HYPER_ERR_H1_CHUNKED);
  bad("3\r\nhello\r\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED); /* too long */
  /* the data before a framing error is still handed out */
  assert_int_equal(R.dlen, 3);
  assert_memory_equal(R.data, "hel", 3);
  /* sticky, also for a different input */
  hyper_h1_chunked c;
  hyper_h1_chunked_out o;
  hyper_h1_chunked_init(&c, NULL);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)"z", 1, &o),
                   HYPER_ERR_H1_CHUNKED);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)"0\r\n\r\n", 5,
                                           &o),
                   HYPER_ERR_H1_CHUNKED);
  /* init resets */
  hyper_h1_chunked_init(&c, NULL);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)"0\r\n\r\n", 5,
                                           &o),
                   5);
}

static void test_h1_chunked_extensions(void **state) {
  (void)state;
  ok("5;name\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=b\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=b;c;d=e\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5 ; a = b ; c \r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5\t;\ta\t=\tb\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=\"quoted; = value\"\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=\"esc \\\" \\\\ \\\t x\"\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=\"\"\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;a=\"caf\xc3\xa9\"\r\nhello\r\n0\r\n\r\n", "hello", "");
  ok("5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~\r\nhello\r\n0\r\n\r\n", "hello",
     "");
  ok("0;last=1\r\n\r\n", "", "");
  ok("0;last=\"a b\"\r\nX: y\r\n\r\n", "", "X: y\r\n");
  bad("5;\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);        /* no name */
  bad("5;=b\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);      /* no value */
  bad("5;a b\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);     /* two names */
  bad("5;a=b c\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\"open\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\"x\"y\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=b\"\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a@b\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\"\x01\"\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\"\\\x01\"\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\x7f\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  /* bare LF and bare CR inside extensions ("funky chunks" smuggling) */
  bad("5;a\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=b\n\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a=\"\n\"\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  bad("5;a\rb\r\nhello\r\n", HYPER_ERR_H1_CHUNKED);
  /* NUL */
  static const uint8_t nul[] = "5;a\0b\r\nhello\r\n0\r\n\r\n";
  decode_all(nul, sizeof nul - 1, NULL, &R);
  assert_int_equal(R.err, HYPER_ERR_H1_CHUNKED);

  /* bounded length: everything between the size and the CRLF */
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  cfg.max_chunk_ext = 8;
  decode_str("5;abc=efg\r\nhello\r\n0\r\n\r\n", &cfg);
  assert_int_equal(R.err, 0); /* ";abc=efg" is 8 */
  bad_cfg("5;abc=efgh\r\nhello\r\n0\r\n\r\n", HYPER_ERR_H1_CHUNKED, &cfg);
  bad_cfg("5;a;b;c;d;\r\n", HYPER_ERR_H1_CHUNKED, &cfg);
  /* the count restarts for every chunk */
  decode_str("1;abc=efg\r\na\r\n1;abc=efg\r\nb\r\n0;abc=efg\r\n\r\n", &cfg);
  assert_int_equal(R.err, 0);
  assert_int_equal(R.done, 1);
  cfg.max_chunk_ext = 0;
  bad_cfg("5;a\r\nhello\r\n", HYPER_ERR_H1_CHUNKED, &cfg);
  decode_str("5\r\nhello\r\n0\r\n\r\n", &cfg);
  assert_int_equal(R.done, 1);
  /* the default bound holds against an endless extension */
  size_t n = HYPER_H1_DEFAULT_MAX_CHUNK_EXT + 10;
  char *big = malloc(n);
  assert_non_null(big);
  memset(big, 'a', n);
  big[0] = '5';
  big[1] = ';';
  hyper_h1_chunked c;
  hyper_h1_chunked_out o;
  hyper_h1_chunked_init(&c, NULL);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)big, n, &o),
                   HYPER_ERR_H1_CHUNKED);
  free(big);
}

static void test_h1_chunked_trailers(void **state) {
  (void)state;
  ok("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nExpires: never\r\n\r\n", "hello",
     "X-Checksum: abc\r\nExpires: never\r\n");
  /* the trailer block splits with hyper_h1_parse_fields() */
  hyper_field f[4];
  size_t nf;
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)R.trailers, R.tlen,
                                         NULL, f, 4, &nf),
                   0);
  assert_int_equal(nf, 2);
  assert_int_equal(f[1].value_len, 5);
  assert_memory_equal(f[1].value, "never", 5);
  /* bare LF trailer lines follow allow_bare_lf */
  ok("0\r\nA: b\n\n", "", "A: b\n");
  ok("0\r\n\n", "", "");
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  cfg.allow_bare_lf = 0;
  bad_cfg("0\r\nA: b\n\r\n", HYPER_ERR_H1_PARSE, &cfg);
  bad_cfg("0\r\nA: b\r\n\n", HYPER_ERR_H1_PARSE, &cfg);
  bad_cfg("0\r\n\n", HYPER_ERR_H1_PARSE, &cfg);
  /* field-line rules */
  bad("0\r\nA : b\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\nA: b\r\n c\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\n A: b\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\nA: b\rc\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\nA\x01: b\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\nA: \x01\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\nNoColon\r\n\r\n", HYPER_ERR_H1_PARSE);
  bad("0\r\n\rX\r\n\r\n", HYPER_ERR_H1_PARSE);
  /* limits: count, line, total */
  hyper_h1_config_init(&cfg);
  cfg.max_headers = 2;
  bad_cfg("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", HYPER_ERR_H1_TOO_LARGE, &cfg);
  decode_str("0\r\nA: 1\r\nB: 2\r\n\r\n", &cfg);
  assert_int_equal(R.done, 1);
  hyper_h1_config_init(&cfg);
  cfg.max_line = 16;
  /* "A: 0123456789a" CRLF is 16 octets */
  bad_cfg("0\r\nA: 0123456789ab\r\n\r\n", HYPER_ERR_H1_TOO_LARGE, &cfg);
  decode_str("0\r\nA: 0123456789a\r\n\r\n", &cfg);
  assert_int_equal(R.done, 1);
  hyper_h1_config_init(&cfg);
  cfg.max_header_bytes = 20; /* "A: 1\r\nB: 2\r\nCC: 3\r\n\r\n" is 21 */
  bad_cfg("0\r\nA: 1\r\nB: 2\r\nCC: 3\r\n\r\n", HYPER_ERR_H1_TOO_LARGE, &cfg);
  decode_str("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &cfg);
  assert_int_equal(R.done, 1);
  /* an endless trailer section stops at the cap */
  char *big = malloc(70000);
  assert_non_null(big);
  memcpy(big, "0\r\nX: ", 6);
  memset(big + 6, 'v', 70000 - 6);
  hyper_h1_chunked c;
  hyper_h1_chunked_out o;
  hyper_h1_chunked_init(&c, NULL);
  int rv = hyper_h1_chunked_decode(&c, (const uint8_t *)big, 3, &o);
  assert_int_equal(rv, 3);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)big + 3,
                                           65535, &o),
                   HYPER_ERR_INCOMPLETE);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)big + 3,
                                           70000 - 3, &o),
                   HYPER_ERR_H1_TOO_LARGE);
  free(big);
  /* incomplete trailers: nothing consumed, and the resume offset works
   * with moved storage */
  const char *b = "0\r\nA: b\r\nC: d\r\n\r\n";
  hyper_h1_chunked_init(&c, NULL);
  assert_int_equal(hyper_h1_chunked_decode(&c, (const uint8_t *)b, 3, &o), 3);
  uint8_t *buf = NULL;
  for (size_t k = 1; k <= strlen(b) - 3; k++) {
    uint8_t *nb = malloc(k);
    assert_non_null(nb);
    memcpy(nb, b + 3, k);
    free(buf);
    buf = nb;
    rv = hyper_h1_chunked_decode(&c, buf, k, &o);
    if (k < strlen(b) - 3) {
      assert_int_equal(rv, HYPER_ERR_INCOMPLETE);
    } else {
      assert_int_equal(rv, (int)k);
      assert_int_equal(o.done, 1);
      assert_ptr_equal(o.trailers.ptr, buf);
      assert_int_equal(o.trailers.len, 12);
    }
  }
  free(buf);
}

/* A body made of many small chunks, split at every point. */
static void test_h1_chunked_split_invariance(void **state) {
  (void)state;
  static const char *const bodies[] = {
      "1\r\na\r\n2\r\nbc\r\n3;x=y\r\ndef\r\n0\r\nT: 1\r\nU: 2\r\n\r\n",
      "5;a=\"q;\\\"\"\r\nhello\r\n0;z\r\n\r\n",
      "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n1\r\nd\r\n0\r\n\r\n",
      "3\r\nabcd\r\n",
      "3\r\nabc\r\n1;\r\nd\r\n",
      "3\r\nabc\r\n0\r\nX : y\r\n\r\n",
      "3\r\nabc\r\n0\r\nX: y\r\n",
      "ffffffffffffffff0\r\n",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    size_t n = strlen(bodies[i]);
    decode_all((const uint8_t *)bodies[i], n, NULL, &R);
    /* and every 3-way split */
    for (size_t a = 1; a < n; a++)
      for (size_t b = a; b < n; b++) {
        static result other;
        size_t cuts[2] = {a, b};
        decode_split((const uint8_t *)bodies[i], n, cuts, 2, NULL, &other);
        assert_same(&R, &other, "3-way split");
      }
  }
}

/* Fixed-seed random input: garbage over the chunked alphabet and mutated
 * valid bodies; no crash, and split invariance. */
static void test_h1_chunked_random_garbage(void **state) {
  (void)state;
  static const char alphabet[] = "0123456789abcdefABCDEF;=\" \t\r\n\\xX:";
  static const char *const seeds[] = {
      "5\r\nhello\r\n0\r\n\r\n",
      "1;a=b\r\nx\r\n2;c=\"d\"\r\nyz\r\n0\r\nT: v\r\n\r\n",
      "a\r\n0123456789\r\n0;e\r\n\r\n",
  };
  uint8_t buf[256];
  rng_state = 12345;
  int done = 0, errs = 0;
  for (int iter = 0; iter < 3000; iter++) {
    size_t n;
    if (iter % 2) {
      n = rnd() % 80;
      for (size_t i = 0; i < n; i++)
        buf[i] = (rnd() % 8) ? (uint8_t)alphabet[rnd() % (sizeof alphabet - 1)]
                             : (uint8_t)rnd();
    } else {
      const char *s = seeds[rnd() % 3];
      n = strlen(s);
      memcpy(buf, s, n);
      for (int m = 0; m < 1 + (int)(rnd() % 3); m++) {
        size_t at = rnd() % n;
        buf[at] = (uint8_t)alphabet[rnd() % (sizeof alphabet - 1)];
      }
    }
    decode_all(buf, n, NULL, &R);
    done += R.done;
    errs += R.err != 0;
  }
  /* the generator reaches both outcomes */
  assert_true(done > 50);
  assert_true(errs > 500);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_h1_chunked_basic),
      cmocka_unit_test(test_h1_chunked_one_call),
      cmocka_unit_test(test_h1_chunked_size_rules),
      cmocka_unit_test(test_h1_chunked_extensions),
      cmocka_unit_test(test_h1_chunked_trailers),
      cmocka_unit_test(test_h1_chunked_split_invariance),
      cmocka_unit_test(test_h1_chunked_random_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
