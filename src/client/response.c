/* Client streams (the per-stream record: response head, buffered body with
 * its DATA frame boundaries, trailers) and the response object: read(amt),
 * read-all, chunk iteration, trailers, close, and transparent content
 * decoding through src/decode. */
#include <stdio.h>
#include <string.h>

#include "client_int.h"

#include "../hdrs/hdrs_int.h" /* capacities of maps kept as spares */

/* ------------------------------------------------------------------------ */
/* Client streams                                                           */
/* ------------------------------------------------------------------------ */

int hyper__cs_new(hyper_client *cl, hyper__cstream **out) {
  hyper__cstream *cs = cl->spare_cs;
  if (cs) {
    /* A recycled record: zeroed but for its storage (cs_recycle()). */
    cl->spare_cs = cs->next;
    cl->nspare_cs--;
    cs->next = NULL;
  } else if (!(cs = hyper__mem_calloc(&cl->mem, 1, sizeof *cs))) {
    return HYPER_ERR_NOMEM;
  }
  cs->mem = cl->mem;
  cs->cl = cl;
  cs->deadline = HYPER__IO_NO_DEADLINE;
  *out = cs;
  return 0;
}

void hyper__cs_link(hyper_client *cl, hyper__cstream *cs) {
  cs->cl = cl;
  cs->prev = cl->tail;
  cs->next = NULL;
  if (cl->tail)
    cl->tail->next = cs;
  else
    cl->head = cs;
  cl->tail = cs;
  if (cs->flags & (CS_SENT | CS_PUSH))
    hyper__client_remember(cl, cs);
}

void hyper__cs_unlink(hyper__cstream *cs) {
  hyper_client *cl = cs->cl;
  if (!cl)
    return;
  if (cs->prev)
    cs->prev->next = cs->next;
  else if (cl->head == cs)
    cl->head = cs->next;
  if (cs->next)
    cs->next->prev = cs->prev;
  else if (cl->tail == cs)
    cl->tail = cs->prev;
  cs->prev = cs->next = NULL;
  hyper__client_forget(cl, cs);
  cs->cl = NULL;
}

void hyper__cs_free(hyper__cstream *cs) {
  if (!cs)
    return;
  hyper_mem m = cs->mem;
  if (cs->cl)
    hyper__client_forget(cs->cl, cs);
  hyper_hdrs_free(cs->req);
  hyper_hdrs_free(cs->headers);
  hyper_hdrs_free(cs->trailers);
  hyper_hdrs_free(cs->promise);
  hyper_hdrs_free(cs->spare_headers);
  hyper__mem_free(&m, cs->reason);
  hyper__mem_free(&m, cs->wire);
  hyper__mem_free(&m, cs->buf);
  hyper__mem_free(&m, cs->chunks);
  hyper__mem_free(&m, cs->rawh);
  hyper__mem_free(&m, cs);
}

int hyper__cs_keep_head(hyper__cstream *cs, const hyper_field *f, size_t n) {
  /* Pseudo-header fields come first (RFC 9113 §8.3, checked by the core
   * unless validation is off); any later are skipped too. */
  size_t k = 0, bytes = 0;
  for (size_t i = 0; i < n; i++)
    if (!(f[i].name_len && f[i].name[0] == ':')) {
      k++;
      bytes += f[i].name_len + f[i].value_len;
    }
  if (k > UINT32_MAX)
    return HYPER_ERR_LIMIT_EXCEEDED;
  size_t need = k * sizeof(hyper_field) + bytes;
  if (need > cs->rawh_cap) {
    uint8_t *p = hyper__mem_realloc(&cs->mem, cs->rawh, need);
    if (!p)
      return HYPER_ERR_NOMEM;
    cs->rawh = p;
    cs->rawh_cap = need;
  }
  hyper_field *o = (hyper_field *)(void *)cs->rawh;
  uint8_t *d = cs->rawh + k * sizeof(hyper_field);
  for (size_t i = 0; i < n; i++) {
    if (f[i].name_len && f[i].name[0] == ':')
      continue;
    o->name = d;
    memcpy(d, f[i].name, f[i].name_len);
    d += f[i].name_len;
    o->name_len = f[i].name_len;
    o->value = d;
    if (f[i].value_len)
      memcpy(d, f[i].value, f[i].value_len);
    d += f[i].value_len;
    o->value_len = f[i].value_len;
    o->flags = f[i].flags & HYPER_FIELD_SENSITIVE;
    o++;
  }
  cs->rawh_n = (uint32_t)k;
  cs->flags |= CS_RAWH;
  return 0;
}

