/*
 * hyper-cli: command line, URL and request items (HTTPie's grammar).
 *
 *   Header:value   request header (Header: sends an empty value)
 *   name==value    query parameter (URL-encoded)
 *   field=value    JSON string field
 *   field:=json    raw JSON field
 *   field=@file    JSON string field from a file
 *   field:=@file   raw JSON field from a file
 *   @file          raw request body from a file
 * A backslash makes the next character literal (a\:b==c: name "a:b").
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hyper/version.h"

#define MAX_FILE (64L * 1024 * 1024)

void cli_err(const char *fmt, ...) {
  va_list ap;
  fputs("hyper: error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_usage(FILE *f) {
  fputs(
      "usage: hyper [-h] [--version] [--debug] [OPTIONS] [METHOD] URL "
      "[ITEM ...]\n"
      "\n"
      "Make one HTTP/2 request and print the response body.\n"
      "\n"
      "METHOD   GET by default, POST when data items are given.\n"
      "URL      [http[s]://]host[:port][/path][?query]; https:// when no "
      "scheme.\n"
      "         http:// uses cleartext HTTP/2 with prior knowledge (h2c),\n"
      "         or the HTTP/1.1 Upgrade with --upgrade.\n"
      "ITEM     Header:value     request header (Header: sends it empty)\n"
      "         name==value      query string parameter (URL-encoded)\n"
      "         field=value      JSON string field of the body\n"
      "         field:=json      raw JSON field (number, bool, array, "
      "object)\n"
      "         field=@file      JSON string field read from a file\n"
      "         field:=@file     raw JSON field read from a file\n"
      "         @file            raw request body read from a file\n"
      "         A backslash escapes a separator character.\n"
      "\n"
      "options:\n"
      "  -h, --help             show this help and exit\n"
      "  --version              show the version and exit\n"
      "  --debug                print every frame sent and received and HPACK\n"
      "                         table changes on stderr\n"
      "  --trace-json FILE      write the same trace as JSON lines to FILE\n"
      "  -v, --verbose          print the request and the response head too\n"
      "  --headers              print only the response head\n"
      "  -o, --output FILE      write the body to FILE (progress on stderr)\n"
      "  -d, --download         write the body to a file named after the URL\n"
      "  --check-status         exit 4 on a 4xx and 5 on a 5xx response\n"
      "  --push                 accept server push; print the promised paths\n"
      "                         and the pushed responses\n"
      "  --h2c                  cleartext HTTP/2 with prior knowledge\n"
      "  --http1                use HTTP/1.1 (https:// otherwise negotiates\n"
      "                         h2 or http/1.1 with ALPN, preferring h2)\n"
      "  --upgrade              http://: start with HTTP/1.1 and ask to switch\n"
      "                         to h2c (Upgrade: h2c); HTTP/1.1 if refused\n"
      "  -F, --follow           follow redirects (301 302 303 307 308)\n"
      "  --max-redirects N      with --follow, give up after N redirects\n"
      "                         (default 30)\n"
      "  --cacert FILE          trust the CA certificates in FILE (PEM)\n"
      "  --capath DIR           trust the CA certificates in DIR (hashed)\n"
      "  --cert FILE            client certificate (PEM); needs --key\n"
      "  --key FILE             client private key (PEM)\n"
      "  --insecure             do not verify the server certificate\n"
      "  --timeout SECS         give up when the server is silent this long\n"
      "  --connect-timeout SECS give up connecting after this long\n"
      "  --linger-ms N          keep the connection N ms after the response\n"
      "                         (answering PINGs), then send GOAWAY\n"
      "\n"
      "exit status:\n"
      "  0 success        1 other error (output file, decoding)\n"
      "  2 usage error    3 too many redirects or a redirect loop; a 3xx\n"
      "                     with --check-status\n"
      "  4 4xx with --check-status   5 5xx with --check-status\n"
      "  6 DNS or connect failure   7 TLS failure   8 HTTP/2 protocol error\n"
      "  or connection lost        9 timeout\n",
      f);
}

void cli_opts_cleanup(cli_opts *o) {
  free(o->method);
  free(o->scheme);
  free(o->host);
  free(o->path);
  free(o->url);
  hyper_hdrs_free(o->headers);
  free(o->body);
  free(o->output);
  free(o->trace_json);
  free(o->cacert);
  free(o->capath);
  free(o->cert);
  free(o->key);
  memset(o, 0, sizeof *o);
}

static char *dupn(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

/* Reads a whole file; prints the error and returns -1 on failure. */
static int read_file(const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_err("cannot read file '%s': %s", path, strerror(errno));
    return -1;
  }
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (cap - n < 65536) {
      if (cap >= (size_t)MAX_FILE) {
        cli_err("file '%s' is larger than 64 MiB", path);
        free(buf);
        fclose(f);
        return -1;
      }
      cap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        cli_err("out of memory reading '%s'", path);
        free(buf);
        fclose(f);
        return -1;
      }
      buf = nb;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    cli_err("cannot read file '%s': I/O error", path);
    free(buf);
    return -1;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

