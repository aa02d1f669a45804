/* tests/interop: helpers shared by the two drivers (interop_common.h). */
#include "interop_common.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

uint8_t iop_pattern_byte(size_t i) {
  return (uint8_t)((uint32_t)(i * 2654435761u) >> 13);
}

void iop_pattern_fill(uint8_t *dst, size_t n) {
  for (size_t i = 0; i < n; i++)
    dst[i] = iop_pattern_byte(i);
}

int iop_pattern_ok(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != iop_pattern_byte(i))
      return 0;
  return 1;
}

uint64_t iop_fnv1a64(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3u;
  }
  return h;
}

void iop_bighead_value(char *dst, size_t n) {
  static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.~";
  for (size_t i = 0; i < n; i++)
    dst[i] = alpha[(i * 7 + i / 40) % (sizeof alpha - 1)];
}

uint64_t iop_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int iop_buf_add(iop_buf *b, const void *p, size_t n) {
  if (n == 0)
    return 0;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *q = realloc(b->p, cap);
    if (!q)
      return -1;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

int iop_buf_addf(iop_buf *b, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  return iop_buf_add(b, tmp,
                     (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void iop_buf_free(iop_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

int iop_buf_eq(const iop_buf *b, const char *s) {
  size_t n = strlen(s);
  return b->len == n && (n == 0 || memcmp(b->p, s, n) == 0);
}

int iop_buf_contains(const iop_buf *b, const char *s) {
  size_t n = strlen(s);
  if (n == 0)
    return 1;
  for (size_t i = 0; i + n <= b->len; i++)
    if (memcmp(b->p + i, s, n) == 0)
      return 1;
  return 0;
}

hyper_field iop_field(const char *name, const char *value) {
  hyper_field f;
  f.name = (const uint8_t *)name;
  f.name_len = strlen(name);
  f.value = (const uint8_t *)value;
  f.value_len = strlen(value);
  f.flags = 0;
  return f;
}

const hyper_field *iop_find(const hyper_field *f, size_t n, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (f[i].name_len == len && memcmp(f[i].name, name, len) == 0)
      return &f[i];
  return NULL;
}

int iop_has(const hyper_field *f, size_t n, const char *name,
            const char *value) {
  const hyper_field *x = iop_find(f, n, name);
  size_t len = strlen(value);
  return x && x->value_len == len &&
         (len == 0 || memcmp(x->value, value, len) == 0);
}

int iop_get(const hyper_field *f, size_t n, const char *name, char *out,
            size_t outlen) {
  const hyper_field *x = iop_find(f, n, name);
  if (!x || outlen == 0)
    return -1;
  size_t len = x->value_len < outlen - 1 ? x->value_len : outlen - 1;
  memcpy(out, x->value, len);
  out[len] = 0;
  return 0;
}

int iop_fields_text(iop_buf *b, const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (iop_buf_add(b, f[i].name, f[i].name_len) || iop_buf_add(b, ": ", 2) ||
        iop_buf_add(b, f[i].value, f[i].value_len) || iop_buf_add(b, "\n", 1))
      return -1;
  return 0;
}

int iop_set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  int one = 1; /* best effort: not an error on a non-TCP socket */
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return 0;
}

int iop_flush(hyper_h2_conn *c, int fd) {
  const uint8_t *p;
  size_t n;
  while ((n = hyper_h2_conn_pending(c, &p)) > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return 1;
    if (w <= 0)
      return -1;
    if (hyper_h2_conn_advance(c, (size_t)w) != 0)
      return -1;
  }
  return 0;
}

int iop_fail(char *err, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
  return -1;
}

void iop_record(iop_result *r, const char *who, const char *name, int ok,
                const char *why, uint64_t ms) {
  if (ok) {
    r->passed++;
    fprintf(stderr, "%s: ok   %s (%llu ms)\n", who, name,
            (unsigned long long)ms);
  } else {
    r->failed++;
    fprintf(stderr, "%s: FAIL %s: %s\n", who, name, why);
    if (!r->first[0]) {
      snprintf(r->first, sizeof r->first, "%s: %s", name, why);
      for (char *q = r->first; *q; q++) /* keep the summary on one line */
        if (*q == '\n')
          *q = '|';
    }
  }
}
