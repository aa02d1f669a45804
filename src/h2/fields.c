/* HTTP/2 field-block validation and normalisation (RFC 9113 §8.1-§8.5,
 * RFC 8441 §4, RFC 9110 §5), and the RFC 9218 priority field. See fields.h
 * for the contract; this file cites the rule next to each check.
 *
 * Validation is one pass over the fields with a table lookup per octet and
 * a bitmask of the pseudo-header fields seen; the block-level rules run once
 * at the end on the facts collected. Nothing here allocates except
 * hyper__h2_fields_normalize_outbound_alloc(). */
#include "fields.h"

#include "hyper/h2.h"

/* ---- character classes ------------------------------------------------ */

#define C_NAME 0x01  /* lowercase tchar (RFC 9110 §5.6.2) */
#define C_UPPER 0x02 /* 'A'-'Z' (a tchar, but not in an HTTP/2 name) */
#define C_VBAD 0x04  /* NUL, LF, CR: never in a value (RFC 9113 §8.2.1) */
#define C_WS 0x08    /* SP, HTAB */
#define C_URI 0x10   /* 0x21-0x7e and 0x80-0xff: not SP, CTL or DEL */

static const uint8_t cls[256] = {
     4,  0,  0,  0,  0,  0,  0,  0,  0,  8,  4,  0,  0,  4,  0,  0,  /* 0x00 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
     8, 17, 16, 17, 17, 17, 17, 17, 16, 16, 17, 17, 16, 17, 17, 16,  /* 0x20 */
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 16, 16, 16, 16, 16, 16,  /* 0x30 */
    16, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18,  /* 0x40 */
    18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 16, 16, 16, 17, 17,  /* 0x50 */
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,  /* 0x60 */
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 16, 17, 16, 17,  0,  /* 0x70 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0x80 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0x90 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xa0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xb0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xc0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xd0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xe0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 0xf0 */
};

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_alpha(uint8_t c) { return (uint8_t)((c | 0x20) - 'a') < 26; }
static uint8_t to_lower(uint8_t c) { return (cls[c] & C_UPPER) ? (uint8_t)(c | 0x20) : c; }

/* |a| (|n| bytes) equals the lowercase literal |lc| ignoring ASCII case. */
static int ieq(const uint8_t *a, size_t n, const char *lc, size_t lc_len) {
  if (n != lc_len)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (to_lower(a[i]) != (uint8_t)lc[i])
      return 0;
  return 1;
}
#define IEQ(p, n, lit) ieq((p), (n), lit, sizeof(lit) - 1)

/* |a| equals |b| ignoring ASCII case. */
static int ieq_slices(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  if (an != bn)
    return 0;
  for (size_t i = 0; i < an; i++)
    if (to_lower(a[i]) != to_lower(b[i]))
      return 0;
  return 1;
}

/* RFC 9110 §5.6.2: token = 1*tchar (either case). */
static int is_token(const uint8_t *p, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(cls[p[i]] & (C_NAME | C_UPPER)))
      return 0;
  return 1;
}

/* ---- field identification --------------------------------------------- */

enum { P_METHOD, P_SCHEME, P_AUTHORITY, P_PATH, P_PROTOCOL, P_STATUS, P_UNKNOWN };
#define SEEN(id) (1u << (id))

/* The pseudo-header fields of RFC 9113 §8.3.1, §8.3.2 and RFC 8441 §4.
 * |n| includes the leading ':'. Exact (names are lowercase by then). */
static int pseudo_id(const uint8_t *n, size_t len) {
  switch (len) {
  case 5:
    return memcmp(n, ":path", 5) == 0 ? P_PATH : P_UNKNOWN;
  case 7:
    if (memcmp(n, ":method", 7) == 0)
      return P_METHOD;
    if (memcmp(n, ":scheme", 7) == 0)
      return P_SCHEME;
    if (memcmp(n, ":status", 7) == 0)
      return P_STATUS;
    return P_UNKNOWN;
  case 9:
    return memcmp(n, ":protocol", 9) == 0 ? P_PROTOCOL : P_UNKNOWN;
  case 10:
    return memcmp(n, ":authority", 10) == 0 ? P_AUTHORITY : P_UNKNOWN;
  default:
    return P_UNKNOWN;
  }
}

/* The regular fields this module cares about. The first five are the
 * connection-specific fields of RFC 9113 §8.2.2 (RFC 9110 §7.6.1). */
enum {
  R_CONNECTION,
  R_PROXY_CONNECTION,
  R_KEEP_ALIVE,
  R_TRANSFER_ENCODING,
  R_UPGRADE,
  R_TE,
  R_HOST,
  R_CONTENT_LENGTH,
  R_OTHER
};

static const char *const conn_why[] = {
    [R_CONNECTION] = "connection-specific field 'connection'",
    [R_PROXY_CONNECTION] = "connection-specific field 'proxy-connection'",
    [R_KEEP_ALIVE] = "connection-specific field 'keep-alive'",
    [R_TRANSFER_ENCODING] = "connection-specific field 'transfer-encoding'",
    [R_UPGRADE] = "connection-specific field 'upgrade'",
};

/* Case-insensitive, so normalisation can use it before lowercasing. */
static int regular_id(const uint8_t *n, size_t len) {
  switch (len) {
  case 2:
    return IEQ(n, len, "te") ? R_TE : R_OTHER;
  case 4:
    return IEQ(n, len, "host") ? R_HOST : R_OTHER;
  case 7:
    return IEQ(n, len, "upgrade") ? R_UPGRADE : R_OTHER;
  case 10:
    if (IEQ(n, len, "connection"))
      return R_CONNECTION;
    return IEQ(n, len, "keep-alive") ? R_KEEP_ALIVE : R_OTHER;
  case 14:
    return IEQ(n, len, "content-length") ? R_CONTENT_LENGTH : R_OTHER;
  case 16:
    return IEQ(n, len, "proxy-connection") ? R_PROXY_CONNECTION : R_OTHER;
  case 17:
    return IEQ(n, len, "transfer-encoding") ? R_TRANSFER_ENCODING : R_OTHER;
  default:
    return R_OTHER;
  }
}

/* As regular_id() for a name already known to be lowercase (validation
 * checks that first): exact comparisons, which compile to a word load or
 * two for these constant lengths. */
static int regular_id_lc(const uint8_t *n, size_t len) {
  switch (len) {
  case 2:
    return n[0] == 't' && n[1] == 'e' ? R_TE : R_OTHER;
  case 4:
    return memcmp(n, "host", 4) == 0 ? R_HOST : R_OTHER;
  case 7:
    return memcmp(n, "upgrade", 7) == 0 ? R_UPGRADE : R_OTHER;
  case 10:
    if (memcmp(n, "connection", 10) == 0)
      return R_CONNECTION;
    return memcmp(n, "keep-alive", 10) == 0 ? R_KEEP_ALIVE : R_OTHER;
  case 14:
    return memcmp(n, "content-length", 14) == 0 ? R_CONTENT_LENGTH : R_OTHER;
  case 16:
    return memcmp(n, "proxy-connection", 16) == 0 ? R_PROXY_CONNECTION : R_OTHER;
  case 17:
    return memcmp(n, "transfer-encoding", 17) == 0 ? R_TRANSFER_ENCODING : R_OTHER;
  default:
    return R_OTHER;
  }
}

