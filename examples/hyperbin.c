/*
 * hyperbin — a small httpbin-like HTTP/2 test server on hyper's server-role
 * sans-IO core (include/hyper/h2.h) with its own poll(2) loop.
 *
 *   hyperbin [--host ADDR] [--port N] [--cert FILE --key FILE] [--cleartext]
 *            [--header-timeout SECONDS] [--idle-timeout SECONDS]
 *
 * Cleartext HTTP/2 by default: prior knowledge (h2c), or an HTTP/1.1
 * request with "Upgrade: h2c" (RFC 7540 §3.2; answered 101, the request
 * becomes stream 1; any other HTTP/1.1 request gets 505); with --cert and
 * --key, TLS (1.2 or later, OpenSSL used directly) with ALPN "h2".
 * Prints "listening on URL" (http://HOST:PORT/ or https://HOST:PORT/, an
 * IPv6 host in brackets) on stdout once it accepts connections
 * (--port 0, the default, picks a free port). Stops cleanly on SIGINT or
 * SIGTERM. Routes: /get /post /put /patch /delete /anything /headers /ip
 * /user-agent /status/N /bytes/N /stream/N /delay/N /drip /gzip /deflate
 * /brotli /redirect/N /relative-redirect/N /absolute-redirect/N
 * /redirect-to?url=U&status_code=N /redirect-loop /cookies
 * /response-headers?k=v /push /trailers.
 *
 * Slow-loris defence: the preface and first SETTINGS must arrive within
 * --header-timeout (default 10 s) of accept, and each request's header
 * block (HEADERS..END_HEADERS) within it of the block's first octet; a
 * trickle of octets does not extend it. Then GOAWAY(ENHANCE_YOUR_CALM) and
 * close (an HTTP/1.1 head still incomplete: 408). A connection with no
 * stream open for --idle-timeout (default 120 s) gets GOAWAY(NO_ERROR) and
 * is closed. One poll(2) loop serves every connection meanwhile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HYPERBIN_BROTLI
#include <brotli/encode.h>
#endif

#include "hyper/h1.h"
#include "hyper/h2.h"
#include "hyper/version.h"

#define MAX_CONNS 512
#define MAX_REQ_BODY (4u * 1024u * 1024u)
#define MAX_BYTES (16u * 1024u * 1024u)
#define MAX_STREAM_LINES 100
#define MAX_DELAY_S 10
#define MAX_DRIP_BYTES (10u * 1024u * 1024u)
#define MAX_REQ_HEADERS 100
#define MAX_H1_HEAD 16384u /* an HTTP/1.1 request head asking to upgrade */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- per-stream state ------------------------------------------------- */

typedef struct seg {
  uint8_t *data;
  size_t len, off;
  struct seg *next;
} seg;

typedef struct stream {
  uint32_t id;
  char *method, *path, *authority, *scheme;
  json_t *headers; /* object: name -> value (duplicates joined with ", ") */
  uint8_t *body;
  size_t body_len;
  int too_big;
  int responded;   /* response HEADERS sent */
  int all_queued;  /* every segment of the body is queued */
  int trailers;    /* end with trailers instead of END_STREAM */
  int done;        /* our side ended */
  uint64_t ready_at; /* /delay: respond at this time (0: not waiting) */
  uint64_t drip_at;  /* /drip: queue the next octet at this time */
  uint64_t drip_every; /* ms between octets */
  size_t drip_left;  /* octets still to drip */
  seg *head, *tail;
  struct stream *next;
} stream;

typedef struct conn {
  int fd;
  hyper_h2_conn *h2;
  stream *streams;
  int dead;    /* close once output is flushed */
  SSL *ssl;    /* NULL: cleartext */
  int handshaken;
  int tls_wants_write; /* the last TLS call needs the socket writable */
  int started; /* 0: cleartext, first bytes not seen yet (h2c preface or
                 * an HTTP/1.1 request with Upgrade: h2c); 1: HTTP/2 */
  uint8_t *h1buf; /* bytes received before the protocol was known */
  size_t h1len;
  /* Slow-loris defence (see conn_deadline()): the connection preface and
   * the first SETTINGS frame, and then each request's header block, must
   * arrive whole within g_header_ms; a trickle does not extend it. */
  uint64_t hdr_deadline; /* 0: no preface or header block in progress */
  uint64_t idle_since;   /* last time a stream was open (or accept) */
  uint64_t close_by;     /* dead == 1: close then even if not flushed */
  int prefaced;          /* preface + first SETTINGS received */
  size_t pre_left;       /* preface octets the frame scanner still skips */
  uint8_t fh[9];         /* frame header being scanned */
  unsigned fh_len;
  uint64_t fh_at;        /* when its first octet arrived */
  uint32_t pay_left;     /* payload octets of the scanned frame to come */
  uint8_t ftype, fflags; /* the scanned frame's type and flags */
} conn;

/* --header-timeout and --idle-timeout, in ms (0: off). */
static uint64_t g_header_ms = 10000;
static uint64_t g_idle_ms = 120000;

static char *xstrndup(const uint8_t *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) return NULL;
  if (n) memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

static void stream_free(stream *s) {
  if (!s) return;
  free(s->method);
  free(s->path);
  free(s->authority);
  free(s->scheme);
  json_decref(s->headers);
  free(s->body);
  for (seg *g = s->head; g;) {
    seg *n = g->next;
    free(g->data);
    free(g);
    g = n;
  }
  free(s);
}

static stream *stream_find(conn *c, uint32_t id) {
  for (stream *s = c->streams; s; s = s->next)
    if (s->id == id) return s;
  return NULL;
}

static void stream_remove(conn *c, uint32_t id) {
  for (stream **pp = &c->streams; *pp; pp = &(*pp)->next) {
    if ((*pp)->id == id) {
      stream *s = *pp;
      *pp = s->next;
      stream_free(s);
      return;
    }
  }
}

static stream *stream_add(conn *c, uint32_t id) {
  stream *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->id = id;
  s->headers = json_object();
  if (!s->headers) {
    free(s);
    return NULL;
  }
  s->next = c->streams;
  c->streams = s;
  return s;
}

/* Takes ownership of |data| (malloc'd). */
static int queue_seg(stream *s, uint8_t *data, size_t len) {
  seg *g = calloc(1, sizeof *g);
  if (!g) {
    free(data);
    return -1;
  }
  g->data = data;
  g->len = len;
  if (s->tail)
    s->tail->next = g;
  else
    s->head = g;
  s->tail = g;
  return 0;
}

/* ---- request fields ---------------------------------------------------- */

