//! The store: where every stage reads its input and writes its results.
//!
//! [`Store`] is the one interface the rest of the system sees. [`SqliteStore`] is the embedded
//! default (one file, WAL, FTS5); [`PgStore`] is the PostgreSQL one for shared deployments (several
//! server processes on one database, background jobs claimed with `FOR UPDATE SKIP LOCKED`).
//! [`open`] picks one from a path or URL, and [`migrate`] copies one into the other, verified.
//! Only this crate knows SQL.
//!
//! What is kept:
//! - every version of every STIX object, keyed by (`id`, [`version_key`]), in canonical form, with the
//!   TLP level it is released at and the ingest run that brought it (append-only);
//! - ingest runs and their per-file summaries;
//! - an audit log of writes and of releases of restricted material.

mod access;
mod copy;
mod jobs;
mod postgres;
mod sqlite;
mod streams;

use std::collections::BTreeMap;

pub use self::postgres::PgStore;
pub use access::{NewUser, ObjectQuery, ObjectRow, Reader, UserRecord, VersionMatch, WebSession};
pub use copy::{
    fingerprint, migrate, AuditRecord, Fingerprint, Import, RunRecord, StoredObject, StoredReport,
    Tally,
};
pub use jobs::{Job, JobId, JobRecord, JobState};
pub use sqlite::SqliteStore;
pub use streams::{
    check_stream_name, AccountRecord, ChangeMarker, StreamEntry, TokenRecord,
    ASSESSMENT_DECISION_STREAM, RECONCILE_DECISION_ACTION,
};
use threatscape_model::{sha256_hex, Contributor, ContributorType, Report, Tlp};

/// Identifier of an ingest run.
pub type RunId = i64;

/// What a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("database error while {context}: {source}")]
    Database {
        /// What the store was doing.
        context: String,
        /// The database's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database holds something this version does not understand.
    #[error("the store at {path} {problem}")]
    Incompatible {
        /// Where the store is.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The caller stopped a write; nothing of it was kept.
    #[error("write abandoned, nothing kept: {0}")]
    Aborted(String),
    /// A version's (id, modified) is already stored with different content, and the batch was
    /// written with [`OnConflict::Reject`]; nothing of it was kept.
    #[error("{} (modified {}) is already stored with different content; STIX requires a new `modified` for every change, so nothing of this batch was kept", .0.id, .0.modified)]
    Conflict(Conflict),
    /// An append to a record stream expected to write entry `expected`, but the stream's next
    /// entry is `next`: someone else appended meanwhile. Nothing was written; read the stream
    /// again, decide again, and retry.
    #[error("stream {stream} moved on: this entry was to be number {expected}, but the next is {next}; nothing was written, read it again and retry")]
    StreamConflict {
        /// The stream.
        stream: String,
        /// The entry number the caller expected to write.
        expected: i64,
        /// The entry number the stream is at.
        next: i64,
    },
    /// A caller's argument that the store refuses, and why.
    #[error("{0}")]
    Invalid(String),
}

/// What to do with a version whose (id, modified) is stored with different content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Abandon the whole batch ([`StoreError::Conflict`]).
    Reject,
    /// Keep the stored version, skip this one and list it in [`WriteOutcome::conflicts`].
    Skip,
}

/// What [`Store::for_each_owned_report`] calls with each report and the organisations its
/// AMBER+STRICT and RED content is for (its run's contributor and named recipients).
pub type OwnedReportFn<'a> = dyn FnMut(&Report, &[String]) -> std::result::Result<(), Abort> + 'a;

/// A result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is ingesting, recorded with the run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NewRun {
    /// The contributing organisation, when given.
    pub contributor: Option<String>,
    /// Its type, when given.
    pub contributor_type: Option<ContributorType>,
    /// The TLP level the contributor declared for the whole submission.
    pub declared_tlp: Option<Tlp>,
    /// Who ran the ingest (user name or `cli`).
    pub actor: String,
    /// Organisations besides the contributor that may read the run's AMBER+STRICT and RED
    /// material (TLP:RED's named recipients), by name.
    pub recipients: Vec<String>,
}

