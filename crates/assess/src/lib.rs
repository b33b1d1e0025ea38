#![warn(missing_docs)]
//! Assessment: what kind of threat an incident is, which sectors it hit, who is behind it, what
//! harm it did and how intense it was, each conclusion a judgment with its rationale.
//!
//! How the pieces fit:
//! - [`vocab`]: the canonical vocabularies (sectors, threat kinds, actor categories, ransomware
//!   roles, harm dimensions, populations) read from data files, and MISP's state-responsibility
//!   spectrum as [`StateResponsibility`];
//! - [`crosswalk`]: how other vocabularies' labels map onto the canonical ones (EuRepoC, CFR,
//!   NAICS, DCID, MISP sectors, NIS2, DHS CIIP, STIX, VERIS);
//! - [`text`] and [`rules`]: phrase rules over a report's title, description, victims' names and
//!   what it says its victims are, with negation, and implication rules over an incident's
//!   findings, read from `rules.toml` (and `organisations.toml`: well-known victims' sectors);
//! - [`classify`]: one report's judgments, from its fields, its text, or both ([`Mode`]);
//! - [`assess`]: an incident's [`Assessment`] from its reports: judgments merged into
//!   [`Finding`]s, implications, and the [`Intensity`] score;
//! - [`conflict`]: armed conflicts (`conflicts.toml`), linking incidents to them and spill-over
//!   to third States;
//! - [`links`]: rules from an incident's findings to Security Council agenda items
//!   (`agenda.toml`) and the UN norms (a)-(k) (`norms.toml`), each link with a rationale;
//! - [`decision`]: analysts' confirmations, rejections and additions, applied by every
//!   assessment beside the machine's judgments;
//! - [`eval`]: measuring the classification against a dataset's human coding on a held-out split.
//!
//! Everything is data an analyst can read and edit (`crates/assess/data`): the built-in files are
//! compiled in, and [`Assessor::from_dir`] reads a folder that overrides any of them. The crate
//! does no I/O beyond reading that folder, and keeps no state between calls.

pub mod assess;
pub mod classify;
pub mod conflict;
pub mod crosswalk;
mod csvdata;
pub mod decision;
pub mod error;
pub mod eval;
pub mod judgment;
pub mod links;
pub mod model;
pub mod rules;
pub mod text;
pub mod vocab;

use std::path::Path;
use std::sync::OnceLock;

use threatscape_model::Report;

pub use assess::{Assessment, Component, Intensity, LABEL_THRESHOLD};
pub use classify::{Mode, SourceField, SourceVocabulary, UnreadValue};
pub use conflict::{Conflict, Conflicts};
pub use crosswalk::{CrosswalkRow, Crosswalks, Relation};
pub use decision::{AnalystVerdict, AppliedDecision, Decision, Verdict};
pub use error::AssessError;
pub use judgment::{Finding, Judgment};
pub use links::LinkRules;
pub use rules::RuleSet;
pub use vocab::{Dimension, Effect, StateResponsibility, Term, Vocabularies, Vocabulary};

