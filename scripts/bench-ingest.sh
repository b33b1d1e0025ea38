#!/usr/bin/env bash
# Times `threatscape ingest` of ATT&CK Enterprise (34 MB, 24,771 STIX 2.0 objects) into a fresh store
# against the OASIS Python library's parse of the same file, in one run, and prints the ratio.
#
#   scripts/bench-ingest.sh            # builds the release binary first
# The Python reference only parses; threatscape reads, upgrades 2.0 -> 2.1, validates, canonicalises
# and commits to SQLite. Wall-clock time of the whole process is measured (start-up included).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${THREATSCAPE_SHARED:-$root/../shared}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/threatscape"
xz -dc "$shared/data/mitre-attack/enterprise-attack-18.1-stix20-full.json.xz" > "$work/enterprise.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
peer_line="$("$shared/peers/stix2-parse-time" "$work/enterprise.json")"
echo "peer (OASIS stix2.parse): $peer_line"
peer_s="$(sed -E 's/.*stix2\.parse ([0-9.]+) s.*/\1/' <<<"$peer_line")"

best=""
for i in 1 2 3; do
  rm -f "$work"/t.db*
  start=$(date +%s.%N)
  "$bin" --db "$work/t.db" ingest --json "$work/enterprise.json" > "$work/summary.json"
  end=$(date +%s.%N)
  s=$(echo "$end - $start" | bc -l)
  echo "threatscape ingest run $i: ${s} s"
  if [ -z "$best" ] || (( $(echo "$s < $best" | bc -l) )); then best=$s; fi
done
python3 - "$work/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  objects {d['objects']}, new {d['new']}, upgraded {d['upgraded']}, rejected {d['rejected']}")
PY
printf 'best threatscape ingest: %.3f s; OASIS parse: %s s; ratio (peer / threatscape): %.1fx\n' \
  "$best" "$peer_s" "$(echo "$peer_s / $best" | bc -l)"
