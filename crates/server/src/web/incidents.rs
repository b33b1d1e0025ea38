//! The incident list (filters and full-text search) and the incident page.
//!
//! Incidents are derived as `threatscape export incidents` derives them: every stored report
//! (latest versions) and the analysts' link/unlink/split decisions from the audit log, reconciled
//! by `threatscape_reconcile::Reconciler`, each incident assessed by `threatscape_assess` from the
//! reports released to the reader only. A reader sees an incident through the reports at or below
//! `min(clearance, AMBER)` (report lists stop at AMBER, as everywhere: the store does not yet record
//! a report's organisation); an incident with none of them does not exist for them, and merge
//! evidence is shown only between two released reports.
//!
//! The derivation is `threatscape_landscape`'s (the one `export incidents`, `assess` and the
//! briefing use, with the analysts' assessment decisions applied), kept while the store's change
//! marker stays put; the per-level summaries (with their assessments) are cached beside it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use threatscape_assess::{Assessment, Assessor, Dimension};
use threatscape_landscape::{Cached, Landscape};
use threatscape_model::{ContributorType, Report, Tlp};
use threatscape_reconcile::Reconciler;
use threatscape_store::Store;

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::{see_other, Ctx};
use crate::{ApiError, AppState};

const PAGE_SIZE: usize = 25;

/// One incident as a reader at a given level sees it.
struct Summary {
    /// The incident's index in the reconciliation.
    cluster: usize,
    /// The released reports, by index.
    members: Vec<usize>,
    start: String,
    countries: BTreeSet<String>,
    actors: BTreeSet<String>,
    contributor_types: BTreeSet<ContributorType>,
    tlp: Tlp,
    sectors: Vec<String>,
    kinds: Vec<String>,
    /// Titles and descriptions, lower-cased, for the full-text filter.
    text: String,
}

/// The landscape and its reports by key.
pub(crate) struct Derived {
    landscape: Arc<Landscape>,
    by_key: HashMap<String, usize>,
}

/// The landscape (kept while the store's change marker stays put) and, per reading level, the
/// incidents' summaries derived from it.
pub(crate) struct IncidentCache {
    landscape: Cached,
    views: Mutex<Option<Views>>,
}

impl Default for IncidentCache {
    fn default() -> Self {
        IncidentCache {
            landscape: Cached::new(Reconciler::default()),
            views: Mutex::new(None),
        }
    }
}

impl std::fmt::Debug for IncidentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncidentCache").finish_non_exhaustive()
    }
}

/// What was derived from one landscape; replaced when the landscape is.
struct Views {
    derived: Arc<Derived>,
    summaries: BTreeMap<Tlp, Arc<Vec<Summary>>>,
}

impl IncidentCache {
    fn get(
        &self,
        store: &dyn Store,
        max: Tlp,
    ) -> Result<(Arc<Derived>, Arc<Vec<Summary>>), ApiError> {
        let landscape = self
            .landscape
            .get(store)
            .map_err(|e| ApiError::internal(format!("deriving the incidents failed: {e}")))?;
        let mut guard = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if !guard
            .as_ref()
            .is_some_and(|v| Arc::ptr_eq(&v.derived.landscape, &landscape))
        {
            let by_key = landscape
                .reports
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key(), i))
                .collect();
            *guard = Some(Views {
                derived: Arc::new(Derived { landscape, by_key }),
                summaries: BTreeMap::new(),
            });
        }
        let views = guard.as_mut().expect("just filled");
        let derived = Arc::clone(&views.derived);
        let summaries = views
            .summaries
            .entry(max)
            .or_insert_with(|| Arc::new(summarise(&derived, max)))
            .clone();
        Ok((derived, summaries))
    }
}

/// Incident `cluster` assessed from the reports released at `max` (never the withheld ones),
/// with the analysts' assessment decisions applied.
fn assess(derived: &Derived, cluster: usize, max: Tlp) -> Option<Assessment> {
    derived.landscape.assess(Assessor::builtin(), cluster, max)
}

