//! The embedded store: one SQLite file in WAL mode, with FTS5 for search.
//!
//! Speed comes from writing each batch in one transaction through cached prepared statements, with
//! a single unique index on the write path. The full-text index is not updated on ingest: it is
//! brought up to date (in one statement) the first time a search needs it, so ingest pays nothing
//! for it and search is never stale.

mod access;
mod copy;
mod jobs;
mod schema;
mod streams;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use threatscape_model::{sha256_hex, Contributor, Report, Tlp};

use crate::{
    Abort, AuditEntry, AuditRecord, BatchItem, Conflict, Import, Job, JobId, JobRecord, NewRun,
    ObjectFilter, ObjectVersion, OnConflict, Result, RunId, RunRecord, SearchHit, Store,
    StoreError, StoredObject, StoredReport, WriteOutcome,
};

/// The SQLite implementation of [`Store`].
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

/// Wraps a database error with what the store was doing.
fn db(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let context = context.into();
    move |e| StoreError::Database {
        context,
        source: Box::new(e),
    }
}

/// TLP levels are stored as their rank so that "at or below" is a comparison.
fn tlp_rank(tlp: Tlp) -> i64 {
    Tlp::ALL
        .iter()
        .position(|t| *t == tlp)
        .expect("every level is in ALL") as i64
}

fn tlp_from_rank(rank: i64) -> Tlp {
    Tlp::ALL[rank.clamp(0, 4) as usize]
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display().to_string();
        let conn = Connection::open(&path).map_err(db(format!("opening {shown}")))?;
        Self::configure(conn, path)
    }

    /// An in-memory store, for tests and dry runs.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(db("opening an in-memory database"))?;
        Self::configure(conn, PathBuf::from(":memory:"))
    }

    fn configure(conn: Connection, path: PathBuf) -> Result<Self> {
        // WAL: readers do not block the writer. synchronous=NORMAL in WAL mode keeps every
        // committed transaction consistent after a crash (a power loss may lose the last ones,
        // never half of one). The busy timeout lets a second process wait instead of failing.
        // 64 KiB pages: STIX objects are around a kilobyte and some reach tens of kilobytes; large
        // pages cut overflow chains and per-page work on ingest (it only applies to a new file).
        const PRAGMAS: &str = "PRAGMA busy_timeout = 10000;
             PRAGMA page_size = 65536;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -16384;
             PRAGMA temp_store = MEMORY;";
        // Switching a file to WAL needs its exclusive lock, and SQLite answers SQLITE_BUSY at once
        // there, without the busy handler (waiting could deadlock two connections that both hold
        // a shared lock). Several processes opening one store together then retry here, within
        // the same ten seconds the busy timeout allows; the pragmas are idempotent.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match conn.execute_batch(PRAGMAS) {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => return Err(db("configuring the database")(e)),
            }
        }
        let mut store = SqliteStore { conn, path };
        schema::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it reports `ok`.
    pub fn integrity_check(&self) -> Result<()> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(db("checking integrity"))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Incompatible {
                path: self.path.display().to_string(),
                problem: format!("fails its integrity check: {verdict}"),
            })
        }
    }

    /// Brings the full-text index up to the last stored object version.
    fn refresh_search_index(&mut self) -> Result<()> {
        let tx = self.conn.transaction().map_err(db("indexing for search"))?;
        let indexed: i64 = tx
            .query_row(
                "SELECT COALESCE((SELECT value FROM meta WHERE key = 'search_indexed_seq'), 0)",
                [],
                |r| r.get(0),
            )
            .map_err(db("reading the search index position"))?;
        tx.execute(
            "INSERT INTO object_text(rowid, name, description)
             SELECT seq, json_extract(json, '$.name'), json_extract(json, '$.description')
             FROM stix_objects WHERE seq > ?1",
            [indexed],
        )
        .map_err(db("indexing for search"))?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('search_indexed_seq', (SELECT COALESCE(MAX(seq), 0) FROM stix_objects))
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [],
        )
        .map_err(db("recording the search index position"))?;
        tx.commit().map_err(db("indexing for search"))
    }
}

