/*
 * hyper — the blocking HTTP/2 and HTTP/1.1 client (Python hyper's
 * HTTP20Connection, HTTP11Connection, HTTPConnection, their responses and
 * HTTP20Push in C).
 *
 *   hyper_client *c;
 *   hyper_client_new(&c, "example.com", NULL, NULL);     // TLS, port 443
 *   uint32_t first, second;
 *   hyper_client_request(c, "GET", "/get", NULL, 0, NULL, &first);
 *   hyper_client_request(c, "POST", "/post", "key=value", 9, NULL, &second);
 *   hyper_resp *r;
 *   hyper_client_get_response(c, second, &r);           // any order
 *   printf("%d\n", hyper_resp_status(r));
 *   hyper_slice body;
 *   hyper_resp_read_all(r, &body);                      // decoded if gzip/br
 *   hyper_resp_free(r);
 *   hyper_client_get_response(c, first, &r);
 *   ...
 *   hyper_client_free(c);                               // GOAWAY, close
 *
 * The same object speaks HTTP/1.1 (Python's HTTP11Connection) or picks the
 * protocol with ALPN (HTTPConnection): see hyper_client_opts.protocol. The
 * request and response calls are the same for both protocols; what differs
 * over HTTP/1.1 is listed at that option.
 *
 * One hyper_client is one HTTP/2 connection to one origin (host and port),
 * over TLS with ALPN "h2" by default or over cleartext TCP with prior
 * knowledge (h2c, RFC 9113 §3.3) when |secure| is 0. It connects lazily on
 * the first request (or explicitly with hyper_client_connect()). Requests
 * return the HTTP/2 stream id; any number may be in flight, and responses
 * may be fetched and read in any order: whenever a call must wait, the
 * client reads from the socket and files every frame under its stream.
 *
 * Threads: none inside; a client and the responses and pushes it gave out
 * must be used by one thread at a time.
 *
 * Waiting and deadlines: every call that may wait is bounded. A connection
 * attempt (resolution, TCP, TLS) by connect_timeout_ms; every single wait
 * for the socket by read_timeout_ms (no byte for that long: HYPER_ERR_TIMEOUT);
 * all the waiting done for one request (sending its body, its response
 * head, its body and trailers) by request_timeout_ms counted from the
 * request call, when set. With ping_idle_ms set, a peer that stays silent
 * while we wait is sent a PING, and one that does not answer within
 * ping_timeout_ms is declared dead (HYPER_ERR_TIMEOUT, connection failed).
 * A TIMEOUT of one request does not fail the connection; the call may be
 * retried.
 *
 * Flow control and memory: received DATA is acknowledged to the peer (its
 * flow-control window reopened) when the application reads it, so a
 * response nobody reads holds at most its stream window (4 MiB by default)
 * and all unread responses together at most the connection window (16 MiB).
 * When a call waits for one stream while unread data of other streams has
 * closed the connection window, the client acknowledges that data early
 * ("spills") so the wanted stream can proceed; it does the same while a
 * request body waits for flow-control window, and while a request waits
 * for a free stream slot. Data acknowledged before it was read is capped by
 * max_buffered (HYPER_ERR_LIMIT_EXCEEDED beyond).
 * Window managers (hyper_h2_wm_factory, see h2.h) therefore hear about
 * octets as the application reads them (the core's acknowledged mode).
 *
 * Errors: every function returns 0 (or a count) or a negative hyper_err.
 * The detail of the last failure — text, HTTP/2 error code, stream, errno,
 * X.509 verify result — is kept on the client: hyper_client_last_error().
 * After a connection-level failure (transport error, protocol error,
 * GOAWAY with an error, dead peer) the connection is not used again:
 * streams that had not finished fail with the same code once their
 * buffered data is read, new requests fail with it too, and
 * hyper_client_close() resets the client so that the next request opens a
 * new connection. A fatal code (hyper_err_is_fatal()) allows only the
 * *_free() functions.
 *
 * Memory: the client, its responses and pushes allocate through the
 * hyper_mem given to hyper_client_new() (zlib and brotli too); OpenSSL
 * allocates its own objects outside that hook.
 */
#ifndef HYPER_CLIENT_H
#define HYPER_CLIENT_H

#include "common.h"
#include "h2.h"
#include "hdrs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The connection (Python hyper's HTTP20Connection). Opaque. */
typedef struct hyper_client hyper_client;
/** A response (HTTP20Response), owned by the caller. Opaque. */
typedef struct hyper_resp hyper_resp;
/** A server push (HTTP20Push), owned by the caller. Opaque. */
typedef struct hyper_push hyper_push;

/** Default read buffer size (network_buffer_size): 64 KiB. */
#define HYPER_CLIENT_DEFAULT_BUFFER_SIZE 65536u
/** Default connect timeout (resolution + TCP + TLS), ms. */
#define HYPER_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000
/** Default per-read idle timeout, ms. */
#define HYPER_CLIENT_DEFAULT_READ_TIMEOUT_MS 60000
/** Default time a PING may stay unanswered before the peer is dead, ms. */
#define HYPER_CLIENT_DEFAULT_PING_TIMEOUT_MS 10000
/** Default cap on response data acknowledged before it was read. */
#define HYPER_CLIENT_DEFAULT_MAX_BUFFERED (64u * 1024u * 1024u)
/** Default accept-encoding sent with every request. */
#define HYPER_CLIENT_DEFAULT_ACCEPT_ENCODING "gzip, deflate, br, zstd"
/** Default hyper_client_opts.max_retries: 2. One retry absorbs the usual
 *  transient refusals (a GOAWAY racing a new stream, a stream limit
 *  lowered while a request was in flight); a second covers a retry that
 *  itself races a restart. A server that refuses three times in a row is
 *  shedding load, and further attempts only add to it. */
#define HYPER_CLIENT_DEFAULT_MAX_RETRIES 2u

