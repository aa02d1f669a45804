/* Test-only helpers for the sans-IO HTTP/2 connection (see h2_harness.h). */
#include "h2_harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- text log ----------------------------------------------------------- */

void h2h_log_add(h2h_log *l, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    size_t room = l->cap - l->len;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf ? l->buf + l->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
      return;
    if ((size_t)n < room) {
      l->len += (size_t)n;
      return;
    }
    size_t ncap = l->cap ? l->cap * 2 : 256;
    while (ncap - l->len <= (size_t)n)
      ncap *= 2;
    char *b = realloc(l->buf, ncap);
    if (!b)
      abort();
    l->buf = b;
    l->cap = ncap;
  }
}

void h2h_log_free(h2h_log *l) {
  free(l->buf);
  memset(l, 0, sizeof *l);
}

void h2h_log_reset(h2h_log *l) {
  l->len = 0;
  if (l->buf)
    l->buf[0] = 0;
}

int h2h_log_has(const h2h_log *l, const char *needle) {
  return l->buf && strstr(l->buf, needle) != NULL;
}

static void log_fields(h2h_log *l, const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int vl = f[i].value_len > 40 ? 40 : (int)f[i].value_len;
    h2h_log_add(l, " %.*s=%.*s", (int)f[i].name_len, (const char *)f[i].name,
                vl, (const char *)f[i].value);
    if (f[i].value_len > 40)
      h2h_log_add(l, "...(%zu)", f[i].value_len);
  }
}

static const char *ev_name(hyper_h2_event_type t) {
  switch (t) {
  case HYPER_H2_EV_REQUEST_RECEIVED: return "REQUEST";
  case HYPER_H2_EV_RESPONSE_RECEIVED: return "RESPONSE";
  case HYPER_H2_EV_TRAILERS_RECEIVED: return "TRAILERS";
  case HYPER_H2_EV_INFORMATIONAL_RECEIVED: return "INFORMATIONAL";
  case HYPER_H2_EV_DATA_RECEIVED: return "DATA";
  case HYPER_H2_EV_WINDOW_UPDATED: return "WINDOW_UPDATED";
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED: return "REMOTE_SETTINGS";
  case HYPER_H2_EV_SETTINGS_ACKED: return "SETTINGS_ACKED";
  case HYPER_H2_EV_PING_RECEIVED: return "PING";
  case HYPER_H2_EV_PING_ACK_RECEIVED: return "PING_ACK";
  case HYPER_H2_EV_STREAM_ENDED: return "STREAM_ENDED";
  case HYPER_H2_EV_STREAM_RESET: return "STREAM_RESET";
  case HYPER_H2_EV_PUSHED_STREAM_RECEIVED: return "PUSHED";
  case HYPER_H2_EV_PRIORITY_UPDATED: return "PRIORITY_UPDATED";
  case HYPER_H2_EV_CONNECTION_TERMINATED: return "TERMINATED";
  case HYPER_H2_EV_ALT_SVC_RECEIVED: return "ALT_SVC";
  case HYPER_H2_EV_UNKNOWN_FRAME_RECEIVED: return "UNKNOWN_FRAME";
  default: return "?";
  }
}

