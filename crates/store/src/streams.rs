//! Record streams: append-only, numbered logs of JSON entries.
//!
//! Several stages keep a history that later readers replay rather than a mutable row: an analyst's
//! assessment decisions, a debate meeting's inscriptions and live events, a TAXII pull's cursor,
//! the editions of a briefing. Each is a stream named by its owner (`debate:<meeting>`,
//! `assessment-decisions`, ...). Entries are numbered from 1 without gaps; an append may name the
//! number it expects to get, which makes "read, decide, append" safe across threads and server
//! processes (optimistic concurrency: the loser gets [`crate::StoreError::StreamConflict`]).

use threatscape_model::Tlp;

use crate::{Result, StoreError};

/// The longest stream name the store accepts.
pub const MAX_STREAM_NAME: usize = 512;

/// One entry of a record stream.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StreamEntry {
    /// The stream's name.
    pub stream: String,
    /// Its number in the stream, from 1.
    pub seq: i64,
    /// When it was recorded (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub recorded_at: String,
    /// Who recorded it (a user name, `cli`, or a process name).
    pub actor: String,
    /// What was recorded.
    pub body: serde_json::Value,
}

/// Where the store's derived inputs stand (see [`crate::Store::change_marker`]): equal markers
/// mean nothing a derivation reads has changed in between.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct ChangeMarker {
    /// The highest report version number.
    pub reports: i64,
    /// The highest audit number of an analyst's reconciliation decision.
    pub decisions: i64,
    /// The number of the latest entry of the [`ASSESSMENT_DECISION_STREAM`] (streams are
    /// append-only). Other streams (meetings, editions, cursors) do not move the marker: the
    /// derived landscape does not read them.
    pub assessment_decisions: i64,
}

/// The stream holding analysts' assessment decisions (confirm, reject, add), oldest first.
pub const ASSESSMENT_DECISION_STREAM: &str = "assessment-decisions";

/// The audit action of an analyst's reconciliation decision (link, unlink, split).
pub const RECONCILE_DECISION_ACTION: &str = "reconcile-decision";

/// A user with everything stored about them, for copying a store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRecord {
    /// Its identifier (kept by a copy).
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Organisation.
    pub organisation: String,
    /// Role name.
    pub role: String,
    /// Clearance.
    pub clearance: Tlp,
    /// The PHC string of the password hash.
    pub password_hash: String,
    /// When the user was created (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub created: String,
    /// The user's API tokens (digests only), by id.
    pub tokens: Vec<TokenRecord>,
}

/// An API token as stored: the digest of its secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRecord {
    /// Hex SHA-256 of the token's secret.
    pub sha256: String,
    /// The label given when it was issued.
    pub label: String,
    /// When it was issued (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub created: String,
}

/// Refuses a stream name that is empty, too long, or holds control characters, and an expected
/// entry number below 1.
pub fn check_stream_name(stream: &str, expected_seq: Option<i64>) -> Result<()> {
    if stream.is_empty() {
        return Err(StoreError::Invalid("a stream name may not be empty".into()));
    }
    if stream.len() > MAX_STREAM_NAME {
        return Err(StoreError::Invalid(format!(
            "stream name of {} bytes is longer than the {MAX_STREAM_NAME} allowed",
            stream.len()
        )));
    }
    if stream.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "stream name {stream:?} holds a control character"
        )));
    }
    if let Some(n) = expected_seq {
        if n < 1 {
            return Err(StoreError::Invalid(format!(
                "stream {stream}: entries are numbered from 1, so {n} cannot be expected"
            )));
        }
    }
    Ok(())
}
