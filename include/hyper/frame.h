/*
 * hyper — the HTTP/2 frame codec: pure parse and serialize functions over
 * byte spans for the ten RFC 9113 frame types plus ALTSVC (RFC 7838), ORIGIN
 * (RFC 8336) and PRIORITY_UPDATE (RFC 9218). Nothing here allocates, keeps
 * state or touches a socket; the sans-IO connection (h2.h) is built on it.
 *
 * Receiving: read 9 octets, decode them with hyper_h2_frame_header_parse(),
 * vet the header with hyper_h2_frame_check_header() (before buffering the
 * payload), then hand the payload to the parse function for the type, or do
 * all of it in one call with hyper_h2_frame_parse():
 *
 *   hyper_h2_frame f; hyper_h2_frame_err e;
 *   int n = hyper_h2_frame_parse(buf, len, HYPER_H2_DEFAULT_MAX_FRAME_SIZE,
 *                                &f, &e);
 *   if (n == HYPER_ERR_INCOMPLETE) { read more; }
 *   else if (n < 0) { e.connection ? GOAWAY(e.code) : RST_STREAM(e.code); }
 *   else { handle f.hdr.type / f.u.*; consume n bytes; }
 *
 * Errors: a parse function returns a library error (HYPER_ERR_H2_*) and fills
 * a hyper_h2_frame_err with the RFC 9113 §7 wire code to send and whether the
 * RFC makes it a connection error (GOAWAY) or a stream error (RST_STREAM on
 * the frame's stream). Only rules that need nothing but the frame are checked
 * here; stream states, roles and negotiated settings are the connection's.
 * Unknown frame types and unused flags never fail (RFC 9113 §4.1, §5.5).
 *
 * Sending: hyper_h2_frame_pack_*() write one whole frame (header included)
 * into a caller buffer and return the number of octets written. The exact
 * size is given for each; the reserved bits and unused flags are written as 0.
 */
#ifndef HYPER_FRAME_H
#define HYPER_FRAME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Constants                                                                */
/* ------------------------------------------------------------------------ */

/** Size of the frame header (RFC 9113 §4.1). */
#define HYPER_H2_FRAME_HDR_LEN 9u
/** Initial and smallest SETTINGS_MAX_FRAME_SIZE, 2^14 (RFC 9113 §4.2). */
#define HYPER_H2_DEFAULT_MAX_FRAME_SIZE 16384u
/** Largest SETTINGS_MAX_FRAME_SIZE and largest Length field, 2^24-1. */
#define HYPER_H2_MAX_FRAME_SIZE_LIMIT 16777215u
/** Largest stream identifier, 2^31-1 (also the largest WINDOW_UPDATE
 *  increment and flow-control window). */
#define HYPER_H2_MAX_STREAM_ID 0x7fffffffu
/** Pass as |pad_len| to a pack function to send no PADDED flag. */
#define HYPER_H2_NO_PADDING (-1)

/** Frame types (RFC 9113 §6; RFC 7838 §4; RFC 8336 §2; RFC 9218 §7.1). */
typedef enum hyper_h2_frame_type {
  HYPER_H2_FRAME_DATA = 0x0,
  HYPER_H2_FRAME_HEADERS = 0x1,
  HYPER_H2_FRAME_PRIORITY = 0x2,
  HYPER_H2_FRAME_RST_STREAM = 0x3,
  HYPER_H2_FRAME_SETTINGS = 0x4,
  HYPER_H2_FRAME_PUSH_PROMISE = 0x5,
  HYPER_H2_FRAME_PING = 0x6,
  HYPER_H2_FRAME_GOAWAY = 0x7,
  HYPER_H2_FRAME_WINDOW_UPDATE = 0x8,
  HYPER_H2_FRAME_CONTINUATION = 0x9,
  HYPER_H2_FRAME_ALTSVC = 0xa,
  HYPER_H2_FRAME_ORIGIN = 0xc,
  HYPER_H2_FRAME_PRIORITY_UPDATE = 0x10
} hyper_h2_frame_type;

/* Frame flags. Which ones a type defines is listed in RFC 9113 §6; the others
 * are "unused" for that type and ignored on receipt. */
