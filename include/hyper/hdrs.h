/*
 * hyper — the header map (hyper_hdrs): an ordered multimap of HTTP header
 * fields, shared by the HTTP/1.1 layer, the HTTP/2 client and the CLI. It has
 * the semantics of Python hyper's HTTPHeaderMap:
 *
 *   - entries are (name, value) byte strings kept in insertion order;
 *     duplicate names are kept, each as its own entry;
 *   - names are stored exactly as given (unless the map was created with
 *     |lowercase_names|) and compared ASCII case-insensitively;
 *   - values are octets: the map accepts any byte (validation per protocol
 *     is the HTTP layers' job);
 *   - a lookup returns every value of a name in order, optionally split at
 *     top-level commas ("canonical form"; see HYPER_HDRS_SPLIT);
 *   - raw iteration returns the entries exactly as added.
 *
 * Typical use:
 *
 *   hyper_hdrs *h;
 *   hyper_hdrs_new(&h, NULL, NULL);
 *   hyper_hdrs_add(h, HYPER_HDRS_LIT("Accept-Encoding"),
 *                  HYPER_HDRS_LIT("gzip, br"), 0);
 *   hyper_hdrs_iter it = HYPER_HDRS_ITER_INIT;
 *   hyper_slice v;
 *   while (hyper_hdrs_get_next(h, HYPER_HDRS_LIT("accept-encoding"),
 *                              HYPER_HDRS_SPLIT, &it, &v))
 *     ...;                                    (v = "gzip", then "br")
 *   for (size_t i = 0; i < hyper_hdrs_count(h); i++)
 *     ...hyper_hdrs_fields(h, NULL)[i]...     (raw, in order)
 *   hyper_hdrs_free(h);
 *
 * Every growing operation is all-or-nothing: on HYPER_ERR_LIMIT_EXCEEDED or
 * HYPER_ERR_NOMEM the map is exactly as it was before the call.
 *
 * Cost: adding is amortised O(1) (one copy of the bytes); lookups, removal
 * and replacement are one linear pass that compares a 32-bit hash of the
 * case-folded name before touching the bytes (well under 1 ns per entry
 * skipped; ~20 ns to find the last of 20 typical response headers).
 *
 * Thread safety: none inside. Functions taking a `const hyper_hdrs *` may
 * run concurrently with each other, not with a call that modifies the map.
 */
#ifndef HYPER_HDRS_H
#define HYPER_HDRS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default cap on the number of entries in one map. */
#define HYPER_HDRS_DEFAULT_MAX_ENTRIES 1000u
/** Default cap on the total size of a map: the sum over all entries of
 *  name length + value length, in octets (256 KiB). */
#define HYPER_HDRS_DEFAULT_MAX_BYTES (256u * 1024u)
/** Largest accepted |max_entries|. */
#define HYPER_HDRS_MAX_ENTRIES_LIMIT (1u << 24)

/* Flags for hyper_hdrs_add(), hyper_hdrs_set() and hyper_hdrs_add_fields().
 * HYPER_FIELD_SENSITIVE and HYPER_FIELD_NO_INDEX (common.h) may be combined
 * with these: they are stored with the entry and handed back in
 * hyper_field.flags, for the HPACK encoder. */

/** Do not copy the name: the map keeps the caller's pointer, so the bytes
 *  must stay valid and unchanged until the entry is removed, the map is
 *  cleared or freed. They must not point into a hyper_hdrs's own storage.
 *  Ignored (the name is copied) when the map lowercases names and this name
 *  holds an upper-case letter. */
#define HYPER_HDR_NO_COPY_NAME 0x100u
/** Do not copy the value; same contract as HYPER_HDR_NO_COPY_NAME. */
#define HYPER_HDR_NO_COPY_VALUE 0x200u

/* Flags for the lookups hyper_hdrs_get_next() and hyper_hdrs_get(). */

