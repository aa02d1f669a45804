/* The RFC 9113 §5.1 stream state machine: every [state][input] pair for both
 * roles (the C form of h2's hypothesis test, test_state_machines.py), random
 * walks, and one test per path of the RFC's diagram. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "h2/stream_fsm.h"
#include "hyper/common.h"

#define ST(x) HYPER__H2_ST_##x
#define IN(x) HYPER__H2_IN_##x
#define ACT(x) HYPER__H2_ACT_##x
#define BY(x) HYPER__H2_CLOSED_BY_##x

#define CLIENT 1
#define SERVER 0

/* Feeds |in| and checks the return value, the action and the new state. */
#define STEP(s, in, want_rv, want_act, want_st)                                \
  step(s, IN(in), want_rv, ACT(want_act), ST(want_st), __LINE__)

static void step(hyper__h2_stream_fsm *s, hyper__h2_in in, int want_rv,
                 int want_act, int want_st, int line) {
  int act = -1;
  int rv = hyper__h2_stream_input(s, in, &act);
  if (rv != want_rv || act != want_act || s->state != want_st)
    print_error("line %d: %s -> rv %s act %s state %s; wanted %s %s %s\n",
                line, hyper__h2_in_name(in), hyper_err_name(rv),
                hyper__h2_act_name(act), hyper__h2_st_name(s->state),
                hyper_err_name(want_rv), hyper__h2_act_name(want_act),
                hyper__h2_st_name(want_st));
  assert_int_equal(rv, want_rv);
  assert_int_equal(act, want_act);
  assert_int_equal(s->state, want_st);
}

static hyper__h2_stream_fsm fresh(int is_client) {
  hyper__h2_stream_fsm s;
  hyper__h2_stream_fsm_init(&s, is_client);
  return s;
}

/* A client stream with the request sent (open) / server stream with the
 * request received (open). */
static hyper__h2_stream_fsm client_open(void) {
  hyper__h2_stream_fsm s = fresh(CLIENT);
  STEP(&s, SEND_HEADERS, 0, REQUEST_SENT, OPEN);
  return s;
}

static hyper__h2_stream_fsm server_open(void) {
  hyper__h2_stream_fsm s = fresh(SERVER);
  STEP(&s, RECV_HEADERS, 0, REQUEST_RECEIVED, OPEN);
  return s;
}

static int is_error_act(int act) {
  return act == ACT(STREAM_ERROR) || act == ACT(CONNECTION_ERROR) ||
         act == ACT(SEND_REFUSED);
}

/*
 * The invariant behind h2's rule "anything not in this map is invalid and
 * immediately causes a transition to closed": after any input from any
 * stream, the result is the listed transition (with its action, or the
 * flag-refined one), or CLOSED plus an error and an error action, or the
 * §5.1 late-frame discard. Returns the rv for further checks.
 */
static int check_one(const hyper__h2_stream_fsm *before, hyper__h2_in in) {
  hyper__h2_stream_fsm s = *before;
  hyper__h2_st next;
  int tact, act = -1;
  int listed = hyper__h2_stream_lookup(before->is_client, before->state, in,
                                       &next, &tact);
  int pure = hyper__h2_stream_check(before, in);
  int rv = hyper__h2_stream_input(&s, in, &act);

  assert_int_equal(pure, rv); /* check() predicts input() */
  assert_true(act >= 0 && act < HYPER__H2_ACT__COUNT);
  assert_int_equal(s.is_client, before->is_client);
  if (rv == 0) {
    assert_false(is_error_act(act));
    if (listed) {
      assert_int_equal(s.state, next);
      if (act != tact)
        assert_true((tact == ACT(RESPONSE_RECEIVED) &&
                     act == ACT(TRAILERS_RECEIVED)) ||
                    (tact == ACT(RESPONSE_SENT) && act == ACT(TRAILERS_SENT)));
    } else {
      assert_int_equal(act, ACT(DISCARD));
      assert_int_equal(before->state, ST(CLOSED));
      assert_int_equal(before->closed_by, BY(SEND_RST));
      assert_false(hyper__h2_in_is_send(in));
      assert_memory_equal(&s, before, sizeof s);
    }
  } else {
    assert_true(rv == HYPER_ERR_H2_PROTOCOL ||
                rv == HYPER_ERR_H2_STREAM_CLOSED);
    assert_true(is_error_act(act));
    assert_int_equal(s.state, ST(CLOSED));
    if (hyper__h2_in_is_send(in))
      assert_int_not_equal(act, ACT(CONNECTION_ERROR));
    else
      assert_int_not_equal(act, ACT(SEND_REFUSED));
  }
  /* closed is absorbing and always says why */
  if (before->state == ST(CLOSED)) {
    assert_int_equal(s.state, ST(CLOSED));
    assert_int_equal(s.closed_by, before->closed_by);
  }
  if (s.state == ST(CLOSED) && before->closed_by != BY(NONE))
    assert_int_not_equal(s.closed_by, BY(NONE));
  if (s.state == ST(CLOSED) && before->state != ST(CLOSED))
    assert_int_not_equal(s.closed_by, BY(NONE));
  return rv;
}

