/*
 * hyper — HPACK (RFC 7541): a standalone header compression encoder and
 * decoder, each with its own dynamic table.
 *
 * Typical use: one encoder for what you send and one decoder for what you
 * receive, per HTTP/2 connection.
 *
 *   hyper_hpack_enc *enc; hyper_hpack_dec *dec;
 *   hyper_hpack_enc_new(&enc, NULL, NULL);
 *   hyper_hpack_dec_new(&dec, NULL, NULL);
 *   uint8_t buf[1024]; size_t n;
 *   hyper_hpack_enc_encode(enc, fields, nfields, buf, sizeof buf, &n);
 *   const hyper_field *out; size_t nout;
 *   hyper_hpack_dec_decode(dec, buf, n, &out, &nout);
 */
#ifndef HYPER_HPACK_H
#define HYPER_HPACK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The RFC 7541 / RFC 9113 default dynamic table size. */
#define HYPER_HPACK_DEFAULT_TABLE_SIZE 4096u
/** Default cap on a decoded header list (RFC 9113 §6.5.2 size: name + value
 *  + 32 octets per field). */
#define HYPER_HPACK_DEFAULT_MAX_HEADER_LIST 65536u
/** Default cap on one decoded name or value, in octets. */
#define HYPER_HPACK_DEFAULT_MAX_FIELD_LEN 65536u
/** Per-field overhead counted in table and header list sizes (RFC 7541 §4.1). */
#define HYPER_HPACK_ENTRY_OVERHEAD 32u

/* ------------------------------------------------------------------------ */
/* Decoder                                                                  */
/* ------------------------------------------------------------------------ */

/** An HPACK decoder (opaque). One per direction per connection. */
typedef struct hyper_hpack_dec hyper_hpack_dec;

/** Decoder settings. Initialise with hyper_hpack_dec_config_init(). */
typedef struct hyper_hpack_dec_config {
  /** The largest dynamic table size the peer may use: the value of
   *  SETTINGS_HEADER_TABLE_SIZE we advertise. Default 4096. A size update
   *  above it is a compression error. The table itself starts at
   *  min(this, 4096), the protocol's initial size (RFC 9113 §6.5.2): a
   *  larger table takes a size update from the peer, as every encoder (and
   *  hyper_hpack_enc) sends when it uses more than 4096. */
  uint32_t max_table_size;
  /** Cap on a decoded header list, counting name + value + 32 per field.
   *  Checked before any bytes are copied. Default 65536. */
  size_t max_header_list_size;
  /** Cap on a single decoded name or value. Default 65536. */
  size_t max_field_len;
} hyper_hpack_dec_config;

/** Fills |cfg| with the defaults above. |cfg| must not be NULL. */
HYPER_EXTERN void hyper_hpack_dec_config_init(hyper_hpack_dec_config *cfg);

/**
 * Creates a decoder in |*out|. |cfg| may be NULL for the defaults and is
 * copied; |mem| may be NULL for the C library allocator and is copied.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL, or a limit is 0 (max_table_size
 *                               may be 0) or max_table_size > 2^30.
 *   HYPER_ERR_NOMEM             allocation failed; |*out| is untouched.
 */
HYPER_EXTERN int hyper_hpack_dec_new(hyper_hpack_dec **out,
                                     const hyper_hpack_dec_config *cfg,
                                     const hyper_mem *mem);

/** Frees |dec| and everything it owns. NULL is a no-op. */
HYPER_EXTERN void hyper_hpack_dec_free(hyper_hpack_dec *dec);

