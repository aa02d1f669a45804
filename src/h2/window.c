/* HTTP/2 flow-control windows (RFC 9113 §5.2, §6.9) and window managers
 * (include/hyper/h2.h): the send window, the receive window with its bridge
 * to the manager, and hyper's default manager. */
#include "window.h"

#define MAXW ((int64_t)HYPER_H2_MAX_WINDOW)

/* ------------------------------------------------------------------------ */
/* Send window                                                              */
/* ------------------------------------------------------------------------ */

void hyper__h2_sendwin_init(hyper__h2_sendwin *sw, uint32_t initial) {
  sw->avail = initial;
}

int hyper__h2_sendwin_consume(hyper__h2_sendwin *sw, size_t n) {
  if (n == 0)
    return 0;
  if (sw->avail <= 0 || (uint64_t)n > (uint64_t)sw->avail)
    return HYPER_ERR_H2_FLOW_CONTROL;
  sw->avail -= (int64_t)n;
  return 0;
}

int hyper__h2_sendwin_update(hyper__h2_sendwin *sw, uint32_t delta) {
  if (delta > MAXW)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (sw->avail + (int64_t)delta > MAXW)
    return HYPER_ERR_H2_FLOW_CONTROL;
  sw->avail += delta;
  return 0;
}

int hyper__h2_sendwin_adjust_initial(hyper__h2_sendwin *sw,
                                     uint32_t old_initial,
                                     uint32_t new_initial) {
  if (new_initial > MAXW)
    return HYPER_ERR_H2_FLOW_CONTROL;
  if (old_initial > MAXW)
    return HYPER_ERR_INVALID_ARGUMENT;
  int64_t next = sw->avail + ((int64_t)new_initial - (int64_t)old_initial);
  if (next > MAXW)
    return HYPER_ERR_H2_FLOW_CONTROL;
  sw->avail = next;
  return 0;
}

size_t hyper__h2_sendwin_allowance(const hyper__h2_sendwin *stream,
                                   const hyper__h2_sendwin *conn,
                                   size_t want) {
  int64_t credit = HYPER_MIN(stream->avail, conn->avail);
  if (credit <= 0)
    return 0;
  if ((uint64_t)want > (uint64_t)credit)
    return (size_t)credit;
  return want;
}

/* ------------------------------------------------------------------------ */
/* The default manager                                                      */
/* ------------------------------------------------------------------------ */

static uint32_t clamp_increment(int64_t d) {
  if (d <= 0)
    return 0;
  return d > MAXW ? (uint32_t)MAXW : (uint32_t)d;
}

uint32_t hyper_h2_wm_default_increase_window_size(hyper_h2_wm *wm,
                                                  uint32_t frame_size) {
  int64_t future = wm->window_size - (int64_t)frame_size;
  int64_t initial = wm->initial_window_size;
  /* "less than 1/4 of the maximum" without integer-division rounding */
  if (4 * future < initial || future < HYPER_H2_WM_DEFAULT_MIN_WINDOW)
    return clamp_increment(initial - future);
  return 0;
}

uint32_t hyper_h2_wm_default_blocked(hyper_h2_wm *wm) {
  return clamp_increment(wm->initial_window_size - wm->window_size);
}

static void default_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  if (!mem)
    mem = hyper_mem_default();
  hyper__mem_free(mem, wm);
}

static const hyper_h2_wm_vtable default_vtable = {
    hyper_h2_wm_default_increase_window_size, hyper_h2_wm_default_blocked,
    default_destroy};

void hyper_h2_wm_init(hyper_h2_wm *wm, const hyper_h2_wm_vtable *vtable,
                      uint32_t stream_id, uint32_t initial_window_size) {
  memset(wm, 0, sizeof *wm);
  wm->vtable = vtable;
  wm->initial_window_size = initial_window_size;
  wm->window_size = initial_window_size;
  wm->document_size = -1;
  wm->unacked = 0;
  wm->stream_id = stream_id;
}