void h2h_log_event(h2h_log *l, const hyper_h2_event *ev) {
  h2h_log_add(l, "%s %u", ev_name(ev->type), ev->stream_id);
  switch (ev->type) {
  case HYPER_H2_EV_REQUEST_RECEIVED:
  case HYPER_H2_EV_RESPONSE_RECEIVED:
  case HYPER_H2_EV_TRAILERS_RECEIVED:
  case HYPER_H2_EV_INFORMATIONAL_RECEIVED:
    if (ev->end_stream)
      h2h_log_add(l, " ES");
    log_fields(l, ev->u.headers.fields, ev->u.headers.nfields);
    break;
  case HYPER_H2_EV_DATA_RECEIVED:
    h2h_log_add(l, " len=%zu flow=%u%s", ev->u.data.len,
                ev->u.data.flow_controlled_len, ev->end_stream ? " ES" : "");
    break;
  case HYPER_H2_EV_WINDOW_UPDATED:
    h2h_log_add(l, " +%u", ev->u.window.delta);
    break;
  case HYPER_H2_EV_REMOTE_SETTINGS_CHANGED:
  case HYPER_H2_EV_SETTINGS_ACKED:
    for (size_t i = 0; i < ev->u.settings.count; i++)
      h2h_log_add(l, " %u:%u->%u", ev->u.settings.changes[i].id,
                  ev->u.settings.changes[i].old_value,
                  ev->u.settings.changes[i].new_value);
    break;
  case HYPER_H2_EV_PING_RECEIVED:
  case HYPER_H2_EV_PING_ACK_RECEIVED:
    h2h_log_add(l, " %02x%02x", ev->u.ping.opaque[0], ev->u.ping.opaque[7]);
    break;
  case HYPER_H2_EV_STREAM_RESET:
    h2h_log_add(l, " %s %s", hyper_h2_code_name(ev->u.reset.error_code),
                ev->u.reset.remote ? "remote" : "local");
    break;
  case HYPER_H2_EV_PUSHED_STREAM_RECEIVED:
    h2h_log_add(l, " parent=%u", ev->u.push.parent_stream_id);
    log_fields(l, ev->u.push.fields, ev->u.push.nfields);
    break;
  case HYPER_H2_EV_PRIORITY_UPDATED:
    h2h_log_add(l, " u=%u i=%u", ev->u.priority.urgency,
                ev->u.priority.incremental);
    break;
  case HYPER_H2_EV_CONNECTION_TERMINATED:
    h2h_log_add(l, " %s last=%u debug=%zu",
                hyper_h2_code_name(ev->u.goaway.error_code),
                ev->u.goaway.last_stream_id, ev->u.goaway.debug_len);
    break;
  case HYPER_H2_EV_ALT_SVC_RECEIVED:
    h2h_log_add(l, " origin=%.*s value=%.*s", (int)ev->u.alt_svc.origin_len,
                (const char *)ev->u.alt_svc.origin,
                (int)ev->u.alt_svc.value_len,
                (const char *)ev->u.alt_svc.value);
    break;
  case HYPER_H2_EV_UNKNOWN_FRAME_RECEIVED:
    h2h_log_add(l, " type=0x%x len=%zu", ev->u.unknown.frame_type,
                ev->u.unknown.len);
    break;
  default:
    break;
  }
  h2h_log_add(l, "\n");
}

/* ---- one side ----------------------------------------------------------- */

static size_t next_chunk(h2h_side *s, size_t left) {
  size_t k = left;
  if (s->rnd) {
    s->rnd = s->rnd * 1103515245u + 12345u;
    k = 1 + (s->rnd >> 16) % 40;
  } else if (s->chunk) {
    k = s->chunk;
  }
  return k < left ? k : left;
}

static void drain(h2h_side *s) {
  hyper_h2_event ev;
  while (hyper_h2_conn_next_event(s->c, &ev)) {
    s->nevents++;
    h2h_log_event(&s->log, &ev);
    if (ev.type == HYPER_H2_EV_DATA_RECEIVED) {
      s->data_bytes += ev.u.data.len;
      uint32_t h = s->data_hash ? s->data_hash : 2166136261u;
      for (size_t i = 0; i < ev.u.data.len; i++)
        h = (h ^ ev.u.data.data[i]) * 16777619u;
      s->data_hash = h;
      if (s->ack_data && ev.u.data.len)
        hyper_h2_acknowledge_received_data(s->c, ev.stream_id, ev.u.data.len);
    }
    if (s->on_event)
      s->on_event(s, &ev, s->user);
  }
}

int h2h_feed(h2h_side *s, const uint8_t *p, size_t n) {
  size_t off = 0;
  if (s->err)
    return s->err;
  while (off < n) {
    size_t k = next_chunk(s, n - off);
    size_t used = 0;
    while (used < k) {
      int rv = hyper_h2_conn_recv(s->c, p + off + used, k - used);
      if (rv < 0) {
        drain(s);
        s->err = rv;
        return rv;
      }
      used += (size_t)rv;
      drain(s);
      if (rv == 0 && used < k) {
        s->err = -9999; /* no progress: a bug */
        return s->err;
      }
    }
    off += k;
  }
  return 0;
}

/* ---- pair ----------------------------------------------------------------- */

int h2h_pair_new(h2h_pair *p, const hyper_h2_config *ccfg,
                 const hyper_h2_config *scfg, const hyper_mem *mem) {
  hyper_h2_config dc, ds;
  memset(p, 0, sizeof *p);
  if (!ccfg) {
    hyper_h2_config_init(&dc, HYPER_H2_ROLE_CLIENT);
    ccfg = &dc;
  }
  if (!scfg) {
    hyper_h2_config_init(&ds, HYPER_H2_ROLE_SERVER);
    scfg = &ds;
  }
  int rv = hyper_h2_conn_new(&p->cli.c, ccfg, mem);
  if (rv)
    return rv;
  rv = hyper_h2_conn_new(&p->srv.c, scfg, mem);
  if (rv)
    return rv;
  rv = hyper_h2_conn_initiate(p->cli.c);
  if (rv)
    return rv;
  return hyper_h2_conn_initiate(p->srv.c);
}

