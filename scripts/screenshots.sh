#!/usr/bin/env bash
# The README's screenshots: the demo prepared in a scratch folder, a server on a free port, a demo
# account with a known password, and e2e/screenshots.mjs driving Debian's Chromium.
# Usage: scripts/screenshots.sh [OUT_DIR]   (default docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-docs/screenshots}")
mkdir -p "$out"
# THREATSCAPE_BIN names an already built binary (e.g. target/debug/threatscape) to skip the build.
bin=${THREATSCAPE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/threatscape
fi
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" demo --dir "$work/demo" --no-serve >/dev/null
db="$work/demo/demo.db"
password="screenshot-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s\n' "$password" | "$bin" --db "$db" user add --name shots --org "UN Secretariat" \
  --role analyst --clearance green --password-stdin >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --db "$db" serve --addr "127.0.0.1:$port" 2>/dev/null &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.2; done
(cd e2e && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
BASE_URL="http://127.0.0.1:$port" DEMO_USER=shots DEMO_PASSWORD="$password" \
  BRIEFING_HTML="$work/demo/briefings/briefing-2022-public.html" OUT_DIR="$out" \
  node e2e/screenshots.mjs
