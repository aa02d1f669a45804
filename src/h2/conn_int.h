/* The sans-IO HTTP/2 connection: the private structures shared by conn.c
 * (reader, frame handlers, events), stream.c (stream objects, id map,
 * closed-stream memory), outq.c (output buffer and frame writers),
 * settings.c (ours and the peer's) and submit.c (actions). Private to src/.
 *
 * Ownership: a hyper_h2_conn owns its streams (pooled), its HPACK contexts,
 * its buffers and, through the receive windows, its window managers.
 * Nothing here is reference counted; every pointer into a stream is valid
 * until that stream is forgotten (evicted from the closed list) or the
 * connection is freed. */
#ifndef HYPER_H2_CONN_INT_H
#define HYPER_H2_CONN_INT_H

#include "hyper/h2.h"
#include "hyper/hpack.h"
#include "hyper/frame.h"

#include "../common/buf.h"
#include "../common/internal.h"
#include "fields.h"
#include "stream_fsm.h"
#include "window.h"

/* ---- streams -------------------------------------------------------------- */

/* hyper__h2_stream.sflags */
#define H2S_LOCAL 0x0001u      /* we initiated it (our parity) */
#define H2S_ACTIVE 0x0002u     /* counted in active_local/remote */
#define H2S_RESERVED 0x0004u   /* counted in reserved_remote/local */
#define H2S_CLOSED 0x0008u     /* close bookkeeping done, in closed list */
#define H2S_RW_LIVE 0x0010u    /* rw holds a manager */
#define H2S_APP_KNOWN 0x0020u  /* the application has heard of it */
#define H2S_REQ_HEAD 0x0040u   /* the request was HEAD: no response body */
#define H2S_CONNECT 0x0080u    /* the request was CONNECT: no length rules */

typedef struct hyper__h2_stream hyper__h2_stream;
struct hyper__h2_stream {
  uint32_t id;
  uint16_t sflags;
  hyper__h2_stream_fsm fsm;
  int64_t in_expect;  /* inbound content length, -1 unknown */
  int64_t in_recv;    /* inbound DATA octets so far */
  int64_t out_expect; /* outbound content length, -1 unknown */
  int64_t out_sent;   /* outbound DATA octets so far */
  uint64_t info_bytes; /* received 1xx header list size so far (E8) */
  hyper__h2_sendwin sw;
  hyper__h2_recvwin rw;
  hyper_h2_wm wm_store; /* the default manager, embedded */
  void *user_data;
  hyper__h2_stream *next; /* free list or closed FIFO */
};

/* Stream id -> stream, open addressing with linear probing and
 * backward-shift deletion (no tombstones). */
typedef struct hyper__h2_smap {
  hyper__h2_stream **slots;
  uint32_t cap;   /* power of two, or 0 */
  uint32_t count;
  unsigned shift; /* 32 - log2(cap) */
} hyper__h2_smap;

/* ---- settings ------------------------------------------------------------- */

#define H2_MAX_PENDING_SETTINGS 8

typedef struct hyper__h2_pending_settings {
  hyper_h2_settings after;  /* our full settings once this is acked */
  uint64_t sent_ms;         /* for the SETTINGS timeout */
  uint16_t ids[HYPER_H2_MAX_SETTINGS_ENTRIES_CAP];
  uint32_t values[HYPER_H2_MAX_SETTINGS_ENTRIES_CAP];
  uint32_t count;
} hyper__h2_pending_settings;

/* ---- token bucket ----------------------------------------------------------- */

typedef struct hyper__h2_bucket {
  uint64_t milli;   /* tokens x 1000 */
  uint64_t last_ms; /* time of the last refill */
  uint32_t burst, rate;
} hyper__h2_bucket;

/* ---- the connection ----------------------------------------------------------- */

/* Reader states. */
enum { RD_PREFACE = 0, RD_HEADER, RD_PAYLOAD };

#define H2_MAX_EVENTS 8

