"""Helpers of scripts/bench-taxii.sh, run with the peers' virtualenv python.

medallion-data EXPORT.json PORT DIR
    Writes a medallion configuration and memory-backend data file holding every object of a STIX
    bundle in one collection (`bench` / `attack-enterprise`). Loading the file directly is the
    backend's own seeding mechanism; posting 24,771 objects through add-objects would take the
    memory backend quadratic time and measure nothing we compare.

page NAME=COLLECTION_URL,USER,PASSWORD ...
    Pages through each collection's objects, 100 a page, with the OASIS client (taxii2-client
    as_pages), one after the other; prints objects, pages and seconds for each, and the ratio of
    the slowest to the fastest. Exits 1 when the servers return different numbers of objects.
"""
import json
import os
import sys
import time

PAGE = 100


def medallion_data(export, port, out):
    with open(export, encoding="utf-8") as f:
        objects = json.load(f)["objects"]
    os.makedirs(out, exist_ok=True)
    manifest = []
    base = 1_700_000_000_000_000  # microseconds: distinct, increasing date_added values
    for i, o in enumerate(objects):
        secs, micros = divmod(base + i, 1_000_000)
        added = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{micros:06d}Z"
        version = o.get("modified") or o.get("created") or added
        if "modified" not in o and "created" not in o:
            o["_date_added"] = added
        manifest.append({
            "id": o["id"],
            "date_added": added,
            "version": version,
            "media_type": "application/stix+json;version=2.1",
        })
    root = f"http://127.0.0.1:{port}/bench/"
    data = {
        "/discovery": {
            "title": "medallion (bench)",
            "default": root,
            "api_roots": [root],
        },
        "bench": {
            "information": {
                "title": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 104857600,
            },
            "status": [],
            "collections": [{
                "id": "attack-enterprise",
                "title": "ATT&CK Enterprise",
                "can_read": True,
                "can_write": False,
                "media_types": ["application/stix+json;version=2.1"],
                "objects": objects,
                "manifest": manifest,
            }],
        },
    }
    with open(os.path.join(out, "data.json"), "w", encoding="utf-8") as f:
        json.dump(data, f)
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": "data.json",
            # The memory backend forgets a `next` after 30 s by default; its first page over
            # 24,771 objects takes far longer than that, so paging would fail with 400 on page 2.
            "session_timeout": 86400,
        },
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": PAGE},
    }
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    print(f"medallion data: {len(objects)} objects")


def page(specs):
    from taxii2client.v21 import Collection, as_pages

    results = []
    for spec in specs:
        name, rest = spec.split("=", 1)
        url, user, password = rest.split(",", 2)
        collection = Collection(url, user=user, password=password)
        started = time.perf_counter()
        objects = pages = 0
        for envelope in as_pages(collection.get_objects, per_request=PAGE):
            objects += len(envelope.get("objects", []))
            pages += 1
            if pages == 1:
                print(f"{name:12} first page after {time.perf_counter() - started:.3f} s "
                      f"({time.strftime('%H:%M:%S')})", flush=True)
        seconds = time.perf_counter() - started
        results.append((name, objects, pages, seconds))
        print(f"{name:12} {objects:6} objects  {pages:4} pages  {seconds:9.3f} s  "
              f"{seconds / pages * 1000:8.1f} ms/page", flush=True)
    fastest = min(results, key=lambda r: r[3])
    slowest = max(results, key=lambda r: r[3])
    print(f"ratio: {slowest[0]} / {fastest[0]} = {slowest[3] / fastest[3]:.1f}x")
    if len({r[1] for r in results}) != 1:
        print("FAIL: the servers returned different numbers of objects")
        sys.exit(1)


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "medallion-data":
        medallion_data(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 3 and sys.argv[1] == "page":
        page(sys.argv[2:])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
