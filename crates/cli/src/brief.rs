//! `brief`: the periodic landscape briefing, written from the store as it is now.
//!
//! Reports are read up to the audience's TLP ceiling only after reconciliation (so clusters are
//! the same for every audience), and each incident is assessed from its released reports alone,
//! with the analysts' decisions applied.
//!
//! Only the incidents whose date touches the briefing's window are read and assessed: the
//! reconciliation kept in the store ([`Outline`]) says which they are and gives every other
//! incident's dates and sources, which is all the briefing reads of them ([`Frame`]). The result
//! is the briefing [`threatscape_brief::build`] makes from every incident (a test holds them
//! equal), in a fraction of the time on a large store.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::Args;
use rayon::prelude::*;
use threatscape_assess::Assessor;
use threatscape_brief::{
    build_framed, render, stats::Alternative, Audience, Baseline, BriefOptions, CapacityTable,
    DateBasis, Frame, Incident, Period, ReportDates, TrendOptions,
};
use threatscape_landscape::Outline;
use threatscape_model::Tlp;
use threatscape_reconcile::Reconciler;
use threatscape_store::{AuditEntry, Store};

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

    if args.format.iter().any(|f| f.trim() == "pdf") {
        // Reading the store below leaves a core idle: the PDF's fonts are parsed there meanwhile.
        std::thread::spawn(threatscape_brief::pdf::warm_up);
    }
    let mut store = open_store(db)?;
    let mut trend = TrendOptions::new(period, baseline);
    trend.date_basis = date_basis;
    trend.min_count = args.min_count;
    if args.increases_only {
        trend.alternative = Alternative::Increase;
    }
    let assessor = Assessor::global();
    // The same reconciliation as `reconcile` and `export incidents`, analysts' decisions included.
    let started = Instant::now();
    let outline = Outline::load(&mut *store, &Reconciler::default())?;
    let outlined = started.elapsed();
    let windowed = window_incidents(&outline, &*store, assessor, audience.max_tlp(), &trend)?;
    eprintln!(
        "{} incidents ({} reconciliation, outline in {} ms); {} in the window: read in {} ms, assessed in {} ms",
        outline.reconciliation.incidents.len(),
        if outline.reused { "kept" } else { "fresh" },
        outlined.as_millis(),
        windowed.incidents.len(),
        windowed.read_ms,
        windowed.assess_ms,
    );
    let started = Instant::now();
    let options = BriefOptions {
        audience,
        trend,
        withheld_reports: windowed.withheld_reports,
        withheld_incidents: windowed.withheld_incidents,
        capacity,
    };
    let b = build_framed(assessor, &windowed.incidents, &windowed.frame, &options);
    eprintln!("briefing built in {} ms", started.elapsed().as_millis());
    let released = windowed;

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let stem = format!(
        "briefing-{}-{}",
        b.period.label.replace("..", "_"),
        audience
    );
    // Every format at once, each on its own thread: they only read the briefing, and the PDF
    // (typst's layout) alone takes as long as all the others together.
    let rendered: Vec<Result<PathBuf>> = std::thread::scope(|scope| {
        let jobs: Vec<_> = args
            .format
            .iter()
            .map(|f| {
                let (b, released, out, stem) = (&b, &released, &args.out, &stem);
                scope.spawn(move || -> Result<PathBuf> {
                    let started = Instant::now();
                    let (ext, bytes) = match f.trim() {
                        "html" => ("html", render::html(b).into_bytes()),
                        "md" => ("md", render::markdown(b).into_bytes()),
                        "pdf" => ("pdf", threatscape_brief::pdf::pdf(b)?),
                        "stix" => (
                            "stix.json",
                            threatscape_brief::stix::bundle(b, &released.incidents, &stix_now())
                                .into_bytes(),
                        ),
                        _ => ("json", render::json(b).into_bytes()),
                    };
                    let path = out.join(format!("{stem}.{ext}"));
                    write_atomically(&path, |w| w.write_all(&bytes))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "{}: {} bytes in {} ms",
                        path.display(),
                        bytes.len(),
                        started.elapsed().as_millis()
                    );
                    Ok(path)
                })
            })
            .collect();
        jobs.into_iter()
            .map(|job| job.join().expect("rendering a briefing does not panic"))
            .collect()
    });
    let written = rendered.into_iter().collect::<Result<Vec<PathBuf>>>()?;
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
        "{} ({}; {} withheld above {})",
        b.title,
        b.highest_tlp_used,
        threatscape_brief::trends::count(b.withheld_reports, "report"),
        audience.max_tlp()
    );
    for f in &b.executive_summary {
        println!("- {}", f.text);
    }
    Ok(Outcome::Success)
}

