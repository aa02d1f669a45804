/* HTTP/1.1 response parsing: the stateless head parser
 * (hyper_h1_parse_response, hyper_h1_parse_fields) and the parser object
 * (hyper_h1_parser_*). Cases come from RFC 9112 §2-§7, §9.3, RFC 9110 §5,
 * §8.6, §15 and ../shared/HOSTILE-PEERS.md group I.
 *
 * The parser object is driven by a harness that behaves like a careful
 * client: it keeps unconsumed bytes, appends each newly "read" piece into a
 * freshly allocated buffer (so the storage moves on every read and ASan
 * catches any pointer the parser kept into old storage), handles the
 * events of each feed call before dropping the consumed bytes, and turns
 * everything into a text transcript. Adjacent DATA events are merged, so
 * transcripts of the same stream split differently must be identical. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hyper/common.h"
#include "hyper/h1.h"

#include "failmem.h"

/* ------------------------------------------------------------------------ */
/* Transcript text                                                          */
/* ------------------------------------------------------------------------ */

typedef struct tbuf {
  char *s;
  size_t len, cap;
  int in_data; /* a DATA record is open */
} tbuf;

static void tb_reserve(tbuf *t, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1)
      cap *= 2;
    t->s = realloc(t->s, cap);
    assert_non_null(t->s);
    t->cap = cap;
  }
}

__attribute__((format(printf, 2, 3))) static void tb_printf(tbuf *t,
                                                            const char *fmt,
                                                            ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  assert_true(n >= 0);
  tb_reserve(t, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static void tb_bytes(tbuf *t, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
      tb_printf(t, "%c", c);
    else
      tb_printf(t, "\\x%02x", c);
  }
}

static void tb_close_data(tbuf *t) {
  if (t->in_data) {
    tb_printf(t, "'\n");
    t->in_data = 0;
  }
}

static void tb_fields(tbuf *t, const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    tb_printf(t, " [");
    tb_bytes(t, f[i].name, f[i].name_len);
    tb_printf(t, "=");
    tb_bytes(t, f[i].value, f[i].value_len);
    tb_printf(t, "]");
    assert_int_equal(f[i].flags, 0);
  }
}

static const char *framing_name(hyper_h1_framing f) {
  switch (f) {
  case HYPER_H1_BODY_NONE:
    return "none";
  case HYPER_H1_BODY_LENGTH:
    return "length";
  case HYPER_H1_BODY_CHUNKED:
    return "chunked";
  case HYPER_H1_BODY_CLOSE:
    return "close";
  case HYPER_H1_BODY_TUNNEL:
    return "tunnel";
  }
  return "?";
}

static void tb_head(tbuf *t, const char *kind, const hyper_h1_head *h) {
  tb_printf(t, "%s %d 1.%d '", kind, h->status, h->minor_version);
  tb_bytes(t, h->reason.ptr, h->reason.len);
  tb_printf(t, "' %s cl=%lld ka=%d", framing_name(h->framing),
            (long long)h->content_length, h->keep_alive);
  tb_fields(t, h->fields, h->nfields);
  tb_printf(t, "\n");
}

static void tb_event(tbuf *t, const hyper_h1_event *ev) {
  if (ev->type == HYPER_H1_EV_DATA) {
    assert_true(ev->u.data.len > 0);
    if (!t->in_data) {
      tb_printf(t, "DATA '");
      t->in_data = 1;
    }
    tb_bytes(t, ev->u.data.data, ev->u.data.len);
    return;
  }
  tb_close_data(t);
  switch (ev->type) {
  case HYPER_H1_EV_INFORMATIONAL:
    tb_head(t, "INFO", &ev->u.head);
    break;
  case HYPER_H1_EV_HEAD:
    tb_head(t, "HEAD", &ev->u.head);
    break;
  case HYPER_H1_EV_TRAILERS:
    tb_printf(t, "TRAILERS");
    tb_fields(t, ev->u.trailers.fields, ev->u.trailers.nfields);
    tb_printf(t, "\n");
    break;
  case HYPER_H1_EV_END:
    tb_printf(t, "END reusable=%d upgraded=%d\n", ev->u.end.reusable,
              ev->u.end.upgraded);
    break;
  default:
    fail_msg("unexpected event type %d", (int)ev->type);
  }
}

/* ------------------------------------------------------------------------ */
/* The harness                                                              */
/* ------------------------------------------------------------------------ */

typedef struct run_opts {
  const uint32_t *reqs; /* request flags, announced up front */
  size_t nreqs;
  const hyper_h1_config *cfg;
  int no_eof; /* do not call hyper_h1_parser_eof() at the end */
} run_opts;

static const uint32_t one_get[] = {0};

/* Feeds |in| split at the |ncuts| increasing offsets |cuts| and returns the
 * transcript (caller frees). */
static char *run_split(const uint8_t *in, size_t n, const size_t *cuts,
                       size_t ncuts, const run_opts *o) {
  tbuf t = {0};
  hyper_h1_parser *p = NULL;
  assert_int_equal(hyper_h1_parser_new(&p, o->cfg, NULL), 0);
  const uint32_t *reqs = o->reqs ? o->reqs : one_get;
  size_t nreqs = o->reqs ? o->nreqs : 1;
  for (size_t i = 0; i < nreqs; i++)
    assert_int_equal(hyper_h1_parser_request(p, reqs[i]), 0);

  uint8_t *pend = NULL;
  size_t plen = 0, pos = 0;
  int stopped = 0;
  for (size_t piece = 0; piece <= ncuts && !stopped; piece++) {
    size_t end = piece < ncuts ? cuts[piece] : n;
    assert_true(end >= pos && end <= n);
    /* "read" the next piece into fresh storage */
    uint8_t *nb = malloc(plen + (end - pos) + 1);
    assert_non_null(nb);
    if (plen)
      memcpy(nb, pend, plen);
    memcpy(nb + plen, in + pos, end - pos);
    free(pend);
    pend = nb;
    plen += end - pos;
    pos = end;
    size_t off = 0;
    while (off < plen) {
      int rv = hyper_h1_parser_feed(p, pend + off, plen - off);
      if (rv == HYPER_ERR_INCOMPLETE)
        break;
      if (rv < 0) {
        tb_close_data(&t);
        tb_printf(&t, "ERR %s\n", hyper_err_name(rv));
        /* sticky, and later input is ignored */
        assert_int_equal(hyper_h1_parser_feed(p, pend + off, plen - off), rv);
        assert_int_equal(hyper_h1_parser_eof(p), rv);
        stopped = 2;
        break;
      }
      assert_true((size_t)rv <= plen - off);
      hyper_h1_event ev;
      int nev = 0, upgraded = 0;
      while (hyper_h1_parser_next_event(p, &ev)) {
        tb_event(&t, &ev);
        if (ev.type == HYPER_H1_EV_END && ev.u.end.upgraded)
          upgraded = 1;
        nev++;
      }
      assert_true(rv > 0 || nev > 0);
      off += (size_t)rv;
      if (upgraded) {
        /* the rest belongs to the caller; the parser refuses it */
        assert_int_equal(hyper_h1_parser_feed(p, pend + off, plen - off),
                         HYPER_ERR_INVALID_STATE);
        stopped = 1;
        break;
      }
    }
    /* drop what was consumed: move the rest into fresh storage */
    nb = malloc(plen - off + 1);
    assert_non_null(nb);
    memcpy(nb, pend + off, plen - off);
    free(pend);
    pend = nb;
    plen -= off;
  }
  if (stopped == 1) {
    /* what the new protocol gets: the unconsumed bytes plus the unread */
    tb_close_data(&t);
    tb_printf(&t, "REST '");
    tb_bytes(&t, pend, plen);
    tb_bytes(&t, in + pos, n - pos);
    tb_printf(&t, "'\n");
  }
  if (stopped != 2 && !o->no_eof) {
    int rv = hyper_h1_parser_eof(p);
    hyper_h1_event ev;
    while (hyper_h1_parser_next_event(p, &ev))
      tb_event(&t, &ev);
    tb_close_data(&t);
    tb_printf(&t, "EOF %s", hyper_err_name(rv));
    if (stopped != 1 && plen)
      tb_printf(&t, " (%zu unconsumed)", plen);
    tb_printf(&t, "\n");
  }
  tb_close_data(&t);
  free(pend);
  hyper_h1_parser_free(p);
  tb_reserve(&t, 0);
  t.s[t.len] = 0;
  return t.s;
}

static char *run_whole(const char *s, const run_opts *o) {
  return run_split((const uint8_t *)s, strlen(s), NULL, 0, o);
}

static char *run_bytewise(const uint8_t *in, size_t n, const run_opts *o) {
  size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
  assert_non_null(cuts);
  for (size_t i = 0; i + 1 < n; i++)
    cuts[i] = i + 1;
  char *r = run_split(in, n, cuts, n ? n - 1 : 0, o);
  free(cuts);
  return r;
}

