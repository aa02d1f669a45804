/* The blocking client against a scripted HTTP/2 server (h2srv.h: hyper's
 * core in the server role on a thread): content decoding (gzip, deflate,
 * br, errors, unsupported codings, decoding off), empty DATA frames as
 * chunks, 1xx responses, trailers, RST_STREAM and FIN in the middle of a
 * body (an error, never a complete body), GOAWAY (streams above the last id
 * fail with a retryable error, the others finish, the connection is not
 * reused), refused streams, and a server that answers and resets while the
 * client is still uploading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <unistd.h>
#include <zlib.h>

#include "h2srv.h"

#include "../decode/br_vectors.h"
#include "../decode/decode_data.h"
#include "failmem.h"
#include "hyper/client.h"

/* ---- bodies ------------------------------------------------------------- */

#define TEXT_LEN 50000
static uint8_t text[TEXT_LEN];
static uint8_t gz[TEXT_LEN + 1024], zl[TEXT_LEN + 1024];
static size_t gz_len, zl_len;
static uint8_t br_plain[1000];

static size_t deflate_with(int window_bits, uint8_t *out, size_t cap) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    return 0;
  z.next_in = text;
  z.avail_in = TEXT_LEN;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rv = deflate(&z, Z_FINISH);
  size_t n = cap - z.avail_out;
  deflateEnd(&z);
  return rv == Z_STREAM_END ? n : 0;
}

/* ---- handlers ----------------------------------------------------------- */

static int h_gzip(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "gzip", "x-seen-accept-encoding",
                      r->accept_encoding, NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, gz, gz_len, 1000, 1);
  return 0;
}

static int h_deflate(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "deflate", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, zl, zl_len, 333, 1);
  return 0;
}

static int h_br(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "br", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, br_text_1000, br_text_1000_LEN, 100, 1);
  return 0;
}

static int h_badgzip(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "gzip", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, "this is not gzip at all", 23, 16384, 1);
  return 0;
}

/* "abc" labelled zstd: not a zstd frame (DECODE_ZSTD) */
static int h_zstd(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "zstd", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, "abc", 3, 16384, 1);
  return 0;
}

/* a coding nobody decodes */
static int h_compress(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "compress", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, "abc", 3, 16384, 1);
  return 0;
}

static int h_empty_frames(h2srv *s, h2srv_req *r) {
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, "a", 1, 16384, 0);
  (void)hyper_h2_send_data(s->c, r->id, NULL, 0, 0);
  h2srv_body(s, r, "b", 1, 16384, 0);
  (void)hyper_h2_send_data(s->c, r->id, NULL, 0, 1);
  return 0;
}

static int h_info(h2srv *s, h2srv_req *r) {
  hyper_field f[1] = {{(const uint8_t *)":status", 7, (const uint8_t *)"103",
                       3, 0}};
  (void)hyper_h2_submit_informational(s->c, r->id, f, 1);
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, "ok", 2, 16384, 1);
  return 0;
}

static int h_trailers(h2srv *s, h2srv_req *r) {
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, "data", 4, 16384, 0);
  hyper_field t[1] = {{(const uint8_t *)"x-checksum", 10,
                       (const uint8_t *)"abc", 3, 0}};
  (void)hyper_h2_submit_trailers(s->c, r->id, t, 1);
  return 0;
}

static uint8_t part[5000];

static int h_rst_mid(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-length", "10000", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, part, sizeof part, 16384, 0);
  (void)hyper_h2_reset_stream(s->c, r->id, HYPER_H2_INTERNAL_ERROR);
  return 0;
}

static int h_fin_mid(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-length", "10000", NULL};
  h2srv_head(s, r, "200", kv, 0);
  h2srv_body(s, r, part, 3000, 16384, 0);
  return 1; /* close the TCP connection */
}

static int h_held(h2srv *s, h2srv_req *r) {
  (void)s;
  (void)r;
  return 0; /* answered by /goaway */
}