hyper_hdrs *hyper__cs_headers(hyper__cstream *cs) {
  if (!(cs->flags & CS_RAWH))
    return cs->headers;
  hyper_hdrs *h = cs->headers;
  if (!h) {
    h = cs->spare_headers;
    cs->spare_headers = NULL;
  }
  if (!h && hyper_hdrs_new(&h, NULL, &cs->mem) != 0)
    return NULL;
  cs->headers = h;
  if (hyper_hdrs_add_fields(h, (const hyper_field *)(const void *)cs->rawh,
                            cs->rawh_n, 0) != 0) {
    hyper_hdrs_clear(h);
    return NULL;
  }
  cs->flags &= ~CS_RAWH;
  return h;
}

/* Keeps the finished, unlinked HTTP/2 stream |cs| (nothing refers to it)
 * as a spare of |cl| for the next request, or frees it. What a request
 * needs again is kept: the record, its body buffer and chunk ring (empty),
 * its response header map (cleared); the rest is released. */
/* Is the map |h| small enough to be kept as a spare? */
static int map_small(const hyper_hdrs *h) {
  return h->cap <= 64 && h->arena_cap <= HYPER__SPARE_HDRS_MAX;
}

int hyper__client_req_map(hyper_client *cl, hyper_hdrs **out) {
  if (cl->nspare_maps > 0) {
    *out = cl->spare_maps[--cl->nspare_maps];
    return 0;
  }
  hyper_hdrs_config hc;
  hyper_hdrs_config_init(&hc);
  hc.lowercase_names = 1;
  return hyper_hdrs_new(out, &hc, &cl->mem);
}

void hyper__client_req_map_put(hyper_client *cl, hyper_hdrs *h) {
  if (!h)
    return;
  if (cl->nspare_maps < sizeof cl->spare_maps / sizeof cl->spare_maps[0] &&
      map_small(h) && h->lowercase_names) {
    hyper_hdrs_clear(h);
    cl->spare_maps[cl->nspare_maps++] = h;
    return;
  }
  hyper_hdrs_free(h);
}

static void cs_recycle(hyper_client *cl, hyper__cstream *cs) {
  if (!cl->h2 || cl->nspare_cs >= HYPER__SPARES ||
      cs->cap > HYPER__SPARE_BUF_MAX ||
      cs->ccap * sizeof *cs->chunks > HYPER__SPARE_BUF_MAX ||
      (cs->headers && !map_small(cs->headers))) {
    hyper__cs_free(cs);
    return;
  }
  hyper_mem m = cs->mem;
  hyper__client_req_map_put(cl, cs->req);
  hyper_hdrs_free(cs->trailers);
  hyper_hdrs_free(cs->promise);
  hyper__mem_free(&m, cs->reason);
  hyper__mem_free(&m, cs->wire);
  /* The map of an HTTP/2 head (drive.c made it; HTTP/1.1 maps lowercase
   * names and are not kept) is offered to the next HTTP/2 head only. */
  hyper_hdrs *headers = NULL;
  if (cs->spare_headers) {
    headers = cs->spare_headers;
    hyper_hdrs_free(cs->headers);
  } else if (cs->flags & CS_CE_SCANNED) {
    headers = cs->headers;
  } else {
    hyper_hdrs_free(cs->headers);
  }
  if (headers)
    hyper_hdrs_clear(headers);
  uint8_t *buf = cs->buf;
  size_t cap = cs->cap;
  size_t *chunks = cs->chunks;
  size_t ccap = cs->ccap;
  uint8_t *rawh = cs->rawh;
  size_t rawh_cap = cs->rawh_cap;
  if (rawh_cap > HYPER__SPARE_HDRS_MAX) {
    hyper__mem_free(&m, rawh);
    rawh = NULL;
    rawh_cap = 0;
  }
  memset(cs, 0, sizeof *cs);
  cs->mem = m;
  cs->rawh = rawh;
  cs->rawh_cap = rawh_cap;
  cs->spare_headers = headers;
  cs->buf = buf;
  cs->cap = cap;
  cs->chunks = chunks;
  cs->ccap = ccap;
  cs->deadline = HYPER__IO_NO_DEADLINE;
  cs->next = cl->spare_cs;
  cl->spare_cs = cs;
  cl->nspare_cs++;
}

