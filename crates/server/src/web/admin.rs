//! Administration (admin role only): the organisations registry with each organisation's
//! contributor type, the users with their organisations, roles and clearances, and their API
//! tokens (labels and dates; only digests are stored). Administrators register or retype an
//! organisation, create a user, change a user's role and clearance, issue a token and revoke one.
//!
//! Users are read with the store's `for_each_account` (the same walk `migrate` copies them with),
//! which yields each user with their tokens' digests; nothing of a password or a token's secret is
//! ever shown. A new token's secret is shown once, on the page that answers the form. The
//! registry is the record stream `organisations` ([`auth::ORGANISATIONS_STREAM`]), so it keeps
//! its history and is copied by `migrate`; the contribution forms preselect the registered type
//! of the user's organisation. Every change is audited with the administrator as actor. A changed
//! role or clearance applies to the user's browser sessions and tokens at their next request (a
//! session reads the user each time); HTTP Basic credentials verified in the last minute by
//! another server process keep their old access until that minute ends.

use std::collections::BTreeMap;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use threatscape_model::{ContributorType, Tlp};
use threatscape_store::{AccountRecord, AuditEntry, Store};

use super::html::{badge, esc, message, page, respond, table};
use super::{csrf_refused, see_other, Ctx};
use crate::{auth, ApiError, AppState, Role};

fn forbidden(ctx: &Ctx) -> Response {
    message(
        Some(ctx),
        StatusCode::FORBIDDEN,
        "Not allowed",
        "Administration needs the admin role.",
    )
}

/// What the page shows: every account, and the registry.
struct Directory {
    users: Vec<AccountRecord>,
    organisations: BTreeMap<String, ContributorType>,
}

fn directory(st: &dyn Store) -> Result<Directory, ApiError> {
    let mut users = Vec::new();
    st.for_each_account(&mut |a| {
        users.push(a.clone());
        Ok(())
    })
    .map_err(ApiError::store)?;
    let organisations = auth::organisations(st).map_err(ApiError::store)?;
    Ok(Directory {
        users,
        organisations,
    })
}

