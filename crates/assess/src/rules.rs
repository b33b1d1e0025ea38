//! Text rules and implication rules, read from `rules.toml`.
//!
//! A text rule gives a label when one of its phrases is in a report's title, description or a
//! victim's name (see [`Texts`]):
//!
//! ```toml
//! [[rule]]
//! id = "threat.ransomware"          # stable: judgments name it
//! label = "threat:ransomware"       # dimension:canonical id
//! confidence = 0.9
//! phrases = ["ransomware", "encrypted their files"]
//! requires = []     # optional: one of these must be in the text too
//! unless = []       # optional: none of these may be in the text
//! except = []       # optional: a phrase match that overlaps a match of one of these does
//!                   #   not count ("government" does not fire in "government-backed hackers");
//!                   #   each must be able to share a word with a phrase (checked on load)
//! suppresses = []   # optional: labels this rule cancels when it fires ("threat:ransomware")
//! fields = []       # optional: "title", "description", "victims", "victim descriptions"
//!                   #   (default all four)
//! fallback = false  # optional: fire only if no other rule of the dimension fired (fallback
//!                   #   rules are tried in file order, so the first that matches wins)
//! victims_block = false  # optional: one of its phrases in a victim's name blocks it (the
//!                   #   group a report names as hit is not its actor)
//! victims_mask = false   # optional: that phrase counts nowhere in the report, the rule's
//!                   #   others still do (one agency may hit another); with either, `fields`
//!                   #   must leave out "victims"
//! quotes_mask = false    # optional: its phrases do not count inside double quotation marks
//!                   #   (a defacement's message, a show's title: someone's words, not what
//!                   #   the report says happened)
//! ```
//!
//! In a phrase, `hospital*` matches any word that starts with it, `~` stands for up to two words
//! of the same sentence ("by the ~ government") and `...` for the rest of a list of names that
//! the word before it belongs to ("nato ... attributed" matches "the EU, NATO, Japan and New
//! Zealand attributed"); braces give alternatives, one phrase of several forms (`{after|since}
//! stuxnet`). A negated phrase (see [`crate::text`]) neither fires a rule nor satisfies `requires`; a
//! negated `unless` phrase does not block. The confidence is the rule's, plus 0.2 when a sector
//! phrase is the head of what the report says a victim is ([`Field::VictimDescriptions`]), or
//! else 0.15 when a phrase is in a victim's name (or else 0.05 when one is in the title), and
//! 0.05 when two or more different phrases match, at most 0.99. A victim's name is where a report
//! says whom the operation hit, so a sector found there ranks before one only mentioned in the
//! description ("officials said", "for the government"); what the report says the victim does
//! ranks before the words of its name.
//!
//! An implication rule derives a label from an incident's findings:
//!
//! ```toml
//! [[implies]]
//! id = "harm.economic.ransomware"
//! when = ["threat:ransomware", "threat:financial-theft"]   # any of these (or within them)
//! also = []          # optional: and any of these too
//! unless = []        # optional: and none of these (or within them) found
//! then = "harm:economic"
//! confidence = 0.7   # at most; never more than the finding it rests on
//! ```

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::error::AssessError;
use crate::judgment::{round3, Judgment};
use crate::text::{Field, Hit, Negation, PhrasePattern, PhraseSet, Texts};
use crate::vocab::{Dimension, Vocabularies};

/// What a phrase in the title adds to a rule's confidence (when none is in a victim's name).
const TITLE_BONUS: f64 = 0.05;

/// What a phrase in a victim's name adds to a rule's confidence: more than the title's, so
/// that the victim a report names ranks first. Chosen by five-fold and leave-one-dataset-out
/// cross-validation inside the training split (0.1, 0.15, 0.25 tried; `EVALUATION.md`).
const VICTIM_BONUS: f64 = 0.15;
/// What a phrase in what the report says a named victim is ("Australian software provider Energy
/// One": [`Field::VictimDescriptions`]) adds: more than a victim's name, whose words may say
/// little of what it does ("Energy One" makes software).
const DESCRIPTION_BONUS: f64 = 0.2;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    version: String,
    negation: NegationSpec,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    implies: Vec<ImplySpec>,
}

