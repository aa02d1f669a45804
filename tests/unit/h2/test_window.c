/* Flow-control windows (RFC 9113 §5.2, §6.9) and window managers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "failmem.h"
#include "h2/window.h"

#define MAXW ((int64_t)HYPER_H2_MAX_WINDOW)

/* ------------------------------------------------------------------------ */
/* A test manager: embeds the base, logs every call, returns what it is told */
/* ------------------------------------------------------------------------ */

enum { RET_FIXED, RET_DEFAULT, RET_FRAME };

typedef struct wm_call {
  char kind; /* 'i' increase_window_size, 'b' blocked */
  uint32_t frame_size;
  int64_t window_size; /* as seen by the manager during the call */
  int64_t initial;
  int64_t document_size;
  int64_t unacked;
  uint32_t stream_id;
} wm_call;

typedef struct wm_ctx {
  wm_call log[64];
  int ncalls;
  int increase_mode;     /* RET_* */
  uint32_t increase_ret; /* for RET_FIXED */
  uint32_t blocked_ret;
  int scribble;          /* write garbage into the base fields */
  int created, destroyed;
  uint32_t created_ids[16];
  int create_rv;         /* returned by the factory instead of creating */
  int create_null;       /* succeed without a manager */
  int bad_vtable;        /* create a manager lacking increase_window_size */
} wm_ctx;

typedef struct test_wm {
  hyper_h2_wm base; /* first member */
  wm_ctx *ctx;
  uint64_t bytes_seen;
} test_wm;

static void log_call(test_wm *m, char kind, uint32_t frame_size) {
  wm_ctx *c = m->ctx;
  if (c->ncalls < (int)(sizeof c->log / sizeof c->log[0])) {
    wm_call *e = &c->log[c->ncalls];
    e->kind = kind;
    e->frame_size = frame_size;
    e->window_size = m->base.window_size;
    e->initial = m->base.initial_window_size;
    e->document_size = m->base.document_size;
    e->unacked = m->base.unacked;
    e->stream_id = m->base.stream_id;
  }
  c->ncalls++;
  if (c->scribble) {
    m->base.window_size = 123456789;
    m->base.initial_window_size = -5;
    m->base.unacked = 77;
  }
}

static uint32_t t_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  test_wm *m = (test_wm *)wm;
  m->bytes_seen += frame_size;
  uint32_t r;
  switch (m->ctx->increase_mode) {
  case RET_DEFAULT:
    r = hyper_h2_wm_default_increase_window_size(wm, frame_size);
    break;
  case RET_FRAME:
    r = frame_size;
    break;
  default:
    r = m->ctx->increase_ret;
    break;
  }
  log_call(m, 'i', frame_size);
  return r;
}

static uint32_t t_blocked(hyper_h2_wm *wm) {
  test_wm *m = (test_wm *)wm;
  log_call(m, 'b', 0);
  return m->ctx->blocked_ret;
}

static void t_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  test_wm *m = (test_wm *)wm;
  m->ctx->destroyed++;
  mem->free(m, mem->user);
}

static const hyper_h2_wm_vtable t_vtable = {t_increase, t_blocked, t_destroy};
static const hyper_h2_wm_vtable t_vtable_noblocked = {t_increase, NULL,
                                                      t_destroy};
static const hyper_h2_wm_vtable t_vtable_bad = {NULL, t_blocked, t_destroy};

static int t_create_with(hyper_h2_wm **out, uint32_t stream_id,
                         uint32_t initial, wm_ctx *c, const hyper_mem *mem,
                         const hyper_h2_wm_vtable *vt) {
  if (c->create_rv)
    return c->create_rv;
  if (c->create_null)
    return 0;
  test_wm *m = mem->calloc(1, sizeof *m, mem->user);
  if (!m)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(&m->base, c->bad_vtable ? &t_vtable_bad : vt, stream_id,
                   initial);
  m->ctx = c;
  if (c->created < 16)
    c->created_ids[c->created] = stream_id;
  c->created++;
  *out = &m->base;
  return 0;
}

static int t_create(hyper_h2_wm **out, uint32_t stream_id, uint32_t initial,
                    void *user, const hyper_mem *mem) {
  return t_create_with(out, stream_id, initial, user, mem, &t_vtable);
}

static int t_create_noblocked(hyper_h2_wm **out, uint32_t stream_id,
                              uint32_t initial, void *user,
                              const hyper_mem *mem) {
  return t_create_with(out, stream_id, initial, user, mem,
                       &t_vtable_noblocked);
}