void hyper__client_free_spares(hyper_client *cl) {
  while (cl->spare_cs) {
    hyper__cstream *cs = cl->spare_cs;
    cl->spare_cs = cs->next;
    cs->next = NULL;
    hyper__cs_free(cs);
  }
  while (cl->spare_resp) {
    hyper_resp *r = cl->spare_resp;
    cl->spare_resp = r->next_spare;
    hyper__mem_free(&cl->mem, r->out);
    hyper__mem_free(&cl->mem, r);
  }
  while (cl->nspare_maps > 0)
    hyper_hdrs_free(cl->spare_maps[--cl->nspare_maps]);
  while (cl->nspare_kept > 0)
    hyper__mem_free(&cl->mem, cl->spare_kept[--cl->nspare_kept]);
  cl->nspare_cs = cl->nspare_resp = 0;
}

/* Cancels and frees the pushes promised on |parent| that were never handed
 * out: nobody can ask for them any more. */
static void drop_unclaimed_pushes(hyper__cstream *parent) {
  hyper__cstream *p = parent->cl->head;
  while (p) {
    hyper__cstream *next = p->next;
    if ((p->flags & CS_PUSH) && p->parent == parent->id &&
        !(p->flags & CS_PUSH_OUT)) {
      hyper__cs_cancel(p, HYPER_H2_CANCEL);
      hyper__cs_unlink(p);
      hyper__cs_free(p);
    }
    p = next;
  }
}

void hyper__cs_release(hyper__cstream *cs) {
  if (cs->resp || cs->push)
    return;
  if (cs->cl && !cs->cl->h2 && hyper__h1c_keep(cs))
    return; /* HTTP/1.1: its response must still be read off the wire */
  if (cs->cl) {
    /* Attached: keep it while the caller may still ask for it. */
    int handed = (cs->flags & CS_TAKEN) ||
                 ((cs->flags & CS_PUSH) && (cs->flags & CS_DISCARD));
    if (!handed)
      return;
    /* Pushes exist only when the client allowed them (SETTINGS_ENABLE_PUSH
     * 1); otherwise skip the walk over every stream. */
    if (!(cs->flags & CS_PUSH) && cs->cl->opts.enable_push)
      drop_unclaimed_pushes(cs);
    hyper_client *cl = cs->cl;
    hyper__cs_unlink(cs);
    cs_recycle(cl, cs);
    return;
  }
  hyper__cs_free(cs);
}

void hyper__cs_ack(hyper__cstream *cs, size_t n) {
  if (n == 0)
    return;
  if (n > cs->unacked)
    n = cs->unacked;
  cs->unacked -= n;
  if (cs->cl && cs->cl->h2 && !(cs->flags & CS_ORPHAN))
    (void)hyper_h2_acknowledge_received_data(cs->cl->h2, cs->id, n);
}

void hyper__cs_ack_all(hyper__cstream *cs) { hyper__cs_ack(cs, cs->unacked); }

/* Removes |n| octets (<= buffered) from the front: chunk boundaries move,
 * and octets that were not acknowledged yet are acknowledged now. */
static void cs_consume(hyper__cstream *cs, size_t n) {
  size_t buffered = cs->end - cs->start;
  size_t early = buffered - cs->unacked; /* acknowledged, at the front */
  if (n > early)
    hyper__cs_ack(cs, n - early);
  cs->start += n;
  if (cs->start == cs->end)
    cs->start = cs->end = 0;
  while (n > 0 && cs->ccount > 0) {
    size_t *c = &cs->chunks[cs->chead];
    size_t k = *c < n ? *c : n;
    *c -= k;
    n -= k;
    if (*c == 0) {
      cs->chead = (cs->chead + 1) % cs->ccap;
      cs->ccount--;
    }
  }
}

/* Pops empty chunks at the front (read() skips them; read_chunk() reports
 * them first). */
