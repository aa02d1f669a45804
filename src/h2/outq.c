/* The outbound side of the HTTP/2 connection: one contiguous byte buffer
 * that frames are packed into and that the caller pulls from
 * (hyper_h2_conn_pending/advance), plus the accounting that bounds what a
 * peer can make us queue (PING/SETTINGS ACK floods, RST_STREAM and
 * WINDOW_UPDATE floods: HOSTILE-PEERS G9, A5, J5). */
#include "conn_int.h"

#define ACK_BIT ((uint64_t)1 << 63)

void hyper__h2_out_init(hyper_h2_conn *c) {
  hyper__buf_init(&c->out, &c->mem, SIZE_MAX / 2);
  c->out_off = 0;
  c->out_total = c->out_advanced = 0;
  c->ctrl = NULL;
  c->ctrl_cap = c->ctrl_head = c->ctrl_count = c->ctrl_acks = 0;
}

void hyper__h2_out_cleanup(hyper_h2_conn *c) {
  hyper__buf_cleanup(&c->out);
  hyper__mem_free(&c->mem, c->ctrl);
  c->ctrl = NULL;
  c->ctrl_cap = c->ctrl_count = 0;
}

uint8_t *hyper__h2_out_reserve(hyper_h2_conn *c, size_t n) {
  hyper__buf *b = &c->out;
  /* Move the unsent tail to the front rather than grow when the sent head
   * is what takes the room. */
  if (c->out_off && b->cap - b->len < n) {
    size_t keep = b->len - c->out_off;
    memmove(b->data, b->data + c->out_off, keep);
    b->len = keep;
    c->out_off = 0;
  }
  if (hyper__buf_reserve(b, n))
    return NULL;
  return b->data + b->len;
}

static void trace_sent(hyper_h2_conn *c, const uint8_t *p, size_t n) {
  while (n >= HYPER_H2_FRAME_HDR_LEN) {
    hyper_h2_frame f;
    memset(&f, 0, sizeof f);
    int rv = hyper_h2_frame_parse(p, n, HYPER_H2_MAX_FRAME_SIZE_LIMIT, &f,
                                  NULL);
    size_t len = HYPER_H2_FRAME_HDR_LEN + f.hdr.length;
    hyper_h2_trace t;
    memset(&t, 0, sizeof t);
    t.kind = HYPER_H2_TRACE_FRAME_SENT;
    t.frame = &f;
    t.parse_error = rv < 0 ? rv : 0;
    t.stream_id = f.hdr.stream_id;
    c->cfg.trace(&t, c->cfg.trace_user);
    if (len > n)
      break;
    p += len;
    n -= len;
  }
}

/* Grows the ring of counted frames so that one more fits. */
static int ctrl_grow(hyper_h2_conn *c) {
  if (c->ctrl_count < c->ctrl_cap)
    return 0;
  uint32_t ncap = c->ctrl_cap ? c->ctrl_cap * 2 : 16;
  uint64_t *r = hyper__mem_malloc(&c->mem, (size_t)ncap * sizeof *r);
  if (!r)
    return HYPER_ERR_NOMEM;
  for (uint32_t i = 0; i < c->ctrl_count; i++)
    r[i] = c->ctrl[(c->ctrl_head + i) % c->ctrl_cap];
  hyper__mem_free(&c->mem, c->ctrl);
  c->ctrl = r;
  c->ctrl_cap = ncap;
  c->ctrl_head = 0;
  return 0;
}

int hyper__h2_out_check(hyper_h2_conn *c, int kind) {
  if (kind == OQ_USER)
    return 0;
  if (kind == OQ_ACK && c->ctrl_acks >= c->cfg.max_pending_acks)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                HYPER_H2_ENHANCE_YOUR_CALM,
                                "too many unsent PING/SETTINGS ACKs");
  if (c->ctrl_count >= c->cfg.max_outbound_frames)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                HYPER_H2_ENHANCE_YOUR_CALM,
                                "too many queued control frames");
  return ctrl_grow(c);
}