static uint32_t rng_state = 1;
static uint32_t rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Whole == byte-at-a-time == every 2-way split == some random splits (and
 * every 3-way split when |three| and the input is short). Returns the
 * whole-input transcript. */
static char *check_invariant(const uint8_t *in, size_t n, const run_opts *o,
                             int three) {
  char *whole = run_split(in, n, NULL, 0, o);
  char *bw = run_bytewise(in, n, o);
  assert_string_equal(whole, bw);
  free(bw);
  for (size_t k = 1; k < n; k++) {
    char *r = run_split(in, n, &k, 1, o);
    if (strcmp(r, whole) != 0)
      fail_msg("split at %zu differs:\n%s\nvs whole:\n%s", k, r, whole);
    free(r);
  }
  if (three && n < 160) {
    for (size_t a = 1; a < n; a++)
      for (size_t b = a; b < n; b++) {
        size_t cuts[2] = {a, b};
        char *r = run_split(in, n, cuts, 2, o);
        if (strcmp(r, whole) != 0)
          fail_msg("split at %zu,%zu differs:\n%s\nvs\n%s", a, b, r, whole);
        free(r);
      }
  }
  for (int rep = 0; rep < 20; rep++) {
    size_t cuts[64], nc = 0, at = 0;
    while (nc < 64) {
      at += 1 + rnd() % 9;
      if (at >= n)
        break;
      cuts[nc++] = at;
    }
    char *r = run_split(in, n, cuts, nc, o);
    assert_string_equal(r, whole);
    free(r);
  }
  return whole;
}

/* Asserts the transcript of |resp| (checked for split invariance). */
static void expect_ex(const char *resp, const run_opts *o, const char *want) {
  char *got = check_invariant((const uint8_t *)resp, strlen(resp), o, 0);
  if (strcmp(got, want) != 0)
    fail_msg("transcript of:\n%s\n--- got:\n%s--- want:\n%s", resp, got,
             want);
  free(got);
}

static void expect(const char *resp, const char *want) {
  run_opts o = {0};
  expect_ex(resp, &o, want);
}

/* Parses one head with the stateless API; returns the result code. */
static int head(const char *s, uint32_t flags, hyper_h1_head *h,
                hyper_field *f, size_t nf) {
  size_t scan = 0;
  return hyper_h1_parse_response((const uint8_t *)s, strlen(s), &scan, flags,
                                 NULL, h, f, nf);
}

static int head_err(const char *s) {
  hyper_h1_head h;
  hyper_field f[32];
  return head(s, 0, &h, f, 32);
}

/* ------------------------------------------------------------------------ */
/* Status line (RFC 9112 §4)                                                */
/* ------------------------------------------------------------------------ */

static void test_h1_parse_status_line(void **state) {
  (void)state;
  hyper_h1_head h;
  hyper_field f[8];
  const char *r = "HTTP/1.1 200 OK\r\n\r\n";
  assert_int_equal(head(r, 0, &h, f, 8), (int)strlen(r));
  assert_int_equal(h.status, 200);
  assert_int_equal(h.minor_version, 1);
  assert_int_equal(h.reason.len, 2);
  assert_memory_equal(h.reason.ptr, "OK", 2);
  assert_ptr_equal(h.reason.ptr, r + 13);
  assert_int_equal(h.nfields, 0);
  assert_ptr_equal(h.fields, f);

  r = "HTTP/1.0 404 Not Found\r\n\r\n";
  assert_int_equal(head(r, 0, &h, f, 8), (int)strlen(r));
  assert_int_equal(h.status, 404);
  assert_int_equal(h.minor_version, 0);
  assert_int_equal(h.reason.len, 9);

  /* empty reason, with and without the second SP */
  assert_true(head("HTTP/1.1 200 \r\n\r\n", 0, &h, f, 8) > 0);
  assert_int_equal(h.reason.len, 0);
  assert_true(head("HTTP/1.1 200\r\n\r\n", 0, &h, f, 8) > 0);
  assert_int_equal(h.reason.len, 0);
  assert_int_equal(h.status, 200);
  /* reason: HTAB, SP, VCHAR, obs-text kept verbatim */
  r = "HTTP/1.1 500 Bad\tthing \xc3\xa9 !\r\n\r\n";
  assert_true(head(r, 0, &h, f, 8) > 0);
  assert_int_equal(h.reason.len, strlen("Bad\tthing \xc3\xa9 !"));
  /* a higher minor version is HTTP/1.1 (RFC 9110 §2.5) */
  assert_true(head("HTTP/1.2 200 OK\r\n\r\n", 0, &h, f, 8) > 0);
  assert_int_equal(h.minor_version, 2);
  assert_int_equal(h.keep_alive, 0); /* close-delimited */
  /* codes 600..999 are passed on (RFC 9110 §15) */
  assert_true(head("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", 0, &h,
                   f, 8) > 0);
  assert_int_equal(h.status, 999);
  assert_true(head("HTTP/1.1 100 Continue\r\n\r\n", 0, &h, f, 8) > 0);
  assert_int_equal(h.status, 100);
}

static void test_h1_parse_status_line_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "HTTP/1.1 20 OK\r\n\r\n",      /* 2 digits */
      "HTTP/1.1 2000 OK\r\n\r\n",    /* 4 digits */
      "HTTP/1.1 2x0 OK\r\n\r\n",     /* not digits */
      "HTTP/1.1 -20 OK\r\n\r\n",     /* sign */
      "HTTP/1.1 099 Low\r\n\r\n",    /* below 100 */
      "HTTP/1.1 000 Zero\r\n\r\n",   /* below 100 */
      "HTTP/1.1  200 OK\r\n\r\n",    /* two SP */
      "HTTP/1.1\t200 OK\r\n\r\n",    /* HTAB separator */
      "HTTP/1.1 200\tOK\r\n\r\n",    /* HTAB separator */
      "HTTP/2 200\r\n\r\n",          /* no minor */
      "HTTP/2.0 200 OK\r\n\r\n",     /* major 2 */
      "HTTP/0.9 200 OK\r\n\r\n",     /* major 0 */
      "HTTP/11 200 OK\r\n\r\n",      /* two digits */
      "HTTP/1.10 200 OK\r\n\r\n",    /* two digits */
      "HTTP/1. 200 OK\r\n\r\n",
      "HTTP/a.1 200 OK\r\n\r\n",
      "http/1.1 200 OK\r\n\r\n",     /* case-sensitive name */
      "HTTP/1.1 200 O\x01K\r\n\r\n", /* control in reason */
      "HTTP/1.1 200 O\x7fK\r\n\r\n", /* DEL in reason */
      "HTTP/1.1 200 OK\rX\r\n\r\n",  /* bare CR */
      "HTTP/1.1 200 OK\r\r\n\r\n",   /* bare CR */
      "HTTP/1.1\r\n\r\n",
      "HTTP/\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rv = head_err(bad[i]);
    if (rv != HYPER_ERR_H1_PARSE)
      fail_msg("case %zu (%s): got %s", i, bad[i], hyper_err_name(rv));
  }
  /* NUL for real (strlen would stop at it) */
  static const uint8_t nul[] = "HTTP/1.1 200 O\0K\r\n\r\n";
  size_t scan = 0;
  hyper_h1_head h;
  hyper_field f[4];
  assert_int_equal(hyper_h1_parse_response(nul, sizeof nul - 1, &scan, 0,
                                           NULL, &h, f, 4),
                   HYPER_ERR_H1_PARSE);
}

/* HOSTILE-PEERS I.6: no status line means HTTP/0.9 (or not HTTP): reject at
 * once, on the first octet that cannot start "HTTP/". */
static void test_h1_parse_http09_rejected(void **state) {
  (void)state;
  hyper_h1_head h;
  hyper_field f[4];
  size_t scan = 0;
  const char *r = "<html><body>hello</body></html>";
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)r, 1, &scan, 0,
                                           NULL, &h, f, 4),
                   HYPER_ERR_H1_PARSE);
  assert_int_equal(head_err("ICY 200 OK\r\n\r\n"), HYPER_ERR_H1_PARSE);
  assert_int_equal(head_err("\r\nHTTP/1.1 200 OK\r\n\r\n"), HYPER_ERR_H1_PARSE);
  assert_int_equal(head_err(" HTTP/1.1 200 OK\r\n\r\n"), HYPER_ERR_H1_PARSE);
  /* a partial, so far valid prefix is just incomplete */
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)"HTT", 3, &scan,
                                           0, NULL, &h, f, 4),
                   HYPER_ERR_INCOMPLETE);
  /* through the parser object, fed one byte at a time */
  expect("<html>", "ERR H1_PARSE\n");
  expect("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
         "HEAD 200 1.1 'OK' length cl=2 ka=1 [Content-Length=2]\n"
         "DATA 'ok'\nEND reusable=1 upgraded=0\nEOF OK\n");
}