static void skip_empty_chunks(hyper__cstream *cs) {
  while (cs->ccount > 0 && cs->chunks[cs->chead] == 0) {
    cs->chead = (cs->chead + 1) % cs->ccap;
    cs->ccount--;
  }
}

void hyper__cs_drop_body(hyper__cstream *cs) {
  hyper__cs_ack_all(cs);
  cs->start = cs->end = 0;
  cs->chead = cs->ccount = 0;
}

int hyper__cs_append(hyper__cstream *cs, const uint8_t *p, size_t n) {
  if (cs->ccount == cs->ccap) {
    size_t ncap = cs->ccap ? cs->ccap * 2 : 4;
    size_t *nc = hyper__mem_malloc(&cs->mem, ncap * sizeof *nc);
    if (!nc)
      return HYPER_ERR_NOMEM;
    for (size_t i = 0; i < cs->ccount; i++)
      nc[i] = cs->chunks[(cs->chead + i) % cs->ccap];
    hyper__mem_free(&cs->mem, cs->chunks);
    cs->chunks = nc;
    cs->ccap = ncap;
    cs->chead = 0;
  }
  if (n > 0) {
    if (cs->cap - cs->end < n) {
      size_t have = cs->end - cs->start;
      if (cs->start > 0 && cs->cap - have >= n && have < cs->cap / 2 + n) {
        memmove(cs->buf, cs->buf + cs->start, have);
      } else {
        /* The first block fits the first payload (a small response stays
         * small: memory per open stream); then it doubles. */
        size_t ncap = cs->cap ? cs->cap : HYPER_MAX(n, (size_t)256);
        while (ncap - have < n)
          ncap *= 2;
        /* Data to the front, then realloc: the old and the new block are
         * never both held (a large unread body would otherwise briefly
         * cost three times its size). */
        if (cs->start > 0 && have)
          memmove(cs->buf, cs->buf + cs->start, have);
        cs->start = 0;
        cs->end = have;
        uint8_t *nb = hyper__mem_realloc(&cs->mem, cs->buf, ncap);
        if (!nb)
          return HYPER_ERR_NOMEM; /* the buffer and its data are intact */
        cs->buf = nb;
        cs->cap = ncap;
      }
      cs->start = 0;
      cs->end = have;
    }
    memcpy(cs->buf + cs->end, p, n);
    cs->end += n;
  }
  cs->chunks[(cs->chead + cs->ccount) % cs->ccap] = n;
  cs->ccount++;
  return 0;
}

void hyper__cs_cancel(hyper__cstream *cs, uint32_t code) {
  hyper_client *cl = cs->cl;
  int closed = (cs->flags & CS_RESET) ||
               ((cs->flags & CS_REMOTE_END) && (cs->flags & CS_LOCAL_END));
  hyper__cs_drop_body(cs);
  if (cl && !cl->h2 && !closed && !(cs->flags & CS_REMOTE_END) && !cs->err &&
      (cs->flags & CS_SENT))
    hyper__h1c_abandon(cl, cs);
  if (cl && cl->h2 && !cl->conn_err && !closed &&
      (cs->flags & (CS_SENT | CS_PUSH))) {
    if (hyper_h2_reset_stream(cl->h2, cs->id, code) == 0) {
      cs->flags |= CS_RESET | CS_LOCAL_END;
      cs->h2_code = code;
    }
  }
  cs->flags |= CS_DISCARD;
}

static int cond_head(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)arg;
  if (cs->flags & CS_HEAD)
    return 1;
  if (cs->err)
    return hyper__client_err(cl, cs->err, cs->h2_code, cs->id,
                             "stream %u: no response (%s)", (unsigned)cs->id,
                             cl->err.stream_id == cs->id && cl->err.desc[0]
                                 ? cl->err.desc
                                 : hyper_strerror(cs->err));
  if (cs->flags & (CS_REMOTE_END | CS_RESET))
    return hyper__client_err(cl, HYPER_ERR_H2_STREAM_CLOSED, cs->h2_code,
                             cs->id, "stream %u ended without a response",
                             (unsigned)cs->id);
  return 0;
}

