/* SETTINGS of the HTTP/2 connection (RFC 9113 §6.5): ours, sent and
 * acknowledged, and the peer's, applied on receipt.
 *
 * When does one of our settings bind the peer? RFC 9113 §6.5.3: the peer
 * applies our values when it processes our frame, before it acknowledges.
 * So for the rules whose breach is a protocol error (frame size, flow
 * control, HPACK table size, push) we enforce the most permissive of the
 * acknowledged value and every value in flight ("eff_*": raising takes
 * effect when sent, lowering when acknowledged). For the limits we enforce
 * gracefully (concurrent streams: REFUSED_STREAM; header list size: a
 * stream error) the latest value sent applies at once. */
#include "conn_int.h"

void hyper__h2_settings_rfc_defaults(hyper_h2_settings *s) {
  s->header_table_size = 4096;
  s->enable_push = 1;
  s->max_concurrent_streams = HYPER_H2_SETTING_UNLIMITED;
  s->initial_window_size = HYPER_H2_DEFAULT_WINDOW;
  s->max_frame_size = HYPER_H2_DEFAULT_MAX_FRAME_SIZE;
  s->max_header_list_size = HYPER_H2_SETTING_UNLIMITED;
  s->enable_connect_protocol = 0;
  s->no_rfc7540_priorities = 0;
}

static uint32_t *field_of(hyper_h2_settings *s, uint16_t id) {
  switch (id) {
  case HYPER_H2_SETTINGS_HEADER_TABLE_SIZE:
    return &s->header_table_size;
  case HYPER_H2_SETTINGS_ENABLE_PUSH:
    return &s->enable_push;
  case HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS:
    return &s->max_concurrent_streams;
  case HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE:
    return &s->initial_window_size;
  case HYPER_H2_SETTINGS_MAX_FRAME_SIZE:
    return &s->max_frame_size;
  case HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE:
    return &s->max_header_list_size;
  case HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return &s->enable_connect_protocol;
  case HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES:
    return &s->no_rfc7540_priorities;
  default:
    return NULL;
  }
}

uint32_t hyper__h2_settings_get(const hyper_h2_settings *s, uint16_t id) {
  uint32_t *p = field_of((hyper_h2_settings *)s, id);
  return p ? *p : 0;
}

void hyper__h2_settings_set(hyper_h2_settings *s, uint16_t id, uint32_t v) {
  uint32_t *p = field_of(s, id);
  if (p)
    *p = v;
}

size_t hyper__h2_local_header_list(const hyper_h2_conn *c) {
  uint32_t v = c->local_sent.max_header_list_size;
  if (v > HYPER_H2_MAX_HEADER_LIST_HARD_CAP)
    v = HYPER_H2_MAX_HEADER_LIST_HARD_CAP;
  return v ? v : 1;
}

int hyper__h2_settings_check_local(hyper_h2_conn *c,
                                   const hyper_h2_setting *e, size_t n) {
  if (n > HYPER_H2_MAX_SETTINGS_ENTRIES_CAP ||
      c->pend_count >= H2_MAX_PENDING_SETTINGS)
    return HYPER_ERR_LIMIT_EXCEEDED;
  for (size_t i = 0; i < n; i++) {
    /* the codec's receive-side value rules */
    if (hyper_h2_frame_pack_settings(NULL, 0, &e[i], 1) !=
        HYPER_ERR_BUFFER_TOO_SMALL)
      return HYPER_ERR_INVALID_ARGUMENT;
    uint32_t v = e[i].value;
    switch (e[i].id) {
    case HYPER_H2_SETTINGS_ENABLE_PUSH:
      /* §6.5.2: "A server MUST NOT explicitly set this value to 1." */
      if (!c->is_client && v)
        return HYPER_ERR_INVALID_ARGUMENT;
      break;
    case HYPER_H2_SETTINGS_HEADER_TABLE_SIZE:
      if (v > (1u << 30))
        return HYPER_ERR_INVALID_ARGUMENT;
      break;
    case HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE:
      if (v == 0 || v > HYPER_H2_MAX_HEADER_LIST_HARD_CAP)
        return HYPER_ERR_INVALID_ARGUMENT;
      break;
    case HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
      /* RFC 8441 §3: never back to 0 once 1 was sent */
      if (c->local_sent.enable_connect_protocol && !v)
        return HYPER_ERR_INVALID_ARGUMENT;
      break;
    case HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES:
      /* RFC 9218 §2.1: fixed by the first SETTINGS frame */
      if (c->initiated && v != c->local_sent.no_rfc7540_priorities)
        return HYPER_ERR_INVALID_ARGUMENT;
      break;
    default:
      break;
    }
  }
  return 0;
}

