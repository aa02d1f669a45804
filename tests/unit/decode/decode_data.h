/* Deterministic test data for tests/unit/decode/test_decode.c, shared with
 * gen_br_vectors.c (which made the brotli vectors in br_vectors.h from the
 * same generators, so the test can rebuild the expected plaintext). Any
 * change here invalidates br_vectors.h: regenerate it (see gen_br_vectors.c).
 */
#ifndef HYPER_TEST_DECODE_DATA_H
#define HYPER_TEST_DECODE_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* xorshift64*: small, portable, same stream on every platform. */
static inline uint64_t dd_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* |n| incompressible bytes. */
static inline void dd_random(uint8_t *p, size_t n, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(dd_next(&s) >> 56);
}

/* |n| bytes of English-looking text (words, spaces, newlines). */
static inline void dd_text(uint8_t *p, size_t n, uint64_t seed) {
  static const char *const words[] = {
      "the",    "quick",   "brown",  "fox",     "jumps",   "over",
      "lazy",   "dog",     "HTTP/2", "stream",  "header",  "frame",
      "window", "content", "coding", "gzip",    "brotli",  "deflate",
      "server", "client",  "push",   "promise", "settings", "a",
      "of",     "and",     "to",     "in",      "is",      "response"};
  uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 7;
  size_t i = 0, col = 0;
  while (i < n) {
    const char *w = words[dd_next(&s) % (sizeof words / sizeof words[0])];
    for (size_t k = 0; w[k] && i < n; k++, col++)
      p[i++] = (uint8_t)w[k];
    if (i < n) {
      p[i++] = col > 60 ? '\n' : ' ';
      col = col > 60 ? 0 : col + 1;
    }
  }
}

/* |n| bytes made of a |block|-byte chunk of dd_random (|text| = 0) or
 * dd_text (|text| = 1) repeated: large yet tiny once compressed. */
static inline void dd_repeat(uint8_t *p, size_t n, size_t block, int text,
                             uint64_t seed) {
  if (text)
    dd_text(p, n < block ? n : block, seed);
  else
    dd_random(p, n < block ? n : block, seed);
  for (size_t i = block; i < n; i++)
    p[i] = p[i - block];
}

#endif
