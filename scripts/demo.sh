#!/bin/sh
# The main job (`make demo`): real HTTP/2 exchanges on loopback, every
# server started and stopped (by PID, also on failure) here.
#  1. A throwaway certificate (openssl CLI, CN and SAN localhost), hyperbin
#     (hyper's own httpbin-like server, on hyper's server-role core) over
#     TLS with ALPN h2 on a free 127.0.0.1 port, and the hyper CLI against
#     it, verifying the certificate with --cacert:
#       hyper GET https://localhost:PORT/get        the seed's first example
#       hyper POST https://localhost:PORT/post ...   request items -> JSON
#       examples/quickstart localhost:PORT           three requests in flight
#                                                    on one connection
#       hyper --push https://localhost:PORT/push     a server push
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
QUICKSTART="$BUILD/examples/quickstart"
for b in "$HYPER" "$HYPERBIN" "$H2GET" "$QUICKSTART"; do
  [ -x "$b" ] || { echo "demo: $b not built (run make build)" >&2; exit 2; }
done
command -v nghttpd >/dev/null || { echo "demo: nghttpd missing (apt-get install nghttp2-server)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "demo: openssl missing (apt-get install openssl)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-demo.XXXXXX")
PIDS=
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

die() { echo "demo: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for LOG PATTERN PID: until the server prints PATTERN (bounded: 100 x
# 0.1 s), or fail if it exits.
wait_for() {
  i=0
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; die "server exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || die "server did not start"
    sleep 0.1
  done
}

# 1. hyperbin over TLS with a throwaway certificate, the hyper CLI and the
#    blocking client against it.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" > "$TMP/openssl.log" 2>&1 ||
  { cat "$TMP/openssl.log" >&2; die "openssl could not make a certificate"; }
"$HYPERBIN" --port 0 --cert "$TMP/cert.pem" --key "$TMP/key.pem" > "$TMP/hyperbin.log" 2>&1 &
BPID=$!; PIDS="$PIDS $BPID"
wait_for "$TMP/hyperbin.log" "^listening on https://127.0.0.1:" "$BPID"
BPORT=$(sed -n 's|^listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/hyperbin.log")
ORIGIN="https://localhost:$BPORT"

echo "== hyper GET $ORIGIN/get   (hyperbin pid $BPID, TLS + ALPN h2, throwaway certificate)"
"$HYPER" --cacert "$TMP/cert.pem" GET "$ORIGIN/get" | tee "$TMP/get.json"
grep -q "\"url\": \"$ORIGIN/get\"" "$TMP/get.json" || die "/get did not answer"

echo "== hyper POST $ORIGIN/post name=hyper n:=3 tags:='[\"h2\",\"c\"]' X-Demo:yes q==1"
"$HYPER" --cacert "$TMP/cert.pem" POST "$ORIGIN/post" name=hyper n:=3 \
  'tags:=["h2","c"]' X-Demo:yes q==1 | tee "$TMP/post.json"
grep -q '"name": "hyper"' "$TMP/post.json" || die "/post did not echo the JSON body"
grep -q '"X-Demo": "yes"' "$TMP/post.json" || die "/post did not echo the header"

echo "== examples/quickstart localhost:$BPORT   (three requests in flight on one connection, read out of order)"
SSL_CERT_FILE="$TMP/cert.pem" "$QUICKSTART" "localhost:$BPORT" | tee "$TMP/multi.out"
[ "$(grep -c ': 200,' "$TMP/multi.out")" -eq 3 ] || die "the multiplexed fetch did not get three 200s"

echo "== hyper --push $ORIGIN/push   (the server pushes /get and /ip)"
"$HYPER" --cacert "$TMP/cert.pem" --push "$ORIGIN/push" | tee "$TMP/push.out"
[ "$(grep -c '^push promised: GET ' "$TMP/push.out")" -eq 2 ] || die "no two pushes"

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
tail -n 1 "$TMP/cli.out" | cmp -s - "$TMP/www/hello.txt" || die "CLI body differs"
echo "== examples/h2_get http://127.0.0.1:$NPORT/hello.txt  (sans-IO core + socket loop)"
"$H2GET" "http://127.0.0.1:$NPORT/hello.txt" > "$TMP/out"
cat "$TMP/out"
grep -q '^:status: 200$' "$TMP/out" || die "no 200 response"
tail -n 1 "$TMP/out" | cmp -s - "$TMP/www/hello.txt" || die "body differs"

# Stop the servers by PID; hyperbin must exit cleanly on SIGTERM.
kill -TERM "$BPID"
st=0; wait "$BPID" || st=$?
[ "$st" -eq 0 ] || die "hyperbin exited with $st on SIGTERM"
echo "== ok: HTTP/2 exchanges with hyperbin (TLS) and nghttpd (h2c) on loopback"
