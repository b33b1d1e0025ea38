#!/usr/bin/env python3
"""Builds the threatscape demo STIX 2.1 bundles from their readable source tables.

    python3 examples/build_demo.py            # writes examples/demo-incidents.json and
                                              # examples/demo-restricted.json
    python3 examples/build_demo.py --check    # exits 1 if the files on disk differ

Inputs: examples/incidents.toml (public incidents, TLP:CLEAR) and examples/restricted.toml
(fictional TLP:AMBER and TLP:RED contributions). Only the Python 3.11+ standard library is used.

The output is deterministic: every STIX id is a UUIDv5 of a fixed namespace and a stable name
(`<type>:<key>`), every `created`/`modified` comes from the source (the dataset timestamp, or the
date of an attribution for the relationship that records it), and objects are written in the order
of the source file. Running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent

INCIDENT_CORE = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# ISO 3166-1 alpha-2 codes used by the dataset, with the English short names.
COUNTRIES = {
    "AE": "United Arab Emirates", "AL": "Albania", "AT": "Austria", "AU": "Australia",
    "BD": "Bangladesh", "BE": "Belgium", "BY": "Belarus", "CA": "Canada", "CH": "Switzerland",
    "CN": "China", "CR": "Costa Rica", "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany",
    "DK": "Denmark", "ES": "Spain", "FR": "France", "GB": "United Kingdom", "GE": "Georgia",
    "GR": "Greece", "GU": "Guam", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland",
    "IL": "Israel", "IN": "India", "IR": "Iran (Islamic Republic of)", "IT": "Italy",
    "JP": "Japan", "KE": "Kenya", "KP": "Democratic People's Republic of Korea",
    "KR": "Republic of Korea", "LK": "Sri Lanka", "LT": "Lithuania", "LV": "Latvia",
    "ME": "Montenegro", "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand",
    "PH": "Philippines", "PL": "Poland", "QA": "Qatar", "RU": "Russian Federation",
    "SA": "Saudi Arabia", "SE": "Sweden", "SK": "Slovakia", "UA": "Ukraine",
    "US": "United States of America", "VN": "Viet Nam", "ZA": "South Africa",
}

DATE_PROPERTIES = ["first_seen", "last_seen", "date_precision", "date_basis"]

# The project's kinds of incident (DESIGN.md, "threat kinds"), written in incident_types;
# "intrusion" is access gained with no further effect known (a foothold, pre-positioning).
KINDS = {
    "ransomware", "decoy-ransomware", "wiper", "financial-theft", "cryptocurrency-theft", "ddos",
    "espionage", "data-breach", "extortion", "hack-and-leak", "defacement",
    "information-operation", "supply-chain-compromise", "ot-ics-sabotage", "intrusion",
}
DETERMINATIONS = {"blocked", "failed-attempt", "false-positive", "low-value",
                  "successful-attempt", "suspected"}
SECTORS = {  # STIX 2.1 industry-sector-ov
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
    "construction", "defense", "education", "energy", "entertainment", "financial-services",
    "government", "emergency-services", "government-local", "government-national",
    "government-public-services", "government-regional", "healthcare", "hospitality-leisure",
    "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing", "mining",
    "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
    "transportation", "utilities",
}
EXTERNAL_IMPACTS = {"national-security", "foreign-relations", "economic", "public-confidence",
                    "civil-liberties", "public-health"}


def check(source: dict) -> list[str]:
    """Problems in a source table that would make a wrong or misleading bundle."""
    problems = []
    keys: set[str] = set()
    for inc in source.get("incident", []):
        where = f"incident {inc.get('key')}"
        if inc["key"] in keys:
            problems.append(f"{where}: duplicate key")
        keys.add(inc["key"])
        for kind in inc["kinds"]:
            if kind not in KINDS:
                problems.append(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        if inc["determination"] not in DETERMINATIONS:
            problems.append(f"{where}: determination {inc['determination']!r}")
        for impact in inc.get("external_impacts", []):
            if impact not in EXTERNAL_IMPACTS:
                problems.append(f"{where}: external impact {impact!r}")
        if inc.get("last_seen", inc["first_seen"]) < inc["first_seen"]:
            problems.append(f"{where}: last_seen before first_seen")
        if inc.get("date_precision") not in ("day", "month", "year"):
            problems.append(f"{where}: date_precision must be day, month or year")
        if inc.get("date_basis") not in ("activity", "detection", "disclosure"):
            problems.append(f"{where}: date_basis must be activity, detection or disclosure")
        if not inc.get("reference") and "fictional" not in inc.get("labels", []):
            problems.append(f"{where}: no public reference")
        named = set()
        for v in inc.get("victim", []):
            for sector in v.get("sectors", []):
                if sector not in SECTORS:
                    problems.append(f"{where}: victim {v['key']}: sector {sector!r} is not in "
                                    "industry-sector-ov")
            if "country" in v:
                named.add(v["country"])
        for code in inc.get("countries", []):
            if code in named:
                problems.append(f"{where}: country {code} is already a named victim's country "
                                "(list in `countries` only countries without a named victim)")
        for a in inc.get("attribution", []):
            if not 0 <= a["confidence"] <= 100:
                problems.append(f"{where}: attribution confidence out of 0-100")
            if a["date"] < inc["first_seen"][:4]:
                problems.append(f"{where}: attribution dated before the incident")
    for ident in source.get("identity", []):
        for sector in ident.get("sectors", []):
            if sector not in SECTORS:
                problems.append(f"identity {ident['key']}: sector {sector!r}")
    return problems


class Builder:
    """Accumulates the objects of one bundle, in order, without duplicates."""

    def __init__(self, namespace: str, timestamp: str) -> None:
        self.ns = uuid.UUID(namespace)
        self.ts = timestamp
        self.objects: list[dict] = []
        self.seen: set[str] = set()

    def id(self, stix_type: str, name: str) -> str:
        return f"{stix_type}--{uuid.uuid5(self.ns, f'{stix_type}:{name}')}"

    def add(self, obj: dict) -> str:
        if obj["id"] not in self.seen:
            self.seen.add(obj["id"])
            self.objects.append(obj)
        return obj["id"]

    def common(self, stix_type: str, key: str, created_by: str | None, tlp: str,
               created: str | None = None) -> dict:
        obj = {
            "type": stix_type,
            "spec_version": "2.1",
            "id": self.id(stix_type, key),
        }
        if created_by:
            obj["created_by_ref"] = created_by
        obj["created"] = created or self.ts
        obj["modified"] = created or self.ts
        obj["object_marking_refs"] = [TLP[tlp]]
        return obj


def day(date: str) -> str:
    """A source date (YYYY-MM-DD) as a STIX timestamp."""
    if len(date) != 10 or date[4] != "-" or date[7] != "-":
        raise ValueError(f"date {date!r} is not YYYY-MM-DD")
    return f"{date}T00:00:00.000Z"


def text(value: str) -> str:
    """A multi-line source string as one paragraph."""
    return " ".join(value.split())


def tlp_marking(level: str) -> dict:
    """The TLP 2.0 marking definition object for a level, as the TLP extension defines it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def references(items: list[dict]) -> list[dict]:
    out = []
    for ref in items:
        r = {"source_name": ref["source"], "url": ref["url"]}
        if "note" in ref:
            r["description"] = ref["note"]
        out.append(r)
    return out


