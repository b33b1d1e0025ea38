//! Users, roles, passwords and API tokens, and who is asking (HTTP Basic or Bearer).
//!
//! Passwords are hashed with argon2id (PHC strings in the store); API tokens are 32 random bytes
//! shown once and stored only as their SHA-256. Verifying an argon2 hash is deliberately slow (tens
//! of milliseconds), so a successful Basic login is remembered for a minute under the SHA-256 of
//! the name and password: a paging TAXII client pays for one verification, not one per page.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use sha2::{Digest, Sha256};
use threatscape_model::Tlp;
use threatscape_store::{NewUser, Reader, Store, StoreError, UserRecord};

/// What a user may do, in increasing order of power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads within their clearance.
    Reader,
    /// Also submits material.
    Contributor,
    /// Also judges it (assessments).
    Analyst,
    /// Also briefs the Council.
    Secretariat,
    /// Also manages users and deletes objects.
    Admin,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Contributor,
        Role::Analyst,
        Role::Secretariat,
        Role::Admin,
    ];

    /// The role's name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Contributor => "contributor",
            Role::Analyst => "analyst",
            Role::Secretariat => "secretariat",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown role {s:?}: expected reader, contributor, analyst, secretariat or admin")
            })
    }
}

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Organisation.
    pub organisation: String,
    /// Role.
    pub role: Role,
    /// TLP clearance.
    pub clearance: Tlp,
}

impl User {
    /// The user a stored record describes; `None` when its role is not one this version knows.
    pub(crate) fn from_record(r: UserRecord) -> Option<User> {
        Some(User {
            role: r.role.parse().ok()?,
            name: r.name,
            organisation: r.organisation,
            clearance: r.clearance,
        })
    }

    /// The reader the store's access rule applies to.
    pub fn reader(&self) -> Reader {
        Reader {
            clearance: self.clearance,
            organisation: Some(self.organisation.clone()),
        }
    }
}

/// Why a user or token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The store failed (or the name is taken).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The input is unusable.
    #[error("{0}")]
    Invalid(String),
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the OS random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// True when `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hex SHA-256 of a token's secret, as stored.
pub fn token_digest(secret: &str) -> String {
    threatscape_model::sha256_hex(secret.as_bytes())
}

/// Creates a user with an argon2id-hashed password.
pub fn create_user(
    store: &mut dyn Store,
    name: &str,
    organisation: &str,
    role: Role,
    clearance: Tlp,
    password: &str,
) -> Result<i64, AccountError> {
    if name.is_empty() || name.contains(':') {
        return Err(AccountError::Invalid(
            "a user name must be non-empty and contain no ':' (HTTP Basic separates it from the password with one)".into(),
        ));
    }
    if password.chars().count() < 12 {
        return Err(AccountError::Invalid(
            "a password needs at least 12 characters".into(),
        ));
    }
    if store.user(name)?.is_some() {
        return Err(AccountError::Invalid(format!(
            "a user named {name:?} exists already"
        )));
    }
    Ok(store.create_user(&NewUser {
        name: name.into(),
        organisation: organisation.into(),
        role: role.as_str().into(),
        clearance,
        password_hash: hash_password(password),
    })?)
}

/// Creates an API token for `user` and returns its secret, which is shown once and never stored.
pub fn create_token(
    store: &mut dyn Store,
    user: &str,
    label: &str,
) -> Result<String, AccountError> {
    if store.user(user)?.is_none() {
        return Err(AccountError::Invalid(format!("there is no user {user:?}")));
    }
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    let secret = format!(
        "ts_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    store.add_token(user, &token_digest(&secret), label)?;
    Ok(secret)
}

/// Credentials from an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP Basic.
    Basic {
        /// Login name.
        name: String,
        /// Password.
        password: String,
    },
    /// `Bearer <token>`.
    Bearer(String),
}

impl Credentials {
    /// Parses an `Authorization` header value.
    pub fn parse(header: &str) -> Option<Credentials> {
        let (scheme, rest) = header.trim().split_once(' ')?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (name, password) = text.split_once(':')?;
            Some(Credentials::Basic {
                name: name.into(),
                password: password.into(),
            })
        } else if scheme.eq_ignore_ascii_case("bearer") {
            Some(Credentials::Bearer(rest.into()))
        } else {
            None
        }
    }
}

/// Remembers successful Basic logins briefly (see the module documentation).
#[derive(Debug, Default)]
pub struct LoginCache {
    entries: Mutex<HashMap<[u8; 32], (User, Instant)>>,
}

