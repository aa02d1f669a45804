"""
hyper.common.exceptions: the exceptions every part of hyper raises.

Every error that comes from the C library is a HyperError carrying
``code`` (the negative hyper_err value), ``name`` ("TIMEOUT"),
``h2_code`` (the HTTP/2 error code sent or received, 0 if none),
``stream_id`` (0: the connection) and ``sys_errno``. Subclasses also derive
from the matching built-in exception so that generic handlers work:

    InvalidArgumentError  ValueError     bad arguments (also TypeError for
                                         wrong types, raised before any I/O)
    InvalidStateError     RuntimeError   call not allowed now (e.g. reading a
                                         closed response)
    SocketError           OSError        connect / resolve / I/O / EOF
      SocketTimeout       TimeoutError   a deadline passed
      TLSError            OSError        handshake, verification, ALPN
    InvalidResponseError  ValueError     malformed HTTP/1.1 response
      ChunkedDecodeError                 malformed chunked body
    ContentDecodingError                 gzip/deflate/brotli body errors
    LimitExceededError                   a configured limit
    UnsupportedError      NotImplementedError
"""


class HyperError(Exception):
    """Base class of every exception raised by hyper."""
    code = 0
    name = ''
    h2_code = 0
    stream_id = 0
    sys_errno = 0


class InvalidArgumentError(HyperError, ValueError):
    """An argument was rejected (HYPER_ERR_INVALID_ARGUMENT)."""


class InvalidStateError(HyperError, RuntimeError):
    """The call is not allowed in the current state."""


class SocketError(HyperError, OSError):
    """Connecting, resolving, or the socket failed, or the peer closed."""


class SocketTimeout(SocketError, TimeoutError):
    """A connect, read or request deadline passed."""


class TLSError(SocketError):
    """TLS failed: handshake, certificate verification, or ALPN."""


class InvalidResponseError(HyperError, ValueError):
    """The server's HTTP/1.1 response could not be parsed."""


class ChunkedDecodeError(InvalidResponseError):
    """A chunked HTTP/1.1 body was malformed."""


class ContentDecodingError(HyperError):
    """A compressed body could not be decoded (or looked like a bomb)."""


class LimitExceededError(HyperError):
    """A configured limit was exceeded."""


class UnsupportedError(HyperError, NotImplementedError):
    """The operation is not supported (e.g. push over HTTP/1.1)."""
