/* Unit tests for src/common: the error scheme (HYPER_ERR_MAP, strerror,
 * err_name, classification), the default allocator, the internal growable
 * buffer (hyper__buf_*) and the version functions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/hyper.h" /* the umbrella compiles on its own */
#include "hyper/common.h"
#include "hyper/version.h"

#include "common/buf.h"
#include "failmem.h"

/* ------------------------------------------------------------------------ */
/* The error list, expanded here independently of src/common/err.c          */
/* ------------------------------------------------------------------------ */

typedef struct err_row {
  int value;
  const char *name;
  const char *msg;
} err_row;

#define ROW(name, value, msg) {HYPER_ERR_##name, #name, msg},
static const err_row err_rows[] = {HYPER_ERR_MAP(ROW)};
#undef ROW
#define NROWS (sizeof err_rows / sizeof err_rows[0])

/* The literal value of each entry must agree with the enum constant. */
#define CHECK_LITERAL(name, value, msg)                                        \
  assert_int_equal(HYPER_ERR_##name, value);

static int is_code(int v) {
  for (size_t i = 0; i < NROWS; i++)
    if (err_rows[i].value == v)
      return 1;
  return v == HYPER_OK;
}

static void test_common_err_map_literals(void **state) {
  (void)state;
  HYPER_ERR_MAP(CHECK_LITERAL)
  assert_int_equal(HYPER_OK, 0);
  /* The list must not be empty and must hold the codes the layers use. */
  assert_true(NROWS >= 18);
}

static void test_common_strerror_and_name_every_code(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++) {
    const err_row *r = &err_rows[i];
    const char *msg = hyper_strerror(r->value);
    const char *name = hyper_err_name(r->value);
    assert_non_null(msg);
    assert_non_null(name);
    assert_string_equal(msg, r->msg);
    assert_string_equal(name, r->name);
    /* Static storage: the same pointer each time. */
    assert_ptr_equal(hyper_strerror(r->value), msg);
    assert_ptr_equal(hyper_err_name(r->value), name);
    /* Messages are sentences, never empty. */
    assert_true(strlen(r->msg) > 0);
  }
  assert_string_equal(hyper_strerror(HYPER_OK), "success");
  assert_string_equal(hyper_err_name(HYPER_OK), "OK");
}

static void test_common_err_names_and_values_unique(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++) {
    for (size_t j = i + 1; j < NROWS; j++) {
      if (err_rows[i].value == err_rows[j].value)
        fail_msg("duplicate value %d (%s, %s)", err_rows[i].value,
                 err_rows[i].name, err_rows[j].name);
      if (strcmp(err_rows[i].name, err_rows[j].name) == 0)
        fail_msg("duplicate name %s", err_rows[i].name);
      if (strcmp(err_rows[i].msg, err_rows[j].msg) == 0)
        fail_msg("duplicate message for %s and %s", err_rows[i].name,
                 err_rows[j].name);
    }
    assert_string_not_equal(err_rows[i].name, "OK");
    assert_string_not_equal(err_rows[i].name, "UNKNOWN");
  }
}

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_common_err_values_in_band(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++) {
    const err_row *r = &err_rows[i];
    int v = r->value;
    assert_true(v < 0);
    assert_true(v <= -100 && v >= -999);
    int band = (-v) / 100; /* 1..9 */
    if (starts_with(r->name, "HPACK_")) {
      if (band != 2)
        fail_msg("%s = %d is outside -200..-299", r->name, v);
    } else if (starts_with(r->name, "H2_")) {
      assert_int_equal(band, 3);
    } else if (starts_with(r->name, "H1_")) {
      assert_int_equal(band, 4);
    } else if (strcmp(r->name, "NOMEM") == 0 ||
               strcmp(r->name, "INTERNAL") == 0) {
      assert_int_equal(band, 9);
    }
    /* Nothing but HPACK lives in the HPACK band, etc. */
    if (band == 2)
      assert_true(starts_with(r->name, "HPACK_"));
  }
  /* The usage codes sit in the usage band. */
  assert_int_equal(HYPER_ERR_INVALID_ARGUMENT / 100, -1);
  assert_int_equal(HYPER_ERR_BUFFER_TOO_SMALL / 100, -1);
  assert_int_equal(HYPER_ERR_INCOMPLETE / 100, -1);
  assert_int_equal(HYPER_ERR_INVALID_STATE / 100, -1);
  assert_int_equal(HYPER_ERR_LIMIT_EXCEEDED / 100, -1);
  assert_int_equal(HYPER_ERR_UNSUPPORTED / 100, -1);
}