/** Which protocol a client speaks (hyper_client_opts.protocol). */
typedef enum hyper_client_proto {
  /** HTTP/2 only (Python's HTTP20Connection; the default): TLS with ALPN
   *  "h2" alone, a server that does not select it fails the connection
   *  with HYPER_ERR_TLS_ALPN ("force h2"); cleartext means h2c with prior
   *  knowledge. */
  HYPER_CLIENT_PROTO_H2 = 0,
  /** HTTP/1.1 only (HTTP11Connection): TLS offers ALPN "http/1.1" (a
   *  server that selects nothing is fine); cleartext is plain HTTP/1.1. */
  HYPER_CLIENT_PROTO_HTTP11 = 1,
  /** Whichever the server picks (HTTPConnection): TLS offers "h2" and
   *  "http/1.1" and speaks what the server selects, HTTP/1.1 when it
   *  selects nothing; cleartext speaks HTTP/1.1 (set protocol to H2 for
   *  h2c with prior knowledge). See also |require_h2|. */
  HYPER_CLIENT_PROTO_AUTO = 2,
  /** Cleartext HTTP/1.1 that asks to switch (RFC 7540 §3.2 "Upgrade: h2c",
   *  with HTTP2-Settings): the first request goes out as HTTP/1.1; a 101
   *  Switching Protocols answer turns the connection into HTTP/2, that
   *  request becoming stream 1 (half-closed local); any other answer keeps
   *  HTTP/1.1. Over TLS it behaves as HYPER_CLIENT_PROTO_AUTO (RFC 9113
   *  §3.2: h2 never upgrades over TLS).
   *  Details: the offer (Connection: Upgrade, HTTP2-Settings; Upgrade: h2c;
   *  HTTP2-Settings: the base64url SETTINGS payload) rides on the first
   *  request of the client that has no body or an in-memory body of at
   *  most 16 KiB (a streamed body is never part of an offer; that request
   *  goes out as plain HTTP/1.1 and a later one makes the offer). Its id is
   *  1, also after the switch. While the offer waits for its answer,
   *  further requests wait too (nothing is pipelined behind it) and then
   *  go out over whichever protocol the answer chose. A 101 whose Upgrade
   *  field is not "h2c" fails the request (HYPER_ERR_H1_PARSE). Once a
   *  server has answered an offer without 101 (or closed the connection
   *  on it), the client makes no further offers. In cleartext require_h2
   *  has no effect with this protocol (over TLS it acts as with AUTO). */
  HYPER_CLIENT_PROTO_H2C_UPGRADE = 3
} hyper_client_proto;

/** hyper_client_opts.secure: TLS exactly when the port is 443 (Python
 *  HTTP11Connection's default for |secure|). */
#define HYPER_CLIENT_SECURE_AUTO (-1)

/** What a request does when the stream limit is reached (see
 *  hyper_client_opts.max_concurrent_streams). */
typedef enum hyper_client_limit_mode {
  /** Wait (within the request's deadline) until a stream closes. */
  HYPER_CLIENT_LIMIT_WAIT = 0,
  /** Fail at once with HYPER_ERR_LIMIT_EXCEEDED. */
  HYPER_CLIENT_LIMIT_FAIL = 1
} hyper_client_limit_mode;

/**
 * Connection options. Fill with hyper_client_opts_init(), change fields,
 * pass to hyper_client_new(), which copies the struct and every string in
 * it (they need not outlive the call).
 */
