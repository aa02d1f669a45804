/*
 * bench/hpack.c — HPACK encode/decode throughput and compression ratio,
 * hyper against libnghttp2, in one process, on the hpack-test-case corpus.
 *
 *   encode: every story of raw-data/ (the header lists), one fresh encoder per
 *           story pass (as one connection would), table 4096.
 *   decode: every story of nghttp2/ (the wires nghttp2 produced), one fresh
 *           decoder per story pass, table 4096.
 *   size:   compressed bytes / raw name+value bytes over raw-data/.
 *
 * The two implementations alternate in short rounds (default 7 rounds of 1 s
 * per implementation and direction; the order flips every round) so that
 * frequency scaling and noise from other processes hit both alike. The
 * reported figure is the median of the per-round ratios hyper/nghttp2.
 *
 * Before timing, every block is cross-checked: hyper's output must decode
 * with nghttp2 (and nghttp2's with hyper) to the original list, and hyper
 * must decode nghttp2/ to the listed headers. A mismatch is an error (exit 1).
 * Targets are reported, not asserted: otherwise the exit status is 0.
 *
 * Usage: hpack [--rounds N] [--seconds S] [--corpus DIR]
 * DIR defaults to $HYPER_HPACK_CORPUS, then to the path set at build time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <nghttp2/nghttp2.h>

#include "hyper/hpack.h"

#ifndef HYPER_HPACK_CORPUS_DEFAULT
#  define HYPER_HPACK_CORPUS_DEFAULT "../shared/hpack-test-case"
#endif

#define NSTORIES 32
#define TABLE_SIZE 4096u
#define TARGET_ENCODE 1.7
#define TARGET_DECODE 2.0

/* ------------------------------------------------------------------------ */
/* Utilities                                                                */
/* ------------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void die(const char *fmt, ...);

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("hpack bench: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    die("out of memory (%zu bytes)", n);
  }
  return p;
}

static void *xcalloc(size_t nmemb, size_t size) {
  void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
  if (!p) {
    die("out of memory (%zu x %zu bytes)", nmemb, size);
  }
  return p;
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, size_t n) {
  double *tmp;
  double m;
  if (n == 0) {
    return 0.0;
  }
  tmp = xmalloc(n * sizeof *tmp);
  memcpy(tmp, v, n * sizeof *tmp);
  qsort(tmp, n, sizeof *tmp, cmp_double);
  m = (n & 1) ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
  free(tmp);
  return m;
}

/* A growable output buffer, sized outside the timed loops in practice. */
typedef struct outbuf {
  uint8_t *p;
  size_t cap;
} outbuf;

static void outbuf_reserve(outbuf *b, size_t n) {
  if (n > b->cap) {
    free(b->p);
    b->cap = n * 2;
    b->p = xmalloc(b->cap);
  }
}

/* ------------------------------------------------------------------------ */
/* Corpus                                                                   */
/* ------------------------------------------------------------------------ */

/* One header block: the list (both libraries' field types point to the
 * same bytes) and, for decode stories, the wire. */
typedef struct block {
  hyper_field *fields;
  nghttp2_nv *nv;
  size_t n;
  size_t raw_bytes; /* sum of name + value lengths */
  uint8_t *wire;
  size_t wire_len;
} block;

typedef struct story {
  block *blocks;
  size_t nblocks;
} story;

typedef struct corpus {
  story stories[NSTORIES];
  size_t nblocks;
  size_t nheaders;
  size_t raw_bytes;
  size_t wire_bytes;
} corpus;

