/* The sans-IO HTTP/2 connection (RFC 9113), client and server roles: the
 * configuration, the byte reader (preface, frame header, payload), the
 * per-type frame handlers and the event queue. Actions are in submit.c,
 * streams in stream.c, output in outq.c, SETTINGS in settings.c.
 *
 * Reading is a small explicit state machine (RD_PREFACE -> RD_HEADER <->
 * RD_PAYLOAD). A frame whose payload is wholly inside the caller's input is
 * handled in place; one split across calls is gathered in |fbuf| first, so
 * that any split of the stream gives the same events. hyper_h2_conn_recv()
 * returns after the first frame that produced events, which is what keeps
 * event pointers (into the input, |fbuf| and the HPACK decoder) valid until
 * the next call and the event queue small and fixed. */
#include <limits.h>

#include "conn_int.h"

static const uint8_t PREFACE[24] = {'P', 'R', 'I', ' ', '*', ' ', 'H', 'T',
                                    'T', 'P', '/', '2', '.', '0', '\r', '\n',
                                    '\r', '\n', 'S', 'M', '\r', '\n', '\r',
                                    '\n'};

/* ------------------------------------------------------------------------ */
/* Configuration and lifecycle                                              */
/* ------------------------------------------------------------------------ */

void hyper_h2_config_init(hyper_h2_config *cfg, hyper_h2_role role) {
  memset(cfg, 0, sizeof *cfg);
  cfg->role = role;
  cfg->settings.header_table_size = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  cfg->settings.enable_push = 0;
  cfg->settings.max_concurrent_streams = HYPER_H2_DEFAULT_MAX_CONCURRENT_STREAMS;
  cfg->settings.initial_window_size = HYPER_H2_DEFAULT_STREAM_RECV_WINDOW;
  cfg->settings.max_frame_size = HYPER_H2_DEFAULT_MAX_FRAME_SIZE;
  cfg->settings.max_header_list_size = HYPER_H2_DEFAULT_MAX_HEADER_LIST;
  cfg->settings.enable_connect_protocol = 0;
  cfg->settings.no_rfc7540_priorities = 1;
  cfg->validate_inbound_headers = 1;
  cfg->validate_outbound_headers = 1;
  cfg->normalize_outbound_headers = 1;
  cfg->connection_window = HYPER_H2_DEFAULT_CONN_RECV_WINDOW;
  cfg->recv_mode = HYPER_H2_RECV_AUTO;
  cfg->wm_factory.create = NULL;
  cfg->wm_factory.user = NULL;
  cfg->max_continuations = HYPER_H2_DEFAULT_MAX_CONTINUATIONS;
  cfg->max_header_block = 0;
  cfg->max_field_len = HYPER_H2_DEFAULT_MAX_FIELD_LEN;
  cfg->max_settings_entries = HYPER_H2_DEFAULT_MAX_SETTINGS_ENTRIES;
  cfg->max_pending_acks = HYPER_H2_DEFAULT_MAX_PENDING_ACKS;
  cfg->max_outbound_frames = HYPER_H2_DEFAULT_MAX_OUTBOUND_FRAMES;
  cfg->rst_burst = HYPER_H2_DEFAULT_RST_BURST;
  cfg->rst_rate = HYPER_H2_DEFAULT_RST_RATE;
  cfg->glitch_burst = HYPER_H2_DEFAULT_GLITCH_BURST;
  cfg->glitch_rate = HYPER_H2_DEFAULT_GLITCH_RATE;
  cfg->encoder_table_max = HYPER_H2_DEFAULT_ENCODER_TABLE_MAX;
  cfg->max_reserved_streams = HYPER_H2_DEFAULT_MAX_RESERVED_STREAMS;
  cfg->max_closed_streams = HYPER_H2_DEFAULT_MAX_CLOSED_STREAMS;
  cfg->settings_timeout_ms = HYPER_H2_DEFAULT_SETTINGS_TIMEOUT_MS;
  cfg->trace = NULL;
  cfg->trace_user = NULL;
}

size_t hyper__h2_settings_entries(const hyper_h2_settings *s, int is_client,
                                  hyper_h2_setting *e) {
  static const uint16_t ids[] = {
      HYPER_H2_SETTINGS_HEADER_TABLE_SIZE,
      HYPER_H2_SETTINGS_ENABLE_PUSH,
      HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS,
      HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE,
      HYPER_H2_SETTINGS_MAX_FRAME_SIZE,
      HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE,
      HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL,
      HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES};
  hyper_h2_settings d;
  hyper__h2_settings_rfc_defaults(&d);
  size_t n = 0;
  for (size_t i = 0; i < HYPER_ARRAY_LEN(ids); i++) {
    uint32_t v = hyper__h2_settings_get(s, ids[i]);
    int always = ids[i] == HYPER_H2_SETTINGS_ENABLE_PUSH && is_client;
    if (v == hyper__h2_settings_get(&d, ids[i]) && !always)
      continue;
    if (ids[i] == HYPER_H2_SETTINGS_ENABLE_PUSH && !is_client)
      continue;
    e[n].id = ids[i];
    e[n].value = v;
    n++;
  }
  return n;
}

static int check_config(const hyper_h2_config *cfg) {
  const hyper_h2_settings *s = &cfg->settings;
  if (cfg->role != HYPER_H2_ROLE_CLIENT && cfg->role != HYPER_H2_ROLE_SERVER)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_h2_setting e[8];
  size_t n = hyper__h2_settings_entries(s, 1, e);
  for (size_t i = 0; i < n; i++)
    if (hyper_h2_frame_pack_settings(NULL, 0, &e[i], 1) !=
        HYPER_ERR_BUFFER_TOO_SMALL)
      return HYPER_ERR_INVALID_ARGUMENT;
  if (s->header_table_size > (1u << 30) || s->max_header_list_size == 0 ||
      s->max_header_list_size > HYPER_H2_MAX_HEADER_LIST_HARD_CAP ||
      (cfg->role == HYPER_H2_ROLE_SERVER && s->enable_push))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cfg->connection_window < HYPER_H2_DEFAULT_WINDOW ||
      cfg->connection_window > (uint32_t)HYPER_H2_MAX_WINDOW)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cfg->recv_mode != HYPER_H2_RECV_AUTO &&
      cfg->recv_mode != HYPER_H2_RECV_ACK)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cfg->max_field_len == 0 || cfg->max_settings_entries == 0 ||
      cfg->max_settings_entries > HYPER_H2_MAX_SETTINGS_ENTRIES_CAP ||
      cfg->max_pending_acks == 0 || cfg->max_outbound_frames == 0 ||
      cfg->encoder_table_max > (1u << 30) || cfg->max_closed_streams == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  return 0;
}

static void bucket_init(hyper__h2_bucket *b, uint32_t burst, uint32_t rate) {
  b->burst = burst;
  b->rate = rate;
  b->milli = (uint64_t)burst * 1000;
  b->last_ms = 0;
}

