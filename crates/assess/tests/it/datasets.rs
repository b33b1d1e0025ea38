//! The evaluation tasks: which dataset, which of its human-coded fields is the gold standard, and
//! onto which crosswalk vocabulary predictions are projected. Shared by the evaluation test and
//! the `errors` example.

use std::collections::BTreeSet;

use threatscape_assess::eval::{is_held_out, Projection, Scores, Tally};
use threatscape_assess::{Assessor, Dimension, Judgment, Mode};
use threatscape_model::Report;

/// The datasets with human coding.
pub const DATASETS: &[(&str, &str)] = &[
    ("eurepoc", "eurepoc/EuRepoC_Global_Database_1.1.csv"),
    ("cfr", "cfr-cyber-operations/cyber-operations-incidents.csv"),
    ("cissm", "cissm/CISSM_cleaned.csv"),
];

/// Reads a dataset's reports, or None (after the testkit's skip message) when it is absent.
pub fn load(dataset: &str) -> Option<Vec<Report>> {
    let (_, rel) = DATASETS.iter().find(|(d, _)| *d == dataset)?;
    let path = threatscape_testkit::shared_data(rel)?;
    let out = match dataset {
        "eurepoc" => threatscape_sources::eurepoc::read(&path),
        "cfr" => threatscape_sources::cfr::read(&path),
        _ => threatscape_sources::cissm::read(&path),
    }
    .expect("the dataset reads");
    Some(out.reports)
}

/// One thing measured: a dataset's coded field against projected predictions.
pub struct Task {
    /// Short name, e.g. `eurepoc sector (top level)`.
    pub name: &'static str,
    /// The dataset.
    pub dataset: &'static str,
    /// The dimension predicted.
    pub dimension: Dimension,
    /// The crosswalk vocabulary of the coded field.
    pub vocabulary: &'static str,
    /// The coded labels evaluated.
    pub labels: &'static [&'static str],
    /// Where the coding is in a report.
    pub field: Field,
}

/// Which report field holds the coding.
#[derive(Clone, Copy)]
pub enum Field {
    /// Victims' sector labels.
    Sectors,
    /// The report's kinds.
    Kinds,
}

const EUREPOC_TOP: &[&str] = &[
    "Critical infrastructure",
    "State institutions / political system",
    "Media",
    "Social groups",
    "Science",
    "International / supranational organization",
    "Corporate Targets (corporate targets only coded if the respective company is not part of the critical infrastructure definition)",
    "End user(s) / specially protected groups",
];
const EUREPOC_CI: &[&str] = &[
    "Chemicals",
    "Critical Manufacturing",
    "Defence industry",
    "Energy",
    "Finance",
    "Food",
    "Health",
    "Space",
    "Telecommunications",
    "Transportation",
    "Water",
];
const EUREPOC_TYPES: &[&str] = &[
    "Disruption",
    "Data theft",
    "Data theft & Doxing",
    "Hijacking with Misuse",
    "Hijacking without Misuse",
    "Ransomware",
];
const CFR_CATEGORIES: &[&str] = &["Government", "Private sector", "Civil society", "Military"];
const CFR_TYPES: &[&str] = &[
    "Espionage",
    "Sabotage",
    "Denial of service",
    "Data destruction",
    "Financial Theft",
    "Defacement",
    "Doxing",
];
const NAICS_NAMES: &[&str] = &[
    "Agriculture, Forestry, Fishing and Hunting",
    "Mining, Quarrying, and Oil and Gas Extraction",
    "Utilities",
    "Construction",
    "Manufacturing",
    "Wholesale Trade",
    "Retail Trade",
    "Transportation and Warehousing",
    "Information",
    "Finance and Insurance",
    "Real Estate and Rental and Leasing",
    "Professional, Scientific, and Technical Services",
    "Management of Companies and Enterprises",
    "Administrative and Support and Waste Management and Remediation Services",
    "Educational Services",
    "Health Care and Social Assistance",
    "Arts, Entertainment, and Recreation",
    "Accommodation and Food Services",
    "Other Services (except Public Administration)",
    "Public Administration",
];
const CISSM_TYPES: &[&str] = &["Exploitive", "Disruptive"];

