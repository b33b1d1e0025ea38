//! Briefings: generate the landscape briefing for a period, baseline and audience; list the
//! editions; view one inline; download it as PDF, Markdown, JSON, HTML or STIX 2.1.
//!
//! Each edition is one entry of the record stream [`EDITIONS`]: what went in (period, baseline,
//! audience, date basis, the store's change marker, who asked, and a SHA-256 over the key and
//! content digest of every report released to the audience) and the briefing itself as data
//! (`threatscape_brief::Briefing`, which every figure's incident ids and report keys are part
//! of). The HTML, Markdown, JSON and PDF are rendered on demand from that recorded briefing, so
//! an edition reads the same whatever the store holds later. The STIX bundle also needs the
//! incidents' reports: it is rebuilt from the store, and only while the released reports still
//! have the recorded digest (otherwise the answer is 409 and says why), with the edition's
//! recording time as its `published` time, so it too comes out byte for byte the same.
//!
//! Who: analysts, the Secretariat and administrators generate; an audience is never above the
//! requester's level (`min(clearance, AMBER)`), and an edition is listed and served only to users
//! at or above its audience's ceiling. Generation is audited (`brief`), and so are reads of
//! restricted (AMBER) editions (`read-restricted`).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use threatscape_brief::{render, Audience, Baseline, Briefing, Period};
use threatscape_model::Tlp;
use threatscape_store::{AuditEntry, StreamEntry};

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::landscape::{baseline_word, briefing, Released};
use super::{csrf_refused, see_other, Ctx};
use crate::{ApiError, AppState, Role};

/// The record stream of briefing editions.
pub(crate) const EDITIONS: &str = "briefing-editions";

/// Whether `role` may generate briefings.
fn may_generate(role: Role) -> bool {
    matches!(role, Role::Analyst | Role::Secretariat | Role::Admin)
}

/// The SHA-256 over every released report's key and the SHA-256 of its stored content, in key
/// order: equal digests mean the briefing's inputs are the same reports, word for word.
pub(crate) fn reports_digest(released: &Released) -> Result<String, ApiError> {
    let mut lines = Vec::new();
    for i in &released.incidents {
        for r in &i.reports {
            let content = serde_json::to_vec(r).map_err(|e| {
                ApiError::internal(format!("report {} cannot be serialised: {e}", r.key()))
            })?;
            lines.push(format!("{}\t{:x}\n", r.key(), Sha256::digest(&content)));
        }
    }
    lines.sort();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
    }
    Ok(format!("{:x}", h.finalize()))
}

/// What an edition records, read back from its stream entry.
struct Edition {
    seq: i64,
    recorded_at: String,
    actor: String,
    audience: Audience,
    period: Period,
    baseline: Baseline,
    reports_digest: String,
    briefing: Briefing,
}

impl Edition {
    fn read(e: &StreamEntry) -> Result<Edition, ApiError> {
        let bad = |what: &str, why: String| {
            ApiError::internal(format!(
                "entry {} of the {EDITIONS} stream: {what} cannot be read ({why})",
                e.seq
            ))
        };
        let field = |name: &str| e.body[name].as_str().unwrap_or_default().to_string();
        Ok(Edition {
            seq: e.seq,
            recorded_at: e.recorded_at.clone(),
            actor: e.actor.clone(),
            audience: field("audience")
                .parse()
                .map_err(|x: threatscape_brief::BriefError| bad("audience", x.to_string()))?,
            period: field("period")
                .parse()
                .map_err(|x: threatscape_brief::BriefError| bad("period", x.to_string()))?,
            baseline: field("baseline")
                .parse()
                .map_err(|x: threatscape_brief::BriefError| bad("baseline", x.to_string()))?,
            reports_digest: field("reports_digest"),
            briefing: serde_json::from_value(e.body["briefing"].clone())
                .map_err(|x| bad("briefing", x.to_string()))?,
        })
    }