/* A receive window on stream |sid| backed by a test manager. */
static void rw_test(hyper__h2_recvwin *rw, wm_ctx *c, failmem *fm,
                    uint32_t sid, uint32_t initial, uint32_t avail, int mode) {
  hyper_h2_wm_factory f = {t_create, c};
  assert_int_equal(
      hyper__h2_recvwin_init(rw, &f, sid, initial, avail, mode, &fm->mem), 0);
}

/* ------------------------------------------------------------------------ */
/* Send window                                                              */
/* ------------------------------------------------------------------------ */

static void test_window_sendwin_consume(void **state) {
  (void)state;
  hyper__h2_sendwin sw;
  hyper__h2_sendwin_init(&sw, HYPER_H2_DEFAULT_WINDOW);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 65535);
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 1000), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 64535);
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 0), 0);
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 64536),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 64535); /* unchanged */
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 64535), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 0);
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 1),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_sendwin_consume(&sw, 0), 0); /* empty DATA */
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 0);
}

static void test_window_sendwin_update_to_max(void **state) {
  (void)state;
  hyper__h2_sendwin sw;
  hyper__h2_sendwin_init(&sw, HYPER_H2_DEFAULT_WINDOW);
  assert_int_equal(
      hyper__h2_sendwin_update(&sw, HYPER_H2_MAX_WINDOW - 65535), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);
  assert_int_equal(hyper__h2_sendwin_update(&sw, 1),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);
  assert_int_equal(hyper__h2_sendwin_update(&sw, 0), 0); /* no-op */
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);

  hyper__h2_sendwin_init(&sw, 0);
  assert_int_equal(hyper__h2_sendwin_update(&sw, HYPER_H2_MAX_WINDOW), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);
  hyper__h2_sendwin_init(&sw, 0);
  assert_int_equal(hyper__h2_sendwin_update(&sw, (uint32_t)MAXW + 1),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 0);
}

static void test_window_sendwin_settings_lower_goes_negative(void **state) {
  (void)state;
  hyper__h2_sendwin s, conn;
  hyper__h2_sendwin_init(&s, 65535);
  hyper__h2_sendwin_init(&conn, 1 << 20);
  assert_int_equal(hyper__h2_sendwin_consume(&s, 60000), 0);
  /* peer lowers SETTINGS_INITIAL_WINDOW_SIZE 65535 -> 1000 (§6.9.2) */
  assert_int_equal(hyper__h2_sendwin_adjust_initial(&s, 65535, 1000), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&s), 5535 - 64535);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &conn, 1000), 0);
  assert_int_equal(hyper__h2_sendwin_consume(&s, 1),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_sendwin_consume(&s, 0), 0);
  /* WINDOW_UPDATE that only brings it back to 0: still nothing to send */
  assert_int_equal(hyper__h2_sendwin_update(&s, 59000), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&s), 0);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &conn, 1000), 0);
  assert_int_equal(hyper__h2_sendwin_update(&s, 100), 0);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &conn, 1000), 100);
  assert_int_equal(hyper__h2_sendwin_consume(&s, 100), 0);
  /* raising it again moves the window by the difference */
  assert_int_equal(hyper__h2_sendwin_adjust_initial(&s, 1000, 65535), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&s), 64535);
}

static void test_window_sendwin_settings_raise_overflow(void **state) {
  (void)state;
  hyper__h2_sendwin sw;
  hyper__h2_sendwin_init(&sw, 65535);
  assert_int_equal(
      hyper__h2_sendwin_update(&sw, HYPER_H2_MAX_WINDOW - 65535 - 10), 0);
  assert_int_equal(hyper__h2_sendwin_adjust_initial(&sw, 65535, 65545), 0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);
  assert_int_equal(hyper__h2_sendwin_adjust_initial(&sw, 65545, 65546),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW); /* unchanged */
  /* a value above 2^31-1 is itself a FLOW_CONTROL_ERROR (§6.5.2) */
  hyper__h2_sendwin_init(&sw, 0);
  assert_int_equal(
      hyper__h2_sendwin_adjust_initial(&sw, 65535, (uint32_t)MAXW + 1),
      HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(
      hyper__h2_sendwin_adjust_initial(&sw, (uint32_t)MAXW + 1, 0),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), 0);
  /* from 0 to the maximum is fine */
  assert_int_equal(hyper__h2_sendwin_adjust_initial(&sw, 0, (uint32_t)MAXW),
                   0);
  assert_int_equal(hyper__h2_sendwin_avail(&sw), MAXW);
}