/* ------------------------------------------------------------------------ */
/* Field lines (RFC 9112 §5, RFC 9110 §5.5)                                 */
/* ------------------------------------------------------------------------ */

static void test_h1_parse_fields_slices(void **state) {
  (void)state;
  hyper_h1_head h;
  hyper_field f[8];
  const char *r = "HTTP/1.1 200 OK\r\n"
                  "Content-Type:text/html\r\n"
                  "X-Empty:\r\n"
                  "X-Spaces: \t  a  b \t \r\n"
                  "x-obs: caf\xc3\xa9\r\n"
                  "Weird!#$%&'*+-.^_`|~: v\r\n"
                  "\r\n";
  assert_int_equal(head(r, 0, &h, f, 8), (int)strlen(r));
  assert_int_equal(h.nfields, 5);
  assert_int_equal(f[0].name_len, 12);
  assert_memory_equal(f[0].name, "Content-Type", 12);
  assert_int_equal(f[0].value_len, 9);
  assert_memory_equal(f[0].value, "text/html", 9);
  assert_true(f[0].name >= (const uint8_t *)r &&
              f[0].value + f[0].value_len <= (const uint8_t *)r + strlen(r));
  assert_int_equal(f[1].value_len, 0);
  assert_int_equal(f[2].value_len, 4); /* OWS trimmed, inner kept */
  assert_memory_equal(f[2].value, "a  b", 4);
  assert_int_equal(f[3].value_len, 5);
  assert_int_equal(f[4].name_len, strlen("Weird!#$%&'*+-.^_`|~"));
  assert_int_equal(h.framing, HYPER_H1_BODY_CLOSE);
  assert_int_equal(h.content_length, -1);
}

static void test_h1_parse_fields_rejects(void **state) {
  (void)state;
  static const struct {
    const char *r;
    int err;
  } bad[] = {
      /* whitespace between name and colon (§5.1) */
      {"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo\t: x\r\n\r\n", HYPER_ERR_H1_PARSE},
      /* obs-fold (§5.2): rejected */
      {"HTTP/1.1 200 OK\r\nFoo: a\r\n b\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo: a\r\n\tb\r\n\r\n", HYPER_ERR_H1_PARSE},
      /* whitespace between the start line and the first field (§2.2) */
      {"HTTP/1.1 200 OK\r\n Foo: a\r\n\r\n", HYPER_ERR_H1_PARSE},
      /* invalid token characters in names */
      {"HTTP/1.1 200 OK\r\nFo@o: x\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFo\"o: x\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFo(o): x\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nF\xc3\xa9: x\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\n: x\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nA:b\r\nNoColon\r\n\r\n", HYPER_ERR_H1_PARSE},
      /* control octets in values (RFC 9110 §5.5) */
      {"HTTP/1.1 200 OK\r\nFoo: a\x01" "b\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo: a\x7f" "b\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo: a\x1b" "b\r\n\r\n", HYPER_ERR_H1_PARSE},
      /* bare CR (§2.2) */
      {"HTTP/1.1 200 OK\r\nFoo: a\rb\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo: ab\r\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFoo: ab\r\n\rX\r\n\r\n", HYPER_ERR_H1_PARSE},
      {"HTTP/1.1 200 OK\r\nFo\ro: ab\r\n\r\n", HYPER_ERR_H1_PARSE},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rv = head_err(bad[i].r);
    if (rv != bad[i].err)
      fail_msg("case %zu: got %s", i, hyper_err_name(rv));
  }
  /* NUL in a value and in a name */
  static const uint8_t nul1[] = "HTTP/1.1 200 OK\r\nFoo: a\0b\r\n\r\n";
  static const uint8_t nul2[] = "HTTP/1.1 200 OK\r\nF\0o: ab\r\n\r\n";
  hyper_h1_head h;
  hyper_field f[4];
  size_t scan = 0;
  assert_int_equal(hyper_h1_parse_response(nul1, sizeof nul1 - 1, &scan, 0,
                                           NULL, &h, f, 4),
                   HYPER_ERR_H1_PARSE);
  scan = 0;
  assert_int_equal(hyper_h1_parse_response(nul2, sizeof nul2 - 1, &scan, 0,
                                           NULL, &h, f, 4),
                   HYPER_ERR_H1_PARSE);
}

/* Long values go through a word-at-a-time scan: put each interesting octet
 * at every position of a 40-octet value, near the end of the buffer too. */
static void test_h1_parse_value_scan(void **state) {
  (void)state;
  static const uint8_t rejected[] = {0x00, 0x01, 0x08, 0x0a, 0x0b, 0x0d,
                                     0x1f, 0x7f};
  static const uint8_t accepted[] = {0x09, 0x20, 0x7e, 0x80, 0xff, 'a'};
  const char *pre = "HTTP/1.1 200 OK\r\nX-Long: ";
  size_t pl = strlen(pre);
  uint8_t buf[128];
  hyper_h1_head h;
  hyper_field f[4];
  for (size_t k = 0; k < 40; k++) {
    for (size_t j = 0; j < sizeof rejected + sizeof accepted; j++) {
      int bad = j < sizeof rejected;
      uint8_t c = bad ? rejected[j] : accepted[j - sizeof rejected];
      memcpy(buf, pre, pl);
      memset(buf + pl, 'v', 40);
      buf[pl + k] = c;
      memcpy(buf + pl + 40, "\r\n\r\n", 4);
      size_t n = pl + 44, scan = 0;
      int rv = hyper_h1_parse_response(buf, n, &scan, 0, NULL, &h, f, 4);
      if (c == 0x0a || c == 0x0d) {
        /* a line break inside: another line or a bare CR, never a value */
        assert_true(rv < 0 || h.nfields != 1 || f[0].value_len != 40);
        continue;
      }
      if (bad) {
        if (rv != HYPER_ERR_H1_PARSE)
          fail_msg("octet 0x%02x at %zu: %s", c, k, hyper_err_name(rv));
      } else {
        assert_int_equal(rv, (int)n);
        assert_int_equal(h.nfields, 1);
        /* OWS at either end is trimmed; everything else is kept */
        size_t want = 40;
        if ((c == 0x09 || c == 0x20) && (k == 0 || k == 39))
          want = 39;
        assert_int_equal(f[0].value_len, want);
      }
    }
  }
}

/* RFC 9112 §2.2: a recipient MAY accept a bare LF as a line terminator. */
static void test_h1_parse_bare_lf(void **state) {
  (void)state;
  hyper_h1_head h;
  hyper_field f[4];
  size_t scan = 0;
  const char *r = "HTTP/1.1 200 OK\nA: b\nContent-Length: 0\n\n";
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)r, strlen(r),
                                           &scan, 0, NULL, &h, f, 4),
                   (int)strlen(r));
  assert_int_equal(h.nfields, 2);
  assert_int_equal(f[0].value_len, 1);
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  cfg.allow_bare_lf = 0;
  static const char *const strict_bad[] = {
      "HTTP/1.1 200 OK\nA: b\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n\n",
      "HTTP/1.1 200 OK\n\n",
  };
  for (size_t i = 0; i < 4; i++) {
    scan = 0;
    assert_int_equal(hyper_h1_parse_response((const uint8_t *)strict_bad[i],
                                             strlen(strict_bad[i]), &scan, 0,
                                             &cfg, &h, f, 4),
                     HYPER_ERR_H1_PARSE);
    scan = 0;
    assert_true(hyper_h1_parse_response((const uint8_t *)strict_bad[i],
                                        strlen(strict_bad[i]), &scan, 0, NULL,
                                        &h, f, 4) > 0);
  }
  run_opts o = {0};
  o.cfg = &cfg;
  expect_ex("HTTP/1.1 200 OK\r\nA: b\n\r\n", &o, "ERR H1_PARSE\n");
  expect("HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
         "HEAD 200 1.1 'OK' length cl=1 ka=1 [Content-Length=1]\n"
         "DATA 'x'\nEND reusable=1 upgraded=0\nEOF OK\n");
}

/* ------------------------------------------------------------------------ */
/* Limits (HOSTILE-PEERS I.3)                                               */
/* ------------------------------------------------------------------------ */

static char *make_head(size_t nfields, size_t value_len) {
  size_t cap = 64 + nfields * (16 + value_len);
  char *s = malloc(cap);
  assert_non_null(s);
  size_t n = (size_t)snprintf(s, cap, "HTTP/1.1 200 OK\r\n");
  for (size_t i = 0; i < nfields; i++) {
    n += (size_t)snprintf(s + n, cap - n, "X-%05zu: ", i);
    memset(s + n, 'v', value_len);
    n += value_len;
    s[n++] = '\r';
    s[n++] = '\n';
  }
  s[n++] = '\r';
  s[n++] = '\n';
  s[n] = 0;
  return s;
}

