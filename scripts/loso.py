#!/usr/bin/env python3
"""Leave-one-set-out protocol for the event pair model (docs/pair_model.md).

For each labeled dev set S: train a pair model on the other sets, choose the
event threshold and cohesion ratio that maximise the median target F1 over
those sets (event level; story level for sets whose clusters are
storylines), then cluster S with that model and setting and score it. Last,
the model trained on all sets (what scripts/train_default_model.sh ships)
at the default setting: the median of the thresholds and of the cohesion
ratios chosen with one set left out. The median, not the best setting over
all sets at once: that re-optimises on the very sets it is scored on, and
the held-out choices show how much the best setting moves from one set to
the next.

Usage: scripts/loso.py [--build DIR] [--dev DIR] [--out DIR]
Prints a Markdown table; --out keeps the models and predictions.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

SETS = ["ecbplus", "basil", "giveme5w1h-a", "pac-a", "uci-headlines-a"]
# Sets whose gold clusters are storylines (DESIGN.md): scored and tuned at
# the story level.
STORY_TARGET = {"giveme5w1h-a"}
THRESHOLDS = [0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
# Cohesion ratios (EventOptions::cohesion_ratio), chosen with the threshold:
# how far a merge's linkage may fall below the joined clusters' own
# cohesion depends on how the model's probabilities are spread.
COHESIONS = [0.3, 0.4, 0.5, 0.6, 0.7]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def score(cli, dev, name, pred, level):
    out = run([cli, "eval", "--gold", f"{dev}/{name}.labels.tsv", "--pred",
               pred, "--level", level])
    return json.loads(out)["bcubed_f1"]


def cluster(cli, dev, name, model, setting, work):
    threshold, cohesion = setting
    pred = os.path.join(
        work, f"{name}.{os.path.basename(model)}.{threshold}.{cohesion}.tsv")
    run([cli, "cluster", f"{dev}/{name}.jsonl", "--format", "tsv", "-q",
         "--pair-model", model, "--event-similarity", str(threshold),
         "--event-cohesion", str(cohesion), "-o", pred])
    return pred


def target(cli, dev, name, pred):
    return score(cli, dev, name, pred,
                 "story" if name in STORY_TARGET else "event")


def train(cli, dev, names, model):
    # A set whose gold clusters are storylines cannot say which pairs are
    # one event, only which are not: it trains with --storyline-gold.
    cmd = [cli, "train", "-q", "-o", model]
    for n in names:
        gold = "--storyline-gold" if n in STORY_TARGET else "--gold"
        cmd += [f"{dev}/{n}.jsonl", gold, f"{dev}/{n}.labels.tsv"]
    run(cmd)


def choose_setting(cli, dev, names, model, work):
    best = None
    for c in COHESIONS:
        for t in THRESHOLDS:
            # The median over the sets, not the mean: on the headlines a
            # setting moves F1 by up to 0.17 where it moves the others by
            # 0.02, and the mean would let that one set choose for all.
            middle = statistics.median(
                target(cli, dev, n, cluster(cli, dev, n, model, (t, c), work))
                for n in names)
            if best is None or middle > best[1] + 1e-12:
                best = ((t, c), middle)
    return best[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("BUILD_DIR", "build"))
    ap.add_argument("--dev", default=os.environ.get("STORYCLUSTER_DEV_DIR",
                                                    "../shared/data/dev"))
    ap.add_argument("--out")
    args = ap.parse_args()
    cli = os.path.join(args.build, "tools/storycluster/storycluster")
    missing = [n for n in SETS if not os.path.exists(f"{args.dev}/{n}.jsonl")]
    if missing:
        sys.exit(f"loso: missing dev sets in {args.dev}: {', '.join(missing)}")
    work = args.out or tempfile.mkdtemp(prefix="loso_")
    os.makedirs(work, exist_ok=True)
    print("| held out | threshold | cohesion | event F1 | story F1 |")
    print("|---|---|---|---|---|")
    chosen = []
    for held in SETS:
        rest = [n for n in SETS if n != held]
        model = os.path.join(work, f"without-{held}.model")
        train(cli, args.dev, rest, model)
        setting = choose_setting(cli, args.dev, rest, model, work)
        chosen.append(setting)
        pred = cluster(cli, args.dev, held, model, setting, work)
        print(f"| {held} | {setting[0]} | {setting[1]} | "
              f"{score(cli, args.dev, held, pred, 'event'):.4f}"
              f" | {score(cli, args.dev, held, pred, 'story'):.4f} |", flush=True)
    model = os.path.join(work, "all.model")
    train(cli, args.dev, SETS, model)
    t = (statistics.median(s[0] for s in chosen),
         statistics.median(s[1] for s in chosen))
    print(f"\nAll sets: default threshold {t[0]} (median of "
          f"{sorted(s[0] for s in chosen)}), cohesion {t[1]} (median of "
          f"{sorted(s[1] for s in chosen)})")
    print("| set | event F1 | story F1 |")
    print("|---|---|---|")
    for n in SETS:
        pred = cluster(cli, args.dev, n, model, t, work)
        print(f"| {n} | {score(cli, args.dev, n, pred, 'event'):.4f} | "
              f"{score(cli, args.dev, n, pred, 'story'):.4f} |")
    print(f"\nmodel: {model}")


if __name__ == "__main__":
    main()
