/* HTTP/1.1 response parsing (RFC 9112 §2-§6, §9.3; RFC 9110 §5, §6.4,
 * §8.6, §15): the stateless head parser (picohttpparser style: find the
 * end of the section, then one table-driven pass over it, slices into the
 * caller's buffer, no allocation) and the response parser object that
 * matches responses to requests and hands out events.
 *
 * Split invariance: every decision depends only on the bytes, never on
 * how they were split. A section is parsed only once its end (the first
 * empty line) is in the buffer, or rejected once the first
 * max_header_bytes octets hold no end; the only earlier verdict is the
 * "HTTP/" prefix, which depends on the first five octets alone. */
#include "h1_int.h"

#include <string.h>

/* ---- character classes ------------------------------------------------ */

/* Bits: H1_TOKEN 1, H1_VALUE 2, H1_HEX 4, H1_QDTEXT 8. Generated from the
 * RFC 9110 ABNF (tchar; HTAB / SP / VCHAR / obs-text; HEXDIG; qdtext). */
const uint8_t hyper__h1_ctab[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  10, 0,  0,  0,  0,  0,  0,  /* 0x00 */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
    10, 11, 2,  11, 11, 11, 11, 11, 10, 10, 11, 11, 10, 11, 11, 10, /* 0x20 */
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 10, 10, 10, 10, 10, 10, /* 0x30 */
    10, 15, 15, 15, 15, 15, 15, 11, 11, 11, 11, 11, 11, 11, 11, 11, /* 0x40 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 2,  10, 11, 11, /* 0x50 */
    11, 15, 15, 15, 15, 15, 15, 11, 11, 11, 11, 11, 11, 11, 11, 11, /* 0x60 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 11, 10, 11, 0,  /* 0x70 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0x80 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0x90 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xa0 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xb0 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xc0 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xd0 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xe0 */
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, /* 0xf0 */
};

#define CT hyper__h1_ctab

/* ---- configuration ---------------------------------------------------- */

void hyper_h1_config_init(hyper_h1_config *cfg) {
  if (!cfg)
    return;
  cfg->max_header_bytes = HYPER_H1_DEFAULT_MAX_HEADER_BYTES;
  cfg->max_line = HYPER_H1_DEFAULT_MAX_LINE;
  cfg->max_headers = HYPER_H1_DEFAULT_MAX_HEADERS;
  cfg->max_chunk_ext = HYPER_H1_DEFAULT_MAX_CHUNK_EXT;
  cfg->max_informational = HYPER_H1_DEFAULT_MAX_INFORMATIONAL;
  cfg->max_pipeline = HYPER_H1_DEFAULT_MAX_PIPELINE;
  cfg->allow_bare_lf = 1;
}

int hyper__h1_config_check(const hyper_h1_config *cfg, hyper_h1_config *out) {
  if (!cfg) {
    hyper_h1_config_init(out);
    return HYPER_OK;
  }
  if (cfg->max_header_bytes < 16 || cfg->max_line < 16 ||
      cfg->max_headers < 1 || cfg->max_headers > HYPER_H1_MAX_HEADERS_LIMIT ||
      cfg->max_informational < 1 || cfg->max_pipeline < 1 ||
      cfg->max_pipeline > HYPER_H1_MAX_PIPELINE)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = *cfg;
  out->allow_bare_lf = cfg->allow_bare_lf ? 1 : 0;
  return HYPER_OK;
}

/* ---- section end ------------------------------------------------------ */

size_t hyper__h1_find_end(const uint8_t *buf, size_t n, size_t *scan, int sol,
                          size_t *empty) {
  size_t i = *scan;
  if (sol && i == 0) {
    /* An empty section: the first line is already the empty line. */
    if (n == 0)
      return 0;
    if (buf[0] == '\n') {
      *empty = 1;
      return 1;
    }
    if (buf[0] == '\r') {
      if (n < 2)
        return 0;
      if (buf[1] == '\n') {
        *empty = 2;
        return 2;
      }
    }
  }
  while (i < n) {
    const uint8_t *lf = memchr(buf + i, '\n', n - i);
    if (!lf) {
      i = n;
      break;
    }
    size_t j = (size_t)(lf - buf);
    if (j + 1 >= n) {
      i = j; /* undecided: look at this LF again */
      break;
    }
    if (buf[j + 1] == '\n') {
      *empty = 1;
      return j + 2;
    }
    if (buf[j + 1] == '\r') {
      if (j + 2 >= n) {
        i = j;
        break;
      }
      if (buf[j + 2] == '\n') {
        *empty = 2;
        return j + 3;
      }
    }
    i = j + 1;
  }
  *scan = i;
  return 0;
}