static int check_readable(const char *what, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_err("%s '%s': %s", what, path, strerror(errno));
    return -1;
  }
  fclose(f);
  return 0;
}

/* ---- URL --------------------------------------------------------------- */

static int is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int parse_url(cli_opts *o, const char *url) {
  free(o->scheme);
  free(o->host);
  free(o->path);
  o->scheme = o->host = o->path = NULL;
  const char *p = url, *sep = strstr(url, "://");
  const char *scheme = "https";
  char localbuf[16];
  if (!*url) {
    cli_err("empty URL");
    return -1;
  }
  if (sep) {
    size_t n = (size_t)(sep - url);
    if (n == 4 && !strncmp(url, "http", 4))
      scheme = "http";
    else if (n == 5 && !strncmp(url, "https", 5))
      scheme = "https";
    else {
      cli_err("unsupported URL scheme in '%s' (use http:// or https://)", url);
      return -1;
    }
    p = sep + 3;
  } else if (url[0] == ':') {
    /* HTTPie's shorthand: ":8080/path" is http://localhost:8080/path */
    scheme = "http";
    strcpy(localbuf, "localhost");
  }
  for (const char *q = url; *q; q++) {
    if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f) {
      cli_err("bad URL '%s': contains a space or control character", url);
      return -1;
    }
  }
  size_t alen = strcspn(p, "/?#");
  const char *rest = p + alen;
  char *auth;
  if (url[0] == ':' && !sep) {
    size_t n = strlen(localbuf) + alen + 1;
    auth = malloc(n);
    if (!auth) return -1;
    snprintf(auth, n, "%s%.*s", localbuf, (int)alen, p);
  } else {
    auth = dupn(p, alen);
    if (!auth) return -1;
  }
  /* validate host[:port] */
  const char *h = auth, *port = NULL;
  size_t hlen;
  if (memchr(auth, '@', strlen(auth))) {
    cli_err("bad URL '%s': user information is not supported", url);
    goto fail;
  }
  if (*h == '[') {
    const char *close = strchr(h, ']');
    if (!close || close == h + 1) {
      cli_err("bad URL '%s': unterminated IPv6 address", url);
      goto fail;
    }
    for (const char *q = h + 1; q < close; q++) {
      if (!(*q == ':' || *q == '.' || (*q >= '0' && *q <= '9') ||
            (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))) {
        cli_err("bad URL '%s': bad IPv6 address", url);
        goto fail;
      }
    }
    hlen = (size_t)(close - h) + 1;
    if (close[1] == ':')
      port = close + 2;
    else if (close[1]) {
      cli_err("bad URL '%s': junk after the IPv6 address", url);
      goto fail;
    }
  } else {
    const char *colon = strchr(h, ':');
    hlen = colon ? (size_t)(colon - h) : strlen(h);
    if (colon) port = colon + 1;
    if (hlen == 0) {
      cli_err("bad URL '%s': no host name", url);
      goto fail;
    }
    for (size_t i = 0; i < hlen; i++) {
      if (!is_host_char(h[i])) {
        cli_err("bad URL '%s': invalid character '%c' in the host name", url,
                h[i]);
        goto fail;
      }
    }
  }
  if (port) {
    char *end;
    long v;
    errno = 0;
    v = strtol(port, &end, 10);
    if (!*port || *end || v < 1 || v > 65535 || errno || *port == '+' ||
        strlen(port) > 5 || /* as hyper_client_new() (no "000080") */
        *port == '-') {
      cli_err("bad URL '%s': invalid port '%s'", url, port);
      goto fail;
    }
  }
  /* path: from '/', or "/" + query; the fragment is dropped */
  size_t plen = strcspn(rest, "#");
  if (*rest == '/') {
    o->path = dupn(rest, plen);
  } else {
    o->path = malloc(plen + 2);
    if (o->path) {
      o->path[0] = '/';
      memcpy(o->path + 1, rest, plen);
      o->path[plen + 1] = '\0';
    }
  }
  o->scheme = strdup(scheme);
  o->host = auth;
  if (!o->path || !o->scheme) return -1;
  return 0;