void h2h_pair_free(h2h_pair *p) {
  hyper_h2_conn_free(p->cli.c);
  hyper_h2_conn_free(p->srv.c);
  h2h_log_free(&p->cli.log);
  h2h_log_free(&p->srv.log);
  memset(p, 0, sizeof *p);
}

/* Moves everything |from| has queued into |to|. Returns bytes moved or a
 * negative error. */
static long transfer(h2h_side *from, h2h_side *to) {
  const uint8_t *out;
  size_t n = hyper_h2_conn_pending(from->c, &out);
  if (!n)
    return 0;
  uint8_t *copy = malloc(n);
  if (!copy)
    abort();
  memcpy(copy, out, n);
  hyper_h2_conn_advance(from->c, n);
  int rv = h2h_feed(to, copy, n);
  free(copy);
  return rv ? rv : (long)n;
}

int h2h_pump(h2h_pair *p) {
  for (int round = 0; round < 100000; round++) {
    long a = transfer(&p->cli, &p->srv);
    if (a < 0)
      return (int)a;
    long b = transfer(&p->srv, &p->cli);
    if (b < 0)
      return (int)b;
    if (a == 0 && b == 0)
      return 0;
  }
  return -9998;
}

/* ---- raw peer ------------------------------------------------------------- */

const char *const h2h_get_req[] = {":method", "GET", ":scheme", "https",
                                   ":authority", "example.com", ":path", "/",
                                   NULL};
const char *const h2h_resp_200[] = {":status", "200", NULL};

size_t h2h_fields(const char *const *nv, hyper_field *out, size_t max) {
  size_t n = 0;
  for (; nv && nv[0] && n < max; nv += 2, n++) {
    out[n].name = (const uint8_t *)nv[0];
    out[n].name_len = strlen(nv[0]);
    out[n].value = (const uint8_t *)nv[1];
    out[n].value_len = strlen(nv[1]);
    out[n].flags = 0;
  }
  return n;
}

static void add_frame(h2h_raw *r, const h2h_frame *f) {
  if (r->nframes == r->frames_cap) {
    r->frames_cap = r->frames_cap ? 2 * r->frames_cap : 64;
    r->frames = realloc(r->frames, r->frames_cap * sizeof *r->frames);
    if (!r->frames)
      abort();
  }
  r->frames[r->nframes++] = *f;
}

static const char *type_name(uint8_t t) {
  static const char *const n[] = {"DATA", "HEADERS", "PRIORITY", "RST_STREAM",
                                  "SETTINGS", "PUSH_PROMISE", "PING",
                                  "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"};
  if (t < 10)
    return n[t];
  return t == HYPER_H2_FRAME_PRIORITY_UPDATE ? "PRIORITY_UPDATE" : "UNKNOWN";
}