/* ---- field lines ------------------------------------------------------ */

/* |a| (n octets) equals the lowercase literal |lit|, ignoring ASCII case.
 * Safe for the literals used here (letters and "-"): x | 0x20 maps only
 * "X"/"x" to "x", and only CR/"-" to "-", and CR never reaches here. */
static inline int ieq(const uint8_t *a, const char *lit, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((uint8_t)(a[i] | 0x20) != (uint8_t)lit[i])
      return 0;
  return 1;
}

static inline int ows(uint8_t c) { return c == ' ' || c == '\t'; }

/* Content-Length = 1*DIGIT (RFC 9110 §8.6); a list of identical values is
 * accepted as one value; anything else marks the section bad. */
static void parse_cl(const uint8_t *v, size_t n, hyper__h1_finfo *fi) {
  size_t i = 0;
  fi->cl_seen = 1;
  if (fi->cl_bad)
    return;
  for (;;) {
    while (i < n && ows(v[i]))
      i++;
    size_t s = i;
    uint64_t x = 0;
    while (i < n && v[i] >= '0' && v[i] <= '9') {
      uint64_t d = (uint64_t)(v[i] - '0');
      if (x > ((uint64_t)INT64_MAX - d) / 10) {
        fi->cl_bad = 1;
        return;
      }
      x = x * 10 + d;
      i++;
    }
    if (i == s) {
      fi->cl_bad = 1; /* empty element, sign, or not a digit */
      return;
    }
    while (i < n && ows(v[i]))
      i++;
    if (fi->cl >= 0 && (uint64_t)fi->cl != x) {
      fi->cl_bad = 1;
      return;
    }
    fi->cl = (int64_t)x;
    if (i == n)
      return;
    if (v[i] != ',') {
      fi->cl_bad = 1;
      return;
    }
    i++;
  }
}

/* Calls the element handler on each non-empty, trimmed element of a
 * comma-separated list (RFC 9110 §5.6.1: empty elements are ignored). */
#define FOR_EACH_ELEMENT(v, n, s, len, BODY)                                   \
  do {                                                                         \
    size_t i_ = 0;                                                             \
    for (;;) {                                                                 \
      while (i_ < (n) && ows((v)[i_]))                                         \
        i_++;                                                                  \
      size_t b_ = i_;                                                          \
      while (i_ < (n) && (v)[i_] != ',')                                       \
        i_++;                                                                  \
      size_t e_ = i_;                                                          \
      while (e_ > b_ && ows((v)[e_ - 1]))                                      \
        e_--;                                                                  \
      if (e_ > b_) {                                                           \
        const uint8_t *s = (v) + b_;                                           \
        size_t len = e_ - b_;                                                  \
        BODY                                                                   \
      }                                                                        \
      if (i_ >= (n))                                                           \
        break;                                                                 \
      i_++;                                                                    \
    }                                                                          \
  } while (0)

/* Transfer-Encoding (RFC 9112 §6.1): we accept exactly one coding,
 * "chunked". Anything else (another coding, a parameter, chunked twice)
 * makes the framing undecidable for us. */
static void parse_te(const uint8_t *v, size_t n, hyper__h1_finfo *fi) {
  fi->te_seen = 1;
  FOR_EACH_ELEMENT(v, n, s, len, {
    fi->te_count++;
    if (!(len == 7 && ieq(s, "chunked", 7)))
      fi->te_bad = 1;
  });
}