/* What each name of the HPACK static table (RFC 7541 Appendix A; index
 * 1..61) is to this module: K_PSEUDO | P_* or an R_* id. Names the HPACK
 * decoder took from the static table (hyper__h2_fields_validate_hinted())
 * are known valid, so validation looks them up here instead of reading
 * them. tests/unit/h2/test_fields.c checks every entry against the
 * generic path. */
#define K_PSEUDO 0x40
#define HINT_INDEX_MASK HYPER__HPACK_HINT_INDEX_MASK
static const uint8_t static_kind[HYPER__H2_NAME_HINT_STATIC_MAX + 1] = {
    [0] = R_OTHER, /* unused: 0 means "no hint" */
    [1] = K_PSEUDO | P_AUTHORITY,
    [2] = K_PSEUDO | P_METHOD,
    [3] = K_PSEUDO | P_METHOD,
    [4] = K_PSEUDO | P_PATH,
    [5] = K_PSEUDO | P_PATH,
    [6] = K_PSEUDO | P_SCHEME,
    [7] = K_PSEUDO | P_SCHEME,
    [8] = K_PSEUDO | P_STATUS,
    [9] = K_PSEUDO | P_STATUS,
    [10] = K_PSEUDO | P_STATUS,
    [11] = K_PSEUDO | P_STATUS,
    [12] = K_PSEUDO | P_STATUS,
    [13] = K_PSEUDO | P_STATUS,
    [14] = K_PSEUDO | P_STATUS,
    [15] = R_OTHER, [16] = R_OTHER, [17] = R_OTHER, [18] = R_OTHER,
    [19] = R_OTHER, [20] = R_OTHER, [21] = R_OTHER, [22] = R_OTHER,
    [23] = R_OTHER, [24] = R_OTHER, [25] = R_OTHER, [26] = R_OTHER,
    [27] = R_OTHER,
    [28] = R_CONTENT_LENGTH, /* content-length */
    [29] = R_OTHER, [30] = R_OTHER, [31] = R_OTHER, [32] = R_OTHER,
    [33] = R_OTHER, [34] = R_OTHER, [35] = R_OTHER, [36] = R_OTHER,
    [37] = R_OTHER,
    [38] = R_HOST, /* host */
    [39] = R_OTHER, [40] = R_OTHER, [41] = R_OTHER, [42] = R_OTHER,
    [43] = R_OTHER, [44] = R_OTHER, [45] = R_OTHER, [46] = R_OTHER,
    [47] = R_OTHER, [48] = R_OTHER, [49] = R_OTHER, [50] = R_OTHER,
    [51] = R_OTHER, [52] = R_OTHER, [53] = R_OTHER, [54] = R_OTHER,
    [55] = R_OTHER, [56] = R_OTHER,
    [57] = R_TRANSFER_ENCODING, /* transfer-encoding */
    [58] = R_OTHER, [59] = R_OTHER, [60] = R_OTHER, [61] = R_OTHER,
};

static hyper__h2_method parse_method(const uint8_t *m, size_t n) {
#define M(lit, e)                                                              \
  if (n == sizeof(lit) - 1 && memcmp(m, lit, n) == 0)                         \
    return HYPER__H2_METHOD_##e;
  /* RFC 9110 §9.1: the method token is case-sensitive. */
  switch (n) {
  case 3:
    M("GET", GET) M("PUT", PUT) break;
  case 4:
    M("HEAD", HEAD) M("POST", POST) break;
  case 5:
    M("TRACE", TRACE) M("PATCH", PATCH) break;
  case 6:
    M("DELETE", DELETE) break;
  case 7:
    M("CONNECT", CONNECT) M("OPTIONS", OPTIONS) break;
  default:
    break;
  }
#undef M
  return HYPER__H2_METHOD_OTHER;
}

/* ---- value parsers ---------------------------------------------------- */

/* RFC 9110 §15: status-code = 3DIGIT, valid codes are 100..599. */
static int parse_status(const uint8_t *v, size_t n) {
  if (n != 3 || !is_digit(v[0]) || !is_digit(v[1]) || !is_digit(v[2]))
    return -1;
  int s = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
  return s >= 100 && s <= 599 ? s : -1;
}

/* RFC 9110 §8.6: Content-Length = 1*DIGIT. Returns -1 if invalid or above
 * INT64_MAX. */
static int64_t parse_content_length(const uint8_t *v, size_t n) {
  if (n == 0)
    return -1;
  if (n <= 18) { /* below 10^18 < INT64_MAX: no overflow check needed */
    uint64_t u = 0;
    for (size_t i = 0; i < n; i++) {
      unsigned d = (unsigned)v[i] - '0';
      if (d > 9)
        return -1;
      u = u * 10 + d;
    }
    return (int64_t)u;
  }
  int64_t x = 0;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(v[i]))
      return -1;
    int d = v[i] - '0';
    if (x > (INT64_MAX - d) / 10)
      return -1;
    x = x * 10 + d;
  }
  return x;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static int is_scheme(const uint8_t *v, size_t n) {
  if (n == 0 || !is_alpha(v[0]))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!is_alpha(v[i]) && !is_digit(v[i]) && v[i] != '+' && v[i] != '-' && v[i] != '.')
      return 0;
  return 1;
}

/* 80 for http, 443 for https, 0 for other schemes (case-insensitive,
 * RFC 3986 §3.1). */
static int scheme_default_port(hyper_slice s) {
  /* the lowercase spellings every client sends, then any case */
  if (s.len == 5 && memcmp(s.ptr, "https", 5) == 0)
    return 443;
  if (s.len == 4 && memcmp(s.ptr, "http", 4) == 0)
    return 80;
  if (IEQ(s.ptr, s.len, "http"))
    return 80;
  if (IEQ(s.ptr, s.len, "https"))
    return 443;
  return 0;
}

/* No SP, control octet or DEL: what :path (RFC 3986 §3.3) and :authority
 * (§3.2) can never hold, and what would let a forwarded request line be
 * split (RFC 9113 §10.3). */
