/*
 * fuzz/h2_client.c — libFuzzer target for the sans-IO HTTP/2 core in the
 * client role. fuzz/h2_server.c defines H2FUZZ_SERVER and includes this
 * file to build the same harness for the server role, so both targets share
 * one set of oracles.
 *
 * A core is created with a configuration chosen by the first input bytes,
 * initiated, and (client) submits its requests: a GET on stream 1 and a POST
 * with a 10-byte body on stream 3. The fuzz bytes play the peer: they are
 * fed to hyper_h2_conn_recv() in chunks, after a valid peer preface
 * (client role: the server's SETTINGS + the ACK of ours; server role: the
 * client preface, then SETTINGS + ACK) unless a config bit leaves the
 * SETTINGS/ACK out. After every recv the events are drained and the core's
 * output is pulled; the harness answers events the way an application
 * would (bodies within the flow-control window, acknowledgements in ACK
 * mode, resets, pings, settings changes, pushes, 1xx, trailers, GOAWAY).
 *
 * Input layout (missing bytes read as 0, so all zeros is a plain setup):
 *   byte 0  connection
 *           bit 0    push: client enable_push 1; server: the client's
 *                    SETTINGS in the prefix say ENABLE_PUSH 1
 *           bit 1    no SETTINGS/ACK in the prefix (the fuzz bytes start
 *                    right after the client preface, or at the very start)
 *           bit 2    ACK receive mode (hyper_h2_acknowledge_received_data)
 *           bit 3    validate_inbound_headers off
 *           bits 4-5 recv chunks: whole input, 1 byte, pseudo-random 1..64
 *                    (seed byte 2), fixed byte 2 + 1
 *           bit 6    tight limits (2 concurrent streams, 1 closed stream
 *                    remembered, 1 CONTINUATION, 4 pending ACKs, 8 outbound
 *                    frames, bursts of 3, header list 512, table 256, ...)
 *           bit 7    small receive windows (stream 1024, connection 65535)
 *   byte 1  application
 *           bit 0    ACK mode: acknowledge in batches, not at once
 *           bit 1    client: one request only; server: answer at the end
 *                    of the request, not at its headers
 *           bit 2    client: reset stream 3 at its response; server: refuse
 *                    every third request
 *           bit 3    answer PING_RECEIVED and SETTINGS_ACKED with a PING
 *           bit 4    client: a new GET whenever a stream ends (8 at most);
 *                    server: a 103 before every response
 *           bit 5    update_settings on the first two REMOTE_SETTINGS
 *           bit 6    set_time(+150 ms) after every batch of events
 *           bit 7    bodies end with trailers instead of END_STREAM
 *   byte 2  chunk seed / fixed chunk size; allocation to fail (byte 3 bit 4)
 *   byte 3  extras
 *           bit 0    client: PRIORITY_UPDATE for stream 1 at the start;
 *                    server: push a resource for each request (3 at most)
 *           bit 1    graceful GOAWAY (close NO_ERROR) after the first
 *                    response (client) / request (server)
 *           bit 2    close(ENHANCE_YOUR_CALM) after the second one; all
 *                    later input must then be discarded
 *           bit 3    on GOAWAY received: close(NO_ERROR)
 *           bit 4    the allocator fails allocation number byte 2 (counted
 *                    from hyper_h2_conn_new)
 *           bit 6    a trace hook that reads every record
 *           bit 7    differential: run again with other chunks; the events,
 *                    the output and the result must be identical (skipped
 *                    with tight limits or a failing allocator, where when
 *                    output is pulled legitimately matters)
 *   rest    the peer's bytes
 *
 * Oracles (abort() on violation; ASan/UBSan/LSan do the rest):
 *  - recv returns 1..len or one of its documented errors (never 0 with
 *    input left, never INVALID_STATE/ARGUMENT or INTERNAL here); NOMEM
 *    only when the allocator refused something;
 *  - after a connection error: no event is left, last_error() agrees, every
 *    later recv returns the same error, and the output ends with a GOAWAY
 *    frame whose code is last_error()->h2_code, with nothing after it;
 *  - after close() with an error code, recv discards input (returns len,
 *    no event, no output);
 *  - every frame the core sends parses with hyper_h2_frame_parse() (valid
 *    wire form) and fits the peer's largest SETTINGS_MAX_FRAME_SIZE; the
 *    client output starts with the exact preface;
 *  - events are well-formed (role-correct types and stream parities, DATA
 *    len <= flow-controlled len <= our max frame size, non-NULL pointers,
 *    every byte readable);
 *  - actions return only the codes their contract allows for what the
 *    harness asks (e.g. never FLOW_CONTROL or FRAME_SIZE when sending
 *    within the reported window and frame size, never H2_HEADER for the
 *    harness's valid fields);
 *  - wants_write() agrees with pending(); peak memory stays below 32 MiB
 *    and everything is freed.
 *
 * Built with -DH2FUZZ_VERBOSE, each run prints a one-line summary (events,
 * requests, responses, output bytes, result) to check what seeds do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/frame.h"
#include "hyper/h2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef H2FUZZ_SERVER
#  define FUZZ_NAME "fuzz_h2_server"
#  define FUZZ_IS_SERVER 1
#else
#  define FUZZ_NAME "fuzz_h2_client"
#  define FUZZ_IS_SERVER 0
#endif

#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, FUZZ_NAME ": check failed: %s (%s:%d)\n  ", #cond,      \
              __FILE__, __LINE__);                                            \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
      abort();                                                                \
    }                                                                         \
  } while (0)

#define CFG_BYTES 4
#define MAX_PEAK ((size_t)32 << 20)
#define MAX_SENDS 16
#define MAX_CLIENT_REQUESTS 8
#define MAX_PUSHES 3
#define MAX_PINGS 4
#define ACK_BATCH 16384u
#define POST_BODY 10u

/* byte 0 */
#define C0_PUSH 0x01u
#define C0_NO_PREFIX 0x02u
#define C0_ACK_MODE 0x04u
#define C0_NO_VALIDATE 0x08u
#define C0_TIGHT 0x40u
#define C0_SMALL_WINDOWS 0x80u
/* byte 1 */
#define C1_LAZY_ACK 0x01u
#define C1_ONE_OR_LATE 0x02u
#define C1_RESET 0x04u
#define C1_PING 0x08u
#define C1_MORE_OR_INFO 0x10u
#define C1_SETTINGS 0x20u
#define C1_TIME 0x40u
#define C1_TRAILERS 0x80u
/* byte 3 */
#define C3_PRIO_OR_PUSH 0x01u
#define C3_GRACEFUL 0x02u
#define C3_ABORT 0x04u
#define C3_GOAWAY_BACK 0x08u
#define C3_FAIL_ALLOC 0x10u
#define C3_TRACE 0x40u
#define C3_DIFF 0x80u

