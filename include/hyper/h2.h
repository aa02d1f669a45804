/*
 * hyper — the sans-IO HTTP/2 core (RFC 9113).
 *
 * Two sections: the flow-control window managers, then the connection
 * (config, events, actions, recv, pending output). The connection never
 * touches a socket, a clock or a thread: bytes go in with
 * hyper_h2_conn_recv(), events come out with hyper_h2_conn_next_event(),
 * actions (hyper_h2_submit_request() ...) queue bytes that the caller pulls
 * with hyper_h2_conn_pending() / hyper_h2_conn_advance().
 */
#ifndef HYPER_H2_H
#define HYPER_H2_H

#include "common.h"
#include "frame.h"

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

/* ======================================================================== */
/* The connection                                                           */
/* ======================================================================== */
/*
 * A typical loop (error handling shortened):
 *
 *   hyper_h2_config cfg;
 *   hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
 *   hyper_h2_conn *c;
 *   hyper_h2_conn_new(&c, &cfg, NULL);
 *   hyper_h2_conn_initiate(c);                 // preface + SETTINGS
 *   uint32_t id;
 *   hyper_h2_submit_request(c, fields, nfields, 1, &id);
 *   while (hyper_h2_conn_wants_read(c) || hyper_h2_conn_wants_write(c)) {
 *     const uint8_t *out;
 *     size_t n = hyper_h2_conn_pending(c, &out);
 *     if (n) { n = write(fd, out, n); hyper_h2_conn_advance(c, n); continue; }
 *     ssize_t got = read(fd, buf, sizeof buf);
 *     for (size_t off = 0; off < (size_t)got;) {
 *       int used = hyper_h2_conn_recv(c, buf + off, got - off);
 *       if (used < 0) { handle hyper_h2_conn_last_error(c); goto flush; }
 *       off += (size_t)used;
 *       hyper_h2_event ev;
 *       while (hyper_h2_conn_next_event(c, &ev)) handle(&ev);
 *     }
 *   }
 *
 * Lifetimes in one sentence: everything an event points to stays valid
 * until the next call to hyper_h2_conn_recv() or hyper_h2_conn_free() (and,
 * for slices into the caller's input, as long as the caller keeps that input
 * unchanged); the pointer from hyper_h2_conn_pending() stays valid until the
 * next call that queues output or advances it.
 *
 * Errors: functions return a hyper_err. Protocol errors the peer causes are
 * handled inside (RFC 9113 §5.4): a stream error queues RST_STREAM and
 * reports a STREAM_RESET event (remote = 0); a connection error queues
 * GOAWAY *before* hyper_h2_conn_recv() returns the error, after which the
 * connection processes no more input (every later recv returns the same
 * error) and only output may still be pulled. hyper_h2_conn_last_error()
 * gives the details. After HYPER_ERR_NOMEM from recv only _free() is safe.
 */

/** Opaque connection object. */
typedef struct hyper_h2_conn hyper_h2_conn;

/** Which end of the connection we are. */
typedef enum hyper_h2_role {
  HYPER_H2_ROLE_CLIENT = 0,
  HYPER_H2_ROLE_SERVER = 1
} hyper_h2_role;

/** When received DATA counts as processed for flow control (see the window
 *  manager section above). */
typedef enum hyper_h2_recv_mode {
  /** On receipt (the blocking client's choice, like Python hyper). */
  HYPER_H2_RECV_AUTO = 0,
  /** When the application calls hyper_h2_acknowledge_received_data()
   *  (h2's acknowledge_received_data, nghttp2's consume). */
  HYPER_H2_RECV_ACK = 1
} hyper_h2_recv_mode;

/** "No limit" for the two settings whose RFC default is unlimited. */
#define HYPER_H2_SETTING_UNLIMITED 0xffffffffu

/* Defaults (../shared/HOSTILE-PEERS.md "Default limits"). */
/** SETTINGS_MAX_CONCURRENT_STREAMS we advertise: streams the peer may open. */
#define HYPER_H2_DEFAULT_MAX_CONCURRENT_STREAMS 100u
/** SETTINGS_MAX_HEADER_LIST_SIZE we advertise and enforce (name + value +
 *  32 per field, RFC 9113 §6.5.2). */
#define HYPER_H2_DEFAULT_MAX_HEADER_LIST 65536u
/** The largest SETTINGS_MAX_HEADER_LIST_SIZE a configuration may ask for. */
#define HYPER_H2_MAX_HEADER_LIST_HARD_CAP 262144u
/** Cap on one decoded name or value. */
#define HYPER_H2_DEFAULT_MAX_FIELD_LEN 65536u
/** CONTINUATION frames allowed after one HEADERS or PUSH_PROMISE. */
#define HYPER_H2_DEFAULT_MAX_CONTINUATIONS 8u
/** Entries allowed in one received SETTINGS frame (CVE-2020-11080). */
#define HYPER_H2_DEFAULT_MAX_SETTINGS_ENTRIES 32u
/** The largest max_settings_entries a configuration may ask for. */
#define HYPER_H2_MAX_SETTINGS_ENTRIES_CAP 64u
/** PING and SETTINGS acknowledgements queued but not yet pulled. */
#define HYPER_H2_DEFAULT_MAX_PENDING_ACKS 1000u
/** Frames other than DATA that the peer made us queue and that are not yet
 *  pulled (acknowledgements, RST_STREAM, WINDOW_UPDATE). */
