//! The briefing: what the Council's periodic landscape briefing says, as data. Every figure keeps
//! the ids of the incidents behind it and the keys of their reports, so each number can be
//! traced and recomputed; renderers only lay it out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use threatscape_assess::{Assessor, Dimension};
use threatscape_model::Tlp;

use crate::capacity::CapacityTable;
use crate::period::{civil, day_number, Period};
use crate::stats::Alternative;
use crate::trends::{
    agree, analyse_framed, count, label_name, state_name, Cell, Frame, Incident, SourceCoverage,
    TrendAnalysis, TrendOptions,
};
use crate::BriefError;

/// Who the briefing is for, which decides the most restricted material it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Anyone: TLP:CLEAR only.
    Public,
    /// Council members and the Secretariat: up to TLP:GREEN.
    Council,
    /// Named recipients' organisations: up to TLP:AMBER.
    Restricted,
}

impl Audience {
    /// The most restricted TLP level the audience may receive.
    pub fn max_tlp(self) -> Tlp {
        match self {
            Audience::Public => Tlp::Clear,
            Audience::Council => Tlp::Green,
            Audience::Restricted => Tlp::Amber,
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Audience::Public => "public",
            Audience::Council => "council",
            Audience::Restricted => "restricted",
        })
    }
}

impl FromStr for Audience {
    type Err = BriefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Ok(Audience::Public),
            "council" => Ok(Audience::Council),
            "restricted" => Ok(Audience::Restricted),
            _ => Err(BriefError::Audience(s.to_string())),
        }
    }
}

/// One number stated in the briefing, with what it rests on.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// A stable id within the briefing (`summary.all`, `ci.health`).
    pub id: String,
    /// The statement, numbers included.
    pub text: String,
    /// The headline count (incidents in the current period).
    pub count: u64,
    /// The incidents counted in the current period.
    pub incidents: Vec<String>,
    /// The incidents of the baseline the statement compares with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline_incidents: Vec<String>,
    /// The keys of the reports of all those incidents.
    pub reports: Vec<String>,
}

/// A bar of a chart: a label counted in both periods.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Bar {
    /// What is counted.
    pub label: String,
    /// Incidents in the current period.
    pub current: u64,
    /// Incidents in the baseline (all baseline periods pooled).
    pub baseline: u64,
}

/// A section of the briefing.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// A stable id (`emerging`, `conflict`, `critical-infrastructure`...).
    pub id: String,
    /// The heading.
    pub title: String,
    /// False when the data behind the section does not exist yet; `note` says why.
    pub available: bool,
    /// A note for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The statements.
    pub figures: Vec<Figure>,
    /// A bar chart, current against baseline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chart: Vec<Bar>,
}

/// One incident cited, with its references.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AnnexEntry {
    /// The incident id.
    pub id: String,
    /// A title (the first report's).
    pub title: String,
    /// Its date on the briefing's basis.
    pub date: Option<String>,
    /// Its reports' keys.
    pub reports: Vec<String>,
    /// Its sources (contributor names).
    pub sources: Vec<String>,
    /// Its highest TLP level among released reports.
    pub tlp: Tlp,
    /// Its threat kinds and sectors (labels that count).
    pub labels: Vec<String>,
    /// References given by the sources.
    pub urls: Vec<String>,
}

/// Incidents of one calendar month, for the time-series chart.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MonthBin {
    /// `YYYY-MM`.
    pub month: String,
    /// Which part of the comparison the month falls in.
    pub part: MonthPart,
    /// The incidents dated (to the month or the day) in that month.
    pub incidents: Vec<String>,
}

/// Where a month of the time series sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MonthPart {
    /// It overlaps the period.
    Current,
    /// It overlaps a baseline period.
    Baseline,
    /// Between the baseline and the period (a year-ago baseline leaves a gap).
    Between,
}

/// Incidents with victims in one State, for the map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StateCount {
    /// The ISO 3166-1 alpha-3 code (or the project's code for a territory).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Incidents of the period.
    pub incidents: Vec<String>,
    /// Incidents of the baseline.
    pub baseline_incidents: Vec<String>,
}

/// The sources-and-method section's data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Method {
    /// Incidents of the current period by contributor type (an incident counts once per type).
    pub contributors_by_type: Vec<Figure>,
    /// Reports per source in each period.
    pub coverage: Vec<SourceCoverage>,
    /// Caveats.
    pub caveats: Vec<String>,
    /// Released reports of cited incidents per TLP level.
    pub tlp_used: BTreeMap<String, usize>,
    /// How trends were found.
    pub statistics: Vec<String>,
}

