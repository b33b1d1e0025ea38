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
    fn from_record(r: UserRecord) -> Option<User> {
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