#define HYPER_H2_DEFAULT_MAX_OUTBOUND_FRAMES 5000u
/** Token buckets: burst, and refill per second of caller-supplied time. */
#define HYPER_H2_DEFAULT_RST_BURST 1000u
#define HYPER_H2_DEFAULT_RST_RATE 33u
#define HYPER_H2_DEFAULT_GLITCH_BURST 1000u
#define HYPER_H2_DEFAULT_GLITCH_RATE 33u
/** The most HPACK dynamic table our encoder uses, whatever the peer allows. */
#define HYPER_H2_DEFAULT_ENCODER_TABLE_MAX 4096u
/** Streams the peer may hold reserved by PUSH_PROMISE when push is on. */
#define HYPER_H2_DEFAULT_MAX_RESERVED_STREAMS 100u
/** Closed streams remembered so that late frames are classified correctly
 *  (RFC 9113 §5.1 "closed"); older ones are forgotten. */
#define HYPER_H2_DEFAULT_MAX_CLOSED_STREAMS 256u
/** Time our SETTINGS may stay unacknowledged (needs hyper_h2_conn_set_time). */
#define HYPER_H2_DEFAULT_SETTINGS_TIMEOUT_MS 10000u

/**
 * The SETTINGS parameters of RFC 9113 §6.5.2 plus RFC 8441 §3
 * (enable_connect_protocol) and RFC 9218 §2.1 (no_rfc7540_priorities).
 * max_concurrent_streams and max_header_list_size may be
 * HYPER_H2_SETTING_UNLIMITED.
 */
typedef struct hyper_h2_settings {
  uint32_t header_table_size;
  uint32_t enable_push;
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size;
  uint32_t max_frame_size;
  uint32_t max_header_list_size;
  uint32_t enable_connect_protocol;
  uint32_t no_rfc7540_priorities;
} hyper_h2_settings;

/** One setting that changed: REMOTE_SETTINGS_CHANGED and SETTINGS_ACKED. */
typedef struct hyper_h2_setting_change {
  uint16_t id; /**< hyper_h2_settings_id */
  uint32_t old_value;
  uint32_t new_value;
} hyper_h2_setting_change;

/** Trace record kinds (for a --debug frame log). */
typedef enum hyper_h2_trace_kind {
  HYPER_H2_TRACE_FRAME_RECV = 1, /**< |frame| was received */
  HYPER_H2_TRACE_FRAME_SENT,     /**< |frame| was queued for sending */
  HYPER_H2_TRACE_FIELDS_RECV,    /**< a header block was decoded */
  HYPER_H2_TRACE_FIELDS_SENT,    /**< a header block was encoded */
  HYPER_H2_TRACE_HPACK_TABLE     /**< an HPACK dynamic table changed size */
} hyper_h2_trace_kind;

/**
 * A trace record. Every pointer is valid during the callback only.
 *  - FRAME_*: |frame| is the parsed frame (header and typed fields; its
 *    slices point at the frame's bytes). A received frame that fails to
 *    parse is traced with only |frame->hdr| and |frame->u.unknown| valid and
 *    |parse_error| set to the error.
 *  - FIELDS_*: |stream_id| (the promised stream for a push promise), the
 *    |nfields| |fields|.
 *  - HPACK_TABLE: |hpack_encoder| (1: our encoder, 0: our decoder), the
 *    table size before and after in RFC 7541 §4.1 units, and the maximum.
 */
typedef struct hyper_h2_trace {
  hyper_h2_trace_kind kind;
  const hyper_h2_frame *frame;
  int parse_error;
  uint32_t stream_id;
  const hyper_field *fields;
  size_t nfields;
  int hpack_encoder;
  size_t old_size, new_size, max_size;
} hyper_h2_trace;

/**
 * The trace hook. Called synchronously from inside the connection's
 * functions; it must not call any hyper_h2_* function on the same
 * connection. |user| is the config's trace_user.
 */
typedef void (*hyper_h2_trace_fn)(const hyper_h2_trace *rec, void *user);

/**
 * Connection policy, the single home for it (h2's H2Configuration). Fill
 * with hyper_h2_config_init(), change fields, pass to hyper_h2_conn_new(),
 * which copies it.
 */