/* "user-agent" -> "User-Agent", as httpbin shows names. */
static void title_case(char *s) {
  int up = 1;
  for (; *s; s++) {
    if (up && *s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
    up = (*s == '-');
  }
}

static int record_request(stream *s, const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n && i < MAX_REQ_HEADERS; i++) {
    char *name = xstrndup(f[i].name, f[i].name_len);
    char *value = xstrndup(f[i].value, f[i].value_len);
    if (!name || !value) {
      free(name);
      free(value);
      return -1;
    }
    char **slot = NULL;
    if (!strcmp(name, ":method")) slot = &s->method;
    else if (!strcmp(name, ":path")) slot = &s->path;
    else if (!strcmp(name, ":authority")) slot = &s->authority;
    else if (!strcmp(name, ":scheme")) slot = &s->scheme;
    if (slot) {
      free(*slot);
      *slot = value;
      value = NULL;
    } else if (name[0] != ':') {
      title_case(name);
      json_t *old = json_object_get(s->headers, name);
      if (old) {
        size_t ol = strlen(json_string_value(old)), vl = strlen(value);
        char *joined = malloc(ol + vl + 3);
        if (joined) {
          memcpy(joined, json_string_value(old), ol);
          memcpy(joined + ol, ", ", 2);
          memcpy(joined + ol + 2, value, vl + 1);
          json_object_set_new(s->headers, name, json_string(joined));
          free(joined);
        }
      } else {
        json_object_set_new(s->headers, name, json_string(value));
      }
    }
    free(name);
    free(value);
  }
  /* :authority may be absent (host header instead). */
  if (!s->authority) {
    json_t *h = json_object_get(s->headers, "Host");
    s->authority = strdup(h ? json_string_value(h) : "localhost");
  } else if (!json_object_get(s->headers, "Host")) {
    json_object_set_new(s->headers, "Host", json_string(s->authority));
  }
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decodes |n| octets of |p| ('+' is a space) into a new string. */
static char *url_decode(const char *p, size_t n) {
  char *out = malloc(n + 1);
  size_t o = 0;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '+') {
      out[o++] = ' ';
    } else if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
               hexval(p[i + 2]) >= 0) {
      out[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
      i += 2;
    } else {
      out[o++] = p[i];
    }
  }
  out[o] = '\0';
  return out;
}

/* The query string of |path| as an httpbin "args" object; repeated names
 * become arrays. */
static json_t *parse_args(const char *path) {
  json_t *args = json_object();
  const char *q = strchr(path, '?');
  if (!args || !q) return args;
  q++;
  while (*q) {
    size_t len = strcspn(q, "&");
    const char *eq = memchr(q, '=', len);
    size_t klen = eq ? (size_t)(eq - q) : len;
    char *k = url_decode(q, klen);
    char *v = eq ? url_decode(eq + 1, len - klen - 1) : strdup("");
    if (k && v && *k) {
      json_t *old = json_object_get(args, k);
      if (!old) {
        json_object_set_new(args, k, json_string(v));
      } else if (json_is_array(old)) {
        json_array_append_new(old, json_string(v));
      } else {
        json_t *arr = json_array();
        json_array_append(arr, old);
        json_array_append_new(arr, json_string(v));
        json_object_set_new(args, k, arr);
      }
    }
    free(k);
    free(v);
    q += len;
    if (*q == '&') q++;
  }
  return args;
}

static json_t *request_url(const stream *s) {
  const char *scheme = s->scheme ? s->scheme : "http";
  const char *path = s->path ? s->path : "/";
  size_t n = strlen(scheme) + strlen(s->authority) + strlen(path) + 4;
  char *u = malloc(n);
  if (!u) return NULL;
  snprintf(u, n, "%s://%s%s", scheme, s->authority, path);
  json_t *j = json_string(u);
  free(u);
  return j;
}

/* ---- responses --------------------------------------------------------- */

typedef struct resp {
  int status;
  const char *ctype;
  const char *encoding; /* content-encoding or NULL */
  const char *trailer;  /* "trailer" field or NULL */
} resp;

static int send_head(conn *c, stream *s, const resp *r, size_t clen,
                     int has_len, int end_stream) {
  char status[8], len[24];
  hyper_field f[8];
  size_t n = 0;
  snprintf(status, sizeof status, "%d", r->status);
  snprintf(len, sizeof len, "%zu", clen);
#define ADD(nm, val)                                                          \
  do {                                                                        \
    f[n].name = (const uint8_t *)(nm);                                        \
    f[n].name_len = strlen(nm);                                               \
    f[n].value = (const uint8_t *)(val);                                      \
    f[n].value_len = strlen(val);                                             \
    f[n].flags = 0;                                                           \
    n++;                                                                      \
  } while (0)
  ADD(":status", status);
  ADD("server", "hyperbin/" HYPER_VERSION_STR);
  if (r->ctype) ADD("content-type", r->ctype);
  if (r->encoding) ADD("content-encoding", r->encoding);
  if (r->trailer) ADD("trailer", r->trailer);
  /* no content-length on 204 and 304 (RFC 9110 §8.6) */
  if (has_len && r->status != 204 && r->status != 304)
    ADD("content-length", len);
  ADD("access-control-allow-origin", "*");
#undef ADD
  int rv = hyper_h2_submit_response(c->h2, s->id, f, n, end_stream);
  if (rv < 0) return rv;
  s->responded = 1;
  if (end_stream) s->done = 1;
  return 0;
}

/* Responds with |body| (taken, malloc'd; may be NULL with len 0). */
static int respond(conn *c, stream *s, const resp *r, uint8_t *body,
                   size_t len) {
  int head_only = s->method && !strcmp(s->method, "HEAD");
  int rv = send_head(c, s, r, len, 1, (len == 0 || head_only) && !s->trailers);
  if (rv < 0 || len == 0 || head_only) {
    free(body);
    s->all_queued = 1;
    return rv;
  }
  if (queue_seg(s, body, len) < 0) return -1;
  s->all_queued = 1;
  return 0;
}

static int respond_json(conn *c, stream *s, int status, json_t *j) {
  resp r = {status, "application/json", NULL, NULL};
  char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
  json_decref(j);
  if (!text) return -1;
  size_t n = strlen(text);
  text[n] = '\n'; /* json_dumps leaves room for the NUL: reuse it */
  return respond(c, s, &r, (uint8_t *)text, n + 1);
}

/* A redirect without body: |status| and a location field. */
static int redirect(conn *c, stream *s, int status, const char *loc) {
  char st[8];
  snprintf(st, sizeof st, "%d", status);
  hyper_field f[3] = {
      {(const uint8_t *)":status", 7, (const uint8_t *)st, strlen(st), 0},
      {(const uint8_t *)"location", 8, (const uint8_t *)loc, strlen(loc), 0},
      {(const uint8_t *)"content-length", 14, (const uint8_t *)"0", 1, 0}};
  int rv = hyper_h2_submit_response(c->h2, s->id, f, 3, 1);
  s->responded = s->done = s->all_queued = 1;
  return rv;
}

static int respond_error(conn *c, stream *s, int status, const char *msg) {
  json_t *j = json_pack("{s:s, s:i}", "error", msg, "status", status);
  return respond_json(c, s, status, j);
}

static json_t *get_json(const stream *s) {
  return json_pack("{s:o, s:O, s:s, s:o}", "args",
                   parse_args(s->path ? s->path : "/"), "headers", s->headers,
                   "origin", "127.0.0.1", "url", request_url(s));
}

static json_t *echo_json(const stream *s) {
  json_t *j = get_json(s);
  if (!j) return NULL;
  char *data = xstrndup(s->body, s->body_len);
  json_object_set_new(j, "data", json_string(data ? data : ""));
  if (!json_object_get(j, "data")) /* not UTF-8: base64 would be httpbin's */
    json_object_set_new(j, "data", json_string("<binary>"));
  free(data);
  json_error_t err;
  json_t *parsed = s->body_len ? json_loadb((const char *)s->body,
                                            s->body_len, JSON_DECODE_ANY, &err)
                               : NULL;
  json_object_set_new(j, "json", parsed ? parsed : json_null());
  json_object_set_new(j, "form", json_object());
  json_object_set_new(j, "files", json_object());
  json_object_set_new(j, "method", json_string(s->method ? s->method : ""));
  return j;
}

/* Deterministic bytes for /bytes/N so that tests can compare downloads. */
static uint8_t *make_bytes(size_t n, uint32_t seed) {
  uint8_t *b = malloc(n ? n : 1);
  uint32_t x = seed ? seed : 0x9e3779b9u;
  if (!b) return NULL;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b[i] = (uint8_t)(x >> 24);
  }
  return b;
}

