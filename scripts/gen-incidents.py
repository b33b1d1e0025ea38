#!/usr/bin/env python3
"""Generates N synthetic incident reports in the native contributor template (CSV) with the CFR
Cyber Operations Tracker's distributions: each synthetic report takes the kind of operation, the
victim category, the victim and the sponsor State of a real CFR row drawn at random, and a date
drawn from the real rows' years and months, so counts per kind, sector, country and period look
like the real landscape. Titles and descriptions are made up here ("SYNTHETIC ..."), never copied.

For benchmarks only (BENCHMARKS.md): nothing it writes is committed.

Usage: scripts/gen-incidents.py [--cfr PATH] [--count N] [--seed S] OUT.csv
"""
import argparse
import csv
import random
import sys
from datetime import date

FIELDS = ["title", "description", "occurred_start", "victim_name", "victim_country",
          "victim_sector", "actor", "actor_country", "kinds", "tlp", "source_id"]


def cfr_rows(path):
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f):
            when = (row.get("Date") or "").strip()
            parts = when.split("/")
            if len(parts) != 3 or not parts[2].isdigit():
                continue
            month, year = int(parts[0]), int(parts[2])
            if not (1 <= month <= 12 and 2000 <= year <= 2030):
                continue
            yield {
                "year": year,
                "month": month,
                "kind": (row.get("Type") or "").strip(),
                "sector": (row.get("Category") or "").strip(),
                "victim": (row.get("Victims") or "").split(",")[0].strip(),
                "sponsor": (row.get("Sponsor") or "").split(",")[0].strip(),
            }


def country_names(path):
    """Every name and code the project's country table knows, lower-cased."""
    names = set()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            for cell in row:
                for name in cell.split(";"):
                    if name.strip():
                        names.add(name.strip().lower())
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--cfr", default="../shared/data/cfr-cyber-operations/cyber-operations-incidents.csv")
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--countries", default="crates/sources/data/countries.csv")
    a = p.parse_args()
    known = country_names(a.countries)
    country = lambda name: name if name.lower() in known else ""
    rows = list(cfr_rows(a.cfr))
    if not rows:
        sys.exit(f"no dated rows in {a.cfr}")
    rng = random.Random(a.seed)
    words = ["network", "systems", "operators", "services", "disruption", "access", "data",
             "servers", "accounts", "campaign", "intrusion", "outage", "ministry", "company",
             "hospital", "payment", "satellite", "grid", "portal", "email", "credentials"]
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for n in range(a.count):
            r = rng.choice(rows)
            day = rng.randint(1, 28)
            when = date(r["year"], r["month"], day).isoformat()
            kind = r["kind"] or "unknown"
            text = " ".join(rng.choice(words) for _ in range(rng.randint(12, 40)))
            w.writerow({
                "title": f"SYNTHETIC {n}: {kind} affecting {r['sector'] or 'an organisation'}",
                "description": f"Synthetic benchmark record. {kind}. {text}.",
                "occurred_start": when,
                "victim_name": f"Synthetic victim {rng.randint(1, 20000)}",
                # CFR names victims in prose; a victim that is a State's name is its country.
                "victim_country": country(r["victim"]),
                "victim_sector": ";".join(x.strip() for x in r["sector"].split(",") if x.strip()),
                "actor": f"Synthetic actor {rng.randint(1, 400)}" if r["sponsor"] else "",
                "actor_country": country(r["sponsor"]),
                "kinds": kind,
                "tlp": "CLEAR",
                "source_id": f"synthetic-{a.seed}-{n}",
            })
    print(f"wrote {a.count} synthetic reports drawn from {len(rows)} CFR rows to {a.out}")


if __name__ == "__main__":
    main()
