/*
 * hyper — the sans-IO HTTP/2 core (RFC 9113).
 *
 * This header grows section by section. For now it holds the flow-control
 * window managers; the connection (config, events, submit, recv, pending
 * output) is added after it.
 */
#ifndef HYPER_H2_H
#define HYPER_H2_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Flow control: window managers                                            */
/* ======================================================================== */
/*
 * HTTP/2 flow control (RFC 9113 §5.2, §6.9) limits how many DATA octets a
 * peer may send before the receiver grants more with WINDOW_UPDATE. There is
 * one window per stream and one for the whole connection; a DATA frame
 * (padding included) counts against both.
 *
 * hyper decides *when* to grant more receive window through a pluggable
 * window manager, with the interface of Python hyper's
 * BaseFlowControlManager: the core informs the manager of the flow-controlled
 * octets it takes in (increase_window_size(frame_size), called *before* the
 * window is decremented) and asks it what to do when the peer cannot send
 * (blocked()); each returns the WINDOW_UPDATE increment to send, or 0. The
 * connection creates managers through a factory: one for the connection
 * (stream id 0) and one per stream. Managers only decide; the core checks
 * every DATA frame against the window, caps increments so that no window
 * exceeds 2^31-1, and sends the WINDOW_UPDATE frames.
 *
 * When is data "taken in"? Two modes, chosen by the connection:
 *  - automatic (the blocking client, like Python hyper): a DATA frame counts
 *    as processed when it is received, so the manager hears about each frame
 *    as it arrives, with frame_size = its flow-controlled length;
 *  - acknowledged (like h2's acknowledge_received_data() or nghttp2's
 *    consume): received octets wait until the application acknowledges them,
 *    and the manager hears about each acknowledgement, with frame_size = the
 *    octets acknowledged. Padding never reaches the application, so it is
 *    acknowledged at once. The peer's credit is then bounded by what the
 *    application has processed, which is the point of flow control.
 * In both modes window_size is "initial window, minus the octets the manager
 * has been told about, plus the increments granted", so one policy works for
 * both.
 *
 * To write a manager, embed hyper_h2_wm as the first member of your struct,
 * give it a vtable, and return it from your factory:
 *
 *   typedef struct { hyper_h2_wm base; uint64_t seen; } my_wm;
 *   static uint32_t my_increase(hyper_h2_wm *wm, uint32_t frame_size) {
 *     my_wm *m = (my_wm *)wm;
 *     m->seen += frame_size;
 *     return frame_size;            // hyper's "stupid" manager: refund all
 *   }
 *   static void my_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
 *     mem->free(wm, mem->user);
 *   }
 *   static const hyper_h2_wm_vtable my_vt = {my_increase, NULL, my_destroy};
 *   static int my_create(hyper_h2_wm **out, uint32_t stream_id,
 *                        uint32_t initial, void *user, const hyper_mem *mem) {
 *     my_wm *m = mem->calloc(1, sizeof *m, mem->user);
 *     if (!m) return HYPER_ERR_NOMEM;
 *     hyper_h2_wm_init(&m->base, &my_vt, stream_id, initial);
 *     *out = &m->base;
 *     return 0;
 *   }
 *   hyper_h2_wm_factory f = {my_create, NULL};   // goes into the config
 */

/** The initial flow-control window of every stream and of the connection
 *  before any SETTINGS or WINDOW_UPDATE (RFC 9113 §6.9.2): 2^16-1. */
#define HYPER_H2_DEFAULT_WINDOW 65535
/** The largest flow-control window and WINDOW_UPDATE increment (RFC 9113
 *  §6.9.1): 2^31-1. A window pushed above it is a FLOW_CONTROL_ERROR. */
#define HYPER_H2_MAX_WINDOW 2147483647
/**
 * hyper's default receive window for the connection: 16 MiB. The connection
 * window starts at 65,535 whatever SETTINGS say, so the core raises it with a
 * WINDOW_UPDATE on stream 0 right after the preface. 64 KiB would cap a bulk
 * download at 64 KiB per round trip (5 Mbit/s at 100 ms); 16 MiB allows
 * ~1.3 Gbit/s at 100 ms. It is also the bound on DATA octets a peer can make
 * us hold across all streams in acknowledged mode, because unacknowledged
 * octets keep the connection window closed. (Chromium uses 15 MiB.)
 */
