#!/usr/bin/python3
"""
10,000 GETs over one HTTP/2 connection: hyper's Python binding against
Debian's python3-httpx with http2=True (pure-Python h2), the same hyperbin,
the same run. Prints requests/s and client CPU per request for each, and the
ratios.

  /usr/bin/python3 bench/python/bench_get.py --hyperbin build/examples/hyperbin \
      [--requests 10000] [--path /get] [--tls] [--rounds 3]

PYTHONPATH must reach the hyper package (e.g. build/python). The server is
started here on a free loopback port and stopped by PID. Each client is
warmed up (connection set up, 100 requests) before timing; the best of
--rounds rounds is reported per client, so a noisy neighbour on the machine
hurts both the same way. Client CPU = user + system time of this process
(the server runs in another process and is not counted).
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def start_server(hyperbin, tls, tmp):
    args = [hyperbin, '--port', '0']
    ca = None
    if tls:
        key, crt = os.path.join(tmp, 'k.pem'), os.path.join(tmp, 'c.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                        '-nodes', '-keyout', key, '-out', crt, '-days', '1',
                        '-subj', '/CN=127.0.0.1', '-addext',
                        'subjectAltName=IP:127.0.0.1'], check=True,
                       capture_output=True)
        args += ['--cert', crt, '--key', key]
        ca = crt
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    m = re.search(r'listening on (\S+):(\d+)', proc.stdout.readline())
    if not m:
        proc.kill()
        sys.exit('hyperbin did not start')
    return proc, int(m.group(2)), ca


def run_hyper(port, n, path, tls, ca):
    import hyper
    c = hyper.HTTP20Connection('127.0.0.1', port=port, secure=tls,
                               ca_file=ca)
    for _ in range(100):
        c.request('GET', path)
        c.get_response().read()
    t0, c0 = time.perf_counter(), cpu()
    total = 0
    for _ in range(n):
        c.request('GET', path)
        r = c.get_response()
        total += len(r.read())
        assert r.status == 200
    t1, c1 = time.perf_counter(), cpu()
    c.close()
    return t1 - t0, c1 - c0, total


def run_httpx(port, n, path, tls, ca):
    import httpx
    scheme = 'https' if tls else 'http'
    url = '%s://127.0.0.1:%d%s' % (scheme, port, path)
    # http1=False: HTTP/2 only (prior knowledge over cleartext).
    with httpx.Client(http1=False, http2=True,
                      verify=ca if tls else False) as c:
        for _ in range(100):
            c.get(url).read()
        t0, c0 = time.perf_counter(), cpu()
        total = 0
        for _ in range(n):
            r = c.get(url)
            total += len(r.content)
            assert r.status_code == 200 and r.http_version == 'HTTP/2'
        t1, c1 = time.perf_counter(), cpu()
    return t1 - t0, c1 - c0, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--hyperbin', required=True)
    ap.add_argument('--requests', type=int, default=10000)
    ap.add_argument('--path', default='/get')
    ap.add_argument('--tls', action='store_true')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--min-ratio', type=float, default=0,
                    help='exit 1 when hyper is not this many times faster')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, port, ca = start_server(a.hyperbin, a.tls, tmp)
        try:
            res = {}
            for name, fn in (('hyper', run_hyper), ('httpx', run_httpx)):
                best = None
                for _ in range(a.rounds):
                    wall, cp, total = fn(port, a.requests, a.path, a.tls, ca)
                    if best is None or wall < best[0]:
                        best = (wall, cp, total)
                res[name] = best
        finally:
            proc.terminate()
            proc.wait()
    print('%d GETs of %s over one %s connection, best of %d rounds'
          % (a.requests, a.path, 'h2 (TLS)' if a.tls else 'h2c', a.rounds))
    for name in ('hyper', 'httpx'):
        wall, cp, total = res[name]
        print('  %-6s %9.0f req/s  %7.1f us CPU/request  (%d body bytes)'
              % (name, a.requests / wall, cp / a.requests * 1e6, total))
    speed = res['httpx'][0] / res['hyper'][0]
    cpu_ratio = res['httpx'][1] / max(res['hyper'][1], 1e-9)
    print('  ratio: %.1fx requests/s, %.1fx less CPU per request'
          % (speed, cpu_ratio))
    if a.min_ratio and speed < a.min_ratio:
        print('FAIL: below the %.1fx target' % a.min_ratio)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
