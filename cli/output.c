/*
 * hyper-cli: output formatting — JSON pretty-printing (optionally in
 * colour), request/response heads, the --debug/--trace-json frame trace fed
 * by the core's trace hook, and the download progress meter.
 */
#include <string.h>
#include <time.h>

#include "cli.h"

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- JSON -------------------------------------------------------------- */

#define C_KEY "\x1b[34m"
#define C_STR "\x1b[32m"
#define C_NUM "\x1b[36m"
#define C_LIT "\x1b[35m"
#define C_OFF "\x1b[0m"

static void put_scalar(FILE *f, const json_t *j, const char *colour) {
  char *s = json_dumps(j, JSON_ENCODE_ANY);
  if (!s) return;
  if (colour) fputs(colour, f);
  fputs(s, f);
  if (colour) fputs(C_OFF, f);
  free(s);
}

static void indent(FILE *f, int depth) {
  for (int i = 0; i < depth * 4; i++) fputc(' ', f);
}

static void print_value(FILE *f, const json_t *j, int depth, int colour) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *v;
    size_t n = json_object_size(j), i = 0;
    if (!n) {
      fputs("{}", f);
      break;
    }
    fputs("{\n", f);
    json_object_foreach((json_t *)(uintptr_t)j, key, v) {
      json_t *k = json_string(key);
      indent(f, depth + 1);
      if (k) put_scalar(f, k, colour ? C_KEY : NULL);
      json_decref(k);
      fputs(": ", f);
      print_value(f, v, depth + 1, colour);
      fputs(++i < n ? ",\n" : "\n", f);
    }
    indent(f, depth);
    fputc('}', f);
    break;
  }
  case JSON_ARRAY: {
    size_t n = json_array_size(j);
    if (!n) {
      fputs("[]", f);
      break;
    }
    fputs("[\n", f);
    for (size_t i = 0; i < n; i++) {
      indent(f, depth + 1);
      print_value(f, json_array_get(j, i), depth + 1, colour);
      fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    indent(f, depth);
    fputc(']', f);
    break;
  }
  case JSON_STRING:
    put_scalar(f, j, colour ? C_STR : NULL);
    break;
  case JSON_INTEGER:
  case JSON_REAL:
    put_scalar(f, j, colour ? C_NUM : NULL);
    break;
  default:
    put_scalar(f, j, colour ? C_LIT : NULL);
    break;
  }
}

void cli_print_json(FILE *f, const json_t *j, int colour) {
  print_value(f, j, 0, colour);
  fputc('\n', f);
}

/* ---- heads ------------------------------------------------------------- */

static void print_fields(FILE *f, const hyper_hdrs *h) {
  size_t n = 0;
  const hyper_field *fl = hyper_hdrs_fields(h, &n);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%.*s: %.*s\n", (int)fl[i].name_len, (const char *)fl[i].name,
            (int)fl[i].value_len, (const char *)fl[i].value);
}

/* "HTTP/2" or "HTTP/1.1" for the protocol name hyper_client_protocol()
 * returns (NULL before a connection: what was asked for). */
static const char *version_of(const char *proto) {
  return proto && !strcmp(proto, "http/1.1") ? "HTTP/1.1" : "HTTP/2";
}

void cli_print_request_head(FILE *f, const cli_opts *o, const char *proto) {
  fprintf(f, "%s %s %s\n", o->method, o->path, version_of(proto));
  fprintf(f, "host: %s\n", o->host);
  print_fields(f, o->headers);
  fputc('\n', f);
}

void cli_print_response_head(FILE *f, const hyper_resp *r, const char *proto) {
  const char *reason = hyper_resp_reason(r);
  fprintf(f, "%s %d%s%s\n", version_of(proto), hyper_resp_status(r),
          reason && *reason ? " " : "", reason ? reason : "");
  print_fields(f, hyper_resp_headers(r));
  fputc('\n', f);
}

