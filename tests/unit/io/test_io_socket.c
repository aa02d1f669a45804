/* Transport, plain TCP: resolution, connect (refused, timeout), deadlines
 * and idle timeouts on read and write, EOF vs IO, the buffered reader at
 * tiny and large sizes, allocator use. Peers are loopback sockets started
 * by each test (io_testserver.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netdb.h>
#include <netinet/tcp.h>

#include "io_testserver.h"

#include "failmem.h"
#include "io/transport.h"

static hyper__io_opts opts_with(int64_t idle_ms, size_t bufsize) {
  hyper__io_opts o;
  hyper__io_opts_init(&o);
  if (idle_ms > 0)
    o.idle_timeout_ms = idle_ms;
  if (bufsize > 0)
    o.buffer_size = bufsize;
  return o;
}

/* Reads exactly |len| bytes through the buffered reader into |dst|. */
static int read_exact(hyper__io *io, void *dst, size_t len, int64_t dl) {
  uint8_t *d = dst;
  while (len > 0) {
    hyper_slice s;
    int rv = hyper__io_read_avail(io, dl, &s);
    if (rv != 0)
      return rv;
    size_t n = s.len < len ? s.len : len;
    memcpy(d, s.ptr, n);
    hyper__io_consume(io, n);
    d += n;
    len -= n;
  }
  return 0;
}

/* A connected io to |s| (already started) at 127.0.0.1. */
static hyper__io *connect_to(tsrv *s, const hyper__io_opts *o) {
  hyper__io *io = NULL;
  hyper__io_error err;
  int rv = hyper__io_connect(&io, "127.0.0.1", s->port, o, NULL,
                             hyper__io_deadline_after(5000), NULL, &err);
  if (rv != 0)
    print_error("connect: %s (%s)\n", hyper_err_name(rv), err.desc);
  assert_int_equal(rv, 0);
  assert_non_null(io);
  return io;
}

/* ------------------------------------------------------------------------ */

static void test_io_socket_clock(void **state) {
  (void)state;
  int64_t a = hyper__io_now_ms();
  int64_t b = hyper__io_now_ms();
  assert_true(b >= a);
  assert_true(hyper__io_deadline_after(1000) >= a + 1000);
  assert_true(hyper__io_deadline_after(-1) < hyper__io_now_ms());
  assert_true(hyper__io_deadline_after(INT64_MAX) == HYPER__IO_NO_DEADLINE);
  assert_true(hyper__io_deadline_after(INT64_MAX - 5) ==
              HYPER__IO_NO_DEADLINE);
}

static void test_io_socket_echo_plain(void **state) {
  (void)state;
  tsrv s = {.mode = TS_ECHO};
  assert_int_equal(ts_start(&s), 0);
  hyper__io_opts o = opts_with(0, 0);
  hyper__io *io = connect_to(&s, &o);
  assert_false(hyper__io_is_tls(io));
  assert_null(hyper__io_alpn(io));
  assert_null(hyper__io_tls_version(io));
  assert_int_equal(hyper__io_buffer_size(io), HYPER__IO_DEFAULT_BUFFER_SIZE);

  int nodelay = 0;
  socklen_t sl = sizeof nodelay;
  assert_int_equal(getsockopt(hyper__io_fd(io), IPPROTO_TCP, TCP_NODELAY,
                              &nodelay, &sl), 0);
  assert_true(nodelay != 0);
  int fl = fcntl(hyper__io_fd(io), F_GETFD);
  assert_true(fl >= 0 && (fl & FD_CLOEXEC));

  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "hello, world", 12, dl), 0);
  char got[12];
  assert_int_equal(read_exact(io, got, sizeof got, dl), 0);
  assert_memory_equal(got, "hello, world", 12);
  assert_false(hyper__io_has_buffered(io));
  assert_int_equal(hyper__io_last_error(io)->code, 0);
  hyper__io_free(io);
  ts_stop(&s);
  assert_int_equal(s.echoed, 12);
}

