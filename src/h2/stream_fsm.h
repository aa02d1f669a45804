/*
 * The HTTP/2 stream state machine (RFC 9113 §5.1) as a transition table:
 * [state][input] -> {next state, action}. The C form of python-hyper/h2's
 * stream.py state machine. Private to src/.
 *
 * One table per local role: a client and a server accept different inputs
 * (only a client receives PUSH_PROMISE and 1xx responses, only a server
 * receives requests and sends PUSH_PROMISE), so the role is data, not an
 * `if`. A zero entry means "not allowed"; the stream then becomes CLOSED
 * and hyper__h2_stream_input() says which RFC error it is and whether it is
 * a stream or a connection error (see hyper__h2_act). `tools/fsm_dot.c`
 * prints both tables as graphviz (doc/stream_fsm.dot).
 *
 * HEADERS and its CONTINUATION frames are one input. A frame carrying
 * END_STREAM is two inputs (RFC 9113 §5.1: "the END_STREAM flag is
 * processed as a separate event"): first HEADERS or DATA, then END_STREAM.
 * Stream-identifier rules (§5.1.1: parity, monotonic IDs, implicit closing
 * of skipped idle streams), SETTINGS_ENABLE_PUSH, flow-control arithmetic
 * and header validation belong to the connection, not here.
 */
#ifndef HYPER_H2_STREAM_FSM_H
#define HYPER_H2_STREAM_FSM_H

#include <stdint.h>

/* Stream states, RFC 9113 §5.1. 0 is not a state: it is what an unlisted
 * table entry holds, so C's zero-fill means "not allowed". */
typedef enum hyper__h2_st {
  HYPER__H2_ST__INVALID = 0,
  HYPER__H2_ST_IDLE,
  HYPER__H2_ST_RESERVED_LOCAL,
  HYPER__H2_ST_RESERVED_REMOTE,
  HYPER__H2_ST_OPEN,
  HYPER__H2_ST_HALF_CLOSED_LOCAL,
  HYPER__H2_ST_HALF_CLOSED_REMOTE,
  HYPER__H2_ST_CLOSED,
  HYPER__H2_ST__COUNT
} hyper__h2_st;

/*
 * Inputs: a frame (or flag) the local endpoint sends or receives on this
 * stream. The caller picks the input from the frame:
 *
 *   HEADERS with :status 1xx      -> *_INFORMATIONAL (never with END_STREAM)
 *   any other HEADERS             -> *_HEADERS (request, final response or
 *                                    trailers: the machine tells which)
 *   PUSH_PROMISE                  -> *_PUSH_PROMISE twice: once on the stream
 *                                    it is sent on (the parent) and once on
 *                                    the promised stream, which must be idle
 *   END_STREAM flag               -> *_END_STREAM, after the frame's own input
 */
typedef enum hyper__h2_in {
  HYPER__H2_IN_SEND_HEADERS = 0,
  HYPER__H2_IN_SEND_INFORMATIONAL,
  HYPER__H2_IN_SEND_PUSH_PROMISE,
  HYPER__H2_IN_SEND_DATA,
  HYPER__H2_IN_SEND_END_STREAM,
  HYPER__H2_IN_SEND_RST,
  HYPER__H2_IN_SEND_WINDOW_UPDATE,
  HYPER__H2_IN_SEND_PRIORITY,
  HYPER__H2_IN_RECV_HEADERS,
  HYPER__H2_IN_RECV_INFORMATIONAL,
  HYPER__H2_IN_RECV_PUSH_PROMISE,
  HYPER__H2_IN_RECV_DATA,
  HYPER__H2_IN_RECV_END_STREAM,
  HYPER__H2_IN_RECV_RST,
  HYPER__H2_IN_RECV_WINDOW_UPDATE,
  HYPER__H2_IN_RECV_PRIORITY,
  HYPER__H2_IN__COUNT
} hyper__h2_in;

/* Nonzero for the HYPER__H2_IN_SEND_* inputs. */
static inline int hyper__h2_in_is_send(hyper__h2_in in) {
  return in <= HYPER__H2_IN_SEND_PRIORITY;
}

/*
 * Actions: what the connection must do after an input. Side effects only;
 * the machine itself never emits events or frames.
 *
 * Success (hyper__h2_stream_input() returned 0):
 */
