//! Measuring the classification against a dataset's human coding.
//!
//! The coding is in the dataset's own labels (EuRepoC's "Critical infrastructure", CFR's
//! "Espionage"), so predictions are projected onto them: a canonical label stands for every source
//! label a `same` or `broader` crosswalk row links it (or a term it lies within) to. A prediction
//! of `health.hospitals` becomes EuRepoC's "Health" and "Critical infrastructure"; one of
//! `ransomware` becomes EuRepoC's "Ransomware", "Disruption" and "Hijacking with Misuse". Each
//! record is scored multi-label, per source label (precision, recall, F1), with macro averages over
//! the labels that occur in the gold coding, and top-1 accuracy: whether the projection of the
//! single strongest prediction is among the record's gold labels.
//!
//! The held-out split is fixed by the record's key: FNV-1a (64-bit) of `Report::key()`, modulo 5,
//! equal to 0 is held out (about a fifth). Rules are tuned, and the text model trained, on the rest
//! only.
//!
//! [`run`] is the whole evaluation over a folder laid out like `../shared/data` (what
//! `threatscape eval` prints): every [`Task`] of each dataset, held-out split, text only (title,
//! description and victims' names).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::crosswalk::Relation;
use crate::judgment::Judgment;
use crate::vocab::{normalise, Dimension, Vocabulary};
use crate::{Assessor, Mode, LABEL_THRESHOLD};
use std::path::{Path, PathBuf};
use threatscape_model::Report;

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
    /// Evaluation classes that join source labels the canonical vocabularies do not tell apart:
    /// (class, its source labels). DCID splits espionage by duration, which no report's text and
    /// no canonical kind says; its two codes are scored as one class. A canonical label projects
    /// onto a class when it projects onto one of its labels, or when every one of them is linked
    /// to it (or to a term it lies within) as `same` or `narrower`: the union of its parts.
    pub joins: &'static [(&'static str, &'static [&'static str])],
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
const DCID_TARGET_TYPES: &[&str] = &[
    "Private/non-state",
    "Government non-military",
    "Government military",
];
const DCID_SECTORS: &[&str] = &[
    "Chemical Sector",
    "Commercial Facilities Sector",
    "Communications Sector",
    "Critical Manufacturing Sector",
    "Dams Sector",
    "Defense Industrial Base Sector",
    "Emergency Services Sector",
    "Energy Sector",
    "Financial Services Sector",
    "Food and Agriculture Sector",
    "Government Facilities Sector",
    "Healthcare and Public Health Sector",
    "Information Technology Sector",
    "Nuclear Reactors, Materials, and Waste Sector",
    "Transportation Systems Sector",
    "Water and Wastewater Systems Sector",
    "Other (Election Infrastructure, Academia)",
];
const DCID_OBJECTIVES: &[&str] = &["Disruption", "Espionage", "Degradation"];
const DCID_OBJECTIVE_JOINS: &[(&str, &[&str])] = &[(
    "Espionage",
    &["Short-term espionage", "Long-term espionage"],
)];

/// The vocabulary name of the canonical vocabularies themselves: how a coded file is scored
/// ([`score_coded`]), whatever its own labels, once the crosswalks have read them.
pub const CANONICAL: &str = "canonical";

/// The tasks of a coded file ([`score_coded`]): top-level sector and top-level threat kind
/// (`health.hospitals` counts as `health`, cryptocurrency theft as financial theft).
pub fn coded_tasks() -> Vec<Task> {
    vec![
        Task {
            name: "sector (top level)",
            dataset: "coded",
            dimension: Dimension::Sector,
            vocabulary: CANONICAL,
            labels: &[],
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "threat kind (top level)",
            dataset: "coded",
            dimension: Dimension::Threat,
            vocabulary: CANONICAL,
            labels: &[],
            field: Field::Kinds,
            joins: &[],
        },
    ]
}

