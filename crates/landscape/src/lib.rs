//! The landscape as analysts and readers see it, derived from the store.
//!
//! Incidents are never stored: they are derived on demand from every stored report (latest
//! versions) and the analysts' decisions, so they are never stale and never need migrating. This
//! crate is that derivation, once, for every consumer (`threatscape export incidents`, `assess`,
//! `brief`, the web pages and the API):
//!
//! 1. [`Landscape::load`] reads the reports, the analysts' reconciliation decisions (link, unlink,
//!    split; audit action [`RECONCILE_DECISION_ACTION`]) and their assessment decisions (confirm,
//!    reject, add; stream [`ASSESSMENT_DECISION_STREAM`]), and reconciles the reports.
//! 2. [`Landscape::released`] gives the reports of an incident a reader may see (a [`Release`]:
//!    a level, and for a reader above AMBER the organisation whose own restricted reports they
//!    may see), and
//!    [`Landscape::assess`] assesses the incident from those only (no judgment rests on withheld
//!    material), applying the analysts' decisions.
//! 3. [`Cached`] keeps a derivation while the store's [`ChangeMarker`] stays the same, so a
//!    server process reuses it until any process writes a report or a decision.
//! 4. The reconciliation itself, the expensive step, is kept in the store as a derivation
//!    ([`DERIVATION`], see `kept`) by the commands that derive the landscape, so the next process
//!    reuses it while the marker and the reconciler are unchanged. [`Outline`] reads only that:
//!    incidents and each report's level, dates and source, so a briefing can pick the incidents
//!    of its window and read and assess those alone.

mod decide;
mod kept;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;
use threatscape_assess::{Assessment, Assessor};
use threatscape_model::{Report, Tlp};
use threatscape_reconcile::{Cluster, Reconciler, Reconciliation};
use threatscape_store::{ChangeMarker, Store, StoreError};

pub use decide::{
    reconcile_decision_records, record_assessment_decision, record_reconcile_decision,
    AssessmentRequest, DecideError, ReconcileRecord, RecordedAssessment,
    ASSESSMENT_DECISION_ACTION,
};
pub use kept::{ReportFacts, DERIVATION};
pub use threatscape_store::{ASSESSMENT_DECISION_STREAM, RECONCILE_DECISION_ACTION};

use kept::Kept;

/// What deriving the landscape can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LandscapeError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A recorded decision is not one this version can read; nothing is derived rather than
    /// silently ignoring an analyst's decision.
    #[error("{place} holds a decision this version cannot read ({why}): {text}")]
    UnreadableDecision {
        /// Where: the audit entry or the stream entry.
        place: String,
        /// Why it could not be read.
        why: String,
        /// The decision as stored.
        text: String,
    },
    /// A report an [`Outline`] names is no longer stored as it was when the outline was made.
    #[error("the report {key} changed while it was being read; derive the landscape again")]
    Moved {
        /// The report's key.
        key: String,
    },
}

/// Every incident's assessment at one release, in incident order (`None`: nothing released).
pub type Assessed = Arc<Vec<Option<Assessment>>>;

/// Which reports a reader is given: every report at or below a level, except that, for a
/// reader with an organisation, AMBER+STRICT and RED reports only when they are for that
/// organisation (it contributed the run that brought them, or the run named it a recipient): the
/// store's access rule ([`threatscape_store::Reader::may_read`]) applied to reports. `Copy`, and ordered, so it keys
/// caches: the organisation is kept as the SHA-256 of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    /// The highest level given.
    pub max: Tlp,
    /// The reader's organisation, when the owner rule applies (digest of its name).
    organisation: Option<[u8; 32]>,
}

impl Release {
    /// Every report at or below `max`, whoever owns it: an operator's command, or an audience
    /// (a briefing's, up to AMBER, where the owner rule never applies).
    pub fn level(max: Tlp) -> Release {
        Release {
            max,
            organisation: None,
        }
    }

    /// What a user with `clearance` in `organisation` is given. Up to AMBER the owner rule does
    /// not apply, so every such user of any organisation shares one release (and its caches).
    pub fn reader(clearance: Tlp, organisation: &str) -> Release {
        Release {
            max: clearance,
            organisation: (clearance > Tlp::Amber)
                .then(|| threatscape_model::sha256(organisation.as_bytes())),
        }
    }

    /// Whether a report at `tlp` whose audience (name digests) is `audience` is given.
    fn admits(&self, tlp: Tlp, audience: &[[u8; 32]]) -> bool {
        tlp <= self.max
            && (tlp <= Tlp::Amber || self.organisation.is_none_or(|org| audience.contains(&org)))
    }
}

