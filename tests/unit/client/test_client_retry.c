/* Automatic, bounded request retries of the blocking client (option
 * max_retries; HOSTILE-PEERS C6, G2 and "421 -> retry on a new
 * connection"), against a python3-h2 script peer on 127.0.0.1 that the
 * test starts (port 0, printed once listening) and stops by PID:
 *   - C6: a server that refuses every stream (RST_STREAM(REFUSED_STREAM))
 *     gets each request exactly 1 + max_retries times, then the caller
 *     sees HYPER_ERR_H2_REFUSED_STREAM; refused once, the response comes
 *     under the caller's id with its body intact; max_retries 0 restores
 *     the old error; a streamed body is not retried; a refusal followed by
 *     GOAWAY moves the retry to a new connection;
 *   - G2: GOAWAY(last=1) with streams 1, 3, 5 open: 1 completes on the old
 *     connection, 3 and 5 on one new connection; a second GOAWAY there
 *     fails them (no third connection); max_retries 0: the old error;
 *   - 421 (RFC 9110 §15.5.20): retried once on a new connection, a second
 *     421 reaches the caller;
 *   - allocation failures along the retry paths (every allocation of a run
 *     failed once in turn): an error (HYPER_ERR_NOMEM), never a leak.
 * The script counts, per tag (the query parameter t), the requests it
 * received and the connections they came on; GET /stats?t=TAG reports
 * them. The Debian interpreter /usr/bin/python3 is used (it has h2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "client_testserver.h"
#include "failmem.h"

#include "hyper/client.h"

#define PY "/usr/bin/python3"

/* ------------------------------------------------------------------------ */
/* The peer                                                                 */
/* ------------------------------------------------------------------------ */

/* Paths (each request carries ?t=TAG; the counts are per tag, and the
 * "first connection" of a tag is the first that carried it):
 *   /refuse-all     RST_STREAM(REFUSED_STREAM) on the request head
 *   /refuse-once    the same for the tag's first request, then answered
 *   /refuse-goaway  refused plus GOAWAY(last = that stream) on the first
 *                   connection, answered on the others
 *   /g2?n=N         on the first connection: held until N such requests
 *                   came, then GOAWAY(last = the first of them), which is
 *                   answered; answered on the others
 *   /g2all?n=N      the same, but a later connection answers its first
 *                   such request with GOAWAY(last = 0)
 *   /mis, /mis-all  421 on the first connection (all connections), else
 *                   answered
 *   /stats          "conns=C reqs=R" of the tag (not counted itself)
 * An answer is 200 with "METHOD PATH n=<request number of the tag>
 * conn=<connection number of the tag> len=<body length> sum=<octet sum>",
 * followed with &big by a newline and 40,000 pattern octets. GOAWAY is
 * written as a raw frame so that the connection stays usable for the
 * streams it still serves (python-h2 closes its state on GOAWAY). */
