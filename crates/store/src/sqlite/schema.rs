//! The SQLite schema and its migrations.
//!
//! Migrations are applied in order, each in its own transaction, and `PRAGMA user_version` records
//! how many have been applied. A store written by a newer threatscape is refused rather than
//! misread.

use std::path::Path;

use rusqlite::Connection;

use super::db;
use crate::{Result, StoreError};

/// Each entry brings the schema from version `i` to `i + 1`. Never edit one that has shipped:
/// append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: STIX object versions, ingest runs, audit log, search index.
    "CREATE TABLE stix_objects (
         seq      INTEGER PRIMARY KEY,   -- ingest order
         id       TEXT    NOT NULL,
         modified TEXT    NOT NULL,      -- '' for objects without one (SCOs, marking definitions)
         version  TEXT    NOT NULL,      -- modified, or a digest of the content when there is none
         type     TEXT    NOT NULL,
         tlp      INTEGER NOT NULL,      -- rank in Tlp::ALL: 0 CLEAR .. 4 RED
         run_id   INTEGER NOT NULL REFERENCES ingest_runs(id),
         json     TEXT    NOT NULL,      -- canonical form
         UNIQUE (id, version)
     );
     CREATE TABLE ingest_runs (
         id               INTEGER PRIMARY KEY,
         started          TEXT NOT NULL,
         finished         TEXT,
         actor            TEXT NOT NULL,
         contributor      TEXT,
         contributor_type TEXT,
         declared_tlp     TEXT,
         summary          TEXT
     );
     CREATE TABLE audit_log (
         seq     INTEGER PRIMARY KEY,
         at      TEXT NOT NULL,
         actor   TEXT NOT NULL,
         action  TEXT NOT NULL,
         subject TEXT NOT NULL,
         detail  TEXT NOT NULL
     );
     CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) STRICT;
     -- Contentless: the text lives in stix_objects; rowid = stix_objects.seq.
     CREATE VIRTUAL TABLE object_text USING fts5(
         name, description, content = '', tokenize = 'unicode61 remove_diacritics 2'
     );",
    // 2: contributors and their reports (one account of an incident each, every version kept).
    "CREATE TABLE contributors (
         id          INTEGER PRIMARY KEY,
         name        TEXT NOT NULL UNIQUE,
         type        TEXT NOT NULL,
         reliability TEXT NOT NULL
     );
     CREATE TABLE reports (
         seq            INTEGER PRIMARY KEY,
         key            TEXT    NOT NULL,  -- Report::key(): stable across re-reads of the same record
         digest         TEXT    NOT NULL,  -- SHA-256 of json: a changed account is a new version
         format         TEXT    NOT NULL,
         contributor_id INTEGER NOT NULL REFERENCES contributors(id),
         tlp            INTEGER NOT NULL,
         occurred       TEXT,              -- start, YYYY[-MM[-DD]]
         title          TEXT    NOT NULL,
         run_id         INTEGER NOT NULL REFERENCES ingest_runs(id),
         json           TEXT    NOT NULL,  -- the Report, original record included
         UNIQUE (key, digest)
     );",
    // 3: background jobs, each claimed by one worker (an immediate transaction).
    "CREATE TABLE jobs (
         id       INTEGER PRIMARY KEY,
         kind     TEXT NOT NULL,
         payload  TEXT NOT NULL,                  -- JSON
         state    TEXT NOT NULL DEFAULT 'queued', -- queued | running | done
         enqueued TEXT NOT NULL,
         worker   TEXT,
         claimed  TEXT,
         finished TEXT,
         result   TEXT                            -- JSON
     );
     CREATE INDEX jobs_queued ON jobs(id) WHERE state = 'queued';",
    // 4: users and their API tokens (secrets stored only as hashes).
    "CREATE TABLE users (
         id            INTEGER PRIMARY KEY,
         name          TEXT    NOT NULL UNIQUE,
         organisation  TEXT    NOT NULL,
         role          TEXT    NOT NULL,      -- reader | contributor | analyst | secretariat | admin
         clearance     INTEGER NOT NULL,      -- rank in Tlp::ALL
         password_hash TEXT    NOT NULL,      -- argon2id, PHC string
         created       TEXT    NOT NULL
     );
     CREATE TABLE api_tokens (
         id      INTEGER PRIMARY KEY,
         user_id INTEGER NOT NULL REFERENCES users(id),
         sha256  TEXT    NOT NULL UNIQUE,     -- hex SHA-256 of the token's secret
         label   TEXT    NOT NULL,
         created TEXT    NOT NULL
     );",
    // 5: record streams (append-only numbered logs: decisions, meetings, cursors, editions).
    "CREATE TABLE streams (
         stream      TEXT    NOT NULL,
         seq         INTEGER NOT NULL CHECK (seq >= 1),
         recorded_at TEXT    NOT NULL,
         actor       TEXT    NOT NULL,
         body        TEXT    NOT NULL,   -- JSON
         PRIMARY KEY (stream, seq)
     ) WITHOUT ROWID;",
    // 6: analysts' reconciliation decisions found without scanning the audit log (change markers).
    "CREATE INDEX audit_reconcile_decisions ON audit_log(seq) WHERE action = 'reconcile-decision';",
    // 7: derivations kept between processes (a cache: see Store::put_derivation).
    "CREATE TABLE derivations (
         name    TEXT NOT NULL PRIMARY KEY,
         marker  TEXT NOT NULL,   -- the ChangeMarker it was made at, as JSON
         written TEXT NOT NULL,
         body    BLOB NOT NULL
     );",
    // 8: signed-in browser sessions, shared by every server process on the store (secrets stored
    // only as hashes; not copied by `migrate`: users sign in again on the new store).
    "CREATE TABLE web_sessions (
         sha256  TEXT    NOT NULL PRIMARY KEY,   -- hex SHA-256 of the cookie's secret
         user_id INTEGER NOT NULL REFERENCES users(id),
         created INTEGER NOT NULL,               -- Unix milliseconds
         seen    INTEGER NOT NULL                -- Unix milliseconds, touched at most once a minute
     ) WITHOUT ROWID;
     CREATE INDEX web_sessions_by_user ON web_sessions(user_id, created);",
    // 9: TLP:RED's named recipients: organisations besides the contributor that may read a run's
    // AMBER+STRICT and RED material (a JSON array of names).
    "ALTER TABLE ingest_runs ADD COLUMN recipients TEXT NOT NULL DEFAULT '[]';",
    // 10: audit entries about one subject found without a scan (sign-in throttling).
    "CREATE INDEX audit_by_subject ON audit_log(subject, action, seq);",
];

/// Applies the migrations this store lacks.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let read_version = |conn: &Connection| -> Result<usize> {
        let applied = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map_err(db("reading the schema version"))? as usize;
        if applied > MIGRATIONS.len() {
            return Err(StoreError::Incompatible {
                path: path.display().to_string(),
                problem: format!(
                    "has schema version {applied}, newer than this threatscape knows ({}); upgrade threatscape",
                    MIGRATIONS.len()
                ),
            });
        }
        Ok(applied)
    };
    if read_version(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    // Several processes may open a new store at once: each migration takes the write lock first
    // (IMMEDIATE) and reads the version again inside it, so only one of them applies it.
    loop {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db("starting a migration"))?;
        let applied = read_version(&tx)?;
        let Some(sql) = MIGRATIONS.get(applied) else {
            return Ok(());
        };
        tx.execute_batch(sql)
            .map_err(db(format!("applying schema migration {}", applied + 1)))?;
        tx.pragma_update(None, "user_version", (applied + 1) as i64)
            .map_err(db("recording the schema version"))?;
        tx.commit().map_err(db("committing a migration"))?;
    }
}
