#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (GCC)
# in ${SAN_BUILD_DIR:-build-asan} and runs the whole test suite under them.
# Any sanitizer report fails the run (halt_on_error). The install-consumer
# test is left out: it links the instrumented library into a plain project.
# Then the parallel loop's tests (lib/common/parallel.cc) under
# ThreadSanitizer, built on their own (they need nothing else). Under it the
# loops run on plain threads: oneTBB is not instrumented, so TSan would
# report its hand-offs as races.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SAN_BUILD_DIR:-build-asan}
bash scripts/setup.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$BUILD"
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$BUILD" --output-on-failure -j2 -E '^consumer:'

TSAN_BIN="$BUILD/parallel_test_tsan"
"${CXX:-g++}" -std=c++20 -O1 -g -fsanitize=thread -I. -Iinclude \
  tests/catch_main.cc tests/common/parallel_test.cc lib/common/parallel.cc \
  -o "$TSAN_BIN" -ltbb -lpthread
# die_after_fork=0: the fork test starts threads in the child, which TSan
# refuses by default (its own limitation, not a report).
TSAN_OPTIONS=halt_on_error=1:die_after_fork=0 "$TSAN_BIN"
