/* HTTP/1.1 and protocol negotiation against real peers on 127.0.0.1:
 * nginx (Debian nginx, started by the test with a generated config in a
 * mkdtemp directory, single process, stopped by PID) serving cleartext
 * HTTP/1.1, TLS with http2 (ALPN h2 + http/1.1) and TLS without http2
 * (ALPN http/1.1); nghttpd in h2c mode for prior knowledge. Cases:
 * keep-alive reuse over 1,000 requests (one connection, checked with
 * nginx's $connection), keep-alive off, gzip + chunked from nginx, decoding
 * off, HTTPConnection (PROTO_AUTO) picking h2 or http/1.1 with the same
 * request/get_response calls, force http/1.1, require h2 failing clearly,
 * h2c prior knowledge, and the Upgrade: h2c offer ignored by nginx (the
 * connection stays HTTP/1.1 and is reused), meaning AUTO over TLS, and
 * failing clearly against nghttpd (which has no upgrade support). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "client_testserver.h"

#include "hyper/client.h"

static ts_certs certs;
static cs_docroot www;
static char ngdir[64];
static pid_t ngpid;
static uint16_t p_plain, p_h2, p_h1tls;
static cs_nghttpd h2c;

#define TEXT_LEN 100000
static char text[TEXT_LEN + 1];

static int write_text(const char *path, const char *s) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int ok = fputs(s, f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

static uint16_t free_port(void) {
  uint16_t port = 0;
  int fd = ts_listen(0, -1, 0, &port);
  if (fd < 0)
    return 0;
  close(fd);
  return port;
}

static int nginx_start(void) {
  for (int attempt = 0; attempt < 5; attempt++) {
    p_plain = free_port();
    p_h2 = free_port();
    p_h1tls = free_port();
    char conf[4096], path[128];
    (void)snprintf(
        conf, sizeof conf,
        "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        "pid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
        "events { worker_connections 128; }\n"
        "http {\n access_log off;\n"
        " client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
        " fastcgi_temp_path %s/fcgi;\n uwsgi_temp_path %s/uwsgi;\n"
        " scgi_temp_path %s/scgi;\n"
        " types { text/plain txt; text/html html; }\n"
        " keepalive_requests 10000;\n"
        " gzip on;\n gzip_types text/plain;\n gzip_min_length 1;\n"
        " add_header X-Conn $connection always;\n"
        " server { listen 127.0.0.1:%u; root %s;\n"
        "   location /nokeep/ { keepalive_timeout 0; alias %s/; } }\n"
        " server { listen 127.0.0.1:%u ssl http2; root %s;\n"
        "   ssl_certificate %s; ssl_certificate_key %s; }\n"
        " server { listen 127.0.0.1:%u ssl; root %s;\n"
        "   ssl_certificate %s; ssl_certificate_key %s; }\n"
        "}\n",
        ngdir, ngdir, ngdir, ngdir, ngdir, ngdir, ngdir, (unsigned)p_plain,
        www.dir, www.dir, (unsigned)p_h2, www.dir, ts_path(&certs, "srv.pem"),
        ts_path(&certs, "srv.key"), (unsigned)p_h1tls, www.dir,
        ts_path(&certs, "srv.pem"), ts_path(&certs, "srv.key"));
    (void)snprintf(path, sizeof path, "%s/nginx.conf", ngdir);
    if (write_text(path, conf))
      return -1;
    char elog[128];
    (void)snprintf(elog, sizeof elog, "%s/error.log", ngdir);
    char *argv[] = {"nginx", "-p", ngdir, "-c", path, "-e", elog, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int r = posix_spawnp(&ngpid, "nginx", &fa, NULL, argv, environ);
    if (r != 0) {
      char *argv2[] = {
          "/usr/sbin/nginx", "-p", ngdir, "-c", path, "-e", elog, NULL};
      r = posix_spawn(&ngpid, "/usr/sbin/nginx", &fa, NULL, argv2, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
      ngpid = 0;
      return -1;
    }
    int64_t end = cs_now_ms() + TS_SAFETY_MS;
    int exited = 0;
    while (cs_now_ms() < end) {
      if (cs_probe(p_plain) && cs_probe(p_h2) && cs_probe(p_h1tls))
        return 0;
      if (waitpid(ngpid, NULL, WNOHANG) == ngpid) {
        exited = 1; /* a port was taken meanwhile: try others */
        ngpid = 0;
        break;
      }
      struct pollfd none;
      (void)poll(&none, 0, 10); /* between bounded connect probes */
    }
    if (!exited)
      return -1;
  }
  return -1;
}

