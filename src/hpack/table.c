/* The HPACK dynamic table: a ring of entries over a compacting byte arena,
 * with an optional chained hash index by name (see table.h). */
#include "table.h"

static uint64_t ring_size_for(size_t capacity) {
  /* Every entry takes at least 32 octets (RFC 7541 §4.1). */
  uint64_t need = capacity / 32 + 1, n = 1;
  while (n < need)
    n <<= 1;
  return n;
}

int hyper__hpack_table_init(hyper__hpack_table *t, const hyper_mem *mem,
                            size_t capacity, size_t max_size, int indexed) {
  memset(t, 0, sizeof *t);
  t->mem = mem;
  uint64_t rs = ring_size_for(capacity);
  t->ring = hyper__mem_malloc(mem, rs * sizeof *t->ring);
  if (!t->ring)
    return HYPER_ERR_NOMEM;
  t->ring_mask = rs - 1;
  t->bytes_cap = capacity * 2;
  if (t->bytes_cap) {
    t->bytes = hyper__mem_malloc(mem, t->bytes_cap);
    if (!t->bytes)
      goto fail_bytes;
  }
  if (indexed) {
    uint32_t nb = 16;
    while (nb < rs * 2)
      nb <<= 1;
    t->buckets = hyper__mem_calloc(mem, 2 * (size_t)nb, sizeof *t->buckets);
    if (!t->buckets)
      goto fail_buckets;
    t->bucket_mask = nb - 1;
  }
  t->capacity = capacity;
  t->max_size = max_size;
  return HYPER_OK;

fail_buckets:
  hyper__mem_free(mem, t->bytes);
fail_bytes:
  hyper__mem_free(mem, t->ring);
  memset(t, 0, sizeof *t);
  return HYPER_ERR_NOMEM;
}

void hyper__hpack_table_cleanup(hyper__hpack_table *t) {
  if (!t->mem)
    return;
  hyper__mem_free(t->mem, t->ring);
  hyper__mem_free(t->mem, t->bytes);
  hyper__mem_free(t->mem, t->buckets);
  t->ring = NULL;
  t->bytes = NULL;
  t->buckets = NULL;
}

static void compact(hyper__hpack_table *t) {
  size_t live = t->tail - t->head;
  if (t->head == 0)
    return;
  memmove(t->bytes, t->bytes + t->head, live);
  for (uint64_t s = t->first; s < t->next; s++)
    t->ring[s & t->ring_mask].off -= (uint32_t)t->head;
  t->head = 0;
  t->tail = live;
}

int hyper__hpack_table_reserve(hyper__hpack_table *t, size_t capacity) {
  if (capacity <= t->capacity)
    return HYPER_OK;
  uint64_t rs = ring_size_for(capacity);
  size_t nbytes = capacity * 2;
  hyper__hpack_entry *ring = hyper__mem_malloc(t->mem, rs * sizeof *ring);
  if (!ring)
    return HYPER_ERR_NOMEM;
  uint8_t *bytes = hyper__mem_malloc(t->mem, nbytes);
  if (!bytes) {
    hyper__mem_free(t->mem, ring);
    return HYPER_ERR_NOMEM;
  }
  /* Unindexed tables only (the decoder); the encoder's capacity is fixed. */
  compact(t);
  if (t->tail)
    memcpy(bytes, t->bytes, t->tail);
  for (uint64_t s = t->first; s < t->next; s++)
    ring[s & (rs - 1)] = t->ring[s & t->ring_mask];
  hyper__mem_free(t->mem, t->ring);
  hyper__mem_free(t->mem, t->bytes);
  t->ring = ring;
  t->ring_mask = rs - 1;
  t->bytes = bytes;
  t->bytes_cap = nbytes;
  t->capacity = capacity;
  return HYPER_OK;
}

static void evict_oldest(hyper__hpack_table *t) {
  const hyper__hpack_entry *e = &t->ring[t->first & t->ring_mask];
  t->size -= hyper__hpack_entry_size(e->name_len, e->value_len);
  t->first++;
  if (t->first == t->next)
    t->head = t->tail = 0;
  else
    t->head = t->ring[t->first & t->ring_mask].off;
}

