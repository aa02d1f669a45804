/*
 * chunked: the seed's read_chunked() loop: the body one DATA frame at a
 * time as it arrives (chunks may be empty: HTTP/2 allows empty DATA
 * frames), decoded when the response is compressed, or raw with decoding
 * off ("read_chunked(decode_content=False)").
 *
 *   chunked HOST[:PORT] [--h2c]
 *
 * Reads /stream/20 (20 JSON lines), then /gzip decoded and not decoded;
 * exits 0 when all three are 200 and the raw gzip starts with 1f 8b.
 */
#include <stdio.h>
#include <string.h>

#include "hyper/client.h"

/* Iterates over the chunks of |path|; returns the status or -1. */
static int chunks(hyper_client *c, const char *path, int decode,
                  unsigned char first2[2]) {
  uint32_t id;
  hyper_resp *r = NULL;
  int rv = hyper_client_request(c, "GET", path, NULL, 0, NULL, &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  if (!rv && !decode)
    rv = hyper_resp_set_decode_content(r, 0); /* before the first read */
  unsigned n = 0;
  size_t total = 0;
  hyper_slice chunk;
  while (!rv && (rv = hyper_resp_read_chunk(r, &chunk)) == 1) {
    if (total == 0 && chunk.len >= 2 && first2)
      memcpy(first2, chunk.ptr, 2);
    n++;
    total += chunk.len;
    rv = 0;
  }
  if (rv) {
    fprintf(stderr, "chunked: %s: %s (%s)\n", path, hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    hyper_resp_free(r);
    return -1;
  }
  int status = hyper_resp_status(r);
  printf("GET %s (%s): %d, %u chunks, %zu bytes\n", path,
         decode ? "decoded" : "raw", status, n, total);
  hyper_resp_free(r);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--h2c") != 0)) {
    fprintf(stderr, "usage: chunked HOST[:PORT] [--h2c]\n");
    return 2;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = argc == 3 ? 0 : 1;
  hyper_client *c;
  if (hyper_client_new(&c, argv[1], &o, NULL) != 0)
    return 2;
  unsigned char magic[2] = {0, 0};
  int ok = chunks(c, "/stream/20", 1, NULL) == 200;
  ok &= chunks(c, "/gzip", 1, NULL) == 200;
  ok &= chunks(c, "/gzip", 0, magic) == 200;
  ok &= magic[0] == 0x1f && magic[1] == 0x8b; /* RFC 1952 */
  printf("raw gzip starts %02x %02x\n", magic[0], magic[1]);
  hyper_client_free(c);
  return ok ? 0 : 1;
}
