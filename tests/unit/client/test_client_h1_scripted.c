/* The blocking client over HTTP/1.1 (protocol HYPER_CLIENT_PROTO_HTTP11)
 * against scripted servers (h1srv.h): keep-alive reuse, Connection: close,
 * pipelined requests fetched in any order, chunked bodies with trailers,
 * read_chunk, gzip, close-delimited bodies, HEAD, chunked uploads, a
 * response abandoned mid-body, HOSTILE-PEERS group I (I.1-I.11), an
 * upload that goes on through a 100 Continue, and the Upgrade: h2c offer
 * (its fields, declined, a 101 to another protocol, not with a streamed
 * body). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include <zlib.h>

#include "h1srv.h"
#include "hyper/client.h"

static hyper_client *mk(h1srv *s) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  o.secure = HYPER_CLIENT_SECURE_AUTO; /* port != 443: cleartext */
  o.read_timeout_ms = 5000;
  o.connect_timeout_ms = 5000;
  o.request_timeout_ms = 10000;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s->port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  return c;
}

/* GET |path| and read the whole body; returns the status or an error. */
static int get_body(hyper_client *c, const char *path, char *out, size_t cap,
                    size_t *len) {
  uint32_t id;
  int rv = hyper_client_request(c, "GET", path, NULL, 0, NULL, &id);
  if (rv)
    return rv;
  hyper_resp *r;
  if ((rv = hyper_client_get_response(c, id, &r)) != 0)
    return rv;
  hyper_slice b;
  rv = hyper_resp_read_all(r, &b);
  int st = hyper_resp_status(r);
  if (!rv && out) {
    assert_true(b.len < cap);
    if (b.len)
      memcpy(out, b.ptr, b.len);
    out[b.len] = '\0';
    *len = b.len;
  }
  hyper_resp_free(r);
  return rv ? rv : st;
}

/* ---- keep-alive --------------------------------------------------------- */

static int s_keepalive(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1) {
    char resp[256];
    const char *path = strchr(s->last, ' ') + 1;
    int k = (int)(strchr(path, ' ') - path);
    snprintf(resp, sizeof resp,
             "HTTP/1.1 200 Fine Thanks\r\nContent-Length: %d\r\nX-A: 1\r\n"
             "x-a: 2\r\n\r\n%.*s",
             k, k, path);
    if (h1s_sends(fd, resp))
      break;
  }
  return 0;
}

static void test_client_h1_keepalive_reuse(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_keepalive, NULL), 0);
  hyper_client *c = mk(&s);
  for (int i = 0; i < 50; i++) {
    char path[32], body[64];
    size_t n;
    snprintf(path, sizeof path, "/item/%d", i);
    assert_int_equal(get_body(c, path, body, sizeof body, &n), 200);
    assert_string_equal(body, path);
  }
  assert_string_equal(hyper_client_protocol(c), "http/1.1");
  /* status, reason, headers, Host, accept-encoding */
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/h", NULL, 0, NULL, &id), 0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, 0, &r), 0);
  assert_int_equal(hyper_resp_stream_id(r), id);
  assert_string_equal(hyper_resp_reason(r), "Fine Thanks");
  assert_int_equal(
      hyper_hdrs_count_name(hyper_resp_headers(r), HYPER_HDRS_LIT("x-a")), 2);
  char buf[8];
  size_t got;
  assert_int_equal(hyper_resp_read(r, buf, 1, &got), 0);
  assert_int_equal(got, 1);
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &got), 0);
  assert_int_equal(got, 1);
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &got), 0);
  assert_int_equal(got, 0);
  hyper_resp_free(r);
  /* close(socket_close=True): the next request opens a new connection */
  assert_int_equal(hyper_client_request(c, "GET", "/s", NULL, 0, NULL, &id), 0);
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_close_socket(r), 0);
  hyper_resp_free(r);
  assert_false(hyper_client_is_connected(c));
  char body[64];
  size_t nb;
  assert_int_equal(get_body(c, "/t", body, sizeof body, &nb), 200);
  assert_string_equal(body, "/t");
  assert_non_null(strstr(s.last, "\r\nHost: 127.0.0.1:"));
  assert_non_null(strstr(s.last, "\r\nAccept-Encoding: gzip"));
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 2);
  assert_int_equal(s.requests, 53);
}

