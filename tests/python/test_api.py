"""The binding's API beyond the seed examples: headers, piecewise requests,
responses, pushes, window managers, threads, and the documented exceptions
for bad arguments and failures. Against hyperbin (h2c and TLS)."""
import json
import socket
import threading

import pytest

import hyper
from hyper import (HTTP11Connection, HTTP20Connection, HTTPConnection,
                   HTTPHeaderMap)
from hyper.common import exceptions as ce
from hyper.http20 import exceptions as he
from hyper.http20.window import BaseFlowControlManager, FlowControlManager


def h2c(addr, **kw):
    return HTTP20Connection(addr, secure=False, **kw)


# -- HTTPHeaderMap ---------------------------------------------------------

def test_header_map_mapping_methods():
    h = HTTPHeaderMap([('Content-Type', 'text/html'), (b'accept', b'a, b')])
    h['X-One'] = '1'
    h.add('x-one', b'2')
    assert h['content-type'] == [b'text/html']
    assert h[b'ACCEPT'] == [b'a', b'b']          # split at commas
    assert h.get('x-one') == [b'1', b'2']
    assert h.get('missing') is None and h.get('missing', 5) == 5
    assert 'X-ONE' in h and 'nope' not in h
    assert len(h) == len(h.keys()) == 4
    assert h.keys() == [b'Content-Type', b'accept', b'X-One', b'x-one']
    assert list(h.iter_raw())[1] == (b'accept', b'a, b')
    assert h.items()[0] == (b'Content-Type', b'text/html')
    with pytest.raises(KeyError):
        h['missing']
    del h['x-one']
    assert 'x-one' not in h and len(h) == 2
    with pytest.raises(KeyError):
        del h['x-one']
    h.merge({'a': 'b'})
    h.merge(HTTPHeaderMap([('c', 'd')]))
    assert h['a'] == [b'b'] and h['c'] == [b'd']
    assert h.pop('a') == [b'b'] and h.pop('a', 7) == 7
    assert h.setdefault('e', [b'f']) == [b'f'] and h['e'] == [b'f']
    h.update({'g': 'h'})
    h.replace('content-type', 'text/plain')
    assert h.keys()[0] == b'content-type' and h['content-type'] == \
        [b'text/plain']
    k, v = h.popitem()
    assert k not in h or h[k] != v
    h.clear()
    assert len(h) == 0
    c = HTTPHeaderMap([('set-cookie', 'a=1, b=2')])
    assert c['set-cookie'] == [b'a=1, b=2']     # never split
    with pytest.raises(TypeError):
        HTTPHeaderMap([(1.5, 'x')])


# -- requests and responses -------------------------------------------------

def test_request_headers_and_body_kinds(hyperbin):
    import io
    c = h2c(hyperbin)
    sid = c.request('POST', '/post', body=b'raw', headers={
        'X-Str': 'v', b'X-Bytes': b'w', 'X-List': ['1', '2']})
    got = json.loads(c.get_response(sid).read())
    assert got['data'] == 'raw'
    assert got['headers']['X-Str'] == 'v'
    assert got['headers']['X-Bytes'] == 'w'
    c.request('POST', '/post', body=io.BytesIO(b'x' * 5000),
              headers={'content-length': '5000'})
    assert json.loads(c.get_response().read())['data'] == 'x' * 5000
    c.request('PUT', '/put', body=iter([b'ab', 'cd', b'']),
              headers=[('content-length', '4')])
    assert json.loads(c.get_response().read())['data'] == 'abcd'
    c.close()


def test_piecewise_request(hyperbin):
    c = h2c(hyperbin)
    sid = c.putrequest('POST', '/post')
    c.putheader('X-Test', 'piecewise', stream_id=sid)
    c.putheader('Connection', 'keep-alive')        # dropped for HTTP/2
    c.endheaders(message_body=b'part1-', stream_id=sid)
    c.send(b'part2', final=True, stream_id=sid)
    got = json.loads(c.get_response(sid).read())
    assert got['data'] == 'part1-part2'
    assert got['headers']['X-Test'] == 'piecewise'
    assert 'Connection' not in got['headers']


