//! `reconcile` and `export incidents`: stored reports clustered into incidents.
//!
//! Incidents are derived, never stored: each run reconciles the stored reports afresh, so a new
//! report, a corrected account or a new analyst decision is reflected at once. Analysts' decisions
//! (link, unlink, split) are the durable part: each is appended to the audit log (action
//! `reconcile-decision`), and every run replays them in order, so they survive re-reconciliation
//! and their history is the audit trail.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use threatscape_landscape::Landscape;
use threatscape_model::{Report, Tlp};
use threatscape_reconcile::{Decision, Reconciler, Reconciliation};
use threatscape_store::{AuditEntry, Store};

use crate::commands::{actor, open_store, write_atomically};
use crate::table::render;
use crate::{DecisionCommand, ExportIncidentsArgs, IncidentFormat, Outcome, ReconcileArgs};

pub(crate) fn reconcile(db: &str, args: ReconcileArgs) -> Result<Outcome> {
    let mut store = open_store(db)?;
    if let Some(command) = args.decision {
        return record_decision(&mut *store, command);
    }
    let (reports, run) = reconcile_store(&mut *store, args.misp_galaxy.as_deref())?;
    let multi = run
        .result
        .incidents
        .iter()
        .filter(|c| c.members.len() > 1)
        .count();
    let largest = run
        .result
        .incidents
        .iter()
        .map(|c| c.members.len())
        .max()
        .unwrap_or(0);
    let summary = serde_json::json!({
        "reports": reports.len(),
        "incidents": run.result.incidents.len(),
        "incidents_with_several_reports": multi,
        "largest_incident": largest,
        "decisions": run.decisions,
        "decision_issues": run.result.decision_issues,
        "stats": run.result.stats,
        "seconds": run.seconds,
    });
    store.audit(&AuditEntry {
        actor: actor(),
        action: "reconcile".into(),
        subject: db.to_string(),
        detail: serde_json::json!({"reports": reports.len(), "incidents": run.result.incidents.len()}),
    })?;
    if args.json {
        println!("{summary}");
    } else {
        for issue in &run.result.decision_issues {
            println!("decision not applied: {issue:?}");
        }
        let rows = vec![
            vec!["reports".to_string(), reports.len().to_string()],
            vec!["incidents".into(), run.result.incidents.len().to_string()],
            vec!["  with several reports".into(), multi.to_string()],
            vec!["largest incident (reports)".into(), largest.to_string()],
            vec![
                "analyst decisions applied".into(),
                run.decisions.to_string(),
            ],
            vec!["seconds".into(), format!("{:.2}", run.seconds)],
        ];
        print!("{}", render(&["reconciled", ""], &rows));
    }
    Ok(Outcome::Success)
}

/// One reconciliation of the stored reports.
pub(crate) struct Run {
    pub(crate) result: Reconciliation,
    /// How many reconciliation decisions were replayed.
    decisions: usize,
    /// The analysts' assessment decisions, for assessing the incidents.
    pub(crate) assessment_decisions: Vec<threatscape_assess::Decision>,
    seconds: f64,
}

/// Reads every stored report (latest versions) and the analysts' decisions, and reconciles them
/// (the one derivation, `threatscape_landscape`, that the briefing and the server use too). The
/// reconciliation is kept in the store, so the next command reuses it until a write.
pub(crate) fn reconcile_store(
    store: &mut dyn Store,
    misp_galaxy: Option<&Path>,
) -> Result<(Vec<Report>, Run)> {
    let reconciler = match misp_galaxy {
        Some(path) => Reconciler::default()
            .with_aliases_from_misp_galaxy(path)
            .with_context(|| {
                format!(
                    "cannot read the MISP threat-actor galaxy {}",
                    path.display()
                )
            })?,
        None => Reconciler::default(),
    };
    let landscape = Landscape::load_keeping(store, &reconciler)?;
    let run = Run {
        result: landscape.reconciliation,
        decisions: landscape.reconcile_decisions.len(),
        assessment_decisions: landscape.assessment_decisions,
        seconds: landscape.reconcile_seconds,
    };
    Ok((landscape.reports, run))
}

fn record_decision(store: &mut dyn Store, command: DecisionCommand) -> Result<Outcome> {
    let (decision, reason) = match command {
        DecisionCommand::Link { a, b, reason } => (Decision::Link { a, b }, reason),
        DecisionCommand::Unlink { a, b, reason } => (Decision::Unlink { a, b }, reason),
        DecisionCommand::Split { report, reason } => (Decision::Split { report }, reason),
    };
    // The landscape as it stands, so the machine's judgment is kept beside the decision (the
    // shared mechanism the web pages and the REST API use too).
    let reconciler = Reconciler::default();
    let landscape = Landscape::load_keeping(store, &reconciler)?;
    let record = threatscape_landscape::record_reconcile_decision(
        store,
        Some(&landscape),
        &reconciler,
        &actor(),
        &decision,
        &reason,
    )?;
    println!(
        "recorded: {} ({}); it applies from the next reconciliation on",
        record.keys().join(" "),
        record.reason
    );
    Ok(Outcome::Success)
}

