/* Tests for the HPACK Huffman codec (src/hpack/huffman.c): the RFC 7541
 * Appendix B table, every symbol, the Appendix C strings, strict padding and
 * EOS handling, output capacity, and random round trips and garbage checked
 * against a bit-by-bit reference decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack/huffman.h"

/* ---- helpers ---------------------------------------------------------- */

/* xorshift64*, fixed seeds: reproducible. */
static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s ? s : 1; }
static uint32_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* MSB-first bit writer. */
typedef struct {
  uint8_t buf[8192];
  size_t nbits;
} bitw;

static void bitw_init(bitw *w) {
  memset(w->buf, 0, sizeof(w->buf));
  w->nbits = 0;
}

static void bitw_put(bitw *w, uint32_t code, unsigned len) {
  for (unsigned i = len; i-- > 0;) {
    assert_true(w->nbits / 8 < sizeof(w->buf));
    if ((code >> i) & 1)
      w->buf[w->nbits / 8] |= (uint8_t)(0x80 >> (w->nbits % 8));
    w->nbits++;
  }
}

static void bitw_sym(bitw *w, unsigned sym) {
  bitw_put(w, hyper__huff_code[sym], hyper__huff_len[sym]);
}

/* Pads with ones to a whole octet; returns the byte length. */
static size_t bitw_finish(bitw *w) {
  while (w->nbits % 8)
    bitw_put(w, 1, 1);
  return w->nbits / 8;
}

/* Reference decoder: a binary tree walked one bit at a time, built from the
 * code table; same result contract as hyper__huff_decode (the whole input
 * is validated even once the output is full: HPACK_HUFFMAN takes precedence
 * over BUFFER_TOO_SMALL). */
static int16_t tree[512][2]; /* >= 0: node index; < 0: -(sym + 1) */
static int tree_nodes;

static void tree_build(void) {
  memset(tree, 0, sizeof(tree));
  tree_nodes = 1;
  for (unsigned s = 0; s < 257; s++) {
    int node = 0;
    unsigned len = hyper__huff_len[s];
    for (unsigned i = len; i-- > 0;) {
      int b = (hyper__huff_code[s] >> i) & 1;
      if (i == 0) {
        assert_int_equal(tree[node][b], 0);
        tree[node][b] = (int16_t)-(int)(s + 1);
      } else {
        if (tree[node][b] == 0) {
          assert_true(tree_nodes < 512);
          tree[node][b] = (int16_t)tree_nodes++;
        }
        assert_true(tree[node][b] > 0);
        node = tree[node][b];
      }
    }
  }
}

static int ref_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                      size_t *out_len) {
  int node = 0;
  unsigned depth = 0, ones = 1;
  size_t n = 0;
  int full = 0;
  *out_len = 0;
  for (size_t i = 0; i < len * 8; i++) {
    int b = (in[i / 8] >> (7 - i % 8)) & 1;
    int next = tree[node][b];
    depth++;
    ones &= (unsigned)b;
    assert_int_not_equal(next, 0); /* the code is complete */
    if (next < 0) {
      int sym = -next - 1;
      if (sym == 256)
        return HYPER_ERR_HPACK_HUFFMAN;
      if (n == cap) {
        full = 1;
      } else {
        out[n++] = (uint8_t)sym;
        *out_len = n;
      }
      node = 0;
      depth = 0;
      ones = 1;
    } else {
      node = next;
    }
  }
  if (depth > 7 || !ones)
    return HYPER_ERR_HPACK_HUFFMAN;
  return full ? HYPER_ERR_BUFFER_TOO_SMALL : 0;
}

static int setup(void **state) {
  (void)state;
  tree_build();
  return 0;
}