fail:
  free(auth);
  return -1;
}

int cli_parse_url(cli_opts *o, const char *url) { return parse_url(o, url); }

/* ---- items ------------------------------------------------------------- */

static int append_query(cli_opts *o, const char *name, const char *value) {
  static const char hex[] = "0123456789ABCDEF";
  size_t cur = strlen(o->path);
  size_t need = cur + 2 + 3 * (strlen(name) + strlen(value)) + 1;
  char *np = realloc(o->path, need);
  if (!np) return -1;
  o->path = np;
  char *w = np + cur;
  *w++ = strchr(np, '?') ? '&' : '?';
  for (int part = 0; part < 2; part++) {
    const unsigned char *s = (const unsigned char *)(part ? value : name);
    if (part) *w++ = '=';
    for (; *s; s++) {
      if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_' ||
          *s == '~') {
        *w++ = (char)*s;
      } else {
        *w++ = '%';
        *w++ = hex[*s >> 4];
        *w++ = hex[*s & 15];
      }
    }
  }
  *w = '\0';
  return 0;
}

static int is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

enum item_kind { IT_HEADER, IT_QUERY, IT_STR, IT_JSON, IT_STR_FILE,
                 IT_JSON_FILE };

/* Splits |arg| at its first unescaped separator. Returns the kind, or -1
 * when there is none. |*name| is the unescaped key (owned); |*value| points
 * into |arg|. */
static int split_item(const char *arg, char **name, const char **value) {
  static const struct {
    const char *sep;
    int kind;
  } seps[] = {{":=@", IT_JSON_FILE}, {"=@", IT_STR_FILE}, {"==", IT_QUERY},
              {":=", IT_JSON},       {"=", IT_STR},       {":", IT_HEADER}};
  size_t n = strlen(arg);
  char *key = malloc(n + 1);
  size_t k = 0;
  if (!key) return -1;
  for (size_t i = 0; i < n; i++) {
    if (arg[i] == '\\' && i + 1 < n) {
      key[k++] = arg[++i];
      continue;
    }
    for (size_t s = 0; s < sizeof seps / sizeof seps[0]; s++) {
      size_t sl = strlen(seps[s].sep);
      if (!strncmp(arg + i, seps[s].sep, sl)) {
        key[k] = '\0';
        *name = key;
        *value = arg + i + sl;
        return seps[s].kind;
      }
    }
    key[k++] = arg[i];
  }
  free(key);
  return -1;
}

