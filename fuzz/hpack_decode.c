/*
 * fuzz/hpack_decode.c — libFuzzer target for the HPACK decoder, with an
 * encode/decode round trip of everything it accepts.
 *
 * Input layout (missing bytes read as 0):
 *   byte 0  decoder config
 *           bits 0-2  max_table_size: 4096 0 64 256 1024 4096 16384 65536
 *           bits 3-4  max_header_list_size: default default 300 4000
 *           bit  5    max_field_len 100 (else default)
 *           bits 6-7  re-encoder Huffman: AUTO NEVER ALWAYS AUTO
 *   byte 1  decoder actions
 *           bit  7    call hyper_hpack_dec_set_max_table_size() before block
 *                     (bits 4-6) with size (bits 0-2): 0 32 100 256 4096
 *                     2^30+1 (must be refused) 65536 2^20. (Not 2^30: the
 *                     decoder reserves 2 x max_table_size up front, which
 *                     trips libFuzzer's 2 GiB malloc limit.)
 *           bit  3    also lower the header list cap to 200 before that block
 *   byte 2  re-encoder
 *           bits 0-1  encoder max_table_size: 4096 0 256 65536
 *           bits 2-3  peer table size told up front: (none) 0 100 16384
 *           bit  7    tell peer size 4096 again before block (bits 4-6)
 *   byte 3  misc
 *           bits 6-7 == 3: the first decoder's allocator fails after
 *                          (bits 0-5) allocations
 *           bit  4    mark every third re-encoded field NO_INDEX
 *           bit  5    first try encoding into bound - 1 bytes
 *           bit  3    pass an empty block as (NULL, 0) rather than (p, 0)
 *   rest    up to MAX_BLOCKS header blocks separated by SEP ("HPAK"),
 *           decoded in order by one decoder (one connection).
 *
 * Each block is decoded; the result must be one of the documented codes and
 * errors must behave as documented (sticky ones make every later call
 * return HPACK_FAILED). A decoded list must respect the configured limits,
 * the table must stay within its size and agree with table_get(). Every
 * decoded list is then re-encoded by a hyper encoder (one per run) and
 * decoded by a second decoder paired with it: names, values, count and the
 * never-indexed flag must survive byte-exact, the output must fit the bound,
 * and the pair's tables must agree. Any violation abort()s.
 */
/* memmem() is a GNU/BSD extension (libFuzzer also hooks it, so the fuzzer
 * learns the separator quickly). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/hpack.h"

#define MAX_BLOCKS 8
#define CFG_BYTES 4
static const char SEP[] = "HPAK";
#define SEP_LEN (sizeof SEP - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "fuzz_hpack_decode: check failed: %s (%s:%d)\n  ",      \
              #cond, __FILE__, __LINE__);                                     \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
      abort();                                                                \
    }                                                                         \
  } while (0)

/* ------------------------------------------------------------------------ */
/* An allocator that can fail after a number of allocations.                */
/* ------------------------------------------------------------------------ */

typedef struct fail_state {
  int armed;
  unsigned left;
} fail_state;

static int fail_now(fail_state *st) {
  if (!st->armed) {
    return 0;
  }
  if (st->left == 0) {
    return 1;
  }
  st->left--;
  return 0;
}

static void *f_malloc(size_t n, void *user) {
  return fail_now(user) ? NULL : malloc(n);
}
static void *f_calloc(size_t nmemb, size_t n, void *user) {
  return fail_now(user) ? NULL : calloc(nmemb, n);
}
static void *f_realloc(void *p, size_t n, void *user) {
  return fail_now(user) ? NULL : realloc(p, n);
}
static void f_free(void *p, void *user) {
  (void)user;
  free(p);
}

/* ------------------------------------------------------------------------ */

static const uint32_t dec_table_sizes[8] = {4096, 0,    64,    256,
                                            1024, 4096, 16384, 65536};
static const size_t list_caps[4] = {HYPER_HPACK_DEFAULT_MAX_HEADER_LIST,
                                    HYPER_HPACK_DEFAULT_MAX_HEADER_LIST, 300,
                                    4000};