fn summarise(derived: &Derived, max: Tlp) -> Vec<Summary> {
    let mut out = Vec::new();
    let all = &derived.landscape.reports;
    for (k, cluster) in derived.landscape.incidents().iter().enumerate() {
        let members: Vec<usize> = cluster
            .members
            .iter()
            .copied()
            .filter(|&i| all[i].tlp <= max)
            .collect();
        let Some(assessment) = assess(derived, k, max) else {
            continue;
        };
        let reports: Vec<&Report> = members.iter().map(|&i| &all[i]).collect();
        let start = reports
            .iter()
            .filter_map(|r| r.occurred.as_ref().map(|d| d.start.to_string()))
            .min()
            .unwrap_or_default();
        let mut text = String::new();
        for r in &reports {
            text.push_str(&r.title.to_lowercase());
            text.push('\n');
            if let Some(d) = &r.description {
                text.push_str(&d.to_lowercase());
                text.push('\n');
            }
        }
        out.push(Summary {
            cluster: k,
            start,
            countries: reports
                .iter()
                .flat_map(|r| r.victims.iter())
                .filter_map(|v| v.country.clone().or_else(|| v.country_as_given.clone()))
                .collect(),
            actors: reports
                .iter()
                .flat_map(|r| {
                    r.actors
                        .iter()
                        .map(|a| a.name.clone())
                        .chain(r.attributions.iter().map(|a| a.actor.name.clone()))
                })
                .collect(),
            contributor_types: reports.iter().map(|r| r.contributor.type_).collect(),
            tlp: reports.iter().map(|r| r.tlp).max().unwrap_or(Tlp::Clear),
            sectors: assessment
                .labels(Dimension::Sector)
                .into_iter()
                .map(str::to_string)
                .collect(),
            kinds: assessment
                .labels(Dimension::Threat)
                .into_iter()
                .map(str::to_string)
                .collect(),
            text,
            members,
        });
    }
    out
}

/// The list's filters.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct IncidentFilter {
    from: Option<String>,
    to: Option<String>,
    sector: Option<String>,
    kind: Option<String>,
    country: Option<String>,
    actor: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    tlp: Option<String>,
    q: Option<String>,
    page: Option<usize>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// True when a partial date (`2024`, `2024-03`, `2024-03-05`) is on or before `to`, compared at
/// the precision of `to`.
fn on_or_before(date: &str, to: &str) -> bool {
    let n = to.len().min(date.len());
    date[..n] <= to[..n]
}

impl IncidentFilter {
    fn matches(&self, s: &Summary) -> bool {
        let lower = |v: &Option<String>| nonempty(v).map(|v| v.to_lowercase());
        let from = nonempty(&self.from);
        let to = nonempty(&self.to);
        let tlp = nonempty(&self.tlp).and_then(|t| t.parse::<Tlp>().ok());
        let ctype = nonempty(&self.type_).and_then(|t| t.parse::<ContributorType>().ok());
        from.is_none_or(|f| !s.start.is_empty() && s.start.as_str() >= f.as_str())
            && to.is_none_or(|t| !s.start.is_empty() && on_or_before(&s.start, &t))
            && nonempty(&self.sector).is_none_or(|x| {
                s.sectors
                    .iter()
                    .any(|l| l == &x || l.starts_with(&format!("{x}.")))
            })
            && nonempty(&self.kind).is_none_or(|x| s.kinds.contains(&x))
            && lower(&self.country)
                .is_none_or(|x| s.countries.iter().any(|c| c.to_lowercase() == x))
            && lower(&self.actor)
                .is_none_or(|x| s.actors.iter().any(|a| a.to_lowercase().contains(&x)))
            && ctype.is_none_or(|t| s.contributor_types.contains(&t))
            && tlp.is_none_or(|t| s.tlp == t)
            && lower(&self.q).is_none_or(|q| q.split_whitespace().all(|w| s.text.contains(w)))
    }

    fn query(&self, page: usize) -> String {
        let v = |x: &Option<String>| enc(x.as_deref().unwrap_or("").trim());
        format!(
            "/incidents?from={}&to={}&sector={}&kind={}&country={}&actor={}&type={}&tlp={}&q={}&page={page}",
            v(&self.from),
            v(&self.to),
            v(&self.sector),
            v(&self.kind),
            v(&self.country),
            v(&self.actor),
            v(&self.type_),
            v(&self.tlp),
            v(&self.q),
        )
    }
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(Some(ctx), e.status, &e.title, &e.description)
}