/// Every task of the datasets.
pub fn tasks() -> Vec<Task> {
    vec![
        Task {
            name: "eurepoc sector (top level)",
            dataset: "eurepoc",
            dimension: Dimension::Sector,
            vocabulary: "eurepoc-receiver",
            labels: EUREPOC_TOP,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "eurepoc sector (critical-infrastructure subcodes)",
            dataset: "eurepoc",
            dimension: Dimension::Sector,
            vocabulary: "eurepoc-receiver",
            labels: EUREPOC_CI,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "cfr sector (victim category)",
            dataset: "cfr",
            dimension: Dimension::Sector,
            vocabulary: "cfr-category",
            labels: CFR_CATEGORIES,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "cissm sector (NAICS industry)",
            dataset: "cissm",
            dimension: Dimension::Sector,
            vocabulary: "naics",
            labels: NAICS_NAMES,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "eurepoc threat kind (incident_type)",
            dataset: "eurepoc",
            dimension: Dimension::Threat,
            vocabulary: "eurepoc-incident-type",
            labels: EUREPOC_TYPES,
            field: Field::Kinds,
            joins: &[],
        },
        Task {
            name: "cfr threat kind (Type)",
            dataset: "cfr",
            dimension: Dimension::Threat,
            vocabulary: "cfr-type",
            labels: CFR_TYPES,
            field: Field::Kinds,
            joins: &[],
        },
        Task {
            name: "cissm threat kind (event_type; Mixed = both)",
            dataset: "cissm",
            dimension: Dimension::Threat,
            vocabulary: "cissm-event-type",
            labels: CISSM_TYPES,
            field: Field::Kinds,
            joins: &[],
        },
        Task {
            name: "dcid sector (target type)",
            dataset: "dcid",
            dimension: Dimension::Sector,
            vocabulary: "dcid-target",
            labels: DCID_TARGET_TYPES,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "dcid sector (critical-infrastructure sector)",
            dataset: "dcid",
            dimension: Dimension::Sector,
            vocabulary: "dcid-target",
            labels: DCID_SECTORS,
            field: Field::Sectors,
            joins: &[],
        },
        Task {
            name: "dcid threat kind (objective)",
            dataset: "dcid",
            dimension: Dimension::Threat,
            vocabulary: "dcid-kind",
            labels: DCID_OBJECTIVES,
            field: Field::Kinds,
            joins: DCID_OBJECTIVE_JOINS,
        },
    ]
}

impl Task {
    /// How `assessor`'s canonical labels project onto the task's labels.
    pub fn projection(&self, assessor: &Assessor) -> Projection {
        Projection::new(
            assessor,
            self.dimension,
            self.vocabulary,
            self.labels,
            self.joins,
        )
    }

    /// The record's coded values of the task's field, as written.
    fn values<'a>(&self, report: &'a Report) -> Vec<&'a String> {
        match self.field {
            Field::Sectors => report.victims.iter().flat_map(|v| &v.sectors).collect(),
            Field::Kinds => report.kinds.iter().collect(),
        }
    }

    /// The record's coded labels among the task's labels.
    pub fn gold(&self, report: &Report) -> BTreeSet<String> {
        let values = self.values(report);
        let mut out = BTreeSet::new();
        for v in values {
            let v = v.trim();
            if self.vocabulary == "cissm-event-type" && v == "Mixed" {
                out.insert("Exploitive".to_string());
                out.insert("Disruptive".to_string());
            } else if let Some((class, _)) = self
                .joins
                .iter()
                .find(|(_, members)| members.iter().any(|m| m.eq_ignore_ascii_case(v)))
            {
                out.insert(class.to_string());
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
    /// Every record: for a dataset never read in tuning or training ([`UNSEEN_DATASETS`]).
    All,
}

impl Split {
    /// Whether a report is in the split.
    pub fn contains(self, report: &Report) -> bool {
        match self {
            Split::All => true,
            _ => is_held_out(&report.key()) == (self == Split::HeldOut),
        }
    }

    /// The split to score a dataset on when `requested` is asked for: every record of an unseen
    /// dataset, whatever is asked (it has no training split to speak of).
    pub fn for_dataset(requested: Split, dataset: &str) -> Split {
        if UNSEEN_DATASETS.iter().any(|(d, _)| *d == dataset) {
            Split::All
        } else {
            requested
        }
    }

    /// Its name in outputs: `held-out`, `training`, `all`.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "training",
            Split::HeldOut => "held-out",
            Split::All => "all",
        }
    }
}

/// FNV-1a, 64-bit: a stable hash for the split.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether a record (by its report key) is in the held-out test split.
pub fn is_held_out(key: &str) -> bool {
    fnv1a64(key.as_bytes()).is_multiple_of(5)
}

/// How canonical labels of one dimension project onto one source vocabulary's labels.
#[derive(Debug, Clone)]
pub struct Projection {
    dimension: Dimension,
    /// The dimension's vocabulary, for setting aside generic kinds as the assessment does.
    vocab: Vocabulary,
    labels: BTreeSet<String>,
    map: HashMap<String, BTreeSet<String>>,
}

