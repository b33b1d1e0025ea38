//! Link rules: from what an incident's assessment found (and its actors' and victims' States, and
//! its text) to the Security Council's agenda items (`agenda.toml`) and to the norms of
//! A/70/174 para 13 (`norms.toml`). Both files have one format:
//!
//! ```toml
//! version = "agenda/2026-11.1"
//!
//! [[country_item]]          # agenda.toml only: the States a country or regional item covers
//! item = "sudan"
//! states = ["SDN", "SSD"]
//!
//! [[rule]]
//! id = "dprk.theft"                     # stable: judgments cite it as link:dprk.theft
//! label = "nonprolif-dprk"              # the agenda item id or norm letter it gives;
//!                                       #   "$item" with each_country_item
//! confidence = 0.9                      # at most: never more than the least sure finding
//!                                       #   among the conditions that held
//! all = [["actor-country:PRK"], ["threat:financial-theft"]]   # every group must hold;
//!                                       #   a group holds when any of its conditions does
//! none = ["actor:criminal"]             # optional: none of these may hold
//! each_country_item = false             # optional: try the rule for every [[country_item]],
//!                                       #   `$item` in conditions standing for its States
//! rationale = "Theft of funds by an actor attributed to the DPRK ({evidence}) ..."
//! ```
//!
//! Conditions:
//! - `<dimension>:<label>`: a finding of the dimension that counts, of the label or within it
//!   (`sector:health` holds for `health.hospitals`); `<dimension>:*` for any label. Every
//!   condition on findings reads only those that may ground an inference
//!   ([`Finding::grounds_inference`]): a label the text model alone gives never links;
//! - `effect:<effect>`: a threat kind whose effect is at least that (enabling < exploitive,
//!   influence < disruptive < destructive);
//! - `criticality:<0-3>`: a sector of at least that criticality;
//! - `responsibility-step:<1-10>`: State responsibility at least that step of the spectrum;
//! - `actor-country:<ISO3>`, `victim-country:<ISO3>` (or `$item`);
//! - `cross-border:yes`: an actor's State differs from a victim's (both known);
//! - `victim-name:<phrase>`: a victim's name contains the phrase;
//! - `text:<phrase>`: the title or description contains the phrase (not negated).
//!
//! Phrases match like those of `rules.toml` (whole words, `*` for any ending). The rationale is
//! one sentence; `{evidence}` becomes the conditions that held, `{item}` the label's name. A
//! link's [`Judgment`] carries the sentence as its first piece of evidence and each condition's
//! place after it.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use threatscape_model::Report;

