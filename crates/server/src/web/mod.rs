//! The web app: server-rendered HTML pages behind a login form.
//!
//! Signed-in sessions live in the store (table `web_sessions`, the cookie's secret only as its
//! SHA-256), so every server process on one store knows them: a browser may be routed to any
//! process, and signing out in one ends the session in all. The cookie (`HttpOnly`,
//! `SameSite=Strict`, `Path=/`, and `Secure` unless the request came to a loopback host) holds a
//! random 32-byte secret; a session expires after [`IDLE`] without use or [`ABSOLUTE`] after
//! sign-in, and each request reads it, with the user's current role and clearance, from the store.
//! Every form carries a CSRF token derived from the cookie's secret (a keyed hash no one without
//! the cookie can compute, not stored anywhere); a POST whose `csrf` field does not match is
//! refused with 403. Before sign-in the cookie is an anonymous random value that nothing stores
//! (the login form's token is derived from it the same way), so visitors cost no state. Signing in
//! sets a fresh secret (no fixation). Sign-ins and failed sign-ins are audited (`sign-in`,
//! `sign-in-failed`, the name as typed); five failures for one user name within a minute, with no
//! sign-in since, lock that name for the rest of the minute in every process on the store (429),
//! before any password is checked.
//!
//! Pages read through the same rules as the REST API ([`crate::api`]): objects through the store's
//! access-checked query (clearance, and the organisation for AMBER+STRICT and RED), reports and
//! incidents by the same rule ([`release_of`]), counts, full-text search, the dashboard and
//! briefings at or below `min(clearance, AMBER)`.

mod admin;
mod briefings;
mod html;
pub(crate) mod incidents;
mod landscape;
mod pages;
pub(crate) mod upload;

use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use threatscape_model::Tlp;

use crate::{auth, AppState, User};

pub(crate) use briefings::run_schedule;
pub(crate) use html::{enc, esc};

/// The session cookie's name.
const COOKIE: &str = "ts_session";
/// A session unused for this long ends.
const IDLE: Duration = Duration::from_secs(2 * 3600);
/// A signed-in session ends this long after sign-in, however busy.
const ABSOLUTE: Duration = Duration::from_secs(12 * 3600);
/// A session's last use is written to the store at most this often (the precision of [`IDLE`]).
const TOUCH: Duration = Duration::from_secs(60);
/// Signed-in sessions kept per user; a further sign-in ends the oldest.
const SESSIONS_PER_USER: usize = 20;
/// Failed sign-ins allowed per user name per [`THROTTLE_WINDOW`].
const MAX_FAILURES: usize = 5;
const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

/// The derived landscape and its views, shared by every request of this process.
#[derive(Debug)]
pub(crate) struct WebState {
    /// Reports reconciled into incidents, kept until the store's change marker moves.
    pub(crate) incidents: incidents::IncidentCache,
    /// The landscape (store change marker) and the dashboard's and briefings' derivations.
    pub(crate) landscape: landscape::LandscapeCache,
}

impl Default for WebState {
    fn default() -> Self {
        // One derived landscape per process, shared by the incident pages and the dashboard: at
        // 100,000 reports each copy holds every report.
        let shared = std::sync::Arc::new(threatscape_landscape::Cached::new(
            threatscape_reconcile::Reconciler::default(),
        ));
        WebState {
            incidents: incidents::IncidentCache::new(std::sync::Arc::clone(&shared)),
            landscape: landscape::LandscapeCache::new(shared),
        }
    }
}

/// The signed-in user of a request, with the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) user: User,
    pub(crate) csrf: String,
}

impl Ctx {
    /// The level of the user's briefings and dashboard: `min(clearance, AMBER)`, the highest
    /// audience a briefing has (AMBER+STRICT and RED material is for its owner, never for a
    /// briefing).
    pub(crate) fn release_level(&self) -> Tlp {
        self.user.clearance.min(Tlp::Amber)
    }

    /// The reports the user's incident and report pages show ([`release_of`]).
    pub(crate) fn release(&self) -> threatscape_landscape::Release {
        release_of(&self.user)
    }
}

/// The reports `user` is given on incident and report pages and in the REST API: up to their
/// clearance, AMBER+STRICT and RED only their organisation's own (the store's access rule).
pub(crate) fn release_of(user: &User) -> threatscape_landscape::Release {
    threatscape_landscape::Release::reader(user.clearance, &user.organisation)
}