int hyper__cs_wait_head(hyper__cstream *cs) {
  hyper_client *cl = cs->cl;
  if (!cl)
    return HYPER_ERR_INVALID_STATE;
  return hyper__client_wait(cl, cs, cond_head, NULL, cs->deadline);
}

/* ------------------------------------------------------------------------ */
/* Response objects                                                         */
/* ------------------------------------------------------------------------ */

int hyper__resp_new(hyper__cstream *cs, hyper_resp **out) {
  hyper_client *cl = cs->cl;
  hyper_resp *r = cl ? cl->spare_resp : NULL;
  if (r) {
    /* a recycled object: zeroed but for its scratch buffer */
    cl->spare_resp = r->next_spare;
    cl->nspare_resp--;
    uint8_t *o = r->out;
    size_t ocap = r->out_cap;
    memset(r, 0, sizeof *r);
    r->out = o;
    r->out_cap = ocap;
  } else if (!(r = hyper__mem_calloc(&cs->mem, 1, sizeof *r))) {
    return HYPER_ERR_NOMEM;
  }
  r->cs = cs;
  r->decode = cs->cl ? cs->cl->opts.decode_content : 1;
  cs->resp = r;
  cs->flags |= CS_TAKEN;
  *out = r;
  return 0;
}

int hyper_resp_status(const hyper_resp *r) { return r ? r->cs->status : 0; }

const char *hyper_resp_reason(const hyper_resp *r) {
  return r && r->cs->reason ? r->cs->reason : "";
}

uint32_t hyper_resp_stream_id(const hyper_resp *r) {
  /* a retried request answers to the caller's id (request.c) */
  return r ? (r->cs->uid ? r->cs->uid : r->cs->id) : 0;
}

const hyper_hdrs *hyper_resp_headers(const hyper_resp *r) {
  return r ? hyper__cs_headers(r->cs) : NULL;
}

int hyper_resp_set_decode_content(hyper_resp *r, int on) {
  if (!r)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (r->started)
    return HYPER_ERR_INVALID_STATE;
  r->decode = on ? 1 : 0;
  return 0;
}

/* The body has ended and every received octet is buffered. */
static int body_complete(const hyper__cstream *cs) {
  return (cs->flags & CS_REMOTE_END) != 0;
}

/* Why no more data can come for an unfinished body. */
static int body_error(hyper__cstream *cs) {
  hyper_client *cl = cs->cl;
  int e = cs->err ? cs->err : HYPER_ERR_INVALID_STATE;
  if (cl && cl->err.code == e && cl->err.desc[0])
    return e;
  if (e == HYPER_ERR_INVALID_STATE)
    return hyper__client_err(cl, e, 0, cs->id,
                             "stream %u: the connection was closed before "
                             "the body ended",
                             (unsigned)cs->id);
  return hyper__client_err(cl, e, cs->h2_code, cs->id,
                           "stream %u: body incomplete (%s)", (unsigned)cs->id,
                           hyper_strerror(e));
}

static int cond_data(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)cl;
  (void)arg;
  if (cs->direct_len > 0 || cs->end > cs->start || cs->ccount > 0 ||
      body_complete(cs))
    return 1;
  if (cs->err)
    return body_error(cs);
  return 0;
}

static int cond_end(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)cl;
  (void)arg;
  if (body_complete(cs))
    return 1;
  if (cs->err)
    return body_error(cs);
  return 0;
}

/* Waits for at least one chunk (possibly empty) or the end of the body. */
static int wait_data(hyper_resp *r) {
  hyper__cstream *cs = r->cs;
  int c = cond_data(cs->cl, cs, NULL);
  if (c)
    return c > 0 ? 0 : c;
  if (!cs->cl)
    return body_error(cs);
  return hyper__client_wait(cs->cl, cs, cond_data, NULL, cs->deadline);
}

static int usable(hyper_resp *r) {
  if (r->closed)
    return hyper__client_err(r->cs->cl, HYPER_ERR_INVALID_STATE, 0, r->cs->id,
                             "the response was closed");
  if (r->err)
    return r->err;
  return 0;
}

