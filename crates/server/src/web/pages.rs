//! The pages: dashboard, reports list and report, search over objects, object.

use std::collections::{BTreeMap, VecDeque};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use threatscape_model::{ContributorType, DateSpan, Report, Tlp};
use threatscape_store::{Abort, ObjectQuery, ObjectRow, StoreError, VersionMatch};

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::{csrf_refused, see_other, Ctx};
use crate::taxii::audit_restricted;
use crate::{ApiError, AppState, Role};

const PAGE_SIZE: usize = 25;
const LATEST: usize = 10;

/// The highest level counts and full-text search show (as the REST API); report lists and
/// report pages also show the user's organisation's own AMBER+STRICT and RED reports.
fn list_max(ctx: &Ctx) -> Tlp {
    ctx.user.clearance.min(Tlp::Amber)
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(Some(ctx), e.status, &e.title, &e.description)
}

/// Calls `f` with every report `reader` may see (up to their clearance; AMBER+STRICT and RED
/// only their organisation's own), in ingest order, until it returns false.
fn each_report(
    st: &mut dyn threatscape_store::Store,
    reader: &threatscape_store::Reader,
    mut f: impl FnMut(&Report) -> bool,
) -> Result<(), ApiError> {
    match st.for_each_owned_report(reader.clearance, &mut |r, owner| {
        if !reader.may_read(r.tlp, owner) || f(r) {
            Ok(())
        } else {
            Err(Abort("enough".into()))
        }
    }) {
        Ok(()) | Err(StoreError::Aborted(_)) => Ok(()),
        Err(e) => Err(ApiError::store(e)),
    }
}

fn span(d: &Option<DateSpan>) -> String {
    match d {
        None => String::new(),
        Some(d) => match &d.end {
            Some(end) => format!("{} – {}", d.start, end),
            None => d.start.to_string(),
        },
    }
}

/// The serde name of a unit enum value (attributor kinds, reliability).
fn word<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

fn report_href(r: &Report) -> String {
    format!("/report?key={}", enc(&r.key()))
}

fn object_href(id: &str) -> String {
    format!("/objects/{}", enc(id))
}

fn report_row(r: &Report) -> Vec<String> {
    vec![
        link(&report_href(r), &r.title),
        esc(&r.contributor.name),
        esc(r.contributor.type_.as_str()),
        esc(&r.provenance.format),
        esc(&span(&r.occurred)),
        badge(r.tlp),
    ]
}

const REPORT_HEAD: [&str; 6] = ["Title", "Contributor", "Type", "Format", "Occurred", "TLP"];

