//! TAXII 2.1 (OASIS): discovery, one API root (`/threatscape/`), one collection per TLP level,
//! objects, manifest, versions, add with a status resource, delete.
//!
//! A collection `tlp-<level>` holds every object version at or below its level, seen through the
//! reader's clearance and organisation (the store applies the rule). Adding to a collection
//! declares its level for the submission, which can raise the objects' level but never lower it.
//! `next` is the sequence number of the last version returned (opaque to clients).

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_store::{AuditEntry, ObjectQuery, ObjectRow, Store, VersionMatch};

use crate::{ApiError, AppState, Role, User};

pub(crate) const TAXII_TYPE: &str = "application/taxii+json;version=2.1";
const STIX_TYPE: &str = "application/stix+json;version=2.1";
const ROOT: &str = "threatscape";
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
const ADD_JOB: &str = "taxii-add-objects";

pub(crate) fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/taxii2/", get(discovery))
        .route(&format!("/{ROOT}/"), get(api_root))
        .route(&format!("/{ROOT}/collections/"), get(collections))
        .route(&format!("/{ROOT}/collections/{{cid}}/"), get(collection))
        .route(
            &format!("/{ROOT}/collections/{{cid}}/objects/"),
            get(get_objects).post(add_objects),
        )
        .route(
            &format!("/{ROOT}/collections/{{cid}}/objects/{{oid}}/"),
            get(get_object).delete(delete_object),
        )
        .route(
            &format!("/{ROOT}/collections/{{cid}}/objects/{{oid}}/versions/"),
            get(versions),
        )
        .route(
            &format!("/{ROOT}/collections/{{cid}}/manifest/"),
            get(manifest),
        )
        .route(&format!("/{ROOT}/status/{{sid}}/"), get(status));
    crate::auth::rate_limited(routes)
}

fn taxii(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, TAXII_TYPE)], body).into_response()
}

fn ok(body: Value) -> Response {
    taxii(StatusCode::OK, body.to_string())
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

async fn discovery(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    s.user(&headers).await?;
    let root = format!("{}/{ROOT}/", base_url(&headers));
    Ok(ok(json!({
        "title": "threatscape",
        "description": "The cyber-threat landscape observatory: STIX 2.1 material released by TLP level.",
        "default": root,
        "api_roots": [root],
    })))
}

async fn api_root(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    s.user(&headers).await?;
    Ok(ok(json!({
        "title": "threatscape",
        "description": "One collection per TLP level, each holding what is released at or below it.",
        "versions": [TAXII_TYPE],
        "max_content_length": crate::MAX_BODY,
    })))
}

/// The collections: one per TLP level, with the slug used as its id.
fn collection_id(tlp: Tlp) -> String {
    format!(
        "tlp-{}",
        tlp.as_str().to_ascii_lowercase().replace('+', "-")
    )
}

fn collection_json(tlp: Tlp, user: &User) -> Value {
    json!({
        "id": collection_id(tlp),
        "title": tlp.to_string(),
        "description": format!("Every object released at {tlp} or below that you may read."),
        "can_read": true,
        "can_write": user.role >= Role::Contributor,
        "media_types": [STIX_TYPE],
    })
}

/// The level of collection `cid`, when it exists and the user is cleared for it.
fn find_collection(cid: &str, user: &User) -> Result<Tlp, ApiError> {
    Tlp::ALL
        .into_iter()
        .find(|t| collection_id(*t) == cid && *t <= user.clearance)
        .ok_or_else(|| ApiError::not_found(format!("no collection {cid:?} is available to you")))
}

async fn collections(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let list: Vec<Value> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= user.clearance)
        .map(|t| collection_json(t, &user))
        .collect();
    Ok(ok(json!({ "collections": list })))
}

async fn collection(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(cid): Path<String>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    Ok(ok(collection_json(tlp, &user)))
}

/// The TAXII filters of a request.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    added_after: Option<String>,
    ids: Vec<String>,
    types: Vec<String>,
    versions: Vec<VersionMatch>,
    spec_versions: Vec<String>,
    limit: usize,
    next: i64,
}

