//! Record streams and account copies on PostgreSQL. An append numbers its entry in one statement;
//! the primary key (stream, seq) makes a concurrent writer that computed the same number insert
//! nothing (`ON CONFLICT DO NOTHING`), so each number is given out once across processes, and an
//! expected number is checked in the same statement.

use super::{aborted, tlp_from_rank, PgStore};
use crate::{
    check_stream_name, Abort, AccountRecord, ChangeMarker, JobRecord, Result, StoreError,
    StreamEntry, TokenRecord,
};

/// How often an append without an expected number tries before giving up on losing the race
/// for its number.
const APPEND_ATTEMPTS: u32 = 24;
/// The longest pause between two tries, in milliseconds.
const MAX_PAUSE_MS: u64 = 64;

/// A pause before try `attempt` (from 1) after a lost race: a random length up to a bound that
/// doubles with each try ("full jitter"), so writers that collided do not collide again in step.
/// Immediate retries could lose to the same busy writers every time under load.
fn pause_before(attempt: u32) {
    use std::hash::{BuildHasher, Hasher};
    let bound = (1u64 << attempt.min(6)).min(MAX_PAUSE_MS);
    // A randomly keyed hasher: random enough for spreading retries, with no dependency.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    std::thread::sleep(std::time::Duration::from_micros(
        random % (bound * 1000 + 1),
    ));
}

fn entry(row: &::postgres::Row) -> StreamEntry {
    let body: String = row.get(4);
    StreamEntry {
        stream: row.get(0),
        seq: row.get(1),
        recorded_at: row.get(2),
        actor: row.get(3),
        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    }
}

impl PgStore {
    pub(super) fn append_to_stream_impl(
        &mut self,
        stream: &str,
        actor: &str,
        expected_seq: Option<i64>,
        body: &serde_json::Value,
    ) -> Result<i64> {
        check_stream_name(stream, expected_seq)?;
        let what = format!("appending to stream {stream}");
        let body = body.to_string();
        for attempt in 0..APPEND_ATTEMPTS {
            if attempt > 0 {
                pause_before(attempt);
            }
            let rows = self.conn.get_mut().query(
                "INSERT INTO streams(stream, seq, recorded_at, actor, body)
                 SELECT $1, COALESCE(MAX(seq), 0) + 1,
                        date_trunc('milliseconds', clock_timestamp()), $2, $3
                 FROM streams WHERE stream = $1
                 HAVING $4::bigint IS NULL OR COALESCE(MAX(seq), 0) + 1 = $4::bigint
                 ON CONFLICT (stream, seq) DO NOTHING
                 RETURNING seq",
                &[&stream, &actor, &body, &expected_seq],
                &what,
            )?;
            if let Some(row) = rows.first() {
                return Ok(row.get(0));
            }
            if let Some(expected) = expected_seq {
                let next: i64 = self.conn.get_mut().query(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM streams WHERE stream = $1",
                    &[&stream],
                    &what,
                )?[0]
                    .get(0);
                return Err(StoreError::StreamConflict {
                    stream: stream.to_string(),
                    expected,
                    next,
                });
            }
            // Another writer took the number between our read and our insert: number again.
        }
        Err(StoreError::Database {
            context: what,
            source: format!("{APPEND_ATTEMPTS} attempts lost the race for the next entry number")
                .into(),
        })
    }

    pub(super) fn read_stream_impl(
        &self,
        stream: &str,
        after_seq: i64,
    ) -> Result<Vec<StreamEntry>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT stream, seq, utc_text(recorded_at), actor, body FROM streams
             WHERE stream = $1 AND seq > $2 ORDER BY seq",
            &[&stream, &after_seq],
            &format!("reading stream {stream}"),
        )?;
        Ok(rows.iter().map(entry).collect())
    }

    pub(super) fn stream_names_impl(&self, prefix: &str) -> Result<Vec<String>> {
        // left() rather than LIKE: a prefix may hold `%` or `_`.
        let rows = self.conn.borrow_mut().query(
            "SELECT DISTINCT stream FROM streams
             WHERE left(stream, char_length($1)) = $1 ORDER BY stream",
            &[&prefix],
            "listing streams",
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(super) fn for_each_stream_entry_impl(
        &self,
        f: &mut dyn FnMut(&StreamEntry) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        // Streams are logs of human decisions and events (thousands of entries, not millions), so
        // one query is enough; the sort is the text sort both backends share (`COLLATE "C"`).
        let rows = self.conn.borrow_mut().query(
            "SELECT stream, seq, utc_text(recorded_at), actor, body FROM streams
             ORDER BY stream COLLATE \"C\", seq",
            &[],
            "reading record streams",
        )?;
        for row in &rows {
            f(&entry(row)).map_err(aborted)?;
        }
        Ok(())
    }

    pub(super) fn stale_jobs_impl(&self, kind: &str, older_than_ms: i64) -> Result<Vec<JobRecord>> {
        let rows = self.conn.borrow_mut().query(
            "SELECT id, kind, payload, state, utc_text(enqueued), worker, utc_text(claimed),
                    utc_text(finished), result
             FROM jobs WHERE kind = $1 AND state = 'running'
               AND claimed < clock_timestamp() - make_interval(secs => $2::bigint / 1000.0)
             ORDER BY id",
            &[&kind, &older_than_ms],
            "finding stale jobs",
        )?;
        rows.iter().map(super::job_record).collect()
    }

    pub(super) fn change_marker_impl(&self) -> Result<ChangeMarker> {
        let rows = self.conn.borrow_mut().query(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM reports),
                    (SELECT COALESCE(MAX(seq), 0) FROM audit_log
                     WHERE action = 'reconcile-decision'),
                    (SELECT COALESCE(MAX(seq), 0) FROM streams WHERE stream = $1)",
            &[&crate::ASSESSMENT_DECISION_STREAM],
            "reading the change marker",
        )?;
        Ok(ChangeMarker {
            reports: rows[0].get(0),
            decisions: rows[0].get(1),
            assessment_decisions: rows[0].get(2),
        })
    }

    pub(super) fn for_each_account_impl(
        &self,
        f: &mut dyn FnMut(&AccountRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        let what = "reading users and tokens";
        let users = self.conn.borrow_mut().query(
            "SELECT id, name, organisation, role, clearance, password_hash, utc_text(created)
             FROM users ORDER BY id",
            &[],
            what,
        )?;
        for u in &users {
            let id: i64 = u.get(0);
            let tokens = self
                .conn
                .borrow_mut()
                .query(
                    "SELECT sha256, label, utc_text(created) FROM api_tokens
                     WHERE user_id = $1 ORDER BY id",
                    &[&id],
                    what,
                )?
                .iter()
                .map(|t| TokenRecord {
                    sha256: t.get(0),
                    label: t.get(1),
                    created: t.get(2),
                })
                .collect();
            f(&AccountRecord {
                id,
                name: u.get(1),
                organisation: u.get(2),
                role: u.get(3),
                clearance: tlp_from_rank(u.get(4)),
                password_hash: u.get(5),
                created: u.get(6),
                tokens,
            })
            .map_err(aborted)?;
        }
        Ok(())
    }
}