static void test_common_unknown_codes(void **state) {
  (void)state;
  static const int unknown[] = {1,    2,    100,   -1,      -2,
                                -99,  -100, -199,  -200,    -299,
                                -300, -999, -1000, INT_MIN, INT_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    int v = unknown[i];
    if (is_code(v))
      continue; /* a code appended later; covered by the map tests */
    assert_string_equal(hyper_strerror(v), "unknown error");
    assert_string_equal(hyper_err_name(v), "UNKNOWN");
  }
  /* Every value in the bands that is not in the map is unknown. */
  for (int v = -1000; v <= 1; v++) {
    if (is_code(v))
      continue;
    if (strcmp(hyper_err_name(v), "UNKNOWN") != 0)
      fail_msg("hyper_err_name(%d) = %s, expected UNKNOWN", v,
               hyper_err_name(v));
    if (strcmp(hyper_strerror(v), "unknown error") != 0)
      fail_msg("hyper_strerror(%d) = %s", v, hyper_strerror(v));
  }
}

static void test_common_err_is_fatal(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++) {
    int v = err_rows[i].value;
    if ((hyper_err_is_fatal(v) != 0) != (v <= -900))
      fail_msg("hyper_err_is_fatal(%s) = %d", err_rows[i].name,
               hyper_err_is_fatal(v));
  }
  assert_true(hyper_err_is_fatal(HYPER_ERR_NOMEM));
  assert_true(hyper_err_is_fatal(HYPER_ERR_INTERNAL));
  assert_true(hyper_err_is_fatal(-900));
  assert_true(hyper_err_is_fatal(-999));
  assert_false(hyper_err_is_fatal(-899));
  assert_false(hyper_err_is_fatal(HYPER_OK));
  assert_false(hyper_err_is_fatal(1));
  assert_false(hyper_err_is_fatal(HYPER_ERR_INVALID_ARGUMENT));
  assert_false(hyper_err_is_fatal(HYPER_ERR_HPACK_FAILED));
}

static void test_common_err_is_compression(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++) {
    const err_row *r = &err_rows[i];
    int expect = starts_with(r->name, "HPACK_") &&
                 r->value != HYPER_ERR_HPACK_HEADER_LIST &&
                 r->value != HYPER_ERR_HPACK_FIELD_TOO_LONG;
    if ((hyper_err_is_compression(r->value) != 0) != expect)
      fail_msg("hyper_err_is_compression(%s) = %d, expected %d", r->name,
               hyper_err_is_compression(r->value), expect);
  }
  assert_false(hyper_err_is_compression(HYPER_OK));
  assert_false(hyper_err_is_compression(-1));
  assert_false(hyper_err_is_compression(HYPER_ERR_NOMEM));
}

/* ------------------------------------------------------------------------ */
/* Default allocator                                                        */
/* ------------------------------------------------------------------------ */

static void test_common_mem_default(void **state) {
  (void)state;
  const hyper_mem *m = hyper_mem_default();
  assert_non_null(m);
  assert_ptr_equal(m, hyper_mem_default());
  assert_non_null(m->malloc);
  assert_non_null(m->calloc);
  assert_non_null(m->realloc);
  assert_non_null(m->free);

  uint8_t *p = m->malloc(100, m->user);
  assert_non_null(p);
  memset(p, 0xab, 100);
  p = m->realloc(p, 1000, m->user);
  assert_non_null(p);
  for (int i = 0; i < 100; i++)
    assert_int_equal(p[i], 0xab);
  m->free(p, m->user);

  uint8_t *z = m->calloc(64, 16, m->user);
  assert_non_null(z);
  for (int i = 0; i < 64 * 16; i++)
    assert_int_equal(z[i], 0);
  m->free(z, m->user);

  /* realloc(NULL, n) acts as malloc; free(NULL) is a no-op. */
  void *q = m->realloc(NULL, 32, m->user);
  assert_non_null(q);
  m->free(q, m->user);
  m->free(NULL, m->user);
}

/* ------------------------------------------------------------------------ */
/* hyper__buf                                                               */
/* ------------------------------------------------------------------------ */

static void check_invariants(const hyper__buf *b) {
  assert_true(b->len <= b->cap);
  assert_true(b->cap <= b->max);
  assert_int_equal(hyper__buf_avail(b), b->cap - b->len);
  if (b->cap)
    assert_non_null(b->data);
}

