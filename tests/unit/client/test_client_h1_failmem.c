/* HTTP/1.1 under allocation failure and memory bounds:
 *  - the parser object (its one allocation) and the writer (none) with the
 *    failing allocator;
 *  - a whole HTTP/1.1 client exchange against a scripted server (pipelined
 *    GETs, a chunked response with trailers, gzip, an in-memory POST, a
 *    chunked upload of unknown length, responses read out of order), run
 *    once per allocation with the k-th one failing: every run ends cleanly
 *    (any error is fine, never a crash) and frees every block;
 *  - max_buffered bounding what pipelined responses hold in memory while a
 *    later response is waited for.
 * The scripted server is h1srv.h (a thread on 127.0.0.1, port 0). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include <zlib.h>

#include "failmem.h"
#include "h1srv.h"
#include "hyper/client.h"
#include "hyper/h1.h"

static const char plain[] = "the gzip body, decoded through the hook\n";
static uint8_t gz[256];
static size_t gz_len;

static void make_gzip(void) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY),
                   Z_OK);
  z.next_in = (Bytef *)plain;
  z.avail_in = (uInt)strlen(plain);
  z.next_out = gz;
  z.avail_out = sizeof gz;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz_len = sizeof gz - z.avail_out;
  deflateEnd(&z);
}

/* ---- parser and writer -------------------------------------------------- */

static void test_h1_parser_failmem(void **state) {
  (void)state;
  static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                             "\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n";
  int done = 0;
  for (long k = 1; k < 10 && !done; k++) {
    failmem fm;
    failmem_init(&fm);
    fm.fail_at = k;
    hyper_h1_parser *p = NULL;
    int rv = hyper_h1_parser_new(&p, NULL, &fm.mem);
    if (rv) {
      assert_int_equal(rv, HYPER_ERR_NOMEM);
      assert_null(p);
    } else {
      assert_int_equal(hyper_h1_parser_request(p, 0), 0);
      size_t off = 0, len = sizeof resp - 1;
      int ended = 0;
      long before = fm.nalloc;
      while (off < len) {
        int n = hyper_h1_parser_feed(p, (const uint8_t *)resp + off,
                                     len - off);
        assert_true(n >= 0);
        hyper_h1_event ev;
        while (hyper_h1_parser_next_event(p, &ev))
          ended |= ev.type == HYPER_H1_EV_END;
        off += (size_t)n;
      }
      assert_true(ended);
      /* feeding allocates nothing */
      assert_int_equal(fm.nalloc, before);
      hyper_h1_parser_free(p);
      done = fm.nfailed == 0;
    }
    assert_int_equal(fm.live_blocks, 0);
  }
  assert_true(done);
}

static void test_h1_writer_allocates_nothing(void **state) {
  (void)state;
  /* The writer has no allocator parameter at all: it writes into caller
   * buffers. Check the size-then-write contract it relies on instead. */
  hyper_field f[1] = {{(const uint8_t *)"Accept", 6, (const uint8_t *)"*/*",
                       3, 0}};
  hyper_h1_request req;
  memset(&req, 0, sizeof req);
  req.method.ptr = (const uint8_t *)"POST";
  req.method.len = 4;
  req.target.ptr = (const uint8_t *)"/x";
  req.target.len = 2;
  req.authority.ptr = (const uint8_t *)"h";
  req.authority.len = 1;
  req.fields = f;
  req.nfields = 1;
  req.content_length = HYPER_H1_LENGTH_CHUNKED;
  size_t need = 0, w = 0;
  assert_int_equal(hyper_h1_request_len(&req, &need), 0);
  uint8_t buf[256];
  assert_int_equal(hyper_h1_write_request(&req, buf, need - 1, &w),
                   HYPER_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(w, need);
  assert_int_equal(hyper_h1_write_request(&req, buf, sizeof buf, &w), 0);
  assert_int_equal(w, need);
}

/* ---- the client exchange ------------------------------------------------ */

static int s_exchange(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1) {
    char hdr[256];
    int rv = 0;
    if (strncmp(s->last, "GET /chunked ", 13) == 0) {
      rv = h1s_sends(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         "\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\n"
                         "X-Sum: 11\r\n\r\n");
    } else if (strncmp(s->last, "GET /gzip ", 10) == 0) {
      snprintf(hdr, sizeof hdr,
               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
               "Content-Length: %zu\r\n\r\n",
               gz_len);
      rv = h1s_sends(fd, hdr) || h1s_send(fd, gz, gz_len);
    } else {
      snprintf(hdr, sizeof hdr,
               "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-N: 1\r\n\r\n"
               "%010zu",
               s->body_got);
      rv = h1s_sends(fd, hdr);
    }
    if (rv)
      break;
  }
  (void)h1s_drain(fd); /* after EOF: returns at once */
  return 0;
}