static void parse_out(h2h_raw *r) {
  size_t off = 0;
  /* the client preface */
  if (r->role == HYPER_H2_ROLE_CLIENT && r->rx_len >= 24 &&
      !memcmp(r->rx, "PRI * HTTP/2.0", 14)) {
    h2h_log_add(&r->out, "PREFACE\n");
    off = 24;
  }
  for (;;) {
    hyper_h2_frame f;
    hyper_h2_frame_err fe;
    int n = hyper_h2_frame_parse(r->rx + off, r->rx_len - off,
                                 HYPER_H2_MAX_FRAME_SIZE_LIMIT, &f, &fe);
    if (n == HYPER_ERR_INCOMPLETE)
      break;
    if (n < 0) {
      h2h_log_add(&r->out, "BAD FRAME %d\n", n);
      off = r->rx_len;
      break;
    }
    h2h_frame hf;
    memset(&hf, 0, sizeof hf);
    hf.type = f.hdr.type;
    hf.flags = f.hdr.flags;
    hf.sid = f.hdr.stream_id;
    hf.len = f.hdr.length;
    h2h_log_add(&r->out, "%s %u", type_name(hf.type), hf.sid);
    switch (hf.type) {
    case HYPER_H2_FRAME_RST_STREAM:
      hf.code = f.u.rst_stream.error_code;
      h2h_log_add(&r->out, " %s", hyper_h2_code_name(hf.code));
      break;
    case HYPER_H2_FRAME_GOAWAY:
      hf.code = f.u.goaway.error_code;
      hf.value = f.u.goaway.last_stream_id;
      h2h_log_add(&r->out, " %s last=%u", hyper_h2_code_name(hf.code),
                  hf.value);
      break;
    case HYPER_H2_FRAME_WINDOW_UPDATE:
      hf.value = f.u.window_update.increment;
      h2h_log_add(&r->out, " +%u", hf.value);
      break;
    case HYPER_H2_FRAME_SETTINGS:
      if (f.u.settings.ack)
        h2h_log_add(&r->out, " ACK");
      for (size_t i = 0; i < f.u.settings.count; i++) {
        hyper_h2_setting e;
        hyper_h2_frame_settings_get(&f.u.settings, i, &e);
        h2h_log_add(&r->out, " %u=%u", e.id, e.value);
      }
      break;
    case HYPER_H2_FRAME_PING:
      h2h_log_add(&r->out, "%s", f.u.ping.ack ? " ACK" : "");
      break;
    case HYPER_H2_FRAME_DATA:
      h2h_log_add(&r->out, " len=%zu", f.u.data.data.len);
      break;
    case HYPER_H2_FRAME_HEADERS:
    case HYPER_H2_FRAME_PUSH_PROMISE: {
      hyper_slice b = hf.type == HYPER_H2_FRAME_HEADERS
                          ? f.u.headers.block
                          : f.u.push_promise.block;
      if (hf.type == HYPER_H2_FRAME_PUSH_PROMISE) {
        hf.value = f.u.push_promise.promised_stream_id;
        h2h_log_add(&r->out, " promised=%u", hf.value);
      }
      if (hf.flags & HYPER_H2_FLAG_END_HEADERS) {
        const hyper_field *fl;
        size_t nf;
        if (hyper_hpack_dec_decode(r->dec, b.ptr, b.len, &fl, &nf) == 0)
          log_fields(&r->out, fl, nf);
        else
          h2h_log_add(&r->out, " (undecodable)");
      } else {
        h2h_log_add(&r->out, " (continued)");
      }
      break;
    }
    default:
      break;
    }
    if (hf.flags & HYPER_H2_FLAG_END_STREAM &&
        (hf.type == HYPER_H2_FRAME_DATA || hf.type == HYPER_H2_FRAME_HEADERS))
      h2h_log_add(&r->out, " ES");
    h2h_log_add(&r->out, "\n");
    add_frame(r, &hf);
    off += (size_t)n;
  }
  memmove(r->rx, r->rx + off, r->rx_len - off);
  r->rx_len -= off;
}

void h2h_raw_collect(h2h_raw *r) {
  const uint8_t *out;
  size_t n;
  while ((n = hyper_h2_conn_pending(r->core.c, &out)) > 0) {
    if (r->rx_len + n > r->rx_cap) {
      r->rx_cap = (r->rx_len + n) * 2;
      r->rx = realloc(r->rx, r->rx_cap);
      if (!r->rx)
        abort();
    }
    memcpy(r->rx + r->rx_len, out, n);
    r->rx_len += n;
    hyper_h2_conn_advance(r->core.c, n);
  }
  parse_out(r);
}

int h2h_raw_send(h2h_raw *r, const void *p, size_t n) {
  int rv = h2h_feed(&r->core, p, n);
  if (!r->no_collect)
    h2h_raw_collect(r);
  return rv;
}

int h2h_raw_frame(h2h_raw *r, uint8_t type, uint8_t flags, uint32_t sid,
                  const void *payload, size_t len) {
  size_t cap = 9 + len;
  uint8_t *buf = malloc(cap);
  if (!buf)
    abort();
  int w = hyper_h2_frame_pack_raw(buf, cap, type, flags, sid, payload, len);
  int rv = w < 0 ? w : h2h_raw_send(r, buf, (size_t)w);
  free(buf);
  return rv;
}

size_t h2h_raw_block(h2h_raw *r, const char *const *nv, uint8_t *out,
                     size_t cap) {
  hyper_field f[64];
  size_t n = h2h_fields(nv, f, 64);
  size_t len = 0;
  if (hyper_hpack_enc_encode(r->enc, f, n, out, cap, &len))
    abort();
  return len;
}