typedef enum hyper__h2_act {
  HYPER__H2_ACT_NONE = 0,
  HYPER__H2_ACT_REQUEST_RECEIVED,      /* server: HEADERS opened the stream */
  HYPER__H2_ACT_RESPONSE_RECEIVED,     /* client: the final response */
  HYPER__H2_ACT_INFORMATIONAL_RECEIVED, /* client: a 1xx response */
  HYPER__H2_ACT_TRAILERS_RECEIVED,     /* the second (closing) HEADERS */
  HYPER__H2_ACT_DATA_RECEIVED,
  HYPER__H2_ACT_STREAM_ENDED,          /* the peer's END_STREAM */
  HYPER__H2_ACT_STREAM_RESET,          /* the peer's RST_STREAM */
  HYPER__H2_ACT_PUSH_RECEIVED,         /* client: PUSH_PROMISE on this parent */
  HYPER__H2_ACT_WINDOW_UPDATED,        /* apply the increment to the window */
  HYPER__H2_ACT_REQUEST_SENT,          /* client: these HEADERS are the request */
  HYPER__H2_ACT_RESPONSE_SENT,         /* server: these HEADERS are the response */
  HYPER__H2_ACT_INFORMATIONAL_SENT,    /* server: a 1xx response */
  HYPER__H2_ACT_TRAILERS_SENT,         /* these HEADERS are trailers: set
                                          END_STREAM on them */
  HYPER__H2_ACT_DATA_SENT,
  HYPER__H2_ACT_PUSH_SENT,             /* server: PUSH_PROMISE on this parent */
  /*
   * A late frame on a stream we reset (RFC 9113 §5.1 "closed": frames the
   * peer sent before it saw our RST_STREAM). Drop it after the minimal
   * processing the RFC requires, which is the connection's: HEADERS and
   * PUSH_PROMISE blocks were already fed to HPACK, DATA still counts against
   * the connection window, and a PUSH_PROMISE still moves the promised
   * stream to reserved (remote), which the connection then refuses with
   * RST_STREAM(CANCEL). No event reaches the user.
   */
  HYPER__H2_ACT_DISCARD,
  /*
   * Failure (hyper__h2_stream_input() returned < 0; the stream is CLOSED).
   * The return value gives the HTTP/2 code to put on the wire:
   * HYPER_ERR_H2_PROTOCOL -> PROTOCOL_ERROR, HYPER_ERR_H2_STREAM_CLOSED ->
   * STREAM_CLOSED, HYPER_ERR_INTERNAL -> INTERNAL_ERROR.
   */
  HYPER__H2_ACT_STREAM_ERROR,     /* RFC 9113 §5.4.2: send RST_STREAM(code)
                                     on this stream and carry on. Written
                                     directly, not fed back as SEND_RST. In a
                                     send path the fault is ours: the
                                     connection returns the error to its
                                     caller and may use INTERNAL_ERROR. */
  HYPER__H2_ACT_CONNECTION_ERROR, /* §5.4.1: GOAWAY(code), connection over */
  HYPER__H2_ACT_SEND_REFUSED,     /* a SEND_* on an idle or closed stream:
                                     there is nothing to reset; write nothing
                                     and return the error to the caller */
  HYPER__H2_ACT__COUNT
} hyper__h2_act;

/* How a CLOSED stream got there (h2's StreamClosedBy). An input rejected
 * on a stream that was not yet closed records SEND_RST: the connection is
 * resetting it (or, for a connection error, the GOAWAY closes it). */
typedef enum hyper__h2_closed_by {
  HYPER__H2_CLOSED_BY_NONE = 0, /* not closed */
  HYPER__H2_CLOSED_BY_SEND_END_STREAM,
  HYPER__H2_CLOSED_BY_RECV_END_STREAM,
  HYPER__H2_CLOSED_BY_SEND_RST,
  HYPER__H2_CLOSED_BY_RECV_RST
} hyper__h2_closed_by;

/* hyper__h2_stream_fsm.flags */
#define HYPER__H2_SF_HEADERS_SENT 0x01u  /* request or final response sent */
#define HYPER__H2_SF_HEADERS_RECV 0x02u  /* request or final response received */
#define HYPER__H2_SF_TRAILERS_SENT 0x04u
#define HYPER__H2_SF_TRAILERS_RECV 0x08u
#define HYPER__H2_SF_END_STREAM_RECV 0x10u /* the peer ended its side */
#define HYPER__H2_SF_PUSHED 0x20u          /* reserved by a PUSH_PROMISE */

/*
 * The per-stream part of the machine, embedded in the connection's stream
 * object. Four bytes; no allocation, no cleanup. Fields are read-only
 * outside stream_fsm.c (tests may set them to reach odd corners).
 */
typedef struct hyper__h2_stream_fsm {
  uint8_t state;     /* hyper__h2_st */
  uint8_t closed_by; /* hyper__h2_closed_by; NONE unless state is CLOSED */
  uint8_t flags;     /* HYPER__H2_SF_* */
  uint8_t is_client; /* 1: the local endpoint is the client */
} hyper__h2_stream_fsm;

