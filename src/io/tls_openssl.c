/* Transport: TLS over a connected TCP io with OpenSSL (>= 1.1.1; built and
 * tested with 3.0). See transport.h for the contract.
 *
 * OpenSSL talks to the socket through a small custom BIO rather than
 * SSL_set_fd(): the stock socket BIO writes with write(2), which raises
 * SIGPIPE on a closed peer, and a library must not depend on the
 * application ignoring that signal. The BIO also keeps the errno of the
 * failing call, which OpenSSL's error path may otherwise clobber. The
 * waiting itself (poll() with deadlines) stays in socket.c: the TLS
 * primitives only say "want read" or "want write". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "transport.h"

/* TLS 1.2 cipher suites: ephemeral ECDHE key exchange with an AEAD, i.e.
 * the RFC 9113 §9.2.2 mandatory suite (ECDHE-ECDSA-AES128-GCM-SHA256) and
 * its peers, none of which is on the Appendix A block list. TLS 1.3 suites
 * (all AEAD, all ephemeral) keep OpenSSL's defaults. */
static const char tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct hyper__tls_ctx {
  hyper_mem mem;
  SSL_CTX *ssl_ctx;
  int insecure;
  int alpn_offered;
  int alpn_required;
};

typedef struct tls_state {
  SSL *ssl;
  BIO_METHOD *bio_method; /* one per connection: freed after the SSL */
  int fd;
  int sys_errno; /* errno of the last failed socket call in the BIO */
  int fatal;     /* a fatal TLS error happened: no close_notify */
  char *alpn;    /* selected protocol, NUL-terminated, or NULL */
  int established; /* the handshake has completed */
  int reneg;       /* the server asked for a renegotiation since */
} tls_state;

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* The text of OpenSSL error |e|: its reason when known ("tlsv1 alert
 * protocol version"), else the full error string. */
static const char *ssl_err_text(unsigned long e, char *buf, size_t len) {
  const char *r = e ? ERR_reason_error_string(e) : NULL;
  if (r != NULL)
    return r;
  if (e == 0)
    return "unknown error";
  ERR_error_string_n(e, buf, len);
  return buf;
}

/* Sets |e| from the first queued OpenSSL error (and clears the queue). */
static int set_ssl_error(hyper__io_error *e, int code, const char *what) {
  char tb[128];
  unsigned long se = ERR_get_error();
  hyper__io_set_error(e, code, 0, "%s: %s", what,
                      ssl_err_text(se, tb, sizeof tb));
  e->ssl_err = se;
  ERR_clear_error();
  return code;
}

/* ------------------------------------------------------------------------ */
/* Socket BIO (send/recv, MSG_NOSIGNAL, errno kept)                         */
/* ------------------------------------------------------------------------ */

static int bio_sock_write(BIO *b, const char *buf, int len) {
  tls_state *ts = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (len <= 0)
    return 0;
  for (;;) {
    ssize_t r = send(ts->fd, buf, (size_t)len, MSG_NOSIGNAL);
    if (r >= 0)
      return (int)r;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      BIO_set_retry_write(b);
    else
      ts->sys_errno = errno;
    return -1;
  }
}

static int bio_sock_read(BIO *b, char *buf, int len) {
  tls_state *ts = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (len <= 0)
    return 0;
  for (;;) {
    ssize_t r = recv(ts->fd, buf, (size_t)len, 0);
    if (r >= 0)
      return (int)r; /* 0: the peer closed the TCP connection */
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      BIO_set_retry_read(b);
    else
      ts->sys_errno = errno;
    return -1;
  }
}

static long bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr) {
  (void)b;
  (void)num;
  (void)ptr;
  /* Writes go straight to the socket: nothing to flush. Everything else
   * (kTLS queries, push/pop, ...) is unsupported. */
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

void hyper__tls_opts_init(hyper__tls_opts *o) { memset(o, 0, sizeof *o); }

/* Keeps OpenSSL from prompting on the terminal for a key passphrase. */
static int no_passphrase(char *buf, int size, int rwflag, void *user) {
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)user;
  return 0;
}

