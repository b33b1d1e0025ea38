//! Reading everything for a copy, and writing a copy (see `crate::copy`).

use std::collections::HashMap;

use rusqlite::{params, Row, Transaction};
use threatscape_model::Contributor;

use super::{db, tlp_from_rank, tlp_rank, SqliteStore};
use crate::{
    Abort, AccountRecord, AuditRecord, Import, JobRecord, Result, RunRecord, StoreError,
    StoredObject, StoredReport, StreamEntry,
};

impl SqliteStore {
    /// Calls `f` with each row of `sql`, made into a record by `read`.
    pub(super) fn each<T>(
        &self,
        sql: &str,
        what: &str,
        read: fn(&Row<'_>) -> rusqlite::Result<T>,
        f: &mut dyn FnMut(&T) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(sql).map_err(db(what))?;
        let mut rows = st.query([]).map_err(db(what))?;
        while let Some(row) = rows.next().map_err(db(what))? {
            let record = read(row).map_err(db(what))?;
            f(&record).map_err(|Abort(why)| StoreError::Aborted(why))?;
        }
        Ok(())
    }

    pub(super) fn for_each_run_impl(
        &self,
        f: &mut dyn FnMut(&RunRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.each(
            "SELECT id, started, finished, actor, contributor, contributor_type, declared_tlp, summary,
                    recipients
             FROM ingest_runs ORDER BY id",
            "reading ingest runs",
            |r| {
                Ok(RunRecord {
                    id: r.get(0)?,
                    started: r.get(1)?,
                    finished: r.get(2)?,
                    actor: r.get(3)?,
                    contributor: r.get(4)?,
                    contributor_type: r.get(5)?,
                    declared_tlp: r.get(6)?,
                    summary: r.get(7)?,
                    recipients: r.get(8)?,
                })
            },
            f,
        )
    }

    pub(super) fn for_each_stored_object_impl(
        &self,
        f: &mut dyn FnMut(&StoredObject) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.each(
            "SELECT id, modified, version, type, tlp, run_id, json FROM stix_objects ORDER BY seq",
            "reading objects",
            |r| {
                Ok(StoredObject {
                    id: r.get(0)?,
                    modified: r.get(1)?,
                    version: r.get(2)?,
                    type_: r.get(3)?,
                    tlp: tlp_from_rank(r.get(4)?),
                    run: r.get(5)?,
                    json: r.get(6)?,
                })
            },
            f,
        )
    }

    pub(super) fn for_each_stored_report_impl(
        &self,
        f: &mut dyn FnMut(&StoredReport) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.each(
            "SELECT r.key, r.digest, r.format, c.name, r.tlp, r.occurred, r.title, r.run_id, r.json
             FROM reports r JOIN contributors c ON c.id = r.contributor_id ORDER BY r.seq",
            "reading reports",
            |r| {
                Ok(StoredReport {
                    key: r.get(0)?,
                    digest: r.get(1)?,
                    format: r.get(2)?,
                    contributor: r.get(3)?,
                    tlp: tlp_from_rank(r.get(4)?),
                    occurred: r.get(5)?,
                    title: r.get(6)?,
                    run: r.get(7)?,
                    json: r.get(8)?,
                })
            },
            f,
        )
    }

    pub(super) fn for_each_audit_impl(
        &self,
        f: &mut dyn FnMut(&AuditRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.each(
            "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY seq",
            "reading the audit log",
            |r| {
                Ok(AuditRecord {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    subject: r.get(3)?,
                    detail: r.get(4)?,
                })
            },
            f,
        )
    }

    pub(super) fn begin_import_impl(&mut self) -> Result<Box<dyn crate::Import + '_>> {
        let tx = self.conn.transaction().map_err(db("starting the import"))?;
        let occupied: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM ingest_runs) OR EXISTS (SELECT 1 FROM stix_objects)
                     OR EXISTS (SELECT 1 FROM reports) OR EXISTS (SELECT 1 FROM contributors)
                     OR EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM jobs)",
                [],
                |r| r.get(0),
            )
            .map_err(db("checking that the target is empty"))?;
        if occupied || SqliteStore::holds_streams_or_accounts(&tx)? {
            return Err(StoreError::Incompatible {
                path: self.path.display().to_string(),
                problem: "is not empty; a copy goes into an empty store".into(),
            });
        }
        Ok(Box::new(SqliteImport {
            tx,
            contributor_ids: HashMap::new(),
        }))
    }
}

