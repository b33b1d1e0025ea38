//! Assessing an incident from the reports that describe it: each report classified, the judgments
//! merged per label into findings, implication rules applied, and the intensity scored.

use std::collections::{BTreeSet, HashSet};

use threatscape_model::{FuzzyDate, Report};

use crate::classify::{Mode, UnreadValue};
use crate::decision::{self, AppliedDecision, Decision};
use crate::judgment::{merge, merge_confidence, round3, set_aside_superseded, Finding, Judgment};
use crate::vocab::{Dimension, Effect};
use crate::Assessor;

/// A finding counts (for the intensity score, the labels of an assessment, the evaluation) from
/// this confidence on.
pub const LABEL_THRESHOLD: f64 = 0.5;

/// What the project concludes about one incident, every conclusion with its rationale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    /// The keys of the reports assessed.
    pub reports: Vec<String>,
    /// Every finding, by dimension and then strongest first (weak ones included, so an analyst
    /// sees what almost fired).
    pub findings: Vec<Finding>,
    /// The intensity score and how it was reached.
    pub intensity: Intensity,
    /// The rule set's version.
    pub made_by: String,
    /// The analysts' decisions on this incident and what became of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<AppliedDecision>,
    /// The reports' coded values that no vocabulary reads, so none is silently left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<UnreadValue>,
}

impl Assessment {
    /// The findings of one dimension, strongest first.
    pub fn of(&self, dimension: Dimension) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.dimension == dimension)
    }

    /// The labels of one dimension that count: confidence at least [`LABEL_THRESHOLD`], or an
    /// analyst's confirmation or addition, and no analyst's rejection ([`Finding::counts`]).
    pub fn labels(&self, dimension: Dimension) -> Vec<&str> {
        self.of(dimension)
            .filter(|f| f.counts())
            .map(|f| f.label.as_str())
            .collect()
    }

    /// The finding for a label, if any.
    pub fn finding(&self, dimension: Dimension, label: &str) -> Option<&Finding> {
        self.of(dimension).find(|f| f.label == label)
    }
}

/// The intensity score (0-10) and each component that adds to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Intensity {
    /// The sum of the components, 0 to 10, to one decimal.
    pub score: f64,
    /// The components, in the order of the formula.
    pub components: Vec<Component>,
}

/// One term of the intensity formula.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Component {
    /// Its name: effect, criticality, scale, duration, physical, civilians.
    pub name: String,
    /// What it adds.
    pub value: f64,
    /// The most it can add.
    pub max: f64,
    /// Why, naming the findings or facts it rests on.
    pub reason: String,
}

impl Assessor {
    /// Assesses one incident from its reports (classifying each with structured fields and text).
    pub fn assess_reports(&self, reports: &[Report]) -> Assessment {
        self.assess_reports_with(reports, Mode::Full)
    }

    /// Assesses one incident from its reports, reading only what `mode` allows.
    pub fn assess_reports_with(&self, reports: &[Report], mode: Mode) -> Assessment {
        self.assess_incident_with(reports, mode, &[])
    }

    /// Assesses one incident from its reports and applies the analysts' decisions about it
    /// (those whose `incident` is the key of one of the reports; the others are ignored).
    pub fn assess_incident(&self, reports: &[Report], decisions: &[Decision]) -> Assessment {
        self.assess_incident_with(reports, Mode::Full, decisions)
    }