static size_t from_hex(const char *hex, uint8_t *out) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v;
    if (*hex >= '0' && *hex <= '9')
      v = *hex - '0';
    else if (*hex >= 'a' && *hex <= 'f')
      v = *hex - 'a' + 10;
    else
      continue; /* spaces */
    if (hi < 0) {
      hi = v;
    } else {
      out[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  assert_int_equal(hi, -1);
  return n;
}

/* Encodes |s| and checks it against the reference bit writer; then decodes
 * it back with exact capacity, one short, and generous capacity. */
static void check_roundtrip(const uint8_t *s, size_t len) {
  static uint8_t enc[8192], dec[8192 + 16];
  bitw w;
  bitw_init(&w);
  for (size_t i = 0; i < len; i++)
    bitw_sym(&w, s[i]);
  size_t want = bitw_finish(&w);
  assert_true(want < sizeof(enc) - 8);

  assert_int_equal(hyper__huff_encoded_len(s, len), want);
  memset(enc, 0xa5, sizeof(enc));
  assert_int_equal(hyper__huff_encode(s, len, enc), want);
  assert_memory_equal(enc, w.buf, want);
  assert_int_equal(enc[want], 0xa5); /* nothing written past the end */

  size_t out = 12345;
  assert_int_equal(hyper__huff_decode(enc, want, dec, sizeof(dec), &out), 0);
  assert_int_equal(out, len);
  if (len)
    assert_memory_equal(dec, s, len);

  memset(dec, 0x5a, sizeof(dec));
  assert_int_equal(hyper__huff_decode(enc, want, dec, len, &out), 0);
  assert_int_equal(out, len);
  if (len)
    assert_memory_equal(dec, s, len);
  assert_int_equal(dec[len], 0x5a); /* capacity respected */

  if (len) {
    memset(dec, 0x5a, sizeof(dec));
    assert_int_equal(hyper__huff_decode(enc, want, dec, len - 1, &out),
                     HYPER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(out, len - 1);
    assert_int_equal(dec[len - 1], 0x5a);
    if (len > 1)
      assert_memory_equal(dec, s, out);
  }

  /* Exact-size heap buffers, so that AddressSanitizer sees any access
   * past the input or the output. */
  uint8_t *henc = malloc(want ? want : 1);
  uint8_t *hdec = malloc(len ? len : 1);
  assert_non_null(henc);
  assert_non_null(hdec);
  assert_int_equal(hyper__huff_encode(s, len, henc), want);
  assert_memory_equal(henc, w.buf, want);
  assert_int_equal(hyper__huff_decode(henc, want, hdec, len, &out), 0);
  assert_int_equal(out, len);
  if (len)
    assert_memory_equal(hdec, s, len);
  free(henc);
  free(hdec);

  /* The documented bound: at most len * 8 / 5 symbols. */
  assert_true(len <= want * 8 / 5);
}

/* ---- tests ------------------------------------------------------------ */

static void test_huffman_table_rfc_rows(void **state) {
  (void)state;
  assert_int_equal(hyper__huff_code[' '], 0x14);
  assert_int_equal(hyper__huff_len[' '], 6);
  assert_int_equal(hyper__huff_code['0'], 0x0);
  assert_int_equal(hyper__huff_len['0'], 5);
  assert_int_equal(hyper__huff_code['a'], 0x3);
  assert_int_equal(hyper__huff_len['a'], 5);
  assert_int_equal(hyper__huff_code[0], 0x1ff8);
  assert_int_equal(hyper__huff_len[0], 13);
  assert_int_equal(hyper__huff_code['\\'], 0x7fff0);
  assert_int_equal(hyper__huff_len['\\'], 19);
  assert_int_equal(hyper__huff_code[255], 0x3ffffee);
  assert_int_equal(hyper__huff_len[255], 26);
  assert_int_equal(hyper__huff_code[256], 0x3fffffff);
  assert_int_equal(hyper__huff_len[256], 30);
  /* A complete prefix code: the Kraft sum is exactly 1. */
  uint64_t kraft = 0;
  for (unsigned s = 0; s < 257; s++) {
    assert_true(hyper__huff_len[s] >= 5 && hyper__huff_len[s] <= 30);
    assert_int_equal(hyper__huff_code[s] >> hyper__huff_len[s], 0);
    kraft += (uint64_t)1 << (30 - hyper__huff_len[s]);
  }
  assert_int_equal(kraft, (uint64_t)1 << 30);
}

static void test_huffman_each_symbol(void **state) {
  (void)state;
  for (unsigned s = 0; s < 256; s++) {
    uint8_t in = (uint8_t)s, enc[8], dec[4];
    size_t out;
    unsigned len = hyper__huff_len[s];
    size_t nbytes = (len + 7) / 8;
    assert_int_equal(hyper__huff_encoded_len(&in, 1), nbytes);
    assert_int_equal(hyper__huff_encode(&in, 1, enc), nbytes);
    /* The code left-aligned, then ones. */
    uint64_t v = ((uint64_t)hyper__huff_code[s] << (nbytes * 8 - len)) |
                 (((uint64_t)1 << (nbytes * 8 - len)) - 1);
    for (size_t i = 0; i < nbytes; i++)
      assert_int_equal(enc[i], (uint8_t)(v >> (8 * (nbytes - 1 - i))));
    assert_int_equal(hyper__huff_decode(enc, nbytes, dec, 1, &out), 0);
    assert_int_equal(out, 1);
    assert_int_equal(dec[0], s);
    assert_int_equal(hyper__huff_decode(enc, nbytes, dec, 0, &out),
                     HYPER_ERR_BUFFER_TOO_SMALL);

    /* The symbol repeated, at every bit alignment and through the bulk
     * paths as well as the tail. */
    uint8_t rep[40];
    for (size_t k = 1; k <= sizeof(rep); k++) {
      memset(rep, (int)s, k);
      check_roundtrip(rep, k);
    }
    /* Embedded between other symbols, so every bit offset is seen. */
    for (unsigned pre = 0; pre < 8; pre++) {
      uint8_t buf[64];
      size_t k = 0;
      for (unsigned i = 0; i < pre; i++)
        buf[k++] = 'a';
      buf[k++] = (uint8_t)s;
      for (unsigned i = 0; i < 20; i++)
        buf[k++] = (uint8_t)("0123456789abcdefghijkl"[i]);
      buf[k++] = (uint8_t)s;
      check_roundtrip(buf, k);
    }
  }
}

/* EOS, as a full 30-bit code, is rejected wherever it appears. */
static void test_huffman_eos_rejected(void **state) {
  (void)state;
  uint8_t dec[256];
  size_t out;
  for (unsigned pre = 0; pre < 24; pre++) {
    for (unsigned post = 0; post < 24; post += 3) {
      bitw w;
      bitw_init(&w);
      for (unsigned i = 0; i < pre; i++)
        bitw_sym(&w, i % 3 ? 'a' : 200); /* 5- and 26-bit codes */
      bitw_sym(&w, 256);
      for (unsigned i = 0; i < post; i++)
        bitw_sym(&w, 'e');
      size_t n = bitw_finish(&w);
      assert_int_equal(hyper__huff_decode(w.buf, n, dec, sizeof(dec), &out),
                       HYPER_ERR_HPACK_HUFFMAN);
    }
  }
  /* EOS alone, padded. */
  static const uint8_t eos[] = {0xff, 0xff, 0xff, 0xff};
  assert_int_equal(hyper__huff_decode(eos, 4, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
}

static void test_huffman_encoded_len(void **state) {
  (void)state;
  uint8_t s[1000];
  rng_seed(7);
  for (size_t len = 0; len < sizeof(s); len += 1 + len / 8) {
    uint64_t bits = 0;
    for (size_t i = 0; i < len; i++) {
      s[i] = (uint8_t)rng();
      bits += hyper__huff_len[s[i]];
    }
    assert_int_equal(hyper__huff_encoded_len(s, len), (bits + 7) / 8);
  }
  assert_int_equal(hyper__huff_encoded_len(NULL, 0), 0);
}

static const struct {
  const char *plain, *hex;
} rfc_vectors[] = {
    /* RFC 7541 C.4.1-C.4.3 */
    {"www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"},
    {"no-cache", "a8eb 1064 9cbf"},
    {"custom-key", "25a8 49e9 5ba9 7d7f"},
    {"custom-value", "25a8 49e9 5bb8 e8b4 bf"},
    /* RFC 7541 C.6.1-C.6.3 */
    {"302", "6402"},
    {"private", "aec3 771a 4b"},
    {"Mon, 21 Oct 2013 20:13:21 GMT",
     "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"},
    {"https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"},
    {"307", "640e ff"},
    {"Mon, 21 Oct 2013 20:13:22 GMT",
     "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff"},
    {"gzip", "9bd9 ab"},
    {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
     "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 "
     "291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"},
};

static void test_huffman_rfc_strings(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(rfc_vectors) / sizeof(rfc_vectors[0]); i++) {
    const uint8_t *p = (const uint8_t *)rfc_vectors[i].plain;
    size_t plen = strlen(rfc_vectors[i].plain);
    uint8_t want[128], enc[128], dec[128];
    size_t wlen = from_hex(rfc_vectors[i].hex, want), out;
    assert_int_equal(hyper__huff_encoded_len(p, plen), wlen);
    assert_int_equal(hyper__huff_encode(p, plen, enc), wlen);
    assert_memory_equal(enc, want, wlen);
    assert_int_equal(hyper__huff_decode(want, wlen, dec, sizeof(dec), &out),
                     0);
    assert_int_equal(out, plen);
    assert_memory_equal(dec, p, plen);
    check_roundtrip(p, plen);
  }
}

static void test_huffman_padding_too_long(void **state) {
  (void)state;
  uint8_t dec[64];
  size_t out;
  /* 8 bits of padding alone. */
  static const uint8_t ff[] = {0xff};
  assert_int_equal(hyper__huff_decode(ff, 1, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
  /* 'a' (00011) + 3 ones is fine; adding a whole 0xff octet is not. */
  static const uint8_t a_ok[] = {0x1f};
  assert_int_equal(hyper__huff_decode(a_ok, 1, dec, sizeof(dec), &out), 0);
  assert_int_equal(out, 1);
  assert_int_equal(dec[0], 'a');
  static const uint8_t a_long[] = {0x1f, 0xff};
  assert_int_equal(hyper__huff_decode(a_long, 2, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
  /* Every padding length 8..29 after a whole octet-aligned string. */
  for (unsigned pad = 8; pad < 30; pad++) {
    for (unsigned pre = 0; pre < 16; pre++) {
      bitw w;
      bitw_init(&w);
      for (unsigned i = 0; i < pre; i++)
        bitw_sym(&w, "www.example.com/"[i]);
      unsigned k = pad;
      /* Reach a total padding of exactly |pad| ones up to the octet end. */
      while ((w.nbits + k) % 8)
        bitw_sym(&w, 'e'), k = pad; /* 'e' is 5 bits: shifts alignment */
      bitw_put(&w, (1u << k) - 1, k);
      assert_int_equal(w.nbits % 8, 0);
      assert_int_equal(
          hyper__huff_decode(w.buf, w.nbits / 8, dec, sizeof(dec), &out),
          HYPER_ERR_HPACK_HUFFMAN);
    }
  }
  /* Padding of 1..7 ones is accepted at every alignment. */
  for (unsigned pre = 0; pre < 16; pre++) {
    bitw w;
    bitw_init(&w);
    for (unsigned i = 0; i < pre; i++)
      bitw_sym(&w, 'e');
    size_t n = bitw_finish(&w);
    assert_int_equal(hyper__huff_decode(w.buf, n, dec, sizeof(dec), &out), 0);
    assert_int_equal(out, pre);
  }
}

static void test_huffman_padding_zero_bit(void **state) {
  (void)state;
  uint8_t dec[64];
  size_t out;
  /* 'a' then 110 / 011 / 000: not all ones. */
  static const uint8_t v1[] = {0x1e}, v2[] = {0x1b}, v3[] = {0x18};
  assert_int_equal(hyper__huff_decode(v1, 1, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
  assert_int_equal(hyper__huff_decode(v2, 1, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
  assert_int_equal(hyper__huff_decode(v3, 1, dec, sizeof(dec), &out),
                   HYPER_ERR_HPACK_HUFFMAN);
  /* Every padding length 1..7 with each one of its bits cleared, after
   * strings long enough to reach the bulk path. */
  unsigned errors = 0, flips = 0;
  for (unsigned pre = 0; pre < 40; pre++) {
    bitw w;
    bitw_init(&w);
    for (unsigned i = 0; i < pre; i++)
      bitw_sym(&w, "custom-key: custom-value; www.example.com"[i]);
    unsigned pad = (8 - w.nbits % 8) % 8;
    size_t n = bitw_finish(&w);
    assert_int_equal(hyper__huff_decode(w.buf, n, dec, sizeof(dec), &out), 0);
    assert_int_equal(out, pre);
    for (unsigned b = 0; b < pad; b++, flips++) {
      uint8_t bad[64];
      memcpy(bad, w.buf, n);
      bad[n - 1] ^= (uint8_t)(1u << b);
      /* Usually an error; but a flipped bit can complete a short code
       * (1111111 -> 1111011 is 'z', 111111 -> 011111 is '9'), which then
       * decodes as one more symbol. */
      uint8_t ref[64];
      size_t rout;
      int rv = hyper__huff_decode(bad, n, dec, sizeof(dec), &out);
      assert_int_equal(rv, ref_decode(bad, n, ref, sizeof(ref), &rout));
      if (rv == 0) {
        assert_int_equal(out, pre + 1);
        assert_memory_equal(dec, ref, out);
      } else {
        assert_int_equal(rv, HYPER_ERR_HPACK_HUFFMAN);
        errors++;
      }
    }
  }
  assert_true(flips > 100);
  assert_true(errors > flips / 2); /* 102 of 131 */
}

static void test_huffman_empty(void **state) {
  (void)state;
  size_t out = 99;
  uint8_t buf[4];
  assert_int_equal(hyper__huff_decode(NULL, 0, NULL, 0, &out), 0);
  assert_int_equal(out, 0);
  out = 99;
  assert_int_equal(hyper__huff_decode(buf, 0, buf, sizeof(buf), &out), 0);
  assert_int_equal(out, 0);
  assert_int_equal(hyper__huff_encoded_len(NULL, 0), 0);
  assert_int_equal(hyper__huff_encode(NULL, 0, buf), 0);
}

static void test_huffman_capacity(void **state) {
  (void)state;
  static const char *const strs[] = {
      "a",
      "www.example.com",
      "Mon, 21 Oct 2013 20:13:21 GMT",
      "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "\\\\\\\\<>{}^^``~~[]@@$$##",
      "\xff\xfe\x80\x01\n\r\x16\xc3\xa9t\xc3\xa9 caf\xc3\xa9",
  };
  uint8_t dec[256], enc[512];
  size_t out;
  for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
    const uint8_t *s = (const uint8_t *)strs[i];
    size_t len = strlen(strs[i]);
    check_roundtrip(s, len);
    size_t n = hyper__huff_encode(s, len, enc);
    /* Every capacity from 0 to exact: only the exact one succeeds, and the
     * partial output is a prefix of the string. */
    for (size_t cap = 0; cap <= len; cap++) {
      memset(dec, 0x5a, sizeof(dec));
      int rv = hyper__huff_decode(enc, n, dec, cap, &out);
      assert_int_equal(rv, cap == len ? 0 : HYPER_ERR_BUFFER_TOO_SMALL);
      assert_int_equal(out, cap);
      assert_int_equal(dec[cap], 0x5a);
      assert_memory_equal(dec, s, out);
    }
  }
  /* The len * 8 / 5 bound is reached by 5-bit codes only. */
  uint8_t zeros[40];
  memset(zeros, '0', sizeof(zeros)); /* '0' is 00000 */
  memset(enc, 0, 25);
  assert_int_equal(hyper__huff_encode(zeros, 40, enc), 25);
  assert_int_equal(hyper__huff_decode(enc, 25, dec, 25 * 8 / 5, &out), 0);
  assert_int_equal(out, 40);
}

/* A string whose output exceeds the capacity is still validated to its
 * end: an EOS or bad padding past the capacity is HPACK_HUFFMAN, and only a
 * valid string gives BUFFER_TOO_SMALL (with the capacity filled). */
static void test_huffman_invalid_past_capacity(void **state) {
  (void)state;
  static const size_t counts[] = {17, 40, 200, 1000};
  static uint8_t dec[2048];
  for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
    for (unsigned kind = 0; kind < 5; kind++) {
      bitw w;
      bitw_init(&w);
      for (size_t k = 0; k < counts[i]; k++)
        bitw_sym(&w, k % 7 == 3 ? 0xe9 : 'a'); /* a long code too */
      if (kind == 1)
        bitw_sym(&w, 256); /* EOS at the end */
      if (kind == 2) {
        bitw_sym(&w, 256); /* EOS, then more symbols */
        for (unsigned k = 0; k < 50; k++)
          bitw_sym(&w, 'e');
      }
      unsigned pad = (8 - w.nbits % 8) % 8;
      size_t n = bitw_finish(&w);
      if (kind == 3)
        w.buf[n++] = 0xff; /* 8+ bits of padding */
      if (kind == 4) {
        /* A zero bit in the padding (or, with none, 'a' + 110). */
        if (pad)
          w.buf[n - 1] &= 0xfe;
        else
          w.buf[n++] = 0x1e;
      }
      static const size_t caps[] = {0, 1, 8, 16}; /* all < counts[] */
      for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        size_t cap = caps[c], out = 99;
        memset(dec, 0x5a, sizeof(dec));
        int rv = hyper__huff_decode(w.buf, n, dec, cap, &out);
        assert_int_equal(rv, kind == 0 ? HYPER_ERR_BUFFER_TOO_SMALL
                                       : HYPER_ERR_HPACK_HUFFMAN);
        assert_int_equal(dec[cap], 0x5a);
        if (kind == 0) {
          assert_int_equal(out, cap);
          for (size_t k = 0; k < cap; k++)
            assert_int_equal(dec[k], k % 7 == 3 ? 0xe9 : 'a');
        }
      }
      size_t out;
      assert_int_equal(hyper__huff_decode(w.buf, n, dec, sizeof(dec), &out),
                       kind == 0 ? 0 : HYPER_ERR_HPACK_HUFFMAN);
    }
  }
}

static void test_huffman_random_roundtrip(void **state) {
  (void)state;
  static uint8_t s[5000];
  static const char hdr[] =
      "abcdefghijklmnopqrstuvwxyz0123456789-_.:/=;, "
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ%&?+*()\"'!#$@[]{}<>|~^`\\";
  rng_seed(0x5eed1234);
  for (unsigned alpha = 0; alpha < 4; alpha++) {
    for (size_t len = 0; len < 300; len++) {
      for (size_t i = 0; i < len; i++) {
        uint32_t r = rng();
        switch (alpha) {
        case 0: s[i] = (uint8_t)r; break;                   /* any byte */
        case 1: s[i] = (uint8_t)(0x20 + r % 95); break;     /* printable */
        case 2: s[i] = (uint8_t)hdr[r % (sizeof(hdr) - 1)]; break;
        default: s[i] = (uint8_t)"aeiost0123"[r % 10]; break; /* 5-bit */
        }
      }
      check_roundtrip(s, len);
    }
  }
  for (size_t len = 1000; len <= 2600; len += 400) {
    for (size_t i = 0; i < len; i++)
      s[i] = (uint8_t)rng();
    check_roundtrip(s, len);
  }
  for (size_t i = 0; i < sizeof(s); i++)
    s[i] = (uint8_t)(0x20 + rng() % 95);
  check_roundtrip(s, sizeof(s));
}

/* Random bytes never crash the decoder, and it agrees with the reference
 * decoder on the result, the output and the error, at various capacities
 * and input alignments. */
static void test_huffman_random_garbage(void **state) {
  (void)state;
  static uint8_t raw[600], dec[1200], ref[1200];
  rng_seed(42);
  for (unsigned iter = 0; iter < 20000; iter++) {
    size_t len = rng() % (iter < 10000 ? 40 : 520);
    size_t off = rng() % 8;
    unsigned mode = rng() % 4;
    uint8_t *in = raw + off;
    for (size_t i = 0; i < len; i++) {
      uint32_t r = rng();
      /* Mostly-ones bytes make long codes, EOS and padding likelier. */
      in[i] = (uint8_t)(mode == 0 ? r : mode == 1 ? (r | (r >> 8)) :
                        mode == 2 ? (r | (r >> 8) | (r >> 16)) : 0xff ^ (r & (r >> 8) & (r >> 16)));
    }
    size_t cap = len * 8 / 5;
    if (rng() % 4 == 0)
      cap = rng() % (cap + 1);
    size_t out = 0, rout = 0;
    memset(dec, 0x77, sizeof(dec));
    int rv = hyper__huff_decode(in, len, dec, cap, &out);
    /* Again with exact-size heap copies (AddressSanitizer bounds). */
    uint8_t *hin = malloc(len ? len : 1), *hout = malloc(cap ? cap : 1);
    size_t hn = 0;
    assert_non_null(hin);
    assert_non_null(hout);
    memcpy(hin, in, len);
    assert_int_equal(hyper__huff_decode(hin, len, hout, cap, &hn), rv);
    assert_int_equal(hn, out);
    assert_memory_equal(hout, dec, hn);
    free(hin);
    free(hout);
    int rrv = ref_decode(in, len, ref, cap, &rout);
    assert_int_equal(rv, rrv);
    assert_true(out <= cap);
    assert_int_equal(dec[cap], 0x77);
    if (rv == 0) {
      assert_int_equal(out, rout);
      assert_memory_equal(dec, ref, out);
    } else if (rv == HYPER_ERR_BUFFER_TOO_SMALL) {
      assert_int_equal(out, rout);
      assert_memory_equal(dec, ref, out);
    }
  }
}

/* Every input of 1 and 2 bytes, and every value of the last 2 bytes after
 * a prefix long enough for the bulk path, at several capacities: the
 * result agrees with the reference decoder. */
static void test_huffman_exhaustive_short(void **state) {
  (void)state;
  static const size_t caps[] = {0, 1, 2, 3, 64};
  uint8_t in[32], dec[64], ref[64];
  size_t out, rout;
  unsigned ok = 0;
  for (unsigned v = 0; v < 0x10000; v++) {
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
      size_t len = v < 0x100 ? 1 : 2;
      if (len == 1) {
        in[0] = (uint8_t)v;
      } else {
        in[0] = (uint8_t)(v >> 8);
        in[1] = (uint8_t)v;
      }
      int rv = hyper__huff_decode(in, len, dec, caps[c], &out);
      assert_int_equal(rv, ref_decode(in, len, ref, caps[c], &rout));
      if (rv != HYPER_ERR_HPACK_HUFFMAN) {
        assert_int_equal(out, rout);
        assert_memory_equal(dec, ref, out);
      }
      ok += rv == 0 && c == 4;
    }
  }
  assert_true(ok > 1000);
  /* The whole bytes of an encoded string, then 2 free bytes. */
  bitw w;
  bitw_init(&w);
  for (const char *p = "custom-key: custom-value"; *p; p++)
    bitw_sym(&w, (uint8_t)*p);
  size_t pre = w.nbits / 8;
  assert_true(pre >= 16 && pre + 2 <= sizeof(in));
  memcpy(in, w.buf, pre);
  for (unsigned v = 0; v < 0x10000; v++) {
    in[pre] = (uint8_t)(v >> 8);
    in[pre + 1] = (uint8_t)v;
    for (size_t cap = 20; cap <= 40; cap += 10) {
      int rv = hyper__huff_decode(in, pre + 2, dec, cap, &out);
      assert_int_equal(rv, ref_decode(in, pre + 2, ref, cap, &rout));
      if (rv != HYPER_ERR_HPACK_HUFFMAN) {
        assert_int_equal(out, rout);
        assert_memory_equal(dec, ref, out);
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_huffman_table_rfc_rows),
      cmocka_unit_test(test_huffman_each_symbol),
      cmocka_unit_test(test_huffman_eos_rejected),
      cmocka_unit_test(test_huffman_encoded_len),
      cmocka_unit_test(test_huffman_rfc_strings),
      cmocka_unit_test(test_huffman_padding_too_long),
      cmocka_unit_test(test_huffman_padding_zero_bit),
      cmocka_unit_test(test_huffman_empty),
      cmocka_unit_test(test_huffman_capacity),
      cmocka_unit_test(test_huffman_invalid_past_capacity),
      cmocka_unit_test(test_huffman_random_roundtrip),
      cmocka_unit_test(test_huffman_random_garbage),
      cmocka_unit_test(test_huffman_exhaustive_short),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
