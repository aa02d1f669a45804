/* Unit tests for the header map (include/hyper/hdrs.h, src/hdrs/hdrs.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hyper/hdrs.h"
#include "hdrs/hdrs_int.h"
#include "failmem.h"

#define LIT HYPER_HDRS_LIT

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static void expect_bytes(const uint8_t *p, size_t n, const char *want) {
  size_t wn = strlen(want);
  assert_int_equal(n, wn);
  if (n)
    assert_memory_equal(p, want, n);
}

static void expect_slice(hyper_slice s, const char *want) {
  assert_non_null(s.ptr);
  expect_bytes(s.ptr, s.len, want);
}

static void expect_field(const hyper_field *f, const char *name,
                         const char *value) {
  expect_bytes(f->name, f->name_len, name);
  expect_bytes(f->value, f->value_len, value);
}

static void add(hyper_hdrs *h, const char *name, const char *value) {
  assert_int_equal(
      hyper_hdrs_add(h, name, strlen(name), value, strlen(value), 0), 0);
}

static hyper_hdrs *new_map(const hyper_hdrs_config *cfg) {
  hyper_hdrs *h = NULL;
  assert_int_equal(hyper_hdrs_new(&h, cfg, NULL), 0);
  assert_non_null(h);
  return h;
}

static void check(const hyper_hdrs *h) { assert_int_equal(hyper__hdrs_check(h), 0); }

/* Expects the values of |name| under |flags| to be exactly the |n| strings
 * that follow, via both the cursor and the array form. */
static void expect_values(const hyper_hdrs *h, const char *name,
                          uint32_t flags, size_t n, ...) {
  hyper_slice got[32], v;
  size_t count = 0;
  assert_true(n <= 32);
  assert_int_equal(hyper_hdrs_get(h, name, strlen(name), flags, got, 32, &count),
                   0);
  assert_int_equal(count, n);
  hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++) {
    const char *want = va_arg(ap, const char *);
    expect_slice(got[i], want);
    assert_int_equal(hyper_hdrs_get_next(h, name, strlen(name), flags, &it, &v),
                     1);
    expect_slice(v, want);
  }
  va_end(ap);
  assert_int_equal(hyper_hdrs_get_next(h, name, strlen(name), flags, &it, &v),
                   0);
  /* and stays at the end */
  assert_int_equal(hyper_hdrs_get_next(h, name, strlen(name), flags, &it, &v),
                   0);
}

/* A deep copy of a map's entries, for "unchanged after failure" checks. */
typedef struct snap {
  size_t n;
  size_t total;
  struct {
    uint8_t name[512];
    size_t nlen;
    uint8_t value[128];
    size_t vlen;
    uint32_t flags;
  } e[64];
} snap;

static void take_snap(const hyper_hdrs *h, snap *s) {
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_true(n <= 64);
  s->n = n;
  s->total = hyper_hdrs_total_bytes(h);
  for (size_t i = 0; i < n; i++) {
    assert_true(f[i].name_len <= 512 && f[i].value_len <= 128);
    memcpy(s->e[i].name, f[i].name, f[i].name_len);
    s->e[i].nlen = f[i].name_len;
    memcpy(s->e[i].value, f[i].value, f[i].value_len);
    s->e[i].vlen = f[i].value_len;
    s->e[i].flags = f[i].flags;
  }
}

static void expect_snap(const hyper_hdrs *h, const snap *s) {
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  check(h);
  assert_int_equal(n, s->n);
  assert_int_equal(hyper_hdrs_total_bytes(h), s->total);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(f[i].name_len, s->e[i].nlen);
    assert_int_equal(f[i].value_len, s->e[i].vlen);
    if (f[i].name_len)
      assert_memory_equal(f[i].name, s->e[i].name, f[i].name_len);
    if (f[i].value_len)
      assert_memory_equal(f[i].value, s->e[i].value, f[i].value_len);
    assert_int_equal(f[i].flags, s->e[i].flags);
  }
}

/* ------------------------------------------------------------------------ */
/* Construction                                                             */
/* ------------------------------------------------------------------------ */

