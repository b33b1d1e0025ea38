//! A statistical text model beside the rules: one-vs-rest logistic regression over the words and
//! word pairs of what a report says (its title, description and victims' names: [`Texts`]),
//! predicting canonical sector and threat-kind labels.
//!
//! Why a small implementation rather than a crate: the model is a sparse linear scorer whose
//! parameters ship as a readable text file (`data/text_model.tsv`), and every label it produces
//! must name the terms that weighed most for it. Training is a few dozen lines of stochastic
//! gradient descent (AdaGrad, L2); inference is a hash lookup per term. linfa-logistic and
//! smartcore work on dense matrices (tens of thousands of columns here) and would add ndarray and
//! a solver stack to every build of the crate for that.
//!
//! What it learns from: the human coding of the shared datasets (EuRepoC, CFR, CISSM), training
//! split only, brought into the canonical vocabularies through the crosswalks (see
//! [`training_labels`]). A label is learnt from the records of a source whose coding can express
//! it (CFR codes no hospitals, so a CFR record says nothing about `health`); a record with no
//! label of a dimension is left out of that dimension's training. Terms are words and word pairs
//! of letters (no numbers, so no record ids or years), and each word of a victim's name once more
//! as such ([`VICTIM_TERM`]), kept when they occur in at least [`MIN_DOCUMENT_FREQUENCY`] training
//! records.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use threatscape_model::Report;

use crate::error::AssessError;
use crate::judgment::Judgment;
use crate::text::{Field, Texts};
use crate::vocab::Dimension;
use crate::{Assessor, Mode};

/// A term must occur in this many training records to become a feature.
pub const MIN_DOCUMENT_FREQUENCY: usize = 4;
/// A label is produced from this probability on.
pub const EMIT_PROBABILITY: f64 = 0.5;
/// How many contributing terms a judgment names.
pub const EVIDENCE_TERMS: usize = 5;

/// Catch-all labels the model does not learn: "other or unknown" is the coders' absence of a
/// finding, not something a text shows; a record coded only so counts as uncoded.
pub const NOT_LEARNT: &[&str] = &["other"];

/// The dimensions the model predicts.
pub const DIMENSIONS: [Dimension; 2] = [Dimension::Sector, Dimension::Threat];
/// How the model's judgments name their maker: `model:<id>`.
pub const RULE_PREFIX: &str = "model:";

/// A trained model: per label a bias, per term its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct TextModel {
    /// Name and version, e.g. `text-lr/2026-11.1`; judgments are made by `model:<id>`.
    pub id: String,
    /// What it was trained on (datasets, split, counts), as written in the file.
    pub trained_on: String,
    /// The labels, in column order.
    pub labels: Vec<(Dimension, String)>,
    /// Per label: the bias (log-odds with no term).
    pub bias: Vec<f32>,
    /// Per term: (label column, weight) for every non-zero weight.
    pub weights: HashMap<String, Vec<(u16, f32)>>,
}

/// The prefix of a term that is a word of a victim's name (`victim:bank`), beside the plain word.
pub const VICTIM_TERM: &str = "victim:";

/// The terms of a report's texts: words of letters (at least two), each pair of adjacent such
/// words within a sentence, and each word of a victim's name prefixed with [`VICTIM_TERM`], without
/// repeats. The same word counts once wherever it is (and once more as a word of a name).
pub fn terms(texts: &Texts) -> Vec<String> {
    let mut out = BTreeSet::new();
    // What a report says a victim is repeats words of its title or description: nothing new.
    for (field, _, ws) in texts
        .parts()
        .filter(|(f, _, _)| *f != Field::VictimDescriptions)
    {
        let mut previous: Option<(&str, u32)> = None;
        for w in ws {
            let keep = w.text.chars().count() >= 2 && w.text.chars().all(char::is_alphabetic);
            if !keep {
                previous = None;
                continue;
            }
            let function_word = is_function_word(&w.text);
            if !function_word {
                out.insert(w.text.clone());
                // A word of a victim's name counts twice: as the word, and as a word of the name,
                // which says whom the operation hit ("victim:bank") where the description may name
                // the actor or the source ("the government said").
                if field == Field::Victims {
                    out.insert(format!("{VICTIM_TERM}{}", w.text));
                }
            }
            if let Some((p, sentence)) = previous {
                if sentence == w.sentence && !(function_word && is_function_word(p)) {
                    out.insert(format!("{p} {}", w.text));
                }
            }
            previous = Some((&w.text, w.sentence));
        }
    }
    out.into_iter().collect()
}