fn options<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values
        .into_iter()
        .map(|v| format!(r#"<option value="{0}">{0}</option>"#, esc(v)))
        .collect()
}

fn admin_page(ctx: &Ctx, status: StatusCode, notice: &str, d: &Directory) -> Response {
    let csrf = esc(&ctx.csrf);
    let rows: Vec<Vec<String>> = d
        .users
        .iter()
        .map(|u| {
            let tokens: Vec<String> = u
                .tokens
                .iter()
                .map(|t| {
                    format!(
                        r#"{} <span class="muted">issued {} · sha256 {}…</span> <form method="post" action="/admin/tokens/revoke" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="user" value="{}"><input type="hidden" name="sha256" value="{}"><button type="submit">Revoke</button></form>"#,
                        esc(&t.label),
                        esc(&t.created),
                        esc(&t.sha256[..12.min(t.sha256.len())]),
                        esc(&u.name),
                        esc(&t.sha256),
                    )
                })
                .collect();
            vec![
                esc(&u.name),
                esc(&u.organisation),
                esc(&u.role),
                badge(u.clearance),
                esc(&u.created),
                if tokens.is_empty() {
                    r#"<span class="muted">none</span>"#.to_string()
                } else {
                    tokens.join("<br>")
                },
            ]
        })
        .collect();
    let org_rows: Vec<Vec<String>> = d
        .organisations
        .iter()
        .map(|(name, ctype)| {
            let members = d.users.iter().filter(|u| &u.organisation == name).count();
            vec![esc(name), esc(ctype.as_str()), members.to_string()]
        })
        .collect();
    let user_opts = options(d.users.iter().map(|u| u.name.as_str()));
    let org_list = options(d.organisations.keys().map(String::as_str));
    let role_opts = options(Role::ALL.iter().map(|r| r.as_str()));
    let tlp_opts = options(Tlp::ALL.iter().map(|t| t.as_str()));
    let type_opts = options(ContributorType::ALL.iter().map(|t| t.as_str()));
    let body = format!(
        r#"{notice}<section class="card"><h2>Organisations</h2>{orgs}
<form method="post" action="/admin/organisations" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>Organisation <input name="name" required placeholder="e.g. CERT-EU"></label>
<label>Contributor type <select name="contributor_type" required>{type_opts}</select></label>
<button type="submit" class="primary">Register or change type</button>
</form>
<p class="muted">A contributor's submissions are made for their organisation; its type is preselected on their contribution forms. AMBER+STRICT and RED material is shown only to the organisation that contributed it and the recipients it named.</p></section>
<section class="card"><h2>Users</h2>{users}</section>
<section class="card"><h2>Create a user</h2>
<form method="post" action="/admin/users" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="name" required autocomplete="off"></label>
<label>Organisation <input name="organisation" required list="organisations"></label>
<datalist id="organisations">{org_list}</datalist>
<label>Role <select name="role" required>{role_opts}</select></label>
<label>Clearance <select name="clearance" required>{tlp_opts}</select></label>
<label>Initial password (12 characters or more) <input name="password" type="password" required minlength="12" autocomplete="new-password"></label>
<button type="submit" class="primary">Create user</button>
</form></section>
<section class="card"><h2>Change a user's role and clearance</h2>
<form method="post" action="/admin/access" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User <select name="user" required>{user_opts}</select></label>
<label>Role <select name="role" required>{role_opts}</select></label>
<label>Clearance <select name="clearance" required>{tlp_opts}</select></label>
<button type="submit" class="primary">Change access</button>
</form>
<p class="muted">It applies from the user's next request, in their browser sessions and with their tokens.</p></section>
<section class="card"><h2>Issue an API token</h2>
<form method="post" action="/admin/tokens" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User <select name="user" required>{user_opts}</select></label>
<label>Label <input name="label" required placeholder="what the token is for, e.g. nightly TAXII pull"></label>
<button type="submit" class="primary">Issue token</button>
</form>
<p class="muted">The token is shown once; only its SHA-256 is stored. Revoke a token in the users table above.</p></section>"#,
        orgs = table(
            &["Organisation", "Contributor type", "Users"],
            &org_rows,
            "No organisation registered yet."
        ),
        users = table(
            &[
                "User",
                "Organisation",
                "Role",
                "Clearance",
                "Created",
                "API tokens"
            ],
            &rows,
            "No users."
        ),
    );
    respond(status, page(Some(ctx), "Administration", "/admin", &body))
}

/// `GET /admin`: the registry, users, roles, clearances and tokens, and the forms.
pub(crate) async fn show(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    if ctx.user.role < Role::Admin {
        return forbidden(&ctx);
    }
    match s.with_store(|st| directory(st)).await {
        Ok(d) => admin_page(&ctx, StatusCode::OK, "", &d),
        Err(e) => message(Some(&ctx), e.status, &e.title, &e.description),
    }
}

/// What an administrator's form did: a notice (HTML) to show, or why it was refused.
type Outcome = Result<String, String>;

/// Runs one administrator's form: CSRF and role checks, then `act` with the store and the
/// administrator's name, then the page with its notice.
async fn administer<F>(s: AppState, headers: HeaderMap, csrf: Option<String>, act: F) -> Response
where
    F: FnOnce(&mut dyn Store, &str) -> Result<Outcome, ApiError> + Send + 'static,
{
    let Some(ctx) = s.check_csrf(&headers, csrf.as_deref()).await else {
        return csrf_refused();
    };
    if ctx.user.role < Role::Admin {
        return forbidden(&ctx);
    }
    let admin = ctx.user.name.clone();
    let result = s
        .with_store(move |st| {
            let outcome = act(st, &admin)?;
            Ok((outcome, directory(st)?))
        })
        .await;
    match result {
        Ok((Ok(notice), d)) => admin_page(
            &ctx,
            StatusCode::OK,
            &format!(r#"<p class="notice ok">{notice}</p>"#),
            &d,
        ),
        Ok((Err(why), d)) => admin_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(r#"<p class="notice error">{}</p>"#, esc(&why)),
            &d,
        ),
        Err(e) => message(Some(&ctx), e.status, &e.title, &e.description),
    }
}

fn audit(
    st: &mut dyn Store,
    admin: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    st.audit(&AuditEntry {
        actor: admin.into(),
        action: action.into(),
        subject: subject.into(),
        detail,
    })
    .map_err(ApiError::store)
}

/// The account helpers' refusals are the administrator's to fix; store failures are not.
fn refused<T>(e: auth::AccountError) -> Result<Result<T, String>, ApiError> {
    match e {
        auth::AccountError::Invalid(why) => Ok(Err(why)),
        auth::AccountError::Store(e) => Err(ApiError::store(e)),
    }
}

/// The token form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TokenForm {
    csrf: Option<String>,
    user: Option<String>,
    label: Option<String>,
}

/// `POST /admin/tokens`: issues a token and shows its secret once.
pub(crate) async fn issue_token(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let user = f.user.unwrap_or_default().trim().to_string();
    let label = f.label.unwrap_or_default().trim().to_string();
    administer(s, headers, f.csrf, move |st, admin| {
        if label.is_empty() {
            return Ok(Err("Give the token a label.".to_string()));
        }
        let secret = match auth::create_token(st, &user, &label) {
            Ok(secret) => secret,
            Err(e) => return refused(e),
        };
        audit(st, admin, "issue-token", &user, json!({"label": label, "via": "web"}))?;
        Ok(Ok(format!(
            r#"Token for {} issued. Copy it now; it is not shown again: <code class="secret">{}</code>"#,
            esc(&user),
            esc(&secret)
        )))
    })
    .await
}

/// The revocation form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RevokeForm {
    csrf: Option<String>,
    user: Option<String>,
    sha256: Option<String>,
}