static int h_goaway(h2srv *s, h2srv_req *r) {
  /* Everything below this stream is processed, this one is not. */
  (void)hyper_h2_close(s->c, HYPER_H2_NO_ERROR, r->id - 2, NULL, 0);
  for (unsigned i = 0; i < s->nreq; i++)
    if (strcmp(s->reqs[i].path, "/held") == 0) {
      h2srv_head(s, &s->reqs[i], "200", NULL, 0);
      h2srv_body(s, &s->reqs[i], "held", 4, 16384, 1);
    }
  return 0;
}

static int h_refuse(h2srv *s, h2srv_req *r) {
  (void)hyper_h2_reset_stream(s->c, r->id, HYPER_H2_REFUSED_STREAM);
  return 0;
}

static int h_early(h2srv *s, h2srv_req *r) {
  h2srv_head(s, r, "413", NULL, 0);
  h2srv_body(s, r, "too big", 7, 16384, 1);
  (void)hyper_h2_reset_stream(s->c, r->id, HYPER_H2_NO_ERROR);
  return 0;
}

static int h_ok(h2srv *s, h2srv_req *r) {
  h2srv_head(s, r, "200", NULL, 0);
  h2srv_body(s, r, "ok", 2, 16384, 1);
  return 0;
}

static int h_head(h2srv *s, h2srv_req *r) {
  const char *kv[] = {"content-encoding", "gzip", "content-length", "123",
                      NULL};
  h2srv_head(s, r, "200", kv, 1);
  return 0;
}

/* Written to (one octet) when the server sees a request for /flushed. */
static int flushed_pipe[2] = {-1, -1};

static int h_flushed(h2srv *s, h2srv_req *r) {
  (void)!write(flushed_pipe[1], "f", 1);
  return h_ok(s, r);
}

static const h2srv_route routes[] = {
    {"/flushed", h_flushed, 1},
    {"/gzip", h_gzip, 0},
    {"/deflate", h_deflate, 0},
    {"/br", h_br, 0},
    {"/badgzip", h_badgzip, 0},
    {"/zstd", h_zstd, 0},
    {"/compress", h_compress, 0},
    {"/empty-frames", h_empty_frames, 0},
    {"/info", h_info, 0},
    {"/trailers", h_trailers, 0},
    {"/rst-mid", h_rst_mid, 0},
    {"/fin-mid", h_fin_mid, 0},
    {"/held", h_held, 0},
    {"/goaway", h_goaway, 0},
    {"/refuse", h_refuse, 0},
    {"/early", h_early, 1},
    {"/ok", h_ok, 0},
    {"/head", h_head, 0},
    {NULL, NULL, 0},
};

static h2srv srv;

static int group_setup(void **state) {
  (void)state;
  dd_text(text, TEXT_LEN, 7);
  dd_text(br_plain, sizeof br_plain, 1);
  gz_len = deflate_with(31, gz, sizeof gz);
  zl_len = deflate_with(15, zl, sizeof zl);
  for (size_t i = 0; i < sizeof part; i++)
    part[i] = cs_pattern(i);
  if (pipe(flushed_pipe) != 0)
    return -1;
  if (!gz_len || !zl_len || h2srv_start(&srv, routes) != 0)
    return -1;
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  h2srv_stop(&srv);
  close(flushed_pipe[0]);
  close(flushed_pipe[1]);
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static hyper_client *client(const hyper_mem *mem) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, mem), 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
}

static hyper_resp *get(hyper_client *c, const char *path) {
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", path, NULL, 0, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  return r;
}

/* ---- content decoding --------------------------------------------------- */

