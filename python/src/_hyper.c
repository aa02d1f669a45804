/*
 * hyper._hyper — the CPython extension under the pure-Python `hyper`
 * package: thin types over the public client API (include/hyper/client.h).
 *
 *   Client    one hyper_client (HTTP/2, HTTP/1.1 or ALPN-chosen)
 *   Response  one hyper_resp
 *   Push      one hyper_push
 *
 * Threads and the GIL. The C client must be used by one thread at a time,
 * and a response or push shares its client's connection. Every Client owns
 * one lock; every call into the C library on the client, or on a response
 * or push it gave out, takes that lock with the GIL released and keeps the
 * GIL released for the whole call, network waits included. So objects may
 * be shared between threads: calls on one connection are serialised, calls
 * on different connections run in parallel. Responses and pushes hold a
 * reference to their Client, which therefore outlives them.
 *
 * Window managers written in Python: a Python class passed as
 * window_manager is instantiated per stream and for the connection from
 * the C factory; the C manager calls the instance's increase_window_size()
 * and blocked() with the GIL re-acquired (the client lock stays held, so
 * no other thread can enter this connection meanwhile). An exception in a
 * manager is kept and raised by the Python call that caused it, and the
 * default policy answers for that one call.
 *
 * Errors: a failing C call raises the exception built by the factory that
 * the Python package registers with _set_error_factory(code, name, desc,
 * h2_code, stream_id, sys_errno); without one, RuntimeError.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include <limits.h>
#include <string.h>

#include "hyper/client.h"
#include "hyper/common.h"
#include "hyper/h2.h"
#include "hyper/hdrs.h"

/* The largest piece one read(amt) allocates at a time. */
#define READ_PIECE (1u << 20)

static PyObject *g_error_factory; /* callable or NULL */

/* ------------------------------------------------------------------------ */
/* Client object                                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
  PyObject_HEAD
  hyper_client *c;
  PyThread_type_lock lock;
  PyObject *wm_class; /* Python window manager class, or NULL */
  /* Exception raised by a Python callback during the current C call. */
  PyObject *exc_type, *exc_value, *exc_tb;
  hyper_client_error err; /* copied under the lock after a failure */
  /* The thread holding |lock| (0: none), so that a response or push freed
   * by that very thread from inside a callback (e.g. by the cyclic GC
   * running in a window manager) is not freed re-entrantly: it is queued
   * in |deferred| and freed when the C call returns. */
  unsigned long holder;
  void **deferred;    /* hyper_resp* or hyper_push* (tagged, see below) */
  size_t n_deferred, cap_deferred;
} ClientObject;

typedef struct {
  PyObject_HEAD
  ClientObject *owner;
  hyper_resp *r;
} RespObject;

typedef struct {
  PyObject_HEAD
  ClientObject *owner;
  hyper_push *p;
} PushObject;

static PyTypeObject Client_Type;
static PyTypeObject Resp_Type;
static PyTypeObject Push_Type;

static void lock_client(ClientObject *cl);
static void unlock_client(ClientObject *cl);

/* Runs |stmt| with the GIL released and the client lock held; after a
 * failure (rv < 0) copies the error detail while still holding the lock. */
#define LOCKED_CALL(cl, rv, stmt)                                             \
  do {                                                                        \
    Py_BEGIN_ALLOW_THREADS lock_client(cl);                                   \
    stmt;                                                                     \
    if ((rv) < 0 && (cl)->c) (cl)->err = *hyper_client_last_error((cl)->c);   \
    unlock_client(cl);                                                        \
    Py_END_ALLOW_THREADS                                                      \
  } while (0)

/* Deferred objects: pushes are tagged with the low bit (both types are
 * allocated with at least 2-byte alignment). */
static void lock_client(ClientObject *cl) {
  PyThread_acquire_lock(cl->lock, WAIT_LOCK);
  cl->holder = PyThread_get_thread_ident();
}

static void unlock_client(ClientObject *cl) {
  /* Only the holder's thread appends to |deferred| (from a callback of
   * the call it is making), so no other synchronisation is needed. */
  while (cl->n_deferred) {
    void *d = cl->deferred[--cl->n_deferred];
    if ((uintptr_t)d & 1u)
      hyper_push_free((hyper_push *)((uintptr_t)d & ~(uintptr_t)1));
    else
      hyper_resp_free(d);
  }
  cl->holder = 0;
  PyThread_release_lock(cl->lock);
}

/* Frees a response (is_push 0) or push (1) of |cl| with the GIL held: at
 * once under the lock, or deferred when this thread holds it already. */
static void free_owned(ClientObject *cl, void *obj, int is_push) {
  if (cl->holder == PyThread_get_thread_ident()) {
    if (cl->n_deferred == cl->cap_deferred) {
      size_t cap = cl->cap_deferred ? cl->cap_deferred * 2 : 8;
      void **d = PyMem_Realloc(cl->deferred, cap * sizeof *d);
      if (!d) return; /* out of memory: leak rather than re-enter */
      cl->deferred = d;
      cl->cap_deferred = cap;
    }
    cl->deferred[cl->n_deferred++] =
        is_push ? (void *)((uintptr_t)obj | 1u) : obj;
    return;
  }
  Py_BEGIN_ALLOW_THREADS lock_client(cl);
  if (is_push)
    hyper_push_free(obj);
  else
    hyper_resp_free(obj);
  unlock_client(cl);
  Py_END_ALLOW_THREADS
}