use crate::error::AssessError;
use crate::judgment::{round3, Finding, Judgment};
use crate::text::{words, Negation, PhraseSet};
use crate::vocab::{Dimension, Effect, StateResponsibility, Vocabularies, Vocabulary};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkFile {
    version: String,
    #[serde(default)]
    country_item: Vec<CountryItemSpec>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountryItemSpec {
    item: String,
    states: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    label: String,
    confidence: f64,
    all: Vec<Vec<String>>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    each_country_item: bool,
    rationale: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// One condition of a link rule.
#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Finding(Dimension, Option<String>),
    Effect(Effect),
    Criticality(u8),
    ResponsibilityStep(u8),
    ActorCountry(Country),
    VictimCountry(Country),
    CrossBorder,
    VictimName(usize),
    Text(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Country {
    Code(String),
    /// The States of the country item the rule is tried for.
    Item,
}

/// A compiled link rule.
#[derive(Debug, Clone)]
pub struct LinkRule {
    /// The rule's id.
    pub id: String,
    /// The label it gives (`None` when it gives each country item's id).
    pub label: Option<String>,
    /// Its confidence.
    pub confidence: f64,
    all: Vec<Vec<Condition>>,
    none: Vec<Condition>,
    /// The one-sentence rationale, with `{evidence}` and `{item}` to fill in.
    pub rationale: String,
}

/// A rule file for one dimension ([`Dimension::Agenda`] or [`Dimension::Norm`]).
#[derive(Debug, Clone)]
pub struct LinkRules {
    /// The dimension the labels are of.
    pub dimension: Dimension,
    /// The file's version; links carry it in `made_by`.
    pub version: String,
    /// Country and regional items: (item id, its States).
    pub country_items: Vec<(String, Vec<String>)>,
    /// The rules, in file order.
    pub rules: Vec<LinkRule>,
    phrases: PhraseSet,
}

fn effect_rank(e: Effect) -> u8 {
    match e {
        Effect::Enabling => 0,
        Effect::Exploitive | Effect::Influence => 1,
        Effect::Disruptive => 2,
        Effect::Destructive => 3,
    }
}

impl LinkRules {
    /// Parses and checks a link rule file: labels exist in `targets`, condition labels in
    /// `vocab`, country codes are ISO alpha-3, phrases compile.
    pub fn parse(
        dimension: Dimension,
        file: &str,
        text: &str,
        targets: &Vocabulary,
        vocab: &Vocabularies,
    ) -> Result<LinkRules, AssessError> {
        let spec: LinkFile = toml::from_str(text)
            .map_err(|e| AssessError::data(file, "TOML", e.to_string().trim().to_string()))?;
        let code_ok = |c: &str| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase());
        let mut country_items = Vec::new();
        for c in spec.country_item {
            let place = format!("country_item \"{}\"", c.item);
            if !targets.contains(&c.item) {
                return Err(AssessError::data(
                    file,
                    &place,
                    format!("`{}` is not a {dimension} id", c.item),
                ));
            }
            if let Some(bad) = c.states.iter().find(|s| !code_ok(s)) {
                return Err(AssessError::data(
                    file,
                    &place,
                    format!("`{bad}` is not an ISO 3166-1 alpha-3 code"),
                ));
            }
            country_items.push((c.item, c.states));
        }
        let mut phrases = PhraseSet::default();
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for r in spec.rule {
            let place = format!("rule \"{}\"", r.id);
            if !seen.insert(r.id.clone()) {
                return Err(AssessError::data(file, &place, "the id is used twice"));
            }
            if !(0.0..=1.0).contains(&r.confidence) {
                return Err(AssessError::data(
                    file,
                    &place,
                    "confidence must be from 0 to 1",
                ));
            }
            let label = if r.each_country_item {
                if r.label != "$item" {
                    return Err(AssessError::data(
                        file,
                        &place,
                        "a rule with each_country_item = true has label = \"$item\"",
                    ));
                }
                None
            } else if targets.contains(&r.label) {
                Some(r.label.clone())
            } else {
                return Err(AssessError::data(
                    file,
                    &place,
                    format!("`{}` is not a {dimension} id", r.label),
                ));
            };
            if r.all.is_empty() || r.all.iter().any(Vec::is_empty) {
                return Err(AssessError::data(
                    file,
                    &place,
                    "`all` needs at least one group, and every group at least one condition",
                ));
            }
            if r.rationale.trim().is_empty() {
                return Err(AssessError::data(
                    file,
                    &place,
                    "every rule has a rationale",
                ));
            }
            let mut parse = |text: &str| -> Result<Condition, AssessError> {
                let bad = |why: String| {
                    AssessError::data(file, &place, format!("condition `{text}`: {why}"))
                };
                let (kind, value) = text
                    .split_once(':')
                    .ok_or_else(|| bad("write it `kind:value`, e.g. `threat:ransomware`".into()))?;
                let country = |v: &str| -> Result<Country, AssessError> {
                    if v == "$item" {
                        if r.each_country_item {
                            Ok(Country::Item)
                        } else {
                            Err(bad("`$item` needs each_country_item = true".into()))
                        }
                    } else if code_ok(v) {
                        Ok(Country::Code(v.to_string()))
                    } else {
                        Err(bad("not an ISO 3166-1 alpha-3 code".into()))
                    }
                };
                Ok(match kind {
                    "effect" => Condition::Effect(Effect::parse(value).ok_or_else(|| {
                        bad(
                            "effects are enabling, exploitive, influence, disruptive, destructive"
                                .into(),
                        )
                    })?),
                    "criticality" => Condition::Criticality(
                        value
                            .parse()
                            .ok()
                            .filter(|c| *c <= 3)
                            .ok_or_else(|| bad("0 to 3".into()))?,
                    ),
                    "responsibility-step" => Condition::ResponsibilityStep(
                        value
                            .parse()
                            .ok()
                            .filter(|c| (1..=10).contains(c))
                            .ok_or_else(|| bad("1 to 10".into()))?,
                    ),
                    "cross-border" if value == "yes" => Condition::CrossBorder,
                    "actor-country" => Condition::ActorCountry(country(value)?),
                    "victim-country" => Condition::VictimCountry(country(value)?),
                    "victim-name" | "text" => {
                        let n = phrases.add(value).map_err(|e| bad(e.0))?;
                        if kind == "text" {
                            Condition::Text(n)
                        } else {
                            Condition::VictimName(n)
                        }
                    }
                    prefix => {
                        let d = Dimension::from_prefix(prefix).ok_or_else(|| {
                            bad(format!("`{prefix}` is not a dimension or condition kind"))
                        })?;
                        if value == "*" {
                            Condition::Finding(d, None)
                        } else if vocab.get(d).contains(value) {
                            Condition::Finding(d, Some(value.to_string()))
                        } else {
                            return Err(bad(format!("`{value}` is not a {d} id")));
                        }
                    }
                })
            };
            let mut all = Vec::new();
            for group in &r.all {
                all.push(
                    group
                        .iter()
                        .map(|c| parse(c))
                        .collect::<Result<Vec<_>, _>>()?,
                );
            }
            let none = r
                .none
                .iter()
                .map(|c| parse(c))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(LinkRule {
                id: r.id,
                label,
                confidence: r.confidence,
                all,
                none,
                rationale: r.rationale,
            });
        }
        Ok(LinkRules {
            dimension,
            version: spec.version,
            country_items,
            rules,
            phrases,
        })
    }
}

/// What conditions are checked against: one incident.
struct Subject<'a> {
    findings: &'a [Finding],
    vocab: &'a Vocabularies,
    /// (evidence, country) of each actor.
    actor_countries: Vec<(String, &'a str)>,
    /// (evidence, country) of each victim.
    victim_countries: Vec<(String, &'a str)>,
    /// Phrase number -> evidence, for victim names and for text.
    victim_names: BTreeMap<usize, String>,
    text: BTreeMap<usize, String>,
}

impl LinkRules {
    fn subject<'a>(
        &self,
        reports: &'a [Report],
        findings: &'a [Finding],
        vocab: &'a Vocabularies,
        negation: &Negation,
    ) -> Subject<'a> {
        let mut s = Subject {
            findings,
            vocab,
            actor_countries: Vec::new(),
            victim_countries: Vec::new(),
            victim_names: BTreeMap::new(),
            text: BTreeMap::new(),
        };
        let no_negation = Negation::default();
        for r in reports {
            let key = r.key();
            for (i, a) in r.actors.iter().enumerate() {
                if let Some(c) = a.country.as_deref() {
                    s.actor_countries
                        .push((format!("{key} actors[{i}] \"{}\" of {c}", a.name), c));
                }
            }
            for (i, a) in r.attributions.iter().enumerate() {
                if let Some(c) = a.actor.country.as_deref() {
                    s.actor_countries.push((
                        format!("{key} attributions[{i}] \"{}\" of {c}", a.actor.name),
                        c,
                    ));
                }
            }
            for (i, v) in r.victims.iter().enumerate() {
                if let Some(c) = v.country.as_deref() {
                    s.victim_countries
                        .push((format!("{key} victims[{i}] in {c}"), c));
                }
                if let Some(name) = v.name.as_deref() {
                    for hit in self.phrases.find(&words(name), &no_negation) {
                        s.victim_names
                            .entry(hit.phrase)
                            .or_insert_with(|| format!("{key} victims[{i}].name: \"{name}\""));
                    }
                }
            }
            if self.phrases.is_empty() {
                continue;
            }
            for (field, text) in [
                ("title", Some(r.title.as_str())),
                ("description", r.description.as_deref()),
            ] {
                let Some(text) = text else { continue };
                for hit in self.phrases.find(&words(text), negation) {
                    if !hit.negated {
                        s.text.entry(hit.phrase).or_insert_with(|| {
                            format!("{key} {field}: \"{}\"", &text[hit.span.0..hit.span.1])
                        });
                    }
                }
            }
        }
        s
    }

    /// The links the rules make for one incident, from its reports and its findings so far.
    pub fn link(
        &self,
        reports: &[Report],
        findings: &[Finding],
        vocab: &Vocabularies,
        negation: &Negation,
    ) -> Vec<Judgment> {
        let subject = self.subject(reports, findings, vocab, negation);
        let targets = vocab.get(self.dimension);
        let mut out = Vec::new();
        for rule in &self.rules {
            let tries: Vec<(String, Option<&[String]>)> = match &rule.label {
                Some(l) => vec![(l.clone(), None)],
                None => self
                    .country_items
                    .iter()
                    .map(|(item, states)| (item.clone(), Some(states.as_slice())))
                    .collect(),
            };
            for (label, item_states) in tries {
                let Some(held) = rule.holds(&subject, item_states) else {
                    continue;
                };
                let summary: Vec<&str> = held.iter().map(|h| h.summary.as_str()).collect();
                // A link is no surer than the least sure finding it rests on: the full-scale
                // invasion read from a cue alone (0.5) makes the item's link 0.5, not the rule's
                // 0.85.
                let confidence = held
                    .iter()
                    .map(|h| h.strength)
                    .fold(rule.confidence, f64::min);
                let name = targets
                    .get(&label)
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| label.clone());
                let sentence = rule
                    .rationale
                    .replace("{evidence}", &summary.join("; "))
                    .replace("{item}", &name);
                let mut evidence = vec![sentence];
                evidence.extend(held.into_iter().map(|h| h.place));
                out.push(Judgment {
                    dimension: self.dimension,
                    label,
                    confidence: round3(confidence),
                    rule_id: format!("link:{}", rule.id),
                    evidence,
                    made_by: self.version.clone(),
                    report: None,
                });
            }
        }
        out
    }
}

