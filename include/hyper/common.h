/*
 * hyper — HTTP/2 and HTTP/1.1 for C.
 *
 * common.h: the pieces every layer shares — the export macro, the single
 * error scheme (hyper_err), the allocator hook (hyper_mem), byte slices and
 * header fields.
 */
#ifndef HYPER_COMMON_H
#define HYPER_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbol visibility: the library is built with -fvisibility=hidden and
 * BUILDING_HYPER defined; static users may define HYPER_STATICLIB. */
#if defined(_WIN32) && !defined(HYPER_STATICLIB)
#  ifdef BUILDING_HYPER
#    define HYPER_EXTERN __declspec(dllexport)
#  else
#    define HYPER_EXTERN __declspec(dllimport)
#  endif
#elif defined(BUILDING_HYPER) && defined(__GNUC__)
#  define HYPER_EXTERN __attribute__((visibility("default")))
#else
#  define HYPER_EXTERN
#endif

/*
 * The error list. Each entry is XX(NAME, value, "message"). Values are
 * negative and grouped by layer so that a stray -1 or -errno can never pass
 * as one of ours:
 *
 *   -100..-199  usage / flow          -400..-499  HTTP/1.1
 *   -200..-299  HPACK (all of these   -500..-599  transport
 *               map to the HTTP/2     -600..-699  content decoding
 *               COMPRESSION_ERROR     -900..-999  fatal: after one of these
 *               unless noted)                     only *_free() is allowed
 *   -300..-399  HTTP/2
 *
 * New codes are appended inside their band; values never change once
 * released.
 */
#define HYPER_ERR_MAP(XX)                                                      \
  XX(INVALID_ARGUMENT, -101, "invalid argument")                               \
  XX(BUFFER_TOO_SMALL, -102, "output buffer too small")                        \
  XX(INCOMPLETE, -103, "more input is needed")                                 \
  XX(INVALID_STATE, -104, "operation not allowed in the current state")        \
  XX(LIMIT_EXCEEDED, -105, "a configured limit was exceeded")                  \
  XX(UNSUPPORTED, -106, "unsupported feature or value")                        \
  XX(HPACK_DECODE, -201, "malformed HPACK header block")                       \
  XX(HPACK_INTEGER, -202, "HPACK integer overflows or is truncated")           \
  XX(HPACK_HUFFMAN, -203,                                                      \
     "invalid HPACK Huffman string (EOS symbol or bad padding)")               \
  XX(HPACK_TABLE_SIZE, -204,                                                   \
     "HPACK dynamic table size update too large, misplaced or repeated")       \
  XX(HPACK_INDEX, -205, "HPACK index is 0 or past the end of the table")       \
  XX(HPACK_TRUNCATED, -206, "HPACK string runs past the end of the block")   \
  XX(HPACK_HEADER_LIST, -207,                                                  \
     "decoded header list larger than the limit (stream error only)")          \
  XX(HPACK_FIELD_TOO_LONG, -208,                                               \
     "HPACK name or value longer than the limit (stream error only)")          \
  XX(HPACK_FAILED, -209,                                                       \
     "HPACK context unusable after an earlier compression error")              \
  XX(HPACK_SIZE_UPDATE_MISSING, -210,                                          \
     "HPACK block lacks the required dynamic table size update")               \
  XX(H2_PROTOCOL, -301, "HTTP/2 protocol error")                              \
  XX(H2_FRAME_SIZE, -302, "HTTP/2 frame size error")                          \
  XX(H2_FLOW_CONTROL, -303, "HTTP/2 flow-control window violated")            \
  XX(H2_STREAM_CLOSED, -304, "HTTP/2 frame received on a closed stream")      \
  XX(H2_REFUSED_STREAM, -305, "HTTP/2 stream refused by the peer")            \
  XX(H2_GOAWAY, -306, "HTTP/2 connection is going away")                      \
  XX(H2_STREAM_IDS_EXHAUSTED, -307, "HTTP/2 stream identifiers exhausted")    \
  XX(H2_HEADER, -308, "HTTP/2 header block is malformed")                     \
  XX(H2_FLOOD, -309, "HTTP/2 peer exceeded an abuse limit (flood)")           \
  XX(H2_SETTINGS_TIMEOUT, -310, "HTTP/2 SETTINGS not acknowledged in time")   \
  XX(H1_PARSE, -401, "malformed HTTP/1.1 message")                            \
  XX(H1_CHUNKED, -402, "malformed HTTP/1.1 chunked body")                     \
  XX(H1_LENGTH, -403, "invalid or conflicting HTTP/1.1 message length")       \
  XX(H1_UNEXPECTED_EOF, -404, "HTTP/1.1 connection closed mid-message")       \
  XX(H1_TOO_LARGE, -405, "HTTP/1.1 header section larger than the limit")     \
  XX(CONNECT, -501, "could not connect")                                      \
  XX(RESOLVE, -502, "could not resolve the host name")                        \
  XX(TIMEOUT, -503, "operation timed out")                                    \
  XX(EOF, -504, "connection closed by the peer")                              \
  XX(IO, -505, "socket I/O error")                                            \
  XX(TLS_HANDSHAKE, -506, "TLS handshake failed")                             \
  XX(TLS_VERIFY, -507, "TLS certificate verification failed")                 \
  XX(TLS_ALPN, -508, "the server did not agree to a usable protocol (ALPN)")  \
  XX(TLS, -509, "TLS error after the handshake")                              \
  XX(DECODE_GZIP, -601, "invalid gzip/deflate content coding")                \
  XX(DECODE_BROTLI, -602, "invalid brotli content coding")                    \
  XX(UNSUPPORTED_ENCODING, -603, "unsupported content coding")                \
  XX(DECODE_RATIO, -604, "decoded body exceeds the expansion limit (bomb?)")  \
  XX(DECODE_ZSTD, -605, "invalid zstd content coding")                        \
  XX(NOMEM, -901, "out of memory")                                             \
  XX(INTERNAL, -902, "internal error (a bug in hyper)")