fn bars(counts: &BTreeMap<String, u64>) -> String {
    let top = counts.values().copied().max().unwrap_or(0).max(1);
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<Vec<String>> = sorted
        .into_iter()
        .map(|(k, n)| {
            let pct = (*n as f64 / top as f64 * 100.0).round() as u32;
            vec![
                esc(k),
                format!(
                    r#"<span class="bar"><span class="bar-fill w{}"></span></span>"#,
                    pct / 5 * 5
                ),
                format!(r#"<span class="num">{n}</span>"#),
            ]
        })
        .collect();
    table(&["", "", "Count"], &rows, "Nothing yet.")
}

struct Dashboard {
    by_type: BTreeMap<String, u64>,
    by_tlp: BTreeMap<Tlp, u64>,
    by_format: BTreeMap<String, u64>,
    contributors: BTreeMap<(String, ContributorType), u64>,
    latest: VecDeque<Report>,
    reports: u64,
}

/// `GET /`: the landscape at a glance.
pub(crate) async fn dashboard(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let max = list_max(&ctx);
    let reader = ctx.user.reader();
    let data = s
        .with_store(move |st| {
            let by_type = st.counts_by_type(max).map_err(ApiError::store)?;
            let by_tlp = st
                .counts_by_tlp()
                .map_err(ApiError::store)?
                .into_iter()
                .filter(|(t, _)| *t <= max)
                .collect();
            let by_format = st.counts_reports_by_format(max).map_err(ApiError::store)?;
            let mut contributors = BTreeMap::new();
            let mut latest = VecDeque::new();
            let mut reports = 0;
            each_report(st, &reader, |r| {
                reports += 1;
                *contributors
                    .entry((r.contributor.name.clone(), r.contributor.type_))
                    .or_insert(0) += 1;
                if latest.len() == LATEST {
                    latest.pop_front();
                }
                latest.push_back(r.clone());
                true
            })?;
            Ok(Dashboard {
                by_type,
                by_tlp,
                by_format,
                contributors,
                latest,
                reports,
            })
        })
        .await;
    let d = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let objects: u64 = d.by_type.values().sum();
    let tlp_cells: String = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= max)
        .map(|t| {
            format!(
                r#"<div class="tlp-count">{}<span class="num">{}</span></div>"#,
                badge(t),
                d.by_tlp.get(&t).copied().unwrap_or(0)
            )
        })
        .collect();
    let contributors: Vec<Vec<String>> = d
        .contributors
        .iter()
        .map(|((name, t), n)| {
            vec![
                link(&format!("/reports?q=&type={}", enc(t.as_str())), name),
                esc(t.as_str()),
                format!(r#"<span class="num">{n}</span>"#),
            ]
        })
        .collect();
    let latest: Vec<Vec<String>> = d.latest.iter().rev().map(report_row).collect();
    let body = format!(
        r#"<p class="lede">Shown: material at or below {max_badge}.</p>
<section class="tiles">
<div class="tile"><span class="tile-num">{objects}</span><span class="tile-label">object versions</span></div>
<div class="tile"><span class="tile-num">{reports}</span><span class="tile-label">reports</span></div>
<div class="tile"><span class="tile-num">{ncontrib}</span><span class="tile-label">contributors</span></div>
</section>
<section class="card"><h2>Objects by TLP</h2><div class="tlp-row">{tlp_cells}</div></section>
<div class="cols">
<section class="card"><h2>Objects by type</h2>{by_type}</section>
<section class="card"><h2>Reports by source format</h2>{by_format}</section>
</div>
<section class="card"><h2>Contributors</h2>{contributors}</section>
<section class="card"><h2>Latest reports</h2>{latest}<p><a href="/reports">All reports →</a></p></section>"#,
        max_badge = badge(max),
        reports = d.reports,
        ncontrib = d.contributors.len(),
        by_type = bars(&d.by_type),
        by_format = bars(&d.by_format),
        contributors = table(
            &["Contributor", "Type", "Reports"],
            &contributors,
            "No contributors yet."
        ),
        latest = table(&REPORT_HEAD, &latest, "No reports yet."),
    );
    respond(StatusCode::OK, page(Some(&ctx), "Dashboard", "/", &body))
}

/// Filters of the reports list.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ReportFilter {
    format: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    tlp: Option<String>,
    q: Option<String>,
    page: Option<usize>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn select(name: &str, label: &str, current: Option<&str>, options: &[(String, String)]) -> String {
    let mut out = format!(r#"<label>{label} <select name="{name}"><option value="">any</option>"#);
    for (value, text) in options {
        let sel = if current == Some(value.as_str()) {
            " selected"
        } else {
            ""
        };
        out.push_str(&format!(
            r#"<option value="{}"{sel}>{}</option>"#,
            esc(value),
            esc(text)
        ));
    }
    out.push_str("</select></label>");
    out
}

/// `GET /reports`: reports with filters and paging.
pub(crate) async fn reports(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<ReportFilter>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let max = list_max(&ctx);
    let reader = ctx.user.reader();
    let format = nonempty(&f.format).map(str::to_string);
    let ctype = nonempty(&f.type_).and_then(|t| t.parse::<ContributorType>().ok());
    let tlp = nonempty(&f.tlp).and_then(|t| t.parse::<Tlp>().ok());
    let q = nonempty(&f.q).map(str::to_lowercase);
    let page_no = f.page.unwrap_or(1).max(1);
    let skip = (page_no - 1) * PAGE_SIZE;
    let (fmt2, q2) = (format.clone(), q.clone());
    let data = s
        .with_store(move |st| {
            let formats = st.counts_reports_by_format(max).map_err(ApiError::store)?;
            let mut matched = 0usize;
            let mut rows = Vec::new();
            let mut shown = Vec::new();
            each_report(st, &reader, |r| {
                let keep = fmt2.as_deref().is_none_or(|f| f == r.provenance.format)
                    && ctype.is_none_or(|t| t == r.contributor.type_)
                    && tlp.is_none_or(|t| t == r.tlp)
                    && q2
                        .as_deref()
                        .is_none_or(|q| r.title.to_lowercase().contains(q));
                if keep {
                    matched += 1;
                    if matched > skip && rows.len() < PAGE_SIZE {
                        rows.push(report_row(r));
                        shown.push((r.key(), r.tlp));
                    }
                }
                true
            })?;
            Ok((formats, matched, rows, shown))
        })
        .await;
    let (formats, matched, rows, shown) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    if let Err(e) = s
        .audit_report_reads(&ctx.user, "/reports".into(), shown)
        .await
    {
        return failed(&ctx, e);
    }
    let format_opts: Vec<(String, String)> =
        formats.keys().map(|k| (k.clone(), k.clone())).collect();
    let type_opts: Vec<(String, String)> = ContributorType::ALL
        .into_iter()
        .map(|t| (t.as_str().to_string(), t.as_str().to_string()))
        .collect();
    // Up to the clearance: AMBER+STRICT and RED list the organisation's own.
    let tlp_opts: Vec<(String, String)> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= ctx.user.clearance)
        .map(|t| (t.as_str().to_string(), format!("TLP:{}", t.as_str())))
        .collect();
    let type_cur = ctype.map(|t| t.as_str().to_string());
    let tlp_cur = tlp.map(|t| t.as_str().to_string());
    let query_of = |p: usize| {
        format!(
            "/reports?format={}&type={}&tlp={}&q={}&page={p}",
            enc(format.as_deref().unwrap_or("")),
            enc(type_cur.as_deref().unwrap_or("")),
            enc(tlp_cur.as_deref().unwrap_or("")),
            enc(f.q.as_deref().unwrap_or("").trim()),
        )
    };
    let pages = matched.div_ceil(PAGE_SIZE).max(1);
    let mut pager =
        format!(r#"<nav class="pager"><span>{matched} reports · page {page_no} of {pages}</span>"#);
    if page_no > 1 {
        pager.push_str(&link(&query_of(page_no - 1), "← Previous"));
    }
    if page_no < pages {
        pager.push_str(&link(&query_of(page_no + 1), "Next →"));
    }
    pager.push_str("</nav>");
    let body = format!(
        r#"<form method="get" action="/reports" class="filters">
<label>Title contains <input name="q" value="{q}" placeholder="words in the title"></label>
{format_sel}{type_sel}{tlp_sel}
<button type="submit" class="primary">Filter</button> <a href="/reports">Clear</a>
</form>
<section class="card">{table}{pager}</section>"#,
        q = esc(f.q.as_deref().unwrap_or("")),
        format_sel = select("format", "Format", format.as_deref(), &format_opts),
        type_sel = select("type", "Contributor type", type_cur.as_deref(), &type_opts),
        tlp_sel = select("tlp", "TLP", tlp_cur.as_deref(), &tlp_opts),
        table = table(&REPORT_HEAD, &rows, "No report matches these filters."),
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), "Reports", "/reports", &body),
    )
}