int h2h_raw_headers(h2h_raw *r, uint32_t sid, uint8_t flags,
                    const char *const *nv) {
  uint8_t blk[4096];
  size_t n = h2h_raw_block(r, nv, blk, sizeof blk);
  return h2h_raw_frame(r, HYPER_H2_FRAME_HEADERS,
                       (uint8_t)(flags | HYPER_H2_FLAG_END_HEADERS), sid, blk,
                       n);
}

int h2h_raw_init(h2h_raw *r, hyper_h2_role role, const hyper_h2_config *cfg,
                 int mode) {
  memset(r, 0, sizeof *r);
  failmem_init(&r->fm);
  r->role = role;
  hyper_h2_config c;
  if (cfg)
    c = *cfg;
  else
    hyper_h2_config_init(&c, role);
  c.role = role;
  int rv = hyper_h2_conn_new(&r->core.c, &c, &r->fm.mem);
  if (rv)
    return rv;
  int flags = mode & 0xf0;
  mode &= 0x0f;
  if (mode == H2H_BYTES)
    r->core.chunk = 1;
  else if (mode == H2H_RANDOM)
    r->core.rnd = 0x5eed1234u;
  if (hyper_hpack_enc_new(&r->enc, NULL, NULL) ||
      hyper_hpack_dec_new(&r->dec, NULL, NULL))
    abort();
  rv = hyper_h2_conn_initiate(r->core.c);
  if (rv)
    return rv;
  h2h_raw_collect(r);
  if (!(flags & H2H_NO_HANDSHAKE)) {
    if (role == HYPER_H2_ROLE_SERVER) {
      rv = h2h_raw_send(r, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
      if (rv)
        return rv;
    }
    rv = h2h_raw_frame(r, HYPER_H2_FRAME_SETTINGS, 0, 0, NULL, 0);
    if (rv)
      return rv;
    if (!(flags & H2H_NO_ACK)) {
      rv = h2h_raw_frame(r, HYPER_H2_FRAME_SETTINGS, HYPER_H2_FLAG_ACK, 0,
                         NULL, 0);
      if (rv)
        return rv;
    }
  }
  h2h_log_reset(&r->out);
  h2h_log_reset(&r->core.log);
  r->nframes = 0;
  return 0;
}

void h2h_raw_free(h2h_raw *r) {
  hyper_h2_conn_free(r->core.c);
  hyper_hpack_enc_free(r->enc);
  hyper_hpack_dec_free(r->dec);
  free(r->rx);
  free(r->frames);
  h2h_log_free(&r->out);
  h2h_log_free(&r->core.log);
  r->core.c = NULL;
}

const h2h_frame *h2h_raw_last(const h2h_raw *r, uint8_t type) {
  for (size_t i = r->nframes; i > 0; i--)
    if (r->frames[i - 1].type == type)
      return &r->frames[i - 1];
  return NULL;
}

size_t h2h_raw_count(const h2h_raw *r, uint8_t type) {
  size_t n = 0;
  for (size_t i = 0; i < r->nframes; i++)
    n += type == 255 || r->frames[i].type == type;
  return n;
}

long h2h_raw_goaway(const h2h_raw *r) {
  const h2h_frame *f = h2h_raw_last(r, HYPER_H2_FRAME_GOAWAY);
  return f ? (long)f->code : -1;
}

long h2h_raw_rst(const h2h_raw *r, uint32_t sid) {
  for (size_t i = r->nframes; i > 0; i--)
    if (r->frames[i - 1].type == HYPER_H2_FRAME_RST_STREAM &&
        r->frames[i - 1].sid == sid)
      return (long)r->frames[i - 1].code;
  return -1;
}

/* ---- hostile-peer scenarios ------------------------------------------------ */

static const char *str_or_empty(const char *s) { return s ? s : ""; }

/* Runs |fn| three times (whole input, 1 byte at a time, random chunks);
 * the frames the core sends, its events and its error must be identical,
 * and nothing may leak. Returns the peak memory of the first run. */
size_t h2h_run_scenario(hyper_h2_role role, const hyper_h2_config *cfg,
                        int flags, h2h_scen_fn fn) {
  h2h_log out0 = {0}, ev0 = {0};
  int err0 = 0;
  size_t peak = 0;
  for (int mode = 0; mode < 3; mode++) {
    h2h_raw r;
    assert_int_equal(h2h_raw_init(&r, role, cfg, mode | flags), 0);
    fn(&r);
    h2h_raw_collect(&r);
    if (getenv("H2H_DEBUG"))
      fprintf(stderr, "--- mode %d\nframes:\n%sevents:\n%s", mode,
              str_or_empty(r.out.buf), str_or_empty(r.core.log.buf));
    if (mode == 0) {
      h2h_log_add(&out0, "%s", str_or_empty(r.out.buf));
      h2h_log_add(&ev0, "%s", str_or_empty(r.core.log.buf));
      err0 = r.core.err;
      peak = r.fm.peak_bytes;
    } else {
      assert_string_equal(str_or_empty(out0.buf), str_or_empty(r.out.buf));
      assert_string_equal(str_or_empty(ev0.buf), str_or_empty(r.core.log.buf));
      assert_int_equal(err0, r.core.err);
    }
    h2h_raw_free(&r);
    assert_int_equal(r.fm.live_blocks, 0); /* J2-style: nothing leaks */
    assert_int_equal(r.fm.live_bytes, 0);
  }
  h2h_log_free(&out0);
  h2h_log_free(&ev0);
  return peak;
}

/* A connection error: the exact library error and GOAWAY code; later input
 * is not processed (J4, CVE-2026-27135). */
void h2h_expect_goaway(h2h_raw *r, int rv, int herr, uint32_t code) {
  assert_int_equal(rv, herr);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_goaway(r), (long)code);
  assert_int_equal(hyper_h2_conn_last_error(r->core.c)->code, herr);
  assert_int_equal(hyper_h2_conn_last_error(r->core.c)->h2_code, code);
  static const uint8_t ping[17] = {0, 0, 8, 6, 0, 0, 0, 0, 0};
  size_t before = r->nframes;
  assert_int_equal(hyper_h2_conn_recv(r->core.c, ping, sizeof ping), herr);
  h2h_raw_collect(r);
  assert_int_equal(r->nframes, before);
  assert_false(hyper_h2_conn_wants_read(r->core.c));
  hyper_h2_event ev;
  assert_int_equal(hyper_h2_conn_next_event(r->core.c, &ev), 0);
}