typedef struct hyper_h2_config {
  hyper_h2_role role;
  /** Our SETTINGS. Defaults: header_table_size 4096; enable_push 0 (a
   *  server never sends it); max_concurrent_streams 100;
   *  initial_window_size HYPER_H2_DEFAULT_STREAM_RECV_WINDOW (4 MiB);
   *  max_frame_size 16384; max_header_list_size 65536 (at most
   *  HYPER_H2_MAX_HEADER_LIST_HARD_CAP); enable_connect_protocol 0;
   *  no_rfc7540_priorities 1. Values equal to the RFC defaults are not
   *  sent. */
  hyper_h2_settings settings;
  /** Check received header blocks against RFC 9113 §8 (default 1). Off:
   *  blocks are still decoded and content-length is still tracked when it
   *  parses. */
  int validate_inbound_headers;
  /** Refuse to send header blocks that break RFC 9113 §8 (default 1). */
  int validate_outbound_headers;
  /** Lowercase names, trim values, drop connection-specific fields before
   *  validating and sending (default 1). */
  int normalize_outbound_headers;
  /** Our connection receive window, granted right after the preface
   *  (default HYPER_H2_DEFAULT_CONN_RECV_WINDOW, 16 MiB; at least 65535). */
  uint32_t connection_window;
  /** AUTO (default) or ACK. */
  hyper_h2_recv_mode recv_mode;
  /** Window managers (create NULL: the default manager, embedded in the
   *  stream without an allocation). */
  hyper_h2_wm_factory wm_factory;
  /** CONTINUATION frames per header block (default 8). */
  uint32_t max_continuations;
  /** Compressed header block bytes, CONTINUATIONs included (0, the default:
   *  2 x settings.max_header_list_size). */
  size_t max_header_block;
  /** One decoded name or value (default 65536). */
  size_t max_field_len;
  /** Entries per received SETTINGS frame (default 32, at most 64). */
  uint32_t max_settings_entries;
  /** Queued, unpulled PING + SETTINGS ACKs (default 1000). */
  uint32_t max_pending_acks;
  /** Queued, unpulled frames the peer made us send (default 5000). */
  uint32_t max_outbound_frames;
  /** Received RST_STREAM bucket, server role only (rapid reset,
   *  CVE-2023-44487): burst (0 disables) and tokens per second. */
  uint32_t rst_burst, rst_rate;
  /** Glitch bucket, both roles: frames that are legal but useless or that
   *  make us reset a stream (MadeYouReset, CVE-2025-8671). */
  uint32_t glitch_burst, glitch_rate;
  /** The most HPACK dynamic table our encoder uses (default 4096). */
  uint32_t encoder_table_max;
  /** Streams the peer may keep reserved with PUSH_PROMISE while push is
   *  enabled (default 100); with push off nothing is accepted. */
  uint32_t max_reserved_streams;
  /** Closed streams remembered (default 256, at least 1). */
  uint32_t max_closed_streams;
  /** SETTINGS acknowledgement timeout in ms, 0 for none (default 10000);
   *  checked by hyper_h2_conn_set_time(). */
  uint32_t settings_timeout_ms;
  /** Optional trace hook and its user pointer. */
  hyper_h2_trace_fn trace;
  void *trace_user;
} hyper_h2_config;

/**
 * Fills |cfg| with the defaults above for |role|. Never fails (|cfg| must
 * not be NULL).
 */
HYPER_EXTERN void hyper_h2_config_init(hyper_h2_config *cfg,
                                       hyper_h2_role role);

/* ---- events -------------------------------------------------------------- */

/** Event types (names follow h2's events.py). */
typedef enum hyper_h2_event_type {
  HYPER_H2_EV_NONE = 0,
  /** server: a request's header block (stream_id, headers). */
  HYPER_H2_EV_REQUEST_RECEIVED,
  /** client: the final response's header block (headers). */
  HYPER_H2_EV_RESPONSE_RECEIVED,
  /** a trailer section (headers; end_stream is always 1). */
  HYPER_H2_EV_TRAILERS_RECEIVED,
  /** client: a 1xx response (headers). */
  HYPER_H2_EV_INFORMATIONAL_RECEIVED,
  /** DATA (data). */
  HYPER_H2_EV_DATA_RECEIVED,
  /** the peer granted send window (window; stream_id 0: the connection). */
  HYPER_H2_EV_WINDOW_UPDATED,
  /** the peer's SETTINGS were applied (settings; old and new values). */
  HYPER_H2_EV_REMOTE_SETTINGS_CHANGED,
  /** the peer acknowledged our SETTINGS (settings: ours, old and new). */
  HYPER_H2_EV_SETTINGS_ACKED,
  /** the peer sent PING (ping); the ACK is already queued. */
  HYPER_H2_EV_PING_RECEIVED,
  /** the peer acknowledged one of our PINGs (ping). */
  HYPER_H2_EV_PING_ACK_RECEIVED,
  /** the peer ended its side of the stream (no payload). Follows the
   *  headers or DATA event that carried END_STREAM. */
  HYPER_H2_EV_STREAM_ENDED,
  /** the stream was reset (reset): by the peer (remote 1) or by us because
   *  the peer broke a rule on it (remote 0; RST_STREAM is queued). */
  HYPER_H2_EV_STREAM_RESET,
  /** client: the server promised stream_id (push). */
  HYPER_H2_EV_PUSHED_STREAM_RECEIVED,
  /** server: PRIORITY_UPDATE (RFC 9218) for stream_id (priority). */
  HYPER_H2_EV_PRIORITY_UPDATED,
  /** the peer sent GOAWAY (goaway). Streams we opened above
   *  last_stream_id were not processed and are closed (retry them
   *  elsewhere); no further requests may be submitted. */
  HYPER_H2_EV_CONNECTION_TERMINATED,
  /** client: ALTSVC (RFC 7838) on stream_id or for an origin (alt_svc). */
  HYPER_H2_EV_ALT_SVC_RECEIVED,
  /** a frame of a type the core does not handle, ORIGIN included
   *  (unknown). */
  HYPER_H2_EV_UNKNOWN_FRAME_RECEIVED
} hyper_h2_event_type;

/**
 * One event. |type| selects the member of |u|. Every pointer in it is valid
 * until the next call to hyper_h2_conn_recv() or hyper_h2_conn_free();
 * DATA, GOAWAY debug data, ALTSVC and unknown payloads may point into the
 * input given to hyper_h2_conn_recv(), so also only while the caller keeps
 * that input unchanged. Copy what you keep.
 */
