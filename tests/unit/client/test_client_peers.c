/* The blocking client against real HTTP/2 servers over TLS (ALPN h2), one
 * cmocka group per server, the same cases for each:
 *   h2o 2.2 (Debian h2o; generated YAML config, compress gzip, an mruby
 *            handler for 204),
 *   nginx   (Debian nginx; `listen ... ssl http2`, gzip on, return 204),
 *   nghttpd (Debian nghttp2-server; no gzip and no 204: those cases are
 *            skipped for it and covered by the scripted tests).
 * Each server is started by the test on 127.0.0.1 (free port, bounded
 * connect-probe readiness) with certificates made at test time by the
 * openssl CLI, and stopped by PID.
 *
 * Cases: GET small; GET 100 MiB with the SHA-256 of the body compared to
 * the file's (the file is written once per run with cs_pattern bytes and
 * hashed while written); 100 requests in flight on one connection read in
 * shuffled order; 1,000 sequential requests on one connection (stream ids
 * 1, 3, ... 1999 prove the reuse); HEAD, 204 and 304 without a body; a
 * gzip response decoded and not decoded; a custom window manager whose
 * calls are observed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "client_testserver.h"

#include "hyper/client.h"

/* ------------------------------------------------------------------------ */
/* Shared fixtures                                                          */
/* ------------------------------------------------------------------------ */

#define BIG_NAME "p100m.bin"
#define BIG_LEN (100u * 1024u * 1024u)
#define TEXT_NAME "text.txt"

static ts_certs certs;
static cs_docroot www;
static uint8_t big_sha[32];
static char *text;       /* TEXT_NAME's content (compressible) */
static size_t text_len;
static int fixtures_made;

/* Writes |n| cs_pattern bytes to dir/name in 1 MiB blocks and hashes them
 * on the way. */
