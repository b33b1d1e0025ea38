//! The debate's pages: meetings, a meeting with its list of speakers as the Journal prints it (the
//! secretariat's forms beside it), and the chamber's live page (current and next speakers, the
//! countdown of the time limit with overrun, each statement's real duration, totals).
//!
//! Same rules as the rest of the web app (crate::web): a signed-in session, a CSRF token on every
//! form, every piece of data escaped. The live page's countdown is a small script served from
//! here (the Content-Security-Policy allows scripts and styles from the site only) that polls
//! `live.json` and counts between polls from the server's clock.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use threatscape_debate::calendar::at_new_york;
use threatscape_debate::inscription::Change;
use threatscape_debate::jiff::civil::DateTime;
use threatscape_debate::jiff::{SignedDuration, Timestamp, ZonedDateTime};
use threatscape_debate::linker::{concerns, link_statements};
use threatscape_debate::live::{LiveChange, Phase};
use threatscape_debate::{
    Delegation, Format, Group, InscriptionId, Joint, Level, MeetingEvent, MeetingRecord,
    MeetingSpec, OpeningRule, Person, Placement, Request, Session, Speaker,
};

use super::api::LetterUpload;
use super::store::{self, Stored};
use super::{
    export_body, list_error, live_error, may_write, random_seed, record_error, reference,
    store_error, vocabulary, ExportFormat, LiveAction,
};
use crate::web::{csrf_refused, esc, see_other, Ctx};
use crate::{ApiError, AppState};

pub(super) fn routes() -> Router<AppState> {
    let m = "/debate/meetings/{id}";
    Router::new()
        .route("/debate", get(index).post(create))
        .route(m, get(meeting))
        .route(&format!("{m}/export"), get(export))
        .route(&format!("{m}/inscribe"), post(inscribe))
        .route(&format!("{m}/letter"), post(letter))
        .route(&format!("{m}/move"), post(move_speaker))
        .route(&format!("{m}/withdraw"), post(withdraw))
        .route(&format!("{m}/replace"), post(replace))
        .route(&format!("{m}/draw"), post(draw))
        .route(&format!("{m}/session"), post(session))
        .route(&format!("{m}/statement"), post(statement))
        .route(&format!("{m}/live"), get(live_page).post(live_step))
        .route(&format!("{m}/live.json"), get(live_json))
        .route("/debate/static/debate.css", get(css))
        .route("/debate/static/debate.js", get(script))
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("debate.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("debate.js"),
    )
        .into_response()
}

/// Percent-encodes a path segment.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn meeting_href(id: &str) -> String {
    format!("/debate/meetings/{}", enc(id))
}

/// A New York time with its zone.
fn ny(z: &ZonedDateTime) -> String {
    z.strftime("%a %-d %b %Y, %H:%M %Z").to_string()
}

fn ny_ts(t: Timestamp) -> String {
    ny(&at_new_york(t))
}

/// A duration as m:ss (h:mm:ss from an hour).
fn clock(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let s = ms.unsigned_abs() / 1000;
    if s >= 3600 {
        format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{sign}{}:{:02}", s / 60, s % 60)
    }
}

fn dur(d: SignedDuration) -> String {
    clock(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The page layout of the web app (same header, navigation and stylesheet), with the debate's
/// own stylesheet and, for the live page, its script.
fn layout(ctx: &Ctx, title: &str, body: &str, script: bool) -> String {
    const NAV: [(&str, &str); 5] = [
        ("/", "Dashboard"),
        ("/reports", "Reports"),
        ("/search", "Search"),
        ("/contribute", "Contribute"),
        ("/debate", "Debate"),
    ];
    let mut nav = String::from(r#"<nav class="nav">"#);
    for (href, label) in NAV {
        let class = if href == "/debate" {
            r#" class="active""#
        } else {
            ""
        };
        let _ = write!(nav, r#"<a href="{href}"{class}>{label}</a>"#);
    }
    nav.push_str("</nav>");
    let user = format!(
        r#"<div class="who"><span class="who-name">{name}</span><span class="who-org">{org} · {role}</span><form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link-button">Sign out</button></form></div>"#,
        name = esc(&ctx.user.name),
        org = esc(&ctx.user.organisation),
        role = ctx.user.role.as_str(),
        csrf = esc(&ctx.csrf),
    );
    let script = if script {
        r#"<script src="/debate/static/debate.js" defer></script>"#
    } else {
        ""
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · threatscape</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="stylesheet" href="/debate/static/debate.css">
{script}
</head>
<body>
<header class="top"><div class="topbar"><a class="brand" href="/">threatscape<span class="brand-sub">cyber-threat landscape observatory</span></a>{nav}{user}</div></header>
<main class="main">
<h1>{title}</h1>
{body}
</main>
<footer class="foot">Times are New York time (UN Headquarters), with the zone shown.</footer>
</body>
</html>
"#,
        title = esc(title),
    )
}

fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

fn message(ctx: &Ctx, status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        r#"<section class="card"><p class="notice error">{}</p><p><a href="/debate">Back to the meetings</a></p></section>"#,
        esc(text)
    );
    html(status, layout(ctx, title, &body, false))
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(ctx, e.status, &e.title, &e.description)
}

fn forbidden(ctx: &Ctx) -> Response {
    message(
        ctx,
        StatusCode::FORBIDDEN,
        "Not allowed",
        "Changing a meeting needs the secretariat or admin role.",
    )
}

fn hidden_csrf(ctx: &Ctx) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        esc(&ctx.csrf)
    )
}

async fn load(s: &AppState, id: &str) -> Result<Stored, ApiError> {
    let id = id.to_string();
    s.with_store(move |st| {
        store::load(st, &id)
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(format!("there is no meeting '{id}'")))
    })
    .await
}

// ----- meetings -----

#[derive(Debug, Deserialize)]
pub(crate) struct Notice {
    #[serde(default)]
    notice: Option<String>,
}

async fn index(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    index_page(&s, &ctx, StatusCode::OK, "").await
}

