/* The blocking HTTP/2 client: private structures shared by client.c
 * (lifecycle, connect, close, errors), drive.c (the loop that moves bytes
 * between the transport and the sans-IO core and files events under their
 * streams), request.c (requests and request bodies), response.c (reading
 * responses, content decoding) and push.c (server push). Private to src/.
 *
 * Ownership: a hyper_client owns a list of client streams (hyper__cstream),
 * one per request it sent or was started with putrequest, and one per
 * stream the server promised. A response or push object handed to the
 * caller refers to its client stream; the stream is freed when nothing
 * refers to it any more: the client list (while attached, until the
 * caller has released it and the stream is done), the response and the
 * push. hyper_client_close() detaches ("orphans") the streams the caller
 * still holds and frees the rest, so a response can outlive its client.
 *
 * The client holds no protocol logic: frames, state and flow control are
 * the core's (h2.h). The core runs in acknowledged mode: DATA is
 * acknowledged when the application consumes it (or early, see "spill" in
 * drive.c).
 */
#ifndef HYPER_CLIENT_INT_H
#define HYPER_CLIENT_INT_H

#include "hyper/client.h"

#include "../common/internal.h"
#include "../decode/decode.h"
#include "../io/transport.h"

/* hyper__cstream.flags */
#define CS_PUSH 0x0001u        /* promised by the server */
#define CS_SENT 0x0002u        /* request HEADERS queued: |id| is real */
#define CS_LOCAL_END 0x0004u   /* we ended our side (END_STREAM or reset) */
#define CS_HEAD 0x0008u        /* the final response head arrived */
#define CS_REMOTE_END 0x0010u  /* the peer ended its side */
#define CS_RESET 0x0020u       /* reset, by either side */
#define CS_TAKEN 0x0040u       /* the response object was handed out */
#define CS_PUSH_OUT 0x0080u    /* the push object was handed out */
#define CS_DISCARD 0x0100u     /* closed or cancelled: drop incoming data */
#define CS_DRAIN 0x0200u       /* the caller wants the whole body held in
                                  memory: acknowledge DATA on arrival */
#define CS_ORPHAN 0x0400u      /* the connection is gone */
#define CS_H1_RESEND 0x0800u   /* HTTP/1.1: send again on a new connection */
#define CS_CE_SCANNED 0x1000u  /* drive.c filed the HTTP/2 response head
                                  and noted whether it has content-encoding */
#define CS_CODED 0x2000u       /* ... it has (decoding may be needed) */
#define CS_KEPT 0x4000u        /* HTTP/2: |wire| holds the request packed
                                  for a retry (request.c) */
#define CS_MOVED 0x8000u       /* sent again on a new connection after a
                                  GOAWAY or a 421 (at most once) */
#define CS_RAWH 0x10000u       /* HTTP/2: the response head is in |rawh|,
                                  its map not built yet (hyper__cs_headers) */

typedef struct hyper__cstream hyper__cstream;

/* Slots of the stream lookup cache (a power of two). */
#define HYPER__FIND_CACHE 256u