static const uint8_t CLIENT_PREFACE[24] = {
    'P', 'R', 'I', ' ', '*', ' ', 'H', 'T', 'T', 'P', '/', '2',
    '.', '0', '\r', '\n', '\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n'};

/* ------------------------------------------------------------------------ */
/* Allocator: live/peak bytes, and one allocation that can be refused.      */
/* ------------------------------------------------------------------------ */

typedef union mhdr {
  size_t size;
  max_align_t align;
} mhdr;

typedef struct fmem {
  size_t live, peak;
  unsigned long nalloc;  /* allocations asked for so far */
  unsigned long fail_at; /* 1-based index to refuse, 0: none */
  unsigned long nfailed;
} fmem;

static int refuse(fmem *m) {
  m->nalloc++;
  if (m->fail_at && m->nalloc == m->fail_at) {
    m->nfailed++;
    return 1;
  }
  return 0;
}

static void *fm_alloc(fmem *m, size_t n, int zero) {
  mhdr *h;
  if (refuse(m) || n > SIZE_MAX - sizeof *h) {
    return NULL;
  }
  h = zero ? calloc(1, sizeof *h + n) : malloc(sizeof *h + n);
  if (!h) {
    return NULL;
  }
  h->size = n;
  m->live += n;
  if (m->live > m->peak) {
    m->peak = m->live;
  }
  CHECK(m->peak < MAX_PEAK, "peak memory %zu bytes (asked %zu)", m->peak, n);
  return h + 1;
}

static void *fm_malloc(size_t n, void *user) { return fm_alloc(user, n, 0); }

static void *fm_calloc(size_t nmemb, size_t n, void *user) {
  if (n && nmemb > SIZE_MAX / n) {
    return NULL;
  }
  return fm_alloc(user, nmemb * n, 1);
}

static void *fm_realloc(void *p, size_t n, void *user) {
  fmem *m = user;
  mhdr *h, *nh;
  if (!p) {
    return fm_alloc(m, n, 0);
  }
  if (refuse(m) || n > SIZE_MAX - sizeof *h) {
    return NULL;
  }
  h = (mhdr *)p - 1;
  m->live -= h->size;
  nh = realloc(h, sizeof *nh + n);
  if (!nh) {
    m->live += h->size;
    return NULL;
  }
  nh->size = n;
  m->live += n;
  if (m->live > m->peak) {
    m->peak = m->live;
  }
  CHECK(m->peak < MAX_PEAK, "peak memory %zu bytes (realloc to %zu)", m->peak,
        n);
  return nh + 1;
}

static void fm_free(void *p, void *user) {
  fmem *m = user;
  mhdr *h;
  if (!p) {
    return;
  }
  h = (mhdr *)p - 1;
  m->live -= h->size;
  free(h);
}

/* ------------------------------------------------------------------------ */
/* Run state                                                                */
/* ------------------------------------------------------------------------ */

typedef struct body_send {
  uint32_t id;
  uint32_t left;
  int trailers;
} body_send;

#define MAX_LAZY 32
typedef struct lazy_ack {
  uint32_t id;
  uint64_t n;
} lazy_ack;

typedef struct run {
  hyper_h2_conn *c;
  fmem fm;
  uint8_t cfg[CFG_BYTES];
  int server;
  int ack_mode;
  int chunk_mode;
  uint32_t rnd;
  uint32_t our_max_frame;

  /* output walker */
  uint8_t *acc; /* output not yet split into frames */
  size_t acc_len, acc_cap;
  size_t preface_left; /* client: preface bytes still expected */
  int last_type;       /* type of the last whole frame sent, -1: none */
  uint32_t last_goaway_code;
  uint32_t peer_max_frame; /* largest SETTINGS_MAX_FRAME_SIZE seen */
  uint64_t out_bytes;

  /* result of the run, for the differential check: the events and the
   * output separately (how they interleave depends on the chunking) */
  uint64_t hash, out_hash;
  int err;       /* the connection error recv returned, or 0 */
  int aborted;   /* we sent close(error): input is discarded */
  int fatal;     /* NOMEM: only free() is allowed */
  int done;      /* stop feeding */

  /* application */
  body_send sends[MAX_SENDS];
  size_t nsends;
  uint64_t unacked; /* ACK mode: delivered, not yet acknowledged */
  lazy_ack lazy[MAX_LAZY];
  size_t nlazy;
  unsigned requests, responses, pings, settings_updates, pushes, closes;
  unsigned long nevents;
  uint64_t now;
} run;

static void mix(run *r, uint64_t v) {
  r->hash = (r->hash ^ v) * 0x100000001b3ull;
}

static void mix_bytes(run *r, const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    mix(r, p[i]);
  }
}

/* Is |rc| a code that the harness treats as "this action was legitimately
 * refused in the current state"? Anything else is a contract violation.
 * NOMEM makes the run fatal (only free is safe afterwards). */
static int action_ok(run *r, int rc, const char *what) {
  switch (rc) {
  case 0:
    return 1;
  case HYPER_ERR_NOMEM:
    CHECK(r->fm.nfailed > 0, "%s: NOMEM without a refused allocation", what);
    r->fatal = 1;
    r->done = 1;
    return 0;
  case HYPER_ERR_INVALID_STATE:
  case HYPER_ERR_H2_STREAM_CLOSED:
  case HYPER_ERR_H2_PROTOCOL:
  case HYPER_ERR_H2_GOAWAY:
  case HYPER_ERR_LIMIT_EXCEEDED:
  case HYPER_ERR_H2_STREAM_IDS_EXHAUSTED:
    return 0;
  default:
    CHECK(0, "%s returned %d (%s): not allowed here", what, rc,
          hyper_err_name(rc));
    return 0;
  }
}

