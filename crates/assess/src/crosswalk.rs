//! Crosswalks: how other vocabularies' labels (EuRepoC receiver categories, CFR victim
//! categories, NAICS, NIS2, DHS CIIP, MISP sectors, ...) map onto the canonical ones.
//!
//! Each row of a crosswalk file says: in vocabulary V, label L relates to canonical term C in this
//! way, with this confidence, and why. The file's name says the dimension (`sector-*.csv`,
//! `threat-*.csv`, `actor-*.csv`, `raas-*.csv`, `responsibility-*.csv`).
//!
//! The relation is the source label's, seen from the canonical term:
//! - `same`: the same concept;
//! - `narrower`: the source label is narrower (every record with it is C; "Bank" -> finance);
//! - `broader`: the source label is broader (a record that is C is also L, not the other way;
//!   "Critical infrastructure" -> health);
//! - `related`: they overlap.
//!
//! The confidence is how likely a record with the source label is C. A row of at least
//! [`EMIT_THRESHOLD`] makes a judgment on its own; a weaker row only corroborates a judgment the
//! text already made (see `classify`). The relation is what the evaluation uses to project a
//! canonical label back onto a dataset's coding (`same` and `broader` rows only).

use std::collections::HashMap;

use crate::csvdata::Table;
use crate::error::AssessError;
use crate::vocab::{normalise, Dimension, Vocabularies};

/// A crosswalk row of at least this confidence makes a judgment by itself.
pub const EMIT_THRESHOLD: f64 = 0.5;

/// How a source label relates to a canonical term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The same concept.
    Same,
    /// The source label is narrower than the canonical term.
    Narrower,
    /// The source label is broader than the canonical term.
    Broader,
    /// They overlap.
    Related,
}

impl Relation {
    fn parse(text: &str) -> Option<Relation> {
        Some(match text {
            "same" => Relation::Same,
            "narrower" => Relation::Narrower,
            "broader" => Relation::Broader,
            "related" => Relation::Related,
            _ => return None,
        })
    }
}

/// One crosswalk row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CrosswalkRow {
    /// The canonical vocabulary the row maps into.
    pub dimension: Dimension,
    /// The source vocabulary (`eurepoc-receiver`, `naics`, `misp-sector`...).
    pub vocabulary: String,
    /// The source label, as the source writes it.
    pub source_label: String,
    /// The canonical id.
    pub canonical: String,
    /// How the source label relates to the canonical term.
    pub relation: Relation,
    /// How likely a record with the source label is the canonical term (0-1).
    pub confidence: f64,
    /// Why, when it needs saying.
    pub notes: String,
    /// The file and line the row came from.
    pub origin: String,
}

/// How judgments made from a crosswalk row name their maker: `crosswalk:<vocabulary>:<label>`.
pub const RULE_PREFIX: &str = "crosswalk:";

impl CrosswalkRow {
    /// The rule id judgments made from this row carry: `crosswalk:<vocabulary>:<source label>`.
    pub fn rule_id(&self) -> String {
        format!("{RULE_PREFIX}{}:{}", self.vocabulary, self.source_label)
    }
}

/// The dimension a crosswalk file maps into, from its name (`sector-eurepoc.csv` -> sector).
pub fn dimension_of_file(name: &str) -> Option<Dimension> {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let prefix = stem.split('-').next()?;
    Dimension::from_prefix(prefix)
}

/// Every crosswalk row, indexed by (dimension, vocabulary, normalised label).
#[derive(Debug, Clone, Default)]
pub struct Crosswalks {
    rows: Vec<CrosswalkRow>,
    index: HashMap<(Dimension, String, String), Vec<usize>>,
    /// The same by (dimension, normalised label) over every vocabulary, rows in file order: what
    /// [`Crosswalks::lookup_any`] reads for every native report, so never a scan of every row.
    any_index: HashMap<(Dimension, String), Vec<usize>>,
}

