/* Streaming content decoding: the Content-Encoding parser, a pipeline of up
 * to HYPER__DECODE_MAX_CODINGS stages (zlib for gzip/deflate, brotli for
 * br, libzstd for zstd) joined by fixed 16 KiB buffers, and the bomb limits. See decode.h for
 * the contract.
 *
 * Pipeline: stage 0 undoes the coding applied last and reads the caller's
 * input; stage n-1 undoes the coding applied first and writes the caller's
 * output; stage i writes into st[i].buf, which stage i+1 reads. One feed
 * call runs passes over all stages until a pass makes no progress or the
 * caller's buffer is full, so every buffer drains before we return. */
#include "decode.h"

#include <limits.h>

#include <brotli/decode.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>
#define ZLIB_CONST /* next_in is const */
#include <zlib.h>

#define STAGE_BUF_SIZE (16u * 1024u)

enum coding { CODING_GZIP = 1, CODING_DEFLATE, CODING_BR, CODING_ZSTD };

/* RFC 9659 §3: a zstd-coded HTTP body uses a window of at most 8 MiB
 * (log 23); a frame asking for more is refused rather than honoured. */
#define ZSTD_HTTP_WINDOW_LOG_MAX 23

enum stage_state {
  ST_SNIFF = 0, /* deflate only: collecting 2 bytes to tell zlib from raw */
  ST_BODY,      /* inside a stream */
  ST_END,       /* stream complete (gzip: another member may follow) */
  ST_PAD        /* gzip only: NUL padding after the last member */
};

typedef struct stage {
  uint8_t coding; /* enum coding */
  uint8_t state;  /* enum stage_state */
  uint8_t hdr[2]; /* deflate: the sniffed first bytes, replayed to zlib */
  uint8_t hdr_len;
  uint8_t hdr_pos;
  uint8_t z_ready; /* inflateInit2 succeeded: inflateEnd needed */
  z_stream z;
  BrotliDecoderState *br;
  ZSTD_DCtx *zs;
  uint8_t *buf; /* output towards the next stage; NULL for the last */
  size_t pos;   /* first unread byte of buf */
  size_t len;   /* bytes written to buf */
} stage;

struct hyper__decoder {
  hyper_mem mem;
  hyper__decode_limits lim;
  int err;          /* sticky error, 0 while healthy */
  int alloc_failed; /* the allocator refused zlib or brotli */
  int out_full;     /* the last feed filled the caller's buffer */
  unsigned n;       /* stages in use */
  uint64_t in_total;  /* encoded bytes consumed by stage 0 */
  uint64_t out_total; /* decoded bytes handed to the caller */
  stage st[HYPER__DECODE_MAX_CODINGS];
};

void hyper__decode_limits_init(hyper__decode_limits *lim) {
  lim->max_output_total = HYPER__DECODE_DEFAULT_MAX_OUTPUT;
  lim->max_ratio = HYPER__DECODE_DEFAULT_MAX_RATIO;
  lim->ratio_grace = HYPER__DECODE_DEFAULT_RATIO_GRACE;
}

/* ---- allocator bridges: zlib and brotli allocate through d->mem ---- */

static void *bridge_alloc(hyper__decoder *d, size_t n) {
  void *p = hyper__mem_malloc(&d->mem, n ? n : 1);
  if (!p)
    d->alloc_failed = 1;
  return p;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
  if (size && items > SIZE_MAX / size) {
    ((hyper__decoder *)opaque)->alloc_failed = 1;
    return Z_NULL;
  }
  return bridge_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p) {
  hyper__decoder *d = opaque;
  hyper__mem_free(&d->mem, p);
}

static void *br_alloc(void *opaque, size_t size) {
  return bridge_alloc(opaque, size);
}

static void br_free(void *opaque, void *p) {
  hyper__decoder *d = opaque;
  hyper__mem_free(&d->mem, p);
}

static void *zs_alloc(void *opaque, size_t size) {
  return bridge_alloc(opaque, size);
}

static void zs_free(void *opaque, void *p) {
  hyper__decoder *d = opaque;
  hyper__mem_free(&d->mem, p);
}

