#!/usr/bin/env bash
# check_abi.sh LIB BASELINE.abi HEADERS_DIR
# Compares the built library's ABI with the committed baseline (abigail-tools).
# Added functions are ignored (--no-added-syms); any change to an existing
# function or type, or a removal, fails: abidiff reports a changed parameter
# type as a plain "ABI change" (bit 4), not only as "incompatible" (bit 8).
# Regenerate the baseline deliberately with scripts/update-abi-baseline.
set -uo pipefail
lib=$1 baseline=$2 headers=$3
command -v abidiff >/dev/null || { echo "SKIP: abidiff (abigail-tools) not installed"; exit 77; }
out=$(abidiff --headers-dir2 "$headers" --no-added-syms "$baseline" "$lib" 2>&1)
rc=$?
echo "$out"
# abidiff's exit code is a bit field: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if (( rc & 3 )); then echo "abidiff failed to run (rc=$rc)"; exit 1; fi
if (( rc & 12 )); then echo "ABI of existing symbols changed against $baseline"; exit 1; fi
echo "ABI identical to baseline: OK"
