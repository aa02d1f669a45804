/* The blocking HTTP/2 client: options, creation, connect, close, PING and
 * the last-error record. See client_int.h for the object layout. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

int hyper__client_err(hyper_client *cl, int code, uint32_t h2_code,
                      uint32_t stream_id, const char *fmt, ...) {
  if (!cl)
    return code;
  hyper_client_error *e = &cl->err;
  memset(e, 0, sizeof *e);
  e->code = code;
  e->h2_code = h2_code;
  e->stream_id = stream_id;
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(e->desc, sizeof e->desc, fmt, ap);
  va_end(ap);
  return code;
}

int hyper__client_err_io(hyper_client *cl, int code,
                         const hyper__io_error *e) {
  if (!cl)
    return code;
  hyper_client_error *d = &cl->err;
  memset(d, 0, sizeof *d);
  d->code = code;
  if (e) {
    d->sys_errno = e->sys_errno;
    d->verify_result = e->verify_result;
    (void)snprintf(d->desc, sizeof d->desc, "%s", e->desc);
  }
  if (!d->desc[0])
    (void)snprintf(d->desc, sizeof d->desc, "%s", hyper_strerror(code));
  return code;
}

int hyper__client_err_h2(hyper_client *cl, int code) {
  if (!cl)
    return code;
  const hyper_h2_error *he = cl->h2 ? hyper_h2_conn_last_error(cl->h2) : NULL;
  if (he && he->code == code && he->desc && he->desc[0])
    return hyper__client_err(cl, code, he->h2_code, he->stream_id, "%s",
                             he->desc);
  return hyper__client_err(cl, code, 0, 0, "%s", hyper_strerror(code));
}

const hyper_client_error *hyper_client_last_error(const hyper_client *c) {
  return c ? &c->err : NULL;
}

int64_t hyper__client_request_deadline(const hyper_client *cl) {
  if (cl->opts.request_timeout_ms <= 0)
    return HYPER__IO_NO_DEADLINE;
  return hyper__io_deadline_after(cl->opts.request_timeout_ms);
}

/* ------------------------------------------------------------------------ */
/* Options and creation                                                     */
/* ------------------------------------------------------------------------ */

void hyper_client_opts_init(hyper_client_opts *o) {
  memset(o, 0, sizeof *o);
  o->secure = 1;
  o->connect_timeout_ms = HYPER_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
  o->read_timeout_ms = HYPER_CLIENT_DEFAULT_READ_TIMEOUT_MS;
  o->ping_timeout_ms = HYPER_CLIENT_DEFAULT_PING_TIMEOUT_MS;
  o->network_buffer_size = HYPER_CLIENT_DEFAULT_BUFFER_SIZE;
  o->max_buffered = HYPER_CLIENT_DEFAULT_MAX_BUFFERED;
  o->decode_content = 1;
  o->max_decoded_size = (uint64_t)1 << 30;
  o->max_decode_ratio = 1000;
  o->accept_encoding = HYPER_CLIENT_DEFAULT_ACCEPT_ENCODING;
  o->limit_mode = HYPER_CLIENT_LIMIT_WAIT;
  o->max_retries = HYPER_CLIENT_DEFAULT_MAX_RETRIES;
}

/* Parses a decimal port (1..65535). Returns 0 or -1. */
static int parse_port(const char *s, size_t n, uint16_t *out) {
  if (n == 0 || n > 5)
    return -1;
  unsigned v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  if (v == 0 || v > 65535)
    return -1;
  *out = (uint16_t)v;
  return 0;
}

/* Splits "host", "host:port", "[v6]", "[v6]:port", "v6" into the bare host
 * and the port (0 when absent). Returns 0 or -1. */