static void test_window_sendwin_allowance(void **state) {
  (void)state;
  hyper__h2_sendwin s, c;
  hyper__h2_sendwin_init(&s, 5000);
  hyper__h2_sendwin_init(&c, 3000);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &c, 10000), 3000);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &c, 100), 100);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &c, 0), 0);
  assert_int_equal(hyper__h2_sendwin_consume(&c, 3000), 0);
  assert_int_equal(hyper__h2_sendwin_allowance(&s, &c, 10), 0);
}

/* ------------------------------------------------------------------------ */
/* Receive window                                                           */
/* ------------------------------------------------------------------------ */

static void test_window_recv_data_over_window(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED; /* never grants */
  hyper__h2_recvwin rw;
  uint32_t inc = 99;
  rw_test(&rw, &c, &fm, 1, 100, 100, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_check(&rw, 101),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 101, 101, 0, &inc),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(inc, 0);
  assert_int_equal(c.ncalls, 0); /* the manager is not told on failure */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 100);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 100, 100, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1, 1, 0, &inc),
                   HYPER_ERR_H2_FLOW_CONTROL);
  /* an empty DATA frame (e.g. END_STREAM only) always fits */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 0, 0, 0, &inc), 0);
  assert_int_equal(hyper__h2_recvwin_check(&rw, 0), 0);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_recv_padding_counted(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 300, 300, HYPER__H2_RECVWIN_AUTO);
  /* 100 data octets + pad length octet + 99 padding octets = 200 */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 200, 100, 0, &inc), 0);
  assert_int_equal(c.log[0].frame_size, 200); /* padding is told too */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 100);
  /* 50 data octets + 51 padding: the data fits, the frame does not */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 101, 50, 0, &inc),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 100);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 10, 11, 0, &inc),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 100);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* The default manager                                                      */
/* ------------------------------------------------------------------------ */

static void test_window_default_no_update_above_quarter(void **state) {
  (void)state;
  hyper__h2_recvwin rw;
  uint32_t inc;
  /* NULL factory: the default manager, C allocator */
  assert_int_equal(hyper__h2_recvwin_init(&rw, NULL, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_AUTO, NULL),
                   0);
  int updates = 0;
  for (int i = 1; i <= 49; i++) {
    assert_int_equal(hyper__h2_recvwin_recv(&rw, 1000, 1000, 0, &inc), 0);
    if (inc)
      updates++;
  }
  assert_int_equal(updates, 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 16535); /* >= 65535/4 */
  /* the 50th frame leaves 15535 < 16383.75: refill to the maximum */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1000, 1000, 0, &inc), 0);
  assert_int_equal(inc, 50000);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 65535);
  assert_int_equal(rw.wm->window_size, 65535);
  hyper__h2_recvwin_cleanup(&rw);
}

static void test_window_default_quarter_boundary(void **state) {
  (void)state;
  hyper_h2_wm wm;
  static const hyper_h2_wm_vtable vt = {
      hyper_h2_wm_default_increase_window_size, NULL, NULL};
  hyper_h2_wm_init(&wm, &vt, 1, 8192);
  assert_int_equal(wm.window_size, 8192);
  assert_int_equal(wm.document_size, -1);
  /* exactly a quarter (2048) left: not below it, no update */
  assert_int_equal(hyper_h2_wm_default_increase_window_size(&wm, 6144), 0);
  /* one octet more: refill from 2047 to 8192 */
  assert_int_equal(hyper_h2_wm_default_increase_window_size(&wm, 6145),
                   6145);
  /* the base fields are not modified by the policy */
  assert_int_equal(wm.window_size, 8192);
  /* frame size 0 with a window already low */
  wm.window_size = 100;
  assert_int_equal(hyper_h2_wm_default_increase_window_size(&wm, 0), 8092);
  /* window above the maximum (e.g. after a lowered SETTINGS): nothing */
  wm.initial_window_size = 0;
  wm.window_size = 5000;
  assert_int_equal(hyper_h2_wm_default_increase_window_size(&wm, 100), 0);
}

static void test_window_default_refills_below_1kib(void **state) {
  (void)state;
  hyper__h2_recvwin rw;
  uint32_t inc;
  /* initial 2000: a quarter is 500, so only the 1 KiB rule can fire */
  assert_int_equal(hyper__h2_recvwin_init(&rw, NULL, 3, 2000, 2000,
                                          HYPER__H2_RECVWIN_AUTO, NULL),
                   0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 500, 500, 0, &inc), 0);
  assert_int_equal(inc, 0); /* 1500 left */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 476, 476, 0, &inc), 0);
  assert_int_equal(inc, 0); /* 1024 left: not below 1 KiB */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1, 1, 0, &inc), 0);
  assert_int_equal(inc, 977); /* 1023 left: back to 2000 */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 2000);
  hyper__h2_recvwin_cleanup(&rw);
}