/* ------------------------------------------------------------------------ */
/* Output: pull everything, split it into frames, check each one.           */
/* ------------------------------------------------------------------------ */

static void acc_append(run *r, const uint8_t *p, size_t n) {
  if (n > r->acc_cap - r->acc_len) {
    size_t ncap = r->acc_cap ? r->acc_cap : 4096;
    uint8_t *nb;
    while (n > ncap - r->acc_len) {
      ncap *= 2;
    }
    nb = realloc(r->acc, ncap);
    CHECK(nb != NULL, "oom");
    r->acc = nb;
    r->acc_cap = ncap;
  }
  memcpy(r->acc + r->acc_len, p, n);
  r->acc_len += n;
}

static void walk_frames(run *r) {
  size_t off = 0;
  const hyper_h2_settings *rs = hyper_h2_conn_remote_settings(r->c);
  if (rs && rs->max_frame_size > r->peer_max_frame) {
    r->peer_max_frame = rs->max_frame_size;
  }
  if (r->preface_left) {
    size_t k = r->acc_len < r->preface_left ? r->acc_len : r->preface_left;
    size_t at = sizeof CLIENT_PREFACE - r->preface_left;
    CHECK(memcmp(r->acc, CLIENT_PREFACE + at, k) == 0,
          "client output does not start with the preface");
    r->preface_left -= k;
    off = k;
  }
  while (r->acc_len - off >= HYPER_H2_FRAME_HDR_LEN) {
    hyper_h2_frame fr;
    hyper_h2_frame_err fe;
    int n;
    memset(&fr, 0, sizeof fr);
    memset(&fe, 0, sizeof fe);
    n = hyper_h2_frame_parse(r->acc + off, r->acc_len - off,
                             HYPER_H2_MAX_FRAME_SIZE_LIMIT, &fr, &fe);
    if (n == HYPER_ERR_INCOMPLETE) {
      break;
    }
    CHECK(n > 0, "the core sent a frame that does not parse: %s (%s), type %u "
          "flags 0x%x stream %u length %u",
          hyper_err_name(n), fe.desc ? fe.desc : "", fr.hdr.type,
          fr.hdr.flags, fr.hdr.stream_id, fr.hdr.length);
    CHECK(fr.hdr.length <= r->peer_max_frame,
          "frame type %u of %u octets > the peer's max frame size %u",
          fr.hdr.type, fr.hdr.length, r->peer_max_frame);
    r->last_type = fr.hdr.type;
    if (fr.hdr.type == HYPER_H2_FRAME_GOAWAY) {
      r->last_goaway_code = fr.u.goaway.error_code;
    }
    off += (size_t)n;
  }
  memmove(r->acc, r->acc + off, r->acc_len - off);
  r->acc_len -= off;
}

static void pull_output(run *r) {
  const uint8_t *p;
  size_t n, i;
  if (r->fatal) {
    return;
  }
  while ((n = hyper_h2_conn_pending(r->c, &p)) > 0) {
    CHECK(p != NULL, "pending %zu bytes at NULL", n);
    CHECK(hyper_h2_conn_wants_write(r->c), "pending output, !wants_write");
    for (i = 0; i < n; i++) {
      r->out_hash = (r->out_hash ^ p[i]) * 0x100000001b3ull;
    }
    acc_append(r, p, n);
    r->out_bytes += n;
    CHECK(hyper_h2_conn_advance(r->c, n) == 0, "advance(%zu) failed", n);
  }
  CHECK(p == NULL, "no pending output but a pointer");
  CHECK(!hyper_h2_conn_wants_write(r->c), "wants_write with nothing pending");
  CHECK(hyper_h2_conn_advance(r->c, 1) == HYPER_ERR_INVALID_ARGUMENT,
        "advance past the pending output accepted");
  walk_frames(r);
}

/* ------------------------------------------------------------------------ */
/* Application behaviour                                                    */
/* ------------------------------------------------------------------------ */

