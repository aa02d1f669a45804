/* Internal helpers shared by every layer: allocation through the object's
 * hyper_mem copy, and small utilities. Private to src/. */
#ifndef HYPER_INTERNAL_H
#define HYPER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hyper/common.h"

#if defined(__GNUC__)
#  define HYPER_LIKELY(x) __builtin_expect(!!(x), 1)
#  define HYPER_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define HYPER_LIKELY(x) (x)
#  define HYPER_UNLIKELY(x) (x)
#endif

#define HYPER_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HYPER_MIN(a, b) ((a) < (b) ? (a) : (b))
#define HYPER_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Copies |src| (or the default allocator when NULL) into |dst|. */
void hyper__mem_init(hyper_mem *dst, const hyper_mem *src);

/* Allocation through a hyper_mem. Every allocation in src/ goes through
 * these (CI greps for bare malloc/calloc/realloc/free). */
static inline void *hyper__mem_malloc(const hyper_mem *m, size_t n) {
  return m->malloc(n, m->user);
}
static inline void *hyper__mem_calloc(const hyper_mem *m, size_t nmemb,
                                      size_t size) {
  return m->calloc(nmemb, size, m->user);
}
static inline void *hyper__mem_realloc(const hyper_mem *m, void *p, size_t n) {
  return m->realloc(p, n, m->user);
}
static inline void hyper__mem_free(const hyper_mem *m, void *p) {
  m->free(p, m->user);
}

#endif /* HYPER_INTERNAL_H */
