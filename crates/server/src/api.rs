//! The REST API under `/api/v1`, with its OpenAPI 3 document at `/api/v1/openapi.json`.
//!
//! Every read goes through the same access rule as TAXII. Lists page with an opaque `cursor`
//! (returned as `next_cursor`). Report lists and incidents show reports up to the caller's
//! clearance, AMBER+STRICT and RED only their organisation's own; full-text search and counts stop
//! at AMBER whatever the clearance. Contributors send files to
//! `POST /api/v1/uploads`, the contribution page's upload without the page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use threatscape_model::Tlp;
use threatscape_store::{Abort, ObjectQuery, ObjectRow, VersionMatch};

use crate::taxii::audit_restricted;
use crate::web::incidents::IncidentFilter;
use crate::{ApiError, AppState};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;

pub(crate) fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/objects", get(objects))
        .route("/api/v1/objects/{id}", get(object))
        .route("/api/v1/reports", get(reports))
        .route("/api/v1/incidents", get(incidents))
        .route("/api/v1/incident", get(incident))
        .route("/api/v1/uploads", axum::routing::post(upload))
        .route(
            "/api/v1/assessment-decisions",
            axum::routing::post(assessment_decision),
        )
        .route(
            "/api/v1/reconcile-decisions",
            axum::routing::post(reconcile_decision),
        );
    crate::auth::rate_limited(routes)
}