static void test_h1_parse_limits(void **state) {
  (void)state;
  hyper_h1_config cfg;
  hyper_h1_head h;
  static hyper_field f[200];
  size_t scan;

  /* field count: exactly the cap passes, one more fails */
  hyper_h1_config_init(&cfg);
  cfg.max_headers = 10;
  char *s = make_head(10, 3);
  scan = 0;
  assert_true(hyper_h1_parse_response((const uint8_t *)s, strlen(s), &scan, 0,
                                      &cfg, &h, f, 200) > 0);
  assert_int_equal(h.nfields, 10);
  free(s);
  s = make_head(11, 3);
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, strlen(s),
                                           &scan, 0, &cfg, &h, f, 200),
                   HYPER_ERR_H1_TOO_LARGE);
  /* the caller's array is a cap too */
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, strlen(s),
                                           &scan, 0, NULL, &h, f, 5),
                   HYPER_ERR_H1_TOO_LARGE);
  free(s);

  /* line length: "X-00000: " + v + CRLF = 11 + v octets */
  hyper_h1_config_init(&cfg);
  cfg.max_line = 100;
  s = make_head(3, 89);
  scan = 0;
  assert_true(hyper_h1_parse_response((const uint8_t *)s, strlen(s), &scan, 0,
                                      &cfg, &h, f, 200) > 0);
  free(s);
  s = make_head(3, 90);
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, strlen(s),
                                           &scan, 0, &cfg, &h, f, 200),
                   HYPER_ERR_H1_TOO_LARGE);
  free(s);
  /* the status line too */
  char line[300];
  memset(line, 0, sizeof line);
  strcpy(line, "HTTP/1.1 200 ");
  memset(line + 13, 'r', 100);
  strcat(line, "\r\n\r\n");
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)line,
                                           strlen(line), &scan, 0, &cfg, &h,
                                           f, 200),
                   HYPER_ERR_H1_TOO_LARGE);

  /* total size: exactly max_header_bytes passes */
  hyper_h1_config_init(&cfg);
  s = make_head(4, 10); /* 17 + 4*21 + 2 = 103 octets */
  size_t total = strlen(s);
  assert_int_equal(total, 103);
  cfg.max_header_bytes = total;
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, total, &scan, 0,
                                           &cfg, &h, f, 200),
                   (int)total);
  cfg.max_header_bytes = total - 1;
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, total, &scan, 0,
                                           &cfg, &h, f, 200),
                   HYPER_ERR_H1_TOO_LARGE);
  /* an endless head fails once max_header_bytes octets hold no end, and
   * not before */
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, total - 3,
                                           &scan, 0, &cfg, &h, f, 200),
                   HYPER_ERR_INCOMPLETE);
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)s, total - 1,
                                           &scan, 0, &cfg, &h, f, 200),
                   HYPER_ERR_H1_TOO_LARGE);
  free(s);

  /* the default cap: 64 KiB of one header without end */
  size_t big = HYPER_H1_DEFAULT_MAX_HEADER_BYTES + 10;
  char *b = malloc(big);
  assert_non_null(b);
  memcpy(b, "HTTP/1.1 200 OK\r\nX: ", 20);
  memset(b + 20, 'a', big - 20);
  scan = 0;
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)b, big, &scan, 0,
                                           NULL, &h, f, 200),
                   HYPER_ERR_H1_TOO_LARGE);
  free(b);

  /* 1xx flood (HOSTILE-PEERS I.8) through the parser object */
  hyper_h1_config_init(&cfg);
  cfg.max_informational = 3;
  run_opts o = {0};
  o.cfg = &cfg;
  expect_ex("HTTP/1.1 103 Early Hints\r\n\r\n"
            "HTTP/1.1 103 Early Hints\r\n\r\n"
            "HTTP/1.1 103 Early Hints\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            &o,
            "INFO 103 1.1 'Early Hints' none cl=-1 ka=1\n"
            "INFO 103 1.1 'Early Hints' none cl=-1 ka=1\n"
            "INFO 103 1.1 'Early Hints' none cl=-1 ka=1\n"
            "HEAD 200 1.1 'OK' length cl=0 ka=1 [Content-Length=0]\n"
            "END reusable=1 upgraded=0\nEOF OK\n");
  expect_ex("HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 100 Continue\r\n\r\n",
            &o,
            "INFO 100 1.1 'Continue' none cl=-1 ka=1\n"
            "INFO 100 1.1 'Continue' none cl=-1 ka=1\n"
            "INFO 100 1.1 'Continue' none cl=-1 ka=1\n"
            "ERR H1_TOO_LARGE\n");

  /* trailers have the header limits */
  hyper_h1_config_init(&cfg);
  cfg.max_headers = 2;
  expect_ex("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "1\r\na\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            &o,
            "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
            "DATA 'a'\nERR H1_TOO_LARGE\n");
}