static void test_window_default_document_size(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_DEFAULT;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 5, 65535, 65535, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(rw.wm->document_size, -1);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 10, 10, 0, &inc), 0);
  assert_int_equal(c.log[0].document_size, -1);
  hyper__h2_recvwin_set_document_size(&rw, 1234567);
  assert_int_equal(rw.wm->document_size, 1234567);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 10, 10, 0, &inc), 0);
  assert_int_equal(c.log[1].document_size, 1234567);
  assert_int_equal(c.log[1].stream_id, 5);
  /* the default policy does not depend on it */
  assert_int_equal(inc, 0);
  hyper__h2_recvwin_set_document_size(&rw, -7);
  assert_int_equal(rw.wm->document_size, -1);
  hyper__h2_recvwin_cleanup(&rw);

  /* a manager made by hyper_h2_wm_default_new() starts with it unknown */
  hyper_h2_wm *wm = NULL;
  assert_int_equal(hyper_h2_wm_default_new(&wm, 7, 1000, NULL, &fm.mem), 0);
  assert_int_equal(wm->document_size, -1);
  assert_int_equal(wm->stream_id, 7);
  assert_int_equal(wm->initial_window_size, 1000);
  assert_int_equal(wm->window_size, 1000);
  wm->vtable->destroy(wm, &fm.mem);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_default_blocked_returns_deficit(void **state) {
  (void)state;
  hyper_h2_wm *wm = NULL;
  assert_int_equal(hyper_h2_wm_default_new(&wm, 1, 65535, NULL, NULL), 0);
  wm->window_size = 1000;
  assert_int_equal(wm->vtable->blocked(wm), 64535);
  assert_int_equal(hyper_h2_wm_default_blocked(wm), 64535);
  wm->window_size = -500;
  assert_int_equal(hyper_h2_wm_default_blocked(wm), 66035);
  wm->window_size = 65535;
  assert_int_equal(hyper_h2_wm_default_blocked(wm), 0);
  wm->window_size = 70000;
  assert_int_equal(hyper_h2_wm_default_blocked(wm), 0);
  wm->vtable->destroy(wm, NULL);

  /* through a receive window: a manager that never grants on data, with
   * blocked NULL (the default deficit) */
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  hyper_h2_wm_factory f = {t_create_noblocked, &c};
  hyper__h2_recvwin rw;
  uint32_t inc;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 4000, 4000,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 3000, 3000, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1000, 1000, 0, &inc), 0);
  assert_int_equal(inc, 4000); /* window hit 0: blocked() refills */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 4000);
  /* an explicit blocked() with a full window grants nothing */
  assert_int_equal(hyper__h2_recvwin_blocked(&rw), 0);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_default_conn_window_raised(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_h2_wm_factory f;
  hyper_h2_wm_default_factory(&f);
  assert_ptr_equal(f.create, hyper_h2_wm_default_new);
  assert_null(f.user);
  hyper__h2_recvwin conn;
  uint32_t inc;
  assert_int_equal(hyper__h2_recvwin_init(&conn, &f, 0,
                                          HYPER_H2_DEFAULT_CONN_RECV_WINDOW,
                                          HYPER_H2_DEFAULT_WINDOW,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   0);
  assert_int_equal(fm.live_blocks, 1);
  assert_int_equal(conn.wm->window_size, 65535);
  assert_int_equal(hyper__h2_recvwin_refresh(&conn),
                   HYPER_H2_DEFAULT_CONN_RECV_WINDOW - 65535);
  assert_int_equal(hyper__h2_recvwin_avail(&conn),
                   HYPER_H2_DEFAULT_CONN_RECV_WINDOW);
  assert_int_equal(hyper__h2_recvwin_refresh(&conn), 0);
  /* 64 KiB no longer caps what the peer may send before an update */
  assert_int_equal(hyper__h2_recvwin_recv(&conn, 1 << 20, 1 << 20, 0, &inc),
                   0);
  assert_int_equal(inc, 0);
  hyper__h2_recvwin_cleanup(&conn);
  assert_int_equal(fm.live_blocks, 0);
  assert_true(HYPER_H2_DEFAULT_STREAM_RECV_WINDOW <= HYPER_H2_MAX_WINDOW);
  assert_true(HYPER_H2_DEFAULT_CONN_RECV_WINDOW >=
              HYPER_H2_DEFAULT_STREAM_RECV_WINDOW);
}

/* ------------------------------------------------------------------------ */
/* Custom managers                                                          */
/* ------------------------------------------------------------------------ */

static void test_window_custom_called_before_decrement(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 9, 1000, 1000, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 100, 100, 0, &inc), 0);
  c.increase_ret = 50;
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 300, 300, 0, &inc), 0);
  assert_int_equal(inc, 50);
  c.increase_ret = 0;
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 0, 0, 0, &inc), 0);
  assert_int_equal(c.ncalls, 3);
  /* each call sees the window before its frame is taken off */
  assert_int_equal(c.log[0].kind, 'i');
  assert_int_equal(c.log[0].frame_size, 100);
  assert_int_equal(c.log[0].window_size, 1000);
  assert_int_equal(c.log[0].initial, 1000);
  assert_int_equal(c.log[0].stream_id, 9);
  assert_int_equal(c.log[1].frame_size, 300);
  assert_int_equal(c.log[1].window_size, 900);
  assert_int_equal(c.log[2].frame_size, 0); /* empty frames are told too */
  assert_int_equal(c.log[2].window_size, 650); /* 900 - 300 + 50 */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 650);
  assert_int_equal(rw.wm->window_size, 650);
  assert_int_equal(((test_wm *)rw.wm)->bytes_seen, 400);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_custom_increment_capped(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  c.increase_ret = UINT32_MAX;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 65535, 65535, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1000, 1000, 0, &inc), 0);
  assert_int_equal(inc, MAXW - 64535); /* window lands exactly on 2^31-1 */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW);
  assert_int_equal(rw.wm->window_size, MAXW);
  assert_int_equal(hyper__h2_recvwin_refresh(&rw), 0); /* nothing left */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW);
  hyper__h2_recvwin_cleanup(&rw);

  /* from a negative window one WINDOW_UPDATE carries at most 2^31-1 */
  c.increase_ret = 0;
  c.blocked_ret = 0;
  rw_test(&rw, &c, &fm, 3, 65535, 65535, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 65000, 65000, 0, &inc), 0);
  assert_int_equal(hyper__h2_recvwin_adjust_initial(&rw, 65535, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 535 - 65535);
  c.increase_ret = UINT32_MAX;
  c.blocked_ret = UINT32_MAX;
  inc = hyper__h2_recvwin_refresh(&rw);
  assert_int_equal(inc, MAXW);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW - 65000);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_custom_blocked_when_exhausted(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  c.blocked_ret = 7;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 100, 100, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 99, 99, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(c.ncalls, 1); /* window 1 > 0: not blocked */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1, 1, 0, &inc), 0);
  assert_int_equal(inc, 7);
  assert_int_equal(c.ncalls, 3);
  assert_int_equal(c.log[1].kind, 'i');
  assert_int_equal(c.log[2].kind, 'b');
  assert_int_equal(c.log[2].window_size, 0); /* after the decrement */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 7);
  /* the increase and the blocked increment add up in one update */
  c.increase_ret = 3;
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 7, 7, 0, &inc), 0);
  assert_int_equal(inc, 3);
  c.increase_ret = 0;
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 3, 3, 0, &inc), 0);
  assert_int_equal(inc, 7);
  /* explicit blocked() */
  c.blocked_ret = 5;
  assert_int_equal(hyper__h2_recvwin_blocked(&rw), 5);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 12);
  /* END_STREAM: told about the octets, no blocked(), no increments */
  int before = c.ncalls;
  c.increase_ret = 1000;
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 12, 12, 1, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(c.ncalls, before + 1);
  assert_int_equal(c.log[before].kind, 'i');
  assert_int_equal(c.log[before].frame_size, 12);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 0);
  assert_int_equal(rw.wm->window_size, 0);
  assert_int_equal(hyper__h2_recvwin_blocked(&rw), 0);
  assert_int_equal(hyper__h2_recvwin_refresh(&rw), 0);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_custom_fields_restored(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  c.scribble = 1;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 1000, 1000, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 10, 10, 0, &inc), 0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 10, 10, 0, &inc), 0);
  assert_int_equal(c.log[1].window_size, 990);
  assert_int_equal(c.log[1].initial, 1000);
  assert_int_equal(c.log[1].unacked, 0);
  assert_int_equal(rw.wm->window_size, 980);
  assert_int_equal(rw.wm->initial_window_size, 1000);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Acknowledged mode                                                        */
