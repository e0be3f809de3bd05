#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds everything and
# runs the whole test suite (tests that need ../shared skip without it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/configure.sh
cmake --build "${BUILD_DIR:-build}"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2
