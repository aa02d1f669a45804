/* The header map: an ordered multimap of (name, value) byte strings with
 * case-insensitive lookup, comma splitting on request and hard caps.
 * Representation and invariants: hdrs_int.h. */
#include "hdrs_int.h"

/* Flags accepted by the adding functions. */
#define ADD_FLAGS                                                              \
  (HYPER_HDR_NO_COPY_NAME | HYPER_HDR_NO_COPY_VALUE | HYPER_FIELD_SENSITIVE |  \
   HYPER_FIELD_NO_INDEX)
/* Flags stored with an entry and handed out in hyper_field.flags. */
#define FIELD_FLAGS (HYPER_FIELD_SENSITIVE | HYPER_FIELD_NO_INDEX)

/* hyper_hdrs_iter._state */
#define ITER_STARTED 0x1u  /* _hash and ITER_NOSPLIT are set */
#define ITER_NOSPLIT 0x2u  /* the name is one that is never split */
#define ITER_IN_ENTRY 0x4u /* splitting entry _index, which matched */
#define ITER_EMITTED 0x8u  /* that entry has produced a value already */

/* Where zero-length names and values point, so that no field ever holds a
 * NULL pointer. */
static const uint8_t empty_bytes[1] = {0};

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

static inline uint8_t fold(uint8_t c) {
  return (uint8_t)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
}

static int has_upper(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned)(p[i] - 'A') < 26u)
      return 1;
  return 0;
}

