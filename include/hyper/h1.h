/*
 * hyper — sans-IO HTTP/1.1 for the client side (RFC 9112, RFC 9110).
 *
 * Four parts, each usable alone:
 *   1. hyper_h1_parse_response(): a stateless, zero-copy response head
 *      parser in the style of picohttpparser's phr_parse_response(). It
 *      also takes the message-length decision of RFC 9112 §6.3.
 *   2. hyper_h1_chunked_*: an incremental, zero-copy decoder of the chunked
 *      transfer coding (RFC 9112 §7.1), trailer section included.
 *   3. hyper_h1_parser: the response side of a connection, in the h2 core's
 *      event style: bytes go in with hyper_h1_parser_feed(), events come out
 *      with hyper_h1_parser_next_event() (HEAD, DATA, TRAILERS, END, plus
 *      INFORMATIONAL for 1xx). It matches responses to requests in order,
 *      handles 1xx, HEAD/204/304, 101 and CONNECT, bodies framed by
 *      Content-Length, chunked or connection close, and decides whether the
 *      connection may be reused (RFC 9112 §9.3).
 *   4. hyper_h1_write_*: the request serialiser (request line, Host,
 *      fields, Content-Length or chunked, Expect: 100-continue) and chunk
 *      framing for request bodies. Output goes into caller buffers, sized
 *      exactly, atomically (nothing is written on failure).
 *
 * Nothing here touches a socket or a clock, and nothing allocates except
 * hyper_h1_parser_new(). A typical client loop (errors shortened); buf
 * holds received bytes, buf[off..len) not yet consumed:
 *
 *   hyper_h1_parser *p;
 *   hyper_h1_parser_new(&p, NULL, NULL);
 *   uint8_t out[4096]; size_t n;
 *   hyper_h1_write_request(&req, out, sizeof out, &n);    // send out[0..n)
 *   hyper_h1_parser_request(p, hyper_h1_request_flags(&req));
 *   for (;;) {
 *     int used = off < len ? hyper_h1_parser_feed(p, buf + off, len - off)
 *                          : HYPER_ERR_INCOMPLETE;
 *     if (used == HYPER_ERR_INCOMPLETE) {        // need more bytes
 *       memmove(buf, buf + off, len - off); len -= off; off = 0;
 *       ssize_t got = read(fd, buf + len, sizeof buf - len);
 *       if (got == 0) {                          // the peer closed
 *         int rv = hyper_h1_parser_eof(p);       // may queue END
 *         drain events as below; stop (rv < 0: the response failed);
 *       }
 *       len += (size_t)got; continue;
 *     }
 *     if (used < 0) fail(used);                  // close the connection
 *     hyper_h1_event ev;
 *     while (hyper_h1_parser_next_event(p, &ev))
 *       handle(&ev);                             // END: response complete
 *     off += (size_t)used;        // only now may buf[0..off) be dropped
 *   }
 *
 * The read buffer must be able to hold max_header_bytes octets (64 KiB by
 * default), because a header or trailer section is parsed in place.
 *
 * Lifetimes in one sentence: every pointer in an event points either into
 * the parser (the field array, valid until the next hyper_h1_parser_feed()
 * or _free()) or into the bytes given to hyper_h1_parser_feed() (valid as
 * long as the caller keeps those bytes where they are and unchanged), so
 * handle the events of one feed call before dropping the bytes it consumed.
 *
 * Error scheme (include/hyper/common.h): HYPER_ERR_H1_PARSE (syntax),
 * HYPER_ERR_H1_CHUNKED (chunked framing), HYPER_ERR_H1_LENGTH (the body
 * length is invalid, conflicting or exceeded), HYPER_ERR_H1_UNEXPECTED_EOF
 * (closed mid-message), HYPER_ERR_H1_TOO_LARGE (a configured limit on the
 * header or trailer section, a line, the field count, or 1xx responses),
 * HYPER_ERR_INCOMPLETE (not an error: more input is needed). Parse errors
 * are sticky: a parser or chunked decoder that failed keeps returning the
 * same error, and the connection must be closed.
 */
#ifndef HYPER_H1_H
#define HYPER_H1_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Configuration and limits                                                 */
/* ======================================================================== */

/** Default cap on a header section: status line, field lines and the empty
 *  line together (also the cap on a trailer section). */
#define HYPER_H1_DEFAULT_MAX_HEADER_BYTES 65536u
/** Default cap on one line (the status line, or one field line with its
 *  line terminator). */