static inline uint64_t load64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint32_t load32(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

#define ONES64 0x0101010101010101ull
#define HIGH64 0x8080808080808080ull
#define ONES32 0x01010101u
#define HIGH32 0x80808080u

/* SWAR tests on a word (Hacker's Delight §6-1): nonzero when some byte is
 * zero, resp. below |b| (b <= 0x80). Exact as to "some byte", which is all
 * these callers ask. */
#define ZERO64(w) (((w) - ONES64) & ~(w) & HIGH64)
#define LESS64(w, b) (((w) - ONES64 * (b)) & ~(w) & HIGH64)
#define ZERO32(w) (((w) - ONES32) & ~(w) & HIGH32)
#define LESS32(w, b) (((w) - ONES32 * (b)) & ~(w) & HIGH32)

/* A word holds an octet < 0x21 (SP and CTLs) or DEL. */
#define URI_BAD64(w) (LESS64(w, 0x21) | ZERO64((w) ^ (ONES64 * 0x7f)))
#define URI_BAD32(w) (LESS32(w, 0x21) | ZERO32((w) ^ (ONES32 * 0x7f)))

static int uri_chars_ok(const uint8_t *v, size_t n) {
  if (n >= 8) {
    uint64_t bad = URI_BAD64(load64(v + n - 8)); /* the tail, overlapping */
    for (size_t i = 0; i + 8 <= n; i += 8) {
      uint64_t w = load64(v + i);
      bad |= URI_BAD64(w);
    }
    return bad == 0;
  }
  if (n >= 4) {
    uint32_t a = load32(v), b = load32(v + n - 4);
    return (URI_BAD32(a) | URI_BAD32(b)) == 0;
  }
  unsigned ok = C_URI;
  for (size_t i = 0; i < n; i++)
    ok &= cls[v[i]];
  return ok != 0;
}

/* Splits an authority ([userinfo "@"] host [":" port], RFC 3986 §3.2) into
 * host and port; |*has_colon| tells whether a ':' introduced the port. */
static void split_authority(hyper_slice a, hyper_slice *host, hyper_slice *port,
                            int *has_colon) {
  const uint8_t *p = a.ptr, *end = a.ptr + a.len;
  for (const uint8_t *q = end; q > p; q--)
    if (q[-1] == '@') {
      p = q;
      break;
    }
  const uint8_t *colon = NULL;
  if (p < end && *p == '[') { /* IP-literal: the port follows ']' */
    const uint8_t *rb = memchr(p, ']', (size_t)(end - p));
    if (rb && rb + 1 < end && rb[1] == ':')
      colon = rb + 1;
  } else {
    for (const uint8_t *q = end; q > p; q--)
      if (q[-1] == ':') {
        colon = q - 1;
        break;
      }
  }
  host->ptr = p;
  host->len = (size_t)((colon ? colon : end) - p);
  port->ptr = colon ? colon + 1 : end;
  port->len = colon ? (size_t)(end - colon - 1) : 0;
  *has_colon = colon != NULL;
}

/* The port as a number, |def| when empty (RFC 3986 §6.2.3), -1 if it is
 * not all digits or too long to be one. */
static long port_value(hyper_slice port, int def) {
  if (port.len == 0)
    return def;
  if (port.len > 9)
    return -1;
  long v = 0;
  for (size_t i = 0; i < port.len; i++) {
    if (!is_digit(port.ptr[i]))
      return -1;
    v = v * 10 + (port.ptr[i] - '0');
  }
  return v;
}

/* RFC 9113 §8.3.1: host and :authority must identify the same entity,
 * compared after scheme-based normalisation (RFC 3986 §6.2.3): hosts
 * case-insensitively, ports as numbers with the scheme's default port for
 * an empty or absent one. Userinfo is not part of the entity. */
static int authority_equal(hyper_slice a, hyper_slice b, int def_port) {
  hyper_slice ah, ap, bh, bp;
  int ac, bc;
  split_authority(a, &ah, &ap, &ac);
  split_authority(b, &bh, &bp, &bc);
  if (!ieq_slices(ah.ptr, ah.len, bh.ptr, bh.len))
    return 0;
  long pa = port_value(ap, def_port), pb = port_value(bp, def_port);
  if (pa < 0 || pb < 0) /* not numbers: compare as written */
    return ap.len == bp.len && memcmp(ap.ptr, bp.ptr, ap.len) == 0;
  return pa == pb;
}

/* RFC 9110 §9.3.6: authority-form = uri-host ":" port, port required. */
static int authority_has_port(hyper_slice a) {
  hyper_slice h, p;
  int c;
  split_authority(a, &h, &p, &c);
  return c && p.len > 0 && port_value(p, 0) >= 0;
}

/* ---- validation ------------------------------------------------------- */

static const uint8_t empty_byte[1] = {0};

/* A present field's value as a slice whose ptr is never NULL, so that
 * "absent" (ptr NULL) and "empty" stay distinct. */
static hyper_slice value_slice(const hyper_field *f) {
  hyper_slice s = {f->value ? f->value : empty_byte, f->value_len};
  return s;
}

/* RFC 9113 §8.2.1 (and §8.2, §8.1.1 for uppercase): a name is a non-empty
 * token of lowercase tchars, after the ':' of a pseudo-header field. */
static const char *check_name(const uint8_t *n, size_t len) {
  if (len == 0)
    return "empty field name";
  for (size_t i = n[0] == ':'; i < len; i++) {
    uint8_t c = cls[n[i]];
    if (HYPER_UNLIKELY(!(c & C_NAME)))
      return (c & C_UPPER) ? "uppercase character in field name"
                           : "invalid character in field name";
  }
  return NULL;
}

/* check_name() without the diagnosis: nonzero when the name is valid.
 * Branch-free over the octets (the table's bits are ANDed), four at a
 * time; a name that fails goes to check_name() for the reason. */
static inline int name_ok(const uint8_t *n, size_t len) {
  if (HYPER_UNLIKELY(len == 0))
    return 0;
  unsigned acc = C_NAME;
  size_t i = n[0] == ':';
  for (; i + 4 <= len; i += 4)
    acc &= (unsigned)(cls[n[i]] & cls[n[i + 1]] & cls[n[i + 2]] & cls[n[i + 3]]);
  for (; i < len; i++)
    acc &= cls[n[i]];
  return acc != 0;
}

/* A word may hold NUL, LF or CR: it holds some octet below 0x0e (a
 * superset: HTAB and a few other controls also trip it, and the exact scan
 * then decides). */
#define VLOW64(w) LESS64(w, 0x0e)
#define VLOW32(w) LESS32(w, 0x0e)

/* RFC 9113 §8.2.1: no NUL, CR or LF anywhere, no SP/HTAB at either end.
 * Eight bytes at a time (the last word overlapping the one before), four
 * for short values: this runs over every value of every block. */
static const char *check_value(const uint8_t *v, size_t len) {
  if (len == 0)
    return NULL;
  uint64_t low;
  if (len >= 8) {
    low = VLOW64(load64(v + len - 8));
    for (size_t i = 0; i + 8 <= len; i += 8) {
      uint64_t w = load64(v + i);
      low |= VLOW64(w);
    }
  } else if (len >= 4) {
    uint32_t a = load32(v), b = load32(v + len - 4);
    low = VLOW32(a) | VLOW32(b);
  } else { /* 1..3 octets: indices 0, len/2 and len-1 cover them all */
    low = (cls[v[0]] | cls[v[len / 2]] | cls[v[len - 1]]) & C_VBAD;
  }
  if (HYPER_UNLIKELY(low)) {
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++)
      bad |= cls[v[i]] & C_VBAD;
    if (bad)
      return "NUL, CR or LF in field value";
  }
  if (HYPER_UNLIKELY((cls[v[0]] | cls[v[len - 1]]) & C_WS))
    return "leading or trailing whitespace in field value";
  return NULL;
}

/* Whether a block of kind |block| with |flags| belongs to a request (and so
 * may carry `te`): requests and push promises, and trailers sent by a
 * client or received by a server. */
static int block_is_request_side(hyper__h2_block block, unsigned flags) {
  if (block == HYPER__H2_BLOCK_REQUEST || block == HYPER__H2_BLOCK_PUSH_PROMISE)
    return 1;
  if (block == HYPER__H2_BLOCK_TRAILERS)
    return !(flags & HYPER__H2_FIELDS_SERVER) == !!(flags & HYPER__H2_FIELDS_OUTBOUND);
  return 0;
}