/** DATA, HEADERS: last frame the sender sends on the stream. */
#define HYPER_H2_FLAG_END_STREAM 0x01u
/** SETTINGS, PING: acknowledgement. */
#define HYPER_H2_FLAG_ACK 0x01u
/** HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends here. */
#define HYPER_H2_FLAG_END_HEADERS 0x04u
/** DATA, HEADERS, PUSH_PROMISE: Pad Length and padding are present. */
#define HYPER_H2_FLAG_PADDED 0x08u
/** HEADERS: Exclusive, Stream Dependency and Weight are present. */
#define HYPER_H2_FLAG_PRIORITY 0x20u

/**
 * HTTP/2 wire error codes (RFC 9113 §7), carried by RST_STREAM and GOAWAY.
 * Positive and kept apart from the library's negative hyper_err codes. A peer
 * may send values outside this list; fields that hold a received code are
 * therefore uint32_t.
 */
typedef enum hyper_h2_code {
  HYPER_H2_NO_ERROR = 0x0,
  HYPER_H2_PROTOCOL_ERROR = 0x1,
  HYPER_H2_INTERNAL_ERROR = 0x2,
  HYPER_H2_FLOW_CONTROL_ERROR = 0x3,
  HYPER_H2_SETTINGS_TIMEOUT = 0x4,
  HYPER_H2_STREAM_CLOSED = 0x5,
  HYPER_H2_FRAME_SIZE_ERROR = 0x6,
  HYPER_H2_REFUSED_STREAM = 0x7,
  HYPER_H2_CANCEL = 0x8,
  HYPER_H2_COMPRESSION_ERROR = 0x9,
  HYPER_H2_CONNECT_ERROR = 0xa,
  HYPER_H2_ENHANCE_YOUR_CALM = 0xb,
  HYPER_H2_INADEQUATE_SECURITY = 0xc,
  HYPER_H2_HTTP_1_1_REQUIRED = 0xd
} hyper_h2_code;

/**
 * Returns the RFC name of wire error code |code| ("PROTOCOL_ERROR",
 * "HTTP_1_1_REQUIRED", ...), or "UNKNOWN" for a value outside 0x0-0xd.
 * Static storage; never fails.
 */
HYPER_EXTERN const char *hyper_h2_code_name(uint32_t code);

/** SETTINGS identifiers (RFC 9113 §6.5.2; RFC 8441 §3; RFC 9218 §2.1). */
typedef enum hyper_h2_settings_id {
  HYPER_H2_SETTINGS_HEADER_TABLE_SIZE = 0x1,
  HYPER_H2_SETTINGS_ENABLE_PUSH = 0x2,
  HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS = 0x3,
  HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE = 0x4,
  HYPER_H2_SETTINGS_MAX_FRAME_SIZE = 0x5,
  HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE = 0x6,
  HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8,
  HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES = 0x9
} hyper_h2_settings_id;

/* ------------------------------------------------------------------------ */
/* Frame header and errors                                                  */
/* ------------------------------------------------------------------------ */

/** A decoded frame header (RFC 9113 §4.1). */
typedef struct hyper_h2_frame_hdr {
  uint32_t length;    /**< payload length, 0..2^24-1 */
  uint8_t type;       /**< hyper_h2_frame_type, or any unknown value */
  uint8_t flags;      /**< HYPER_H2_FLAG_*, unused ones included as received */
  uint32_t stream_id; /**< 31 bits; the reserved bit is dropped on read */
} hyper_h2_frame_hdr;

/**
 * What to tell the peer when a parse function fails: the wire code and
 * whether it is a connection error (send GOAWAY(code) and close) or a stream
 * error (send RST_STREAM(code) on the frame's stream and carry on; the
 * payload has already been read, so the frame boundary is intact).
 */
typedef struct hyper_h2_frame_err {
  hyper_h2_code code;
  int connection;   /**< 1: connection error; 0: stream error */
  const char *desc; /**< static, human-readable rule that was broken */
} hyper_h2_frame_err;

/**
 * Decodes the 9-octet frame header at |in| into |*out|. The reserved bit of
 * the stream identifier is ignored. Nothing is validated: see
 * hyper_h2_frame_check_header().
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (a NULL pointer).
 */
HYPER_EXTERN int hyper_h2_frame_header_parse(const uint8_t in[9],
                                             hyper_h2_frame_hdr *out);