/* ---- trace ------------------------------------------------------------- */

static const char *frame_name(uint8_t t) {
  static const char *const names[] = {
      "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
      "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION", "ALTSVC", "UNKNOWN",
      "ORIGIN"};
  if (t < sizeof names / sizeof names[0]) return names[t];
  if (t == HYPER_H2_FRAME_PRIORITY_UPDATE) return "PRIORITY_UPDATE";
  return "UNKNOWN";
}

static const char *setting_name(uint16_t id) {
  switch (id) {
  case HYPER_H2_SETTINGS_HEADER_TABLE_SIZE: return "HEADER_TABLE_SIZE";
  case HYPER_H2_SETTINGS_ENABLE_PUSH: return "ENABLE_PUSH";
  case HYPER_H2_SETTINGS_MAX_CONCURRENT_STREAMS: return "MAX_CONCURRENT_STREAMS";
  case HYPER_H2_SETTINGS_INITIAL_WINDOW_SIZE: return "INITIAL_WINDOW_SIZE";
  case HYPER_H2_SETTINGS_MAX_FRAME_SIZE: return "MAX_FRAME_SIZE";
  case HYPER_H2_SETTINGS_MAX_HEADER_LIST_SIZE: return "MAX_HEADER_LIST_SIZE";
  case HYPER_H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return "ENABLE_CONNECT_PROTOCOL";
  case HYPER_H2_SETTINGS_NO_RFC7540_PRIORITIES: return "NO_RFC7540_PRIORITIES";
  default: return "UNKNOWN";
  }
}

static void flags_text(char *buf, size_t cap, const hyper_h2_frame_hdr *h) {
  buf[0] = '\0';
  uint8_t fl = h->flags;
  int ack_type = h->type == HYPER_H2_FRAME_SETTINGS ||
                 h->type == HYPER_H2_FRAME_PING;
  struct {
    uint8_t bit;
    const char *name;
  } known[] = {{0x01, ack_type ? "ACK" : "END_STREAM"},
               {0x04, "END_HEADERS"},
               {0x08, "PADDED"},
               {0x20, "PRIORITY"}};
  for (size_t i = 0; i < 4; i++) {
    if (!(fl & known[i].bit)) continue;
    if (buf[0]) strncat(buf, "|", cap - strlen(buf) - 1);
    strncat(buf, known[i].name, cap - strlen(buf) - 1);
  }
}

static void trace_frame_text(FILE *f, const hyper_h2_trace *rec) {
  const hyper_h2_frame *fr = rec->frame;
  const hyper_h2_frame_hdr *h = &fr->hdr;
  char flags[64];
  flags_text(flags, sizeof flags, h);
  fprintf(f, "[debug] %s %s frame <length=%u, flags=0x%02x%s%s%s, stream=%u>",
          rec->kind == HYPER_H2_TRACE_FRAME_SENT ? "send" : "recv",
          frame_name(h->type), h->length, h->flags, flags[0] ? " (" : "",
          flags, flags[0] ? ")" : "", h->stream_id);
  if (rec->parse_error) {
    fprintf(f, " (malformed: %s)\n", hyper_err_name(rec->parse_error));
    return;
  }
  switch (h->type) {
  case HYPER_H2_FRAME_DATA:
    fprintf(f, " data=%zu", fr->u.data.data.len);
    break;
  case HYPER_H2_FRAME_SETTINGS:
    for (size_t i = 0; i < fr->u.settings.count; i++) {
      hyper_h2_setting s;
      if (hyper_h2_frame_settings_get(&fr->u.settings, i, &s) == 0)
        fprintf(f, " %s=%u", setting_name(s.id), s.value);
    }
    break;
  case HYPER_H2_FRAME_WINDOW_UPDATE:
    fprintf(f, " increment=%u", fr->u.window_update.increment);
    break;
  case HYPER_H2_FRAME_RST_STREAM:
    fprintf(f, " error=%s", hyper_h2_code_name(fr->u.rst_stream.error_code));
    break;
  case HYPER_H2_FRAME_GOAWAY:
    fprintf(f, " last_stream=%u error=%s", fr->u.goaway.last_stream_id,
            hyper_h2_code_name(fr->u.goaway.error_code));
    break;
  case HYPER_H2_FRAME_PUSH_PROMISE:
    fprintf(f, " promised_stream=%u", fr->u.push_promise.promised_stream_id);
    break;
  case HYPER_H2_FRAME_PING:
    fprintf(f, " opaque=");
    for (int i = 0; i < 8; i++) fprintf(f, "%02x", fr->u.ping.opaque[i]);
    break;
  default:
    break;
  }
  fputc('\n', f);
}