#define HYPER_H1_DEFAULT_MAX_LINE 16384u
/** Default cap on the fields of one header (or trailer) section. */
#define HYPER_H1_DEFAULT_MAX_HEADERS 128u
/** Default cap on the chunk extensions of one chunk-size line, in octets
 *  (everything between the chunk size and the CRLF). */
#define HYPER_H1_DEFAULT_MAX_CHUNK_EXT 4096u
/** Default cap on 1xx (informational) responses before a final one. */
#define HYPER_H1_DEFAULT_MAX_INFORMATIONAL 16u
/** Default cap on requests awaiting a response (pipelining depth). */
#define HYPER_H1_DEFAULT_MAX_PIPELINE 16u
/** The largest max_pipeline a configuration may ask for. */
#define HYPER_H1_MAX_PIPELINE 64u
/** The largest max_headers a configuration may ask for. */
#define HYPER_H1_MAX_HEADERS_LIMIT 65536u

/**
 * Parser policy and limits. Fill with hyper_h1_config_init(), change
 * fields, pass to the functions below, which copy what they need.
 */
typedef struct hyper_h1_config {
  /** Cap on a header section and on a trailer section, in octets, line
   *  terminators and the final empty line included (default 65536, at
   *  least 16). Larger sections fail with HYPER_ERR_H1_TOO_LARGE
   *  (CVE-2023-38039 style header bombs). */
  size_t max_header_bytes;
  /** Cap on one status or field line, terminator included (default 16384,
   *  at least 16); HYPER_ERR_H1_TOO_LARGE. */
  size_t max_line;
  /** Cap on the number of fields in one section (default 128, at least 1,
   *  at most HYPER_H1_MAX_HEADERS_LIMIT); HYPER_ERR_H1_TOO_LARGE. */
  size_t max_headers;
  /** Cap on the chunk extensions of one chunk-size line (default 4096);
   *  HYPER_ERR_H1_CHUNKED. 0 forbids extensions. */
  size_t max_chunk_ext;
  /** Cap on 1xx responses before the final response of one request
   *  (default 16, at least 1); HYPER_ERR_H1_TOO_LARGE (1xx flood). */
  uint32_t max_informational;
  /** Cap on requests announced with hyper_h1_parser_request() whose
   *  response has not started (default 16, 1..HYPER_H1_MAX_PIPELINE). */
  uint32_t max_pipeline;
  /** Accept a bare LF as the terminator of the status line, of field lines
   *  and of trailer lines, as RFC 9112 §2.2 permits (default 1). 0 requires
   *  CRLF everywhere. Chunk-size lines and the CRLF after chunk data always
   *  require CRLF. A bare CR is always rejected. */
  int allow_bare_lf;
} hyper_h1_config;

/** Fills |cfg| with the defaults above. |cfg| must not be NULL. Never
 *  fails. */
HYPER_EXTERN void hyper_h1_config_init(hyper_h1_config *cfg);

/* ======================================================================== */
/* 1. The response head parser (stateless)                                  */
/* ======================================================================== */

/* Flags describing the request a response answers (req_flags below). They
 * change how the response is framed (RFC 9112 §6.3) and what it may be. */
/** The request method was HEAD: the response has no body. */
#define HYPER_H1_REQ_HEAD 0x01u
/** The request method was CONNECT: a 2xx response turns the connection
 *  into a tunnel (HYPER_H1_BODY_TUNNEL). */
#define HYPER_H1_REQ_CONNECT 0x02u
/** The request carried Upgrade (e.g. h2c): a 101 response is allowed.
 *  Without this flag a 101 is an error (HYPER_ERR_H1_PARSE). */
#define HYPER_H1_REQ_UPGRADE 0x04u
/** The request carried `Connection: close`: the connection is not reusable
 *  whatever the response says. */
#define HYPER_H1_REQ_CLOSE 0x08u

/** How the body of a response is delimited (RFC 9112 §6.3). */
typedef enum hyper_h1_framing {
  /** No body: a 1xx, 204 or 304 response, or a response to HEAD. */
  HYPER_H1_BODY_NONE = 0,
  /** Exactly |content_length| octets (possibly 0). */
  HYPER_H1_BODY_LENGTH = 1,
  /** The chunked transfer coding, ended by the last chunk and trailers. */
  HYPER_H1_BODY_CHUNKED = 2,
  /** Everything until the server closes the connection (never reusable). */
  HYPER_H1_BODY_CLOSE = 3,
  /** No HTTP body: the connection now belongs to another protocol (101
   *  Switching Protocols) or is a tunnel (2xx to CONNECT). The bytes after
   *  the header section are not HTTP/1.1. */
  HYPER_H1_BODY_TUNNEL = 4
} hyper_h1_framing;

