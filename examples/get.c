/*
 * get: the seed's first example in C: one GET on one connection, the
 * response read whole.
 *
 *   get HOST[:PORT] [--h2c] [PATH]
 *
 * Python hyper:                          C hyper:
 *   conn = HTTP20Connection('host:443')    hyper_client_new(&c, "host:443", ..)
 *   conn.request('GET', '/get')            hyper_client_request(c, "GET", ..)
 *   resp = conn.get_response()             hyper_client_get_response(c, 0, ..)
 *   print(resp.read())                     hyper_resp_read_all(r, &body)
 *
 * Prints the status and the body; exits 0 on a 200.
 */
#include <stdio.h>
#include <string.h>

#include "hyper/client.h"

int main(int argc, char **argv) {
  const char *path = "/get";
  int h2c = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: get HOST[:PORT] [--h2c] [PATH]\n");
    return 2;
  }
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--h2c") == 0)
      h2c = 1;
    else
      path = argv[i];
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = !h2c; /* TLS with ALPN h2 by default; --h2c: prior knowledge */
  hyper_client *c;
  int rv = hyper_client_new(&c, argv[1], &o, NULL);
  if (rv) {
    fprintf(stderr, "get: %s\n", hyper_strerror(rv));
    return 2;
  }
  hyper_resp *r = NULL;
  hyper_slice body = {NULL, 0};
  rv = hyper_client_request(c, "GET", path, NULL, 0, NULL, NULL);
  if (!rv)
    rv = hyper_client_get_response(c, 0, &r); /* 0: the oldest request */
  if (!rv)
    rv = hyper_resp_read_all(r, &body);
  if (rv) {
    fprintf(stderr, "get: %s (%s)\n", hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    hyper_resp_free(r);
    hyper_client_free(c);
    return 1;
  }
  int status = hyper_resp_status(r);
  printf("GET %s: %d, %zu bytes\n", path, status, body.len);
  fwrite(body.ptr, 1, body.len, stdout);
  printf("\n");
  hyper_resp_free(r);
  hyper_client_free(c);
  return status == 200 ? 0 : 1;
}