/* Keeps the first exception a callback raised (caller holds the GIL). */
static void stash_exception(ClientObject *cl) {
  if (cl->exc_type) {
    PyErr_Clear();
    return;
  }
  PyErr_Fetch(&cl->exc_type, &cl->exc_value, &cl->exc_tb);
}

/* Raises a stashed callback exception; returns 1 if there was one. */
static int raise_stashed(ClientObject *cl) {
  if (!cl->exc_type) return 0;
  PyErr_Restore(cl->exc_type, cl->exc_value, cl->exc_tb);
  cl->exc_type = cl->exc_value = cl->exc_tb = NULL;
  return 1;
}

/* Sets the Python exception for hyper error |rv| and returns NULL. */
static PyObject *raise_err(ClientObject *cl, int rv) {
  if (cl && raise_stashed(cl)) return NULL;
  const char *desc = hyper_strerror(rv);
  unsigned long h2 = 0, sid = 0;
  int sys_errno = 0;
  if (cl && cl->err.code == rv && cl->err.desc[0]) {
    desc = cl->err.desc;
    h2 = cl->err.h2_code;
    sid = cl->err.stream_id;
    sys_errno = cl->err.sys_errno;
  }
  if (!g_error_factory) {
    PyErr_Format(PyExc_RuntimeError, "hyper error %d (%s): %s", rv,
                 hyper_err_name(rv), desc);
    return NULL;
  }
  PyObject *exc = PyObject_CallFunction(g_error_factory, "issKki", rv,
                                        hyper_err_name(rv), desc, h2, sid,
                                        sys_errno);
  if (!exc) return NULL;
  PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
  Py_DECREF(exc);
  return NULL;
}

/* ---- Python window managers ------------------------------------------- */

typedef struct {
  hyper_h2_wm base; /* first: the core casts back */
  PyObject *obj;
  ClientObject *owner; /* borrowed: the client outlives its managers */
} py_wm;

/* Copies the core's view into the Python instance (GIL held). */
static int wm_sync(py_wm *w) {
  PyObject *v;
  v = PyLong_FromLongLong(w->base.window_size);
  if (!v || PyObject_SetAttrString(w->obj, "window_size", v) < 0) goto fail;
  Py_DECREF(v);
  v = PyLong_FromLongLong(w->base.initial_window_size);
  if (!v || PyObject_SetAttrString(w->obj, "initial_window_size", v) < 0)
    goto fail;
  Py_DECREF(v);
  if (w->base.document_size >= 0)
    v = PyLong_FromLongLong(w->base.document_size);
  else {
    v = Py_None;
    Py_INCREF(v);
  }
  if (!v || PyObject_SetAttrString(w->obj, "document_size", v) < 0) goto fail;
  Py_DECREF(v);
  return 0;
fail:
  Py_XDECREF(v);
  return -1;
}

/* Converts a manager's answer to an increment (GIL held); -1 on error. */
static int64_t wm_result(PyObject *res) {
  if (!res) return -1;
  if (res == Py_None) {
    Py_DECREF(res);
    return 0;
  }
  long long n = PyLong_AsLongLong(res);
  Py_DECREF(res);
  if (n == -1 && PyErr_Occurred()) return -1;
  if (n < 0) n = 0;
  if (n > HYPER_H2_MAX_WINDOW) n = HYPER_H2_MAX_WINDOW;
  return (int64_t)n;
}

static uint32_t wm_increase(hyper_h2_wm *wm, uint32_t frame_size) {
  py_wm *w = (py_wm *)wm;
  PyGILState_STATE st = PyGILState_Ensure();
  int64_t n = -1;
  if (wm_sync(w) == 0)
    n = wm_result(PyObject_CallMethod(w->obj, "increase_window_size", "I",
                                      (unsigned)frame_size));
  if (n < 0) {
    stash_exception(w->owner);
    n = hyper_h2_wm_default_increase_window_size(wm, frame_size);
  }
  PyGILState_Release(st);
  return (uint32_t)n;
}

static uint32_t wm_blocked(hyper_h2_wm *wm) {
  py_wm *w = (py_wm *)wm;
  PyGILState_STATE st = PyGILState_Ensure();
  int64_t n = -1;
  if (wm_sync(w) == 0)
    n = wm_result(PyObject_CallMethod(w->obj, "blocked", NULL));
  if (n < 0) {
    stash_exception(w->owner);
    n = hyper_h2_wm_default_blocked(wm);
  }
  PyGILState_Release(st);
  return (uint32_t)n;
}

static void wm_destroy(hyper_h2_wm *wm, const hyper_mem *mem) {
  py_wm *w = (py_wm *)wm;
  PyGILState_STATE st = PyGILState_Ensure();
  Py_CLEAR(w->obj);
  PyGILState_Release(st);
  mem->free(w, mem->user);
}

static const hyper_h2_wm_vtable py_wm_vtable = {wm_increase, wm_blocked,
                                                wm_destroy};

