//! Users, tokens and access-checked object reads on SQLite.

use rusqlite::{named_params, params, OptionalExtension, Row};
use threatscape_model::Tlp;

use super::{db, insert_audit, tlp_from_rank, tlp_rank, SqliteStore};
use crate::{
    AuditEntry, JobId, NewUser, ObjectQuery, ObjectRow, Result, UserRecord, VersionMatch,
    WebSession,
};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

const SELECT_USER_COLUMNS: &str =
    "SELECT u.id, u.name, u.organisation, u.role, u.clearance, u.password_hash";
const SELECT_USER: &str =
    "SELECT u.id, u.name, u.organisation, u.role, u.clearance, u.password_hash FROM users u";

fn user(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        organisation: r.get(2)?,
        role: r.get(3)?,
        clearance: tlp_from_rank(r.get(4)?),
        password_hash: r.get(5)?,
    })
}

/// The visibility rule (see `crate::Reader::may_read`) for the version `o` of the run `r`.
fn visible(o: &str, r: &str) -> String {
    visible_sql(o, r, ":max", ":org")
}

/// The visibility rule for the version `o` of the run `r`, with the parameters holding the level
/// cap and the reader's organisation: AMBER (rank 2) and below up to the cap; above it, only for
/// the run's contributor and the recipients it named.
pub(super) fn visible_sql(o: &str, r: &str, max: &str, org: &str) -> String {
    format!(
        "({o}.tlp <= {max} AND ({o}.tlp <= 2 OR {r}.contributor = {org}
              OR EXISTS (SELECT 1 FROM json_each({r}.recipients) WHERE value = {org})))"
    )
}

fn object_sql(q: &ObjectQuery) -> String {
    let mut sql = format!(
        "SELECT o.seq, o.id, o.type, o.modified, o.tlp, r.started, o.json
         FROM stix_objects o JOIN ingest_runs r ON r.id = o.run_id
         WHERE o.seq > :after AND {}
           AND (:added_after IS NULL OR r.started > :added_after)",
        visible("o", "r")
    );
    if !q.ids.is_empty() {
        sql.push_str(" AND o.id IN (SELECT value FROM json_each(:ids))");
    }
    if !q.types.is_empty() {
        sql.push_str(" AND o.type IN (SELECT value FROM json_each(:types))");
    }
    let other = |cmp: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM stix_objects o2 JOIN ingest_runs r2 ON r2.id = o2.run_id
                         WHERE o2.id = o.id
                           AND (o2.modified {cmp} o.modified OR (o2.modified = o.modified AND o2.seq {cmp} o.seq))
                           AND {})",
            visible("o2", "r2")
        )
    };
    let mut alternatives = Vec::new();
    let versions: &[VersionMatch] = if q.versions.is_empty() {
        &[VersionMatch::Last]
    } else {
        &q.versions
    };
    if !versions.contains(&VersionMatch::All) {
        if versions.contains(&VersionMatch::Last) {
            alternatives.push(other(">"));
        }
        if versions.contains(&VersionMatch::First) {
            alternatives.push(other("<"));
        }
        if versions
            .iter()
            .any(|v| matches!(v, VersionMatch::Modified(_)))
        {
            alternatives.push("o.modified IN (SELECT value FROM json_each(:mods))".into());
        }
        sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
    }
    sql.push_str(" ORDER BY o.seq LIMIT :limit");
    sql
}