async fn index_page(s: &AppState, ctx: &Ctx, status: StatusCode, error: &str) -> Response {
    let all = match s
        .with_store(|st| store::meetings(st).map_err(store_error))
        .await
    {
        Ok(all) => all,
        Err(e) => return failed(ctx, e),
    };
    let mut rows = String::new();
    let mut sorted: Vec<&Stored> = all.iter().collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.record.meeting().start.timestamp()));
    for m in sorted {
        let r = &m.record;
        let meeting = r.meeting();
        let order = r.order();
        let _ = write!(
            rows,
            r#"<tr><td><a href="{href}">{id}</a></td><td>{when}</td><td>{format}</td><td>{agenda}{sub}</td><td>{pres}</td><td class="num">{n}</td><td>{phase}</td></tr>"#,
            href = esc(&meeting_href(&meeting.id)),
            id = esc(&meeting.id),
            when = esc(&ny(&meeting.start)),
            format = esc(&meeting.format.to_string()),
            agenda = esc(&meeting.agenda_title),
            sub = meeting
                .subtitle
                .as_ref()
                .map(|s| format!(r#"<br><span class="muted">{}</span>"#, esc(s)))
                .unwrap_or_default(),
            pres = esc(&meeting.presidency.name),
            n = order.entries.len(),
            phase = phase_badge(r.live().phase()),
        );
    }
    let table = if rows.is_empty() {
        r#"<p class="empty">No meeting yet.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="grid"><thead><tr><th>Meeting</th><th>Date (New York)</th><th>Format</th><th>Agenda item</th><th>Presidency</th><th>Speakers</th><th>Chamber</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let notice = if error.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="notice error">{}</p>"#, esc(error))
    };
    let form = if may_write(&ctx.user) {
        let agenda: String = reference()
            .agenda_items
            .iter()
            .map(|a| {
                format!(
                    r#"<option value="{}"{}>{}</option>"#,
                    esc(&a.id),
                    if a.id == "mips" { " selected" } else { "" },
                    esc(&a.title)
                )
            })
            .collect();
        format!(
            r#"<section class="card"><h2>New meeting</h2><form method="post" action="/debate" class="form debate-form">{csrf}
<div class="row"><label>Meeting id <input name="id" required placeholder="S/PV.9662" maxlength="120"></label>
<label>Start (New York) <input name="start" type="datetime-local" required></label></div>
<div class="row"><label>Agenda item <select name="agenda_item">{agenda}</select></label>
<label>Format <select name="format"><option value="open-debate">Open debate</option><option value="debate">Debate</option><option value="briefing">Briefing</option></select></label></div>
<label>Subtitle <input name="subtitle" placeholder="Addressing evolving threats in cyberspace"></label>
<div class="row"><label>Chair <input name="chair_name" placeholder="name"></label><label>Chair's title <input name="chair_title"></label></div>
<div class="row"><label>Time limit (seconds) <input name="time_limit" type="number" min="1" value="180"></label>
<label>Concept note <input name="concept_note" placeholder="S/2024/446"></label>
<label>List opens, working days before <input name="working_days" type="number" min="1" max="30" value="3"></label></div>
<button type="submit" class="primary">Create meeting</button></form></section>"#,
            csrf = hidden_csrf(ctx),
        )
    } else {
        String::new()
    };
    let body = format!(r#"{notice}<section class="card"><h2>Meetings</h2>{table}</section>{form}"#);
    html(status, layout(ctx, "Open debate", &body, false))
}

fn phase_badge(p: Phase) -> String {
    let (class, text) = match p {
        Phase::NotOpened => ("phase-idle", "not opened"),
        Phase::Sitting => ("phase-sitting", "in session"),
        Phase::Suspended => ("phase-suspended", "suspended"),
        Phase::Closed => ("phase-closed", "adjourned"),
    };
    format!(r#"<span class="phase {class}">{text}</span>"#)
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateForm {
    csrf: Option<String>,
    id: Option<String>,
    start: Option<String>,
    agenda_item: Option<String>,
    format: Option<String>,
    subtitle: Option<String>,
    chair_name: Option<String>,
    chair_title: Option<String>,
    time_limit: Option<String>,
    concept_note: Option<String>,
    working_days: Option<String>,
}

fn filled(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn spec_from(f: &CreateForm) -> Result<MeetingSpec, String> {
    let id = filled(&f.id).ok_or("the meeting needs an id")?;
    let start_text = filled(&f.start).ok_or("the meeting needs a start")?;
    let start: DateTime = start_text.parse().map_err(|_| {
        format!("start '{start_text}' is not a date and time like 2024-06-20T10:00")
    })?;
    let format = match filled(&f.format).as_deref() {
        None | Some("open-debate") => Format::OpenDebate,
        Some("debate") => Format::Debate,
        Some("briefing") => Format::Briefing,
        Some(other) => {
            return Err(format!(
                "format '{other}' is not open-debate, debate or briefing"
            ))
        }
    };
    let seconds = match filled(&f.time_limit) {
        None => 180,
        Some(t) => t
            .parse::<i64>()
            .map_err(|_| format!("time limit '{t}' is not a number of seconds"))?,
    };
    let working_days = match filled(&f.working_days) {
        None => 3,
        Some(t) => t
            .parse::<u32>()
            .map_err(|_| format!("working days '{t}' is not a whole number"))?,
    };
    let chair = filled(&f.chair_name).map(|name| Person {
        name,
        title: filled(&f.chair_title).unwrap_or_default(),
    });
    Ok(MeetingSpec {
        id,
        start,
        agenda_item: filled(&f.agenda_item).unwrap_or_else(|| "mips".into()),
        subtitle: filled(&f.subtitle),
        format,
        chair,
        briefers: Vec::new(),
        time_limit: Some(SignedDuration::from_secs(seconds)),
        concept_note: filled(&f.concept_note),
        opening_rule: Some(OpeningRule {
            working_days,
            ..OpeningRule::default()
        }),
    })
}

async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CreateForm>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if !may_write(&ctx.user) {
        return forbidden(&ctx);
    }
    let spec = match spec_from(&f) {
        Ok(spec) => spec,
        Err(e) => return index_page(&s, &ctx, StatusCode::UNPROCESSABLE_ENTITY, &e).await,
    };
    let record = match MeetingRecord::create(reference(), spec, &ctx.user.name, Timestamp::now()) {
        Ok(r) => r,
        Err(e) => {
            let e = record_error(&e);
            return index_page(&s, &ctx, e.status, &e.description).await;
        }
    };
    let actor = ctx.user.name.clone();
    match s
        .with_store(move |st| store::create(st, record, &actor).map_err(store_error))
        .await
    {
        Ok(stored) => see_other(&meeting_href(&stored.record.meeting().id)),
        Err(e) => index_page(&s, &ctx, e.status, &e.description).await,
    }
}

// ----- one meeting -----

async fn meeting(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    match load(&s, &id).await {
        Ok(m) => {
            let notice = q.notice.unwrap_or_default();
            meeting_page(&ctx, &m.record, StatusCode::OK, &notice, "")
        }
        Err(e) => failed(&ctx, e),
    }
}

fn fact(out: &mut String, label: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", esc(label));
}

fn level_options(selected: Level) -> String {
    [
        Level::HeadOfStateOrGovernment,
        Level::DeputyPrimeMinister,
        Level::Minister,
        Level::ViceMinister,
        Level::PermanentRepresentative,
        Level::Other,
    ]
    .iter()
    .map(|l| {
        format!(
            r#"<option value="{}"{}>{}</option>"#,
            serde_value(l),
            if *l == selected { " selected" } else { "" },
            esc(l.label())
        )
    })
    .collect()
}

/// The serde name of a unit enum value.
fn serde_value<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

fn inscription_options(choices: &[(InscriptionId, String)]) -> String {
    choices
        .iter()
        .map(|(n, name)| format!(r#"<option value="{n}">no. {n} — {}</option>"#, esc(name)))
        .collect()
}

/// The meeting page: facts, the list of speakers as the Journal prints it with why each speaker
/// is where they are and the concerns their statement raised, requests not yet complete,
/// withdrawals, the secretariat's forms and the log.
fn meeting_page(
    ctx: &Ctx,
    record: &MeetingRecord,
    status: StatusCode,
    notice: &str,
    error: &str,
) -> Response {
    let m = record.meeting();
    let order = record.order();
    let inscriptions = record.list().inscriptions();
    let href = meeting_href(&m.id);
    let mut body = String::new();
    if !notice.is_empty() {
        let _ = write!(
            body,
            r#"<p class="notice ok" id="notice">{}</p>"#,
            esc(notice)
        );
    }
    if !error.is_empty() {
        let _ = write!(
            body,
            r#"<p class="notice error" id="error">{}</p>"#,
            esc(error)
        );
    }

    // Facts.
    let mut facts = String::new();
    fact(
        &mut facts,
        "Date",
        &esc(&format!("{} (New York)", ny(&m.start))),
    );
    fact(&mut facts, "Format", &esc(&m.format.to_string()));
    fact(
        &mut facts,
        "Agenda item",
        &format!(
            "{}{}",
            esc(&m.agenda_title),
            m.subtitle
                .as_ref()
                .map(|s| format!("<br>{}", esc(s)))
                .unwrap_or_default()
        ),
    );
    fact(&mut facts, "Presidency", &esc(&m.presidency.name));
    if let Some(c) = &m.chair {
        fact(
            &mut facts,
            "Chair",
            &esc(&format!("{}, {}", c.name, c.title)),
        );
    }
    fact(&mut facts, "Time limit", &esc(&dur(m.time_limit)));
    if let Some(c) = &m.concept_note {
        fact(&mut facts, "Concept note", &esc(c));
    }
    fact(
        &mut facts,
        "List opens",
        &esc(&format!(
            "{} ({} working days before, {})",
            ny(record.opens_at()),
            m.opening_rule.working_days,
            m.opening_rule.time.strftime("%H:%M")
        )),
    );
    let sessions: Vec<String> = m
        .sessions
        .iter()
        .map(|s| format!("{} – {}", ny(&s.start), s.end.strftime("%H:%M %Z")))
        .collect();
    fact(&mut facts, "Sittings", &esc(&sessions.join("; ")));
    fact(
        &mut facts,
        "Draw",
        &match order.seed {
            Some(seed) => esc(&format!("made, seed {seed}: {}", order.draw.join(", "))),
            None => "not made yet: the order of Council members is provisional".into(),
        },
    );
    fact(&mut facts, "Chamber", &phase_badge(record.live().phase()));
    let _ = write!(
        body,
        r#"<section class="card"><dl class="facts">{facts}</dl><p class="actions"><a class="button" href="{live}">Live page for the chamber</a> <a href="{export}?format=journal">Journal text</a> · <a href="{export}?format=csv">CSV</a> · <a href="{export}?format=json">JSON</a></p></section>"#,
        live = esc(&format!("{href}/live")),
        export = esc(&format!("{href}/export")),
    );

    // Statements' links, per speaker.
    let linked = link_statements(record.list(), vocabulary());
    let links_of: BTreeMap<InscriptionId, String> = linked
        .iter()
        .map(|s| {
            let tags: String = s
                .links
                .iter()
                .map(|l| {
                    let evidence: Vec<&str> =
                        l.evidence.iter().map(|e| e.matched.as_str()).collect();
                    format!(
                        r#"<span class="term term-{kind}" title="{ev}">{label}</span>"#,
                        kind = l.kind.as_str(),
                        ev = esc(&format!("{}: {}", l.kind.as_str(), evidence.join(", "))),
                        label = esc(&l.label),
                    )
                })
                .collect();
            (s.inscription, tags)
        })
        .collect();

    // The list as the Journal prints it.
    let mut list = String::new();
    let mut group: Option<Group> = None;
    for e in &order.entries {
        if group != Some(e.group) {
            if group.is_some() {
                list.push_str("</tbody>");
            }
            let _ = write!(
                list,
                r#"<tbody><tr class="group"><th colspan="5">{}</th></tr>"#,
                esc(e.group.heading())
            );
            group = Some(e.group);
        }
        let who = match e.group {
            Group::Briefers => format!("{}, {}", e.speaker.name, e.speaker.title),
            _ if e.speaker.level.is_high_level() => format!(
                "{} [{}]",
                e.name,
                if e.speaker.title.is_empty() {
                    e.speaker.level.label()
                } else {
                    &e.speaker.title
                }
            ),
            _ => e.name.clone(),
        };
        let joint = e
            .joint
            .as_ref()
            .map(|j| match (&j.group, j.on_behalf_of.is_empty()) {
                (Some(g), _) => format!(" (on behalf of {g})"),
                (None, false) => format!(" (also on behalf of {})", j.on_behalf_of.join(", ")),
                (None, true) => " (joint statement)".into(),
            })
            .unwrap_or_default();
        let speaker = if e.group == Group::Briefers {
            String::new()
        } else {
            format!(
                r#"<br><span class="muted">{}{}</span>"#,
                esc(&e.speaker.name),
                if e.speaker.title.is_empty() {
                    String::new()
                } else {
                    format!(", {}", esc(&e.speaker.title))
                }
            )
        };
        let reasons: String = e
            .reasons
            .iter()
            .map(|r| format!("<li>{}</li>", esc(r)))
            .collect();
        let _ = write!(
            list,
            r#"<tr class="speaker" data-inscription="{n}"><td class="pos">{pos}.</td><td><strong>{who}</strong>{joint}{speaker}</td><td>{basis}<br><span class="muted">no. {n}, {at}</span></td><td><ul class="why">{reasons}</ul></td><td>{links}</td></tr>"#,
            n = e.inscription,
            pos = e.position,
            who = esc(&who),
            joint = esc(&joint),
            basis = esc(e.basis.label()),
            at = esc(&ny(&e.inscribed_at)),
            links = links_of.get(&e.inscription).cloned().unwrap_or_default(),
        );
    }
    let list = if order.entries.is_empty() {
        r#"<p class="empty">No speakers inscribed.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="grid journal" id="speakers"><thead><tr><th>No.</th><th>Speaker</th><th>Basis, inscription</th><th>Why here</th><th>Concerns raised</th></tr></thead>{list}</tbody></table>"#
        )
    };
    let _ = write!(
        body,
        r#"<section class="card"><h2>List of speakers{prov}</h2><p class="muted">Statements are limited to {limit}.</p>{list}</section>"#,
        prov = if order.is_provisional() {
            " (provisional: the draw has not been made)"
        } else {
            ""
        },
        limit = esc(&dur(m.time_limit)),
    );

    if !order.pending.is_empty() || !order.withdrawn.is_empty() {
        let mut more = String::new();
        for p in &order.pending {
            let missing: Vec<String> = p.missing.iter().map(|m| m.to_string()).collect();
            let _ = write!(
                more,
                r#"<tr class="pending"><td>no. {}</td><td>{}</td><td>received {}</td><td>incomplete: {}</td></tr>"#,
                p.inscription,
                esc(&p.name),
                esc(&ny(&p.received_at)),
                esc(&missing.join("; "))
            );
        }
        for w in &order.withdrawn {
            let _ = write!(
                more,
                r#"<tr class="withdrawn"><td>no. {}</td><td>{}</td><td>withdrawn {}</td><td>{}</td></tr>"#,
                w.inscription,
                esc(&w.name),
                esc(&ny(&w.at)),
                esc(&w.reason)
            );
        }
        let _ = write!(
            body,
            r#"<section class="card"><h2>Not on the list</h2><table class="grid">{more}</table></section>"#
        );
    }

    let raised = concerns(&linked);
    if !raised.is_empty() {
        let rows: String = raised
            .iter()
            .map(|c| {
                let who: Vec<&str> = c.raised_by.iter().map(|(_, n)| n.as_str()).collect();
                format!(
                    r#"<tr><td><span class="term term-{}">{}</span></td><td class="num">{}</td><td>{}</td></tr>"#,
                    c.kind.as_str(),
                    esc(&c.label),
                    who.len(),
                    esc(&who.join(", "))
                )
            })
            .collect();
        let _ = write!(
            body,
            r#"<section class="card"><h2>Concerns raised in statements</h2><table class="grid" id="concerns"><thead><tr><th>Term</th><th>Delegations</th><th>Raised by</th></tr></thead><tbody>{rows}</tbody></table></section>"#
        );
    }

    if may_write(&ctx.user) {
        body.push_str(&forms(ctx, record, &inscriptions));
    }

    // The log.
    let names: BTreeMap<InscriptionId, String> = inscriptions
        .values()
        .map(|i| (i.id, i.name.clone()))
        .collect();
    let log: String = record
        .events()
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&ny_ts(e.at())),
                esc(e.by()),
                esc(&describe(e, &names))
            )
        })
        .collect();
    let _ = write!(
        body,
        r#"<section class="card"><details><summary>Log of the meeting ({} events)</summary><table class="grid">{log}</table></details></section>"#,
        record.events().len()
    );
    html(
        status,
        layout(ctx, &format!("Meeting {}", m.id), &body, true),
    )
}

fn forms(
    ctx: &Ctx,
    record: &MeetingRecord,
    inscriptions: &BTreeMap<InscriptionId, threatscape_debate::Inscription>,
) -> String {
    let href = esc(&meeting_href(&record.meeting().id));
    let csrf = hidden_csrf(ctx);
    let order = record.order();
    let listed: Vec<(InscriptionId, String)> = order
        .entries
        .iter()
        .map(|e| (e.inscription, format!("{}. {}", e.position, e.name)))
        .collect();
    let active: Vec<(InscriptionId, String)> = inscriptions
        .values()
        .filter(|i| i.withdrawn.is_none())
        .map(|i| (i.id, i.name.clone()))
        .collect();
    let pending: Vec<(InscriptionId, String)> = order
        .pending
        .iter()
        .map(|p| (p.inscription, p.name.clone()))
        .collect();
    let entities: String = reference()
        .entities
        .iter()
        .map(|e| {
            format!(
                r#"<option value="{}">{}</option>"#,
                esc(&e.code),
                esc(&e.name)
            )
        })
        .collect();
    let mut out = String::from(r#"<div class="cols">"#);
    let _ = write!(
        out,
        r#"<section class="card"><h2>Inscribe a speaker</h2><form method="post" action="{href}/inscribe" class="form debate-form" id="inscribe-form">{csrf}
<div class="row"><label>On what basis <select name="kind"><option value="entity">Member or observer State, or the EU (by code)</option><option value="organisation">Organisation (rule 39)</option><option value="briefer">Briefer (rule 39)</option></select></label>
<label>Code <input name="code" list="entities" placeholder="EST" maxlength="8"></label></div>
<datalist id="entities">{entities}</datalist>
<div class="row"><label>Organisation or briefer's name <input name="name"></label><label>Briefer's affiliation <input name="affiliation"></label></div>
<div class="row"><label>Speaker <input name="speaker_name" required></label><label>Title <input name="speaker_title" placeholder="Minister for Foreign Affairs"></label></div>
<label>Level of representation <select name="level">{levels}</select></label>
<label>Joint statement on behalf of <input name="joint_group" placeholder="the Nordic-Baltic countries"></label>
<fieldset><legend>Rule 37 letter to the President (PDF)</legend>
<div class="row"><label>Letter <input type="file" name="letter_file" accept="application/pdf"></label>
<label>Signed by <input name="signatory_name"></label><label>Signatory's title <input name="signatory_title" placeholder="Permanent Representative"></label></div>
<input type="hidden" name="letter_file_name"><input type="hidden" name="letter_base64"></fieldset>
<button type="submit" class="primary">Inscribe</button></form></section>"#,
        levels = level_options(Level::PermanentRepresentative),
    );
    let _ = write!(
        out,
        r#"<section class="card"><h2>Move a speaker</h2><form method="post" action="{href}/move" class="form debate-form" id="move-form">{csrf}
<label>Speaker <select name="inscription">{listed}</select></label>
<div class="row"><label>Where <select name="where"><option value="before">before</option><option value="after">after</option></select></label>
<label>Speaker <select name="anchor">{listed}</select></label></div>
<label>Reason (recorded) <input name="reason" required placeholder="at the request of the presidency: the minister must leave at noon"></label>
<button type="submit" class="primary">Move</button></form></section>"#,
        listed = inscription_options(&listed),
    );
    let _ = write!(
        out,
        r#"<section class="card"><h2>Statement text</h2><form method="post" action="{href}/statement" class="form debate-form" id="statement-form">{csrf}
<label>Speaker <select name="inscription">{active}</select></label>
<label>Text <textarea name="text" required></textarea></label>
<button type="submit" class="primary">Attach statement</button></form></section>"#,
        active = inscription_options(&active),
    );
    let _ = write!(
        out,
        r#"<section class="card"><h2>Withdraw or replace</h2><form method="post" action="{href}/withdraw" class="form debate-form">{csrf}
<label>Speaker <select name="inscription">{active}</select></label>
<label>Reason (recorded) <input name="reason" required></label>
<button type="submit" class="primary">Withdraw</button></form>
<form method="post" action="{href}/replace" class="form debate-form">{csrf}
<label>Speaker <select name="inscription">{active}</select></label>
<div class="row"><label>New speaker <input name="speaker_name" required></label><label>Title <input name="speaker_title"></label></div>
<label>Level <select name="level">{levels}</select></label>
<label>Reason (recorded) <input name="reason" required></label>
<button type="submit" class="primary">Replace the speaker</button></form></section>"#,
        active = inscription_options(&active),
        levels = level_options(Level::PermanentRepresentative),
    );
    if !pending.is_empty() {
        let _ = write!(
            out,
            r#"<section class="card"><h2>Attach a rule 37 letter</h2><form method="post" action="{href}/letter" class="form debate-form" id="letter-form">{csrf}
<label>Request <select name="inscription">{pending}</select></label>
<div class="row"><label>Letter <input type="file" name="letter_file" accept="application/pdf" required></label>
<label>Signed by <input name="signatory_name" required></label><label>Signatory's title <input name="signatory_title" required></label></div>
<input type="hidden" name="letter_file_name"><input type="hidden" name="letter_base64">
<button type="submit" class="primary">Attach letter</button></form></section>"#,
            pending = inscription_options(&pending),
        );
    }
    let _ = write!(
        out,
        r#"<section class="card"><h2>Plan a resumption</h2><form method="post" action="{href}/session" class="form debate-form" id="session-form">{csrf}
<div class="row"><label>Resumes (New York) <input name="start" type="datetime-local" required></label>
<label>Planned end (New York) <input name="end" type="datetime-local" required></label></div>
<button type="submit" class="primary">Plan the sitting</button></form></section>"#
    );
    if order.seed.is_none() {
        let _ = write!(
            out,
            r#"<section class="card"><h2>Draw for the Council members</h2><form method="post" action="{href}/draw" class="form debate-form" id="draw-form">{csrf}
<label>Seed (empty: chosen at random and recorded) <input name="seed" inputmode="numeric"></label>
<button type="submit" class="primary">Make the draw</button></form></section>"#
        );
    }
    out.push_str("</div>");
    out
}

fn describe(e: &MeetingEvent, names: &BTreeMap<InscriptionId, String>) -> String {
    let name = |n: &InscriptionId| {
        names
            .get(n)
            .map_or_else(|| format!("no. {n}"), |s| format!("no. {n} ({s})"))
    };
    match e {
        MeetingEvent::Created { meeting, .. } => format!("meeting {} created", meeting.id),
        MeetingEvent::SessionPlanned { session, .. } => {
            format!("sitting planned from {}", ny(&session.start))
        }
        MeetingEvent::List { change, .. } => match change {
            Change::Requested { name, basis, .. } => format!("request from {name} ({basis})"),
            Change::Refused { reason, .. } => format!("request refused: {reason}"),
            Change::LetterAttached {
                inscription,
                letter,
            } => format!(
                "letter {} signed by {}, {}, attached to {}",
                letter.file_name,
                letter.signatory_name,
                letter.signatory_title,
                name(inscription)
            ),
            Change::Withdrawn {
                inscription,
                reason,
            } => format!("{} withdrawn: {reason}", name(inscription)),
            Change::Replaced {
                inscription,
                speaker,
                reason,
            } => format!(
                "speaker of {} replaced by {}: {reason}",
                name(inscription),
                speaker.name
            ),
            Change::Moved {
                inscription,
                placement,
                reason,
            } => {
                let (word, anchor) = match placement {
                    Placement::Before(a) => ("before", a),
                    Placement::After(a) => ("after", a),
                };
                format!(
                    "{} moved {word} {}: {reason}",
                    name(inscription),
                    name(anchor)
                )
            }
            Change::Drawn { seed } => format!("draw made with seed {seed}"),
            Change::StatementAttached { inscription, .. } => {
                format!("statement text attached to {}", name(inscription))
            }
        },
        MeetingEvent::Live { change, .. } => match change {
            LiveChange::Open => "meeting opened".into(),
            LiveChange::Call { inscription, .. } => format!("floor given to {}", name(inscription)),
            LiveChange::Start => "statement started".into(),
            LiveChange::Stop => "statement ended".into(),
            LiveChange::Suspend => "meeting suspended".into(),
            LiveChange::Resume => "meeting resumed".into(),
            LiveChange::Close => "meeting adjourned".into(),
        },
    }
}

// ----- the secretariat's forms -----

/// Every field any meeting form sends; each handler takes what it needs.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListForm {
    csrf: Option<String>,
    kind: Option<String>,
    code: Option<String>,
    name: Option<String>,
    affiliation: Option<String>,
    speaker_name: Option<String>,
    speaker_title: Option<String>,
    level: Option<String>,
    joint_group: Option<String>,
    letter_file_name: Option<String>,
    letter_base64: Option<String>,
    signatory_name: Option<String>,
    signatory_title: Option<String>,
    inscription: Option<String>,
    anchor: Option<String>,
    #[serde(rename = "where")]
    where_: Option<String>,
    reason: Option<String>,
    text: Option<String>,
    seed: Option<String>,
    action: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

impl ListForm {
    fn number(v: &Option<String>, what: &str) -> Result<InscriptionId, String> {
        let t = filled(v).ok_or(format!("choose the {what}"))?;
        t.parse()
            .map_err(|_| format!("{what} '{t}' is not an inscription number"))
    }

    fn level(&self) -> Result<Level, String> {
        let t = filled(&self.level).unwrap_or_else(|| "permanent-representative".into());
        serde_json::from_value(serde_json::Value::String(t.clone()))
            .map_err(|_| format!("level '{t}' is not a level of representation"))
    }

    fn speaker(&self) -> Result<Speaker, String> {
        Ok(Speaker {
            name: filled(&self.speaker_name).ok_or("the speaker's name is missing")?,
            title: filled(&self.speaker_title).unwrap_or_default(),
            level: self.level()?,
        })
    }

    fn letter(&self) -> Option<LetterUpload> {
        Some(LetterUpload {
            file_name: filled(&self.letter_file_name).unwrap_or_else(|| "letter.pdf".into()),
            pdf_base64: filled(&self.letter_base64)?,
            signatory_name: filled(&self.signatory_name).unwrap_or_default(),
            signatory_title: filled(&self.signatory_title).unwrap_or_default(),
        })
    }

    fn delegation(&self) -> Result<Delegation, String> {
        match filled(&self.kind).as_deref() {
            None | Some("entity") => Ok(Delegation::Entity {
                code: filled(&self.code)
                    .ok_or("give the code of the State or organisation (e.g. EST, EU)")?
                    .to_ascii_uppercase(),
            }),
            Some("organisation") => Ok(Delegation::Organisation {
                name: filled(&self.name).ok_or("give the organisation's name")?,
            }),
            Some("briefer") => Ok(Delegation::Briefer {
                name: filled(&self.name).ok_or("give the briefer's name")?,
                affiliation: filled(&self.affiliation),
            }),
            Some(other) => Err(format!("'{other}' is not a kind of participant")),
        }
    }
}

/// What a form did: a notice for the page after the change, or why it was refused, with the
/// meeting as it now is.
type Answer = Result<(Result<String, ApiError>, Stored), ApiError>;

/// Makes a change in the store and says what to tell the user.
fn apply<T, E>(
    st: &mut dyn threatscape_store::Store,
    id: &str,
    actor: &str,
    change: impl FnMut(&mut MeetingRecord) -> Result<T, E>,
    done: impl FnOnce(T) -> String,
    refused: impl Fn(&E) -> ApiError,
) -> Answer {
    let (out, stored) = store::update(st, id, actor, change).map_err(store_error)?;
    Ok((out.map(done).map_err(|e| refused(&e)), stored))
}

/// A form that cannot be read: the meeting page with the reason.
fn invalid(st: &mut dyn threatscape_store::Store, id: &str, reason: String) -> Answer {
    let stored = store::load(st, id)
        .map_err(store_error)?
        .ok_or_else(|| ApiError::not_found(format!("there is no meeting '{id}'")))?;
    Ok((
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Refused",
            reason,
        )),
        stored,
    ))
}

