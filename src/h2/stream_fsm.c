/*
 * The RFC 9113 §5.1 stream state machine as two transition tables (one per
 * local role) plus the small amount of code around them: the lookup, the
 * classification of rejected inputs, and the flag checks of HTTP message
 * framing (§8.1) that a state alone cannot express. The tables contain no
 * logic. The RFC's diagram, for reference:
 *
 *                          +--------+
 *                  send PP |        | recv PP
 *                 ,--------+  idle  +--------.
 *                /         |        |         \
 *               v          +--------+          v
 *        +----------+          |           +----------+
 *        |          |          | send H /  |          |
 * ,------+ reserved |          | recv H    | reserved +------.
 * |      | (local)  |          |           | (remote) |      |
 * |      +---+------+          v           +------+---+      |
 * |          |             +--------+             |          |
 * |          |     recv ES |        | send ES     |          |
 * |   send H |     ,-------+  open  +-------.     | recv H   |
 * |          |    /        |        |        \    |          |
 * |          v   v         +---+----+         v   v          |
 * |      +----------+          |           +----------+      |
 * |      |   half-  |          |           |   half-  |      |
 * |      |  closed  |          | send R /  |  closed  |      |
 * |      | (remote) |          | recv R    | (local)  |      |
 * |      +----+-----+          |           +-----+----+      |
 * |           |                |                 |           |
 * |           | send ES /      |       recv ES / |           |
 * |           | send R /       v        send R / |           |
 * |           | recv R     +--------+   recv R   |           |
 * | send R /  `----------->|        |<-----------'  send R / |
 * | recv R                 | closed |               recv R   |
 * `----------------------->|        |<-----------------------'
 *                          +--------+
 *
 * PUSH_PROMISE is an input on two streams: on the idle promised stream (the
 * diagram's PP edges) and on its open parent, where it changes no state
 * (as in h2).
 */
#include "h2/stream_fsm.h"

#include "hyper/common.h"

typedef struct fsm_entry {
  uint8_t next; /* hyper__h2_st; 0 (ST__INVALID): not allowed */
  uint8_t act;  /* hyper__h2_act */
} fsm_entry;

typedef fsm_entry fsm_table[HYPER__H2_ST__COUNT][HYPER__H2_IN__COUNT];

#define ST(x) HYPER__H2_ST_##x
#define IN(x) HYPER__H2_IN_##x
#define ACT(x) HYPER__H2_ACT_##x
#define GO(next, act) {ST(next), ACT(act)}

/*
 * The local endpoint is the client. It opens streams with HEADERS, receives
 * responses (1xx first, then one final), and may be pushed to.
 */
