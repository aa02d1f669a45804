"""
hyper.http20.exceptions: the HTTP/2 exceptions of hyper's documentation.

    HTTP20Error                 base of every HTTP/2 error
      HPACKEncodingError        HPACK encoding failed
      HPACKDecodingError        the peer's HPACK block was bad
      ConnectionError           the connection failed or is going away
        ProtocolError           the peer broke the protocol
      StreamResetError          a stream was reset (refused or cancelled)
"""
from ..common.exceptions import HyperError


class HTTP20Error(HyperError):
    """The base class for all of hyper's HTTP/2-related exceptions."""


class HPACKEncodingError(HTTP20Error):
    """An error was encountered while performing HPACK encoding."""


class HPACKDecodingError(HTTP20Error):
    """An error was encountered while performing HPACK decoding."""


class ConnectionError(HTTP20Error):
    """The remote party signalled an error affecting the entire HTTP/2
    connection, and the connection has been closed."""


class ProtocolError(ConnectionError):
    """The remote party violated the HTTP/2 protocol."""


class StreamResetError(HTTP20Error):
    """A stream was reset (RST_STREAM) or refused before it completed."""
