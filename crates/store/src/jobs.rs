//! Background jobs: work that one of several server processes on one database picks up.
//!
//! A job is queued ([`crate::Store::enqueue_job`]), claimed by exactly one worker
//! ([`crate::Store::claim_job`]: `FOR UPDATE SKIP LOCKED` on PostgreSQL, an immediate transaction
//! on SQLite) and finished with its result ([`crate::Store::finish_job`]). Its record stays, so a
//! status resource reads the same whichever process answers.

/// Identifier of a background job.
pub type JobId = i64;

/// A claimed job, handed to the worker that runs it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Job {
    /// Its identifier, for [`crate::Store::finish_job`].
    pub id: JobId,
    /// What to do, e.g. `assess`, `taxii-add-objects`.
    pub kind: String,
    /// Its input, as given to [`crate::Store::enqueue_job`].
    pub payload: serde_json::Value,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker, not finished.
    Running,
    /// Finished, with a result.
    Done,
}

impl JobState {
    /// The state's name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
        }
    }

    /// The state with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [JobState::Queued, JobState::Running, JobState::Done]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// Everything stored about a job: what it is, who ran it, when, and what came of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobRecord {
    /// Its identifier.
    pub id: JobId,
    /// What to do.
    pub kind: String,
    /// Its input.
    pub payload: serde_json::Value,
    /// Where it is.
    pub state: JobState,
    /// When it was queued (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub enqueued: String,
    /// The worker that claimed it.
    pub worker: Option<String>,
    /// When it was claimed.
    pub claimed: Option<String>,
    /// When it was finished.
    pub finished: Option<String>,
    /// What the worker reported.
    pub result: Option<serde_json::Value>,
}