static void info_reset(hyper__h2_fields_info *out, hyper__h2_block block) {
  /* Member by member: memset() of the whole struct compiles to a
   * `rep stos` that costs more than these stores. */
  static const hyper_slice none = {NULL, 0};
  out->block = block;
  out->method = HYPER__H2_METHOD_NONE;
  out->status = -1;
  out->content_length = -1;
  out->n_pseudo = 0;
  out->method_str = out->scheme = out->authority = none;
  out->path = out->protocol = out->host = none;
  out->is_head = out->is_connect = out->is_ext_connect = 0;
  out->has_trailers_te = out->no_content = 0;
}

static void set_method(hyper__h2_fields_info *out, hyper_slice v) {
  out->method_str = v;
  out->method = parse_method(v.ptr, v.len);
  out->is_head = out->method == HYPER__H2_METHOD_HEAD;
  out->is_connect = out->method == HYPER__H2_METHOD_CONNECT;
}

/* Fills the response facts from out->status. */
static void resolve_response(hyper__h2_fields_info *out, hyper__h2_block block) {
  int s = out->status;
  int interim = s >= 100 && s < 200;
  if (block == HYPER__H2_BLOCK_RESPONSE_ANY)
    out->block = interim ? HYPER__H2_BLOCK_INFORMATIONAL : HYPER__H2_BLOCK_RESPONSE;
  /* RFC 9110 §6.4.1: 1xx, 204 and 304 responses have no content. */
  out->no_content = interim || s == 204 || s == 304;
}

/* HYPER__H2_FIELDS_NO_VALIDATE: the facts only, first occurrence wins. */
static void scan_facts(hyper__h2_block block, const hyper_field *fields, size_t n,
                       hyper__h2_fields_info *out) {
  unsigned seen = 0;
  int leading = 1;
  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    hyper_slice v = value_slice(f);
    if (f->name_len > 0 && f->name[0] == ':') {
      out->n_pseudo += leading;
      int id = pseudo_id(f->name, f->name_len);
      if (id == P_UNKNOWN || (seen & SEEN(id)))
        continue;
      seen |= SEEN(id);
      switch (id) {
      case P_METHOD: set_method(out, v); break;
      case P_SCHEME: out->scheme = v; break;
      case P_AUTHORITY: out->authority = v; break;
      case P_PATH: out->path = v; break;
      case P_PROTOCOL: out->protocol = v; break;
      default: out->status = parse_status(v.ptr, v.len); break;
      }
      continue;
    }
    leading = 0;
    if (f->name == NULL)
      continue;
    switch (regular_id(f->name, f->name_len)) {
    case R_TE:
      if (IEQ(v.ptr, v.len, "trailers"))
        out->has_trailers_te = 1;
      break;
    case R_HOST:
      if (!out->host.ptr)
        out->host = v;
      break;
    case R_CONTENT_LENGTH:
      if (block != HYPER__H2_BLOCK_TRAILERS && out->content_length < 0)
        out->content_length = parse_content_length(v.ptr, v.len);
      break;
    default:
      break;
    }
  }
  out->is_ext_connect = out->is_connect && (seen & SEEN(P_PROTOCOL));
  if (block == HYPER__H2_BLOCK_RESPONSE || block == HYPER__H2_BLOCK_INFORMATIONAL ||
      block == HYPER__H2_BLOCK_RESPONSE_ANY)
    resolve_response(out, block);
}

/* The block-level rules for requests and push promises. */
static const char *check_request(hyper__h2_fields_info *out, unsigned seen,
                                 hyper__h2_block block) {
  /* RFC 9113 §8.3.1: every request carries :method. */
  if (!(seen & SEEN(P_METHOD)))
    return "missing ':method'";
  /* RFC 8441 §4: :protocol only on CONNECT. */
  if ((seen & SEEN(P_PROTOCOL)) && !out->is_connect)
    return "':protocol' in non-CONNECT request";
  out->is_ext_connect = out->is_connect && (seen & SEEN(P_PROTOCOL));

  if (out->is_connect && !out->is_ext_connect) {
    /* RFC 9113 §8.5: :scheme and :path omitted, :authority = host:port. */
    if (seen & SEEN(P_SCHEME))
      return "':scheme' in CONNECT request";
    if (seen & SEEN(P_PATH))
      return "':path' in CONNECT request";
    if (!(seen & SEEN(P_AUTHORITY)))
      return "missing ':authority' in CONNECT request";
    if (out->authority.len == 0)
      return "empty ':authority'";
    if (!authority_has_port(out->authority))
      return "':authority' of CONNECT lacks a port";
  } else {
    /* RFC 9113 §8.3.1: :scheme and :path are mandatory, and so are they
     * for extended CONNECT (RFC 8441 §4). */
    if (!(seen & SEEN(P_SCHEME)))
      return "missing ':scheme'";
    if (!(seen & SEEN(P_PATH)))
      return "missing ':path'";
    /* §8.3.1 requires a non-empty :path for http(s); we read "exactly one
     * valid value" as non-empty for every scheme. */
    if (out->path.len == 0)
      return "empty ':path'";
    if (out->is_ext_connect && !(seen & SEEN(P_AUTHORITY)))
      return "missing ':authority' in CONNECT request";
    if (scheme_default_port(out->scheme)) {
      /* §8.3.1: origin-form, or '*' for an OPTIONS request. */
      if (out->path.len == 1 && out->path.ptr[0] == '*') {
        if (out->method != HYPER__H2_METHOD_OPTIONS)
          return "':path' '*' outside OPTIONS";
      } else if (out->path.ptr[0] != '/') {
        return "':path' must start with '/'";
      }
      if (seen & SEEN(P_AUTHORITY)) {
        /* RFC 9110 §4.2.1: an http(s) URI has a non-empty host. */
        if (out->authority.len == 0)
          return "empty ':authority'";
        /* §8.3.1: no userinfo for http or https. */
        if (memchr(out->authority.ptr, '@', out->authority.len))
          return "userinfo in ':authority'";
      } else if (!out->host.ptr) {
        /* RFC 9110 §7.2: the authority goes in :authority or Host. */
        return "missing ':authority' and 'host'";
      }
    }
  }
  /* §8.3.1: a host that differs from :authority is malformed. */
  if (out->authority.ptr && out->host.ptr &&
      !authority_equal(out->authority, out->host, scheme_default_port(out->scheme)))
    return "'host' differs from ':authority'";

  if (block == HYPER__H2_BLOCK_PUSH_PROMISE) {
    /* §8.4: the server MUST include :authority. */
    if (!(seen & SEEN(P_AUTHORITY)))
      return "missing ':authority' in push promise";
    /* §8.4, §8.4.1: safe and cacheable (RFC 9110 §9.2.1, §9.2.3); of the
     * methods defined there that is GET and HEAD. */
    if (out->method != HYPER__H2_METHOD_GET && out->method != HYPER__H2_METHOD_HEAD)
      return "push promise method not safe and cacheable";
    /* §8.4: promised requests cannot include content. */
    if (out->content_length > 0)
      return "push promise with content";
  }
  return NULL;
}

