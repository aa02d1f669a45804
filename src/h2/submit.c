/* Actions of the HTTP/2 connection: what the application asks the core to
 * send. Every action checks everything that can fail (arguments, state,
 * header rules, allocation) before it changes anything, so a failed action
 * leaves the connection as it was. */
#include "conn_int.h"

/* ---- connection phases ----------------------------------------------
 * STYLE §3.7 asks for the connection's rules as a table too (h2's
 * ConnectionStateMachine). The phase is derived from the connection's
 * flags, and each [phase][action class] cell holds 0 (allowed) or the
 * error the action returns. Unlike h2, a GOAWAY does not close the
 * connection at once: with NO_ERROR it drains (RFC 9113 §6.8), so existing
 * streams go on and only new ones are refused. Rules that depend on stream
 * ids (the last id of a GOAWAY, ids running out) or on SETTINGS stay with
 * the actions; per-stream rules are the table in stream_fsm.c. */
typedef enum conn_phase {
  PH_IDLE,        /* hyper_h2_conn_initiate() not called yet */
  PH_OPEN,
  PH_GOAWAY_SENT, /* we sent GOAWAY(NO_ERROR): draining */
  PH_GOAWAY_RECV, /* the peer sent GOAWAY (any code): no new streams */
  PH_GOAWAY_BOTH,
  PH_CLOSED,      /* a connection error or hyper_h2_close(error) */
  PH__COUNT
} conn_phase;

typedef enum conn_action {
  AC_ANY,        /* every action: on existing streams, PING, SETTINGS... */
  AC_NEW_STREAM, /* hyper_h2_submit_request() (after AC_ANY) */
  AC_PUSH,       /* hyper_h2_push_promise() (after AC_ANY) */
  AC__COUNT
} conn_action;

static const int conn_rules[PH__COUNT][AC__COUNT] = {
    [PH_IDLE] = {HYPER_ERR_INVALID_STATE, HYPER_ERR_INVALID_STATE,
                 HYPER_ERR_INVALID_STATE},
    [PH_OPEN] = {0, 0, 0},
    /* we said no more streams: ours are refused here, not by the peer */
    [PH_GOAWAY_SENT] = {0, HYPER_ERR_INVALID_STATE, HYPER_ERR_INVALID_STATE},
    /* the peer would ignore them (§6.8) */
    [PH_GOAWAY_RECV] = {0, HYPER_ERR_H2_GOAWAY, HYPER_ERR_H2_GOAWAY},
    [PH_GOAWAY_BOTH] = {0, HYPER_ERR_H2_GOAWAY, HYPER_ERR_INVALID_STATE},
    [PH_CLOSED] = {HYPER_ERR_INVALID_STATE, HYPER_ERR_INVALID_STATE,
                   HYPER_ERR_INVALID_STATE},
};

static conn_phase phase_of(const hyper_h2_conn *c) {
  if (c->terminated)
    return PH_CLOSED;
  if (!c->initiated)
    return PH_IDLE;
  return (conn_phase)(PH_OPEN + (c->goaway_sent ? 1 : 0) +
                      (c->goaway_recv ? 2 : 0));
}

static int conn_allows(const hyper_h2_conn *c, conn_action a) {
  return conn_rules[phase_of(c)][a];
}

static int usable(const hyper_h2_conn *c) { return conn_allows(c, AC_ANY); }

/* A missing stream: never opened (idle) or closed and perhaps forgotten. */
static int no_stream(const hyper_h2_conn *c, uint32_t id) {
  int idle = hyper__h2_is_remote_id(c, id) ? id > c->last_remote_id
                                           : id >= c->next_local_id;
  return idle ? HYPER_ERR_H2_PROTOCOL : HYPER_ERR_H2_STREAM_CLOSED;
}

static int find(hyper_h2_conn *c, uint32_t id, hyper__h2_stream **out) {
  if (id == 0 || id > HYPER_H2_MAX_STREAM_ID)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_stream *s = hyper__h2_stream_find(c, id);
  if (!s)
    return no_stream(c, id);
  *out = s;
  return 0;
}