static void test_h1_parse_config_checks(void **state) {
  (void)state;
  hyper_h1_config cfg;
  hyper_h1_parser *p = NULL;
  hyper_h1_config_init(&cfg);
  assert_int_equal(cfg.max_header_bytes, 65536);
  assert_int_equal(cfg.max_headers, 128);
  assert_int_equal(cfg.allow_bare_lf, 1);
  cfg.max_headers = 0;
  assert_int_equal(hyper_h1_parser_new(&p, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_h1_config_init(&cfg);
  cfg.max_pipeline = HYPER_H1_MAX_PIPELINE + 1;
  assert_int_equal(hyper_h1_parser_new(&p, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_h1_config_init(&cfg);
  cfg.max_header_bytes = 3;
  assert_int_equal(hyper_h1_parser_new(&p, &cfg, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_new(NULL, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_null(p);
  /* NULL arguments */
  hyper_h1_head h;
  size_t scan = 0, nf;
  hyper_field f[2];
  assert_int_equal(hyper_h1_parse_response(NULL, 3, &scan, 0, NULL, &h, f, 2),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)"H", 1, NULL, 0,
                                           NULL, &h, f, 2),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parse_response((const uint8_t *)"H", 1, &scan,
                                           0x100, NULL, &h, f, 2),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parse_response(NULL, 0, &scan, 0, NULL, &h, NULL,
                                           0),
                   HYPER_ERR_INCOMPLETE);
  assert_int_equal(hyper_h1_parse_fields(NULL, 1, NULL, f, 2, &nf),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_feed(NULL, NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_eof(NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_request(NULL, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_next_event(NULL, NULL), 0);
  assert_int_equal(hyper_h1_parser_outstanding(NULL), 0);
  hyper_h1_parser_free(NULL);
  hyper_h1_config_init(NULL);
}

/* ------------------------------------------------------------------------ */
/* Message body length (RFC 9112 §6.3, RFC 9110 §8.6, HOSTILE-PEERS I.1,    */
/* I.11)                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct framing_case {
  const char *fields; /* field lines, each ending in CRLF */
  int status;
  uint32_t flags;
  int want; /* hyper_h1_framing, or a negative error */
  int64_t cl;
} framing_case;

static void test_h1_parse_framing_table(void **state) {
  (void)state;
  static const framing_case cases[] = {
      {"Content-Length: 5\r\n", 200, 0, HYPER_H1_BODY_LENGTH, 5},
      {"Content-Length: 0\r\n", 200, 0, HYPER_H1_BODY_LENGTH, 0},
      {"Content-Length: 007\r\n", 200, 0, HYPER_H1_BODY_LENGTH, 7},
      {"content-length:5\r\n", 200, 0, HYPER_H1_BODY_LENGTH, 5},
      {"CONTENT-LENGTH: 5 \r\n", 200, 0, HYPER_H1_BODY_LENGTH, 5},
      {"Content-Length: 9223372036854775807\r\n", 200, 0,
       HYPER_H1_BODY_LENGTH, INT64_MAX},
      /* identical repeats are one value (RFC 9110 §8.6) */
      {"Content-Length: 42, 42\r\n", 200, 0, HYPER_H1_BODY_LENGTH, 42},
      {"Content-Length: 42\r\nContent-Length: 42\r\n", 200, 0,
       HYPER_H1_BODY_LENGTH, 42},
      /* differing, signed, empty, garbage, overflow */
      {"Content-Length: 42, 43\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 42\r\nContent-Length: 43\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: +5\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: -1\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length:\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 5 5\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 5,\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: ,5\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 0x5\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 5.0\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 9223372036854775808\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      {"Content-Length: 99999999999999999999999\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      /* Transfer-Encoding */
      {"Transfer-Encoding: chunked\r\n", 200, 0, HYPER_H1_BODY_CHUNKED, -1},
      {"Transfer-Encoding: CHUNKED\r\n", 200, 0, HYPER_H1_BODY_CHUNKED, -1},
      {"Transfer-Encoding: ,chunked, \r\n", 200, 0, HYPER_H1_BODY_CHUNKED,
       -1},
      {"Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n", 200, 0,
       HYPER_H1_BODY_CHUNKED, -1},
      {"Transfer-Encoding: gzip, chunked\r\n", 200, 0, HYPER_ERR_H1_LENGTH,
       -1},
      {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding: chunked, gzip\r\n", 200, 0, HYPER_ERR_H1_LENGTH,
       -1},
      {"Transfer-Encoding: chunked, chunked\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 200,
       0, HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding: identity\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding: xchunked\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding: chunked;q=1\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      {"Transfer-Encoding:\r\n", 200, 0, HYPER_ERR_H1_LENGTH, -1},
      /* both: refused (HOSTILE-PEERS I.1), whatever the order */
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, 5},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, 5},
      {"Content-Length: x\r\nTransfer-Encoding: chunked\r\n", 200, 0,
       HYPER_ERR_H1_LENGTH, -1},
      /* neither: close-delimited */
      {"Server: x\r\n", 200, 0, HYPER_H1_BODY_CLOSE, -1},
      {"", 500, 0, HYPER_H1_BODY_CLOSE, -1},
      /* §6.3 item 1: no body whatever the fields say */
      {"Content-Length: 100\r\n", 200, HYPER_H1_REQ_HEAD, HYPER_H1_BODY_NONE,
       100},
      {"Transfer-Encoding: chunked\r\n", 200, HYPER_H1_REQ_HEAD,
       HYPER_H1_BODY_NONE, -1},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 404,
       HYPER_H1_REQ_HEAD, HYPER_H1_BODY_NONE, 5},
      {"Content-Length: 5\r\n", 204, 0, HYPER_H1_BODY_NONE, 5},
      {"Transfer-Encoding: chunked\r\n", 204, 0, HYPER_H1_BODY_NONE, -1},
      {"Content-Length: 1234\r\n", 304, 0, HYPER_H1_BODY_NONE, 1234},
      {"Content-Length: +1\r\n", 304, 0, HYPER_H1_BODY_NONE, -1},
      {"Content-Length: 5\r\n", 100, 0, HYPER_H1_BODY_NONE, 5},
      {"", 103, 0, HYPER_H1_BODY_NONE, -1},
      {"", 199, 0, HYPER_H1_BODY_NONE, -1},
      {"", 205, 0, HYPER_H1_BODY_CLOSE, -1},
      /* §6.3 item 2: 2xx to CONNECT is a tunnel */
      {"Content-Length: 5\r\n", 200, HYPER_H1_REQ_CONNECT,
       HYPER_H1_BODY_TUNNEL, 5},
      {"Transfer-Encoding: chunked\r\n", 299, HYPER_H1_REQ_CONNECT,
       HYPER_H1_BODY_TUNNEL, -1},
      {"Content-Length: 5\r\n", 407, HYPER_H1_REQ_CONNECT,
       HYPER_H1_BODY_LENGTH, 5},
      /* 101 only after an Upgrade request (HOSTILE-PEERS I.7) */
      {"Upgrade: h2c\r\nConnection: Upgrade\r\n", 101, HYPER_H1_REQ_UPGRADE,
       HYPER_H1_BODY_TUNNEL, -1},
      {"Upgrade: h2c\r\nConnection: Upgrade\r\n", 101, 0, HYPER_ERR_H1_PARSE,
       -1},
      {"Content-Length: 5\r\n", 200, HYPER_H1_REQ_UPGRADE,
       HYPER_H1_BODY_LENGTH, 5},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char r[512];
    snprintf(r, sizeof r, "HTTP/1.1 %d X\r\n%s\r\n", cases[i].status,
             cases[i].fields);
    hyper_h1_head h;
    hyper_field f[8];
    int rv = head(r, cases[i].flags, &h, f, 8);
    if (cases[i].want < 0) {
      if (rv != cases[i].want)
        fail_msg("case %zu (%s): got %s", i, r, hyper_err_name(rv));
      continue;
    }
    if (rv != (int)strlen(r))
      fail_msg("case %zu (%s): got %s", i, r, hyper_err_name(rv));
    if ((int)h.framing != cases[i].want || h.content_length != cases[i].cl)
      fail_msg("case %zu (%s): framing %d cl %lld", i, r, (int)h.framing,
               (long long)h.content_length);
  }
}

/* RFC 9112 §9.3 persistence, as the END event's reusable flag. */
static void test_h1_parse_keep_alive_table(void **state) {
  (void)state;
  static const struct {
    const char *version;
    const char *fields;
    uint32_t flags;
    int reusable;
  } cases[] = {
      /* HTTP/1.1: persistent unless "close" */
      {"1.1", "Content-Length: 0\r\n", 0, 1},
      {"1.1", "Content-Length: 0\r\nConnection: close\r\n", 0, 0},
      {"1.1", "Content-Length: 0\r\nConnection: CLOSE\r\n", 0, 0},
      {"1.1", "Content-Length: 0\r\nConnection: keep-alive, close\r\n", 0, 0},
      {"1.1", "Content-Length: 0\r\nConnection: x\r\nConnection: close\r\n", 0,
       0},
      {"1.1", "Content-Length: 0\r\nConnection: closed\r\n", 0, 1},
      {"1.1", "Content-Length: 0\r\nConnection: keep-alive\r\n", 0, 1},
      {"1.1", "Content-Length: 0\r\nX-Connection: close\r\n", 0, 1},
      {"1.1", "Transfer-Encoding: chunked\r\n", 0, 1},
      /* HTTP/1.0: only with keep-alive */
      {"1.0", "Content-Length: 0\r\n", 0, 0},
      {"1.0", "Content-Length: 0\r\nConnection: keep-alive\r\n", 0, 1},
      {"1.0", "Content-Length: 0\r\nConnection: Keep-Alive\r\n", 0, 1},
      {"1.0", "Content-Length: 0\r\nConnection: keep-alive, close\r\n", 0, 0},
      /* HTTP/1.0 with Transfer-Encoding: faulty framing, close after */
      {"1.0", "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n", 0,
       0},
      /* our request said close */
      {"1.1", "Content-Length: 0\r\n", HYPER_H1_REQ_CLOSE, 0},
      /* no body by status or method: the head decides */
      {"1.1", "Content-Length: 10\r\n", HYPER_H1_REQ_HEAD, 1},
      {"1.0", "Content-Length: 10\r\n", HYPER_H1_REQ_HEAD, 0},
      {"1.1", "Connection: close\r\n", HYPER_H1_REQ_HEAD, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char r[512];
    int chunked = strstr(cases[i].fields, "chunked") != NULL;
    snprintf(r, sizeof r, "HTTP/%s 200 OK\r\n%s\r\n%s", cases[i].version,
             cases[i].fields,
             chunked && !(cases[i].flags & HYPER_H1_REQ_HEAD) ? "0\r\n\r\n"
                                                              : "");
    run_opts o = {0};
    o.reqs = &cases[i].flags;
    o.nreqs = 1;
    char *t = run_whole(r, &o);
    char want[64];
    snprintf(want, sizeof want, "END reusable=%d upgraded=0\nEOF OK\n",
             cases[i].reusable);
    if (!strstr(t, want))
      fail_msg("case %zu:\n%s\ngot:\n%s", i, r, t);
    free(t);
  }
  /* close-delimited bodies are never reusable, even with keep-alive */
  expect("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nabc",
         "HEAD 200 1.1 'OK' close cl=-1 ka=0 [Connection=keep-alive]\n"
         "DATA 'abc'\nEND reusable=0 upgraded=0\nEOF OK\n");
}

/* ------------------------------------------------------------------------ */
/* The parser object: bodies, 1xx, HEAD/204/304, upgrade, EOF, excess        */
/* ------------------------------------------------------------------------ */

static void test_h1_parser_content_length(void **state) {
  (void)state;
  expect("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
         "HEAD 200 1.1 'OK' length cl=11 ka=1 [Content-Length=11]\n"
         "DATA 'hello world'\nEND reusable=1 upgraded=0\nEOF OK\n");
  /* truncated: the response fails (HOSTILE-PEERS G4 for HTTP/1.1) */
  expect("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello",
         "HEAD 200 1.1 'OK' length cl=11 ka=1 [Content-Length=11]\n"
         "DATA 'hello'\nEOF H1_UNEXPECTED_EOF\n");
  /* a body longer than declared: desync, error (HOSTILE-PEERS I.5) */
  expect("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
         "HEAD 200 1.1 'OK' length cl=2 ka=1 [Content-Length=2]\n"
         "DATA 'ok'\nEND reusable=1 upgraded=0\nERR H1_LENGTH\n");
  /* also after Connection: close */
  expect("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok!",
         "HEAD 200 1.1 'OK' length cl=2 ka=0 [Connection=close] "
         "[Content-Length=2]\n"
         "DATA 'ok'\nEND reusable=0 upgraded=0\nERR H1_LENGTH\n");
  /* a second response nobody asked for (no pipelining) */
  expect("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
         "HEAD 204 1.1 'No Content' none cl=-1 ka=1\n"
         "END reusable=1 upgraded=0\nERR H1_LENGTH\n");
}

static void test_h1_parser_chunked(void **state) {
  (void)state;
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5;name=value;flag\r\nhello\r\n"
         "6 ; q=\"a \\\"b\\\" c\"\r\n world\r\n"
         "0\r\nX-Checksum: abc\r\nX-Two:  2 \r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "DATA 'hello world'\n"
         "TRAILERS [X-Checksum=abc] [X-Two=2]\n"
         "END reusable=1 upgraded=0\nEOF OK\n");
  /* no trailers: no TRAILERS event */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "A\r\n0123456789\r\n0\r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "DATA '0123456789'\nEND reusable=1 upgraded=0\nEOF OK\n");
  /* empty body */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "END reusable=1 upgraded=0\nEOF OK\n");
  /* truncated inside the trailers */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "1\r\nx\r\n0\r\nA: b\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "DATA 'x'\nEOF H1_UNEXPECTED_EOF (6 unconsumed)\n");
  /* missing CRLF after chunk data: the data before is still delivered */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "3\r\nabcd\r\n0\r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "DATA 'abc'\nERR H1_CHUNKED\n");
  /* chunk-size overflow (HOSTILE-PEERS I.2) */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "10000000000000000\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "ERR H1_CHUNKED\n");
  /* malformed trailers */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\nA : b\r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "ERR H1_PARSE\n");
  /* bytes after the end */
  expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n\r\n",
         "HEAD 200 1.1 'OK' chunked cl=-1 ka=1 [Transfer-Encoding=chunked]\n"
         "END reusable=1 upgraded=0\nERR H1_LENGTH\n");
}

static void test_h1_parser_close_delimited(void **state) {
  (void)state;
  expect("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\nline1\nline2\n",
         "HEAD 200 1.0 'OK' close cl=-1 ka=0 [Server=SimpleHTTP/0.6]\n"
         "DATA 'line1\\x0aline2\\x0a'\nEND reusable=0 upgraded=0\nEOF OK\n");
  expect("HTTP/1.1 200 OK\r\n\r\n",
         "HEAD 200 1.1 'OK' close cl=-1 ka=0\n"
         "END reusable=0 upgraded=0\nEOF OK\n");
  /* without EOF there is no END */
  run_opts o = {0};
  o.no_eof = 1;
  expect_ex("HTTP/1.1 200 OK\r\n\r\nabc", &o,
            "HEAD 200 1.1 'OK' close cl=-1 ka=0\nDATA 'abc'\n");
}

static void test_h1_parser_informational(void **state) {
  (void)state;
  /* 100-continue, then the final response (RFC 9110 §15.2) */
  expect("HTTP/1.1 100 Continue\r\n\r\n"
         "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
         "INFO 100 1.1 'Continue' none cl=-1 ka=1\n"
         "HEAD 201 1.1 'Created' length cl=2 ka=1 [Content-Length=2]\n"
         "DATA 'ok'\nEND reusable=1 upgraded=0\nEOF OK\n");
  /* 103 Early Hints with fields, then 1xx again */
  expect("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
         "HTTP/1.1 102 Processing\r\n\r\n"
         "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
         "INFO 103 1.1 'Early Hints' none cl=-1 ka=1 "
         "[Link=</s.css>; rel=preload]\n"
         "INFO 102 1.1 'Processing' none cl=-1 ka=1\n"
         "HEAD 200 1.1 'OK' length cl=0 ka=1 [Content-Length=0]\n"
         "END reusable=1 upgraded=0\nEOF OK\n");
  /* a 1xx then EOF: the response started, so it is truncated */
  expect("HTTP/1.1 100 Continue\r\n\r\n",
         "INFO 100 1.1 'Continue' none cl=-1 ka=1\nEOF H1_UNEXPECTED_EOF\n");
  /* an expected final 417 instead of 100 */
  expect("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n",
         "HEAD 417 1.1 'Expectation Failed' length cl=0 ka=1 "
         "[Content-Length=0]\n"
         "END reusable=1 upgraded=0\nEOF OK\n");
}

static void test_h1_parser_no_body_responses(void **state) {
  (void)state;
  uint32_t reqs[3] = {HYPER_H1_REQ_HEAD, 0, 0};
  run_opts o = {0};
  o.reqs = reqs;
  o.nreqs = 3;
  /* HEAD, 204 and 304 on one connection: the Content-Length of each is
   * reported but frames nothing */
  expect_ex("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
            "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
            "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
            "Transfer-Encoding: chunked\r\n\r\n",
            &o,
            "HEAD 200 1.1 'OK' none cl=1000 ka=1 [Content-Length=1000]\n"
            "END reusable=1 upgraded=0\n"
            "HEAD 204 1.1 'No Content' none cl=7 ka=1 [Content-Length=7]\n"
            "END reusable=1 upgraded=0\n"
            "HEAD 304 1.1 'Not Modified' none cl=-1 ka=1 [ETag=\"x\"] "
            "[Transfer-Encoding=chunked]\n"
            "END reusable=1 upgraded=0\nEOF OK\n");
}

static void test_h1_parser_pipelining(void **state) {
  (void)state;
  uint32_t reqs[3] = {0, 0, 0};
  run_opts o = {0};
  o.reqs = reqs;
  o.nreqs = 3;
  expect_ex("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\nno\r\n0\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nc",
            &o,
            "HEAD 200 1.1 'OK' length cl=1 ka=1 [Content-Length=1]\n"
            "DATA 'a'\nEND reusable=1 upgraded=0\n"
            "HEAD 404 1.1 'Not Found' chunked cl=-1 ka=1 "
            "[Transfer-Encoding=chunked]\n"
            "DATA 'no'\nEND reusable=1 upgraded=0\n"
            "HEAD 200 1.1 'OK' length cl=1 ka=0 [Content-Length=1] "
            "[Connection=close]\n"
            "DATA 'c'\nEND reusable=0 upgraded=0\nEOF OK\n");
  /* the server closes after the first: the queued requests fail */
  expect_ex("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
            &o,
            "HEAD 200 1.1 'OK' length cl=1 ka=0 [Content-Length=1] "
            "[Connection=close]\n"
            "DATA 'a'\nEND reusable=0 upgraded=0\nEOF EOF\n");
  /* closed before the second response: retryable (HOSTILE-PEERS I.9) */
  expect_ex("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", &o,
            "HEAD 200 1.1 'OK' length cl=1 ka=1 [Content-Length=1]\n"
            "DATA 'a'\nEND reusable=1 upgraded=0\nEOF EOF\n");
  /* nothing at all */
  expect_ex("", &o, "EOF EOF\n");
  run_opts none = {0};
  none.reqs = reqs;
  none.nreqs = 0;
  expect_ex("", &none, "EOF OK\n");
  expect_ex("H", &none, "ERR H1_LENGTH\n");
}

static void test_h1_parser_upgrade(void **state) {
  (void)state;
  uint32_t up = HYPER_H1_REQ_UPGRADE;
  run_opts o = {0};
  o.reqs = &up;
  o.nreqs = 1;
  /* h2c: 101 then the HTTP/2 server preface, which is not ours */
  expect_ex("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            "Upgrade: h2c\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00",
            &o,
            "HEAD 101 1.1 'Switching Protocols' tunnel cl=-1 ka=0 "
            "[Connection=Upgrade] [Upgrade=h2c]\n"
            "END reusable=0 upgraded=1\n"
            "REST ''\nEOF OK\n");
  /* (strlen stops at the NUL: use explicit bytes for the REST check) */
  static const uint8_t r[] = "HTTP/1.1 101 Switching Protocols\r\n"
                             "Upgrade: h2c\r\n\r\nPRI * HTTP/2.0";
  char *t = check_invariant(r, sizeof r - 1, &o, 0);
  assert_string_equal(t, "HEAD 101 1.1 'Switching Protocols' tunnel cl=-1 "
                         "ka=0 [Upgrade=h2c]\n"
                         "END reusable=0 upgraded=1\n"
                         "REST 'PRI * HTTP/2.0'\nEOF OK\n");
  free(t);
  /* 101 unasked (HOSTILE-PEERS I.7) */
  expect("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
         "ERR H1_PARSE\n");
  /* the server ignores the upgrade: plain HTTP/1.1 */
  expect_ex("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", &o,
            "HEAD 200 1.1 'OK' length cl=2 ka=1 [Content-Length=2]\n"
            "DATA 'ok'\nEND reusable=1 upgraded=0\nEOF OK\n");
  /* CONNECT tunnels */
  uint32_t conn = HYPER_H1_REQ_CONNECT;
  o.reqs = &conn;
  expect_ex("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", &o,
            "HEAD 200 1.1 'Connection established' tunnel cl=-1 ka=0\n"
            "END reusable=0 upgraded=1\nREST '\\x16\\x03\\x01'\nEOF OK\n");
  expect_ex("HTTP/1.1 407 Proxy Auth\r\nContent-Length: 1\r\n\r\nx", &o,
            "HEAD 407 1.1 'Proxy Auth' length cl=1 ka=1 [Content-Length=1]\n"
            "DATA 'x'\nEND reusable=1 upgraded=0\nEOF OK\n");
}

static void test_h1_parser_api_states(void **state) {
  (void)state;
  hyper_h1_parser *p;
  hyper_h1_config cfg;
  hyper_h1_config_init(&cfg);
  cfg.max_pipeline = 2;
  assert_int_equal(hyper_h1_parser_new(&p, &cfg, NULL), 0);
  assert_int_equal(hyper_h1_parser_outstanding(p), 0);
  assert_int_equal(hyper_h1_parser_request(p, 0x10),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_h1_parser_request(p, 0), 0);
  assert_int_equal(hyper_h1_parser_request(p, 0), 0);
  assert_int_equal(hyper_h1_parser_request(p, 0), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper_h1_parser_outstanding(p), 2);
  assert_int_equal(hyper_h1_parser_feed(p, NULL, 0), 0);
  assert_int_equal(hyper_h1_parser_feed(p, NULL, 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  size_t hl = strlen(r) - 3;
  /* incomplete head: nothing consumed */
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r, 10),
                   HYPER_ERR_INCOMPLETE);
  int rv = hyper_h1_parser_feed(p, (const uint8_t *)r, strlen(r));
  assert_int_equal(rv, (int)hl);
  /* events pending: feed and eof refuse */
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r + hl, 3),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h1_parser_eof(p), HYPER_ERR_INVALID_STATE);
  hyper_h1_event ev;
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_HEAD);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 0);
  assert_int_equal(hyper_h1_parser_outstanding(p), 2);
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r + hl, 1), 1);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_DATA);
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r + hl + 1, 2), 2);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_DATA);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_END);
  assert_int_equal(ev.u.end.reusable, 1);
  assert_int_equal(hyper_h1_parser_outstanding(p), 1);
  assert_int_equal(hyper_h1_parser_request(p, 0), 0);
  /* an error is sticky and refuses requests */
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)"XTTP", 4),
                   HYPER_ERR_H1_PARSE);
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r, strlen(r)),
                   HYPER_ERR_H1_PARSE);
  assert_int_equal(hyper_h1_parser_request(p, 0), HYPER_ERR_H1_PARSE);
  hyper_h1_parser_free(p);

  /* after a non-reusable end, and after EOF, no more requests */
  assert_int_equal(hyper_h1_parser_new(&p, NULL, NULL), 0);
  assert_int_equal(hyper_h1_parser_request(p, HYPER_H1_REQ_CLOSE), 0);
  r = "HTTP/1.1 204 No Content\r\n\r\n";
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r, strlen(r)),
                   (int)strlen(r));
  while (hyper_h1_parser_next_event(p, &ev))
    ;
  assert_int_equal(ev.type, HYPER_H1_EV_END);
  assert_int_equal(ev.u.end.reusable, 0);
  assert_int_equal(hyper_h1_parser_request(p, 0), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h1_parser_eof(p), 0);
  assert_int_equal(hyper_h1_parser_eof(p), 0);
  assert_int_equal(hyper_h1_parser_request(p, 0), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)"x", 1),
                   HYPER_ERR_H1_LENGTH);
  hyper_h1_parser_free(p);

  /* upgraded: feed refuses without failing, eof is fine */
  assert_int_equal(hyper_h1_parser_new(&p, NULL, NULL), 0);
  assert_int_equal(hyper_h1_parser_request(p, HYPER_H1_REQ_UPGRADE), 0);
  r = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nxyz";
  rv = hyper_h1_parser_feed(p, (const uint8_t *)r, strlen(r));
  assert_int_equal(rv, (int)strlen(r) - 3);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_HEAD);
  assert_int_equal(ev.u.head.status, 101);
  assert_int_equal(ev.u.head.nfields, 1);
  assert_int_equal(hyper_h1_parser_next_event(p, &ev), 1);
  assert_int_equal(ev.type, HYPER_H1_EV_END);
  assert_int_equal(ev.u.end.upgraded, 1);
  assert_int_equal(hyper_h1_parser_feed(p, (const uint8_t *)r + rv, 3),
                   HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h1_parser_request(p, 0), HYPER_ERR_INVALID_STATE);
  assert_int_equal(hyper_h1_parser_eof(p), 0);
  hyper_h1_parser_free(p);
}