impl From<Tlp> for Release {
    fn from(max: Tlp) -> Release {
        Release::level(max)
    }
}

/// A result of this crate.
pub type Result<T, E = LandscapeError> = std::result::Result<T, E>;

/// Every stored report reconciled into incidents, with the decisions that shaped them.
#[derive(Debug)]
pub struct Landscape {
    /// Every stored report (latest version of each key), whatever its level, in ingest order.
    pub reports: Vec<Report>,
    /// For each report above AMBER, the digests of the names of the organisations it is for (the
    /// contributor of the run that brought it and the recipients the run named); empty for every
    /// other report.
    audiences: Vec<Box<[[u8; 32]]>>,
    /// The incidents (clusters of report indexes) and the evidence of each merge.
    pub reconciliation: Reconciliation,
    /// The analysts' reconciliation decisions, oldest first.
    pub reconcile_decisions: Vec<threatscape_reconcile::Decision>,
    /// The analysts' assessment decisions, oldest first.
    pub assessment_decisions: Vec<threatscape_assess::Decision>,
    /// For each report index, the index of its incident.
    pub incident_of: Vec<usize>,
    /// Where the store stood when this was derived.
    pub marker: ChangeMarker,
    /// How long reconciliation took, in seconds (0 when a kept reconciliation was reused).
    pub reconcile_seconds: f64,
    /// Whether the reconciliation was the one kept in the store rather than made afresh.
    pub reused: bool,
    /// Every incident assessed, per assessor and level asked for ([`Landscape::assessed`]).
    assessed: Mutex<BTreeMap<(usize, Release), Assessed>>,
}

impl Landscape {
    /// Reads the store and reconciles every report with `reconciler`, reusing the
    /// reconciliation kept in the store when the same reconciler made it at the same marker.
    pub fn load(store: &dyn Store, reconciler: &Reconciler) -> Result<Landscape> {
        Self::read(store, reconciler).map(|(landscape, _)| landscape)
    }

    /// [`Landscape::load`], keeping a fresh reconciliation in the store for the next process.
    pub fn load_keeping(store: &mut dyn Store, reconciler: &Reconciler) -> Result<Landscape> {
        let (landscape, fresh) = Self::read(&*store, reconciler)?;
        if let Some(body) = fresh {
            store.put_derivation(DERIVATION, &landscape.marker, &body)?;
        }
        Ok(landscape)
    }

    /// The landscape and, when it was reconciled afresh, the body to keep.
    fn read(store: &dyn Store, reconciler: &Reconciler) -> Result<(Landscape, Option<Vec<u8>>)> {
        // The marker first: a write landing during the read makes the next check refresh, and a
        // reconciliation kept at this marker is of exactly the reports read below.
        let marker = store.change_marker()?;
        let fingerprint = reconciler.fingerprint();
        let kept = store
            .derivation(DERIVATION, &marker)?
            .and_then(|body| Kept::decode(&body, &fingerprint));
        let mut reports = Vec::new();
        let mut audiences = Vec::new();
        store.for_each_owned_report(Tlp::Red, &mut |r, audience| {
            audiences.push(if r.tlp > Tlp::Amber {
                audience
                    .iter()
                    .map(|o| threatscape_model::sha256(o.as_bytes()))
                    .collect()
            } else {
                Box::default()
            });
            reports.push(r.clone());
            Ok(())
        })?;
        let reconcile_decisions = reconcile_decisions(store)?;
        let assessment_decisions = assessment_decisions(store)?;
        let reused = kept.filter(|k| {
            k.reports.len() == reports.len()
                && k.reports
                    .iter()
                    .zip(&reports)
                    .all(|(f, r)| f.key == r.key())
        });
        let (reconciliation, reconcile_seconds, fresh) =
            match reused.as_ref().and_then(Kept::reconciliation) {
                Some(r) => (r, 0.0, None),
                None => {
                    let started = Instant::now();
                    let r = reconciler.reconcile(&reports, &reconcile_decisions);
                    let seconds = started.elapsed().as_secs_f64();
                    let facts: Vec<ReportFacts> = reports.iter().map(ReportFacts::of).collect();
                    let body = Kept::encode(&fingerprint, &facts, &r);
                    (r, seconds, Some(body))
                }
            };
        let incident_of = reconciliation.incident_of();
        let landscape = Landscape {
            reports,
            audiences,
            reconciliation,
            reconcile_decisions,
            assessment_decisions,
            incident_of,
            marker,
            reconcile_seconds,
            reused: fresh.is_none(),
            assessed: Mutex::default(),
        };
        Ok((landscape, fresh))
    }

