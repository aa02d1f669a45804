/* Transport: the only place in hyper with sockets, name resolution, clocks
 * and OpenSSL. Private to src/.
 *
 * A hyper__io is one connected byte stream (plain TCP, or TLS over TCP)
 * with a buffered reader in front of it. It is reached through a small
 * vtable of non-blocking primitives (recv/send/pending/close); the waiting,
 * the deadlines and the buffering live once, in socket.c, for both kinds:
 *
 *   socket.c        resolution (getaddrinfo on a resolver thread, bounded
 *                   by the connect deadline), connect with a timeout, the
 *                   TCP vtable, the buffered reader, write-all, poll() waits
 *   tls_openssl.c   hyper__tls_ctx (one SSL_CTX per set of options), the
 *                   handshake (SNI, ALPN, chain + host/IP verification) and
 *                   the TLS vtable that swaps in over a connected TCP io
 *
 * Time
 * ----
 * Every call that may wait takes a |deadline|: an absolute time in
 * milliseconds on CLOCK_MONOTONIC (hyper__io_now_ms(); build one with
 * hyper__io_deadline_after()). HYPER__IO_NO_DEADLINE means "no overall
 * deadline", but no call can still wait forever: each single wait for the
 * socket is also bounded by the idle timeout (hyper__io_opts.idle_timeout_ms,
 * always > 0), i.e. a peer that makes no progress for that long fails the
 * call with HYPER_ERR_TIMEOUT.
 *
 * Name resolution obeys the same deadline although getaddrinfo() itself has
 * no timeout: a DNS name is resolved on a short-lived detached thread while
 * hyper__io_connect() waits for it until the connect deadline. When the
 * deadline fires first the call fails with HYPER_ERR_TIMEOUT at once and
 * abandons the query: the thread finishes it in the background, frees the
 * answer and the job (through the same hyper_mem, hence from that thread;
 * an allocator given to hyper must allow that) and exits. IP literals are
 * converted on the calling thread (AI_NUMERICHOST, no query); names under
 * the special-use TLD ".invalid" fail at once without a query (RFC 6761
 * §6.4).
 *
 * Errors
 * ------
 * Functions return 0 or a negative hyper_err from the transport band:
 *   HYPER_ERR_RESOLVE        getaddrinfo() failed (detail: gai_err, sys_errno)
 *   HYPER_ERR_CONNECT        every address refused/failed (detail: the last
 *                            address's errno, e.g. ECONNREFUSED)
 *   HYPER_ERR_TIMEOUT        a deadline or the idle timeout expired
 *   HYPER_ERR_EOF            the peer closed cleanly (TCP FIN; TLS: see
 *                            hyper__io_eof_clean())
 *   HYPER_ERR_IO             socket error (detail: sys_errno, e.g. ECONNRESET)
 *   HYPER_ERR_TLS_HANDSHAKE  handshake failed for a reason other than the
 *                            certificate (protocol version, alert, ...)
 *   HYPER_ERR_TLS_VERIFY     the certificate chain or the host name/IP did
 *                            not verify (detail: verify_result and the X509
 *                            verify error string in desc)
 *   HYPER_ERR_TLS_ALPN       ALPN was required and the server chose nothing,
 *                            or the server refused every protocol offered
 *                            (no_application_protocol alert, RFC 7301
 *                            §3.2), or it selected one we did not offer
 *   HYPER_ERR_TLS            TLS failure after the handshake (a fatal alert,
 *                            a bad record; detail: ssl_err)
 * plus HYPER_ERR_INVALID_ARGUMENT, HYPER_ERR_INVALID_STATE and
 * HYPER_ERR_NOMEM. The detail of the last failure is kept on the object
 * (hyper__io_last_error(), STYLE §3.4 rule c); functions that fail before an
 * object exists fill a caller-given hyper__io_error instead.
 *
 * Stickiness: EOF, IO and TLS errors on the read side are sticky (every later
 * read returns the same code); a read TIMEOUT is not (the caller may send a
 * PING and read again). Any write failure, TIMEOUT included, is sticky for
 * writes: part of the data may have left (and OpenSSL requires a retried
 * write to repeat the same bytes), so the stream can no longer be framed.
 *
 * Memory: the io, its read buffer and the TLS bookkeeping come from the
 * hyper_mem given at creation (copied by value). OpenSSL allocates its own
 * objects (SSL_CTX, SSL, BIO, records) outside that hook; all of them are
 * released by hyper__io_free() / hyper__tls_ctx_free().
 *
 * Threads: an io and a tls_ctx are used by one thread at a time. A tls_ctx
 * may be shared by connections created one after another (the SSL_CTX is
 * reference-counted by OpenSSL; connections do not need the tls_ctx after
 * hyper__io_start_tls() returns).
 */
