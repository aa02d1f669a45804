/* The HTTP/2 frame codec: pure parse/serialize over byte spans (RFC 9113 §4
 * and §6, RFC 7838 §4 ALTSVC, RFC 8336 §2 ORIGIN, RFC 9218 §7.1
 * PRIORITY_UPDATE). No allocation, no state, no I/O. Rule order for every
 * type: arguments, stream-0 rule, header-only length rules, then (payload
 * present) content rules. */
#include "hyper/frame.h"

#include <string.h>

#include "../common/internal.h"

#define MAX_LEN HYPER_H2_MAX_FRAME_SIZE_LIMIT
#define SID_MASK 0x7fffffffu
#define F_END_STREAM HYPER_H2_FLAG_END_STREAM
#define F_ACK HYPER_H2_FLAG_ACK
#define F_END_HEADERS HYPER_H2_FLAG_END_HEADERS
#define F_PADDED HYPER_H2_FLAG_PADDED
#define F_PRIORITY HYPER_H2_FLAG_PRIORITY

/* ---- byte helpers ----------------------------------------------------- */

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static uint16_t rd16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static uint8_t *wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
  return p + 4;
}

static uint8_t *wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
  return p + 2;
}

static hyper_slice mkslice(const uint8_t *p, size_t n) {
  hyper_slice s;
  s.ptr = p;
  s.len = n;
  return s;
}

/* ---- wire error codes ------------------------------------------------- */