typedef struct up {
  size_t left;
} up;

static int up_read(void *user, uint8_t *buf, size_t cap, size_t *n,
                   int *eof) {
  up *u = user;
  size_t k = u->left < cap ? u->left : cap;
  if (k > 3000)
    k = 3000;
  memset(buf, 'u', k);
  u->left -= k;
  *n = k;
  *eof = u->left == 0;
  return 0;
}

/* One exchange; returns 0 when everything worked, else the first error
 * (everything is freed either way). */
static int exchange(uint16_t port, const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  hyper_client *c = NULL;
  int rv = hyper_client_new(&c, host, &o, mem);
  if (rv)
    return rv;
  hyper_hdrs *h = NULL;
  hyper_resp *r[5] = {0};
  uint32_t id[5] = {0};
  up u = {10000};
  hyper_slice b;
  const hyper_hdrs *t;
  if ((rv = hyper_hdrs_new(&h, NULL, mem)) != 0 ||
      (rv = hyper_hdrs_add(h, HYPER_HDRS_LIT("X-Test"), HYPER_HDRS_LIT("1"),
                           0)) != 0 ||
      (rv = hyper_client_request(c, "GET", "/a", NULL, 0, h, &id[0])) != 0 ||
      (rv = hyper_client_request(c, "GET", "/chunked", NULL, 0, NULL,
                                 &id[1])) != 0 ||
      (rv = hyper_client_request(c, "GET", "/gzip", NULL, 0, NULL, &id[2])) !=
          0 ||
      (rv = hyper_client_request(c, "POST", "/p", "12345", 5, NULL,
                                 &id[3])) != 0)
    goto out;
  /* out of order: the later bodies wait in memory */
  if ((rv = hyper_client_get_response(c, id[3], &r[3])) != 0 ||
      (rv = hyper_resp_read_all(r[3], &b)) != 0)
    goto out;
  assert_memory_equal(b.ptr, "0000000005", 10);
  if ((rv = hyper_client_get_response(c, id[1], &r[1])) != 0 ||
      (rv = hyper_resp_trailers(r[1], &t)) != 0 ||
      (rv = hyper_resp_read_all(r[1], &b)) != 0)
    goto out;
  assert_int_equal(b.len, 11);
  if ((rv = hyper_client_get_response(c, id[2], &r[2])) != 0 ||
      (rv = hyper_resp_read_all(r[2], &b)) != 0)
    goto out;
  assert_int_equal(b.len, strlen(plain));
  if ((rv = hyper_client_get_response(c, id[0], &r[0])) != 0 ||
      (rv = hyper_resp_read_all(r[0], &b)) != 0)
    goto out;
  if ((rv = hyper_client_request_stream(c, "PUT", "/up", NULL, up_read, &u,
                                        &id[4])) != 0 ||
      (rv = hyper_client_get_response(c, id[4], &r[4])) != 0 ||
      (rv = hyper_resp_read_all(r[4], &b)) != 0)
    goto out;
  assert_memory_equal(b.ptr, "0000010000", 10);
out:
  for (int i = 0; i < 5; i++)
    hyper_resp_free(r[i]);
  hyper_hdrs_free(h);
  hyper_client_free(c);
  return rv;
}

static void test_h1_client_failmem_sweep(void **state) {
  (void)state;
  make_gzip();
  h1srv s;
  assert_int_equal(h1s_start(&s, s_exchange, NULL), 0);
  /* the reference run: no failure */
  failmem fm;
  failmem_init(&fm);
  assert_int_equal(exchange(s.port, &fm.mem), 0);
  assert_int_equal(fm.live_blocks, 0);
  long total = fm.nalloc;
  assert_true(total > 10);
  long failed_runs = 0;
  for (long k = 1; k <= total + 1; k++) {
    failmem_init(&fm);
    fm.fail_at = k;
    int rv = exchange(s.port, &fm.mem);
    if (fm.nfailed)
      failed_runs++;
    if (rv != 0 && fm.nfailed == 0)
      fail_msg("run %ld failed (%s) without an allocation failure", k,
               hyper_err_name(rv));
    if (fm.live_blocks != 0)
      fail_msg("run %ld (%s): %ld blocks leaked", k, hyper_err_name(rv),
               fm.live_blocks);
  }
  assert_true(failed_runs >= total / 2);
  print_message("h1 client exchange: %ld allocations, %ld failing runs, all "
                "clean\n",
                total, failed_runs);
  h1s_stop(&s);
}