/// Which report.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ReportKey {
    key: Option<String>,
}

fn dl(items: &[(&str, String)]) -> String {
    let mut out = String::from(r#"<dl class="facts">"#);
    for (k, v) in items {
        if !v.is_empty() {
            out.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", esc(k)));
        }
    }
    out.push_str("</dl>");
    out
}

fn list_of(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.map(|i| format!("<li>{i}</li>")).collect();
    if items.is_empty() {
        String::new()
    } else {
        format!("<ul>{}</ul>", items.concat())
    }
}

/// `GET /report?key=`: one report, all its fields and the original record.
pub(crate) async fn report(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(k): Query<ReportKey>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let reader = ctx.user.reader();
    let key = k.key.unwrap_or_default();
    let wanted = key.clone();
    let found = s
        .with_store(move |st| {
            let mut found = None;
            each_report(st, &reader, |r| {
                if r.key() == wanted {
                    found = Some(r.clone());
                }
                true
            })?;
            Ok(found)
        })
        .await;
    let r = match found {
        Ok(Some(r)) => r,
        Ok(None) => {
            return message(
                Some(&ctx),
                StatusCode::NOT_FOUND,
                "Not found",
                "No such report is available to you.",
            )
        }
        Err(e) => return failed(&ctx, e),
    };
    if let Err(e) = s
        .audit_report_reads(&ctx.user, format!("/report?key={key}"), [(r.key(), r.tlp)])
        .await
    {
        return failed(&ctx, e);
    }
    let urls = list_of(r.urls.iter().map(|u| {
        if u.starts_with("https://") || u.starts_with("http://") {
            format!(r#"<a href="{0}" rel="noopener noreferrer">{0}</a>"#, esc(u))
        } else {
            esc(u)
        }
    }));
    let victims = list_of(r.victims.iter().map(|v| {
        let mut parts = vec![esc(v.name.as_deref().unwrap_or("(unnamed)"))];
        if let Some(c) = v.country.as_ref().or(v.country_as_given.as_ref()) {
            parts.push(esc(c));
        }
        if !v.sectors.is_empty() {
            parts.push(esc(&v.sectors.join(", ")));
        }
        parts.join(" · ")
    }));
    let actors = list_of(r.actors.iter().map(|a| {
        let mut s = esc(&a.name);
        if let Some(c) = &a.country {
            s.push_str(&format!(" · {}", esc(c)));
        }
        if let Some(c) = &a.category {
            s.push_str(&format!(" · {}", esc(c)));
        }
        s
    }));
    let attributions = list_of(r.attributions.iter().map(|a| {
        let mut s = format!(
            "{} <span class=\"muted\">by {} ({})</span>",
            esc(&a.actor.name),
            esc(a.attributed_by.as_deref().unwrap_or("unnamed")),
            esc(&word(&a.attributor_kind)),
        );
        if let Some(b) = &a.basis {
            s.push_str(&format!(" · basis: {}", esc(b)));
        }
        s
    }));
    let description = r
        .description
        .as_deref()
        .map(|d| {
            format!(
                r#"<section class="card"><h2>Account</h2><p class="prose">{}</p></section>"#,
                esc(d)
            )
        })
        .unwrap_or_default();
    let facts = dl(&[
        ("TLP", badge(r.tlp)),
        ("Key", format!("<code>{}</code>", esc(&r.key()))),
        ("Source id", esc(r.source_id.as_deref().unwrap_or(""))),
        (
            "Contributor",
            format!(
                "{} <span class=\"muted\">{} · reliability {}</span>",
                esc(&r.contributor.name),
                esc(r.contributor.type_.as_str()),
                esc(&word(&r.contributor.reliability))
            ),
        ),
        (
            "Credibility",
            r.credibility.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("Occurred", esc(&span(&r.occurred))),
        (
            "Disclosed",
            r.disclosed.map(|d| esc(&d.to_string())).unwrap_or_default(),
        ),
        (
            "Reported",
            r.reported.map(|d| esc(&d.to_string())).unwrap_or_default(),
        ),
        ("Kinds", esc(&r.kinds.join(", "))),
        ("Tags", esc(&r.tags.join(", "))),
        ("References", urls),
        ("Victims", victims),
        ("Actors", actors),
        ("Attributions", attributions),
    ]);
    let provenance = dl(&[
        ("Format", esc(&r.provenance.format)),
        ("File", esc(&r.provenance.file)),
        ("Place in file", esc(&r.provenance.locator)),
    ]);
    let body = format!(
        r#"<section class="card">{facts}</section>{description}
<section class="card"><h2>Provenance</h2>{provenance}</section>
<section class="card"><h2>Original record</h2><pre class="code">{original}</pre></section>"#,
        original = esc(&r.original),
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), &r.title, "/reports", &body),
    )
}

/// The search form's fields.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    after: Option<i64>,
}