/* Library error codes. 0 is success; every error is negative. */
typedef enum hyper_err {
  HYPER_OK = 0,
#define HYPER__ERR_ENUM(name, value, msg) HYPER_ERR_##name = (value),
  HYPER_ERR_MAP(HYPER__ERR_ENUM)
#undef HYPER__ERR_ENUM
} hyper_err;

/**
 * Returns a static, human-readable sentence describing |err| ("success" for
 * 0, "unknown error" for a value that is not a hyper_err). The pointer is
 * valid for the life of the process. Never fails.
 */
HYPER_EXTERN const char *hyper_strerror(int err);

/**
 * Returns the symbolic name of |err| without the prefix ("NOMEM",
 * "HPACK_HUFFMAN", "OK"), or "UNKNOWN". Static storage; never fails.
 */
HYPER_EXTERN const char *hyper_err_name(int err);

/** Returns nonzero when |err| is fatal (<= -900): only *_free() may follow. */
HYPER_EXTERN int hyper_err_is_fatal(int err);

/**
 * Returns nonzero when |err| is an HPACK error that desynchronises the
 * compression context, i.e. one that HTTP/2 must report as a connection
 * error of type COMPRESSION_ERROR (RFC 9113 §4.3). HYPER_ERR_HPACK_HEADER_LIST
 * and HYPER_ERR_HPACK_FIELD_TOO_LONG are *not*: the decoder stays in sync
 * and only the stream fails.
 */
HYPER_EXTERN int hyper_err_is_compression(int err);

/**
 * The allocator hook. Every hyper_*_new() takes a `const hyper_mem *` (NULL
 * means the C library) and copies it by value into the object, so the struct
 * need not outlive the call; |user| is passed to every function. The
 * functions must behave like their C counterparts (realloc(NULL, n) acts as
 * malloc; free(NULL) is a no-op). A NULL return is reported as
 * HYPER_ERR_NOMEM; hyper never aborts on allocation failure. zlib and brotli
 * (content decoding) allocate through this hook too; OpenSSL's internal
 * allocations do not.
 */
typedef struct hyper_mem {
  void *user;
  void *(*malloc)(size_t size, void *user);
  void *(*calloc)(size_t nmemb, size_t size, void *user);
  void *(*realloc)(void *ptr, size_t size, void *user);
  void (*free)(void *ptr, void *user);
} hyper_mem;

/** Returns the default (C library) allocator. Static storage. */
HYPER_EXTERN const hyper_mem *hyper_mem_default(void);

/** A borrowed byte span. Its lifetime is documented by whoever returns it. */
typedef struct hyper_slice {
  const uint8_t *ptr;
  size_t len;
} hyper_slice;

/* hyper_field.flags */
/** Never index this field, and ask intermediaries not to either (HPACK
 *  "literal never indexed", RFC 7541 §6.2.3). Set on decode when the peer
 *  sent the field that way. */
#define HYPER_FIELD_SENSITIVE 0x01u
/** Do not add this field to the dynamic table (encoder hint; "literal
 *  without indexing", RFC 7541 §6.2.2). */
#define HYPER_FIELD_NO_INDEX 0x02u

/**
 * A header field: a name and a value as byte spans with explicit lengths.
 * Values may hold any octet; names are validated by the HTTP layers, not by
 * HPACK. Who owns the bytes is stated by the function that takes or returns
 * the field.
 */
typedef struct hyper_field {
  const uint8_t *name;
  size_t name_len;
  const uint8_t *value;
  size_t value_len;
  uint32_t flags; /* HYPER_FIELD_* */
} hyper_field;

#ifdef __cplusplus
}
#endif

#endif /* HYPER_COMMON_H */
