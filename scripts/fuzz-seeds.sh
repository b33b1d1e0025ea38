#!/usr/bin/env bash
# Writes the small seed corpora in fuzz/corpus/<target> from the shared real data (../shared/data).
#
# Seeds keep the real data's shape (headers, column codes, dates, short labels, STIX and MISP
# structure) but never its prose: every longer text cell is replaced by a neutral sentence of ours,
# and only the first rows are kept, so nothing of the research-licensed trackers is redistributed.
# Run from the project root; re-running rewrites the seeds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${THREATSCAPE_SHARED_DATA:-$root/../shared/data}"
python3 - "$root/fuzz/corpus" "$data" <<'PY'
import csv, io, json, os, sys, glob

out, data = sys.argv[1], sys.argv[2]
NEUTRAL = "A placeholder account written for the fuzz seed."

def put(target, name, body):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(body if isinstance(body, bytes) else body.encode("utf-8"))

def scrub(cell):
    # Long free text is someone's prose: replace it. Short cells are codes, dates, names (facts).
    if len(cell) > 40 and any(c.isalpha() for c in cell):
        if cell.lstrip().startswith("["):
            return "['" + NEUTRAL + "']"
        return NEUTRAL
    return cell

def csv_seeds(target, path, rows=2, encoding="utf-8"):
    with open(path, newline="", encoding=encoding, errors="replace") as f:
        reader = csv.reader(f)
        head = next(reader)
        body = [[scrub(c) for c in r] for _, r in zip(range(rows), reader)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows(body)
    put(target, "rows.csv", buf.getvalue())
    # Header only, and one row with a cell missing: both real shapes of broken exports.
    put(target, "header.csv", ",".join(head) + "\n")
    if body:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        w.writerow(body[0][:-1])
        put(target, "short-row.csv", buf.getvalue())

csv_seeds("eurepoc", f"{data}/eurepoc/EuRepoC_Global_Database_1.1.csv")
csv_seeds("cfr", f"{data}/cfr-cyber-operations/cyber-operations-incidents.csv")
csv_seeds("cissm", f"{data}/cissm/CISSM_cleaned.csv")
csv_seeds("dcid", f"{data}/dcid/dcid_2.0_update_feb2023.csv", encoding="latin-1")

# STIX: the structure of real bundles (first objects of the OASIS examples), descriptions replaced.
def scrub_json(v):
    if isinstance(v, dict):
        return {k: (NEUTRAL if k in ("description", "name") and isinstance(x, str) and len(x) > 40 else scrub_json(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [scrub_json(x) for x in v[:5]]
    return v

stix = []
for path in sorted(glob.glob(f"{data}/stix2-json-schemas/examples/*.json"))[:4]:
    with open(path) as f:
        bundle = json.load(f)
    bundle["objects"] = [scrub_json(o) for o in bundle.get("objects", [])[:4]]
    stix.append((os.path.basename(path), json.dumps(bundle, indent=1)))
ics = f"{data}/mitre-attack/ics-attack-18.1.json"
if os.path.exists(ics):
    with open(ics) as f:
        bundle = json.load(f)
    kinds = {}
    for o in bundle["objects"]:
        kinds.setdefault(o["type"], o)
    bundle["objects"] = [scrub_json(o) for o in list(kinds.values())[:6]]
    stix.append(("ics-attack-trimmed.json", json.dumps(bundle)))
for name, text in stix:
    for target in ("stix_reader", "stix_incidents"):
        # stix_reader's first byte picks the read size.
        put(target, name, ("\x07" if target == "stix_reader" else "") + text)
    for o in json.loads(text).get("objects", [])[:2]:
        put("stix_validate", f"{name}-{o['type']}.json", json.dumps(o))
put("stix_incidents", "incident.json", json.dumps({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
    {"type": "incident", "spec_version": "2.1", "id": "incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
     "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z", "name": "Seed incident",
     "description": NEUTRAL},
    {"type": "identity", "spec_version": "2.1", "id": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
     "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z", "name": "Seed victim",
     "identity_class": "organization", "sectors": ["energy"]},
    {"type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
     "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z", "relationship_type": "targets",
     "source_ref": "incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "target_ref": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c"}]}))

# Patterns: short real patterns (code, not prose).
with open(f"{data}/stix-patterns/patterns.txt") as f:
    patterns = [p.strip() for p in f if p.strip() and len(p) < 200]
for i, p in enumerate(patterns[:: max(1, len(patterns) // 6)][:6]):
    put("stix_pattern", f"{i}.txt", p)

# MISP: the structure of a real event (first attributes and objects), info and comments replaced.
for path in sorted(glob.glob(f"{data}/misp-events/*.json"))[:5]:
    with open(path) as f:
        doc = json.load(f)
    ev = doc.get("Event", doc)
    for key in ("Attribute", "Object", "Tag", "Galaxy"):
        if isinstance(ev.get(key), list):
            ev[key] = ev[key][:3]
    if "info" in ev:
        ev["info"] = "Seed event"
    put("misp", os.path.basename(path), json.dumps(scrub_json(doc)))

# VERIS: the shape VCDB incidents have.
put("veris", "incident.json", json.dumps({"incident_id": "0F1A2B3C-0000-4000-8000-000000000001", "schema_version": "1.3.7",
    "timeline": {"incident": {"year": 2021, "month": 5}}, "summary": NEUTRAL,
    "victim": {"victim_id": "Seed Utility", "country": ["US"], "industry": "221122"},
    "action": {"hacking": {"variety": ["Exploit vuln"], "vector": ["Web application"]}},
    "actor": {"external": {"variety": ["Nation-state"], "country": ["Unknown"]}},
    "attribute": {"availability": {"variety": ["Interruption"]}},
    "reference": "https://example.org/seed", "security_incident": "Confirmed"}))
put("veris", "plus.json", json.dumps({"incident_id": "seed-2", "timeline": {"incident": {"year": 2020, "month": 13, "day": 40}},
    "victim": {"victim_id": ["A", "B"], "country": "FR"}, "plus": {"analysis_status": "Finalized", "created": "2020-01-01T00:00:00Z"},
    "discovery_method": {"external": {"variety": ["Customer"]}}, "actor": {"state-affiliated": {"country": ["RU"]}}}))
put("veris", "array.json", "[" + json.dumps({"incident_id": "x", "timeline": {"incident": {"year": 2019}}}) + "]")

# Native template, CSV (first byte even) and JSON (odd).
cols = "title,description,occurred_start,occurred_end,disclosed,victim_name,victim_country,victim_sector,actor,actor_country,attributed_by,attribution_basis,kinds,urls,tlp,credibility,source_id"
put("native", "template.csv", "\x00" + cols + "\nSeed outage,Seed account.,2024-02,2024-03-01,,Seed Grid,Ukraine,energy;government,Seed Actor,RUS,Seed CERT,technical,ddos;wiper,https://example.org/a,AMBER,2,S-1\n")
put("native", "semicolons.csv", "\x02" + cols.replace(",", ";") + "\nSeed;;2023;;;;FR;;;;;;;;GREEN;;\n")
put("native", "template.json", "\x01" + json.dumps([{"title": "Seed outage", "occurred_start": "2024-02-03", "tlp": "CLEAR",
    "victim_sector": ["health"], "credibility": 3, "urls": ["https://example.org/b"]}]))

# TAXII query strings.
for i, q in enumerate(["limit=10&next=42", "added_after=2024-01-31T12:00:00.123Z&match[type]=indicator,malware",
                       "match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f&match[version]=first,last,all",
                       "match[spec_version]=2.1&match[version]=2024-01-01T00:00:00.000Z", "limit=%31%30&match%5Btype%5D=x+y"]):
    put("taxii_query", f"{i}.txt", q)
PY
find "$root/fuzz/corpus" -type f | wc -l
du -sh "$root/fuzz/corpus"