static const fsm_table client_table = {
  [ST(IDLE)] = {
    [IN(SEND_HEADERS)]        = GO(OPEN, REQUEST_SENT),
    /* this idle stream is the one a PUSH_PROMISE promises (§5.1 idle) */
    [IN(RECV_PUSH_PROMISE)]   = GO(RESERVED_REMOTE, NONE),
    [IN(SEND_PRIORITY)]       = GO(IDLE, NONE),
    [IN(RECV_PRIORITY)]       = GO(IDLE, NONE),
  },
  /* §5.1 reserved (remote): we may send RST_STREAM, WINDOW_UPDATE and
   * PRIORITY; we may receive HEADERS, RST_STREAM and PRIORITY only. */
  [ST(RESERVED_REMOTE)] = {
    [IN(RECV_HEADERS)]        = GO(HALF_CLOSED_LOCAL, RESPONSE_RECEIVED),
    [IN(RECV_INFORMATIONAL)]  = GO(HALF_CLOSED_LOCAL, INFORMATIONAL_RECEIVED),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_PRIORITY)]       = GO(RESERVED_REMOTE, NONE),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(RESERVED_REMOTE, NONE),
    [IN(SEND_PRIORITY)]       = GO(RESERVED_REMOTE, NONE),
  },
  [ST(OPEN)] = {
    [IN(SEND_HEADERS)]        = GO(OPEN, TRAILERS_SENT),
    [IN(SEND_DATA)]           = GO(OPEN, DATA_SENT),
    [IN(SEND_END_STREAM)]     = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(OPEN, NONE),
    [IN(SEND_PRIORITY)]       = GO(OPEN, NONE),
    [IN(RECV_HEADERS)]        = GO(OPEN, RESPONSE_RECEIVED),
    [IN(RECV_INFORMATIONAL)]  = GO(OPEN, INFORMATIONAL_RECEIVED),
    [IN(RECV_PUSH_PROMISE)]   = GO(OPEN, PUSH_RECEIVED),
    [IN(RECV_DATA)]           = GO(OPEN, DATA_RECEIVED),
    [IN(RECV_END_STREAM)]     = GO(HALF_CLOSED_REMOTE, STREAM_ENDED),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(OPEN, WINDOW_UPDATED),
    [IN(RECV_PRIORITY)]       = GO(OPEN, NONE),
  },
  /* Request sent; waiting for the response. §5.1 half-closed (local): send
   * only WINDOW_UPDATE, PRIORITY, RST_STREAM; receive anything. */
  [ST(HALF_CLOSED_LOCAL)] = {
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(SEND_PRIORITY)]       = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(RECV_HEADERS)]        = GO(HALF_CLOSED_LOCAL, RESPONSE_RECEIVED),
    [IN(RECV_INFORMATIONAL)]  = GO(HALF_CLOSED_LOCAL, INFORMATIONAL_RECEIVED),
    [IN(RECV_PUSH_PROMISE)]   = GO(HALF_CLOSED_LOCAL, PUSH_RECEIVED),
    [IN(RECV_DATA)]           = GO(HALF_CLOSED_LOCAL, DATA_RECEIVED),
    [IN(RECV_END_STREAM)]     = GO(CLOSED, STREAM_ENDED),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    /* nothing left to send: "a receiver can ignore WINDOW_UPDATE frames" */
    [IN(RECV_WINDOW_UPDATE)]  = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(RECV_PRIORITY)]       = GO(HALF_CLOSED_LOCAL, NONE),
  },
  /* The server finished first (e.g. an early error response); we may still
   * finish the request. */
  [ST(HALF_CLOSED_REMOTE)] = {
    [IN(SEND_HEADERS)]        = GO(HALF_CLOSED_REMOTE, TRAILERS_SENT),
    [IN(SEND_DATA)]           = GO(HALF_CLOSED_REMOTE, DATA_SENT),
    [IN(SEND_END_STREAM)]     = GO(CLOSED, NONE),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(HALF_CLOSED_REMOTE, NONE),
    [IN(SEND_PRIORITY)]       = GO(HALF_CLOSED_REMOTE, NONE),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(HALF_CLOSED_REMOTE, WINDOW_UPDATED),
    [IN(RECV_PRIORITY)]       = GO(HALF_CLOSED_REMOTE, NONE),
  },
  /* §5.1 closed: send only PRIORITY; WINDOW_UPDATE and RST_STREAM may
   * cross our END_STREAM or RST_STREAM and are dropped. */
  [ST(CLOSED)] = {
    [IN(SEND_PRIORITY)]       = GO(CLOSED, NONE),
    [IN(RECV_RST)]            = GO(CLOSED, NONE),
    [IN(RECV_WINDOW_UPDATE)]  = GO(CLOSED, NONE),
    [IN(RECV_PRIORITY)]       = GO(CLOSED, NONE),
  },
};

/*
 * The local endpoint is the server. Streams are opened by the peer's
 * HEADERS or by our PUSH_PROMISE; we send 1xx and final responses.
 */