/// Normalises a STIX/RFC 3339 UTC timestamp to the store's `YYYY-MM-DDTHH:MM:SS.sssZ`
/// (fraction truncated to milliseconds).
fn normalise_time(t: &str) -> Option<String> {
    let t = t.trim();
    let body = t.strip_suffix('Z').or_else(|| t.strip_suffix('z'))?;
    let (secs, frac) = body.split_once('.').unwrap_or((body, ""));
    let b = secs.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T' || *c == b't',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let ms: String = frac.chars().chain("000".chars()).take(3).collect();
    Some(format!("{}T{}.{ms}Z", &secs[..10], &secs[11..]))
}

pub(crate) fn parse_filters(
    params: &[(String, String)],
    allow_id: bool,
) -> Result<Filters, ApiError> {
    let mut f = Filters {
        limit: DEFAULT_LIMIT,
        ..Filters::default()
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    for (k, v) in params {
        match k.as_str() {
            "added_after" => {
                f.added_after = Some(normalise_time(v).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "added_after {v:?} is not a UTC timestamp like 2024-01-31T12:00:00.000Z"
                    ))
                })?)
            }
            "limit" => {
                let n: usize = v.parse().map_err(|_| {
                    ApiError::bad_request(format!("limit {v:?} is not a positive number"))
                })?;
                f.limit = n.clamp(1, MAX_LIMIT);
            }
            "next" => {
                f.next = v.parse().map_err(|_| {
                    ApiError::bad_request(format!("next {v:?} is not a value this server returned"))
                })?
            }
            "match[id]" if allow_id => f.ids.extend(list(v)),
            "match[type]" => f.types.extend(list(v)),
            "match[spec_version]" => f.spec_versions.extend(list(v)),
            "match[version]" => {
                for v in list(v) {
                    f.versions.push(match v.as_str() {
                        "last" => VersionMatch::Last,
                        "first" => VersionMatch::First,
                        "all" => VersionMatch::All,
                        other => VersionMatch::Modified(other.to_string()),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

/// One page of object versions and whether more follow, with the read audited when it holds
/// AMBER or above.
fn read_page(
    store: &mut dyn Store,
    user: &User,
    collection: Tlp,
    mut f: Filters,
    path: &str,
) -> Result<(Vec<ObjectRow>, bool), ApiError> {
    // Everything is stored as STIX 2.1 (2.0 is upgraded on ingest).
    if !f.spec_versions.is_empty() && !f.spec_versions.iter().any(|v| v == "2.1") {
        return Ok((Vec::new(), false));
    }
    let limit = f.limit;
    let query = ObjectQuery {
        reader: user.reader(),
        max_tlp: collection,
        ids: std::mem::take(&mut f.ids),
        types: std::mem::take(&mut f.types),
        versions: std::mem::take(&mut f.versions),
        added_after: f.added_after.take(),
        after_seq: f.next,
        limit: limit + 1,
    };
    let mut rows = store.query_objects(&query).map_err(ApiError::store)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    audit_restricted(store, user, path, &rows)?;
    Ok((rows, more))
}

/// Writes an audit entry when `rows` hold AMBER or above.
pub(crate) fn audit_restricted(
    store: &mut dyn Store,
    user: &User,
    path: &str,
    rows: &[ObjectRow],
) -> Result<(), ApiError> {
    let restricted: Vec<Value> = rows
        .iter()
        .filter(|r| r.tlp >= Tlp::Amber)
        .map(|r| json!({"id": r.id, "modified": r.modified, "tlp": r.tlp.as_str()}))
        .collect();
    if restricted.is_empty() {
        return Ok(());
    }
    store
        .audit(&AuditEntry {
            actor: user.name.clone(),
            action: "read-restricted".into(),
            subject: path.into(),
            detail: json!({"organisation": user.organisation, "count": restricted.len(), "objects": restricted}),
        })
        .map_err(ApiError::store)
}

/// The TAXII paging headers and body wrapper around a page.
fn envelope(rows: &[ObjectRow], more: bool, items: String) -> Response {
    let mut body = String::with_capacity(items.len() + 64);
    body.push_str(&format!("{{\"more\":{more}"));
    if more {
        if let Some(last) = rows.last() {
            body.push_str(&format!(",\"next\":\"{}\"", last.seq));
        }
    }
    if !rows.is_empty() {
        body.push_str(",\"objects\":[");
        body.push_str(&items);
        body.push(']');
    }
    body.push('}');
    let mut resp = taxii(StatusCode::OK, body);
    date_headers(&mut resp, rows);
    resp
}

fn date_headers(resp: &mut Response, rows: &[ObjectRow]) {
    let first = rows.iter().map(|r| &r.date_added).min();
    let last = rows.iter().map(|r| &r.date_added).max();
    for (name, value) in [
        ("x-taxii-date-added-first", first),
        ("x-taxii-date-added-last", last),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
            resp.headers_mut().insert(name, v);
        }
    }
}

fn objects_body(rows: &[ObjectRow]) -> String {
    let mut items = String::new();
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            items.push(',');
        }
        items.push_str(&r.json);
    }
    items
}

/// The version TAXII reports: `modified`, or the date added for objects STIX does not version.
fn version_of(r: &ObjectRow) -> &str {
    if r.modified.is_empty() {
        &r.date_added
    } else {
        &r.modified
    }
}

async fn get_objects(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(cid): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    let f = parse_filters(&params, true)?;
    let path = uri.path().to_string();
    let (rows, more) = s
        .with_store(move |st| read_page(st, &user, tlp, f, &path))
        .await?;
    let items = objects_body(&rows);
    Ok(envelope(&rows, more, items))
}

async fn get_object(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path((cid, oid)): Path<(String, String)>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    let mut f = parse_filters(&params, false)?;
    f.ids = vec![oid.clone()];
    let path = uri.path().to_string();
    let (rows, more) = s
        .with_store(move |st| read_page(st, &user, tlp, f, &path))
        .await?;
    if rows.is_empty() && !more {
        return Err(ApiError::not_found(format!(
            "no object {oid:?} in collection {cid:?} is available to you"
        )));
    }
    let items = objects_body(&rows);
    Ok(envelope(&rows, more, items))
}

async fn versions(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path((cid, oid)): Path<(String, String)>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    let mut f = parse_filters(&params, false)?;
    f.ids = vec![oid.clone()];
    f.versions = vec![VersionMatch::All];
    let path = uri.path().to_string();
    let (rows, more) = s
        .with_store(move |st| read_page(st, &user, tlp, f, &path))
        .await?;
    if rows.is_empty() && !more {
        return Err(ApiError::not_found(format!(
            "no object {oid:?} in collection {cid:?} is available to you"
        )));
    }
    let mut list: Vec<&str> = rows.iter().map(version_of).collect();
    list.sort_unstable();
    let mut body = json!({"more": more, "versions": list});
    if more {
        body["next"] = json!(rows.last().map(|r| r.seq.to_string()));
    }
    let mut resp = ok(body);
    date_headers(&mut resp, &rows);
    Ok(resp)
}

async fn manifest(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(cid): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    let f = parse_filters(&params, true)?;
    let path = uri.path().to_string();
    let (rows, more) = s
        .with_store(move |st| read_page(st, &user, tlp, f, &path))
        .await?;
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "date_added": r.date_added,
                "version": version_of(r),
                "media_type": STIX_TYPE,
            })
            .to_string()
        })
        .collect();
    Ok(envelope(&rows, more, items.join(",")))
}