int hyper_h2_conn_new(hyper_h2_conn **out, const hyper_h2_config *cfg,
                      const hyper_mem *mem) {
  hyper_h2_config def;
  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!cfg) {
    hyper_h2_config_init(&def, HYPER_H2_ROLE_CLIENT);
    cfg = &def;
  }
  int rv = check_config(cfg);
  if (rv)
    return rv;
  hyper_mem m;
  hyper__mem_init(&m, mem);
  hyper_h2_conn *c = hyper__mem_calloc(&m, 1, sizeof *c);
  if (!c)
    return HYPER_ERR_NOMEM;
  c->mem = m;
  c->cfg = *cfg;
  c->is_client = cfg->role == HYPER_H2_ROLE_CLIENT;
  c->last_err.desc = "";
  hyper__h2_settings_rfc_defaults(&c->local_acked);
  hyper__h2_settings_rfc_defaults(&c->local_sent);
  hyper__h2_settings_rfc_defaults(&c->remote);
  c->eff_max_frame = HYPER_H2_DEFAULT_MAX_FRAME_SIZE;
  c->eff_initial_window = HYPER_H2_DEFAULT_WINDOW;
  c->eff_table_size = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  c->eff_enable_push = 1;
  c->rstate = c->is_client ? RD_HEADER : RD_PREFACE;
  c->next_local_id = c->is_client ? 1 : 2;
  hyper__buf_init(&c->fbuf, &c->mem, c->eff_max_frame);
  hyper__buf_init(&c->hb, &c->mem, SIZE_MAX / 2);
  hyper__h2_out_init(c);
  bucket_init(&c->glitch, cfg->glitch_burst, cfg->glitch_rate);
  bucket_init(&c->rst, cfg->rst_burst, cfg->rst_rate);
  hyper__h2_sendwin_init(&c->conn_sw, HYPER_H2_DEFAULT_WINDOW);

  hyper_hpack_dec_config dc;
  hyper_hpack_dec_config_init(&dc);
  dc.max_table_size = c->eff_table_size;
  dc.max_header_list_size = hyper__h2_local_header_list(c);
  dc.max_field_len = cfg->max_field_len;
  c->dec_list_max = dc.max_header_list_size;
  rv = hyper_hpack_dec_new(&c->dec, &dc, &c->mem);
  if (rv)
    goto fail_dec;
  hyper_hpack_enc_config ec;
  hyper_hpack_enc_config_init(&ec);
  ec.max_table_size = cfg->encoder_table_max;
  rv = hyper_hpack_enc_new(&c->enc, &ec, &c->mem);
  if (rv)
    goto fail_enc;
  rv = hyper__h2_recvwin_init(
      &c->conn_rw, &cfg->wm_factory, 0, cfg->connection_window,
      HYPER_H2_DEFAULT_WINDOW,
      cfg->recv_mode == HYPER_H2_RECV_ACK ? HYPER__H2_RECVWIN_ACK
                                          : HYPER__H2_RECVWIN_AUTO,
      &c->mem);
  if (rv)
    goto fail_rw;
  *out = c;
  return 0;

fail_rw:
  hyper_hpack_enc_free(c->enc);
fail_enc:
  hyper_hpack_dec_free(c->dec);
fail_dec:
  hyper__mem_free(&m, c);
  return rv;
}

void hyper_h2_conn_free(hyper_h2_conn *c) {
  if (!c)
    return;
  hyper_mem m = c->mem;
  hyper__h2_streams_free(c);
  hyper__h2_recvwin_cleanup(&c->conn_rw);
  hyper_hpack_enc_free(c->enc);
  hyper_hpack_dec_free(c->dec);
  hyper__buf_cleanup(&c->fbuf);
  hyper__buf_cleanup(&c->hb);
  hyper__h2_out_cleanup(c);
  hyper__mem_free(&m, c);
}

int hyper_h2_conn_initiate(hyper_h2_conn *c) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c->initiated || c->terminated)
    return HYPER_ERR_INVALID_STATE;
  int rv;
  if (c->is_client) {
    /* §3.4: the client preface; not a frame, so not traced */
    uint8_t *p = hyper__h2_out_reserve(c, sizeof PREFACE);
    if (!p)
      return hyper__h2_fatal(c, HYPER_ERR_NOMEM);
    memcpy(p, PREFACE, sizeof PREFACE);
    c->out.len += sizeof PREFACE;
    c->out_total += sizeof PREFACE;
  }
  hyper_h2_setting e[8];
  size_t n = hyper__h2_settings_entries(&c->cfg.settings, c->is_client, e);
  rv = hyper__h2_settings_send(c, e, n);
  if (rv)
    return hyper__h2_fatal(c, rv);
  /* the connection window starts at 65,535 whatever SETTINGS say (§6.9.2):
   * let the manager raise it to the configured size */
  uint32_t inc = hyper__h2_recvwin_refresh(&c->conn_rw);
  rv = hyper__h2_q_window_update(c, 0, inc, OQ_USER);
  if (rv)
    return hyper__h2_fatal(c, rv);
  c->initiated = 1;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Errors, events, time, trace                                              */
/* ------------------------------------------------------------------------ */

void hyper__h2_set_error(hyper_h2_conn *c, int code, uint32_t h2,
                         uint32_t stream_id, const char *desc) {
  c->last_err.code = code;
  c->last_err.h2_code = h2;
  c->last_err.stream_id = stream_id;
  c->last_err.desc = desc ? desc : "";
}

uint32_t hyper__h2_goaway_last(const hyper_h2_conn *c) {
  uint32_t last = c->last_remote_id;
  if (c->goaway_sent && c->goaway_sent_last < last)
    last = c->goaway_sent_last;
  return last;
}

int hyper__h2_conn_error(hyper_h2_conn *c, int code, uint32_t h2,
                         const char *desc) {
  if (c->terminated)
    return c->term_err ? c->term_err : code;
  hyper__h2_set_error(c, code, h2, 0, desc);
  /* rule e: GOAWAY before returning; a NOMEM here only loses the frame */
  hyper__h2_q_goaway(c, hyper__h2_goaway_last(c), h2, (const uint8_t *)desc,
                     desc ? strlen(desc) : 0);
  c->goaway_sent = 1;
  c->goaway_sent_last = hyper__h2_goaway_last(c);
  c->terminated = 1;
  c->term_err = code;
  c->ev_head = c->ev_count = 0; /* the failing frame's events */
  return code;
}

int hyper__h2_fatal(hyper_h2_conn *c, int code) {
  if (code == HYPER_ERR_NOMEM || code == HYPER_ERR_INTERNAL) {
    if (!c->terminated) {
      hyper__h2_set_error(c, code, HYPER_H2_INTERNAL_ERROR, 0,
                          hyper_strerror(code));
      hyper__h2_q_goaway(c, hyper__h2_goaway_last(c), HYPER_H2_INTERNAL_ERROR, NULL, 0);
    }
    c->fatal = 1;
    c->terminated = 1;
    c->term_err = code;
    c->ev_head = c->ev_count = 0;
    return code;
  }
  /* protocol errors already raised, or a factory's own error */
  if (!c->terminated)
    return hyper__h2_conn_error(c, code, HYPER_H2_INTERNAL_ERROR,
                                hyper_strerror(code));
  return code;
}

hyper_h2_event *hyper__h2_emit(hyper_h2_conn *c, hyper_h2_event_type type,
                               uint32_t stream_id) {
  /* a frame produces at most three events; recv starts empty */
  hyper_h2_event *ev = &c->ev[c->ev_count < H2_MAX_EVENTS ? c->ev_count++
                                                          : H2_MAX_EVENTS - 1];
  memset(ev, 0, sizeof *ev);
  ev->type = type;
  ev->stream_id = stream_id;
  return ev;
}

int hyper_h2_conn_next_event(hyper_h2_conn *c, hyper_h2_event *ev) {
  if (!c || !ev || c->ev_head >= c->ev_count)
    return 0;
  *ev = c->ev[c->ev_head++];
  if (c->ev_head == c->ev_count)
    c->ev_head = c->ev_count = 0;
  return 1;
}

int hyper__h2_bucket_take(hyper_h2_conn *c, hyper__h2_bucket *b) {
  if (!b->burst)
    return 1;
  if (c->time_set && c->now_ms > b->last_ms) {
    uint64_t add = (c->now_ms - b->last_ms) * b->rate;
    uint64_t cap = (uint64_t)b->burst * 1000;
    b->milli = (cap - b->milli < add) ? cap : b->milli + add;
    b->last_ms = c->now_ms;
  }
  if (b->milli < 1000)
    return 0;
  b->milli -= 1000;
  return 1;
}

int hyper__h2_glitch(hyper_h2_conn *c) {
  if (hyper__h2_bucket_take(c, &c->glitch))
    return 0;
  return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                              HYPER_H2_ENHANCE_YOUR_CALM,
                              "too many useless or invalid frames (glitches)");
}

int hyper_h2_conn_set_time(hyper_h2_conn *c, uint64_t now_ms) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!c->time_set) {
    c->time_set = 1;
    c->now_ms = now_ms;
    c->glitch.last_ms = c->rst.last_ms = now_ms;
    for (uint32_t i = 0; i < H2_MAX_PENDING_SETTINGS; i++)
      c->pend[i].sent_ms = now_ms;
  } else if (now_ms > c->now_ms) {
    c->now_ms = now_ms;
  }
  if (!c->terminated && c->cfg.settings_timeout_ms && c->pend_count &&
      c->now_ms - c->pend[c->pend_head].sent_ms > c->cfg.settings_timeout_ms)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_SETTINGS_TIMEOUT,
                                HYPER_H2_SETTINGS_TIMEOUT,
                                "SETTINGS not acknowledged in time");
  return 0;
}