impl Projection {
    /// The projection onto `labels` (the source labels evaluated) of `vocabulary`.
    pub fn new(
        assessor: &Assessor,
        dimension: Dimension,
        vocabulary: &str,
        labels: &[&str],
        joins: &[(&str, &[&str])],
    ) -> Self {
        if vocabulary == CANONICAL {
            return Projection::top_level(assessor, dimension);
        }
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|l| (normalise(l), l.to_string()))
            .collect();
        // A joined source label stands for its class.
        let class_of: BTreeMap<String, String> = joins
            .iter()
            .flat_map(|(class, members)| members.iter().map(|m| (normalise(m), class.to_string())))
            .collect();
        let vocab = assessor.vocabularies.get(dimension);
        let mut direct: HashMap<&str, BTreeSet<String>> = HashMap::new();
        // Per class: which canonical terms each member is `same` as or `narrower` than.
        let mut parts: HashMap<(&str, String), BTreeSet<&str>> = HashMap::new();
        for r in assessor.crosswalks.rows() {
            if r.dimension != dimension || r.vocabulary != vocabulary {
                continue;
            }
            let source = normalise(&r.source_label);
            if let Some(class) = class_of.get(&source) {
                if matches!(r.relation, Relation::Same | Relation::Narrower) {
                    parts
                        .entry((r.canonical.as_str(), class.clone()))
                        .or_default()
                        .insert(r.source_label.as_str());
                }
            }
            if !matches!(r.relation, Relation::Same | Relation::Broader) {
                continue;
            }
            let label = class_of.get(&source).or_else(|| wanted.get(&source));
            if let Some(l) = label {
                direct.entry(&r.canonical).or_default().insert(l.clone());
            }
        }
        for ((canonical, class), linked) in parts {
            let members = joins
                .iter()
                .find(|(c, _)| *c == class)
                .map(|(_, m)| m.len())
                .unwrap_or(0);
            if linked.len() == members {
                direct.entry(canonical).or_default().insert(class);
            }
        }
        let mut map = HashMap::new();
        for t in &vocab.terms {
            let mut out = BTreeSet::new();
            for id in vocab.lineage(&t.id) {
                if let Some(ls) = direct.get(id) {
                    out.extend(ls.iter().cloned());
                }
            }
            map.insert(t.id.clone(), out);
        }
        Projection {
            dimension,
            vocab: vocab.clone(),
            labels: wanted.into_values().collect(),
            map,
        }
    }

    /// Canonical labels onto their top-level terms ("other" onto nothing: it is no finding).
    pub fn top_level(assessor: &Assessor, dimension: Dimension) -> Self {
        let vocab = assessor.vocabularies.get(dimension);
        let map: HashMap<String, BTreeSet<String>> = vocab
            .terms
            .iter()
            .map(|t| {
                let top = vocab.top_level(&t.id);
                let out = if top == "other" {
                    BTreeSet::new()
                } else {
                    BTreeSet::from([top.to_string()])
                };
                (t.id.clone(), out)
            })
            .collect();
        Projection {
            dimension,
            vocab: vocab.clone(),
            labels: vocab
                .top_level_ids()
                .filter(|id| *id != "other")
                .map(str::to_string)
                .collect(),
            map,
        }
    }

    /// The source labels a canonical label stands for.
    pub fn project(&self, canonical: &str) -> BTreeSet<String> {
        self.map.get(canonical).cloned().unwrap_or_default()
    }

    /// The source labels evaluated.
    pub fn labels(&self) -> &BTreeSet<String> {
        &self.labels
    }

    /// The projected prediction of a report's judgments: every label that counts, and the
    /// projection of the strongest one that projects at all (for top-1 accuracy).
    pub fn predict(&self, judgments: &[Judgment]) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut findings = crate::judgment::merge(
            judgments
                .iter()
                .filter(|j| j.dimension == self.dimension)
                .cloned(),
        );
        crate::judgment::set_aside_superseded(&mut findings, &self.vocab);
        let mut all = BTreeSet::new();
        let mut top = BTreeSet::new();
        for f in findings.iter().filter(|f| f.confidence >= LABEL_THRESHOLD) {
            let p = self.project(&f.label);
            if top.is_empty() {
                top.clone_from(&p);
            }
            all.extend(p);
        }
        (all, top)
    }
}