static void trace_json(FILE *f, const hyper_h2_trace *rec) {
  json_t *j = json_object();
  if (!j) return;
  switch (rec->kind) {
  case HYPER_H2_TRACE_FRAME_RECV:
  case HYPER_H2_TRACE_FRAME_SENT: {
    const hyper_h2_frame_hdr *h = &rec->frame->hdr;
    json_object_set_new(j, "event", json_string("frame"));
    json_object_set_new(j, "dir", json_string(rec->kind ==
                                                      HYPER_H2_TRACE_FRAME_SENT
                                                  ? "send"
                                                  : "recv"));
    json_object_set_new(j, "type", json_string(frame_name(h->type)));
    json_object_set_new(j, "stream", json_integer(h->stream_id));
    json_object_set_new(j, "length", json_integer(h->length));
    json_object_set_new(j, "flags", json_integer(h->flags));
    if (rec->parse_error)
      json_object_set_new(j, "error",
                          json_string(hyper_err_name(rec->parse_error)));
    else if (h->type == HYPER_H2_FRAME_SETTINGS) {
      json_t *s = json_object();
      for (size_t i = 0; s && i < rec->frame->u.settings.count; i++) {
        hyper_h2_setting st;
        if (hyper_h2_frame_settings_get(&rec->frame->u.settings, i, &st) == 0)
          json_object_set_new(s, setting_name(st.id), json_integer(st.value));
      }
      json_object_set_new(j, "settings", s);
    } else if (h->type == HYPER_H2_FRAME_WINDOW_UPDATE) {
      json_object_set_new(j, "increment",
                          json_integer(rec->frame->u.window_update.increment));
    } else if (h->type == HYPER_H2_FRAME_RST_STREAM) {
      json_object_set_new(
          j, "error_code",
          json_string(hyper_h2_code_name(rec->frame->u.rst_stream.error_code)));
    } else if (h->type == HYPER_H2_FRAME_GOAWAY) {
      json_object_set_new(
          j, "error_code",
          json_string(hyper_h2_code_name(rec->frame->u.goaway.error_code)));
      json_object_set_new(j, "last_stream",
                          json_integer(rec->frame->u.goaway.last_stream_id));
    }
    break;
  }
  case HYPER_H2_TRACE_FIELDS_RECV:
  case HYPER_H2_TRACE_FIELDS_SENT: {
    json_t *arr = json_array();
    json_object_set_new(j, "event", json_string("fields"));
    json_object_set_new(j, "dir", json_string(rec->kind ==
                                                      HYPER_H2_TRACE_FIELDS_SENT
                                                  ? "send"
                                                  : "recv"));
    json_object_set_new(j, "stream", json_integer(rec->stream_id));
    for (size_t i = 0; arr && i < rec->nfields; i++) {
      json_t *pair = json_pack("[s#s#]", (const char *)rec->fields[i].name,
                               (int)rec->fields[i].name_len,
                               (const char *)rec->fields[i].value,
                               (int)rec->fields[i].value_len);
      if (pair) json_array_append_new(arr, pair);
    }
    json_object_set_new(j, "fields", arr ? arr : json_null());
    break;
  }
  case HYPER_H2_TRACE_HPACK_TABLE:
    json_object_set_new(j, "event", json_string("hpack_table"));
    json_object_set_new(j, "table", json_string(rec->hpack_encoder
                                                    ? "encoder"
                                                    : "decoder"));
    json_object_set_new(j, "old_size", json_integer((json_int_t)rec->old_size));
    json_object_set_new(j, "new_size", json_integer((json_int_t)rec->new_size));
    json_object_set_new(j, "max_size", json_integer((json_int_t)rec->max_size));
    break;
  }
  char *s = json_dumps(j, JSON_COMPACT);
  if (s) {
    fputs(s, f);
    fputc('\n', f);
    free(s);
  }
  json_decref(j);
}