/* ---- Connection: close -------------------------------------------------- */

static int s_close_each(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request(s, fd) == 1)
    h1s_sends(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                  "Content-Length: 2\r\n\r\nok");
  shutdown(fd, SHUT_WR); /* lingering close: no RST over unread input */
  h1s_drain(fd);
  return 0;
}

static void test_client_h1_connection_close(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_close_each, NULL), 0);
  hyper_client *c = mk(&s);
  for (int i = 0; i < 3; i++) {
    char body[8];
    size_t n;
    assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200);
    assert_string_equal(body, "ok");
  }
  /* Pipelined behind a Connection: close response: GETs are sent again on
   * a new connection. */
  uint32_t a, b;
  assert_int_equal(hyper_client_request(c, "GET", "/a", NULL, 0, NULL, &a), 0);
  assert_int_equal(hyper_client_request(c, "GET", "/b", NULL, 0, NULL, &b), 0);
  hyper_resp *rb, *ra;
  assert_int_equal(hyper_client_get_response(c, b, &rb), 0);
  assert_int_equal(hyper_client_get_response(c, a, &ra), 0);
  hyper_slice x;
  assert_int_equal(hyper_resp_read_all(ra, &x), 0);
  assert_int_equal(x.len, 2);
  assert_int_equal(hyper_resp_read_all(rb, &x), 0);
  assert_int_equal(x.len, 2);
  hyper_resp_free(ra);
  hyper_resp_free(rb);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 5);
}

/* ---- pipelining --------------------------------------------------------- */

static void test_client_h1_pipelined_any_order(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_keepalive, NULL), 0);
  hyper_client *c = mk(&s);
  uint32_t id[4];
  const char *paths[4] = {"/one", "/two", "/three", "/four"};
  for (int i = 0; i < 4; i++)
    assert_int_equal(
        hyper_client_request(c, "GET", paths[i], NULL, 0, NULL, &id[i]), 0);
  assert_int_equal(id[0], 1);
  assert_int_equal(id[1], 3);
  int order[4] = {2, 0, 3, 1};
  for (int k = 0; k < 4; k++) {
    int i = order[k];
    hyper_resp *r;
    assert_int_equal(hyper_client_get_response(c, id[i], &r), 0);
    hyper_slice b;
    assert_int_equal(hyper_resp_read_all(r, &b), 0);
    assert_int_equal(b.len, strlen(paths[i]));
    assert_memory_equal(b.ptr, paths[i], b.len);
    hyper_resp_free(r);
  }
  assert_int_equal(hyper_client_get_response(c, id[0], &(hyper_resp *){NULL}),
                   HYPER_ERR_INVALID_STATE);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
}

static void test_client_h1_pipeline_beyond_limit(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_keepalive, NULL), 0);
  hyper_client *c = mk(&s);
  enum { N = 150 };
  uint32_t id[N];
  for (int i = 0; i < N; i++) {
    char path[32];
    snprintf(path, sizeof path, "/p%d", i);
    assert_int_equal(
        hyper_client_request(c, "GET", path, NULL, 0, NULL, &id[i]), 0);
  }
  for (int i = N - 1; i >= 0; i--) {
    char path[32];
    snprintf(path, sizeof path, "/p%d", i);
    hyper_resp *r;
    assert_int_equal(hyper_client_get_response(c, id[i], &r), 0);
    hyper_slice b;
    assert_int_equal(hyper_resp_read_all(r, &b), 0);
    assert_int_equal(b.len, strlen(path));
    assert_memory_equal(b.ptr, path, b.len);
    hyper_resp_free(r);
  }
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
}

/* ---- bodies ------------------------------------------------------------- */

static uint8_t gz[4096];
static size_t gz_len;
static const char plain[] = "hello hello hello hello hello gzip world\n";

