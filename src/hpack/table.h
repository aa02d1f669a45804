/* The HPACK dynamic table (RFC 7541 §2.3.2, §4), shared by the encoder and
 * the decoder. Private to src/.
 *
 * Entries live in a ring indexed by an ever-increasing sequence number; their
 * name and value bytes are appended to one byte arena that is compacted when
 * the end is reached (live bytes never exceed the table size, so the arena
 * needs no more than twice the capacity). All storage is reserved up front
 * for |capacity|, so inserting never allocates. The encoder also keeps a
 * hash index by name whose chains link newer to older entries: a chain walk
 * stops at the first evicted sequence number, so eviction needs no unlinking.
 */
#ifndef HYPER_HPACK_TABLE_H
#define HYPER_HPACK_TABLE_H

#include "../common/internal.h"

typedef struct hyper__hpack_entry {
  uint32_t off;       /* name at bytes + off, value right after it */
  uint32_t name_len;
  uint32_t value_len;
  uint32_t hash;      /* name hash (indexed tables only) */
  uint64_t next;      /* 1 + seq of the next-older entry in the bucket; 0 none */
} hyper__hpack_entry;

typedef struct hyper__hpack_table {
  const hyper_mem *mem;
  hyper__hpack_entry *ring;
  uint64_t ring_mask;
  uint64_t first;     /* seq of the oldest live entry */
  uint64_t next;      /* seq of the next insert */
  uint8_t *bytes;
  size_t bytes_cap;
  size_t head, tail;  /* live bytes are [head, tail) */
  size_t size;        /* RFC 7541 §4.1 size of the live entries */
  size_t max_size;    /* current maximum (<= capacity) */
  size_t capacity;    /* storage is reserved for a table this big */
  uint64_t *buckets;  /* 1 + seq of the newest entry per bucket; NULL if unindexed */
  uint32_t bucket_mask;
} hyper__hpack_table;

/* Initialises |t| with storage for |capacity| and max_size = |max_size|
 * (<= capacity). |indexed| adds the name index (encoder).
 * Returns 0 or HYPER_ERR_NOMEM (|t| then holds nothing to clean up). */
int hyper__hpack_table_init(hyper__hpack_table *t, const hyper_mem *mem,
                            size_t capacity, size_t max_size, int indexed);

/* Frees the storage of |t| (not |t|). */
void hyper__hpack_table_cleanup(hyper__hpack_table *t);

/* Grows the storage to |capacity| keeping the entries. Shrinking is a no-op.
 * Returns 0 or HYPER_ERR_NOMEM (nothing changed). */
int hyper__hpack_table_reserve(hyper__hpack_table *t, size_t capacity);

/* Sets the maximum size (<= capacity), evicting oldest entries to fit. */
void hyper__hpack_table_set_max(hyper__hpack_table *t, size_t max_size);

/* Adds an entry, evicting as RFC 7541 §4.4 says; an entry larger than the
 * maximum empties the table and is not added. Never allocates. */
void hyper__hpack_table_insert(hyper__hpack_table *t, const uint8_t *name,
                               size_t name_len, const uint8_t *value,
                               size_t value_len, uint32_t hash);

/* Searches an indexed table. Returns the 1-based dynamic index (1 = newest)
 * of the newest entry matching name and value, or 0; |*name_idx| receives the
 * index of the newest entry matching the name only (0 if none). */
size_t hyper__hpack_table_find(const hyper__hpack_table *t,
                               const uint8_t *name, size_t name_len,
                               const uint8_t *value, size_t value_len,
                               uint32_t hash, size_t *name_idx);

/* Hash of a header name for the index. */
uint32_t hyper__hpack_hash(const uint8_t *p, size_t len);

static inline size_t hyper__hpack_table_len(const hyper__hpack_table *t) {
  return (size_t)(t->next - t->first);
}

/* Entry at 1-based dynamic index |i| (1 = newest); i must be <= len. */
static inline const hyper__hpack_entry *
hyper__hpack_table_at(const hyper__hpack_table *t, size_t i) {
  return &t->ring[(t->next - i) & t->ring_mask];
}

static inline size_t hyper__hpack_entry_size(size_t name_len, size_t value_len) {
  return name_len + value_len + 32;
}

#endif /* HYPER_HPACK_TABLE_H */