static int split_host(const char *in, char *host, size_t cap,
                      uint16_t *port) {
  size_t len = strlen(in);
  const char *h = in;
  size_t hlen = len;
  *port = 0;
  if (len == 0)
    return -1;
  if (in[0] == '[') {
    const char *close = strchr(in, ']');
    if (!close || close == in + 1)
      return -1;
    h = in + 1;
    hlen = (size_t)(close - h);
    const char *rest = close + 1;
    if (*rest == ':') {
      if (parse_port(rest + 1, strlen(rest + 1), port))
        return -1;
    } else if (*rest) {
      return -1;
    }
  } else {
    const char *colon = strchr(in, ':');
    if (colon && !strchr(colon + 1, ':')) { /* exactly one colon: a port */
      hlen = (size_t)(colon - in);
      if (parse_port(colon + 1, strlen(colon + 1), port))
        return -1;
    }
  }
  if (hlen == 0 || hlen >= cap)
    return -1;
  for (size_t i = 0; i < hlen; i++) /* no spaces, controls, '/', '@' */
    if ((unsigned char)h[i] <= 0x20 || h[i] == '/' || h[i] == '@' ||
        h[i] == 0x7f)
      return -1;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  return 0;
}

/* Copies the option strings into one block owned by the client. */
static int copy_strings(hyper_client *cl) {
  const char **fields[] = {&cl->opts.ca_file, &cl->opts.ca_dir,
                           &cl->opts.cert_file, &cl->opts.key_file,
                           &cl->opts.accept_encoding};
  size_t total = 0;
  for (size_t i = 0; i < HYPER_ARRAY_LEN(fields); i++)
    if (*fields[i])
      total += strlen(*fields[i]) + 1;
  if (total == 0)
    return 0;
  char *p = hyper__mem_malloc(&cl->mem, total);
  if (!p)
    return HYPER_ERR_NOMEM;
  cl->strs = p;
  for (size_t i = 0; i < HYPER_ARRAY_LEN(fields); i++) {
    if (!*fields[i])
      continue;
    size_t n = strlen(*fields[i]) + 1;
    memcpy(p, *fields[i], n);
    *fields[i] = p;
    p += n;
  }
  return 0;
}

int hyper_client_new(hyper_client **out, const char *host,
                     const hyper_client_opts *opts, const hyper_mem *mem) {
  if (!out || !host)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_client_opts o;
  if (opts)
    o = *opts;
  else
    hyper_client_opts_init(&o);
  if (o.connect_timeout_ms <= 0 || o.read_timeout_ms <= 0 ||
      o.ping_timeout_ms <= 0 || o.request_timeout_ms < 0 ||
      o.ping_idle_ms < 0 || o.network_buffer_size == 0 ||
      o.network_buffer_size > HYPER__IO_MAX_BUFFER_SIZE ||
      (o.family != 0 && o.family != 4 && o.family != 6) ||
      (!o.cert_file != !o.key_file) ||
      (o.limit_mode != HYPER_CLIENT_LIMIT_WAIT &&
       o.limit_mode != HYPER_CLIENT_LIMIT_FAIL) ||
      (o.protocol != HYPER_CLIENT_PROTO_H2 &&
       o.protocol != HYPER_CLIENT_PROTO_HTTP11 &&
       o.protocol != HYPER_CLIENT_PROTO_AUTO &&
       o.protocol != HYPER_CLIENT_PROTO_H2C_UPGRADE) ||
      (o.secure != 0 && o.secure != 1 && o.secure != HYPER_CLIENT_SECURE_AUTO))
    return HYPER_ERR_INVALID_ARGUMENT;
  char h[HYPER__IO_MAX_HOST_LEN + 1];
  uint16_t port = 0;
  if (split_host(host, h, sizeof h, &port))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_mem m;
  hyper__mem_init(&m, mem);
  hyper_client *cl = hyper__mem_calloc(&m, 1, sizeof *cl);
  if (!cl)
    return HYPER_ERR_NOMEM;
  cl->mem = m;
  cl->opts = o;
  if (copy_strings(cl)) {
    hyper__mem_free(&m, cl);
    return HYPER_ERR_NOMEM;
  }
  memcpy(cl->host, h, strlen(h) + 1);
  if (cl->opts.secure == HYPER_CLIENT_SECURE_AUTO) /* HTTP11Connection */
    cl->opts.secure = (port ? port : o.port ? o.port : 80) == 443;
  o.secure = cl->opts.secure;
  cl->port = port ? port : o.port ? o.port : (o.secure ? 443 : 80);
  /* :authority: the host (IPv6 in brackets) and the port unless it is the
   * scheme's default (RFC 9110 §4.2). */
  int v6 = strchr(cl->host, ':') != NULL;
  uint16_t defport = o.secure ? 443 : 80;
  if (cl->port == defport)
    (void)snprintf(cl->authority, sizeof cl->authority, v6 ? "[%s]" : "%s",
                   cl->host);
  else
    (void)snprintf(cl->authority, sizeof cl->authority,
                   v6 ? "[%s]:%u" : "%s:%u", cl->host, (unsigned)cl->port);
  cl->authority_len = strlen(cl->authority);
  *out = cl;
  return 0;
}