static int write_big(const char *d, const char *name, size_t n,
                     uint8_t sha[32]) {
  char path[160];
  (void)snprintf(path, sizeof path, "%s/%s", d, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  enum { BLK = 1 << 20 };
  uint8_t *b = malloc(BLK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int ok = b && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
  for (size_t off = 0; ok && off < n; off += BLK) {
    size_t k = n - off < BLK ? n - off : BLK;
    for (size_t i = 0; i < k; i++)
      b[i] = cs_pattern(off + i);
    ok = fwrite(b, 1, k, f) == k && EVP_DigestUpdate(md, b, k) == 1;
  }
  unsigned len = 0;
  ok = ok && EVP_DigestFinal_ex(md, sha, &len) == 1 && len == 32;
  EVP_MD_CTX_free(md);
  free(b);
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int fixtures_make(void) {
  if (fixtures_made)
    return 0;
  if (ts_certs_make(&certs) != 0 || cs_docroot_make(&www) != 0)
    return -1;
  if (write_big(www.dir, BIG_NAME, BIG_LEN, big_sha) != 0)
    return -1;
  /* ~200 KB of text that compresses well but is not trivial */
  text_len = 0;
  text = malloc(220000);
  if (!text)
    return -1;
  for (unsigned i = 0; text_len < 200000; i++)
    text_len += (size_t)snprintf(text + text_len, 220000 - text_len,
                                 "line %u: the quick brown fox %u\n", i,
                                 (i * 7919u) % 1000u);
  if (cs_write_bytes(www.dir, TEXT_NAME, text, text_len) != 0)
    return -1;
  fixtures_made = 1;
  return 0;
}

static void fixtures_remove(void) {
  char path[160];
  if (www.dir[0]) {
    (void)snprintf(path, sizeof path, "%s/%s", www.dir, BIG_NAME);
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s/%s", www.dir, TEXT_NAME);
    (void)unlink(path);
  }
  cs_docroot_remove(&www);
  ts_certs_remove(&certs);
  free(text);
  text = NULL;
  fixtures_made = 0;
}

static int write_file(const char *path, const char *s) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int ok = fputs(s, f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Servers                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum peer_kind { PEER_H2O, PEER_NGINX, PEER_NGHTTPD } peer_kind;

typedef struct peer {
  peer_kind kind;
  const char *name;
  int has_gzip, has_204;
  pid_t pid;
  uint16_t port;
  char dir[64]; /* config/log directory (h2o, nginx) */
  cs_nghttpd ng;
} peer;

static peer p_h2o = {PEER_H2O, "h2o", 1, 1, 0, 0, "", {0, 0}};
static peer p_nginx = {PEER_NGINX, "nginx", 1, 1, 0, 0, "", {0, 0}};
static peer p_nghttpd = {PEER_NGHTTPD, "nghttpd", 0, 0, 0, 0, "", {0, 0}};

static uint16_t free_port(void) {
  uint16_t port = 0;
  int fd = ts_listen(0, -1, 0, &port);
  if (fd < 0)
    return 0;
  close(fd);
  return port;
}

/* Spawns argv (stdout/stderr to dir/out.log) and waits, bounded, until
 * 127.0.0.1:|port| accepts. 0 ready, 1 the child exited (port taken: try
 * another), -1 failure. */
static int spawn_ready(peer *p, char *const argv[], uint16_t port) {
  char log[128];
  (void)snprintf(log, sizeof log, "%s/out.log", p->dir);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  int r = posix_spawnp(&p->pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (r != 0) {
    p->pid = 0;
    return -1;
  }
  int64_t end = cs_now_ms() + TS_SAFETY_MS;
  while (cs_now_ms() < end) {
    if (cs_probe(port)) {
      p->port = port;
      return 0;
    }
    if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
      p->pid = 0;
      return 1;
    }
    struct pollfd none;
    (void)poll(&none, 0, 10); /* between bounded connect probes */
  }
  return -1;
}

static void peer_stop(peer *p) {
  if (p->kind == PEER_NGHTTPD) {
    cs_nghttpd_stop(&p->ng);
  } else if (p->pid > 0) {
    kill(p->pid, SIGTERM);
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  p->pid = 0;
  if (p->dir[0]) {
    char *rm[] = {"rm", "-rf", p->dir, NULL};
    (void)ts_run(rm);
    p->dir[0] = '\0';
  }
}

static int h2o_config(const peer *p, uint16_t port, char *conf, size_t cap) {
  /* As root h2o would switch to "nobody", which cannot write our files. */
  return snprintf(
      conf, cap,
      "%s"
      "pid-file: %s/h2o.pid\n"
      "error-log: %s/error.log\n"
      "num-threads: 1\n"
      "http2-max-concurrent-requests-per-connection: 100\n"
      "listen:\n"
      "  host: 127.0.0.1\n"
      "  port: %u\n"
      "  ssl:\n"
      "    certificate-file: %s\n"
      "    key-file: %s\n"
      "    ocsp-update-interval: 0\n"
      "hosts:\n"
      "  default:\n"
      "    paths:\n"
      "      /204:\n"
      "        mruby.handler: |\n"
      "          Proc.new do |env|\n"
      "            [204, {}, []]\n"
      "          end\n"
      "      /:\n"
      "        file.dir: %s\n"
      "        compress: [gzip]\n",
      getuid() == 0 ? "user: root\n" : "", p->dir, p->dir, (unsigned)port,
      ts_path(&certs, "srv.pem"), ts_path(&certs, "srv.key"), www.dir);
}

static int nginx_config(const peer *p, uint16_t port, char *conf,
                        size_t cap) {
  const char *d = p->dir;
  return snprintf(
      conf, cap,
      "daemon off;\nmaster_process off;\nworker_processes 1;\n"
      "pid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
      "events { worker_connections 256; }\n"
      "http {\n access_log off;\n"
      " client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
      " fastcgi_temp_path %s/fcgi;\n uwsgi_temp_path %s/uwsgi;\n"
      " scgi_temp_path %s/scgi;\n"
      " types { text/plain txt; application/octet-stream bin; }\n"
      " keepalive_requests 100000;\n"
      " gzip on;\n gzip_types text/plain;\n gzip_min_length 1;\n"
      " server { listen 127.0.0.1:%u ssl http2; root %s;\n"
      "   ssl_certificate %s; ssl_certificate_key %s;\n"
      "   location = /204 { return 204; } }\n"
      "}\n",
      d, d, d, d, d, d, d, (unsigned)port, www.dir,
      ts_path(&certs, "srv.pem"), ts_path(&certs, "srv.key"));
}

static int peer_start(peer *p) {
  if (fixtures_make() != 0) {
    print_error("cannot make certificates / docroot\n");
    return -1;
  }
  if (p->kind == PEER_NGHTTPD) {
    if (cs_nghttpd_start(&p->ng, www.dir, &certs, NULL) != 0)
      return -1;
    p->port = p->ng.port;
    return 0;
  }
  (void)snprintf(p->dir, sizeof p->dir, "/tmp/hyper-peer-XXXXXX");
  if (!mkdtemp(p->dir)) {
    p->dir[0] = '\0';
    return -1;
  }
  for (int attempt = 0; attempt < 5; attempt++) {
    uint16_t port = free_port();
    char conf[4096], path[128];
    int n = p->kind == PEER_H2O ? h2o_config(p, port, conf, sizeof conf)
                                : nginx_config(p, port, conf, sizeof conf);
    if (n <= 0 || (size_t)n >= sizeof conf)
      return -1;
    (void)snprintf(path, sizeof path, "%s/%s.conf", p->dir, p->name);
    if (write_file(path, conf) != 0)
      return -1;
    char elog[128];
    (void)snprintf(elog, sizeof elog, "%s/error.log", p->dir);
    char *h2o_argv[] = {"h2o", "-c", path, NULL};
    char *nginx_argv[] = {"nginx", "-p", p->dir, "-c", path, "-e", elog,
                          NULL};
    char *nginx_sbin[] = {"/usr/sbin/nginx", "-p", p->dir, "-c", path, "-e",
                          elog, NULL};
    int r;
    if (p->kind == PEER_H2O)
      r = spawn_ready(p, h2o_argv, port);
    else {
      r = spawn_ready(p, nginx_argv, port);
      if (r < 0 && p->pid == 0) /* not on PATH */
        r = spawn_ready(p, nginx_sbin, port);
    }
    if (r == 0)
      return 0;
    if (r < 0)
      return -1;
  }
  return -1;
}

static int setup_peer(void **state) {
  peer *p = *state;
  if (peer_start(p) != 0) {
    print_error("cannot start %s on 127.0.0.1\n", p->name);
    peer_stop(p);
    return -1;
  }
  return 0;
}

static int teardown_peer(void **state) {
  peer_stop(*state);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Client helpers                                                           */
/* ------------------------------------------------------------------------ */

static void opts_for(hyper_client_opts *o) {
  hyper_client_opts_init(o);
  o->ca_file = ts_path(&certs, "ca.pem");
  o->connect_timeout_ms = 10000;
  o->read_timeout_ms = 30000;
  o->request_timeout_ms = 300000; /* 100 MiB under ASan */
}

static hyper_client *client_for(const peer *p, const hyper_client_opts *o) {
  hyper_client_opts def;
  if (!o) {
    opts_for(&def);
    o = &def;
  }
  char host[32];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)p->port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, o, NULL), 0);
  return c;
}

static void expect_ok(hyper_client *c, int rv) {
  if (rv != 0)
    print_error("unexpected %s: %s\n", hyper_err_name(rv),
                hyper_client_last_error(c)->desc);
  assert_int_equal(rv, 0);
}

static hyper_resp *get(hyper_client *c, const char *method, const char *path,
                       const hyper_hdrs *h) {
  uint32_t id;
  expect_ok(c, hyper_client_request(c, method, path, NULL, 0, h, &id));
  hyper_resp *r = NULL;
  expect_ok(c, hyper_client_get_response(c, id, &r));
  return r;
}

static int header_is(const hyper_resp *r, const char *name, const char *v) {
  hyper_slice s;
  if (!hyper_hdrs_get_first(hyper_resp_headers(r), name, strlen(name), &s))
    return 0;
  return s.len == strlen(v) && memcmp(s.ptr, v, s.len) == 0;
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

static void test_peer_get_small(void **state) {
  peer *p = *state;
  hyper_client *c = client_for(p, NULL);
  hyper_resp *r = get(c, "GET", "/small.txt", NULL);
  assert_int_equal(hyper_resp_status(r), 200);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, strlen(CS_SMALL));
  assert_memory_equal(s.ptr, CS_SMALL, s.len);
  hyper_resp_free(r);
  assert_string_equal(hyper_client_protocol(c), "h2");
  hyper_client_free(c);
}

static void test_peer_get_100mib_sha256(void **state) {
  peer *p = *state;
  hyper_client *c = client_for(p, NULL);
  int64_t t0 = cs_now_ms();
  hyper_resp *r = get(c, "GET", "/" BIG_NAME, NULL);
  assert_int_equal(hyper_resp_status(r), 200);
  enum { BUF = 1 << 20 };
  uint8_t *buf = malloc(BUF);
  assert_non_null(buf);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(md);
  assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
  uint64_t total = 0;
  for (;;) {
    size_t n = 0;
    expect_ok(c, hyper_resp_read(r, buf, BUF, &n));
    if (n == 0)
      break;
    assert_int_equal(EVP_DigestUpdate(md, buf, n), 1);
    total += n;
  }
  uint8_t sha[32];
  unsigned len = 0;
  assert_int_equal(EVP_DigestFinal_ex(md, sha, &len), 1);
  EVP_MD_CTX_free(md);
  free(buf);
  hyper_resp_free(r);
  hyper_client_free(c);
  int64_t ms = cs_now_ms() - t0;
  print_message("%s: 100 MiB in %lld ms (%.0f MiB/s)\n", p->name,
                (long long)ms, ms > 0 ? 100.0 * 1000.0 / (double)ms : 0.0);
  assert_int_equal(total, BIG_LEN);
  assert_memory_equal(sha, big_sha, 32);
}

static void test_peer_hundred_in_flight_shuffled(void **state) {
  peer *p = *state;
  hyper_client *c = client_for(p, NULL);
  enum { N = 100 };
  static const char *paths[] = {"/a.txt", "/c.txt", "/small.txt",
                                "/p70000.bin"};
  static const size_t lens[] = {sizeof CS_A - 1, sizeof CS_C - 1,
                                sizeof CS_SMALL - 1, 70000};
  uint32_t ids[N];
  int order[N];
  for (int i = 0; i < N; i++) {
    expect_ok(c, hyper_client_request(c, "GET", paths[i % 4], NULL, 0, NULL,
                                      &ids[i]));
    order[i] = i;
  }
  uint32_t seed = 4242;
  for (int i = N - 1; i > 0; i--) {
    seed = seed * 1103515245u + 12345u;
    int j = (int)((seed >> 16) % (uint32_t)(i + 1));
    int t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (int k = 0; k < N; k++) {
    int i = order[k];
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, ids[i], &r));
    assert_int_equal(hyper_resp_status(r), 200);
    assert_int_equal(hyper_resp_stream_id(r), ids[i]);
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, lens[i % 4]);
    if (i % 4 == 3)
      for (size_t b = 0; b < s.len; b++)
        if (s.ptr[b] != cs_pattern(b))
          fail_msg("%s: response %d byte %zu differs", p->name, i, b);
    hyper_resp_free(r);
  }
  hyper_client_free(c);
}

static void test_peer_thousand_sequential(void **state) {
  peer *p = *state;
  hyper_client_opts o;
  opts_for(&o);
  o.request_timeout_ms = 10000;
  hyper_client *c = client_for(p, &o);
  int64_t t0 = cs_now_ms();
  for (int i = 0; i < 1000; i++) {
    uint32_t id;
    expect_ok(c, hyper_client_request(c, "GET", "/small.txt", NULL, 0, NULL,
                                      &id));
    assert_int_equal(id, 1u + 2u * (uint32_t)i); /* one connection */
    hyper_resp *r;
    expect_ok(c, hyper_client_get_response(c, id, &r));
    assert_int_equal(hyper_resp_status(r), 200);
    hyper_slice s;
    expect_ok(c, hyper_resp_read_all(r, &s));
    assert_int_equal(s.len, sizeof CS_SMALL - 1);
    hyper_resp_free(r);
  }
  print_message("%s: 1000 sequential requests in %lld ms\n", p->name,
                (long long)(cs_now_ms() - t0));
  assert_true(hyper_client_is_connected(c));
  hyper_client_free(c);
}

static void expect_no_body(hyper_client *c, hyper_resp *r, int status) {
  assert_int_equal(hyper_resp_status(r), status);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 0);
  uint8_t b[16];
  size_t n = 1;
  expect_ok(c, hyper_resp_read(r, b, sizeof b, &n));
  assert_int_equal(n, 0);
  hyper_resp_free(r);
}

