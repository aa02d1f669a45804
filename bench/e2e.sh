#!/usr/bin/env bash
# bench/e2e.sh — end-to-end benchmark: hyper (bench/e2e_client, the public
# blocking API) against h2load and curl, on the same h2o and nghttpd servers
# in the same run. See bench/README.md for what each workload measures.
#
#   bash bench/e2e.sh [BUILD_DIR]        (default: build)
#
# Environment (defaults follow issue 8 where feasible):
#   E2E_REPS=3            repetitions of every workload (tool order flips
#                         every repetition)
#   E2E_WORKLOADS="1 2 3 4 5 6"
#   E2E_SERVERS="nghttpd h2o"
#   E2E_N1=200000         workload 1: GETs of 100 B, 1 connection x 100 streams
#   E2E_N2=200000         workload 2: GETs of 100 B, 10 connections x 10 streams
#   E2E_N3=20000          workload 3: GETs of 100 B, one at a time
#   E2E_BIG_MB=100        workloads 4 and 5: download / upload size (MiB)
#   E2E_MEM_STREAMS="1 100 1000"   workload 6: concurrent streams
#   E2E_COALESCE=1        also run hyper with the coalesce_requests option
#                         on workloads 1 and 2 (row "hyper+co"), and with
#                         it plus hyper_client_poll() (row "hyper+poll",
#                         e2e_client --coalesce --poll)
#   E2E_PIN=1             pin servers to CPU 0 and clients to CPU 1 (when
#                         there are two CPUs or more)
# Client CPU is user+sys of the client process (wait4), for every tool.
# Starts its servers on free loopback ports with a certificate made here by
# openssl, and stops exactly those processes (by PID) on exit.
set -u

BUILD=${1:-build}
CLIENT=$BUILD/bench/e2e_client
REPS=${E2E_REPS:-3}
WORKLOADS=${E2E_WORKLOADS:-"1 2 3 4 5 6"}
SERVERS=${E2E_SERVERS:-"nghttpd h2o"}
N1=${E2E_N1:-200000}
N2=${E2E_N2:-200000}
N3=${E2E_N3:-20000}
BIG_MB=${E2E_BIG_MB:-100}
MEM_STREAMS=${E2E_MEM_STREAMS:-"1 100 1000"}
COALESCE=${E2E_COALESCE:-1}
PIN=${E2E_PIN:-1}
PY=/usr/bin/python3

if [ ! -x "$CLIENT" ]; then
  echo "e2e: $CLIENT not built (configure with -DHYPER_BENCH=ON)" >&2
  exit 2
fi
for t in openssl h2load curl nghttpd; do
  if ! command -v $t >/dev/null 2>&1; then
    echo "e2e: '$t' not installed (scripts/deps.sh); skipped" >&2
    exit 0
  fi
done
if ! command -v h2o >/dev/null 2>&1; then
  echo "e2e: h2o not installed: nghttpd only" >&2
  SERVERS=nghttpd
fi

tmp=$(mktemp -d /tmp/hyper-e2e.XXXXXX)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRV_PIN="" CLI_PIN=""
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SRV_PIN="taskset -c 0"
  CLI_PIN="taskset -c 1"
