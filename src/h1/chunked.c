/* The chunked transfer coding (RFC 9112 §7.1): an incremental decoder that
 * hands out spans of the input (zero copy). Chunk-size lines and the CRLF
 * after each chunk's data go through a byte state machine, so they may be
 * split anywhere; chunk data is handed out in bulk; the trailer section
 * (§7.1.2) is found and validated as a whole, like a header section.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size   = 1*HEXDIG
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *   chunk-ext    = *( BWS ";" BWS chunk-ext-name
 *                     [ BWS "=" BWS chunk-ext-val ] )
 *   chunk-ext-val = token / quoted-string
 *
 * Split invariance: an error found in the framing right after a data span
 * is reported by the next call (this one returns the span and stops before
 * the offending octet), so the data handed out before an error does not
 * depend on how the input was split. */
#include "h1_int.h"

#include <string.h>

#define CT hyper__h1_ctab

enum cstate {
  CS_SIZE0 = 0,   /* first hex digit of chunk-size */
  CS_SIZE,        /* more digits, or what follows them */
  CS_BWS,         /* after the size or an extension value: BWS ; CR */
  CS_NAME0,       /* after ";": BWS, then the first name octet */
  CS_NAME,        /* chunk-ext-name */
  CS_NAME_BWS,    /* BWS after a name: = ; CR */
  CS_VAL0,        /* after "=": BWS, then token or DQUOTE */
  CS_VAL_TOK,     /* token value */
  CS_VAL_Q,       /* inside a quoted-string */
  CS_VAL_QESC,    /* after a backslash in a quoted-string */
  CS_SIZE_LF,     /* CR seen at the end of a chunk-size line */
  CS_DATA,        /* chunk-data */
  CS_DATA_CR,     /* CR after chunk-data */
  CS_DATA_LF,     /* LF after chunk-data */
  CS_TRAILERS,    /* the trailer section */
  CS_DONE
};

void hyper_h1_chunked_init(hyper_h1_chunked *c, const hyper_h1_config *cfg) {
  hyper_h1_config d;
  if (!c)
    return;
  if (hyper__h1_config_check(cfg, &d))
    hyper_h1_config_init(&d);
  memset(c, 0, sizeof *c);
  c->_max_ext = d.max_chunk_ext;
  c->_max_trailer_bytes = d.max_header_bytes;
  c->_max_line = d.max_line;
  c->_max_trailers = d.max_headers;
  c->_bare_lf = (uint8_t)(d.allow_bare_lf ? 1 : 0);
  c->_state = CS_SIZE0;
}

static inline unsigned hexval(uint8_t ch) {
  return ch <= '9' ? (unsigned)(ch - '0') : (unsigned)((ch | 0x20) - 'a' + 10);
}

static inline int bws(uint8_t ch) { return ch == ' ' || ch == '\t'; }

/* The trailer section at |in| (|len| octets available). Returns the octets
 * consumed (> 0), INCOMPLETE or an error; fills |out| when complete. */
static int trailers(hyper_h1_chunked *c, const uint8_t *in, size_t len,
                    hyper_h1_chunked_out *out) {
  size_t n = HYPER_MIN(len, c->_max_trailer_bytes);
  size_t empty = 0;
  size_t end = hyper__h1_find_end(in, n, &c->_scan, 1, &empty);
  if (!end)
    return len >= c->_max_trailer_bytes ? HYPER_ERR_H1_TOO_LARGE
                                        : HYPER_ERR_INCOMPLETE;
  if (empty == 1 && !c->_bare_lf)
    return HYPER_ERR_H1_PARSE;
  hyper__h1_lim lim;
  lim.max_line = c->_max_line;
  lim.max_fields = c->_max_trailers;
  lim.bare_lf = c->_bare_lf;
  size_t nf = 0;
  int rv = hyper__h1_parse_lines(in, in + end - empty, &lim, NULL, &nf, NULL);
  if (rv)
    return rv;
  out->trailers.ptr = in;
  out->trailers.len = end - empty;
  out->done = 1;
  c->_state = CS_DONE;
  return (int)end;
}

