#!/bin/sh
# End-to-end tests of the hyper CLI against hyperbin (and nghttpd).
#   sh cli_test.sh HYPER HYPERBIN CASE
# Starts hyperbin on a free loopback port (reads its "listening on" line,
# bounded wait), runs one CASE, stops the server by PID (trap, also on
# failure) and checks that it exited cleanly on SIGTERM.
set -u
HYPER=$1
HYPERBIN=$2
CASE=$3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyper-cli-test.XXXXXX")
SPID=
NPID=
SPID1=
cleanup() {
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null
  [ -n "$SPID1" ] && kill "$SPID1" 2>/dev/null
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }
ok() { echo "ok [$CASE]: $*"; }

# start_hyperbin [HYPERBIN-ARGS]: with --cert, BASE is https://localhost:PORT
HBN=0
start_hyperbin() {
  # a new output file each time: the shell truncates it in the child, so
  # an old "listening on" line must not be found by the next start
  HBN=$((HBN + 1))
  HBOUT="$TMP/hb$HBN.out"
  "$HYPERBIN" --port 0 "$@" > "$HBOUT" 2> "$TMP/hb.err" &
  SPID=$!
  i=0
  until grep -q '^listening on ' "$HBOUT" 2>/dev/null; do
    kill -0 "$SPID" 2>/dev/null || { cat "$TMP/hb.err" >&2; fail "hyperbin exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "hyperbin did not start"
    sleep 0.05
  done
  ADDR=$(sed -n 's|^listening on [a-z]*://\([^/]*\)/.*|\1|p' "$HBOUT")
  PORT=${ADDR##*:}
  BASE="http://$ADDR"
  case " $* " in *" --cert "*) BASE="https://localhost:$PORT" ;; esac
}

stop_hyperbin() {
  kill -TERM "$SPID"
  wait "$SPID"; st=$?
  SPID=
  [ "$st" -eq 0 ] || fail "hyperbin exited with $st on SIGTERM"
}

# run ARGS...: runs hyper, stdout in $TMP/out, stderr in $TMP/err, status in $RC
run() {
  "$HYPER" "$@" > "$TMP/out" 2> "$TMP/err"
  RC=$?
}
expect_rc() { [ "$RC" -eq "$1" ] || { cat "$TMP/out" "$TMP/err" >&2; fail "$2: exit $RC, expected $1"; }; }
expect_out() { grep -q -- "$1" "$TMP/out" || { cat "$TMP/out" >&2; fail "stdout lacks: $1"; }; }
expect_err() { grep -q -- "$1" "$TMP/err" || { cat "$TMP/err" >&2; fail "stderr lacks: $1"; }; }
valid_json() { /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" || fail "not JSON: $1"; }

case "$CASE" in
http1)
  # --http1 against Python's http.server (HTTP/1.1 only); the head shows the
  # version and the reason phrase.
  mkdir -p "$TMP/www"
  printf 'plain old HTTP/1.1\n' > "$TMP/www/f.txt"
  (cd "$TMP/www" && exec /usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1) > "$TMP/py.out" 2>&1 &
  NPID=$!
  i=0
  until grep -q 'Serving HTTP on 127.0.0.1 port' "$TMP/py.out" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || { cat "$TMP/py.out" >&2; fail "http.server exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "http.server did not start"
    sleep 0.05
  done
  PYPORT=$(sed -n 's/.*Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$TMP/py.out")
  run -v --http1 "http://127.0.0.1:$PYPORT/f.txt"
  expect_rc 0 "--http1 GET"
  expect_out '^GET /f.txt HTTP/1.1$'
  expect_out '^HTTP/1.1 200 OK$'
  expect_out '^plain old HTTP/1.1$'
  run --http1 --check-status "http://127.0.0.1:$PYPORT/missing"
  expect_rc 4 "--http1 404 with --check-status"
  ok "--http1 against http.server"
  ;;
upgrade)
  # --upgrade: HTTP/1.1 with "Upgrade: h2c" (RFC 7540 §3.2). h2o (cleartext
  # listener) switches: the response arrives over HTTP/2 on stream 1
  # (nghttpd cannot serve this: it does not implement the Upgrade);
  # Python's http.server ignores the offer: the answer stays HTTP/1.1.
  command -v h2o > /dev/null || { echo "h2o missing: skipped"; exit 0; }
  mkdir -p "$TMP/www"
  printf 'upgraded to h2c\n' > "$TMP/www/u.txt"
  head -c 100000 /dev/urandom > "$TMP/www/blob.bin"
  PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  { [ "$(id -u)" -eq 0 ] && echo "user: root"
    echo "pid-file: $TMP/h2o.pid"
    echo "error-log: $TMP/h2o.log"
    echo "num-threads: 1"
    echo "listen:"
    echo "  host: 127.0.0.1"
    echo "  port: $PORT"
    echo "hosts:"
    echo "  default:"
    echo "    paths:"
    echo "      /:"
    echo "        file.dir: $TMP/www"
  } > "$TMP/h2o.conf"
  h2o -c "$TMP/h2o.conf" > "$TMP/h2o.out" 2>&1 &
  NPID=$!
  i=0
  until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || { cat "$TMP/h2o.out" "$TMP/h2o.log" >&2; fail "h2o exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "h2o did not start"
    sleep 0.05
  done
  run -v --upgrade "http://127.0.0.1:$PORT/u.txt"
  expect_rc 0 "--upgrade against h2o"
  expect_out '^GET /u.txt HTTP/1.1$'
  expect_out '^HTTP/2 200$'
  expect_out '^upgraded to h2c$'
  run --upgrade -o "$TMP/blob.out" "http://127.0.0.1:$PORT/blob.bin"
  expect_rc 0 "--upgrade download"
  cmp -s "$TMP/blob.out" "$TMP/www/blob.bin" || fail "upgraded download differs"
  run --upgrade --debug "http://127.0.0.1:$PORT/u.txt"
  expect_rc 0 "--upgrade --debug"
  grep -q 'SETTINGS' "$TMP/err" || fail "--debug shows no HTTP/2 frame after the upgrade"
  run --upgrade --check-status "http://127.0.0.1:$PORT/missing"
  expect_rc 4 "--upgrade 404"
  kill "$NPID"; wait "$NPID" 2>/dev/null; NPID=
  (cd "$TMP/www" && exec /usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1) > "$TMP/py.out" 2>&1 &
  NPID=$!
  i=0
  until grep -q 'Serving HTTP on 127.0.0.1 port' "$TMP/py.out" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || { cat "$TMP/py.out" >&2; fail "http.server exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "http.server did not start"
    sleep 0.05
  done
  PYPORT=$(sed -n 's/.*Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$TMP/py.out")
  run -v --upgrade "http://127.0.0.1:$PYPORT/u.txt"
  expect_rc 0 "--upgrade refused"
  expect_out '^HTTP/1.[01] 200 OK$'
  expect_out '^upgraded to h2c$'
  kill "$NPID"; wait "$NPID" 2>/dev/null; NPID=
  # hyperbin accepts the upgrade too (server side of RFC 7540 §3.2)
  start_hyperbin
  run -v --upgrade "$BASE/get" a==b
  expect_rc 0 "--upgrade against hyperbin"
  expect_out '^GET /get?a=b HTTP/1.1$'; expect_out '^HTTP/2 200$'; expect_out '"a": "b"'
  run --upgrade POST "$BASE/post" k=v
  expect_rc 0 "--upgrade POST with a body"; expect_out '"k": "v"'
  run --upgrade --push "$BASE/push"
  expect_rc 0 "--upgrade --push"
  [ "$(grep -c '^push promised: GET ' "$TMP/out")" -eq 2 ] || fail "--upgrade: no two pushes"
  stop_hyperbin
  ok "--upgrade: switched by h2o and hyperbin, ignored by http.server"
  ;;
nginx)
  # The CLI against nginx (an independent server): TLS with ALPN h2 and
  # http/1.1, h2c with prior knowledge, gzip, a download, a redirect.
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$NGINX" ] || { echo "nginx missing: skipped"; exit 0; }
  command -v openssl > /dev/null || { echo "openssl missing: skipped"; exit 0; }
  D=$TMP/ng
  mkdir -p "$TMP/www" "$D"
  printf 'hello from nginx\n' > "$TMP/www/hello.txt"
  head -c 300000 /dev/urandom > "$TMP/www/blob.bin"
  i=0
  while [ "$i" -lt 200 ]; do echo "line $i of a text that nginx compresses"; i=$((i + 1)); done > "$TMP/www/big.txt"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" > /dev/null 2>&1 || fail "openssl req"
  P1=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  P2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  {
    echo "daemon off; master_process off; worker_processes 1;"
    echo "pid $D/nginx.pid; error_log $D/error.log warn;"
    echo "events { worker_connections 64; }"
    echo "http {"
    echo "  access_log off;"
    echo "  client_body_temp_path $D/body; proxy_temp_path $D/proxy;"
    echo "  fastcgi_temp_path $D/fcgi; uwsgi_temp_path $D/uwsgi; scgi_temp_path $D/scgi;"
    echo "  types { text/plain txt; application/octet-stream bin; }"
    echo "  gzip on; gzip_types text/plain; gzip_min_length 1;"
    echo "  server {"
    echo "    listen 127.0.0.1:$P1 ssl http2;"
    echo "    listen 127.0.0.1:$P2 http2;"
    echo "    root $TMP/www;"
    echo "    ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem;"
    echo "    location = /old { return 301 /hello.txt; }"
    echo "  }"
    echo "}"
  } > "$D/nginx.conf"
  "$NGINX" -p "$D" -c "$D/nginx.conf" -e "$D/error.log" > "$D/out" 2>&1 &
  NPID=$!
  i=0
  until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $P1), 1).close(); socket.create_connection(('127.0.0.1', $P2), 1).close()" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || { cat "$D/out" "$D/error.log" >&2; fail "nginx exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "nginx did not start"
    sleep 0.05
  done
  run -v --cacert "$TMP/cert.pem" "https://localhost:$P1/hello.txt"
  expect_rc 0 "nginx TLS"; expect_out '^HTTP/2 200$'; expect_out '^server: nginx'
  expect_out '^hello from nginx$'
  run --cacert "$TMP/cert.pem" "https://localhost:$P1/big.txt"
  expect_rc 0 "nginx gzip"
  cmp -s "$TMP/out" "$TMP/www/big.txt" || fail "gzip body differs"
  run --headers --cacert "$TMP/cert.pem" "https://localhost:$P1/big.txt"
  expect_out '^content-encoding: gzip'
  run --cacert "$TMP/cert.pem" -o "$TMP/blob.out" "https://localhost:$P1/blob.bin"
  expect_rc 0 "nginx download"
  cmp -s "$TMP/blob.out" "$TMP/www/blob.bin" || fail "download differs"
  run -v --http1 --cacert "$TMP/cert.pem" "https://localhost:$P1/hello.txt"
  expect_rc 0 "nginx --http1"; expect_out '^HTTP/1.1 200 OK$'
  run "http://127.0.0.1:$P2/hello.txt"
  expect_rc 0 "nginx h2c"; expect_out '^hello from nginx$'
  run --follow --cacert "$TMP/cert.pem" "https://localhost:$P1/old"
  expect_rc 0 "nginx 301 --follow"; expect_out '^hello from nginx$'
  run --check-status --cacert "$TMP/cert.pem" "https://localhost:$P1/missing"
  expect_rc 4 "nginx 404"
  run --check-status --cacert "$TMP/cert.pem" POST "https://localhost:$P1/hello.txt" a=b
  expect_rc 4 "nginx 405 for a POST to a file"
  ok "nginx: TLS h2 and http/1.1, h2c, gzip, download, redirect, 4xx" ;;
get)
  start_hyperbin
  run "$BASE/get"
  expect_rc 0 "GET /get"
  valid_json "$TMP/out"
  expect_out "\"url\": \"$BASE/get\""
  expect_out '"User-Agent": "hyper/'
  # no colour when piped
  if grep -q "$(printf '\033')" "$TMP/out"; then fail "colour codes in piped output"; fi
  # explicit METHOD, lowercase too
  run get "$BASE/get"
  expect_rc 0 "get /get"
  stop_hyperbin
  ok "GET /get prints JSON" ;;
query)
  start_hyperbin
  run GET "$BASE/get" search==hyper 'q==hello world&x' 'a\=b==1'
  expect_rc 0 "query items"
  expect_out '"search": "hyper"'
  expect_out '"q": "hello world&x"'
  expect_out '"a=b": "1"'
  expect_out 'search=hyper&q=hello%20world%26x'
  stop_hyperbin
  ok "query items" ;;
