"""hyper.contrib.HTTP20Adapter with requests, end to end against hyperbin
(h2c and TLS) and nghttpd (TLS and h2c)."""
import json

import pytest
import requests

from hyper.contrib import HTTP20Adapter


@pytest.fixture
def session():
    s = requests.Session()
    a = HTTP20Adapter()
    for prefix in ('http://', 'https://', 'h2c://', 'h2://'):
        s.mount(prefix, a)
    yield s, a
    s.close()


def test_get_post_and_pooling(session, hyperbin):
    s, a = session
    r = s.get('http://%s/get?x=1' % hyperbin, headers={'X-Test': 'yes'})
    assert r.status_code == 200 and r.reason == 'OK'
    assert r.headers['Content-Type'] == 'application/json'
    got = r.json()
    assert got['args'] == {'x': '1'} and got['headers']['X-Test'] == 'yes'
    r = s.post('http://%s/post' % hyperbin, data={'key': 'value'})
    assert r.json()['form'] == {'key': 'value'} or \
        r.json()['data'] == 'key=value'
    r = s.post('http://%s/post' % hyperbin, json={'a': [1, 2]})
    assert json.loads(r.json()['data']) == {'a': [1, 2]}
    s.get('h2c://%s/get' % hyperbin)
    assert len(a.connections) == 1           # one pooled connection
    conn = next(iter(a.connections.values()))
    assert conn.protocol == 'h2'


def test_cookies_and_redirects(session, hyperbin):
    s, _ = session
    r = s.get('http://%s/response-headers?set-cookie=flavour%%3Dginger'
              % hyperbin)
    assert r.status_code == 200
    assert s.cookies.get('flavour') == 'ginger'
    r = s.get('http://%s/cookies' % hyperbin)
    assert r.json()['cookies'] == {'flavour': 'ginger'}
    r = s.get('http://%s/redirect/2' % hyperbin)
    assert r.status_code == 200 and r.url.endswith('/get')
    assert [h.status_code for h in r.history] == [302, 302]


def test_streaming_and_raw(session, hyperbin):
    s, _ = session
    r = s.get('http://%s/stream/10' % hyperbin, stream=True)
    lines = [json.loads(x) for x in r.iter_lines()]
    assert [x['id'] for x in lines] == list(range(10))
    r = s.get('http://%s/gzip' % hyperbin, stream=True)
    raw = r.raw.read()                        # undecoded, like urllib3
    assert raw[:2] == b'\x1f\x8b'
    r = s.get('http://%s/gzip' % hyperbin)
    assert r.json()['gzipped'] is True        # decoded for .content
    r = s.get('http://%s/bytes/100000' % hyperbin, stream=True)
    assert sum(len(c) for c in r.iter_content(4096)) == 100000


def test_tls_verify_and_timeout(session, hyperbin_tls, certs):
    s, _ = session
    assert s.get('https://%s/get' % hyperbin_tls).status_code == 200
    assert s.get('https://%s/get' % hyperbin_tls,
                 verify=certs['ca']).status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        s.get('https://%s/get' % hyperbin_tls, verify=certs['cert'])
    assert s.get('https://%s/get' % hyperbin_tls,
                 verify=False).status_code == 200
    with pytest.raises(requests.exceptions.ReadTimeout):
        s.get('https://%s/delay/3' % hyperbin_tls, timeout=(5, 0.5))


def test_client_certificate_passed(session, hyperbin_tls, certs):
    # hyperbin does not ask for one, but cert= must reach the TLS layer: a
    # missing file fails before anything is sent.
    s, _ = session
    with pytest.raises(Exception):
        s.get('https://%s/get' % hyperbin_tls,
              cert=('/nonexistent.pem', '/nonexistent.key'))
    r = s.get('https://%s/get' % hyperbin_tls,
              cert=(certs['cert'], certs['key']))
    assert r.status_code == 200


def test_nghttpd_tls_and_h2c(session, nghttpd_tls, nghttpd_h2c):
    s, _ = session
    r = s.get('https://%s/' % nghttpd_tls)
    assert r.status_code == 200 and b'hyper test page' in r.content
    assert r.headers['server'].startswith('nghttpd')
    r = s.get('h2c://%s/style.css' % nghttpd_h2c)
    assert r.status_code == 200 and r.text.startswith('h1 {')
    assert s.get('https://%s/missing' % nghttpd_tls).status_code == 404


def test_connection_refused_maps_to_requests_error(session):
    import socket
    sk = socket.socket()
    sk.bind(('127.0.0.1', 0))
    port = sk.getsockname()[1]
    sk.close()
    s, _ = session
    with pytest.raises(requests.exceptions.ConnectionError):
        s.get('http://127.0.0.1:%d/' % port)


def test_streaming_upload_and_threads(session, hyperbin):
    import threading
    s, a = session
    r = s.post('http://%s/post' % hyperbin, data=iter([b'ab', b'cd']))
    assert r.json()['data'] == 'abcd'
    ok = []

    def worker(n):
        for i in range(10):
            got = s.get('http://%s/get?n=%d&i=%d' % (hyperbin, n, i)).json()
            ok.append(got['args'] == {'n': str(n), 'i': str(i)})

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert len(ok) == 40 and all(ok)
    assert len(a.connections) == 1
