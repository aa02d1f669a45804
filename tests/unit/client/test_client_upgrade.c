/* Protocol negotiation beyond ALPN, against real peers on 127.0.0.1 that
 * the test starts (free port) and stops by PID:
 *   - h2o (Debian h2o, generated YAML config): cleartext Upgrade: h2c
 *     accepted (RFC 7540 §3.2), and over TLS ALPN both ways (AUTO picks h2,
 *     forced HTTP/1.1 gets http/1.1 from the same server);
 *   - Python's http.server (HTTP/1.0, one connection per request): the
 *     upgrade offer is ignored, HTTP/1.1 code keeps working;
 *   - a python3-h2 script that resets every HTTP/2 request with
 *     RST_STREAM(HTTP_1_1_REQUIRED) (or, for /goaway*, sends
 *     GOAWAY(HTTP_1_1_REQUIRED)) and serves HTTP/1.1 on the same port, in
 *     cleartext and over TLS (ALPN): the request is sent again over
 *     HTTP/1.1 under the same id (hyper issue #294 was about broken ids on
 *     fallback);
 *   - a python script serving chunked bodies with extensions and trailers,
 *     an unsolicited 100 Continue before the final response, gzip over
 *     chunked, a close-delimited HTTP/1.0 body, and counting a chunked
 *     upload of unknown length.
 *   - allocation failures: every allocation of an upgrade and of a retry
 *     failed once in turn, each run ending cleanly without a leak.
 * Python scripts listen on port 0 and print "PORT <n>" once listening
 * (read through a pipe: no polling, no sleeps); the Debian interpreter
 * /usr/bin/python3 is used (it has h2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "client_testserver.h"
#include "failmem.h"

#include "hyper/client.h"

#define PY "/usr/bin/python3"

static ts_certs certs;
static cs_docroot www;
static char dir[64]; /* scripts, configs, logs */

/* ------------------------------------------------------------------------ */
/* Child processes                                                          */
/* ------------------------------------------------------------------------ */

typedef struct child {
  pid_t pid;
  uint16_t port;  /* cleartext */
  uint16_t port2; /* TLS (h2o) */
} child;

static void child_stop(child *c) {
  if (c->pid > 0) {
    kill(c->pid, SIGTERM);
    while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  c->pid = 0;
}

/* Spawns |argv| with stdout on a pipe and reads until a line holds "port "
 * or "PORT " followed by the port number (bounded by TS_SAFETY_MS). */
static int spawn_port(child *c, char *const argv[]) {
  memset(c, 0, sizeof *c);
  int pfd[2];
  if (pipe(pfd) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pfd[0]);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int r = posix_spawn(&c->pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[1]);
  if (r != 0) {
    close(pfd[0]);
    c->pid = 0;
    return -1;
  }
  char buf[512];
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
    const char *k = strstr(buf, "port ");
    if (!k)
      k = strstr(buf, "PORT ");
    if (k && strchr(k, '\n')) {
      c->port = (uint16_t)atoi(k + 5);
      break;
    }
  }
  close(pfd[0]); /* the child's later prints go nowhere (SIGPIPE is
                    handled by python as an exception: we print once) */
  if (c->port == 0) {
    child_stop(c);
    return -1;
  }
  return 0;
}

static uint16_t free_port(void) {
  uint16_t port = 0;
  int fd = ts_listen(0, -1, 0, &port);
  if (fd < 0)
    return 0;
  close(fd);
  return port;
}