fn object_name(json: &str) -> String {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

/// `GET /search?q=&type=`: full-text search over objects, or the latest objects when `q` is empty.
pub(crate) async fn search(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let max = list_max(&ctx);
    let q = nonempty(&p.q).map(str::to_string);
    let type_ = nonempty(&p.type_).map(str::to_string);
    let reader = ctx.user.reader();
    let after = p.after.unwrap_or(0).max(0);
    let (q2, t2) = (q.clone(), type_.clone());
    let data = s
        .with_store(move |st| {
            let types: Vec<String> = t2.iter().cloned().collect();
            let (ids, after_seq, limit) = match &q2 {
                Some(q) => {
                    crate::api::search_words(q)?;
                    let hits = st.search(q, max, 200).map_err(ApiError::store)?;
                    let ids: Vec<String> = hits
                        .into_iter()
                        .filter(|h| t2.as_ref().is_none_or(|t| *t == h.type_))
                        .map(|h| h.id)
                        .collect();
                    if ids.is_empty() {
                        return Ok((Vec::new(), false));
                    }
                    (ids, 0, 200)
                }
                None => (Vec::new(), after, PAGE_SIZE + 1),
            };
            // The hits' TLP, and a second check of the access rule, from the access-checked query.
            let mut rows: Vec<ObjectRow> = st
                .query_objects(&ObjectQuery {
                    reader,
                    max_tlp: max,
                    ids,
                    types,
                    versions: vec![VersionMatch::Last],
                    added_after: None,
                    after_seq,
                    limit,
                })
                .map_err(ApiError::store)?;
            let more = q2.is_none() && rows.len() > PAGE_SIZE;
            rows.truncate(if q2.is_none() { PAGE_SIZE } else { 200 });
            Ok((rows, more))
        })
        .await;
    let (rows, more) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let name = object_name(&r.json);
            vec![
                link(
                    &object_href(&r.id),
                    if name.is_empty() { &r.id } else { &name },
                ),
                esc(&r.type_),
                format!("<code>{}</code>", esc(&r.id)),
                esc(&r.modified),
                badge(r.tlp),
            ]
        })
        .collect();
    let mut pager = String::new();
    if more {
        if let Some(last) = rows.last() {
            pager = format!(
                r#"<nav class="pager">{}</nav>"#,
                link(
                    &format!(
                        "/search?type={}&after={}",
                        enc(type_.as_deref().unwrap_or("")),
                        last.seq
                    ),
                    "Next →"
                )
            );
        }
    }
    let heading = if q.is_some() {
        format!("{} results", rows.len())
    } else {
        "Latest objects".to_string()
    };
    let body = format!(
        r#"<form method="get" action="/search" class="filters">
<label>Words <input name="q" value="{q}" placeholder="names and descriptions"></label>
<label>STIX type <input name="type" value="{t}" placeholder="e.g. malware"></label>
<button type="submit" class="primary">Search</button>
</form>
<section class="card"><h2>{heading}</h2>{table}{pager}</section>"#,
        q = esc(q.as_deref().unwrap_or("")),
        t = esc(type_.as_deref().unwrap_or("")),
        heading = esc(&heading),
        table = table(
            &["Name", "Type", "Id", "Modified", "TLP"],
            &cells,
            "Nothing found."
        ),
    );
    respond(StatusCode::OK, page(Some(&ctx), "Search", "/search", &body))
}

