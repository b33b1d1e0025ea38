//! REST under `/api/v1/debate`: meetings, inscriptions with their acknowledgement, the speaking
//! order, the chamber's live state, exports, statements and their links. Everyone signed in reads;
//! the secretariat and administrators write (every write is an event in the meeting's log, with
//! the user's name).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use threatscape_debate::jiff::civil::DateTime;
use threatscape_debate::jiff::Timestamp;
use threatscape_debate::{
    Delegation, InscriptionId, Joint, Letter, MeetingSpec, Placement, RecordError, Request,
    Session, SignatoryTitle, Speaker,
};

use super::store::{self, Stored};
use super::{
    export_body, list_error, live_error, meeting_json, random_seed, record_error, reference,
    statements_json, ExportFormat, LiveAction,
};
use crate::{ApiError, AppState, User};

pub(super) fn routes() -> Router<AppState> {
    let m = "/api/v1/debate/meetings/{id}";
    Router::new()
        .route("/api/v1/debate/meetings", get(list).post(create))
        .route(m, get(show))
        .route(&format!("{m}/events"), get(events))
        .route(
            &format!("{m}/inscriptions"),
            get(inscriptions).post(inscribe),
        )
        .route(&format!("{m}/inscriptions/{{n}}"), get(inscription))
        .route(&format!("{m}/inscriptions/{{n}}/letter"), post(letter))
        .route(&format!("{m}/inscriptions/{{n}}/withdraw"), post(withdraw))
        .route(&format!("{m}/inscriptions/{{n}}/replace"), post(replace))
        .route(&format!("{m}/inscriptions/{{n}}/move"), post(move_speaker))
        .route(
            &format!("{m}/inscriptions/{{n}}/statement"),
            post(statement),
        )
        .route(&format!("{m}/draw"), post(draw))
        .route(&format!("{m}/sessions"), post(session))
        .route(&format!("{m}/order"), get(order))
        .route(&format!("{m}/live"), get(live).post(live_step))
        .route(&format!("{m}/export"), get(export))
        .route(&format!("{m}/statements"), get(statements))
        .route(&format!("{m}/letters/{{sha256}}"), get(letter_file))
}

/// Refuses a change by anyone but the secretariat or an administrator.
pub(super) fn require_writer(user: &User) -> Result<(), ApiError> {
    if super::may_write(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "changing a meeting needs the secretariat or admin role; {} has the {} role",
            user.name,
            user.role.as_str()
        )))
    }
}

async fn reader(s: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    s.user(headers).await
}

async fn writer(s: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    let user = s.user(headers).await?;
    require_writer(&user)?;
    Ok(user)
}

async fn load(s: &AppState, id: String) -> Result<Stored, ApiError> {
    s.with_store(move |st| {
        store::load(st, &id)
            .map_err(super::store_error)?
            .ok_or_else(|| ApiError::not_found(format!("there is no meeting '{id}'")))
    })
    .await
}

/// Runs a change on a meeting in the store, mapping both kinds of failure.
async fn change<T, E, F>(
    s: &AppState,
    id: String,
    actor: String,
    f: F,
) -> Result<(T, Stored), ApiError>
where
    T: Send + 'static,
    E: Send + 'static,
    F: FnMut(&mut threatscape_debate::MeetingRecord) -> Result<T, E> + Send + 'static,
    ApiError: From<WrapErr<E>>,
{
    let (out, stored) = s
        .with_store(move |st| store::update(st, &id, &actor, f).map_err(super::store_error))
        .await?;
    match out {
        Ok(v) => Ok((v, stored)),
        Err(e) => Err(ApiError::from(WrapErr(e))),
    }
}

/// An error of the debate library, to be turned into a response.
struct WrapErr<E>(E);

impl From<WrapErr<threatscape_debate::ListError>> for ApiError {
    fn from(e: WrapErr<threatscape_debate::ListError>) -> Self {
        list_error(&e.0)
    }
}

impl From<WrapErr<threatscape_debate::LiveError>> for ApiError {
    fn from(e: WrapErr<threatscape_debate::LiveError>) -> Self {
        live_error(&e.0)
    }
}

impl From<WrapErr<threatscape_debate::RecordError>> for ApiError {
    fn from(e: WrapErr<threatscape_debate::RecordError>) -> Self {
        record_error(&e.0)
    }
}

fn now() -> Timestamp {
    Timestamp::now()
}

async fn list(State(s): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let all = s
        .with_store(|st| store::meetings(st).map_err(super::store_error))
        .await?;
    let results: Vec<Value> = all.iter().map(|m| meeting_json(&m.record)).collect();
    Ok(Json(json!({ "results": results })))
}