static void test_client_decode_gzip(void **state) {
  (void)state;
  failmem fm;
  failmem_init(&fm);
  hyper_client *c = client(&fm.mem);
  /* read-all */
  hyper_resp *r = get(c, "/gzip");
  hyper_slice v;
  assert_true(hyper_hdrs_get_first(hyper_resp_headers(r),
                                   HYPER_HDRS_LIT("x-seen-accept-encoding"),
                                   &v));
  assert_int_equal(v.len, strlen(HYPER_CLIENT_DEFAULT_ACCEPT_ENCODING));
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, TEXT_LEN);
  assert_memory_equal(s.ptr, text, TEXT_LEN);
  hyper_resp_free(r);
  /* read(amt) in pieces: counts are decoded octets */
  r = get(c, "/gzip");
  uint8_t buf[777];
  size_t off = 0, n;
  do {
    expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
    assert_true(off + n <= TEXT_LEN);
    assert_memory_equal(buf, text + off, n);
    assert_true(n == sizeof buf || off + n == TEXT_LEN || n == 0);
    off += n;
  } while (n);
  assert_int_equal(off, TEXT_LEN);
  hyper_resp_free(r);
  /* chunks: whatever the decoder made of each frame */
  r = get(c, "/gzip");
  off = 0;
  int rv, chunks = 0;
  hyper_slice ch;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
    assert_memory_equal(ch.ptr, text + off, ch.len);
    off += ch.len;
    chunks++;
  }
  expect_ok(c, rv);
  assert_int_equal(off, TEXT_LEN);
  assert_true(chunks > 2);
  hyper_resp_free(r);
  /* decoding off: the wire octets */
  r = get(c, "/gzip");
  expect_ok(c, hyper_resp_set_decode_content(r, 0));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, gz_len);
  assert_memory_equal(s.ptr, gz, gz_len);
  assert_int_equal(hyper_resp_set_decode_content(r, 1),
                   HYPER_ERR_INVALID_STATE);
  hyper_resp_free(r);
  hyper_client_free(c);
  assert_int_equal(fm.live_blocks, 0);
}

static void test_client_decode_deflate_br(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/deflate");
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, TEXT_LEN);
  assert_memory_equal(s.ptr, text, TEXT_LEN);
  hyper_resp_free(r);
  r = get(c, "/br");
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, sizeof br_plain);
  assert_memory_equal(s.ptr, br_plain, sizeof br_plain);
  hyper_resp_free(r);
  /* br chunk by chunk */
  r = get(c, "/br");
  size_t off = 0;
  hyper_slice ch;
  int rv;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
    assert_memory_equal(ch.ptr, br_plain + off, ch.len);
    off += ch.len;
  }
  expect_ok(c, rv);
  assert_int_equal(off, sizeof br_plain);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_decode_errors(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/badgzip");
  hyper_slice s;
  assert_int_equal(hyper_resp_read_all(r, &s), HYPER_ERR_DECODE_GZIP);
  assert_int_equal(hyper_resp_read_all(r, &s), HYPER_ERR_DECODE_GZIP);
  hyper_resp_free(r);
  r = get(c, "/zstd");
  uint8_t buf[16];
  size_t n;
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &n),
                   HYPER_ERR_DECODE_ZSTD);
  hyper_resp_free(r);
  r = get(c, "/compress");
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &n),
                   HYPER_ERR_UNSUPPORTED_ENCODING);
  hyper_resp_free(r);
  r = get(c, "/compress");
  expect_ok(c, hyper_resp_set_decode_content(r, 0));
  expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  hyper_resp_free(r);
  /* HEAD: a labelled (gzip, content-length 123) but empty body decodes
   * to nothing */
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "HEAD", "/head", NULL, 0, NULL, &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  assert_int_equal(hyper_resp_status(r), 200);
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 0);
  hyper_resp_free(r);
  hyper_client_free(c);
  /* the bomb cap */
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.max_decoded_size = 1000;
  char hp[32];
  (void)snprintf(hp, sizeof hp, "127.0.0.1:%u", (unsigned)srv.port);
  assert_int_equal(hyper_client_new(&c, hp, &o, NULL), 0);
  r = get(c, "/gzip");
  assert_int_equal(hyper_resp_read_all(r, &s), HYPER_ERR_DECODE_RATIO);
  assert_true(strstr(hyper_client_last_error(c)->desc, "decod") != NULL);
  hyper_resp_free(r);
  hyper_client_free(c);
  /* the client option */
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.decode_content = 0;
  o.accept_encoding = NULL;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  r = get(c, "/gzip");
  hyper_slice v;
  assert_true(hyper_hdrs_get_first(hyper_resp_headers(r),
                                   HYPER_HDRS_LIT("x-seen-accept-encoding"),
                                   &v));
  assert_int_equal(v.len, 0); /* none sent */
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, gz_len);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* ---- framing ------------------------------------------------------------ */

