/* Peers for the client tests (tests/unit/client/): nghttpd (Debian
 * nghttp2-server) started as a child process on 127.0.0.1 with a generated
 * docroot, in cleartext (h2c) or TLS with certificates made at test time by
 * the openssl CLI (io_testserver.h's ts_certs_make()), and stopped by PID.
 *
 * Readiness: nghttpd cannot listen on port 0 and report the port, so a free
 * port is taken from the kernel (bind to port 0, read it, close) and given
 * to nghttpd; readiness is then a bounded connect poll (every 10 ms, at
 * most TS_SAFETY_MS), which also notices a child that exited (another
 * process took the port: retried with a new one). Nothing waits on a fixed
 * sleep. Included by each test file, so everything is static. */
#ifndef HYPER_TEST_CLIENT_TESTSERVER_H
#define HYPER_TEST_CLIENT_TESTSERVER_H

#include <sys/stat.h>
#include <time.h>

#include "../io/io_testserver.h"

/* ------------------------------------------------------------------------ */
/* A docroot with known files                                               */
/* ------------------------------------------------------------------------ */

typedef struct cs_docroot {
  char dir[64];
} cs_docroot;

/* The deterministic byte at offset |i| of the generated files. */
static inline uint8_t cs_pattern(size_t i) {
  return (uint8_t)((i * 2654435761u) >> 13);
}

TS_FN int cs_write_bytes(const char *dir, const char *name, const void *p,
                         size_t n) {
  char path[160];
  (void)snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  int ok = n == 0 || fwrite(p, 1, n, f) == n;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

TS_FN int cs_write_pattern(const char *dir, const char *name, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  if (!b)
    return -1;
  for (size_t i = 0; i < n; i++)
    b[i] = cs_pattern(i);
  int rv = cs_write_bytes(dir, name, b, n);
  free(b);
  return rv;
}

static const char *const cs_files[] = {"small.txt", "empty.txt", "a.txt",
                                       "c.txt",     "index.html", "style.css",
                                       "script.js", "p70000.bin", "p1m.bin"};

#define CS_SMALL "hello from nghttpd\n"
#define CS_A "first: GET /a.txt\n"
#define CS_C "third: GET /c.txt\n"
#define CS_INDEX "<html><link rel=stylesheet href=style.css></html>\n"
#define CS_STYLE "body { color: black }\n"
#define CS_SCRIPT "console.log('pushed');\n"

/* Creates the docroot: the text files above, p70000.bin and p1m.bin
 * (cs_pattern bytes, 70,000 and 1 MiB). Returns 0 or -1. */
TS_FN int cs_docroot_make(cs_docroot *d) {
  (void)snprintf(d->dir, sizeof d->dir, "/tmp/hyper-client-www-XXXXXX");
  if (!mkdtemp(d->dir)) {
    d->dir[0] = '\0';
    return -1;
  }
  if (cs_write_bytes(d->dir, "small.txt", CS_SMALL, strlen(CS_SMALL)) ||
      cs_write_bytes(d->dir, "empty.txt", "", 0) ||
      cs_write_bytes(d->dir, "a.txt", CS_A, strlen(CS_A)) ||
      cs_write_bytes(d->dir, "c.txt", CS_C, strlen(CS_C)) ||
      cs_write_bytes(d->dir, "index.html", CS_INDEX, strlen(CS_INDEX)) ||
      cs_write_bytes(d->dir, "style.css", CS_STYLE, strlen(CS_STYLE)) ||
      cs_write_bytes(d->dir, "script.js", CS_SCRIPT, strlen(CS_SCRIPT)) ||
      cs_write_pattern(d->dir, "p70000.bin", 70000) ||
      cs_write_pattern(d->dir, "p1m.bin", 1u << 20))
    return -1;
  return 0;
}

TS_FN void cs_docroot_remove(cs_docroot *d) {
  if (!d->dir[0])
    return;
  for (size_t i = 0; i < sizeof cs_files / sizeof cs_files[0]; i++) {
    char path[160];
    (void)snprintf(path, sizeof path, "%s/%s", d->dir, cs_files[i]);
    (void)unlink(path);
  }
  (void)rmdir(d->dir);
  d->dir[0] = '\0';
}

/* ------------------------------------------------------------------------ */
/* nghttpd                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct cs_nghttpd {
  pid_t pid;
  uint16_t port;
} cs_nghttpd;

static int64_t cs_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One bounded connect attempt to 127.0.0.1:|port|: 1 connected, 0 not. */
static int cs_probe(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return ok;
}

TS_FN void cs_nghttpd_stop(cs_nghttpd *s) {
  if (s->pid > 0) {
    kill(s->pid, SIGTERM);
    kill(s->pid, SIGCONT); /* a test may have stopped it */
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  s->pid = 0;
}

/* Starts nghttpd serving |docroot| on 127.0.0.1: with |certs| NULL in h2c
 * mode (--no-tls), else with srv.key/srv.pem. |extra| (NULL-terminated, may
 * be NULL) adds options (-p, -m, -w, --echo-upload, ...). Output goes to
 * /dev/null. Returns 0 (s->port set) or -1. */
TS_FN int cs_nghttpd_start(cs_nghttpd *s, const char *docroot,
                           const ts_certs *certs, char *const extra[]) {
  memset(s, 0, sizeof *s);
  for (int attempt = 0; attempt < 5; attempt++) {
    uint16_t port = 0;
    int lfd = ts_listen(0, -1, 0, &port); /* bound, not listening */
    if (lfd < 0)
      return -1;
    close(lfd);
    char portstr[8], dflag[128];
    (void)snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    (void)snprintf(dflag, sizeof dflag, "--htdocs=%s", docroot);
    char *argv[40];
    int n = 0;
    argv[n++] = "nghttpd";
    argv[n++] = "-a";
    argv[n++] = "127.0.0.1";
    argv[n++] = dflag;
    if (!certs)
      argv[n++] = "--no-tls";
    for (int i = 0; extra && extra[i] && n < 34; i++)
      argv[n++] = extra[i];
    argv[n++] = portstr;
    if (certs) {
      argv[n++] = (char *)ts_path(certs, "srv.key");
      argv[n++] = (char *)ts_path(certs, "srv.pem");
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int r = posix_spawnp(&s->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
      s->pid = 0;
      return -1;
    }
    int64_t end = cs_now_ms() + TS_SAFETY_MS;
    int exited = 0;
    while (cs_now_ms() < end) {
      if (cs_probe(port)) {
        s->port = port;
        return 0;
      }
      if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
        exited = 1; /* e.g. the port was taken meanwhile: try another */
        s->pid = 0;
        break;
      }
      struct pollfd none;
      (void)poll(&none, 0, 10); /* between bounded connect probes */
    }
    if (!exited) {
      cs_nghttpd_stop(s);
      return -1;
    }
  }
  return -1;
}

#endif /* HYPER_TEST_CLIENT_TESTSERVER_H */
