/* Streaming content decoding (RFC 9110 §8.4): gzip / x-gzip, deflate
 * (zlib-wrapped as the RFC says, or raw as some servers send it), br, zstd
 * (RFC 8878, window capped at 8 MiB per RFC 9659), and stacks of them, with a decompression-bomb cap. Private to src/; the
 * client wraps it for `read(..., decode_content)`.
 *
 * Shape: one heap object per response body. Bytes go in with
 * hyper__decoder_feed() in pieces of any size (one byte at a time gives the
 * same output as the whole body at once); decoded bytes come out into the
 * caller's buffer. Nothing needs the whole body. hyper__decoder_finish() at
 * the end of the body says whether every coding ended properly.
 *
 * Memory: the decoder, its inter-stage buffers and everything zlib and
 * brotli allocate go through the hyper_mem given to hyper__decoder_new()
 * (zalloc/zfree and brotli's alloc_func/free_func are routed to it), so a
 * counting allocator sees all of it. Roughly: 1 KiB of state, plus 16 KiB
 * per coding beyond the first, plus per coding about 40 KiB for gzip or
 * deflate (inflate state and 32 KiB window) or, for br, a ring buffer no
 * larger than the stream's window (at most 16 MiB, usually 4 MiB or less)
 * and its tables.
 *
 * Errors are sticky (STYLE §3.4 (d)): after a feed or finish fails, every
 * later feed and finish returns the same code.
 */
#ifndef HYPER_DECODE_H
#define HYPER_DECODE_H

#include "../common/internal.h"

/* More codings than this in one Content-Encoding value are refused with
 * HYPER_ERR_UNSUPPORTED_ENCODING ("identity" and empty elements do not
 * count). Real servers apply one; four leaves room for odd proxies. */
#define HYPER__DECODE_MAX_CODINGS 4

/* Default limits (see hyper__decode_limits). */
#define HYPER__DECODE_DEFAULT_MAX_OUTPUT ((uint64_t)1 << 30) /* 1 GiB */
#define HYPER__DECODE_DEFAULT_MAX_RATIO 1000u
#define HYPER__DECODE_DEFAULT_RATIO_GRACE ((uint64_t)1 << 20) /* 1 MiB */

/* Decompression-bomb limits, fixed when the decoder is made. A value of 0
 * switches that check off.
 *
 * |max_output_total|: decoded bytes allowed for the whole body; one more is
 * HYPER_ERR_DECODE_RATIO. Default 1 GiB: decoding is streamed, so this
 * bounds time and whatever the caller does with the output rather than
 * memory; raise it (or set 0) to fetch large compressed downloads.
 *
 * |max_ratio|: once more than |ratio_grace| bytes have been decoded, the
 * decoded total may not exceed |max_ratio| times the encoded bytes consumed
 * so far; otherwise HYPER_ERR_DECODE_RATIO. Default 1000 after 1 MiB.
 * Ordinary text and JSON compress 3-20x; deflate cannot exceed about 1032x
 * (only long runs of one byte get close), while brotli and stacked codings
 * reach millions to one, which is exactly the bomb shape. The grace lets
 * small, very repetitive bodies (a 100 KiB run of spaces) through.
 *
 * With no coding to undo (an absent or "identity" Content-Encoding) the
 * decoder copies bytes through and applies no limit. */
typedef struct hyper__decode_limits {
  uint64_t max_output_total;
  uint32_t max_ratio;
  uint64_t ratio_grace;
} hyper__decode_limits;

/* Fills |lim| with the defaults above. Never fails. */
void hyper__decode_limits_init(hyper__decode_limits *lim);

typedef struct hyper__decoder hyper__decoder;