/// Every task.
pub fn tasks() -> Vec<Task> {
    vec![
        Task {
            name: "eurepoc sector (top level)",
            dataset: "eurepoc",
            dimension: Dimension::Sector,
            vocabulary: "eurepoc-receiver",
            labels: EUREPOC_TOP,
            field: Field::Sectors,
        },
        Task {
            name: "eurepoc sector (critical-infrastructure subcodes)",
            dataset: "eurepoc",
            dimension: Dimension::Sector,
            vocabulary: "eurepoc-receiver",
            labels: EUREPOC_CI,
            field: Field::Sectors,
        },
        Task {
            name: "cfr sector (victim category)",
            dataset: "cfr",
            dimension: Dimension::Sector,
            vocabulary: "cfr-category",
            labels: CFR_CATEGORIES,
            field: Field::Sectors,
        },
        Task {
            name: "cissm sector (NAICS industry)",
            dataset: "cissm",
            dimension: Dimension::Sector,
            vocabulary: "naics",
            labels: NAICS_NAMES,
            field: Field::Sectors,
        },
        Task {
            name: "eurepoc threat kind (incident_type)",
            dataset: "eurepoc",
            dimension: Dimension::Threat,
            vocabulary: "eurepoc-incident-type",
            labels: EUREPOC_TYPES,
            field: Field::Kinds,
        },
        Task {
            name: "cfr threat kind (Type)",
            dataset: "cfr",
            dimension: Dimension::Threat,
            vocabulary: "cfr-type",
            labels: CFR_TYPES,
            field: Field::Kinds,
        },
        Task {
            name: "cissm threat kind (event_type; Mixed = both)",
            dataset: "cissm",
            dimension: Dimension::Threat,
            vocabulary: "cissm-event-type",
            labels: CISSM_TYPES,
            field: Field::Kinds,
        },
    ]
}

impl Task {
    /// The record's coded labels among the task's labels.
    pub fn gold(&self, report: &Report) -> BTreeSet<String> {
        let values: Vec<&String> = match self.field {
            Field::Sectors => report.victims.iter().flat_map(|v| &v.sectors).collect(),
            Field::Kinds => report.kinds.iter().collect(),
        };
        let mut out = BTreeSet::new();
        for v in values {
            let v = v.trim();
            if self.vocabulary == "cissm-event-type" && v == "Mixed" {
                out.insert("Exploitive".to_string());
                out.insert("Disruptive".to_string());
            } else if let Some(l) = self.labels.iter().find(|l| l.eq_ignore_ascii_case(v)) {
                out.insert(l.to_string());
            }
        }
        out
    }
}

/// Which records to score.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Split {
    /// Records whose key hashes to 1-4 mod 5: what the rules were tuned on.
    Train,
    /// Records whose key hashes to 0 mod 5.
    HeldOut,
}

impl Split {
    /// Whether a report is in the split.
    pub fn contains(self, report: &Report) -> bool {
        is_held_out(&report.key()) == (self == Split::HeldOut)
    }
}

/// Text-only judgments for each report (title and description; no field is read).
pub fn classify_text(assessor: &Assessor, reports: &[Report]) -> Vec<Vec<Judgment>> {
    reports
        .iter()
        .map(|r| assessor.classify_report(r, Mode::TextOnly))
        .collect()
}

/// Scores a task on one split, from precomputed judgments.
pub fn score(
    assessor: &Assessor,
    task: &Task,
    reports: &[Report],
    judgments: &[Vec<Judgment>],
    split: Split,
) -> Scores {
    let projection = Projection::new(assessor, task.dimension, task.vocabulary, task.labels);
    let mut tally = Tally::default();
    for (r, j) in reports.iter().zip(judgments) {
        if !split.contains(r) {
            continue;
        }
        let gold = task.gold(r);
        if gold.is_empty() {
            continue;
        }
        let (predicted, top) = projection.predict(j);
        tally.add(&gold, &predicted, &top);
    }
    tally.scores()
}