/**
 * Checks everything that can be checked from the header alone, so that a
 * reader can refuse a frame before buffering its payload: the length against
 * |max_frame_size| (the SETTINGS_MAX_FRAME_SIZE we advertised; pass
 * HYPER_H2_DEFAULT_MAX_FRAME_SIZE until it is acknowledged), then the
 * stream-0 rule and the fixed or minimum length of the type. Unknown types
 * only get the size check. The per-type parse functions repeat the type rules
 * but not the size check. On failure |*err| (if not NULL) is filled.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |hdr| is NULL, or |max_frame_size| is outside
 *                               [2^14, 2^24-1] (|*err| untouched).
 *   HYPER_ERR_H2_FRAME_SIZE     length above |max_frame_size| (a connection
 *                               error for every type, see below), or a length
 *                               the type does not allow.
 *   HYPER_ERR_H2_PROTOCOL       stream id 0 where a stream is required, or
 *                               non-zero where 0 is required.
 * An oversized frame is reported as a connection error even for types whose
 * size errors are stream errors (PRIORITY): the reader would otherwise have to
 * skip up to 16 MiB, and RFC 9113 §5.4.1 lets any stream error be escalated.
 */
HYPER_EXTERN int hyper_h2_frame_check_header(const hyper_h2_frame_hdr *hdr,
                                             uint32_t max_frame_size,
                                             hyper_h2_frame_err *err);

/* ------------------------------------------------------------------------ */
/* Typed frames. Every hyper_slice and pointer below borrows from the       */
/* payload passed to the parse function and is valid as long as that       */
/* buffer is; nothing is copied unless stated.                              */
/* ------------------------------------------------------------------------ */

/** RFC 7540 priority fields (deprecated by RFC 9113 §5.3.2, still parsed). */
typedef struct hyper_h2_priority_spec {
  uint32_t stream_dependency; /**< 31 bits */
  uint8_t exclusive;          /**< 0 or 1 */
  uint8_t weight;             /**< wire value; the weight is |weight| + 1 */
} hyper_h2_priority_spec;

/** DATA (RFC 9113 §6.1). */
typedef struct hyper_h2_frame_data {
  hyper_slice data;   /**< application data, padding removed */
  int padded;         /**< PADDED flag was set */
  uint8_t pad_len;    /**< the Pad Length field; 0 when not padded */
  /** What the frame costs in flow control: the whole payload, Pad Length
   *  octet and padding included (§6.1), i.e. hdr.length. */
  uint32_t flow_controlled_len;
} hyper_h2_frame_data;

/** HEADERS (RFC 9113 §6.2). */
typedef struct hyper_h2_frame_headers {
  hyper_slice block;  /**< field block fragment, padding removed */
  int padded;
  uint8_t pad_len;
  int has_priority;   /**< PRIORITY flag was set; |priority| is valid */
  hyper_h2_priority_spec priority;
} hyper_h2_frame_headers;

/** PRIORITY (RFC 9113 §6.3). */
typedef struct hyper_h2_frame_priority {
  hyper_h2_priority_spec priority;
} hyper_h2_frame_priority;

/** RST_STREAM (RFC 9113 §6.4). */
typedef struct hyper_h2_frame_rst_stream {
  uint32_t error_code; /**< hyper_h2_code, or an unknown value */
} hyper_h2_frame_rst_stream;

/** One SETTINGS entry. */
typedef struct hyper_h2_setting {
  uint16_t id; /**< hyper_h2_settings_id, or an unknown value to ignore */
  uint32_t value;
} hyper_h2_setting;

/** SETTINGS (RFC 9113 §6.5). Read the entries with
 *  hyper_h2_frame_settings_get(). */
typedef struct hyper_h2_frame_settings {
  int ack;      /**< ACK flag; then |count| is 0 */
  size_t count; /**< number of entries, in wire order */
  const uint8_t *_entries;
} hyper_h2_frame_settings;

/** PUSH_PROMISE (RFC 9113 §6.6). */
typedef struct hyper_h2_frame_push_promise {
  uint32_t promised_stream_id; /**< 31 bits, never 0 after a parse */
  hyper_slice block;
  int padded;
  uint8_t pad_len;
} hyper_h2_frame_push_promise;

/** PING (RFC 9113 §6.7). */
typedef struct hyper_h2_frame_ping {
  int ack;
  uint8_t opaque[8]; /**< copied */
} hyper_h2_frame_ping;

/** GOAWAY (RFC 9113 §6.8). */
typedef struct hyper_h2_frame_goaway {
  uint32_t last_stream_id; /**< 31 bits */
  uint32_t error_code;     /**< hyper_h2_code, or an unknown value */
  hyper_slice debug_data;  /**< opaque; may hold sensitive data (§6.8) */
} hyper_h2_frame_goaway;