/* ------------------------------------------------------------------------ */
/* The stateless API: the resume contract                                   */
/* ------------------------------------------------------------------------ */

static void test_h1_parse_resume_contract(void **state) {
  (void)state;
  const char *r = "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 3\r\n"
                  "X-A: 1\r\n\r\nabc";
  size_t hl = strlen(r) - 3;
  size_t scan = 0;
  hyper_h1_head h;
  hyper_field f[8];
  uint8_t *buf = NULL;
  /* one byte at a time, the storage moving every time */
  for (size_t n = 1; n <= strlen(r); n++) {
    uint8_t *nb = malloc(n);
    assert_non_null(nb);
    memcpy(nb, r, n);
    free(buf);
    buf = nb;
    size_t before = scan;
    int rv = hyper_h1_parse_response(buf, n, &scan, 0, NULL, &h, f, 8);
    if (n < hl) {
      assert_int_equal(rv, HYPER_ERR_INCOMPLETE);
      assert_true(scan >= before && scan <= n); /* only new bytes */
      assert_true(scan + 2 >= n);
    } else {
      assert_int_equal(rv, (int)hl);
      assert_int_equal(h.nfields, 3);
      assert_true(f[2].name >= buf && f[2].name < buf + n);
      assert_int_equal(h.content_length, 3);
    }
  }
  free(buf);
}

