"""HTTPConnection: HTTP/2 or HTTP/1.1, whichever the server picks."""
from .connection import BaseConnection
from .response import HTTP11Response, HTTP20Response, HTTP20Push
from .. import _hyper


class HTTPConnection(BaseConnection):
    """
    A connection that speaks HTTP/2 when the server selects it with ALPN
    (TLS) and HTTP/1.1 otherwise (always HTTP/1.1 over cleartext).
    ``HTTPConnection(host, port=None, secure=None, window_manager=None,
    enable_push=False, **kwargs)``; |secure| defaults to TLS on port 443.
    request() returns the stream id over HTTP/2 and None over HTTP/1.1;
    get_response() returns an HTTP20Response or an HTTP11Response.
    """

    _protocol = _hyper.PROTO_AUTO
    _default_secure = None

    def request(self, method, url, body=None, headers=None, data=None):
        sid = self._request(method, url, body if data is None else data,
                            headers)
        return sid if self.protocol == 'h2' else None

    def _response(self, cresp):
        if self.protocol == 'h2':
            return HTTP20Response(self, cresp)
        return HTTP11Response(self, cresp)

    def get_pushes(self, stream_id=None, capture_all=False):
        c = self._c()
        while True:
            p = c.next_push(stream_id or 0, bool(capture_all))
            if p is None:
                return
            yield HTTP20Push(self, p)