/**
 * Split each value into its comma-separated elements ("canonical form", as
 * Python hyper's `headers[name]`). The rules:
 *   - a comma splits only at top level: never inside a quoted-string
 *     ("a, b" with backslash escapes) nor inside a comment ((a, b), which
 *     nests); an unterminated quote or comment runs to the end of the value;
 *   - each element is trimmed of surrounding spaces and horizontal tabs;
 *   - empty elements (",," or a trailing ",") are skipped, as RFC 9110
 *     §5.6.1 tells recipients to do; an entry whose value has no non-empty
 *     element yields exactly one empty value, so presence stays visible;
 *   - fields whose value is not a comma-separated list are never split and
 *     come back whole (untrimmed): set-cookie and set-cookie2 (as in
 *     hyper), cookie, the HTTP-date fields date, expires, last-modified,
 *     if-modified-since, if-unmodified-since, if-range and retry-after
 *     (their dates contain a comma), the URI fields location,
 *     content-location and referer, and the credential/challenge fields
 *     authorization, proxy-authorization, www-authenticate and
 *     proxy-authenticate (whose parameters are comma-separated).
 * Without this flag every entry yields its value exactly as stored.
 */
#define HYPER_HDRS_SPLIT 0x1u

/** hyper_hdrs_find() result when there is no (further) match. */
#define HYPER_HDRS_NPOS ((size_t)-1)

/** Expands a string literal to the (pointer, length) argument pair used by
 *  the functions below: hyper_hdrs_contains(h, HYPER_HDRS_LIT("host")). */
#define HYPER_HDRS_LIT(s) (s), (sizeof(s) - 1)

/** The header map (opaque). */
typedef struct hyper_hdrs hyper_hdrs;

/** Map settings. Initialise with hyper_hdrs_config_init(). */
typedef struct hyper_hdrs_config {
  /** Hard cap on the number of entries, 1..HYPER_HDRS_MAX_ENTRIES_LIMIT.
   *  Default HYPER_HDRS_DEFAULT_MAX_ENTRIES (1000). */
  size_t max_entries;
  /** Hard cap on the sum of name and value lengths over all entries,
   *  1..SIZE_MAX/4. Default HYPER_HDRS_DEFAULT_MAX_BYTES (256 KiB). */
  size_t max_bytes;
  /** Nonzero: store every name ASCII-lowercased, as HTTP/2 requires
   *  (RFC 9113 §8.2.1), so hyper_hdrs_fields() can go straight to the HTTP/2
   *  submit calls. Zero (default): names are stored as given. Lookups are
   *  case-insensitive either way. */
  int lowercase_names;
} hyper_hdrs_config;

/** Fills |cfg| with the defaults above. |cfg| must not be NULL. */
HYPER_EXTERN void hyper_hdrs_config_init(hyper_hdrs_config *cfg);

/**
 * Creates an empty map in |*out|. |cfg| may be NULL for the defaults and is
 * copied; |mem| may be NULL for the C library allocator and is copied by
 * value. Only the map object itself is allocated here; storage for entries
 * and bytes is allocated as they arrive and reused after removals.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |out| is NULL, or a limit is 0 or above the
 *                               documented maximum.
 *   HYPER_ERR_NOMEM             allocation failed; |*out| is untouched.
 */
HYPER_EXTERN int hyper_hdrs_new(hyper_hdrs **out, const hyper_hdrs_config *cfg,
                                const hyper_mem *mem);

/** Frees |h| and every byte it copied. NULL is a no-op. Storage passed with
 *  the NO_COPY flags belongs to the caller and is not touched. */
HYPER_EXTERN void hyper_hdrs_free(hyper_hdrs *h);

