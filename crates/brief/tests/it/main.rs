//! End-to-end: the real trackers (EuRepoC, CFR, CISSM) reconciled, assessed and briefed for 2022
//! against 2021, in every format.

use std::collections::BTreeSet;

use threatscape_assess::{Assessor, Dimension};
use threatscape_brief::{
    build, release, render, Audience, BriefOptions, CapacityTable, TrendOptions,
};
use threatscape_model::{Report, Tlp};
use threatscape_reconcile::Reconciler;

fn load() -> Option<Vec<Report>> {
    let mut out = Vec::new();
    for (kind, rel) in [
        ("eurepoc", "eurepoc/EuRepoC_Global_Database_1.1.csv"),
        ("cfr", "cfr-cyber-operations/cyber-operations-incidents.csv"),
        ("cissm", "cissm/CISSM_cleaned.csv"),
    ] {
        let path = threatscape_testkit::shared_data(rel)?;
        let read = match kind {
            "eurepoc" => threatscape_sources::eurepoc::read(&path),
            "cfr" => threatscape_sources::cfr::read(&path),
            _ => threatscape_sources::cissm::read(&path),
        }
        .expect("the dataset reads");
        out.extend(read.reports);
    }
    Some(out)
}

#[test]
fn briefing_2022_against_2021_on_the_real_trackers() {
    let Some(all) = load() else { return };
    // The two years only, so the test stays quick; every third CFR report is marked AMBER to
    // check that a public briefing never uses it.
    let mut reports: Vec<Report> = all
        .into_iter()
        .filter(|r| {
            r.occurred
                .is_some_and(|o| (2021..=2022).contains(&o.start.year))
        })
        .collect();
    let mut amber = BTreeSet::new();
    for (n, r) in reports.iter_mut().enumerate() {
        if r.provenance.format == "cfr" && n % 3 == 0 {
            r.tlp = Tlp::Amber;
            amber.insert(r.key());
        }
    }
    assert!(!amber.is_empty());
    let rec = Reconciler::default().reconcile(&reports, &[]);
    let clusters: Vec<Vec<usize>> = rec.incidents.iter().map(|c| c.members.clone()).collect();
    let assessor = Assessor::builtin();
    let rel = release(&reports, &clusters, Audience::Public.max_tlp(), assessor);
    assert!(rel.withheld_reports >= amber.len());
    let o = BriefOptions {
        audience: Audience::Public,
        trend: TrendOptions::new("2022".parse().unwrap(), "previous".parse().unwrap()),
        withheld_reports: rel.withheld_reports,
        withheld_incidents: rel.withheld_incidents,
        capacity: CapacityTable::embedded(),
    };
    let b = build(assessor, &rel.incidents, &o);

    // Every format exists.
    let md = render::markdown(&b);
    let html = render::html(&b);
    let json = render::json(&b);
    assert!(md.contains("## Executive summary"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    assert!(!html.contains("<script"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();

    // Every figure of the executive summary has incidents behind it, and they are in the annex.
    let annex: BTreeSet<&str> = v["annex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for f in v["executive_summary"].as_array().unwrap() {
        let ids = f["incidents"].as_array().unwrap();
        assert!(!ids.is_empty(), "no incidents behind {}", f["text"]);
        assert_eq!(f["count"].as_u64().unwrap() as usize, ids.len());
        assert!(!f["reports"].as_array().unwrap().is_empty());
        for id in ids {
            assert!(annex.contains(id.as_str().unwrap()));
        }
    }
    // The summary's changes are distinct: no two rest on the very same incidents.
    let headlines: Vec<(&serde_json::Value, &serde_json::Value)> = v["executive_summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"].as_str().unwrap().starts_with("summary.emerging."))
        .map(|f| (&f["incidents"], &f["baseline_incidents"]))
        .collect();
    assert!(!headlines.is_empty());
    for (n, h) in headlines.iter().enumerate() {
        assert!(!headlines[..n].contains(h), "a headline said twice");
    }

    // The counts add up: the total is every placed incident, cells are subsets of it.
    let t = &b.trends;
    let all_cell = t.cell("all", "all").unwrap();
    assert_eq!(all_cell.current.len(), t.current.len());
    assert_eq!(all_cell.baseline.len(), t.baseline_incidents.len());
    let placed = t.current.len() + t.baseline_incidents.len();
    assert!(placed + t.imprecise.len() + t.undated.len() <= rel.incidents.len());
    let current: BTreeSet<&String> = t.current.iter().collect();
    for c in &t.cells {
        assert!(c.current.len() <= t.current.len());
        assert!(c.current.iter().all(|id| current.contains(id)));
    }
    let by_type: usize = b
        .method
        .contributors_by_type
        .iter()
        .map(|f| f.incidents.len())
        .sum();
    assert!(by_type >= t.current.len());

    // Public: no AMBER report is used anywhere.
    assert_eq!(b.highest_tlp_used, Tlp::Clear);
    for key in &amber {
        assert!(!json.contains(&format!("\"{key}\"")), "{key} leaked");
    }
    assert!(!json.contains("\"AMBER\"") || !json.contains("\"tlp\": \"AMBER\""));

    // The PDF is a real PDF: typeset, with the title, the sections and the annex in its text.
    let pdf = threatscape_brief::pdf::pdf(&b).expect("the briefing typesets");
    assert!(pdf.starts_with(b"%PDF-"));
    check_pdf(&pdf, &b);

    // The STIX edition is a bundle with one report citing every annexed incident.
    // Its structure is checked here; the OASIS validator judges the restricted edition below,
    // which marks objects at two levels.
    let stix = threatscape_brief::stix::bundle(&b, &rel.incidents, "2026-01-01T00:00:00.000Z");
    check_stix(&stix, &b, Peer::Skip);
    for key in &amber {
        assert!(
            !stix.contains(&format!("\"{key}\"")),
            "{key} leaked into STIX"
        );
    }

    // The independent recomputation agrees with every headline figure. Its input is what
    // `threatscape export incidents` writes; the same fields are built here from the same
    // released reports (the key and the report as serialised, the assessed labels and the assessment).
    let export: Vec<serde_json::Value> = rel
        .incidents
        .iter()
        .map(|i| {
            serde_json::json!({
                "tlp": i.reports.iter().map(|r| r.tlp).max().map(|t| t.as_str()),
                "sectors": i.assessment.labels(Dimension::Sector),
                "threat_kinds": i.assessment.labels(Dimension::Threat),
                "assessment": &i.assessment,
                "reports": i.reports.iter().map(|r| serde_json::json!({"key": r.key(), "report": r})).collect::<Vec<_>>(),
            })
        })
        .collect();
    recompute(&json, &serde_json::to_string(&export).unwrap());

    // A restricted edition uses the AMBER reports, and its STIX report carries TLP:AMBER.
    let rel = release(
        &reports,
        &clusters,
        Audience::Restricted.max_tlp(),
        assessor,
    );
    let o = BriefOptions {
        audience: Audience::Restricted,
        withheld_reports: rel.withheld_reports,
        withheld_incidents: rel.withheld_incidents,
        ..o
    };
    let restricted = build(assessor, &rel.incidents, &o);
    assert_eq!(restricted.highest_tlp_used, Tlp::Amber);
    let stix =
        threatscape_brief::stix::bundle(&restricted, &rel.incidents, "2026-01-01T00:00:00.000Z");
    check_stix(&stix, &restricted, Peer::Validate);
    let v: serde_json::Value = serde_json::from_str(&stix).unwrap();
    let report = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "report")
        .unwrap();
    assert_eq!(
        report["object_marking_refs"][0],
        threatscape_stix::markings::tlp2_marking_id(Tlp::Amber)
    );
    eprintln!("{md}");
}

mod checks;
use checks::{check_pdf, check_stix, recompute, Peer};
