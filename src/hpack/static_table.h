/* The HPACK static table (RFC 7541 Appendix A). Private to src/. */
#ifndef HYPER_HPACK_STATIC_TABLE_H
#define HYPER_HPACK_STATIC_TABLE_H

#include "../common/internal.h"

#define HYPER__HPACK_STATIC_LEN 61

typedef struct hyper__hpack_static_entry {
  const char *name;
  const char *value;
  uint8_t name_len;
  uint8_t value_len;
} hyper__hpack_static_entry;

/* Index 1..61 maps to hyper__hpack_static[index - 1]. */
extern const hyper__hpack_static_entry hyper__hpack_static[HYPER__HPACK_STATIC_LEN];

/* Looks up |name| in the static table. Returns the smallest index whose name
 * matches (1..61) or 0. When |value| matches the value of a static entry with
 * that name, |*full| is set to that entry's index, else to 0. */
unsigned hyper__hpack_static_find(const uint8_t *name, size_t name_len,
                                  const uint8_t *value, size_t value_len,
                                  unsigned *full);

#endif
