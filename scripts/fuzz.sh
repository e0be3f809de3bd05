#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UBSan) in
# ${FUZZ_BUILD_DIR:-build-fuzz} and runs each for SECONDS (default 60),
# starting from the checked-in seeds (fuzz/corpus/<target>, plus the
# hostile-input corpus and the examples). New corpus entries go to a
# scratch folder, not into the repository. Fails if any target crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
bash scripts/setup.sh --fuzz
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTORYCLUSTER_BUILD_FUZZERS=ON -DSTORYCLUSTER_BUILD_TESTS=OFF \
  -DSTORYCLUSTER_BUILD_TOOLS=OFF -DSTORYCLUSTER_BUILD_EXAMPLES=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$BUILD" --target fuzz_jsonl fuzz_markdown fuzz_text fuzz_tables
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for target in fuzz_jsonl fuzz_markdown fuzz_text fuzz_tables; do
  mkdir -p "$scratch/$target"
  seeds=(fuzz/corpus/$target)
  case $target in
    fuzz_jsonl) seeds+=(tests/data/hostile examples/data) ;;
    fuzz_markdown|fuzz_text) seeds+=(tests/data/hostile examples/data/outlets) ;;
  esac
  log="$scratch/$target.log"
  if "$BUILD/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 \
       -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1 \
       -artifact_prefix="$scratch/" "$scratch/$target" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    echo "fuzz: $target ok, $runs executions in ${SECONDS_PER_TARGET}s"
  else
    echo "fuzz: $target FAILED"
    tail -40 "$log"
    ls "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* 2>/dev/null || true
    status=1
  fi
done
exit $status