#ifndef HYPER_IO_TRANSPORT_H
#define HYPER_IO_TRANSPORT_H

#include "../common/internal.h"

/* ------------------------------------------------------------------------ */
/* Constants and option structs                                             */
/* ------------------------------------------------------------------------ */

#define HYPER__IO_NO_DEADLINE INT64_MAX
#define HYPER__IO_DEFAULT_BUFFER_SIZE 65536u       /* network_buffer_size */
#define HYPER__IO_MAX_BUFFER_SIZE (16u * 1024u * 1024u)
#define HYPER__IO_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define HYPER__IO_DEFAULT_IDLE_TIMEOUT_MS 60000
#define HYPER__IO_MAX_HOST_LEN 253 /* DNS name, without brackets/dot */

/*
 * Detail of the last transport failure. |desc| is one line of text that
 * names what went wrong ("connect to 127.0.0.1 port 1: Connection
 * refused", "certificate verify failed: hostname mismatch"), suitable for a
 * hyper_strerror()-style message next to the code.
 */
typedef struct hyper__io_error {
  int code;              /* the hyper_err returned, 0 when none */
  int sys_errno;         /* errno of the failing call, 0 when none */
  int gai_err;           /* getaddrinfo() EAI_* code (RESOLVE), else 0 */
  unsigned long ssl_err; /* first OpenSSL error (ERR_get_error()), or 0 */
  long verify_result;    /* X509_V_* (TLS_VERIFY), else 0 (X509_V_OK) */
  char desc[128];        /* NUL-terminated, possibly truncated */
} hyper__io_error;

struct addrinfo;

/* The resolver: getaddrinfo() or a replacement with the same contract whose
 * list can be released with freeaddrinfo() (a test hook may block, then call
 * getaddrinfo()). Runs on the resolver thread. */
typedef int (*hyper__io_resolve_fn)(const char *node, const char *service,
                                    const struct addrinfo *hints,
                                    struct addrinfo **res);

/* Connection options; initialise with hyper__io_opts_init(). */
typedef struct hyper__io_opts {
  /* Budget for resolution + connect + TLS handshake, in ms (> 0). While
   * more than one address remains, an attempt gets half of what is left,
   * so one black-holed address cannot eat the whole budget. */
  int64_t connect_timeout_ms;
  /* Longest single wait for the socket to become readable/writable, in ms
   * (> 0): the per-read idle timeout; it bounds writes the same way. */
  int64_t idle_timeout_ms;
  /* Size of the read buffer (network_buffer_size): 1 ..
   * HYPER__IO_MAX_BUFFER_SIZE; default 64 KiB. */
  size_t buffer_size;
  /* 0: any address family; 4: IPv4 only; 6: IPv6 only. */
  int family;
  /* NULL (default): getaddrinfo(). Tests inject a resolver that hangs. */
  hyper__io_resolve_fn resolve;
} hyper__io_opts;

/* TLS options; initialise with hyper__tls_opts_init(). Strings are read
 * by hyper__tls_ctx_new() only (they need not outlive it). */
typedef struct hyper__tls_opts {
  /* ALPN protocol ids offered, in preference order (e.g. "h2",
   * "http/1.1"); each 1..255 bytes; alpn_count 0 offers no ALPN. */
  const char *const *alpn;
  size_t alpn_count;
  /* Nonzero: fail the handshake with HYPER_ERR_TLS_ALPN when ALPN was
   * offered and the server selected nothing. */
  int alpn_required;
  /* Trust anchors: a PEM bundle and/or an OpenSSL hashed directory. When
   * either is set they replace the system store; when both are NULL the
   * system store (SSL_CTX_set_default_verify_paths) is used. */
  const char *ca_file;
  const char *ca_dir;
  /* Client certificate (PEM, may hold the chain) and its private key
   * (PEM, unencrypted). Both or neither. */
  const char *cert_file;
  const char *key_file;
  /* Nonzero disables chain AND host/IP verification. Never the default;
   * for tests and explicit user opt-in only. */
  int insecure;
} hyper__tls_opts;

typedef struct hyper__io hyper__io;
typedef struct hyper__tls_ctx hyper__tls_ctx;

/* ------------------------------------------------------------------------ */
/* Clock                                                                    */
/* ------------------------------------------------------------------------ */