static void nginx_stop(void) {
  if (ngpid > 0) {
    kill(ngpid, SIGTERM);
    while (waitpid(ngpid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  ngpid = 0;
}

static int group_setup(void **state) {
  (void)state;
  if (ts_certs_make(&certs) != 0 || cs_docroot_make(&www) != 0) {
    print_error("cannot make certificates / docroot\n");
    return -1;
  }
  for (size_t i = 0; i < TEXT_LEN; i++)
    text[i] = (char)('a' + (i * 7 + i / 13) % 26);
  text[TEXT_LEN] = '\0';
  char p[160];
  (void)snprintf(p, sizeof p, "%s/text.txt", www.dir);
  if (write_text(p, text))
    return -1;
  (void)snprintf(ngdir, sizeof ngdir, "/tmp/hyper-nginx-XXXXXX");
  if (!mkdtemp(ngdir))
    return -1;
  if (nginx_start() != 0) {
    print_error("cannot start nginx (Debian package nginx)\n");
    return -1;
  }
  if (cs_nghttpd_start(&h2c, www.dir, NULL, NULL) != 0) {
    print_error("cannot start nghttpd\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  nginx_stop();
  cs_nghttpd_stop(&h2c);
  if (ngdir[0]) {
    char cmd[128];
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", ngdir);
    (void)system(cmd);
  }
  if (www.dir[0]) { /* ours, not one of cs_docroot's files */
    char p[160];
    (void)snprintf(p, sizeof p, "%s/text.txt", www.dir);
    (void)unlink(p);
  }
  cs_docroot_remove(&www);
  ts_certs_remove(&certs);
  return 0;
}

static hyper_client *mk(uint16_t port, hyper_client_proto proto, int secure,
                        int require_h2) {
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.protocol = proto;
  o.secure = secure;
  o.require_h2 = require_h2;
  o.ca_file = ts_path(&certs, "ca.pem");
  o.connect_timeout_ms = 5000;
  o.read_timeout_ms = 5000;
  o.request_timeout_ms = 20000;
  char host[64];
  (void)snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)port);
  hyper_client *c = NULL;
  assert_int_equal(hyper_client_new(&c, host, &o, NULL), 0);
  return c;
}

/* GET |path|: the status, with the body in |*body| (owned by |*r|). */
static int get(hyper_client *c, const char *path, hyper_resp **r,
               hyper_slice *body) {
  uint32_t id;
  int rv = hyper_client_request(c, "GET", path, NULL, 0, NULL, &id);
  if (rv)
    return rv;
  if ((rv = hyper_client_get_response(c, id, r)) != 0)
    return rv;
  if ((rv = hyper_resp_read_all(*r, body)) != 0) {
    hyper_resp_free(*r);
    *r = NULL;
    return rv;
  }
  return hyper_resp_status(*r);
}

static void conn_of(hyper_resp *r, char *out, size_t cap) {
  hyper_slice v;
  assert_int_equal(
      hyper_hdrs_get_first(hyper_resp_headers(r), HYPER_HDRS_LIT("x-conn"), &v),
      1);
  assert_true(v.len < cap);
  memcpy(out, v.ptr, v.len);
  out[v.len] = '\0';
}

static void test_client_h1_nginx_keepalive_1000(void **state) {
  (void)state;
  hyper_client *c = mk(p_plain, HYPER_CLIENT_PROTO_HTTP11, 0, 0);
  char first[32] = "", now[32];
  for (int i = 0; i < 1000; i++) {
    hyper_resp *r;
    hyper_slice b;
    assert_int_equal(get(c, "/small.txt", &r, &b), 200);
    assert_int_equal(b.len, strlen(CS_SMALL));
    assert_memory_equal(b.ptr, CS_SMALL, b.len);
    conn_of(r, now, sizeof now);
    if (i == 0)
      strcpy(first, now);
    assert_string_equal(now, first); /* one connection */
    hyper_resp_free(r);
  }
  assert_string_equal(hyper_client_protocol(c), "http/1.1");
  hyper_client_free(c);
}

static void test_client_h1_nginx_keepalive_off(void **state) {
  (void)state;
  hyper_client *c = mk(p_plain, HYPER_CLIENT_PROTO_HTTP11, 0, 0);
  char a[32], b2[32];
  hyper_resp *r;
  hyper_slice b;
  assert_int_equal(get(c, "/nokeep/small.txt", &r, &b), 200);
  conn_of(r, a, sizeof a);
  hyper_resp_free(r);
  assert_int_equal(get(c, "/nokeep/small.txt", &r, &b), 200);
  conn_of(r, b2, sizeof b2);
  assert_memory_equal(b.ptr, CS_SMALL, b.len);
  hyper_resp_free(r);
  assert_string_not_equal(a, b2);
  hyper_client_free(c);
}

static void test_client_h1_nginx_gzip_chunked(void **state) {
  (void)state;
  hyper_client *c = mk(p_plain, HYPER_CLIENT_PROTO_HTTP11, 0, 0);
  hyper_resp *r;
  hyper_slice b;
  assert_int_equal(get(c, "/text.txt", &r, &b), 200);
  hyper_slice v;
  assert_int_equal(hyper_hdrs_get_first(hyper_resp_headers(r),
                                        HYPER_HDRS_LIT("content-encoding"), &v),
                   1);
  assert_int_equal(hyper_hdrs_get_first(hyper_resp_headers(r),
                                        HYPER_HDRS_LIT("transfer-encoding"),
                                        &v),
                   1);
  assert_int_equal(b.len, TEXT_LEN);
  assert_memory_equal(b.ptr, text, TEXT_LEN);
  hyper_resp_free(r);
  /* decoding off: the gzip octets themselves, as chunks */
  uint32_t id;
  assert_int_equal(
      hyper_client_request(c, "GET", "/text.txt", NULL, 0, NULL, &id), 0);
  assert_int_equal(hyper_client_get_response(c, id, &r), 0);
  assert_int_equal(hyper_resp_set_decode_content(r, 0), 0);
  hyper_slice ch;
  assert_int_equal(hyper_resp_read_chunk(r, &ch), 1);
  assert_true(ch.len >= 2);
  assert_int_equal(ch.ptr[0], 0x1f);
  assert_int_equal(ch.ptr[1], 0x8b);
  int rv;
  while ((rv = hyper_resp_read_chunk(r, &ch)) == 1) {
  }
  assert_int_equal(rv, 0);
  hyper_resp_free(r);
  hyper_client_free(c);
}

/* The same calls whichever protocol was picked. */
static void same_calls(hyper_client *c, const char *want_proto) {
  uint32_t a, b;
  assert_int_equal(hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &a),
                   0);
  assert_int_equal(hyper_client_request(c, "GET", "/c.txt", NULL, 0, NULL, &b),
                   0);
  assert_string_equal(hyper_client_protocol(c), want_proto);
  hyper_resp *rb, *ra;
  assert_int_equal(hyper_client_get_response(c, b, &rb), 0);
  assert_int_equal(hyper_client_get_response(c, a, &ra), 0);
  hyper_slice x;
  assert_int_equal(hyper_resp_read_all(rb, &x), 0);
  assert_int_equal(x.len, strlen(CS_C));
  assert_memory_equal(x.ptr, CS_C, x.len);
  assert_int_equal(hyper_resp_read_all(ra, &x), 0);
  assert_int_equal(x.len, strlen(CS_A));
  assert_memory_equal(x.ptr, CS_A, x.len);
  assert_int_equal(hyper_resp_status(ra), 200);
  assert_int_equal(hyper_resp_stream_id(ra), a);
  hyper_resp_free(ra);
  hyper_resp_free(rb);
}

static void test_client_h1_auto_alpn_h2(void **state) {
  (void)state;
  hyper_client *c = mk(p_h2, HYPER_CLIENT_PROTO_AUTO, 1, 0);
  same_calls(c, "h2");
  hyper_client_free(c);
  c = mk(p_h2, HYPER_CLIENT_PROTO_AUTO, 1, 1); /* require h2: fine */
  same_calls(c, "h2");
  hyper_client_free(c);
}

static void test_client_h1_auto_alpn_http11(void **state) {
  (void)state;
  hyper_client *c = mk(p_h1tls, HYPER_CLIENT_PROTO_AUTO, 1, 0);
  same_calls(c, "http/1.1");
  same_calls(c, "http/1.1");
  hyper_client_free(c);
}

static void test_client_h1_force_http11_over_h2_server(void **state) {
  (void)state;
  hyper_client *c = mk(p_h2, HYPER_CLIENT_PROTO_HTTP11, 1, 0);
  same_calls(c, "http/1.1");
  hyper_client_free(c);
}

static void test_client_h1_require_h2_fails_clearly(void **state) {
  (void)state;
  hyper_client *c = mk(p_h1tls, HYPER_CLIENT_PROTO_AUTO, 1, 1);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id),
                   HYPER_ERR_TLS_ALPN);
  const char *d = hyper_client_last_error(c)->desc;
  assert_non_null(strstr(d, "http/1.1"));
  assert_non_null(strstr(d, "required"));
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
  /* force h2 (the HTTP20Connection default) offers only h2: nginx
   * without http2 refuses the handshake (no_application_protocol) */
  c = mk(p_h1tls, HYPER_CLIENT_PROTO_H2, 1, 0);
  int rv = hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id);
  assert_true(rv == HYPER_ERR_TLS_ALPN || rv == HYPER_ERR_TLS_HANDSHAKE);
  hyper_client_free(c);
}