static void test_peer_head_204_304(void **state) {
  peer *p = *state;
  hyper_client *c = client_for(p, NULL);
  /* HEAD: the headers of the GET (content-length 70000), no body */
  hyper_resp *r = get(c, "HEAD", "/p70000.bin", NULL);
  assert_true(header_is(r, "content-length", "70000"));
  expect_no_body(c, r, 200);

  /* 304: a conditional GET with the validator from a first GET */
  r = get(c, "GET", "/small.txt", NULL);
  assert_int_equal(hyper_resp_status(r), 200);
  hyper_slice lm;
  assert_true(hyper_hdrs_get_first(hyper_resp_headers(r), "last-modified",
                                   13, &lm));
  hyper_hdrs *h = NULL;
  assert_int_equal(hyper_hdrs_new(&h, NULL, NULL), 0);
  assert_int_equal(hyper_hdrs_add(h, "if-modified-since", 17, lm.ptr, lm.len,
                                  0),
                   0);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  hyper_resp *r304 = get(c, "GET", "/small.txt", h);
  hyper_resp_free(r); /* |lm| was copied into |h| */
  hyper_hdrs_free(h);
  expect_no_body(c, r304, 304);

  if (p->has_204) {
    r = get(c, "GET", "/204", NULL);
    expect_no_body(c, r, 204);
  } else {
    print_message("%s cannot answer 204 (covered by test_client_scripted)"
                  "\n", p->name);
  }
  /* the connection is still good */
  r = get(c, "GET", "/a.txt", NULL);
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_memory_equal(s.ptr, CS_A, strlen(CS_A));
  hyper_resp_free(r);
  hyper_client_free(c);
}