typedef struct hyper_client_opts {
  /** The port; 0 (default) takes it from "host:port", else 443 when
   *  |secure|, 80 when not. A port in the host string wins over this. */
  uint16_t port;
  /** 1 (default): TLS with ALPN "h2" (a server that does not select h2
   *  fails the connection with HYPER_ERR_TLS_ALPN; HTTP/1.1 fallback is not
   *  done here). 0: cleartext HTTP/2 with prior knowledge (h2c).
   *  HYPER_CLIENT_SECURE_AUTO: TLS when the port is 443; see |protocol|
   *  for what TLS and cleartext mean with the other protocols. */
  int secure;
  /** Trust anchors: a PEM bundle and/or an OpenSSL hashed directory; when
   *  either is set they replace the system store. NULL: the system store. */
  const char *ca_file;
  const char *ca_dir;
  /** Client certificate (PEM, may hold its chain) and unencrypted private
   *  key (PEM): both or neither. */
  const char *cert_file;
  const char *key_file;
  /** Nonzero switches off certificate chain AND host name verification.
   *  Never the default; for tests and an explicit user choice only. */
  int insecure;
  /** Nonzero: allow server push (SETTINGS_ENABLE_PUSH 1) and collect the
   *  pushes for hyper_client_next_push(). Default 0. */
  int enable_push;
  /** Window managers for every stream and the connection (h2.h); create
   *  NULL (default) means hyper's default manager. |user| must stay valid
   *  as long as the client. */
  hyper_h2_wm_factory window_manager;
  /** Connection attempt budget in ms (> 0; default 10000). */
  int64_t connect_timeout_ms;
  /** Longest wait for the socket with no progress, in ms (> 0; default
   *  60000): the per-read idle timeout. */
  int64_t read_timeout_ms;
  /** Total time for one request, counted from the request call, in ms
   *  (0, the default: none). Bounds sending the body, waiting for the
   *  response head, reading the body and the trailers. */
  int64_t request_timeout_ms;
  /** While waiting, send a PING after this many ms without a byte from the
   *  peer (0, the default: never). */
  int64_t ping_idle_ms;
  /** A PING unanswered for this many ms means the peer is dead: the call
   *  fails with HYPER_ERR_TIMEOUT and so does the connection (> 0; default
   *  10000). Also bounds hyper_client_ping() when it is given 0. */
  int64_t ping_timeout_ms;
  /** Size of the read buffer in bytes (network_buffer_size; 1 .. 16 MiB;
   *  default 65536). */
  size_t network_buffer_size;
  /** The most streams this client keeps open at once; 0 (default): as
   *  many as the server's SETTINGS_MAX_CONCURRENT_STREAMS allows. The
   *  lower of the two applies. */
  uint32_t max_concurrent_streams;
  /** What a request does at that limit (default HYPER_CLIENT_LIMIT_WAIT).
   *  Waiting fails at once with HYPER_ERR_LIMIT_EXCEEDED when no open
   *  stream can close without the caller (every one still expects request
   *  data from hyper_client_send()). */
  hyper_client_limit_mode limit_mode;
  /** Cap on response bytes acknowledged before the application read them
   *  (see "Flow control and memory" above); default 64 MiB. Bodies that the
   *  caller asked to hold whole (hyper_resp_read_all(),
   *  hyper_resp_trailers()) do not count. */
  size_t max_buffered;
  /** Nonzero (default): responses are decoded according to their
   *  content-encoding (gzip, x-gzip, deflate, br, and stacks of them) by
   *  default; see hyper_resp_set_decode_content(). */
  int decode_content;
  /** Decompression-bomb limits for decoded bodies: the most decoded octets
   *  one body may produce (default 1 GiB; 0: no limit), and the largest
   *  decoded/encoded ratio once 1 MiB has been decoded (default 1000; 0: no
   *  limit). Beyond either, reads fail with HYPER_ERR_DECODE_RATIO. */
  uint64_t max_decoded_size;
  uint32_t max_decode_ratio;
  /** The accept-encoding value added to requests that carry none (default
   *  HYPER_CLIENT_DEFAULT_ACCEPT_ENCODING); NULL or "" adds nothing. */
  const char *accept_encoding;
  /** 0: any address family (default); 4: IPv4 only; 6: IPv6 only. */
  int family;
  /** Optional HTTP/2 trace hook (frames and header blocks, see h2.h),
   *  passed through to the core, and its user pointer. */
  hyper_h2_trace_fn trace;
  void *trace_user;
  /** The protocol (see hyper_client_proto); default HYPER_CLIENT_PROTO_H2.
   *  Over HTTP/1.1 the same request and response calls work with these
   *  differences: ids are still odd numbers 1, 3, 5, ... but name queued
   *  requests, not streams; requests are written at once and pipelined
   *  (responses are matched in order; reading a later response first holds
   *  the earlier bodies in memory, up to max_buffered: beyond it the call
   *  fails with HYPER_ERR_LIMIT_EXCEEDED, which does not fail the
   *  connection: read or close the earlier responses and call again; one
   *  read buffer (network_buffer_size) may come on top; at
   *  most HYPER_H1_MAX_PIPELINE wait at once, a further request first
   *  reads responses); putrequest/putheader/endheaders/send,
   *  ping and pushes are not available (HYPER_ERR_UNSUPPORTED; next_push
   *  returns 0); the reason phrase is the server's; read_chunk() returns
   *  the body as it arrived, a piece never spanning two chunks; closing a
   *  response whose body has not ended closes the connection. Keep-alive:
   *  the connection is reused unless a response forbids it (Connection:
   *  close, HTTP/1.0, close-delimited body, a body longer than declared,
   *  any parse error); the next request then opens a new one. A request
   *  without a body or with an in-memory body whose method is idempotent
   *  (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) is sent again once on a new
   *  connection when a reused connection closes before one byte of its
   *  response arrived, or when it was pipelined behind a response that
   *  closed the connection; other requests fail with HYPER_ERR_EOF. When
   *  the server sends a final response before the request body was fully
   *  sent, uploading stops, the response is kept and the connection is not
   *  reused (an interim 1xx such as 100 Continue does not stop it). */
  hyper_client_proto protocol;
  /** With HYPER_CLIENT_PROTO_AUTO over TLS: offer both protocols but fail
   *  the connection with HYPER_ERR_TLS_ALPN when the server does not select
   *  "h2"; over cleartext: h2c with prior knowledge. Default 0.
   *  Whatever the protocol: an HTTP/2 request that the server refuses
   *  with HTTP_1_1_REQUIRED (RFC 9113 §8.1.1; RST_STREAM, or GOAWAY for
   *  the requests it left unanswered) before its response is sent once
   *  more over HTTP/1.1 on a separate connection to the same origin (TLS:
   *  ALPN "http/1.1" only; cleartext: plain HTTP/1.1), opened when first
   *  needed and kept for later retries; hyper_client_get_response() with
   *  the original id returns that response (HTTP/1.1 rules apply to it).
   *  This needs the request kept in memory until its response head
   *  arrives: requests made with hyper_client_request() whose body is at
   *  most 64 KiB; the others (streamed or larger bodies, putrequest) fail
   *  with HYPER_ERR_H2_STREAM_CLOSED and h2_code HTTP_1_1_REQUIRED. */
  int require_h2;
  /** Nonzero: coalesce pipelined requests (HTTP/2). A request without a
   *  body made while the response of an earlier request on the connection
   *  has not been fetched yet is not written at once: its HEADERS frame
   *  stays queued (up to 64 KiB of output) and goes out with the next
   *  write, at the latest when a call waits for the socket (fetching or
   *  reading a response, ping, a request that waits for a stream slot or
   *  sends a body) or closes the connection. Many requests then share one
   *  system call instead of one each. Do not set it when the server must
   *  see such a request before the next call on this client (e.g. another
   *  connection waits for its effect), or call hyper_client_flush() first.
   *  HYPER_CLIENT_COALESCE_ALL (2): every request without a body is held
   *  that way, also the first of a batch, for programs that drive their
   *  connections with hyper_client_poll() (which writes what is held, as
   *  curl's multi interface sends what was added at its next perform):
   *  a batch of requests then costs one write however it starts.
   *  Default 0: every request is handed to the socket before the call
   *  returns. */
  int coalesce_requests;
  /** The most automatic retries of one request (default
   *  HYPER_CLIENT_DEFAULT_MAX_RETRIES; 0: none, the errors below reach the
   *  caller as they are). Only requests that the server did not process,
   *  or that it answered with 421 Misdirected Request, are retried, and
   *  only HTTP/2 requests made with hyper_client_request() whose body is
   *  at most 64 KiB (the request is kept in memory until its response
   *  head arrives, when memory allows; streamed bodies, putrequest and
   *  HTTP/1.1 requests are never retried):
   *  - RST_STREAM(REFUSED_STREAM) before the response head (RFC 9113
   *    §8.7: not processed): sent again on the same connection as a new
   *    stream when the connection still takes requests, else on a new
   *    one; after max_retries refusals the request fails with
   *    HYPER_ERR_H2_REFUSED_STREAM;
   *  - GOAWAY whose last-stream-id is below the request's stream (RFC 9113
   *    §6.8: not processed; an error code other than HTTP_1_1_REQUIRED,
   *    see |require_h2|): sent again on a new connection, together with
   *    the other unprocessed requests of that connection; streams up to
   *    the last-stream-id keep completing on the old one;
   *  - a 421 final response (RFC 9110 §15.5.20, whatever the method): sent
   *    again on a new connection; a second 421 is returned as is.
   *  Each retry counts; a request moves to a new connection for a GOAWAY
   *  or a 421 at most once. Each attempt waits for the server's answer,
   *  all within the request's deadline (request_timeout_ms). The new
   *  connection belongs to a hidden client to the same origin with these
   *  options (HTTP/2, or what ALPN picks), opened when first needed, kept
   *  for later retries and closed with this client; see
   *  hyper_client_get_response() for what the caller sees. */
  uint32_t max_retries;
} hyper_client_opts;

