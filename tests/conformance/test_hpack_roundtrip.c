/* Conformance: encode -> decode round trip of every hpack-test-case raw-data
 * story (found through the HYPER_HPACK_CORPUS environment variable), one
 * encoder and one decoder per story, under several peer table sizes and
 * mid-story SETTINGS_HEADER_TABLE_SIZE changes. Checks that every header list
 * comes back byte for byte, that both tables stay in step, and that the
 * encoder opens each block with exactly the size updates RFC 7541 §4.2 asks
 * for (the smallest size since the last block, then the final one). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hyper/hpack.h"

typedef struct rcase {
  hyper_field *fields; /* point into the story's JSON document */
  size_t n;
} rcase;

typedef struct rstory {
  char *path;
  json_t *root;
  rcase *cases;
  size_t ncases;
} rstory;

static rstory *stories;
static size_t nstories;

/* ------------------------------------------------------------------------ */
/* Corpus loading                                                           */
/* ------------------------------------------------------------------------ */

static int load_story(rstory *s, const char *path) {
  json_error_t jerr;
  s->path = strdup(path);
  s->root = json_load_file(path, 0, &jerr);
  if (!s->path || !s->root) {
    print_error("%s: %s\n", path, s->root ? "out of memory" : jerr.text);
    return -1;
  }
  json_t *cases = json_object_get(s->root, "cases");
  if (!json_is_array(cases) || json_array_size(cases) == 0) {
    print_error("%s: no \"cases\"\n", path);
    return -1;
  }
  s->ncases = json_array_size(cases);
  s->cases = calloc(s->ncases, sizeof *s->cases);
  if (!s->cases)
    return -1;
  for (size_t i = 0; i < s->ncases; i++) {
    json_t *headers = json_object_get(json_array_get(cases, i), "headers");
    if (!json_is_array(headers)) {
      print_error("%s: case %zu has no \"headers\"\n", path, i);
      return -1;
    }
    rcase *c = &s->cases[i];
    c->n = json_array_size(headers);
    c->fields = calloc(c->n ? c->n : 1, sizeof *c->fields);
    if (!c->fields)
      return -1;
    for (size_t k = 0; k < c->n; k++) {
      json_t *h = json_array_get(headers, k);
      void *it = json_object_iter(h);
      if (json_object_size(h) != 1 || !json_is_string(json_object_iter_value(it))) {
        print_error("%s: case %zu header %zu is not {\"name\": \"value\"}\n", path,
                    i, k);
        return -1;
      }
      hyper_field *f = &c->fields[k];
      f->name = (const uint8_t *)json_object_iter_key(it);
      f->name_len = strlen(json_object_iter_key(it));
      f->value = (const uint8_t *)json_string_value(json_object_iter_value(it));
      f->value_len = json_string_length(json_object_iter_value(it));
    }
  }
  return 0;
}

static int group_setup(void **state) {
  (void)state;
  const char *corpus = getenv("HYPER_HPACK_CORPUS");
  if (!corpus || !*corpus) {
    print_error("HYPER_HPACK_CORPUS is not set\n");
    return -1;
  }
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%s/raw-data/story_*.json", corpus);
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
    print_error("no raw-data stories match %s\n", pattern);
    return -1;
  }
  stories = calloc(g.gl_pathc, sizeof *stories);
  if (!stories) {
    globfree(&g);
    return -1;
  }
  int rv = 0;
  for (size_t i = 0; i < g.gl_pathc && rv == 0; i++) {
    rv = load_story(&stories[i], g.gl_pathv[i]);
    nstories = i + 1;
  }
  globfree(&g);
  return rv;
}

static int group_teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < nstories; i++) {
    for (size_t k = 0; k < stories[i].ncases; k++)
      free(stories[i].cases[k].fields);
    free(stories[i].cases);
    json_decref(stories[i].root);
    free(stories[i].path);
  }
  free(stories);
  stories = NULL;
  nstories = 0;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */
/* ------------------------------------------------------------------------ */

/* Before block |block|, the SETTINGS_HEADER_TABLE_SIZE values the peer (our
 * decoder) acknowledged, in order; returns how many (at most 4). */
typedef size_t (*steps_fn)(size_t block, uint32_t *out);

typedef struct scenario {
  uint32_t initial; /* set before block 0; also the decoder's max_table_size */
  uint32_t enc_max; /* the encoder's cfg.max_table_size */
  hyper_hpack_huffman huffman;
  steps_fn steps; /* NULL: no change after the start */
} scenario;

static size_t min_size(size_t a, size_t b) {
  return a < b ? a : b;
}