void hyper__h2_trace_fields(hyper_h2_conn *c, hyper_h2_trace_kind kind,
                            uint32_t stream_id, const hyper_field *f,
                            size_t n) {
  if (!c->cfg.trace)
    return;
  hyper_h2_trace t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  t.stream_id = stream_id;
  t.fields = f;
  t.nfields = n;
  c->cfg.trace(&t, c->cfg.trace_user);
}

void hyper__h2_trace_hpack(hyper_h2_conn *c, int encoder, size_t before) {
  if (!c->cfg.trace)
    return;
  size_t now = encoder ? hyper_hpack_enc_table_size(c->enc)
                       : hyper_hpack_dec_table_size(c->dec);
  if (now == before)
    return;
  hyper_h2_trace t;
  memset(&t, 0, sizeof t);
  t.kind = HYPER_H2_TRACE_HPACK_TABLE;
  t.hpack_encoder = encoder;
  t.old_size = before;
  t.new_size = now;
  t.max_size = encoder ? HYPER_MIN(c->remote.header_table_size,
                                   c->cfg.encoder_table_max)
                       : c->eff_table_size;
  c->cfg.trace(&t, c->cfg.trace_user);
}

/* ------------------------------------------------------------------------ */
/* Stream errors                                                            */
/* ------------------------------------------------------------------------ */

/* Is |id| a stream that was never opened (RFC 9113 §5.1.1: higher than any
 * the initiator used)? */
static int is_idle(const hyper_h2_conn *c, uint32_t id) {
  return hyper__h2_is_remote_id(c, id) ? id > c->last_remote_id
                                       : id >= c->next_local_id;
}

/* After §6.8 GOAWAY we ignore new streams the peer opens above our last id. */
static int ignored_by_goaway(const hyper_h2_conn *c, uint32_t id) {
  return c->goaway_sent && hyper__h2_is_remote_id(c, id) &&
         id > c->goaway_sent_last;
}

/* Data the application will never see (padding is handled by the window):
 * in ACK mode the core acknowledges it on the connection window now. */
static int drop_data(hyper_h2_conn *c, uint32_t len) {
  if (c->cfg.recv_mode != HYPER_H2_RECV_ACK || !len)
    return 0;
  uint32_t inc = 0;
  if (hyper__h2_recvwin_ack(&c->conn_rw, len, &inc))
    return 0;
  return hyper__h2_q_window_update(c, 0, inc, OQ_INDUCED);
}

/* RST_STREAM on a stream the peer broke a rule on (§5.4.2). The stream's
 * machine is already CLOSED; |was_closed| says whether it was before the
 * failing input (then the application has already heard of its end).
 * Counts as a glitch when |glitch| (MadeYouReset: every stream error the
 * peer causes us to send costs it budget). */
static int reset_closed(hyper_h2_conn *c, hyper__h2_stream *s, uint32_t code,
                        int herr, int was_closed, const char *desc,
                        int glitch) {
  uint32_t id = s->id;
  hyper__h2_set_error(c, herr, code, id, desc);
  int rv = hyper__h2_q_rst(c, id, code, OQ_INDUCED);
  if (rv)
    return rv;
  if (!was_closed && (s->sflags & H2S_APP_KNOWN)) {
    hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_STREAM_RESET, id);
    ev->u.reset.error_code = code;
    ev->u.reset.remote = 0;
  }
  hyper__h2_stream_sync(c, s); /* |s| may be forgotten from here on */
  return glitch ? hyper__h2_glitch(c) : 0;
}

/* Resets a stream that is still live in the machine. */
static int stream_error(hyper_h2_conn *c, hyper__h2_stream *s, uint32_t code,
                        int herr, const char *desc, int glitch) {
  int was_closed = s->fsm.state == HYPER__H2_ST_CLOSED;
  if (!was_closed) {
    int act;
    hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_RST, &act);
  }
  return reset_closed(c, s, code, herr, was_closed, desc, glitch);
}

/* A stream error on an id we hold no stream for (forgotten). */
static int reset_id(hyper_h2_conn *c, uint32_t id, uint32_t code, int herr,
                    const char *desc) {
  hyper__h2_set_error(c, herr, code, id, desc);
  int rv = hyper__h2_q_rst(c, id, code, OQ_INDUCED);
  return rv ? rv : hyper__h2_glitch(c);
}

static uint32_t wire_code(int rv) {
  switch (rv) {
  case HYPER_ERR_H2_STREAM_CLOSED:
    return HYPER_H2_STREAM_CLOSED;
  case HYPER_ERR_INTERNAL:
    return HYPER_H2_INTERNAL_ERROR;
  default:
    return HYPER_H2_PROTOCOL_ERROR;
  }
}

/* The stream machine refused a received frame (stream_fsm.h's table). */
static int fsm_fail(hyper_h2_conn *c, hyper__h2_stream *s, int rv, int act,
                    int was_closed, const char *desc) {
  if (act == HYPER__H2_ACT_CONNECTION_ERROR)
    return hyper__h2_conn_error(c, rv, wire_code(rv), desc);
  return reset_closed(c, s, wire_code(rv), rv, was_closed, desc, 1);
}

/* The peer's END_STREAM, after the frame that carried it was delivered. */
static int end_stream_recv(hyper_h2_conn *c, hyper__h2_stream *s) {
  int act;
  int rv = hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_RECV_END_STREAM, &act);
  if (rv < 0)
    return fsm_fail(c, s, rv, act, 0, "END_STREAM not allowed here");
  hyper__h2_emit(c, HYPER_H2_EV_STREAM_ENDED, s->id);
  hyper__h2_stream_sync(c, s);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Header blocks                                                            */
/* ------------------------------------------------------------------------ */

static size_t hb_max(const hyper_h2_conn *c) {
  if (c->cfg.max_header_block)
    return c->cfg.max_header_block;
  return 2 * hyper__h2_local_header_list(c);
}

/* Decodes a complete block (always: the HPACK context must stay in step
 * with the peer's whatever happens to the stream, §4.3). Returns 0 with
 * the fields, a positive "too big" marker (non-sticky HPACK limit: the
 * stream fails, the connection lives), or a connection error. */
static int decode_block(hyper_h2_conn *c, uint32_t id, const uint8_t *blk,
                        size_t len, const hyper_field **fields, size_t *nf) {
  size_t before = c->cfg.trace ? hyper_hpack_dec_table_size(c->dec) : 0;
  int rv = hyper_hpack_dec_decode(c->dec, blk, len, fields, nf);
  if (c->cfg.trace)
    hyper__h2_trace_hpack(c, 0, before);
  if (rv == 0) {
    hyper__h2_trace_fields(c, HYPER_H2_TRACE_FIELDS_RECV, id, *fields, *nf);
    return 0;
  }
  if (rv == HYPER_ERR_NOMEM)
    return hyper__h2_fatal(c, rv);
  if (rv == HYPER_ERR_HPACK_HEADER_LIST || rv == HYPER_ERR_HPACK_FIELD_TOO_LONG)
    return 1; /* E3: bounded, the stream fails */
  return hyper__h2_conn_error(c, rv, HYPER_H2_COMPRESSION_ERROR,
                              "HPACK decoding failed");
}

static int is_informational(const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n && f[i].name_len && f[i].name[0] == ':'; i++)
    if (f[i].name_len == 7 && !memcmp(f[i].name, ":status", 7))
      return f[i].value_len == 3 && f[i].value[0] == '1';
  return 0;
}

static uint64_t list_size(const hyper_field *f, size_t n) {
  uint64_t t = 0;
  for (size_t i = 0; i < n; i++)
    t += f[i].name_len + f[i].value_len + HYPER_HPACK_ENTRY_OVERHEAD;
  return t;
}

static int block_kind(int act) {
  switch (act) {
  case HYPER__H2_ACT_REQUEST_RECEIVED:
    return HYPER__H2_BLOCK_REQUEST;
  case HYPER__H2_ACT_RESPONSE_RECEIVED:
    return HYPER__H2_BLOCK_RESPONSE;
  case HYPER__H2_ACT_INFORMATIONAL_RECEIVED:
    return HYPER__H2_BLOCK_INFORMATIONAL;
  default:
    return HYPER__H2_BLOCK_TRAILERS;
  }
}