typedef struct hyper_h2_event {
  hyper_h2_event_type type;
  /** The stream concerned; 0 for connection-level events. */
  uint32_t stream_id;
  /** Headers and DATA events: the frame carried END_STREAM (a
   *  STREAM_ENDED event follows). */
  int end_stream;
  union {
    /** REQUEST/RESPONSE/TRAILERS/INFORMATIONAL_RECEIVED: the decoded
     *  fields in wire order, pseudo-header fields first. */
    struct {
      const hyper_field *fields;
      size_t nfields;
    } headers;
    /** DATA_RECEIVED: the application data (padding removed; |data| may be
     *  NULL when |len| is 0) and what the frame cost in flow control
     *  (padding included). In ACK mode acknowledge |len| octets; the
     *  padding is acknowledged by the core. */
    struct {
      const uint8_t *data;
      size_t len;
      uint32_t flow_controlled_len;
    } data;
    /** WINDOW_UPDATED: the increment. */
    struct {
      uint32_t delta;
    } window;
    /** REMOTE_SETTINGS_CHANGED, SETTINGS_ACKED: known settings in wire
     *  order (unknown identifiers are ignored, RFC 9113 §6.5.2). */
    struct {
      const hyper_h2_setting_change *changes;
      size_t count;
    } settings;
    /** PING_RECEIVED, PING_ACK_RECEIVED. */
    struct {
      uint8_t opaque[8];
    } ping;
    /** STREAM_RESET. */
    struct {
      uint32_t error_code; /**< hyper_h2_code or an unknown value */
      int remote;          /**< 1: the peer's RST_STREAM; 0: ours */
    } reset;
    /** PUSHED_STREAM_RECEIVED: stream_id is the promised stream. */
    struct {
      uint32_t parent_stream_id;
      const hyper_field *fields; /**< the promised request */
      size_t nfields;
    } push;
    /** PRIORITY_UPDATED: stream_id is the prioritized stream; urgency and
     *  incremental parsed from |value| (RFC 9218 §4; defaults 3 and 0 when
     *  absent or unparsable). */
    struct {
      uint8_t urgency;
      uint8_t incremental;
      const uint8_t *value;
      size_t len;
    } priority;
    /** CONNECTION_TERMINATED. */
    struct {
      uint32_t error_code;
      uint32_t last_stream_id;
      const uint8_t *debug_data; /**< may hold sensitive data (§6.8) */
      size_t debug_len;
    } goaway;
    /** ALT_SVC_RECEIVED: origin is empty for an ALTSVC on a stream. */
    struct {
      const uint8_t *origin;
      size_t origin_len;
      const uint8_t *value;
      size_t value_len;
    } alt_svc;
    /** UNKNOWN_FRAME_RECEIVED. */
    struct {
      uint8_t frame_type;
      uint8_t flags;
      const uint8_t *payload;
      size_t len;
    } unknown;
  } u;
} hyper_h2_event;

/** Detail of the last error (STYLE §3.4 rule c). */
typedef struct hyper_h2_error {
  int code;           /**< hyper_err; 0 when there was none */
  uint32_t h2_code;   /**< hyper_h2_code sent or received, if any */
  uint32_t stream_id; /**< 0 for a connection error */
  const char *desc;   /**< static string; "" when there was none */
} hyper_h2_error;

/* ---- lifecycle ----------------------------------------------------------- */

/**
 * Creates a connection in |*out| for |cfg| (copied; NULL means the client
 * defaults) using |mem| (copied; NULL: the C library). Creates the HPACK
 * contexts and the connection's window manager; allocates nothing per
 * frame afterwards.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL, or a config value is out of
 *                               range (a setting the frame codec would
 *                               refuse, max_header_list_size above the hard
 *                               cap, a zero limit that must be positive,
 *                               max_settings_entries above the cap, a server
 *                               with enable_push 1, connection_window below
 *                               65535 or above 2^31-1).
 *   HYPER_ERR_NOMEM             allocation failed (|*out| untouched).
 *   any error the window manager factory returned.
 */
HYPER_EXTERN int hyper_h2_conn_new(hyper_h2_conn **out,
                                   const hyper_h2_config *cfg,
                                   const hyper_mem *mem);

/** Frees |c| and everything it owns (streams, window managers). NULL is a
 *  no-op. */
HYPER_EXTERN void hyper_h2_conn_free(hyper_h2_conn *c);

/**
 * Queues the connection preface (client only), our SETTINGS and the
 * WINDOW_UPDATE that raises the connection window. Must be called once,
 * before anything else is submitted or received.
 *
 * Returns 0, or HYPER_ERR_INVALID_STATE (called twice), HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_h2_conn_initiate(hyper_h2_conn *c);

/* ---- cleartext upgrade (RFC 7540 §3.2, "Upgrade: h2c") -------------------
 * A connection that starts as HTTP/1.1 may switch to HTTP/2: the client
 * sends its first request with `Connection: Upgrade, HTTP2-Settings`,
 * `Upgrade: h2c` and `HTTP2-Settings: <hyper_h2_conn_upgrade_settings()>`;
 * a server that agrees answers `101 Switching Protocols` and both ends then
 * speak HTTP/2, the upgraded request being stream 1. The HTTP/1.1 part is
 * the caller's (h1.h); the two calls below replace hyper_h2_conn_initiate()
 * on a connection that switched. RFC 9113 §3.1 deprecates the mechanism;
 * it is never used over TLS (ALPN decides there). */