/// The built-in data files, by their path under `crates/assess/data`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("sectors.csv", include_str!("../data/sectors.csv")),
    ("text_model.tsv", include_str!("../data/text_model.tsv")),
    ("threat_kinds.csv", include_str!("../data/threat_kinds.csv")),
    (
        "actor_categories.csv",
        include_str!("../data/actor_categories.csv"),
    ),
    ("raas_roles.csv", include_str!("../data/raas_roles.csv")),
    (
        "harm_dimensions.csv",
        include_str!("../data/harm_dimensions.csv"),
    ),
    ("populations.csv", include_str!("../data/populations.csv")),
    ("scale.csv", include_str!("../data/scale.csv")),
    ("duration.csv", include_str!("../data/duration.csv")),
    (
        "source_vocabularies.csv",
        include_str!("../data/source_vocabularies.csv"),
    ),
    ("rules.toml", include_str!("../data/rules.toml")),
    (
        "organisations.toml",
        include_str!("../data/organisations.toml"),
    ),
    ("conflicts.toml", include_str!("../data/conflicts.toml")),
    ("agenda.toml", include_str!("../data/agenda.toml")),
    ("norms.toml", include_str!("../data/norms.toml")),
    (
        "crosswalks/sector-eurepoc.csv",
        include_str!("../data/crosswalks/sector-eurepoc.csv"),
    ),
    (
        "crosswalks/sector-cfr.csv",
        include_str!("../data/crosswalks/sector-cfr.csv"),
    ),
    (
        "crosswalks/sector-naics.csv",
        include_str!("../data/crosswalks/sector-naics.csv"),
    ),
    (
        "crosswalks/sector-dcid.csv",
        include_str!("../data/crosswalks/sector-dcid.csv"),
    ),
    (
        "crosswalks/sector-misp.csv",
        include_str!("../data/crosswalks/sector-misp.csv"),
    ),
    (
        "crosswalks/sector-nis2.csv",
        include_str!("../data/crosswalks/sector-nis2.csv"),
    ),
    (
        "crosswalks/sector-dhs-ciip.csv",
        include_str!("../data/crosswalks/sector-dhs-ciip.csv"),
    ),
    (
        "crosswalks/sector-stix.csv",
        include_str!("../data/crosswalks/sector-stix.csv"),
    ),
    (
        "crosswalks/sector-opencti.csv",
        include_str!("../data/crosswalks/sector-opencti.csv"),
    ),
    (
        "crosswalks/threat-eurepoc.csv",
        include_str!("../data/crosswalks/threat-eurepoc.csv"),
    ),
    (
        "crosswalks/threat-cfr.csv",
        include_str!("../data/crosswalks/threat-cfr.csv"),
    ),
    (
        "crosswalks/threat-cissm.csv",
        include_str!("../data/crosswalks/threat-cissm.csv"),
    ),
    (
        "crosswalks/threat-dcid.csv",
        include_str!("../data/crosswalks/threat-dcid.csv"),
    ),
    (
        "crosswalks/threat-veris.csv",
        include_str!("../data/crosswalks/threat-veris.csv"),
    ),
    (
        "crosswalks/threat-misp.csv",
        include_str!("../data/crosswalks/threat-misp.csv"),
    ),
    (
        "crosswalks/actor-eurepoc.csv",
        include_str!("../data/crosswalks/actor-eurepoc.csv"),
    ),
    (
        "crosswalks/actor-others.csv",
        include_str!("../data/crosswalks/actor-others.csv"),
    ),
    (
        "crosswalks/raas-misp.csv",
        include_str!("../data/crosswalks/raas-misp.csv"),
    ),
    (
        "crosswalks/responsibility-eurepoc.csv",
        include_str!("../data/crosswalks/responsibility-eurepoc.csv"),
    ),
];

/// Everything an assessment needs: vocabularies, crosswalks, which source field reads which
/// crosswalk, and the rules.
#[derive(Debug, Clone)]
pub struct Assessor {
    /// The canonical vocabularies.
    pub vocabularies: Vocabularies,
    /// The crosswalks into them.
    pub crosswalks: Crosswalks,
    /// Which crosswalk each source's fields are read with.
    pub sources: Vec<SourceVocabulary>,
    /// The text and implication rules.
    pub rules: RuleSet,
    /// Armed conflicts and how incidents are linked to them.
    pub conflicts: Conflicts,
    /// Rules linking incidents to Security Council agenda items.
    pub agenda: LinkRules,
    /// Rules linking incidents to the norms (a)-(k).
    pub norms: LinkRules,
    /// The statistical text model read beside the text rules (`text_model.tsv`), if shipped.
    pub model: Option<model::TextModel>,
}

/// Assesses one incident from its reports with the built-in data.
pub fn assess_reports(reports: &[Report]) -> Assessment {
    Assessor::builtin().assess_reports(reports)
}

/// [`Assessor::install`] came too late: an assessor was already in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an assessor is already in use; install one before anything assesses")]
pub struct AssessorInUse;

/// The assessor this process uses ([`Assessor::global`]), once chosen.
static GLOBAL: OnceLock<&'static Assessor> = OnceLock::new();

