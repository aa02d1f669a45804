/* libFuzzer target: the HTTP/2 frame codec (src/h2/frame.c).
 *
 * The first byte picks the local SETTINGS_MAX_FRAME_SIZE; the rest is parsed
 * as a sequence of frames with hyper_h2_frame_parse(). Oracles:
 *  - every slice a parsed frame hands out lies inside that frame;
 *  - errors carry a valid wire code and a description;
 *  - DATA, SETTINGS, PING, GOAWAY, WINDOW_UPDATE and RST_STREAM frames are
 *    packed again from the parsed fields and parse back to the same fields.
 * Any violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c))                                                                  \
      abort();                                                                 \
  } while (0)

static uint8_t buf[16384 + 9 + 256];

static void check_inside(hyper_slice s, const uint8_t *f, size_t flen) {
  if (s.len)
    CHECK(s.ptr >= f && s.ptr + s.len <= f + flen);
}

static void repack(const hyper_h2_frame *fr, const uint8_t *f, size_t flen,
                   uint32_t max) {
  int n = -1;
  const hyper_h2_frame_hdr *h = &fr->hdr;
  switch (h->type) {
  case HYPER_H2_FRAME_DATA:
    check_inside(fr->u.data.data, f, flen);
    n = hyper_h2_frame_pack_data(buf, sizeof buf, h->stream_id,
                                 h->flags & HYPER_H2_FLAG_END_STREAM,
                                 fr->u.data.data.ptr, fr->u.data.data.len,
                                 fr->u.data.padded ? fr->u.data.pad_len : -1);
    break;
  case HYPER_H2_FRAME_SETTINGS: {
    hyper_h2_setting s[64];
    size_t i, cnt = fr->u.settings.count;
    if (h->flags & HYPER_H2_FLAG_ACK) {
      n = hyper_h2_frame_pack_settings_ack(buf, sizeof buf);
      break;
    }
    if (cnt > 64)
      return;
    for (i = 0; i < cnt; i++)
      CHECK(hyper_h2_frame_settings_get(&fr->u.settings, i, &s[i]) == 0);
    CHECK(hyper_h2_frame_settings_get(&fr->u.settings, cnt, &s[0]) != 0);
    for (i = 0; i < cnt; i++)
      CHECK(hyper_h2_frame_settings_get(&fr->u.settings, i, &s[i]) == 0);
    n = hyper_h2_frame_pack_settings(buf, sizeof buf, s, cnt);
    break;
  }
  case HYPER_H2_FRAME_PING:
    n = hyper_h2_frame_pack_ping(buf, sizeof buf,
                                 (h->flags & HYPER_H2_FLAG_ACK) != 0,
                                 fr->u.ping.opaque);
    break;
  case HYPER_H2_FRAME_GOAWAY:
    check_inside(fr->u.goaway.debug_data, f, flen);
    n = hyper_h2_frame_pack_goaway(buf, sizeof buf, fr->u.goaway.last_stream_id,
                                   fr->u.goaway.error_code,
                                   fr->u.goaway.debug_data.ptr,
                                   fr->u.goaway.debug_data.len);
    break;
  case HYPER_H2_FRAME_WINDOW_UPDATE:
    if (fr->u.window_update.increment == 0)
      return; /* not packable: a stream error the parser reported */
    n = hyper_h2_frame_pack_window_update(buf, sizeof buf, h->stream_id,
                                          fr->u.window_update.increment);
    break;
  case HYPER_H2_FRAME_RST_STREAM:
    n = hyper_h2_frame_pack_rst_stream(buf, sizeof buf, h->stream_id,
                                       fr->u.rst_stream.error_code);
    break;
  default:
    return;
  }
  CHECK(n > 0);
  hyper_h2_frame again;
  hyper_h2_frame_err err;
  int m = hyper_h2_frame_parse(buf, (size_t)n, max, &again, &err);
  CHECK(m == n);
  CHECK(again.hdr.type == h->type && again.hdr.stream_id == h->stream_id);
  switch (h->type) {
  case HYPER_H2_FRAME_DATA:
    CHECK(again.u.data.data.len == fr->u.data.data.len);
    CHECK(again.u.data.flow_controlled_len == fr->u.data.flow_controlled_len);
    if (fr->u.data.data.len)
      CHECK(memcmp(again.u.data.data.ptr, fr->u.data.data.ptr,
                   fr->u.data.data.len) == 0);
    break;
  case HYPER_H2_FRAME_SETTINGS:
    CHECK(again.u.settings.count == fr->u.settings.count);
    break;
  case HYPER_H2_FRAME_PING:
    CHECK(memcmp(again.u.ping.opaque, fr->u.ping.opaque, 8) == 0);
    break;
  case HYPER_H2_FRAME_GOAWAY:
    CHECK(again.u.goaway.last_stream_id == fr->u.goaway.last_stream_id);
    CHECK(again.u.goaway.error_code == fr->u.goaway.error_code);
    CHECK(again.u.goaway.debug_data.len == fr->u.goaway.debug_data.len);
    break;
  case HYPER_H2_FRAME_WINDOW_UPDATE:
    CHECK(again.u.window_update.increment == fr->u.window_update.increment);
    break;
  case HYPER_H2_FRAME_RST_STREAM:
    CHECK(again.u.rst_stream.error_code == fr->u.rst_stream.error_code);
    break;
  default:
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint32_t maxes[4] = {16384, 16384, 100000, 16777215};
  if (size < 1)
    return 0;
  uint32_t max = maxes[data[0] & 3];
  const uint8_t *p = data + 1;
  size_t left = size - 1;
  for (int i = 0; i < 64 && left; i++) {
    hyper_h2_frame fr;
    hyper_h2_frame_err err = {0, 0, NULL};
    int n = hyper_h2_frame_parse(p, left, max, &fr, &err);
    if (n == HYPER_ERR_INCOMPLETE)
      break;
    if (n < 0) {
      CHECK(n == HYPER_ERR_H2_PROTOCOL || n == HYPER_ERR_H2_FRAME_SIZE ||
            n == HYPER_ERR_H2_FLOW_CONTROL);
      CHECK(err.desc != NULL);
      CHECK(hyper_h2_code_name(err.code) != NULL);
      /* A stream error still tells the frame's extent: skip it. */
      if (err.connection || left < 9)
        break;
      hyper_h2_frame_hdr h;
      hyper_h2_frame_header_parse(p, &h);
      if (9 + (size_t)h.length > left)
        break;
      p += 9 + h.length;
      left -= 9 + h.length;
      continue;
    }
    CHECK((size_t)n >= 9 && (size_t)n <= left);
    CHECK((size_t)n == 9 + (size_t)fr.hdr.length);
    repack(&fr, p, (size_t)n, max);
    p += n;
    left -= (size_t)n;
  }
  return 0;
}