/* The common prologue of a stream action: the connection may act, the
 * stream is known, and its state allows |in|. */
static int stream_for(hyper_h2_conn *c, uint32_t id, hyper__h2_in in,
                      hyper__h2_stream **out) {
  int rv = usable(c);
  if (rv)
    return rv;
  rv = find(c, id, out);
  if (rv)
    return rv;
  return hyper__h2_stream_check(&(*out)->fsm, in);
}

/* Outbound header block, normalised and validated. */
/* Blocks of up to this many fields get the encoder's static-table lookups
 * done once, before validation, which uses them as name hints. */
#define PRE_MAX 32

typedef struct prepared {
  const hyper_field *f;
  size_t n;
  hyper_field *alloc; /* normalised copy, or NULL */
  const hyper__hpack_pre *pre; /* the encoder's lookups for f, or NULL */
  hyper__h2_fields_info info;
  hyper__hpack_pre pre_store[PRE_MAX];
} prepared;

static void release(hyper_h2_conn *c, prepared *p) {
  hyper__mem_free(&c->mem, p->alloc);
  p->alloc = NULL;
}

static int prepare(hyper_h2_conn *c, hyper__h2_block block, unsigned flags,
                   const hyper_field *fields, size_t n, prepared *p) {
  p->f = fields;
  p->n = n;
  p->alloc = NULL;
  p->pre = NULL;
  if (!fields && n)
    return HYPER_ERR_INVALID_ARGUMENT;
  flags |= HYPER__H2_FIELDS_OUTBOUND;
  if (!c->is_client)
    flags |= HYPER__H2_FIELDS_SERVER;
  /* A block that validates as given is already in normal form: every
   * change normalisation makes (uppercase names, connection-specific
   * fields, `te` other than "trailers", whitespace around values) is
   * something validation rejects. So the common case costs one pass; only
   * a block that fails goes through normalisation and validation again.
   * The encoder's static-table lookups, needed anyway, are done first: a
   * name equal to a static-table name is known valid, which the validator
   * takes as a hint (they are facts about these octets, not caller input). */
  if (c->cfg.validate_outbound_headers) {
    uint8_t hints[PRE_MAX];
    const uint8_t *h = NULL;
    if (n <= PRE_MAX &&
        hyper__hpack_enc_lookup(fields, n, p->pre_store, hints) == 0)
      h = hints;
    const char *why = NULL;
    int rv = hyper__h2_fields_validate_hinted(block, fields, h, n, flags,
                                              &p->info, &why);
    if (rv == 0) {
      p->pre = h ? p->pre_store : NULL;
      return 0;
    }
    if (!c->cfg.normalize_outbound_headers) {
      hyper__h2_set_error(c, rv, 0, 0, why ? why : "invalid header block");
      return rv;
    }
  }
  if (c->cfg.normalize_outbound_headers) {
    hyper__h2_fields_norm res;
    int rv = hyper__h2_fields_normalize_outbound(block, flags, fields, n, NULL,
                                                 0, NULL, 0, &res);
    if (rv)
      return rv == HYPER_ERR_LIMIT_EXCEEDED ? HYPER_ERR_H2_HEADER : rv;
    if (res.changed) {
      rv = hyper__h2_fields_normalize_outbound_alloc(block, flags, fields, n,
                                                     &c->mem, &p->alloc, &res);
      if (rv)
        return rv;
      p->f = p->alloc;
      p->n = res.n_fields;
    }
  }
  if (!c->cfg.validate_outbound_headers)
    flags |= HYPER__H2_FIELDS_NO_VALIDATE;
  const char *why = NULL;
  int rv = hyper__h2_fields_validate(block, p->f, p->n, flags, &p->info, &why);
  if (rv) {
    release(c, p);
    hyper__h2_set_error(c, rv, 0, 0, why ? why : "invalid header block");
    return rv;
  }
  return 0;
}

/* The content length a message sending |info| commits to: -1 when there is
 * none to check. |resp| for responses (HEAD and no-content responses have
 * no content). */
