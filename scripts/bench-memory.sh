#!/usr/bin/env bash
# Peak resident memory of `threatscape ingest` on a generated 1 GB bundle of real objects (new ids).
#   scripts/bench-memory.sh [SIZE_MB]     (default 1024; needs about 3x that in free disk)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${THREATSCAPE_SHARED:-$root/../shared}"
size="${1:-1024}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
python3 "$root/scripts/gen-big-bundle.py" "$shared/data/mitre-attack/ics-attack-18.1.json" "$work/big.json" "$size"
/usr/bin/time -f "peak RSS %M KB, wall %e s, user %U s, sys %S s" \
  "$root/target/release/threatscape" --db "$work/big.db" ingest --json "$work/big.json" > "$work/summary.json"
python3 - "$work/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"objects {d['objects']}, new {d['new']}, rejected {d['rejected']}, errors {len(d['errors'])}")
PY