static uint8_t *dup_bytes(const char *s, size_t n) {
  uint8_t *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static uint8_t *parse_hex(const char *s, size_t len, size_t *out_len,
                          const char *path) {
  uint8_t *p;
  size_t i;
  if (len % 2) {
    die("%s: odd-length wire", path);
  }
  p = xmalloc(len / 2);
  for (i = 0; i < len / 2; i++) {
    int hi = hexval((unsigned char)s[2 * i]);
    int lo = hexval((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      die("%s: bad hex in wire", path);
    }
    p[i] = (uint8_t)(hi << 4 | lo);
  }
  *out_len = len / 2;
  return p;
}

static void load_story(story *st, const char *path, int want_wire,
                       corpus *c) {
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  json_t *cases;
  size_t i;
  if (!root) {
    die("%s:%d: %s", path, jerr.line, jerr.text);
  }
  cases = json_object_get(root, "cases");
  if (!json_is_array(cases)) {
    die("%s: no \"cases\" array", path);
  }
  st->nblocks = json_array_size(cases);
  st->blocks = xcalloc(st->nblocks, sizeof *st->blocks);
  for (i = 0; i < st->nblocks; i++) {
    json_t *cs = json_array_get(cases, i);
    json_t *hdrs = json_object_get(cs, "headers");
    block *b = &st->blocks[i];
    size_t j;
    if (!json_is_array(hdrs)) {
      die("%s: case %zu has no \"headers\" array", path, i);
    }
    if (json_object_get(cs, "header_table_size")) {
      die("%s: case %zu changes the table size (not supported here)", path,
          i);
    }
    b->n = json_array_size(hdrs);
    b->fields = xcalloc(b->n, sizeof *b->fields);
    b->nv = xcalloc(b->n, sizeof *b->nv);
    for (j = 0; j < b->n; j++) {
      json_t *h = json_array_get(hdrs, j);
      const char *key;
      json_t *val;
      if (!json_is_object(h) || json_object_size(h) != 1) {
        die("%s: case %zu header %zu is not a one-key object", path, i, j);
      }
      json_object_foreach(h, key, val) {
        size_t nlen = strlen(key), vlen;
        if (!json_is_string(val)) {
          die("%s: case %zu header %zu: value is not a string", path, i, j);
        }
        vlen = json_string_length(val);
        b->fields[j].name = dup_bytes(key, nlen);
        b->fields[j].name_len = nlen;
        b->fields[j].value = dup_bytes(json_string_value(val), vlen);
        b->fields[j].value_len = vlen;
        b->fields[j].flags = 0;
        /* nghttp2_nv wants non-const pointers; it does not write through. */
        b->nv[j].name = (uint8_t *)(uintptr_t)b->fields[j].name;
        b->nv[j].namelen = nlen;
        b->nv[j].value = (uint8_t *)(uintptr_t)b->fields[j].value;
        b->nv[j].valuelen = vlen;
        b->nv[j].flags = NGHTTP2_NV_FLAG_NONE;
        b->raw_bytes += nlen + vlen;
      }
    }
    if (want_wire) {
      json_t *w = json_object_get(cs, "wire");
      if (!json_is_string(w)) {
        die("%s: case %zu has no \"wire\"", path, i);
      }
      b->wire = parse_hex(json_string_value(w), json_string_length(w),
                          &b->wire_len, path);
      c->wire_bytes += b->wire_len;
    }
    c->nblocks++;
    c->nheaders += b->n;
    c->raw_bytes += b->raw_bytes;
  }
  json_decref(root);
}

static void load_corpus(corpus *c, const char *dir, const char *sub,
                        int want_wire) {
  int s;
  memset(c, 0, sizeof *c);
  for (s = 0; s < NSTORIES; s++) {
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s/story_%02d.json", dir, sub, s);
    if (n < 0 || (size_t)n >= sizeof path) {
      die("corpus path too long");
    }
    load_story(&c->stories[s], path, want_wire, c);
  }
}

static void free_corpus(corpus *c) {
  int s;
  for (s = 0; s < NSTORIES; s++) {
    story *st = &c->stories[s];
    size_t i, j;
    for (i = 0; i < st->nblocks; i++) {
      block *b = &st->blocks[i];
      for (j = 0; j < b->n; j++) {
        free((void *)(uintptr_t)b->fields[j].name);
        free((void *)(uintptr_t)b->fields[j].value);
      }
      free(b->fields);
      free(b->nv);
      free(b->wire);
    }
    free(st->blocks);
  }
}

/* ------------------------------------------------------------------------ */
/* The four timed passes. Each returns the number of headers processed and   */
/* folds what it produced into a checksum so no work can be elided.          */
/* ------------------------------------------------------------------------ */

static uint64_t g_sink; /* printed at the end */

static uint64_t hyper_encode_pass(const corpus *c, outbuf *ob) {
  hyper_hpack_enc_config cfg;
  uint64_t n = 0, sum = 0;
  int s;
  hyper_hpack_enc_config_init(&cfg);
  cfg.max_table_size = TABLE_SIZE;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    hyper_hpack_enc *enc;
    size_t i;
    int rc = hyper_hpack_enc_new(&enc, &cfg, NULL);
    if (rc != 0) {
      die("hyper_hpack_enc_new: %s", hyper_strerror(rc));
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      size_t len;
      outbuf_reserve(ob, hyper_hpack_enc_bound(enc, b->fields, b->n));
      rc = hyper_hpack_enc_encode(enc, b->fields, b->n, ob->p, ob->cap, &len);
      if (rc != 0) {
        die("hyper_hpack_enc_encode: %s", hyper_strerror(rc));
      }
      sum += len + (len ? ob->p[len - 1] : 0u);
      n += b->n;
    }
    hyper_hpack_enc_free(enc);
  }
  g_sink += sum;
  return n;
}

static uint64_t nghttp2_encode_pass(const corpus *c, outbuf *ob) {
  uint64_t n = 0, sum = 0;
  int s;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    nghttp2_hd_deflater *def;
    size_t i;
    int rc = nghttp2_hd_deflate_new2(&def, TABLE_SIZE, NULL);
    if (rc != 0) {
      die("nghttp2_hd_deflate_new2: %s", nghttp2_strerror(rc));
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      ssize_t len;
      outbuf_reserve(ob, nghttp2_hd_deflate_bound(def, b->nv, b->n));
      len = nghttp2_hd_deflate_hd(def, ob->p, ob->cap, b->nv, b->n);
      if (len < 0) {
        die("nghttp2_hd_deflate_hd: %s", nghttp2_strerror((int)len));
      }
      sum += (uint64_t)len + (len ? ob->p[len - 1] : 0u);
      n += b->n;
    }
    nghttp2_hd_deflate_del(def);
  }
  g_sink += sum;
  return n;
}

