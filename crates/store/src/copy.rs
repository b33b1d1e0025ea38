//! Copying a whole store into another, whatever the backends (`threatscape migrate`), verified by
//! counts and checksums.
//!
//! The source is read through the [`Store`] trait's `for_each_*` methods and written through an
//! [`Import`], one transaction for the whole copy. Each kind of record is tallied as it is copied
//! (a count and a SHA-256 over the records in order); after the commit the target is read back the
//! same way, and the two tallies must agree.

use sha2::{Digest, Sha256};
use threatscape_model::{Contributor, Tlp};

use crate::{Abort, AccountRecord, JobRecord, Result, RunId, Store, StoreError, StreamEntry};

/// An ingest run as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRecord {
    /// Its identifier; kept by a copy, since objects and reports name it.
    pub id: RunId,
    /// When it started (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub started: String,
    /// When it finished, if it did.
    pub finished: Option<String>,
    /// Who ran it.
    pub actor: String,
    /// The contributing organisation, when given.
    pub contributor: Option<String>,
    /// Its type, as stored.
    pub contributor_type: Option<String>,
    /// The declared TLP level, as stored.
    pub declared_tlp: Option<String>,
    /// The run's summary (JSON text), once finished.
    pub summary: Option<String>,
    /// Its named recipients, as stored (a JSON array of organisation names).
    pub recipients: String,
}

/// One stored version of a STIX object, with everything stored about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredObject {
    /// The STIX id.
    pub id: String,
    /// Its `modified`, `""` when none.
    pub modified: String,
    /// Its version key ([`crate::version_key`]).
    pub version: String,
    /// The STIX type.
    pub type_: String,
    /// The level it may be released at.
    pub tlp: Tlp,
    /// The run that brought it.
    pub run: RunId,
    /// The canonical JSON.
    pub json: String,
}

/// One stored version of a report, with everything stored about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredReport {
    /// [`threatscape_model::Report::key`].
    pub key: String,
    /// SHA-256 of `json`.
    pub digest: String,
    /// The adapter format.
    pub format: String,
    /// The contributor's name (see [`Store::contributors`]).
    pub contributor: String,
    /// The level it may be released at.
    pub tlp: Tlp,
    /// When it started, `YYYY[-MM[-DD]]`.
    pub occurred: Option<String>,
    /// Its title.
    pub title: String,
    /// The run that brought it.
    pub run: RunId,
    /// The report as stored (JSON text).
    pub json: String,
}

/// One audit log entry as stored, with its time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    /// When (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Details (JSON text).
    pub detail: String,
}

/// A write of a copied store into an empty one, all in one transaction.
///
/// Records come in dependency order: runs and contributors before the objects and reports that name
/// them. [`Import::commit`] keeps everything; dropping the import unfinished keeps nothing.
pub trait Import {
    /// Copies an ingest run, keeping its id.
    fn run(&mut self, run: &RunRecord) -> Result<()>;
    /// Copies a contributor.
    fn contributor(&mut self, contributor: &Contributor) -> Result<()>;
    /// Copies an object version; versions keep their relative order.
    fn object(&mut self, object: &StoredObject) -> Result<()>;
    /// Copies a report version; versions keep their relative order.
    fn report(&mut self, report: &StoredReport) -> Result<()>;
    /// Copies an audit entry; entries keep their order.
    fn audit(&mut self, entry: &AuditRecord) -> Result<()>;
    /// Copies a background job, keeping its id and state.
    fn job(&mut self, job: &JobRecord) -> Result<()>;
    /// Copies an entry of a record stream, keeping its number and time.
    fn stream_entry(&mut self, entry: &StreamEntry) -> Result<()>;
    /// Copies a user with their token digests, keeping the user's id.
    fn account(&mut self, account: &AccountRecord) -> Result<()>;
    /// Ends the copy and keeps it.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// How many records of one kind a store holds, and a SHA-256 over them in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// How many.
    pub count: u64,
    /// Lowercase hex SHA-256 over each record's JSON form and a newline, in order.
    pub sha256: String,
}