/// What a briefing reads of the store: the incidents of its window, built and assessed, and the
/// frame of every released incident.
pub(crate) struct Windowed {
    /// Released incidents whose date touches the window, in reconciliation order.
    pub(crate) incidents: Vec<Incident>,
    /// The dates and sources of every released incident.
    pub(crate) frame: Frame,
    /// Reports above the ceiling, over every incident.
    pub(crate) withheld_reports: usize,
    /// Incidents none of whose reports is released.
    pub(crate) withheld_incidents: usize,
    /// How long reading the window's reports took, in milliseconds.
    pub(crate) read_ms: u128,
    /// How long assessing them took, in milliseconds.
    pub(crate) assess_ms: u128,
}

/// The incidents released at `max` whose date touches `trend`'s window, read from the store and
/// assessed (with the analysts' decisions), and the [`Frame`] of every released incident.
pub(crate) fn window_incidents(
    outline: &Outline,
    store: &dyn Store,
    assessor: &Assessor,
    max: Tlp,
    trend: &TrendOptions,
) -> Result<Windowed> {
    let mut withheld_reports = 0;
    let mut withheld_incidents = 0;
    let mut light: Vec<(String, Vec<ReportDates>)> = Vec::new();
    let mut window: Vec<usize> = Vec::new();
    for (index, cluster) in outline.reconciliation.incidents.iter().enumerate() {
        let facts: Vec<_> = cluster
            .members
            .iter()
            .map(|&m| &outline.reports[m])
            .filter(|f| f.tlp <= max)
            .collect();
        withheld_reports += cluster.members.len() - facts.len();
        if facts.is_empty() {
            withheld_incidents += 1;
            continue;
        }
        let id = incident_id(facts.iter().map(|f| f.key.as_str()));
        let dates: Vec<ReportDates> = facts
            .iter()
            .map(|f| ReportDates {
                contributor: f.contributor.clone(),
                contributor_type: f.contributor_type.clone(),
                occurred: f.occurred,
                reported: f.reported,
                disclosed: f.disclosed,
                attributions: f.attributions.clone(),
            })
            .collect();
        if trend.touches_window(trend.date_basis.earliest(&dates)) {
            window.push(index);
        }
        light.push((id, dates));
    }
    let frame = Frame::of(
        assessor,
        light.iter().map(|(id, d)| (id.as_str(), d.as_slice())),
        trend,
    );
    drop(light);
    let started = Instant::now();
    let reports = outline.read_released(store, &window, max)?;
    let read_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let incidents = assess_all(assessor, reports, &outline.assessment_decisions);
    Ok(Windowed {
        incidents,
        frame,
        withheld_reports,
        withheld_incidents,
        read_ms,
        assess_ms: started.elapsed().as_millis(),
    })
}

/// An incident's id: `inc:` and the smallest key of its released reports (as
/// [`threatscape_brief::release`] and the server name them).
fn incident_id<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    format!("inc:{}", keys.min().unwrap_or_default())
}