static uint64_t hyper_decode_pass(const corpus *c, outbuf *ob) {
  uint64_t n = 0, sum = 0;
  int s;
  (void)ob;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    hyper_hpack_dec *dec;
    size_t i;
    int rc = hyper_hpack_dec_new(&dec, NULL, NULL);
    if (rc != 0) {
      die("hyper_hpack_dec_new: %s", hyper_strerror(rc));
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      const hyper_field *f;
      size_t nf, j;
      rc = hyper_hpack_dec_decode(dec, b->wire, b->wire_len, &f, &nf);
      if (rc != 0) {
        die("hyper_hpack_dec_decode: %s", hyper_strerror(rc));
      }
      for (j = 0; j < nf; j++) {
        sum += f[j].name_len + f[j].value_len +
               (f[j].value_len ? f[j].value[f[j].value_len - 1] : 0u);
      }
      n += nf;
    }
    hyper_hpack_dec_free(dec);
  }
  g_sink += sum;
  return n;
}

/* Decodes one block with nghttp2, calling |emit| per field when non-NULL.
 * Returns the number of fields. */
typedef void (*nv_fn)(const nghttp2_nv *nv, void *arg);

static size_t nghttp2_inflate_block(nghttp2_hd_inflater *inf,
                                    const uint8_t *in, size_t len,
                                    uint64_t *sum, nv_fn emit, void *arg) {
  size_t n = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t r = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, len, 1);
    if (r < 0) {
      die("nghttp2_hd_inflate_hd2: %s", nghttp2_strerror((int)r));
    }
    in += r;
    len -= (size_t)r;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      *sum += nv.namelen + nv.valuelen +
              (nv.valuelen ? nv.value[nv.valuelen - 1] : 0u);
      if (emit) {
        emit(&nv, arg);
      }
      n++;
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inf);
      break;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0) {
      die("nghttp2_hd_inflate_hd2: block ended without FINAL");
    }
  }
  return n;
}