static int s_bodies(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1) {
    if (strncmp(s->last, "GET /chunked ", 13) == 0) {
      h1s_sends(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n"
                    "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n");
    } else if (strncmp(s->last, "GET /gzip ", 10) == 0) {
      char head[128];
      snprintf(head, sizeof head,
               "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
               "Content-Length: %zu\r\n\r\n",
               gz_len);
      h1s_sends(fd, head);
      h1s_send(fd, gz, gz_len);
    } else if (strncmp(s->last, "HEAD ", 5) == 0) {
      h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    } else if (strncmp(s->last, "GET /204 ", 9) == 0) {
      h1s_sends(fd, "HTTP/1.1 204 No Content\r\n\r\n");
    } else if (strncmp(s->last, "POST /upload ", 13) == 0) {
      char resp[128];
      snprintf(resp, sizeof resp,
               "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n%010zu",
               s->body_got);
      h1s_sends(fd, resp);
    } else if (strncmp(s->last, "GET /close-delimited ", 21) == 0) {
      h1s_sends(fd, "HTTP/1.0 200 OK\r\n\r\nuntil the end");
      return 0;
    } else if (strncmp(s->last, "GET /big ", 9) == 0) {
      h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
      static char big[100000];
      for (int i = 0; i < 10; i++)
        if (h1s_send(fd, big, sizeof big))
          return 0;
    } else {
      h1s_sends(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
  }
  return 0;
}

static void test_client_h1_chunked_trailers(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_bodies, NULL), 0);
  hyper_client *c = mk(&s);
  uint32_t id;
  assert_int_equal(
      hyper_client_request(c, "GET", "/chunked", NULL, 0, NULL, &id), 0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  char all[32] = {0};
  size_t len = 0;
  hyper_slice ch;
  int rv, n = 0;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
    memcpy(all + len, ch.ptr, ch.len);
    len += ch.len;
    n++;
  }
  assert_int_equal(rv, 0);
  assert_true(n >= 3); /* never spanning two chunks */
  assert_string_equal(all, "hello world");
  const hyper_hdrs *t;
  assert_int_equal(hyper_resp_trailers(r, &t), 0);
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(t, HYPER_HDRS_LIT("x-checksum"), &v),
                   1);
  assert_memory_equal(v.ptr, "abc", 3);
  hyper_resp_free(r);
  hyper_client_free(c);
  h1s_stop(&s);
}

static void test_client_h1_gzip_and_raw(void **state) {
  (void)state;
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
  h1srv s;
  assert_int_equal(h1s_start(&s, s_bodies, NULL), 0);
  hyper_client *c = mk(&s);
  char body[256];
  size_t n;
  assert_int_equal(get_body(c, "/gzip", body, sizeof body, &n), 200);
  assert_string_equal(body, plain);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/gzip", NULL, 0, NULL, &id),
                   0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_set_decode_content(r, 0), 0);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_int_equal(b.len, gz_len);
  assert_memory_equal(b.ptr, gz, gz_len);
  hyper_resp_free(r);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
}

static void test_client_h1_head_204_close_delimited(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_bodies, NULL), 0);
  hyper_client *c = mk(&s);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "HEAD", "/x", NULL, 0, NULL, &id),
                   0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_int_equal(b.len, 0);
  hyper_resp_free(r);
  char body[64];
  size_t n;
  assert_int_equal(get_body(c, "/204", body, sizeof body, &n), 204);
  assert_int_equal(n, 0);
  assert_int_equal(get_body(c, "/close-delimited", body, sizeof body, &n), 200);
  assert_string_equal(body, "until the end");
  assert_int_equal(get_body(c, "/204", body, sizeof body, &n), 204);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 2);
}

typedef struct up {
  size_t left;
} up;

static int up_read(void *user, uint8_t *buf, size_t cap, size_t *n, int *eof) {
  up *u = user;
  size_t k = u->left < cap ? u->left : cap;
  if (k > 1000)
    k = 1000;
  memset(buf, 'u', k);
  u->left -= k;
  *n = k;
  *eof = u->left == 0;
  return 0;
}