static const char *const code_names[] = {
    "NO_ERROR",         "PROTOCOL_ERROR",      "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",  "STREAM_CLOSED",
    "FRAME_SIZE_ERROR", "REFUSED_STREAM",      "CANCEL",
    "COMPRESSION_ERROR", "CONNECT_ERROR",      "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};

const char *hyper_h2_code_name(uint32_t code) {
  return code < HYPER_ARRAY_LEN(code_names) ? code_names[code] : "UNKNOWN";
}

/* Records a protocol failure in |err| and returns the library code. */
static int fail(hyper_h2_frame_err *err, hyper_h2_code code, int connection,
                const char *desc) {
  if (err) {
    err->code = code;
    err->connection = connection;
    err->desc = desc;
  }
  switch (code) {
  case HYPER_H2_FRAME_SIZE_ERROR:
    return HYPER_ERR_H2_FRAME_SIZE;
  case HYPER_H2_FLOW_CONTROL_ERROR:
    return HYPER_ERR_H2_FLOW_CONTROL;
  default:
    return HYPER_ERR_H2_PROTOCOL;
  }
}

/* Connection errors, the common case. */
static int conn_proto(hyper_h2_frame_err *err, const char *desc) {
  return fail(err, HYPER_H2_PROTOCOL_ERROR, 1, desc);
}

static int conn_size(hyper_h2_frame_err *err, const char *desc) {
  return fail(err, HYPER_H2_FRAME_SIZE_ERROR, 1, desc);
}

/* ---- frame header ----------------------------------------------------- */

int hyper_h2_frame_header_parse(const uint8_t in[9], hyper_h2_frame_hdr *out) {
  if (!in || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  out->length = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
  out->type = in[3];
  out->flags = in[4];
  out->stream_id = rd32(in + 5) & SID_MASK; /* §4.1: reserved bit ignored */
  return 0;
}

int hyper_h2_frame_pack_header(uint8_t out[9], const hyper_h2_frame_hdr *hdr) {
  if (!out || !hdr || hdr->length > MAX_LEN || hdr->stream_id > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  out[0] = (uint8_t)(hdr->length >> 16);
  out[1] = (uint8_t)(hdr->length >> 8);
  out[2] = (uint8_t)hdr->length;
  out[3] = hdr->type;
  out[4] = hdr->flags;
  wr32(out + 5, hdr->stream_id);
  return (int)HYPER_H2_FRAME_HDR_LEN;
}

/* The per-type rules that need only the header: the stream-0 rule first,
 * then fixed or minimum lengths (RFC 9113 §4.2: "too small to contain
 * mandatory frame data" is FRAME_SIZE_ERROR). Size errors are connection
 * errors except PRIORITY's (§6.3). DATA counts against the connection
 * flow-control window, so a malformed DATA frame is treated as altering
 * connection state (§4.2) and is a connection error too. */
static int check_type_rules(const hyper_h2_frame_hdr *h,
                            hyper_h2_frame_err *err) {
  uint32_t n = h->length, sid = h->stream_id & SID_MASK;
  uint32_t pad = (h->flags & F_PADDED) ? 1 : 0;
  switch (h->type) {
  case HYPER_H2_FRAME_DATA:
    if (sid == 0)
      return conn_proto(err, "DATA on stream 0");
    if (n < pad)
      return conn_size(err, "DATA too short for its Pad Length");
    return 0;
  case HYPER_H2_FRAME_HEADERS:
    if (sid == 0)
      return conn_proto(err, "HEADERS on stream 0");
    if (n < pad + ((h->flags & F_PRIORITY) ? 5u : 0u))
      return conn_size(err, "HEADERS too short for Pad Length or priority");
    return 0;
  case HYPER_H2_FRAME_PRIORITY:
    if (sid == 0)
      return conn_proto(err, "PRIORITY on stream 0");
    if (n != 5)
      return fail(err, HYPER_H2_FRAME_SIZE_ERROR, 0,
                  "PRIORITY length is not 5");
    return 0;
  case HYPER_H2_FRAME_RST_STREAM:
    if (sid == 0)
      return conn_proto(err, "RST_STREAM on stream 0");
    if (n != 4)
      return conn_size(err, "RST_STREAM length is not 4");
    return 0;
  case HYPER_H2_FRAME_SETTINGS:
    if (sid != 0)
      return conn_proto(err, "SETTINGS on a stream other than 0");
    if ((h->flags & F_ACK) && n != 0)
      return conn_size(err, "SETTINGS ACK with a payload");
    if (n % 6 != 0)
      return conn_size(err, "SETTINGS length is not a multiple of 6");
    return 0;
  case HYPER_H2_FRAME_PUSH_PROMISE:
    if (sid == 0)
      return conn_proto(err, "PUSH_PROMISE on stream 0");
    if (n < pad + 4)
      return conn_size(err, "PUSH_PROMISE too short for its fixed fields");
    return 0;
  case HYPER_H2_FRAME_PING:
    if (sid != 0)
      return conn_proto(err, "PING on a stream other than 0");
    if (n != 8)
      return conn_size(err, "PING length is not 8");
    return 0;
  case HYPER_H2_FRAME_GOAWAY:
    if (sid != 0)
      return conn_proto(err, "GOAWAY on a stream other than 0");
    if (n < 8)
      return conn_size(err, "GOAWAY shorter than 8");
    return 0;
  case HYPER_H2_FRAME_WINDOW_UPDATE:
    /* §6.9: a connection error whatever the stream */
    if (n != 4)
      return conn_size(err, "WINDOW_UPDATE length is not 4");
    return 0;
  case HYPER_H2_FRAME_CONTINUATION:
    if (sid == 0)
      return conn_proto(err, "CONTINUATION on stream 0");
    return 0;
  case HYPER_H2_FRAME_PRIORITY_UPDATE:
    /* RFC 9218 §7.1 */
    if (sid != 0)
      return conn_proto(err, "PRIORITY_UPDATE on a stream other than 0");
    if (n < 4)
      return conn_size(err, "PRIORITY_UPDATE shorter than 4");
    return 0;
  default:
    /* ALTSVC and ORIGIN are ignored, never refused; unknown types are
     * discarded (§5.5) */
    return 0;
  }
}

static int max_frame_size_ok(uint32_t m) {
  return m >= HYPER_H2_DEFAULT_MAX_FRAME_SIZE && m <= MAX_LEN;
}

int hyper_h2_frame_check_header(const hyper_h2_frame_hdr *hdr,
                                uint32_t max_frame_size,
                                hyper_h2_frame_err *err) {
  if (!hdr || !max_frame_size_ok(max_frame_size))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (hdr->length > max_frame_size)
    return conn_size(err, "frame larger than SETTINGS_MAX_FRAME_SIZE");
  return check_type_rules(hdr, err);
}

/* ---- parsing ---------------------------------------------------------- */

/* Argument, type and header checks shared by every parse function. The
 * header-only rules come before INCOMPLETE, as in hyper_h2_frame_parse(). */
static int begin(const hyper_h2_frame_hdr *h, uint8_t type,
                 const uint8_t *payload, size_t len, const void *out,
                 hyper_h2_frame_err *err) {
  if (!h || !out || (!payload && len) || h->type != type)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = check_type_rules(h, err);
  if (rv)
    return rv;
  return len < h->length ? HYPER_ERR_INCOMPLETE : 0;
}

/* The prologue of every parse function below. */
#define BEGIN(type)                                                            \
  do {                                                                         \
    int rv_ = begin(hdr, (type), payload, len, out, err);                      \
    if (rv_)                                                                   \
      return rv_;                                                              \
  } while (0)

/* Removes the Pad Length octet and the padding of a PADDED frame. On entry
 * |*p| and |*n| are the payload; on return they cover what lies between
 * the Pad Length octet and the padding, which must hold at least |fixed|
 * octets (check_type_rules() has made sure the length allows the octet and
 * |fixed|). Padding that reaches into the Pad Length octet or the fixed
 * fields is PROTOCOL_ERROR: §6.1 and §6.2 say "the length of the frame
 * payload or greater"; a pad that overlaps the priority or promised-id
 * fields is read the same way (nothing would be left for them). */
static int unpad(const hyper_h2_frame_hdr *h, const uint8_t **p, size_t *n,
                 size_t fixed, int *padded, uint8_t *pad_len,
                 hyper_h2_frame_err *err) {
  *padded = 0;
  *pad_len = 0;
  if (!(h->flags & F_PADDED))
    return 0;
  uint8_t pad = (*p)[0];
  *p += 1;
  *n -= 1;
  if (pad > *n - fixed)
    return conn_proto(err, "padding as long as the payload or longer");
  *n -= pad;
  *padded = 1;
  *pad_len = pad;
  return 0;
}

static void read_priority(const uint8_t *p, hyper_h2_priority_spec *s) {
  uint32_t w = rd32(p);
  s->exclusive = (uint8_t)(w >> 31);
  s->stream_dependency = w & SID_MASK;
  s->weight = p[4];
}

int hyper_h2_frame_parse_data(const hyper_h2_frame_hdr *hdr,
                              const uint8_t *payload, size_t len,
                              hyper_h2_frame_data *out,
                              hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_DATA);
  const uint8_t *p = payload;
  size_t n = hdr->length;
  int rv = unpad(hdr, &p, &n, 0, &out->padded, &out->pad_len, err);
  if (rv)
    return rv;
  out->data = mkslice(p, n);
  out->flow_controlled_len = hdr->length; /* §6.1: the entire payload */
  return 0;
}

int hyper_h2_frame_parse_headers(const hyper_h2_frame_hdr *hdr,
                                 const uint8_t *payload, size_t len,
                                 hyper_h2_frame_headers *out,
                                 hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_HEADERS);
  const uint8_t *p = payload;
  size_t n = hdr->length;
  size_t fixed = (hdr->flags & F_PRIORITY) ? 5 : 0;
  int rv = unpad(hdr, &p, &n, fixed, &out->padded, &out->pad_len, err);
  if (rv)
    return rv;
  out->has_priority = fixed != 0;
  memset(&out->priority, 0, sizeof out->priority);
  if (fixed) {
    read_priority(p, &out->priority);
    p += 5;
    n -= 5;
  }
  out->block = mkslice(p, n);
  return 0;
}

int hyper_h2_frame_parse_priority(const hyper_h2_frame_hdr *hdr,
                                  const uint8_t *payload, size_t len,
                                  hyper_h2_frame_priority *out,
                                  hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_PRIORITY);
  read_priority(payload, &out->priority);
  return 0;
}

