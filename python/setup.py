"""
Builds and installs the `hyper` package: the pure-Python modules in hyper/
and the extension hyper._hyper (src/_hyper.c) linked against hyper's static
C library.

The C library comes from a CMake build of the enclosing source tree, made in
setuptools' build_temp (targets hyper_static only; needs cmake, a C
compiler, libssl-dev, zlib1g-dev, libbrotli-dev, libzstd-dev), or, when the environment
variable HYPER_PREBUILT_DIR names an existing CMake build directory, from
its libhyper.a (built with position-independent code, as hyper's CMake does
by default).

The HTTPie transport plugins are registered through the entry points in
entry_points.txt.
"""
import configparser
import os
import subprocess

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
# The hyper source tree (include/, CMakeLists.txt): python/'s parent, or
# HYPER_SOURCE_ROOT when this directory was copied elsewhere.
ROOT = os.environ.get('HYPER_SOURCE_ROOT') or os.path.dirname(HERE)


def entry_points():
    cp = configparser.ConfigParser()
    cp.optionxform = str
    cp.read(os.path.join(HERE, 'entry_points.txt'))
    return {g: ['%s = %s' % kv for kv in cp.items(g)] for g in cp.sections()}


class BuildWithHyper(build_ext):
    """build_ext that first provides libhyper.a and its headers."""

    def run(self):
        bdir = os.environ.get('HYPER_PREBUILT_DIR')
        if not bdir:
            bdir = os.path.join(os.path.abspath(self.build_temp),
                                'hyper-cmake')
            subprocess.check_call([
                'cmake', '-S', ROOT, '-B', bdir,
                '-DCMAKE_BUILD_TYPE=Release', '-DHYPER_TESTS=OFF',
                '-DHYPER_BENCH=OFF', '-DHYPER_PYTHON=OFF', '-DHYPER_FUZZ=OFF',
                '-DHYPER_WERROR=OFF'])
            subprocess.check_call(['cmake', '--build', bdir, '--target',
                                   'hyper_static', '-j2'])
        lib = os.path.join(bdir, 'libhyper.a')
        if not os.path.exists(lib):
            raise RuntimeError('no libhyper.a in %s' % bdir)
        for ext in self.extensions:
            ext.include_dirs += [os.path.join(ROOT, 'include'),
                                 os.path.join(bdir, 'include')]
            ext.extra_objects = [lib]
            ext.libraries += ['ssl', 'crypto', 'z', 'brotlidec', 'zstd', 'pthread']
        super().run()


setup(
    name='hyper-http2',
    version='0.1.0',
    description="HTTP/2 for Python on hyper's C library",
    packages=find_packages(HERE, include=['hyper', 'hyper.*']),
    package_dir={'': '.'},
    ext_modules=[Extension('hyper._hyper',
                           sources=[os.path.join('src', '_hyper.c')])],
    cmdclass={'build_ext': BuildWithHyper},
    entry_points=entry_points(),
    python_requires='>=3.9',
)