static void test_peer_gzip(void **state) {
  peer *p = *state;
  if (!p->has_gzip) {
    print_message("SKIP: %s does not compress responses (gzip decoding is "
                  "covered by test_client_scripted)\n", p->name);
    skip();
  }
  hyper_client *c = client_for(p, NULL);
  /* decoded (the default): the file, byte for byte */
  hyper_resp *r = get(c, "GET", "/" TEXT_NAME, NULL);
  assert_int_equal(hyper_resp_status(r), 200);
  assert_true(header_is(r, "content-encoding", "gzip"));
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, text_len);
  assert_memory_equal(s.ptr, text, text_len);
  hyper_resp_free(r);
  /* not decoded: the gzip stream itself (RFC 1952 magic), much smaller */
  r = get(c, "GET", "/" TEXT_NAME, NULL);
  assert_true(header_is(r, "content-encoding", "gzip"));
  assert_int_equal(hyper_resp_set_decode_content(r, 0), 0);
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_true(s.len > 18 && s.len < text_len / 4);
  assert_int_equal(s.ptr[0], 0x1f);
  assert_int_equal(s.ptr[1], 0x8b);
  print_message("%s: gzip %zu -> %zu bytes\n", p->name, text_len, s.len);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* A custom window manager whose calls are observed. */