/* ------------------------------------------------------------------------ */

static void test_window_ack_mode_defers_manager(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_DEFAULT;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 65535, 65535, HYPER__H2_RECVWIN_ACK);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 60000, 60000, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(c.ncalls, 0); /* nothing processed yet */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 5535);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 60000);
  assert_int_equal(rw.wm->window_size, 65535);
  assert_int_equal(rw.wm->unacked, 60000);
  /* the peer is still bounded by the window */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 5536, 5536, 0, &inc),
                   HYPER_ERR_H2_FLOW_CONTROL);
  /* acknowledgements reach the manager as frame sizes, before the
   * decrement */
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 10000, &inc), 0);
  assert_int_equal(inc, 0); /* 55535 left: above a quarter */
  assert_int_equal(c.log[0].frame_size, 10000);
  assert_int_equal(c.log[0].window_size, 65535);
  assert_int_equal(c.log[0].unacked, 60000);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 40000, &inc), 0);
  assert_int_equal(c.log[1].window_size, 55535);
  assert_int_equal(inc, 50000); /* 15535 left: refill */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 55535);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 10000);
  assert_int_equal(rw.wm->window_size, 65535);
  /* padding is acknowledged on receipt */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 100, 60, 0, &inc), 0);
  assert_int_equal(c.ncalls, 3);
  assert_int_equal(c.log[2].frame_size, 40);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 10060);
  /* errors */
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 10061, &inc),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 10060);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 0, &inc), 0);
  assert_int_equal(c.ncalls, 3);
  hyper__h2_recvwin_cleanup(&rw);

  rw_test(&rw, &c, &fm, 1, 65535, 65535, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 1, &inc),
                   HYPER_ERR_INVALID_STATE);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_ack_mode_blocked_respects_backpressure(void **state) {
  (void)state;
  hyper__h2_recvwin rw;
  uint32_t inc;
  assert_int_equal(hyper__h2_recvwin_init(&rw, NULL, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_ACK, NULL),
                   0);
  /* the whole window arrives unprocessed: no credit, no blocked() refill */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 65535, 65535, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_blocked(&rw), 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 0);
  /* processing reopens exactly what was processed while the peer is
   * stalled (blocked() gives back the deficit) */
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 1000, &inc), 0);
  assert_int_equal(inc, 1000);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 1000, &inc), 0);
  assert_int_equal(inc, 0); /* the peer has credit again */
  /* past three quarters processed: refill to the maximum */
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 48000, &inc), 0);
  assert_int_equal(inc, 0); /* 16535 left: still above a quarter */
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 1000, &inc), 0);
  assert_int_equal(inc, 50000); /* 15535 left: back to 65535 */
  assert_int_equal(hyper__h2_recvwin_avail(&rw) +
                       hyper__h2_recvwin_unacked(&rw),
                   65535);
  /* the stream ends with octets unacknowledged: no more updates */
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 0, 0, 1, &inc), 0);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 14535, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 0);
  hyper__h2_recvwin_cleanup(&rw);
}