/* Queues WINDOW_UPDATE for a stream's receive window after our
 * INITIAL_WINDOW_SIZE changed (§6.9.2). */
typedef struct adjust_arg {
  uint32_t old_v, new_v;
} adjust_arg;

static int adjust_stream(hyper_h2_conn *c, hyper__h2_stream *s, void *arg) {
  adjust_arg *a = arg;
  if (!(s->sflags & H2S_RW_LIVE))
    return 0;
  uint32_t inc = 0;
  int rv = hyper__h2_recvwin_adjust_initial(&s->rw, a->old_v, a->new_v, &inc);
  if (rv)
    return rv;
  if (s->fsm.flags & HYPER__H2_SF_END_STREAM_RECV)
    return 0;
  return hyper__h2_q_window_update(c, s->id, inc, OQ_USER);
}

/* Recomputes the eff_* values and applies their side effects. */
static int recompute(hyper_h2_conn *c) {
  const hyper_h2_settings *a = &c->local_acked;
  uint32_t mf = a->max_frame_size, iw = a->initial_window_size,
           ts = a->header_table_size, ep = a->enable_push,
           ec = a->enable_connect_protocol;
  for (uint32_t i = 0; i < c->pend_count; i++) {
    const hyper_h2_settings *p =
        &c->pend[(c->pend_head + i) % H2_MAX_PENDING_SETTINGS].after;
    mf = HYPER_MAX(mf, p->max_frame_size);
    iw = HYPER_MAX(iw, p->initial_window_size);
    ts = HYPER_MAX(ts, p->header_table_size);
    ep = HYPER_MAX(ep, p->enable_push);
    ec = HYPER_MAX(ec, p->enable_connect_protocol);
  }
  c->eff_max_frame = mf;
  c->fbuf.max = mf;
  c->eff_enable_push = ep;
  c->eff_connect = ec;
  if (ts != c->eff_table_size) {
    size_t before = hyper_hpack_dec_table_size(c->dec);
    c->eff_table_size = ts;
    int rv = hyper_hpack_dec_set_max_table_size(c->dec, ts);
    if (rv)
      return rv;
    hyper__h2_trace_hpack(c, 0, before);
  }
  size_t hl = hyper__h2_local_header_list(c);
  if (hl != c->dec_list_max) {
    c->dec_list_max = hl;
    hyper_hpack_dec_set_max_header_list_size(c->dec, hl);
  }
  if (iw != c->eff_initial_window) {
    adjust_arg arg = {c->eff_initial_window, iw};
    c->eff_initial_window = iw;
    int rv = hyper__h2_streams_each(c, adjust_stream, &arg);
    if (rv)
      return rv;
  }
  return 0;
}

int hyper__h2_settings_send(hyper_h2_conn *c, const hyper_h2_setting *e,
                            size_t n) {
  int rv = hyper__h2_settings_check_local(c, e, n);
  if (rv)
    return rv;
  rv = hyper__h2_q_settings(c, e, n);
  if (rv)
    return rv;
  hyper__h2_pending_settings *p =
      &c->pend[(c->pend_head + c->pend_count) % H2_MAX_PENDING_SETTINGS];
  p->after = c->local_sent;
  for (size_t i = 0; i < n; i++) {
    hyper__h2_settings_set(&p->after, e[i].id, e[i].value);
    p->ids[i] = e[i].id;
    p->values[i] = e[i].value;
  }
  p->count = (uint32_t)n;
  p->sent_ms = c->now_ms;
  c->pend_count++;
  c->local_sent = p->after;
  /* the frame is queued: a failure now leaves the settings half applied */
  rv = recompute(c);
  return rv ? hyper__h2_fatal(c, rv) : 0;
}