typedef struct obs_factory {
  unsigned creates, destroys;
  uint64_t seen;      /* octets reported to all managers */
  uint64_t conn_seen; /* to the connection's manager */
  uint64_t increments;
  int64_t doc_size;   /* document_size the stream manager was shown */
} obs_factory;

static obs_factory *obs_current;

static uint32_t obs_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  obs_current->seen += frame_size;
  if (wm->stream_id == 0)
    obs_current->conn_seen += frame_size;
  else
    obs_current->doc_size = wm->document_size;
  uint32_t inc = hyper_h2_wm_default_increase_window_size(wm, frame_size);
  obs_current->increments += inc;
  return inc;
}

static void obs_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  obs_current->destroys++;
  mem->free(wm, mem->user);
}

static const hyper_h2_wm_vtable obs_vt = {obs_increase, NULL, obs_destroy};

static int obs_create(hyper_h2_wm **out, uint32_t stream_id,
                      uint32_t initial, void *user, const hyper_mem *mem) {
  obs_factory *f = user;
  hyper_h2_wm *m = mem->calloc(1, sizeof *m, mem->user);
  if (!m)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(m, &obs_vt, stream_id, initial);
  f->creates++;
  *out = m;
  return 0;
}

static void test_peer_window_manager(void **state) {
  peer *p = *state;
  obs_factory f = {0, 0, 0, 0, 0, -2};
  obs_current = &f;
  hyper_client_opts o;
  opts_for(&o);
  o.window_manager.create = obs_create;
  o.window_manager.user = &f;
  hyper_client *c = client_for(p, &o);
  hyper_resp *r = get(c, "GET", "/p1m.bin", NULL);
  hyper_slice s;
  expect_ok(c, hyper_resp_read_all(r, &s));
  assert_int_equal(s.len, 1u << 20);
  for (size_t i = 0; i < s.len; i++)
    if (s.ptr[i] != cs_pattern(i))
      fail_msg("byte %zu differs", i);
  hyper_resp_free(r);
  hyper_client_free(c);
  print_message("%s: window manager: %u created, %llu octets seen (%llu "
                "by the connection's), %llu window granted\n", p->name,
                f.creates, (unsigned long long)f.seen,
                (unsigned long long)f.conn_seen,
                (unsigned long long)f.increments);
  assert_true(f.creates >= 2); /* the connection and the stream */
  assert_int_equal(f.creates, f.destroys);
  /* The connection's manager hears of every DATA octet; the stream's of
   * all but possibly its last frame (the stream ends with it, so no window
   * is owed for it). */
  assert_true(f.conn_seen >= 1u << 20);
  assert_true(f.seen - f.conn_seen >= (1u << 20) - 16384u);
  assert_int_equal(f.doc_size, 1 << 20); /* from content-length */
  assert_true(f.increments > 0);
}

