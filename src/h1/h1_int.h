/* Internals shared by the src/h1 sources: the character classes, the section-end
 * scanner and the field-line parser. Private to src/h1. */
#ifndef HYPER_H1_INT_H
#define HYPER_H1_INT_H

#include "hyper/h1.h"

#include "../common/internal.h"

/* Character classes (hyper__h1_ctab, defined in parse.c). */
#define H1_TOKEN 0x01u  /* tchar (RFC 9110 §5.6.2) */
#define H1_VALUE 0x02u  /* field-vchar / SP / HTAB (RFC 9110 §5.5): HTAB,
                           0x20-0x7e, obs-text 0x80-0xff */
#define H1_HEX 0x04u    /* HEXDIG, either case */
#define H1_QDTEXT 0x08u /* qdtext (RFC 9110 §5.6.4) */

extern const uint8_t hyper__h1_ctab[256];

/* Every HYPER_H1_REQ_* bit. */
#define H1_REQ_MASK                                                            \
  (HYPER_H1_REQ_HEAD | HYPER_H1_REQ_CONNECT | HYPER_H1_REQ_UPGRADE |           \
   HYPER_H1_REQ_CLOSE)

/* Limits for a block of field lines. */
typedef struct hyper__h1_lim {
  size_t max_line;   /* one line, terminator included */
  size_t max_fields; /* fields in the block */
  int bare_lf;       /* accept LF without CR */
} hyper__h1_lim;

/* What the framing-relevant fields of a header section said. */
typedef struct hyper__h1_finfo {
  int64_t cl;         /* the Content-Length value, -1 when none seen */
  uint8_t cl_seen;    /* a Content-Length line was present */
  uint8_t cl_bad;     /* ... malformed, over 2^63-1, or values differ */
  uint8_t te_seen;    /* a Transfer-Encoding line was present */
  uint8_t te_bad;     /* a coding other than "chunked", or a parameter */
  uint32_t te_count;  /* non-empty codings listed, over every line */
  uint8_t conn_close; /* Connection lists "close" */
  uint8_t conn_keep_alive; /* Connection lists "keep-alive" */
} hyper__h1_finfo;

/* Finds the end of a header or trailer section: the first empty line, in
 * buf[0..n). |*scan| is the resume offset (0 for a new section; updated
 * when the end is not found, so that only new bytes are examined next
 * time). |sol|: offset 0 is a line start (a trailer section may be just an
 * empty line; a header section starts with the status line). Returns the
 * offset just past the empty line and stores the empty line's length (1 or
 * 2) in |*empty|, or returns 0 when the end is not in buf[0..n). */
size_t hyper__h1_find_end(const uint8_t *buf, size_t n, size_t *scan, int sol,
                          size_t *empty);

/* Parses the field lines in [p, end). Precondition: p == end or
 * end[-1] == '\n' (every scan then stops inside the block). An empty line
 * is an error. |fields| may be NULL to validate and count only; otherwise
 * it has room for lim->max_fields entries. |fi| may be NULL; otherwise it
 * must be initialised (cl = -1, rest 0) and collects the framing fields.
 * Returns 0 and sets |*nfields|, or HYPER_ERR_H1_PARSE /
 * HYPER_ERR_H1_TOO_LARGE. */
int hyper__h1_parse_lines(const uint8_t *p, const uint8_t *end,
                          const hyper__h1_lim *lim, hyper_field *fields,
                          size_t *nfields, hyper__h1_finfo *fi);

/* Validates |cfg| (NULL: the defaults) and copies it into |out|. Returns 0
 * or HYPER_ERR_INVALID_ARGUMENT. */
int hyper__h1_config_check(const hyper_h1_config *cfg, hyper_h1_config *out);

#endif /* HYPER_H1_INT_H */