/**
 * Appends the entry (|name|, |value|): |name_len| and |value_len| octets,
 * which need not be NUL-terminated and may hold any byte. A pointer may be
 * NULL only when its length is 0. |flags| is a combination of
 * HYPER_HDR_NO_COPY_NAME, HYPER_HDR_NO_COPY_VALUE, HYPER_FIELD_SENSITIVE and
 * HYPER_FIELD_NO_INDEX.
 *
 * Ownership: copies the name and value unless told otherwise by the NO_COPY
 * flags. Copying from a pointer the map itself returned is allowed.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| is NULL, a NULL pointer with a nonzero
 *                               length, or an unknown bit in |flags|.
 *   HYPER_ERR_LIMIT_EXCEEDED    the entry would exceed max_entries or
 *                               max_bytes; the map is unchanged.
 *   HYPER_ERR_NOMEM             allocation failed; the map is unchanged.
 */
HYPER_EXTERN int hyper_hdrs_add(hyper_hdrs *h, const void *name,
                                size_t name_len, const void *value,
                                size_t value_len, uint32_t flags);

/**
 * Replaces every entry named |name| (case-insensitively) by the single entry
 * (|name|, |value|), as hyper's HTTPHeaderMap.replace(): the new entry takes
 * the position of the first existing one and the others are removed; when
 * there is none it is appended. Arguments, flags and ownership as for
 * hyper_hdrs_add(); the limits are checked against the map as it will be
 * after the replacement.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  as for hyper_hdrs_add().
 *   HYPER_ERR_LIMIT_EXCEEDED    the result would exceed a limit; unchanged.
 *   HYPER_ERR_NOMEM             allocation failed; the map is unchanged.
 */
HYPER_EXTERN int hyper_hdrs_set(hyper_hdrs *h, const void *name,
                                size_t name_len, const void *value,
                                size_t value_len, uint32_t flags);

/**
 * Removes every entry named |name| (case-insensitively), keeping the order
 * of the rest. Never allocates and never fails.
 *
 * Returns the number of entries removed (0 when |h| is NULL, or |name| is
 * NULL with a nonzero length).
 */
HYPER_EXTERN size_t hyper_hdrs_remove(hyper_hdrs *h, const void *name,
                                      size_t name_len);

/**
 * Removes the entry at |index| (0-based, in order), keeping the order of the
 * rest. Never allocates.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| is NULL or |index| >= the entry count.
 */
HYPER_EXTERN int hyper_hdrs_remove_at(hyper_hdrs *h, size_t index);

/** Removes every entry. Keeps the allocated storage for reuse (free the map
 *  to release it). NULL is a no-op. */
HYPER_EXTERN void hyper_hdrs_clear(hyper_hdrs *h);

/**
 * Appends copies of all entries of |src|, in order, to |dst|
 * (HTTPHeaderMap.merge()). Every name and value is copied, whatever flags
 * they were added with to |src|; the SENSITIVE/NO_INDEX flags are kept.
 * When |dst| lowercases names the copied names are lowercased. Merging a
 * map into itself does nothing, as in hyper. All or nothing: on failure
 * nothing was appended.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |dst| or |src| is NULL.
 *   HYPER_ERR_LIMIT_EXCEEDED    the result would exceed a limit of |dst|.
 *   HYPER_ERR_NOMEM             allocation failed; |dst| is unchanged.
 */
HYPER_EXTERN int hyper_hdrs_merge(hyper_hdrs *dst, const hyper_hdrs *src);

/**
 * Appends |n| fields, in order, from |fields| (for example the output of the
 * HPACK decoder). Each entry gets |flags| | |fields[i].flags|; both may hold
 * the bits listed at hyper_hdrs_add(). All or nothing: on failure nothing was
 * appended. Ownership as for hyper_hdrs_add(); the array itself is not
 * referenced after the call. |fields| may be the map's own array from
 * hyper_hdrs_fields() (this duplicates entries).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| is NULL, |fields| is NULL with |n| > 0,
 *                               a field has a NULL pointer with a nonzero
 *                               length, or an unknown flag bit.
 *   HYPER_ERR_LIMIT_EXCEEDED    the result would exceed a limit; unchanged.
 *   HYPER_ERR_NOMEM             allocation failed; the map is unchanged.
 */
HYPER_EXTERN int hyper_hdrs_add_fields(hyper_hdrs *h, const hyper_field *fields,
                                       size_t n, uint32_t flags);