/// A condition that held: what it says in short (for the rationale), where it is (evidence),
/// and how sure the finding it rests on is (1 for a coded State, a victim's name or the text,
/// which are what the reports say, and for a finding an analyst confirmed or added).
struct Held {
    summary: String,
    place: String,
    strength: f64,
}

impl LinkRule {
    /// Whether the rule can fire only on an incident whose actor is named a State or
    /// State-affiliated one: one of its condition groups holds only through findings `named`
    /// accepts (a dimension and, where the condition names one, a label), or steps of State
    /// responsibility from "state-encouraged" (4) up.
    pub fn rests_on(&self, named: &dyn Fn(Dimension, Option<&str>) -> bool) -> bool {
        self.all.iter().any(|group| {
            !group.is_empty()
                && group.iter().all(|c| match c {
                    Condition::Finding(d, label) => named(*d, label.as_deref()),
                    Condition::ResponsibilityStep(min) => *min >= 4,
                    _ => false,
                })
        })
    }

    /// The evidence of each condition that held, when the rule fires.
    fn holds(&self, s: &Subject<'_>, item: Option<&[String]>) -> Option<Vec<Held>> {
        if self.none.iter().any(|c| check(c, s, item).is_some()) {
            return None;
        }
        let mut held = Vec::new();
        for group in &self.all {
            held.push(group.iter().find_map(|c| check(c, s, item))?);
        }
        Some(held)
    }
}