/** hyper_client_opts.coalesce_requests: hold every bodiless request until
 *  the next call that writes or waits (see there). */
#define HYPER_CLIENT_COALESCE_ALL 2

/** Fills |o| with the defaults listed at each field. |o| must not be NULL.
 *  Never fails. */
HYPER_EXTERN void hyper_client_opts_init(hyper_client_opts *o);

/**
 * Detail of the last failure on a client (STYLE §3.4 rule c). |desc| is one
 * line of text naming what failed ("connect to 127.0.0.1 port 1: Connection
 * refused", "stream 3 reset by the peer: REFUSED_STREAM").
 */
typedef struct hyper_client_error {
  int code;             /**< the hyper_err returned; 0 when none */
  uint32_t h2_code;     /**< HTTP/2 wire code sent or received, if any */
  uint32_t stream_id;   /**< the stream concerned; 0: the connection */
  int sys_errno;        /**< errno of a failing system call, or 0 */
  long verify_result;   /**< X509_V_* for HYPER_ERR_TLS_VERIFY, else 0 */
  char desc[192];       /**< NUL-terminated, possibly truncated */
} hyper_client_error;

/* ------------------------------------------------------------------------ */
/* The connection                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Creates a client for |host|: a DNS name or an IP literal, optionally with
 * ":port" ("example.com", "example.com:8443", "127.0.0.1:8080",
 * "[::1]:8443"; an IPv6 literal without brackets takes no port). Nothing is
 * sent until the first request or hyper_client_connect(). |opts| may be
 * NULL (defaults) and is copied with its strings; |mem| may be NULL (the C
 * library) and is copied by value.
 *
 * Ownership: on success the caller owns |*out| and releases it with
 * hyper_client_free().
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| or |host| is NULL, the host is empty,
 *                               too long or has a bad port, or an option is
 *                               out of range (a timeout <= 0, a buffer size
 *                               outside 1..16 MiB, cert without key).
 *   HYPER_ERR_NOMEM             allocation failed (|*out| untouched).
 */
HYPER_EXTERN int hyper_client_new(hyper_client **out, const char *host,
                                  const hyper_client_opts *opts,
                                  const hyper_mem *mem);

/**
 * Closes the connection if one is open (hyper_client_close() with
 * NO_ERROR) and frees |c|. Responses and pushes obtained from |c| stay
 * valid and must still be freed by the caller: their headers and already
 * received data remain readable, anything more fails with
 * HYPER_ERR_INVALID_STATE. NULL is a no-op.
 */
HYPER_EXTERN void hyper_client_free(hyper_client *c);

/**
 * Connects now: resolves, connects (TCP_NODELAY), runs the TLS handshake
 * with SNI, ALPN "h2" and verification (unless |secure| is 0), sends the
 * HTTP/2 preface and SETTINGS, and waits for the server's SETTINGS so that
 * its limits are known before the first request. A no-op when connected.
 * Requests call it themselves.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_RESOLVE, HYPER_ERR_CONNECT, HYPER_ERR_TIMEOUT,
 *   HYPER_ERR_TLS_HANDSHAKE, HYPER_ERR_TLS_VERIFY (default verification
 *   failed; detail in verify_result), HYPER_ERR_TLS_ALPN (the server did not
 *   select "h2"), HYPER_ERR_TLS, HYPER_ERR_EOF, HYPER_ERR_IO,
 *   HYPER_ERR_INVALID_ARGUMENT (an unreadable CA, certificate or key file),
 *   HYPER_ERR_H2_GOAWAY (the server sent GOAWAY and then closed: call
 *   hyper_client_close() to reconnect),
 *   any HTTP/2 connection error the server's first frames cause,
 *   the sticky error of a failed connection not yet reset with
 *   hyper_client_close(), and HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_connect(hyper_client *c);

/**
 * Closes the connection: sends GOAWAY(|error_code|, a hyper_h2_code;
 * HYPER_H2_NO_ERROR for a normal close) as far as the socket takes it
 * without waiting past the read timeout, then closes the socket. Requests
 * whose response was not yet fetched are dropped; responses and pushes the
 * caller holds keep what they received (later reads beyond it fail with
 * HYPER_ERR_INVALID_STATE). The client returns to its initial state: the
 * next request opens a new connection. A no-op when not connected.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|c| is NULL). Failing to send
 * the GOAWAY is not an error (the socket is closed either way).
 */
HYPER_EXTERN int hyper_client_close(hyper_client *c, uint32_t error_code);

