//! Writing batches and imports: chunks of rows sent as arrays, one round trip per chunk.

use std::collections::{HashMap, HashSet};

use ::postgres::{GenericClient, Statement, Transaction};
use sha2::{Digest, Sha256};
use threatscape_model::{sha256_hex, Contributor, Report};

use super::{db, failure, tlp_rank, Conn};
use crate::{
    AccountRecord, AuditEntry, AuditRecord, Conflict, Import, JobRecord, ObjectVersion, OnConflict,
    Result, RunId, RunRecord, StoreError, StoredObject, StoredReport, StreamEntry, WriteOutcome,
};

/// Rows per chunk: large enough that round trips stop mattering, small enough to keep memory and
/// the statement's parameters modest.
const CHUNK_ROWS: usize = 1000;
/// Bytes of JSON per chunk, whatever the row count (some objects are megabytes).
const CHUNK_BYTES: usize = 8 << 20;

pub(super) const INSERT_AUDIT: &str = "INSERT INTO audit_log(at, actor, action, subject, detail)
     VALUES (date_trunc('milliseconds', clock_timestamp()), $1, $2, $3, $4)";

/// The ingest order of a chunk is kept: rows are inserted in array order (`ORDER BY u.ord`), so
/// of two equal versions in one chunk the first is the one stored, as when inserting one by one.
const INSERT_OBJECTS: &str =
    "INSERT INTO stix_objects(id, modified, version, type, tlp, run_id, json)
     SELECT u.id, u.modified, u.version, u.type, u.tlp, $6::bigint, u.json
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $7::text[])
          WITH ORDINALITY AS u(id, modified, version, type, tlp, json, ord)
     ORDER BY u.ord
     ON CONFLICT (id, version) DO NOTHING
     RETURNING seq, id, version";

/// The digests of stored versions, by position in the arrays (from 1).
const OBJECT_DIGESTS: &str = "SELECT u.ord, sha256(convert_to(o.json, 'UTF8'))
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(id, version, ord)
     JOIN stix_objects o ON o.id = u.id AND o.version = u.version";

const INSERT_REPORTS: &str = "INSERT INTO reports(key, digest, format, contributor_id, tlp, occurred, title, run_id, json)
     SELECT u.key, u.digest, u.format, u.contributor_id, u.tlp, u.occurred, u.title, $8::bigint, u.json
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::smallint[], $6::text[],
                 $7::text[], $9::text[])
          WITH ORDINALITY AS u(key, digest, format, contributor_id, tlp, occurred, title, json, ord)
     ORDER BY u.ord
     ON CONFLICT (key, digest) DO NOTHING
     RETURNING 1";

/// The first registration of a contributor fixes its type and reliability; changing them is an
/// administrator's decision, not a side effect of an ingest.
const REGISTER_CONTRIBUTOR: &str =
    "INSERT INTO contributors(name, type, reliability) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING";

const FIND_CONTRIBUTOR: &str = "SELECT id FROM contributors WHERE name = $1";

const PENDING: &str = "INSERT INTO search_pending(first_seq, last_seq) VALUES ($1, $2)";

/// Writes one audit entry with a connection or transaction.
pub(super) fn insert_audit(
    client: &mut impl GenericClient,
    st: &Statement,
    entry: &AuditEntry,
) -> Result<()> {
    client
        .execute(
            st,
            &[
                &entry.actor,
                &entry.action,
                &entry.subject,
                &entry.detail.to_string(),
            ],
        )
        .map_err(db("writing the audit log"))?;
    Ok(())
}

/// The statements a batch uses, prepared (once per connection) before its transaction starts.
pub(super) struct BatchStatements {
    insert_objects: Statement,
    object_digests: Statement,
    insert_reports: Statement,
    register_contributor: Statement,
    find_contributor: Statement,
    pending: Statement,
    pub(super) audit: Statement,
}

impl BatchStatements {
    pub(super) fn prepare(conn: &mut Conn) -> Result<Self> {
        Ok(BatchStatements {
            insert_objects: conn.prepare(INSERT_OBJECTS)?,
            object_digests: conn.prepare(OBJECT_DIGESTS)?,
            insert_reports: conn.prepare(INSERT_REPORTS)?,
            register_contributor: conn.prepare(REGISTER_CONTRIBUTOR)?,
            find_contributor: conn.prepare(FIND_CONTRIBUTOR)?,
            pending: conn.prepare(PENDING)?,
            audit: conn.prepare(INSERT_AUDIT)?,
        })
    }
}

