//! `brief`: the periodic landscape briefing, written from the store as it is now.
//!
//! Reports are read up to the audience's TLP ceiling only after reconciliation (so clusters are
//! the same for every audience), and each incident is assessed from its released reports alone.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::Args;
use threatscape_assess::Assessor;
use threatscape_brief::{
    build, release, render, stats::Alternative, Audience, Baseline, BriefOptions, CapacityTable,
    DateBasis, Period, TrendOptions,
};
use threatscape_store::AuditEntry;

use crate::commands::{actor, open_store, write_atomically};
use crate::Outcome;

/// Arguments of `threatscape brief`.
#[derive(Debug, Args)]
pub(crate) struct BriefArgs {
    /// The period: a year (2023), a quarter (2023-Q2), a month (2023-06) or days (2023-01-01..2023-03-31).
    #[arg(long)]
    period: String,
    /// What the period is compared with: previous, year-ago, or trailing:N (the N periods before, pooled).
    #[arg(long, default_value = "previous")]
    baseline: String,
    /// Who it is for: public (TLP:CLEAR only), council (up to GREEN), restricted (up to AMBER).
    #[arg(long, default_value = "public")]
    audience: String,
    /// Output formats, comma-separated: html, pdf, md, json, stix.
    #[arg(long, default_value = "html,pdf,md,json,stix", value_delimiter = ',')]
    format: Vec<String>,
    /// The folder to write into (created when missing).
    #[arg(long)]
    out: PathBuf,
    /// Which date places an incident in time: occurred (when it happened) or reported.
    #[arg(long, default_value = "occurred")]
    date: String,
    /// Test only for increases (one-sided) instead of any change.
    #[arg(long)]
    increases_only: bool,
    /// A cell is flagged only with at least this many incidents in the period.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// A capacity-indicator table (columns state,indicator,value,year,source,note) to use instead
    /// of the one shipped in crates/brief/data/capacity.csv.
    #[arg(long)]
    capacity: Option<PathBuf>,
}

impl BriefArgs {
    /// A public briefing for `period` against the previous period, in every format, into `out`
    /// (what `threatscape demo` writes).
    pub(crate) fn public(period: &str, out: PathBuf) -> BriefArgs {
        BriefArgs {
            period: period.into(),
            baseline: "previous".into(),
            audience: "public".into(),
            format: ["html", "pdf", "md", "json", "stix"]
                .map(String::from)
                .to_vec(),
            out,
            date: "occurred".into(),
            increases_only: false,
            min_count: 5,
            capacity: None,
        }
    }
}

pub(crate) fn brief(db: &str, args: BriefArgs) -> Result<Outcome> {
    let period: Period = args.period.parse()?;
    let baseline: Baseline = args.baseline.parse()?;
    let audience: Audience = args.audience.parse()?;
    let date_basis = match args.date.trim().to_ascii_lowercase().as_str() {
        "occurred" | "occurrence" => DateBasis::Occurred,
        "reported" | "report" => DateBasis::Reported,
        other => anyhow::bail!("`{other}` is not a date basis; use occurred or reported (the ingestion date is not available to trends)"),
    };
    for f in &args.format {
        if !matches!(f.trim(), "html" | "md" | "json" | "pdf" | "stix") {
            return Err(threatscape_brief::BriefError::Format(f.clone()).into());
        }
    }
    let capacity = match &args.capacity {
        Some(path) => CapacityTable::read(path)?,
        None => CapacityTable::embedded(),
    };

    let mut store = open_store(db)?;
    // The same reconciliation as `reconcile` and `export incidents`, analysts' decisions included.
    let (reports, run) = crate::incidents::reconcile_store(&*store, None)?;
    let rec = run.result;
    let clusters: Vec<Vec<usize>> = rec.incidents.iter().map(|c| c.members.clone()).collect();
    let assessor = Assessor::builtin();
    let released = release(&reports, &clusters, audience.max_tlp(), assessor);
    let mut trend = TrendOptions::new(period, baseline);
    trend.date_basis = date_basis;
    trend.min_count = args.min_count;
    if args.increases_only {
        trend.alternative = Alternative::Increase;
    }
    let options = BriefOptions {
        audience,
        trend,
        withheld_reports: released.withheld_reports,
        withheld_incidents: released.withheld_incidents,
        capacity,
    };
    let b = build(assessor, &released.incidents, &options);

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let stem = format!(
        "briefing-{}-{}",
        b.period.label.replace("..", "_"),
        audience
    );
    let mut written = Vec::new();
    for f in &args.format {
        let started = Instant::now();
        let (ext, bytes) = match f.trim() {
            "html" => ("html", render::html(&b).into_bytes()),
            "md" => ("md", render::markdown(&b).into_bytes()),
            "pdf" => ("pdf", threatscape_brief::pdf::pdf(&b)?),
            "stix" => (
                "stix.json",
                threatscape_brief::stix::bundle(&b, &released.incidents, &stix_now()).into_bytes(),
            ),
            _ => ("json", render::json(&b).into_bytes()),
        };
        let path = args.out.join(format!("{stem}.{ext}"));
        write_atomically(&path, |w| w.write_all(&bytes))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "{}: {} bytes in {} ms",
            path.display(),
            bytes.len(),
            started.elapsed().as_millis()
        );
        written.push(path);
    }
    store.audit(&AuditEntry {
        actor: actor(),
        action: "brief".into(),
        subject: args.out.display().to_string(),
        detail: serde_json::json!({
            "period": b.period.label, "audience": audience.to_string(),
            "max_tlp": audience.max_tlp().as_str(), "highest_tlp_used": b.highest_tlp_used.as_str(),
            "withheld_reports": b.withheld_reports, "incidents_cited": b.annex.len(),
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        }),
    })?;
    for p in &written {
        println!("wrote {}", p.display());
    }
    println!(
        "{} ({}; {} reports withheld above {})",
        b.title,
        b.highest_tlp_used,
        b.withheld_reports,
        audience.max_tlp()
    );
    for f in &b.executive_summary {
        println!("- {}", f.text);
    }
    Ok(Outcome::Success)
}

/// The current time as a STIX timestamp (UTC, milliseconds).
fn stix_now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (day, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        threatscape_brief::period::format_day(day),
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}