    fn visible_to(&self, ctx: &Ctx) -> bool {
        self.audience.max_tlp() <= ctx.release_level()
    }

    fn stem(&self) -> String {
        format!(
            "briefing-{}-{}-{}",
            self.seq,
            self.period.label.replace("..", "_"),
            self.audience
        )
    }
}

/// Generates and records an edition: the briefing of `period` against `baseline` for
/// `audience`, from the store as it is now. Returns the edition's number.
pub(crate) fn record_edition(
    store: &mut dyn threatscape_store::Store,
    cache: &super::landscape::LandscapeCache,
    period: Period,
    baseline: Baseline,
    audience: Audience,
    requested_by: &str,
    how: &str,
) -> Result<i64, ApiError> {
    let (landscape, released) = cache.released(store, audience.max_tlp())?;
    let b = briefing(&released, audience, period.clone(), baseline);
    let digest = reports_digest(&released)?;
    let reports: usize = released.incidents.iter().map(|i| i.reports.len()).sum();
    let body = serde_json::json!({
        "period": period.label,
        "baseline": baseline_word(baseline),
        "audience": audience.to_string(),
        "max_tlp": audience.max_tlp().as_str(),
        "date_basis": "occurred",
        "min_count": b.trends.min_count,
        "fdr": b.trends.fdr,
        "store_marker": landscape.marker,
        "requested_by": requested_by,
        "how": how,
        "reports_released": reports,
        "reports_digest": digest,
        "incidents_cited": b.annex.len(),
        "highest_tlp_used": b.highest_tlp_used.as_str(),
        "title": b.title,
        "briefing": b,
    });
    let seq = store
        .append_to_stream(EDITIONS, requested_by, None, &body)
        .map_err(ApiError::store)?;
    store
        .audit(&AuditEntry {
            actor: requested_by.to_string(),
            action: "brief".into(),
            subject: format!("{EDITIONS}#{seq}"),
            detail: serde_json::json!({
                "period": period.label, "baseline": baseline_word(baseline),
                "audience": audience.to_string(), "max_tlp": audience.max_tlp().as_str(),
                "highest_tlp_used": b.highest_tlp_used.as_str(), "withheld_reports": b.withheld_reports,
                "incidents_cited": b.annex.len(), "reports_digest": digest, "how": how,
            }),
        })
        .map_err(ApiError::store)?;
    Ok(seq)
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(Some(ctx), e.status, &e.title, &e.description)
}

fn editions(store: &dyn threatscape_store::Store) -> Result<Vec<Edition>, ApiError> {
    store
        .read_stream(EDITIONS, 0)
        .map_err(ApiError::store)?
        .iter()
        .map(Edition::read)
        .collect()
}

fn audiences_for(ctx: &Ctx) -> Vec<Audience> {
    [Audience::Public, Audience::Council, Audience::Restricted]
        .into_iter()
        .filter(|a| a.max_tlp() <= ctx.release_level())
        .collect()
}

fn audience_words(a: Audience) -> &'static str {
    match a {
        Audience::Public => "public (TLP:CLEAR only)",
        Audience::Council => "Council (up to TLP:GREEN)",
        Audience::Restricted => "restricted (up to TLP:AMBER)",
    }
}