struct hyper__cstream {
  hyper_mem mem;
  hyper__cstream *prev, *next; /* the client's list, creation order */
  hyper_client *cl;            /* NULL once orphaned */
  uint32_t id;                 /* stream id (predicted until CS_SENT) */
  uint32_t parent;             /* push: the stream it was promised on */
  uint32_t flags;              /* CS_* */
  int err;                     /* why no more data will come (0: none) */
  uint32_t h2_code;            /* RST_STREAM code received or sent */
  int64_t deadline;            /* request deadline (absolute, ms) */
  hyper_hdrs *req;             /* putrequest: fields until sent */
  int status;                  /* :status of the final response */
  hyper_hdrs *headers;         /* response fields (no pseudo-headers) */
  hyper_hdrs *trailers;        /* trailer fields, NULL when none */
  hyper_hdrs *promise;         /* push: the promised request, as received */
  hyper_hdrs *spare_headers;   /* recycled empty map for an HTTP/2 head */
  /* The fields of an HTTP/2 response head as received (CS_RAWH): |rawh_n|
   * hyper_field records, then the octets they point to, in one block kept
   * across recycling. Most programs read the status and the body only, so
   * the header map is built on first use, not per response. */
  uint8_t *rawh;
  size_t rawh_cap;
  uint32_t rawh_n;
  /* Response body as received (wire octets), [start, end) of buf. */
  uint8_t *buf;
  size_t start, end, cap;
  /* The DATA frame boundaries inside it: a ring of remaining lengths. */
  size_t *chunks;
  size_t chead, ccount, ccap;
  /* Octets at the back of the buffer not yet acknowledged to the core; the
   * ones in front of them were acknowledged early (spilled or drained). */
  size_t unacked;
  /* hyper_resp_read() waiting with an empty buffer lends its destination:
   * DATA of this stream then lands there directly (one copy fewer) while
   * the buffer stays empty; |direct_len| octets were stored. NULL: none. */
  uint8_t *direct;
  size_t direct_cap, direct_len;
  /* HTTP/1.1 (h1conn.c) */
  char *reason;      /* reason phrase, NUL-terminated; NULL: "" */
  uint8_t *wire;     /* the whole request as sent, kept for a resend;
                        HTTP/2 with CS_KEPT: hyper__kept_* format */
  size_t wire_len;
  uint32_t h1_flags; /* HYPER_H1_REQ_* given to the parser */
  uint32_t gen;      /* the connection (generation) it was sent on */
  int retried;       /* sent a second time already */
  /* Automatic retries (request.c): a stream that carries a retry answers
   * to the caller's id |uid| (0: it is the original, |id|); |nretry|
   * retries of the request were made before this stream. */
  uint32_t uid;
  uint32_t nretry;
  uint32_t cached;   /* 1 + its slot in the client's find_cache; 0: none */
  hyper_resp *resp; /* the response object, while it exists */
  hyper_push *push; /* the push object, while it exists */
};

struct hyper_client {
  hyper_mem mem;
  hyper_client_opts opts; /* strings point into |strs| */
  char *strs;
  char host[HYPER__IO_MAX_HOST_LEN + 1];
  uint16_t port;
  char authority[HYPER__IO_MAX_HOST_LEN + 16];
  size_t authority_len; /* strlen(authority) */
  hyper__tls_ctx *tls;
  hyper__io *io;      /* NULL while not connected */
  hyper_h2_conn *h2;  /* NULL while not connected */
  int conn_err;       /* sticky: why this connection is unusable */
  int got_settings;   /* the server's first SETTINGS arrived */
  int goaway;         /* GOAWAY received */
  uint32_t goaway_last, goaway_code;
  hyper__cstream *head, *tail;
  uint32_t npending;  /* putrequests whose headers are not sent */
  uint32_t last_put;  /* id of the latest putrequest */
  uint32_t recent;    /* id of the latest request sent */
  /* PING */
  int ping_out;       /* a PING of ours is unanswered */
  int ping_keepalive; /* ... and it is a dead-peer probe */
  int64_t ping_sent;
  uint8_t ping_data[8];
  uint64_t ping_seq;
  int64_t rtt;
  int64_t last_rx;    /* when the peer last sent a byte */
  uint64_t nreads;    /* successful socket reads (drive.c pump) */
  int poll_stalled;   /* hyper_client_poll(): input looked buffered but a
                         read gave nothing (a partial TLS record): wait on
                         the socket next time */
  hyper_client_error err;
  struct hyper__h1c *h1; /* HTTP/1.1 state; NULL until first used */
  /* hyper__client_find()'s cache: slot (id >> 1) % HYPER__FIND_CACHE holds
   * the attached stream last found with such an id, or NULL. A hint only:
   * checked against the id on use, cleared when the stream is unlinked or
   * freed. Makes filing an event O(1) with many streams open. */
  hyper__cstream *find_cache[HYPER__FIND_CACHE];
  /* Spare stream records and response objects, kept for reuse so that the
   * steady state of an HTTP/2 connection allocates no stream record, body
   * buffer, chunk ring, header map or response object per request (see
   * hyper__cs_new(), hyper__cs_release(), hyper_resp_free()). Linked
   * through |next|; at most HYPER__SPARES of each; freed by
   * hyper__client_free_spares(). */
  hyper__cstream *spare_cs;
  hyper_resp *spare_resp;
  unsigned nspare_cs, nspare_resp;
  /* Spare request header maps (cleared), for hyper__client_req_map(). */
  hyper_hdrs *spare_maps[16];
  unsigned nspare_maps;
  /* Spare kept-request blocks (CS_KEPT), for keep_for_retry(). */
  uint8_t *spare_kept[16];
  unsigned nspare_kept;
  /* Hidden successor: a client to the same origin with the same options
   * that carries requests retried on a new connection (GOAWAY, 421, a
   * refused stream when this connection is unusable; request.c). It may
   * have its own successor. Closed with this client, freed with it. */
  hyper_client *retry_next;
};

