"""A short run of bench/python/bench_get.py (500 GETs, one round): the
script works end to end and prints its figures. No speed is asserted here:
performance is measured by the benchmark itself (bench/python/README.md),
never by a timed unit test that runs beside other CPU-heavy tests."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, '..', '..', 'bench', 'python', 'bench_get.py')


@pytest.mark.skipif(not os.environ.get('HYPERBIN') or
                    bool(os.environ.get('HYPER_PY_SANITIZED')),
                    reason='needs HYPERBIN; timings are meaningless under '
                           'ASan')
def test_bench_script_runs():
    p = subprocess.run([sys.executable, SCRIPT, '--hyperbin',
                        os.environ['HYPERBIN'], '--requests', '500',
                        '--rounds', '1'],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'ratio:' in p.stdout
    assert 'hyper' in p.stdout and 'httpx' in p.stdout