/**
 * A parsed response head (a status line and its header section). All
 * slices point into the buffer given to the parser; |fields| points to the
 * array the caller (or the parser object) supplied.
 */
typedef struct hyper_h1_head {
  /** The status code, 100..999 (RFC 9110 §15: a client treats an unknown
   *  code as the x00 of its class; codes 600..999 are passed on as they
   *  are, codes below 100 are rejected). */
  int status;
  /** The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1 (a higher minor
   *  version is reported as received and treated as 1.1, RFC 9110 §2.5). */
  int minor_version;
  /** The reason phrase as sent after the SP that follows the status code
   *  (possibly empty; not trimmed). A client should ignore its content
   *  (RFC 9112 §4). */
  hyper_slice reason;
  /** The fields in wire order, names and values as received (names keep
   *  their case; values have their leading and trailing whitespace
   *  removed, RFC 9112 §5.1). |flags| is 0. */
  const hyper_field *fields;
  size_t nfields;
  /** How the body is framed (see hyper_h1_framing). */
  hyper_h1_framing framing;
  /** The Content-Length value when present and valid, else -1. Reported
   *  even when it does not frame the body (HEAD, 304). */
  int64_t content_length;
  /** 1 when the connection may carry another request after this response
   *  as far as this head tells (RFC 9112 §9.3): HTTP/1.1 unless
   *  `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`;
   *  never for close-delimited bodies, tunnels, HTTP/1.0 messages with
   *  Transfer-Encoding (RFC 9112 §6.1), or with HYPER_H1_REQ_CLOSE. For a
   *  1xx head it is computed the same way but has no effect. */
  int keep_alive;
} hyper_h1_head;

/**
 * Parses a response head at the start of |buf| (|len| bytes available),
 * without allocating and without copying: the reason phrase and the fields
 * are slices into |buf|. |req_flags| (HYPER_H1_REQ_*) describe the request
 * the response answers and only affect |out->framing| and |keep_alive|.
 * |cfg| may be NULL for the defaults. |fields| is an array of |max_fields|
 * entries; the effective field cap is min(|max_fields|, cfg->max_headers).
 *
 * Incremental use (the picohttpparser last_len contract, with an explicit
 * resume offset): set |*scan| to 0 for a new head. When the head is not
 * complete the call returns HYPER_ERR_INCOMPLETE, consumes nothing and
 * updates |*scan|; call again once more bytes are available, with |buf|
 * starting at the same first byte (the storage may have moved) followed by
 * the same bytes plus the new ones, and the same |*scan|. This re-examines
 * only the new bytes until the end of the head is found, so feeding a head
 * one byte at a time costs O(length) and gives the same result as feeding
 * it at once. Giving different bytes before |*scan| is a contract
 * violation: the result is an error or a misparse, never a memory error.
 *
 * Checks, in byte order: the "HTTP/" prefix (an HTTP/0.9 response has none
 * and fails at once), HTTP-version "HTTP/1.x" (a major version other than
 * 1 fails), SP, a status code of exactly 3 digits (100..999), a reason
 * phrase of HTAB/SP/VCHAR/obs-text (the separating SP may be omitted when
 * the phrase is empty); then field lines: a name of token characters
 * directly followed by ":" (whitespace before the colon, an empty name, a
 * non-token character, a line starting with whitespace, i.e. obs-fold or
 * whitespace after the status line, all fail), a value of HTAB/SP/VCHAR/
 * obs-text (NUL and other controls fail), each line ended by CRLF (or LF
 * when allowed); a bare CR anywhere fails. Then the framing decision of
 * RFC 9112 §6.3 (see hyper_h1_framing): no body for HEAD, 1xx, 204, 304
 * (Content-Length and Transfer-Encoding are then not interpreted, only
 * reported); tunnel for 101 and for 2xx to CONNECT; chunked when
 * Transfer-Encoding is exactly "chunked" (case-insensitive, possibly split
 * over lines or with empty list elements); otherwise Content-Length (1*DIGIT
 * per RFC 9110 §8.6; repeated identical values, on several lines or as a
 * list, are accepted); otherwise close-delimited.
 *
 * Lifetime: |out->reason| and the slices in |fields| point into |buf| and
 * are valid while |buf| is; |out->fields| == |fields|.
 *
 * Returns the length of the head in octets (> 0: the body, if any, starts
 * at buf + that length), or one of:
 *   HYPER_ERR_INCOMPLETE        more input is needed (see above); nothing
 *                               in |out| or |fields| is meaningful.
 *   HYPER_ERR_H1_PARSE          malformed status line or field line, bare
 *                               CR, obs-fold, not HTTP/1.x, bad status code.
 *   HYPER_ERR_H1_TOO_LARGE      the head exceeds max_header_bytes, a line
 *                               exceeds max_line, or there are more fields
 *                               than the cap.
 *   HYPER_ERR_H1_LENGTH         the body length cannot be determined safely:
 *                               both Transfer-Encoding and Content-Length;
 *                               a transfer coding other than a single
 *                               "chunked" (unknown codings, chunked not last
 *                               or repeated, an empty list); Content-Length
 *                               not 1*DIGIT (signed, empty, garbage), over
 *                               2^63-1, or repeated with different values.
 *   HYPER_ERR_INVALID_ARGUMENT  |scan| or |out| is NULL, |buf| is NULL
 *                               with |len| > 0, |fields| is NULL with
 *                               |max_fields| > 0, |req_flags| has unknown
 *                               bits, or |cfg| is invalid.
 */