/// `GET /objects/{id}`: one object's latest visible version, pretty-printed, and its versions.
pub(crate) async fn object(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let user = ctx.user.clone();
    let query = ObjectQuery {
        reader: ctx.user.reader(),
        max_tlp: Tlp::Red,
        ids: vec![id.clone()],
        types: vec![],
        versions: vec![VersionMatch::All],
        added_after: None,
        after_seq: 0,
        limit: 10_000,
    };
    let path = object_href(&id);
    let rows = s
        .with_store(move |st| {
            let rows = st.query_objects(&query).map_err(ApiError::store)?;
            audit_restricted(st, &user, &path, &rows)?;
            Ok(rows)
        })
        .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return failed(&ctx, e),
    };
    let Some(latest) = rows
        .iter()
        .max_by(|a, b| (&a.modified, a.seq).cmp(&(&b.modified, b.seq)))
    else {
        return message(
            Some(&ctx),
            StatusCode::NOT_FOUND,
            "Not found",
            "No such object is available to you.",
        );
    };
    let pretty = serde_json::from_str::<Value>(&latest.json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| latest.json.clone());
    let versions: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![esc(&r.modified), esc(&r.date_added), badge(r.tlp)])
        .collect();
    let name = object_name(&latest.json);
    let title = if name.is_empty() { id.clone() } else { name };
    let facts = dl(&[
        ("TLP", badge(latest.tlp)),
        ("Id", format!("<code>{}</code>", esc(&latest.id))),
        ("Type", esc(&latest.type_)),
        ("Modified", esc(&latest.modified)),
        ("Added", esc(&latest.date_added)),
    ]);
    let body = format!(
        r#"<section class="card">{facts}</section>
<section class="card"><h2>Canonical JSON</h2><pre class="code">{json}</pre></section>
<section class="card"><h2>Versions available to you</h2>{versions}</section>"#,
        json = esc(&pretty),
        versions = table(&["Modified", "Added", "TLP"], &versions, ""),
    );
    respond(StatusCode::OK, page(Some(&ctx), &title, "/search", &body))
}

