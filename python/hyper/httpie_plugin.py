"""
HTTPie transport plugins that send requests with hyper over HTTP/2.

Registered as entry points in the group ``httpie.plugins.transport.v1``
(see python/entry_points.txt; installed by ``pip install``, or staged next
to the build tree's package). URLs with these prefixes go through hyper:

    http h2://example.com/get        HTTP/2 over TLS (ALPN h2), port 443
    http h2c://127.0.0.1:8080/get    cleartext HTTP/2 (prior knowledge)

``http --default-scheme h2c 127.0.0.1:8080/get`` works too. HTTPie's
--verify, --cert/--cert-key, --timeout and --stream are passed through.
"""
from httpie.plugins import TransportPlugin


class HyperH2Plugin(TransportPlugin):
    name = 'hyper HTTP/2 over TLS'
    description = 'h2:// URLs: HTTP/2 over TLS with hyper'
    prefix = 'h2://'

    def get_adapter(self):
        from .contrib import HTTP20Adapter
        return HTTP20Adapter()


class HyperH2CPlugin(TransportPlugin):
    name = 'hyper cleartext HTTP/2'
    description = 'h2c:// URLs: cleartext HTTP/2 (prior knowledge) with hyper'
    prefix = 'h2c://'

    def get_adapter(self):
        from .contrib import HTTP20Adapter
        return HTTP20Adapter()