#define HYPER_H2_DEFAULT_CONN_RECV_WINDOW (16 * 1024 * 1024)
/**
 * hyper's default receive window per stream, sent as
 * SETTINGS_INITIAL_WINDOW_SIZE: 4 MiB. Large enough that one download is not
 * held back by the stream window (4 MiB per round trip), a quarter of the
 * connection window so that a few concurrent streams can each make progress
 * before the connection window is the limit. (Chromium uses 6 MiB, Firefox
 * 12 MiB, nghttp2 keeps 65,535.)
 */
#define HYPER_H2_DEFAULT_STREAM_RECV_WINDOW (4 * 1024 * 1024)
/** The default manager refills a window that falls below this many octets
 *  even when it is above a quarter of its initial size ("1 kB" in hyper's
 *  documentation; 1 KiB here). */
#define HYPER_H2_WM_DEFAULT_MIN_WINDOW 1024

typedef struct hyper_h2_wm hyper_h2_wm;

/**
 * The functions of a window manager. The struct is read through the
 * manager's |vtable| pointer at every call and is not copied, so it must
 * outlive the manager (a `static const` is typical).
 */
typedef struct hyper_h2_wm_vtable {
  /**
   * Required. Tells the manager that |frame_size| flow-controlled octets were
   * taken in: a received DATA frame (automatic mode, padding included) or
   * octets the application acknowledged (acknowledged mode; padding is
   * acknowledged at once). It is called *before* window_size is decremented
   * by |frame_size|. |frame_size| may be 0: for an empty DATA frame, after
   * our SETTINGS_INITIAL_WINDOW_SIZE changed, or to let the manager grow a
   * window it was created with (the connection window starts at 65,535 and
   * the default manager raises it to its initial_window_size this way).
   *
   * Returns the octets by which to increase the receive window (the
   * WINDOW_UPDATE increment), or 0 for none. The core caps the value so that
   * the window stays <= HYPER_H2_MAX_WINDOW and adds what it grants to
   * window_size itself; the manager must not modify the hyper_h2_wm fields.
   * An increment for a stream whose peer has already ended it is dropped.
   */
  uint32_t (*increase_window_size)(hyper_h2_wm *wm, uint32_t frame_size);
  /**
   * Optional (NULL: hyper_h2_wm_default_blocked()). Called when the peer
   * cannot send on this window: after the manager was told about data, the
   * window the peer may still use is <= 0 and the stream has not ended.
   * RFC 9113 has no BLOCKED frame, so this is inferred, not reported.
   * Must not modify the hyper_h2_wm fields.
   *
   * Returns the increment to send (capped like the one above), or 0.
   */
  uint32_t (*blocked)(hyper_h2_wm *wm);
  /**
   * Optional. Releases the manager when the connection is done with it (the
   * stream was freed or the connection is freed). |mem| is the allocator the
   * manager was created with (the connection's). NULL means hyper does not
   * release it: the factory owns the storage.
   */
  void (*destroy)(hyper_h2_wm *wm, const hyper_mem *mem);
} hyper_h2_wm_vtable;

/**
 * The part of every window manager that hyper reads and writes, with the
 * fields of hyper's BaseFlowControlManager. Embed it as the *first* member
 * of your own struct so that a hyper_h2_wm pointer can be cast back to it.
 *
 * Managers read the fields and must not change them: the core keeps them up
 * to date before each call (and rewrites them, so a stray write is undone).
 */
struct hyper_h2_wm {
  /** The manager's functions; set by hyper_h2_wm_init(). */
  const hyper_h2_wm_vtable *vtable;
  /** The window size the manager aims for. For a stream, our
   *  SETTINGS_INITIAL_WINDOW_SIZE (updated when it changes); for the
   *  connection, the configured connection window. */
  int64_t initial_window_size;
  /** The current window: initial_window_size, minus the octets the manager
   *  has been told about, plus the increments granted. May be negative after
   *  we lower SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.9.2). In automatic
   *  mode it is the window the peer may still use; in acknowledged mode it
   *  is that window plus |unacked|. */
  int64_t window_size;
  /** The size of the document being received, from a valid content-length
   *  response header, or -1 when unknown (always -1 for the connection). The
   *  octets received may exceed it because of padding. */
  int64_t document_size;
  /** Octets received but not yet acknowledged by the application (always 0
   *  in automatic mode). */
  int64_t unacked;
  /** The stream this manager serves; 0 for the connection. */
  uint32_t stream_id;
  /** Reserved for hyper; zeroed by hyper_h2_wm_init(). */
  uint32_t _reserved32;
  void *_reserved[2];
};