int hyper_h2_frame_parse_rst_stream(const hyper_h2_frame_hdr *hdr,
                                    const uint8_t *payload, size_t len,
                                    hyper_h2_frame_rst_stream *out,
                                    hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_RST_STREAM);
  out->error_code = rd32(payload);
  return 0;
}

/* §6.5.2 value rules (plus RFC 8441 §3 and RFC 9218 §2.1 for the two
 * boolean extensions). Unknown identifiers pass: they MUST be ignored. */
static int check_setting(uint16_t id, uint32_t v, hyper_h2_frame_err *err) {
  switch (id) {
  case HYPER_H2_SETTINGS_ENABLE_PUSH:
    return v > 1 ? conn_proto(err, "SETTINGS_ENABLE_PUSH not 0 or 1") : 0;
  case HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return v > 1 ? conn_proto(err,
                              "SETTINGS_ENABLE_CONNECT_PROTOCOL not 0 or 1")
                 : 0;
  case HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES:
    return v > 1 ? conn_proto(err, "SETTINGS_NO_RFC7540_PRIORITIES not 0 or 1")
                 : 0;
  case HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE:
    return v > SID_MASK
               ? fail(err, HYPER_H2_FLOW_CONTROL_ERROR, 1,
                      "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
               : 0;
  case HYPER_H2_SETTINGS_MAX_FRAME_SIZE:
    return !max_frame_size_ok(v)
               ? conn_proto(err, "SETTINGS_MAX_FRAME_SIZE out of range")
               : 0;
  default:
    return 0;
  }
}

int hyper_h2_frame_parse_settings(const hyper_h2_frame_hdr *hdr,
                                  const uint8_t *payload, size_t len,
                                  hyper_h2_frame_settings *out,
                                  hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_SETTINGS);
  size_t count = hdr->length / 6;
  /* Validate all entries now, so that applying them cannot fail half-way
   * (§6.5.3 processes them in order with nothing in between). */
  for (size_t i = 0; i < count; i++) {
    const uint8_t *e = payload + 6 * i;
    int rv = check_setting(rd16(e), rd32(e + 2), err);
    if (rv)
      return rv;
  }
  out->ack = (hdr->flags & F_ACK) != 0;
  out->count = count;
  out->_entries = payload;
  return 0;
}

