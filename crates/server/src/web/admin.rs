//! Administration: the users with their organisations, roles and clearances, their API tokens
//! (labels and dates; only digests are stored), and issuing a token. Administrators only.
//!
//! Users are read with the store's `for_each_account` (the same walk `migrate` copies them with),
//! which yields each user with their tokens' digests; nothing of a password or a token's secret is
//! ever shown. A new token's secret is shown once, on the page that answers the form.

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use threatscape_store::{AccountRecord, AuditEntry};

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

fn accounts(st: &dyn threatscape_store::Store) -> Result<Vec<AccountRecord>, ApiError> {
    let mut out = Vec::new();
    st.for_each_account(&mut |a| {
        out.push(a.clone());
        Ok(())
    })
    .map_err(ApiError::store)?;
    Ok(out)
}

fn admin_page(ctx: &Ctx, status: StatusCode, notice: &str, users: &[AccountRecord]) -> Response {
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            let tokens: Vec<String> = u
                .tokens
                .iter()
                .map(|t| {
                    format!(
                        "{} <span class=\"muted\">issued {} · sha256 {}…</span>",
                        esc(&t.label),
                        esc(&t.created),
                        esc(&t.sha256[..12.min(t.sha256.len())])
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
    let user_opts: String = users
        .iter()
        .map(|u| format!(r#"<option value="{0}">{0}</option>"#, esc(&u.name)))
        .collect();
    let body = format!(
        r#"{notice}<section class="card"><h2>Users</h2>{users}</section>
<section class="card"><h2>Issue an API token</h2>
<form method="post" action="/admin/tokens" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User <select name="user" required>{user_opts}</select></label>
<label>Label <input name="label" required placeholder="what the token is for, e.g. nightly TAXII pull"></label>
<button type="submit" class="primary">Issue token</button>
</form>
<p class="muted">The token is shown once; only its SHA-256 is stored. Users are created with <code>threatscape user add</code>.</p></section>"#,
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
        csrf = esc(&ctx.csrf),
    );
    respond(status, page(Some(ctx), "Administration", "/admin", &body))
}

/// `GET /admin`: users, roles, clearances and tokens.
pub(crate) async fn show(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    if ctx.user.role < Role::Admin {
        return forbidden(&ctx);
    }
    match s.with_store(|st| accounts(st)).await {
        Ok(users) => admin_page(&ctx, StatusCode::OK, "", &users),
        Err(e) => message(Some(&ctx), e.status, &e.title, &e.description),
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
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if ctx.user.role < Role::Admin {
        return forbidden(&ctx);
    }
    let user = f.user.unwrap_or_default().trim().to_string();
    let label = f.label.unwrap_or_default().trim().to_string();
    let admin = ctx.user.name.clone();
    let result = s
        .with_store(move |st| {
            if label.is_empty() {
                return Ok((Err("Give the token a label.".to_string()), accounts(st)?));
            }
            let issued = match auth::create_token(st, &user, &label) {
                Ok(secret) => {
                    st.audit(&AuditEntry {
                        actor: admin,
                        action: "issue-token".into(),
                        subject: user.clone(),
                        detail: json!({"label": label, "via": "web"}),
                    })
                    .map_err(ApiError::store)?;
                    Ok((user, secret))
                }
                Err(auth::AccountError::Invalid(why)) => Err(why),
                Err(auth::AccountError::Store(e)) => return Err(ApiError::store(e)),
            };
            Ok((issued, accounts(st)?))
        })
        .await;
    match result {
        Ok((Ok((user, secret)), users)) => {
            let notice = format!(
                r#"<p class="notice ok">Token for {} issued. Copy it now; it is not shown again: <code class="secret">{}</code></p>"#,
                esc(&user),
                esc(&secret)
            );
            admin_page(&ctx, StatusCode::OK, &notice, &users)
        }
        Ok((Err(why), users)) => {
            let notice = format!(r#"<p class="notice error">{}</p>"#, esc(&why));
            admin_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &notice, &users)
        }
        Err(e) => message(Some(&ctx), e.status, &e.title, &e.description),
    }
}