HYPER_EXTERN int hyper_h1_parse_response(const uint8_t *buf, size_t len,
                                         size_t *scan, uint32_t req_flags,
                                         const hyper_h1_config *cfg,
                                         hyper_h1_head *out,
                                         hyper_field *fields,
                                         size_t max_fields);

/**
 * Parses a complete block of field lines (e.g. the trailer section handed
 * out by hyper_h1_chunked_decode()) of |len| octets at |buf| into |fields|
 * (|max_fields| entries), with the field-line rules of
 * hyper_h1_parse_response(). Every line must end with CRLF (or LF when
 * allowed); the block has no final empty line. An empty block gives 0
 * fields. |cfg| may be NULL.
 *
 * Lifetime: the slices in |fields| point into |buf|.
 *
 * Returns 0 and sets |*nfields|, or one of:
 *   HYPER_ERR_H1_PARSE          a malformed line, or the block does not end
 *                               with a line terminator.
 *   HYPER_ERR_H1_TOO_LARGE      more fields than min(|max_fields|,
 *                               cfg->max_headers), or a line over max_line.
 *   HYPER_ERR_INVALID_ARGUMENT  a required pointer is NULL or |cfg| is
 *                               invalid.
 */
HYPER_EXTERN int hyper_h1_parse_fields(const uint8_t *buf, size_t len,
                                       const hyper_h1_config *cfg,
                                       hyper_field *fields, size_t max_fields,
                                       size_t *nfields);

/* ======================================================================== */
/* 2. The chunked decoder (RFC 9112 §7.1)                                   */
/* ======================================================================== */

/**
 * Decoder state, embedded in its owner (hyper_h1_chunked_init(); there is
 * nothing to clean up). The fields are private.
 */
typedef struct hyper_h1_chunked {
  uint64_t _remaining;
  size_t _scan;
  size_t _ext_len;
  size_t _max_ext;
  size_t _max_trailer_bytes;
  size_t _max_line;
  size_t _max_trailers;
  int _err;
  uint8_t _state;
  uint8_t _digits;
  uint8_t _bare_lf;
  uint8_t _pad;
} hyper_h1_chunked;

/** What one hyper_h1_chunked_decode() call found. */
typedef struct hyper_h1_chunked_out {
  /** Body octets decoded by this call: a span inside the input (NULL when
   *  |len| is 0). At most one span per call. */
  const uint8_t *data;
  size_t len;
  /** 1 once the last chunk and the trailer section have been consumed: the
   *  body is complete. */
  int done;
  /** When |done|: the trailer section's field lines, inside the input,
   *  without the final empty line (len 0 when there are none). Already
   *  validated; split it with hyper_h1_parse_fields(). */
  hyper_slice trailers;
} hyper_h1_chunked_out;

/**
 * Initialises |c| for one chunked body with the limits of |cfg|
 * (max_chunk_ext; max_header_bytes, max_line and max_headers for the
 * trailer section; allow_bare_lf for trailer lines). |cfg| may be NULL for
 * the defaults; a |cfg| that hyper_h1_parser_new() would refuse is replaced
 * by the defaults too. It is not retained. Never fails; allocates nothing.
 * Call it again to decode another body. A NULL |c| is ignored.
 */