/* gzip (|wbits| 31) or zlib-wrapped deflate (15) of |n| octets at |in|. */
static uint8_t *compress_bytes(const char *in, size_t n, size_t *out_len,
                               int wbits) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, wbits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  uLong cap = deflateBound(&z, (uLong)n);
  uint8_t *out = malloc(cap);
  if (!out) {
    deflateEnd(&z);
    return NULL;
  }
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rv = deflate(&z, Z_FINISH);
  *out_len = (size_t)z.total_out;
  deflateEnd(&z);
  if (rv != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

/* Parses the decimal after |prefix| in |path| (query ignored); -1 if bad. */
static long path_number(const char *path, const char *prefix) {
  size_t pl = strlen(prefix);
  if (strncmp(path, prefix, pl)) return -1;
  const char *p = path + pl;
  long v = 0;
  if (*p < '0' || *p > '9') return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (*p - '0');
    if (v > 100000000L) return -1;
  }
  if (*p && *p != '?' && *p != '/') return -1;
  return v;
}

static int route_eq(const char *path, const char *route) {
  size_t n = strlen(route);
  return !strncmp(path, route, n) && (path[n] == '\0' || path[n] == '?');
}

static int is_method(const stream *s, const char *m) {
  return s->method && !strcmp(s->method, m);
}

/* /response-headers?name=value...: those fields in the response, and the
 * same as a JSON object (httpbin). */
static int response_headers(conn *c, stream *s) {
  json_t *args = parse_args(s->path ? s->path : "/");
  hyper_field f[24];
  size_t n = 0;
  const char *k;
  json_t *v;
  if (!args) return -1;
  f[n++] = (hyper_field){(const uint8_t *)":status", 7,
                         (const uint8_t *)"200", 3, 0};
  f[n++] = (hyper_field){(const uint8_t *)"content-type", 12,
                         (const uint8_t *)"application/json", 16, 0};
  json_object_foreach(args, k, v) {
    if (n >= sizeof f / sizeof f[0] || !json_is_string(v)) continue;
    for (const char *q = k; *q; q++)
      if (*q >= 'A' && *q <= 'Z') goto bad; /* HTTP/2 names are lowercase */
    f[n++] = (hyper_field){(const uint8_t *)k, strlen(k),
                           (const uint8_t *)json_string_value(v),
                           strlen(json_string_value(v)), 0};
  }
  char *text = json_dumps(args, JSON_INDENT(2));
  if (!text) goto bad;
  int head_only = is_method(s, "HEAD"); /* a head, no content */
  if (hyper_h2_submit_response(c->h2, s->id, f, n, head_only) < 0) {
    free(text);
    goto bad;
  }
  json_decref(args);
  s->responded = 1;
  if (head_only) {
    free(text);
    s->done = s->all_queued = 1;
    return 0;
  }
  size_t len = strlen(text);
  text[len] = '\n';
  if (queue_seg(s, (uint8_t *)text, len + 1) < 0) return -1;
  s->all_queued = 1;
  return 0;
bad:
  json_decref(args);
  return respond_error(c, s, 400, "invalid response header");
}

static int handle_push(conn *c, stream *s) {
  json_t *pushed = json_array();
  const hyper_h2_settings *rs = hyper_h2_conn_remote_settings(c->h2);
  if (rs && rs->enable_push) {
    static const char *paths[] = {"/get?pushed=1", "/ip"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
      const char *scheme = s->scheme ? s->scheme : "http";
      hyper_field f[4] = {
          {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
          {(const uint8_t *)":scheme", 7, (const uint8_t *)scheme,
           strlen(scheme), 0},
          {(const uint8_t *)":authority", 10,
           (const uint8_t *)s->authority, strlen(s->authority), 0},
          {(const uint8_t *)":path", 5, (const uint8_t *)paths[i],
           strlen(paths[i]), 0}};
      uint32_t pid;
      if (hyper_h2_push_promise(c->h2, s->id, f, 4, &pid) < 0) break;
      stream *p = stream_add(c, pid);
      if (!p) return -1;
      p->method = strdup("GET");
      p->path = strdup(paths[i]);
      p->scheme = strdup(scheme);
      p->authority = strdup(s->authority);
      json_object_set_new(p->headers, "Host", json_string(s->authority));
      json_t *body = i == 0 ? get_json(p)
                            : json_pack("{s:s}", "origin", "127.0.0.1");
      if (respond_json(c, p, 200, body) < 0) {
        /* e.g. the client's stream limit: the promise stays unanswered */
        hyper_h2_reset_stream(c->h2, pid, HYPER_H2_REFUSED_STREAM);
        stream_remove(c, pid);
        continue;
      }
      json_array_append_new(pushed, json_string(paths[i]));
    }
  }
  return respond_json(c, s, 200, json_pack("{s:o}", "pushed", pushed));
}

static int dispatch(conn *c, stream *s) {
  const char *path = s->path ? s->path : "/";
  long n;
  if (s->too_big) return respond_error(c, s, 413, "request body too large");
  if (route_eq(path, "/get")) {
    if (!is_method(s, "GET") && !is_method(s, "HEAD"))
      return respond_error(c, s, 405, "method not allowed");
    return respond_json(c, s, 200, get_json(s));
  }
  if (route_eq(path, "/post") || route_eq(path, "/put") ||
      route_eq(path, "/patch") || route_eq(path, "/delete")) {
    char want[16];
    size_t i;
    for (i = 0; path[i + 1] && path[i + 1] != '?' && i < sizeof want - 1; i++)
      want[i] = (char)(path[i + 1] - 'a' + 'A');
    want[i] = '\0';
    if (!is_method(s, want))
      return respond_error(c, s, 405, "method not allowed");
    return respond_json(c, s, 200, echo_json(s));
  }
  if (route_eq(path, "/anything") || !strncmp(path, "/anything/", 10))
    return respond_json(c, s, 200, echo_json(s));
  if (route_eq(path, "/headers"))
    return respond_json(c, s, 200, json_pack("{s:O}", "headers", s->headers));
  if (route_eq(path, "/ip"))
    return respond_json(c, s, 200, json_pack("{s:s}", "origin", "127.0.0.1"));
  if (route_eq(path, "/user-agent")) {
    json_t *ua = json_object_get(s->headers, "User-Agent");
    return respond_json(c, s, 200,
                        json_pack("{s:s}", "user-agent",
                                  ua ? json_string_value(ua) : ""));
  }
  if ((n = path_number(path, "/status/")) >= 0) {
    if (n < 200 || n > 599) return respond_error(c, s, 400, "bad status");
    resp r = {(int)n, "text/plain", NULL, NULL};
    return respond(c, s, &r, NULL, 0);
  }
  if ((n = path_number(path, "/bytes/")) >= 0) {
    if ((unsigned long)n > MAX_BYTES)
      return respond_error(c, s, 400, "too many bytes");
    json_t *args = parse_args(path);
    json_t *seed = json_object_get(args, "seed");
    uint32_t sd = seed ? (uint32_t)strtoul(json_string_value(seed), NULL, 10)
                       : 0;
    json_decref(args);
    uint8_t *b = make_bytes((size_t)n, sd);
    if (!b) return -1;
    resp r = {200, "application/octet-stream", NULL, NULL};
    return respond(c, s, &r, b, (size_t)n);
  }
  if ((n = path_number(path, "/stream/")) >= 0) {
    if (n > MAX_STREAM_LINES) n = MAX_STREAM_LINES;
    resp r = {200, "application/json", NULL, NULL};
    if (is_method(s, "HEAD")) n = 0; /* a head, no content */
    if (send_head(c, s, &r, 0, 0, n == 0) < 0) return -1;
    for (long i = 0; i < n; i++) {
      json_t *j = get_json(s);
      json_object_set_new(j, "id", json_integer(i));
      char *text = json_dumps(j, JSON_COMPACT);
      json_decref(j);
      if (!text) return -1;
      size_t len = strlen(text);
      text[len] = '\n';
      if (queue_seg(s, (uint8_t *)text, len + 1) < 0) return -1;
    }
    s->all_queued = 1;
    return 0;
  }
  if ((n = path_number(path, "/delay/")) >= 0) {
    if (n > MAX_DELAY_S) n = MAX_DELAY_S;
    s->ready_at = now_ms() + (uint64_t)n * 1000u;
    return 0; /* answered by the loop when due */
  }
  if (route_eq(path, "/gzip")) {
    json_t *j = get_json(s);
    json_object_set_new(j, "gzipped", json_true());
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!text) return -1;
    size_t zl;
    uint8_t *z = compress_bytes(text, strlen(text), &zl, 31);
    free(text);
    if (!z) return -1;
    resp r = {200, "application/json", "gzip", NULL};
    return respond(c, s, &r, z, zl);
  }
  if (route_eq(path, "/brotli")) {
#ifdef HYPERBIN_BROTLI
    json_t *j = get_json(s);
    json_object_set_new(j, "brotli", json_true());
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!text) return -1;
    size_t tl = strlen(text);
    size_t bl = BrotliEncoderMaxCompressedSize(tl);
    uint8_t *b = malloc(bl ? bl : 1);
    if (!b || !BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                     BROTLI_MODE_TEXT, tl, (const uint8_t *)text,
                                     &bl, b)) {
      free(text);
      free(b);
      return -1;
    }
    free(text);
    resp r = {200, "application/json", "br", NULL};
    return respond(c, s, &r, b, bl);