/* Connection options (RFC 9110 §7.6.1), only the two that matter here. */
static void parse_connection(const uint8_t *v, size_t n, hyper__h1_finfo *fi) {
  FOR_EACH_ELEMENT(v, n, s, len, {
    if (len == 5 && ieq(s, "close", 5))
      fi->conn_close = 1;
    else if (len == 10 && ieq(s, "keep-alive", 10))
      fi->conn_keep_alive = 1;
  });
}

static void classify(const uint8_t *name, size_t nlen, const uint8_t *v,
                     size_t vlen, hyper__h1_finfo *fi) {
  switch (nlen) {
  case 10:
    if (ieq(name, "connection", 10))
      parse_connection(v, vlen, fi);
    break;
  case 14:
    if (ieq(name, "content-length", 14))
      parse_cl(v, vlen, fi);
    break;
  case 17:
    if (ieq(name, "transfer-encoding", 17))
      parse_te(v, vlen, fi);
    break;
  default:
    break;
  }
}

/* Returns the first octet at or after |p| that is not in |cls|. The caller
 * guarantees a terminating octet outside the class (the block ends with
 * LF), so the reads never run past it: each one is made only after the
 * previous octet was found inside the class. */
static inline const uint8_t *skip_class(const uint8_t *p, uint8_t cls) {
  for (;;) {
    if (!(CT[p[0]] & cls))
      return p;
    if (!(CT[p[1]] & cls))
      return p + 1;
    if (!(CT[p[2]] & cls))
      return p + 2;
    if (!(CT[p[3]] & cls))
      return p + 3;
    p += 4;
  }
}

/* Field values: skips 8 octets at a time while all of them are 0x20..0x7e
 * (the common case), never reading at or past |end|; the table loop then
 * finishes. Word test (SWAR): an octet >= 0x80 has its high bit set in x;
 * the lowest octet < 0x20 gets it in x - 0x2020..20 (borrow), the lowest
 * 0x7f in x + 0x0101..01. Borrows and carries out of such octets can only
 * flag more words, which just sends them to the exact loop. */
static inline const uint8_t *skip_value(const uint8_t *p, const uint8_t *end) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t x;
    memcpy(&x, p, 8);
    if (((x | (x - ones * 0x20) | (x + ones)) & highs) != 0)
      break;
    p += 8;
  }
  return skip_class(p, H1_VALUE);
}

int hyper__h1_parse_lines(const uint8_t *p, const uint8_t *end,
                          const hyper__h1_lim *lim, hyper_field *fields,
                          size_t *nfields, hyper__h1_finfo *fi) {
  size_t n = 0;
  while (p < end) {
    const uint8_t *line = p;
    /* field-name: 1*tchar directly followed by ":". A line starting with
     * SP/HTAB (obs-fold, or whitespace after the start line), an empty
     * line, whitespace before the colon, or a non-token octet all fail. */
    const uint8_t *name = p;
    p = skip_class(p, H1_TOKEN);
    if (HYPER_UNLIKELY(p == name || *p != ':'))
      return HYPER_ERR_H1_PARSE;
    size_t nlen = (size_t)(p - name);
    p++;
    while (ows(*p))
      p++;
    const uint8_t *value = p;
    p = skip_value(p, end);
    const uint8_t *vend = p;
    if (HYPER_LIKELY(*p == '\r')) {
      if (HYPER_UNLIKELY(p[1] != '\n'))
        return HYPER_ERR_H1_PARSE; /* bare CR */
      p += 2;
    } else if (*p == '\n') {
      if (HYPER_UNLIKELY(!lim->bare_lf))
        return HYPER_ERR_H1_PARSE;
      p++;
    } else {
      return HYPER_ERR_H1_PARSE; /* NUL or another control octet */
    }
    if (HYPER_UNLIKELY((size_t)(p - line) > lim->max_line))
      return HYPER_ERR_H1_TOO_LARGE;
    if (HYPER_UNLIKELY(n >= lim->max_fields))
      return HYPER_ERR_H1_TOO_LARGE;
    while (vend > value && ows(vend[-1]))
      vend--;
    size_t vlen = (size_t)(vend - value);
    if (fields) {
      hyper_field *f = &fields[n];
      f->name = name;
      f->name_len = nlen;
      f->value = value;
      f->value_len = vlen;
      f->flags = 0;
    }
    n++;
    if (fi && (nlen == 10 || nlen == 14 || nlen == 17))
      classify(name, nlen, value, vlen, fi);
  }
  *nfields = n;
  return HYPER_OK;
}

