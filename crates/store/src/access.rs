//! Users, API tokens and access-checked object reads: what the server needs from the store.
//!
//! Passwords and tokens arrive already hashed (the server hashes them); the store never sees a
//! secret. Object reads take a [`Reader`] and apply the TLP rule in SQL, so no path can forget it:
//! a version is visible when its level is at or below both the reader's clearance and the query's
//! cap, and, for AMBER+STRICT and RED, only when the ingest run that brought it was contributed by
//! the reader's organisation.

use threatscape_model::Tlp;

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name, unique.
    pub name: String,
    /// The organisation the user belongs to (compared with ingest runs' contributor).
    pub organisation: String,
    /// `reader`, `contributor`, `analyst`, `secretariat` or `admin`.
    pub role: String,
    /// The highest TLP level the user may read.
    pub clearance: Tlp,
    /// The PHC string of the password's argon2id hash.
    pub password_hash: String,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Its identifier.
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
}

/// A signed-in browser session as the store keeps it: the cookie's secret only as its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Hex SHA-256 of the session cookie's secret.
    pub sha256: String,
    /// The signed-in user's name.
    pub user: String,
    /// When it was created (sign-in), Unix milliseconds.
    pub created_ms: i64,
    /// When it was last used, Unix milliseconds (as last recorded).
    pub seen_ms: i64,
}

/// Who is reading: what decides which versions are visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// The reader's clearance.
    pub clearance: Tlp,
    /// The reader's organisation: AMBER+STRICT and RED versions are visible only when their run's
    /// contributor is this organisation.
    pub organisation: Option<String>,
}

impl Reader {
    /// Whether a version at `tlp` is visible to this reader, `audience` being the organisations
    /// its AMBER+STRICT and RED material is for: the contributor of the run that brought it and
    /// the recipients the run named.
    pub fn may_read(&self, tlp: Tlp, audience: &[String]) -> bool {
        tlp <= self.clearance
            && (tlp <= Tlp::Amber
                || self
                    .organisation
                    .as_ref()
                    .is_some_and(|org| audience.iter().any(|a| a == org)))
    }
}

/// Named recipients as the store keeps them: a JSON array of the trimmed, non-empty names.
pub(crate) fn recipients_json(recipients: &[String]) -> String {
    let names: Vec<&str> = recipients
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    serde_json::to_string(&names).expect("strings serialise")
}

/// The organisations a run's restricted material is for: its contributor and its recipients
/// (`recipients` as stored; an unreadable value names no one, so it can only withhold).
pub(crate) fn audience_of(contributor: Option<String>, recipients: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = recipients
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    out.extend(contributor);
    out
}

/// Which versions of each object a query returns (TAXII `match[version]`); several are OR-ed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    /// The latest visible version.
    Last,
    /// The earliest visible version.
    First,
    /// Every visible version.
    All,
    /// The version with this `modified`.
    Modified(String),
}

/// An access-checked, paged read of object versions.
#[derive(Debug, Clone)]
pub struct ObjectQuery {
    /// Who reads.
    pub reader: Reader,
    /// A cap below the reader's clearance (a TAXII collection's level).
    pub max_tlp: Tlp,
    /// Only these ids (all when empty).
    pub ids: Vec<String>,
    /// Only these types (all when empty).
    pub types: Vec<String>,
    /// Which versions (the latest when empty).
    pub versions: Vec<VersionMatch>,
    /// Only versions added after this UTC time, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    pub added_after: Option<String>,
    /// Only versions with a sequence number above this (the paging cursor); 0 for the start.
    pub after_seq: i64,
    /// At most this many.
    pub limit: usize,
}

/// One object version as a query returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObjectRow {
    /// Ingest order: the paging cursor.
    pub seq: i64,
    /// The STIX id.
    pub id: String,
    /// The STIX type.
    pub type_: String,
    /// Its `modified`, `""` when none.
    pub modified: String,
    /// The level it is released at.
    pub tlp: Tlp,
    /// When it was added: the start of its ingest run (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub date_added: String,
    /// The canonical JSON.
    pub json: String,
}