/* A stream error: RST_STREAM(|code|) on |sid|, no GOAWAY. */
void h2h_expect_rst(h2h_raw *r, int rv, uint32_t sid, uint32_t code) {
  assert_int_equal(rv, 0);
  h2h_raw_collect(r);
  assert_int_equal(h2h_raw_rst(r, sid), (long)code);
  assert_int_equal(h2h_raw_goaway(r), -1);
}

int h2h_settings1(h2h_raw *r, uint16_t id, uint32_t v) {
  uint8_t p[6] = {(uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(v >> 24),
                  (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  return h2h_raw_frame(r, T_SETTINGS, 0, 0, p, 6);
}

int h2h_wu(h2h_raw *r, uint32_t sid, uint32_t inc) {
  uint8_t p[4] = {(uint8_t)(inc >> 24), (uint8_t)(inc >> 16),
                  (uint8_t)(inc >> 8), (uint8_t)inc};
  return h2h_raw_frame(r, T_WU, 0, sid, p, 4);
}

int h2h_rst(h2h_raw *r, uint32_t sid, uint32_t code) {
  uint8_t p[4] = {(uint8_t)(code >> 24), (uint8_t)(code >> 16),
                  (uint8_t)(code >> 8), (uint8_t)code};
  return h2h_raw_frame(r, T_RST, 0, sid, p, 4);
}

int h2h_data(h2h_raw *r, uint32_t sid, uint8_t flags, const void *p,
             size_t n) {
  return h2h_raw_frame(r, T_DATA, flags, sid, p, n);
}

int h2h_ping(h2h_raw *r, uint8_t flags, uint8_t tag) {
  uint8_t p[8] = {tag, 0, 0, 0, 0, 0, 0, tag};
  return h2h_raw_frame(r, T_PING, flags, 0, p, 8);
}

/* HPACK integer with an N-bit prefix (RFC 7541 §5.1). */
size_t h2h_hpack_int(uint8_t *out, uint8_t first, unsigned bits,
                     uint32_t v) {
  uint32_t max = (1u << bits) - 1;
  if (v < max) {
    out[0] = (uint8_t)(first | v);
    return 1;
  }
  out[0] = (uint8_t)(first | max);
  v -= max;
  size_t n = 1;
  while (v >= 128) {
    out[n++] = (uint8_t)(v % 128 + 128);
    v /= 128;
  }
  out[n++] = (uint8_t)v;
  return n;
}

int h2h_ev_has(const h2h_raw *r, const char *s) {
  return h2h_log_has(&r->core.log, s);
}