/// A report row, ready to send.
struct ReportRow {
    key: String,
    digest: String,
    format: String,
    contributor_id: i64,
    tlp: i16,
    occurred: Option<String>,
    title: String,
    json: String,
}

/// PostgreSQL text cannot hold NUL; a title is a display copy (the JSON keeps the original).
fn displayable(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

/// Widens `range` to cover `seq`.
fn cover(range: &mut Option<(i64, i64)>, seq: i64) {
    *range = Some(match *range {
        Some((first, last)) => (first.min(seq), last.max(seq)),
        None => (seq, seq),
    });
}

/// One batch being written within a transaction.
pub(super) struct Batch<'s> {
    st: &'s BatchStatements,
    run: RunId,
    on_conflict: OnConflict,
    objects: Vec<(ObjectVersion, String)>,
    object_bytes: usize,
    reports: Vec<ReportRow>,
    report_bytes: usize,
    contributor_ids: HashMap<String, i64>,
    /// The seqs this batch stored, for the search index.
    seqs: Option<(i64, i64)>,
    outcome: WriteOutcome,
}

impl<'s> Batch<'s> {
    pub(super) fn new(st: &'s BatchStatements, run: RunId, on_conflict: OnConflict) -> Self {
        Batch {
            st,
            run,
            on_conflict,
            objects: Vec::new(),
            object_bytes: 0,
            reports: Vec::new(),
            report_bytes: 0,
            contributor_ids: HashMap::new(),
            seqs: None,
            outcome: WriteOutcome::default(),
        }
    }

    pub(super) fn object(&mut self, tx: &mut Transaction<'_>, v: ObjectVersion) -> Result<()> {
        let key = crate::version_key(&v).into_owned();
        self.object_bytes += v.json.len();
        self.objects.push((v, key));
        if self.objects.len() >= CHUNK_ROWS || self.object_bytes >= CHUNK_BYTES {
            self.flush_objects(tx)?;
        }
        Ok(())
    }

    pub(super) fn report(&mut self, tx: &mut Transaction<'_>, report: &Report) -> Result<()> {
        let contributor_id = self.contributor_id(tx, &report.contributor)?;
        let json = serde_json::to_string(report).expect("reports serialise");
        self.report_bytes += json.len();
        self.reports.push(ReportRow {
            key: report.key(),
            digest: sha256_hex(json.as_bytes()),
            format: report.provenance.format.clone(),
            contributor_id,
            tlp: tlp_rank(report.tlp),
            occurred: report.occurred.map(|o| o.start.to_string()),
            title: displayable(&report.title),
            json,
        });
        if self.reports.len() >= CHUNK_ROWS || self.report_bytes >= CHUNK_BYTES {
            self.flush_reports(tx)?;
        }
        Ok(())
    }