static int wm_create(hyper_h2_wm **out, uint32_t stream_id,
                     uint32_t initial_window_size, void *user,
                     const hyper_mem *mem) {
  ClientObject *cl = user;
  py_wm *w = mem->calloc(1, sizeof *w, mem->user);
  if (!w) return HYPER_ERR_NOMEM;
  hyper_h2_wm_init(&w->base, &py_wm_vtable, stream_id, initial_window_size);
  w->owner = cl;
  PyGILState_STATE st = PyGILState_Ensure();
  w->obj = PyObject_CallFunction(cl->wm_class, "I",
                                 (unsigned)initial_window_size);
  if (w->obj) {
    PyObject *sid = PyLong_FromUnsignedLong(stream_id);
    if (!sid || PyObject_SetAttrString(w->obj, "stream_id", sid) < 0)
      Py_CLEAR(w->obj);
    Py_XDECREF(sid);
  }
  if (!w->obj) stash_exception(cl);
  PyGILState_Release(st);
  if (!w->obj) {
    mem->free(w, mem->user);
    return HYPER_ERR_INVALID_ARGUMENT;
  }
  *out = &w->base;
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static PyObject *hdrs_to_list(const hyper_hdrs *h) {
  size_t n = 0;
  const hyper_field *f = hyper_hdrs_fields(h, &n);
  PyObject *list = PyList_New((Py_ssize_t)n);
  if (!list) return NULL;
  for (size_t i = 0; i < n; i++) {
    PyObject *t = Py_BuildValue("(y#y#)", (const char *)f[i].name,
                                (Py_ssize_t)f[i].name_len,
                                (const char *)f[i].value,
                                (Py_ssize_t)f[i].value_len);
    if (!t) {
      Py_DECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, t);
  }
  return list;
}

/* Builds a header map from a sequence of (bytes, bytes) pairs. None gives
 * *out = NULL. Returns 0, or -1 with a Python exception. */
static int list_to_hdrs(PyObject *seq, hyper_hdrs **out) {
  *out = NULL;
  if (!seq || seq == Py_None) return 0;
  PyObject *fast = PySequence_Fast(seq, "headers must be a sequence of pairs");
  if (!fast) return -1;
  hyper_hdrs *h = NULL;
  int rv = hyper_hdrs_new(&h, NULL, NULL);
  if (rv < 0) {
    Py_DECREF(fast);
    PyErr_NoMemory();
    return -1;
  }
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
    const char *name, *value;
    Py_ssize_t nl, vl;
    if (!PyArg_ParseTuple(item, "y#y#;header pairs must be (bytes, bytes)",
                          &name, &nl, &value, &vl))
      goto fail;
    rv = hyper_hdrs_add(h, name, (size_t)nl, value, (size_t)vl, 0);
    if (rv < 0) {
      raise_err(NULL, rv);
      goto fail;
    }
  }
  Py_DECREF(fast);
  *out = h;
  return 0;
fail:
  Py_DECREF(fast);
  hyper_hdrs_free(h);
  return -1;
}

static RespObject *resp_wrap(ClientObject *cl, hyper_resp *r) {
  RespObject *o = PyObject_New(RespObject, &Resp_Type);
  if (!o) {
    free_owned(cl, r, 0);
    return NULL;
  }
  Py_INCREF(cl);
  o->owner = cl;
  o->r = r;
  return o;
}

/* ---- Client ------------------------------------------------------------- */

static int ms_of(double seconds, int64_t *out) {
  if (seconds < 0 || seconds != seconds) {
    PyErr_SetString(PyExc_ValueError, "timeouts must be >= 0");
    return -1;
  }
  if (seconds > 0) {
    double ms = seconds * 1000.0;
    *out = ms < 1.0 ? 1 : (ms > 1e15 ? (int64_t)1e15 : (int64_t)ms);
  }
  return 0;
}

static int Client_init(ClientObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"host",         "port",
                           "secure",       "protocol",
                           "enable_push",  "window_manager",
                           "ca_file",      "cert_file",
                           "key_file",     "insecure",
                           "network_buffer_size", "connect_timeout",
                           "read_timeout", "request_timeout",
                           "decode_content", "max_concurrent_streams",
                           NULL};
  const char *host;
  int port = 0, secure = 1, protocol = 0, enable_push = 0, insecure = 0;
  int decode = 1;
  PyObject *wm = Py_None;
  const char *ca = NULL, *cert = NULL, *key = NULL;
  Py_ssize_t bufsize = 0;
  double cto = 0, rto = 0, qto = 0;
  unsigned int maxcs = 0;
  if (!PyArg_ParseTupleAndKeywords(
          args, kw, "s|iiipOzzzpndddpI", kwlist, &host, &port, &secure,
          &protocol, &enable_push, &wm, &ca, &cert, &key, &insecure, &bufsize,
          &cto, &rto, &qto, &decode, &maxcs))
    return -1;
  if (self->c) {
    PyErr_SetString(PyExc_RuntimeError, "Client already initialised");
    return -1;
  }
  if (port < 0 || port > 65535) {
    PyErr_SetString(PyExc_ValueError, "port out of range");
    return -1;
  }
  if (bufsize < 0) {
    PyErr_SetString(PyExc_ValueError, "network_buffer_size must be > 0");
    return -1;
  }
  if (wm != Py_None && !PyCallable_Check(wm)) {
    PyErr_SetString(PyExc_TypeError, "window_manager must be a class");
    return -1;
  }
  hyper_client_opts o;
  hyper_client_opts_init(&o);
  o.port = (uint16_t)port;
  o.secure = secure;
  o.protocol = (hyper_client_proto)protocol;
  o.enable_push = enable_push;
  o.ca_file = ca;
  o.cert_file = cert;
  o.key_file = key;
  o.insecure = insecure;
  o.decode_content = decode;
  o.max_concurrent_streams = maxcs;
  if (bufsize) o.network_buffer_size = (size_t)bufsize;
  if (ms_of(cto, &o.connect_timeout_ms) < 0 ||
      ms_of(rto, &o.read_timeout_ms) < 0 ||
      ms_of(qto, &o.request_timeout_ms) < 0)
    return -1;
  if (wm != Py_None) {
    Py_INCREF(wm);
    self->wm_class = wm;
    o.window_manager.create = wm_create;
    o.window_manager.user = self;
  }
  if (!self->lock) {
    self->lock = PyThread_allocate_lock();
    if (!self->lock) {
      PyErr_NoMemory();
      return -1;
    }
  }
  int rv = hyper_client_new(&self->c, host, &o, NULL);
  if (rv < 0) {
    self->c = NULL;
    raise_err(NULL, rv);
    return -1;
  }
  return 0;
}

