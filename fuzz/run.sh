#!/bin/sh
# Runs every libFuzzer target for SECONDS each.
#   sh fuzz/run.sh BUILD_DIR SECONDS
# BUILD_DIR must have been configured with -DHYPER_FUZZ=ON and clang (as
# `make fuzz` does). Each target fuzz/<name>.c is run as
# BUILD_DIR/fuzz/fuzz_<name> on a temporary copy of fuzz/corpus/<name>/ (the
# repository corpus is never written). Crash, leak and timeout inputs are kept
# under BUILD_DIR/fuzz/artifacts/<name>/, full logs under
# BUILD_DIR/fuzz/logs/. Exits nonzero if any target is missing or fails.
set -u

if [ $# -lt 1 ]; then
  echo "usage: sh fuzz/run.sh BUILD_DIR [SECONDS]" >&2
  exit 2
fi
BUILD=$1
SECS=${2:-60}
case $SECS in
  ''|*[!0-9]*) echo "fuzz: SECONDS must be a positive integer, got '$SECS'" >&2; exit 2 ;;
esac
if [ "$SECS" -lt 1 ]; then
  echo "fuzz: SECONDS must be >= 1" >&2
  exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
  echo "fuzz: build directory '$1' not found" >&2
  exit 2
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

status=0
ntargets=0
for src in "$HERE"/*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  bin="$BUILD/fuzz/fuzz_$name"
  ntargets=$((ntargets + 1))
  if [ ! -x "$bin" ]; then
    echo "fuzz_$name: MISSING ($bin not built; configure with -DHYPER_FUZZ=ON -DCMAKE_C_COMPILER=clang)"
    status=1
    continue
  fi

  corpus="$TMP/corpus/$name"
  art="$BUILD/fuzz/artifacts/$name"
  logdir="$BUILD/fuzz/logs"
  log="$logdir/$name.log"
  mkdir -p "$corpus" "$art" "$logdir"
  nseed=0
  if [ -d "$HERE/corpus/$name" ]; then
    cp "$HERE/corpus/$name"/* "$corpus"/ 2>/dev/null || true
    nseed=$(ls "$corpus" | wc -l)
  fi

  echo "fuzz_$name: ${SECS} s, $nseed seed inputs ..."
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art/" "$corpus" >"$log" 2>&1
  rc=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\).*\(ft: [0-9]*\).*\(corp: [0-9/a-zA-Z]*\).*/\1 \2 \3/p')
  if [ $rc -eq 0 ]; then
    echo "fuzz_$name: OK, ${execs:-?} execs (${rate:-?}/s), $cov"
  else
    status=1
    echo "fuzz_$name: FAILED (exit $rc) after ${execs:-?} execs; log $log"
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|check failed|SUMMARY' "$log" | head -n 10 | sed 's/^/    /'
    grep -E 'Test unit written to' "$log" | sed 's/^/    /'
  fi
done

if [ $ntargets -eq 0 ]; then
  echo "fuzz: no targets found in $HERE" >&2
  exit 1
fi
exit $status
