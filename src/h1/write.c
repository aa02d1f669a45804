/* The HTTP/1.1 request writer (RFC 9112 §3, §6, §7.1; RFC 9110 §7.2,
 * §10.1.1): validates, computes the exact size, then writes into the
 * caller's buffer in one pass. Nothing is written unless everything fits,
 * and nothing allocates. */
#include "h1_int.h"

#include <string.h>

#define CT hyper__h1_ctab

static const char k_version[] = " HTTP/1.1\r\n";
static const char k_host[] = "Host: ";
static const char k_cl[] = "Content-Length: ";
static const char k_te[] = "Transfer-Encoding: chunked\r\n";
static const char k_expect[] = "Expect: 100-continue\r\n";
#define SLEN(s) (sizeof(s) - 1)

/* ---- validation ------------------------------------------------------- */

static int is_token(const uint8_t *p, size_t n) {
  if (n == 0 || !p)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(CT[p[i]] & H1_TOKEN))
      return 0;
  return 1;
}

/* field-value octets: HTAB, SP, VCHAR, obs-text (no CR, LF, NUL, CTL). */
static int is_value(const uint8_t *p, size_t n) {
  if (n && !p)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(CT[p[i]] & H1_VALUE))
      return 0;
  return 1;
}

static int ieq(const uint8_t *a, size_t n, const char *lit) {
  size_t m = strlen(lit);
  if (n != m)
    return 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = a[i];
    if (c >= 'A' && c <= 'Z')
      c = (uint8_t)(c | 0x20);
    if (c != (uint8_t)lit[i])
      return 0;
  }
  return 1;
}

/* Adds |b| to |*a|, failing on overflow. */
static int add(size_t *a, size_t b) {
  if (*a > SIZE_MAX - b)
    return 0;
  *a += b;
  return 1;
}

static int check_field(const hyper_field *f, size_t *size) {
  if (!is_token(f->name, f->name_len) || !is_value(f->value, f->value_len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!add(size, f->name_len) || !add(size, 2) || !add(size, f->value_len) ||
      !add(size, 2))
    return HYPER_ERR_INVALID_ARGUMENT;
  return HYPER_OK;
}

static size_t dec_len(uint64_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    n++;
  }
  return n;
}

static size_t hex_len(uint64_t v) {
  size_t n = 1;
  while (v >= 16) {
    v >>= 4;
    n++;
  }
  return n;
}

/* Validates |req|; sets the exact size and the index of the Host field in
 * |fields| (or SIZE_MAX when |authority| is used). */
static int measure(const hyper_h1_request *req, size_t *len, size_t *host_idx) {
  size_t size = 0;
  if (!req || !len)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (req->flags & ~(uint32_t)HYPER_H1_WRITE_EXPECT_CONTINUE)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (req->content_length < HYPER_H1_LENGTH_CHUNKED)
    return HYPER_ERR_INVALID_ARGUMENT;
  /* RFC 9110 §10.1.1: no 100-continue expectation without content. */
  if ((req->flags & HYPER_H1_WRITE_EXPECT_CONTINUE) &&
      (req->content_length == HYPER_H1_LENGTH_NONE || req->content_length == 0))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!is_token(req->method.ptr, req->method.len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (req->target.len == 0 || !req->target.ptr)
    return HYPER_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < req->target.len; i++) {
    uint8_t c = req->target.ptr[i];
    if (c < 0x21 || c > 0x7e)
      return HYPER_ERR_INVALID_ARGUMENT;
  }
  if (req->authority.len && !req->authority.ptr)
    return HYPER_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < req->authority.len; i++) {
    uint8_t c = req->authority.ptr[i];
    if (c < 0x21 || c > 0x7e || c == '/' || c == '?' || c == '#' || c == '@')
      return HYPER_ERR_INVALID_ARGUMENT;
  }
  if (req->nfields && !req->fields)
    return HYPER_ERR_INVALID_ARGUMENT;

  if (!add(&size, req->method.len) || !add(&size, 1) ||
      !add(&size, req->target.len) || !add(&size, SLEN(k_version)))
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t hosts = 0;
  *host_idx = SIZE_MAX;
  for (size_t i = 0; i < req->nfields; i++) {
    const hyper_field *f = &req->fields[i];
    int rv = check_field(f, &size);
    if (rv)
      return rv;
    if (ieq(f->name, f->name_len, "content-length") ||
        ieq(f->name, f->name_len, "transfer-encoding"))
      return HYPER_ERR_INVALID_ARGUMENT; /* framing is ours */
    if (ieq(f->name, f->name_len, "host")) {
      hosts++;
      *host_idx = i;
    }
  }
  if (req->authority.len) {
    if (hosts)
      return HYPER_ERR_INVALID_ARGUMENT; /* two Host values */
    *host_idx = SIZE_MAX;
    if (!add(&size, SLEN(k_host)) || !add(&size, req->authority.len) ||
        !add(&size, 2))
      return HYPER_ERR_INVALID_ARGUMENT;
  } else if (hosts != 1) {
    return HYPER_ERR_INVALID_ARGUMENT; /* RFC 9112 §3.2: exactly one Host */
  }
  if (req->content_length >= 0) {
    if (!add(&size, SLEN(k_cl)) ||
        !add(&size, dec_len((uint64_t)req->content_length)) || !add(&size, 2))
      return HYPER_ERR_INVALID_ARGUMENT;
  } else if (req->content_length == HYPER_H1_LENGTH_CHUNKED) {
    if (!add(&size, SLEN(k_te)))
      return HYPER_ERR_INVALID_ARGUMENT;
  }
  if (req->flags & HYPER_H1_WRITE_EXPECT_CONTINUE)
    if (!add(&size, SLEN(k_expect)))
      return HYPER_ERR_INVALID_ARGUMENT;
  if (!add(&size, 2))
    return HYPER_ERR_INVALID_ARGUMENT;
  *len = size;
  return HYPER_OK;
}

