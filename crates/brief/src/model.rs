//! The briefing: what the Council's periodic landscape briefing says, as data. Every figure keeps
//! the ids of the incidents behind it and the keys of their reports, so each number can be
//! traced and recomputed; renderers only lay it out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use threatscape_assess::{Assessor, Dimension};
use threatscape_model::Tlp;

use crate::period::Period;
use crate::stats::Alternative;
use crate::trends::{analyse, label_name, Cell, Incident, SourceCoverage, TrendOptions};
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
    let t = analyse(assessor, incidents, &o.trend);
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
    for (n, c) in flagged.iter().take(3).enumerate() {
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
                label_name(assessor, Dimension::Threat, &c.label).to_lowercase(),
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
            "Each cell (a threat kind, sector, actor category, victim country, or threat kind against a sector) compares {} with {} on {} dates. {} comparisons were made; a change is called clear when its false-discovery-rate-adjusted q is at most {} and the current period holds at least {} incidents.",
            t.period, base_label, match t.date_basis { crate::DateBasis::Occurred => "occurrence", crate::DateBasis::Reported => "report" }, t.comparisons, t.fdr, t.min_count
        )),
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

    sections.push(Section {
        id: "conflict".into(),
        title: "Cyber as a threat multiplier in armed conflicts".into(),
        available: false,
        note: Some("Not available: the assessment does not yet link incidents to armed conflicts or identify spill-over to third States, so this briefing makes no statement on it rather than guess.".into()),
        figures: vec![],
        chart: vec![],
    });

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
                "{} incidents name an actor in the RaaS role \"{name}\".",
                ids.len()
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
        note: Some("Whether stolen funds finance weapons-of-mass-destruction programmes needs the agenda and sanctions mapping, which is not built yet; the briefing states only what the sources attribute.".into()),
        figures: vec![cell_or_none(
            "crypto.all",
            "threat",
            "financial-theft.cryptocurrency",
            "Cryptocurrency theft".into(),
        )],
        chart: vec![],
    };
    if let Some(c) = t.cell("threat", "financial-theft.cryptocurrency") {
        let prk: Vec<String> = c
            .current
            .iter()
            .filter(|id| {
                ctx.by_id[id.as_str()].reports.iter().any(|r| {
                    r.actors.iter().any(|a| a.country.as_deref() == Some("PRK"))
                        || r.attributions
                            .iter()
                            .any(|a| a.actor.country.as_deref() == Some("PRK"))
                })
            })
            .cloned()
            .collect();
        crypto.figures.push(ctx.figure(
            "crypto.prk",
            format!(
                "{} of these {} incidents are attributed by at least one source to actors associated with the DPRK.",
                prk.len(),
                c.current.len()
            ),
            prk,
            vec![],
        ));
    }
    sections.push(crypto);

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
                    "{} incidents of the period are reported by {ty} contributors.",
                    ids.len()
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
            "{} reports marked above {} were withheld for this audience ({} incidents entirely); counts may be lower than in a more restricted edition.",
            o.withheld_reports, o.audience.max_tlp(), o.withheld_incidents
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