/// The signed-in secretariat user a form came from, or the refusal.
async fn writer(
    s: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<Ctx, Box<Response>> {
    let Some(ctx) = s.check_csrf(headers, csrf).await else {
        return Err(Box::new(csrf_refused()));
    };
    if !may_write(&ctx.user) {
        return Err(Box::new(forbidden(&ctx)));
    }
    Ok(ctx)
}

/// Answers a form: back to the meeting page (303) with the notice after a change; the page with
/// the reason when refused.
fn finish(ctx: &Ctx, id: &str, answer: Answer) -> Response {
    match answer {
        Ok((Ok(notice), _)) => see_other(&format!("{}?notice={}", meeting_href(id), enc(&notice))),
        Ok((Err(e), stored)) => meeting_page(ctx, &stored.record, e.status, "", &e.description),
        Err(e) => failed(ctx, e),
    }
}

async fn inscribe(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let request = (|| -> Result<_, ApiError> {
                let bad = |e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Refused", e);
                let letter = f.letter().map(|l| l.read()).transpose()?;
                let joint = filled(&f.joint_group).map(|g| Joint {
                    group: Some(g),
                    on_behalf_of: Vec::new(),
                });
                Ok((
                    Request {
                        delegation: f.delegation().map_err(bad)?,
                        speaker: f.speaker().map_err(bad)?,
                        letter: letter.as_ref().map(|(l, _)| l.clone()),
                        joint,
                    },
                    letter,
                ))
            })();
            let (request, letter) = match request {
                Ok(r) => r,
                Err(e) => return invalid(st, &key, e.description),
            };
            if let Some((l, bytes)) = &letter {
                store::save_letter(st, l, bytes, &actor).map_err(store_error)?;
            }
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.inscribe(reference(), request.clone(), &actor, now),
                |ack| ack.to_string(),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn letter(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let n = match ListForm::number(&f.inscription, "request") {
                Ok(n) => n,
                Err(e) => return invalid(st, &key, e),
            };
            let Some(upload) = f.letter() else {
                return invalid(st, &key, "choose the letter's PDF file".into());
            };
            let (letter, bytes) = match upload.read() {
                Ok(l) => l,
                Err(e) => return invalid(st, &key, e.description),
            };
            store::save_letter(st, &letter, &bytes, &actor).map_err(store_error)?;
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.attach_letter(n, letter.clone(), &actor, now),
                |ack| ack.to_string(),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn move_speaker(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let parsed = (|| -> Result<_, String> {
                let n = ListForm::number(&f.inscription, "speaker to move")?;
                let anchor = ListForm::number(&f.anchor, "speaker to move next to")?;
                let placement = match filled(&f.where_).as_deref() {
                    Some("after") => Placement::After(anchor),
                    _ => Placement::Before(anchor),
                };
                Ok((n, placement, filled(&f.reason).unwrap_or_default()))
            })();
            let (n, placement, reason) = match parsed {
                Ok(p) => p,
                Err(e) => return invalid(st, &key, e),
            };
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.move_speaker(n, placement, &reason, &actor, now),
                |()| format!("Inscription no. {n} moved; the reason is recorded."),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn withdraw(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let n = match ListForm::number(&f.inscription, "speaker") {
                Ok(n) => n,
                Err(e) => return invalid(st, &key, e),
            };
            let reason = filled(&f.reason).unwrap_or_default();
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.withdraw(n, &reason, &actor, now),
                |()| format!("Inscription no. {n} withdrawn."),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn replace(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let parsed =
                ListForm::number(&f.inscription, "speaker").and_then(|n| Ok((n, f.speaker()?)));
            let (n, speaker) = match parsed {
                Ok(p) => p,
                Err(e) => return invalid(st, &key, e),
            };
            let reason = filled(&f.reason).unwrap_or_default();
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.replace_speaker(n, speaker.clone(), &reason, &actor, now),
                |ack| ack.to_string(),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn draw(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let seed = match filled(&f.seed) {
                None => random_seed(),
                Some(t) => match t.parse::<u64>() {
                    Ok(seed) => seed,
                    Err(_) => {
                        return invalid(st, &key, format!("seed '{t}' is not a whole number"))
                    }
                },
            };
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.make_draw(seed, &actor, now),
                |()| format!("Draw made with seed {seed}; the order of Council members is final."),
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn statement(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let n = match ListForm::number(&f.inscription, "speaker") {
                Ok(n) => n,
                Err(e) => return invalid(st, &key, e),
            };
            let Some(text) = filled(&f.text) else {
                return invalid(st, &key, "the statement's text is empty".into());
            };
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.attach_statement(n, &text, None, &actor, now),
                |()| {
                    let links = vocabulary().link(&text);
                    let labels: Vec<&str> = links.iter().map(|l| l.label.as_str()).collect();
                    if labels.is_empty() {
                        format!(
                            "Statement attached to no. {n}; it mentions no term of the vocabulary."
                        )
                    } else {
                        format!(
                            "Statement attached to no. {n}; it raises: {}.",
                            labels.join(", ")
                        )
                    }
                },
                list_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

async fn session(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            let time = |v: &Option<String>, what: &str| -> Result<DateTime, String> {
                let t = filled(v).ok_or(format!("give the {what}"))?;
                t.parse().map_err(|_| {
                    format!("{what} '{t}' is not a date and time like 2024-06-21T10:00")
                })
            };
            let session = time(&f.start, "start")
                .and_then(|start| Ok((start, time(&f.end, "end")?)))
                .and_then(|(start, end)| Session::between(start, end).map_err(|e| e.to_string()));
            let session = match session {
                Ok(s) => s,
                Err(e) => return invalid(st, &key, e),
            };
            let now = Timestamp::now();
            apply(
                st,
                &key,
                &actor,
                |m| m.plan_session(session.clone(), &actor, now),
                |()| format!("Sitting planned from {}.", ny(&session.start)),
                record_error,
            )
        })
        .await;
    finish(&ctx, &id, answer)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    format: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let format = match q.format.as_deref() {
        None | Some("journal") => ExportFormat::Journal,
        Some("csv") => ExportFormat::Csv,
        Some("json") => ExportFormat::Json,
        Some(other) => {
            return message(
                &ctx,
                StatusCode::BAD_REQUEST,
                "Unknown format",
                &format!("'{other}' is not journal, csv or json"),
            )
        }
    };
    match load(&s, &id).await {
        Ok(m) => {
            let (media, body) = export_body(&m.record, format, Timestamp::now());
            ([(header::CONTENT_TYPE, media)], body).into_response()
        }
        Err(e) => failed(&ctx, e),
    }
}

// ----- the chamber -----

async fn live_json(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(_ctx) = s.signed_in(&headers).await else {
        // No WWW-Authenticate challenge: the page's script polls this, and a browser would answer a
        // challenge with a password dialog; the page itself sends the user to sign in.
        let body = serde_json::json!({
            "title": "Unauthorized",
            "description": "the session has ended: sign in again",
            "http_status": "401",
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    };
    match load(&s, &id).await {
        Ok(m) => axum::Json(m.record.live_view(Timestamp::now())).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn live_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    match load(&s, &id).await {
        Ok(m) => live_html(
            &ctx,
            &m.record,
            StatusCode::OK,
            q.notice.as_deref().unwrap_or(""),
        ),
        Err(e) => failed(&ctx, e),
    }
}

fn live_html(ctx: &Ctx, record: &MeetingRecord, status: StatusCode, error: &str) -> Response {
    let m = record.meeting();
    let view = record.live_view(Timestamp::now());
    let href = meeting_href(&m.id);
    let mut body = String::new();
    if !error.is_empty() {
        let _ = write!(
            body,
            r#"<p class="notice error" id="error">{}</p>"#,
            esc(error)
        );
    }
    let (floor_name, floor_speaker, countdown, elapsed, started) = match &view.floor {
        Some(f) => (
            f.name.clone(),
            f.speaker
                .as_ref()
                .map(|s| {
                    if s.title.is_empty() {
                        s.name.clone()
                    } else {
                        format!("{}, {}", s.name, s.title)
                    }
                })
                .unwrap_or_default(),
            if f.overrun {
                format!("+{}", clock(-f.remaining_ms))
            } else {
                clock(f.remaining_ms)
            },
            clock(f.elapsed_ms),
            f.started_at_ms.map(|t| t.to_string()).unwrap_or_default(),
        ),
        None => (
            "Nobody has the floor".into(),
            String::new(),
            clock(view.time_limit_ms),
            clock(0),
            String::new(),
        ),
    };
    let overrun = view.floor.as_ref().is_some_and(|f| f.overrun);
    let next = view
        .next
        .as_ref()
        .map(|e| format!("{}. {}", e.position, e.name))
        .unwrap_or_else(|| "—".into());
    let rows: String = view.statements.iter().map(statement_row).collect();
    let t = &view.totals;
    let controls = if may_write(&ctx.user) {
        let button = |action: &str, label: &str| {
            format!(
                r#"<form method="post" action="{live}" class="inline">{csrf}<input type="hidden" name="action" value="{action}"><button type="submit" class="control control-{action}" data-action="{action}">{label}</button></form>"#,
                live = esc(&format!("{href}/live")),
                csrf = hidden_csrf(ctx),
            )
        };
        let heard: std::collections::HashSet<InscriptionId> = record
            .live()
            .statements()
            .iter()
            .map(|s| s.inscription)
            .collect();
        let waiting: Vec<(InscriptionId, String)> = record
            .order()
            .entries
            .iter()
            .filter(|e| !heard.contains(&e.inscription))
            .map(|e| (e.inscription, format!("{}. {}", e.position, e.name)))
            .collect();
        let call = if waiting.is_empty() {
            String::new()
        } else {
            format!(
                r#"<form method="post" action="{live}" class="inline call-form">{csrf}<input type="hidden" name="action" value="call"><select name="inscription">{options}</select> <button type="submit" class="control" data-action="call">Give the floor</button></form>"#,
                live = esc(&format!("{href}/live")),
                csrf = hidden_csrf(ctx),
                options = inscription_options(&waiting),
            )
        };
        format!(
            r#"<section class="card controls">{}{}{}{}{}{}{call}</section>"#,
            button("open", "Open the meeting"),
            button("next", "Next speaker"),
            button("stop", "End statement"),
            button("suspend", "Suspend"),
            button("resume", "Resume"),
            button("close", "Adjourn"),
        )
    } else {
        String::new()
    };
    let _ = write!(
        body,
        r#"<div id="live" data-source="{json}" data-limit-ms="{limit}" data-started-ms="{started}" data-now-ms="{now}">
<section class="card chamber">
<div class="chamber-head"><span id="phase">{phase}</span><span class="muted" id="since">{since}</span><span class="muted">Time limit <strong id="limit">{limit_text}</strong></span></div>
<div class="floor"><div class="floor-who"><div class="label">On the floor</div><div class="floor-name" id="floor-name">{floor_name}</div><div class="floor-speaker muted" id="floor-speaker">{floor_speaker}</div></div>
<div class="timer{over}" id="timer"><div class="label" id="timer-label">{timer_label}</div><div class="countdown" id="countdown">{countdown}</div><div class="muted">spoken <span id="elapsed">{elapsed}</span></div><span class="bar timer-bar"><span class="bar-fill" id="timer-fill"></span></span></div></div>
<div class="next"><span class="label">Next</span> <strong id="next-name">{next}</strong> <span class="muted" id="waiting">{waiting} waiting</span></div>
</section>
{controls}
<section class="tiles">
<div class="tile"><span class="tile-num" id="t-statements">{statements}</span><span class="tile-label">Statements</span></div>
<div class="tile"><span class="tile-num" id="t-speaking">{speaking}</span><span class="tile-label">Speaking time (average <span id="t-average">{average}</span>)</span></div>
<div class="tile"><span class="tile-num" id="t-overruns">{overruns}</span><span class="tile-label">Over the limit (<span id="t-overrun">{overrun_time}</span> in all)</span></div>
<div class="tile"><span class="tile-num" id="t-sitting">{sitting}</span><span class="tile-label">In session, <span id="t-sittings">{sittings}</span> sitting(s)</span></div>
<div class="tile"><span class="tile-num" id="t-suspended">{suspended}</span><span class="tile-label">Suspended</span></div>
</section>
<section class="card"><h2>Statements delivered</h2><table class="grid" id="statements"><thead><tr><th>No.</th><th>Delegation</th><th>Started (New York)</th><th>Duration</th><th>Over the limit</th></tr></thead><tbody id="statements-body">{rows}</tbody></table></section>
</div>
<p><a href="{back}">Back to the meeting and its list of speakers</a></p>"#,
        json = esc(&format!("{href}/live.json")),
        limit = view.time_limit_ms,
        now = view.now_ms,
        phase = phase_badge(view.phase),
        since = view
            .since
            .as_ref()
            .map(|s| format!("since {}", esc(&s.strftime("%H:%M %Z").to_string())))
            .unwrap_or_default(),
        limit_text = clock(view.time_limit_ms),
        floor_name = esc(&floor_name),
        floor_speaker = esc(&floor_speaker),
        over = if overrun { " overrun" } else { "" },
        timer_label = if overrun {
            "Over the time limit"
        } else {
            "Time left"
        },
        countdown = esc(&countdown),
        elapsed = esc(&elapsed),
        next = esc(&next),
        waiting = view.waiting,
        statements = t.statements,
        speaking = clock(t.speaking_ms),
        average = clock(t.average_ms),
        overruns = t.overruns,
        overrun_time = clock(t.overrun_ms),
        sitting = clock(t.sitting_ms),
        sittings = t.sittings,
        suspended = clock(t.suspended_ms),
        back = esc(&href),
    );
    html(status, layout(ctx, &format!("Live: {}", m.id), &body, true))
}

fn statement_row(s: &threatscape_debate::record::StatementView) -> String {
    format!(
        r#"<tr{class}><td>{pos}</td><td>{name}</td><td>{start}</td><td class="num">{dur}</td><td class="num">{over}</td></tr>"#,
        class = if s.overrun_ms > 0 {
            r#" class="over""#
        } else {
            ""
        },
        pos = s.position.map(|p| p.to_string()).unwrap_or_default(),
        name = esc(&s.name),
        start = esc(&s.started_at.strftime("%H:%M:%S").to_string()),
        dur = clock(s.duration_ms),
        over = if s.overrun_ms > 0 {
            format!("+{}", clock(s.overrun_ms))
        } else {
            "—".into()
        },
    )
}

async fn live_step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let ctx = match writer(&s, &headers, f.csrf.as_deref()).await {
        Ok(ctx) => ctx,
        Err(r) => return *r,
    };
    let action: Option<LiveAction> =
        filled(&f.action).and_then(|a| serde_json::from_value(serde_json::Value::String(a)).ok());
    let Some(action) = action else {
        return message(
            &ctx,
            StatusCode::BAD_REQUEST,
            "Unknown step",
            "the form names no step of the meeting (open, next, call, stop, suspend, resume, close)",
        );
    };
    let inscription = match (action, ListForm::number(&f.inscription, "speaker")) {
        (_, Ok(n)) => Some(n),
        (LiveAction::Call, Err(e)) => {
            return message(&ctx, StatusCode::BAD_REQUEST, "Whom to call", &e);
        }
        (_, Err(_)) => None,
    };
    let actor = ctx.user.name.clone();
    let key = id.clone();
    let answer = s
        .with_store(move |st| {
            store::update(st, &key, &actor, |m| {
                action.apply(m, inscription, &actor, Timestamp::now())
            })
            .map_err(store_error)
        })
        .await;
    let live = format!("{}/live", meeting_href(&id));
    match answer {
        Ok((Ok(()), _)) => see_other(&live),
        Ok((Err(e), stored)) => {
            let e = live_error(&e);
            live_html(&ctx, &stored.record, e.status, &e.description)
        }
        Err(e) => failed(&ctx, e),
    }
}
