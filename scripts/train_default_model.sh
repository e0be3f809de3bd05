#!/usr/bin/env bash
# Trains the pair model shipped with the library on the labeled dev sets in
# ../shared/data/dev and writes it into lib/5_events/default_pair_model.inc
# (compiled in; PairModel::Default()). All five sets; giveme5w1h-a, whose
# gold clusters are storylines, gives only its pairs across storylines (as
# different events; --storyline-gold), as in scripts/loso.py.
# The event threshold that goes with it (EventOptions::similarity)
# is the one scripts/loso.py prints for all sets.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
CLI="$BUILD_DIR/tools/storycluster/storycluster"
DEV=${STORYCLUSTER_DEV_DIR:-../shared/data/dev}
args=()
for set in ecbplus basil giveme5w1h-a pac-a uci-headlines-a; do
  [ -f "$DEV/$set.jsonl" ] || { echo "train: $DEV/$set.jsonl missing" >&2; exit 1; }
  gold=--gold
  [ "$set" = giveme5w1h-a ] && gold=--storyline-gold
  args+=("$DEV/$set.jsonl" "$gold" "$DEV/$set.labels.tsv")
done
model=$(mktemp)
trap 'rm -f "$model"' EXIT
"$CLI" train "${args[@]}" -o "$model"
{
  printf '%s\n' '// Written by scripts/train_default_model.sh; do not edit by hand.'
  printf 'R"(%s)"\n' "$(cat "$model")"
} > lib/5_events/default_pair_model.inc
echo "train: wrote lib/5_events/default_pair_model.inc" >&2
