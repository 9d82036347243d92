#!/usr/bin/env bash
# consumer_test.sh BUILD_DIR CONSUMER_SRC WORK_DIR CXX
# Proves packaging: install to a fresh prefix, then build and run a consumer
# (1) with find_package(fairgate CONFIG) and (2) with pkg-config only.
set -euo pipefail
build=$1 consumer=$2 work=$3 cxx=$4
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/fairgate/fairgate.hpp"
test -f "$prefix/include/fairgate/version.hpp"

echo "== find_package(fairgate CONFIG REQUIRED)"
cmake -S "$consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/fairgate_consumer" | tee "$work/cmake.out"

echo "== pkg-config --cflags fairgate"
pcdir=$(dirname "$(find "$prefix" -name fairgate.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags fairgate)
echo "cflags: $flags"
# shellcheck disable=SC2086
"$cxx" $flags -O2 "$consumer/main.cpp" -o "$work/pkgconfig_consumer"
"$work/pkgconfig_consumer" | tee "$work/pkgconfig.out"

# Both builds must produce the same bits: same library, same determinism rules.
cmp "$work/cmake.out" "$work/pkgconfig.out"
grep -q "fairgate 0\." "$work/cmake.out"
echo "packaging: OK"