header)
  start_hyperbin
  run "$BASE/headers" X-Test:abc 'X-Spaced: some value' Empty: User-Agent:custom/1.0
  expect_rc 0 "header items"
  expect_out '"X-Test": "abc"'
  expect_out '"X-Spaced": "some value"'
  expect_out '"Empty": ""'
  expect_out '"User-Agent": "custom/1.0"'
  stop_hyperbin
  ok "header items" ;;
json_post)
  start_hyperbin
  run "$BASE/post" name=Hyper language=C 'description=CLI HTTP client' n:=3 'ok:=true' 'list:=[1, "two"]'
  expect_rc 0 "JSON data items"
  valid_json "$TMP/out"
  /usr/bin/python3 - "$TMP/out" <<'PY' || fail "echoed JSON differs"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["method"] == "POST", d["method"]
assert d["json"] == {"name": "Hyper", "language": "C", "description": "CLI HTTP client",
                     "n": 3, "ok": True, "list": [1, "two"]}, d["json"]
assert d["headers"]["Content-Type"] == "application/json", d["headers"]
assert d["headers"]["Accept"].startswith("application/json"), d["headers"]
PY
  stop_hyperbin
  ok "JSON body echoed" ;;
file_items)
  start_hyperbin
  printf '{"nested": {"k": [1, 2, 3]}}' > "$TMP/obj.json"
  printf 'line one\nline two\n' > "$TMP/text.txt"
  printf 'raw body \001 bytes' > "$TMP/raw.bin"
  run POST "$BASE/post" "obj:=@$TMP/obj.json" "text=@$TMP/text.txt"
  expect_rc 0 "file items"
  /usr/bin/python3 - "$TMP/out" <<'PY' || fail "file items not echoed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["json"] == {"obj": {"nested": {"k": [1, 2, 3]}}, "text": "line one\nline two\n"}, d["json"]