/// Counts and checksums of everything a store holds (the search index, which is derived, aside).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fingerprint {
    /// Ingest runs, by id.
    pub runs: Tally,
    /// Contributors, by name.
    pub contributors: Tally,
    /// Object versions, in ingest order.
    pub objects: Tally,
    /// Report versions, in ingest order.
    pub reports: Tally,
    /// Audit entries, oldest first.
    pub audit: Tally,
    /// Background jobs, by id.
    pub jobs: Tally,
    /// Record stream entries, by stream and number.
    pub streams: Tally,
    /// Users with their token digests, by id.
    pub users: Tally,
}

impl Fingerprint {
    /// Each kind as (name, tally), for reports and comparisons.
    pub fn kinds(&self) -> [(&'static str, &Tally); 8] {
        [
            ("runs", &self.runs),
            ("contributors", &self.contributors),
            ("objects", &self.objects),
            ("reports", &self.reports),
            ("audit entries", &self.audit),
            ("jobs", &self.jobs),
            ("stream entries", &self.streams),
            ("users", &self.users),
        ]
    }
}

#[derive(Default)]
struct Tallier {
    count: u64,
    hash: Sha256,
}

impl Tallier {
    fn add(&mut self, record: &impl serde::Serialize) {
        self.count += 1;
        self.hash
            .update(serde_json::to_vec(record).expect("records serialise"));
        self.hash.update(b"\n");
    }