/// A file of text rules only (`organisations.toml`): read beside `rules.toml`, under its
/// version and negation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleListFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationSpec {
    cues: Vec<String>,
    #[serde(default)]
    breakers: Vec<String>,
    window: usize,
    /// Phrases that make their sentence tell of another incident ([`Negation::elsewhere`]).
    #[serde(default)]
    elsewhere: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    label: String,
    confidence: f64,
    phrases: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    suppresses: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    fallback: bool,
    #[serde(default)]
    victims_block: bool,
    #[serde(default)]
    victims_mask: bool,
    #[serde(default)]
    quotes_mask: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImplySpec {
    id: String,
    when: Vec<String>,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    then: String,
    confidence: f64,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// What a phrase does for its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Fires,
    Requires,
    Blocks,
    Masks,
}

/// A compiled text rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's id.
    pub id: String,
    /// The dimension of its label.
    pub dimension: Dimension,
    /// The canonical id it gives.
    pub label: String,
    /// Its base confidence.
    pub confidence: f64,
    /// Labels it cancels when it fires.
    pub suppresses: Vec<(Dimension, String)>,
    /// Whether it fires only when no other rule of its dimension did.
    pub fallback: bool,
    /// Whether one of its phrases in a victim's name blocks it for the report.
    victims_block: bool,
    /// Whether one of its phrases in a victim's name counts nowhere in the report (its other
    /// phrases still do).
    victims_mask: bool,
    /// Whether its phrases inside double quotation marks do not count.
    quotes_mask: bool,
    /// The fields it reads.
    fields: Vec<Field>,
    has_requires: bool,
}

/// A compiled implication rule.
#[derive(Debug, Clone)]
pub struct Implication {
    /// The rule's id.
    pub id: String,
    /// Labels any of which (or anything within them) triggers it.
    pub when: Vec<(Dimension, String)>,
    /// Labels one of which must also be found (none: no further condition).
    pub also: Vec<(Dimension, String)>,
    /// Labels none of which (nor anything within them) may be found: a narrower finding that
    /// says the inference does not hold (a denial of service against websites only).
    pub unless: Vec<(Dimension, String)>,
    /// The label it gives.
    pub then: (Dimension, String),
    /// Its highest confidence.
    pub confidence: f64,
}

/// The rule set: text rules, implication rules, negation, and the version judgments carry.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The version string every judgment made with these rules carries in `made_by`.
    pub version: String,
    /// The text rules, in file order.
    pub rules: Vec<Rule>,
    /// The implication rules, in file order.
    pub implications: Vec<Implication>,
    negation: Negation,
    phrases: PhraseSet,
    /// For each phrase: its rule and role.
    owners: Vec<(usize, Role)>,
}

fn parse_label(
    file: &str,
    place: &str,
    label: &str,
    vocab: &Vocabularies,
) -> Result<(Dimension, String), AssessError> {
    let (prefix, id) = label.split_once(':').ok_or_else(|| {
        AssessError::data(
            file,
            place,
            format!("label `{label}` has no dimension: write it `dimension:id`, e.g. `threat:ransomware`"),
        )
    })?;
    let dimension = Dimension::from_prefix(prefix).ok_or_else(|| {
        AssessError::data(
            file,
            place,
            format!("`{prefix}` in `{label}` is not a dimension (sector, threat, actor, raas, responsibility, harm, population, scale, duration)"),
        )
    })?;
    if !vocab.get(dimension).contains(id) {
        return Err(AssessError::data(
            file,
            place,
            format!("`{id}` is not a {dimension} id of the vocabulary"),
        ));
    }
    Ok((dimension, id.to_string()))
}