/**
 * Sends a PING and waits for its acknowledgement, processing other frames
 * meanwhile, for at most |timeout_ms| (0: the ping_timeout_ms option).
 * Stores the round-trip time in ms in |*rtt_ms| (may be NULL). Connects
 * first if needed. No answer in time does not fail the connection.
 *
 * Returns 0, or HYPER_ERR_TIMEOUT, a connection error, HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_ping(hyper_client *c, int64_t timeout_ms,
                                   int64_t *rtt_ms);

/**
 * Writes the output queued on the connection to the socket now, without
 * reading: above all the requests held back by coalesce_requests. For a
 * program that must have a server see the requests queued so far before
 * it waits on something else (another connection, another event source).
 * Each call with output queued costs one write (system call), so calling
 * it after every request undoes what coalescing saves. Waits for the
 * socket at most request_timeout_ms. A no-op returning 0 when not
 * connected, when nothing is queued, and over HTTP/1.1 (requests are
 * written at once there).
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|c| is NULL), or the
 * connection's error (HYPER_ERR_TIMEOUT, an I/O error: the connection has
 * then failed; see hyper_client_last_error()).
 */
HYPER_EXTERN int hyper_client_flush(hyper_client *c);

/* ------------------------------------------------------------------------ */
/* Several connections in one thread                                        */
/* ------------------------------------------------------------------------ */
/*
 * The blocking calls wait on one connection. A program that keeps requests
 * in flight on several connections at once (h2load -c10 -m10, a crawler)
 * would then wait on one server while responses sit unread on the others.
 * hyper_client_poll() waits on all of them at once and moves whatever
 * arrived into each client; hyper_client_response_state() then tells,
 * without waiting, which responses can be fetched and read without
 * blocking. A loop:
 *
 *     for (;;) {
 *       hyper_client_poll(clients, n, 1000);
 *       for each client c, for each request id outstanding on c:
 *         if (hyper_client_response_state(c, id) == HYPER_RESPONSE_COMPLETE)
 *           hyper_client_get_response(c, id, &r), read, hyper_resp_free(r);
 *     }
 */

/** hyper_client_response_state(): no part of the response has arrived. */
#define HYPER_RESPONSE_PENDING 0
/** ... the final response head has arrived; the body may not have. */
#define HYPER_RESPONSE_HEAD 1
/** ... the whole response (head, body, trailers) has arrived, or the
 *  request has failed: fetching it and reading its body will not wait
 *  (except for an automatic retry, see hyper_client_get_response()). */
#define HYPER_RESPONSE_COMPLETE 2

/**
 * How far the response to request |stream_id| of |c| has arrived, without
 * any I/O: HYPER_RESPONSE_PENDING, _HEAD or _COMPLETE (failed requests are
 * COMPLETE: hyper_client_get_response() or the read then reports the
 * error). Valid before and after hyper_client_get_response(), while the
 * client still tracks the request (until the response is freed and
 * complete), also after an automatic retry moved it (the caller's id
 * still names it). Only input already moved into the client counts: call
 * hyper_client_poll() (or any waiting call) to move more.
 *
 * Returns one of the three values, or HYPER_ERR_INVALID_ARGUMENT (|c| NULL
 * or |stream_id| 0), HYPER_ERR_INVALID_STATE (no such request).
 */
HYPER_EXTERN int hyper_client_response_state(hyper_client *c,
                                             uint32_t stream_id);

/**
 * Waits until at least one of the |n| clients in |clients| has input, then
 * moves what arrived into every client that has some: one read per
 * ready connection, fed to its protocol engine (HTTP/2 or HTTP/1.1), frames
 * it must answer (SETTINGS and PING acknowledgements, WINDOW_UPDATE) sent.
 * First writes each client's queued output (requests held back by
 * coalesce_requests), so the servers see every request made so far.
 * The hidden connections that carry a client's retried requests
 * (max_retries, HTTP_1_1_REQUIRED) are waited on with it. NULL entries and
 * clients not connected are skipped; a client whose connection has failed
 * counts as ready (its next call reports the error) until the caller
 * stops passing it.
 *
 * |timeout_ms|: the longest wait; 0 only looks, negative waits without a
 * limit. The request deadlines, keepalive PINGs and dead-peer detection of
 * each client belong to its blocking calls, not to this one. Memory for
 * more than 64 clients comes from the allocator of the first connected
 * client.
 *
 * Returns the number of connections that had input or failed (0: the timeout
 * passed, or a signal interrupted the wait), or HYPER_ERR_INVALID_ARGUMENT
 * (|clients| NULL with |n| > 0), HYPER_ERR_INVALID_STATE (no client in the
 * set is connected), HYPER_ERR_NOMEM, HYPER_ERR_IO (poll() failed).
 * Errors of single connections are not returned here: they stay sticky on
 * their client.
 */
HYPER_EXTERN int hyper_client_poll(hyper_client *const *clients, size_t n,
                                   int timeout_ms);

/**
 * The detail of the last failure of a call on |c| or on a response or push
 * it gave out. Valid until the next call on any of them; never NULL for a
 * non-NULL |c|.
 */
HYPER_EXTERN const hyper_client_error *hyper_client_last_error(
    const hyper_client *c);

/** Nonzero while a connection is open (and has not failed). */
HYPER_EXTERN int hyper_client_is_connected(const hyper_client *c);

/**
 * The protocol of the open connection: "h2" or "http/1.1"; NULL when not
 * connected (or |c| is NULL). Static storage.
 */
HYPER_EXTERN const char *hyper_client_protocol(const hyper_client *c);

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */
/*
 * Request header fields: :method, :scheme, :authority (the host, with the
 * port when it is not the scheme's default) and :path come first, then the
 * caller's fields, names lowercased. Connection-specific fields
 * (connection, keep-alive, proxy-connection, transfer-encoding, upgrade,
 * and te other than "trailers") are dropped, so HTTP/1.1-style code works;
 * a host field replaces :authority (RFC 9113 §8.3.1). accept-encoding is
 * added unless the caller sent one (option accept_encoding).
 *
 * Request bodies are sent as DATA frames of the peer's SETTINGS_MAX_FRAME_SIZE
 * or whatever the flow-control windows allow if less, waiting for
 * WINDOW_UPDATE as needed (and reading other streams' frames meanwhile);
 * the last frame carries END_STREAM, so a body of any length — 0, or a
 * multiple of the frame size — ends the stream (hyper issue #355).
 *
 * When the server answers and resets the stream before the whole body was
 * sent (RST_STREAM after a complete response), sending stops and the call
 * succeeds: fetch the response as usual.
 */