    /// The incidents, in order (an incident's number is its index + 1).
    pub fn incidents(&self) -> &[Cluster] {
        &self.reconciliation.incidents
    }

    /// Whether report `index` (into [`Landscape::reports`]) is given at `release`.
    pub fn admits(&self, index: usize, release: impl Into<Release>) -> bool {
        release
            .into()
            .admits(self.reports[index].tlp, &self.audiences[index])
    }

    /// The reports of incident `index` given at `release` (a level, or a reader's
    /// [`Release`]), in ingest order (empty when the reader may see none of them: the incident
    /// does not exist for them).
    pub fn released(&self, index: usize, release: impl Into<Release>) -> Vec<&Report> {
        let release = release.into();
        self.reconciliation.incidents[index]
            .members
            .iter()
            .filter(|&&m| self.admits(m, release))
            .map(|&m| &self.reports[m])
            .collect()
    }

    /// Incident `index` assessed from the reports given at `release`, with the analysts'
    /// decisions applied; `None` when none is released.
    pub fn assess(
        &self,
        assessor: &Assessor,
        index: usize,
        release: impl Into<Release>,
    ) -> Option<Assessment> {
        let released: Vec<Report> = self.released(index, release).into_iter().cloned().collect();
        (!released.is_empty())
            .then(|| assessor.assess_incident(&released, &self.assessment_decisions))
    }

    /// Every incident assessed at `release` ([`Landscape::assess`] of each, in incident order),
    /// on every core, once per landscape, assessor and release: the views of one landscape (a
    /// server's dashboard, incident list and API) share one assessment of it instead of each
    /// assessing every incident again. `'static` because the assessor's address is its key.
    pub fn assessed(&self, assessor: &'static Assessor, release: impl Into<Release>) -> Assessed {
        let release = release.into();
        let key = (std::ptr::from_ref(assessor) as usize, release);
        // Held while assessing: a second view asking meanwhile waits for this pass rather than
        // making its own.
        let mut memo = self.assessed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = memo.get(&key) {
            return Arc::clone(done);
        }
        let all = Arc::new(
            (0..self.incidents().len())
                .into_par_iter()
                .map(|index| self.assess(assessor, index, release))
                .collect::<Vec<_>>(),
        );
        memo.insert(key, Arc::clone(&all));
        all
    }
}

/// The incidents without their reports: which reports each holds, and each report's level,
/// dates and source. Enough to decide which incidents a task needs before reading any report, so
/// a briefing over a large store reads and assesses only the incidents of its window.
#[derive(Debug)]
pub struct Outline {
    /// Every stored report's facts (latest versions, in ingest order).
    pub reports: Vec<ReportFacts>,
    /// The incidents (clusters of indexes into [`Outline::reports`]).
    pub reconciliation: Reconciliation,
    /// The analysts' assessment decisions, oldest first.
    pub assessment_decisions: Vec<threatscape_assess::Decision>,
    /// Where the store stood when this was derived.
    pub marker: ChangeMarker,
    /// Whether the reconciliation kept in the store was reused (else the reports were read and
    /// reconciled, and the result kept).
    pub reused: bool,
}

impl Outline {
    /// The outline from the reconciliation kept in the store; when it is stale or missing, the
    /// reports are read and reconciled ([`Landscape::load_keeping`]) and the result kept.
    pub fn load(store: &mut dyn Store, reconciler: &Reconciler) -> Result<Outline> {
        let marker = store.change_marker()?;
        let kept = store
            .derivation(DERIVATION, &marker)?
            .and_then(|body| Kept::decode(&body, &reconciler.fingerprint()));
        if let Some(kept) = kept {
            if let Some(reconciliation) = kept.reconciliation() {
                return Ok(Outline {
                    reports: kept.reports,
                    reconciliation,
                    assessment_decisions: assessment_decisions(&*store)?,
                    marker,
                    reused: true,
                });
            }
        }
        let landscape = Landscape::load_keeping(store, reconciler)?;
        Ok(Outline {
            reports: landscape.reports.iter().map(ReportFacts::of).collect(),
            reconciliation: landscape.reconciliation,
            assessment_decisions: landscape.assessment_decisions,
            marker: landscape.marker,
            reused: false,
        })
    }