/// How to build a briefing.
#[derive(Debug, Clone)]
pub struct BriefOptions {
    /// The audience (the TLP ceiling).
    pub audience: Audience,
    /// The trend analysis.
    pub trend: TrendOptions,
    /// Reports withheld before the incidents were built (from [`crate::release`]).
    pub withheld_reports: usize,
    /// Incidents withheld entirely.
    pub withheld_incidents: usize,
    /// Capacity indicators per State.
    pub capacity: CapacityTable,
}

/// The briefing.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Briefing {
    /// The title.
    pub title: String,
    /// The audience.
    pub audience: Audience,
    /// The highest TLP the audience may receive.
    pub max_tlp: Tlp,
    /// The highest TLP of any report the briefing uses: the marking of the whole document.
    pub highest_tlp_used: Tlp,
    /// Reports above the ceiling, left out.
    pub withheld_reports: usize,
    /// Incidents left out because none of their reports could be released.
    pub withheld_incidents: usize,
    /// The period.
    pub period: Period,
    /// The baseline periods.
    pub baseline_periods: Vec<Period>,
    /// The baseline in words.
    pub baseline_description: String,
    /// The date basis in words.
    pub date_basis: String,
    /// The few findings that matter.
    pub executive_summary: Vec<Figure>,
    /// The sections, in reading order.
    pub sections: Vec<Section>,
    /// Incidents per month over the baseline and the period.
    pub monthly: Vec<MonthBin>,
    /// Incidents per State with victims, both periods (the map).
    pub states: Vec<StateCount>,
    /// Sources and method.
    pub method: Method,
    /// The full trend analysis (every cell tested).
    pub trends: crate::trends::TrendAnalysis,
    /// The incidents cited.
    pub annex: Vec<AnnexEntry>,
}

/// The critical-infrastructure sectors the briefing reports on, by sector id.
pub const CRITICAL_SECTORS: &[&str] = &[
    "health",
    "health.hospitals",
    "finance",
    "energy",
    "space",
    "transport",
    "emergency-services",
];

/// The Council's agenda item on the DPRK whose sanctions committee is the 1718 Committee: the
/// assessment links a theft by an actor attributed to the DPRK to it (assess, `agenda.toml`).
const DPRK_ITEM: &str = "nonprolif-dprk";

struct Ctx<'a> {
    by_id: HashMap<&'a str, &'a Incident>,
}

impl Ctx<'_> {
    fn reports_of(&self, ids: &[String], more: &[String]) -> Vec<String> {
        let mut out = BTreeSet::new();
        for id in ids.iter().chain(more) {
            if let Some(i) = self.by_id.get(id.as_str()) {
                out.extend(i.reports.iter().map(|r| r.key()));
            }
        }
        out.into_iter().collect()
    }

    fn figure(
        &self,
        id: &str,
        text: String,
        current: Vec<String>,
        baseline: Vec<String>,
    ) -> Figure {
        let reports = self.reports_of(&current, &baseline);
        Figure {
            id: id.to_string(),
            text,
            count: current.len() as u64,
            incidents: current,
            baseline_incidents: baseline,
            reports,
        }
    }

    fn cell_figure(&self, id: &str, cell: &Cell) -> Figure {
        self.figure(
            id,
            cell.sentence.clone(),
            cell.current.clone(),
            cell.baseline.clone(),
        )
    }
}

/// Builds the briefing from released incidents.
pub fn build(assessor: &Assessor, incidents: &[Incident], o: &BriefOptions) -> Briefing {
    build_framed(
        assessor,
        incidents,
        &Frame::of_incidents(assessor, incidents, &o.trend),
        o,
    )
}

