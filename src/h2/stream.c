/* Stream objects of the HTTP/2 connection: the pool, the id map, the
 * counters of RFC 9113 §5.1.2 and the bounded memory of closed streams
 * (§5.1 "closed": late frames must be told apart from frames on streams
 * that never existed). */
#include "conn_int.h"

/* Streams kept for reuse instead of being freed. */
#define FREE_LIST_MAX 64u

/* ---- the map ------------------------------------------------------------- */

static uint32_t slot_of(const hyper__h2_smap *m, uint32_t id) {
  return (uint32_t)(id * 2654435761u) >> m->shift;
}

static int smap_grow(hyper_h2_conn *c) {
  hyper__h2_smap *m = &c->map;
  uint32_t ncap = m->cap ? m->cap * 2 : 16;
  unsigned nshift = m->cap ? m->shift - 1 : 28;
  if (ncap < m->cap)
    return HYPER_ERR_NOMEM;
  hyper__h2_stream **ns = hyper__mem_calloc(&c->mem, ncap, sizeof *ns);
  if (!ns)
    return HYPER_ERR_NOMEM;
  hyper__h2_stream **old = m->slots;
  uint32_t ocap = m->cap;
  m->slots = ns;
  m->cap = ncap;
  m->shift = nshift;
  for (uint32_t i = 0; i < ocap; i++) {
    hyper__h2_stream *s = old[i];
    if (!s)
      continue;
    uint32_t j = slot_of(m, s->id);
    while (ns[j])
      j = (j + 1) & (ncap - 1);
    ns[j] = s;
  }
  hyper__mem_free(&c->mem, old);
  return 0;
}

int hyper__h2_stream_reserve(hyper_h2_conn *c) {
  /* load factor at most 1/2 */
  if ((uint64_t)(c->map.count + 1) * 2 > c->map.cap)
    return smap_grow(c);
  return 0;
}

hyper__h2_stream *hyper__h2_stream_find(hyper_h2_conn *c, uint32_t id) {
  if (c->cache && c->cache->id == id)
    return c->cache;
  hyper__h2_smap *m = &c->map;
  if (!m->cap)
    return NULL;
  uint32_t j = slot_of(m, id);
  for (;;) {
    hyper__h2_stream *s = m->slots[j];
    if (!s)
      return NULL;
    if (s->id == id) {
      c->cache = s;
      return s;
    }
    j = (j + 1) & (m->cap - 1);
  }
}

static void smap_insert(hyper__h2_smap *m, hyper__h2_stream *s) {
  uint32_t j = slot_of(m, s->id);
  while (m->slots[j])
    j = (j + 1) & (m->cap - 1);
  m->slots[j] = s;
  m->count++;
}

static void smap_remove(hyper__h2_smap *m, hyper__h2_stream *s) {
  uint32_t mask = m->cap - 1;
  uint32_t j = slot_of(m, s->id);
  while (m->slots[j] != s)
    j = (j + 1) & mask;
  /* backward-shift deletion: pull later members of the run into the hole
   * when their home slot does not lie (cyclically) in (hole, k] */
  uint32_t hole = j, k = j;
  for (;;) {
    k = (k + 1) & mask;
    hyper__h2_stream *t = m->slots[k];
    if (!t)
      break;
    uint32_t home = slot_of(m, t->id);
    int stay = (hole <= k) ? (home > hole && home <= k)
                           : (home > hole || home <= k);
    if (stay)
      continue;
    m->slots[hole] = t;
    hole = k;
  }
  m->slots[hole] = NULL;
  m->count--;
}

void hyper__h2_smap_cleanup(hyper_h2_conn *c) {
  hyper__mem_free(&c->mem, c->map.slots);
  memset(&c->map, 0, sizeof c->map);
}

/* ---- the pool ------------------------------------------------------------ */

/* The default window manager lives in the stream: the factory below hands
 * out that storage and the vtable has no destroy (the stream owns it). */
static const hyper_h2_wm_vtable embedded_vtable = {
    hyper_h2_wm_default_increase_window_size, hyper_h2_wm_default_blocked,
    NULL};

static int embedded_create(hyper_h2_wm **out, uint32_t stream_id,
                           uint32_t initial, void *user,
                           const hyper_mem *mem) {
  (void)mem;
  hyper_h2_wm *wm = user;
  hyper_h2_wm_init(wm, &embedded_vtable, stream_id, initial);
  *out = wm;
  return 0;
}

static void stream_release(hyper_h2_conn *c, hyper__h2_stream *s) {
  if (s->sflags & H2S_RW_LIVE)
    hyper__h2_recvwin_cleanup(&s->rw);
  if (c->cache == s)
    c->cache = NULL;
  if (c->free_count < FREE_LIST_MAX) {
    s->next = c->free_list;
    c->free_list = s;
    c->free_count++;
  } else {
    hyper__mem_free(&c->mem, s);
  }
}

