//! Trend analysis: incidents counted by threat kind, sector, victim country and actor category in
//! a period and its baseline, each cell tested for a change of rate, the tests corrected for their
//! number, and each result stated in a sentence that says how sure it is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use threatscape_assess::{Assessment, Assessor, Dimension, Finding};
use threatscape_model::{DatedAttribution, FuzzyDate, Report, Tlp};

use crate::lag::{AttributionLag, LagSample};
use crate::period::{fuzzy_span, place, Baseline, Day, Period, Placement};
use crate::stats::{
    benjamini_hochberg, binom_test, rate_ratio_test, weighted_share_test, Alternative, RateTest,
    ShareTest, Stratum,
};

/// One incident as the briefing sees it: the reports released to the audience and their
/// assessment.
#[derive(Debug, Clone)]
pub struct Incident {
    /// A stable id: `inc:` and the smallest key of its reports.
    pub id: String,
    /// Its released reports.
    pub reports: Vec<Report>,
    /// The assessment made from those reports only.
    pub assessment: Assessment,
}

/// Incidents released to an audience, and what was held back.
#[derive(Debug, Clone)]
pub struct Released {
    /// Incidents with at least one report at or below the level.
    pub incidents: Vec<Incident>,
    /// Reports above the level, left out.
    pub withheld_reports: usize,
    /// Incidents none of whose reports could be released.
    pub withheld_incidents: usize,
}

/// Builds incidents from reconciled clusters (indexes into `reports`), keeping only reports at or
/// below `max_tlp` and assessing each incident from what is kept, so no judgment rests on
/// withheld material.
pub fn release(
    reports: &[Report],
    clusters: &[Vec<usize>],
    max_tlp: Tlp,
    assessor: &Assessor,
) -> Released {
    let mut out = Released {
        incidents: Vec::new(),
        withheld_reports: 0,
        withheld_incidents: 0,
    };
    for members in clusters {
        let kept: Vec<Report> = members
            .iter()
            .map(|&i| &reports[i])
            .filter(|r| r.tlp <= max_tlp)
            .cloned()
            .collect();
        out.withheld_reports += members.len() - kept.len();
        if kept.is_empty() {
            out.withheld_incidents += 1;
            continue;
        }
        let id = format!(
            "inc:{}",
            kept.iter().map(Report::key).min().unwrap_or_default()
        );
        let assessment = assessor.assess_reports(&kept);
        out.incidents.push(Incident {
            id,
            reports: kept,
            assessment,
        });
    }
    out
}

/// Which date places an incident in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateBasis {
    /// When it happened: the earliest `occurred.start` among its reports, at its precision.
    Occurred,
    /// When it was reported: the earliest `reported` date among its reports, or the `disclosed`
    /// date when a report has none.
    Reported,
}

impl DateBasis {
    /// A sentence for the method section.
    pub fn describe(self) -> &'static str {
        match self {
            DateBasis::Occurred => "occurrence date (the earliest start date any report gives, at the precision it is known: a date known only to its year is not placed in a quarter)",
            DateBasis::Reported => "report date (the earliest date a report was made, or made public when the report date is missing)",
        }
    }

    /// The date of one report on this basis.
    pub fn report_date(self, r: &impl Dated) -> Option<FuzzyDate> {
        match self {
            DateBasis::Occurred => r.occurred_start(),
            DateBasis::Reported => r.reported().or(r.disclosed()),
        }
    }

    /// The date of an incident: the earliest of its reports', the more precise on a tie.
    pub fn incident_date(self, i: &Incident) -> Option<FuzzyDate> {
        self.earliest(&i.reports)
    }

    /// The earliest date of `reports` on this basis, the more precise on a tie (an incident's date).
    pub fn earliest<R: Dated>(self, reports: &[R]) -> Option<FuzzyDate> {
        reports
            .iter()
            .filter_map(|r| self.report_date(r))
            .min_by_key(fuzzy_span)
    }
}

/// What the trend analysis reads of a report to place it in time and credit its source: a whole
/// [`Report`], or its [`ReportDates`] when the rest of it is not needed.
pub trait Dated {
    /// The start of the operation, when known.
    fn occurred_start(&self) -> Option<FuzzyDate>;
    /// When the report was made.
    fn reported(&self) -> Option<FuzzyDate>;
    /// When the operation was made public.
    fn disclosed(&self) -> Option<FuzzyDate>;
    /// The contributor's name.
    fn contributor_name(&self) -> &str;
    /// The contributor's type (`un`, `state`, `private`, ...).
    fn contributor_type(&self) -> &str;
    /// Its attribution claims whose date it gives.
    fn dated_attributions(&self) -> Vec<DatedAttribution>;
}

impl Dated for Report {
    fn occurred_start(&self) -> Option<FuzzyDate> {
        self.occurred.map(|o| o.start)
    }
    fn reported(&self) -> Option<FuzzyDate> {
        self.reported
    }
    fn disclosed(&self) -> Option<FuzzyDate> {
        self.disclosed
    }
    fn contributor_name(&self) -> &str {
        &self.contributor.name
    }
    fn contributor_type(&self) -> &str {
        self.contributor.type_.as_str()
    }
    fn dated_attributions(&self) -> Vec<DatedAttribution> {
        Report::dated_attributions(self)
    }
}

/// A report's dates and source: all a briefing needs of a report whose incident lies outside the
/// periods it compares (see [`Frame`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportDates {
    /// The contributor's name.
    pub contributor: String,
    /// The contributor's type.
    pub contributor_type: String,
    /// The start of the operation.
    pub occurred: Option<FuzzyDate>,
    /// When the report was made.
    pub reported: Option<FuzzyDate>,
    /// When the operation was made public.
    pub disclosed: Option<FuzzyDate>,
    /// Its attribution claims whose date it gives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributions: Vec<DatedAttribution>,
}

impl ReportDates {
    /// The dates and source of `r`.
    pub fn of(r: &Report) -> ReportDates {
        ReportDates {
            contributor: r.contributor.name.clone(),
            contributor_type: r.contributor.type_.as_str().to_string(),
            occurred: r.occurred_start(),
            reported: r.reported,
            disclosed: r.disclosed,
            attributions: r.dated_attributions(),
        }
    }
}

impl Dated for ReportDates {
    fn occurred_start(&self) -> Option<FuzzyDate> {
        self.occurred
    }
    fn reported(&self) -> Option<FuzzyDate> {
        self.reported
    }
    fn disclosed(&self) -> Option<FuzzyDate> {
        self.disclosed
    }
    fn contributor_name(&self) -> &str {
        &self.contributor
    }
    fn contributor_type(&self) -> &str {
        &self.contributor_type
    }
    fn dated_attributions(&self) -> Vec<DatedAttribution> {
        self.attributions.clone()
    }
}

/// What a trend analysis reads of every released incident, not only of those in the periods it
/// compares: the latest date in the data (reporting lag), each source's coverage, the incidents
/// that cannot be dated, and the attribution lags the sources' dated claims show.
///
/// With a frame made from every incident, [`analyse`] and [`crate::build`] need only the incidents
/// whose date can touch [`TrendOptions::window`]; the others change nothing they compute. This is
/// what lets a briefing over a large store assess only the incidents of its window.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The latest day any report's date reaches.
    pub as_of: Option<Day>,
    /// What each source contributed to each period.
    pub coverage: Vec<SourceCoverage>,
    /// The incidents without a date on the basis, in the order given.
    pub undated: Vec<String>,
    /// Each incident's attribution lag, where a claim naming a State or State-affiliated actor is
    /// dated ([`LagSample::of`]).
    pub attribution_lags: Vec<LagSample>,
}