/* Builds the ALPN wire list (length-prefixed ids) and sets it on |c|. */
static int set_alpn(SSL_CTX *c, const hyper__tls_opts *o,
                    const hyper_mem *mem, hyper__io_error *err) {
  size_t total = 0;
  for (size_t i = 0; i < o->alpn_count; i++) {
    size_t l = o->alpn[i] ? strlen(o->alpn[i]) : 0;
    if (l == 0 || l > 255)
      return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                                 "ALPN id %zu is empty or longer than 255",
                                 i);
    total += l + 1;
    if (total > 65535)
      return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                                 "ALPN list too long");
  }
  unsigned char *wire = hyper__mem_malloc(mem, total);
  if (wire == NULL)
    return hyper__io_set_error(err, HYPER_ERR_NOMEM, 0, "out of memory");
  size_t at = 0;
  for (size_t i = 0; i < o->alpn_count; i++) {
    size_t l = strlen(o->alpn[i]);
    wire[at++] = (unsigned char)l;
    memcpy(wire + at, o->alpn[i], l);
    at += l;
  }
  /* Note the inverted convention: 0 is success. */
  int r = SSL_CTX_set_alpn_protos(c, wire, (unsigned)total);
  hyper__mem_free(mem, wire);
  if (r != 0)
    return set_ssl_error(err, HYPER_ERR_NOMEM, "ALPN");
  return 0;
}

int hyper__tls_ctx_new(hyper__tls_ctx **out, const hyper__tls_opts *o,
                       const hyper_mem *mem, hyper__io_error *err) {
  hyper__io_error scratch;
  hyper__tls_opts defaults;
  hyper_mem m;
  char what[96];
  int rv;

  if (err == NULL)
    err = &scratch;
  memset(err, 0, sizeof *err);
  if (out == NULL)
    return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "no output pointer");
  *out = NULL;
  if (o == NULL) {
    hyper__tls_opts_init(&defaults);
    o = &defaults;
  }
  if ((o->alpn_count > 0 && o->alpn == NULL) ||
      (o->key_file != NULL && o->cert_file == NULL))
    return hyper__io_set_error(err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "invalid TLS options (ALPN list or key "
                               "without certificate)");
  hyper__mem_init(&m, mem);
  hyper__tls_ctx *ctx = hyper__mem_calloc(&m, 1, sizeof *ctx);
  if (ctx == NULL)
    return hyper__io_set_error(err, HYPER_ERR_NOMEM, 0, "out of memory");
  ctx->mem = m;
  ctx->insecure = o->insecure != 0;
  ctx->alpn_offered = o->alpn_count > 0;
  ctx->alpn_required = o->alpn_required != 0;

  ERR_clear_error();
  SSL_CTX *c = SSL_CTX_new(TLS_client_method());
  if (c == NULL) {
    rv = set_ssl_error(err, HYPER_ERR_TLS, "SSL_CTX_new");
    goto fail_ctx;
  }
  ctx->ssl_ctx = c;
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(c, tls12_ciphers) != 1) {
    rv = set_ssl_error(err, HYPER_ERR_TLS, "TLS version/cipher setup");
    goto fail;
  }
  (void)SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION |
                                   SSL_OP_NO_RENEGOTIATION);
  /* At least security level 2 whatever the system openssl.cnf says: no
   * RSA/DH keys under 2048 bits, no SHA-1 signatures in the chain, no
   * <112-bit suites. */
  if (SSL_CTX_get_security_level(c) < 2)
    SSL_CTX_set_security_level(c, 2);
  (void)SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_default_passwd_cb(c, no_passphrase);
  SSL_CTX_set_verify(c, ctx->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                     NULL);

  if (o->ca_file != NULL || o->ca_dir != NULL) {
    if (SSL_CTX_load_verify_locations(c, o->ca_file, o->ca_dir) != 1) {
      (void)snprintf(what, sizeof what, "cannot load CA %s",
                     o->ca_file ? o->ca_file : o->ca_dir);
      rv = set_ssl_error(err, HYPER_ERR_INVALID_ARGUMENT, what);
      goto fail;
    }
  } else if (SSL_CTX_set_default_verify_paths(c) != 1) {
    rv = set_ssl_error(err, HYPER_ERR_TLS, "cannot use the system trust "
                                           "store");
    goto fail;
  }

  if (o->cert_file != NULL) {
    const char *key = o->key_file ? o->key_file : o->cert_file;
    if (SSL_CTX_use_certificate_chain_file(c, o->cert_file) != 1) {
      (void)snprintf(what, sizeof what, "cannot load certificate %s",
                     o->cert_file);
      rv = set_ssl_error(err, HYPER_ERR_INVALID_ARGUMENT, what);
      goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1) {
      (void)snprintf(what, sizeof what, "cannot load key %s", key);
      rv = set_ssl_error(err, HYPER_ERR_INVALID_ARGUMENT, what);
      goto fail;
    }
    if (SSL_CTX_check_private_key(c) != 1) {
      rv = set_ssl_error(err, HYPER_ERR_INVALID_ARGUMENT,
                         "key does not match the certificate");
      goto fail;
    }
  }

  if (o->alpn_count > 0 && (rv = set_alpn(c, o, &m, err)) != 0)
    goto fail;

  ERR_clear_error();
  *out = ctx;
  return 0;