int hyper_h2_wm_default_new(hyper_h2_wm **out, uint32_t stream_id,
                            uint32_t initial_window_size, void *user,
                            const hyper_mem *mem) {
  (void)user;
  if (!out || initial_window_size > MAXW)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!mem)
    mem = hyper_mem_default();
  hyper_h2_wm *wm = hyper__mem_malloc(mem, sizeof *wm);
  if (!wm)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(wm, &default_vtable, stream_id, initial_window_size);
  *out = wm;
  return 0;
}

void hyper_h2_wm_default_factory(hyper_h2_wm_factory *f) {
  f->create = hyper_h2_wm_default_new;
  f->user = NULL;
}

/* ------------------------------------------------------------------------ */
/* Receive window                                                           */
/* ------------------------------------------------------------------------ */

/* Writes the fields the manager may read (undoing any write it made). */
static void sync_wm(hyper__h2_recvwin *rw) {
  hyper_h2_wm *wm = rw->wm;
  wm->vtable = rw->vt;
  wm->initial_window_size = rw->initial;
  wm->window_size = rw->avail + rw->unacked;
  wm->document_size = rw->document_size;
  wm->unacked = rw->unacked;
  wm->stream_id = rw->stream_id;
}

/* Grants up to |want| octets on top of |granted| already granted in this
 * call: the window stays <= 2^31-1 and the total fits one WINDOW_UPDATE.
 * Nothing is granted once the stream has ended. Returns the grant. */
static uint32_t grant(hyper__h2_recvwin *rw, uint32_t want, uint32_t granted) {
  if (rw->ended || want == 0)
    return 0;
  int64_t cap = HYPER_MIN(MAXW - rw->avail, MAXW - (int64_t)granted);
  if (cap <= 0)
    return 0;
  uint32_t g = (int64_t)want > cap ? (uint32_t)cap : want;
  rw->avail += g;
  return g;
}

static uint32_t call_blocked(hyper__h2_recvwin *rw, uint32_t granted) {
  if (rw->ended)
    return 0;
  sync_wm(rw);
  uint32_t want = rw->vt->blocked ? rw->vt->blocked(rw->wm)
                                  : hyper_h2_wm_default_blocked(rw->wm);
  uint32_t g = grant(rw, want, granted);
  sync_wm(rw);
  return g;
}

/* Tells the manager that |n| octets were taken in: increase_window_size(n)
 * sees the window before the decrement (Python hyper's _handle_frame), then
 * |n| leaves the unacknowledged count (|from_unacked|) or the peer's window,
 * the increment is granted, and blocked() follows if the peer is left with
 * no window. |granted| is what the caller already granted in this
 * operation. Returns the increment to send on top of it. */
static uint32_t take_in(hyper__h2_recvwin *rw, uint32_t n, int from_unacked,
                        uint32_t granted) {
  sync_wm(rw);
  uint32_t want = rw->vt->increase_window_size(rw->wm, n);
  if (from_unacked)
    rw->unacked -= n;
  else
    rw->avail -= n;
  uint32_t inc = grant(rw, want, granted);
  if (rw->avail <= 0)
    inc += call_blocked(rw, granted + inc);
  sync_wm(rw);
  return inc;
}

int hyper__h2_recvwin_init(hyper__h2_recvwin *rw,
                           const hyper_h2_wm_factory *factory,
                           uint32_t stream_id, uint32_t initial,
                           uint32_t avail, int mode, const hyper_mem *mem) {
  memset(rw, 0, sizeof *rw);
  if (initial > MAXW || avail > MAXW ||
      (mode != HYPER__H2_RECVWIN_AUTO && mode != HYPER__H2_RECVWIN_ACK))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!mem)
    mem = hyper_mem_default();

  hyper_h2_wm_create_fn create = hyper_h2_wm_default_new;
  void *user = NULL;
  if (factory && factory->create) {
    create = factory->create;
    user = factory->user;
  }
  hyper_h2_wm *wm = NULL;
  int rv = create(&wm, stream_id, initial, user, mem);
  if (rv != 0)
    return rv < 0 ? rv : HYPER_ERR_INVALID_ARGUMENT;
  if (!wm)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!wm->vtable || !wm->vtable->increase_window_size) {
    if (wm->vtable && wm->vtable->destroy)
      wm->vtable->destroy(wm, mem);
    return HYPER_ERR_INVALID_ARGUMENT;
  }

  rw->wm = wm;
  rw->vt = wm->vtable;
  rw->mem = mem;
  rw->initial = initial;
  rw->avail = avail;
  rw->unacked = 0;
  rw->document_size = -1;
  rw->stream_id = stream_id;
  rw->mode = mode;
  rw->ended = 0;
  sync_wm(rw);
  return 0;
}

