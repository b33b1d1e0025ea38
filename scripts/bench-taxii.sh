#!/usr/bin/env bash
# TAXII paging speed, side by side: every ATT&CK Enterprise object (24,771, STIX 2.0 upgraded to 2.1 on
# ingest) served by threatscape and by medallion (the OASIS reference TAXII 2.1 server), then paged
# through 100 a page with the OASIS client (taxii2-client) against each. Prints both times and the ratio.
#
# Usage: scripts/bench-taxii.sh            (needs ../shared/data/mitre-attack and ../shared/peers)
# Both servers hold the same objects: medallion's are threatscape's own STIX 2.1 export of its store.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${THREATSCAPE_SHARED:-$root/../shared}"
xz_file="$shared/data/mitre-attack/enterprise-attack-18.1-stix20-full.json.xz"
[ -f "$xz_file" ] || { echo "missing $xz_file" >&2; exit 1; }
venv="$("$shared/peers/setup" | tail -n 1)"

cargo build --release -p threatscape --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/threatscape"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== loading $(basename "$xz_file") into threatscape"
xz -dc "$xz_file" >"$work/enterprise.json"
db="$work/bench.db"
"$bin" --db "$db" ingest --json "$work/enterprise.json" >"$work/ingest.json"
password="bench-password-$(date +%s)"
printf '%s\n' "$password" | "$bin" --db "$db" user add --name bench --org BENCH --role reader --clearance clear --password-stdin >/dev/null
# Medallion gets exactly what threatscape serves: its STIX 2.1 export (invalid-flagged objects included).
"$bin" --db "$db" export stix --include-invalid --max-tlp CLEAR --out "$work/export.json" --json >/dev/null

ours_port="$(free_port)"
"$bin" --db "$db" serve --addr "127.0.0.1:$ours_port" 2>"$work/serve.log" &
pids+=($!)

med_port="$(free_port)"
"$venv/bin/python" "$root/scripts/bench-taxii.py" medallion-data "$work/export.json" "$med_port" "$work/medallion"
(cd "$work/medallion" && exec "$venv/bin/medallion" --host 127.0.0.1 --port "$med_port" --log-level WARN config.json >"$work/medallion.log" 2>&1) &
pids+=($!)

for url in "http://127.0.0.1:$ours_port/taxii2/" "http://127.0.0.1:$med_port/taxii2/"; do
  for _ in $(seq 1 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)"
    [ "$code" = 401 ] || [ "$code" = 200 ] && break
    sleep 0.2
  done
done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
"$venv/bin/python" "$root/scripts/bench-taxii.py" page \
  "threatscape=http://127.0.0.1:$ours_port/threatscape/collections/tlp-clear/,bench,$password" \
  "medallion=http://127.0.0.1:$med_port/bench/collections/attack-enterprise/,admin,Password0"