static const fsm_table server_table = {
  [ST(IDLE)] = {
    [IN(RECV_HEADERS)]        = GO(OPEN, REQUEST_RECEIVED),
    /* this idle stream is the one our PUSH_PROMISE promises (§5.1 idle) */
    [IN(SEND_PUSH_PROMISE)]   = GO(RESERVED_LOCAL, NONE),
    [IN(SEND_PRIORITY)]       = GO(IDLE, NONE),
    [IN(RECV_PRIORITY)]       = GO(IDLE, NONE),
  },
  /* §5.1 reserved (local): we may send HEADERS, RST_STREAM and PRIORITY;
   * we may receive RST_STREAM, PRIORITY and WINDOW_UPDATE. */
  [ST(RESERVED_LOCAL)] = {
    [IN(SEND_HEADERS)]        = GO(HALF_CLOSED_REMOTE, RESPONSE_SENT),
    [IN(SEND_INFORMATIONAL)]  = GO(HALF_CLOSED_REMOTE, INFORMATIONAL_SENT),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_PRIORITY)]       = GO(RESERVED_LOCAL, NONE),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(RESERVED_LOCAL, WINDOW_UPDATED),
    [IN(RECV_PRIORITY)]       = GO(RESERVED_LOCAL, NONE),
  },
  [ST(OPEN)] = {
    [IN(SEND_HEADERS)]        = GO(OPEN, RESPONSE_SENT),
    [IN(SEND_INFORMATIONAL)]  = GO(OPEN, INFORMATIONAL_SENT),
    [IN(SEND_PUSH_PROMISE)]   = GO(OPEN, PUSH_SENT),
    [IN(SEND_DATA)]           = GO(OPEN, DATA_SENT),
    [IN(SEND_END_STREAM)]     = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(OPEN, NONE),
    [IN(SEND_PRIORITY)]       = GO(OPEN, NONE),
    [IN(RECV_HEADERS)]        = GO(OPEN, TRAILERS_RECEIVED),
    [IN(RECV_DATA)]           = GO(OPEN, DATA_RECEIVED),
    [IN(RECV_END_STREAM)]     = GO(HALF_CLOSED_REMOTE, STREAM_ENDED),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(OPEN, WINDOW_UPDATED),
    [IN(RECV_PRIORITY)]       = GO(OPEN, NONE),
  },
  /* Response finished before the request body: keep reading it. */
  [ST(HALF_CLOSED_LOCAL)] = {
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(SEND_PRIORITY)]       = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(RECV_HEADERS)]        = GO(HALF_CLOSED_LOCAL, TRAILERS_RECEIVED),
    [IN(RECV_DATA)]           = GO(HALF_CLOSED_LOCAL, DATA_RECEIVED),
    [IN(RECV_END_STREAM)]     = GO(CLOSED, STREAM_ENDED),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(HALF_CLOSED_LOCAL, NONE),
    [IN(RECV_PRIORITY)]       = GO(HALF_CLOSED_LOCAL, NONE),
  },
  /* Request complete (or stream pushed): write the response. */
  [ST(HALF_CLOSED_REMOTE)] = {
    [IN(SEND_HEADERS)]        = GO(HALF_CLOSED_REMOTE, RESPONSE_SENT),
    [IN(SEND_INFORMATIONAL)]  = GO(HALF_CLOSED_REMOTE, INFORMATIONAL_SENT),
    [IN(SEND_PUSH_PROMISE)]   = GO(HALF_CLOSED_REMOTE, PUSH_SENT),
    [IN(SEND_DATA)]           = GO(HALF_CLOSED_REMOTE, DATA_SENT),
    [IN(SEND_END_STREAM)]     = GO(CLOSED, NONE),
    [IN(SEND_RST)]            = GO(CLOSED, NONE),
    [IN(SEND_WINDOW_UPDATE)]  = GO(HALF_CLOSED_REMOTE, NONE),
    [IN(SEND_PRIORITY)]       = GO(HALF_CLOSED_REMOTE, NONE),
    [IN(RECV_RST)]            = GO(CLOSED, STREAM_RESET),
    [IN(RECV_WINDOW_UPDATE)]  = GO(HALF_CLOSED_REMOTE, WINDOW_UPDATED),
    [IN(RECV_PRIORITY)]       = GO(HALF_CLOSED_REMOTE, NONE),
  },
  [ST(CLOSED)] = {
    [IN(SEND_PRIORITY)]       = GO(CLOSED, NONE),
    [IN(RECV_RST)]            = GO(CLOSED, NONE),
    [IN(RECV_WINDOW_UPDATE)]  = GO(CLOSED, NONE),
    [IN(RECV_PRIORITY)]       = GO(CLOSED, NONE),
  },
};

static const fsm_entry *entry_of(int is_client, unsigned st, unsigned in) {
  const fsm_table *t = is_client ? &client_table : &server_table;
  return &(*t)[st][in];
}

static int valid_args(const hyper__h2_stream_fsm *s, hyper__h2_in in) {
  return s->state >= ST(IDLE) && s->state <= ST(CLOSED) &&
         (unsigned)in < HYPER__H2_IN__COUNT;
}

static int fail(int *act, int what, int rv) {
  *act = what;
  return rv;
}

/*
 * An unlisted [state][input] pair: which RFC error is it, and whose? See
 * the table in stream_fsm.h. Returns 0 only for the late frames of §5.1
 * "closed" that are discarded.
 */
