//! The web app: server-rendered HTML pages behind a login form.
//!
//! Sessions live in memory: a random 32-byte id in a cookie (`HttpOnly`, `SameSite=Strict`,
//! `Path=/`, and `Secure` unless the request came to a loopback host), expiring after
//! [`IDLE`] without use or [`ABSOLUTE`] after sign-in. Every session, also the anonymous one that
//! the login form gets, carries a CSRF token that every POST form sends back in a hidden `csrf`
//! field; a POST without the session's token is refused with 403. Signing in replaces the session
//! (no fixation). Five failed sign-ins for one user name within a minute lock that name for the
//! rest of the minute (429), before any password is checked.
//!
//! Pages read through the same rules as the REST API ([`crate::api`]): objects through the store's
//! access-checked query (clearance, and the organisation for AMBER+STRICT and RED), reports,
//! counts and full-text search at or below `min(clearance, AMBER)`.

mod admin;
mod briefings;
mod html;
pub(crate) mod incidents;
mod landscape;
mod pages;
mod upload;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use threatscape_model::Tlp;

use crate::{auth, AppState, User};

pub(crate) use briefings::run_schedule;
pub(crate) use html::esc;

/// The session cookie's name.
const COOKIE: &str = "ts_session";
/// A session unused for this long is forgotten.
const IDLE: Duration = Duration::from_secs(2 * 3600);
/// A signed-in session ends this long after sign-in, however busy.
const ABSOLUTE: Duration = Duration::from_secs(12 * 3600);
/// Failed sign-ins allowed per user name per [`THROTTLE_WINDOW`].
const MAX_FAILURES: usize = 5;
const THROTTLE_WINDOW: Duration = Duration::from_secs(60);
/// Sessions kept at most (anonymous ones included); beyond it new ones are refused.
const MAX_SESSIONS: usize = 100_000;

/// One browser's session.
#[derive(Debug, Clone)]
struct Session {
    user: Option<User>,
    csrf: String,
    created: Instant,
    seen: Instant,
}

/// Sessions and failed sign-ins, shared by every request.
#[derive(Debug)]
pub(crate) struct WebState {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
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
            sessions: Mutex::default(),
            failures: Mutex::default(),
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
    /// The most restricted level of reports the user's pages use: `min(clearance, AMBER)`, since
    /// the store does not record a report's organisation (the incident and report pages' rule).
    pub(crate) fn release_level(&self) -> Tlp {
        self.user.clearance.min(Tlp::Amber)
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

impl WebState {
    fn live(s: &Session) -> bool {
        s.seen.elapsed() < IDLE && (s.user.is_none() || s.created.elapsed() < ABSOLUTE)
    }

    /// The request's live session, touched.
    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = cookie_value(headers)?;
        let mut map = self.sessions.lock().expect("not poisoned");
        let s = map.get_mut(&id)?;
        if !Self::live(s) {
            map.remove(&id);
            return None;
        }
        s.seen = Instant::now();
        Some((id, s.clone()))
    }

    /// The signed-in user of the request.
    pub(crate) fn current(&self, headers: &HeaderMap) -> Option<Ctx> {
        let (_, s) = self.session(headers)?;
        Some(Ctx {
            user: s.user?,
            csrf: s.csrf,
        })
    }

    /// Starts a session (anonymous when `user` is `None`); `None` when too many are open.
    fn start(&self, user: Option<User>) -> Option<(String, Session)> {
        let mut map = self.sessions.lock().expect("not poisoned");
        if map.len() >= MAX_SESSIONS / 2 {
            map.retain(|_, s| Self::live(s));
        }
        if map.len() >= MAX_SESSIONS {
            return None;
        }
        let now = Instant::now();
        let s = Session {
            user,
            csrf: random_token(),
            created: now,
            seen: now,
        };
        let id = random_token();
        map.insert(id.clone(), s.clone());
        Some((id, s))
    }

    fn end(&self, id: &str) {
        self.sessions.lock().expect("not poisoned").remove(id);
    }

    /// True when `name` has used up its failed sign-ins for now.
    fn throttled(&self, name: &str) -> bool {
        let mut map = self.failures.lock().expect("not poisoned");
        match map.get_mut(name) {
            Some(times) => {
                times.retain(|t| t.elapsed() < THROTTLE_WINDOW);
                times.len() >= MAX_FAILURES
            }
            None => false,
        }
    }

    fn failed(&self, name: &str) {
        let mut map = self.failures.lock().expect("not poisoned");
        if map.len() > 10_000 {
            map.retain(|_, v| v.iter().any(|t| t.elapsed() < THROTTLE_WINDOW));
        }
        map.entry(name.to_string())
            .or_default()
            .push(Instant::now());
    }

    fn succeeded(&self, name: &str) {
        self.failures.lock().expect("not poisoned").remove(name);
    }

    /// Checks a POST form's CSRF token against the request's session; the session when it matches.
    pub(crate) fn check_csrf(&self, headers: &HeaderMap, token: Option<&str>) -> Option<Ctx> {
        let (_, s) = self.session(headers)?;
        let user = s.user?;
        same_secret(token?, &s.csrf).then_some(Ctx { user, csrf: s.csrf })
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
    let web = &s.0.web;
    match web.session(&headers) {
        Some((_, sess)) if sess.user.is_some() => see_other("/"),
        Some((_, sess)) => login_page(&sess.csrf, StatusCode::OK, "", ""),
        None => match web.start(None) {
            Some((id, sess)) => {
                let mut resp = login_page(&sess.csrf, StatusCode::OK, "", "");
                resp.headers_mut()
                    .insert(header::SET_COOKIE, set_cookie(&headers, &id));
                resp
            }
            None => busy(),
        },
    }
}

fn busy() -> Response {
    html::message(
        None,
        StatusCode::SERVICE_UNAVAILABLE,
        "Busy",
        "Too many sessions are open; try again in a few minutes.",
    )
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
    let web = &s.0.web;
    let Some((old_id, sess)) = web.session(&headers) else {
        return csrf_refused();
    };
    if !f
        .csrf
        .as_deref()
        .is_some_and(|t| same_secret(t, &sess.csrf))
    {
        return csrf_refused();
    }
    let name = f.user.unwrap_or_default().trim().to_string();
    let password = f.password.unwrap_or_default();
    if web.throttled(&name) {
        return login_page(
            &sess.csrf,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins for this user name; wait a minute and try again.",
            &name,
        );
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
            web.succeeded(&name);
            web.end(&old_id);
            let Some((id, _)) = web.start(Some(user)) else {
                return busy();
            };
            let mut resp = see_other("/");
            resp.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&headers, &id));
            resp
        }
        Ok(_) => {
            web.failed(&name);
            login_page(
                &sess.csrf,
                StatusCode::UNAUTHORIZED,
                "The user name or password is wrong.",
                &name,
            )
        }
        Err(e) => html::message(
            None,
            e.status,
            "Sign-in failed",
            "The server could not check your credentials; try again later.",
        ),
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
    let web = &s.0.web;
    if web.check_csrf(&headers, f.csrf.as_deref()).is_none() {
        return csrf_refused();
    }
    if let Some((id, _)) = web.session(&headers) {
        web.end(&id);
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

    #[test]
    fn throttles_after_five_failures() {
        let w = WebState::default();
        for _ in 0..MAX_FAILURES {
            assert!(!w.throttled("x"));
            w.failed("x");
        }
        assert!(w.throttled("x") && !w.throttled("y"));
        w.succeeded("x");
        assert!(!w.throttled("x"));
    }
}