/* ---- writing ---------------------------------------------------------- */

static uint8_t *put(uint8_t *o, const void *p, size_t n) {
  if (n)
    memcpy(o, p, n);
  return o + n;
}

static uint8_t *put_field(uint8_t *o, const hyper_field *f) {
  o = put(o, f->name, f->name_len);
  *o++ = ':';
  *o++ = ' ';
  o = put(o, f->value, f->value_len);
  *o++ = '\r';
  *o++ = '\n';
  return o;
}

static uint8_t *put_dec(uint8_t *o, uint64_t v) {
  size_t n = dec_len(v);
  for (size_t i = n; i-- > 0;) {
    o[i] = (uint8_t)('0' + v % 10);
    v /= 10;
  }
  return o + n;
}

static uint8_t *put_hex(uint8_t *o, uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  size_t n = hex_len(v);
  for (size_t i = n; i-- > 0;) {
    o[i] = (uint8_t)digits[v & 15];
    v >>= 4;
  }
  return o + n;
}

int hyper_h1_request_len(const hyper_h1_request *req, size_t *len) {
  size_t host_idx;
  return measure(req, len, &host_idx);
}

int hyper_h1_write_request(const hyper_h1_request *req, uint8_t *out,
                           size_t cap, size_t *written) {
  size_t size, host_idx;
  if (!written || (!out && cap))
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = measure(req, &size, &host_idx);
  if (rv)
    return rv;
  if (size > cap) {
    *written = size;
    return HYPER_ERR_BUFFER_TOO_SMALL;
  }
  uint8_t *o = out;
  o = put(o, req->method.ptr, req->method.len);
  *o++ = ' ';
  o = put(o, req->target.ptr, req->target.len);
  o = put(o, k_version, SLEN(k_version));
  /* Host first (RFC 9110 §7.2: a user agent SHOULD send it first). */
  if (host_idx == SIZE_MAX) {
    o = put(o, k_host, SLEN(k_host));
    o = put(o, req->authority.ptr, req->authority.len);
    *o++ = '\r';
    *o++ = '\n';
  } else {
    o = put_field(o, &req->fields[host_idx]);
  }
  for (size_t i = 0; i < req->nfields; i++)
    if (i != host_idx)
      o = put_field(o, &req->fields[i]);
  if (req->content_length >= 0) {
    o = put(o, k_cl, SLEN(k_cl));
    o = put_dec(o, (uint64_t)req->content_length);
    *o++ = '\r';
    *o++ = '\n';
  } else if (req->content_length == HYPER_H1_LENGTH_CHUNKED) {
    o = put(o, k_te, SLEN(k_te));
  }
  if (req->flags & HYPER_H1_WRITE_EXPECT_CONTINUE)
    o = put(o, k_expect, SLEN(k_expect));
  *o++ = '\r';
  *o++ = '\n';
  *written = (size_t)(o - out);
  return HYPER_OK;
}

