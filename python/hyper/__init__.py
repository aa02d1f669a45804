"""
hyper: HTTP/2 (and HTTP/1.1) for Python, on hyper's C library.

    >>> from hyper import HTTP20Connection
    >>> c = HTTP20Connection('example.com')
    >>> c.request('GET', '/')
    1
    >>> resp = c.get_response()
    >>> resp.status, resp.headers['content-type'], resp.read()

See doc/python.md in the source tree.
"""
from .common.connection import BaseConnection  # noqa: F401
from .common.headers import HTTPHeaderMap
from .common.httpconnection import HTTPConnection
from .common.response import HTTP11Response, HTTP20Push, HTTP20Response
from .common.exceptions import HyperError
from .http11.connection import HTTP11Connection
from .http20.connection import HTTP20Connection
from .http20.window import BaseFlowControlManager, FlowControlManager

__all__ = ['HTTP20Connection', 'HTTP11Connection', 'HTTPConnection',
           'HTTP20Response', 'HTTP11Response', 'HTTP20Push', 'HTTPHeaderMap',
           'BaseFlowControlManager', 'FlowControlManager', 'HyperError']
__version__ = '0.1.0'
