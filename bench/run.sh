#!/bin/sh
# Runs every benchmark built in BUILD_DIR (default: build).
#   sh bench/run.sh BUILD_DIR [extra arguments passed to each benchmark]
# With HYPER_BENCH_E2E=1 the end-to-end benchmark bench/e2e.sh (hyper vs
# h2load and curl on h2o and nghttpd; minutes) runs at the end; see
# bench/README.md.
# A benchmark whose binary is missing (for example because its dependencies
# were not found at configure time) is reported as skipped. Exits nonzero
# only when a benchmark fails to run (targets are reported, not asserted).
set -u

BUILD=${1:-build}
[ $# -gt 0 ] && shift

if [ ! -d "$BUILD" ]; then
  echo "bench: build directory '$BUILD' not found (configure and build first)" >&2
  exit 2
fi

# The benchmark list: one name per bench/<name>.c, binary at $BUILD/bench/<name>.
BENCHES="hpack h2core"

status=0
for b in $BENCHES; do
  bin="$BUILD/bench/$b"
  if [ ! -x "$bin" ]; then
    echo "== bench $b: skipped ($bin not built; see the cmake configure output)"
    continue
  fi
  echo "== bench $b"
  if ! "$bin" "$@"; then
    echo "== bench $b: FAILED" >&2
    status=1
  fi
  echo
done
if [ "${HYPER_BENCH_E2E:-0}" = 1 ]; then
  echo "== bench e2e"
  if ! bash "$(dirname "$0")/e2e.sh" "$BUILD"; then
    echo "== bench e2e: FAILED" >&2
    status=1
  fi
fi
exit $status