/* ---- Content-Encoding parsing ---- */

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static int token_eq(const char *p, size_t n, const char *lit) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    if (lit[i] == '\0' || c != (unsigned char)lit[i])
      return 0;
  }
  return lit[n] == '\0';
}

/* Fills |codings| in the order applied. Returns 0 or UNSUPPORTED_ENCODING. */
static int parse_codings(const char *v, size_t len, uint8_t *codings,
                         unsigned *count) {
  size_t i = 0;
  *count = 0;
  while (i < len) {
    size_t start, end;
    while (i < len && (is_ows(v[i]) || v[i] == ','))
      i++;
    if (i == len)
      break;
    start = i;
    while (i < len && v[i] != ',')
      i++;
    end = i;
    while (end > start && is_ows(v[end - 1]))
      end--;
    uint8_t c;
    if (token_eq(v + start, end - start, "identity"))
      continue;
    if (token_eq(v + start, end - start, "gzip") ||
        token_eq(v + start, end - start, "x-gzip"))
      c = CODING_GZIP;
    else if (token_eq(v + start, end - start, "deflate"))
      c = CODING_DEFLATE;
    else if (token_eq(v + start, end - start, "br"))
      c = CODING_BR;
    else if (token_eq(v + start, end - start, "zstd"))
      c = CODING_ZSTD;
    else
      return HYPER_ERR_UNSUPPORTED_ENCODING;
    if (*count == HYPER__DECODE_MAX_CODINGS)
      return HYPER_ERR_UNSUPPORTED_ENCODING;
    codings[(*count)++] = c;
  }
  return HYPER_OK;
}

/* ---- construction ---- */

static void stage_cleanup(hyper__decoder *d, stage *s) {
  if (s->z_ready)
    inflateEnd(&s->z);
  s->z_ready = 0;
  if (s->br)
    BrotliDecoderDestroyInstance(s->br);
  s->br = NULL;
  if (s->zs)
    ZSTD_freeDCtx(s->zs);
  s->zs = NULL;
  hyper__mem_free(&d->mem, s->buf);
  s->buf = NULL;
}

static int stage_init(hyper__decoder *d, stage *s, uint8_t coding, int last) {
  s->coding = coding;
  s->state = coding == CODING_DEFLATE ? ST_SNIFF : ST_BODY;
  if (!last) {
    s->buf = hyper__mem_malloc(&d->mem, STAGE_BUF_SIZE);
    if (!s->buf)
      return HYPER_ERR_NOMEM;
  }
  if (coding == CODING_BR) {
    s->br = BrotliDecoderCreateInstance(br_alloc, br_free, d);
    return s->br ? HYPER_OK : HYPER_ERR_NOMEM;
  }
  if (coding == CODING_ZSTD) {
    ZSTD_customMem cm = {zs_alloc, zs_free, d};
    s->zs = ZSTD_createDCtx_advanced(cm);
    if (!s->zs)
      return HYPER_ERR_NOMEM;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(s->zs, ZSTD_d_windowLogMax,
                                            ZSTD_HTTP_WINDOW_LOG_MAX)))
      return HYPER_ERR_INTERNAL;
    s->state = ST_END; /* between frames: an empty body is complete */
    return HYPER_OK;
  }
  s->z.zalloc = z_alloc;
  s->z.zfree = z_free;
  s->z.opaque = d;
  /* gzip: 16 + 15 accepts the gzip wrapper only. deflate: start as zlib;
   * the sniff switches to raw with inflateReset2(-15) if needed. */
  int rc = inflateInit2(&s->z, coding == CODING_GZIP ? 16 + MAX_WBITS
                                                     : MAX_WBITS);
  if (rc == Z_MEM_ERROR)
    return HYPER_ERR_NOMEM;
  if (rc != Z_OK)
    return HYPER_ERR_INTERNAL;
  s->z_ready = 1;
  return HYPER_OK;
}