static const char PY_PEER[] =
    "import socket, sys, threading\n"
    "import h2.connection, h2.config, h2.events\n"
    "from hyperframe.frame import GoAwayFrame\n"
    "from urllib.parse import urlsplit, parse_qs\n"
    "LOCK = threading.Lock()\n"
    "CONNS, REQS, SERIAL = {}, {}, [0]\n"
    "PAT = bytes((i * 7 + 3) & 255 for i in range(40000))\n"
    "def goaway(last):\n"
    "    f = GoAwayFrame(0)\n"
    "    f.last_stream_id = last\n"
    "    f.error_code = 0\n"
    "    return f.serialize()\n"
    "def answer(c, sid, r):\n"
    "    p, q = r['path'], r['q']\n"
    "    status = '200'\n"
    "    if p == '/stats':\n"
    "        with LOCK:\n"
    "            body = ('conns=%d reqs=%d' % (len(CONNS.get(r['tag'], [])),\n"
    "                    REQS.get(r['tag'], 0))).encode()\n"
    "    elif p == '/mis-all' or (p == '/mis' and r['nconn'] == 1):\n"
    "        status, body = '421', b'misdirected'\n"
    "    else:\n"
    "        b = r['body']\n"
    "        body = ('%s %s n=%d conn=%d len=%d sum=%d' % (r['method'], p,\n"
    "                r['nreq'], r['nconn'], len(b),\n"
    "                sum(b) & 0xffffffff)).encode()\n"
    "        if 'big' in q:\n"
    "            body += b'\\n' + PAT\n"
    "    c.send_headers(sid, [(':status', status),\n"
    "                         ('content-length', str(len(body)))])\n"
    "    mx = c.max_outbound_frame_size\n"
    "    for i in range(0, len(body), mx):\n"
    "        c.send_data(sid, body[i:i + mx])\n"
    "    c.end_stream(sid)\n"
    "def serve(sock):\n"
    "    with LOCK:\n"
    "        SERIAL[0] += 1\n"
    "        me = SERIAL[0]\n"
    "    c = h2.connection.H2Connection(config=h2.config.H2Configuration(\n"
    "        client_side=False, header_encoding='utf-8'))\n"
    "    c.initiate_connection()\n"
    "    sock.sendall(c.data_to_send())\n"
    "    reqs, g2, dead = {}, [], False\n"
    "    while True:\n"
    "        data = sock.recv(65536)\n"
    "        if not data:\n"
    "            return\n"
    "        out = b''\n"
    "        for ev in c.receive_data(data):\n"
    "            if isinstance(ev, h2.events.RequestReceived):\n"
    "                h = dict(ev.headers)\n"
    "                u = urlsplit(h[':path'])\n"
    "                q = parse_qs(u.query, keep_blank_values=True)\n"
    "                tag = q.get('t', [''])[0]\n"
    "                p, sid = u.path, ev.stream_id\n"
    "                nconn = nreq = 0\n"
    "                if p != '/stats':\n"
    "                    with LOCK:\n"
    "                        lst = CONNS.setdefault(tag, [])\n"
    "                        if me not in lst:\n"
    "                            lst.append(me)\n"
    "                        REQS[tag] = REQS.get(tag, 0) + 1\n"
    "                        nconn, nreq = lst.index(me) + 1, REQS[tag]\n"
    "                r = {'path': p, 'q': q, 'tag': tag, 'body': b'',\n"
    "                     'method': h[':method'], 'nconn': nconn,\n"
    "                     'nreq': nreq, 'hold': False, 'ended': False}\n"
    "                reqs[sid] = r\n"
    "                if dead:\n"
    "                    r['hold'] = True\n"
    "                elif p == '/refuse-all' or (p == '/refuse-once' and\n"
    "                                            nreq == 1):\n"
    "                    c.reset_stream(sid, error_code=7)\n"
    "                    r['hold'] = True\n"
    "                elif p == '/refuse-goaway' and nconn == 1:\n"
    "                    c.reset_stream(sid, error_code=7)\n"
    "                    r['hold'] = True\n"
    "                    out += c.data_to_send() + goaway(sid)\n"
    "                elif p in ('/g2', '/g2all') and nconn == 1:\n"
    "                    r['hold'] = True\n"
    "                    g2.append(sid)\n"
    "                    if len(g2) == int(q['n'][0]):\n"
    "                        out += c.data_to_send() + goaway(g2[0])\n"
    "                        first = reqs[g2[0]]\n"
    "                        first['hold'] = False\n"
    "                        if first['ended']:\n"
    "                            answer(c, g2[0], first)\n"
    "                elif p == '/g2all':\n"
    "                    r['hold'] = True\n"
    "                    dead = True\n"
    "                    out += c.data_to_send() + goaway(0)\n"
    "            elif isinstance(ev, h2.events.DataReceived):\n"
    "                r = reqs.get(ev.stream_id)\n"
    "                if r:\n"
    "                    r['body'] += ev.data\n"
    "                try:\n"
    "                    c.acknowledge_received_data(ev.flow_controlled_length,\n"
    "                                                ev.stream_id)\n"
    "                except Exception:\n"
    "                    pass\n"
    "            elif isinstance(ev, h2.events.StreamEnded):\n"
    "                r = reqs.get(ev.stream_id)\n"
    "                if r:\n"
    "                    r['ended'] = True\n"
    "                    if not r['hold']:\n"
    "                        answer(c, ev.stream_id, r)\n"
    "        out += c.data_to_send()\n"
    "        if out:\n"
    "            sock.sendall(out)\n"
    "def main():\n"
    "    ls = socket.socket()\n"
    "    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "    ls.bind(('127.0.0.1', 0))\n"
    "    ls.listen(64)\n"
    "    print('PORT %d' % ls.getsockname()[1], flush=True)\n"
    "    while True:\n"
    "        conn, _ = ls.accept()\n"
    "        def run(s=conn):\n"
    "            try:\n"
    "                serve(s)\n"
    "            except Exception as e:\n"
    "                sys.stderr.write(repr(e) + '\\n')\n"
    "            finally:\n"
    "                s.close()\n"
    "        threading.Thread(target=run, daemon=True).start()\n"
    "main()\n";

