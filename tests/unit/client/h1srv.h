/* A scripted HTTP/1.1 server for the client tests: a thread accepting
 * connections on 127.0.0.1 (port 0) and running a test-supplied script on
 * each one with helpers to read a request (head and Content-Length or
 * chunked body) and write raw bytes. Every wait is a poll bounded by
 * H1S_WAIT_MS; the server is stopped by closing its listening socket and
 * joining the thread. Included by each test file, so everything is static. */
#ifndef HYPER_TEST_CLIENT_H1SRV_H
#define HYPER_TEST_CLIENT_H1SRV_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../io/io_testserver.h"

#define H1S_WAIT_MS 5000

typedef struct h1srv h1srv;
/* Runs on connection number |conn| (0, 1, ...) with socket |fd|; returns
 * nonzero to stop accepting. The server closes |fd| afterwards. */
typedef int (*h1srv_script)(h1srv *s, int fd, int conn);

struct h1srv {
  int lfd;
  uint16_t port;
  pthread_t th;
  h1srv_script script;
  void *user;
  volatile int stop;
  int conns;        /* connections accepted */
  int requests;     /* requests read by h1s_read_request() */
  size_t body_got;  /* body octets read by the last h1s_read_request() */
  char last[4096];  /* the last request head */
  char body[65536]; /* the start of its body */
};

/* Reads one request: the head into s->last, then a body framed by
 * Content-Length or chunked (de-chunked into s->body, counted in
 * s->body_got). |max_body| caps how much body is read (the rest stays in
 * the socket). Returns 1 on a request, 0 on EOF before one, -1 on error or
 * timeout. */
/* Case-insensitive strstr (strcasestr is a GNU extension). */
static const char *h1s_find(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return hay;
  return NULL;
}

static int h1s_read_request_max(h1srv *s, int fd, size_t max_body) {
  size_t len = 0;
  s->body_got = 0;
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, H1S_WAIT_MS) <= 0)
      return -1;
    ssize_t n = recv(fd, s->last + len, 1, 0); /* byte by byte: no overread */
    if (n == 0)
      return len == 0 ? 0 : -1;
    if (n < 0)
      return -1;
    len++;
    if (len >= 4 && memcmp(s->last + len - 4, "\r\n\r\n", 4) == 0)
      break;
    if (len == sizeof s->last - 1)
      return -1;
  }
  s->last[len] = '\0';
  s->requests++;
  const char *cl = h1s_find(s->last, "\r\ncontent-length:");
  int chunked = h1s_find(s->last, "\r\ntransfer-encoding: chunked") != NULL;
  if (cl) {
    size_t want = (size_t)strtoull(cl + 17, NULL, 10);
    while (s->body_got < want && s->body_got < max_body) {
      struct pollfd p = {fd, POLLIN, 0};
      if (poll(&p, 1, H1S_WAIT_MS) <= 0)
        return -1;
      char tmp[16384];
      size_t k = want - s->body_got;
      if (k > sizeof tmp)
        k = sizeof tmp;
      if (k > max_body - s->body_got)
        k = max_body - s->body_got;
      ssize_t n = recv(fd, tmp, k, 0);
      if (n <= 0)
        return -1;
      if (s->body_got < sizeof s->body)
        memcpy(s->body + s->body_got, tmp,
               (size_t)n < sizeof s->body - s->body_got
                   ? (size_t)n
                   : sizeof s->body - s->body_got);
      s->body_got += (size_t)n;
    }
  } else if (chunked) {
    for (;;) { /* size line, data, CRLF; byte by byte for simplicity */
      char line[64];
      size_t l = 0;
      for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, H1S_WAIT_MS) <= 0 || recv(fd, line + l, 1, 0) != 1)
          return -1;
        if (++l >= 2 && line[l - 2] == '\r' && line[l - 1] == '\n')
          break;
        if (l == sizeof line)
          return -1;
      }
      size_t sz = (size_t)strtoull(line, NULL, 16);
      size_t need = sz + 2;
      while (need > 0) {
        struct pollfd p = {fd, POLLIN, 0};
        char c;
        if (poll(&p, 1, H1S_WAIT_MS) <= 0 || recv(fd, &c, 1, 0) != 1)
          return -1;
        if (need > 2 && s->body_got < sizeof s->body)
          s->body[s->body_got] = c;
        if (need > 2)
          s->body_got++;
        need--;
      }
      if (sz == 0)
        break;
    }
  }
  return 1;
}

static int h1s_read_request(h1srv *s, int fd) {
  return h1s_read_request_max(s, fd, SIZE_MAX);
}

static int h1s_send(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
    if (w <= 0)
      return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

static int h1s_sends(int fd, const char *s) {
  return h1s_send(fd, s, strlen(s));
}

/* Reads and drops input until EOF or a quiet H1S_WAIT_MS; returns the
 * number of octets dropped. */
static size_t h1s_drain(int fd) {
  size_t total = 0;
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, H1S_WAIT_MS) <= 0)
      return total;
    char tmp[16384];
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0)
      return total;
    total += (size_t)n;
  }
}

static void *h1s_main(void *arg) {
  h1srv *s = arg;
  for (;;) {
    struct pollfd p = {s->lfd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (s->stop)
      break;
    if (r <= 0)
      continue;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
      continue;
    int conn = s->conns++;
    int stop = s->script(s, fd, conn);
    close(fd);
    if (stop)
      break;
  }
  return NULL;
}

static int h1s_start(h1srv *s, h1srv_script script, void *user) {
  memset(s, 0, sizeof *s);
  s->script = script;
  s->user = user;
  s->lfd = ts_listen(0, 16, 0, &s->port);
  if (s->lfd < 0)
    return -1;
  if (pthread_create(&s->th, NULL, h1s_main, s) != 0) {
    close(s->lfd);
    return -1;
  }
  return 0;
}

static void h1s_stop(h1srv *s) {
  s->stop = 1;
  pthread_join(s->th, NULL);
  close(s->lfd);
}

#endif /* HYPER_TEST_CLIENT_H1SRV_H */
