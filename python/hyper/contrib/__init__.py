"""
hyper.contrib: HTTP20Adapter, a transport adapter for requests.

    >>> import requests
    >>> from hyper.contrib import HTTP20Adapter
    >>> s = requests.Session()
    >>> s.mount('https://example.com', HTTP20Adapter())
    >>> s.get('https://example.com/get').status_code

URL schemes: https:// and h2:// use TLS (ALPN h2); http:// and h2c:// use
cleartext HTTP/2 with prior knowledge. One HTTP20Connection is kept per
origin and TLS setting (``connections``) and shared by every request, from
any thread. ``verify`` (bool or CA bundle path), ``cert`` (path to a PEM
holding certificate and key, or a (cert, key) pair), ``timeout`` (seconds or
(connect, read)) and ``stream`` are honoured; responses are real
requests.Response objects with headers, cookies, and a file-like ``raw``.
"""
import http.client
import threading
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from requests import exceptions as rexc

from ..common import exceptions as _ce
from ..http20 import exceptions as _he
from ..http20.connection import HTTP20Connection

__all__ = ['HTTP20Adapter']

_TLS_SCHEMES = {'https': 443, 'h2': 443}
_CLEAR_SCHEMES = {'http': 80, 'h2c': 80}


class _OriginalResponse(object):
    """What requests' cookie code and HTTPie read from
    raw._original_response: msg (an http.client.HTTPMessage), version,
    status, reason."""

    def __init__(self, resp, version):
        self.msg = http.client.HTTPMessage()
        for name, value in resp.headers.iter_raw():
            self.msg[name.decode('latin-1')] = value.decode('latin-1')
        self.version = version
        self.status = resp.status
        self.reason = resp.reason

    def isclosed(self):
        return True


class _RawResponse(object):
    """The file-like ``raw`` of a requests.Response built by HTTP20Adapter
    (the subset of urllib3's HTTPResponse that requests and HTTPie use).
    read() returns the body undecoded unless decode_content=True, like
    urllib3; iter_content() decodes."""

    def __init__(self, resp):
        self._resp = resp
        self.status = resp.status
        self.reason = resp.reason
        self.version = 20
        self.headers = resp.headers
        self.decode_content = False
        self._original_response = _OriginalResponse(resp, 20)
        self._fp = self
        self.closed = False
        self._pending = b''

    def _decode(self, decode_content):
        return self.decode_content if decode_content is None \
            else bool(decode_content)

    def read(self, amt=None, decode_content=None, cache_content=False):
        data = self._resp.read(amt, decode_content=self._decode(
            decode_content))
        return data

    def stream(self, amt=2 ** 16, decode_content=None):
        """Yields the body as it arrives, in pieces of at most |amt|."""
        for chunk in self._resp.read_chunked(
                decode_content=self._decode(decode_content)):
            if not chunk:
                continue
            if not amt:
                yield chunk
                continue
            for i in range(0, len(chunk), amt):
                yield chunk[i:i + amt]

    def readable(self):
        return True

    def release_conn(self):
        pass

    def close(self):
        if not self.closed:
            self.closed = True
            self._resp.close()

    def isclosed(self):
        return self.closed

    def getheaders(self):
        return self.headers

    def __iter__(self):
        return self.stream()


def _join_headers(hmap):
    """requests' headers: one entry per name, values joined with ', '."""
    out = CaseInsensitiveDict()
    for name, value in hmap.iter_raw():
        n, v = name.decode('latin-1'), value.decode('latin-1')
        out[n] = out[n] + ', ' + v if n in out else v
    return out


