"""The HTTPie transport plugins (h2:// and h2c:// prefixes), run through
Debian's `http` command against hyperbin and nghttpd. The plugins are found
through the entry points of the hyper_http2 dist-info staged next to the
package (PYTHONPATH), as `pip install` would register them."""
import json
import os
import shutil
import subprocess

import pytest

HTTP = shutil.which('http')
pytestmark = pytest.mark.skipif(HTTP is None, reason='httpie not installed')


def http(*args):
    env = dict(os.environ)
    env['HTTPIE_CONFIG_DIR'] = os.environ.get('HTTPIE_CONFIG_DIR',
                                              '/nonexistent-httpie-config')
    p = subprocess.run(['/usr/bin/python3', '-m', 'httpie'] + list(args),
                       capture_output=True, text=True, env=env, timeout=60)
    return p


def test_plugins_listed():
    p = http('--debug', 'h2c://127.0.0.1:1/')      # fails to connect
    assert 'hyper.httpie_plugin' in p.stderr or 'HyperH2CPlugin' in p.stderr


def test_h2c_get_json(hyperbin):
    p = http('--ignore-stdin', '--print=hb', 'h2c://%s/get' % hyperbin,
             'X-Test:httpie')
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith('HTTP/2.0 200 OK')
    body = json.loads(p.stdout[p.stdout.index('{'):])
    assert body['headers']['X-Test'] == 'httpie'


def test_h2c_post_form(hyperbin):
    p = http('--ignore-stdin', '--print=b', '--form', 'POST',
             'h2c://%s/post' % hyperbin, 'key=value')
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)['form'] == {'key': 'value'} or \
        json.loads(p.stdout)['data'] == 'key=value'


def test_default_scheme(hyperbin):
    p = http('--ignore-stdin', '--print=h', '--default-scheme', 'h2c',
             '%s/status/204' % hyperbin)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith('HTTP/2.0 204')


def test_h2_tls_nghttpd(nghttpd_tls, certs):
    p = http('--ignore-stdin', '--print=hb', '--verify', certs['ca'],
             'h2://%s/' % nghttpd_tls)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith('HTTP/2.0 200 OK')
    assert 'hyper test page' in p.stdout


def test_h2_tls_hyperbin_stream(hyperbin_tls, certs):
    p = http('--ignore-stdin', '--print=b', '--stream', '--verify',
             certs['ca'], 'h2://%s/stream/3' % hyperbin_tls)
    assert p.returncode == 0, p.stderr
    ids = [json.loads(x)['id'] for x in p.stdout.splitlines() if x.strip()]
    assert ids == [0, 1, 2]


def test_h2_verify_failure(hyperbin_tls, certs):
    p = http('--ignore-stdin', '--verify', certs['cert'],
             'h2://%s/get' % hyperbin_tls)
    assert p.returncode != 0
    assert 'SSL' in p.stderr or 'verif' in p.stderr.lower()
