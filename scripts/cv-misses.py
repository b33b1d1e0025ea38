#!/usr/bin/env python3
"""Where the top-ranked label is wrong, read from the five-fold cross-validation's judgments.

    cargo run -q -p threatscape-assess --release --example train_model -- \
        --cv --defaults --dump /tmp/cv.jsonl
    python3 scripts/cv-misses.py /tmp/cv.jsonl                        # every task: top-1, ceiling
    python3 scripts/cv-misses.py /tmp/cv.jsonl "cfr sector (victim category)"       # the misses
    python3 scripts/cv-misses.py /tmp/cv.jsonl "cfr sector (victim category)" Private Government

The dump holds training records only (the held-out split is never read), each classified by a
model trained on the other four folds, so these are the errors to read when writing rules.

Per task it prints the top-1 accuracy and its ceiling: the share of records with any right label
among those predicted at all, which a perfect ranking of the same predictions would reach (the
rest is recall, not ranking). Given a task, it groups the misses by (coded labels, label ranked
first); given a coded and a predicted label prefix too, it shows those records with their texts
and every judgment of the task's dimension, strongest first. The dump holds the datasets' text:
keep it outside the project.
"""

import collections
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def is_miss(t):
    return not (t["top"] and set(t["top"]) & set(t["gold"]))


def summary(records):
    tasks = sorted({name for r in records for name in r["tasks"]})
    print("| task | records | top-1 | ceiling (a right label predicted) |")
    print("|---|---:|---:|---:|")
    for name in tasks:
        coded = [r["tasks"][name] for r in records if r["tasks"].get(name, {}).get("gold")]
        if not coded:
            continue
        top1 = sum(not is_miss(t) for t in coded) / len(coded)
        ceiling = sum(bool(set(t["predicted"]) & set(t["gold"])) for t in coded) / len(coded)
        print(f"| {name} | {len(coded)} | {top1:.3f} | {ceiling:.3f} |")


def groups(records, task):
    counts = collections.Counter()
    coded = 0
    for r in records:
        t = r["tasks"].get(task)
        if not t or not t["gold"]:
            continue
        coded += 1
        if is_miss(t):
            first = ", ".join(sorted(t["top"])) or "(nothing)"
            counts[(" + ".join(sorted(t["gold"])), first)] += 1
    print(f"{sum(counts.values())} misses of {coded} records; coded -> ranked first:")
    for (gold, first), n in counts.most_common():
        print(f"  {n:4d}  {gold}  ->  {first}")


def show(records, task, gold_prefix, first_prefix):
    dimension = "sector" if "sector" in task else "threat"
    shown = 0
    for r in records:
        t = r["tasks"].get(task)
        if not t or not t["gold"] or not is_miss(t):
            continue
        if not any(g.startswith(gold_prefix) for g in t["gold"]):
            continue
        # "(nothing)", as the groups print it, asks for the misses with no label at all.
        if first_prefix == "(nothing)":
            if t["top"]:
                continue
        elif not any(f.startswith(first_prefix) for f in t["top"]):
            continue
        shown += 1
        print(f"- {r['key']} | {r['title']} | victims: {r['victims']}")
        print(f"  coded {t['gold']}; ranked first {t['top']}")
        print(f"  {(r['description'] or '')[:400]}")
        for j in sorted(r["judgments"], key=lambda j: -j["confidence"]):
            if j["dimension"] == dimension:
                evidence = j["evidence"][0][:90] if j["evidence"] else ""
                print(f"    {j['confidence']:.2f} {j['label']} {j['rule_id']} {evidence}")
    print(f"{shown} records")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    records = load(sys.argv[1])
    if len(sys.argv) == 2:
        summary(records)
    elif len(sys.argv) == 3:
        groups(records, sys.argv[2])
    elif len(sys.argv) == 5:
        show(records, sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