/// The contribution form's fields (the native template's columns, plus the CSRF token).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Contribution {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    occurred_start: String,
    #[serde(default)]
    victim_name: String,
    #[serde(default)]
    victim_country: String,
    #[serde(default)]
    kinds: String,
    #[serde(default)]
    urls: String,
    #[serde(default)]
    tlp: String,
    #[serde(default)]
    contributor_type: String,
    /// TLP:RED's named recipients ([`super::upload::parse_recipients`]).
    #[serde(default)]
    recipients: String,
}

fn contribute_page(ctx: &Ctx, status: StatusCode, notice: &str, f: &Contribution) -> Response {
    if ctx.user.role < Role::Contributor {
        return message(
            Some(ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role (reader) does not submit reports; ask an administrator for the contributor role.",
        );
    }
    let tlp_opts: Vec<(String, String)> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= ctx.user.clearance)
        .map(|t| (t.as_str().to_string(), format!("TLP:{}", t.as_str())))
        .collect();
    let type_opts: Vec<(String, String)> = ContributorType::ALL
        .into_iter()
        .map(|t| (t.as_str().to_string(), t.as_str().to_string()))
        .collect();
    let field = |name: &str, label: &str, value: &str, hint: &str| {
        format!(
            r#"<label>{label} <input name="{name}" value="{}" placeholder="{hint}"></label>"#,
            esc(value)
        )
    };
    let body = format!(
        r#"{notice}<section class="card"><form method="post" action="/contribute" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<p class="muted">Sent as {org}, through the same ingest as <code>threatscape ingest --format native</code>.</p>
{title}
<label>Account <textarea name="description">{description}</textarea></label>
{occurred}{victim}{country}{kinds}{urls}
{tlp}{ctype}{recipients}
<button type="submit" class="primary">Submit report</button>
</form></section>{upload}"#,
        csrf = esc(&ctx.csrf),
        org = esc(&ctx.user.organisation),
        title = field("title", "Title (required)", &f.title, "a short title"),
        description = esc(&f.description),
        occurred = field(
            "occurred_start",
            "Occurred (required)",
            &f.occurred_start,
            "YYYY, YYYY-MM or YYYY-MM-DD"
        ),
        victim = field(
            "victim_name",
            "Victim",
            &f.victim_name,
            "the organisation hit"
        ),
        country = field(
            "victim_country",
            "Victim's country",
            &f.victim_country,
            "a name or ISO code"
        ),
        kinds = field("kinds", "Kinds", &f.kinds, "e.g. ransomware; wiper"),
        urls = field("urls", "References", &f.urls, "https://…; https://…"),
        tlp = select("tlp", "TLP (required)", Some(f.tlp.as_str()), &tlp_opts),
        ctype = select(
            "contributor_type",
            "Your organisation's type (required)",
            Some(f.contributor_type.as_str()),
            &type_opts
        ),
        recipients = field(
            "recipients",
            "Named recipients (AMBER+STRICT and RED: besides your organisation, only these may read it)",
            &f.recipients,
            "organisations, separated by semicolons"
        ),
        upload = super::upload::upload_form(
            ctx,
            &super::upload::UploadFields::of_type(&f.contributor_type)
        ),
    );
    respond(
        status,
        page(Some(ctx), "Contribute a report", "/contribute", &body),
    )
}

