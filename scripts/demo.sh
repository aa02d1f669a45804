#!/bin/sh
# The main job: real HTTP/2 exchanges on loopback, servers started and
# stopped (by PID) here.
#  1. hyperbin (hyper's own httpbin-like server, on hyper's server-role core)
#     on a free 127.0.0.1 port; `hyper GET http://127.0.0.1:PORT/get`, the
#     seed's first example, prints the JSON it returns.
#  2. nghttpd (nghttp2-server, an independent implementation) serving a
#     generated file over h2c; fetched twice: with the hyper CLI and with
#     examples/h2_get (the sans-IO core driven by a plain socket loop).
# Exits nonzero if any exchange fails or returns the wrong bytes.
#   sh scripts/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
HYPER="$BUILD/cli/hyper"
HYPERBIN="$BUILD/examples/hyperbin"
H2GET="$BUILD/examples/h2_get"
for b in "$HYPER" "$HYPERBIN" "$H2GET"; do
  [ -x "$b" ] || { echo "demo: $b not built (run make build)" >&2; exit 2; }
done
command -v nghttpd >/dev/null || { echo "demo: nghttpd missing (apt-get install nghttp2-server)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-demo.XXXXXX")
PIDS=
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for LOG PATTERN PID: until the server prints PATTERN (bounded: 100 x
# 0.1 s), or fail if it exits.
wait_for() {
  i=0
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; echo "demo: server exited" >&2; exit 1; }
    i=$((i + 1)); [ "$i" -le 100 ] || { echo "demo: server did not start" >&2; exit 1; }
    sleep 0.1
  done
}

# 1. hyper CLI against hyperbin.
BPORT=$(free_port)
"$HYPERBIN" --port "$BPORT" > "$TMP/hyperbin.log" 2>&1 &
BPID=$!; PIDS="$PIDS $BPID"
wait_for "$TMP/hyperbin.log" "listening on 127.0.0.1:$BPORT" "$BPID"
echo "== hyper GET http://127.0.0.1:$BPORT/get demo==yes  (server: hyperbin pid $BPID)"
"$HYPER" GET "http://127.0.0.1:$BPORT/get" demo==yes | tee "$TMP/get.json"
grep -q '"demo": "yes"' "$TMP/get.json" || { echo "demo: /get did not echo the query" >&2; exit 1; }

# 2. hyper CLI and the sans-IO example against nghttpd.
mkdir -p "$TMP/www"
printf 'Hello from nghttpd over HTTP/2 (h2c), fetched by hyper %s.\n' "$(date -u +%FT%TZ)" > "$TMP/www/hello.txt"
NPORT=$(free_port)
nghttpd -v --no-tls -d "$TMP/www" -a 127.0.0.1 "$NPORT" > "$TMP/nghttpd.log" 2>&1 &
NPID=$!; PIDS="$PIDS $NPID"
wait_for "$TMP/nghttpd.log" "listen 127.0.0.1:$NPORT" "$NPID"
echo "== hyper -v GET http://127.0.0.1:$NPORT/hello.txt  (server: nghttpd pid $NPID)"
"$HYPER" -v "http://127.0.0.1:$NPORT/hello.txt" > "$TMP/cli.out"
cat "$TMP/cli.out"
tail -n 1 "$TMP/cli.out" | cmp -s - "$TMP/www/hello.txt" || { echo "demo: CLI body differs" >&2; exit 1; }
echo "== examples/h2_get http://127.0.0.1:$NPORT/hello.txt  (sans-IO core + socket loop)"
"$H2GET" "http://127.0.0.1:$NPORT/hello.txt" > "$TMP/out"
cat "$TMP/out"
grep -q '^:status: 200$' "$TMP/out" || { echo "demo: no 200 response" >&2; exit 1; }
tail -n 1 "$TMP/out" | cmp -s - "$TMP/www/hello.txt" || { echo "demo: body differs" >&2; exit 1; }
echo "== ok: HTTP/2 exchanges with hyperbin and nghttpd on loopback"