static void Client_dealloc(ClientObject *self) {
  if (self->c) {
    hyper_client *c = self->c;
    self->c = NULL;
    /* hyper_client_free() may wait for the socket and call back into
     * Python window managers: release the GIL around it. */
    Py_BEGIN_ALLOW_THREADS hyper_client_free(c);
    Py_END_ALLOW_THREADS
  }
  if (self->lock) PyThread_free_lock(self->lock);
  PyMem_Free(self->deferred);
  Py_XDECREF(self->wm_class);
  Py_XDECREF(self->exc_type);
  Py_XDECREF(self->exc_value);
  Py_XDECREF(self->exc_tb);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static int client_ok(ClientObject *self) {
  if (!self->c) {
    PyErr_SetString(PyExc_RuntimeError, "Client is not initialised");
    return 0;
  }
  return 1;
}

static PyObject *Client_connect(ClientObject *self, PyObject *noargs) {
  (void)noargs;
  if (!client_ok(self)) return NULL;
  int rv;
  LOCKED_CALL(self, rv, rv = hyper_client_connect(self->c));
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  Py_RETURN_NONE;
}

static PyObject *Client_close(ClientObject *self, PyObject *args) {
  unsigned int code = 0;
  if (!PyArg_ParseTuple(args, "|I", &code)) return NULL;
  if (!client_ok(self)) return NULL;
  int rv;
  LOCKED_CALL(self, rv, rv = hyper_client_close(self->c, code));
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  Py_RETURN_NONE;
}

static PyObject *Client_request(ClientObject *self, PyObject *args) {
  const char *method, *path;
  Py_buffer body = {0};
  PyObject *headers = Py_None;
  if (!PyArg_ParseTuple(args, "ssz*|O", &method, &path, &body, &headers))
    return NULL;
  if (!client_ok(self)) goto fail0;
  hyper_hdrs *h;
  if (list_to_hdrs(headers, &h) < 0) goto fail0;
  uint32_t sid = 0;
  int rv;
  const void *bp = body.buf;
  size_t bl = (size_t)body.len;
  LOCKED_CALL(self, rv,
              rv = hyper_client_request(self->c, method, path, bp, bl, h,
                                        &sid));
  hyper_hdrs_free(h);
  PyBuffer_Release(&body);
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  return PyLong_FromUnsignedLong(sid);
fail0:
  PyBuffer_Release(&body);
  return NULL;
}

/* Streaming body: calls the Python callable read(cap) -> bytes. */
typedef struct {
  ClientObject *cl;
  PyObject *read;
} body_src;

static int body_cb(void *user, uint8_t *buf, size_t cap, size_t *n,
                   int *eof) {
  body_src *src = user;
  int rv = 0;
  PyGILState_STATE st = PyGILState_Ensure();
  PyObject *chunk = PyObject_CallFunction(src->read, "n", (Py_ssize_t)cap);
  if (!chunk) {
    stash_exception(src->cl);
    rv = HYPER_ERR_INVALID_ARGUMENT;
  } else {
    Py_buffer b;
    if (PyUnicode_Check(chunk)) {
      PyObject *enc = PyUnicode_AsUTF8String(chunk);
      Py_DECREF(chunk);
      chunk = enc;
    }
    if (!chunk || PyObject_GetBuffer(chunk, &b, PyBUF_SIMPLE) < 0) {
      stash_exception(src->cl);
      rv = HYPER_ERR_INVALID_ARGUMENT;
    } else {
      if ((size_t)b.len > cap) {
        PyErr_SetString(PyExc_ValueError, "read() returned too many bytes");
        stash_exception(src->cl);
        rv = HYPER_ERR_INVALID_ARGUMENT;
      } else {
        memcpy(buf, b.buf, (size_t)b.len);
        *n = (size_t)b.len;
        *eof = b.len == 0;
      }
      PyBuffer_Release(&b);
    }
    Py_XDECREF(chunk);
  }
  PyGILState_Release(st);
  return rv;
}

static PyObject *Client_request_stream(ClientObject *self, PyObject *args) {
  const char *method, *path;
  PyObject *headers, *read;
  if (!PyArg_ParseTuple(args, "ssOO", &method, &path, &headers, &read))
    return NULL;
  if (!client_ok(self)) return NULL;
  if (!PyCallable_Check(read)) {
    PyErr_SetString(PyExc_TypeError, "read must be callable");
    return NULL;
  }
  hyper_hdrs *h;
  if (list_to_hdrs(headers, &h) < 0) return NULL;
  body_src src = {self, read};
  uint32_t sid = 0;
  int rv;
  LOCKED_CALL(self, rv,
              rv = hyper_client_request_stream(self->c, method, path, h,
                                               body_cb, &src, &sid));
  hyper_hdrs_free(h);
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  return PyLong_FromUnsignedLong(sid);
}

static PyObject *Client_putrequest(ClientObject *self, PyObject *args) {
  const char *method, *path;
  if (!PyArg_ParseTuple(args, "ss", &method, &path)) return NULL;
  if (!client_ok(self)) return NULL;
  uint32_t sid = 0;
  int rv;
  LOCKED_CALL(self, rv,
              rv = hyper_client_putrequest(self->c, method, path, &sid));
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  return PyLong_FromUnsignedLong(sid);
}

static PyObject *Client_putheader(ClientObject *self, PyObject *args) {
  unsigned int sid;
  const char *name, *value;
  if (!PyArg_ParseTuple(args, "Iyy", &sid, &name, &value)) return NULL;
  if (!client_ok(self)) return NULL;
  int rv;
  LOCKED_CALL(self, rv,
              rv = hyper_client_putheader(self->c, sid, name, value));
  if (rv < 0) return raise_err(self, rv);
  Py_RETURN_NONE;
}

static PyObject *Client_endheaders(ClientObject *self, PyObject *args) {
  unsigned int sid;
  Py_buffer body = {0};
  int final = 0;
  if (!PyArg_ParseTuple(args, "Iz*p", &sid, &body, &final)) return NULL;
  if (!client_ok(self)) {
    PyBuffer_Release(&body);
    return NULL;
  }
  int rv;
  const void *bp = body.buf;
  size_t bl = (size_t)body.len;
  LOCKED_CALL(self, rv,
              rv = hyper_client_endheaders(self->c, sid, bp, bl, final));
  PyBuffer_Release(&body);
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  Py_RETURN_NONE;
}

static PyObject *Client_send(ClientObject *self, PyObject *args) {
  unsigned int sid;
  Py_buffer data = {0};
  int final = 0;
  if (!PyArg_ParseTuple(args, "Iy*p", &sid, &data, &final)) return NULL;
  if (!client_ok(self)) {
    PyBuffer_Release(&data);
    return NULL;
  }
  int rv;
  const void *dp = data.buf;
  size_t dl = (size_t)data.len;
  LOCKED_CALL(self, rv, rv = hyper_client_send(self->c, sid, dp, dl, final));
  PyBuffer_Release(&data);
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  Py_RETURN_NONE;
}

static PyObject *Client_get_response(ClientObject *self, PyObject *args) {
  unsigned int sid = 0;
  if (!PyArg_ParseTuple(args, "|I", &sid)) return NULL;
  if (!client_ok(self)) return NULL;
  hyper_resp *r = NULL;
  int rv;
  LOCKED_CALL(self, rv, rv = hyper_client_get_response(self->c, sid, &r));
  if (rv < 0 || self->exc_type) {
    if (rv == 0) {
      LOCKED_CALL(self, rv, hyper_resp_free(r));
    }
    return raise_err(self, rv);
  }
  return (PyObject *)resp_wrap(self, r);
}

static PyObject *Client_next_push(ClientObject *self, PyObject *args) {
  unsigned int sid = 0;
  int capture_all = 0;
  if (!PyArg_ParseTuple(args, "|Ip", &sid, &capture_all)) return NULL;
  if (!client_ok(self)) return NULL;
  hyper_push *p = NULL;
  int rv;
  LOCKED_CALL(self, rv,
              rv = hyper_client_next_push(self->c, sid, capture_all, &p));
  if (rv < 0) return raise_err(self, rv);
  if (rv == 0) Py_RETURN_NONE;
  PushObject *o = PyObject_New(PushObject, &Push_Type);
  if (!o) {
    LOCKED_CALL(self, rv, hyper_push_free(p));
    return NULL;
  }
  Py_INCREF(self);
  o->owner = self;
  o->p = p;
  return (PyObject *)o;
}

static PyObject *Client_ping(ClientObject *self, PyObject *args) {
  double timeout = 0;
  if (!PyArg_ParseTuple(args, "|d", &timeout)) return NULL;
  if (!client_ok(self)) return NULL;
  int64_t ms = 0, rtt = 0;
  if (ms_of(timeout, &ms) < 0) return NULL;
  int rv;
  LOCKED_CALL(self, rv, rv = hyper_client_ping(self->c, ms, &rtt));
  if (rv < 0 || self->exc_type) return raise_err(self, rv);
  return PyFloat_FromDouble((double)rtt / 1000.0);
}

static PyObject *Client_get_protocol(ClientObject *self, void *closure) {
  (void)closure;
  if (!client_ok(self)) return NULL;
  const char *p;
  Py_BEGIN_ALLOW_THREADS lock_client(self);
  p = hyper_client_protocol(self->c);
  unlock_client(self);
  Py_END_ALLOW_THREADS
  if (!p) Py_RETURN_NONE;
  return PyUnicode_FromString(p);
}

static PyObject *Client_get_connected(ClientObject *self, void *closure) {
  (void)closure;
  if (!client_ok(self)) return NULL;
  int on;
  Py_BEGIN_ALLOW_THREADS lock_client(self);
  on = hyper_client_is_connected(self->c);
  unlock_client(self);
  Py_END_ALLOW_THREADS
  return PyBool_FromLong(on);
}

#define METH_KW(f) ((PyCFunction)(void (*)(void))(f))

static PyMethodDef Client_methods[] = {
    {"connect", METH_KW(Client_connect), METH_NOARGS,
     "connect(): open the connection now (no-op when open)."},
    {"close", METH_KW(Client_close), METH_VARARGS,
     "close(error_code=0): GOAWAY and close; the next request reconnects."},
    {"request", METH_KW(Client_request), METH_VARARGS,
     "request(method, path, body_or_None, headers=None) -> stream id."},
    {"request_stream", METH_KW(Client_request_stream), METH_VARARGS,
     "request_stream(method, path, headers, read) -> stream id; read(n) "
     "returns the next bytes of the body, b'' at its end."},
    {"putrequest", METH_KW(Client_putrequest), METH_VARARGS,
     "putrequest(method, path) -> stream id."},
    {"putheader", METH_KW(Client_putheader), METH_VARARGS,
     "putheader(stream_id, name, value): bytes name and value."},
    {"endheaders", METH_KW(Client_endheaders), METH_VARARGS,
     "endheaders(stream_id, body_or_None, final)."},
    {"send", METH_KW(Client_send), METH_VARARGS,
     "send(stream_id, data, final)."},
    {"get_response", METH_KW(Client_get_response), METH_VARARGS,
     "get_response(stream_id=0) -> Response."},
    {"next_push", METH_KW(Client_next_push), METH_VARARGS,
     "next_push(stream_id=0, capture_all=False) -> Push or None."},
    {"ping", METH_KW(Client_ping), METH_VARARGS,
     "ping(timeout=0) -> round-trip time in seconds."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Client_getset[] = {
    {"protocol", (getter)Client_get_protocol, NULL,
     "'h2', 'http/1.1', or None when not connected", NULL},
    {"connected", (getter)Client_get_connected, NULL,
     "True while a connection is open", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject Client_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hyper._hyper.Client",
    .tp_basicsize = sizeof(ClientObject),
    .tp_dealloc = (destructor)Client_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One connection to one origin (hyper_client).",
    .tp_methods = Client_methods,
    .tp_getset = Client_getset,
    .tp_init = (initproc)Client_init,
    .tp_new = PyType_GenericNew,
};

/* ---- Response ----------------------------------------------------------- */

static void Resp_dealloc(RespObject *self) {
  if (self->r) {
    hyper_resp *r = self->r;
    self->r = NULL;
    free_owned(self->owner, r, 0);
  }
  Py_XDECREF(self->owner);
  PyObject_Free(self);
}

static PyObject *Resp_get_status(RespObject *self, void *closure) {
  (void)closure;
  return PyLong_FromLong(hyper_resp_status(self->r));
}

static PyObject *Resp_get_reason(RespObject *self, void *closure) {
  (void)closure;
  return PyUnicode_DecodeLatin1(hyper_resp_reason(self->r),
                                (Py_ssize_t)strlen(hyper_resp_reason(self->r)),
                                NULL);
}

static PyObject *Resp_get_stream_id(RespObject *self, void *closure) {
  (void)closure;
  return PyLong_FromUnsignedLong(hyper_resp_stream_id(self->r));
}

static PyObject *Resp_headers(RespObject *self, PyObject *noargs) {
  (void)noargs;
  /* The map is built on first use, which writes to the stream the
   * connection's other users may be driving: under the client lock. Once
   * built it is never modified, so reading it needs no lock. */
  const hyper_hdrs *h = NULL;
  int rv;
  LOCKED_CALL(self->owner, rv, (h = hyper_resp_headers(self->r), rv = 0));
  (void)rv;
  if (!h)
    return PyErr_NoMemory();
  return hdrs_to_list(h);
}

static PyObject *Resp_set_decode_content(RespObject *self, PyObject *arg) {
  int on = PyObject_IsTrue(arg);
  if (on < 0) return NULL;
  int rv;
  LOCKED_CALL(self->owner, rv,
              rv = hyper_resp_set_decode_content(self->r, on));
  if (rv < 0) return raise_err(self->owner, rv);
  Py_RETURN_NONE;
}

static PyObject *Resp_read(RespObject *self, PyObject *args) {
  Py_ssize_t amt;
  if (!PyArg_ParseTuple(args, "n", &amt)) return NULL;
  if (amt < 0) {
    PyErr_SetString(PyExc_ValueError, "amt must be >= 0");
    return NULL;
  }
  ClientObject *cl = self->owner;
  size_t want = (size_t)amt;
  size_t first = want < READ_PIECE ? want : READ_PIECE;
  PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)first);
  if (!out) return NULL;
  size_t got = 0;
  while (got < want) {
    size_t room = (size_t)PyBytes_GET_SIZE(out) - got;
    if (room == 0) {
      size_t grow = want - got < READ_PIECE ? want - got : READ_PIECE;
      if (_PyBytes_Resize(&out, (Py_ssize_t)(got + grow)) < 0) return NULL;
      room = grow;
    }
    char *dst = PyBytes_AS_STRING(out) + got;
    size_t n = 0;
    int rv;
    LOCKED_CALL(cl, rv, rv = hyper_resp_read(self->r, dst, room, &n));
    got += n;
    if (rv < 0 || cl->exc_type) {
      /* The octets read before the failure (e.g. a TIMEOUT, after which
       * the read may be retried) travel on the exception as .partial. */
      PyObject *partial = NULL;
      if (got)
        partial = PyBytes_FromStringAndSize(PyBytes_AS_STRING(out),
                                            (Py_ssize_t)got);
      Py_DECREF(out);
      raise_err(cl, rv);
      if (partial) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v && PyObject_SetAttrString(v, "partial", partial) < 0)
          PyErr_Clear();
        PyErr_Restore(t, v, tb);
        Py_DECREF(partial);
      }
      return NULL;
    }
    if (n < room) break; /* end of the body */
  }
  if ((size_t)PyBytes_GET_SIZE(out) != got &&
      _PyBytes_Resize(&out, (Py_ssize_t)got) < 0)
    return NULL;
  return out;
}

