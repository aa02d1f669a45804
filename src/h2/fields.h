/* HTTP/2 field-block rules (RFC 9113 §8.1-§8.5, RFC 8441 §4, RFC 9110 §5)
 * as pure functions over a list of hyper_field. Private to src/.
 *
 * The sans-IO core calls these on every header block it receives or sends;
 * they never allocate (except hyper__h2_fields_normalize_outbound_alloc(),
 * which is given a hyper_mem) and make one pass over the fields.
 *
 * The core's header policy maps onto them as h2's H2Configuration does:
 *
 *   validate_inbound_headers   on:  hyper__h2_fields_validate(..., flags)
 *                              off: the same call with HYPER__H2_FIELDS_NO_VALIDATE,
 *                                   which only extracts the facts the core needs
 *   normalize_outbound_headers on:  hyper__h2_fields_normalize_outbound() first
 *   validate_outbound_headers  on/off: as for inbound, with HYPER__H2_FIELDS_OUTBOUND
 *
 * A block that fails validation is "malformed" (RFC 9113 §8.1.1): the core
 * turns HYPER_ERR_H2_HEADER into a stream error of type PROTOCOL_ERROR for a
 * received block, and refuses to send an outbound one.
 */
#ifndef HYPER_H2_FIELDS_H
#define HYPER_H2_FIELDS_H

#include "../common/internal.h"
#include "../hpack/hints.h"

/* What a field block is, which decides the pseudo-header fields it may and
 * must carry (RFC 9113 §8.3). */
typedef enum hyper__h2_block {
  HYPER__H2_BLOCK_REQUEST = 0,   /* request header section (HEADERS) */
  HYPER__H2_BLOCK_RESPONSE,      /* final (non-1xx) response */
  HYPER__H2_BLOCK_INFORMATIONAL, /* interim 1xx response (RFC 9113 §8.1) */
  HYPER__H2_BLOCK_RESPONSE_ANY,  /* a response whose :status decides between
                                    the two above; for a client that is
                                    still waiting for the final response */
  HYPER__H2_BLOCK_TRAILERS,      /* trailer section (of a request or a
                                    response, see HYPER__H2_FIELDS_SERVER) */
  HYPER__H2_BLOCK_PUSH_PROMISE   /* promised request (RFC 9113 §8.4.1) */
} hyper__h2_block;

/* hyper__h2_fields_validate() / _normalize_outbound() flags. Direction and
 * role together say on which side of the exchange the block is: a request
 * (and its trailers) is outbound at a client and inbound at a server. */
/* The block is ours, about to be sent (0: received from the peer). */
#define HYPER__H2_FIELDS_OUTBOUND 0x01u
/* We are the server of the connection (0: the client). */
#define HYPER__H2_FIELDS_SERVER 0x02u
/* Extended CONNECT is enabled: for a block we receive, we sent
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1; for a block we send, the peer did
 * (RFC 8441 §3). Without it `:protocol` is malformed. */
#define HYPER__H2_FIELDS_EXT_CONNECT 0x04u
/* The HEADERS frame carrying the block has END_STREAM set. An interim
 * response with it, and trailers without it, are malformed (RFC 9113 §8.1).
 * Ignored for requests and push promises. */
#define HYPER__H2_FIELDS_END_STREAM 0x08u
/* Validation is switched off: only fill the facts (best effort, never fail
 * on the block's content). */
#define HYPER__H2_FIELDS_NO_VALIDATE 0x10u

/* Request methods the core cares about (RFC 9110 §9; case-sensitive). */
typedef enum hyper__h2_method {
  HYPER__H2_METHOD_NONE = 0, /* no :method (not a request, or missing) */
  HYPER__H2_METHOD_GET,
  HYPER__H2_METHOD_HEAD,
  HYPER__H2_METHOD_POST,
  HYPER__H2_METHOD_PUT,
  HYPER__H2_METHOD_DELETE,
  HYPER__H2_METHOD_CONNECT,
  HYPER__H2_METHOD_OPTIONS,
  HYPER__H2_METHOD_TRACE,
  HYPER__H2_METHOD_PATCH,
  HYPER__H2_METHOD_OTHER /* any other token: see method_str */
} hyper__h2_method;

/* Facts about a block, filled by hyper__h2_fields_validate(). Slices point
 * into the caller's fields and live as long as those; an absent field has
 * ptr == NULL and len == 0. */
