/*
 * many: several connections from one thread with hyper_client_poll(), the
 * way curl's multi interface or h2load drive many transfers: three
 * connections to the same server, four requests in flight on each, every
 * response fetched as soon as it is complete, whatever the connection.
 *
 *   many HOST[:PORT] [--h2c]
 *
 * Prints one line per response in the order they completed; exits 0 when
 * all twelve were 200.
 */
#include <stdio.h>
#include <string.h>

#include "hyper/client.h"

#define NCONN 3
#define PER 4

static const char *const paths[PER] = {"/get", "/bytes/20000", "/ip",
                                       "/delay/0"};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: many HOST[:PORT] [--h2c]\n");
    return 2;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = !(argc > 2 && strcmp(argv[2], "--h2c") == 0);
  o.request_timeout_ms = 10000;
  /* requests wait for the poll and go out in one write per connection */
  o.coalesce_requests = HYPER_CLIENT_COALESCE_ALL;
  hyper_client *c[NCONN] = {NULL};
  uint32_t id[NCONN][PER];
  int done[NCONN][PER] = {{0}};
  int rv = 0, left = NCONN * PER, ok = 0;
  for (int k = 0; k < NCONN && !rv; k++) {
    rv = hyper_client_new(&c[k], argv[1], &o, NULL);
    for (int i = 0; i < PER && !rv; i++)
      rv = hyper_client_request(c[k], "GET", paths[i], NULL, 0, NULL,
                                &id[k][i]);
  }
  while (!rv && left > 0) {
    /* wait on every connection at once (at most 5 s without news) */
    int n = hyper_client_poll(c, NCONN, 5000);
    if (n <= 0) {
      rv = n ? n : HYPER_ERR_TIMEOUT;
      break;
    }
    for (int k = 0; k < NCONN; k++)
      for (int i = 0; i < PER; i++) {
        if (done[k][i] || hyper_client_response_state(c[k], id[k][i]) !=
                              HYPER_RESPONSE_COMPLETE)
          continue;
        hyper_resp *r = NULL;
        hyper_slice body = {NULL, 0};
        int e = hyper_client_get_response(c[k], id[k][i], &r);
        if (!e)
          e = hyper_resp_read_all(r, &body); /* complete: does not wait */
        if (e) {
          fprintf(stderr, "connection %d, GET %s: %s (%s)\n", k, paths[i],
                  hyper_strerror(e), hyper_client_last_error(c[k])->desc);
        } else {
          printf("connection %d stream %u GET %s: %d, %zu bytes\n", k,
                 (unsigned)id[k][i], paths[i], hyper_resp_status(r),
                 body.len);
          ok += hyper_resp_status(r) == 200;
        }
        hyper_resp_free(r);
        done[k][i] = 1;
        left--;
      }
  }
  if (rv)
    fprintf(stderr, "many: %s\n", hyper_strerror(rv));
  printf("%d of %d responses 200\n", ok, NCONN * PER);
  for (int k = 0; k < NCONN; k++)
    hyper_client_free(c[k]);
  return ok == NCONN * PER ? 0 : 1;
}
