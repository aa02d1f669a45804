/* libFuzzer target: the HTTP/1.1 response parser object (src/h1/parse.c,
 * src/h1/chunked.c).
 *
 * Input layout: byte 0 holds the flags of the first two requests (low
 * nibble, high nibble: HYPER_H1_REQ_*); byte 1 configures the run:
 *   bits 0-1  number of requests announced (1..4; requests 3 and 4 have
 *             flags 0)
 *   bit  2    allow_bare_lf = 0
 *   bit  3    small limits (max_header_bytes 256, max_line 64,
 *             max_headers 4, max_chunk_ext 8, max_informational 2)
 *   bits 4-7  seed of the random split
 * The rest is the byte stream from the server. Missing bytes read as 0.
 *
 * The stream is fed three ways: whole, one byte per read, and in random
 * pieces. Each way behaves like a careful client: unconsumed bytes are kept
 * and every read moves them to fresh storage (so ASan catches any pointer
 * the parser kept into old storage), events are handled before consumed
 * bytes are dropped, and hyper_h1_parser_eof() is called at the end.
 * Oracles:
 *  - the three transcripts (events with adjacent DATA merged, the final
 *    error or EOF result, the unconsumed remainder) are identical;
 *  - every slice an event hands out lies inside the bytes given to the
 *    feed call that produced it; DATA is never empty; feed never consumes
 *    more than it was given and makes progress or queues an event;
 *  - errors are sticky (feed and eof return the same code again);
 *  - HEAD/INFORMATIONAL status codes are 100..999, INFORMATIONAL is 1xx and
 *    not 101, the field count respects the limit, END follows the
 *    response's rules (upgraded only after 101 or CONNECT 2xx).
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

typedef struct out {
  uint8_t *p;
  size_t len, cap;
  int in_data;
} out;

static void put(out *o, const void *p, size_t n) {
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 1024;
    while (cap < o->len + n)
      cap *= 2;
    o->p = realloc(o->p, cap);
    CHECK(o->p != NULL);
    o->cap = cap;
  }
  if (n)
    memcpy(o->p + o->len, p, n);
  o->len += n;
}

static void put_u64(out *o, uint64_t v) { put(o, &v, sizeof v); }

static void put_tag(out *o, char tag) {
  o->in_data = 0;
  put(o, &tag, 1);
}

static int inside(const uint8_t *p, size_t n, const uint8_t *base,
                  size_t blen) {
  if (n == 0)
    return 1;
  return p >= base && p + n <= base + blen;
}

static void put_fields(out *o, const hyper_field *f, size_t n,
                       const uint8_t *base, size_t blen, size_t max) {
  CHECK(n <= max);
  put_u64(o, n);
  for (size_t i = 0; i < n; i++) {
    CHECK(f[i].name_len > 0);
    CHECK(inside(f[i].name, f[i].name_len, base, blen));
    CHECK(inside(f[i].value, f[i].value_len, base, blen));
    CHECK(f[i].flags == 0);
    put_u64(o, f[i].name_len);
    put(o, f[i].name, f[i].name_len);
    put_u64(o, f[i].value_len);
    put(o, f[i].value, f[i].value_len);
  }
}

typedef struct ctx {
  const uint32_t *reqs;
  size_t nreqs;
  const hyper_h1_config *cfg;
} ctx;

/* One event, checked against the bytes |base|[0..blen) given to feed. */
static void record(out *o, const hyper_h1_event *ev, const uint8_t *base,
                   size_t blen, const ctx *c, int *upgraded,
                   uint32_t *last_status) {
  switch (ev->type) {
  case HYPER_H1_EV_DATA:
    CHECK(ev->u.data.len > 0);
    CHECK(inside(ev->u.data.data, ev->u.data.len, base, blen));
    if (!o->in_data) {
      put_tag(o, 'D');
      o->in_data = 1;
    }
    put(o, ev->u.data.data, ev->u.data.len);
    return;
  case HYPER_H1_EV_INFORMATIONAL:
  case HYPER_H1_EV_HEAD: {
    const hyper_h1_head *h = &ev->u.head;
    CHECK(h->status >= 100 && h->status <= 999);
    if (ev->type == HYPER_H1_EV_INFORMATIONAL)
      CHECK(h->status < 200 && h->status != 101);
    else
      CHECK(h->status >= 200 || h->status == 101);
    CHECK(h->minor_version >= 0 && h->minor_version <= 9);
    CHECK(inside(h->reason.ptr, h->reason.len, base, blen));
    CHECK(h->framing <= HYPER_H1_BODY_TUNNEL);
    CHECK(h->content_length >= -1);
    if (h->framing == HYPER_H1_BODY_CLOSE || h->framing == HYPER_H1_BODY_TUNNEL)
      CHECK(h->keep_alive == 0);
    put_tag(o, ev->type == HYPER_H1_EV_HEAD ? 'H' : 'I');
    put_u64(o, (uint64_t)h->status);
    put_u64(o, (uint64_t)h->minor_version);
    put_u64(o, h->reason.len);
    put(o, h->reason.ptr, h->reason.len);
    put_u64(o, (uint64_t)h->framing);
    put_u64(o, (uint64_t)h->content_length);
    put_u64(o, (uint64_t)h->keep_alive);
    put_fields(o, h->fields, h->nfields, base, blen, c->cfg->max_headers);
    *last_status = (uint32_t)h->status;
    return;
  }
  case HYPER_H1_EV_TRAILERS:
    put_tag(o, 'T');
    CHECK(ev->u.trailers.nfields > 0);
    put_fields(o, ev->u.trailers.fields, ev->u.trailers.nfields, base, blen,
               c->cfg->max_headers);
    return;
  case HYPER_H1_EV_END:
    put_tag(o, 'E');
    CHECK(ev->u.end.reusable == 0 || ev->u.end.reusable == 1);
    CHECK(ev->u.end.upgraded == 0 || ev->u.end.upgraded == 1);
    if (ev->u.end.upgraded) {
      CHECK(ev->u.end.reusable == 0);
      CHECK(*last_status == 101 || (*last_status >= 200 && *last_status < 300));
      *upgraded = 1;
    }
    put_u64(o, (uint64_t)ev->u.end.reusable);
    put_u64(o, (uint64_t)ev->u.end.upgraded);
    return;
  default:
    abort();
  }
}