int hyper__h2_out_commit(hyper_h2_conn *c, size_t n, int kind) {
  hyper__buf *b = &c->out;
  if (c->cfg.trace)
    trace_sent(c, b->data + b->len, n);
  b->len += n;
  c->out_total += n;
  if (kind != OQ_USER && c->ctrl_count < c->ctrl_cap) {
    uint64_t e = c->out_total | (kind == OQ_ACK ? ACK_BIT : 0);
    c->ctrl[(c->ctrl_head + c->ctrl_count) % c->ctrl_cap] = e;
    c->ctrl_count++;
    if (kind == OQ_ACK)
      c->ctrl_acks++;
  }
  return 0;
}

size_t hyper_h2_conn_pending(hyper_h2_conn *c, const uint8_t **out) {
  if (!c || !out) {
    if (out)
      *out = NULL;
    return 0;
  }
  size_t n = c->out.len - c->out_off;
  *out = n ? c->out.data + c->out_off : NULL;
  return n;
}

int hyper_h2_conn_advance(hyper_h2_conn *c, size_t n) {
  if (!c || n > c->out.len - c->out_off)
    return HYPER_ERR_INVALID_ARGUMENT;
  c->out_off += n;
  c->out_advanced += n;
  while (c->ctrl_count) {
    uint64_t e = c->ctrl[c->ctrl_head];
    if ((e & ~ACK_BIT) > c->out_advanced)
      break;
    if (e & ACK_BIT)
      c->ctrl_acks--;
    c->ctrl_head = (c->ctrl_head + 1) % c->ctrl_cap;
    c->ctrl_count--;
  }
  if (c->out_off == c->out.len) {
    c->out_off = 0;
    c->out.len = 0;
  }
  return 0;
}

int hyper_h2_conn_wants_write(const hyper_h2_conn *c) {
  return c && c->out.len > c->out_off;
}

/* ---- frame writers --------------------------------------------------------- */

/* Reserves |n| bytes after checking the limits for |kind|. */
static uint8_t *begin(hyper_h2_conn *c, size_t n, int kind, int *rv) {
  *rv = hyper__h2_out_check(c, kind);
  if (*rv)
    return NULL;
  uint8_t *p = hyper__h2_out_reserve(c, n);
  if (!p)
    *rv = HYPER_ERR_NOMEM;
  return p;
}

/* Commits a frame packed by a frame.h function (|w| octets or an error). */
static int finish(hyper_h2_conn *c, int w, int kind) {
  if (w < 0)
    return HYPER_ERR_INTERNAL;
  return hyper__h2_out_commit(c, (size_t)w, kind);
}

int hyper__h2_q_settings(hyper_h2_conn *c, const hyper_h2_setting *e,
                         size_t n) {
  int rv;
  size_t need = HYPER_H2_FRAME_HDR_LEN + 6 * n;
  uint8_t *p = begin(c, need, OQ_USER, &rv);
  if (!p)
    return rv;
  return finish(c, hyper_h2_frame_pack_settings(p, need, e, n), OQ_USER);
}

int hyper__h2_q_settings_ack(hyper_h2_conn *c) {
  int rv;
  uint8_t *p = begin(c, HYPER_H2_FRAME_HDR_LEN, OQ_ACK, &rv);
  if (!p)
    return rv;
  return finish(c, hyper_h2_frame_pack_settings_ack(p, HYPER_H2_FRAME_HDR_LEN),
                OQ_ACK);
}

int hyper__h2_q_ping(hyper_h2_conn *c, int ack, const uint8_t opaque[8],
                     int kind) {
  int rv;
  uint8_t *p = begin(c, 17, kind, &rv);
  if (!p)
    return rv;
  return finish(c, hyper_h2_frame_pack_ping(p, 17, ack, opaque), kind);
}

int hyper__h2_q_rst(hyper_h2_conn *c, uint32_t id, uint32_t code, int kind) {
  int rv;
  uint8_t *p = begin(c, 13, kind, &rv);
  if (!p)
    return rv;
  return finish(c, hyper_h2_frame_pack_rst_stream(p, 13, id, code), kind);
}