/** Size of a buffer that always holds the HTTP2-Settings value and its
 *  NUL (eight settings: 48 octets, 64 base64url characters). */
#define HYPER_H2_UPGRADE_SETTINGS_MAX 72u

/**
 * Writes the HTTP2-Settings header field value for |c|: the payload of the
 * SETTINGS frame hyper_h2_conn_initiate() or hyper_h2_conn_upgrade_client()
 * sends, base64url-encoded without padding (RFC 7540 §3.2.1), then a NUL,
 * into |out| (|cap| octets). |*len| receives the length without the NUL
 * (also when the buffer is too small). Any role, any state; changes
 * nothing.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |c| or |len| NULL, or |out| NULL with |cap|
 *                               > 0.
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| < |*len| + 1 (nothing written).
 */
HYPER_EXTERN int hyper_h2_conn_upgrade_settings(const hyper_h2_conn *c,
                                                char *out, size_t cap,
                                                size_t *len);

/**
 * Client: starts HTTP/2 after a 101 answer to an upgrade request, instead
 * of hyper_h2_conn_initiate(). Queues the preface, our SETTINGS (the same
 * values as the HTTP2-Settings value, as §3.2 requires; the server
 * acknowledges this frame) and the connection WINDOW_UPDATE, and creates
 * stream 1 as the upgraded request, half-closed (local): its response
 * arrives as RESPONSE_RECEIVED on stream 1 like any other. |head_request|
 * nonzero when that request was HEAD (its response has no content). The
 * next hyper_h2_submit_request() opens stream 3. Bytes the server sent
 * after its 101 response are HTTP/2: feed them to hyper_h2_conn_recv().
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |c| is NULL.
 *   HYPER_ERR_INVALID_STATE     |c| is a server, or was initiated or used.
 *   HYPER_ERR_NOMEM             fatal: only hyper_h2_conn_free() is safe.
 */
HYPER_EXTERN int hyper_h2_conn_upgrade_client(hyper_h2_conn *c,
                                              int head_request);

/**
 * Server: starts HTTP/2 after the caller accepted an upgrade request and
 * queued (or sent) its `101 Switching Protocols`, instead of
 * hyper_h2_conn_initiate(). |http2_settings| (|len| octets, not
 * NUL-terminated) is the request's HTTP2-Settings value: it is decoded
 * (base64url; trailing '=' tolerated) and applied as the client's SETTINGS,
 * implicitly acknowledged (no ACK is sent, RFC 7540 §3.2.1). Our SETTINGS
 * and the connection WINDOW_UPDATE are queued: send them right after the
 * 101. Stream 1 is created as the upgraded request, half-closed (remote),
 * so the response goes out with hyper_h2_submit_response(c, 1, ...).
 * |request| (|n| fields, may be NULL when |n| is 0) is the upgraded request
 * in HTTP/2 form; only its :method is looked at (HEAD: the response has no
 * content). No REQUEST_RECEIVED event is queued: the caller has the request
 * already. The client's connection preface is then expected by
 * hyper_h2_conn_recv() as usual.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL pointer with a length, or a value
 *                               that is not base64url, not a whole number
 *                               of settings, has more than
 *                               max_settings_entries or an invalid setting
 *                               (nothing changed: answer without
 *                               upgrading, RFC 7540 §3.2.1).
 *   HYPER_ERR_INVALID_STATE     |c| is a client, or was initiated or used.
 *   HYPER_ERR_NOMEM             fatal: only hyper_h2_conn_free() is safe.
 */
HYPER_EXTERN int hyper_h2_conn_upgrade_server(hyper_h2_conn *c,
                                              const char *http2_settings,
                                              size_t len,
                                              const hyper_field *request,
                                              size_t n);

/**
 * Tells the connection the time, in milliseconds of any monotonic clock.
 * Token buckets refill from it and the SETTINGS timeout is checked against
 * it. Time that goes backwards is ignored. Without calls the buckets never
 * refill and no timeout fires.
 *
 * Returns 0, or HYPER_ERR_H2_SETTINGS_TIMEOUT: our SETTINGS have been
 * unacknowledged for longer than settings_timeout_ms; GOAWAY
 * (SETTINGS_TIMEOUT) is queued and the connection is terminated.
 */
HYPER_EXTERN int hyper_h2_conn_set_time(hyper_h2_conn *c, uint64_t now_ms);

/* ---- input --------------------------------------------------------------- */