/// Counts for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted and in the gold coding.
    pub tp: u64,
    /// Predicted, not in the gold coding.
    pub fp: u64,
    /// In the gold coding, not predicted.
    pub fn_: u64,
}

impl Counts {
    /// tp / (tp + fp), 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn), 0 when the label never occurs.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Accumulates gold and predicted label sets, record by record.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    counts: BTreeMap<String, Counts>,
    records: u64,
    with_prediction: u64,
    top1_correct: u64,
}

impl Tally {
    /// Adds one record. Records without gold labels should not be added.
    pub fn add(
        &mut self,
        gold: &BTreeSet<String>,
        predicted: &BTreeSet<String>,
        top: &BTreeSet<String>,
    ) {
        self.records += 1;
        if !predicted.is_empty() {
            self.with_prediction += 1;
        }
        if top.iter().any(|t| gold.contains(t)) {
            self.top1_correct += 1;
        }
        for l in gold.union(predicted) {
            let c = self.counts.entry(l.clone()).or_default();
            match (gold.contains(l), predicted.contains(l)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => {}
            }
        }
    }

    /// The scores so far.
    pub fn scores(&self) -> Scores {
        let rows: Vec<(String, Counts)> =
            self.counts.iter().map(|(l, c)| (l.clone(), *c)).collect();
        let gold: Vec<&Counts> = rows
            .iter()
            .filter(|(_, c)| c.tp + c.fn_ > 0)
            .map(|(_, c)| c)
            .collect();
        let n = gold.len().max(1) as f64;
        let sum = |f: fn(&Counts) -> f64| gold.iter().map(|c| f(c)).sum::<f64>() / n;
        let total = rows.iter().fold(Counts::default(), |a, (_, c)| Counts {
            tp: a.tp + c.tp,
            fp: a.fp + c.fp,
            fn_: a.fn_ + c.fn_,
        });
        Scores {
            macro_precision: sum(Counts::precision),
            macro_recall: sum(Counts::recall),
            macro_f1: sum(Counts::f1),
            micro_f1: total.f1(),
            top1_accuracy: ratio(self.top1_correct, self.records),
            coverage: ratio(self.with_prediction, self.records),
            records: self.records,
            rows,
        }
    }
}

/// Per-label and averaged scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Per label: its counts.
    pub rows: Vec<(String, Counts)>,
    /// Mean precision over labels that occur in the gold coding.
    pub macro_precision: f64,
    /// Mean recall over labels that occur in the gold coding.
    pub macro_recall: f64,
    /// Mean F1 over labels that occur in the gold coding.
    pub macro_f1: f64,
    /// F1 over all decisions pooled.
    pub micro_f1: f64,
    /// Share of records whose strongest prediction projects onto one of their gold labels.
    pub top1_accuracy: f64,
    /// Share of records with at least one prediction.
    pub coverage: f64,
    /// Records scored.
    pub records: u64,
}

impl Scores {
    /// The counts of a label.
    pub fn label(&self, label: &str) -> Option<Counts> {
        self.rows.iter().find(|(l, _)| l == label).map(|(_, c)| *c)
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| label | support | predicted | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|"
        )?;
        for (l, c) in &self.rows {
            writeln!(
                f,
                "| {l} | {} | {} | {:.2} | {:.2} | {:.2} |",
                c.tp + c.fn_,
                c.tp + c.fp,
                c.precision(),
                c.recall(),
                c.f1()
            )?;
        }
        writeln!(
            f,
            "| **macro** | {} records | coverage {:.2} | {:.2} | {:.2} | {:.2} |",
            self.records, self.coverage, self.macro_precision, self.macro_recall, self.macro_f1
        )?;
        write!(
            f,
            "micro-F1 {:.2}; top-1 accuracy {:.2}",
            self.micro_f1, self.top1_accuracy
        )
    }
}

/// The datasets with human coding the rules were tuned and the model trained on (training split
/// only): name and path under the data folder.
pub const DATASETS: &[(&str, &str)] = &[
    ("eurepoc", "eurepoc/EuRepoC_Global_Database_1.1.csv"),
    ("cfr", "cfr-cyber-operations/cyber-operations-incidents.csv"),
    ("cissm", "cissm/CISSM_cleaned.csv"),
];

/// Human-coded datasets never read to tune the rules or train the model: scored on every record,
/// as a dataset the project does not have would be. DCID 2.0's incident sheet: target type,
/// critical-infrastructure sector (DHS/CISA's sixteen) and coercive objective, coded by its
/// authors.
pub const UNSEEN_DATASETS: &[(&str, &str)] = &[("dcid", "dcid/dcid_2.0_public_june2020.csv")];

