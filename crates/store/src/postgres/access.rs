//! Users, tokens and access-checked object reads on PostgreSQL (the SQLite ones, in its dialect).

use ::postgres::types::ToSql;
use ::postgres::Row;
use threatscape_model::Tlp;

use super::{db, failure, tlp_from_rank, tlp_rank, write, PgStore};
use crate::{
    AuditEntry, JobId, NewUser, ObjectQuery, ObjectRow, Result, UserRecord, VersionMatch,
    WebSession,
};

const NOW: &str = "date_trunc('milliseconds', clock_timestamp())";

const SELECT_USER: &str =
    "SELECT u.id, u.name, u.organisation, u.role, u.clearance, u.password_hash FROM users u";

fn user(r: &Row) -> UserRecord {
    UserRecord {
        id: r.get(0),
        name: r.get(1),
        organisation: r.get(2),
        role: r.get(3),
        clearance: tlp_from_rank(r.get(4)),
        password_hash: r.get(5),
    }
}

/// The visibility rule (see `crate::Reader::may_read`) for the version `o` of the run `r`;
/// `$2` is the level cap, `$3` the organisation.
fn visible(o: &str, r: &str) -> String {
    visible_sql(o, r, "$2", "$3")
}

/// The visibility rule for the version `o` of the run `r`, with the parameters holding the level
/// cap and the reader's organisation: AMBER (rank 2) and below up to the cap; above it, only for
/// the run's contributor and the recipients it named.
pub(super) fn visible_sql(o: &str, r: &str, max: &str, org: &str) -> String {
    format!(
        "({o}.tlp <= {max} AND ({o}.tlp <= 2 OR {r}.contributor = {org}
              OR {r}.recipients::jsonb ? {org}))"
    )
}

/// Parameters: $1 after, $2 max, $3 org, $4 added_after, $5 limit, $6 ids, $7 types, $8 mods.
fn object_sql(q: &ObjectQuery) -> String {
    let mut sql = format!(
        "SELECT o.seq, o.id, o.type, o.modified, o.tlp, utc_text(r.started), o.json
         FROM stix_objects o JOIN ingest_runs r ON r.id = o.run_id
         WHERE o.seq > $1 AND {}
           AND ($4::text IS NULL OR r.started > $4::text::timestamptz)
           AND (cardinality($6::text[]) = 0 OR o.id = ANY($6))
           AND (cardinality($7::text[]) = 0 OR o.type = ANY($7))",
        visible("o", "r")
    );
    let other = |cmp: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM stix_objects o2 JOIN ingest_runs r2 ON r2.id = o2.run_id
                         WHERE o2.id = o.id
                           AND (o2.modified {cmp} o.modified OR (o2.modified = o.modified AND o2.seq {cmp} o.seq))
                           AND {})",
            visible("o2", "r2")
        )
    };
    let versions: &[VersionMatch] = if q.versions.is_empty() {
        &[VersionMatch::Last]
    } else {
        &q.versions
    };
    let mut alternatives = vec!["o.modified = ANY($8::text[])".to_string()];
    if versions.contains(&VersionMatch::All) {
        alternatives.push("true".into());
    }
    if versions.contains(&VersionMatch::Last) {
        alternatives.push(other(">"));
    }
    if versions.contains(&VersionMatch::First) {
        alternatives.push(other("<"));
    }
    sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
    sql.push_str(" ORDER BY o.seq LIMIT $5");
    sql
}

impl PgStore {
    pub(super) fn create_user_impl(&mut self, u: &NewUser) -> Result<i64> {
        let rows = self
            .conn
            .get_mut()
            .client
            .query(
                &format!(
                    "INSERT INTO users(name, organisation, role, clearance, password_hash, created)
                     VALUES ($1, $2, $3, $4, $5, {NOW}) RETURNING id"
                ),
                &[
                    &u.name,
                    &u.organisation,
                    &u.role,
                    &tlp_rank(u.clearance),
                    &u.password_hash,
                ],
            )
            .map_err(db(format!("creating the user {}", u.name)))?;
        Ok(rows[0].get(0))
    }

    pub(super) fn user_impl(&self, name: &str) -> Result<Option<UserRecord>> {
        let rows = self
            .conn
            .borrow_mut()
            .client
            .query(&format!("{SELECT_USER} WHERE u.name = $1"), &[&name])
            .map_err(db("reading a user"))?;
        Ok(rows.first().map(user))
    }

    pub(super) fn add_token_impl(&mut self, name: &str, sha256: &str, label: &str) -> Result<()> {
        let added = self
            .conn
            .get_mut()
            .client
            .execute(
                &format!(
                    "INSERT INTO api_tokens(user_id, sha256, label, created)
                     SELECT id, $2, $3, {NOW} FROM users WHERE name = $1"
                ),
                &[&name, &sha256, &label],
            )
            .map_err(db("recording an API token"))?;
        if added == 1 {
            Ok(())
        } else {
            Err(failure(
                "recording an API token",
                format!("there is no user {name:?}"),
            ))
        }
    }

    pub(super) fn user_by_token_impl(&self, sha256: &str) -> Result<Option<UserRecord>> {
        let rows = self
            .conn
            .borrow_mut()
            .client
            .query(
                &format!("{SELECT_USER} JOIN api_tokens t ON t.user_id = u.id WHERE t.sha256 = $1"),
                &[&sha256],
            )
            .map_err(db("reading an API token"))?;
        Ok(rows.first().map(user))
    }