#else
    return respond_error(c, s, 501, "built without the brotli encoder");
#endif
  }
  if (route_eq(path, "/drip")) {
    /* httpbin: /drip?numbytes=N&duration=S&delay=S&code=C: N octets '*'
     * spread over S seconds, after a delay of S seconds. */
    json_t *args = parse_args(path);
    json_t *a;
    double dur = 2, delay = 0;
    long nb = 10, code = 200;
    if ((a = json_object_get(args, "numbytes"))) nb = strtol(json_string_value(a), NULL, 10);
    if ((a = json_object_get(args, "duration"))) dur = strtod(json_string_value(a), NULL);
    if ((a = json_object_get(args, "delay"))) delay = strtod(json_string_value(a), NULL);
    if ((a = json_object_get(args, "code"))) code = strtol(json_string_value(a), NULL, 10);
    json_decref(args);
    if (nb < 0 || (unsigned long)nb > MAX_DRIP_BYTES || !(dur >= 0) ||
        dur > MAX_DELAY_S || !(delay >= 0) || delay > MAX_DELAY_S ||
        code < 200 || code > 599)
      return respond_error(c, s, 400, "bad drip parameters");
    resp r = {(int)code, "application/octet-stream", NULL, NULL};
    int head_only = is_method(s, "HEAD"); /* a head, no content */
    if (send_head(c, s, &r, (size_t)nb, 1, nb == 0 || head_only) < 0)
      return -1;
    if (nb == 0 || head_only) {
      s->all_queued = 1;
      return 0;
    }
    s->drip_left = (size_t)nb;
    s->drip_every = (uint64_t)(dur * 1000.0 / (double)nb);
    s->drip_at = now_ms() + (uint64_t)(delay * 1000.0);
    return 0;
  }
  if (route_eq(path, "/deflate")) {
    json_t *j = get_json(s);
    json_object_set_new(j, "deflated", json_true());
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!text) return -1;
    size_t zl;
    uint8_t *z = compress_bytes(text, strlen(text), &zl, 15);
    free(text);
    if (!z) return -1;
    resp r = {200, "application/json", "deflate", NULL};
    return respond(c, s, &r, z, zl);
  }
  if ((n = path_number(path, "/redirect/")) >= 0 ||
      (n = path_number(path, "/relative-redirect/")) >= 0) {
    char loc[64];
    if (n > 100) return respond_error(c, s, 400, "too many redirects");
    if (n <= 1)
      snprintf(loc, sizeof loc, "/get");
    else
      snprintf(loc, sizeof loc, "%s%ld",
               path[1] == 'r' && path[3] == 'l' ? "/relative-redirect/"
                                                : "/redirect/",
               n - 1);
    return redirect(c, s, 302, loc);
  }
  if ((n = path_number(path, "/absolute-redirect/")) >= 0) {
    if (n > 100) return respond_error(c, s, 400, "too many redirects");
    const char *scheme = s->scheme ? s->scheme : "http";
    size_t ln = strlen(scheme) + strlen(s->authority) + 40;
    char *loc = malloc(ln);
    if (!loc) return -1;
    if (n <= 1)
      snprintf(loc, ln, "%s://%s/get", scheme, s->authority);
    else
      snprintf(loc, ln, "%s://%s/absolute-redirect/%ld", scheme, s->authority,
               n - 1);
    int rv = redirect(c, s, 302, loc);
    free(loc);
    return rv;
  }
  if (route_eq(path, "/redirect-to")) {
    /* httpbin: /redirect-to?url=U&status_code=N (any method) */
    json_t *args = parse_args(path);
    json_t *u = json_object_get(args, "url");
    json_t *sc = json_object_get(args, "status_code");
    long st = sc ? strtol(json_string_value(sc), NULL, 10) : 302;
    if (st < 300 || st > 399) st = 302;
    int rv = u && json_string_value(u)[0] &&
                     !strpbrk(json_string_value(u), "\r\n")
                 ? redirect(c, s, (int)st, json_string_value(u))
                 : respond_error(c, s, 400, "url= is required");
    json_decref(args);
    return rv;
  }
  if (route_eq(path, "/redirect-loop")) /* hyperbin's own: a loop */
    return redirect(c, s, 302, "/redirect-loop");
  if (route_eq(path, "/cookies")) {
    json_t *jar = json_object();
    json_t *ck = json_object_get(s->headers, "Cookie");
    const char *p = ck ? json_string_value(ck) : "";
    while (*p) {
      while (*p == ' ' || *p == ';' || *p == ',') p++;
      size_t len = strcspn(p, ";,");
      const char *eq = memchr(p, '=', len);
      if (eq && eq > p) {
        char *k = xstrndup((const uint8_t *)p, (size_t)(eq - p));
        char *v = xstrndup((const uint8_t *)eq + 1, len - (size_t)(eq - p) - 1);
        if (k && v) json_object_set_new(jar, k, json_string(v));
        free(k);
        free(v);
      }
      p += len;
    }
    return respond_json(c, s, 200, json_pack("{s:o}", "cookies", jar));
  }
  if (route_eq(path, "/response-headers")) return response_headers(c, s);
  if (route_eq(path, "/push")) return handle_push(c, s);
  if (route_eq(path, "/trailers")) {
    s->trailers = 1;
    resp r = {200, "text/plain", NULL, "x-checksum"};
    char *b = strdup("body with trailers\n");
    if (!b) return -1;
    return respond(c, s, &r, (uint8_t *)b, strlen(b));
  }
  return respond_error(c, s, 404, "not found");
}