/// `GET /contribute`: the form for a new report.
pub(crate) async fn contribute_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    // The organisation's registered type, preselected (a failed read only leaves it unchosen).
    let org = ctx.user.organisation.clone();
    let registered = s
        .with_store(move |st| crate::auth::organisations(st).map_err(ApiError::store))
        .await
        .ok()
        .and_then(|m| m.get(&org).copied());
    let f = Contribution {
        contributor_type: registered
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        ..Contribution::default()
    };
    contribute_page(&ctx, StatusCode::OK, "", &f)
}

/// `POST /contribute`: the report, as a one-row native template, through the ingest.
pub(crate) async fn contribute(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Contribution>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if ctx.user.role < Role::Contributor {
        return contribute_page(&ctx, StatusCode::FORBIDDEN, "", &f);
    }
    let notice = |text: &str| format!(r#"<p class="notice error">{}</p>"#, esc(text));
    let Ok(ctype) = f.contributor_type.parse::<ContributorType>() else {
        return contribute_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &notice("Choose your organisation's type."),
            &f,
        );
    };
    if f.tlp.parse::<Tlp>().is_ok_and(|t| t > ctx.user.clearance) {
        return contribute_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &notice("You cannot mark a report above your own clearance."),
            &f,
        );
    }
    let recipients = match super::upload::parse_recipients(&f.recipients) {
        Ok(r) => r,
        Err(why) => {
            return contribute_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &notice(&format!("Named recipients: {why}.")),
                &f,
            )
        }
    };
    let mut row = serde_json::Map::new();
    for (k, v) in [
        ("title", &f.title),
        ("description", &f.description),
        ("occurred_start", &f.occurred_start),
        ("victim_name", &f.victim_name),
        ("victim_country", &f.victim_country),
        ("kinds", &f.kinds),
        ("urls", &f.urls),
        ("tlp", &f.tlp),
    ] {
        if !v.trim().is_empty() {
            row.insert(k.into(), Value::String(v.trim().to_string()));
        }
    }
    let user = ctx.user.clone();
    let result = s
        .with_store(move |st| {
            let dir = tempfile::tempdir()
                .map_err(|e| ApiError::internal(format!("no temporary folder: {e}")))?;
            let path = dir.path().join(format!(
                "web-form-{}.json",
                user.name.replace(['/', '\\'], "_")
            ));
            std::fs::write(&path, Value::Array(vec![Value::Object(row)]).to_string())
                .map_err(|e| ApiError::internal(format!("could not write the submission: {e}")))?;
            let options = threatscape_ingest::Options {
                format: threatscape_ingest::Format::Fixed(threatscape_ingest::SourceFormat::Native),
                run: threatscape_store::NewRun {
                    contributor: Some(user.organisation.clone()),
                    contributor_type: Some(ctype),
                    declared_tlp: None,
                    actor: user.name.clone(),
                    recipients,
                },
                contributor: Some(threatscape_model::Contributor {
                    name: user.organisation.clone(),
                    type_: ctype,
                    reliability: threatscape_model::Reliability::F,
                }),
                ..Default::default()
            };
            let inputs = threatscape_ingest::Inputs {
                files: vec![path],
                skipped: vec![],
            };
            threatscape_ingest::ingest(st, &inputs, &options, &mut |_| {}).map_err(ApiError::store)
        })
        .await;
    let summary = match result {
        Ok(s) => s,
        Err(e) => return failed(&ctx, e),
    };
    if summary.reports.accepted == 0 {
        let reasons: Vec<String> = summary.errors.iter().map(|d| d.message.clone()).collect();
        return contribute_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &notice(&format!(
                "The report was not accepted: {}",
                reasons.join("; ")
            )),
            &f,
        );
    }
    let ok = format!(
        r#"<p class="notice ok">Report “{}” accepted ({} new). It is listed under <a href="/reports">Reports</a>.</p>"#,
        esc(f.title.trim()),
        summary.reports.new
    );
    contribute_page(&ctx, StatusCode::OK, &ok, &Contribution::default())
}