static int write_text(const char *path, const char *s) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int ok = fputs(s, f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* h2o with a cleartext listener (|port|) and a TLS one (|port2|). */
static int h2o_start(child *c) {
  for (int attempt = 0; attempt < 5; attempt++) {
    memset(c, 0, sizeof *c);
    uint16_t p1 = free_port(), p2 = free_port();
    char conf[2048], path[128];
    /* As root h2o would switch to "nobody", which cannot write our files. */
    (void)snprintf(conf, sizeof conf,
                   "%s"
                   "pid-file: %s/h2o.pid\n"
                   "error-log: %s/h2o.log\n"
                   "num-threads: 1\n"
                   "listen:\n"
                   "  host: 127.0.0.1\n"
                   "  port: %u\n"
                   "listen:\n"
                   "  host: 127.0.0.1\n"
                   "  port: %u\n"
                   "  ssl:\n"
                   "    certificate-file: %s\n"
                   "    key-file: %s\n"
                   "    ocsp-update-interval: 0\n"
                   "hosts:\n"
                   "  default:\n"
                   "    paths:\n"
                   "      /:\n"
                   "        file.dir: %s\n",
                   getuid() == 0 ? "user: root\n" : "", dir, dir,
                   (unsigned)p1, (unsigned)p2, ts_path(&certs, "srv.pem"),
                   ts_path(&certs, "srv.key"), www.dir);
    (void)snprintf(path, sizeof path, "%s/h2o.conf", dir);
    if (write_text(path, conf))
      return -1;
    char *argv[] = {"h2o", "-c", path, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int r = posix_spawnp(&c->pid, "h2o", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
      c->pid = 0;
      return -1;
    }
    int64_t end = cs_now_ms() + TS_SAFETY_MS;
    int exited = 0;
    while (cs_now_ms() < end) {
      if (cs_probe(p1) && cs_probe(p2)) {
        c->port = p1;
        c->port2 = p2;
        return 0;
      }
      if (waitpid(c->pid, NULL, WNOHANG) == c->pid) {
        exited = 1; /* a port was taken meanwhile: try others */
        c->pid = 0;
        break;
      }
      struct pollfd none;
      (void)poll(&none, 0, 10); /* between bounded connect probes */
    }
    if (!exited) {
      child_stop(c);
      return -1;
    }
  }
  return -1;
}

/* ------------------------------------------------------------------------ */
/* The python scripts                                                       */
/* ------------------------------------------------------------------------ */

/* Common part: a threaded accept loop on 127.0.0.1:0 that prints the port
 * and calls serve(conn) per connection. */
static const char PY_MAIN[] =
    "import socket, sys, threading\n"
    "def main(serve):\n"
    "    ls = socket.socket()\n"
    "    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "    ls.bind(('127.0.0.1', 0))\n"
    "    ls.listen(64)\n"
    "    print('PORT %d' % ls.getsockname()[1], flush=True)\n"
    "    while True:\n"
    "        conn, _ = ls.accept()\n"
    "        def run(c=conn):\n"
    "            try:\n"
    "                serve(c)\n"
    "            except Exception as e:\n"
    "                sys.stderr.write(repr(e) + '\\n')\n"
    "            finally:\n"
    "                c.close()\n"
    "        threading.Thread(target=run, daemon=True).start()\n"
    "def read_head(conn, buf):\n"
    "    while b'\\r\\n\\r\\n' not in buf:\n"
    "        d = conn.recv(65536)\n"
    "        if not d:\n"
    "            return None, None, buf\n"
    "        buf += d\n"
    "    head, buf = buf.split(b'\\r\\n\\r\\n', 1)\n"
    "    lines = head.decode('latin-1').split('\\r\\n')\n"
    "    hdrs = {}\n"
    "    for l in lines[1:]:\n"
    "        k, v = l.split(':', 1)\n"
    "        hdrs[k.strip().lower()] = v.strip()\n"
    "    return lines[0].split(' '), hdrs, buf\n"
    "def read_exact(conn, buf, n):\n"
    "    while len(buf) < n:\n"
    "        d = conn.recv(65536)\n"
    "        if not d:\n"
    "            raise EOFError()\n"
    "        buf += d\n"
    "    return buf[:n], buf[n:]\n"
    "def read_line(conn, buf):\n"
    "    while b'\\r\\n' not in buf:\n"
    "        d = conn.recv(65536)\n"
    "        if not d:\n"
    "            raise EOFError()\n"
    "        buf += d\n"
    "    return buf.split(b'\\r\\n', 1)\n"
    "def read_chunked(conn, buf):\n"
    "    body = b''\n"
    "    while True:\n"
    "        line, buf = read_line(conn, buf)\n"
    "        n = int(line.split(b';')[0], 16)\n"
    "        if n == 0:\n"
    "            while True:\n"
    "                line, buf = read_line(conn, buf)\n"
    "                if not line:\n"
    "                    return body, buf\n"
    "        data, buf = read_exact(conn, buf, n + 2)\n"
    "        body += data[:n]\n";

/* HTTP/2 (prior knowledge): every request is reset with
 * HTTP_1_1_REQUIRED, except /h2ok which is answered. HTTP/1.1 on the same
 * port: a description of the request as the body. */
static const char PY_RST[] =
    "import h2.connection, h2.config, h2.events, ssl\n"
    "CTX = None\n"
    "if len(sys.argv) > 2:\n"
    "    CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "    CTX.load_cert_chain(sys.argv[1], sys.argv[2])\n"
    "    CTX.set_alpn_protocols(['h2', 'http/1.1'])\n"
    "def h1(conn, buf):\n"
    "    while True:\n"
    "        line, hdrs, buf = read_head(conn, buf)\n"
    "        if line is None:\n"
    "            return\n"
    "        n = int(hdrs.get('content-length', '0'))\n"
    "        body, buf = read_exact(conn, buf, n)\n"
    "        out = ('h1 %s %s host=%s body=%s' % (line[0], line[1],\n"
    "               hdrs.get('host', ''), body.decode('latin-1'))).encode()\n"
    "        if 'x-kept' in hdrs:\n"
    "            out += (' x-kept=%s ae=%s' % (hdrs['x-kept'],\n"
    "                    hdrs.get('accept-encoding', '-'))).encode()\n"
    "        if CTX:\n"
    "            out += b' alpn=%s' % conn.selected_alpn_protocol().encode()\n"
    "        conn.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n'\n"
    "                     b'X-Proto: h1\\r\\n\\r\\n' % len(out) + out)\n"
    "def h2c(conn, data):\n"
    "    c = h2.connection.H2Connection(\n"
    "        config=h2.config.H2Configuration(client_side=False))\n"
    "    c.initiate_connection()\n"
    "    conn.sendall(c.data_to_send())\n"
    "    while True:\n"
    "        for ev in c.receive_data(data):\n"
    "            if isinstance(ev, h2.events.RequestReceived):\n"
    "                path = dict(ev.headers).get(b':path', b'')\n"
    "                if path.startswith(b'/goaway'):\n"
    "                    c.close_connection(error_code=0xd,\n"
    "                                       last_stream_id=0)\n"
    "                    conn.sendall(c.data_to_send())\n"
    "                    return\n"
    "                if path == b'/h2ok':\n"
    "                    c.send_headers(ev.stream_id, [(':status', '200'),\n"
    "                                   ('x-proto', 'h2')])\n"
    "                    c.send_data(ev.stream_id, b'h2 body',\n"
    "                                end_stream=True)\n"
    "                else:\n"
    "                    c.reset_stream(ev.stream_id, error_code=0xd)\n"
    "        conn.sendall(c.data_to_send())\n"
    "        data = conn.recv(65536)\n"
    "        if not data:\n"
    "            return\n"
    "def serve(conn):\n"
    "    if CTX:\n"
    "        conn = CTX.wrap_socket(conn, server_side=True)\n"
    "        if conn.selected_alpn_protocol() == 'h2':\n"
    "            return h2c(conn, conn.recv(65536))\n"
    "        return h1(conn, b'')\n"
    "    buf = b''\n"
    "    pri = b'PRI * HTTP/2.0'\n"
    "    while len(buf) < 24 and pri.startswith(buf[:len(pri)]):\n"
    "        d = conn.recv(65536)\n"
    "        if not d:\n"
    "            return\n"
    "        buf += d\n"
    "    if buf.startswith(pri):\n"
    "        h2c(conn, buf)\n"
    "    else:\n"
    "        h1(conn, buf)\n"
    "main(serve)\n";

/* HTTP/1.1 bodies: chunked with extensions and trailers, a 100 Continue
 * before every final response to a POST, gzip over chunked, HTTP/1.0
 * close-delimited, and the length of an uploaded body. */
static const char PY_BODIES[] =
    "import gzip\n"
    "TEXT = b''.join(b'line %d of the gzip text\\n' % i for i in range(4000))\n"
    "def chunked(parts, trailers=b''):\n"
    "    out = b''\n"
    "    for i, p in enumerate(parts):\n"
    "        out += b'%x;n=%d\\r\\n' % (len(p), i) + p + b'\\r\\n'\n"
    "    return out + b'0\\r\\n' + trailers + b'\\r\\n'\n"
    "def serve(conn):\n"
    "    buf = b''\n"
    "    while True:\n"
    "        line, hdrs, buf = read_head(conn, buf)\n"
    "        if line is None:\n"
    "            return\n"
    "        method, path = line[0], line[1]\n"
    "        if method == 'POST':\n"
    "            conn.sendall(b'HTTP/1.1 100 Continue\\r\\n\\r\\n')\n"
    "        te = hdrs.get('transfer-encoding', '')\n"
    "        if te == 'chunked':\n"
    "            body, buf = read_chunked(conn, buf)\n"
    "        else:\n"
    "            body, buf = read_exact(conn, buf,\n"
    "                                   int(hdrs.get('content-length', '0')))\n"
    "        if path == '/chunked':\n"
    "            conn.sendall(b'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: '\n"
    "                         b'chunked\\r\\nTrailer: X-Sum\\r\\n\\r\\n' +\n"
    "                         chunked([b'hello', b' ', b'world'],\n"
    "                                 b'X-Sum: 11\\r\\nX-More: yes\\r\\n'))\n"
    "        elif path == '/gzip':\n"
    "            z = gzip.compress(TEXT)\n"
    "            parts = [z[i:i + 1000] for i in range(0, len(z), 1000)]\n"
    "            conn.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip'\n"
    "                         b'\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n' +\n"
    "                         chunked(parts))\n"
    "        elif path == '/close':\n"
    "            conn.sendall(b'HTTP/1.0 200 OK\\r\\n\\r\\n' + TEXT)\n"
    "            return\n"
    "        else:\n"
    "            out = ('%s %s te=%s len=%d sum=%d' % (method, path, te,\n"
    "                   len(body), sum(body) & 0xffffffff)).encode()\n"
    "            conn.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n'\n"
    "                         b'\\r\\n' % len(out) + out)\n"
    "main(serve)\n";

static int py_start_args(child *c, const char *name, const char *body,
                         const char *a1, const char *a2) {
  char path[128];
  (void)snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int ok = fputs(PY_MAIN, f) >= 0 && fputs(body, f) >= 0;
  if (fclose(f) != 0 || !ok)
    return -1;
  char *argv[] = {PY, "-u", path, (char *)a1, (char *)a2, NULL};
  return spawn_port(c, argv);
}

static int py_start(child *c, const char *name, const char *body) {
  return py_start_args(c, name, body, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

static child h2o, pyhttp, pyrst, pyrst_tls, pybodies;

static int group_setup(void **state) {
  (void)state;
  if (ts_certs_make(&certs) != 0 || cs_docroot_make(&www) != 0) {
    print_error("cannot make certificates / docroot\n");
    return -1;
  }
  (void)snprintf(dir, sizeof dir, "/tmp/hyper-upgrade-XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  if (h2o_start(&h2o) != 0) {
    print_error("cannot start h2o (Debian package h2o)\n");
    return -1;
  }
  char *http_argv[] = {PY,   "-u",          "-m", "http.server", "0",
                       "--bind", "127.0.0.1", "--directory", www.dir, NULL};
  if (spawn_port(&pyhttp, http_argv) != 0) {
    print_error("cannot start python3 -m http.server\n");
    return -1;
  }
  if (py_start(&pyrst, "rst.py", PY_RST) != 0) {
    print_error("cannot start the python3-h2 script\n");
    return -1;
  }
  if (py_start_args(&pyrst_tls, "rst.py", PY_RST, ts_path(&certs, "srv.pem"),
                    ts_path(&certs, "srv.key")) != 0) {
    print_error("cannot start the python3-h2 script with TLS\n");
    return -1;
  }
  if (py_start(&pybodies, "bodies.py", PY_BODIES) != 0) {
    print_error("cannot start the python bodies script\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  child_stop(&h2o);
  child_stop(&pyhttp);
  child_stop(&pyrst);
  child_stop(&pyrst_tls);
  child_stop(&pybodies);
  if (dir[0]) {
    char cmd[128];
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)system(cmd);
  }
  cs_docroot_remove(&www);
  ts_certs_remove(&certs);
  return 0;
}

static hyper_client *mk(uint16_t port, hyper_client_proto proto, int secure,
                        const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = proto;
  o.secure = secure;
  o.ca_file = ts_path(&certs, "ca.pem");
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 20000;
  char host[64];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, mem), 0);
  return c;
}

/* Fails the test with the client's last error. */
#define CHECK(c, expr)                                                       \
  do {                                                                       \
    int rv_ = (expr);                                                        \
    if (rv_ != 0)                                                            \
      fail_msg("%s: %s (%s)", #expr, hyper_err_name(rv_),                    \
               hyper_client_last_error(c)->desc);                            \
  } while (0)

/* Fetches the response of |id| and its whole body (owned by |*r|). */
static void fetch(hyper_client *c, uint32_t id, hyper_resp **r,
                  hyper_slice *b) {
  CHECK(c, hyper_client_get_response(c, id, r));
  CHECK(c, hyper_resp_read_all(*r, b));
}

static int body_is(const hyper_slice *b, const char *want) {
  return b->len == strlen(want) && memcmp(b->ptr, want, b->len) == 0;
}

/* ------------------------------------------------------------------------ */
/* Upgrade: h2c                                                             */
/* ------------------------------------------------------------------------ */

static void test_upgrade_h2o_accepts(void **state) {
  (void)state;
  hyper_client *c = mk(h2o.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, NULL);
  uint32_t id = 0, id2 = 0;
  CHECK(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL, &id));
  assert_int_equal(id, 1);
  assert_string_equal(hyper_client_protocol(c), "http/1.1"); /* not yet */
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  assert_string_equal(hyper_client_protocol(c), "h2");
  assert_int_equal(hyper_resp_status(r), 200);
  assert_int_equal(hyper_resp_stream_id(r), 1);
  assert_string_equal(hyper_resp_reason(r), ""); /* an HTTP/2 response */
  assert_true(body_is(&b, CS_SMALL));
  hyper_resp_free(r);
  /* later requests are streams 3, 5, ... of the same connection */
  CHECK(c, hyper_client_request(c, "GET", "/p70000.bin", NULL, 0, NULL, &id));
  CHECK(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id2));
  assert_int_equal(id, 3);
  assert_int_equal(id2, 5);
  hyper_resp *r2;
  fetch(c, id2, &r2, &b);
  assert_true(body_is(&b, CS_A));
  fetch(c, id, &r, &b);
  assert_int_equal(b.len, 70000);
  for (size_t i = 0; i < b.len; i++)
    if (b.ptr[i] != cs_pattern(i))
      fail_msg("byte %zu differs", i);
  hyper_resp_free(r);
  hyper_resp_free(r2);
  CHECK(c, hyper_client_ping(c, 0, NULL)); /* HTTP/2 now */
  hyper_client_free(c);
}

/* The offer on a HEAD, and a request made while the offer waits for its
 * answer (it goes out over HTTP/2 as stream 3); a 1 MiB body on stream 1. */
static void test_upgrade_h2o_head_and_queued(void **state) {
  (void)state;
  hyper_client *c = mk(h2o.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, NULL);
  uint32_t a, b2;
  CHECK(c, hyper_client_request(c, "HEAD", "/p70000.bin", NULL, 0, NULL, &a));
  CHECK(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL, &b2));
  assert_int_equal(a, 1);
  assert_int_equal(b2, 3);
  assert_string_equal(hyper_client_protocol(c), "h2");
  hyper_resp *ra, *rb;
  hyper_slice b;
  fetch(c, b2, &rb, &b);
  assert_true(body_is(&b, CS_SMALL));
  fetch(c, a, &ra, &b);
  assert_int_equal(hyper_resp_status(ra), 200);
  assert_int_equal(b.len, 0);
  hyper_resp_free(ra);
  hyper_resp_free(rb);
  hyper_client_free(c);

  /* a small in-memory body goes with the offer (RFC 7540 §3.2: sent whole
   * before HTTP/2 starts); h2o's file handler answers POST with 405 */
  c = mk(h2o.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, NULL);
  CHECK(c, hyper_client_request(c, "POST", "/small.txt", "hello", 5, NULL,
                                &a));
  assert_int_equal(a, 1);
  fetch(c, a, &ra, &b);
  assert_string_equal(hyper_client_protocol(c), "h2");
  assert_int_equal(hyper_resp_status(ra), 405);
  hyper_resp_free(ra);
  hyper_client_free(c);

  c = mk(h2o.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, NULL);
  CHECK(c, hyper_client_request(c, "GET", "/p1m.bin", NULL, 0, NULL, &a));
  fetch(c, a, &ra, &b);
  assert_int_equal(b.len, 1u << 20);
  for (size_t i = 0; i < b.len; i++)
    if (b.ptr[i] != cs_pattern(i))
      fail_msg("byte %zu differs", i);
  assert_string_equal(hyper_client_protocol(c), "h2");
  hyper_resp_free(ra);
  hyper_client_free(c);
}