/// Every dataset `threatscape eval` scores: [`DATASETS`], then [`UNSEEN_DATASETS`].
pub fn all_datasets() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    DATASETS.iter().chain(UNSEEN_DATASETS)
}

/// The split rule, as stated in every evaluation output.
pub const SPLIT_RULE: &str = "held out: FNV-1a 64-bit hash of the record key \
(eurepoc:<ID>, cfr:<id>, cissm:<dnx_id>) is 0 mod 5 (about 20%); the rules were tuned and the \
text model trained on the other records only; DCID (never read in tuning or training) is \
scored on every record";

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A dataset file is not where the data folder should have it.
    #[error("{dataset}: no file at {path} (expected the shared data folder laid out as in its README; pass --data DIR)")]
    Missing {
        /// The dataset.
        dataset: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A dataset file could not be read.
    #[error("{dataset}: {path}: {message}")]
    Read {
        /// The dataset.
        dataset: String,
        /// The file.
        path: PathBuf,
        /// The adapter's error.
        message: String,
    },
    /// A coded file that cannot be scored: a row the template refuses, or a coded value that is
    /// not a canonical term.
    #[error("{path}: {message}")]
    Coded {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// An unknown dataset name.
    #[error("unknown dataset {0:?} (known: eurepoc, cfr, cissm, dcid)")]
    Unknown(String),
}

/// Reads a dataset's reports from a data folder.
pub fn load_dataset(data_dir: &Path, dataset: &str) -> Result<Vec<Report>, EvalError> {
    let (_, rel) = all_datasets()
        .find(|(d, _)| *d == dataset)
        .ok_or_else(|| EvalError::Unknown(dataset.to_string()))?;
    let path = data_dir.join(rel);
    if !path.is_file() {
        return Err(EvalError::Missing {
            dataset: dataset.to_string(),
            path,
        });
    }
    let read = match dataset {
        "eurepoc" => threatscape_sources::eurepoc::read(&path),
        "cfr" => threatscape_sources::cfr::read(&path),
        "dcid" => threatscape_sources::dcid::read(&path),
        _ => threatscape_sources::cissm::read(&path),
    };
    read.map(|o| o.reports).map_err(|e| EvalError::Read {
        dataset: dataset.to_string(),
        path,
        message: e.to_string(),
    })
}

/// What [`score_coded`] measured on coded files.
#[derive(Debug, Clone)]
pub struct CodedScores {
    /// The adapters that read the files (`native`, `veris`, `stix`, `cissm`...), each once.
    pub formats: Vec<&'static str>,
    /// The records scored: every record ([`Split::All`]), or [`Split::HeldOut`] when a file is
    /// one of the datasets the rules were tuned on ([`DATASETS`]): that file's held-out records
    /// only, every record of the others.
    pub split: Split,
    /// The sector and threat-kind tasks of [`coded_tasks`], at the canonical top level.
    pub results: Vec<TaskResult>,
    /// Per task: records scored whose coding reads to no canonical term in it, so they are
    /// left out of that task (EuRepoC's "Unknown" receiver, a VERIS error with no attack).
    pub left_out: Vec<(&'static str, u64)>,
    /// Coded values that no crosswalk reads: dimension, value, records that give it. They count
    /// towards `left_out` when a record has nothing else in that dimension.
    pub unread: Vec<(Dimension, String, u64)>,
}

/// Scores every record of human-coded files in any format the project reads (`format`, or the
/// one [`threatscape_sources::detect`] recognises in each file): the text rules and model
/// (title, description and victims' names, [`Mode::TextOnly`]) against the files' own coding
/// read through the crosswalks ([`Mode::FieldsOnly`], the reading the text model learns from),
/// both at the canonical top level ([`coded_tasks`]). A VCDB incident coded NAICS 622110 and
/// `malware:Ransomware` is gold `health` and `ransomware`, whatever its text says.
///
/// This is how a dataset the project does not have is measured: in its own format and labels
/// when a crosswalk reads them (`data/crosswalks/`; an analyst adds rows with `--assess-data`),
/// or in the native contributor template with the canonical ids or labels in `victim_sector` and
/// `kinds`. Every record must be accepted by its adapter, and in the native template every coded
/// value must be a canonical term, so no figure rests on silently dropped records: otherwise the
/// files are refused, naming the records. Coded values no crosswalk reads are counted and listed
/// in [`CodedScores::unread`]. A file of a dataset the rules were tuned on is scored on its
/// held-out split only.
pub fn score_coded(
    assessor: &Assessor,
    files: &[PathBuf],
    format: Option<threatscape_sources::SourceFormat>,
) -> Result<CodedScores, EvalError> {
    use threatscape_sources::SourceFormat;
    let coded = |path: &Path, message: String| EvalError::Coded {
        path: path.to_path_buf(),
        message,
    };
    let evaluator = threatscape_model::Contributor {
        name: "evaluation".to_string(),
        type_: threatscape_model::ContributorType::Academia,
        reliability: threatscape_model::Reliability::B,
    };
    let tasks = coded_tasks();
    let mut formats: Vec<&'static str> = Vec::new();
    let mut any_tuned = false;
    // Each file's reports, and whether only its held-out records are scored.
    let mut read: Vec<(Vec<Report>, Split)> = Vec::new();
    for path in files {
        let format = match format {
            Some(f) => f,
            None => threatscape_sources::detect(path).ok_or_else(|| {
                coded(
                    path,
                    "cannot tell which format this is (STIX, MISP, VERIS, a tracker's CSV or the \
                     native template): name it with --coded-format"
                        .to_string(),
                )
            })?,
        };
        let options = threatscape_sources::ReadOptions {
            contributor: (format == SourceFormat::Native).then(|| evaluator.clone()),
            tlp: None,
        };
        let out = threatscape_sources::read_file_with(format, path, &options)
            .map_err(|e| coded(path, e.to_string()))?;
        if !out.rejections.is_empty() {
            let shown: Vec<String> = out
                .rejections
                .iter()
                .take(5)
                .map(|r| format!("{}: {}", r.locator, r.message))
                .collect();
            return Err(coded(
                path,
                format!(
                    "{} of {} records are not valid {} records, so the file cannot be scored \
                     whole: {}",
                    out.rejections.len(),
                    out.read,
                    format.name(),
                    shown.join("; ")
                ),
            ));
        }
        if format == SourceFormat::Native {
            canonical_coding_only(assessor, &tasks, path, &out.reports)?;
        }
        let tuned = DATASETS.iter().any(|(d, _)| *d == format.name());
        any_tuned |= tuned;
        if !formats.contains(&format.name()) {
            formats.push(format.name());
        }
        read.push((out.reports, if tuned { Split::HeldOut } else { Split::All }));
    }
    let split = if any_tuned {
        Split::HeldOut
    } else {
        Split::All
    };
    let projections: Vec<Projection> = tasks.iter().map(|t| t.projection(assessor)).collect();
    let mut tallies = vec![Tally::default(); tasks.len()];
    let mut left_out = vec![0u64; tasks.len()];
    let mut unread: BTreeMap<(Dimension, String), BTreeSet<String>> = BTreeMap::new();
    let scored = read
        .iter()
        .flat_map(|(reports, split)| reports.iter().filter(|r| split.contains(r)));
    for r in scored {
        let (fields, not_read) = assessor.classify_report_reading(r, Mode::FieldsOnly);
        let text = assessor.classify_report(r, Mode::TextOnly);
        for u in not_read {
            if tasks.iter().any(|t| t.dimension == u.dimension) {
                unread
                    .entry((u.dimension, u.value))
                    .or_default()
                    .insert(u.report);
            }
        }
        for (i, p) in projections.iter().enumerate() {
            // The coding goes through the same merge, set-aside and threshold as the prediction.
            let (gold, _) = p.predict(&fields);
            if gold.is_empty() {
                left_out[i] += 1;
                continue;
            }
            let (mut predicted, mut top) = p.predict(&text);
            let vocab = assessor.vocabularies.get(tasks[i].dimension);
            at_the_coding_level(&gold, &mut predicted, vocab);
            at_the_coding_level(&gold, &mut top, vocab);
            tallies[i].add(&gold, &predicted, &top);
        }
    }
    Ok(CodedScores {
        formats,
        split,
        results: tasks
            .iter()
            .zip(&tallies)
            .map(|(task, tally)| TaskResult {
                task: task.name,
                dataset: task.dataset,
                split,
                scores: tally.scores(),
            })
            .collect(),
        left_out: tasks.iter().map(|t| t.name).zip(left_out).collect(),
        unread: unread
            .into_iter()
            .map(|((d, v), reports)| (d, v, reports.len() as u64))
            .collect(),
    })
}

/// Refuses a native-template file whose coding is not in the canonical vocabularies, naming the
/// first places and values.
fn canonical_coding_only(
    assessor: &Assessor,
    tasks: &[Task],
    path: &Path,
    reports: &[Report],
) -> Result<(), EvalError> {
    let mut problems = Vec::new();
    for r in reports {
        for task in tasks {
            let vocab = assessor.vocabularies.get(task.dimension);
            for v in task.values(r) {
                if vocab.find(v).is_none() {
                    problems.push(format!(
                        "{}: {v:?} is not a canonical {}",
                        r.provenance.locator,
                        match task.field {
                            Field::Sectors => "sector id or label (victim_sector)",
                            Field::Kinds => "threat-kind id or label (kinds)",
                        },
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    problems.truncate(5);
    Err(EvalError::Coded {
        path: path.to_path_buf(),
        message: format!(
            "{n} coded values are not canonical terms (crates/assess/data/sectors.csv and \
             threat_kinds.csv list the ids and labels): {}",
            problems.join("; ")
        ),
    })
}

/// Scores a prediction at the level the coding chose: where the coding gives a generic kind (a
/// disruption whose means it does not state) and the text names a means that stands for it (a
/// denial of service, ransomware, a wiper: [`Vocabulary::superseded`]), the named means counts
/// as that disruption, as a hospital counts as health. The coding is silent on the means, so
/// naming one is no error; the reverse (the text only says "went down" where the coding names
/// a DDoS) stays a miss, the prediction saying less than the coding.
fn at_the_coding_level(
    gold: &BTreeSet<String>,
    predicted: &mut BTreeSet<String>,
    vocab: &Vocabulary,
) {
    for generic in gold
        .iter()
        .filter(|g| vocab.get(g).is_some_and(|t| t.generic))
    {
        let means: Vec<String> = predicted
            .iter()
            .filter(|s| !gold.contains(*s) && vocab.superseded(generic, s))
            .cloned()
            .collect();
        if !means.is_empty() {
            for s in &means {
                predicted.remove(s);
            }
            predicted.insert(generic.clone());
        }
    }
}

/// Text-only judgments for each report (title, description and victims' names; no coded field
/// is read).
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
    let projection = task.projection(assessor);
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

/// One task's result on one split.
#[derive(Debug, Clone)]
pub struct TaskResult {
    /// The task's name.
    pub task: &'static str,
    /// The dataset.
    pub dataset: &'static str,
    /// The records scored.
    pub split: Split,
    /// The scores.
    pub scores: Scores,
}

/// Every task of `datasets` (names of [`all_datasets`]) in `data_dir`, on `split` (every record
/// of an unseen dataset), text only, with `assessor` (its rules and, when it has one, its text
/// model): what `threatscape eval` prints.
pub fn run(
    assessor: &Assessor,
    data_dir: &Path,
    datasets: &[&str],
    split: Split,
) -> Result<Vec<TaskResult>, EvalError> {
    let mut out = Vec::new();
    for dataset in datasets {
        let reports = load_dataset(data_dir, dataset)?;
        let judgments = classify_text(assessor, &reports);
        let split = Split::for_dataset(split, dataset);
        for task in tasks().into_iter().filter(|t| t.dataset == *dataset) {
            let scores = score(assessor, &task, &reports, &judgments, split);
            out.push(TaskResult {
                task: task.name,
                dataset: task.dataset,
                split,
                scores,
            });
        }
    }
    Ok(out)
}

/// What an assessor's classification is made of, for stating beside figures: the rule set's
/// version and the text model's id, if any.
pub fn versions(assessor: &Assessor) -> (String, Option<String>) {
    (
        assessor.rules.version.clone(),
        assessor.model.as_ref().map(|m| m.id.clone()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn split_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        let held = (0..1000).filter(|i| is_held_out(&format!("x:{i}"))).count();
        assert!((150..250).contains(&held), "{held}");
    }

    #[test]
    fn scores_per_label() {
        let mut t = Tally::default();
        t.add(&set(&["A"]), &set(&["A", "B"]), &set(&["A"]));
        t.add(&set(&["B"]), &set(&[]), &set(&[]));
        let s = t.scores();
        let a = s.label("A").unwrap();
        assert_eq!((a.tp, a.fp, a.fn_), (1, 0, 0));
        let b = s.label("B").unwrap();
        assert_eq!((b.tp, b.fp, b.fn_), (0, 1, 1));
        assert!((s.macro_f1 - 0.5).abs() < 1e-9);
        assert!((s.top1_accuracy - 0.5).abs() < 1e-9);
        assert!((s.coverage - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_means_named_counts_as_the_disruption_the_coding_leaves_unspecified() {
        let threats = Assessor::builtin().vocabularies.get(Dimension::Threat);
        // The coding says only that something went down; the text names a DDoS.
        let mut predicted = set(&["ddos", "espionage"]);
        at_the_coding_level(&set(&["disruption"]), &mut predicted, threats);
        assert_eq!(predicted, set(&["disruption", "espionage"]));
        // Where the coding names the DDoS, the text's mere outage stays a miss.
        let mut predicted = set(&["disruption"]);
        at_the_coding_level(&set(&["ddos"]), &mut predicted, threats);
        assert_eq!(predicted, set(&["disruption"]));
        // An espionage operation says nothing of a disruption's means.
        let mut predicted = set(&["espionage"]);
        at_the_coding_level(&set(&["disruption"]), &mut predicted, threats);
        assert_eq!(predicted, set(&["espionage"]));
        // Only a generic coded kind is read at its level: decoy ransomware, which disguises
        // itself as ransomware, is not the ransomware a coder recorded.
        let mut predicted = set(&["pseudo-ransomware"]);
        at_the_coding_level(&set(&["ransomware"]), &mut predicted, threats);
        assert_eq!(predicted, set(&["pseudo-ransomware"]));
    }

    #[test]
    fn joined_labels_are_one_class_reached_by_the_union_of_their_parts() {
        let a = Assessor::builtin();
        let task = tasks()
            .into_iter()
            .find(|t| t.name == "dcid threat kind (objective)")
            .unwrap();
        let p = task.projection(a);
        // Short- and long-term espionage are each `narrower` than espionage: together they are
        // espionage, so the canonical label stands for the joined class.
        assert_eq!(p.project("espionage"), set(&["Espionage"]));
        assert_eq!(p.project("ddos"), set(&["Disruption"]));
        // Without the join, neither code can be reached from espionage.
        let unjoined = Projection::new(
            a,
            task.dimension,
            task.vocabulary,
            &["Short-term espionage", "Long-term espionage"],
            &[],
        );
        assert!(unjoined.project("espionage").is_empty());
        // The coding reads through the join too: `threatscape eval`'s test finds the class in
        // DCID's gold labels (crates/cli/tests/it/eval.rs).
    }

    #[test]
    fn projection_follows_the_hierarchy() {
        let a = Assessor::builtin();
        let p = Projection::new(
            a,
            Dimension::Sector,
            "eurepoc-receiver",
            &[
                "Critical infrastructure",
                "Health",
                "State institutions / political system",
            ],
            &[],
        );
        assert_eq!(
            p.project("health.hospitals"),
            set(&["Critical infrastructure", "Health"])
        );
        assert_eq!(
            p.project("government.justice"),
            set(&["State institutions / political system"])
        );
    }

    #[test]
    fn a_party_is_a_political_organisation_not_the_government() {
        let a = Assessor::builtin();
        let naics = Projection::new(
            a,
            Dimension::Sector,
            "naics",
            &[
                "Public Administration",
                "Other Services (except Public Administration)",
            ],
            &[],
        );
        assert_eq!(
            naics.project("elections.parties"),
            set(&["Other Services (except Public Administration)"])
        );
        assert_eq!(
            naics.project("elections.infrastructure"),
            set(&["Public Administration"])
        );
        let cfr = Projection::new(
            a,
            Dimension::Sector,
            "cfr-category",
            &["Government", "Civil society"],
            &[],
        );
        assert_eq!(cfr.project("elections.parties"), set(&["Civil society"]));
        assert_eq!(cfr.project("elections.legislature"), set(&["Government"]));
    }

    #[test]
    fn cfr_files_intergovernmental_organisations_under_government() {
        let cfr = Projection::new(
            Assessor::builtin(),
            Dimension::Sector,
            "cfr-category",
            &["Government", "Civil society", "Private sector"],
            &[],
        );
        assert_eq!(
            cfr.project("international-organisations"),
            set(&["Government"])
        );
        assert_eq!(
            cfr.project("civil-society-media.ngos"),
            set(&["Civil society"])
        );
    }
}