int hyper_h2_frame_settings_get(const hyper_h2_frame_settings *s, size_t i,
                                hyper_h2_setting *out) {
  if (!s || !out || i >= s->count)
    return HYPER_ERR_INVALID_ARGUMENT;
  const uint8_t *e = s->_entries + 6 * i;
  out->id = rd16(e);
  out->value = rd32(e + 2);
  return 0;
}

int hyper_h2_frame_parse_push_promise(const hyper_h2_frame_hdr *hdr,
                                      const uint8_t *payload, size_t len,
                                      hyper_h2_frame_push_promise *out,
                                      hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_PUSH_PROMISE);
  const uint8_t *p = payload;
  size_t n = hdr->length;
  int rv = unpad(hdr, &p, &n, 4, &out->padded, &out->pad_len, err);
  if (rv)
    return rv;
  out->promised_stream_id = rd32(p) & SID_MASK;
  /* §6.6: promising an illegal (non-idle) id is a connection error, and 0
   * is never a legal new stream (§5.1.1). */
  if (out->promised_stream_id == 0)
    return conn_proto(err, "PUSH_PROMISE promises stream 0");
  out->block = mkslice(p + 4, n - 4);
  return 0;
}

int hyper_h2_frame_parse_ping(const hyper_h2_frame_hdr *hdr,
                              const uint8_t *payload, size_t len,
                              hyper_h2_frame_ping *out,
                              hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_PING);
  out->ack = (hdr->flags & F_ACK) != 0;
  memcpy(out->opaque, payload, 8);
  return 0;
}

int hyper_h2_frame_parse_goaway(const hyper_h2_frame_hdr *hdr,
                                const uint8_t *payload, size_t len,
                                hyper_h2_frame_goaway *out,
                                hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_GOAWAY);
  out->last_stream_id = rd32(payload) & SID_MASK;
  out->error_code = rd32(payload + 4);
  out->debug_data = mkslice(payload + 8, hdr->length - 8);
  return 0;
}

int hyper_h2_frame_parse_window_update(const hyper_h2_frame_hdr *hdr,
                                       const uint8_t *payload, size_t len,
                                       hyper_h2_frame_window_update *out,
                                       hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_WINDOW_UPDATE);
  out->increment = rd32(payload) & SID_MASK;
  /* §6.9: a stream error on a stream, a connection error on stream 0 */
  if (out->increment == 0)
    return fail(err, HYPER_H2_PROTOCOL_ERROR, (hdr->stream_id & SID_MASK) == 0,
                "WINDOW_UPDATE with an increment of 0");
  return 0;
}

int hyper_h2_frame_parse_continuation(const hyper_h2_frame_hdr *hdr,
                                      const uint8_t *payload, size_t len,
                                      hyper_h2_frame_continuation *out,
                                      hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_CONTINUATION);
  out->block = mkslice(payload, hdr->length);
  return 0;
}

