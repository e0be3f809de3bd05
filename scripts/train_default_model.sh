#!/usr/bin/env bash
# Trains the pair model shipped with the library on the labeled dev sets in
# ../shared/data/dev and writes it into lib/5_events/default_pair_model.inc
# (compiled in; PairModel::Default()). All five sets; giveme5w1h-a, whose
# gold clusters are storylines, gives only its pairs across storylines (as
# different events; --storyline-gold), as in scripts/loso.py.
# The event threshold that goes with it (EventOptions::similarity)
# is the one scripts/loso.py prints for all sets.
#
# --check: writes nothing; fails when the shipped model is not the one the
# current code trains (a weight off by more than 1e-6), e.g. after a change
# to the features or the candidates that was not followed by retraining.
# scripts/eval_gate.sh runs it.
set -euo pipefail
check=0
[ "${1:-}" = "--check" ] && check=1
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
"$CLI" train -q "${args[@]}" -o "$model"
if [ "$check" = 1 ]; then
  python3 - "$model" lib/5_events/default_pair_model.inc <<'EOF'
import sys

def weights(text):
    out = {}
    for line in text.splitlines():
        line = line.removeprefix('R"(').removesuffix(')"')
        if line.startswith("#") or line.startswith("//") or not line:
            continue
        name, value = line.split("\t")
        out[name] = float(value)
    return out

trained = weights(open(sys.argv[1]).read())
shipped = weights(open(sys.argv[2]).read())
off = [n for n in trained.keys() | shipped.keys()
       if n not in trained or n not in shipped
       or abs(trained[n] - shipped[n]) > 1e-6]
if off:
    print("train: the shipped model differs from the one the code trains in "
          + ", ".join(sorted(off))
          + "; run scripts/train_default_model.sh", file=sys.stderr)
    sys.exit(1)
print("train: the shipped model is the one the code trains")
EOF
  exit
fi
{
  printf '%s\n' '// Written by scripts/train_default_model.sh; do not edit by hand.'
  printf 'R"(%s)"\n' "$(cat "$model")"
} > lib/5_events/default_pair_model.inc
echo "train: wrote lib/5_events/default_pair_model.inc" >&2