/**
 * Decodes one complete header block (the concatenated fragments of a
 * HEADERS/PUSH_PROMISE frame and its CONTINUATIONs) of |len| bytes at |in|,
 * updating the dynamic table. On success, |*fields| points to an array of
 * |*nfields| fields in wire order; the array and the bytes it points to are
 * owned by |dec| and stay valid until the next call to
 * hyper_hpack_dec_decode() or hyper_hpack_dec_free(). |in| is not referenced
 * after the call returns. Fields sent as "never indexed" carry
 * HYPER_FIELD_SENSITIVE.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT   a NULL pointer (|in| may be NULL if |len| is 0).
 *   HYPER_ERR_HPACK_DECODE       bad representation.
 *   HYPER_ERR_HPACK_INTEGER      integer overflow (> 2^32-1) or truncated.
 *   HYPER_ERR_HPACK_HUFFMAN      EOS in a string, padding > 7 bits or not 1s.
 *   HYPER_ERR_HPACK_TABLE_SIZE   size update above max_table_size, after a
 *                                field, or more than two at block start.
 *   HYPER_ERR_HPACK_SIZE_UPDATE_MISSING
 *                                we lowered max_table_size and the block
 *                                does not start with a small enough update.
 *   HYPER_ERR_HPACK_INDEX        index 0 or past the end of the table.
 *   HYPER_ERR_HPACK_TRUNCATED    a string length runs past |len|.
 *   HYPER_ERR_HPACK_FAILED       an earlier call failed with one of the above.
 *   HYPER_ERR_NOMEM              allocation failed (the decoder is then failed).
 * The errors above, except HYPER_ERR_INVALID_ARGUMENT (nothing was read),
 * are sticky: the table may be out of sync with the peer's,
 * so every later call returns HYPER_ERR_HPACK_FAILED (HTTP/2 must send
 * GOAWAY(COMPRESSION_ERROR)). The two below are not: the decoder reads the
 * whole block, keeps its table in sync, returns no fields, and the next block
 * decodes normally (HTTP/2 fails only the stream):
 *   HYPER_ERR_HPACK_HEADER_LIST  the list exceeds max_header_list_size.
 *   HYPER_ERR_HPACK_FIELD_TOO_LONG  a name or value exceeds max_field_len.
 * Memory stays bounded by the limits whatever the input (an "HPACK bomb" of
 * one large entry referenced many times stops at the header-list cap).
 */
HYPER_EXTERN int hyper_hpack_dec_decode(hyper_hpack_dec *dec,
                                        const uint8_t *in, size_t len,
                                        const hyper_field **fields,
                                        size_t *nfields);

/**
 * Changes the largest table size the peer may use (call when the peer has
 * acknowledged a new SETTINGS_HEADER_TABLE_SIZE from us). When |size| is
 * smaller than the size the peer's table may currently reach, the next block
 * must begin with a size update to at most |size| (RFC 7541 §4.2). Allocates
 * nothing: table storage grows only as the peer actually fills the table.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|size| > 2^30) or
 * HYPER_ERR_HPACK_FAILED.
 */
HYPER_EXTERN int hyper_hpack_dec_set_max_table_size(hyper_hpack_dec *dec,
                                                    uint32_t size);

/** Changes the header list cap (takes effect for the next block). */
HYPER_EXTERN void hyper_hpack_dec_set_max_header_list_size(hyper_hpack_dec *dec,
                                                           size_t size);

/** Current dynamic table size in RFC 7541 §4.1 units (bytes + 32/entry). */
HYPER_EXTERN size_t hyper_hpack_dec_table_size(const hyper_hpack_dec *dec);

/** Number of entries in the dynamic table. */
HYPER_EXTERN size_t hyper_hpack_dec_table_len(const hyper_hpack_dec *dec);

/**
 * Looks up entry |index| in the combined index space (1..61 static, 62 and
 * up dynamic, newest first). On success |*out| points into |dec|'s storage
 * (or static memory) and is valid until the next decode or free.
 *
 * Returns 0, or HYPER_ERR_HPACK_INDEX, or HYPER_ERR_INVALID_ARGUMENT.
 */
HYPER_EXTERN int hyper_hpack_dec_table_get(const hyper_hpack_dec *dec,
                                           size_t index, hyper_field *out);

/* ------------------------------------------------------------------------ */
/* Encoder                                                                  */
/* ------------------------------------------------------------------------ */

/** An HPACK encoder (opaque). One per direction per connection. */
typedef struct hyper_hpack_enc hyper_hpack_enc;