int hyper__hpack_table_ensure(hyper__hpack_table *t, size_t esize) {
  /* After the insert the table holds at most min(max_size, size + esize). */
  size_t need = HYPER_MIN(t->max_size, t->size + esize);
  if (need <= t->capacity)
    return HYPER_OK;
  size_t grow = HYPER_MIN(t->max_size, t->capacity * 2);
  return hyper__hpack_table_reserve(t, HYPER_MAX(need, grow));
}

void hyper__hpack_table_set_max(hyper__hpack_table *t, size_t max_size) {
  t->max_size = max_size;
  while (t->size > max_size)
    evict_oldest(t);
}

void hyper__hpack_table_insert(hyper__hpack_table *t, const uint8_t *name,
                               size_t name_len, const uint8_t *value,
                               size_t value_len, uint32_t hash, uint32_t nvhash) {
  size_t esize = hyper__hpack_entry_size(name_len, value_len);
  if (esize > t->max_size) {
    /* RFC 7541 §4.4: not an error; the table ends up empty. */
    while (t->first != t->next)
      evict_oldest(t);
    return;
  }
  while (t->size + esize > t->max_size)
    evict_oldest(t);
  size_t n = name_len + value_len;
  if (t->bytes_cap - t->tail < n)
    compact(t); /* live + n <= max_size <= capacity <= bytes_cap */
  hyper__hpack_entry *e = &t->ring[t->next & t->ring_mask];
  e->off = (uint32_t)t->tail;
  e->name_len = (uint32_t)name_len;
  e->value_len = (uint32_t)value_len;
  e->hash = hash;
  e->nvhash = nvhash;
  if (name_len)
    memcpy(t->bytes + t->tail, name, name_len);
  if (value_len)
    memcpy(t->bytes + t->tail + name_len, value, value_len);
  t->tail += n;
  if (t->buckets) {
    uint64_t *b = &t->buckets[hash & t->bucket_mask];
    e->next = *b;
    *b = t->next + 1;
    b = &t->buckets[t->bucket_mask + 1 + (nvhash & t->bucket_mask)];
    e->next_nv = *b;
    *b = t->next + 1;
  }
  t->size += esize;
  t->next++;
}

/* Bucket chains link strictly from newer to older entries; the first link
 * below |first| has been evicted, and so has everything after it. */
size_t hyper__hpack_table_find(const hyper__hpack_table *t,
                               const uint8_t *name, size_t name_len,
                               const uint8_t *value, size_t value_len,
                               uint32_t nvhash) {
  uint64_t link = t->buckets[t->bucket_mask + 1 + (nvhash & t->bucket_mask)];
  while (link > t->first) {
    uint64_t seq = link - 1;
    const hyper__hpack_entry *e = &t->ring[seq & t->ring_mask];
    if (e->nvhash == nvhash && e->name_len == name_len &&
        e->value_len == value_len &&
        hyper__bytes_eq(t->bytes + e->off + name_len, value, value_len) &&
        hyper__bytes_eq(t->bytes + e->off, name, name_len))
      return (size_t)(t->next - seq);
    link = e->next_nv;
  }
  return 0;
}

size_t hyper__hpack_table_find_name(const hyper__hpack_table *t,
                                    const uint8_t *name, size_t name_len,
                                    uint32_t hash) {
  uint64_t link = t->buckets[hash & t->bucket_mask];
  while (link > t->first) {
    uint64_t seq = link - 1;
    const hyper__hpack_entry *e = &t->ring[seq & t->ring_mask];
    if (e->hash == hash && e->name_len == name_len &&
        hyper__bytes_eq(t->bytes + e->off, name, name_len))
      return (size_t)(t->next - seq);
    link = e->next;
  }
  return 0;
}

static inline uint64_t load_le64(const uint8_t *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
         (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
         (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t load_le32(const uint8_t *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
         (uint64_t)p[3] << 24;
}

uint32_t hyper__hpack_hash(const uint8_t *p, size_t len) {
  /* A word-at-a-time multiplicative hash; header names are short. The last
   * partial word is read as overlapping loads (tools/gen_static_table.py
   * mirrors this exactly). */
  uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    h = (h ^ load_le64(p + i)) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < len) {
    uint64_t w;
    if (len >= 8)
      w = load_le64(p + len - 8);
    else if (len >= 4)
      w = load_le32(p) | load_le32(p + len - 4) << 32;
    else
      w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
  }
  /* The top half of a product depends on every bit below it. */
  return (uint32_t)((h * 0x9e3779b97f4a7c15ull) >> 32);
}