/**
 * ASCII-lowercases the name of every entry now in the map (for HTTP/2).
 * Copied names are changed in place; a NO_COPY name holding an upper-case
 * letter is copied first (the caller's bytes are never written). Does not
 * change how later additions are stored (see |lowercase_names|).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| is NULL.
 *   HYPER_ERR_NOMEM             a copy could not be allocated; the map is
 *                               unchanged.
 */
HYPER_EXTERN int hyper_hdrs_lowercase_names(hyper_hdrs *h);

/* ------------------------------------------------------------------------ */
/* Queries. None of these allocate or modify the map. Every pointer they    */
/* return (directly or inside a hyper_slice / hyper_field) stays valid until */
/* the next call that modifies the map (add, set, remove, remove_at, clear, */
/* merge into it, add_fields, lowercase_names) or hyper_hdrs_free(); with   */
/* the NO_COPY flags it is the caller's own pointer.                        */
/* ------------------------------------------------------------------------ */

/** Returns the number of entries (raw, not split); 0 when |h| is NULL. */
HYPER_EXTERN size_t hyper_hdrs_count(const hyper_hdrs *h);

/** Returns the number of entries named |name| (case-insensitively, raw, not
 *  split); 0 when |h| is NULL or |name| is NULL with a nonzero length. */
HYPER_EXTERN size_t hyper_hdrs_count_name(const hyper_hdrs *h,
                                          const void *name, size_t name_len);

/** Returns 1 when an entry named |name| exists (case-insensitively), else 0
 *  (also when |h| is NULL or |name| is NULL with a nonzero length). */
HYPER_EXTERN int hyper_hdrs_contains(const hyper_hdrs *h, const void *name,
                                     size_t name_len);

/** Returns the sum of name and value lengths over all entries: the quantity
 *  max_bytes caps. 0 when |h| is NULL. */
HYPER_EXTERN size_t hyper_hdrs_total_bytes(const hyper_hdrs *h);

/**
 * Returns the index of the first entry at or after |from| named |name|
 * (case-insensitively), or HYPER_HDRS_NPOS when there is none (also for a
 * NULL |h|, or |name| NULL with a nonzero length). Loop with
 * `for (i = find(h, n, l, 0); i != NPOS; i = find(h, n, l, i + 1))`.
 */
HYPER_EXTERN size_t hyper_hdrs_find(const hyper_hdrs *h, const void *name,
                                    size_t name_len, size_t from);

/**
 * Stores in |*value| the value, exactly as added, of the first entry named
 * |name| (case-insensitively). Lifetime: see "Queries" above.
 *
 * Returns 1 when found, 0 when not (|*value| is then {NULL, 0}), also for a
 * NULL |h|, or |name| NULL with a nonzero length. |value| must not be NULL.
 */
HYPER_EXTERN int hyper_hdrs_get_first(const hyper_hdrs *h, const void *name,
                                      size_t name_len, hyper_slice *value);

/**
 * The entries as an array of |*n| hyper_field in insertion order (raw
 * iteration, iter_raw() in hyper): names as stored, values exactly as added,
 * flags holding HYPER_FIELD_SENSITIVE / HYPER_FIELD_NO_INDEX as given. The
 * array can be passed as-is to the HTTP/2 submit calls when names are
 * lowercase. |n| may be NULL. The array belongs to the map. Lifetime: see
 * "Queries" above.
 *
 * Returns the array, or NULL when the map is empty or |h| is NULL (|*n| is
 * then 0).
 */
HYPER_EXTERN const hyper_field *hyper_hdrs_fields(const hyper_hdrs *h,
                                                  size_t *n);

/**
 * Stores entry |index| (0-based, insertion order) in |*field|. The bytes
 * belong to the map; lifetime: see "Queries" above.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| or |field| is NULL, or |index| >= count.
 */
HYPER_EXTERN int hyper_hdrs_at(const hyper_hdrs *h, size_t index,
                               hyper_field *field);