/* ---- the response head ------------------------------------------------ */

static inline int digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* The framing decision of RFC 9112 §6.3 and the persistence rule of §9.3,
 * for a head whose status line and fields are parsed. */
static int decide(hyper_h1_head *h, const hyper__h1_finfo *fi,
                  uint32_t req_flags) {
  int status = h->status;
  int keep = 0;
  if (fi->conn_close)
    keep = 0;
  else if (h->minor_version >= 1)
    keep = 1;
  else
    keep = fi->conn_keep_alive;
  if (req_flags & HYPER_H1_REQ_CLOSE)
    keep = 0;
  h->content_length = (fi->cl_seen && !fi->cl_bad) ? fi->cl : -1;

  if (status == 101) {
    /* HOSTILE-PEERS I.7: only when we asked to upgrade. */
    if (!(req_flags & HYPER_H1_REQ_UPGRADE))
      return HYPER_ERR_H1_PARSE;
    h->framing = HYPER_H1_BODY_TUNNEL;
    h->keep_alive = 0;
    return HYPER_OK;
  }
  if (status < 200) {
    h->framing = HYPER_H1_BODY_NONE;
    h->keep_alive = keep;
    return HYPER_OK;
  }
  if ((req_flags & HYPER_H1_REQ_CONNECT) && status < 300) {
    /* §6.3 item 2: ignore Content-Length and Transfer-Encoding. */
    h->framing = HYPER_H1_BODY_TUNNEL;
    h->keep_alive = 0;
    return HYPER_OK;
  }
  if ((req_flags & HYPER_H1_REQ_HEAD) || status == 204 || status == 304) {
    /* §6.3 item 1: no body "regardless of the header fields present". */
    h->framing = HYPER_H1_BODY_NONE;
    h->keep_alive = keep;
    return HYPER_OK;
  }
  if (fi->te_seen) {
    /* §6.3 item 3 and HOSTILE-PEERS I.1: Transfer-Encoding together with
     * Content-Length is a smuggling signal; we refuse it. */
    if (fi->cl_seen || fi->te_bad || fi->te_count != 1)
      return HYPER_ERR_H1_LENGTH;
    h->framing = HYPER_H1_BODY_CHUNKED;
    /* §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing
     * for the connection: process it, then close. */
    h->keep_alive = h->minor_version >= 1 ? keep : 0;
    return HYPER_OK;
  }
  if (fi->cl_seen) {
    if (fi->cl_bad) /* §6.3 item 5 */
      return HYPER_ERR_H1_LENGTH;
    h->framing = HYPER_H1_BODY_LENGTH;
    h->keep_alive = keep;
    return HYPER_OK;
  }
  /* §6.3 item 8: read until the server closes. */
  h->framing = HYPER_H1_BODY_CLOSE;
  h->keep_alive = 0;
  return HYPER_OK;
}

