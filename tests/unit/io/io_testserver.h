/* Loopback peers for the transport tests (tests/unit/io/): a one-connection
 * TCP/TLS server on a thread, certificates made at test time with the
 * openssl CLI, and an `openssl s_server` child process. Included by the
 * test files (the build registers one source per test), so everything is
 * static; TS_FN keeps unused helpers quiet.
 *
 * Rules kept here: peers listen on 127.0.0.1 (or ::1) port 0, are started
 * by the test and stopped by it (pipe + pthread_join, or kill + waitpid by
 * PID); nothing synchronises by sleeping; every wait is bounded
 * (TS_SAFETY_MS) so a broken test fails instead of hanging. */
#ifndef HYPER_TEST_IO_TESTSERVER_H
#define HYPER_TEST_IO_TESTSERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define TS_FN static __attribute__((unused))
#define TS_SAFETY_MS 15000

extern char **environ;

/* ------------------------------------------------------------------------ */
/* Certificates (openssl CLI into a mkdtemp directory)                      */
/* ------------------------------------------------------------------------ */

static const char *const ts_cert_files[] = {
    "ca.key",    "ca.pem",    "srv.key",   "srv.csr",   "srv.pem",
    "srv.ext",   "wrong.key", "wrong.csr", "wrong.pem", "wrong.ext",
    "cli.key",   "cli.csr",   "cli.pem",   "cli.ext"};
#define TS_NFILES (sizeof ts_cert_files / sizeof ts_cert_files[0])

typedef struct ts_certs {
  char dir[64];
  char path[TS_NFILES][128]; /* "<dir>/<ts_cert_files[i]>" */
} ts_certs;

/* The full path of one of ts_cert_files[] (stable for the life of |c|). */
TS_FN const char *ts_path(const ts_certs *c, const char *name) {
  for (size_t i = 0; i < TS_NFILES; i++)
    if (strcmp(ts_cert_files[i], name) == 0)
      return c->path[i];
  abort(); /* a test names a file that is not made */
}

/* Runs argv (argv[0] looked up in PATH) with stdout/stderr to /dev/null;
 * returns its exit status or -1. */