int hyper_h1_chunked_decode(hyper_h1_chunked *c, const uint8_t *in, size_t len,
                            hyper_h1_chunked_out *out) {
  if (!c || !out || (!in && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  if (c->_err)
    return c->_err;
  if (len > (size_t)INT32_MAX)
    len = (size_t)INT32_MAX; /* the count must fit the return value */
  size_t i = 0;
  int err = 0;
  unsigned st = c->_state;
  while (i < len) {
    uint8_t ch = in[i];
    switch (st) {
    case CS_SIZE0:
      if (!(CT[ch] & H1_HEX)) {
        err = HYPER_ERR_H1_CHUNKED;
        goto error;
      }
      c->_remaining = hexval(ch);
      c->_digits = 1;
      c->_ext_len = 0;
      st = CS_SIZE;
      i++;
      continue;
    case CS_SIZE:
      if (CT[ch] & H1_HEX) {
        /* At most 16 digits and a value below 2^63 (HOSTILE-PEERS I.2;
         * RFC 9112 §7.1 "anticipate potentially large hexadecimal
         * numerals"). */
        if (c->_digits >= 16 || (c->_remaining >> 59) != 0) {
          err = HYPER_ERR_H1_CHUNKED;
          goto error;
        }
        c->_remaining = (c->_remaining << 4) | hexval(ch);
        c->_digits++;
        i++;
        continue;
      }
      if (ch == '\r') {
        st = CS_SIZE_LF;
        i++;
        continue;
      }
      st = CS_BWS; /* same rules from here on: reprocess this octet */
      continue;
    case CS_SIZE_LF:
      if (ch != '\n') {
        err = HYPER_ERR_H1_CHUNKED; /* bare CR */
        goto error;
      }
      i++;
      if (c->_remaining == 0) {
        st = CS_TRAILERS;
        c->_scan = 0;
        c->_state = (uint8_t)st;
        int rv = trailers(c, in + i, len - i, out);
        if (rv == HYPER_ERR_INCOMPLETE)
          return (int)i; /* i > 0: the last-chunk line */
        if (rv < 0) {
          if (out->len)
            return (int)i; /* the next call reports it */
          c->_err = rv;
          return rv;
        }
        return (int)(i + (size_t)rv);
      }
      st = CS_DATA;
      continue;
    case CS_DATA: {
      if (out->len) {
        /* A second span: stop, the caller comes back for it. */
        c->_state = (uint8_t)st;
        return (int)i;
      }
      size_t n = len - i;
      if ((uint64_t)n > c->_remaining)
        n = (size_t)c->_remaining;
      out->data = in + i;
      out->len = n;
      c->_remaining -= n;
      i += n;
      if (c->_remaining == 0)
        st = CS_DATA_CR;
      continue;
    }
    case CS_DATA_CR:
      if (ch != '\r') {
        err = HYPER_ERR_H1_CHUNKED; /* missing CRLF after chunk data */
        goto error;
      }
      st = CS_DATA_LF;
      i++;
      continue;
    case CS_DATA_LF:
      if (ch != '\n') {
        err = HYPER_ERR_H1_CHUNKED;
        goto error;
      }
      st = CS_SIZE0;
      i++;
      continue;
    case CS_TRAILERS: {
      c->_state = (uint8_t)st;
      int rv = trailers(c, in + i, len - i, out);
      if (rv == HYPER_ERR_INCOMPLETE)
        return i ? (int)i : rv;
      if (rv < 0) {
        if (out->len)
          return (int)i;
        c->_err = rv;
        return rv;
      }
      return (int)(i + (size_t)rv);
    }
    case CS_DONE:
      c->_state = (uint8_t)st;
      return (int)i;
    default:
      break;
    }

    /* Chunk extensions: every octet counts against max_chunk_ext. */
    if (ch == '\r') {
      if (st == CS_NAME0 || st == CS_VAL0 || st == CS_VAL_Q ||
          st == CS_VAL_QESC) {
        err = HYPER_ERR_H1_CHUNKED; /* ";" or "=" with nothing after it */
        goto error;
      }
      st = CS_SIZE_LF;
      i++;
      continue;
    }
    if (++c->_ext_len > c->_max_ext) {
      c->_ext_len--;
      err = HYPER_ERR_H1_CHUNKED;
      goto error;
    }
    switch (st) {
    case CS_BWS:
      if (bws(ch))
        break;
      if (ch == ';') {
        st = CS_NAME0;
        break;
      }
      goto bad_ext;
    case CS_NAME0:
      if (bws(ch))
        break;
      if (CT[ch] & H1_TOKEN) {
        st = CS_NAME;
        break;
      }
      goto bad_ext;
    case CS_NAME:
      if (CT[ch] & H1_TOKEN)
        break;
      if (bws(ch)) {
        st = CS_NAME_BWS;
        break;
      }
      if (ch == '=') {
        st = CS_VAL0;
        break;
      }
      if (ch == ';') {
        st = CS_NAME0;
        break;
      }
      goto bad_ext;
    case CS_NAME_BWS:
      if (bws(ch))
        break;
      if (ch == '=') {
        st = CS_VAL0;
        break;
      }
      if (ch == ';') {
        st = CS_NAME0;
        break;
      }
      goto bad_ext;
    case CS_VAL0:
      if (bws(ch))
        break;
      if (ch == '"') {
        st = CS_VAL_Q;
        break;
      }
      if (CT[ch] & H1_TOKEN) {
        st = CS_VAL_TOK;
        break;
      }
      goto bad_ext;
    case CS_VAL_TOK:
      if (CT[ch] & H1_TOKEN)
        break;
      if (bws(ch)) {
        st = CS_BWS;
        break;
      }
      if (ch == ';') {
        st = CS_NAME0;
        break;
      }
      goto bad_ext;
    case CS_VAL_Q:
      if (ch == '"') {
        st = CS_BWS;
        break;
      }
      if (ch == '\\') {
        st = CS_VAL_QESC;
        break;
      }
      if (CT[ch] & H1_QDTEXT)
        break;
      goto bad_ext;
    case CS_VAL_QESC:
      /* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
      if (CT[ch] & H1_VALUE) {
        st = CS_VAL_Q;
        break;
      }
      goto bad_ext;
    default:
      goto bad_ext;
    }
    i++;
    continue;
  bad_ext:
    c->_ext_len--;
    err = HYPER_ERR_H1_CHUNKED;
    goto error;
  }
  c->_state = (uint8_t)st;
  return (int)i;

error:
  /* Nothing of the offending octet was applied. After a data span, stop
   * before it: the next call reports the error. */
  c->_state = (uint8_t)st;
  if (out->len)
    return (int)i;
  c->_err = err;
  return err;
}
