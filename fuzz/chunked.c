/* libFuzzer target: the chunked transfer coding decoder
 * (src/h1/chunked.c) and the chunk writer (src/h1/write.c).
 *
 * Input layout: byte 0 configures the run:
 *   bit  0    allow_bare_lf = 0 (trailer lines)
 *   bit  1    small limits (max_chunk_ext 8, max_header_bytes 64,
 *             max_line 32, max_headers 3)
 *   bits 4-7  seed of the random split
 * The rest is a chunked body. Missing bytes read as 0.
 *
 * Oracles:
 *  - decoding whole, one byte per read (every read moving the unconsumed
 *    bytes to fresh storage) and in random pieces gives the same data, the
 *    same trailer section, and the same outcome (done / error code /
 *    waiting for more), and the same octet count when no error occurred;
 *  - data and trailer slices lie inside the bytes given to the call; a
 *    call never consumes more than it was given; errors are sticky; after
 *    done nothing more is consumed;
 *  - a trailer section handed out splits with hyper_h1_parse_fields();
 *  - re-encoding the decoded data with hyper_h1_write_chunk*() (in pieces
 *    of varying size) and the trailers with hyper_h1_write_last_chunk()
 *    decodes back to the same data and trailer fields.
 * Any violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c))                                                                  \
      abort();                                                                 \
  } while (0)

typedef struct res {
  uint8_t *data;
  size_t dlen;
  uint8_t *trailers;
  size_t tlen;
  int done, err;
  size_t consumed;
} res;

static void append(uint8_t **p, size_t *len, const uint8_t *src, size_t n) {
  if (!n)
    return;
  *p = realloc(*p, *len + n);
  CHECK(*p != NULL);
  memcpy(*p + *len, src, n);
  *len += n;
}

static void decode(const uint8_t *in, size_t n, const size_t *cuts,
                   size_t ncuts, const hyper_h1_config *cfg, res *r) {
  hyper_h1_chunked c;
  hyper_h1_chunked_init(&c, cfg);
  memset(r, 0, sizeof *r);
  uint8_t *pend = NULL;
  size_t plen = 0, pos = 0;
  for (size_t piece = 0; piece <= ncuts && !r->done && !r->err; piece++) {
    size_t end = piece < ncuts ? cuts[piece] : n;
    uint8_t *nb = malloc(plen + (end - pos) + 1);
    CHECK(nb != NULL);
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
        CHECK(o.len == 0 && !o.done);
        break;
      }
      if (rv < 0) {
        CHECK(rv == HYPER_ERR_H1_CHUNKED || rv == HYPER_ERR_H1_PARSE ||
              rv == HYPER_ERR_H1_TOO_LARGE);
        CHECK(hyper_h1_chunked_decode(&c, pend, plen, &o) == rv);
        r->err = rv;
        break;
      }
      size_t used = (size_t)rv;
      CHECK(used <= plen - off);
      if (o.len) {
        CHECK(o.data >= pend + off && o.data + o.len <= pend + off + used);
        append(&r->data, &r->dlen, o.data, o.len);
      } else {
        CHECK(o.data == NULL);
      }
      if (o.done) {
        r->done = 1;
        if (o.trailers.len) {
          CHECK(o.trailers.ptr >= pend + off &&
                o.trailers.ptr + o.trailers.len <= pend + off + used);
          append(&r->trailers, &r->tlen, o.trailers.ptr, o.trailers.len);
        }
        hyper_h1_chunked_out o2;
        CHECK(hyper_h1_chunked_decode(&c, pend + off + used,
                                      plen - off - used, &o2) == 0);
        CHECK(!o2.done && o2.len == 0);
      } else {
        CHECK(o.trailers.len == 0);
      }
      CHECK(used > 0 || o.done);
      off += used;
      r->consumed += used;
    }
    nb = malloc(plen - off + 1);
    CHECK(nb != NULL);
    memcpy(nb, pend + off, plen - off);
    free(pend);
    pend = nb;
    plen -= off;
  }
  free(pend);
}

static void same(const res *a, const res *b) {
  CHECK(a->dlen == b->dlen);
  CHECK(a->dlen == 0 || memcmp(a->data, b->data, a->dlen) == 0);
  CHECK(a->tlen == b->tlen);
  CHECK(a->tlen == 0 || memcmp(a->trailers, b->trailers, a->tlen) == 0);
  CHECK(a->done == b->done && a->err == b->err);
  if (!a->err)
    CHECK(a->consumed == b->consumed);
}

static void release(res *r) {
  free(r->data);
  free(r->trailers);
}

#define MAXF HYPER_H1_DEFAULT_MAX_HEADERS

/* Writes r's data and trailers with the writer and decodes them again. */
static void roundtrip(const res *r, const hyper_h1_config *cfg) {
  hyper_field f[MAXF];
  size_t nf = 0;
  if (r->tlen) {
    int rv = hyper_h1_parse_fields(r->trailers, r->tlen, cfg, f, MAXF, &nf);
    CHECK(rv == 0);
  }
  size_t cap = r->dlen * 2 + 64 + r->tlen * 2 + 256;
  for (size_t i = 0; i < nf; i++)
    cap += f[i].name_len + f[i].value_len + 4;
  uint8_t *wire = malloc(cap);
  CHECK(wire != NULL);
  size_t off = 0, w, taken = 0, step = 1;
  while (taken < r->dlen) {
    size_t k = step < r->dlen - taken ? step : r->dlen - taken;
    CHECK(hyper_h1_write_chunk(r->data + taken, k, wire + off, cap - off,
                               &w) == 0);
    off += w;
    taken += k;
    step = step * 3 + 1;
  }
  int rv = hyper_h1_write_last_chunk(f, nf, wire + off, cap - off, &w);
  if (rv == HYPER_ERR_INVALID_ARGUMENT) {
    /* the writer refuses trailers a sender must not send (Host,
     * Content-Length, Transfer-Encoding); write the others */
    hyper_field g[MAXF];
    size_t ng = 0;
    for (size_t i = 0; i < nf; i++) {
      size_t one;
      uint8_t tmp[8];
      if (hyper_h1_write_last_chunk(&f[i], 1, tmp, 0, &one) ==
          HYPER_ERR_BUFFER_TOO_SMALL)
        g[ng++] = f[i];
    }
    CHECK(ng < nf);
    memcpy(f, g, ng * sizeof g[0]);
    nf = ng;
    rv = hyper_h1_write_last_chunk(f, nf, wire + off, cap - off, &w);
  }
  CHECK(rv == 0);
  off += w;

  /* decoded with default limits: our own output must always pass */
  res back;
  hyper_h1_config big;
  hyper_h1_config_init(&big);
  big.max_headers = MAXF;
  big.max_line = 1u << 20; /* ": " and CRLF may lengthen a line */
  big.max_header_bytes = 1u << 20;
  decode(wire, off, NULL, 0, &big, &back);
  CHECK(back.done && !back.err && back.consumed == off);
  CHECK(back.dlen == r->dlen);
  CHECK(r->dlen == 0 || memcmp(back.data, r->data, r->dlen) == 0);
  hyper_field g[MAXF];
  size_t ng = 0;
  if (back.tlen)
    CHECK(hyper_h1_parse_fields(back.trailers, back.tlen, &big, g, MAXF,
                                &ng) == 0);
  CHECK(ng == nf);
  for (size_t i = 0; i < nf; i++) {
    CHECK(g[i].name_len == f[i].name_len &&
          memcmp(g[i].name, f[i].name, f[i].name_len) == 0);
    CHECK(g[i].value_len == f[i].value_len &&
          (f[i].value_len == 0 ||
           memcmp(g[i].value, f[i].value, f[i].value_len) == 0));
  }
  release(&back);
  free(wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384)
    return 0;
  uint8_t b0 = size > 0 ? data[0] : 0;
  const uint8_t *in = size > 1 ? data + 1 : data;
  size_t n = size > 1 ? size - 1 : 0;
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  if (b0 & 1)
    cfg.allow_bare_lf = 0;
  if (b0 & 2) {
    cfg.max_chunk_ext = 8;
    cfg.max_header_bytes = 64;
    cfg.max_line = 32;
    cfg.max_headers = 3;
  }

  res whole, bytes, pieces;
  decode(in, n, NULL, 0, &cfg, &whole);
  size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
  CHECK(cuts != NULL);
  for (size_t i = 0; i + 1 < n; i++)
    cuts[i] = i + 1;
  decode(in, n, cuts, n ? n - 1 : 0, &cfg, &bytes);
  uint32_t s = 0x85ebca6bu * ((uint32_t)(b0 >> 4) + 1u) ^ (uint32_t)n;
  size_t nc = 0, at = 0;
  for (;;) {
    s = s * 1103515245u + 12345u;
    at += 1 + (s >> 16) % 48;
    if (at >= n)
      break;
    cuts[nc++] = at;
  }
  decode(in, n, cuts, nc, &cfg, &pieces);
  free(cuts);
  same(&whole, &bytes);
  same(&whole, &pieces);
  if (whole.done)
    roundtrip(&whole, &cfg);
  release(&whole);
  release(&bytes);
  release(&pieces);
  return 0;
}