/// Writes one audit entry with a connection or transaction.
fn insert_audit(conn: &Connection, entry: &AuditEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log(at, actor, action, subject, detail)
         VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4)",
    )
    .and_then(|mut st| {
        st.execute(params![
            entry.actor,
            entry.action,
            entry.subject,
            entry.detail.to_string()
        ])
    })
    .map_err(db("writing the audit log"))?;
    Ok(())
}

/// Of `ids`, those stored (in a version `visible_to` may read, when given): one query, with the
/// ids as one JSON array, so on a connection or inside a write transaction alike.
fn known_ids(
    conn: &Connection,
    ids: &[String],
    visible_to: Option<&crate::Reader>,
) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).expect("strings serialise");
    let max = visible_to.map(|r| tlp_rank(r.clearance));
    let org = visible_to.and_then(|r| r.organisation.clone());
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT DISTINCT o.id FROM stix_objects o JOIN ingest_runs r ON r.id = o.run_id
             WHERE o.id IN (SELECT value FROM json_each(?1))
               AND (?2 IS NULL OR {})",
            access::visible_sql("o", "r", "?2", "?3")
        ))
        .map_err(db("looking up referenced ids"))?;
    let rows = st
        .query_map(params![list, max, org], |r| r.get::<_, String>(0))
        .map_err(db("looking up referenced ids"))?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(db("looking up referenced ids"))
}

/// Makes user text safe for an FTS5 MATCH: each word becomes a quoted term, all required.
fn fts_query(text: &str) -> String {
    text.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Inserts STIX object versions within one transaction, through cached statements.
struct ObjectWriter<'t> {
    insert: rusqlite::CachedStatement<'t>,
    existing: rusqlite::CachedStatement<'t>,
}

impl<'t> ObjectWriter<'t> {
    fn new(tx: &'t rusqlite::Transaction<'_>) -> Result<Self> {
        Ok(ObjectWriter {
            insert: tx
                .prepare_cached(
                    "INSERT INTO stix_objects(id, modified, version, type, tlp, run_id, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(id, version) DO NOTHING",
                )
                .map_err(db("preparing the object insert"))?,
            existing: tx
                .prepare_cached("SELECT json FROM stix_objects WHERE id = ?1 AND version = ?2")
                .map_err(db("preparing the object lookup"))?,
        })
    }

    fn write(
        &mut self,
        v: ObjectVersion,
        run: RunId,
        on_conflict: OnConflict,
        outcome: &mut WriteOutcome,
    ) -> Result<()> {
        let key = crate::version_key(&v);
        let inserted = self
            .insert
            .execute(params![
                v.id,
                v.modified,
                key,
                v.type_,
                tlp_rank(v.tlp),
                run,
                v.json
            ])
            .map_err(db(format!("storing {}", v.id)))?;
        if inserted == 1 {
            outcome.new += 1;
            return Ok(());
        }
        let stored: String = self
            .existing
            .query_row(params![v.id, key], |r| r.get(0))
            .map_err(db(format!("reading the stored {}", v.id)))?;
        if stored == v.json {
            outcome.unchanged += 1;
            return Ok(());
        }
        let conflict = Conflict {
            tag: v.tag,
            id: v.id,
            modified: v.modified,
        };
        match on_conflict {
            OnConflict::Reject => Err(StoreError::Conflict(conflict)),
            OnConflict::Skip => {
                outcome.conflicts.push(conflict);
                Ok(())
            }
        }
    }
}

/// Inserts reports (and their contributors) within one transaction.
struct ReportWriter<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    contributor_ids: std::collections::HashMap<String, i64>,
}

impl<'t> ReportWriter<'t> {
    fn new(tx: &'t rusqlite::Transaction<'t>) -> Result<Self> {
        Ok(ReportWriter {
            tx,
            contributor_ids: Default::default(),
        })
    }