def test_response_api(hyperbin):
    c = h2c(hyperbin)
    with c.get_response(c.request('GET', '/bytes/100000')) as r:
        assert r.status == 200 and r.reason == ''
        assert r.headers['content-length'] == [b'100000']
        a = r.read(10)
        b = r.read(50000)
        rest = r.read()
        assert len(a) == 10 and len(b) == 50000
        assert len(a + b + rest) == 100000
        assert r.read() == b'' and r.read(5) == b''
    r = c.get_response(c.request('GET', '/trailers'))
    assert r.trailers['x-checksum'] == [b'c0ffee']
    assert r.read() == b'body with trailers\n'
    r = c.get_response(c.request('GET', '/stream/5'))
    assert sum(len(x) for x in r) > 0          # iteration by chunk
    r = c.get_response(c.request('GET', '/bytes/300000'))
    r.read(10)
    r.close()                                    # resets the stream
    with pytest.raises(ce.InvalidStateError):
        r.read()
    with pytest.raises(NotImplementedError):
        r.fileno()
    assert c.get_response(c.request('GET', '/status/418')).status == 418
    assert c.ping(5) >= 0


def test_pushes(hyperbin):
    c = h2c(hyperbin, enable_push=True)
    sid = c.request('GET', '/push')
    resp = c.get_response(sid)
    pushes = list(c.get_pushes(sid, capture_all=True))
    assert len(pushes) >= 1
    body = json.loads(resp.read())
    assert sorted(p.path.decode() for p in pushes) == sorted(body['pushed'])
    p = pushes[0]
    assert p.method == b'GET' and p.scheme in (b'http', b'https')
    assert p.authority.startswith(b'127.0.0.1')
    assert p.request_headers[':path'] == [p.path]
    pr = p.get_response()
    assert pr.status == 200 and len(pr.read()) > 0
    for q in pushes[1:]:
        q.cancel()
    assert list(c.get_pushes(sid)) == []          # each push once


def test_pushes_disabled_by_default(hyperbin):
    c = h2c(hyperbin)
    sid = c.request('GET', '/push')
    c.get_response(sid).read()
    assert list(c.get_pushes(sid, capture_all=True)) == []


# -- window managers --------------------------------------------------------

class Stingy(BaseFlowControlManager):
    """Never opens a window: a download larger than the initial windows
    must stall, which shows the Python answers are what the core uses."""

    def increase_window_size(self, frame_size):
        return 0

    def blocked(self):
        return 0


def test_python_window_manager_controls_the_window(hyperbin):
    c = h2c(hyperbin, window_manager=Stingy, timeout=(5, 1))
    c.request('GET', '/bytes/200000')
    r = c.get_response()
    with pytest.raises(ce.SocketTimeout):
        r.read()


def test_python_window_manager_refills(hyperbin):
    seen = []

    class Counting(FlowControlManager):
        def increase_window_size(self, frame_size):
            n = super().increase_window_size(frame_size)
            seen.append((self.stream_id, frame_size, self.window_size,
                         self.initial_window_size, self.document_size, n))
            return n

    c = h2c(hyperbin, window_manager=Counting)
    c.request('GET', '/bytes/1000000')
    assert len(c.get_response().read()) == 1000000
    stream = [s for s in seen if s[0] == 1]
    assert stream and all(s[4] == 1000000 for s in stream)
    assert any(s[5] > 0 for s in seen)           # WINDOW_UPDATEs asked for


def test_window_manager_exception_is_raised(hyperbin):
    class Broken(BaseFlowControlManager):
        def increase_window_size(self, frame_size):
            raise ZeroDivisionError('manager bug')

    c = h2c(hyperbin, window_manager=Broken)
    with pytest.raises(ZeroDivisionError):
        c.request('GET', '/bytes/100')
        c.get_response().read()


