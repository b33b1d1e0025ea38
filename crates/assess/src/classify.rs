//! Classifying one report: its structured fields through the crosswalks, its title and description
//! through the text rules, and the two combined.
//!
//! Which crosswalk reads which field of which source is data (`source_vocabularies.csv`: format,
//! field, dimension, vocabulary). A source without rows there (the native template, unknown
//! formats) has its labels matched against the canonical ids and labels (in any spelling:
//! `ot-ics-sabotage` is "OT/ICS sabotage"), then against every crosswalk; so has a value of a
//! sector, kind or actor field that the source's own vocabulary does not know. A crosswalk row of at least [`EMIT_THRESHOLD`] confidence makes a judgment; a weaker
//! row (a broad source label such as "Critical infrastructure") only corroborates a judgment of
//! the same label, or of one within it, made from the text.

use threatscape_model::Report;

use crate::crosswalk::{CrosswalkRow, Relation, EMIT_THRESHOLD};
use crate::judgment::{Judgment, MENTION_CEILING, MENTION_PREFIX};
use crate::text::{Field, Texts};
use crate::vocab::{Dimension, StateResponsibility};
use crate::Assessor;

/// The dimensions where the text model only fills the rules' gaps ([`Assessor::classify_report`]).
/// Threat kinds: a second kind beside the one the rules found is a claim about what happened,
/// and five-fold cross-validation inside the training split showed the model's extra kinds cost
/// more than they bring (threat macro-F1 up on EuRepoC, CFR and CISSM with the gap rule, more
/// still when an enabling kind does not close the gap; for sectors it did not help, so they
/// keep every label the model gives). EVALUATION.md has the figures.
pub const MODEL_FILLS_GAPS: &[Dimension] = &[Dimension::Threat];

/// The parts of a report that say whom an operation hit: its title (the report's main point), its
/// victims' names and what it says a named victim is. A sector the description alone names may
/// be the attacker's ("a Russian research institute"), the sanctioner's ("the Treasury"), the
/// motive ("to fund its missile programmes") or the date ("on a Muslim holiday"); in a report
/// that codes its victims' sectors precisely it is a mention, not a finding
/// ([`crate::judgment::MENTION_PREFIX`]).
pub const ABOUT_THE_VICTIMS: &[Field] = &[Field::Title, Field::Victims, Field::VictimDescriptions];

/// What a classification may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Structured fields and text.
    Full,
    /// What the report says, not how anyone coded it: its title, description and victims'
    /// names ([`Texts`]). How the text rules and the model are evaluated against a dataset's
    /// coding: no coded field is read, so no crosswalk of the very field being predicted.
    TextOnly,
    /// Structured fields only.
    FieldsOnly,
}

/// Which report field a source vocabulary is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceField {
    /// Each victim's sector labels.
    VictimSectors,
    /// The report's kinds.
    Kinds,
    /// Each actor's category (and each attributed actor's).
    ActorCategories,
    /// Tags `<namespace>:<value>`; the value (quotes removed, `predicate="v"` read as
    /// `predicate=v`) is the label.
    Tag(String),
}

impl SourceField {
    /// Reads `victims.sectors`, `kinds`, `actors.category` or `tag:<namespace>`.
    pub fn parse(text: &str) -> Option<SourceField> {
        Some(match text {
            "victims.sectors" => SourceField::VictimSectors,
            "kinds" => SourceField::Kinds,
            "actors.category" => SourceField::ActorCategories,
            t => SourceField::Tag(t.strip_prefix("tag:")?.to_string()),
        })
    }
}

/// One line of `source_vocabularies.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceVocabulary {
    /// The adapter's format name (`eurepoc`).
    pub format: String,
    /// The field read.
    pub field: SourceField,
    /// The dimension it maps into.
    pub dimension: Dimension,
    /// The crosswalk vocabulary used.
    pub vocabulary: String,
}

/// A labelled value of a report field, with where it was found.
struct Value<'a> {
    place: String,
    text: &'a str,
}