/// What a release gives, as badges: `TLP:AMBER`, or for a reader cleared above AMBER, AMBER and
/// their organisation's own reports up to their clearance.
pub(crate) fn release_badges(release: threatscape_landscape::Release) -> String {
    if release.max <= Tlp::Amber {
        html::badge(release.max)
    } else {
        format!(
            "{} (and your organisation's own reports up to {})",
            html::badge(Tlp::Amber),
            html::badge(release.max)
        )
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// True when the request was addressed to a loopback host (no TLS expected there).
fn on_loopback(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn set_cookie(headers: &HeaderMap, id: &str) -> HeaderValue {
    let secure = if on_loopback(headers) { "" } else { "; Secure" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("a base64url id is a valid header value")
}

fn clear_cookie(headers: &HeaderMap) -> HeaderValue {
    let secure = if on_loopback(headers) { "" } else { "; Secure" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .expect("a valid header value")
}

/// Milliseconds since the Unix epoch, now.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

/// A cookie value this server could have set: 32 random bytes in unpadded base64url.
fn well_formed(id: &str) -> bool {
    id.len() == 43
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The CSRF token of the session whose cookie holds `id`: a hash of the secret under a fixed
/// label, so it can be checked without keeping it and differs from the digest the store keeps.
fn csrf_for(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"threatscape web csrf\0")
        .chain_update(id.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

impl AppState {
    /// The signed-in user of the request, read from the store with their current role and
    /// clearance; `None` without a live session (a store failure is logged and counts as none).
    pub(crate) async fn signed_in(&self, headers: &HeaderMap) -> Option<Ctx> {
        let id = cookie_value(headers).filter(|id| well_formed(id))?;
        let digest = threatscape_model::sha256_hex(id.as_bytes());
        let found = self
            .with_store(move |st| {
                let now = now_ms();
                let Some((session, record)) =
                    st.web_session(&digest).map_err(crate::ApiError::store)?
                else {
                    return Ok(None);
                };
                if now - session.seen_ms > ms(IDLE) || now - session.created_ms > ms(ABSOLUTE) {
                    st.end_web_sessions(&digest, 0, 0)
                        .map_err(crate::ApiError::store)?;
                    return Ok(None);
                }
                if now - session.seen_ms > ms(TOUCH) {
                    st.touch_web_session(&digest, now)
                        .map_err(crate::ApiError::store)?;
                }
                Ok(User::from_record(record))
            })
            .await;
        match found {
            Ok(user) => Some(Ctx {
                user: user?,
                csrf: csrf_for(&id),
            }),
            Err(e) => {
                tracing::error!(error = %e.description, "reading a web session");
                None
            }
        }
    }

    /// The signed-in user of a POST form whose CSRF token matches their session.
    pub(crate) async fn check_csrf(&self, headers: &HeaderMap, token: Option<&str>) -> Option<Ctx> {
        let token = token?;
        let ctx = self.signed_in(headers).await?;
        same_secret(token, &ctx.csrf).then_some(ctx)
    }

    /// Records a new signed-in session for `user` (ending expired ones); the cookie's secret.
    async fn start_session(&self, user: &User) -> Result<String, crate::ApiError> {
        let id = random_token();
        let now = now_ms();
        let session = threatscape_store::WebSession {
            sha256: threatscape_model::sha256_hex(id.as_bytes()),
            user: user.name.clone(),
            created_ms: now,
            seen_ms: now,
        };
        self.with_store(move |st| {
            st.end_web_sessions("", now - ms(IDLE), now - ms(ABSOLUTE))
                .map_err(crate::ApiError::store)?;
            st.put_web_session(&session, SESSIONS_PER_USER)
                .map_err(crate::ApiError::store)
        })
        .await?;
        Ok(id)
    }

    /// Audits a read that showed reports at AMBER or above (action `read-restricted`, as object
    /// reads are): who, where, and each such report's key and level. Nothing is written when
    /// `shown` holds none; a failed write fails the request, so no restricted read goes unrecorded.
    pub(crate) async fn audit_report_reads(
        &self,
        user: &User,
        path: String,
        shown: impl IntoIterator<Item = (String, Tlp)>,
    ) -> Result<(), crate::ApiError> {
        let restricted: Vec<serde_json::Value> = shown
            .into_iter()
            .filter(|(_, tlp)| *tlp >= Tlp::Amber)
            .map(|(key, tlp)| serde_json::json!({"report": key, "tlp": tlp.as_str()}))
            .collect();
        if restricted.is_empty() {
            return Ok(());
        }
        let entry = threatscape_store::AuditEntry {
            actor: user.name.clone(),
            action: "read-restricted".into(),
            subject: path,
            detail: serde_json::json!({"organisation": user.organisation,
                "count": restricted.len(), "reports": restricted}),
        };
        self.audit(entry).await
    }

    /// Ends the session whose cookie holds `id`, in every process.
    async fn end_session(&self, id: String) -> Result<(), crate::ApiError> {
        let digest = threatscape_model::sha256_hex(id.as_bytes());
        self.with_store(move |st| {
            st.end_web_sessions(&digest, 0, 0)
                .map(drop)
                .map_err(crate::ApiError::store)
        })
        .await
    }
}

/// The audit action of a failed sign-in on the form: also the throttle's record.
const SIGN_IN_FAILED: &str = "sign-in-failed";
/// The audit action of a sign-in: it clears the name's failures.
const SIGNED_IN: &str = "sign-in";

/// A claimed user name as an audit subject (bounded, whatever was typed).
fn sign_in_subject(name: &str) -> String {
    name.chars().take(200).collect()
}

impl AppState {
    /// True when `name` has used up its failed sign-ins for now, counted in the store's audit log
    /// so that every server process on it shares the count.
    async fn sign_in_throttled(&self, name: &str) -> Result<bool, crate::ApiError> {
        let subject = sign_in_subject(name);
        self.with_store(move |st| {
            st.count_recent_audit(SIGN_IN_FAILED, &subject, ms(THROTTLE_WINDOW), SIGNED_IN)
                .map(|n| n >= MAX_FAILURES as u64)
                .map_err(crate::ApiError::store)
        })
        .await
    }

    /// Audits a sign-in on the form, or a failed one (the name as typed; never the password).
    async fn record_sign_in(&self, name: &str, ok: bool) -> Result<(), crate::ApiError> {
        let subject = sign_in_subject(name);
        let entry = threatscape_store::AuditEntry {
            actor: if ok {
                subject.clone()
            } else {
                "(sign-in form)".into()
            },
            action: if ok { SIGNED_IN } else { SIGN_IN_FAILED }.into(),
            subject,
            detail: serde_json::json!({"via": "web"}),
        };
        self.audit(entry).await
    }
}

/// The web app's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landscape::dashboard))
        .route("/store", get(pages::dashboard))
        .route("/briefings", get(briefings::list).post(briefings::generate))
        .route(
            "/briefings/schedule",
            axum::routing::post(briefings::set_schedule),
        )
        .route("/briefings/{seq}", get(briefings::show))
        .route("/briefings/{seq}/download", get(briefings::download))
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/reports", get(pages::reports))
        .route("/report", get(pages::report))
        .route("/incidents", get(incidents::list))
        .route("/admin", get(admin::show))
        .route("/admin/tokens", axum::routing::post(admin::issue_token))
        .route(
            "/admin/tokens/revoke",
            axum::routing::post(admin::revoke_token),
        )
        .route("/admin/users", axum::routing::post(admin::create_user))
        .route("/admin/access", axum::routing::post(admin::change_access))
        .route(
            "/admin/organisations",
            axum::routing::post(admin::register_organisation),
        )
        .route("/incident", get(incidents::show))
        .route(
            "/incident/assessment",
            axum::routing::post(incidents::decide_assessment),
        )
        .route(
            "/incident/reconcile",
            axum::routing::post(incidents::decide_reconcile),
        )
        .route("/search", get(pages::search))
        .route("/objects/{id}", get(pages::object))
        .route(
            "/contribute",
            get(pages::contribute_form).post(pages::contribute),
        )
        .route("/contribute/upload", axum::routing::post(upload::upload))
        .route("/contributions", get(upload::contributions))
        .route("/static/app.css", get(css))
        .route("/static/landscape.css", get(landscape_css))
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("app.css"),
    )
        .into_response()
}

async fn landscape_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        landscape::CSS,
    )
        .into_response()
}

/// A redirect after a form or to the login page (303: the next request is a GET).
pub(crate) fn see_other(to: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    resp
}

/// The 403 for a POST whose CSRF token is missing or wrong.
pub(crate) fn csrf_refused() -> Response {
    html::message(
        None,
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form was not sent from a page of this site in your current session (its security token is missing or stale). Reload the page and try again.",
    )
}

fn login_page(csrf: &str, status: StatusCode, notice: &str, name: &str) -> Response {
    let notice = if notice.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="notice error">{}</p>"#, esc(notice))
    };
    let body = format!(
        r#"<section class="card login">{notice}<form method="post" action="/login" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="user" autocomplete="username" required value="{name}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit" class="primary">Sign in</button>
</form></section>"#,
        csrf = esc(csrf),
        name = esc(name),
    );
    html::respond(status, html::page(None, "Sign in", "", &body))
}

async fn login_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if s.signed_in(&headers).await.is_some() {
        return see_other("/");
    }
    // An anonymous visitor keeps the cookie they have (or gets one): nothing is stored for it.
    match cookie_value(&headers).filter(|id| well_formed(id)) {
        Some(id) => login_page(&csrf_for(&id), StatusCode::OK, "", ""),
        None => {
            let id = random_token();
            let mut resp = login_page(&csrf_for(&id), StatusCode::OK, "", "");
            resp.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&headers, &id));
            resp
        }
    }
}

