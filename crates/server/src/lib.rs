//! The HTTP server: TAXII 2.1 and the REST API over the store, behind access control.
//!
//! `serve` binds an address and serves the [`router`]. Handlers are async (axum on tokio); the
//! [`Store`] is synchronous, so every store call runs on a blocking thread with a store taken from a
//! small pool (one connection each; SQLite in WAL mode and PostgreSQL both allow many).
//!
//! Access rule, applied in SQL by the store on every object read ([`threatscape_store::Reader`]):
//! a user sees a version when its TLP level is at or below the user's clearance (and the
//! collection's level, for TAXII), and, for AMBER+STRICT and RED, only when the ingest run that
//! brought it was contributed by the user's organisation. Reads that return AMBER or above are
//! written to the audit log. Reports and the incidents made of them follow the same rule (each
//! report carries the organisation of its run); counts, full-text search, the dashboard and
//! briefings (aggregates for an audience) stop at AMBER.
//!
//! Pieces: [`auth`] (users, roles, passwords, tokens), `taxii` (the TAXII 2.1 API root
//! `/threatscape/`), `api` (`/api/v1`), `web` (the HTML pages, sessions and CSRF).

mod api;
pub mod auth;
pub mod debate;
pub mod limits;
mod taxii;
mod web;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use threatscape_store::{Store, StoreError};

pub use auth::{Role, User};
pub use limits::Limits;

/// Stores kept open between requests.
const POOL_MAX: usize = 8;

/// The largest request body accepted (also TAXII's `max_content_length`).
pub const MAX_BODY: usize = 16 << 20;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

struct Inner {
    db: String,
    pool: Mutex<Vec<Box<dyn Store + Send>>>,
    logins: auth::LoginCache,
    web: web::WebState,
}

impl AppState {
    /// State over the store at `db` (a path or URL, as [`threatscape_store::open`] takes); opens it
    /// once now so a bad location fails at start-up.
    pub fn new(db: &str) -> Result<AppState, StoreError> {
        let first = threatscape_store::open(db)?;
        Ok(AppState(Arc::new(Inner {
            db: db.into(),
            pool: Mutex::new(vec![first]),
            logins: auth::LoginCache::default(),
            web: web::WebState::default(),
        })))
    }

    /// Appends `entry` to the audit log (on a blocking thread, as every store call).
    pub(crate) async fn audit(&self, entry: threatscape_store::AuditEntry) -> Result<(), ApiError> {
        self.with_store(move |st| st.audit(&entry).map_err(ApiError::store))
            .await
    }

    /// Runs `f` with a store on a blocking thread.
    pub(crate) async fn with_store<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            let taken = inner.pool.lock().expect("not poisoned").pop();
            let mut store = match taken {
                Some(s) => s,
                None => threatscape_store::open(&inner.db).map_err(ApiError::store)?,
            };
            let out = f(&mut *store);
            // A store that failed may hold a broken connection: open a fresh one next time.
            let broken = matches!(&out, Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR);
            let mut pool = inner.pool.lock().expect("not poisoned");
            if !broken && pool.len() < POOL_MAX {
                pool.push(store);
            }
            out
        })
        .await
        .map_err(|e| ApiError::internal(format!("a request's worker failed: {e}")))?
    }

    /// The user the request's `Authorization` header names, or a 401.
    pub(crate) async fn user(&self, headers: &HeaderMap) -> Result<User, ApiError> {
        let credentials = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(auth::Credentials::parse)
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "credentials are required (HTTP Basic or a Bearer API token)",
                )
            })?;
        if let auth::Credentials::Basic { name, password } = &credentials {
            if let Some(user) = self.0.logins.get(name, password) {
                return Ok(user);
            }
        }
        let inner = Arc::clone(&self.0);
        self.with_store(move |store| {
            auth::authenticate(store, &inner.logins, &credentials)
                .map_err(ApiError::store)?
                .ok_or_else(|| ApiError::unauthorized("the credentials were not accepted"))
        })
        .await
    }
}

/// An error response: a TAXII error message body (`title`, `description`, `http_status`).
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short title.
    pub title: String,
    /// What went wrong and what to do.
    pub description: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, title: &str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            title: title.into(),
            description: description.into(),
        }
    }
    pub(crate) fn store(e: StoreError) -> Self {
        if let StoreError::Invalid(why) = &e {
            // The caller's value, refused by the store: theirs to fix, not a failure.
            return Self::bad_request(why.clone());
        }
        tracing::error!("store error: {e}");
        Self::internal(format!("the store failed: {e}"))
    }
    pub(crate) fn internal(d: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", d)
    }
    pub(crate) fn unauthorized(d: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", d)
    }
    pub(crate) fn forbidden(d: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", d)
    }
    pub(crate) fn not_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", d)
    }
    pub(crate) fn bad_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", d)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, taxii::TAXII_TYPE)],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"threatscape\", charset=\"UTF-8\""),
            );
        }
        resp
    }
}

