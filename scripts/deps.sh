#!/bin/sh
# Installs every Debian package hyper's build, tests, benchmarks and fuzzers
# need. As root: apt-get install -y for whatever is missing. Otherwise: prints
# the exact command to run and fails if anything is missing.
set -eu

PKGS="build-essential cmake make pkg-config git
      libcmocka-dev libjansson-dev
      libssl-dev openssl zlib1g-dev libbrotli-dev libzstd-dev
      libnghttp2-dev nghttp2-server nghttp2-client nginx curl
      python3 python3-dev python3-hpack python3-h2 python3-hyperframe
      python3-pytest python3-requests python3-httpx httpie
      python3-venv python3-pip python3-setuptools
      h2o valgrind hyperfine
      clang libfuzzer-14-dev libclang-rt-14-dev"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "deps: all packages present"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  echo "deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the lists when they are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    apt-get update -qq
  fi
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "deps: missing packages; run:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