impl Assessor {
    /// The assessor over the built-in data, built once.
    ///
    /// # Panics
    /// If the built-in data is inconsistent, which the crate's tests rule out.
    pub fn builtin() -> &'static Assessor {
        static BUILTIN: OnceLock<Assessor> = OnceLock::new();
        BUILTIN.get_or_init(|| Assessor::load_builtin().expect("the built-in data files are valid"))
    }

    /// The assessor every command and page of this process uses: the one [`Assessor::install`]
    /// set at start-up (a deployment's own data folder, read with [`Assessor::from_dir`]), else
    /// [`Assessor::builtin`].
    pub fn global() -> &'static Assessor {
        GLOBAL.get_or_init(Assessor::builtin)
    }

    /// Makes `assessor` the one [`Assessor::global`] returns for the rest of the process, so that
    /// an analyst's edited vocabularies, crosswalks and rules hold everywhere at once (assessment,
    /// briefings, the web app, the evaluation). Refused when an assessor is already in use: call
    /// it at start-up, before anything assesses.
    pub fn install(assessor: Assessor) -> Result<(), AssessorInUse> {
        if GLOBAL.get().is_some() {
            return Err(AssessorInUse);
        }
        // Leaked once: it lives as long as the process, as the built-in one does.
        GLOBAL
            .set(Box::leak(Box::new(assessor)))
            .map_err(|_| AssessorInUse)
    }

    /// The top-level canonical actor category a source's actor-category value reads as on its
    /// own: a canonical word ("state"), else the surest crosswalk row of any source vocabulary
    /// that judges alone (confidence at least [`crosswalk::EMIT_THRESHOLD`]): EuRepoC's
    /// "Non-state actor, state-affiliation suggested" reads as `state-affiliated`. `None` when
    /// nothing reads it, or only rows too weak to judge alone. A value holding several categories
    /// ("State; State") reads as the first part that reads at all.
    pub fn actor_category(&self, value: &str) -> Option<&str> {
        let actors = self.vocabularies.get(Dimension::Actor);
        value.split(';').map(str::trim).find_map(|part| {
            let id = actors.find(part).or_else(|| {
                self.crosswalks
                    .lookup_any(Dimension::Actor, part)
                    .into_iter()
                    .filter(|r| r.confidence >= crosswalk::EMIT_THRESHOLD)
                    .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
                    .map(|r| r.canonical.as_str())
            })?;
            Some(actors.top_level(id))
        })
    }

    /// Whether an incident can have `label` of `dimension` only when its actor is named a State
    /// or State-affiliated one: those actor categories themselves, and the agenda items and
    /// norms every rule of which requires such an actor, directly or through another such link
    /// (norm (f) requires one; the item on threats to international peace and security from
    /// State activity against critical infrastructure rests on norm (f)). Counts of such labels
    /// wait on attribution, which often comes months or years after an operation.
    pub fn rests_on_state_attribution(&self, dimension: Dimension, label: &str) -> bool {
        self.state_bound(dimension, Some(label), 0)
    }

    fn state_bound(&self, dimension: Dimension, label: Option<&str>, depth: u8) -> bool {
        let links = match dimension {
            Dimension::Actor => {
                return label.is_some_and(|l| {
                    matches!(
                        self.vocabularies.get(Dimension::Actor).top_level(l),
                        "state" | "state-affiliated"
                    )
                })
            }
            Dimension::Agenda => &self.agenda,
            Dimension::Norm => &self.norms,
            _ => return false,
        };
        // Links rest on links a level or two deep; the bound stops a cycle an edited file made.
        let Some(label) = label.filter(|_| depth < 4) else {
            return false;
        };
        // A country item is also given by the rules tried for each country item.
        let item = links.country_items.iter().any(|(id, _)| id == label);
        let mut giving = links
            .rules
            .iter()
            .filter(|r| r.label.as_deref().map_or(item, |l| l == label))
            .peekable();
        giving.peek().is_some()
            && giving.all(|r| r.rests_on(&|d, l| self.state_bound(d, l, depth + 1)))
    }

    /// Builds an assessor from the built-in data.
    pub fn load_builtin() -> Result<Assessor, AssessError> {
        let files: Vec<(String, String)> = BUILTIN_FILES
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        Assessor::from_files(&files)
    }

    /// Builds an assessor from a folder laid out like `crates/assess/data`: each file there
    /// replaces the built-in file of the same path, and any other `crosswalks/*.csv` is added.
    pub fn from_dir(dir: &Path) -> Result<Assessor, AssessError> {
        // A mistyped folder would otherwise leave every file built-in without a word.
        if !dir.is_dir() {
            return Err(AssessError::Io {
                file: dir.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such folder (it should be laid out like crates/assess/data)",
                ),
            });
        }
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| AssessError::Io {
                file: path.display().to_string(),
                source,
            })
        };
        let mut files: Vec<(String, String)> = Vec::new();
        for (rel, text) in BUILTIN_FILES {
            let p = dir.join(rel);
            if p.is_file() {
                files.push((p.display().to_string(), read(&p)?));
            } else {
                files.push((rel.to_string(), text.to_string()));
            }
        }
        let extra = dir.join("crosswalks");
        if extra.is_dir() {
            let mut paths: Vec<_> = std::fs::read_dir(&extra)
                .map_err(|source| AssessError::Io {
                    file: extra.display().to_string(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "csv"))
                .collect();
            paths.sort();
            for p in paths {
                let name = format!(
                    "crosswalks/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                );
                if !BUILTIN_FILES.iter().any(|(rel, _)| *rel == name) {
                    files.push((p.display().to_string(), read(&p)?));
                }
            }
        }
        Assessor::from_files(&files)
    }

    /// Builds an assessor from (path, content) pairs; paths end like the built-in ones.
    fn from_files(files: &[(String, String)]) -> Result<Assessor, AssessError> {
        let find = |name: &str| {
            files
                .iter()
                .find(|(p, _)| p == name || p.ends_with(&format!("/{name}")))
                .ok_or_else(|| AssessError::data(name, "file", "the file is missing"))
        };
        let vocab = |dimension: Dimension, name: &str| {
            let (path, text) = find(name)?;
            vocab::parse_vocabulary(dimension, path, text)
        };
        let (path, text) = find("conflicts.toml")?;
        let conflicts = Conflicts::parse(path, text)?;
        let reference = threatscape_reference::Reference::embedded();
        let vocabularies = Vocabularies {
            sectors: vocab(Dimension::Sector, "sectors.csv")?,
            threats: vocab(Dimension::Threat, "threat_kinds.csv")?,
            actors: vocab(Dimension::Actor, "actor_categories.csv")?,
            raas: vocab(Dimension::Raas, "raas_roles.csv")?,
            responsibility: StateResponsibility::vocabulary(),
            harms: vocab(Dimension::Harm, "harm_dimensions.csv")?,
            populations: vocab(Dimension::Population, "populations.csv")?,
            scale: vocab(Dimension::Scale, "scale.csv")?,
            duration: vocab(Dimension::Duration, "duration.csv")?,
            conflicts: conflicts.vocabulary(path)?,
            agenda: agenda_vocabulary(&reference)?,
            norms: norm_vocabulary(&reference)?,
        };
        let mut crosswalks = Crosswalks::default();
        for (path, text) in files {
            if path.contains("crosswalks/") || path.contains("crosswalks\\") {
                crosswalks.add_file(path, text, &vocabularies)?;
            }
        }
        let (path, text) = find("source_vocabularies.csv")?;
        let sources = parse_sources(path, text)?;
        let (path, text) = find("rules.toml")?;
        let (orgs_path, orgs) = find("organisations.toml")?;
        let rules = RuleSet::parse_with(path, text, &[(orgs_path, orgs)], &vocabularies)?;
        let (path, text) = find("agenda.toml")?;
        let agenda = LinkRules::parse(
            Dimension::Agenda,
            path,
            text,
            &vocabularies.agenda,
            &vocabularies,
        )?;
        let (path, text) = find("norms.toml")?;
        let norms = LinkRules::parse(
            Dimension::Norm,
            path,
            text,
            &vocabularies.norms,
            &vocabularies,
        )?;
        Ok(Assessor {
            vocabularies,
            crosswalks,
            sources,
            rules,
            conflicts,
            agenda,
            norms,
            model: match find("text_model.tsv") {
                Ok((path, text)) => Some(model::TextModel::parse(path, text)?),
                Err(_) => None,
            },
        })
    }
}