static int reject(const hyper__h2_stream_fsm *s, hyper__h2_in in, int *act) {
  if (hyper__h2_in_is_send(in)) {
    if (s->state == ST(CLOSED))
      return fail(act, ACT(SEND_REFUSED), HYPER_ERR_H2_STREAM_CLOSED);
    if (s->state == ST(IDLE)) /* nothing on the wire to reset */
      return fail(act, ACT(SEND_REFUSED), HYPER_ERR_H2_PROTOCOL);
    return fail(act, ACT(STREAM_ERROR), HYPER_ERR_H2_PROTOCOL);
  }
  /* §5.1 closed: "An endpoint that sends a RST_STREAM frame on a stream
   * that is in the "open" or "half-closed (local)" state could receive any
   * type of frame. [...] An endpoint MUST minimally process and then
   * discard any frames it receives in this state." Once the peer had sent
   * END_STREAM it has nothing left in flight, so that case is not late. */
  if (s->state == ST(CLOSED) && s->closed_by == HYPER__H2_CLOSED_BY_SEND_RST &&
      !(s->flags & HYPER__H2_SF_END_STREAM_RECV))
    return fail(act, ACT(DISCARD), 0);
  /* §6.6: PUSH_PROMISE on a stream neither open nor half-closed (local) is
   * a connection error, as is any PUSH_PROMISE a server receives (§8.4):
   * ignoring one would leave the promised stream's state undetermined. */
  if (in == IN(RECV_PUSH_PROMISE))
    return fail(act, ACT(CONNECTION_ERROR), HYPER_ERR_H2_PROTOCOL);
  switch (s->state) {
  case ST(OPEN):
  case ST(HALF_CLOSED_LOCAL):
    /* Every frame type is allowed here (§5.1); what reaches this point is
     * a message the role cannot receive (a server given a 1xx): malformed,
     * §8.1.1, a stream error. */
    return fail(act, ACT(STREAM_ERROR), HYPER_ERR_H2_PROTOCOL);
  case ST(HALF_CLOSED_REMOTE):
    /* §5.1 half-closed (remote): frames other than WINDOW_UPDATE, PRIORITY
     * or RST_STREAM "MUST respond with a stream error of type
     * STREAM_CLOSED". */
    return fail(act, ACT(STREAM_ERROR), HYPER_ERR_H2_STREAM_CLOSED);
  case ST(CLOSED):
    /* Peer reset it, then kept sending: stream error STREAM_CLOSED (§6.1
     * for DATA; RFC 7540 §5.1 for all). After the peer's END_STREAM, any
     * frame is a connection error STREAM_CLOSED (§5.1 closed "MAY", which
     * h2 and RFC 7540 make a MUST). */
    if (s->closed_by == HYPER__H2_CLOSED_BY_RECV_RST)
      return fail(act, ACT(STREAM_ERROR), HYPER_ERR_H2_STREAM_CLOSED);
    return fail(act, ACT(CONNECTION_ERROR), HYPER_ERR_H2_STREAM_CLOSED);
  default:
    /* §5.1 idle: "Receiving any frame other than HEADERS or PRIORITY on a
     * stream in this state MUST be treated as a connection error of type
     * PROTOCOL_ERROR" (and HEADERS too on a client, whose idle streams the
     * server cannot open). The reserved states say the same of frames
     * they do not list. */
    return fail(act, ACT(CONNECTION_ERROR), HYPER_ERR_H2_PROTOCOL);
  }
}

/*
 * A listed pair whose action depends on what the stream has already seen:
 * the HTTP message rules of RFC 9113 §8.1 (HEADERS, DATA, optional
 * trailing HEADERS; 1xx only before the final response) and §6.6 (push
 * only on a peer-initiated stream). Returns 0 with the action, possibly
 * refined, or fails.
 */
