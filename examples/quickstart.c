/*
 * quickstart: the seed's Quickstart Guide in C ("Making Your First HTTP/2
 * Request" and "Streams"): three requests in flight on one connection, the
 * responses read in a different order than they were sent.
 *
 *   quickstart HOST[:PORT] [--h2c]
 *
 * Python hyper:                         C hyper:
 *   c = HTTP20Connection('host')          hyper_client_new(&c, "host", ...)
 *   first = c.request('GET', '/get')      hyper_client_request(c, "GET", ...)
 *   resp = c.get_response(second)         hyper_client_get_response(c, ...)
 *   resp.status, resp.headers, read()     hyper_resp_status/headers/read_all
 *
 * Exits 0 when all three responses are 200.
 */
#include <stdio.h>
#include <string.h>

#include "hyper/client.h"
#include "hyper/hdrs.h"

static int show(hyper_client *c, uint32_t id, const char *what) {
  hyper_resp *r;
  int rv = hyper_client_get_response(c, id, &r);
  if (rv) {
    fprintf(stderr, "%s: %s (%s)\n", what, hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    return rv;
  }
  hyper_slice ct = {NULL, 0}, body = {NULL, 0};
  hyper_hdrs_get_first(hyper_resp_headers(r), "content-type", 12, &ct);
  rv = hyper_resp_read_all(r, &body); /* decompressed if it was compressed */
  printf("stream %u %s: %d, content-type %.*s, %zu bytes\n", id, what,
         hyper_resp_status(r), (int)ct.len, ct.ptr ? (const char *)ct.ptr : "",
         body.len);
  int ok = !rv && hyper_resp_status(r) == 200;
  hyper_resp_free(r);
  return rv ? rv : (ok ? 0 : 1);
}

int main(int argc, char **argv) {
  if (argc < 2 || (argc == 3 && strcmp(argv[2], "--h2c") != 0) || argc > 3) {
    fprintf(stderr, "usage: quickstart HOST[:PORT] [--h2c]\n");
    return 2;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = argc == 3 ? 0 : 1; /* --h2c: cleartext, prior knowledge */
  hyper_client *c;
  int rv = hyper_client_new(&c, argv[1], &o, NULL);
  if (rv) {
    fprintf(stderr, "quickstart: %s\n", hyper_strerror(rv));
    return 2;
  }
  uint32_t first = 0, second = 0, third = 0;
  rv = hyper_client_request(c, "GET", "/get", NULL, 0, NULL, &first);
  if (!rv)
    rv = hyper_client_request(c, "POST", "/post", "key=value", 9, NULL, &second);
  if (!rv)
    rv = hyper_client_request(c, "GET", "/ip", NULL, 0, NULL, &third);
  if (rv) {
    fprintf(stderr, "quickstart: %s (%s)\n", hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    hyper_client_free(c);
    return 2;
  }
  /* Each response is matched to its request, whatever the order. */
  int bad = 0;
  bad |= show(c, second, "POST /post") != 0;
  bad |= show(c, first, "GET /get") != 0;
  bad |= show(c, third, "GET /ip") != 0;
  hyper_client_free(c); /* GOAWAY, close */
  return bad;
}
