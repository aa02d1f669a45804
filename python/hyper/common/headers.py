"""
hyper.common.headers: HTTPHeaderMap, the header container of hyper's
responses (and accepted for requests).

Names and values always come out as bytes; str is accepted and encoded as
UTF-8. Names compare case-insensitively. Duplicates are kept, in order.
Looking a name up returns the list of its values, where a value holding
commas counts as several values (``a, b`` gives ``[b'a', b'b']``), except for
set-cookie, whose values may contain commas.

This is not a dict: insertion is O(1), everything else O(n).
"""
import collections.abc

__all__ = ['HTTPHeaderMap', 'canonical_form']


def _to_bytes(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode('utf-8')
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    if isinstance(x, int):
        return str(x).encode('ascii')
    raise TypeError('header names and values must be str or bytes, not %s'
                    % type(x).__name__)


def canonical_form(name, value):
    """Yields (lowercase name, value) pairs: the value split at commas and
    stripped, except for set-cookie whose value is kept whole."""
    name = name.lower()
    if name == b'set-cookie':
        yield name, value
        return
    for part in value.split(b','):
        yield name, part.strip()


class HTTPHeaderMap(collections.abc.MutableMapping):
    """
    An ordered multi-map of HTTP header fields.

    ``HTTPHeaderMap(iterable_of_pairs_or_mapping, **kwargs)``. Iteration over
    the map yields the name of every entry (duplicates included, so it has
    the same length as ``len()``); ``items()`` gives the (name, value)
    entries; ``map[name]`` the list of values of a name (split at commas);
    ``iter_raw()`` the entries exactly as they were added.
    """

    def __init__(self, *args, **kwargs):
        self._items = []
        for arg in args:
            self._extend(arg)
        if kwargs:
            self._extend(kwargs)

    def _extend(self, other):
        if isinstance(other, HTTPHeaderMap):
            self._items.extend(other._items)
            return
        if hasattr(other, 'keys') and hasattr(other, 'items'):
            other = other.items()
        for name, value in other:
            self.add(name, value)

    # -- mapping protocol ---------------------------------------------------
    def __getitem__(self, key):
        key = _to_bytes(key).lower()
        values = []
        for k, v in self._items:
            if k.lower() == key:
                values.extend(x[1] for x in canonical_form(k, v))
        if not values:
            raise KeyError('Nonexistent header key: %r' % (key,))
        return values

    def __setitem__(self, key, value):
        """Replaces every entry named |key| by one (or, for a list value,
        one per element)."""
        if key in self:
            del self[key]
        if isinstance(value, (list, tuple)):
            for v in value:
                self.add(key, v)
        else:
            self.add(key, value)

    def __delitem__(self, key):
        key = _to_bytes(key).lower()
        kept = [(k, v) for k, v in self._items if k.lower() != key]
        if len(kept) == len(self._items):
            raise KeyError('Nonexistent header key: %r' % (key,))
        self._items = kept

    def __iter__(self):
        for k, _ in self._items:
            yield k

    def __len__(self):
        return len(self._items)

    def __contains__(self, key):
        try:
            key = _to_bytes(key).lower()
        except TypeError:
            return False
        return any(k.lower() == key for k, _ in self._items)

    def __eq__(self, other):
        if not isinstance(other, HTTPHeaderMap):
            try:
                other = HTTPHeaderMap(other)
            except (TypeError, ValueError):
                return NotImplemented
        return ([(k.lower(), v) for k, v in self._items] ==
                [(k.lower(), v) for k, v in other._items])

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def __repr__(self):
        return 'HTTPHeaderMap(%r)' % (self._items,)

    __str__ = __repr__

    # -- hyper's methods ----------------------------------------------------
    def add(self, name, value):
        """Appends the entry (name, value); O(1)."""
        self._items.append((_to_bytes(name), _to_bytes(value)))

    def get(self, name, default=None):
        """The list of values of |name| in the order added, or |default|."""
        try:
            return self[name]
        except KeyError:
            return default

    def replace(self, key, value):
        """Replaces the entries named |key| by (key, value), in the position
        of the first of them (appended when there is none)."""
        key_b, value_b = _to_bytes(key), _to_bytes(value)
        low = key_b.lower()
        out, done = [], False
        for k, v in self._items:
            if k.lower() == low:
                if not done:
                    out.append((key_b, value_b))
                    done = True
            else:
                out.append((k, v))
        if not done:
            out.append((key_b, value_b))
        self._items = out

    def keys(self):
        """The name of every entry, duplicates included (same length as
        len())."""
        return [k for k, _ in self._items]

    def values(self):
        """The value of every entry, in the same order as keys()."""
        return [v for _, v in self._items]

    def items(self):
        """The (name, value) entries, in order."""
        return list(self._items)

    def iter_raw(self):
        """Iterates over the entries exactly as added (to rebuild what the
        server sent)."""
        return iter(list(self._items))

    def merge(self, other):
        """Adds every entry of another HTTPHeaderMap, mapping or sequence of
        pairs (list values add one entry per element)."""
        if isinstance(other, HTTPHeaderMap):
            self._items.extend(other._items)
            return
        if hasattr(other, 'items'):
            other = other.items()
        for name, value in other:
            if isinstance(value, (list, tuple)):
                for v in value:
                    self.add(name, v)
            else:
                self.add(name, value)

    def clear(self):
        self._items = []

    def copy(self):
        return HTTPHeaderMap(self)