/**
 * Feeds |len| received bytes at |in|. Returns the number of bytes consumed
 * (at most INT_MAX), which may be fewer than |len|: the call stops after the
 * first frame that produced events. Pull them with
 * hyper_h2_conn_next_event() until it returns 0, then call again with the
 * rest. Any split of the byte stream gives the same events. Partial frames
 * are buffered inside (up to our SETTINGS_MAX_FRAME_SIZE); a whole frame
 * already in |in| is used in place, so DATA events point into |in|.
 *
 * Returns bytes consumed (>= 0), or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |c| NULL, or |in| NULL with |len| > 0.
 *   HYPER_ERR_INVALID_STATE     not initiated, or events from the previous
 *                               call are still queued.
 *   HYPER_ERR_H2_PROTOCOL, _FRAME_SIZE, _FLOW_CONTROL, _STREAM_CLOSED,
 *   HYPER_ERR_HPACK_* (compression), HYPER_ERR_H2_FLOOD (a limit or a
 *   token bucket ran out; GOAWAY(ENHANCE_YOUR_CALM)),
 *   HYPER_ERR_H2_SETTINGS_TIMEOUT
 *                               a connection error: GOAWAY is queued and
 *                               the same error is returned by every later
 *                               call; see hyper_h2_conn_last_error().
 *   HYPER_ERR_NOMEM             fatal: only hyper_h2_conn_free() is safe.
 * After hyper_h2_close() with an error code, input is discarded: the call
 * returns |len| and queues nothing.
 */
HYPER_EXTERN int hyper_h2_conn_recv(hyper_h2_conn *c, const uint8_t *in,
                                    size_t len);

/**
 * Moves the next queued event into |*ev|. Returns 1 when one was stored,
 * 0 when none is left (or an argument is NULL). See hyper_h2_event for the
 * lifetime of its pointers.
 */
HYPER_EXTERN int hyper_h2_conn_next_event(hyper_h2_conn *c,
                                          hyper_h2_event *ev);

/* ---- output -------------------------------------------------------------- */

/**
 * Stores in |*out| a pointer to the bytes waiting to be sent and returns
 * their number (0: nothing to send; |*out| is then NULL). The bytes stay
 * owned by |c|; the pointer is valid until the next call that queues output
 * (any submit/send/recv) or hyper_h2_conn_advance().
 */
HYPER_EXTERN size_t hyper_h2_conn_pending(hyper_h2_conn *c,
                                          const uint8_t **out);

/**
 * Marks |n| bytes of the pending output as sent.
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|n| > pending bytes).
 */
HYPER_EXTERN int hyper_h2_conn_advance(hyper_h2_conn *c, size_t n);

/** Nonzero while the connection expects more input: not terminated, and
 *  not (GOAWAY sent or received with no stream left open or reserved). */
HYPER_EXTERN int hyper_h2_conn_wants_read(const hyper_h2_conn *c);

/** Nonzero while output is pending. */
HYPER_EXTERN int hyper_h2_conn_wants_write(const hyper_h2_conn *c);

/* ---- actions ------------------------------------------------------------- */
/*
 * Common to the header-sending actions: |fields| (|n| of them) are read
 * during the call only. With normalize_outbound_headers they are first
 * normalised; with validate_outbound_headers a block that breaks RFC 9113
 * §8 is refused with HYPER_ERR_H2_HEADER (hyper_h2_conn_last_error() names
 * the rule). Blocks larger than the peer's SETTINGS_MAX_FRAME_SIZE are split
 * into CONTINUATION frames. Nothing is queued and no state changes when an
 * action fails. Each may also return:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL pointer, or a stream id of 0.
 *   HYPER_ERR_INVALID_STATE     not initiated, the connection is terminated
 *                               or we sent GOAWAY, or the role may not do it.
 *   HYPER_ERR_H2_STREAM_CLOSED  the stream is closed (or forgotten).
 *   HYPER_ERR_H2_PROTOCOL       the stream's state does not allow it
 *                               (RFC 9113 §5.1, §8.1), or it was never
 *                               opened.
 *   HYPER_ERR_NOMEM
 */

/**
 * Client: opens the next stream with a request header block; with
 * |end_stream| the request has no content. Stores the stream id in
 * |*stream_id|. Also:
 *   HYPER_ERR_H2_GOAWAY              the peer sent GOAWAY.
 *   HYPER_ERR_LIMIT_EXCEEDED         the peer's MAX_CONCURRENT_STREAMS is
 *                                    reached; retry after a stream closes.
 *   HYPER_ERR_H2_STREAM_IDS_EXHAUSTED  no odd id is left; open a new
 *                                    connection.
 */
HYPER_EXTERN int hyper_h2_submit_request(hyper_h2_conn *c,
                                         const hyper_field *fields, size_t n,
                                         int end_stream, uint32_t *stream_id);

/** Server: sends the final response header block on |stream_id| (a request
 *  stream or a stream we promised). Also HYPER_ERR_LIMIT_EXCEEDED for a
 *  promised stream when the client's MAX_CONCURRENT_STREAMS is reached. */
HYPER_EXTERN int hyper_h2_submit_response(hyper_h2_conn *c,
                                          uint32_t stream_id,
                                          const hyper_field *fields, size_t n,
                                          int end_stream);

/** Server: sends a 1xx response (never with END_STREAM), any number of
 *  times before the final response. */
HYPER_EXTERN int hyper_h2_submit_informational(hyper_h2_conn *c,
                                               uint32_t stream_id,
                                               const hyper_field *fields,
                                               size_t n);

/** Either role: sends trailers, which end the stream. */
HYPER_EXTERN int hyper_h2_submit_trailers(hyper_h2_conn *c, uint32_t stream_id,
                                          const hyper_field *fields, size_t n);