static void test_h1_parse_fields_block(void **state) {
  (void)state;
  hyper_field f[4];
  size_t n = 99;
  assert_int_equal(hyper_h1_parse_fields(NULL, 0, NULL, f, 4, &n), 0);
  assert_int_equal(n, 0);
  const char *b = "A: 1\r\nB:2\r\n";
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b), NULL,
                                         f, 4, &n),
                   0);
  assert_int_equal(n, 2);
  assert_memory_equal(f[1].name, "B", 1);
  assert_memory_equal(f[1].value, "2", 1);
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b) - 1,
                                         NULL, f, 4, &n),
                   HYPER_ERR_H1_PARSE);
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b), NULL,
                                         f, 1, &n),
                   HYPER_ERR_H1_TOO_LARGE);
  b = "A: 1\r\n\r\nB: 2\r\n";
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b), NULL,
                                         f, 4, &n),
                   HYPER_ERR_H1_PARSE);
  b = "A: 1\r\n b\r\n";
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b), NULL,
                                         f, 4, &n),
                   HYPER_ERR_H1_PARSE);
  b = "A: 1\r";
  assert_int_equal(hyper_h1_parse_fields((const uint8_t *)b, strlen(b), NULL,
                                         f, 4, &n),
                   HYPER_ERR_H1_PARSE);
}

/* ------------------------------------------------------------------------ */
/* Split invariance over a corpus, guard pages, random input                */
/* ------------------------------------------------------------------------ */

typedef struct corpus_entry {
  const char *r;
  size_t len; /* 0: strlen */
  uint32_t reqs[3];
  size_t nreqs;
} corpus_entry;