/* Reads the dynamic table size updates that open |p| (RFC 7541 §6.3). */
static size_t leading_updates(const uint8_t *p, size_t len, uint64_t *u, size_t cap) {
  size_t pos = 0, n = 0;
  while (pos < len && (p[pos] & 0xe0) == 0x20 && n < cap) {
    uint64_t v = p[pos++] & 0x1f;
    if (v == 0x1f) {
      unsigned shift = 0;
      uint8_t b;
      do {
        assert_true(pos < len && shift < 35);
        b = p[pos++];
        v += (uint64_t)(b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
    }
    u[n++] = v;
  }
  return n;
}

static void check_fields(const rstory *s, size_t ci, const hyper_field *got,
                         size_t ngot) {
  const rcase *c = &s->cases[ci];
  if (ngot != c->n)
    fail_msg("%s case %zu: decoded %zu fields, encoded %zu", s->path, ci, ngot, c->n);
  for (size_t k = 0; k < c->n; k++) {
    const hyper_field *a = &got[k], *b = &c->fields[k];
    if (a->name_len != b->name_len || a->value_len != b->value_len ||
        memcmp(a->name, b->name, b->name_len) != 0 ||
        (b->value_len && memcmp(a->value, b->value, b->value_len) != 0))
      fail_msg("%s case %zu field %zu: decoded \"%.*s: %.*s\", encoded \"%.*s: %.*s\"",
               s->path, ci, k, (int)a->name_len, (const char *)a->name,
               (int)a->value_len, (const char *)a->value, (int)b->name_len,
               (const char *)b->name, (int)b->value_len, (const char *)b->value);
    if (a->flags & ~HYPER_FIELD_SENSITIVE)
      fail_msg("%s case %zu field %zu: unexpected flags %#x", s->path, ci, k,
               (unsigned)a->flags);
  }
}

static void run_story(const scenario *sc, const rstory *s) {
  hyper_hpack_enc_config ec;
  hyper_hpack_enc_config_init(&ec);
  ec.max_table_size = sc->enc_max;
  ec.huffman = sc->huffman;
  hyper_hpack_dec_config dc;
  hyper_hpack_dec_config_init(&dc);
  dc.max_table_size = sc->initial;
  hyper_hpack_enc *enc;
  hyper_hpack_dec *dec;
  assert_int_equal(hyper_hpack_enc_new(&enc, &ec, NULL), 0);
  assert_int_equal(hyper_hpack_dec_new(&dec, &dc, NULL), 0);

  /* The peer's decoder starts at the RFC default (RFC 9113 §6.5.2). */
  size_t eff = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  for (size_t i = 0; i < s->ncases; i++) {
    uint32_t steps[4];
    size_t nsteps = 0;
    if (i == 0) {
      steps[nsteps++] = sc->initial;
    } else if (sc->steps) {
      nsteps = sc->steps(i, steps);
    }
    /* What the encoder must signal: the smallest size since the last block
     * when it is below the current one, then the final size if different. */
    uint64_t want[2];
    size_t nwant = 0;
    if (nsteps) {
      size_t low = eff, fin;
      for (size_t k = 0; k < nsteps; k++) {
        hyper_hpack_enc_set_peer_table_size(enc, steps[k]);
        if (i > 0)
          assert_int_equal(hyper_hpack_dec_set_max_table_size(dec, steps[k]), 0);
        low = min_size(low, min_size(steps[k], sc->enc_max));
      }
      fin = min_size(steps[nsteps - 1], sc->enc_max);
      if (low < eff)
        want[nwant++] = low;
      if (fin != (nwant ? low : eff))
        want[nwant++] = fin;
      eff = fin;
    }

    const rcase *c = &s->cases[i];
    size_t cap = hyper_hpack_enc_bound(enc, c->fields, c->n);
    uint8_t *wire = malloc(cap ? cap : 1);
    assert_non_null(wire);
    size_t len = 0;
    int rv = hyper_hpack_enc_encode(enc, c->fields, c->n, wire, cap, &len);
    if (rv)
      fail_msg("%s case %zu: encode: %s", s->path, i, hyper_err_name(rv));
    assert_true(len <= cap);

    uint64_t got[4];
    size_t ngot = leading_updates(wire, len, got, 4);
    if (ngot != nwant || (nwant > 0 && got[0] != want[0]) ||
        (nwant > 1 && got[1] != want[1]))
      fail_msg("%s case %zu: size updates %zu [%llu %llu], expected %zu [%llu %llu]",
               s->path, i, ngot, ngot > 0 ? (unsigned long long)got[0] : 0,
               ngot > 1 ? (unsigned long long)got[1] : 0, nwant,
               nwant > 0 ? (unsigned long long)want[0] : 0,
               nwant > 1 ? (unsigned long long)want[1] : 0);

    const hyper_field *out;
    size_t nout;
    rv = hyper_hpack_dec_decode(dec, wire, len, &out, &nout);
    if (rv)
      fail_msg("%s case %zu: decode: %s", s->path, i, hyper_err_name(rv));
    check_fields(s, i, out, nout);
    free(wire);

    size_t et = hyper_hpack_enc_table_size(enc), dt = hyper_hpack_dec_table_size(dec);
    if (et != dt || hyper_hpack_enc_table_len(enc) != hyper_hpack_dec_table_len(dec))
      fail_msg("%s case %zu: tables differ: encoder %zu octets / %zu entries, "
               "decoder %zu / %zu",
               s->path, i, et, hyper_hpack_enc_table_len(enc), dt,
               hyper_hpack_dec_table_len(dec));
    if (dt > eff)
      fail_msg("%s case %zu: table holds %zu octets, limit %zu", s->path, i, dt, eff);
  }
  hyper_hpack_enc_free(enc);
  hyper_hpack_dec_free(dec);
}

static void run(const scenario *sc) {
  assert_true(nstories > 0);
  for (size_t i = 0; i < nstories; i++)
    run_story(sc, &stories[i]);
}

/* 4096 -> 0 -> 4096 before every block: the table is emptied each time. */
static size_t steps_zero_pair(size_t block, uint32_t *out) {
  (void)block;
  out[0] = 0;
  out[1] = 4096;
  return 2;
}

/* 4096 -> 100 -> 2048 between blocks 0 and 1, back to 4096 before block 3. */
static size_t steps_100_2048(size_t block, uint32_t *out) {
  if (block == 1) {
    out[0] = 100;
    out[1] = 2048;
    return 2;
  }
  if (block == 3) {
    out[0] = 4096;
    return 1;
  }
  return 0;
}

/* A different mix on every block (encoder capped at 8192): plain shrink,
 * shrink-and-grow with three steps, grow past the encoder's cap, no-op. */
static size_t steps_churn(size_t block, uint32_t *out) {
  switch (block % 5) {
  case 0:
    out[0] = 1000;
    return 1;
  case 1:
    out[0] = 300;
    out[1] = 50;
    out[2] = 3000;
    return 3;
  case 2:
    out[0] = 65536;
    return 1;
  case 3:
    out[0] = 65536;
    return 1; /* no change */
  default:
    out[0] = 8000;
    out[1] = 20000;
    return 2; /* low 8000 < 8192, final capped to 8192 */
  }
}

#define PLAIN(size) {(size), (size), HYPER_HPACK_HUFFMAN_AUTO, NULL}

static void test_roundtrip_table_0(void **state) {
  (void)state;
  static const scenario sc = PLAIN(0);
  run(&sc);
}

static void test_roundtrip_table_256(void **state) {
  (void)state;
  static const scenario sc = PLAIN(256);
  run(&sc);
}

static void test_roundtrip_table_4096(void **state) {
  (void)state;
  static const scenario sc = PLAIN(4096);
  run(&sc);
}

static void test_roundtrip_table_65536(void **state) {
  (void)state;
  static const scenario sc = PLAIN(65536);
  run(&sc);
}

static void test_roundtrip_huffman_never(void **state) {
  (void)state;
  static const scenario sc = {4096, 4096, HYPER_HPACK_HUFFMAN_NEVER, NULL};
  run(&sc);
}

static void test_roundtrip_huffman_always(void **state) {
  (void)state;
  static const scenario sc = {4096, 4096, HYPER_HPACK_HUFFMAN_ALWAYS, NULL};
  run(&sc);
}

static void test_roundtrip_resize_4096_0_4096(void **state) {
  (void)state;
  static const scenario sc = {4096, 4096, HYPER_HPACK_HUFFMAN_AUTO, steps_zero_pair};
  run(&sc);
}

static void test_roundtrip_resize_4096_100_2048(void **state) {
  (void)state;
  static const scenario sc = {4096, 4096, HYPER_HPACK_HUFFMAN_AUTO, steps_100_2048};
  run(&sc);
}

static void test_roundtrip_resize_churn(void **state) {
  (void)state;
  static const scenario sc = {4096, 8192, HYPER_HPACK_HUFFMAN_AUTO, steps_churn};
  run(&sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_table_0),
      cmocka_unit_test(test_roundtrip_table_256),
      cmocka_unit_test(test_roundtrip_table_4096),
      cmocka_unit_test(test_roundtrip_table_65536),
      cmocka_unit_test(test_roundtrip_huffman_never),
      cmocka_unit_test(test_roundtrip_huffman_always),
      cmocka_unit_test(test_roundtrip_resize_4096_0_4096),
      cmocka_unit_test(test_roundtrip_resize_4096_100_2048),
      cmocka_unit_test(test_roundtrip_resize_churn),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
