/*
 * hpack-check: runs hyper's HPACK codec against the hpack-test-case corpus
 * (github.com/http2jp/hpack-test-case, JSON "stories").
 *
 *   hpack-check decode FILE.json...
 *       Decodes every case of each story, in order, with one decoder per
 *       file, and compares the result with the expected header list. Prints
 *       one line per failing case, then "N passed, M failed".
 *   hpack-check encode [--table-size N] RAW.json
 *       Encodes a raw-data story and writes the encoded story (same format as
 *       the corpus' encoder folders) to stdout.
 *
 * Exit status: 0 success, 1 a case failed (or encoding failed), 2 usage
 * error or unreadable / malformed input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hyper/hpack.h"
#include "hyper/version.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* Table sizes above this are refused by the codec (hpack.h: 2^30). */
#define TABLE_SIZE_LIMIT (1u << 30)

/* One case of a story. The fields point into the JSON document. */
typedef struct story_case {
  long long seqno;
  long long table_size; /* header_table_size, or -1 when absent */
  uint8_t *wire;        /* decoded "wire"; NULL when absent */
  size_t wire_len;
  hyper_field *fields;
  size_t nfields;
} story_case;

typedef struct story {
  json_t *root;
  story_case *cases;
  size_t ncases;
} story;

static void usage(FILE *f) {
  fputs("usage: hpack-check decode FILE.json...\n"
        "       hpack-check encode [--table-size N] RAW.json\n"
        "       hpack-check --help\n"
        "\n"
        "decode  decodes every case of each hpack-test-case story (one decoder\n"
        "        per file, honouring header_table_size), compares the header\n"
        "        lists, prints one line per failing case and a final\n"
        "        \"N passed, M failed\"; exits 1 if any case failed.\n"
        "encode  encodes a raw-data story and writes the encoded story JSON to\n"
        "        stdout. --table-size N is the peer's SETTINGS_HEADER_TABLE_SIZE\n"
        "        (default 4096), also used as the encoder's table limit.\n"
        "Exit status 2 means a usage error or an unreadable or malformed file.\n",
        f);
}

#if defined(__GNUC__)
#  define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a), noreturn))
#else
#  define PRINTF_LIKE(f, a)
#endif

PRINTF_LIKE(1, 2) static void die_usage(const char *fmt, ...);
PRINTF_LIKE(2, 3) static void die_input(const char *path, const char *fmt, ...);

static void die_usage(const char *fmt, ...) {
  va_list ap;
  fputs("hpack-check: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (see hpack-check --help)\n", stderr);
  exit(EXIT_USAGE);
}

static void die_input(const char *path, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "hpack-check: %s: ", path);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(EXIT_USAGE);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fputs("hpack-check: out of memory\n", stderr);
    exit(EXIT_FAILED);
  }
  return p;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads a JSON integer member |key| of |obj| in [0, max] into |*out|; absent
 * leaves |*out| alone. Exits on a malformed value. */
static void get_uint(const char *path, size_t idx, json_t *obj, const char *key,
                     long long max, long long *out) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return;
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > max)
    die_input(path, "case %zu: \"%s\" is not an integer in [0, %lld]", idx, key,
              max);
  *out = (long long)json_integer_value(v);
}