int hyper_h2_frame_parse_altsvc(const hyper_h2_frame_hdr *hdr,
                                const uint8_t *payload, size_t len,
                                hyper_h2_frame_altsvc *out,
                                hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_ALTSVC);
  size_t n = hdr->length;
  out->ignore = 1;
  out->origin = mkslice(NULL, 0);
  out->field_value = mkslice(NULL, 0);
  /* RFC 7838 §4 does not cover a payload too short for Origin-Len or an
   * Origin-Len past the end; as a non-critical extension it is ignored
   * rather than failed (RFC 9113 §5.5). */
  if (n < 2 || rd16(payload) > n - 2)
    return 0;
  size_t olen = rd16(payload);
  int on_stream = (hdr->stream_id & SID_MASK) != 0;
  /* "An ALTSVC frame on stream 0 with empty (length 0) Origin information
   * is invalid and MUST be ignored. An ALTSVC frame on a stream other than
   * stream 0 containing non-empty Origin information is invalid and MUST
   * be ignored." An empty value cannot match the Alt-Svc grammar
   * ("clear" / 1#alt-value), so it is dropped as well. */
  if ((olen == 0) != on_stream || n - 2 - olen == 0)
    return 0;
  out->ignore = 0;
  out->origin = mkslice(payload + 2, olen);
  out->field_value = mkslice(payload + 2 + olen, n - 2 - olen);
  return 0;
}

int hyper_h2_frame_parse_origin(const hyper_h2_frame_hdr *hdr,
                                const uint8_t *payload, size_t len,
                                hyper_h2_frame_origin *out,
                                hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_ORIGIN);
  size_t n = hdr->length, pos = 0, count = 0;
  out->ignore = 1;
  out->count = 0;
  out->_payload = mkslice(NULL, 0);
  /* RFC 8336 §2.2: "an ORIGIN frame on any other stream is invalid and MUST
   * be ignored"; §2.1: flags 0x1-0x8 are reserved for incompatible changes
   * and a frame with any of them set MUST be ignored. */
  if ((hdr->stream_id & SID_MASK) != 0 || (hdr->flags & 0x0f) != 0)
    return 0;
  while (pos < n) {
    /* An entry running past the payload makes the frame malformed; it is
     * ignored like the other invalid forms, not failed. */
    if (n - pos < 2 || rd16(payload + pos) > n - pos - 2)
      return 0;
    pos += 2 + (size_t)rd16(payload + pos);
    count++;
  }
  out->ignore = 0;
  out->count = count;
  out->_payload = mkslice(payload, n);
  return 0;
}

