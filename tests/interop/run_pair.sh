#!/usr/bin/env bash
# run_pair.sh [--startup S] [--limit S] SERVER_CMD... -- CLIENT_CMD...
#
# Starts SERVER_CMD in the background with its stdout on a FIFO, waits (at
# most --startup seconds, default 10) for its first line "PORT n", then runs
# CLIENT_CMD with n appended as its last argument (killed after --limit
# seconds, default 45). Afterwards the server gets 5 s to exit on its own
# (both servers exit after the client's GOAWAY), then it is killed by PID.
# An EXIT trap (also run on INT/TERM/HUP) kills the client and the server
# by PID on every path, so nothing is left behind. Exits 0 when both sides
# exited 0.
#
# The server must print nothing else on stdout (logs go to stderr): the FIFO
# stays open but is not read after the PORT line.
set -u

startup=10
limit=45
while [ $# -gt 0 ]; do
  case "$1" in
    --startup) startup=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    *) break ;;
  esac
done
server=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  server+=("$1")
  shift
done
if [ $# -lt 2 ] || [ ${#server[@]} -eq 0 ]; then
  echo "usage: run_pair.sh [--startup S] [--limit S] SERVER_CMD... -- CLIENT_CMD..." >&2
  exit 2
fi
shift
client=("$@")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hyper-interop.XXXXXX") || exit 1
spid=""
cpid=""
cleanup() {
  if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
    kill "$cpid" 2>/dev/null
    wait "$cpid" 2>/dev/null
  fi
  if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
  fi
  exec 3<&- 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

t0=$(date +%s.%N)
mkfifo "$tmp/stdout" || exit 1
# The background child opens the FIFO for writing, then execs the server, so
# $! is the server's own PID. Opening the read end below meets that open.
"${server[@]}" >"$tmp/stdout" &
spid=$!
exec 3<"$tmp/stdout"

line=""
if ! read -r -t "$startup" -u 3 line; then
  if kill -0 "$spid" 2>/dev/null; then
    echo "run_pair: server gave no PORT line within ${startup}s: ${server[*]}" >&2
  else
    wait "$spid"
    echo "run_pair: server exited ($?) before printing PORT: ${server[*]}" >&2
    spid=""
  fi
  exit 1
fi
case "$line" in
  "PORT "[0-9]*) port=${line#PORT } ;;
  *) echo "run_pair: unexpected first line from the server: '$line'" >&2; exit 1 ;;
esac

# In the background with wait, so that a signal to this script runs the
# traps at once (bash defers them while a foreground child runs).
timeout -k 2 "$limit" "${client[@]}" "$port" &
cpid=$!
wait "$cpid"
crc=$?
cpid=""
[ $crc -eq 124 ] && echo "run_pair: client killed after ${limit}s" >&2

# Bounded wait for the server to finish on its own.
i=0
while kill -0 "$spid" 2>/dev/null && [ $i -lt 50 ]; do
  sleep 0.1
  i=$((i + 1))
done
if kill -0 "$spid" 2>/dev/null; then
  echo "run_pair: server still running 5 s after the client ended; killing it" >&2
  kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  src=1
else
  wait "$spid"
  src=$?
fi
spid=""

t1=$(date +%s.%N)
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "run_pair: client exit $crc, server exit $src, ${elapsed}s" >&2
[ $crc -eq 0 ] && [ $src -eq 0 ]