/// The sign-in form's fields; all optional so that a missing one is answered by us, not a 422.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct LoginForm {
    csrf: Option<String>,
    user: Option<String>,
    password: Option<String>,
}

async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let Some(old_id) = cookie_value(&headers).filter(|id| well_formed(id)) else {
        return csrf_refused();
    };
    let csrf = csrf_for(&old_id);
    if !f.csrf.as_deref().is_some_and(|t| same_secret(t, &csrf)) {
        return csrf_refused();
    }
    let name = f.user.unwrap_or_default().trim().to_string();
    let password = f.password.unwrap_or_default();
    let unavailable = |e: crate::ApiError| {
        html::message(
            None,
            e.status,
            "Sign-in failed",
            "The server could not check your credentials; try again later.",
        )
    };
    match s.sign_in_throttled(&name).await {
        Ok(false) => {}
        Ok(true) => {
            return login_page(
                &csrf,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed sign-ins for this user name; wait a minute and try again.",
                &name,
            )
        }
        Err(e) => return unavailable(e),
    }
    let inner = std::sync::Arc::clone(&s.0);
    let credentials = auth::Credentials::Basic {
        name: name.clone(),
        password,
    };
    let user = s
        .with_store(move |st| {
            auth::authenticate(st, &inner.logins, &credentials).map_err(crate::ApiError::store)
        })
        .await;
    match user {
        Ok(Some(user)) if !name.is_empty() => {
            if let Err(e) = s.record_sign_in(&name, true).await {
                return unavailable(e);
            }
            // A fresh secret: whatever the old cookie was (anonymous, or another user's session
            // on this browser), it ends here.
            let id = match s.end_session(old_id).await {
                Ok(()) => s.start_session(&user).await,
                Err(e) => Err(e),
            };
            let id = match id {
                Ok(id) => id,
                Err(e) => {
                    return html::message(
                        None,
                        e.status,
                        "Sign-in failed",
                        "The server could not record your session; try again later.",
                    )
                }
            };
            let mut resp = see_other("/");
            resp.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&headers, &id));
            resp
        }
        Ok(_) => {
            if let Err(e) = s.record_sign_in(&name, false).await {
                return unavailable(e);
            }
            login_page(
                &csrf,
                StatusCode::UNAUTHORIZED,
                "The user name or password is wrong.",
                &name,
            )
        }
        Err(e) => unavailable(e),
    }
}

/// A form that carries only the CSRF token.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if s.check_csrf(&headers, f.csrf.as_deref()).await.is_none() {
        return csrf_refused();
    }
    if let Some(id) = cookie_value(&headers) {
        if let Err(e) = s.end_session(id).await {
            return html::message(
                None,
                e.status,
                "Sign-out failed",
                "The server could not end your session; try again.",
            );
        }
    }
    let mut resp = see_other("/login");
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&headers));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        let h = |host: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            on_loopback(&m)
        };
        assert!(h("127.0.0.1:8080") && h("localhost") && h("[::1]:80"));
        assert!(!h("threatscape.example.org") && !h("10.0.0.1:8080"));
        assert!(!on_loopback(&HeaderMap::new()));
    }
}