def test_window_manager_must_be_a_class():
    with pytest.raises(TypeError):
        HTTP20Connection('127.0.0.1', window_manager=FlowControlManager(10))
    with pytest.raises(TypeError):
        HTTP20Connection('127.0.0.1', window_manager=dict)


def test_flow_control_manager_policy():
    m = FlowControlManager(65535)
    assert m._handle_frame(1000) == 0
    assert m.window_size == 64535
    inc = m._handle_frame(60000)
    assert inc == 65535 - 4535 and m.window_size == 65535


# -- threads ------------------------------------------------------------------

def test_threads_share_one_connection(hyperbin):
    c = h2c(hyperbin)
    errors, results = [], []

    def worker(n):
        try:
            for i in range(20):
                sid = c.request('GET', '/get?t=%d&i=%d' % (n, i))
                got = json.loads(c.get_response(sid).read())
                results.append(got['args'] == {'t': str(n), 'i': str(i)})
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors and len(results) == 120 and all(results)


def test_gil_released_during_waits(hyperbin):
    # While one thread waits 1 s for /delay/1, another keeps running Python.
    c = h2c(hyperbin)
    done = threading.Event()
    ticks = []

    def spin():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=spin)
    t.start()
    try:
        c.request('GET', '/delay/1')
        assert c.get_response().status == 200
    finally:
        done.set()
        t.join()
    assert len(ticks) > 10          # ~1000 when idle; 0-1 if the GIL were held


# -- HTTP/1.1 and HTTPConnection --------------------------------------------

def test_http11(h1server):
    c = HTTP11Connection(h1server)
    c.request('GET', '/chunked')
    c.request('GET', '/')
    r1, r2 = c.get_response(), c.get_response()
    assert list(r1.read_chunked()) == [b'first,', b'second,', b'third']
    assert r1.reason == 'OK' and r1.version == 11
    assert r2.read().startswith(b'<!DOCTYPE html>')
    r2.close(socket_close=True)
    with pytest.raises(ce.UnsupportedError):
        c._c().putrequest('GET', '/')
    c.close()


def test_httpconnection_picks_protocol(hyperbin_tls, h1server):
    c = HTTPConnection(hyperbin_tls, secure=True)
    sid = c.request('GET', '/get')
    assert sid == 1 and c.protocol == 'h2'
    assert isinstance(c.get_response(sid), hyper.HTTP20Response)
    d = HTTPConnection(h1server)
    assert d.request('GET', '/') is None and d.protocol == 'http/1.1'
    assert isinstance(d.get_response(), hyper.HTTP11Response)


# -- bad arguments and failures raise the documented exceptions -------------

def test_bad_arguments(hyperbin):
    with pytest.raises(TypeError):
        HTTP20Connection(None)
    with pytest.raises(ValueError):
        HTTP20Connection('127.0.0.1', port=70000)
    with pytest.raises(ce.InvalidArgumentError):
        HTTP20Connection('127.0.0.1:notaport').connect()
    c = h2c(hyperbin)
    with pytest.raises(ValueError):               # InvalidArgumentError
        c.request('GET', '/get\r\nx: y')
    with pytest.raises(TypeError):
        c.request('GET', '/get', body=3.5)
    with pytest.raises(TypeError):
        c.request('GET', '/get', headers={'x': 1.5})
    with pytest.raises(ce.InvalidArgumentError):
        c.putrequest('GET', '')
    with pytest.raises(ce.InvalidStateError):
        c.get_response(99)
    with pytest.raises(ce.InvalidStateError):
        c.send(b'x', stream_id=77)
    # the connection still works after all that
    assert c.get_response(c.request('GET', '/get')).status == 200