/* Sets up decoding at the first read. */
static int start_body(hyper_resp *r) {
  if (r->started)
    return 0;
  r->started = 1;
  if (!r->decode)
    return 0;
  hyper__cstream *cs = r->cs;
  /* HTTP/2 heads are scanned for content-encoding as they arrive. */
  if ((cs->flags & CS_CE_SCANNED) && !(cs->flags & CS_CODED))
    return 0;
  /* content-encoding, all lines joined with ", " */
  char val[512];
  size_t len = 0;
  hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
  hyper_slice v;
  hyper_hdrs *heads = hyper__cs_headers(cs);
  if (!heads) {
    r->err = HYPER_ERR_NOMEM;
    return hyper__client_err(cs->cl, r->err, 0, cs->id, "out of memory");
  }
  while (hyper_hdrs_get_next(heads, HYPER_HDRS_LIT("content-encoding"),
                             0, &it, &v)) {
    if (len + v.len + 2 >= sizeof val) {
      r->err = HYPER_ERR_UNSUPPORTED_ENCODING;
      return hyper__client_err(cs->cl, r->err, 0, cs->id,
                               "content-encoding too long");
    }
    if (len) {
      memcpy(val + len, ", ", 2);
      len += 2;
    }
    memcpy(val + len, v.ptr, v.len);
    len += v.len;
  }
  if (len == 0)
    return 0;
  hyper__decode_limits lim;
  hyper__decode_limits_init(&lim);
  if (cs->cl) {
    lim.max_output_total = cs->cl->opts.max_decoded_size;
    lim.max_ratio = cs->cl->opts.max_decode_ratio;
  }
  int rv = hyper__decoder_new(&r->dec, val, len, &lim, &cs->mem);
  if (rv) {
    r->dec = NULL;
    r->err = rv;
    return hyper__client_err(cs->cl, rv, 0, cs->id,
                             "stream %u: cannot decode content-encoding "
                             "'%.*s'",
                             (unsigned)cs->id, (int)HYPER_MIN(len, 100), val);
  }
  if (hyper__decoder_ncodings(r->dec) == 0) {
    hyper__decoder_free(r->dec);
    r->dec = NULL;
  }
  return 0;
}

static int dec_error(hyper_resp *r, int rv) {
  r->err = rv;
  return hyper__client_err(r->cs->cl, rv, 0, r->cs->id,
                           "stream %u: content decoding failed: %s",
                           (unsigned)r->cs->id, hyper_strerror(rv));
}

/* Feeds up to |in_max| buffered octets to the decoder, producing at most
 * |cap| octets at |out|. */
static int dec_step(hyper_resp *r, size_t in_max, uint8_t *out, size_t cap,
                    size_t *produced) {
  hyper__cstream *cs = r->cs;
  size_t in_len = HYPER_MIN(cs->end - cs->start, in_max);
  size_t used = 0, made = 0;
  int rv = hyper__decoder_feed(r->dec, in_len ? cs->buf + cs->start : NULL,
                               in_len, &used, out, cap, &made);
  cs_consume(cs, used);
  *produced = made;
  r->dec_full = cap > 0 && made == cap;
  if (rv)
    return dec_error(r, rv);
  return 0;
}

static int dec_finish(hyper_resp *r) {
  if (!r->dec || r->dec_done)
    return 0;
  r->dec_done = 1;
  int rv = hyper__decoder_finish(r->dec);
  return rv ? dec_error(r, rv) : 0;
}

int hyper_resp_read(hyper_resp *r, void *buf, size_t amt, size_t *nread) {
  if (nread)
    *nread = 0;
  if (!r || !nread || (!buf && amt))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(r);
  if (rv || (rv = start_body(r)) != 0)
    return rv;
  hyper__cstream *cs = r->cs;
  uint8_t *dst = buf;
  size_t got = 0;
  while (got < amt) {
    if (r->dec) {
      if (cs->end > cs->start || r->dec_full) {
        size_t made = 0;
        rv = dec_step(r, SIZE_MAX, dst + got, amt - got, &made);
        got += made;
        if (rv)
          break;
        if (made)
          continue;
        if (cs->end > cs->start)
          continue; /* input taken without output yet */
      }
    } else if (cs->end > cs->start) {
      size_t k = HYPER_MIN(cs->end - cs->start, amt - got);
      memcpy(dst + got, cs->buf + cs->start, k);
      cs_consume(cs, k);
      got += k;
      continue;
    }
    skip_empty_chunks(cs);
    if (body_complete(cs)) {
      rv = dec_finish(r);
      break;
    }
    /* Nothing buffered: over HTTP/2 the payload may be stored straight
     * into |buf| as it arrives (drive.c), instead of via the buffer. */
    int direct = !r->dec && cs->cl && cs->cl->h2 && cs->ccount == 0;
    if (direct) {
      cs->direct = dst + got;
      cs->direct_cap = amt - got;
      cs->direct_len = 0;
    }
    rv = wait_data(r);
    if (direct) {
      got += cs->direct_len;
      cs->direct = NULL;
      cs->direct_cap = cs->direct_len = 0;
    }
    if (rv)
      break;
    skip_empty_chunks(cs);
  }
  *nread = got;
  return rv;
}