const LOGIN_TTL: Duration = Duration::from_secs(60);

impl LoginCache {
    fn key(name: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([0]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// The user these credentials were verified for in the last minute.
    pub fn get(&self, name: &str, password: &str) -> Option<User> {
        let key = Self::key(name, password);
        let entries = self.entries.lock().expect("not poisoned");
        entries
            .get(&key)
            .filter(|(_, at)| at.elapsed() < LOGIN_TTL)
            .map(|(u, _)| u.clone())
    }

    fn put(&self, name: &str, password: &str, user: &User) {
        let mut entries = self.entries.lock().expect("not poisoned");
        if entries.len() > 10_000 {
            entries.retain(|_, (_, at)| at.elapsed() < LOGIN_TTL);
        }
        entries.insert(Self::key(name, password), (user.clone(), Instant::now()));
    }

    /// Forgets what was verified for `name` (its role or clearance changed), in this process;
    /// other processes' entries expire within [`LOGIN_TTL`].
    pub fn forget(&self, name: &str) {
        self.entries
            .lock()
            .expect("not poisoned")
            .retain(|_, (user, _)| user.name != name);
    }
}

/// Checks credentials against the store; `Ok(None)` when they are wrong.
pub fn authenticate(
    store: &dyn Store,
    cache: &LoginCache,
    credentials: &Credentials,
) -> Result<Option<User>, StoreError> {
    match credentials {
        Credentials::Basic { name, password } => {
            if let Some(user) = cache.get(name, password) {
                return Ok(Some(user));
            }
            let Some(record) = store.user(name)? else {
                // Spend the same time as a wrong password, so names cannot be probed by timing.
                verify_password(password, DUMMY_HASH);
                return Ok(None);
            };
            if !verify_password(password, &record.password_hash) {
                return Ok(None);
            }
            let user = User::from_record(record);
            if let Some(user) = &user {
                cache.put(name, password, user);
            }
            Ok(user)
        }
        Credentials::Bearer(secret) => Ok(store
            .user_by_token(&token_digest(secret))?
            .and_then(User::from_record)),
    }
}

/// An argon2id hash of a random password, verified against for unknown users.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$3JrcXQz8ZBMXgiLvfUo1eQ$0vTpjG4pK3SiYrXmvAy7X1Xy1o7pLj6kEeHk3Qk8g3E";

/// A request budget: `per_second` requests on average, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests added to a caller's budget each second.
    pub per_second: f64,
    /// The most a caller can save up (and so send at once).
    pub burst: f64,
}

impl RateLimit {
    /// What the API and TAXII allow one caller unless told otherwise: a paging client at full speed
    /// runs for several seconds before it is slowed to 200 requests a second.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: 200.0,
        burst: 2000.0,
    };

    /// The environment variable that overrides [`RateLimit::DEFAULT`]: `RATE/BURST` (e.g.
    /// `50/200`) or `off`.
    pub const ENV: &'static str = "THREATSCAPE_API_RATE";

    /// The budget from [`RateLimit::ENV`], the default when unset; `None` when it says `off`.
    pub fn from_env() -> Result<Option<RateLimit>, String> {
        match std::env::var(Self::ENV) {
            Err(_) => Ok(Some(Self::DEFAULT)),
            Ok(v) => Self::parse(&v),
        }
    }

    /// Parses `RATE/BURST` or `off`.
    pub fn parse(text: &str) -> Result<Option<RateLimit>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || {
            format!(
                "{}={text:?}: expected RATE/BURST in requests (e.g. 50/200), or off",
                Self::ENV
            )
        };
        let (rate, burst) = text.split_once('/').ok_or_else(bad)?;
        let per_second: f64 = rate.trim().parse().map_err(|_| bad())?;
        let burst: f64 = burst.trim().parse().map_err(|_| bad())?;
        if !(per_second > 0.0 && burst >= 1.0 && per_second.is_finite() && burst.is_finite()) {
            return Err(bad());
        }
        Ok(Some(RateLimit { per_second, burst }))
    }
}

/// Token buckets, one per caller, keyed by a digest of the request's credentials.
///
/// The key is the credential itself, not the user it names, so the check runs before any
/// password is verified or token looked up, and a caller with wrong credentials spends only
/// their own budget: they cannot exhaust a real user's. One bucket per API token; one per
/// user name and password for HTTP Basic; one shared by requests without credentials.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<[u8; 32], (f64, Instant)>>,
}