/* Sends what flow control allows of every stream's queued body. */
static void pump(conn *c) {
  for (stream *s = c->streams, *next; s; s = next) {
    next = s->next;
    if (s->ready_at && now_ms() >= s->ready_at) {
      s->ready_at = 0;
      if (respond_json(c, s, 200, get_json(s)) < 0) {
        hyper_h2_reset_stream(c->h2, s->id, HYPER_H2_INTERNAL_ERROR);
        stream_remove(c, s->id);
        continue;
      }
    }
    if (s->drip_left && now_ms() >= s->drip_at) {
      /* every octet that is due now (the loop may have slept longer) */
      size_t due = 1;
      if (s->drip_every) {
        due += (size_t)((now_ms() - s->drip_at) / s->drip_every);
      } else {
        due = s->drip_left;
      }
      if (due > s->drip_left) due = s->drip_left;
      uint8_t *b = malloc(due);
      if (b) {
        memset(b, '*', due);
        if (queue_seg(s, b, due) == 0) {
          s->drip_left -= due;
          s->drip_at += s->drip_every * due;
          if (!s->drip_left) s->all_queued = 1;
        }
      }
    }
    if (!s->responded || s->done) continue;
    while (s->head) {
      seg *g = s->head;
      int64_t win = hyper_h2_conn_local_flow_control_window(c->h2, s->id);
      uint32_t maxf = hyper_h2_conn_max_outbound_frame_size(c->h2);
      size_t left = g->len - g->off;
      if (win < 0) { /* stream gone */
        s->done = 1;
        break;
      }
      if (win == 0 && left) break;
      size_t chunk = left;
      if ((int64_t)chunk > win) chunk = (size_t)win;
      if (chunk > maxf) chunk = maxf;
      int last = chunk == left && !g->next && s->all_queued && !s->trailers;
      if (hyper_h2_send_data(c->h2, s->id, g->data + g->off, chunk, last) <
          0) {
        s->done = 1;
        break;
      }
      g->off += chunk;
      if (g->off == g->len) {
        s->head = g->next;
        if (!s->head) s->tail = NULL;
        free(g->data);
        free(g);
      }
      if (last) s->done = 1;
    }
    if (!s->head && s->all_queued && !s->done) {
      if (s->trailers) {
        hyper_field t[2] = {
            {(const uint8_t *)"x-checksum", 10, (const uint8_t *)"c0ffee", 6,
             0},
            {(const uint8_t *)"x-served-by", 11, (const uint8_t *)"hyperbin",
             8, 0}};
        hyper_h2_submit_trailers(c->h2, s->id, t, 2);
      } else {
        hyper_h2_end_stream(c->h2, s->id);
      }
      s->done = 1;
    }
  }
}

static void on_event(conn *c, const hyper_h2_event *ev) {
  stream *s;
  switch (ev->type) {
  case HYPER_H2_EV_REQUEST_RECEIVED:
    s = stream_add(c, ev->stream_id);
    if (!s || record_request(s, ev->u.headers.fields, ev->u.headers.nfields)) {
      hyper_h2_reset_stream(c->h2, ev->stream_id, HYPER_H2_INTERNAL_ERROR);
      if (s) stream_remove(c, ev->stream_id);
    }
    break;
  case HYPER_H2_EV_DATA_RECEIVED:
    s = stream_find(c, ev->stream_id);
    if (!s || ev->u.data.len == 0) break;
    if (s->body_len + ev->u.data.len > MAX_REQ_BODY) {
      s->too_big = 1;
      break;
    }
    {
      uint8_t *nb = realloc(s->body, s->body_len + ev->u.data.len);
      if (!nb) {
        s->too_big = 1;
        break;
      }
      s->body = nb;
      memcpy(s->body + s->body_len, ev->u.data.data, ev->u.data.len);
      s->body_len += ev->u.data.len;
    }
    break;
  case HYPER_H2_EV_STREAM_ENDED:
    s = stream_find(c, ev->stream_id);
    if (s && !s->responded && !s->ready_at && dispatch(c, s) < 0) {
      hyper_h2_reset_stream(c->h2, s->id, HYPER_H2_INTERNAL_ERROR);
      stream_remove(c, s->id);
    }
    break;
  case HYPER_H2_EV_STREAM_RESET:
    stream_remove(c, ev->stream_id);
    break;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    break; /* wants_read() turns 0 once nothing is left open */
  default:
    break;
  }
}

/* Drops finished streams (both sides closed, nothing queued). */
static void reap(conn *c) {
  for (stream *s = c->streams, *next; s; s = next) {
    next = s->next;
    if (s->done && !s->head &&
        hyper_h2_conn_local_flow_control_window(c->h2, s->id) < 0)
      stream_remove(c, s->id);
    else if (s->done && !s->head && s->responded && s->all_queued)
      stream_remove(c, s->id);
  }
}

static void conn_close(conn *c) {
  while (c->streams) {
    stream *s = c->streams;
    c->streams = s->next;
    stream_free(s);
  }
  hyper_h2_conn_free(c->h2);
  free(c->h1buf);
  c->h1buf = NULL;
  if (c->ssl) {
    if (c->handshaken) SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
    c->ssl = NULL;
  }
  close(c->fd);
  c->fd = -1;
  c->h2 = NULL;
}

/* Writes pending output. Returns -1 when the socket failed. */
static int flush_out(conn *c) {
  if (c->ssl && !c->handshaken) return 0;
  c->tls_wants_write = 0;
  for (;;) {
    const uint8_t *p;
    size_t n = hyper_h2_conn_pending(c->h2, &p);
    if (!n) return 0;
    if (c->ssl) {
      int w = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
      if (w <= 0) {
        int e = SSL_get_error(c->ssl, w);
        if (e == SSL_ERROR_WANT_WRITE) c->tls_wants_write = 1;
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return 0;
        return -1;
      }
      hyper_h2_conn_advance(c->h2, (size_t)w);
      continue;
    }
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    hyper_h2_conn_advance(c->h2, (size_t)w);
  }
}

static void sniff(conn *c, const uint8_t *buf, size_t r);

/* A scanned frame is complete: the first SETTINGS ends the preface's
 * deadline, END_HEADERS the header block's (RFC 9113 §4.3: a HEADERS frame
 * and its CONTINUATION frames are one block). */
static void scan_frame_done(conn *c, uint64_t now) {
  if (c->ftype == 0x4 && !(c->fflags & 0x1) && !c->prefaced) {
    c->prefaced = 1;
    c->hdr_deadline = 0;
    c->idle_since = now;
  } else if (c->prefaced && (c->ftype == 0x1 || c->ftype == 0x9) &&
             (c->fflags & 0x4)) {
    c->hdr_deadline = 0;
    c->idle_since = now;
  }
}

/* Follows the frame boundaries of the client's bytes (the core does not
 * say where a header block starts) to time the header blocks: the
 * deadline runs from the first octet of a HEADERS frame to the end of the
 * frame with END_HEADERS, however the octets are spread out. */
static void scan_input(conn *c, const uint8_t *p, size_t n, uint64_t now) {
  while (n) {
    size_t k;
    if (c->pre_left) {
      k = n < c->pre_left ? n : c->pre_left;
      c->pre_left -= k;
    } else if (c->pay_left) {
      k = n < c->pay_left ? n : c->pay_left;
      c->pay_left -= (uint32_t)k;
      if (!c->pay_left) scan_frame_done(c, now);
    } else {
      k = 1;
      if (c->fh_len == 0) c->fh_at = now;
      c->fh[c->fh_len++] = *p;
      if (c->fh_len == 9) {
        c->fh_len = 0;
        c->pay_left = (uint32_t)c->fh[0] << 16 | (uint32_t)c->fh[1] << 8 |
                      c->fh[2];
        c->ftype = c->fh[3];
        c->fflags = c->fh[4];
        if (c->ftype == 0x1 && c->prefaced && !c->hdr_deadline && g_header_ms)
          c->hdr_deadline = c->fh_at + g_header_ms;
        if (!c->pay_left) scan_frame_done(c, now);
      }
    }
    p += k;
    n -= k;
  }
}