static int64_t out_length(const hyper__h2_stream *s,
                          const hyper__h2_fields_info *info, int resp) {
  if (resp) {
    if ((s->sflags & H2S_REQ_HEAD) || info->no_content)
      return 0;
    if ((s->sflags & H2S_CONNECT) && info->status / 100 == 2)
      return -1;
  } else if (info->is_connect) {
    return -1;
  }
  return info->content_length;
}

static int length_error(hyper_h2_conn *c, uint32_t id) {
  hyper__h2_set_error(c, HYPER_ERR_H2_PROTOCOL, 0, id,
                      "DATA total would differ from content-length");
  return HYPER_ERR_H2_PROTOCOL;
}

/* Reserves room for the block, encodes it and applies the inputs. */
static int emit_block(hyper_h2_conn *c, hyper__h2_stream *s, uint32_t frame_id,
                      uint32_t promised, hyper__h2_in in, int es,
                      prepared *p) {
  size_t bound = hyper_hpack_enc_bound(c->enc, p->f, p->n);
  uint8_t *dst = hyper__h2_out_reserve(c, hyper__h2_block_space(c, bound,
                                                                promised != 0));
  if (!dst)
    return HYPER_ERR_NOMEM;
  int rv = hyper__h2_q_block(c, dst, frame_id, promised, es, p->f, p->n, bound,
                             p->pre);
  if (rv)
    return rv;
  int act;
  hyper__h2_stream_input(&s->fsm, in, &act);
  if (es)
    hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_END_STREAM, &act);
  hyper__h2_stream_sync(c, s);
  return 0;
}

int hyper_h2_submit_request(hyper_h2_conn *c, const hyper_field *fields,
                            size_t n, int end_stream, uint32_t *stream_id) {
  if (!c || !stream_id)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  if (!c->is_client)
    return HYPER_ERR_INVALID_STATE;
  if ((rv = conn_allows(c, AC_NEW_STREAM)) != 0)
    return rv;
  if (c->next_local_id > HYPER_H2_MAX_STREAM_ID)
    return HYPER_ERR_H2_STREAM_IDS_EXHAUSTED;
  if (c->active_local >= c->remote.max_concurrent_streams) /* A7 */
    return HYPER_ERR_LIMIT_EXCEEDED;
  prepared p;
  unsigned flags = (c->remote.enable_connect_protocol
                        ? HYPER__H2_FIELDS_EXT_CONNECT
                        : 0) |
                   (end_stream ? HYPER__H2_FIELDS_END_STREAM : 0);
  rv = prepare(c, HYPER__H2_BLOCK_REQUEST, flags, fields, n, &p);
  if (rv)
    return rv;
  uint32_t id = c->next_local_id;
  int64_t expect = p.info.is_connect ? -1 : p.info.content_length;
  if (c->cfg.validate_outbound_headers && end_stream && expect > 0) {
    release(c, &p);
    return length_error(c, id);
  }
  hyper__h2_stream *s;
  rv = hyper__h2_stream_new(c, id, &s);
  if (rv) {
    release(c, &p);
    return rv;
  }
  s->sflags |= H2S_APP_KNOWN;
  if (p.info.is_head)
    s->sflags |= H2S_REQ_HEAD;
  if (p.info.is_connect)
    s->sflags |= H2S_CONNECT;
  s->out_expect = expect;
  rv = emit_block(c, s, id, 0, HYPER__H2_IN_SEND_HEADERS, end_stream, &p);
  release(c, &p);
  if (rv) {
    hyper__h2_stream_discard(c, s);
    return rv;
  }
  c->next_local_id += 2;
  *stream_id = id;
  return 0;
}

/* The checks shared by the server's response-side blocks. */
static int server_stream(hyper_h2_conn *c, uint32_t id, hyper__h2_in in,
                         hyper__h2_stream **out) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  if (c->is_client)
    return HYPER_ERR_INVALID_STATE;
  rv = find(c, id, out);
  if (rv)
    return rv;
  return hyper__h2_stream_check(&(*out)->fsm, in);
}