impl SqliteStore {
    pub(super) fn create_user_impl(&mut self, u: &NewUser) -> Result<i64> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO users(name, organisation, role, clearance, password_hash, created)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW})"
                ),
                params![
                    u.name,
                    u.organisation,
                    u.role,
                    tlp_rank(u.clearance),
                    u.password_hash
                ],
            )
            .map_err(db(format!("creating the user {}", u.name)))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub(super) fn user_impl(&self, name: &str) -> Result<Option<UserRecord>> {
        self.conn
            .prepare_cached(&format!("{SELECT_USER} WHERE u.name = ?1"))
            .and_then(|mut st| st.query_row([name], user).optional())
            .map_err(db("reading a user"))
    }

    pub(super) fn add_token_impl(&mut self, name: &str, sha256: &str, label: &str) -> Result<()> {
        let added = self
            .conn
            .execute(
                &format!(
                    "INSERT INTO api_tokens(user_id, sha256, label, created)
                     SELECT id, ?2, ?3, {NOW} FROM users WHERE name = ?1"
                ),
                params![name, sha256, label],
            )
            .map_err(db("recording an API token"))?;
        if added == 1 {
            Ok(())
        } else {
            Err(crate::StoreError::Database {
                context: "recording an API token".into(),
                source: format!("there is no user {name:?}").into(),
            })
        }
    }

    pub(super) fn user_by_token_impl(&self, sha256: &str) -> Result<Option<UserRecord>> {
        self.conn
            .prepare_cached(&format!(
                "{SELECT_USER} JOIN api_tokens t ON t.user_id = u.id WHERE t.sha256 = ?1"
            ))
            .and_then(|mut st| st.query_row([sha256], user).optional())
            .map_err(db("reading an API token"))
    }

    pub(super) fn set_user_access_impl(
        &mut self,
        name: &str,
        role: &str,
        clearance: Tlp,
    ) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE users SET role = ?2, clearance = ?3 WHERE name = ?1",
                params![name, role, tlp_rank(clearance)],
            )
            .map(|n| n == 1)
            .map_err(db("changing a user's access"))
    }

    pub(super) fn revoke_token_impl(&mut self, user: &str, sha256: &str) -> Result<bool> {
        self.conn
            .execute(
                "DELETE FROM api_tokens
                 WHERE sha256 = ?2 AND user_id = (SELECT id FROM users WHERE name = ?1)",
                params![user, sha256],
            )
            .map(|n| n == 1)
            .map_err(db("revoking an API token"))
    }

    pub(super) fn put_web_session_impl(&mut self, s: &WebSession, keep: usize) -> Result<()> {
        let tx = self.conn.transaction().map_err(db("recording a session"))?;
        let added = tx
            .execute(
                "INSERT INTO web_sessions(sha256, user_id, created, seen)
                 SELECT ?1, id, ?3, ?4 FROM users WHERE name = ?2",
                params![s.sha256, s.user, s.created_ms, s.seen_ms],
            )
            .map_err(db("recording a session"))?;
        if added != 1 {
            return Err(crate::StoreError::Database {
                context: "recording a session".into(),
                source: format!("there is no user {:?}", s.user).into(),
            });
        }
        tx.execute(
            "DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)
               AND sha256 NOT IN (SELECT w.sha256 FROM web_sessions w JOIN users u ON u.id = w.user_id
                                  WHERE u.name = ?1 ORDER BY w.created DESC, w.sha256 LIMIT ?2)",
            params![s.user, keep.min(i64::MAX as usize) as i64],
        )
        .map_err(db("forgetting old sessions"))?;
        tx.commit().map_err(db("recording a session"))
    }

    pub(super) fn web_session_impl(
        &self,
        sha256: &str,
    ) -> Result<Option<(WebSession, UserRecord)>> {
        self.conn
            .prepare_cached(&format!(
                "{SELECT_USER_COLUMNS}, w.created, w.seen FROM web_sessions w
                 JOIN users u ON u.id = w.user_id WHERE w.sha256 = ?1"
            ))
            .and_then(|mut st| {
                st.query_row([sha256], |r| {
                    let u = user(r)?;
                    Ok((
                        WebSession {
                            sha256: sha256.to_string(),
                            user: u.name.clone(),
                            created_ms: r.get(6)?,
                            seen_ms: r.get(7)?,
                        },
                        u,
                    ))
                })
                .optional()
            })
            .map_err(db("reading a session"))
    }

    pub(super) fn touch_web_session_impl(&mut self, sha256: &str, seen_ms: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE web_sessions SET seen = MAX(seen, ?2) WHERE sha256 = ?1")
            .and_then(|mut st| st.execute(params![sha256, seen_ms]))
            .map_err(db("touching a session"))?;
        Ok(())
    }

    pub(super) fn end_web_sessions_impl(
        &mut self,
        sha256: &str,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<u64> {
        self.conn
            .prepare_cached(
                "DELETE FROM web_sessions WHERE sha256 = ?1 OR seen < ?2 OR created < ?3",
            )
            .and_then(|mut st| st.execute(params![sha256, seen_before_ms, created_before_ms]))
            .map(|n| n as u64)
            .map_err(db("ending sessions"))
    }

    pub(super) fn query_objects_impl(&self, q: &ObjectQuery) -> Result<Vec<ObjectRow>> {
        let max = tlp_rank(q.max_tlp.min(q.reader.clearance));
        let mods: Vec<&str> = q
            .versions
            .iter()
            .filter_map(|v| match v {
                VersionMatch::Modified(m) => Some(m.as_str()),
                _ => None,
            })
            .collect();
        let sql = object_sql(q);
        let mut st = self
            .conn
            .prepare_cached(&sql)
            .map_err(db("preparing an object query"))?;
        let ids = serde_json::to_string(&q.ids).expect("strings serialise");
        let types = serde_json::to_string(&q.types).expect("strings serialise");
        let mods = serde_json::to_string(&mods).expect("strings serialise");
        let limit = q.limit.min(i64::MAX as usize) as i64;
        let mut all: Vec<(&str, &dyn rusqlite::ToSql)> = named_params! {
            ":after": q.after_seq,
            ":max": max,
            ":org": q.reader.organisation,
            ":added_after": q.added_after,
            ":limit": limit,
        }
        .to_vec();
        // Bind only the parameters this statement has.
        for (name, value) in [(":ids", &ids), (":types", &types), (":mods", &mods)] {
            if sql.contains(name) {
                all.push((name, value as &dyn rusqlite::ToSql));
            }
        }
        let rows = st
            .query_map(all.as_slice(), |r| {
                Ok(ObjectRow {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    type_: r.get(2)?,
                    modified: r.get(3)?,
                    tlp: tlp_from_rank(r.get(4)?),
                    date_added: r.get(5)?,
                    json: r.get(6)?,
                })
            })
            .map_err(db("reading objects"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("reading objects"))
    }

    pub(super) fn delete_object_impl(&mut self, id: &str, audit: &AuditEntry) -> Result<u64> {
        let tx = self.conn.transaction().map_err(db("deleting an object"))?;
        // The search index is contentless: remove the indexed text of each version explicitly,
        // and let the index position fall back if the newest rows go (their seq may be reused).
        tx.execute(
            "INSERT INTO object_text(object_text, rowid, name, description)
             SELECT 'delete', seq, json_extract(json, '$.name'), json_extract(json, '$.description')
             FROM stix_objects
             WHERE id = ?1
               AND seq <= COALESCE((SELECT value FROM meta WHERE key = 'search_indexed_seq'), 0)",
            [id],
        )
        .map_err(db("removing an object from the search index"))?;
        let deleted = tx
            .execute("DELETE FROM stix_objects WHERE id = ?1", [id])
            .map_err(db(format!("deleting {id}")))?;
        tx.execute(
            "UPDATE meta SET value = MIN(value, (SELECT COALESCE(MAX(seq), 0) FROM stix_objects))
             WHERE key = 'search_indexed_seq'",
            [],
        )
        .map_err(db("updating the search index position"))?;
        let mut entry = audit.clone();
        if let serde_json::Value::Object(detail) = &mut entry.detail {
            detail.insert("versions_deleted".into(), deleted.into());
        }
        insert_audit(&tx, &entry)?;
        tx.commit().map_err(db("committing a deletion"))?;
        Ok(deleted as u64)
    }

    pub(super) fn claim_job_id_impl(&mut self, id: JobId, worker: &str) -> Result<bool> {
        let updated = self
            .conn
            .execute(
                &format!(
                    "UPDATE jobs SET state = 'running', worker = ?2, claimed = {NOW}
                     WHERE id = ?1 AND state = 'queued'"
                ),
                params![id, worker],
            )
            .map_err(db("claiming a job"))?;
        Ok(updated == 1)
    }
}