/**
 * Copies the entries, in order, into the caller's array |out| of |cap|
 * fields (for example after pseudo-header fields of its own) and stores the
 * entry count in |*n|. Only the hyper_field structs are copied; the bytes
 * they point to belong to the map (lifetime: see "Queries" above).
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| or |n| is NULL, or |out| is NULL with
 *                               |cap| > 0.
 *   HYPER_ERR_BUFFER_TOO_SMALL  count > |cap|: nothing was copied and |*n|
 *                               holds the count needed.
 */
HYPER_EXTERN int hyper_hdrs_copy_fields(const hyper_hdrs *h, hyper_field *out,
                                        size_t cap, size_t *n);

/** Lookup cursor for hyper_hdrs_get_next(). Initialise with
 *  HYPER_HDRS_ITER_INIT or hyper_hdrs_iter_init(); the fields are private.
 *  It holds positions into the map, so it is invalidated by any change to
 *  the map. */
typedef struct hyper_hdrs_iter {
  size_t _index;   /* entry to look at next */
  size_t _pos;     /* offset inside that entry's value (split mode) */
  uint32_t _hash;  /* hash of the folded name, once started */
  uint32_t _state; /* private state bits */
} hyper_hdrs_iter;

/** Static initialiser for a hyper_hdrs_iter. */
#define HYPER_HDRS_ITER_INIT {0, 0, 0, 0}

/** Resets |it| to the start. Does not allocate. */
HYPER_EXTERN void hyper_hdrs_iter_init(hyper_hdrs_iter *it);

/**
 * Produces the next value for |name| (case-insensitively), in insertion
 * order, advancing |it|. With |flags| = 0 each matching entry yields its
 * value exactly as added; with HYPER_HDRS_SPLIT each entry yields its
 * comma-separated elements by the rules at HYPER_HDRS_SPLIT. Pass the same
 * |name| and |flags| on every call with the same iterator. Never allocates.
 * The slice points into the map (or the caller's NO_COPY bytes); lifetime:
 * see "Queries" above.
 *
 * Returns 1 when a value was stored in |*value|, 0 when there are no more
 * (or |h|, |it| or |value| is NULL, |name| is NULL with a nonzero length,
 * or |flags| holds a bit other than HYPER_HDRS_SPLIT).
 */
HYPER_EXTERN int hyper_hdrs_get_next(const hyper_hdrs *h, const void *name,
                                     size_t name_len, uint32_t flags,
                                     hyper_hdrs_iter *it, hyper_slice *value);

/**
 * Collects every value of |name| (HTTPHeaderMap.get()): fills |out| with up
 * to |cap| values in the order hyper_hdrs_get_next() produces them for
 * |flags|, and stores the total number of values in |*n| (0 when the name is
 * absent). With |cap| = 0 (|out| may then be NULL) it only counts. The slices
 * point into the map; lifetime: see "Queries" above.
 *
 * Returns 0, or one of:
 *   HYPER_ERR_INVALID_ARGUMENT  |h| or |n| is NULL, |out| is NULL with
 *                               |cap| > 0, |name| is NULL with a nonzero
 *                               length, or an unknown bit in |flags|.
 *   HYPER_ERR_BUFFER_TOO_SMALL  more than |cap| values: the first |cap| are
 *                               stored and |*n| holds the total.
 */
HYPER_EXTERN int hyper_hdrs_get(const hyper_hdrs *h, const void *name,
                                size_t name_len, uint32_t flags,
                                hyper_slice *out, size_t cap, size_t *n);

/** Returns 1 when the |a_len| octets at |a| equal the |b_len| octets at |b|
 *  ignoring ASCII case (the map's name comparison), else 0. A pointer may be
 *  NULL only with a length of 0. */
HYPER_EXTERN int hyper_hdrs_name_eq(const void *a, size_t a_len, const void *b,
                                    size_t b_len);

#ifdef __cplusplus
}
#endif

#endif /* HYPER_HDRS_H */