int hyper_client_is_connected(const hyper_client *c) {
  return c && ((c->h2 && !c->conn_err) || hyper__h1c_active(c));
}

const char *hyper_client_protocol(const hyper_client *c) {
  if (!c)
    return NULL;
  if (c->h2 && !c->conn_err)
    return "h2";
  return hyper__h1c_active(c) ? "http/1.1" : NULL;
}

/* ------------------------------------------------------------------------ */
/* Connect                                                                  */
/* ------------------------------------------------------------------------ */

int hyper__client_h2_new(hyper_client *cl, hyper_h2_conn **out) {
  hyper_h2_config cfg;
  hyper_h2_config_init(&cfg, HYPER_H2_ROLE_CLIENT);
  cfg.settings.enable_push = cl->opts.enable_push ? 1 : 0;
  cfg.recv_mode = HYPER_H2_RECV_ACK;
  cfg.wm_factory = cl->opts.window_manager;
  cfg.trace = cl->opts.trace;
  cfg.trace_user = cl->opts.trace_user;
  return hyper_h2_conn_new(out, &cfg, &cl->mem);
}

static void teardown(hyper_client *cl) {
  hyper__h1c_teardown(cl);
  hyper_h2_conn_free(cl->h2);
  cl->h2 = NULL;
  hyper__io_free(cl->io);
  cl->io = NULL;
  cl->conn_err = 0;
  cl->got_settings = 0;
  cl->goaway = 0;
  cl->goaway_last = cl->goaway_code = 0;
  cl->npending = 0;
  cl->last_put = 0;
  cl->recent = 0;
  cl->ping_out = 0;
  cl->ping_keepalive = 0;
}

static int make_tls(hyper_client *cl) {
  if (cl->tls)
    return 0;
  static const char *const alpn_h2[] = {"h2"};
  static const char *const alpn_h1[] = {"http/1.1"};
  static const char *const alpn_both[] = {"h2", "http/1.1"};
  hyper__tls_opts t;
  hyper__tls_opts_init(&t);
  switch (cl->opts.protocol) {
  case HYPER_CLIENT_PROTO_HTTP11:
    t.alpn = alpn_h1;
    t.alpn_count = 1;
    break;
  case HYPER_CLIENT_PROTO_AUTO:
  case HYPER_CLIENT_PROTO_H2C_UPGRADE: /* RFC 9113 §3.2: TLS uses ALPN */
    t.alpn = alpn_both;
    t.alpn_count = 2;
    break;
  default:
    t.alpn = alpn_h2;
    t.alpn_count = 1;
    t.alpn_required = 1;
    break;
  }
  t.ca_file = cl->opts.ca_file;
  t.ca_dir = cl->opts.ca_dir;
  t.cert_file = cl->opts.cert_file;
  t.key_file = cl->opts.key_file;
  t.insecure = cl->opts.insecure;
  hyper__io_error e;
  memset(&e, 0, sizeof e);
  int rv = hyper__tls_ctx_new(&cl->tls, &t, &cl->mem, &e);
  if (rv)
    return hyper__client_err_io(cl, rv, &e);
  return 0;
}

static int cond_settings(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)cs;
  (void)arg;
  return cl->got_settings ? 1 : 0;
}