HYPER_EXTERN void hyper_h1_chunked_init(hyper_h1_chunked *c,
                                        const hyper_h1_config *cfg);

/**
 * Decodes chunked input: |len| octets at |in| that continue the body where
 * the previous call's consumed bytes ended. Zero copy: |out->data| points
 * into |in|. A call stops after one span of body octets, but it consumes
 * the framing that follows it (the CRLF after the chunk, the next
 * chunk-size line, and the last chunk with a complete trailer section), so
 * one call may return both data and |done|.
 *
 * Chunk-size lines are parsed byte by byte and may be split anywhere; the
 * trailer section must be given whole: while it is incomplete the call
 * returns HYPER_ERR_INCOMPLETE without consuming anything (when it is the
 * first thing in |in|), and must be called again with the same first bytes
 * plus more (the same contract as hyper_h1_parse_response()).
 *
 * Rules: chunk-size is 1*HEXDIG with at most 16 digits and a value below
 * 2^63; chunk extensions follow the grammar (BWS ";" token ["=" (token /
 * quoted-string)]), total at most max_chunk_ext octets; whitespace before
 * the CRLF of a chunk-size line is tolerated; each chunk's data must be
 * followed by CRLF; chunk-size lines need CRLF (no bare LF, no bare CR);
 * the trailer section follows the field-line rules with the header limits.
 *
 * After |done|, bytes that follow the body are not consumed: a call
 * returns 0.
 *
 * Returns the number of octets consumed (>= 0, at most INT32_MAX; fewer
 * than |len| when it stopped after a data span, at the trailer section, or
 * at the end), or:
 *   HYPER_ERR_INCOMPLETE        the trailer section is incomplete and
 *                               starts at |in|: nothing consumed.
 *   HYPER_ERR_H1_CHUNKED        malformed chunk-size line, size overflow,
 *                               extension too long, missing CRLF after the
 *                               data. Sticky.
 *   HYPER_ERR_H1_PARSE          malformed trailer line. Sticky.
 *   HYPER_ERR_H1_TOO_LARGE      trailer section, trailer line or trailer
 *                               count over the limits. Sticky.
 *   HYPER_ERR_INVALID_ARGUMENT  |c| or |out| is NULL, or |in| is NULL with
 *                               |len| > 0 (not sticky).
 */
HYPER_EXTERN int hyper_h1_chunked_decode(hyper_h1_chunked *c,
                                         const uint8_t *in, size_t len,
                                         hyper_h1_chunked_out *out);

/* ======================================================================== */
/* 3. The response parser object                                            */
/* ======================================================================== */

/** The response side of one HTTP/1.1 connection (opaque). */
typedef struct hyper_h1_parser hyper_h1_parser;

/** Event types. */
typedef enum hyper_h1_event_type {
  HYPER_H1_EV_NONE = 0,
  /** A 1xx response other than 101 (e.g. 100 Continue, 103 Early Hints):
   *  |u.head|. Parsing continues with the final response. */
  HYPER_H1_EV_INFORMATIONAL,
  /** The final response's head: |u.head| (101 and tunnels included). */
  HYPER_H1_EV_HEAD,
  /** Body octets: |u.data| (never empty). Their boundaries depend on how
   *  the input was split; the concatenation does not. */
  HYPER_H1_EV_DATA,
  /** The trailer section of a chunked body, when it has fields:
   *  |u.trailers|. */
  HYPER_H1_EV_TRAILERS,
  /** The response is complete: |u.end|. */
  HYPER_H1_EV_END
} hyper_h1_event_type;

/**
 * One event. |type| selects the member of |u|. The field array of HEAD,
 * INFORMATIONAL and TRAILERS belongs to the parser and is valid until the
 * next hyper_h1_parser_feed() or hyper_h1_parser_free(); every other
 * pointer (reason, names, values, data) points into the input given to
 * hyper_h1_parser_feed() and is valid while the caller keeps that input
 * unchanged. Copy what you keep.
 */
