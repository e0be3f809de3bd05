#!/usr/bin/env bash
# Configures the build tree (Ninja, RelWithDebInfo) in ${BUILD_DIR:-build}.
# Extra arguments are passed to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
