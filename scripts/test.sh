#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds everything and
# runs the whole test suite (tests that need ../shared skip without it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/configure.sh
cmake --build "${BUILD_DIR:-build}"
# Every test case that starts is logged, so that scripts/check_cases.sh
# (run by .ci/run) can show each listed case ran exactly once.
log="$(cd "${BUILD_DIR:-build}" && pwd)/case_log.tsv"
rm -f "$log"
STORYCLUSTER_CASE_LOG="$log" \
  ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2