impl Crosswalks {
    /// Parses one crosswalk file and adds its rows, checking every canonical id exists.
    pub fn add_file(
        &mut self,
        file: &str,
        text: &str,
        vocabularies: &Vocabularies,
    ) -> Result<(), AssessError> {
        let dimension = dimension_of_file(file).ok_or_else(|| {
            AssessError::data(
                file,
                "file name",
                "a crosswalk file's name starts with its dimension: sector-, threat-, actor-, raas- or responsibility-",
            )
        })?;
        let vocab = vocabularies.get(dimension);
        let table = Table::parse(
            file,
            text,
            &[
                "vocabulary",
                "source_label",
                "canonical",
                "relation",
                "confidence",
            ],
        )?;
        for row in &table.rows {
            let place = format!("line {}", row.line);
            let cell = |c: &str| table.get(row, c).unwrap_or_default();
            let canonical = cell("canonical");
            if !vocab.contains(canonical) {
                return Err(AssessError::data(
                    file,
                    &place,
                    format!("`{canonical}` is not a {dimension} id of the canonical vocabulary"),
                ));
            }
            let relation = Relation::parse(cell("relation")).ok_or_else(|| {
                AssessError::data(
                    file,
                    &place,
                    format!(
                        "relation `{}` is not one of same, narrower, broader, related",
                        cell("relation")
                    ),
                )
            })?;
            let confidence = cell("confidence")
                .parse::<f64>()
                .ok()
                .filter(|c| (0.0..=1.0).contains(c))
                .ok_or_else(|| {
                    AssessError::data(
                        file,
                        &place,
                        format!(
                            "confidence `{}` is not a number from 0 to 1",
                            cell("confidence")
                        ),
                    )
                })?;
            let vocabulary = cell("vocabulary");
            let source_label = cell("source_label");
            if vocabulary.is_empty() || source_label.is_empty() {
                return Err(AssessError::data(
                    file,
                    &place,
                    "`vocabulary` and `source_label` must not be empty",
                ));
            }
            self.push(CrosswalkRow {
                dimension,
                vocabulary: vocabulary.to_string(),
                source_label: source_label.to_string(),
                canonical: canonical.to_string(),
                relation,
                confidence,
                notes: cell("notes").to_string(),
                origin: format!("{file}:{}", row.line),
            });
        }
        Ok(())
    }

    fn push(&mut self, row: CrosswalkRow) {
        let key = (
            row.dimension,
            row.vocabulary.clone(),
            normalise(&row.source_label),
        );
        self.any_index
            .entry((row.dimension, key.2.clone()))
            .or_default()
            .push(self.rows.len());
        self.index.entry(key).or_default().push(self.rows.len());
        self.rows.push(row);
    }

    /// Every row.
    pub fn rows(&self) -> &[CrosswalkRow] {
        &self.rows
    }

    /// The rows for a label of a vocabulary (compared ignoring case and spacing). For the `naics`
    /// vocabulary a numeric code takes the rows of its longest listed prefix (`622110` -> `622`).
    /// A label `category:variety` with no row of its own takes its category's rows: a VERIS
    /// `hacking:Backdoor` (a variety newer than the rows) is read as `hacking`, an intrusion,
    /// where `hacking:DoS` keeps its own row.
    pub fn lookup(
        &self,
        dimension: Dimension,
        vocabulary: &str,
        label: &str,
    ) -> Vec<&CrosswalkRow> {
        let n = normalise(label);
        let find = |l: &str| {
            self.index
                .get(&(dimension, vocabulary.to_string(), l.to_string()))
                .map(|ix| ix.iter().map(|&i| &self.rows[i]).collect::<Vec<_>>())
        };
        if let Some(rows) = find(&n) {
            return rows;
        }
        if vocabulary == "naics" {
            let digits = n.split('.').next().unwrap_or("");
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                for len in (2..digits.len()).rev() {
                    if let Some(rows) = find(&digits[..len]) {
                        return rows;
                    }
                }
            }
        }
        if let Some((category, _)) = label.rsplit_once(':') {
            return self.lookup(dimension, vocabulary, category);
        }
        Vec::new()
    }

    /// The rows that map any vocabulary's `label` onto a term (used for sources with no
    /// vocabulary of their own, such as the native template).
    pub fn lookup_any(&self, dimension: Dimension, label: &str) -> Vec<&CrosswalkRow> {
        self.any_index
            .get(&(dimension, normalise(label)))
            .map_or_else(Vec::new, |ix| ix.iter().map(|&i| &self.rows[i]).collect())
    }

    /// The source vocabularies of a dimension, each with how many distinct source labels it maps.
    pub fn coverage(&self, dimension: Dimension) -> Vec<(String, usize)> {
        let mut labels: HashMap<&str, std::collections::HashSet<String>> = HashMap::new();
        for r in self.rows.iter().filter(|r| r.dimension == dimension) {
            labels
                .entry(r.vocabulary.as_str())
                .or_default()
                .insert(normalise(&r.source_label));
        }
        let mut out: Vec<(String, usize)> = labels
            .into_iter()
            .map(|(v, s)| (v.to_string(), s.len()))
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::vocab::Dimension;
    use crate::Assessor;

    #[test]
    fn a_variety_without_a_row_is_read_as_its_category() {
        let c = &Assessor::builtin().crosswalks;
        let canonical = |label: &str| -> Vec<String> {
            c.lookup(Dimension::Threat, "veris-action", label)
                .iter()
                .map(|r| r.canonical.clone())
                .collect()
        };
        assert_eq!(canonical("hacking:DoS"), ["ddos"], "its own row first");
        assert_eq!(canonical("hacking:Backdoor"), ["intrusion"]);
        assert_eq!(canonical("hacking"), ["intrusion"], "the category alone");
        assert!(
            canonical("error:Misdelivery").is_empty(),
            "no row for the category either"
        );
        // NAICS codes still take their longest listed prefix.
        assert!(!c.lookup(Dimension::Sector, "naics", "622110").is_empty());
    }
}
