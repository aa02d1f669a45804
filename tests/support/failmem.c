/* Counting, failing allocator for tests. Each block carries a 16-byte
 * header holding its size so that live bytes can be tracked exactly. */
#include "failmem.h"

#include <stdlib.h>
#include <string.h>

#define HDR 16

static int should_fail(failmem *fm) {
  fm->nalloc++;
  if ((fm->fail_at && fm->nalloc == fm->fail_at) ||
      (fm->fail_after && fm->nalloc >= fm->fail_after)) {
    fm->nfailed++;
    return 1;
  }
  return 0;
}

static void account(failmem *fm, size_t add, size_t sub) {
  fm->live_bytes = fm->live_bytes + add - sub;
  if (fm->live_bytes > fm->peak_bytes)
    fm->peak_bytes = fm->live_bytes;
}

static void *fm_malloc(size_t n, void *user) {
  failmem *fm = user;
  if (should_fail(fm))
    return NULL;
  unsigned char *p = malloc(n + HDR);
  if (!p)
    return NULL;
  memcpy(p, &n, sizeof n);
  account(fm, n, 0);
  fm->live_blocks++;
  return p + HDR;
}

static void *fm_calloc(size_t nmemb, size_t size, void *user) {
  if (size && nmemb > (size_t)-1 / size)
    return NULL;
  void *p = fm_malloc(nmemb * size, user);
  if (p)
    memset(p, 0, nmemb * size);
  return p;
}

static void fm_free(void *ptr, void *user) {
  failmem *fm = user;
  if (!ptr)
    return;
  unsigned char *p = (unsigned char *)ptr - HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  account(fm, 0, n);
  fm->live_blocks--;
  free(p);
}

static void *fm_realloc(void *ptr, size_t n, void *user) {
  failmem *fm = user;
  if (!ptr)
    return fm_malloc(n, user);
  if (should_fail(fm))
    return NULL;
  unsigned char *old = (unsigned char *)ptr - HDR;
  size_t on;
  memcpy(&on, old, sizeof on);
  unsigned char *p = realloc(old, n + HDR);
  if (!p)
    return NULL;
  memcpy(p, &n, sizeof n);
  account(fm, n, on);
  return p + HDR;
}

void failmem_init(failmem *fm) {
  memset(fm, 0, sizeof *fm);
  fm->mem.user = fm;
  fm->mem.malloc = fm_malloc;
  fm->mem.calloc = fm_calloc;
  fm->mem.realloc = fm_realloc;
  fm->mem.free = fm_free;
}