impl Frame {
    /// The frame of `incidents`, each given as its id and its released reports; `assessor` reads
    /// the sources' actor categories.
    pub fn of<'a, R: Dated + 'a>(
        assessor: &Assessor,
        incidents: impl IntoIterator<Item = (&'a str, &'a [R])>,
        o: &TrendOptions,
    ) -> Frame {
        let base = o.baseline.periods(&o.period);
        let mut as_of: Option<Day> = None;
        let mut by: BTreeMap<String, SourceCoverage> = BTreeMap::new();
        let mut span: BTreeMap<String, (Day, Day)> = BTreeMap::new();
        let mut undated = Vec::new();
        let mut attribution_lags = Vec::new();
        let state_linked = |category: &str| {
            matches!(
                assessor.actor_category(category),
                Some("state" | "state-affiliated")
            )
        };
        for (id, reports) in incidents {
            match o.date_basis.earliest(reports) {
                None => undated.push(id.to_string()),
                Some(date) => {
                    let claims: Vec<DatedAttribution> =
                        reports.iter().flat_map(Dated::dated_attributions).collect();
                    attribution_lags.extend(LagSample::of(&date, &claims, state_linked));
                }
            }
            for r in reports {
                let e = by
                    .entry(r.contributor_name().to_string())
                    .or_insert_with(|| SourceCoverage {
                        source: r.contributor_name().to_string(),
                        contributor_type: r.contributor_type().to_string(),
                        current_reports: 0,
                        baseline_reports: 0,
                        first: None,
                        last: None,
                    });
                let Some(d) = o.date_basis.report_date(r) else {
                    continue;
                };
                if place(&d, &o.period) == Placement::Inside {
                    e.current_reports += 1;
                } else if base.iter().any(|p| place(&d, p) == Placement::Inside) {
                    e.baseline_reports += 1;
                }
                let (a, b) = fuzzy_span(&d);
                as_of = as_of.max(Some(b));
                let s = span
                    .entry(r.contributor_name().to_string())
                    .or_insert((a, b));
                s.0 = s.0.min(a);
                s.1 = s.1.max(b);
            }
        }
        for (name, (a, b)) in span {
            if let Some(c) = by.get_mut(&name) {
                c.first = Some(crate::period::format_day(a));
                c.last = Some(crate::period::format_day(b));
            }
        }
        Frame {
            as_of,
            coverage: by.into_values().collect(),
            undated,
            attribution_lags,
        }
    }

    /// The frame of fully built incidents.
    pub fn of_incidents(assessor: &Assessor, incidents: &[Incident], o: &TrendOptions) -> Frame {
        Frame::of(
            assessor,
            incidents
                .iter()
                .map(|i| (i.id.as_str(), i.reports.as_slice())),
            o,
        )
    }
}

/// How a trend analysis is run.
#[derive(Debug, Clone)]
pub struct TrendOptions {
    /// The period looked at.
    pub period: Period,
    /// What it is compared with.
    pub baseline: Baseline,
    /// Which date places incidents.
    pub date_basis: DateBasis,
    /// The alternative of each test.
    pub alternative: Alternative,
    /// The false-discovery rate controlled across cells.
    pub fdr: f64,
    /// A cell is flagged only with at least this many incidents in the current period.
    pub min_count: u64,
    /// The day the data is considered current to (for the reporting-lag warning); the latest
    /// date in the data when absent.
    pub as_of: Option<Day>,
}

impl TrendOptions {
    /// The days an incident's date must touch to matter to the analysis or the briefing: from the
    /// first baseline day (or the period's, if earlier) to the period's last day. The monthly
    /// series spans the same days, months between a year-ago baseline and the period included.
    pub fn window(&self) -> (Day, Day) {
        let first = self
            .baseline
            .periods(&self.period)
            .iter()
            .map(|p| p.start)
            .chain([self.period.start])
            .min()
            .unwrap_or(self.period.start);
        (first, self.period.end)
    }

    /// Whether an incident dated `date` (on [`TrendOptions::date_basis`]) can count in the
    /// analysis or the briefing; undated incidents count only through the [`Frame`].
    pub fn touches_window(&self, date: Option<FuzzyDate>) -> bool {
        let (first, last) = self.window();
        date.is_some_and(|d| {
            let (a, b) = fuzzy_span(&d);
            a <= last && b >= first
        })
    }

    /// Defaults: occurrence dates, two-sided tests, FDR 5%, at least 5 incidents.
    pub fn new(period: Period, baseline: Baseline) -> Self {
        TrendOptions {
            period,
            baseline,
            date_basis: DateBasis::Occurred,
            alternative: Alternative::TwoSided,
            fdr: 0.05,
            min_count: 5,
            as_of: None,
        }
    }
}

/// One cell: a label of one breakdown, counted in both periods and tested.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Cell {
    /// The breakdown: `all`, `threat`, `sector`, `actor`, `country`, `threat-sector`, and
    /// `conflict`, `spill-over`, `agenda`, `norm` from the assessment's link dimensions.
    pub breakdown: String,
    /// The label's id (`ransomware`, `health.hospitals`, `UKR`, `ransomware|health`).
    pub label: String,
    /// The label's name for people.
    pub name: String,
    /// Incident ids in the current period.
    pub current: Vec<String>,
    /// Incident ids in the baseline.
    pub baseline: Vec<String>,
    /// The test of the two rates.
    pub test: RateTest,
    /// The Benjamini-Hochberg adjusted p-value across every cell tested.
    pub q_value: f64,
    /// Whether the change is flagged: q within the FDR and enough incidents, and, where the
    /// sources' coverage changed between the periods, the same change within the sources that
    /// report in both ([`Cell::continuing`]).
    pub flagged: bool,
    /// Where the sources' coverage changed between the periods (a source started or stopped
    /// reporting, or one's volume changed unlike the others'): the comparison within the sources
    /// that report in both periods, so that a fall which is only one tracker's coverage ending
    /// or thinning is not called a trend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuing: Option<ContinuingCheck>,
    /// The current period's incidents that are in the cell on the text model's reading alone, with
    /// no rule, coding or analyst that decides (a sector the model alone gives beside those a rule
    /// found); a clear change says how many when they are a fifth of it or more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_read: Vec<String>,
    /// The same in the baseline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_read_baseline: Vec<String>,
    /// Where a clear change says so: the test of the cell's other incidents, those a rule, a
    /// coding or an analyst decides, over the cell's exposures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_rules_and_codings: Option<RateTest>,
    /// Where one actor is named in most of the incidents that carry a flagged change (the
    /// current period's for a rise, the baseline's for a fall): who, and the change without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concentration: Option<Concentration>,
    /// The finding in one sentence, with its uncertainty.
    pub sentence: String,
}

/// One actor named in most of a flagged cell's incidents of the period that carries the change:
/// a rise that is one group's campaign (Cl0p's exploitation of a file-transfer product across
/// hundreds of victims) reads differently from one spread over many actors. Names are read from
/// the reports' actors and attribution claims; the names of one actor are joined by the
/// reconciliation's alias table (`AliasTable::actor_key`); names the actor vocabulary reads as
/// "unknown" ("Undetermined") name no one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Concentration {
    /// The actor, as the most of those incidents' reports spell it.
    pub actor: String,
    /// The cell's incidents naming it in the current period.
    pub k1: u64,
    /// In the baseline.
    pub k0: u64,
    /// The test of the cell's other incidents, over the cell's exposures.
    pub rest: RateTest,
}

/// An actor is said to carry a change when named in more than this share of its incidents.
const CONCENTRATED: f64 = 0.5;

/// A cell's comparison within the sources that report in both periods (the continuing sources).
///
/// Each incident a continuing source reported belongs to one of them (the first by name among its
/// reports' sources). For a cell other than `all`, what decides is [`ContinuingCheck::share`]:
/// whether the cell's share of what each continuing source reports changed, so that neither a
/// source ending nor one reporting less of everything makes a trend. For `all`, which is every
/// source's whole reporting, what decides is the rate test of the continuing sources' counts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ContinuingCheck {
    /// The rate test of the cell's incidents that a continuing source reported.
    pub test: RateTest,
    /// The test of the cell's share of each continuing source's reporting (every cell but `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<ShareTest>,
    /// The Benjamini-Hochberg adjusted p-value of the deciding test (the share test, or for `all`
    /// the rate test) across every cell's.
    pub q_value: f64,
    /// Whether it shows a clear change in the same direction as the cell's own test.
    pub holds: bool,
}

/// A continuing source's volume is called uneven when its ratio of current to baseline incidents
/// differs from all continuing sources' together by more than this factor, either way...
const UNEVEN_RATIO: f64 = 1.5;
/// ... and the exact test of its current count against the pooled ratio gives a p-value below
/// this (strict, since it only decides whether the within-source check runs).
const UNEVEN_P: f64 = 0.001;

/// How far back from the latest date in the data a period counts as recent for attribution lag,
/// where the data gives no measure of it.
const ATTRIBUTION_LAG_DAYS: i64 = 730;

/// Below this estimated share of its eventual attributions public yet, a period's incidents by
/// State and State-affiliated actors are too few to correct: the briefing only warns.
const MIN_COMPLETENESS: f64 = 0.1;

/// What one source contributed to each period.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SourceCoverage {
    /// The contributor's name.
    pub source: String,
    /// Its type.
    pub contributor_type: String,
    /// Its reports dated in the current period.
    pub current_reports: usize,
    /// Its reports dated in the baseline.
    pub baseline_reports: usize,
    /// The earliest date among its reports (on the chosen basis).
    pub first: Option<String>,
    /// The latest.
    pub last: Option<String>,
}