int hyper__h2_q_window_update(hyper_h2_conn *c, uint32_t id, uint32_t inc,
                              int kind) {
  if (inc == 0)
    return 0;
  int rv;
  uint8_t *p = begin(c, 13, kind, &rv);
  if (!p)
    return rv;
  return finish(c, hyper_h2_frame_pack_window_update(p, 13, id, inc), kind);
}

int hyper__h2_q_goaway(hyper_h2_conn *c, uint32_t last, uint32_t code,
                       const uint8_t *debug, size_t len) {
  size_t need = 17 + len;
  uint8_t *p = hyper__h2_out_reserve(c, need);
  if (!p)
    return HYPER_ERR_NOMEM;
  return finish(c, hyper_h2_frame_pack_goaway(p, need, last, code, debug, len),
                OQ_USER);
}

/* ---- header blocks ----------------------------------------------------------- */

size_t hyper__h2_block_space(const hyper_h2_conn *c, size_t bound, int push) {
  size_t maxfs = c->remote.max_frame_size;
  size_t payload = bound + (push ? 4 : 0);
  return payload + (payload / maxfs + 1) * HYPER_H2_FRAME_HDR_LEN;
}

static void put_hdr(uint8_t *p, size_t len, uint8_t type, uint8_t flags,
                    uint32_t id) {
  hyper_h2_frame_hdr h;
  h.length = (uint32_t)len;
  h.type = type;
  h.flags = flags;
  h.stream_id = id;
  hyper_h2_frame_pack_header(p, &h);
}

int hyper__h2_q_block(hyper_h2_conn *c, uint8_t *dst, uint32_t id,
                      uint32_t promised, int end_stream,
                      const hyper_field *fields, size_t n, size_t bound,
                      const hyper__hpack_pre *pre) {
  const size_t H = HYPER_H2_FRAME_HDR_LEN;
  size_t maxfs = c->remote.max_frame_size;
  size_t prefix = promised ? 4 : 0;
  size_t before = hyper_hpack_enc_table_size(c->enc);
  size_t blen = 0;
  int rv = hyper__hpack_enc_encode_pre(c->enc, fields, pre, n, dst + H + prefix,
                                       bound, &blen);
  if (rv)
    return rv;
  if (c->cfg.trace) {
    hyper__h2_trace_fields(c, HYPER_H2_TRACE_FIELDS_SENT,
                           promised ? promised : id, fields, n);
    hyper__h2_trace_hpack(c, 1, before);
  }
  uint8_t type = promised ? HYPER_H2_FRAME_PUSH_PROMISE : HYPER_H2_FRAME_HEADERS;
  uint8_t es = (!promised && end_stream) ? HYPER_H2_FLAG_END_STREAM : 0;
  if (prefix) {
    dst[H] = (uint8_t)(promised >> 24);
    dst[H + 1] = (uint8_t)(promised >> 16);
    dst[H + 2] = (uint8_t)(promised >> 8);
    dst[H + 3] = (uint8_t)promised;
  }
  size_t payload = prefix + blen;
  if (payload <= maxfs) {
    put_hdr(dst, payload, type, (uint8_t)(HYPER_H2_FLAG_END_HEADERS | es), id);
    return hyper__h2_out_commit(c, H + payload, OQ_USER);
  }
  /* RFC 9113 §4.3: a block larger than a frame continues in CONTINUATION
   * frames, back to back. The block was encoded contiguously after the
   * first frame header; slide its later pieces right, last one first, to
   * make room for their headers. */
  size_t nconts = (payload - maxfs + maxfs - 1) / maxfs;
  for (size_t i = nconts; i >= 1; i--) {
    size_t from = maxfs * i;
    size_t len = HYPER_MIN(maxfs, payload - from);
    uint8_t *to = dst + H * (i + 1) + from;
    memmove(to, dst + H + from, len);
    put_hdr(to - H, len, HYPER_H2_FRAME_CONTINUATION,
            i == nconts ? HYPER_H2_FLAG_END_HEADERS : 0, id);
  }
  put_hdr(dst, maxfs, type, es, id);
  return hyper__h2_out_commit(c, payload + H * (nconts + 1), OQ_USER);
}
