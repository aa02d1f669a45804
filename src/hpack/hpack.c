/* HPACK (RFC 7541): the decoder and the encoder. The dynamic table lives in
 * table.c, the Huffman code in huffman.c, the static table in
 * static_table.c. */
#include "hyper/hpack.h"

#include "../common/buf.h"
#include "hints.h"
#include "huffman.h"
#include "static_table.h"
#include "table.h"

/* The largest table size we accept in a configuration or a size update
 * request: keeps every offset in 32 bits with room to spare. */
#define MAX_TABLE_SIZE_LIMIT (1u << 30)

/* ======================================================================== */
/* Integers (RFC 7541 §5.1)                                                 */
/* ======================================================================== */

/* Decodes an integer with an N-bit prefix at *pp. Values above 2^32-1 and
 * more than five continuation octets are rejected. */
static int dec_int_slow(const uint8_t **pp, const uint8_t *end, uint32_t mask,
                        uint32_t *out);

static inline int dec_int(const uint8_t **pp, const uint8_t *end,
                          unsigned prefix, uint32_t *out) {
  uint32_t mask = (1u << prefix) - 1;
  uint32_t v = **pp & mask;
  if (HYPER_LIKELY(v < mask)) {
    *out = v;
    (*pp)++;
    return HYPER_OK;
  }
  return dec_int_slow(pp, end, mask, out);
}

static int dec_int_slow(const uint8_t **pp, const uint8_t *end, uint32_t mask,
                        uint32_t *out) {
  const uint8_t *p = *pp + 1;
  uint64_t acc = mask;
  for (unsigned shift = 0;; shift += 7) {
    if (p == end)
      return HYPER_ERR_HPACK_INTEGER;
    if (shift > 28)
      return HYPER_ERR_HPACK_INTEGER;
    uint8_t b = *p++;
    acc += (uint64_t)(b & 0x7f) << shift;
    if (acc > UINT32_MAX)
      return HYPER_ERR_HPACK_INTEGER;
    if (!(b & 0x80))
      break;
  }
  *out = (uint32_t)acc;
  *pp = p;
  return HYPER_OK;
}

/* Writes |v| with an N-bit prefix; |first| holds the representation's high
 * bits. At most 6 octets for a 32-bit value. */
