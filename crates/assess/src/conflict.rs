//! Armed conflicts (`conflicts.toml`): their parties, dates and the phrases that place an account
//! in their context; linking an incident to them, and spill-over to third States.
//!
//! A link is a [`Judgment`] of [`Dimension::Conflict`] whose label is the conflict's id (and a
//! second one for a phase the incident falls in: `russia-ukraine.full-scale-invasion`). Its rule
//! id says which level of evidence made it (`conflict:opposing-sides`), and its evidence spells
//! out the reasoning: which actor belongs to which side, which victim to the other, which date
//! falls in which span. Spill-over is [`Dimension::SpillOver`], labelled with the conflict's id,
//! one judgment per third State, made only for a conflict whose link counts.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Deserialize;
use threatscape_model::{FuzzyDate, Report};

use crate::error::AssessError;
use crate::judgment::{round3, Finding, Judgment};
use crate::text::{words, Negation, PhraseSet};
use crate::vocab::{normalise, Dimension, Term, Vocabulary};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConflictFile {
    version: String,
    linking: Levels,
    #[serde(default)]
    conflict: Vec<ConflictSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConflictSpec {
    id: String,
    name: String,
    start: String,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    codings: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    sources: Vec<String>,
    #[serde(default)]
    side: Vec<Side>,
    #[serde(default)]
    phase: Vec<PhaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseSpec {
    id: String,
    name: String,
    start: String,
    #[serde(default)]
    end: Option<String>,
    sources: Vec<String>,
}

/// The confidence of each level of evidence for a link (`[linking]` in `conflicts.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Levels {
    /// A report's own coding names the conflict.
    pub coded: f64,
    /// A State-backed actor (or named non-State party) of one side, a victim of the other.
    pub opposing_sides: f64,
    /// An actor only based in a party, a victim of the other side.
    pub opposing_weak: f64,
    /// An actor or victim of a side, and the text names the conflict's context.
    pub party_and_cue: f64,
    /// The text aligns the actor with a side ("pro-Russian"), within the dates.
    pub aligned_actor: f64,
    /// An actor or victim of a side within the dates, nothing more.
    pub party_only: f64,
    /// The text names the conflict's context; no party identified.
    pub cue_only: f64,
    /// A victim in a third State of a linked conflict.
    pub spill_over: f64,
    /// A linked conflict whose effects the text says were global.
    pub spill_over_global: f64,
}

/// One side of a conflict.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// ISO alpha-3 codes of the States that are parties on this side.
    #[serde(default)]
    pub states: Vec<String>,
    /// Named non-State parties (and their aliases), matched against actor names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Where a non-State party of this side is based.
    #[serde(default)]
    pub territories: Vec<String>,
    /// Phrases by which an account aligns an actor with this side ("pro-Russian hacktivists").
    #[serde(default)]
    pub aligned: Vec<String>,
}

/// A part of a conflict with its own dates.
#[derive(Debug, Clone)]
pub struct Phase {
    /// The full id (`russia-ukraine.full-scale-invasion`).
    pub id: String,
    /// How people call it.
    pub name: String,
    /// Its first day.
    pub start: FuzzyDate,
    /// Its last day, if it ended.
    pub end: Option<FuzzyDate>,
    /// Where the dates come from.
    pub sources: Vec<String>,
}

/// An armed conflict.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The stable id.
    pub id: String,
    /// How people call it.
    pub name: String,
    /// Its first day.
    pub start: FuzzyDate,
    /// Its last day, if it ended.
    pub end: Option<FuzzyDate>,
    /// Trackers' codings of it, normalised.
    pub codings: Vec<String>,
    /// The sides.
    pub sides: Vec<Side>,
    /// Its phases.
    pub phases: Vec<Phase>,
    /// Where the facts come from.
    pub sources: Vec<String>,
}

/// The conflicts file, compiled.
#[derive(Debug, Clone)]
pub struct Conflicts {
    /// The file's version; links carry it in `made_by`.
    pub version: String,
    /// The confidence of each level of evidence.
    pub levels: Levels,
    /// The conflicts, in file order.
    pub conflicts: Vec<Conflict>,
    phrases: PhraseSet,
    /// For each phrase: the conflict it belongs to, and the side when it aligns an actor.
    phrase_owner: Vec<(usize, Option<usize>)>,
}