static void test_stream_fsm_exhaustive(void **state) {
  (void)state;
  unsigned calls = 0, errors = 0;
  for (int role = 0; role < 2; role++)
    for (int st = ST(IDLE); st <= ST(CLOSED); st++)
      for (int in = 0; in < HYPER__H2_IN__COUNT; in++)
        for (int by = BY(NONE); by <= BY(RECV_RST); by++)
          for (unsigned fl = 0; fl < 0x40u; fl++) {
            if (st != ST(CLOSED) && by != BY(NONE))
              continue; /* closed_by is NONE until closed */
            hyper__h2_stream_fsm s = fresh(role);
            s.state = (uint8_t)st;
            s.closed_by = (uint8_t)by;
            s.flags = (uint8_t)fl;
            calls++;
            errors += check_one(&s, (hyper__h2_in)in) < 0;
          }
  assert_true(calls > 10000);
  assert_true(errors > 0 && errors < calls);
}

/* h2's hypothesis test drives random input sequences; here a fixed-seed
 * LCG does, checking the same invariant at every step. */
static void test_stream_fsm_random_walk(void **state) {
  (void)state;
  uint32_t seed = 0x9113u;
  unsigned reached[2][HYPER__H2_ST__COUNT] = {{0}};
  for (int walk = 0; walk < 20000; walk++) {
    hyper__h2_stream_fsm s = fresh(walk & 1);
    for (int n = 0; n < 12; n++) {
      seed = seed * 1664525u + 1013904223u;
      hyper__h2_in in = (hyper__h2_in)((seed >> 16) % HYPER__H2_IN__COUNT);
      int act;
      check_one(&s, in);
      (void)hyper__h2_stream_input(&s, in, &act);
      reached[walk & 1][s.state]++;
    }
  }
  /* every state of each role is reached, and none of the other role's */
  for (int st = ST(IDLE); st <= ST(CLOSED); st++) {
    if (st != ST(RESERVED_LOCAL))
      assert_true(reached[CLIENT][st] > 0);
    if (st != ST(RESERVED_REMOTE))
      assert_true(reached[SERVER][st] > 0);
  }
  assert_int_equal(reached[CLIENT][ST(RESERVED_LOCAL)], 0);
  assert_int_equal(reached[SERVER][ST(RESERVED_REMOTE)], 0);
}

/* The tables themselves: no error actions in them, row 0 empty, PRIORITY
 * in every state the role can be in, closing only on END_STREAM or
 * RST_STREAM. */
static void test_stream_fsm_table_sanity(void **state) {
  (void)state;
  for (int role = 0; role < 2; role++)
    for (int st = 0; st < HYPER__H2_ST__COUNT; st++)
      for (int in = 0; in < HYPER__H2_IN__COUNT; in++) {
        hyper__h2_st next;
        int act;
        int listed = hyper__h2_stream_lookup(role, (hyper__h2_st)st,
                                             (hyper__h2_in)in, &next, &act);
        /* row 0, and the reserved state the role never enters, are empty */
        if (st == HYPER__H2_ST__INVALID ||
            (role == CLIENT && st == ST(RESERVED_LOCAL)) ||
            (role == SERVER && st == ST(RESERVED_REMOTE))) {
          assert_false(listed);
          continue;
        }
        if (in == IN(SEND_PRIORITY) || in == IN(RECV_PRIORITY)) {
          assert_true(listed);
          assert_int_equal(next, st);
          assert_int_equal(act, ACT(NONE));
        }
        if (!listed) {
          assert_int_equal(next, HYPER__H2_ST__INVALID);
          continue;
        }
        assert_true(next >= ST(IDLE) && next <= ST(CLOSED));
        assert_false(is_error_act(act));
        assert_int_not_equal(act, ACT(DISCARD));
        if (next == ST(CLOSED) && st != ST(CLOSED))
          assert_true(in == IN(SEND_END_STREAM) || in == IN(RECV_END_STREAM) ||
                      in == IN(SEND_RST) || in == IN(RECV_RST));
        /* the role shows in the tables */
        if (role == CLIENT)
          assert_true(in != IN(SEND_PUSH_PROMISE) &&
                      in != IN(SEND_INFORMATIONAL) &&
                      next != ST(RESERVED_LOCAL));
        else
          assert_true(in != IN(RECV_PUSH_PROMISE) &&
                      in != IN(RECV_INFORMATIONAL) &&
                      next != ST(RESERVED_REMOTE));
      }
  hyper__h2_st next;
  int act;
  assert_false(hyper__h2_stream_lookup(CLIENT, HYPER__H2_ST__COUNT,
                                       IN(SEND_DATA), &next, &act));
}