static int add_item(cli_opts *o, json_t *data, const char *arg,
                    int *have_data) {
  char *name = NULL;
  const char *value = NULL;
  int kind = split_item(arg, &name, &value);
  int rv = -1;
  if (kind < 0) {
    if (arg[0] == '@' && arg[1]) {
      if (o->body) {
        cli_err("more than one raw body item ('%s')", arg);
        return -1;
      }
      if (read_file(arg + 1, &o->body, &o->body_len) < 0) return -1;
      return 0;
    }
    cli_err("malformed request item '%s' (expected Header:value, "
            "name==value, field=value, field:=json or @file)",
            arg);
    return -1;
  }
  if (kind != IT_HEADER && kind != IT_QUERY && !*name) {
    cli_err("request item '%s' has an empty field name", arg);
    goto out;
  }
  switch (kind) {
  case IT_HEADER: {
    if (!*name) {
      cli_err("request item '%s' has an empty header name", arg);
      goto out;
    }
    for (const char *c = name; *c; c++) {
      if (!is_tchar(*c)) {
        cli_err("invalid header name '%s' in item '%s'", name, arg);
        goto out;
      }
    }
    if (strpbrk(value, "\r\n")) {
      cli_err("header value in item '%s' contains CR or LF", arg);
      goto out;
    }
    const char *v = value;
    while (*v == ' ' || *v == '\t') v++;
    if (hyper_hdrs_add(o->headers, name, strlen(name), v, strlen(v), 0) < 0) {
      cli_err("too many or too large headers at item '%s'", arg);
      goto out;
    }
    break;
  }
  case IT_QUERY:
    if (!*name) {
      cli_err("request item '%s' has an empty parameter name", arg);
      goto out;
    }
    if (append_query(o, name, value) < 0) goto out;
    break;
  case IT_STR:
  case IT_STR_FILE:
  case IT_JSON:
  case IT_JSON_FILE: {
    char *buf = NULL;
    size_t len = 0;
    json_t *j = NULL;
    if (kind == IT_STR_FILE || kind == IT_JSON_FILE) {
      if (!*value) {
        cli_err("request item '%s' names no file", arg);
        goto out;
      }
      if (read_file(value, &buf, &len) < 0) goto out;
    }
    if (kind == IT_STR || kind == IT_STR_FILE) {
      const char *s = buf ? buf : value;
      size_t sl = buf ? len : strlen(value);
      j = json_stringn(s, sl);
      if (!j) cli_err("item '%s': value is not valid UTF-8 text", arg);
    } else {
      json_error_t err;
      j = buf ? json_loadb(buf, len, JSON_DECODE_ANY, &err)
              : json_loads(value, JSON_DECODE_ANY, &err);
      if (!j)
        cli_err("item '%s': invalid JSON: %s (line %d, column %d)", arg,
                err.text, err.line, err.column);
    }
    free(buf);
    if (!j) goto out;
    json_object_set_new(data, name, j);
    *have_data = 1;
    break;
  }
  default:
    goto out;
  }
  rv = 0;
out:
  free(name);
  return rv;
}

/* ---- options ----------------------------------------------------------- */

static int parse_secs(const char *flag, const char *v, long *ms) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (!*v || *end || errno || !(d > 0) || d > 86400.0 * 365) {
    cli_err("%s: invalid number of seconds '%s'", flag, v);
    return -1;
  }
  *ms = (long)(d * 1000.0);
  if (*ms < 1) *ms = 1;
  return 0;
}

static int set_str(char **dst, const char *v) {
  free(*dst);
  *dst = strdup(v);
  return *dst ? 0 : -1;
}

static int is_method_word(const char *s) {
  if (!*s || strlen(s) > 32) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return 0;
  return 1;
}

/* HTTPie's guess: the first word is a METHOD when it is a standard method,
 * or a word of letters followed by something that is not a request item (a
 * URL). "h X-A:1" is thus URL "h" with a header. */