    /// Writes the objects buffered so far, so that a query inside the transaction sees them.
    pub(super) fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        self.flush_objects(tx)
    }

    /// Writes what is left and records the new seqs for the search index.
    pub(super) fn finish(mut self, tx: &mut Transaction<'_>) -> Result<WriteOutcome> {
        self.flush_objects(tx)?;
        self.flush_reports(tx)?;
        if let Some((first, last)) = self.seqs {
            tx.execute(&self.st.pending, &[&first, &last])
                .map_err(db("queueing new objects for the search index"))?;
        }
        Ok(self.outcome)
    }

    fn contributor_id(&mut self, tx: &mut Transaction<'_>, c: &Contributor) -> Result<i64> {
        if let Some(id) = self.contributor_ids.get(&c.name) {
            return Ok(*id);
        }
        tx.execute(
            &self.st.register_contributor,
            &[&c.name, &c.type_.as_str(), &format!("{:?}", c.reliability)],
        )
        .map_err(db("registering a contributor"))?;
        // A separate statement: under READ COMMITTED it sees a registration that a concurrent
        // writer committed while the insert above waited for it.
        let id: i64 = tx
            .query_one(&self.st.find_contributor, &[&c.name])
            .map_err(db("looking up a contributor"))?
            .get(0);
        self.contributor_ids.insert(c.name.clone(), id);
        Ok(id)
    }

    fn flush_objects(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        if self.objects.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.objects);
        self.object_bytes = 0;
        let column = |f: fn(&(ObjectVersion, String)) -> &str| -> Vec<&str> {
            chunk.iter().map(f).collect()
        };
        let ids = column(|(v, _)| &v.id);
        let versions = column(|(_, key)| key);
        let tlps: Vec<i16> = chunk.iter().map(|(v, _)| tlp_rank(v.tlp)).collect();
        let rows = tx
            .query(
                &self.st.insert_objects,
                &[
                    &ids,
                    &column(|(v, _)| &v.modified),
                    &versions,
                    &column(|(v, _)| &v.type_),
                    &tlps,
                    &self.run,
                    &column(|(v, _)| &v.json),
                ],
            )
            .map_err(db(format!(
                "storing {} object versions from {}",
                chunk.len(),
                chunk[0].0.id
            )))?;
        for row in &rows {
            cover(&mut self.seqs, row.get(0));
        }
        if rows.len() == chunk.len() {
            self.outcome.new += rows.len() as u64;
            return Ok(());
        }
        // Some were stored before (or twice in this chunk): compare them with what is stored.
        let inserted: HashSet<(&str, &str)> = rows.iter().map(|r| (r.get(1), r.get(2))).collect();
        let mut counted = HashSet::new();
        let mut check = Vec::new();
        for (i, (v, key)) in chunk.iter().enumerate() {
            let k = (v.id.as_str(), key.as_str());
            if inserted.contains(&k) && counted.insert(k) {
                self.outcome.new += 1;
            } else {
                check.push(i);
            }
        }
        let check_ids: Vec<&str> = check.iter().map(|&i| ids[i]).collect();
        let check_versions: Vec<&str> = check.iter().map(|&i| versions[i]).collect();
        let stored: HashMap<i64, Vec<u8>> = tx
            .query(&self.st.object_digests, &[&check_ids, &check_versions])
            .map_err(db("reading stored versions"))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (n, i) in check.into_iter().enumerate() {
            let (v, _) = &chunk[i];
            let digest = stored.get(&(n as i64 + 1)).ok_or_else(|| {
                failure(
                    format!("reading the stored {}", v.id),
                    "it was neither inserted nor found",
                )
            })?;
            if digest.as_slice() == Sha256::digest(v.json.as_bytes()).as_slice() {
                self.outcome.unchanged += 1;
                continue;
            }
            let conflict = Conflict {
                tag: v.tag,
                id: v.id.clone(),
                modified: v.modified.clone(),
            };
            match self.on_conflict {
                OnConflict::Reject => return Err(StoreError::Conflict(conflict)),
                OnConflict::Skip => self.outcome.conflicts.push(conflict),
            }
        }
        Ok(())
    }

    fn flush_reports(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        if self.reports.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.reports);
        self.report_bytes = 0;
        let column = |f: fn(&ReportRow) -> &str| -> Vec<&str> { chunk.iter().map(f).collect() };
        let contributor_ids: Vec<i64> = chunk.iter().map(|r| r.contributor_id).collect();
        let tlps: Vec<i16> = chunk.iter().map(|r| r.tlp).collect();
        let occurred: Vec<Option<&str>> = chunk.iter().map(|r| r.occurred.as_deref()).collect();
        let inserted = tx
            .query(
                &self.st.insert_reports,
                &[
                    &column(|r| &r.key),
                    &column(|r| &r.digest),
                    &column(|r| &r.format),
                    &contributor_ids,
                    &tlps,
                    &occurred,
                    &column(|r| &r.title),
                    &self.run,
                    &column(|r| &r.json),
                ],
            )
            .map_err(db(format!(
                "storing {} reports from {}",
                chunk.len(),
                chunk[0].key
            )))?
            .len() as u64;
        self.outcome.reports_new += inserted;
        self.outcome.reports_unchanged += chunk.len() as u64 - inserted;
        Ok(())
    }
}

/// A copy of another store being written, in one transaction.
pub(super) struct PgImport<'c> {
    tx: Transaction<'c>,
    st: ImportStatements,
    objects: Vec<StoredObject>,
    object_bytes: usize,
    seqs: Option<(i64, i64)>,
    contributor_ids: HashMap<String, i64>,
}

struct ImportStatements {
    run: Statement,
    contributor: Statement,
    objects: Statement,
    report: Statement,
    audit: Statement,
    job: Statement,
    pending: Statement,
}

