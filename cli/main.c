/*
 * hyper — the command-line HTTP/2 client (Python hyper's CLI, with HTTPie's
 * request items):
 *
 *   hyper [-h] [--version] [--debug] [OPTIONS] [METHOD] URL [ITEM ...]
 *
 * main.c drives one request over the blocking client (hyper/client.h) and maps failures to the exit codes listed in cli.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hyper/version.h"

static int exit_code_for(int err) {
  switch (err) {
  case HYPER_ERR_RESOLVE:
  case HYPER_ERR_CONNECT:
    return CLI_EXIT_CONNECT;
  case HYPER_ERR_TLS_HANDSHAKE:
  case HYPER_ERR_TLS_VERIFY:
  case HYPER_ERR_TLS_ALPN:
  case HYPER_ERR_TLS:
    return CLI_EXIT_TLS;
  case HYPER_ERR_TIMEOUT:
    return CLI_EXIT_TIMEOUT;
  case HYPER_ERR_INVALID_ARGUMENT:
    return CLI_EXIT_USAGE;
  default:
    break;
  }
  if (err <= -200 && err > -400) return CLI_EXIT_PROTOCOL; /* HPACK, HTTP/2 */
  if (err == HYPER_ERR_EOF || err == HYPER_ERR_IO) return CLI_EXIT_PROTOCOL;
  return CLI_EXIT_ERROR;
}

static int fail(hyper_client *c, int err, const char *what) {
  const hyper_client_error *e = c ? hyper_client_last_error(c) : NULL;
  const char *desc = e && e->desc[0] ? e->desc : hyper_strerror(err);
  cli_err("%s: %s (%s)", what, desc, hyper_err_name(err));
  return exit_code_for(err);
}

static int is_json_type(const hyper_resp *r) {
  hyper_slice v;
  if (hyper_hdrs_get_first(hyper_resp_headers(r),
                           HYPER_HDRS_LIT("content-type"), &v) != 1)
    return 0;
  for (size_t i = 0; i + 4 <= v.len; i++)
    if (!memcmp(v.ptr + i, "json", 4)) return 1;
  return 0;
}

/* Prints the body of |r| to stdout: JSON pretty-printed, anything else as
 * received. Returns 0 or a hyper_err. */
static int print_body(hyper_resp *r, int colour) {
  if (is_json_type(r)) {
    hyper_slice body;
    int rv = hyper_resp_read_all(r, &body);
    if (rv < 0) return rv;
    json_error_t err;
    json_t *j = body.len ? json_loadb((const char *)body.ptr, body.len,
                                      JSON_DECODE_ANY, &err)
                         : NULL;
    if (j) {
      cli_print_json(stdout, j, colour);
      json_decref(j);
    } else if (body.len) {
      fwrite(body.ptr, 1, body.len, stdout);
    }
    return 0;
  }
  static uint8_t buf[65536];
  for (;;) {
    size_t n = 0;
    int rv = hyper_resp_read(r, buf, sizeof buf, &n);
    if (n) fwrite(buf, 1, n, stdout);
    if (rv < 0) return rv;
    if (n == 0) return 0;
  }
}

static int save_body(hyper_resp *r, const char *file) {
  FILE *f = fopen(file, "wb");
  if (!f) {
    cli_err("cannot write '%s': %s", file, strerror(errno));
    return 1;
  }
  unsigned long long total = 0;
  hyper_slice v;
  const hyper_hdrs *h = hyper_resp_headers(r);
  if (hyper_hdrs_get_first(h, HYPER_HDRS_LIT("content-length"), &v) == 1 &&
      !hyper_hdrs_contains(h, HYPER_HDRS_LIT("content-encoding")) &&
      v.len < 20) {
    char tmp[24];
    memcpy(tmp, v.ptr, v.len);
    tmp[v.len] = '\0';
    total = strtoull(tmp, NULL, 10);
  }
  cli_progress p;
  cli_progress_start(&p, isatty(STDERR_FILENO), total);
  static uint8_t buf[65536];
  int rv = 0;
  for (;;) {
    size_t n = 0;
    rv = hyper_resp_read(r, buf, sizeof buf, &n);
    if (n && fwrite(buf, 1, n, f) != n) {
      cli_err("cannot write '%s': %s", file, strerror(errno));
      fclose(f);
      return 1;
    }
    cli_progress_update(&p, n);
    if (rv < 0 || n == 0) break;
  }
  if (fclose(f) != 0) {
    cli_err("cannot write '%s': %s", file, strerror(errno));
    return 1;
  }
  if (rv < 0) return rv;
  cli_progress_finish(&p, file);
  return 0;
}

static int fetch_pushes(hyper_client *c, uint32_t sid, int colour) {
  for (;;) {
    hyper_push *p = NULL;
    int rv = hyper_client_next_push(c, sid, 1, &p);
    if (rv < 0) return rv;
    if (rv == 0) return 0;
    printf("push promised: %s %s (stream %u)\n", hyper_push_method(p),
           hyper_push_path(p), hyper_push_stream_id(p));
    hyper_resp *pr = NULL;
    rv = hyper_push_get_response(p, &pr);
    if (rv == 0) {
      printf("pushed response: %d\n", hyper_resp_status(pr));
      rv = print_body(pr, colour);
    }
    hyper_resp_free(pr);
    hyper_push_free(p);
    if (rv < 0) return rv;
  }
}

