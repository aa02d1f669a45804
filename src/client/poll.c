/* Several connections in one thread: hyper_client_poll() waits on every
 * connection of a set at once and moves what arrived into each client
 * (drive.c for HTTP/2, h1conn.c for HTTP/1.1); hyper_client_response_state()
 * tells without I/O what a request's response has delivered. */
#include <errno.h>
#include <poll.h>

#include "client_int.h"

/* The clients that may carry requests made on |c|: |c|, the successors
 * of automatic retries (retry_next) and the HTTP/1.1 client of
 * HTTP_1_1_REQUIRED retries of each. Stores up to |cap| in |out| and
 * returns how many there are. */
static size_t related(hyper_client *c, hyper_client **out, size_t cap) {
  size_t n = 0;
  for (hyper_client *k = c; k; k = k->retry_next) {
    if (n < cap)
      out[n] = k;
    n++;
    hyper_client *fb = hyper__h1c_fallback_of(k);
    if (fb) {
      if (n < cap)
        out[n] = fb;
      n++;
    }
  }
  return n;
}

int hyper_client_response_state(hyper_client *c, uint32_t stream_id) {
  if (!c || stream_id == 0)
    return HYPER_ERR_INVALID_ARGUMENT;
  hyper__cstream *cs = hyper__client_lookup(c, stream_id);
  if (!cs)
    return hyper__client_err(c, HYPER_ERR_INVALID_STATE, 0, stream_id,
                             "no request with stream id %u",
                             (unsigned)stream_id);
  if (cs->err || (cs->flags & CS_REMOTE_END))
    return HYPER_RESPONSE_COMPLETE;
  if (cs->flags & CS_HEAD)
    return HYPER_RESPONSE_HEAD;
  return HYPER_RESPONSE_PENDING;
}

/* Sets of up to this many clients need no allocation. */
#define POLL_STACK 64u

/* What one client of the set needs: 0 skip, 1 poll its socket, 2 ready
 * now (failed, or input it can process without reading). Writes queued
 * HTTP/2 output first. */
static int prepare(hyper_client *cl) {
  if (!cl || !cl->io)
    return 0;
  if (cl->conn_err)
    return 2;
  if (cl->h2) {
    if (hyper__client_flush(cl, hyper__client_request_deadline(cl)) != 0)
      return 2; /* failed: sticky on |cl| */
    /* Keeps one unread response from closing the connection window on
     * the others (as the blocking waits do); over max_buffered the
     * caller's next call on |cl| reports it. */
    (void)hyper__client_spill(cl, NULL, 0);
    return hyper__io_has_buffered(cl->io) && !cl->poll_stalled ? 2 : 1;
  }
  return hyper__h1c_poll_ready(cl) ? 2 : 1;
}

/* One step on a ready client: one read (not waiting for more than one
 * read's worth), fed to its protocol engine. */
static void step(hyper_client *cl) {
  if (cl->conn_err || !cl->io)
    return;
  if (cl->h2) {
    uint64_t before = cl->nreads;
    (void)hyper__client_pump(cl, hyper__client_request_deadline(cl), 1);
    /* Nothing read although OpenSSL holds input: a partial record, whose
     * rest arrives on the socket. */
    cl->poll_stalled = cl->nreads == before;
  } else
    (void)hyper__h1c_step(cl, hyper__client_request_deadline(cl));
}

int hyper_client_poll(hyper_client *const *clients, size_t n,
                      int timeout_ms) {
  if (!clients && n)
    return HYPER_ERR_INVALID_ARGUMENT;
  /* The set: every client given, with the clients carrying its retries. */
  size_t total = 0;
  const hyper_mem *mem = NULL, *any = NULL;
  for (size_t i = 0; i < n; i++)
    if (clients[i]) {
      total += related(clients[i], NULL, 0);
      if (!any)
        any = &clients[i]->mem;
      if (!mem && clients[i]->io)
        mem = &clients[i]->mem;
    }
  if (!mem)
    mem = any; /* none connected: only for the set's memory */
  hyper_client *sstack[POLL_STACK];
  struct pollfd pstack[POLL_STACK];
  unsigned char mstack[POLL_STACK];
  hyper_client **set = sstack;
  struct pollfd *pfd = pstack;
  unsigned char *mark = mstack; /* prepare()'s answer per client */
  void *block = NULL;
  if (total > POLL_STACK) {
    size_t each = sizeof *set + sizeof *pfd + 1;
    if (total > SIZE_MAX / each || !(block = hyper__mem_malloc(mem, total * each)))
      return HYPER_ERR_NOMEM;
    pfd = block;
    set = (hyper_client **)(pfd + total);
    mark = (unsigned char *)(set + total);
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (clients[i])
      m += related(clients[i], set + m, total - m);
  int now_ready = 0, live = 0;
  for (size_t i = 0; i < m; i++) {
    mark[i] = (unsigned char)prepare(set[i]);
    live |= set[i]->io != NULL;
    /* negative fds are ignored by poll() */
    pfd[i].fd = mark[i] == 1 ? hyper__io_fd(set[i]->io) : -1;
    pfd[i].events = POLLIN;
    pfd[i].revents = 0;
    now_ready |= mark[i] == 2;
  }
  int ready = 0;
  if (!live) {
    ready = HYPER_ERR_INVALID_STATE; /* nothing to wait for */
    goto out;
  }
  int64_t deadline = timeout_ms < 0 ? HYPER__IO_NO_DEADLINE
                                    : hyper__io_deadline_after(timeout_ms);
  int rc;
  for (;;) {
    int wait_ms = -1;
    if (now_ready)
      wait_ms = 0;
    else if (deadline != HYPER__IO_NO_DEADLINE) {
      int64_t left = deadline - hyper__io_now_ms();
      wait_ms = left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
    }
    rc = poll(pfd, (nfds_t)m, wait_ms);
    if (rc >= 0 || errno != EINTR)
      break;
    if (deadline != HYPER__IO_NO_DEADLINE && hyper__io_now_ms() >= deadline)
      break; /* rc < 0, EINTR: nothing ready */
  }
  if (rc < 0 && errno != EINTR && !now_ready) {
    ready = HYPER_ERR_IO;
    goto out;
  }
  for (size_t i = 0; i < m; i++) {
    if (mark[i] == 2 ||
        (mark[i] == 1 && rc > 0 &&
         (pfd[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)))) {
      step(set[i]);
      ready++;
    }
  }
out:
  if (block)
    hyper__mem_free(mem, block);
  return ready;
}