/** WINDOW_UPDATE (RFC 9113 §6.9). */
typedef struct hyper_h2_frame_window_update {
  uint32_t increment; /**< 1..2^31-1 after a successful parse */
} hyper_h2_frame_window_update;

/** CONTINUATION (RFC 9113 §6.10). */
typedef struct hyper_h2_frame_continuation {
  hyper_slice block;
} hyper_h2_frame_continuation;

/**
 * ALTSVC (RFC 7838 §4). When |ignore| is set the RFC says to drop the frame
 * (empty Origin on stream 0, an Origin on another stream, a malformed
 * payload or an empty field value) and the slices are empty. Whether the
 * frame applies at all (clients only, authority of the origin) is the
 * connection's business.
 */
typedef struct hyper_h2_frame_altsvc {
  int ignore;
  hyper_slice origin;      /**< ASCII origin; empty on a non-zero stream */
  hyper_slice field_value; /**< Alt-Svc field value, not validated */
} hyper_h2_frame_altsvc;

/**
 * ORIGIN (RFC 8336 §2). When |ignore| is set the frame must be dropped (sent
 * on a stream other than 0, one of the flags 0x1-0x8 set, or an entry running
 * past the payload) and |count| is 0. Read the entries with
 * hyper_h2_frame_origin_next().
 */
typedef struct hyper_h2_frame_origin {
  int ignore;
  size_t count; /**< number of Origin-Entry fields */
  hyper_slice _payload;
} hyper_h2_frame_origin;

/** PRIORITY_UPDATE (RFC 9218 §7.1). */
typedef struct hyper_h2_frame_priority_update {
  uint32_t prioritized_stream_id; /**< 31 bits, never 0 after a parse */
  hyper_slice field_value;        /**< Priority field value, not validated */
} hyper_h2_frame_priority_update;

/** A frame of a type this codec does not know (or any frame, raw). */
typedef struct hyper_h2_frame_unknown {
  hyper_slice payload;
} hyper_h2_frame_unknown;

/** Any frame: the header plus the member of |u| selected by |hdr.type|
 *  (|u.unknown| for types not listed in hyper_h2_frame_type). */
typedef struct hyper_h2_frame {
  hyper_h2_frame_hdr hdr;
  union {
    hyper_h2_frame_data data;
    hyper_h2_frame_headers headers;
    hyper_h2_frame_priority priority;
    hyper_h2_frame_rst_stream rst_stream;
    hyper_h2_frame_settings settings;
    hyper_h2_frame_push_promise push_promise;
    hyper_h2_frame_ping ping;
    hyper_h2_frame_goaway goaway;
    hyper_h2_frame_window_update window_update;
    hyper_h2_frame_continuation continuation;
    hyper_h2_frame_altsvc altsvc;
    hyper_h2_frame_origin origin;
    hyper_h2_frame_priority_update priority_update;
    hyper_h2_frame_unknown unknown;
  } u;
} hyper_h2_frame;

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Common contract of the hyper_h2_frame_parse_<type>() functions below:
 * |hdr| is the decoded header and |payload| points at |len| octets that start
 * with the frame payload; only the first hdr->length of them are read (|len|
 * may be larger). |payload| may be NULL when |len| is 0. On success |*out|
 * is filled and its slices borrow from |payload|. On a protocol failure
 * |*err| (if not NULL) gets the wire code and the connection/stream
 * classification; |*out| is then unspecified. No allocation, no state.
 *
 * Every one returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |hdr| or |out| is NULL, |payload| is NULL with
 *                               |len| > 0, or hdr->type is not the type the
 *                               function parses (|*err| untouched).
 *   HYPER_ERR_INCOMPLETE        |len| < hdr->length (|*err| untouched). The
 *                               rules that need only the header are checked
 *                               first, so those errors come back at once.
 * plus the HYPER_ERR_H2_* codes listed with each function. None of them
 * checks SETTINGS_MAX_FRAME_SIZE; that is hyper_h2_frame_check_header()'s.
 */

/**
 * DATA. |data| excludes the Pad Length octet and the padding; padding octets
 * are not required to be zero. The END_STREAM flag is in hdr->flags.
 * Errors: HYPER_ERR_H2_PROTOCOL (connection): stream 0; padding as long as
 * the payload or longer. HYPER_ERR_H2_FRAME_SIZE (connection): PADDED with an
 * empty payload.
 */
