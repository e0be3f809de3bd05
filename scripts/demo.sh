#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds the CLI and
# clusters the bundled example corpus, printing storylines, events and copies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/configure.sh
cmake --build "${BUILD_DIR:-build}" --target storycluster_cli
"${BUILD_DIR:-build}/tools/storycluster/storycluster" cluster examples/data --format text