fn list_max(ctx: &Ctx) -> Tlp {
    ctx.user.clearance.min(Tlp::Amber)
}

fn incident_href(derived: &Derived, s: &Summary) -> String {
    format!(
        "/incident?key={}",
        enc(&derived.landscape.reports[s.members[0]].key())
    )
}

fn options<'a>(values: impl Iterator<Item = &'a String>) -> Vec<(String, String)> {
    let set: BTreeSet<&String> = values.collect();
    set.into_iter().map(|v| (v.clone(), v.clone())).collect()
}

fn select(name: &str, label: &str, current: Option<&str>, opts: &[(String, String)]) -> String {
    let mut out = format!(r#"<label>{label} <select name="{name}"><option value="">any</option>"#);
    for (value, text) in opts {
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

/// The incidents that match `f`, latest first.
fn matching<'a>(summaries: &'a [Summary], f: &IncidentFilter) -> Vec<&'a Summary> {
    let mut matched: Vec<&Summary> = summaries.iter().filter(|x| f.matches(x)).collect();
    matched.sort_by(|a, b| b.start.cmp(&a.start).then(a.cluster.cmp(&b.cluster)));
    matched
}

/// One page of the incidents a reader at `max` sees that match `f`, latest first, as the REST
/// API returns them (`/api/v1/incidents`), and whether more follow.
pub(crate) async fn api_page(
    s: &AppState,
    max: Tlp,
    f: &IncidentFilter,
    skip: usize,
    limit: usize,
) -> Result<(Vec<serde_json::Value>, bool), ApiError> {
    let cache = Arc::clone(&s.0);
    let (derived, summaries) = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await?;
    let matched = matching(&summaries, f);
    let more = matched.len() > skip + limit;
    let page = matched
        .iter()
        .skip(skip)
        .take(limit)
        .map(|x| {
            let reports: Vec<&Report> = x.members.iter().map(|&i| &derived.landscape.reports[i]).collect();
            serde_json::json!({
                "key": reports[0].key(),
                "title": reports[0].title,
                "started": x.start,
                "tlp": x.tlp.as_str(),
                "countries": x.countries,
                "actors": x.actors,
                "contributor_types": x.contributor_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "sectors": x.sectors,
                "threat_kinds": x.kinds,
                "reports": reports.iter().map(|r| serde_json::json!({
                    "key": r.key(), "title": r.title, "tlp": r.tlp.as_str(),
                    "contributor": r.contributor.name, "format": r.provenance.format,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok((page, more))
}

/// `GET /incidents`: incidents with filters, full-text search and paging.
pub(crate) async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<IncidentFilter>,
) -> Response {
    let Some(ctx) = s.0.web.current(&headers) else {
        return see_other("/login");
    };
    let max = list_max(&ctx);
    let cache = Arc::clone(&s.0);
    let data = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await;
    let (derived, summaries) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let page_no = f.page.unwrap_or(1).max(1);
    let matched = matching(&summaries, &f);
    let rows: Vec<Vec<String>> = matched
        .iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|x| {
            let title = &derived.landscape.reports[x.members[0]].title;
            vec![
                link(&incident_href(&derived, x), title),
                esc(&x.start),
                esc(&x.countries.iter().cloned().collect::<Vec<_>>().join(", ")),
                esc(&x.kinds.join(", ")),
                esc(&x.sectors.join(", ")),
                format!(r#"<span class="num">{}</span>"#, x.members.len()),
                badge(x.tlp),
            ]
        })
        .collect();
    let pages = matched.len().div_ceil(PAGE_SIZE).max(1);
    let mut pager = format!(
        r#"<nav class="pager"><span>{} incident{} · page {page_no} of {pages}</span>"#,
        matched.len(),
        if matched.len() == 1 { "" } else { "s" }
    );
    if page_no > 1 {
        pager.push_str(&link(&f.query(page_no - 1), "← Previous"));
    }
    if page_no < pages {
        pager.push_str(&link(&f.query(page_no + 1), "Next →"));
    }
    pager.push_str("</nav>");
    let sector_opts = options(summaries.iter().flat_map(|x| x.sectors.iter()));
    let kind_opts = options(summaries.iter().flat_map(|x| x.kinds.iter()));
    let type_opts: Vec<(String, String)> = ContributorType::ALL
        .into_iter()
        .map(|t| (t.as_str().to_string(), t.as_str().to_string()))
        .collect();
    let tlp_opts: Vec<(String, String)> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= max)
        .map(|t| (t.as_str().to_string(), format!("TLP:{}", t.as_str())))
        .collect();
    let text = |name: &str, label: &str, value: &Option<String>, hint: &str| {
        format!(
            r#"<label>{label} <input name="{name}" value="{}" placeholder="{hint}"></label>"#,
            esc(value.as_deref().unwrap_or(""))
        )
    };
    let body = format!(
        r#"<p class="lede">Incidents reconciled from every report at or below {max_badge}, latest first.</p>
<form method="get" action="/incidents" class="filters">
{q}{from}{to}
{sector}{kind}{country}{actor}{ctype}{tlp}
<button type="submit" class="primary">Filter</button> <a href="/incidents">Clear</a>
</form>
<section class="card">{table}{pager}</section>"#,
        max_badge = badge(max),
        q = text("q", "Words", &f.q, "in titles and accounts"),
        from = text("from", "From", &f.from, "YYYY, YYYY-MM or YYYY-MM-DD"),
        to = text("to", "To", &f.to, "YYYY, YYYY-MM or YYYY-MM-DD"),
        sector = select(
            "sector",
            "Sector",
            nonempty(&f.sector).as_deref(),
            &sector_opts
        ),
        kind = select("kind", "Kind", nonempty(&f.kind).as_deref(), &kind_opts),
        country = text("country", "Country", &f.country, "ISO code, e.g. UKR"),
        actor = text("actor", "Actor", &f.actor, "a name or part of one"),
        ctype = select(
            "type",
            "Contributor type",
            nonempty(&f.type_).as_deref(),
            &type_opts
        ),
        tlp = select("tlp", "TLP", nonempty(&f.tlp).as_deref(), &tlp_opts),
        table = table(
            &[
                "Incident",
                "Started",
                "Countries",
                "Kinds",
                "Sectors",
                "Reports",
                "TLP"
            ],
            &rows,
            "No incident matches these filters."
        ),
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), "Incidents", "/incidents", &body),
    )
}

/// Which incident: the key of one of its reports.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct IncidentKey {
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

fn word<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

/// `GET /incident?key=`: facts, reports with provenance, attributions, assessment, merges.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(k): Query<IncidentKey>,
) -> Response {
    let Some(ctx) = s.0.web.current(&headers) else {
        return see_other("/login");
    };
    let max = list_max(&ctx);
    let cache = Arc::clone(&s.0);
    let data = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await;
    let (derived, summaries) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let not_found = || {
        message(
            Some(&ctx),
            StatusCode::NOT_FOUND,
            "Not found",
            "No such incident is available to you.",
        )
    };
    let Some(&report) = k.key.as_ref().and_then(|key| derived.by_key.get(key)) else {
        return not_found();
    };
    if derived.landscape.reports[report].tlp > max {
        return not_found();
    }
    let cluster = derived.landscape.incident_of[report];
    let Some(summary) = summaries.iter().find(|x| x.cluster == cluster) else {
        return not_found();
    };
    let reports: Vec<&Report> = summary
        .members
        .iter()
        .map(|&i| &derived.landscape.reports[i])
        .collect();
    let Some(assessment) = assess(&derived, cluster, max) else {
        return not_found();
    };

    let facts = dl(&[
        ("Started", esc(&summary.start)),
        (
            "Victims' countries",
            esc(&summary
                .countries
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")),
        ),
        ("Kinds", esc(&summary.kinds.join(", "))),
        ("Sectors", esc(&summary.sectors.join(", "))),
        (
            "Intensity",
            format!("{:.1} / 10", assessment.intensity.score),
        ),
        ("Reports", summary.members.len().to_string()),
        ("Highest TLP", badge(summary.tlp)),
    ]);

    let report_rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                link(&format!("/report?key={}", enc(&r.key())), &r.title),
                format!(
                    "{} <span class=\"muted\">({})</span>",
                    esc(&r.contributor.name),
                    esc(r.contributor.type_.as_str())
                ),
                format!(
                    "{} · {} · {}",
                    esc(&r.provenance.format),
                    esc(&r.provenance.file),
                    esc(&r.provenance.locator)
                ),
                badge(r.tlp),
            ]
        })
        .collect();

    // Attributions: contested when the released reports name more than one actor.
    let claimed: BTreeSet<String> = reports
        .iter()
        .flat_map(|r| {
            r.attributions
                .iter()
                .map(|a| a.actor.name.trim().to_lowercase())
        })
        .collect();
    let contested = claimed.len() > 1;
    let attribution_rows: Vec<Vec<String>> = reports
        .iter()
        .flat_map(|r| r.attributions.iter().map(move |a| (r, a)))
        .map(|(r, a)| {
            vec![
                esc(&a.actor.name),
                format!(
                    "{} <span class=\"muted\">({})</span>",
                    esc(a.attributed_by.as_deref().unwrap_or("unnamed")),
                    esc(&word(&a.attributor_kind))
                ),
                esc(a.basis.as_deref().unwrap_or("")),
                esc(&r.key()),
            ]
        })
        .collect();
    let contested_note = if contested {
        format!(
            r#"<p class="notice error contested">Contested: the reports attribute this incident to {} different actors.</p>"#,
            claimed.len()
        )
    } else {
        String::new()
    };

    let finding_rows: Vec<Vec<String>> = assessment
        .findings
        .iter()
        .map(|fnd| {
            let evidence: Vec<String> = fnd
                .judgments
                .iter()
                .flat_map(|j| j.evidence.iter())
                .take(4)
                .map(|e| esc(e))
                .collect();
            let counts = if fnd.counts() {
                ""
            } else {
                r#" <span class="muted">(below threshold)</span>"#
            };
            vec![
                esc(&word(&fnd.dimension)),
                format!("{}{counts}", esc(&fnd.label)),
                format!("{:.2}", fnd.confidence),
                esc(&fnd.rule_ids().join(", ")),
                evidence.join("<br>"),
            ]
        })
        .collect();

    // Merge evidence only between two released reports.
    let released: BTreeSet<usize> = summary.members.iter().copied().collect();
    let merge_rows: Vec<Vec<String>> = derived.landscape.incidents()[cluster]
        .merges
        .iter()
        .filter(|m| released.contains(&m.a) && released.contains(&m.b))
        .map(|m| {
            vec![
                esc(&derived.landscape.reports[m.a].key()),
                esc(&derived.landscape.reports[m.b].key()),
                format!("{:.2}", m.score),
                m.evidence
                    .iter()
                    .map(|e| esc(e))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                esc(m.rule_version),
            ]
        })
        .collect();

    let title = reports[0].title.clone();
    let body = format!(
        r#"<section class="card">{facts}</section>
<section class="card"><h2>Reports</h2>{reports}</section>
<section class="card"><h2>Attributions</h2>{contested_note}{attributions}</section>
<section class="card"><h2>Assessment</h2><p class="muted">Rule set {made_by}; each finding with the rules that made it and what they found.</p>{findings}</section>
<section class="card"><h2>Why these reports are one incident</h2>{merges}</section>"#,
        reports = table(
            &["Report", "Contributor", "Provenance", "TLP"],
            &report_rows,
            ""
        ),
        attributions = table(
            &["Actor", "Claimed by", "Basis", "Report"],
            &attribution_rows,
            "No attribution in these reports."
        ),
        made_by = esc(&assessment.made_by),
        findings = table(
            &["Dimension", "Label", "Confidence", "Rules", "Evidence"],
            &finding_rows,
            "No finding."
        ),
        merges = table(
            &["Report", "Merged with", "Score", "Evidence", "Rule"],
            &merge_rows,
            "A single report, or merges involving reports you cannot see."
        ),
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), &title, "/incidents", &body),
    )
}
