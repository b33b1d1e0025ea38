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
];

/// Applies the migrations this store lacks.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let applied: usize = conn
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
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction().map_err(db("starting a migration"))?;
        tx.execute_batch(sql)
            .map_err(db(format!("applying schema migration {}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(db("recording the schema version"))?;
        tx.commit().map_err(db("committing a migration"))?;
    }
    Ok(())
}
