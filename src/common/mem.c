/* The default allocator and the copy-in of user allocators. */
#include <stdlib.h>

#include "internal.h"

static void *libc_malloc(size_t n, void *user) {
  (void)user;
  return malloc(n);
}
static void *libc_calloc(size_t nmemb, size_t size, void *user) {
  (void)user;
  return calloc(nmemb, size);
}
static void *libc_realloc(void *p, size_t n, void *user) {
  (void)user;
  return realloc(p, n);
}
static void libc_free(void *p, void *user) {
  (void)user;
  free(p);
}

static const hyper_mem default_mem = {NULL, libc_malloc, libc_calloc,
                                      libc_realloc, libc_free};

const hyper_mem *hyper_mem_default(void) { return &default_mem; }

void hyper__mem_init(hyper_mem *dst, const hyper_mem *src) {
  *dst = src ? *src : default_mem;
}