/* Milliseconds on CLOCK_MONOTONIC (arbitrary origin). */
int64_t hyper__io_now_ms(void);

/* hyper__io_now_ms() + |ms|, saturating at HYPER__IO_NO_DEADLINE; a
 * negative |ms| gives "already expired". */
int64_t hyper__io_deadline_after(int64_t ms);

/* ------------------------------------------------------------------------ */
/* Connections                                                              */
/* ------------------------------------------------------------------------ */

/* Sets defaults: 10 s connect, 60 s idle, 64 KiB buffer, any family. */
void hyper__io_opts_init(hyper__io_opts *o);

/*
 * Resolves |host| (a DNS name, an IPv4 literal, or an IPv6 literal with or
 * without brackets; one trailing dot allowed), tries each address in the
 * order getaddrinfo() returns them with a non-blocking connect, sets
 * TCP_NODELAY, and, when |tls| is not NULL, runs the TLS handshake with
 * |host| as SNI (not for IP literals) and as the name/IP to verify.
 *
 * |opts| may be NULL (defaults). Everything (connect attempts and the
 * handshake) must finish by min(|deadline|, now + connect_timeout_ms).
 * |mem| may be NULL (libc); it is copied. |tls| is not retained.
 *
 * On success stores a new io in |*out| (free with hyper__io_free()). On
 * failure |*out| is NULL and |err| (may be NULL) receives the detail.
 *
 * Returns 0, or one of: HYPER_ERR_INVALID_ARGUMENT (NULL/empty/too long
 * host, port 0, bad opts), HYPER_ERR_RESOLVE (no address, or the resolver
 * thread could not be started: sys_errno), HYPER_ERR_CONNECT,
 * HYPER_ERR_TIMEOUT (also when resolution did not finish by the deadline:
 * desc starts with "resolve"), HYPER_ERR_NOMEM, and the TLS codes of
 * hyper__io_start_tls().
 */
int hyper__io_connect(hyper__io **out, const char *host, uint16_t port,
                      const hyper__io_opts *opts, hyper__tls_ctx *tls,
                      int64_t deadline, const hyper_mem *mem,
                      hyper__io_error *err);

/*
 * Wraps an already connected stream socket |fd| (TCP or a socketpair) in a
 * plain io: makes it non-blocking and close-on-exec and tries TCP_NODELAY.
 * Takes ownership of |fd| on success only. |opts| and |mem| as above.
 *
 * Returns 0, or HYPER_ERR_INVALID_ARGUMENT (fd < 0, bad opts),
 * HYPER_ERR_IO (fcntl failed), HYPER_ERR_NOMEM.
 */
int hyper__io_from_fd(hyper__io **out, int fd, const hyper__io_opts *opts,
                      const hyper_mem *mem);

/*
 * Closes the connection and frees |io|. For TLS, sends close_notify if it
 * can do so without waiting (never after a fatal TLS error). A NULL |io|
 * is a no-op.
 */
void hyper__io_free(hyper__io *io);

/* ------------------------------------------------------------------------ */
/* Buffered reading                                                         */
/* ------------------------------------------------------------------------ */

/*
 * "The bytes available now": when unconsumed bytes are buffered, returns
 * them at once without touching the socket; otherwise waits (until
 * |deadline|, each wait bounded by the idle timeout) for at least one byte
 * and returns what one read produced (at most the buffer size).
 *
 * |*out| is a span into the io's buffer, valid until the next call to
 * hyper__io_read_avail(), hyper__io_fill(), hyper__io_consume() or
 * hyper__io_free(). Nothing is consumed: call hyper__io_consume().
 *
 * Returns 0 (|out->len| > 0), or one of: HYPER_ERR_EOF, HYPER_ERR_TIMEOUT,
 * HYPER_ERR_IO, HYPER_ERR_TLS. On error |*out| is the (possibly empty)
 * unconsumed data still buffered.
 */
int hyper__io_read_avail(hyper__io *io, int64_t deadline, hyper_slice *out);

/*
 * Reads until at least |want| unconsumed bytes are buffered (moving the
 * unconsumed bytes to the front of the buffer when needed) and returns them
 * all in |*out| (same lifetime as above). For fixed-size headers such as an
 * HTTP/2 frame header.
 *
 * Returns 0, or HYPER_ERR_BUFFER_TOO_SMALL (|want| > buffer size), or the
 * errors of hyper__io_read_avail(); HYPER_ERR_EOF when the peer closed with
 * fewer than |want| bytes buffered (those remain readable).
 */
