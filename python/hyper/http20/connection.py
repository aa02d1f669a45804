"""hyper.http20.connection: HTTP20Connection."""
from ..common.connection import BaseConnection, _b, _s
from ..common.response import HTTP20Response, HTTP20Push
from .. import _hyper


class HTTP20Connection(BaseConnection):
    """
    One HTTP/2 connection to one server (http.client-like).

    ``HTTP20Connection(host, port=None, window_manager=None,
    enable_push=False, secure=True, **kwargs)``: |host| may carry the port
    ("example.com:8443"); the port defaults to 443. ``secure=False`` speaks
    cleartext HTTP/2 with prior knowledge (h2c). |window_manager| is a
    BaseFlowControlManager subclass (the class itself). Other keyword
    arguments: verify (False disables certificate checks; a path names a
    CA bundle), ca_file, cert_file, key_file, timeout (seconds or
    (connect, read)), request_timeout, network_buffer_size,
    max_concurrent_streams, decode_content, ssl_context (only its
    verify_mode is honoured).
    """

    _protocol = _hyper.PROTO_H2
    _default_secure = True

    def request(self, method, url, body=None, headers=None, data=None):
        """Sends a request; returns its stream id. |body| (or its alias
        |data|): str (UTF-8), bytes, or a file-like object / iterable (then
        set content-length yourself). content-length is set for str and
        bytes bodies. |headers|: dict, HTTPHeaderMap or pairs; str or bytes
        names and values, a list value gives one field per element."""
        return self._request(method, url, body if data is None else data,
                             headers)

    def putrequest(self, method, selector, **kwargs):
        """Starts a request; returns its stream id. Nothing is sent until
        endheaders()."""
        return self._c().putrequest(_s(method, 'method'),
                                    _s(selector, 'selector'))

    def putheader(self, header, argument, stream_id=None):
        """Queues the header |header|: |argument| on the request being
        built (connection-specific headers such as Connection are
        dropped)."""
        self._c().putheader(stream_id or 0, _b(header, 'name'), _b(argument))

    def endheaders(self, message_body=None, final=False, stream_id=None):
        """Sends the queued headers and, if given, |message_body|; with
        |final| the request ends, otherwise continue with send()."""
        if isinstance(message_body, str):
            message_body = message_body.encode('utf-8')
        self._c().endheaders(stream_id or 0, message_body, bool(final))

    def send(self, data, final=False, stream_id=None):
        """Sends request body data (within flow control); |final| ends the
        request."""
        if isinstance(data, str):
            data = data.encode('utf-8')
        self._c().send(stream_id or 0, data, bool(final))

    def _response(self, cresp):
        return HTTP20Response(self, cresp)

    def get_pushes(self, stream_id=None, capture_all=False):
        """A generator of the pushes promised on request |stream_id| (the
        latest request by default) not handed out before. Without
        |capture_all| it yields what has arrived; with it, it also waits for
        more until that request's response has ended."""
        c = self._c()
        while True:
            p = c.next_push(stream_id or 0, bool(capture_all))
            if p is None:
                return
            yield HTTP20Push(self, p)

    def read(self, stream_id=None):
        """Reads the rest of the body of the response last returned by
        get_response() (kept for the seed documentation's server-push
        example, which calls conn.read()). Returns the bytes."""
        r = self._last_response
        if r is None:
            raise RuntimeError('no response to read')
        return r.read()

    def ping(self, timeout=0):
        """Sends a PING and returns the round-trip time in seconds."""
        return self._c().ping(timeout)