static inline uint8_t *put_int(uint8_t *p, uint8_t first, unsigned prefix,
                               size_t v) {
  size_t mask = ((size_t)1 << prefix) - 1;
  if (v < mask) {
    *p++ = (uint8_t)(first | v);
    return p;
  }
  *p++ = (uint8_t)(first | mask);
  v -= mask;
  while (v >= 128) {
    *p++ = (uint8_t)(0x80 | (v & 0x7f));
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

/* ======================================================================== */
/* Decoder                                                                  */
/* ======================================================================== */

/* Internal field flags: the name/value pointer holds an arena offset until
 * the block is complete (the arena may move while it grows). */
#define F_NAME_IN_ARENA 0x100u
#define F_VALUE_IN_ARENA 0x200u

#define NO_UPDATE_REQUIRED UINT32_MAX
/* Table storage a decoder starts with (grown when the peer needs more). */
#define INITIAL_STORAGE 4096u

struct hyper_hpack_dec {
  hyper_mem mem;
  hyper_hpack_dec_config cfg;
  hyper__hpack_table table;
  uint32_t required_max; /* a size update <= this must start the next block */
  int failed;
  hyper__buf arena;       /* decoded name/value bytes of the current block */
  hyper_field *fields;
  uint8_t *hints;         /* one per field: see hyper__hpack_dec_name_hints() */
  size_t nfields, fields_cap;
};

void hyper_hpack_dec_config_init(hyper_hpack_dec_config *cfg) {
  cfg->max_table_size = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  cfg->max_header_list_size = HYPER_HPACK_DEFAULT_MAX_HEADER_LIST;
  cfg->max_field_len = HYPER_HPACK_DEFAULT_MAX_FIELD_LEN;
}

static size_t arena_max(const hyper_hpack_dec *d) {
  /* Emitted bytes are bounded by the header list cap; a string decoded only
   * to keep the table in sync is bounded by the table size. */
  size_t fl = HYPER_MAX(d->cfg.max_field_len, (size_t)d->cfg.max_table_size);
  return d->cfg.max_header_list_size + 2 * fl + 64;
}

int hyper_hpack_dec_new(hyper_hpack_dec **out, const hyper_hpack_dec_config *cfg,
                        const hyper_mem *mem) {
  hyper_hpack_dec_config def;
  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!cfg) {
    hyper_hpack_dec_config_init(&def);
    cfg = &def;
  }
  if (cfg->max_table_size > MAX_TABLE_SIZE_LIMIT || !cfg->max_header_list_size ||
      !cfg->max_field_len || cfg->max_header_list_size > SIZE_MAX / 4 ||
      cfg->max_field_len > SIZE_MAX / 8)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_mem m;
  hyper__mem_init(&m, mem);
  hyper_hpack_dec *d = hyper__mem_calloc(&m, 1, sizeof *d);
  if (!d)
    return HYPER_ERR_NOMEM;
  d->mem = m;
  d->cfg = *cfg;
  /* Table storage grows on demand: a peer that never uses a large table
   * never costs a large allocation. */
  /* The table starts at the protocol's initial size (4096, RFC 9113
   * §6.5.2) or our limit if smaller; a larger size takes a size update from
   * the peer's encoder, exactly as hyper_hpack_enc assumes. */
  if (hyper__hpack_table_init(&d->table, &d->mem,
                              HYPER_MIN(cfg->max_table_size, INITIAL_STORAGE),
                              HYPER_MIN(cfg->max_table_size,
                                        HYPER_HPACK_DEFAULT_TABLE_SIZE),
                              0))
    goto fail_table;
  hyper__buf_init(&d->arena, &d->mem, arena_max(d));
  if (hyper__buf_reserve(&d->arena, 256)) /* never NULL from here on */
    goto fail_arena;
  d->required_max = NO_UPDATE_REQUIRED;
  *out = d;
  return HYPER_OK;

fail_arena:
  hyper__hpack_table_cleanup(&d->table);
fail_table:
  hyper__mem_free(&m, d);
  return HYPER_ERR_NOMEM;
}

void hyper_hpack_dec_free(hyper_hpack_dec *d) {
  if (!d)
    return;
  hyper__hpack_table_cleanup(&d->table);
  hyper__buf_cleanup(&d->arena);
  hyper__mem_free(&d->mem, d->fields);
  hyper__mem_free(&d->mem, d->hints);
  hyper__mem_free(&d->mem, d);
}

int hyper_hpack_dec_set_max_table_size(hyper_hpack_dec *d, uint32_t size) {
  if (!d || size > MAX_TABLE_SIZE_LIMIT)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (d->failed)
    return HYPER_ERR_HPACK_FAILED;
  d->cfg.max_table_size = size;
  d->arena.max = arena_max(d);
  /* RFC 7541 §4.2: a reduction must be acknowledged by a size update at the
   * start of the next block. */
  if (size < d->table.max_size && size < d->required_max)
    d->required_max = size;
  return HYPER_OK;
}

void hyper_hpack_dec_set_max_header_list_size(hyper_hpack_dec *d, size_t size) {
  if (!d || !size || size > SIZE_MAX / 4)
    return;
  d->cfg.max_header_list_size = size;
  d->arena.max = arena_max(d);
}

size_t hyper_hpack_dec_table_size(const hyper_hpack_dec *d) {
  return d ? d->table.size : 0;
}

size_t hyper_hpack_dec_table_len(const hyper_hpack_dec *d) {
  return d ? hyper__hpack_table_len(&d->table) : 0;
}

/* Resolves |index| (1-based, static then dynamic) to name/value pointers.
 * |*is_static| is 1 for a static entry, else 0; |*hint| (may be NULL) gets
 * the name hint (hyper__hpack_dec_name_hints()) without the value bit: the
 * index itself for a static entry, the tag stored with a dynamic one. */
static inline int lookup(const hyper__hpack_table *t, size_t index, const uint8_t **name,
                  size_t *nlen, const uint8_t **value, size_t *vlen,
                  int *is_static, uint8_t *hint) {
  if (index == 0)
    return HYPER_ERR_HPACK_INDEX;
  if (index <= HYPER__HPACK_STATIC_LEN) {
    const hyper__hpack_static_entry *e = &hyper__hpack_static[index - 1];
    *name = (const uint8_t *)e->name;
    *nlen = e->name_len;
    *value = (const uint8_t *)e->value;
    *vlen = e->value_len;
    *is_static = 1;
    if (hint)
      *hint = (uint8_t)index;
    return HYPER_OK;
  }
  index -= HYPER__HPACK_STATIC_LEN;
  if (index > hyper__hpack_table_len(t))
    return HYPER_ERR_HPACK_INDEX;
  const hyper__hpack_entry *e = hyper__hpack_table_at(t, index);
  *name = t->bytes + e->off;
  *nlen = e->name_len;
  *value = *name + e->name_len;
  *vlen = e->value_len;
  *is_static = 0;
  if (hint)
    *hint = (uint8_t)e->hash; /* the decoder's tag, see dec_literal() */
  return HYPER_OK;
}

int hyper_hpack_dec_table_get(const hyper_hpack_dec *d, size_t index,
                              hyper_field *out) {
  if (!d || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  int st;
  int rv = lookup(&d->table, index, &out->name, &out->name_len, &out->value,
                  &out->value_len, &st, NULL);
  out->flags = 0;
  return rv;
}

/* The state of one decode call. */
typedef struct block {
  hyper_hpack_dec *d;
  const uint8_t *p, *end;
  size_t list_size;  /* RFC 9113 §6.5.2 size of the fields emitted so far */
  int overflow;      /* pending non-sticky limit error, 0 if none */
} block;

/* Outcome of reading a string: stored in the arena, or skipped because it
 * exceeded the cap it was read with. */
typedef struct str {
  size_t off, len;
  int skipped;
} str;

/* Reads one string literal (RFC 7541 §5.2) into the arena. A raw string
 * longer than |cap| is skipped (s->skipped = 1, s->len exact); a Huffman
 * string is decoded up to max(cap, max_field_len + 1) octets and skipped
 * beyond that (s->len is then more than max_field_len). The caller discards
 * what it cannot keep by truncating the arena. */
static int read_string(block *b, size_t cap, str *s) {
  if (b->p == b->end)
    return HYPER_ERR_HPACK_INTEGER;
  int huff = (*b->p & 0x80) != 0;
  uint32_t n;
  int rv = dec_int(&b->p, b->end, 7, &n);
  if (rv)
    return rv;
  if (n > (size_t)(b->end - b->p))
    return HYPER_ERR_HPACK_TRUNCATED;
  hyper__buf *a = &b->d->arena;
  s->off = a->len;
  s->skipped = 0;
  if (!huff) {
    if (n > cap) {
      s->skipped = 1;
      s->len = n;
    } else {
      if ((rv = hyper__buf_append(a, b->p, n)))
        return rv == HYPER_ERR_LIMIT_EXCEEDED ? HYPER_ERR_INTERNAL : rv;
      s->len = n;
    }
    b->p += n;
    return HYPER_OK;
  }
  /* The shortest code is 5 bits, so n octets decode to at most 8n/5. Even
   * a string that cannot be kept is decoded up to the field length limit:
   * that validates it (a bad string is a compression error whatever the
   * limits say) and tells which limit it broke, as for raw strings. */
  size_t most = (size_t)n * 8 / 5;
  size_t room = HYPER_MIN(most, HYPER_MAX(cap, b->d->cfg.max_field_len + 1));
  if ((rv = hyper__buf_reserve(a, room)))
    return rv == HYPER_ERR_LIMIT_EXCEEDED ? HYPER_ERR_INTERNAL : rv;
  size_t out;
  rv = hyper__huff_decode(b->p, n, a->data + a->len, room, &out);
  if (rv == HYPER_ERR_BUFFER_TOO_SMALL) {
    s->skipped = 1;
    s->len = room + 1;
  } else if (rv) {
    return rv;
  } else {
    a->len += out;
    s->len = out;
  }
  b->p += n;
  return HYPER_OK;
}

/* Bytes a name or value of the next field may take before a limit trips. */
static size_t emit_cap(const block *b, size_t used) {
  size_t max = b->d->cfg.max_header_list_size;
  size_t left = b->list_size + 32 + used < max ? max - b->list_size - 32 - used : 0;
  return HYPER_MIN(left, b->d->cfg.max_field_len);
}

/* Whether a field with these lengths may still be emitted. */
static int fits(const block *b, size_t nl, size_t vl) {
  const hyper_hpack_dec_config *c = &b->d->cfg;
  return nl <= c->max_field_len && vl <= c->max_field_len &&
         b->list_size + 32 + nl + vl <= c->max_header_list_size;
}

/* Records which limit a skipped or too-large field tripped. */
static void set_overflow(block *b, size_t len) {
  if (!b->overflow)
    b->overflow = len > b->d->cfg.max_field_len ? HYPER_ERR_HPACK_FIELD_TOO_LONG
                                                 : HYPER_ERR_HPACK_HEADER_LIST;
}

static int grow_fields(hyper_hpack_dec *d) {
  size_t ncap = d->fields_cap ? d->fields_cap * 2 : 16;
  hyper_field *f = hyper__mem_realloc(&d->mem, d->fields, ncap * sizeof *f);
  if (!f)
    return HYPER_ERR_NOMEM;
  d->fields = f; /* both arrays keep at least fields_cap entries */
  uint8_t *h = hyper__mem_realloc(&d->mem, d->hints, ncap);
  if (!h)
    return HYPER_ERR_NOMEM;
  d->hints = h;
  d->fields_cap = ncap;
  return HYPER_OK;
}

static inline int push_field(block *b, const uint8_t *name, size_t nlen,
                             const uint8_t *value, size_t vlen, uint32_t flags,
                             uint8_t hint) {
  hyper_hpack_dec *d = b->d;
  if (HYPER_UNLIKELY(d->nfields == d->fields_cap)) {
    int rv = grow_fields(d);
    if (rv)
      return rv;
  }
  d->hints[d->nfields] = hint;
  hyper_field *f = &d->fields[d->nfields++];
  f->name = name;
  f->name_len = nlen;
  f->value = value;
  f->value_len = vlen;
  f->flags = flags;
  b->list_size += nlen + vlen + 32;
  return HYPER_OK;
}

/* Pointer stand-in for an arena offset (fixed up when the block ends). */
static inline const uint8_t *off_ptr(size_t off) {
  return (const uint8_t *)(uintptr_t)off;
}

/* Indexed field representation (RFC 7541 §6.1). */
static int dec_indexed(block *b) {
  uint32_t idx;
  int rv = dec_int(&b->p, b->end, 7, &idx);
  if (rv)
    return rv;
  const uint8_t *n, *v;
  size_t nl, vl;
  int st;
  uint8_t hint;
  if ((rv = lookup(&b->d->table, idx, &n, &nl, &v, &vl, &st, &hint)))
    return rv;
  if (b->overflow)
    return HYPER_OK;
  if (!fits(b, nl, vl)) {
    set_overflow(b, HYPER_MAX(nl, vl));
    return HYPER_OK;
  }
  if (st)
    return push_field(b, n, nl, v, vl, 0, (uint8_t)(hint | HYPER__HPACK_HINT_STATIC_VALUE));
  /* Dynamic entries may be evicted later in this block: copy them. */
  hyper__buf *a = &b->d->arena;
  size_t off = a->len;
  if ((rv = hyper__buf_append(a, n, nl + vl)))
    return rv == HYPER_ERR_LIMIT_EXCEEDED ? HYPER_ERR_INTERNAL : rv;
  return push_field(b, off_ptr(off), nl, off_ptr(off + nl), vl,
                    F_NAME_IN_ARENA | F_VALUE_IN_ARENA, hint);
}

/* Literal field representations (RFC 7541 §6.2): |prefix| is 6 for
 * incremental indexing, 4 otherwise. */
static int dec_literal(block *b, unsigned prefix, int indexing, uint32_t flags) {
  hyper_hpack_dec *d = b->d;
  hyper__buf *a = &d->arena;
  size_t mark = a->len;
  uint32_t idx;
  int rv = dec_int(&b->p, b->end, prefix, &idx);
  if (rv)
    return rv;
  /* Strings that only feed the table are read up to the table size. */
  size_t tmax = indexing ? d->table.max_size : 0;
  const uint8_t *sname = NULL; /* static name, not copied */
  uint8_t hint = 0;            /* 0 for a literal name */
  str name = {0, 0, 0}, value;
  if (idx) {
    const uint8_t *n, *v;
    size_t vl;
    int st;
    if ((rv = lookup(&d->table, idx, &n, &name.len, &v, &vl, &st, &hint)))
      return rv;
    if (st) {
      sname = n;
    } else {
      /* Copy now: inserting this field may evict the entry named. */
      name.off = a->len;
      if ((rv = hyper__buf_append(a, n, name.len)))
        return rv == HYPER_ERR_LIMIT_EXCEEDED ? HYPER_ERR_INTERNAL : rv;
    }
  } else {
    size_t cap = b->overflow ? 0 : emit_cap(b, 0);
    if ((rv = read_string(b, HYPER_MAX(cap, tmax), &name)))
      return rv;
  }
  size_t cap = b->overflow ? 0 : emit_cap(b, name.len);
  if ((rv = read_string(b, HYPER_MAX(cap, tmax), &value)))
    return rv;

  int too_big = name.skipped || value.skipped;
  if (indexing && !too_big &&
      (rv = hyper__hpack_table_ensure(
           &d->table, hyper__hpack_entry_size(name.len, value.len))))
    return rv;
  if (indexing) {
    if (too_big) {
      /* Larger than the table: inserting it just empties the table. */
      hyper__hpack_table_insert(&d->table, NULL, d->table.max_size + 1, NULL,
                                0, 0, 0);
    } else {
      const uint8_t *np = sname ? sname : a->data + name.off;
      /* The decoder's table is not indexed by hash: its hash field keeps
       * the entry's name hint, handed on to every field that uses it. */
      hyper__hpack_table_insert(&d->table, np, name.len, a->data + value.off,
                                value.len, hint, 0);
    }
  }
  if (!b->overflow && (too_big || !fits(b, name.len, value.len)))
    set_overflow(b, HYPER_MAX(name.len, value.len));
  if (b->overflow) {
    a->len = mark; /* nothing of this field is kept */
    return HYPER_OK;
  }
  return push_field(b, sname ? sname : off_ptr(name.off), name.len,
                    off_ptr(value.off), value.len,
                    flags | (sname ? 0 : F_NAME_IN_ARENA) | F_VALUE_IN_ARENA,
                    hint);
}

/* Dynamic table size updates (RFC 7541 §6.3): only at the start of a block,
 * at most two (the RFC allows the "smallest, then final" pair). */
static int dec_size_updates(block *b) {
  hyper_hpack_dec *d = b->d;
  unsigned count = 0;
  uint32_t smallest = UINT32_MAX;
  while (b->p < b->end && (*b->p & 0xe0) == 0x20) {
    if (++count > 2)
      return HYPER_ERR_HPACK_TABLE_SIZE;
    uint32_t v;
    int rv = dec_int(&b->p, b->end, 5, &v);
    if (rv)
      return rv;
    if (v > d->cfg.max_table_size)
      return HYPER_ERR_HPACK_TABLE_SIZE;
    hyper__hpack_table_set_max(&d->table, v);
    smallest = HYPER_MIN(smallest, v);
  }
  if (d->required_max != NO_UPDATE_REQUIRED) {
    if (smallest > d->required_max)
      return HYPER_ERR_HPACK_SIZE_UPDATE_MISSING;
    d->required_max = NO_UPDATE_REQUIRED;
  }
  return HYPER_OK;
}

static int dec_block(block *b) {
  int rv = dec_size_updates(b);
  if (rv)
    return rv;
  while (b->p < b->end) {
    uint8_t c = *b->p;
    if (c & 0x80)
      rv = dec_indexed(b);
    else if (c & 0x40)
      rv = dec_literal(b, 6, 1, 0);
    else if (c & 0x20)
      rv = HYPER_ERR_HPACK_TABLE_SIZE; /* size update after a field */
    else if (c & 0x10)
      rv = dec_literal(b, 4, 0, HYPER_FIELD_SENSITIVE);
    else
      rv = dec_literal(b, 4, 0, 0);
    if (rv)
      return rv;
  }
  return HYPER_OK;
}

int hyper_hpack_dec_decode(hyper_hpack_dec *d, const uint8_t *in, size_t len,
                           const hyper_field **fields, size_t *nfields) {
  if (!d || !fields || !nfields || (!in && len))
    return HYPER_ERR_INVALID_ARGUMENT;
  *fields = NULL;
  *nfields = 0;
  if (d->failed)
    return HYPER_ERR_HPACK_FAILED;
  hyper__buf_reset(&d->arena);
  d->nfields = 0;
  block b = {d, in, in ? in + len : in, 0, 0};
  int rv = dec_block(&b);
  if (rv) {
    d->failed = 1;
    d->nfields = 0;
    return rv;
  }
  if (b.overflow) {
    d->nfields = 0;
    return b.overflow;
  }
  /* Turn arena offsets into pointers now that the arena has stopped moving. */
  const uint8_t *base = d->arena.data;
  for (size_t i = 0; i < d->nfields; i++) {
    hyper_field *f = &d->fields[i];
    if (f->flags & F_NAME_IN_ARENA)
      f->name = base + (uintptr_t)f->name;
    if (f->flags & F_VALUE_IN_ARENA)
      f->value = base + (uintptr_t)f->value;
    f->flags &= ~(F_NAME_IN_ARENA | F_VALUE_IN_ARENA);
  }
  *fields = d->fields;
  *nfields = d->nfields;
  return HYPER_OK;
}

const uint8_t *hyper__hpack_dec_name_hints(const hyper_hpack_dec *d) {
  return d ? d->hints : NULL;
}

/* ======================================================================== */
/* Encoder                                                                  */
/* ======================================================================== */

struct hyper_hpack_enc {
  hyper_mem mem;
  hyper_hpack_enc_config cfg;
  hyper__hpack_table table;
  size_t cur;      /* the maximum the peer's decoder currently applies */
  size_t low;      /* smallest maximum since the last block */
  size_t target;   /* the maximum to use from the next block on */
};

void hyper_hpack_enc_config_init(hyper_hpack_enc_config *cfg) {
  cfg->max_table_size = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  cfg->huffman = HYPER_HPACK_HUFFMAN_AUTO;
  cfg->cookie_never_index_below = 20;
}

int hyper_hpack_enc_new(hyper_hpack_enc **out, const hyper_hpack_enc_config *cfg,
                        const hyper_mem *mem) {
  hyper_hpack_enc_config def;
  if (!out)
    return HYPER_ERR_INVALID_ARGUMENT;
  if (!cfg) {
    hyper_hpack_enc_config_init(&def);
    cfg = &def;
  }
  if (cfg->max_table_size > MAX_TABLE_SIZE_LIMIT ||
      (unsigned)cfg->huffman > HYPER_HPACK_HUFFMAN_ALWAYS)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper_mem m;
  hyper__mem_init(&m, mem);
  hyper_hpack_enc *e = hyper__mem_calloc(&m, 1, sizeof *e);
  if (!e)
    return HYPER_ERR_NOMEM;
  e->mem = m;
  e->cfg = *cfg;
  /* The peer's decoder starts at the RFC default of 4096 (RFC 9113 §6.5.2). */
  e->cur = HYPER_HPACK_DEFAULT_TABLE_SIZE;
  e->target = e->low = HYPER_MIN(e->cur, (size_t)cfg->max_table_size);
  if (hyper__hpack_table_init(&e->table, &e->mem, cfg->max_table_size,
                              e->target, 1)) {
    hyper__mem_free(&m, e);
    return HYPER_ERR_NOMEM;
  }
  *out = e;
  return HYPER_OK;
}

void hyper_hpack_enc_free(hyper_hpack_enc *e) {
  if (!e)
    return;
  hyper__hpack_table_cleanup(&e->table);
  hyper__mem_free(&e->mem, e);
}

void hyper_hpack_enc_set_peer_table_size(hyper_hpack_enc *e, uint32_t size) {
  if (!e)
    return;
  e->target = HYPER_MIN((size_t)size, (size_t)e->cfg.max_table_size);
  e->low = HYPER_MIN(e->low, e->target);
}

size_t hyper_hpack_enc_table_size(const hyper_hpack_enc *e) {
  return e ? e->table.size : 0;
}

size_t hyper_hpack_enc_table_len(const hyper_hpack_enc *e) {
  return e ? hyper__hpack_table_len(&e->table) : 0;
}

/* The worst case for a block: per string a 6-octet length plus the bytes
 * (Huffman can take up to 30 bits per octet when forced), 6 more per field
 * and 12 for two size updates; one pass over the lengths. */
static size_t fields_bound(const hyper_hpack_enc *e, const hyper_field *f,
                           size_t n) {
  size_t raw = 0;
  for (size_t i = 0; i < n; i++)
    raw += f[i].name_len + f[i].value_len;
  return 12 + 18 * n +
         (e->cfg.huffman == HYPER_HPACK_HUFFMAN_ALWAYS ? raw * 4 : raw);
}

size_t hyper_hpack_enc_bound(const hyper_hpack_enc *e, const hyper_field *f,
                             size_t n) {
  if (!e)
    return 0;
  return fields_bound(e, f, n);
}

/* Writes a string literal, Huffman-coded when the policy says so. */
static uint8_t *put_string(const hyper_hpack_enc *e, uint8_t *p,
                           const uint8_t *s, size_t len) {
  if (e->cfg.huffman != HYPER_HPACK_HUFFMAN_NEVER && len) {
    size_t hlen = hyper__huff_encoded_len(s, len);
    if (hlen < len || e->cfg.huffman == HYPER_HPACK_HUFFMAN_ALWAYS) {
      p = put_int(p, 0x80, 7, hlen);
      return p + hyper__huff_encode(s, len, p);
    }
  }
  p = put_int(p, 0, 7, len);
  if (len)
    memcpy(p, s, len);
  return p + len;
}

/* Static indices of names that are never worth a table slot: their values
 * rarely repeat, and indexing them evicts entries that do. Measured on the
 * hpack-test-case corpus (bench/hpack prints the ratio): leaving out :path,
 * age, content-length and etag pays; unlike nghttp2 we do index location,
 * if-modified-since and if-none-match (0.3076 vs 0.3087 compressed/raw).
 * set-cookie stays out of the table: it is per-client state that a shared
 * connection (a proxy) should not keep around. */
static int never_worth_indexing(unsigned sidx) {
  switch (sidx) {
  case 4:  /* :path */
  case 21: /* age */
  case 28: /* content-length */
  case 34: /* etag */
  case 55: /* set-cookie */
    return 1;
  default:
    return 0;
  }
}

static int is_sensitive(const hyper_hpack_enc *e, const hyper_field *f,
                        unsigned sidx) {
  if (f->flags & HYPER_FIELD_SENSITIVE)
    return 1;
  switch (sidx) {
  case 23: /* authorization */
  case 49: /* proxy-authorization */
    return 1;
  case 32: /* cookie: short values can be guessed (RFC 7541 §7.1.3) */
    return f->value_len < e->cfg.cookie_never_index_below;
  default:
    return 0;
  }
}

/* The first static index of each distinct static-table name, at slot
 * NAME_SLOT(name): a perfect hash of the length and the first and last
 * octets over those 52 names (coefficients found by search; the table is
 * checked entry by entry against the static table by
 * test_hpack_static_name_slots). A name is a static name only if it then
 * equals that entry's name. */
#define NAME_SLOT(n, len)                                                      \
  ((15u * (unsigned)(len) + 14u * (n)[0] + 39u * (n)[(len) - 1]) & 127u)
static const uint8_t static_name_slot[128] = {
    0,  31, 54, 51, 0,  0,  0,  0,  57, 0,  0,  26, 35, 0,  39, 0,
    30, 48, 17, 0,  28, 0,  18, 33, 38, 42, 8,  0,  29, 0,  0,  59,
    40, 24, 46, 0,  0,  20, 0,  32, 58, 0,  0,  0,  0,  0,  0,  47,
    56, 1,  0,  0,  0,  0,  0,  0,  0,  0,  22, 0,  0,  27, 43, 53,
    0,  0,  0,  55, 0,  0,  0,  0,  0,  25, 0,  0,  15, 0,  0,  4,
    0,  2,  0,  23, 19, 61, 0,  0,  0,  41, 0,  0,  0,  0,  21, 0,
    16, 0,  0,  0,  0,  0,  0,  44, 60, 0,  50, 37, 0,  0,  0,  0,
    0,  45, 0,  34, 36, 0,  0,  0,  6,  0,  0,  0,  0,  52, 0,  49,
};

unsigned hyper__hpack_static_name_index(const uint8_t *name, size_t len) {
  if (len == 0)
    return 0;
  unsigned c = static_name_slot[NAME_SLOT(name, len)];
  if (!c)
    return 0;
  const hyper__hpack_static_entry *e = &hyper__hpack_static[c - 1];
  return e->name_len == len && hyper__bytes_eq((const uint8_t *)e->name, name, len)
             ? c
             : 0;
}

/* The encoder-state-free part of encoding a field: its name hash and static
 * table matches (see hints.h); what hyper__hpack_static_find() finds, with
 * the name located by its slot and the hash of a static name taken from
 * the table instead of computed. */
static void lookup_field(const hyper_field *f, hyper__hpack_pre *pre) {
  size_t len = f->name_len;
  unsigned idx = hyper__hpack_static_name_index(f->name, len);
  pre->sidx = (uint8_t)idx;
  pre->sfull = 0;
  if (!idx) {
    pre->hash = hyper__hpack_hash(f->name, len);
    return;
  }
  pre->hash = hyper__hpack_static_hash[idx - 1];
  /* Same-name entries are consecutive (the compiler pools equal literals,
   * so the pointer test settles most of the run); values may match,
   * including the empty value of most entries. */
  const hyper__hpack_static_entry *e = &hyper__hpack_static[idx - 1];
  for (unsigned j = idx; j <= HYPER__HPACK_STATIC_LEN; j++) {
    const hyper__hpack_static_entry *v = &hyper__hpack_static[j - 1];
    if (j != idx && v->name != e->name &&
        (v->name_len != len ||
         !hyper__bytes_eq((const uint8_t *)v->name, (const uint8_t *)e->name, len)))
      break;
    if (v->value_len == f->value_len &&
        hyper__bytes_eq((const uint8_t *)v->value, f->value, f->value_len)) {
      pre->sfull = (uint8_t)j;
      break;
    }
  }
}

int hyper__hpack_enc_lookup(const hyper_field *fields, size_t n,
                            hyper__hpack_pre *pre, uint8_t *hints) {
  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    if ((!f->name && f->name_len) || (!f->value && f->value_len))
      return HYPER_ERR_INVALID_ARGUMENT;
    lookup_field(f, &pre[i]);
    /* A static name matched octet for octet is a valid lowercase name; a
     * full match makes the value a static table value. */
    hints[i] = (uint8_t)(pre[i].sidx |
                         (pre[i].sfull ? HYPER__HPACK_HINT_STATIC_VALUE : 0));
  }
  return HYPER_OK;
}

static uint8_t *encode_field(hyper_hpack_enc *e, uint8_t *p, const hyper_field *f,
                             const hyper__hpack_pre *pre) {
  uint32_t hash = pre->hash;
  unsigned sfull = pre->sfull;
  unsigned sidx = pre->sidx;
  int sensitive = is_sensitive(e, f, sidx);
  if (sfull && !sensitive)
    return put_int(p, 0x80, 7, sfull);

  const hyper__hpack_table *t = &e->table;
  int have_entries = hyper__hpack_table_len(t) != 0;
  int worthless = never_worth_indexing(sidx); /* so never in the table */
  uint32_t nvhash = 0;
  int have_nvhash = 0;
  if (have_entries && !sensitive && !worthless) {
    nvhash = hyper__hpack_nvhash(hash, f->value, f->value_len);
    have_nvhash = 1;
    size_t dfull = hyper__hpack_table_find(t, f->name, f->name_len, f->value,
                                           f->value_len, nvhash);
    if (dfull)
      return put_int(p, 0x80, 7, dfull + HYPER__HPACK_STATIC_LEN);
  }
  size_t name_idx = sidx;
  if (!name_idx && have_entries) {
    size_t dname = hyper__hpack_table_find_name(t, f->name, f->name_len, hash);
    if (dname)
      name_idx = dname + HYPER__HPACK_STATIC_LEN;
  }

  uint8_t first;
  unsigned prefix;
  int indexing = 0;
  if (sensitive) {
    first = 0x10; /* literal never indexed */
    prefix = 4;
  } else if (!worthless && !(f->flags & HYPER_FIELD_NO_INDEX) &&
             hyper__hpack_entry_size(f->name_len, f->value_len) <=
                 t->max_size * 3 / 4) {
    first = 0x40; /* literal with incremental indexing */
    prefix = 6;
    indexing = 1;
  } else {
    first = 0x00; /* literal without indexing */
    prefix = 4;
  }
  if (name_idx) {
    p = put_int(p, first, prefix, name_idx);
  } else {
    *p++ = first;
    p = put_string(e, p, f->name, f->name_len);
  }
  p = put_string(e, p, f->value, f->value_len);
  if (indexing) {
    if (!have_nvhash)
      nvhash = hyper__hpack_nvhash(hash, f->value, f->value_len);
    hyper__hpack_table_insert(&e->table, f->name, f->name_len, f->value,
                              f->value_len, hash, nvhash);
  }
  return p;
}

int hyper_hpack_enc_encode(hyper_hpack_enc *e, const hyper_field *fields,
                           size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  return hyper__hpack_enc_encode_pre(e, fields, NULL, n, out, cap, out_len);
}

int hyper__hpack_enc_encode_pre(hyper_hpack_enc *e, const hyper_field *fields,
                                const hyper__hpack_pre *pre, size_t n,
                                uint8_t *out, size_t cap, size_t *out_len) {
  if (!e || !out_len || (!fields && n) || (!out && cap))
    return HYPER_ERR_INVALID_ARGUMENT;
  /* One pass: every string is present or empty, and none is so long that
   * the sums below could wrap. */
  size_t raw = 0;
  unsigned bad = 0;
  for (size_t i = 0; i < n; i++) {
    const hyper_field *f = &fields[i];
    bad |= (unsigned)(!f->name & (f->name_len != 0)) |
           (unsigned)(!f->value & (f->value_len != 0)) |
           (unsigned)((f->name_len | f->value_len) > ((size_t)1 << 31));
    raw += f->name_len + f->value_len;
  }
  if (bad)
    return HYPER_ERR_INVALID_ARGUMENT;
  size_t bound = 12 + 18 * n +
                 (e->cfg.huffman == HYPER_HPACK_HUFFMAN_ALWAYS ? raw * 4 : raw);
  if (cap < bound)
    return HYPER_ERR_BUFFER_TOO_SMALL;

  uint8_t *p = out;
  /* RFC 7541 §4.2: signal the smallest size reached since the last block,
   * then the final one. */
  if (e->low != e->cur || e->target != e->cur) {
    if (e->low < e->target && e->low < e->cur) {
      p = put_int(p, 0x20, 5, e->low);
      hyper__hpack_table_set_max(&e->table, e->low);
    }
    p = put_int(p, 0x20, 5, e->target);
    hyper__hpack_table_set_max(&e->table, e->target);
    e->cur = e->low = e->target;
  }
  for (size_t i = 0; i < n; i++) {
    hyper__hpack_pre own;
    const hyper__hpack_pre *fp = pre ? &pre[i] : &own;
    if (!pre)
      lookup_field(&fields[i], &own);
    p = encode_field(e, p, &fields[i], fp);
  }
  *out_len = (size_t)(p - out);
  return HYPER_OK;
}