static void test_client_h1_h2c_prior_knowledge(void **state) {
  (void)state;
  hyper_client *c = mk(h2c.port, HYPER_CLIENT_PROTO_AUTO, 0, 1);
  same_calls(c, "h2");
  hyper_client_free(c);
  /* cleartext AUTO without require_h2 speaks HTTP/1.1 (nginx) */
  c = mk(p_plain, HYPER_CLIENT_PROTO_AUTO, 0, 0);
  same_calls(c, "http/1.1");
  assert_int_equal(hyper_client_ping(c, 0, NULL), HYPER_ERR_UNSUPPORTED);
  uint32_t id;
  assert_int_equal(hyper_client_putrequest(c, "GET", "/", &id),
                   HYPER_ERR_UNSUPPORTED);
  hyper_push *p;
  assert_int_equal(hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id),
                   0);
  assert_int_equal(hyper_client_next_push(c, id, 1, &p), 0);
  hyper_client_free(c);
}

/* A TLS server that selects no ALPN protocol (openssl s_server -www,
 * HTTP/1.0 with a close-delimited body): AUTO speaks HTTP/1.1. */
static void test_client_h1_auto_no_alpn(void **state) {
  (void)state;
  char *extra[] = {"-cert", (char *)ts_path(&certs, "srv.pem"),
                   "-key",  (char *)ts_path(&certs, "srv.key"),
                   "-www",  NULL};
  ts_child ch;
  int started = ts_child_start(&ch, extra);
  if (started != 0) {
    ts_child_stop(&ch);
    fail_msg("cannot start openssl s_server");
  }
  hyper_client *c = mk(ch.port, HYPER_CLIENT_PROTO_AUTO, 1, 0);
  hyper_resp *r = NULL;
  hyper_slice b;
  int rv = get(c, "/", &r, &b);
  if (rv != 200)
    fail_msg("got %d: %s", rv, hyper_client_last_error(c)->desc);
  assert_true(b.len > 0);
  hyper_resp_free(r);
  hyper_client_free(c);
  /* require_h2 fails clearly */
  c = mk(ch.port, HYPER_CLIENT_PROTO_AUTO, 1, 1);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/", NULL, 0, NULL, &id),
                   HYPER_ERR_TLS_ALPN);
  assert_non_null(strstr(hyper_client_last_error(c)->desc, "nothing"));
  hyper_client_free(c);
  ts_child_stop(&ch);
}

