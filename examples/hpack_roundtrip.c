/* HPACK round trip: encode three header fields, decode them, print them. */
#include <stdio.h>
#include <string.h>

#include "hyper/hpack.h"

#define FIELD(n, v) {(const uint8_t *)(n), strlen(n), (const uint8_t *)(v), strlen(v), 0}

int main(void) {
  hyper_field in[] = {FIELD(":method", "GET"), FIELD(":path", "/"),
                      FIELD("user-agent", "hyper-example/1.0")};
  hyper_hpack_enc *enc = NULL;
  hyper_hpack_dec *dec = NULL;
  uint8_t wire[256];
  size_t len, n = 0;
  const hyper_field *out;
  int rv = hyper_hpack_enc_new(&enc, NULL, NULL);
  if (!rv) rv = hyper_hpack_dec_new(&dec, NULL, NULL);
  if (!rv) rv = hyper_hpack_enc_encode(enc, in, 3, wire, sizeof wire, &len);
  if (!rv) rv = hyper_hpack_dec_decode(dec, wire, len, &out, &n);
  for (size_t i = 0; !rv && i < n; i++)
    printf("%.*s: %.*s\n", (int)out[i].name_len, (const char *)out[i].name,
           (int)out[i].value_len, (const char *)out[i].value);
  if (rv) fprintf(stderr, "hpack: %s\n", hyper_strerror(rv));
  hyper_hpack_enc_free(enc);
  hyper_hpack_dec_free(dec);
  return rv ? 1 : 0;
}