static hyper_h2_event_type event_of(int act) {
  switch (act) {
  case HYPER__H2_ACT_REQUEST_RECEIVED:
    return HYPER_H2_EV_REQUEST_RECEIVED;
  case HYPER__H2_ACT_RESPONSE_RECEIVED:
    return HYPER_H2_EV_RESPONSE_RECEIVED;
  case HYPER__H2_ACT_INFORMATIONAL_RECEIVED:
    return HYPER_H2_EV_INFORMATIONAL_RECEIVED;
  default:
    return HYPER_H2_EV_TRAILERS_RECEIVED;
  }
}

/* A complete HEADERS block on |id|. */
static int headers_block(hyper_h2_conn *c, uint32_t id, int es, int self_dep,
                         const uint8_t *blk, size_t len) {
  const hyper_field *fields = NULL;
  size_t nf = 0;
  int too_big = decode_block(c, id, blk, len, &fields, &nf);
  if (too_big < 0)
    return too_big;

  hyper__h2_stream *s = hyper__h2_stream_find(c, id);
  if (!s) {
    if (ignored_by_goaway(c, id)) {
      if (id > c->last_remote_id)
        c->last_remote_id = id;
      return 0; /* §6.8: ignored */
    }
    if (!hyper__h2_is_remote_id(c, id)) {
      if (id >= c->next_local_id) /* C1 */
        return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                    HYPER_H2_PROTOCOL_ERROR,
                                    "HEADERS on an idle stream");
      return reset_id(c, id, HYPER_H2_STREAM_CLOSED,
                      HYPER_ERR_H2_STREAM_CLOSED, "HEADERS on a closed stream");
    }
    if (id <= c->last_remote_id) /* §5.1.1: ids only go up */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "HEADERS on a closed or skipped stream");
    if (c->is_client) /* C2: a server opens streams only by promising */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "HEADERS on a stream the server never "
                                  "promised");
    c->last_remote_id = id;
    int rv = hyper__h2_stream_new(c, id, &s);
    if (rv)
      return hyper__h2_fatal(c, rv);
    /* §5.1.2: beyond our MAX_CONCURRENT_STREAMS, refuse (retryable) */
    if (c->active_remote >= c->local_sent.max_concurrent_streams)
      return stream_error(c, s, HYPER_H2_REFUSED_STREAM,
                          HYPER_ERR_H2_REFUSED_STREAM,
                          "too many concurrent streams", 1);
  } else if (s->fsm.state == HYPER__H2_ST_RESERVED_REMOTE &&
             c->active_remote >= c->local_sent.max_concurrent_streams) {
    return stream_error(c, s, HYPER_H2_REFUSED_STREAM,
                        HYPER_ERR_H2_REFUSED_STREAM,
                        "too many concurrent pushed streams", 1);
  }

  int was_closed = s->fsm.state == HYPER__H2_ST_CLOSED;
  hyper__h2_in in = HYPER__H2_IN_RECV_HEADERS;
  if (c->is_client && !too_big && is_informational(fields, nf))
    in = HYPER__H2_IN_RECV_INFORMATIONAL;
  int act;
  int rv = hyper__h2_stream_input(&s->fsm, in, &act);
  if (rv < 0)
    return fsm_fail(c, s, rv, act, was_closed,
                    "HEADERS not allowed in this stream state");
  if (act == HYPER__H2_ACT_DISCARD)
    return 0; /* C4: late, after our RST_STREAM */
  hyper__h2_stream_sync(c, s);
  if (too_big)
    return stream_error(c, s, HYPER_H2_ENHANCE_YOUR_CALM,
                        HYPER_ERR_HPACK_HEADER_LIST,
                        "header list larger than SETTINGS_MAX_HEADER_LIST_SIZE",
                        1);
  if (self_dep) /* §5.3.1 */
    return stream_error(c, s, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_PROTOCOL,
                        "stream depends on itself", 1);

  unsigned flags = (c->is_client ? 0 : HYPER__H2_FIELDS_SERVER) |
                   (c->eff_connect ? HYPER__H2_FIELDS_EXT_CONNECT : 0) |
                   (es ? HYPER__H2_FIELDS_END_STREAM : 0) |
                   (c->cfg.validate_inbound_headers
                        ? 0
                        : HYPER__H2_FIELDS_NO_VALIDATE);
  hyper__h2_fields_info info;
  const char *why = NULL;
  if (hyper__h2_fields_validate_hinted((hyper__h2_block)block_kind(act),
                                       fields, hyper__hpack_dec_name_hints(c->dec),
                                       nf, flags, &info, &why))
    return stream_error(c, s, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_HEADER,
                        why ? why : "malformed header block", 1); /* E7 */

  /* §8.1: trailers end the stream; this holds even without validation
   * (fuzz found TRAILERS events without END_STREAM when it was off) */
  if (act == HYPER__H2_ACT_TRAILERS_RECEIVED && !es)
    return stream_error(c, s, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_PROTOCOL,
                        "trailers without END_STREAM", 1);

  switch (act) {
  case HYPER__H2_ACT_INFORMATIONAL_RECEIVED:
    /* E8: 1xx responses count against the header list cap together */
    s->info_bytes += list_size(fields, nf);
    if (s->info_bytes > hyper__h2_local_header_list(c))
      return stream_error(c, s, HYPER_H2_ENHANCE_YOUR_CALM,
                          HYPER_ERR_LIMIT_EXCEEDED,
                          "too many informational responses", 1);
    break;
  case HYPER__H2_ACT_REQUEST_RECEIVED:
    if (info.is_head)
      s->sflags |= H2S_REQ_HEAD;
    if (info.is_connect)
      s->sflags |= H2S_CONNECT;
    s->in_expect = info.is_connect ? -1 : info.content_length;
    hyper__h2_recvwin_set_document_size(&s->rw, s->in_expect);
    break;
  case HYPER__H2_ACT_RESPONSE_RECEIVED:
    /* §8.1.1: HEAD, 1xx, 204 and 304 responses have no content whatever
     * content-length says; a 2xx to CONNECT opens a tunnel */
    if ((s->sflags & H2S_REQ_HEAD) || info.no_content)
      s->in_expect = 0;
    else if ((s->sflags & H2S_CONNECT) && info.status / 100 == 2)
      s->in_expect = -1;
    else
      s->in_expect = info.content_length;
    hyper__h2_recvwin_set_document_size(&s->rw, s->in_expect);
    break;
  default:
    break;
  }
  if (es && s->in_expect >= 0 && s->in_recv != s->in_expect)
    return stream_error(c, s, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_PROTOCOL,
                        "content-length differs from the DATA received", 1);

  hyper_h2_event *ev = hyper__h2_emit(c, event_of(act), id);
  ev->end_stream = es;
  ev->u.headers.fields = fields;
  ev->u.headers.nfields = nf;
  s->sflags |= H2S_APP_KNOWN;
  return es ? end_stream_recv(c, s) : 0;
}