int hyper__decoder_new(hyper__decoder **out, const char *value, size_t len,
                       const hyper__decode_limits *lim,
                       const hyper_mem *mem) {
  uint8_t codings[HYPER__DECODE_MAX_CODINGS];
  unsigned count, i;
  hyper_mem m;
  hyper__decoder *d;
  int rv;

  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (!value && len)
    return HYPER_ERR_INVALID_ARGUMENT;
  rv = parse_codings(value, len, codings, &count);
  if (rv)
    return rv;

  hyper__mem_init(&m, mem);
  d = hyper__mem_calloc(&m, 1, sizeof *d);
  if (!d)
    return HYPER_ERR_NOMEM;
  d->mem = m;
  if (lim)
    d->lim = *lim;
  else
    hyper__decode_limits_init(&d->lim);
  d->n = count;
  /* Applied in list order, so undone in reverse: stage 0 is the last one. */
  for (i = 0; i < count; i++) {
    rv = stage_init(d, &d->st[i], codings[count - 1 - i], i + 1 == count);
    if (rv)
      goto fail_stages;
  }
  *out = d;
  return HYPER_OK;

fail_stages:
  hyper__decoder_free(d); /* cleans the stages made so far, then |d| */
  return rv;
}

void hyper__decoder_free(hyper__decoder *d) {
  unsigned i;
  if (!d)
    return;
  for (i = 0; i < HYPER__DECODE_MAX_CODINGS; i++)
    stage_cleanup(d, &d->st[i]);
  hyper_mem m = d->mem;
  hyper__mem_free(&m, d);
}

unsigned hyper__decoder_ncodings(const hyper__decoder *d) {
  return d ? d->n : 0;
}

/* ---- one stage, one run: consume from src, produce into dst ---- */

/* A codec failure: NOMEM when our allocator refused, else |codec_err|. */
static int codec_fail(hyper__decoder *d, int codec_err) {
  return d->alloc_failed ? HYPER_ERR_NOMEM : codec_err;
}

/* zlib's first two bytes: CM 8, window <= 32 KiB, header check (RFC 1950
 * §2.2). Anything else under "deflate" is taken as raw deflate, which is
 * what browsers do with servers that skip the wrapper. */
static int looks_zlib(const uint8_t h[2]) {
  return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 &&
         ((unsigned)h[0] << 8 | h[1]) % 31 == 0;
}

static int run_zlib(hyper__decoder *d, stage *s, const uint8_t *in,
                    size_t in_len, size_t *used, uint8_t *out, size_t cap,
                    size_t *made) {
  for (;;) {
    if (s->state == ST_END || s->state == ST_PAD) {
      if (*used == in_len)
        return HYPER_OK;
      if (s->coding != CODING_GZIP)
        return HYPER_ERR_DECODE_GZIP; /* bytes after the deflate stream */
      if (in[*used] == 0) {
        s->state = ST_PAD;
        (*used)++;
        continue;
      }
      if (s->state == ST_PAD)
        return HYPER_ERR_DECODE_GZIP; /* data after the padding */
      /* Another member: inflate itself checks the magic (gzip-only mode). */
      if (inflateReset(&s->z) != Z_OK)
        return HYPER_ERR_INTERNAL;
      s->state = ST_BODY;
    }
    if (s->state == ST_SNIFF) {
      while (s->hdr_len < 2 && *used < in_len)
        s->hdr[s->hdr_len++] = in[(*used)++];
      if (s->hdr_len < 2)
        return HYPER_OK;
      if (!looks_zlib(s->hdr) && inflateReset2(&s->z, -MAX_WBITS) != Z_OK)
        return HYPER_ERR_INTERNAL;
      s->state = ST_BODY;
    }
    if (*made == cap)
      return HYPER_OK;

    const uint8_t *src;
    size_t avail;
    int replay = s->hdr_pos < s->hdr_len;
    if (replay) {
      src = s->hdr + s->hdr_pos;
      avail = (size_t)(s->hdr_len - s->hdr_pos);
    } else {
      src = in + *used;
      avail = in_len - *used;
    }
    uInt ain = (uInt)HYPER_MIN(avail, (size_t)UINT_MAX);
    uInt aout = (uInt)HYPER_MIN(cap - *made, (size_t)UINT_MAX);
    s->z.next_in = src;
    s->z.avail_in = ain;
    s->z.next_out = out + *made;
    s->z.avail_out = aout;
    int rc = inflate(&s->z, Z_NO_FLUSH);
    size_t took = ain - s->z.avail_in, gave = aout - s->z.avail_out;
    if (replay)
      s->hdr_pos = (uint8_t)(s->hdr_pos + took);
    else
      *used += took;
    *made += gave;
    switch (rc) {
    case Z_STREAM_END:
      s->state = ST_END;
      continue;
    case Z_OK:
      if (!took && !gave)
        return HYPER_OK;
      continue;
    case Z_BUF_ERROR: /* no progress possible: needs input or room */
      return HYPER_OK;
    case Z_MEM_ERROR:
      return HYPER_ERR_NOMEM;
    default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
      return codec_fail(d, HYPER_ERR_DECODE_GZIP);
    }
  }
}

