/*
 * h2_get: one HTTP/2 GET over cleartext TCP (h2c with prior knowledge,
 * RFC 9113 §3.3), driving hyper's sans-IO core with a plain socket loop.
 *
 *   h2_get http://127.0.0.1:8080/path
 *
 * Prints the response head (pseudo-header first), a blank line, then the
 * body, to stdout. Exits 0 for a 2xx response, 1 for any
 * other status, 2 for a usage, connection or protocol error. Every wait is
 * bounded (10 s).
 *
 * The point of this example is the loop: bytes from the socket go into
 * hyper_h2_conn_recv(), events come out of hyper_h2_conn_next_event(), and
 * whatever hyper_h2_conn_pending() holds goes back to the socket.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hyper/frame.h"
#include "hyper/h2.h"

#define TIMEOUT_MS 10000

static int dial(const char *host, const char *port) {
  struct addrinfo hints, *res, *ai;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0)
    return -1;
  int fd = -1;
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
      break;
    if (fd >= 0)
      close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

/* Writes everything the core has queued. */
static int flush(hyper_h2_conn *c, int fd) {
  const uint8_t *p;
  size_t n;
  while ((n = hyper_h2_conn_pending(c, &p)) > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    hyper_h2_conn_advance(c, (size_t)w);
  }
  return 0;
}

static void print_fields(const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    printf("%.*s: %.*s\n", (int)f[i].name_len, (const char *)f[i].name,
           (int)f[i].value_len, (const char *)f[i].value);
}

int main(int argc, char **argv) {
  char host[256], port[16] = "80", path[1024] = "/";
  if (argc != 2 || sscanf(argv[1], "http://%255[^:/]:%15[0-9]%1023s", host,
                          port, path) < 2) {
    fprintf(stderr, "usage: h2_get http://HOST:PORT/PATH\n");
    return 2;
  }
  char authority[300];
  snprintf(authority, sizeof authority, "%s:%s", host, port);
  int fd = dial(host, port);
  if (fd < 0) {
    fprintf(stderr, "h2_get: cannot connect to %s\n", authority);
    return 2;
  }

  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
  hyper_h2_conn *c;
  int rv = hyper_h2_conn_new(&c, &cfg, NULL);
  if (rv) {
    fprintf(stderr, "h2_get: %s\n", hyper_strerror(rv));
    close(fd);
    return 2;
  }
  hyper_field req[] = {
      {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
      {(const uint8_t *)":scheme", 7, (const uint8_t *)"http", 4, 0},
      {(const uint8_t *)":authority", 10, (const uint8_t *)authority,
       strlen(authority), 0},
      {(const uint8_t *)":path", 5, (const uint8_t *)path, strlen(path), 0},
      {(const uint8_t *)"user-agent", 10, (const uint8_t *)"hyper-h2_get/0.1",
       16, 0},
  };
  uint32_t sid = 0;
  if ((rv = hyper_h2_conn_initiate(c)) == 0)
    rv = hyper_h2_submit_request(c, req, 5, 1, &sid);

  int status = 0, done = 0;
  uint8_t buf[65536];
  while (!rv && !done) {
    if (flush(c, fd) < 0) {
      rv = HYPER_ERR_IO;
      break;
    }
    struct pollfd pfd = {fd, POLLIN, 0};
    int pr = poll(&pfd, 1, TIMEOUT_MS);
    if (pr == 0) {
      rv = HYPER_ERR_TIMEOUT;
      break;
    }
    ssize_t r = pr < 0 ? -1 : recv(fd, buf, sizeof buf, 0);
    if (r <= 0) {
      rv = r == 0 ? HYPER_ERR_EOF : HYPER_ERR_IO;
      break;
    }
    size_t off = 0;
    while (!rv && off < (size_t)r) {
      int n = hyper_h2_conn_recv(c, buf + off, (size_t)r - off);
      if (n < 0) {
        rv = n;
        break;
      }
      off += (size_t)n;
      hyper_h2_event ev;
      while (hyper_h2_conn_next_event(c, &ev)) {
        if (ev.stream_id != sid && ev.type != HYPER_H2_EV_CONNECTION_TERMINATED)
          continue;
        switch (ev.type) {
        case HYPER_H2_EV_RESPONSE_RECEIVED:
          for (size_t i = 0; i < ev.u.headers.nfields; i++)
            if (ev.u.headers.fields[i].name_len == 7 &&
                memcmp(ev.u.headers.fields[i].name, ":status", 7) == 0)
              status = atoi((const char *)ev.u.headers.fields[i].value);
          print_fields(ev.u.headers.fields, ev.u.headers.nfields);
          printf("\n");
          break;
        case HYPER_H2_EV_DATA_RECEIVED:
          fwrite(ev.u.data.data, 1, ev.u.data.len, stdout);
          break;
        case HYPER_H2_EV_TRAILERS_RECEIVED:
          print_fields(ev.u.headers.fields, ev.u.headers.nfields);
          break;
        case HYPER_H2_EV_STREAM_ENDED:
          done = 1;
          break;
        case HYPER_H2_EV_STREAM_RESET:
          fprintf(stderr, "h2_get: stream reset (%s)\n",
                  hyper_h2_code_name(ev.u.reset.error_code));
          rv = HYPER_ERR_H2_PROTOCOL;
          break;
        case HYPER_H2_EV_CONNECTION_TERMINATED:
          if (!done) {
            fprintf(stderr, "h2_get: GOAWAY (%s)\n",
                    hyper_h2_code_name(ev.u.goaway.error_code));
            rv = HYPER_ERR_H2_GOAWAY;
          }
          break;
        default:
          break;
        }
      }
    }
  }
  if (done) {
    /* Say goodbye properly: GOAWAY(NO_ERROR), then close. */
    hyper_h2_close(c, HYPER_H2_NO_ERROR, 0, NULL, 0);
    flush(c, fd);
  }
  if (rv) {
    const hyper_h2_error *e = hyper_h2_conn_last_error(c);
    fprintf(stderr, "h2_get: %s%s%s\n", hyper_strerror(rv),
            e && e->desc ? ": " : "", e && e->desc ? e->desc : "");
  }
  hyper_h2_conn_free(c);
  close(fd);
  fflush(stdout);
  return rv ? 2 : (status >= 200 && status < 300 ? 0 : 1);
}