static void test_client_h1_upload_chunked_and_length(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_bodies, NULL), 0);
  hyper_client *c = mk(&s);
  up u = {12345};
  uint32_t id;
  assert_int_equal(
      hyper_client_request_stream(c, "POST", "/upload", NULL, up_read, &u, &id),
      0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_non_null(strstr(s.last, "Transfer-Encoding: chunked"));
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_memory_equal(b.ptr, "0000012345", 10);
  hyper_resp_free(r);
  static char body[200000];
  memset(body, 'b', sizeof body);
  assert_int_equal(
      hyper_client_request(c, "POST", "/upload", body, sizeof body, NULL, &id),
      0);
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_memory_equal(b.ptr, "0000200000", 10);
  hyper_resp_free(r);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
}

static void test_client_h1_abandon_mid_body(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_bodies, NULL), 0);
  hyper_client *c = mk(&s);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/big", NULL, 0, NULL, &id),
                   0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  char buf[100];
  size_t got;
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &got), 0);
  assert_int_equal(got, sizeof buf);
  assert_int_equal(hyper_resp_close(r), 0);
  assert_int_equal(hyper_resp_read(r, buf, sizeof buf, &got),
                   HYPER_ERR_INVALID_STATE);
  hyper_resp_free(r);
  char body[64];
  size_t n;
  assert_int_equal(get_body(c, "/204", body, sizeof body, &n), 204);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 2);
}

/* ---- HOSTILE-PEERS group I --------------------------------------------- */

/* Answers the first request with |user| (raw), then 200 "ok" on the next
 * connection's requests. */
static int s_hostile(h1srv *s, int fd, int conn) {
  if (conn == 0) {
    if (h1s_read_request(s, fd) == 1)
      h1s_sends(fd, (const char *)s->user);
    h1s_drain(fd);
    return 0;
  }
  while (h1s_read_request(s, fd) == 1)
    h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  return 0;
}

/* Runs one hostile response: the first GET must fail (at get_response or
 * while reading the body) with |want|, the next one succeed on a new
 * connection. */
static void hostile(const char *raw, int want) {
  h1srv s;
  assert_int_equal(h1s_start(&s, s_hostile, (void *)raw), 0);
  hyper_client *c = mk(&s);
  char body[64];
  size_t n;
  int rv = get_body(c, "/", body, sizeof body, &n);
  if (rv != want)
    fail_msg("got %d (%s), want %s: %s", rv, hyper_err_name(rv),
             hyper_err_name(want), hyper_client_last_error(c)->desc);
  assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200);
  assert_string_equal(body, "ok");
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 2);
}

static void test_client_h1_hostile_i1_cl_and_te(void **state) {
  (void)state;
  hostile("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
          "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
          HYPER_ERR_H1_LENGTH);
  hostile("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
          "hello!",
          HYPER_ERR_H1_LENGTH);
}

static void test_client_h1_hostile_i2_chunk_garbage(void **state) {
  (void)state;
  hostile("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "zz\r\nhello\r\n0\r\n\r\n",
          HYPER_ERR_H1_CHUNKED);
  hostile("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "fffffffffffffffffff\r\nhello\r\n",
          HYPER_ERR_H1_CHUNKED);
}

static char huge[80000];

static void test_client_h1_hostile_i3_huge_header(void **state) {
  (void)state;
  strcpy(huge, "HTTP/1.1 200 OK\r\nX-Big: ");
  size_t n = strlen(huge);
  memset(huge + n, 'a', 70000);
  strcpy(huge + n + 70000, "\r\nContent-Length: 0\r\n\r\n");
  hostile(huge, HYPER_ERR_H1_TOO_LARGE);
}

static void test_client_h1_hostile_i4_bare_cr_nul_fold(void **state) {
  (void)state;
  hostile("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
          HYPER_ERR_H1_PARSE);
  hostile("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
          HYPER_ERR_H1_PARSE);
}

static void test_client_h1_hostile_i6_http09(void **state) {
  (void)state;
  hostile("<html>hello</html>\n", HYPER_ERR_H1_PARSE);
}

