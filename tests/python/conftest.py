"""
Fixtures for the Python binding tests: real servers on 127.0.0.1, started
here on free ports and stopped by PID.

  hyperbin        h2c (prior knowledge) hyperbin      ($HYPERBIN)
  hyperbin_tls    hyperbin over TLS, certificate from the test CA
  h2o_tls         h2o over TLS serving an HTML home page (the seed's
                  http2bin.org home page: server h2o, text/html; utf-8)
  nghttpd_tls     nghttpd over TLS, pushing /style.css and /script.js with /
  nghttpd_h2c     nghttpd cleartext (--no-tls)
  h1server        a small HTTP/1.1 server (h1server.py) whose / page is
                  deflate-encoded (the seed's HTTP/1.1 example)

The CA certificate is generated with the openssl CLI at session start and
exported as SSL_CERT_FILE, which OpenSSL's default verify paths (used by
hyper when no CA file is given) honour, so the seed examples verify
certificates unchanged.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
HYPERBIN = os.environ.get('HYPERBIN')
SANITIZED = bool(os.environ.get('HYPER_PY_SANITIZED'))

def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_line(proc, pattern, what):
    """Reads the server's output until a line matches |pattern| (the
    server's own readiness message), then keeps draining the output in a
    thread so that the server never blocks on a full pipe."""
    try:
        for line in proc.stdout:
            if re.search(pattern, line):
                threading.Thread(target=lambda: [None for _ in proc.stdout],
                                 daemon=True).start()
                return
    except BaseException:
        stop(proc)
        raise
    stop(proc)
    raise RuntimeError('%s exited (%s) before it was ready'
                       % (what, proc.returncode))


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def guarded(cmd):
    """|cmd| run through `setpriv --pdeathsig TERM` (util-linux; it execs
    the command, so the PID stays the server's): servers die with this
    pytest process even if it is killed before its teardown runs."""
    if shutil.which('setpriv'):
        return ['setpriv', '--pdeathsig', 'TERM'] + cmd
    return cmd


def env_for_children():
    env = dict(os.environ)
    # Servers are not instrumented and must not inherit the ASan preload.
    env.pop('LD_PRELOAD', None)
    return env


def start_hyperbin(args):
    if not HYPERBIN or not os.path.exists(HYPERBIN):
        pytest.skip('HYPERBIN not set (run through ctest)')
    proc = subprocess.Popen(guarded([HYPERBIN, '--port', '0'] + args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env_for_children(), text=True)
    line = proc.stdout.readline()  # blocks until the server is listening
    m = re.search(r'listening on (\S+):(\d+)', line)
    if not m:
        stop(proc)
        raise RuntimeError('hyperbin did not start: %r' % line)
    return proc, int(m.group(2))


@pytest.fixture(scope='session')
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp('certs')
    ca_key, ca = d / 'ca.key', d / 'ca.pem'
    key, csr, crt = d / 'server.key', d / 'server.csr', d / 'server.pem'
    ext = d / 'ext.cnf'
    ext.write_text('subjectAltName=IP:127.0.0.1,DNS:localhost\n'
                   'basicConstraints=CA:FALSE\n')
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
        '-keyout', str(ca_key), '-out', str(ca), '-days', '2',
        '-subj', '/CN=hyper test CA')
    run('openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout',
        str(key), '-out', str(csr), '-subj', '/CN=127.0.0.1')
    run('openssl', 'x509', '-req', '-in', str(csr), '-CA', str(ca),
        '-CAkey', str(ca_key), '-CAcreateserial', '-out', str(crt),
        '-days', '2', '-extfile', str(ext))
    os.environ['SSL_CERT_FILE'] = str(ca)
    os.environ['REQUESTS_CA_BUNDLE'] = str(ca)
    return {'ca': str(ca), 'key': str(key), 'cert': str(crt), 'dir': d}


@pytest.fixture(scope='session')
def hyperbin():
    proc, port = start_hyperbin([])
    yield '127.0.0.1:%d' % port
    stop(proc)


@pytest.fixture(scope='session')
def hyperbin_tls(certs):
    proc, port = start_hyperbin(['--cert', certs['cert'],
                                 '--key', certs['key']])
    yield '127.0.0.1:%d' % port
    stop(proc)


@pytest.fixture(scope='session')
def htdocs(tmp_path_factory):
    d = tmp_path_factory.mktemp('htdocs')
    (d / 'index.html').write_text(
        '<!DOCTYPE html>\n<!--[if IE 8]><html class="ie8"><![endif]-->\n'
        '<html><head><title>hyper test page</title>'
        '<link rel="stylesheet" href="/style.css"></head>\n'
        '<body><h1>hyper</h1></body></html>\n')
    (d / 'style.css').write_text('h1 { color: #333; }\n' * 50)
    (d / 'script.js').write_text('console.log("pushed");\n' * 50)
    return d


@pytest.fixture(scope='session')
def h2o_tls(certs, htdocs, tmp_path_factory):
    if not shutil.which('h2o'):
        pytest.skip('h2o not installed')
    d = tmp_path_factory.mktemp('h2o')
    port = free_port()
    conf = d / 'h2o.conf'
    conf.write_text(
        'listen:\n  port: %d\n  host: 127.0.0.1\n  ssl:\n'
        '    certificate-file: %s\n    key-file: %s\n'
        '%s'
        'hosts:\n  default:\n    paths:\n      /:\n'
        '        file.dir: %s\n        file.mime.settypes:\n'
        '          "text/html; charset=utf-8": .html\n'
        % (port, certs['cert'], certs['key'],
           # as root h2o would switch to nobody, who cannot read the
           # pytest temporary directory
           'user: root\n' if os.geteuid() == 0 else '', htdocs))
    # h2o logs 'h2o server (pid:N) is ready to serve requests' to stderr
    # once its listening socket is bound.
    proc = subprocess.Popen(guarded(['h2o', '-c', str(conf)]),
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=env_for_children())
    wait_line(proc, r'ready to serve requests', 'h2o')
    yield '127.0.0.1:%d' % port
    stop(proc)


def _nghttpd(args, port, tls, certs, htdocs):
    if not shutil.which('nghttpd'):
        pytest.skip('nghttpd not installed')
    # -v makes nghttpd print 'IPv4: listen 127.0.0.1:PORT' once bound.
    cmd = ['nghttpd', '-v', '-a', '127.0.0.1', '-d', str(htdocs),
           '--push=/=/style.css,/script.js'] + args + [str(port)]
    if tls:
        cmd += [certs['key'], certs['cert']]
    else:
        cmd.insert(1, '--no-tls')
    proc = subprocess.Popen(guarded(cmd), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=env_for_children())
    wait_line(proc, r'listen 127\.0\.0\.1:%d' % port, 'nghttpd')
    return proc


@pytest.fixture(scope='session')
def nghttpd_tls(certs, htdocs):
    port = free_port()
    proc = _nghttpd([], port, True, certs, htdocs)
    yield '127.0.0.1:%d' % port
    stop(proc)


@pytest.fixture(scope='session')
def nghttpd_h2c(certs, htdocs):
    port = free_port()
    proc = _nghttpd([], port, False, certs, htdocs)
    yield '127.0.0.1:%d' % port
    stop(proc)


@pytest.fixture(scope='session')
def h1server():
    proc = subprocess.Popen(guarded([sys.executable,
                                     os.path.join(HERE, 'h1server.py')]),
                            stdout=subprocess.PIPE, env=env_for_children(),
                            text=True)
    line = proc.stdout.readline()
    m = re.search(r'listening on 127.0.0.1:(\d+)', line)
    if not m:
        stop(proc)
        raise RuntimeError('h1server did not start: %r' % line)
    yield '127.0.0.1:%s' % m.group(1)
    stop(proc)