/* Python's http.server ignores the offer and answers HTTP/1.0 without
 * keep-alive: each request gets its own connection, the ids go on. */
static void test_upgrade_ignored_by_python_http_server(void **state) {
  (void)state;
  hyper_client *c =
      mk(pyhttp.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, NULL);
  for (int i = 0; i < 5; i++) {
    uint32_t id;
    CHECK(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id));
    assert_int_equal(id, (uint32_t)(2 * i + 1));
    hyper_resp *r;
    hyper_slice b;
    fetch(c, id, &r, &b);
    assert_int_equal(hyper_resp_status(r), 200);
    assert_string_equal(hyper_resp_reason(r), "OK");
    assert_true(body_is(&b, CS_A));
    hyper_resp_free(r);
    const char *p = hyper_client_protocol(c);
    assert_true(p == NULL || strcmp(p, "http/1.1") == 0);
  }
  hyper_client_free(c);
  /* HTTP11Connection against it: the same calls, pipelined */
  c = mk(pyhttp.port, HYPER_CLIENT_PROTO_HTTP11, 0, NULL);
  uint32_t a, b2;
  CHECK(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &a));
  CHECK(c, hyper_client_request(c, "GET", "/c.txt", NULL, 0, NULL, &b2));
  hyper_resp *ra, *rb;
  hyper_slice b;
  fetch(c, b2, &rb, &b);
  assert_true(body_is(&b, CS_C));
  fetch(c, a, &ra, &b);
  assert_true(body_is(&b, CS_A));
  hyper_resp_free(ra);
  hyper_resp_free(rb);
  hyper_client_free(c);
}

