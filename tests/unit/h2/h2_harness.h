/* Test-only helpers for the sans-IO HTTP/2 connection:
 *  - h2h_log: a growable text log; events and frames are logged as one
 *    line each so that runs can be compared as strings;
 *  - h2h_side: a core plus how its input is chunked (whole, 1 byte at a
 *    time, random sizes) and an optional event callback;
 *  - h2h_pair: a client core and a server core wired to each other in
 *    memory (pending -> recv both ways);
 *  - h2h_raw: one core under test facing a scripted peer that writes raw
 *    frames (frame.h pack functions, its own HPACK encoder) and reads back
 *    the frames the core sends (parsed and logged).
 * Everything is deterministic and bounded. */
#ifndef HYPER_TEST_H2_HARNESS_H
#define HYPER_TEST_H2_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "failmem.h"
#include "hyper/frame.h"
#include "hyper/h2.h"
#include "hyper/hpack.h"

/* ---- text log ----------------------------------------------------------- */

typedef struct h2h_log {
  char *buf;
  size_t len, cap;
} h2h_log;

void h2h_log_add(h2h_log *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void h2h_log_free(h2h_log *l);
void h2h_log_reset(h2h_log *l);
/* Nonzero when |needle| occurs in the log. */
int h2h_log_has(const h2h_log *l, const char *needle);
/* Appends one line describing |ev|. */
void h2h_log_event(h2h_log *l, const hyper_h2_event *ev);

/* ---- one side ----------------------------------------------------------- */

typedef struct h2h_side h2h_side;
typedef void (*h2h_on_event)(h2h_side *side, const hyper_h2_event *ev,
                             void *user);

struct h2h_side {
  hyper_h2_conn *c;
  h2h_log log;        /* every event, one line each */
  size_t chunk;       /* 0: whole input at once; n: at most n bytes */
  uint32_t rnd;       /* nonzero: random chunk sizes (LCG state) */
  int err;            /* the first error recv returned, or 0 */
  int ack_data;       /* ACK mode: acknowledge DATA as it arrives */
  h2h_on_event on_event;
  void *user;
  uint64_t data_bytes; /* DATA octets received */
  uint32_t data_hash;  /* FNV-1a over them */
  unsigned long nevents;
};

/* Feeds |n| bytes to |s| in its chunking, draining events after every recv
 * call (log, hash, callback). Stops at the first error. Returns 0 or the
 * error (also stored in s->err). */
int h2h_feed(h2h_side *s, const uint8_t *p, size_t n);

/* ---- client/server pair ------------------------------------------------- */

typedef struct h2h_pair {
  h2h_side cli, srv;
} h2h_pair;

/* Creates and initiates both cores (NULL configs: the role defaults).
 * Returns 0 or an error. */
int h2h_pair_new(h2h_pair *p, const hyper_h2_config *ccfg,
                 const hyper_h2_config *scfg, const hyper_mem *mem);
void h2h_pair_free(h2h_pair *p);
/* Moves output both ways until neither side has anything to send (or an
 * error, or 100000 rounds). Returns 0 or the first error. */
int h2h_pump(h2h_pair *p);

/* ---- scripted raw peer ---------------------------------------------------- */

typedef struct h2h_frame {
  uint8_t type, flags;
  uint32_t sid;
  uint32_t len;
  uint32_t code;      /* RST_STREAM, GOAWAY */
  uint32_t value;     /* GOAWAY last id, WINDOW_UPDATE increment,
                         PUSH_PROMISE promised id */
} h2h_frame;

typedef struct h2h_raw {
  failmem fm;
  h2h_side core;
  hyper_hpack_enc *enc; /* the peer's */
  hyper_hpack_dec *dec; /* decodes the core's blocks */
  uint8_t *rx;          /* core output not yet parsed */
  size_t rx_len, rx_cap;
  h2h_frame *frames;
  size_t nframes, frames_cap;
  h2h_log out;          /* the core's frames, one line each */
  int role;             /* of the core */
  int no_collect;       /* 1: the peer does not read (output piles up) */
} h2h_raw;

/* Chunking modes for h2h_raw_init(). */
#define H2H_WHOLE 0
#define H2H_BYTES 1
#define H2H_RANDOM 2
/* Flags or-ed into the mode: skip the peer's handshake entirely, or send
 * the peer's SETTINGS but not the ACK of the core's. */
#define H2H_NO_HANDSHAKE 0x10
#define H2H_NO_ACK 0x20

/* Creates the core (|cfg| may be NULL for the defaults of |role|; its role
 * field is overridden) with a failmem allocator, initiates it and performs
 * the peer's side of the handshake: the preface (server role), an empty
 * SETTINGS and the ACK of the core's SETTINGS. Frames and events of the
 * handshake are then cleared from the logs. Returns 0 or an error. */
int h2h_raw_init(h2h_raw *r, hyper_h2_role role, const hyper_h2_config *cfg,
                 int mode);
void h2h_raw_free(h2h_raw *r);
/* Feeds bytes to the core and collects what it sends. Returns the core's
 * error or 0. */
int h2h_raw_send(h2h_raw *r, const void *p, size_t n);
int h2h_raw_frame(h2h_raw *r, uint8_t type, uint8_t flags, uint32_t sid,
                  const void *payload, size_t len);
/* Encodes the NULL-terminated name, value, name, value... list with the
 * peer's encoder into |out|; returns the block length. */
size_t h2h_raw_block(h2h_raw *r, const char *const *nv, uint8_t *out,
                     size_t cap);
/* HEADERS with END_HEADERS plus |flags| carrying the block for |nv|. */
int h2h_raw_headers(h2h_raw *r, uint32_t sid, uint8_t flags,
                    const char *const *nv);
/* Pulls and parses whatever the core has queued. */
void h2h_raw_collect(h2h_raw *r);
/* The last frame of |type| the core sent, or NULL. */
const h2h_frame *h2h_raw_last(const h2h_raw *r, uint8_t type);
/* Number of frames of |type| the core sent (255: all). */
size_t h2h_raw_count(const h2h_raw *r, uint8_t type);
/* GOAWAY code the core sent, or -1. */
long h2h_raw_goaway(const h2h_raw *r);
/* RST_STREAM code the core sent on |sid| (the last one), or -1. */
long h2h_raw_rst(const h2h_raw *r, uint32_t sid);

/* ---- hostile-peer scenarios (cmocka assertions inside) ------------------- */

#define T_DATA HYPER_H2_FRAME_DATA
#define T_HEADERS HYPER_H2_FRAME_HEADERS
#define T_PRIORITY HYPER_H2_FRAME_PRIORITY
#define T_RST HYPER_H2_FRAME_RST_STREAM
#define T_SETTINGS HYPER_H2_FRAME_SETTINGS
#define T_PUSH HYPER_H2_FRAME_PUSH_PROMISE
#define T_PING HYPER_H2_FRAME_PING
#define T_GOAWAY HYPER_H2_FRAME_GOAWAY
#define T_WU HYPER_H2_FRAME_WINDOW_UPDATE
#define T_CONT HYPER_H2_FRAME_CONTINUATION
#define F_ES HYPER_H2_FLAG_END_STREAM
#define F_EH HYPER_H2_FLAG_END_HEADERS
#define F_ACK HYPER_H2_FLAG_ACK
#define F_PADDED HYPER_H2_FLAG_PADDED

typedef void (*h2h_scen_fn)(h2h_raw *r);

/* Runs |fn| three times (whole input, 1 byte at a time, random chunks) on
 * a fresh core of |role| (|cfg| may be NULL; |flags| H2H_NO_*): the frames
 * the core sends, its events and its error must be identical, and nothing
 * may leak (HOSTILE-PEERS J1, J2). Returns the peak memory of the first
 * run. Set H2H_DEBUG in the environment to print each run. */
size_t h2h_run_scenario(hyper_h2_role role, const hyper_h2_config *cfg,
                        int flags, h2h_scen_fn fn);
/* A connection error: recv returned |herr|, GOAWAY(|code|) was sent, the
 * last error matches, and later input is not processed (J4). */
void h2h_expect_goaway(h2h_raw *r, int rv, int herr, uint32_t code);
/* A stream error: |rv| is 0, RST_STREAM(|code|) on |sid|, no GOAWAY. */
void h2h_expect_rst(h2h_raw *r, int rv, uint32_t sid, uint32_t code);
/* Frame shortcuts for the peer; each returns the core's error or 0. */
int h2h_settings1(h2h_raw *r, uint16_t id, uint32_t v);
int h2h_wu(h2h_raw *r, uint32_t sid, uint32_t inc);
int h2h_rst(h2h_raw *r, uint32_t sid, uint32_t code);
int h2h_data(h2h_raw *r, uint32_t sid, uint8_t flags, const void *p, size_t n);
int h2h_ping(h2h_raw *r, uint8_t flags, uint8_t tag);
/* HPACK integer with an N-bit prefix (RFC 7541 §5.1); returns its length. */
size_t h2h_hpack_int(uint8_t *out, uint8_t first, unsigned bits, uint32_t v);
/* The core's event log contains |s|. */
int h2h_ev_has(const h2h_raw *r, const char *s);

/* Standard request/response field lists for tests. */
extern const char *const h2h_get_req[];
extern const char *const h2h_resp_200[];

/* Converts a NULL-terminated name/value list to hyper_field (at most |max|);
 * returns the count. */
size_t h2h_fields(const char *const *nv, hyper_field *out, size_t max);

#endif /* HYPER_TEST_H2_HARNESS_H */
