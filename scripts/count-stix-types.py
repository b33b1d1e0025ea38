#!/usr/bin/env python3
"""Counts STIX objects by type in files or folders, independently of threatscape.

Uses only Python's json module: a bundle's `objects`, the elements of an array, a single object, or
one object per line. Folders are walked for .json/.jsonl/.ndjson/.stix files, as `threatscape ingest`
does. Prints {"objects": N, "by_type": {...}} as JSON.

    python3 scripts/count-stix-types.py FILE_OR_FOLDER...
    xz -dc enterprise.json.xz | python3 scripts/count-stix-types.py -
"""
import json
import os
import sys
from collections import Counter

EXTENSIONS = (".json", ".jsonl", ".ndjson", ".stix")


def objects_in(text):
    text = text.lstrip("\ufeff")
    try:
        values = [json.loads(text)]
    except json.JSONDecodeError:
        values = [json.loads(line) for line in text.splitlines() if line.strip()]
    for value in values:
        if isinstance(value, list):
            yield from value
        elif isinstance(value, dict) and isinstance(value.get("objects"), list):
            yield from value["objects"]
        elif isinstance(value, dict) and value.get("type") != "bundle":
            yield value


def files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    if name.lower().endswith(EXTENSIONS):
                        yield os.path.join(root, name)
        else:
            yield path


def main(paths):
    counts = Counter()
    for path in files(paths):
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        counts.update(obj.get("type") for obj in objects_in(text))
    print(json.dumps({"objects": sum(counts.values()), "by_type": dict(sorted(counts.items()))}))


if __name__ == "__main__":
    main(sys.argv[1:] or ["-"])