/// `POST /admin/tokens/revoke`: the token stops working at once, in every process.
pub(crate) async fn revoke_token(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<RevokeForm>,
) -> Response {
    let user = f.user.unwrap_or_default();
    let sha256 = f.sha256.unwrap_or_default();
    administer(s, headers, f.csrf, move |st, admin| {
        if !st.revoke_token(&user, &sha256).map_err(ApiError::store)? {
            return Ok(Err(format!(
                "{user:?} has no such token (revoked already?)."
            )));
        }
        audit(
            st,
            admin,
            "revoke-token",
            &user,
            json!({"sha256": sha256, "via": "web"}),
        )?;
        Ok(Ok(format!(
            "The token sha256 {}… of {} is revoked.",
            esc(&sha256[..12.min(sha256.len())]),
            esc(&user)
        )))
    })
    .await
}

/// The registry form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct OrganisationForm {
    csrf: Option<String>,
    name: Option<String>,
    contributor_type: Option<String>,
}

/// `POST /admin/organisations`: registers an organisation or changes its contributor type.
pub(crate) async fn register_organisation(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<OrganisationForm>,
) -> Response {
    let name = f.name.unwrap_or_default().trim().to_string();
    let ctype = f.contributor_type.unwrap_or_default();
    administer(s, headers, f.csrf, move |st, admin| {
        let ctype = match ctype.parse::<ContributorType>() {
            Ok(t) => t,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if let Err(e) = auth::register_organisation(st, admin, &name, ctype) {
            return refused(e);
        }
        audit(
            st,
            admin,
            "register-organisation",
            &name,
            json!({"contributor_type": ctype.as_str(), "via": "web"}),
        )?;
        Ok(Ok(format!(
            "{} is registered as {}.",
            esc(&name),
            esc(ctype.as_str())
        )))
    })
    .await
}

/// The new user form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct UserForm {
    csrf: Option<String>,
    name: Option<String>,
    organisation: Option<String>,
    role: Option<String>,
    clearance: Option<String>,
    password: Option<String>,
}

/// `POST /admin/users`: creates a user (argon2id-hashed password), as `threatscape user add`.
pub(crate) async fn create_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<UserForm>,
) -> Response {
    let name = f.name.unwrap_or_default().trim().to_string();
    let organisation = f.organisation.unwrap_or_default().trim().to_string();
    let role = f.role.unwrap_or_default();
    let clearance = f.clearance.unwrap_or_default();
    let password = f.password.unwrap_or_default();
    administer(s, headers, f.csrf, move |st, admin| {
        let Ok(role) = role.parse::<Role>() else {
            return Ok(Err(format!("{role:?} is not a role.")));
        };
        let Ok(clearance) = clearance.parse::<Tlp>() else {
            return Ok(Err(format!("{clearance:?} is not a TLP level.")));
        };
        if organisation.is_empty() {
            return Ok(Err("Give the user's organisation.".into()));
        }
        if let Err(e) = auth::create_user(st, &name, &organisation, role, clearance, &password) {
            return refused(e);
        }
        audit(
            st,
            admin,
            "create-user",
            &name,
            json!({"organisation": organisation, "role": role.as_str(),
                   "clearance": clearance.as_str(), "via": "web"}),
        )?;
        let unregistered = if auth::organisations(st)
            .map_err(ApiError::store)?
            .contains_key(&organisation)
        {
            String::new()
        } else {
            format!(
                " {} is not in the registry yet: register it with its contributor type.",
                esc(&organisation)
            )
        };
        Ok(Ok(format!(
            "{} ({}, {}, {}) can sign in now.{unregistered}",
            esc(&name),
            esc(&organisation),
            esc(role.as_str()),
            esc(clearance.as_str())
        )))
    })
    .await
}

/// The access form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct AccessForm {
    csrf: Option<String>,
    user: Option<String>,
    role: Option<String>,
    clearance: Option<String>,
}

/// `POST /admin/access`: changes a user's role and clearance.
pub(crate) async fn change_access(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<AccessForm>,
) -> Response {
    let user = f.user.unwrap_or_default();
    let role = f.role.unwrap_or_default();
    let clearance = f.clearance.unwrap_or_default();
    let logins = s.clone();
    administer(s, headers, f.csrf, move |st, admin| {
        let Ok(role) = role.parse::<Role>() else {
            return Ok(Err(format!("{role:?} is not a role.")));
        };
        let Ok(clearance) = clearance.parse::<Tlp>() else {
            return Ok(Err(format!("{clearance:?} is not a TLP level.")));
        };
        if user == admin && role < Role::Admin {
            return Ok(Err(
                "You cannot take the admin role from yourself; another administrator can.".into(),
            ));
        }
        let before = st.user(&user).map_err(ApiError::store)?;
        if !st
            .set_user_access(&user, role.as_str(), clearance)
            .map_err(ApiError::store)?
        {
            return Ok(Err(format!("There is no user {user:?}.")));
        }
        logins.0.logins.forget(&user);
        audit(
            st,
            admin,
            "change-access",
            &user,
            json!({"role": role.as_str(), "clearance": clearance.as_str(),
                   "before": before.map(|b| json!({"role": b.role, "clearance": b.clearance.as_str()})),
                   "via": "web"}),
        )?;
        Ok(Ok(format!(
            "{} is now {} with clearance {}.",
            esc(&user),
            esc(role.as_str()),
            esc(clearance.as_str())
        )))
    })
    .await
}