static void test_client_empty_data_frames(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/empty-frames");
  const char *want[] = {"a", "", "b", ""};
  hyper_slice ch;
  for (int i = 0; i < 4; i++) {
    assert_int_equal(hyper_resp_read_chunk(r, &ch), 1);
    assert_int_equal(ch.len, strlen(want[i]));
    assert_memory_equal(ch.ptr, want[i], ch.len);
  }
  assert_int_equal(hyper_resp_read_chunk(r, &ch), 0);
  hyper_resp_free(r);
  r = get(c, "/empty-frames");
  uint8_t buf[8];
  size_t n;
  expect_ok(c, hyper_resp_read(r, buf, sizeof buf, &n));
  assert_int_equal(n, 2);
  assert_memory_equal(buf, "ab", 2);
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_informational_and_trailers(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/info");
  assert_int_equal(hyper_resp_status(r), 200); /* 103 skipped */
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 2);
  hyper_resp_free(r);
  r = get(c, "/trailers");
  const hyper_hdrs *t;
  expect_ok(c, hyper_resp_trailers(r, &t));
  hyper_slice v;
  assert_true(hyper_hdrs_get_first(t, HYPER_HDRS_LIT("x-checksum"), &v));
  assert_memory_equal(v.ptr, "abc", 3);
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, "data", 4);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* ---- failures mid-body: never a complete body --------------------------- */

static void test_client_rst_mid_body(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/rst-mid");
  uint8_t *buf = malloc(10000);
  assert_non_null(buf);
  size_t n;
  assert_int_equal(hyper_resp_read(r, buf, 10000, &n),
                   HYPER_ERR_H2_STREAM_CLOSED);
  assert_int_equal(n, sizeof part); /* what arrived, then the error */
  assert_memory_equal(buf, part, n);
  assert_int_equal(hyper_client_last_error(c)->h2_code,
                   HYPER_H2_INTERNAL_ERROR);
  free(buf);
  hyper_slice s;
  assert_int_equal(hyper_resp_read_all(r, &s), HYPER_ERR_H2_STREAM_CLOSED);
  hyper_resp_free(r);
  /* the connection is fine */
  r = get(c, "/ok");
  expect_ok(c, hyper_resp_read_all(r, &s));
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_client_fin_mid_body(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/fin-mid");
  hyper_slice s;
  assert_int_equal(hyper_resp_read_all(r, &s), HYPER_ERR_EOF);
  const hyper_hdrs *t;
  assert_int_equal(hyper_resp_trailers(r, &t), HYPER_ERR_EOF);
  uint8_t buf[16];
  size_t n;
  /* the octets that did arrive can still be read, then the error */
  int rv;
  size_t total = 0;
  while ((rv = hyper_resp_read(r, buf, sizeof buf, &n)) == 0 && n)
    total += n;
  assert_int_equal(rv, HYPER_ERR_EOF);
  assert_int_equal(total + n, 3000);
  hyper_resp_free(r);
  assert_false(hyper_client_is_connected(c));
  /* the failure is sticky until the client is closed */
  assert_int_equal(hyper_client_request(c, "GET", "/ok", NULL, 0, NULL, NULL),
                   HYPER_ERR_EOF);
  expect_ok(c, hyper_client_close(c, 0));
  r = get(c, "/ok");
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, "ok", 2);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* ---- GOAWAY, refused streams, early answers ----------------------------- */

static void test_client_goaway(void **state) {
  (void)state;
  /* without automatic retries (test_client_retry.c has them): the error
   * reaches the caller; this server serves one connection at a time */
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  o.max_retries = 0;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  uint32_t a, b, g;
  expect_ok(c, hyper_client_request(c, "GET", "/held", NULL, 0, NULL, &a));
  expect_ok(c, hyper_client_request(c, "GET", "/held", NULL, 0, NULL, &b));
  expect_ok(c, hyper_client_request(c, "GET", "/goaway", NULL, 0, NULL, &g));
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, g, &r), HYPER_ERR_H2_GOAWAY);
  /* streams up to the last id finish */
  hyper_slice s;
  expect_ok(c, hyper_client_get_response(c, a, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, "held", 4);
  hyper_resp_free(r);
  expect_ok(c, hyper_client_get_response(c, b, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  hyper_resp_free(r);
  /* no new stream on this connection */
  assert_int_equal(hyper_client_request(c, "GET", "/ok", NULL, 0, NULL, NULL),
                   HYPER_ERR_H2_GOAWAY);
  uint32_t p;
  assert_int_equal(hyper_client_putrequest(c, "GET", "/ok", &p),
                   HYPER_ERR_H2_GOAWAY);
  /* a new connection */
  unsigned before = srv.connections;
  expect_ok(c, hyper_client_close(c, HYPER_H2_NO_ERROR));
  r = get(c, "/ok");
  assert_int_equal(hyper_resp_stream_id(r), 1);
  hyper_resp_free(r);
  assert_true(srv.connections > before);
  hyper_client_free(c);
}

static void test_client_refused_stream(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "GET", "/refuse", NULL, 0, NULL, &id));
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r),
                   HYPER_ERR_H2_REFUSED_STREAM);
  assert_int_equal(hyper_client_last_error(c)->h2_code,
                   HYPER_H2_REFUSED_STREAM);
  assert_int_equal(hyper_client_last_error(c)->stream_id, id);
  r = get(c, "/ok");
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* The server answers 413 and resets (NO_ERROR) while the client still has
 * megabytes to send: sending stops, the call succeeds, the answer is
 * there. */
