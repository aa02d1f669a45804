"""The response and push classes over hyper._hyper.Response / Push."""
from .exceptions import HyperError
from .headers import HTTPHeaderMap


class BaseResponse(object):
    """Shared by HTTP20Response and HTTP11Response."""

    version = 20

    def __init__(self, connection, cresp):
        self._conn = connection  # keeps the connection object alive
        self._r = cresp
        #: The status code returned by the server.
        self.status = cresp.status
        #: The reason phrase ('' in HTTP/2).
        self.reason = cresp.reason
        #: The response headers (HTTPHeaderMap), set once.
        self.headers = HTTPHeaderMap(cresp.headers())
        self._trailers = None
        self._decode = True
        self._read_started = False
        self._pending = b''
        self.closed = False

    @property
    def stream_id(self):
        return self._r.stream_id

    def _set_decode(self, decode_content):
        decode_content = bool(decode_content)
        if decode_content != self._decode:
            self._r.set_decode_content(decode_content)
            self._decode = decode_content
        self._read_started = True

    def read(self, amt=None, decode_content=True):
        """Reads the rest of the body, or up to |amt| bytes (fewer only at
        its end; b'' once it has ended). With decode_content the
        content-encoding (gzip, deflate, br) is undone; choose before the
        first read."""
        if amt is not None and (not isinstance(amt, int) or amt < 0):
            raise ValueError('amt must be a non-negative int')
        self._set_decode(decode_content)
        pending, self._pending = self._pending, b''
        if amt is not None and len(pending) >= amt:
            self._pending = pending[amt:]
            return pending[:amt]
        try:
            if amt is None:
                data = self._r.read_all()
            else:
                data = self._r.read(amt - len(pending))
        except HyperError as e:
            # Keep what arrived before a failure such as a timeout: a
            # retried read returns it first.
            self._pending = pending + getattr(e, 'partial', b'')
            raise
        return pending + data

    def read_chunked(self, decode_content=True):
        """A generator of the body as it arrived: one item per DATA frame
        (HTTP/2) or chunk (HTTP/1.1), decoded if asked; items may be
        empty."""
        self._set_decode(decode_content)
        if self._pending:
            pending, self._pending = self._pending, b''
            yield pending
        while True:
            chunk = self._r.read_chunk()
            if chunk is None:
                return
            yield chunk

    @property
    def trailers(self):
        """The trailer fields (HTTPHeaderMap, empty when none). Waits for
        the end of the stream; unread body data is kept in memory."""
        if self._trailers is None:
            self._trailers = HTTPHeaderMap(self._r.trailers())
        return self._trailers

    def fileno(self):
        """Not implemented: the socket belongs to the C library."""
        raise NotImplementedError('fileno() is not available')

    def close(self):
        """Closes the response (resets the stream if the body has not
        ended). Headers stay readable."""
        self._r.close()
        self.closed = True

    def __iter__(self):
        return self.read_chunked()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return '<%s [%d]>' % (type(self).__name__, self.status)


class HTTP20Response(BaseResponse):
    """An HTTP/2 response: status, reason (always ''), headers, read(),
    read_chunked(), trailers, close(); iterable (by chunk) and a context
    manager."""


class HTTP11Response(BaseResponse):
    """An HTTP/1.1 response; as HTTP20Response, with the server's reason
    phrase, and close(socket_close=False)."""

    version = 11

    def close(self, socket_close=False):
        """Closes the response; with socket_close also the connection (an
        unfinished body always closes the connection)."""
        self._r.close(bool(socket_close))
        self.closed = True


class HTTP20Push(object):
    """A request-response pair the server pushed (see
    HTTP20Connection.get_pushes())."""

    def __init__(self, connection, cpush):
        self._conn = connection
        self._p = cpush
        #: The method of the simulated request (b'GET').
        self.method = cpush.method
        #: The scheme of the simulated request.
        self.scheme = cpush.scheme
        #: The authority (usually host:port). Not checked against the
        #: origin: do not trust pushed data without checking it.
        self.authority = cpush.authority
        #: The path of the simulated request.
        self.path = cpush.path
        #: Every field of the promised request, pseudo-headers included.
        self.request_headers = HTTPHeaderMap(cpush.request_headers())
        self.stream_id = cpush.stream_id

    def get_response(self):
        """The pushed response (HTTP20Response); once."""
        return HTTP20Response(self._conn, self._p.get_response())

    def cancel(self):
        """Cancels the pushed stream (RST_STREAM CANCEL)."""
        self._p.cancel()

    def __repr__(self):
        return '<HTTP20Push %s %s>' % (self.method.decode('latin-1'),
                                       self.path.decode('latin-1'))