static void test_client_h1_hostile_i7_101_unasked(void **state) {
  (void)state;
  hostile("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n"
          "Connection: Upgrade\r\n\r\n",
          HYPER_ERR_H1_PARSE);
}

static char flood[4096];

static void test_client_h1_hostile_i8_1xx_flood(void **state) {
  (void)state;
  flood[0] = '\0';
  for (int i = 0; i < 40; i++)
    strcat(flood, "HTTP/1.1 103 Early Hints\r\n\r\n");
  strcat(flood, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  hostile(flood, HYPER_ERR_H1_TOO_LARGE);
}

static void test_client_h1_hostile_i11_signed_length(void **state) {
  (void)state;
  hostile("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
          HYPER_ERR_H1_LENGTH);
}

/* I.5: extra octets after the declared body: the response is complete, the
 * connection is not used again. */
static int s_longer(h1srv *s, int fd, int conn) {
  (void)conn;
  while (h1s_read_request(s, fd) == 1)
    if (h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"))
      break;
  return 0;
}

static void test_client_h1_hostile_i5_body_longer(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_longer, NULL), 0);
  hyper_client *c = mk(&s);
  char body[64];
  size_t n;
  assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200);
  assert_string_equal(body, "ok");
  assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200);
  assert_string_equal(body, "ok");
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 2);
}

/* I.9: the server reads the second request on a kept-alive connection and
 * closes without a word. A GET goes again once; a POST fails. */
static int s_close_second(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request(s, fd) != 1)
    return 0;
  h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  (void)h1s_read_request(s, fd); /* ... and close */
  return 0;
}

static void test_client_h1_hostile_i9_retry_once(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_close_second, NULL), 0);
  hyper_client *c = mk(&s);
  char body[64];
  size_t n;
  assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200);
  assert_int_equal(get_body(c, "/again", body, sizeof body, &n), 200);
  assert_string_equal(body, "ok");
  assert_int_equal(s.conns, 2);
  /* conn 1 now closes on its second request: a POST is not retried */
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "POST", "/p", "x", 1, NULL, &id), 0);
  hyper_resp *r = NULL;
  assert_int_equal(hyper_client_get_response(c, id, &r), HYPER_ERR_EOF);
  assert_null(r);
  /* the same for a GET on conn 2: sent again on conn 3 */
  assert_int_equal(get_body(c, "/", body, sizeof body, &n), 200); /* conn 2 */
  assert_int_equal(hyper_client_request(c, "GET", "/x", NULL, 0, NULL, &id), 0);
  assert_int_equal(hyper_client_get_response(c, id, &r), 0); /* conn 3 */
  hyper_resp_free(r);
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 4);
}

/* I.10: the server answers 413 after the head and drains: uploading stops,
 * the response is kept, the connection is not reused. */
static int s_early(h1srv *s, int fd, int conn) {
  if (conn == 0) {
    if (h1s_read_request_max(s, fd, 0) != 1)
      return 0;
    h1s_sends(fd, "HTTP/1.1 413 Too Large\r\nConnection: close\r\n"
                  "Content-Length: 4\r\n\r\nnope");
    s->body_got = h1s_drain(fd);
    return 0;
  }
  while (h1s_read_request(s, fd) == 1)
    h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  return 0;
}

static void test_client_h1_hostile_i10_early_response(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_early, NULL), 0);
  hyper_client *c = mk(&s);
  size_t big = 64u << 20;
  uint8_t *body = calloc(1, big);
  assert_non_null(body);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "PUT", "/up", body, big, NULL, &id),
                   0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_status(r), 413);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_memory_equal(b.ptr, "nope", 4);
  hyper_resp_free(r);
  char out[16];
  size_t n;
  assert_int_equal(get_body(c, "/", out, sizeof out, &n), 200);
  hyper_client_free(c);
  h1s_stop(&s);
  free(body);
  assert_int_equal(s.conns, 2);
}

/* A server that never answers: the request deadline bounds the wait and
 * does not break the client. */
