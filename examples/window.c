/*
 * window: a custom window manager (the seed's "Flow Control & Window
 * Managers"). Like the seed's StupidFlowControlManager it gives back every
 * frame's size at once; it also counts its calls. hyper creates one manager
 * per stream and one for the connection through the factory (the seed
 * plugs in the class, not an instance, for the same reason).
 *
 *   window HOST[:PORT] [--h2c]
 *
 * Downloads /bytes/300000 and prints what the managers saw; exits 0 when
 * the managers were called for the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyper/client.h"

typedef struct stupid_wm {
  hyper_h2_wm base; /* first: hyper hands us &base */
  unsigned calls;
} stupid_wm;

typedef struct tally {
  unsigned managers, calls;
  unsigned long long octets;
} tally;

static tally seen;

/* increase_window_size(frame_size): return frame_size. */
static uint32_t stupid_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  stupid_wm *m = (stupid_wm *)wm;
  m->calls++;
  seen.calls++;
  seen.octets += frame_size;
  return frame_size;
}

static void stupid_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  mem->free(wm, mem->user);
}

static const hyper_h2_wm_vtable stupid_vt = {stupid_increase, NULL,
                                             stupid_destroy};

static int stupid_create(hyper_h2_wm **out, uint32_t stream_id,
                         uint32_t initial, void *user, const hyper_mem *mem) {
  (void)user;
  stupid_wm *m = mem->calloc(1, sizeof *m, mem->user);
  if (!m)
    return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(&m->base, &stupid_vt, stream_id, initial);
  seen.managers++;
  *out = &m->base;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--h2c") != 0)) {
    fprintf(stderr, "usage: window HOST[:PORT] [--h2c]\n");
    return 2;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.secure = argc == 3 ? 0 : 1;
  o.window_manager.create = stupid_create; /* window_manager=Stupid... */
  o.window_manager.user = NULL;
  hyper_client *c;
  if (hyper_client_new(&c, argv[1], &o, NULL) != 0)
    return 2;
  uint32_t id;
  hyper_resp *r = NULL;
  hyper_slice body = {NULL, 0};
  int rv = hyper_client_request(c, "GET", "/bytes/300000", NULL, 0, NULL,
                                &id);
  if (!rv)
    rv = hyper_client_get_response(c, id, &r);
  if (!rv)
    rv = hyper_resp_read_all(r, &body);
  if (rv) {
    fprintf(stderr, "window: %s (%s)\n", hyper_strerror(rv),
            hyper_client_last_error(c)->desc);
    hyper_resp_free(r);
    hyper_client_free(c);
    return 1;
  }
  printf("GET /bytes/300000: %d, %zu bytes\n", hyper_resp_status(r),
         body.len);
  hyper_resp_free(r);
  hyper_client_free(c);
  printf("%u managers, %u calls, %llu octets reported\n", seen.managers,
         seen.calls, seen.octets);
  return seen.managers >= 2 && seen.octets >= 300000 ? 0 : 1;
}