impl<'c> PgImport<'c> {
    pub(super) fn begin(conn: &'c mut Conn, shown: String) -> Result<Self> {
        let st = ImportStatements {
            run: conn.prepare(
                "INSERT INTO ingest_runs(id, started, finished, actor, contributor, contributor_type,
                                         declared_tlp, summary, recipients)
                 VALUES ($1, $2::text::timestamptz, $3::text::timestamptz, $4, $5, $6, $7, $8, $9)",
            )?,
            contributor: conn.prepare(
                "INSERT INTO contributors(name, type, reliability) VALUES ($1, $2, $3) RETURNING id",
            )?,
            objects: conn.prepare(
                "WITH ins AS (
                     INSERT INTO stix_objects(id, modified, version, type, tlp, run_id, json)
                     SELECT u.id, u.modified, u.version, u.type, u.tlp, u.run_id, u.json
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[],
                                 $6::bigint[], $7::text[])
                          WITH ORDINALITY AS u(id, modified, version, type, tlp, run_id, json, ord)
                     ORDER BY u.ord
                     RETURNING seq)
                 SELECT MIN(seq), MAX(seq) FROM ins",
            )?,
            report: conn.prepare(
                "INSERT INTO reports(key, digest, format, contributor_id, tlp, occurred, title, run_id, json)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?,
            audit: conn.prepare(
                "INSERT INTO audit_log(at, actor, action, subject, detail)
                 VALUES ($1::text::timestamptz, $2, $3, $4, $5)",
            )?,
            job: conn.prepare(
                "INSERT INTO jobs(id, kind, payload, state, enqueued, worker, claimed, finished, result)
                 VALUES ($1, $2, $3, $4, $5::text::timestamptz, $6, $7::text::timestamptz,
                         $8::text::timestamptz, $9)",
            )?,
            pending: conn.prepare(PENDING)?,
        };
        let mut tx = conn
            .client
            .transaction()
            .map_err(db("starting the import"))?;
        let occupied: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM ingest_runs) OR EXISTS (SELECT 1 FROM stix_objects)
                     OR EXISTS (SELECT 1 FROM reports) OR EXISTS (SELECT 1 FROM contributors)
                     OR EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM jobs)
                     OR EXISTS (SELECT 1 FROM streams) OR EXISTS (SELECT 1 FROM users)",
                &[],
            )
            .map_err(db("checking that the target is empty"))?
            .get(0);
        if occupied {
            return Err(StoreError::Incompatible {
                path: shown,
                problem: "is not empty; a copy goes into an empty store".into(),
            });
        }
        Ok(PgImport {
            tx,
            st,
            objects: Vec::new(),
            object_bytes: 0,
            seqs: None,
            contributor_ids: HashMap::new(),
        })
    }

    fn flush_objects(&mut self) -> Result<()> {
        if self.objects.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.objects);
        self.object_bytes = 0;
        let column = |f: fn(&StoredObject) -> &str| -> Vec<&str> { chunk.iter().map(f).collect() };
        let tlps: Vec<i16> = chunk.iter().map(|o| tlp_rank(o.tlp)).collect();
        let runs: Vec<i64> = chunk.iter().map(|o| o.run).collect();
        let row = self
            .tx
            .query_one(
                &self.st.objects,
                &[
                    &column(|o| &o.id),
                    &column(|o| &o.modified),
                    &column(|o| &o.version),
                    &column(|o| &o.type_),
                    &tlps,
                    &runs,
                    &column(|o| &o.json),
                ],
            )
            .map_err(db(format!(
                "copying {} object versions from {}",
                chunk.len(),
                chunk[0].id
            )))?;
        cover(&mut self.seqs, row.get(0));
        cover(&mut self.seqs, row.get(1));
        Ok(())
    }
}