/// [`build`] from the incidents that touch the trend window ([`TrendOptions::window`]) and the
/// [`Frame`] of every released incident: the same briefing, without assessing incidents that
/// cannot count in it.
///
/// [`TrendOptions::window`]: crate::TrendOptions::window
pub fn build_framed(
    assessor: &Assessor,
    incidents: &[Incident],
    frame: &Frame,
    o: &BriefOptions,
) -> Briefing {
    let t = analyse_framed(assessor, incidents, frame, &o.trend);
    let ctx = Ctx {
        by_id: incidents.iter().map(|i| (i.id.as_str(), i)).collect(),
    };
    let base_label = if t.baseline_periods.len() == 1 {
        t.baseline_periods[0].label.clone()
    } else {
        format!(
            "{}..{}",
            t.baseline_periods[0],
            t.baseline_periods[t.baseline_periods.len() - 1]
        )
    };
    let empty_cell = |breakdown: &str, label: &str| -> Option<&Cell> { t.cell(breakdown, label) };
    let cell_or_none = |id: &str, breakdown: &str, label: &str, name: String| -> Figure {
        match empty_cell(breakdown, label) {
            Some(c) => ctx.cell_figure(id, c),
            None => ctx.figure(
                id,
                format!(
                    "{name}: no incidents recorded in {} or {base_label}.",
                    t.period
                ),
                vec![],
                vec![],
            ),
        }
    };

    // Executive summary.
    let mut summary = Vec::new();
    summary.push(cell_or_none(
        "summary.all",
        "all",
        "all",
        "Incidents".into(),
    ));
    let flagged: Vec<&Cell> = t.flagged().filter(|c| c.breakdown != "all").collect();
    // The three clearest changes, each once: cells of the very same incidents (supply-chain
    // compromise and the norm on supply-chain integrity, a conflict and its agenda item) say one
    // thing, which the summary says once; the section below lists every cell.
    let mut told: Vec<(&[String], &[String])> = Vec::new();
    let headlines = flagged.iter().filter(|c| {
        let incidents = (c.current.as_slice(), c.baseline.as_slice());
        let new = !told.contains(&incidents);
        told.push(incidents);
        new
    });
    for (n, c) in headlines.take(3).enumerate() {
        summary.push(ctx.cell_figure(&format!("summary.emerging.{n}"), c));
    }
    if flagged.is_empty() {
        summary.push(ctx.figure(
            "summary.no-emerging",
            format!(
                "No threat kind, sector, actor category or victim country changed clearly against {base_label}: none of {} comparisons passes the {}% false-discovery-rate bar with at least {} incidents.",
                t.comparisons,
                (t.fdr * 100.0).round(),
                t.min_count
            ),
            t.current.clone(),
            vec![],
        ));
    }
    let top_threat = t
        .cells
        .iter()
        .filter(|c| {
            c.breakdown == "threat" && assessor.vocabularies.threats.parent(&c.label).is_none()
        })
        .max_by_key(|c| (c.current.len(), std::cmp::Reverse(c.label.clone())));
    if let Some(c) = top_threat.filter(|c| !c.current.is_empty()) {
        summary.push(ctx.figure(
            "summary.top-threat",
            format!(
                "The most reported kind of operation was {}: {} of {} incidents ({}%).",
                crate::trends::in_sentence(&label_name(assessor, Dimension::Threat, &c.label)),
                c.current.len(),
                t.current.len(),
                percent(c.current.len(), t.current.len())
            ),
            c.current.clone(),
            vec![],
        ));
    }
    let ci_current: Vec<String> = t
        .current
        .iter()
        .filter(|id| {
            let i = ctx.by_id[id.as_str()];
            i.assessment.labels(Dimension::Sector).iter().any(|l| {
                CRITICAL_SECTORS
                    .iter()
                    .any(|s| assessor.vocabularies.sectors.is_within(l, s))
            })
        })
        .cloned()
        .collect();
    summary.push(ctx.figure(
        "summary.critical-infrastructure",
        format!(
            "{} of {} incidents ({}%) hit health, finance, energy, space, transport or emergency services.",
            ci_current.len(),
            t.current.len(),
            percent(ci_current.len(), t.current.len())
        ),
        ci_current,
        vec![],
    ));
    summary.push(cell_or_none(
        "summary.ransomware",
        "threat",
        "ransomware",
        "Ransomware".into(),
    ));

    // Sections.
    let mut sections = Vec::new();
    let mut emerging = Section {
        id: "emerging".into(),
        title: "Key emerging and evolving trends".into(),
        available: true,
        note: Some(format!(
            "Each cell (a threat kind, sector, actor category, victim country, or threat kind against a sector) compares {} with {} on {} dates. {} comparisons were made; a change is called clear when its false-discovery-rate-adjusted q is at most {} and the current period holds at least {} incidents. Where one actor is named in most of the incidents that carry a clear change, the finding says so and gives the change without them; where a fifth or more of its incidents are in it on the text model's reading alone, with no rule or coding that decides, it says how many.{}",
            t.period, base_label, match t.date_basis { crate::DateBasis::Occurred => "occurrence", crate::DateBasis::Reported => "report" }, t.comparisons, t.fdr, t.min_count,
            if t.cells.iter().any(|c| c.continuing.is_some()) {
                " Since the sources' coverage changed between the periods (a source started or stopped reporting, or one's volume changed unlike the others'), a change is also tested within the sources that report in both, as a share of what each of them reports (all incidents: their count), corrected the same way, and called a trend only if it is clear there too, in the same direction."
            } else {
                ""
            },
        ) + &t.attribution_lag.as_ref().map_or(String::new(), |l| format!(
            " Incidents by State and State-affiliated actors, and the norm and agenda links that require one, are counted against the share of their eventual attributions public by {}: an estimated {:.0}% for {} and {:.0}% for the baseline, measured on the sources' dated attribution claims.",
            l.as_of, 100.0 * l.current, t.period, 100.0 * l.baseline
        ))),
        figures: Vec::new(),
        chart: Vec::new(),
    };
    for (n, c) in t.flagged().filter(|c| c.breakdown != "all").enumerate() {
        emerging
            .figures
            .push(ctx.cell_figure(&format!("emerging.{n}"), c));
    }
    let mut movers: Vec<&Cell> = t
        .cells
        .iter()
        .filter(|c| !c.flagged && c.breakdown != "all" && c.test.k1 >= t.min_count)
        .collect();
    movers.sort_by(|a, b| a.test.p_value.total_cmp(&b.test.p_value));
    for (n, c) in movers.iter().take(5).enumerate() {
        emerging
            .figures
            .push(ctx.cell_figure(&format!("emerging.unclear.{n}"), c));
    }
    for c in t.cells.iter().filter(|c| c.breakdown == "threat") {
        if assessor.vocabularies.threats.parent(&c.label).is_none() {
            emerging.chart.push(Bar {
                label: label_name(assessor, Dimension::Threat, &c.label),
                current: c.current.len() as u64,
                baseline: c.baseline.len() as u64,
            });
        }
    }
    emerging
        .chart
        .sort_by(|a, b| b.current.cmp(&a.current).then(a.label.cmp(&b.label)));
    sections.push(emerging);

    let states = state_counts(&t);
    sections.push(states_section(&ctx, &t, &states));
    sections.push(link_section(assessor, &ctx, &t, &LINK_SECTIONS[0]));

    let mut ci = Section {
        id: "critical-infrastructure".into(),
        title: "Critical infrastructure".into(),
        available: true,
        note: None,
        figures: vec![],
        chart: vec![],
    };
    for s in CRITICAL_SECTORS {
        let name = label_name(assessor, Dimension::Sector, s);
        ci.figures
            .push(cell_or_none(&format!("ci.{s}"), "sector", s, name.clone()));
        let c = t.cell("sector", s);
        ci.chart.push(Bar {
            label: name,
            current: c.map_or(0, |c| c.current.len() as u64),
            baseline: c.map_or(0, |c| c.baseline.len() as u64),
        });
    }
    sections.push(ci);

    let mut ransom = Section {
        id: "ransomware".into(),
        title: "Ransomware and ransomware-as-a-service".into(),
        available: true,
        note: None,
        figures: vec![cell_or_none(
            "ransomware.all",
            "threat",
            "ransomware",
            "Ransomware".into(),
        )],
        chart: vec![],
    };
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in &t.current {
        for l in ctx.by_id[id.as_str()].assessment.labels(Dimension::Raas) {
            roles.entry(l.to_string()).or_default().push(id.clone());
        }
    }
    if roles.is_empty() {
        ransom.note = Some("No incident of the period names a ransomware-as-a-service role (affiliate, operator, access broker...); the sources rarely record it.".into());
    }
    for (role, ids) in roles {
        let name = label_name(assessor, Dimension::Raas, &role);
        ransom.figures.push(ctx.figure(
            &format!("ransomware.raas.{role}"),
            format!(
                "{} {} an actor in the RaaS role \"{name}\".",
                count(ids.len(), "incident"),
                agree(ids.len(), "names", "name")
            ),
            ids,
            vec![],
        ));
    }
    sections.push(ransom);

    sections.push(Section {
        id: "decoy-ransomware".into(),
        title: "Decoy ransomware".into(),
        available: true,
        note: Some("Destructive operations disguised as ransomware (a ransom note with no way to recover).".into()),
        figures: vec![cell_or_none("decoy.all", "threat", "pseudo-ransomware", "Decoy ransomware".into())],
        chart: vec![],
    });

    let mut crypto = Section {
        id: "cryptocurrency".into(),
        title: "Cryptocurrency theft".into(),
        available: true,
        note: Some("Whether stolen funds financed weapons-of-mass-destruction programmes is for the 1718 Committee and its experts to establish; the briefing states what the sources attribute and which thefts the assessment links to the Council's item on the DPRK (its rule: a theft by an actor attributed to the DPRK bears on the 1718 sanctions regime).".into()),
        figures: vec![cell_or_none(
            "crypto.all",
            "threat",
            "financial-theft.cryptocurrency",
            "Cryptocurrency theft".into(),
        )],
        chart: vec![],
    };
    if let Some(c) = t.cell("threat", "financial-theft.cryptocurrency") {
        // A share of the period's thefts: those `keep` holds for, "N of these M incidents are
        // {what}".
        let share = |id: &str, what: &str, keep: &dyn Fn(&Incident) -> bool| {
            let ids: Vec<String> = c
                .current
                .iter()
                .filter(|id| keep(ctx.by_id[id.as_str()]))
                .cloned()
                .collect();
            let text = format!(
                "{} of these {} incidents {} {what}.",
                ids.len(),
                c.current.len(),
                agree(ids.len(), "is", "are")
            );
            ctx.figure(id, text, ids, vec![])
        };
        crypto.figures.push(share(
            "crypto.prk",
            "attributed by at least one source to actors associated with the DPRK",
            &|i| {
                i.reports.iter().any(|r| {
                    r.actors.iter().any(|a| a.country.as_deref() == Some("PRK"))
                        || r.attributions
                            .iter()
                            .any(|a| a.actor.country.as_deref() == Some("PRK"))
                })
            },
        ));
        // The assessment's own link, which an analyst may have confirmed or rejected: the
        // agenda item whose sanctions committee is the 1718 Committee.
        crypto.figures.push(share(
            "crypto.sanctions",
            &format!(
                "linked by the assessment to the Council's item \"{}\" and the 1718 sanctions regime",
                label_name(assessor, Dimension::Agenda, DPRK_ITEM)
            ),
            &|i| i.assessment.labels(Dimension::Agenda).contains(&DPRK_ITEM),
        ));
    }
    sections.push(crypto);
    sections.push(link_section(assessor, &ctx, &t, &LINK_SECTIONS[1]));
    sections.push(link_section(assessor, &ctx, &t, &LINK_SECTIONS[2]));
    sections.push(capacity_section(&ctx, &t, &states, &o.capacity));

    // Sources and method.
    let mut by_type: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for id in &t.current {
        let types: BTreeSet<&str> = ctx.by_id[id.as_str()]
            .reports
            .iter()
            .map(|r| r.contributor.type_.as_str())
            .collect();
        for ty in types {
            by_type.entry(ty).or_default().push(id.clone());
        }
    }
    let contributors_by_type = by_type
        .into_iter()
        .map(|(ty, ids)| {
            ctx.figure(
                &format!("method.contributors.{ty}"),
                format!(
                    "{} of the period {} reported by {ty} contributors.",
                    count(ids.len(), "incident"),
                    agree(ids.len(), "is", "are")
                ),
                ids,
                vec![],
            )
        })
        .collect();

    // Annex: every incident any figure cites.
    let mut cited: BTreeSet<String> = BTreeSet::new();
    let all_figures = summary
        .iter()
        .chain(sections.iter().flat_map(|s| s.figures.iter()));
    for f in all_figures {
        cited.extend(f.incidents.iter().cloned());
        cited.extend(f.baseline_incidents.iter().cloned());
    }
    let annex: Vec<AnnexEntry> = cited
        .iter()
        .filter_map(|id| ctx.by_id.get(id.as_str()))
        .map(|i| annex_entry(assessor, i, o.trend.date_basis))
        .collect();
    let mut tlp_used: BTreeMap<String, usize> = BTreeMap::new();
    let mut highest = Tlp::Clear;
    for id in &cited {
        if let Some(i) = ctx.by_id.get(id.as_str()) {
            for r in &i.reports {
                *tlp_used.entry(r.tlp.to_string()).or_default() += 1;
                highest = highest.max(r.tlp);
            }
        }
    }
    let statistics = vec![
        format!("Counts are incidents (reconciled across sources), placed in time by {}.", o.trend.date_basis.describe()),
        format!("Rates are per day: {} has {} days, the baseline {} days.", t.period, t.period.days(), t.baseline_periods.iter().map(Period::days).sum::<f64>()),
        format!("Each cell is tested with the exact conditional binomial test of two Poisson rates ({}): given n = k1 + k0 incidents, k1 ~ Binomial(n, t1/(t1 + t0)) if the rates are equal.", match o.trend.alternative { Alternative::TwoSided => "two-sided", Alternative::Increase => "one-sided, for an increase" }),
        "The rate ratio's 95% confidence interval is exact: it is derived from the Clopper-Pearson interval of the binomial proportion.".to_string(),
        format!("The Benjamini-Hochberg procedure controls the false-discovery rate at {}% across all {} cells tested; a change is flagged only with at least {} incidents in the period.", (t.fdr * 100.0).round(), t.comparisons, t.min_count),
        "An incident counts once in each cell it belongs to; a subsector also counts in its sector; cells overlap, so they do not add up to the total.".to_string(),
    ];
    let mut caveats = t.caveats.clone();
    if o.withheld_reports > 0 {
        caveats.push(format!(
            "{} marked above {} {} withheld for this audience ({} entirely); counts may be lower than in a more restricted edition.",
            count(o.withheld_reports, "report"),
            o.audience.max_tlp(),
            agree(o.withheld_reports, "was", "were"),
            count(o.withheld_incidents, "incident")
        ));
    }
    let method = Method {
        contributors_by_type,
        coverage: t.coverage.clone(),
        caveats,
        tlp_used,
        statistics,
    };
    Briefing {
        title: format!("Cyber-threat landscape briefing, {}", t.period),
        audience: o.audience,
        max_tlp: o.audience.max_tlp(),
        highest_tlp_used: highest,
        withheld_reports: o.withheld_reports,
        withheld_incidents: o.withheld_incidents,
        period: t.period.clone(),
        baseline_periods: t.baseline_periods.clone(),
        baseline_description: o.trend.baseline.describe(),
        date_basis: o.trend.date_basis.describe().to_string(),
        executive_summary: summary,
        sections,
        monthly: monthly(incidents, &t, o.trend.date_basis),
        states,
        method,
        annex,
        trends: t,
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0".into()
    } else {
        format!("{:.0}", 100.0 * part as f64 / whole as f64)
    }
}

