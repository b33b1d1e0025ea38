//! Record streams and account copies on SQLite. An append takes the write lock first (an
//! immediate transaction) and numbers the entry inside it, so two connections never give out the
//! same number, and an expected number is checked against what is really there.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{db, tlp_from_rank, SqliteStore};
use crate::{
    check_stream_name, Abort, AccountRecord, ChangeMarker, JobRecord, Result, StoreError,
    StreamEntry, TokenRecord,
};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

fn body(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<StreamEntry> {
    Ok(StreamEntry {
        stream: r.get(0)?,
        seq: r.get(1)?,
        recorded_at: r.get(2)?,
        actor: r.get(3)?,
        body: body(r.get(4)?),
    })
}

impl SqliteStore {
    pub(super) fn append_to_stream_impl(
        &mut self,
        stream: &str,
        actor: &str,
        expected_seq: Option<i64>,
        entry_body: &serde_json::Value,
    ) -> Result<i64> {
        check_stream_name(stream, expected_seq)?;
        let what = format!("appending to stream {stream}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(&what))?;
        let next: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM streams WHERE stream = ?1",
                [stream],
                |r| r.get(0),
            )
            .map_err(db(&what))?;
        if let Some(expected) = expected_seq {
            if expected != next {
                return Err(StoreError::StreamConflict {
                    stream: stream.to_string(),
                    expected,
                    next,
                });
            }
        }
        tx.execute(
            &format!(
                "INSERT INTO streams(stream, seq, recorded_at, actor, body)
                 VALUES (?1, ?2, {NOW}, ?3, ?4)"
            ),
            params![stream, next, actor, entry_body.to_string()],
        )
        .map_err(db(&what))?;
        tx.commit().map_err(db(&what))?;
        Ok(next)
    }

    pub(super) fn read_stream_impl(
        &self,
        stream: &str,
        after_seq: i64,
    ) -> Result<Vec<StreamEntry>> {
        let what = format!("reading stream {stream}");
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT stream, seq, recorded_at, actor, body FROM streams
                 WHERE stream = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(db(&what))?;
        let rows = st
            .query_map(params![stream, after_seq], entry)
            .map_err(db(&what))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db(&what))
    }

    pub(super) fn stream_names_impl(&self, prefix: &str) -> Result<Vec<String>> {
        // substr rather than LIKE: a prefix may hold `%` or `_`.
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT stream FROM streams
                 WHERE substr(stream, 1, length(?1)) = ?1 ORDER BY stream",
            )
            .map_err(db("listing streams"))?;
        let rows = st
            .query_map([prefix], |r| r.get(0))
            .map_err(db("listing streams"))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(db("listing streams"))
    }

    pub(super) fn for_each_stream_entry_impl(
        &self,
        f: &mut dyn FnMut(&StreamEntry) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        self.each(
            "SELECT stream, seq, recorded_at, actor, body FROM streams ORDER BY stream, seq",
            "reading record streams",
            entry,
            f,
        )
    }

    pub(super) fn for_each_account_impl(
        &self,
        f: &mut dyn FnMut(&AccountRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        let what = "reading users and tokens";
        let mut users = self
            .conn
            .prepare_cached(
                "SELECT id, name, organisation, role, clearance, password_hash, created
                 FROM users ORDER BY id",
            )
            .map_err(db(what))?;
        let mut tokens = self
            .conn
            .prepare_cached(
                "SELECT sha256, label, created FROM api_tokens WHERE user_id = ?1 ORDER BY id",
            )
            .map_err(db(what))?;
        let mut rows = users.query([]).map_err(db(what))?;
        while let Some(r) = rows.next().map_err(db(what))? {
            let id: i64 = r.get(0).map_err(db(what))?;
            let account = AccountRecord {
                id,
                name: r.get(1).map_err(db(what))?,
                organisation: r.get(2).map_err(db(what))?,
                role: r.get(3).map_err(db(what))?,
                clearance: tlp_from_rank(r.get(4).map_err(db(what))?),
                password_hash: r.get(5).map_err(db(what))?,
                created: r.get(6).map_err(db(what))?,
                tokens: tokens
                    .query_map([id], |t| {
                        Ok(TokenRecord {
                            sha256: t.get(0)?,
                            label: t.get(1)?,
                            created: t.get(2)?,
                        })
                    })
                    .and_then(|ts| ts.collect())
                    .map_err(db(what))?,
            };
            f(&account).map_err(|Abort(why)| StoreError::Aborted(why))?;
        }
        Ok(())
    }

    pub(super) fn stale_jobs_impl(&self, kind: &str, older_than_ms: i64) -> Result<Vec<JobRecord>> {
        let mut out = Vec::new();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id FROM jobs WHERE kind = ?1 AND state = 'running'
                   AND claimed < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%.3f seconds', ?2 / 1000.0))
                 ORDER BY id",
            )
            .map_err(db("finding stale jobs"))?;
        let ids = st
            .query_map(params![kind, older_than_ms], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db("finding stale jobs"))?;
        for id in ids {
            if let Some(job) = self.job_impl(id)? {
                out.push(job);
            }
        }
        Ok(out)
    }

    pub(super) fn change_marker_impl(&self) -> Result<ChangeMarker> {
        self.conn
            .query_row(
                "SELECT (SELECT COALESCE(MAX(seq), 0) FROM reports),
                        (SELECT COALESCE(MAX(seq), 0) FROM audit_log
                         WHERE action = 'reconcile-decision'),
                        (SELECT COALESCE(MAX(seq), 0) FROM streams WHERE stream = ?1)",
                [crate::ASSESSMENT_DECISION_STREAM],
                |r| {
                    Ok(ChangeMarker {
                        reports: r.get(0)?,
                        decisions: r.get(1)?,
                        assessment_decisions: r.get(2)?,
                    })
                },
            )
            .map_err(db("reading the change marker"))
    }

    /// True when the stream table or the users table holds anything (an import target must not).
    pub(super) fn holds_streams_or_accounts(tx: &rusqlite::Transaction<'_>) -> Result<bool> {
        tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM streams) OR EXISTS (SELECT 1 FROM users)",
            [],
            |r| r.get(0),
        )
        .optional()
        .map(|v| v.unwrap_or(false))
        .map_err(db("checking that the target is empty"))
    }
}
