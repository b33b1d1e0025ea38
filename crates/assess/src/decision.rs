//! Analysts' decisions on an assessment: confirm a finding, reject it, or add a label the rules
//! missed. Decisions are kept outside the crate (the CLI keeps them in the store's
//! `assessment-decisions` stream) and applied by every assessment, so they survive re-running
//! the rules; the machine's judgments stay in the finding beside the analyst's word.
//!
//! A decision names its incident by the key of one of the incident's reports (incidents are
//! derived afresh on every run, reports keep their keys), so it follows the report into whatever
//! incident reconciliation puts it in.

use crate::judgment::Finding;
use crate::vocab::Dimension;
use crate::LABEL_THRESHOLD;

/// What the analyst says about a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The label is right: it counts whatever its confidence.
    Confirm,
    /// The label is wrong: it does not count, whatever its confidence.
    Reject,
    /// The label is right though no rule found it: it counts.
    Add,
}

impl Verdict {
    /// `confirm`, `reject` or `add`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirm => "confirm",
            Verdict::Reject => "reject",
            Verdict::Add => "add",
        }
    }
}

/// An analyst's decision about one label of one incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// The key of one of the incident's reports (`eurepoc:842`).
    pub incident: String,
    /// The dimension of the label.
    pub dimension: Dimension,
    /// The label (a canonical id, an agenda item id, a norm letter, a conflict id).
    pub label: String,
    /// Confirm, reject or add.
    pub verdict: Verdict,
    /// Why, in the analyst's words.
    pub reason: String,
    /// Who decided.
    pub analyst: String,
    /// When it was recorded (set by the store), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// Its number in the decision stream, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

/// The analyst's word on a finding, kept beside the machine's judgments.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnalystVerdict {
    /// Confirm, reject or add.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// Who.
    pub analyst: String,
    /// When, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// The decision's number in its stream, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

/// What became of a decision in one assessment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppliedDecision {
    /// The decision.
    pub decision: Decision,
    /// `applied`; `superseded` by a later decision on the same label; or why it could not apply
    /// (`no such finding`: the rules no longer find the label it confirms or rejects).
    pub outcome: String,
}

impl Finding {
    /// Whether the finding counts: the analyst's verdict when there is one, else whether its
    /// confidence reaches [`LABEL_THRESHOLD`].
    pub fn counts(&self) -> bool {
        match self.decision.as_ref().map(|d| d.verdict) {
            Some(Verdict::Reject) => false,
            Some(Verdict::Confirm | Verdict::Add) => true,
            None => self.machine_counts(),
        }
    }

    /// Whether it counts on the machine's word alone: its confidence reaches
    /// [`LABEL_THRESHOLD`].
    fn machine_counts(&self) -> bool {
        self.confidence >= LABEL_THRESHOLD
    }

    /// How sure a judgment resting on the finding can be: 1 where an analyst confirmed or added
    /// it (an added label has no machine confidence at all), else its confidence. What an
    /// implication or a link derives from it is never surer than this.
    pub fn strength(&self) -> f64 {
        match self.decision.as_ref().map(|d| d.verdict) {
            Some(Verdict::Confirm | Verdict::Add) => 1.0,
            Some(Verdict::Reject) | None => self.confidence,
        }
    }

    /// Where it stands on the machine's word alone, as the CLI and the incident pages show it
    /// beside no analyst's decision: `counts`, `mentioned only` (a sector only mentioned,
    /// [`Finding::is_mention_only`]) or `below threshold`.
    pub fn standing(&self) -> &'static str {
        if self.machine_counts() {
            "counts"
        } else if self.is_mention_only() {
            "mentioned only"
        } else {
            "below threshold"
        }
    }

    /// Whether the finding may ground a further judgment (an implied harm or population, a
    /// Council agenda item, a norm): it counts, and an analyst decided it or something a reader
    /// can check supports it (a rule's match in the text, a source's coding, a derivation from
    /// these). A label only the statistical text model gives is a guess from word statistics:
    /// it stands as a finding, with its probability, but a diplomat must never read "may engage
    /// norm (e)" or "patients affected" that rests on it alone. Nor on the model beside a weak
    /// crosswalk row that only corroborates (a coding too broad to give the label itself: DCID's
    /// "Private/non-state" behind the model's "defence industry").
    pub fn grounds_inference(&self) -> bool {
        self.counts()
            && (self.decision.is_some()
                || self.judgments.iter().any(|j| {
                    let guessed = j.rule_id.starts_with(crate::model::RULE_PREFIX);
                    let only_corroborates = j.rule_id.starts_with(crate::crosswalk::RULE_PREFIX)
                        && j.confidence < crate::crosswalk::EMIT_THRESHOLD;
                    !guessed && !only_corroborates
                }))
    }
}

