#!/usr/bin/env bash
# Compares `threatscape validate --strict` with the OASIS STIX 2.1 validator (the peer) file by file on
# the shared STIX test corpora, prints both verdicts per file and a last line `agree N/M`.
#
#   scripts/oasis-agreement.sh                  # uses target/debug/threatscape
#   THREATSCAPE=path/to/threatscape scripts/oasis-agreement.sh
#
# Files: every *.json of stix2-validator-testdata and misp-stix-out, and every *.json under
# stix2-json-schemas/examples and stix2-python-testdata (recursive). Contract: each tool exits 0 only
# when the file is valid. Exit status: 0 when every verdict agrees, 1 otherwise, 2 when a tool is
# missing. The peer installs itself on first use (slow); it is run once over all files and its
# report is split per file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${THREATSCAPE_SHARED:-$root/../shared}"
data="$shared/data"
peer="$shared/peers/validate-stix"
bin="${THREATSCAPE:-$root/target/debug/threatscape}"

if [ ! -x "$bin" ]; then
  echo "no threatscape binary at $bin: build it (cargo build -p threatscape) or set THREATSCAPE" >&2
  exit 2
fi
if [ ! -x "$peer" ]; then
  echo "no OASIS validator peer at $peer (set THREATSCAPE_SHARED to the shared folder)" >&2
  exit 2
fi

files=()
while IFS= read -r f; do files+=("$f"); done < <(
  {
    find "$data/stix2-validator-testdata" "$data/misp-stix-out" -maxdepth 1 -type f -name '*.json'
    find "$data/stix2-json-schemas/examples" "$data/stix2-python-testdata" -type f -name '*.json'
  } | sort
)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no STIX files found under $data" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One peer run over every file; its report has a "[-] Results for: FILE" block per file, followed
# by "STIX JSON: Valid" or "STIX JSON: Invalid".
"$peer" "${files[@]}" > "$work/peer.log" 2>&1 || true
awk '
  /\[-\] Results for: / { sub(/.*\[-\] Results for: /, ""); file = $0; next }
  /STIX JSON: Valid/    { if (file != "") { print file "\tvalid"; file = "" } }
  /STIX JSON: Invalid/  { if (file != "") { print file "\tinvalid"; file = "" } }
' "$work/peer.log" > "$work/peer.tsv"

agree=0
total=0
printf '%-9s %-9s %s\n' "OASIS" "ours" "file"
for f in "${files[@]}"; do
  total=$((total + 1))
  oasis="$(awk -F'\t' -v f="$f" '$1 == f { print $2; exit }' "$work/peer.tsv")"
  oasis="${oasis:-unknown}"
  if "$bin" validate --strict "$f" > /dev/null 2>&1; then ours=valid; else ours=invalid; fi
  mark=""
  if [ "$oasis" = "$ours" ]; then agree=$((agree + 1)); else mark="   <-- disagree"; fi
  printf '%-9s %-9s %s%s\n' "$oasis" "$ours" "${f#"$data"/}" "$mark"
done
echo "agree $agree/$total"
[ "$agree" -eq "$total" ]