/* The block-level rules for responses. */
static const char *check_response(hyper__h2_fields_info *out, unsigned seen,
                                  hyper__h2_block block, unsigned flags) {
  /* RFC 9113 §8.3.2: :status in every response, interim ones included. */
  if (!(seen & SEEN(P_STATUS)))
    return "missing ':status'";
  int s = out->status;
  int interim = s < 200;
  resolve_response(out, block);
  /* §8.6: HTTP/2 does not support 101 (Switching Protocols). */
  if (s == 101)
    return "status 101 in HTTP/2";
  if (block == HYPER__H2_BLOCK_RESPONSE && interim)
    return "1xx status in final response";
  if (block == HYPER__H2_BLOCK_INFORMATIONAL && !interim)
    return "non-1xx status in informational response";
  /* §8.1: HEADERS with END_STREAM carrying a 1xx status is malformed. */
  if (interim && (flags & HYPER__H2_FIELDS_END_STREAM))
    return "informational response with END_STREAM";
  /* RFC 9110 §8.6: a server MUST NOT send Content-Length in a 1xx or 204
   * response. We send none; from a peer we tolerate "0", which says the
   * same as its absence. */
  if ((interim || s == 204) && out->content_length >= 0 &&
      ((flags & HYPER__H2_FIELDS_OUTBOUND) || out->content_length != 0))
    return "'content-length' in 1xx or 204 response";
  return NULL;
}

/* The per-field pass and the block rules; returns the rule that failed or
 * NULL. */
static const char *validate_block(hyper__h2_block block, const hyper_field *fields,
                                  const uint8_t *hints, size_t n, unsigned flags,
                                  hyper__h2_fields_info *out) {
  const char *w;
  const int is_request = block == HYPER__H2_BLOCK_REQUEST || block == HYPER__H2_BLOCK_PUSH_PROMISE;
  const int is_trailers = block == HYPER__H2_BLOCK_TRAILERS;
  const int te_allowed = block_is_request_side(block, flags);
  unsigned seen = 0;
  int regular = 0;

  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    unsigned hint = hints ? hints[i] : 0;
    unsigned sidx = hint & HINT_INDEX_MASK;
    int pseudo, id;
    if (sidx - 1u < HYPER__H2_NAME_HINT_STATIC_MAX) {
      /* A static-table name: valid and lowercase by construction. */
      unsigned k = static_kind[sidx];
      pseudo = (k & K_PSEUDO) != 0;
      id = (int)(k & ~(unsigned)K_PSEUDO);
    } else {
      if (HYPER_UNLIKELY(!name_ok(f->name, f->name_len)))
        return check_name(f->name, f->name_len);
      pseudo = f->name[0] == ':';
      id = pseudo ? pseudo_id(f->name, f->name_len)
                  : regular_id_lc(f->name, f->name_len);
    }
    /* A static entry's value is valid as well (RFC 7541 Appendix A). */
    if (!(hint & HYPER__H2_NAME_HINT_STATIC_VALUE) &&
        (w = check_value(f->value, f->value_len)) != NULL)
      return w;
    hyper_slice v = value_slice(f);

    if (pseudo) {
      /* RFC 9113 §8.1, §8.3: none in trailers, all before regular fields,
       * only defined ones, only in their context, each at most once. */
      if (is_trailers)
        return "pseudo-header field in trailers";
      if (regular)
        return "pseudo-header field after regular field";
      if (id == P_UNKNOWN)
        return "unknown pseudo-header field";
      if ((id == P_STATUS) == is_request)
        return is_request ? "response pseudo-header field in request"
                          : "request pseudo-header field in response";
      if (seen & SEEN(id))
        return "duplicate pseudo-header field";
      seen |= SEEN(id);
      out->n_pseudo++;
      switch (id) {
      case P_METHOD:
        /* RFC 9110 §9.1: method = token. */
        if (!is_token(v.ptr, v.len))
          return "invalid ':method'";
        set_method(out, v);
        break;
      case P_SCHEME:
        if (!is_scheme(v.ptr, v.len))
          return "invalid ':scheme'";
        out->scheme = v;
        break;
      case P_AUTHORITY:
        if (!uri_chars_ok(v.ptr, v.len))
          return "invalid character in ':authority'";
        out->authority = v;
        break;
      case P_PATH:
        if (!uri_chars_ok(v.ptr, v.len))
          return "invalid character in ':path'";
        out->path = v;
        break;
      case P_PROTOCOL:
        /* RFC 8441 §3, §4: only once SETTINGS_ENABLE_CONNECT_PROTOCOL was
         * advertised; the value is an upgrade token (RFC 9110 §7.8). */
        if (!(flags & HYPER__H2_FIELDS_EXT_CONNECT))
          return "':protocol' without extended CONNECT";
        if (!is_token(v.ptr, v.len))
          return "invalid ':protocol'";
        out->protocol = v;
        break;
      default: /* P_STATUS */
        if ((out->status = parse_status(v.ptr, v.len)) < 0)
          return "invalid ':status'";
        break;
      }
      continue;
    }

    regular = 1;
    switch (id) {
    case R_OTHER:
      break;
    case R_TE:
      /* RFC 9113 §8.2.2: te only in requests, and only "trailers" (the
       * keyword is case-insensitive, RFC 9110 §10.1.4). */
      if (!te_allowed)
        return "connection-specific field 'te' in response";
      if (!IEQ(v.ptr, v.len, "trailers"))
        return "'te' other than \"trailers\"";
      out->has_trailers_te = 1;
      break;
    case R_HOST:
      if (is_request) {
        /* RFC 9110 §7.2 (RFC 9112 §3.2): a request has one Host. */
        if (out->host.ptr)
          return "duplicate 'host'";
        out->host = v;
      }
      break;
    case R_CONTENT_LENGTH: {
      /* RFC 9110 §8.6: 1*DIGIT; repeated lines must agree. In trailers it
       * cannot frame anything (RFC 9110 §6.5.1) and is left alone. */
      if (is_trailers)
        break;
      int64_t cl = parse_content_length(v.ptr, v.len);
      if (cl < 0)
        return "invalid 'content-length'";
      if (out->content_length >= 0 && out->content_length != cl)
        return "conflicting 'content-length' values";
      out->content_length = cl;
      break;
    }
    default:
      /* RFC 9113 §8.2.2: connection-specific fields are malformed. */
      return conn_why[id];
    }
  }

  switch (block) {
  case HYPER__H2_BLOCK_REQUEST:
  case HYPER__H2_BLOCK_PUSH_PROMISE:
    return check_request(out, seen, block);
  case HYPER__H2_BLOCK_TRAILERS:
    /* RFC 9113 §8.1: trailers end the stream. */
    return (flags & HYPER__H2_FIELDS_END_STREAM) ? NULL : "trailers without END_STREAM";
  default:
    return check_response(out, seen, block, flags);
  }
}

int hyper__h2_fields_validate(hyper__h2_block block, const hyper_field *fields,
                              size_t n, unsigned flags,
                              hyper__h2_fields_info *out, const char **why) {
  return hyper__h2_fields_validate_hinted(block, fields, NULL, n, flags, out, why);
}