/// Each incident's reports assessed, on every core: assessment is the briefing's costliest step.
fn assess_all(
    assessor: &Assessor,
    incidents: Vec<Vec<threatscape_model::Report>>,
    decisions: &[threatscape_assess::Decision],
) -> Vec<Incident> {
    incidents
        .into_par_iter()
        .map(|reports| Incident {
            id: format!(
                "inc:{}",
                reports.iter().map(|r| r.key()).min().unwrap_or_default()
            ),
            assessment: assessor.assess_incident(&reports, decisions),
            reports,
        })
        .collect()
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

#[cfg(test)]
mod tests {
    //! The window gives the briefing every incident gives: [`window_incidents`] with
    //! [`build_framed`] against [`threatscape_brief::build`] over every released incident, built
    //! the way the server builds them, on the demo data and on the EuRepoC and CFR trackers.

    use std::path::{Path, PathBuf};

    use threatscape_assess::{Decision, Dimension, Verdict};
    use threatscape_brief::build;
    use threatscape_landscape::{Landscape, ASSESSMENT_DECISION_STREAM};
    use threatscape_store::NewRun;

    use super::*;

    fn ingest(store: &mut dyn Store, path: &Path, contributor: Option<&str>) {
        let options = threatscape_ingest::Options {
            run: NewRun {
                contributor: contributor.map(str::to_string),
                actor: "test".into(),
                ..NewRun::default()
            },
            ..threatscape_ingest::Options::default()
        };
        let inputs = threatscape_ingest::collect_inputs(&[path.to_path_buf()]);
        let summary = threatscape_ingest::ingest(store, &inputs, &options, &mut |_| {}).unwrap();
        assert!(
            summary.all_files_kept(),
            "{} did not ingest",
            path.display()
        );
    }

    /// The briefing from every released incident (the reference: what the server builds).
    fn from_every_incident(store: &dyn Store, options: &BriefOptions) -> String {
        let assessor = Assessor::builtin();
        let landscape = Landscape::load(store, &Reconciler::default()).unwrap();
        let max = options.audience.max_tlp();
        let mut incidents = Vec::new();
        let (mut withheld_reports, mut withheld_incidents) = (0, 0);
        for (index, cluster) in landscape.incidents().iter().enumerate() {
            let reports = landscape.released(index, max);
            withheld_reports += cluster.members.len() - reports.len();
            let Some(assessment) = landscape.assess(assessor, index, max) else {
                withheld_incidents += 1;
                continue;
            };
            incidents.push(Incident {
                id: format!("inc:{}", reports.iter().map(|r| r.key()).min().unwrap()),
                reports: reports.into_iter().cloned().collect(),
                assessment,
            });
        }
        let options = BriefOptions {
            withheld_reports,
            withheld_incidents,
            ..options.clone()
        };
        render::json(&build(assessor, &incidents, &options))
    }

    /// The briefing from the window, as `threatscape brief` makes it.
    fn from_the_window(store: &mut dyn Store, options: &BriefOptions) -> (String, usize) {
        let assessor = Assessor::builtin();
        let outline = Outline::load(store, &Reconciler::default()).unwrap();
        let w = window_incidents(
            &outline,
            &*store,
            assessor,
            options.audience.max_tlp(),
            &options.trend,
        )
        .unwrap();
        let options = BriefOptions {
            withheld_reports: w.withheld_reports,
            withheld_incidents: w.withheld_incidents,
            ..options.clone()
        };
        let json = render::json(&build_framed(assessor, &w.incidents, &w.frame, &options));
        (json, w.incidents.len())
    }

    fn options(period: &str, baseline: &str, audience: &str, basis: DateBasis) -> BriefOptions {
        let mut trend = TrendOptions::new(period.parse().unwrap(), baseline.parse().unwrap());
        trend.date_basis = basis;
        BriefOptions {
            audience: audience.parse().unwrap(),
            trend,
            withheld_reports: 0,
            withheld_incidents: 0,
            capacity: CapacityTable::embedded(),
        }
    }

    /// Checks every case; returns how many incidents the windows held and the store had.
    fn same_briefings(store: &mut dyn Store, cases: &[(&str, &str, &str, DateBasis)]) {
        let all = Landscape::load(&*store, &Reconciler::default())
            .unwrap()
            .incidents()
            .len();
        for &(period, baseline, audience, basis) in cases {
            let o = options(period, baseline, audience, basis);
            let reference = from_every_incident(&*store, &o);
            let (windowed, read) = from_the_window(store, &o);
            assert!(
                reference == windowed,
                "{period} against {baseline} for {audience} on {basis:?}: the window's briefing differs"
            );
            assert!(
                read < all,
                "{period}: the window read {read} of {all} incidents, so it proved nothing"
            );
        }
    }

    fn examples() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
    }

    #[test]
    fn the_window_gives_the_briefing_every_incident_gives_on_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db").display().to_string();
        let mut store = threatscape_store::open(&db).unwrap();
        ingest(&mut *store, &examples().join("demo-incidents.json"), None);
        ingest(
            &mut *store,
            &examples().join("demo-restricted.json"),
            Some("Example Ministry"),
        );
        // An analyst's override must count the same way on both paths.
        let outline = Outline::load(&mut *store, &Reconciler::default()).unwrap();
        let key = outline
            .reports
            .iter()
            .find(|f| f.occurred.is_some_and(|d| d.year == 2022))
            .map(|f| f.key.clone())
            .unwrap();
        let decision = Decision {
            incident: key,
            dimension: Dimension::Threat,
            label: "ddos".into(),
            verdict: Verdict::Add,
            reason: "test".into(),
            analyst: "ana".into(),
            recorded_at: None,
            seq: None,
        };
        store
            .append_to_stream(
                ASSESSMENT_DECISION_STREAM,
                "ana",
                None,
                &serde_json::to_value(&decision).unwrap(),
            )
            .unwrap();
        same_briefings(
            &mut *store,
            &[
                ("2022", "previous", "public", DateBasis::Occurred),
                ("2022", "previous", "restricted", DateBasis::Occurred),
                ("2022-Q1", "year-ago", "public", DateBasis::Occurred),
                ("2023", "trailing:2", "council", DateBasis::Reported),
                ("2017-06", "previous", "public", DateBasis::Occurred),
            ],
        );
        // The reconciliation is now kept: the next outline reuses it.
        assert!(
            Outline::load(&mut *store, &Reconciler::default())
                .unwrap()
                .reused
        );
    }

    #[test]
    fn the_window_gives_the_briefing_every_incident_gives_on_eurepoc_and_cfr() {
        let (Some(eurepoc), Some(cfr)) = (
            threatscape_testkit::shared_data("eurepoc/EuRepoC_Global_Database_1.1.csv"),
            threatscape_testkit::shared_data("cfr-cyber-operations/cyber-operations-incidents.csv"),
        ) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("trackers.db").display().to_string();
        let mut store = threatscape_store::open(&db).unwrap();
        ingest(&mut *store, &eurepoc, None);
        ingest(&mut *store, &cfr, None);
        same_briefings(
            &mut *store,
            &[
                ("2022-Q1", "previous", "public", DateBasis::Occurred),
                ("2023", "year-ago", "public", DateBasis::Occurred),
                ("2021-Q3", "trailing:4", "public", DateBasis::Reported),
            ],
        );
    }
}