static int eq_fold(const uint8_t *a, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i] && fold(a[i]) != fold(b[i]))
      return 0;
  return 1;
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint64_t load32(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* Words of the name with bit 0x20 set in every octet: names equal under
 * ASCII case folding (which only maps 'A'-'Z' to 'a'-'z', a difference of
 * that bit) give equal words, so their hashes are equal; other names may
 * collide too, which only costs a comparison. 8 octets at a time, the last
 * (partial) word read overlapping the previous one. */
uint32_t hyper__hdrs_hash(const uint8_t *name, size_t len) {
  const uint64_t set = 0x2020202020202020u, k = 0x9e3779b97f4a7c15u;
  uint64_t x = (uint64_t)len * k;
  if (len >= 8) {
    size_t i = 0;
    for (; i + 8 < len; i += 8)
      x = (x ^ (load64(name + i) | set)) * k;
    x = (x ^ (load64(name + len - 8) | set)) * k;
  } else if (len >= 4) {
    uint64_t w = load32(name) | (load32(name + len - 4) << 32);
    x = (x ^ (w | set)) * k;
  } else if (len) {
    uint64_t w = (uint64_t)name[0] | ((uint64_t)name[len / 2] << 8) |
                 ((uint64_t)name[len - 1] << 16);
    x = (x ^ (w | set)) * k;
  }
  return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

int hyper_hdrs_name_eq(const void *a, size_t a_len, const void *b,
                       size_t b_len) {
  if (a_len != b_len || (a_len && (!a || !b)))
    return 0;
  return eq_fold(a, b, a_len);
}

/* Does entry |i| carry the name (|name|, |len|) whose hash is |hash|? */
static inline int entry_is(const hyper_hdrs *h, size_t i, uint32_t hash,
                           const uint8_t *name, size_t len) {
  return h->meta[i].hash == hash && h->fields[i].name_len == len &&
         eq_fold(h->fields[i].name, name, len);
}

/* Fields whose values are not comma-separated lists (see HYPER_HDRS_SPLIT). */
static const struct {
  const char *name;
  size_t len;
} never_split[] = {
#define NS(s) {s, sizeof(s) - 1}
    NS("set-cookie"),          NS("set-cookie2"),
    NS("cookie"),              NS("date"),
    NS("expires"),             NS("last-modified"),
    NS("if-modified-since"),   NS("if-unmodified-since"),
    NS("if-range"),            NS("retry-after"),
    NS("location"),            NS("content-location"),
    NS("referer"),             NS("authorization"),
    NS("proxy-authorization"), NS("www-authenticate"),
    NS("proxy-authenticate"),
#undef NS
};

int hyper__hdrs_never_split(const uint8_t *name, size_t len) {
  for (size_t i = 0; i < HYPER_ARRAY_LEN(never_split); i++)
    if (never_split[i].len == len &&
        eq_fold((const uint8_t *)never_split[i].name, name, len))
      return 1;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

void hyper_hdrs_config_init(hyper_hdrs_config *cfg) {
  cfg->max_entries = HYPER_HDRS_DEFAULT_MAX_ENTRIES;
  cfg->max_bytes = HYPER_HDRS_DEFAULT_MAX_BYTES;
  cfg->lowercase_names = 0;
}

int hyper_hdrs_new(hyper_hdrs **out, const hyper_hdrs_config *cfg,
                   const hyper_mem *mem) {
  hyper_hdrs_config c;
  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (cfg)
    c = *cfg;
  else
    hyper_hdrs_config_init(&c);
  if (c.max_entries == 0 || c.max_entries > HYPER_HDRS_MAX_ENTRIES_LIMIT ||
      c.max_bytes == 0 || c.max_bytes > SIZE_MAX / 4)
    return HYPER_ERR_INVALID_ARGUMENT;

  hyper_mem m;
  hyper__mem_init(&m, mem);
  hyper_hdrs *h = hyper__mem_calloc(&m, 1, sizeof *h);
  if (!h)
    return HYPER_ERR_NOMEM;
  h->mem = m;
  h->max_entries = c.max_entries;
  h->max_bytes = c.max_bytes;
  h->lowercase_names = c.lowercase_names != 0;
  *out = h;
  return HYPER_OK;
}

void hyper_hdrs_free(hyper_hdrs *h) {
  if (!h)
    return;
  hyper_mem m = h->mem;
  hyper__mem_free(&m, h->fields); /* meta shares this block */
  hyper__mem_free(&m, h->arena);
  hyper__mem_free(&m, h);
}

/* ------------------------------------------------------------------------ */
/* Storage                                                                  */
/* ------------------------------------------------------------------------ */

/* Makes room for |n| more entries (the caller has checked max_entries).
 * Moves the fields/meta block, never the bytes. Returns 0 or
 * HYPER_ERR_NOMEM with nothing changed. */
static int reserve_entries(hyper_hdrs *h, size_t n) {
  if (h->cap - h->count >= n)
    return HYPER_OK;
  size_t need = h->count + n;
  size_t ncap = h->cap ? h->cap * 2 : 8;
  if (ncap < need)
    ncap = need;
  if (ncap > h->max_entries)
    ncap = h->max_entries; /* >= need */
  const size_t slot = sizeof(hyper_field) + sizeof(hyper__hdrs_meta);
  hyper_field *nf = hyper__mem_realloc(&h->mem, h->fields, ncap * slot);
  if (!nf)
    return HYPER_ERR_NOMEM;
  /* The block was [fields: cap][meta: cap]; meta moves up to its new
   * place after ncap fields. */
  hyper__hdrs_meta *nm = (hyper__hdrs_meta *)(void *)(nf + ncap);
  if (h->count)
    memmove(nm, (void *)(nf + h->cap), h->count * sizeof *nm);
  h->fields = nf;
  h->meta = nm;
  h->cap = ncap;
  return HYPER_OK;
}

/* Makes room for |n| more copied bytes. When the arena is full it is repacked
 * (live pieces only, in entry order) into a fresh, larger block; the old
 * block is not freed but handed back in |*old|, so that sources pointing
 * into it can still be read; the caller frees it when done. |n| and the live
 * bytes are each <= max_bytes <= SIZE_MAX / 4, so nothing overflows.
 * Returns 0 or HYPER_ERR_NOMEM with nothing changed. */
static int reserve_bytes(hyper_hdrs *h, size_t n, uint8_t **old) {
  *old = NULL;
  if (h->arena_cap - h->arena_len >= n)
    return HYPER_OK;
  size_t need = h->arena_len - h->arena_dead + n;
  size_t ncap = need + need / 2;
  if (ncap < 256)
    ncap = 256;
  uint8_t *na = hyper__mem_malloc(&h->mem, ncap);
  if (!na)
    return HYPER_ERR_NOMEM;
  size_t off = 0;
  for (size_t i = 0; i < h->count; i++) {
    hyper_field *f = &h->fields[i];
    if (h->meta[i].bits & HYPER__HDRS_OWN_NAME) {
      memcpy(na + off, f->name, f->name_len);
      f->name = na + off;
      off += f->name_len;
    }
    if (h->meta[i].bits & HYPER__HDRS_OWN_VALUE) {
      memcpy(na + off, f->value, f->value_len);
      f->value = na + off;
      off += f->value_len;
    }
  }
  *old = h->arena;
  h->arena = na;
  h->arena_len = off;
  h->arena_cap = ncap;
  h->arena_dead = 0;
  return HYPER_OK;
}

/* Copies |n| bytes to the arena (room reserved), lowercasing if asked. */
static const uint8_t *store(hyper_hdrs *h, const uint8_t *p, size_t n,
                            int lower) {
  uint8_t *d = h->arena + h->arena_len;
  if (lower) {
    for (size_t i = 0; i < n; i++)
      d[i] = fold(p[i]);
  } else {
    memcpy(d, p, n);
  }
  h->arena_len += n;
  return d;
}

/* Decides which parts of an entry are copied (HYPER__HDRS_OWN_* in |*own|)
 * and returns the number of arena bytes that takes. */
static inline size_t copy_plan(const hyper_hdrs *h, const uint8_t *name,
                               size_t name_len, size_t value_len,
                               uint32_t flags, uint32_t *own) {
  uint32_t o = 0;
  size_t n = 0;
  if (name_len && (!(flags & HYPER_HDR_NO_COPY_NAME) ||
                   (h->lowercase_names && has_upper(name, name_len)))) {
    o |= HYPER__HDRS_OWN_NAME;
    n += name_len;
  }
  if (value_len && !(flags & HYPER_HDR_NO_COPY_VALUE)) {
    o |= HYPER__HDRS_OWN_VALUE;
    n += value_len;
  }
  *own = o;
  return n;
}

/* Writes entry slot |i| (room for its bytes reserved). Cannot fail. */
static inline void fill(hyper_hdrs *h, size_t i, const uint8_t *name,
                        size_t name_len, const uint8_t *value,
                        size_t value_len, uint32_t flags, uint32_t own,
                        uint32_t hash) {
  hyper_field *f = &h->fields[i];
  if (!name_len)
    f->name = empty_bytes;
  else if (own & HYPER__HDRS_OWN_NAME)
    f->name = store(h, name, name_len, h->lowercase_names);
  else
    f->name = name;
  f->name_len = name_len;
  if (!value_len)
    f->value = empty_bytes;
  else if (own & HYPER__HDRS_OWN_VALUE)
    f->value = store(h, value, value_len, 0);
  else
    f->value = value;
  f->value_len = value_len;
  f->flags = flags & FIELD_FLAGS;
  h->meta[i].hash = hash;
  h->meta[i].bits = own;
  h->total_bytes += name_len + value_len;
}

/* Accounts for entry |i| leaving the map (its slot is then reused or
 * dropped by the caller). Its copied bytes become dead arena space. */
static void release(hyper_hdrs *h, size_t i) {
  const hyper_field *f = &h->fields[i];
  if (h->meta[i].bits & HYPER__HDRS_OWN_NAME)
    h->arena_dead += f->name_len;
  if (h->meta[i].bits & HYPER__HDRS_OWN_VALUE)
    h->arena_dead += f->value_len;
  h->total_bytes -= f->name_len + f->value_len;
}

/* When no copied byte is live any more, the arena restarts at 0. */
static void tidy(hyper_hdrs *h) {
  if (h->arena_dead == h->arena_len) {
    h->arena_len = 0;
    h->arena_dead = 0;
  }
}

/* Is (|name_len|, |value_len|) acceptable when |used| bytes remain? */
static int fits_bytes(const hyper_hdrs *h, size_t used, size_t name_len,
                      size_t value_len) {
  size_t room = h->max_bytes - used;
  return name_len <= room && value_len <= room - name_len;
}

/* ------------------------------------------------------------------------ */
/* Modification                                                             */
/* ------------------------------------------------------------------------ */

int hyper_hdrs_add(hyper_hdrs *h, const void *name, size_t name_len,
                   const void *value, size_t value_len, uint32_t flags) {
  if (!h || (!name && name_len) || (!value && value_len) ||
      (flags & ~(uint32_t)ADD_FLAGS))
    return HYPER_ERR_INVALID_ARGUMENT;
  if (h->count >= h->max_entries ||
      !fits_bytes(h, h->total_bytes, name_len, value_len))
    return HYPER_ERR_LIMIT_EXCEEDED;

  uint32_t own;
  size_t nb = copy_plan(h, name, name_len, value_len, flags, &own);
  uint8_t *old;
  int rv = reserve_entries(h, 1);
  if (rv)
    return rv;
  rv = reserve_bytes(h, nb, &old);
  if (rv)
    return rv;
  fill(h, h->count, name, name_len, value, value_len, flags, own,
       hyper__hdrs_hash(name, name_len));
  h->count++;
  hyper__mem_free(&h->mem, old);
  return HYPER_OK;
}

int hyper_hdrs_set(hyper_hdrs *h, const void *name, size_t name_len,
                   const void *value, size_t value_len, uint32_t flags) {
  if (!h || (!name && name_len) || (!value && value_len) ||
      (flags & ~(uint32_t)ADD_FLAGS))
    return HYPER_ERR_INVALID_ARGUMENT;

  uint32_t hash = hyper__hdrs_hash(name, name_len);
  size_t first = HYPER_HDRS_NPOS, nmatch = 0, gone = 0;
  for (size_t i = 0; i < h->count; i++) {
    if (!entry_is(h, i, hash, name, name_len))
      continue;
    if (first == HYPER_HDRS_NPOS)
      first = i;
    nmatch++;
    gone += h->fields[i].name_len + h->fields[i].value_len;
  }
  if ((nmatch == 0 && h->count >= h->max_entries) ||
      !fits_bytes(h, h->total_bytes - gone, name_len, value_len))
    return HYPER_ERR_LIMIT_EXCEEDED;

  uint32_t own;
  size_t nb = copy_plan(h, name, name_len, value_len, flags, &own);
  uint8_t *old;
  int rv = reserve_entries(h, nmatch ? 0 : 1);
  if (rv)
    return rv;
  rv = reserve_bytes(h, nb, &old);
  if (rv)
    return rv;

  if (!nmatch) {
    fill(h, h->count, name, name_len, value, value_len, flags, own, hash);
    h->count++;
  } else {
    /* The new bytes are stored before the old ones are released, so a
     * value taken from a replaced entry is still intact when copied. */
    release(h, first);
    fill(h, first, name, name_len, value, value_len, flags, own, hash);
    size_t w = first + 1;
    for (size_t r = first + 1; r < h->count; r++) {
      if (entry_is(h, r, hash, name, name_len)) {
        release(h, r);
        continue;
      }
      if (w != r) {
        h->fields[w] = h->fields[r];
        h->meta[w] = h->meta[r];
      }
      w++;
    }
    h->count = w;
    tidy(h);
  }
  hyper__mem_free(&h->mem, old);
  return HYPER_OK;
}

size_t hyper_hdrs_remove(hyper_hdrs *h, const void *name, size_t name_len) {
  if (!h || (!name && name_len))
    return 0;
  uint32_t hash = hyper__hdrs_hash(name, name_len);
  size_t w = 0;
  for (size_t r = 0; r < h->count; r++) {
    if (entry_is(h, r, hash, name, name_len)) {
      release(h, r);
      continue;
    }
    if (w != r) {
      h->fields[w] = h->fields[r];
      h->meta[w] = h->meta[r];
    }
    w++;
  }
  size_t removed = h->count - w;
  h->count = w;
  tidy(h);
  return removed;
}

int hyper_hdrs_remove_at(hyper_hdrs *h, size_t index) {
  if (!h || index >= h->count)
    return HYPER_ERR_INVALID_ARGUMENT;
  release(h, index);
  size_t tail = h->count - index - 1;
  if (tail) {
    memmove(&h->fields[index], &h->fields[index + 1],
            tail * sizeof *h->fields);
    memmove(&h->meta[index], &h->meta[index + 1], tail * sizeof *h->meta);
  }
  h->count--;
  tidy(h);
  return HYPER_OK;
}

void hyper_hdrs_clear(hyper_hdrs *h) {
  if (!h)
    return;
  h->count = 0;
  h->total_bytes = 0;
  h->arena_len = 0;
  h->arena_dead = 0;
}

int hyper_hdrs_merge(hyper_hdrs *dst, const hyper_hdrs *src) {
  if (!dst || !src)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (dst == src || src->count == 0)
    return HYPER_OK;
  if (src->count > dst->max_entries - dst->count ||
      src->total_bytes > dst->max_bytes - dst->total_bytes)
    return HYPER_ERR_LIMIT_EXCEEDED;

  /* Everything is copied: src's NO_COPY storage need not outlive dst. */
  uint8_t *old;
  int rv = reserve_entries(dst, src->count);
  if (rv)
    return rv;
  rv = reserve_bytes(dst, src->total_bytes, &old);
  if (rv)
    return rv;
  for (size_t i = 0; i < src->count; i++) {
    const hyper_field *f = &src->fields[i];
    uint32_t own = (f->name_len ? HYPER__HDRS_OWN_NAME : 0u) |
                   (f->value_len ? HYPER__HDRS_OWN_VALUE : 0u);
    /* The hash folds case, so src's is valid whatever dst's mode. */
    fill(dst, dst->count, f->name, f->name_len, f->value, f->value_len,
         f->flags, own, src->meta[i].hash);
    dst->count++;
  }
  hyper__mem_free(&dst->mem, old);
  return HYPER_OK;
}

int hyper_hdrs_add_fields(hyper_hdrs *h, const hyper_field *fields, size_t n,
                          uint32_t flags) {
  if (!h || (!fields && n) || (flags & ~(uint32_t)ADD_FLAGS))
    return HYPER_ERR_INVALID_ARGUMENT;
  /* One pass: arguments (checked on every field first: they win over the
   * limits), limits, and the arena octets needed. */
  size_t used = h->total_bytes, nb = 0;
  int over = n > h->max_entries - h->count;
  /* everything copied as is: the straight path below */
  uint32_t nocopy = flags & (HYPER_HDR_NO_COPY_NAME | HYPER_HDR_NO_COPY_VALUE);
  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    if ((!f->name && f->name_len) || (!f->value && f->value_len) ||
        (f->flags & ~(uint32_t)ADD_FLAGS))
      return HYPER_ERR_INVALID_ARGUMENT;
    nocopy |= f->flags & (HYPER_HDR_NO_COPY_NAME | HYPER_HDR_NO_COPY_VALUE);
    if (over || !fits_bytes(h, used, f->name_len, f->value_len)) {
      over = 1;
      continue;
    }
    used += f->name_len + f->value_len;
    uint32_t own;
    nb += copy_plan(h, f->name, f->name_len, f->value_len, flags | f->flags,
                    &own);
  }
  if (over)
    return HYPER_ERR_LIMIT_EXCEEDED;

  /* |fields| may be (part of) our own array, from hyper_hdrs_fields():
   * remember it as an index, since reserve_entries() may move the array. */
  size_t self = HYPER_HDRS_NPOS;
  uintptr_t fa = (uintptr_t)fields, ha = (uintptr_t)h->fields;
  if (n && h->count && fa >= ha && fa < ha + h->count * sizeof *h->fields)
    self = (fa - ha) / sizeof *h->fields;

  uint8_t *old;
  int rv = reserve_entries(h, n);
  if (rv)
    return rv;
  rv = reserve_bytes(h, nb, &old);
  if (rv)
    return rv;
  if (self != HYPER_HDRS_NPOS)
    fields = h->fields + self; /* entries [self, self + n) stay put */
  if (!nocopy && !h->lowercase_names && nb) {
    /* Every octet is copied unchanged: one pass writing the arena
     * directly (what copy_plan/fill do, without their branches). Sources
     * in our own arena lie below arena_len; the copies go above it. */
    uint8_t *d = h->arena + h->arena_len;
    hyper_field *o = h->fields + h->count;
    hyper__hdrs_meta *m = h->meta + h->count;
    for (size_t i = 0; i < n; i++, o++, m++) {
      const hyper_field *f = &fields[i];
      uint32_t own = 0;
      o->name = empty_bytes;
      o->value = empty_bytes;
      if (f->name_len) {
        memcpy(d, f->name, f->name_len);
        o->name = d;
        d += f->name_len;
        own = HYPER__HDRS_OWN_NAME;
      }
      if (f->value_len) {
        memcpy(d, f->value, f->value_len);
        o->value = d;
        d += f->value_len;
        own |= HYPER__HDRS_OWN_VALUE;
      }
      o->name_len = f->name_len;
      o->value_len = f->value_len;
      o->flags = f->flags & FIELD_FLAGS;
      m->hash = hyper__hdrs_hash(o->name, o->name_len);
      m->bits = own;
    }
    h->arena_len = (size_t)(d - h->arena);
    h->total_bytes = used;
    h->count += n;
    hyper__mem_free(&h->mem, old);
    return HYPER_OK;
  }
  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    uint32_t fl = flags | f->flags, own;
    copy_plan(h, f->name, f->name_len, f->value_len, fl, &own);
    fill(h, h->count, f->name, f->name_len, f->value, f->value_len, fl, own,
         hyper__hdrs_hash(f->name, f->name_len));
    h->count++;
  }
  hyper__mem_free(&h->mem, old);
  return HYPER_OK;
}

int hyper_hdrs_lowercase_names(hyper_hdrs *h) {
  if (!h)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t nb = 0;
  for (size_t i = 0; i < h->count; i++) {
    const hyper_field *f = &h->fields[i];
    if (!(h->meta[i].bits & HYPER__HDRS_OWN_NAME) &&
        has_upper(f->name, f->name_len))
      nb += f->name_len;
  }
  uint8_t *old;
  int rv = reserve_bytes(h, nb, &old);
  if (rv)
    return rv;
  for (size_t i = 0; i < h->count; i++) {
    hyper_field *f = &h->fields[i];
    if (!has_upper(f->name, f->name_len))
      continue;
    if (h->meta[i].bits & HYPER__HDRS_OWN_NAME) {
      /* Our own bytes: recover a writable pointer from the arena. */
      uint8_t *p = h->arena + (size_t)(f->name - h->arena);
      for (size_t k = 0; k < f->name_len; k++)
        p[k] = fold(p[k]);
    } else {
      f->name = store(h, f->name, f->name_len, 1);
      h->meta[i].bits |= HYPER__HDRS_OWN_NAME;
    }
  }
  hyper__mem_free(&h->mem, old);
  return HYPER_OK;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

size_t hyper_hdrs_count(const hyper_hdrs *h) { return h ? h->count : 0; }

size_t hyper_hdrs_total_bytes(const hyper_hdrs *h) {
  return h ? h->total_bytes : 0;
}

size_t hyper_hdrs_find(const hyper_hdrs *h, const void *name, size_t name_len,
                       size_t from) {
  if (!h || (!name && name_len))
    return HYPER_HDRS_NPOS;
  uint32_t hash = hyper__hdrs_hash(name, name_len);
  for (size_t i = from; i < h->count; i++)
    if (entry_is(h, i, hash, name, name_len))
      return i;
  return HYPER_HDRS_NPOS;
}

size_t hyper_hdrs_count_name(const hyper_hdrs *h, const void *name,
                             size_t name_len) {
  if (!h || (!name && name_len))
    return 0;
  uint32_t hash = hyper__hdrs_hash(name, name_len);
  size_t n = 0;
  for (size_t i = 0; i < h->count; i++)
    n += (size_t)entry_is(h, i, hash, name, name_len);
  return n;
}

int hyper_hdrs_contains(const hyper_hdrs *h, const void *name,
                        size_t name_len) {
  return hyper_hdrs_find(h, name, name_len, 0) != HYPER_HDRS_NPOS;
}

int hyper_hdrs_get_first(const hyper_hdrs *h, const void *name,
                         size_t name_len, hyper_slice *value) {
  size_t i = hyper_hdrs_find(h, name, name_len, 0);
  if (i == HYPER_HDRS_NPOS) {
    value->ptr = NULL;
    value->len = 0;
    return 0;
  }
  value->ptr = h->fields[i].value;
  value->len = h->fields[i].value_len;
  return 1;
}

const hyper_field *hyper_hdrs_fields(const hyper_hdrs *h, size_t *n) {
  size_t c = h ? h->count : 0;
  if (n)
    *n = c;
  return c ? h->fields : NULL;
}

int hyper_hdrs_at(const hyper_hdrs *h, size_t index, hyper_field *field) {
  if (!h || !field || index >= h->count)
    return HYPER_ERR_INVALID_ARGUMENT;
  *field = h->fields[index];
  return HYPER_OK;
}

int hyper_hdrs_copy_fields(const hyper_hdrs *h, hyper_field *out, size_t cap,
                           size_t *n) {
  if (!h || !n || (!out && cap))
    return HYPER_ERR_INVALID_ARGUMENT;
  *n = h->count;
  if (h->count > cap)
    return HYPER_ERR_BUFFER_TOO_SMALL;
  if (h->count)
    memcpy(out, h->fields, h->count * sizeof *out);
  return HYPER_OK;
}

/* Finds the next non-empty list element of |v| (|len| octets) at or after
 * |*pos|: commas split only outside quoted-strings and (nested) comments,
 * a backslash escapes the next octet inside either, and each element is
 * trimmed of SP/HTAB. Returns 1 with the element at [|*s|, |*e|) and |*pos|
 * past its comma, or 0 with |*pos| = |len| when none is left. */
static int next_element(const uint8_t *v, size_t len, size_t *pos, size_t *s,
                        size_t *e) {
  size_t p = *pos;
  while (p < len) {
    size_t b = p, depth = 0;
    int quoted = 0;
    while (p < len) {
      uint8_t c = v[p];
      if (quoted || depth) {
        if (c == '\\') {
          p = p + 2 <= len ? p + 2 : len;
          continue;
        }
        if (quoted) {
          if (c == '"')
            quoted = 0;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
      } else if (c == ',') {
        break;
      } else if (c == '"') {
        quoted = 1;
      } else if (c == '(') {
        depth = 1;
      }
      p++;
    }
    size_t end = p;
    if (p < len)
      p++; /* the comma */
    while (b < end && (v[b] == ' ' || v[b] == '\t'))
      b++;
    while (end > b && (v[end - 1] == ' ' || v[end - 1] == '\t'))
      end--;
    if (b < end) {
      *s = b;
      *e = end;
      *pos = p;
      return 1;
    }
  }
  *pos = len;
  return 0;
}

void hyper_hdrs_iter_init(hyper_hdrs_iter *it) {
  it->_index = 0;
  it->_pos = 0;
  it->_hash = 0;
  it->_state = 0;
}

int hyper_hdrs_get_next(const hyper_hdrs *h, const void *name,
                        size_t name_len, uint32_t flags, hyper_hdrs_iter *it,
                        hyper_slice *value) {
  if (!h || !it || !value || (!name && name_len) ||
      (flags & ~(uint32_t)HYPER_HDRS_SPLIT))
    return 0;
  if (!(it->_state & ITER_STARTED)) {
    it->_index = 0;
    it->_pos = 0;
    it->_hash = hyper__hdrs_hash(name, name_len);
    it->_state = ITER_STARTED;
    if (hyper__hdrs_never_split(name, name_len))
      it->_state |= ITER_NOSPLIT;
  }
  int split = (flags & HYPER_HDRS_SPLIT) && !(it->_state & ITER_NOSPLIT);

  while (it->_index < h->count) {
    size_t i = it->_index;
    const hyper_field *f = &h->fields[i];
    if (!(it->_state & ITER_IN_ENTRY)) {
      if (!entry_is(h, i, it->_hash, name, name_len)) {
        it->_index++;
        continue;
      }
      if (!split) {
        value->ptr = f->value;
        value->len = f->value_len;
        it->_index++;
        return 1;
      }
      it->_state |= ITER_IN_ENTRY;
      it->_state &= ~ITER_EMITTED;
      it->_pos = 0;
    }
    size_t s, e;
    if (next_element(f->value, f->value_len, &it->_pos, &s, &e)) {
      it->_state |= ITER_EMITTED;
      value->ptr = f->value + s;
      value->len = e - s;
      return 1;
    }
    int emitted = (it->_state & ITER_EMITTED) != 0;
    it->_state &= ~(ITER_IN_ENTRY | ITER_EMITTED);
    it->_index++;
    it->_pos = 0;
    if (!emitted) { /* nothing but empty elements: one empty value */
      value->ptr = f->value;
      value->len = 0;
      return 1;
    }
  }
  return 0;
}

int hyper_hdrs_get(const hyper_hdrs *h, const void *name, size_t name_len,
                   uint32_t flags, hyper_slice *out, size_t cap, size_t *n) {
  if (!h || !n || (!out && cap) || (!name && name_len) ||
      (flags & ~(uint32_t)HYPER_HDRS_SPLIT))
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
  hyper_slice v;
  size_t k = 0;
  while (hyper_hdrs_get_next(h, name, name_len, flags, &it, &v)) {
    if (k < cap)
      out[k] = v;
    k++;
  }
  *n = k;
  return k > cap ? HYPER_ERR_BUFFER_TOO_SMALL : HYPER_OK;
}

/* ------------------------------------------------------------------------ */
/* Invariants (tests)                                                       */
/* ------------------------------------------------------------------------ */

static int piece_in_arena(const hyper_hdrs *h, const uint8_t *p, size_t n) {
  uintptr_t a = (uintptr_t)h->arena, q = (uintptr_t)p;
  return h->arena && q >= a && q - a <= h->arena_len &&
         n <= h->arena_len - (q - a);
}

static int pieces_overlap(const uint8_t *a, size_t an, const uint8_t *b,
                          size_t bn) {
  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
  return x < y + bn && y < x + an;
}

int hyper__hdrs_check(const hyper_hdrs *h) {
  if (!h)
    return 1;
  if (h->count > h->cap || h->cap > h->max_entries)
    return 2;
  if ((h->cap == 0) != (h->fields == NULL))
    return 3;
  if (h->arena_dead > h->arena_len || h->arena_len > h->arena_cap)
    return 4;
  size_t total = 0, owned = 0;
  for (size_t i = 0; i < h->count; i++) {
    const hyper_field *f = &h->fields[i];
    uint32_t bits = h->meta[i].bits;
    if (!f->name || !f->value)
      return 5;
    if (h->meta[i].hash != hyper__hdrs_hash(f->name, f->name_len))
      return 6;
    if (f->flags & ~(uint32_t)FIELD_FLAGS)
      return 7;
    if (bits & ~(uint32_t)(HYPER__HDRS_OWN_NAME | HYPER__HDRS_OWN_VALUE))
      return 8;
    if (bits & HYPER__HDRS_OWN_NAME) {
      if (!f->name_len || !piece_in_arena(h, f->name, f->name_len))
        return 9;
      owned += f->name_len;
    }
    if (bits & HYPER__HDRS_OWN_VALUE) {
      if (!f->value_len || !piece_in_arena(h, f->value, f->value_len))
        return 10;
      owned += f->value_len;
    }
    if (h->lowercase_names && has_upper(f->name, f->name_len))
      return 11;
    total += f->name_len + f->value_len;
  }
  if (total != h->total_bytes || total > h->max_bytes)
    return 12;
  if (owned != h->arena_len - h->arena_dead)
    return 13;
  /* Owned pieces must not overlap (quadratic: small maps only). */
  if (h->count <= 64) {
    for (size_t i = 0; i < h->count; i++)
      for (size_t j = 0; j < h->count; j++) {
        const hyper_field *a = &h->fields[i], *b = &h->fields[j];
        uint32_t ab = h->meta[i].bits, bb = h->meta[j].bits;
        if (i != j && (ab & HYPER__HDRS_OWN_NAME) &&
            (bb & HYPER__HDRS_OWN_NAME) &&
            pieces_overlap(a->name, a->name_len, b->name, b->name_len))
          return 14;
        if ((ab & HYPER__HDRS_OWN_NAME) && (bb & HYPER__HDRS_OWN_VALUE) &&
            pieces_overlap(a->name, a->name_len, b->value, b->value_len))
          return 14;
        if (i != j && (ab & HYPER__HDRS_OWN_VALUE) &&
            (bb & HYPER__HDRS_OWN_VALUE) &&
            pieces_overlap(a->value, a->value_len, b->value, b->value_len))
          return 14;
      }
  }
  return 0;
}