HYPER_EXTERN int hyper_h2_frame_parse_data(const hyper_h2_frame_hdr *hdr,
                                           const uint8_t *payload, size_t len,
                                           hyper_h2_frame_data *out,
                                           hyper_h2_frame_err *err);

/**
 * HEADERS. The priority fields are returned, not checked (RFC 9113 dropped
 * RFC 7540's self-dependency rule along with the scheme).
 * Errors (all connection errors, as HEADERS carries a field block, §4.2):
 * HYPER_ERR_H2_PROTOCOL: stream 0; padding longer than what follows the Pad
 * Length and priority fields. HYPER_ERR_H2_FRAME_SIZE: payload too short for
 * the Pad Length octet or the 5 priority octets the flags announce.
 */
HYPER_EXTERN int hyper_h2_frame_parse_headers(const hyper_h2_frame_hdr *hdr,
                                              const uint8_t *payload,
                                              size_t len,
                                              hyper_h2_frame_headers *out,
                                              hyper_h2_frame_err *err);

/**
 * PRIORITY. Errors: HYPER_ERR_H2_PROTOCOL (connection): stream 0.
 * HYPER_ERR_H2_FRAME_SIZE (*stream* error, §6.3): length other than 5.
 */
HYPER_EXTERN int hyper_h2_frame_parse_priority(const hyper_h2_frame_hdr *hdr,
                                               const uint8_t *payload,
                                               size_t len,
                                               hyper_h2_frame_priority *out,
                                               hyper_h2_frame_err *err);

/**
 * RST_STREAM. Unknown error codes are returned as they are.
 * Errors (connection): HYPER_ERR_H2_PROTOCOL: stream 0.
 * HYPER_ERR_H2_FRAME_SIZE: length other than 4.
 */
HYPER_EXTERN int hyper_h2_frame_parse_rst_stream(
    const hyper_h2_frame_hdr *hdr, const uint8_t *payload, size_t len,
    hyper_h2_frame_rst_stream *out, hyper_h2_frame_err *err);

/**
 * SETTINGS. Every entry is validated here, so applying them in order cannot
 * fail half-way: ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL and
 * NO_RFC7540_PRIORITIES must be 0 or 1; INITIAL_WINDOW_SIZE at most 2^31-1;
 * MAX_FRAME_SIZE within [2^14, 2^24-1]. Unknown identifiers are accepted and
 * returned by hyper_h2_frame_settings_get() for the caller to ignore.
 * Role-dependent rules (a client receiving ENABLE_PUSH=1) and rules across
 * frames (NO_RFC7540_PRIORITIES changing, ENABLE_CONNECT_PROTOCOL going back
 * to 0) are left to the connection.
 * Errors (all connection errors): HYPER_ERR_H2_PROTOCOL: non-zero stream; a
 * 0/1 setting with another value; MAX_FRAME_SIZE out of range.
 * HYPER_ERR_H2_FRAME_SIZE: ACK with a non-empty payload; length not a
 * multiple of 6. HYPER_ERR_H2_FLOW_CONTROL: INITIAL_WINDOW_SIZE above 2^31-1.
 */
HYPER_EXTERN int hyper_h2_frame_parse_settings(const hyper_h2_frame_hdr *hdr,
                                               const uint8_t *payload,
                                               size_t len,
                                               hyper_h2_frame_settings *out,
                                               hyper_h2_frame_err *err);

/**
 * Copies entry |i| (0-based, wire order) of a parsed SETTINGS frame into
 * |*out|. |s| borrows the payload given to hyper_h2_frame_parse_settings(),
 * which must still be valid.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (a NULL pointer or i >= count).
 */
HYPER_EXTERN int hyper_h2_frame_settings_get(const hyper_h2_frame_settings *s,
                                             size_t i, hyper_h2_setting *out);

/**
 * PUSH_PROMISE. Whether push is enabled, and whether the promised id is idle,
 * is for the connection to check.
 * Errors (all connection errors): HYPER_ERR_H2_PROTOCOL: stream 0; promised
 * stream id 0 (never a legal new stream, §6.6); padding too long.
 * HYPER_ERR_H2_FRAME_SIZE: too short for Pad Length and Promised Stream ID.
 */
HYPER_EXTERN int hyper_h2_frame_parse_push_promise(
    const hyper_h2_frame_hdr *hdr, const uint8_t *payload, size_t len,
    hyper_h2_frame_push_promise *out, hyper_h2_frame_err *err);