/**
 * Sends a request: |method| ("GET"), |path| ("/index.html", with the query),
 * |len| octets of |body| and the fields of |headers| (may be NULL; read
 * during the call only). With |body| NULL (|len| must then be 0) the
 * request has no content; otherwise content-length is set to |len| unless
 * |headers| holds one. Blocks until the whole body is handed to the socket.
 * Stores the new stream id in |*stream_id| (may be NULL).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL or empty |method| or |path|, CR or
 *                               LF in either, |body| NULL with |len| > 0,
 *                               an empty field name or an unknown
 *                               pseudo-header field in |headers|.
 *   HYPER_ERR_INVALID_STATE     a request started with
 *                               hyper_client_putrequest() has not sent its
 *                               headers yet.
 *   HYPER_ERR_LIMIT_EXCEEDED    the stream limit is reached (LIMIT_FAIL, or
 *                               waiting cannot help).
 *   HYPER_ERR_H2_GOAWAY         the server sent GOAWAY: open a new
 *                               connection (hyper_client_close()) and retry.
 *   HYPER_ERR_H2_REFUSED_STREAM, HYPER_ERR_H2_STREAM_CLOSED
 *                               the server reset the stream while the body
 *                               was being sent (detail: h2_code); a request
 *                               that qualifies for an automatic retry (see
 *                               max_retries) returns 0 instead and
 *                               hyper_client_get_response() retries it.
 *   HYPER_ERR_H2_HEADER         the header block breaks RFC 9113 §8 (e.g.
 *                               a value with CR, LF or NUL, an upper-case
 *                               or invalid name); nothing was sent.
 *   HYPER_ERR_H2_PROTOCOL       the body length differs from a
 *                               content-length given in |headers|.
 *   HYPER_ERR_LIMIT_EXCEEDED    also: too many or too large fields for a
 *                               header map (hyper_hdrs limits).
 *   HYPER_ERR_TIMEOUT           the request deadline passed while sending.
 *   any error of hyper_client_connect(), a connection error, or
 *   HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_request(hyper_client *c, const char *method,
                                      const char *path, const void *body,
                                      size_t len, const hyper_hdrs *headers,
                                      uint32_t *stream_id);

/**
 * A streaming request body source. Called with room for |cap| octets
 * (|cap| > 0: what the flow-control windows and the frame size allow now);
 * stores up to |cap| octets at |buf| and their number in |*n|, and sets
 * |*eof| to 1 with the last octets (or alone). Storing 0 octets without
 * |*eof| is allowed: the client calls again (it does not wait in between, so
 * a source that has nothing yet should block itself). Returns 0, or a
 * negative hyper_err to abort the request: the stream is reset (CANCEL) and
 * hyper_client_request_stream() returns that code. |user| is the pointer
 * given with the callback.
 */
typedef int (*hyper_client_body_fn)(void *user, uint8_t *buf, size_t cap,
                                    size_t *n, int *eof);

/**
 * Sends a request whose body comes from |read| (streaming upload of a size
 * not known in advance; set content-length in |headers| when it is). The
 * callback is called until it reports |*eof|; the final frame carries
 * END_STREAM. Otherwise as hyper_client_request(), plus the error the
 * callback returned.
 */
HYPER_EXTERN int hyper_client_request_stream(hyper_client *c,
                                             const char *method,
                                             const char *path,
                                             const hyper_hdrs *headers,
                                             hyper_client_body_fn read,
                                             void *user,
                                             uint32_t *stream_id);

/**
 * The first step of building a request piecewise (http.client style):
 * records |method| and |path| and stores the stream id the request will
 * have in |*stream_id| (may be NULL). Nothing is sent until
 * hyper_client_endheaders(). Several requests may be started; their
 * headers must be ended in the order they were started (HTTP/2 opens
 * stream ids in increasing order). Connects first if needed.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL or empty |method| or |path|.
 *   HYPER_ERR_H2_GOAWAY, HYPER_ERR_H2_STREAM_IDS_EXHAUSTED
 *   any error of hyper_client_connect(), or HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_putrequest(hyper_client *c, const char *method,
                                         const char *path,
                                         uint32_t *stream_id);

/**
 * Adds the field |name|: |value| (NUL-terminated; copied) to the request
 * |stream_id| started with hyper_client_putrequest() whose headers were not
 * sent yet (0: the most recently started one). Connection-specific fields
 * are silently dropped (see "Request header fields"); host replaces
 * :authority. Nothing is sent.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  NULL or empty |name|, NULL |value|, or CR,
 *                               LF in either.
 *   HYPER_ERR_INVALID_STATE     no such request, or its headers were sent.
 *   HYPER_ERR_LIMIT_EXCEEDED    too many or too large fields (hyper_hdrs
 *                               limits).
 *   HYPER_ERR_NOMEM
 */
HYPER_EXTERN int hyper_client_putheader(hyper_client *c, uint32_t stream_id,
                                        const char *name, const char *value);

/**
 * Sends the headers of request |stream_id| (0: the most recently started),
 * then |len| octets of |body| if |body| is not NULL. With |final| the
 * request ends there (END_STREAM on the last frame, or on HEADERS when there
 * is no body); otherwise send the rest with hyper_client_send(). Waits for a
 * free stream slot as hyper_client_request() does. When the headers could
 * not be sent, the started request is dropped (start it again with
 * hyper_client_putrequest()), except after HYPER_ERR_TIMEOUT waiting for a
 * stream slot: then the call may simply be repeated.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |body| NULL with |len| > 0.
 *   HYPER_ERR_INVALID_STATE     no such request, its headers were sent, or
 *                               an earlier-started request has not sent
 *                               its headers yet.
 *   the other errors of hyper_client_request().
 */