static void test_window_ack_large(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  c.increase_ret = UINT32_MAX; /* greedy */
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, (uint32_t)MAXW, (uint32_t)MAXW,
          HYPER__H2_RECVWIN_ACK);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, (uint32_t)MAXW,
                                          (uint32_t)MAXW, 0, &inc),
                   0);
  assert_int_equal(hyper__h2_recvwin_ack(&rw, 1, &inc), 0);
  assert_int_equal(inc, MAXW);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, (uint32_t)MAXW,
                                          (uint32_t)MAXW, 0, &inc),
                   0);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 2 * MAXW - 1);
  int before = c.ncalls;
  assert_int_equal(hyper__h2_recvwin_ack(&rw, (uint64_t)(2 * MAXW - 1), &inc),
                   0);
  assert_int_equal(inc, MAXW); /* one WINDOW_UPDATE's worth */
  assert_int_equal(c.log[before].frame_size, MAXW);
  assert_int_equal(c.log[before + 1].frame_size, MAXW - 1);
  assert_int_equal(hyper__h2_recvwin_unacked(&rw), 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* SETTINGS_INITIAL_WINDOW_SIZE on the receive side                         */
/* ------------------------------------------------------------------------ */

static void test_window_recv_adjust_initial(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FIXED;
  hyper__h2_recvwin rw;
  uint32_t inc;
  rw_test(&rw, &c, &fm, 1, 65535, 65535, HYPER__H2_RECVWIN_AUTO);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 60000, 60000, 0, &inc), 0);
  /* we lowered our SETTINGS_INITIAL_WINDOW_SIZE and the peer ACKed */
  assert_int_equal(hyper__h2_recvwin_adjust_initial(&rw, 65535, 1000, &inc),
                   0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), -59000);
  assert_int_equal(c.log[1].kind, 'i');
  assert_int_equal(c.log[1].frame_size, 0); /* hyper's "SETTINGS" call */
  assert_int_equal(c.log[1].initial, 1000);
  assert_int_equal(c.log[1].window_size, -59000);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 1, 1, 0, &inc),
                   HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 0, 0, 0, &inc), 0);
  /* overflow and bad values */
  assert_int_equal(
      hyper__h2_recvwin_adjust_initial(&rw, 1000, (uint32_t)MAXW + 1, &inc),
      HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(
      hyper__h2_recvwin_adjust_initial(&rw, (uint32_t)MAXW + 1, 0, &inc),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), -59000);
  hyper__h2_recvwin_cleanup(&rw);

  /* the default manager refills a window pushed negative */
  assert_int_equal(hyper__h2_recvwin_init(&rw, NULL, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   0);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 40000, 40000, 0, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_adjust_initial(&rw, 65535, 1000, &inc),
                   0);
  assert_int_equal(inc, 40000); /* from -39000 back to 1000 */
  assert_int_equal(hyper__h2_recvwin_avail(&rw), 1000);
  /* raising moves the window up without an update; past 2^31-1 fails */
  assert_int_equal(
      hyper__h2_recvwin_adjust_initial(&rw, 1000, (uint32_t)MAXW, &inc), 0);
  assert_int_equal(inc, 0);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW);
  assert_int_equal(rw.wm->initial_window_size, MAXW);
  assert_int_equal(
      hyper__h2_recvwin_adjust_initial(&rw, 1000, 1001, &inc),
      HYPER_ERR_H2_FLOW_CONTROL);
  assert_int_equal(hyper__h2_recvwin_avail(&rw), MAXW);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Factories, ownership, allocation failure                                 */