    pub(super) fn set_user_access_impl(
        &mut self,
        name: &str,
        role: &str,
        clearance: Tlp,
    ) -> Result<bool> {
        self.conn
            .get_mut()
            .client
            .execute(
                "UPDATE users SET role = $2, clearance = $3 WHERE name = $1",
                &[&name, &role, &tlp_rank(clearance)],
            )
            .map(|n| n == 1)
            .map_err(db("changing a user's access"))
    }

    pub(super) fn revoke_token_impl(&mut self, user: &str, sha256: &str) -> Result<bool> {
        self.conn
            .get_mut()
            .client
            .execute(
                "DELETE FROM api_tokens
                 WHERE sha256 = $2 AND user_id = (SELECT id FROM users WHERE name = $1)",
                &[&user, &sha256],
            )
            .map(|n| n == 1)
            .map_err(db("revoking an API token"))
    }

    pub(super) fn put_web_session_impl(&mut self, s: &WebSession, keep: usize) -> Result<()> {
        let conn = self.conn.get_mut();
        let mut tx = conn
            .client
            .transaction()
            .map_err(db("recording a session"))?;
        let added = tx
            .execute(
                "INSERT INTO web_sessions(sha256, user_id, created, seen)
                 SELECT $1, id, $3, $4 FROM users WHERE name = $2",
                &[&s.sha256, &s.user, &s.created_ms, &s.seen_ms],
            )
            .map_err(db("recording a session"))?;
        if added != 1 {
            return Err(crate::StoreError::Database {
                context: "recording a session".into(),
                source: format!("there is no user {:?}", s.user).into(),
            });
        }
        let keep = keep.min(i64::MAX as usize) as i64;
        tx.execute(
            "DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)
               AND sha256 NOT IN (SELECT w.sha256 FROM web_sessions w JOIN users u ON u.id = w.user_id
                                  WHERE u.name = $1 ORDER BY w.created DESC, w.sha256 LIMIT $2)",
            &[&s.user, &keep],
        )
        .map_err(db("forgetting old sessions"))?;
        tx.commit().map_err(db("recording a session"))
    }

    pub(super) fn web_session_impl(
        &self,
        sha256: &str,
    ) -> Result<Option<(WebSession, UserRecord)>> {
        let rows = self
            .conn
            .borrow_mut()
            .client
            .query(
                "SELECT u.id, u.name, u.organisation, u.role, u.clearance, u.password_hash,
                        w.created, w.seen
                 FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.sha256 = $1",
                &[&sha256],
            )
            .map_err(db("reading a session"))?;
        Ok(rows.first().map(|r| {
            let u = user(r);
            (
                WebSession {
                    sha256: sha256.to_string(),
                    user: u.name.clone(),
                    created_ms: r.get(6),
                    seen_ms: r.get(7),
                },
                u,
            )
        }))
    }

    pub(super) fn touch_web_session_impl(&mut self, sha256: &str, seen_ms: i64) -> Result<()> {
        self.conn
            .get_mut()
            .client
            .execute(
                "UPDATE web_sessions SET seen = GREATEST(seen, $2) WHERE sha256 = $1",
                &[&sha256, &seen_ms],
            )
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
            .get_mut()
            .client
            .execute(
                "DELETE FROM web_sessions WHERE sha256 = $1 OR seen < $2 OR created < $3",
                &[&sha256, &seen_before_ms, &created_before_ms],
            )
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
        let limit = q.limit.min(i64::MAX as usize) as i64;
        let sql = object_sql(q);
        let mut conn = self.conn.borrow_mut();
        let st = conn
            .client
            .prepare(&sql)
            .map_err(db("preparing an object query"))?;
        let params: [&(dyn ToSql + Sync); 8] = [
            &q.after_seq,
            &max,
            &q.reader.organisation,
            &q.added_after,
            &limit,
            &q.ids,
            &q.types,
            &mods,
        ];
        let rows = conn
            .client
            .query(&st, &params)
            .map_err(db("reading objects"))?;
        Ok(rows
            .iter()
            .map(|r| ObjectRow {
                seq: r.get(0),
                id: r.get(1),
                type_: r.get(2),
                modified: r.get(3),
                tlp: tlp_from_rank(r.get(4)),
                date_added: r.get(5),
                json: r.get(6),
            })
            .collect())
    }

    pub(super) fn delete_object_impl(&mut self, id: &str, audit: &AuditEntry) -> Result<u64> {
        let conn = self.conn.get_mut();
        let audit_st = conn.prepare(write::INSERT_AUDIT)?;
        let mut tx = conn
            .client
            .transaction()
            .map_err(db("deleting an object"))?;
        tx.execute(
            "DELETE FROM object_text WHERE seq IN (SELECT seq FROM stix_objects WHERE id = $1)",
            &[&id],
        )
        .map_err(db("removing an object from the search index"))?;
        let deleted = tx
            .execute("DELETE FROM stix_objects WHERE id = $1", &[&id])
            .map_err(db(format!("deleting {id}")))?;
        let mut entry = audit.clone();
        if let serde_json::Value::Object(detail) = &mut entry.detail {
            detail.insert("versions_deleted".into(), deleted.into());
        }
        write::insert_audit(&mut tx, &audit_st, &entry)?;
        tx.commit().map_err(db("committing a deletion"))?;
        Ok(deleted)
    }

    pub(super) fn claim_job_id_impl(&mut self, id: JobId, worker: &str) -> Result<bool> {
        let updated = self
            .conn
            .get_mut()
            .client
            .execute(
                &format!(
                    "UPDATE jobs SET state = 'running', worker = $2, claimed = {NOW}
                     WHERE id = $1 AND state = 'queued'"
                ),
                &[&id, &worker],
            )
            .map_err(db("claiming a job"))?;
        Ok(updated == 1)
    }
}