/// The Council's agenda items (reference crate) as a vocabulary: id, title, kind and sanctions
/// committee.
fn agenda_vocabulary(
    reference: &threatscape_reference::Reference,
) -> Result<Vocabulary, AssessError> {
    let terms = reference
        .agenda_items
        .iter()
        .map(|a| Term {
            id: a.id.clone(),
            parent: None,
            label: a.title.clone(),
            definition: match &a.related_sanctions_committee {
                Some(c) => format!("{}; sanctions committee: {c}", a.kind),
                None => a.kind.clone(),
            },
            criticality: None,
            effect: None,
            generic: false,
            disguises: None,
        })
        .collect();
    Vocabulary::new(Dimension::Agenda, threatscape_reference::AGENDA, terms)
}

/// The norms of A/70/174 para 13 (reference crate) as a vocabulary, by letter.
fn norm_vocabulary(
    reference: &threatscape_reference::Reference,
) -> Result<Vocabulary, AssessError> {
    let terms = reference
        .norms
        .iter()
        .map(|n| Term {
            id: n.id.clone(),
            parent: None,
            label: n.name(),
            definition: n.paraphrase.clone(),
            criticality: None,
            effect: None,
            generic: false,
            disguises: None,
        })
        .collect();
    Vocabulary::new(Dimension::Norm, threatscape_reference::NORMS, terms)
}

fn parse_sources(file: &str, text: &str) -> Result<Vec<SourceVocabulary>, AssessError> {
    let table = csvdata::Table::parse(file, text, &["format", "field", "dimension", "vocabulary"])?;
    let mut out = Vec::new();
    for row in &table.rows {
        let place = format!("line {}", row.line);
        let cell = |c: &str| table.get(row, c).unwrap_or_default();
        let field = SourceField::parse(cell("field")).ok_or_else(|| {
            AssessError::data(
                file,
                &place,
                format!(
                    "field `{}` is not victims.sectors, kinds, actors.category or tag:<namespace>",
                    cell("field")
                ),
            )
        })?;
        let dimension = Dimension::from_prefix(cell("dimension")).ok_or_else(|| {
            AssessError::data(
                file,
                &place,
                format!("`{}` is not a dimension", cell("dimension")),
            )
        })?;
        out.push(SourceVocabulary {
            format: cell("format").to_string(),
            field,
            dimension,
            vocabulary: cell("vocabulary").to_string(),
        });
    }
    Ok(out)
}