#[derive(Debug, serde::Deserialize)]
struct ListParams {
    #[serde(rename = "type")]
    type_: Option<String>,
    q: Option<String>,
    format: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

impl ListParams {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
    fn cursor(&self) -> Result<i64, ApiError> {
        match &self.cursor {
            None => Ok(0),
            Some(c) => c.parse().map_err(|_| {
                ApiError::bad_request(format!("cursor {c:?} is not one this server returned"))
            }),
        }
    }
}

/// Checks a full-text query before it reaches the store: words are searched as words (the
/// store quotes them), but a control character (NUL ends SQLite's query string early) is refused
/// with a 400 that says so rather than failing in the database.
pub(crate) fn search_words(q: &str) -> Result<(), ApiError> {
    match q.chars().find(|c| c.is_control() && !c.is_whitespace()) {
        Some(c) => Err(ApiError::bad_request(format!(
            "q holds the control character U+{:04X}; search for words",
            c as u32
        ))),
        None => Ok(()),
    }
}

fn row_json(r: &ObjectRow) -> Value {
    json!({
        "id": r.id,
        "type": r.type_,
        "modified": r.modified,
        "tlp": r.tlp.as_str(),
        "date_added": r.date_added,
        "object": serde_json::from_str::<Value>(&r.json).unwrap_or(Value::Null),
    })
}

async fn stats(State(s): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let max = user.clearance.min(Tlp::Amber);
    let body = s
        .with_store(move |st| {
            let by_type = st.counts_by_type(max).map_err(ApiError::store)?;
            let by_tlp: serde_json::Map<String, Value> = st
                .counts_by_tlp()
                .map_err(ApiError::store)?
                .into_iter()
                .filter(|(t, _)| *t <= max)
                .map(|(t, n)| (t.as_str().to_string(), n.into()))
                .collect();
            let by_format = st.counts_reports_by_format(max).map_err(ApiError::store)?;
            Ok(json!({
                "max_tlp": max.as_str(),
                "objects_by_type": by_type,
                "objects_by_tlp": by_tlp,
                "reports_by_format": by_format,
            }))
        })
        .await?;
    Ok(Json(body))
}

async fn objects(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let limit = p.limit();
    if let Some(q) = p.q.clone().filter(|q| !q.trim().is_empty()) {
        search_words(&q)?;
        let max = user.clearance.min(Tlp::Amber);
        let type_ = p.type_.clone();
        let hits = s
            .with_store(move |st| st.search(&q, max, limit).map_err(ApiError::store))
            .await?;
        let hits: Vec<_> = hits
            .into_iter()
            .filter(|h| type_.as_ref().is_none_or(|t| *t == h.type_))
            .collect();
        return Ok(Json(json!({"results": hits, "next_cursor": null})));
    }
    let query = ObjectQuery {
        reader: user.reader(),
        max_tlp: Tlp::Red,
        ids: vec![],
        types: p.type_.iter().cloned().collect(),
        versions: vec![VersionMatch::Last],
        added_after: None,
        after_seq: p.cursor()?,
        limit: limit + 1,
    };
    let path = uri.path().to_string();
    let (rows, more) = s
        .with_store(move |st| {
            let mut rows = st.query_objects(&query).map_err(ApiError::store)?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            audit_restricted(st, &user, &path, &rows)?;
            Ok((rows, more))
        })
        .await?;
    let next = more
        .then(|| rows.last().map(|r| r.seq.to_string()))
        .flatten();
    Ok(Json(json!({
        "results": rows.iter().map(row_json).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

async fn object(
    State(s): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let query = ObjectQuery {
        reader: user.reader(),
        max_tlp: Tlp::Red,
        ids: vec![id.clone()],
        types: vec![],
        versions: vec![VersionMatch::All],
        added_after: None,
        after_seq: 0,
        limit: 10_000,
    };
    let path = uri.path().to_string();
    let rows = s
        .with_store(move |st| {
            let rows = st.query_objects(&query).map_err(ApiError::store)?;
            audit_restricted(st, &user, &path, &rows)?;
            Ok(rows)
        })
        .await?;
    let latest = rows
        .iter()
        .max_by(|a, b| (&a.modified, a.seq).cmp(&(&b.modified, b.seq)))
        .ok_or_else(|| ApiError::not_found(format!("no object {id:?} is available to you")))?;
    Ok(Json(json!({
        "id": id,
        "latest": row_json(latest),
        "versions": rows.iter().map(|r| json!({"modified": r.modified, "tlp": r.tlp.as_str(), "date_added": r.date_added})).collect::<Vec<_>>(),
    })))
}

async fn reports(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let reader = user.reader();
    let limit = p.limit();
    let skip = p.cursor()?.max(0) as usize;
    let format = p.format.clone();
    let (page, more, shown) = s
        .with_store(move |st| {
            let mut seen = 0usize;
            let mut page = Vec::new();
            let mut shown = Vec::new();
            let mut more = false;
            let result = st.for_each_owned_report(reader.clearance, &mut |r, owner| {
                if !reader.may_read(r.tlp, owner)
                    || format.as_ref().is_some_and(|f| *f != r.provenance.format)
                {
                    return Ok(());
                }
                seen += 1;
                if seen <= skip {
                    return Ok(());
                }
                if page.len() == limit {
                    more = true;
                    return Err(Abort("page full".into()));
                }
                page.push(serde_json::to_value(r).unwrap_or(Value::Null));
                shown.push((r.key(), r.tlp));
                Ok(())
            });
            match result {
                Ok(()) | Err(threatscape_store::StoreError::Aborted(_)) => Ok((page, more, shown)),
                Err(e) => Err(ApiError::store(e)),
            }
        })
        .await?;
    s.audit_report_reads(&user, "/api/v1/reports".into(), shown)
        .await?;
    let next = more.then(|| (skip + limit).to_string());
    Ok(Json(json!({"results": page, "next_cursor": next})))
}

/// What `POST /api/v1/uploads` declares of its body, in its query string.
#[derive(Debug, serde::Deserialize)]
struct UploadParams {
    format: Option<String>,
    tlp: Option<String>,
    contributor_type: Option<String>,
    file_name: Option<String>,
    recipients: Option<String>,
}

/// `POST /api/v1/uploads?format=&tlp=&contributor_type=&file_name=&recipients=`: the body is one
/// file (STIX, MISP, a tracker CSV, VERIS, the native template), ingested exactly as the
/// contribution page's upload and `threatscape ingest` do, for the caller's organisation and the
/// recipients it names. 201 with the ingest summary and the reports it brought when the file was
/// kept; 422 with the summary saying why when not.
async fn upload(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<UploadParams>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    use crate::web::upload::{format_of, ingest_upload, shown, Upload, FORMATS};
    let user = s.user(&headers).await?;
    if user.role < crate::Role::Contributor {
        return Err(ApiError::forbidden(
            "your role (reader) does not submit files; ask an administrator for the contributor role",
        ));
    }
    let format_name = p.format.as_deref().unwrap_or("auto").trim();
    let format = format_of(format_name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "format {format_name:?} is not one of {}",
            FORMATS.map(|(v, _)| v).join(", ")
        ))
    })?;
    let tlp: Tlp = p
        .tlp
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("tlp is required: the level of the submission (clear, green, amber, amber+strict, red)"))?
        .parse()
        .map_err(|e| ApiError::bad_request(format!("tlp: {e}")))?;
    if tlp > user.clearance {
        return Err(ApiError::forbidden(format!(
            "tlp: you cannot mark a submission above your own clearance ({})",
            user.clearance
        )));
    }
    let contributor_type: threatscape_model::ContributorType = p
        .contributor_type
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("contributor_type is required: your organisation's type (un-system, member-state, private-sector, civil-society, academia, media)"))?
        .parse()
        .map_err(|e| ApiError::bad_request(format!("contributor_type: {e}")))?;
    let recipients = crate::web::upload::parse_recipients(p.recipients.as_deref().unwrap_or(""))
        .map_err(|why| ApiError::bad_request(format!("recipients: {why}")))?;
    let client_name = p.file_name.unwrap_or_default();
    if body.is_empty() {
        return Err(ApiError::bad_request(format!(
            "the body is empty: send the file {:?} as the request body",
            shown(&client_name)
        )));
    }
    let upload = Upload {
        format,
        tlp,
        contributor_type,
        recipients,
        client_name,
        data: body,
    };
    let (done, upload) = s
        .with_store(move |st| ingest_upload(st, &user, &upload).map(|done| (done, upload)))
        .await?;
    let status = if done.summary.all_files_kept() {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The summary names the temporary file; the caller knows it by the name they sent.
    let summary = serde_json::to_string(&done.summary)
        .map_err(|e| ApiError::internal(format!("writing the summary: {e}")))?;
    let quoted = |t: &str| serde_json::to_string(t).expect("strings serialise");
    let temp = quoted(&done.file);
    let client = quoted(&shown(&upload.client_name));
    let summary: Value = serde_json::from_str(
        &summary.replace(&temp[1..temp.len() - 1], &client[1..client.len() - 1]),
    )
    .map_err(|e| ApiError::internal(format!("rewriting the summary: {e}")))?;
    let reports: Vec<Value> = done
        .brought
        .iter()
        .map(|b| {
            json!({"title": b.title, "key": b.key, "tlp": b.tlp,
                   "incident": format!("/api/v1/incident?key={}", crate::web::enc(&b.key))})
        })
        .collect();
    Ok((
        status,
        Json(json!({"file_name": shown(&upload.client_name), "summary": summary, "reports": reports})),
    )
        .into_response())
}

/// Paging of the incident list (its filters are [`IncidentFilter`]'s).
#[derive(Debug, serde::Deserialize)]
struct Paging {
    limit: Option<usize>,
    cursor: Option<String>,
}

async fn incidents(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<IncidentFilter>,
    Query(p): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let max = crate::web::release_of(&user);
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let skip = match &p.cursor {
        None => 0,
        Some(c) => c.parse().map_err(|_| {
            ApiError::bad_request(format!("cursor {c:?} is not one this server returned"))
        })?,
    };
    let (page, more, shown) = crate::web::incidents::api_page(&s, max, &f, skip, limit).await?;
    s.audit_report_reads(&user, "/api/v1/incidents".into(), shown)
        .await?;
    let next = more.then(|| (skip + limit).to_string());
    Ok(Json(json!({"results": page, "next_cursor": next})))
}

/// Which incident: the key of one of its reports.
#[derive(Debug, serde::Deserialize)]
struct IncidentKey {
    key: Option<String>,
}

/// `GET /api/v1/incident?key=`: one incident with its assessment and decision history.
async fn incident(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(k): Query<IncidentKey>,
) -> Result<Json<Value>, ApiError> {
    let user = s.user(&headers).await?;
    let key = k.key.filter(|k| !k.trim().is_empty()).ok_or_else(|| {
        ApiError::bad_request("key is required: the key of one of the incident's reports")
    })?;
    crate::web::incidents::api_incident(&s, &user, key.trim())
        .await
        .map(Json)
}

/// The body of `POST /api/v1/assessment-decisions`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentDecisionBody {
    incident: String,
    dimension: String,
    label: String,
    verdict: String,
    reason: String,
}

/// A JSON body, or a 400 that says what is wrong with it.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t).map_err(|e| {
        ApiError::bad_request(format!(
            "the request body is not accepted: {}",
            e.body_text()
        ))
    })
}