/* ------------------------------------------------------------------------ */
/* ALPN both ways with h2o                                                  */
/* ------------------------------------------------------------------------ */

static void test_h2o_alpn_both_ways(void **state) {
  (void)state;
  static const hyper_client_proto protos[] = {
      HYPER_CLIENT_PROTO_AUTO, HYPER_CLIENT_PROTO_HTTP11,
      HYPER_CLIENT_PROTO_H2};
  static const char *const want[] = {"h2", "http/1.1", "h2"};
  for (size_t k = 0; k < 3; k++) {
    hyper_client *c = mk(h2o.port2, protos[k], 1, NULL);
    uint32_t a, b2;
    CHECK(c, hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &a));
    CHECK(c, hyper_client_request(c, "GET", "/c.txt", NULL, 0, NULL, &b2));
    assert_string_equal(hyper_client_protocol(c), want[k]);
    hyper_resp *ra, *rb;
    hyper_slice b;
    fetch(c, b2, &rb, &b);
    assert_true(body_is(&b, CS_C));
    fetch(c, a, &ra, &b);
    assert_true(body_is(&b, CS_A));
    assert_int_equal(hyper_resp_stream_id(ra), a);
    hyper_resp_free(ra);
    hyper_resp_free(rb);
    hyper_client_free(c);
  }
}