static int looks_like_method(const char *first, const char *second) {
  static const char *const std[] = {"GET", "POST", "PUT", "PATCH", "DELETE",
                                    "HEAD", "OPTIONS", "TRACE", "CONNECT",
                                    NULL};
  if (!is_method_word(first)) return 0;
  for (size_t i = 0; std[i]; i++) {
    size_t k;
    for (k = 0; first[k] && std[i][k]; k++) {
      char c = first[k];
      if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
      if (c != std[i][k]) break;
    }
    if (!first[k] && !std[i][k]) return 1;
  }
  if (!strncmp(second, "http://", 7) || !strncmp(second, "https://", 8))
    return 1;
  if (second[0] == '@') return 0;
  char *name = NULL;
  const char *value;
  int kind = split_item(second, &name, &value);
  free(name);
  return kind < 0;
}

int cli_parse_args(cli_opts *o, int argc, char **argv) {
  const char **pos = calloc((size_t)argc + 1, sizeof *pos);
  int npos = 0, rv = CLI_EXIT_USAGE, only_pos = 0;
  json_t *data = NULL;
  hyper_hdrs_config hc;
  if (!pos) return CLI_EXIT_USAGE;
  o->timeout_ms = 0;
  o->connect_timeout_ms = 0;
  o->linger_ms = 0;
  o->max_redirects = 30;
  hyper_hdrs_config_init(&hc);
  hc.lowercase_names = 1;
  if (hyper_hdrs_new(&o->headers, &hc, NULL) < 0) goto out;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      pos[npos++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_pos = 1;
      continue;
    }
    /* --name=value */
    char flag[64];
    const char *val = NULL;
    const char *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
    size_t fl = eq ? (size_t)(eq - a) : strlen(a);
    if (fl >= sizeof flag) fl = sizeof flag - 1;
    memcpy(flag, a, fl);
    flag[fl] = '\0';
    if (eq) val = eq + 1;

    static const char *const with_value[] = {
        "--cacert", "--capath", "--cert", "--key", "--timeout",
        "--connect-timeout", "-o", "--output", "--linger-ms",
        "--trace-json", "--max-redirects", NULL};
    int needs = 0;
    for (size_t k = 0; with_value[k]; k++)
      if (!strcmp(flag, with_value[k])) needs = 1;
    if (needs && !val) {
      if (i + 1 >= argc) {
        cli_err("option %s needs a value", flag);
        goto out;
      }
      val = argv[++i];
    } else if (!needs && val) {
      cli_err("option %s takes no value", flag);
      goto out;
    }

    if (!strcmp(flag, "-h") || !strcmp(flag, "--help")) {
      cli_usage(stdout);
      rv = -1;
      goto out;
    } else if (!strcmp(flag, "--version")) {
      printf("hyper %s\n", HYPER_VERSION_STR);
      rv = -1;
      goto out;
    } else if (!strcmp(flag, "--debug")) {
      o->debug = 1;
    } else if (!strcmp(flag, "-v") || !strcmp(flag, "--verbose")) {
      o->verbose = 1;
    } else if (!strcmp(flag, "--headers")) {
      o->headers_only = 1;
    } else if (!strcmp(flag, "--push")) {
      o->push = 1;
    } else if (!strcmp(flag, "--check-status")) {
      o->check_status = 1;
    } else if (!strcmp(flag, "--insecure")) {
      o->insecure = 1;
    } else if (!strcmp(flag, "--h2c")) {
      o->h2c = 1;
    } else if (!strcmp(flag, "-d") || !strcmp(flag, "--download")) {
      o->download = 1;
    } else if (!strcmp(flag, "--http1")) {
      o->http1 = 1;
    } else if (!strcmp(flag, "--upgrade")) {
      o->upgrade = 1;
    } else if (!strcmp(flag, "-F") || !strcmp(flag, "--follow")) {
      o->follow = 1;
    } else if (!strcmp(flag, "--max-redirects")) {
      char *end;
      errno = 0;
      long v = strtol(val, &end, 10);
      if (!*val || *end || errno || v < 0 || v > 1000) {
        cli_err("--max-redirects: invalid number '%s' (0 to 1000)", val);
        goto out;
      }
      o->max_redirects = v;
    } else if (!strcmp(flag, "--cacert")) {
      if (check_readable("--cacert: cannot read", val) ||
          set_str(&o->cacert, val))
        goto out;
    } else if (!strcmp(flag, "--capath")) {
      if (set_str(&o->capath, val)) goto out;
    } else if (!strcmp(flag, "--cert")) {
      if (check_readable("--cert: cannot read", val) || set_str(&o->cert, val))
        goto out;
    } else if (!strcmp(flag, "--key")) {
      if (check_readable("--key: cannot read", val) || set_str(&o->key, val))
        goto out;
    } else if (!strcmp(flag, "--timeout")) {
      if (parse_secs(flag, val, &o->timeout_ms)) goto out;
    } else if (!strcmp(flag, "--connect-timeout")) {
      if (parse_secs(flag, val, &o->connect_timeout_ms)) goto out;
    } else if (!strcmp(flag, "-o") || !strcmp(flag, "--output")) {
      if (!*val) {
        cli_err("%s: empty file name", flag);
        goto out;
      }
      if (set_str(&o->output, val)) goto out;
    } else if (!strcmp(flag, "--trace-json")) {
      if (!*val) {
        cli_err("%s: empty file name", flag);
        goto out;
      }
      if (set_str(&o->trace_json, val)) goto out;
    } else if (!strcmp(flag, "--linger-ms")) {
      char *end;
      errno = 0;
      long v = strtol(val, &end, 10);
      if (!*val || *end || errno || v < 0 || v > 3600000) {
        cli_err("--linger-ms: invalid number '%s'", val);
        goto out;
      }
      o->linger_ms = v;
    } else {
      cli_err("unknown option '%s' (see hyper --help)", a);
      goto out;
    }
  }
  if (o->upgrade + o->h2c + o->http1 > 1) {
    cli_err("--upgrade, --h2c and --http1 exclude each other");
    goto out;
  }
  if ((o->cert != NULL) != (o->key != NULL)) {
    cli_err("--cert and --key must be given together");
    goto out;
  }
  if (npos == 0) {
    cli_err("no URL given (see hyper --help)");
    goto out;
  }
  int first = 0;
  if (npos >= 2 && looks_like_method(pos[0], pos[1])) {
    o->method = strdup(pos[0]);
    if (!o->method) goto out;
    for (char *m = o->method; *m; m++)
      if (*m >= 'a' && *m <= 'z') *m = (char)(*m - 'a' + 'A');
    first = 1;
  }
  if (parse_url(o, pos[first]) < 0) goto out;
  data = json_object();
  if (!data) goto out;
  int have_data = 0;
  for (int i = first + 1; i < npos; i++)
    if (add_item(o, data, pos[i], &have_data) < 0) goto out;
  if (have_data && o->body) {
    cli_err("a raw body (@file) cannot be combined with data fields");
    goto out;
  }
  if (have_data) {
    o->body = json_dumps(data, 0);
    if (!o->body) goto out;
    o->body_len = strlen(o->body);
    o->json_body = 1;
  }
  if (!o->method) o->method = strdup(o->body ? "POST" : "GET");
  {
    const char *sch = o->h2c ? "http" : o->scheme;
    size_t n = strlen(sch) + strlen(o->host) + strlen(o->path) + 4;
    o->url = malloc(n);
    if (!o->url || !o->method) goto out;
    snprintf(o->url, n, "%s://%s%s", sch, o->host, o->path);
  }
  if (o->download && !o->output) {
    /* the last path segment, without the query; "index" when empty */
    size_t qn = strcspn(o->path, "?");
    const char *s = o->path + qn;
    while (s > o->path && s[-1] != '/') s--;
    size_t n = (size_t)(o->path + qn - s);
    o->output = n && !(n == 1 && s[0] == '.') &&
                        !(n == 2 && s[0] == '.' && s[1] == '.')
                    ? dupn(s, n)
                    : strdup("index");
    if (!o->output) goto out;
  }
  rv = 0;
out:
  json_decref(data);
  free(pos);
  return rv;
}
