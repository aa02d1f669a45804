/*
 * push: the seed's "Server Push": with enable_push, the pushes promised on
 * a request are handed out by hyper_client_next_push() (get_pushes()):
 * first those promised before the response head (never waiting), then,
 * with capture_all, the rest until the parent stream ends. Each push shows
 * the promised request; its response is read like any other, or the push
 * is cancelled (RST_STREAM CANCEL), e.g. when the resource is cached.
 *
 *   push HOST[:PORT] [--h2c]
 *
 * GETs /push (the server pushes /get?pushed=1 and /ip), reads the first
 * push, cancels the others; exits 0 when at least one push arrived and was
 * read with a 200.
 */
#include <stdio.h>
#include <string.h>

#include "hyper/client.h"

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--h2c") != 0)) {
    fprintf(stderr, "usage: push HOST[:PORT] [--h2c]\n");
    return 2;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = argc == 3 ? 0 : 1;
  o.enable_push = 1; /* HTTP20Connection(..., enable_push=True) */
  hyper_client *c;
  if (hyper_client_new(&c, argv[1], &o, NULL) != 0)
    return 2;
  uint32_t id;
  hyper_resp *r = NULL;
  int rv = hyper_client_request(c, "GET", "/push", NULL, 0, NULL, &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  if (rv) {
    fprintf(stderr, "push: %s (%s)\n", hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    hyper_client_free(c);
    return 1;
  }
  int pushes = 0, read_ok = 0;
  for (int pass = 0; pass < 2 && !rv; pass++) {
    /* pass 0: promised before the response head (capture_all 0);
     * pass 1: after reading the body, everything else (capture_all 1) */
    if (pass == 1) {
      hyper_slice body;
      rv = hyper_resp_read_all(r, &body);
      if (rv)
        break;
      printf("GET /push: %d, %zu bytes\n", hyper_resp_status(r), body.len);
    }
    hyper_push *p;
    while ((rv = hyper_client_next_push(c, id, pass, &p)) == 1) {
      printf("push %u on stream %u: %s %s://%s%s\n", hyper_push_stream_id(p),
             hyper_push_parent_stream_id(p), hyper_push_method(p),
             hyper_push_scheme(p), hyper_push_authority(p),
             hyper_push_path(p));
      if (pushes++ == 0) {
        hyper_resp *pr;
        hyper_slice pb;
        if (hyper_push_get_response(p, &pr) == 0) {
          if (hyper_resp_read_all(pr, &pb) == 0 &&
              hyper_resp_status(pr) == 200) {
            printf("  pushed response: 200, %zu bytes\n", pb.len);
            read_ok = 1;
          }
          hyper_resp_free(pr);
        }
      } else {
        printf("  cancelled: %s\n",
               hyper_push_cancel(p) == 0 ? "yes" : "no");
      }
      hyper_push_free(p);
    }
  }
  if (rv < 0)
    fprintf(stderr, "push: %s (%s)\n", hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
  hyper_resp_free(r);
  hyper_client_free(c);
  printf("%d pushes\n", pushes);
  return rv >= 0 && pushes > 0 && read_ok ? 0 : 1;
}
