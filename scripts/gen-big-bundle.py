#!/usr/bin/env python3
"""Writes a large STIX 2.1 bundle made of real objects with fresh ids, for memory measurements.

    python3 scripts/gen-big-bundle.py SOURCE_BUNDLE.json OUT.json [SIZE_MB]   (default 1024)

Objects are copied from SOURCE (e.g. ATT&CK ICS) again and again; each copy gets new UUIDs for
every id it holds (consistently within a copy, so relationships still point inside the copy).
The output is written as a stream, so the generator itself needs little memory.
"""
import json
import re
import sys
import uuid

UUID = re.compile(r"(?<=--)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def main(source, out, size_mb=1024):
    objects = [json.dumps(o) for o in json.load(open(source))["objects"]]
    target = size_mb * 1024 * 1024
    written = 0
    count = 0
    with open(out, "w") as f:
        f.write('{"type": "bundle", "id": "bundle--%s", "objects": [\n' % uuid.uuid4())
        first = True
        while written < target:
            mapping = {}
            fresh = lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4()))
            for text in objects:
                text = UUID.sub(fresh, text)
                if not first:
                    f.write(",\n")
                first = False
                f.write(text)
                written += len(text) + 2
                count += 1
        f.write("\n]}\n")
    print(f"wrote {count} objects, {written / 1e6:.0f} MB to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1024)
