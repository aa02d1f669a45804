"""
The connection classes on top of the C client (hyper._hyper.Client).

HTTP20Connection, HTTP11Connection and HTTPConnection share this code; they
differ in the protocol they ask the C client to speak and in the response
class they hand out.

Threads: the C client is created on first use. Every call on a connection,
or on a response or push it gave out, runs with the GIL released and holds a
per-connection lock for the duration of the C call, network waits
included. Objects may therefore be shared between threads: calls on one
connection are serialised (one of them waits while another reads from the
socket), calls on different connections run in parallel. Over HTTP/2 several
threads may each make a request and read its response on one connection;
a multi-call sequence (putrequest / putheader / endheaders, or reading one
response in several calls) is not atomic, so give each thread its own
stream id and do not start piecewise requests from two threads at once.
"""
import threading

from . import exceptions as _ce
from .headers import HTTPHeaderMap
from .. import _hyper
from .. import _errors  # noqa: F401  (registers the exception factory)
from ..http20.window import BaseFlowControlManager, FlowControlManager

# Body pieces handed to the C library per read of a file-like body.
_UPLOAD_PIECE = 65536


def _b(x, what='value'):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode('utf-8')
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x).encode('ascii')
    raise TypeError('header %s must be str or bytes, not %s'
                    % (what, type(x).__name__))


def _s(x, what):
    if isinstance(x, str):
        return x
    if isinstance(x, (bytes, bytearray)):
        return bytes(x).decode('latin-1')
    raise TypeError('%s must be str or bytes, not %s'
                    % (what, type(x).__name__))


def header_pairs(headers):
    """Turns a dict, HTTPHeaderMap, or sequence of pairs into a list of
    (bytes, bytes); a list or tuple value gives one field per element."""
    if headers is None:
        return None
    if isinstance(headers, HTTPHeaderMap):
        return [(k, v) for k, v in headers.iter_raw()]
    items = headers.items() if hasattr(headers, 'items') else headers
    out = []
    for name, value in items:
        if isinstance(value, (list, tuple)):
            for v in value:
                out.append((_b(name, 'name'), _b(v)))
        else:
            out.append((_b(name, 'name'), _b(value)))
    return out


def _timeouts(timeout):
    """(connect, read) seconds from a number, a pair, or None (0: default)."""
    if timeout is None:
        return 0.0, 0.0
    if isinstance(timeout, (tuple, list)):
        c, r = timeout
        return float(c or 0), float(r or 0)
    return float(timeout), float(timeout)


class _Reader(object):
    """Adapts a file-like object or an iterable of chunks to the C body
    callback read(n) -> bytes (b'' at the end)."""

    def __init__(self, body):
        self._file = body if hasattr(body, 'read') else None
        self._iter = None if self._file else iter(body)
        self._rest = b''

    def __call__(self, n):
        n = min(n, _UPLOAD_PIECE)
        if self._file is not None:
            data = self._file.read(n)
            return _b(data) if data else b''
        while not self._rest:
            try:
                self._rest = _b(next(self._iter))
            except StopIteration:
                return b''
        data, self._rest = self._rest[:n], self._rest[n:]
        return data


class BaseConnection(object):
    """The shared implementation; see HTTP20Connection."""

    _protocol = _hyper.PROTO_H2
    _default_secure = True

    def __init__(self, host, port=None, window_manager=None,
                 enable_push=False, secure=None, ssl_context=None,
                 verify=True, ca_file=None, cert_file=None, key_file=None,
                 timeout=None, network_buffer_size=None,
                 max_concurrent_streams=0, request_timeout=None,
                 decode_content=True, proxy_host=None, proxy_port=None,
                 **kwargs):
        if not isinstance(host, str) or not host:
            raise TypeError('host must be a non-empty str')
        if port is not None and (not isinstance(port, int) or
                                 isinstance(port, bool) or
                                 not 0 < port < 65536):
            raise ValueError('port must be an int in 1..65535')
        if window_manager is not None and not (
                isinstance(window_manager, type) and
                issubclass(window_manager, BaseFlowControlManager)):
            raise TypeError('window_manager must be a subclass of '
                            'BaseFlowControlManager (the class itself)')
        if proxy_host is not None:
            raise _ce.UnsupportedError('proxies are not supported')
        self.host = host
        self.port = port
        self.secure = self._default_secure if secure is None else secure
        self.window_manager = window_manager
        self.enable_push = bool(enable_push)
        #: Size of the in-memory buffer for data from the network; takes
        #: effect when the connection is created (first use). 64 kB.
        self.network_buffer_size = network_buffer_size or 65536
        insecure = verify is False
        if ssl_context is not None:
            import ssl
            if ssl_context.verify_mode == ssl.CERT_NONE:
                insecure = True
        if isinstance(verify, str):
            ca_file = verify
        self._opts = dict(enable_push=self.enable_push, ca_file=ca_file,
                          cert_file=cert_file, key_file=key_file,
                          insecure=insecure, decode_content=decode_content,
                          max_concurrent_streams=max_concurrent_streams)
        self._connect_timeout, self._read_timeout = _timeouts(timeout)
        self._request_timeout = float(request_timeout or 0)
        self._client = None
        self._create_lock = threading.Lock()
        self._last_response = None

    # -- the C client ---------------------------------------------------
    def _c(self):
        c = self._client
        if c is not None:
            return c
        with self._create_lock:
            if self._client is None:
                wm = self.window_manager
                if wm is FlowControlManager:
                    wm = None  # the same policy, in C
                if self.secure is None:
                    secure = _hyper.SECURE_AUTO
                else:
                    secure = 1 if self.secure else 0
                self._client = _hyper.Client(
                    self.host, port=self.port or 0, secure=secure,
                    protocol=self._protocol, window_manager=wm,
                    network_buffer_size=self.network_buffer_size,
                    connect_timeout=self._connect_timeout,
                    read_timeout=self._read_timeout,
                    request_timeout=self._request_timeout, **self._opts)
            return self._client

    @property
    def protocol(self):
        """'h2' or 'http/1.1' while connected, else None."""
        return None if self._client is None else self._client.protocol

    def connect(self):
        """Connects to the server now; a no-op when already connected."""
        self._c().connect()

    def close(self):
        """Closes the connection (GOAWAY over HTTP/2). Responses obtained
        from it keep what they received; further reads fail. The next
        request opens a new connection."""
        if self._client is not None:
            self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- requests -------------------------------------------------------
    def _request(self, method, url, body=None, headers=None):
        method = _s(method, 'method')
        url = _s(url, 'url')
        hdrs = header_pairs(headers)
        c = self._c()
        if body is None:
            return c.request(method, url, None, hdrs)
        if isinstance(body, str):
            body = body.encode('utf-8')
        if isinstance(body, (bytes, bytearray, memoryview)):
            return c.request(method, url, body, hdrs)
        if hasattr(body, 'read') or hasattr(body, '__iter__'):
            return c.request_stream(method, url, hdrs, _Reader(body))
        raise TypeError('body must be str, bytes, a file-like object or an '
                        'iterable of bytes')

    def _response(self, cresp):
        raise NotImplementedError

    def get_response(self, stream_id=None):
        """Returns the response to request |stream_id|, or to the oldest
        request whose response was not fetched yet."""
        r = self._response(self._c().get_response(stream_id or 0))
        self._last_response = r
        return r

    getresponse = get_response
