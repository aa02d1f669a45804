#!/bin/sh
# Source rules that a compiler does not check (run by ctest as `lint`):
#  1. no bare malloc/calloc/realloc/free in src/ outside src/common/mem.c:
#     every allocation goes through the object's hyper_mem;
#  2. the sans-IO layers (hpack/, h2/, h1/, common/) include no socket,
#     OpenSSL, thread or clock headers;
#  3. layering: lower layers never include higher ones.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
fail=0

bad=$(grep -nE '(^|[^_a-zA-Z.>])(malloc|calloc|realloc|free)[[:space:]]*\(' \
        $(find src -name '*.c' -o -name '*.h' | grep -v '^src/common/mem.c$') 2>/dev/null |
      grep -vE 'hyper__mem_|->(malloc|calloc|realloc|free)|\.(malloc|calloc|realloc|free)' || true)
if [ -n "$bad" ]; then
  echo "lint: bare allocation calls in src/ (use hyper__mem_*):"; echo "$bad"; fail=1
fi

for d in src/common src/hdrs src/hpack src/h2 src/h1 src/decode; do
  [ -d "$d" ] || continue
  bad=$(grep -nE '#[[:space:]]*include[[:space:]]*<(sys/socket|netinet/|arpa/|netdb|openssl/|pthread|time\.h|sys/time|poll|unistd)' -r "$d" || true)
  if [ -n "$bad" ]; then
    echo "lint: sans-IO layer $d includes I/O, thread or clock headers:"; echo "$bad"; fail=1
  fi
done

# common <- hpack/h1 <- h2 <- io <- client <- cli
check_layer() { # dir forbidden-include-dirs...
  dir=$1; shift
  [ -d "src/$dir" ] || return 0
  for f in "$@"; do
    bad=$(grep -nE "#[[:space:]]*include[[:space:]]*\"(\.\./)?$f/" -r "src/$dir" || true)
    if [ -n "$bad" ]; then
      echo "lint: src/$dir must not include src/$f:"; echo "$bad"; fail=1
    fi
  done
}
check_layer common hpack h1 h2 io client
check_layer hpack h1 h2 io client
check_layer h1 hpack h2 io client
check_layer h2 h1 io client
check_layer io h2 h1 hpack client decode
check_layer hdrs hpack h1 h2 io client decode
check_layer decode hpack h1 h2 io client
check_layer client hpack h2

if [ "$fail" = 0 ]; then echo "lint: ok"; fi
exit "$fail"
