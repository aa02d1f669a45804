/*
 * hyper — the command-line HTTP/2 client (Python hyper's CLI, with HTTPie's
 * request items):
 *
 *   hyper [-h] [--version] [--debug] [OPTIONS] [METHOD] URL [ITEM ...]
 *
 * main.c drives one request (and, with --follow, its redirects) over the
 * blocking client (hyper/client.h) and maps failures to the exit codes
 * listed in cli.h.
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

/* ---- redirects (--follow) -------------------------------------------- */

static int is_redirect(int st) {
  return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

/* RFC 3986 §5.2.4: removes "." and ".." segments from |path| in place (the
 * query, if any, is left alone). */
static void remove_dot_segments(char *path) {
  size_t qpos = strcspn(path, "?");
  char saved = path[qpos];
  path[qpos] = '\0';
  char *out = path, *in = path;
  while (*in) {
    if (!strncmp(in, "/./", 3)) {
      in += 2;
    } else if (!strcmp(in, "/.")) {
      in[1] = '\0';
    } else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
      in += 3; /* "/.." -> "" or "/../x" -> "/x" */
      if (!*in) {
        in--;
        *in = '/';
      }
      while (out > path && out[-1] != '/') out--;
      if (out > path) out--; /* drop the last output segment */
    } else {
      do *out++ = *in++;
      while (*in && *in != '/');
    }
  }
  if (out == path) *out++ = '/';
  if (saved) {
    path[qpos] = saved;
    memmove(out, path + qpos, strlen(path + qpos) + 1);
  } else {
    *out = '\0';
  }
}

/* Resolves |loc| (a Location value: absolute URL, "//host/..", "/path",
 * "?query" or a relative path) against the current request in |o| and
 * makes it the current one. RFC 9110 §10.2.2, RFC 3986 §5.2.
 * Returns 0 or -1 after printing an error. */
static int follow_location(cli_opts *o, const char *loc) {
  size_t n = strlen(loc) + strlen(o->host) + strlen(o->path) + 16;
  char *url = malloc(n);
  if (!url) return -1;
  size_t frag = strcspn(loc, "#");
  if (strstr(loc, "://") && strcspn(loc, ":") < strcspn(loc, "/?")) {
    snprintf(url, n, "%.*s", (int)frag, loc);
  } else if (loc[0] == '/' && loc[1] == '/') {
    snprintf(url, n, "%s:%.*s", o->scheme, (int)frag, loc);
  } else if (loc[0] == '/') {
    snprintf(url, n, "%s://%s%.*s", o->scheme, o->host, (int)frag, loc);
  } else if (loc[0] == '?') {
    snprintf(url, n, "%s://%s%.*s%.*s", o->scheme, o->host,
             (int)strcspn(o->path, "?"), o->path, (int)frag, loc);
  } else {
    /* merge with the directory of the current path (RFC 3986 §5.2.3) */
    size_t dir = strcspn(o->path, "?");
    while (dir > 0 && o->path[dir - 1] != '/') dir--;
    snprintf(url, n, "%s://%s%.*s%.*s", o->scheme, o->host, (int)dir, o->path,
             (int)frag, loc);
  }
  for (const char *q = url; *q; q++) {
    if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f) {
      cli_err("redirect to an invalid Location '%s'", loc);
      free(url);
      return -1;
    }
  }
  int rv = cli_parse_url(o, url);
  free(url);
  if (rv < 0) return -1;
  remove_dot_segments(o->path);
  size_t un = strlen(o->scheme) + strlen(o->host) + strlen(o->path) + 4;
  char *u = malloc(un);
  if (!u) return -1;
  snprintf(u, un, "%s://%s%s", o->scheme, o->host, o->path);
  free(o->url);
  o->url = u;
  return 0;
}

/* Drops the request body and its header fields (301/302/303 become GET). */
static void drop_body(cli_opts *o) {
  free(o->body);
  o->body = NULL;
  o->body_len = 0;
  o->json_body = 0;
  hyper_hdrs_remove(o->headers, HYPER_HDRS_LIT("content-type"));
  hyper_hdrs_remove(o->headers, HYPER_HDRS_LIT("content-length"));
}

/* ---- connections ------------------------------------------------------- */

/* Opens (lazily) a client for the current origin of |o|. */
static int open_client(const cli_opts *o, cli_trace *tr, hyper_client **out) {
  hyper_client_opts co;
  hyper_client_opts_init(&co);
  co.secure = !o->h2c && !strcmp(o->scheme, "https");
  /* https: ALPN picks h2 or http/1.1; http: h2 with prior knowledge, or the
   * Upgrade dance with --upgrade (RFC 9113 §3.1 / RFC 7540 §3.2), unless
   * --http1. */
  co.protocol = o->http1 ? HYPER_CLIENT_PROTO_HTTP11
                : co.secure ? HYPER_CLIENT_PROTO_AUTO
                : o->upgrade ? HYPER_CLIENT_PROTO_H2C_UPGRADE
                             : HYPER_CLIENT_PROTO_H2;
  co.ca_file = o->cacert;
  co.ca_dir = o->capath;
  co.cert_file = o->cert;
  co.key_file = o->key;
  co.insecure = o->insecure;
  co.enable_push = o->push;
  if (o->timeout_ms) co.read_timeout_ms = o->timeout_ms;
  if (o->connect_timeout_ms) co.connect_timeout_ms = o->connect_timeout_ms;
  if (tr->debug || tr->json) {
    co.trace = cli_trace_hook;
    co.trace_user = tr;
  }
  return hyper_client_new(out, o->host, &co, NULL);
}