impl RuleSet {
    /// How negation is recognised, for other phrase matchers (conflicts, links) to share.
    pub fn negation(&self) -> &Negation {
        &self.negation
    }

    /// Parses and checks a rule file against the vocabularies.
    pub fn parse(file: &str, text: &str, vocab: &Vocabularies) -> Result<RuleSet, AssessError> {
        RuleSet::parse_with(file, text, &[], vocab)
    }

    /// Parses and checks a rule file and files of more text rules (`[[rule]]` only, such as
    /// `organisations.toml`), read in that order under the first file's version and negation.
    pub fn parse_with(
        main: &str,
        text: &str,
        lists: &[(&str, &str)],
        vocab: &Vocabularies,
    ) -> Result<RuleSet, AssessError> {
        let toml_error = |file: &str, e: toml::de::Error| {
            AssessError::data(file, "TOML", e.to_string().trim().to_string())
        };
        let spec: RuleFile = toml::from_str(text).map_err(|e| toml_error(main, e))?;
        let mut specs: Vec<(&str, &RuleSpec)> = spec.rule.iter().map(|r| (main, r)).collect();
        let listed: Vec<(&str, RuleListFile)> = lists
            .iter()
            .map(|(file, text)| {
                Ok((
                    *file,
                    toml::from_str(text).map_err(|e| toml_error(file, e))?,
                ))
            })
            .collect::<Result<_, AssessError>>()?;
        for (file, list) in &listed {
            specs.extend(list.rule.iter().map(|r| (*file, r)));
        }
        let mut negation = Negation {
            cues: spec
                .negation
                .cues
                .iter()
                .map(|c| c.to_lowercase())
                .collect(),
            breakers: spec
                .negation
                .breakers
                .iter()
                .map(|c| c.to_lowercase())
                .collect(),
            window: spec.negation.window,
            elsewhere: PhraseSet::default(),
        };
        for phrase in &spec.negation.elsewhere {
            negation
                .elsewhere
                .add(phrase)
                .map_err(|e| AssessError::data(main, "[negation] elsewhere", e.0.clone()))?;
        }
        let mut phrases = PhraseSet::default();
        let mut owners = Vec::new();
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for (file, r) in specs {
            let place = format!("rule \"{}\"", r.id);
            if !seen.insert(r.id.clone()) {
                return Err(AssessError::data(file, &place, "the id is used twice"));
            }
            let (dimension, label) = parse_label(file, &place, &r.label, vocab)?;
            if !(0.0..=1.0).contains(&r.confidence) {
                return Err(AssessError::data(
                    file,
                    &place,
                    "confidence must be from 0 to 1",
                ));
            }
            if r.phrases.is_empty() {
                return Err(AssessError::data(file, &place, "the rule has no phrases"));
            }
            let index = rules.len();
            for (list, role) in [
                (&r.phrases, Role::Fires),
                (&r.requires, Role::Requires),
                (&r.unless, Role::Blocks),
                (&r.except, Role::Masks),
            ] {
                for p in list {
                    phrases
                        .add(p)
                        .map_err(|e| AssessError::data(file, &place, e.0))?;
                    owners.push((index, role));
                }
            }
            // A mask that can overlap none of the rule's phrases masks nothing: say so, rather than
            // let an analyst believe a reading is excluded (it is left when the names it guarded
            // move to another rule, or when a phrase is narrowed).
            if !r.except.is_empty() {
                let compiled = |p: &String| {
                    PhrasePattern::new(p).map_err(|e| AssessError::data(file, &place, e.0))
                };
                let fires = r
                    .phrases
                    .iter()
                    .map(compiled)
                    .collect::<Result<Vec<_>, _>>()?;
                for e in &r.except {
                    let mask = compiled(e)?;
                    if !fires.iter().any(|p| mask.can_overlap(p)) {
                        return Err(AssessError::data(
                            file,
                            &place,
                            format!(
                                "`except` phrase `{e}` can share no word with any of the rule's phrases, so it masks nothing: an exception names a wider reading of one of them (`hospital*` is masked by `field hospital*`)"
                            ),
                        ));
                    }
                }
            }
            let suppresses = r
                .suppresses
                .iter()
                .map(|l| parse_label(file, &place, l, vocab))
                .collect::<Result<Vec<_>, _>>()?;
            let fields = if r.fields.is_empty() {
                Field::ALL.to_vec()
            } else {
                r.fields
                    .iter()
                    .map(|f| {
                        Field::ALL
                            .into_iter()
                            .find(|x| x.name() == f)
                            .ok_or_else(|| {
                                AssessError::data(
                                    file,
                                    &place,
                                    format!(
                                        "field `{f}` is not `title`, `description`, `victims` or `victim descriptions`"
                                    ),
                                )
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            if (r.victims_block || r.victims_mask) && fields.contains(&Field::Victims) {
                return Err(AssessError::data(
                    file,
                    &place,
                    "`victims_block` and `victims_mask` need `fields` without \"victims\": a phrase in a victim's name cannot both fire the rule and stop it",
                ));
            }
            rules.push(Rule {
                id: r.id.clone(),
                dimension,
                label,
                confidence: r.confidence,
                suppresses,
                fallback: r.fallback,
                victims_block: r.victims_block,
                victims_mask: r.victims_mask,
                quotes_mask: r.quotes_mask,
                fields,
                has_requires: !r.requires.is_empty(),
            });
        }
        let mut implications = Vec::new();
        for r in &spec.implies {
            let place = format!("implies \"{}\"", r.id);
            if !seen.insert(r.id.clone()) {
                return Err(AssessError::data(main, &place, "the id is used twice"));
            }
            let when = r
                .when
                .iter()
                .map(|l| parse_label(main, &place, l, vocab))
                .collect::<Result<Vec<_>, _>>()?;
            if when.is_empty() {
                return Err(AssessError::data(main, &place, "`when` is empty"));
            }
            let also = r
                .also
                .iter()
                .map(|l| parse_label(main, &place, l, vocab))
                .collect::<Result<Vec<_>, _>>()?;
            let unless = r
                .unless
                .iter()
                .map(|l| parse_label(main, &place, l, vocab))
                .collect::<Result<Vec<_>, _>>()?;
            implications.push(Implication {
                id: r.id.clone(),
                when,
                also,
                unless,
                then: parse_label(main, &place, &r.then, vocab)?,
                confidence: r.confidence.clamp(0.0, 1.0),
            });
        }
        Ok(RuleSet {
            version: spec.version,
            rules,
            implications,
            negation,
            phrases,
            owners,
        })
    }

    /// The judgments the text rules make on what a report says (its [`Texts`]), after
    /// suppressions. `report` is the report's key, recorded in each judgment.
    pub fn apply(&self, texts: &Texts, report: Option<&str>) -> Vec<Judgment> {
        self.apply_suppressing(texts, report).0
    }

    /// [`RuleSet::apply`], and the labels the text stands against: those its firing rules cancel
    /// ([`Rule::suppresses`]: "no data was stolen", "disguised as ransomware"), and those of
    /// rules that only a negated phrase would have fired ("no supply interruption was reported",
    /// a DDoS in a sentence about another incident). What a report says outright stands against
    /// a statistical guess at the same label, not only against other rules.
    pub fn apply_suppressing(
        &self,
        texts: &Texts,
        report: Option<&str>,
    ) -> (Vec<Judgment>, Vec<(Dimension, String)>) {
        struct Found<'a> {
            field: Field,
            text: &'a str,
            hit: Hit,
            sentence: u32,
        }
        let mut found: Vec<Found> = Vec::new();
        for (field, text, ws) in texts.parts() {
            for hit in self.phrases.find(ws, &self.negation) {
                let sentence = ws[hit.first].sentence;
                found.push(Found {
                    field,
                    text,
                    hit,
                    sentence,
                });
            }
        }
        // Per rule: blocked, requirement met, firing hits.
        let n = self.rules.len();
        // Masks: word ranges, per rule and field, inside which its phrases do not count.
        let mut masks: Vec<(usize, Field, usize, usize)> = Vec::new();
        for f in &found {
            let (rule, role) = self.owners[f.hit.phrase];
            if role == Role::Masks {
                masks.push((rule, f.field, f.hit.first, f.hit.last));
            }
        }
        let masked = |rule: usize, f: &Found| {
            masks.iter().any(|&(r, field, a, b)| {
                r == rule && field == f.field && f.hit.first < b && a < f.hit.last
            })
        };
        // Whom the report names as hit is not who did it, wherever else the report names it: a
        // `victims_block` rule with a phrase in a victim's name is blocked ("EMOTET cybercriminal
        // group" taken down); a `victims_mask` rule's phrase found there counts nowhere in the
        // report ("Latvian Financial Intelligence Service" flooded), its other phrases still do
        // ("the GRU hacked the State Security Service").
        let mut blocked = vec![false; n];
        let mut names_a_victim: HashSet<usize> = HashSet::new();
        for f in found
            .iter()
            .filter(|f| !f.hit.negated && f.field == Field::Victims)
        {
            let (rule, role) = self.owners[f.hit.phrase];
            let r = &self.rules[rule];
            if role == Role::Fires && !masked(rule, f) {
                blocked[rule] |= r.victims_block;
                if r.victims_mask {
                    names_a_victim.insert(f.hit.phrase);
                }
            }
        }
        let mut required = vec![false; n];
        let mut fires: Vec<Vec<&Found>> = vec![Vec::new(); n];
        let mut denied = vec![false; n];
        for f in &found {
            if f.hit.negated {
                let (rule, role) = self.owners[f.hit.phrase];
                denied[rule] |= role == Role::Fires
                    && self.rules[rule].fields.contains(&f.field)
                    && !masked(rule, f);
                continue;
            }
            let (rule, role) = self.owners[f.hit.phrase];
            match role {
                Role::Masks => {}
                Role::Blocks => blocked[rule] = true,
                Role::Requires => required[rule] = true,
                Role::Fires
                    if masked(rule, f)
                        || names_a_victim.contains(&f.hit.phrase)
                        || (self.rules[rule].quotes_mask
                            && crate::text::quoted(f.text, f.hit.span)) => {}
                Role::Fires => {
                    if self.rules[rule].fields.contains(&f.field) {
                        fires[rule].push(f);
                    }
                }
            }
        }
        let live = |i: usize| {
            let r = &self.rules[i];
            !fires[i].is_empty() && !blocked[i] && (!r.has_requires || required[i])
        };
        // Fallback rules fire in file order, each only if nothing else of its dimension did.
        let mut covered: HashSet<Dimension> = HashSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            if !r.fallback && live(i) {
                covered.insert(r.dimension);
            }
        }
        let mut firing = vec![false; n];
        for (i, r) in self.rules.iter().enumerate() {
            if !live(i) {
                continue;
            }
            // A fallback fires only when nothing of its dimension has yet.
            firing[i] = !r.fallback || covered.insert(r.dimension);
        }
        // In what a report says a victim is, the sector is told by the head of the phrase, its
        // last words: "gym management software company" is a software company, not a gym, and
        // of the phrases ending there the longest says most ("software company", not
        // "company"). Per description: where the head phrase of a firing sector rule starts and
        // ends.
        let mut heads: HashMap<u32, (usize, usize)> = HashMap::new();
        for (rule, hits) in fires.iter().enumerate() {
            if !firing[rule] || self.rules[rule].dimension != Dimension::Sector {
                continue;
            }
            for f in hits.iter().filter(|f| f.field == Field::VictimDescriptions) {
                let head = heads.entry(f.sentence).or_insert((f.hit.first, f.hit.last));
                let (first, last) = *head;
                if f.hit.last > last || (f.hit.last == last && f.hit.first < first) {
                    *head = (f.hit.first, f.hit.last);
                }
            }
        }
        let mut out: Vec<(usize, Judgment)> = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            if !firing[i] {
                continue;
            }
            let mut evidence: Vec<String> = Vec::new();
            let mut distinct = HashSet::new();
            // A phrase in the title is the report's main point; one in a victim's name is what
            // the report says of whom the operation hit, the most direct evidence there is.
            let mut in_title = false;
            let mut in_victim = false;
            let mut in_description = false;
            for f in &fires[i] {
                let surface = &f.text[f.hit.span.0..f.hit.span.1];
                distinct.insert(f.hit.phrase);
                in_title |= f.field == Field::Title;
                in_victim |= f.field == Field::Victims;
                in_description |= f.field == Field::VictimDescriptions
                    && heads.get(&f.sentence) == Some(&(f.hit.first, f.hit.last));
                let e = format!("{}: \"{}\"", f.field.name(), surface);
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
            let mut confidence = r.confidence;
            if in_description {
                confidence += DESCRIPTION_BONUS;
            } else if in_victim {
                confidence += VICTIM_BONUS;
            } else if in_title {
                confidence += TITLE_BONUS;
            }
            if distinct.len() > 1 {
                confidence += 0.05;
            }
            out.push((
                i,
                Judgment {
                    dimension: r.dimension,
                    label: r.label.clone(),
                    confidence: round3(confidence.min(0.99)),
                    rule_id: format!("rule:{}", r.id),
                    evidence,
                    made_by: self.version.clone(),
                    report: report.map(str::to_string),
                },
            ));
        }
        // Suppressions: a firing rule cancels other rules' judgments of the labels it names.
        let mut cancelled = vec![false; out.len()];
        for (k, (i, _)) in out.iter().enumerate() {
            for s in &self.rules[*i].suppresses {
                for (m, (_, j)) in out.iter().enumerate() {
                    if m != k && j.dimension == s.0 && j.label == s.1 {
                        cancelled[m] = true;
                    }
                }
            }
        }
        let mut notes: Vec<(usize, String)> = Vec::new();
        for (m, (_, j)) in out.iter().enumerate() {
            if cancelled[m] {
                for (k, (i, _)) in out.iter().enumerate() {
                    if self.rules[*i]
                        .suppresses
                        .iter()
                        .any(|s| s.0 == j.dimension && s.1 == j.label)
                    {
                        notes.push((
                            k,
                            format!(
                                "overrides {}:{} ({})",
                                j.dimension,
                                j.label,
                                j.evidence.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        for (k, note) in notes {
            out[k].1.evidence.push(note);
        }
        let mut suppressed: Vec<(Dimension, String)> = Vec::new();
        let mut judgments = Vec::new();
        for (m, (i, j)) in out.into_iter().enumerate() {
            if cancelled[m] {
                continue;
            }
            for s in &self.rules[i].suppresses {
                if !suppressed.contains(s) {
                    suppressed.push(s.clone());
                }
            }
            judgments.push(j);
        }
        // A label the text denies and does not also state.
        for (i, r) in self.rules.iter().enumerate() {
            if !denied[i] || firing[i] {
                continue;
            }
            let stated = judgments
                .iter()
                .any(|j| j.dimension == r.dimension && j.label == r.label);
            let known = suppressed
                .iter()
                .any(|(d, l)| *d == r.dimension && *l == r.label);
            if !stated && !known {
                suppressed.push((r.dimension, r.label.clone()));
            }
        }
        (judgments, suppressed)
    }
}