static void test_io_socket_localhost_name(void **state) {
  (void)state;
  /* "localhost" goes through getaddrinfo; if it yields ::1 first (nothing
   * listens there), the connect moves on to the next address. */
  tsrv s = {.mode = TS_ECHO};
  assert_int_equal(ts_start(&s), 0);
  hyper__io *io = NULL;
  hyper__io_error err;
  int rv = hyper__io_connect(&io, "localhost", s.port, NULL, NULL,
                             hyper__io_deadline_after(5000), NULL, &err);
  assert_int_equal(rv, 0);
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "x", 1, dl), 0);
  char c;
  assert_int_equal(read_exact(io, &c, 1, dl), 0);
  assert_int_equal(c, 'x');
  hyper__io_free(io);
  ts_stop(&s);
}

static void test_io_socket_ipv6_literal(void **state) {
  (void)state;
  tsrv s = {.mode = TS_ECHO, .v6 = 1};
  if (ts_start(&s) != 0) {
    skip(); /* no ::1 in this environment */
  }
  const char *names[] = {"::1", "[::1]"};
  for (int i = 0; i < 2; i++) {
    hyper__io *io = NULL;
    hyper__io_opts o;
    hyper__io_opts_init(&o);
    o.family = 6;
    int rv = hyper__io_connect(&io, names[i], s.port, &o, NULL,
                               hyper__io_deadline_after(5000), NULL, NULL);
    assert_int_equal(rv, 0);
    if (i == 0) {
      int64_t dl = hyper__io_deadline_after(5000);
      assert_int_equal(hyper__io_write_all(io, "6", 1, dl), 0);
      char c;
      assert_int_equal(read_exact(io, &c, 1, dl), 0);
      assert_int_equal(c, '6');
    }
    /* The second connect lands in the listen backlog (the one-shot
     * server is done), which is all it needs. */
    hyper__io_free(io);
  }
  ts_stop(&s);
}

static void test_io_socket_connect_refused(void **state) {
  (void)state;
  uint16_t port;
  /* Bound but not listening: the kernel answers SYN with RST. Keeping it
   * bound stops anyone else from taking the port meanwhile. */
  int fd = ts_listen(0, -1, 0, &port);
  assert_true(fd >= 0);
  hyper__io *io = NULL;
  hyper__io_error err;
  int64_t t0 = hyper__io_now_ms();
  int rv = hyper__io_connect(&io, "127.0.0.1", port, NULL, NULL,
                             hyper__io_deadline_after(5000), NULL, &err);
  assert_int_equal(rv, HYPER_ERR_CONNECT);
  assert_null(io);
  assert_int_equal(err.code, HYPER_ERR_CONNECT);
  assert_int_equal(err.sys_errno, ECONNREFUSED);
  assert_non_null(strstr(err.desc, "127.0.0.1"));
  assert_non_null(strstr(err.desc, "refused"));
  assert_true(hyper__io_now_ms() - t0 < 8000);
  close(fd);
}