/* The find_cache slot of stream |id|. */
static inline size_t hyper__find_slot(uint32_t id) {
  return (size_t)(id >> 1) & (HYPER__FIND_CACHE - 1u);
}

/* Most spare stream records / response objects a client keeps. */
#define HYPER__SPARES 64u
/* Larger body buffers, chunk rings and header maps are not kept. */
#define HYPER__SPARE_BUF_MAX (64u * 1024u)
#define HYPER__SPARE_HDRS_MAX 4096u

struct hyper_resp {
  hyper__cstream *cs;
  int decode;       /* undo content-encoding */
  int started;      /* a read happened */
  int closed;
  hyper__decoder *dec;
  int dec_full;     /* the last feed filled its output: more may wait */
  int dec_done;     /* finish() ran */
  int err;          /* sticky decoding error */
  uint8_t *out;     /* scratch for read_all / read_chunk */
  size_t out_len, out_cap;
  hyper_hdrs *empty; /* empty trailer map when there were none */
  hyper_resp *next_spare; /* the client's spare list */
};

struct hyper_push {
  hyper__cstream *cs;
  char *method, *scheme, *authority, *path;
  int cancelled;
};

/* ---- client.c -------------------------------------------------------- */

/* Records the last error on |cl| (may be NULL: nothing is recorded) and
 * returns |code|. */