/* Parses a complete head buf[0..end), whose empty line is |empty| octets. */
static int parse_head(const uint8_t *buf, size_t end, size_t empty,
                      uint32_t req_flags, const hyper_h1_config *cfg,
                      hyper_h1_head *h, hyper_field *fields,
                      size_t max_fields) {
  /* Every check below reads octets in order and stops at the first
   * mismatch; the head ends with LF, which matches none of them, so no
   * read passes the end. The "HTTP/" prefix was checked by the caller. */
  const uint8_t *p = buf + 5;
  if (!digit(p[0]) || p[1] != '.' || !digit(p[2]) || p[3] != ' ')
    return HYPER_ERR_H1_PARSE;
  if (p[0] != '1')
    return HYPER_ERR_H1_PARSE; /* HTTP/0.x, HTTP/2+ in an HTTP/1 stream */
  h->minor_version = p[2] - '0';
  p += 4;
  if (!digit(p[0]) || !digit(p[1]) || !digit(p[2]))
    return HYPER_ERR_H1_PARSE;
  h->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
  if (h->status < 100)
    return HYPER_ERR_H1_PARSE;
  p += 3;
  const uint8_t *reason = p;
  if (*p == ' ') {
    reason = ++p;
    p = skip_class(p, H1_VALUE);
  }
  h->reason.ptr = reason;
  h->reason.len = (size_t)(p - reason);
  if (*p == '\r') {
    if (p[1] != '\n')
      return HYPER_ERR_H1_PARSE;
    p += 2;
  } else if (*p == '\n') {
    if (!cfg->allow_bare_lf)
      return HYPER_ERR_H1_PARSE;
    p++;
  } else {
    return HYPER_ERR_H1_PARSE; /* 4+ digit code, control octet, ... */
  }
  if ((size_t)(p - buf) > cfg->max_line)
    return HYPER_ERR_H1_TOO_LARGE;

  /* The empty line closing the section must use an allowed terminator
   * (the scanner accepts both). */
  if (empty == 1 && !cfg->allow_bare_lf)
    return HYPER_ERR_H1_PARSE;
  hyper__h1_lim lim;
  lim.max_line = cfg->max_line;
  lim.max_fields = HYPER_MIN(max_fields, cfg->max_headers);
  lim.bare_lf = cfg->allow_bare_lf;
  hyper__h1_finfo fi;
  memset(&fi, 0, sizeof fi);
  fi.cl = -1;
  size_t n = 0;
  int rv = hyper__h1_parse_lines(p, buf + end - empty, &lim, fields, &n, &fi);
  if (rv)
    return rv;
  h->fields = fields;
  h->nfields = n;
  return decide(h, &fi, req_flags);
}

static const uint8_t http_prefix[5] = {'H', 'T', 'T', 'P', '/'};

/* Shared by hyper_h1_parse_response() and the parser object; |cfg| is
 * valid. */
static int parse_response(const uint8_t *buf, size_t len, size_t *scan,
                          uint32_t req_flags, const hyper_h1_config *cfg,
                          hyper_h1_head *out, hyper_field *fields,
                          size_t max_fields) {
  /* HTTP/0.9 (no status line) and other garbage fail on the first octets
   * (HOSTILE-PEERS I.6). */
  size_t k = len < 5 ? len : 5;
  if (k && memcmp(buf, http_prefix, k) != 0)
    return HYPER_ERR_H1_PARSE;
  size_t n = HYPER_MIN(len, cfg->max_header_bytes);
  size_t empty = 0;
  size_t end = hyper__h1_find_end(buf, n, scan, 0, &empty);
  if (!end)
    return len >= cfg->max_header_bytes ? HYPER_ERR_H1_TOO_LARGE
                                        : HYPER_ERR_INCOMPLETE;
  /* The head holds at least "HTTP/" and one LF before the empty line. */
  if (end - empty < 6)
    return HYPER_ERR_H1_PARSE;
  int rv = parse_head(buf, end, empty, req_flags, cfg, out, fields,
                      max_fields);
  if (rv)
    return rv;
  return (int)end;
}

int hyper_h1_parse_response(const uint8_t *buf, size_t len, size_t *scan,
                            uint32_t req_flags, const hyper_h1_config *cfg,
                            hyper_h1_head *out, hyper_field *fields,
                            size_t max_fields) {
  hyper_h1_config c;
  if (!scan || !out || (!buf && len) || (!fields && max_fields) ||
      (req_flags & ~(uint32_t)H1_REQ_MASK))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (hyper__h1_config_check(cfg, &c))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c.max_header_bytes > (size_t)INT32_MAX)
    c.max_header_bytes = (size_t)INT32_MAX; /* the length fits the int */
  if (!buf)
    return HYPER_ERR_INCOMPLETE;
  return parse_response(buf, len, scan, req_flags, &c, out, fields,
                        max_fields);
}

