/* A hyper_mem that counts allocations and bytes and can fail the k-th
 * allocation, for allocation-failure sweeps and memory-bound assertions. */
#ifndef HYPER_TEST_FAILMEM_H
#define HYPER_TEST_FAILMEM_H

#include <stddef.h>

#include "hyper/common.h"

typedef struct failmem {
  hyper_mem mem;        /* pass &fm.mem to *_new() */
  long fail_at;         /* 1-based allocation number to fail; 0 = never */
  long fail_after;      /* if nonzero: fail every allocation numbered >= this */
  long nalloc;          /* allocations attempted (malloc/calloc/realloc) */
  long nfailed;         /* allocations refused */
  size_t live_bytes;    /* bytes currently allocated */
  size_t peak_bytes;    /* high-water mark of live_bytes */
  long live_blocks;     /* blocks currently allocated */
} failmem;

/* Initialises |fm| with counters at zero and no failure. */
void failmem_init(failmem *fm);

#endif