static inline int refine(const hyper__h2_stream_fsm *s, int *act) {
  unsigned f = s->flags;

  switch (*act) {
  case ACT(RESPONSE_RECEIVED):
    if (f & HYPER__H2_SF_TRAILERS_RECV)
      break;
    if (f & HYPER__H2_SF_HEADERS_RECV)
      *act = ACT(TRAILERS_RECEIVED);
    return 0;
  case ACT(TRAILERS_RECEIVED):
    if (f & HYPER__H2_SF_TRAILERS_RECV)
      break;
    return 0;
  case ACT(INFORMATIONAL_RECEIVED):
    if (f & HYPER__H2_SF_HEADERS_RECV)
      break;
    return 0;
  case ACT(DATA_RECEIVED):
    if (!(f & HYPER__H2_SF_HEADERS_RECV) || (f & HYPER__H2_SF_TRAILERS_RECV))
      break;
    return 0;
  case ACT(PUSH_RECEIVED):
    if (f & HYPER__H2_SF_PUSHED)
      return fail(act, ACT(CONNECTION_ERROR), HYPER_ERR_H2_PROTOCOL);
    return 0;
  case ACT(RESPONSE_SENT):
    if (f & HYPER__H2_SF_TRAILERS_SENT)
      break;
    if (f & HYPER__H2_SF_HEADERS_SENT)
      *act = ACT(TRAILERS_SENT);
    return 0;
  case ACT(TRAILERS_SENT):
    if (f & HYPER__H2_SF_TRAILERS_SENT)
      break;
    return 0;
  case ACT(INFORMATIONAL_SENT):
    if (f & HYPER__H2_SF_HEADERS_SENT)
      break;
    return 0;
  case ACT(DATA_SENT):
    if (!(f & HYPER__H2_SF_HEADERS_SENT) || (f & HYPER__H2_SF_TRAILERS_SENT))
      break;
    return 0;
  case ACT(PUSH_SENT):
    if (f & HYPER__H2_SF_PUSHED)
      break;
    return 0;
  default:
    return 0;
  }
  /* A malformed message (§8.1.1): received, a stream error PROTOCOL_ERROR;
   * about to be sent, the same, as the stream is live (see reject()). */
  return fail(act, ACT(STREAM_ERROR), HYPER_ERR_H2_PROTOCOL);
}

/* The outcome of |in| on |s| without applying it. */
static inline int resolve(const hyper__h2_stream_fsm *s, hyper__h2_in in,
                   unsigned *next, int *act) {
  const fsm_entry *e;

  *next = ST(CLOSED);
  if (!valid_args(s, in))
    return fail(act, ACT(CONNECTION_ERROR), HYPER_ERR_INTERNAL);
  e = entry_of(s->is_client, s->state, (unsigned)in);
  if (e->next == HYPER__H2_ST__INVALID)
    return reject(s, in, act);
  *next = e->next;
  *act = e->act;
  return refine(s, act);
}

static uint8_t closed_by_input(hyper__h2_in in) {
  switch (in) {
  case IN(SEND_END_STREAM):
    return HYPER__H2_CLOSED_BY_SEND_END_STREAM;
  case IN(RECV_END_STREAM):
    return HYPER__H2_CLOSED_BY_RECV_END_STREAM;
  case IN(RECV_RST):
    return HYPER__H2_CLOSED_BY_RECV_RST;
  default: /* SEND_RST; the tables close streams on nothing else */
    return HYPER__H2_CLOSED_BY_SEND_RST;
  }
}

void hyper__h2_stream_fsm_init(hyper__h2_stream_fsm *s, int is_client) {
  s->state = ST(IDLE);
  s->closed_by = HYPER__H2_CLOSED_BY_NONE;
  s->flags = 0;
  s->is_client = is_client ? 1 : 0;
}

int hyper__h2_stream_check(const hyper__h2_stream_fsm *s, hyper__h2_in in) {
  unsigned next;
  int act;
  return resolve(s, in, &next, &act);
}

int hyper__h2_stream_input(hyper__h2_stream_fsm *s, hyper__h2_in in,
                           int *action) {
  unsigned next;
  int act;
  int rv = resolve(s, in, &next, &act);

  *action = act;
  if (rv < 0) {
    /* h2's rule: anything invalid closes the stream at once. Keep the
     * original closed_by of a stream that was already closed: it decides
     * how later frames are classified. */
    if (s->state != ST(CLOSED))
      s->closed_by = HYPER__H2_CLOSED_BY_SEND_RST;
    s->state = ST(CLOSED);
    return rv;
  }
  switch (act) {
  case ACT(REQUEST_RECEIVED):
  case ACT(RESPONSE_RECEIVED):
    s->flags |= HYPER__H2_SF_HEADERS_RECV;
    break;
  case ACT(TRAILERS_RECEIVED):
    s->flags |= HYPER__H2_SF_TRAILERS_RECV;
    break;
  case ACT(REQUEST_SENT):
  case ACT(RESPONSE_SENT):
    s->flags |= HYPER__H2_SF_HEADERS_SENT;
    break;
  case ACT(TRAILERS_SENT):
    s->flags |= HYPER__H2_SF_TRAILERS_SENT;
    break;
  case ACT(STREAM_ENDED):
    s->flags |= HYPER__H2_SF_END_STREAM_RECV;
    break;
  default:
    break;
  }
  if (s->state == ST(IDLE) && (next == ST(RESERVED_LOCAL) ||
                               next == ST(RESERVED_REMOTE)))
    s->flags |= HYPER__H2_SF_PUSHED;
  if (next == ST(CLOSED) && s->state != ST(CLOSED))
    s->closed_by = closed_by_input(in);
  s->state = (uint8_t)next;
  return 0;
}

