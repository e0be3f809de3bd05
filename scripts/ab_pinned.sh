#!/usr/bin/env bash
# A/B timing on a noisy 2-CPU machine: runs two storycluster binaries at
# the same time, one pinned to each CPU, swapping the CPUs every round, so
# both see the same phase of the machine; prints each run's stage times.
#
#   scripts/ab_pinned.sh OLD_BINARY NEW_BINARY ROUNDS STAGE_REGEX -- ARGS...
#
# ARGS are the storycluster arguments (the binaries add
# `-j 1 -q --stage-times -o <tmp>`), e.g.
#   scripts/ab_pinned.sh /tmp/sc.old build-bench/tools/storycluster/storycluster \
#     4 'candidates' -- cluster gen100k.jsonl --format tsv
# Compare the stage times pairwise (same round); the two outputs of each
# round are compared with cmp.
set -euo pipefail
if [[ $# -lt 6 || $5 != "--" ]]; then
  sed -n 2,13p "$0" >&2
  exit 2
fi
a=$1 b=$2 rounds=$3 stages=$4
shift 5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  if ((r % 2)); then cpu_a=0 cpu_b=1; else cpu_a=1 cpu_b=0; fi
  for side in a b; do
    if [[ $side == a ]]; then bin=$a cpu=$cpu_a; else bin=$b cpu=$cpu_b; fi
    (taskset -c "$cpu" "$bin" "$@" -j 1 -q --stage-times -o "$work/$side.out" \
       2>&1 | grep -E "$stages" | sed "s/, RSS.*//;s/^stage /round $r $side cpu$cpu: /" \
       >"$work/$side.log") &
  done
  wait
  cat "$work/a.log" "$work/b.log"
  cmp -s "$work/a.out" "$work/b.out" || echo "round $r: outputs differ"
done