    fn finish(self) -> Tally {
        Tally {
            count: self.count,
            sha256: self
                .hash
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }
}

#[derive(Default)]
struct Talliers {
    runs: Tallier,
    contributors: Tallier,
    objects: Tallier,
    reports: Tallier,
    audit: Tallier,
    jobs: Tallier,
    streams: Tallier,
    users: Tallier,
}

impl Talliers {
    fn finish(self) -> Fingerprint {
        Fingerprint {
            runs: self.runs.finish(),
            contributors: self.contributors.finish(),
            objects: self.objects.finish(),
            reports: self.reports.finish(),
            audit: self.audit.finish(),
            jobs: self.jobs.finish(),
            streams: self.streams.finish(),
            users: self.users.finish(),
        }
    }
}

/// Reads every record of `store` in order, calling `sink` with each (after tallying it).
fn walk(store: &dyn Store, sink: &mut dyn Sink) -> Result<Fingerprint> {
    let mut t = Talliers::default();
    // A sink's error is kept here and returned as itself, not as the `Aborted` that stopped the walk.
    let mut failure: Option<StoreError> = None;
    let pass = |failure: &mut Option<StoreError>, r: Result<()>| {
        r.map_err(|e| {
            let why = e.to_string();
            *failure = Some(e);
            Abort(why)
        })
    };
    let settle = |failure: &mut Option<StoreError>, r: Result<()>| match failure.take() {
        Some(e) => Err(e),
        None => r,
    };
    let r = store.for_each_run(&mut |run| {
        t.runs.add(run);
        pass(&mut failure, sink.run(run))
    });
    settle(&mut failure, r)?;
    for c in store.contributors()? {
        t.contributors.add(&c);
        sink.contributor(&c)?;
    }
    let r = store.for_each_stored_object(&mut |o| {
        t.objects.add(o);
        pass(&mut failure, sink.object(o))
    });
    settle(&mut failure, r)?;
    let r = store.for_each_stored_report(&mut |r| {
        t.reports.add(r);
        pass(&mut failure, sink.report(r))
    });
    settle(&mut failure, r)?;
    let r = store.for_each_audit(&mut |a| {
        t.audit.add(a);
        pass(&mut failure, sink.audit(a))
    });
    settle(&mut failure, r)?;
    let r = store.for_each_job(&mut |j| {
        t.jobs.add(j);
        pass(&mut failure, sink.job(j))
    });
    settle(&mut failure, r)?;
    let r = store.for_each_stream_entry(&mut |e| {
        t.streams.add(e);
        pass(&mut failure, sink.stream_entry(e))
    });
    settle(&mut failure, r)?;
    let r = store.for_each_account(&mut |a| {
        t.users.add(a);
        pass(&mut failure, sink.account(a))
    });
    settle(&mut failure, r)?;
    Ok(t.finish())
}

/// Where [`walk`] sends records: an [`Import`], or nowhere.
trait Sink {
    fn run(&mut self, run: &RunRecord) -> Result<()>;
    fn contributor(&mut self, contributor: &Contributor) -> Result<()>;
    fn object(&mut self, object: &StoredObject) -> Result<()>;
    fn report(&mut self, report: &StoredReport) -> Result<()>;
    fn audit(&mut self, entry: &AuditRecord) -> Result<()>;
    fn job(&mut self, job: &JobRecord) -> Result<()>;
    fn stream_entry(&mut self, entry: &StreamEntry) -> Result<()>;
    fn account(&mut self, account: &AccountRecord) -> Result<()>;
}

struct Nowhere;

impl Sink for Nowhere {
    fn run(&mut self, _: &RunRecord) -> Result<()> {
        Ok(())
    }
    fn contributor(&mut self, _: &Contributor) -> Result<()> {
        Ok(())
    }
    fn object(&mut self, _: &StoredObject) -> Result<()> {
        Ok(())
    }
    fn report(&mut self, _: &StoredReport) -> Result<()> {
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> Result<()> {
        Ok(())
    }
    fn job(&mut self, _: &JobRecord) -> Result<()> {
        Ok(())
    }
    fn stream_entry(&mut self, _: &StreamEntry) -> Result<()> {
        Ok(())
    }
    fn account(&mut self, _: &AccountRecord) -> Result<()> {
        Ok(())
    }
}

impl Sink for Box<dyn Import + '_> {
    fn run(&mut self, run: &RunRecord) -> Result<()> {
        Import::run(&mut **self, run)
    }
    fn contributor(&mut self, contributor: &Contributor) -> Result<()> {
        Import::contributor(&mut **self, contributor)
    }
    fn object(&mut self, object: &StoredObject) -> Result<()> {
        Import::object(&mut **self, object)
    }
    fn report(&mut self, report: &StoredReport) -> Result<()> {
        Import::report(&mut **self, report)
    }
    fn audit(&mut self, entry: &AuditRecord) -> Result<()> {
        Import::audit(&mut **self, entry)
    }
    fn job(&mut self, job: &JobRecord) -> Result<()> {
        Import::job(&mut **self, job)
    }
    fn stream_entry(&mut self, entry: &StreamEntry) -> Result<()> {
        Import::stream_entry(&mut **self, entry)
    }
    fn account(&mut self, account: &AccountRecord) -> Result<()> {
        Import::account(&mut **self, account)
    }
}

/// Counts and checksums of everything `store` holds.
pub fn fingerprint(store: &dyn Store) -> Result<Fingerprint> {
    walk(store, &mut Nowhere)
}

/// Copies everything `from` holds into `to`, which must be empty: runs (with their ids),
/// contributors, every object and report version (with its run and TLP level), the audit log (with
/// its times), background jobs, record streams and users with their token digests, in one transaction. The search index is rebuilt by the target.
///
/// Returns the fingerprint of what was copied, which the target, read back after the commit, was
/// found to match. Writers of the source should be stopped meanwhile: the source is read in several
/// statements, not one snapshot.
pub fn migrate(from: &dyn Store, to: &mut dyn Store) -> Result<Fingerprint> {
    let mut import = to.begin_import()?;
    let copied = walk(from, &mut import)?;
    import.commit()?;
    let stored = fingerprint(to)?;
    let differences: Vec<String> = copied
        .kinds()
        .iter()
        .zip(stored.kinds())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((kind, a), (_, b))| {
            format!(
                "{kind}: {} copied (sha256 {}), {} read back (sha256 {})",
                a.count, a.sha256, b.count, b.sha256
            )
        })
        .collect();
    if differences.is_empty() {
        Ok(copied)
    } else {
        Err(StoreError::Incompatible {
            path: "the migration target".into(),
            problem: format!(
                "does not read back what was copied into it: {}",
                differences.join("; ")
            ),
        })
    }
}
