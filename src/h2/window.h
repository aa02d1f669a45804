/* HTTP/2 flow-control windows (RFC 9113 §5.2, §6.9). Private to src/.
 *
 * Two small embedded types, one of each per stream and one of each for the
 * connection:
 *
 *  - hyper__h2_sendwin: the credit the peer has given us (what we may still
 *    send). Starts at the peer's SETTINGS_INITIAL_WINDOW_SIZE (streams) or
 *    65,535 (connection); grows with WINDOW_UPDATE; may go negative when the
 *    peer lowers SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2).
 *
 *  - hyper__h2_recvwin: the credit we have given the peer (what it may still
 *    send us), plus the bridge to the window manager (include/hyper/h2.h)
 *    that decides when to grant more. It owns its manager.
 *
 * Neither type knows frames or stream states; the core passes lengths in and
 * sends the WINDOW_UPDATE increments that come out. Errors are returned, not
 * classified: whether HYPER_ERR_H2_FLOW_CONTROL is a stream error
 * (RST_STREAM) or a connection error (GOAWAY) depends on which window failed,
 * which the caller knows (§6.9.1: stream window -> stream error, connection
 * window or a SETTINGS change -> connection error).
 *
 * How the core uses the receive side
 * ----------------------------------
 *  At connection start: hyper__h2_recvwin_init(&conn_rw, &cfg.wm_factory, 0,
 *    cfg.conn_window, HYPER_H2_DEFAULT_WINDOW, mode, mem), then
 *    hyper__h2_recvwin_refresh(&conn_rw): with the default manager this
 *    returns cfg.conn_window - 65535, sent as WINDOW_UPDATE on stream 0.
 *  Per stream: hyper__h2_recvwin_init(&s->rw, f, id, local_initial,
 *    local_initial, mode, mem). (Which local_initial: a raised
 *    SETTINGS_INITIAL_WINDOW_SIZE may be honoured by the peer as soon as it
 *    is sent, a lowered one only once it is acknowledged, so use the larger
 *    of the last sent and the last acknowledged value, and call
 *    _adjust_initial() on raise-at-send / lower-at-ACK. Streams we open are
 *    always behind our SETTINGS on the wire, so the peer already uses the
 *    sent value for them.)
 *  On DATA (flow_len = whole payload incl. pad length octet and padding,
 *    data_len = octets delivered to the application):
 *    _recv(&conn_rw, flow_len, data_len, 0, &ci) first (its failure is a
 *    connection error), then _recv(&s->rw, flow_len, data_len, end_stream,
 *    &si) (a stream error; the connection window still counts the frame).
 *    Send WINDOW_UPDATE(0, ci) and WINDOW_UPDATE(id, si) when nonzero.
 *    DATA on a stream we already closed: _recv() on the connection window
 *    only, then (acknowledged mode) _ack() the same length there at once.
 *  Acknowledged mode, application acknowledges n octets of stream id:
 *    _ack(&s->rw, n, &si) and _ack(&conn_rw, n, &ci).
 *  A stream closes with octets still unacknowledged: _ack(&conn_rw,
 *    hyper__h2_recvwin_unacked(&s->rw), &ci) so the connection window does
 *    not leak them; then _cleanup(&s->rw).
 *  content-length seen: _set_document_size(&s->rw, n).
 *  Our SETTINGS_INITIAL_WINDOW_SIZE takes effect: _adjust_initial(&s->rw,
 *    old, new, &si) on every open stream (never on the connection window).
 */
#ifndef HYPER_H2_WINDOW_H
#define HYPER_H2_WINDOW_H

#include "../common/internal.h"
#include "hyper/h2.h"

/* ------------------------------------------------------------------------ */
/* Send window                                                              */
/* ------------------------------------------------------------------------ */

typedef struct hyper__h2_sendwin {
  int64_t avail; /* octets we may still send; may be negative (§6.9.2) */
} hyper__h2_sendwin;

/* Initialises |sw| with |initial| octets of credit (<= 2^31-1). */
void hyper__h2_sendwin_init(hyper__h2_sendwin *sw, uint32_t initial);

/* Takes |n| octets of credit for a DATA frame we send (its whole payload,
 * padding included). A frame of 0 octets is always allowed, even when the
 * window is negative.
 * Returns 0, or HYPER_ERR_H2_FLOW_CONTROL when |n| exceeds the credit (a
 * caller bug: it must send at most hyper__h2_sendwin_allowance(); nothing
 * changed). */
int hyper__h2_sendwin_consume(hyper__h2_sendwin *sw, size_t n);