/* ------------------------------------------------------------------------ */
/* RST_STREAM(HTTP_1_1_REQUIRED)                                            */
/* ------------------------------------------------------------------------ */

static void test_http11_required_retried(void **state) {
  (void)state;
  hyper_client *c = mk(pyrst.port, HYPER_CLIENT_PROTO_H2, 0, NULL);
  uint32_t ok, a, p, big;
  CHECK(c, hyper_client_request(c, "GET", "/h2ok", NULL, 0, NULL, &ok));
  CHECK(c, hyper_client_request(c, "GET", "/needs-h1?x=1", NULL, 0, NULL,
                                &a));
  CHECK(c, hyper_client_request(c, "POST", "/post", "key=value", 9, NULL, &p));
  assert_string_equal(hyper_client_protocol(c), "h2");
  hyper_resp *r;
  hyper_slice b;
  /* out of order, and the HTTP/2 one still works */
  fetch(c, p, &r, &b);
  assert_int_equal(hyper_resp_status(r), 200);
  assert_int_equal(hyper_resp_stream_id(r), p); /* the caller's id */
  char want[160];
  (void)snprintf(want, sizeof want, "h1 POST /post host=127.0.0.1:%u "
                 "body=key=value", (unsigned)pyrst.port);
  if (!body_is(&b, want))
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  assert_string_equal(hyper_resp_reason(r), "OK"); /* HTTP/1.1 */
  hyper_resp_free(r);
  fetch(c, ok, &r, &b);
  assert_true(body_is(&b, "h2 body"));
  assert_int_equal(hyper_resp_stream_id(r), ok);
  hyper_resp_free(r);
  fetch(c, a, &r, &b);
  (void)snprintf(want, sizeof want, "h1 GET /needs-h1?x=1 host=127.0.0.1:%u "
                 "body=", (unsigned)pyrst.port);
  assert_true(body_is(&b, want));
  assert_int_equal(hyper_resp_stream_id(r), a);
  hyper_resp_free(r);
  /* the HTTP/2 connection is still the client's */
  assert_string_equal(hyper_client_protocol(c), "h2");
  CHECK(c, hyper_client_ping(c, 0, NULL));
  /* a body above 64 KiB is not kept for a retry: the reset is reported */
  CHECK(c, hyper_client_request(c, "GET", "/h2ok", NULL, 0, NULL, &ok));
  static char blob[100000];
  memset(blob, 'x', sizeof blob);
  int rv = hyper_client_request(c, "PUT", "/big", blob, sizeof blob, NULL,
                                &big);
  if (rv == 0) /* the reset came after the body went out */
    rv = hyper_client_get_response(c, big, &r);
  assert_int_equal(rv, HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(hyper_client_last_error(c)->h2_code,
                   HYPER_H2_HTTP_1_1_REQUIRED);
  /* a 50,000-octet body is kept: retried, whether the reset came while
   * it was being sent or after */
  CHECK(c, hyper_client_request(c, "PUT", "/mid", blob, 50000, NULL, &big));
  fetch(c, big, &r, &b);
  (void)snprintf(want, sizeof want, "h1 PUT /mid host=127.0.0.1:%u body=",
                 (unsigned)pyrst.port);
  assert_true(b.len == strlen(want) + 50000);
  assert_memory_equal(b.ptr, want, strlen(want));
  hyper_resp_free(r);
  fetch(c, ok, &r, &b);
  assert_true(body_is(&b, "h2 body"));
  hyper_resp_free(r);
  /* the caller's fields are kept too (Host from :authority) */
  hyper_hdrs *h;
  assert_int_equal(hyper_hdrs_new(&h, NULL, NULL), 0);
  assert_int_equal(hyper_hdrs_add(h, HYPER_HDRS_LIT("X-Kept"), "k1", 2, 0),
                   0);
  assert_int_equal(hyper_hdrs_add(h, HYPER_HDRS_LIT("Host"), "other.test:81",
                                  13, 0),
                   0);
  assert_int_equal(hyper_hdrs_add(h, HYPER_HDRS_LIT("Accept-Encoding"),
                                  "identity", 8, 0),
                   0);
  CHECK(c, hyper_client_request(c, "PATCH", "/hdrs", "ab", 2, h, &a));
  hyper_hdrs_free(h);
  fetch(c, a, &r, &b);
  if (!body_is(&b, "h1 PATCH /hdrs host=other.test:81 body=ab x-kept=k1 "
                   "ae=identity"))
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* GOAWAY(HTTP_1_1_REQUIRED) refuses the whole connection: the requests
 * it did not process go again over HTTP/1.1, under their ids. */
static void test_http11_required_goaway(void **state) {
  (void)state;
  hyper_client *c = mk(pyrst.port, HYPER_CLIENT_PROTO_H2, 0, NULL);
  uint32_t a, b2;
  CHECK(c, hyper_client_request(c, "GET", "/goaway-a", NULL, 0, NULL, &a));
  CHECK(c, hyper_client_request(c, "POST", "/goaway-b", "zz", 2, NULL, &b2));
  hyper_resp *r;
  hyper_slice b;
  char want[128];
  fetch(c, b2, &r, &b);
  (void)snprintf(want, sizeof want, "h1 POST /goaway-b host=127.0.0.1:%u "
                 "body=zz", (unsigned)pyrst.port);
  if (!body_is(&b, want))
    fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
  assert_int_equal(hyper_resp_stream_id(r), b2);
  hyper_resp_free(r);
  fetch(c, a, &r, &b);
  (void)snprintf(want, sizeof want, "h1 GET /goaway-a host=127.0.0.1:%u "
                 "body=", (unsigned)pyrst.port);
  assert_true(body_is(&b, want));
  assert_int_equal(hyper_resp_stream_id(r), a);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* Over TLS: the HTTP/2 connection came from ALPN h2; the retry's
 * connection offers ALPN http/1.1 only (the server could pick either). */
static void test_http11_required_tls(void **state) {
  (void)state;
  static const hyper_client_proto protos[] = {HYPER_CLIENT_PROTO_H2,
                                              HYPER_CLIENT_PROTO_AUTO};
  for (size_t k = 0; k < 2; k++) {
    hyper_client *c = mk(pyrst_tls.port, protos[k], 1, NULL);
    uint32_t a, ok;
    CHECK(c, hyper_client_request(c, "GET", "/tls", NULL, 0, NULL, &a));
    CHECK(c, hyper_client_request(c, "GET", "/h2ok", NULL, 0, NULL, &ok));
    assert_string_equal(hyper_client_protocol(c), "h2");
    hyper_resp *r;
    hyper_slice b;
    fetch(c, a, &r, &b);
    char want[128];
    (void)snprintf(want, sizeof want,
                   "h1 GET /tls host=127.0.0.1:%u body= alpn=http/1.1",
                   (unsigned)pyrst_tls.port);
    if (!body_is(&b, want))
      fail_msg("got '%.*s'", (int)b.len, (const char *)b.ptr);
    assert_int_equal(hyper_resp_stream_id(r), a);
    hyper_resp_free(r);
    fetch(c, ok, &r, &b);
    assert_true(body_is(&b, "h2 body"));
    hyper_resp_free(r);
    hyper_client_free(c);
  }
}

/* Many retried requests, all on one HTTP/1.1 fallback connection, read in
 * reverse order; then the client is freed while one response is held. */
static void test_http11_required_many(void **state) {
  (void)state;
  hyper_client *c = mk(pyrst.port, HYPER_CLIENT_PROTO_H2, 0, NULL);
  enum { N = 20 };
  uint32_t ids[N];
  char path[32];
  for (int i = 0; i < N; i++) {
    (void)snprintf(path, sizeof path, "/r%d", i);
    CHECK(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &ids[i]));
  }
  for (int i = N - 1; i >= 1; i--) {
    hyper_resp *r;
    hyper_slice b;
    fetch(c, ids[i], &r, &b);
    char want[96];
    (void)snprintf(want, sizeof want, "h1 GET /r%d host=127.0.0.1:%u body=",
                   i, (unsigned)pyrst.port);
    assert_true(body_is(&b, want));
    assert_int_equal(hyper_resp_stream_id(r), ids[i]);
    hyper_resp_free(r);
  }
  hyper_resp *held;
  CHECK(c, hyper_client_get_response(c, ids[0], &held));
  hyper_client_free(c); /* the response outlives its client */
  hyper_slice b;
  int rv = hyper_resp_read_all(held, &b);
  assert_true(rv == 0 || rv == HYPER_ERR_INVALID_STATE);
  hyper_resp_free(held);
}

/* ------------------------------------------------------------------------ */
/* HTTP/1.1 bodies from a python server                                     */
/* ------------------------------------------------------------------------ */

static void test_py_chunked_trailers_continue(void **state) {
  (void)state;
  hyper_client *c = mk(pybodies.port, HYPER_CLIENT_PROTO_HTTP11, 0, NULL);
  uint32_t id;
  CHECK(c, hyper_client_request(c, "GET", "/chunked", NULL, 0, NULL, &id));
  hyper_resp *r;
  CHECK(c, hyper_client_get_response(c, id, &r));
  char all[32] = {0};
  size_t len = 0;
  hyper_slice ch;
  int rv, n = 0;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
    assert_true(len + ch.len < sizeof all);
    memcpy(all + len, ch.ptr, ch.len);
    len += ch.len;
    n++;
  }
  assert_int_equal(rv, 0);
  assert_int_equal(n, 3); /* one piece per chunk, extensions skipped */
  assert_string_equal(all, "hello world");
  const hyper_hdrs *t;
  CHECK(c, hyper_resp_trailers(r, &t));
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(t, HYPER_HDRS_LIT("x-sum"), &v), 1);
  assert_memory_equal(v.ptr, "11", 2);
  assert_int_equal(hyper_hdrs_get_first(t, HYPER_HDRS_LIT("x-more"), &v), 1);
  hyper_resp_free(r);
  /* a POST gets 100 Continue first: skipped, the final response read */
  CHECK(c, hyper_client_request(c, "POST", "/echo", "abc", 3, NULL, &id));
  hyper_slice b;
  fetch(c, id, &r, &b);
  assert_int_equal(hyper_resp_status(r), 200);
  assert_true(body_is(&b, "POST /echo te= len=3 sum=294"));
  hyper_resp_free(r);
  hyper_client_free(c);
}

