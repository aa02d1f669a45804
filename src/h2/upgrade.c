/* Starting HTTP/2 on a connection that began as HTTP/1.1: the cleartext
 * "Upgrade: h2c" mechanism of RFC 7540 §3.2 (RFC 9113 §3.1 deprecates it,
 * but servers such as nghttpd still accept it). The HTTP/1.1 exchange (the
 * request with Upgrade, Connection and HTTP2-Settings, the 101 response) is
 * the caller's; this file starts the core in the state that follows it:
 * stream 1 carries the upgraded request, half-closed (local) on the client
 * and half-closed (remote) on the server (RFC 7540 §3.2), and the
 * HTTP2-Settings value stands for the client's first SETTINGS, implicitly
 * acknowledged by the 101 (RFC 7540 §3.2.1).
 *
 * Uses only the internals declared in conn_int.h. */
#include <string.h>

#include "conn_int.h"

/* ------------------------------------------------------------------------ */
/* base64url (RFC 4648 §5), without padding                                 */
/* ------------------------------------------------------------------------ */

static const char B64URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encodes |n| octets into |out| (room for (4n+2)/3 characters). Returns the
 * number of characters written. */
static size_t b64url_encode(const uint8_t *in, size_t n, char *out) {
  size_t o = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = B64URL[(v >> 18) & 63];
    out[o++] = B64URL[(v >> 12) & 63];
    out[o++] = B64URL[(v >> 6) & 63];
    out[o++] = B64URL[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = B64URL[(v >> 18) & 63];
    out[o++] = B64URL[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[o++] = B64URL[(v >> 18) & 63];
    out[o++] = B64URL[(v >> 12) & 63];
    out[o++] = B64URL[(v >> 6) & 63];
  }
  return o;
}

static int b64url_value(char ch) {
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '-')
    return 62;
  if (ch == '_')
    return 63;
  return -1;
}

/* Decodes |n| characters (trailing '=' tolerated, RFC 7540 §3.2.1 says
 * they are omitted) into |out| (|cap| octets). Returns the octet count, or
 * -1 for a character outside the alphabet, an impossible length, non-zero
 * leftover bits or too little room. */
static long b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap) {
  while (n > 0 && in[n - 1] == '=')
    n--;
  if (n % 4 == 1)
    return -1;
  size_t o = 0;
  uint32_t acc = 0;
  unsigned bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64url_value(in[i]);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap)
        return -1;
      out[o++] = (uint8_t)(acc >> bits);
      acc &= (1u << bits) - 1u;
    }
  }
  if (acc != 0) /* RFC 4648 §3.5: the pad bits must be zero */
    return -1;
  return (long)o;
}

/* ------------------------------------------------------------------------ */
/* HTTP2-Settings                                                           */
/* ------------------------------------------------------------------------ */

int hyper_h2_conn_upgrade_settings(const hyper_h2_conn *c, char *out,
                                   size_t cap, size_t *len) {
  if (!c || !len || (!out && cap))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_h2_setting e[8];
  size_t n = hyper__h2_settings_entries(&c->cfg.settings, c->is_client, e);
  uint8_t frame[HYPER_H2_FRAME_HDR_LEN + 6 * 8];
  int rv = hyper_h2_frame_pack_settings(frame, sizeof frame, e, n);
  if (rv < 0)
    return rv;
  size_t plen = 6 * n;
  size_t need = (4 * plen + 2) / 3;
  *len = need;
  if (cap < need + 1)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  size_t w = b64url_encode(frame + HYPER_H2_FRAME_HDR_LEN, plen, out);
  out[w] = '\0';
  return 0;
}

/* ------------------------------------------------------------------------ */
/* The two roles                                                            */
/* ------------------------------------------------------------------------ */

/* Creates stream 1 and walks it through |in1| then |in2| (the inputs that
 * the HTTP/1.1 exchange stood for). */
