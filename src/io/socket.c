/* Transport: resolution, connect with a timeout, the plain TCP vtable, the
 * buffered reader, write-all and the poll() waits shared with TLS. See
 * transport.h for the contract. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

/* ------------------------------------------------------------------------ */
/* Clock, errors, small helpers                                             */
/* ------------------------------------------------------------------------ */

int64_t hyper__io_now_ms(void) {
  struct timespec ts;
  /* CLOCK_MONOTONIC cannot fail with a valid pointer on POSIX systems that
   * have it; treat a failure as time 0 rather than crash. */
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

int64_t hyper__io_deadline_after(int64_t ms) {
  int64_t now = hyper__io_now_ms();
  if (ms < 0)
    return now - 1;
  if (ms >= HYPER__IO_NO_DEADLINE - now)
    return HYPER__IO_NO_DEADLINE;
  return now + ms;
}

int hyper__io_set_error(hyper__io_error *e, int code, int sys_errno,
                        const char *fmt, ...) {
  va_list ap;
  e->code = code;
  e->sys_errno = sys_errno;
  e->gai_err = 0;
  e->ssl_err = 0;
  e->verify_result = 0;
  va_start(ap, fmt);
  (void)vsnprintf(e->desc, sizeof e->desc, fmt, ap);
  va_end(ap);
  return code;
}

/* strerror_r (the POSIX/XSI form under _POSIX_C_SOURCE) into |buf|. */
static const char *errno_text(int e, char *buf, size_t len) {
  if (strerror_r(e, buf, len) != 0)
    (void)snprintf(buf, len, "errno %d", e);
  return buf;
}

int hyper__io_is_ip_literal(const char *host) {
  unsigned char a[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static int ascii_tolower(int c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* RFC 6761 §6.4: "invalid" and names under it never resolve. */
static int is_invalid_tld(const char *name, size_t len) {
  static const char tld[] = "invalid";
  const size_t tl = sizeof tld - 1;
  if (len < tl)
    return 0;
  for (size_t i = 0; i < tl; i++)
    if (ascii_tolower((unsigned char)name[len - tl + i]) != tld[i])
      return 0;
  return len == tl || name[len - tl - 1] == '.';
}

size_t hyper__io_normalize_host(const char *host, char *name, size_t cap) {
  size_t len = strlen(host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
    host++;
    len -= 2;
  }
  if (len > 1 && host[len - 1] == '.')
    len--;
  if (len == 0 || len >= cap)
    return 0;
  memcpy(name, host, len);
  name[len] = '\0';
  return len;
}

static int set_nonblock_cloexec(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  fl = fcntl(fd, F_GETFD);
  if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
    return -1;
  return 0;
}

/* Waits for |events| on |fd| until |end| (ms). Returns 1 ready, 0 timed
 * out, -errno on a poll failure. */
static int poll_until(int fd, short events, int64_t end) {
  for (;;) {
    int64_t now = hyper__io_now_ms();
    if (now >= end)
      return 0;
    int64_t left = end - now;
    struct pollfd p;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    if (r > 0)
      return (p.revents & POLLNVAL) ? -EBADF : 1;
    if (r < 0 && errno != EINTR)
      return -errno;
  }
}

static int opts_valid(const hyper__io_opts *o) {
  return o->connect_timeout_ms > 0 && o->idle_timeout_ms > 0 &&
         o->buffer_size >= 1 && o->buffer_size <= HYPER__IO_MAX_BUFFER_SIZE &&
         (o->family == 0 || o->family == 4 || o->family == 6);
}

void hyper__io_opts_init(hyper__io_opts *o) {
  o->connect_timeout_ms = HYPER__IO_DEFAULT_CONNECT_TIMEOUT_MS;
  o->idle_timeout_ms = HYPER__IO_DEFAULT_IDLE_TIMEOUT_MS;
  o->buffer_size = HYPER__IO_DEFAULT_BUFFER_SIZE;
  o->family = 0;
  o->resolve = NULL;
}

/* ------------------------------------------------------------------------ */
/* Plain TCP vtable                                                         */
/* ------------------------------------------------------------------------ */

static int tcp_recv(hyper__io *io, uint8_t *buf, size_t len, size_t *n) {
  for (;;) {
    ssize_t r = recv(io->fd, buf, len, 0);
    if (r > 0) {
      *n = (size_t)r;
      return 0;
    }
    if (r == 0) {
      io->eof_clean = 1;
      return hyper__io_set_error(&io->err, HYPER_ERR_EOF, 0,
                                 "connection closed by the peer");
    }
    int e = errno;
    if (e == EINTR)
      continue;
    if (e == EAGAIN || e == EWOULDBLOCK)
      return HYPER__IO_WANT_READ;
    char tb[64];
    return hyper__io_set_error(&io->err, HYPER_ERR_IO, e, "recv: %s",
                               errno_text(e, tb, sizeof tb));
  }
}

static int tcp_send(hyper__io *io, const uint8_t *buf, size_t len,
                    size_t *n) {
  for (;;) {
    /* MSG_NOSIGNAL: a closed peer yields EPIPE, never SIGPIPE. */
    ssize_t r = send(io->fd, buf, len, MSG_NOSIGNAL);
    if (r > 0) {
      *n = (size_t)r;
      return 0;
    }
    int e = r == 0 ? EAGAIN : errno;
    if (e == EINTR)
      continue;
    if (e == EAGAIN || e == EWOULDBLOCK)
      return HYPER__IO_WANT_WRITE;
    char tb[64];
    return hyper__io_set_error(&io->err, HYPER_ERR_IO, e, "send: %s",
                               errno_text(e, tb, sizeof tb));
  }
}

static int tcp_pending(const hyper__io *io) {
  (void)io;
  return 0;
}

static void tcp_close(hyper__io *io) { (void)io; }

static const hyper__io_vtable tcp_vtable = {"tcp", tcp_recv, tcp_send,
                                            tcp_pending, tcp_close};

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */
/* ------------------------------------------------------------------------ */

int hyper__io_from_fd(hyper__io **out, int fd, const hyper__io_opts *opts,
                      const hyper_mem *mem) {
  hyper__io_opts defaults;
  hyper_mem m;
  if (out == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (opts == NULL) {
    hyper__io_opts_init(&defaults);
    opts = &defaults;
  }
  if (fd < 0 || !opts_valid(opts))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (set_nonblock_cloexec(fd) != 0)
    return HYPER_ERR_IO;
  int one = 1;
  /* Fails harmlessly on non-TCP sockets (socketpair in tests). */
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  hyper__mem_init(&m, mem);
  hyper__io *io = hyper__mem_calloc(&m, 1, sizeof *io);
  if (io == NULL)
    goto fail_io;
  io->rbuf = hyper__mem_malloc(&m, opts->buffer_size);
  if (io->rbuf == NULL)
    goto fail_buf;
  io->mem = m;
  io->vt = &tcp_vtable;
  io->fd = fd;
  io->idle_ms = opts->idle_timeout_ms;
  io->rcap = opts->buffer_size;
  *out = io;
  return 0;

fail_buf:
  hyper__mem_free(&m, io);
fail_io:
  return HYPER_ERR_NOMEM;
}

void hyper__io_free(hyper__io *io) {
  if (io == NULL)
    return;
  io->vt->close(io);
  if (io->fd >= 0)
    (void)close(io->fd);
  hyper__mem_free(&io->mem, io->rbuf);
  hyper_mem m = io->mem;
  hyper__mem_free(&m, io);
}

/* ------------------------------------------------------------------------ */
/* Connect                                                                  */
/* ------------------------------------------------------------------------ */

/* One non-blocking connect attempt. Returns the connected fd, or -1 with
 * |*sys_err| set (ETIMEDOUT when |attempt_end| passed). */
static int connect_one(const struct addrinfo *ai, int64_t attempt_end,
                       int *sys_err) {
  int type = ai->ai_socktype;
#ifdef SOCK_CLOEXEC
  type |= SOCK_CLOEXEC; /* no window for a concurrent fork+exec */
#endif
  int fd = socket(ai->ai_family, type, ai->ai_protocol);
  if (fd < 0) {
    *sys_err = errno;
    return -1;
  }
  if (set_nonblock_cloexec(fd) != 0) {
    *sys_err = errno;
    goto fail;
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return fd;
  if (errno != EINPROGRESS && errno != EINTR) {
    *sys_err = errno;
    goto fail;
  }
  int r = poll_until(fd, POLLOUT, attempt_end);
  if (r <= 0) {
    *sys_err = r == 0 ? ETIMEDOUT : -r;
    goto fail;
  }
  int so_err = 0;
  socklen_t sl = sizeof so_err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &sl) != 0)
    so_err = errno;
  if (so_err != 0) {
    *sys_err = so_err;
    goto fail;
  }
  return fd;

fail:
  (void)close(fd);
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Resolution with a deadline                                               */
/* ------------------------------------------------------------------------ */

/* getaddrinfo() has no timeout, so it runs on a detached thread and the
 * caller waits on a condition variable (CLOCK_MONOTONIC) until the connect
 * deadline. The job is shared by the two threads and reference-counted:
 * whoever drops the last reference frees the answer and the job, so an
 * abandoned query (deadline first) is cleaned up by the thread when its
 * getaddrinfo() returns, and nothing leaks or is touched after free. */
typedef struct resolve_job {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int refs; /* 2 while both the caller and the thread hold the job */
  int done;
  hyper_mem mem;
  hyper__io_resolve_fn fn;
  struct addrinfo hints;
  struct addrinfo *res; /* the answer, until the caller takes it */
  int gai;
  int sys_errno;
  char name[HYPER__IO_MAX_HOST_LEN + 2];
  char port[8];
} resolve_job;

/* Frees |j| once both sides have dropped their reference. Each side drops
 * it while holding the lock (in the same critical section where the thread
 * publishes the answer), so when the caller sees the answer the thread's
 * reference is already gone and the caller frees the job before it returns:
 * only an abandoned query outlives hyper__io_connect(). */
static void job_free(resolve_job *j) {
  if (j->res != NULL)
    freeaddrinfo(j->res);
  (void)pthread_cond_destroy(&j->cv);
  (void)pthread_mutex_destroy(&j->mu);
  hyper_mem m = j->mem;
  hyper__mem_free(&m, j);
}

static void *resolve_main(void *arg) {
  resolve_job *j = arg;
  struct addrinfo *res = NULL;
  int g = j->fn(j->name, j->port, &j->hints, &res);
  int se = 0;
#ifdef EAI_SYSTEM
  if (g == EAI_SYSTEM)
    se = errno;
#endif
  (void)pthread_mutex_lock(&j->mu);
  j->res = res;
  j->gai = g;
  j->sys_errno = se;
  j->done = 1;
  int left = --j->refs;
  (void)pthread_cond_signal(&j->cv);
  (void)pthread_mutex_unlock(&j->mu);
  if (left == 0) /* the caller gave up waiting */
    job_free(j);
  return NULL;
}

/* Resolves |name| on a resolver thread, waiting until |end|. Returns 0 with
 * |*res|, |*gai| and |*sys_errno| as getaddrinfo() left them, or
 * HYPER_ERR_TIMEOUT (the query is abandoned), HYPER_ERR_NOMEM, or
 * HYPER_ERR_RESOLVE with |*sys_errno| when no thread could be started. */
static int resolve_bounded(const char *name, const char *port,
                           const struct addrinfo *hints,
                           const hyper__io_opts *opts, int64_t end,
                           const hyper_mem *mem, struct addrinfo **res,
                           int *gai, int *sys_errno) {
  hyper_mem m;
  pthread_condattr_t ca;
  pthread_attr_t ta;
  pthread_t th;
  sigset_t all, old;

  *res = NULL;
  *gai = 0;
  *sys_errno = 0;
  hyper__mem_init(&m, mem);
  resolve_job *j = hyper__mem_calloc(&m, 1, sizeof *j);
  if (j == NULL)
    return HYPER_ERR_NOMEM;
  j->mem = m;
  j->fn = opts->resolve ? opts->resolve : getaddrinfo;
  j->hints = *hints;
  j->refs = 2;
  (void)snprintf(j->name, sizeof j->name, "%s", name);
  (void)snprintf(j->port, sizeof j->port, "%s", port);
  int e = pthread_mutex_init(&j->mu, NULL);
  if (e != 0)
    goto fail_mu;
  if ((e = pthread_condattr_init(&ca)) != 0)
    goto fail_cv;
  (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  e = pthread_cond_init(&j->cv, &ca);
  (void)pthread_condattr_destroy(&ca);
  if (e != 0)
    goto fail_cv;
  if ((e = pthread_attr_init(&ta)) != 0)
    goto fail_thread;
  (void)pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
  /* The thread takes no signals: they stay with the application's. */
  (void)sigfillset(&all);
  (void)pthread_sigmask(SIG_SETMASK, &all, &old);
  e = pthread_create(&th, &ta, resolve_main, j);
  (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
  (void)pthread_attr_destroy(&ta);
  if (e != 0)
    goto fail_thread;

  (void)pthread_mutex_lock(&j->mu);
  while (!j->done) {
    int64_t now = hyper__io_now_ms();
    if (now >= end)
      break;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
      break;
    int64_t left = end - now;
    if (left > 86400000)
      left = 86400000; /* re-checked in the loop */
    ts.tv_sec += (time_t)(left / 1000);
    ts.tv_nsec += (long)(left % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(&j->cv, &j->mu, &ts);
  }
  int done = j->done;
  if (done) {
    *res = j->res;
    *gai = j->gai;
    *sys_errno = j->sys_errno;
    j->res = NULL; /* ours now */
  }
  int left = --j->refs;
  (void)pthread_mutex_unlock(&j->mu);
  if (left == 0) /* answered: the thread is done with the job */
    job_free(j);
  return done ? 0 : HYPER_ERR_TIMEOUT;

fail_thread:
  (void)pthread_cond_destroy(&j->cv);
fail_cv:
  (void)pthread_mutex_destroy(&j->mu);
fail_mu:
  hyper__mem_free(&m, j);
  *sys_errno = e;
  return e == ENOMEM ? HYPER_ERR_NOMEM : HYPER_ERR_RESOLVE;
}

int hyper__io_connect(hyper__io **out, const char *host, uint16_t port,
                      const hyper__io_opts *opts, hyper__tls_ctx *tls,
                      int64_t deadline, const hyper_mem *mem,
                      hyper__io_error *err) {
  hyper__io_error scratch;
  hyper__io_opts defaults;
  char name[HYPER__IO_MAX_HOST_LEN + 2];
  char portstr[8];
  char tb[64];
  int rv;

  if (err == NULL)
    err = &scratch;
  memset(err, 0, sizeof *err);
  if (out == NULL)
    return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "no output pointer");
  *out = NULL;
  if (opts == NULL) {
    hyper__io_opts_init(&defaults);
    opts = &defaults;
  }
  if (!opts_valid(opts))
    return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "invalid transport options");
  if (host == NULL || port == 0 ||
      hyper__io_normalize_host(host, name, sizeof name) == 0)
    return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "invalid host or port");

  int64_t end = hyper__io_deadline_after(opts->connect_timeout_ms);
  if (deadline < end)
    end = deadline;

  if (is_invalid_tld(name, strlen(name))) {
    rv = hyper__io_set_error(err, HYPER_ERR_RESOLVE, 0,
                             "resolve %s: .invalid never resolves "
                             "(RFC 6761)", name);
    err->gai_err = EAI_NONAME;
    return rv;
  }

  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = opts->family == 4   ? AF_INET
                    : opts->family == 6 ? AF_INET6
                                        : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV;
  (void)snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
  int g, se = 0;
  if (hyper__io_is_ip_literal(name)) {
    hints.ai_flags |= AI_NUMERICHOST; /* no query, cannot block */
    g = getaddrinfo(name, portstr, &hints, &res);
#ifdef EAI_SYSTEM
    if (g == EAI_SYSTEM)
      se = errno;
#endif
  } else {
    rv = resolve_bounded(name, portstr, &hints, opts, end, mem, &res, &g, &se);
    if (rv == HYPER_ERR_TIMEOUT)
      return hyper__io_set_error(err, HYPER_ERR_TIMEOUT, ETIMEDOUT,
                                 "resolve %s: no answer before the connect "
                                 "deadline", name);
    if (rv == HYPER_ERR_NOMEM)
      return hyper__io_set_error(err, rv, se, "resolve %s: out of memory",
                                 name);
    if (rv != 0)
      return hyper__io_set_error(err, rv, se,
                                 "resolve %s: cannot start the resolver "
                                 "thread: %s", name,
                                 errno_text(se, tb, sizeof tb));
  }
  if (g != 0 || res == NULL) {
    rv = hyper__io_set_error(err, HYPER_ERR_RESOLVE, se, "resolve %s: %s",
                             name, g != 0 ? gai_strerror(g) : "no address");
    err->gai_err = g != 0 ? g : EAI_NONAME;
    if (res != NULL)
      freeaddrinfo(res);
    return rv;
  }

  size_t naddr = 0;
  for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    naddr++;

  int fd = -1, last_err = 0, all_timeouts = 1;
  size_t tried = 0;
  char addrtxt[INET6_ADDRSTRLEN + 8] = "?";
  for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
    int64_t now = hyper__io_now_ms();
    if (now >= end)
      break;
    size_t left = naddr - tried;
    int64_t attempt_end = left > 1 ? now + (end - now) / 2 : end;
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addrtxt, sizeof addrtxt,
                    NULL, 0, NI_NUMERICHOST) != 0)
      (void)snprintf(addrtxt, sizeof addrtxt, "?");
    tried++;
    fd = connect_one(ai, attempt_end, &last_err);
    if (fd >= 0)
      break;
    if (last_err != ETIMEDOUT)
      all_timeouts = 0;
  }
  freeaddrinfo(res);

  if (fd < 0) {
    if (tried == 0 || all_timeouts)
      return hyper__io_set_error(err, HYPER_ERR_TIMEOUT, ETIMEDOUT,
                                 "connect to %s port %u timed out", name,
                                 (unsigned)port);
    return hyper__io_set_error(err, HYPER_ERR_CONNECT, last_err,
                               "connect to %s port %u: %s", addrtxt,
                               (unsigned)port,
                               errno_text(last_err, tb, sizeof tb));
  }

  hyper__io *io;
  rv = hyper__io_from_fd(&io, fd, opts, mem);
  if (rv != 0) {
    (void)close(fd);
    return hyper__io_set_error(err, rv, 0, "cannot set up the connection");
  }
  if (tls != NULL) {
    rv = hyper__io_start_tls(io, tls, name, end);
    if (rv != 0) {
      *err = io->err;
      hyper__io_free(io);
      return rv;
    }
  }
  *out = io;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                  */
/* ------------------------------------------------------------------------ */

int hyper__io_wait(hyper__io *io, int want, int64_t deadline) {
  int64_t idle_end = hyper__io_deadline_after(io->idle_ms);
  int64_t end = deadline < idle_end ? deadline : idle_end;
  short ev = want == HYPER__IO_WANT_WRITE ? POLLOUT : POLLIN;
  int r = poll_until(io->fd, ev, end);
  if (r > 0)
    return 0;
  const char *what = want == HYPER__IO_WANT_WRITE ? "write" : "read";
  if (r == 0) {
    if (end == deadline)
      return hyper__io_set_error(&io->err, HYPER_ERR_TIMEOUT, ETIMEDOUT,
                                 "deadline expired waiting to %s", what);
    return hyper__io_set_error(&io->err, HYPER_ERR_TIMEOUT, ETIMEDOUT,
                               "idle timeout: no progress on %s for %lld ms",
                               what, (long long)io->idle_ms);
  }
  char tb[64];
  return hyper__io_set_error(&io->err, HYPER_ERR_IO, -r, "poll: %s",
                             errno_text(-r, tb, sizeof tb));
}

/* ------------------------------------------------------------------------ */
/* Buffered reader                                                          */
/* ------------------------------------------------------------------------ */

/* One successful read appended after rend (waiting as needed). Requires
 * rend < rcap. */
static int read_more(hyper__io *io, int64_t deadline) {
  if (io->read_err != 0) {
    io->err = io->read_detail;
    return io->read_err;
  }
  for (;;) {
    size_t n = 0;
    int rv = io->vt->recv(io, io->rbuf + io->rend, io->rcap - io->rend, &n);
    if (rv == 0) {
      io->rend += n;
      return 0;
    }
    if (rv < 0) {
      io->read_err = rv;
      io->read_detail = io->err;
      return rv;
    }
    rv = hyper__io_wait(io, rv, deadline);
    if (rv != 0)
      return rv;
  }
}

static hyper_slice buffered(const hyper__io *io) {
  hyper_slice s;
  s.ptr = io->rbuf + io->rpos;
  s.len = io->rend - io->rpos;
  return s;
}

int hyper__io_read_avail(hyper__io *io, int64_t deadline, hyper_slice *out) {
  if (io->rpos == io->rend) {
    io->rpos = io->rend = 0;
    int rv = read_more(io, deadline);
    if (rv != 0) {
      *out = buffered(io);
      return rv;
    }
  }
  *out = buffered(io);
  return 0;
}

int hyper__io_fill(hyper__io *io, size_t want, int64_t deadline,
                   hyper_slice *out) {
  if (want > io->rcap) {
    *out = buffered(io);
    return hyper__io_set_error(&io->err, HYPER_ERR_BUFFER_TOO_SMALL, 0,
                               "fill %zu bytes: buffer holds %zu", want,
                               io->rcap);
  }
  while (io->rend - io->rpos < want) {
    if (io->rcap - io->rpos < want || io->rend == io->rcap) {
      size_t have = io->rend - io->rpos;
      if (have != 0 && io->rpos != 0)
        memmove(io->rbuf, io->rbuf + io->rpos, have);
      io->rpos = 0;
      io->rend = have;
    }
    int rv = read_more(io, deadline);
    if (rv != 0) {
      *out = buffered(io);
      return rv;
    }
  }
  *out = buffered(io);
  return 0;
}

hyper_slice hyper__io_peek(const hyper__io *io) { return buffered(io); }

void hyper__io_consume(hyper__io *io, size_t n) {
  assert(n <= io->rend - io->rpos);
  if (n > io->rend - io->rpos)
    n = io->rend - io->rpos;
  io->rpos += n;
  if (io->rpos == io->rend)
    io->rpos = io->rend = 0;
}

int hyper__io_has_buffered(const hyper__io *io) {
  return io->rpos != io->rend || io->vt->pending(io) > 0;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

int hyper__io_write_all(hyper__io *io, const void *data, size_t len,
                        int64_t deadline) {
  const uint8_t *p = data;
  if (io->write_err != 0) {
    io->err = io->write_detail;
    return io->write_err;
  }
  while (len > 0) {
    size_t n = 0;
    int rv = io->vt->send(io, p, len, &n);
    if (rv == 0) {
      p += n;
      len -= n;
      continue;
    }
    if (rv > 0)
      rv = hyper__io_wait(io, rv, deadline);
    if (rv != 0) {
      io->write_err = rv;
      io->write_detail = io->err;
      return rv;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Inspection                                                               */
/* ------------------------------------------------------------------------ */

const hyper__io_error *hyper__io_last_error(const hyper__io *io) {
  return &io->err;
}

int hyper__io_eof_clean(const hyper__io *io) {
  return io->read_err == HYPER_ERR_EOF && io->eof_clean;
}

int hyper__io_fd(const hyper__io *io) { return io->fd; }

size_t hyper__io_buffer_size(const hyper__io *io) { return io->rcap; }

int hyper__io_is_tls(const hyper__io *io) { return io->impl != NULL; }