fn values<'a>(report: &'a Report, field: &SourceField) -> Vec<Value<'a>> {
    let mut out = Vec::new();
    match field {
        SourceField::VictimSectors => {
            for (i, v) in report.victims.iter().enumerate() {
                for s in &v.sectors {
                    out.push(Value {
                        place: format!("victims[{i}].sectors"),
                        text: s,
                    });
                }
            }
        }
        SourceField::Kinds => {
            for k in &report.kinds {
                out.push(Value {
                    place: "kinds".to_string(),
                    text: k,
                });
            }
        }
        SourceField::ActorCategories => {
            // A category may list several values ("nation-state; criminal" for a STIX threat
            // actor with two types): each is read.
            for (i, a) in report.actors.iter().enumerate() {
                for c in a.category.iter().flat_map(|c| c.split(';')).map(str::trim) {
                    out.push(Value {
                        place: format!("actors[{i}].category"),
                        text: c,
                    });
                }
            }
            for (i, a) in report.attributions.iter().enumerate() {
                for c in a
                    .actor
                    .category
                    .iter()
                    .flat_map(|c| c.split(';'))
                    .map(str::trim)
                {
                    out.push(Value {
                        place: format!("attributions[{i}].actor.category"),
                        text: c,
                    });
                }
            }
        }
        SourceField::Tag(namespace) => {
            for t in &report.tags {
                if let Some(rest) = t
                    .strip_prefix(namespace.as_str())
                    .and_then(|r| r.strip_prefix(':'))
                {
                    out.push(Value {
                        place: "tags".to_string(),
                        text: rest,
                    });
                }
            }
        }
    }
    out
}

/// A tag value as crosswalks write it: quotes removed (`a="b"` -> `a=b`).
fn tag_label(text: &str) -> String {
    text.replace('"', "").trim().to_string()
}

/// A coded value of a report that no vocabulary reads: neither the source's own crosswalk, nor
/// the canonical vocabulary, nor any crosswalk knows it ("Shipbuilding" as a NAICS industry, a
/// producer's own word for a kind). It is kept in the assessment, so that an analyst sees what
/// the judgments could not use and can add a crosswalk row or a decision, rather than dropped.
// Fields in this order: the derived order sorts by report, then dimension, place and value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct UnreadValue {
    /// The key of the report that holds it.
    pub report: String,
    /// The dimension the field is read for.
    pub dimension: Dimension,
    /// Where in the report: `victims[0].sectors`, `kinds`, `actors[1].category`, `tags`.
    pub place: String,
    /// The value as the report gives it.
    pub value: String,
}

impl Assessor {
    /// Classifies one report: every judgment about it, per dimension, with its rationale.
    pub fn classify_report(&self, report: &Report, mode: Mode) -> Vec<Judgment> {
        self.classify_report_reading(report, mode).0
    }

    /// Classifies one report, and says which of its coded values nothing could read
    /// ([`UnreadValue`]; none in [`Mode::TextOnly`], which reads no coded field).
    pub fn classify_report_reading(
        &self,
        report: &Report,
        mode: Mode,
    ) -> (Vec<Judgment>, Vec<UnreadValue>) {
        let key = report.key();
        let mut strong: Vec<Judgment> = Vec::new();
        let mut weak: Vec<Judgment> = Vec::new();
        let mut unread: Vec<UnreadValue> = Vec::new();
        if mode != Mode::TextOnly {
            self.classify_fields(report, &key, &mut strong, &mut weak, &mut unread);
        }
        if mode != Mode::FieldsOnly {
            // Cut once, read by both the rules and the model.
            let texts = Texts::of(report);
            let (ruled, suppressed) = self.rules.apply_suppressing(&texts, Some(&key));
            let coded = self.sectors_coded_precisely(&strong);
            let direct: Vec<String> = if coded.is_empty() {
                Vec::new()
            } else {
                self.rules
                    .apply(&texts.only(ABOUT_THE_VICTIMS), None)
                    .into_iter()
                    .filter(|j| j.dimension == Dimension::Sector)
                    .map(|j| j.label)
                    .collect()
            };
            let sectors = self.vocabularies.get(Dimension::Sector);
            let allowed = if coded.is_empty() {
                Vec::new()
            } else {
                self.sectors_a_precise_code_allows(&strong, &weak)
            };
            let as_found = |j: Judgment| {
                let mentioned = !coded.is_empty()
                    && j.dimension == Dimension::Sector
                    && !direct.contains(&j.label)
                    && !coded
                        .iter()
                        .any(|c| sectors.is_within(&j.label, c) || sectors.is_within(c, &j.label))
                    && !allowed.iter().any(|a| sectors.is_within(&j.label, a));
                if mentioned {
                    mention(j, &coded)
                } else {
                    j
                }
            };
            strong.extend(ruled.into_iter().map(as_found));
            if let Some(model) = &self.model {
                // Judged against what the coded fields and the rules found; a label a firing
                // rule cancels is not the model's to give back.
                let modelled: Vec<Judgment> = model
                    .judgments(&texts, Some(&key))
                    .into_iter()
                    .filter(|m| {
                        !suppressed
                            .iter()
                            .any(|s| s.0 == m.dimension && s.1 == m.label)
                    })
                    .filter(|m| self.model_may_add(m, &strong))
                    .map(as_found)
                    .collect();
                strong.extend(modelled);
            }
        }
        // Weak crosswalk rows corroborate what was found, within its hierarchy.
        let mut corroborations = Vec::new();
        for w in weak {
            let vocab = self.vocabularies.get(w.dimension);
            // A mention is not corroborated into a finding.
            let mut labels: Vec<String> = strong
                .iter()
                .filter(|s| !s.is_mention())
                .filter(|s| s.dimension == w.dimension && vocab.is_within(&s.label, &w.label))
                .map(|s| s.label.clone())
                .collect();
            labels.dedup();
            for label in labels {
                corroborations.push(Judgment { label, ..w.clone() });
            }
        }
        strong.extend(corroborations);
        (dedupe(strong), unread)
    }