HYPER_EXTERN int hyper_client_endheaders(hyper_client *c, uint32_t stream_id,
                                         const void *body, size_t len,
                                         int final);

/**
 * Sends |len| octets of |data| (may be NULL when |len| is 0) on request
 * |stream_id| (0: the most recently started), within flow control as
 * described above; with |final| the request ends.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |data| NULL with |len| > 0.
 *   HYPER_ERR_INVALID_STATE     no such request, its headers were not sent,
 *                               or it has ended.
 *   the other errors of hyper_client_request().
 */
HYPER_EXTERN int hyper_client_send(hyper_client *c, uint32_t stream_id,
                                   const void *data, size_t len, int final);

/**
 * Waits for the final response head of request |stream_id| (0: the oldest
 * request whose response has not been fetched yet) and stores a new
 * response object in |*out|. 1xx responses are skipped. Other streams'
 * frames are filed meanwhile. The response of each request can be fetched
 * once.
 *
 * Automatic retries (option max_retries) happen here, while this call waits
 * for the head: a refused request, one the server left unprocessed at a
 * GOAWAY, or one answered with 421 is sent again and this call returns the
 * response to the last attempt. The caller's id stays valid throughout:
 * hyper_resp_stream_id() of that response reports it, and after an error
 * (a TIMEOUT, say) the same id may be asked for again; a request carried
 * by a new connection is not found with |stream_id| 0, though. The retry
 * has an HTTP/2 stream id of its own: pushes promised on it name that id
 * as their parent (hyper_push_parent_stream_id()) and are not returned by
 * hyper_client_next_push() with the caller's id. When all retries are
 * used up the last attempt's error is returned (its detail names the
 * caller's id); when a retry cannot be made (no memory, the new
 * connection fails) its error is returned and the request is not tried
 * again.
 *
 * Ownership: the caller owns |*out| and releases it with hyper_resp_free().
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |c| or |out| is NULL.
 *   HYPER_ERR_INVALID_STATE     no such request (unknown id, a push id, or
 *                               no outstanding request for 0), its response
 *                               was already fetched, or its headers were
 *                               not sent.
 *   HYPER_ERR_TIMEOUT           the request deadline or the idle timeout.
 *   HYPER_ERR_H2_GOAWAY         the server will not process this stream
 *                               and it was not retried automatically, or
 *                               its retry got a GOAWAY too (retry on a new
 *                               connection).
 *   HYPER_ERR_H2_REFUSED_STREAM the server refused it (retryable), after
 *                               max_retries automatic retries if it
 *                               qualified for them.
 *   HYPER_ERR_H2_STREAM_CLOSED  the stream was reset before the response
 *                               (detail: h2_code).
 *   HYPER_ERR_H2_HEADER         the response head was malformed.
 *   HYPER_ERR_LIMIT_EXCEEDED    see max_buffered.
 *   a connection error (also of a retry's new connection: connect and TLS
 *   errors), or HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_get_response(hyper_client *c,
                                           uint32_t stream_id,
                                           hyper_resp **out);

/* ------------------------------------------------------------------------ */
/* Server push                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Hands out the next push promised on request |stream_id| (0: the most
 * recently sent request) that was not handed out before (each push once,
 * like the generator of Python's get_pushes()). With |capture_all| 0 it
 * never waits: it returns the pushes already received. With |capture_all|
 * 1 it waits for more until the parent stream's response has ended (within
 * the parent request's deadline). Needs the enable_push option.
 *
 * Ownership: on 1 the caller owns |*out| (hyper_push_free()).
 *
 * Returns 1 when a push was stored in |*out|, 0 when there is none (more),
 * or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |c| or |out| is NULL.
 *   HYPER_ERR_INVALID_STATE     no such request stream (unknown, or its
 *                               response was freed: its unclaimed pushes
 *                               were cancelled then).
 *   HYPER_ERR_TIMEOUT, a connection error (capture_all only), or
 *   HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_client_next_push(hyper_client *c, uint32_t stream_id,
                                        int capture_all, hyper_push **out);

/** The promised request's :method ("GET"), as a NUL-terminated copy owned
 *  by |p| ("" when absent or |p| is NULL). Valid until hyper_push_free(). */
HYPER_EXTERN const char *hyper_push_method(const hyper_push *p);

/** The promised request's :scheme ("https"); as hyper_push_method(). */
HYPER_EXTERN const char *hyper_push_scheme(const hyper_push *p);

/** The promised request's :authority (usually host:port); as
 *  hyper_push_method(). hyper does not check that it is the origin of the
 *  connection (same-origin policy, RFC 9113 §8.4): check before trusting a
 *  pushed response. */
HYPER_EXTERN const char *hyper_push_authority(const hyper_push *p);

/** The promised request's :path ("/style.css"); as hyper_push_method(). */
HYPER_EXTERN const char *hyper_push_path(const hyper_push *p);

/** Every field of the promised request (pseudo-header fields included) as
 *  received. Valid until hyper_push_free(). */
HYPER_EXTERN const hyper_hdrs *hyper_push_request_headers(const hyper_push *p);

/** The promised (even) stream id; 0 for a NULL |p|. Never fails. */
HYPER_EXTERN uint32_t hyper_push_stream_id(const hyper_push *p);

/** The request stream the push was promised on; 0 for a NULL |p|. */
HYPER_EXTERN uint32_t hyper_push_parent_stream_id(const hyper_push *p);

/**
 * Waits for the pushed response head and stores a new response object in
 * |*out| (owned by the caller, hyper_resp_free()). Once per push.
 *
 * Returns 0, or the errors of hyper_client_get_response();
 * HYPER_ERR_INVALID_STATE after hyper_push_cancel() or a second call, or
 * when the client was closed.
 */
HYPER_EXTERN int hyper_push_get_response(hyper_push *p, hyper_resp **out);

/**
 * Cancels the pushed stream: RST_STREAM(CANCEL) unless it has already
 * ended, and drops what was received. The push object stays valid (its
 * request fields remain readable).
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|p| NULL), HYPER_ERR_INVALID_STATE
 * (its response was fetched: close that instead), HYPER_ERR_NOMEM.
 */
