/* The HPACK dynamic table (RFC 7541 §2.3.2, §4), shared by the encoder and
 * the decoder. Private to src/.
 *
 * Entries live in a ring indexed by an ever-increasing sequence number; their
 * name and value bytes are appended to one byte arena that is compacted when
 * the end is reached (live bytes never exceed the table size, so the arena
 * needs no more than twice the capacity). The storage is reserved ahead of
 * inserts (the encoder: once, for its cap; the decoder: grown on demand up to
 * the size the peer uses), so inserting never allocates. The encoder also keeps a
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
  uint32_t nvhash;    /* name + value hash (indexed tables only) */
  uint64_t next;      /* 1 + seq of the next-older entry in the name bucket */
  uint64_t next_nv;   /* 1 + seq of the next-older entry in the nv bucket */
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
  size_t max_size;    /* current maximum (RFC 7541 §4.2) */
  size_t capacity;    /* storage is reserved for a table this big */
  uint64_t *buckets;  /* 1 + seq of the newest entry per name bucket, then
                         per name+value bucket; NULL if unindexed */
  uint32_t bucket_mask;
} hyper__hpack_table;

/* Initialises |t| with storage for a table of |capacity| octets and
 * max_size = |max_size| (which may be larger: see hyper__hpack_table_ensure). |indexed| adds the name index (encoder).
 * Returns 0 or HYPER_ERR_NOMEM (|t| then holds nothing to clean up). */
int hyper__hpack_table_init(hyper__hpack_table *t, const hyper_mem *mem,
                            size_t capacity, size_t max_size, int indexed);

/* Frees the storage of |t| (not |t|). */
void hyper__hpack_table_cleanup(hyper__hpack_table *t);

/* Grows the storage to |capacity| keeping the entries. Shrinking is a no-op.
 * Returns 0 or HYPER_ERR_NOMEM (nothing changed). */
int hyper__hpack_table_reserve(hyper__hpack_table *t, size_t capacity);

/* Grows the storage, if needed, so that inserting an entry of |esize|
 * octets fits (tables whose maximum exceeds their capacity grow on demand).
 * Returns 0 or HYPER_ERR_NOMEM (nothing changed). */
int hyper__hpack_table_ensure(hyper__hpack_table *t, size_t esize);

/* Sets the maximum size, evicting oldest entries to fit. A maximum above the
 * capacity is allowed; call hyper__hpack_table_ensure() before inserting. */
void hyper__hpack_table_set_max(hyper__hpack_table *t, size_t max_size);

/* Adds an entry, evicting as RFC 7541 §4.4 says; an entry larger than the
 * maximum empties the table and is not added. Never allocates: the storage
 * must already fit min(max_size, size + entry size). */
void hyper__hpack_table_insert(hyper__hpack_table *t, const uint8_t *name,
                               size_t name_len, const uint8_t *value,
                               size_t value_len, uint32_t hash, uint32_t nvhash);

/* Searches an indexed table for the newest entry matching name and value
 * (|nvhash| = hyper__hpack_nvhash()) and returns its 1-based dynamic index
 * (1 = newest), or 0. */
size_t hyper__hpack_table_find(const hyper__hpack_table *t,
                               const uint8_t *name, size_t name_len,
                               const uint8_t *value, size_t value_len,
                               uint32_t nvhash);

/* Returns the 1-based dynamic index of the newest entry with this name
 * (|hash| = hyper__hpack_hash(name)), or 0. */
size_t hyper__hpack_table_find_name(const hyper__hpack_table *t,
                                    const uint8_t *name, size_t name_len,
                                    uint32_t hash);

/* Hash of a header name (or value) for the index. Portable: the same on
 * every platform (tools/gen_static_table.py computes it too). */
uint32_t hyper__hpack_hash(const uint8_t *p, size_t len);

/* Hash of a name+value pair from the name hash and the value. */
static inline uint32_t hyper__hpack_nvhash(uint32_t name_hash,
                                           const uint8_t *value, size_t len) {
  uint32_t v = hyper__hpack_hash(value, len);
  return (name_hash * 0x9e3779b1u) ^ v;
}

/* Byte equality, quick for the short strings headers are made of: up to
 * 32 octets with a few (overlapping) word loads and no call. */
static inline int hyper__bytes_eq(const uint8_t *a, const uint8_t *b, size_t n) {
  if (n >= 8) {
    uint64_t x0, y0, x1, y1;
    if (n > 32)
      return memcmp(a, b, n) == 0;
    if (n > 16) {
      uint64_t x2, y2, x3, y3;
      memcpy(&x0, a, 8);
      memcpy(&y0, b, 8);
      memcpy(&x1, a + 8, 8);
      memcpy(&y1, b + 8, 8);
      memcpy(&x2, a + n - 16, 8);
      memcpy(&y2, b + n - 16, 8);
      memcpy(&x3, a + n - 8, 8);
      memcpy(&y3, b + n - 8, 8);
      return ((x0 ^ y0) | (x1 ^ y1) | (x2 ^ y2) | (x3 ^ y3)) == 0;
    }
    memcpy(&x0, a, 8);
    memcpy(&y0, b, 8);
    memcpy(&x1, a + n - 8, 8);
    memcpy(&y1, b + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  if (n >= 4) {
    uint32_t x0, y0, x1, y1;
    memcpy(&x0, a, 4);
    memcpy(&y0, b, 4);
    memcpy(&x1, a + n - 4, 4);
    memcpy(&y1, b + n - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  /* 0..3 octets: indices 0, n/2 and n-1 cover them all */
  return n == 0 ||
         (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

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
