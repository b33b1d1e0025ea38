//! The Council's open debate in the app: REST under `/api/v1/debate` ([`api`]), pages under
//! `/debate` ([`pages`]: the meeting with its list of speakers, forms for the secretariat, and the
//! chamber's live page), and the meetings' persistence in the store ([`store`]: one record stream
//! per meeting, replayed through `threatscape_debate::MeetingRecord`).
//!
//! Times are the server's clock; every time shown is in New York with its zone. The reference data
//! is the copy shipped in the program.

mod api;
mod pages;
pub mod store;

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use threatscape_debate::calendar::at_new_york;
use threatscape_debate::jiff::Timestamp;
use threatscape_debate::linker::{concerns, link_statements};
use threatscape_debate::{
    export, InscriptionId, ListError, LiveError, MeetingRecord, RecordError, Reference, Vocabulary,
};

use crate::{ApiError, AppState, Role, User};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().merge(api::routes()).merge(pages::routes())
}

/// The reference data (the copy shipped in the program), parsed once.
fn reference() -> &'static Reference {
    static R: LazyLock<Reference> = LazyLock::new(Reference::embedded);
    &R
}

/// The linker's vocabulary, built once.
fn vocabulary() -> &'static Vocabulary {
    static V: LazyLock<Vocabulary> = LazyLock::new(|| Vocabulary::from_reference(reference()));
    &V
}

/// Whether the user may change meetings.
fn may_write(user: &User) -> bool {
    matches!(user.role, Role::Secretariat | Role::Admin)
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    u64::from_le_bytes(bytes)
}

fn store_error(e: store::DebateStoreError) -> ApiError {
    use store::DebateStoreError as E;
    match e {
        E::Store(e) => ApiError::store(e),
        E::NoMeeting(_) => ApiError::not_found(e.to_string()),
        E::Exists(_) => ApiError::new(StatusCode::CONFLICT, "Conflict", e.to_string()),
        E::BadId(_) => ApiError::bad_request(e.to_string()),
        E::Busy(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Busy", e.to_string()),
        E::Corrupt { .. } => {
            tracing::error!("debate: {e}");
            ApiError::internal(e.to_string())
        }
    }
}

fn list_error(e: &ListError) -> ApiError {
    match e {
        ListError::AlreadyInscribed { .. } | ListError::AlreadyDrawn { .. } => {
            ApiError::new(StatusCode::CONFLICT, "Conflict", e.to_string())
        }
        ListError::UnknownInscription(_) => ApiError::not_found(e.to_string()),
        _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Refused", e.to_string()),
    }
}

fn live_error(e: &LiveError) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "Not now", e.to_string())
}

fn record_error(e: &RecordError) -> ApiError {
    match e {
        RecordError::List(e) => list_error(e),
        RecordError::Live(e) => live_error(e),
        _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Refused", e.to_string()),
    }
}

/// A meeting with its opening and a summary of its list, as the API returns it.
fn meeting_json(record: &MeetingRecord) -> Value {
    let order = record.order();
    let (created_at, created_by) = record.created();
    json!({
        "meeting": record.meeting(),
        "list_opens_at": record.opens_at(),
        "created_at": at_new_york(created_at),
        "created_by": created_by,
        "events": record.events().len(),
        "speakers": order.entries.len(),
        "pending": order.pending.len(),
        "withdrawn": order.withdrawn.len(),
        "draw_seed": order.seed,
        "phase": record.live().phase(),
    })
}

/// Each attached statement's links, and who raised what.
fn statements_json(record: &MeetingRecord) -> Value {
    let statements = link_statements(record.list(), vocabulary());
    let raised = concerns(&statements);
    json!({ "statements": statements, "concerns": raised })
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ExportFormat {
    /// As the Journal prints it (plain text).
    Journal,
    /// One row per speaker.
    Csv,
    /// The list with its meeting.
    Json,
}

/// The media type and body of an export at `now`.
fn export_body(
    record: &MeetingRecord,
    format: ExportFormat,
    now: Timestamp,
) -> (&'static str, String) {
    let order = record.order();
    let at = at_new_york(now);
    match format {
        ExportFormat::Journal => (
            "text/plain; charset=utf-8",
            export::journal(record.meeting(), &order, &at),
        ),
        ExportFormat::Csv => ("text/csv; charset=utf-8", export::csv(&order)),
        ExportFormat::Json => (
            "application/json",
            export::json(record.meeting(), &order, &at),
        ),
    }
}

/// A step in the chamber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum LiveAction {
    /// Open the meeting.
    Open,
    /// End the running statement, call the next speaker and start their timer.
    Next,
    /// Give the floor to a given inscription (e.g. a speaker passed over) and start the timer.
    Call,
    /// End the running statement.
    Stop,
    /// Suspend (ending the running statement).
    Suspend,
    /// Resume.
    Resume,
    /// Close the meeting (ending the running statement).
    Close,
}

impl LiveAction {
    fn apply(
        self,
        m: &mut MeetingRecord,
        inscription: Option<InscriptionId>,
        by: &str,
        now: Timestamp,
    ) -> Result<(), LiveError> {
        match self {
            LiveAction::Open => m.open(by, now),
            LiveAction::Next => m.next_speaker(by, now).map(drop),
            LiveAction::Call => match inscription {
                Some(n) => m.call_speaker(n, by, now),
                None => Err(LiveError::NotOnList(0)),
            },
            LiveAction::Stop => m.stop_statement(by, now),
            LiveAction::Suspend => m.suspend(by, now),
            LiveAction::Resume => m.resume(by, now),
            LiveAction::Close => m.close(by, now),
        }
    }
}