static uint64_t nghttp2_decode_pass(const corpus *c, outbuf *ob) {
  uint64_t n = 0, sum = 0;
  int s;
  (void)ob;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    nghttp2_hd_inflater *inf;
    size_t i;
    int rc = nghttp2_hd_inflate_new2(&inf, NULL);
    if (rc != 0) {
      die("nghttp2_hd_inflate_new2: %s", nghttp2_strerror(rc));
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      n += nghttp2_inflate_block(inf, b->wire, b->wire_len, &sum, NULL, NULL);
    }
    nghttp2_hd_inflate_del(inf);
  }
  g_sink += sum;
  return n;
}

/* ------------------------------------------------------------------------ */
/* Cross-checks and compressed sizes (untimed)                              */
/* ------------------------------------------------------------------------ */

typedef struct nv_cmp {
  const block *want;
  size_t i;
  const char *what;
  int story;
  size_t blk;
} nv_cmp;

static void check_field(const nv_cmp *cmp, size_t i, const uint8_t *name,
                        size_t nlen, const uint8_t *value, size_t vlen) {
  const hyper_field *w;
  if (i >= cmp->want->n) {
    die("%s: story %02d block %zu: extra field %zu", cmp->what, cmp->story,
        cmp->blk, i);
  }
  w = &cmp->want->fields[i];
  if (nlen != w->name_len || vlen != w->value_len ||
      memcmp(name, w->name, nlen) != 0 || memcmp(value, w->value, vlen) != 0) {
    die("%s: story %02d block %zu field %zu: got \"%.*s: %.*s\", want "
        "\"%.*s: %.*s\"",
        cmp->what, cmp->story, cmp->blk, i, (int)nlen, (const char *)name,
        (int)vlen, (const char *)value, (int)w->name_len,
        (const char *)w->name, (int)w->value_len, (const char *)w->value);
  }
}

static void check_nv(const nghttp2_nv *nv, void *arg) {
  nv_cmp *cmp = arg;
  check_field(cmp, cmp->i++, nv->name, nv->namelen, nv->value, nv->valuelen);
}

static void check_hyper_fields(const nv_cmp *cmp, const hyper_field *f,
                               size_t nf) {
  size_t j;
  for (j = 0; j < nf; j++) {
    check_field(cmp, j, f[j].name, f[j].name_len, f[j].value, f[j].value_len);
  }
  if (nf != cmp->want->n) {
    die("%s: story %02d block %zu: %zu fields, want %zu", cmp->what,
        cmp->story, cmp->blk, nf, cmp->want->n);
  }
}

/* Encodes raw-data with both encoders, decodes each output with the other
 * library, compares, and sums the compressed sizes. */