TS_FN int ts_run(char *const argv[]) {
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int st = 0;
  if (posix_spawn_file_actions_init(&fa) != 0)
    return -1;
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (r != 0)
    return -1;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int ts_write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  int ok = fputs(text, f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* A key + CSR for |cn|, then a certificate signed by the test CA with the
 * extensions in |ext|. */
static int ts_make_leaf(const ts_certs *c, const char *stem, const char *cn,
                        const char *ext, const char *serial) {
  char key[160], csr[160], pem[160], extf[160], subj[96];
  (void)snprintf(key, sizeof key, "%s/%s.key", c->dir, stem);
  (void)snprintf(csr, sizeof csr, "%s/%s.csr", c->dir, stem);
  (void)snprintf(pem, sizeof pem, "%s/%s.pem", c->dir, stem);
  (void)snprintf(extf, sizeof extf, "%s/%s.ext", c->dir, stem);
  (void)snprintf(subj, sizeof subj, "/CN=%s", cn);
  if (ts_write_file(extf, ext) != 0)
    return -1;
  char *req[] = {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                 csr, "-subj", subj, NULL};
  if (ts_run(req) != 0)
    return -1;
  char *sign[] = {"openssl", "x509", "-req", "-in", csr, "-CA",
                  (char *)ts_path(c, "ca.pem"), "-CAkey",
                  (char *)ts_path(c, "ca.key"), "-set_serial", (char *)serial,
                  "-days", "2", "-out", pem, "-extfile", extf, NULL};
  return ts_run(sign) == 0 ? 0 : -1;
}

/* Creates the directory and: ca.{key,pem} (test CA), srv.{key,pem}
 * (localhost + IP 127.0.0.1, serverAuth), wrong.{key,pem} (wrong.example
 * only), cli.{key,pem} (clientAuth). Returns 0 or -1. */
TS_FN int ts_certs_make(ts_certs *c) {
  memset(c, 0, sizeof *c);
  (void)snprintf(c->dir, sizeof c->dir, "/tmp/hyper-io-test-XXXXXX");
  if (mkdtemp(c->dir) == NULL) {
    c->dir[0] = '\0';
    return -1;
  }
  for (size_t i = 0; i < TS_NFILES; i++)
    (void)snprintf(c->path[i], sizeof c->path[i], "%s/%s", c->dir,
                   ts_cert_files[i]);
  char *ca[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                (char *)ts_path(c, "ca.key"), "-out",
                (char *)ts_path(c, "ca.pem"), "-subj", "/CN=hyper test CA",
                "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL};
  if (ts_run(ca) != 0)
    return -1;
  if (ts_make_leaf(c, "srv", "localhost",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                   "basicConstraints=critical,CA:FALSE\n"
                   "extendedKeyUsage=serverAuth\n",
                   "2") != 0)
    return -1;
  if (ts_make_leaf(c, "wrong", "wrong.example",
                   "subjectAltName=DNS:wrong.example\n"
                   "basicConstraints=critical,CA:FALSE\n"
                   "extendedKeyUsage=serverAuth\n",
                   "3") != 0)
    return -1;
  if (ts_make_leaf(c, "cli", "hyper test client",
                   "basicConstraints=critical,CA:FALSE\n"
                   "extendedKeyUsage=clientAuth\n",
                   "4") != 0)
    return -1;
  return 0;
}

/* Removes what ts_certs_make() created (and the directory). */
TS_FN void ts_certs_remove(ts_certs *c) {
  if (c->dir[0] == '\0')
    return;
  for (size_t i = 0; i < TS_NFILES; i++)
    (void)unlink(c->path[i]);
  (void)rmdir(c->dir);
  c->dir[0] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Sockets                                                                  */
/* ------------------------------------------------------------------------ */

/* A listening socket on 127.0.0.1 (v6 = 0) or ::1 (v6 = 1), port 0.
 * |rcvbuf| > 0 shrinks SO_RCVBUF before listen (inherited by accepted
 * sockets). Returns the fd (port in |*port|) or -1. */
TS_FN int ts_listen(int v6, int backlog, int rcvbuf, uint16_t *port) {
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (rcvbuf > 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (v6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    sl = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sl = sizeof *a;
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
      (backlog >= 0 && listen(fd, backlog) != 0) ||
      getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                   : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* The thread server                                                        */
/* ------------------------------------------------------------------------ */

typedef enum ts_mode {
  TS_ECHO,       /* echo until EOF, then close (TLS: close_notify) */
  TS_SILENT,     /* accept (and handshake), then say nothing until stop */
  TS_SEND_CLOSE, /* send payload, then close cleanly (FIN / close_notify) */
  TS_SEND_DROP,  /* send payload, then close TCP without close_notify */
  TS_RESET,      /* read one byte, then close with RST (SO_LINGER 0) */
  TS_NOREAD      /* never read; wait for stop */
} ts_mode;

typedef struct tsrv {
  /* configuration (before ts_start) */
  ts_mode mode;
  SSL_CTX *ctx; /* NULL: plain TCP; owned by the server once started */
  const char *payload;
  int v6;
  int rcvbuf;
  /* runtime */
  int lfd;
  uint16_t port;
  int stop[2];
  pthread_t th;
  int running;
  /* results (read after ts_stop) */
  int accepted;
  int hs_ok;
  char alpn[64];
  char sni[256];
  int peer_cert;
  size_t echoed;
} tsrv;

/* poll() on |fd| and the stop pipe; 1 when |fd| is ready, 0 when stopped
 * or after TS_SAFETY_MS. */
static int ts_wait(tsrv *s, int fd, short ev) {
  struct pollfd p[2] = {{fd, ev, 0}, {s->stop[0], POLLIN, 0}};
  for (;;) {
    int r = poll(p, 2, TS_SAFETY_MS);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0 || (p[1].revents & POLLIN))
      return 0;
    return 1;
  }
}

static void ts_serve(tsrv *s, int cfd) {
  SSL *ssl = NULL;
  struct timeval tv = {TS_SAFETY_MS / 1000, 0};
  (void)setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (s->ctx != NULL) {
    ssl = SSL_new(s->ctx);
    if (ssl == NULL)
      return;
    SSL_set_fd(ssl, cfd);
    if (SSL_accept(ssl) != 1) {
      SSL_free(ssl);
      ERR_clear_error();
      return;
    }
    s->hs_ok = 1;
    const unsigned char *a = NULL;
    unsigned al = 0;
    SSL_get0_alpn_selected(ssl, &a, &al);
    if (al > 0 && al < sizeof s->alpn) {
      memcpy(s->alpn, a, al);
      s->alpn[al] = '\0';
    }
    const char *sn = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (sn != NULL)
      (void)snprintf(s->sni, sizeof s->sni, "%s", sn);
    X509 *pc = SSL_get1_peer_certificate(ssl);
    s->peer_cert = pc != NULL;
    X509_free(pc);
  }
  char buf[16384];
  int clean_close = 1;
  switch (s->mode) {
  case TS_ECHO:
    for (;;) {
      if (!(ssl && SSL_pending(ssl)) && !ts_wait(s, cfd, POLLIN))
        break;
      int n = ssl ? SSL_read(ssl, buf, sizeof buf)
                  : (int)recv(cfd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      int w = ssl ? SSL_write(ssl, buf, n)
                  : (int)send(cfd, buf, (size_t)n, MSG_NOSIGNAL);
      if (w != n)
        break;
      s->echoed += (size_t)n;
    }
    break;
  case TS_SILENT:
    /* Until stop, or until the client hangs up. */
    while (ts_wait(s, cfd, POLLIN)) {
      int n = ssl ? SSL_read(ssl, buf, sizeof buf)
                  : (int)recv(cfd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
    }
    break;
  case TS_NOREAD: {
    /* Until stop; never reads. */
    struct pollfd p = {s->stop[0], POLLIN, 0};
    while (poll(&p, 1, TS_SAFETY_MS) < 0 && errno == EINTR) {
    }
    break;
  }
  case TS_SEND_CLOSE:
  case TS_SEND_DROP: {
    size_t len = strlen(s->payload);
    if (ssl)
      (void)SSL_write(ssl, s->payload, (int)len);
    else
      (void)send(cfd, s->payload, len, MSG_NOSIGNAL);
    clean_close = s->mode == TS_SEND_CLOSE;
    break;
  }
  case TS_RESET: {
    if (ts_wait(s, cfd, POLLIN))
      (void)(ssl ? SSL_read(ssl, buf, 1) : (int)recv(cfd, buf, 1, 0));
    struct linger lg = {1, 0};
    (void)setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    clean_close = 0;
    break;
  }
  }
  if (ssl != NULL) {
    if (clean_close && s->mode != TS_NOREAD)
      (void)SSL_shutdown(ssl);
    SSL_free(ssl);
    ERR_clear_error();
  }
}

static void *ts_main(void *arg) {
  tsrv *s = arg;
  /* The server writes with OpenSSL's stock socket BIO (write(2)): keep a
   * client that hung up from raising SIGPIPE here. Only this thread: the
   * client under test runs with the default disposition, which proves it
   * never raises SIGPIPE itself. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  if (ts_wait(s, s->lfd, POLLIN)) {
    int cfd = accept(s->lfd, NULL, NULL);
    if (cfd >= 0) {
      s->accepted = 1;
      ts_serve(s, cfd);
      close(cfd);
    }
  }
  ERR_clear_error();
  OPENSSL_thread_stop();
  return NULL;
}

/* Starts the server thread (listening before return). Returns 0 or -1. */
TS_FN int ts_start(tsrv *s) {
  s->lfd = ts_listen(s->v6, 8, s->rcvbuf, &s->port);
  if (s->lfd < 0)
    return -1;
  if (pipe(s->stop) != 0) {
    close(s->lfd);
    return -1;
  }
  if (pthread_create(&s->th, NULL, ts_main, s) != 0) {
    close(s->lfd);
    close(s->stop[0]);
    close(s->stop[1]);
    return -1;
  }
  s->running = 1;
  return 0;
}

/* Tells the thread to finish, joins it and frees everything (the SSL_CTX
 * too). Safe to call twice. */
TS_FN void ts_stop(tsrv *s) {
  if (s->running) {
    (void)!write(s->stop[1], "x", 1);
    pthread_join(s->th, NULL);
    close(s->lfd);
    close(s->stop[0]);
    close(s->stop[1]);
    s->running = 0;
  }
  SSL_CTX_free(s->ctx);
  s->ctx = NULL;
}

/* ------------------------------------------------------------------------ */
/* Server TLS contexts                                                      */
/* ------------------------------------------------------------------------ */

/* ALPN selection with the server's preference order; no overlap means no
 * ALPN extension in the reply. */
static int ts_alpn_select(SSL *ssl, const unsigned char **out,
                          unsigned char *outlen, const unsigned char *in,
                          unsigned inlen, void *arg) {
  (void)ssl;
  const unsigned char *srv = arg;
  unsigned char *o = NULL;
  if (SSL_select_next_proto(&o, outlen, srv + 1, srv[0], in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = o;
  return SSL_TLSEXT_ERR_OK;
}

/* Length-prefixed: first byte is the length of the wire list after it. */
static const unsigned char ts_alpn_h2_h1[] = {12, 2,  'h', '2', 8,  'h', 't',
                                              't', 'p', '/', '1', '.', '1'};
static const unsigned char ts_alpn_h1[] = {9,   8,   'h', 't', 't',
                                           'p', '/', '1', '.', '1'};

typedef struct ts_ctx_opts {
  const char *cert, *key;
  const unsigned char *alpn; /* ts_alpn_* or NULL: no ALPN */
  const char *client_ca;     /* require a client certificate from it */
  int max_version;           /* 0: default */
  int min_version;           /* 0: default */
  const char *ciphers;       /* TLS <= 1.2 list, NULL: default */
} ts_ctx_opts;

TS_FN SSL_CTX *ts_server_ctx(const ts_ctx_opts *o) {
  SSL_CTX *c = SSL_CTX_new(TLS_server_method());
  if (c == NULL)
    return NULL;
  if (SSL_CTX_use_certificate_chain_file(c, o->cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(c, o->key, SSL_FILETYPE_PEM) != 1)
    goto fail;
  if (o->min_version && !SSL_CTX_set_min_proto_version(c, o->min_version))
    goto fail;
  if (o->max_version && !SSL_CTX_set_max_proto_version(c, o->max_version))
    goto fail;
  if (o->ciphers && SSL_CTX_set_cipher_list(c, o->ciphers) != 1)
    goto fail;
  if (o->alpn)
    SSL_CTX_set_alpn_select_cb(c, ts_alpn_select, (void *)o->alpn);
  if (o->client_ca) {
    if (SSL_CTX_load_verify_locations(c, o->client_ca, NULL) != 1)
      goto fail;
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);
  }
  return c;
fail:
  SSL_CTX_free(c);
  ERR_clear_error();
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* openssl s_server as a child process                                      */
/* ------------------------------------------------------------------------ */

typedef struct ts_child {
  pid_t pid;
  int out; /* read end of its stdout */
  uint16_t port;
} ts_child;

/* Starts `openssl s_server -accept 127.0.0.1:0 <extra...>` and waits
 * (bounded) for its "ACCEPT 127.0.0.1:<port>" line. Returns 0 or -1;
 * call ts_child_stop() in either case. */
TS_FN int ts_child_start(ts_child *ch, char *const extra[]) {
  char *argv[32];
  int n = 0;
  argv[n++] = "openssl";
  argv[n++] = "s_server";
  argv[n++] = "-accept";
  argv[n++] = "127.0.0.1:0";
  for (int i = 0; extra[i] != NULL && n < 31; i++)
    argv[n++] = extra[i];
  argv[n] = NULL;
  int pfd[2];
  ch->pid = 0;
  ch->out = -1;
  if (pipe(pfd) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&fa, pfd[0]);
  posix_spawn_file_actions_addclose(&fa, pfd[1]);
  int r = posix_spawnp(&ch->pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[1]);
  if (r != 0) {
    ch->pid = 0;
    close(pfd[0]);
    return -1;
  }
  ch->out = pfd[0];
  ch->port = 0;
  char line[512];
  size_t len = 0;
  for (;;) {
    struct pollfd p = {ch->out, POLLIN, 0};
    int pr = poll(&p, 1, TS_SAFETY_MS);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0)
      break;
    ssize_t got = read(ch->out, line + len, sizeof line - 1 - len);
    if (got <= 0)
      break;
    len += (size_t)got;
    line[len] = '\0';
    const char *a = strstr(line, "ACCEPT 127.0.0.1:");
    if (a != NULL && strchr(a, '\n') != NULL) {
      ch->port = (uint16_t)atoi(a + strlen("ACCEPT 127.0.0.1:"));
      return ch->port ? 0 : -1;
    }
    if (len == sizeof line - 1)
      break;
  }
  return -1;
}

/* Stops the child by PID (SIGTERM, then waitpid) and closes the pipe. */
TS_FN void ts_child_stop(ts_child *ch) {
  if (ch->pid > 0) {
    kill(ch->pid, SIGTERM);
    while (waitpid(ch->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    ch->pid = 0;
  }
  if (ch->out >= 0)
    close(ch->out);
  ch->out = -1;
}

#endif /* HYPER_TEST_IO_TESTSERVER_H */