/// Words that say nothing of a sector or a kind by themselves: articles, pronouns, auxiliaries,
/// prepositions and conjunctions. They are no term, nor is a pair of two of them ("on the"); a pair
/// with one other word still is ("attack on", "taken down"). Learnt as terms, they carried labels
/// by chance: "their" alone gave a misconfigured cloud bucket a media victim at p = 0.79. Words of
/// direction and negation that do carry meaning in a pair are not listed ("down", "off", "out").
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "during", "each", "either", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
    "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me", "might", "more", "most",
    "must", "my", "neither", "nor", "not", "now", "of", "on", "once", "only", "or", "other", "our",
    "ours", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "thus", "to", "too", "under", "until", "upon", "very", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will",
    "with", "would", "yet", "you", "your", "yours",
];

fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.binary_search(&word).is_ok()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One label's prediction for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Which vocabulary.
    pub dimension: Dimension,
    /// The canonical label.
    pub label: String,
    /// The model's probability.
    pub probability: f64,
    /// The terms that pushed it up most, with their contribution to the log-odds.
    pub top_terms: Vec<(String, f64)>,
}

impl TextModel {
    /// Every label's probability for a report's texts, highest first.
    pub fn predict(&self, texts: &Texts) -> Vec<Prediction> {
        self.predict_from(&terms(texts), 0.0)
    }

    /// The predictions of probability at least `min_probability` from a text's [`terms`],
    /// highest first. Only those labels get their top terms, which is most of the work.
    fn predict_from(&self, terms: &[String], min_probability: f64) -> Vec<Prediction> {
        let known: Vec<(&String, &Vec<(u16, f32)>)> = terms
            .iter()
            .filter_map(|t| self.weights.get(t).map(|w| (t, w)))
            .collect();
        let scale = 1.0 / (known.len().max(1) as f64).sqrt();
        let mut z: Vec<f64> = self.bias.iter().map(|b| f64::from(*b)).collect();
        for (_, ws) in &known {
            for (col, w) in ws.iter() {
                z[*col as usize] += f64::from(*w) * scale;
            }
        }
        let mut out: Vec<Prediction> = self
            .labels
            .iter()
            .enumerate()
            .filter_map(|(col, (dimension, label))| {
                let probability = sigmoid(z[col]);
                if probability < min_probability {
                    return None;
                }
                // The terms in text order, then strongest first (a stable sort keeps ties in
                // text order).
                let mut top: Vec<(usize, f64)> = known
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (_, ws))| {
                        let (_, w) = ws.iter().find(|(c, _)| usize::from(*c) == col)?;
                        let c = f64::from(*w) * scale;
                        (c > 0.0).then_some((i, c))
                    })
                    .collect();
                top.sort_by(|a, b| b.1.total_cmp(&a.1));
                top.truncate(EVIDENCE_TERMS);
                Some(Prediction {
                    dimension: *dimension,
                    label: label.clone(),
                    probability,
                    top_terms: top
                        .into_iter()
                        .map(|(i, c)| (known[i].0.clone(), c))
                        .collect(),
                })
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out
    }