int hyper__io_fill(hyper__io *io, size_t want, int64_t deadline,
                   hyper_slice *out);

/* The unconsumed buffered bytes (possibly none); no I/O. Same lifetime. */
hyper_slice hyper__io_peek(const hyper__io *io);

/* Marks |n| buffered bytes as consumed; |n| larger than what is buffered is
 * clamped (a caller bug, caught by assert in debug builds). */
void hyper__io_consume(hyper__io *io, size_t n);

/* Nonzero when a read would return data without waiting: bytes in our
 * buffer, or decrypted bytes inside OpenSSL. Use before poll()ing
 * hyper__io_fd() from outside. */
int hyper__io_has_buffered(const hyper__io *io);

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Writes all |len| bytes of |data| (not retained) or fails, waiting as
 * needed until |deadline| (each wait bounded by the idle timeout). Never
 * raises SIGPIPE.
 *
 * Returns 0, or one of: HYPER_ERR_TIMEOUT, HYPER_ERR_IO (e.g. EPIPE,
 * ECONNRESET), HYPER_ERR_TLS. Every failure is sticky for writes (see the
 * file comment).
 */
int hyper__io_write_all(hyper__io *io, const void *data, size_t len,
                        int64_t deadline);

/* ------------------------------------------------------------------------ */
/* Inspection                                                               */
/* ------------------------------------------------------------------------ */

/* Detail of the last failure on |io| (code 0 when none). Valid until the
 * next call on |io|. */
const hyper__io_error *hyper__io_last_error(const hyper__io *io);

/* After HYPER_ERR_EOF: 1 when the close was orderly (TCP FIN; for TLS a
 * close_notify alert), 0 when a TLS peer closed the TCP connection without
 * close_notify (possible truncation: a close-delimited HTTP/1.1 body must
 * not be trusted). 0 before any EOF. */
int hyper__io_eof_clean(const hyper__io *io);

/* The socket, for the caller's own poll() (never read or write it). */
int hyper__io_fd(const hyper__io *io);

/* Size of the read buffer. */
size_t hyper__io_buffer_size(const hyper__io *io);

/* Nonzero when TLS runs on |io|. */
int hyper__io_is_tls(const hyper__io *io);

/* The ALPN protocol the server selected ("h2", "http/1.1"), or NULL when
 * none was (or |io| is not TLS). Valid until hyper__io_free(). */
const char *hyper__io_alpn(const hyper__io *io);

/* Negotiated protocol version ("TLSv1.3") and cipher name, or NULL when
 * |io| is not TLS. Static strings from OpenSSL. */
const char *hyper__io_tls_version(const hyper__io *io);
const char *hyper__io_tls_cipher(const hyper__io *io);

/* ------------------------------------------------------------------------ */
/* TLS                                                                      */
/* ------------------------------------------------------------------------ */

/* Defaults: no ALPN, system trust store, no client certificate, verify. */
void hyper__tls_opts_init(hyper__tls_opts *o);

/*
 * Creates a client TLS context from |o| (copied; NULL means defaults):
 * TLS >= 1.2; for TLS 1.2 only ephemeral-ECDHE AEAD cipher suites (RFC
 * 9113 §9.2.2, none on its Appendix A list), TLS 1.3 suites are all AEAD;
 * no compression, no renegotiation; peer verification on unless
 * |o->insecure|; trust anchors, client certificate and ALPN as in
 * hyper__tls_opts. |mem| may be NULL (it is copied); OpenSSL allocates the
 * SSL_CTX itself.
 *
 * On failure |*out| is NULL and |err| (may be NULL) names the file or
 * option that failed.
 *
 * Returns 0, or one of: HYPER_ERR_INVALID_ARGUMENT (bad ALPN list, key
 * without certificate, unreadable CA/cert/key file, key not matching the
 * certificate), HYPER_ERR_NOMEM, HYPER_ERR_TLS (OpenSSL refused to create
 * the context).
 */
int hyper__tls_ctx_new(hyper__tls_ctx **out, const hyper__tls_opts *o,
                       const hyper_mem *mem, hyper__io_error *err);

/* Frees |ctx|; connections made with it stay valid. NULL is a no-op. */
void hyper__tls_ctx_free(hyper__tls_ctx *ctx);