/* A complete PUSH_PROMISE block: |parent| promises |promised| (§6.6, §8.4). */
static int push_block(hyper_h2_conn *c, uint32_t parent, uint32_t promised,
                      const uint8_t *blk, size_t len) {
  const hyper_field *fields = NULL;
  size_t nf = 0;
  int too_big = decode_block(c, promised, blk, len, &fields, &nf);
  if (too_big < 0)
    return too_big;
  /* F2: the promised id must be a new server-initiated stream */
  if (!hyper__h2_is_remote_id(c, promised) || promised <= c->last_remote_id)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PUSH_PROMISE promises an invalid stream id");
  c->last_remote_id = promised;
  hyper__h2_stream *p = hyper__h2_stream_find(c, parent);
  if (!p) /* §6.6: only on an open or half-closed (local) stream */
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PUSH_PROMISE on an idle or closed stream");
  int act;
  int rv = hyper__h2_stream_input(&p->fsm, HYPER__H2_IN_RECV_PUSH_PROMISE, &act);
  if (rv < 0) /* always a connection error for PUSH_PROMISE (F2) */
    return hyper__h2_conn_error(c, rv, wire_code(rv),
                                "PUSH_PROMISE not allowed on this stream");
  int discard = act == HYPER__H2_ACT_DISCARD;

  hyper__h2_stream *ps;
  rv = hyper__h2_stream_new(c, promised, &ps);
  if (rv)
    return hyper__h2_fatal(c, rv);
  rv = hyper__h2_stream_input(&ps->fsm, HYPER__H2_IN_RECV_PUSH_PROMISE, &act);
  if (rv < 0)
    return fsm_fail(c, ps, rv, act, 0, "PUSH_PROMISE not allowed");
  hyper__h2_stream_sync(c, ps);
  /* the parent was reset by us: refuse the promise too (stream_fsm.h) */
  if (discard)
    return stream_error(c, ps, HYPER_H2_CANCEL, HYPER_ERR_H2_REFUSED_STREAM,
                        "push on a stream we reset", 0);
  /* our ENABLE_PUSH=0 is in flight: refuse (§8.4) */
  if (!c->local_sent.enable_push)
    return stream_error(c, ps, HYPER_H2_REFUSED_STREAM,
                        HYPER_ERR_H2_REFUSED_STREAM, "push is disabled", 0);
  if (too_big)
    return stream_error(c, ps, HYPER_H2_ENHANCE_YOUR_CALM,
                        HYPER_ERR_HPACK_HEADER_LIST,
                        "promised request header list too large", 1);
  if (c->reserved_remote > c->cfg.max_reserved_streams) /* F3 */
    return stream_error(c, ps, HYPER_H2_REFUSED_STREAM,
                        HYPER_ERR_H2_REFUSED_STREAM,
                        "too many reserved streams", 1);
  hyper__h2_fields_info info;
  const char *why = NULL;
  unsigned flags = c->cfg.validate_inbound_headers
                       ? 0
                       : HYPER__H2_FIELDS_NO_VALIDATE;
  if (hyper__h2_fields_validate_hinted(HYPER__H2_BLOCK_PUSH_PROMISE, fields,
                                       hyper__hpack_dec_name_hints(c->dec), nf,
                                       flags, &info, &why)) /* §8.4.1 */
    return stream_error(c, ps, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_HEADER,
                        why ? why : "malformed promised request", 1);
  if (info.is_head)
    ps->sflags |= H2S_REQ_HEAD;
  ps->sflags |= H2S_APP_KNOWN;
  hyper_h2_event *ev =
      hyper__h2_emit(c, HYPER_H2_EV_PUSHED_STREAM_RECEIVED, promised);
  ev->u.push.parent_stream_id = parent;
  ev->u.push.fields = fields;
  ev->u.push.nfields = nf;
  return 0;
}

static int hb_append(hyper_h2_conn *c, hyper_slice frag) {
  if (c->hb.len + frag.len > hb_max(c))
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                HYPER_H2_ENHANCE_YOUR_CALM,
                                "header block too large");
  if (hyper__buf_append(&c->hb, frag.ptr, frag.len))
    return hyper__h2_fatal(c, HYPER_ERR_NOMEM);
  return 0;
}

static int hb_start(hyper_h2_conn *c, uint8_t type, uint32_t id,
                    uint32_t promised, int es, int self_dep,
                    hyper_slice frag) {
  c->hb_active = 1;
  c->hb_type = type;
  c->hb_stream = id;
  c->hb_promised = promised;
  c->hb_end_stream = (uint8_t)es;
  c->hb_self_dep = (uint8_t)self_dep;
  c->hb_conts = 0;
  hyper__buf_reset(&c->hb);
  return hb_append(c, frag);
}

/* ------------------------------------------------------------------------ */
/* Frame handlers (one per type: h2o's handler array, h2's dispatch table) */
/* ------------------------------------------------------------------------ */

typedef int (*frame_fn)(hyper_h2_conn *c, const hyper_h2_frame *f);

static int on_data(hyper_h2_conn *c, const hyper_h2_frame *f) {
  uint32_t id = f->hdr.stream_id;
  uint32_t flow = f->u.data.flow_controlled_len;
  uint32_t dlen = (uint32_t)f->u.data.data.len;
  int es = (f->hdr.flags & HYPER_H2_FLAG_END_STREAM) != 0;
  uint32_t inc = 0;

  /* §6.9.1: the connection window counts every DATA frame, whatever
   * happens to its stream (C4) */
  if (hyper__h2_recvwin_recv(&c->conn_rw, flow, dlen, 0, &inc))
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOW_CONTROL,
                                HYPER_H2_FLOW_CONTROL_ERROR,
                                "DATA beyond the connection window"); /* D4 */
  int rv = hyper__h2_q_window_update(c, 0, inc, OQ_INDUCED);
  if (rv)
    return rv;

  hyper__h2_stream *s = hyper__h2_stream_find(c, id);
  if (!s) {
    if (ignored_by_goaway(c, id))
      return drop_data(c, dlen);
    if (is_idle(c, id)) /* C1, §5.1 idle */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "DATA on an idle stream");
    rv = drop_data(c, dlen);
    return rv ? rv
              : reset_id(c, id, HYPER_H2_STREAM_CLOSED,
                         HYPER_ERR_H2_STREAM_CLOSED,
                         "DATA on a closed stream");
  }
  int was_closed = s->fsm.state == HYPER__H2_ST_CLOSED;
  int act;
  int frv = hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_RECV_DATA, &act);
  if (frv < 0 || act == HYPER__H2_ACT_DISCARD) {
    rv = drop_data(c, dlen);
    if (rv)
      return rv;
    if (frv < 0) /* C3, C5 */
      return fsm_fail(c, s, frv, act, was_closed,
                      "DATA not allowed in this stream state");
    return 0;
  }
  if (hyper__h2_recvwin_recv(&s->rw, flow, dlen, es, &inc)) {
    rv = drop_data(c, dlen);
    return rv ? rv
              : stream_error(c, s, HYPER_H2_FLOW_CONTROL_ERROR,
                             HYPER_ERR_H2_FLOW_CONTROL,
                             "DATA beyond the stream window", 1);
  }
  s->in_recv += dlen;
  if (s->in_expect >= 0 &&
      (s->in_recv > s->in_expect || (es && s->in_recv != s->in_expect))) {
    rv = drop_data(c, dlen); /* §8.1.1, E7 */
    return rv ? rv
              : stream_error(c, s, HYPER_H2_PROTOCOL_ERROR,
                             HYPER_ERR_H2_PROTOCOL,
                             "DATA length differs from content-length", 1);
  }
  if (dlen == 0 && !es) { /* B5: empty DATA frames are cheap to send */
    rv = hyper__h2_glitch(c);
    if (rv)
      return rv;
  }
  rv = hyper__h2_q_window_update(c, id, inc, OQ_INDUCED);
  if (rv)
    return rv;
  hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_DATA_RECEIVED, id);
  ev->end_stream = es;
  ev->u.data.data = dlen ? f->u.data.data.ptr : NULL;
  ev->u.data.len = dlen;
  ev->u.data.flow_controlled_len = flow;
  return es ? end_stream_recv(c, s) : 0;
}

static int on_headers(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_headers *h = &f->u.headers;
  uint32_t id = f->hdr.stream_id;
  int es = (f->hdr.flags & HYPER_H2_FLAG_END_STREAM) != 0;
  int self_dep = h->has_priority && h->priority.stream_dependency == id;
  if (f->hdr.flags & HYPER_H2_FLAG_END_HEADERS)
    return headers_block(c, id, es, self_dep, h->block.ptr, h->block.len);
  return hb_start(c, HYPER_H2_FRAME_HEADERS, id, 0, es, self_dep, h->block);
}

static int on_continuation(hyper_h2_conn *c, const hyper_h2_frame *f) {
  int rv = hb_append(c, f->u.continuation.block);
  if (rv || !(f->hdr.flags & HYPER_H2_FLAG_END_HEADERS))
    return rv;
  c->hb_active = 0;
  if (c->hb_type == HYPER_H2_FRAME_HEADERS)
    return headers_block(c, c->hb_stream, c->hb_end_stream, c->hb_self_dep,
                         c->hb.data, c->hb.len);
  return push_block(c, c->hb_stream, c->hb_promised, c->hb.data, c->hb.len);
}

