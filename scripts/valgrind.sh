#!/bin/sh
# Runs the whole ctest suite under valgrind memcheck (CI's leak and
# memory-error pass without sanitizers; `make memcheck`).
#
#   sh scripts/valgrind.sh [BUILD_DIR] [ctest args...]
#
# BUILD_DIR (default build-valgrind) is configured RelWithDebInfo without
# sanitizers and built if needed. Every test command runs under
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect
#            --trace-children=yes --trace-children-skip=/usr/*,/bin/*,/sbin/*
# so our own binaries are checked wherever they run (cmocka tests, the
# interop drivers, the examples, the CLI and hyperbin started by shell
# scripts), while system programs the tests start as peers (python3,
# nghttpd, h2o, nginx, curl, openssl, coreutils) are not. The shell or
# python3 that runs a test script is itself under valgrind (ctest wraps the
# test command); scripts/valgrind.supp silences their own leaks only. Any
# memory error, or a definite/indirect leak in our code, makes valgrind exit
# 99 (failing the test) and is also found in the logs afterwards (children
# share their parent's log, so a child's report cannot be missed when a
# script ignores the child's exit status).
#
# Not run here (all of them run under ASan+UBSan+LSan in `make check
# SANITIZE=1`): tests whose command is python3 itself (python_bindings,
# hpack_python_crosscheck, h2spec_hyperbin_*: CPython under valgrind is
# ~50x slower, past their deadlines), and tests whose fixed TIMEOUT or
# internal deadlines do not survive valgrind's slowdown on a loaded 2-core
# machine: test_client_peers (100 MiB through h2o), interop_nghttpd_h2c_get
# and the cli_* shell tests (many CLI runs against hyperbin within 60 s; the
# CLI's parser runs here in test_cli_args, the client and hyperbin in the
# other tests).
# HYPER_VALGRIND_EXCLUDE replaces that list (a ctest -E regex).
#
# Extra ctest arguments (-R, -j) are passed through; the default is -j2.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${1:-build-valgrind}
[ $# -gt 0 ] && shift

command -v valgrind >/dev/null 2>&1 || {
  echo "valgrind: not installed (scripts/deps.sh installs it)" >&2
  exit 2
}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHYPER_BENCH=OFF
fi
cmake --build "$BUILD" -j "${JOBS:-2}"
BUILD=$(cd "$BUILD" && pwd)

opts="--error-exitcode=99 --leak-check=full"
opts="$opts --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
opts="$opts --trace-children=yes --trace-children-skip=/usr/*,/bin/*,/sbin/*"
opts="$opts --num-callers=30 --child-silent-after-fork=yes"
if [ -f "$ROOT/scripts/valgrind.supp" ]; then
  opts="$opts --suppressions=$ROOT/scripts/valgrind.supp"
fi

# ctest's memcheck mode reads its settings from DartConfiguration.tcl
# (normally written by include(CTest), which this project does not use).
cat >"$BUILD/DartConfiguration.tcl" <<EOF
SourceDirectory: $ROOT
BuildDirectory: $BUILD
MemoryCheckType: Valgrind
MemoryCheckCommand: $(command -v valgrind)
MemoryCheckCommandOptions: $opts
MemoryCheckSuppressionFile:
TimeOut: 1500
EOF

cd "$BUILD"
EXCLUDE=${HYPER_VALGRIND_EXCLUDE:-'^(python_bindings|hpack_python_crosscheck|h2spec_hyperbin_.*|test_client_peers|interop_nghttpd_h2c_get|cli_.*)$'}
if [ $# -eq 0 ]; then
  set -- -j2
fi
rm -f Testing/Temporary/MemoryChecker.*.log
rc=0
ctest -T memcheck --output-on-failure -E "$EXCLUDE" "$@" || rc=$?
# ctest stores one log per test; list those that report errors.
for f in Testing/Temporary/MemoryChecker.*.log; do
  [ -s "$f" ] || continue
  if grep -qE 'ERROR SUMMARY: [1-9]' "$f"; then
    echo "valgrind: findings in $BUILD/$f" >&2
    grep -E 'ERROR SUMMARY: [1-9]' "$f" | head -n 5 >&2
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "valgrind: the suite is clean under memcheck"
exit $rc