/* A visited request, for loop detection. */
typedef struct visit {
  char *key; /* "METHOD URL" */
  struct visit *next;
} visit;

static int seen_before(visit **list, const cli_opts *o) {
  size_t n = strlen(o->method) + strlen(o->url) + 2;
  char *k = malloc(n);
  if (!k) return 0;
  snprintf(k, n, "%s %s", o->method, o->url);
  for (visit *v = *list; v; v = v->next) {
    if (!strcmp(v->key, k)) {
      free(k);
      return 1;
    }
  }
  visit *v = malloc(sizeof *v);
  if (!v) {
    free(k);
    return 0;
  }
  v->key = k;
  v->next = *list;
  *list = v;
  return 0;
}

static void free_visits(visit *v) {
  while (v) {
    visit *n = v->next;
    free(v->key);
    free(v);
    v = n;
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
  visit *visits = NULL;
  uint32_t sid = 0;

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

  seen_before(&visits, &o); /* the first request, for loop detection */
  for (long redirects = 0;; redirects++) {
    if (!c) {
      rv = open_client(&o, &tr, &c);
      if (rv < 0) {
        code = fail(NULL, rv, "cannot create the connection");
        goto out;
      }
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
    int st = hyper_resp_status(r);
    hyper_slice loc;
    if (!o.follow || !is_redirect(st) ||
        hyper_hdrs_get_first(hyper_resp_headers(r), HYPER_HDRS_LIT("location"),
                             &loc) != 1)
      break;

    /* --follow: the next request (HTTPie's / requests' rules) */
    if (o.verbose) {
      cli_print_response_head(stdout, r, hyper_client_protocol(c));
      fputc('\n', stdout);
    }
    if (redirects >= o.max_redirects) {
      cli_err("too many redirects (more than %ld, see --max-redirects): "
              "%s answered %d",
              o.max_redirects, o.url, st);
      code = CLI_EXIT_REDIRECT;
      goto out;
    }
    char *target = malloc(loc.len + 1);
    if (!target) {
      code = CLI_EXIT_ERROR;
      goto out;
    }
    memcpy(target, loc.ptr, loc.len);
    target[loc.len] = '\0';
    hyper_resp_free(r); /* the redirect's own body is not needed */
    r = NULL;
    char *old_scheme = strdup(o.scheme), *old_host = strdup(o.host);
    char *old_url = strdup(o.url);
    if (!old_scheme || !old_host || !old_url ||
        follow_location(&o, target) < 0) {
      free(old_scheme);
      free(old_host);
      free(old_url);
      free(target);
      code = CLI_EXIT_PROTOCOL;
      goto out;
    }
    free(target);
    /* 301/302/303 turn the request into a GET without body (RFC 9110
     * §15.4.2-4 allow it and every browser does it; HEAD stays HEAD);
     * 307/308 repeat the method and the body (§15.4.8, §15.4.9). */
    if ((st == 301 || st == 302 || st == 303) && strcmp(o.method, "HEAD")) {
      free(o.method);
      o.method = strdup("GET");
      if (!o.method) {
        free(old_scheme);
        free(old_host);
        free(old_url);
        code = CLI_EXIT_ERROR;
        goto out;
      }
      drop_body(&o);
    }
    int same_origin = !strcmp(old_scheme, o.scheme) && !strcmp(old_host, o.host);
    free(old_scheme);
    free(old_host);
    if (!same_origin) {
      /* credentials are for the origin they were given for */
      hyper_hdrs_remove(o.headers, HYPER_HDRS_LIT("authorization"));
      hyper_client_free(c); /* another origin: another connection */
      c = NULL;
    } else if (!hyper_client_is_connected(c)) {
      hyper_client_close(c, 0); /* reconnects on the next request */
    }
    if (seen_before(&visits, &o)) {
      cli_err("redirect loop: %s redirects to %s %s, requested before "
              "(after %ld redirect%s)",
              old_url, o.method, o.url, redirects + 1, redirects ? "s" : "");
      free(old_url);
      code = CLI_EXIT_REDIRECT;
      goto out;
    }
    free(old_url);
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
    if (st >= 300 && st < 400) code = CLI_EXIT_REDIRECT;
    else if (st >= 400 && st < 500) code = CLI_EXIT_4XX;
    else if (st >= 500) code = CLI_EXIT_5XX;
    if (code != CLI_EXIT_OK && !o.verbose && !o.headers_only)
      fprintf(stderr, "hyper: warning: HTTP %d\n", st);
  }
out:
  hyper_resp_free(r);
  hyper_client_free(c);
  free_visits(visits);
  if (tr.json) fclose(tr.json);
  cli_opts_cleanup(&o);
  if (fflush(stdout) != 0 && code == CLI_EXIT_OK) code = CLI_EXIT_ERROR;
  return code;
}