static int on_priority(hyper_h2_conn *c, const hyper_h2_frame *f) {
  uint32_t id = f->hdr.stream_id;
  /* RFC 7540 priorities are parsed and accepted; no tree is kept. */
  if (f->u.priority.priority.stream_dependency != id)
    return 0;
  hyper__h2_stream *s = hyper__h2_stream_find(c, id); /* §5.3.1 */
  if (s && s->fsm.state != HYPER__H2_ST_CLOSED)
    return stream_error(c, s, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_PROTOCOL,
                        "stream depends on itself", 1);
  if (is_idle(c, id)) /* nothing to reset: escalate (§5.4.1) */
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "idle stream depends on itself");
  return reset_id(c, id, HYPER_H2_PROTOCOL_ERROR, HYPER_ERR_H2_PROTOCOL,
                  "stream depends on itself");
}

static int on_rst_stream(hyper_h2_conn *c, const hyper_h2_frame *f) {
  uint32_t id = f->hdr.stream_id;
  uint32_t code = f->u.rst_stream.error_code;
  /* rapid reset (CVE-2023-44487): bound the rate a client may cancel at */
  if (!c->is_client && !hyper__h2_bucket_take(c, &c->rst))
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                HYPER_H2_ENHANCE_YOUR_CALM,
                                "RST_STREAM rate limit exceeded");
  hyper__h2_stream *s = hyper__h2_stream_find(c, id);
  if (!s) {
    if (is_idle(c, id)) /* C1 */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "RST_STREAM on an idle stream");
    return 0;
  }
  int was_closed = s->fsm.state == HYPER__H2_ST_CLOSED;
  int act;
  int rv = hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_RECV_RST, &act);
  if (rv < 0)
    return fsm_fail(c, s, rv, act, was_closed, "RST_STREAM not allowed");
  if (act == HYPER__H2_ACT_STREAM_RESET && (s->sflags & H2S_APP_KNOWN)) {
    hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_STREAM_RESET, id);
    ev->u.reset.error_code = code;
    ev->u.reset.remote = 1;
  }
  hyper__h2_stream_sync(c, s);
  return 0;
}

static int on_settings(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_settings *st = &f->u.settings;
  if (st->ack) {
    int rv = hyper__h2_settings_acked(c);
    if (rv < 0)
      return hyper__h2_fatal(c, rv);
    if (rv == 0) /* an ACK for nothing we sent */
      return hyper__h2_glitch(c);
    hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_SETTINGS_ACKED, 0);
    ev->u.settings.changes = c->changes;
    ev->u.settings.count = c->nchanges;
    return 0;
  }
  /* A5, CVE-2020-11080: a huge SETTINGS frame costs us per entry */
  if (st->count > c->cfg.max_settings_entries)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                HYPER_H2_ENHANCE_YOUR_CALM,
                                "too many entries in one SETTINGS frame");
  int first = !c->got_settings;
  c->got_settings = 1;
  if (!first && st->count == 0) {
    int rv = hyper__h2_glitch(c);
    if (rv)
      return rv;
  }
  int rv = hyper__h2_settings_apply_remote(c, st);
  if (rv)
    return rv;
  rv = hyper__h2_q_settings_ack(c); /* §6.5.3; bounded (A5, G9) */
  if (rv)
    return rv;
  hyper_h2_event *ev =
      hyper__h2_emit(c, HYPER_H2_EV_REMOTE_SETTINGS_CHANGED, 0);
  ev->u.settings.changes = c->changes;
  ev->u.settings.count = c->nchanges;
  return 0;
}

static int on_push_promise(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_push_promise *pp = &f->u.push_promise;
  if (!c->is_client) /* §8.4: a client cannot push */
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PUSH_PROMISE sent to a server");
  /* F1, §6.5.2: after our ENABLE_PUSH=0 is acknowledged */
  if (!c->eff_enable_push)
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PUSH_PROMISE while push is disabled");
  if (f->hdr.flags & HYPER_H2_FLAG_END_HEADERS)
    return push_block(c, f->hdr.stream_id, pp->promised_stream_id,
                      pp->block.ptr, pp->block.len);
  return hb_start(c, HYPER_H2_FRAME_PUSH_PROMISE, f->hdr.stream_id,
                  pp->promised_stream_id, 0, 0, pp->block);
}

static int on_ping(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_ping *p = &f->u.ping;
  if (!p->ack) {
    int rv = hyper__h2_q_ping(c, 1, p->opaque, OQ_ACK); /* G9: bounded */
    if (rv)
      return rv;
    hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_PING_RECEIVED, 0);
    memcpy(ev->u.ping.opaque, p->opaque, 8);
    return 0;
  }
  if (!c->pings_out) /* G11: an ACK for a PING we never sent */
    return hyper__h2_glitch(c);
  c->pings_out--;
  hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_PING_ACK_RECEIVED, 0);
  memcpy(ev->u.ping.opaque, p->opaque, 8);
  return 0;
}

static int close_unprocessed(hyper_h2_conn *c, hyper__h2_stream *s,
                             void *arg) {
  uint32_t last = *(const uint32_t *)arg;
  if ((s->sflags & H2S_LOCAL) && s->id > last) {
    int act;
    hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_SEND_RST, &act);
    hyper__h2_stream_sync(c, s); /* eviction is deferred */
  }
  return 0;
}

static int on_goaway(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_goaway *g = &f->u.goaway;
  uint32_t last = g->last_stream_id;
  if (c->goaway_recv && c->goaway_recv_last < last)
    last = c->goaway_recv_last; /* G6: never raise it */
  c->goaway_recv = 1;
  c->goaway_recv_last = last;
  /* §6.8: our streams above |last| were not processed; they are closed
   * and the application may retry them elsewhere (G2). Closing moves them
   * to the closed list, whose trimming would change the map under the
   * iteration: it is deferred. */
  c->defer_evict = 1;
  hyper__h2_streams_each(c, close_unprocessed, &last);
  c->defer_evict = 0;
  hyper__h2_streams_trim(c);
  hyper_h2_event *ev =
      hyper__h2_emit(c, HYPER_H2_EV_CONNECTION_TERMINATED, 0);
  ev->u.goaway.error_code = g->error_code;
  ev->u.goaway.last_stream_id = last;
  ev->u.goaway.debug_data = g->debug_data.len ? g->debug_data.ptr : NULL;
  ev->u.goaway.debug_len = g->debug_data.len;
  return 0;
}

static int on_window_update(hyper_h2_conn *c, const hyper_h2_frame *f) {
  uint32_t id = f->hdr.stream_id;
  uint32_t inc = f->u.window_update.increment;
  if (id == 0) {
    if (hyper__h2_sendwin_update(&c->conn_sw, inc)) /* D1, §6.9.1 */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOW_CONTROL,
                                  HYPER_H2_FLOW_CONTROL_ERROR,
                                  "connection window above 2^31-1");
    hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_WINDOW_UPDATED, 0);
    ev->u.window.delta = inc;
    return 0;
  }
  hyper__h2_stream *s = hyper__h2_stream_find(c, id);
  if (!s) {
    if (is_idle(c, id)) /* C1 */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "WINDOW_UPDATE on an idle stream");
    return 0;
  }
  int was_closed = s->fsm.state == HYPER__H2_ST_CLOSED;
  int act;
  int rv = hyper__h2_stream_input(&s->fsm, HYPER__H2_IN_RECV_WINDOW_UPDATE, &act);
  if (rv < 0)
    return fsm_fail(c, s, rv, act, was_closed,
                    "WINDOW_UPDATE not allowed in this stream state");
  if (act != HYPER__H2_ACT_WINDOW_UPDATED)
    return 0;
  if (hyper__h2_sendwin_update(&s->sw, inc)) /* D2 */
    return stream_error(c, s, HYPER_H2_FLOW_CONTROL_ERROR,
                        HYPER_ERR_H2_FLOW_CONTROL,
                        "stream window above 2^31-1", 1);
  hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_WINDOW_UPDATED, id);
  ev->u.window.delta = inc;
  return 0;
}

static int emit_unknown(hyper_h2_conn *c, const hyper_h2_frame *f) {
  hyper_h2_event *ev =
      hyper__h2_emit(c, HYPER_H2_EV_UNKNOWN_FRAME_RECEIVED, f->hdr.stream_id);
  ev->u.unknown.frame_type = f->hdr.type;
  ev->u.unknown.flags = f->hdr.flags;
  ev->u.unknown.payload = f->u.unknown.payload.len ? f->u.unknown.payload.ptr
                                                   : NULL;
  ev->u.unknown.len = f->u.unknown.payload.len;
  return 0;
}

