/* The header map's representation, shared by hdrs.c and the unit tests
 * (which check its invariants after every operation). Private to src/. */
#ifndef HYPER_HDRS_INT_H
#define HYPER_HDRS_INT_H

#include "hyper/hdrs.h"

#include "../common/internal.h"

/* hyper__hdrs_meta.bits */
#define HYPER__HDRS_OWN_NAME 0x1u  /* name bytes live in the arena */
#define HYPER__HDRS_OWN_VALUE 0x2u /* value bytes live in the arena */

/* Per-entry bookkeeping kept beside the public hyper_field array, so that a
 * lookup scans 8-byte records and touches the name bytes only on a hash
 * match. */
typedef struct hyper__hdrs_meta {
  uint32_t hash; /* hyper__hdrs_hash() of the name */
  uint32_t bits; /* HYPER__HDRS_OWN_* */
} hyper__hdrs_meta;

/*
 * Layout:
 *   fields[0..count)  the entries in insertion order, as handed out by
 *                     hyper_hdrs_fields(); names/values point either into
 *                     the arena (OWN bits set) or at the caller's NO_COPY
 *                     bytes; a zero-length part points at a static "".
 *   meta[0..count)    hash and ownership of each entry; fields and meta share
 *                     one allocation of |cap| slots (meta after fields).
 *   arena[0..arena_len)
 *                     copied bytes; pieces of removed entries are counted in
 *                     |arena_dead| and dropped when the arena is next
 *                     repacked (always into a fresh block, so that a source
 *                     pointing into the old block stays readable until the
 *                     operation ends).
 * Invariants (hyper__hdrs_check): count <= cap <= max_entries;
 * total_bytes = sum of name_len + value_len <= max_bytes; owned pieces lie
 * inside [arena, arena + arena_len), do not overlap, and sum to
 * arena_len - arena_dead; meta[i].hash matches fields[i].name.
 */
struct hyper_hdrs {
  hyper_mem mem;
  hyper_field *fields;
  hyper__hdrs_meta *meta;
  size_t count;
  size_t cap;
  uint8_t *arena;
  size_t arena_len;
  size_t arena_cap;
  size_t arena_dead;
  size_t total_bytes;
  size_t max_entries;
  size_t max_bytes;
  int lowercase_names;
};

/* The 32-bit hash (a word-at-a-time multiplicative hash of the octets
 * with bit 0x20 set, so equal for names equal under ASCII case folding)
 * used to skip non-matching names. */
uint32_t hyper__hdrs_hash(const uint8_t *name, size_t len);

/* Returns 0 when every invariant above holds, else a small positive number
 * identifying the first one that failed (for tests). */
int hyper__hdrs_check(const hyper_hdrs *h);

/* Returns 1 when a value of the field |name| is never split by
 * HYPER_HDRS_SPLIT (set-cookie, dates, ...; see hdrs.h). */
int hyper__hdrs_never_split(const uint8_t *name, size_t len);

#endif /* HYPER_HDRS_INT_H */
