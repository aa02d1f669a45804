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
  int g = getaddrinfo(name, portstr, &hints, &res);
  if (g != 0 || res == NULL) {
    int se = 0;
#ifdef EAI_SYSTEM
    if (g == EAI_SYSTEM)
      se = errno;
#endif
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