int hyper_h2_submit_response(hyper_h2_conn *c, uint32_t stream_id,
                             const hyper_field *fields, size_t n,
                             int end_stream) {
  hyper__h2_stream *s;
  int rv = server_stream(c, stream_id, HYPER__H2_IN_SEND_HEADERS, &s);
  if (rv)
    return rv;
  if (s->fsm.flags & HYPER__H2_SF_HEADERS_SENT) /* use submit_trailers */
    return HYPER_ERR_H2_PROTOCOL;
  if (s->fsm.state == HYPER__H2_ST_RESERVED_LOCAL &&
      c->active_local >= c->remote.max_concurrent_streams)
    return HYPER_ERR_LIMIT_EXCEEDED;
  prepared p;
  rv = prepare(c, HYPER__H2_BLOCK_RESPONSE,
               end_stream ? HYPER__H2_FIELDS_END_STREAM : 0, fields, n, &p);
  if (rv)
    return rv;
  int64_t expect = out_length(s, &p.info, 1);
  if (c->cfg.validate_outbound_headers && end_stream && expect > 0) {
    release(c, &p);
    return length_error(c, stream_id);
  }
  rv = emit_block(c, s, stream_id, 0, HYPER__H2_IN_SEND_HEADERS, end_stream,
                  &p);
  release(c, &p);
  if (!rv)
    s->out_expect = expect;
  return rv;
}

int hyper_h2_submit_informational(hyper_h2_conn *c, uint32_t stream_id,
                                  const hyper_field *fields, size_t n) {
  hyper__h2_stream *s;
  int rv = server_stream(c, stream_id, HYPER__H2_IN_SEND_INFORMATIONAL, &s);
  if (rv)
    return rv;
  prepared p;
  rv = prepare(c, HYPER__H2_BLOCK_INFORMATIONAL, 0, fields, n, &p);
  if (rv)
    return rv;
  rv = emit_block(c, s, stream_id, 0, HYPER__H2_IN_SEND_INFORMATIONAL, 0, &p);
  release(c, &p);
  return rv;
}

int hyper_h2_submit_trailers(hyper_h2_conn *c, uint32_t stream_id,
                             const hyper_field *fields, size_t n) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_stream *s;
  int rv = stream_for(c, stream_id, HYPER__H2_IN_SEND_HEADERS, &s);
  if (rv)
    return rv;
  if (!(s->fsm.flags & HYPER__H2_SF_HEADERS_SENT)) /* not trailers yet */
    return HYPER_ERR_H2_PROTOCOL;
  if (c->cfg.validate_outbound_headers && s->out_expect >= 0 &&
      s->out_sent != s->out_expect)
    return length_error(c, stream_id);
  prepared p;
  rv = prepare(c, HYPER__H2_BLOCK_TRAILERS, HYPER__H2_FIELDS_END_STREAM,
               fields, n, &p);
  if (rv)
    return rv;
  rv = emit_block(c, s, stream_id, 0, HYPER__H2_IN_SEND_HEADERS, 1, &p);
  release(c, &p);
  return rv;
}

int hyper_h2_send_data(hyper_h2_conn *c, uint32_t stream_id,
                       const uint8_t *data, size_t len, int end_stream) {
  if (!c || (!data && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_stream *s;
  int rv = stream_for(c, stream_id, HYPER__H2_IN_SEND_DATA, &s);
  if (rv)
    return rv;
  if (len > c->remote.max_frame_size)
    return HYPER_ERR_H2_FRAME_SIZE;
  if (hyper__h2_sendwin_allowance(&s->sw, &c->conn_sw, len) < len)
    return HYPER_ERR_H2_FLOW_CONTROL;
  if (c->cfg.validate_outbound_headers && s->out_expect >= 0 &&
      ((int64_t)len > s->out_expect - s->out_sent ||
       (end_stream && s->out_sent + (int64_t)len != s->out_expect)))
    return length_error(c, stream_id);
  size_t need = HYPER_H2_FRAME_HDR_LEN + len;
  uint8_t *dst = hyper__h2_out_reserve(c, need);
  if (!dst)
    return HYPER_ERR_NOMEM;
  int w = hyper_h2_frame_pack_data(dst, need, stream_id,
                                   end_stream ? HYPER_H2_FLAG_END_STREAM : 0,
                                   data, len, HYPER_H2_NO_PADDING);
  if (w < 0)
    return HYPER_ERR_INTERNAL;
  hyper__h2_out_commit(c, (size_t)w, OQ_USER);
  hyper__h2_sendwin_consume(&s->sw, len);
  hyper__h2_sendwin_consume(&c->conn_sw, len);
  s->out_sent += (int64_t)len;
  int act;
  hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_DATA, &act);
  if (end_stream)
    hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_END_STREAM, &act);
  hyper__h2_stream_sync(c, s);
  return 0;
}