/// A copy of another store being written, in one transaction.
struct SqliteImport<'c> {
    tx: Transaction<'c>,
    contributor_ids: HashMap<String, i64>,
}

impl Import for SqliteImport<'_> {
    fn run(&mut self, run: &RunRecord) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO ingest_runs(id, started, finished, actor, contributor, contributor_type,
                                         declared_tlp, summary, recipients)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    run.id,
                    run.started,
                    run.finished,
                    run.actor,
                    run.contributor,
                    run.contributor_type,
                    run.declared_tlp,
                    run.summary,
                    run.recipients
                ])
            })
            .map_err(db(format!("copying ingest run {}", run.id)))?;
        Ok(())
    }

    fn contributor(&mut self, c: &Contributor) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO contributors(name, type, reliability) VALUES (?1, ?2, ?3)")
            .and_then(|mut st| {
                st.execute(params![
                    c.name,
                    c.type_.as_str(),
                    format!("{:?}", c.reliability)
                ])
            })
            .map_err(db(format!("copying contributor {}", c.name)))?;
        self.contributor_ids
            .insert(c.name.clone(), self.tx.last_insert_rowid());
        Ok(())
    }

    fn object(&mut self, o: &StoredObject) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO stix_objects(id, modified, version, type, tlp, run_id, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    o.id,
                    o.modified,
                    o.version,
                    o.type_,
                    tlp_rank(o.tlp),
                    o.run,
                    o.json
                ])
            })
            .map_err(db(format!("copying {}", o.id)))?;
        Ok(())
    }

    fn report(&mut self, r: &StoredReport) -> Result<()> {
        let contributor =
            *self
                .contributor_ids
                .get(&r.contributor)
                .ok_or_else(|| StoreError::Database {
                    context: format!("copying report {}", r.key),
                    source: format!("its contributor {:?} was not copied first", r.contributor)
                        .into(),
                })?;
        self.tx
            .prepare_cached(
                "INSERT INTO reports(key, digest, format, contributor_id, tlp, occurred, title, run_id, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    r.key,
                    r.digest,
                    r.format,
                    contributor,
                    tlp_rank(r.tlp),
                    r.occurred,
                    r.title,
                    r.run,
                    r.json
                ])
            })
            .map_err(db(format!("copying report {}", r.key)))?;
        Ok(())
    }

    fn audit(&mut self, a: &AuditRecord) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log(at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut st| st.execute(params![a.at, a.actor, a.action, a.subject, a.detail]))
            .map_err(db("copying the audit log"))?;
        Ok(())
    }

    fn job(&mut self, j: &JobRecord) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO jobs(id, kind, payload, state, enqueued, worker, claimed, finished, result)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    j.id,
                    j.kind,
                    j.payload.to_string(),
                    j.state.as_str(),
                    j.enqueued,
                    j.worker,
                    j.claimed,
                    j.finished,
                    j.result.as_ref().map(|r| r.to_string())
                ])
            })
            .map_err(db(format!("copying job {}", j.id)))?;
        Ok(())
    }

    fn stream_entry(&mut self, e: &StreamEntry) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO streams(stream, seq, recorded_at, actor, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut st| {
                st.execute(params![e.stream, e.seq, e.recorded_at, e.actor, e.body.to_string()])
            })
            .map_err(db(format!("copying entry {} of stream {}", e.seq, e.stream)))?;
        Ok(())
    }

    fn account(&mut self, a: &AccountRecord) -> Result<()> {
        let what = format!("copying user {}", a.name);
        self.tx
            .prepare_cached(
                "INSERT INTO users(id, name, organisation, role, clearance, password_hash, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    a.id,
                    a.name,
                    a.organisation,
                    a.role,
                    tlp_rank(a.clearance),
                    a.password_hash,
                    a.created
                ])
            })
            .map_err(db(&what))?;
        for t in &a.tokens {
            self.tx
                .prepare_cached(
                    "INSERT INTO api_tokens(user_id, sha256, label, created) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut st| st.execute(params![a.id, t.sha256, t.label, t.created]))
                .map_err(db(&what))?;
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        // The search index (object_text) is empty and its position unset: the first search builds it.
        self.tx.commit().map_err(db("committing the import"))
    }
}