int hyper__h2_fields_validate_hinted(hyper__h2_block block,
                                     const hyper_field *fields,
                                     const uint8_t *hints, size_t n,
                                     unsigned flags, hyper__h2_fields_info *out,
                                     const char **why) {
  const char *w;
  int rv = HYPER_ERR_INVALID_ARGUMENT;
  if (out == NULL || (fields == NULL && n > 0) ||
      (unsigned)block > (unsigned)HYPER__H2_BLOCK_PUSH_PROMISE) {
    w = "invalid argument";
  } else {
    info_reset(out, block);
    /* A request is sent by a client and received by a server; responses
     * and push promises go the other way; trailers go either way. */
    int request_side =
        !(flags & HYPER__H2_FIELDS_SERVER) == !!(flags & HYPER__H2_FIELDS_OUTBOUND);
    if (block != HYPER__H2_BLOCK_TRAILERS &&
        request_side != (block == HYPER__H2_BLOCK_REQUEST)) {
      w = "block kind does not match direction and role";
    } else if (flags & HYPER__H2_FIELDS_NO_VALIDATE) {
      scan_facts(block, fields, n, out);
      w = NULL;
    } else {
      w = validate_block(block, fields, hints, n, flags, out);
      rv = HYPER_ERR_H2_HEADER;
    }
  }
  if (why)
    *why = w;
  return w ? rv : 0;
}

/* ---- normalisation ------------------------------------------------------ */

static const uint8_t trailers_lit[] = "trailers";

/* Calls |fn| on each element of the comma-separated list |v| (RFC 9110
 * §5.6.1), trimmed of OWS and of any ";parameters"; stops and returns 1
 * when |fn| does. Empty elements are skipped. */
static int list_any(const uint8_t *v, size_t n, const uint8_t *want, size_t want_len) {
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
      i++;
    size_t start = i;
    while (i < n && v[i] != ',' && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
      i++;
    if (i > start && ieq_slices(v + start, i - start, want, want_len))
      return 1;
    while (i < n && v[i] != ',')
      i++;
  }
  return 0;
}

/* What normalisation does to one field. */
typedef struct norm_step {
  int drop;
  int lower;   /* the name has uppercase letters */
  int rewrite; /* te value becomes "trailers" */
  hyper_slice value;
} norm_step;

static void norm_decide(const hyper_field *f, const hyper_slice *conn, size_t nconn,
                        int request_side, norm_step *st) {
  const uint8_t *v = f->value ? f->value : empty_byte;
  size_t vn = f->value_len;
  /* RFC 9110 §5.5: surrounding whitespace is not part of the value. */
  while (vn && (cls[v[0]] & C_WS)) {
    v++;
    vn--;
  }
  while (vn && (cls[v[vn - 1]] & C_WS))
    vn--;
  st->value.ptr = v;
  st->value.len = vn;
  st->drop = 0;
  st->rewrite = 0;
  st->lower = 0;
  if (f->name_len > 0 && f->name[0] != ':') {
    switch (regular_id(f->name, f->name_len)) {
    case R_CONNECTION:
    case R_PROXY_CONNECTION:
    case R_KEEP_ALIVE:
    case R_TRANSFER_ENCODING:
    case R_UPGRADE:
      st->drop = 1; /* RFC 9113 §8.2.2 */
      return;
    case R_TE:
      /* §8.2.2: only "trailers", only in requests. An HTTP/1.1 TE list
       * that accepts trailers says the same as "trailers" alone. */
      if (!request_side) {
        st->drop = 1;
      } else if (!IEQ(v, vn, "trailers")) {
        if (list_any(v, vn, trailers_lit, sizeof trailers_lit - 1))
          st->rewrite = 1;
        else
          st->drop = 1;
      }
      if (st->drop)
        return;
      break;
    default:
      /* RFC 9110 §7.6.1: fields named by Connection are connection-specific. */
      for (size_t k = 0; k < nconn; k++)
        if (list_any(conn[k].ptr, conn[k].len, f->name, f->name_len)) {
          st->drop = 1;
          return;
        }
      break;
    }
  }
  for (size_t i = 0; i < f->name_len; i++)
    if (cls[f->name[i]] & C_UPPER) {
      st->lower = 1;
      break;
    }
}

int hyper__h2_fields_normalize_outbound(hyper__h2_block block, unsigned flags,
                                        const hyper_field *in, size_t n,
                                        hyper_field *out, size_t out_cap,
                                        uint8_t *names, size_t names_cap,
                                        hyper__h2_fields_norm *res) {
  if (res == NULL || (in == NULL && n > 0) ||
      (unsigned)block > (unsigned)HYPER__H2_BLOCK_PUSH_PROMISE)
    return HYPER_ERR_INVALID_ARGUMENT;
  memset(res, 0, sizeof *res);
  int request_side = block_is_request_side(block, flags | HYPER__H2_FIELDS_OUTBOUND);

  /* The connection values are remembered by pointer before |out| (which
   * may be |in|) is written. */
  hyper_slice conn[HYPER__H2_FIELDS_MAX_CONNECTION];
  size_t nconn = 0;
  for (size_t i = 0; i < n; i++)
    if (in[i].name_len == 10 && regular_id(in[i].name, 10) == R_CONNECTION) {
      if (nconn == HYPER__H2_FIELDS_MAX_CONNECTION)
        return HYPER_ERR_LIMIT_EXCEEDED;
      conn[nconn].ptr = in[i].value ? in[i].value : empty_byte;
      conn[nconn].len = in[i].value_len;
      nconn++;
    }

  norm_step st;
  for (size_t i = 0; i < n; i++) {
    norm_decide(&in[i], conn, nconn, request_side, &st);
    if (st.drop) {
      res->n_dropped++;
      continue;
    }
    res->n_fields++;
    if (st.lower) {
      res->n_lowered++;
      res->name_bytes += in[i].name_len;
    }
    res->n_trimmed += st.value.len != in[i].value_len;
    res->n_rewritten += st.rewrite;
  }
  res->changed = res->n_dropped || res->n_lowered || res->n_trimmed || res->n_rewritten;
  if (out == NULL)
    return 0;
  if (res->n_fields > out_cap || res->name_bytes > names_cap)
    return HYPER_ERR_BUFFER_TOO_SMALL;

  /* Writing out[j] with j <= i never clobbers a field not yet read. */
  size_t j = 0, off = 0;
  for (size_t i = 0; i < n; i++) {
    hyper_field f = in[i];
    norm_decide(&f, conn, nconn, request_side, &st);
    if (st.drop)
      continue;
    if (st.lower) {
      for (size_t k = 0; k < f.name_len; k++)
        names[off + k] = to_lower(f.name[k]);
      f.name = names + off;
      off += f.name_len;
    }
    if (st.rewrite) {
      f.value = trailers_lit;
      f.value_len = sizeof trailers_lit - 1;
    } else {
      f.value = st.value.ptr;
      f.value_len = st.value.len;
    }
    out[j++] = f;
  }
  return 0;
}