static const corpus_entry corpus[] = {
    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n"
     "\r\nhello",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n"
     "6\r\n world\r\n0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n",
     0, {0}, 1},
    {"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close", 0, {0}, 1},
    {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
     "\r\nok",
     0, {0}, 1},
    {"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n"
     "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 404 Not Found\r\n"
     "Transfer-Encoding: chunked\r\n\r\n1\r\ny\r\n0\r\n\r\n",
     0, {0, 0}, 2},
    {"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 204 No Content\r\n"
     "\r\n",
     0, {HYPER_H1_REQ_HEAD, 0}, 2},
    {"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n", 0,
     {0, 0}, 2},
    {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0"
     "\r\n\r\nSM\r\n\r\n",
     0, {HYPER_H1_REQ_UPGRADE}, 1},
    {"HTTP/1.1 200 OK\r\n\r\ntunnel bytes", 0, {HYPER_H1_REQ_CONNECT}, 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
     "\r\n3\r\nabc\r\n0\r\n\r\n",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", 0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabcdef", 0, {0}, 1},
    {"<html>hi</html>", 0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", 0, {0}, 1},
    {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n1"
     "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n2",
     0, {0, 0}, 2},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, {0},
     1},
    {"HTTP/1.1 200 OK\nContent-Length: 1\n\nz", 0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 0,
     {0}, 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"
     "0;ext=\"v\"\r\nT: 1\n\n",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1;=\r\nb"
     "\r\n0\r\n\r\n",
     0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, {0}, 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: +0\r\n\r\n", 0, {0}, 1},
};

static void test_h1_parser_split_invariance(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
    const corpus_entry *c = &corpus[i];
    size_t n = c->len ? c->len : strlen(c->r);
    run_opts o = {0};
    o.reqs = c->reqs;
    o.nreqs = c->nreqs;
    char *t = check_invariant((const uint8_t *)c->r, n, &o, 1);
    free(t);
  }
}

/* picohttpparser-style guard page: every prefix of every corpus entry is
 * placed so that its last octet is the last readable octet before a
 * PROT_NONE page. Any read past the end faults. */
static void test_h1_parse_guard_page(void **state) {
  (void)state;
  long pg = sysconf(_SC_PAGESIZE);
  assert_true(pg > 0);
  size_t page = (size_t)pg;
  /* /dev/zero rather than MAP_ANONYMOUS: the build is POSIX 2008 */
  int fd = open("/dev/zero", O_RDWR);
  assert_true(fd >= 0);
  uint8_t *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  assert_true(m != MAP_FAILED);
  assert_int_equal(mprotect(m + page, page, PROT_NONE), 0);
  hyper_field f[64];
  for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
    const char *r = corpus[i].r;
    size_t n = corpus[i].len ? corpus[i].len : strlen(r);
    for (size_t k = 0; k <= n && k < page; k++) {
      uint8_t *at = m + page - k;
      memcpy(at, r, k);
      size_t scan = 0;
      hyper_h1_head h;
      (void)hyper_h1_parse_response(at, k, &scan, corpus[i].reqs[0], NULL, &h,
                                    f, 64);
      /* the object, and the chunked decoder on what follows a head */
      hyper_h1_parser *p;
      assert_int_equal(hyper_h1_parser_new(&p, NULL, NULL), 0);
      for (size_t q = 0; q < corpus[i].nreqs; q++)
        assert_int_equal(hyper_h1_parser_request(p, corpus[i].reqs[q]), 0);
      size_t off = 0;
      while (off < k) {
        int rv = hyper_h1_parser_feed(p, at + off, k - off);
        if (rv <= 0)
          break;
        hyper_h1_event ev;
        while (hyper_h1_parser_next_event(p, &ev))
          ;
        off += (size_t)rv;
      }
      hyper_h1_parser_free(p);
      hyper_h1_chunked ch;
      hyper_h1_chunked_init(&ch, NULL);
      hyper_h1_chunked_out co;
      off = 0;
      while (off < k) {
        int rv = hyper_h1_chunked_decode(&ch, at + off, k - off, &co);
        if (rv <= 0)
          break;
        off += (size_t)rv;
      }
    }
  }
  munmap(m, 2 * page);
}

/* Fixed-seed random input: pure garbage, and corpus entries with random
 * octets replaced, inserted or deleted. Nothing may crash or leak, and
 * the transcript must not depend on the split. */
static void test_h1_parser_random_garbage(void **state) {
  (void)state;
  static const char alphabet[] = "HTTP/1.0 2345\r\n:;=\"\\ \tabcCLT-chunked0f\x00"
                                 "\x80\x7f";
  uint8_t buf[512];
  rng_state = 0xC0FFEEu;
  for (int iter = 0; iter < 1500; iter++) {
    size_t n;
    if (iter % 3 == 0) {
      n = rnd() % 200;
      for (size_t i = 0; i < n; i++)
        buf[i] = (rnd() & 1) ? (uint8_t)alphabet[rnd() % (sizeof alphabet - 1)]
                             : (uint8_t)rnd();
    } else {
      const corpus_entry *c = &corpus[rnd() % (sizeof corpus / sizeof corpus[0])];
      n = c->len ? c->len : strlen(c->r);
      memcpy(buf, c->r, n);
      int muts = 1 + (int)(rnd() % 4);
      for (int m = 0; m < muts && n > 0 && n < sizeof buf - 1; m++) {
        size_t at = rnd() % n;
        switch (rnd() % 3) {
        case 0:
          buf[at] = (uint8_t)alphabet[rnd() % (sizeof alphabet - 1)];
          break;
        case 1:
          memmove(buf + at + 1, buf + at, n - at);
          buf[at] = (uint8_t)rnd();
          n++;
          break;
        default:
          memmove(buf + at, buf + at + 1, n - at - 1);
          n--;
          break;
        }
      }
    }
    uint32_t reqs[2] = {rnd() & 0x0f, rnd() & 0x0f};
    run_opts o = {0};
    o.reqs = reqs;
    o.nreqs = 2;
    char *whole = run_split(buf, n, NULL, 0, &o);
    char *bw = run_bytewise(buf, n, &o);
    if (strcmp(whole, bw) != 0)
      fail_msg("iteration %d differs:\n%s\nvs\n%s", iter, whole, bw);
    size_t cuts[8], nc = 0, at = 0;
    while (nc < 8) {
      at += 1 + rnd() % 40;
      if (at >= n)
        break;
      cuts[nc++] = at;
    }
    char *rs = run_split(buf, n, cuts, nc, &o);
    assert_string_equal(whole, rs);
    free(whole);
    free(bw);
    free(rs);
  }
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

/* The parser allocates once, in _new; nothing on the parse path. */
static void test_h1_parser_failmalloc(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  fm.fail_at = 1;
  hyper_h1_parser *p = NULL;
  assert_int_equal(hyper_h1_parser_new(&p, NULL, &fm.mem), HYPER_ERR_NOMEM);
  assert_null(p);
  assert_int_equal(fm.live_blocks, 0);
  failmem_init(&fm);
  fm.fail_after = 2; /* any allocation after the first fails */
  assert_int_equal(hyper_h1_parser_new(&p, NULL, &fm.mem), 0);
  assert_int_equal(fm.nalloc, 1);
  const corpus_entry *c = &corpus[1];
  for (int rep = 0; rep < 3; rep++) {
    assert_int_equal(hyper_h1_parser_request(p, 0), 0);
    size_t n = strlen(c->r), off = 0;
    while (off < n) {
      int rv = hyper_h1_parser_feed(p, (const uint8_t *)c->r + off, n - off);
      assert_true(rv > 0);
      hyper_h1_event ev;
      while (hyper_h1_parser_next_event(p, &ev))
        ;
      off += (size_t)rv;
    }
  }
  assert_int_equal(fm.nalloc, 1);
  assert_int_equal(fm.nfailed, 0);
  hyper_h1_parser_free(p);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_h1_parse_status_line),
      cmocka_unit_test(test_h1_parse_status_line_rejects),
      cmocka_unit_test(test_h1_parse_http09_rejected),
      cmocka_unit_test(test_h1_parse_fields_slices),
      cmocka_unit_test(test_h1_parse_fields_rejects),
      cmocka_unit_test(test_h1_parse_value_scan),
      cmocka_unit_test(test_h1_parse_bare_lf),
      cmocka_unit_test(test_h1_parse_limits),
      cmocka_unit_test(test_h1_parse_config_checks),
      cmocka_unit_test(test_h1_parse_framing_table),
      cmocka_unit_test(test_h1_parse_keep_alive_table),
      cmocka_unit_test(test_h1_parser_content_length),
      cmocka_unit_test(test_h1_parser_chunked),
      cmocka_unit_test(test_h1_parser_close_delimited),
      cmocka_unit_test(test_h1_parser_informational),
      cmocka_unit_test(test_h1_parser_no_body_responses),
      cmocka_unit_test(test_h1_parser_pipelining),
      cmocka_unit_test(test_h1_parser_upgrade),
      cmocka_unit_test(test_h1_parser_api_states),
      cmocka_unit_test(test_h1_parse_resume_contract),
      cmocka_unit_test(test_h1_parse_fields_block),
      cmocka_unit_test(test_h1_parser_split_invariance),
      cmocka_unit_test(test_h1_parse_guard_page),
      cmocka_unit_test(test_h1_parser_random_garbage),
      cmocka_unit_test(test_h1_parser_failmalloc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