int hyper_client_connect(hyper_client *c) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (hyper__h1c_active(c))
    return 0;
  if (c->h2) {
    if (c->conn_err && c->goaway) /* the server said goodbye first */
      return hyper__client_err(c, HYPER_ERR_H2_GOAWAY, c->goaway_code, 0,
                               "the server sent GOAWAY (%s) and closed the "
                               "connection; close the client to reconnect",
                               hyper_h2_code_name(c->goaway_code));
    if (c->conn_err)
      return hyper__client_err(c, c->conn_err, 0, 0,
                               "the connection failed earlier (%s); close "
                               "the client to reconnect",
                               hyper_err_name(c->conn_err));
    return 0;
  }
  int rv;
  if (c->opts.secure && (rv = make_tls(c)) != 0)
    return rv;
  hyper__io_opts io;
  hyper__io_opts_init(&io);
  io.connect_timeout_ms = c->opts.connect_timeout_ms;
  io.idle_timeout_ms = c->opts.read_timeout_ms;
  io.buffer_size = c->opts.network_buffer_size;
  io.family = c->opts.family;
  int64_t deadline = hyper__io_deadline_after(c->opts.connect_timeout_ms);
  hyper__io_error e;
  memset(&e, 0, sizeof e);
  rv = hyper__io_connect(&c->io, c->host, c->port, &io,
                         c->opts.secure ? c->tls : NULL, deadline, &c->mem,
                         &e);
  if (rv)
    return hyper__client_err_io(c, rv, &e);
  const char *sel = c->opts.secure ? hyper__io_alpn(c->io) : NULL;
  int h2_picked = sel && strcmp(sel, "h2") == 0;
  /* Upgrade: h2c is cleartext only; over TLS the option means AUTO. In
   * cleartext the connection starts as HTTP/1.1 (h1conn.c offers the
   * upgrade with the first request). */
  int upgrade = c->opts.protocol == HYPER_CLIENT_PROTO_H2C_UPGRADE;
  int auto_like = c->opts.protocol == HYPER_CLIENT_PROTO_AUTO ||
                  (upgrade && c->opts.secure);
  if (c->opts.protocol == HYPER_CLIENT_PROTO_HTTP11 ||
      (upgrade && !c->opts.secure) ||
      (auto_like && !c->opts.require_h2 && !h2_picked)) {
    if (c->opts.protocol == HYPER_CLIENT_PROTO_HTTP11 && h2_picked) {
      rv = hyper__client_err(c, HYPER_ERR_TLS_ALPN, 0, 0,
                             "%s:%u selected h2, http/1.1 was offered",
                             c->host, (unsigned)c->port);
      goto fail;
    }
    if ((rv = hyper__h1c_attach(c)) != 0)
      goto fail;
    return 0;
  }
  if (c->opts.secure) {
    const char *alpn = sel;
    if (!alpn || strcmp(alpn, "h2") != 0) {
      rv = hyper__client_err(c, HYPER_ERR_TLS_ALPN, 0, 0,
                             "%s:%u did not select h2 with ALPN (selected "
                             "%s)%s",
                             c->host, (unsigned)c->port,
                             alpn ? alpn : "nothing",
                             c->opts.require_h2 ? "; h2 is required" : "");
      goto fail;
    }
  }
  rv = hyper__client_h2_new(c, &c->h2);
  if (rv) {
    c->h2 = NULL;
    hyper__client_err(c, rv, 0, 0, "cannot create the HTTP/2 connection: %s",
                      hyper_strerror(rv));
    goto fail;
  }
  rv = hyper_h2_conn_initiate(c->h2);
  if (rv) {
    hyper__client_err(c, rv, 0, 0, "%s", hyper_strerror(rv));
    goto fail;
  }
  c->last_rx = hyper__io_now_ms();
  (void)hyper_h2_conn_set_time(c->h2, (uint64_t)c->last_rx);
  /* Wait for the server's SETTINGS: its limits (concurrent streams, frame
   * size) then apply from the first request on. */
  rv = hyper__client_wait(c, NULL, cond_settings, NULL, deadline);
  if (rv)
    goto fail;
  return 0;
fail:
  teardown(c);
  return rv;
}