typedef struct hyper_h1_event {
  hyper_h1_event_type type;
  union {
    /** INFORMATIONAL, HEAD. */
    hyper_h1_head head;
    /** DATA. */
    struct {
      const uint8_t *data;
      size_t len;
    } data;
    /** TRAILERS. */
    struct {
      const hyper_field *fields;
      size_t nfields;
    } trailers;
    /** END. */
    struct {
      /** 1: the connection may carry the next request (the head's
       *  keep_alive, and the body was framed by length or chunked). A
       *  later HYPER_ERR_H1_LENGTH from feed (bytes beyond the response)
       *  revokes it. */
      int reusable;
      /** 1: the response was 101 Switching Protocols or a 2xx to CONNECT;
       *  the connection now belongs to the caller (see
       *  hyper_h1_parser_feed()). */
      int upgraded;
    } end;
  } u;
} hyper_h1_event;

/**
 * Creates a parser in |*out|. |cfg| may be NULL for the defaults and is
 * copied; |mem| may be NULL for the C library allocator and is copied. This
 * is the only allocation of the parser: one block with room for
 * cfg->max_headers fields.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL or |cfg| is out of range.
 *   HYPER_ERR_NOMEM             allocation failed; |*out| untouched.
 */
HYPER_EXTERN int hyper_h1_parser_new(hyper_h1_parser **out,
                                     const hyper_h1_config *cfg,
                                     const hyper_mem *mem);

/** Frees |p|. NULL is a no-op. Pointers from its events into its field
 *  array become invalid. */
HYPER_EXTERN void hyper_h1_parser_free(hyper_h1_parser *p);

/**
 * Tells the parser that one more request was sent; responses are matched
 * to requests in order. |req_flags| are HYPER_H1_REQ_* (see
 * hyper_h1_request_flags()). Call it before feeding the response: bytes
 * that arrive while no response is expected are an error. Pipelining: call
 * it once per request sent; a response that ends the connection (not
 * reusable) fails the requests queued after it (hyper_h1_parser_eof()
 * then returns HYPER_ERR_EOF).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |p| is NULL or |req_flags| has unknown bits.
 *   HYPER_ERR_LIMIT_EXCEEDED    max_pipeline requests already wait.
 *   HYPER_ERR_INVALID_STATE     the connection cannot carry another request
 *                               (ended by a non-reusable response, taken
 *                               over by an upgrade, or closed by EOF).
 *   any sticky parse error      the parser has failed.
 */
HYPER_EXTERN int hyper_h1_parser_request(hyper_h1_parser *p,
                                         uint32_t req_flags);

/**
 * Feeds |len| octets at |in| that follow the bytes consumed so far. The
 * parser consumes what it can and queues events; it stops as soon as one
 * event with a payload (INFORMATIONAL, HEAD, DATA, TRAILERS) is queued,
 * after consuming the framing that follows it (so END, and the TRAILERS of
 * a chunked body, may be queued in the same call). Drain the events with
 * hyper_h1_parser_next_event() before calling feed again.
 *
 * A header or trailer section must be presented whole: while it is
 * incomplete, feed returns HYPER_ERR_INCOMPLETE without consuming the
 * section; keep those bytes, append more and call again with |in| starting
 * at the same first byte (the storage may move). Body octets are consumed
 * in any amounts. Feeding the same stream split anywhere (even one byte per
 * call) gives the same events, except that DATA boundaries differ.
 *
 * After an END with upgraded = 1 the rest of the input is not HTTP/1.1:
 * feed consumes nothing more (it returns HYPER_ERR_INVALID_STATE) and the
 * caller hands the unconsumed bytes to the new protocol (e.g. the h2 core).
 *
 * Ownership: |in| is borrowed; events may point into it (see
 * hyper_h1_event).
 *
 * Returns the number of octets consumed (>= 0; 0 when |len| is 0; at most
 * INT32_MAX per call), or:
 *   HYPER_ERR_INCOMPLETE        nothing consumed: a section at |in| is
 *                               incomplete (not an error).
 *   HYPER_ERR_INVALID_STATE     events are still queued, or the connection
 *                               was upgraded (not sticky).
 *   HYPER_ERR_INVALID_ARGUMENT  |p| is NULL, or |in| is NULL with |len| > 0.
 *   HYPER_ERR_H1_PARSE, HYPER_ERR_H1_TOO_LARGE, HYPER_ERR_H1_LENGTH,
 *   HYPER_ERR_H1_CHUNKED        as for hyper_h1_parse_response() and
 *                               hyper_h1_chunked_decode(); plus
 *                               HYPER_ERR_H1_PARSE for a 101 to a request
 *                               without HYPER_H1_REQ_UPGRADE,
 *                               HYPER_ERR_H1_TOO_LARGE for more than
 *                               max_informational 1xx responses, and
 *                               HYPER_ERR_H1_LENGTH for bytes that arrive
 *                               when no response is expected (a body longer
 *                               than declared, an unsolicited response, or
 *                               anything after a non-reusable response).
 *                               All sticky: the connection is unusable.
 */