typedef struct hyper__h2_fields_info {
  hyper__h2_block block;   /* the kind validated; RESPONSE_ANY is resolved
                              to RESPONSE or INFORMATIONAL from :status */
  hyper__h2_method method; /* requests and push promises */
  int status;              /* :status 100..599, or -1 when absent/invalid */
  int64_t content_length;  /* content-length, or -1 when absent; always
                              -1 for trailers, where it frames nothing
                              (RFC 9110 §6.5.1) and is not checked */
  size_t n_pseudo;         /* the leading pseudo-header fields */
  hyper_slice method_str;  /* :method */
  hyper_slice scheme;      /* :scheme */
  hyper_slice authority;   /* :authority */
  hyper_slice path;        /* :path */
  hyper_slice protocol;    /* :protocol (extended CONNECT) */
  hyper_slice host;        /* host (a regular field) */
  unsigned is_head : 1;         /* :method is HEAD: the response has no
                                   content (RFC 9110 §9.3.2) */
  unsigned is_connect : 1;      /* :method is CONNECT (plain or extended) */
  unsigned is_ext_connect : 1;  /* CONNECT with :protocol (RFC 8441 §4) */
  unsigned has_trailers_te : 1; /* te: trailers (RFC 9113 §8.2.2) */
  unsigned no_content : 1;      /* a response defined to have no content:
                                   1xx, 204, 304 (RFC 9110 §6.4.1); its
                                   content-length is not checked against
                                   DATA (RFC 9113 §8.1.1) */
} hyper__h2_fields_info;

/*
 * Validates the field block |fields| (|n| fields, wire order) of kind
 * |block| against RFC 9113 §8.1-§8.5, RFC 8441 §4 and the generic field
 * syntax of RFC 9110 §5.1/§5.5, and fills |*out| (always, even on failure,
 * as far as the block was read). |flags| is a mask of HYPER__H2_FIELDS_*.
 *
 * The rules, in the order they are checked for each field and then for the
 * block:
 *  - names: non-empty; lowercase tchar only (a pseudo-header is ':' and
 *    tchars); values: no NUL, CR or LF and no leading or trailing SP/HTAB
 *    (RFC 9113 §8.2.1);
 *  - pseudo-header fields: none in trailers, all before the first regular
 *    field, only the defined ones (:method :scheme :authority :path, and
 *    :protocol when extended CONNECT is enabled, for requests; :status for
 *    responses), each at most once (RFC 9113 §8.3, RFC 8441 §4);
 *  - connection-specific fields (connection, proxy-connection, keep-alive,
 *    transfer-encoding, upgrade) anywhere, and `te` other than "trailers"
 *    or in a response (RFC 9113 §8.2.2);
 *  - content-length (not in trailers): digits only, repeated lines must
 *    agree (RFC 9110 §8.6);
 *  - requests: :method a token; :scheme an RFC 3986 scheme; :method,
 *    :scheme and :path present, :path non-empty, and for http/https
 *    starting with '/' or exactly '*' for OPTIONS (RFC 9113 §8.3.1);
 *    :authority or host present for http/https, without userinfo, and host
 *    naming the same authority as :authority (compared case-insensitively,
 *    default port made explicit: RFC 9113 §8.3.1 and RFC 3986 §6.2.3);
 *    no SP or control octets in :authority or :path; at most one host;
 *  - CONNECT (RFC 9113 §8.5): :authority with a port, no :scheme or :path;
 *    with :protocol (RFC 8441 §4): :scheme, :path and :authority required;
 *  - push promises (RFC 9113 §8.4, §8.4.1): a complete request, with
 *    :authority, a safe and cacheable method (GET or HEAD), no content;
 *  - responses (RFC 9113 §8.3.2, §8.1, §8.6): exactly one :status of three
 *    digits in 100..599, 1xx for an informational block and not 1xx for a
 *    final one, never 101; an informational block without END_STREAM; no
 *    content-length in 1xx or 204 responses (RFC 9110 §8.6: we send none;
 *    from the peer we tolerate "0");
 *  - trailers carry END_STREAM (RFC 9113 §8.1).
 *
 * With HYPER__H2_FIELDS_NO_VALIDATE none of this is checked: |*out| is
 * filled from the first occurrence of each pseudo-header field and from the
 * first content-length that is all digits, and the call returns 0.
 *
 * |why| may be NULL; otherwise |*why| is set to NULL on success and to a
 * static string naming the rule that failed (e.g. "uppercase character in
 * field name", "connection-specific field 'connection'", "pseudo-header
 * field after regular field").
 *
 * Returns 0, or one of:
 *   HYPER_ERR_H2_HEADER        the block is malformed (RFC 9113 §8.1.1).
 *   HYPER_ERR_INVALID_ARGUMENT |out| is NULL, |fields| is NULL with n > 0,
 *                              |block| is out of range, or |block| does not
 *                              fit the direction and role in |flags| (e.g.
 *                              a client receiving a request).
 */
