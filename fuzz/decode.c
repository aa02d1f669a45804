/*
 * fuzz/decode.c — libFuzzer target for content decoding (src/decode/):
 * gzip, deflate (zlib and raw), br, zstd and stacks of them.
 *
 * Input layout (missing bytes read as 0):
 *   byte 0  bits 0-3  Content-Encoding value, from CODINGS below
 *           bits 4-5  input piece size: whole, 1, 7, 512
 *           bits 6-7  output buffer size: 1, 64, 4096, 65536
 *   byte 1  bits 0-1  limits: default ratio, ratio off, ratio 10 with no
 *                     grace, default ratio; max_output_total is
 *                     MAX_OUT (or MAX_OUT_SMALL_BUF with 1- and 64-byte
 *                     output buffers) so that a run stays fast
 *           bits 2-7  if nonzero: the allocator fails that allocation
 *   rest    the encoded body
 *
 * The body is decoded once as configured and once more in one piece into
 * a large buffer with a healthy allocator. Checked (abort() on violation):
 * only documented codes come back; consumed/produced stay in bounds and
 * every call makes progress; errors are sticky; finish never reports output
 * waiting (the loop drains as documented); output never passes
 * max_output_total by more than one byte nor the ratio cap by more than one
 * buffer; the two runs agree (same bytes when both succeed, one a prefix of
 * the other otherwise); NOMEM only when an allocation was refused; identity
 * copies the input; peak memory stays below the documented bound and
 * nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Output cap per run: above the default ratio grace (1 MiB) so the ratio
 * rule is reached with default limits, and small with 1- and 64-byte
 * output buffers, where every output byte costs a feed call: a 4 MiB bomb
 * through a 1-byte buffer took ~0.4 s and held the campaign at ~500
 * exec/s. The cap logic is the same at any size. */
#define MAX_OUT ((uint64_t)5 << 18) /* 1.25 MiB */
#define MAX_OUT_SMALL_BUF ((uint64_t)64 << 10)
/* Four brotli stages with 16 MiB windows, plus zlib and buffers. */
#define MAX_PEAK ((size_t)70 << 20)

#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "fuzz_decode: check failed: %s (%s:%d)\n  ", #cond,     \
              __FILE__, __LINE__);                                            \
      fprintf(stderr, __VA_ARGS__);                                           \
      fprintf(stderr, "\n");                                                  \
      abort();                                                                \
    }                                                                         \
  } while (0)

static const char *const CODINGS[16] = {
    "gzip",          "deflate",      "br",
    "x-gzip",        "identity",     "deflate, gzip",
    "gzip, br",      "br, gzip",     "gzip, gzip",
    "deflate, br",   "br, deflate",  "GZIP , identity",
    "zstd",          "deflate, gzip, br, zstd",
    "deflate,deflate", ""};

/* A counting allocator that can refuse one allocation. */
typedef struct cmem {
  hyper_mem mem;
  long nalloc, fail_at, nfailed, live;
  size_t bytes, peak;
} cmem;

#define HDR 16

static void *c_malloc(size_t n, void *user) {
  cmem *c = user;
  if (++c->nalloc == c->fail_at) {
    c->nfailed++;
    return NULL;
  }
  unsigned char *p = malloc(n + HDR);
  if (!p)
    return NULL;
  memcpy(p, &n, sizeof n);
  c->live++;
  c->bytes += n;
  if (c->bytes > c->peak)
    c->peak = c->bytes;
  return p + HDR;
}

static void *c_calloc(size_t k, size_t n, void *user) {
  if (n && k > SIZE_MAX / n)
    return NULL;
  void *p = c_malloc(k * n, user);
  if (p)
    memset(p, 0, k * n);
  return p;
}

static void c_free(void *ptr, void *user) {
  cmem *c = user;
  if (!ptr)
    return;
  unsigned char *p = (unsigned char *)ptr - HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  c->live--;
  c->bytes -= n;
  free(p);
}

static void *c_realloc(void *ptr, size_t n, void *user) {
  /* decode.c never reallocates; keep it simple and correct anyway */
  if (!ptr)
    return c_malloc(n, user);
  void *q = c_malloc(n, user);
  if (!q)
    return NULL;
  size_t on;
  memcpy(&on, (unsigned char *)ptr - HDR, sizeof on);
  memcpy(q, ptr, on < n ? on : n);
  c_free(ptr, user);
  return q;
}

static void cmem_init(cmem *c, long fail_at) {
  memset(c, 0, sizeof *c);
  c->mem.user = c;
  c->mem.malloc = c_malloc;
  c->mem.calloc = c_calloc;
  c->mem.realloc = c_realloc;
  c->mem.free = c_free;
  c->fail_at = fail_at;
}

typedef struct result {
  int rv;
  uint8_t *out; /* decoded bytes (MAX_OUT + cap at most) */
  size_t len;
  uint64_t consumed;
  unsigned ncodings;
} result;

static int allowed(int rv) {
  return rv == HYPER_OK || rv == HYPER_ERR_DECODE_GZIP ||
         rv == HYPER_ERR_DECODE_BROTLI || rv == HYPER_ERR_DECODE_ZSTD ||
         rv == HYPER_ERR_DECODE_RATIO || rv == HYPER_ERR_NOMEM;
}

static void out_put(result *r, const uint8_t *p, size_t n, size_t *cap) {
  if (!n)
    return;
  if (r->len + n > *cap) {
    *cap = (r->len + n) * 2;
    r->out = realloc(r->out, *cap);
    CHECK(r->out != NULL, "out of memory in the harness");
  }
  memcpy(r->out + r->len, p, n);
  r->len += n;
}

