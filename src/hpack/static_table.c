/* The HPACK static table, RFC 7541 Appendix A, and a lookup by name that
 * switches on length (names of equal length are few). */
#include "static_table.h"

#define E(n, v) {n, v, sizeof(n) - 1, sizeof(v) - 1}
const hyper__hpack_static_entry hyper__hpack_static[HYPER__HPACK_STATIC_LEN] = {
    E(":authority", ""),                  /* 1 */
    E(":method", "GET"),                  /* 2 */
    E(":method", "POST"),                 /* 3 */
    E(":path", "/"),                      /* 4 */
    E(":path", "/index.html"),            /* 5 */
    E(":scheme", "http"),                 /* 6 */
    E(":scheme", "https"),                /* 7 */
    E(":status", "200"),                  /* 8 */
    E(":status", "204"),                  /* 9 */
    E(":status", "206"),                  /* 10 */
    E(":status", "304"),                  /* 11 */
    E(":status", "400"),                  /* 12 */
    E(":status", "404"),                  /* 13 */
    E(":status", "500"),                  /* 14 */
    E("accept-charset", ""),              /* 15 */
    E("accept-encoding", "gzip, deflate"), /* 16 */
    E("accept-language", ""),             /* 17 */
    E("accept-ranges", ""),               /* 18 */
    E("accept", ""),                      /* 19 */
    E("access-control-allow-origin", ""), /* 20 */
    E("age", ""),                         /* 21 */
    E("allow", ""),                       /* 22 */
    E("authorization", ""),               /* 23 */
    E("cache-control", ""),               /* 24 */
    E("content-disposition", ""),         /* 25 */
    E("content-encoding", ""),            /* 26 */
    E("content-language", ""),            /* 27 */
    E("content-length", ""),              /* 28 */
    E("content-location", ""),            /* 29 */
    E("content-range", ""),               /* 30 */
    E("content-type", ""),                /* 31 */
    E("cookie", ""),                      /* 32 */
    E("date", ""),                        /* 33 */
    E("etag", ""),                        /* 34 */
    E("expect", ""),                      /* 35 */
    E("expires", ""),                     /* 36 */
    E("from", ""),                        /* 37 */
    E("host", ""),                        /* 38 */
    E("if-match", ""),                    /* 39 */
    E("if-modified-since", ""),           /* 40 */
    E("if-none-match", ""),               /* 41 */
    E("if-range", ""),                    /* 42 */
    E("if-unmodified-since", ""),         /* 43 */
    E("last-modified", ""),               /* 44 */
    E("link", ""),                        /* 45 */
    E("location", ""),                    /* 46 */
    E("max-forwards", ""),                /* 47 */
    E("proxy-authenticate", ""),          /* 48 */
    E("proxy-authorization", ""),         /* 49 */
    E("range", ""),                       /* 50 */
    E("referer", ""),                     /* 51 */
    E("refresh", ""),                     /* 52 */
    E("retry-after", ""),                 /* 53 */
    E("server", ""),                      /* 54 */
    E("set-cookie", ""),                  /* 55 */
    E("strict-transport-security", ""),   /* 56 */
    E("transfer-encoding", ""),           /* 57 */
    E("user-agent", ""),                  /* 58 */
    E("vary", ""),                        /* 59 */
    E("via", ""),                         /* 60 */
    E("www-authenticate", ""),            /* 61 */
};
#undef E

/* For each name length, the first index of each distinct name of that
 * length, 0-terminated. Built from the table above (longest length 27). */
static const uint8_t by_len[28][8] = {
    [3] = {21, 60},
    [4] = {33, 34, 37, 38, 45, 59},
    [5] = {4, 22, 50},
    [6] = {19, 32, 35, 54},
    [7] = {2, 6, 8, 36, 51, 52},
    [8] = {39, 42, 46},
    [10] = {1, 55, 58},
    [11] = {53},
    [12] = {31, 47},
    [13] = {18, 23, 24, 30, 41, 44},
    [14] = {15, 28},
    [15] = {16, 17},
    [16] = {26, 27, 29, 61},
    [17] = {40, 57},
    [18] = {48},
    [19] = {25, 43, 49},
    [25] = {56},
    [27] = {20},
};

unsigned hyper__hpack_static_find(const uint8_t *name, size_t name_len,
                                  const uint8_t *value, size_t value_len,
                                  unsigned *full) {
  *full = 0;
  if (name_len >= HYPER_ARRAY_LEN(by_len))
    return 0;
  const uint8_t *cand = by_len[name_len];
  for (unsigned i = 0; i < 8 && cand[i]; i++) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[cand[i] - 1];
    /* Compare the last byte first: it differs most often. */
    if (e->name[name_len - 1] != name[name_len - 1] ||
        memcmp(e->name, name, name_len) != 0)
      continue;
    unsigned idx = cand[i];
    /* Same-name entries are consecutive; values may match (including the
     * empty value of most entries). */
    for (unsigned j = idx; j <= HYPER__HPACK_STATIC_LEN; j++) {
      const hyper__hpack_static_entry *v = &hyper__hpack_static[j - 1];
      if (j != idx && (v->name_len != name_len ||
                       memcmp(v->name, name, name_len) != 0))
        break;
      if (v->value_len == value_len &&
          (value_len == 0 || memcmp(v->value, value, value_len) == 0)) {
        *full = j;
        break;
      }
    }
    return idx;
  }
  return 0;
}