    /// The judgments the model makes on a report's texts: each label of probability at least
    /// [`EMIT_PROBABILITY`] that at least one term of the text speaks for, with its probability as
    /// confidence and its top terms as evidence.
    pub fn judgments(&self, texts: &Texts, report: Option<&str>) -> Vec<Judgment> {
        self.predict_from(&terms(texts), EMIT_PROBABILITY)
            .into_iter()
            // A label no term of the text speaks for rests on the model's bias alone, which
            // stands for no base rate: short accounts, whose few words push it down little, got
            // "elections" with no evidence at all. Every label the model gives names its words.
            .filter(|p| !p.top_terms.is_empty())
            .map(|p| Judgment {
                dimension: p.dimension,
                label: p.label,
                confidence: (p.probability * 1000.0).round() / 1000.0,
                rule_id: format!("{RULE_PREFIX}{}", self.id),
                evidence: vec![format!(
                    "p={:.2}; top terms: {}",
                    p.probability,
                    p.top_terms
                        .iter()
                        .map(|(t, c)| format!("\"{t}\" (+{c:.2})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )],
                made_by: self.id.clone(),
                report: report.map(str::to_string),
            })
            .collect()
    }

    /// Reads the model file. Its lines: `@id<TAB>…`, `@trained_on<TAB>…`, `@labels<TAB>dim:label…`,
    /// `@bias<TAB>w…`, then one `term<TAB>col:w col:w…` per term (terms are letters and spaces, so
    /// never start with `@`); `#` starts a comment line.
    pub fn parse(file: &str, text: &str) -> Result<TextModel, AssessError> {
        let mut id = None;
        let mut trained_on = String::new();
        let mut labels: Vec<(Dimension, String)> = Vec::new();
        let mut bias: Vec<f32> = Vec::new();
        let mut weights = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let place = || format!("line {}", n + 1);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (head, rest) = line
                .split_once('\t')
                .ok_or_else(|| AssessError::data(file, place(), "expected a tab"))?;
            match head {
                "@id" => id = Some(rest.to_string()),
                "@trained_on" => trained_on = rest.to_string(),
                "@labels" => {
                    for l in rest.split('\t') {
                        let (d, label) = l
                            .split_once(':')
                            .and_then(|(d, l)| Some((Dimension::from_prefix(d)?, l)))
                            .ok_or_else(|| {
                                AssessError::data(
                                    file,
                                    place(),
                                    format!("label {l:?} is not <dimension>:<id>"),
                                )
                            })?;
                        labels.push((d, label.to_string()));
                    }
                }
                "@bias" => {
                    for b in rest.split('\t') {
                        bias.push(b.parse().map_err(|_| {
                            AssessError::data(file, place(), format!("bias {b:?} is not a number"))
                        })?);
                    }
                }
                term => {
                    let mut ws = Vec::new();
                    for cw in rest.split(' ') {
                        let parsed = cw.split_once(':').and_then(|(c, w)| {
                            Some((c.parse::<u16>().ok()?, w.parse::<f32>().ok()?))
                        });
                        match parsed {
                            Some((c, w)) if (c as usize) < labels.len() => ws.push((c, w)),
                            _ => {
                                return Err(AssessError::data(
                                    file,
                                    place(),
                                    format!(
                                        "term {term:?}: {cw:?} is not <label column>:<weight> \
                                         with a column under {}",
                                        labels.len()
                                    ),
                                ))
                            }
                        }
                    }
                    weights.insert(term.to_string(), ws);
                }
            }
        }
        let id = id.ok_or_else(|| AssessError::data(file, "header", "no `@id` line"))?;
        if bias.len() != labels.len() || labels.is_empty() {
            return Err(AssessError::data(
                file,
                "header",
                format!("{} labels but {} biases", labels.len(), bias.len()),
            ));
        }
        Ok(TextModel {
            id,
            trained_on,
            labels,
            bias,
            weights,
        })
    }

    /// Writes the model file that [`TextModel::parse`] reads, terms sorted, weights rounded to
    /// three decimals (zeros dropped).
    pub fn write(&self) -> String {
        let mut out = String::new();
        out.push_str("# Text model of threatscape-assess: one-vs-rest logistic regression over words and word\n");
        out.push_str("# pairs. Regenerate with `cargo run -p threatscape-assess --release --example train_model`.\n");
        out.push_str(&format!(
            "@id\t{}\n@trained_on\t{}\n@labels",
            self.id, self.trained_on
        ));
        for (d, l) in &self.labels {
            out.push_str(&format!("\t{}:{l}", d.prefix()));
        }
        out.push_str("\n@bias");
        for b in &self.bias {
            out.push_str(&format!("\t{}", round3(*b)));
        }
        out.push('\n');
        let sorted: BTreeMap<&String, &Vec<(u16, f32)>> = self.weights.iter().collect();
        for (term, ws) in sorted {
            let cells: Vec<String> = ws
                .iter()
                .filter(|(_, w)| round3(*w) != 0.0)
                .map(|(c, w)| format!("{c}:{}", round3(*w)))
                .collect();
            if !cells.is_empty() {
                out.push_str(&format!("{term}\t{}\n", cells.join(" ")));
            }
        }
        out
    }
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// The canonical labels a record's human coding stands for, per dimension the model predicts:
/// its coded fields read through the crosswalks (no text), each label with every label above it,
/// less the catch-alls of [`NOT_LEARNT`].
pub fn training_labels(assessor: &Assessor, report: &Report) -> BTreeSet<(Dimension, String)> {
    let mut out = BTreeSet::new();
    for j in assessor.classify_report(report, Mode::FieldsOnly) {
        if !DIMENSIONS.contains(&j.dimension)
            || j.confidence < crate::LABEL_THRESHOLD
            || NOT_LEARNT.contains(&j.label.as_str())
        {
            continue;
        }
        let vocab = assessor.vocabularies.get(j.dimension);
        for id in vocab.lineage(&j.label) {
            out.insert((j.dimension, id.to_string()));
        }
    }
    out
}

/// How training runs.
#[derive(Debug, Clone)]
pub struct TrainingOptions {
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad's base step.
    pub learning_rate: f64,
    /// L2 penalty per example.
    pub l2: f64,
    /// A label needs this many positive records in a source for that source to teach it.
    pub min_positives: usize,
    /// Weights smaller than this in magnitude are dropped after training (smaller file, same
    /// predictions to the second decimal).
    pub prune_below: f64,
    /// Learn one bias per source and label instead of one per label, and ship their mean. The
    /// sources' base rates differ (nine in ten CFR records are espionage, under half of
    /// EuRepoC's): with one shared bias the largest source's rates become every report's prior.
    /// With a bias per source the term weights carry the evidence, and a report of any source
    /// starts from the sources' average rate.
    pub per_source_bias: bool,
    /// A term is learnt only when records of at least this many sources contain it, so that one
    /// dataset's own habits of wording (EuRepoC's titles "X vs. Y") carry no label.
    pub min_sources: usize,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        TrainingOptions {
            epochs: 12,
            learning_rate: 0.5,
            l2: 1e-4,
            min_positives: 5,
            prune_below: 0.75,
            per_source_bias: false,
            min_sources: 1,
        }
    }
}

/// One training record: where it came from, its text, its canonical labels.
#[derive(Debug, Clone)]
pub struct Example {
    /// The source format (which coding conventions the labels follow).
    pub source: String,
    /// The record's terms.
    pub terms: Vec<String>,
    /// Its canonical labels.
    pub labels: BTreeSet<(Dimension, String)>,
}

impl Example {
    /// The example of a report: its terms and the canonical labels its coding stands for.
    pub fn of(assessor: &Assessor, report: &Report) -> Example {
        Example {
            source: report.provenance.format.clone(),
            terms: terms(&Texts::of(report)),
            labels: training_labels(assessor, report),
        }
    }
}

/// Trains a model. Deterministic: the order of examples is fixed by a seeded shuffle.
pub fn train(
    id: &str,
    trained_on: &str,
    examples: &[Example],
    options: &TrainingOptions,
) -> TextModel {
    // Which labels each source can teach, and which dimensions each example is coded in.
    let mut positives: BTreeMap<(&str, &(Dimension, String)), usize> = BTreeMap::new();
    for e in examples {
        for l in &e.labels {
            *positives.entry((e.source.as_str(), l)).or_default() += 1;
        }
    }
    let mut taught: BTreeMap<&(Dimension, String), BTreeSet<&str>> = BTreeMap::new();
    for ((source, label), n) in &positives {
        if *n >= options.min_positives {
            taught.entry(*label).or_default().insert(*source);
        }
    }
    let labels: Vec<(Dimension, String)> = taught.keys().map(|l| (*l).clone()).collect();
    // The sources, in order: a bias row each when biases are per source, a bit each below.
    let sources: Vec<&str> = {
        let mut s: Vec<&str> = examples.iter().map(|e| e.source.as_str()).collect();
        s.sort_unstable();
        s.dedup();
        s
    };
    let source_of: Vec<usize> = examples
        .iter()
        .map(|e| {
            sources
                .binary_search(&e.source.as_str())
                .expect("every example's source is listed")
        })
        .collect();
    // Vocabulary by document frequency, and by how many sources use the term (one bit per
    // source; a source past the 64th shares the last bit, so at most undercounts).
    let mut df: HashMap<&str, (usize, u64)> = HashMap::new();
    for (e, &source) in examples.iter().zip(&source_of) {
        for t in &e.terms {
            let (n, seen) = df.entry(t.as_str()).or_default();
            *n += 1;
            *seen |= 1 << source.min(63);
        }
    }
    let mut vocabulary: Vec<&str> = df
        .iter()
        .filter(|(_, (n, seen))| {
            *n >= MIN_DOCUMENT_FREQUENCY && seen.count_ones() as usize >= options.min_sources
        })
        .map(|(t, _)| *t)
        .collect();
    vocabulary.sort_unstable();
    let index: HashMap<&str, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i))
        .collect();
    let docs: Vec<Vec<usize>> = examples
        .iter()
        .map(|e| {
            e.terms
                .iter()
                .filter_map(|t| index.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    let (n_labels, n_terms) = (labels.len(), vocabulary.len());
    let mut w = vec![0.0f64; n_labels * n_terms];
    let mut g2 = vec![1e-8f64; n_labels * n_terms];
    // One bias row per source when biases are per source, else one shared row.
    let rows = if options.per_source_bias {
        sources.len()
    } else {
        1
    };
    let bias_row: Vec<usize> = source_of
        .iter()
        .map(|&source| if options.per_source_bias { source } else { 0 })
        .collect();
    let mut bias = vec![0.0f64; n_labels * rows];
    let mut bias_g2 = vec![1e-8f64; n_labels * rows];
    // Per label: which examples teach it (their source teaches it and they are coded in its
    // dimension), and whether positive.
    let coded: Vec<BTreeSet<Dimension>> = examples
        .iter()
        .map(|e| e.labels.iter().map(|(d, _)| *d).collect())
        .collect();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..options.epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let e = &examples[i];
            let doc = &docs[i];
            let scale = 1.0 / (doc.len().max(1) as f64).sqrt();
            for (col, label) in labels.iter().enumerate() {
                if !coded[i].contains(&label.0) || !taught[label].contains(e.source.as_str()) {
                    continue;
                }
                let y = if e.labels.contains(label) { 1.0 } else { 0.0 };
                let row = col * n_terms;
                let b = bias_row[i] * n_labels + col;
                let z = bias[b] + doc.iter().map(|t| w[row + t]).sum::<f64>() * scale;
                let err = sigmoid(z) - y;
                bias_g2[b] += err * err;
                bias[b] -= options.learning_rate * err / bias_g2[b].sqrt();
                for t in doc {
                    let k = row + t;
                    let g = err * scale + options.l2 * w[k];
                    g2[k] += g * g;
                    w[k] -= options.learning_rate * g / g2[k].sqrt();
                }
            }
        }
    }
    let mut weights: HashMap<String, Vec<(u16, f32)>> = HashMap::new();
    for (t, term) in vocabulary.iter().enumerate() {
        let ws: Vec<(u16, f32)> = (0..n_labels)
            .filter_map(|col| {
                let v = w[col * n_terms + t];
                (v.abs() >= options.prune_below).then_some((col as u16, v as f32))
            })
            .collect();
        if !ws.is_empty() {
            weights.insert((*term).to_string(), ws);
        }
    }
    // The shipped bias: the shared one, or the mean over the sources that teach the label.
    let shipped: Vec<f32> = labels
        .iter()
        .enumerate()
        .map(|(col, label)| {
            if !options.per_source_bias {
                return bias[col] as f32;
            }
            let teaching: Vec<f64> = sources
                .iter()
                .enumerate()
                .filter(|(_, s)| taught[label].contains(**s))
                .map(|(r, _)| bias[r * n_labels + col])
                .collect();
            (teaching.iter().sum::<f64>() / teaching.len().max(1) as f64) as f32
        })
        .collect();
    TextModel {
        id: id.to_string(),
        trained_on: trained_on.to_string(),
        labels,
        bias: shipped,
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(source: &str, text: &str, labels: &[(Dimension, &str)]) -> Example {
        Example {
            source: source.to_string(),
            terms: terms(&Texts::new(Some(text), None, None)),
            labels: labels.iter().map(|(d, l)| (*d, l.to_string())).collect(),
        }
    }

    #[test]
    fn terms_are_words_and_pairs_without_numbers_in_every_text_and_a_victims_words_again() {
        let t = terms(&Texts::new(
            Some("Ransomware hit 3 hospitals."),
            Some("Data stolen"),
            Some("Grid Co.\nBig Bank"),
        ));
        assert_eq!(
            t,
            vec![
                "bank",
                "big",
                "big bank",
                "co",
                "data",
                "data stolen",
                "grid",
                "grid co",
                "hit",
                "hospitals",
                "ransomware",
                "ransomware hit",
                "stolen",
                "victim:bank",
                "victim:big",
                "victim:co",
                "victim:grid",
            ]
        );
    }

    #[test]
    fn learns_separates_and_round_trips() {
        let mut examples = Vec::new();
        for i in 0..20 {
            // Terms named like the file's header lines must not be taken for them.
            let filler = ["id", "bias", "labels", "alpha"][i % 4];
            examples.push(example(
                "a",
                &format!("hospital patients {filler}"),
                &[(Dimension::Sector, "health")],
            ));
            examples.push(example(
                "a",
                &format!("ministry officials {filler}"),
                &[(Dimension::Sector, "government")],
            ));
        }
        let model = train(
            "test/1",
            "synthetic",
            &examples,
            &TrainingOptions::default(),
        );
        let p = model.predict(&Texts::new(Some("patients of a hospital"), None, None));
        assert_eq!(p[0].label, "health");
        assert!(p[0].probability > 0.8, "{p:?}");
        assert!(p[0].top_terms.iter().any(|(t, _)| t == "hospital"));
        let j = model.judgments(
            &Texts::new(Some("the ministry officials"), None, None),
            Some("k"),
        );
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].label, "government");
        assert_eq!(j[0].rule_id, "model:test/1");
        assert!(
            j[0].evidence[0].contains("\"ministry\""),
            "{:?}",
            j[0].evidence
        );
        let again = TextModel::parse("m.tsv", &model.write()).unwrap();
        assert_eq!(again.labels, model.labels);
        let q = again.predict(&Texts::new(Some("patients of a hospital"), None, None));
        assert!((q[0].probability - p[0].probability).abs() < 0.01);
        assert_eq!(again.id, "test/1");
    }

    #[test]
    fn a_source_only_teaches_labels_it_codes() {
        let mut examples = Vec::new();
        for _ in 0..10 {
            examples.push(example("a", "hospital", &[(Dimension::Sector, "health")]));
            examples.push(example("a", "bank", &[(Dimension::Sector, "finance")]));
            // Source b never codes health: its hospital records must not count against it.
            examples.push(example("b", "hospital", &[(Dimension::Sector, "finance")]));
        }
        let model = train("t/1", "x", &examples, &TrainingOptions::default());
        let p = model.predict(&Texts::new(Some("hospital"), None, None));
        let health = p.iter().find(|p| p.label == "health").unwrap();
        assert!(health.probability > 0.5, "{p:?}");
    }

    #[test]
    fn a_bias_per_source_ships_the_sources_average_prior() {
        // Source a: 150 records, nine in ten health; source b: 50 records, one in ten (enough
        // for both to teach the label). No term says anything, so the prior is all there is.
        let mut examples = Vec::new();
        for i in 0..200 {
            let (source, positive) = if i < 150 {
                ("a", i % 10 != 0)
            } else {
                ("b", i % 10 == 0)
            };
            let label = if positive { "health" } else { "finance" };
            examples.push(example(source, "", &[(Dimension::Sector, label)]));
        }
        let prior = |per_source_bias: bool| {
            let options = TrainingOptions {
                per_source_bias,
                epochs: 40,
                ..TrainingOptions::default()
            };
            let model = train("t/1", "x", &examples, &options);
            let col = model
                .labels
                .iter()
                .position(|(_, l)| l == "health")
                .unwrap();
            sigmoid(f64::from(model.bias[col]))
        };
        let (shared, averaged) = (prior(false), prior(true));
        // One shared bias learns the pooled rate (70%), dominated by the larger source.
        assert!((shared - 0.70).abs() < 0.05, "{shared}");
        // One per source, averaged in log-odds: logit(0.9) and logit(0.1) meet at 0.5.
        assert!((averaged - 0.5).abs() < 0.05, "{averaged}");
    }

    #[test]
    fn function_words_are_no_terms_and_every_label_names_a_word_for_it() {
        let t = terms(&Texts::new(
            Some("They hit the bank of the city"),
            None,
            None,
        ));
        // Sorted, as the binary search in `is_function_word` needs.
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        for absent in ["they", "the", "of", "of the"] {
            assert!(!t.contains(&absent.to_string()), "{absent}: {t:?}");
        }
        for present in ["hit", "bank", "hit the", "bank of", "the city"] {
            assert!(t.contains(&present.to_string()), "{present}: {t:?}");
        }
        // "elections" is over the line on its bias alone (p = 0.66 here), with no word for it:
        // no judgment. "health" has "hospital" for it.
        let model = TextModel::parse(
            "m.tsv",
            "@id\tt/1\n@labels\tsector:elections\tsector:health\n@bias\t1\t-2\n\
             hospital\t1:4\nward\t0:-0.5\n",
        )
        .unwrap();
        let texts = Texts::new(Some("hospital ward"), None, None);
        let elections = model
            .predict(&texts)
            .into_iter()
            .find(|p| p.label == "elections");
        assert!(elections.is_some_and(|p| p.probability > 0.5 && p.top_terms.is_empty()));
        let judged: Vec<String> = model
            .judgments(&texts, None)
            .into_iter()
            .map(|j| j.label)
            .collect();
        assert_eq!(judged, ["health"]);
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = TextModel::parse(
            "m.tsv",
            "@id\tx\n@labels\tsector:health\n@bias\t0.1\nword\t3:0.5\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("m.tsv: line 4"), "{e}");
        let e = TextModel::parse("m.tsv", "@labels\tnope\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