/* ------------------------------------------------------------------------ */

#define PEER_TESTS(P)                                                       \
  {                                                                         \
    cmocka_unit_test_prestate(test_peer_get_small, &(P)),                   \
        cmocka_unit_test_prestate(test_peer_get_100mib_sha256, &(P)),       \
        cmocka_unit_test_prestate(test_peer_hundred_in_flight_shuffled,     \
                                  &(P)),                                    \
        cmocka_unit_test_prestate(test_peer_thousand_sequential, &(P)),     \
        cmocka_unit_test_prestate(test_peer_head_204_304, &(P)),            \
        cmocka_unit_test_prestate(test_peer_gzip, &(P)),                    \
        cmocka_unit_test_prestate(test_peer_window_manager, &(P)),          \
  }

static int group_setup_h2o(void **state) {
  *state = &p_h2o;
  return setup_peer(state);
}
static int group_setup_nginx(void **state) {
  *state = &p_nginx;
  return setup_peer(state);
}
static int group_setup_nghttpd(void **state) {
  *state = &p_nghttpd;
  return setup_peer(state);
}

int main(void) {
  const struct CMUnitTest h2o_tests[] = PEER_TESTS(p_h2o);
  const struct CMUnitTest nginx_tests[] = PEER_TESTS(p_nginx);
  const struct CMUnitTest nghttpd_tests[] = PEER_TESTS(p_nghttpd);
  int fails = 0;
  fails += cmocka_run_group_tests_name("h2o (TLS)", h2o_tests,
                                       group_setup_h2o, teardown_peer);
  fails += cmocka_run_group_tests_name("nginx (TLS, http2)", nginx_tests,
                                       group_setup_nginx, teardown_peer);
  fails += cmocka_run_group_tests_name("nghttpd (TLS)", nghttpd_tests,
                                       group_setup_nghttpd, teardown_peer);
  fixtures_remove();
  return fails;
}