/* ---- max_buffered for pipelined responses -------------------------------- */

/* bodies far larger than max_buffered, so holding them would show */
#define BIG 1000000

static int s_big(h1srv *s, int fd, int conn) {
  (void)conn;
  static char body[BIG];
  memset(body, 'z', sizeof body);
  while (h1s_read_request(s, fd) == 1) {
    char hdr[128];
    snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
             BIG);
    if (h1s_sends(fd, hdr) || h1s_send(fd, body, sizeof body))
      break;
  }
  return 0;
}

static void test_h1_max_buffered_pipelined(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_big, NULL), 0);
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  o.max_buffered = 100000;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s.port);
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, &fm.mem), 0);
  uint32_t id[3];
  for (int i = 0; i < 3; i++)
    assert_int_equal(
        hyper_client_request(c, "GET", "/big", NULL, 0, NULL, &id[i]), 0);
  /* waiting for the third would hold two whole bodies: refused, and the
   * memory held stays near the bound (one read buffer on top) */
  hyper_resp *r3 = NULL, *r;
  assert_int_equal(hyper_client_get_response(c, id[2], &r3),
                   HYPER_ERR_LIMIT_EXCEEDED);
  assert_non_null(strstr(hyper_client_last_error(c)->desc, "max_buffered"));
  /* held: at most max_buffered + one read; the body buffer grows by
   * doubling, so its capacity is at most twice that; plus the read buffer
   * and 64 KiB of everything else. Two whole bodies would be 2 MB. */
  size_t bound = 2 * (100000 + HYPER_CLIENT_DEFAULT_BUFFER_SIZE) +
                 HYPER_CLIENT_DEFAULT_BUFFER_SIZE + 64 * 1024;
  if (fm.peak_bytes >= bound)
    fail_msg("peak %zu octets, bound %zu", fm.peak_bytes, bound);
  assert_true(hyper_client_is_connected(c)); /* not a connection error */
  /* read the earlier ones, then the third comes */
  for (int i = 0; i < 2; i++) {
    assert_int_equal(hyper_client_get_response(c, id[i], &r), 0);
    hyper_slice b;
    assert_int_equal(hyper_resp_read_all(r, &b), 0);
    assert_int_equal(b.len, BIG);
    hyper_resp_free(r);
  }
  assert_int_equal(hyper_client_get_response(c, id[2], &r3), 0);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r3, &b), 0);
  assert_int_equal(b.len, BIG);
  hyper_resp_free(r3);
  /* the bound holds also while a request waits for a pipeline slot: with
   * the default bound, the same three work in any order */
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
}

/* The bound also holds while a request waits for a pipeline slot (the
 * responses ahead of it must be read off the wire first). */
static void test_h1_max_buffered_pipeline_full(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_big, NULL), 0);
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  o.max_buffered = 100000;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  uint32_t id[HYPER_H1_MAX_PIPELINE + 1];
  for (unsigned i = 0; i < HYPER_H1_MAX_PIPELINE; i++)
    assert_int_equal(
        hyper_client_request(c, "GET", "/big", NULL, 0, NULL, &id[i]), 0);
  uint32_t extra;
  assert_int_equal(
      hyper_client_request(c, "GET", "/big", NULL, 0, NULL, &extra),
      HYPER_ERR_LIMIT_EXCEEDED);
  /* reading the first response frees the way */
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id[0], &r), 0);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_int_equal(b.len, BIG);
  hyper_resp_free(r);
  assert_int_equal(
      hyper_client_request(c, "GET", "/big", NULL, 0, NULL, &id[0]), 0);
  hyper_client_free(c);
  h1s_stop(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_h1_parser_failmem),
      cmocka_unit_test(test_h1_writer_allocates_nothing),
      cmocka_unit_test(test_h1_client_failmem_sweep),
      cmocka_unit_test(test_h1_max_buffered_pipelined),
      cmocka_unit_test(test_h1_max_buffered_pipeline_full),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