typedef struct upload {
  size_t left, sent;
  uint32_t sum;
} upload;

static int upload_fn(void *user, uint8_t *buf, size_t cap, size_t *n,
                     int *eof) {
  upload *u = user;
  size_t k = u->left < cap ? u->left : cap;
  if (k > 7777)
    k = 7777; /* odd pieces */
  for (size_t i = 0; i < k; i++) {
    buf[i] = (uint8_t)((u->sent + i) * 31);
    u->sum += buf[i];
  }
  u->sent += k;
  u->left -= k;
  *n = k;
  *eof = u->left == 0;
  return 0;
}

/* A chunked upload of unknown length (request_stream), answered after a
 * 100 Continue; then gzip over chunked; then an HTTP/1.0 close-delimited
 * body, after which the next request opens a new connection. */
static void test_py_upload_gzip_close(void **state) {
  (void)state;
  hyper_client *c = mk(pybodies.port, HYPER_CLIENT_PROTO_AUTO, 0, NULL);
  upload u = {300000, 0, 0};
  uint32_t id;
  CHECK(c, hyper_client_request_stream(c, "POST", "/upload", NULL, upload_fn,
                                       &u, &id));
  hyper_resp *r;
  hyper_slice b;
  fetch(c, id, &r, &b);
  char want[96];
  (void)snprintf(want, sizeof want, "POST /upload te=chunked len=300000 sum=%u",
                 (unsigned)u.sum);
  if (!body_is(&b, want))
    fail_msg("got '%.*s', want '%s'", (int)b.len, (const char *)b.ptr, want);
  hyper_resp_free(r);

  CHECK(c, hyper_client_request(c, "GET", "/gzip", NULL, 0, NULL, &id));
  fetch(c, id, &r, &b);
  char line[64];
  size_t off = 0;
  for (int i = 0; i < 4000; i++) {
    int k = snprintf(line, sizeof line, "line %d of the gzip text\n", i);
    assert_true(off + (size_t)k <= b.len);
    assert_memory_equal(b.ptr + off, line, (size_t)k);
    off += (size_t)k;
  }
  assert_int_equal(off, b.len);
  hyper_resp_free(r);

  for (int round = 0; round < 2; round++) {
    CHECK(c, hyper_client_request(c, "GET", "/close", NULL, 0, NULL, &id));
    fetch(c, id, &r, &b);
    assert_int_equal(hyper_resp_status(r), 200);
    assert_int_equal(off, b.len); /* the same text, not encoded */
    hyper_resp_free(r);
  }
  hyper_client_free(c);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures on the upgrade and the retry paths                   */
/* ------------------------------------------------------------------------ */

/* An upgrade (h2o) or a retry over HTTP/1.1 (the h2 script) with a
 * failing allocator; returns 0 or the first error. */
static int failing_run(int retry, const hyper_mem *mem) {
  hyper_client *c = NULL;
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = retry ? HYPER_CLIENT_PROTO_H2 : HYPER_CLIENT_PROTO_H2C_UPGRADE;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  char host[64];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u",
                 (unsigned)(retry ? pyrst.port : h2o.port));
  int rv = hyper_client_new(&c, host, &o, mem);
  if (rv)
    return rv;
  uint32_t a = 0, b = 0;
  hyper_resp *ra = NULL, *rb = NULL;
  hyper_slice x;
  if ((rv = hyper_client_request(c, "GET", retry ? "/r" : "/small.txt", NULL,
                                 0, NULL, &a)) != 0 ||
      (rv = hyper_client_request(c, "POST", retry ? "/p" : "/a.txt", "xy", 2,
                                 NULL, &b)) != 0 ||
      (rv = hyper_client_get_response(c, b, &rb)) != 0 ||
      (rv = hyper_resp_read_all(rb, &x)) != 0 ||
      (rv = hyper_client_get_response(c, a, &ra)) != 0 ||
      (rv = hyper_resp_read_all(ra, &x)) != 0)
    goto out;
out:
  hyper_resp_free(ra);
  hyper_resp_free(rb);
  hyper_client_free(c);
  return rv;
}