/// The outcome of a trend analysis.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TrendAnalysis {
    /// The period looked at.
    pub period: Period,
    /// The baseline periods.
    pub baseline_periods: Vec<Period>,
    /// The baseline rule.
    pub baseline: Baseline,
    /// Which date places incidents.
    pub date_basis: DateBasis,
    /// Incidents dated in the current period.
    pub current: Vec<String>,
    /// Incidents dated in the baseline.
    pub baseline_incidents: Vec<String>,
    /// Incidents whose date is too coarse to place in the current period (e.g. only the year).
    pub imprecise: Vec<String>,
    /// Incidents with no date on the chosen basis.
    pub undated: Vec<String>,
    /// Every cell with at least one incident in either period, flagged ones first, then by q.
    pub cells: Vec<Cell>,
    /// How many tests the correction covers.
    pub comparisons: usize,
    /// The FDR level.
    pub fdr: f64,
    /// The minimum-evidence rule.
    pub min_count: u64,
    /// Per-source reporting in each period.
    pub coverage: Vec<SourceCoverage>,
    /// Caveats in sentences: reporting lag, coverage changes, imprecise dates, the missing
    /// ingestion date.
    pub caveats: Vec<String>,
    /// The attribution lag the counts of incidents by State and State-affiliated actors allow
    /// for, when the data measures it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution_lag: Option<AttributionLag>,
}

impl TrendAnalysis {
    /// The flagged cells.
    pub fn flagged(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.flagged)
    }

    /// The cell of a breakdown and label, if it has incidents.
    pub fn cell(&self, breakdown: &str, label: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.breakdown == breakdown && c.label == label)
    }
}

/// The breakdowns over assessment dimensions that may not exist yet (conflict links, Council
/// agenda items, norms (a)-(k)), by the prefix their dimension is named with. Each one is counted
/// and tested as soon as `threatscape_assess::Dimension` has a variant with that prefix.
pub const LINK_BREAKDOWNS: [&str; 4] = ["conflict", "spill-over", "agenda", "norm"];

/// The UN reference data (agenda item titles, norm paraphrases, State names), loaded once.
pub fn reference() -> &'static threatscape_reference::Reference {
    static REFERENCE: std::sync::OnceLock<threatscape_reference::Reference> =
        std::sync::OnceLock::new();
    REFERENCE.get_or_init(threatscape_reference::Reference::embedded)
}

/// The name of a label of a dimension: the vocabulary's label, the agenda item's title, or the
/// norm's letter and paraphrase; the id itself when none is known.
pub fn label_name(assessor: &Assessor, dimension: Dimension, id: &str) -> String {
    if let Some(t) = assessor.vocabularies.get(dimension).get(id) {
        return t.label.clone();
    }
    match dimension.prefix() {
        "agenda" => reference()
            .agenda_item(id)
            .map(|a| a.title.clone())
            .unwrap_or_else(|| id.to_string()),
        "norm" => reference()
            .norm(id)
            .map(|n| n.name())
            .unwrap_or_else(|| format!("norm ({id})")),
        _ => id.to_string(),
    }
}

/// `n` and the noun, singular for one: "1 incident", "3 incidents", "0 reports".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", agree(n, "", "s"))
}