HYPER_EXTERN int hyper_h1_parser_feed(hyper_h1_parser *p, const uint8_t *in,
                                      size_t len);

/**
 * Tells the parser that the peer closed the connection (read returned 0),
 * after every received byte was fed. A close-delimited body then ends: END
 * (reusable 0) is queued. Later feed calls fail with HYPER_ERR_H1_LENGTH.
 *
 * Returns 0 (the connection ended cleanly: between responses with none
 * expected, after a close-delimited body, or after an upgrade), or:
 *   HYPER_ERR_EOF               a response was expected and not one byte of
 *                               it arrived: the server closed without
 *                               answering (an idempotent request may be
 *                               retried once, HOSTILE-PEERS I.9).
 *   HYPER_ERR_H1_UNEXPECTED_EOF closed mid-response (the response is
 *                               truncated and must be reported as failed).
 *                               Sticky.
 *   HYPER_ERR_INVALID_STATE     events are still queued.
 *   HYPER_ERR_INVALID_ARGUMENT  |p| is NULL.
 *   any sticky error            the parser had already failed.
 */
HYPER_EXTERN int hyper_h1_parser_eof(hyper_h1_parser *p);

/**
 * Takes the next queued event into |*ev|. Returns 1 when an event was
 * stored, 0 when the queue is empty (or |p| or |ev| is NULL). Lifetimes:
 * see hyper_h1_event.
 */
HYPER_EXTERN int hyper_h1_parser_next_event(hyper_h1_parser *p,
                                            hyper_h1_event *ev);

/**
 * Returns the number of requests whose response has not ended (announced
 * with hyper_h1_parser_request() and not yet answered by an END event), 0
 * for NULL.
 */
HYPER_EXTERN size_t hyper_h1_parser_outstanding(const hyper_h1_parser *p);

/* ======================================================================== */
/* 4. The request writer                                                    */
/* ======================================================================== */

/** hyper_h1_request.content_length: no body and no framing field (GET). */
#define HYPER_H1_LENGTH_NONE (-1)
/** hyper_h1_request.content_length: a body of unknown length, sent with
 *  `Transfer-Encoding: chunked` (hyper_h1_write_chunk*()). */
#define HYPER_H1_LENGTH_CHUNKED (-2)

/* hyper_h1_request.flags */
/** Send `Expect: 100-continue` (RFC 9110 §10.1.1): wait for a 100
 *  (INFORMATIONAL) or a final response before sending the body. Only with
 *  a body (content_length > 0 or chunked). */
#define HYPER_H1_WRITE_EXPECT_CONTINUE 0x01u

/**
 * A request head to serialise. Every slice is borrowed for the call only.
 */
typedef struct hyper_h1_request {
  /** The method, a token (e.g. "GET"). */
  hyper_slice method;
  /** The request-target (RFC 9112 §3.2): origin-form "/path?query",
   *  absolute-form for proxies, authority-form for CONNECT, or "*".
   *  Visible ASCII only (0x21..0x7e): percent-encode the rest. */
  hyper_slice target;
  /** The Host field value, host[:port] (RFC 9110 §7.2), visible ASCII
   *  without "/", "?", "#" or "@". When empty, |fields| must contain
   *  exactly one Host field, which is then written first. */
  hyper_slice authority;
  /** Other fields, written in order after Host. Names must be tokens;
   *  values may not contain control characters other than HTAB (no CR,
   *  LF, NUL). Content-Length and Transfer-Encoding are written by the
   *  writer from |content_length| and may not appear here. Nothing is
   *  dropped or rewritten. */
  const hyper_field *fields;
  size_t nfields;
  /** >= 0: the body length (`Content-Length: n`, also for 0);
   *  HYPER_H1_LENGTH_NONE: no body, no framing field;
   *  HYPER_H1_LENGTH_CHUNKED: `Transfer-Encoding: chunked`. */
  int64_t content_length;
  /** HYPER_H1_WRITE_* flags. */
  uint32_t flags;
} hyper_h1_request;

