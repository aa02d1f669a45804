"""hyper.http11.connection: HTTP11Connection."""
from ..common.connection import BaseConnection
from ..common.response import HTTP11Response
from .. import _hyper


class HTTP11Connection(BaseConnection):
    """
    One HTTP/1.1 connection (kept alive, requests pipelined).

    ``HTTP11Connection(host, port=None, secure=None, **kwargs)``: the port
    defaults to 80; |secure| defaults to TLS exactly when the port is 443.
    Keyword arguments as for HTTP20Connection (no window manager, no push).
    """

    _protocol = _hyper.PROTO_HTTP11
    _default_secure = None

    def __init__(self, host, port=None, secure=None, **kwargs):
        kwargs.pop('window_manager', None)
        kwargs.pop('enable_push', None)
        super().__init__(host, port=port, secure=secure, **kwargs)

    def request(self, method, url, body=None, headers=None, data=None):
        """Sends a request; returns None (HTTP/1.1 has no streams).
        Responses come back in order from get_response(). Arguments as for
        HTTP20Connection.request()."""
        self._request(method, url, body if data is None else data, headers)

    def _response(self, cresp):
        return HTTP11Response(self, cresp)
