//! Meetings in the store: one record stream per meeting, `debate:<meeting id>`.
//!
//! Each stream entry is one decision: a JSON array of [`MeetingEvent`]s (usually one; calling the
//! next speaker is three, kept together so no process ever sees half of it). The first entry
//! creates the meeting. Every change is "read the stream, replay it, decide, append with the
//! number the next entry must get": when another process (or thread) appended meanwhile, the store
//! refuses the append ([`StoreError::StreamConflict`]) and the change is decided again on the new
//! state, so two processes can never interleave inconsistent events.
//!
//! Rule 37 letters are kept as their PDF bytes (base64) in a stream of their own per file,
//! `debate-letter:<sha256>`, which the letter's digest in the log points to.

use base64::Engine;
use serde_json::json;
use threatscape_debate::{Letter, MeetingEvent, MeetingRecord, RecordError};
use threatscape_store::{Store, StoreError};

/// The prefix of meeting streams.
pub const MEETING_PREFIX: &str = "debate:";
/// The prefix of letter streams.
pub const LETTER_PREFIX: &str = "debate-letter:";
/// How many times a change is decided again when other writers keep appending. With the pauses
/// of [`pause_before_retry`] the last attempt comes about a second and a half after the first.
const ATTEMPTS: u32 = 24;
/// The longest pause between two attempts, in milliseconds.
const MAX_PAUSE_MS: u64 = 64;
/// The longest meeting id accepted.
pub const MAX_ID: usize = 120;

/// The stream of a meeting.
pub fn stream_name(meeting_id: &str) -> String {
    format!("{MEETING_PREFIX}{meeting_id}")
}

/// Why a meeting could not be read or changed in the store.
#[derive(Debug, thiserror::Error)]
pub enum DebateStoreError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored entry does not read back or replay.
    #[error("stream {stream}, entry {seq}: {reason}")]
    Corrupt {
        /// The stream.
        stream: String,
        /// The entry.
        seq: i64,
        /// Why.
        reason: String,
    },
    /// No such meeting.
    #[error("there is no meeting '{0}'")]
    NoMeeting(String),
    /// A meeting with this id exists.
    #[error("a meeting '{0}' exists already: choose another id")]
    Exists(String),
    /// The id is not usable.
    #[error("meeting id {0:?} must be 1 to {MAX_ID} characters without control characters")]
    BadId(String),
    /// Other writers kept appending.
    #[error("meeting '{0}' kept changing while this change was being made ({ATTEMPTS} attempts); try again")]
    Busy(String),
}

/// A meeting read from the store, with the number of its last stream entry.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The state.
    pub record: MeetingRecord,
    /// The last entry's number (the next append expects one more).
    pub last_seq: i64,
}

fn check_id(id: &str) -> Result<(), DebateStoreError> {
    if id.trim().is_empty() || id.chars().count() > MAX_ID || id.chars().any(char::is_control) {
        return Err(DebateStoreError::BadId(id.to_string()));
    }
    Ok(())
}

/// Reads and replays a meeting; `None` when there is none.
pub fn load(store: &dyn Store, id: &str) -> Result<Option<Stored>, DebateStoreError> {
    check_id(id)?;
    let stream = stream_name(id);
    let entries = store.read_stream(&stream, 0)?;
    let Some(last) = entries.last() else {
        return Ok(None);
    };
    let last_seq = last.seq;
    let mut events = Vec::new();
    // The stream entry of every event, to name it when the log does not replay.
    let mut entry_of = Vec::new();
    for e in &entries {
        let batch: Vec<MeetingEvent> =
            serde_json::from_value(e.body.clone()).map_err(|err| DebateStoreError::Corrupt {
                stream: stream.clone(),
                seq: e.seq,
                reason: format!("not a list of meeting events: {err}"),
            })?;
        entry_of.extend(std::iter::repeat_n(e.seq, batch.len()));
        events.extend(batch);
    }
    let record = MeetingRecord::replay(events).map_err(|err| {
        let seq = match &err {
            RecordError::Replay { index, .. } => entry_of.get(index - 1).copied().unwrap_or(0),
            _ => entries[0].seq,
        };
        DebateStoreError::Corrupt {
            stream: stream.clone(),
            seq,
            reason: err.to_string(),
        }
    })?;
    Ok(Some(Stored { record, last_seq }))
}

