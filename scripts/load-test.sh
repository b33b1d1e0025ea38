#!/usr/bin/env bash
# Load test on loopback: concurrent paged TAXII reads, alone and while a second client sends
# malformed requests (scripts/load-test.py says which). Exits 1 on any reader error or any 5xx.
#
# Usage: scripts/load-test.sh [SECONDS_PER_PHASE]     (default 30; needs ../shared/data/mitre-attack)
# Serves every ATT&CK Enterprise object (24,771, STIX 2.0 upgraded on ingest) from a release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${THREATSCAPE_SHARED:-$root/../shared}"
seconds="${1:-30}"
xz_file="$shared/data/mitre-attack/enterprise-attack-18.1-stix20-full.json.xz"
[ -f "$xz_file" ] || { echo "missing $xz_file" >&2; exit 1; }

cargo build --release -p threatscape --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/threatscape"

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

xz -dc "$xz_file" >"$work/enterprise.json"
db="$work/load.db"
"$bin" --db "$db" ingest --json "$work/enterprise.json" >/dev/null
# Eight reader accounts, one per reading thread: the server's rate limit is per caller (200 a
# second each), and one account paging flat out would meet it.
readers=""
for n in 0 1 2 3 4 5 6 7; do
  pw="reader-$n-$(date +%s%N)"
  printf '%s\n' "$pw" | "$bin" --db "$db" user add --name "reader$n" --org LOAD --role reader --clearance clear --password-stdin >/dev/null
  readers="${readers:+$readers,}reader$n:$pw"
done
writer_pw="writer-$(date +%s%N)"
printf '%s\n' "$writer_pw" | "$bin" --db "$db" user add --name writer --org LOAD --role contributor --clearance clear --password-stdin >/dev/null

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" --db "$db" serve --addr "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/taxii2/" || true)"
  [ "$code" = 401 ] && break
  sleep 0.1
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)" >&2
status=0
python3 "$root/scripts/load-test.py" "http://127.0.0.1:$port" "$readers" "writer:$writer_pw" "$seconds" || status=$?
kill -TERM "$server"
wait "$server" && echo "serve stopped cleanly on SIGTERM" >&2 || { echo "serve exited with $?" >&2; status=1; }
server=""
exit "$status"