/* ------------------------------------------------------------------------ */
/* Close and free                                                           */
/* ------------------------------------------------------------------------ */

int hyper_client_close(hyper_client *c, uint32_t error_code) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__h1c_close_fallback(c, error_code);
  if (c->retry_next) /* the connections of automatic retries */
    (void)hyper_client_close(c->retry_next, error_code);
  if (!c->h2 && !hyper__h1c_active(c) && !c->head)
    return 0;
  hyper_client_error saved = c->err;
  if (c->h2 && !c->conn_err &&
      hyper_h2_close(c->h2, error_code, HYPER_H2_LAST_STREAM_AUTO, NULL, 0) ==
          0) {
    int64_t t = c->opts.read_timeout_ms < 2000 ? c->opts.read_timeout_ms
                                                 : 2000;
    (void)hyper__client_flush(c, hyper__io_deadline_after(t));
  }
  c->err = saved; /* a failed goodbye is not news */
  /* Orphan what the caller holds, free the rest. */
  hyper__cstream *cs = c->head;
  while (cs) {
    hyper__cstream *next = cs->next;
    hyper__cs_unlink(cs);
    cs->flags |= CS_ORPHAN;
    if (!(cs->flags & CS_REMOTE_END) && !cs->err)
      cs->err = HYPER_ERR_INVALID_STATE;
    cs->unacked = 0;
    if (!cs->resp && !cs->push)
      hyper__cs_free(cs);
    cs = next;
  }
  teardown(c);
  return 0;
}

void hyper_client_free(hyper_client *c) {
  if (!c)
    return;
  (void)hyper_client_close(c, HYPER_H2_NO_ERROR);
  hyper_client_free(c->retry_next);
  hyper__client_free_spares(c);
  hyper__tls_ctx_free(c->tls);
  hyper__h1c_free(c);
  hyper_mem m = c->mem;
  hyper__mem_free(&m, c->strs);
  hyper__mem_free(&m, c);
}

/* ------------------------------------------------------------------------ */
/* PING                                                                     */
/* ------------------------------------------------------------------------ */

static int cond_pong(hyper_client *cl, hyper__cstream *cs, void *arg) {
  (void)cs;
  (void)arg;
  return cl->ping_out ? 0 : 1;
}

int hyper_client_flush(hyper_client *c) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!c->io || !c->h2)
    return 0;
  if (c->conn_err)
    return c->conn_err;
  return hyper__client_flush(c, hyper__client_request_deadline(c));
}

int hyper_client_ping(hyper_client *c, int64_t timeout_ms, int64_t *rtt_ms) {
  if (!c || timeout_ms < 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  int rv = hyper_client_connect(c);
  if (rv)
    return rv;
  if (!c->h2)
    return hyper__client_err(c, HYPER_ERR_UNSUPPORTED, 0, 0,
                             "PING needs HTTP/2; the connection speaks "
                             "HTTP/1.1");
  if (timeout_ms == 0)
    timeout_ms = c->opts.ping_timeout_ms;
  if (!c->ping_out) {
    c->ping_seq++;
    for (int i = 0; i < 8; i++)
      c->ping_data[i] = (uint8_t)(c->ping_seq >> (8 * (7 - i)));
    rv = hyper_h2_ping(c->h2, c->ping_data);
    if (rv)
      return hyper__client_err_h2(c, rv);
    c->ping_out = 1;
    c->ping_sent = hyper__io_now_ms();
  }
  c->ping_keepalive = 0; /* ours now: its timeout is |timeout_ms| */
  rv = hyper__client_wait(c, NULL, cond_pong, NULL,
                          hyper__io_deadline_after(timeout_ms));
  if (rv == HYPER_ERR_TIMEOUT && !c->conn_err) {
    c->ping_out = 0; /* a late answer is ignored */
    return hyper__client_err(c, rv, 0, 0, "no PING acknowledgement within "
                             "%lld ms", (long long)timeout_ms);
  }
  if (rv)
    return rv;
  if (rtt_ms)
    *rtt_ms = c->rtt;
  return 0;
}