/* idle -> open -> half-closed (local) -> closed: a request with a body. */
static void test_stream_fsm_client_request_with_body(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = fresh(CLIENT);
  STEP(&s, SEND_HEADERS, 0, REQUEST_SENT, OPEN);
  STEP(&s, SEND_DATA, 0, DATA_SENT, OPEN);
  STEP(&s, SEND_DATA, 0, DATA_SENT, OPEN);
  STEP(&s, RECV_WINDOW_UPDATE, 0, WINDOW_UPDATED, OPEN);
  STEP(&s, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_DATA, 0, DATA_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&s, SEND_WINDOW_UPDATE, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_DATA, 0, DATA_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, CLOSED);
  assert_int_equal(s.closed_by, BY(RECV_END_STREAM));
  assert_true(s.flags & HYPER__H2_SF_HEADERS_SENT);
  assert_true(s.flags & HYPER__H2_SF_HEADERS_RECV);
  assert_true(s.flags & HYPER__H2_SF_END_STREAM_RECV);
}

/* HEADERS with END_STREAM: idle -> open -> half-closed (local) as two
 * inputs (§5.1: "the same frame can also cause a stream to immediately
 * become half-closed"); a HEADERS-only response then closes it. */
static void test_stream_fsm_client_headers_end_stream(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = fresh(CLIENT);
  STEP(&s, SEND_HEADERS, 0, REQUEST_SENT, OPEN);
  STEP(&s, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, SEND_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s = fresh(CLIENT);
  STEP(&s, SEND_HEADERS, 0, REQUEST_SENT, OPEN);
  STEP(&s, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, CLOSED);
}

/* The server's side of both: idle -> open -> half-closed (remote) -> closed,
 * and an early response: open -> half-closed (local) -> closed. */
static void test_stream_fsm_server_mirror(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = fresh(SERVER);
  STEP(&s, SEND_HEADERS, HYPER_ERR_H2_PROTOCOL, SEND_REFUSED, CLOSED);
  s = fresh(SERVER);
  STEP(&s, RECV_HEADERS, 0, REQUEST_RECEIVED, OPEN);
  STEP(&s, RECV_DATA, 0, DATA_RECEIVED, OPEN);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_DATA, 0, DATA_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, RECV_WINDOW_UPDATE, 0, WINDOW_UPDATED, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_END_STREAM, 0, NONE, CLOSED);
  assert_int_equal(s.closed_by, BY(SEND_END_STREAM));

  s = server_open();
  STEP(&s, SEND_HEADERS, 0, RESPONSE_SENT, OPEN);
  STEP(&s, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_DATA, 0, DATA_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_WINDOW_UPDATE, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, CLOSED);
  assert_int_equal(s.closed_by, BY(RECV_END_STREAM));
}

/* idle -> reserved (local) -> half-closed (remote) -> closed on the server;
 * PUSH_PROMISE on the parent leaves it open. */