/// Every meeting, by id.
pub fn meetings(store: &dyn Store) -> Result<Vec<Stored>, DebateStoreError> {
    let mut out = Vec::new();
    for name in store.stream_names(MEETING_PREFIX)? {
        let id = &name[MEETING_PREFIX.len()..];
        if let Some(m) = load(store, id)? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Stores a newly created meeting (its creation event); refused when the id is taken.
pub fn create(
    store: &mut dyn Store,
    mut record: MeetingRecord,
    actor: &str,
) -> Result<Stored, DebateStoreError> {
    let id = record.meeting().id.clone();
    check_id(&id)?;
    let events = record.take_unsaved();
    match store.append_to_stream(&stream_name(&id), actor, Some(1), &json!(events)) {
        Ok(seq) => Ok(Stored {
            record,
            last_seq: seq,
        }),
        Err(StoreError::StreamConflict { .. }) => Err(DebateStoreError::Exists(id)),
        Err(e) => Err(e.into()),
    }
}

/// Changes a meeting: reads it, runs `change` on it and appends the events it produced as one
/// entry; decides again when another writer got there first. Returns what `change` returned (an
/// `Err` of `change` is returned too, after storing what it logged, e.g. a refused request), with
/// the meeting as it now is.
pub fn update<T, E>(
    store: &mut dyn Store,
    id: &str,
    actor: &str,
    mut change: impl FnMut(&mut MeetingRecord) -> Result<T, E>,
) -> Result<(Result<T, E>, Stored), DebateStoreError> {
    let stream = stream_name(id);
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            pause_before_retry(attempt);
        }
        let Some(Stored {
            mut record,
            last_seq,
        }) = load(store, id)?
        else {
            return Err(DebateStoreError::NoMeeting(id.to_string()));
        };
        let out = change(&mut record);
        let events = record.take_unsaved();
        if events.is_empty() {
            return Ok((out, Stored { record, last_seq }));
        }
        match store.append_to_stream(&stream, actor, Some(last_seq + 1), &json!(events)) {
            Ok(seq) => {
                return Ok((
                    out,
                    Stored {
                        record,
                        last_seq: seq,
                    },
                ))
            }
            Err(StoreError::StreamConflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(DebateStoreError::Busy(id.to_string()))
}

/// Waits a random time, up to a bound that doubles with each attempt ("full jitter"), before a
/// change is decided again. Writers that collided then spread out instead of colliding again in
/// lockstep, which is how eight immediate retries could all lose to three other writers on a slow
/// database. Runs on a blocking thread (the server calls the store through `spawn_blocking`).
fn pause_before_retry(attempt: u32) {
    let bound = (1u64 << attempt.min(6)).min(MAX_PAUSE_MS);
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    let ms = u64::from_le_bytes(bytes) % (bound + 1);
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// Keeps a letter's PDF (once per distinct file).
pub fn save_letter(
    store: &mut dyn Store,
    letter: &Letter,
    pdf: &[u8],
    actor: &str,
) -> Result<(), DebateStoreError> {
    let stream = format!("{LETTER_PREFIX}{}", letter.sha256);
    if !store.read_stream(&stream, 0)?.is_empty() {
        return Ok(());
    }
    let body = json!({
        "file_name": letter.file_name,
        "media_type": "application/pdf",
        "bytes": pdf.len(),
        "base64": base64::engine::general_purpose::STANDARD.encode(pdf),
    });
    match store.append_to_stream(&stream, actor, Some(1), &body) {
        // Someone stored the same bytes meanwhile: the digest names the same file.
        Ok(_) | Err(StoreError::StreamConflict { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A stored letter's file name and PDF bytes, by SHA-256.
pub fn letter(
    store: &dyn Store,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, DebateStoreError> {
    if !(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Ok(None);
    }
    let stream = format!("{LETTER_PREFIX}{}", sha256.to_ascii_lowercase());
    let Some(entry) = store.read_stream(&stream, 0)?.into_iter().next() else {
        return Ok(None);
    };
    let corrupt = |reason: &str| DebateStoreError::Corrupt {
        stream: stream.clone(),
        seq: entry.seq,
        reason: reason.to_string(),
    };
    let name = entry.body["file_name"]
        .as_str()
        .ok_or_else(|| corrupt("no file_name"))?
        .to_string();
    let bytes = entry.body["base64"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .ok_or_else(|| corrupt("no base64 bytes"))?;
    Ok(Some((name, bytes)))
}
