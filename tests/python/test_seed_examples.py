"""
Every code example of the seed documentation's Quickstart (2.1) and
Advanced Usage (3.1) sections (/work/shared/seeds/004_*.txt), run with only
the host names changed to servers on loopback, and checked against the
results the documentation shows.

Host mapping: http2bin.org's home page -> h2o over TLS (http2bin ran on
h2o); http2bin.org's /get, /post, /ip -> hyperbin over TLS; twitter.com:443
-> h1server (HTTP/1.1; a port other than 443 means cleartext, as the
documented rule for HTTP11Connection says); the push example -> nghttpd,
which pushes /style.css and /script.js with /. Certificates are verified
(SSL_CERT_FILE names the test CA, see conftest.py).
"""
import json
import zlib

import pytest


def test_first_http2_request(h2o_tls):
    # 2.1.2 Making Your First HTTP/2 Request
    from hyper import HTTP20Connection
    c = HTTP20Connection(h2o_tls)
    assert c.request('GET', '/') == 1
    resp = c.get_response()
    assert resp.headers['content-type'] == [b'text/html; charset=utf-8']
    assert repr(resp.headers).startswith("HTTPHeaderMap([(b'server', b'h2o/")
    assert resp.status == 200
    body = resp.read()
    assert body.startswith(b'<!DOCTYPE html>\n<!--[if IE 8]><html clas')


def test_streams(hyperbin_tls):
    # 2.1.3 Streams
    from hyper import HTTP20Connection
    c = HTTP20Connection(hyperbin_tls)
    first = c.request('GET', '/get')
    second = c.request('POST', '/post', data='key=value')
    third = c.request('GET', '/ip')
    second_response = c.get_response(second)
    first_response = c.get_response(first)
    third_response = c.get_response(third)
    # "hyper will ensure that each response is matched to the correct
    # request"
    assert (first, second, third) == (1, 3, 5)
    assert json.loads(second_response.read())['url'].endswith('/post')
    assert json.loads(second_response.read() or b'null') is None
    assert json.loads(first_response.read())['url'].endswith('/get')
    assert json.loads(third_response.read()) == {'origin': '127.0.0.1'}


def test_first_http11_request(h1server):
    # 2.1.4 Making Your First HTTP/1.1 Request
    from hyper import HTTP11Connection
    c = HTTP11Connection(h1server)
    assert c.request('GET', '/') is None
    resp = c.get_response()
    assert resp.headers['content-encoding'] == [b'deflate']
    assert repr(resp.headers).startswith(
        "HTTPHeaderMap([(b'x-xss-protection', b'1; mode=block')")
    assert resp.status == 200
    body = resp.read()
    assert body.startswith(b'<!DOCTYPE html>\n<!--[if IE 8]><html clas')


def test_requests_integration(hyperbin_tls):
    # 2.1.5 Requests Integration
    import requests
    from hyper.contrib import HTTP20Adapter
    s = requests.Session()
    s.mount('https://%s' % hyperbin_tls, HTTP20Adapter())
    r = s.get('https://%s/get' % hyperbin_tls)
    assert r.status_code == 200
    # the second snippet: one adapter for several host names
    a = HTTP20Adapter()
    s.mount('https://%s' % hyperbin_tls, a)
    s.mount('https://www.%s' % hyperbin_tls, a)
    assert s.get('https://%s/get' % hyperbin_tls).json()['url'].endswith(
        '/get')


def test_connection_as_context_manager(hyperbin_tls):
    # 3.1.1 Responses as Context Managers
    from hyper import HTTP20Connection
    seen = []

    def analyse(data):
        seen.append(json.loads(data))

    with HTTP20Connection(hyperbin_tls) as conn:
        conn.request('GET', '/get')
        data = conn.getresponse().read()

    analyse(data)
    assert seen[0]['url'].endswith('/get')
    assert conn.protocol is None  # closed on leaving the block


def test_chunked_responses(hyperbin_tls):
    # 3.1.2 Chunked Responses
    from hyper import HTTP20Connection
    conn = HTTP20Connection(hyperbin_tls)
    conn.request('GET', '/stream/20')
    response = conn.get_response()
    chunks = []

    def do_something_with_chunk(chunk):
        chunks.append(chunk)

    for chunk in response.read_chunked():
        do_something_with_chunk(chunk)
    lines = b''.join(chunks).splitlines()
    assert [json.loads(x)['id'] for x in lines] == list(range(20))

    conn.request('GET', '/gzip')
    response = conn.get_response()
    parts = []

    def decompress(compressed_chunk):
        parts.append(compressed_chunk)

    for compressed_chunk in response.read_chunked(decode_content=False):
        decompress(compressed_chunk)
    raw = b''.join(parts)
    assert json.loads(zlib.decompress(raw, 31))['gzipped'] is True


def test_content_decompression(hyperbin_tls):
    # 3.1.6 Content Decompression: resp.read(decode_content=False) gives the
    # compressed bytes (the seed shows b'\xc9...' from its server).
    from hyper import HTTP20Connection
    c = HTTP20Connection(hyperbin_tls)
    c.request('GET', '/deflate')
    resp = c.get_response()
    raw = resp.read(decode_content=False)
    assert resp.headers['content-encoding'] == [b'deflate']
    assert json.loads(zlib.decompress(raw))['deflated'] is True
    c.request('GET', '/deflate')
    assert json.loads(c.get_response().read())['deflated'] is True


def test_window_manager_example(hyperbin_tls):
    # 3.1.7 Flow Control & Window Managers
    from hyper import HTTP20Connection
    from hyper.http20.window import BaseFlowControlManager
    calls = []

    class StupidFlowControlManager(BaseFlowControlManager):
        def increase_window_size(self, frame_size):
            calls.append((self.stream_id, frame_size))
            return frame_size

    c = HTTP20Connection(hyperbin_tls, window_manager=StupidFlowControlManager)
    c.request('GET', '/bytes/200000')
    body = c.get_response().read()
    assert len(body) == 200000
    # Instances were made for the connection (0) and the stream (1) and
    # were told about the octets read (test_window.py shows that their
    # answers really open the windows).
    assert sum(n for sid, n in calls if sid == 1) > 65535
    assert sum(n for sid, n in calls if sid == 0) > 65535


def test_server_push_example(nghttpd_tls, capsys):
    # 3.1.8 Server Push (conn.read() as printed in the seed reads the
    # response body; see HTTP20Connection.read()).
    from hyper import HTTP20Connection
    conn = HTTP20Connection(nghttpd_tls, enable_push=True)
    conn.request('GET', '/')
    response = conn.get_response()
    for push in conn.get_pushes():  # all pushes promised before headers
        print(push.path)
    conn.read()
    for push in conn.get_pushes():  # all other pushes
        print(push.path)
    out = capsys.readouterr().out.split()
    assert sorted(out) == ["b'/script.js'", "b'/style.css'"]
    assert response.status == 200


def test_readme_example(h2o_tls, capsys):
    # The seed README's example (001_*.txt), twitter.com:443 -> h2o.
    from hyper import HTTP20Connection

    conn = HTTP20Connection(h2o_tls)
    conn.request('GET', '/')
    resp = conn.getresponse()

    print(resp.read())
    assert capsys.readouterr().out.startswith("b'<!DOCTYPE html>")