static void test_client_early_response_during_upload(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  size_t n = 8u << 20; /* above the server's 4 MiB stream window */
  uint8_t *b = calloc(1, n);
  assert_non_null(b);
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "POST", "/early", b, n, NULL, &id));
  hyper_resp *r;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  assert_int_equal(hyper_resp_status(r), 413);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, "too big", 7);
  hyper_resp_free(r);
  free(b);
  r = get(c, "/ok");
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* close() sends GOAWAY with the code given; free() with NO_ERROR. */
static int wait_goaways(int want) {
  int64_t end = cs_now_ms() + TS_SAFETY_MS;
  while (__atomic_load_n(&srv.goaways, __ATOMIC_SEQ_CST) < want &&
         cs_now_ms() < end) {
    struct pollfd none;
    (void)poll(&none, 0, 5);
  }
  return __atomic_load_n(&srv.goaways, __ATOMIC_SEQ_CST);
}

static void test_client_close_sends_goaway(void **state) {
  (void)state;
  hyper_client *c = client(NULL);
  hyper_resp *r = get(c, "/ok");
  hyper_resp_free(r);
  /* the server serves one connection at a time: the earlier tests' are
   * done (and their GOAWAYs counted) once this one is answered */
  int before = __atomic_load_n(&srv.goaways, __ATOMIC_SEQ_CST);
  expect_ok(c, hyper_client_close(c, HYPER_H2_ENHANCE_YOUR_CALM));
  assert_int_equal(wait_goaways(before + 1), before + 1);
  assert_int_equal(srv.goaway_code, HYPER_H2_ENHANCE_YOUR_CALM);
  r = get(c, "/ok"); /* reconnects */
  hyper_resp_free(r);
  hyper_client_free(c);
  assert_int_equal(wait_goaways(before + 2), before + 2);
  assert_int_equal(srv.goaway_code, HYPER_H2_NO_ERROR);
}

/* The trace hook sees the frames both ways. */
typedef struct trace_count {
  unsigned sent, recv, fields;
  unsigned data_frames, small_data_frames;
  size_t data_bytes;
} trace_count;

