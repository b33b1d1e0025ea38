//! Recording analysts' decisions: the one mechanism the CLI (`threatscape assess confirm|reject|add`,
//! `threatscape reconcile link|unlink|split`), the web pages and the REST API share.
//!
//! - An assessment decision (confirm, reject or add a label) is appended to the stream
//!   [`ASSESSMENT_DECISION_STREAM`] with the entry number the deciding analyst's view was made at,
//!   so two analysts deciding on different views cannot interleave: the second gets
//!   [`DecideError::Stale`] and decides again on the fresh view. It is checked against the
//!   incident as the analyst sees it (a confirm or reject needs the finding, an add a label the
//!   incident does not already have), and written to the audit log too.
//! - A reconciliation decision (link, unlink, split) is an audit entry (action
//!   [`RECONCILE_DECISION_ACTION`]) holding the decision, the reason and the machine's judgment at
//!   the time (the pair's score and evidence, or the merges that had joined a split report), so the
//!   history shows what the analyst overrode.
//!
//! Either write moves the store's change marker, so every derivation ([`crate::Cached`]) sees
//! the decision on its next read.

use std::collections::BTreeSet;

use threatscape_assess::{Assessor, Decision, Dimension, Verdict};
use threatscape_model::Tlp;
use threatscape_reconcile::{Decision as ReconcileDecision, Reconciler};
use threatscape_store::{AuditEntry, AuditRecord, Store, StoreError};

use crate::{Landscape, LandscapeError, ASSESSMENT_DECISION_STREAM, RECONCILE_DECISION_ACTION};

/// The audit action written beside each assessment decision appended to its stream.
pub const ASSESSMENT_DECISION_ACTION: &str = "assessment-decision";

/// Why a decision was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// The decision itself is wrong (unknown dimension, label or report, no reason, nothing to
    /// confirm); the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Another decision was recorded since the view this one was made on; decide again on the
    /// fresh view.
    #[error("another analyst recorded a decision on the assessments meanwhile (the stream is at entry {next}, this decision expected {expected}); look at the incident again and decide on what it shows now")]
    Stale {
        /// The entry number this decision expected to take.
        expected: i64,
        /// The number the stream is at.
        next: i64,
    },
    /// The store could not be read or written.
    #[error(transparent)]
    Store(StoreError),
    /// The landscape could not be derived.
    #[error(transparent)]
    Landscape(#[from] LandscapeError),
}

impl From<StoreError> for DecideError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::StreamConflict { expected, next, .. } => {
                DecideError::Stale { expected, next }
            }
            e => DecideError::Store(e),
        }
    }
}

fn invalid(text: impl Into<String>) -> DecideError {
    DecideError::Invalid(text.into())
}

/// An analyst's reconciliation decision as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReconcileRecord {
    /// When it was recorded (UTC; empty on the record a write returns, the store sets it).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub at: String,
    /// Who recorded it.
    pub actor: String,
    /// The decision.
    pub decision: ReconcileDecision,
    /// Why, in the analyst's words.
    pub reason: String,
    /// What the machine judged when the decision was made (absent for decisions recorded before
    /// it was kept, or about reports not yet stored).
    pub machine: Option<serde_json::Value>,
}

impl ReconcileRecord {
    /// The report keys the decision names.
    pub fn keys(&self) -> Vec<&str> {
        match &self.decision {
            ReconcileDecision::Link { a, b } | ReconcileDecision::Unlink { a, b } => {
                vec![a.as_str(), b.as_str()]
            }
            ReconcileDecision::Split { report } => vec![report.as_str()],
        }
    }

    /// Reads one audit entry of action [`RECONCILE_DECISION_ACTION`].
    fn read(entry: &AuditRecord) -> Result<ReconcileRecord, String> {
        let detail: serde_json::Value =
            serde_json::from_str(&entry.detail).map_err(|e| e.to_string())?;
        let decision: ReconcileDecision =
            serde_json::from_value(detail["decision"].clone()).map_err(|e| e.to_string())?;
        Ok(ReconcileRecord {
            at: entry.at.clone(),
            actor: entry.actor.clone(),
            decision,
            reason: detail["reason"].as_str().unwrap_or_default().to_string(),
            machine: detail.get("machine").filter(|m| !m.is_null()).cloned(),
        })
    }
}