fail:
  SSL_CTX_free(c);
fail_ctx:
  hyper__mem_free(&m, ctx);
  ERR_clear_error();
  return rv;
}

void hyper__tls_ctx_free(hyper__tls_ctx *ctx) {
  if (ctx == NULL)
    return;
  SSL_CTX_free(ctx->ssl_ctx);
  hyper_mem m = ctx->mem;
  hyper__mem_free(&m, ctx);
}

/* ------------------------------------------------------------------------ */
/* Connection state                                                         */
/* ------------------------------------------------------------------------ */

static void state_free(const hyper_mem *mem, tls_state *ts) {
  if (ts == NULL)
    return;
  SSL_free(ts->ssl); /* frees the BIO too */
  BIO_meth_free(ts->bio_method);
  hyper__mem_free(mem, ts->alpn);
  hyper__mem_free(mem, ts);
  ERR_clear_error();
}

/* Maps an SSL_get_error() result after a read/write/handshake step. */
static int classify(hyper__io *io, tls_state *ts, int ssl_error,
                    const char *op) {
  char tb[64];
  switch (ssl_error) {
  case SSL_ERROR_WANT_READ:
    ERR_clear_error();
    return HYPER__IO_WANT_READ;
  case SSL_ERROR_WANT_WRITE:
    ERR_clear_error();
    return HYPER__IO_WANT_WRITE;
  case SSL_ERROR_ZERO_RETURN:
    io->eof_clean = 1;
    ERR_clear_error();
    return hyper__io_set_error(&io->err, HYPER_ERR_EOF, 0,
                               "TLS: peer sent close_notify");
  case SSL_ERROR_SYSCALL:
    ts->fatal = 1;
    if (ts->sys_errno != 0) {
      int e = ts->sys_errno;
      ERR_clear_error();
      if (strerror_r(e, tb, sizeof tb) != 0)
        (void)snprintf(tb, sizeof tb, "errno %d", e);
      return hyper__io_set_error(&io->err, HYPER_ERR_IO, e, "TLS %s: %s",
                                 op, tb);
    }
    io->eof_clean = 0;
    ERR_clear_error();
    return hyper__io_set_error(&io->err, HYPER_ERR_EOF, 0,
                               "TLS: peer closed without close_notify");
  case SSL_ERROR_SSL: {
    ts->fatal = 1;
    unsigned long e = ERR_peek_error();
    if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
        ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      io->eof_clean = 0;
      ERR_clear_error();
      return hyper__io_set_error(&io->err, HYPER_ERR_EOF, 0,
                                 "TLS: peer closed without close_notify");
    }
    char what[32];
    (void)snprintf(what, sizeof what, "TLS %s", op);
    return set_ssl_error(&io->err, HYPER_ERR_TLS, what);
  }
  default:
    ts->fatal = 1;
    return set_ssl_error(&io->err, HYPER_ERR_TLS, "TLS");
  }
}

/* A TLS 1.2 HelloRequest after the handshake: the server wants to
 * renegotiate. OpenSSL declines it (SSL_OP_NO_RENEGOTIATION, with a
 * no_renegotiation warning) and would carry on; HTTP/2 forbids
 * renegotiation after the preface (RFC 9113 §9.2.1: a connection error of
 * type PROTOCOL_ERROR), so the connection fails instead. */