HYPER_EXTERN int hyper_push_cancel(hyper_push *p);

/** Frees |p|; a push whose response was never fetched is cancelled first.
 *  NULL is a no-op. */
HYPER_EXTERN void hyper_push_free(hyper_push *p);

/* ------------------------------------------------------------------------ */
/* Responses                                                                */
/* ------------------------------------------------------------------------ */

/** The status code (100..599 are the ones HTTP/2 allows); 0 for NULL. */
HYPER_EXTERN int hyper_resp_status(const hyper_resp *r);

/** The reason phrase: always "" in HTTP/2; over HTTP/1.1 the server's
 *  (NUL-terminated copy owned by |r|, valid until hyper_resp_free()). */
HYPER_EXTERN const char *hyper_resp_reason(const hyper_resp *r);

/** The stream the response arrived on. 0 for NULL. */
HYPER_EXTERN uint32_t hyper_resp_stream_id(const hyper_resp *r);

/**
 * The response header fields without pseudo-header fields, in the order
 * received, names lowercase (HTTP/2). Valid until hyper_resp_free(); never
 * modified after the response was returned. Over HTTP/2 the map is built
 * on the first call (until then the fields are kept as received, so a
 * program that never looks pays for no map): NULL when that runs out of
 * memory (or |r| is NULL); a later call tries again.
 */
HYPER_EXTERN const hyper_hdrs *hyper_resp_headers(const hyper_resp *r);

/**
 * Chooses whether reads undo the response's content-encoding (gzip,
 * x-gzip, deflate, br and stacks; Python's decode_content). The default
 * comes from the client option decode_content. Must be called before the
 * first read of the body.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|r| NULL),
 * HYPER_ERR_INVALID_STATE (the body has been read from already).
 */
HYPER_EXTERN int hyper_resp_set_decode_content(hyper_resp *r, int on);

/**
 * Reads up to |amt| octets of the body into |buf|, waiting until |amt|
 * octets are available or the body has ended (Python's read(amt)); stores
 * the count in |*nread| (0 only at the end of the body). Decoded when
 * decoding is on, so the counts refer to decoded octets.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  a NULL argument (|buf| may be NULL with
 *                               |amt| 0).
 *   HYPER_ERR_INVALID_STATE     the response was closed, or its connection
 *                               was closed before the body ended.
 *   HYPER_ERR_TIMEOUT           the request deadline or idle timeout (the
 *                               octets read so far are in |*nread|; call
 *                               again to continue).
 *   HYPER_ERR_H2_STREAM_CLOSED  the stream was reset before its end
 *                               (never reported as a complete body).
 *   HYPER_ERR_DECODE_GZIP, HYPER_ERR_DECODE_BROTLI, HYPER_ERR_DECODE_RATIO,
 *   HYPER_ERR_UNSUPPORTED_ENCODING  decoding failed (sticky).
 *   a connection error (e.g. HYPER_ERR_EOF mid-body), HYPER_ERR_NOMEM.
 * After an error other than TIMEOUT, |*nread| octets were still stored.
 */
HYPER_EXTERN int hyper_resp_read(hyper_resp *r, void *buf, size_t amt,
                                 size_t *nread);

/**
 * Reads the rest of the body (Python's read() with no amount) and stores it
 * in |*body|: a span owned by |r|, valid until the next call on |r| or
 * hyper_resp_free(). An empty body gives {NULL or a pointer, 0}. The body is
 * held in memory whole; it is not limited by max_buffered.
 *
 * Returns 0, or the errors of hyper_resp_read().
 */
HYPER_EXTERN int hyper_resp_read_all(hyper_resp *r, hyper_slice *body);

/**
 * Returns the next piece of the body as it arrived: the (rest of the)
 * payload of one DATA frame, possibly empty (HTTP/2 allows empty DATA
 * frames), decoded when decoding is on (then whatever the decoder produced
 * for that frame, also possibly empty). Python's read_chunked(). |*chunk| is
 * owned by |r| and valid until the next call on |r| or hyper_resp_free().
 *
 * Returns 1 when a chunk was stored, 0 at the end of the body (|*chunk| is
 * then empty), or an error of hyper_resp_read().
 */
HYPER_EXTERN int hyper_resp_read_chunk(hyper_resp *r, hyper_slice *chunk);

/**
 * Waits for the end of the stream and stores its trailer fields in
 * |*trailers| (an empty map when the server sent none). Body octets not
 * read yet are kept in memory for later reads (Python's warning: the whole
 * rest of the body is buffered). The map is owned by |r|, valid until
 * hyper_resp_free().
 *
 * Returns 0, or the errors of hyper_resp_read().
 */
HYPER_EXTERN int hyper_resp_trailers(hyper_resp *r,
                                     const hyper_hdrs **trailers);

/**
 * Closes the response (Python's close()): when the body has not ended, the
 * stream is reset with CANCEL; buffered data is dropped. Headers, status
 * and trailers stay readable; reads fail with HYPER_ERR_INVALID_STATE.
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|r| NULL).
 */
HYPER_EXTERN int hyper_resp_close(hyper_resp *r);

/**
 * Python's close(socket_close=True): closes the response as
 * hyper_resp_close() does and, over HTTP/1.1, also the connection that
 * carried it (requests pipelined behind it are sent again on a new
 * connection when they qualify, see hyper_client_opts.protocol, or fail
 * with HYPER_ERR_EOF). Over HTTP/2 the connection is shared by other
 * streams and stays open (use hyper_client_close() to end it).
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (|r| NULL).
 */
HYPER_EXTERN int hyper_resp_close_socket(hyper_resp *r);

/** Closes (see hyper_resp_close()) and frees |r|. Pushes promised on its
 *  request that hyper_client_next_push() has not handed out are cancelled
 *  (nothing could ask for them any more). NULL is a no-op. */
HYPER_EXTERN void hyper_resp_free(hyper_resp *r);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_CLIENT_H */