/// Applies the decisions of the given dimensions to `findings`, in order (a later decision on
/// the same label replaces an earlier one). An `add` with no finding creates one that has no
/// machine judgment (confidence 0); a `confirm` or `reject` of a label the rules did not find is
/// reported as not applied. Returns what became of each decision, in order.
pub fn apply(
    findings: &mut Vec<Finding>,
    decisions: &[&Decision],
    dimensions: &[Dimension],
) -> Vec<AppliedDecision> {
    let mut out = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        if !dimensions.contains(&d.dimension) {
            continue;
        }
        let later = decisions[i + 1..]
            .iter()
            .any(|e| e.dimension == d.dimension && e.label == d.label);
        let verdict = AnalystVerdict {
            verdict: d.verdict,
            reason: d.reason.clone(),
            analyst: d.analyst.clone(),
            recorded_at: d.recorded_at.clone(),
            seq: d.seq,
        };
        let existing = findings
            .iter_mut()
            .find(|f| f.dimension == d.dimension && f.label == d.label);
        let outcome = match (existing, d.verdict) {
            (_, _) if later => "superseded".to_string(),
            (Some(f), _) => {
                f.decision = Some(verdict);
                "applied".to_string()
            }
            (None, Verdict::Add) => {
                findings.push(Finding {
                    dimension: d.dimension,
                    label: d.label.clone(),
                    confidence: 0.0,
                    judgments: Vec::new(),
                    decision: Some(verdict),
                });
                "applied".to_string()
            }
            (None, _) => "no such finding: the rules no longer find this label".to_string(),
        };
        out.push(AppliedDecision {
            decision: (*d).clone(),
            outcome,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judgment::Judgment;

    fn finding(label: &str, confidence: f64) -> Finding {
        Finding {
            dimension: Dimension::Norm,
            label: label.into(),
            confidence,
            judgments: vec![Judgment {
                dimension: Dimension::Norm,
                label: label.into(),
                confidence,
                rule_id: "link:test".into(),
                evidence: vec!["x".into()],
                made_by: "test".into(),
                report: None,
            }],
            decision: None,
        }
    }

    fn decision(label: &str, verdict: Verdict) -> Decision {
        Decision {
            incident: "native:1".into(),
            dimension: Dimension::Norm,
            label: label.into(),
            verdict,
            reason: "read the sources".into(),
            analyst: "ana".into(),
            recorded_at: None,
            seq: None,
        }
    }

    #[test]
    fn the_model_beside_a_weak_crosswalk_row_grounds_nothing() {
        let judgment = |rule_id: &str, confidence: f64| Judgment {
            dimension: Dimension::Sector,
            label: "defence.industry".into(),
            confidence,
            rule_id: rule_id.into(),
            evidence: vec!["x".into()],
            made_by: "test".into(),
            report: None,
        };
        let with = |judgments: Vec<Judgment>| Finding {
            dimension: Dimension::Sector,
            label: "defence.industry".into(),
            confidence: 0.8,
            judgments,
            decision: None,
        };
        // The model's guess, corroborated by a coding too broad to give the label itself.
        let guessed = with(vec![
            judgment("model:text-lr/1", 0.75),
            judgment("crosswalk:dcid-target:Private/non-state", 0.2),
        ]);
        assert!(guessed.counts());
        assert!(!guessed.grounds_inference());
        // A coding that gives the label, or a rule's match, grounds it.
        let coded = with(vec![
            judgment("model:text-lr/1", 0.75),
            judgment("crosswalk:naics:3364", 0.9),
        ]);
        assert!(coded.grounds_inference());
        let read = with(vec![judgment("rule:sector.defence.industry", 0.8)]);
        assert!(read.grounds_inference());
    }

    #[test]
    fn verdicts_override_confidence_and_keep_the_machine_judgment() {
        let mut findings = vec![finding("f", 0.9), finding("i", 0.3)];
        let reject = decision("f", Verdict::Reject);
        let confirm = decision("i", Verdict::Confirm);
        let add = decision("k", Verdict::Add);
        let missing = decision("c", Verdict::Confirm);
        let out = apply(
            &mut findings,
            &[&reject, &confirm, &add, &missing],
            &[Dimension::Norm],
        );
        assert_eq!(
            out.iter().map(|o| o.outcome.as_str()).collect::<Vec<_>>(),
            [
                "applied",
                "applied",
                "applied",
                "no such finding: the rules no longer find this label"
            ]
        );
        assert!(!findings[0].counts());
        assert_eq!(findings[0].confidence, 0.9);
        assert_eq!(findings[0].judgments.len(), 1);
        assert!(findings[1].counts());
        assert!(findings[2].counts() && findings[2].judgments.is_empty());
    }

    #[test]
    fn the_last_decision_on_a_label_wins() {
        let mut findings = vec![finding("f", 0.9)];
        let reject = decision("f", Verdict::Reject);
        let confirm = decision("f", Verdict::Confirm);
        let out = apply(&mut findings, &[&reject, &confirm], &[Dimension::Norm]);
        assert_eq!(out[0].outcome, "superseded");
        assert_eq!(out[1].outcome, "applied");
        assert!(findings[0].counts());
        // Decisions of other dimensions are left for their stage.
        let other = Decision {
            dimension: Dimension::Agenda,
            ..decision("poc", Verdict::Add)
        };
        assert!(apply(&mut findings, &[&other], &[Dimension::Norm]).is_empty());
    }
}