static void tls_msg_cb(int write_p, int version, int content_type,
                       const void *buf, size_t len, SSL *ssl, void *arg) {
  tls_state *ts = arg;
  (void)version;
  (void)ssl;
  if (!write_p && ts->established && content_type == SSL3_RT_HANDSHAKE &&
      len >= 1 && ((const unsigned char *)buf)[0] == SSL3_MT_HELLO_REQUEST)
    ts->reneg = 1;
}

static int renegotiation_error(hyper__io *io) {
  ERR_clear_error();
  return hyper__io_set_error(&io->err, HYPER_ERR_TLS, 0,
                             "TLS: the server attempted a renegotiation, "
                             "which HTTP/2 forbids (RFC 9113 9.2.1)");
}

static int tls_recv(hyper__io *io, uint8_t *buf, size_t len, size_t *n) {
  tls_state *ts = io->impl;
  size_t got = 0;
  ERR_clear_error();
  ts->sys_errno = 0;
  if (SSL_read_ex(ts->ssl, buf, len, &got) == 1) {
    if (ts->reneg)
      return renegotiation_error(io);
    *n = got;
    return 0;
  }
  if (ts->reneg)
    return renegotiation_error(io);
  return classify(io, ts, SSL_get_error(ts->ssl, 0), "read");
}

static int tls_send(hyper__io *io, const uint8_t *buf, size_t len,
                    size_t *n) {
  tls_state *ts = io->impl;
  size_t put = 0;
  ERR_clear_error();
  ts->sys_errno = 0;
  if (SSL_write_ex(ts->ssl, buf, len, &put) == 1) {
    *n = put;
    return 0;
  }
  int rv = classify(io, ts, SSL_get_error(ts->ssl, 0), "write");
  /* EOF only has a meaning for reads; a write to a closed peer failed. */
  if (rv == HYPER_ERR_EOF)
    rv = hyper__io_set_error(&io->err, HYPER_ERR_IO, EPIPE,
                             "TLS write: connection closed by the peer");
  return rv;
}

static int tls_pending(const hyper__io *io) {
  const tls_state *ts = io->impl;
  int n = SSL_pending(ts->ssl);
  /* records read ahead but not yet decrypted count too (as 1) */
  return n > 0 ? n : SSL_has_pending(ts->ssl);
}

static void tls_close(hyper__io *io) {
  tls_state *ts = io->impl;
  if (ts == NULL)
    return;
  /* Best effort, never waiting: one close_notify if the socket takes it.
   * Not after a fatal error (OpenSSL forbids it) nor after a failed write
   * (a partial record may still be pending). */
  if (!ts->fatal && io->write_err == 0) {
    ERR_clear_error();
    (void)SSL_shutdown(ts->ssl);
  }
  state_free(&io->mem, ts);
  io->impl = NULL;
}

static const hyper__io_vtable tls_vtable = {"tls", tls_recv, tls_send,
                                            tls_pending, tls_close};

/* ------------------------------------------------------------------------ */
/* Handshake                                                                */
/* ------------------------------------------------------------------------ */

/* RFC 9113 §9.2.2: h2 over TLS 1.2 needs an ephemeral key exchange and an
 * AEAD. Our cipher list guarantees it; this re-checks what was chosen. */
static int h2_cipher_ok(const SSL *ssl) {
  if (SSL_version(ssl) != TLS1_2_VERSION)
    return 1;
  const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
  if (c == NULL || !SSL_CIPHER_is_aead(c))
    return 0;
  int kx = SSL_CIPHER_get_kx_nid(c);
  return kx == NID_kx_ecdhe || kx == NID_kx_dhe;
}

/* 1 when the queued OpenSSL error is an ALPN failure: the server's
 * no_application_protocol alert (RFC 7301 §3.2: it shares none of our
 * protocols), or our own rejection of a protocol we did not offer (RFC 7301
 * §3.2 again: the selection must be one of the client's; OpenSSL reports it
 * as a bad extension raised while parsing the server's ALPN extension). */