/// The form of a word that agrees with `n`: `agree(1, "is", "are")` is "is".
pub fn agree(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The name of a State or territory for people: the UN's name, else the project's country
/// table's, else the code.
pub fn state_name(code: &str) -> String {
    reference()
        .entity(code)
        .map(|e| e.name.clone())
        .or_else(|| threatscape_sources::countries::name_of(code).map(str::to_string))
        .unwrap_or_else(|| code.to_string())
}

/// The (breakdown, label) keys an incident counts under.
pub fn incident_keys(assessor: &Assessor, i: &Incident) -> BTreeSet<(String, String)> {
    keys_of(assessor, i, |_| true)
}

/// [`incident_keys`] over the counted findings `keep` accepts. Those of [`incident_keys`] that
/// [`Finding::grounds_inference`] does not keep are the keys an incident counts under only on the
/// text model's reading, with no rule, coding or analyst that decides ([`Cell::model_read`]).
fn keys_of(
    assessor: &Assessor,
    i: &Incident,
    keep: impl Fn(&Finding) -> bool,
) -> BTreeSet<(String, String)> {
    let labels = |dim: Dimension| {
        i.assessment
            .of(dim)
            .filter(|f| f.counts() && keep(f))
            .map(|f| f.label.as_str())
    };
    let mut keys = BTreeSet::new();
    keys.insert(("all".to_string(), "all".to_string()));
    let mut tops: BTreeMap<Dimension, BTreeSet<String>> = BTreeMap::new();
    for (dim, name) in [
        (Dimension::Threat, "threat"),
        (Dimension::Sector, "sector"),
        (Dimension::Actor, "actor"),
    ] {
        let vocab = assessor.vocabularies.get(dim);
        for label in labels(dim) {
            for l in vocab.lineage(label) {
                keys.insert((name.to_string(), l.to_string()));
            }
            tops.entry(dim)
                .or_default()
                .insert(vocab.top_level(label).to_string());
        }
    }
    for prefix in LINK_BREAKDOWNS {
        if let Some(dim) = Dimension::from_prefix(prefix) {
            for label in labels(dim) {
                keys.insert((prefix.to_string(), label.to_string()));
            }
        }
    }
    for r in &i.reports {
        for v in &r.victims {
            if let Some(c) = &v.country {
                keys.insert(("country".to_string(), c.clone()));
            }
        }
    }
    if let (Some(ts), Some(ss)) = (tops.get(&Dimension::Threat), tops.get(&Dimension::Sector)) {
        for t in ts {
            for s in ss {
                keys.insert(("threat-sector".to_string(), format!("{t}|{s}")));
            }
        }
    }
    keys
}

/// A label as it reads inside a sentence: lower case, but for acronyms ("ICT", "OT", "CERTs",
/// "UN"), which keep their capitals.
pub fn in_sentence(label: &str) -> String {
    label
        .split(' ')
        .map(|w| {
            if w.chars().filter(char::is_ascii_uppercase).count() >= 2 {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name of a cell for sentences.
pub fn cell_name(assessor: &Assessor, breakdown: &str, label: &str) -> String {
    match breakdown {
        "all" => "All incidents".to_string(),
        "threat" => label_name(assessor, Dimension::Threat, label),
        "sector" => format!(
            "Incidents against {}",
            in_sentence(&label_name(assessor, Dimension::Sector, label))
        ),
        "actor" => format!(
            "Incidents by {} actors",
            in_sentence(&label_name(assessor, Dimension::Actor, label))
        ),
        "country" => format!("Incidents with victims in {}", state_name(label)),
        "spill-over" => format!(
            "Spill-over to third States from {}",
            match Dimension::from_prefix(breakdown) {
                Some(dim) => label_name(assessor, dim, label),
                None => label.to_string(),
            }
        ),
        "conflict" | "agenda" | "norm" => match Dimension::from_prefix(breakdown) {
            Some(dim) => format!("Incidents linked to {}", label_name(assessor, dim, label)),
            None => label.to_string(),
        },
        "threat-sector" => {
            let (t, s) = label.split_once('|').unwrap_or((label, ""));
            format!(
                "{} against {}",
                label_name(assessor, Dimension::Threat, t),
                in_sentence(&label_name(assessor, Dimension::Sector, s))
            )
        }
        _ => label.to_string(),
    }
}

/// Runs the analysis over incidents.
pub fn analyse(assessor: &Assessor, incidents: &[Incident], o: &TrendOptions) -> TrendAnalysis {
    analyse_framed(
        assessor,
        incidents,
        &Frame::of_incidents(assessor, incidents, o),
        o,
    )
}

/// [`analyse`] over the incidents that touch [`TrendOptions::window`] (others may be given and
/// change nothing), with the [`Frame`] of every released incident.
pub fn analyse_framed(
    assessor: &Assessor,
    incidents: &[Incident],
    frame: &Frame,
    o: &TrendOptions,
) -> TrendAnalysis {
    let base_periods = o.baseline.periods(&o.period);
    let as_of = o.as_of.or(frame.as_of);
    // Cells that count only incidents whose author is named a State or State-affiliated actor
    // (those actors, and the norm and agenda links that require one): such authors are often
    // named long after an operation.
    let attributed = |breakdown: &str, label: &str| {
        Dimension::from_prefix(breakdown)
            .is_some_and(|d| assessor.rests_on_state_attribution(d, label))
    };
    // How much of each period's attributions are public yet, where the data measures it.
    let lag = as_of
        .and_then(|d| {
            AttributionLag::estimate(&frame.attribution_lags, d, &o.period, &base_periods)
        })
        .filter(|l| l.current >= MIN_COMPLETENESS && l.baseline > 0.0);
    // Where it does not, a flagged fall of such incidents in a recent period is only warned of.
    let recent = as_of.is_some_and(|d| d - o.period.end < ATTRIBUTION_LAG_DAYS);
    let attribution_fall = |breakdown: &str, label: &str, test: &RateTest, flagged: bool| {
        lag.is_none() && recent && flagged && !rises(test) && attributed(breakdown, label)
    };
    let t1 = o.period.days();
    let t0: f64 = base_periods.iter().map(Period::days).sum();
    // The exposures a cell's counts are tested over: each period's days, times the share of its
    // attributions public yet for a cell counted by attribution.
    let exposure = |breakdown: &str, label: &str| match &lag {
        Some(l) if attributed(breakdown, label) => (t1 * l.current, t0 * l.baseline),
        _ => (t1, t0),
    };
    // The same for the share of each source's reporting: its current volume counts that much.
    let current_weight = |breakdown: &str, label: &str| match &lag {
        Some(l) if attributed(breakdown, label) => l.current_weight(),
        _ => 1.0,
    };
    let mut current = Vec::new();
    let mut baseline = Vec::new();
    let mut imprecise = Vec::new();
    let undated = frame.undated.clone();
    // Sources that report in both periods; the check runs only where the coverage changed: a
    // source reports in one period and not the other (a tracker's coverage ending or starting),
    // or one's volume changed unlike the others' (below).
    let continuing: BTreeSet<&str> = frame
        .coverage
        .iter()
        .filter(|c| c.current_reports > 0 && c.baseline_reports > 0)
        .map(|c| c.source.as_str())
        .collect();
    let started_or_stopped = frame
        .coverage
        .iter()
        .any(|c| (c.current_reports == 0) != (c.baseline_reports == 0));
    let mut counts: BTreeMap<(String, String), (Vec<String>, Vec<String>)> = BTreeMap::new();
    // The counted incidents that a continuing source reported, each with that source (the first
    // by name among its reports'), and each continuing source's counted incidents per period.
    let mut stratum_of: HashMap<&str, &str> = HashMap::new();
    let mut volume: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    // The actors each counted incident's reports name, each once, by alias key (for
    // `Concentration`).
    let aliases = threatscape_reconcile::AliasTable::builtin();
    let mut actors_of: HashMap<&str, Vec<(String, &str)>> = HashMap::new();
    // Each cell's incidents that are in it on the text model's reading alone, per period.
    let mut model_read: BTreeMap<(String, String), (Vec<String>, Vec<String>)> = BTreeMap::new();
    for i in incidents {
        let Some(date) = o.date_basis.incident_date(i) else {
            continue;
        };
        let in_current = place(&date, &o.period);
        let in_base = base_periods
            .iter()
            .map(|p| place(&date, p))
            .find(|p| *p != Placement::Outside)
            .unwrap_or(Placement::Outside);
        let slot = match (in_current, in_base) {
            (Placement::Inside, _) => 1,
            (_, Placement::Inside) => 0,
            (Placement::Imprecise, _) => {
                imprecise.push(i.id.clone());
                continue;
            }
            _ => continue,
        };
        if slot == 1 {
            current.push(i.id.clone());
        } else {
            baseline.push(i.id.clone());
        }
        let mut named: Vec<(String, &str)> = Vec::new();
        for name in i.reports.iter().flat_map(|r| {
            r.actors
                .iter()
                .map(|a| a.name.as_str())
                .chain(r.attributions.iter().map(|a| a.actor.name.as_str()))
        }) {
            let name = name.trim();
            let key = aliases.actor_key(name);
            if !key.is_empty()
                && assessor.actor_category(name) != Some("unknown")
                && !named.iter().any(|(k, _)| *k == key)
            {
                named.push((key, name));
            }
        }
        actors_of.insert(i.id.as_str(), named);
        if let Some(source) = i
            .reports
            .iter()
            .map(|r| r.contributor_name())
            .filter(|n| continuing.contains(n))
            .min()
        {
            stratum_of.insert(i.id.as_str(), source);
            let v = volume.entry(source).or_default();
            if slot == 1 {
                v.0 += 1;
            } else {
                v.1 += 1;
            }
        }
        let keys = incident_keys(assessor, i);
        let grounded = keys_of(assessor, i, Finding::grounds_inference);
        for key in keys.difference(&grounded) {
            let e = model_read.entry(key.clone()).or_default();
            if slot == 1 {
                e.0.push(i.id.clone());
            } else {
                e.1.push(i.id.clone());
            }
        }
        for key in keys {
            let e = counts.entry(key).or_default();
            if slot == 1 {
                e.0.push(i.id.clone());
            } else {
                e.1.push(i.id.clone());
            }
        }
    }
    let tests: Vec<RateTest> = counts
        .iter()
        .map(|((breakdown, label), (c, b))| {
            let (e1, e0) = exposure(breakdown, label);
            rate_ratio_test(c.len() as u64, e1, b.len() as u64, e0, o.alternative)
        })
        .collect();
    let q = benjamini_hochberg(&tests.iter().map(|t| t.p_value).collect::<Vec<_>>());
    let comparisons = tests.len();
    let uneven = uneven_sources(&volume);
    let coverage_changed = started_or_stopped || !uneven.is_empty();
    // The comparisons within the continuing sources, corrected among themselves.
    let restricted: Vec<Option<(RateTest, Option<ShareTest>, f64)>> = if coverage_changed {
        let by_source = |ids: &[String]| {
            let mut n: BTreeMap<&str, u64> = BTreeMap::new();
            for id in ids {
                if let Some(s) = stratum_of.get(id.as_str()) {
                    *n.entry(s).or_default() += 1;
                }
            }
            n
        };
        let checks: Vec<(RateTest, Option<ShareTest>)> = counts
            .iter()
            .map(|((breakdown, label), (c, b))| {
                let (k1, k0) = (by_source(c), by_source(b));
                let (e1, e0) = exposure(breakdown, label);
                let test =
                    rate_ratio_test(k1.values().sum(), e1, k0.values().sum(), e0, o.alternative);
                let share = (breakdown != "all").then(|| {
                    let strata = volume
                        .iter()
                        .filter(|(_, (n1, n0))| *n1 > 0 && *n0 > 0)
                        .map(|(s, (n1, n0))| Stratum {
                            source: s.to_string(),
                            k1: k1.get(s).copied().unwrap_or(0),
                            k0: k0.get(s).copied().unwrap_or(0),
                            n1: *n1,
                            n0: *n0,
                        })
                        .collect();
                    weighted_share_test(strata, current_weight(breakdown, label), o.alternative)
                });
                (test, share)
            })
            .collect();
        let p: Vec<f64> = checks
            .iter()
            .map(|(t, s)| s.as_ref().map_or(t.p_value, |s| s.p_value))
            .collect();
        let q = benjamini_hochberg(&p);
        checks
            .into_iter()
            .zip(q)
            .map(|((t, s), q)| Some((t, s, q)))
            .collect()
    } else {
        vec![None; counts.len()]
    };
    let mut cells: Vec<Cell> = counts
        .into_iter()
        .zip(tests)
        .zip(q)
        .zip(restricted)
        .map(
            |(((((breakdown, label), (cur, base)), test), q_value), restricted)| {
                let clear = |t: &RateTest, q: f64| {
                    q <= o.fdr
                        && (o.alternative == Alternative::Increase
                            || t.rate_ratio.is_none_or(|r| r != 1.0))
                };
                let continuing = restricted.map(|(t, share, q)| ContinuingCheck {
                    holds: match &share {
                        Some(s) => {
                            q <= o.fdr
                                && s.k1 as f64 != s.expected
                                && (s.k1 as f64 > s.expected) == rises(&test)
                        }
                        None => clear(&t, q) && rises(&t) == rises(&test),
                    },
                    test: t,
                    share,
                    q_value: q,
                });
                let clear_overall = clear(&test, q_value) && test.k1 >= o.min_count;
                let flagged = clear_overall && continuing.as_ref().is_none_or(|c| c.holds);
                let name = cell_name(assessor, &breakdown, &label);
                let mut sentence = sentence(
                    &name,
                    &test,
                    q_value,
                    clear_overall,
                    comparisons,
                    o,
                    &base_periods,
                );
                if let (true, Some(c)) = (clear_overall, &continuing) {
                    sentence = with_continuing(sentence, c, &base_periods);
                }
                if attribution_fall(&breakdown, &label, &test, flagged) {
                    sentence = format!(
                        "{}; attribution is often made public long after an operation, so part of this fall may be incidents not yet attributed.",
                        sentence.trim_end_matches('.')
                    );
                }
                if let (Some(l), true) = (&lag, attributed(&breakdown, &label)) {
                    sentence = format!(
                        "{sentence} The test allows for attribution lag: by {} an estimated {} of the attributions this period's operations will get were public, against {} of the baseline's.",
                        l.as_of,
                        percent(l.current),
                        percent(l.baseline)
                    );
                }
                let concentration = flagged
                    .then(|| {
                        let (e1, e0) = exposure(&breakdown, &label);
                        concentrated(&actors_of, &cur, &base, rises(&test), e1, e0, o.alternative)
                    })
                    .flatten();
                if let Some(c) = &concentration {
                    sentence = with_concentration(sentence, c, &test, &o.period, &base_periods);
                }
                let (model_read, model_read_baseline) = model_read
                    .remove(&(breakdown.clone(), label.clone()))
                    .unwrap_or_default();
                // A fifth or more of a clear change resting on the model's reading is said.
                let (m1, m0) = (model_read.len() as u64, model_read_baseline.len() as u64);
                let on_rules_and_codings = (clear_overall && m1 * 5 >= test.k1 && m1 > 0).then(|| {
                    let (e1, e0) = exposure(&breakdown, &label);
                    rate_ratio_test(test.k1 - m1, e1, test.k0 - m0, e0, o.alternative)
                });
                if let Some(decided) = &on_rules_and_codings {
                    sentence = format!(
                        "{sentence} {m1} of its {} incidents in {} {} in it on the text model's reading alone, with no rule or coding that decides ({m0} of {} in {}); on the rules and codings alone, {} vs {} ({}).",
                        test.k1,
                        o.period,
                        agree(m1 as usize, "is", "are"),
                        test.k0,
                        baseline_name(&base_periods),
                        decided.k1,
                        decided.k0,
                        uncorrected(decided)
                    );
                }
                Cell {
                    breakdown,
                    label,
                    name,
                    current: cur,
                    baseline: base,
                    test,
                    q_value,
                    flagged,
                    continuing,
                    model_read,
                    model_read_baseline,
                    on_rules_and_codings,
                    concentration,
                    sentence,
                }
            },
        )
        .collect();
    cells.sort_by(|a, b| {
        b.flagged
            .cmp(&a.flagged)
            .then(a.q_value.total_cmp(&b.q_value))
            .then(b.test.k1.cmp(&a.test.k1))
    });

    let coverage = frame.coverage.clone();
    let mut caveats = vec![
        "Ingestion date (when the observatory received a report) is not available to the trend analysis; it uses the occurrence or report date only.".to_string(),
        "Trackers record what becomes public and what their compilers notice: counts measure reporting, not the true number of operations (sampling bias towards well-covered countries, languages and sectors).".to_string(),
    ];
    if let Some(as_of) = as_of {
        if o.date_basis == DateBasis::Occurred && as_of - o.period.end < 365 {
            caveats.push(format!(
                "Reporting lag: the period ends {} days before the latest date in the data ({}); incidents are often disclosed months after they occur, so the current period is likely undercounted relative to the baseline.",
                (as_of - o.period.end).max(0),
                crate::period::format_day(as_of)
            ));
        }
    }
    let (n1_all, n0_all) = totals(&volume);
    for (source, (n1, n0)) in &uneven {
        let kind = coverage
            .iter()
            .find(|c| c.source == *source)
            .map_or("", |c| c.contributor_type.as_str());
        let ratio = |a: u64, b: u64| {
            if b == 0 {
                "no baseline incidents".to_string()
            } else {
                format!("ratio {}", num(a as f64 / b as f64))
            }
        };
        caveats.push(format!(
            "Coverage change: {source} ({kind}) reported {} dated in the current period against {n0} in the baseline ({}), unlike the sources reporting in both periods together ({n1_all} vs {n0_all}, {}); a change is called a trend only if the share of each source's reporting changed too.",
            count(*n1 as usize, "incident"),
            ratio(*n1, *n0),
            ratio(n1_all, n0_all),
        ));
    }
    if let Some(l) = lag
        .as_ref()
        .filter(|_| cells.iter().any(|c| attributed(&c.breakdown, &c.label)))
    {
        caveats.push(format!(
            "Attribution lag: States and companies often name the author of an operation months or years after it. Measured on {} {} whose sources date a claim naming a State or State-affiliated actor{}, an estimated {} of the attributions naming such an actor that the current period's operations will get were public by {}, and {} of the baseline's; incidents by State and State-affiliated actors, and the norm and agenda links that require one, are counted against those shares. The estimate assumes lags have not changed over the years and that the dated claims are like the undated ones.",
            l.samples,
            agree(l.samples, "incident", "incidents"),
            match l.half_within_days {
                Some(d) => format!(" (half of them named within {} of the operation)", count(d as usize, "day")),
                None => String::new(),
            },
            percent(l.current),
            l.as_of,
            percent(l.baseline)
        ));
    }
    if cells
        .iter()
        .any(|c| attribution_fall(&c.breakdown, &c.label, &c.test, c.flagged))
    {
        caveats.push("Attribution lag: States and companies often attribute an operation publicly months or years after it; incidents of a recent period are less often attributed yet, so falls in incidents by State or State-affiliated actors may partly reflect attributions still to come.".to_string());
    }
    for c in &coverage {
        if c.current_reports == 0 && c.baseline_reports > 0 {
            caveats.push(format!("Coverage change: {} ({}) has {} reports dated in the baseline but none in the current period; falls may reflect its coverage ending (its data runs {} to {}).", c.source, c.contributor_type, c.baseline_reports, c.first.as_deref().unwrap_or("?"), c.last.as_deref().unwrap_or("?")));
        } else if c.baseline_reports == 0 && c.current_reports > 0 {
            caveats.push(format!("Coverage change: {} ({}) has {} reports dated in the current period but none in the baseline; rises may reflect its coverage starting (its data runs {} to {}).", c.source, c.contributor_type, c.current_reports, c.first.as_deref().unwrap_or("?"), c.last.as_deref().unwrap_or("?")));
        }
    }
    if !imprecise.is_empty() {
        caveats.push(format!(
            "{} too coarsely dated (e.g. only to the year) to place in {}: left out of its counts.",
            count(imprecise.len(), "incident"),
            o.period
        ));
    }
    if !undated.is_empty() {
        caveats.push(format!(
            "{} without {}: left out.",
            count(undated.len(), "incident"),
            match o.date_basis {
                DateBasis::Occurred => "occurrence date",
                DateBasis::Reported => "report date",
            }
        ));
    }
    TrendAnalysis {
        period: o.period.clone(),
        baseline_periods: base_periods,
        baseline: o.baseline,
        date_basis: o.date_basis,
        current,
        baseline_incidents: baseline,
        imprecise,
        undated,
        cells,
        comparisons,
        fdr: o.fdr,
        min_count: o.min_count,
        coverage,
        caveats,
        attribution_lag: lag,
    }
}

/// A share as a sentence gives it: "62%".
fn percent(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

/// Formats a number with two significant figures for a sentence.
pub fn num(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// An adjusted p-value as a sentence gives it: "< 0.001" or "= 0.013".
fn q_text(q: f64) -> String {
    if q < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("= {q:.3}")
    }
}

/// The continuing sources' counted incidents together, in the current period and the baseline.
fn totals(volume: &BTreeMap<&str, (u64, u64)>) -> (u64, u64) {
    volume
        .values()
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

/// Whether a test shows a rise (or an appearance) rather than a fall.
fn rises(t: &RateTest) -> bool {
    t.rate_ratio.is_none_or(|r| r > 1.0)
}

/// The actor named in more than [`CONCENTRATED`] of a cell's incidents of the period that carries
/// its change (the current period's when it rises, the baseline's when it falls), and the test of
/// the cell's other incidents; `None` when no actor is.
fn concentrated(
    actors_of: &HashMap<&str, Vec<(String, &str)>>,
    current: &[String],
    baseline: &[String],
    rise: bool,
    e1: f64,
    e0: f64,
    alternative: Alternative,
) -> Option<Concentration> {
    let carrying = if rise { current } else { baseline };
    // Per actor key: incidents naming it, and how often each spelling is used.
    let mut by_key: BTreeMap<&str, (u64, BTreeMap<&str, u64>)> = BTreeMap::new();
    for id in carrying {
        for (key, name) in actors_of.get(id.as_str()).into_iter().flatten() {
            let e = by_key.entry(key.as_str()).or_default();
            e.0 += 1;
            *e.1.entry(name).or_default() += 1;
        }
    }
    let (key, (n, spellings)) = by_key.into_iter().max_by(|a, b| {
        // The most incidents, then the smallest key (deterministic).
        a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0))
    })?;
    if (n as f64) <= CONCENTRATED * carrying.len() as f64 {
        return None;
    }
    let names = |ids: &[String]| {
        ids.iter()
            .filter(|id| {
                actors_of
                    .get(id.as_str())
                    .is_some_and(|v| v.iter().any(|(k, _)| k == key))
            })
            .count() as u64
    };
    let (k1, k0) = (names(current), names(baseline));
    let actor = spellings
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(name, _)| name.to_string())?;
    Some(Concentration {
        actor,
        k1,
        k0,
        rest: rate_ratio_test(
            current.len() as u64 - k1,
            e1,
            baseline.len() as u64 - k0,
            e0,
            alternative,
        ),
    })
}

/// `sentence` with who is named in most of the incidents that carry the change, and the change
/// without them.
fn with_concentration(
    sentence: String,
    c: &Concentration,
    test: &RateTest,
    period: &Period,
    base: &[Period],
) -> String {
    let base_name = baseline_name(base);
    let share = |k: u64, of: u64, when: &str| match of {
        0 => format!("none in {when}"),
        _ => format!("{k} of {of} in {when}"),
    };
    let (now, then) = (
        share(c.k1, test.k1, &period.to_string()),
        share(c.k0, test.k0, &base_name),
    );
    let (first, other) = if rises(test) {
        (now, then)
    } else {
        (then, now)
    };
    format!(
        "{sentence} Most of it is one actor's: {} is named in {first} (and {other}); without them, {} vs {} ({}).",
        c.actor,
        c.rest.k1,
        c.rest.k0,
        uncorrected(&c.rest)
    )
}

/// The baseline as a sentence names it: its one period ("2022"), or "the baseline" for several.
fn baseline_name(base: &[Period]) -> String {
    match base {
        [one] => one.to_string(),
        _ => "the baseline".to_string(),
    }
}

/// A test of part of a cell as a sentence gives it: its rate ratio and its exact p-value, which
/// the false-discovery-rate correction across cells does not cover.
fn uncorrected(t: &RateTest) -> String {
    format!(
        "{}; exact test, not corrected for the other comparisons, p = {}",
        match t.rate_ratio {
            Some(r) => format!("rate ratio {}", num(r)),
            None => "no baseline incidents".to_string(),
        },
        match t.p_value {
            p if p < 0.001 => format!("{p:.1e}"),
            p if p < 0.01 => format!("{p:.3}"),
            p => format!("{p:.2}"),
        }
    )
}

/// The continuing sources whose volume changed unlike all of them together (a tracker thinning
/// or growing its coverage), with their counted incidents in each period: a ratio of current to
/// baseline incidents more than [`UNEVEN_RATIO`] times off the pooled one, and clearly so (the
/// exact test of its current count against the pooled ratio below [`UNEVEN_P`]). Comparing each
/// with the pool rather than with the others leaves a large steady source unflagged beside a small
/// one that thinned. One source alone is never uneven.
fn uneven_sources<'a>(volume: &BTreeMap<&'a str, (u64, u64)>) -> Vec<(&'a str, (u64, u64))> {
    let (n1, n0) = totals(volume);
    if volume.len() < 2 || n1 == 0 || n0 == 0 {
        return Vec::new();
    }
    let pooled = n1 as f64 / n0 as f64;
    let p = n1 as f64 / (n1 + n0) as f64;
    volume
        .iter()
        .filter(|(_, (a, b))| {
            let off = if *b == 0 {
                f64::INFINITY
            } else {
                (*a as f64 / *b as f64) / pooled
            };
            (!(1.0 / UNEVEN_RATIO..=UNEVEN_RATIO).contains(&off))
                && binom_test(*a, a + b, p, Alternative::TwoSided) < UNEVEN_P
        })
        .map(|(s, v)| (*s, *v))
        .collect()
}

/// A clear change's sentence, with what the sources that report in both periods show: it holds
/// within them, or it may be the coverage change.
fn with_continuing(sentence: String, c: &ContinuingCheck, base: &[Period]) -> String {
    let (k1, k0) = match &c.share {
        Some(s) => (s.k1, s.k0),
        None => (c.test.k1, c.test.k0),
    };
    let base_count = format!("{k0} in {}", baseline_name(base));
    let q = format!("q {}", q_text(c.q_value));
    let (among, figures) = match &c.share {
        Some(s) => (
            "within the sources that report in both periods, as a share of what each reports",
            format!(
                "{} vs {base_count}, {} expected from each source's volume, share ratio {}, {q}",
                count(k1 as usize, "incident"),
                num(s.expected),
                s.share_ratio.map_or("unbounded".to_string(), num),
            ),
        ),
        None => (
            "among the sources that report in both periods",
            format!(
                "{} vs {base_count}, {}, {q}",
                count(k1 as usize, "incident"),
                match c.test.rate_ratio {
                    Some(r) => format!("rate ratio {}", num(r)),
                    None => "no baseline incidents".to_string(),
                }
            ),
        ),
    };
    let body = sentence.trim_end_matches('.');
    if c.holds {
        format!("{body}; it holds {among} ({figures}).")
    } else {
        format!(
            "{body}; but {among}, it is not clear ({figures}): it may reflect a source's coverage starting, ending or thinning rather than a trend, and is not counted as one."
        )
    }
}

fn sentence(
    name: &str,
    t: &RateTest,
    q: f64,
    flagged: bool,
    comparisons: usize,
    o: &TrendOptions,
    base: &[Period],
) -> String {
    let direction = match t.rate_ratio {
        None if t.k1 > 0 => "appeared".to_string(),
        None => "stayed absent".to_string(),
        Some(r) if (1.9..2.1).contains(&r) => "doubled".to_string(),
        Some(r) if r > 1.05 => "rose".to_string(),
        Some(r) if r < 0.95 => "fell".to_string(),
        Some(_) => "held steady".to_string(),
    };
    let base_desc = if base.len() == 1 {
        format!("{}", base[0])
    } else {
        format!(
            "{} over {} periods {}-{}",
            t.k0,
            base.len(),
            base[0],
            base[base.len() - 1]
        )
    };
    let counts = if base.len() == 1 {
        format!(
            "{} vs {} in {}",
            count(t.k1 as usize, "incident"),
            t.k0,
            base_desc
        )
    } else {
        format!("{} vs {}", count(t.k1 as usize, "incident"), base_desc)
    };
    let ratio = match t.rate_ratio {
        Some(r) => format!(
            "rate ratio {}, 95% CI {}-{}",
            num(r),
            num(t.ci_low),
            t.ci_high.map(num).unwrap_or_else(|| "unbounded".into())
        ),
        None => format!(
            "no baseline incidents; rate ratio at least {}",
            num(t.ci_low)
        ),
    };
    let verdict = if flagged {
        format!(
            "the change is statistically clear after correcting for {comparisons} comparisons (exact test p = {:.1e}, FDR-adjusted q {})",
            t.p_value,
            q_text(q)
        )
    } else if t.k1 < o.min_count && q <= o.fdr {
        format!(
            "the change passes the test (q = {q:.3}) but rests on fewer than {} incidents, too few to call a trend",
            o.min_count
        )
    } else {
        format!(
            "the change is not statistically clear after correcting for {comparisons} comparisons (q = {q:.2})"
        )
    };
    format!("{name} {direction} ({counts}, {ratio}); {verdict}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatscape_model::{
        Contributor, ContributorType, DateSpan, Provenance, Reliability, Victim,
    };

    pub(crate) fn report(id: &str, date: &str, kind: &str, sector: &str, tlp: Tlp) -> Report {
        Report {
            provenance: Provenance {
                format: "native".into(),
                file: "t.csv".into(),
                locator: "line 1".into(),
            },
            contributor: Contributor {
                name: "Test tracker".into(),
                type_: ContributorType::Academia,
                reliability: Reliability::B,
            },
            source_id: Some(id.into()),
            title: format!("{kind} attack on {sector}"),
            description: Some(format!("A {kind} attack hit a {sector} organisation.")),
            urls: vec![],
            occurred: Some(DateSpan {
                start: FuzzyDate::parse_iso(date).unwrap(),
                end: None,
            }),
            disclosed: None,
            reported: None,
            victims: vec![Victim {
                name: None,
                country: Some("UKR".into()),
                country_as_given: None,
                sectors: vec![],
            }],
            actors: vec![],
            attributions: vec![],
            kinds: vec![],
            tags: vec![],
            tlp,
            credibility: None,
            original: id.into(),
        }
    }

    #[test]
    fn counts_read_as_english() {
        assert_eq!(count(1, "incident"), "1 incident");
        assert_eq!(count(0, "report"), "0 reports");
        assert_eq!(count(12, "incident"), "12 incidents");
        assert_eq!(agree(1, "is", "are"), "is");
        assert_eq!(agree(2, "is", "are"), "are");
        assert_eq!(
            in_sentence("ICT and digital infrastructure"),
            "ICT and digital infrastructure"
        );
        assert_eq!(in_sentence("Industry and OT"), "industry and OT");
        assert_eq!(in_sentence("State-affiliated"), "state-affiliated");
    }

    #[test]
    fn counts_split_by_period_and_flag_a_clear_rise() {
        let mut reports = Vec::new();
        for n in 0..30 {
            reports.push(report(
                &format!("c{n}"),
                "2023-05-10",
                "ransomware",
                "hospital",
                Tlp::Clear,
            ));
        }
        for n in 0..3 {
            reports.push(report(
                &format!("b{n}"),
                "2023-02-10",
                "ransomware",
                "hospital",
                Tlp::Clear,
            ));
        }
        reports.push(report("y", "2023", "ransomware", "hospital", Tlp::Clear));
        reports.push(report(
            "secret",
            "2023-05-11",
            "ransomware",
            "hospital",
            Tlp::Amber,
        ));
        let clusters: Vec<Vec<usize>> = (0..reports.len()).map(|i| vec![i]).collect();
        let a = Assessor::builtin();
        let rel = release(&reports, &clusters, Tlp::Green, a);
        assert_eq!(rel.withheld_reports, 1);
        assert_eq!(rel.incidents.len(), 34);
        let o = TrendOptions::new("2023-Q2".parse().unwrap(), Baseline::Previous);
        let t = analyse(a, &rel.incidents, &o);
        assert_eq!(t.current.len(), 30);
        assert_eq!(t.baseline_incidents.len(), 3);
        assert_eq!(t.imprecise.len(), 1);
        let all = t.cell("all", "all").unwrap();
        assert!(all.flagged, "{}", all.sentence);
        assert!(
            all.sentence.contains("30 incidents vs 3 in"),
            "{}",
            all.sentence
        );
        let r = t
            .cell("threat", "ransomware")
            .expect("ransomware is classified");
        assert_eq!(r.current.len(), 30);
        assert!(t.caveats.iter().any(|c| c.contains("Reporting lag")));
        // One source throughout: no coverage check.
        assert!(all.continuing.is_none());
    }

    /// A fall that is only one tracker's coverage ending is not called a trend; one that the
    /// sources reporting in both periods also show, as a share of what they report, is, and says
    /// so.
    #[test]
    fn a_fall_that_is_only_a_source_ending_is_not_a_trend() {
        let reports = [
            // The continuing tracker: 40 ransomware incidents in each quarter, and wipers falling
            // from 60 to 6.
            many("Steady", 40, "2023-02-10", "ransomware"),
            many("Steady", 40, "2023-05-10", "ransomware"),
            many("Steady", 60, "2023-02-11", "wiper"),
            many("Steady", 6, "2023-05-11", "wiper"),
            // The tracker whose coverage ends with the baseline: 40 ransomware incidents.
            many("Ended", 40, "2023-03-01", "ransomware"),
        ]
        .concat();
        let t = quarters(&reports);
        assert!(t
            .caveats
            .iter()
            .any(|c| c.contains("Coverage change: Ended")));
        let ransomware = t.cell("threat", "ransomware").unwrap();
        assert_eq!((ransomware.test.k1, ransomware.test.k0), (40, 80));
        assert!(ransomware.q_value <= 0.05, "clear over all sources");
        let check = ransomware.continuing.as_ref().expect("a source ended");
        assert_eq!((check.test.k1, check.test.k0), (40, 40));
        let share = check.share.as_ref().expect("a cell other than all");
        assert_eq!(share.strata.len(), 1);
        assert!(share.k1 as f64 > share.expected, "its share rose");
        assert!(
            !check.holds && !ransomware.flagged,
            "{}",
            ransomware.sentence
        );
        assert!(
            ransomware
                .sentence
                .contains("may reflect a source's coverage"),
            "{}",
            ransomware.sentence
        );
        let wiper = t.cell("threat", "wiper").unwrap();
        let check = wiper.continuing.as_ref().unwrap();
        assert_eq!((check.test.k1, check.test.k0), (6, 60));
        assert!(check.holds && wiper.flagged, "{}", wiper.sentence);
        assert!(
            wiper.sentence.contains(
                "it holds within the sources that report in both periods, as a share of what each reports"
            ),
            "{}",
            wiper.sentence
        );
        // All incidents are each source's whole reporting, which has no share to compare: their
        // check is the continuing sources' count.
        let all = t.cell("all", "all").unwrap();
        assert!(all.continuing.as_ref().unwrap().share.is_none());
    }

    /// A tracker that reports a tenth of what it did, beside a steady one, makes no trend of
    /// what it alone reports, and the briefing says its coverage thinned.
    #[test]
    fn a_fall_that_is_only_a_source_thinning_is_not_a_trend() {
        let reports = [
            many("Big", 400, "2023-02-10", "ransomware"),
            many("Big", 400, "2023-05-10", "ransomware"),
            many("Thin", 60, "2023-02-11", "wiper"),
            many("Thin", 20, "2023-02-12", "ransomware"),
            many("Thin", 6, "2023-05-11", "wiper"),
            many("Thin", 2, "2023-05-12", "ransomware"),
        ]
        .concat();
        let t = quarters(&reports);
        let thinned: Vec<&String> = t
            .caveats
            .iter()
            .filter(|c| c.starts_with("Coverage change:"))
            .collect();
        assert_eq!(thinned.len(), 1, "{thinned:?}");
        assert!(
            thinned[0].contains(
                "Thin (academia) reported 8 incidents dated in the current period against 80"
            ),
            "{}",
            thinned[0]
        );
        let wiper = t.cell("threat", "wiper").unwrap();
        assert_eq!((wiper.test.k1, wiper.test.k0), (6, 60));
        assert!(wiper.q_value <= 0.05, "clear over all sources");
        let share = wiper.continuing.as_ref().unwrap().share.as_ref().unwrap();
        assert!((share.expected - 6.0).abs() < 1e-9, "{}", share.expected);
        assert!(!wiper.flagged, "{}", wiper.sentence);
        assert!(wiper.sentence.contains("thinning"), "{}", wiper.sentence);
    }

    /// A rise that one actor's campaign carries says so, with the change without it; names of
    /// one actor count as one (Cl0p, Clop), and "Undetermined" names no one.
    #[test]
    fn a_rise_carried_by_one_actor_says_so() {
        let named = |n: usize, date: &str, name: &str| -> Vec<Report> {
            many("Tracker", n, date, "ransomware")
                .into_iter()
                .enumerate()
                .map(|(i, mut r)| {
                    r.source_id = Some(format!("{name}-{date}-{i}"));
                    r.original = format!("{name}-{date}-{i}");
                    r.actors = vec![threatscape_model::Actor {
                        name: name.into(),
                        aliases: vec![],
                        country: None,
                        category: None,
                    }];
                    r
                })
                .collect()
        };
        let ransomware = |reports: Vec<Vec<Report>>| {
            quarters(&reports.concat())
                .cell("threat", "ransomware")
                .unwrap()
                .clone()
        };
        let cell = ransomware(vec![
            named(20, "2023-05-10", "Cl0p"),
            named(12, "2023-05-11", "Clop"),
            named(8, "2023-05-12", "Undetermined"),
            named(2, "2023-02-10", "Clop"),
            named(8, "2023-02-11", "LockBit"),
        ]);
        assert_eq!((cell.test.k1, cell.test.k0), (40, 10));
        assert!(cell.flagged, "{}", cell.sentence);
        let c = cell.concentration.as_ref().expect("one actor carries it");
        assert_eq!((c.actor.as_str(), c.k1, c.k0), ("Cl0p", 32, 2));
        assert_eq!((c.rest.k1, c.rest.k0), (8, 8));
        assert!(
            cell.sentence.contains(
                "Most of it is one actor's: Cl0p is named in 32 of 40 in 2023-Q2 (and 2 of 10 in 2023-Q1); without them, 8 vs 8 (rate ratio 0.99; exact test, not corrected for the other comparisons, p = 1.00)."
            ),
            "{}",
            cell.sentence
        );
        // Spread over actors, or named by no one most of the time: nothing to say.
        let cell = ransomware(vec![
            named(20, "2023-05-10", "Cl0p"),
            named(20, "2023-05-11", "Undetermined"),
            named(10, "2023-02-10", "LockBit"),
        ]);
        assert!(
            cell.flagged && cell.concentration.is_none(),
            "{}",
            cell.sentence
        );
    }

    /// A change whose incidents are in its cell mostly on the text model's reading says how
    /// many, in both periods; a rule's or a coding's reading is no such incident.
    #[test]
    fn a_change_the_text_model_alone_reads_says_so() {
        let reports = [
            many("Tracker", 40, "2023-05-10", "ransomware"),
            many("Tracker", 10, "2023-02-10", "ransomware"),
        ]
        .concat();
        let clusters: Vec<Vec<usize>> = (0..reports.len()).map(|i| vec![i]).collect();
        let a = Assessor::builtin();
        let mut rel = release(&reports, &clusters, Tlp::Green, a);
        // Half the current incidents and one of the baseline's get a sector the model alone
        // gives; one more current incident gets it from a rule as well.
        let judgment = |rule: &str| threatscape_assess::Judgment {
            dimension: Dimension::Sector,
            label: "defence".into(),
            confidence: 0.9,
            rule_id: rule.into(),
            evidence: vec!["p=0.90; top terms: \"systems\" (+0.40)".into()],
            made_by: "text-lr/test".into(),
            report: None,
        };
        let (mut current, mut baseline) = (0, 0);
        for i in &mut rel.incidents {
            let now = i.reports[0]
                .source_id
                .as_deref()
                .unwrap()
                .contains("2023-05");
            let judgments = match (now, current, baseline) {
                (true, 0..20, _) => vec![judgment("model:text-lr/test")],
                (true, 20, _) => vec![
                    judgment("model:text-lr/test"),
                    judgment("rule:sector.defence"),
                ],
                (false, _, 0) => vec![judgment("model:text-lr/test")],
                _ => vec![],
            };
            if judgments.is_empty() {
                continue;
            }
            if now {
                current += 1;
            } else {
                baseline += 1;
            }
            i.assessment.findings.push(Finding {
                dimension: Dimension::Sector,
                label: "defence".into(),
                confidence: 0.9,
                judgments,
                decision: None,
            });
        }
        let o = TrendOptions::new("2023-Q2".parse().unwrap(), Baseline::Previous);
        let t = analyse(a, &rel.incidents, &o);
        let cell = t.cell("sector", "defence").unwrap();
        assert_eq!((cell.test.k1, cell.test.k0), (21, 1));
        assert_eq!(
            (cell.model_read.len(), cell.model_read_baseline.len()),
            (20, 1)
        );
        assert!(
            cell.sentence.contains(
                "20 of its 21 incidents in 2023-Q2 are in it on the text model's reading alone, with no rule or coding that decides (1 of 1 in 2023-Q1); on the rules and codings alone, 1 vs 0 (no baseline incidents; exact test, not corrected for the other comparisons, p = "
            ),
            "{}",
            cell.sentence
        );
        // Threat-against-sector cells rest on the model's sector too; the rule-read ransomware
        // cell does not.
        assert_eq!(
            t.cell("threat-sector", "ransomware|defence")
                .unwrap()
                .model_read
                .len(),
            20
        );
        assert!(t
            .cell("threat", "ransomware")
            .unwrap()
            .model_read
            .is_empty());
    }

    /// A State-attributed incident dated `day`, its attribution claim dated `lag` days later
    /// (or undated).
    fn attributed(day: Day, lag: Option<i64>) -> Report {
        let date = |d: Day| FuzzyDate::parse_iso(&crate::period::format_day(d)).unwrap();
        let mut r = report(
            &format!("state-{day}-{lag:?}"),
            &crate::period::format_day(day),
            "espionage",
            "government",
            Tlp::Clear,
        );
        r.attributions = vec![threatscape_model::Attribution {
            actor: threatscape_model::Actor {
                name: "A State's intelligence service".into(),
                aliases: vec![],
                country: None,
                category: Some("State".into()),
            },
            attributed_by: None,
            attributor_kind: threatscape_model::AttributorKind::State,
            basis: None,
            date: lag.map(|l| date(day + l)),
            confidence: None,
            state_responsibility: None,
        }];
        r
    }

    /// Incidents by State actors halving from 2022 to 2023 while only a quarter of 2023's
    /// eventual attributions, and three quarters of 2022's, can be public yet: counted against
    /// those shares, no fall. Without dated claims to measure the lag by, the fall is a trend
    /// with a warning.
    #[test]
    fn a_fall_that_attribution_lag_explains_is_not_a_trend() {
        use crate::period::day_number;
        let scenario = |dated: bool| {
            let claim = |l: i64| dated.then_some(l);
            // Six years of history, each operation named within 0 to 730 days.
            let start = day_number(2016, 1, 1);
            let mut reports: Vec<Report> = (0..600)
                .map(|i| attributed(start + i * 3, claim(i * 7 % 731)))
                .collect();
            // 60 in 2022 and 30 in 2023, each named at once (claims after the data's end do not
            // exist yet), and one incident on the data's last day.
            reports.extend((0..60).map(|i| attributed(day_number(2022, 1, 3) + i * 6, claim(0))));
            reports.extend((0..30).map(|i| attributed(day_number(2023, 1, 3) + i * 12, claim(0))));
            reports.push(report("last", "2023-12-31", "ddos", "bank", Tlp::Clear));
            let clusters: Vec<Vec<usize>> = (0..reports.len()).map(|i| vec![i]).collect();
            let a = Assessor::builtin();
            let rel = release(&reports, &clusters, Tlp::Green, a);
            let o = TrendOptions::new("2023".parse().unwrap(), Baseline::Previous);
            analyse(a, &rel.incidents, &o)
        };
        let t = scenario(true);
        let lag = t.attribution_lag.as_ref().expect("the claims are dated");
        assert_eq!(lag.as_of, "2023-12-31");
        assert!((0.2..0.45).contains(&lag.current), "{lag:?}");
        assert!((0.65..0.85).contains(&lag.baseline), "{lag:?}");
        let state = t.cell("actor", "state").expect("State actors are read");
        assert_eq!((state.test.k1, state.test.k0), (30, 60));
        let ratio = state.test.rate_ratio.unwrap();
        assert!(
            ratio > 1.0,
            "counted against the shares public, no fall: {ratio}"
        );
        assert!(!state.flagged, "{}", state.sentence);
        assert!(
            state
                .sentence
                .contains("The test allows for attribution lag: by 2023-12-31"),
            "{}",
            state.sentence
        );
        assert!(
            t.caveats
                .iter()
                .any(|c| c.starts_with("Attribution lag: ")
                    && c.contains("half of them named within"))
        );
        // Other cells are counted over days alone.
        let all = t.cell("all", "all").unwrap();
        assert_eq!(all.test.t1, all.test.t0);

        let t = scenario(false);
        assert!(t.attribution_lag.is_none());
        let state = t.cell("actor", "state").unwrap();
        assert!(state.flagged, "{}", state.sentence);
        assert!(
            state
                .sentence
                .contains("part of this fall may be incidents not yet attributed"),
            "{}",
            state.sentence
        );
    }

    /// `n` reports of one kind against a hospital from `source`, dated `date`, each its own
    /// incident.
    fn many(source: &str, n: usize, date: &str, kind: &str) -> Vec<Report> {
        (0..n)
            .map(|i| {
                let mut r = report(
                    &format!("{source}-{date}-{kind}-{i}"),
                    date,
                    kind,
                    "hospital",
                    Tlp::Clear,
                );
                r.contributor.name = source.into();
                r
            })
            .collect()
    }

    /// The analysis of 2023-Q2 against 2023-Q1 over one incident per report.
    fn quarters(reports: &[Report]) -> TrendAnalysis {
        let clusters: Vec<Vec<usize>> = (0..reports.len()).map(|i| vec![i]).collect();
        let a = Assessor::builtin();
        let rel = release(reports, &clusters, Tlp::Green, a);
        let o = TrendOptions::new("2023-Q2".parse().unwrap(), Baseline::Previous);
        analyse(a, &rel.incidents, &o)
    }
}
