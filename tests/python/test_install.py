"""`pip install` of the bindings into a virtualenv made from Debian's
Python with --system-site-packages, offline (--no-index,
--no-build-isolation), then an HTTP/2 request and the HTTPie plugin
registration from that venv without PYTHONPATH.

To stay fast and leave the source tree untouched, python/ is copied to a
temporary directory and setup.py links the libhyper.a of the CMake build
under test (HYPER_PREBUILT_DIR); without that variable setup.py builds the
library with CMake itself (checked by hand, see doc/python.md)."""
import os
import shutil
import subprocess

import pytest

SRC = os.environ.get('HYPER_SOURCE_DIR')
BUILD = os.environ.get('HYPER_BUILD_DIR')

pytestmark = pytest.mark.skipif(
    not SRC or not BUILD or bool(os.environ.get('HYPER_PY_SANITIZED')),
    reason='needs HYPER_SOURCE_DIR/HYPER_BUILD_DIR; not under ASan (the '
           'installed module is an uninstrumented build)')


def test_pip_install_into_venv(tmp_path, hyperbin):
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'LD_PRELOAD')}
    env['PIP_NO_INDEX'] = '1'
    venv = tmp_path / 'venv'
    subprocess.run(['/usr/bin/python3', '-m', 'venv',
                    '--system-site-packages', str(venv)], check=True,
                   env=env, timeout=120)
    src = tmp_path / 'python'
    shutil.copytree(os.path.join(SRC, 'python'), src,
                    ignore=shutil.ignore_patterns('build', '*.egg-info',
                                                  '*.so', '__pycache__'))
    env['HYPER_SOURCE_ROOT'] = SRC
    env['HYPER_PREBUILT_DIR'] = BUILD
    p = subprocess.run([str(venv / 'bin' / 'pip'), 'install',
                        '--no-build-isolation', '--no-index', '--no-deps',
                        str(src)], capture_output=True, text=True, env=env,
                       timeout=600, cwd=str(tmp_path))
    assert p.returncode == 0, p.stdout + p.stderr
    code = ('import hyper, sys\n'
            'assert hyper.__file__.startswith(sys.prefix), hyper.__file__\n'
            'c = hyper.HTTP20Connection(%r, secure=False)\n'
            'c.request("GET", "/get")\n'
            'print(c.get_response().status)\n'
            'from importlib.metadata import entry_points\n'
            'print(sorted(e.name for e in entry_points('
            'group="httpie.plugins.transport.v1")))\n' % hyperbin)
    p = subprocess.run([str(venv / 'bin' / 'python'), '-c', code],
                       capture_output=True, text=True, env=env, timeout=60,
                       cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.split('\n')
    assert lines[0] == '200'
    assert "'hyper_h2'" in lines[1] and "'hyper_h2c'" in lines[1]
    p = subprocess.run([str(venv / 'bin' / 'python'), '-m', 'httpie',
                        '--ignore-stdin', '--print=h',
                        'h2c://%s/get' % hyperbin], capture_output=True,
                       text=True, env=env, timeout=60, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith('HTTP/2.0 200 OK')