#define F(n, v)                                                               \
  {(const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0}

static const hyper_field GET_REQ[] = {
    F(":method", "GET"),     F(":scheme", "https"),
    F(":authority", "example.com"), F(":path", "/"),
    F("user-agent", "fuzz/1"), F("accept", "*/*")};
static const hyper_field POST_REQ[] = {
    F(":method", "POST"),          F(":scheme", "https"),
    F(":authority", "example.com"), F(":path", "/upload"),
    F("content-type", "text/plain"), F("content-length", "10")};
static const hyper_field PUSH_REQ[] = {
    F(":method", "GET"), F(":scheme", "https"),
    F(":authority", "example.com"), F(":path", "/pushed.css")};
static const hyper_field INFO_103[] = {
    F(":status", "103"), F("link", "</pushed.css>; rel=preload")};
static const hyper_field TRAILERS[] = {F("x-checksum", "0123abcd")};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t zeros[16384];

static void add_send(run *r, uint32_t id, uint32_t len) {
  if (r->nsends < MAX_SENDS) {
    r->sends[r->nsends].id = id;
    r->sends[r->nsends].left = len;
    r->sends[r->nsends].trailers = (r->cfg[1] & C1_TRAILERS) != 0;
    r->nsends++;
  }
}

/* Sends what the windows allow of every pending body. */
static void flush_bodies(run *r) {
  size_t i = 0;
  while (i < r->nsends && !r->done) {
    body_send *b = &r->sends[i];
    int64_t win = hyper_h2_conn_local_flow_control_window(r->c, b->id);
    uint32_t maxf = hyper_h2_conn_max_outbound_frame_size(r->c);
    int rc = 0, drop = 0;
    CHECK(maxf >= 16384 && maxf <= HYPER_H2_MAX_FRAME_SIZE_LIMIT,
          "max outbound frame size %u", maxf);
    if (win < 0) {
      CHECK(win == HYPER_ERR_H2_STREAM_CLOSED,
            "local window of stream %u: %lld", b->id, (long long)win);
      drop = 1;
    } else if (b->left > 0 && win > 0) {
      uint32_t n = b->left;
      int end;
      if ((int64_t)n > win) {
        n = (uint32_t)win;
      }
      if (n > maxf) {
        n = maxf;
      }
      if (n > sizeof zeros) {
        n = sizeof zeros;
      }
      end = n == b->left && !b->trailers;
      rc = hyper_h2_send_data(r->c, b->id, zeros, n, end);
      if (rc == 0) {
        b->left -= n;
        drop = end;
      } else {
        CHECK(rc != HYPER_ERR_H2_FLOW_CONTROL && rc != HYPER_ERR_H2_FRAME_SIZE,
              "send_data(%u, %u) within window %lld, frame size %u: %s",
              b->id, n, (long long)win, maxf, hyper_err_name(rc));
        action_ok(r, rc, "send_data");
        drop = 1;
      }
    } else if (b->left == 0) {
      rc = b->trailers ? hyper_h2_submit_trailers(r->c, b->id, TRAILERS,
                                                  NFIELDS(TRAILERS))
                       : hyper_h2_end_stream(r->c, b->id);
      action_ok(r, rc, b->trailers ? "submit_trailers" : "end_stream");
      drop = 1;
    }
    if (drop) {
      r->sends[i] = r->sends[--r->nsends];
    } else {
      i++;
    }
  }
}

static void ack(run *r, uint32_t id, uint64_t n) {
  int rc;
  while (n > 0 && !r->done) {
    size_t k = n > 0x7fffffffu ? 0x7fffffffu : (size_t)n;
    rc = hyper_h2_acknowledge_received_data(r->c, id, k);
    if (rc != 0) {
      CHECK(rc == HYPER_ERR_INVALID_STATE || rc == HYPER_ERR_NOMEM,
            "acknowledge_received_data(%u, %zu): %s", id, k,
            hyper_err_name(rc));
      action_ok(r, rc, "acknowledge_received_data");
      return;
    }
    r->unacked -= k;
    n -= k;
  }
}

/* Acknowledges everything held back, stream by stream. */
static void ack_all(run *r) {
  size_t i;
  for (i = 0; i < r->nlazy && !r->done; i++) {
    ack(r, r->lazy[i].id, r->lazy[i].n);
  }
  r->nlazy = 0;
}

static void on_data_ack(run *r, uint32_t id, size_t n) {
  r->unacked += n;
  if (!(r->cfg[1] & C1_LAZY_ACK)) {
    ack(r, id, n);
    return;
  }
  if (r->nlazy > 0 && r->lazy[r->nlazy - 1].id == id) {
    r->lazy[r->nlazy - 1].n += n;
  } else if (r->nlazy < MAX_LAZY) {
    r->lazy[r->nlazy].id = id;
    r->lazy[r->nlazy++].n = n;
  } else {
    ack(r, id, n);
    return;
  }
  if (r->unacked >= ACK_BATCH) {
    ack_all(r);
  }
}

static void do_close(run *r, uint32_t code) {
  int rc;
  if (r->closes >= 3) {
    return;
  }
  r->closes++;
  rc = hyper_h2_close(r->c, code, HYPER_H2_LAST_STREAM_AUTO, NULL, 0);
  if (rc == 0 && code != HYPER_H2_NO_ERROR) {
    r->aborted = 1;
  }
  if (rc != 0) {
    CHECK(rc == HYPER_ERR_INVALID_STATE || rc == HYPER_ERR_NOMEM,
          "close(%u): %s", code, hyper_err_name(rc));
    action_ok(r, rc, "close");
  }
}

/* A milestone: the first or second response (client) / request (server). */
static void milestone(run *r, unsigned count) {
  if (count == 1 && (r->cfg[3] & C3_GRACEFUL)) {
    do_close(r, HYPER_H2_NO_ERROR);
  }
  if (count == 2 && (r->cfg[3] & C3_ABORT)) {
    do_close(r, HYPER_H2_ENHANCE_YOUR_CALM);
  }
}

static void client_request(run *r, int post) {
  uint32_t id = 0;
  int rc;
  if (r->requests >= MAX_CLIENT_REQUESTS) {
    return;
  }
  r->requests++;
  rc = post ? hyper_h2_submit_request(r->c, POST_REQ, NFIELDS(POST_REQ), 0,
                                      &id)
            : hyper_h2_submit_request(r->c, GET_REQ, NFIELDS(GET_REQ), 1,
                                      &id);
  if (rc == 0) {
    CHECK(id % 2 == 1, "client stream id %u is even", id);
    if (post) {
      add_send(r, id, POST_BODY);
    }
  } else {
    CHECK(rc != HYPER_ERR_H2_HEADER, "submit_request refused valid fields");
    action_ok(r, rc, "submit_request");
  }
}

static int field_is(const hyper_field *f, const char *name, const char *value) {
  size_t nl = strlen(name), vl = strlen(value);
  return f->name_len == nl && memcmp(f->name, name, nl) == 0 &&
         f->value_len == vl && memcmp(f->value, value, vl) == 0;
}

/* Server: answers request |id| (|fields| may be NULL when answering late). */
static void server_respond(run *r, uint32_t id, int head) {
  char clen[16];
  uint32_t body = head ? 0 : (id * 37u) % 300u;
  hyper_field resp[3] = {F(":status", "200"), F("content-type", "text/plain"),
                         F("content-length", "")};
  int rc, end;
  if (r->cfg[1] & C1_MORE_OR_INFO) {
    rc = hyper_h2_submit_informational(r->c, id, INFO_103, NFIELDS(INFO_103));
    CHECK(rc != HYPER_ERR_H2_HEADER, "submit_informational refused");
    if (!action_ok(r, rc, "submit_informational")) {
      return;
    }
  }
  if ((r->cfg[3] & C3_PRIO_OR_PUSH) && r->pushes < MAX_PUSHES) {
    const hyper_h2_settings *rs = hyper_h2_conn_remote_settings(r->c);
    uint32_t promised = 0;
    r->pushes++;
    rc = hyper_h2_push_promise(r->c, id, PUSH_REQ, NFIELDS(PUSH_REQ),
                               &promised);
    if (rc == 0) {
      CHECK(promised % 2 == 0 && promised > 0, "promised id %u", promised);
      CHECK(rs->enable_push == 1, "push accepted with ENABLE_PUSH %u",
            rs->enable_push);
      rc = hyper_h2_submit_response(r->c, promised, resp, 2, 0);
      CHECK(rc != HYPER_ERR_H2_HEADER, "push response refused");
      if (action_ok(r, rc, "submit_response (pushed)")) {
        add_send(r, promised, 5);
      }
    } else {
      CHECK(rc != HYPER_ERR_H2_HEADER, "push_promise refused valid fields");
      action_ok(r, rc, "push_promise");
    }
    if (r->done) {
      return;
    }
  }
  snprintf(clen, sizeof clen, "%u", (unsigned)body);
  resp[2].value = (const uint8_t *)clen;
  resp[2].value_len = strlen(clen);
  end = body == 0 && !(r->cfg[1] & C1_TRAILERS);
  rc = hyper_h2_submit_response(r->c, id, resp, 3, end);
  CHECK(rc != HYPER_ERR_H2_HEADER, "submit_response refused valid fields");
  if (action_ok(r, rc, "submit_response") && !end) {
    add_send(r, id, body);
  }
}

static void on_request(run *r, const hyper_h2_event *ev) {
  size_t i;
  int head = 0, connect = 0;
  r->requests++;
  for (i = 0; i < ev->u.headers.nfields; i++) {
    head |= field_is(&ev->u.headers.fields[i], ":method", "HEAD");
    connect |= field_is(&ev->u.headers.fields[i], ":method", "CONNECT");
  }
  if (connect || ((r->cfg[1] & C1_RESET) && r->requests % 3 == 0)) {
    action_ok(r, hyper_h2_reset_stream(r->c, ev->stream_id,
                                       HYPER_H2_REFUSED_STREAM),
              "reset_stream");
  } else if (!(r->cfg[1] & C1_ONE_OR_LATE) || ev->end_stream) {
    server_respond(r, ev->stream_id, head);
  } else {
    /* answer at STREAM_ENDED: remember HEAD in the stream's user data */
    hyper_h2_conn_set_stream_data(r->c, ev->stream_id,
                                  head ? (void *)&r->server : (void *)r);
  }
  milestone(r, r->requests);
}

static void check_fields(const hyper_field *f, size_t n, run *r) {
  size_t i;
  CHECK(n == 0 || f != NULL, "%zu fields at NULL", n);
  for (i = 0; i < n; i++) {
    CHECK(f[i].name_len == 0 || f[i].name != NULL, "NULL name");
    CHECK(f[i].value_len == 0 || f[i].value != NULL, "NULL value");
    mix_bytes(r, f[i].name, f[i].name_len);
    mix_bytes(r, f[i].value, f[i].value_len);
    mix(r, f[i].flags);
  }
}

static void on_event(run *r, const hyper_h2_event *ev) {
  uint32_t id = ev->stream_id;
  r->nevents++;
  mix(r, (uint64_t)ev->type << 32 | id);
  mix(r, (uint64_t)ev->end_stream);
  switch (ev->type) {
  case HYPER_H2_EV_REQUEST_RECEIVED:
    CHECK(r->server, "REQUEST_RECEIVED on a client");
    CHECK(id % 2 == 1, "request on even stream %u", id);
    check_fields(ev->u.headers.fields, ev->u.headers.nfields, r);
    on_request(r, ev);
    break;
  case HYPER_H2_EV_RESPONSE_RECEIVED:
  case HYPER_H2_EV_INFORMATIONAL_RECEIVED:
    CHECK(!r->server, "response event on a server");
    CHECK(id > 0, "response on stream 0");
    check_fields(ev->u.headers.fields, ev->u.headers.nfields, r);
    if (ev->type == HYPER_H2_EV_RESPONSE_RECEIVED) {
      r->responses++;
      if ((r->cfg[1] & C1_RESET) && id == 3) {
        action_ok(r, hyper_h2_reset_stream(r->c, id, HYPER_H2_CANCEL),
                  "reset_stream");
      }
      milestone(r, r->responses);
    }
    break;
  case HYPER_H2_EV_TRAILERS_RECEIVED:
    CHECK(id > 0, "trailers on stream 0");
    CHECK(ev->end_stream, "trailers without END_STREAM");
    check_fields(ev->u.headers.fields, ev->u.headers.nfields, r);
    break;
  case HYPER_H2_EV_DATA_RECEIVED:
    CHECK(id > 0, "DATA on stream 0");
    CHECK(ev->u.data.len <= ev->u.data.flow_controlled_len,
          "DATA len %zu > flow-controlled %u", ev->u.data.len,
          ev->u.data.flow_controlled_len);
    CHECK(ev->u.data.flow_controlled_len <= r->our_max_frame,
          "DATA of %u octets > our max frame %u",
          ev->u.data.flow_controlled_len, r->our_max_frame);
    CHECK(ev->u.data.len == 0 || ev->u.data.data != NULL, "DATA at NULL");
    mix_bytes(r, ev->u.data.data, ev->u.data.len);
    if (r->ack_mode && ev->u.data.len) {
      on_data_ack(r, id, ev->u.data.len);
    }
    break;
  case HYPER_H2_EV_WINDOW_UPDATED:
    CHECK(ev->u.window.delta > 0 && ev->u.window.delta <= HYPER_H2_MAX_WINDOW,
          "window delta %u", ev->u.window.delta);
    mix(r, ev->u.window.delta);
    break;
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED:
  case HYPER_H2_EV_SETTINGS_ACKED: {
    size_t i;
    CHECK(id == 0, "settings event on stream %u", id);
    CHECK(ev->u.settings.count <= HYPER_H2_MAX_SETTINGS_ENTRIES_CAP,
          "%zu setting changes", ev->u.settings.count);
    CHECK(ev->u.settings.count == 0 || ev->u.settings.changes != NULL,
          "changes at NULL");
    for (i = 0; i < ev->u.settings.count; i++) {
      mix(r, (uint64_t)ev->u.settings.changes[i].id << 32 |
                 ev->u.settings.changes[i].new_value);
    }
    if (ev->type == HYPER_H2_EV_REMOTE_SETTINGS_CHANGED &&
        (r->cfg[1] & C1_SETTINGS) && r->settings_updates < 2) {
      hyper_h2_setting s[2];
      r->settings_updates++;
      s[0].id = HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE;
      s[0].value = r->settings_updates == 1 ? 100 : 70000;
      s[1].id = HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS;
      s[1].value = r->settings_updates == 1 ? 5 : 50;
      action_ok(r, hyper_h2_update_settings(r->c, s, 2), "update_settings");
    }
    if (ev->type == HYPER_H2_EV_SETTINGS_ACKED && (r->cfg[1] & C1_PING) &&
        r->pings < MAX_PINGS) {
      static const uint8_t op[8] = {'s', 'e', 't', 't', 'i', 'n', 'g', 's'};
      r->pings++;
      action_ok(r, hyper_h2_ping(r->c, op), "ping");
    }
    break;
  }
  case HYPER_H2_EV_PING_RECEIVED:
  case HYPER_H2_EV_PING_ACK_RECEIVED:
    CHECK(id == 0, "ping event on stream %u", id);
    mix_bytes(r, ev->u.ping.opaque, 8);
    if (ev->type == HYPER_H2_EV_PING_RECEIVED && (r->cfg[1] & C1_PING) &&
        r->pings < MAX_PINGS) {
      r->pings++;
      action_ok(r, hyper_h2_ping(r->c, ev->u.ping.opaque), "ping");
    }
    break;
  case HYPER_H2_EV_STREAM_ENDED:
    CHECK(id > 0, "STREAM_ENDED on stream 0");
    if (r->ack_mode) {
      ack_all(r);
    }
    if (r->server) {
      void *ud = hyper_h2_conn_get_stream_data(r->c, id);
      if (ud) {
        server_respond(r, id, ud == (void *)&r->server);
      }
    } else if (r->cfg[1] & C1_MORE_OR_INFO) {
      client_request(r, 0);
    }
    break;
  case HYPER_H2_EV_STREAM_RESET:
    CHECK(id > 0, "STREAM_RESET on stream 0");
    mix(r, (uint64_t)ev->u.reset.error_code << 1 | (ev->u.reset.remote != 0));
    if (!r->server && (r->cfg[1] & C1_MORE_OR_INFO)) {
      client_request(r, 0);
    }
    break;
  case HYPER_H2_EV_PUSHED_STREAM_RECEIVED:
    CHECK(!r->server, "push event on a server");
    CHECK(r->cfg[0] & C0_PUSH, "push accepted with enable_push 0");
    CHECK(id % 2 == 0 && id > 0, "promised stream %u", id);
    CHECK(ev->u.push.parent_stream_id % 2 == 1, "push parent %u",
          ev->u.push.parent_stream_id);
    check_fields(ev->u.push.fields, ev->u.push.nfields, r);
    if (r->cfg[1] & C1_RESET) {
      action_ok(r, hyper_h2_reset_stream(r->c, id, HYPER_H2_CANCEL),
                "reset_stream");
    }
    break;
  case HYPER_H2_EV_PRIORITY_UPDATED:
    CHECK(r->server, "PRIORITY_UPDATED on a client");
    CHECK(ev->u.priority.urgency <= 7 && ev->u.priority.incremental <= 1,
          "priority u=%u i=%u", ev->u.priority.urgency,
          ev->u.priority.incremental);
    CHECK(ev->u.priority.len == 0 || ev->u.priority.value != NULL,
          "priority value at NULL");
    mix_bytes(r, ev->u.priority.value, ev->u.priority.len);
    break;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    CHECK(id == 0, "GOAWAY event on stream %u", id);
    CHECK(ev->u.goaway.debug_len == 0 || ev->u.goaway.debug_data != NULL,
          "debug data at NULL");
    mix_bytes(r, ev->u.goaway.debug_data, ev->u.goaway.debug_len);
    mix(r, (uint64_t)ev->u.goaway.error_code << 32 |
               ev->u.goaway.last_stream_id);
    if (r->cfg[3] & C3_GOAWAY_BACK) {
      do_close(r, HYPER_H2_NO_ERROR);
    }
    break;
  case HYPER_H2_EV_ALT_SVC_RECEIVED:
    CHECK(!r->server, "ALTSVC event on a server");
    CHECK((ev->u.alt_svc.origin_len == 0 || ev->u.alt_svc.origin) &&
              (ev->u.alt_svc.value_len == 0 || ev->u.alt_svc.value),
          "ALTSVC slices at NULL");
    mix_bytes(r, ev->u.alt_svc.origin, ev->u.alt_svc.origin_len);
    mix_bytes(r, ev->u.alt_svc.value, ev->u.alt_svc.value_len);
    break;
  case HYPER_H2_EV_UNKNOWN_FRAME_RECEIVED:
    CHECK(ev->u.unknown.len == 0 || ev->u.unknown.payload != NULL,
          "unknown payload at NULL");
    mix_bytes(r, ev->u.unknown.payload, ev->u.unknown.len);
    break;
  default:
    CHECK(0, "event type %d", (int)ev->type);
  }
}

/* After a recv call: time and bodies when it produced events (so that what
 * the harness does depends on the events only, not on the chunking), then
 * the output. */
static void after_batch(run *r, int had_events) {
  if (had_events && !r->done && (r->cfg[1] & C1_TIME)) {
    int rc;
    r->now += 150;
    rc = hyper_h2_conn_set_time(r->c, r->now);
    if (rc != 0) {
      CHECK(rc == HYPER_ERR_H2_SETTINGS_TIMEOUT, "set_time: %s",
            hyper_err_name(rc));
      if (!r->err) {
        r->err = rc;
      }
    }
  }
  if (had_events && !r->done && !r->err) {
    flush_bodies(r);
  }
  pull_output(r);
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

static int recv_error_ok(int rc) {
  switch (rc) {
  case HYPER_ERR_H2_PROTOCOL:
  case HYPER_ERR_H2_FRAME_SIZE:
  case HYPER_ERR_H2_FLOW_CONTROL:
  case HYPER_ERR_H2_STREAM_CLOSED:
  case HYPER_ERR_H2_FLOOD:
  case HYPER_ERR_H2_SETTINGS_TIMEOUT:
    return 1;
  default:
    return hyper_err_is_compression(rc);
  }
}

/* The state after a connection error |rc|: checked once, when it happens. */
static void check_terminated(run *r, int rc, const uint8_t *rest,
                             size_t nrest) {
  hyper_h2_event ev;
  const hyper_h2_error *e = hyper_h2_conn_last_error(r->c);
  static const uint8_t one = 0;
  CHECK(!hyper_h2_conn_next_event(r->c, &ev), "event left after error %s",
        hyper_err_name(rc));
  CHECK(e->code == rc, "last_error %s, recv returned %s",
        hyper_err_name(e->code), hyper_err_name(rc));
  CHECK(e->desc != NULL, "no error description");
  CHECK(!hyper_h2_conn_wants_read(r->c), "wants_read after a connection error");
  pull_output(r);
  if (r->fm.nfailed == 0) {
    CHECK(r->acc_len == 0 && r->last_type == HYPER_H2_FRAME_GOAWAY,
          "output after %s does not end with a whole GOAWAY (last type %d, "
          "%zu bytes left over)",
          hyper_err_name(rc), r->last_type, r->acc_len);
    CHECK(r->last_goaway_code == e->h2_code,
          "GOAWAY code %u, last_error h2_code %u", r->last_goaway_code,
          e->h2_code);
  }
  /* every later recv returns the same error and changes nothing */
  CHECK(hyper_h2_conn_recv(r->c, rest, nrest) == rc, "recv after %s",
        hyper_err_name(rc));
  CHECK(hyper_h2_conn_recv(r->c, &one, 1) == rc, "recv(1) after %s",
        hyper_err_name(rc));
  CHECK(!hyper_h2_conn_next_event(r->c, &ev), "event after %s",
        hyper_err_name(rc));
  CHECK(hyper_h2_conn_pending(r->c, &rest) == 0, "output after %s",
        hyper_err_name(rc));
}

static size_t next_chunk(run *r, size_t left) {
  size_t k = left;
  switch (r->chunk_mode) {
  case 1:
    k = 1;
    break;
  case 2:
    r->rnd = r->rnd * 1103515245u + 12345u;
    k = 1 + (r->rnd >> 16) % 64;
    break;
  case 3:
    k = (size_t)r->cfg[2] + 1;
    break;
  default:
    break;
  }
  return k < left ? k : left;
}

static void feed(run *r, const uint8_t *in, size_t len) {
  size_t off = 0;
  while (off < len && !r->done) {
    size_t k = next_chunk(r, len - off), used = 0;
    while (used < k && !r->done) {
      const uint8_t *p = in + off + used;
      size_t n = k - used;
      hyper_h2_event ev;
      int rc = hyper_h2_conn_recv(r->c, p, n), nev = 0;
      if (r->aborted) {
        CHECK(rc == (int)n, "recv after close(error) returned %d for %zu",
              rc, n);
        CHECK(!hyper_h2_conn_next_event(r->c, &ev), "event after close");
        CHECK(hyper_h2_conn_pending(r->c, &p) == 0, "output after close");
        used += n;
        continue;
      }
      if (rc < 0) {
        if (rc == HYPER_ERR_NOMEM) {
          CHECK(r->fm.nfailed > 0, "recv: NOMEM without a refused allocation");
          r->fatal = 1;
          r->done = 1;
          return;
        }
        CHECK(rc != HYPER_ERR_INTERNAL, "recv: INTERNAL (%s)",
              hyper_h2_conn_last_error(r->c)->desc);
        CHECK(recv_error_ok(rc), "recv returned %d (%s): not documented",
              rc, hyper_err_name(rc));
        CHECK(r->err == 0 || r->err == rc, "recv returned %s after %s",
              hyper_err_name(rc), hyper_err_name(r->err));
        r->err = rc;
        mix(r, (uint64_t)(int64_t)rc);
        check_terminated(r, rc, in + off + used, len - off - used);
        r->done = 1;
        return;
      }
      CHECK(rc > 0 && (size_t)rc <= n, "recv consumed %d of %zu", rc, n);
      used += (size_t)rc;
      while (!r->done && hyper_h2_conn_next_event(r->c, &ev)) {
        on_event(r, &ev);
        nev++;
      }
      after_batch(r, nev > 0);
      if (r->err && !r->done) { /* SETTINGS timeout from set_time */
        mix(r, (uint64_t)(int64_t)r->err);
        check_terminated(r, r->err, in + off + used, len - off - used);
        r->done = 1;
      }
    }
    off += k;
  }
}

static void trace_hook(const hyper_h2_trace *t, void *user) {
  volatile uint8_t sink = 0;
  size_t i, j;
  (void)user;
  if (t->frame) {
    sink ^= t->frame->hdr.type;
  }
  for (i = 0; i < t->nfields; i++) {
    for (j = 0; j < t->fields[i].name_len; j++) {
      sink ^= t->fields[i].name[j];
    }
    for (j = 0; j < t->fields[i].value_len; j++) {
      sink ^= t->fields[i].value[j];
    }
  }
  (void)sink;
}

/* Builds the peer's prefix (preface, SETTINGS, ACK) into |buf|. */
static size_t make_prefix(const uint8_t *cfg, uint8_t *buf, size_t cap) {
  size_t n = 0;
  int rc;
  if (FUZZ_IS_SERVER) {
    memcpy(buf, CLIENT_PREFACE, sizeof CLIENT_PREFACE);
    n = sizeof CLIENT_PREFACE;
  }
  if (!(cfg[0] & C0_NO_PREFIX)) {
    hyper_h2_setting s[2];
    size_t ns = 0;
    if (FUZZ_IS_SERVER) {
      s[ns].id = HYPER_H2_SETTINGS_ENABLE_PUSH;
      s[ns++].value = (cfg[0] & C0_PUSH) ? 1 : 0;
    } else {
      s[ns].id = HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS;
      s[ns++].value = 100;
    }
    rc = hyper_h2_frame_pack_settings(buf + n, cap - n, s, ns);
    CHECK(rc > 0, "pack settings");
    n += (size_t)rc;
    rc = hyper_h2_frame_pack_settings_ack(buf + n, cap - n);
    CHECK(rc > 0, "pack settings ack");
    n += (size_t)rc;
  }
  return n;
}

/* One full run over |in| with |chunk_mode|. Fills |r| (caller frees
 * r->acc). */
static void run_once(run *r, const uint8_t *cfg, int chunk_mode,
                     const uint8_t *in, size_t len) {
  hyper_h2_config hc;
  hyper_mem mem;
  int rc;

  memset(r, 0, sizeof *r);
  memcpy(r->cfg, cfg, CFG_BYTES);
  r->server = FUZZ_IS_SERVER;
  r->chunk_mode = chunk_mode;
  r->rnd = cfg[2] | 0x100u;
  r->last_type = -1;
  r->peer_max_frame = HYPER_H2_DEFAULT_MAX_FRAME_SIZE;
  r->preface_left = FUZZ_IS_SERVER ? 0 : sizeof CLIENT_PREFACE;
  r->hash = r->out_hash = 0xcbf29ce484222325ull;
  if (cfg[3] & C3_FAIL_ALLOC) {
    r->fm.fail_at = (unsigned long)cfg[2] + 1;
  }
  mem.user = &r->fm;
  mem.malloc = fm_malloc;
  mem.calloc = fm_calloc;
  mem.realloc = fm_realloc;
  mem.free = fm_free;

  hyper_h2_config_init(&hc, FUZZ_IS_SERVER ? HYPER_H2_ROLE_SERVER
                                           : HYPER_H2_ROLE_CLIENT);
  if (!FUZZ_IS_SERVER && (cfg[0] & C0_PUSH)) {
    hc.settings.enable_push = 1;
  }
  if (cfg[0] & C0_ACK_MODE) {
    hc.recv_mode = HYPER_H2_RECV_ACK;
    r->ack_mode = 1;
  }
  if (cfg[0] & C0_NO_VALIDATE) {
    hc.validate_inbound_headers = 0;
  }
  if (cfg[0] & C0_TIGHT) {
    hc.settings.max_concurrent_streams = 2;
    hc.settings.max_header_list_size = 512;
    hc.settings.header_table_size = 256;
    hc.max_continuations = 1;
    hc.max_field_len = 128;
    hc.max_settings_entries = 4;
    hc.max_pending_acks = 4;
    hc.max_outbound_frames = 8;
    hc.rst_burst = 3;
    hc.rst_rate = 1;
    hc.glitch_burst = 3;
    hc.glitch_rate = 1;
    hc.encoder_table_max = 64;
    hc.max_reserved_streams = 1;
    hc.max_closed_streams = 1;
    hc.settings_timeout_ms = 1000;
  }
  if (cfg[0] & C0_SMALL_WINDOWS) {
    hc.settings.initial_window_size = 1024;
    hc.connection_window = HYPER_H2_DEFAULT_WINDOW;
  }
  if (cfg[3] & C3_TRACE) {
    hc.trace = trace_hook;
  }
  r->our_max_frame = hc.settings.max_frame_size;

  rc = hyper_h2_conn_new(&r->c, &hc, &mem);
  if (rc != 0) {
    CHECK(rc == HYPER_ERR_NOMEM && r->fm.nfailed > 0, "conn_new: %s",
          hyper_err_name(rc));
    r->c = NULL;
    return;
  }
  rc = hyper_h2_conn_initiate(r->c);
  if (rc != 0) {
    CHECK(rc == HYPER_ERR_NOMEM && r->fm.nfailed > 0, "initiate: %s",
          hyper_err_name(rc));
    r->fatal = 1;
  }
  if (!r->fatal) {
    CHECK(hyper_h2_conn_initiate(r->c) == HYPER_ERR_INVALID_STATE,
          "initiate twice accepted");
    if (!FUZZ_IS_SERVER) {
      client_request(r, 0);
      if (!(cfg[1] & C1_ONE_OR_LATE)) {
        client_request(r, 1);
      }
      if ((cfg[3] & C3_PRIO_OR_PUSH) && !r->done) {
        action_ok(r, hyper_h2_priority_update(r->c, 1, 5, 1),
                  "priority_update");
      }
    }
    after_batch(r, 1);
  }
  if (!r->done && !r->fatal) {
    feed(r, in, len);
  }
  hyper_h2_conn_free(r->c);
  r->c = NULL;
  CHECK(r->fm.live == 0, "%zu bytes leaked through the allocator",
        r->fm.live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t cfg[CFG_BYTES] = {0, 0, 0, 0};
  uint8_t prefix[64];
  uint8_t *in;
  size_t i, np, len;
  int mode;
  run a;

  for (i = 0; i < CFG_BYTES && i < size; i++) {
    cfg[i] = data[i];
  }
  data += i;
  size -= i;
  mode = (cfg[0] >> 4) & 3;

  np = make_prefix(cfg, prefix, sizeof prefix);
  len = np + size;
  in = malloc(len ? len : 1);
  CHECK(in != NULL, "oom");
  memcpy(in, prefix, np);
  if (size) {
    memcpy(in + np, data, size);
  }

  run_once(&a, cfg, mode, in, len);
  free(a.acc);
#ifdef H2FUZZ_VERBOSE
  fprintf(stderr,
          FUZZ_NAME ": %zu input bytes, %lu events, %u requests, %u "
          "responses, %llu output bytes, result %s%s%s\n",
          len, a.nevents, a.requests, a.responses,
          (unsigned long long)a.out_bytes, hyper_err_name(a.err),
          a.fatal ? " (allocation refused)" : "",
          a.aborted ? " (closed with an error)" : "");
#endif

  if ((cfg[3] & C3_DIFF) && !(cfg[0] & C0_TIGHT) &&
      !(cfg[3] & C3_FAIL_ALLOC)) {
    run b;
    run_once(&b, cfg, mode == 1 ? 0 : 1, in, len);
    free(b.acc);
    CHECK(b.err == a.err && b.out_bytes == a.out_bytes &&
              b.out_hash == a.out_hash && b.nevents == a.nevents &&
              b.hash == a.hash,
          "chunking changed the run: chunks %d vs %d: error %s vs %s, output "
          "%llu vs %llu bytes (hash %016llx vs %016llx), %lu vs %lu events "
          "(hash %016llx vs %016llx)",
          mode, mode == 1 ? 0 : 1, hyper_err_name(a.err),
          hyper_err_name(b.err), (unsigned long long)a.out_bytes,
          (unsigned long long)b.out_bytes, (unsigned long long)a.out_hash,
          (unsigned long long)b.out_hash, a.nevents, b.nevents,
          (unsigned long long)a.hash, (unsigned long long)b.hash);
  }
  free(in);
  return 0;
}