struct hyper_h2_conn {
  hyper_mem mem;
  hyper_h2_config cfg;
  int is_client;
  int initiated;
  int terminated;   /* a connection error happened or close(error) */
  int term_err;     /* what recv returns once terminated (0: discard) */
  int fatal;        /* HYPER_ERR_NOMEM-class failure: only free is safe */
  hyper_h2_error last_err;

  /* time (caller-supplied) */
  uint64_t now_ms;
  int time_set;
  hyper__h2_bucket glitch, rst;

  /* reader */
  int rstate;
  uint32_t preface_got;
  uint8_t hdrbuf[HYPER_H2_FRAME_HDR_LEN];
  uint32_t hdr_have;
  hyper_h2_frame_hdr fh;
  hyper__buf fbuf;       /* a frame split across recv calls */
  int got_settings;      /* the peer's first frame (SETTINGS) was seen */

  /* a header block in progress (HEADERS/PUSH_PROMISE + CONTINUATION) */
  int hb_active;
  uint8_t hb_type;
  uint8_t hb_end_stream;
  uint8_t hb_self_dep;   /* HEADERS priority names its own stream */
  uint32_t hb_stream;
  uint32_t hb_promised;
  uint32_t hb_conts;
  hyper__buf hb;

  /* HPACK */
  hyper_hpack_enc *enc;
  hyper_hpack_dec *dec;
  size_t dec_list_max; /* header list cap applied to the decoder */

  /* settings */
  hyper_h2_settings local_acked; /* ours, acknowledged */
  hyper_h2_settings local_sent;  /* ours, latest sent */
  hyper_h2_settings remote;
  hyper__h2_pending_settings pend[H2_MAX_PENDING_SETTINGS];
  uint32_t pend_head, pend_count;
  /* permissive effective values (RFC 9113 §6.5.3): the most the peer may
   * rely on, across what is acked and what is in flight */
  uint32_t eff_max_frame;
  uint32_t eff_initial_window;
  uint32_t eff_table_size;
  uint32_t eff_enable_push;
  uint32_t eff_connect;
  int remote_no7540_seen; /* the peer's first SETTINGS has been applied */
  hyper_h2_setting_change changes[HYPER_H2_MAX_SETTINGS_ENTRIES_CAP];
  size_t nchanges;

  /* flow control (connection level) */
  hyper__h2_sendwin conn_sw;
  hyper__h2_recvwin conn_rw;

  /* streams */
  hyper__h2_smap map;
  hyper__h2_stream *free_list;
  uint32_t free_count;
  hyper__h2_stream *closed_head, *closed_tail;
  uint32_t closed_count;
  int defer_evict; /* closing streams while iterating the map */
  uint32_t active_local, active_remote;
  uint32_t reserved_local, reserved_remote;
  uint32_t next_local_id;  /* next id we use */
  uint32_t last_remote_id; /* highest id the peer opened or promised */
  hyper__h2_stream *cache; /* last looked-up stream */

  /* GOAWAY */
  int goaway_sent, goaway_recv;
  uint32_t goaway_sent_last, goaway_recv_last;

  /* PING */
  uint32_t pings_out; /* ours, unacknowledged */

  /* output */
  hyper__buf out;
  size_t out_off;
  uint64_t out_total;    /* bytes ever committed */
  uint64_t out_advanced; /* bytes ever advanced */
  uint64_t *ctrl;        /* ring of end offsets of peer-induced frames;
                            bit 63 marks an ACK */
  uint32_t ctrl_cap, ctrl_head, ctrl_count, ctrl_acks;

  /* events */
  hyper_h2_event ev[H2_MAX_EVENTS];
  uint32_t ev_head, ev_count;
};

/* ---- conn.c ----------------------------------------------------------- */

/* Records |code| (a hyper_err), |h2| and |desc| as the last error. */
void hyper__h2_set_error(hyper_h2_conn *c, int code, uint32_t h2,
                         uint32_t stream_id, const char *desc);