static int run_br(hyper__decoder *d, stage *s, const uint8_t *in,
                  size_t in_len, size_t *used, uint8_t *out, size_t cap,
                  size_t *made) {
  for (;;) {
    if (s->state == ST_END)
      return *used == in_len ? HYPER_OK : HYPER_ERR_DECODE_BROTLI;
    if (*made == cap)
      return HYPER_OK;
    size_t ain = in_len - *used, aout = cap - *made;
    const uint8_t *next_in = in + *used;
    uint8_t *next_out = out + *made;
    BrotliDecoderResult r = BrotliDecoderDecompressStream(
        s->br, &ain, &next_in, &aout, &next_out, NULL);
    size_t took = (size_t)(next_in - (in + *used));
    size_t gave = (size_t)(next_out - (out + *made));
    *used += took;
    *made += gave;
    switch (r) {
    case BROTLI_DECODER_RESULT_SUCCESS:
      s->state = ST_END;
      continue;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
      return HYPER_OK; /* all input taken, all output so far handed out */
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
      if (!took && !gave)
        return HYPER_OK;
      continue;
    default:
      return codec_fail(d, HYPER_ERR_DECODE_BROTLI);
    }
  }
}

/* zstd (RFC 8878): a body is one or more frames (skippable ones included);
 * ST_END means "between frames", ST_BODY "inside one". */
static int run_zstd(hyper__decoder *d, stage *s, const uint8_t *in,
                    size_t in_len, size_t *used, uint8_t *out, size_t cap,
                    size_t *made) {
  for (;;) {
    if (*used == in_len && (s->state == ST_END || *made == cap))
      return HYPER_OK;
    ZSTD_inBuffer ib = {in + *used, in_len - *used, 0};
    ZSTD_outBuffer ob = {out + *made, cap - *made, 0};
    size_t r = ZSTD_decompressStream(s->zs, &ob, &ib);
    *used += ib.pos;
    *made += ob.pos;
    if (ZSTD_isError(r))
      return codec_fail(d, ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
                               ? HYPER_ERR_NOMEM
                               : HYPER_ERR_DECODE_ZSTD);
    if (r == 0) {
      s->state = ST_END; /* frame complete and flushed */
    } else {
      s->state = ST_BODY;
      if (!ib.pos && !ob.pos)
        return HYPER_OK; /* needs input or room */
    }
    if (*made == cap)
      return HYPER_OK;
  }
}

static int run_stage(hyper__decoder *d, stage *s, const uint8_t *in,
                     size_t in_len, size_t *used, uint8_t *out, size_t cap,
                     size_t *made) {
  *used = *made = 0;
  if (s->coding == CODING_BR)
    return run_br(d, s, in, in_len, used, out, cap, made);
  if (s->coding == CODING_ZSTD)
    return run_zstd(d, s, in, in_len, used, out, cap, made);
  return run_zlib(d, s, in, in_len, used, out, cap, made);
}

/* ---- the pipeline ---- */

static int fail(hyper__decoder *d, int err) {
  d->err = err;
  return err;
}