/// `POST /api/v1/assessment-decisions`: an analyst confirms, rejects or adds a label, as
/// `threatscape assess confirm|reject|add` does.
async fn assessment_decision(
    State(s): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<AssessmentDecisionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = s.user(&headers).await?;
    let b = body(b)?;
    let verdict = match b.verdict.trim() {
        "confirm" => threatscape_assess::Verdict::Confirm,
        "reject" => threatscape_assess::Verdict::Reject,
        "add" => threatscape_assess::Verdict::Add,
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Decision not recorded",
                format!("verdict {other:?} is not one of confirm, reject, add"),
            ))
        }
    };
    let recorded = crate::web::incidents::record_assessment(
        &s,
        &user,
        b.incident,
        b.dimension,
        b.label,
        verdict,
        b.reason,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "decision": recorded.decision,
            "incident_reports": recorded.reports,
        })),
    ))
}

/// `POST /api/v1/reconcile-decisions`: an analyst links, unlinks or splits reports, as
/// `threatscape reconcile link|unlink|split` does.
async fn reconcile_decision(
    State(s): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<crate::web::incidents::ReconcileAsk>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = s.user(&headers).await?;
    let ask = body(b)?;
    let (record, show) = crate::web::incidents::record_reconcile(&s, &user, ask).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"decision": record, "incident": show})),
    ))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

const OPENAPI: &str = include_str!("openapi.json");
