#!/usr/bin/env python3
"""Batch equivalence of the index (docs/index.md): each labeled dev set fed to
`storycluster index add` one day at a time, in publication order, against
`storycluster cluster` over the whole set at once, both scored with
`storycluster eval` at the event level.

The day of an article is the one `cluster` reads for it (its metadata date,
else the date in its byline); undated articles go in the first batch (they
are in every later batch's window). Articles of one day keep their input
order.

With --synthetic N it instead runs on a generated corpus of N articles of the
edited kind (storycluster generate --kind edited: copies within three days,
hard negatives) and compares copy groups: with a window shorter than the
copies' delays (e.g. --window-days 0.05), most copies are found against the
archive's stored signatures, not within the window.

Usage: scripts/index_equivalence.py [--build DIR] [--dev DIR] [--window-days D]
       [--sets a,b,...] [--synthetic N] [--check TOLERANCE] [--keep DIR]
Prints a Markdown table; with --check, exits 1 when a set's index F1 is more
than TOLERANCE below its batch F1. --keep DIR keeps the work files (batch
outputs, day files, databases) there for inspection.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

SETS = ["ecbplus", "basil", "giveme5w1h-a", "pac-a", "uci-headlines-a"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw).stdout


def f1(cli, gold, pred, column):
    out = run([cli, "eval", "--gold", gold, "--pred", pred, "--level",
               "event", "--pred-column", column])
    return json.loads(out)["bcubed_f1"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(here, "..", "build"))
    p.add_argument("--dev", default=os.path.join(here, "..", "..", "shared",
                                                 "data", "dev"))
    p.add_argument("--window-days", default="14")
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--check", type=float, default=None)
    p.add_argument("--synthetic", type=int, default=0)
    p.add_argument("--keep", default=None)
    args = p.parse_args()
    cli = os.path.join(args.build, "tools", "storycluster", "storycluster")
    failed = False
    level = "copy group" if args.synthetic else "event"
    column = "dup" if args.synthetic else "event"
    print(f"| set | articles | dated | days (adds) | batch {level} F1 | "
          f"index {level} F1 | difference |")
    print("|---|---|---|---|---|---|---|")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or scratch
        sets = args.sets.split(",")
        if args.synthetic:
            sets = [f"synthetic-edited-{args.synthetic}"]
            run([cli, "generate", "--kind", "edited", "--articles",
                 str(args.synthetic), "-o",
                 os.path.join(work, f"{sets[0]}.jsonl"), "--labels",
                 os.path.join(work, f"{sets[0]}.labels.tsv")])
        for name in sets:
            where = work if args.synthetic else args.dev
            data = os.path.join(where, f"{name}.jsonl")
            gold = os.path.join(where, f"{name}.labels.tsv")
            if not os.path.exists(data):
                print(f"skipped {name}: {data} is missing", file=sys.stderr)
                continue
            batch_json = os.path.join(work, f"{name}.batch.json")
            batch_tsv = os.path.join(work, f"{name}.batch.tsv")
            run([cli, "cluster", data, "-q", "--format", "json", "-o",
                 batch_json])
            run([cli, "cluster", data, "-q", "--format", "tsv", "-o",
                 batch_tsv])
            published = {}
            with open(batch_json) as f:
                for story in json.load(f)["storylines"]:
                    for event in story["events"]:
                        for m in event["members"]:
                            published[m["id"]] = m["published"]
            days = collections.defaultdict(list)
            with open(data) as f:
                for line in f:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    day = (published.get(str(record.get("id"))) or "")[:10]
                    days[day].append(line if line.endswith("\n") else
                                     line + "\n")
            db = os.path.join(work, f"{name}.db")
            for suffix in ("", "-wal", "-shm"):  # from an earlier --keep run
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            run([cli, "index", "create", db, "--window-days",
                 args.window_days])
            order = sorted(days)  # "" (undated) first, then by day
            for k, day in enumerate(order):
                part = os.path.join(work, f"{name}.{k}.jsonl")
                with open(part, "w") as f:
                    f.writelines(days[day])
                run([cli, "index", "add", db, part, "-q", "-o",
                     os.devnull])
            index_tsv = os.path.join(work, f"{name}.index.tsv")
            run([cli, "index", "export", db, "--format", "tsv", "-o",
                 index_tsv])
            b = f1(cli, gold, batch_tsv, column)
            i = f1(cli, gold, index_tsv, column)
            dated = sum(1 for v in published.values() if v)
            print(f"| {name} | {len(published)} | {dated} | {len(order)} | "
                  f"{b:.4f} | {i:.4f} | {i - b:+.4f} |", flush=True)
            if args.check is not None and i < b - args.check:
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