int hyper__h2_fields_normalize_outbound_alloc(hyper__h2_block block,
                                              unsigned flags,
                                              const hyper_field *in, size_t n,
                                              const hyper_mem *mem,
                                              hyper_field **out,
                                              hyper__h2_fields_norm *res) {
  if (mem == NULL || out == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = hyper__h2_fields_normalize_outbound(block, flags, in, n, NULL, 0, NULL, 0, res);
  if (rv != 0)
    return rv;
  size_t fields_bytes = res->n_fields * sizeof(hyper_field);
  size_t size = fields_bytes + res->name_bytes;
  void *blk = hyper__mem_malloc(mem, size ? size : 1);
  if (blk == NULL)
    return HYPER_ERR_NOMEM;
  rv = hyper__h2_fields_normalize_outbound(block, flags, in, n, blk, res->n_fields,
                                           (uint8_t *)blk + fields_bytes, res->name_bytes,
                                           res);
  if (rv != 0) { /* cannot happen: the sizes were just measured */
    hyper__mem_free(mem, blk);
    return rv;
  }
  *out = blk;
  return 0;
}

/* ---- RFC 9218 priority: a Structured Field Dictionary parser ------------ */

/* The item types of RFC 9651 §3.3. Only their type and, for integers and
 * booleans, their value matter here. */
enum { SF_INTEGER, SF_DECIMAL, SF_STRING, SF_TOKEN, SF_BYTES, SF_BOOLEAN,
       SF_DATE, SF_DISPLAY, SF_INNER_LIST };

typedef struct sf_in {
  const uint8_t *p, *end;
} sf_in;

typedef struct sf_item {
  int type;
  int64_t ival; /* integers and booleans */
} sf_item;

static int sf_peek(const sf_in *s) { return s->p < s->end ? *s->p : -1; }
static void sf_skip_sp(sf_in *s) {
  while (s->p < s->end && *s->p == ' ')
    s->p++;
}
static void sf_skip_ows(sf_in *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
    s->p++;
}
static int sf_lcalpha(int c) { return c >= 'a' && c <= 'z'; }

/* RFC 9651 §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" /
 * "-" / "." / "*" ). */
static int sf_key(sf_in *s, const uint8_t **key, size_t *len) {
  int c = sf_peek(s);
  if (!sf_lcalpha(c) && c != '*')
    return -1;
  const uint8_t *start = s->p++;
  while ((c = sf_peek(s)) >= 0 &&
         (sf_lcalpha(c) || is_digit((uint8_t)c) || c == '_' || c == '-' || c == '.' || c == '*'))
    s->p++;
  *key = start;
  *len = (size_t)(s->p - start);
  return 0;
}

/* RFC 9651 §4.2.4: integers (at most 15 digits) and decimals (at most 12
 * integer and 3 fractional digits). */
static int sf_number(sf_in *s, sf_item *it) {
  int neg = 0;
  if (sf_peek(s) == '-') {
    neg = 1;
    s->p++;
  }
  if (sf_peek(s) < 0 || !is_digit(*s->p))
    return -1;
  int is_dec = 0;
  size_t len = 0, dot = 0;
  int64_t v = 0;
  int c;
  while ((c = sf_peek(s)) >= 0) {
    if (is_digit((uint8_t)c)) {
      if (!is_dec)
        v = v * 10 + (c - '0');
    } else if (!is_dec && c == '.') {
      if (len > 12)
        return -1;
      is_dec = 1;
      dot = len;
    } else {
      break;
    }
    s->p++;
    len++;
    if (!is_dec && len > 15)
      return -1;
    if (is_dec && len > 16)
      return -1;
  }
  if (is_dec) {
    if (dot == len - 1 || len - dot - 1 > 3)
      return -1;
    it->type = SF_DECIMAL;
  } else {
    it->type = SF_INTEGER;
    it->ival = neg ? -v : v;
  }
  return 0;
}

/* RFC 9651 §4.2.5: printable ASCII, with \" and \\ escapes. */
static int sf_string(sf_in *s) {
  s->p++; /* DQUOTE */
  while (s->p < s->end) {
    uint8_t c = *s->p++;
    if (c == '\\') {
      if (s->p == s->end || (*s->p != '"' && *s->p != '\\'))
        return -1;
      s->p++;
    } else if (c == '"') {
      return 0;
    } else if (c < 0x20 || c > 0x7e) {
      return -1;
    }
  }
  return -1;
}

/* RFC 9651 §4.2.6: ( ALPHA / "*" ) *( tchar / ":" / "/" ). */
static int sf_token(sf_in *s) {
  s->p++;
  int c;
  while ((c = sf_peek(s)) >= 0 && ((cls[c] & (C_NAME | C_UPPER)) || c == ':' || c == '/'))
    s->p++;
  return 0;
}

/* RFC 9651 §4.2.7: ":" base64 ":" (padding is not checked). */
static int sf_bytes(sf_in *s) {
  s->p++;
  while (s->p < s->end) {
    uint8_t c = *s->p++;
    if (c == ':')
      return 0;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '/' && c != '=')
      return -1;
  }
  return -1;
}

