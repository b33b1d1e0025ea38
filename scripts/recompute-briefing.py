#!/usr/bin/env python3
"""Recomputes a briefing's headline figures from the exported incidents, without our Rust code.

    threatscape --db STORE export incidents --format json --out incidents.json [--max-tlp GREEN]
    threatscape --db STORE brief --period 2022 --format json --out DIR [--audience council]
    python3 scripts/recompute-briefing.py DIR/briefing-2022-public.json incidents.json

Export at the briefing's TLP ceiling (public: CLEAR, the default; council: GREEN; restricted: AMBER)
so both see the same reports. Standard library only. From the raw incidents it rebuilds:

- each incident's id (`inc:` and the smallest key of its reports) and its date (the earliest
  occurrence or report date among its reports, the more precise one on a tie);
- which incidents fall in the period, in the baseline, are too coarsely dated, or are undated
  (a date counts in a period only when all the days it may stand for lie inside it);
- every cell of the threat-kind, sector, victim-country, threat-against-sector and `all`
  breakdowns (a subsector counts in its sector too: parents are read from the vocabulary files
  crates/assess/data/sectors.csv and threat_kinds.csv, which are data, not code), with the
  incident ids of both periods;
- each cell's exact test (the conditional binomial test of two Poisson rates, written out here
  with math.lgamma) and the Benjamini-Hochberg adjustment;
- each source's reports in each period, which sources report in both (continuing), and whether
  one started, stopped, or reported a volume unlike the continuing sources together (its ratio of
  current to baseline incidents more than 1.5 times off theirs, exact test p < 0.001);
- where so, each cell's check within the continuing sources, from the export: every counted
  incident belongs to the first (by name) continuing source among its reports', each cell's
  incidents are counted per source, the share test (the exact distribution of summed binomials,
  one per source, or above a variance of 400 the normal approximation) is computed for every
  cell but `all`, whose check is the rate test of the continuing sources' counts, then the
  adjustment, and which cells are flagged;
- the attribution lag: each incident's lag from its first dated claim naming a State or
  State-affiliated actor (each date at the middle of the days it may stand for, the incident's
  known to its month) (the claim's actor category read as the assessment reads it: a canonical
  word of crates/assess/data/actor_categories.csv, else the surest row of at least 0.5 of the
  actor crosswalks), the share of attributions public within each delay among incidents old
  enough, and each period's completeness; the within-source share tests of the State and
  State-affiliated actor cells, and of the norms and agenda items whose rules all require such an
  actor (read from crates/assess/data/norms.toml and agenda.toml), are weighted by it;
- for every flagged cell, whether one actor is named in more than half of the incidents that
  carry its change (the current period's for a rise, the baseline's for a fall; names from the
  reports' actors and attribution claims, joined by crates/reconcile/data/aliases.csv, names read
  as an unknown actor left out), its counts in both periods and the test without it;
- for every cell of the breakdowns above, the incidents of each period that are in it on the
  text model's reading alone (a finding none of whose judgments is a rule, a deciding coding or
  an analyst's: `rule_id` `model:...`, or a crosswalk row under 0.5), and where they are a fifth
  or more of a clear change's current incidents, the test of the others;
- the executive summary's counts (all incidents, critical infrastructure, ransomware).

It prints each comparison and exits 1 on any mismatch. Actor categories and the conflict, agenda
and norm links rest on the assessment's findings: their cells' counts are checked only for
consistency (each figure's count equals its list of ids, and every id is an exported incident).
"""

import csv
import datetime
import json
import math
import os
import sys
import tomllib
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, "..", "crates", "assess", "data")
CRITICAL = ["health", "health.hospitals", "finance", "energy", "space", "transport", "emergency-services"]
EPOCH = datetime.date(1970, 1, 1).toordinal()


def parents(name):
    with open(os.path.join(VOCAB, name), encoding="utf-8") as f:
        return {row["id"]: (row["parent"] or None) for row in csv.DictReader(f)}