/**
 * Sends |len| octets of |data| (copied; may be NULL if |len| is 0) as one
 * DATA frame on |stream_id|, with END_STREAM if |end_stream|. Never splits
 * and never sends beyond the windows (h2's semantics): ask
 * hyper_h2_conn_local_flow_control_window() and
 * hyper_h2_conn_max_outbound_frame_size() how much fits. Also:
 *   HYPER_ERR_H2_FLOW_CONTROL  |len| exceeds the stream or connection window.
 *   HYPER_ERR_H2_FRAME_SIZE    |len| exceeds the peer's max frame size.
 *   HYPER_ERR_H2_PROTOCOL      with validate_outbound_headers: the total
 *                              would differ from the content-length sent.
 */
HYPER_EXTERN int hyper_h2_send_data(hyper_h2_conn *c, uint32_t stream_id,
                                    const uint8_t *data, size_t len,
                                    int end_stream);

/** Ends our side of |stream_id| with an empty DATA frame (END_STREAM). */
HYPER_EXTERN int hyper_h2_end_stream(hyper_h2_conn *c, uint32_t stream_id);

/** Resets |stream_id| with RST_STREAM(|error_code|). No event follows. */
HYPER_EXTERN int hyper_h2_reset_stream(hyper_h2_conn *c, uint32_t stream_id,
                                       uint32_t error_code);

/**
 * Server: promises a stream on |parent_stream_id| (a request stream that is
 * open or half-closed (remote)) with the request header block |fields|
 * (GET or HEAD with :authority, RFC 9113 §8.4). Stores the promised (even)
 * id in |*promised_stream_id|; respond on it with hyper_h2_submit_response().
 * Also HYPER_ERR_INVALID_STATE when the client disabled push, and
 * HYPER_ERR_H2_STREAM_IDS_EXHAUSTED.
 */
HYPER_EXTERN int hyper_h2_push_promise(hyper_h2_conn *c,
                                       uint32_t parent_stream_id,
                                       const hyper_field *fields, size_t n,
                                       uint32_t *promised_stream_id);

/** Sends PING with the 8 octets at |opaque|; its ACK is reported as
 *  PING_ACK_RECEIVED. */
HYPER_EXTERN int hyper_h2_ping(hyper_h2_conn *c, const uint8_t opaque[8]);

/**
 * Sends SETTINGS with the |n| |entries| (hyper_h2_setting from frame.h);
 * they take effect as RFC 9113 §6.5.3 says (limits on the peer at once when
 * raised, when acknowledged when lowered) and SETTINGS_ACKED reports the
 * acknowledgement. Also HYPER_ERR_INVALID_ARGUMENT for a value the codec
 * refuses, ENABLE_PUSH 1 from a server, ENABLE_CONNECT_PROTOCOL back to 0,
 * a changed NO_RFC7540_PRIORITIES or a header list above the hard cap, and
 * HYPER_ERR_LIMIT_EXCEEDED with 8 SETTINGS unacknowledged or more entries
 * than HYPER_H2_MAX_SETTINGS_ENTRIES_CAP. A raised INITIAL_WINDOW_SIZE
 * queues WINDOW_UPDATE frames for open streams as their managers ask; if
 * that fails (HYPER_ERR_NOMEM) after the SETTINGS frame was queued, the
 * error is fatal.
 */
HYPER_EXTERN int hyper_h2_update_settings(hyper_h2_conn *c,
                                          const hyper_h2_setting *entries,
                                          size_t n);

/**
 * ACK mode: the application has processed |n| octets of DATA delivered on
 * |stream_id| (the stream may have closed since). Feeds the window managers
 * and queues the WINDOW_UPDATE frames they ask for. Every octet delivered in
 * a DATA_RECEIVED event must be acknowledged, or the connection window
 * closes; octets never delivered (padding, discarded frames) are
 * acknowledged by the core. Also HYPER_ERR_INVALID_STATE in AUTO mode and
 * HYPER_ERR_INVALID_ARGUMENT when |n| exceeds what is unacknowledged on the
 * connection.
 */
HYPER_EXTERN int hyper_h2_acknowledge_received_data(hyper_h2_conn *c,
                                                    uint32_t stream_id,
                                                    size_t n);

/** Client: sends PRIORITY_UPDATE (RFC 9218 §7.1) for |stream_id| with
 *  urgency |urgency| (0..7) and |incremental| (0 or 1). */
HYPER_EXTERN int hyper_h2_priority_update(hyper_h2_conn *c,
                                          uint32_t stream_id, uint8_t urgency,
                                          int incremental);

/* ---- RFC 9218 `priority` header field ------------------------------------
 * The same parameters as PRIORITY_UPDATE, carried by the `priority` request
 * (or response) header field: a client adds the field to a request, a
 * server reads it from REQUEST_RECEIVED's fields. Pure functions, usable
 * without a connection. */

/** Extensible Priorities parameters (RFC 9218 §4). */
typedef struct hyper_h2_priority {
  uint8_t urgency;     /**< u: 0 (most urgent) .. 7; default 3 (§4.1) */
  uint8_t incremental; /**< i: 0 or 1; default 0 (§4.2) */
} hyper_h2_priority;

/**
 * Parses one `priority` field value (|len| octets at |value|, which may be
 * NULL when |len| is 0) into |*out|, as a Structured Field Dictionary
 * (RFC 9218 §5, RFC 9651 §4.2.2). Unknown members, and `u` or `i` of the
 * wrong type or out of range, are ignored and leave the default (RFC 9218
 * §4); with a repeated key the last one counts.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL, or the value is not a valid
 *                               dictionary; the field is then to be
 *                               ignored (RFC 9651 §4.2) and |*out| (when
 *                               not NULL) holds the defaults.
 */