/* Feeds |r| received bytes to the core. */
static void feed(conn *c, const uint8_t *buf, size_t r) {
  if (!c->started) {
    sniff(c, buf, r);
    return;
  }
  scan_input(c, buf, r, now_ms());
  hyper_h2_conn_set_time(c->h2, now_ms());
  size_t off = 0;
  while (off < r) {
    int used = hyper_h2_conn_recv(c->h2, buf + off, r - off);
    if (used < 0) {
      c->dead = 1; /* GOAWAY is queued: flush it, then close */
      return;
    }
    off += (size_t)used;
    hyper_h2_event ev;
    while (hyper_h2_conn_next_event(c->h2, &ev)) on_event(c, &ev);
  }
}

/* ---- cleartext: prior knowledge or Upgrade: h2c ------------------------ */

static const char k_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Writes all of |p| to the (non-blocking) socket before anything else goes
 * out; used for the short HTTP/1.1 answers below. */
static int send_all(conn *c, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pf = {c->fd, POLLOUT, 0};
        if (poll(&pf, 1, 1000) <= 0) return -1;
        continue;
      }
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Answers an HTTP/1.1 request that hyperbin does not serve, then closes. */
static void h1_refuse(conn *c, int status, const char *reason) {
  char msg[512];
  const char *text = "hyperbin speaks HTTP/2 only: h2c with prior knowledge, "
                     "HTTP/1.1 with Upgrade: h2c, or TLS with ALPN h2\n";
  int n = snprintf(msg, sizeof msg,
                   "HTTP/1.1 %d %s\r\ncontent-type: text/plain\r\n"
                   "connection: close\r\ncontent-length: %zu\r\n\r\n%s",
                   status, reason, strlen(text), text);
  if (n > 0 && (size_t)n < sizeof msg) (void)send_all(c, msg, (size_t)n);
  c->dead = 2;
}

/* Nonzero when the comma-separated list |v| (|n| octets) holds |tok|
 * (case-insensitive). */
static int has_token(const uint8_t *v, size_t n, const char *tok) {
  size_t tl = strlen(tok);
  for (size_t i = 0; i < n;) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
    size_t j = i;
    while (j < n && v[j] != ',') j++;
    size_t e = j;
    while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
    if (e - i == tl) {
      size_t k = 0;
      while (k < tl && (v[i + k] | 0x20) == (tok[k] | 0x20)) k++;
      if (k == tl) return 1;
    }
    i = j;
  }
  return 0;
}

static int name_is(const hyper_field *f, const char *name) {
  size_t n = strlen(name);
  if (f->name_len != n) return 0;
  for (size_t i = 0; i < n; i++)
    if ((f->name[i] | 0x20) != name[i]) return 0;
  return 1;
}

/* An HTTP/1.1 request head is complete in c->h1buf (|head| octets up to
 * and including the empty line): answer 101 and switch when it asks for
 * h2c (RFC 7540 §3.2), refuse it otherwise. */
static void h1_request(conn *c, size_t head) {
  const uint8_t *b = c->h1buf;
  const uint8_t *eol = memchr(b, '\n', head);
  size_t line = (size_t)(eol - b); /* eol exists: head ends in \r\n\r\n */
  size_t ll = line && b[line - 1] == '\r' ? line - 1 : line;
  const uint8_t *sp1 = memchr(b, ' ', ll);
  const uint8_t *sp2 = sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - b))
                           : NULL;
  if (!sp1 || !sp2 || sp1 == b || sp2 == sp1 + 1 ||
      (size_t)(b + ll - (sp2 + 1)) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7)) {
    c->dead = 2; /* neither HTTP/2 nor HTTP/1.x: just close */
    return;
  }
  hyper_field f[MAX_REQ_HEADERS + 4];
  size_t nf = 0;
  if (hyper_h1_parse_fields(b + line + 1, head - 2 - (line + 1), NULL, f + 4,
                            MAX_REQ_HEADERS, &nf) < 0) {
    h1_refuse(c, 400, "Bad Request");
    return;
  }
  const hyper_field *upgrade = NULL, *connection = NULL, *settings = NULL,
                    *host = NULL;
  int nsettings = 0, chunked = 0;
  long clen = 0;
  for (size_t i = 4; i < nf + 4; i++) {
    if (name_is(&f[i], "upgrade")) upgrade = &f[i];
    else if (name_is(&f[i], "connection")) connection = &f[i];
    else if (name_is(&f[i], "http2-settings")) settings = &f[i], nsettings++;
    else if (name_is(&f[i], "host")) host = &f[i];
    else if (name_is(&f[i], "transfer-encoding")) chunked = 1;
    else if (name_is(&f[i], "content-length")) {
      char tmp[24];
      size_t n = f[i].value_len < sizeof tmp - 1 ? f[i].value_len : 0;
      memcpy(tmp, f[i].value, n);
      tmp[n] = '\0';
      char *end;
      clen = n ? strtol(tmp, &end, 10) : -1;
      if (!n || *end || clen < 0) clen = -1;
    }
  }
  if (!upgrade || !has_token(upgrade->value, upgrade->value_len, "h2c") ||
      !connection ||
      !has_token(connection->value, connection->value_len, "upgrade") ||
      nsettings != 1) {
    h1_refuse(c, 505, "HTTP Version Not Supported");
    return;
  }
  if (chunked || clen < 0 || (unsigned long)clen > MAX_REQ_BODY) {
    h1_refuse(c, chunked ? 411 : 413,
              chunked ? "Length Required" : "Content Too Large");
    return;
  }
  if (c->h1len < head + (size_t)clen) return; /* the body is still coming */

  /* the upgraded request in HTTP/2 form: pseudo-header fields first, and
   * no connection-specific fields (RFC 9113 §8.2.2) */
  const uint8_t *target = sp1 + 1;
  f[0] = (hyper_field){(const uint8_t *)":method", 7, b, (size_t)(sp1 - b), 0};
  f[1] = (hyper_field){(const uint8_t *)":scheme", 7, (const uint8_t *)"http",
                       4, 0};
  f[2] = (hyper_field){(const uint8_t *)":path", 5, target,
                       (size_t)(sp2 - target), 0};
  f[3] = (hyper_field){(const uint8_t *)":authority", 10,
                       host ? host->value : (const uint8_t *)"localhost",
                       host ? host->value_len : 9, 0};
  size_t n = 4;
  for (size_t i = 4; i < nf + 4; i++) {
    static const char *const drop[] = {
        "connection", "upgrade", "http2-settings", "host", "keep-alive",
        "proxy-connection", "transfer-encoding", "te", NULL};
    int skip = 0;
    for (size_t k = 0; drop[k]; k++) skip |= name_is(&f[i], drop[k]);
    if (!skip) f[n++] = f[i];
  }
  /* The settings are checked before the 101 goes out: a bad value is
   * answered without switching (RFC 7540 §3.2.1). */
  if (hyper_h2_conn_upgrade_server(c->h2, (const char *)settings->value,
                                   settings->value_len, f, n) < 0) {
    h1_refuse(c, 400, "Bad Request");
    return;
  }
  static const char k101[] = "HTTP/1.1 101 Switching Protocols\r\n"
                             "connection: Upgrade\r\nupgrade: h2c\r\n\r\n";
  if (send_all(c, k101, sizeof k101 - 1) < 0) {
    c->dead = 2;
    return;
  }
  c->started = 1;
  stream *s = stream_add(c, 1);
  if (!s || record_request(s, f, n) < 0) {
    hyper_h2_reset_stream(c->h2, 1, HYPER_H2_INTERNAL_ERROR);
    if (s) stream_remove(c, 1);
  } else {
    if (clen > 0) {
      s->body = malloc((size_t)clen);
      if (s->body) {
        memcpy(s->body, b + head, (size_t)clen);
        s->body_len = (size_t)clen;
      } else {
        s->too_big = 1;
      }
    }
    if (dispatch(c, s) < 0) {
      hyper_h2_reset_stream(c->h2, 1, HYPER_H2_INTERNAL_ERROR);
      stream_remove(c, 1);
    }
  }
  /* what follows the request is HTTP/2: the client's preface first */
  uint8_t *rest = c->h1buf;
  size_t off = head + (size_t)clen, len = c->h1len;
  c->h1buf = NULL;
  c->h1len = 0;
  if (len > off) feed(c, rest + off, len - off);
  free(rest);
}