static void check_encode(const corpus *c, outbuf *ob, uint64_t *hyper_bytes,
                         uint64_t *ng_bytes) {
  hyper_hpack_enc_config ecfg;
  hyper_hpack_dec_config dcfg;
  uint64_t sum = 0;
  int s;
  hyper_hpack_enc_config_init(&ecfg);
  ecfg.max_table_size = TABLE_SIZE;
  hyper_hpack_dec_config_init(&dcfg);
  dcfg.max_header_list_size = (size_t)1 << 24;
  *hyper_bytes = *ng_bytes = 0;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    hyper_hpack_enc *enc;
    hyper_hpack_dec *dec;
    nghttp2_hd_deflater *def;
    nghttp2_hd_inflater *inf;
    size_t i;
    if (hyper_hpack_enc_new(&enc, &ecfg, NULL) != 0 ||
        hyper_hpack_dec_new(&dec, &dcfg, NULL) != 0 ||
        nghttp2_hd_deflate_new2(&def, TABLE_SIZE, NULL) != 0 ||
        nghttp2_hd_inflate_new2(&inf, NULL) != 0) {
      die("cannot create encoders/decoders");
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      const hyper_field *f;
      size_t len, nf, bound;
      ssize_t nlen;
      nv_cmp cmp = {b, 0, "hyper encode -> nghttp2 decode", s, i};
      int rc;

      bound = hyper_hpack_enc_bound(enc, b->fields, b->n);
      outbuf_reserve(ob, bound);
      rc = hyper_hpack_enc_encode(enc, b->fields, b->n, ob->p, ob->cap, &len);
      if (rc != 0) {
        die("hyper_hpack_enc_encode: story %02d block %zu: %s", s, i,
            hyper_strerror(rc));
      }
      if (len > bound) {
        die("hyper_hpack_enc_encode: story %02d block %zu: wrote %zu > bound "
            "%zu", s, i, len, bound);
      }
      *hyper_bytes += len;
      if (nghttp2_inflate_block(inf, ob->p, len, &sum, check_nv, &cmp) !=
          b->n) {
        die("%s: story %02d block %zu: field count differs", cmp.what, s, i);
      }

      outbuf_reserve(ob, nghttp2_hd_deflate_bound(def, b->nv, b->n));
      nlen = nghttp2_hd_deflate_hd(def, ob->p, ob->cap, b->nv, b->n);
      if (nlen < 0) {
        die("nghttp2_hd_deflate_hd: %s", nghttp2_strerror((int)nlen));
      }
      *ng_bytes += (uint64_t)nlen;
      rc = hyper_hpack_dec_decode(dec, ob->p, (size_t)nlen, &f, &nf);
      if (rc != 0) {
        die("nghttp2 encode -> hyper decode: story %02d block %zu: %s", s, i,
            hyper_strerror(rc));
      }
      cmp.what = "nghttp2 encode -> hyper decode";
      check_hyper_fields(&cmp, f, nf);
    }
    hyper_hpack_enc_free(enc);
    hyper_hpack_dec_free(dec);
    nghttp2_hd_deflate_del(def);
    nghttp2_hd_inflate_del(inf);
  }
  g_sink += sum;
}

/* Decodes the nghttp2/ wires with both decoders and compares with the lists
 * in the JSON. */
static void check_decode(const corpus *c) {
  uint64_t sum = 0;
  int s;
  for (s = 0; s < NSTORIES; s++) {
    const story *st = &c->stories[s];
    hyper_hpack_dec *dec;
    nghttp2_hd_inflater *inf;
    size_t i;
    if (hyper_hpack_dec_new(&dec, NULL, NULL) != 0 ||
        nghttp2_hd_inflate_new2(&inf, NULL) != 0) {
      die("cannot create decoders");
    }
    for (i = 0; i < st->nblocks; i++) {
      const block *b = &st->blocks[i];
      const hyper_field *f;
      size_t nf;
      nv_cmp cmp = {b, 0, "nghttp2/ wire -> hyper decode", s, i};
      int rc = hyper_hpack_dec_decode(dec, b->wire, b->wire_len, &f, &nf);
      if (rc != 0) {
        die("%s: story %02d block %zu: %s", cmp.what, s, i,
            hyper_strerror(rc));
      }
      check_hyper_fields(&cmp, f, nf);
      cmp.what = "nghttp2/ wire -> nghttp2 decode";
      if (nghttp2_inflate_block(inf, b->wire, b->wire_len, &sum, check_nv,
                                &cmp) != b->n) {
        die("%s: story %02d block %zu: field count differs", cmp.what, s, i);
      }
    }
    hyper_hpack_dec_free(dec);
    nghttp2_hd_inflate_del(inf);
  }
  g_sink += sum;
}

/* ------------------------------------------------------------------------ */
/* Timing                                                                   */
/* ------------------------------------------------------------------------ */

typedef uint64_t (*pass_fn)(const corpus *c, outbuf *ob);