static void test_common_buf_init_allocates_nothing(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__buf b;
  hyper__buf_init(&b, &fm.mem, 1000);
  assert_int_equal(fm.nalloc, 0);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  assert_int_equal(hyper__buf_avail(&b), 0);
  /* reserve(0) on an empty buffer needs no memory. */
  assert_int_equal(hyper__buf_reserve(&b, 0), HYPER_OK);
  assert_int_equal(hyper__buf_append(&b, "", 0), HYPER_OK);
  assert_int_equal(b.len, 0);
  hyper__buf_cleanup(&b);
  hyper__buf_cleanup(&b); /* twice is fine */
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
}

static void test_common_buf_append_and_grow(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__buf b;
  hyper__buf_init(&b, &fm.mem, 1u << 20);

  assert_int_equal(hyper__buf_reserve(&b, 10), HYPER_OK);
  assert_true(b.cap >= 10);
  assert_int_equal(b.len, 0);
  assert_int_equal(fm.nalloc, 1);
  check_invariants(&b);

  /* 10000 one-byte appends: content exact, growth geometric. */
  for (int i = 0; i < 10000; i++) {
    uint8_t c = (uint8_t)(i * 7 + 3);
    assert_int_equal(hyper__buf_append(&b, &c, 1), HYPER_OK);
    check_invariants(&b);
  }
  assert_int_equal(b.len, 10000);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(b.data[i], (uint8_t)(i * 7 + 3));
  /* Doubling from any start reaches 10000 in well under 20 steps. */
  if (fm.nalloc > 20)
    fail_msg("%ld allocations for 10000 one-byte appends: not geometric",
             fm.nalloc);
  assert_int_equal(fm.live_blocks, 1);
  assert_int_equal(fm.live_bytes, b.cap);

  /* A large append in one go. */
  uint8_t big[70000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i ^ (i >> 8));
  assert_int_equal(hyper__buf_append(&b, big, sizeof big), HYPER_OK);
  assert_int_equal(b.len, 10000 + sizeof big);
  assert_memory_equal(b.data + 10000, big, sizeof big);
  check_invariants(&b);

  /* reset keeps the allocation. */
  size_t cap = b.cap;
  long n = fm.nalloc;
  hyper__buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, cap);
  assert_int_equal(hyper__buf_append(&b, big, 1000), HYPER_OK);
  assert_int_equal(fm.nalloc, n);

  hyper__buf_cleanup(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);

  /* Reusable after cleanup. */
  assert_int_equal(hyper__buf_append(&b, "abc", 3), HYPER_OK);
  assert_memory_equal(b.data, "abc", 3);
  hyper__buf_cleanup(&b);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_common_buf_hard_cap(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__buf b;
  hyper__buf_init(&b, &fm.mem, 100);

  uint8_t src[200];
  for (int i = 0; i < 200; i++)
    src[i] = (uint8_t)i;

  assert_int_equal(hyper__buf_append(&b, src, 70), HYPER_OK);
  check_invariants(&b);
  assert_true(b.cap <= 100);
  assert_int_equal(hyper__buf_append(&b, src + 70, 30), HYPER_OK);
  assert_int_equal(b.len, 100);
  assert_true(b.cap == 100);
  check_invariants(&b);

  /* One byte past the cap fails and changes nothing. */
  long n = fm.nalloc;
  assert_int_equal(hyper__buf_append(&b, src, 1), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper__buf_reserve(&b, 1), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(b.len, 100);
  assert_memory_equal(b.data, src, 100);
  assert_int_equal(fm.nalloc, n);

  /* Huge requests must not wrap around. */
  assert_int_equal(hyper__buf_reserve(&b, SIZE_MAX), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper__buf_reserve(&b, SIZE_MAX - 50),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper__buf_append(&b, src, SIZE_MAX - 99),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(b.len, 100);
  assert_int_equal(fm.nalloc, n);

  /* After dropping content there is room again, without allocating. */
  hyper__buf_reset(&b);
  assert_int_equal(hyper__buf_append(&b, src, 100), HYPER_OK);
  assert_int_equal(fm.nalloc, n);
  hyper__buf_cleanup(&b);

  /* A request above the cap on an empty buffer fails before allocating. */
  hyper__buf_init(&b, &fm.mem, 100);
  assert_int_equal(hyper__buf_reserve(&b, 101), HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(hyper__buf_append(&b, src, 101), HYPER_ERR_LIMIT_EXCEEDED);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(fm.nalloc, n);

  /* max 0: nothing fits but empty appends. */
  hyper__buf_init(&b, &fm.mem, 0);
  assert_int_equal(hyper__buf_append(&b, src, 0), HYPER_OK);
  assert_int_equal(hyper__buf_append(&b, src, 1), HYPER_ERR_LIMIT_EXCEEDED);
  hyper__buf_cleanup(&b);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
}

static void test_common_buf_nomem(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__buf b;
  hyper__buf_init(&b, &fm.mem, 1u << 16);

  /* First allocation fails: nothing changes. */
  fm.fail_at = 1;
  assert_int_equal(hyper__buf_append(&b, "hello", 5), HYPER_ERR_NOMEM);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  assert_int_equal(fm.live_blocks, 0);

  /* Then it works. */
  assert_int_equal(hyper__buf_append(&b, "hello", 5), HYPER_OK);
  check_invariants(&b);

  /* A failed regrowth keeps the old contents and capacity. */
  size_t cap = b.cap;
  uint8_t *data = b.data;
  uint8_t chunk[4096];
  memset(chunk, 'x', sizeof chunk);
  fm.fail_at = fm.nalloc + 1;
  assert_int_equal(hyper__buf_append(&b, chunk, sizeof chunk), HYPER_ERR_NOMEM);
  assert_int_equal(b.len, 5);
  assert_int_equal(b.cap, cap);
  assert_ptr_equal(b.data, data);
  assert_memory_equal(b.data, "hello", 5);
  assert_int_equal(hyper__buf_reserve(&b, sizeof chunk), HYPER_OK);
  assert_int_equal(hyper__buf_append(&b, chunk, sizeof chunk), HYPER_OK);
  assert_memory_equal(b.data, "hello", 5);
  assert_memory_equal(b.data + 5, chunk, sizeof chunk);

  /* fail everything from now on: reserve within capacity still works. */
  fm.fail_after = fm.nalloc + 1;
  hyper__buf_reset(&b);
  assert_int_equal(hyper__buf_append(&b, chunk, sizeof chunk), HYPER_OK);
  hyper__buf_cleanup(&b);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
}

static void test_common_buf_take(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__buf b;
  hyper__buf_init(&b, &fm.mem, 4096);

  /* take on a never-used buffer */
  size_t len = 12345;
  assert_null(hyper__buf_take(&b, &len));
  assert_int_equal(len, 0);

  assert_int_equal(hyper__buf_append(&b, "0123456789", 10), HYPER_OK);
  uint8_t *p = hyper__buf_take(&b, &len);
  assert_non_null(p);
  assert_int_equal(len, 10);
  assert_memory_equal(p, "0123456789", 10);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  assert_int_equal(fm.live_blocks, 1);
  /* The buffer is reusable and independent of the taken block. */
  assert_int_equal(hyper__buf_append(&b, "zz", 2), HYPER_OK);
  assert_memory_equal(p, "0123456789", 10);
  assert_int_equal(fm.live_blocks, 2);
  fm.mem.free(p, fm.mem.user);
  hyper__buf_cleanup(&b);
  assert_int_equal(fm.live_blocks, 0);

  /* take on an allocated but empty buffer returns NULL and leaks nothing. */
  assert_int_equal(hyper__buf_reserve(&b, 100), HYPER_OK);
  assert_int_equal(fm.live_blocks, 1);
  len = 999;
  assert_null(hyper__buf_take(&b, &len));
  assert_int_equal(len, 0);
  assert_int_equal(b.cap, 0);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
  hyper__buf_cleanup(&b);
}

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

static void test_common_version(void **state) {
  (void)state;
  const char *v = hyper_lib_version();
  assert_non_null(v);
  assert_string_equal(v, HYPER_VERSION_STR);
  assert_ptr_equal(v, hyper_lib_version());
  assert_int_equal(hyper_lib_version_num(), HYPER_VERSION_NUM);

  unsigned maj, min, pat;
  char tail;
  assert_int_equal(sscanf(v, "%u.%u.%u%c", &maj, &min, &pat, &tail), 3);
  assert_true(maj < 256 && min < 256 && pat < 256);
  assert_int_equal((maj << 16) | (min << 8) | pat, hyper_lib_version_num());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_common_err_map_literals),
      cmocka_unit_test(test_common_strerror_and_name_every_code),
      cmocka_unit_test(test_common_err_names_and_values_unique),
      cmocka_unit_test(test_common_err_values_in_band),
      cmocka_unit_test(test_common_unknown_codes),
      cmocka_unit_test(test_common_err_is_fatal),
      cmocka_unit_test(test_common_err_is_compression),
      cmocka_unit_test(test_common_mem_default),
      cmocka_unit_test(test_common_buf_init_allocates_nothing),
      cmocka_unit_test(test_common_buf_append_and_grow),
      cmocka_unit_test(test_common_buf_hard_cap),
      cmocka_unit_test(test_common_buf_nomem),
      cmocka_unit_test(test_common_buf_take),
      cmocka_unit_test(test_common_version),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