    /// The whole assessment, stage by stage: each report classified, judgments merged into
    /// findings, decisions on them applied, implications drawn (decisions applied again to what
    /// they add), then conflicts, spill-over, norms and agenda items, each stage reading the
    /// findings before it with the analysts' decisions already in force, and last the intensity.
    pub fn assess_incident_with(
        &self,
        reports: &[Report],
        mode: Mode,
        decisions: &[Decision],
    ) -> Assessment {
        let keys: Vec<String> = reports.iter().map(Report::key).collect();
        let mine: Vec<&Decision> = decisions
            .iter()
            .filter(|d| keys.contains(&d.incident))
            .collect();
        let mut judgments: Vec<Judgment> = Vec::new();
        let mut unread: Vec<UnreadValue> = Vec::new();
        for r in reports {
            let (j, u) = self.classify_report_reading(r, mode);
            judgments.extend(j);
            unread.extend(u);
        }
        unread.sort();
        unread.dedup();
        let mut findings = merge(judgments);
        const CLASSIFIED: [Dimension; 9] = [
            Dimension::Sector,
            Dimension::Threat,
            Dimension::Actor,
            Dimension::Raas,
            Dimension::Responsibility,
            Dimension::Harm,
            Dimension::Population,
            Dimension::Scale,
            Dimension::Duration,
        ];
        decision::apply(&mut findings, &mine, &CLASSIFIED);
        // After the decisions: a specific kind an analyst rejected supersedes nothing.
        set_aside_superseded(&mut findings, self.vocabularies.get(Dimension::Threat));
        self.apply_implications(&mut findings);
        let mut applied = decision::apply(&mut findings, &mine, &CLASSIFIED);

        let negation = self.rules.negation();
        let links = self.conflicts.link(reports, &findings, negation);
        findings.extend(merge_strongest(links));
        applied.extend(decision::apply(
            &mut findings,
            &mine,
            &[Dimension::Conflict],
        ));
        let spill = self.conflicts.spill_over(reports, &findings);
        findings.extend(merge_strongest(spill));
        applied.extend(decision::apply(
            &mut findings,
            &mine,
            &[Dimension::SpillOver],
        ));
        let norms = self
            .norms
            .link(reports, &findings, &self.vocabularies, negation);
        findings.extend(merge_strongest(norms));
        applied.extend(decision::apply(&mut findings, &mine, &[Dimension::Norm]));
        let agenda = self
            .agenda
            .link(reports, &findings, &self.vocabularies, negation);
        findings.extend(merge_strongest(agenda));
        applied.extend(decision::apply(&mut findings, &mine, &[Dimension::Agenda]));
        applied.sort_by_key(|a| {
            mine.iter()
                .position(|d| *d == &a.decision)
                .unwrap_or(usize::MAX)
        });

        findings.sort_by(|a, b| {
            a.dimension
                .cmp(&b.dimension)
                .then(b.confidence.total_cmp(&a.confidence))
                .then(a.label.cmp(&b.label))
        });
        let intensity = self.intensity(&findings, reports);
        Assessment {
            reports: keys,
            findings,
            intensity,
            made_by: self.rules.version.clone(),
            decisions: applied,
            unread,
        }
    }

    /// Adds the labels the implication rules derive; each derived judgment names the finding it
    /// rests on, which must be one that may ground an inference ([`Finding::grounds_inference`]:
    /// not the text model's guess alone); a rule whose `unless` label is found does not fire.
    /// Runs to a fixed point (a derived label may trigger another rule).
    fn apply_implications(&self, findings: &mut Vec<Finding>) {
        let mut done: HashSet<(String, String)> = HashSet::new();
        loop {
            let mut new: Vec<Judgment> = Vec::new();
            for rule in &self.rules.implications {
                // Any counted finding blocks, a guess too: saying less is the safe side, and an
                // analyst who rejects the blocking label lets the inference stand.
                let blocked = findings.iter().any(|g| {
                    g.counts()
                        && rule.unless.iter().any(|(d, l)| {
                            *d == g.dimension
                                && self.vocabularies.get(g.dimension).is_within(&g.label, l)
                        })
                });
                if blocked {
                    continue;
                }
                for f in findings.iter() {
                    if !f.grounds_inference() {
                        continue;
                    }
                    let vocab = self.vocabularies.get(f.dimension);
                    let fires = rule
                        .when
                        .iter()
                        .any(|(d, l)| *d == f.dimension && vocab.is_within(&f.label, l));
                    if !fires {
                        continue;
                    }
                    let partner = if rule.also.is_empty() {
                        None
                    } else {
                        match findings.iter().find(|g| {
                            g.grounds_inference()
                                && rule.also.iter().any(|(d, l)| {
                                    *d == g.dimension
                                        && self.vocabularies.get(g.dimension).is_within(&g.label, l)
                                })
                        }) {
                            Some(g) => Some(g),
                            None => continue,
                        }
                    };
                    if !done.insert((rule.id.clone(), f.label.clone())) {
                        continue;
                    }
                    let mut evidence = vec![format!(
                        "{}:{} ({:.2}; {})",
                        f.dimension,
                        f.label,
                        f.confidence,
                        f.rule_ids().join(", ")
                    )];
                    let mut confidence = rule.confidence.min(f.strength());
                    if let Some(g) = partner {
                        evidence.push(format!(
                            "{}:{} ({:.2}; {})",
                            g.dimension,
                            g.label,
                            g.confidence,
                            g.rule_ids().join(", ")
                        ));
                        confidence = confidence.min(g.strength());
                    }
                    new.push(Judgment {
                        dimension: rule.then.0,
                        label: rule.then.1.clone(),
                        confidence: round3(confidence),
                        rule_id: format!("implies:{}", rule.id),
                        evidence,
                        made_by: self.rules.version.clone(),
                        report: None,
                    });
                }
            }
            if new.is_empty() {
                break;
            }
            for j in new {
                match findings
                    .iter_mut()
                    .find(|f| f.dimension == j.dimension && f.label == j.label)
                {
                    Some(f) => f.judgments.push(j),
                    None => findings.push(Finding {
                        dimension: j.dimension,
                        label: j.label.clone(),
                        confidence: 0.0,
                        judgments: vec![j],
                        decision: None,
                    }),
                }
            }
            for f in findings.iter_mut() {
                f.confidence = merge_confidence(&f.judgments);
            }
        }
        findings.sort_by(|a, b| {
            a.dimension
                .cmp(&b.dimension)
                .then(b.confidence.total_cmp(&a.confidence))
                .then(a.label.cmp(&b.label))
        });
    }