static const hyper_hpack_huffman huff_modes[4] = {
    HYPER_HPACK_HUFFMAN_AUTO, HYPER_HPACK_HUFFMAN_NEVER,
    HYPER_HPACK_HUFFMAN_ALWAYS, HYPER_HPACK_HUFFMAN_AUTO};
static const uint32_t set_sizes[8] = {0,    32,    100,       256,
                                      4096, (1u << 30) + 1, 65536, 1u << 20};
static const uint32_t enc_table_sizes[4] = {4096, 0, 256, 65536};
static const uint32_t peer_sizes[4] = {0, 0, 100, 16384};

static int is_sticky(int rc) {
  switch (rc) {
  case HYPER_ERR_HPACK_DECODE:
  case HYPER_ERR_HPACK_INTEGER:
  case HYPER_ERR_HPACK_HUFFMAN:
  case HYPER_ERR_HPACK_TABLE_SIZE:
  case HYPER_ERR_HPACK_SIZE_UPDATE_MISSING:
  case HYPER_ERR_HPACK_INDEX:
  case HYPER_ERR_HPACK_TRUNCATED:
  case HYPER_ERR_NOMEM:
    return 1;
  default:
    return 0;
  }
}

/* Checks the decoder's table against table_get() and its size cap. */
static void check_dec_table(const hyper_hpack_dec *dec, uint64_t max_size) {
  size_t len = hyper_hpack_dec_table_len(dec);
  size_t size = hyper_hpack_dec_table_size(dec);
  uint64_t sum = 0;
  hyper_field f;
  size_t i;
  CHECK(size <= max_size, "table size %zu > max %llu", size,
        (unsigned long long)max_size);
  CHECK(hyper_hpack_dec_table_get(dec, 0, &f) == HYPER_ERR_HPACK_INDEX,
        "index 0 accepted");
  for (i = 1; i <= 61; i++) {
    CHECK(hyper_hpack_dec_table_get(dec, i, &f) == 0, "static index %zu", i);
  }
  for (i = 0; i < len; i++) {
    int rc = hyper_hpack_dec_table_get(dec, 62 + i, &f);
    CHECK(rc == 0, "dynamic index %zu of %zu: %s", 62 + i, len,
          hyper_err_name(rc));
    sum += f.name_len + f.value_len + HYPER_HPACK_ENTRY_OVERHEAD;
  }
  CHECK(hyper_hpack_dec_table_get(dec, 62 + len, &f) == HYPER_ERR_HPACK_INDEX,
        "index %zu past the end (len %zu) accepted", 62 + len, len);
  CHECK(sum == size, "entries sum to %llu, table_size says %zu",
        (unsigned long long)sum, size);
}