/* Makes room for |n| more octets in the scratch buffer. */
static int out_reserve(hyper_resp *r, size_t n) {
  if (r->out_cap - r->out_len >= n)
    return 0;
  size_t ncap = r->out_cap ? r->out_cap : 16384;
  while (ncap - r->out_len < n) {
    if (ncap > SIZE_MAX / 2)
      return HYPER_ERR_NOMEM;
    ncap *= 2;
  }
  uint8_t *nb = hyper__mem_realloc(&r->cs->mem, r->out, ncap);
  if (!nb)
    return HYPER_ERR_NOMEM;
  r->out = nb;
  r->out_cap = ncap;
  return 0;
}

static int cond_end_drain(hyper_client *cl, hyper__cstream *cs, void *arg) {
  hyper__cs_ack_all(cs); /* held whole on purpose: keep the window open */
  return cond_end(cl, cs, arg);
}

/* Holds the rest of the body in memory (acknowledged on arrival) until the
 * stream ends. */
static int drain(hyper_resp *r) {
  hyper__cstream *cs = r->cs;
  if (body_complete(cs))
    return 0;
  if (cs->err)
    return body_error(cs);
  if (!cs->cl)
    return body_error(cs);
  cs->flags |= CS_DRAIN;
  return hyper__client_wait(cs->cl, cs, cond_end_drain, NULL, cs->deadline);
}

int hyper_resp_read_all(hyper_resp *r, hyper_slice *body) {
  if (!r || !body)
    return HYPER_ERR_INVALID_ARGUMENT;
  body->ptr = NULL;
  body->len = 0;
  int rv = usable(r);
  if (rv || (rv = start_body(r)) != 0)
    return rv;
  hyper__cstream *cs = r->cs;
  if ((rv = drain(r)) != 0)
    return rv;
  if (!r->dec) {
    /* Hand out the buffer itself: nothing more arrives for this stream. */
    body->ptr = cs->buf ? cs->buf + cs->start : NULL;
    body->len = cs->end - cs->start;
    hyper__cs_ack_all(cs);
    cs->start = cs->end = 0;
    cs->chead = cs->ccount = 0;
    return 0;
  }
  r->out_len = 0;
  for (;;) {
    if ((rv = out_reserve(r, 65536)) != 0)
      return hyper__client_err(cs->cl, rv, 0, cs->id, "out of memory");
    size_t made = 0;
    rv = dec_step(r, SIZE_MAX, r->out + r->out_len, r->out_cap - r->out_len,
                  &made);
    r->out_len += made;
    if (rv)
      return rv;
    if (cs->end == cs->start && !r->dec_full)
      break;
  }
  cs->chead = cs->ccount = 0;
  if ((rv = dec_finish(r)) != 0)
    return rv;
  body->ptr = r->out;
  body->len = r->out_len;
  return 0;
}