static result run(const char *coding, const uint8_t *in, size_t n,
                  size_t piece, size_t out_cap,
                  const hyper__decode_limits *lim, cmem *cm) {
  result r = {0, NULL, 0, 0, 0};
  size_t rcap = 0;
  hyper__decoder *d;
  r.rv = hyper__decoder_new(&d, coding, strlen(coding), lim, &cm->mem);
  if (r.rv) {
    CHECK(r.rv == HYPER_ERR_NOMEM && cm->nfailed, "new: %s",
          hyper_err_name(r.rv));
    return r;
  }
  r.ncodings = hyper__decoder_ncodings(d);
  uint8_t *buf = malloc(out_cap);
  CHECK(buf != NULL, "harness malloc");
  size_t off = 0;
  while (r.rv == HYPER_OK) {
    size_t len = piece ? (n - off < piece ? n - off : piece) : n - off;
    const uint8_t *p = in + off;
    for (;;) {
      size_t c = 0, pr = 0;
      r.rv = hyper__decoder_feed(d, len ? p : NULL, len, &c, buf, out_cap, &pr);
      CHECK(allowed(r.rv), "feed: %s", hyper_err_name(r.rv));
      CHECK(c <= len && pr <= out_cap, "feed: %zu/%zu in, %zu/%zu out", c,
            len, pr, out_cap);
      out_put(&r, buf, pr, &rcap);
      r.consumed += c;
      p += c;
      len -= c;
      if (r.rv) {
        size_t c2 = 1, pr2 = 1;
        CHECK(hyper__decoder_feed(d, p, len, &c2, buf, out_cap, &pr2) ==
                      r.rv && c2 == 0 && pr2 == 0,
              "error %s is not sticky", hyper_err_name(r.rv));
        break;
      }
      if (!len && pr < out_cap)
        break;
      CHECK(c || pr, "feed made no progress");
    }
    off = (size_t)(p - in);
    if (r.rv || off == n)
      break;
  }
  if (r.rv == HYPER_OK) {
    r.rv = hyper__decoder_finish(d);
    CHECK(allowed(r.rv), "finish: %s", hyper_err_name(r.rv));
  } else {
    CHECK(hyper__decoder_finish(d) == r.rv, "finish forgot %s",
          hyper_err_name(r.rv));
  }
  CHECK((r.rv == HYPER_ERR_NOMEM) == (cm->nfailed > 0),
        "%s with %ld refused allocations", hyper_err_name(r.rv), cm->nfailed);
  hyper__decoder_free(d);
  free(buf);
  CHECK(cm->live == 0 && cm->bytes == 0, "leak: %ld blocks, %zu bytes",
        cm->live, cm->bytes);
  CHECK(cm->peak <= MAX_PEAK, "peak %zu bytes", cm->peak);

  /* limits (none for pass-through): total cap + 1 at most; ratio cap +
   * one buffer at most */
  if (r.ncodings == 0)
    return r;
  CHECK(r.len <= lim->max_output_total + 1, "output %zu past the cap", r.len);
  if (lim->max_ratio && r.len > lim->ratio_grace + out_cap) {
    uint64_t allowed_out = r.consumed * lim->max_ratio + out_cap;
    CHECK(r.len <= allowed_out, "output %zu for %llu in (ratio %u)", r.len,
          (unsigned long long)r.consumed, lim->max_ratio);
  }
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t pieces[4] = {0, 1, 7, 512};
  static const size_t caps[4] = {1, 64, 4096, 65536};
  uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
  const uint8_t *body = size > 2 ? data + 2 : data;
  size_t n = size > 2 ? size - 2 : 0;
  const char *coding = CODINGS[b0 & 15];
  size_t piece = pieces[(b0 >> 4) & 3], out_cap = caps[b0 >> 6];

  hyper__decode_limits lim;
  hyper__decode_limits_init(&lim);
  lim.max_output_total = out_cap >= 4096 ? MAX_OUT : MAX_OUT_SMALL_BUF;
  if ((b1 & 3) == 1)
    lim.max_ratio = 0;
  else if ((b1 & 3) == 2) {
    lim.max_ratio = 10;
    lim.ratio_grace = 0;
  }

  cmem cm;
  cmem_init(&cm, b1 >> 2);
  result a = run(coding, body, n, piece, out_cap, &lim, &cm);
  int failed = cm.nfailed > 0;

  cmem_init(&cm, 0);
  result b = run(coding, body, n, 0, 65536, &lim, &cm);
  CHECK(b.rv != HYPER_ERR_NOMEM, "NOMEM with a healthy allocator");

  /* The split and the buffer size must not change the decoded bytes. */
  size_t common = a.len < b.len ? a.len : b.len;
  CHECK(common == 0 || memcmp(a.out, b.out, common) == 0,
        "runs disagree within the first %zu bytes", common);
  if (!failed && a.rv != HYPER_ERR_DECODE_RATIO &&
      b.rv != HYPER_ERR_DECODE_RATIO) {
    CHECK((a.rv == HYPER_OK) == (b.rv == HYPER_OK), "split changed %s to %s",
          hyper_err_name(b.rv), hyper_err_name(a.rv));
    if (a.rv == HYPER_OK)
      CHECK(a.len == b.len, "split changed the length %zu to %zu", b.len,
            a.len);
  }
  if (b.rv == HYPER_OK && strcmp(coding, "identity") == 0)
    CHECK(b.len == n && (n == 0 || memcmp(b.out, body, n) == 0),
          "identity changed the body");
  free(a.out);
  free(b.out);
  return 0;
}