int hyper_h1_parse_fields(const uint8_t *buf, size_t len,
                          const hyper_h1_config *cfg, hyper_field *fields,
                          size_t max_fields, size_t *nfields) {
  hyper_h1_config c;
  if (!nfields || (!buf && len) || (!fields && max_fields))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (hyper__h1_config_check(cfg, &c))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (len == 0) {
    *nfields = 0;
    return HYPER_OK;
  }
  if (buf[len - 1] != '\n')
    return HYPER_ERR_H1_PARSE;
  hyper__h1_lim lim;
  lim.max_line = c.max_line;
  lim.max_fields = HYPER_MIN(max_fields, c.max_headers);
  lim.bare_lf = c.allow_bare_lf;
  /* Counting needs no storage; with max_fields 0 every field is over. */
  return hyper__h1_parse_lines(buf, buf + len, &lim, fields, nfields, NULL);
}

/* ======================================================================== */
/* The parser object                                                        */
/* ======================================================================== */

enum pstate {
  P_IDLE = 0,   /* between responses */
  P_HEAD,       /* reading a head (1xx or final) */
  P_BODY_LEN,   /* Content-Length body */
  P_BODY_CHUNK, /* chunked body */
  P_BODY_CLOSE, /* close-delimited body */
  P_DONE,       /* a non-reusable response ended; no more input */
  P_UPGRADED,   /* 101 / CONNECT: the rest is not ours */
  P_CLOSED      /* the peer closed */
};

#define MAX_EVENTS 3

struct hyper_h1_parser {
  hyper_mem mem;
  hyper_h1_config cfg;
  int state;
  int err; /* sticky parse error, 0 when none */
  /* requests awaiting a response: a ring of HYPER_H1_REQ_* flags */
  uint8_t req[HYPER_H1_MAX_PIPELINE];
  uint32_t req_first, req_count;
  uint32_t cur_flags;  /* the request being answered */
  int body_active;     /* its final head was seen, END not yet */
  uint32_t ninfo;      /* 1xx responses seen for it */
  size_t scan;         /* section scanner resume offset */
  int head_seen;       /* an octet of the current head was seen */
  int keep_alive;      /* of the current final head */
  uint64_t remaining;  /* Content-Length body */
  hyper_h1_chunked chunked;
  hyper_h1_event ev[MAX_EVENTS];
  uint32_t ev_first, ev_count;
  size_t max_fields;
  hyper_field fields[]; /* max_headers entries */
};

int hyper_h1_parser_new(hyper_h1_parser **out, const hyper_h1_config *cfg,
                        const hyper_mem *mem) {
  hyper_h1_config c;
  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (hyper__h1_config_check(cfg, &c))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c.max_header_bytes > (size_t)INT32_MAX)
    c.max_header_bytes = (size_t)INT32_MAX;
  hyper_mem m;
  hyper__mem_init(&m, mem);
  size_t size = sizeof(hyper_h1_parser) + c.max_headers * sizeof(hyper_field);
  hyper_h1_parser *p = hyper__mem_malloc(&m, size);
  if (!p)
    return HYPER_ERR_NOMEM;
  memset(p, 0, sizeof *p);
  p->mem = m;
  p->cfg = c;
  p->state = P_IDLE;
  p->max_fields = c.max_headers;
  *out = p;
  return HYPER_OK;
}

void hyper_h1_parser_free(hyper_h1_parser *p) {
  if (!p)
    return;
  hyper_mem m = p->mem;
  hyper__mem_free(&m, p);
}

int hyper_h1_parser_request(hyper_h1_parser *p, uint32_t req_flags) {
  if (!p || (req_flags & ~(uint32_t)H1_REQ_MASK))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (p->err)
    return p->err;
  if (p->state == P_DONE || p->state == P_UPGRADED || p->state == P_CLOSED)
    return HYPER_ERR_INVALID_STATE;
  if (p->req_count >= p->cfg.max_pipeline)
    return HYPER_ERR_LIMIT_EXCEEDED;
  p->req[(p->req_first + p->req_count) % HYPER_H1_MAX_PIPELINE] =
      (uint8_t)req_flags;
  p->req_count++;
  return HYPER_OK;
}