/* Feeds |in| cut after the offsets in |cuts| and records a transcript. */
static void run(const uint8_t *in, size_t n, const size_t *cuts, size_t ncuts,
                const ctx *c, out *o) {
  hyper_h1_parser *p = NULL;
  CHECK(hyper_h1_parser_new(&p, c->cfg, NULL) == 0);
  for (size_t i = 0; i < c->nreqs; i++)
    CHECK(hyper_h1_parser_request(p, c->reqs[i]) == 0);
  uint8_t *pend = NULL;
  size_t plen = 0, pos = 0;
  int stop = 0, upgraded = 0;
  uint32_t last_status = 0;
  for (size_t piece = 0; piece <= ncuts && !stop; piece++) {
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
    while (off < plen) {
      int rv = hyper_h1_parser_feed(p, pend + off, plen - off);
      if (rv == HYPER_ERR_INCOMPLETE)
        break;
      if (rv < 0) {
        CHECK(rv == HYPER_ERR_H1_PARSE || rv == HYPER_ERR_H1_CHUNKED ||
              rv == HYPER_ERR_H1_LENGTH || rv == HYPER_ERR_H1_TOO_LARGE);
        CHECK(hyper_h1_parser_feed(p, pend, plen) == rv);
        CHECK(hyper_h1_parser_eof(p) == rv);
        CHECK(hyper_h1_parser_request(p, 0) == rv);
        hyper_h1_event ev;
        CHECK(hyper_h1_parser_next_event(p, &ev) == 0);
        put_tag(o, 'X');
        put_u64(o, (uint64_t)(int64_t)rv);
        stop = 1;
        break;
      }
      CHECK((size_t)rv <= plen - off);
      hyper_h1_event ev;
      int nev = 0;
      while (hyper_h1_parser_next_event(p, &ev)) {
        record(o, &ev, pend + off, (size_t)rv, c, &upgraded, &last_status);
        nev++;
      }
      CHECK(nev <= 3);
      CHECK(rv > 0 || nev > 0);
      off += (size_t)rv;
      if (upgraded) {
        CHECK(hyper_h1_parser_feed(p, pend + off, plen - off) ==
              HYPER_ERR_INVALID_STATE);
        stop = 2;
        break;
      }
    }
    nb = malloc(plen - off + 1);
    CHECK(nb != NULL);
    memcpy(nb, pend + off, plen - off);
    free(pend);
    pend = nb;
    plen -= off;
  }
  if (stop != 1) {
    int rv = hyper_h1_parser_eof(p);
    CHECK(rv == 0 || rv == HYPER_ERR_EOF || rv == HYPER_ERR_H1_UNEXPECTED_EOF);
    hyper_h1_event ev;
    while (hyper_h1_parser_next_event(p, &ev)) {
      CHECK(ev.type == HYPER_H1_EV_END && rv == 0);
      record(o, &ev, NULL, 0, c, &upgraded, &last_status);
    }
    put_tag(o, 'F');
    put_u64(o, (uint64_t)(int64_t)rv);
    /* what was left unconsumed (the new protocol's bytes after an
     * upgrade, or an incomplete section) */
    put_u64(o, plen + (n - pos));
    put(o, pend, plen);
    put(o, in + pos, n - pos);
  }
  free(pend);
  hyper_h1_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384)
    return 0;
  uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
  const uint8_t *in = size > 2 ? data + 2 : data;
  size_t n = size > 2 ? size - 2 : 0;

  uint32_t reqs[4] = {b0 & 0x0fu, (uint32_t)(b0 >> 4), 0, 0};
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  if (b1 & 0x04)
    cfg.allow_bare_lf = 0;
  if (b1 & 0x08) {
    cfg.max_header_bytes = 256;
    cfg.max_line = 64;
    cfg.max_headers = 4;
    cfg.max_chunk_ext = 8;
    cfg.max_informational = 2;
  }
  ctx c = {reqs, (size_t)(b1 & 3) + 1, &cfg};

  out whole = {0}, bytes = {0}, pieces = {0};
  run(in, n, NULL, 0, &c, &whole);

  size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
  CHECK(cuts != NULL);
  for (size_t i = 0; i + 1 < n; i++)
    cuts[i] = i + 1;
  run(in, n, cuts, n ? n - 1 : 0, &c, &bytes);

  uint32_t s = 0x9e3779b9u * ((uint32_t)(b1 >> 4) + 1u) ^ (uint32_t)n;
  size_t nc = 0, at = 0;
  for (;;) {
    s = s * 1103515245u + 12345u;
    at += 1 + (s >> 16) % 64;
    if (at >= n)
      break;
    cuts[nc++] = at;
  }
  run(in, n, cuts, nc, &c, &pieces);
  free(cuts);

  CHECK(whole.len == bytes.len && memcmp(whole.p, bytes.p, whole.len) == 0);
  CHECK(whole.len == pieces.len && memcmp(whole.p, pieces.p, whole.len) == 0);
  free(whole.p);
  free(bytes.p);
  free(pieces.p);
  return 0;
}