    fn contributor_id(&mut self, c: &Contributor) -> Result<i64> {
        if let Some(id) = self.contributor_ids.get(&c.name) {
            return Ok(*id);
        }
        // The first registration of a contributor fixes its type and reliability; changing them is
        // an administrator's decision, not a side effect of an ingest.
        self.tx
            .prepare_cached(
                "INSERT INTO contributors(name, type, reliability) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    c.name,
                    c.type_.as_str(),
                    format!("{:?}", c.reliability)
                ])
            })
            .map_err(db("registering a contributor"))?;
        let id: i64 = self
            .tx
            .query_row(
                "SELECT id FROM contributors WHERE name = ?1",
                [&c.name],
                |r| r.get(0),
            )
            .map_err(db("looking up a contributor"))?;
        self.contributor_ids.insert(c.name.clone(), id);
        Ok(id)
    }

    fn write(&mut self, report: &Report, run: RunId, outcome: &mut WriteOutcome) -> Result<()> {
        let contributor = self.contributor_id(&report.contributor)?;
        let json = serde_json::to_string(report).expect("reports serialise");
        let key = report.key();
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO reports(key, digest, format, contributor_id, tlp, occurred, title, run_id, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(key, digest) DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    key,
                    sha256_hex(json.as_bytes()),
                    report.provenance.format,
                    contributor,
                    tlp_rank(report.tlp),
                    report.occurred.map(|o| o.start.to_string()),
                    report.title,
                    run,
                    json
                ])
            })
            .map_err(db(format!("storing report {key}")))?;
        if inserted == 1 {
            outcome.reports_new += 1;
        } else {
            outcome.reports_unchanged += 1;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn begin_run(&mut self, run: &NewRun) -> Result<RunId> {
        self.conn
            .execute(
                "INSERT INTO ingest_runs(started, actor, contributor, contributor_type, declared_tlp,
                                         recipients)
                 VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5)",
                params![
                    run.actor,
                    run.contributor,
                    run.contributor_type.map(|t| t.as_str()),
                    run.declared_tlp.map(|t| t.as_str()),
                    crate::access::recipients_json(&run.recipients)
                ],
            )
            .map_err(db("starting an ingest run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn write_batch(
        &mut self,
        run: RunId,
        audit: &AuditEntry,
        on_conflict: OnConflict,
        items: &mut dyn Iterator<Item = std::result::Result<BatchItem, Abort>>,
    ) -> Result<WriteOutcome> {
        let tx = self
            .conn
            .transaction()
            .map_err(db("starting a transaction"))?;
        let mut outcome = WriteOutcome::default();
        {
            let mut objects = ObjectWriter::new(&tx)?;
            let mut reports = ReportWriter::new(&tx)?;
            for item in items {
                // On an abort or an error, `tx` is dropped unfinished, which rolls everything back.
                match item.map_err(|Abort(why)| StoreError::Aborted(why))? {
                    BatchItem::Object(v) => objects.write(v, run, on_conflict, &mut outcome)?,
                    BatchItem::Report(r) => reports.write(&r.report, run, &mut outcome)?,
                    BatchItem::Lookup(l) => {
                        let found = known_ids(&tx, &l.ids, l.visible_to.as_ref())?;
                        // The asker may have given up (its own error); that is its business.
                        let _ = l.reply.send(found);
                    }
                }
            }
        }
        let mut entry = audit.clone();
        if let serde_json::Value::Object(detail) = &mut entry.detail {
            detail.insert("run".into(), run.into());
            detail.insert("new".into(), outcome.new.into());
            detail.insert("unchanged".into(), outcome.unchanged.into());
            detail.insert("conflicts".into(), outcome.conflicts.len().into());
            detail.insert("reports_new".into(), outcome.reports_new.into());
            detail.insert("reports_unchanged".into(), outcome.reports_unchanged.into());
        }
        insert_audit(&tx, &entry)?;
        tx.commit().map_err(db("committing"))?;
        Ok(outcome)
    }

    fn finish_run(&mut self, run: RunId, summary: &serde_json::Value) -> Result<()> {
        self.conn
            .execute(
                "UPDATE ingest_runs SET finished = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), summary = ?2 WHERE id = ?1",
                params![run, summary.to_string()],
            )
            .map_err(db("finishing an ingest run"))?;
        Ok(())
    }

    fn counts_by_type(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT type, COUNT(*) FROM stix_objects WHERE tlp <= ?1 GROUP BY type")
            .map_err(db("counting objects"))?;
        let rows = st
            .query_map([tlp_rank(max_tlp)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(db("counting objects"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("counting objects"))
    }

    fn counts_by_tlp(&self) -> Result<BTreeMap<Tlp, u64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT tlp, COUNT(*) FROM stix_objects GROUP BY tlp")
            .map_err(db("counting objects by TLP"))?;
        let rows = st
            .query_map([], |r| {
                Ok((tlp_from_rank(r.get(0)?), r.get::<_, i64>(1)? as u64))
            })
            .map_err(db("counting objects by TLP"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("counting objects by TLP"))
    }

    fn for_each_object(
        &self,
        filter: &ObjectFilter,
        f: &mut dyn FnMut(&str) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        let types = serde_json::to_string(&filter.types).expect("strings serialise");
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT json FROM stix_objects
                 WHERE tlp <= ?1 AND (?2 = '[]' OR type IN (SELECT value FROM json_each(?2)))
                 ORDER BY seq",
            )
            .map_err(db("reading objects"))?;
        let mut rows = st
            .query(params![tlp_rank(filter.max_tlp), types])
            .map_err(db("reading objects"))?;
        while let Some(row) = rows.next().map_err(db("reading objects"))? {
            let json = row.get_ref(0).map_err(db("reading objects"))?;
            let json = json.as_str().map_err(|e| db("reading objects")(e.into()))?;
            f(json).map_err(|Abort(why)| StoreError::Aborted(why))?;
        }
        Ok(())
    }

    fn for_each_owned_report(&self, max_tlp: Tlp, f: &mut crate::OwnedReportFn<'_>) -> Result<()> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT r.json, i.contributor, i.recipients FROM reports r
                 JOIN ingest_runs i ON i.id = r.run_id
                 WHERE r.tlp <= ?1 AND r.seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)
                 ORDER BY r.seq",
            )
            .map_err(db("reading reports"))?;
        let mut rows = st
            .query([tlp_rank(max_tlp)])
            .map_err(db("reading reports"))?;
        while let Some(row) = rows.next().map_err(db("reading reports"))? {
            let json: String = row.get(0).map_err(db("reading reports"))?;
            let contributor: Option<String> = row.get(1).map_err(db("reading reports"))?;
            let recipients: Option<String> = row.get(2).map_err(db("reading reports"))?;
            let audience = crate::access::audience_of(contributor, recipients.as_deref());
            let report: Report =
                serde_json::from_str(&json).map_err(|e| StoreError::Incompatible {
                    path: self.path.display().to_string(),
                    problem: format!("holds a report this version cannot read: {e}"),
                })?;
            f(&report, &audience).map_err(|Abort(why)| StoreError::Aborted(why))?;
        }
        Ok(())
    }

    fn counts_reports_by_format(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT format, COUNT(*) FROM reports r
                 WHERE tlp <= ?1 AND seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)
                 GROUP BY format",
            )
            .map_err(db("counting reports"))?;
        let rows = st
            .query_map([tlp_rank(max_tlp)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(db("counting reports"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("counting reports"))
    }

    fn contributors(&self) -> Result<Vec<Contributor>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name, type, reliability FROM contributors ORDER BY name")
            .map_err(db("reading contributors"))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(db("reading contributors"))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, type_, reliability) = row.map_err(db("reading contributors"))?;
            let incompatible = |what: &str| StoreError::Incompatible {
                path: self.path.display().to_string(),
                problem: format!("holds a contributor with an unknown {what}"),
            };
            out.push(Contributor {
                name,
                type_: type_.parse().map_err(|_| incompatible("type"))?,
                reliability: serde_json::from_value(serde_json::Value::String(reliability))
                    .map_err(|_| incompatible("reliability"))?,
            });
        }
        Ok(out)
    }

    fn contains_id(&self, id: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM stix_objects WHERE id = ?1 LIMIT 1")
            .and_then(|mut st| st.query_row([id], |_| Ok(())).optional())
            .map(|found| found.is_some())
            .map_err(db(format!("looking up {id}")))
    }

    fn known_ids(&self, ids: &[String], visible_to: Option<&crate::Reader>) -> Result<Vec<String>> {
        known_ids(&self.conn, ids, visible_to)
    }

    fn search(&mut self, query: &str, max_tlp: Tlp, limit: usize) -> Result<Vec<SearchHit>> {
        if query.split_whitespace().next().is_none() {
            return Ok(Vec::new());
        }
        self.refresh_search_index()?;
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT o.id, o.type, o.modified, json_extract(o.json, '$.name')
                 FROM object_text JOIN stix_objects o ON o.seq = object_text.rowid
                 WHERE object_text MATCH ?1 AND o.tlp <= ?2
                 ORDER BY rank LIMIT ?3",
            )
            .map_err(db("searching"))?;
        let rows = st
            .query_map(
                params![fts_query(query), tlp_rank(max_tlp), limit as i64],
                |r| {
                    Ok(SearchHit {
                        id: r.get(0)?,
                        type_: r.get(1)?,
                        modified: r.get(2)?,
                        name: r.get(3)?,
                    })
                },
            )
            .map_err(db("searching"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("searching"))
    }

    fn audit(&mut self, entry: &AuditEntry) -> Result<()> {
        insert_audit(&self.conn, entry)
    }

    fn count_recent_audit(
        &self,
        action: &str,
        subject: &str,
        within_ms: i64,
        reset_action: &str,
    ) -> Result<u64> {
        let window = format!("-{:.3} seconds", within_ms as f64 / 1000.0);
        self.conn
            .prepare_cached(
                "SELECT COUNT(*) FROM audit_log
                 WHERE subject = ?2 AND action = ?1
                   AND at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)
                   AND seq > COALESCE((SELECT MAX(seq) FROM audit_log
                                       WHERE subject = ?2 AND action = ?4), 0)",
            )
            .and_then(|mut st| {
                st.query_row(params![action, subject, window, reset_action], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .map(|n| n as u64)
            .map_err(db("counting audit entries"))
    }

    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT ?1",
            )
            .map_err(db("reading the audit log"))?;
        let rows = st
            .query_map([limit as i64], |r| {
                let detail: String = r.get(3)?;
                Ok(AuditEntry {
                    actor: r.get(0)?,
                    action: r.get(1)?,
                    subject: r.get(2)?,
                    detail: serde_json::from_str(&detail)
                        .unwrap_or(serde_json::Value::String(detail)),
                })
            })
            .map_err(db("reading the audit log"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("reading the audit log"))
    }

    // Jobs (jobs.rs) and copies (copy.rs).

    fn enqueue_job(&mut self, kind: &str, payload: &serde_json::Value) -> Result<JobId> {
        self.enqueue_job_impl(kind, payload)
    }

    fn claim_job(&mut self, worker: &str) -> Result<Option<Job>> {
        self.claim_job_impl(worker)
    }

    fn finish_job(&mut self, id: JobId, result: &serde_json::Value) -> Result<()> {
        self.finish_job_impl(id, result)
    }

    fn job(&self, id: JobId) -> Result<Option<JobRecord>> {
        self.job_impl(id)
    }

    fn for_each_job(
        &self,
        f: &mut dyn FnMut(&JobRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_job_impl(f)
    }

    fn for_each_run(
        &self,
        f: &mut dyn FnMut(&RunRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_run_impl(f)
    }

    fn for_each_stored_object(
        &self,
        f: &mut dyn FnMut(&StoredObject) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_stored_object_impl(f)
    }

    fn for_each_stored_report(
        &self,
        f: &mut dyn FnMut(&StoredReport) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_stored_report_impl(f)
    }

    fn for_each_audit(
        &self,
        f: &mut dyn FnMut(&AuditRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_audit_impl(f)
    }

    fn begin_import(&mut self) -> Result<Box<dyn Import + '_>> {
        self.begin_import_impl()
    }

    // Access control and TAXII (access.rs).

    fn create_user(&mut self, user: &crate::NewUser) -> Result<i64> {
        self.create_user_impl(user)
    }

    fn user(&self, name: &str) -> Result<Option<crate::UserRecord>> {
        self.user_impl(name)
    }

    fn add_token(&mut self, user: &str, token_sha256: &str, label: &str) -> Result<()> {
        self.add_token_impl(user, token_sha256, label)
    }

    fn user_by_token(&self, token_sha256: &str) -> Result<Option<crate::UserRecord>> {
        self.user_by_token_impl(token_sha256)
    }

    fn set_user_access(&mut self, name: &str, role: &str, clearance: Tlp) -> Result<bool> {
        self.set_user_access_impl(name, role, clearance)
    }

    fn revoke_token(&mut self, user: &str, token_sha256: &str) -> Result<bool> {
        self.revoke_token_impl(user, token_sha256)
    }

    fn put_web_session(&mut self, session: &crate::WebSession, keep_per_user: usize) -> Result<()> {
        self.put_web_session_impl(session, keep_per_user)
    }

    fn web_session(&self, sha256: &str) -> Result<Option<(crate::WebSession, crate::UserRecord)>> {
        self.web_session_impl(sha256)
    }

    fn touch_web_session(&mut self, sha256: &str, seen_ms: i64) -> Result<()> {
        self.touch_web_session_impl(sha256, seen_ms)
    }

    fn end_web_sessions(
        &mut self,
        sha256: &str,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<u64> {
        self.end_web_sessions_impl(sha256, seen_before_ms, created_before_ms)
    }

    fn query_objects(&self, query: &crate::ObjectQuery) -> Result<Vec<crate::ObjectRow>> {
        self.query_objects_impl(query)
    }

    fn delete_object(&mut self, id: &str, audit: &AuditEntry) -> Result<u64> {
        self.delete_object_impl(id, audit)
    }

    fn claim_job_id(&mut self, id: JobId, worker: &str) -> Result<bool> {
        self.claim_job_id_impl(id, worker)
    }

    fn append_to_stream(
        &mut self,
        stream: &str,
        actor: &str,
        expected_seq: Option<i64>,
        body: &serde_json::Value,
    ) -> Result<i64> {
        self.append_to_stream_impl(stream, actor, expected_seq, body)
    }

    fn read_stream(&self, stream: &str, after_seq: i64) -> Result<Vec<crate::StreamEntry>> {
        self.read_stream_impl(stream, after_seq)
    }

    fn stream_names(&self, prefix: &str) -> Result<Vec<String>> {
        self.stream_names_impl(prefix)
    }

    fn for_each_stream_entry(
        &self,
        f: &mut dyn FnMut(&crate::StreamEntry) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_stream_entry_impl(f)
    }

    fn stale_jobs(&self, kind: &str, older_than_ms: i64) -> Result<Vec<JobRecord>> {
        self.stale_jobs_impl(kind, older_than_ms)
    }

    fn change_marker(&self) -> Result<crate::ChangeMarker> {
        self.change_marker_impl()
    }

    fn derivation(&self, name: &str, marker: &crate::ChangeMarker) -> Result<Option<Vec<u8>>> {
        let what = format!("reading the derivation {name}");
        let marker = serde_json::to_string(marker).expect("a marker serialises");
        self.conn
            .query_row(
                "SELECT body FROM derivations WHERE name = ?1 AND marker = ?2",
                params![name, marker],
                |r| r.get(0),
            )
            .optional()
            .map_err(db(&what))
    }

    fn put_derivation(
        &mut self,
        name: &str,
        marker: &crate::ChangeMarker,
        body: &[u8],
    ) -> Result<()> {
        let what = format!("keeping the derivation {name}");
        let marker = serde_json::to_string(marker).expect("a marker serialises");
        self.conn
            .execute(
                "INSERT INTO derivations(name, marker, written, body)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?3)
                 ON CONFLICT(name) DO UPDATE
                 SET marker = excluded.marker, written = excluded.written, body = excluded.body",
                params![name, marker, body],
            )
            .map_err(db(&what))?;
        Ok(())
    }

    fn reports_by_keys(&self, keys: &[&str]) -> Result<Vec<Report>> {
        const CHUNK: usize = 500;
        let mut found: Vec<(i64, Report)> = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT seq, json FROM reports r
                 WHERE key IN ({marks}) AND seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)"
            );
            let mut st = self
                .conn
                .prepare_cached(&sql)
                .map_err(db("reading reports by key"))?;
            let mut rows = st
                .query(rusqlite::params_from_iter(chunk.iter()))
                .map_err(db("reading reports by key"))?;
            while let Some(row) = rows.next().map_err(db("reading reports by key"))? {
                let seq: i64 = row.get(0).map_err(db("reading reports by key"))?;
                let json: String = row.get(1).map_err(db("reading reports by key"))?;
                let report: Report =
                    serde_json::from_str(&json).map_err(|e| StoreError::Incompatible {
                        path: self.path.display().to_string(),
                        problem: format!("holds a report this version cannot read: {e}"),
                    })?;
                found.push((seq, report));
            }
        }
        found.sort_by_key(|(seq, _)| *seq);
        Ok(found.into_iter().map(|(_, r)| r).collect())
    }

    fn for_each_account(
        &self,
        f: &mut dyn FnMut(&crate::AccountRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_account_impl(f)
    }
}