    /// The incidents (indexes into the reconciliation's incidents) each with the facts of its
    /// reports released at `max_tlp`; incidents with none released are left out.
    pub fn released(&self, max_tlp: Tlp) -> impl Iterator<Item = (usize, Vec<&ReportFacts>)> {
        self.reconciliation
            .incidents
            .iter()
            .enumerate()
            .filter_map(move |(index, c)| {
                let facts: Vec<&ReportFacts> = c
                    .members
                    .iter()
                    .map(|&m| &self.reports[m])
                    .filter(|f| f.tlp <= max_tlp)
                    .collect();
                (!facts.is_empty()).then_some((index, facts))
            })
    }

    /// The reports of `incidents` released at `max_tlp`, read from the store: for each incident,
    /// its released reports in ingest order. An error when the store no longer holds them as the
    /// outline describes (a write landed since): deriving again gives the right answer.
    pub fn read_released(
        &self,
        store: &dyn Store,
        incidents: &[usize],
        max_tlp: Tlp,
    ) -> Result<Vec<Vec<Report>>> {
        let keys: Vec<&str> = incidents
            .iter()
            .flat_map(|&i| self.reconciliation.incidents[i].members.iter())
            .map(|&m| &self.reports[m])
            .filter(|f| f.tlp <= max_tlp)
            .map(|f| f.key.as_str())
            .collect();
        let mut by_key: std::collections::HashMap<String, Report> = store
            .reports_by_keys(&keys)?
            .into_iter()
            .map(|r| (r.key(), r))
            .collect();
        let mut out = Vec::with_capacity(incidents.len());
        for &i in incidents {
            let mut reports = Vec::new();
            for &m in &self.reconciliation.incidents[i].members {
                let facts = &self.reports[m];
                if facts.tlp > max_tlp {
                    continue;
                }
                match by_key.remove(&facts.key) {
                    Some(r) if r.tlp == facts.tlp => reports.push(r),
                    _ => {
                        return Err(LandscapeError::Moved {
                            key: facts.key.clone(),
                        })
                    }
                }
            }
            out.push(reports);
        }
        Ok(out)
    }
}

/// The analysts' reconciliation decisions, oldest first, from the audit log.
pub fn reconcile_decisions(store: &dyn Store) -> Result<Vec<threatscape_reconcile::Decision>> {
    let mut out = Vec::new();
    let mut unreadable = None;
    store.for_each_audit(&mut |entry| {
        if entry.action != RECONCILE_DECISION_ACTION {
            return Ok(());
        }
        let read = serde_json::from_str::<serde_json::Value>(&entry.detail)
            .map_err(|e| e.to_string())
            .and_then(|d| serde_json::from_value(d["decision"].clone()).map_err(|e| e.to_string()));
        match read {
            Ok(d) => out.push(d),
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

/// The analysts' assessment decisions, oldest first, from their stream (each with its number and
/// time).
pub fn assessment_decisions(store: &dyn Store) -> Result<Vec<threatscape_assess::Decision>> {
    let mut out = Vec::new();
    for entry in store.read_stream(ASSESSMENT_DECISION_STREAM, 0)? {
        let mut d: threatscape_assess::Decision = serde_json::from_value(entry.body.clone())
            .map_err(|e| LandscapeError::UnreadableDecision {
                place: format!(
                    "entry {} of the {ASSESSMENT_DECISION_STREAM} stream",
                    entry.seq
                ),
                why: e.to_string(),
                text: entry.body.to_string(),
            })?;
        d.seq = Some(entry.seq);
        d.recorded_at = Some(entry.recorded_at.clone());
        out.push(d);
    }
    Ok(out)
}

/// A derivation reused while the store has not changed, shared by the threads of one process.
///
/// Each [`Cached::get`] reads the store's change marker (three index lookups) and derives afresh
/// only when it moved, so a report or decision written by any process is seen by the next
/// request, and a busy server reconciles once per change rather than once per request.
#[derive(Debug)]
pub struct Cached {
    reconciler: Reconciler,
    current: Mutex<Option<Arc<Landscape>>>,
}

impl Cached {
    /// An empty cache deriving with `reconciler`.
    pub fn new(reconciler: Reconciler) -> Cached {
        Cached {
            reconciler,
            current: Mutex::new(None),
        }
    }

    /// The landscape as the store stands now.
    pub fn get(&self, store: &dyn Store) -> Result<Arc<Landscape>> {
        let marker = store.change_marker()?;
        // Held while deriving, so concurrent requests wait for one derivation instead of each
        // making their own.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = current.as_ref().filter(|l| l.marker == marker) {
            return Ok(Arc::clone(l));
        }
        let fresh = Arc::new(Landscape::load(store, &self.reconciler)?);
        *current = Some(Arc::clone(&fresh));
        Ok(fresh)
    }
}