fn describe(f: &Finding) -> Held {
    Held {
        summary: format!("{}:{}", f.dimension, f.label),
        place: format!(
            "{}:{} ({:.2}; {})",
            f.dimension,
            f.label,
            f.confidence,
            match &f.decision {
                Some(d) => format!("{} by {}", d.verdict.as_str(), d.analyst),
                None => f.rule_ids().join(", "),
            }
        ),
        strength: f.strength(),
    }
}

/// A condition on what the reports say, not on a finding.
fn stated(summary: String, place: String) -> Held {
    Held {
        summary,
        place,
        strength: 1.0,
    }
}

/// The (short, detailed) evidence that a condition holds, if it does.
fn check(c: &Condition, s: &Subject<'_>, item: Option<&[String]>) -> Option<Held> {
    // Only findings that may ground an inference: a Council agenda item or a norm never rests on
    // the text model's guess alone.
    let counted = || s.findings.iter().filter(|f| f.grounds_inference());
    let country_matches = |country: &Country, code: &str| match country {
        Country::Code(c) => c == code,
        Country::Item => item.is_some_and(|states| states.iter().any(|x| x == code)),
    };
    match c {
        Condition::Finding(d, label) => counted()
            .find(|f| {
                f.dimension == *d
                    && label
                        .as_deref()
                        .is_none_or(|l| s.vocab.get(*d).is_within(&f.label, l))
            })
            .map(describe),
        Condition::Effect(min) => counted()
            .filter(|f| f.dimension == Dimension::Threat)
            .find(|f| {
                s.vocab
                    .threats
                    .lineage(&f.label)
                    .find_map(|id| s.vocab.threats.get(id).and_then(|t| t.effect))
                    .is_some_and(|e| effect_rank(e) >= effect_rank(*min))
            })
            .map(describe),
        Condition::Criticality(min) => counted()
            .filter(|f| f.dimension == Dimension::Sector)
            .find(|f| {
                s.vocab
                    .sectors
                    .lineage(&f.label)
                    .find_map(|id| s.vocab.sectors.get(id).and_then(|t| t.criticality))
                    .is_some_and(|c| c >= *min)
            })
            .map(describe),
        Condition::ResponsibilityStep(min) => counted()
            .filter(|f| f.dimension == Dimension::Responsibility)
            .find(|f| StateResponsibility::parse(&f.label).is_some_and(|r| r.step() >= *min))
            .map(describe),
        Condition::ActorCountry(country) => s
            .actor_countries
            .iter()
            .find(|(_, code)| country_matches(country, code))
            .map(|(e, code)| stated(format!("actor of {code}"), e.clone())),
        Condition::VictimCountry(country) => s
            .victim_countries
            .iter()
            .find(|(_, code)| country_matches(country, code))
            .map(|(e, code)| stated(format!("victim in {code}"), e.clone())),
        Condition::CrossBorder => s.actor_countries.iter().find_map(|(a, from)| {
            s.victim_countries
                .iter()
                .find(|(_, to)| to != from)
                .map(|(v, to)| {
                    stated(
                        format!("actor of {from}, victim in {to}"),
                        format!("{a}; {v}"),
                    )
                })
        }),
        Condition::VictimName(n) => s
            .victim_names
            .get(n)
            .map(|e| stated("a victim's name".to_string(), e.clone())),
        Condition::Text(n) => s.text.get(n).map(|e| {
            let quoted = e.split_once(": ").map(|x| x.1).unwrap_or(e);
            stated(format!("the text says {quoted}"), e.clone())
        }),
    }
}