async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(spec): Json<MeetingSpec>,
) -> Result<Response, ApiError> {
    let user = writer(&s, &headers).await?;
    let record = threatscape_debate::MeetingRecord::create(reference(), spec, &user.name, now())
        .map_err(|e| record_error(&e))?;
    let stored = s
        .with_store(move |st| store::create(st, record, &user.name).map_err(super::store_error))
        .await?;
    Ok((StatusCode::CREATED, Json(meeting_json(&stored.record))).into_response())
}

async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    Ok(Json(meeting_json(&m.record)))
}

async fn events(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    Ok(Json(json!({ "events": m.record.events() })))
}

async fn inscriptions(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    let list = m.record.list();
    let results: Vec<Value> = list
        .inscriptions()
        .into_values()
        .map(|i| json!({ "inscription": i, "acknowledgement": list.acknowledgement(i.id) }))
        .collect();
    Ok(Json(json!({ "results": results })))
}

async fn inscription(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    let list = m.record.list();
    let i = list
        .inscriptions()
        .remove(&n)
        .ok_or_else(|| ApiError::not_found(format!("there is no inscription no. {n}")))?;
    let ack = list.acknowledgement(n);
    Ok(Json(
        json!({ "inscription": i, "acknowledgement": ack, "message": ack.to_string() }),
    ))
}

/// A rule 37 letter as uploaded: the PDF in base64 and who signed it.
#[derive(Debug, Deserialize)]
pub(super) struct LetterUpload {
    pub(super) file_name: String,
    pub(super) pdf_base64: String,
    pub(super) signatory_name: String,
    pub(super) signatory_title: String,
}

impl LetterUpload {
    /// The letter and its PDF bytes.
    pub(super) fn read(&self) -> Result<(Letter, Vec<u8>), ApiError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.pdf_base64.trim())
            .map_err(|e| {
                ApiError::bad_request(format!(
                    "letter {}: pdf_base64 is not base64: {e}",
                    self.file_name
                ))
            })?;
        let letter = Letter::from_pdf(
            &self.file_name,
            &bytes,
            &self.signatory_name,
            SignatoryTitle::parse(&self.signatory_title),
        )
        .map_err(|e| list_error(&e))?;
        Ok((letter, bytes))
    }
}

#[derive(Debug, Deserialize)]
struct InscriptionBody {
    delegation: Delegation,
    speaker: Speaker,
    #[serde(default)]
    joint: Option<Joint>,
    #[serde(default)]
    letter: Option<LetterUpload>,
}

async fn inscribe(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<InscriptionBody>,
) -> Result<Response, ApiError> {
    let user = writer(&s, &headers).await?;
    let letter = body.letter.as_ref().map(LetterUpload::read).transpose()?;
    let request = Request {
        delegation: body.delegation,
        speaker: body.speaker,
        letter: letter.as_ref().map(|(l, _)| l.clone()),
        joint: body.joint,
    };
    let actor = user.name.clone();
    let (ack, _) = s
        .with_store(move |st| {
            if let Some((l, bytes)) = &letter {
                store::save_letter(st, l, bytes, &actor).map_err(super::store_error)?;
            }
            let t = now();
            store::update(st, &id, &actor, |m| {
                m.inscribe(reference(), request.clone(), &actor, t)
            })
            .map_err(super::store_error)
        })
        .await?;
    let ack = ack.map_err(|e| list_error(&e))?;
    let message = ack.to_string();
    Ok((
        StatusCode::CREATED,
        Json(json!({ "acknowledgement": ack, "message": message })),
    )
        .into_response())
}

async fn letter(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
    Json(body): Json<LetterUpload>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let (letter, bytes) = body.read()?;
    let actor = user.name.clone();
    let saved = letter.clone();
    s.with_store(move |st| {
        store::save_letter(st, &saved, &bytes, &actor).map_err(super::store_error)
    })
    .await?;
    let (ack, _) = change(&s, id, user.name.clone(), move |m| {
        m.attach_letter(n, letter.clone(), &user.name, now())
    })
    .await?;
    let message = ack.to_string();
    Ok(Json(json!({ "acknowledgement": ack, "message": message })))
}

#[derive(Debug, Deserialize)]
struct Reason {
    reason: String,
}

async fn withdraw(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
    Json(body): Json<Reason>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        m.withdraw(n, &body.reason, &user.name, now())
    })
    .await?;
    Ok(Json(json!({ "order": stored.record.order() })))
}

#[derive(Debug, Deserialize)]
struct Replacement {
    speaker: Speaker,
    reason: String,
}

