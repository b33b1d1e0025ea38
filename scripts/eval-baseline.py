#!/usr/bin/env python3
"""An outside baseline for `threatscape eval`: a standard supervised text classifier trained on
each dataset's OWN labels, on exactly the records, split, text and gold labels the evaluation uses.

What it answers: how far can a conventional in-domain classifier (TF-IDF of words and word pairs,
one-vs-rest logistic regression with balanced class weights, scikit-learn) get on these codings,
trained on the training split and scored on the held-out split? threatscape's rules and model
predict canonical labels and never see a dataset's label names; this baseline is given them, so
it is a generous reference point for what the text can support, not a competitor.

    cargo run -q -p threatscape-assess --release --example export_tasks > /tmp/tasks.jsonl
    python3 -m venv /tmp/baseline && /tmp/baseline/bin/pip install -q scikit-learn
    /tmp/baseline/bin/python scripts/eval-baseline.py /tmp/tasks.jsonl

A dataset never read in tuning or training (DCID) has no training split; the baseline learns it
in five folds instead, each record predicted by a model that did not see it.

Scoring is the evaluation's own (crates/assess/src/eval.rs): per label precision/recall/F1 over
multi-label predictions (every label of probability >= 0.5, and always the most probable one),
macro-F1 over labels that occur in the held-out gold coding, top-1 accuracy (the most probable
label is among the record's gold labels).
"""
import json
import sys
from collections import defaultdict

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def score(gold, predicted, top):
    counts = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    top1 = 0
    for g, p, t in zip(gold, predicted, top):
        top1 += t in g
        for label in g | p:
            c = counts[label]
            if label in g and label in p:
                c[0] += 1
            elif label in p:
                c[1] += 1
            else:
                c[2] += 1
    f1s = []
    for tp, fp, fn in counts.values():
        if tp + fn == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn)
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / max(len(f1s), 1), top1 / max(len(gold), 1)


def main(path):
    tasks = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            tasks[r["task"]].append(r)
    print("| task | held-out records | baseline macro-F1 | baseline top-1 |")
    print("|---|---:|---:|---:|")
    for name, records in tasks.items():
        train = [r for r in records if r["split"] == "train"]
        test = [r for r in records if r["split"] == "held-out"]
        if train:
            top, predicted = fit_and_predict(train, test)
            gold = [set(r["gold"]) for r in test]
            shown = str(len(test))
        else:
            # A dataset never read in tuning or training has no training split: the baseline
            # learns it in five folds instead (each record predicted by a model that did not
            # see it), which is still in-domain and so still generous.
            folds = [records[i::5] for i in range(5)]
            top, predicted, gold = [], [], []
            for i, fold in enumerate(folds):
                rest = [r for j, f in enumerate(folds) if j != i for r in f]
                t, p = fit_and_predict(rest, fold)
                top += t
                predicted += p
                gold += [set(r["gold"]) for r in fold]
            shown = f"{len(records)} (unseen; 5-fold)"
        macro_f1, top1 = score(gold, predicted, top)
        print(f"| {name} | {shown} | {macro_f1:.2f} | {top1:.2f} |")


def fit_and_predict(train, test):
    """The most probable label and the predicted label set of each test record."""
    labels = sorted({g for r in train for g in r["gold"]})
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                 token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
    x_train = vectoriser.fit_transform([r["text"] for r in train])
    x_test = vectoriser.transform([r["text"] for r in test])
    probabilities = np.zeros((len(test), len(labels)))
    for j, label in enumerate(labels):
        y = np.array([label in r["gold"] for r in train])
        if y.all():
            probabilities[:, j] = 1.0
            continue
        model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
        probabilities[:, j] = model.fit(x_train, y).predict_proba(x_test)[:, 1]
    best = probabilities.argmax(axis=1)
    top = [labels[b] for b in best]
    predicted = [{labels[j] for j in np.nonzero(row >= 0.5)[0]} | {t}
                 for row, t in zip(probabilities, top)]
    return top, predicted


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: eval-baseline.py TASKS.jsonl (from the export_tasks example)")
    main(sys.argv[1])