static PyObject *Resp_read_all(RespObject *self, PyObject *noargs) {
  (void)noargs;
  ClientObject *cl = self->owner;
  hyper_slice body = {NULL, 0};
  int rv;
  PyObject *out = NULL;
  /* Copy out under the lock: the span is owned by the response. */
  Py_BEGIN_ALLOW_THREADS lock_client(cl);
  rv = hyper_resp_read_all(self->r, &body);
  if (rv < 0) cl->err = *hyper_client_last_error(cl->c);
  Py_BLOCK_THREADS
  if (rv == 0 && !cl->exc_type)
    out = PyBytes_FromStringAndSize((const char *)body.ptr,
                                    (Py_ssize_t)body.len);
  Py_UNBLOCK_THREADS
  unlock_client(cl);
  Py_END_ALLOW_THREADS
  if (rv < 0 || cl->exc_type) {
    Py_XDECREF(out);
    return raise_err(cl, rv);
  }
  return out;
}

/* Returns the next chunk as bytes, or None at the end of the body. */
static PyObject *Resp_read_chunk(RespObject *self, PyObject *noargs) {
  (void)noargs;
  ClientObject *cl = self->owner;
  hyper_slice ch = {NULL, 0};
  int rv;
  PyObject *out = NULL;
  Py_BEGIN_ALLOW_THREADS lock_client(cl);
  rv = hyper_resp_read_chunk(self->r, &ch);
  if (rv < 0) cl->err = *hyper_client_last_error(cl->c);
  Py_BLOCK_THREADS
  if (rv == 1 && !cl->exc_type)
    out = PyBytes_FromStringAndSize((const char *)ch.ptr, (Py_ssize_t)ch.len);
  Py_UNBLOCK_THREADS
  unlock_client(cl);
  Py_END_ALLOW_THREADS
  if (rv < 0 || cl->exc_type) {
    Py_XDECREF(out);
    return raise_err(cl, rv);
  }
  if (rv == 0) Py_RETURN_NONE;
  return out;
}