/* Adds |delta| from a WINDOW_UPDATE. An increment of 0 is a PROTOCOL_ERROR
 * that the frame layer detects (§6.9); here it is a no-op.
 * Returns 0, or one of:
 *   HYPER_ERR_H2_FLOW_CONTROL   the window would exceed 2^31-1 (§6.9.1);
 *                               nothing changed.
 *   HYPER_ERR_INVALID_ARGUMENT  |delta| > 2^31-1 (not a valid increment). */
int hyper__h2_sendwin_update(hyper__h2_sendwin *sw, uint32_t delta);

/* Applies a change of the peer's SETTINGS_INITIAL_WINDOW_SIZE from
 * |old_initial| to |new_initial| to a stream window (§6.9.2): the window
 * moves by the difference and may become negative. Not for the connection
 * window, which SETTINGS do not change.
 * Returns 0, or one of (nothing changed):
 *   HYPER_ERR_H2_FLOW_CONTROL   |new_initial| > 2^31-1 (§6.5.2) or the window
 *                               would exceed 2^31-1. Both are connection
 *                               errors; if one stream fails after others were
 *                               adjusted, the connection is lost anyway.
 *   HYPER_ERR_INVALID_ARGUMENT  |old_initial| > 2^31-1 (a caller bug). */
int hyper__h2_sendwin_adjust_initial(hyper__h2_sendwin *sw,
                                     uint32_t old_initial,
                                     uint32_t new_initial);

/* Returns the credit (may be negative). */
static inline int64_t hyper__h2_sendwin_avail(const hyper__h2_sendwin *sw) {
  return sw->avail;
}

/* Returns how many of |want| octets may be sent now on a stream: the
 * minimum of |want|, the stream's credit and the connection's credit, 0 if
 * either is <= 0. Never fails. */
size_t hyper__h2_sendwin_allowance(const hyper__h2_sendwin *stream,
                                   const hyper__h2_sendwin *conn, size_t want);

/* ------------------------------------------------------------------------ */
/* Receive window                                                           */
/* ------------------------------------------------------------------------ */

/* hyper__h2_recvwin_init() modes. */
#define HYPER__H2_RECVWIN_AUTO 0 /* DATA counts as processed on receipt */
#define HYPER__H2_RECVWIN_ACK 1  /* the application acknowledges it later */

typedef struct hyper__h2_recvwin {
  hyper_h2_wm *wm;      /* owned; NULL after cleanup */
  const hyper_mem *mem; /* the connection's allocator (outlives |rw|) */
  int64_t initial;      /* the manager's target window */
  int64_t avail;        /* octets the peer may still send; may be negative */
  int64_t unacked;      /* received, not yet acknowledged (ACK mode) */
  int64_t document_size;             /* mirrored into wm (-1 unknown) */
  const hyper_h2_wm_vtable *vt;      /* wm's vtable as created */
  uint32_t stream_id;
  int mode;             /* HYPER__H2_RECVWIN_* */
  int ended;            /* the peer ended the stream: increments dropped */
} hyper__h2_recvwin;

/* Initialises |rw| for |stream_id| (0: the connection) and creates its
 * manager through |factory| (NULL or a NULL create: the default manager)
 * with target window |initial|. |avail| is the window the peer currently
 * assumes: |initial| for a stream, HYPER_H2_DEFAULT_WINDOW for the
 * connection. The manager's fields are set from these (window_size =
 * |avail|). |mem| is borrowed and must outlive |rw|. The manager is not
 * called; call hyper__h2_recvwin_refresh() to let it grow the window.
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |initial| or |avail| > 2^31-1, a bad |mode|,
 *                               or the factory returned success without a
 *                               manager or with a vtable lacking
 *                               increase_window_size (then destroyed).
 *   HYPER_ERR_NOMEM             the factory failed to allocate.
 *   any other error the factory returned.
 * On failure |rw| holds nothing (cleanup is allowed and does nothing). */
int hyper__h2_recvwin_init(hyper__h2_recvwin *rw,
                           const hyper_h2_wm_factory *factory,
                           uint32_t stream_id, uint32_t initial,
                           uint32_t avail, int mode, const hyper_mem *mem);

/* Destroys the manager (its vtable destroy, if any). |rw| itself is not
 * freed; it may be cleaned up twice. */
void hyper__h2_recvwin_cleanup(hyper__h2_recvwin *rw);

/* Returns 0 if a DATA frame of |flow_len| octets fits the window, else
 * HYPER_ERR_H2_FLOW_CONTROL. A frame of 0 octets always fits. */
