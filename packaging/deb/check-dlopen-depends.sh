#!/bin/bash
# Checks dlopen-depends against the C shims: every symbol a shim dlsym()s must be in its
# library's Debian symbols file (/var/lib/dpkg/info/<package>:<arch>.symbols) at a version no
# newer than the minimum dlopen-depends states. Without the symbols file (library not installed
# here) the check says so and passes.
set -euo pipefail
deps=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
arch=$(dpkg --print-architecture)
status=0

# package  shim source  how its symbol names are written there
check() {
    local pkg=$1 src=$2 names=$3
    local min symfile
    min=$(sed -n "s/^$pkg (>= \([^)]*\)).*/\1/p" "$deps")
    [ -n "$min" ] || { echo "check-dlopen-depends: no '$pkg (>= ...)' line in $deps" >&2; status=1; return; }
    symfile=/var/lib/dpkg/info/$pkg:$arch.symbols
    if [ ! -r "$symfile" ]; then
        echo "check-dlopen-depends: $symfile missing; $pkg's minimum not checked" >&2; return
    fi
    for sym in $names; do
        local since
        since=$(awk -v s="$sym" '{ split($1, a, "@") } a[1] == s { print $2; exit }' "$symfile")
        if [ -z "$since" ]; then
            echo "check-dlopen-depends: $src resolves $sym, which $pkg does not export" >&2; status=1
        elif dpkg --compare-versions "$since" gt "$min"; then
            echo "check-dlopen-depends: $src resolves $sym (since $pkg $since): raise $pkg (>= $min) in $deps" >&2; status=1
        fi
    done
}

check libcurl4 Sources/CCurl/jcfed_curl.c \
    "$(grep -o 'SYM([a-z_]*, "[A-Za-z_0-9]*")' "$repo/Sources/CCurl/jcfed_curl.c" | sed 's/.*"\(.*\)")/\1/')"
check libssl3 Sources/COpenSSL/jcfed_openssl.c \
    "$(sed -n '/^#define JCFED_CRYPTO_SYMBOLS/,/^$/p' "$repo/Sources/COpenSSL/jcfed_openssl.c" | grep -o 'X([A-Za-z_0-9]*)' | sed 's/X(\(.*\))/\1/')"
check libqrencode4 Sources/CQREncode/jcfed_qrencode.c \
    "$(grep -o 'dlsym([a-z]*, "[A-Za-z_0-9]*")' "$repo/Sources/CQREncode/jcfed_qrencode.c" | sed 's/.*"\(.*\)")/\1/')"
exit $status