def lineage(label, parent):
    out = []
    while label is not None and len(out) < 8:
        out.append(label)
        label = parent.get(label)
    return out


def top(label, parent):
    return lineage(label, parent)[-1]


def day(y, m, d):
    return datetime.date(y, m, d).toordinal() - EPOCH


def span(date):
    y, m, d = date["year"], date.get("month"), date.get("day")
    if m and d:
        n = day(y, m, d)
        return n, n
    if m:
        nxt = day(y + 1, 1, 1) if m == 12 else day(y, m + 1, 1)
        return day(y, m, 1), nxt - 1
    return day(y, 1, 1), day(y + 1, 1, 1) - 1


def place(s, period):
    a, b = s
    if a >= period["start"] and b <= period["end"]:
        return "inside"
    if b < period["start"] or a > period["end"]:
        return "outside"
    return "imprecise"


def normalise(text):
    out, gap = [], False
    for ch in text.lower():
        if ch.isalnum():
            if gap and out:
                out.append(" ")
            out.append(ch)
            gap = False
        else:
            gap = True
    return "".join(out)


def actor_reader():
    """A source's actor-category value -> its canonical category, as `Assessor::actor_category`."""
    words = {}
    with open(os.path.join(VOCAB, "actor_categories.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            words[normalise(row["id"])] = row["id"]
            words[normalise(row["label"])] = row["id"]
    rows = {}
    folder = os.path.join(VOCAB, "crosswalks")
    for name in sorted(os.listdir(folder)):
        if name.startswith("actor-") and name.endswith(".csv"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if float(row["confidence"]) >= 0.5:
                        rows.setdefault(normalise(row["source_label"]), []).append(
                            (float(row["confidence"]), row["canonical"]))

    def read(value):
        for part in value.split(";"):
            n = normalise(part.strip())
            if n in words:
                return words[n]
            if n in rows:
                return max(rows[n], key=lambda r: r[0])[1]
        return None
    return read


def state_bound_reader(read_actor):
    """(breakdown, label) -> whether the cell counts only incidents whose actor is named a State
    or State-affiliated one, as `Assessor::rests_on_state_attribution`: those actor categories,
    and the norms and agenda items every rule of which has a condition group that holds only
    through such findings (or State-responsibility steps from 4 up)."""
    links, items = {}, set()
    for dim, name in (("norm", "norms.toml"), ("agenda", "agenda.toml")):
        with open(os.path.join(VOCAB, name), "rb") as f:
            data = tomllib.load(f)
        links[dim] = data.get("rule", [])
        items |= {c["item"] for c in data.get("country_item", [])}

    def bound(dim, label, depth=0):
        if dim == "actor":
            return label is not None and read_actor(label) in ("state", "state-affiliated")
        if dim not in links or label is None or depth >= 4:
            return False
        # A country item is also given by the rules tried for each country item.
        giving = [r for r in links[dim]
                  if (label in items if r.get("each_country_item") else r["label"] == label)]

        def condition(c):
            kind, _, value = c.partition(":")
            if kind == "responsibility-step":
                return int(value) >= 4
            if kind in ("actor", "norm", "agenda", "threat", "sector", "conflict", "harm", "population",
                        "scale", "duration", "raas", "responsibility"):
                return bound(kind, None if value == "*" else value, depth + 1)
            return False
        return bool(giving) and all(any(g and all(condition(c) for c in g) for g in r["all"]) for r in giving)
    return bound


def compact(name):
    """A name as the alias table keys it: lowercase letters and digits, accents folded."""
    folded = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
    return "".join(ch for ch in folded.lower() if ch.isalnum() and not unicodedata.combining(ch))


def actor_keys():
    """name -> the key one actor's names share, as `AliasTable::actor_key`: `group:` and the
    first group (in file order) of crates/reconcile/data/aliases.csv listing the name, else the
    compacted name."""
    groups = {}
    path = os.path.join(HERE, "..", "crates", "reconcile", "data", "aliases.csv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line == "actor,aliases":
                continue
            gid, names = line.split(",", 1)
            for n in names.split("|"):
                groups.setdefault(compact(n), gid.strip())
    return lambda name: ("group:" + groups[compact(name)]) if compact(name) in groups else compact(name)


def lag_estimate(samples, as_of, periods_now, periods_base, minimum=30):
    """The share of attributions public by as_of for each side, F(d) read from incidents at least
    d days old; None when fewer than `minimum` are old enough for the longest delay."""
    by_day = sorted(samples)

    def eligible(d):
        return sum(1 for o, _ in by_day if o <= as_of - d)

    cache = {}

    def within(d):
        if d not in cache:
            old = [l for o, l in by_day if o <= as_of - d]
            cache[d] = sum(1 for l in old if l <= d) / len(old) if old else None
        return cache[d]

    earliest = min(p["start"] for p in periods_now + periods_base)
    if eligible(as_of - earliest) < minimum:
        return None

    def completeness(periods):
        vals = [within(as_of - t) for p in periods for t in range(p["start"], min(p["end"], as_of) + 1)]
        if not vals or any(v is None for v in vals):
            return None
        return sum(vals) / len(vals)
    now, base = completeness(periods_now), completeness(periods_base)
    if now is None or base is None:
        return None
    half = None
    d = 0
    while by_day and d <= as_of - by_day[0][0] and eligible(d) >= minimum:
        if within(d) >= 0.5:
            half = d
            break
        d += 1
    return {"samples": len(samples), "current": now, "baseline": base, "half_within_days": half}


def report_date(report, basis):
    if basis == "occurred":
        occ = report.get("occurred")
        return occ["start"] if occ else None
    return report.get("reported") or report.get("disclosed")


def ln_pmf(k, n, p):
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def binom_test(k, n, p, alternative="two-sided"):
    """Exact binomial test: two-sided by the minlike rule, or the upper tail for "increase"."""
    if n == 0:
        return 1.0
    pmf = [math.exp(ln_pmf(i, n, p)) for i in range(n + 1)]
    if alternative == "increase":
        return min(1.0, sum(pmf[k:]))
    bar = pmf[k] * (1 + 1e-7)
    return min(1.0, sum(q for q in pmf if q <= bar))


def p_value(k1, t1, k0, t0, alternative):
    """The conditional test of two Poisson rates: k1 ~ Binomial(k1 + k0, t1 / (t1 + t0))."""
    return binom_test(k1, k1 + k0, t1 / (t1 + t0), alternative)


def share_p(strata, alternative, weight=1.0):
    """The test of a cell's share of each source's reporting: strata are (k1, k0, n1, n0), each
    source's current volume counting `weight` times (attribution lag). Exact (the summed
    binomials' distribution) with one source or a variance of at most 400; otherwise the normal
    approximation with continuity correction."""
    k = sum(s[0] for s in strata)
    strata = [(k1, k0, n1 * weight, n0) for k1, k0, n1, n0 in strata]
    live = [s for s in strata if s[2] + s[3] > 0]
    e = sum((k1 + k0) * n1 / (n1 + n0) for k1, k0, n1, n0 in live)
    v = sum((k1 + k0) * n1 / (n1 + n0) * (1 - n1 / (n1 + n0)) for k1, k0, n1, n0 in live)
    if sum(1 for s in live if s[0] + s[1] > 0) > 1 and v > 400:
        sd2 = math.sqrt(2 * v)
        if alternative == "increase":
            return min(1.0, 0.5 * math.erfc((k - e - 0.5) / sd2))
        return min(1.0, math.erfc(max(0.0, abs(k - e) - 0.5) / sd2))
    dist = [1.0]
    k = 0
    for k1, k0, n1, n0 in strata:
        m, p = k1 + k0, n1 / (n1 + n0)
        pmf = [math.exp(ln_pmf(i, m, p)) for i in range(m + 1)]
        out = [0.0] * (len(dist) + m)
        for i, x in enumerate(dist):
            if x < 1e-300:
                continue
            for j, y in enumerate(pmf):
                out[i + j] += x * y
        dist, k = out, k + k1
    if alternative == "increase":
        return min(1.0, sum(dist[k:]))
    bar = dist[k] * (1 + 1e-7)
    return min(1.0, sum(q for q in dist if q <= bar))


def benjamini_hochberg(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        brief = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        exported = json.load(f)
    sector_parent, threat_parent = parents("sectors.csv"), parents("threat_kinds.csv")
    t = brief["trends"]
    basis, period, baselines = t["date_basis"], t["period"], t["baseline_periods"]
    problems = []

    def check(what, ours, theirs):
        ok = ours == theirs
        if not ok:
            problems.append(what)
        shown = lambda v: len(v) if isinstance(v, (list, set)) else v
        print(f"{'ok  ' if ok else 'DIFF'} {what}: recomputed {shown(ours)}, briefing {shown(theirs)}")

    tlp_rank = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
    too_high = [i for i in exported if tlp_rank.index(i["tlp"]) > tlp_rank.index(brief["max_tlp"])]
    if too_high:
        sys.exit(f"the export holds {len(too_high)} incidents above {brief['max_tlp']}: export with --max-tlp {brief['max_tlp']}")

    current, baseline, imprecise, undated = set(), set(), set(), set()
    read_actor = actor_reader()
    model_read = {}
    actor_key = actor_keys()
    actors_of = {}
    lags, as_of = [], None
    cells = {}
    known = set()
    sources_of = {}  # counted incident -> its reports' sources
    coverage = {}  # source -> [reports dated in the period, in the baseline]
    for inc in exported:
        reports = [r["report"] for r in inc["reports"]]
        iid = "inc:" + min(r["key"] for r in inc["reports"])
        known.add(iid)
        for r in reports:
            c = coverage.setdefault(r["contributor"]["name"], [0, 0])
            d = report_date(r, basis)
            if d is None:
                continue
            as_of = span(d)[1] if as_of is None else max(as_of, span(d)[1])
            if place(span(d), period) == "inside":
                c[0] += 1
            elif any(place(span(d), b) == "inside" for b in baselines):
                c[1] += 1
        dates = [report_date(r, basis) for r in reports]
        spans = [span(d) for d in dates if d]
        if not spans:
            undated.add(iid)
            continue
        s = min(spans)
        # Each date at the middle of the days it may stand for; the incident's known to its month.
        claims = [sum(span(a["date"])) // 2 for r in reports for a in r.get("attributions", [])
                  if a.get("date") and read_actor(a["actor"].get("category") or "") in ("state", "state-affiliated")]
        if claims and s[1] - s[0] < 31:
            lags.append((sum(s) // 2, max(0, min(claims) - sum(s) // 2)))
        here = place(s, period)
        there = next((p for p in (place(s, b) for b in baselines) if p != "outside"), "outside")
        if here == "inside":
            slot = 1
        elif there == "inside":
            slot = 0
        elif here == "imprecise":
            imprecise.add(iid)
            continue
        else:
            continue
        (current if slot else baseline).add(iid)
        sources_of[iid] = {r["contributor"]["name"] for r in reports}
        named = {}
        for r in reports:
            for name in [a["name"] for a in r.get("actors", [])] + [a["actor"]["name"] for a in r.get("attributions", [])]:
                name = name.strip()
                key = actor_key(name)
                if key and read_actor(name) != "unknown" and key not in named:
                    named[key] = name
        actors_of[iid] = named
        def keys_of(threats, sectors):
            keys = {("all", "all")}
            for label in threats:
                keys.update(("threat", l) for l in lineage(label, threat_parent))
            for label in sectors:
                keys.update(("sector", l) for l in lineage(label, sector_parent))
            for r in reports:
                keys.update(("country", v["country"]) for v in r.get("victims", []) if v.get("country"))
            for th in {top(l, threat_parent) for l in threats}:
                for se in {top(l, sector_parent) for l in sectors}:
                    keys.add(("threat-sector", f"{th}|{se}"))
            return keys
        keys = keys_of(inc["threat_kinds"], inc["sectors"])
        for key in keys:
            cells.setdefault(key, (set(), set()))[0 if slot else 1].add(iid)
        def grounded(dim):
            return [f["label"] for f in inc["assessment"]["findings"]
                    if f["dimension"] == dim and f["label"] in (inc["threat_kinds"] if dim == "threat" else inc["sectors"])
                    and (f.get("decision") or any(
                        not j["rule_id"].startswith("model:")
                        and not (j["rule_id"].startswith("crosswalk:") and j["confidence"] < 0.5)
                        for j in f["judgments"]))]
        for key in keys - keys_of(grounded("threat"), grounded("sector")):
            model_read.setdefault(key, (set(), set()))[0 if slot else 1].add(iid)

    lag = lag_estimate(lags, as_of, [period], baselines) if as_of is not None else None
    if lag and lag["current"] < 0.1:
        lag = None
    shown = lambda l: None if l is None else (
        l["samples"], l.get("half_within_days"), round(l["current"], 6), round(l["baseline"], 6))
    check("attribution lag (samples, half within days, completeness now and in the baseline)",
          shown(lag), shown(t.get("attribution_lag")))
    weight = lag["current"] / lag["baseline"] if lag else 1.0

    state_bound = state_bound_reader(read_actor)

    def attributed(c):
        return state_bound(c["breakdown"], c["label"])

    check("incidents in the period", current, set(t["current"]))
    check("incidents in the baseline", baseline, set(t["baseline_incidents"]))
    check("incidents dated too coarsely for the period", imprecise, set(t["imprecise"]))
    check("undated incidents", undated, set(t["undated"]))

    recomputed = {"all", "threat", "sector", "country", "threat-sector"}
    theirs = {(c["breakdown"], c["label"]): c for c in t["cells"] if c["breakdown"] in recomputed}
    check("cells of the threat, sector, country, threat-sector and all breakdowns", set(cells), set(theirs))
    t1 = period["end"] - period["start"] + 1
    t0 = sum(b["end"] - b["start"] + 1 for b in baselines)
    mismatched = 0
    for key in sorted(set(cells) & set(theirs)):
        (cur, base), c = cells[key], theirs[key]
        p = p_value(len(cur), t1, len(base), t0, c["test"]["alternative"])
        same = (cur == set(c["current"]) and base == set(c["baseline"])
                and math.isclose(p, c["test"]["p_value"], rel_tol=1e-6, abs_tol=1e-12))
        if not same:
            mismatched += 1
            print(f"DIFF cell {key}: recomputed {len(cur)}/{len(base)} p={p:.6g}, "
                  f"briefing {len(c['current'])}/{len(c['baseline'])} p={c['test']['p_value']:.6g}")
    check("cells whose incidents (both periods) and exact p-value differ", mismatched, 0)
    read_diff = sum(1 for key in set(cells) & set(theirs)
                    if model_read.get(key, (set(), set())) != (set(theirs[key].get("model_read", [])),
                                                               set(theirs[key].get("model_read_baseline", []))))
    check("cells whose incidents on the text model's reading alone differ", read_diff, 0)
    # A clear change a fifth or more of whose current incidents are model-read is tested again on
    # the others, over the cell's exposures.
    decided_diff = 0
    for key in sorted(set(cells) & set(theirs)):
        c = theirs[key]
        m1, m0 = (len(x) for x in model_read.get(key, (set(), set())))
        clear_overall = c["q_value"] <= t["fdr"] and (c["test"]["alternative"] == "increase" or c["test"]["rate_ratio"] != 1.0) \
            and c["test"]["k1"] >= t["min_count"]
        ours = None
        if clear_overall and m1 > 0 and m1 * 5 >= c["test"]["k1"]:
            ours = p_value(c["test"]["k1"] - m1, c["test"]["t1"], c["test"]["k0"] - m0, c["test"]["t0"], c["test"]["alternative"])
        theirs_p = (c.get("on_rules_and_codings") or {}).get("p_value")
        if (ours is None) != (theirs_p is None) or (ours is not None and not math.isclose(ours, theirs_p, rel_tol=1e-6, abs_tol=1e-12)):
            decided_diff += 1
            print(f"DIFF on rules and codings {key}: recomputed {ours}, briefing {theirs_p}")
    check("clear changes whose test on the rules and codings alone differs", decided_diff, 0)
    all_cells = t["cells"]
    q = benjamini_hochberg([c["test"]["p_value"] for c in all_cells])
    bh_diff = sum(1 for c, qv in zip(all_cells, q) if not math.isclose(qv, c["q_value"], rel_tol=1e-9, abs_tol=1e-15))
    check(f"Benjamini-Hochberg q-values over all {len(all_cells)} cells that differ", bh_diff, 0)
    # Where the sources' coverage changed, each cell also carries its check within the sources
    # that report in both periods (`continuing`), recomputed here from the export.
    def clear(test, qv):
        return qv <= t["fdr"] and (test["alternative"] == "increase" or test["rate_ratio"] != 1.0)

    def up(test):
        return test["rate_ratio"] is None or test["rate_ratio"] > 1.0

    check("sources' reports in the period and the baseline",
          {k: tuple(v) for k, v in coverage.items()},
          {c["source"]: (c["current_reports"], c["baseline_reports"]) for c in t["coverage"]})
    continuing = {k for k, (a, b) in coverage.items() if a > 0 and b > 0}
    stratum = {i: min(s & continuing) for i, s in sources_of.items() if s & continuing}
    volume = {}
    for i, src in stratum.items():
        volume.setdefault(src, [0, 0])[0 if i in current else 1] += 1
    n1, n0 = sum(v[0] for v in volume.values()), sum(v[1] for v in volume.values())
    uneven = []
    if len(volume) >= 2 and n1 and n0:
        for src, (a, b) in sorted(volume.items()):
            off = math.inf if b == 0 else (a / b) / (n1 / n0)
            if not (1 / 1.5 <= off <= 1.5) and binom_test(a, a + b, n1 / (n1 + n0)) < 0.001:
                uneven.append(src)
    print(f"     sources whose volume changed unlike the continuing sources': {uneven or 'none'}")
    changed = any((a == 0) != (b == 0) for a, b in coverage.values()) or bool(uneven)
    checks = [c.get("continuing") for c in all_cells]
    check("cells with a within-source check", sum(1 for k in checks if k), len(all_cells) if changed else 0)
    holds = [True] * len(all_cells)
    if changed:
        cp, strata_diff = [], 0
        for c in all_cells:
            per = {}
            for slot, ids in ((0, c["current"]), (1, c["baseline"])):
                for i in ids:
                    if i in stratum:
                        per.setdefault(stratum[i], [0, 0])[slot] += 1
            if c["breakdown"] == "all":
                k1 = sum(v[0] for v in per.values())
                k0 = sum(v[1] for v in per.values())
                cp.append(p_value(k1, t1, k0, t0, c["test"]["alternative"]))
                continue
            strata = [(per.get(src, [0, 0])[0], per.get(src, [0, 0])[1], a, b)
                      for src, (a, b) in sorted(volume.items()) if a > 0 and b > 0]
            theirs = [(x["k1"], x["k0"], x["n1"], x["n0"]) for x in c["continuing"]["share"]["strata"]]
            strata_diff += strata != theirs
            cp.append(share_p(strata, c["test"]["alternative"], weight if attributed(c) else 1.0))
        check("within-source counts (per source, cell and period) that differ", strata_diff, 0)
        deciding = [k["share"]["p_value"] if k.get("share") else k["test"]["p_value"] for k in checks]
        p_diff = sum(1 for a, b in zip(cp, deciding) if not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12))
        check("within-source tests whose exact p-value differs", p_diff, 0)
        cq = benjamini_hochberg(cp)
        q_diff = sum(1 for k, qv in zip(checks, cq) if not math.isclose(qv, k["q_value"], rel_tol=1e-6, abs_tol=1e-12))
        check("within-source q-values that differ", q_diff, 0)

        def same_way(k, c):
            if k.get("share"):
                sh = k["share"]
                return sh["k1"] != sh["expected"] and (sh["k1"] > sh["expected"]) == up(c["test"])
            return up(k["test"]) == up(c["test"])

        holds = [(qv <= t["fdr"] if k.get("share") else clear(k["test"], qv)) and same_way(k, c)
                 for k, qv, c in zip(checks, cq, all_cells)]
    flagged = sum(1 for c, qv, h in zip(all_cells, q, holds)
                  if clear(c["test"], qv) and c["test"]["k1"] >= t["min_count"] and h)
    check("cells flagged as clear changes", flagged, sum(1 for c in all_cells if c["flagged"]))

    # Where one actor is named in most of a flagged change's incidents, and the change without them.
    conc_diff = 0
    for c in all_cells:
        theirs = c.get("concentration")
        ours = None
        if c["flagged"]:
            up_ = up(c["test"])
            carrying = c["current"] if up_ else c["baseline"]
            count, spell = {}, {}
            for i in carrying:
                for key, name in actors_of.get(i, {}).items():
                    count[key] = count.get(key, 0) + 1
                    spell.setdefault(key, {})[name] = spell.setdefault(key, {}).get(name, 0) + 1
            if count:
                key = min(count, key=lambda k: (-count[k], k))
                if count[key] > 0.5 * len(carrying):
                    k1 = sum(1 for i in c["current"] if key in actors_of.get(i, {}))
                    k0 = sum(1 for i in c["baseline"] if key in actors_of.get(i, {}))
                    name = min(spell[key], key=lambda n: (-spell[key][n], n))
                    p = p_value(len(c["current"]) - k1, c["test"]["t1"], len(c["baseline"]) - k0,
                                c["test"]["t0"], c["test"]["alternative"])
                    ours = (name, k1, k0, round(p, 9))
        theirs_t = None if theirs is None else (theirs["actor"], theirs["k1"], theirs["k0"], round(theirs["rest"]["p_value"], 9))
        if ours != theirs_t and not (ours and theirs_t and ours[:3] == theirs_t[:3]
                                     and math.isclose(ours[3], theirs_t[3], rel_tol=1e-6, abs_tol=1e-12)):
            conc_diff += 1
            print(f"DIFF concentration {c['breakdown']} {c['label']}: recomputed {ours}, briefing {theirs_t}")
    check("flagged cells whose one-actor concentration differs", conc_diff, 0)

    summary = {f["id"]: f for f in brief["executive_summary"]}
    if "summary.all" in summary:
        check("summary: all incidents", current, set(summary["summary.all"]["incidents"]))
    ci = {i for k, (cur, _) in cells.items() if k[0] == "sector" and k[1] in CRITICAL for i in cur}
    if "summary.critical-infrastructure" in summary:
        check("summary: critical infrastructure", ci, set(summary["summary.critical-infrastructure"]["incidents"]))
    if "summary.ransomware" in summary:
        check("summary: ransomware", cells.get(("threat", "ransomware"), (set(), set()))[0],
              set(summary["summary.ransomware"]["incidents"]))

    figures = list(brief["executive_summary"]) + [f for s in brief["sections"] for f in s["figures"]]
    bad = [f["id"] for f in figures
           if f["count"] != len(f["incidents"]) or not set(f["incidents"]) | set(f.get("baseline_incidents", [])) <= known]
    check(f"figures (of {len(figures)}) whose count or ids do not match the export", len(bad), 0)
    if problems:
        print(f"{len(problems)} mismatches: {', '.join(problems)}")
        sys.exit(1)
    print("every recomputed figure matches")


if __name__ == "__main__":
    main()