    /// The intensity score: see the crate's README for the formula.
    fn intensity(&self, findings: &[Finding], reports: &[Report]) -> Intensity {
        let counted = |d: Dimension| {
            findings
                .iter()
                .filter(move |f| f.dimension == d && f.counts())
        };
        let mut components = Vec::new();

        // Effect: the most severe effect among the threat kinds found.
        let mut effect: Option<(Effect, &str)> = None;
        for f in counted(Dimension::Threat) {
            let e = self
                .vocabularies
                .threats
                .lineage(&f.label)
                .find_map(|id| self.vocabularies.threats.get(id).and_then(|t| t.effect));
            if let Some(e) = e {
                if effect.is_none_or(|(best, _)| e > best) {
                    effect = Some((e, &f.label));
                }
            }
        }
        let (effect_value, effect_reason) = match effect {
            Some((e, label)) => (
                effect_weight(e),
                format!("{label} is {}", format!("{e:?}").to_lowercase()),
            ),
            None => (0.0, "no threat kind found".to_string()),
        };
        components.push(Component {
            name: "effect".into(),
            value: effect_value,
            max: 3.0,
            reason: effect_reason,
        });

        // Criticality: the most critical sector hit, 0-3 scaled to 0-2.
        let mut crit: Option<(u8, &str)> = None;
        for f in counted(Dimension::Sector) {
            let c = self
                .vocabularies
                .sectors
                .lineage(&f.label)
                .find_map(|id| {
                    self.vocabularies
                        .sectors
                        .get(id)
                        .and_then(|t| t.criticality)
                })
                .unwrap_or(0);
            if crit.is_none_or(|(best, _)| c > best) {
                crit = Some((c, &f.label));
            }
        }
        components.push(match crit {
            Some((c, label)) => Component {
                name: "criticality".into(),
                value: round3(f64::from(c) * 2.0 / 3.0),
                max: 2.0,
                reason: format!("{label} has criticality {c} of 3"),
            },
            None => Component {
                name: "criticality".into(),
                value: 0.0,
                max: 2.0,
                reason: "no sector found".into(),
            },
        });

        // Scale: victims and countries, from the reports' fields and the scale cues of the text.
        let mut victims: BTreeSet<String> = BTreeSet::new();
        let mut countries: BTreeSet<String> = BTreeSet::new();
        for r in reports {
            for v in &r.victims {
                if let Some(n) = &v.name {
                    victims.insert(n.trim().to_lowercase());
                }
                if let Some(c) = v.country.as_ref().or(v.country_as_given.as_ref()) {
                    countries.insert(c.clone());
                }
            }
        }
        let has = |d: Dimension, l: &str| counted(d).any(|f| f.label == l);
        let widespread = has(Dimension::Scale, "widespread");
        let global = has(Dimension::Scale, "global");
        let steps = [
            (victims.len() >= 2, "two or more victims named"),
            (
                victims.len() >= 10 || widespread,
                "ten or more victims, or text says the effects were widespread",
            ),
            (countries.len() >= 2, "victims in two or more countries"),
            (
                countries.len() >= 5 || global,
                "victims in five or more countries, or text says worldwide",
            ),
        ];
        let reasons: Vec<&str> = steps.iter().filter(|s| s.0).map(|s| s.1).collect();
        components.push(Component {
            name: "scale".into(),
            value: 0.5 * reasons.len() as f64,
            max: 2.0,
            reason: if reasons.is_empty() {
                format!(
                    "{} victim(s) named in {} country(ies); no scale cue in the text",
                    victims.len(),
                    countries.len()
                )
            } else {
                reasons.join("; ")
            },
        });

        // Duration: how long a disruption lasted (only disruptive or destructive effects count).
        let disrupting = matches!(effect, Some((Effect::Disruptive | Effect::Destructive, _)));
        let days = reports
            .iter()
            .filter_map(|r| r.occurred.as_ref())
            .filter_map(|s| Some(days_between(&s.start, s.end.as_ref()?)))
            .max()
            .unwrap_or(0);
        let (value, reason) = if !disrupting {
            (0.0, "no disruption found".to_string())
        } else if days >= 7 || has(Dimension::Duration, "weeks") {
            (
                1.0,
                format!(
                    "a week or more ({days} days between the dates given, or the text says weeks)"
                ),
            )
        } else if days >= 1 || has(Dimension::Duration, "days") {
            (
                0.5,
                "a day or more (dates given, or the text says days)".to_string(),
            )
        } else {
            (0.0, "no duration known beyond a day".to_string())
        };
        components.push(Component {
            name: "duration".into(),
            value,
            max: 1.0,
            reason,
        });

        // Physical effects.
        let physical = counted(Dimension::Harm).find(|f| f.label == "physical");
        components.push(Component {
            name: "physical".into(),
            value: if physical.is_some() { 1.0 } else { 0.0 },
            max: 1.0,
            reason: match physical {
                Some(f) => format!("physical harm found ({})", f.rule_ids().join(", ")),
                None => "no physical harm found".into(),
            },
        });

        // Harm to civilians: any affected population found.
        let populations: Vec<&str> = counted(Dimension::Population)
            .map(|f| f.label.as_str())
            .collect();
        components.push(Component {
            name: "civilians".into(),
            value: if populations.is_empty() { 0.0 } else { 1.0 },
            max: 1.0,
            reason: if populations.is_empty() {
                "no affected population found".into()
            } else {
                format!("affected: {}", populations.join(", "))
            },
        });

        let score: f64 = components.iter().map(|c| c.value).sum();
        Intensity {
            score: (score.min(10.0) * 10.0).round() / 10.0,
            components,
        }
    }
}

