//! The shared store: PostgreSQL, for several server processes on one database.
//!
//! It behaves exactly like [`crate::SqliteStore`] (the same test suite runs on both) with the same
//! tables, and differs where PostgreSQL allows better or needs otherwise (see `schema.rs`).
//!
//! Why the blocking `postgres` client: the [`Store`] trait is synchronous, the ingest pipeline calls
//! it from a plain thread, and the future async server will call it from blocking tasks. The
//! `postgres` crate is `tokio-postgres` driven by a small runtime of its own per connection, which
//! is what an internal runtime would be, without a second copy to maintain. (sqlx is ruled out: it
//! links its own SQLite, which cannot coexist with rusqlite's bundled one.)
//!
//! Speed: each batch is one transaction; object versions go in chunks of up to a thousand rows
//! through one prepared `INSERT ... SELECT FROM unnest($arrays) ON CONFLICT DO NOTHING RETURNING`,
//! one round trip per chunk; only the versions that were not inserted (repeats or conflicts) are
//! looked up again, by digest. Full-text indexing is left to the first search, as on SQLite.
//!
//! Concurrency: writers of the same versions wait for each other on the unique index and then see
//! the committed row (READ COMMITTED), so nothing is stored twice and conflicts are still found;
//! jobs are claimed with `FOR UPDATE SKIP LOCKED`.
//!
//! Connections use no TLS (`sslmode=prefer` falls back to plain, `require` fails).

mod access;
mod schema;
mod streams;
mod write;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use ::postgres::types::ToSql;
use ::postgres::{Client, NoTls, Row, Statement};
use threatscape_model::{Contributor, Report, Tlp};

use crate::{
    Abort, AuditEntry, AuditRecord, BatchItem, Import, Job, JobId, JobRecord, JobState, NewRun,
    ObjectFilter, OnConflict, Result, RunId, RunRecord, SearchHit, Store, StoreError, StoredObject,
    StoredReport, WriteOutcome,
};

/// Rows read per query by the `for_each_*` methods: bounded memory, and the connection is free
/// again while the caller's function runs.
const PAGE: i64 = 1000;

/// The PostgreSQL implementation of [`Store`].
pub struct PgStore {
    conn: RefCell<Conn>,
    /// The URL without its password, for messages.
    shown: String,
    /// The schema the store lives in, when it was given one.
    schema: Option<String>,
    /// Drop the schema with the store (scratch stores for tests).
    scratch: bool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.shown)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    /// Prepares `sql` once per connection.
    fn prepare(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self
            .client
            .prepare(sql)
            .map_err(db(format!("preparing `{}`", first_line(sql))))?;
        self.statements.insert(sql, st.clone());
        Ok(st)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        what: &str,
    ) -> Result<Vec<Row>> {
        let st = self.prepare(sql)?;
        self.client.query(&st, params).map_err(db(what))
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        what: &str,
    ) -> Result<u64> {
        let st = self.prepare(sql)?;
        self.client.execute(&st, params).map_err(db(what))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}

/// Wraps a database error with what the store was doing.
fn db<E: std::error::Error + Send + Sync + 'static>(
    context: impl Into<String>,
) -> impl FnOnce(E) -> StoreError {
    let context = context.into();
    move |e| {
        // PostgreSQL text cannot hold NUL (SQLite's can): a value with one is the caller's
        // input, never a stored value, so it is refused as such rather than as a failure.
        let code = (&e as &(dyn std::error::Error + 'static))
            .downcast_ref::<::postgres::Error>()
            .and_then(::postgres::Error::code);
        if code == Some(&::postgres::error::SqlState::CHARACTER_NOT_IN_REPERTOIRE) {
            return StoreError::Invalid(format!(
                "{context}: a value holds a character the database cannot store (NUL); nothing stored holds it"
            ));
        }
        StoreError::Database {
            context,
            source: Box::new(e),
        }
    }
}

/// A store-level failure that is not the database's own error.
fn failure(context: impl Into<String>, why: impl Into<String>) -> StoreError {
    StoreError::Database {
        context: context.into(),
        source: why.into().into(),
    }
}

/// Quotes an SQL identifier (a schema name).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// TLP levels are stored as their rank so that "at or below" is a comparison.
fn tlp_rank(tlp: Tlp) -> i16 {
    Tlp::ALL
        .iter()
        .position(|t| *t == tlp)
        .expect("every level is in ALL") as i16
}

fn tlp_from_rank(rank: i16) -> Tlp {
    Tlp::ALL[rank.clamp(0, 4) as usize]
}

/// The URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &rest[..colon],
                &rest[at..]
            ),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// A schema name nobody else uses, for a scratch store.
fn scratch_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("ts_test_{:016x}", h.finish())
}