async fn delete_object(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((cid, oid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    if user.role < Role::Admin {
        return Err(ApiError::forbidden(
            "only an administrator may delete objects",
        ));
    }
    s.with_store(move |st| {
        let visible = st
            .query_objects(&ObjectQuery {
                reader: user.reader(),
                max_tlp: tlp,
                ids: vec![oid.clone()],
                types: vec![],
                versions: vec![VersionMatch::All],
                added_after: None,
                after_seq: 0,
                limit: 1,
            })
            .map_err(ApiError::store)?;
        if visible.is_empty() {
            return Err(ApiError::not_found(format!(
                "no object {oid:?} in collection {cid:?} is available to you"
            )));
        }
        st.delete_object(
            &oid,
            &AuditEntry {
                actor: user.name.clone(),
                action: "delete-object".into(),
                subject: oid.clone(),
                detail: json!({"collection": cid, "via": "taxii"}),
            },
        )
        .map_err(ApiError::store)?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::OK.into_response())
}

async fn add_objects(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(cid): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let tlp = find_collection(&cid, &user)?;
    if user.role < Role::Contributor {
        return Err(ApiError::forbidden(
            "adding objects needs the contributor role or above",
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.starts_with("application/taxii+json")
        || content_type.starts_with("application/json"))
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!("send an envelope as {TAXII_TYPE}, not {content_type:?}"),
        ));
    }
    let envelope: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the envelope is not JSON: {e}")))?;
    let Some(objects) = envelope.get("objects").and_then(Value::as_array).cloned() else {
        return Err(ApiError::bad_request(
            "the envelope has no \"objects\" list (TAXII 2.1 section 3.7)",
        ));
    };
    let status = s
        .with_store(move |st| add(st, &user, tlp, &cid, objects))
        .await?;
    Ok(taxii(StatusCode::ACCEPTED, status.to_string()))
}

/// Runs an add as a job recorded in the store, so any server process can answer its status.
fn add(
    store: &mut dyn Store,
    user: &User,
    tlp: Tlp,
    cid: &str,
    objects: Vec<Value>,
) -> Result<Value, ApiError> {
    let request_timestamp = now_utc(store)?;
    // Each object's id and version go into the job, so that if this process dies before it
    // answers, another can still settle the status from what the store holds
    // ([`settle_abandoned_adds`]).
    let listed: Vec<Value> = objects
        .iter()
        .map(|o| {
            json!({"id": o.get("id").and_then(Value::as_str).unwrap_or(""),
                   "version": o.get("modified").or_else(|| o.get("created")).and_then(Value::as_str)})
        })
        .collect();
    let job = store
        .enqueue_job(
            ADD_JOB,
            &json!({"user": user.name, "organisation": user.organisation, "collection": cid,
                    "count": objects.len(), "request_timestamp": request_timestamp,
                    "objects": listed}),
        )
        .map_err(ApiError::store)?;
    let worker = format!("server-{}", std::process::id());
    if !store.claim_job_id(job, &worker).map_err(ApiError::store)? {
        return Err(ApiError::internal(
            "the add job was claimed by someone else",
        ));
    }
    let result = ingest_envelope(store, user, tlp, &objects);
    let (summary, diagnostics, dangling) = match result {
        Ok(x) => x,
        Err(e) => (json!({"error": e.to_string()}), vec![e.to_string()], vec![]),
    };
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let pointer = format!("/objects/{i}");
        let id = o.get("id").and_then(Value::as_str).unwrap_or("");
        let version = o
            .get("modified")
            .or_else(|| o.get("created"))
            .and_then(Value::as_str);
        let kept = !id.is_empty() && store.contains_id(id).map_err(ApiError::store)?;
        let mut entry = json!({"id": id});
        if let Some(v) = version {
            entry["version"] = json!(v);
        }
        if kept {
            // Stored, but it refers to objects this client could not have sent or read: say so.
            let missing: Vec<String> = dangling
                .iter()
                .filter(|d| d.pointer.starts_with(&format!("{pointer}/")))
                .map(|d| format!("`{}` -> {}", d.property, d.missing))
                .collect();
            if !missing.is_empty() {
                entry["message"] = json!(format!(
                    "stored; it refers to objects that are neither in this request nor in the store as you may read it: {}",
                    missing.join(", ")
                ));
            }
            successes.push(entry);
        } else {
            let why = diagnostics
                .iter()
                .find(|d| {
                    d.starts_with(&format!("{pointer}/")) || d.starts_with(&format!("{pointer} "))
                })
                .or(diagnostics.first())
                .cloned()
                .unwrap_or_else(|| "not stored".into());
            entry["message"] = json!(why);
            failures.push(entry);
        }
    }
    let result = json!({
        "successes": successes,
        "failures": failures,
        "summary": summary,
    });
    store.finish_job(job, &result).map_err(ApiError::store)?;
    let record = store
        .job(job)
        .map_err(ApiError::store)?
        .ok_or_else(|| ApiError::internal("the add job vanished"))?;
    Ok(status_json(&record))
}

fn now_utc(store: &mut dyn Store) -> Result<String, ApiError> {
    // The store's clock, so every process reports times alike: a throwaway job would be heavy,
    // so use the system clock in the store's format.
    let _ = store;
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Ok(format_unix_ms(d.as_millis() as i64))
}

/// Formats milliseconds since 1970 as `YYYY-MM-DDTHH:MM:SS.sssZ` (civil-from-days, proleptic Gregorian).
fn format_unix_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// Ingests the envelope's objects through the same pipeline as the CLI (one file, one
/// transaction; invalid objects are listed and the valid ones kept).
fn ingest_envelope(
    store: &mut dyn Store,
    user: &User,
    tlp: Tlp,
    objects: &[Value],
) -> anyhow::Result<(Value, Vec<String>, Vec<threatscape_ingest::DanglingRef>)> {
    let mut file = tempfile::Builder::new()
        .prefix("taxii-add-")
        .suffix(".json")
        .tempfile()?;
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": objects,
    });
    serde_json::to_writer(&mut file, &bundle)?;
    std::io::Write::flush(&mut file)?;
    let inputs = threatscape_ingest::collect_inputs(&[file.path().to_path_buf()]);
    let options = threatscape_ingest::Options {
        skip_invalid_objects: true,
        run: threatscape_store::NewRun {
            contributor: Some(user.organisation.clone()),
            contributor_type: None,
            declared_tlp: Some(tlp),
            actor: user.name.clone(),
            // TAXII has no way to name recipients: a collection's restricted objects stay the
            // contributor's own.
            recipients: Vec::new(),
        },
        // A reference is resolved only against what the client may read, so the status cannot
        // tell it that an object above its clearance exists.
        refs_visible_to: Some(threatscape_store::Reader {
            clearance: user.clearance,
            organisation: Some(user.organisation.clone()),
        }),
        ..threatscape_ingest::Options::default()
    };
    let summary = threatscape_ingest::ingest(store, &inputs, &options, &mut |_| {})?;
    let diagnostics: Vec<String> = summary
        .errors
        .iter()
        .map(|d| {
            format!(
                "{} {}: {}",
                d.pointer.as_deref().unwrap_or(""),
                d.code,
                d.message
            )
        })
        .collect();
    let dangling = summary.dangling.clone();
    Ok((serde_json::to_value(&summary)?, diagnostics, dangling))
}