fn annex_entry(assessor: &Assessor, i: &Incident, basis: crate::DateBasis) -> AnnexEntry {
    let mut labels = Vec::new();
    for d in [Dimension::Threat, Dimension::Sector] {
        for l in i.assessment.labels(d) {
            labels.push(label_name(assessor, d, l));
        }
    }
    let urls: BTreeSet<String> = i
        .reports
        .iter()
        .flat_map(|r| r.urls.iter().cloned())
        .collect();
    let sources: BTreeSet<String> = i
        .reports
        .iter()
        .map(|r| r.contributor.name.clone())
        .collect();
    AnnexEntry {
        id: i.id.clone(),
        title: i
            .reports
            .first()
            .map(|r| r.title.clone())
            .unwrap_or_default(),
        date: basis.incident_date(i).map(|d| d.to_string()),
        reports: i.reports.iter().map(|r| r.key()).collect(),
        sources: sources.into_iter().collect(),
        tlp: i.reports.iter().map(|r| r.tlp).max().unwrap_or(Tlp::Clear),
        labels,
        urls: urls.into_iter().take(5).collect(),
    }
}

/// A section over an assessment dimension that links incidents to something the Council deals
/// with (armed conflicts, its agenda items, the norms), written once for all three.
pub struct LinkSection {
    /// The dimension's prefix (`conflict`, `agenda`, `norm`), also the trend breakdown's name.
    pub prefix: &'static str,
    /// Other breakdowns reported in the same section (spill-over with conflicts).
    pub also: &'static [&'static str],
    /// The section id.
    pub id: &'static str,
    /// The heading.
    pub title: &'static str,
    /// What the counted incidents are, after "is" or "are", for the section's note.
    pub what: &'static str,
    /// What the reader should know about the links.
    pub caution: &'static str,
}