int hyper_h2_end_stream(hyper_h2_conn *c, uint32_t stream_id) {
  return hyper_h2_send_data(c, stream_id, NULL, 0, 1);
}

int hyper_h2_reset_stream(hyper_h2_conn *c, uint32_t stream_id,
                          uint32_t error_code) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_stream *s;
  int rv = stream_for(c, stream_id, HYPER__H2_IN_SEND_RST, &s);
  if (rv)
    return rv;
  rv = hyper__h2_q_rst(c, stream_id, error_code, OQ_USER);
  if (rv)
    return rv;
  int act;
  hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_RST, &act);
  hyper__h2_stream_sync(c, s);
  return 0;
}

int hyper_h2_push_promise(hyper_h2_conn *c, uint32_t parent_stream_id,
                          const hyper_field *fields, size_t n,
                          uint32_t *promised_stream_id) {
  if (!promised_stream_id)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_stream *parent;
  int rv = server_stream(c, parent_stream_id, HYPER__H2_IN_SEND_PUSH_PROMISE,
                         &parent);
  if (rv)
    return rv;
  if (!c->remote.enable_push)
    return HYPER_ERR_INVALID_STATE;
  if ((rv = conn_allows(c, AC_PUSH)) != 0)
    return rv;
  if (c->next_local_id > HYPER_H2_MAX_STREAM_ID)
    return HYPER_ERR_H2_STREAM_IDS_EXHAUSTED;
  prepared p;
  rv = prepare(c, HYPER__H2_BLOCK_PUSH_PROMISE, 0, fields, n, &p);
  if (rv)
    return rv;
  uint32_t id = c->next_local_id;
  hyper__h2_stream *s;
  rv = hyper__h2_stream_new(c, id, &s);
  if (rv) {
    release(c, &p);
    return rv;
  }
  /* |parent| stays valid: creating a stream never forgets one */
  rv = emit_block(c, s, parent_stream_id, id, HYPER__H2_IN_SEND_PUSH_PROMISE,
                  0, &p);
  release(c, &p);
  if (rv) {
    hyper__h2_stream_discard(c, s);
    return rv;
  }
  s->sflags |= H2S_APP_KNOWN;
  if (p.info.is_head)
    s->sflags |= H2S_REQ_HEAD;
  int act;
  hyper__h2_stream_input(&parent->fsm, HYPER__H2_IN_SEND_PUSH_PROMISE, &act);
  c->next_local_id += 2;
  *promised_stream_id = id;
  return 0;
}

int hyper_h2_ping(hyper_h2_conn *c, const uint8_t opaque[8]) {
  if (!c || !opaque)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  rv = hyper__h2_q_ping(c, 0, opaque, OQ_USER);
  if (!rv)
    c->pings_out++;
  return rv;
}

int hyper_h2_update_settings(hyper_h2_conn *c, const hyper_h2_setting *entries,
                             size_t n) {
  if (!c || (!entries && n))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  return hyper__h2_settings_send(c, entries, n);
}