/**
 * PING. The 8 opaque octets are copied into |out->opaque|.
 * Errors (connection): HYPER_ERR_H2_PROTOCOL: non-zero stream.
 * HYPER_ERR_H2_FRAME_SIZE: length other than 8.
 */
HYPER_EXTERN int hyper_h2_frame_parse_ping(const hyper_h2_frame_hdr *hdr,
                                           const uint8_t *payload, size_t len,
                                           hyper_h2_frame_ping *out,
                                           hyper_h2_frame_err *err);

/**
 * GOAWAY. Unknown error codes are returned as they are.
 * Errors (connection): HYPER_ERR_H2_PROTOCOL: non-zero stream.
 * HYPER_ERR_H2_FRAME_SIZE: shorter than 8.
 */
HYPER_EXTERN int hyper_h2_frame_parse_goaway(const hyper_h2_frame_hdr *hdr,
                                             const uint8_t *payload,
                                             size_t len,
                                             hyper_h2_frame_goaway *out,
                                             hyper_h2_frame_err *err);

/**
 * WINDOW_UPDATE. Errors: HYPER_ERR_H2_FRAME_SIZE (connection): length other
 * than 4. HYPER_ERR_H2_PROTOCOL: an increment of 0 — a *stream* error when
 * the frame is on a stream, a connection error on stream 0 (§6.9); this is
 * the only PROTOCOL_ERROR this codec reports as a stream error. |out| is
 * filled (increment 0) in that case too. Overflowing a window is the
 * window's check, not the codec's.
 */
HYPER_EXTERN int hyper_h2_frame_parse_window_update(
    const hyper_h2_frame_hdr *hdr, const uint8_t *payload, size_t len,
    hyper_h2_frame_window_update *out, hyper_h2_frame_err *err);

/**
 * CONTINUATION. Whether one is expected here is the connection's check.
 * Errors: HYPER_ERR_H2_PROTOCOL (connection): stream 0.
 */
HYPER_EXTERN int hyper_h2_frame_parse_continuation(
    const hyper_h2_frame_hdr *hdr, const uint8_t *payload, size_t len,
    hyper_h2_frame_continuation *out, hyper_h2_frame_err *err);

/**
 * ALTSVC. Never fails on content: frames RFC 7838 calls invalid come back
 * with |out->ignore| set (see hyper_h2_frame_altsvc). A device acting as a
 * server must ignore every ALTSVC frame (RFC 7838 §4); that is the
 * connection's check. No HYPER_ERR_H2_* codes.
 */
HYPER_EXTERN int hyper_h2_frame_parse_altsvc(const hyper_h2_frame_hdr *hdr,
                                             const uint8_t *payload,
                                             size_t len,
                                             hyper_h2_frame_altsvc *out,
                                             hyper_h2_frame_err *err);

/**
 * ORIGIN. Never fails on content: frames RFC 8336 §2.1-2.2 says to ignore come
 * back with |out->ignore| set. Flags 0x10-0x80 are unused and ignored.
 * Ignoring ORIGIN on h2c or from a proxy is the connection's check. No
 * HYPER_ERR_H2_* codes.
 */
HYPER_EXTERN int hyper_h2_frame_parse_origin(const hyper_h2_frame_hdr *hdr,
                                             const uint8_t *payload,
                                             size_t len,
                                             hyper_h2_frame_origin *out,
                                             hyper_h2_frame_err *err);

/**
 * Iterates the entries of a parsed ORIGIN frame: start with |*pos| = 0; each
 * call stores the next ASCII-Origin (possibly empty, not validated) in |*out|
 * and advances |*pos|. |f| borrows the payload given to
 * hyper_h2_frame_parse_origin(), which must still be valid; so do the slices.
 *
 * Returns 1 when an entry was stored, 0 after the last one (and for an
 * ignored frame), or HYPER_ERR_INVALID_ARGUMENT (a NULL pointer).
 */
HYPER_EXTERN int hyper_h2_frame_origin_next(const hyper_h2_frame_origin *f,
                                            size_t *pos, hyper_slice *out);

/**
 * PRIORITY_UPDATE. That only servers may receive it and that the id is within
 * the stream limits are the connection's checks.
 * Errors (connection): HYPER_ERR_H2_PROTOCOL: non-zero stream; prioritized
 * stream id 0. HYPER_ERR_H2_FRAME_SIZE: shorter than 4.
 */