/// The three link sections, in the order they appear.
pub const LINK_SECTIONS: [LinkSection; 3] = [
    LinkSection {
        prefix: "conflict",
        also: &["spill-over"],
        id: "conflict",
        title: "Cyber as a threat multiplier in armed conflicts",
        what: "linked by the assessment to an armed conflict",
        caution: "A link means a source places the operation in the conflict's context; spill-over counts incidents whose victims include a State that is not a party to the conflict.",
    },
    LinkSection {
        prefix: "agenda",
        also: &[],
        id: "agenda",
        title: "Mainstreaming: the Council's agenda items",
        what: "linked by the assessment to an item of which the Council is seized",
        caution: "Links follow the assessment's rules (named countries, conflicts and themes); an incident may bear on several items.",
    },
    LinkSection {
        prefix: "norm",
        also: &[],
        id: "norms",
        title: "Norms of responsible State behaviour engaged",
        what: "related by the assessment to the norms (a)-(k) of A/70/174",
        caution: "A norm engaged is a question the incident raises, not a finding that any State breached it.",
    },
];

fn link_section(
    assessor: &Assessor,
    ctx: &Ctx<'_>,
    t: &TrendAnalysis,
    spec: &LinkSection,
) -> Section {
    let mut sec = Section {
        id: spec.id.into(),
        title: spec.title.into(),
        available: false,
        note: None,
        figures: vec![],
        chart: vec![],
    };
    let Some(dim) = Dimension::from_prefix(spec.prefix) else {
        sec.note = Some(format!(
            "Not available: the assessment does not produce what this section counts ({}), so this briefing makes no statement on it rather than guess.",
            spec.prefix
        ));
        return sec;
    };
    sec.available = true;
    let mut cells: Vec<&Cell> = t
        .cells
        .iter()
        .filter(|c| c.breakdown == spec.prefix)
        .collect();
    cells.sort_by(|a, b| {
        b.current
            .len()
            .cmp(&a.current.len())
            .then(b.baseline.len().cmp(&a.baseline.len()))
            .then(a.label.cmp(&b.label))
    });
    let linked: BTreeSet<&String> = cells.iter().flat_map(|c| c.current.iter()).collect();
    sec.note = Some(format!(
        "{} of {} incidents of {} {} {}. {}",
        linked.len(),
        t.current.len(),
        t.period,
        agree(linked.len(), "is", "are"),
        spec.what,
        spec.caution
    ));
    for c in &cells {
        sec.figures
            .push(ctx.cell_figure(&format!("{}.{}", spec.id, c.label), c));
        sec.chart.push(Bar {
            label: label_name(assessor, dim, &c.label),
            current: c.current.len() as u64,
            baseline: c.baseline.len() as u64,
        });
    }
    sec.chart.truncate(12);
    for also in spec.also {
        for c in t.cells.iter().filter(|c| c.breakdown == *also) {
            sec.figures
                .push(ctx.cell_figure(&format!("{}.{also}.{}", spec.id, c.label), c));
        }
    }
    sec
}