/* Re-encodes |f| with |enc|, decodes with |dec2| and compares. */
static void round_trip(hyper_hpack_enc *enc, hyper_hpack_dec *dec2,
                       const hyper_field *f, size_t nf, uint8_t misc) {
  hyper_field *in = NULL;
  const hyper_field *out;
  size_t nout, len = 0, bound, i;
  uint8_t *buf;
  int rc, done = 0;

  if (nf) {
    in = malloc(nf * sizeof *in);
    CHECK(in != NULL, "oom");
    memcpy(in, f, nf * sizeof *in);
    if (misc & 0x10) {
      for (i = 0; i < nf; i += 3) {
        in[i].flags |= HYPER_FIELD_NO_INDEX;
      }
    }
  }
  bound = hyper_hpack_enc_bound(enc, in, nf);
  buf = malloc(bound ? bound : 1);
  CHECK(buf != NULL, "oom");

  if ((misc & 0x20) && bound > 0) {
    size_t tsize = hyper_hpack_enc_table_size(enc);
    size_t tlen = hyper_hpack_enc_table_len(enc);
    memset(buf, 0xa5, bound);
    rc = hyper_hpack_enc_encode(enc, in, nf, buf, bound - 1, &len);
    if (rc == 0) {
      CHECK(len <= bound - 1, "wrote %zu into %zu", len, bound - 1);
      done = 1;
    } else {
      CHECK(rc == HYPER_ERR_BUFFER_TOO_SMALL, "encode into bound-1: %s",
            hyper_err_name(rc));
      CHECK(hyper_hpack_enc_table_size(enc) == tsize &&
                hyper_hpack_enc_table_len(enc) == tlen,
            "failed encode changed the table");
      for (i = 0; i < bound; i++) {
        CHECK(buf[i] == 0xa5, "failed encode wrote byte %zu", i);
      }
    }
  }
  if (!done) {
    rc = hyper_hpack_enc_encode(enc, in, nf, buf, bound, &len);
    CHECK(rc == 0, "encode %zu fields into bound %zu: %s", nf, bound,
          hyper_err_name(rc));
    CHECK(len <= bound, "wrote %zu > bound %zu", len, bound);
  }

  rc = hyper_hpack_dec_decode(dec2, buf, len, &out, &nout);
  CHECK(rc == 0, "re-decoding %zu bytes (%zu fields): %s", len, nf,
        hyper_err_name(rc));
  CHECK(nout == nf, "round trip count %zu != %zu", nout, nf);
  for (i = 0; i < nf; i++) {
    CHECK(out[i].name_len == in[i].name_len &&
              (in[i].name_len == 0 ||
               memcmp(out[i].name, in[i].name, in[i].name_len) == 0),
          "field %zu name differs (len %zu vs %zu)", i, out[i].name_len,
          in[i].name_len);
    CHECK(out[i].value_len == in[i].value_len &&
              (in[i].value_len == 0 ||
               memcmp(out[i].value, in[i].value, in[i].value_len) == 0),
          "field %zu value differs (len %zu vs %zu)", i, out[i].value_len,
          in[i].value_len);
    CHECK(!(in[i].flags & HYPER_FIELD_SENSITIVE) ||
              (out[i].flags & HYPER_FIELD_SENSITIVE),
          "field %zu lost the never-indexed flag", i);
  }
  CHECK(hyper_hpack_enc_table_size(enc) == hyper_hpack_dec_table_size(dec2) &&
            hyper_hpack_enc_table_len(enc) == hyper_hpack_dec_table_len(dec2),
        "encoder table %zu bytes/%zu entries, paired decoder %zu/%zu",
        hyper_hpack_enc_table_size(enc), hyper_hpack_enc_table_len(enc),
        hyper_hpack_dec_table_size(dec2), hyper_hpack_dec_table_len(dec2));
  free(buf);
  free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t cfgb[CFG_BYTES] = {0, 0, 0, 0};
  const uint8_t *p, *end;
  hyper_hpack_dec_config dcfg, d2cfg;
  hyper_hpack_enc_config ecfg;
  hyper_hpack_dec *dec = NULL, *dec2 = NULL;
  hyper_hpack_enc *enc = NULL;
  fail_state fst = {0, 0};
  hyper_mem mem = {&fst, f_malloc, f_calloc, f_realloc, f_free};
  uint64_t cur_max;
  size_t list_cap, i;
  int failed = 0, rc, blk, null_empty;

  for (i = 0; i < CFG_BYTES && i < size; i++) {
    cfgb[i] = data[i];
  }
  p = data + (size < CFG_BYTES ? size : CFG_BYTES);
  end = data + size;
  null_empty = (cfgb[3] & 0x08) != 0;

  hyper_hpack_dec_config_init(&dcfg);
  dcfg.max_table_size = dec_table_sizes[cfgb[0] & 7];
  dcfg.max_header_list_size = list_caps[(cfgb[0] >> 3) & 3];
  if (cfgb[0] & 0x20) {
    dcfg.max_field_len = 100;
  }
  cur_max = dcfg.max_table_size;
  list_cap = dcfg.max_header_list_size;

  if ((cfgb[3] & 0xc0) == 0xc0) {
    fst.armed = 1;
    fst.left = cfgb[3] & 0x3f;
  }
  rc = hyper_hpack_dec_new(&dec, &dcfg, &mem);
  if (rc != 0) {
    CHECK(rc == HYPER_ERR_NOMEM && fst.armed, "dec_new: %s",
          hyper_err_name(rc));
    return 0;
  }

  hyper_hpack_enc_config_init(&ecfg);
  ecfg.max_table_size = enc_table_sizes[cfgb[2] & 3];
  ecfg.huffman = huff_modes[cfgb[0] >> 6];
  CHECK(hyper_hpack_enc_new(&enc, &ecfg, NULL) == 0, "enc_new");
  if ((cfgb[2] >> 2) & 3) {
    hyper_hpack_enc_set_peer_table_size(enc, peer_sizes[(cfgb[2] >> 2) & 3]);
  }
  hyper_hpack_dec_config_init(&d2cfg);
  d2cfg.max_table_size = 65536;
  d2cfg.max_header_list_size = (size_t)1 << 26;
  d2cfg.max_field_len = (size_t)1 << 26;
  CHECK(hyper_hpack_dec_new(&dec2, &d2cfg, NULL) == 0, "dec_new (pair)");

  for (blk = 0; blk < MAX_BLOCKS && p <= end; blk++) {
    const uint8_t *bend = end;
    const hyper_field *f = NULL;
    size_t nf = 0, blen;

    if (blk < MAX_BLOCKS - 1 && p < end) {
      const uint8_t *s = memmem(p, (size_t)(end - p), SEP, SEP_LEN);
      if (s) {
        bend = s;
      }
    }
    blen = (size_t)(bend - p);

    if ((cfgb[1] & 0x80) && ((cfgb[1] >> 4) & 7) == blk) {
      uint32_t sz = set_sizes[cfgb[1] & 7];
      rc = hyper_hpack_dec_set_max_table_size(dec, sz);
      if (rc == 0) {
        CHECK(sz <= (1u << 30), "set_max_table_size(%u) accepted",
              (unsigned)sz);
        cur_max = sz;
      } else {
        CHECK((rc == HYPER_ERR_INVALID_ARGUMENT && sz > (1u << 30)) ||
                  (rc == HYPER_ERR_HPACK_FAILED && failed) ||
                  (rc == HYPER_ERR_NOMEM && fst.armed),
              "set_max_table_size(%u): %s", (unsigned)sz,
              hyper_err_name(rc));
      }
      if (cfgb[1] & 0x08) {
        hyper_hpack_dec_set_max_header_list_size(dec, 200);
        list_cap = 200;
      }
    }
    if ((cfgb[2] & 0x80) && ((cfgb[2] >> 4) & 7) == blk) {
      hyper_hpack_enc_set_peer_table_size(enc, 4096);
    }

    rc = hyper_hpack_dec_decode(dec, blen || !null_empty ? p : NULL, blen, &f,
                                &nf);
    if (failed) {
      CHECK(rc == HYPER_ERR_HPACK_FAILED,
            "decode after a compression error returned %s",
            hyper_err_name(rc));
    } else if (rc == 0) {
      uint64_t list = 0;
      CHECK(nf == 0 || f != NULL, "NULL fields with count %zu", nf);
      for (i = 0; i < nf; i++) {
        CHECK(f[i].name_len <= dcfg.max_field_len &&
                  f[i].value_len <= dcfg.max_field_len,
              "field %zu longer than max_field_len (%zu, %zu)", i,
              f[i].name_len, f[i].value_len);
        CHECK((f[i].name_len == 0 || f[i].name) &&
                  (f[i].value_len == 0 || f[i].value),
              "field %zu has a NULL pointer", i);
        list += f[i].name_len + f[i].value_len + HYPER_HPACK_ENTRY_OVERHEAD;
      }
      CHECK(list <= list_cap, "list size %llu > cap %zu",
            (unsigned long long)list, list_cap);
      check_dec_table(dec, cur_max);
      round_trip(enc, dec2, f, nf, cfgb[3]);
    } else if (rc == HYPER_ERR_HPACK_HEADER_LIST ||
               rc == HYPER_ERR_HPACK_FIELD_TOO_LONG) {
      check_dec_table(dec, cur_max);
    } else {
      CHECK(is_sticky(rc), "unexpected decode result %d (%s)", rc,
            hyper_err_name(rc));
      CHECK(rc != HYPER_ERR_NOMEM || fst.armed, "NOMEM without failing");
      failed = 1;
      /* Sticky: the same call again must say so. */
      rc = hyper_hpack_dec_decode(dec, p, blen, &f, &nf);
      CHECK(rc == HYPER_ERR_HPACK_FAILED, "second call after %s", "error");
    }

    if (bend == end) {
      break;
    }
    p = bend + SEP_LEN;
  }

  hyper_hpack_dec_free(dec);
  hyper_hpack_dec_free(dec2);
  hyper_hpack_enc_free(enc);
  return 0;
}