static void test_hdrs_new_defaults(void **state) {
  (void)state;
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  assert_int_equal(cfg.max_entries, 1000);
  assert_int_equal(cfg.max_bytes, 256 * 1024);
  assert_int_equal(cfg.lowercase_names, 0);

  hyper_hdrs *h = new_map(NULL);
  assert_int_equal(hyper_hdrs_count(h), 0);
  assert_int_equal(hyper_hdrs_total_bytes(h), 0);
  size_t n = 99;
  assert_null(hyper_hdrs_fields(h, &n));
  assert_int_equal(n, 0);
  check(h);
  hyper_hdrs_free(h);
  hyper_hdrs_free(NULL);

  /* The allocator is copied: the struct need not outlive the call. */
  failmem fm;
  failmem_init(&fm);
  {
    hyper_mem tmp = fm.mem;
    assert_int_equal(hyper_hdrs_new(&h, &cfg, &tmp), 0);
    memset(&tmp, 0, sizeof tmp);
  }
  add(h, "a", "b");
  assert_true(fm.live_blocks > 0);
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_hdrs_new_invalid(void **state) {
  (void)state;
  hyper_hdrs *h = (hyper_hdrs *)(uintptr_t)0x1;
  hyper_hdrs_config cfg;
  assert_int_equal(hyper_hdrs_new(NULL, NULL, NULL), HYPER_ERR_INVALID_ARGUMENT);
  hyper_hdrs_config_init(&cfg);
  cfg.max_entries = 0;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, NULL), HYPER_ERR_INVALID_ARGUMENT);
  cfg.max_entries = (size_t)HYPER_HDRS_MAX_ENTRIES_LIMIT + 1;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, NULL), HYPER_ERR_INVALID_ARGUMENT);
  hyper_hdrs_config_init(&cfg);
  cfg.max_bytes = 0;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, NULL), HYPER_ERR_INVALID_ARGUMENT);
  cfg.max_bytes = SIZE_MAX;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_ptr_equal(h, (hyper_hdrs *)(uintptr_t)0x1); /* untouched */

  failmem fm;
  failmem_init(&fm);
  fm.fail_at = 1;
  assert_int_equal(hyper_hdrs_new(&h, NULL, &fm.mem), HYPER_ERR_NOMEM);
  assert_ptr_equal(h, (hyper_hdrs *)(uintptr_t)0x1);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_hdrs_invalid_arguments(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  hyper_slice v;
  hyper_field f;
  size_t n;
  assert_int_equal(hyper_hdrs_add(NULL, LIT("a"), LIT("b"), 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_add(h, NULL, 1, LIT("b"), 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_add(h, LIT("a"), NULL, 1, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_add(h, LIT("a"), LIT("b"), 0x80000000u),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_set(h, LIT("a"), LIT("b"), 0x4u),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_set(NULL, LIT("a"), LIT("b"), 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_merge(h, NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_merge(NULL, h), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_add_fields(h, NULL, 1, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_field bad = {NULL, 3, (const uint8_t *)"x", 1, 0};
  assert_int_equal(hyper_hdrs_add_fields(h, &bad, 1, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper_field badflag = {(const uint8_t *)"x", 1, (const uint8_t *)"x", 1,
                         0x10u};
  assert_int_equal(hyper_hdrs_add_fields(h, &badflag, 1, 0),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_lowercase_names(NULL), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_remove_at(h, 0), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_remove_at(NULL, 0), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_at(h, 0, &f), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_copy_fields(h, NULL, 1, &n),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_copy_fields(h, NULL, 0, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_get(h, LIT("a"), 0, NULL, 1, &n),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_get(h, LIT("a"), 0x2u, NULL, 0, &n),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_get(h, NULL, 2, 0, NULL, 0, &n),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_count(h), 0);

  /* Queries on NULL or bad names answer "nothing". */
  add(h, "a", "b");
  assert_int_equal(hyper_hdrs_count(NULL), 0);
  assert_int_equal(hyper_hdrs_total_bytes(NULL), 0);
  assert_int_equal(hyper_hdrs_count_name(NULL, LIT("a")), 0);
  assert_int_equal(hyper_hdrs_count_name(h, NULL, 1), 0);
  assert_int_equal(hyper_hdrs_contains(NULL, LIT("a")), 0);
  assert_int_equal(hyper_hdrs_find(h, NULL, 1, 0), HYPER_HDRS_NPOS);
  assert_int_equal(hyper_hdrs_remove(NULL, LIT("a")), 0);
  assert_int_equal(hyper_hdrs_remove(h, NULL, 1), 0);
  assert_int_equal(hyper_hdrs_get_first(NULL, LIT("a"), &v), 0);
  assert_null(v.ptr);
  assert_null(hyper_hdrs_fields(NULL, &n));
  assert_int_equal(n, 0);
  hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
  assert_int_equal(hyper_hdrs_get_next(h, LIT("a"), 0x8u, &it, &v), 0);
  assert_int_equal(hyper_hdrs_get_next(h, LIT("a"), 0, NULL, &v), 0);
  assert_int_equal(hyper_hdrs_get_next(h, LIT("a"), 0, &it, NULL), 0);
  hyper_hdrs_clear(NULL);
  assert_int_equal(hyper_hdrs_count(h), 1);
  check(h);
  hyper_hdrs_free(h);
}

/* ------------------------------------------------------------------------ */
/* Order, raw iteration, case-insensitive lookup                            */
/* ------------------------------------------------------------------------ */

static void test_hdrs_order_and_raw_iteration(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "Server", "h2o/1.0.2-alpha1");
  add(h, "Set-Cookie", "a=1");
  add(h, "content-type", "text/html; charset=utf-8");
  add(h, "SET-COOKIE", "b=2");
  add(h, "X-Empty", "");
  assert_int_equal(hyper_hdrs_add(h, NULL, 0, NULL, 0, 0), 0); /* empty name */
  assert_int_equal(hyper_hdrs_count(h), 6);
  check(h);

  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 6);
  expect_field(&f[0], "Server", "h2o/1.0.2-alpha1");
  expect_field(&f[1], "Set-Cookie", "a=1");
  expect_field(&f[2], "content-type", "text/html; charset=utf-8");
  expect_field(&f[3], "SET-COOKIE", "b=2");
  expect_field(&f[4], "X-Empty", "");
  expect_field(&f[5], "", "");
  for (size_t i = 0; i < n; i++) { /* never a NULL pointer */
    assert_non_null(f[i].name);
    assert_non_null(f[i].value);
    assert_int_equal(f[i].flags, 0);
  }
  assert_int_equal(hyper_hdrs_total_bytes(h),
                   6 + 16 + 10 + 3 + 12 + 24 + 10 + 3 + 7);

  hyper_field one;
  assert_int_equal(hyper_hdrs_at(h, 3, &one), 0);
  expect_field(&one, "SET-COOKIE", "b=2");
  assert_int_equal(hyper_hdrs_at(h, 6, &one), HYPER_ERR_INVALID_ARGUMENT);

  hyper_field arr[8];
  assert_int_equal(hyper_hdrs_copy_fields(h, arr, 8, &n), 0);
  assert_int_equal(n, 6);
  for (size_t i = 0; i < 6; i++) { /* member-wise: padding is not data */
    assert_ptr_equal(arr[i].name, f[i].name);
    assert_int_equal(arr[i].name_len, f[i].name_len);
    assert_ptr_equal(arr[i].value, f[i].value);
    assert_int_equal(arr[i].value_len, f[i].value_len);
    assert_int_equal(arr[i].flags, f[i].flags);
  }
  assert_int_equal(hyper_hdrs_copy_fields(h, arr, 5, &n),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(n, 6);
  assert_int_equal(hyper_hdrs_copy_fields(h, NULL, 0, &n),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(n, 6);
  hyper_hdrs_free(h);
}

static void test_hdrs_case_insensitive_get(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "Content-Type", "text/html");
  add(h, "X-A", "1");
  add(h, "x-a", "2");
  add(h, "X-a", "3");
  add(h, "a[", "bracket");

  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("content-type"), &v), 1);
  expect_slice(v, "text/html");
  assert_int_equal(hyper_hdrs_get_first(h, LIT("CONTENT-TYPE"), &v), 1);
  expect_slice(v, "text/html");
  assert_int_equal(hyper_hdrs_get_first(h, LIT("content-typ"), &v), 0);
  assert_null(v.ptr);
  assert_int_equal(v.len, 0);
  assert_int_equal(hyper_hdrs_get_first(h, LIT("content-typee"), &v), 0);

  assert_true(hyper_hdrs_contains(h, LIT("x-A")));
  assert_false(hyper_hdrs_contains(h, LIT("x-b")));
  /* ASCII letters only: '[' (0x5b) and '{' (0x7b) differ by 0x20 too. */
  assert_true(hyper_hdrs_contains(h, LIT("A[")));
  assert_false(hyper_hdrs_contains(h, LIT("a{")));
  assert_int_equal(hyper_hdrs_count_name(h, LIT("X-A")), 3);
  assert_int_equal(hyper_hdrs_count_name(h, LIT("nope")), 0);

  expect_values(h, "x-a", 0, 3, "1", "2", "3");
  expect_values(h, "X-A", HYPER_HDRS_SPLIT, 3, "1", "2", "3");
  expect_values(h, "missing", 0, 0);
  expect_values(h, "missing", HYPER_HDRS_SPLIT, 0);

  size_t idx[4], k = 0;
  for (size_t i = hyper_hdrs_find(h, LIT("x-a"), 0); i != HYPER_HDRS_NPOS;
       i = hyper_hdrs_find(h, LIT("x-a"), i + 1))
    idx[k++] = i;
  assert_int_equal(k, 3);
  assert_int_equal(idx[0], 1);
  assert_int_equal(idx[1], 2);
  assert_int_equal(idx[2], 3);
  assert_int_equal(hyper_hdrs_find(h, LIT("x-a"), 100), HYPER_HDRS_NPOS);

  assert_true(hyper_hdrs_name_eq(LIT("Content-Length"), LIT("content-LENGTH")));
  assert_false(hyper_hdrs_name_eq(LIT("content-length"), LIT("content-lengt")));
  assert_false(hyper_hdrs_name_eq(LIT("@"), LIT("`")));
  assert_true(hyper_hdrs_name_eq(NULL, 0, "", 0));
  assert_false(hyper_hdrs_name_eq(NULL, 1, "a", 1));
  /* non-ASCII octets compare exactly */
  assert_false(hyper_hdrs_name_eq("\xc4", 1, "\xe4", 1));
  hyper_hdrs_free(h);
}

static void test_hdrs_get_buffer_too_small(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "accept", "a, b, c");
  add(h, "Accept", "d");
  hyper_slice out[2];
  size_t n = 0;
  assert_int_equal(hyper_hdrs_get(h, LIT("ACCEPT"), HYPER_HDRS_SPLIT, out, 2,
                                   &n),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(n, 4);
  expect_slice(out[0], "a");
  expect_slice(out[1], "b");
  assert_int_equal(hyper_hdrs_get(h, LIT("accept"), HYPER_HDRS_SPLIT, NULL, 0,
                                   &n),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(n, 4);
  assert_int_equal(hyper_hdrs_get(h, LIT("accept"), 0, out, 2, &n), 0);
  assert_int_equal(n, 2);
  expect_slice(out[0], "a, b, c");
  expect_slice(out[1], "d");
  assert_int_equal(hyper_hdrs_get(h, LIT("none"), 0, NULL, 0, &n), 0);
  assert_int_equal(n, 0);
  hyper_hdrs_free(h);
}

/* ------------------------------------------------------------------------ */
/* Comma splitting                                                          */
/* ------------------------------------------------------------------------ */

static void test_hdrs_split_basic(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "Accept-Encoding", "gzip, br");
  add(h, "accept-encoding", "  deflate\t,\tidentity  ");
  add(h, "cache-control", "no-cache");
  add(h, "x-list", ",a,,b,");
  add(h, "x-list", "");
  add(h, "x-list", " , ,\t");
  add(h, "x-list", "c");
  add(h, "x-space", "  padded  ");

  expect_values(h, "accept-encoding", HYPER_HDRS_SPLIT, 4, "gzip", "br",
                "deflate", "identity");
  /* without the flag: values exactly as added */
  expect_values(h, "accept-encoding", 0, 2, "gzip, br",
                "  deflate\t,\tidentity  ");
  expect_values(h, "cache-control", HYPER_HDRS_SPLIT, 1, "no-cache");
  /* empty elements are skipped; an entry with none left gives one "" */
  expect_values(h, "x-list", HYPER_HDRS_SPLIT, 5, "a", "b", "", "", "c");
  expect_values(h, "x-list", 0, 4, ",a,,b,", "", " , ,\t", "c");
  /* trimming applies to single elements too */
  expect_values(h, "x-space", HYPER_HDRS_SPLIT, 1, "padded");
  expect_values(h, "x-space", 0, 1, "  padded  ");

  /* the split slices point into the stored value */
  hyper_hdrs_iter it;
  hyper_hdrs_iter_init(&it);
  hyper_slice v, first;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("accept-encoding"), &first), 1);
  assert_int_equal(hyper_hdrs_get_next(h, LIT("accept-encoding"),
                                       HYPER_HDRS_SPLIT, &it, &v),
                   1);
  assert_ptr_equal(v.ptr, first.ptr);
  assert_int_equal(hyper_hdrs_get_next(h, LIT("accept-encoding"),
                                       HYPER_HDRS_SPLIT, &it, &v),
                   1);
  assert_ptr_equal(v.ptr, first.ptr + 6);
  hyper_hdrs_free(h);
}

static void test_hdrs_split_quoted_and_comments(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "x-q", "a=\"x, y\", b");
  add(h, "x-q", "\"esc \\\", still\", c");
  add(h, "x-q", "d;p=\"\\\\\", e");
  add(h, "via", "1.1 proxy (Linux, x86), 2.0 other (a (nested, x), y) ,3");
  add(h, "x-open", "a, \"unterminated, quote");
  add(h, "x-open2", "(open, comment");
  add(h, "x-escend", "\"a\\");

  expect_values(h, "x-q", HYPER_HDRS_SPLIT, 6, "a=\"x, y\"", "b",
                "\"esc \\\", still\"", "c", "d;p=\"\\\\\"", "e");
  expect_values(h, "via", HYPER_HDRS_SPLIT, 3, "1.1 proxy (Linux, x86)",
                "2.0 other (a (nested, x), y)", "3");
  expect_values(h, "x-open", HYPER_HDRS_SPLIT, 2, "a",
                "\"unterminated, quote");
  expect_values(h, "x-open2", HYPER_HDRS_SPLIT, 1, "(open, comment");
  expect_values(h, "x-escend", HYPER_HDRS_SPLIT, 1, "\"a\\");

  /* A user agent's comment holds a comma; it stays one value. */
  add(h, "User-Agent",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)");
  expect_values(h, "user-agent", HYPER_HDRS_SPLIT, 1,
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
                "like Gecko)");
  hyper_hdrs_free(h);
}

static void test_hdrs_split_never_set_cookie(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "Set-Cookie", "id=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
  add(h, "set-cookie", "a=b, c=d ");
  add(h, "SET-COOKIE2", "x, y");
  add(h, "Date", "Sun, 06 Nov 1994 08:49:37 GMT");
  add(h, "WWW-Authenticate", "Basic realm=\"a\", charset=\"UTF-8\"");
  add(h, "Location", "/a,b");
  add(h, "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT");
  add(h, "cookie", "a=1, b=2");

  expect_values(h, "set-cookie", HYPER_HDRS_SPLIT, 2,
                "id=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "a=b, c=d ");
  expect_values(h, "Set-Cookie2", HYPER_HDRS_SPLIT, 1, "x, y");
  expect_values(h, "date", HYPER_HDRS_SPLIT, 1, "Sun, 06 Nov 1994 08:49:37 GMT");
  expect_values(h, "www-authenticate", HYPER_HDRS_SPLIT, 1,
                "Basic realm=\"a\", charset=\"UTF-8\"");
  expect_values(h, "location", HYPER_HDRS_SPLIT, 1, "/a,b");
  expect_values(h, "if-modified-since", HYPER_HDRS_SPLIT, 1,
                "Sun, 06 Nov 1994 08:49:37 GMT");
  expect_values(h, "cookie", HYPER_HDRS_SPLIT, 1, "a=1, b=2");
  assert_true(hyper__hdrs_never_split((const uint8_t *)"Set-Cookie", 10));
  assert_false(hyper__hdrs_never_split((const uint8_t *)"set-cookies", 11));
  assert_false(hyper__hdrs_never_split((const uint8_t *)"accept", 6));
  hyper_hdrs_free(h);
}

/* ------------------------------------------------------------------------ */
/* Replace, remove, clear                                                   */
/* ------------------------------------------------------------------------ */

static void test_hdrs_set_replaces(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "a", "1");
  add(h, "X-Dup", "first");
  add(h, "b", "2");
  add(h, "x-dup", "second");
  add(h, "c", "3");
  add(h, "X-DUP", "third");

  /* All of a name are replaced by one entry in the first one's place (as
   * hyper's HTTPHeaderMap.replace()). */
  assert_int_equal(hyper_hdrs_set(h, LIT("x-DUP"), LIT("new"), 0), 0);
  check(h);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 4);
  expect_field(&f[0], "a", "1");
  expect_field(&f[1], "x-DUP", "new");
  expect_field(&f[2], "b", "2");
  expect_field(&f[3], "c", "3");

  /* Absent: appended. */
  assert_int_equal(hyper_hdrs_set(h, LIT("d"), LIT("4"), HYPER_FIELD_SENSITIVE),
                   0);
  f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 5);
  expect_field(&f[4], "d", "4");
  assert_int_equal(f[4].flags, HYPER_FIELD_SENSITIVE);

  /* A single existing one keeps its place. */
  assert_int_equal(hyper_hdrs_set(h, LIT("B"), LIT("two"), 0), 0);
  f = hyper_hdrs_fields(h, &n);
  expect_field(&f[2], "B", "two");
  assert_int_equal(hyper_hdrs_total_bytes(h), 1 + 1 + 5 + 3 + 1 + 3 + 1 + 1 + 1 + 1);

  /* The new value may be the old one's own bytes. */
  hyper_slice old;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("x-dup"), &old), 1);
  assert_int_equal(hyper_hdrs_set(h, LIT("x-dup"), old.ptr, old.len, 0), 0);
  expect_values(h, "x-dup", 0, 1, "new");
  check(h);
  hyper_hdrs_free(h);
}