/// One version of one STIX object, ready to store.
#[derive(Debug, Clone)]
pub struct ObjectVersion {
    /// The STIX id.
    pub id: String,
    /// The `modified` timestamp as received, or `""` for objects that have none (SCOs, marking definitions).
    pub modified: String,
    /// The STIX type.
    pub type_: String,
    /// The level it may be released at.
    pub tlp: Tlp,
    /// The canonical JSON.
    pub json: String,
    /// A caller's tag, echoed in [`Conflict`] so the caller can say where the object came from.
    pub tag: u64,
}

/// One report, ready to store: the adapter's [`Report`] and where it came from in the file.
#[derive(Debug, Clone)]
pub struct ReportVersion {
    /// The report.
    pub report: Report,
    /// A caller's tag (the record's place), kept for diagnostics.
    pub tag: u64,
}

/// Something a batch writes: a STIX object version or a report, or a question asked inside the
/// batch's transaction.
#[derive(Debug, Clone)]
pub enum BatchItem {
    /// A STIX object version.
    Object(ObjectVersion),
    /// A contributor's report.
    Report(Box<ReportVersion>),
    /// Which of these ids the store holds, answered from inside the transaction (so before the
    /// batch is committed, and the caller can still abort it): see [`Lookup`].
    Lookup(Lookup),
}

/// A question inside a batch: of [`Lookup::ids`], which does the store hold a version of (one
/// that [`Lookup::visible_to`] may read, when given)? The answer, the ids held, is sent on
/// [`Lookup::reply`] in one query whatever the number of ids; nothing is written.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The ids asked about.
    pub ids: Vec<String>,
    /// Count only versions this reader may see ([`Reader::may_read`]), so that the answer does not
    /// tell a reader about objects above their clearance; None counts every version.
    pub visible_to: Option<Reader>,
    /// Where the answer goes.
    pub reply: std::sync::mpsc::SyncSender<Vec<String>>,
}

/// The key that tells versions of one object apart: its `modified`, or, for objects that have
/// none (SCOs, marking definitions, which STIX does not version), a digest of the canonical
/// content, so that every distinct content sent under one id is kept and an identical one is
/// recognised as a repeat.
pub fn version_key(v: &ObjectVersion) -> std::borrow::Cow<'_, str> {
    if v.modified.is_empty() {
        std::borrow::Cow::Owned(format!("sha256:{}", sha256_hex(v.json.as_bytes())))
    } else {
        std::borrow::Cow::Borrowed(&v.modified)
    }
}

/// An object version whose (id, modified) is already stored with different content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The caller's tag of the refused version.
    pub tag: u64,
    /// Its id.
    pub id: String,
    /// Its `modified`.
    pub modified: String,
}

/// What writing one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteOutcome {
    /// Versions not stored before.
    pub new: u64,
    /// Versions already stored with the same content.
    pub unchanged: u64,
    /// Reports (or new versions of reports) not stored before.
    pub reports_new: u64,
    /// Reports already stored with the same content.
    pub reports_unchanged: u64,
    /// Versions refused because a different content is stored under the same id and modified.
    pub conflicts: Vec<Conflict>,
}

/// A caller's reason to abandon a batch while it is being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort(pub String);

/// One entry of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// Who did it.
    pub actor: String,
    /// What was done, e.g. `ingest-file`, `export`.
    pub action: String,
    /// What it was done to (a file, a query).
    pub subject: String,
    /// Details as JSON.
    pub detail: serde_json::Value,
}

/// Which stored objects to read.
#[derive(Debug, Clone)]
pub struct ObjectFilter {
    /// Only these types (all when empty).
    pub types: Vec<String>,
    /// Only objects released at this level or below.
    pub max_tlp: Tlp,
}