/* The first bytes of a cleartext connection: the HTTP/2 preface (prior
 * knowledge, RFC 9113 §3.3) or an HTTP/1.1 request, which may ask to
 * upgrade. Buffers until it can tell. */
static void sniff(conn *c, const uint8_t *buf, size_t r) {
  size_t cap = MAX_H1_HEAD + MAX_REQ_BODY;
  if (c->h1len + r > cap) {
    h1_refuse(c, 413, "Content Too Large");
    return;
  }
  uint8_t *nb = realloc(c->h1buf, c->h1len + r);
  if (!nb) {
    c->dead = 2;
    return;
  }
  c->h1buf = nb;
  memcpy(c->h1buf + c->h1len, buf, r);
  c->h1len += r;
  size_t pl = sizeof k_preface - 1;
  size_t cmp = c->h1len < pl ? c->h1len : pl;
  if (!memcmp(c->h1buf, k_preface, cmp)) {
    if (c->h1len < pl) return; /* could still be the preface */
    if (hyper_h2_conn_initiate(c->h2) < 0) {
      c->dead = 2;
      return;
    }
    c->started = 1;
    uint8_t *all = c->h1buf;
    size_t len = c->h1len;
    c->h1buf = NULL;
    c->h1len = 0;
    feed(c, all, len);
    free(all);
    return;
  }
  /* HTTP/1.x: wait for the end of the head */
  size_t lim = c->h1len < MAX_H1_HEAD ? c->h1len : MAX_H1_HEAD;
  for (size_t i = 3; i < lim; i++) {
    if (c->h1buf[i] == '\n' && c->h1buf[i - 1] == '\r' &&
        c->h1buf[i - 2] == '\n' && c->h1buf[i - 3] == '\r') {
      h1_request(c, i + 1);
      return;
    }
  }
  if (c->h1len >= MAX_H1_HEAD) h1_refuse(c, 431, "Request Header Fields Too Large");
}

/* The deadline of |c| that is due first, 0 for none: the preface or a
 * request's header block (--header-timeout), an idle connection with no
 * stream open (--idle-timeout), or a GOAWAY that the peer does not read
 * (close_by). */
static uint64_t conn_deadline(const conn *c) {
  if (c->dead) return c->dead == 1 ? c->close_by : 0;
  if (c->hdr_deadline) return c->hdr_deadline;
  if (g_idle_ms && !c->streams) return c->idle_since + g_idle_ms;
  return 0;
}

/* A deadline of conn_deadline() passed. A slow (or stalled) header block
 * or preface gets GOAWAY(ENHANCE_YOUR_CALM): the client is holding server
 * state hostage (RFC 9113 §6.8; the last stream id is the last request
 * whose headers arrived whole, so the one cut short may be retried
 * elsewhere). An idle connection gets GOAWAY(NO_ERROR), a graceful
 * shutdown. Then the connection is closed once the GOAWAY is written, or
 * after a second more if the peer does not read. A cleartext connection
 * whose first bytes were an HTTP/1.1 request head is answered 408
 * (RFC 9110 §15.5.9); a TLS handshake that did not finish is just closed. */
static void conn_expire(conn *c, uint64_t t) {
  int hdr = c->hdr_deadline != 0;
  if (c->dead == 1) { /* the GOAWAY was not read in time */
    c->dead = 2;
    return;
  }
  if (!c->started) {
    size_t cmp = c->h1len < sizeof k_preface - 1 ? c->h1len
                                                  : sizeof k_preface - 1;
    if (c->ssl) {
      c->dead = 2;
      return;
    }
    if (c->h1len && memcmp(c->h1buf, k_preface, cmp)) {
      h1_refuse(c, 408, "Request Timeout");
      return;
    }
    /* nothing yet, or part of the preface: our SETTINGS, then GOAWAY */
    if (hyper_h2_conn_initiate(c->h2) < 0) {
      c->dead = 2;
      return;
    }
    c->started = 1;
  }
  static const char khdr[] = "request header timeout";
  static const char kidle[] = "idle timeout";
  if (hyper_h2_close(c->h2, hdr ? HYPER_H2_ENHANCE_YOUR_CALM : HYPER_H2_NO_ERROR,
                     HYPER_H2_LAST_STREAM_AUTO,
                     (const uint8_t *)(hdr ? khdr : kidle),
                     hdr ? sizeof khdr - 1 : sizeof kidle - 1) < 0) {
    c->dead = 2;
    return;
  }
  c->hdr_deadline = 0;
  c->dead = 1;
  c->close_by = t + 1000;
}

static void on_readable(conn *c) {
  uint8_t buf[16384];
  if (c->ssl) {
    if (!c->handshaken) {
      int rv = SSL_accept(c->ssl);
      if (rv != 1) {
        int e = SSL_get_error(c->ssl, rv);
        c->tls_wants_write = e == SSL_ERROR_WANT_WRITE;
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
          c->dead = 2;
        return;
      }
      c->handshaken = 1;
      c->tls_wants_write = 0;
    }
    /* drain what OpenSSL holds: poll() cannot see its buffer */
    for (int i = 0; i < 64 && !c->dead; i++) {
      int r = SSL_read(c->ssl, buf, (int)sizeof buf);
      if (r <= 0) {
        int e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_WRITE) c->tls_wants_write = 1;
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
          c->dead = 2; /* closed or failed */
        return;
      }
      feed(c, buf, (size_t)r);
    }
    return;
  }
  ssize_t r = recv(c->fd, buf, sizeof buf, 0);
  if (r < 0) {
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) c->dead = 2;
    return;
  }
  if (r == 0) {
    c->dead = 2; /* peer closed: nothing more can be delivered */
    return;
  }
  feed(c, buf, (size_t)r);
}

static int conn_open(conn *c, int fd, SSL_CTX *tls) {
  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_SERVER);
  memset(c, 0, sizeof *c);
  c->fd = fd;
  c->pre_left = 24; /* the client's connection preface (RFC 9113 §3.4) */
  c->idle_since = now_ms();
  if (g_header_ms) c->hdr_deadline = c->idle_since + g_header_ms;
  if (tls) {
    c->ssl = SSL_new(tls);
    if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
      SSL_free(c->ssl);
      return -1;
    }
  }
  if (hyper_h2_conn_new(&c->h2, &cfg, NULL) < 0) {
    SSL_free(c->ssl);
    return -1;
  }
  /* TLS: ALPN chose h2. Cleartext: the first bytes tell (sniff()). */
  if (tls) {
    if (hyper_h2_conn_initiate(c->h2) < 0) {
      hyper_h2_conn_free(c->h2);
      SSL_free(c->ssl);
      return -1;
    }
    c->started = 1;
  }
  return 0;
}

