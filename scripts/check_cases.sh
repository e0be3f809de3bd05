#!/usr/bin/env bash
# Checks that ctest ran every Catch2 test case exactly once: for each test
# binary, the cases it lists (--list-test-names-only) must equal the cases
# that started under ctest, as logged through STORYCLUSTER_CASE_LOG
# (tests/catch_main.cc; scripts/test.sh sets it). A case that no ctest
# entry reaches, or one run twice, fails the check.
# Usage: check_cases.sh [BUILD_DIR] [LOG]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-${BUILD_DIR:-build}}
LOG=${2:-$BUILD_DIR/case_log.tsv}
if [ ! -s "$LOG" ]; then
  echo "check cases: $LOG is missing or empty (run scripts/test.sh first)" >&2
  exit 1
fi
binaries=()
for cases in "$BUILD_DIR"/tests/*_cases.cmake; do
  binaries+=("${cases%_cases.cmake}")
done
if [ ${#binaries[@]} -eq 0 ]; then
  echo "check cases: no test binaries under $BUILD_DIR/tests" >&2
  exit 1
fi
python3 - "$LOG" "${binaries[@]}" <<'PY'
import collections, os, subprocess, sys
log, binaries = sys.argv[1], sys.argv[2:]
ran = collections.defaultdict(collections.Counter)
with open(log, encoding="utf-8") as f:
    for line in f:
        binary, _, name = line.rstrip("\n").partition("\t")
        ran[binary][name] += 1
failed = False
total = 0
for path in binaries:
    binary = os.path.basename(path)
    listed = subprocess.run([path, "--list-test-names-only"], check=False,
                            capture_output=True, text=True).stdout
    names = [n[1:-1] if n.startswith('"#') else n
             for n in listed.splitlines() if n.strip()]
    counts = ran.get(binary, collections.Counter())
    never = [n for n in names if counts[n] == 0]
    twice = [n for n in names if counts[n] > 1]
    unknown = [n for n in counts if n not in set(names)]
    total += len(names)
    status = "ok"
    if never or twice or unknown:
        status = "FAILED"
        failed = True
    print(f"check cases: {binary}: {len(names)} listed, "
          f"{sum(1 for n in names if counts[n] == 1)} ran once: {status}")
    for n in never:
        print(f"  never ran: {n}")
    for n in twice:
        print(f"  ran {counts[n]} times: {n}")
    for n in unknown:
        print(f"  ran but not listed: {n}")
print(f"check cases: {total} cases in {len(binaries)} binaries"
      + (": FAILED" if failed else ", each ran exactly once"))
sys.exit(1 if failed else 0)
PY