def test_connection_failures():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()                                     # nothing listens there
    c = HTTP20Connection('127.0.0.1', port=port, secure=False)
    with pytest.raises(ce.SocketError) as ei:
        c.request('GET', '/')
    assert isinstance(ei.value, OSError) and ei.value.name == 'CONNECT'


def test_tls_verification_failure(hyperbin_tls, monkeypatch, tmp_path):
    # A CA bundle that does not hold the test CA: verification fails.
    import subprocess
    key, pem = tmp_path / 'k', tmp_path / 'c'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-keyout', str(key), '-out', str(pem), '-days',
                    '1', '-subj', '/CN=other'], check=True,
                   capture_output=True)
    c = HTTP20Connection(hyperbin_tls, ca_file=str(pem))
    with pytest.raises(ce.TLSError) as ei:
        c.request('GET', '/get')
    assert ei.value.name == 'TLS_VERIFY'
    ok = HTTP20Connection(hyperbin_tls, verify=False, ca_file=str(pem))
    assert ok.get_response(ok.request('GET', '/get')).status == 200


def test_h2c_to_tls_port_fails(hyperbin_tls):
    c = HTTP20Connection(hyperbin_tls, secure=False, timeout=5)
    with pytest.raises(ce.HyperError):
        c.request('GET', '/get')
        c.get_response()


def test_exception_hierarchy():
    assert issubclass(he.HPACKDecodingError, he.HTTP20Error)
    assert issubclass(he.HPACKEncodingError, he.HTTP20Error)
    assert issubclass(he.ConnectionError, he.HTTP20Error)
    assert issubclass(he.HTTP20Error, ce.HyperError)
    assert issubclass(ce.SocketTimeout, TimeoutError)


def test_gc_inside_window_manager_frees_responses_of_same_connection(
        hyperbin):
    # A response of this connection, unreachable but in a reference cycle,
    # is freed by the cyclic GC while a window manager of the same
    # connection runs (the connection lock is held by this thread then).
    # It must be freed after the call returns, not deadlock.
    import gc

    class Collecting(FlowControlManager):
        def increase_window_size(self, frame_size):
            gc.collect()
            return super().increase_window_size(frame_size)

    c = h2c(hyperbin, window_manager=Collecting)
    outcome = []

    def run():
        for _ in range(3):
            c.request('GET', '/bytes/10')
            r = c.get_response()
            cycle = [r]
            cycle.append(cycle)
            del r, cycle
            c.request('GET', '/bytes/70000')
            outcome.append(len(c.get_response().read()))

    t = threading.Thread(target=run, daemon=True)
    gc.disable()
    try:
        t.start()
        t.join(60)
    finally:
        gc.enable()
    assert not t.is_alive(), 'deadlocked'
    assert outcome == [70000] * 3


def test_network_buffer_size(hyperbin):
    c = h2c(hyperbin)
    assert c.network_buffer_size == 65536
    c.network_buffer_size = 512                 # before first use
    c.request('GET', '/bytes/100000')
    assert len(c.get_response().read()) == 100000
    bad = h2c(hyperbin)
    bad.network_buffer_size = 64 * 1024 * 1024  # above 16 MiB
    with pytest.raises(ce.InvalidArgumentError):
        bad.connect()


def test_timeout_keeps_partial_data(hyperbin):
    # read(amt) times out after the first window's worth of data arrived:
    # that data is not lost, the next read returns it first.
    c = h2c(hyperbin, window_manager=Stingy, timeout=(5, 1))
    c.request('GET', '/bytes/200000?seed=7')
    r = c.get_response()
    with pytest.raises(ce.SocketTimeout) as ei:
        r.read(150000)
    got = len(ei.value.partial)
    assert 0 < got < 150000
    ref = h2c(hyperbin)
    ref.request('GET', '/bytes/200000?seed=7')
    want = ref.get_response().read()
    assert r.read(1000) == want[:1000]         # from the kept data
    assert r.read(got - 1000) == want[1000:got]