pub(crate) fn export_incidents(db: &str, args: ExportIncidentsArgs) -> Result<Outcome> {
    let mut store = open_store(db)?;
    let (reports, run) = reconcile_store(&mut *store, args.misp_galaxy.as_deref())?;
    let mut withheld = 0usize;
    let mut incidents = Vec::new();
    for cluster in &run.result.incidents {
        let released: Vec<&Report> = cluster
            .members
            .iter()
            .map(|&i| &reports[i])
            .filter(|r| r.tlp <= args.max_tlp)
            .collect();
        withheld += cluster.members.len() - released.len();
        if released.is_empty() {
            continue;
        }
        incidents.push((cluster, released));
    }
    let count = incidents.len();
    let written = match args.format {
        IncidentFormat::Json => write_atomically(&args.out, |w| {
            write_json(
                w,
                &reports,
                &incidents,
                &run.assessment_decisions,
                args.max_tlp,
            )
        }),
        IncidentFormat::Csv => write_atomically(&args.out, |w| write_csv(w, &incidents)),
    };
    written.with_context(|| format!("cannot write {}", args.out.display()))?;
    store.audit(&AuditEntry {
        actor: actor(),
        action: "export-incidents".into(),
        subject: args.out.display().to_string(),
        detail: serde_json::json!({"incidents": count, "max_tlp": args.max_tlp.as_str(), "withheld_reports": withheld}),
    })?;
    println!("wrote {count} incidents to {}", args.out.display());
    if withheld > 0 {
        println!(
            "withheld {withheld} reports marked above {} (use --max-tlp to release them)",
            args.max_tlp
        );
    }
    Ok(Outcome::Success)
}

/// Contributor types that report an incident: its corroboration.
fn corroboration(reports: &[&Report]) -> BTreeSet<&'static str> {
    reports
        .iter()
        .map(|r| r.contributor.type_.as_str())
        .collect()
}

fn write_json(
    out: &mut dyn Write,
    all: &[Report],
    incidents: &[(&threatscape_reconcile::Cluster, Vec<&Report>)],
    decisions: &[threatscape_assess::Decision],
    max_tlp: Tlp,
) -> std::io::Result<()> {
    // Each incident is written as soon as it is assessed: memory holds one at a time.
    out.write_all(b"[")?;
    for (n, (cluster, reports)) in incidents.iter().enumerate() {
        // Merge evidence is shown only between reports that are released.
        let merges: Vec<serde_json::Value> = cluster
            .merges
            .iter()
            .filter(|m| all[m.a].tlp <= max_tlp && all[m.b].tlp <= max_tlp)
            .map(|m| {
                serde_json::json!({
                    "a": all[m.a].key(), "b": all[m.b].key(), "score": m.score,
                    "evidence": m.evidence, "rule_version": m.rule_version,
                })
            })
            .collect();
        let sources: BTreeSet<&str> = reports
            .iter()
            .map(|r| r.contributor.name.as_str())
            .collect();
        // Assessed from the released reports only, so no judgment rests on withheld material,
        // with the analysts' decisions applied.
        let released: Vec<Report> = reports.iter().map(|r| (*r).clone()).collect();
        let assessment =
            threatscape_assess::Assessor::global().assess_incident(&released, decisions);
        let item = serde_json::json!({
            "incident": n + 1,
            "title": reports[0].title,
            "tlp": reports.iter().map(|r| r.tlp).max().map(|t| t.as_str()),
            "sources": sources,
            "corroboration": corroboration(reports),
            "attributions": reports.iter().flat_map(|r| r.attributions.iter()).collect::<Vec<_>>(),
            "sectors": assessment.labels(threatscape_assess::Dimension::Sector),
            "threat_kinds": assessment.labels(threatscape_assess::Dimension::Threat),
            "intensity": assessment.intensity.score,
            "assessment": assessment,
            "reports": reports.iter().map(|r| serde_json::json!({"key": r.key(), "report": r})).collect::<Vec<_>>(),
            "merges": merges,
        });
        out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer_pretty(&mut *out, &item)?;
    }
    out.write_all(if incidents.is_empty() {
        b"]\n"
    } else {
        b"\n]\n"
    })
}

fn write_csv(
    out: &mut dyn Write,
    incidents: &[(&threatscape_reconcile::Cluster, Vec<&Report>)],
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "incident",
        "report_key",
        "format",
        "contributor",
        "contributor_type",
        "tlp",
        "title",
        "occurred",
        "victim_countries",
        "actors",
        "attributed_by",
        "kinds",
        "urls",
    ])?;
    for (n, (_, reports)) in incidents.iter().enumerate() {
        for r in reports {
            let join = |items: Vec<String>| items.join("; ");
            w.write_record([
                (n + 1).to_string(),
                r.key(),
                r.provenance.format.clone(),
                r.contributor.name.clone(),
                r.contributor.type_.as_str().to_string(),
                r.tlp.as_str().to_string(),
                r.title.clone(),
                r.occurred.map(|o| o.start.to_string()).unwrap_or_default(),
                join(r.victims.iter().filter_map(|v| v.country.clone()).collect()),
                join(r.actors.iter().map(|a| a.name.clone()).collect()),
                join(
                    r.attributions
                        .iter()
                        .filter_map(|a| a.attributed_by.clone())
                        .collect(),
                ),
                join(r.kinds.clone()),
                join(r.urls.clone()),
            ])?;
        }
    }
    w.flush()
}