/// Merges link judgments (conflicts, spill-over, agenda items, norms) into findings whose
/// confidence is their strongest judgment's: the rules of one file read the same facts at
/// different strengths, so they are not independent evidence to combine.
fn merge_strongest(judgments: Vec<Judgment>) -> Vec<Finding> {
    let mut findings = merge(judgments);
    for f in &mut findings {
        f.confidence = f.judgments.iter().map(|j| j.confidence).fold(0.0, f64::max);
    }
    findings
}

/// The weight of an effect in the intensity score.
pub fn effect_weight(effect: Effect) -> f64 {
    match effect {
        Effect::Enabling => 0.5,
        Effect::Exploitive | Effect::Influence => 1.0,
        Effect::Disruptive => 2.0,
        Effect::Destructive => 3.0,
    }
}

/// Whole days between two dates, counting unknown months and days as the first.
fn days_between(a: &FuzzyDate, b: &FuzzyDate) -> i64 {
    fn ordinal(d: &FuzzyDate) -> i64 {
        crate::conflict::day_number(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
    }
    (ordinal(b) - ordinal(a)).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        let d = |s: &str| FuzzyDate::parse_iso(s).unwrap();
        assert_eq!(days_between(&d("2017-06-27"), &d("2017-07-04")), 7);
        assert_eq!(days_between(&d("2016-02-28"), &d("2016-03-01")), 2);
        assert_eq!(days_between(&d("2017-06"), &d("2017")), 0);
    }
}