static void test_upgrade_and_retry_failmem(void **state) {
  (void)state;
  for (int retry = 0; retry < 2; retry++) {
    failmem fm;
    failmem_init(&fm);
    int rv = failing_run(retry, &fm.mem);
    if (rv)
      fail_msg("reference run %d: %s", retry, hyper_err_name(rv));
    assert_int_equal(fm.live_blocks, 0);
    long total = fm.nalloc;
    for (long k = 1; k <= total; k++) {
      failmem_init(&fm);
      fm.fail_at = k;
      rv = failing_run(retry, &fm.mem);
      if (rv && !fm.nfailed)
        fail_msg("%s run %ld: %s without an allocation failure",
                 retry ? "retry" : "upgrade", k, hyper_err_name(rv));
      if (fm.live_blocks)
        fail_msg("%s run %ld (%s): %ld blocks leaked",
                 retry ? "retry" : "upgrade", k, hyper_err_name(rv),
                 fm.live_blocks);
    }
    print_message("%s: %ld allocations, each failed once, no leak\n",
                  retry ? "HTTP_1_1_REQUIRED retry" : "h2c upgrade", total);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_upgrade_h2o_accepts),
      cmocka_unit_test(test_upgrade_h2o_head_and_queued),
      cmocka_unit_test(test_upgrade_ignored_by_python_http_server),
      cmocka_unit_test(test_h2o_alpn_both_ways),
      cmocka_unit_test(test_http11_required_retried),
      cmocka_unit_test(test_http11_required_goaway),
      cmocka_unit_test(test_http11_required_tls),
      cmocka_unit_test(test_http11_required_many),
      cmocka_unit_test(test_py_chunked_trailers_continue),
      cmocka_unit_test(test_py_upload_gzip_close),
      cmocka_unit_test(test_upgrade_and_retry_failmem),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