static int s_silent(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request(s, fd) == 1)
    h1s_drain(fd);
  return 0;
}

static void test_client_h1_request_timeout(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_silent, NULL), 0);
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_HTTP11;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 200;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s.port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id), 0);
  hyper_resp *r = NULL;
  assert_int_equal(hyper_client_get_response(c, id, &r), HYPER_ERR_TIMEOUT);
  assert_true(hyper_client_is_connected(c));
  hyper_client_free(c); /* closes: the server's drain ends */
  h1s_stop(&s);
}

/* ---- 100 Continue during an upload --------------------------------------- */

#define CONT_LEN (1u << 20)

/* Answers 100 Continue as soon as the head is in, then reads the whole
 * body (the client is still sending it) and answers with its length. */
static int s_continue(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request_max(s, fd, 0) != 1 ||
      h1s_sends(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
    return 0;
  size_t got = 0;
  char tmp[16384];
  while (got < CONT_LEN) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, H1S_WAIT_MS) <= 0)
      return 0;
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0)
      return 0;
    got += (size_t)n;
  }
  char resp[96];
  snprintf(resp, sizeof resp,
           "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n%010zu", got);
  (void)h1s_sends(fd, resp);
  (void)h1s_read_request(s, fd); /* until the client closes */
  return 0;
}

/* An interim response is not an early answer (RFC 9110 §15.2): the upload
 * goes on to its end. */
static void test_client_h1_continue_during_upload(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_continue, NULL), 0);
  hyper_client *c = mk(&s);
  static char body[CONT_LEN];
  memset(body, 'c', sizeof body);
  uint32_t id;
  assert_int_equal(
      hyper_client_request(c, "PUT", "/up", body, sizeof body, NULL, &id), 0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_status(r), 200);
  hyper_slice b;
  assert_int_equal(hyper_resp_read_all(r, &b), 0);
  assert_int_equal(b.len, 10);
  assert_memory_equal(b.ptr, "0001048576", 10);
  hyper_resp_free(r);
  hyper_client_free(c);
  h1s_stop(&s);
}

/* ---- Upgrade: h2c edge cases --------------------------------------------- */

static hyper_client *mk_upgrade(h1srv *s) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = HYPER_CLIENT_PROTO_H2C_UPGRADE;
  o.secure = 0;
  o.read_timeout_ms = 5000;
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)s->port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  return c;
}

static char offers[2][4096]; /* the heads of the first two requests */

/* Declines: answers every request with HTTP/1.1, keeping the heads. */
static int s_decline(h1srv *s, int fd, int conn) {
  (void)conn;
  int n = 0;
  while (h1s_read_request(s, fd) == 1) {
    if (n < 2)
      memcpy(offers[n], s->last, sizeof offers[n]);
    n++;
    if (h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
      break;
  }
  return 0;
}

static void test_client_h1_upgrade_offer_declined(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_decline, NULL), 0);
  hyper_client *c = mk_upgrade(&s);
  char body[8];
  size_t len;
  assert_int_equal(get_body(c, "/one", body, sizeof body, &len), 200);
  assert_int_equal(get_body(c, "/two", body, sizeof body, &len), 200);
  assert_string_equal(body, "ok");
  assert_string_equal(hyper_client_protocol(c), "http/1.1");
  hyper_client_free(c);
  h1s_stop(&s);
  assert_int_equal(s.conns, 1);
  /* RFC 7540 §3.2: Upgrade, Connection naming both, HTTP2-Settings */
  assert_non_null(strstr(offers[0], "\r\nUpgrade: h2c\r\n"));
  assert_non_null(
      strstr(offers[0], "\r\nConnection: Upgrade, HTTP2-Settings\r\n"));
  const char *hs = strstr(offers[0], "\r\nHTTP2-Settings: ");
  assert_non_null(hs);
  for (const char *p = hs + 18; *p != '\r'; p++) /* base64url, no '=' */
    assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
  /* declined once: no further offer */
  assert_null(strstr(offers[1], "Upgrade"));
  assert_null(strstr(offers[1], "HTTP2-Settings"));
}