int hyper__h2_recvwin_check(const hyper__h2_recvwin *rw, uint32_t flow_len);

/* Accounts a received DATA frame: |flow_len| is its whole payload (pad
 * length octet and padding included, §6.9.1), |data_len| <= |flow_len| the
 * part delivered to the application, |end_stream| its END_STREAM flag. The
 * window shrinks by |flow_len|. Then:
 *   AUTO mode: the manager's increase_window_size(flow_len) is called
 *     *before* window_size is decremented (as Python hyper's _handle_frame),
 *     even when |flow_len| is 0;
 *   ACK mode:  |data_len| octets wait for hyper__h2_recvwin_ack(); the
 *     padding (|flow_len| - |data_len|) is acknowledged at once (the
 *     application never sees it, so could never acknowledge it).
 * If the manager was called and the peer's window is then <= 0, blocked()
 * is called too. |*increment| receives the total to send as WINDOW_UPDATE
 * (0: none), already added to the window and capped at 2^31-1. Once a frame
 * with |end_stream| was seen, increments are dropped (0) but the manager is
 * still told about the octets.
 * Returns 0, or one of (nothing changed, |*increment| = 0):
 *   HYPER_ERR_H2_FLOW_CONTROL   |flow_len| exceeds the window.
 *   HYPER_ERR_INVALID_ARGUMENT  |data_len| > |flow_len|. */
int hyper__h2_recvwin_recv(hyper__h2_recvwin *rw, uint32_t flow_len,
                           uint32_t data_len, int end_stream,
                           uint32_t *increment);

/* ACK mode: the application has processed |n| received octets. Calls the
 * manager's increase_window_size(n) before the decrement (in pieces of at
 * most 2^31-1 octets should |n| be larger), then blocked() if
 * the peer's window is still <= 0, and stores the increment to send in
 * |*increment| (as hyper__h2_recvwin_recv()). |n| = 0 is a no-op.
 * Returns 0, or one of (nothing changed, |*increment| = 0):
 *   HYPER_ERR_INVALID_STATE     |rw| is in AUTO mode.
 *   HYPER_ERR_INVALID_ARGUMENT  |n| exceeds the unacknowledged octets. */
int hyper__h2_recvwin_ack(hyper__h2_recvwin *rw, uint64_t n,
                          uint32_t *increment);

/* Asks the manager about the window without new data:
 * increase_window_size(0), then blocked() if the peer's window is <= 0.
 * Use after init (to raise the connection window above 65,535).
 * Returns the increment to send (already applied), or 0. */
uint32_t hyper__h2_recvwin_refresh(hyper__h2_recvwin *rw);

/* Calls the manager's blocked() (e.g. when the application knows the peer is
 * stalled) and returns the increment to send (already applied, capped), or 0
 * (also after END_STREAM). */
uint32_t hyper__h2_recvwin_blocked(hyper__h2_recvwin *rw);

/* Applies our SETTINGS_INITIAL_WINDOW_SIZE change from |old_initial| to
 * |new_initial| to a stream window (§6.9.2): the window the peer may use and
 * the manager's window_size move by the difference (possibly below 0), the
 * manager's initial_window_size becomes |new_initial|, and the manager is
 * asked with increase_window_size(0) (then blocked() if the window is <= 0);
 * |*increment| receives the increment to send, or 0.
 * Returns 0, or one of (nothing changed, |*increment| = 0):
 *   HYPER_ERR_H2_FLOW_CONTROL   |new_initial| > 2^31-1 or the window would
 *                               exceed 2^31-1.
 *   HYPER_ERR_INVALID_ARGUMENT  |old_initial| > 2^31-1 (a caller bug). */
int hyper__h2_recvwin_adjust_initial(hyper__h2_recvwin *rw,
                                     uint32_t old_initial,
                                     uint32_t new_initial,
                                     uint32_t *increment);

/* Sets the manager's document_size (from content-length; -1 unknown). */
void hyper__h2_recvwin_set_document_size(hyper__h2_recvwin *rw,
                                         int64_t size);

/* Octets the peer may still send (may be negative). */
static inline int64_t hyper__h2_recvwin_avail(const hyper__h2_recvwin *rw) {
  return rw->avail;
}

/* Octets received but not yet acknowledged (0 in AUTO mode). */
static inline int64_t
hyper__h2_recvwin_unacked(const hyper__h2_recvwin *rw) {
  return rw->unacked;
}

#endif /* HYPER_H2_WINDOW_H */
