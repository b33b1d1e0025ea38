//! Judgments: one label, its confidence, the rule that made it, the evidence that fired and who
//! made it; and findings, which merge the judgments of one label across an incident's reports.

use crate::decision::AnalystVerdict;
use crate::vocab::{Dimension, Vocabulary};

/// A judgment that a report (or an incident) carries a label, with its rationale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Judgment {
    /// Which vocabulary the label is from.
    pub dimension: Dimension,
    /// The canonical id (`health.hospitals`, `ransomware`).
    pub label: String,
    /// How sure, from 0 to 1.
    pub confidence: f64,
    /// What made it: `rule:<id>` for a text rule, `crosswalk:<vocabulary>:<label>` for a
    /// structured field, `implies:<id>` for a rule that derives one label from others,
    /// `model:<name>` for a statistical model, and any of these after [`MENTION_PREFIX`] for a
    /// sector only mentioned.
    pub rule_id: String,
    /// What fired, each with where it was found: `title: "ransomware"`,
    /// `victims[0].sectors: "Health"`.
    pub evidence: Vec<String>,
    /// The rule set's version (or an analyst's name).
    pub made_by: String,
    /// The key of the report it was made from (none for a judgment made on the whole incident).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// The `rule_id` prefix of a mention: a sector the text names only in passing in a report that
/// codes its victims' sectors precisely (`mention:rule:sector.finance` for "sanctioned by the
/// Treasury" in a report on an oil company). See `classify`.
pub const MENTION_PREFIX: &str = "mention:";

/// The most a finding that rests only on mentions may have: below
/// [`crate::assess::LABEL_THRESHOLD`], so it is shown but does not count unless an analyst
/// confirms it.
pub const MENTION_CEILING: f64 = 0.45;
const _: () = assert!(MENTION_CEILING < crate::assess::LABEL_THRESHOLD);

impl Judgment {
    /// Whether it is a mention ([`MENTION_PREFIX`]).
    pub fn is_mention(&self) -> bool {
        self.rule_id.starts_with(MENTION_PREFIX)
    }
}

/// All the judgments for one label of an incident, merged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Which vocabulary the label is from.
    pub dimension: Dimension,
    /// The canonical id.
    pub label: String,
    /// The merged confidence (see [`merge_confidence`]).
    pub confidence: f64,
    /// Every judgment that supports it, with all their evidence (the machine's; none for a
    /// label only an analyst added).
    pub judgments: Vec<Judgment>,
    /// An analyst's confirmation, rejection or addition, which decides whether it counts (see
    /// [`Finding::counts`]); the machine's judgments and confidence stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<AnalystVerdict>,
}

impl Finding {
    /// Every rule id that supports the finding, without repeats.
    pub fn rule_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for j in &self.judgments {
            if !out.contains(&j.rule_id.as_str()) {
                out.push(&j.rule_id);
            }
        }
        out
    }

    /// Whether every judgment behind it is a mention ([`MENTION_PREFIX`]): a sector the report
    /// names only in passing beside the victims it codes, shown but not counted.
    pub fn is_mention_only(&self) -> bool {
        all_mentions(&self.judgments)
    }

    /// Every piece of evidence, prefixed with its rule.
    pub fn evidence(&self) -> Vec<String> {
        self.judgments
            .iter()
            .flat_map(|j| {
                j.evidence
                    .iter()
                    .map(move |e| format!("{}: {e}", j.rule_id))
            })
            .collect()
    }
}

/// Merges confidences as independent pieces of evidence would combine (noisy-or): the result is
/// at least the largest, grows with each further piece, and stays below 1.
///
/// `judgments` are first reduced to the strongest per source of evidence ([`evidence_source`]),
/// so one rule firing in several reports of an incident counts once per rule, not once per
/// report, and one coder's vocabulary counts once however many of its codes say the same.
/// Judgments that are all mentions stay at or below [`MENTION_CEILING`], however many there are.
pub fn merge_confidence(judgments: &[Judgment]) -> f64 {
    let mut best: Vec<(&str, f64)> = Vec::new();
    for j in judgments {
        let source = evidence_source(&j.rule_id);
        match best.iter_mut().find(|(r, _)| *r == source) {
            Some((_, c)) => *c = c.max(j.confidence),
            None => best.push((source, j.confidence)),
        }
    }
    let miss: f64 = best
        .iter()
        .map(|(_, c)| 1.0 - c.clamp(0.0, 0.999))
        .product();
    let merged = round3(1.0 - miss);
    if all_mentions(judgments) {
        merged.min(MENTION_CEILING)
    } else {
        merged
    }
}