PY
  run PUT "$BASE/put" "@$TMP/raw.bin" Content-Type:application/octet-stream
  expect_rc 0 "raw body"
  /usr/bin/python3 - "$TMP/out" <<'PY' || fail "raw body not echoed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["data"] == "raw body \x01 bytes", d["data"]
assert d["method"] == "PUT"
PY
  # raw body without METHOD defaults to POST
  printf '[1,2]' > "$TMP/arr.json"
  run "$BASE/post" "@$TMP/arr.json"
  expect_rc 0 "raw body POST"
  expect_out '"method": "POST"'
  stop_hyperbin
  ok "@file and :=@file items" ;;
output_modes)
  start_hyperbin
  run --headers "$BASE/get"
  expect_rc 0 "--headers"
  head -n 1 "$TMP/out" | grep -q '^HTTP/2 200$' || fail "--headers: no status line"
  expect_out '^content-type: application/json$'
  if grep -q '"args"' "$TMP/out"; then fail "--headers printed the body"; fi
  run -v "$BASE/get" X-A:1
  expect_rc 0 "-v"
  head -n 1 "$TMP/out" | grep -q '^GET /get HTTP/2$' || fail "-v: no request line"
  expect_out '^x-a: 1$'
  expect_out '^HTTP/2 200$'
  expect_out '"args"'
  run "$BASE/stream/5"
  expect_rc 0 "/stream/5"
  [ "$(grep -c '"id"' "$TMP/out")" -eq 5 ] || fail "/stream/5: not 5 lines"
  run "$BASE/trailers"
  expect_rc 0 "/trailers"
  expect_out '^body with trailers$'
  stop_hyperbin
  ok "--headers, -v, stream, trailers" ;;
check_status)
  start_hyperbin
  run --check-status "$BASE/status/404"; expect_rc 4 "404 with --check-status"
  run --check-status "$BASE/status/503"; expect_rc 5 "503 with --check-status"
  run --check-status "$BASE/status/200"; expect_rc 0 "200 with --check-status"
  run "$BASE/status/404"; expect_rc 0 "404 without --check-status"
  for st in 201 204 304 418 500; do
    run --headers "$BASE/status/$st"; expect_rc 0 "/status/$st"
    expect_out "^HTTP/2 $st\$"
  done
  stop_hyperbin
  ok "--check-status exit codes" ;;