static int on_altsvc(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_altsvc *a = &f->u.altsvc;
  /* RFC 7838 §4: a server ignores ALTSVC; invalid ones are ignored */
  if (!c->is_client || a->ignore)
    return 0;
  hyper_h2_event *ev =
      hyper__h2_emit(c, HYPER_H2_EV_ALT_SVC_RECEIVED, f->hdr.stream_id);
  ev->u.alt_svc.origin = a->origin.ptr;
  ev->u.alt_svc.origin_len = a->origin.len;
  ev->u.alt_svc.value = a->field_value.ptr;
  ev->u.alt_svc.value_len = a->field_value.len;
  return 0;
}

static int on_origin(hyper_h2_conn *c, const hyper_h2_frame *f) {
  /* RFC 8336: for clients only; surfaced raw for the client layer */
  if (!c->is_client || f->u.origin.ignore)
    return 0;
  hyper_h2_frame u = *f;
  u.u.unknown.payload = f->u.origin._payload;
  return emit_unknown(c, &u);
}

static int on_priority_update(hyper_h2_conn *c, const hyper_h2_frame *f) {
  const hyper_h2_frame_priority_update *pu = &f->u.priority_update;
  uint32_t id = pu->prioritized_stream_id;
  if (c->is_client) /* RFC 9218 §7.1 */
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PRIORITY_UPDATE sent to a client");
  if (!hyper__h2_is_remote_id(c, id)) {
    if (id >= c->next_local_id)
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "PRIORITY_UPDATE for an idle push stream");
  } else if (id > c->last_remote_id &&
             (id - c->last_remote_id) / 2 >
                 c->local_sent.max_concurrent_streams) {
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "PRIORITY_UPDATE beyond the stream limit");
  }
  hyper__h2_priority p;
  if (hyper__h2_priority_parse(pu->field_value.ptr, pu->field_value.len, &p))
    hyper__h2_priority_init(&p);
  hyper_h2_event *ev = hyper__h2_emit(c, HYPER_H2_EV_PRIORITY_UPDATED, id);
  ev->u.priority.urgency = p.urgency;
  ev->u.priority.incremental = p.incremental;
  ev->u.priority.value = pu->field_value.len ? pu->field_value.ptr : NULL;
  ev->u.priority.len = pu->field_value.len;
  return 0;
}

static int on_unknown(hyper_h2_conn *c, const hyper_h2_frame *f) {
  /* §5.5: discarded, never refused; A8: but not free either */
  int rv = hyper__h2_glitch(c);
  return rv ? rv : emit_unknown(c, f);
}

static const frame_fn handlers[] = {
    [HYPER_H2_FRAME_DATA] = on_data,
    [HYPER_H2_FRAME_HEADERS] = on_headers,
    [HYPER_H2_FRAME_PRIORITY] = on_priority,
    [HYPER_H2_FRAME_RST_STREAM] = on_rst_stream,
    [HYPER_H2_FRAME_SETTINGS] = on_settings,
    [HYPER_H2_FRAME_PUSH_PROMISE] = on_push_promise,
    [HYPER_H2_FRAME_PING] = on_ping,
    [HYPER_H2_FRAME_GOAWAY] = on_goaway,
    [HYPER_H2_FRAME_WINDOW_UPDATE] = on_window_update,
    [HYPER_H2_FRAME_CONTINUATION] = on_continuation,
    [HYPER_H2_FRAME_ALTSVC] = on_altsvc,
    [HYPER_H2_FRAME_ORIGIN] = on_origin,
    [HYPER_H2_FRAME_PRIORITY_UPDATE] = on_priority_update,
};

/* Parses the payload of the frame whose header is c->fh with the codec. */
static int parse_payload(const hyper_h2_frame_hdr *h, const uint8_t *p,
                         hyper_h2_frame *f, hyper_h2_frame_err *fe) {
  size_t n = h->length;
  f->hdr = *h;
  switch (h->type) {
#define CASE(type, fn, member)                                                 \
  case type:                                                                   \
    return fn(h, p, n, &f->u.member, fe);
    CASE(HYPER_H2_FRAME_DATA, hyper_h2_frame_parse_data, data)
    CASE(HYPER_H2_FRAME_HEADERS, hyper_h2_frame_parse_headers, headers)
    CASE(HYPER_H2_FRAME_PRIORITY, hyper_h2_frame_parse_priority, priority)
    CASE(HYPER_H2_FRAME_RST_STREAM, hyper_h2_frame_parse_rst_stream,
         rst_stream)
    CASE(HYPER_H2_FRAME_SETTINGS, hyper_h2_frame_parse_settings, settings)
    CASE(HYPER_H2_FRAME_PUSH_PROMISE, hyper_h2_frame_parse_push_promise,
         push_promise)
    CASE(HYPER_H2_FRAME_PING, hyper_h2_frame_parse_ping, ping)
    CASE(HYPER_H2_FRAME_GOAWAY, hyper_h2_frame_parse_goaway, goaway)
    CASE(HYPER_H2_FRAME_WINDOW_UPDATE, hyper_h2_frame_parse_window_update,
         window_update)
    CASE(HYPER_H2_FRAME_CONTINUATION, hyper_h2_frame_parse_continuation,
         continuation)
    CASE(HYPER_H2_FRAME_ALTSVC, hyper_h2_frame_parse_altsvc, altsvc)
    CASE(HYPER_H2_FRAME_ORIGIN, hyper_h2_frame_parse_origin, origin)
    CASE(HYPER_H2_FRAME_PRIORITY_UPDATE, hyper_h2_frame_parse_priority_update,
         priority_update)
#undef CASE
  default:
    return hyper_h2_frame_parse_unknown(h, p, n, &f->u.unknown, fe);
  }
}

/* A whole frame: header in c->fh, payload at |p|. */
static int on_frame(hyper_h2_conn *c, const uint8_t *p) {
  hyper_h2_frame f;
  hyper_h2_frame_err fe = {HYPER_H2_NO_ERROR, 1, NULL};
  int rv = parse_payload(&c->fh, p, &f, &fe);
  if (c->cfg.trace) {
    hyper_h2_trace t;
    memset(&t, 0, sizeof t);
    t.kind = HYPER_H2_TRACE_FRAME_RECV;
    t.frame = &f;
    t.parse_error = rv;
    t.stream_id = f.hdr.stream_id;
    if (rv)
      hyper_h2_frame_parse_unknown(&c->fh, p, c->fh.length, &f.u.unknown,
                                   NULL);
    c->cfg.trace(&t, c->cfg.trace_user);
  }
  if (rv) {
    uint32_t id = c->fh.stream_id;
    if (rv == HYPER_ERR_INVALID_ARGUMENT || rv == HYPER_ERR_INCOMPLETE)
      return hyper__h2_fatal(c, HYPER_ERR_INTERNAL);
    if (fe.connection || id == 0)
      return hyper__h2_conn_error(c, rv, fe.code, fe.desc);
    /* stream errors of the codec: PRIORITY length (§6.3), WINDOW_UPDATE
     * increment 0 (§6.9, D3). There is nothing to reset on an idle stream:
     * a WINDOW_UPDATE there is a connection error anyway (§5.1 idle), a
     * bad PRIORITY is escalated (§5.4.1 allows it). */
    if (is_idle(c, id))
      return hyper__h2_conn_error(
          c, rv,
          c->fh.type == HYPER_H2_FRAME_PRIORITY ? fe.code
                                                : HYPER_H2_PROTOCOL_ERROR,
          fe.desc);
    hyper__h2_stream *s = hyper__h2_stream_find(c, id);
    if (s && s->fsm.state != HYPER__H2_ST_CLOSED)
      return stream_error(c, s, fe.code, rv, fe.desc, 1);
    return reset_id(c, id, fe.code, rv, fe.desc);
  }
  frame_fn fn = f.hdr.type < HYPER_ARRAY_LEN(handlers) ? handlers[f.hdr.type]
                                                       : NULL;
  return fn ? fn(c, &f) : on_unknown(c, &f);
}

/* ------------------------------------------------------------------------ */
/* The reader                                                               */
/* ------------------------------------------------------------------------ */