HYPER_EXTERN int hyper_h2_frame_parse_priority_update(
    const hyper_h2_frame_hdr *hdr, const uint8_t *payload, size_t len,
    hyper_h2_frame_priority_update *out, hyper_h2_frame_err *err);

/**
 * Any type, unparsed: |out->payload| is the whole payload. Accepts every
 * hdr->type, so it also serves tracing. No HYPER_ERR_H2_* codes (frames of
 * unknown type must be discarded, never refused: RFC 9113 §5.5).
 */
HYPER_EXTERN int hyper_h2_frame_parse_unknown(const hyper_h2_frame_hdr *hdr,
                                              const uint8_t *payload,
                                              size_t len,
                                              hyper_h2_frame_unknown *out,
                                              hyper_h2_frame_err *err);

/**
 * Parses one whole frame from the |len| octets at |in|: header, the checks of
 * hyper_h2_frame_check_header() with |max_frame_size|, then the payload with
 * the parse function for hdr.type (hyper_h2_frame_parse_unknown() for unknown
 * types) into |*out|. Slices in |*out| borrow from |in|. A header that fails
 * its checks is reported as soon as the 9 header octets are there, without
 * waiting for the payload. On a protocol failure |out->hdr| is still valid.
 *
 * Returns the number of octets the frame occupies (9 + hdr.length, > 0), or
 * one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL pointer (|in| may be NULL if |len| is
 *                               0), or |max_frame_size| outside [2^14, 2^24-1].
 *   HYPER_ERR_INCOMPLETE        fewer than 9 + hdr.length octets; read more
 *                               and call again with the same start.
 *   HYPER_ERR_H2_PROTOCOL, HYPER_ERR_H2_FRAME_SIZE, HYPER_ERR_H2_FLOW_CONTROL
 *                               as listed for the check and the type; |*err|
 *                               (if not NULL) says what to send.
 */
HYPER_EXTERN int hyper_h2_frame_parse(const uint8_t *in, size_t len,
                                      uint32_t max_frame_size,
                                      hyper_h2_frame *out,
                                      hyper_h2_frame_err *err);

/* ------------------------------------------------------------------------ */
/* Serializing                                                              */
/* ------------------------------------------------------------------------ */

/*
 * Common contract of the hyper_h2_frame_pack_*() functions: they write one
 * complete frame to |out| (|cap| octets available; |out| may be NULL only if
 * |cap| is 0) and read their inputs only during the call. Sizes below are
 * exact; "P(n, pad_len)" is n when pad_len is HYPER_H2_NO_PADDING and
 * n + 1 + pad_len otherwise (the PADDED flag is then set, Pad Length is
 * pad_len, and pad_len zero octets follow). They refuse to write frames this
 * codec would reject on receipt. Keeping frames within the peer's
 * SETTINGS_MAX_FRAME_SIZE is the caller's job; only the 2^24-1 wire limit is
 * checked.
 *
 * Every one returns the number of octets written (> 0), or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL pointer with a non-zero length, a
 *                               stream id above 2^31-1 or 0 where the type
 *                               needs a stream, a flag the function does not
 *                               take, pad_len outside [-1, 255], a payload
 *                               above 2^24-1, or a value listed below.
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| is below the size given; nothing written.
 */

/**
 * Encodes |hdr| into the 9 octets at |out| (reserved bit 0). Returns 9, or
 * HYPER_ERR_INVALID_ARGUMENT (NULL, length above 2^24-1, or stream id above
 * 2^31-1).
 */
HYPER_EXTERN int hyper_h2_frame_pack_header(uint8_t out[9],
                                            const hyper_h2_frame_hdr *hdr);

/**
 * Any frame from its parts, payload copied verbatim and |flags| as given
 * (for extension frames, and tests). Size: 9 + |len|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_raw(uint8_t *out, size_t cap,
                                         uint8_t type, uint8_t flags,
                                         uint32_t stream_id,
                                         const uint8_t *payload, size_t len);

/**
 * DATA on |stream_id| (non-zero). |flags| may hold only END_STREAM.
 * Size: 9 + P(|len|, |pad_len|).
 */
HYPER_EXTERN int hyper_h2_frame_pack_data(uint8_t *out, size_t cap,
                                          uint32_t stream_id, uint8_t flags,
                                          const uint8_t *data, size_t len,
                                          int pad_len);

/**
 * HEADERS on |stream_id| (non-zero). |flags| may hold END_STREAM and
 * END_HEADERS; PRIORITY is set when |prio| is not NULL (its dependency must
 * be at most 2^31-1). Size: 9 + P(|len| + (|prio| ? 5 : 0), |pad_len|).
 */