/// `GET /briefings`: the editions the user may read and, for analysts and up, the form.
pub(crate) async fn list(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let level = ctx.release_level();
    let inner = Arc::clone(&s.0);
    let data = s
        .with_store(move |st| {
            let all = editions(st)?;
            let (_, released) = inner.web.landscape.released(st, level)?;
            let regular = schedule(st)?;
            Ok((all, super::landscape::default_period_of(&released), regular))
        })
        .await;
    let (all, default_period, regular) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let rows: Vec<Vec<String>> = all
        .iter()
        .rev()
        .filter(|e| e.visible_to(&ctx))
        .map(|e| {
            let href = format!("/briefings/{}", e.seq);
            vec![
                link(&href, &format!("No. {}", e.seq)),
                esc(&e.period.label),
                esc(&e.briefing.baseline_description),
                esc(&e.audience.to_string()),
                badge(e.briefing.highest_tlp_used),
                format!(r#"<span class="num">{}</span>"#, e.briefing.annex.len()),
                esc(&e.actor),
                esc(&e.recorded_at),
                format!(
                    "{} · {} · {}",
                    link(&format!("{href}/download?format=pdf"), "PDF"),
                    link(&format!("{href}/download?format=md"), "MD"),
                    link(&format!("{href}/download?format=json"), "JSON"),
                ),
            ]
        })
        .collect();
    let mut body = String::from(
        r#"<p class="lede">The Council's landscape briefing, edition by edition. Each edition records what went into it and reads the same whenever it is opened.</p>"#,
    );
    if may_generate(ctx.user.role) {
        let audience_options: String = audiences_for(&ctx)
            .into_iter()
            .map(|a| format!(r#"<option value="{a}">{}</option>"#, audience_words(a)))
            .collect();
        let _ = write!(
            body,
            r#"<section class="card"><h2>New edition</h2><form method="post" action="/briefings" class="filters ls-picker">
<input type="hidden" name="csrf" value="{csrf}">
<label>Period <input name="period" value="{period}" required placeholder="2023-Q2, 2023-06, 2023 or 2023-01-01..2023-03-31"></label>
<label>Baseline <select name="baseline"><option value="previous">previous period</option><option value="year-ago">same period a year before</option><option value="trailing:4">4 previous periods</option></select></label>
<label>Audience <select name="audience">{audience_options}</select></label>
<button type="submit" class="primary">Generate</button>
</form></section>"#,
            csrf = esc(&ctx.csrf),
            period = esc(&default_period.label),
        );
    }
    let in_force = match &regular {
        Some(r) if r.cadence != Cadence::Off => format!(
            "A {} briefing for a {} audience against the {} baseline is generated when each period closes.",
            if r.cadence == Cadence::Monthly { "monthly" } else { "quarterly" },
            r.audience,
            r.baseline
        ),
        _ => "No regular briefing is scheduled.".to_string(),
    };
    let _ = write!(
        body,
        r#"<section class="card"><h2>Regular briefing</h2><p>{}</p>"#,
        esc(&in_force)
    );
    if matches!(ctx.user.role, Role::Secretariat | Role::Admin) {
        let audience_options: String = audiences_for(&ctx)
            .into_iter()
            .map(|a| format!(r#"<option value="{a}">{}</option>"#, audience_words(a)))
            .collect();
        let _ = write!(
            body,
            r#"<form method="post" action="/briefings/schedule" class="filters ls-picker">
<input type="hidden" name="csrf" value="{csrf}">
<label>Cadence <select name="cadence"><option value="quarterly">quarterly</option><option value="monthly">monthly</option><option value="off">off</option></select></label>
<label>Audience <select name="audience">{audience_options}</select></label>
<label>Baseline <select name="baseline"><option value="previous">previous period</option><option value="year-ago">same period a year before</option><option value="trailing:4">4 previous periods</option></select></label>
<button type="submit" class="primary">Set schedule</button>
</form>"#,
            csrf = esc(&ctx.csrf),
        );
    }
    body.push_str("</section>");
    let _ = write!(
        body,
        r#"<section class="card"><h2>Editions</h2>{}</section>"#,
        table(
            &[
                "Edition",
                "Period",
                "Compared with",
                "Audience",
                "Marking",
                "Incidents cited",
                "Requested by",
                "Recorded",
                "Download"
            ],
            &rows,
            "No edition yet."
        )
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), "Briefings", "/briefings", &body),
    )
}

/// The generation form's fields (all optional so a missing one is answered by us).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct GenerateForm {
    csrf: Option<String>,
    period: Option<String>,
    baseline: Option<String>,
    audience: Option<String>,
}

/// `POST /briefings`: generates and records an edition, then shows it.
pub(crate) async fn generate(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<GenerateForm>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if !may_generate(ctx.user.role) {
        return message(
            Some(&ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Briefings are generated by analysts, the Secretariat and administrators.",
        );
    }
    let parsed = (|| -> Result<(Period, Baseline, Audience), String> {
        let period = f.period.as_deref().unwrap_or("").parse::<Period>();
        let baseline = f
            .baseline
            .as_deref()
            .unwrap_or("previous")
            .parse::<Baseline>();
        let audience = f
            .audience
            .as_deref()
            .unwrap_or("public")
            .parse::<Audience>();
        Ok((
            period.map_err(|e| e.to_string())?,
            baseline.map_err(|e| e.to_string())?,
            audience.map_err(|e| e.to_string())?,
        ))
    })();
    let (period, baseline, audience) = match parsed {
        Ok(p) => p,
        Err(why) => return message(Some(&ctx), StatusCode::BAD_REQUEST, "Cannot generate", &why),
    };
    if audience.max_tlp() > ctx.release_level() {
        return message(
            Some(&ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            &format!(
                "A {audience} briefing may use TLP:{} material, above your level (TLP:{}).",
                audience.max_tlp().as_str(),
                ctx.release_level().as_str()
            ),
        );
    }
    let inner = Arc::clone(&s.0);
    let who = ctx.user.name.clone();
    let seq = s
        .with_store(move |st| {
            record_edition(
                st,
                &inner.web.landscape,
                period,
                baseline,
                audience,
                &who,
                "web",
            )
        })
        .await;
    match seq {
        Ok(seq) => see_other(&format!("/briefings/{seq}")),
        Err(e) => failed(&ctx, e),
    }
}

/// Reads edition `seq` for `ctx` (404 when there is none or it is above their level), auditing
/// a read of restricted material.
async fn edition_for(s: &AppState, ctx: &Ctx, seq: i64, what: &str) -> Result<Edition, ApiError> {
    let user = ctx.user.clone();
    let what = what.to_string();
    let ctx_level = ctx.release_level();
    s.with_store(move |st| {
        let entry = st
            .read_stream(EDITIONS, seq.saturating_sub(1).max(0))
            .map_err(ApiError::store)?
            .into_iter()
            .find(|e| e.seq == seq);
        let edition = match entry {
            Some(e) => Edition::read(&e)?,
            None => return Err(ApiError::not_found("no such briefing edition")),
        };
        if edition.audience.max_tlp() > ctx_level {
            return Err(ApiError::not_found("no such briefing edition"));
        }
        if edition.briefing.highest_tlp_used >= Tlp::Amber {
            st.audit(&AuditEntry {
                actor: user.name.clone(),
                action: "read-restricted".into(),
                subject: format!("{EDITIONS}#{seq}"),
                detail: serde_json::json!({"what": what,
                    "highest_tlp_used": edition.briefing.highest_tlp_used.as_str()}),
            })
            .map_err(ApiError::store)?;
        }
        Ok(edition)
    })
    .await
}

/// The body of the briefing's self-contained HTML page (its own stylesheet is replaced by the
/// app's, which the site's content security policy allows).
fn inline_html(b: &Briefing) -> String {
    let doc = render::html(b);
    let start = doc.find("<body>").map_or(0, |i| i + "<body>".len());
    let end = doc.rfind("</body>").unwrap_or(doc.len());
    doc[start..end].to_string()
}

/// `GET /briefings/{seq}`: the edition, inline, with what went into it and its downloads.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(seq): Path<i64>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let e = match edition_for(&s, &ctx, seq, "view").await {
        Ok(e) => e,
        Err(e) => return failed(&ctx, e),
    };
    let href = format!("/briefings/{seq}/download?format=");
    let downloads = ["pdf", "html", "md", "json", "stix"]
        .iter()
        .map(|f| {
            format!(
                r#"<a class="ls-download" href="{href}{f}">{}</a>"#,
                f.to_uppercase()
            )
        })
        .collect::<String>();
    let body = format!(
        r#"<section class="card"><dl class="facts">
<dt>Period</dt><dd>{period}</dd><dt>Compared with</dt><dd>{baseline}</dd>
<dt>Audience</dt><dd>{audience}</dd><dt>Marking</dt><dd>{marking}</dd>
<dt>Requested by</dt><dd>{actor}, {at}</dd><dt>Inputs</dt><dd><code>{digest}</code> <span class="muted">(SHA-256 over the released reports' keys and contents)</span></dd>
<dt>Download</dt><dd class="ls-downloads">{downloads}</dd><dt>Now</dt><dd>{dashboard}</dd></dl></section>
<article class="card briefing-doc">{doc}</article>
<link rel="stylesheet" href="/static/landscape.css">"#,
        period = esc(&e.period.label),
        baseline = esc(&format!(
            "{} ({})",
            e.briefing.baseline_description,
            e.briefing
                .baseline_periods
                .iter()
                .map(|p| p.label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        audience = esc(audience_words(e.audience)),
        marking = badge(e.briefing.highest_tlp_used),
        actor = esc(&e.actor),
        at = esc(&e.recorded_at),
        digest = esc(&e.reports_digest),
        doc = inline_html(&e.briefing),
        dashboard = dashboard_of(&e),
    );
    let title = format!("Briefing No. {seq}: {}", e.period.label);
    respond(
        StatusCode::OK,
        page(Some(&ctx), &title, "/briefings", &body),
    )
}

/// Which file to download.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DownloadQuery {
    format: Option<String>,
}

fn attachment(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `GET /briefings/{seq}/download?format=pdf|html|md|json|stix`.
pub(crate) async fn download(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(seq): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let format = q
        .format
        .unwrap_or_else(|| "pdf".into())
        .to_ascii_lowercase();
    if !matches!(format.as_str(), "pdf" | "html" | "md" | "json" | "stix") {
        return message(
            Some(&ctx),
            StatusCode::BAD_REQUEST,
            "Unknown format",
            &format!("`{format}` is not a briefing format; use pdf, html, md, json or stix."),
        );
    }
    let e = match edition_for(&s, &ctx, seq, &format).await {
        Ok(e) => e,
        Err(e) => return failed(&ctx, e),
    };
    let stem = e.stem();
    match format.as_str() {
        "html" => attachment(
            "text/html; charset=utf-8",
            &format!("{stem}.html"),
            render::html(&e.briefing).into_bytes(),
        ),
        "md" => attachment(
            "text/markdown; charset=utf-8",
            &format!("{stem}.md"),
            render::markdown(&e.briefing).into_bytes(),
        ),
        "json" => attachment(
            "application/json",
            &format!("{stem}.json"),
            render::json(&e.briefing).into_bytes(),
        ),
        "pdf" => {
            let made = tokio::task::spawn_blocking(move || {
                threatscape_brief::pdf::pdf(&e.briefing).map(|bytes| (e, bytes))
            })
            .await;
            match made {
                Ok(Ok((_, bytes))) => attachment("application/pdf", &format!("{stem}.pdf"), bytes),
                Ok(Err(why)) => failed(&ctx, ApiError::internal(why.to_string())),
                Err(why) => failed(
                    &ctx,
                    ApiError::internal(format!("typesetting stopped: {why}")),
                ),
            }
        }
        _ => {
            let inner = Arc::clone(&s.0);
            let made = s
                .with_store(move |st| {
                    let (_, released) =
                        inner.web.landscape.released(st, e.audience.max_tlp())?;
                    if reports_digest(&released)? != e.reports_digest {
                        return Err(ApiError::new(
                            StatusCode::CONFLICT,
                            "Store changed",
                            "The reports released to this audience have changed since the edition was recorded, so its STIX bundle (which carries the reports' objects) cannot be rebuilt identically. The PDF, HTML, Markdown and JSON are recorded and still available; generate a new edition for a current bundle.",
                        ));
                    }
                    Ok(threatscape_brief::stix::bundle(
                        &e.briefing,
                        &released.incidents,
                        &e.recorded_at,
                    ))
                })
                .await;
            match made {
                Ok(bundle) => attachment(
                    "application/stix+json;version=2.1",
                    &format!("{stem}.stix.json"),
                    bundle.into_bytes(),
                ),
                Err(e) => failed(&ctx, e),
            }
        }
    }
}

/// A link to the dashboard for the period and baseline of an edition.
fn dashboard_of(e: &Edition) -> String {
    link(
        &format!(
            "/?period={}&baseline={}",
            enc(&e.period.label),
            enc(&baseline_word(e.baseline))
        ),
        "the dashboard for this period",
    )
}

/// The record stream of the regular-briefing schedule; its latest entry is in force.
pub(crate) const SCHEDULE: &str = "briefing-schedule";
/// The job kind of a scheduled briefing.
pub(crate) const BRIEF_JOB: &str = "brief";
/// How often the server looks for a closed period and for queued briefing jobs.
const SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// How often a regular briefing is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Cadence {
    /// No regular briefing.
    Off,
    /// Each calendar month, when it closes.
    Monthly,
    /// Each calendar quarter, when it closes.
    Quarterly,
}

/// The schedule in force: how often, for whom, against what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Schedule {
    pub(crate) cadence: Cadence,
    pub(crate) audience: Audience,
    pub(crate) baseline: String,
}

impl Schedule {
    /// The latest period of the schedule's cadence that has closed by `today`.
    fn last_closed(&self, today: threatscape_brief::period::Day) -> Option<Period> {
        let (y, m, _) = threatscape_brief::period::civil(today);
        match self.cadence {
            Cadence::Off => None,
            Cadence::Monthly => Some(Period::month(y, m).shifted_back(1)),
            Cadence::Quarterly => Some(Period::quarter(y, (m - 1) / 3 + 1).shifted_back(1)),
        }
    }
}

/// The schedule in force (the stream's latest entry), `None` when none was ever set.
pub(crate) fn schedule(store: &dyn threatscape_store::Store) -> Result<Option<Schedule>, ApiError> {
    match store
        .read_stream(SCHEDULE, 0)
        .map_err(ApiError::store)?
        .last()
    {
        None => Ok(None),
        Some(e) => serde_json::from_value(e.body.clone())
            .map(Some)
            .map_err(|why| {
                ApiError::internal(format!(
                    "entry {} of the {SCHEDULE} stream cannot be read ({why})",
                    e.seq
                ))
            }),
    }
}

/// One pass of the scheduler, safe to run in every server process at once:
///
/// 1. when the schedule's latest closed period has no briefing yet, claim it by writing the first
///    entry of the stream `briefing-due:<period>:<audience>` (an append expecting entry 1, so
///    exactly one process succeeds) and enqueue a [`BRIEF_JOB`] job for it;
/// 2. claim each queued [`BRIEF_JOB`] job by id (the store lets exactly one worker have it),
///    generate and record its edition, and finish the job with the edition's number.
///
/// Returns the editions this pass recorded.
pub(crate) fn schedule_tick(
    store: &mut dyn threatscape_store::Store,
    cache: &super::landscape::LandscapeCache,
    today: threatscape_brief::period::Day,
    worker: &str,
) -> Result<Vec<i64>, ApiError> {
    if let Some(s) = schedule(store)? {
        if let Some(period) = s.last_closed(today) {
            let due = format!("briefing-due:{}:{}", period.label, s.audience);
            let claim = serde_json::json!({
                "period": period.label, "audience": s.audience, "baseline": s.baseline,
            });
            match store.append_to_stream(&due, worker, Some(1), &claim) {
                Ok(_) => {
                    store
                        .enqueue_job(BRIEF_JOB, &claim)
                        .map_err(ApiError::store)?;
                }
                // Another process (or an earlier pass) has it.
                Err(threatscape_store::StoreError::StreamConflict { .. }) => {}
                Err(e) => return Err(ApiError::store(e)),
            }
        }
    }
    let mut queued = Vec::new();
    store
        .for_each_job(&mut |j| {
            if j.kind == BRIEF_JOB && j.state == threatscape_store::JobState::Queued {
                queued.push((j.id, j.payload.clone()));
            }
            Ok(())
        })
        .map_err(ApiError::store)?;
    let mut recorded = Vec::new();
    for (id, payload) in queued {
        if !store.claim_job_id(id, worker).map_err(ApiError::store)? {
            continue;
        }
        let field = |n: &str| payload[n].as_str().unwrap_or_default().to_string();
        let parsed = (|| -> Result<(Period, Baseline, Audience), threatscape_brief::BriefError> {
            Ok((
                field("period").parse()?,
                field("baseline").parse()?,
                field("audience").parse()?,
            ))
        })();
        let result = match parsed {
            Ok((period, baseline, audience)) => {
                match record_edition(
                    store, cache, period, baseline, audience, "schedule", "schedule",
                ) {
                    Ok(seq) => {
                        recorded.push(seq);
                        serde_json::json!({"edition": seq})
                    }
                    Err(e) => serde_json::json!({"error": e.description}),
                }
            }
            Err(e) => serde_json::json!({"error": format!("job {id}: {e}")}),
        };
        store.finish_job(id, &result).map_err(ApiError::store)?;
    }
    Ok(recorded)
}

/// Runs [`schedule_tick`] every [`SCHEDULE_EVERY`] for the life of the server.
pub(crate) async fn run_schedule(state: AppState) {
    let worker = format!("server-{}", std::process::id());
    let mut every = tokio::time::interval(SCHEDULE_EVERY);
    loop {
        every.tick().await;
        let inner = Arc::clone(&state.0);
        let worker = worker.clone();
        let today = super::landscape::today();
        match state
            .with_store(move |st| schedule_tick(st, &inner.web.landscape, today, &worker))
            .await
        {
            Ok(made) if !made.is_empty() => {
                tracing::info!("scheduled briefing editions recorded: {made:?}")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("the briefing schedule failed: {}", e.description),
        }
    }
}

/// The schedule form's fields.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ScheduleForm {
    csrf: Option<String>,
    cadence: Option<String>,
    audience: Option<String>,
    baseline: Option<String>,
}

/// `POST /briefings/schedule`: the Secretariat or an administrator sets the regular briefing.
pub(crate) async fn set_schedule(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ScheduleForm>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if !matches!(ctx.user.role, Role::Secretariat | Role::Admin) {
        return message(
            Some(&ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            "The regular briefing is set by the Secretariat and administrators.",
        );
    }
    let cadence = match f.cadence.as_deref().unwrap_or("") {
        "off" => Cadence::Off,
        "monthly" => Cadence::Monthly,
        "quarterly" => Cadence::Quarterly,
        other => {
            return message(
                Some(&ctx),
                StatusCode::BAD_REQUEST,
                "Cannot set the schedule",
                &format!("`{other}` is not a cadence; use off, monthly or quarterly."),
            )
        }
    };
    let audience = match f
        .audience
        .as_deref()
        .unwrap_or("public")
        .parse::<Audience>()
    {
        Ok(a) if a.max_tlp() <= ctx.release_level() => a,
        Ok(a) => {
            return message(
                Some(&ctx),
                StatusCode::FORBIDDEN,
                "Not allowed",
                &format!("A {a} briefing is above your level."),
            )
        }
        Err(e) => {
            return message(
                Some(&ctx),
                StatusCode::BAD_REQUEST,
                "Cannot set the schedule",
                &e.to_string(),
            )
        }
    };
    let baseline = match f
        .baseline
        .as_deref()
        .unwrap_or("previous")
        .parse::<Baseline>()
    {
        Ok(b) => baseline_word(b),
        Err(e) => {
            return message(
                Some(&ctx),
                StatusCode::BAD_REQUEST,
                "Cannot set the schedule",
                &e.to_string(),
            )
        }
    };
    let body = Schedule {
        cadence,
        audience,
        baseline,
    };
    let who = ctx.user.name.clone();
    let saved = s
        .with_store(move |st| {
            let value = serde_json::to_value(&body)
                .map_err(|e| ApiError::internal(format!("the schedule: {e}")))?;
            let seq = st
                .append_to_stream(SCHEDULE, &who, None, &value)
                .map_err(ApiError::store)?;
            st.audit(&AuditEntry {
                actor: who.clone(),
                action: "brief-schedule".into(),
                subject: format!("{SCHEDULE}#{seq}"),
                detail: value,
            })
            .map_err(ApiError::store)
        })
        .await;
    match saved {
        Ok(()) => see_other("/briefings"),
        Err(e) => failed(&ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatscape_brief::period::day_number;

    fn demo_store() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db").display().to_string();
        let mut store = threatscape_store::open(&db).unwrap();
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/demo-incidents.json");
        let inputs = threatscape_ingest::collect_inputs(&[file]);
        let summary = threatscape_ingest::ingest(
            &mut *store,
            &inputs,
            &threatscape_ingest::Options::default(),
            &mut |_| {},
        )
        .unwrap();
        assert!(summary.all_files_kept());
        (dir, db)
    }

    #[test]
    fn a_closed_quarter_is_briefed_once_whichever_processes_run_the_schedule() {
        let (_dir, db) = demo_store();
        let mut store = threatscape_store::open(&db).unwrap();
        // Nothing scheduled: nothing happens.
        let cache = super::super::landscape::LandscapeCache::default();
        let today = day_number(2025, 10, 2);
        assert!(schedule_tick(&mut *store, &cache, today, "w0")
            .unwrap()
            .is_empty());
        let s = Schedule {
            cadence: Cadence::Quarterly,
            audience: Audience::Public,
            baseline: "previous".into(),
        };
        store
            .append_to_stream(SCHEDULE, "admin", None, &serde_json::to_value(&s).unwrap())
            .unwrap();
        // Two "processes" (own store connection, own cache) tick at the same time, twice.
        let made: Vec<Vec<i64>> = std::thread::scope(|scope| {
            let workers: Vec<_> = ["w1", "w2"]
                .into_iter()
                .map(|w| {
                    let db = db.clone();
                    scope.spawn(move || {
                        let mut st = threatscape_store::open(&db).unwrap();
                        let cache = super::super::landscape::LandscapeCache::default();
                        let mut mine = schedule_tick(&mut *st, &cache, today, w).unwrap();
                        mine.extend(schedule_tick(&mut *st, &cache, today, w).unwrap());
                        mine
                    })
                })
                .collect();
            workers.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(made.concat(), vec![1], "{made:?}");
        let editions = store.read_stream(EDITIONS, 0).unwrap();
        assert_eq!(editions.len(), 1);
        let e = &editions[0].body;
        assert_eq!(e["period"], "2025-Q3");
        assert_eq!(e["audience"], "public");
        assert_eq!(e["how"], "schedule");
        // The briefing counts the quarter's incidents (the demo's 2025-09-19 incident).
        assert!(!e["briefing"]["trends"]["current"]
            .as_array()
            .unwrap()
            .is_empty());
        let mut jobs = Vec::new();
        store
            .for_each_job(&mut |j| {
                jobs.push(j.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].state, threatscape_store::JobState::Done);
        assert_eq!(jobs[0].result, Some(serde_json::json!({"edition": 1})));
        // The next quarter closes: one more edition.
        let later = day_number(2026, 1, 5);
        assert_eq!(
            schedule_tick(&mut *store, &cache, later, "w1").unwrap(),
            vec![2]
        );
        assert_eq!(
            store.read_stream(EDITIONS, 1).unwrap()[0].body["period"],
            "2025-Q4"
        );
    }
}