static int stream_one(hyper_h2_conn *c, hyper__h2_in in1, hyper__h2_in in2,
                      hyper__h2_stream **out) {
  hyper__h2_stream *s;
  int rv = hyper__h2_stream_new(c, 1, &s);
  if (rv)
    return rv;
  int act;
  if (hyper__h2_stream_input(&s->fsm, in1, &act) < 0 ||
      hyper__h2_stream_input(&s->fsm, in2, &act) < 0) {
    hyper__h2_stream_discard(c, s);
    return HYPER_ERR_INTERNAL;
  }
  s->sflags |= H2S_APP_KNOWN;
  hyper__h2_stream_sync(c, s);
  *out = s;
  return 0;
}

int hyper_h2_conn_upgrade_client(hyper_h2_conn *c, int head_request) {
  if (!c)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!c->is_client || c->initiated || c->terminated ||
      c->next_local_id != 1)
    return HYPER_ERR_INVALID_STATE;
  int rv = hyper_h2_conn_initiate(c); /* preface, SETTINGS, WINDOW_UPDATE */
  if (rv)
    return rv;
  hyper__h2_stream *s;
  rv = stream_one(c, HYPER__H2_IN_SEND_HEADERS, HYPER__H2_IN_SEND_END_STREAM,
                  &s);
  if (rv) /* the preface is queued already: nothing sane is left */
    return hyper__h2_fatal(c, rv);
  if (head_request)
    s->sflags |= H2S_REQ_HEAD;
  s->out_expect = 0; /* the request body went out over HTTP/1.1 */
  c->next_local_id = 3;
  return 0;
}

/* Is the :method of |f| HEAD? */
static int method_is_head(const hyper_field *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (f[i].name_len == 7 && memcmp(f[i].name, ":method", 7) == 0)
      return f[i].value_len == 4 && memcmp(f[i].value, "HEAD", 4) == 0;
  return 0;
}

int hyper_h2_conn_upgrade_server(hyper_h2_conn *c, const char *http2_settings,
                                 size_t len, const hyper_field *request,
                                 size_t n) {
  if (!c || (!http2_settings && len) || (!request && n))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (c->is_client || c->initiated || c->terminated)
    return HYPER_ERR_INVALID_STATE;
  /* RFC 7540 §3.2.1: the value is the base64url payload of a SETTINGS
   * frame; one that does not decode to valid settings is refused before
   * anything changes (the caller then answers without upgrading). */
  uint8_t payload[6 * HYPER_H2_MAX_SETTINGS_ENTRIES_CAP];
  long plen = b64url_decode(http2_settings, len, payload, sizeof payload);
  if (plen < 0 || plen % 6 != 0 ||
      (size_t)plen / 6 > c->cfg.max_settings_entries)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_h2_frame_hdr h;
  h.length = (uint32_t)plen;
  h.type = HYPER_H2_FRAME_SETTINGS;
  h.flags = 0;
  h.stream_id = 0;
  hyper_h2_frame_settings fs;
  hyper_h2_frame_err ferr;
  if (hyper_h2_frame_parse_settings(&h, payload, (size_t)plen, &fs, &ferr))
    return HYPER_ERR_INVALID_ARGUMENT;
  /* Implicitly acknowledged by the 101 (§3.2.1): applied, never ACKed. */
  int rv = hyper__h2_settings_apply_remote(c, &fs);
  if (rv)
    return rv;
  /* RFC 9218 §2.1 fixes NO_RFC7540_PRIORITIES with the peer's first
   * SETTINGS frame; the header field is not a frame, so the frame after
   * the client's preface may still state it. */
  c->remote_no7540_seen = 0;
  rv = hyper_h2_conn_initiate(c); /* our SETTINGS: the server preface */
  if (rv)
    return rv;
  hyper__h2_stream *s;
  rv = stream_one(c, HYPER__H2_IN_RECV_HEADERS, HYPER__H2_IN_RECV_END_STREAM,
                  &s);
  if (rv)
    return hyper__h2_fatal(c, rv);
  if (method_is_head(request, n))
    s->sflags |= H2S_REQ_HEAD;
  s->in_expect = 0;
  c->last_remote_id = 1;
  return 0;
}