static int alpn_error(void) {
  const char *func = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  unsigned long e = ERR_peek_error_all(NULL, NULL, &func, NULL, NULL);
#else
  unsigned long e = ERR_peek_error();
#endif
  if (ERR_GET_LIB(e) != ERR_LIB_SSL)
    return 0;
  if (ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL)
    return 1;
  return ERR_GET_REASON(e) == SSL_R_BAD_EXTENSION && func != NULL &&
         strstr(func, "alpn") != NULL;
}

static int handshake_failed(hyper__io *io, tls_state *ts, int ssl_error,
                            int verify) {
  char tb[128];
  long vr = SSL_get_verify_result(ts->ssl);
  if (verify && vr != X509_V_OK) {
    unsigned long se = ERR_peek_error();
    ERR_clear_error();
    hyper__io_set_error(&io->err, HYPER_ERR_TLS_VERIFY, 0,
                        "certificate verify failed: %s",
                        X509_verify_cert_error_string(vr));
    io->err.verify_result = vr;
    io->err.ssl_err = se;
    return HYPER_ERR_TLS_VERIFY;
  }
  if (ssl_error == SSL_ERROR_SYSCALL) {
    int e = ts->sys_errno;
    ERR_clear_error();
    if (e == 0)
      return hyper__io_set_error(&io->err, HYPER_ERR_TLS_HANDSHAKE, 0,
                                 "TLS handshake: peer closed the "
                                 "connection");
    if (strerror_r(e, tb, sizeof tb) != 0)
      (void)snprintf(tb, sizeof tb, "errno %d", e);
    return hyper__io_set_error(&io->err, HYPER_ERR_TLS_HANDSHAKE, e,
                               "TLS handshake: %s", tb);
  }
  if (ssl_error == SSL_ERROR_SSL && alpn_error())
    return set_ssl_error(&io->err, HYPER_ERR_TLS_ALPN, "TLS ALPN");
  return set_ssl_error(&io->err, HYPER_ERR_TLS_HANDSHAKE, "TLS handshake");
}