void hyper__h2_recvwin_cleanup(hyper__h2_recvwin *rw) {
  hyper_h2_wm *wm = rw->wm;
  if (!wm)
    return;
  rw->wm = NULL;
  if (rw->vt->destroy)
    rw->vt->destroy(wm, rw->mem);
}

int hyper__h2_recvwin_check(const hyper__h2_recvwin *rw, uint32_t flow_len) {
  if (flow_len > 0 && (int64_t)flow_len > rw->avail)
    return HYPER_ERR_H2_FLOW_CONTROL;
  return 0;
}

int hyper__h2_recvwin_recv(hyper__h2_recvwin *rw, uint32_t flow_len,
                           uint32_t data_len, int end_stream,
                           uint32_t *increment) {
  *increment = 0;
  if (data_len > flow_len)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = hyper__h2_recvwin_check(rw, flow_len);
  if (rv != 0)
    return rv;
  if (end_stream)
    rw->ended = 1;

  if (rw->mode == HYPER__H2_RECVWIN_AUTO) {
    *increment = take_in(rw, flow_len, 0, 0);
    return 0;
  }
  /* ACK mode: the octets move from the peer's window to "unacknowledged";
   * the manager's window_size (avail + unacked) does not change until the
   * application acknowledges them. Padding is acknowledged now. */
  rw->avail -= flow_len;
  rw->unacked += flow_len;
  if (flow_len > data_len)
    *increment = take_in(rw, flow_len - data_len, 1, 0);
  else
    sync_wm(rw);
  return 0;
}

int hyper__h2_recvwin_ack(hyper__h2_recvwin *rw, uint64_t n,
                          uint32_t *increment) {
  *increment = 0;
  if (rw->mode != HYPER__H2_RECVWIN_ACK)
    return HYPER_ERR_INVALID_STATE;
  if (n > (uint64_t)rw->unacked)
    return HYPER_ERR_INVALID_ARGUMENT;
  uint32_t total = 0;
  while (n > 0) {
    uint32_t piece = n > (uint64_t)MAXW ? (uint32_t)MAXW : (uint32_t)n;
    total += take_in(rw, piece, 1, total);
    n -= piece;
  }
  *increment = total;
  return 0;
}

uint32_t hyper__h2_recvwin_refresh(hyper__h2_recvwin *rw) {
  return take_in(rw, 0, 0, 0);
}

uint32_t hyper__h2_recvwin_blocked(hyper__h2_recvwin *rw) {
  return call_blocked(rw, 0);
}

int hyper__h2_recvwin_adjust_initial(hyper__h2_recvwin *rw,
                                     uint32_t old_initial,
                                     uint32_t new_initial,
                                     uint32_t *increment) {
  *increment = 0;
  if (new_initial > MAXW)
    return HYPER_ERR_H2_FLOW_CONTROL;
  if (old_initial > MAXW)
    return HYPER_ERR_INVALID_ARGUMENT;
  int64_t next = rw->avail + ((int64_t)new_initial - (int64_t)old_initial);
  if (next > MAXW)
    return HYPER_ERR_H2_FLOW_CONTROL;
  rw->avail = next;
  rw->initial = new_initial;
  *increment = take_in(rw, 0, 0, 0);
  return 0;
}

void hyper__h2_recvwin_set_document_size(hyper__h2_recvwin *rw,
                                         int64_t size) {
  rw->document_size = size < 0 ? -1 : size;
  sync_wm(rw);
}