/// The analysts' reconciliation decisions with who made them, when, why and what the machine
/// judged, oldest first, from the audit log (for an incident's history; the derivation itself
/// reads the decisions alone, [`crate::reconcile_decisions`]). An entry this version cannot read
/// is an error, as for the derivation.
pub fn reconcile_decision_records(
    store: &dyn Store,
) -> Result<Vec<ReconcileRecord>, LandscapeError> {
    let mut out = Vec::new();
    let mut unreadable = None;
    store.for_each_audit(&mut |entry| {
        if entry.action != RECONCILE_DECISION_ACTION {
            return Ok(());
        }
        match ReconcileRecord::read(entry) {
            Ok(r) => out.push(r),
            Err(why) if unreadable.is_none() => {
                unreadable = Some(LandscapeError::UnreadableDecision {
                    place: format!("the audit entry of {} at {}", entry.actor, entry.at),
                    why,
                    text: entry.detail.clone(),
                })
            }
            Err(_) => {}
        }
        Ok(())
    })?;
    match unreadable {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The subject of a reconciliation decision's audit entry: its report keys.
fn subject(decision: &ReconcileDecision) -> String {
    match decision {
        ReconcileDecision::Link { a, b } | ReconcileDecision::Unlink { a, b } => format!("{a} {b}"),
        ReconcileDecision::Split { report } => report.clone(),
    }
}

/// What the machine made of the reports a decision names, from `landscape` (`None` when a key
/// is not stored).
fn machine_judgment(
    landscape: &Landscape,
    reconciler: &Reconciler,
    decision: &ReconcileDecision,
) -> Option<serde_json::Value> {
    let index = |key: &str| landscape.reports.iter().position(|r| r.key() == key);
    match decision {
        ReconcileDecision::Link { a, b } | ReconcileDecision::Unlink { a, b } => {
            let (ia, ib) = (index(a)?, index(b)?);
            let scored = reconciler.score_pairs(&landscape.reports, &[(ia, ib)]);
            let pair = scored.first()?;
            Some(serde_json::json!({
                "same_incident": landscape.incident_of[ia] == landscape.incident_of[ib],
                "score": pair.score,
                "evidence": pair.evidence,
                "rule_version": pair.rule_version,
            }))
        }
        ReconcileDecision::Split { report } => {
            let i = index(report)?;
            let cluster = &landscape.incidents()[landscape.incident_of[i]];
            let merges: Vec<serde_json::Value> = cluster
                .merges
                .iter()
                .filter(|m| m.a == i || m.b == i)
                .map(|m| {
                    let other = if m.a == i { m.b } else { m.a };
                    serde_json::json!({
                        "with": landscape.reports[other].key(),
                        "score": m.score,
                        "evidence": m.evidence,
                        "rule_version": m.rule_version,
                    })
                })
                .collect();
            Some(serde_json::json!({
                "incident_reports": cluster.members.len(),
                "merges": merges,
            }))
        }
    }
}

/// Checks a reconciliation decision's shape: keys given, two different keys for a pair, a reason.
fn check_reconcile(decision: &ReconcileDecision, reason: &str) -> Result<(), DecideError> {
    match decision {
        ReconcileDecision::Link { a, b } | ReconcileDecision::Unlink { a, b } => {
            if a.trim().is_empty() || b.trim().is_empty() {
                return Err(invalid("name two reports by their keys"));
            }
            if a == b {
                return Err(invalid(format!(
                    "both reports are `{a}`; a link or unlink names two different reports"
                )));
            }
        }
        ReconcileDecision::Split { report } => {
            if report.trim().is_empty() {
                return Err(invalid("name the report to split out by its key"));
            }
        }
    }
    if reason.trim().is_empty() {
        return Err(invalid(
            "the reason is empty: say why, so the next analyst can judge the decision",
        ));
    }
    Ok(())
}

/// Records an analyst's reconciliation decision (audit action [`RECONCILE_DECISION_ACTION`])
/// by `actor`, with `reason` and the machine's judgment read from `landscape` (the landscape
/// as the analyst saw it; a key it does not hold is kept for later reconciliations, as the
/// reconciler reports such decisions without failing). It applies from the next derivation on.
pub fn record_reconcile_decision(
    store: &mut dyn Store,
    landscape: Option<&Landscape>,
    reconciler: &Reconciler,
    actor: &str,
    decision: &ReconcileDecision,
    reason: &str,
) -> Result<ReconcileRecord, DecideError> {
    check_reconcile(decision, reason)?;
    let machine = landscape.and_then(|l| machine_judgment(l, reconciler, decision));
    let reason = reason.trim().to_string();
    store.audit(&AuditEntry {
        actor: actor.to_string(),
        action: RECONCILE_DECISION_ACTION.into(),
        subject: subject(decision),
        detail: serde_json::json!({"decision": decision, "reason": reason, "machine": machine}),
    })?;
    Ok(ReconcileRecord {
        at: String::new(),
        actor: actor.to_string(),
        decision: decision.clone(),
        reason,
        machine,
    })
}

/// An assessment decision as an analyst asks for it.
#[derive(Debug, Clone)]
pub struct AssessmentRequest {
    /// The incident, by the key of one of its reports.
    pub incident: String,
    /// The dimension's name (`sector`, `threat`, … as [`Dimension::prefix`] gives them).
    pub dimension: String,
    /// The label's id.
    pub label: String,
    /// Confirm, reject or add.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// Who decides.
    pub analyst: String,
}

/// What an assessment decision recorded.
#[derive(Debug, Clone)]
pub struct RecordedAssessment {
    /// The decision as kept, with its entry number.
    pub decision: Decision,
    /// How many reports the incident held when it was decided.
    pub reports: usize,
}

/// Checks `request` against the incident as a reader given `release` sees it in `landscape` and
/// appends it to the stream [`ASSESSMENT_DECISION_STREAM`] (with an audit entry by `actor`),
/// expecting the entry number after the decisions `landscape` was derived with: a decision
/// recorded meanwhile makes this one [`DecideError::Stale`].
pub fn record_assessment_decision(
    store: &mut dyn Store,
    landscape: &Landscape,
    assessor: &Assessor,
    release: impl Into<crate::Release>,
    actor: &str,
    request: &AssessmentRequest,
) -> Result<RecordedAssessment, DecideError> {
    let release = release.into();
    let dimension = Dimension::from_prefix(request.dimension.trim()).ok_or_else(|| {
        invalid(format!(
            "`{}` is not a dimension; use one of {}",
            request.dimension,
            Dimension::ALL.map(Dimension::prefix).join(", ")
        ))
    })?;
    let label = request.label.trim().to_string();
    let vocabulary = assessor.vocabularies.get(dimension);
    if !vocabulary.contains(&label) {
        let known: BTreeSet<&str> = vocabulary.terms.iter().map(|t| t.id.as_str()).collect();
        return Err(invalid(format!(
            "`{label}` is not a {dimension} label; known: {}",
            known.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(invalid(
            "the reason is empty: say why, so the next analyst can judge the decision",
        ));
    }
    let incident = request.incident.trim();
    let Some(index) = (0..landscape.reports.len())
        .find(|&i| landscape.reports[i].key() == incident && landscape.admits(i, release))
    else {
        // Whole-store callers (the CLI reads at RED) are told the key is not stored; a reader
        // below RED is not told whether a report above their level exists.
        let whose = if release == crate::Release::level(Tlp::Red) {
            "no stored report"
        } else {
            "no report available to you"
        };
        return Err(invalid(format!(
            "{whose} has the key `{incident}` (keys look like `eurepoc:842`; the incident pages and `export incidents` show them)"
        )));
    };
    let cluster = landscape.incident_of[index];
    let current = landscape
        .assess(assessor, cluster, release)
        .ok_or_else(|| invalid("the incident has no report available to you"))?;
    let finding = current.finding(dimension, &label);
    match (request.verdict, finding) {
        (Verdict::Confirm | Verdict::Reject, None) => {
            return Err(invalid(format!(
                "the incident has no {dimension}:{label} finding to {}; to give it a label the rules missed, add it (use `assess add`, or Add label on the incident page)",
                request.verdict.as_str()
            )))
        }
        (Verdict::Add, Some(f)) if f.counts() => {
            return Err(invalid(format!(
                "the incident already has {dimension}:{label} (confidence {:.2}); confirm it instead (use `assess confirm`, or Record decision on the incident page)",
                f.confidence
            )))
        }
        _ => {}
    }
    let mut decision = Decision {
        incident: incident.to_string(),
        dimension,
        label,
        verdict: request.verdict,
        reason: reason.to_string(),
        analyst: request.analyst.clone(),
        recorded_at: None,
        seq: None,
    };
    let next = landscape.marker.assessment_decisions + 1;
    let body = serde_json::to_value(&decision).map_err(|e| invalid(e.to_string()))?;
    let seq = store.append_to_stream(ASSESSMENT_DECISION_STREAM, actor, Some(next), &body)?;
    decision.seq = Some(seq);
    store.audit(&AuditEntry {
        actor: actor.to_string(),
        action: ASSESSMENT_DECISION_ACTION.into(),
        subject: format!("{ASSESSMENT_DECISION_STREAM}#{seq}"),
        detail: serde_json::json!({"decision": decision, "reports": current.reports}),
    })?;
    Ok(RecordedAssessment {
        decision,
        reports: current.reports.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconcile_decision_needs_two_keys_and_a_reason() {
        let link = |a: &str, b: &str| ReconcileDecision::Link {
            a: a.into(),
            b: b.into(),
        };
        assert!(check_reconcile(&link("x:1", "x:2"), "same attack").is_ok());
        let e = check_reconcile(&link("x:1", "x:1"), "same").unwrap_err();
        assert!(e.to_string().contains("two different reports"), "{e}");
        let e = check_reconcile(&link("x:1", "x:2"), "  ").unwrap_err();
        assert!(e.to_string().contains("reason is empty"), "{e}");
        let e = check_reconcile(&ReconcileDecision::Split { report: " ".into() }, "because")
            .unwrap_err();
        assert!(e.to_string().contains("split out"), "{e}");
    }
}