def build(source: dict, bundle_name: str, base: dict | None = None) -> dict:
    """Builds one bundle from a parsed source table.

    `base` is the main table (incidents.toml) when building a bundle that reuses its dataset
    settings and the project's identity and date extension (the restricted bundle).
    """
    settings = (base or source)["dataset"]
    b = Builder(settings["namespace"], settings["timestamp"])
    default_tlp = source.get("dataset", {}).get("tlp", "clear")

    # Marking definitions first: every TLP level the file uses.
    levels = {default_tlp}
    levels.update(i.get("tlp", default_tlp) for i in source.get("incident", []))
    levels.update(r.get("tlp", default_tlp) for r in source.get("report", []))
    for level in ["clear", "green", "amber", "amber+strict", "red"]:
        if level in levels:
            b.add(tlp_marking(level))

    # The project, which defines the date extension.
    project_src = next(i for i in (base or source)["identity"] if i["key"] == "project")
    project = b.common("identity", project_src["key"], None, "clear")
    project.update({
        "name": project_src["name"],
        "description": text(project_src["description"]),
        "identity_class": project_src["class"],
        "sectors": project_src["sectors"],
    })
    project_id = b.add(project)

    ext_id = b.id("extension-definition", settings["extension_id_name"])
    b.add({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": ext_id,
        "created_by_ref": project_id,
        "created": settings["timestamp"],
        "modified": settings["timestamp"],
        "name": "threatscape incident dates",
        "description": "Top-level properties giving the dates of an incident: first_seen and "
                       "last_seen (STIX timestamps, as OpenCTI writes them on incidents), "
                       "date_precision (day, month or year: how much of the dates is known) and "
                       "date_basis (activity, detection or disclosure: what first_seen marks).",
        "schema": "Plain-text definition. first_seen, last_seen: timestamp (RFC 3339, UTC). "
                  "date_precision: one of day, month, year; a month-precision date is the "
                  "month's first day, a year-precision date is 1 January. date_basis: one of "
                  "activity (the harmful activity began), detection (it was first detected), "
                  "disclosure (it became public).",
        "version": "1.0.0",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": DATE_PROPERTIES,
        "object_marking_refs": [TLP["clear"]],
    })

    locations: dict[str, str] = {}

    def location(code: str) -> str:
        if code not in COUNTRIES:
            raise ValueError(f"country code {code!r} has no name in COUNTRIES")
        if code not in locations:
            loc = b.common("location", f"country:{code}", project_id, "clear")
            loc.update({"name": COUNTRIES[code], "country": code})
            locations[code] = b.add(loc)
        return locations[code]

    def located_at(source_id: str, code: str, tlp: str) -> None:
        target = location(code)
        rel = b.common("relationship", f"{source_id}:located-at:{target}", project_id, tlp)
        rel.update({"relationship_type": "located-at", "source_ref": source_id,
                    "target_ref": target})
        b.add(rel)

    # Identities: the organisations that make claims (and, in the restricted file, contribute).
    identities: dict[str, str] = {"project": project_id}
    for src in source.get("identity", []):
        if src["key"] == "project":
            continue
        tlp = src.get("tlp", "clear")
        obj = b.common("identity", src["key"], project_id, tlp)
        obj["name"] = src["name"]
        if "description" in src:
            obj["description"] = text(src["description"])
        obj["identity_class"] = src["class"]
        if src.get("sectors"):
            obj["sectors"] = src["sectors"]
        identities[src["key"]] = b.add(obj)
        if "country" in src:
            located_at(obj["id"], src["country"], tlp)

    def identity_ref(key: str) -> str:
        if key not in identities:
            raise KeyError(f"unknown identity {key!r}")
        return identities[key]

    # Actors, then the links from actors to the state organs they are tied to.
    actors: dict[str, str] = {}
    for src in source.get("actor", []):
        tlp = src.get("tlp", "clear")
        obj = b.common(src["type"], src["key"], project_id, tlp)
        obj["name"] = src["name"]
        if "description" in src:
            obj["description"] = text(src["description"])
        if src.get("aliases"):
            obj["aliases"] = src["aliases"]
        if src["type"] == "threat-actor" and src.get("threat_actor_types"):
            obj["threat_actor_types"] = src["threat_actor_types"]
        actors[src["key"]] = b.add(obj)
        if "country" in src:
            located_at(obj["id"], src["country"], tlp)
    for src in source.get("actor", []):
        if "sponsor" not in src:
            continue
        by = identity_ref(src["sponsor_by"])
        rel = b.common("relationship", f"{actors[src['key']]}:attributed-to:{actors[src['sponsor']]}",
                       by, src.get("tlp", "clear"), created=day(src["sponsor_date"]))
        rel.update({
            "relationship_type": "attributed-to",
            "description": text(src["sponsor_basis"]),
            "source_ref": actors[src["key"]],
            "target_ref": actors[src["sponsor"]],
        })
        b.add(rel)

    def actor_ref(key: str) -> str:
        if key not in actors:
            raise KeyError(f"unknown actor {key!r}")
        return actors[key]

    # Incidents with their victims, malware, locations and attributions.
    incidents: dict[str, str] = {}
    victims: dict[str, str] = {}
    for src in source.get("incident", []):
        tlp = src.get("tlp", default_tlp)
        creator = identity_ref(src.get("created_by", "project"))
        inc = b.common("incident", src["key"], creator, tlp)
        inc["name"] = src["name"]
        inc["description"] = text(src["description"])
        for prop in DATE_PROPERTIES:
            if prop in src:
                inc[prop] = day(src[prop]) if prop in ("first_seen", "last_seen") else src[prop]
        if src.get("labels"):
            inc["labels"] = src["labels"]
        if src.get("reference"):
            inc["external_references"] = references(src["reference"])
        core = {
            "extension_type": "property-extension",
            "determination": src["determination"],
            "investigation_status": src.get("investigation_status", "closed"),
            "incident_types": src["kinds"],
        }
        if "criticality" in src:
            core["criticality"] = src["criticality"]
        if src.get("external_impacts"):
            core["external_impacts"] = [{"impact_type": t} for t in src["external_impacts"]]
        if src.get("impacted_entity_counts"):
            core["impacted_entity_counts"] = src["impacted_entity_counts"]
        inc["extensions"] = {
            INCIDENT_CORE: core,
            ext_id: {"extension_type": "toplevel-property-extension"},
        }
        inc_id = b.add(inc)
        incidents[src["key"]] = inc_id

        def relate(kind: str, target: str, created_by: str = project_id,
                   created: str | None = None, extra: dict | None = None) -> None:
            rel = b.common("relationship", f"{inc_id}:{kind}:{target}:{created_by}",
                           created_by, tlp, created=created)
            rel["relationship_type"] = kind
            if extra and "description" in extra:
                rel["description"] = extra["description"]
            rel["source_ref"] = inc_id
            rel["target_ref"] = target
            if extra and "confidence" in extra:
                rel["confidence"] = extra["confidence"]
            b.add(rel)

        for v in src.get("victim", []):
            if v["key"] not in victims:
                vic = b.common("identity", f"victim:{v['key']}", creator, tlp)
                vic["name"] = v["name"]
                vic["identity_class"] = v.get("class", "organization")
                if v.get("sectors"):
                    # Optional: the open vocabulary has no word for some victims (journalists).
                    vic["sectors"] = v["sectors"]
                victims[v["key"]] = b.add(vic)
                if "country" in v:
                    located_at(vic["id"], v["country"], tlp)
            relate("targets", victims[v["key"]], creator)
        for code in src.get("countries", []):
            relate("targets", location(code), creator)
        for name in src.get("malware", []):
            mal = b.common("malware", name, project_id, tlp)
            mal.update({"name": name, "is_family": True})
            relate("uses", b.add(mal), creator)
        for a in src.get("attribution", []):
            relate("attributed-to", actor_ref(a["actor"]), identity_ref(a["by"]),
                   created=day(a["date"]),
                   extra={"description": text(a["basis"]), "confidence": a["confidence"]})

    # Reports.
    for src in source.get("report", []):
        tlp = src.get("tlp", default_tlp)
        rep = b.common("report", src["key"], identity_ref(src.get("created_by", "project")), tlp)
        rep["name"] = src["name"]
        rep["description"] = text(src["description"])
        if src.get("labels"):
            rep["labels"] = src["labels"]
        rep["report_types"] = ["threat-report"]
        rep["published"] = day(src["published"])
        refs = [incidents[k] for k in src["incidents"]] + [actor_ref(k) for k in src.get("actors", [])]
        rep["object_refs"] = refs
        if src.get("reference"):
            rep["external_references"] = references(src["reference"])
        b.add(rep)

    return {
        "type": "bundle",
        "id": b.id("bundle", bundle_name),
        "objects": b.objects,
    }


def dump(bundle: dict) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the files on disk are not what the "
                             "sources produce")
    args = parser.parse_args()

    with open(HERE / "incidents.toml", "rb") as f:
        main_src = tomllib.load(f)
    with open(HERE / "restricted.toml", "rb") as f:
        restricted_src = tomllib.load(f)
    problems = check(main_src) + check(restricted_src)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    outputs = {
        HERE / "demo-incidents.json": dump(build(main_src, "demo-incidents")),
        HERE / "demo-restricted.json": dump(build(restricted_src, "demo-restricted", base=main_src)),
    }
    stale = []
    for path, content in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(path.name)
        else:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)} ({len(json.loads(content)['objects'])} objects)")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run python3 examples/build_demo.py)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