/* ------------------------------------------------------------------------ */

static void test_window_factory_per_stream_and_destroy(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  c.increase_mode = RET_FRAME;
  hyper_h2_wm_factory f = {t_create, &c};
  hyper__h2_recvwin conn, s[3];
  static const uint32_t ids[3] = {1, 3, 5};
  uint32_t inc;
  assert_int_equal(hyper__h2_recvwin_init(&conn, &f, 0, 1 << 24, 65535,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(hyper__h2_recvwin_init(&s[i], &f, ids[i], 100000,
                                            100000, HYPER__H2_RECVWIN_AUTO,
                                            &fm.mem),
                     0);
  assert_int_equal(c.created, 4);
  assert_int_equal(c.created_ids[0], 0);
  assert_int_equal(c.created_ids[3], 5);
  assert_int_equal(fm.live_blocks, 4);
  /* separate managers, separate windows */
  assert_ptr_not_equal(s[0].wm, s[1].wm);
  assert_int_equal(hyper__h2_recvwin_recv(&s[1], 500, 500, 0, &inc), 0);
  assert_int_equal(inc, 500); /* the "stupid" manager refunds each frame */
  assert_int_equal(c.log[0].stream_id, 3);
  assert_int_equal(conn.wm->initial_window_size, 1 << 24);
  assert_int_equal(conn.wm->window_size, 65535);
  assert_int_equal(s[0].wm->window_size, 100000);

  hyper__h2_recvwin_cleanup(&s[1]);
  assert_int_equal(c.destroyed, 1);
  hyper__h2_recvwin_cleanup(&s[1]); /* twice is harmless */
  assert_int_equal(c.destroyed, 1);
  hyper__h2_recvwin_cleanup(&s[0]);
  hyper__h2_recvwin_cleanup(&s[2]);
  hyper__h2_recvwin_cleanup(&conn);
  assert_int_equal(c.destroyed, 4);
  assert_int_equal(fm.live_blocks, 0);
  assert_int_equal(fm.live_bytes, 0);
}

static void test_window_factory_nomem(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper__h2_recvwin rw;
  /* default factory */
  fm.fail_at = 1;
  assert_int_equal(hyper__h2_recvwin_init(&rw, NULL, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_NOMEM);
  assert_null(rw.wm);
  hyper__h2_recvwin_cleanup(&rw); /* allowed, does nothing */
  assert_int_equal(fm.live_blocks, 0);
  hyper_h2_wm *wm = (hyper_h2_wm *)&rw; /* sentinel */
  fm.fail_at = fm.nalloc + 1;
  assert_int_equal(hyper_h2_wm_default_new(&wm, 1, 100, NULL, &fm.mem),
                   HYPER_ERR_NOMEM);
  assert_ptr_equal(wm, (hyper_h2_wm *)&rw); /* untouched */
  /* custom factory: its allocation fails */
  wm_ctx c = {0};
  hyper_h2_wm_factory f = {t_create, &c};
  fm.fail_at = fm.nalloc + 1;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_NOMEM);
  assert_int_equal(c.created, 0);
  assert_int_equal(fm.nfailed, 3);
  /* ... or it reports another error, passed on */
  fm.fail_at = 0;
  c.create_rv = HYPER_ERR_LIMIT_EXCEEDED;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 65535, 65535,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_factory_bad_manager(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  wm_ctx c = {0};
  hyper_h2_wm_factory f = {t_create, &c};
  hyper__h2_recvwin rw;
  c.create_null = 1;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 100, 100,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_INVALID_ARGUMENT);
  c.create_null = 0;
  c.bad_vtable = 1;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 100, 100,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(c.destroyed, 1); /* released, not leaked */
  c.bad_vtable = 0;
  /* argument checks happen before the factory is called */
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, (uint32_t)MAXW + 1, 0,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 0, 100, 7, &fm.mem),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(c.created, 1);
  assert_int_equal(
      hyper_h2_wm_default_new(NULL, 1, 100, NULL, &fm.mem),
      HYPER_ERR_INVALID_ARGUMENT);
  hyper_h2_wm *wm = NULL;
  assert_int_equal(
      hyper_h2_wm_default_new(&wm, 1, (uint32_t)MAXW + 1, NULL, &fm.mem),
      HYPER_ERR_INVALID_ARGUMENT);
  assert_null(wm);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_window_factory_zero_is_default(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_h2_wm_factory f = {0};
  hyper__h2_recvwin rw;
  uint32_t inc;
  assert_int_equal(hyper__h2_recvwin_init(&rw, &f, 1, 4096, 4096,
                                          HYPER__H2_RECVWIN_AUTO, &fm.mem),
                   0);
  assert_int_equal(fm.live_blocks, 1);
  assert_ptr_equal(rw.wm->vtable->increase_window_size,
                   hyper_h2_wm_default_increase_window_size);
  assert_int_equal(hyper__h2_recvwin_recv(&rw, 3073, 3073, 0, &inc), 0);
  assert_int_equal(inc, 3073);
  hyper__h2_recvwin_cleanup(&rw);
  assert_int_equal(fm.live_blocks, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_window_sendwin_consume),
      cmocka_unit_test(test_window_sendwin_update_to_max),
      cmocka_unit_test(test_window_sendwin_settings_lower_goes_negative),
      cmocka_unit_test(test_window_sendwin_settings_raise_overflow),
      cmocka_unit_test(test_window_sendwin_allowance),
      cmocka_unit_test(test_window_recv_data_over_window),
      cmocka_unit_test(test_window_recv_padding_counted),
      cmocka_unit_test(test_window_default_no_update_above_quarter),
      cmocka_unit_test(test_window_default_quarter_boundary),
      cmocka_unit_test(test_window_default_refills_below_1kib),
      cmocka_unit_test(test_window_default_document_size),
      cmocka_unit_test(test_window_default_blocked_returns_deficit),
      cmocka_unit_test(test_window_default_conn_window_raised),
      cmocka_unit_test(test_window_custom_called_before_decrement),
      cmocka_unit_test(test_window_custom_increment_capped),
      cmocka_unit_test(test_window_custom_blocked_when_exhausted),
      cmocka_unit_test(test_window_custom_fields_restored),
      cmocka_unit_test(test_window_ack_mode_defers_manager),
      cmocka_unit_test(test_window_ack_mode_blocked_respects_backpressure),
      cmocka_unit_test(test_window_ack_large),
      cmocka_unit_test(test_window_recv_adjust_initial),
      cmocka_unit_test(test_window_factory_per_stream_and_destroy),
      cmocka_unit_test(test_window_factory_nomem),
      cmocka_unit_test(test_window_factory_bad_manager),
      cmocka_unit_test(test_window_factory_zero_is_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
