"""Maps the C library's error codes to hyper's exception classes."""
from . import _hyper
from .common import exceptions as ce
from .http20 import exceptions as he


def _class_for(name):
    if name == 'INVALID_ARGUMENT':
        return ce.InvalidArgumentError
    if name == 'INVALID_STATE':
        return ce.InvalidStateError
    if name in ('LIMIT_EXCEEDED', 'BUFFER_TOO_SMALL'):
        return ce.LimitExceededError
    if name == 'UNSUPPORTED':
        return ce.UnsupportedError
    if name == 'TIMEOUT' or name == 'H2_SETTINGS_TIMEOUT':
        return ce.SocketTimeout
    if name.startswith('TLS'):
        return ce.TLSError
    if name in ('CONNECT', 'RESOLVE', 'EOF', 'IO'):
        return ce.SocketError
    if name == 'H1_CHUNKED':
        return ce.ChunkedDecodeError
    if name.startswith('H1_'):
        return ce.InvalidResponseError
    if name.startswith('DECODE_') or name == 'UNSUPPORTED_ENCODING':
        return ce.ContentDecodingError
    if name.startswith('HPACK'):
        return he.HPACKDecodingError
    if name in ('H2_STREAM_CLOSED', 'H2_REFUSED_STREAM'):
        return he.StreamResetError
    if name in ('H2_PROTOCOL', 'H2_FRAME_SIZE', 'H2_FLOW_CONTROL',
                'H2_HEADER', 'H2_FLOOD'):
        return he.ProtocolError
    if name.startswith('H2_'):
        return he.ConnectionError
    return ce.HyperError


def make_error(code, name, desc, h2_code, stream_id, sys_errno):
    """Builds the exception for a failed C call (registered with the
    extension)."""
    cls = _class_for(name)
    exc = cls('%s (%s)' % (desc, name))
    exc.code = code
    exc.name = name
    exc.h2_code = h2_code
    exc.stream_id = stream_id
    exc.sys_errno = sys_errno
    return exc


_hyper._set_error_factory(make_error)