size_t hyper_h1_parser_outstanding(const hyper_h1_parser *p) {
  if (!p)
    return 0;
  return (size_t)p->req_count + (p->body_active ? 1u : 0u);
}

int hyper_h1_parser_next_event(hyper_h1_parser *p, hyper_h1_event *ev) {
  if (!p || !ev || p->ev_count == 0)
    return 0;
  *ev = p->ev[p->ev_first];
  p->ev_first = (p->ev_first + 1) % MAX_EVENTS;
  p->ev_count--;
  return 1;
}

static hyper_h1_event *push(hyper_h1_parser *p, hyper_h1_event_type t) {
  /* Callers push at most MAX_EVENTS per feed, into an empty queue. */
  hyper_h1_event *ev = &p->ev[(p->ev_first + p->ev_count) % MAX_EVENTS];
  p->ev_count++;
  memset(ev, 0, sizeof *ev);
  ev->type = t;
  return ev;
}

static int fail(hyper_h1_parser *p, int err) {
  p->err = err;
  p->ev_count = 0;
  return err;
}

/* Queues END for the current response and moves to the next state. */
static void end_response(hyper_h1_parser *p, int reusable, int upgraded) {
  hyper_h1_event *ev = push(p, HYPER_H1_EV_END);
  ev->u.end.reusable = reusable;
  ev->u.end.upgraded = upgraded;
  p->body_active = 0;
  if (upgraded)
    p->state = P_UPGRADED;
  else if (reusable)
    p->state = P_IDLE;
  else
    p->state = P_DONE;
}

/* Reads a head at |in|; returns octets consumed, INCOMPLETE or an error. */
static int feed_head(hyper_h1_parser *p, const uint8_t *in, size_t len) {
  hyper_h1_head h;
  int rv = parse_response(in, len, &p->scan, p->cur_flags, &p->cfg, &h,
                          p->fields, p->max_fields);
  if (rv == HYPER_ERR_INCOMPLETE) {
    if (len)
      p->head_seen = 1;
    return rv;
  }
  if (rv < 0)
    return fail(p, rv);
  p->scan = 0;
  p->head_seen = 0;
  if (h.status < 200 && h.status != 101) {
    if (++p->ninfo > p->cfg.max_informational)
      return fail(p, HYPER_ERR_H1_TOO_LARGE); /* HOSTILE-PEERS I.8 */
    push(p, HYPER_H1_EV_INFORMATIONAL)->u.head = h;
    return rv;
  }
  /* The final response: the request is answered. */
  p->req_first = (p->req_first + 1) % HYPER_H1_MAX_PIPELINE;
  p->req_count--;
  p->ninfo = 0;
  p->body_active = 1;
  p->keep_alive = h.keep_alive;
  push(p, HYPER_H1_EV_HEAD)->u.head = h;
  switch (h.framing) {
  case HYPER_H1_BODY_TUNNEL:
    end_response(p, 0, 1);
    break;
  case HYPER_H1_BODY_LENGTH:
    if (h.content_length == 0) {
      end_response(p, p->keep_alive, 0);
    } else {
      p->remaining = (uint64_t)h.content_length;
      p->state = P_BODY_LEN;
    }
    break;
  case HYPER_H1_BODY_CHUNKED:
    hyper_h1_chunked_init(&p->chunked, &p->cfg);
    p->state = P_BODY_CHUNK;
    break;
  case HYPER_H1_BODY_CLOSE:
    p->state = P_BODY_CLOSE;
    break;
  case HYPER_H1_BODY_NONE:
  default:
    end_response(p, p->keep_alive, 0);
    break;
  }
  return rv;
}