int hyper__h2_stream_lookup(int is_client, hyper__h2_st st, hyper__h2_in in,
                            hyper__h2_st *next, int *action) {
  const fsm_entry *e;

  *next = HYPER__H2_ST__INVALID;
  *action = ACT(NONE);
  if ((unsigned)st >= HYPER__H2_ST__COUNT || (unsigned)in >= HYPER__H2_IN__COUNT)
    return 0;
  e = entry_of(is_client, (unsigned)st, (unsigned)in);
  *next = (hyper__h2_st)e->next;
  *action = e->act;
  return e->next != HYPER__H2_ST__INVALID;
}

static const char *const st_names[HYPER__H2_ST__COUNT] = {
  [HYPER__H2_ST__INVALID] = "invalid",
  [ST(IDLE)] = "idle",
  [ST(RESERVED_LOCAL)] = "reserved (local)",
  [ST(RESERVED_REMOTE)] = "reserved (remote)",
  [ST(OPEN)] = "open",
  [ST(HALF_CLOSED_LOCAL)] = "half-closed (local)",
  [ST(HALF_CLOSED_REMOTE)] = "half-closed (remote)",
  [ST(CLOSED)] = "closed",
};

#define NAME(x) [IN(x)] = #x
static const char *const in_names[HYPER__H2_IN__COUNT] = {
  NAME(SEND_HEADERS), NAME(SEND_INFORMATIONAL), NAME(SEND_PUSH_PROMISE),
  NAME(SEND_DATA), NAME(SEND_END_STREAM), NAME(SEND_RST),
  NAME(SEND_WINDOW_UPDATE), NAME(SEND_PRIORITY), NAME(RECV_HEADERS),
  NAME(RECV_INFORMATIONAL), NAME(RECV_PUSH_PROMISE), NAME(RECV_DATA),
  NAME(RECV_END_STREAM), NAME(RECV_RST), NAME(RECV_WINDOW_UPDATE),
  NAME(RECV_PRIORITY),
};
#undef NAME

#define NAME(x) [ACT(x)] = #x
static const char *const act_names[HYPER__H2_ACT__COUNT] = {
  NAME(NONE), NAME(REQUEST_RECEIVED), NAME(RESPONSE_RECEIVED),
  NAME(INFORMATIONAL_RECEIVED), NAME(TRAILERS_RECEIVED), NAME(DATA_RECEIVED),
  NAME(STREAM_ENDED), NAME(STREAM_RESET), NAME(PUSH_RECEIVED),
  NAME(WINDOW_UPDATED), NAME(REQUEST_SENT), NAME(RESPONSE_SENT),
  NAME(INFORMATIONAL_SENT), NAME(TRAILERS_SENT), NAME(DATA_SENT),
  NAME(PUSH_SENT), NAME(DISCARD), NAME(STREAM_ERROR), NAME(CONNECTION_ERROR),
  NAME(SEND_REFUSED),
};
#undef NAME

static const char *const closed_by_names[] = {
  [HYPER__H2_CLOSED_BY_NONE] = "NONE",
  [HYPER__H2_CLOSED_BY_SEND_END_STREAM] = "SEND_END_STREAM",
  [HYPER__H2_CLOSED_BY_RECV_END_STREAM] = "RECV_END_STREAM",
  [HYPER__H2_CLOSED_BY_SEND_RST] = "SEND_RST",
  [HYPER__H2_CLOSED_BY_RECV_RST] = "RECV_RST",
};

static const char *name_of(const char *const *names, unsigned n, int v) {
  if (v < 0 || (unsigned)v >= n || names[v] == NULL)
    return "invalid";
  return names[v];
}

const char *hyper__h2_st_name(int st) {
  return name_of(st_names, HYPER__H2_ST__COUNT, st);
}

const char *hyper__h2_in_name(int in) {
  return name_of(in_names, HYPER__H2_IN__COUNT, in);
}

const char *hyper__h2_act_name(int act) {
  return name_of(act_names, HYPER__H2_ACT__COUNT, act);
}

const char *hyper__h2_closed_by_name(int closed_by) {
  return name_of(closed_by_names,
                 sizeof closed_by_names / sizeof closed_by_names[0], closed_by);
}
