#!/usr/bin/env bash
# run_fuzzer.sh NAME SECONDS CORPUS_DIR CLANGXX -- <compile args...>
# Builds a libFuzzer target with clang (ASan + UBSan) and runs it for a bounded
# time over the committed corpus. Skips (77) when clang's libFuzzer is missing.
# A crash or timeout exits 1 (libFuzzer's own default, 77, would read as "skipped").
# The mutation seed is fixed (FAIRGATE_FUZZ_SEED, default 1) so a CI run is
# reproducible: the same build explores the same inputs; set another seed to
# explore further locally.
set -euo pipefail
name=$1 seconds=$2 corpus=$3 cxx=$4
shift 5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long){return 0;}' \
   | "$cxx" -x c++ -fsanitize=fuzzer - -o "$work/probe" 2>/dev/null; then
  echo "SKIP: $cxx cannot build libFuzzer targets (install clang and libclang-rt-14-dev)"; exit 77
fi
# Sources are compiled in parallel (one job per core), then linked: the C ABI
# target has a dozen translation units. Libraries (.a, -l) go to the link only.
sources=() flags=() libs=()
for a in "$@"; do
  case "$a" in
    *.cpp) sources+=("$a") ;;
    *.a | -l*) libs+=("$a") ;;
    *) flags+=("$a") ;;
  esac
done
cflags=(-std=c++20 -g -O1 -ffp-contract=off -fno-sanitize-recover=all)
mkdir -p "$work/obj"
objs=()
max_jobs=$(nproc 2>/dev/null || echo 2)
for src in "${sources[@]}"; do
  obj="$work/obj/${#objs[@]}.o"
  objs+=("$obj")
  ( "$cxx" "${cflags[@]}" -fsanitize=fuzzer-no-link,address,undefined "${flags[@]}" \
      -c "$src" -o "$obj" || touch "$work/compile-failed" ) &
  while (( $(jobs -rp | wc -l) >= max_jobs )); do wait -n || true; done
done
wait
[[ ! -e "$work/compile-failed" ]] || { echo "fuzz $name: compilation failed"; exit 1; }
"$cxx" "${cflags[@]}" -fsanitize=fuzzer,address,undefined "${objs[@]}" "${libs[@]}" \
  -o "$work/$name"
# New inputs go to a scratch copy: the committed corpus only changes on purpose.
mkdir -p "$work/corpus"
cp -r "$corpus"/. "$work/corpus/" 2>/dev/null || true
# FAIRGATE_FUZZ_INPUT=FILE replays one input (e.g. a crash from CI) instead.
if [[ -n "${FAIRGATE_FUZZ_INPUT:-}" ]]; then exec "$work/$name" "$FAIRGATE_FUZZ_INPUT"; fi
status=0
"$work/$name" -seed="${FAIRGATE_FUZZ_SEED:-1}" -max_total_time="$seconds" -artifact_prefix="$work/" -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -print_final_stats=1 \
  "$work/corpus" > "$work/log" 2>&1 || status=$?
if (( status != 0 )); then
  # The sanitizer's report (the stack) and libFuzzer's reproducer (Base64).
  sed -n '/^==[0-9]*==ERROR\|runtime error/,$p' "$work/log" | head -n 80
  grep -E '^(Base64|MS):' "$work/log" || tail -n 15 "$work/log"
  echo "fuzz $name: crash (exit $status)"; exit 1
fi
tail -n 6 "$work/log"
echo "fuzz $name: no crash in ${seconds}s"