bad_input)
  start_hyperbin
  n=0
  bad() {
    "$HYPER" "$@" > "$TMP/out" 2> "$TMP/err"
    RC=$?
    [ "$RC" -eq 2 ] || { cat "$TMP/err"; fail "'$*': exit $RC, expected 2"; }
    [ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "'$*': not one line on stderr"; }
    grep -q '^hyper: error: ' "$TMP/err" || fail "'$*': no error prefix"
    [ ! -s "$TMP/out" ] || fail "'$*': wrote to stdout"
    n=$((n + 1))
  }
  bad --no-such-flag "$BASE/get"
  bad "$BASE/get" not-an-item
  bad "ftp://127.0.0.1:$PORT/get"
  bad "http://127.0.0.1:99999/get"
  bad "http://bad host/get"
  bad "http:///get"
  bad "$BASE/post" "@$TMP/does-not-exist"
  bad "$BASE/post" "field:=@$TMP/does-not-exist.json"
  bad "$BASE/post" "field:=[1,"
  bad "$BASE/get" ':value'
  bad "$BASE/get" 'Bad Header:x'
  bad
  bad --timeout abc "$BASE/get"
  bad --timeout
  bad --cacert "$TMP/missing.pem" "https://127.0.0.1:$PORT/get"
  bad --cert "$TMP/out" "https://127.0.0.1:$PORT/get"
  bad --upgrade --http1 "$BASE/get"
  bad --max-redirects -3 "$BASE/get"
  bad --verbose=yes "$BASE/get"
  printf '{}' > "$TMP/b.json"
  bad "$BASE/post" "@$TMP/b.json" a=b
  stop_hyperbin
  ok "$n bad inputs exit 2 with one line" ;;
debug)
  start_hyperbin
  run --debug "$BASE/get"
  expect_rc 0 "--debug"
  expect_err '^\[debug\] send SETTINGS frame'
  expect_err '^\[debug\] recv SETTINGS frame'
  expect_err '^\[debug\] send HEADERS frame <length=[0-9]*, flags=0x05 (END_STREAM|END_HEADERS), stream=1>'
  expect_err '^\[debug\] recv HEADERS frame'
  expect_err '^\[debug\] recv DATA frame'
  expect_err '^\[debug\] send WINDOW_UPDATE frame.*increment='
  expect_err '^\[debug\] send stream=1 :path: /get'
  expect_err '^\[debug\] recv stream=1 :status: 200'
  expect_err '^\[debug\] HPACK encoder table size 0 -> '
  valid_json "$TMP/out"
  run --trace-json "$TMP/trace.jsonl" "$BASE/get"
  expect_rc 0 "--trace-json"
  /usr/bin/python3 - "$TMP/trace.jsonl" <<'PY' || fail "--trace-json output"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = {(r.get("dir"), r.get("type")) for r in recs if r["event"] == "frame"}
assert ("send", "HEADERS") in types and ("recv", "DATA") in types, types
assert any(r["event"] == "hpack_table" for r in recs)
assert any(r["event"] == "fields" and [":path", "/get"] in r["fields"] for r in recs)
PY
  stop_hyperbin
  ok "--debug and --trace-json frame trace" ;;
download)
  start_hyperbin
  run -o "$TMP/bytes.bin" "$BASE/bytes/100000"
  expect_rc 0 "-o"
  [ "$(wc -c < "$TMP/bytes.bin")" -eq 100000 ] || fail "-o: wrong size"
  [ ! -s "$TMP/out" ] || fail "-o: body on stdout"
  expect_err "saved 100000 bytes"
  if grep -q "$(printf '\r')" "$TMP/err"; then fail "progress bar when stderr is not a terminal"; fi
  run "$BASE/bytes/100000"
  expect_rc 0 "bytes to stdout"
  cmp -s "$TMP/out" "$TMP/bytes.bin" || fail "-o and stdout bodies differ"
  /usr/bin/python3 - "$TMP/bytes.bin" <<'PY' || fail "/bytes content"
import sys
x = 0x9e3779b9; out = bytearray()
for _ in range(100000):
    x ^= (x << 13) & 0xffffffff; x ^= x >> 17; x ^= (x << 5) & 0xffffffff
    out.append(x >> 24)
assert open(sys.argv[1], "rb").read() == bytes(out)
PY
  (cd "$TMP" && "$HYPER" --download "$BASE/bytes/1234" > /dev/null 2>&1) || fail "--download failed"
  [ "$(wc -c < "$TMP/1234")" -eq 1234 ] || fail "--download: file named after the URL"
  stop_hyperbin
  ok "-o / --download write the exact bytes" ;;
gzip)
  start_hyperbin
  run "$BASE/gzip"
  expect_rc 0 "/gzip"
  valid_json "$TMP/out"
  expect_out '"gzipped": true'
  run --headers "$BASE/gzip"
  expect_out '^content-encoding: gzip$'
  stop_hyperbin
  ok "gzip decoded transparently" ;;
push)
  start_hyperbin
  run --push "$BASE/push"
  expect_rc 0 "--push"
  expect_out '^push promised: GET /get?pushed=1 (stream 2)$'
  expect_out '^push promised: GET /ip (stream 4)$'
  expect_out '"pushed": "1"'
  run "$BASE/push"
  expect_rc 0 "push disabled"
  if grep -q 'push promised' "$TMP/out"; then fail "pushes without --push"; fi
  stop_hyperbin
  ok "--push prints promised paths" ;;
errors)
  start_hyperbin
  run --timeout 0.5 "$BASE/delay/3"
  expect_rc 9 "timeout"
  expect_err '^hyper: error: '
  run --debug --linger-ms 300 "$BASE/get"
  expect_rc 0 "--linger-ms"
  expect_err '^\[debug\] send PING frame'
  expect_err '^\[debug\] send GOAWAY frame.*error=NO_ERROR'
  # a peer that does not speak HTTP/2: a protocol error (8), quickly
  /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.recv(100)
c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()
' > "$TMP/h1port" &
  NPID=$!
  i=0; until [ -s "$TMP/h1port" ]; do i=$((i + 1)); [ "$i" -le 100 ] || fail "fake server"; sleep 0.05; done
  run --timeout 5 "http://127.0.0.1:$(cat "$TMP/h1port")/"
  expect_rc 8 "HTTP/1.1 peer"
  expect_err '^hyper: error: '
  wait "$NPID"; NPID=
  stop_hyperbin
  run "http://127.0.0.1:$PORT/get"
  expect_rc 6 "connection refused"
  expect_err '^hyper: error: '
  run --insecure --h2c "http://127.0.0.1:$PORT/get"
  expect_err 'warning: --insecure'
  run --help; expect_rc 0 "--help"; expect_out 'exit status'
  run --version; expect_rc 0 "--version"; expect_out '^hyper '
  ok "timeout, refused, linger, help" ;;