/* nginx without http2 ignores the offer (RFC 9110 §7.8: a server may):
 * the answer is the HTTP/1.1 response, the connection stays HTTP/1.1 and
 * is reused, and no further offer is made. */
static void test_client_h1_upgrade_ignored_by_nginx(void **state) {
  (void)state;
  hyper_client *c = mk(p_plain, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, 0);
  hyper_resp *r;
  hyper_slice b;
  assert_int_equal(get(c, "/small.txt", &r, &b), 200);
  assert_memory_equal(b.ptr, CS_SMALL, b.len);
  assert_string_equal(hyper_client_protocol(c), "http/1.1");
  char first[32], now[32];
  conn_of(r, first, sizeof first);
  hyper_resp_free(r);
  same_calls(c, "http/1.1");
  for (int i = 0; i < 20; i++) {
    assert_int_equal(get(c, "/text.txt", &r, &b), 200);
    assert_int_equal(b.len, TEXT_LEN);
    conn_of(r, now, sizeof now);
    assert_string_equal(now, first); /* the same connection throughout */
    hyper_resp_free(r);
  }
  hyper_client_free(c);
  /* over TLS the option means AUTO (RFC 9113 §3.2): ALPN decides */
  c = mk(p_h2, HYPER_CLIENT_PROTO_H2C_UPGRADE, 1, 0);
  same_calls(c, "h2");
  hyper_client_free(c);
  c = mk(p_h1tls, HYPER_CLIENT_PROTO_H2C_UPGRADE, 1, 0);
  same_calls(c, "http/1.1");
  hyper_client_free(c);
}