/// Of `ids`, those stored (in a version `visible_to` may read, when given): one query with the ids
/// as one array, on the connection or inside a write transaction alike.
fn known_ids(
    client: &mut impl ::postgres::GenericClient,
    ids: &[String],
    visible_to: Option<&crate::Reader>,
) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let max: Option<i16> = visible_to.map(|r| tlp_rank(r.clearance));
    let org = visible_to.and_then(|r| r.organisation.clone());
    let rows = client
        .query(
            &format!(
                "SELECT DISTINCT o.id FROM stix_objects o JOIN ingest_runs r ON r.id = o.run_id
                 WHERE o.id = ANY($1) AND ($2::smallint IS NULL OR {})",
                access::visible_sql("o", "r", "$2::smallint", "$3::text")
            ),
            &[&ids, &max, &org],
        )
        .map_err(db("looking up referenced ids"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

fn aborted(Abort(why): Abort) -> StoreError {
    StoreError::Aborted(why)
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database[?...]`),
    /// working in the schemas of its default search path, and brings the schema up to date.
    pub fn connect(url: &str) -> Result<Self> {
        Self::open(url, None, false)
    }

    /// Connects and works in `schema`, created if missing: several stores in one database.
    pub fn connect_in_schema(url: &str, schema: &str) -> Result<Self> {
        Self::open(url, Some(schema), false)
    }

    /// Connects and works in a new schema of its own (`ts_test_<random>`), dropped with the store:
    /// an isolated store for tests. Other connections can join it with [`PgStore::connect_in_schema`]
    /// and [`PgStore::schema`] while it lives.
    pub fn connect_scratch(url: &str) -> Result<Self> {
        Self::open(url, Some(&scratch_name()), true)
    }

    /// The schema the store works in, when it was given one.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    fn open(url: &str, schema: Option<&str>, scratch: bool) -> Result<Self> {
        let shown = redact(url);
        let mut config: ::postgres::Config = url
            .parse()
            .map_err(db(format!("reading the database URL {shown}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("threatscape");
        }
        let mut client = config
            .connect(NoTls)
            .map_err(db(format!("connecting to {shown}")))?;
        let encoding: String = client
            .query_one("SHOW server_encoding", &[])
            .map_err(db("reading the server encoding"))?
            .get(0);
        if encoding != "UTF8" {
            return Err(StoreError::Incompatible {
                path: shown,
                problem: format!(
                    "uses the encoding {encoding}; threatscape needs a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')"
                ),
            });
        }
        if let Some(schema) = schema {
            client
                .batch_execute(&format!("SET search_path TO {}", quote_ident(schema)))
                .map_err(db(format!("selecting the schema {schema}")))?;
        }
        schema::migrate(&mut client, &shown, schema)?;
        Ok(PgStore {
            conn: RefCell::new(Conn {
                client,
                statements: HashMap::new(),
            }),
            shown,
            schema: schema.map(str::to_string),
            scratch,
        })
    }

    /// Brings the full-text index up to every committed object version.
    fn refresh_search_index(&mut self) -> Result<()> {
        let conn = self.conn.get_mut();
        let pending = conn.query(
            "SELECT EXISTS (SELECT 1 FROM search_pending)",
            &[],
            "checking the search index",
        )?;
        if !pending[0].get::<_, bool>(0) {
            return Ok(());
        }
        let take = conn.prepare("DELETE FROM search_pending RETURNING first_seq, last_seq")?;
        let index = conn.prepare(
            r"INSERT INTO object_text(seq, doc)
              SELECT o.seq, to_tsvector('threatscape_text',
                         coalesce(x.j ->> 'name', '') || ' ' || coalesce(x.j ->> 'description', ''))
              FROM stix_objects o
              -- jsonb refuses the escape \u0000 (text cannot hold NUL); U+FFFD keeps the JSON valid.
              CROSS JOIN LATERAL (SELECT replace(o.json, E'\\u0000', E'\\ufffd')::jsonb AS j OFFSET 0) x
              WHERE o.seq BETWEEN $1 AND $2
              ON CONFLICT (seq) DO NOTHING",
        )?;
        let mut tx = conn
            .client
            .transaction()
            .map_err(db("indexing for search"))?;
        // One indexer at a time per schema; a second waits and then finds the work done.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('threatscape-search:' || current_schema()))",
            &[],
        )
        .map_err(db("waiting for another search indexer"))?;
        let mut ranges: Vec<(i64, i64)> = tx
            .query(&take, &[])
            .map_err(db("reading what to index"))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::new();
        for (first, last) in ranges {
            match merged.last_mut() {
                Some((_, end)) if first <= *end + 1 => *end = (*end).max(last),
                _ => merged.push((first, last)),
            }
        }
        for (first, last) in merged {
            tx.execute(&index, &[&first, &last])
                .map_err(db("indexing for search"))?;
        }
        tx.commit().map_err(db("indexing for search"))
    }

    /// Reads `sql` page by page (it takes the last key seen as its last parameter and returns the
    /// key first), calling `f` with each row while the connection is free.
    fn pages(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        what: &str,
        f: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        let mut after = i64::MIN;
        loop {
            let rows = {
                let mut all: Vec<&(dyn ToSql + Sync)> = params.to_vec();
                all.push(&after);
                all.push(&PAGE);
                self.conn.borrow_mut().query(sql, &all, what)?
            };
            for row in &rows {
                f(row)?;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE => after = last.get(0),
                _ => return Ok(()),
            }
        }
    }

    fn incompatible(&self, problem: String) -> StoreError {
        StoreError::Incompatible {
            path: self.shown.clone(),
            problem,
        }
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if self.scratch {
            if let Some(schema) = &self.schema {
                let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(schema));
                // Best effort: a scratch schema left behind is harmless and visibly named.
                let _ = self.conn.get_mut().client.batch_execute(&sql);
            }
        }
    }
}

fn job_record(row: &Row) -> Result<JobRecord> {
    let state: String = row.get(3);
    let json =
        |text: String| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    Ok(JobRecord {
        id: row.get(0),
        kind: row.get(1),
        payload: json(row.get(2)),
        state: JobState::parse(&state)
            .ok_or_else(|| failure("reading a job", format!("unknown job state {state:?}")))?,
        enqueued: row.get(4),
        worker: row.get(5),
        claimed: row.get(6),
        finished: row.get(7),
        result: row.get::<_, Option<String>>(8).map(json),
    })
}

impl Store for PgStore {
    fn begin_run(&mut self, run: &NewRun) -> Result<RunId> {
        let rows = self.conn.get_mut().query(
            "INSERT INTO ingest_runs(started, actor, contributor, contributor_type, declared_tlp,
                                     recipients)
             VALUES (date_trunc('milliseconds', clock_timestamp()), $1, $2, $3, $4, $5)
             RETURNING id",
            &[
                &run.actor,
                &run.contributor,
                &run.contributor_type.map(|t| t.as_str()),
                &run.declared_tlp.map(|t| t.as_str()),
                &crate::access::recipients_json(&run.recipients),
            ],
            "starting an ingest run",
        )?;
        Ok(rows[0].get(0))
    }

    fn write_batch(
        &mut self,
        run: RunId,
        audit: &AuditEntry,
        on_conflict: OnConflict,
        items: &mut dyn Iterator<Item = std::result::Result<BatchItem, Abort>>,
    ) -> Result<WriteOutcome> {
        let conn = self.conn.get_mut();
        let statements = write::BatchStatements::prepare(conn)?;
        let mut tx = conn
            .client
            .transaction()
            .map_err(db("starting a transaction"))?;
        let mut batch = write::Batch::new(&statements, run, on_conflict);
        for item in items {
            // On an abort or an error, `tx` is dropped unfinished, which rolls everything back.
            match item.map_err(aborted)? {
                BatchItem::Object(v) => batch.object(&mut tx, v)?,
                BatchItem::Report(r) => batch.report(&mut tx, &r.report)?,
                BatchItem::Lookup(l) => {
                    batch.flush(&mut tx)?;
                    let found = known_ids(&mut tx, &l.ids, l.visible_to.as_ref())?;
                    // The asker may have given up (its own error); that is its business.
                    let _ = l.reply.send(found);
                }
            }
        }
        let outcome = batch.finish(&mut tx)?;
        let mut entry = audit.clone();
        if let serde_json::Value::Object(detail) = &mut entry.detail {
            detail.insert("run".into(), run.into());
            detail.insert("new".into(), outcome.new.into());
            detail.insert("unchanged".into(), outcome.unchanged.into());
            detail.insert("conflicts".into(), outcome.conflicts.len().into());
            detail.insert("reports_new".into(), outcome.reports_new.into());
            detail.insert("reports_unchanged".into(), outcome.reports_unchanged.into());
        }
        write::insert_audit(&mut tx, &statements.audit, &entry)?;
        tx.commit().map_err(db("committing"))?;
        Ok(outcome)
    }

    fn finish_run(&mut self, run: RunId, summary: &serde_json::Value) -> Result<()> {
        self.conn.get_mut().execute(
            "UPDATE ingest_runs SET finished = date_trunc('milliseconds', clock_timestamp()), summary = $2
             WHERE id = $1",
            &[&run, &summary.to_string()],
            "finishing an ingest run",
        )?;
        Ok(())
    }

    fn counts_by_type(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT type, COUNT(*) FROM stix_objects WHERE tlp <= $1 GROUP BY type",
            &[&tlp_rank(max_tlp)],
            "counting objects",
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn counts_by_tlp(&self) -> Result<BTreeMap<Tlp, u64>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT tlp, COUNT(*) FROM stix_objects GROUP BY tlp",
            &[],
            "counting objects by TLP",
        )?;
        Ok(rows
            .iter()
            .map(|r| (tlp_from_rank(r.get(0)), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn for_each_object(
        &self,
        filter: &ObjectFilter,
        f: &mut dyn FnMut(&str) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT seq, json FROM stix_objects
             WHERE tlp <= $1 AND (cardinality($2::text[]) = 0 OR type = ANY($2::text[])) AND seq > $3
             ORDER BY seq LIMIT $4",
            &[&tlp_rank(filter.max_tlp), &filter.types],
            "reading objects",
            &mut |row| f(row.get(1)).map_err(aborted),
        )
    }

    fn for_each_owned_report(&self, max_tlp: Tlp, f: &mut crate::OwnedReportFn<'_>) -> Result<()> {
        self.pages(
            "SELECT r.seq, r.json, i.contributor, i.recipients FROM reports r
             JOIN ingest_runs i ON i.id = r.run_id
             WHERE r.tlp <= $1 AND r.seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)
               AND r.seq > $2
             ORDER BY r.seq LIMIT $3",
            &[&tlp_rank(max_tlp)],
            "reading reports",
            &mut |row| {
                let report: Report = serde_json::from_str(row.get(1)).map_err(|e| {
                    self.incompatible(format!("holds a report this version cannot read: {e}"))
                })?;
                let audience = crate::access::audience_of(row.get(2), row.get(3));
                f(&report, &audience).map_err(aborted)
            },
        )
    }

    fn counts_reports_by_format(&self, max_tlp: Tlp) -> Result<BTreeMap<String, u64>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT format, COUNT(*) FROM reports r
             WHERE tlp <= $1 AND seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)
             GROUP BY format",
            &[&tlp_rank(max_tlp)],
            "counting reports",
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn contributors(&self) -> Result<Vec<Contributor>> {
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        let rows = self.conn.borrow_mut().query(
            r#"SELECT name, type, reliability FROM contributors ORDER BY name COLLATE "C""#,
            &[],
            "reading contributors",
        )?;
        rows.iter()
            .map(|r| {
                let incompatible = |what: &str| {
                    self.incompatible(format!("holds a contributor with an unknown {what}"))
                };
                Ok(Contributor {
                    name: r.get(0),
                    type_: r
                        .get::<_, &str>(1)
                        .parse()
                        .map_err(|_| incompatible("type"))?,
                    reliability: serde_json::from_value(serde_json::Value::String(r.get(2)))
                        .map_err(|_| incompatible("reliability"))?,
                })
            })
            .collect()
    }

    fn contains_id(&self, id: &str) -> Result<bool> {
        let rows = self.conn.borrow_mut().query(
            "SELECT EXISTS (SELECT 1 FROM stix_objects WHERE id = $1)",
            &[&id],
            &format!("looking up {id}"),
        )?;
        Ok(rows[0].get(0))
    }

    fn known_ids(&self, ids: &[String], visible_to: Option<&crate::Reader>) -> Result<Vec<String>> {
        known_ids(&mut self.conn.borrow_mut().client, ids, visible_to)
    }

    fn search(&mut self, query: &str, max_tlp: Tlp, limit: usize) -> Result<Vec<SearchHit>> {
        self.refresh_search_index()?;
        // plainto_tsquery: every word required, punctuation and operators taken as text, as the
        // SQLite store quotes each word for FTS5.
        let rows = self.conn.get_mut().query(
            r"SELECT o.id, o.type, o.modified,
                     (SELECT CASE WHEN jsonb_typeof(j -> 'name') = 'string' THEN j ->> 'name' END
                      FROM (SELECT replace(o.json, E'\\u0000', E'\\ufffd')::jsonb AS j) x)
              FROM object_text t
              JOIN stix_objects o ON o.seq = t.seq
              CROSS JOIN plainto_tsquery('threatscape_text', $1) q
              WHERE t.doc @@ q AND o.tlp <= $2
              ORDER BY ts_rank(t.doc, q) DESC, o.seq
              LIMIT $3",
            &[
                &query,
                &tlp_rank(max_tlp),
                &(limit.min(i64::MAX as usize) as i64),
            ],
            "searching",
        )?;
        Ok(rows
            .iter()
            .map(|r| SearchHit {
                id: r.get(0),
                type_: r.get(1),
                modified: r.get(2),
                name: r.get(3),
            })
            .collect())
    }

    fn audit(&mut self, entry: &AuditEntry) -> Result<()> {
        let conn = self.conn.get_mut();
        let st = conn.prepare(write::INSERT_AUDIT)?;
        write::insert_audit(&mut conn.client, &st, entry)
    }

    fn count_recent_audit(
        &self,
        action: &str,
        subject: &str,
        within_ms: i64,
        reset_action: &str,
    ) -> Result<u64> {
        let rows = self.conn.borrow_mut().query(
            "SELECT COUNT(*) FROM audit_log
                 WHERE subject = $2 AND action = $1
                   AND at > clock_timestamp() - $3::bigint * interval '1 millisecond'
                   AND seq > COALESCE((SELECT MAX(seq) FROM audit_log
                                       WHERE subject = $2 AND action = $4), 0)",
            &[&action, &subject, &within_ms, &reset_action],
            "counting audit entries",
        )?;
        Ok(rows[0].get::<_, i64>(0) as u64)
    }

    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT $1",
            &[&(limit.min(i64::MAX as usize) as i64)],
            "reading the audit log",
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let detail: String = r.get(3);
                AuditEntry {
                    actor: r.get(0),
                    action: r.get(1),
                    subject: r.get(2),
                    detail: serde_json::from_str(&detail)
                        .unwrap_or(serde_json::Value::String(detail)),
                }
            })
            .collect())
    }

    fn enqueue_job(&mut self, kind: &str, payload: &serde_json::Value) -> Result<JobId> {
        let rows = self.conn.get_mut().query(
            "INSERT INTO jobs(kind, payload, enqueued)
             VALUES ($1, $2, date_trunc('milliseconds', clock_timestamp()))
             RETURNING id",
            &[&kind, &payload.to_string()],
            "queueing a job",
        )?;
        Ok(rows[0].get(0))
    }

    fn claim_job(&mut self, worker: &str) -> Result<Option<Job>> {
        // SKIP LOCKED: concurrent claimers each lock a different queued row instead of waiting
        // for (and then losing) the same one.
        let rows = self.conn.get_mut().query(
            "UPDATE jobs SET state = 'running', worker = $1,
                             claimed = date_trunc('milliseconds', clock_timestamp())
             WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id
                         LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING id, kind, payload",
            &[&worker],
            "claiming a job",
        )?;
        Ok(rows.first().map(|r| {
            let payload: String = r.get(2);
            Job {
                id: r.get(0),
                kind: r.get(1),
                payload: serde_json::from_str(&payload)
                    .unwrap_or(serde_json::Value::String(payload)),
            }
        }))
    }

    fn finish_job(&mut self, id: JobId, result: &serde_json::Value) -> Result<()> {
        let updated = self.conn.get_mut().execute(
            "UPDATE jobs SET state = 'done', result = $2,
                             finished = date_trunc('milliseconds', clock_timestamp())
             WHERE id = $1 AND state = 'running'",
            &[&id, &result.to_string()],
            "finishing a job",
        )?;
        if updated == 1 {
            Ok(())
        } else {
            Err(failure(
                format!("finishing job {id}"),
                "it is not running (never claimed, already finished, or no such job)",
            ))
        }
    }

    fn job(&self, id: JobId) -> Result<Option<JobRecord>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT id, kind, payload, state, utc_text(enqueued), worker, utc_text(claimed),
                    utc_text(finished), result
             FROM jobs WHERE id = $1",
            &[&id],
            "reading a job",
        )?;
        rows.first().map(job_record).transpose()
    }

    fn for_each_job(
        &self,
        f: &mut dyn FnMut(&JobRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT id, kind, payload, state, utc_text(enqueued), worker, utc_text(claimed),
                    utc_text(finished), result
             FROM jobs WHERE id > $1 ORDER BY id LIMIT $2",
            &[],
            "reading jobs",
            &mut |row| f(&job_record(row)?).map_err(aborted),
        )
    }

    fn for_each_run(
        &self,
        f: &mut dyn FnMut(&RunRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT id, utc_text(started), utc_text(finished), actor, contributor, contributor_type,
                    declared_tlp, summary, recipients
             FROM ingest_runs WHERE id > $1 ORDER BY id LIMIT $2",
            &[],
            "reading ingest runs",
            &mut |r| {
                f(&RunRecord {
                    id: r.get(0),
                    started: r.get(1),
                    finished: r.get(2),
                    actor: r.get(3),
                    contributor: r.get(4),
                    contributor_type: r.get(5),
                    declared_tlp: r.get(6),
                    summary: r.get(7),
                    recipients: r.get(8),
                })
                .map_err(aborted)
            },
        )
    }

    fn for_each_stored_object(
        &self,
        f: &mut dyn FnMut(&StoredObject) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT seq, id, modified, version, type, tlp, run_id, json
             FROM stix_objects WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[],
            "reading objects",
            &mut |r| {
                f(&StoredObject {
                    id: r.get(1),
                    modified: r.get(2),
                    version: r.get(3),
                    type_: r.get(4),
                    tlp: tlp_from_rank(r.get(5)),
                    run: r.get(6),
                    json: r.get(7),
                })
                .map_err(aborted)
            },
        )
    }

    fn for_each_stored_report(
        &self,
        f: &mut dyn FnMut(&StoredReport) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT r.seq, r.key, r.digest, r.format, c.name, r.tlp, r.occurred, r.title, r.run_id,
                    r.json
             FROM reports r JOIN contributors c ON c.id = r.contributor_id
             WHERE r.seq > $1 ORDER BY r.seq LIMIT $2",
            &[],
            "reading reports",
            &mut |r| {
                f(&StoredReport {
                    key: r.get(1),
                    digest: r.get(2),
                    format: r.get(3),
                    contributor: r.get(4),
                    tlp: tlp_from_rank(r.get(5)),
                    occurred: r.get(6),
                    title: r.get(7),
                    run: r.get(8),
                    json: r.get(9),
                })
                .map_err(aborted)
            },
        )
    }

    fn for_each_audit(
        &self,
        f: &mut dyn FnMut(&AuditRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.pages(
            "SELECT seq, utc_text(at), actor, action, subject, detail
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[],
            "reading the audit log",
            &mut |r| {
                f(&AuditRecord {
                    at: r.get(1),
                    actor: r.get(2),
                    action: r.get(3),
                    subject: r.get(4),
                    detail: r.get(5),
                })
                .map_err(aborted)
            },
        )
    }

    fn begin_import(&mut self) -> Result<Box<dyn Import + '_>> {
        let shown = self.shown.clone();
        Ok(Box::new(write::PgImport::begin(
            self.conn.get_mut(),
            shown,
        )?))
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
        let marker = serde_json::to_string(marker).expect("a marker serialises");
        let rows = self.conn.borrow_mut().query(
            "SELECT body FROM derivations WHERE name = $1 AND marker = $2",
            &[&name, &marker],
            &format!("reading the derivation {name}"),
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn put_derivation(
        &mut self,
        name: &str,
        marker: &crate::ChangeMarker,
        body: &[u8],
    ) -> Result<()> {
        let marker = serde_json::to_string(marker).expect("a marker serialises");
        self.conn.borrow_mut().execute(
            "INSERT INTO derivations(name, marker, written, body) VALUES ($1, $2, now(), $3)
             ON CONFLICT (name) DO UPDATE
             SET marker = excluded.marker, written = excluded.written, body = excluded.body",
            &[&name, &marker, &body],
            &format!("keeping the derivation {name}"),
        )?;
        Ok(())
    }

    fn reports_by_keys(&self, keys: &[&str]) -> Result<Vec<Report>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT json FROM reports r
             WHERE key = ANY($1) AND seq = (SELECT MAX(seq) FROM reports WHERE key = r.key)
             ORDER BY seq",
            &[&keys],
            "reading reports by key",
        )?;
        rows.iter()
            .map(|row| {
                serde_json::from_str(row.get(0)).map_err(|e| {
                    self.incompatible(format!("holds a report this version cannot read: {e}"))
                })
            })
            .collect()
    }

    fn for_each_account(
        &self,
        f: &mut dyn FnMut(&crate::AccountRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.for_each_account_impl(f)
    }
}