nghttpd)
  command -v nghttpd > /dev/null || { echo "nghttpd missing: skipped"; exit 0; }
  mkdir -p "$TMP/www"
  printf 'static file served by nghttpd\n' > "$TMP/www/hello.txt"
  head -c 70000 /dev/urandom > "$TMP/www/blob.bin"
  PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  nghttpd -v --no-tls -d "$TMP/www" -a 127.0.0.1 "$PORT" > "$TMP/nghttpd.log" 2>&1 &
  NPID=$!
  i=0
  until grep -q "listen 127.0.0.1:$PORT" "$TMP/nghttpd.log" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || fail "nghttpd exited"
    i=$((i + 1)); [ "$i" -le 100 ] || fail "nghttpd did not start"
    sleep 0.05
  done
  run "http://127.0.0.1:$PORT/hello.txt"
  expect_rc 0 "nghttpd static file"
  cmp -s "$TMP/out" "$TMP/www/hello.txt" || fail "static file differs"
  run -o "$TMP/blob.out" "http://127.0.0.1:$PORT/blob.bin"
  expect_rc 0 "nghttpd binary file"
  cmp -s "$TMP/blob.out" "$TMP/www/blob.bin" || fail "binary file differs"
  run --check-status "http://127.0.0.1:$PORT/missing"
  expect_rc 4 "nghttpd 404"
  ok "nghttpd static files" ;;
tty)
  command -v script > /dev/null || { echo "script(1) missing: skipped"; exit 0; }
  start_hyperbin
  # stdout and stderr on a pseudo-terminal: colour and a progress meter
  script -qec "\"$HYPER\" \"$BASE/get\"" /dev/null > "$TMP/tty.out" 2>&1 < /dev/null
  grep -q "$(printf '\033')\[3[0-9]m\"args\"" "$TMP/tty.out" || { cat -v "$TMP/tty.out" >&2; fail "no colour on a terminal"; }
  script -qec "\"$HYPER\" -o \"$TMP/big.bin\" \"$BASE/bytes/3000000\"" /dev/null > "$TMP/tty.out" 2>&1 < /dev/null
  [ "$(wc -c < "$TMP/big.bin")" -eq 3000000 ] || fail "download on a terminal"
  grep -q "$(printf '\r').*100%.*ETA" "$TMP/tty.out" || { cat -v "$TMP/tty.out" >&2; fail "no progress meter on a terminal"; }
  stop_hyperbin
  ok "colour and progress meter on a terminal" ;;
tls)
  command -v nghttpd > /dev/null || { echo "nghttpd missing: skipped"; exit 0; }
  command -v openssl > /dev/null || { echo "openssl missing: skipped"; exit 0; }
  mkdir -p "$TMP/www"
  printf 'hello over TLS\n' > "$TMP/www/hello.txt"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" > /dev/null 2>&1 || fail "openssl req"
  PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  nghttpd -v -d "$TMP/www" -a 127.0.0.1 "$PORT" "$TMP/key.pem" "$TMP/cert.pem" > "$TMP/nghttpd.log" 2>&1 &
  NPID=$!
  i=0
  until grep -q "listen 127.0.0.1:$PORT" "$TMP/nghttpd.log" 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || fail "nghttpd exited"
    i=$((i + 1)); [ "$i" -le 100 ] || fail "nghttpd did not start"
    sleep 0.05
  done
  run --cacert "$TMP/cert.pem" "https://localhost:$PORT/hello.txt"
  expect_rc 0 "TLS with --cacert"
  cmp -s "$TMP/out" "$TMP/www/hello.txt" || fail "TLS body differs"
  run --cacert "$TMP/cert.pem" "localhost:$PORT/hello.txt"
  expect_rc 0 "https is the default scheme"
  run "https://localhost:$PORT/hello.txt"
  expect_rc 7 "untrusted certificate"
  expect_err '^hyper: error: '
  run --insecure "https://localhost:$PORT/hello.txt"
  expect_rc 0 "--insecure"
  expect_err '^hyper: warning: --insecure'
  # hyperbin over TLS (ALPN h2) with the same certificate
  "$HYPERBIN" --port 0 --cert "$TMP/cert.pem" --key "$TMP/key.pem" > "$TMP/hb.out" 2> "$TMP/hb.err" &
  SPID=$!
  i=0
  until grep -q '^listening on ' "$TMP/hb.out" 2>/dev/null; do
    kill -0 "$SPID" 2>/dev/null || { cat "$TMP/hb.err" >&2; fail "hyperbin (TLS) exited"; }
    i=$((i + 1)); [ "$i" -le 100 ] || fail "hyperbin (TLS) did not start"
    sleep 0.05
  done
  HPORT=$(sed -n 's|^listening on https://.*:\([0-9]*\)/$|\1|p' "$TMP/hb.out")
  run --cacert "$TMP/cert.pem" "https://localhost:$HPORT/get" q==1
  expect_rc 0 "hyperbin over TLS"
  expect_out "\"url\": \"https://localhost:$HPORT/get?q=1\""
  run --cacert "$TMP/cert.pem" --push "https://localhost:$HPORT/push"
  expect_rc 0 "push over TLS"
  expect_out '^push promised: GET /get?pushed=1'
  run -o "$TMP/tls.bin" --cacert "$TMP/cert.pem" "https://localhost:$HPORT/bytes/1000000"
  expect_rc 0 "download over TLS"
  [ "$(wc -c < "$TMP/tls.bin")" -eq 1000000 ] || fail "TLS download size"
  run "https://localhost:$HPORT/get"
  expect_rc 7 "hyperbin: untrusted certificate"
  run --h2c "http://localhost:$HPORT/get"
  [ "$RC" -ne 0 ] || fail "h2c to a TLS port succeeded"
  if command -v curl > /dev/null && curl -V | grep -q HTTP2; then
    curl -sS --http2 --cacert "$TMP/cert.pem" "https://localhost:$HPORT/get" > "$TMP/out" || fail "curl TLS"
    expect_out '"url": "https://localhost'
  fi
  stop_hyperbin
  ok "TLS: --cacert, verification failure (7), --insecure, hyperbin TLS" ;;