    /// The sectors that a coded value which is a canonical sector (a `same` row) also stands for,
    /// by its own weaker `broader` rows: NAICS "Manufacturing" is manufacturing, and covers the
    /// defence industry and pharmaceuticals too, so "a defense contractor" in the description of
    /// a victim coded so tells which manufacturer it is, not another victim. A looser code allows
    /// nothing here: EuRepoC's "Social groups" (civil society, and now and then an armed group)
    /// would otherwise let an armed group the text names as the actor pass for the victim.
    fn sectors_a_precise_code_allows(&self, found: &[Judgment], weak: &[Judgment]) -> Vec<String> {
        let same: Vec<&Judgment> = found
            .iter()
            .filter(|j| j.dimension == Dimension::Sector)
            .filter(|j| {
                self.crosswalk_rows_of(j)
                    .iter()
                    .any(|r| matches!(r.relation, Relation::Same))
            })
            .collect();
        let mut out: Vec<String> = Vec::new();
        for w in weak.iter().filter(|w| w.dimension == Dimension::Sector) {
            let broader = self
                .crosswalk_rows_of(w)
                .iter()
                .any(|r| matches!(r.relation, Relation::Broader));
            let same_value = same.iter().any(|p| p.evidence == w.evidence);
            if broader && same_value && !out.contains(&w.label) {
                out.push(w.label.clone());
            }
        }
        out
    }