/* The last stream id a GOAWAY from us should carry: the highest peer
 * stream we processed, never above an earlier GOAWAY's (RFC 9113 §6.8). */
uint32_t hyper__h2_goaway_last(const hyper_h2_conn *c);
/* Connection error (§5.4.1): queues GOAWAY(|h2|), terminates, returns
 * |code|. */
int hyper__h2_conn_error(hyper_h2_conn *c, int code, uint32_t h2,
                         const char *desc);
/* A NOMEM-class failure during input: fatal. Returns |code|. */
int hyper__h2_fatal(hyper_h2_conn *c, int code);
/* Queues an event; returns the slot to fill (never NULL: the queue holds
 * more than one frame can produce). */
hyper_h2_event *hyper__h2_emit(hyper_h2_conn *c, hyper_h2_event_type type,
                               uint32_t stream_id);
/* Takes a token from |b|; 0 when empty. A bucket with burst 0 never runs
 * out. */
int hyper__h2_bucket_take(hyper_h2_conn *c, hyper__h2_bucket *b);
/* One glitch; a connection error once the budget is gone. */
int hyper__h2_glitch(hyper_h2_conn *c);
void hyper__h2_trace_fields(hyper_h2_conn *c, hyper_h2_trace_kind kind,
                            uint32_t stream_id, const hyper_field *f,
                            size_t n);
void hyper__h2_trace_hpack(hyper_h2_conn *c, int encoder, size_t before);

/* ---- stream.c ------------------------------------------------------------ */

void hyper__h2_smap_cleanup(hyper_h2_conn *c);
hyper__h2_stream *hyper__h2_stream_find(hyper_h2_conn *c, uint32_t id);
/* Makes room in the map for one more stream. 0 or HYPER_ERR_NOMEM. */
int hyper__h2_stream_reserve(hyper_h2_conn *c);
/* Creates stream |id| (idle) and adds it to the map. Returns 0, HYPER_ERR_NOMEM or the
 * factory's error. */
int hyper__h2_stream_new(hyper_h2_conn *c, uint32_t id,
                         hyper__h2_stream **out);
/* Removes an idle stream created by hyper__h2_stream_new() that never
 * became visible (an action failed after creating it). */
void hyper__h2_stream_discard(hyper_h2_conn *c, hyper__h2_stream *s);
/* Updates counters after the stream's state changed; on CLOSED, releases
 * its window manager and moves it to the closed list (which may forget the
 * oldest closed stream, never |s|). */
void hyper__h2_stream_sync(hyper_h2_conn *c, hyper__h2_stream *s);
/* Forgets the oldest closed streams beyond max_closed_streams (never the
 * newest one). */
void hyper__h2_streams_trim(hyper_h2_conn *c);
/* Frees every stream (conn_free). */
void hyper__h2_streams_free(hyper_h2_conn *c);
/* Calls |fn| on every stream in the map that is not closed; stops at the
 * first nonzero return and returns it. |fn| must not add or remove
 * streams. */
int hyper__h2_streams_each(hyper_h2_conn *c,
                           int (*fn)(hyper_h2_conn *, hyper__h2_stream *,
                                     void *),
                           void *arg);
/* Is |id| one the peer initiates? */
static inline int hyper__h2_is_remote_id(const hyper_h2_conn *c,
                                         uint32_t id) {
  return (id & 1u) == (c->is_client ? 0u : 1u);
}

/* ---- outq.c -------------------------------------------------------------- */

/* Kinds of queued frames for the outbound limits. */
enum {
  OQ_USER = 0, /* the application asked for it: not counted */
  OQ_INDUCED,  /* the peer made us send it: counted (max_outbound_frames) */
  OQ_ACK       /* PING/SETTINGS ACK: counted in both limits */
};

