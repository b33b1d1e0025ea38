//! Background jobs on SQLite: an immediate transaction takes the write lock before reading, so
//! two connections (threads or processes) never claim the same job.

use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

use super::{db, SqliteStore};
use crate::{Abort, Job, JobId, JobRecord, JobState, Result, StoreError};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

fn json(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

fn record(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let state: String = r.get(3)?;
    Ok(JobRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        payload: json(r.get(2)?),
        state: JobState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown job state {state:?}").into(),
            )
        })?,
        enqueued: r.get(4)?,
        worker: r.get(5)?,
        claimed: r.get(6)?,
        finished: r.get(7)?,
        result: r.get::<_, Option<String>>(8)?.map(json),
    })
}

const SELECT_JOB: &str =
    "SELECT id, kind, payload, state, enqueued, worker, claimed, finished, result FROM jobs";

impl SqliteStore {
    pub(super) fn enqueue_job_impl(
        &mut self,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<JobId> {
        self.conn
            .execute(
                &format!("INSERT INTO jobs(kind, payload, enqueued) VALUES (?1, ?2, {NOW})"),
                params![kind, payload.to_string()],
            )
            .map_err(db("queueing a job"))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub(super) fn claim_job_impl(&mut self, worker: &str) -> Result<Option<Job>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("claiming a job"))?;
        let job = tx
            .query_row(
                "SELECT id, kind, payload FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1",
                [],
                |r| {
                    Ok(Job {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        payload: json(r.get(2)?),
                    })
                },
            )
            .optional()
            .map_err(db("claiming a job"))?;
        if let Some(job) = &job {
            tx.execute(
                &format!(
                    "UPDATE jobs SET state = 'running', worker = ?2, claimed = {NOW} WHERE id = ?1"
                ),
                params![job.id, worker],
            )
            .map_err(db("claiming a job"))?;
        }
        tx.commit().map_err(db("claiming a job"))?;
        Ok(job)
    }

    pub(super) fn finish_job_impl(&mut self, id: JobId, result: &serde_json::Value) -> Result<()> {
        let updated = self
            .conn
            .execute(
                &format!(
                    "UPDATE jobs SET state = 'done', result = ?2, finished = {NOW}
                     WHERE id = ?1 AND state = 'running'"
                ),
                params![id, result.to_string()],
            )
            .map_err(db("finishing a job"))?;
        if updated == 1 {
            Ok(())
        } else {
            Err(StoreError::Database {
                context: format!("finishing job {id}"),
                source: "it is not running (never claimed, already finished, or no such job)"
                    .into(),
            })
        }
    }

    pub(super) fn job_impl(&self, id: JobId) -> Result<Option<JobRecord>> {
        self.conn
            .prepare_cached(&format!("{SELECT_JOB} WHERE id = ?1"))
            .and_then(|mut st| st.query_row([id], record).optional())
            .map_err(db("reading a job"))
    }

    pub(super) fn for_each_job_impl(
        &self,
        f: &mut dyn FnMut(&JobRecord) -> std::result::Result<(), Abort>,
    ) -> Result<()> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{SELECT_JOB} ORDER BY id"))
            .map_err(db("reading jobs"))?;
        let mut rows = st.query([]).map_err(db("reading jobs"))?;
        while let Some(row) = rows.next().map_err(db("reading jobs"))? {
            let job = record(row).map_err(db("reading jobs"))?;
            f(&job).map_err(|Abort(why)| StoreError::Aborted(why))?;
        }
        Ok(())
    }
}