static void on_trace(const hyper_h2_trace *rec, void *user) {
  trace_count *t = user;
  if (rec->kind == HYPER_H2_TRACE_FRAME_SENT &&
      rec->frame->hdr.type == HYPER_H2_FRAME_DATA) {
    t->data_frames++;
    t->data_bytes += rec->frame->hdr.length;
    if (rec->frame->hdr.length < 16384)
      t->small_data_frames++;
  }
  if (rec->kind == HYPER_H2_TRACE_FRAME_SENT)
    t->sent++;
  else if (rec->kind == HYPER_H2_TRACE_FRAME_RECV)
    t->recv++;
  else if (rec->kind == HYPER_H2_TRACE_FIELDS_RECV)
    t->fields++;
}

static void test_client_trace_hook(void **state) {
  (void)state;
  trace_count t = {0, 0, 0, 0, 0, 0};
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.trace = on_trace;
  o.trace_user = &t;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  hyper_resp *r = get(c, "/trailers");
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  hyper_resp_free(r);
  /* request bodies go out in frames of the peer's max frame size, not in
   * small fixed chunks */
  static uint8_t body[16384 * 8];
  uint32_t id;
  expect_ok(c, hyper_client_request(c, "POST", "/ok", body, sizeof body,
                                    NULL, &id));
  expect_ok(c, hyper_client_get_response(c, id, &r));
  hyper_resp_free(r);
  assert_int_equal(t.data_bytes, sizeof body);
  assert_true(t.data_frames >= 8 && t.data_frames <= 10);
  assert_true(t.small_data_frames <= 2); /* window edges only */
  hyper_client_free(c);
  assert_true(t.sent >= 3); /* SETTINGS, WINDOW_UPDATE, HEADERS, ... */
  assert_true(t.recv >= 4); /* SETTINGS, HEADERS, DATA, HEADERS */
  assert_true(t.fields >= 2); /* response and trailers */
}

/* hyper_client_flush() writes a request held back by coalesce_requests
 * without any call waiting on the connection. */
static int flushed_seen(int timeout_ms) {
  struct pollfd p = {flushed_pipe[0], POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1)
    return 0;
  char b;
  return read(flushed_pipe[0], &b, 1) == 1;
}

static void test_client_flush(void **state) {
  (void)state;
  assert_int_equal(hyper_client_flush(NULL), HYPER_ERR_INVALID_ARGUMENT);
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = 0;
  o.coalesce_requests = 1;
  o.request_timeout_ms = 10000;
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)srv.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  expect_ok(c, hyper_client_flush(c)); /* not connected: nothing to do */
  uint32_t a, b;
  expect_ok(c, hyper_client_request(c, "GET", "/ok", NULL, 0, NULL, &a));
  expect_ok(c, hyper_client_request(c, "GET", "/flushed", NULL, 0, NULL, &b));
  /* /ok is unfetched: /flushed is queued, not on the wire */
  assert_false(flushed_seen(0));
  expect_ok(c, hyper_client_flush(c));
  /* the server sees it with no call on |c| (TS_SAFETY_MS: a bound only) */
  assert_true(flushed_seen(TS_SAFETY_MS));
  expect_ok(c, hyper_client_flush(c)); /* nothing queued */
  hyper_resp *r;
  hyper_slice s;
  expect_ok(c, hyper_client_get_response(c, b, &r));
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 2);
  hyper_resp_free(r);
  expect_ok(c, hyper_client_get_response(c, a, &r));
  hyper_resp_free(r);
  hyper_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_decode_gzip),
      cmocka_unit_test(test_client_decode_deflate_br),
      cmocka_unit_test(test_client_decode_errors),
      cmocka_unit_test(test_client_empty_data_frames),
      cmocka_unit_test(test_client_informational_and_trailers),
      cmocka_unit_test(test_client_rst_mid_body),
      cmocka_unit_test(test_client_fin_mid_body),
      cmocka_unit_test(test_client_goaway),
      cmocka_unit_test(test_client_refused_stream),
      cmocka_unit_test(test_client_early_response_during_upload),
      cmocka_unit_test(test_client_close_sends_goaway),
      cmocka_unit_test(test_client_trace_hook),
      cmocka_unit_test(test_client_flush),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
