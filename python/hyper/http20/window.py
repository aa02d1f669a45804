"""
hyper.http20.window: flow-control window managers.

Pass a *class* (not an instance) as ``window_manager`` to HTTP20Connection:
the C core creates one instance for the connection and one per stream, with
``cls(initial_window_size)``, sets ``stream_id`` (0: the connection), keeps
``window_size``, ``initial_window_size`` and ``document_size`` current
before every call, and sends the WINDOW_UPDATE frames your methods ask for.

``increase_window_size(frame_size)`` is called as the application reads
response data (hyper acknowledges data when it is read, so frame_size counts
octets read; padding counts at once), before window_size is decremented by
it; ``blocked()`` when the peer cannot send any more on that window. Both
return the increment to send, or 0. They run on the thread that made the
call that is reading, with the GIL held and the connection locked: do not
use the same connection from inside them.
"""

__all__ = ['BaseFlowControlManager', 'FlowControlManager']

# RFC 9113 §6.9.1: the largest window and increment.
_MAX_WINDOW = 2 ** 31 - 1


class BaseFlowControlManager(object):
    """
    The abstract base class for flow control managers. Subclasses implement
    increase_window_size() and may override blocked(). They must not change
    the member variables: hyper sets them.
    """

    def __init__(self, initial_window_size, document_size=None):
        #: The initial size of the window in bytes.
        self.initial_window_size = initial_window_size
        #: The current size of the window.
        self.window_size = initial_window_size
        #: The size of the document being retrieved (content-length), or
        #: None when unknown.
        self.document_size = document_size
        #: The stream this manager serves (0: the connection).
        self.stream_id = None

    def increase_window_size(self, frame_size):
        """Returns how much to increase the receive window after
        |frame_size| octets were taken in (0: none)."""
        raise NotImplementedError(
            'FlowControlManager is an abstract base class')

    def blocked(self):
        """Called when the peer cannot send on this window; returns the
        increment to send (0: none). Default: refill to the initial size."""
        return max(0, self.initial_window_size - self.window_size)

    def _handle_frame(self, frame_size):
        """Pure-Python bookkeeping (used when a manager is driven by hand,
        e.g. in tests): asks increase_window_size(), then applies the frame
        and the increment to window_size as hyper's core does."""
        increment = self.increase_window_size(frame_size)
        increment = max(0, min(int(increment or 0), _MAX_WINDOW))
        self.window_size -= frame_size
        self.window_size += increment
        return increment


class FlowControlManager(BaseFlowControlManager):
    """
    hyper's default flow control manager: when the window would fall below
    a quarter of its initial size, or below 1 kB, refill it to the initial
    size; otherwise send nothing. (The C core uses the same policy in C when
    no manager class is given.)
    """

    def increase_window_size(self, frame_size):
        future = self.window_size - frame_size
        if future < self.initial_window_size // 4 or future < 1024:
            return self.initial_window_size - future
        return 0