int hyper_h2_frame_origin_next(const hyper_h2_frame_origin *f, size_t *pos,
                               hyper_slice *out) {
  if (!f || !pos || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t n = f->_payload.len, at = *pos;
  /* entries were validated by the parse; re-check so a stale or forged
   * cursor cannot read out of bounds */
  if (f->ignore || at >= n || n - at < 2)
    return 0;
  size_t olen = rd16(f->_payload.ptr + at);
  if (olen > n - at - 2)
    return 0;
  *out = mkslice(f->_payload.ptr + at + 2, olen);
  *pos = at + 2 + olen;
  return 1;
}

int hyper_h2_frame_parse_priority_update(const hyper_h2_frame_hdr *hdr,
                                         const uint8_t *payload, size_t len,
                                         hyper_h2_frame_priority_update *out,
                                         hyper_h2_frame_err *err) {
  BEGIN(HYPER_H2_FRAME_PRIORITY_UPDATE);
  out->prioritized_stream_id = rd32(payload) & SID_MASK;
  if (out->prioritized_stream_id == 0)
    return conn_proto(err, "PRIORITY_UPDATE for stream 0");
  out->field_value = mkslice(payload + 4, hdr->length - 4);
  return 0;
}

int hyper_h2_frame_parse_unknown(const hyper_h2_frame_hdr *hdr,
                                 const uint8_t *payload, size_t len,
                                 hyper_h2_frame_unknown *out,
                                 hyper_h2_frame_err *err) {
  (void)err;
  if (!hdr || !out || (!payload && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (len < hdr->length)
    return HYPER_ERR_INCOMPLETE;
  out->payload = mkslice(payload, hdr->length);
  return 0;
}

int hyper_h2_frame_parse(const uint8_t *in, size_t len,
                         uint32_t max_frame_size, hyper_h2_frame *out,
                         hyper_h2_frame_err *err) {
  if (!out || (!in && len) || !max_frame_size_ok(max_frame_size))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (len < HYPER_H2_FRAME_HDR_LEN)
    return HYPER_ERR_INCOMPLETE;
  hyper_h2_frame_hdr *h = &out->hdr;
  hyper_h2_frame_header_parse(in, h);
  int rv = hyper_h2_frame_check_header(h, max_frame_size, err);
  if (rv)
    return rv;
  if (len - HYPER_H2_FRAME_HDR_LEN < h->length)
    return HYPER_ERR_INCOMPLETE;
  const uint8_t *p = in + HYPER_H2_FRAME_HDR_LEN;
  size_t n = h->length;
#define DISPATCH(type, fn, member)                                             \
  case type:                                                                   \
    rv = fn(h, p, n, &out->u.member, err);                                     \
    break;
  switch (h->type) {
    DISPATCH(HYPER_H2_FRAME_DATA, hyper_h2_frame_parse_data, data)
    DISPATCH(HYPER_H2_FRAME_HEADERS, hyper_h2_frame_parse_headers, headers)
    DISPATCH(HYPER_H2_FRAME_PRIORITY, hyper_h2_frame_parse_priority, priority)
    DISPATCH(HYPER_H2_FRAME_RST_STREAM, hyper_h2_frame_parse_rst_stream,
             rst_stream)
    DISPATCH(HYPER_H2_FRAME_SETTINGS, hyper_h2_frame_parse_settings, settings)
    DISPATCH(HYPER_H2_FRAME_PUSH_PROMISE, hyper_h2_frame_parse_push_promise,
             push_promise)
    DISPATCH(HYPER_H2_FRAME_PING, hyper_h2_frame_parse_ping, ping)
    DISPATCH(HYPER_H2_FRAME_GOAWAY, hyper_h2_frame_parse_goaway, goaway)
    DISPATCH(HYPER_H2_FRAME_WINDOW_UPDATE, hyper_h2_frame_parse_window_update,
             window_update)
    DISPATCH(HYPER_H2_FRAME_CONTINUATION, hyper_h2_frame_parse_continuation,
             continuation)
    DISPATCH(HYPER_H2_FRAME_ALTSVC, hyper_h2_frame_parse_altsvc, altsvc)
    DISPATCH(HYPER_H2_FRAME_ORIGIN, hyper_h2_frame_parse_origin, origin)
    DISPATCH(HYPER_H2_FRAME_PRIORITY_UPDATE,
             hyper_h2_frame_parse_priority_update, priority_update)
  default:
    rv = hyper_h2_frame_parse_unknown(h, p, n, &out->u.unknown, err);
    break;
  }
#undef DISPATCH
  return rv ? rv : (int)(HYPER_H2_FRAME_HDR_LEN + n);
}

/* ---- serializing ------------------------------------------------------ */

/* Writes a frame made of |nparts| byte spans, with optional padding
 * (|pad_len| >= 0: PADDED flag, Pad Length octet, |pad_len| zero octets;
 * §6.1 "Padding octets MUST be set to zero when sending"). Checks the spans,
 * the total against 2^24-1 and |cap|; returns the frame size or an error. */
static int emit(uint8_t *out, size_t cap, uint8_t type, uint8_t flags,
                uint32_t sid, int pad_len, const hyper_slice *parts,
                size_t nparts) {
  if (sid > SID_MASK || pad_len < -1 || pad_len > 255)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t plen = pad_len >= 0 ? 1 + (size_t)pad_len : 0;
  for (size_t i = 0; i < nparts; i++) {
    if ((!parts[i].ptr && parts[i].len) || parts[i].len > MAX_LEN)
      return HYPER_ERR_INVALID_ARGUMENT;
    plen += parts[i].len; /* each <= 2^24-1 and nparts <= 3: no overflow */
  }
  if (plen > MAX_LEN)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!out && cap)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cap < HYPER_H2_FRAME_HDR_LEN + plen)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  hyper_h2_frame_hdr h;
  h.length = (uint32_t)plen;
  h.type = type;
  h.flags = (uint8_t)(flags | (pad_len >= 0 ? F_PADDED : 0));
  h.stream_id = sid;
  hyper_h2_frame_pack_header(out, &h);
  uint8_t *p = out + HYPER_H2_FRAME_HDR_LEN;
  if (pad_len >= 0)
    *p++ = (uint8_t)pad_len;
  for (size_t i = 0; i < nparts; i++) {
    if (parts[i].len)
      memcpy(p, parts[i].ptr, parts[i].len);
    p += parts[i].len;
  }
  if (pad_len > 0)
    memset(p, 0, (size_t)pad_len);
  return (int)(HYPER_H2_FRAME_HDR_LEN + plen);
}

int hyper_h2_frame_pack_raw(uint8_t *out, size_t cap, uint8_t type,
                            uint8_t flags, uint32_t stream_id,
                            const uint8_t *payload, size_t len) {
  hyper_slice part = mkslice(payload, len);
  return emit(out, cap, type, flags, stream_id, HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_data(uint8_t *out, size_t cap, uint32_t stream_id,
                             uint8_t flags, const uint8_t *data, size_t len,
                             int pad_len) {
  if (stream_id == 0 || (flags & ~F_END_STREAM))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_slice part = mkslice(data, len);
  return emit(out, cap, HYPER_H2_FRAME_DATA, flags, stream_id, pad_len, &part,
              1);
}

static void write_priority(uint8_t p[5], const hyper_h2_priority_spec *s) {
  wr32(p, s->stream_dependency | (s->exclusive ? 0x80000000u : 0));
  p[4] = s->weight;
}

int hyper_h2_frame_pack_headers(uint8_t *out, size_t cap, uint32_t stream_id,
                                uint8_t flags,
                                const hyper_h2_priority_spec *prio,
                                const uint8_t *block, size_t len,
                                int pad_len) {
  if (stream_id == 0 || (flags & ~(F_END_STREAM | F_END_HEADERS)) ||
      (prio && prio->stream_dependency > SID_MASK))
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t pr[5] = {0};
  hyper_slice parts[2] = {mkslice(pr, 0), mkslice(block, len)};
  if (prio) {
    write_priority(pr, prio);
    parts[0].len = 5;
    flags |= F_PRIORITY;
  }
  return emit(out, cap, HYPER_H2_FRAME_HEADERS, flags, stream_id, pad_len,
              parts, 2);
}

int hyper_h2_frame_pack_priority(uint8_t *out, size_t cap, uint32_t stream_id,
                                 const hyper_h2_priority_spec *prio) {
  if (stream_id == 0 || !prio || prio->stream_dependency > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t pr[5];
  write_priority(pr, prio);
  hyper_slice part = mkslice(pr, 5);
  return emit(out, cap, HYPER_H2_FRAME_PRIORITY, 0, stream_id,
              HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_rst_stream(uint8_t *out, size_t cap,
                                   uint32_t stream_id, uint32_t error_code) {
  if (stream_id == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t v[4];
  wr32(v, error_code);
  hyper_slice part = mkslice(v, 4);
  return emit(out, cap, HYPER_H2_FRAME_RST_STREAM, 0, stream_id,
              HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_settings(uint8_t *out, size_t cap,
                                 const hyper_h2_setting *entries, size_t n) {
  if ((!entries && n) || n > MAX_LEN / 6)
    return HYPER_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++)
    if (check_setting(entries[i].id, entries[i].value, NULL))
      return HYPER_ERR_INVALID_ARGUMENT;
  if (!out && cap)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cap < HYPER_H2_FRAME_HDR_LEN + 6 * n)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  hyper_h2_frame_hdr h = {(uint32_t)(6 * n), HYPER_H2_FRAME_SETTINGS, 0, 0};
  hyper_h2_frame_pack_header(out, &h);
  uint8_t *p = out + HYPER_H2_FRAME_HDR_LEN;
  for (size_t i = 0; i < n; i++)
    p = wr32(wr16(p, entries[i].id), entries[i].value);
  return (int)(HYPER_H2_FRAME_HDR_LEN + 6 * n);
}

int hyper_h2_frame_pack_settings_ack(uint8_t *out, size_t cap) {
  return emit(out, cap, HYPER_H2_FRAME_SETTINGS, F_ACK, 0, HYPER_H2_NO_PADDING,
              NULL, 0);
}

int hyper_h2_frame_pack_push_promise(uint8_t *out, size_t cap,
                                     uint32_t stream_id, uint8_t flags,
                                     uint32_t promised_stream_id,
                                     const uint8_t *block, size_t len,
                                     int pad_len) {
  if (stream_id == 0 || (flags & ~F_END_HEADERS) || promised_stream_id == 0 ||
      promised_stream_id > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t id[4];
  wr32(id, promised_stream_id);
  hyper_slice parts[2] = {mkslice(id, 4), mkslice(block, len)};
  return emit(out, cap, HYPER_H2_FRAME_PUSH_PROMISE, flags, stream_id, pad_len,
              parts, 2);
}

int hyper_h2_frame_pack_ping(uint8_t *out, size_t cap, int ack,
                             const uint8_t opaque[8]) {
  if (!opaque)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_slice part = mkslice(opaque, 8);
  return emit(out, cap, HYPER_H2_FRAME_PING, ack ? F_ACK : 0, 0,
              HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_goaway(uint8_t *out, size_t cap,
                               uint32_t last_stream_id, uint32_t error_code,
                               const uint8_t *debug, size_t len) {
  if (last_stream_id > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t fixed[8];
  wr32(wr32(fixed, last_stream_id), error_code);
  hyper_slice parts[2] = {mkslice(fixed, 8), mkslice(debug, len)};
  return emit(out, cap, HYPER_H2_FRAME_GOAWAY, 0, 0, HYPER_H2_NO_PADDING,
              parts, 2);
}

int hyper_h2_frame_pack_window_update(uint8_t *out, size_t cap,
                                      uint32_t stream_id, uint32_t increment) {
  if (increment == 0 || increment > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t v[4];
  wr32(v, increment);
  hyper_slice part = mkslice(v, 4);
  return emit(out, cap, HYPER_H2_FRAME_WINDOW_UPDATE, 0, stream_id,
              HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_continuation(uint8_t *out, size_t cap,
                                     uint32_t stream_id, uint8_t flags,
                                     const uint8_t *block, size_t len) {
  if (stream_id == 0 || (flags & ~F_END_HEADERS))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_slice part = mkslice(block, len);
  return emit(out, cap, HYPER_H2_FRAME_CONTINUATION, flags, stream_id,
              HYPER_H2_NO_PADDING, &part, 1);
}

int hyper_h2_frame_pack_altsvc(uint8_t *out, size_t cap, uint32_t stream_id,
                               const uint8_t *origin, size_t origin_len,
                               const uint8_t *value, size_t value_len) {
  /* RFC 7838 §4: Origin non-empty on stream 0 and empty elsewhere */
  if (origin_len > 0xffff || (origin_len == 0) != (stream_id != 0) ||
      value_len == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t olen[2];
  wr16(olen, (uint16_t)origin_len);
  hyper_slice parts[3] = {mkslice(olen, 2), mkslice(origin, origin_len),
                          mkslice(value, value_len)};
  return emit(out, cap, HYPER_H2_FRAME_ALTSVC, 0, stream_id,
              HYPER_H2_NO_PADDING, parts, 3);
}

int hyper_h2_frame_pack_origin(uint8_t *out, size_t cap,
                               const hyper_slice *origins, size_t n) {
  if (!origins && n)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t plen = 0;
  for (size_t i = 0; i < n; i++) {
    if (origins[i].len > 0xffff || (!origins[i].ptr && origins[i].len))
      return HYPER_ERR_INVALID_ARGUMENT;
    plen += 2 + origins[i].len;
    if (plen > MAX_LEN)
      return HYPER_ERR_INVALID_ARGUMENT;
  }
  if (!out && cap)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cap < HYPER_H2_FRAME_HDR_LEN + plen)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  hyper_h2_frame_hdr h = {(uint32_t)plen, HYPER_H2_FRAME_ORIGIN, 0, 0};
  hyper_h2_frame_pack_header(out, &h);
  uint8_t *p = out + HYPER_H2_FRAME_HDR_LEN;
  for (size_t i = 0; i < n; i++) {
    p = wr16(p, (uint16_t)origins[i].len);
    if (origins[i].len)
      memcpy(p, origins[i].ptr, origins[i].len);
    p += origins[i].len;
  }
  return (int)(HYPER_H2_FRAME_HDR_LEN + plen);
}

int hyper_h2_frame_pack_priority_update(uint8_t *out, size_t cap,
                                        uint32_t prioritized_stream_id,
                                        const uint8_t *value, size_t len) {
  if (prioritized_stream_id == 0 || prioritized_stream_id > SID_MASK)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t id[4];
  wr32(id, prioritized_stream_id);
  hyper_slice parts[2] = {mkslice(id, 4), mkslice(value, len)};
  return emit(out, cap, HYPER_H2_FRAME_PRIORITY_UPDATE, 0, 0,
              HYPER_H2_NO_PADDING, parts, 2);
}