/**
 * Initialises the base |wm| of a new manager: |vtable| (must not be NULL and
 * must have increase_window_size), |stream_id|, initial_window_size and
 * window_size = |initial_window_size|, document_size = -1, unacked = 0.
 * Call it from a factory's create function. Never fails; allocates nothing.
 */
HYPER_EXTERN void hyper_h2_wm_init(hyper_h2_wm *wm,
                                   const hyper_h2_wm_vtable *vtable,
                                   uint32_t stream_id,
                                   uint32_t initial_window_size);

/**
 * A factory's create function: makes the manager for |stream_id| (0 for the
 * connection) whose target window is |initial_window_size|, initialised with
 * hyper_h2_wm_init(), and stores it in |*out|. |user| is the factory's
 * |user| pointer. |mem| is the connection's allocator (never NULL); use it
 * for the manager's storage so that it is accounted with the connection.
 *
 * Ownership: on success the connection owns |*out| until it calls the
 * vtable's destroy (if any) with the same |mem|; the manager must stay valid
 * until then. The connection never touches a manager after destroying it.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_NOMEM  allocation failed (|*out| untouched). The connection
 *                    fails the operation that needed the manager with it.
 * Any other negative hyper_err is passed on the same way.
 */
typedef int (*hyper_h2_wm_create_fn)(hyper_h2_wm **out, uint32_t stream_id,
                                     uint32_t initial_window_size, void *user,
                                     const hyper_mem *mem);

/**
 * How a connection obtains its window managers: hyper's "plug the class,
 * not an instance" made explicit. The connection config holds a factory by
 * value; the connection calls |create| once for the connection window and
 * once per stream it opens or accepts. |user| is passed to every call and
 * must stay valid as long as a connection uses the factory. A factory whose
 * |create| is NULL means the default manager (hyper_h2_wm_default_new()).
 */
typedef struct hyper_h2_wm_factory {
  hyper_h2_wm_create_fn create;
  void *user;
} hyper_h2_wm_factory;

/**
 * hyper's default policy (Python hyper's FlowControlManager), as an
 * increase_window_size function that custom managers may also call:
 * let future = window_size - |frame_size|; when future is below a quarter of
 * initial_window_size, or below HYPER_H2_WM_DEFAULT_MIN_WINDOW (1 KiB),
 * return initial_window_size - future (refill to the maximum); otherwise 0.
 * This sends few WINDOW_UPDATE frames while never letting the peer run dry.
 * Never fails.
 */
HYPER_EXTERN uint32_t hyper_h2_wm_default_increase_window_size(
    hyper_h2_wm *wm, uint32_t frame_size);

/**
 * hyper's default blocked(): returns initial_window_size - window_size (the
 * deficit, so the window goes back to its maximum), or 0 when the window is
 * already at or above it. Never fails.
 */
HYPER_EXTERN uint32_t hyper_h2_wm_default_blocked(hyper_h2_wm *wm);

/**
 * Creates a default manager (the two functions above; destroy frees it with
 * |mem|). Has the hyper_h2_wm_create_fn signature, so it is the |create| of
 * the default factory; |user| is ignored. |mem| may be NULL for the C
 * library allocator.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL, or |initial_window_size| >
 *                               HYPER_H2_MAX_WINDOW.
 *   HYPER_ERR_NOMEM             allocation failed (|*out| untouched).
 */
HYPER_EXTERN int hyper_h2_wm_default_new(hyper_h2_wm **out, uint32_t stream_id,
                                         uint32_t initial_window_size,
                                         void *user, const hyper_mem *mem);

/** Fills |f| with the default factory ({hyper_h2_wm_default_new, NULL}).
 *  |f| must not be NULL. Never fails. */
HYPER_EXTERN void hyper_h2_wm_default_factory(hyper_h2_wm_factory *f);

/* ======================================================================== */
/* End of flow control: window managers                                     */
/* ======================================================================== */

#ifdef __cplusplus
}
#endif

#endif /* HYPER_H2_H */