int hyper__h2_fields_validate(hyper__h2_block block, const hyper_field *fields,
                              size_t n, unsigned flags,
                              hyper__h2_fields_info *out, const char **why);

/* Name hints (one octet per field) for hyper__h2_fields_validate_hinted(),
 * as the HPACK decoder records them (hyper__hpack_dec_name_hints()):
 * the low six bits hold the static-table index (1..61, RFC 7541 Appendix
 * A) the field's name came from, directly or through a dynamic-table entry
 * whose name did, or 0 when the name came from a literal;
 * HYPER__H2_NAME_HINT_STATIC_VALUE is set when the value is the static
 * entry's value too (an indexed static field). */
#define HYPER__H2_NAME_HINT_STATIC_MAX 61
#define HYPER__H2_NAME_HINT_STATIC_VALUE HYPER__HPACK_HINT_STATIC_VALUE

/*
 * As hyper__h2_fields_validate(), with |hints| (NULL, or |n| octets as
 * described above) telling which names and values are known to come from
 * the HPACK static table. Such names are not read (they are valid and
 * lowercase by construction; the field's kind comes from a table) and
 * such values are not scanned for forbidden octets; every rule that
 * depends on the kind of field still applies. The result is the same as
 * without hints, provided the hints are true: only the HPACK decoder's own
 * hints may be passed, never anything an application supplied.
 */
int hyper__h2_fields_validate_hinted(hyper__h2_block block,
                                     const hyper_field *fields,
                                     const uint8_t *hints, size_t n,
                                     unsigned flags, hyper__h2_fields_info *out,
                                     const char **why);

/* Result of hyper__h2_fields_normalize_outbound(). */
typedef struct hyper__h2_fields_norm {
  size_t n_fields;   /* fields in the normalised block */
  size_t name_bytes; /* bytes of |names| storage the lowercased names need */
  size_t n_lowered;  /* names that contained uppercase letters */
  size_t n_dropped;  /* connection-specific fields removed */
  size_t n_trimmed;  /* values that had SP/HTAB at either end */
  size_t n_rewritten; /* `te` values reduced to "trailers" */
  int changed;       /* nonzero if the output differs from the input */
} hyper__h2_fields_norm;

/* At most this many `connection` field lines are honoured by
 * hyper__h2_fields_normalize_outbound() (their values are remembered on the
 * stack). */
#define HYPER__H2_FIELDS_MAX_CONNECTION 16

/*
 * Normalises an outbound block so that HTTP/1.1-style input becomes a valid
 * HTTP/2 block (the C form of h2's normalize_outbound_headers; RFC 9113
 * §8.2, §8.2.2 and RFC 9110 §7.6.1):
 *  - names are lowercased (§8.2): a name containing 'A'-'Z' is copied,
 *    lowercased, into |names|; other names are left as they are;
 *  - SP and HTAB around values are removed (RFC 9110 §5.5: they are not
 *    part of the value) by narrowing the span, without copying;
 *  - connection-specific fields are dropped: connection, proxy-connection,
 *    keep-alive, transfer-encoding, upgrade, and every regular field named
 *    in a `connection` value (RFC 9110 §7.6.1, e.g. http2-settings);
 *  - `te`: in a request (or its trailers), a value whose list contains the
 *    "trailers" member becomes exactly "trailers" (pointing at static
 *    storage) and any other value is dropped; in a response it is dropped.
 *    `te` is kept even when `connection` names it (RFC 9110 §10.1.4 makes
 *    HTTP/1.1 senders do so);
 *  - nothing else changes: the order, flags and the values' bytes are kept,
 *    cookies are not split or joined, and invalid names are left for
 *    hyper__h2_fields_validate() to reject.
 * |block| and |flags| (OUTBOUND is implied; SERVER tells whether trailers
 * belong to a request or a response) are as for hyper__h2_fields_validate().
 *
 * Memory: nothing is allocated. |out| (room for |out_cap| fields) receives
 * the block; it may be |in| itself (fields are compacted in place) or NULL
 * to only measure. |names| (|names_cap| bytes, may be NULL when
 * |names_cap| is 0) receives the lowercased names, to which |out| points;
 * every other pointer in |out| borrows |in|'s bytes. So |out| is valid while
 * both the bytes |in| points to and |names| are. |*res| (required) always
 * receives the sizes: the block needs res->n_fields <= n fields and
 * res->name_bytes bytes, and res->changed == 0 means |in| can be sent as is.
 * A measuring call followed by a call with buffers of those sizes succeeds.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |out_cap| or |names_cap| is too small;
 *                               |*res| holds the sizes, |out| and |in| are
 *                               untouched.
 *   HYPER_ERR_LIMIT_EXCEEDED    more than HYPER__H2_FIELDS_MAX_CONNECTION
 *                               `connection` field lines.
 *   HYPER_ERR_INVALID_ARGUMENT  |res| is NULL, |in| is NULL with n > 0, or
 *                               |block| is out of range.
 */