static int over_limit(const hyper__decoder *d) {
  const hyper__decode_limits *l = &d->lim;
  if (l->max_output_total && d->out_total > l->max_output_total)
    return 1;
  /* out > in * ratio, without overflow: (out - 1) / ratio >= in. */
  if (l->max_ratio && d->out_total > l->ratio_grace &&
      (d->out_total - 1) / l->max_ratio >= d->in_total)
    return 1;
  return 0;
}

int hyper__decoder_feed(hyper__decoder *d, const uint8_t *in, size_t in_len,
                        size_t *consumed, uint8_t *out, size_t out_cap,
                        size_t *produced) {
  static const uint8_t no_byte = 0;
  uint8_t spare_byte = 0;
  unsigned i;
  int rv;

  if (consumed)
    *consumed = 0;
  if (produced)
    *produced = 0;
  if (!d || !consumed || !produced || (!in && in_len) || (!out && out_cap))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (d->err)
    return d->err;
  if (!in) /* keep pointer arithmetic off NULL; the lengths are 0 */
    in = &no_byte;
  if (!out)
    out = &spare_byte;

  if (d->n == 0) { /* identity: copy through, no limits */
    size_t k = HYPER_MIN(in_len, out_cap);
    if (k)
      memcpy(out, in, k);
    *consumed = *produced = k;
    return HYPER_OK;
  }

  for (;;) {
    int progress = 0;
    for (i = 0; i < d->n; i++) {
      stage *s = &d->st[i], *prev = i ? &d->st[i - 1] : NULL;
      const uint8_t *src;
      size_t src_len, cap, used, made;
      uint8_t *dst;

      if (prev) {
        src = prev->buf + prev->pos;
        src_len = prev->len - prev->pos;
      } else {
        src = in + *consumed;
        src_len = in_len - *consumed;
      }
      if (i + 1 == d->n) {
        dst = out + *produced;
        cap = out_cap - *produced;
        if (d->lim.max_output_total) { /* overshoot the cap by 1 at most */
          uint64_t room = d->lim.max_output_total - d->out_total + 1;
          if (room < cap)
            cap = (size_t)room;
        }
      } else {
        if (s->pos == s->len)
          s->pos = s->len = 0;
        else if (s->len == STAGE_BUF_SIZE && s->pos) {
          memmove(s->buf, s->buf + s->pos, s->len - s->pos);
          s->len -= s->pos;
          s->pos = 0;
        }
        dst = s->buf + s->len;
        cap = STAGE_BUF_SIZE - s->len;
      }

      rv = run_stage(d, s, src, src_len, &used, dst, cap, &made);
      if (used || made)
        progress = 1;
      if (prev) {
        prev->pos += used;
      } else {
        *consumed += used;
        d->in_total += used;
      }
      if (i + 1 == d->n) {
        *produced += made;
        d->out_total += made;
      } else {
        s->len += made;
      }
      if (rv)
        return fail(d, rv);
      if (i + 1 == d->n && over_limit(d))
        return fail(d, HYPER_ERR_DECODE_RATIO);
    }
    if (!progress || *produced == out_cap)
      break;
  }
  d->out_full = *produced == out_cap;
  return HYPER_OK;
}

static int stage_done(const stage *s) {
  return (s->state == ST_END || s->state == ST_PAD) && s->pos == s->len;
}

int hyper__decoder_finish(hyper__decoder *d) {
  unsigned i;
  if (!d)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (d->err)
    return d->err;
  if (d->n == 0 || d->in_total == 0)
    return HYPER_OK;
  for (i = 0; i < d->n; i++)
    if (!stage_done(&d->st[i]))
      break;
  if (i == d->n)
    return HYPER_OK;
  if (d->out_full)
    return HYPER_ERR_INVALID_STATE;
  switch (d->st[i].coding) {
  case CODING_BR:
    return fail(d, HYPER_ERR_DECODE_BROTLI);
  case CODING_ZSTD:
    return fail(d, HYPER_ERR_DECODE_ZSTD);
  default:
    return fail(d, HYPER_ERR_DECODE_GZIP);
  }
}