class HTTP20Adapter(BaseAdapter):
    """A requests transport adapter that sends requests over HTTP/2 with
    hyper, pooling one connection per origin."""

    def __init__(self, *args, window_manager=None, **kwargs):
        super().__init__()
        #: A mapping from (scheme-class, host, port, tls settings) to
        #: HTTP20Connection objects.
        self.connections = {}
        self._window_manager = window_manager
        self._lock = threading.Lock()

    def get_connection(self, netloc, scheme='https', verify=True, cert=None,
                       timeout=None):
        """Gets (or makes) the HTTP20Connection for |netloc| ("host:port" or
        "host") under |scheme|."""
        scheme = (scheme or 'https').lower()
        if scheme in _TLS_SCHEMES:
            secure, default_port = True, _TLS_SCHEMES[scheme]
        elif scheme in _CLEAR_SCHEMES:
            secure, default_port = False, _CLEAR_SCHEMES[scheme]
        else:
            raise rexc.InvalidSchema('HTTP20Adapter cannot send %s:// URLs'
                                     % scheme)
        parts = urlsplit('//' + netloc)
        host = parts.hostname
        if not host:
            raise rexc.InvalidURL('no host in %r' % netloc)
        port = parts.port or default_port
        if ':' in host:
            host = '[%s]' % host
        if isinstance(cert, (tuple, list)):
            cert_file, key_file = cert
        else:
            cert_file = key_file = cert
        ca_file = verify if isinstance(verify, str) else None
        key = (secure, host, port, verify is False, ca_file, cert_file,
               key_file, timeout if not isinstance(timeout, list)
               else tuple(timeout))
        with self._lock:
            conn = self.connections.get(key)
            if conn is None:
                conn = HTTP20Connection(
                    host, port=port, secure=secure,
                    window_manager=self._window_manager,
                    verify=verify if secure else True, ca_file=ca_file,
                    cert_file=cert_file, key_file=key_file,
                    timeout=timeout)
                self.connections[key] = conn
            return conn

    def send(self, request, stream=False, timeout=None, verify=True,
             cert=None, proxies=None, **kwargs):
        """Sends a requests.PreparedRequest over HTTP/2 and returns a
        requests.Response."""
        parts = urlsplit(request.url)
        conn = self.get_connection(parts.netloc, parts.scheme, verify, cert,
                                   timeout)
        path = parts.path or '/'
        if parts.query:
            path += '?' + parts.query
        headers = [(k, v) for k, v in request.headers.items()]
        body = request.body
        try:
            try:
                sid = conn.request(request.method, path, body, headers)
                resp = conn.get_response(sid)
            except _he.ConnectionError:
                # GOAWAY or a dead connection: one retry on a new one.
                conn.close()
                if hasattr(body, 'seek'):
                    body.seek(0)
                elif body is not None and not isinstance(
                        body, (bytes, str, bytearray)):
                    raise
                sid = conn.request(request.method, path, body, headers)
                resp = conn.get_response(sid)
        except _ce.SocketTimeout as e:
            if conn.protocol is None:
                raise rexc.ConnectTimeout(e, request=request)
            raise rexc.ReadTimeout(e, request=request)
        except _ce.TLSError as e:
            raise rexc.SSLError(e, request=request)
        except (_ce.SocketError, _he.HTTP20Error) as e:
            raise rexc.ConnectionError(e, request=request)
        r = self.build_response(request, resp)
        if not stream:
            r.content  # noqa: B018  (reads the body now)
        return r

    def build_response(self, request, resp):
        """Builds a requests.Response from an HTTP20Response: status,
        headers (values of repeated names joined with ', '), reason, url,
        encoding, cookies, and ``raw`` for streaming."""
        response = requests.Response()
        response.status_code = resp.status
        response.headers = _join_headers(resp.headers)
        response.raw = _RawResponse(resp)
        response.reason = resp.reason or http.client.responses.get(
            resp.status, '')
        response.encoding = get_encoding_from_headers(response.headers)
        url = request.url
        response.url = url.decode('utf-8') if isinstance(url, bytes) else url
        response.request = request
        response.connection = self
        extract_cookies_to_jar(response.cookies, request, response.raw)
        return response

    def close(self):
        """Closes every pooled connection."""
        with self._lock:
            conns = list(self.connections.values())
            self.connections.clear()
        for c in conns:
            c.close()