impl Import for PgImport<'_> {
    fn run(&mut self, run: &RunRecord) -> Result<()> {
        self.tx
            .execute(
                &self.st.run,
                &[
                    &run.id,
                    &run.started,
                    &run.finished,
                    &run.actor,
                    &run.contributor,
                    &run.contributor_type,
                    &run.declared_tlp,
                    &run.summary,
                    &run.recipients,
                ],
            )
            .map_err(db(format!("copying ingest run {}", run.id)))?;
        Ok(())
    }

    fn contributor(&mut self, c: &Contributor) -> Result<()> {
        let id: i64 = self
            .tx
            .query_one(
                &self.st.contributor,
                &[&c.name, &c.type_.as_str(), &format!("{:?}", c.reliability)],
            )
            .map_err(db(format!("copying contributor {}", c.name)))?
            .get(0);
        self.contributor_ids.insert(c.name.clone(), id);
        Ok(())
    }

    fn object(&mut self, object: &StoredObject) -> Result<()> {
        self.object_bytes += object.json.len();
        self.objects.push(object.clone());
        if self.objects.len() >= CHUNK_ROWS || self.object_bytes >= CHUNK_BYTES {
            self.flush_objects()?;
        }
        Ok(())
    }

    fn report(&mut self, r: &StoredReport) -> Result<()> {
        let contributor = *self.contributor_ids.get(&r.contributor).ok_or_else(|| {
            failure(
                format!("copying report {}", r.key),
                format!("its contributor {:?} was not copied first", r.contributor),
            )
        })?;
        self.tx
            .execute(
                &self.st.report,
                &[
                    &r.key,
                    &r.digest,
                    &r.format,
                    &contributor,
                    &tlp_rank(r.tlp),
                    &r.occurred,
                    &displayable(&r.title),
                    &r.run,
                    &r.json,
                ],
            )
            .map_err(db(format!("copying report {}", r.key)))?;
        Ok(())
    }

    fn audit(&mut self, a: &AuditRecord) -> Result<()> {
        self.tx
            .execute(
                &self.st.audit,
                &[&a.at, &a.actor, &a.action, &a.subject, &a.detail],
            )
            .map_err(db("copying the audit log"))?;
        Ok(())
    }

    fn job(&mut self, j: &JobRecord) -> Result<()> {
        self.tx
            .execute(
                &self.st.job,
                &[
                    &j.id,
                    &j.kind,
                    &j.payload.to_string(),
                    &j.state.as_str(),
                    &j.enqueued,
                    &j.worker,
                    &j.claimed,
                    &j.finished,
                    &j.result.as_ref().map(|r| r.to_string()),
                ],
            )
            .map_err(db(format!("copying job {}", j.id)))?;
        Ok(())
    }

    fn stream_entry(&mut self, e: &StreamEntry) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO streams(stream, seq, recorded_at, actor, body)
                 VALUES ($1, $2, $3::text::timestamptz, $4, $5)",
                &[
                    &e.stream,
                    &e.seq,
                    &e.recorded_at,
                    &e.actor,
                    &e.body.to_string(),
                ],
            )
            .map_err(db(format!(
                "copying entry {} of stream {}",
                e.seq, e.stream
            )))?;
        Ok(())
    }

    fn account(&mut self, a: &AccountRecord) -> Result<()> {
        let what = format!("copying user {}", a.name);
        self.tx
            .execute(
                "INSERT INTO users(id, name, organisation, role, clearance, password_hash, created)
                 VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz)",
                &[
                    &a.id,
                    &a.name,
                    &a.organisation,
                    &a.role,
                    &tlp_rank(a.clearance),
                    &a.password_hash,
                    &a.created,
                ],
            )
            .map_err(db(&what))?;
        for t in &a.tokens {
            self.tx
                .execute(
                    "INSERT INTO api_tokens(user_id, sha256, label, created)
                     VALUES ($1, $2, $3, $4::text::timestamptz)",
                    &[&a.id, &t.sha256, &t.label, &t.created],
                )
                .map_err(db(&what))?;
        }
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        self.flush_objects()?;
        if let Some((first, last)) = self.seqs {
            self.tx
                .execute(&self.st.pending, &[&first, &last])
                .map_err(db("queueing the copy for the search index"))?;
        }
        // Runs, jobs and users kept their ids: new ones must come after them.
        self.tx
            .batch_execute(
                "SELECT setval(pg_get_serial_sequence('ingest_runs', 'id'), COALESCE(MAX(id), 0) + 1, false)
                 FROM ingest_runs;
                 SELECT setval(pg_get_serial_sequence('jobs', 'id'), COALESCE(MAX(id), 0) + 1, false)
                 FROM jobs;
                 SELECT setval(pg_get_serial_sequence('users', 'id'), COALESCE(MAX(id), 0) + 1, false)
                 FROM users;",
            )
            .map_err(db("moving the id sequences past the copy"))?;
        self.tx.commit().map_err(db("committing the import"))
    }
}