/// A date's first and last possible day, as day numbers.
fn day_range(d: &FuzzyDate) -> (i64, i64) {
    let first = day_number(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1));
    let last = match (d.month, d.day) {
        (Some(m), Some(day)) => day_number(d.year, m, day),
        (Some(12), None) | (None, _) => day_number(d.year + 1, 1, 1) - 1,
        (Some(m), None) => day_number(d.year, m + 1, 1) - 1,
    };
    (first, last)
}

/// Days since a fixed epoch (Howard Hinnant's days-from-civil).
pub(crate) fn day_number(year: i32, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

/// Whether a (fuzzy) date can fall within `start ..= end` (end open when `None`).
fn within(date: &FuzzyDate, start: &FuzzyDate, end: Option<&FuzzyDate>) -> bool {
    let (first, last) = day_range(date);
    last >= day_range(start).0 && end.is_none_or(|e| first <= day_range(e).1)
}

fn span_text(start: &FuzzyDate, end: Option<&FuzzyDate>) -> String {
    match end {
        Some(e) => format!("{start} to {e}"),
        None => format!("from {start}"),
    }
}

/// Codings are compared without case, spaces or dashes of any kind.
fn coding_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Conflicts {
    /// Parses and checks `conflicts.toml`.
    pub fn parse(file: &str, text: &str) -> Result<Conflicts, AssessError> {
        let spec: ConflictFile = toml::from_str(text)
            .map_err(|e| AssessError::data(file, "TOML", e.to_string().trim().to_string()))?;
        let levels = spec.linking;
        for (name, c) in [
            ("coded", levels.coded),
            ("opposing-sides", levels.opposing_sides),
            ("opposing-weak", levels.opposing_weak),
            ("party-and-cue", levels.party_and_cue),
            ("aligned-actor", levels.aligned_actor),
            ("party-only", levels.party_only),
            ("cue-only", levels.cue_only),
            ("spill-over", levels.spill_over),
            ("spill-over-global", levels.spill_over_global),
        ] {
            if !(0.0..=1.0).contains(&c) {
                return Err(AssessError::data(
                    file,
                    format!("[linking] {name}"),
                    "a confidence is from 0 to 1",
                ));
            }
        }
        let date = |place: &str, what: &str, text: &str| {
            FuzzyDate::parse_iso(text.trim()).ok_or_else(|| {
                AssessError::data(
                    file,
                    place,
                    format!("{what} `{text}` is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
                )
            })
        };
        let mut conflicts = Vec::new();
        let mut phrases = PhraseSet::default();
        let mut phrase_owner = Vec::new();
        let mut seen = HashSet::new();
        for c in spec.conflict {
            let place = format!("conflict \"{}\"", c.id);
            if c.id.is_empty() || c.id.contains(|ch: char| ch.is_whitespace() || ch == '.') {
                return Err(AssessError::data(
                    file,
                    &place,
                    "an id is non-empty, without spaces or dots (a dot separates a phase)",
                ));
            }
            if !seen.insert(c.id.clone()) {
                return Err(AssessError::data(file, &place, "the id is used twice"));
            }
            if c.sources.is_empty() {
                return Err(AssessError::data(
                    file,
                    &place,
                    "every conflict names its sources",
                ));
            }
            if c.side.len() < 2 {
                return Err(AssessError::data(
                    file,
                    &place,
                    "a conflict has at least two [[conflict.side]] tables",
                ));
            }
            for s in &c.side {
                for code in s.states.iter().chain(&s.territories) {
                    if code.len() != 3 || !code.chars().all(|ch| ch.is_ascii_uppercase()) {
                        return Err(AssessError::data(
                            file,
                            &place,
                            format!("`{code}` is not an ISO 3166-1 alpha-3 code (three capitals)"),
                        ));
                    }
                }
                if s.states.is_empty() && s.groups.is_empty() {
                    return Err(AssessError::data(
                        file,
                        &place,
                        "a side names at least one State or group",
                    ));
                }
            }
            let start = date(&place, "start", &c.start)?;
            let end = c
                .end
                .as_deref()
                .map(|e| date(&place, "end", e))
                .transpose()?;
            let mut phases = Vec::new();
            for p in c.phase {
                let pplace = format!("{place} phase \"{}\"", p.id);
                phases.push(Phase {
                    id: format!("{}.{}", c.id, p.id),
                    name: p.name,
                    start: date(&pplace, "start", &p.start)?,
                    end: p
                        .end
                        .as_deref()
                        .map(|e| date(&pplace, "end", e))
                        .transpose()?,
                    sources: p.sources,
                });
            }
            for p in &c.phrases {
                phrases
                    .add(p)
                    .map_err(|e| AssessError::data(file, &place, e.0))?;
                phrase_owner.push((conflicts.len(), None));
            }
            for (s, side) in c.side.iter().enumerate() {
                for p in &side.aligned {
                    phrases
                        .add(p)
                        .map_err(|e| AssessError::data(file, &place, e.0))?;
                    phrase_owner.push((conflicts.len(), Some(s)));
                }
            }
            conflicts.push(Conflict {
                id: c.id,
                name: c.name,
                start,
                end,
                codings: c.codings.iter().map(|s| coding_key(s)).collect(),
                sides: c.side,
                phases,
                sources: c.sources,
            });
        }
        Ok(Conflicts {
            version: spec.version,
            levels,
            conflicts,
            phrases,
            phrase_owner,
        })
    }

    /// The conflicts and their phases as a vocabulary (phases within their conflict).
    pub fn vocabulary(&self, file: &str) -> Result<Vocabulary, AssessError> {
        let mut terms = Vec::new();
        for c in &self.conflicts {
            let parties: Vec<String> = c
                .sides
                .iter()
                .map(|s| {
                    s.states
                        .iter()
                        .chain(&s.groups)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            terms.push(Term {
                id: c.id.clone(),
                parent: None,
                label: c.name.clone(),
                definition: format!(
                    "{}; parties: {}",
                    span_text(&c.start, c.end.as_ref()),
                    parties.join(" against ")
                ),
                criticality: None,
                effect: None,
                generic: false,
                disguises: None,
            });
            for p in &c.phases {
                terms.push(Term {
                    id: p.id.clone(),
                    parent: Some(c.id.clone()),
                    label: format!("{}: {}", c.name, p.name),
                    definition: span_text(&p.start, p.end.as_ref()),
                    criticality: None,
                    effect: None,
                    generic: false,
                    disguises: None,
                });
            }
        }
        Vocabulary::new(Dimension::Conflict, file, terms)
    }

    /// The conflict with this id (a phase's id gives its conflict).
    pub fn get(&self, id: &str) -> Option<&Conflict> {
        let base = id.split('.').next().unwrap_or(id);
        self.conflicts.iter().find(|c| c.id == base)
    }
}

/// What the linking reads from an incident's reports.
struct Facts<'a> {
    /// The incident's date (earliest known) and where it comes from.
    date: Option<(FuzzyDate, String)>,
    /// (place, country, name) of each actor and attributed actor.
    actors: Vec<(String, Option<&'a str>, &'a str)>,
    /// (place, country) of each victim with a country.
    victims: Vec<(String, &'a str)>,
    /// Coded conflict names: (place, text).
    codings: Vec<(String, &'a str)>,
    /// Cue phrases found: conflict index -> evidence.
    cues: BTreeMap<usize, Vec<String>>,
    /// Alignment phrases found: (conflict index, side) -> evidence.
    aligned: BTreeMap<(usize, usize), String>,
    /// Whether a State or State-affiliated actor was found, and by which rules.
    state_backed: Option<String>,
}

fn incident_date(reports: &[Report]) -> Option<(FuzzyDate, String)> {
    let pick = |get: &dyn Fn(&Report) -> Option<FuzzyDate>, what: &str| {
        reports
            .iter()
            .filter_map(|r| get(r).map(|d| (d, r.key())))
            .min_by_key(|(d, _)| day_range(d).0)
            .map(|(d, key)| {
                let text = format!("{what} {d} ({key})");
                (d, text)
            })
    };
    pick(&|r| r.occurred.as_ref().map(|s| s.start), "occurred")
        .or_else(|| pick(&|r| r.disclosed, "disclosed"))
        .or_else(|| pick(&|r| r.reported, "reported"))
}

impl Conflicts {
    fn facts<'a>(
        &self,
        reports: &'a [Report],
        findings: &[Finding],
        negation: &Negation,
    ) -> Facts<'a> {
        let mut actors = Vec::new();
        let mut victims = Vec::new();
        let mut codings = Vec::new();
        let mut cues: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut aligned: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for r in reports {
            let key = r.key();
            for (i, a) in r.actors.iter().enumerate() {
                actors.push((
                    format!("{key} actors[{i}]"),
                    a.country.as_deref(),
                    a.name.as_str(),
                ));
                for alias in &a.aliases {
                    actors.push((
                        format!("{key} actors[{i}].aliases"),
                        a.country.as_deref(),
                        alias.as_str(),
                    ));
                }
            }
            for (i, a) in r.attributions.iter().enumerate() {
                actors.push((
                    format!("{key} attributions[{i}].actor"),
                    a.actor.country.as_deref(),
                    a.actor.name.as_str(),
                ));
            }
            for (i, v) in r.victims.iter().enumerate() {
                if let Some(c) = v.country.as_deref() {
                    victims.push((format!("{key} victims[{i}].country"), c));
                }
            }
            for t in &r.tags {
                if let Some(v) = t.strip_prefix("conflict:") {
                    codings.push((format!("{key} tags"), v));
                }
            }
            for (field, text) in [
                ("title", Some(r.title.as_str())),
                ("description", r.description.as_deref()),
            ] {
                let Some(text) = text else { continue };
                let ws = words(text);
                for hit in self.phrases.find(&ws, negation) {
                    if hit.negated {
                        continue;
                    }
                    let e = format!("{key} {field}: \"{}\"", &text[hit.span.0..hit.span.1]);
                    match self.phrase_owner[hit.phrase] {
                        (conflict, Some(side)) => {
                            aligned.entry((conflict, side)).or_insert(e);
                        }
                        (conflict, None) => {
                            let list = cues.entry(conflict).or_default();
                            if !list.contains(&e) && list.len() < 3 {
                                list.push(e);
                            }
                        }
                    }
                }
            }
        }
        // The actor category is judged for the incident, not per actor: an incident found
        // State-backed counts each of its actors of a State party as that State's. Incidents
        // mixing a State's operators with unrelated criminals are rare enough that an analyst's
        // decision is the remedy.
        let state_backed = findings
            .iter()
            .filter(|f| f.dimension == Dimension::Actor && f.counts())
            .find(|f| f.label == "state" || f.label == "state-affiliated")
            .map(|f| {
                format!(
                    "actor:{} ({:.2}; {})",
                    f.label,
                    f.confidence,
                    f.rule_ids().join(", ")
                )
            });
        Facts {
            date: incident_date(reports),
            actors,
            victims,
            codings,
            cues,
            aligned,
            state_backed,
        }
    }

    /// Links an incident to conflicts: the strongest level of evidence per conflict, and its
    /// phase when the date falls in one. `findings` are the incident's findings so far (the
    /// actor category decides whether an actor of a State party counts as that State's).
    pub fn link(
        &self,
        reports: &[Report],
        findings: &[Finding],
        negation: &Negation,
    ) -> Vec<Judgment> {
        let facts = self.facts(reports, findings, negation);
        let mut out = Vec::new();
        for (index, c) in self.conflicts.iter().enumerate() {
            if let Some((level, confidence, evidence)) = self.best_link(index, c, &facts) {
                let in_span = |start: &FuzzyDate, end: Option<&FuzzyDate>| {
                    facts.date.as_ref().filter(|(d, _)| within(d, start, end))
                };
                let judgment = |label: String, evidence: Vec<String>| Judgment {
                    dimension: Dimension::Conflict,
                    label,
                    confidence: round3(confidence),
                    rule_id: format!("conflict:{level}"),
                    evidence,
                    made_by: self.version.clone(),
                    report: None,
                };
                for p in &c.phases {
                    if let Some((_, when)) = in_span(&p.start, p.end.as_ref()) {
                        let mut e = evidence.clone();
                        e.push(format!(
                            "{when} is within the phase \"{}\" ({})",
                            p.name,
                            span_text(&p.start, p.end.as_ref())
                        ));
                        out.push(judgment(p.id.clone(), e));
                    }
                }
                out.push(judgment(c.id.clone(), evidence));
            }
        }
        out
    }

    /// The strongest level of evidence linking the incident to conflict `c`, if any.
    fn best_link(
        &self,
        index: usize,
        c: &Conflict,
        facts: &Facts<'_>,
    ) -> Option<(&'static str, f64, Vec<String>)> {
        let l = &self.levels;
        let coded: Vec<String> = facts
            .codings
            .iter()
            .filter(|(_, v)| c.codings.contains(&coding_key(v)))
            .map(|(place, v)| {
                format!(
                    "{place}: \"conflict:{v}\" is the source's coding of {}",
                    c.name
                )
            })
            .collect();
        if !coded.is_empty() {
            return Some(("coded", l.coded, coded));
        }
        let span = span_text(&c.start, c.end.as_ref());
        let dated = match &facts.date {
            Some((date, when)) if within(date, &c.start, c.end.as_ref()) => {
                Some(format!("{when} is within {} ({span})", c.name))
            }
            Some(_) => return None,
            None => None,
        };
        // Actors of a side: by State (strong only when found State-backed), by named group, or
        // by territory (weak).
        let mut actor_sides: Vec<(usize, bool, String)> = Vec::new();
        for (place, country, name) in &facts.actors {
            for (s, side) in c.sides.iter().enumerate() {
                if let Some(code) = country.filter(|code| side.states.iter().any(|x| x == code)) {
                    let strong = facts.state_backed.is_some();
                    let why = match &facts.state_backed {
                        Some(f) => format!("{place} \"{name}\" is of {code}, a party, and found State-backed ({f})"),
                        None => format!("{place} \"{name}\" is based in {code}, a party, but not found State-backed"),
                    };
                    actor_sides.push((s, strong, why));
                } else if side.groups.iter().any(|g| normalise(g) == normalise(name)) {
                    actor_sides.push((
                        s,
                        true,
                        format!("{place} \"{name}\" is a non-State party to {}", c.name),
                    ));
                } else if let Some(code) =
                    country.filter(|code| side.territories.iter().any(|x| x == code))
                {
                    actor_sides.push((
                        s,
                        false,
                        format!("{place} \"{name}\" is based in {code}, where a party is based"),
                    ));
                }
            }
        }
        // An actor the text aligns with a side counts for it, as weakly as one merely based there.
        for ((conflict, s), e) in &facts.aligned {
            if *conflict == index {
                actor_sides.push((
                    *s,
                    false,
                    format!(
                        "the account aligns the actor with a side of {}: {e}",
                        c.name
                    ),
                ));
            }
        }
        let mut victim_sides: Vec<(usize, String)> = Vec::new();
        for (place, code) in &facts.victims {
            for (s, side) in c.sides.iter().enumerate() {
                if side
                    .states
                    .iter()
                    .chain(&side.territories)
                    .any(|x| x == code)
                {
                    victim_sides.push((s, format!("{place}: {code} is on a side of {}", c.name)));
                }
            }
        }
        let cue = facts.cues.get(&index);
        let Some(dated) = dated else {
            // No date in any report: only an account that itself names the conflict's context,
            // about a party, is linked (the date cannot confirm it).
            let party = actor_sides
                .first()
                .map(|a| a.2.clone())
                .or_else(|| victim_sides.first().map(|v| v.1.clone()))?;
            let mut e = vec![
                party,
                format!(
                    "no report gives a date; the account places it in {}",
                    c.name
                ),
            ];
            e.extend(
                cue?.iter()
                    .map(|c| format!("names the conflict's context: {c}")),
            );
            return Some(("party-and-cue", l.party_and_cue, e));
        };
        let opposing = |strong: bool| {
            actor_sides
                .iter()
                .filter(|a| a.1 == strong)
                .find_map(|(s, _, why)| {
                    victim_sides
                        .iter()
                        .find(|(v, _)| v != s)
                        .map(|(_, vwhy)| vec![why.clone(), vwhy.clone(), dated.clone()])
                })
        };
        if let Some(e) = opposing(true) {
            return Some(("opposing-sides", l.opposing_sides, e));
        }
        if let Some(e) = opposing(false) {
            return Some(("opposing-weak", l.opposing_weak, e));
        }
        if let Some((_, _, why)) = actor_sides
            .iter()
            .find(|a| a.2.starts_with("the account aligns"))
        {
            return Some(("aligned-actor", l.aligned_actor, vec![why.clone(), dated]));
        }
        let party = actor_sides
            .first()
            .map(|a| a.2.clone())
            .or_else(|| victim_sides.first().map(|v| v.1.clone()));
        match (party, cue) {
            (Some(p), Some(cues)) => {
                let mut e = vec![p, dated];
                e.extend(
                    cues.iter()
                        .map(|c| format!("names the conflict's context: {c}")),
                );
                Some(("party-and-cue", l.party_and_cue, e))
            }
            (Some(p), None) => Some(("party-only", l.party_only, vec![p, dated])),
            (None, Some(cues)) => {
                let mut e = vec![dated];
                e.extend(
                    cues.iter()
                        .map(|c| format!("names the conflict's context: {c}")),
                );
                Some(("cue-only", l.cue_only, e))
            }
            (None, None) => None,
        }
    }

    /// Spill-over of the conflicts the incident is linked to (findings that count): one
    /// judgment per third State among the victims, or one when the text says the effects were
    /// global.
    pub fn spill_over(&self, reports: &[Report], findings: &[Finding]) -> Vec<Judgment> {
        let mut out = Vec::new();
        let global = findings
            .iter()
            .find(|f| f.dimension == Dimension::Scale && f.label == "global" && f.counts());
        for f in findings
            .iter()
            .filter(|f| f.dimension == Dimension::Conflict && f.counts())
        {
            // Phases spill over as their conflict does; judge the conflict once.
            let Some(c) = self.conflicts.iter().find(|c| c.id == f.label) else {
                continue;
            };
            let link = format!(
                "conflict:{} ({:.2}; {})",
                c.id,
                f.confidence,
                f.rule_ids().join(", ")
            );
            let mut third: BTreeSet<&str> = BTreeSet::new();
            for r in reports {
                let key = r.key();
                for (i, v) in r.victims.iter().enumerate() {
                    let Some(code) = v.country.as_deref() else {
                        continue;
                    };
                    let party = c
                        .sides
                        .iter()
                        .any(|s| s.states.iter().chain(&s.territories).any(|x| x == code));
                    if !party && third.insert(code) {
                        out.push(Judgment {
                            dimension: Dimension::SpillOver,
                            label: c.id.clone(),
                            confidence: round3(self.levels.spill_over.min(f.strength())),
                            rule_id: "spill-over:third-state-victim".into(),
                            evidence: vec![
                                format!("third State {code}: {key} victims[{i}].country is not a party to {}", c.name),
                                link.clone(),
                            ],
                            made_by: self.version.clone(),
                            report: Some(key.clone()),
                        });
                    }
                }
            }
            if let Some(g) = global {
                out.push(Judgment {
                    dimension: Dimension::SpillOver,
                    label: c.id.clone(),
                    confidence: round3(
                        self.levels
                            .spill_over_global
                            .min(f.strength())
                            .min(g.strength()),
                    ),
                    rule_id: "spill-over:global-effects".into(),
                    evidence: vec![
                        format!(
                            "scale:global ({:.2}; {}): the effects reached beyond the parties",
                            g.confidence,
                            g.rule_ids().join(", ")
                        ),
                        link.clone(),
                    ],
                    made_by: self.version.clone(),
                    report: None,
                });
            }
        }
        out
    }
}

/// The third States a spill-over finding names (from its evidence), sorted.
pub fn third_states(finding: &Finding) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for j in &finding.judgments {
        for e in &j.evidence {
            if let Some(rest) = e.strip_prefix("third State ") {
                if let Some(code) = rest.split(':').next() {
                    out.insert(code.to_string());
                }
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_dates_overlap_spans() {
        let d = |s: &str| FuzzyDate::parse_iso(s).unwrap();
        assert!(within(&d("2022-02-24"), &d("2022-02-24"), None));
        assert!(!within(&d("2022-02-23"), &d("2022-02-24"), None));
        // A date known to the year overlaps a span starting within that year.
        assert!(within(&d("2014"), &d("2014-02-20"), None));
        assert!(within(
            &d("2024-11"),
            &d("2023-10-08"),
            Some(&d("2024-11-27"))
        ));
        assert!(!within(
            &d("2024-12"),
            &d("2023-10-08"),
            Some(&d("2024-11-27"))
        ));
        assert_eq!(day_range(&d("2024-02")).1 - day_range(&d("2024-02")).0, 28);
    }

    #[test]
    fn codings_ignore_dashes_and_case() {
        assert_eq!(coding_key("Russia – Ukraine"), coding_key("russia-ukraine"));
    }
}