void cli_trace_hook(const hyper_h2_trace *rec, void *user) {
  cli_trace *t = user;
  if (t->json) trace_json(t->json, rec);
  if (!t->debug) return;
  FILE *f = t->debug;
  switch (rec->kind) {
  case HYPER_H2_TRACE_FRAME_RECV:
  case HYPER_H2_TRACE_FRAME_SENT:
    trace_frame_text(f, rec);
    break;
  case HYPER_H2_TRACE_FIELDS_RECV:
  case HYPER_H2_TRACE_FIELDS_SENT:
    for (size_t i = 0; i < rec->nfields; i++)
      fprintf(f, "[debug] %s stream=%u %.*s: %.*s\n",
              rec->kind == HYPER_H2_TRACE_FIELDS_SENT ? "send" : "recv",
              rec->stream_id, (int)rec->fields[i].name_len,
              (const char *)rec->fields[i].name,
              (int)rec->fields[i].value_len,
              (const char *)rec->fields[i].value);
    break;
  case HYPER_H2_TRACE_HPACK_TABLE:
    fprintf(f, "[debug] HPACK %s table size %zu -> %zu (max %zu)\n",
            rec->hpack_encoder ? "encoder" : "decoder", rec->old_size,
            rec->new_size, rec->max_size);
    break;
  }
}

/* ---- progress ---------------------------------------------------------- */

static void human(char *buf, size_t cap, double v) {
  static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (v >= 1024.0 && i < 4) {
    v /= 1024.0;
    i++;
  }
  snprintf(buf, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

void cli_progress_start(cli_progress *p, int tty, unsigned long long total) {
  memset(p, 0, sizeof *p);
  p->tty = tty;
  p->total = total;
  p->start = p->last = cli_now();
}

static void progress_draw(cli_progress *p, int final) {
  double el = cli_now() - p->start;
  double rate = el > 0 ? (double)p->done / el : 0;
  char d[32], t[32], r[32];
  human(d, sizeof d, (double)p->done);
  human(r, sizeof r, rate);
  if (p->total) {
    human(t, sizeof t, (double)p->total);
    double eta = rate > 0 ? (double)(p->total - (p->done < p->total
                                                     ? p->done
                                                     : p->total)) /
                                rate
                          : 0;
    fprintf(stderr, "\r%s / %s %3d%%  %s/s  ETA %.0fs%s", d, t,
            (int)(100.0 * (double)p->done / (double)p->total), r, eta,
            final ? "\n" : "   ");
  } else {
    fprintf(stderr, "\r%s  %s/s%s", d, r, final ? "\n" : "   ");
  }
}

void cli_progress_update(cli_progress *p, size_t n) {
  p->done += n;
  if (!p->tty) return;
  double now = cli_now();
  if (now - p->last >= 0.1) {
    p->last = now;
    progress_draw(p, 0);
  }
}

void cli_progress_finish(cli_progress *p, const char *file) {
  if (p->tty) {
    progress_draw(p, 1);
  } else {
    char d[32];
    human(d, sizeof d, (double)p->done);
    fprintf(stderr, "hyper: saved %llu bytes (%s) to '%s' in %.2fs\n",
            p->done, d, file, cli_now() - p->start);
  }
}