/* Makes a decoder for a Content-Encoding field value: |value| (|len| bytes,
 * not NUL-terminated; may be NULL when |len| is 0) is a comma-separated list
 * of codings in the order they were applied, matched case-insensitively,
 * with optional spaces/tabs around each and empty elements ignored (RFC 9110
 * §5.6.1). Decoding undoes them in reverse order. Known codings: "gzip",
 * "x-gzip", "deflate" (zlib or raw, told apart by the first two bytes),
 * "br", "zstd"; "identity" is skipped. A value with no coding left (empty, or only
 * "identity") gives a pass-through decoder. If the field was sent in several
 * lines, join them with ", " first.
 *
 * |lim| is copied (NULL means the defaults); |mem| is copied by value (NULL
 * means the C library). On success |*out| owns a decoder to be released with
 * hyper__decoder_free(); on failure |*out| is set to NULL.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT    |out| is NULL, or |value| is NULL with
 *                                 |len| > 0;
 *   HYPER_ERR_UNSUPPORTED_ENCODING a coding that is not listed above
 *                                 (e.g. "compress"), or more than
 *                                 HYPER__DECODE_MAX_CODINGS codings;
 *   HYPER_ERR_NOMEM               allocation failed (nothing leaks);
 *   HYPER_ERR_INTERNAL            zlib refused to initialise (version clash).
 */
int hyper__decoder_new(hyper__decoder **out, const char *value, size_t len,
                       const hyper__decode_limits *lim, const hyper_mem *mem);

/* Frees |d| and everything zlib/brotli hold for it. NULL is a no-op. */
void hyper__decoder_free(hyper__decoder *d);

/* Returns the number of codings the decoder undoes; 0 means pass-through. */
unsigned hyper__decoder_ncodings(const hyper__decoder *d);

/* Decodes some of |in| (|in_len| bytes; may be NULL when 0) into |out|
 * (|out_cap| bytes; may be NULL when 0). It stops when all of |in| is
 * consumed and no decoded byte is waiting, or when |out| is full.
 * |*consumed| receives the input bytes used (the decoder keeps whatever it
 * needs of them; the caller never re-sends them) and |*produced| the bytes
 * written to |out|; both are set on every return, errors included.
 *
 * The caller loops: call again with the rest of |in| while |*consumed| <
 * |in_len|, and call again (with more input or with none) while
 * |*produced| == |out_cap|, because more output may be waiting inside.
 * Once a call returns with |*consumed| == |in_len| and |*produced| <
 * |out_cap|, everything decodable so far has been handed out.
 *
 * Multi-member gzip is decoded as one body (each member after the first
 * must start with the gzip magic; trailing NUL padding is accepted, as
 * gzip(1) does). Any other byte after the end of a coding's stream is an
 * error.
 *
 * Returns 0, or one of (all sticky):
 *   HYPER_ERR_INVALID_ARGUMENT    a NULL out-param, or a NULL buffer with a
 *                                 nonzero length (not sticky);
 *   HYPER_ERR_DECODE_GZIP         invalid gzip or deflate data, a bad CRC or
 *                                 length trailer, or bytes after the end;
 *   HYPER_ERR_DECODE_BROTLI       invalid brotli data or bytes after the end;
 *   HYPER_ERR_DECODE_ZSTD         invalid zstd data, or a frame whose window
 *                                 exceeds 8 MiB (RFC 9659 §3);
 *   HYPER_ERR_DECODE_RATIO        a limit of hyper__decode_limits was passed
 *                                 (|out| may hold bytes past the limit: at
 *                                 most one for max_output_total, at most
 *                                 |out_cap| for max_ratio);
 *   HYPER_ERR_NOMEM               zlib or brotli could not allocate.
 */
int hyper__decoder_feed(hyper__decoder *d, const uint8_t *in, size_t in_len,
                        size_t *consumed, uint8_t *out, size_t out_cap,
                        size_t *produced);

/* Declares the end of the encoded body. Call it after a feed that left
 * output waiting for nothing (|*produced| < |out_cap|); a body that ended
 * exactly as the output buffer filled up is fine. An empty body (no byte
 * ever fed) is accepted for any coding, as browsers do for bodies that were
 * labelled but never sent.
 *
 * Returns 0, or one of (all but INVALID_STATE sticky):
 *   HYPER_ERR_DECODE_GZIP         a gzip or deflate stream is incomplete
 *                                 (e.g. the gzip trailer is missing);
 *   HYPER_ERR_DECODE_BROTLI       a brotli stream is incomplete;
 *   HYPER_ERR_DECODE_ZSTD         a zstd frame is incomplete;
 *   HYPER_ERR_INVALID_STATE       the last feed filled |out| and decoded
 *                                 bytes may still be waiting: feed again;
 *   any code an earlier feed returned.
 */
int hyper__decoder_finish(hyper__decoder *d);

#endif /* HYPER_DECODE_H */