/* 101 to something else than h2c: the request fails, clearly. */
static int s_wrong_101(h1srv *s, int fd, int conn) {
  (void)conn;
  if (h1s_read_request(s, fd) == 1)
    (void)h1s_sends(fd, "HTTP/1.1 101 Switching Protocols\r\n"
                        "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  (void)h1s_drain(fd);
  return 0;
}

static void test_client_h1_upgrade_wrong_101(void **state) {
  (void)state;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_wrong_101, NULL), 0);
  hyper_client *c = mk_upgrade(&s);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id), 0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), HYPER_ERR_H1_PARSE);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  h1s_stop(&s);
}

/* A streamed body never carries the offer; the next request does. */
static int s_count_offers(h1srv *s, int fd, int conn) {
  (void)conn;
  int *n = s->user;
  while (h1s_read_request(s, fd) == 1) {
    if (strstr(s->last, "Upgrade: h2c"))
      (*n)++;
    if (h1s_sends(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
      break;
  }
  return 0;
}

static int one_byte(void *user, uint8_t *buf, size_t cap, size_t *n,
                    int *eof) {
  (void)user;
  (void)cap;
  buf[0] = 'x';
  *n = 1;
  *eof = 1;
  return 0;
}

static void test_client_h1_upgrade_not_with_streamed_body(void **state) {
  (void)state;
  int n = 0;
  h1srv s;
  assert_int_equal(h1s_start(&s, s_count_offers, &n), 0);
  hyper_client *c = mk_upgrade(&s);
  uint32_t id;
  assert_int_equal(
      hyper_client_request_stream(c, "POST", "/s", NULL, one_byte, NULL, &id),
      0);
  hyper_resp *r;
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  hyper_resp_free(r);
  assert_int_equal(n, 0);
  char body[8];
  size_t len;
  assert_int_equal(get_body(c, "/g", body, sizeof body, &len), 200);
  assert_int_equal(n, 1); /* the first request that qualifies */
  assert_int_equal(get_body(c, "/g", body, sizeof body, &len), 200);
  assert_int_equal(n, 1); /* declined (200): never again */
  hyper_client_free(c);
  h1s_stop(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_h1_keepalive_reuse),
      cmocka_unit_test(test_client_h1_connection_close),
      cmocka_unit_test(test_client_h1_pipelined_any_order),
      cmocka_unit_test(test_client_h1_pipeline_beyond_limit),
      cmocka_unit_test(test_client_h1_chunked_trailers),
      cmocka_unit_test(test_client_h1_gzip_and_raw),
      cmocka_unit_test(test_client_h1_head_204_close_delimited),
      cmocka_unit_test(test_client_h1_upload_chunked_and_length),
      cmocka_unit_test(test_client_h1_abandon_mid_body),
      cmocka_unit_test(test_client_h1_hostile_i1_cl_and_te),
      cmocka_unit_test(test_client_h1_hostile_i2_chunk_garbage),
      cmocka_unit_test(test_client_h1_hostile_i3_huge_header),
      cmocka_unit_test(test_client_h1_hostile_i4_bare_cr_nul_fold),
      cmocka_unit_test(test_client_h1_hostile_i5_body_longer),
      cmocka_unit_test(test_client_h1_hostile_i6_http09),
      cmocka_unit_test(test_client_h1_hostile_i7_101_unasked),
      cmocka_unit_test(test_client_h1_hostile_i8_1xx_flood),
      cmocka_unit_test(test_client_h1_hostile_i9_retry_once),
      cmocka_unit_test(test_client_h1_hostile_i10_early_response),
      cmocka_unit_test(test_client_h1_hostile_i11_signed_length),
      cmocka_unit_test(test_client_h1_request_timeout),
      cmocka_unit_test(test_client_h1_continue_during_upload),
      cmocka_unit_test(test_client_h1_upgrade_offer_declined),
      cmocka_unit_test(test_client_h1_upgrade_wrong_101),
      cmocka_unit_test(test_client_h1_upgrade_not_with_streamed_body),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