int hyper__h2_fields_normalize_outbound(hyper__h2_block block, unsigned flags,
                                        const hyper_field *in, size_t n,
                                        hyper_field *out, size_t out_cap,
                                        uint8_t *names, size_t names_cap,
                                        hyper__h2_fields_norm *res);

/*
 * As hyper__h2_fields_normalize_outbound(), with the storage allocated
 * through |mem| as one block: on success |*out| points to res->n_fields
 * fields followed by the lowercased names, and the caller releases it with
 * hyper__mem_free(mem, *out) (the pointer is never NULL on success, even
 * for an empty block). The values still borrow |in|'s bytes. Callers that
 * want to avoid the allocation measure first with the caller-storage form
 * and skip normalisation when res->changed is 0.
 *
 * Returns 0, or HYPER_ERR_NOMEM (|*out| untouched), or the errors of
 * hyper__h2_fields_normalize_outbound() other than BUFFER_TOO_SMALL
 * (|mem| or |out| NULL is HYPER_ERR_INVALID_ARGUMENT).
 */
int hyper__h2_fields_normalize_outbound_alloc(hyper__h2_block block,
                                              unsigned flags,
                                              const hyper_field *in, size_t n,
                                              const hyper_mem *mem,
                                              hyper_field **out,
                                              hyper__h2_fields_norm *res);

/* ---- RFC 9218 priority ----------------------------------------------- */

/* The Extensible Priorities parameters (RFC 9218 §4). To be exposed by the
 * public h2 API; carried by the `priority` request/response header field
 * and by PRIORITY_UPDATE frames (RFC 9218 §5, §7.1). */
typedef struct hyper__h2_priority {
  uint8_t urgency;     /* u: 0 (most urgent) .. 7, default 3 (§4.1) */
  uint8_t incremental; /* i: 0 or 1, default 0 (§4.2) */
} hyper__h2_priority;

#define HYPER__H2_PRIORITY_URGENCY_DEFAULT 3
#define HYPER__H2_PRIORITY_URGENCY_MAX 7
/* The longest value hyper__h2_priority_format() writes ("u=7, i"). */
#define HYPER__H2_PRIORITY_FORMAT_MAX 6

/* Sets |p| to the defaults (u=3, i=?0). */
void hyper__h2_priority_init(hyper__h2_priority *p);

/*
 * Parses one `priority` field value (|len| bytes at |value|; |value| may be
 * NULL when |len| is 0) as a Structured Field Dictionary (RFC 9218 §5,
 * RFC 9651 §4.2.2; the full grammar is checked: integers, decimals,
 * strings, tokens, byte sequences, booleans, dates, display strings, inner
 * lists and parameters) into |*out|. Unknown keys, parameters on members,
 * and `u`/`i` members of the wrong type or out of range are ignored and
 * leave the default (RFC 9218 §4); with a repeated key the last one counts
 * (RFC 9651 §3.2).
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT when the value is not a valid
 * dictionary: the whole field is then ignored (RFC 9651 §4.2) and |*out|
 * holds the defaults. |out| must not be NULL.
 */
int hyper__h2_priority_parse(const uint8_t *value, size_t len,
                             hyper__h2_priority *out);

/*
 * Parses every `priority` field of |fields| (|n| fields) as one field value,
 * as if the lines were joined with ", " (RFC 9651 §4.2). No `priority`
 * field gives the defaults. Returns as hyper__h2_priority_parse().
 */
int hyper__h2_priority_parse_fields(const hyper_field *fields, size_t n,
                                    hyper__h2_priority *out);

/*
 * Writes the field value for |p| into |buf| (|cap| bytes, not
 * NUL-terminated), leaving out parameters at their default (RFC 9218 §4.1,
 * §4.2): "u=5", "i", "u=0, i", or "" for the defaults (the field can then
 * be omitted). At most HYPER__H2_PRIORITY_FORMAT_MAX bytes.
 *
 * Returns the number of bytes written, or one of:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| is too small (nothing written).
 *   HYPER_ERR_INVALID_ARGUMENT  |p| is NULL, urgency > 7, incremental > 1,
 *                               or |buf| is NULL with |cap| > 0.
 */
int hyper__h2_priority_format(const hyper__h2_priority *p, uint8_t *buf,
                              size_t cap);

#endif /* HYPER_H2_FIELDS_H */