int hyper_resp_read_chunk(hyper_resp *r, hyper_slice *chunk) {
  if (!r || !chunk)
    return HYPER_ERR_INVALID_ARGUMENT;
  chunk->ptr = NULL;
  chunk->len = 0;
  int rv = usable(r);
  if (rv || (rv = start_body(r)) != 0)
    return rv;
  hyper__cstream *cs = r->cs;
  int pending_out = r->dec && r->dec_full; /* decoded octets inside */
  if (cs->ccount == 0 && !pending_out) {
    if (!body_complete(cs) && (rv = wait_data(r)) != 0)
      return rv;
    if (cs->ccount == 0) /* the end */
      return (rv = dec_finish(r)) != 0 ? rv : 0;
  }
  size_t clen = cs->ccount ? cs->chunks[cs->chead] : 0;
  r->out_len = 0;
  if (!r->dec) {
    if ((rv = out_reserve(r, clen)) != 0)
      return hyper__client_err(cs->cl, rv, 0, cs->id, "out of memory");
    if (clen)
      memcpy(r->out, cs->buf + cs->start, clen);
    r->out_len = clen;
    cs_consume(cs, clen);
  } else {
    size_t left = clen;
    for (;;) {
      if ((rv = out_reserve(r, 16384)) != 0)
        return hyper__client_err(cs->cl, rv, 0, cs->id, "out of memory");
      size_t made = 0;
      size_t before = cs->end - cs->start;
      rv = dec_step(r, left, r->out + r->out_len, r->out_cap - r->out_len,
                    &made);
      r->out_len += made;
      if (rv)
        return rv;
      left -= HYPER_MIN(before - (cs->end - cs->start), left);
      if (left == 0 && !r->dec_full)
        break;
    }
  }
  /* An empty DATA frame is still one chunk: pop it. */
  if (clen == 0 && cs->ccount > 0 && cs->chunks[cs->chead] == 0) {
    cs->chead = (cs->chead + 1) % cs->ccap;
    cs->ccount--;
  }
  chunk->ptr = r->out;
  chunk->len = r->out_len;
  return 1;
}

int hyper_resp_trailers(hyper_resp *r, const hyper_hdrs **trailers) {
  if (!r || !trailers)
    return HYPER_ERR_INVALID_ARGUMENT;
  *trailers = NULL;
  hyper__cstream *cs = r->cs;
  if (!body_complete(cs)) {
    int rv = usable(r);
    if (rv || (rv = drain(r)) != 0)
      return rv;
  }
  if (cs->trailers) {
    *trailers = cs->trailers;
    return 0;
  }
  if (!r->empty) {
    int rv = hyper_hdrs_new(&r->empty, NULL, &cs->mem);
    if (rv)
      return hyper__client_err(cs->cl, rv, 0, cs->id, "out of memory");
  }
  *trailers = r->empty;
  return 0;
}

int hyper_resp_close(hyper_resp *r) {
  if (!r)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (r->closed)
    return 0;
  r->closed = 1;
  hyper__cstream *cs = r->cs;
  uint32_t was_reset = cs->flags & CS_RESET;
  hyper__cs_cancel(cs, HYPER_H2_CANCEL);
  /* Write now only when the close queued a RST_STREAM: a response read to
   * its end leaves at most WINDOW_UPDATEs, which go out with the next write
   * (and requests queued by coalesce_requests stay coalesced). */
  if (!was_reset && (cs->flags & CS_RESET) && cs->cl && cs->cl->h2 &&
      !cs->cl->conn_err) {
    hyper_client_error saved = cs->cl->err;
    (void)hyper__client_flush(cs->cl, hyper__io_deadline_after(
                                          cs->cl->opts.read_timeout_ms));
    cs->cl->err = saved;
  }
  hyper__decoder_free(r->dec);
  r->dec = NULL;
  return 0;
}

int hyper_resp_close_socket(hyper_resp *r) {
  if (!r)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_client *cl = r->cs->cl;
  (void)hyper_resp_close(r);
  if (cl && !cl->h2)
    hyper__h1c_close_conn(cl);
  return 0;
}

void hyper_resp_free(hyper_resp *r) {
  if (!r)
    return;
  (void)hyper_resp_close(r);
  hyper__cstream *cs = r->cs;
  hyper_mem m = cs->mem;
  hyper_client *cl = cs->cl;
  hyper_hdrs_free(r->empty);
  r->empty = NULL;
  cs->resp = NULL;
  if (cl && cl->h2 && cl->nspare_resp < HYPER__SPARES &&
      r->out_cap <= HYPER__SPARE_BUF_MAX) {
    r->cs = NULL;
    r->next_spare = cl->spare_resp;
    cl->spare_resp = r;
    cl->nspare_resp++;
  } else {
    hyper__mem_free(&m, r->out);
    hyper__mem_free(&m, r);
  }
  hyper__cs_release(cs);
}