/*
 * Runs a TLS client handshake over the connected plain |io| and, on
 * success, switches |io| to TLS (reads and writes are then encrypted).
 * |host| is the name or IP literal connected to: sent as SNI unless it is
 * an IP literal, and verified against the certificate's subjectAltName
 * (DNS, or IP for literals) unless the context is insecure.
 *
 * On failure |io| keeps its plain vtable but must only be freed: the
 * detail is in hyper__io_last_error(io).
 *
 * Returns 0, or one of: HYPER_ERR_INVALID_ARGUMENT (NULL/long host),
 * HYPER_ERR_INVALID_STATE (|io| is already TLS, has buffered plaintext or
 * has failed before), HYPER_ERR_TIMEOUT, HYPER_ERR_TLS_VERIFY (detail:
 * verify_result, X509 error string in desc), HYPER_ERR_TLS_HANDSHAKE
 * (protocol version, alerts, and a peer that closes or resets during the
 * handshake, with sys_errno set for the reset), HYPER_ERR_TLS_ALPN,
 * HYPER_ERR_IO (poll failure), HYPER_ERR_NOMEM.
 *
 * Host names are matched against the certificate's subjectAltName only
 * (never the subject CN); the context enforces OpenSSL security level >= 2
 * (no RSA keys under 2048 bits, no SHA-1 signatures in the chain).
 *
 * Note (TLS 1.3): a server that rejects our client certificate (or its
 * absence) does so after our side of the handshake has completed, so that
 * failure arrives as HYPER_ERR_TLS on the first read, not here.
 */
int hyper__io_start_tls(hyper__io *io, hyper__tls_ctx *ctx, const char *host,
                        int64_t deadline);

/* ------------------------------------------------------------------------ */
/* Implementation interface (socket.c <-> tls_openssl.c only)               */
/* ------------------------------------------------------------------------ */

/* Positive "would block" results of the vtable primitives. */
#define HYPER__IO_WANT_READ 1
#define HYPER__IO_WANT_WRITE 2

typedef struct hyper__io_vtable {
  const char *name; /* "tcp", "tls" */
  /* Non-blocking: reads up to |len| (> 0) bytes into |buf|, sets |*n| > 0
   * and returns 0; or returns HYPER__IO_WANT_READ/WRITE; or a negative
   * hyper_err with io->err filled (EOF sets io->eof_clean). */
  int (*recv)(hyper__io *io, uint8_t *buf, size_t len, size_t *n);
  /* Non-blocking: writes up to |len| (> 0) bytes, sets |*n| > 0 and returns
   * 0; or HYPER__IO_WANT_*; or a negative hyper_err with io->err filled. */
  int (*send)(hyper__io *io, const uint8_t *buf, size_t len, size_t *n);
  /* Bytes readable without touching the socket (TLS: SSL_pending()). */
  int (*pending)(const hyper__io *io);
  /* Releases the implementation state (impl); does not close fd. */
  void (*close)(hyper__io *io);
} hyper__io_vtable;

struct hyper__io {
  const hyper__io_vtable *vt;
  hyper_mem mem;
  int fd;
  int64_t idle_ms;
  uint8_t *rbuf;     /* read buffer, rcap bytes */
  size_t rcap;
  size_t rpos;       /* first unconsumed byte */
  size_t rend;       /* end of buffered bytes */
  int read_err;      /* sticky read error (EOF/IO/TLS), 0 when none */
  int write_err;     /* sticky write error, 0 when none */
  int eof_clean;     /* see hyper__io_eof_clean() */
  hyper__io_error err;
  hyper__io_error read_detail;  /* err as it was when read_err was set */
  hyper__io_error write_detail; /* err as it was when write_err was set */
  void *impl;        /* TLS state (tls_openssl.c), NULL for plain TCP */
};

/*
 * Waits until |io->fd| is readable (|want| == HYPER__IO_WANT_READ) or
 * writable (HYPER__IO_WANT_WRITE), until min(|deadline|, now + idle
 * timeout). Returns 0 when ready (or when poll reports an error/hangup, so
 * the next primitive can name it), HYPER_ERR_TIMEOUT or HYPER_ERR_IO with
 * io->err filled.
 */
int hyper__io_wait(hyper__io *io, int want, int64_t deadline);

/* Fills |e| (not NULL) and returns |code|. |fmt| is printf-style. */
int hyper__io_set_error(hyper__io_error *e, int code, int sys_errno,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Copies |host| into |name| (|cap| bytes) without IPv6 brackets and
 * without one trailing dot. Returns the length, or 0 when empty, too long
 * or containing NUL. */
size_t hyper__io_normalize_host(const char *host, char *name, size_t cap);

/* 1 when |host| is an IPv4 or IPv6 literal (no brackets), else 0. */
int hyper__io_is_ip_literal(const char *host);

#endif /* HYPER_IO_TRANSPORT_H */