/* Puts |s| in the idle state for a local endpoint that is a client
 * (|is_client| nonzero) or a server. */
void hyper__h2_stream_fsm_init(hyper__h2_stream_fsm *s, int is_client);

/*
 * Feeds |in| to the machine (h2's process_input). Looks up
 * [state][in] in the table for the stream's role; if the pair is listed,
 * moves to its next state and stores its action in |*action| (refined from
 * the flags: the second HEADERS a client receives is TRAILERS_RECEIVED, not
 * RESPONSE_RECEIVED). A listed pair can still fail on HTTP message rules
 * (RFC 9113 §8.1): DATA before the response, 1xx after it, anything after
 * trailers, PUSH_PROMISE on a pushed stream.
 *
 * Any failure leaves the stream CLOSED and stores in |*action| what the
 * connection must do: HYPER__H2_ACT_STREAM_ERROR,
 * HYPER__H2_ACT_CONNECTION_ERROR or HYPER__H2_ACT_SEND_REFUSED. Received
 * frames are classified per RFC 9113 §5.1/§6.6:
 *
 *   state / input                          error          scope
 *   idle, reserved: anything not listed    PROTOCOL       connection
 *   PUSH_PROMISE not allowed (any state)   PROTOCOL       connection
 *   open, half-closed (local): a frame
 *     the role cannot receive, or §8.1     PROTOCOL       stream
 *   half-closed (remote)                   STREAM_CLOSED  stream
 *   closed, by our RST_STREAM before the
 *     peer's END_STREAM                    none: rv 0, HYPER__H2_ACT_DISCARD
 *   closed, by the peer's RST_STREAM       STREAM_CLOSED  stream
 *   closed, after the peer's END_STREAM    STREAM_CLOSED  connection
 *
 * Sends never cause connection errors: on a live stream an unlisted SEND_*
 * is HYPER_ERR_H2_PROTOCOL with STREAM_ERROR (reset it so both ends agree
 * it is closed); on an idle stream HYPER_ERR_H2_PROTOCOL, on a closed one
 * HYPER_ERR_H2_STREAM_CLOSED, both with SEND_REFUSED. Use
 * hyper__h2_stream_check() first to refuse a user's send without touching
 * the stream.
 *
 * WINDOW_UPDATE and RST_STREAM received on a closed stream, and PRIORITY
 * in any state, are accepted with HYPER__H2_ACT_NONE (§5.1 "closed": they
 * may cross our END_STREAM or RST_STREAM; §5.4.2: never answer RST_STREAM
 * with RST_STREAM).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_H2_PROTOCOL, HYPER_ERR_H2_STREAM_CLOSED  (as above)
 *   HYPER_ERR_INTERNAL  |s| is not initialised or |in| is out of range
 *                       (a bug in hyper; CONNECTION_ERROR).
 */
int hyper__h2_stream_input(hyper__h2_stream_fsm *s, hyper__h2_in in,
                           int *action);

/* What hyper__h2_stream_input(|s|, |in|) would return, without changing
 * |s|. Returns the same codes. */
int hyper__h2_stream_check(const hyper__h2_stream_fsm *s, hyper__h2_in in);

/*
 * Reads the table itself (for tools/fsm_dot.c and the tests): for the
 * client (|is_client| nonzero) or server table, stores the entry for
 * [|st|][|in|] in |*next| and |*action|. Returns 1 when the pair is listed,
 * 0 when it is not (or is out of range; |*next| is then
 * HYPER__H2_ST__INVALID).
 */
int hyper__h2_stream_lookup(int is_client, hyper__h2_st st, hyper__h2_in in,
                            hyper__h2_st *next, int *action);

/* Static names for logs and graphs: "half-closed (local)" (RFC spelling),
 * "RECV_DATA", "DATA_RECEIVED", "SEND_RST". Out-of-range values give
 * "invalid". Never NULL. */
const char *hyper__h2_st_name(int st);
const char *hyper__h2_in_name(int in);
const char *hyper__h2_act_name(int act);
const char *hyper__h2_closed_by_name(int closed_by);

/* Nonzero for open and the half-closed states: the ones that count toward
 * SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §5.1.2; reserved ones do not). */
static inline int hyper__h2_st_is_active(int st) {
  return st == HYPER__H2_ST_OPEN || st == HYPER__H2_ST_HALF_CLOSED_LOCAL ||
         st == HYPER__H2_ST_HALF_CLOSED_REMOTE;
}

#endif /* HYPER_H2_STREAM_FSM_H */