int hyper__client_err(hyper_client *cl, int code, uint32_t h2_code,
                      uint32_t stream_id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Copies the transport's detail of the last failure and returns |code|. */
int hyper__client_err_io(hyper_client *cl, int code,
                         const hyper__io_error *e);
/* Copies the core's detail of the last failure and returns |code|. */
int hyper__client_err_h2(hyper_client *cl, int code);

/* The deadline of a request made now (request_timeout_ms). */
int64_t hyper__client_request_deadline(const hyper_client *cl);

/* ---- drive.c ----------------------------------------------------------- */

/* Writes everything the core has queued, by |deadline|. A failure fails
 * the connection. */
int hyper__client_flush(hyper_client *cl, int64_t deadline);

/* hyper__client_flush() after the request |cs| (no body) was queued,
 * except that with the coalesce_requests option the output may stay queued
 * while an earlier request still awaits its response (see client.h). */
int hyper__client_flush_request(hyper_client *cl, const hyper__cstream *cs,
                                int64_t deadline);

/* One read from the socket (waiting until |deadline|, bounded by the read
 * timeout; with |nowait| only what is there now), fed to the core, every
 * event filed, output flushed. Sends keepalive PINGs and detects a dead
 * peer. Returns 0 or a hyper_err (connection errors are sticky).
 * |nowait| 2 (between frames of an in-memory request body): does nothing
 * until 64 KiB of output are queued, so that writes and reads are batched
 * (a waiting pump, or the end of the body, writes the rest). */
int hyper__client_pump(hyper_client *cl, int64_t deadline, int nowait);

/* Condition for hyper__client_wait(): 1 done, 0 not yet, <0 an error. */
typedef int (*hyper__client_cond)(hyper_client *cl, hyper__cstream *cs,
                                  void *arg);

/* Drives the connection until |cond| holds. |cs| (may be NULL) is the
 * stream waited for: the others may be spilled (acknowledged early) when
 * their unread data has closed the connection window. */
int hyper__client_wait(hyper_client *cl, hyper__cstream *cs,
                       hyper__client_cond cond, void *arg, int64_t deadline);

/* Acknowledges early the unread data of every stream but |except|, when
 * the connection window is low (|force|: whenever there is some), within
 * max_buffered. Returns 0 or HYPER_ERR_LIMIT_EXCEEDED. */
int hyper__client_spill(hyper_client *cl, hyper__cstream *except, int force);

/* Marks the connection failed with |code| (sticky) and every unfinished
 * stream with it. Returns |code|. */
int hyper__client_fail(hyper_client *cl, int code);

/* The attached stream with |id|, or NULL. */
hyper__cstream *hyper__client_find(hyper_client *cl, uint32_t id);
/* The stream that answers to the caller's request |id| of |c|, wherever an
 * automatic or HTTP/1.1 retry moved it (request.c); NULL when none. */
hyper__cstream *hyper__client_lookup(hyper_client *c, uint32_t id);
/* Enters the attached stream |cs| in the lookup cache of |cl| under its
 * current id. */
void hyper__client_remember(hyper_client *cl, hyper__cstream *cs);
/* Forgets |cs| in the lookup cache of |cl| (it leaves the list). */
void hyper__client_forget(hyper_client *cl, hyper__cstream *cs);

/* ---- streams (response.c) ------------------------------------------------ */

/* A new stream (not linked). Returns 0 or HYPER_ERR_NOMEM. */
int hyper__cs_new(hyper_client *cl, hyper__cstream **out);
/* Appends |cs| to the client's list. */
void hyper__cs_link(hyper_client *cl, hyper__cstream *cs);
/* Removes |cs| from its client's list (it becomes an orphan). */
void hyper__cs_unlink(hyper__cstream *cs);
/* Frees |cs| and what it owns (not linked). */
void hyper__cs_free(hyper__cstream *cs);
/* Frees |cs| when nothing refers to it any more. */
void hyper__cs_release(hyper__cstream *cs);
/* Appends a DATA payload as one chunk. 0 or HYPER_ERR_NOMEM. */
int hyper__cs_append(hyper__cstream *cs, const uint8_t *p, size_t n);
/* Acknowledges |n| octets of |cs| to the core (connection gone: no-op). */
void hyper__cs_ack(hyper__cstream *cs, size_t n);
/* Acknowledges every unacknowledged octet buffered in |cs|. */
void hyper__cs_ack_all(hyper__cstream *cs);
/* Drops the buffered body, acknowledging what was unacknowledged. */
void hyper__cs_drop_body(hyper__cstream *cs);
/* Resets the stream with |code| unless it is already closed, drops its
 * body and marks it CS_DISCARD. */
void hyper__cs_cancel(hyper__cstream *cs, uint32_t code);
/* Frees the spare stream records, response objects and maps of |cl|. */
void hyper__client_free_spares(hyper_client *cl);
/* A new, empty request header map (lowercasing names), a spare one when
 * there is one. Returns 0 or HYPER_ERR_NOMEM. */
int hyper__client_req_map(hyper_client *cl, hyper_hdrs **out);
/* Gives back a request map from hyper__client_req_map() (NULL: no-op):
 * kept as a spare when small, else freed. */
void hyper__client_req_map_put(hyper_client *cl, hyper_hdrs *h);
/* The HTTP/2 request kept for a retry over HTTP/1.1 (CS_KEPT, RFC 9113
 * §8.1.1) or an automatic one (max_retries, request.c), packed into one block in |cs->wire| (exact size when made; a
 * spare block of the client reused for a request that fits): a header of
 * four 32-bit numbers (fields, offset of the body, body length, size of
 * the block), then each field as 32-bit name and value lengths followed by
 * the octets (no padding; read with memcpy), then the body. :scheme is not
 * kept. */
#define HYPER__KEPT_HDR 16u
/* The largest block kept as a spare. */
#define HYPER__KEPT_SPARE_MAX 512u
/* Field |*off| of the kept block |k| (|off| starts at HYPER__KEPT_HDR and
 * advances). */
void hyper__kept_field(const uint8_t *k, size_t *off, hyper_field *f);
/* Keeps the non-pseudo fields of the HTTP/2 response head |f| (|n|) in
 * |cs| (CS_RAWH) until hyper__cs_headers() is asked. 0 or HYPER_ERR_NOMEM. */
int hyper__cs_keep_head(hyper__cstream *cs, const hyper_field *f, size_t n);
/* The response header map of |cs|: built from the kept head on first use.
 * NULL when memory ran out (or there is no head). */
hyper_hdrs *hyper__cs_headers(hyper__cstream *cs);
/* A kept request unpacked for sending again (hyper__kept_unpack()):
 * |method| and |path| NUL-terminated in one block the caller frees with
 * hyper__kept_req_free(); |body| points into the kept block. */
typedef struct hyper__kept_req {
  char *method, *path;
  size_t method_len, path_len;
  const uint8_t *body;
  size_t body_len;
  int has_body; /* content-length is among the fields */
} hyper__kept_req;
/* Unpacks the kept block |k|: the caller's fields into |h|, :authority as
 * a |host_name| field, the rest into |*out|. 0, HYPER_ERR_NOMEM or an
 * error of hyper_hdrs_add() (|*out| then holds nothing to free). */
int hyper__kept_unpack(const hyper_mem *mem, const uint8_t *k, hyper_hdrs *h,
                       const char *host_name, hyper__kept_req *out);
void hyper__kept_req_free(const hyper_mem *mem, hyper__kept_req *r);
/* Makes a response object for |cs| (whose head has arrived). */
int hyper__resp_new(hyper__cstream *cs, hyper_resp **out);

/* Waits for the final response head of |cs|. */
int hyper__cs_wait_head(hyper__cstream *cs);

/* ---- h1conn.c (HTTP/1.1) ---------------------------------------------- */

/* Nonzero when |cl| speaks HTTP/1.1 on its open connection. */
int hyper__h1c_active(const hyper_client *cl);
/* Starts HTTP/1.1 on the freshly connected cl->io (a new connection
 * generation); then sends again the requests marked CS_H1_RESEND. */
int hyper__h1c_attach(hyper_client *cl);
/* Closes the HTTP/1.1 connection (cl->io) if open; unfinished requests
 * fail with INVALID_STATE. */
void hyper__h1c_teardown(hyper_client *cl);
/* Nonzero when |cs| must stay linked although the caller released it: its
 * HTTP/1.1 response has not been read off the connection yet (it is then
 * discarded as it arrives and |cs| freed at its end). */
int hyper__h1c_keep(const hyper__cstream *cs);
/* Closes the open HTTP/1.1 connection as if the server had closed it
 * after the last complete response (resends as described there). */
void hyper__h1c_close_conn(hyper_client *cl);
/* Frees the HTTP/1.1 state. */
void hyper__h1c_free(hyper_client *cl);
/* request() / request_stream() over HTTP/1.1 (|fn| NULL: |body|, |len|). */
int hyper__h1c_request(hyper_client *cl, const char *method, const char *path,
                       const hyper_hdrs *headers, const void *body,
                       size_t len, int has_body, hyper_client_body_fn fn,
                       void *user, uint32_t *id);
/* hyper__client_wait() over HTTP/1.1. */
int hyper__h1c_wait(hyper_client *cl, hyper__cstream *cs,
                    hyper__client_cond cond, void *arg, int64_t deadline);
/* A response of |cs| is closed before its body ended: the connection
 * cannot be reused (closed now). */
void hyper__h1c_abandon(hyper_client *cl, hyper__cstream *cs);
/* hyper_client_poll() (poll.c): nonzero when the HTTP/1.1 connection can
 * make progress without reading the socket (buffered input to parse, a
 * switch or close to carry out). */
int hyper__h1c_poll_ready(const hyper_client *cl);
/* hyper_client_poll(): one step of the HTTP/1.1 connection (parse what is
 * buffered, else one read, waiting at most until |deadline|). */
int hyper__h1c_step(hyper_client *cl, int64_t deadline);
/* The hidden HTTP/1.1 client of HTTP_1_1_REQUIRED retries, or NULL. */
hyper_client *hyper__h1c_fallback_of(const hyper_client *cl);

/* ---- h2c upgrade and the HTTP/1.1 fallback (h1conn.c, client.c) ------- */

/* A new client-role HTTP/2 core configured from the client's options. */
int hyper__client_h2_new(hyper_client *cl, hyper_h2_conn **out);
/* hyper__h1c_request() returns this when the connection switched to
 * HTTP/2 (101 to an Upgrade: h2c offer) before the request was written:
 * send it over HTTP/2. */
#define HYPER__H1C_NOW_H2 1
/* Closes the HTTP/1.1 client that carries HTTP_1_1_REQUIRED retries. */
void hyper__h1c_close_fallback(hyper_client *cl, uint32_t error_code);
/* |cs| (HTTP/2, kept request in cs->req, body in cs->wire) was refused
 * with HTTP_1_1_REQUIRED (RST_STREAM, or GOAWAY) before its response: sends
 * it again over HTTP/1.1 on a separate connection and stores the stream
 * that carries it in |*out| (it takes the id of |cs|). Returns 0,
 * HYPER_ERR_UNSUPPORTED when |cs| cannot be retried (nothing kept, a
 * response head came, or retried already), or the error of the request. */
int hyper__h1c_fallback(hyper_client *cl, hyper__cstream *cs,
                        hyper__cstream **out);

#endif /* HYPER_CLIENT_INT_H */
