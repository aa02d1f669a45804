#!/bin/sh
# The main job: a real HTTP/2 exchange on loopback. Starts nghttpd
# (nghttp2-server) in cleartext h2c mode on a free 127.0.0.1 port serving a
# generated file, fetches it with hyper (examples/h2_get: hyper's sans-IO
# HTTP/2 core over a socket), checks the body, and stops the server by PID.
#   sh scripts/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
BIN="$BUILD/examples/h2_get"
[ -x "$BIN" ] || { echo "demo: $BIN not built (run make build)" >&2; exit 2; }
command -v nghttpd >/dev/null || { echo "demo: nghttpd missing (apt-get install nghttp2-server)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-demo.XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

mkdir -p "$TMP/www"
printf 'Hello from nghttpd over HTTP/2 (h2c), fetched by hyper %s.\n' "$(date -u +%FT%TZ)" > "$TMP/www/hello.txt"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

nghttpd -v --no-tls -d "$TMP/www" -a 127.0.0.1 "$PORT" > "$TMP/nghttpd.log" 2>&1 &
PID=$!
# nghttpd prints "IPv4: listen 127.0.0.1:PORT" once it accepts: wait for
# that line (bounded: 50 x 0.1 s), or for the process to die.
i=0
until grep -q "listen 127.0.0.1:$PORT" "$TMP/nghttpd.log" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/nghttpd.log" >&2; echo "demo: nghttpd exited" >&2; exit 1; }
  i=$((i + 1)); [ "$i" -le 50 ] || { echo "demo: nghttpd did not start" >&2; exit 1; }
  sleep 0.1
done

echo "== hyper GET http://127.0.0.1:$PORT/hello.txt (h2c, server: nghttpd pid $PID)"
"$BIN" "http://127.0.0.1:$PORT/hello.txt" | tee "$TMP/out"
grep -q '^:status: 200$' "$TMP/out" || { echo "demo: no 200 response" >&2; exit 1; }
tail -n 1 "$TMP/out" | cmp -s - "$TMP/www/hello.txt" || { echo "demo: body differs" >&2; exit 1; }
echo "== ok: HTTP/2 exchange with nghttpd on loopback"