int hyper_h2_acknowledge_received_data(hyper_h2_conn *c, uint32_t stream_id,
                                       size_t n) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  if (c->cfg.recv_mode != HYPER_H2_RECV_ACK)
    return HYPER_ERR_INVALID_STATE;
  if ((uint64_t)n > (uint64_t)hyper__h2_recvwin_unacked(&c->conn_rw))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (n == 0)
    return 0;
  /* Room for both WINDOW_UPDATEs first, so that nothing is half done. */
  if (!hyper__h2_out_reserve(c, 26))
    return HYPER_ERR_NOMEM;
  uint32_t cinc = 0, sinc = 0;
  hyper__h2_recvwin_ack(&c->conn_rw, n, &cinc);
  hyper__h2_stream *s =
      stream_id ? hyper__h2_stream_find(c, stream_id) : NULL;
  if (s && (s->sflags & H2S_RW_LIVE)) {
    int64_t un = hyper__h2_recvwin_unacked(&s->rw);
    uint64_t k = (uint64_t)n < (uint64_t)un ? (uint64_t)n : (uint64_t)un;
    hyper__h2_recvwin_ack(&s->rw, k, &sinc);
    if (s->fsm.flags & HYPER__H2_SF_END_STREAM_RECV)
      sinc = 0;
  }
  hyper__h2_q_window_update(c, 0, cinc, OQ_USER);
  hyper__h2_q_window_update(c, stream_id, sinc, OQ_USER);
  return 0;
}

int hyper_h2_priority_update(hyper_h2_conn *c, uint32_t stream_id,
                             uint8_t urgency, int incremental) {
  if (!c || stream_id == 0 || stream_id > HYPER_H2_MAX_STREAM_ID ||
      urgency > HYPER__H2_PRIORITY_URGENCY_MAX ||
      (incremental != 0 && incremental != 1))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  if (!c->is_client) /* RFC 9218 §7.1: servers MUST NOT send it */
    return HYPER_ERR_INVALID_STATE;
  hyper__h2_priority pr = {urgency, (uint8_t)incremental};
  uint8_t v[HYPER__H2_PRIORITY_FORMAT_MAX];
  int len = hyper__h2_priority_format(&pr, v, sizeof v);
  if (len < 0)
    return HYPER_ERR_INTERNAL;
  size_t need = 13 + (size_t)len;
  uint8_t *dst = hyper__h2_out_reserve(c, need);
  if (!dst)
    return HYPER_ERR_NOMEM;
  int w = hyper_h2_frame_pack_priority_update(dst, need, stream_id, v,
                                              (size_t)len);
  if (w < 0)
    return HYPER_ERR_INTERNAL;
  return hyper__h2_out_commit(c, (size_t)w, OQ_USER);
}

int hyper_h2_close(hyper_h2_conn *c, uint32_t error_code,
                   uint32_t last_stream_id, const uint8_t *debug,
                   size_t len) {
  if (!c || (!debug && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = usable(c);
  if (rv)
    return rv;
  /* AUTO: the highest peer stream we processed; streams ignored after an
   * earlier GOAWAY (§6.8) do not count (fuzz found AUTO refused then). */
  if (last_stream_id == HYPER_H2_LAST_STREAM_AUTO)
    last_stream_id = hyper__h2_goaway_last(c);
  if (last_stream_id > HYPER_H2_MAX_STREAM_ID ||
      (c->goaway_sent && last_stream_id > c->goaway_sent_last))
    return HYPER_ERR_INVALID_ARGUMENT;
  rv = hyper__h2_q_goaway(c, last_stream_id, error_code, debug, len);
  if (rv)
    return rv;
  c->goaway_sent = 1;
  c->goaway_sent_last = last_stream_id;
  if (error_code != HYPER_H2_NO_ERROR) {
    c->terminated = 1;
    c->term_err = 0; /* discard further input */
  }
  return 0;
}

int hyper_h2_get_next_available_stream_id(hyper_h2_conn *c,
                                          uint32_t *stream_id) {
  if (!c || !stream_id)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c->next_local_id > HYPER_H2_MAX_STREAM_ID)
    return HYPER_ERR_H2_STREAM_IDS_EXHAUSTED;
  *stream_id = c->next_local_id;
  return 0;
}
