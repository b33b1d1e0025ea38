//! The reconciliation of every stored report, kept in the store between processes.
//!
//! Reconciling 100,000 reports takes seconds, and every command and server process would repeat
//! it. The result is therefore kept as a store derivation (`Store::put_derivation`) named
//! [`DERIVATION`], tagged with the store's change marker and the reconciler's fingerprint: any
//! process finding both unchanged reuses it, and any write of a report or decision makes it stale.
//!
//! Reports are named by key, not by position, and the keys are checked against the reports read,
//! so a kept reconciliation can never be applied to a different set of reports. Each report's
//! level, dates, dated attributions and source travel with it ([`ReportFacts`]): enough to choose which incidents a
//! briefing needs before reading any report.

use threatscape_model::{DatedAttribution, FuzzyDate, Report, Tlp};
use threatscape_reconcile::{
    Cluster, DecisionIssue, MergeEvidence, Reconciliation, Stats, ANALYST_RULE, RULE_VERSION,
};

/// The name of the kept reconciliation among the store's derivations.
pub const DERIVATION: &str = "landscape/reconciliation";

/// What changes the layout of the kept body; a body of another layout is recomputed (2: each
/// report's dated attributions).
const LAYOUT: u32 = 2;

/// A report's key, level, dates and source: what deciding which incidents matter needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportFacts {
    /// [`Report::key`].
    pub key: String,
    /// Its TLP level.
    pub tlp: Tlp,
    /// The contributor's name.
    pub contributor: String,
    /// The contributor's type.
    pub contributor_type: String,
    /// The start of the operation.
    pub occurred: Option<FuzzyDate>,
    /// When the report was made.
    pub reported: Option<FuzzyDate>,
    /// When the operation was made public.
    pub disclosed: Option<FuzzyDate>,
    /// Its attribution claims whose date it gives (a briefing measures attribution lag on them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributions: Vec<DatedAttribution>,
}

impl ReportFacts {
    /// The facts of `r`.
    pub fn of(r: &Report) -> ReportFacts {
        ReportFacts {
            key: r.key(),
            tlp: r.tlp,
            contributor: r.contributor.name.clone(),
            contributor_type: r.contributor.type_.as_str().to_string(),
            occurred: r.occurred.map(|o| o.start),
            reported: r.reported,
            disclosed: r.disclosed,
            attributions: r.dated_attributions(),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Kept {
    layout: u32,
    reconciler: String,
    /// Every report, in ingest order: a report's index is its position here.
    pub(crate) reports: Vec<ReportFacts>,
    incidents: Vec<KeptCluster>,
    decision_issues: Vec<DecisionIssue>,
    stats: Stats,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeptCluster {
    members: Vec<u32>,
    merges: Vec<KeptMerge>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeptMerge {
    a: u32,
    b: u32,
    score: f64,
    evidence: Vec<String>,
    rule: String,
}

impl Kept {
    /// The body to keep for `reconciliation` of `reports` by the reconciler `fingerprint`.
    pub(crate) fn encode(
        fingerprint: &str,
        reports: &[ReportFacts],
        reconciliation: &Reconciliation,
    ) -> Vec<u8> {
        let kept = KeptRef {
            layout: LAYOUT,
            reconciler: fingerprint,
            reports,
            incidents: reconciliation
                .incidents
                .iter()
                .map(|c| KeptCluster {
                    members: c.members.iter().map(|&m| m as u32).collect(),
                    merges: c
                        .merges
                        .iter()
                        .map(|m| KeptMerge {
                            a: m.a as u32,
                            b: m.b as u32,
                            score: m.score,
                            evidence: m.evidence.clone(),
                            rule: m.rule_version.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            decision_issues: &reconciliation.decision_issues,
            stats: &reconciliation.stats,
        };
        serde_json::to_vec(&kept).expect("a reconciliation serialises")
    }

    /// The kept body, if it is of this layout and made by the reconciler `fingerprint`; `None`
    /// otherwise (it is recomputed, never misread).
    pub(crate) fn decode(body: &[u8], fingerprint: &str) -> Option<Kept> {
        let kept: Kept = serde_json::from_slice(body).ok()?;
        (kept.layout == LAYOUT && kept.reconciler == fingerprint).then_some(kept)
    }

    /// The reconciliation, with report indexes into [`Kept::reports`]; `None` when an index or a
    /// rule is not one this version knows.
    pub(crate) fn reconciliation(&self) -> Option<Reconciliation> {
        let n = self.reports.len();
        let mut incidents = Vec::with_capacity(self.incidents.len());
        for c in &self.incidents {
            let members: Vec<usize> = c.members.iter().map(|&m| m as usize).collect();
            if members.iter().any(|&m| m >= n) {
                return None;
            }
            let mut merges = Vec::with_capacity(c.merges.len());
            for m in &c.merges {
                let rule_version = match m.rule.as_str() {
                    r if r == RULE_VERSION => RULE_VERSION,
                    r if r == ANALYST_RULE => ANALYST_RULE,
                    _ => return None,
                };
                merges.push(MergeEvidence {
                    a: m.a as usize,
                    b: m.b as usize,
                    score: m.score,
                    evidence: m.evidence.clone(),
                    rule_version,
                });
            }
            incidents.push(Cluster { members, merges });
        }
        // Every report in exactly one incident, as reconciliation guarantees.
        let mut seen = vec![false; n];
        for c in &incidents {
            for &m in &c.members {
                if std::mem::replace(&mut seen[m], true) {
                    return None;
                }
            }
        }
        if seen.iter().any(|s| !s) {
            return None;
        }
        Some(Reconciliation {
            incidents,
            decision_issues: self.decision_issues.clone(),
            stats: self.stats.clone(),
        })
    }
}

/// [`Kept`] by reference, to serialise without copying the reports' facts.
#[derive(serde::Serialize)]
struct KeptRef<'a> {
    layout: u32,
    reconciler: &'a str,
    reports: &'a [ReportFacts],
    incidents: Vec<KeptCluster>,
    decision_issues: &'a [DecisionIssue],
    stats: &'a Stats,
}