/* Loads and checks a story. |need_wire|: every case must carry "wire". */
static void story_load(story *s, const char *path, int need_wire) {
  json_error_t jerr;
  memset(s, 0, sizeof *s);
  s->root = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
  if (!s->root) {
    if (jerr.line > 0)
      die_input(path, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    die_input(path, "%s", jerr.text);
  }
  json_t *cases = json_object_get(s->root, "cases");
  if (!json_is_array(cases))
    die_input(path, "no \"cases\" array at the top level");
  s->ncases = json_array_size(cases);
  s->cases = xcalloc(s->ncases, sizeof *s->cases);
  for (size_t i = 0; i < s->ncases; i++) {
    json_t *c = json_array_get(cases, i);
    story_case *sc = &s->cases[i];
    if (!json_is_object(c))
      die_input(path, "case %zu is not an object", i);
    sc->seqno = (long long)i;
    sc->table_size = -1;
    get_uint(path, i, c, "seqno", INT64_MAX, &sc->seqno);
    get_uint(path, i, c, "header_table_size", TABLE_SIZE_LIMIT, &sc->table_size);

    json_t *wire = json_object_get(c, "wire");
    if (wire) {
      if (!json_is_string(wire))
        die_input(path, "case %zu: \"wire\" is not a string", i);
      const char *hex = json_string_value(wire);
      size_t hlen = json_string_length(wire);
      if (hlen % 2)
        die_input(path, "case %zu: \"wire\" has an odd number of hex digits", i);
      sc->wire = xcalloc(hlen / 2, 1);
      sc->wire_len = hlen / 2;
      for (size_t k = 0; k < sc->wire_len; k++) {
        int hi = hexval((unsigned char)hex[2 * k]);
        int lo = hexval((unsigned char)hex[2 * k + 1]);
        if (hi < 0 || lo < 0)
          die_input(path, "case %zu: \"wire\" is not hexadecimal", i);
        sc->wire[k] = (uint8_t)(hi << 4 | lo);
      }
    } else if (need_wire) {
      die_input(path, "case %zu has no \"wire\"", i);
    }

    json_t *headers = json_object_get(c, "headers");
    if (!json_is_array(headers))
      die_input(path, "case %zu has no \"headers\" array", i);
    sc->nfields = json_array_size(headers);
    sc->fields = xcalloc(sc->nfields, sizeof *sc->fields);
    for (size_t k = 0; k < sc->nfields; k++) {
      json_t *h = json_array_get(headers, k);
      if (!json_is_object(h) || json_object_size(h) != 1)
        die_input(path, "case %zu header %zu is not a one-member object", i, k);
      void *it = json_object_iter(h);
      const char *name = json_object_iter_key(it);
      json_t *value = json_object_iter_value(it);
      if (!json_is_string(value))
        die_input(path, "case %zu header %zu: the value is not a string", i, k);
      hyper_field *f = &sc->fields[k];
      f->name = (const uint8_t *)name;
#if JANSSON_VERSION_HEX >= 0x020e00
      f->name_len = json_object_iter_key_len(it);
#else
      f->name_len = strlen(name);
#endif
      f->value = (const uint8_t *)json_string_value(value);
      f->value_len = json_string_length(value);
    }
  }
}

static void story_free(story *s) {
  for (size_t i = 0; i < s->ncases; i++) {
    free(s->cases[i].wire);
    free(s->cases[i].fields);
  }
  free(s->cases);
  json_decref(s->root);
}

/* Writes |p|[0..n) into |buf| as a quoted, escaped, possibly shortened
 * string for a one-line message. */
static const char *show(char *buf, size_t cap, const uint8_t *p, size_t n) {
  static const size_t max_shown = 48;
  size_t o = 0;
  buf[o++] = '"';
  for (size_t i = 0; i < n && o + 8 < cap; i++) {
    if (i == max_shown) {
      o += (size_t)snprintf(buf + o, cap - o, "\"...(%zu bytes)", n);
      return buf;
    }
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
      buf[o++] = (char)p[i];
    else
      o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", p[i]);
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return buf;
}

static int field_eq(const hyper_field *a, const hyper_field *b) {
  return a->name_len == b->name_len && a->value_len == b->value_len &&
         (!a->name_len || memcmp(a->name, b->name, a->name_len) == 0) &&
         (!a->value_len || memcmp(a->value, b->value, a->value_len) == 0);
}

/* Compares a decoded list with the expected one; on a mismatch writes the
 * reason into |why| and returns -1. */
static int compare(const hyper_field *got, size_t ngot, const hyper_field *want,
                   size_t nwant, char *why, size_t cap) {
  char b1[256], b2[256], b3[256], b4[256];
  size_t n = ngot < nwant ? ngot : nwant;
  for (size_t i = 0; i < n; i++) {
    if (field_eq(&got[i], &want[i]))
      continue;
    snprintf(why, cap, "header %zu: got %s: %s, expected %s: %s", i,
             show(b1, sizeof b1, got[i].name, got[i].name_len),
             show(b2, sizeof b2, got[i].value, got[i].value_len),
             show(b3, sizeof b3, want[i].name, want[i].name_len),
             show(b4, sizeof b4, want[i].value, want[i].value_len));
    return -1;
  }
  if (ngot != nwant) {
    snprintf(why, cap, "got %zu headers, expected %zu", ngot, nwant);
    return -1;
  }
  return 0;
}

static int cmd_decode(int argc, char **argv) {
  unsigned long passed = 0, failed = 0;
  if (argc < 1)
    die_usage("decode: no story file given");
  for (int a = 0; a < argc; a++) {
    const char *path = argv[a];
    story s;
    story_load(&s, path, 1);

    /* The decoder's limit must admit every header_table_size the story
     * announces (nghttp2-16384-4096 starts at 16384). */
    hyper_hpack_dec_config cfg;
    hyper_hpack_dec_config_init(&cfg);
    for (size_t i = 0; i < s.ncases; i++)
      if (s.cases[i].table_size > (long long)cfg.max_table_size)
        cfg.max_table_size = (uint32_t)s.cases[i].table_size;
    hyper_hpack_dec *dec;
    int rv = hyper_hpack_dec_new(&dec, &cfg, NULL);
    if (rv) {
      fprintf(stderr, "hpack-check: hyper_hpack_dec_new: %s\n", hyper_strerror(rv));
      return EXIT_FAILED;
    }
    for (size_t i = 0; i < s.ncases; i++) {
      const story_case *sc = &s.cases[i];
      char why[1200];
      why[0] = '\0';
      if (sc->table_size >= 0) {
        rv = hyper_hpack_dec_set_max_table_size(dec, (uint32_t)sc->table_size);
        if (rv)
          snprintf(why, sizeof why, "hyper_hpack_dec_set_max_table_size(%lld): %s",
                   sc->table_size, hyper_err_name(rv));
      }
      if (!why[0]) {
        const hyper_field *out;
        size_t nout;
        rv = hyper_hpack_dec_decode(dec, sc->wire, sc->wire_len, &out, &nout);
        if (rv)
          snprintf(why, sizeof why, "decode failed: %s (%s)", hyper_err_name(rv),
                   hyper_strerror(rv));
        else
          compare(out, nout, sc->fields, sc->nfields, why, sizeof why);
      }
      if (why[0]) {
        printf("%s: seqno %lld: %s\n", path, sc->seqno, why);
        failed++;
      } else {
        passed++;
      }
    }
    hyper_hpack_dec_free(dec);
    story_free(&s);
  }
  printf("%lu passed, %lu failed\n", passed, failed);
  return failed ? EXIT_FAILED : 0;
}

static char *hex_encode(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char *s = xcalloc(2 * n + 1, 1);
  for (size_t i = 0; i < n; i++) {
    s[2 * i] = digits[p[i] >> 4];
    s[2 * i + 1] = digits[p[i] & 15];
  }
  return s;
}

static uint32_t parse_table_size(const char *arg) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(arg, &end, 10);
  if (!*arg || *end || errno || arg[0] == '-' || v > TABLE_SIZE_LIMIT)
    die_usage("--table-size: \"%s\" is not an integer in [0, %u]", arg,
              TABLE_SIZE_LIMIT);
  return (uint32_t)v;
}

static int cmd_encode(int argc, char **argv) {
  uint32_t table_size = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  const char *path = NULL;
  for (int a = 0; a < argc; a++) {
    if (strcmp(argv[a], "--table-size") == 0) {
      if (a + 1 == argc)
        die_usage("--table-size needs a value");
      table_size = parse_table_size(argv[++a]);
    } else if (strncmp(argv[a], "--table-size=", 13) == 0) {
      table_size = parse_table_size(argv[a] + 13);
    } else if (argv[a][0] == '-' && argv[a][1]) {
      die_usage("encode: unknown option %s", argv[a]);
    } else if (path) {
      die_usage("encode: takes one file");
    } else {
      path = argv[a];
    }
  }
  if (!path)
    die_usage("encode: no raw story file given");

  story s;
  story_load(&s, path, 0);
  hyper_hpack_enc_config cfg;
  hyper_hpack_enc_config_init(&cfg);
  cfg.max_table_size = table_size;
  hyper_hpack_enc *enc;
  int rv = hyper_hpack_enc_new(&enc, &cfg, NULL);
  if (rv) {
    fprintf(stderr, "hpack-check: hyper_hpack_enc_new: %s\n", hyper_strerror(rv));
    story_free(&s);
    return EXIT_FAILED;
  }
  hyper_hpack_enc_set_peer_table_size(enc, table_size);

  json_t *root = json_object();
  json_t *cases = json_array();
  json_object_set_new(root, "cases", cases);
  for (size_t i = 0; i < s.ncases; i++) {
    const story_case *sc = &s.cases[i];
    size_t cap = hyper_hpack_enc_bound(enc, sc->fields, sc->nfields);
    uint8_t *buf = xcalloc(cap, 1);
    size_t len;
    rv = hyper_hpack_enc_encode(enc, sc->fields, sc->nfields, buf, cap, &len);
    if (rv) {
      fprintf(stderr, "hpack-check: %s: seqno %lld: encode failed: %s (%s)\n",
              path, sc->seqno, hyper_err_name(rv), hyper_strerror(rv));
      free(buf);
      json_decref(root);
      hyper_hpack_enc_free(enc);
      story_free(&s);
      return EXIT_FAILED;
    }
    char *hex = hex_encode(buf, len);
    free(buf);

    json_t *c = json_object();
    json_object_set_new(c, "seqno", json_integer(sc->seqno));
    if (i == 0 && table_size != HYPER_HPACK_DEFAULT_TABLE_SIZE)
      json_object_set_new(c, "header_table_size", json_integer(table_size));
    json_object_set_new(c, "wire", json_string(hex));
    free(hex);
    json_t *headers = json_array();
    for (size_t k = 0; k < sc->nfields; k++) {
      const hyper_field *f = &sc->fields[k];
      json_t *h = json_object();
      json_t *v = json_stringn((const char *)f->value, f->value_len);
#if JANSSON_VERSION_HEX >= 0x020e00
      json_object_setn_new(h, (const char *)f->name, f->name_len, v);
#else
      json_object_set_new(h, (const char *)f->name, v); /* no NUL in old keys */
#endif
      json_array_append_new(headers, h);
    }
    json_object_set_new(c, "headers", headers);
    json_array_append_new(cases, c);
  }
  char desc[128];
  snprintf(desc, sizeof desc,
           "Encoded by hyper " HYPER_VERSION_STR
           " (hpack-check encode, peer table size %u, Huffman when shorter)",
           (unsigned)table_size);
  json_object_set_new(root, "description", json_string(desc));

  rv = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (rv == 0 && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
    rv = -1;
  if (rv)
    fprintf(stderr, "hpack-check: writing the output failed\n");
  json_decref(root);
  hyper_hpack_enc_free(enc);
  story_free(&s);
  return rv ? EXIT_FAILED : 0;
}

int main(int argc, char **argv) {
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  }
  if (argc < 2)
    die_usage("no command given");
  if (strcmp(argv[1], "decode") == 0)
    return cmd_decode(argc - 2, argv + 2);
  if (strcmp(argv[1], "encode") == 0)
    return cmd_encode(argc - 2, argv + 2);
  die_usage("unknown command \"%s\"", argv[1]);
  return EXIT_USAGE;
}