int hyper__io_start_tls(hyper__io *io, hyper__tls_ctx *ctx, const char *host,
                        int64_t deadline) {
  char name[HYPER__IO_MAX_HOST_LEN + 2];
  int rv;

  if (io == NULL)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (ctx == NULL || host == NULL ||
      hyper__io_normalize_host(host, name, sizeof name) == 0)
    return hyper__io_set_error(&io->err, HYPER_ERR_INVALID_ARGUMENT, 0,
                               "TLS: invalid host");
  if (io->impl != NULL || io->rpos != io->rend || io->read_err != 0 ||
      io->write_err != 0)
    return hyper__io_set_error(&io->err, HYPER_ERR_INVALID_STATE, 0,
                               "TLS: connection not in a fresh plain state");

  ERR_clear_error();
  tls_state *ts = hyper__mem_calloc(&io->mem, 1, sizeof *ts);
  if (ts == NULL)
    return hyper__io_set_error(&io->err, HYPER_ERR_NOMEM, 0,
                               "out of memory");
  ts->fd = io->fd;
  ts->bio_method = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "hyper socket");
  if (ts->bio_method == NULL ||
      BIO_meth_set_write(ts->bio_method, bio_sock_write) != 1 ||
      BIO_meth_set_read(ts->bio_method, bio_sock_read) != 1 ||
      BIO_meth_set_ctrl(ts->bio_method, bio_sock_ctrl) != 1) {
    rv = set_ssl_error(&io->err, HYPER_ERR_NOMEM, "TLS: BIO");
    goto fail;
  }
  ts->ssl = SSL_new(ctx->ssl_ctx);
  if (ts->ssl == NULL) {
    rv = set_ssl_error(&io->err, HYPER_ERR_NOMEM, "TLS: SSL_new");
    goto fail;
  }
  /* Read ahead: one recv takes in as many records as fit (64 KiB) instead
   * of a header then a body per record; tls_pending() then counts what
   * OpenSSL holds undecrypted too (SSL_has_pending()). */
  SSL_set_read_ahead(ts->ssl, 1);
  (void)SSL_set_default_read_buffer_len(ts->ssl, 65536);
  BIO *bio = BIO_new(ts->bio_method);
  if (bio == NULL) {
    rv = set_ssl_error(&io->err, HYPER_ERR_NOMEM, "TLS: BIO_new");
    goto fail;
  }
  BIO_set_data(bio, ts);
  BIO_set_init(bio, 1);
  SSL_set_bio(ts->ssl, bio, bio); /* the SSL owns the BIO from here */
  SSL_set_connect_state(ts->ssl);
  SSL_set_msg_callback(ts->ssl, tls_msg_cb);
  SSL_set_msg_callback_arg(ts->ssl, ts);

  int ip = hyper__io_is_ip_literal(name);
  /* SNI carries host names only (RFC 6066 §3). */
  if (!ip && SSL_set_tlsext_host_name(ts->ssl, name) != 1) {
    rv = set_ssl_error(&io->err, HYPER_ERR_INVALID_ARGUMENT, "TLS: SNI");
    goto fail;
  }
  if (!ctx->insecure) {
    X509_VERIFY_PARAM *vp = SSL_get0_param(ts->ssl);
    /* A DNS name is matched against subjectAltName only, never the
     * subject CN (RFC 9110 §4.3.4 and RFC 6125 §6.4.4: a certificate with
     * no SAN identifies no host); wildcards cover exactly one whole label. */
    X509_VERIFY_PARAM_set_hostflags(vp,
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                        X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, name)
                : X509_VERIFY_PARAM_set1_host(vp, name, 0);
    if (ok != 1) {
      rv = set_ssl_error(&io->err, HYPER_ERR_INVALID_ARGUMENT,
                         "TLS: name to verify");
      goto fail;
    }
  }

  for (;;) {
    ERR_clear_error();
    ts->sys_errno = 0;
    int r = SSL_connect(ts->ssl);
    if (r == 1)
      break;
    int se = SSL_get_error(ts->ssl, r);
    if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE) {
      rv = hyper__io_wait(io,
                          se == SSL_ERROR_WANT_READ ? HYPER__IO_WANT_READ
                                                    : HYPER__IO_WANT_WRITE,
                          deadline);
      if (rv != 0)
        goto fail;
      continue;
    }
    rv = handshake_failed(io, ts, se, !ctx->insecure);
    goto fail;
  }

  const unsigned char *sel = NULL;
  unsigned sel_len = 0;
  SSL_get0_alpn_selected(ts->ssl, &sel, &sel_len);
  if (sel_len > 0) {
    ts->alpn = hyper__mem_malloc(&io->mem, (size_t)sel_len + 1);
    if (ts->alpn == NULL) {
      rv = hyper__io_set_error(&io->err, HYPER_ERR_NOMEM, 0, "out of memory");
      goto fail;
    }
    memcpy(ts->alpn, sel, sel_len);
    ts->alpn[sel_len] = '\0';
    if (strcmp(ts->alpn, "h2") == 0 && !h2_cipher_ok(ts->ssl)) {
      rv = hyper__io_set_error(&io->err, HYPER_ERR_TLS_HANDSHAKE, 0,
                               "TLS: h2 over TLS 1.2 needs an ephemeral AEAD "
                               "cipher (RFC 9113 9.2.2), got %s",
                               SSL_get_cipher_name(ts->ssl));
      goto fail;
    }
  } else if (ctx->alpn_offered && ctx->alpn_required) {
    rv = hyper__io_set_error(&io->err, HYPER_ERR_TLS_ALPN, 0,
                             "TLS: the server selected no ALPN protocol");
    goto fail;
  }

  ERR_clear_error();
  ts->established = 1;
  io->impl = ts;
  io->vt = &tls_vtable;
  io->err.code = 0;
  return 0;

fail:
  state_free(&io->mem, ts);
  return rv;
}

/* ------------------------------------------------------------------------ */
/* Inspection                                                               */
/* ------------------------------------------------------------------------ */

const char *hyper__io_alpn(const hyper__io *io) {
  const tls_state *ts = io->impl;
  return ts ? ts->alpn : NULL;
}

const char *hyper__io_tls_version(const hyper__io *io) {
  const tls_state *ts = io->impl;
  return ts ? SSL_get_version(ts->ssl) : NULL;
}

const char *hyper__io_tls_cipher(const hyper__io *io) {
  const tls_state *ts = io->impl;
  return ts ? SSL_get_cipher_name(ts->ssl) : NULL;
}