/* nghttpd (1.52) does not implement the HTTP/1.1 upgrade: in cleartext it
 * expects the HTTP/2 preface and answers the offer with its SETTINGS
 * frame. That is no HTTP/1.1 response: the request fails clearly (use h2c
 * with prior knowledge for such servers; the upgrade itself is tested
 * against h2o in test_client_upgrade). */
static void test_client_h1_upgrade_to_prior_knowledge_server(void **state) {
  (void)state;
  hyper_client *c = mk(h2c.port, HYPER_CLIENT_PROTO_H2C_UPGRADE, 0, 0);
  uint32_t id;
  assert_int_equal(hyper_client_request(c, "GET", "/a.txt", NULL, 0, NULL, &id),
                   0);
  hyper_resp *r;
  int rv = hyper_client_get_response(c, id, &r);
  assert_true(rv == HYPER_ERR_H1_PARSE || rv == HYPER_ERR_EOF ||
              rv == HYPER_ERR_IO);
  assert_false(hyper_client_is_connected(c));
  hyper_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_client_h1_nginx_keepalive_1000),
      cmocka_unit_test(test_client_h1_nginx_keepalive_off),
      cmocka_unit_test(test_client_h1_nginx_gzip_chunked),
      cmocka_unit_test(test_client_h1_auto_alpn_h2),
      cmocka_unit_test(test_client_h1_auto_alpn_http11),
      cmocka_unit_test(test_client_h1_force_http11_over_h2_server),
      cmocka_unit_test(test_client_h1_require_h2_fails_clearly),
      cmocka_unit_test(test_client_h1_h2c_prior_knowledge),
      cmocka_unit_test(test_client_h1_auto_no_alpn),
      cmocka_unit_test(test_client_h1_upgrade_ignored_by_nginx),
      cmocka_unit_test(test_client_h1_upgrade_to_prior_knowledge_server),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