static void test_io_socket_resolve_failure(void **state) {
  (void)state;
  hyper__io *io = NULL;
  hyper__io_error err;
  /* RFC 6761: answered locally, at once, without a DNS query. */
  int64_t t0 = hyper__io_now_ms();
  int rv = hyper__io_connect(&io, "nonexistent.invalid", 80, NULL, NULL,
                             hyper__io_deadline_after(5000), NULL, &err);
  assert_int_equal(rv, HYPER_ERR_RESOLVE);
  assert_null(io);
  assert_int_equal(err.gai_err, EAI_NONAME);
  assert_non_null(strstr(err.desc, "nonexistent.invalid"));
  assert_true(hyper__io_now_ms() - t0 < 3000);
  /* Same for the bare TLD, upper case and a trailing dot. */
  assert_int_equal(hyper__io_connect(&io, "INVALID.", 80, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_RESOLVE);
  assert_int_equal(hyper__io_connect(&io, "a.b.Invalid", 80, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_RESOLVE);
  /* A name getaddrinfo itself rejects (not a valid host name): the
   * getaddrinfo error path, which must also answer promptly here. */
  t0 = hyper__io_now_ms();
  rv = hyper__io_connect(&io, "bad host!", 80, NULL, NULL,
                         hyper__io_deadline_after(5000), NULL, &err);
  assert_int_equal(rv, HYPER_ERR_RESOLVE);
  assert_true(err.gai_err != 0);
  assert_non_null(strstr(err.desc, "bad host!"));
  assert_true(hyper__io_now_ms() - t0 < 10000);
}

/* A resolver hook (hyper__io_opts.resolve) standing in for a DNS server
 * that does not answer: it blocks until the test writes to |hang_pipe|
 * (bounded by TS_SAFETY_MS), then answers 127.0.0.1 for any name, so the
 * abandoned answer is a real addrinfo list that must be freed. */
static int hang_pipe[2] = {-1, -1};
static int hang_resolve(const char *node, const char *service,
                        const struct addrinfo *hints, struct addrinfo **res) {
  (void)node;
  if (hang_pipe[0] >= 0) {
    struct pollfd p = {hang_pipe[0], POLLIN, 0};
    char c;
    if (poll(&p, 1, TS_SAFETY_MS) > 0)
      (void)!read(hang_pipe[0], &c, 1);
  }
  struct addrinfo h = *hints;
  h.ai_flags |= AI_NUMERICHOST;
  return getaddrinfo("127.0.0.1", service, &h, res);
}

/* Waits (bounded) until |fm| holds no block: the abandoned resolver thread
 * frees its job once the hook returns. */
static long wait_blocks_freed(failmem *fm) {
  int64_t end = hyper__io_now_ms() + TS_SAFETY_MS;
  long live;
  while ((live = __atomic_load_n(&fm->live_blocks, __ATOMIC_SEQ_CST)) != 0 &&
         hyper__io_now_ms() < end) {
    struct pollfd none;
    (void)poll(&none, 0, 2); /* re-check a condition, not a fixed wait */
  }
  return live;
}

static void test_io_socket_resolve_deadline(void **state) {
  (void)state;
  tsrv s = {.mode = TS_ECHO};
  assert_int_equal(ts_start(&s), 0);
  hyper__io_opts o;
  hyper__io_opts_init(&o);
  o.resolve = hang_resolve;

  /* The hook answers at once: names are resolved on the resolver thread
   * and the connection works. */
  failmem fm;
  failmem_init(&fm);
  hyper__io *io = NULL;
  hyper__io_error err;
  assert_int_equal(hyper__io_connect(&io, "resolver-hook.test", s.port, &o,
                                     NULL, hyper__io_deadline_after(5000),
                                     &fm.mem, &err),
                   0);
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "r", 1, dl), 0);
  char c;
  assert_int_equal(read_exact(io, &c, 1, dl), 0);
  assert_int_equal(c, 'r');
  hyper__io_free(io);
  /* an answered query leaves nothing behind when connect returns */
  assert_int_equal(fm.live_blocks, 0);
  ts_stop(&s);

  /* A resolver that hangs: the connect timeout (then the caller's
   * deadline) fires, the call returns TIMEOUT at once, the query is
   * abandoned; when it finally answers, the thread frees the answer and
   * the job (LSan checks the addrinfo list, failmem the job). */
  const int64_t budgets[2][2] = {{300, HYPER__IO_NO_DEADLINE}, {10000, 300}};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(pipe(hang_pipe), 0);
    o.connect_timeout_ms = budgets[i][0];
    int64_t deadline = budgets[i][1] == HYPER__IO_NO_DEADLINE
                           ? HYPER__IO_NO_DEADLINE
                           : hyper__io_deadline_after(budgets[i][1]);
    failmem_init(&fm);
    int64_t t0 = hyper__io_now_ms();
    int rv = hyper__io_connect(&io, "never-answers.test", 443, &o, NULL,
                               deadline, &fm.mem, &err);
    int64_t took = hyper__io_now_ms() - t0;
    assert_int_equal(rv, HYPER_ERR_TIMEOUT);
    assert_null(io);
    assert_int_equal(err.code, HYPER_ERR_TIMEOUT);
    assert_int_equal(strncmp(err.desc, "resolve never-answers.test", 26), 0);
    print_message("hanging resolver: %s after %lld ms\n", err.desc,
                  (long long)took);
    assert_true(took >= 250 && took < 3000);
    /* the job is still held by the blocked thread */
    assert_int_equal(__atomic_load_n(&fm.live_blocks, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(write(hang_pipe[1], "x", 1), 1);
    assert_int_equal(wait_blocks_freed(&fm), 0);
    close(hang_pipe[0]);
    close(hang_pipe[1]);
    hang_pipe[0] = hang_pipe[1] = -1;
  }
}

static void test_io_socket_connect_timeout(void **state) {
  (void)state;
  /* A listener whose accept queue is full drops further SYNs (Linux), so
   * a connect to it stays pending: the connect timeout must fire. */
  uint16_t port;
  int lfd = ts_listen(0, 0, 0, &port);
  assert_true(lfd >= 0);
  int fill[3];
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  for (int i = 0; i < 3; i++) {
    fill[i] = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fill[i] >= 0);
    fcntl(fill[i], F_SETFL, O_NONBLOCK);
    (void)connect(fill[i], (struct sockaddr *)&a, sizeof a);
  }
  hyper__io_opts o;
  hyper__io_opts_init(&o);
  o.connect_timeout_ms = 300;
  hyper__io *io = NULL;
  hyper__io_error err;
  int64_t t0 = hyper__io_now_ms();
  int rv = hyper__io_connect(&io, "127.0.0.1", port, &o, NULL,
                             HYPER__IO_NO_DEADLINE, NULL, &err);
  int64_t dt = hyper__io_now_ms() - t0;
  for (int i = 0; i < 3; i++)
    close(fill[i]);
  close(lfd);
  if (rv == 0) {
    hyper__io_free(io);
    print_message("kernel accepted past the backlog; cannot provoke a "
                  "pending connect here\n");
    skip();
  }
  assert_int_equal(rv, HYPER_ERR_TIMEOUT);
  assert_int_equal(err.sys_errno, ETIMEDOUT);
  assert_non_null(strstr(err.desc, "timed out"));
  assert_true(dt >= 290);
  assert_true(dt < 5000);
}