/**
 * Computes the exact size of the serialised request head in |*len| and
 * validates |req| (the rules of hyper_h1_request). Never writes.
 *
 * Returns 0, or:
 *   HYPER_ERR_INVALID_ARGUMENT  |req| or |len| is NULL, or |req| breaks a
 *                               rule: empty or non-token method or name,
 *                               target empty or with SP/CTL/non-ASCII,
 *                               invalid authority, a Host field together
 *                               with |authority| (or none, or two, without
 *                               it), Content-Length or Transfer-Encoding in
 *                               |fields|, a value with CR/LF/NUL/CTL,
 *                               content_length < -2, or Expect without a
 *                               body.
 */
HYPER_EXTERN int hyper_h1_request_len(const hyper_h1_request *req,
                                      size_t *len);

/**
 * Serialises the request head of |req|: "METHOD SP target SP HTTP/1.1",
 * `Host`, the fields in order, `Content-Length` or
 * `Transfer-Encoding: chunked`, `Expect: 100-continue` if asked, and the
 * empty line, every line ended by CRLF, into |out| (|cap| octets).
 *
 * Atomic and exact: when |cap| is smaller than the head, nothing is
 * written, |*written| receives the exact size needed and the call returns
 * HYPER_ERR_BUFFER_TOO_SMALL (so `hyper_h1_write_request(req, NULL, 0, &n)`
 * asks for the size).
 *
 * Returns 0 and sets |*written|, or:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| too small; |*written| = size needed.
 *   HYPER_ERR_INVALID_ARGUMENT  as hyper_h1_request_len(), or |out| is NULL
 *                               with |cap| > 0, or |written| is NULL.
 */
HYPER_EXTERN int hyper_h1_write_request(const hyper_h1_request *req,
                                        uint8_t *out, size_t cap,
                                        size_t *written);

/**
 * Returns the HYPER_H1_REQ_* flags to give hyper_h1_parser_request() for
 * |req|: HEAD and CONNECT from the method (case-sensitive, RFC 9110 §9.1),
 * UPGRADE when |fields| contain Upgrade, CLOSE when a Connection field
 * lists "close". 0 for NULL. Never fails.
 */
HYPER_EXTERN uint32_t hyper_h1_request_flags(const hyper_h1_request *req);

/** The longest chunk header hyper_h1_write_chunk_head() writes: 16 hex
 *  digits and CRLF. */
#define HYPER_H1_CHUNK_HEAD_MAX 18u

/**
 * Writes the header of one chunk of |size| octets: the size in lowercase
 * hex without leading zeros, then CRLF. Send the |size| data octets and a
 * CRLF after it (zero copy: e.g. with writev). Atomic and exact like
 * hyper_h1_write_request().
 *
 * Returns 0 and sets |*written|, or:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |*written| = size needed.
 *   HYPER_ERR_INVALID_ARGUMENT  |size| is 0 (that is the last chunk: use
 *                               hyper_h1_write_last_chunk()), |written| is
 *                               NULL, or |out| is NULL with |cap| > 0.
 */
HYPER_EXTERN int hyper_h1_write_chunk_head(uint64_t size, uint8_t *out,
                                           size_t cap, size_t *written);

/**
 * Writes one whole chunk: header, a copy of the |len| octets at |data|,
 * CRLF. |len| 0 writes nothing and returns 0 (an empty chunk would end the
 * body). Atomic and exact like hyper_h1_write_request().
 *
 * Returns 0 and sets |*written|, or:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |*written| = size needed.
 *   HYPER_ERR_INVALID_ARGUMENT  |data| NULL with |len| > 0, |written| NULL,
 *                               or |out| NULL with |cap| > 0.
 */
HYPER_EXTERN int hyper_h1_write_chunk(const uint8_t *data, size_t len,
                                      uint8_t *out, size_t cap,
                                      size_t *written);

/**
 * Writes the end of a chunked body: the last chunk "0" CRLF, the
 * |ntrailers| trailer fields (validated like request fields; Host,
 * Content-Length and Transfer-Encoding are not allowed, RFC 9110 §6.5.1),
 * and the final CRLF. |trailers| may be NULL when |ntrailers| is 0. Atomic
 * and exact like hyper_h1_write_request().
 *
 * Returns 0 and sets |*written|, or:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |*written| = size needed.
 *   HYPER_ERR_INVALID_ARGUMENT  an invalid or forbidden trailer field,
 *                               |written| NULL, or |out| NULL with |cap|
 *                               > 0.
 */
HYPER_EXTERN int hyper_h1_write_last_chunk(const hyper_field *trailers,
                                           size_t ntrailers, uint8_t *out,
                                           size_t cap, size_t *written);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_H1_H */