HYPER_EXTERN int hyper_h2_priority_parse(const uint8_t *value, size_t len,
                                         hyper_h2_priority *out);

/**
 * As hyper_h2_priority_parse() over every `priority` field of |fields|
 * (|n| fields, e.g. an event's header fields; names compared
 * case-insensitively), the lines read as one value joined with ", "
 * (RFC 9651 §4.2). No such field gives the defaults and 0.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|out| NULL, |fields| NULL with
 * |n| > 0, or an invalid value: |*out| then holds the defaults).
 */
HYPER_EXTERN int hyper_h2_priority_from_fields(const hyper_field *fields,
                                               size_t n,
                                               hyper_h2_priority *out);

/** The longest value hyper_h2_priority_format() writes ("u=7, i"). */
#define HYPER_H2_PRIORITY_FORMAT_MAX 6u

/**
 * Writes the `priority` field value for |p| into |buf| (|cap| octets; not
 * NUL-terminated), leaving out parameters at their default: "u=5", "i",
 * "u=0, i", or nothing for the defaults (the field can then be omitted).
 *
 * Returns the number of octets written (0..HYPER_H2_PRIORITY_FORMAT_MAX),
 * or one of:
 *   HYPER_ERR_BUFFER_TOO_SMALL  |cap| is too small (nothing written).
 *   HYPER_ERR_INVALID_ARGUMENT  |p| is NULL, urgency > 7, incremental > 1,
 *                               or |buf| NULL with |cap| > 0.
 */
HYPER_EXTERN int hyper_h2_priority_format(const hyper_h2_priority *p,
                                          uint8_t *buf, size_t cap);

/** For hyper_h2_close(): the highest peer-initiated stream we processed. */
#define HYPER_H2_LAST_STREAM_AUTO 0xffffffffu

/**
 * Sends GOAWAY(|error_code|, |last_stream_id|, |len| octets of |debug|).
 * With NO_ERROR the connection drains: peer streams up to the last id and
 * our own streams may finish, new ones are refused (a later call may lower
 * the last id). With any other code the connection is over: further input
 * is discarded. Also HYPER_ERR_INVALID_ARGUMENT when |last_stream_id| is
 * above an earlier GOAWAY's.
 */
HYPER_EXTERN int hyper_h2_close(hyper_h2_conn *c, uint32_t error_code,
                                uint32_t last_stream_id, const uint8_t *debug,
                                size_t len);

/** Stores the id the next submit_request (client) or push_promise (server)
 *  will use. Returns 0 or HYPER_ERR_H2_STREAM_IDS_EXHAUSTED. */
HYPER_EXTERN int hyper_h2_get_next_available_stream_id(hyper_h2_conn *c,
                                                       uint32_t *stream_id);

/* ---- queries ------------------------------------------------------------- */

/**
 * How many DATA octets may be sent on |stream_id| now: the minimum of the
 * stream's and the connection's send windows, 0 when either is not
 * positive; |stream_id| 0 gives the connection window. Negative: a
 * hyper_err (HYPER_ERR_H2_STREAM_CLOSED for an unknown or closed stream).
 */
HYPER_EXTERN int64_t hyper_h2_conn_local_flow_control_window(
    const hyper_h2_conn *c, uint32_t stream_id);

/** The window the peer may still use on |stream_id| (0: the connection);
 *  negative hyper_err as above. */
HYPER_EXTERN int64_t hyper_h2_conn_remote_flow_control_window(
    const hyper_h2_conn *c, uint32_t stream_id);

/** The peer's SETTINGS_MAX_FRAME_SIZE: the largest DATA payload. */
HYPER_EXTERN uint32_t hyper_h2_conn_max_outbound_frame_size(
    const hyper_h2_conn *c);

/** The peer's settings as last received (RFC defaults before). Valid as
 *  long as |c|. */
HYPER_EXTERN const hyper_h2_settings *hyper_h2_conn_remote_settings(
    const hyper_h2_conn *c);

/** Our settings as last acknowledged (RFC defaults before). */
HYPER_EXTERN const hyper_h2_settings *hyper_h2_conn_local_settings(
    const hyper_h2_conn *c);

/** Streams open or half-closed that we (|outbound| 1) or the peer opened. */
HYPER_EXTERN uint32_t hyper_h2_conn_open_streams(const hyper_h2_conn *c,
                                                 int outbound);

/** Attaches the caller's |data| pointer to a live stream; the core never
 *  dereferences or frees it. Returns 0 or HYPER_ERR_H2_STREAM_CLOSED. */
HYPER_EXTERN int hyper_h2_conn_set_stream_data(hyper_h2_conn *c,
                                               uint32_t stream_id, void *data);
/** Returns the pointer attached with hyper_h2_conn_set_stream_data(), or
 *  NULL when none was attached or the stream is not live. */
HYPER_EXTERN void *hyper_h2_conn_get_stream_data(const hyper_h2_conn *c,
                                                 uint32_t stream_id);

/** The last error's detail. Valid as long as |c|; never NULL for a non-NULL
 *  |c|. */
HYPER_EXTERN const hyper_h2_error *hyper_h2_conn_last_error(
    const hyper_h2_conn *c);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_H2_H */