/// One full-text search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// The object's id.
    pub id: String,
    /// Its type.
    pub type_: String,
    /// Its `modified`, `""` when none.
    pub modified: String,
    /// Its name, when it has one.
    pub name: Option<String>,
}

/// The storage interface every stage uses.
pub trait Store {
    /// Records the start of an ingest run.
    fn begin_run(&mut self, run: &NewRun) -> Result<RunId>;

    /// Writes a batch of object versions and reports (one input file) in one transaction, with its
    /// audit entry.
    ///
    /// When `items` yields an [`Abort`], or anything fails, nothing of the batch is kept and
    /// the error says why.
    fn write_batch(
        &mut self,
        run: RunId,
        audit: &AuditEntry,
        on_conflict: OnConflict,
        items: &mut dyn Iterator<Item = std::result::Result<BatchItem, Abort>>,
    ) -> Result<WriteOutcome>;

    /// Records the end of a run and its summary.
    fn finish_run(&mut self, run: RunId, summary: &serde_json::Value) -> Result<()>;

    /// Counts stored object versions by type, at or below a TLP level.
    fn counts_by_type(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>>;

    /// Counts stored object versions by TLP level.
    fn counts_by_tlp(&self) -> Result<BTreeMap<Tlp, u64>>;

    /// Calls `f` with the canonical JSON of each stored version matching `filter`, in ingest order.
    fn for_each_object(
        &self,
        filter: &ObjectFilter,
        f: &mut dyn FnMut(&str) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Calls `f` with each stored report (latest version of each key) at or below `max_tlp`, in ingest order.
    fn for_each_report(
        &self,
        max_tlp: Tlp,
        f: &mut dyn FnMut(&Report) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_owned_report(max_tlp, &mut |r, _| f(r))
    }

    /// [`Store::for_each_report`], each report with its audience: the organisation that
    /// contributed the ingest run that brought its latest version, when the run names one, and the
    /// recipients the run named (read in the same query, so a report and its audience always
    /// belong together). AMBER+STRICT and RED reports are released only to their audience
    /// ([`Reader::may_read`]).
    fn for_each_owned_report(&self, max_tlp: Tlp, f: &mut OwnedReportFn<'_>) -> Result<()>;

    /// Counts stored reports (latest versions) by adapter format, at or below a TLP level.
    fn counts_reports_by_format(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>>;

    /// The contributors known to the store.
    fn contributors(&self) -> Result<Vec<Contributor>>;

    /// True when any version of `id` is stored.
    fn contains_id(&self, id: &str) -> Result<bool>;

    /// Of `ids`, those the store holds at least one version of (one `visible_to` may read, when
    /// given), in one query whatever their number. Order and duplicates of the answer are
    /// unspecified.
    fn known_ids(&self, ids: &[String], visible_to: Option<&Reader>) -> Result<Vec<String>>;

    /// Full-text search over names and descriptions, at or below a TLP level.
    fn search(&mut self, query: &str, max_tlp: Tlp, limit: usize) -> Result<Vec<SearchHit>>;

    /// Appends to the audit log outside any batch (e.g. a release of restricted material).
    fn audit(&mut self, entry: &AuditEntry) -> Result<()>;

    /// The most recent audit entries, newest first.
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>>;

    /// How many audit entries with `action` about `subject` were written in the last `within_ms`
    /// milliseconds (by the database's clock, so every process counts alike) and after the latest
    /// entry with `reset_action` about the same subject. Failed sign-ins since the last success,
    /// for one user name, across every server process.
    fn count_recent_audit(
        &self,
        action: &str,
        subject: &str,
        within_ms: i64,
        reset_action: &str,
    ) -> Result<u64>;

    /// Queues a background job for whichever worker claims it first; returns its id.
    fn enqueue_job(&mut self, kind: &str, payload: &serde_json::Value) -> Result<JobId>;

    /// Claims the oldest queued job for `worker`, or `None` when none is queued. Each job is
    /// claimed once, however many workers (threads or processes) ask at the same time.
    fn claim_job(&mut self, worker: &str) -> Result<Option<Job>>;

    /// Records the result of a claimed job and marks it done; an error when the job is not running.
    fn finish_job(&mut self, id: JobId, result: &serde_json::Value) -> Result<()>;

    /// Everything stored about a job (for status resources), `None` when there is no such job.
    fn job(&self, id: JobId) -> Result<Option<JobRecord>>;

    /// Calls `f` with every job, by id (for [`migrate`]).
    fn for_each_job(
        &self,
        f: &mut dyn FnMut(&JobRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Calls `f` with every ingest run, by id (for [`migrate`]).
    fn for_each_run(
        &self,
        f: &mut dyn FnMut(&RunRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Calls `f` with every stored object version, whatever its level, in ingest order (for [`migrate`]).
    fn for_each_stored_object(
        &self,
        f: &mut dyn FnMut(&StoredObject) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Calls `f` with every stored report version, whatever its level, in ingest order (for [`migrate`]).
    fn for_each_stored_report(
        &self,
        f: &mut dyn FnMut(&StoredReport) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Calls `f` with every audit entry, oldest first (for [`migrate`]).
    fn for_each_audit(
        &self,
        f: &mut dyn FnMut(&AuditRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Starts copying another store into this one, which must be empty (for [`migrate`]).
    fn begin_import(&mut self) -> Result<Box<dyn Import + '_>>;

    // Access control and TAXII (access.rs).

    /// Creates a user; an error when the name is taken.
    fn create_user(&mut self, user: &NewUser) -> Result<i64>;

    /// The user with this login name.
    fn user(&self, name: &str) -> Result<Option<UserRecord>>;

    /// Records an API token of `user` by the SHA-256 (hex) of its secret; an error when there is no such user.
    fn add_token(&mut self, user: &str, token_sha256: &str, label: &str) -> Result<()>;

    /// The user owning the token whose secret hashes (SHA-256, hex) to `token_sha256`.
    fn user_by_token(&self, token_sha256: &str) -> Result<Option<UserRecord>>;

    /// Object versions matching `query` that its reader may see, by sequence number
    /// (the TLP rule is in [`Reader::may_read`]).
    fn query_objects(&self, query: &ObjectQuery) -> Result<Vec<ObjectRow>>;

    /// Deletes every version of `id` (TAXII DELETE, an administrator's decision) with its audit
    /// entry, in one transaction; returns how many versions went.
    fn delete_object(&mut self, id: &str, audit: &AuditEntry) -> Result<u64>;

    /// Claims the queued job `id` for `worker` (the process that queued it runs it at once);
    /// false when it is not queued.
    fn claim_job_id(&mut self, id: JobId, worker: &str) -> Result<bool>;

    // Record streams (streams.rs): append-only logs of decisions and events that later stages
    // replay (analysts' assessment decisions, debate meetings, TAXII pull cursors, briefing
    // editions). One general mechanism instead of a table per feature.

    /// Appends `body` to `stream` and returns its entry number (1 for a stream's first entry).
    ///
    /// With `expected_seq`, the entry is written only if it gets exactly that number, so a caller
    /// that decided on the state it read cannot interleave with another writer (any process):
    /// otherwise [`StoreError::StreamConflict`] and nothing is written. Without it, the entry goes
    /// at the end whatever came before.
    fn append_to_stream(
        &mut self,
        stream: &str,
        actor: &str,
        expected_seq: Option<i64>,
        body: &serde_json::Value,
    ) -> Result<i64>;

    /// The entries of `stream` numbered above `after_seq` (0 for all), in order.
    fn read_stream(&self, stream: &str, after_seq: i64) -> Result<Vec<StreamEntry>>;

    /// The names of the streams starting with `prefix` (`""` for all), sorted.
    fn stream_names(&self, prefix: &str) -> Result<Vec<String>>;

    /// Calls `f` with every entry of every stream, by stream then number (for [`migrate`]).
    fn for_each_stream_entry(
        &self,
        f: &mut dyn FnMut(&StreamEntry) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Jobs of `kind` claimed (running) more than `older_than_ms` milliseconds ago and not
    /// finished: their process most likely died. The caller decides how to settle them.
    fn stale_jobs(&self, kind: &str, older_than_ms: i64) -> Result<Vec<JobRecord>>;

    /// A value that changes whenever anything a derived view reads changes: a report version,
    /// an analyst's reconciliation decision (audit action `reconcile-decision`) or assessment
    /// decision (stream [`ASSESSMENT_DECISION_STREAM`]). Cheap (three index lookups), so a process
    /// can check it before reusing a cached derivation, whichever process wrote.
    fn change_marker(&self) -> Result<ChangeMarker>;

    /// The body of derivation `name` if it was kept by [`Store::put_derivation`] at `marker`;
    /// `None` when there is none or it was made when the store stood elsewhere (it is stale).
    fn derivation(&self, name: &str, marker: &ChangeMarker) -> Result<Option<Vec<u8>>>;

    /// Keeps `body` as derivation `name`, made when the store stood at `marker`, replacing the
    /// one kept before. Derivations are a cache shared by processes (an expensive result such as
    /// the reconciliation of every report): never the only copy of anything, so backups, copies
    /// and fingerprints leave them out.
    fn put_derivation(&mut self, name: &str, marker: &ChangeMarker, body: &[u8]) -> Result<()>;

    /// The latest version of each report whose key is in `keys` (whatever its level: the caller
    /// releases), in ingest order; keys with no report are skipped.
    fn reports_by_keys(&self, keys: &[&str]) -> Result<Vec<Report>>;

    /// Calls `f` with every user and their tokens' digests, by user id (for [`migrate`]).
    fn for_each_account(
        &self,
        f: &mut dyn FnMut(&AccountRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()>;

    /// Sets a user's role and clearance; false when there is no such user.
    fn set_user_access(&mut self, name: &str, role: &str, clearance: Tlp) -> Result<bool>;

    /// Revokes the token of `user` whose digest is `token_sha256`; false when there is none.
    fn revoke_token(&mut self, user: &str, token_sha256: &str) -> Result<bool>;

    /// Records a signed-in browser session, and forgets that user's oldest sessions beyond
    /// `keep_per_user` (so repeated sign-ins cannot grow the table without bound). Fails when the
    /// user does not exist.
    fn put_web_session(&mut self, session: &WebSession, keep_per_user: usize) -> Result<()>;

    /// The session whose secret has digest `sha256`, with its user as stored now (so a changed
    /// role or clearance applies at the next request), or `None`.
    fn web_session(&self, sha256: &str) -> Result<Option<(WebSession, UserRecord)>>;

    /// Records that the session was used at `seen_ms`.
    fn touch_web_session(&mut self, sha256: &str, seen_ms: i64) -> Result<()>;

    /// Forgets one session (sign-out), and every session last seen before `seen_before_ms` or
    /// created before `created_before_ms` (expired); how many went.
    fn end_web_sessions(
        &mut self,
        sha256: &str,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<u64>;
}

/// Opens the store at `target`: a `postgres://` or `postgresql://` URL ([`PgStore::connect`]), or
/// the path of a SQLite file, optionally written `sqlite:PATH` ([`SqliteStore::open`]).
pub fn open(target: &str) -> Result<Box<dyn Store + Send>> {
    if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        Ok(Box::new(PgStore::connect(target)?))
    } else {
        let path = target.strip_prefix("sqlite:").unwrap_or(target);
        Ok(Box::new(SqliteStore::open(path)?))
    }
}