static void test_io_socket_invalid_arguments(void **state) {
  (void)state;
  hyper__io *io = NULL;
  hyper__io_error err;
  hyper__io_opts o;
  assert_int_equal(hyper__io_connect(&io, "", 80, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__io_connect(&io, NULL, 80, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__io_connect(&io, "127.0.0.1", 0, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  assert_int_equal(hyper__io_connect(&io, longname, 80, NULL, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper__io_opts_init(&o);
  o.buffer_size = 0;
  assert_int_equal(hyper__io_connect(&io, "127.0.0.1", 80, &o, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper__io_opts_init(&o);
  o.idle_timeout_ms = 0; /* "wait forever" is not an option */
  assert_int_equal(hyper__io_from_fd(&io, 0, &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper__io_opts_init(&o);
  o.connect_timeout_ms = -1;
  assert_int_equal(hyper__io_connect(&io, "127.0.0.1", 80, &o, NULL,
                                     HYPER__IO_NO_DEADLINE, NULL, &err),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper__io_opts_init(&o);
  o.family = 5;
  assert_int_equal(hyper__io_from_fd(&io, 0, &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_int_equal(hyper__io_from_fd(&io, -1, NULL, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  assert_null(io);
  hyper__io_free(NULL);
}

static void test_io_socket_read_idle_timeout(void **state) {
  (void)state;
  tsrv s = {.mode = TS_SILENT};
  assert_int_equal(ts_start(&s), 0);
  hyper__io_opts o = opts_with(200, 0);
  hyper__io *io = connect_to(&s, &o);
  hyper_slice sl;
  /* No overall deadline: the idle timeout alone bounds the wait. */
  int64_t t0 = hyper__io_now_ms();
  int rv = hyper__io_read_avail(io, HYPER__IO_NO_DEADLINE, &sl);
  int64_t dt = hyper__io_now_ms() - t0;
  assert_int_equal(rv, HYPER_ERR_TIMEOUT);
  assert_int_equal(sl.len, 0);
  assert_int_equal(hyper__io_last_error(io)->code, HYPER_ERR_TIMEOUT);
  assert_int_equal(hyper__io_last_error(io)->sys_errno, ETIMEDOUT);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "idle"));
  assert_true(dt >= 195 && dt < 5000);
  /* An earlier deadline wins over the idle timeout. */
  t0 = hyper__io_now_ms();
  rv = hyper__io_read_avail(io, hyper__io_deadline_after(60), &sl);
  dt = hyper__io_now_ms() - t0;
  assert_int_equal(rv, HYPER_ERR_TIMEOUT);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "deadline"));
  assert_true(dt >= 55 && dt < 3000);
  /* An already expired deadline returns at once. */
  t0 = hyper__io_now_ms();
  assert_int_equal(hyper__io_fill(io, 4, hyper__io_deadline_after(-1), &sl),
                   HYPER_ERR_TIMEOUT);
  assert_true(hyper__io_now_ms() - t0 < 1000);
  hyper__io_free(io);
  ts_stop(&s);
}

static void test_io_socket_read_timeout_not_sticky(void **state) {
  (void)state;
  tsrv s = {.mode = TS_ECHO};
  assert_int_equal(ts_start(&s), 0);
  hyper__io *io = connect_to(&s, NULL);
  hyper_slice sl;
  assert_int_equal(hyper__io_read_avail(io, hyper__io_deadline_after(50), &sl),
                   HYPER_ERR_TIMEOUT);
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "ping", 4, dl), 0);
  char got[4];
  assert_int_equal(read_exact(io, got, 4, dl), 0);
  assert_memory_equal(got, "ping", 4);
  hyper__io_free(io);
  ts_stop(&s);
}

static void test_io_socket_write_deadline(void **state) {
  (void)state;
  tsrv s = {.mode = TS_NOREAD, .rcvbuf = 4096};
  assert_int_equal(ts_start(&s), 0);
  hyper__io_opts o = opts_with(10000, 0);
  hyper__io *io = connect_to(&s, &o);
  int sndbuf = 4096;
  (void)setsockopt(hyper__io_fd(io), SOL_SOCKET, SO_SNDBUF, &sndbuf,
                   sizeof sndbuf);
  const size_t big = 16u << 20;
  uint8_t *data = calloc(1, big);
  assert_non_null(data);
  int64_t t0 = hyper__io_now_ms();
  int rv = hyper__io_write_all(io, data, big, t0 + 300);
  int64_t dt = hyper__io_now_ms() - t0;
  assert_int_equal(rv, HYPER_ERR_TIMEOUT);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "deadline"));
  assert_true(dt >= 295 && dt < 8000);
  /* Sticky: the stream is cut mid-message, later writes fail at once. */
  t0 = hyper__io_now_ms();
  assert_int_equal(hyper__io_write_all(io, "x", 1, HYPER__IO_NO_DEADLINE),
                   HYPER_ERR_TIMEOUT);
  assert_true(hyper__io_now_ms() - t0 < 1000);
  hyper__io_free(io);
  ts_stop(&s);
  free(data);
}

static void test_io_socket_write_idle_timeout(void **state) {
  (void)state;
  tsrv s = {.mode = TS_NOREAD, .rcvbuf = 4096};
  assert_int_equal(ts_start(&s), 0);
  hyper__io_opts o = opts_with(150, 0);
  hyper__io *io = connect_to(&s, &o);
  const size_t big = 16u << 20;
  uint8_t *data = calloc(1, big);
  assert_non_null(data);
  int64_t t0 = hyper__io_now_ms();
  /* No deadline at all: the idle timeout still ends the call. */
  int rv = hyper__io_write_all(io, data, big, HYPER__IO_NO_DEADLINE);
  int64_t dt = hyper__io_now_ms() - t0;
  assert_int_equal(rv, HYPER_ERR_TIMEOUT);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "idle"));
  assert_true(dt >= 145 && dt < 5000);
  hyper__io_free(io);
  ts_stop(&s);
  free(data);
}

static void test_io_socket_eof_clean(void **state) {
  (void)state;
  tsrv s = {.mode = TS_SEND_CLOSE, .payload = "bye"};
  assert_int_equal(ts_start(&s), 0);
  hyper__io *io = connect_to(&s, NULL);
  int64_t dl = hyper__io_deadline_after(5000);
  hyper_slice sl;
  /* fill(4) sees 3 bytes then FIN: EOF, with the 3 bytes still there. */
  assert_int_equal(hyper__io_fill(io, 4, dl, &sl), HYPER_ERR_EOF);
  assert_int_equal(sl.len, 3);
  assert_memory_equal(sl.ptr, "bye", 3);
  assert_true(hyper__io_eof_clean(io));
  assert_int_equal(hyper__io_read_avail(io, dl, &sl), 0);
  assert_int_equal(sl.len, 3);
  hyper__io_consume(io, 3);
  assert_int_equal(hyper__io_read_avail(io, dl, &sl), HYPER_ERR_EOF);
  assert_int_equal(sl.len, 0);
  /* Sticky, with its detail. */
  assert_int_equal(hyper__io_read_avail(io, dl, &sl), HYPER_ERR_EOF);
  assert_int_equal(hyper__io_last_error(io)->code, HYPER_ERR_EOF);
  assert_non_null(strstr(hyper__io_last_error(io)->desc, "closed"));
  hyper__io_free(io);
  ts_stop(&s);
}

static void test_io_socket_reset_is_io(void **state) {
  (void)state;
  tsrv s = {.mode = TS_RESET};
  assert_int_equal(ts_start(&s), 0);
  hyper__io *io = connect_to(&s, NULL);
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_write_all(io, "x", 1, dl), 0);
  hyper_slice sl;
  int rv = hyper__io_read_avail(io, dl, &sl);
  assert_int_equal(rv, HYPER_ERR_IO);
  assert_int_equal(hyper__io_last_error(io)->sys_errno, ECONNRESET);
  assert_false(hyper__io_eof_clean(io));
  /* Writing to the dead connection: IO (EPIPE/ECONNRESET), never
   * SIGPIPE (this process keeps SIGPIPE's default action). */
  rv = hyper__io_write_all(io, "y", 1, dl);
  if (rv == 0) /* the first write after RST may still be accepted */
    rv = hyper__io_write_all(io, "z", 1, dl);
  assert_int_equal(rv, HYPER_ERR_IO);
  int e = hyper__io_last_error(io)->sys_errno;
  assert_true(e == EPIPE || e == ECONNRESET);
  hyper__io_free(io);
  ts_stop(&s);
}

static void test_io_socket_buffer_tiny(void **state) {
  (void)state;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  hyper__io_opts o = opts_with(1000, 1);
  hyper__io *io = NULL;
  assert_int_equal(hyper__io_from_fd(&io, sv[0], &o, NULL), 0);
  assert_int_equal(hyper__io_buffer_size(io), 1);
  assert_int_equal(write(sv[1], "abcdef", 6), 6);
  int64_t dl = hyper__io_deadline_after(5000);
  char got[7] = {0};
  for (int i = 0; i < 6; i++) {
    hyper_slice sl;
    assert_int_equal(hyper__io_read_avail(io, dl, &sl), 0);
    assert_int_equal(sl.len, 1);
    got[i] = (char)sl.ptr[0];
    /* Unconsumed data is returned again without I/O. */
    assert_true(hyper__io_has_buffered(io));
    hyper_slice again;
    assert_int_equal(hyper__io_read_avail(io, dl, &again), 0);
    assert_ptr_equal(again.ptr, sl.ptr);
    hyper__io_consume(io, 1);
  }
  assert_string_equal(got, "abcdef");
  hyper_slice sl;
  assert_int_equal(hyper__io_fill(io, 2, dl, &sl), HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(hyper__io_write_all(io, "Z", 1, dl), 0);
  char c;
  assert_int_equal(read(sv[1], &c, 1), 1);
  assert_int_equal(c, 'Z');
  close(sv[1]);
  assert_int_equal(hyper__io_read_avail(io, dl, &sl), HYPER_ERR_EOF);
  assert_true(hyper__io_eof_clean(io));
  hyper__io_free(io);
}

static void test_io_socket_buffer_large(void **state) {
  (void)state;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  hyper__io_opts o = opts_with(1000, 1u << 20);
  hyper__io *io = NULL;
  assert_int_equal(hyper__io_from_fd(&io, sv[0], &o, NULL), 0);
  const size_t n = 96 * 1024; /* fits the socketpair's buffer */
  uint8_t *src = malloc(n);
  assert_non_null(src);
  for (size_t i = 0; i < n; i++)
    src[i] = (uint8_t)(i * 7 + (i >> 8));
  for (size_t off = 0; off < n;) {
    ssize_t w = write(sv[1], src + off, n - off);
    assert_true(w > 0);
    off += (size_t)w;
  }
  hyper_slice sl;
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(hyper__io_fill(io, n, dl, &sl), 0);
  assert_int_equal(sl.len, n);
  assert_memory_equal(sl.ptr, src, n);
  hyper__io_consume(io, n);
  assert_false(hyper__io_has_buffered(io));
  /* Options bound the size. */
  o.buffer_size = HYPER__IO_MAX_BUFFER_SIZE + 1;
  hyper__io *io2 = NULL;
  assert_int_equal(hyper__io_from_fd(&io2, sv[1], &o, NULL),
                   HYPER_ERR_INVALID_ARGUMENT);
  hyper__io_free(io);
  close(sv[1]);
  free(src);
}

static void test_io_socket_fill_compacts(void **state) {
  (void)state;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  hyper__io_opts o = opts_with(1000, 16);
  hyper__io *io = NULL;
  assert_int_equal(hyper__io_from_fd(&io, sv[0], &o, NULL), 0);
  int64_t dl = hyper__io_deadline_after(5000);
  assert_int_equal(write(sv[1], "0123456789abcdef", 16), 16);
  hyper_slice sl;
  assert_int_equal(hyper__io_fill(io, 16, dl, &sl), 0);
  assert_int_equal(sl.len, 16);
  hyper__io_consume(io, 10); /* "abcdef" left at offset 10 */
  assert_int_equal(write(sv[1], "GHIJKL", 6), 6);
  /* 12 bytes do not fit after offset 10: the reader must move them. */
  assert_int_equal(hyper__io_fill(io, 12, dl, &sl), 0);
  assert_int_equal(sl.len, 12);
  assert_memory_equal(sl.ptr, "abcdefGHIJKL", 12);
  hyper_slice pk = hyper__io_peek(io);
  assert_ptr_equal(pk.ptr, sl.ptr);
  assert_int_equal(pk.len, 12);
  hyper__io_consume(io, 12);
  assert_int_equal(hyper__io_peek(io).len, 0);
  hyper__io_free(io);
  close(sv[1]);
}

static void test_io_socket_allocator(void **state) {
  (void)state;
  failmem fm;
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  /* Each allocation failing in turn: NOMEM, nothing leaked, the fd still
   * the caller's. */
  for (long k = 1; k <= 2; k++) {
    failmem_init(&fm);
    fm.fail_at = k;
    hyper__io *io = NULL;
    assert_int_equal(hyper__io_from_fd(&io, sv[0], NULL, &fm.mem),
                     HYPER_ERR_NOMEM);
    assert_null(io);
    assert_int_equal(fm.live_blocks, 0);
    assert_true(fcntl(sv[0], F_GETFD) >= 0);
  }
  failmem_init(&fm);
  hyper__io *io = NULL;
  assert_int_equal(hyper__io_from_fd(&io, sv[0], NULL, &fm.mem), 0);
  assert_int_equal(fm.live_blocks, 2);
  assert_true(fm.live_bytes >= HYPER__IO_DEFAULT_BUFFER_SIZE);
  hyper__io_free(io);
  assert_int_equal(fm.live_blocks, 0);
  assert_true(fcntl(sv[0], F_GETFD) < 0); /* owned and closed */
  close(sv[1]);

  /* connect() with a failing allocator: NOMEM, socket closed. */
  tsrv s = {.mode = TS_SILENT};
  assert_int_equal(ts_start(&s), 0);
  failmem_init(&fm);
  fm.fail_at = 1;
  hyper__io_error err;
  assert_int_equal(hyper__io_connect(&io, "127.0.0.1", s.port, NULL, NULL,
                                     hyper__io_deadline_after(5000), &fm.mem,
                                     &err),
                   HYPER_ERR_NOMEM);
  assert_int_equal(err.code, HYPER_ERR_NOMEM);
  assert_int_equal(fm.live_blocks, 0);
  ts_stop(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_io_socket_clock),
      cmocka_unit_test(test_io_socket_echo_plain),
      cmocka_unit_test(test_io_socket_localhost_name),
      cmocka_unit_test(test_io_socket_ipv6_literal),
      cmocka_unit_test(test_io_socket_connect_refused),
      cmocka_unit_test(test_io_socket_resolve_failure),
      cmocka_unit_test(test_io_socket_resolve_deadline),
      cmocka_unit_test(test_io_socket_connect_timeout),
      cmocka_unit_test(test_io_socket_invalid_arguments),
      cmocka_unit_test(test_io_socket_read_idle_timeout),
      cmocka_unit_test(test_io_socket_read_timeout_not_sticky),
      cmocka_unit_test(test_io_socket_write_deadline),
      cmocka_unit_test(test_io_socket_write_idle_timeout),
      cmocka_unit_test(test_io_socket_eof_clean),
      cmocka_unit_test(test_io_socket_reset_is_io),
      cmocka_unit_test(test_io_socket_buffer_tiny),
      cmocka_unit_test(test_io_socket_buffer_large),
      cmocka_unit_test(test_io_socket_fill_compacts),
      cmocka_unit_test(test_io_socket_allocator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
