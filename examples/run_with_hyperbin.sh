#!/bin/sh
# run_with_hyperbin.sh HYPERBIN PROGRAM [ARGS...]: starts hyperbin on a free
# 127.0.0.1 port (waits, bounded, for its "listening on" line), runs
# PROGRAM 127.0.0.1:PORT ARGS..., prints "exit N", stops hyperbin by PID.
set -u
HB=$1; shift
PROG=$1; shift
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-example.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
"$HB" --port 0 > "$TMP/hb.out" 2> "$TMP/hb.err" &
PID=$!
i=0
until grep -q '^listening on ' "$TMP/hb.out" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/hb.err" >&2; echo "hyperbin exited"; exit 1; }
  i=$((i + 1)); [ "$i" -le 100 ] || { echo "hyperbin did not start"; exit 1; }
  sleep 0.05
done
# "listening on http://HOST:PORT/": the program takes HOST:PORT
ADDR=$(sed -n 's|^listening on [a-z]*://\([^/]*\)/.*|\1|p' "$TMP/hb.out")
"$PROG" "$ADDR" "$@"
rc=$?
echo "exit $rc"
exit "$rc"