/// Buckets kept before full ones (as good as absent) are dropped.
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    /// Buckets that allow `limit`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the bucket of `authorization` (the header's value, if any); when it
    /// is empty, how long until it holds one again.
    pub fn take(&self, authorization: Option<&[u8]>) -> Result<(), Duration> {
        let mut h = Sha256::new();
        match authorization {
            Some(value) => {
                h.update(b"authorization\0");
                h.update(value);
            }
            None => h.update(b"anonymous"),
        }
        let key: [u8; 32] = h.finalize().into();
        let RateLimit { per_second, burst } = self.limit;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("not poisoned");
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst
            });
        }
        let (tokens, at) = buckets.entry(key).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_second))
        }
    }
}

/// Middleware: refuses a request whose caller has spent their budget, with 429 and
/// `Retry-After` (whole seconds, rounded up), as a TAXII error message.
pub(crate) async fn rate_limit(
    axum::extract::State(limiter): axum::extract::State<std::sync::Arc<RateLimiter>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let authorization = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    match limiter.take(authorization) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut resp = crate::ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                format!(
                    "this caller's request budget ({} a second, {} at once) is spent; retry in {seconds} s",
                    limiter.limit.per_second, limiter.limit.burst
                ),
            )
            .into_response();
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
            resp
        }
    }
}

/// Adds the rate-limit middleware to `router`'s routes, with the budget from the environment
/// ([`RateLimit::from_env`]). The buckets belong to the router: TAXII and the REST API each keep
/// their own, and every clone of a router shares its buckets.
pub(crate) fn rate_limited<S: Clone + Send + Sync + 'static>(
    router: axum::Router<S>,
) -> axum::Router<S> {
    let limit = match RateLimit::from_env() {
        Ok(Some(limit)) => limit,
        Ok(None) => return router,
        Err(why) => {
            tracing::error!("{why}; using the default budget");
            RateLimit::DEFAULT
        }
    };
    router.route_layer(axum::middleware::from_fn_with_state(
        std::sync::Arc::new(RateLimiter::new(limit)),
        rate_limit,
    ))
}

/// The record stream of the organisations registry: one entry per registration or change,
/// `{"name", "contributor_type"}`, the latest entry for a name winning (so the history stays).
pub const ORGANISATIONS_STREAM: &str = "organisations";

/// The registered organisations and their contributor types, by name.
pub fn organisations(
    store: &dyn Store,
) -> Result<std::collections::BTreeMap<String, threatscape_model::ContributorType>, StoreError> {
    let mut out = std::collections::BTreeMap::new();
    for entry in store.read_stream(ORGANISATIONS_STREAM, 0)? {
        let name = entry.body["name"].as_str();
        let ctype = entry.body["contributor_type"]
            .as_str()
            .and_then(|t| t.parse().ok());
        match (name, ctype) {
            (Some(name), Some(ctype)) => {
                out.insert(name.to_string(), ctype);
            }
            _ => {
                return Err(StoreError::Invalid(format!(
                    "stream {ORGANISATIONS_STREAM}, entry {}: not an organisation ({})",
                    entry.seq, entry.body
                )))
            }
        }
    }
    Ok(out)
}

/// Registers `name` with its contributor type (or changes its type), as `actor`.
pub fn register_organisation(
    store: &mut dyn Store,
    actor: &str,
    name: &str,
    contributor_type: threatscape_model::ContributorType,
) -> Result<(), AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AccountError::Invalid(
            "an organisation's name must be 1 to 200 characters, none of them control characters"
                .into(),
        ));
    }
    let body = serde_json::json!({"name": name, "contributor_type": contributor_type.as_str()});
    store.append_to_stream(ORGANISATIONS_STREAM, actor, None, &body)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_and_are_kept_per_credential() {
        let l = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        for _ in 0..3 {
            assert!(l.take(Some(b"Bearer a")).is_ok());
        }
        let wait = l.take(Some(b"Bearer a")).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        // Another credential, and no credential, have budgets of their own.
        assert!(l.take(Some(b"Bearer b")).is_ok());
        assert!(l.take(None).is_ok());
        std::thread::sleep(Duration::from_millis(120));
        assert!(l.take(Some(b"Bearer a")).is_ok());
    }

    #[test]
    fn parses_budgets() {
        assert_eq!(
            RateLimit::parse("50/200"),
            Ok(Some(RateLimit {
                per_second: 50.0,
                burst: 200.0
            }))
        );
        assert_eq!(RateLimit::parse("OFF"), Ok(None));
        for bad in ["", "50", "0/10", "10/0", "x/y", "inf/10"] {
            assert!(RateLimit::parse(bad).is_err(), "{bad}");
        }
    }
}