static void test_hdrs_remove_and_clear(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hdrs *h;
  assert_int_equal(hyper_hdrs_new(&h, NULL, &fm.mem), 0);
  add(h, "a", "1");
  add(h, "B", "2");
  add(h, "c", "3");
  add(h, "b", "4");
  add(h, "d", "5");

  assert_int_equal(hyper_hdrs_remove(h, LIT("b")), 2);
  check(h);
  assert_int_equal(hyper_hdrs_remove(h, LIT("b")), 0);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 3);
  expect_field(&f[0], "a", "1");
  expect_field(&f[1], "c", "3");
  expect_field(&f[2], "d", "5");
  assert_int_equal(hyper_hdrs_total_bytes(h), 6);

  assert_int_equal(hyper_hdrs_remove_at(h, 1), 0);
  check(h);
  f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 2);
  expect_field(&f[0], "a", "1");
  expect_field(&f[1], "d", "5");
  assert_int_equal(hyper_hdrs_remove_at(h, 2), HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper_hdrs_remove_at(h, 1), 0);
  assert_int_equal(hyper_hdrs_remove_at(h, 0), 0);
  assert_int_equal(hyper_hdrs_count(h), 0);
  check(h);

  add(h, "x", "y");
  add(h, "z", "w");
  long blocks = fm.live_blocks, nalloc = fm.nalloc;
  hyper_hdrs_clear(h);
  check(h);
  assert_int_equal(hyper_hdrs_count(h), 0);
  assert_int_equal(hyper_hdrs_total_bytes(h), 0);
  assert_false(hyper_hdrs_contains(h, LIT("x")));
  assert_int_equal(fm.live_blocks, blocks); /* storage kept for reuse */
  add(h, "again", "ok");
  assert_int_equal(fm.nalloc, nalloc); /* ...and reused */
  expect_values(h, "again", 0, 1, "ok");
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

/* Churn through set/remove so the byte arena fills with dead space and is
 * repacked; contents and memory stay bounded. */