static void test_stream_fsm_server_push(void **state) {
  (void)state;
  hyper__h2_stream_fsm parent = server_open();
  STEP(&parent, SEND_PUSH_PROMISE, 0, PUSH_SENT, OPEN);
  STEP(&parent, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);
  STEP(&parent, SEND_PUSH_PROMISE, 0, PUSH_SENT, HALF_CLOSED_REMOTE);

  hyper__h2_stream_fsm p = fresh(SERVER);
  STEP(&p, SEND_PUSH_PROMISE, 0, NONE, RESERVED_LOCAL);
  assert_true(p.flags & HYPER__H2_SF_PUSHED);
  STEP(&p, RECV_PRIORITY, 0, NONE, RESERVED_LOCAL);
  STEP(&p, RECV_WINDOW_UPDATE, 0, WINDOW_UPDATED, RESERVED_LOCAL);
  STEP(&p, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&p, SEND_DATA, 0, DATA_SENT, HALF_CLOSED_REMOTE);
  STEP(&p, SEND_END_STREAM, 0, NONE, CLOSED);

  /* §6.6: push only on a peer-initiated stream, never on a pushed one */
  p = fresh(SERVER);
  STEP(&p, SEND_PUSH_PROMISE, 0, NONE, RESERVED_LOCAL);
  STEP(&p, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&p, SEND_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  /* §5.1 reserved (local): the peer may not send DATA, we may not send
   * WINDOW_UPDATE or DATA before HEADERS */
  p = fresh(SERVER);
  STEP(&p, SEND_PUSH_PROMISE, 0, NONE, RESERVED_LOCAL);
  STEP(&p, RECV_DATA, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
  p = fresh(SERVER);
  STEP(&p, SEND_PUSH_PROMISE, 0, NONE, RESERVED_LOCAL);
  STEP(&p, SEND_WINDOW_UPDATE, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  p = fresh(SERVER);
  STEP(&p, SEND_PUSH_PROMISE, 0, NONE, RESERVED_LOCAL);
  STEP(&p, SEND_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  /* the promised stream must be idle */
  p = server_open();
  STEP(&p, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);
  STEP(&p, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&p, SEND_END_STREAM, 0, NONE, CLOSED);
  STEP(&p, SEND_PUSH_PROMISE, HYPER_ERR_H2_STREAM_CLOSED, SEND_REFUSED, CLOSED);
}

/* idle -> reserved (remote) -> half-closed (local) -> closed on the
 * client; PUSH_PROMISE received on the parent. */
static void test_stream_fsm_client_push(void **state) {
  (void)state;
  hyper__h2_stream_fsm parent = client_open();
  STEP(&parent, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&parent, RECV_PUSH_PROMISE, 0, PUSH_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&parent, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&parent, RECV_PUSH_PROMISE, 0, PUSH_RECEIVED, HALF_CLOSED_LOCAL);

  hyper__h2_stream_fsm p = fresh(CLIENT);
  STEP(&p, RECV_PUSH_PROMISE, 0, NONE, RESERVED_REMOTE);
  STEP(&p, SEND_WINDOW_UPDATE, 0, NONE, RESERVED_REMOTE);
  STEP(&p, SEND_PRIORITY, 0, NONE, RESERVED_REMOTE);
  STEP(&p, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&p, RECV_DATA, 0, DATA_RECEIVED, HALF_CLOSED_LOCAL);
  /* a push on a pushed (server-initiated) stream: connection error */
  hyper__h2_stream_fsm q = p;
  STEP(&q, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
  STEP(&p, RECV_END_STREAM, 0, STREAM_ENDED, CLOSED);

  /* §5.1 reserved (remote): only HEADERS, RST_STREAM, PRIORITY come in;
   * we send no HEADERS or DATA on it */
  static const hyper__h2_in bad_recv[] = {IN(RECV_DATA), IN(RECV_WINDOW_UPDATE),
                                          IN(RECV_END_STREAM),
                                          IN(RECV_PUSH_PROMISE)};
  for (size_t i = 0; i < sizeof bad_recv / sizeof bad_recv[0]; i++) {
    p = fresh(CLIENT);
    STEP(&p, RECV_PUSH_PROMISE, 0, NONE, RESERVED_REMOTE);
    step(&p, bad_recv[i], HYPER_ERR_H2_PROTOCOL, ACT(CONNECTION_ERROR),
         ST(CLOSED), __LINE__);
  }
  p = fresh(CLIENT);
  STEP(&p, RECV_PUSH_PROMISE, 0, NONE, RESERVED_REMOTE);
  STEP(&p, SEND_HEADERS, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  /* a 1xx ahead of the pushed response (HEADERS: §5.1 -> half-closed) */
  p = fresh(CLIENT);
  STEP(&p, RECV_PUSH_PROMISE, 0, NONE, RESERVED_REMOTE);
  STEP(&p, RECV_INFORMATIONAL, 0, INFORMATIONAL_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&p, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
}

/* Push across roles: a server never receives PUSH_PROMISE (§8.4), a client
 * never sends one. */
static void test_stream_fsm_push_roles(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = server_open();
  STEP(&s, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
  s = fresh(SERVER);
  STEP(&s, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
  s = client_open();
  STEP(&s, SEND_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s = fresh(CLIENT);
  STEP(&s, SEND_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, SEND_REFUSED, CLOSED);
  /* §6.6: PUSH_PROMISE on a half-closed (remote) parent */
  s = client_open();
  STEP(&s, RECV_HEADERS, 0, RESPONSE_RECEIVED, OPEN);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);
  STEP(&s, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
}

/* Brings a fresh stream of |role| to |st| along an RFC path. */
static hyper__h2_stream_fsm reach(int role, int st) {
  hyper__h2_stream_fsm s = fresh(role);
  int act;
  switch (st) {
  case ST(RESERVED_LOCAL):
    assert_int_equal(hyper__h2_stream_input(&s, IN(SEND_PUSH_PROMISE), &act), 0);
    break;
  case ST(RESERVED_REMOTE):
    assert_int_equal(hyper__h2_stream_input(&s, IN(RECV_PUSH_PROMISE), &act), 0);
    break;
  case ST(IDLE):
    break;
  default:
    s = role == CLIENT ? client_open() : server_open();
    if (st == ST(HALF_CLOSED_LOCAL) || st == ST(CLOSED))
      assert_int_equal(hyper__h2_stream_input(&s, IN(SEND_END_STREAM), &act), 0);
    if (st == ST(HALF_CLOSED_REMOTE) || st == ST(CLOSED))
      assert_int_equal(hyper__h2_stream_input(&s, IN(RECV_END_STREAM), &act), 0);
  }
  assert_int_equal(s.state, st);
  return s;
}

/* RST_STREAM sent or received closes every non-idle, non-closed stream. */
static void test_stream_fsm_rst_from_each_state(void **state) {
  (void)state;
  static const int live[] = {ST(RESERVED_LOCAL), ST(RESERVED_REMOTE), ST(OPEN),
                             ST(HALF_CLOSED_LOCAL), ST(HALF_CLOSED_REMOTE)};
  for (int role = 0; role < 2; role++)
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
      if ((live[i] == ST(RESERVED_LOCAL) && role == CLIENT) ||
          (live[i] == ST(RESERVED_REMOTE) && role == SERVER))
        continue;
      hyper__h2_stream_fsm s = reach(role, live[i]);
      STEP(&s, SEND_RST, 0, NONE, CLOSED);
      assert_int_equal(s.closed_by, BY(SEND_RST));
      s = reach(role, live[i]);
      STEP(&s, RECV_RST, 0, STREAM_RESET, CLOSED);
      assert_int_equal(s.closed_by, BY(RECV_RST));
      /* §5.4.2: never answer RST_STREAM with RST_STREAM; a second one is
       * dropped, and we may not send one on a closed stream */
      STEP(&s, RECV_RST, 0, NONE, CLOSED);
      STEP(&s, SEND_RST, HYPER_ERR_H2_STREAM_CLOSED, SEND_REFUSED, CLOSED);
      assert_int_equal(s.closed_by, BY(RECV_RST));
    }
  /* §6.4: RST_STREAM on an idle stream */
  for (int role = 0; role < 2; role++) {
    hyper__h2_stream_fsm s = fresh(role);
    STEP(&s, RECV_RST, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
    s = fresh(role);
    STEP(&s, SEND_RST, HYPER_ERR_H2_PROTOCOL, SEND_REFUSED, CLOSED);
  }
}

/* Trailers: the second HEADERS, at most once, nothing after them (§8.1). */
static void test_stream_fsm_trailers(void **state) {
  (void)state;
  /* client sends request trailers, server receives them */
  hyper__h2_stream_fsm c = client_open();
  STEP(&c, SEND_DATA, 0, DATA_SENT, OPEN);
  STEP(&c, SEND_HEADERS, 0, TRAILERS_SENT, OPEN);
  hyper__h2_stream_fsm c2 = c;
  STEP(&c2, SEND_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  c2 = c;
  STEP(&c2, SEND_HEADERS, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  STEP(&c, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);

  hyper__h2_stream_fsm s = server_open();
  STEP(&s, RECV_DATA, 0, DATA_RECEIVED, OPEN);
  STEP(&s, RECV_HEADERS, 0, TRAILERS_RECEIVED, OPEN);
  hyper__h2_stream_fsm s2 = s;
  STEP(&s2, RECV_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s2 = s;
  STEP(&s2, RECV_HEADERS, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);

  /* response trailers, both ends */
  STEP(&s, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_DATA, 0, DATA_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_HEADERS, 0, TRAILERS_SENT, HALF_CLOSED_REMOTE);
  s2 = s;
  STEP(&s2, SEND_HEADERS, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  STEP(&s, SEND_END_STREAM, 0, NONE, CLOSED);

  STEP(&c, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_DATA, 0, DATA_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_HEADERS, 0, TRAILERS_RECEIVED, HALF_CLOSED_LOCAL);
  c2 = c;
  STEP(&c2, RECV_HEADERS, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  c2 = c;
  STEP(&c2, RECV_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  STEP(&c, RECV_END_STREAM, 0, STREAM_ENDED, CLOSED);
  assert_true(c.flags & HYPER__H2_SF_TRAILERS_RECV);
}

/* 1xx responses come before the final one, never after (§8.1). */
static void test_stream_fsm_informational(void **state) {
  (void)state;
  hyper__h2_stream_fsm c = client_open();
  STEP(&c, SEND_END_STREAM, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_INFORMATIONAL, 0, INFORMATIONAL_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_INFORMATIONAL, 0, INFORMATIONAL_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_HEADERS, 0, RESPONSE_RECEIVED, HALF_CLOSED_LOCAL);
  STEP(&c, RECV_INFORMATIONAL, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  assert_int_equal(c.closed_by, BY(SEND_RST));
  /* 100-continue while the body is still going */
  c = client_open();
  STEP(&c, RECV_INFORMATIONAL, 0, INFORMATIONAL_RECEIVED, OPEN);
  STEP(&c, SEND_DATA, 0, DATA_SENT, OPEN);
  STEP(&c, RECV_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);

  hyper__h2_stream_fsm s = server_open();
  STEP(&s, SEND_INFORMATIONAL, 0, INFORMATIONAL_SENT, OPEN);
  STEP(&s, SEND_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s = server_open();
  STEP(&s, RECV_END_STREAM, 0, STREAM_ENDED, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_INFORMATIONAL, 0, INFORMATIONAL_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_HEADERS, 0, RESPONSE_SENT, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_INFORMATIONAL, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  /* a server is never sent a 1xx */
  s = server_open();
  STEP(&s, RECV_INFORMATIONAL, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
}

/* WINDOW_UPDATE and PRIORITY (§5.1, §6.3, §6.9). */
static void test_stream_fsm_window_update_priority(void **state) {
  (void)state;
  for (int role = 0; role < 2; role++)
    for (int st = ST(IDLE); st <= ST(CLOSED); st++) {
      if ((st == ST(RESERVED_LOCAL) && role == CLIENT) ||
          (st == ST(RESERVED_REMOTE) && role == SERVER))
        continue;
      hyper__h2_stream_fsm s = reach(role, st);
      step(&s, IN(RECV_PRIORITY), 0, ACT(NONE), st, __LINE__);
      step(&s, IN(SEND_PRIORITY), 0, ACT(NONE), st, __LINE__);
    }
  hyper__h2_stream_fsm s = reach(CLIENT, ST(HALF_CLOSED_LOCAL));
  STEP(&s, RECV_WINDOW_UPDATE, 0, NONE, HALF_CLOSED_LOCAL);
  STEP(&s, SEND_WINDOW_UPDATE, 0, NONE, HALF_CLOSED_LOCAL);
  s = reach(SERVER, ST(HALF_CLOSED_REMOTE));
  STEP(&s, RECV_WINDOW_UPDATE, 0, WINDOW_UPDATED, HALF_CLOSED_REMOTE);
  STEP(&s, SEND_WINDOW_UPDATE, 0, NONE, HALF_CLOSED_REMOTE);
  /* §5.1 closed: WINDOW_UPDATE may cross our END_STREAM; we send none */
  s = reach(SERVER, ST(CLOSED));
  STEP(&s, RECV_WINDOW_UPDATE, 0, NONE, CLOSED);
  STEP(&s, SEND_WINDOW_UPDATE, HYPER_ERR_H2_STREAM_CLOSED, SEND_REFUSED,
       CLOSED);
  /* idle: connection error PROTOCOL_ERROR */
  s = fresh(SERVER);
  STEP(&s, RECV_WINDOW_UPDATE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
  s = fresh(CLIENT);
  STEP(&s, SEND_WINDOW_UPDATE, HYPER_ERR_H2_PROTOCOL, SEND_REFUSED, CLOSED);
}

/* §5.1 idle: anything but HEADERS (to a server) and PRIORITY is a
 * connection error PROTOCOL_ERROR. */
static void test_stream_fsm_idle_errors(void **state) {
  (void)state;
  for (int in = IN(RECV_HEADERS); in < HYPER__H2_IN__COUNT; in++)
    for (int role = 0; role < 2; role++) {
      if (in == IN(RECV_PRIORITY) || (in == IN(RECV_HEADERS) && role == SERVER) ||
          (in == IN(RECV_PUSH_PROMISE) && role == CLIENT))
        continue;
      hyper__h2_stream_fsm s = fresh(role);
      step(&s, (hyper__h2_in)in, HYPER_ERR_H2_PROTOCOL, ACT(CONNECTION_ERROR),
           ST(CLOSED), __LINE__);
    }
}

/* §5.1 half-closed (remote): HEADERS or DATA after the peer's END_STREAM
 * is a stream error STREAM_CLOSED; once it is closed, a connection error. */
static void test_stream_fsm_half_closed_remote(void **state) {
  (void)state;
  static const hyper__h2_in late[] = {IN(RECV_HEADERS), IN(RECV_DATA),
                                      IN(RECV_END_STREAM)};
  for (size_t i = 0; i < sizeof late / sizeof late[0]; i++)
    for (int role = 0; role < 2; role++) {
      hyper__h2_stream_fsm s = reach(role, ST(HALF_CLOSED_REMOTE));
      step(&s, late[i], HYPER_ERR_H2_STREAM_CLOSED, ACT(STREAM_ERROR),
           ST(CLOSED), __LINE__);
      assert_int_equal(s.closed_by, BY(SEND_RST));
      step(&s, late[i], HYPER_ERR_H2_STREAM_CLOSED, ACT(CONNECTION_ERROR),
           ST(CLOSED), __LINE__);
    }
}

/* Frames after closed, by how it closed (§5.1 closed, §6.1). */
static void test_stream_fsm_frames_after_closed(void **state) {
  (void)state;
  /* we reset it while the peer was still sending: discard late frames */
  static const hyper__h2_in late[] = {IN(RECV_HEADERS), IN(RECV_DATA),
                                      IN(RECV_END_STREAM),
                                      IN(RECV_INFORMATIONAL),
                                      IN(RECV_PUSH_PROMISE)};
  hyper__h2_stream_fsm s = reach(CLIENT, ST(HALF_CLOSED_LOCAL));
  STEP(&s, SEND_RST, 0, NONE, CLOSED);
  for (size_t i = 0; i < sizeof late / sizeof late[0]; i++)
    step(&s, late[i], 0, ACT(DISCARD), ST(CLOSED), __LINE__);
  STEP(&s, RECV_WINDOW_UPDATE, 0, NONE, CLOSED);
  STEP(&s, RECV_RST, 0, NONE, CLOSED);
  STEP(&s, SEND_DATA, HYPER_ERR_H2_STREAM_CLOSED, SEND_REFUSED, CLOSED);
  STEP(&s, SEND_HEADERS, HYPER_ERR_H2_STREAM_CLOSED, SEND_REFUSED, CLOSED);
  STEP(&s, SEND_PRIORITY, 0, NONE, CLOSED);
  assert_int_equal(s.closed_by, BY(SEND_RST));
  /* a stream error we raised is a reset too */
  s = client_open();
  STEP(&s, RECV_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  STEP(&s, RECV_DATA, 0, DISCARD, CLOSED);

  /* the peer reset it and kept sending: stream error STREAM_CLOSED */
  s = reach(SERVER, ST(OPEN));
  STEP(&s, RECV_RST, 0, STREAM_RESET, CLOSED);
  STEP(&s, RECV_DATA, HYPER_ERR_H2_STREAM_CLOSED, STREAM_ERROR, CLOSED);
  STEP(&s, RECV_HEADERS, HYPER_ERR_H2_STREAM_CLOSED, STREAM_ERROR, CLOSED);
  STEP(&s, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);

  /* both sides ended: frames after END_STREAM are a connection error */
  for (int role = 0; role < 2; role++) {
    s = reach(role, ST(CLOSED));
    step(&s, IN(RECV_DATA), HYPER_ERR_H2_STREAM_CLOSED, ACT(CONNECTION_ERROR),
         ST(CLOSED), __LINE__);
  }
  /* we reset it after the peer had ended: nothing of the peer's is late */
  s = reach(SERVER, ST(HALF_CLOSED_REMOTE));
  STEP(&s, SEND_RST, 0, NONE, CLOSED);
  STEP(&s, RECV_HEADERS, HYPER_ERR_H2_STREAM_CLOSED, CONNECTION_ERROR, CLOSED);
  /* PUSH_PROMISE on a stream closed by END_STREAM both ways (§6.6) */
  s = reach(CLIENT, ST(CLOSED));
  STEP(&s, RECV_PUSH_PROMISE, HYPER_ERR_H2_PROTOCOL, CONNECTION_ERROR, CLOSED);
}

/* DATA needs HEADERS first (§8.1), in both directions. */
static void test_stream_fsm_data_before_headers(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = reach(CLIENT, ST(HALF_CLOSED_LOCAL));
  STEP(&s, RECV_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s = reach(SERVER, ST(HALF_CLOSED_REMOTE));
  STEP(&s, SEND_DATA, HYPER_ERR_H2_PROTOCOL, STREAM_ERROR, CLOSED);
  s = fresh(CLIENT);
  STEP(&s, SEND_DATA, HYPER_ERR_H2_PROTOCOL, SEND_REFUSED, CLOSED);
}

/* check() predicts input() and changes nothing. */
static void test_stream_fsm_check_is_pure(void **state) {
  (void)state;
  hyper__h2_stream_fsm s = client_open();
  hyper__h2_stream_fsm copy = s;
  assert_int_equal(hyper__h2_stream_check(&s, IN(SEND_PUSH_PROMISE)),
                   HYPER_ERR_H2_PROTOCOL);
  assert_int_equal(hyper__h2_stream_check(&s, IN(SEND_DATA)), 0);
  assert_memory_equal(&s, &copy, sizeof s);
}

/* A zeroed (uninitialised) machine or an input out of range is a bug in
 * hyper: INTERNAL, connection error, and the stream is closed. */
static void test_stream_fsm_bad_arguments(void **state) {
  (void)state;
  hyper__h2_stream_fsm s;
  int act = -1;
  memset(&s, 0, sizeof s);
  assert_int_equal(hyper__h2_stream_input(&s, IN(SEND_HEADERS), &act),
                   HYPER_ERR_INTERNAL);
  assert_int_equal(act, ACT(CONNECTION_ERROR));
  assert_int_equal(s.state, ST(CLOSED));
  s = fresh(CLIENT);
  assert_int_equal(hyper__h2_stream_input(&s, HYPER__H2_IN__COUNT, &act),
                   HYPER_ERR_INTERNAL);
  s = fresh(CLIENT);
  s.state = 200;
  assert_int_equal(hyper__h2_stream_check(&s, IN(SEND_HEADERS)),
                   HYPER_ERR_INTERNAL);
  hyper__h2_st next;
  assert_false(hyper__h2_stream_lookup(CLIENT, HYPER__H2_ST__COUNT,
                                       IN(SEND_DATA), &next, &act));
  assert_int_equal(next, HYPER__H2_ST__INVALID);
}

static void test_stream_fsm_names(void **state) {
  (void)state;
  assert_string_equal(hyper__h2_st_name(ST(HALF_CLOSED_LOCAL)),
                      "half-closed (local)");
  assert_string_equal(hyper__h2_st_name(HYPER__H2_ST__INVALID), "invalid");
  assert_string_equal(hyper__h2_st_name(99), "invalid");
  assert_string_equal(hyper__h2_in_name(IN(RECV_DATA)), "RECV_DATA");
  assert_string_equal(hyper__h2_in_name(-1), "invalid");
  assert_string_equal(hyper__h2_act_name(ACT(DISCARD)), "DISCARD");
  assert_string_equal(hyper__h2_act_name(HYPER__H2_ACT__COUNT), "invalid");
  assert_string_equal(hyper__h2_closed_by_name(BY(RECV_RST)), "RECV_RST");
  for (int i = 0; i < HYPER__H2_IN__COUNT; i++)
    for (int j = 0; j < i; j++)
      assert_string_not_equal(hyper__h2_in_name(i), hyper__h2_in_name(j));
  for (int i = 0; i < HYPER__H2_ACT__COUNT; i++)
    assert_string_not_equal(hyper__h2_act_name(i), "invalid");
  for (int i = 1; i < HYPER__H2_ST__COUNT; i++)
    assert_string_not_equal(hyper__h2_st_name(i), "invalid");
  assert_true(hyper__h2_st_is_active(ST(HALF_CLOSED_REMOTE)));
  assert_false(hyper__h2_st_is_active(ST(RESERVED_LOCAL)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stream_fsm_exhaustive),
    cmocka_unit_test(test_stream_fsm_random_walk),
    cmocka_unit_test(test_stream_fsm_table_sanity),
    cmocka_unit_test(test_stream_fsm_client_request_with_body),
    cmocka_unit_test(test_stream_fsm_client_headers_end_stream),
    cmocka_unit_test(test_stream_fsm_server_mirror),
    cmocka_unit_test(test_stream_fsm_server_push),
    cmocka_unit_test(test_stream_fsm_client_push),
    cmocka_unit_test(test_stream_fsm_push_roles),
    cmocka_unit_test(test_stream_fsm_rst_from_each_state),
    cmocka_unit_test(test_stream_fsm_trailers),
    cmocka_unit_test(test_stream_fsm_informational),
    cmocka_unit_test(test_stream_fsm_window_update_priority),
    cmocka_unit_test(test_stream_fsm_idle_errors),
    cmocka_unit_test(test_stream_fsm_half_closed_remote),
    cmocka_unit_test(test_stream_fsm_frames_after_closed),
    cmocka_unit_test(test_stream_fsm_data_before_headers),
    cmocka_unit_test(test_stream_fsm_check_is_pure),
    cmocka_unit_test(test_stream_fsm_bad_arguments),
    cmocka_unit_test(test_stream_fsm_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
