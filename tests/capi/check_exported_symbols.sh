#!/usr/bin/env bash
# check_exported_symbols.sh LIB EXPECTED_LIST
# The shared library must export exactly the fairgate_* functions listed in
# capi/abi/symbols.txt, all under the FAIRGATE_0 version node, and nothing else.
set -euo pipefail
lib=$1 expected=$2
actual=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^FAIRGATE_[0-9]*$' | sort)
bad=$(printf '%s\n' "$actual" | grep -v '^fairgate_[a-z0-9_]*@@FAIRGATE_0$' || true)
if [[ -n "$bad" ]]; then
  echo "symbols outside fairgate_*@@FAIRGATE_0 are exported:"; echo "$bad"; exit 1
fi
names=$(printf '%s\n' "$actual" | sed 's/@@FAIRGATE_0$//')
if ! diff -u <(grep -v '^#' "$expected" | sort) <(printf '%s\n' "$names"); then
  echo "exported symbols differ from $expected (update it deliberately when adding API)"; exit 1
fi
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[[ "$soname" == "libfairgate.so.0" ]] || { echo "SONAME is '$soname', expected libfairgate.so.0"; exit 1; }
echo "exported symbols: $(printf '%s\n' "$names" | wc -l) fairgate_* functions, SONAME $soname: OK"