static void linger(hyper_client *c, long ms) {
  /* The blocking client reads only while a call waits: keep calling
   * hyper_client_ping() (which answers the peer's PINGs and files its
   * frames while it waits for our own ACK) with short pauses. */
  double end = cli_now() + (double)ms / 1000.0;
  while (cli_now() < end) {
    double left = end - cli_now();
    int64_t t = (int64_t)(left * 1000.0);
    if (t < 1) break;
    if (hyper_client_ping(c, t, NULL) < 0 && !hyper_client_is_connected(c))
      break;
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

int main(int argc, char **argv) {
  cli_opts o;
  memset(&o, 0, sizeof o);
  int rv = cli_parse_args(&o, argc, argv);
  if (rv != 0) {
    cli_opts_cleanup(&o);
    return rv < 0 ? 0 : rv;
  }

  int code = CLI_EXIT_OK;
  hyper_client *c = NULL;
  hyper_resp *r = NULL;
  cli_trace tr = {NULL, NULL};
  int colour = isatty(STDOUT_FILENO);

  if (o.trace_json) {
    tr.json = fopen(o.trace_json, "w");
    if (!tr.json) {
      cli_err("cannot write '%s': %s", o.trace_json, strerror(errno));
      code = CLI_EXIT_USAGE;
      goto out;
    }
  }
  if (o.debug) tr.debug = stderr;
  if (o.insecure)
    fprintf(stderr, "hyper: warning: --insecure: the server's certificate "
                    "and host name are not verified\n");

  /* default request header fields */
  if (!hyper_hdrs_contains(o.headers, HYPER_HDRS_LIT("user-agent")))
    hyper_hdrs_add(o.headers, HYPER_HDRS_LIT("user-agent"),
                   HYPER_HDRS_LIT("hyper/" HYPER_VERSION_STR), 0);
  if (o.json_body) {
    if (!hyper_hdrs_contains(o.headers, HYPER_HDRS_LIT("content-type")))
      hyper_hdrs_add(o.headers, HYPER_HDRS_LIT("content-type"),
                     HYPER_HDRS_LIT("application/json"), 0);
    if (!hyper_hdrs_contains(o.headers, HYPER_HDRS_LIT("accept")))
      hyper_hdrs_add(o.headers, HYPER_HDRS_LIT("accept"),
                     HYPER_HDRS_LIT("application/json, */*;q=0.5"), 0);
  } else if (!hyper_hdrs_contains(o.headers, HYPER_HDRS_LIT("accept"))) {
    hyper_hdrs_add(o.headers, HYPER_HDRS_LIT("accept"), HYPER_HDRS_LIT("*/*"),
                   0);
  }

  hyper_client_opts co;
  hyper_client_opts_init(&co);
  co.secure = !o.h2c && !strcmp(o.scheme, "https");
  /* https: ALPN picks h2 or http/1.1; http: h2 with prior knowledge unless
   * --http1. */
  co.protocol = o.http1 ? HYPER_CLIENT_PROTO_HTTP11
                        : (co.secure ? HYPER_CLIENT_PROTO_AUTO
                                     : HYPER_CLIENT_PROTO_H2);
  co.ca_file = o.cacert;
  co.ca_dir = o.capath;
  co.cert_file = o.cert;
  co.key_file = o.key;
  co.insecure = o.insecure;
  co.enable_push = o.push;
  if (o.timeout_ms) co.read_timeout_ms = o.timeout_ms;
  if (o.connect_timeout_ms) co.connect_timeout_ms = o.connect_timeout_ms;
  if (tr.debug || tr.json) {
    co.trace = cli_trace_hook;
    co.trace_user = &tr;
  }
  rv = hyper_client_new(&c, o.host, &co, NULL);
  if (rv < 0) {
    code = fail(NULL, rv, "cannot create the connection");
    goto out;
  }

  if (o.verbose) {
    /* Connect first so that the head shows the protocol ALPN chose. */
    rv = hyper_client_connect(c);
    if (rv < 0) {
      code = fail(c, rv, o.url);
      goto out;
    }
    cli_print_request_head(stdout, &o, hyper_client_protocol(c));
    if (o.body) {
      fwrite(o.body, 1, o.body_len, stdout);
      fputs("\n\n", stdout);
    }
  }
  uint32_t sid = 0;
  rv = hyper_client_request(c, o.method, o.path, o.body, o.body_len,
                            o.headers, &sid);
  if (rv < 0) {
    code = fail(c, rv, o.url);
    goto out;
  }
  rv = hyper_client_get_response(c, sid, &r);
  if (rv < 0) {
    code = fail(c, rv, o.url);
    goto out;
  }
  if (o.verbose || o.headers_only)
    cli_print_response_head(stdout, r, hyper_client_protocol(c));
  if (!o.headers_only) {
    if (o.output) {
      rv = save_body(r, o.output);
      if (rv > 0) {
        code = CLI_EXIT_ERROR;
        goto out;
      }
    } else {
      rv = print_body(r, colour);
    }
    if (rv < 0) {
      code = fail(c, rv, o.url);
      goto out;
    }
  }
  if (o.push) {
    rv = fetch_pushes(c, sid, colour);
    if (rv < 0) {
      code = fail(c, rv, "server push");
      goto out;
    }
  }
  fflush(stdout);
  if (o.linger_ms) linger(c, o.linger_ms);
  if (o.check_status) {
    int st = hyper_resp_status(r);
    if (st >= 400 && st < 500) code = CLI_EXIT_4XX;
    else if (st >= 500) code = CLI_EXIT_5XX;
    if (code != CLI_EXIT_OK && !o.verbose && !o.headers_only)
      fprintf(stderr, "hyper: warning: HTTP %d\n", st);
  }
out:
  hyper_resp_free(r);
  hyper_client_free(c);
  if (tr.json) fclose(tr.json);
  cli_opts_cleanup(&o);
  if (fflush(stdout) != 0 && code == CLI_EXIT_OK) code = CLI_EXIT_ERROR;
  return code;
}
