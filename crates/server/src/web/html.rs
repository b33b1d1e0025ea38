//! HTML building blocks: escaping, URL encoding, the page layout and TLP badges.
//!
//! Pages are built with `format!` and these helpers rather than a template crate: the markup is
//! small, no new dependency enters the shared lock file, and the one rule is easy to check by eye:
//! every piece of data goes through [`esc`] (text and attribute values alike) or [`enc`] (inside a
//! URL), never straight into the markup.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use threatscape_model::Tlp;

use super::Ctx;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for a URL path segment or query string.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A TLP badge.
pub(crate) fn badge(tlp: Tlp) -> String {
    let class = match tlp {
        Tlp::Clear => "clear",
        Tlp::Green => "green",
        Tlp::Amber => "amber",
        Tlp::AmberStrict => "amber-strict",
        Tlp::Red => "red",
    };
    format!(
        r#"<span class="tlp tlp-{class}">TLP:{}</span>"#,
        tlp.as_str()
    )
}

/// A link to a `href` built by the caller from escaped or encoded parts.
pub(crate) fn link(href: &str, text: &str) -> String {
    format!(r#"<a href="{}">{}</a>"#, esc(href), esc(text))
}

const NAV: [(&str, &str); 7] = [
    ("/", "Dashboard"),
    ("/incidents", "Incidents"),
    ("/briefings", "Briefings"),
    ("/reports", "Reports"),
    ("/search", "Search"),
    ("/contribute", "Contribute"),
    ("/debate", "Debate"),
];

/// A whole page: header with navigation and the user's clearance, then `body` (already HTML).
pub(crate) fn page(ctx: Option<&Ctx>, title: &str, active: &str, body: &str) -> String {
    let mut nav = String::new();
    let mut user = String::new();
    if let Some(ctx) = ctx {
        nav.push_str(r#"<nav class="nav">"#);
        for (href, label) in NAV {
            let class = if href == active {
                r#" class="active""#
            } else {
                ""
            };
            nav.push_str(&format!(r#"<a href="{href}"{class}>{label}</a>"#));
        }
        if ctx.user.role == crate::Role::Admin {
            let class = if active == "/admin" {
                r#" class="active""#
            } else {
                ""
            };
            nav.push_str(&format!(r#"<a href="/admin"{class}>Admin</a>"#));
        }
        nav.push_str("</nav>");
        user = format!(
            r#"<div class="who"><span class="who-name">{name}</span><span class="who-org">{org} · {role}</span><span class="who-clearance">clearance {badge}</span><form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link-button">Sign out</button></form></div>"#,
            name = esc(&ctx.user.name),
            org = esc(&ctx.user.organisation),
            role = ctx.user.role.as_str(),
            badge = badge(ctx.user.clearance),
            csrf = esc(&ctx.csrf),
        );
    }
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · threatscape</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="top"><div class="topbar"><a class="brand" href="/">threatscape<span class="brand-sub">cyber-threat landscape observatory</span></a>{nav}{user}</div></header>
<main class="main">
<h1>{title}</h1>
{body}
</main>
<footer class="foot">Material is shown at or below your TLP clearance; AMBER+STRICT and RED only to the owning organisation.</footer>
</body>
</html>
"#,
        title = esc(title),
    )
}

/// An HTML response.
pub(crate) fn respond(status: StatusCode, html: String) -> Response {
    let mut resp = (status, html).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// A message page (errors, refusals).
pub(crate) fn message(ctx: Option<&Ctx>, status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        r#"<section class="card"><p class="notice">{}</p><p><a href="/">Back to the dashboard</a></p></section>"#,
        esc(text)
    );
    respond(status, page(ctx, title, "", &body))
}

/// A table: header cells and rows whose cells are already HTML.
pub(crate) fn table(head: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!(r#"<p class="empty">{}</p>"#, esc(empty));
    }
    let mut out = String::from(r#"<table class="grid"><thead><tr>"#);
    for h in head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(enc("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(
            link("/x?q=\"><script>", "<b>"),
            r#"<a href="/x?q=&quot;&gt;&lt;script&gt;">&lt;b&gt;</a>"#
        );
    }
}
