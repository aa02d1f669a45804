/* Name hints of the HPACK decoder, for the HTTP/2 core's header validation.
 * Private to src/.
 *
 * With every decoded block the decoder records one octet per field: the
 * low six bits hold the static-table index (1..61, RFC 7541 Appendix A)
 * the field's name came from, either directly (an indexed field or a
 * literal with an indexed name) or through a dynamic-table entry whose name
 * came from there; 0 when the name was a literal. HYPER__HPACK_HINT_STATIC_VALUE
 * is set when the whole field is a static entry (name and value). The
 * hints are facts about where the octets came from, so a validator may
 * rely on them; they are never derived from anything an application
 * passes in. */
#ifndef HYPER_HPACK_HINTS_H
#define HYPER_HPACK_HINTS_H

#include "hyper/hpack.h"

#define HYPER__HPACK_HINT_INDEX_MASK 0x3fu
#define HYPER__HPACK_HINT_STATIC_VALUE 0x80u

/* The hints of the block last decoded by |d|: as many as the fields
 * hyper_hpack_dec_decode() returned, valid as long as those fields (until
 * the next decode call or hyper_hpack_dec_free()). NULL when |d| is NULL
 * or before the first block with a field. */
const uint8_t *hyper__hpack_dec_name_hints(const hyper_hpack_dec *d);

/* ---- the encoder's side ----------------------------------------------
 * What the encoder works out about a field before it looks at its dynamic
 * table: the name hash and the static-table matches. A caller that needs
 * the same facts earlier (the HTTP/2 core validates a block before it
 * encodes it) computes them once with hyper__hpack_enc_lookup() and hands
 * them to hyper__hpack_enc_encode_pre(). */
typedef struct hyper__hpack_pre {
  uint32_t hash; /* hyper__hpack_hash() of the name */
  uint8_t sidx;  /* static index of the name (1..61), or 0 */
  uint8_t sfull; /* static index of name and value, or 0 */
} hyper__hpack_pre;

/* Fills |pre| and |hints| (|n| entries each) for |fields|; the hints are
 * those of the decoder (above) for the same fields: a static name index
 * only for a name equal to a static-table name, the value bit only when
 * the value is that entry's. Reads the fields, nothing else. Returns 0, or
 * HYPER_ERR_INVALID_ARGUMENT when a name or value is NULL with a nonzero
 * length (|pre| and |hints| are then not to be used). */
int hyper__hpack_enc_lookup(const hyper_field *fields, size_t n,
                            hyper__hpack_pre *pre, uint8_t *hints);

/* The smallest static-table index whose name is |name| (|len| octets),
 * or 0 (exact comparison: names are lowercase in the table). */
unsigned hyper__hpack_static_name_index(const uint8_t *name, size_t len);

/* hyper_hpack_enc_encode() with |pre| from hyper__hpack_enc_lookup() over
 * the same |fields| (or NULL: computed here, as the public call does).
 * Same results and errors. */
int hyper__hpack_enc_encode_pre(hyper_hpack_enc *e, const hyper_field *fields,
                                const hyper__hpack_pre *pre, size_t n,
                                uint8_t *out, size_t cap, size_t *out_len);

#endif /* HYPER_HPACK_HINTS_H */