/// How long an add may run before its process is presumed dead, by default. An add of 100,000
/// objects takes seconds; ten minutes leaves room for a slow disk without leaving clients waiting
/// forever.
pub(crate) const ADD_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

/// The environment variable that sets the lease in whole seconds (at least 1), for a deployment
/// whose adds are known to be short, or a test that must not wait ten minutes.
pub(crate) const ADD_LEASE_VAR: &str = "THREATSCAPE_TAXII_ADD_LEASE_SECS";

/// The lease of this process: [`ADD_LEASE_VAR`] when set to a whole number of seconds of at
/// least 1, else [`ADD_LEASE`] (with a warning when the variable is set but unusable).
pub(crate) fn add_lease() -> std::time::Duration {
    match std::env::var(ADD_LEASE_VAR) {
        Err(_) => ADD_LEASE,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(secs) if secs >= 1 => std::time::Duration::from_secs(secs),
            _ => {
                tracing::warn!(
                    "{ADD_LEASE_VAR}={v:?} is not a whole number of seconds of at least 1; using {} s",
                    ADD_LEASE.as_secs()
                );
                ADD_LEASE
            }
        },
    }
}

/// Settles the add jobs left running past `lease` (their process was killed before it answered):
/// each listed object the store holds is a success, each other a failure asking to send it again
/// (adding is idempotent), so the status resource stops saying "pending" for ever. Another process
/// settling the same job at the same moment is harmless: the second finish is refused and ignored.
/// Returns how many jobs this call settled.
pub(crate) fn settle_abandoned_adds(
    store: &mut dyn Store,
    lease: std::time::Duration,
) -> Result<usize, ApiError> {
    let stale = store
        .stale_jobs(ADD_JOB, lease.as_millis() as i64)
        .map_err(ApiError::store)?;
    let mut settled = 0;
    for job in stale {
        let mut successes = Vec::new();
        let mut failures = Vec::new();
        let listed = job.payload.get("objects").and_then(Value::as_array);
        for o in listed.into_iter().flatten() {
            let id = o.get("id").and_then(Value::as_str).unwrap_or("");
            let mut entry = json!({"id": id});
            if let Some(v) = o.get("version").and_then(Value::as_str) {
                entry["version"] = json!(v);
            }
            if !id.is_empty() && store.contains_id(id).map_err(ApiError::store)? {
                successes.push(entry);
            } else {
                entry["message"] = json!("the server stopped before it finished this request; nothing of this object was stored: send it again (adding is idempotent)");
                failures.push(entry);
            }
        }
        let count = job
            .payload
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if listed.is_none() && count > 0 {
            // A job queued before objects were listed in it: nothing tells which arrived.
            failures.push(json!({"id": "", "message": format!(
                "the server stopped before it finished this request of {count} objects; which of them were stored is unknown: send them again (adding is idempotent)")}));
        }
        let result = json!({
            "successes": successes,
            "failures": failures,
            "summary": {"error": "the server stopped before it answered; settled from the store's contents"},
        });
        if store.finish_job(job.id, &result).is_ok() {
            settled += 1;
        }
    }
    Ok(settled)
}