HYPER_EXTERN int hyper_h2_frame_pack_headers(
    uint8_t *out, size_t cap, uint32_t stream_id, uint8_t flags,
    const hyper_h2_priority_spec *prio, const uint8_t *block, size_t len,
    int pad_len);

/** PRIORITY on |stream_id| (non-zero); |prio| not NULL. Size: 14. */
HYPER_EXTERN int hyper_h2_frame_pack_priority(
    uint8_t *out, size_t cap, uint32_t stream_id,
    const hyper_h2_priority_spec *prio);

/** RST_STREAM on |stream_id| (non-zero) with |error_code|. Size: 13. */
HYPER_EXTERN int hyper_h2_frame_pack_rst_stream(uint8_t *out, size_t cap,
                                                uint32_t stream_id,
                                                uint32_t error_code);

/**
 * SETTINGS (not ACK) with the |n| entries at |entries| (NULL if |n| is 0),
 * each of which must pass the receive-side value checks (see
 * hyper_h2_frame_parse_settings(); INVALID_ARGUMENT otherwise).
 * Size: 9 + 6 * |n|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_settings(uint8_t *out, size_t cap,
                                              const hyper_h2_setting *entries,
                                              size_t n);

/** SETTINGS with ACK and no payload. Size: 9. */
HYPER_EXTERN int hyper_h2_frame_pack_settings_ack(uint8_t *out, size_t cap);

/**
 * PUSH_PROMISE on |stream_id| (non-zero) promising |promised_stream_id|
 * (1..2^31-1). |flags| may hold only END_HEADERS.
 * Size: 9 + P(4 + |len|, |pad_len|).
 */
HYPER_EXTERN int hyper_h2_frame_pack_push_promise(
    uint8_t *out, size_t cap, uint32_t stream_id, uint8_t flags,
    uint32_t promised_stream_id, const uint8_t *block, size_t len,
    int pad_len);

/** PING with the 8 octets at |opaque|; ACK flag if |ack|. Size: 17. */
HYPER_EXTERN int hyper_h2_frame_pack_ping(uint8_t *out, size_t cap, int ack,
                                          const uint8_t opaque[8]);

/**
 * GOAWAY with |last_stream_id| (at most 2^31-1), |error_code| and |len|
 * octets of debug data. Size: 17 + |len|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_goaway(uint8_t *out, size_t cap,
                                            uint32_t last_stream_id,
                                            uint32_t error_code,
                                            const uint8_t *debug, size_t len);

/**
 * WINDOW_UPDATE on |stream_id| (0 for the connection) with |increment| in
 * 1..2^31-1. Size: 13.
 */
HYPER_EXTERN int hyper_h2_frame_pack_window_update(uint8_t *out, size_t cap,
                                                   uint32_t stream_id,
                                                   uint32_t increment);

/**
 * CONTINUATION on |stream_id| (non-zero). |flags| may hold only END_HEADERS.
 * Size: 9 + |len|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_continuation(uint8_t *out, size_t cap,
                                                  uint32_t stream_id,
                                                  uint8_t flags,
                                                  const uint8_t *block,
                                                  size_t len);

/**
 * ALTSVC on |stream_id|. On stream 0 |origin_len| must be 1..65535; on any
 * other stream it must be 0. |value_len| must be non-zero (an empty value is
 * ignored on receipt). Size: 11 + |origin_len| + |value_len|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_altsvc(uint8_t *out, size_t cap,
                                            uint32_t stream_id,
                                            const uint8_t *origin,
                                            size_t origin_len,
                                            const uint8_t *value,
                                            size_t value_len);

/**
 * ORIGIN on stream 0 with the |n| origins at |origins| (each at most 65535
 * octets; |origins| may be NULL if |n| is 0). Size: 9 + sum(2 + len).
 */
HYPER_EXTERN int hyper_h2_frame_pack_origin(uint8_t *out, size_t cap,
                                            const hyper_slice *origins,
                                            size_t n);

/**
 * PRIORITY_UPDATE on stream 0 for |prioritized_stream_id| (1..2^31-1) with
 * the Priority field value at |value|. Size: 13 + |len|.
 */
HYPER_EXTERN int hyper_h2_frame_pack_priority_update(
    uint8_t *out, size_t cap, uint32_t prioritized_stream_id,
    const uint8_t *value, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_FRAME_H */