hyperbin_peers)
  # hyperbin against other clients: curl, nghttp (push), h2load (many
  # connections and concurrent streams), and a client that cancels.
  start_hyperbin
  if command -v curl > /dev/null && curl -V | grep -q HTTP2; then
    curl -sS --http2-prior-knowledge "$BASE/get?x=1" > "$TMP/out" || fail "curl"
    expect_out '"x": "1"'
    curl -sS --http2-prior-knowledge --compressed "$BASE/gzip" > "$TMP/out" || fail "curl gzip"
    expect_out '"gzipped": true'
  fi
  if command -v nghttp > /dev/null; then
    nghttp -v "$BASE/push" > "$TMP/out" 2>&1 || fail "nghttp"
    expect_out 'recv PUSH_PROMISE frame'
  fi
  if command -v h2load > /dev/null; then
    h2load -n 1000 -c 10 -m 10 "$BASE/get" > "$TMP/out" 2>&1 || fail "h2load"
    expect_out 'requests: 1000 total, 1000 started, 1000 done, 1000 succeeded'
    h2load -n 60 -c 3 -m 20 "$BASE/bytes/300000" > "$TMP/out" 2>&1 || fail "h2load bytes"
    expect_out 'requests: 60 total, 60 started, 60 done, 60 succeeded'
  fi
  # --headers closes the response early: the stream is reset mid-body
  run --headers "$BASE/bytes/5000000"
  expect_rc 0 "cancel mid-body"
  run "$BASE/get"
  expect_rc 0 "still serving"
  stop_hyperbin
  ok "curl, nghttp, h2load and a cancelling client" ;;