int hyper_h1_parser_feed(hyper_h1_parser *p, const uint8_t *in, size_t len) {
  if (!p || (!in && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (p->err)
    return p->err;
  if (p->ev_count)
    return HYPER_ERR_INVALID_STATE;
  if (p->state == P_UPGRADED)
    return HYPER_ERR_INVALID_STATE;
  if (len > (size_t)INT32_MAX)
    len = (size_t)INT32_MAX; /* the count must fit the return value */
  size_t i = 0;
  while (i < len) {
    switch (p->state) {
    case P_IDLE:
      if (p->req_count == 0)
        return fail(p, HYPER_ERR_H1_LENGTH); /* HOSTILE-PEERS I.5 */
      p->cur_flags = p->req[p->req_first];
      p->scan = 0;
      p->head_seen = 0;
      p->state = P_HEAD;
      /* fall through */
    case P_HEAD: {
      int rv = feed_head(p, in + i, len - i);
      if (rv == HYPER_ERR_INCOMPLETE)
        return i ? (int)i : rv;
      if (rv < 0)
        return rv;
      i += (size_t)rv;
      return (int)i; /* an event is queued */
    }
    case P_BODY_LEN: {
      size_t n = len - i;
      if ((uint64_t)n > p->remaining)
        n = (size_t)p->remaining;
      hyper_h1_event *ev = push(p, HYPER_H1_EV_DATA);
      ev->u.data.data = in + i;
      ev->u.data.len = n;
      i += n;
      p->remaining -= n;
      if (p->remaining == 0)
        end_response(p, p->keep_alive, 0);
      return (int)i;
    }
    case P_BODY_CHUNK: {
      hyper_h1_chunked_out co;
      int rv = hyper_h1_chunked_decode(&p->chunked, in + i, len - i, &co);
      if (rv == HYPER_ERR_INCOMPLETE)
        return i ? (int)i : rv;
      if (rv < 0)
        return fail(p, rv);
      i += (size_t)rv;
      if (co.len) {
        hyper_h1_event *ev = push(p, HYPER_H1_EV_DATA);
        ev->u.data.data = co.data;
        ev->u.data.len = co.len;
      }
      if (co.done) {
        if (co.trailers.len) {
          hyper__h1_lim lim;
          size_t n = 0;
          lim.max_line = p->cfg.max_line;
          lim.max_fields = p->max_fields;
          lim.bare_lf = p->cfg.allow_bare_lf;
          /* Already validated by the decoder with the same limits. */
          rv = hyper__h1_parse_lines(co.trailers.ptr,
                                     co.trailers.ptr + co.trailers.len, &lim,
                                     p->fields, &n, NULL);
          if (rv)
            return fail(p, rv);
          hyper_h1_event *ev = push(p, HYPER_H1_EV_TRAILERS);
          ev->u.trailers.fields = p->fields;
          ev->u.trailers.nfields = n;
        }
        end_response(p, p->keep_alive, 0);
      }
      if (p->ev_count || rv == 0)
        return (int)i;
      break;
    }
    case P_BODY_CLOSE: {
      hyper_h1_event *ev = push(p, HYPER_H1_EV_DATA);
      ev->u.data.data = in + i;
      ev->u.data.len = len - i;
      return (int)len;
    }
    case P_DONE:
    case P_CLOSED:
    default:
      /* A body longer than declared, or anything after a response that
       * ended the connection: desynchronised (HOSTILE-PEERS I.5). */
      return fail(p, HYPER_ERR_H1_LENGTH);
    }
  }
  return (int)i;
}

int hyper_h1_parser_eof(hyper_h1_parser *p) {
  if (!p)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (p->err)
    return p->err;
  if (p->ev_count)
    return HYPER_ERR_INVALID_STATE;
  switch (p->state) {
  case P_IDLE:
  case P_DONE:
    p->state = P_CLOSED;
    return p->req_count ? HYPER_ERR_EOF : HYPER_OK;
  case P_HEAD:
    if (!p->head_seen && p->ninfo == 0) {
      p->state = P_CLOSED;
      return HYPER_ERR_EOF; /* closed before answering */
    }
    return fail(p, HYPER_ERR_H1_UNEXPECTED_EOF);
  case P_BODY_CLOSE:
    end_response(p, 0, 0);
    p->state = P_CLOSED;
    return HYPER_OK;
  case P_BODY_LEN:
  case P_BODY_CHUNK:
    return fail(p, HYPER_ERR_H1_UNEXPECTED_EOF);
  case P_UPGRADED:
  case P_CLOSED:
  default:
    return HYPER_OK;
  }
}
