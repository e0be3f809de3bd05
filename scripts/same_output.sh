#!/usr/bin/env bash
# Checks that two builds of the CLI give byte-identical TSV and JSON output
# of `cluster` and `dedup` (the old name of `copies`, which both builds know) on the example corpus, every dev set in
# ../shared/data/dev (when present) and a 20,000-article generated corpus.
# For refactors that must not change a result.
#
# Usage: scripts/same_output.sh OLD_CLI NEW_CLI
# Exit status 0 when every output is identical, 1 when any differs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: $0 OLD_CLI NEW_CLI" >&2
  exit 2
fi
old=$1
new=$2
DEV=${STORYCLUSTER_DEV_DIR:-../shared/data/dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=(examples/data)
if [ -d "$DEV" ]; then
  for f in "$DEV"/*.jsonl; do inputs+=("$f"); done
else
  echo "same output: $DEV not present, dev sets skipped"
fi
"$new" generate --articles 20000 --seed 7 -o "$work/generated.jsonl"
inputs+=("$work/generated.jsonl")
status=0
compared=0
for input in "${inputs[@]}"; do
  name=$(basename "$input")
  for run in "cluster --format tsv" "cluster --format json" \
             "dedup --format tsv" "dedup --format json"; do
    tag="$name.${run// /_}"
    # shellcheck disable=SC2086  # $run is a subcommand and its flags
    "$old" $run -q -o "$work/old.$tag" "$input"
    # shellcheck disable=SC2086
    "$new" $run -q -o "$work/new.$tag" "$input"
    compared=$((compared + 1))
    if ! cmp -s "$work/old.$tag" "$work/new.$tag"; then
      echo "same output: $name, $run: DIFFERS"
      status=1
    fi
  done
done
if [ "$status" -eq 0 ]; then
  echo "same output: $compared outputs identical"
fi
exit "$status"