static PyObject *Resp_trailers(RespObject *self, PyObject *noargs) {
  (void)noargs;
  ClientObject *cl = self->owner;
  const hyper_hdrs *t = NULL;
  int rv;
  LOCKED_CALL(cl, rv, rv = hyper_resp_trailers(self->r, &t));
  if (rv < 0 || cl->exc_type) return raise_err(cl, rv);
  return hdrs_to_list(t);
}

static PyObject *Resp_close(RespObject *self, PyObject *args) {
  int socket_close = 0;
  if (!PyArg_ParseTuple(args, "|p", &socket_close)) return NULL;
  int rv;
  LOCKED_CALL(self->owner, rv,
              rv = socket_close ? hyper_resp_close_socket(self->r)
                                : hyper_resp_close(self->r));
  if (rv < 0) return raise_err(self->owner, rv);
  Py_RETURN_NONE;
}

static PyMethodDef Resp_methods[] = {
    {"headers", METH_KW(Resp_headers), METH_NOARGS,
     "headers() -> [(name, value)] as bytes, in order."},
    {"set_decode_content", METH_KW(Resp_set_decode_content), METH_O,
     "set_decode_content(on): before the first read."},
    {"read", METH_KW(Resp_read), METH_VARARGS,
     "read(amt) -> up to amt bytes (fewer only at the end)."},
    {"read_all", METH_KW(Resp_read_all), METH_NOARGS,
     "read_all() -> the rest of the body."},
    {"read_chunk", METH_KW(Resp_read_chunk), METH_NOARGS,
     "read_chunk() -> the next DATA frame / chunk, None at the end."},
    {"trailers", METH_KW(Resp_trailers), METH_NOARGS,
     "trailers() -> [(name, value)] (waits for the end of the stream)."},
    {"close", METH_KW(Resp_close), METH_VARARGS,
     "close(socket_close=False)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Resp_getset[] = {
    {"status", (getter)Resp_get_status, NULL, "status code", NULL},
    {"reason", (getter)Resp_get_reason, NULL, "reason phrase", NULL},
    {"stream_id", (getter)Resp_get_stream_id, NULL, "stream id", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject Resp_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hyper._hyper.Response",
    .tp_basicsize = sizeof(RespObject),
    .tp_dealloc = (destructor)Resp_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A response (hyper_resp); made by Client.get_response().",
    .tp_methods = Resp_methods,
    .tp_getset = Resp_getset,
};

/* ---- Push --------------------------------------------------------------- */

static void Push_dealloc(PushObject *self) {
  if (self->p) {
    hyper_push *p = self->p;
    self->p = NULL;
    free_owned(self->owner, p, 1);
  }
  Py_XDECREF(self->owner);
  PyObject_Free(self);
}

static PyObject *bytes_of(const char *s) {
  return PyBytes_FromStringAndSize(s, (Py_ssize_t)strlen(s));
}

static PyObject *Push_get_method(PushObject *self, void *closure) {
  (void)closure;
  return bytes_of(hyper_push_method(self->p));
}
static PyObject *Push_get_scheme(PushObject *self, void *closure) {
  (void)closure;
  return bytes_of(hyper_push_scheme(self->p));
}
static PyObject *Push_get_authority(PushObject *self, void *closure) {
  (void)closure;
  return bytes_of(hyper_push_authority(self->p));
}
static PyObject *Push_get_path(PushObject *self, void *closure) {
  (void)closure;
  return bytes_of(hyper_push_path(self->p));
}
static PyObject *Push_get_stream_id(PushObject *self, void *closure) {
  (void)closure;
  return PyLong_FromUnsignedLong(hyper_push_stream_id(self->p));
}
static PyObject *Push_get_parent(PushObject *self, void *closure) {
  (void)closure;
  return PyLong_FromUnsignedLong(hyper_push_parent_stream_id(self->p));
}

static PyObject *Push_request_headers(PushObject *self, PyObject *noargs) {
  (void)noargs;
  return hdrs_to_list(hyper_push_request_headers(self->p));
}

static PyObject *Push_get_response(PushObject *self, PyObject *noargs) {
  (void)noargs;
  ClientObject *cl = self->owner;
  hyper_resp *r = NULL;
  int rv;
  LOCKED_CALL(cl, rv, rv = hyper_push_get_response(self->p, &r));
  if (rv < 0 || cl->exc_type) {
    if (rv == 0) {
      LOCKED_CALL(cl, rv, hyper_resp_free(r));
    }
    return raise_err(cl, rv);
  }
  return (PyObject *)resp_wrap(cl, r);
}

static PyObject *Push_cancel(PushObject *self, PyObject *noargs) {
  (void)noargs;
  int rv;
  LOCKED_CALL(self->owner, rv, rv = hyper_push_cancel(self->p));
  if (rv < 0) return raise_err(self->owner, rv);
  Py_RETURN_NONE;
}

static PyMethodDef Push_methods[] = {
    {"request_headers", METH_KW(Push_request_headers), METH_NOARGS,
     "request_headers() -> [(name, value)] of the promised request."},
    {"get_response", METH_KW(Push_get_response), METH_NOARGS,
     "get_response() -> Response (once)."},
    {"cancel", METH_KW(Push_cancel), METH_NOARGS,
     "cancel(): RST_STREAM(CANCEL) the pushed stream."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Push_getset[] = {
    {"method", (getter)Push_get_method, NULL, ":method", NULL},
    {"scheme", (getter)Push_get_scheme, NULL, ":scheme", NULL},
    {"authority", (getter)Push_get_authority, NULL, ":authority", NULL},
    {"path", (getter)Push_get_path, NULL, ":path", NULL},
    {"stream_id", (getter)Push_get_stream_id, NULL, "promised stream", NULL},
    {"parent_stream_id", (getter)Push_get_parent, NULL, "parent stream",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject Push_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hyper._hyper.Push",
    .tp_basicsize = sizeof(PushObject),
    .tp_dealloc = (destructor)Push_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A server push (hyper_push); made by Client.next_push().",
    .tp_methods = Push_methods,
    .tp_getset = Push_getset,
};

/* ---- module ------------------------------------------------------------- */

static PyObject *mod_set_error_factory(PyObject *mod, PyObject *fn) {
  (void)mod;
  if (fn != Py_None && !PyCallable_Check(fn)) {
    PyErr_SetString(PyExc_TypeError, "factory must be callable or None");
    return NULL;
  }
  Py_XDECREF(g_error_factory);
  g_error_factory = NULL;
  if (fn != Py_None) {
    Py_INCREF(fn);
    g_error_factory = fn;
  }
  Py_RETURN_NONE;
}

static PyObject *mod_strerror(PyObject *mod, PyObject *args) {
  (void)mod;
  int code;
  if (!PyArg_ParseTuple(args, "i", &code)) return NULL;
  return PyUnicode_FromString(hyper_strerror(code));
}

static PyMethodDef mod_methods[] = {
    {"_set_error_factory", mod_set_error_factory, METH_O,
     "Registers fn(code, name, desc, h2_code, stream_id, errno) -> "
     "exception instance."},
    {"strerror", mod_strerror, METH_VARARGS, "strerror(code) -> text."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef hyper_module = {
    PyModuleDef_HEAD_INIT, .m_name = "hyper._hyper",
    .m_doc = "hyper's C client (see the hyper package).", .m_size = -1,
    .m_methods = mod_methods};

PyMODINIT_FUNC PyInit__hyper(void);

PyMODINIT_FUNC PyInit__hyper(void) {
  if (PyType_Ready(&Client_Type) < 0 || PyType_Ready(&Resp_Type) < 0 ||
      PyType_Ready(&Push_Type) < 0)
    return NULL;
  PyObject *m = PyModule_Create(&hyper_module);
  if (!m) return NULL;
  Py_INCREF(&Client_Type);
  Py_INCREF(&Resp_Type);
  Py_INCREF(&Push_Type);
  if (PyModule_AddObject(m, "Client", (PyObject *)&Client_Type) < 0 ||
      PyModule_AddObject(m, "Response", (PyObject *)&Resp_Type) < 0 ||
      PyModule_AddObject(m, "Push", (PyObject *)&Push_Type) < 0 ||
      PyModule_AddIntConstant(m, "PROTO_H2", HYPER_CLIENT_PROTO_H2) < 0 ||
      PyModule_AddIntConstant(m, "PROTO_HTTP11", HYPER_CLIENT_PROTO_HTTP11) <
          0 ||
      PyModule_AddIntConstant(m, "PROTO_AUTO", HYPER_CLIENT_PROTO_AUTO) < 0 ||
      PyModule_AddIntConstant(m, "SECURE_AUTO", HYPER_CLIENT_SECURE_AUTO) <
          0) {
    Py_DECREF(m);
    return NULL;
  }
#define HYPER__PY_ERR(name, value, msg)                                      \
  if (PyModule_AddIntConstant(m, "ERR_" #name, value) < 0) {                 \
    Py_DECREF(m);                                                            \
    return NULL;                                                             \
  }
  HYPER_ERR_MAP(HYPER__PY_ERR)
#undef HYPER__PY_ERR
  return m;
}
