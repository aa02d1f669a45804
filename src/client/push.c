/* Server push: handing out promised streams (get_pushes), their request
 * fields, their responses, and cancellation. The promised streams
 * themselves are client streams with CS_PUSH, created by drive.c when the
 * PUSH_PROMISE arrives. */
#include <string.h>

#include "client_int.h"

static char *dup_field(hyper__cstream *cs, const char *name) {
  hyper_slice v = {NULL, 0};
  (void)hyper_hdrs_get_first(cs->promise, name, strlen(name), &v);
  char *s = hyper__mem_malloc(&cs->mem, v.len + 1);
  if (!s)
    return NULL;
  if (v.len)
    memcpy(s, v.ptr, v.len);
  s[v.len] = '\0';
  return s;
}

static void push_free_strings(hyper_push *p, const hyper_mem *m) {
  hyper__mem_free(m, p->method);
  hyper__mem_free(m, p->scheme);
  hyper__mem_free(m, p->authority);
  hyper__mem_free(m, p->path);
}

static int push_new(hyper__cstream *cs, hyper_push **out) {
  hyper_push *p = hyper__mem_calloc(&cs->mem, 1, sizeof *p);
  if (!p)
    return HYPER_ERR_NOMEM;
  p->method = dup_field(cs, ":method");
  p->scheme = dup_field(cs, ":scheme");
  p->authority = dup_field(cs, ":authority");
  p->path = dup_field(cs, ":path");
  if (!p->method || !p->scheme || !p->authority || !p->path) {
    push_free_strings(p, &cs->mem);
    hyper__mem_free(&cs->mem, p);
    return HYPER_ERR_NOMEM;
  }
  p->cs = cs;
  cs->push = p;
  cs->flags |= CS_PUSH_OUT;
  *out = p;
  return 0;
}

typedef struct push_wait {
  uint32_t parent;
  hyper__cstream *found;
} push_wait;

static hyper__cstream *next_unclaimed(hyper_client *cl, uint32_t parent) {
  for (hyper__cstream *cs = cl->head; cs; cs = cs->next)
    if ((cs->flags & CS_PUSH) && cs->parent == parent &&
        !(cs->flags & (CS_PUSH_OUT | CS_DISCARD)))
      return cs;
  return NULL;
}

static int cond_push(hyper_client *cl, hyper__cstream *parent, void *arg) {
  push_wait *w = arg;
  if ((w->found = next_unclaimed(cl, w->parent)) != NULL)
    return 1;
  /* No promise can follow once the parent's response has ended. */
  if (parent->flags & (CS_REMOTE_END | CS_RESET) || parent->err)
    return 1;
  return 0;
}

int hyper_client_next_push(hyper_client *c, uint32_t stream_id,
                           int capture_all, hyper_push **out) {
  if (!c || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (stream_id == 0)
    stream_id = c->recent;
  hyper__cstream *parent = hyper__client_find(c, stream_id);
  if (!parent || (parent->flags & CS_PUSH))
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "no request with stream id %u",
                             (unsigned)stream_id);
  push_wait w = {parent->id, NULL};
  if (capture_all) {
    int rv = hyper__client_wait(c, parent, cond_push, &w, parent->deadline);
    if (rv)
      return rv;
  } else {
    w.found = next_unclaimed(c, parent->id);
  }
  if (!w.found)
    return 0;
  int rv = push_new(w.found, out);
  if (rv)
    return hyper__client_err(c, rv, 0, w.found->id, "out of memory");
  return 1;
}

const char *hyper_push_method(const hyper_push *p) {
  return p ? p->method : "";
}
const char *hyper_push_scheme(const hyper_push *p) {
  return p ? p->scheme : "";
}
const char *hyper_push_authority(const hyper_push *p) {
  return p ? p->authority : "";
}
const char *hyper_push_path(const hyper_push *p) { return p ? p->path : ""; }

const hyper_hdrs *hyper_push_request_headers(const hyper_push *p) {
  return p ? p->cs->promise : NULL;
}

uint32_t hyper_push_stream_id(const hyper_push *p) {
  return p ? p->cs->id : 0;
}

uint32_t hyper_push_parent_stream_id(const hyper_push *p) {
  return p ? p->cs->parent : 0;
}

int hyper_push_get_response(hyper_push *p, hyper_resp **out) {
  if (!p || !out)
    return HYPER_ERR_INVALID_ARGUMENT;
  *out = NULL;
  hyper__cstream *cs = p->cs;
  hyper_client *cl = cs->cl;
  if (!cl)
    return HYPER_ERR_INVALID_STATE;
  if (p->cancelled || (cs->flags & CS_TAKEN))
    return hyper__client_err(cl, HYPER_ERR_INVALID_STATE, 0, cs->id,
                             "push %u: cancelled or response already "
                             "fetched",
                             (unsigned)cs->id);
  int rv = hyper__cs_wait_head(cs);
  if (rv)
    return rv;
  if ((rv = hyper__resp_new(cs, out)) != 0)
    return hyper__client_err(cl, rv, 0, cs->id, "out of memory");
  return 0;
}

int hyper_push_cancel(hyper_push *p) {
  if (!p)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__cstream *cs = p->cs;
  if (cs->flags & CS_TAKEN)
    return hyper__client_err(cs->cl, HYPER_ERR_INVALID_STATE, 0, cs->id,
                             "push %u: its response was fetched; close that",
                             (unsigned)cs->id);
  if (p->cancelled)
    return 0;
  p->cancelled = 1;
  hyper__cs_cancel(cs, HYPER_H2_CANCEL);
  hyper_client *cl = cs->cl;
  if (cl && cl->h2 && !cl->conn_err) {
    hyper_client_error saved = cl->err;
    (void)hyper__client_flush(cl,
                              hyper__io_deadline_after(cl->opts.read_timeout_ms));
    cl->err = saved;
  }
  return 0;
}

void hyper_push_free(hyper_push *p) {
  if (!p)
    return;
  hyper__cstream *cs = p->cs;
  if (!(cs->flags & CS_TAKEN))
    (void)hyper_push_cancel(p);
  hyper_mem m = cs->mem;
  push_free_strings(p, &m);
  cs->push = NULL;
  hyper__mem_free(&m, p);
  hyper__cs_release(cs);
}
