/* tests/interop: helpers shared by h2_client_driver.c and
 * h2_server_driver.c (pattern bytes, a growable buffer, header lookups,
 * non-blocking socket output, a monotonic clock, scenario bookkeeping).
 * Public API only (the headers in include/hyper/) plus POSIX. */
#ifndef HYPER_TESTS_INTEROP_COMMON_H
#define HYPER_TESTS_INTEROP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "hyper/h2.h"

/* Shared with h2_peer.py (keep the values in step). */
#define IOP_BIG_LEN (1u << 20)
#define IOP_UPLOAD_LEN 300000u
#define IOP_SETTINGS_IFW 131072u /* /settings: server's INITIAL_WINDOW_SIZE */
#define IOP_SETTINGS_MFS 65536u  /* ... and MAX_FRAME_SIZE */
#define IOP_CLIENT_IFW 262144u   /* the client's own change */
#define IOP_CLIENT_MFS 32768u
#define IOP_SETTINGS_HTS 1024u /* ... and HEADER_TABLE_SIZE */
#define IOP_CLIENT_HTS 256u
#define IOP_SHRINK_IFW 4096u /* /shrink: INITIAL_WINDOW_SIZE mid-upload */
#define IOP_SHRINK_LEN 200000u
#define IOP_BIGHEAD_LEN 40000u /* /bighead: request and response field */
#define IOP_PADDED_LEN 50000u
#define IOP_MANY 50
#define IOP_TRAILERS_BODY "hello, trailers\n"
#define IOP_PUSHED_BODY "body{color:red}\n"

/* Byte |i| of the deterministic pattern: ((i * 2654435761) mod 2^32) >> 13,
 * low 8 bits (h2_peer.py pattern()). */
uint8_t iop_pattern_byte(size_t i);
void iop_pattern_fill(uint8_t *dst, size_t n);
/* Returns 1 when |p| holds the first |n| pattern bytes. */
int iop_pattern_ok(const uint8_t *p, size_t n);
uint64_t iop_fnv1a64(const uint8_t *p, size_t n);
/* Fills |dst| with |n| octets of the /bighead field value (h2_peer.py
 * bighead_value()): Huffman coding cannot shrink 40,000 of them below one
 * 16 KiB frame, so the block needs CONTINUATION frames. */
void iop_bighead_value(char *dst, size_t n);

uint64_t iop_now_ms(void);

/* A growable byte buffer; zero-initialise, free with iop_buf_free. */
typedef struct iop_buf {
  uint8_t *p;
  size_t len, cap;
} iop_buf;
int iop_buf_add(iop_buf *b, const void *p, size_t n); /* 0 or -1 (ENOMEM) */
int iop_buf_addf(iop_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void iop_buf_free(iop_buf *b);
int iop_buf_eq(const iop_buf *b, const char *s);
/* 1 when |s| occurs in |b|. */
int iop_buf_contains(const iop_buf *b, const char *s);

/* Header helpers. */
hyper_field iop_field(const char *name, const char *value);
const hyper_field *iop_find(const hyper_field *f, size_t n, const char *name);
/* 1 when the field |name| exists in |f| with value |value|. */
int iop_has(const hyper_field *f, size_t n, const char *name,
            const char *value);
/* Copies the value of |name| NUL-terminated into |out| (truncated);
 * returns 0, or -1 when absent. */
int iop_get(const hyper_field *f, size_t n, const char *name, char *out,
            size_t outlen);
/* Appends "name: value\n" for every field. */
int iop_fields_text(iop_buf *b, const hyper_field *f, size_t n);

/* Sockets. */
/* O_NONBLOCK and TCP_NODELAY (no 40 ms Nagle/delayed-ACK stalls between
 * small frames). Returns 0 or -1. */
int iop_set_nonblock(int fd);
/* Writes what the core has pending without blocking. Returns 0 when all was
 * written, 1 when the socket is full, -1 on an error. */
int iop_flush(hyper_h2_conn *c, int fd);

/* Scenario bookkeeping: every driver prints "N passed, M failed". */
typedef struct iop_result {
  int passed, failed;
  char first[512];
} iop_result;
/* Fills |err| (size |len|) with the formatted reason; returns -1. */
int iop_fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void iop_record(iop_result *r, const char *who, const char *name, int ok,
                const char *why, uint64_t ms);

#endif