/* Everything that can be decided from the 9 header octets (so that a bad
 * frame is refused before its payload is buffered). */
static int on_header(hyper_h2_conn *c) {
  const hyper_h2_frame_hdr *h = &c->fh;
  /* §3.4: the first frame is SETTINGS (A1); checked before the length,
   * so that an HTTP/1.1 reply is a PROTOCOL_ERROR at once */
  if (!c->got_settings &&
      (h->type != HYPER_H2_FRAME_SETTINGS || (h->flags & HYPER_H2_FLAG_ACK)))
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "the peer's first frame is not SETTINGS");
  hyper_h2_frame_err fe = {HYPER_H2_NO_ERROR, 1, NULL};
  int rv = hyper_h2_frame_check_header(h, c->eff_max_frame, &fe);
  if (rv && fe.connection) /* B1, B2, B4 */
    return hyper__h2_conn_error(c, rv, fe.code, fe.desc);
  /* §6.10 and §4.3: a header block is one run of frames (E2) */
  if (c->hb_active) {
    if (h->type != HYPER_H2_FRAME_CONTINUATION || h->stream_id != c->hb_stream)
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "header block interrupted (CONTINUATION "
                                  "expected)");
    if (++c->hb_conts > c->cfg.max_continuations) /* E1 */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                  HYPER_H2_ENHANCE_YOUR_CALM,
                                  "too many CONTINUATION frames");
    if (c->hb.len + h->length > hb_max(c))
      return hyper__h2_conn_error(c, HYPER_ERR_H2_FLOOD,
                                  HYPER_H2_ENHANCE_YOUR_CALM,
                                  "header block too large");
  } else if (h->type == HYPER_H2_FRAME_CONTINUATION) {
    return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                HYPER_H2_PROTOCOL_ERROR,
                                "CONTINUATION without a header block");
  }
  return 0;
}

/* Consumes bytes from |p| (|n| > 0) for the current reader state; adds
 * what it consumed to |*pos|. */
static int step(hyper_h2_conn *c, const uint8_t *p, size_t n, size_t *pos) {
  switch (c->rstate) {
  case RD_PREFACE: {
    size_t k = HYPER_MIN(sizeof PREFACE - c->preface_got, n);
    if (memcmp(p, PREFACE + c->preface_got, k)) /* §3.4, A1 */
      return hyper__h2_conn_error(c, HYPER_ERR_H2_PROTOCOL,
                                  HYPER_H2_PROTOCOL_ERROR,
                                  "invalid connection preface");
    c->preface_got += (uint32_t)k;
    *pos += k;
    if (c->preface_got == sizeof PREFACE)
      c->rstate = RD_HEADER;
    return 0;
  }
  case RD_HEADER: {
    if (c->hdr_have == 0 && n >= HYPER_H2_FRAME_HDR_LEN) {
      hyper_h2_frame_header_parse(p, &c->fh);
      *pos += HYPER_H2_FRAME_HDR_LEN;
    } else {
      size_t k = HYPER_MIN(HYPER_H2_FRAME_HDR_LEN - c->hdr_have, n);
      memcpy(c->hdrbuf + c->hdr_have, p, k);
      c->hdr_have += (uint32_t)k;
      *pos += k;
      if (c->hdr_have < HYPER_H2_FRAME_HDR_LEN)
        return 0;
      c->hdr_have = 0;
      hyper_h2_frame_header_parse(c->hdrbuf, &c->fh);
    }
    int rv = on_header(c);
    if (rv)
      return rv;
    if (c->fh.length == 0)
      return on_frame(c, NULL);
    c->rstate = RD_PAYLOAD;
    return 0;
  }
  default: {
    size_t need = c->fh.length;
    if (c->fbuf.len == 0 && n >= need) {
      *pos += need;
      c->rstate = RD_HEADER;
      return on_frame(c, p); /* in place: zero copy */
    }
    size_t k = HYPER_MIN(need - c->fbuf.len, n);
    if (hyper__buf_append(&c->fbuf, p, k))
      return hyper__h2_fatal(c, HYPER_ERR_NOMEM);
    *pos += k;
    if (c->fbuf.len < need)
      return 0;
    c->rstate = RD_HEADER;
    c->fbuf.len = 0; /* the bytes stay until the next append (next recv) */
    return on_frame(c, c->fbuf.data);
  }
  }
}

int hyper_h2_conn_recv(hyper_h2_conn *c, const uint8_t *in, size_t len) {
  if (!c || (!in && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c->fatal)
    return c->term_err;
  if (!c->initiated)
    return HYPER_ERR_INVALID_STATE;
  if (len > INT_MAX)
    len = INT_MAX;
  if (c->terminated) /* CVE-2026-27135: nothing after the end */
    return c->term_err ? c->term_err : (int)len;
  if (c->ev_head < c->ev_count)
    return HYPER_ERR_INVALID_STATE;
  c->ev_head = c->ev_count = 0;
  size_t pos = 0;
  while (pos < len && c->ev_count == 0) {
    int rv = step(c, in + pos, len - pos, &pos);
    if (rv < 0)
      return rv;
  }
  return (int)pos;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

int hyper_h2_conn_wants_read(const hyper_h2_conn *c) {
  if (!c || c->terminated)
    return 0;
  if ((c->goaway_sent || c->goaway_recv) &&
      c->active_local + c->active_remote + c->reserved_local +
              c->reserved_remote ==
          0)
    return 0;
  return 1;
}

static hyper__h2_stream *live_stream(const hyper_h2_conn *c, uint32_t id) {
  hyper__h2_stream *s = hyper__h2_stream_find((hyper_h2_conn *)c, id);
  return (s && s->fsm.state != HYPER__H2_ST_CLOSED) ? s : NULL;
}

int64_t hyper_h2_conn_local_flow_control_window(const hyper_h2_conn *c,
                                                uint32_t stream_id) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  int64_t conn = hyper__h2_sendwin_avail(&c->conn_sw);
  if (stream_id == 0)
    return conn > 0 ? conn : 0;
  hyper__h2_stream *s = live_stream(c, stream_id);
  if (!s)
    return HYPER_ERR_H2_STREAM_CLOSED;
  return (int64_t)hyper__h2_sendwin_allowance(&s->sw, &c->conn_sw,
                                              (size_t)HYPER_H2_MAX_WINDOW);
}

int64_t hyper_h2_conn_remote_flow_control_window(const hyper_h2_conn *c,
                                                 uint32_t stream_id) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (stream_id == 0)
    return hyper__h2_recvwin_avail(&c->conn_rw);
  hyper__h2_stream *s = live_stream(c, stream_id);
  if (!s || !(s->sflags & H2S_RW_LIVE))
    return HYPER_ERR_H2_STREAM_CLOSED;
  return hyper__h2_recvwin_avail(&s->rw);
}

uint32_t hyper_h2_conn_max_outbound_frame_size(const hyper_h2_conn *c) {
  return c ? c->remote.max_frame_size : HYPER_H2_DEFAULT_MAX_FRAME_SIZE;
}

const hyper_h2_settings *hyper_h2_conn_remote_settings(const hyper_h2_conn *c) {
  return c ? &c->remote : NULL;
}

const hyper_h2_settings *hyper_h2_conn_local_settings(const hyper_h2_conn *c) {
  return c ? &c->local_acked : NULL;
}

uint32_t hyper_h2_conn_open_streams(const hyper_h2_conn *c, int outbound) {
  if (!c)
    return 0;
  return outbound ? c->active_local : c->active_remote;
}

int hyper_h2_conn_set_stream_data(hyper_h2_conn *c, uint32_t stream_id,
                                  void *data) {
  hyper__h2_stream *s = c ? live_stream(c, stream_id) : NULL;
  if (!s)
    return HYPER_ERR_H2_STREAM_CLOSED;
  s->user_data = data;
  return 0;
}

void *hyper_h2_conn_get_stream_data(const hyper_h2_conn *c,
                                    uint32_t stream_id) {
  hyper__h2_stream *s = c ? live_stream(c, stream_id) : NULL;
  return s ? s->user_data : NULL;
}

const hyper_h2_error *hyper_h2_conn_last_error(const hyper_h2_conn *c) {
  return c ? &c->last_err : NULL;
}