/* Does the list value |v| contain the element |lit| (case-insensitive)? */
static int list_has(const uint8_t *v, size_t n, const char *lit) {
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
      i++;
    size_t s = i;
    while (i < n && v[i] != ',')
      i++;
    size_t e = i;
    while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
      e--;
    if (e > s && ieq(v + s, e - s, lit))
      return 1;
  }
  return 0;
}

uint32_t hyper_h1_request_flags(const hyper_h1_request *req) {
  uint32_t f = 0;
  if (!req)
    return 0;
  if (req->method.ptr && req->method.len == 4 &&
      memcmp(req->method.ptr, "HEAD", 4) == 0)
    f |= HYPER_H1_REQ_HEAD;
  if (req->method.ptr && req->method.len == 7 &&
      memcmp(req->method.ptr, "CONNECT", 7) == 0)
    f |= HYPER_H1_REQ_CONNECT;
  for (size_t i = 0; req->fields && i < req->nfields; i++) {
    const hyper_field *fl = &req->fields[i];
    if (!fl->name || (fl->value_len && !fl->value))
      continue;
    if (ieq(fl->name, fl->name_len, "upgrade"))
      f |= HYPER_H1_REQ_UPGRADE;
    else if (ieq(fl->name, fl->name_len, "connection") &&
             list_has(fl->value, fl->value_len, "close"))
      f |= HYPER_H1_REQ_CLOSE;
  }
  return f;
}

/* ---- chunk framing ---------------------------------------------------- */

int hyper_h1_write_chunk_head(uint64_t size, uint8_t *out, size_t cap,
                              size_t *written) {
  if (!written || (!out && cap) || size == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t n = hex_len(size) + 2;
  if (n > cap) {
    *written = n;
    return HYPER_ERR_BUFFER_TOO_SMALL;
  }
  uint8_t *o = put_hex(out, size);
  o[0] = '\r';
  o[1] = '\n';
  *written = n;
  return HYPER_OK;
}

int hyper_h1_write_chunk(const uint8_t *data, size_t len, uint8_t *out,
                         size_t cap, size_t *written) {
  if (!written || (!out && cap) || (!data && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (len == 0) {
    *written = 0;
    return HYPER_OK;
  }
  size_t n = hex_len((uint64_t)len) + 2;
  if (!add(&n, len) || !add(&n, 2))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (n > cap) {
    *written = n;
    return HYPER_ERR_BUFFER_TOO_SMALL;
  }
  uint8_t *o = put_hex(out, (uint64_t)len);
  *o++ = '\r';
  *o++ = '\n';
  o = put(o, data, len);
  *o++ = '\r';
  *o++ = '\n';
  *written = n;
  return HYPER_OK;
}

int hyper_h1_write_last_chunk(const hyper_field *trailers, size_t ntrailers,
                              uint8_t *out, size_t cap, size_t *written) {
  if (!written || (!out && cap) || (ntrailers && !trailers))
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t n = 3 + 2; /* "0\r\n" ... "\r\n" */
  for (size_t i = 0; i < ntrailers; i++) {
    const hyper_field *f = &trailers[i];
    int rv = check_field(f, &n);
    if (rv)
      return rv;
    /* RFC 9110 §6.5.1: not for framing or routing. */
    if (ieq(f->name, f->name_len, "content-length") ||
        ieq(f->name, f->name_len, "transfer-encoding") ||
        ieq(f->name, f->name_len, "host"))
      return HYPER_ERR_INVALID_ARGUMENT;
  }
  if (n > cap) {
    *written = n;
    return HYPER_ERR_BUFFER_TOO_SMALL;
  }
  uint8_t *o = out;
  *o++ = '0';
  *o++ = '\r';
  *o++ = '\n';
  for (size_t i = 0; i < ntrailers; i++)
    o = put_field(o, &trailers[i]);
  *o++ = '\r';
  *o++ = '\n';
  *written = (size_t)(o - out);
  return HYPER_OK;
}
