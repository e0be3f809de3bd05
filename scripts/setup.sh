#!/usr/bin/env bash
# Installs the Debian 12 packages storycluster needs to build and test, if
# any are missing (with --fuzz, also what the fuzzers need). Safe to run
# again. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config python3
  libicu-dev libsimdjson-dev libeigen3-dev libabsl-dev libxxhash-dev
  libyaml-cpp-dev libstemmer-dev libvectorscan-dev libhwy-dev nlohmann-json3-dev libcli11-dev catch2 libbenchmark-dev
  libtbb-dev libsqlite3-dev sqlite3
)
# --fuzz: also clang and its libFuzzer runtime (scripts/fuzz.sh).
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