/* Runs whole passes until |seconds| have elapsed; returns headers/s. */
static double timed(pass_fn fn, const corpus *c, outbuf *ob, double seconds) {
  uint64_t n = 0;
  double t0 = now_sec(), t;
  do {
    n += fn(c, ob);
    t = now_sec() - t0;
  } while (t < seconds);
  return (double)n / t;
}

static void usage(FILE *f) {
  fputs("usage: hpack [--rounds N] [--seconds S] [--corpus DIR]\n"
        "  --rounds N   rounds, each timing both libraries (default 7)\n"
        "  --seconds S  seconds per library, direction and round "
        "(default 1)\n"
        "  --corpus DIR the hpack-test-case checkout (default "
        "$HYPER_HPACK_CORPUS or " HYPER_HPACK_CORPUS_DEFAULT ")\n",
        f);
}

static const char *verdict(int ok) { return ok ? "met" : "NOT met"; }

int main(int argc, char **argv) {
  const char *dir = getenv("HYPER_HPACK_CORPUS");
  long rounds = 7;
  double seconds = 1.0;
  corpus enc_c, dec_c;
  outbuf ob = {NULL, 0};
  double *r_eh, *r_en, *r_dh, *r_dn, *r_er, *r_dr;
  uint64_t hyper_bytes, ng_bytes;
  double hyper_ratio, ng_ratio, m_eh, m_en, m_dh, m_dn, m_er, m_dr;
  long r;
  int i;

  if (!dir || !*dir) {
    dir = HYPER_HPACK_CORPUS_DEFAULT;
  }
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    char *end;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      usage(stderr);
      die("%s: missing value or unknown option", a);
    }
    errno = 0;
    if (strcmp(a, "--rounds") == 0) {
      rounds = strtol(argv[++i], &end, 10);
      if (errno || *end || rounds < 1 || rounds > 1000) {
        die("--rounds: want an integer in 1..1000, got \"%s\"", argv[i]);
      }
    } else if (strcmp(a, "--seconds") == 0) {
      seconds = strtod(argv[++i], &end);
      if (errno || *end || !(seconds > 0.0 && seconds <= 3600.0)) {
        die("--seconds: want a number in (0, 3600], got \"%s\"", argv[i]);
      }
    } else if (strcmp(a, "--corpus") == 0) {
      dir = argv[++i];
    } else {
      usage(stderr);
      die("unknown option %s", a);
    }
  }

  load_corpus(&enc_c, dir, "raw-data", 0);
  load_corpus(&dec_c, dir, "nghttp2", 1);

  printf("HPACK bench: hyper vs nghttp2 %s, one process, table %u\n",
         nghttp2_version(0)->version_str, TABLE_SIZE);
  printf("corpus %s\n", dir);
  printf("  encode: raw-data/  %d stories, %zu blocks, %zu headers, %zu raw "
         "name+value bytes\n",
         NSTORIES, enc_c.nblocks, enc_c.nheaders, enc_c.raw_bytes);
  printf("  decode: nghttp2/   %d stories, %zu blocks, %zu headers, %zu wire "
         "bytes\n",
         NSTORIES, dec_c.nblocks, dec_c.nheaders, dec_c.wire_bytes);

  /* Cross-checks (also warm caches and the allocator). */
  check_encode(&enc_c, &ob, &hyper_bytes, &ng_bytes);
  check_decode(&dec_c);
  printf("cross-check: hyper <-> nghttp2 round trips and nghttp2/ wires "
         "decode to the listed headers: ok\n");
  hyper_ratio = (double)hyper_bytes / (double)enc_c.raw_bytes;
  ng_ratio = (double)ng_bytes / (double)enc_c.raw_bytes;

  printf("%ld rounds x %.3g s per library and direction (order flips each "
         "round); Mh/s = million headers per second\n\n",
         rounds, seconds);
  printf("round |   encode Mh/s: hyper  nghttp2   ratio |   decode Mh/s: "
         "hyper  nghttp2   ratio\n");
  printf("------+-------------------------------------+------------------"
         "-------------------\n");
  fflush(stdout);

  r_eh = xcalloc((size_t)rounds, sizeof(double));
  r_en = xcalloc((size_t)rounds, sizeof(double));
  r_dh = xcalloc((size_t)rounds, sizeof(double));
  r_dn = xcalloc((size_t)rounds, sizeof(double));
  r_er = xcalloc((size_t)rounds, sizeof(double));
  r_dr = xcalloc((size_t)rounds, sizeof(double));
  for (r = 0; r < rounds; r++) {
    if (r % 2 == 0) {
      r_eh[r] = timed(hyper_encode_pass, &enc_c, &ob, seconds);
      r_en[r] = timed(nghttp2_encode_pass, &enc_c, &ob, seconds);
      r_dh[r] = timed(hyper_decode_pass, &dec_c, &ob, seconds);
      r_dn[r] = timed(nghttp2_decode_pass, &dec_c, &ob, seconds);
    } else {
      r_en[r] = timed(nghttp2_encode_pass, &enc_c, &ob, seconds);
      r_eh[r] = timed(hyper_encode_pass, &enc_c, &ob, seconds);
      r_dn[r] = timed(nghttp2_decode_pass, &dec_c, &ob, seconds);
      r_dh[r] = timed(hyper_decode_pass, &dec_c, &ob, seconds);
    }
    r_er[r] = r_eh[r] / r_en[r];
    r_dr[r] = r_dh[r] / r_dn[r];
    printf("%5ld | %19.2f %8.2f %7.2f | %19.2f %8.2f %7.2f\n", r + 1,
           r_eh[r] / 1e6, r_en[r] / 1e6, r_er[r], r_dh[r] / 1e6,
           r_dn[r] / 1e6, r_dr[r]);
    fflush(stdout);
  }
  m_eh = median(r_eh, (size_t)rounds);
  m_en = median(r_en, (size_t)rounds);
  m_dh = median(r_dh, (size_t)rounds);
  m_dn = median(r_dn, (size_t)rounds);
  m_er = median(r_er, (size_t)rounds);
  m_dr = median(r_dr, (size_t)rounds);
  printf("------+-------------------------------------+------------------"
         "-------------------\n");
  printf("median| %19.2f %8.2f %7.2f | %19.2f %8.2f %7.2f\n\n", m_eh / 1e6,
         m_en / 1e6, m_er, m_dh / 1e6, m_dn / 1e6, m_dr);

  printf("compressed size over raw-data/ (%zu raw name+value bytes):\n",
         enc_c.raw_bytes);
  printf("  hyper   %10" PRIu64 " bytes  %.4f\n", hyper_bytes, hyper_ratio);
  printf("  nghttp2 %10" PRIu64 " bytes  %.4f\n", ng_bytes, ng_ratio);
  printf("checksum %016" PRIx64 "\n\n", g_sink);

  printf("encode: hyper %.2f M/s, nghttp2 %.2f M/s, ratio median %.2f "
         "(target >= %.1f: %s)\n",
         m_eh / 1e6, m_en / 1e6, m_er, TARGET_ENCODE,
         verdict(m_er >= TARGET_ENCODE));
  printf("decode: hyper %.2f M/s, nghttp2 %.2f M/s, ratio median %.2f "
         "(target >= %.1f: %s)\n",
         m_dh / 1e6, m_dn / 1e6, m_dr, TARGET_DECODE,
         verdict(m_dr >= TARGET_DECODE));
  printf("size: hyper %.4f, nghttp2 %.4f (target hyper <= nghttp2: %s)\n",
         hyper_ratio, ng_ratio, verdict(hyper_bytes <= ng_bytes));

  free(r_eh);
  free(r_en);
  free(r_dh);
  free(r_dn);
  free(r_er);
  free(r_dr);
  free(ob.p);
  free_corpus(&enc_c);
  free_corpus(&dec_c);
  return 0;
}