redirects)
  # --follow / -F like HTTPie: relative and absolute Location, 303 and
  # 301/302 turn into GET without body, 307/308 keep method and body, a
  # limit (--max-redirects, exit 3), a loop (exit 3), another origin gets a
  # new connection and no Authorization.
  start_hyperbin
  run "$BASE/redirect/3"; expect_rc 0 "no --follow"; [ ! -s "$TMP/out" ] || fail "a 302 has no body"
  run --headers "$BASE/redirect/3"; expect_out '^HTTP/2 302$'
  run -F "$BASE/redirect/3"; expect_rc 0 "-F /redirect/3"
  expect_out "\"url\": \"$BASE/get\""
  run --follow "$BASE/relative-redirect/4"; expect_rc 0 "/relative-redirect/4"
  expect_out "\"url\": \"$BASE/get\""
  run --follow "$BASE/absolute-redirect/3"; expect_rc 0 "/absolute-redirect/3"
  expect_out "\"url\": \"$BASE/get\""
  run --follow "$BASE/redirect-to" 'url==../anything/a/./b/../c?q=1'
  expect_rc 0 "relative path Location"
  expect_out "\"url\": \"$BASE/anything/a/c?q=1\""
  run --follow "$BASE/redirect-to" "url==http://$ADDR/ip"
  expect_rc 0 "absolute Location"; expect_out '"origin": "127.0.0.1"'
  run --follow "$BASE/redirect-to" "url==//$ADDR/ip#frag"
  expect_rc 0 "scheme-relative Location"; expect_out '"origin": "127.0.0.1"'
  run --follow "$BASE/redirect-to" 'url==?url=/user-agent'
  expect_rc 0 "query-only Location"; expect_out '"user-agent": "hyper/'
  run -v --follow HEAD "$BASE/redirect/2"
  expect_rc 0 "HEAD stays HEAD"; expect_out '^HEAD /get HTTP/2$'
  # methods and bodies
  run --follow POST "$BASE/redirect-to" url==/anything status_code==307 k=v
  expect_rc 0 "307"; expect_out '"method": "POST"'; expect_out '"k": "v"'
  run --follow PUT "$BASE/redirect-to" url==/anything status_code==308 k=v
  expect_rc 0 "308"; expect_out '"method": "PUT"'; expect_out '"k": "v"'
  for st in 301 302 303; do
    run --follow POST "$BASE/redirect-to" url==/anything status_code==$st k=v
    expect_rc 0 "$st"; expect_out '"method": "GET"'; expect_out '"data": ""'
    grep -q 'Content-Type' "$TMP/out" && fail "$st: content-type kept"
  done
  # -v shows every hop
  run -v --follow "$BASE/redirect/2"
  [ "$(grep -c '^HTTP/2 302$' "$TMP/out")" -eq 2 ] || fail "-v: not two 302 heads"
  [ "$(grep -c '^GET ' "$TMP/out")" -eq 3 ] || fail "-v: not three requests"
  # limits and loops
  run --follow --max-redirects 2 "$BASE/redirect/3"; expect_rc 3 "limit"
  expect_err 'too many redirects (more than 2'
  run --follow --max-redirects 3 "$BASE/redirect/3"; expect_rc 0 "at the limit"
  run --follow "$BASE/redirect/31"; expect_rc 3 "default limit 30"
  run --follow "$BASE/redirect/30"; expect_rc 0 "30 redirects"
  run --follow "$BASE/redirect-loop"; expect_rc 3 "loop"
  expect_err '^hyper: error: redirect loop: '
  [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "loop: not one line"
  run --check-status "$BASE/redirect/1"; expect_rc 3 "3xx with --check-status"
  run --follow "$BASE/redirect-to" 'url==http://bad host/'; expect_rc 8 "bad Location"
  # another origin: a second hyperbin; Authorization is dropped there
  ADDR1=$ADDR; SPID1=$SPID; BASE1=$BASE
  start_hyperbin
  ADDR2=$ADDR; SPID2=$SPID
  run --follow "$BASE1/redirect-to" "url==http://$ADDR2/headers" 'Authorization:Bearer s3cret' X-Keep:1
  expect_rc 0 "cross-origin"; expect_out '"X-Keep": "1"'
  grep -q 's3cret' "$TMP/out" && fail "Authorization sent to another origin"
  run --follow "$BASE1/redirect-to" url==/headers 'Authorization:Bearer s3cret'
  expect_rc 0 "same origin"; expect_out '"Authorization": "Bearer s3cret"'
  stop_hyperbin
  SPID=$SPID1; SPID1=
  stop_hyperbin
  ok "--follow: relative/absolute, 301-308 methods, limit, loop, cross-origin" ;;
peers_all)
  # Every hyperbin endpoint through curl --http2 (TLS, ALPN h2) and
  # --http2-prior-knowledge (h2c), and through nghttp (both transports).
  command -v curl > /dev/null && curl -V | grep -q HTTP2 || { echo "curl without HTTP/2: skipped"; exit 0; }
  command -v nghttp > /dev/null || { echo "nghttp missing: skipped"; exit 0; }
  command -v openssl > /dev/null || { echo "openssl missing: skipped"; exit 0; }
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" > /dev/null 2>&1 || fail "openssl req"
  printf 'hello' > "$TMP/body.txt"
  n=0
  # c WHAT ARGS...: curl; the output (with -i: status line and head) in out
  c() {
    what=$1; shift
    curl -sS -i $CURLMODE "$@" > "$TMP/out" 2> "$TMP/err" || { cat "$TMP/err"; fail "curl $what"; }
    n=$((n + 1))
  }
  # g WHAT ARGS...: nghttp -v (frames, head and body) into out
  g() {
    what=$1; shift
    nghttp -v "$@" > "$TMP/out" 2> "$TMP/err" || { cat "$TMP/out" "$TMP/err" | tail -20; fail "nghttp $what"; }
    n=$((n + 1))
  }
  for mode in h2c tls; do
    if [ "$mode" = tls ]; then
      start_hyperbin --cert "$TMP/cert.pem" --key "$TMP/key.pem"
      CURLMODE="--http2 --cacert $TMP/cert.pem"
    else
      start_hyperbin
      CURLMODE="--http2-prior-knowledge"
    fi
    # curl
    c get "$BASE/get?x=1"; expect_out '^HTTP/2 200'; expect_out '"x": "1"'
    c post -X POST --data-binary @"$TMP/body.txt" "$BASE/post"; expect_out '"data": "hello"'
    for m in PUT PATCH DELETE; do
      lm=$(echo "$m" | tr 'A-Z' 'a-z')
      c "$lm" -X "$m" --data-binary k=v "$BASE/$lm"; expect_out "\"method\": \"$m\""
    done
    c anything -X OPTIONS "$BASE/anything/a?b=c"; expect_out '"method": "OPTIONS"'
    c headers -H 'X-Test: yes' "$BASE/headers"; expect_out '"X-Test": "yes"'
    c ip "$BASE/ip"; expect_out '"origin": "127.0.0.1"'
    c user-agent "$BASE/user-agent"; expect_out '"user-agent": "curl/'
    c status "$BASE/status/418"; expect_out '^HTTP/2 418'
    curl -sS $CURLMODE -o "$TMP/bytes.out" "$BASE/bytes/70000?seed=7" || fail "curl bytes"
    [ "$(wc -c < "$TMP/bytes.out")" -eq 70000 ] || fail "curl /bytes/70000: wrong size"
    n=$((n + 1))
    c stream "$BASE/stream/4"; [ "$(grep -c '"id"' "$TMP/out")" -eq 4 ] || fail "curl /stream/4"
    c drip "$BASE/drip?numbytes=4&duration=0.2"; expect_out '^\*\*\*\*$'
    c delay "$BASE/delay/1"; expect_out '"url": '
    c gzip --compressed "$BASE/gzip"; expect_out '"gzipped": true'
    c deflate --compressed "$BASE/deflate"; expect_out '"deflated": true'
    if curl -V | grep -q brotli; then
      c brotli --compressed "$BASE/brotli"; expect_out '"brotli": true'
    fi
    c response-headers "$BASE/response-headers?x-a=1"; expect_out '^x-a: 1'
    c trailers "$BASE/trailers"; expect_out '^body with trailers$'
    c push "$BASE/push"; expect_out '"pushed": \[\]'
    if [ "$mode" = tls ]; then
      c redirect -L "$BASE/redirect/3"; expect_out "\"url\": \"$BASE/get\""
      c relative-redirect -L "$BASE/relative-redirect/2"; expect_out "\"url\": \"$BASE/get\""
      c absolute-redirect -L "$BASE/absolute-redirect/2"; expect_out "\"url\": \"$BASE/get\""
      c redirect-to -L "$BASE/redirect-to?url=/ip&status_code=307"; expect_out '"origin"'
    else
      # curl 7.88.1 cannot reuse a prior-knowledge connection (curl issue
      # 10634, fixed in 8.0): -L over h2c would fail on curl's side
      c redirect "$BASE/redirect/3"; expect_out '^location: /redirect/2'
      c relative-redirect "$BASE/relative-redirect/2"; expect_out '^location: /relative-redirect/1'
      c absolute-redirect "$BASE/absolute-redirect/2"; expect_out "^location: $BASE/absolute-redirect/1"
      c redirect-to "$BASE/redirect-to?url=/ip&status_code=307"; expect_out '^HTTP/2 307'
    fi
    c cookies -H 'Cookie: a=1; b=2' "$BASE/cookies"; expect_out '"b": "2"'
    c not-found "$BASE/nope"; expect_out '^HTTP/2 404'
    if [ "$mode" = h2c ]; then
      # curl --http2 on http:// asks for h2c with Upgrade (RFC 7540 §3.2)
      CURLMODE="--http2"
      c upgrade-get "$BASE/get?u=1"; expect_out '^HTTP/1.1 101'; expect_out '^HTTP/2 200'
      expect_out '"u": "1"'
      c upgrade-post --data-binary @"$TMP/body.txt" "$BASE/post"
      expect_out '^HTTP/2 200'; expect_out '"data": "hello"'
      c upgrade-head -I "$BASE/bytes/10"; expect_out '^HTTP/2 200'
      curl -sS -i --http1.1 "$BASE/get" > "$TMP/out" 2>&1 || fail "curl HTTP/1.1"
      expect_out '^HTTP/1.1 505'
      n=$((n + 1))
      CURLMODE="--http2-prior-knowledge"
    fi
    # nghttp (no redirects, no decoding of bodies: checks heads and frames)
    g get "$BASE/get?x=1"; expect_out ':status: 200'; expect_out '"x": "1"'
    g post -d "$TMP/body.txt" "$BASE/post"; expect_out '"data": "hello"'
    for m in PUT PATCH DELETE; do
      lm=$(echo "$m" | tr 'A-Z' 'a-z')
      g "$lm" -H ":method: $m" -d "$TMP/body.txt" "$BASE/$lm"; expect_out "\"method\": \"$m\""
    done
    g anything "$BASE/anything"; expect_out '"method": "GET"'
    g headers -H 'x-test: yes' "$BASE/headers"; expect_out '"X-Test": "yes"'
    g ip "$BASE/ip"; expect_out '"origin": "127.0.0.1"'
    g user-agent "$BASE/user-agent"; expect_out '"user-agent": "nghttp2/'
    g status "$BASE/status/503"; expect_out ':status: 503'
    g bytes -n "$BASE/bytes/100000"; expect_out 'content-length: 100000'
    expect_out 'recv DATA frame <length=[0-9]*, flags=0x01'
    g stream "$BASE/stream/3"; [ "$(grep -c '^{.*"id"' "$TMP/out")" -eq 3 ] || fail "nghttp /stream/3"
    g drip "$BASE/drip?numbytes=3&duration=0.2"; expect_out 'content-length: 3'
    g delay "$BASE/delay/1"; expect_out ':status: 200'
    g gzip "$BASE/gzip"; expect_out 'content-encoding: gzip'
    g deflate "$BASE/deflate"; expect_out 'content-encoding: deflate'
    g brotli "$BASE/brotli"; expect_out 'content-encoding: br'
    g response-headers "$BASE/response-headers?x-a=1"; expect_out 'x-a: 1'
    g trailers "$BASE/trailers"; expect_out 'x-checksum: '
    g push "$BASE/push"; expect_out 'recv PUSH_PROMISE frame'; expect_out '"/ip"'
    g redirect "$BASE/redirect/2"; expect_out ':status: 302'; expect_out 'location: /redirect/1'
    g redirect-to "$BASE/redirect-to?url=/ip&status_code=308"; expect_out ':status: 308'
    g cookies -H 'cookie: a=1' "$BASE/cookies"; expect_out '"a": "1"'
    # HEAD: a head with END_STREAM and no DATA, whatever the route
    for p in /get /bytes/10 /stream/3 "/drip?numbytes=3" "/response-headers?a=b" /gzip /trailers; do
      g "HEAD $p" -H ':method: HEAD' "$BASE$p"
      expect_out 'recv HEADERS frame <length=[0-9]*, flags=0x05'
      grep -q 'recv DATA frame' "$TMP/out" && fail "nghttp HEAD $p: DATA after a HEAD"
    done
    stop_hyperbin
  done
  ok "$n curl/nghttp exchanges with hyperbin over h2c and TLS" ;;