fi

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- certificate and docroot ------------------------------------------------
doc=$tmp/doc
mkdir -p "$doc"
head -c 100 /dev/urandom >"$doc/100b"
head -c 10240 /dev/urandom >"$doc/10k"
head -c $((BIG_MB * 1024 * 1024)) /dev/urandom >"$doc/big"
BIG_BYTES=$((BIG_MB * 1024 * 1024))
# h2o started as root serves as "nobody": let it read the docroot
chmod 755 "$tmp" "$doc" && chmod 644 "$doc"/*
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >/dev/null 2>&1 || {
  echo "e2e: openssl could not make a certificate" >&2
  exit 1
}

# ---- servers ------------------------------------------------------------------
# port variables: <server>_h2c, <server>_tls
wait_ready() { # url [curl flags]
  local url=$1
  shift
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$@" "$url" && return 0
    sleep 0.05 # polling for readiness, bounded (5 s)
  done
  echo "e2e: server at $url did not come up" >&2
  return 1
}

start_nghttpd() {
  nghttpd_h2c=$(free_port)
  $SRV_PIN nghttpd --no-tls -d "$doc" -m 1000 "$nghttpd_h2c" \
    >/dev/null 2>"$tmp/nghttpd-h2c.err" &
  pids="$pids $!"
  nghttpd_tls=$(free_port)
  $SRV_PIN nghttpd -d "$doc" -m 1000 "$nghttpd_tls" "$tmp/key.pem" \
    "$tmp/cert.pem" >/dev/null 2>"$tmp/nghttpd-tls.err" &
  pids="$pids $!"
  wait_ready "http://127.0.0.1:$nghttpd_h2c/100b" --http2-prior-knowledge &&
    wait_ready "https://127.0.0.1:$nghttpd_tls/100b" --http2 -k
}

start_h2o() {
  h2o_h2c=$(free_port)
  h2o_tls=$(free_port)
  cat >"$tmp/h2o.conf" <<EOF
num-threads: 1
http2-max-concurrent-requests-per-connection: 1000
error-log: $tmp/h2o.err
listen:
  host: 127.0.0.1
  port: $h2o_h2c
listen:
  host: 127.0.0.1
  port: $h2o_tls
  ssl:
    certificate-file: $tmp/cert.pem
    key-file: $tmp/key.pem
hosts:
  default:
    paths:
      /:
        file.dir: $doc
EOF
  $SRV_PIN h2o -c "$tmp/h2o.conf" >/dev/null 2>"$tmp/h2o.stderr" &
  pids="$pids $!"
  wait_ready "http://127.0.0.1:$h2o_h2c/100b" --http2-prior-knowledge &&
    wait_ready "https://127.0.0.1:$h2o_tls/100b" --http2 -k
}

# ---- running and recording ------------------------------------------------------
RES=$tmp/results # lines: key tool rep value
: >"$RES"

# run OUTFILE CMD... : runs CMD pinned, under the exec wrapper; the wrapper's
# line goes to OUTFILE.exec, stdout to OUTFILE. Returns the command's status.
run() {
  local out=$1
  shift
  $CLI_PIN "$CLIENT" exec -- "$@" >"$out" 2>"$out.err"
  local st=$?
  grep '^exec:' "$out.err" >"$out.exec"
  if [ $st -ne 0 ]; then
    echo "e2e: FAILED ($st): $*" >&2
    grep -v '^exec:' "$out.err" | head -5 >&2
  fi
  return $st
}
kv() { # file key -> value of key=value
  tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | head -1
}
rec() { echo "$1 $2 $3 $4" >>"$RES"; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# rotate the tool list by the repetition number (alternating order)
order() { # rep tools...
  local r=$1
  shift
  local a=("$@")
  local n=${#a[@]} i
  for ((i = 0; i < n; i++)); do echo "${a[$(((i + r) % n))]}"; done
}

h2load_rps() { sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$1"; }
h2load_secs() { # "finished in 1.23s" or "123.4ms"
  sed -n 's/^finished in \([0-9.]*\)\(m*s\),.*/\1 \2/p' "$1" |
    awk '{ print ($2 == "ms") ? $1 / 1000 : $1 }'
}
h2load_ok() { grep -q "succeeded, 0 failed, 0 errored" "$1"; }

# ---- workloads 1-3: GET 100 B ------------------------------------------------------
get_workload() { # w server conns streams n
  local w=$1 s=$2 c=$3 m=$4 n=$5 rep tool
  local port_var=${s}_h2c
  local port=${!port_var}
  local tools=(hyper h2load)
  [ "$COALESCE" = 1 ] && [ "$m" -gt 1 ] && tools=(hyper h2load hyper+co hyper+poll)
  for rep in $(seq 1 "$REPS"); do
    for tool in $(order "$rep" "${tools[@]}"); do
      local o=$tmp/w$w.$s.$tool.$rep key="w$w.$s"
      case $tool in
      hyper | hyper+co | hyper+poll)
        local extra=""
        [ "$tool" = hyper+co ] && extra=--coalesce
        [ "$tool" = hyper+poll ] && extra="--coalesce --poll"
        run "$o" "$CLIENT" get "127.0.0.1:$port" --path /100b -n "$n" \
          -c "$c" -m "$m" --expect 100 $extra || continue
        rec "$key.rps" "$tool" "$rep" "$(kv "$o" req_per_s)"
        rec "$key.wall_us" "$tool" "$rep" "$(kv "$o" wall_us_per_req)"
        ;;
      h2load)
        run "$o" h2load -n "$n" -c "$c" -m "$m" \
          "http://127.0.0.1:$port/100b" || continue
        h2load_ok "$o" || { echo "e2e: h2load had failures" >&2; continue; }
        local rps
        rps=$(h2load_rps "$o")
        rec "$key.rps" "$tool" "$rep" "$rps"
        rec "$key.wall_us" "$tool" "$rep" "$(calc "1e6 / $rps")"
        ;;
      esac
      rec "$key.cpu_us" "$tool" "$rep" \
        "$(calc "$(kv "$o.exec" cpu_s) * 1e6 / $n")"
    done
  done
}

