/* Growable byte buffer with a hard cap. */
#include "buf.h"

void hyper__buf_init(hyper__buf *b, const hyper_mem *mem, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
  b->mem = mem;
}

void hyper__buf_cleanup(hyper__buf *b) {
  hyper__mem_free(b->mem, b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

int hyper__buf_reserve(hyper__buf *b, size_t n) {
  if (HYPER_LIKELY(b->cap - b->len >= n))
    return HYPER_OK;
  if (n > b->max || b->len > b->max - n)
    return HYPER_ERR_LIMIT_EXCEEDED;
  size_t need = b->len + n;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < need)
    ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
  if (ncap > b->max)
    ncap = b->max;
  uint8_t *p = hyper__mem_realloc(b->mem, b->data, ncap);
  if (!p)
    return HYPER_ERR_NOMEM;
  b->data = p;
  b->cap = ncap;
  return HYPER_OK;
}

int hyper__buf_append_slow(hyper__buf *b, const void *p, size_t n) {
  int rv = hyper__buf_reserve(b, n);
  if (rv)
    return rv;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return HYPER_OK;
}

uint8_t *hyper__buf_take(hyper__buf *b, size_t *len) {
  uint8_t *p = b->len ? b->data : NULL;
  *len = b->len;
  if (!p)
    hyper__mem_free(b->mem, b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}