    /// The rows of a source's crosswalk that made a sector judgment (`crosswalk:<vocabulary>:
    /// <label>`) of its label; none for any other maker, nor for a canonical word.
    fn crosswalk_rows_of(&self, j: &Judgment) -> Vec<&CrosswalkRow> {
        j.rule_id
            .strip_prefix(crate::crosswalk::RULE_PREFIX)
            .and_then(|source| source.split_once(':'))
            .map(|(vocabulary, label)| {
                self.crosswalks
                    .lookup(Dimension::Sector, vocabulary, label)
                    .into_iter()
                    .filter(|r| r.canonical == j.label)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The sectors a report's coded fields give precisely (a crosswalk row of the `same` concept
    /// or a narrower source label, or a canonical word): "Hospitals", not "Critical
    /// infrastructure" or CFR's "Government", which leave the text to say which.
    fn sectors_coded_precisely(&self, found: &[Judgment]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for j in found.iter().filter(|j| j.dimension == Dimension::Sector) {
            let precise = j.rule_id.starts_with("crosswalk:canonical:")
                || self
                    .crosswalk_rows_of(j)
                    .iter()
                    .any(|r| matches!(r.relation, Relation::Same | Relation::Narrower));
            if precise && !out.contains(&j.label) {
                out.push(j.label.clone());
            }
        }
        out
    }

    /// Whether a judgment of the text model stands beside what was `found` already (by the text
    /// rules, and by the coded fields when they are read). In the dimensions of
    /// [`MODEL_FILLS_GAPS`], the model speaks alone only where nothing was found but kinds that
    /// leave the gap open (enabling ones, [`crate::vocab::Vocabulary::leaves_gap_open`]); beside
    /// a found label it corroborates (the same label, or one within or above it) or stays silent.
    /// Elsewhere every label it gives stands.
    fn model_may_add(&self, m: &Judgment, found: &[Judgment]) -> bool {
        if !MODEL_FILLS_GAPS.contains(&m.dimension) {
            return true;
        }
        let vocab = self.vocabularies.get(m.dimension);
        // An enabling kind (intrusion, supply-chain compromise) says how access was gained, not
        // what was done with it: it leaves the gap open.
        let mut same = found
            .iter()
            .filter(|r| r.dimension == m.dimension)
            .filter(|r| !vocab.leaves_gap_open(&r.label))
            .peekable();
        same.peek().is_none()
            || same
                .any(|r| vocab.is_within(&m.label, &r.label) || vocab.is_within(&r.label, &m.label))
    }

    fn classify_fields(
        &self,
        report: &Report,
        key: &str,
        strong: &mut Vec<Judgment>,
        weak: &mut Vec<Judgment>,
        unread: &mut Vec<UnreadValue>,
    ) {
        let unread_value = |dimension: Dimension, v: &Value<'_>| UnreadValue {
            report: key.to_string(),
            dimension,
            place: v.place.clone(),
            value: v.text.to_string(),
        };
        let format = report.provenance.format.as_str();
        let version = self.rules.version.as_str();
        let push = |strong: &mut Vec<Judgment>,
                    weak: &mut Vec<Judgment>,
                    dimension: Dimension,
                    row: &CrosswalkRow,
                    evidence: String| {
            let j = Judgment {
                dimension,
                label: row.canonical.clone(),
                confidence: row.confidence,
                rule_id: row.rule_id(),
                evidence: vec![evidence],
                made_by: version.to_string(),
                report: Some(key.to_string()),
            };
            if row.confidence >= EMIT_THRESHOLD {
                strong.push(j);
            } else {
                weak.push(j);
            }
        };
        let specific: Vec<&SourceVocabulary> =
            self.sources.iter().filter(|s| s.format == format).collect();
        // Values of a main field that the source's own vocabulary does not know (a producer's
        // own word for a kind, "ot-ics-sabotage" in a STIX bundle): read below as a source
        // without a vocabulary is, rather than dropped.
        let mut unknown: Vec<(Dimension, Value<'_>)> = Vec::new();
        // A field may have several vocabularies (a STIX victim's sectors are industry-sector-ov
        // words or OpenCTI's sector names): a value is read by the first that knows it (in the
        // order of `source_vocabularies.csv`; one value is one piece of evidence, not one per
        // vocabulary), and is unknown only when none does.
        let mut fields: Vec<(&SourceField, Dimension)> = Vec::new();
        for s in &specific {
            if !fields.contains(&(&s.field, s.dimension)) {
                fields.push((&s.field, s.dimension));
            }
        }
        for (field, dimension) in fields {
            let vocabularies: Vec<&str> = specific
                .iter()
                .filter(|s| &s.field == field && s.dimension == dimension)
                .map(|s| s.vocabulary.as_str())
                .collect();
            for v in values(report, field) {
                let label = match field {
                    SourceField::Tag(_) => tag_label(v.text),
                    _ => v.text.to_string(),
                };
                let rows: Vec<&CrosswalkRow> = vocabularies
                    .iter()
                    .map(|vocabulary| self.crosswalks.lookup(dimension, vocabulary, &label))
                    .find(|rows| !rows.is_empty())
                    .unwrap_or_default();
                if rows.is_empty() {
                    // A tag's namespace is the vocabulary itself (`nis2:...`): no other
                    // vocabulary would read its value.
                    if matches!(field, SourceField::Tag(_)) {
                        unread.push(unread_value(dimension, &v));
                    } else {
                        unknown.push((dimension, v));
                    }
                    continue;
                }
                for row in rows {
                    push(
                        strong,
                        weak,
                        dimension,
                        row,
                        format!("{}: \"{}\"", v.place, v.text),
                    );
                }
            }
        }
        // Sources with no vocabulary of their own for a field, and the values a source's
        // vocabulary does not know: canonical words, then any crosswalk.
        let generic = [
            (SourceField::VictimSectors, Dimension::Sector),
            (SourceField::Kinds, Dimension::Threat),
            (SourceField::ActorCategories, Dimension::Actor),
        ];
        let without_vocabulary = generic.into_iter().filter(|(field, dimension)| {
            !specific
                .iter()
                .any(|s| s.field == *field && s.dimension == *dimension)
        });
        let generic_values: Vec<(Dimension, Value<'_>)> = without_vocabulary
            .flat_map(|(field, dimension)| {
                values(report, &field)
                    .into_iter()
                    .map(move |v| (dimension, v))
            })
            .chain(unknown)
            .collect();
        for (dimension, v) in generic_values {
            let evidence = format!("{}: \"{}\"", v.place, v.text);
            if let Some(id) = self.vocabularies.get(dimension).find(v.text) {
                strong.push(Judgment {
                    dimension,
                    label: id.to_string(),
                    confidence: 0.9,
                    rule_id: format!("crosswalk:canonical:{}", v.text.trim()),
                    evidence: vec![evidence],
                    made_by: self.rules.version.clone(),
                    report: Some(key.to_string()),
                });
                continue;
            }
            let rows = self.crosswalks.lookup_any(dimension, v.text);
            let best = rows
                .iter()
                .filter(|r| r.confidence >= EMIT_THRESHOLD)
                .max_by(|a, b| a.confidence.total_cmp(&b.confidence));
            match best {
                Some(row) => push(strong, weak, dimension, row, evidence),
                // Rows too weak to judge alone ("Critical infrastructure") still corroborate,
                // as they do for a source's own vocabulary.
                None if !rows.is_empty() => {
                    for row in rows {
                        push(strong, weak, dimension, row, evidence.clone());
                    }
                }
                None => unread.push(unread_value(dimension, &v)),
            }
        }
        // MISP's state-responsibility spectrum, from tags and attributions, whatever the source.
        let spectrum: Vec<(String, &str)> = report
            .tags
            .iter()
            .filter_map(|t| {
                t.strip_prefix("state-responsibility:")
                    .map(|v| ("tags", t, v))
            })
            .map(|(p, t, v)| (format!("{p}: \"{t}\""), v))
            .chain(report.attributions.iter().enumerate().filter_map(|(i, a)| {
                let v = a.state_responsibility.as_deref()?;
                Some((
                    format!("attributions[{i}].state_responsibility: \"{v}\""),
                    v,
                ))
            }))
            .collect();
        for (evidence, value) in spectrum {
            if let Some(step) = StateResponsibility::parse(&tag_label(value)) {
                strong.push(Judgment {
                    dimension: Dimension::Responsibility,
                    label: step.id().to_string(),
                    confidence: 0.9,
                    rule_id: format!("crosswalk:misp-state-responsibility:{}", step.id()),
                    evidence: vec![evidence],
                    made_by: self.rules.version.clone(),
                    report: Some(key.to_string()),
                });
            }
        }
    }
}

/// One judgment per (dimension, label, rule id): the strongest confidence, all the evidence.
fn dedupe(judgments: Vec<Judgment>) -> Vec<Judgment> {
    let mut out: Vec<Judgment> = Vec::new();
    for j in judgments {
        match out
            .iter_mut()
            .find(|o| o.dimension == j.dimension && o.label == j.label && o.rule_id == j.rule_id)
        {
            Some(o) => {
                o.confidence = o.confidence.max(j.confidence);
                for e in j.evidence {
                    if !o.evidence.contains(&e) {
                        o.evidence.push(e);
                    }
                }
            }
            None => out.push(j),
        }
    }
    out
}

/// A sector judgment made a mention: its rule id marked, its confidence at most
/// [`MENTION_CEILING`], and why in its evidence.
fn mention(mut j: Judgment, coded: &[String]) -> Judgment {
    j.rule_id = format!("{MENTION_PREFIX}{}", j.rule_id);
    j.confidence = j.confidence.min(MENTION_CEILING);
    j.evidence.push(format!(
        "a mention: the report codes its victims' sectors ({}) and names this one only in its description",
        coded.join(", ")
    ));
    j
}