int hyper__h2_stream_new(hyper_h2_conn *c, uint32_t id,
                         hyper__h2_stream **out) {
  int rv = hyper__h2_stream_reserve(c);
  if (rv)
    return rv;
  hyper__h2_stream *s = c->free_list;
  if (s) {
    c->free_list = s->next;
    c->free_count--;
  } else {
    s = hyper__mem_malloc(&c->mem, sizeof *s);
    if (!s)
      return HYPER_ERR_NOMEM;
  }
  s->id = id;
  s->sflags = hyper__h2_is_remote_id(c, id) ? 0 : H2S_LOCAL;
  hyper__h2_stream_fsm_init(&s->fsm, c->is_client);
  s->in_expect = -1;
  s->in_recv = 0;
  s->out_expect = -1;
  s->out_sent = 0;
  s->info_bytes = 0;
  s->user_data = NULL;
  s->next = NULL;
  hyper__h2_sendwin_init(&s->sw, c->remote.initial_window_size);

  hyper_h2_wm_factory f = c->cfg.wm_factory;
  if (!f.create) {
    f.create = embedded_create;
    f.user = &s->wm_store;
  }
  int mode = c->cfg.recv_mode == HYPER_H2_RECV_ACK ? HYPER__H2_RECVWIN_ACK
                                                   : HYPER__H2_RECVWIN_AUTO;
  rv = hyper__h2_recvwin_init(&s->rw, &f, id, c->eff_initial_window,
                                  c->eff_initial_window, mode, &c->mem);
  if (rv) {
    stream_release(c, s);
    return rv;
  }
  s->sflags |= H2S_RW_LIVE;
  smap_insert(&c->map, s);
  *out = s;
  return 0;
}

void hyper__h2_stream_discard(hyper_h2_conn *c, hyper__h2_stream *s) {
  smap_remove(&c->map, s);
  stream_release(c, s);
}

/* ---- counters and the closed list ---------------------------------------- */

/* Forgets the oldest closed stream. */
static void evict_closed(hyper_h2_conn *c) {
  hyper__h2_stream *s = c->closed_head;
  c->closed_head = s->next;
  if (!c->closed_head)
    c->closed_tail = NULL;
  c->closed_count--;
  smap_remove(&c->map, s);
  stream_release(c, s);
}

void hyper__h2_stream_sync(hyper_h2_conn *c, hyper__h2_stream *s) {
  int st = s->fsm.state;
  int local = (s->sflags & H2S_LOCAL) != 0;
  int active = hyper__h2_st_is_active(st);
  int reserved =
      st == HYPER__H2_ST_RESERVED_LOCAL || st == HYPER__H2_ST_RESERVED_REMOTE;

  if (active != !!(s->sflags & H2S_ACTIVE)) {
    uint32_t *n = local ? &c->active_local : &c->active_remote;
    if (active) {
      (*n)++;
      s->sflags |= H2S_ACTIVE;
    } else {
      (*n)--;
      s->sflags &= (uint16_t)~H2S_ACTIVE;
    }
  }
  if (reserved != !!(s->sflags & H2S_RESERVED)) {
    /* a reserved stream was promised by the other side of its parity:
     * ours (even, server) are reserved (local), theirs reserved (remote) */
    uint32_t *n = local ? &c->reserved_local : &c->reserved_remote;
    if (reserved) {
      (*n)++;
      s->sflags |= H2S_RESERVED;
    } else {
      (*n)--;
      s->sflags &= (uint16_t)~H2S_RESERVED;
    }
  }
  if (st != HYPER__H2_ST_CLOSED || (s->sflags & H2S_CLOSED))
    return;
  s->sflags |= H2S_CLOSED;
  if (s->sflags & H2S_RW_LIVE) {
    hyper__h2_recvwin_cleanup(&s->rw);
    s->sflags &= (uint16_t)~H2S_RW_LIVE;
  }
  s->next = NULL;
  if (c->closed_tail)
    c->closed_tail->next = s;
  else
    c->closed_head = s;
  c->closed_tail = s;
  c->closed_count++;
  if (!c->defer_evict)
    hyper__h2_streams_trim(c);
}

void hyper__h2_streams_trim(hyper_h2_conn *c) {
  /* the newest closed stream (the tail) is never evicted: callers may
   * still hold it */
  while (c->closed_count > c->cfg.max_closed_streams &&
         c->closed_head != c->closed_tail)
    evict_closed(c);
}

int hyper__h2_streams_each(hyper_h2_conn *c,
                           int (*fn)(hyper_h2_conn *, hyper__h2_stream *,
                                     void *),
                           void *arg) {
  for (uint32_t i = 0; i < c->map.cap; i++) {
    hyper__h2_stream *s = c->map.slots[i];
    if (s && !(s->sflags & H2S_CLOSED)) {
      int rv = fn(c, s, arg);
      if (rv)
        return rv;
    }
  }
  return 0;
}

void hyper__h2_streams_free(hyper_h2_conn *c) {
  for (uint32_t i = 0; i < c->map.cap; i++) {
    hyper__h2_stream *s = c->map.slots[i];
    if (!s)
      continue;
    if (s->sflags & H2S_RW_LIVE)
      hyper__h2_recvwin_cleanup(&s->rw);
    hyper__mem_free(&c->mem, s);
  }
  hyper__h2_smap_cleanup(c);
  while (c->free_list) {
    hyper__h2_stream *s = c->free_list;
    c->free_list = s->next;
    hyper__mem_free(&c->mem, s);
  }
  c->free_count = 0;
  c->closed_head = c->closed_tail = NULL;
  c->closed_count = 0;
  c->cache = NULL;
}
