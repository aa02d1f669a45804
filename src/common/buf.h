/* A growable byte buffer with a hard cap, embedded in its owner
 * (hyper__buf_init / hyper__buf_cleanup). Private to src/. */
#ifndef HYPER_BUF_H
#define HYPER_BUF_H

#include "internal.h"

typedef struct hyper__buf {
  uint8_t *data;
  size_t len; /* bytes in use */
  size_t cap; /* bytes allocated */
  size_t max; /* hard cap on cap; growth past it fails */
  const hyper_mem *mem; /* the owner's allocator, borrowed */
} hyper__buf;

/* Initialises an empty buffer that may grow to |max| bytes. Allocates
 * nothing. |mem| must outlive the buffer. */
void hyper__buf_init(hyper__buf *b, const hyper_mem *mem, size_t max);

/* Frees the contents (not |b|); |b| is left empty and reusable. */
void hyper__buf_cleanup(hyper__buf *b);

/* Makes room for |n| more bytes after len. Grows geometrically.
 * Returns 0, HYPER_ERR_LIMIT_EXCEEDED (len + n > max; nothing changed) or
 * HYPER_ERR_NOMEM (nothing changed). */
int hyper__buf_reserve(hyper__buf *b, size_t n);

/* Appends |n| bytes. Same errors as hyper__buf_reserve(). */
int hyper__buf_append_slow(hyper__buf *b, const void *p, size_t n);
static inline int hyper__buf_append(hyper__buf *b, const void *p, size_t n) {
  if (HYPER_LIKELY(n <= PTRDIFF_MAX && b->cap - b->len >= n)) {
    if (n)
      memcpy(b->data + b->len, p, n);
    b->len += n;
    return HYPER_OK;
  }
  return hyper__buf_append_slow(b, p, n);
}

/* Hands the contents to the caller (who frees them with b->mem) and leaves
 * |b| empty. Returns NULL when empty. |*len| receives the length. */
uint8_t *hyper__buf_take(hyper__buf *b, size_t *len);

/* Drops the contents but keeps the allocation. */
static inline void hyper__buf_reset(hyper__buf *b) { b->len = 0; }

/* Bytes that may be written after len without another reserve. */
static inline size_t hyper__buf_avail(const hyper__buf *b) {
  return b->cap - b->len;
}

#endif /* HYPER_BUF_H */