# ---- workload 4: download --------------------------------------------------------------
download_workload() { # server
  local s=$1 rep tool mode
  for mode in h2c tls; do
    local port_var=${s}_${mode} key="w4.$s.$mode"
    local port=${!port_var}
    for rep in $(seq 1 "$REPS"); do
      for tool in $(order "$rep" hyper curl h2load); do
        local o=$tmp/w4.$s.$mode.$tool.$rep secs=""
        case $tool in
        hyper)
          local tls=""
          [ $mode = tls ] && tls="--tls --ca $tmp/cert.pem"
          run "$o" "$CLIENT" download "127.0.0.1:$port" --path /big \
            --expect $BIG_BYTES $tls || continue
          secs=$(kv "$o" wall_s)
          ;;
        curl)
          local url flags
          if [ $mode = tls ]; then
            url="https://127.0.0.1:$port/big" flags="--http2 --cacert $tmp/cert.pem"
          else
            url="http://127.0.0.1:$port/big" flags="--http2-prior-knowledge"
          fi
          run "$o" curl -s -o /dev/null -w 'size=%{size_download} time=%{time_total}\n' \
            $flags "$url" || continue
          [ "$(kv "$o" size)" = "$BIG_BYTES" ] || { echo "e2e: curl size" >&2; continue; }
          secs=$(kv "$o" time)
          ;;
        h2load)
          local scheme=http
          [ $mode = tls ] && scheme=https
          run "$o" h2load -n1 -c1 -m1 "$scheme://127.0.0.1:$port/big" || continue
          h2load_ok "$o" || continue
          secs=$(h2load_secs "$o")
          ;;
        esac
        rec "$key.MBps" "$tool" "$rep" "$(calc "$BIG_BYTES / $secs / 1e6")"
        rec "$key.cpu_s" "$tool" "$rep" "$(kv "$o.exec" cpu_s)"
      done
    done
  done
}

# ---- workload 5: upload -------------------------------------------------------------------
upload_workload() { # server (nghttpd: reads and discards request bodies)
  local s=$1 rep tool
  local port_var=${s}_h2c key="w5.$s.h2c"
  local port=${!port_var}
  for rep in $(seq 1 "$REPS"); do
    for tool in $(order "$rep" hyper curl h2load); do
      local o=$tmp/w5.$s.$tool.$rep secs=""
      case $tool in
      hyper)
        run "$o" "$CLIENT" upload "127.0.0.1:$port" --path /100b \
          --file "$doc/big" || continue
        secs=$(kv "$o" wall_s)
        ;;
      curl)
        run "$o" curl -s -o /dev/null -w 'size=%{size_upload} time=%{time_total}\n' \
          --http2-prior-knowledge --data-binary "@$doc/big" \
          "http://127.0.0.1:$port/100b" || continue
        [ "$(kv "$o" size)" = "$BIG_BYTES" ] || { echo "e2e: curl upload size" >&2; continue; }
        secs=$(kv "$o" time)
        ;;
      h2load)
        run "$o" h2load -n1 -c1 -m1 -d "$doc/big" "http://127.0.0.1:$port/100b" ||
          continue
        h2load_ok "$o" || continue
        secs=$(h2load_secs "$o")
        ;;
      esac
      rec "$key.MBps" "$tool" "$rep" "$(calc "$BIG_BYTES / $secs / 1e6")"
      rec "$key.cpu_s" "$tool" "$rep" "$(kv "$o.exec" cpu_s)"
    done
  done
}

