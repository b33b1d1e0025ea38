//! `assess`: every incident's findings with their rules, evidence and confidence, and analysts'
//! decisions on them.
//!
//! Incidents are reconciled afresh from the stored reports (as `reconcile`, `brief` and `export
//! incidents` do) and assessed with the built-in rules. Analysts' decisions (`assess confirm`,
//! `reject`, `add`) are appended to the store's `assessment-decisions` stream, each naming its
//! incident by the key of one of its reports, and every later assessment applies them in order,
//! keeping the machine's judgments visible beside them.

use std::io::Write;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use threatscape_assess::{Assessment, Assessor, Decision, Finding, Verdict};
use threatscape_brief::period::fuzzy_span;
use threatscape_brief::Period;
use threatscape_model::{Report, Tlp};
use threatscape_store::Store;

use crate::commands::{actor, open_store};
use crate::Outcome;

/// Arguments of `threatscape assess`.
#[derive(Debug, Args)]
pub(crate) struct AssessArgs {
    /// An analyst's decision to record instead of printing the assessments.
    #[command(subcommand)]
    decision: Option<AssessDecision>,
    /// Only incidents that occurred within this period: a year (2023), a quarter (2023-Q2), a
    /// month (2023-06) or days (2023-01-01..2023-03-31). An incident whose date is known less
    /// precisely than the period is left out.
    #[arg(long)]
    period: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: AssessFormat,
    /// The same as `--format json`, as `ingest`, `validate` and `debate` spell it.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Only the incident holding this report key (e.g. `eurepoc:842`).
    #[arg(long)]
    incident: Option<String>,
    /// Release reports up to this TLP level (CLEAR unless told otherwise); an incident is
    /// assessed from its released reports only.
    #[arg(long, value_parser = crate::parse_tlp, default_value = "CLEAR")]
    max_tlp: Tlp,
    /// Also show findings below the threshold at which a label counts (what almost fired).
    #[arg(long)]
    all_findings: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AssessFormat {
    /// One block per incident: dimension, label, confidence, status, rules and evidence.
    Table,
    /// One JSON array: each incident's report keys, title and full assessment.
    Json,
}

/// What an analyst can say about a label.
#[derive(Debug, Subcommand)]
enum AssessDecision {
    /// The label is right: it counts whatever its confidence.
    Confirm(DecisionArgs),
    /// The label is wrong: it no longer counts (the machine's judgment stays visible).
    Reject(DecisionArgs),
    /// A label the rules missed: it counts from now on.
    Add(DecisionArgs),
}

#[derive(Debug, Args)]
struct DecisionArgs {
    /// The incident, by the key of one of its reports (as `assess` and `export incidents` show).
    #[arg(long)]
    incident: String,
    /// The dimension: sector, threat, actor, raas, responsibility, harm, population, scale,
    /// duration, conflict, spill-over, agenda, norm.
    #[arg(long)]
    dimension: String,
    /// The label: a canonical id (`health.hospitals`), a conflict id, an agenda item id, a norm
    /// letter.
    #[arg(long)]
    label: String,
    /// Why (kept with the decision).
    #[arg(long)]
    reason: String,
    /// Who decides (defaults to the user running the command).
    #[arg(long)]
    analyst: Option<String>,
}

pub(crate) fn assess(db: &str, args: AssessArgs) -> Result<Outcome> {
    let mut store = open_store(db)?;
    if let Some(decision) = args.decision {
        return record(&mut *store, decision);
    }
    let period: Option<Period> = args.period.as_deref().map(str::parse).transpose()?;
    let (reports, run) = crate::incidents::reconcile_store(&mut *store, None)?;
    let decisions = read_decisions(&*store)?;
    let assessor = Assessor::global();

    let format = if args.json {
        AssessFormat::Json
    } else {
        args.format
    };
    // Each incident is written as soon as it is assessed, so memory holds one assessment at a
    // time, not all of them (the JSON of the four trackers is 67 MB).
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut written = 0usize;
    let mut unread = 0usize;
    let mut withheld = 0usize;
    let mut undated = 0usize;
    for (number, cluster) in run.result.incidents.iter().enumerate() {
        let all: Vec<&Report> = cluster.members.iter().map(|&m| &reports[m]).collect();
        if let Some(key) = &args.incident {
            if !all.iter().any(|r| &r.key() == key) {
                continue;
            }
        }
        let released: Vec<Report> = all
            .iter()
            .filter(|r| r.tlp <= args.max_tlp)
            .map(|r| (*r).clone())
            .collect();
        if released.is_empty() {
            withheld += 1;
            continue;
        }
        if let Some(p) = &period {
            match incident_date(&released) {
                Some(span) if span.0 >= p.start && span.1 <= p.end => {}
                Some(_) => continue,
                None => {
                    undated += 1;
                    continue;
                }
            }
        }
        let a = assessor.assess_incident(&released, &decisions);
        unread += a.unread.len();
        match format {
            AssessFormat::Json => {
                w.write_all(if written == 0 { b"[" } else { b"," })?;
                serde_json::to_writer(
                    &mut w,
                    &serde_json::json!({
                        "incident": number + 1,
                        "title": released[0].title,
                        "reports": a.reports,
                        "assessment": a,
                    }),
                )?;
            }
            AssessFormat::Table => print_incident(
                &mut w,
                assessor,
                number + 1,
                &released,
                &a,
                args.all_findings,
            )?,
        }
        written += 1;
    }
    if written == 0 {
        if let Some(key) = &args.incident {
            bail!(
                "no incident released at {} holds the report `{key}` (check the key with `export incidents`, or raise --max-tlp)",
                args.max_tlp.as_str()
            );
        }
    }

    match format {
        AssessFormat::Json => {
            w.write_all(if written == 0 { b"[]\n" } else { b"]\n" })?;
        }
        AssessFormat::Table => {
            let mut summary = format!("{written} incident(s) assessed");
            if withheld > 0 {
                summary += &format!(
                    "; {withheld} withheld (no report at or below {})",
                    args.max_tlp.as_str()
                );
            }
            if undated > 0 {
                summary += &format!("; {undated} without a date left out of the period");
            }
            if unread > 0 {
                summary += &format!(
                    "; {unread} coded value(s) no vocabulary reads (\"unread\" above; a crosswalk row in a folder given with --assess-data reads them)"
                );
            }
            writeln!(
                w,
                "{summary}; {} analyst decision(s) on record",
                decisions.len()
            )?;
        }
    }
    w.flush()?;
    Ok(Outcome::Success)
}

/// The first and last day an incident may have started: the earliest occurrence date any of its
/// reports gives.
fn incident_date(reports: &[Report]) -> Option<(i64, i64)> {
    reports
        .iter()
        .filter_map(|r| r.occurred.as_ref().map(|o| fuzzy_span(&o.start)))
        .min()
}

fn status(f: &Finding) -> String {
    match &f.decision {
        Some(d) => {
            let done = match d.verdict {
                Verdict::Confirm => "confirmed",
                Verdict::Reject => "rejected",
                Verdict::Add => "added",
            };
            format!("{done} by {}", d.analyst)
        }
        None => f.standing().into(),
    }
}

fn print_incident(
    w: &mut impl Write,
    assessor: &Assessor,
    n: usize,
    reports: &[Report],
    a: &Assessment,
    all: bool,
) -> std::io::Result<()> {
    writeln!(w, "incident {n}: {}", reports[0].title)?;
    writeln!(w, "  reports: {}", a.reports.join(", "))?;
    writeln!(
        w,
        "  intensity {:.1} ({})",
        a.intensity.score,
        a.intensity
            .components
            .iter()
            .filter(|c| c.value > 0.0)
            .map(|c| format!("{} {}", c.name, c.value))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    let shown: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| all || f.counts() || f.decision.is_some())
        .collect();
    let label_width = shown.iter().map(|f| f.label.len()).max().unwrap_or(0);
    for f in shown {
        let name = assessor
            .vocabularies
            .get(f.dimension)
            .get(&f.label)
            .map(|t| t.label.as_str())
            .unwrap_or_default();
        writeln!(
            w,
            "  {:<10} {:<label_width$}  {:.2}  {:<16} {name}",
            f.dimension.to_string(),
            f.label,
            f.confidence,
            status(f),
        )?;
        if let Some(d) = &f.decision {
            writeln!(w, "      analyst {}: {}", d.analyst, d.reason)?;
        }
        // Each judgment's rule and its first piece of evidence (a link's rationale sentence);
        // a mention also says why it is one (its last piece).
        for j in &f.judgments {
            if let Some(e) = j.evidence.first() {
                writeln!(w, "      {} ({:.2}): {e}", j.rule_id, j.confidence)?;
            }
            if j.is_mention() && j.evidence.len() > 1 {
                if let Some(why) = j.evidence.last() {
                    writeln!(w, "        {why}")?;
                }
            }
        }
    }
    for u in &a.unread {
        writeln!(
            w,
            "  unread     {} {}: \"{}\" ({}): no vocabulary or crosswalk row reads it",
            u.dimension, u.place, u.value, u.report
        )?;
    }
    for d in a.decisions.iter().filter(|d| d.outcome != "applied") {
        writeln!(
            w,
            "  decision {} {}:{} by {} not applied: {}",
            d.decision.verdict.as_str(),
            d.decision.dimension,
            d.decision.label,
            d.decision.analyst,
            d.outcome
        )?;
    }
    writeln!(w)?;
    Ok(())
}

/// Every analyst decision on record, oldest first.
pub(crate) fn read_decisions(store: &dyn Store) -> Result<Vec<Decision>> {
    Ok(threatscape_landscape::assessment_decisions(store)?)
}

fn record(store: &mut dyn Store, command: AssessDecision) -> Result<Outcome> {
    let (verdict, args) = match command {
        AssessDecision::Confirm(a) => (Verdict::Confirm, a),
        AssessDecision::Reject(a) => (Verdict::Reject, a),
        AssessDecision::Add(a) => (Verdict::Add, a),
    };
    // Checked against the incident as it is assessed now (every report: the CLI reads the whole
    // store), by the mechanism the web pages and the REST API share.
    let landscape = threatscape_landscape::Landscape::load_keeping(
        store,
        &threatscape_reconcile::Reconciler::default(),
    )?;
    let request = threatscape_landscape::AssessmentRequest {
        incident: args.incident.trim().to_string(),
        dimension: args.dimension,
        label: args.label,
        verdict,
        reason: args.reason,
        analyst: args.analyst.unwrap_or_else(actor),
    };
    let recorded = threatscape_landscape::record_assessment_decision(
        store,
        &landscape,
        Assessor::global(),
        Tlp::Red,
        &actor(),
        &request,
    )
    .context("cannot record the decision")?;
    let d = &recorded.decision;
    println!(
        "recorded decision {}: {} {}:{} on the incident of {} ({} report(s)), by {}",
        d.seq.unwrap_or_default(),
        verdict.as_str(),
        d.dimension,
        d.label,
        d.incident,
        recorded.reports,
        d.analyst
    );
    Ok(Outcome::Success)
}