endpoints)
  start_hyperbin
  run "$BASE/deflate"; expect_rc 0 "/deflate"; expect_out '"deflated": true'
  run --headers "$BASE/redirect/2"; expect_rc 0 "/redirect/2"
  expect_out '^HTTP/2 302$'; expect_out '^location: /redirect/1$'
  run "$BASE/cookies" 'Cookie:a=1; b=two'; expect_rc 0 "/cookies"
  expect_out '"a": "1"'; expect_out '"b": "two"'
  run --headers "$BASE/response-headers" x-custom==yes; expect_rc 0 "/response-headers"
  expect_out '^x-custom: yes$'
  run PATCH "$BASE/anything/x" k=v; expect_rc 0 "PATCH /anything"
  expect_out '"method": "PATCH"'; expect_out '"k": "v"'
  run --headers HEAD "$BASE/get"; expect_rc 0 "HEAD /get"; expect_out '^HTTP/2 200$'
  run "$BASE/user-agent"; expect_out '"user-agent": "hyper/'
  run --check-status "$BASE/nope"; expect_rc 4 "404 route"
  run --check-status GET "$BASE/post"; expect_rc 4 "405 method"
  run "$BASE/brotli"; expect_rc 0 "/brotli"; expect_out '"brotli": true'
  run "$BASE/drip" numbytes==5 duration==0.3; expect_rc 0 "/drip"
  [ "$(cat "$TMP/out")" = "*****" ] || fail "/drip: not five octets"
  run --check-status "$BASE/drip" numbytes==0 code==418; expect_rc 4 "/drip code"
  for m in PUT PATCH DELETE; do
    lm=$(echo "$m" | tr 'A-Z' 'a-z')
    run "$m" "$BASE/$lm" k=v; expect_rc 0 "$m /$lm"
    expect_out "\"method\": \"$m\""; expect_out '"k": "v"'
  done
  stop_hyperbin
  ok "more hyperbin endpoints" ;;
*)
  fail "unknown case" ;;
esac