static char dir[64];
static pid_t peer_pid;
static uint16_t peer_port;

static void peer_stop(void) {
  if (peer_pid > 0) {
    kill(peer_pid, SIGTERM);
    while (waitpid(peer_pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  peer_pid = 0;
}

/* Writes the script, spawns it with stdout on a pipe and reads "PORT n"
 * (bounded by TS_SAFETY_MS). */
static int peer_start(void) {
  char path[128];
  (void)snprintf(path, sizeof path, "%s/retry_peer.py", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int ok = fputs(PY_PEER, f) >= 0;
  if (fclose(f) != 0 || !ok)
    return -1;
  int pfd[2];
  if (pipe(pfd) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pfd[0]);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  char *argv[] = {PY, "-u", path, NULL};
  int r = posix_spawn(&peer_pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[1]);
  if (r != 0) {
    close(pfd[0]);
    peer_pid = 0;
    return -1;
  }
  char buf[256];
  size_t len = 0;
  int64_t end = cs_now_ms() + TS_SAFETY_MS;
  while (len < sizeof buf - 1) {
    int64_t left = end - cs_now_ms();
    struct pollfd p = {pfd[0], POLLIN, 0};
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      break;
    ssize_t n = read(pfd[0], buf + len, sizeof buf - 1 - len);
    if (n <= 0)
      break;
    len += (size_t)n;
    buf[len] = '\0';
    const char *k = strstr(buf, "PORT ");
    if (k && strchr(k, '\n')) {
      peer_port = (uint16_t)atoi(k + 5);
      break;
    }
  }
  close(pfd[0]);
  if (peer_port == 0) {
    peer_stop();
    return -1;
  }
  return 0;
}

static int group_setup(void **state) {
  (void)state;
  (void)snprintf(dir, sizeof dir, "/tmp/hyper-retry-XXXXXX");
  if (!mkdtemp(dir)) {
    dir[0] = '\0';
    return -1;
  }
  if (peer_start() != 0) {
    print_error("cannot start the python3-h2 script\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  peer_stop();
  if (dir[0]) {
    char path[128];
    (void)snprintf(path, sizeof path, "%s/retry_peer.py", dir);
    (void)unlink(path);
    (void)rmdir(dir);
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* max_retries < 0: the default. */
static hyper_client *mk(int max_retries, const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 20000;
  if (max_retries >= 0)
    o.max_retries = (uint32_t)max_retries;
  char host[64];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)peer_port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, mem), 0);
  return c;
}

#define CHECK(c, expr)                                                       \
  do {                                                                       \
    int rv_ = (expr);                                                        \
    if (rv_ != 0)                                                            \
      fail_msg("%s: %s (%s)", #expr, hyper_err_name(rv_),                    \
               hyper_client_last_error(c)->desc);                            \
  } while (0)

#define EXPECT_ERR(c, expr, want)                                            \
  do {                                                                       \
    int rv_ = (expr);                                                        \
    if (rv_ != (want))                                                       \
      fail_msg("%s: %s, want %s (%s)", #expr, hyper_err_name(rv_),           \
               hyper_err_name(want), hyper_client_last_error(c)->desc);      \
  } while (0)

static void fetch(hyper_client *c, uint32_t id, hyper_resp **r,
                  hyper_slice *b) {
  CHECK(c, hyper_client_get_response(c, id, r));
  CHECK(c, hyper_resp_read_all(*r, b));
}

/* The body must start with |want| (and be that long when |exact|). */
static void body_starts(const hyper_slice *b, const char *want, int exact) {
  size_t n = strlen(want);
  if (b->len < n || memcmp(b->ptr, want, n) != 0 || (exact && b->len != n))
    fail_msg("got '%.*s', want '%s'", (int)(b->len < 200 ? b->len : 200),
             (const char *)b->ptr, want);
}

/* The script's counts for |tag|. */
static void stats(const char *tag, int *conns, int *reqs) {
  hyper_client *c = mk(0, NULL);
  char path[64];
  (void)snprintf(path, sizeof path, "/stats?t=%s", tag);
  uint32_t id;
  CHECK(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &id));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  char s[64];
  size_t n = b.len < sizeof s - 1 ? b.len : sizeof s - 1;
  memcpy(s, b.ptr, n);
  s[n] = '\0';
  assert_int_equal(sscanf(s, "conns=%d reqs=%d", conns, reqs), 2);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void expect_counts(const char *tag, int conns, int reqs) {
  int c = -1, q = -1;
  stats(tag, &c, &q);
  if (c != conns || q != reqs)
    fail_msg("tag %s: %d connections, %d requests; want %d, %d", tag, c, q,
             conns, reqs);
}

/* ------------------------------------------------------------------------ */
/* C6: refused streams                                                      */
/* ------------------------------------------------------------------------ */

/* Refused every time: 1 + max_retries attempts on the same connection,
 * then the old error, naming the caller's id. */
static void refuse_all(const char *tag, int max_retries) {
  hyper_client *c = mk(max_retries, NULL);
  char path[64];
  (void)snprintf(path, sizeof path, "/refuse-all?t=%s", tag);
  uint32_t ok, id;
  CHECK(c, hyper_client_request(c, "GET", "/ok?t=x", NULL, 0, NULL, &ok));
  CHECK(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &id));
  hyper_resp *r = NULL;
  EXPECT_ERR(c, hyper_client_get_response(c, id, &r),
             HYPER_ERR_H2_REFUSED_STREAM);
  assert_null(r);
  assert_int_equal(hyper_client_last_error(c)->h2_code,
                   HYPER_H2_REFUSED_STREAM);
  assert_int_equal(hyper_client_last_error(c)->stream_id, id);
  if (max_retries != 0) { /* the detail names the request and the retry */
    char want[64];
    (void)snprintf(want, sizeof want, "request %u (retry %d, stream ",
                   (unsigned)id, max_retries < 0 ? 2 : max_retries);
    const char *desc = hyper_client_last_error(c)->desc;
    if (strncmp(desc, want, strlen(want)) != 0)
      fail_msg("detail '%s', want it to start with '%s'", desc, want);
  }
  /* the request is over: asking again does not send it again */
  int rv = hyper_client_get_response(c, id, &r);
  assert_true(rv == HYPER_ERR_H2_REFUSED_STREAM ||
              rv == HYPER_ERR_INVALID_STATE);
  /* the connection still works */
  hyper_slice b;
  fetch(c, ok, &r, &b);
  body_starts(&b, "GET /ok n=", 0);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts(tag, 1, 1 + (max_retries < 0 ? 2 : max_retries));
}

static void test_retry_c6_refused_limit(void **state) {
  (void)state;
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  assert_int_equal(o.max_retries, HYPER_CLIENT_DEFAULT_MAX_RETRIES);
  assert_int_equal(HYPER_CLIENT_DEFAULT_MAX_RETRIES, 2);
  refuse_all("c6def", -1); /* 3 attempts */
  refuse_all("c6five", 5); /* 6 attempts */
}

static void test_retry_c6_disabled(void **state) {
  (void)state;
  refuse_all("c6zero", 0); /* exactly one attempt, the error as before */
}

/* Refused once: the retry's response arrives under the caller's id, its
 * body intact; the request body went out again intact. */
static void test_retry_c6_refused_once(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint8_t up[3000];
  uint32_t sum = 0;
  for (size_t i = 0; i < sizeof up; i++) {
    up[i] = (uint8_t)(i * 13 + 1);
    sum += up[i];
  }
  uint32_t id;
  CHECK(c, hyper_client_request(c, "POST", "/refuse-once?t=c6once&big", up,
                                sizeof up, NULL, &id));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  assert_int_equal(hyper_resp_status(r), 200);
  assert_int_equal(hyper_resp_stream_id(r), id);
  char want[128];
  (void)snprintf(want, sizeof want,
                 "POST /refuse-once n=2 conn=1 len=3000 sum=%u\n",
                 (unsigned)sum);
  body_starts(&b, want, 0);
  size_t off = strlen(want);
  assert_int_equal(b.len, off + 40000);
  for (size_t i = 0; i < 40000; i++)
    if (b.ptr[off + i] != (uint8_t)((i * 7 + 3) & 255))
      fail_msg("body octet %zu differs", i);
  hyper_resp_free(r);
  /* fetched once */
  EXPECT_ERR(c, hyper_client_get_response(c, id, &r),
             HYPER_ERR_INVALID_STATE);
  hyper_client_free(c);
  expect_counts("c6once", 1, 2);
}

/* Several requests in flight, one refused: the others are not disturbed,
 * every response comes under its own id, in any order; new requests keep
 * working after the retry took a stream id. */
static void test_retry_c6_in_flight(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t a, b2, d, e;
  CHECK(c, hyper_client_request(c, "GET", "/ok?t=c6fa", NULL, 0, NULL, &a));
  CHECK(c, hyper_client_request(c, "PUT", "/refuse-once?t=c6fl", "xyz", 3,
                                NULL, &b2));
  CHECK(c, hyper_client_request(c, "GET", "/ok?t=c6fa", NULL, 0, NULL, &d));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, d, &r, &b);
  body_starts(&b, "GET /ok n=", 0);
  assert_int_equal(hyper_resp_stream_id(r), d);
  hyper_resp_free(r);
  fetch(c, b2, &r, &b);
  body_starts(&b, "PUT /refuse-once n=2 conn=1 len=3 sum=363", 1);
  assert_int_equal(hyper_resp_stream_id(r), b2);
  hyper_resp_free(r);
  CHECK(c, hyper_client_request(c, "GET", "/ok?t=c6fa", NULL, 0, NULL, &e));
  assert_true(e > d);
  fetch(c, e, &r, &b);
  assert_int_equal(hyper_resp_stream_id(r), e);
  hyper_resp_free(r);
  fetch(c, a, &r, &b);
  assert_int_equal(hyper_resp_stream_id(r), a);
  body_starts(&b, "GET /ok n=", 0);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("c6fl", 1, 2);
  expect_counts("c6fa", 1, 3);
}

static int stream_fn(void *user, uint8_t *buf, size_t cap, size_t *n,
                     int *eof) {
  int *left = user;
  size_t k = (size_t)*left < cap ? (size_t)*left : cap;
  memset(buf, 'z', k);
  *left -= (int)k;
  *n = k;
  *eof = *left == 0;
  return 0;
}

/* A streamed body cannot be sent again: no retry, the old error. */
static void test_retry_c6_streamed_not_retried(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  int left = 100;
  uint32_t id;
  int rv = hyper_client_request_stream(c, "POST", "/refuse-all?t=c6str",
                                       NULL, stream_fn, &left, &id);
  hyper_resp *r = NULL;
  if (rv == 0) /* the reset came after the body went out */
    rv = hyper_client_get_response(c, id, &r);
  EXPECT_ERR(c, rv, HYPER_ERR_H2_REFUSED_STREAM);
  hyper_client_free(c);
  expect_counts("c6str", 1, 1);
}

/* Refused, and the connection said GOAWAY: the retry goes to a new
 * connection. */
static void test_retry_c6_refused_then_goaway(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t id;
  CHECK(c, hyper_client_request(c, "GET", "/refuse-goaway?t=c6rg", NULL, 0,
                                NULL, &id));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  body_starts(&b, "GET /refuse-goaway n=2 conn=2 len=0 sum=0", 1);
  assert_int_equal(hyper_resp_stream_id(r), id);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("c6rg", 2, 2);
}

/* ------------------------------------------------------------------------ */
/* G2: GOAWAY with unprocessed streams                                      */
/* ------------------------------------------------------------------------ */

static void send3(hyper_client *c, const char *path, uint32_t ids[3]) {
  for (int i = 0; i < 3; i++)
    CHECK(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &ids[i]));
  assert_int_equal(ids[0], 1);
  assert_int_equal(ids[1], 3);
  assert_int_equal(ids[2], 5);
}

static void test_retry_g2_goaway_unprocessed(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t ids[3];
  send3(c, "/g2?t=g2a&n=3", ids);
  hyper_resp *r;
  hyper_slice b;
  /* 3 first: GOAWAY(last=1) moves 3 and 5 to a new connection */
  fetch(c, ids[1], &r, &b);
  body_starts(&b, "GET /g2 n=", 0);
  if (!strstr((const char *)b.ptr, " conn=2 ") || b.len > 64)
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  assert_int_equal(hyper_resp_stream_id(r), 3);
  hyper_resp_free(r);
  /* 1 completes on the old connection */
  fetch(c, ids[0], &r, &b);
  body_starts(&b, "GET /g2 n=1 conn=1 len=0 sum=0", 1);
  assert_int_equal(hyper_resp_stream_id(r), 1);
  hyper_resp_free(r);
  /* 5's response outlives the client (and its hidden successor) */
  CHECK(c, hyper_client_get_response(c, ids[2], &r));
  assert_int_equal(hyper_resp_stream_id(r), 5);
  hyper_client_free(c);
  int rv = hyper_resp_read_all(r, &b);
  assert_true(rv == 0 || rv == HYPER_ERR_INVALID_STATE);
  if (rv == 0 && (!strstr((const char *)b.ptr, " conn=2 ") || b.len > 64))
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  hyper_resp_free(r);
  expect_counts("g2a", 2, 5);
}

/* G2 driven by hyper_client_poll(): the requests above the GOAWAY's
 * last-stream-id show COMPLETE (failed, retryable); fetching one moves
 * both to the hidden new connection; the caller's id still names the
 * other there (hyper_client_response_state()), and polling the caller's
 * client drives that connection until its response is complete. */
static void test_retry_g2_with_poll(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t ids[3];
  send3(c, "/g2?t=g2p&n=3", ids);
  int polls = 0;
  while (hyper_client_response_state(c, ids[1]) != HYPER_RESPONSE_COMPLETE ||
         hyper_client_response_state(c, ids[2]) != HYPER_RESPONSE_COMPLETE) {
    assert_true(++polls < 1000);
    assert_true(hyper_client_poll(&c, 1, 5000) > 0);
  }
  hyper_resp *r;
  hyper_slice b;
  fetch(c, ids[1], &r, &b); /* the retry happens here */
  if (!strstr((const char *)b.ptr, " conn=2 ") || b.len > 64)
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  hyper_resp_free(r);
  int st = hyper_client_response_state(c, ids[2]);
  if (st < 0)
    fail_msg("request 5 after the move: %s (%s)", hyper_err_name(st),
             hyper_client_last_error(c)->desc);
  while ((st = hyper_client_response_state(c, ids[2])) !=
         HYPER_RESPONSE_COMPLETE) {
    assert_true(st >= 0);
    assert_true(++polls < 1000);
    int rv = hyper_client_poll(&c, 1, 5000);
    if (rv <= 0)
      fail_msg("poll %d: the moved request's connection is not polled", rv);
  }
  fetch(c, ids[2], &r, &b);
  if (!strstr((const char *)b.ptr, " conn=2 ") || b.len > 64)
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  assert_int_equal(hyper_resp_stream_id(r), 5);
  hyper_resp_free(r);
  fetch(c, ids[0], &r, &b);
  body_starts(&b, "GET /g2 n=1 conn=1 len=0 sum=0", 1);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("g2p", 2, 5);
}

/* The new connection sends GOAWAY too: the moved requests fail, and no
 * third connection is opened for them. */
static void test_retry_g2_goaway_twice(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t ids[3];
  send3(c, "/g2all?t=g2b&n=3", ids);
  hyper_resp *r = NULL;
  hyper_slice b;
  EXPECT_ERR(c, hyper_client_get_response(c, ids[2], &r),
             HYPER_ERR_H2_GOAWAY);
  assert_int_equal(hyper_client_last_error(c)->stream_id, ids[2]);
  EXPECT_ERR(c, hyper_client_get_response(c, ids[1], &r),
             HYPER_ERR_H2_GOAWAY);
  EXPECT_ERR(c, hyper_client_get_response(c, ids[2], &r),
             HYPER_ERR_H2_GOAWAY);
  fetch(c, ids[0], &r, &b);
  body_starts(&b, "GET /g2all n=1 conn=1 len=0 sum=0", 1);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("g2b", 2, 5);
}

static void test_retry_g2_disabled(void **state) {
  (void)state;
  hyper_client *c = mk(0, NULL);
  uint32_t ids[3];
  send3(c, "/g2?t=g2c&n=3", ids);
  hyper_resp *r = NULL;
  hyper_slice b;
  EXPECT_ERR(c, hyper_client_get_response(c, ids[1], &r),
             HYPER_ERR_H2_GOAWAY);
  EXPECT_ERR(c, hyper_client_get_response(c, ids[2], &r),
             HYPER_ERR_H2_GOAWAY);
  fetch(c, ids[0], &r, &b);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("g2c", 1, 3);
}

/* ------------------------------------------------------------------------ */
/* 421 Misdirected Request                                                  */
/* ------------------------------------------------------------------------ */

static void test_retry_421(void **state) {
  (void)state;
  hyper_client *c = mk(-1, NULL);
  uint32_t id, id2;
  /* not idempotent, retried all the same (RFC 9110 §15.5.20) */
  CHECK(c, hyper_client_request(c, "POST", "/mis?t=m1", "ab", 2, NULL, &id));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  assert_int_equal(hyper_resp_status(r), 200);
  assert_int_equal(hyper_resp_stream_id(r), id);
  body_starts(&b, "POST /mis n=2 conn=2 len=2 sum=195", 1);
  hyper_resp_free(r);
  expect_counts("m1", 2, 2);
  /* both connections answer 421: the second 421 is the caller's */
  CHECK(c, hyper_client_request(c, "GET", "/mis-all?t=m2", NULL, 0, NULL,
                                &id2));
  fetch(c, id2, &r, &b);
  assert_int_equal(hyper_resp_status(r), 421);
  assert_int_equal(hyper_resp_stream_id(r), id2);
  body_starts(&b, "misdirected", 1);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("m2", 2, 2);
  /* max_retries 0: the first 421 is the caller's */
  c = mk(0, NULL);
  CHECK(c, hyper_client_request(c, "GET", "/mis?t=m3", NULL, 0, NULL, &id));
  fetch(c, id, &r, &b);
  assert_int_equal(hyper_resp_status(r), 421);
  hyper_resp_free(r);
  hyper_client_free(c);
  expect_counts("m3", 1, 1);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                      */
/* ------------------------------------------------------------------------ */

/* A refusal retried on the same connection, a 421 retried on a new one,
 * and a GOAWAY moving two requests, with allocator |mem|; |tag| makes the
 * peer's counts fresh. Returns 0 or the first error. */
static int failing_run(const char *tag, const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 20000;
  char host[64], p1[64], p2[64], p3[64];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)peer_port);
  (void)snprintf(p1, sizeof p1, "/refuse-once?t=%s", tag);
  (void)snprintf(p2, sizeof p2, "/mis?t=%s", tag);
  (void)snprintf(p3, sizeof p3, "/g2?t=%s&n=3", tag);
  hyper_client *c = NULL;
  int rv = hyper_client_new(&c, host, &o, mem);
  if (rv)
    return rv;
  hyper_resp *r = NULL;
  hyper_slice b;
  uint32_t id, g[3];
  if ((rv = hyper_client_request(c, "POST", p1, "body", 4, NULL, &id)) ||
      (rv = hyper_client_get_response(c, id, &r)) ||
      (rv = hyper_resp_read_all(r, &b)))
    goto out;
  hyper_resp_free(r);
  r = NULL;
  if ((rv = hyper_client_request(c, "GET", p2, NULL, 0, NULL, &id)) ||
      (rv = hyper_client_get_response(c, id, &r)) ||
      (rv = hyper_resp_read_all(r, &b)))
    goto out;
  if (hyper_resp_status(r) != 200) {
    rv = HYPER_ERR_INTERNAL;
    goto out;
  }
  hyper_resp_free(r);
  r = NULL;
  for (int i = 0; i < 3; i++)
    if ((rv = hyper_client_request(c, "GET", p3, NULL, 0, NULL, &g[i])))
      goto out;
  for (int i = 2; i >= 0; i--) {
    if ((rv = hyper_client_get_response(c, g[i], &r)) ||
        (rv = hyper_resp_read_all(r, &b)))
      goto out;
    hyper_resp_free(r);
    r = NULL;
  }
out:
  hyper_resp_free(r);
  hyper_client_free(c);
  return rv;
}

static void test_retry_failmem_sweep(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  int rv = failing_run("fm0", &fm.mem);
  if (rv)
    fail_msg("reference run: %s", hyper_err_name(rv));
  assert_int_equal(fm.live_blocks, 0);
  long total = fm.nalloc, nomem = 0;
  for (long k = 1; k <= total; k++) {
    char tag[32];
    (void)snprintf(tag, sizeof tag, "fm%ld", k);
    failmem_init(&fm);
    fm.fail_at = k;
    rv = failing_run(tag, &fm.mem);
    if (rv && !fm.nfailed)
      fail_msg("run %ld: %s without an allocation failure", k,
               hyper_err_name(rv));
    if (fm.live_blocks)
      fail_msg("run %ld (%s): %ld blocks leaked", k, hyper_err_name(rv),
               fm.live_blocks);
    /* NOMEM; or, when the copy kept for a retry could not be made, the
     * request is not retried: the refusal or GOAWAY reaches the caller */
    if (rv && rv != HYPER_ERR_NOMEM && rv != HYPER_ERR_H2_REFUSED_STREAM &&
        rv != HYPER_ERR_H2_GOAWAY)
      fail_msg("run %ld: %s", k, hyper_err_name(rv));
    nomem += rv == HYPER_ERR_NOMEM;
  }
  assert_true(nomem > 0);
  print_message("retry paths: %ld allocations, each failed once, no leak "
                "(%ld runs returned HYPER_ERR_NOMEM)\n",
                total, nomem);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_retry_c6_refused_limit),
      cmocka_unit_test(test_retry_c6_disabled),
      cmocka_unit_test(test_retry_c6_refused_once),
      cmocka_unit_test(test_retry_c6_in_flight),
      cmocka_unit_test(test_retry_c6_streamed_not_retried),
      cmocka_unit_test(test_retry_c6_refused_then_goaway),
      cmocka_unit_test(test_retry_g2_goaway_unprocessed),
      cmocka_unit_test(test_retry_g2_with_poll),
      cmocka_unit_test(test_retry_g2_goaway_twice),
      cmocka_unit_test(test_retry_g2_disabled),
      cmocka_unit_test(test_retry_421),
      cmocka_unit_test(test_retry_failmem_sweep),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