/// Parses a TAXII request's query string (`added_after`, `limit`, `next`, `match[...]`) the way
/// the objects and manifest endpoints do, so fuzzing and property tests reach the same code as a
/// request. Returns the error a client would get.
pub fn check_taxii_query(query: &str) -> Result<(), ApiError> {
    let uri: axum::http::Uri = format!("/?{query}")
        .parse()
        .map_err(|e| ApiError::bad_request(format!("not a request target: {e}")))?;
    let axum::extract::Query(params) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
    taxii::parse_filters(&params, true).map(drop)
}

/// Security headers on every response: nothing may frame, sniff or leak referrers.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Every route: TAXII 2.1 (`/taxii2/`, `/threatscape/...`) and the REST API (`/api/v1/...`), with
/// the default [`Limits`].
pub fn router(state: AppState) -> Router {
    router_with(state, Limits::default())
}

/// Every route, with the given limits on request bodies.
pub fn router_with(state: AppState, limits: Limits) -> Router {
    Router::new()
        .merge(taxii::routes())
        .merge(api::routes())
        .merge(web::routes())
        .merge(debate::routes())
        .fallback(|| async { ApiError::not_found("no such resource") })
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body))
        .layer(axum::middleware::from_fn_with_state(
            limits,
            limits::limit_json,
        ))
        // Outside the JSON check, which reads the body through it.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_read_timeout,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves on `addr` until the process is interrupted (Ctrl-C) or terminated (SIGTERM), then
/// finishes the requests in flight (see [`serve_until`]).
pub async fn serve(db: &str, addr: SocketAddr) -> anyhow::Result<()> {
    // Opening a store may block (the PostgreSQL client runs a runtime of its own, which cannot
    // start inside this one), so it happens on a blocking thread.
    let location = db.to_string();
    let state = tokio::task::spawn_blocking(move || AppState::new(&location)).await??;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    // The regular briefing: every process runs the schedule; the store lets one generate each.
    tokio::spawn(web::run_schedule(state.clone()));
    tokio::spawn(settle_abandoned_adds_every_minute(state.clone()));
    serve_until(state, listener, Limits::default(), stop_signal()).await?;
    Ok(())
}

/// Settles TAXII add jobs whose process died before answering (see
/// [`taxii::settle_abandoned_adds`]), at start and every minute after (every lease, when the
/// lease is shorter: `THREATSCAPE_TAXII_ADD_LEASE_SECS`).
async fn settle_abandoned_adds_every_minute(state: AppState) {
    let lease = taxii::add_lease();
    let mut every = tokio::time::interval(lease.min(std::time::Duration::from_secs(60)));
    loop {
        every.tick().await;
        match state
            .with_store(move |st| taxii::settle_abandoned_adds(st, lease))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!("settled {n} TAXII add jobs left running by a stopped process"),
            Err(e) => tracing::warn!("settling abandoned TAXII adds failed: {}", e.description),
        }
    }
}

/// Resolves at the first Ctrl-C (SIGINT) or SIGTERM (what `kill`, systemd and container runtimes send).
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM ({e}); only Ctrl-C stops the server");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("stopping: no new connections; finishing the requests in flight");
}

/// Serves on an already bound listener (tests bind port 0) with the default limits, until the
/// runtime stops.
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, Limits::default(), std::future::pending()).await
}

/// Serves on `listener` with `limits` until `shutdown` resolves, then stops accepting, lets every
/// request in flight finish and be answered (up to [`Limits::shutdown_grace`]), and returns.
///
/// Each connection is HTTP/1.1 with a header read timeout, so a client that trickles its headers
/// (or keeps an idle connection) is cut off rather than holding a slot. A TAXII add in flight is a
/// store transaction on a blocking thread: it commits or rolls back whole even if the grace runs
/// out, as the runtime waits for blocking work before the process ends.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let app = router_with(state, limits);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // pause rather than spin, and keep serving the connections already open.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended with an error: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                "requests still in flight after {:?}; stopping anyway",
                limits.shutdown_grace
            );
        }
    }
    Ok(())
}

/// [`serve`] on a runtime of its own, for a synchronous caller (the CLI).
pub fn serve_blocking(db: &str, addr: SocketAddr) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(db, addr))
}