# ---- workload 6: memory ---------------------------------------------------------------------
mem_workload() { # server
  local s=$1 k tool
  local port_var=${s}_h2c
  local port=${!port_var}
  for k in $MEM_STREAMS; do
    for tool in hyper h2load; do
      local o=$tmp/w6.$s.$k.$tool key="w6.$s.streams$k"
      case $tool in
      hyper)
        run "$o" "$CLIENT" mem "127.0.0.1:$port" --path /100b -m "$k" \
          --expect 100 || continue
        rec "$key.bytes_per_open_stream" hyper 1 "$(kv "$o" bytes_per_open_stream)"
        rec "$key.bytes_per_stream_with_response" hyper 1 \
          "$(kv "$o" bytes_per_stream_with_response)"
        ;;
      h2load)
        run "$o" h2load -n "$k" -c1 -m "$k" "http://127.0.0.1:$port/100b" || continue
        ;;
      esac
      rec "$key.peak_rss_kib" "$tool" 1 "$(kv "$o.exec" maxrss_kib)"
    done
  done
}

# ---- main -----------------------------------------------------------------------------------------
echo "e2e: build $BUILD, reps $REPS, workloads '$WORKLOADS', servers '$SERVERS'"
pinning=none
[ -n "$SRV_PIN" ] && pinning="servers on CPU 0, clients on CPU 1"
echo "e2e: $(nproc) CPUs; pinning: $pinning; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $SERVERS; do
  if ! start_$s; then
    echo "e2e: $s did not start; skipped" >&2
    continue
  fi
  for w in $WORKLOADS; do
    echo "e2e: workload $w on $s ..."
    case $w in
    1) get_workload 1 "$s" 1 100 "$N1" ;;
    2) get_workload 2 "$s" 10 10 "$N2" ;;
    3) get_workload 3 "$s" 1 1 "$N3" ;;
    4) download_workload "$s" ;;
    5) [ "$s" = nghttpd ] && upload_workload "$s" ;;
    6) [ "$s" = nghttpd ] && mem_workload "$s" ;;
    esac
  done
done

# ---- report -------------------------------------------------------------------------------------
# For every key: per tool median [min-max] over the repetitions; then the
# ratio hyper/<other> per repetition, median [min-max].
echo
echo "== results (median [min-max] over $REPS repetitions; ratios per repetition)"
awk '
function med(a, n,   i, j, t) {
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function stats(list,   a, n, i, lo, hi) {
  n = split(list, a, " ")
  lo = a[1]; hi = a[1]
  for (i = 1; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
  return sprintf("%.4g [%.4g-%.4g]", med(a, n), lo, hi)
}
{ key = $1; tool = $2; rep = $3; v = $4
  if (v == "") next
  if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
  if (!((key, tool) in has)) { has[key, tool] = 1; tools[key] = tools[key] " " tool }
  vals[key, tool] = vals[key, tool] " " v
  val[key, tool, rep] = v; reps[key, rep] = 1 }
END {
  for (k = 1; k <= nk; k++) {
    key = keys[k]
    nt = split(tools[key], tl, " ")
    line = sprintf("%-44s", key)
    for (t = 1; t <= nt; t++) line = line sprintf("  %s %s", tl[t], stats(vals[key, tl[t]]))
    print line
    for (h = 1; h <= nt; h++) {
      if (tl[h] !~ /^hyper/) continue
      for (t = 1; t <= nt; t++) {
        if (tl[t] ~ /^hyper/) continue
        r = ""
        for (rp = 1; rp <= 100; rp++)
          if (((key, tl[h], rp) in val) && ((key, tl[t], rp) in val) && val[key, tl[t], rp] > 0)
            r = r " " val[key, tl[h], rp] / val[key, tl[t], rp]
        if (r != "") printf("%-44s    ratio %s/%s %s\n", "", tl[h], tl[t], stats(r))
      }
    }
  }
}' "$RES"
echo
echo "keys: rps = requests/s; cpu_us = client CPU (user+sys) per request, µs;"
echo "wall_us = wall time per request, µs; MBps = 1e6 octets/s; cpu_s = client"
echo "CPU seconds; peak_rss_kib = client peak RSS; bytes_per_open_stream ="
echo "hyper heap per open stream (hyper_mem counter)."
echo "Targets (issue 8): w1 cpu_us hyper/h2load <= 0.8, w1 rps hyper/h2load >= 1;"
echo "w4 MBps hyper/curl >= 1 with cpu_s hyper/curl <= 1; bytes_per_open_stream <= 1024."