/// The independent source a judgment's evidence comes from: its rule, or for a crosswalk row
/// (`crosswalk:VOCABULARY:LABEL`) the vocabulary. A source's codes of one thing in two fields
/// (CISSM's industry "Health Care and Social Assistance" and its NAICS code "62"; its event
/// type "Exploitive" and subtype "Exploitation of Application Server") are one coder's one
/// judgment, not two pieces of evidence that confirm each other.
pub fn evidence_source(rule_id: &str) -> &str {
    use crate::crosswalk::RULE_PREFIX;
    match rule_id
        .strip_prefix(RULE_PREFIX)
        .and_then(|rest| rest.find(':'))
    {
        Some(i) => &rule_id[..RULE_PREFIX.len() + i],
        None => rule_id,
    }
}

/// Whether there are judgments and every one is a mention.
fn all_mentions(judgments: &[Judgment]) -> bool {
    !judgments.is_empty() && judgments.iter().all(Judgment::is_mention)
}

/// Groups judgments into findings, one per (dimension, label), strongest first within a
/// dimension.
pub fn merge(judgments: impl IntoIterator<Item = Judgment>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for j in judgments {
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
    for f in &mut findings {
        f.confidence = merge_confidence(&f.judgments);
    }
    findings.sort_by(|a, b| {
        a.dimension
            .cmp(&b.dimension)
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.label.cmp(&b.label))
    });
    findings
}

/// Sets aside the generic findings of `vocab`'s dimension ("unspecified disruption": an effect
/// whose means the account does not state) where a finding that counts names the means
/// ([`Vocabulary::superseded`]): one report's "the service went down" and another's "a
/// denial-of-service attack" are one DDoS, not a DDoS and a disruption of unknown means; and the
/// findings of a kind that another finding disguises itself as (ransomware beside decoy
/// ransomware). A finding an analyst decided on stays; a rejected specific kind supersedes
/// nothing.
pub fn set_aside_superseded(findings: &mut Vec<Finding>, vocab: &Vocabulary) {
    let specific: Vec<String> = findings
        .iter()
        .filter(|f| f.dimension == vocab.dimension && f.counts())
        .map(|f| f.label.clone())
        .collect();
    findings.retain(|f| {
        f.dimension != vocab.dimension
            || f.decision.is_some()
            || !specific.iter().any(|s| vocab.superseded(&f.label, s))
    });
}

/// Rounds to three decimals, so stored confidences compare and print cleanly.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(label: &str, rule: &str, c: f64) -> Judgment {
        Judgment {
            dimension: Dimension::Threat,
            label: label.into(),
            confidence: c,
            rule_id: rule.into(),
            evidence: vec![format!("title: \"{label}\"")],
            made_by: "test".into(),
            report: None,
        }
    }

    #[test]
    fn merging_keeps_evidence_and_combines() {
        let f = merge([
            j("ransomware", "rule:a", 0.8),
            j("ransomware", "rule:a", 0.6),
            j("ransomware", "crosswalk:x:y", 0.5),
            j("wiper", "rule:b", 0.7),
        ]);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].label, "ransomware");
        assert_eq!(f[0].judgments.len(), 3);
        assert!((f[0].confidence - 0.9).abs() < 1e-9);
        assert_eq!(f[0].rule_ids(), ["rule:a", "crosswalk:x:y"]);
        assert_eq!(f[1].confidence, 0.7);
    }

    #[test]
    fn one_vocabulary_counts_once_however_many_of_its_codes_agree() {
        assert_eq!(
            evidence_source("crosswalk:naics:Health Care and Social Assistance"),
            "crosswalk:naics"
        );
        assert_eq!(evidence_source("rule:sector.health"), "rule:sector.health");
        // The industry's name and its NAICS code are one coding: 0.5, not 0.75.
        let f = merge([
            j(
                "health.hospitals",
                "crosswalk:naics:Health Care and Social Assistance",
                0.5,
            ),
            j("health.hospitals", "crosswalk:naics:62", 0.5),
        ]);
        assert_eq!(f[0].confidence, 0.5);
        // Another coder, or a rule reading the text, is further evidence.
        let f = merge([
            j("health.hospitals", "crosswalk:naics:62", 0.5),
            j("health.hospitals", "crosswalk:eurepoc-receiver:Health", 0.5),
            j("health.hospitals", "rule:sector.health.hospitals", 0.5),
        ]);
        assert_eq!(f[0].confidence, 0.875);
    }

    #[test]
    fn mentions_alone_never_reach_the_label_threshold() {
        let mentions = [
            j("finance", "mention:rule:a", 0.45),
            j("finance", "mention:model:m", 0.45),
            j("finance", "mention:rule:b", 0.45),
        ];
        assert_eq!(merge_confidence(&mentions), MENTION_CEILING);
        // Beside a judgment that is not a mention, they combine as any evidence does.
        let mut mixed = mentions.to_vec();
        mixed.push(j("finance", "rule:c", 0.5));
        assert!(merge_confidence(&mixed) > 0.9);
    }
}