static int hex_lc(uint8_t c) {
  if (is_digit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* RFC 9651 §4.2.10: %"..." with %xx (lowercase hex) escapes, decoding to
 * valid UTF-8 (RFC 3629: no overlongs, surrogates or values > 0x10FFFF). */
static int sf_display(sf_in *s) {
  s->p++; /* '%' */
  if (sf_peek(s) != '"')
    return -1;
  s->p++;
  unsigned need = 0;
  uint32_t cp = 0, min = 0;
  while (s->p < s->end) {
    uint8_t c = *s->p++;
    if (c < 0x20 || c > 0x7e)
      return -1;
    if (c == '"')
      return need == 0 ? 0 : -1;
    if (c == '%') {
      if (s->end - s->p < 2)
        return -1;
      int hi = hex_lc(s->p[0]), lo = hex_lc(s->p[1]);
      if (hi < 0 || lo < 0)
        return -1;
      c = (uint8_t)(hi << 4 | lo);
      s->p += 2;
    }
    if (need == 0) {
      if (c < 0x80)
        continue;
      if ((c & 0xe0) == 0xc0) {
        need = 1;
        cp = c & 0x1f;
        min = 0x80;
      } else if ((c & 0xf0) == 0xe0) {
        need = 2;
        cp = c & 0x0f;
        min = 0x800;
      } else if ((c & 0xf8) == 0xf0) {
        need = 3;
        cp = c & 0x07;
        min = 0x10000;
      } else {
        return -1;
      }
    } else {
      if ((c & 0xc0) != 0x80)
        return -1;
      cp = cp << 6 | (c & 0x3f);
      if (--need == 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
        return -1;
    }
  }
  return -1;
}

/* RFC 9651 §4.2.3.1: one bare item. */
static int sf_bare_item(sf_in *s, sf_item *it) {
  int c = sf_peek(s);
  if (c == '-' || (c >= 0 && is_digit((uint8_t)c)))
    return sf_number(s, it);
  switch (c) {
  case '"':
    it->type = SF_STRING;
    return sf_string(s);
  case ':':
    it->type = SF_BYTES;
    return sf_bytes(s);
  case '?':
    s->p++;
    c = sf_peek(s);
    if (c != '0' && c != '1')
      return -1;
    s->p++;
    it->type = SF_BOOLEAN;
    it->ival = c == '1';
    return 0;
  case '@': /* date: an integer */
    s->p++;
    if (sf_number(s, it) != 0 || it->type != SF_INTEGER)
      return -1;
    it->type = SF_DATE;
    return 0;
  case '%':
    it->type = SF_DISPLAY;
    return sf_display(s);
  default:
    if (c >= 0 && (is_alpha((uint8_t)c) || c == '*')) {
      it->type = SF_TOKEN;
      return sf_token(s);
    }
    return -1;
  }
}

/* RFC 9651 §4.2.3.2: *( ";" *SP key [ "=" bare-item ] ); values unused. */
static int sf_params(sf_in *s) {
  while (sf_peek(s) == ';') {
    s->p++;
    sf_skip_sp(s);
    const uint8_t *k;
    size_t kn;
    if (sf_key(s, &k, &kn) != 0)
      return -1;
    if (sf_peek(s) == '=') {
      s->p++;
      sf_item ignored;
      if (sf_bare_item(s, &ignored) != 0)
        return -1;
    }
  }
  return 0;
}

/* RFC 9651 §4.2.1.2: "(" *SP [ item *( 1*SP item ) *SP ] ")" params. */
static int sf_inner_list(sf_in *s) {
  s->p++; /* '(' */
  for (;;) {
    sf_skip_sp(s);
    int c = sf_peek(s);
    if (c < 0)
      return -1;
    if (c == ')') {
      s->p++;
      return sf_params(s);
    }
    sf_item ignored;
    if (sf_bare_item(s, &ignored) != 0 || sf_params(s) != 0)
      return -1;
    c = sf_peek(s);
    if (c != ' ' && c != ')')
      return -1;
  }
}

/* RFC 9218 §4.1, §4.2: applies one dictionary member; the last instance of
 * a key wins (RFC 9651 §3.2), and a value of the wrong type or out of
 * range leaves the default (RFC 9218 §4). */
static void prio_apply(hyper__h2_priority *p, const uint8_t *k, size_t kn, const sf_item *it) {
  if (kn != 1)
    return;
  if (k[0] == 'u')
    p->urgency = (it->type == SF_INTEGER && it->ival >= 0 &&
                  it->ival <= HYPER__H2_PRIORITY_URGENCY_MAX)
                     ? (uint8_t)it->ival
                     : HYPER__H2_PRIORITY_URGENCY_DEFAULT;
  else if (k[0] == 'i')
    p->incremental = it->type == SF_BOOLEAN ? (uint8_t)it->ival : 0;
}

/* RFC 9651 §4.2 and §4.2.2: one field line as a dictionary, into |p|. */
static int sf_dictionary(const uint8_t *v, size_t n, hyper__h2_priority *p) {
  sf_in s = {v ? v : empty_byte, (v ? v : empty_byte) + n};
  sf_skip_sp(&s);
  while (s.p < s.end) {
    const uint8_t *k;
    size_t kn;
    sf_item it;
    if (sf_key(&s, &k, &kn) != 0)
      return -1;
    if (sf_peek(&s) == '=') {
      s.p++;
      if (sf_peek(&s) == '(') {
        it.type = SF_INNER_LIST;
        if (sf_inner_list(&s) != 0)
          return -1;
      } else if (sf_bare_item(&s, &it) != 0 || sf_params(&s) != 0) {
        return -1;
      }
    } else {
      it.type = SF_BOOLEAN; /* a bare key is true */
      it.ival = 1;
      if (sf_params(&s) != 0)
        return -1;
    }
    prio_apply(p, k, kn, &it);
    sf_skip_ows(&s);
    if (s.p == s.end)
      return 0;
    if (*s.p != ',')
      return -1;
    s.p++;
    sf_skip_ows(&s);
    if (s.p == s.end) /* trailing comma */
      return -1;
  }
  return 0;
}

void hyper__h2_priority_init(hyper__h2_priority *p) {
  p->urgency = HYPER__H2_PRIORITY_URGENCY_DEFAULT;
  p->incremental = 0;
}

int hyper__h2_priority_parse(const uint8_t *value, size_t len, hyper__h2_priority *out) {
  hyper__h2_priority_init(out);
  if (sf_dictionary(value, len, out) != 0) {
    hyper__h2_priority_init(out); /* RFC 9651 §4.2: ignore the field */
    return HYPER_ERR_INVALID_ARGUMENT;
  }
  return 0;
}

int hyper__h2_priority_parse_fields(const hyper_field *fields, size_t n,
                                    hyper__h2_priority *out) {
  hyper__h2_priority_init(out);
  size_t lines = 0;
  int empty = 0;
  for (size_t i = 0; i < n; i++) {
    if (!IEQ(fields[i].name, fields[i].name_len, "priority"))
      continue;
    lines++;
    /* Joined with ", ", an empty line among others is a trailing or
     * doubled comma; alone it is an empty dictionary. */
    if (fields[i].value_len == 0)
      empty = 1;
    else if (sf_dictionary(fields[i].value, fields[i].value_len, out) != 0)
      goto fail;
  }
  if (empty && lines > 1)
    goto fail;
  return 0;
fail:
  hyper__h2_priority_init(out);
  return HYPER_ERR_INVALID_ARGUMENT;
}

int hyper__h2_priority_format(const hyper__h2_priority *p, uint8_t *buf, size_t cap) {
  if (p == NULL || p->urgency > HYPER__H2_PRIORITY_URGENCY_MAX || p->incremental > 1 ||
      (buf == NULL && cap > 0))
    return HYPER_ERR_INVALID_ARGUMENT;
  uint8_t tmp[HYPER__H2_PRIORITY_FORMAT_MAX];
  size_t len = 0;
  if (p->urgency != HYPER__H2_PRIORITY_URGENCY_DEFAULT) {
    tmp[len++] = 'u';
    tmp[len++] = '=';
    tmp[len++] = (uint8_t)('0' + p->urgency);
  }
  if (p->incremental) {
    if (len) {
      tmp[len++] = ',';
      tmp[len++] = ' ';
    }
    tmp[len++] = 'i';
  }
  if (len > cap)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  if (len)
    memcpy(buf, tmp, len);
  return (int)len;
}

/* ---- the public form (h2.h) --------------------------------------------- */

_Static_assert(HYPER_H2_PRIORITY_FORMAT_MAX == HYPER__H2_PRIORITY_FORMAT_MAX,
               "public and internal format bounds agree");

static void priority_out(const hyper__h2_priority *in, hyper_h2_priority *out) {
  out->urgency = in->urgency;
  out->incremental = in->incremental;
}

int hyper_h2_priority_parse(const uint8_t *value, size_t len, hyper_h2_priority *out) {
  if (out == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_priority p;
  int rv = value == NULL && len > 0 ? HYPER_ERR_INVALID_ARGUMENT
                                    : hyper__h2_priority_parse(value, len, &p);
  if (rv)
    hyper__h2_priority_init(&p);
  priority_out(&p, out);
  return rv;
}

int hyper_h2_priority_from_fields(const hyper_field *fields, size_t n,
                                  hyper_h2_priority *out) {
  if (out == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_priority p;
  int rv = fields == NULL && n > 0 ? HYPER_ERR_INVALID_ARGUMENT
                                   : hyper__h2_priority_parse_fields(fields, n, &p);
  if (rv)
    hyper__h2_priority_init(&p);
  priority_out(&p, out);
  return rv;
}

int hyper_h2_priority_format(const hyper_h2_priority *p, uint8_t *buf, size_t cap) {
  if (p == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h2_priority in = {p->urgency, p->incremental};
  return hyper__h2_priority_format(&in, buf, cap);
}