async fn replace(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
    Json(body): Json<Replacement>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let (ack, _) = change(&s, id, user.name.clone(), move |m| {
        m.replace_speaker(n, body.speaker.clone(), &body.reason, &user.name, now())
    })
    .await?;
    let message = ack.to_string();
    Ok(Json(json!({ "acknowledgement": ack, "message": message })))
}

#[derive(Debug, Deserialize)]
struct Move {
    #[serde(default)]
    before: Option<InscriptionId>,
    #[serde(default)]
    after: Option<InscriptionId>,
    reason: String,
}

async fn move_speaker(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
    Json(body): Json<Move>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let placement = match (body.before, body.after) {
        (Some(b), None) => Placement::Before(b),
        (None, Some(a)) => Placement::After(a),
        _ => {
            return Err(ApiError::bad_request(
                "give exactly one of before or after (an inscription number)",
            ))
        }
    };
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        m.move_speaker(n, placement, &body.reason, &user.name, now())
    })
    .await?;
    Ok(Json(json!({ "order": stored.record.order() })))
}

#[derive(Debug, Deserialize)]
struct StatementBody {
    text: String,
    #[serde(default)]
    file_name: Option<String>,
}

async fn statement(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, InscriptionId)>,
    Json(body): Json<StatementBody>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    if body.text.trim().is_empty() {
        return Err(ApiError::bad_request("the statement's text is empty"));
    }
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        m.attach_statement(n, &body.text, body.file_name.as_deref(), &user.name, now())
    })
    .await?;
    let links = statements_json(&stored.record);
    Ok(Json(links))
}

#[derive(Debug, Default, Deserialize)]
struct DrawBody {
    #[serde(default)]
    seed: Option<u64>,
}

async fn draw(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Option<Json<DrawBody>>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let seed = body.and_then(|b| b.0.seed).unwrap_or_else(random_seed);
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        m.make_draw(seed, &user.name, now())
    })
    .await?;
    Ok(Json(
        json!({ "seed": seed, "order": stored.record.order() }),
    ))
}

async fn order(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    Ok(Json(json!(m.record.order())))
}

async fn live(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    Ok(Json(json!(m.record.live_view(now()))))
}

#[derive(Debug, Deserialize)]
struct LiveBody {
    action: LiveAction,
    #[serde(default)]
    inscription: Option<InscriptionId>,
}

async fn live_step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<LiveBody>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    if body.action == LiveAction::Call && body.inscription.is_none() {
        return Err(ApiError::bad_request(
            "call needs the inscription number of the speaker to call",
        ));
    }
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        body.action.apply(m, body.inscription, &user.name, now())
    })
    .await?;
    Ok(Json(json!(stored.record.live_view(now()))))
}

#[derive(Debug, Deserialize)]
struct ExportParams {
    #[serde(default)]
    format: Option<ExportFormat>,
}

async fn export(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    let format = p.format.unwrap_or(ExportFormat::Json);
    let (media, body) = export_body(&m.record, format, now());
    Ok(([(header::CONTENT_TYPE, media)], body).into_response())
}

async fn statements(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    Ok(Json(statements_json(&m.record)))
}

async fn letter_file(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    reader(&s, &headers).await?;
    let m = load(&s, id).await?;
    let known = m
        .record
        .list()
        .inscriptions()
        .values()
        .any(|i| i.letter.as_ref().is_some_and(|l| l.sha256 == sha256));
    if !known {
        return Err(ApiError::not_found(format!(
            "no letter with SHA-256 {sha256} is attached to this meeting"
        )));
    }
    let file = s
        .with_store(move |st| store::letter(st, &sha256).map_err(super::store_error))
        .await?
        .ok_or_else(|| ApiError::not_found("the letter's file is not in the store"))?;
    // The name as uploaded is data: only its last part, without quotes or control characters
    // (a NUL or line break would make the header invalid), names the download.
    let base = file.0.rsplit(['/', '\\']).next().unwrap_or_default();
    let disposition = format!(
        "attachment; filename=\"{}\"",
        base.replace(|c: char| c == '"' || c.is_control(), "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.1,
    )
        .into_response())
}

/// Another sitting, New York wall-clock times.
#[derive(Debug, Deserialize)]
struct SessionBody {
    start: DateTime,
    end: DateTime,
}

async fn session(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<SessionBody>,
) -> Result<Json<Value>, ApiError> {
    let user = writer(&s, &headers).await?;
    let session = Session::between(body.start, body.end)
        .map_err(|e| record_error(&RecordError::Meeting(e)))?;
    let (_, stored) = change(&s, id, user.name.clone(), move |m| {
        m.plan_session(session.clone(), &user.name, now())
    })
    .await?;
    Ok(Json(meeting_json(&stored.record)))
}