fn status_json(job: &threatscape_store::JobRecord) -> Value {
    let empty = Vec::new();
    let result = job.result.as_ref();
    let list = |k: &str| {
        result
            .and_then(|r| r.get(k))
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .clone()
    };
    let successes = list("successes");
    let failures = list("failures");
    let total = job
        .payload
        .get("count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let done = job.state == threatscape_store::JobState::Done;
    let pending = if done {
        0
    } else {
        total.saturating_sub((successes.len() + failures.len()) as u64)
    };
    json!({
        "id": job.id.to_string(),
        "status": if done { "complete" } else { "pending" },
        "request_timestamp": job.payload.get("request_timestamp").cloned().unwrap_or(json!(job.enqueued)),
        "total_count": total,
        "success_count": successes.len(),
        "successes": successes,
        "failure_count": failures.len(),
        "failures": failures,
        "pending_count": pending,
    })
}

async fn status(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(sid): Path<String>,
) -> Result<Response, ApiError> {
    let user = s.user(&headers).await?;
    let missing = || ApiError::not_found(format!("no status {sid:?} is available to you"));
    let id: i64 = sid.parse().map_err(|_| missing())?;
    let job = s
        .with_store(move |st| st.job(id).map_err(ApiError::store))
        .await?
        .filter(|j| j.kind == ADD_JOB)
        .filter(|j| {
            user.role == Role::Admin
                || j.payload.get("user").and_then(Value::as_str) == Some(user.name.as_str())
        })
        .ok_or_else(missing)?;
    Ok(ok(status_json(&job)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_times() {
        assert_eq!(
            normalise_time("2024-01-31T12:00:00Z").as_deref(),
            Some("2024-01-31T12:00:00.000Z")
        );
        assert_eq!(
            normalise_time("2024-01-31T12:00:00.123456Z").as_deref(),
            Some("2024-01-31T12:00:00.123Z")
        );
        assert_eq!(normalise_time("2024-01-31 12:00"), None);
        assert_eq!(normalise_time("2024-01-31T12:00:00+01:00"), None);
    }

    #[test]
    fn formats_unix_times() {
        assert_eq!(format_unix_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_unix_ms(1_709_210_096_789),
            "2024-02-29T12:34:56.789Z"
        );
    }

    /// An add whose process died: another process settles it from what the store holds, once.
    #[test]
    fn settles_an_add_left_running_from_the_store() {
        use threatscape_store::{
            AuditEntry, BatchItem, NewRun, ObjectVersion, OnConflict, SqliteStore,
        };
        let mut store = SqliteStore::open_in_memory().unwrap();
        let stored = "campaign--11111111-1111-4111-8111-111111111111";
        let lost = "campaign--22222222-2222-4222-8222-222222222222";
        let run = store.begin_run(&NewRun::default()).unwrap();
        store
            .write_batch(
                run,
                &AuditEntry {
                    actor: "t".into(),
                    action: "taxii-add".into(),
                    subject: "x".into(),
                    detail: json!({}),
                },
                OnConflict::Reject,
                &mut std::iter::once(Ok(BatchItem::Object(ObjectVersion {
                    id: stored.into(),
                    modified: "2024-01-01T00:00:00.000Z".into(),
                    type_: "campaign".into(),
                    tlp: Tlp::Clear,
                    json: json!({"id": stored, "type": "campaign"}).to_string(),
                    tag: 0,
                }))),
            )
            .unwrap();
        let job = store
            .enqueue_job(
                ADD_JOB,
                &json!({"count": 2, "objects": [
                    {"id": stored, "version": "2024-01-01T00:00:00.000Z"},
                    {"id": lost, "version": "2024-01-01T00:00:00.000Z"}]}),
            )
            .unwrap();
        assert!(store.claim_job_id(job, "server-that-died").unwrap());
        let lease = std::time::Duration::from_millis(5);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(settle_abandoned_adds(&mut store, lease).unwrap(), 1);
        let status = status_json(&store.job(job).unwrap().unwrap());
        assert_eq!(status["status"], "complete");
        assert_eq!(
            (
                status["total_count"].as_u64(),
                status["success_count"].as_u64(),
                status["failure_count"].as_u64(),
                status["pending_count"].as_u64()
            ),
            (Some(2), Some(1), Some(1), Some(0))
        );
        assert_eq!(status["successes"][0]["id"], stored);
        assert_eq!(status["failures"][0]["id"], lost);
        assert!(status["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("send it again"));
        // Settled once: a second sweep finds nothing.
        assert_eq!(settle_abandoned_adds(&mut store, lease).unwrap(), 0);
    }

    /// An add whose objects refer to objects neither in the request nor readable by the client:
    /// the objects are stored and their status entries say which references are missing; an
    /// object of another organisation's RED material counts as missing, so the status does not
    /// tell the client that it exists.
    #[test]
    fn an_add_names_the_references_it_could_not_resolve() {
        use threatscape_store::{
            AuditEntry, BatchItem, NewRun, ObjectVersion, OnConflict, SqliteStore,
        };
        let mut store = SqliteStore::open_in_memory().unwrap();
        let theirs = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
        let public = "malware--41b940d4-6f7f-459a-80ea-9c1f17b5891b";
        let nowhere = "intrusion-set--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
        for (id, tlp, org) in [(theirs, Tlp::Red, "CERT-B"), (public, Tlp::Clear, "CERT-B")] {
            let run = store
                .begin_run(&NewRun {
                    contributor: Some(org.into()),
                    actor: "t".into(),
                    ..NewRun::default()
                })
                .unwrap();
            store
                .write_batch(
                    run,
                    &AuditEntry {
                        actor: "t".into(),
                        action: "ingest-file".into(),
                        subject: "x".into(),
                        detail: json!({}),
                    },
                    OnConflict::Reject,
                    &mut std::iter::once(Ok(BatchItem::Object(ObjectVersion {
                        id: id.into(),
                        modified: "2024-01-01T00:00:00.000Z".into(),
                        type_: "malware".into(),
                        tlp,
                        json: json!({"id": id, "type": "malware"}).to_string(),
                        tag: 0,
                    }))),
                )
                .unwrap();
        }
        let relationship = |n: u32, target: &str| {
            json!({"type": "relationship", "spec_version": "2.1",
                   "id": format!("relationship--{n:08x}-ba52-4f0c-87a3-1824e67d7fad"),
                   "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                   "relationship_type": "uses", "source_ref": nowhere, "target_ref": target})
        };
        let user = User {
            name: "alice".into(),
            organisation: "CERT-A".into(),
            role: Role::Contributor,
            clearance: Tlp::Red,
        };
        let objects = vec![relationship(1, theirs), relationship(2, public)];
        let status = add(&mut store, &user, Tlp::Green, "green", objects).unwrap();
        assert_eq!(status["success_count"], 2, "{status:#}");
        let message = |i: usize| {
            status["successes"][i]["message"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            message(0),
            format!("stored; it refers to objects that are neither in this request nor in the store as you may read it: `source_ref` -> {nowhere}, `target_ref` -> {theirs}")
        );
        assert_eq!(
            message(1),
            format!("stored; it refers to objects that are neither in this request nor in the store as you may read it: `source_ref` -> {nowhere}")
        );
    }
}