static int listen_on(const char *host, int port, int *out_port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    fprintf(stderr, "hyperbin: bad IPv4 address '%s'\n", host);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t sl = sizeof sa;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
    perror("hyperbin: bind/listen");
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  *out_port = ntohs(sa.sin_port);
  return fd;
}

static int alpn_select(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg) {
  (void)ssl;
  (void)arg;
  for (unsigned int i = 0; i < inlen;) {
    unsigned int n = in[i];
    if (i + 1 + n > inlen) break;
    if (n == 2 && !memcmp(in + i + 1, "h2", 2)) {
      *out = in + i + 1;
      *outlen = 2;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + n;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL; /* HTTP/2 only */
}

static SSL_CTX *tls_setup(const char *cert, const char *key) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return NULL;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    unsigned long e = ERR_get_error();
    fprintf(stderr, "hyperbin: cannot load certificate/key: %s\n",
            ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "?");
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
  return ctx;
}

static void usage(FILE *f) {
  fprintf(f, "usage: hyperbin [--host IPV4] [--port N] [--cert FILE --key "
             "FILE] [--cleartext]\n"
             "                [--header-timeout SECONDS] [--idle-timeout "
             "SECONDS]\n"
             "  An httpbin-like HTTP/2 test server: h2c (prior knowledge or "
             "Upgrade: h2c),\n  or TLS with ALPN h2 when a certificate and "
             "key are given (--cleartext:\n  h2c even then).\n"
             "  --port 0 (default) picks a free port; the chosen one is "
             "printed as\n  'listening on http[s]://HOST:PORT/'.\n"
             "  --header-timeout SECONDS (default 10, 0: none): the "
             "connection preface\n  and first SETTINGS, and each request's "
             "header block, must arrive whole\n  within it (from accept, and "
             "from the block's first octet), else\n  GOAWAY(ENHANCE_YOUR_CALM) "
             "and close (HTTP/1.1: 408).\n"
             "  --idle-timeout SECONDS (default 120, 0: none): a connection "
             "with no\n  stream open that long gets GOAWAY(NO_ERROR) and is "
             "closed.\n");
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  long port = 0;
  const char *cert = NULL, *key = NULL;
  int cleartext = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc) {
      char *end;
      port = strtol(argv[++i], &end, 10);
      if (*end || port < 0 || port > 65535) {
        fprintf(stderr, "hyperbin: bad port '%s'\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "--cert") && i + 1 < argc) {
      cert = argv[++i];
    } else if (!strcmp(argv[i], "--key") && i + 1 < argc) {
      key = argv[++i];
    } else if (!strcmp(argv[i], "--host") && i + 1 < argc) {
      host = argv[++i];
    } else if ((!strcmp(argv[i], "--header-timeout") ||
                !strcmp(argv[i], "--idle-timeout")) && i + 1 < argc) {
      char *end;
      double sec = strtod(argv[i + 1], &end);
      if (end == argv[i + 1] || *end || !(sec >= 0 && sec <= 86400)) {
        fprintf(stderr, "hyperbin: bad %s '%s'\n", argv[i], argv[i + 1]);
        return 2;
      }
      *(argv[i][2] == 'h' ? &g_header_ms : &g_idle_ms) =
          (uint64_t)(sec * 1000.0 + 0.5);
      i++;
    } else if (!strcmp(argv[i], "--cleartext")) {
      cleartext = 1;
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "hyperbin: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if ((cert != NULL) != (key != NULL)) {
    fprintf(stderr, "hyperbin: --cert and --key go together\n");
    return 2;
  }
  SSL_CTX *tls = NULL;
  if (cert && !cleartext && !(tls = tls_setup(cert, key))) return 1;
  int bound;
  int lfd = listen_on(host, (int)port, &bound);
  if (lfd < 0) {
    SSL_CTX_free(tls);
    return 1;
  }
  /* the URL a client uses; an IPv6 literal goes in brackets (RFC 3986) */
  int v6 = strchr(host, ':') != NULL;
  printf("listening on %s://%s%s%s:%d/\n", tls ? "https" : "http",
         v6 ? "[" : "", host, v6 ? "]" : "", bound);
  fflush(stdout);

  static conn conns[MAX_CONNS];
  size_t nconns = 0;
  struct pollfd pfd[MAX_CONNS + 1];

  while (!g_stop) {
    int timeout = -1;
    uint64_t t = now_ms();
    pfd[0].fd = lfd;
    pfd[0].events = nconns < MAX_CONNS ? POLLIN : 0;
    for (size_t i = 0; i < nconns; i++) {
      pfd[i + 1].fd = conns[i].fd;
      pfd[i + 1].events = POLLIN;
      if (conns[i].tls_wants_write ||
          ((!conns[i].ssl || conns[i].handshaken) &&
           hyper_h2_conn_wants_write(conns[i].h2)))
        pfd[i + 1].events |= POLLOUT;
      uint64_t cd = conn_deadline(&conns[i]);
      if (cd) {
        int left = cd > t ? (int)(cd - t) : 0;
        if (timeout < 0 || left < timeout) timeout = left;
      }
      for (stream *s = conns[i].streams; s; s = s->next) {
        uint64_t at = s->ready_at;
        if (s->drip_left && (!at || s->drip_at < at)) at = s->drip_at;
        if (!at) continue;
        int left = at > t ? (int)(at - t) : 0;
        if (timeout < 0 || left < timeout) timeout = left;
      }
    }
    int pr = poll(pfd, nconns + 1, timeout);
    if (pr < 0) {
      if (errno == EINTR) continue;
      perror("hyperbin: poll");
      break;
    }
    if (pfd[0].revents & POLLIN) {
      for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) break;
        if (nconns >= MAX_CONNS || conn_open(&conns[nconns], fd, tls) < 0) {
          close(fd);
          continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        pfd[nconns + 1].fd = -1; /* not polled this round (valgrind) */
        pfd[nconns + 1].revents = 0;
        nconns++;
      }
    }
    for (size_t i = 0; i < nconns; i++) {
      conn *c = &conns[i];
      if (pfd[i + 1].fd == c->fd &&
          ((pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) ||
           (c->ssl && !c->handshaken && (pfd[i + 1].revents & POLLOUT))))
        on_readable(c);
      if (c->dead != 2) {
        pump(c);
        reap(c);
        if (c->streams) c->idle_since = now_ms();
        if (c->dead == 1 && !c->close_by) c->close_by = now_ms() + 1000;
        uint64_t cd = conn_deadline(c);
        if (cd && now_ms() >= cd) conn_expire(c, now_ms());
        if (c->dead != 2 && flush_out(c) < 0) c->dead = 2;
      }
      if (c->dead == 2 || (c->dead == 1 && !hyper_h2_conn_wants_write(c->h2)) ||
          (c->started && !hyper_h2_conn_wants_read(c->h2) &&
           !hyper_h2_conn_wants_write(c->h2))) {
        conn_close(c);
        conns[i] = conns[nconns - 1];
        pfd[i + 1] = pfd[nconns];
        nconns--;
        i--;
      }
    }
  }
  for (size_t i = 0; i < nconns; i++) {
    hyper_h2_close(conns[i].h2, HYPER_H2_NO_ERROR, HYPER_H2_LAST_STREAM_AUTO,
                   NULL, 0);
    flush_out(&conns[i]);
    conn_close(&conns[i]);
  }
  close(lfd);
  SSL_CTX_free(tls);
  return 0;
}