/// Incidents per State with victims, from the trend cells of the `country` breakdown, most
/// affected first.
fn state_counts(t: &TrendAnalysis) -> Vec<StateCount> {
    let mut out: Vec<StateCount> = t
        .cells
        .iter()
        .filter(|c| c.breakdown == "country")
        .map(|c| StateCount {
            code: c.label.clone(),
            name: state_name(&c.label),
            incidents: c.current.clone(),
            baseline_incidents: c.baseline.clone(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.incidents
            .len()
            .cmp(&a.incidents.len())
            .then(b.baseline_incidents.len().cmp(&a.baseline_incidents.len()))
            .then(a.code.cmp(&b.code))
    });
    out
}

/// How many States the affected-States section names one by one.
const STATES_LISTED: usize = 10;

fn states_section(ctx: &Ctx<'_>, t: &TrendAnalysis, states: &[StateCount]) -> Section {
    let hit = states.iter().filter(|s| !s.incidents.is_empty()).count();
    let mut sec = Section {
        id: "affected-states".into(),
        title: "Affected States".into(),
        available: true,
        note: Some(format!(
            "Victims in {hit} States or territories in {}, by the victim's country as the sources give it; an incident with victims in several States counts in each. The map shades each by its incidents in the period.",
            t.period
        )),
        figures: vec![],
        chart: vec![],
    };
    for s in states
        .iter()
        .filter(|s| !s.incidents.is_empty())
        .take(STATES_LISTED)
    {
        if let Some(c) = t.cell("country", &s.code) {
            sec.figures
                .push(ctx.cell_figure(&format!("states.{}", s.code), c));
        }
        sec.chart.push(Bar {
            label: s.name.clone(),
            current: s.incidents.len() as u64,
            baseline: s.baseline_incidents.len() as u64,
        });
    }
    sec
}

fn capacity_section(
    ctx: &Ctx<'_>,
    t: &TrendAnalysis,
    states: &[StateCount],
    table: &CapacityTable,
) -> Section {
    let mut sec = Section {
        id: "capacity".into(),
        title: "Capacity: incidents in States with limited cyber capacity".into(),
        available: !table.is_empty(),
        note: None,
        figures: vec![],
        chart: vec![],
    };
    if table.is_empty() {
        sec.note = Some(format!(
            "No sourced capacity indicator is loaded ({} holds no values), so this briefing says nothing about the capacity of the States affected. Add indicators, each with its source, to that table to fill this section.",
            table.origin
        ));
        return sec;
    }
    let mut covered = 0;
    for s in states.iter().filter(|s| !s.incidents.is_empty()) {
        let Some(indicators) = table.by_state.get(&s.code) else {
            continue;
        };
        covered += 1;
        let values = indicators
            .iter()
            .map(|i| {
                format!(
                    "{} {}{} (source: {})",
                    i.indicator,
                    i.value,
                    i.year.map(|y| format!(" in {y}")).unwrap_or_default(),
                    i.source
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        sec.figures.push(ctx.figure(
            &format!("capacity.{}", s.code),
            format!(
                "{}: {} incidents in {}; {values}.",
                s.name,
                s.incidents.len(),
                t.period
            ),
            s.incidents.clone(),
            vec![],
        ));
    }
    sec.note = Some(format!(
        "{} capacity values for {} States are loaded from {}; {covered} of the States with victims in {} have at least one. Each value is shown with its source.",
        table.len(),
        table.by_state.len(),
        table.origin,
        t.period
    ));
    sec
}

/// Incidents per calendar month from the first baseline month to the period's last month.
/// Incidents dated only to the year are not binned.
fn monthly(incidents: &[Incident], t: &TrendAnalysis, basis: crate::DateBasis) -> Vec<MonthBin> {
    let first = t
        .baseline_periods
        .iter()
        .map(|p| p.start)
        .chain([t.period.start])
        .min()
        .unwrap_or(t.period.start);
    let month_index = |y: i32, m: u8| i64::from(y) * 12 + i64::from(m) - 1;
    let (y0, m0, _) = civil(first);
    let (y1, m1, _) = civil(t.period.end);
    let (lo, hi) = (month_index(y0, m0), month_index(y1, m1));
    // A long range (a multi-year baseline) would make thousands of bars; 15 years is plenty.
    if hi - lo > 180 {
        return Vec::new();
    }
    let mut bins: Vec<MonthBin> = (lo..=hi)
        .map(|k| {
            let (y, m) = (k.div_euclid(12) as i32, (k.rem_euclid(12) + 1) as u8);
            let start = day_number(y, m, 1);
            let end = if m == 12 {
                day_number(y + 1, 1, 1)
            } else {
                day_number(y, m + 1, 1)
            } - 1;
            let overlaps = |p: &Period| p.start <= end && start <= p.end;
            let part = if overlaps(&t.period) {
                MonthPart::Current
            } else if t.baseline_periods.iter().any(overlaps) {
                MonthPart::Baseline
            } else {
                MonthPart::Between
            };
            MonthBin {
                month: format!("{y:04}-{m:02}"),
                part,
                incidents: vec![],
            }
        })
        .collect();
    for i in incidents {
        let Some(d) = basis.incident_date(i) else {
            continue;
        };
        let Some(m) = d.month else { continue };
        let k = month_index(d.year, m);
        if (lo..=hi).contains(&k) {
            bins[(k - lo) as usize].incidents.push(i.id.clone());
        }
    }
    bins
}