/** When the encoder Huffman-codes strings. */
typedef enum hyper_hpack_huffman {
  HYPER_HPACK_HUFFMAN_AUTO = 0, /**< only when strictly shorter (default) */
  HYPER_HPACK_HUFFMAN_NEVER = 1,
  HYPER_HPACK_HUFFMAN_ALWAYS = 2
} hyper_hpack_huffman;

/** Encoder settings. Initialise with hyper_hpack_enc_config_init(). */
typedef struct hyper_hpack_enc_config {
  /** The most dynamic table the encoder will ever use, whatever the peer
   *  allows (storage is reserved for it up front). Default 4096. */
  uint32_t max_table_size;
  /** Huffman policy. Default HYPER_HPACK_HUFFMAN_AUTO. */
  hyper_hpack_huffman huffman;
  /** `cookie` values shorter than this are sent never-indexed (a short
   *  cookie is guessable through compression ratios, RFC 7541 §7.1.3).
   *  Default 20; 0 disables. */
  size_t cookie_never_index_below;
} hyper_hpack_enc_config;

/** Fills |cfg| with the defaults above. |cfg| must not be NULL. */
HYPER_EXTERN void hyper_hpack_enc_config_init(hyper_hpack_enc_config *cfg);

/**
 * Creates an encoder in |*out|. Until told otherwise with
 * hyper_hpack_enc_set_peer_table_size(), the peer is assumed to allow the
 * RFC default of 4096 octets. |cfg| and |mem| may be NULL and are copied.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|out| NULL, max_table_size >
 * 2^30, bad huffman value), or HYPER_ERR_NOMEM (|*out| untouched).
 */
HYPER_EXTERN int hyper_hpack_enc_new(hyper_hpack_enc **out,
                                     const hyper_hpack_enc_config *cfg,
                                     const hyper_mem *mem);

/** Frees |enc|. NULL is a no-op. */
HYPER_EXTERN void hyper_hpack_enc_free(hyper_hpack_enc *enc);

/**
 * Tells the encoder the peer's SETTINGS_HEADER_TABLE_SIZE. The table used is
 * min(|size|, cfg.max_table_size); any change is signalled by size updates at
 * the start of the next block, including the "smallest, then final" pair when
 * the size went down and back up in between (RFC 7541 §4.2). Never fails and
 * never allocates; a huge value (2^32-1) is simply capped.
 */
HYPER_EXTERN void hyper_hpack_enc_set_peer_table_size(hyper_hpack_enc *enc,
                                                      uint32_t size);

/**
 * Returns an upper bound on the bytes hyper_hpack_enc_encode() can write for
 * these |n| |fields| (including pending size updates). Never fails.
 */
HYPER_EXTERN size_t hyper_hpack_enc_bound(const hyper_hpack_enc *enc,
                                          const hyper_field *fields, size_t n);

/**
 * Encodes |n| |fields| as one header block into |out| (capacity |cap|),
 * storing the length in |*out_len|. Field bytes are read during the call only.
 * Fields flagged HYPER_FIELD_SENSITIVE, `authorization`,
 * `proxy-authorization` and short `cookie` values are sent as never-indexed
 * literals; HYPER_FIELD_NO_INDEX keeps a field out of the table. Names are
 * written as given (HTTP/2 requires the caller to lowercase them).
 *
 * The call is atomic: on any error nothing was written and the encoder state
 * is unchanged. It never allocates.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL pointer with a nonzero count/length,
 *                               or a name or value longer than 2^31.
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| < hyper_hpack_enc_bound(); retry with
 *                               a bigger buffer.
 */
HYPER_EXTERN int hyper_hpack_enc_encode(hyper_hpack_enc *enc,
                                        const hyper_field *fields, size_t n,
                                        uint8_t *out, size_t cap,
                                        size_t *out_len);

/** Current dynamic table size of the encoder (RFC 7541 §4.1 units). */
HYPER_EXTERN size_t hyper_hpack_enc_table_size(const hyper_hpack_enc *enc);

/** Number of entries in the encoder's dynamic table. */
HYPER_EXTERN size_t hyper_hpack_enc_table_len(const hyper_hpack_enc *enc);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_HPACK_H */
