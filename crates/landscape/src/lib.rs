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
//! 2. [`Landscape::released`] gives the reports of an incident a reader may see, and
//!    [`Landscape::assess`] assesses the incident from those only (no judgment rests on withheld
//!    material), applying the analysts' decisions.
//! 3. [`Cached`] keeps a derivation while the store's [`ChangeMarker`] stays the same, so a
//!    server process reuses it until any process writes a report or a decision.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use threatscape_assess::{Assessment, Assessor};
use threatscape_model::{Report, Tlp};
use threatscape_reconcile::{Cluster, Reconciler, Reconciliation};
use threatscape_store::{ChangeMarker, Store, StoreError};

pub use threatscape_store::RECONCILE_DECISION_ACTION;

/// The stream holding analysts' assessment decisions, oldest first.
pub const ASSESSMENT_DECISION_STREAM: &str = "assessment-decisions";

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
}

/// A result of this crate.
pub type Result<T, E = LandscapeError> = std::result::Result<T, E>;

/// Every stored report reconciled into incidents, with the decisions that shaped them.
#[derive(Debug)]
pub struct Landscape {
    /// Every stored report (latest version of each key), whatever its level, in ingest order.
    pub reports: Vec<Report>,
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
    /// How long reconciliation took, in seconds.
    pub reconcile_seconds: f64,
}

impl Landscape {
    /// Reads the store and reconciles every report with `reconciler`.
    pub fn load(store: &dyn Store, reconciler: &Reconciler) -> Result<Landscape> {
        // The marker first: a write landing during the read makes the next check refresh.
        let marker = store.change_marker()?;
        let mut reports = Vec::new();
        store.for_each_report(Tlp::Red, &mut |r| {
            reports.push(r.clone());
            Ok(())
        })?;
        let reconcile_decisions = reconcile_decisions(store)?;
        let assessment_decisions = assessment_decisions(store)?;
        let started = Instant::now();
        let reconciliation = reconciler.reconcile(&reports, &reconcile_decisions);
        let reconcile_seconds = started.elapsed().as_secs_f64();
        let incident_of = reconciliation.incident_of();
        Ok(Landscape {
            reports,
            reconciliation,
            reconcile_decisions,
            assessment_decisions,
            incident_of,
            marker,
            reconcile_seconds,
        })
    }

    /// The incidents, in order (an incident's number is its index + 1).
    pub fn incidents(&self) -> &[Cluster] {
        &self.reconciliation.incidents
    }

    /// The reports of incident `index` released at `max_tlp`, in ingest order (empty when the
    /// reader may see none of them: the incident does not exist for them).
    pub fn released(&self, index: usize, max_tlp: Tlp) -> Vec<&Report> {
        self.reconciliation.incidents[index]
            .members
            .iter()
            .map(|&m| &self.reports[m])
            .filter(|r| r.tlp <= max_tlp)
            .collect()
    }

    /// Incident `index` assessed from the reports released at `max_tlp`, with the analysts'
    /// decisions applied; `None` when none is released.
    pub fn assess(&self, assessor: &Assessor, index: usize, max_tlp: Tlp) -> Option<Assessment> {
        let released: Vec<Report> = self.released(index, max_tlp).into_iter().cloned().collect();
        (!released.is_empty())
            .then(|| assessor.assess_incident(&released, &self.assessment_decisions))
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