void hyper__h2_out_init(hyper_h2_conn *c);
void hyper__h2_out_cleanup(hyper_h2_conn *c);
/* Room for |n| bytes at the end of the output; NULL on NOMEM. */
uint8_t *hyper__h2_out_reserve(hyper_h2_conn *c, size_t n);
/* Commits |n| bytes written at the reserved position (one or more whole
 * frames), traces them, and counts them per |kind|. Returns 0, or
 * HYPER_ERR_NOMEM (the ring could not grow; the bytes stay queued). */
int hyper__h2_out_commit(hyper_h2_conn *c, size_t n, int kind);
/* Would one more frame of |kind| break a limit? Returns 0 or
 * HYPER_ERR_H2_FLOOD (with the connection error already raised). */
int hyper__h2_out_check(hyper_h2_conn *c, int kind);

int hyper__h2_q_settings(hyper_h2_conn *c, const hyper_h2_setting *e,
                         size_t n);
int hyper__h2_q_settings_ack(hyper_h2_conn *c);
int hyper__h2_q_ping(hyper_h2_conn *c, int ack, const uint8_t opaque[8],
                     int kind);
int hyper__h2_q_rst(hyper_h2_conn *c, uint32_t id, uint32_t code, int kind);
int hyper__h2_q_window_update(hyper_h2_conn *c, uint32_t id, uint32_t inc,
                              int kind);
/* GOAWAY bypasses every limit; failures are ignored by the caller. */
int hyper__h2_q_goaway(hyper_h2_conn *c, uint32_t last, uint32_t code,
                       const uint8_t *debug, size_t len);
/* Upper bound of the bytes hyper__h2_q_block() writes for a block whose
 * HPACK bound is |bound|. */
size_t hyper__h2_block_space(const hyper_h2_conn *c, size_t bound,
                             int push);
/* Encodes |n| |fields| into HEADERS (or PUSH_PROMISE promising |promised|)
 * + CONTINUATION frames on |id| at |dst| (reserved with
 * hyper__h2_block_space() for |bound|, which is
 * hyper_hpack_enc_bound() of the fields), and commits them. |pre| is NULL
 * or hyper__hpack_enc_lookup() of the fields (src/hpack/hints.h). */
int hyper__h2_q_block(hyper_h2_conn *c, uint8_t *dst, uint32_t id,
                      uint32_t promised, int end_stream,
                      const hyper_field *fields, size_t n, size_t bound,
                      const hyper__hpack_pre *pre);

/* ---- settings.c ------------------------------------------------------------ */

void hyper__h2_settings_rfc_defaults(hyper_h2_settings *s);
/* Fills |e| (room for every setting) with the SETTINGS entries of |s| that
 * differ from the RFC defaults; a client always states ENABLE_PUSH, a
 * server never. Returns the count. The initial SETTINGS frame and the h2c
 * HTTP2-Settings value both use it, so they always agree. */
size_t hyper__h2_settings_entries(const hyper_h2_settings *s, int is_client,
                                  hyper_h2_setting *e);
uint32_t hyper__h2_settings_get(const hyper_h2_settings *s, uint16_t id);
void hyper__h2_settings_set(hyper_h2_settings *s, uint16_t id, uint32_t v);
/* Checks |n| entries we are about to send (from the config or the user). */
int hyper__h2_settings_check_local(hyper_h2_conn *c,
                                   const hyper_h2_setting *e, size_t n);
/* Queues SETTINGS with |n| entries and records them as in flight. */
int hyper__h2_settings_send(hyper_h2_conn *c, const hyper_h2_setting *e,
                            size_t n);
/* The peer acknowledged our oldest SETTINGS. */
int hyper__h2_settings_acked(hyper_h2_conn *c);
/* Applies the peer's SETTINGS frame |f|, fills c->changes. */
int hyper__h2_settings_apply_remote(hyper_h2_conn *c,
                                    const hyper_h2_frame_settings *f);
/* The header list cap we apply to received blocks. */
size_t hyper__h2_local_header_list(const hyper_h2_conn *c);

#endif /* HYPER_H2_CONN_INT_H */