static void test_hdrs_churn_repacks(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.max_bytes = 4096;
  hyper_hdrs *h;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, &fm.mem), 0);
  add(h, "keep", "me");
  char val[64];
  for (int i = 0; i < 5000; i++) {
    int len = snprintf(val, sizeof val, "value-%d-%0*d", i, i % 40, 0);
    assert_int_equal(hyper_hdrs_set(h, LIT("x-counter"), val, (size_t)len, 0),
                     0);
    if (i % 7 == 0)
      add(h, "x-extra", val);
    if (i % 11 == 0)
      hyper_hdrs_remove(h, LIT("x-extra"));
    check(h);
  }
  expect_values(h, "keep", 0, 1, "me");
  expect_values(h, "x-counter", 0, 1, val);
  assert_true(fm.peak_bytes < 16 * 1024);
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

static void test_hdrs_limit_entries(void **state) {
  (void)state;
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.max_entries = 3;
  hyper_hdrs *h = new_map(&cfg), *other = new_map(NULL);
  add(h, "a", "1");
  add(h, "b", "2");
  add(h, "a", "3");
  snap s;
  take_snap(h, &s);

  assert_int_equal(hyper_hdrs_add(h, LIT("c"), LIT("4"), 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  assert_int_equal(hyper_hdrs_set(h, LIT("c"), LIT("4"), 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  hyper_field one = {(const uint8_t *)"c", 1, (const uint8_t *)"4", 1, 0};
  assert_int_equal(hyper_hdrs_add_fields(h, &one, 1, 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  add(other, "z", "9");
  assert_int_equal(hyper_hdrs_merge(h, other), HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  assert_int_equal(hyper_hdrs_add_fields(h, &one, 0, 0), 0); /* nothing */
  expect_snap(h, &s);

  /* Replacing an existing name needs no new slot. */
  assert_int_equal(hyper_hdrs_set(h, LIT("A"), LIT("x"), 0), 0);
  assert_int_equal(hyper_hdrs_count(h), 2);
  add(h, "c", "4");
  assert_int_equal(hyper_hdrs_count(h), 3);
  check(h);
  hyper_hdrs_free(h);
  hyper_hdrs_free(other);
}

static void test_hdrs_limit_bytes(void **state) {
  (void)state;
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.max_bytes = 20;
  hyper_hdrs *h = new_map(&cfg), *other = new_map(NULL);
  add(h, "name", "0123456789"); /* 14 */
  snap s;
  take_snap(h, &s);

  assert_int_equal(hyper_hdrs_add(h, LIT("abc"), LIT("1234"), 0),
                   HYPER_ERR_LIMIT_EXCEEDED); /* 21 */
  expect_snap(h, &s);
  /* lengths that would overflow a naive sum */
  assert_int_equal(hyper_hdrs_add(h, "x", SIZE_MAX, "y", SIZE_MAX, 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper_hdrs_add(h, "x", 1, "y", SIZE_MAX, 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  hyper_field two[2] = {
      {(const uint8_t *)"ab", 2, (const uint8_t *)"cd", 2, 0},
      {(const uint8_t *)"ef", 2, (const uint8_t *)"gh", 2, 0}}; /* 8 */
  assert_int_equal(hyper_hdrs_add_fields(h, two, 2, 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  add(other, "abcd", "ef"); /* 6 + 14 = 20 fits, 21 does not */
  add(other, "x", "");
  assert_int_equal(hyper_hdrs_merge(h, other), HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);
  assert_int_equal(hyper_hdrs_set(h, LIT("other"), LIT("1234567"), 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  expect_snap(h, &s);

  /* Exactly at the limit is fine. */
  add(h, "abc", "123");
  assert_int_equal(hyper_hdrs_total_bytes(h), 20);
  assert_int_equal(hyper_hdrs_add(h, NULL, 0, NULL, 0, 0), 0); /* 0 bytes */
  assert_int_equal(hyper_hdrs_add(h, LIT("a"), NULL, 0, 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  /* set is checked against the map after the replacement */
  assert_int_equal(hyper_hdrs_set(h, LIT("NAME"), LIT("0123456789"), 0), 0);
  assert_int_equal(hyper_hdrs_set(h, LIT("NAME"), LIT("01234567890"), 0),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper_hdrs_total_bytes(h), 20);
  check(h);
  hyper_hdrs_free(h);
  hyper_hdrs_free(other);
}

/* ------------------------------------------------------------------------ */
/* NO_COPY, lowercase names                                                 */
/* ------------------------------------------------------------------------ */

static void test_hdrs_no_copy_refers_to_caller(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hdrs *h;
  assert_int_equal(hyper_hdrs_new(&h, NULL, &fm.mem), 0);
  char name[] = "X-Stable", value[] = "stable-value";
  assert_int_equal(hyper_hdrs_add(h, name, strlen(name), value, strlen(value),
                                  HYPER_HDR_NO_COPY_NAME |
                                      HYPER_HDR_NO_COPY_VALUE),
                   0);
  /* Only the map and its entry array: no byte storage. */
  assert_int_equal(fm.live_blocks, 2);
  const hyper_field *f = hyper_hdrs_fields(h, NULL);
  assert_ptr_equal(f[0].name, (const uint8_t *)name);
  assert_ptr_equal(f[0].value, (const uint8_t *)value);

  char name2[] = "x-half", value2[] = "copied";
  assert_int_equal(hyper_hdrs_add(h, name2, strlen(name2), value2,
                                  strlen(value2), HYPER_HDR_NO_COPY_NAME),
                   0);
  char name3[] = "x-other", value3[] = "kept";
  assert_int_equal(hyper_hdrs_add(h, name3, strlen(name3), value3,
                                  strlen(value3), HYPER_HDR_NO_COPY_VALUE),
                   0);
  f = hyper_hdrs_fields(h, NULL);
  assert_ptr_equal(f[1].name, (const uint8_t *)name2);
  assert_ptr_not_equal(f[1].value, (const uint8_t *)value2);
  assert_ptr_not_equal(f[2].name, (const uint8_t *)name3);
  assert_ptr_equal(f[2].value, (const uint8_t *)value3);
  check(h);

  /* The map sees changes to the caller's bytes; copies do not. */
  value[0] = 'S';
  value2[0] = 'C';
  name3[0] = 'Y';
  expect_values(h, "x-stable", 0, 1, "Stable-value");
  expect_values(h, "x-half", 0, 1, "copied");
  expect_values(h, "x-other", 0, 1, "kept");
  value3[0] = 'K';
  expect_values(h, "x-other", 0, 1, "Kept");

  /* Removing a NO_COPY entry leaves the caller's bytes alone. */
  assert_int_equal(hyper_hdrs_remove(h, LIT("x-stable")), 1);
  assert_string_equal(name, "X-Stable");
  check(h);

  /* NO_COPY through set and add_fields too. */
  static const char sv[] = "static";
  assert_int_equal(hyper_hdrs_set(h, LIT("x-half"), sv, 6,
                                  HYPER_HDR_NO_COPY_VALUE),
                   0);
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("x-half"), &v), 1);
  assert_ptr_equal(v.ptr, (const uint8_t *)sv);
  hyper_field fl = {(const uint8_t *)sv, 6, (const uint8_t *)sv, 3, 0};
  assert_int_equal(
      hyper_hdrs_add_fields(h, &fl, 1,
                            HYPER_HDR_NO_COPY_NAME | HYPER_HDR_NO_COPY_VALUE),
      0);
  f = hyper_hdrs_fields(h, NULL);
  assert_ptr_equal(f[2].name, (const uint8_t *)sv);
  assert_ptr_equal(f[2].value, (const uint8_t *)sv);
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_hdrs_lowercase_mode(void **state) {
  (void)state;
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.lowercase_names = 1;
  hyper_hdrs *h = new_map(&cfg);
  add(h, "Content-Type", "Text/HTML");
  char upper[] = "X-UPPER", lower[] = "x-lower";
  assert_int_equal(hyper_hdrs_add(h, upper, 7, LIT("v"),
                                  HYPER_HDR_NO_COPY_NAME),
                   0);
  assert_int_equal(hyper_hdrs_add(h, lower, 7, LIT("w"),
                                  HYPER_HDR_NO_COPY_NAME),
                   0);
  assert_int_equal(hyper_hdrs_set(h, LIT("CONTENT-TYPE"), LIT("a/b"), 0), 0);
  check(h);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 3);
  expect_field(&f[0], "content-type", "a/b"); /* values keep their case */
  expect_field(&f[1], "x-upper", "v");
  assert_ptr_not_equal(f[1].name, (const uint8_t *)upper); /* had to copy */
  assert_string_equal(upper, "X-UPPER");                   /* untouched */
  assert_ptr_equal(f[2].name, (const uint8_t *)lower);     /* no need */
  assert_true(hyper_hdrs_contains(h, LIT("X-Upper")));

  /* merging into a lowercasing map lowercases */
  hyper_hdrs *src = new_map(NULL);
  add(src, "Via", "1.1 X");
  assert_int_equal(hyper_hdrs_merge(h, src), 0);
  f = hyper_hdrs_fields(h, &n);
  expect_field(&f[3], "via", "1.1 X");
  check(h);
  hyper_hdrs_free(src);
  hyper_hdrs_free(h);
}

static void test_hdrs_lowercase_names_helper(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_hdrs *h;
  assert_int_equal(hyper_hdrs_new(&h, NULL, &fm.mem), 0);
  static const char stable[] = "X-Stable";
  static const char already[] = "x-lower";
  /* a long borrowed name: lowercasing it must grow the byte storage */
  static char big[300];
  memset(big, 'Q', sizeof big);
  add(h, "Content-Length", "10");
  assert_int_equal(hyper_hdrs_add(h, stable, 8, LIT("1"),
                                  HYPER_HDR_NO_COPY_NAME),
                   0);
  assert_int_equal(hyper_hdrs_add(h, big, sizeof big, LIT("big"),
                                  HYPER_HDR_NO_COPY_NAME),
                   0);
  assert_int_equal(hyper_hdrs_add(h, already, 7, LIT("2"),
                                  HYPER_HDR_NO_COPY_NAME),
                   0);
  add(h, "", "empty-name");

  /* a failed copy leaves the map as it was */
  snap s;
  take_snap(h, &s);
  long failures = 0;
  for (long k = 1;; k++, failures++) {
    fm.fail_at = fm.nalloc + k;
    int rv = hyper_hdrs_lowercase_names(h);
    fm.fail_at = 0;
    if (rv == 0)
      break;
    assert_int_equal(rv, HYPER_ERR_NOMEM);
    expect_snap(h, &s);
  }
  assert_true(failures > 0);
  check(h);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  expect_field(&f[0], "content-length", "10");
  expect_field(&f[1], "x-stable", "1");
  assert_int_equal(f[2].name_len, sizeof big);
  for (size_t i = 0; i < sizeof big; i++)
    assert_int_equal(f[2].name[i], 'q');
  assert_int_equal(big[0], 'Q'); /* the caller's bytes are not written */
  expect_field(&f[3], "x-lower", "2");
  expect_field(&f[4], "", "empty-name");
  assert_ptr_equal(f[3].name, (const uint8_t *)already);
  assert_string_equal(stable, "X-Stable");
  assert_true(hyper_hdrs_contains(h, big, sizeof big));
  /* names added later are stored as given */
  add(h, "Later", "x");
  f = hyper_hdrs_fields(h, &n);
  expect_field(&f[5], "Later", "x");
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Merge and hyper_field conversion                                          */
/* ------------------------------------------------------------------------ */

static void test_hdrs_merge(void **state) {
  (void)state;
  hyper_hdrs *dst = new_map(NULL), *src = new_map(NULL);
  add(dst, "a", "1");
  char nc_name[] = "X-NoCopy", nc_value[] = "borrowed";
  add(src, "B", "2");
  assert_int_equal(hyper_hdrs_add(src, nc_name, 8, nc_value, 8,
                                  HYPER_HDR_NO_COPY_NAME |
                                      HYPER_HDR_NO_COPY_VALUE |
                                      HYPER_FIELD_SENSITIVE),
                   0);
  add(src, "a", "3");

  assert_int_equal(hyper_hdrs_merge(dst, src), 0);
  /* dst owns copies: changing or freeing src's storage does not matter */
  memset(nc_name, '?', 8);
  memset(nc_value, '?', 8);
  hyper_hdrs_free(src);
  check(dst);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(dst, &n);
  assert_int_equal(n, 4);
  expect_field(&f[0], "a", "1");
  expect_field(&f[1], "B", "2");
  expect_field(&f[2], "X-NoCopy", "borrowed");
  assert_int_equal(f[2].flags, HYPER_FIELD_SENSITIVE);
  expect_field(&f[3], "a", "3");
  expect_values(dst, "A", 0, 2, "1", "3");

  /* merging a map into itself does nothing, as in hyper */
  assert_int_equal(hyper_hdrs_merge(dst, dst), 0);
  assert_int_equal(hyper_hdrs_count(dst), 4);
  /* merging an empty map does nothing */
  hyper_hdrs *empty = new_map(NULL);
  assert_int_equal(hyper_hdrs_merge(dst, empty), 0);
  assert_int_equal(hyper_hdrs_count(dst), 4);
  hyper_hdrs_free(empty);
  hyper_hdrs_free(dst);
}

/* Lookups ignore ASCII case at every name length (the name hash reads
 * whole words, the last one overlapping), and a name differing in any one
 * octet, or only in length, is not found. */
static void test_hdrs_case_every_length(void **state) {
  (void)state;
  static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t len = 1; len <= 40; len++) {
    char name[48], upper[48], other[48];
    for (size_t i = 0; i < len; i++)
      name[i] = alpha[(i * 7 + len) % (sizeof alpha - 1)];
    hyper_hdrs *h = new_map(NULL);
    assert_int_equal(hyper_hdrs_add(h, name, len, "v", 1, 0), 0);
    size_t n = 0;
    const hyper_field *own = hyper_hdrs_fields(h, &n);
    assert_int_equal(hyper_hdrs_add_fields(h, own, n, 0), 0);
    check(h);
    for (size_t i = 0; i < len; i++)
      upper[i] = (name[i] >= 'a' && name[i] <= 'z')
                     ? (char)(name[i] - 'a' + 'A')
                     : name[i];
    assert_int_equal(hyper_hdrs_count_name(h, upper, len), 2);
    for (size_t k = 0; k < len; k++) {
      memcpy(other, name, len);
      other[k] = other[k] == '~' ? '!' : '~';
      assert_int_equal(hyper_hdrs_count_name(h, other, len), 0);
    }
    assert_int_equal(hyper_hdrs_count_name(h, name, len - 1), 0);
    hyper_hdrs_free(h);
  }
}

static void test_hdrs_fields_roundtrip(void **state) {
  (void)state;
  static const hyper_field in[] = {
      {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
      {(const uint8_t *)"authorization", 13, (const uint8_t *)"secret", 6,
       HYPER_FIELD_SENSITIVE},
      {(const uint8_t *)"x-bin", 5, (const uint8_t *)"a\0b\xff", 4,
       HYPER_FIELD_NO_INDEX},
      {(const uint8_t *)"empty", 5, NULL, 0, 0},
  };
  hyper_hdrs *h = new_map(NULL);
  add(h, "first", "0");
  assert_int_equal(hyper_hdrs_add_fields(h, in, 4, 0), 0);
  check(h);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, 5);
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(f[i + 1].name_len, in[i].name_len);
    assert_memory_equal(f[i + 1].name, in[i].name, in[i].name_len);
    assert_int_equal(f[i + 1].value_len, in[i].value_len);
    if (in[i].value_len)
      assert_memory_equal(f[i + 1].value, in[i].value, in[i].value_len);
    assert_int_equal(f[i + 1].flags, in[i].flags);
    assert_ptr_not_equal(f[i + 1].name, in[i].name); /* copied */
  }
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("X-BIN"), &v), 1);
  assert_int_equal(v.len, 4);
  assert_memory_equal(v.ptr, "a\0b\xff", 4);

  /* to an array with room for pseudo-headers in front, and back */
  hyper_field arr[8];
  arr[0] = in[0];
  assert_int_equal(hyper_hdrs_copy_fields(h, arr + 1, 7, &n), 0);
  assert_int_equal(n, 5);
  hyper_hdrs *h2 = new_map(NULL);
  assert_int_equal(hyper_hdrs_add_fields(h2, arr, n + 1, 0), 0);
  assert_int_equal(hyper_hdrs_count(h2), 6);
  assert_int_equal(hyper_hdrs_count_name(h2, LIT(":METHOD")), 2);

  /* the map's own array may be fed back in (duplicates everything), also
   * when that forces every block to move */
  for (int round = 0; round < 4; round++) {
    const hyper_field *own = hyper_hdrs_fields(h2, &n);
    assert_int_equal(hyper_hdrs_add_fields(h2, own, n, 0), 0);
    check(h2);
  }
  assert_int_equal(hyper_hdrs_count(h2), 96);
  assert_int_equal(hyper_hdrs_count_name(h2, LIT(":method")), 32);
  assert_int_equal(hyper_hdrs_count_name(h2, LIT("x-bin")), 16);
  hyper_slice vals[16];
  assert_int_equal(hyper_hdrs_get(h2, LIT("x-bin"), HYPER_HDRS_SPLIT, vals,
                                  16, &n),
                   0);
  assert_int_equal(n, 16);
  for (size_t i = 0; i < 16; i++) {
    assert_int_equal(vals[i].len, 4);
    assert_memory_equal(vals[i].ptr, "a\0b\xff", 4);
  }
  hyper_hdrs_free(h2);
  hyper_hdrs_free(h);
}

/* add() with name and value taken from the map itself, while the byte
 * storage has to grow (ASan would catch a read of freed storage). */
static void test_hdrs_add_from_own_storage(void **state) {
  (void)state;
  hyper_hdrs *h = new_map(NULL);
  add(h, "seed-name", "seed-value-with-some-length-to-it");
  for (int i = 0; i < 200; i++) {
    hyper_field f;
    assert_int_equal(hyper_hdrs_at(h, (size_t)i, &f), 0);
    assert_int_equal(
        hyper_hdrs_add(h, f.name, f.name_len, f.value, f.value_len, 0), 0);
    check(h);
  }
  assert_int_equal(hyper_hdrs_count_name(h, LIT("SEED-NAME")), 201);
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(h, LIT("seed-name"), &v), 1);
  expect_slice(v, "seed-value-with-some-length-to-it");
  hyper_hdrs_free(h);
}

/* ------------------------------------------------------------------------ */
/* Reference model (for the allocation-failure sweep and the random test)   */
/* ------------------------------------------------------------------------ */

#define M_MAXE 64
#define M_MAXN 32
#define M_MAXV 48

typedef struct ment {
  uint8_t name[M_MAXN];
  size_t nlen;
  uint8_t value[M_MAXV];
  size_t vlen;
  uint32_t flags;
} ment;

typedef struct model {
  ment e[M_MAXE];
  size_t n;
  size_t bytes;
  size_t max_entries;
  size_t max_bytes;
  int lower;
} model;

static void m_init(model *m, size_t max_entries, size_t max_bytes, int lower) {
  memset(m, 0, sizeof *m);
  assert_true(max_entries <= M_MAXE);
  m->max_entries = max_entries;
  m->max_bytes = max_bytes;
  m->lower = lower;
}

static uint8_t m_fold(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static int m_same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  if (an != bn)
    return 0;
  for (size_t i = 0; i < an; i++)
    if (m_fold(a[i]) != m_fold(b[i]))
      return 0;
  return 1;
}

static ment m_make(const model *m, const void *name, size_t nlen,
                   const void *value, size_t vlen, uint32_t flags) {
  ment e;
  assert_true(nlen <= M_MAXN && vlen <= M_MAXV);
  memcpy(e.name, name, nlen);
  if (m->lower)
    for (size_t i = 0; i < nlen; i++)
      e.name[i] = m_fold(e.name[i]);
  e.nlen = nlen;
  memcpy(e.value, value, vlen);
  e.vlen = vlen;
  e.flags = flags & (HYPER_FIELD_SENSITIVE | HYPER_FIELD_NO_INDEX);
  return e;
}

static int m_add(model *m, const void *name, size_t nlen, const void *value,
                 size_t vlen, uint32_t flags) {
  if (m->n + 1 > m->max_entries || m->bytes + nlen + vlen > m->max_bytes)
    return HYPER_ERR_LIMIT_EXCEEDED;
  m->e[m->n++] = m_make(m, name, nlen, value, vlen, flags);
  m->bytes += nlen + vlen;
  return 0;
}

static int m_set(model *m, const void *name, size_t nlen, const void *value,
                 size_t vlen, uint32_t flags) {
  size_t first = SIZE_MAX, k = 0, gone = 0;
  for (size_t i = 0; i < m->n; i++)
    if (m_same(m->e[i].name, m->e[i].nlen, name, nlen)) {
      if (first == SIZE_MAX)
        first = i;
      k++;
      gone += m->e[i].nlen + m->e[i].vlen;
    }
  if (first == SIZE_MAX)
    return m_add(m, name, nlen, value, vlen, flags);
  if (m->bytes - gone + nlen + vlen > m->max_bytes)
    return HYPER_ERR_LIMIT_EXCEEDED;
  ment ne = m_make(m, name, nlen, value, vlen, flags);
  model out = *m;
  out.n = 0;
  out.bytes = 0;
  for (size_t i = 0; i < m->n; i++) {
    const ment *e = &m->e[i];
    if (i == first)
      e = &ne;
    else if (m_same(m->e[i].name, m->e[i].nlen, name, nlen))
      continue;
    out.e[out.n++] = *e;
    out.bytes += e->nlen + e->vlen;
  }
  *m = out;
  return 0;
}

static size_t m_remove(model *m, const void *name, size_t nlen) {
  size_t w = 0, removed = 0;
  for (size_t i = 0; i < m->n; i++) {
    if (m_same(m->e[i].name, m->e[i].nlen, name, nlen)) {
      m->bytes -= m->e[i].nlen + m->e[i].vlen;
      removed++;
      continue;
    }
    m->e[w++] = m->e[i];
  }
  m->n = w;
  return removed;
}

static void m_remove_at(model *m, size_t i) {
  m->bytes -= m->e[i].nlen + m->e[i].vlen;
  memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof m->e[0]);
  m->n--;
}

/* Appends |k| entries all or nothing (merge, add_fields). */
static int m_append(model *m, const ment *src, size_t k) {
  size_t add = 0;
  for (size_t i = 0; i < k; i++)
    add += src[i].nlen + src[i].vlen;
  if (m->n + k > m->max_entries || m->bytes + add > m->max_bytes)
    return HYPER_ERR_LIMIT_EXCEEDED;
  for (size_t i = 0; i < k; i++) {
    const ment *e = &src[i];
    m->e[m->n++] = m_make(m, e->name, e->nlen, e->value, e->vlen, e->flags);
  }
  m->bytes += add;
  return 0;
}

static void m_lower_all(model *m) {
  for (size_t i = 0; i < m->n; i++)
    for (size_t k = 0; k < m->e[i].nlen; k++)
      m->e[i].name[k] = m_fold(m->e[i].name[k]);
}

static int m_never_split(const uint8_t *name, size_t len) {
  static const char *const list[] = {
      "set-cookie",        "set-cookie2",         "cookie",
      "date",              "expires",             "last-modified",
      "if-modified-since", "if-unmodified-since", "if-range",
      "retry-after",       "location",            "content-location",
      "referer",           "authorization",       "proxy-authorization",
      "www-authenticate",  "proxy-authenticate"};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
    if (m_same((const uint8_t *)list[i], strlen(list[i]), name, len))
      return 1;
  return 0;
}

/* The reference splitter, written differently from the library's: first
 * mark the top-level commas, then cut, trim and filter. */
static size_t m_split(const uint8_t *v, size_t len, hyper_slice *out,
                      size_t cap) {
  uint8_t cut[M_MAXV + 1];
  int q = 0, depth = 0;
  for (size_t i = 0; i < len; i++) {
    cut[i] = 0;
    if (q || depth) {
      if (v[i] == '\\') {
        if (i + 1 < len)
          cut[++i] = 0;
        continue;
      }
      if (q && v[i] == '"')
        q = 0;
      else if (!q && v[i] == '(')
        depth++;
      else if (!q && v[i] == ')')
        depth--;
    } else if (v[i] == ',') {
      cut[i] = 1;
    } else if (v[i] == '"') {
      q = 1;
    } else if (v[i] == '(') {
      depth = 1;
    }
  }
  size_t k = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && !cut[i])
      continue;
    size_t a = start, b = i;
    while (a < b && (v[a] == ' ' || v[a] == '\t'))
      a++;
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
      b--;
    if (b > a) {
      assert_true(k < cap);
      out[k].ptr = v + a;
      out[k].len = b - a;
      k++;
    }
    start = i + 1;
  }
  if (k == 0) {
    assert_true(cap > 0);
    out[0].ptr = v;
    out[0].len = 0;
    k = 1;
  }
  return k;
}

/* Compares every entry, the byte count, the invariants, and the lookups of
 * |name| (raw and split) with the model. */
static void m_expect(const hyper_hdrs *h, const model *m, const char *name) {
  assert_int_equal(hyper__hdrs_check(h), 0);
  size_t n;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  assert_int_equal(n, m->n);
  assert_int_equal(hyper_hdrs_total_bytes(h), m->bytes);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(f[i].name_len, m->e[i].nlen);
    assert_int_equal(f[i].value_len, m->e[i].vlen);
    if (f[i].name_len)
      assert_memory_equal(f[i].name, m->e[i].name, f[i].name_len);
    if (f[i].value_len)
      assert_memory_equal(f[i].value, m->e[i].value, f[i].value_len);
    assert_int_equal(f[i].flags, m->e[i].flags);
  }
  if (!name)
    return;
  size_t nlen = strlen(name);
  hyper_slice want[M_MAXE * M_MAXV], got[M_MAXE * M_MAXV];
  for (int split = 0; split < 2; split++) {
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++) {
      const ment *e = &m->e[i];
      if (!m_same(e->name, e->nlen, (const uint8_t *)name, nlen))
        continue;
      if (split && !m_never_split((const uint8_t *)name, nlen)) {
        k += m_split(e->value, e->vlen, want + k, M_MAXE * M_MAXV - k);
      } else {
        want[k].ptr = e->value;
        want[k].len = e->vlen;
        k++;
      }
    }
    size_t gn;
    assert_int_equal(hyper_hdrs_get(h, name, nlen,
                                    split ? HYPER_HDRS_SPLIT : 0u, got,
                                    M_MAXE * M_MAXV, &gn),
                     0);
    assert_int_equal(gn, k);
    for (size_t i = 0; i < k; i++) {
      assert_int_equal(got[i].len, want[i].len);
      if (want[i].len)
        assert_memory_equal(got[i].ptr, want[i].ptr, want[i].len);
    }
  }
  size_t c = 0;
  for (size_t i = 0; i < m->n; i++)
    c += (size_t)m_same(m->e[i].name, m->e[i].nlen, (const uint8_t *)name,
                        nlen);
  assert_int_equal(hyper_hdrs_count_name(h, name, nlen), c);
  assert_int_equal(hyper_hdrs_contains(h, name, nlen), c > 0);
}

/* ------------------------------------------------------------------------ */
/* Allocation-failure sweep                                                 */
/* ------------------------------------------------------------------------ */

/* Checks an operation's result against the model's: the same code, or
 * NOMEM when (and only when) an allocation was refused during it. */
static int accept_rv(int got, int want, const failmem *fm, long failed_before) {
  if (got == HYPER_ERR_NOMEM) {
    assert_true(fm->nfailed > failed_before);
    return 0; /* not applied */
  }
  assert_int_equal(got, want);
  return 1;
}

/* One pass over a scenario that exercises every allocating path; fails the
 * k-th allocation (k = 0: none). Returns the number of refused allocations. */
static long failmem_scenario(long k) {
  failmem fm;
  failmem_init(&fm);
  fm.fail_at = k;
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.max_entries = M_MAXE;
  cfg.max_bytes = 2000;
  hyper_hdrs *h = (hyper_hdrs *)(uintptr_t)0x1;
  int rv = hyper_hdrs_new(&h, &cfg, &fm.mem);
  if (rv) {
    assert_int_equal(rv, HYPER_ERR_NOMEM);
    assert_ptr_equal(h, (hyper_hdrs *)(uintptr_t)0x1);
    assert_int_equal(fm.live_blocks, 0);
    return fm.nfailed;
  }
  model m, mt;
  m_init(&m, M_MAXE, 2000, 0);
  char name[32], value[48];
  long fb;
  static const char stable[] = "X-Borrowed-Name";

  for (int i = 0; i < 24; i++) {
    int nl = snprintf(name, sizeof name, "%s-%d", i % 3 ? "X-Name" : "x-name",
                      i % 5);
    int vl = snprintf(value, sizeof value, "value %d, %0*d", i, i, 7);
    uint32_t fl = (i % 4 == 0) ? HYPER_FIELD_SENSITIVE : 0u;
    fb = fm.nfailed;
    rv = hyper_hdrs_add(h, name, (size_t)nl, value, (size_t)vl, fl);
    mt = m;
    if (accept_rv(rv, m_add(&mt, name, (size_t)nl, value, (size_t)vl, fl), &fm,
                  fb))
      m = mt;
    m_expect(h, &m, "x-name-1");
  }
  fb = fm.nfailed;
  rv = hyper_hdrs_add(h, stable, sizeof stable - 1, LIT("v"),
                      HYPER_HDR_NO_COPY_NAME);
  mt = m;
  if (accept_rv(rv, m_add(&mt, stable, sizeof stable - 1, LIT("v"), 0), &fm,
                fb))
    m = mt;
  for (int i = 0; i < 6; i++) {
    int nl = snprintf(name, sizeof name, "x-name-%d", i);
    int vl = snprintf(value, sizeof value, "replaced-%d-%0*d", i, 3 * i, 1);
    fb = fm.nfailed;
    rv = hyper_hdrs_set(h, name, (size_t)nl, value, (size_t)vl, 0);
    mt = m;
    if (accept_rv(rv, m_set(&mt, name, (size_t)nl, value, (size_t)vl, 0), &fm,
                  fb))
      m = mt;
    m_expect(h, &m, name);
  }
  assert_int_equal(hyper_hdrs_remove(h, LIT("X-NAME-2")),
                   m_remove(&m, LIT("X-NAME-2")));
  m_expect(h, &m, "x-name-2");

  hyper_field fields[6];
  ment ments[6];
  for (int i = 0; i < 6; i++) {
    static const char *const vals[] = {"a", "b, c", "", "ddd", "\"e, f\"",
                                       "g"};
    fields[i].name = (const uint8_t *)"Field";
    fields[i].name_len = 5;
    fields[i].value = (const uint8_t *)vals[i];
    fields[i].value_len = strlen(vals[i]);
    fields[i].flags = (uint32_t)i & 1u;
    ments[i] = m_make(&m, fields[i].name, 5, vals[i], strlen(vals[i]),
                      (uint32_t)i & 1u);
  }
  fb = fm.nfailed;
  rv = hyper_hdrs_add_fields(h, fields, 6, 0);
  mt = m;
  if (accept_rv(rv, m_append(&mt, ments, 6), &fm, fb))
    m = mt;
  m_expect(h, &m, "field");

  hyper_hdrs *src = NULL;
  if (hyper_hdrs_new(&src, NULL, &fm.mem) == 0) {
    model ms;
    m_init(&ms, M_MAXE, 1000, 0);
    for (int i = 0; i < 5; i++) {
      int vl = snprintf(value, sizeof value, "merged %d", i);
      rv = hyper_hdrs_add(src, LIT("Merged"), value, (size_t)vl,
                          i == 2 ? HYPER_HDR_NO_COPY_NAME : 0u);
      if (rv == 0)
        m_add(&ms, LIT("Merged"), value, (size_t)vl, 0);
      else
        assert_int_equal(rv, HYPER_ERR_NOMEM);
    }
    fb = fm.nfailed;
    rv = hyper_hdrs_merge(h, src);
    mt = m;
    if (accept_rv(rv, m_append(&mt, ms.e, ms.n), &fm, fb))
      m = mt;
    hyper_hdrs_free(src);
    m_expect(h, &m, "merged");
  }

  fb = fm.nfailed;
  rv = hyper_hdrs_lowercase_names(h);
  if (accept_rv(rv, 0, &fm, fb))
    m_lower_all(&m);
  m_expect(h, &m, "x-borrowed-name");

  /* duplicate the first entries from the map's own array */
  size_t n;
  const hyper_field *own = hyper_hdrs_fields(h, &n);
  size_t dup = n < 8 ? n : 8;
  fb = fm.nfailed;
  rv = hyper_hdrs_add_fields(h, own, dup, 0);
  mt = m;
  if (accept_rv(rv, m_append(&mt, m.e, dup), &fm, fb))
    m = mt;
  m_expect(h, &m, "x-name-0");

  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  return fm.nfailed;
}

static void test_hdrs_failmem_sweep(void **state) {
  (void)state;
  long k;
  for (k = 1; k < 10000; k++)
    if (failmem_scenario(k) == 0)
      break;
  assert_true(k > 10);     /* the scenario does allocate, repeatedly */
  assert_true(k < 10000);  /* and finishes once nothing fails */
  assert_int_equal(failmem_scenario(0), 0);
}

/* ------------------------------------------------------------------------ */
/* Randomised comparison with the model                                     */
/* ------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) {
  /* xorshift64*, fixed seed: reproducible */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static const char *const pool[] = {
    "accept", "Accept", "ACCEPT", "set-cookie", "Set-Cookie", "x-a", "X-A",
    "x-b",    "Date",   "via",    "",           "x-long-header-name-here"};

static size_t rnd_value(char *v, size_t cap) {
  static const char alpha[] = "ab ,,\"\\()\tXY";
  size_t n = rnd(100) < 10 ? 0 : rnd((uint32_t)cap + 1);
  for (size_t i = 0; i < n; i++)
    v[i] = alpha[rnd(sizeof alpha - 1)];
  return n;
}

static void random_run(uint64_t seed, int lower) {
  rng_state = seed;
  failmem fm;
  failmem_init(&fm);
  hyper_hdrs_config cfg;
  hyper_hdrs_config_init(&cfg);
  cfg.max_entries = 40;
  cfg.max_bytes = 700;
  cfg.lowercase_names = lower;
  hyper_hdrs *h, *other;
  assert_int_equal(hyper_hdrs_new(&h, &cfg, &fm.mem), 0);
  assert_int_equal(hyper_hdrs_new(&other, NULL, &fm.mem), 0);
  model m, mo, mt;
  m_init(&m, 40, 700, lower);
  m_init(&mo, M_MAXE, HYPER_HDRS_DEFAULT_MAX_BYTES, 0);
  const size_t npool = sizeof pool / sizeof pool[0];
  char value[M_MAXV];
  /* NO_COPY sources: stable for the whole run */
  static char stable_values[8][M_MAXV];
  static size_t stable_lens[8];
  for (int i = 0; i < 8; i++)
    stable_lens[i] = rnd_value(stable_values[i], M_MAXV);

  for (int step = 0; step < 20000; step++) {
    const char *name = pool[rnd((uint32_t)npool)];
    size_t nlen = strlen(name);
    uint32_t flags = rnd(4) == 0 ? HYPER_FIELD_SENSITIVE : 0u;
    const char *vp = value;
    size_t vl;
    if (rnd(4) == 0) {
      int s = (int)rnd(8);
      vp = stable_values[s];
      vl = stable_lens[s];
      flags |= HYPER_HDR_NO_COPY_VALUE;
    } else {
      vl = rnd_value(value, M_MAXV);
    }
    if (rnd(3) == 0)
      flags |= HYPER_HDR_NO_COPY_NAME; /* pool strings are static */
    /* now and then, make the next allocation fail */
    if (rnd(40) == 0)
      fm.fail_at = fm.nalloc + 1;
    long fb = fm.nfailed;
    int rv;
    uint32_t op = rnd(100);
    mt = m;
    if (op < 40) {
      rv = hyper_hdrs_add(h, name, nlen, vp, vl, flags);
      if (accept_rv(rv, m_add(&mt, name, nlen, vp, vl, flags), &fm, fb))
        m = mt;
    } else if (op < 60) {
      rv = hyper_hdrs_set(h, name, nlen, vp, vl, flags);
      if (accept_rv(rv, m_set(&mt, name, nlen, vp, vl, flags), &fm, fb))
        m = mt;
    } else if (op < 72) {
      assert_int_equal(hyper_hdrs_remove(h, name, nlen),
                       m_remove(&m, name, nlen));
    } else if (op < 76) {
      if (m.n) {
        size_t i = rnd((uint32_t)m.n);
        assert_int_equal(hyper_hdrs_remove_at(h, i), 0);
        m_remove_at(&m, i);
      }
    } else if (op < 77) {
      hyper_hdrs_clear(h);
      m.n = 0;
      m.bytes = 0;
    } else if (op < 85) {
      /* grow or reset the other map, then merge it in */
      if (mo.n > 6) {
        hyper_hdrs_clear(other);
        mo.n = 0;
        mo.bytes = 0;
      }
      rv = hyper_hdrs_add(other, name, nlen, vp, vl, flags);
      mt = mo;
      if (accept_rv(rv, m_add(&mt, name, nlen, vp, vl, flags), &fm, fb))
        mo = mt;
      fb = fm.nfailed;
      rv = hyper_hdrs_merge(h, other);
      mt = m;
      if (accept_rv(rv, m_append(&mt, mo.e, mo.n), &fm, fb))
        m = mt;
    } else if (op < 92) {
      /* add_fields from a copy of some of our own entries */
      hyper_field arr[4];
      ment ments[4];
      size_t k = m.n < 4 ? m.n : rnd(4) + 1;
      size_t n;
      const hyper_field *own = hyper_hdrs_fields(h, &n);
      for (size_t i = 0; i < k; i++) {
        size_t j = rnd((uint32_t)n);
        arr[i] = own[j];
        ments[i] = m.e[j];
      }
      rv = hyper_hdrs_add_fields(h, arr, k, 0);
      if (accept_rv(rv, m_append(&mt, ments, k), &fm, fb))
        m = mt;
    } else if (op < 94) {
      rv = hyper_hdrs_lowercase_names(h);
      if (accept_rv(rv, 0, &fm, fb))
        m_lower_all(&m);
    } else {
      /* lookups: an iterator with mixed flags must match get() */
      hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
      hyper_slice v, arr[M_MAXE * M_MAXV];
      size_t n, i = 0;
      uint32_t gf = rnd(2) ? HYPER_HDRS_SPLIT : 0u;
      assert_int_equal(hyper_hdrs_get(h, name, nlen, gf, arr,
                                      M_MAXE * M_MAXV, &n),
                       0);
      while (hyper_hdrs_get_next(h, name, nlen, gf, &it, &v)) {
        assert_true(i < n);
        assert_ptr_equal(v.ptr, arr[i].ptr);
        assert_int_equal(v.len, arr[i].len);
        i++;
      }
      assert_int_equal(i, n);
      hyper_slice first;
      size_t idx = hyper_hdrs_find(h, name, nlen, 0);
      assert_int_equal(hyper_hdrs_get_first(h, name, nlen, &first),
                       idx != HYPER_HDRS_NPOS);
      assert_int_equal(hyper_hdrs_contains(h, name, nlen),
                       idx != HYPER_HDRS_NPOS);
    }
    fm.fail_at = 0;
    m_expect(h, &m, pool[rnd((uint32_t)npool)]);
    m_expect(other, &mo, NULL);
  }
  assert_true(fm.nfailed > 0);
  /* memory stays bounded by the caps */
  assert_true(fm.peak_bytes < 16 * 1024);
  hyper_hdrs_free(other);
  hyper_hdrs_free(h);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_hdrs_random_vs_model(void **state) {
  (void)state;
  random_run(0x9e3779b97f4a7c15ull, 0);
  random_run(0x0123456789abcdefull, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hdrs_new_defaults),
      cmocka_unit_test(test_hdrs_new_invalid),
      cmocka_unit_test(test_hdrs_invalid_arguments),
      cmocka_unit_test(test_hdrs_order_and_raw_iteration),
      cmocka_unit_test(test_hdrs_case_insensitive_get),
      cmocka_unit_test(test_hdrs_get_buffer_too_small),
      cmocka_unit_test(test_hdrs_split_basic),
      cmocka_unit_test(test_hdrs_split_quoted_and_comments),
      cmocka_unit_test(test_hdrs_split_never_set_cookie),
      cmocka_unit_test(test_hdrs_set_replaces),
      cmocka_unit_test(test_hdrs_remove_and_clear),
      cmocka_unit_test(test_hdrs_churn_repacks),
      cmocka_unit_test(test_hdrs_limit_entries),
      cmocka_unit_test(test_hdrs_limit_bytes),
      cmocka_unit_test(test_hdrs_no_copy_refers_to_caller),
      cmocka_unit_test(test_hdrs_lowercase_mode),
      cmocka_unit_test(test_hdrs_lowercase_names_helper),
      cmocka_unit_test(test_hdrs_merge),
      cmocka_unit_test(test_hdrs_fields_roundtrip),
      cmocka_unit_test(test_hdrs_add_from_own_storage),
      cmocka_unit_test(test_hdrs_failmem_sweep),
      cmocka_unit_test(test_hdrs_case_every_length),
      cmocka_unit_test(test_hdrs_random_vs_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