int hyper__h2_settings_acked(hyper_h2_conn *c) {
  c->nchanges = 0;
  if (!c->pend_count)
    return 0;
  hyper__h2_pending_settings *p = &c->pend[c->pend_head];
  for (uint32_t i = 0; i < p->count; i++) {
    uint16_t id = p->ids[i];
    if (!field_of(&c->local_acked, id))
      continue;
    hyper_h2_setting_change *ch = &c->changes[c->nchanges++];
    ch->id = id;
    ch->old_value = hyper__h2_settings_get(&c->local_acked, id);
    ch->new_value = p->values[i];
    hyper__h2_settings_set(&c->local_acked, id, p->values[i]);
  }
  c->pend_head = (c->pend_head + 1) % H2_MAX_PENDING_SETTINGS;
  c->pend_count--;
  int rv = recompute(c);
  return rv ? rv : 1;
}

typedef struct remote_iw_arg {
  uint32_t old_v, new_v;
} remote_iw_arg;

static int adjust_send(hyper_h2_conn *c, hyper__h2_stream *s, void *arg) {
  (void)c;
  remote_iw_arg *a = arg;
  return hyper__h2_sendwin_adjust_initial(&s->sw, a->old_v, a->new_v);
}

int hyper__h2_settings_apply_remote(hyper_h2_conn *c,
                                    const hyper_h2_frame_settings *f) {
  c->nchanges = 0;
  for (size_t i = 0; i < f->count; i++) {
    hyper_h2_setting e;
    hyper_h2_frame_settings_get(f, i, &e);
    uint32_t *slot = field_of(&c->remote, e.id);
    if (!slot)
      continue; /* §6.5.2: unknown settings MUST be ignored */
    uint32_t old = *slot, v = e.value;
    switch (e.id) {
    case HYPER_H2_SETTINGS_HEADER_TABLE_SIZE: {
      size_t before = hyper_hpack_enc_table_size(c->enc);
      hyper_hpack_enc_set_peer_table_size(c->enc, v); /* capped (A6) */
      hyper__h2_trace_hpack(c, 1, before);
      break;
    }
    case HYPER_H2_SETTINGS_ENABLE_PUSH:
      /* §6.5.2: a client MUST treat ENABLE_PUSH=1 as PROTOCOL_ERROR */
      if (c->is_client && v)
        return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                    HYPER_H2_PROTOCOL_ERROR,
                                    "server sent SETTINGS_ENABLE_PUSH=1");
      break;
    case HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE: {
      /* §6.9.2: every stream window moves by the difference; one that
       * would exceed 2^31-1 is a connection FLOW_CONTROL_ERROR */
      remote_iw_arg a = {old, v};
      if (hyper__h2_streams_each(c, adjust_send, &a))
        return hyper__h2_conn_error(
            c, HYPER_ERR_H2_FLOW_CONTROL, HYPER_H2_FLOW_CONTROL_ERROR,
            "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window");
      break;
    }
    case HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
      if (old && !v) /* RFC 8441 §3 */
        return hyper__h2_conn_error(
            c, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR,
            "SETTINGS_ENABLE_CONNECT_PROTOCOL went back to 0");
      break;
    case HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES:
      /* RFC 9218 §2.1: MAY treat a change after the first frame as
       * PROTOCOL_ERROR */
      if (c->remote_no7540_seen && v != old)
        return hyper__h2_conn_error(
            c, HYPER_ERR_H2_PROTOCOL, HYPER_H2_PROTOCOL_ERROR,
            "SETTINGS_NO_RFC7540_PRIORITIES changed");
      break;
    default:
      break;
    }
    *slot = v;
    hyper_h2_setting_change *ch = &c->changes[c->nchanges++];
    ch->id = e.id;
    ch->old_value = old;
    ch->new_value = v;
  }
  c->remote_no7540_seen = 1;
  return 0;
}
