//! The incident list (filters and full-text search) and the incident page.
//!
//! Incidents are derived as `threatscape export incidents` derives them: every stored report
//! (latest versions) and the analysts' link/unlink/split decisions from the audit log, reconciled
//! by `threatscape_reconcile::Reconciler`, each incident assessed by `threatscape_assess` from the
//! reports released to the reader only. A reader sees an incident through the reports up to their
//! clearance, AMBER+STRICT and RED only their organisation's own (a `Release`, the store's access
//! rule); an incident with none of them does not exist for them, and merge evidence is shown only
//! between two released reports.
//!
//! The derivation is `threatscape_landscape`'s (the one `export incidents`, `assess` and the
//! briefing use, with the analysts' assessment decisions applied), kept while the store's change
//! marker stays put; the per-level summaries (with their assessments) are cached beside it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use threatscape_assess::{Assessment, Assessor, Dimension, Finding, Verdict};
use threatscape_landscape::{
    AssessmentRequest, Cached, DecideError, Landscape, ReconcileRecord, RecordedAssessment, Release,
};
use threatscape_model::{ContributorType, Report, Tlp};
use threatscape_reconcile::{Decision as ReconcileDecision, Reconciler};
use threatscape_store::Store;

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::{csrf_refused, see_other, Ctx};
use crate::{ApiError, AppState, Role, User};

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
    /// Council agenda items the incident bears on (ids of the reference data).
    agenda: Vec<String>,
    /// Norms of A/70/174 para 13 it may engage (letters).
    norms: Vec<String>,
    /// Titles and descriptions, lower-cased, for the full-text filter.
    text: String,
}

/// The landscape, its reports by key and the analysts' reconciliation decisions as recorded.
pub(crate) struct Derived {
    landscape: Arc<Landscape>,
    by_key: HashMap<String, usize>,
    /// Every reconciliation decision with who, when, why and the machine's judgment.
    records: Vec<ReconcileRecord>,
}

impl Derived {
    /// The key and level of each of the reports `members` (for auditing what a page shows).
    fn report_levels(&self, members: &[usize]) -> Vec<(String, Tlp)> {
        members
            .iter()
            .map(|&i| {
                let r = &self.landscape.reports[i];
                (r.key(), r.tlp)
            })
            .collect()
    }

    /// The index of the report `key` if a reader given `max` may see it.
    fn released(&self, key: &str, max: Release) -> Option<usize> {
        self.by_key
            .get(key.trim())
            .copied()
            .filter(|&i| self.landscape.admits(i, max))
    }
}

/// The landscape (kept while the store's change marker stays put) and, per reading level, the
/// incidents' summaries derived from it.
pub(crate) struct IncidentCache {
    landscape: Arc<Cached>,
    views: Mutex<Option<Views>>,
}

impl IncidentCache {
    /// A cache over `landscape`, the derivation the dashboard shares (one copy per process).
    pub(crate) fn new(landscape: Arc<Cached>) -> Self {
        IncidentCache {
            landscape,
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
    summaries: BTreeMap<Release, Arc<Vec<Summary>>>,
}

impl IncidentCache {
    fn get(
        &self,
        store: &dyn Store,
        max: Release,
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
            let records =
                threatscape_landscape::reconcile_decision_records(store).map_err(|e| {
                    ApiError::internal(format!("reading the analysts' decisions failed: {e}"))
                })?;
            *guard = Some(Views {
                derived: Arc::new(Derived {
                    landscape,
                    by_key,
                    records,
                }),
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
fn assess(derived: &Derived, cluster: usize, max: Release) -> Option<Assessment> {
    derived.landscape.assess(Assessor::global(), cluster, max)
}

fn summarise(derived: &Derived, max: Release) -> Vec<Summary> {
    let mut out = Vec::new();
    let all = &derived.landscape.reports;
    // The same assessments as the dashboard's (one pass per landscape and level).
    let assessed = derived.landscape.assessed(Assessor::global(), max);
    for (k, cluster) in derived.landscape.incidents().iter().enumerate() {
        let members: Vec<usize> = cluster
            .members
            .iter()
            .copied()
            .filter(|&i| derived.landscape.admits(i, max))
            .collect();
        let Some(assessment) = &assessed[k] else {
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
            agenda: assessment
                .labels(Dimension::Agenda)
                .into_iter()
                .map(str::to_string)
                .collect(),
            norms: assessment
                .labels(Dimension::Norm)
                .into_iter()
                .map(str::to_string)
                .collect(),
            text,
            members,
        });
    }
    // Latest first, once per derivation: a list request then filters in order and an API page
    // stops at the first match past it, instead of sorting 100,000 incidents per request.
    out.sort_by(|a, b| b.start.cmp(&a.start).then(a.cluster.cmp(&b.cluster)));
    out
}

/// The list's filters, as the page's form and `/api/v1/incidents` take them. Every value is
/// compared as text with the derived incidents (never put into a query), so what a filter
/// matches is what it literally says.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct IncidentFilter {
    from: Option<String>,
    to: Option<String>,
    sector: Option<String>,
    kind: Option<String>,
    country: Option<String>,
    actor: Option<String>,
    /// A Council agenda item's id.
    agenda: Option<String>,
    /// A norm's letter (`a` to `k`).
    norm: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    tlp: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// True when a partial date (`2024`, `2024-03`, `2024-03-05`) is on or before `to`, compared at
/// the precision of `to` (both checked by [`partial_date`], so ASCII).
fn on_or_before(date: &str, to: &str) -> bool {
    let n = to.len().min(date.len());
    date.as_bytes()[..n] <= to.as_bytes()[..n]
}

/// Whether `s` is a date as the list takes it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn partial_date(s: &str) -> bool {
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && ("01"..="12").contains(m),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && ("01"..="12").contains(m)
                && digits(d, 2)
                && ("01"..="31").contains(d)
        }
        _ => false,
    }
}

impl IncidentFilter {
    /// Checks the values that have a form (dates, TLP, contributor type, page): a value that is
    /// not one of them is a clear error rather than a filter silently dropped.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (name, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = nonempty(value) {
                if !partial_date(&v) {
                    return Err(format!(
                        "{name}={v:?} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"
                    ));
                }
            }
        }
        if let Some(t) = nonempty(&self.tlp) {
            if t.parse::<Tlp>().is_err() {
                return Err(format!(
                    "tlp={t:?} is not a TLP level; use one of {}",
                    Tlp::ALL.map(|t| t.as_str()).join(", ")
                ));
            }
        }
        if let Some(t) = nonempty(&self.type_) {
            if t.parse::<ContributorType>().is_err() {
                return Err(format!(
                    "type={t:?} is not a contributor type; use one of {}",
                    ContributorType::ALL.map(|t| t.as_str()).join(", ")
                ));
            }
        }
        if let Some(p) = nonempty(&self.page) {
            if !p.parse::<usize>().is_ok_and(|n| n >= 1) {
                return Err(format!("page={p:?} is not a page number (1, 2, …)"));
            }
        }
        Ok(())
    }

    fn page_no(&self) -> usize {
        nonempty(&self.page)
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1)
    }

    /// The filter read once, so matching 100,000 summaries allocates nothing per summary.
    fn compile(&self) -> Compiled {
        let lower = |v: &Option<String>| nonempty(v).map(|v| v.to_lowercase());
        Compiled {
            from: nonempty(&self.from),
            to: nonempty(&self.to),
            sector: nonempty(&self.sector).map(|x| {
                let child = format!("{x}.");
                (x, child)
            }),
            kind: nonempty(&self.kind),
            agenda: nonempty(&self.agenda),
            norm: lower(&self.norm),
            country: lower(&self.country),
            actor: lower(&self.actor),
            ctype: nonempty(&self.type_).and_then(|t| t.parse::<ContributorType>().ok()),
            tlp: nonempty(&self.tlp).and_then(|t| t.parse::<Tlp>().ok()),
            words: lower(&self.q)
                .map(|q| q.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        }
    }

    fn query(&self, page: usize) -> String {
        let v = |x: &Option<String>| enc(x.as_deref().unwrap_or("").trim());
        format!(
            "/incidents?from={}&to={}&sector={}&kind={}&country={}&actor={}&agenda={}&norm={}&type={}&tlp={}&q={}&page={page}",
            v(&self.from),
            v(&self.to),
            v(&self.sector),
            v(&self.kind),
            v(&self.country),
            v(&self.actor),
            v(&self.agenda),
            v(&self.norm),
            v(&self.type_),
            v(&self.tlp),
            v(&self.q),
        )
    }
}

/// The name of `label` in `dimension`'s vocabulary, or the label itself.
fn term_name(dimension: Dimension, label: &str) -> String {
    Assessor::global()
        .vocabularies
        .get(dimension)
        .get(label)
        .map(|t| t.label.clone())
        .unwrap_or_else(|| label.to_string())
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(Some(ctx), e.status, &e.title, &e.description)
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
/// An [`IncidentFilter`] read once for a request.
struct Compiled {
    from: Option<String>,
    to: Option<String>,
    /// The sector and the prefix of its sub-sectors (`health` and `health.`).
    sector: Option<(String, String)>,
    kind: Option<String>,
    agenda: Option<String>,
    norm: Option<String>,
    country: Option<String>,
    actor: Option<String>,
    ctype: Option<ContributorType>,
    tlp: Option<Tlp>,
    words: Vec<String>,
}

impl Compiled {
    fn matches(&self, s: &Summary) -> bool {
        self.from
            .as_ref()
            .is_none_or(|f| !s.start.is_empty() && s.start.as_str() >= f.as_str())
            && self
                .to
                .as_ref()
                .is_none_or(|t| !s.start.is_empty() && on_or_before(&s.start, t))
            && self.sector.as_ref().is_none_or(|(x, child)| {
                s.sectors
                    .iter()
                    .any(|l| l == x || l.starts_with(child.as_str()))
            })
            && self.kind.as_ref().is_none_or(|x| s.kinds.contains(x))
            && self.agenda.as_ref().is_none_or(|x| s.agenda.contains(x))
            && self.norm.as_ref().is_none_or(|x| s.norms.contains(x))
            && self
                .country
                .as_ref()
                .is_none_or(|x| s.countries.iter().any(|c| c.to_lowercase() == *x))
            && self.actor.as_ref().is_none_or(|x| {
                s.actors
                    .iter()
                    .any(|a| a.to_lowercase().contains(x.as_str()))
            })
            && self.ctype.is_none_or(|t| s.contributor_types.contains(&t))
            && self.tlp.is_none_or(|t| s.tlp == t)
            && self.words.iter().all(|w| s.text.contains(w.as_str()))
    }

    /// The summaries that can match, latest first: those dated after `to` are skipped by a
    /// binary search (the summaries are sorted by start, latest first, and [`on_or_before`] is
    /// monotone in that order), so a request for an early quarter does not test every later
    /// incident.
    fn candidates<'a>(&self, summaries: &'a [Summary]) -> &'a [Summary] {
        match &self.to {
            Some(t) => {
                let first = summaries
                    .partition_point(|x| !x.start.is_empty() && !on_or_before(&x.start, t));
                &summaries[first..]
            }
            None => summaries,
        }
    }
}

/// The summaries matching `f`, latest first (the summaries are kept in that order).
fn matching<'a>(summaries: &'a [Summary], f: &IncidentFilter) -> Vec<&'a Summary> {
    let f = f.compile();
    f.candidates(summaries)
        .iter()
        .filter(|x| f.matches(x))
        .collect()
}

/// One page of the incidents a reader at `max` sees that match `f`, latest first, as the REST
/// API returns them (`/api/v1/incidents`), and whether more follow.
pub(crate) async fn api_page(
    s: &AppState,
    max: Release,
    f: &IncidentFilter,
    skip: usize,
    limit: usize,
) -> Result<(Vec<serde_json::Value>, bool, Vec<(String, Tlp)>), ApiError> {
    f.check().map_err(ApiError::bad_request)?;
    let cache = Arc::clone(&s.0);
    let (derived, summaries) = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await?;
    // Only as far as one match past the page: enough to say whether more follow.
    let compiled = f.compile();
    let matched: Vec<&Summary> = compiled
        .candidates(&summaries)
        .iter()
        .filter(|x| compiled.matches(x))
        .take(skip + limit + 1)
        .collect();
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
                "agenda_items": x.agenda,
                "norms": x.norms,
                "reports": reports.iter().map(|r| serde_json::json!({
                    "key": r.key(), "title": r.title, "tlp": r.tlp.as_str(),
                    "contributor": r.contributor.name, "format": r.provenance.format,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let shown = matched
        .iter()
        .skip(skip)
        .take(limit)
        .flat_map(|x| derived.report_levels(&x.members))
        .collect();
    Ok((page, more, shown))
}

/// `GET /incidents`: incidents with filters, full-text search and paging.
pub(crate) async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<IncidentFilter>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let max = ctx.release();
    let cache = Arc::clone(&s.0);
    let data = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await;
    let (derived, summaries) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    let problem = f.check().err();
    let page_no = f.page_no();
    let matched = if problem.is_some() {
        Vec::new()
    } else {
        matching(&summaries, &f)
    };
    let shown: Vec<(String, Tlp)> = matched
        .iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .flat_map(|x| derived.report_levels(&x.members))
        .collect();
    if let Err(e) = s
        .audit_report_reads(&ctx.user, "/incidents".into(), shown)
        .await
    {
        return failed(&ctx, e);
    }
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
    let named = |dimension: Dimension, values: Vec<(String, String)>| -> Vec<(String, String)> {
        values
            .into_iter()
            .map(|(v, _)| {
                let name = term_name(dimension, &v);
                let text = if name == v {
                    v.clone()
                } else {
                    format!("{v} — {name}")
                };
                (v, text)
            })
            .collect()
    };
    let agenda_opts = named(
        Dimension::Agenda,
        options(summaries.iter().flat_map(|x| x.agenda.iter())),
    );
    let norm_opts = named(
        Dimension::Norm,
        options(summaries.iter().flat_map(|x| x.norms.iter())),
    );
    let type_opts: Vec<(String, String)> = ContributorType::ALL
        .into_iter()
        .map(|t| (t.as_str().to_string(), t.as_str().to_string()))
        .collect();
    let tlp_opts: Vec<(String, String)> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= max.max)
        .map(|t| (t.as_str().to_string(), format!("TLP:{}", t.as_str())))
        .collect();
    let text = |name: &str, label: &str, value: &Option<String>, hint: &str| {
        format!(
            r#"<label>{label} <input name="{name}" value="{}" placeholder="{hint}"></label>"#,
            esc(value.as_deref().unwrap_or(""))
        )
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let problem = problem
        .map(|p| format!(r#"<p class="notice error">{}</p>"#, esc(&p)))
        .unwrap_or_default();
    let body = format!(
        r#"<p class="lede">Incidents reconciled from every report at or below {max_badge}, latest first.</p>
<form method="get" action="/incidents" class="filters">
{q}{from}{to}
{sector}{kind}{country}{actor}{agenda}{norm}{ctype}{tlp}
<button type="submit" class="primary">Filter</button> <a href="/incidents">Clear</a>
</form>
{problem}<section class="card">{table}{pager}</section>"#,
        max_badge = super::release_badges(max),
        agenda = select(
            "agenda",
            "Agenda item",
            nonempty(&f.agenda).as_deref(),
            &agenda_opts
        ),
        norm = select("norm", "Norm", nonempty(&f.norm).as_deref(), &norm_opts),
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
    respond(status, page(Some(&ctx), "Incidents", "/incidents", &body))
}

/// Which incident: the key of one of its reports; `recorded` after a decision was recorded.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct IncidentKey {
    key: Option<String>,
    recorded: Option<String>,
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

/// Whether `user` may record analysts' decisions (analyst, secretariat, admin).
fn decides(user: &User) -> bool {
    user.role >= Role::Analyst
}

/// A verdict as a past participle: `confirmed`, `rejected`, `added`.
fn verdict_done(v: Verdict) -> &'static str {
    match v {
        Verdict::Confirm => "confirmed",
        Verdict::Reject => "rejected",
        Verdict::Add => "added",
    }
}

/// Whether a finding counts, and on whose word, as a small labelled badge.
fn status_cell(f: &Finding) -> String {
    match &f.decision {
        Some(d) => format!(
            r#"<span class="verdict verdict-{v}">{done}</span> <span class="muted">by {who}</span>"#,
            v = d.verdict.as_str(),
            done = verdict_done(d.verdict),
            who = esc(&d.analyst),
        ),
        None => format!(
            r#"<span class="verdict verdict-{}">{}</span>"#,
            if f.counts() { "counts" } else { "below" },
            f.standing()
        ),
    }
}

/// The machine's side of a finding: its confidence and rules, or that no rule found it.
fn machine_of_finding(f: Option<&Finding>) -> String {
    match f {
        Some(f) if !f.judgments.is_empty() => format!(
            "confidence {:.2} · {}",
            f.confidence,
            esc(&f.rule_ids().join(", "))
        ),
        _ => r#"<span class="muted">no rule found it</span>"#.into(),
    }
}

/// The machine's side of a reconciliation decision, as recorded with it.
fn machine_of_record(r: &ReconcileRecord, shown: &dyn Fn(&str) -> bool) -> String {
    let Some(m) = &r.machine else {
        return r#"<span class="muted">not recorded</span>"#.into();
    };
    let evidence = |v: &serde_json::Value| -> String {
        v.as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|e| e.as_str())
                    .take(4)
                    .map(esc)
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .unwrap_or_default()
    };
    match &r.decision {
        ReconcileDecision::Link { .. } | ReconcileDecision::Unlink { .. } => {
            let together = if m["same_incident"].as_bool() == Some(true) {
                "had them in one incident"
            } else {
                "kept them apart"
            };
            format!(
                r#"score {:.2}: the machine {together}<br><span class="muted">{}</span>"#,
                m["score"].as_f64().unwrap_or(0.0),
                evidence(&m["evidence"])
            )
        }
        ReconcileDecision::Split { .. } => {
            let merges: Vec<String> = m["merges"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter(|x| x["with"].as_str().is_some_and(shown))
                        .map(|x| {
                            format!(
                                "joined to {} (score {:.2})",
                                esc(x["with"].as_str().unwrap_or_default()),
                                x["score"].as_f64().unwrap_or(0.0)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            if merges.is_empty() {
                format!(
                    "in an incident of {} report(s)",
                    m["incident_reports"].as_u64().unwrap_or(1)
                )
            } else {
                merges.join("<br>")
            }
        }
    }
}

/// The keys a reconciliation record concerns: those it names and, for a split, the reports the
/// machine had joined it to (so the split shows on the incident it left).
fn record_keys(r: &ReconcileRecord) -> Vec<String> {
    let mut keys: Vec<String> = r.keys().into_iter().map(str::to_string).collect();
    if let Some(merges) = r.machine.as_ref().and_then(|m| m["merges"].as_array()) {
        keys.extend(
            merges
                .iter()
                .filter_map(|x| x["with"].as_str().map(str::to_string)),
        );
    }
    keys
}

fn describe_record(r: &ReconcileRecord) -> String {
    match &r.decision {
        ReconcileDecision::Link { a, b } => format!(
            "<strong>Merged</strong> {} with {}",
            link(&format!("/incident?key={}", enc(a)), a),
            link(&format!("/incident?key={}", enc(b)), b)
        ),
        ReconcileDecision::Unlink { a, b } => format!(
            "<strong>Unlinked</strong> {} and {}",
            link(&format!("/incident?key={}", enc(a)), a),
            link(&format!("/incident?key={}", enc(b)), b)
        ),
        ReconcileDecision::Split { report } => format!(
            "<strong>Split</strong> {} out",
            link(&format!("/incident?key={}", enc(report)), report)
        ),
    }
}

/// One row of an incident's decision history, for sorting by time.
struct HistoryRow {
    at: String,
    cells: Vec<String>,
}

/// The decisions on the incident of `members` a reader at `max` may see: assessment decisions on its
/// released reports and reconciliation decisions naming only released reports, newest first.
fn history(
    derived: &Derived,
    members: &[usize],
    assessment: &Assessment,
    max: Release,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for d in &assessment.decisions {
        let dec = &d.decision;
        let outcome = if d.outcome == "applied" {
            r#"<span class="verdict verdict-counts">applied</span>"#.to_string()
        } else {
            format!(
                r#"<span class="verdict verdict-below">{}</span>"#,
                esc(&d.outcome)
            )
        };
        rows.push(HistoryRow {
            at: dec.recorded_at.clone().unwrap_or_default(),
            cells: vec![
                esc(&dec.recorded_at.clone().unwrap_or_default().replace('T', " ")),
                esc(&dec.analyst),
                format!(
                    r#"<span class="verdict verdict-{v}">{done}</span> {dim}:{label} <span class="muted">({name})</span>"#,
                    v = dec.verdict.as_str(),
                    done = verdict_done(dec.verdict),
                    dim = esc(dec.dimension.prefix()),
                    label = esc(&dec.label),
                    name = esc(&term_name(dec.dimension, &dec.label)),
                ),
                esc(&dec.reason),
                machine_of_finding(assessment.finding(dec.dimension, &dec.label)),
                outcome,
            ],
        });
    }
    let member_keys: BTreeSet<String> = members
        .iter()
        .map(|&i| derived.landscape.reports[i].key())
        .collect();
    let shown = |key: &str| derived.released(key, max).is_some();
    for r in &derived.records {
        let keys = record_keys(r);
        let concerns = keys.iter().any(|k| member_keys.contains(k));
        if !concerns || !r.keys().into_iter().all(shown) {
            continue;
        }
        let issue = derived
            .landscape
            .reconciliation
            .decision_issues
            .iter()
            .find(|i| i.decision == r.decision);
        let outcome = match issue {
            Some(i) => format!(
                r#"<span class="verdict verdict-below">not applied: {}</span>"#,
                esc(&i.reason)
            ),
            None => r#"<span class="verdict verdict-counts">applied</span>"#.into(),
        };
        rows.push(HistoryRow {
            at: r.at.clone(),
            cells: vec![
                esc(&r.at.replace('T', " ")),
                esc(&r.actor),
                describe_record(r),
                esc(&r.reason),
                machine_of_record(r, &shown),
                outcome,
            ],
        });
    }
    rows.sort_by(|a, b| b.at.cmp(&a.at));
    rows.into_iter().map(|r| r.cells).collect()
}

/// The analyst's forms: confirm or reject a finding, add a label, split, unlink, merge.
fn decision_forms(ctx: &Ctx, key: &str, reports: &[&Report], assessment: &Assessment) -> String {
    let hidden = format!(
        r#"<input type="hidden" name="csrf" value="{}"><input type="hidden" name="key" value="{}">"#,
        esc(&ctx.csrf),
        esc(key)
    );
    let reason = r#"<label>Reason (required) <textarea name="reason" required placeholder="why, for the next analyst"></textarea></label>"#;
    // Confirm or reject one of the machine's findings.
    let mut findings = String::new();
    for f in &assessment.findings {
        let value = format!("{}:{}", f.dimension.prefix(), f.label);
        let state = match &f.decision {
            Some(d) => verdict_done(d.verdict).to_string(),
            None => f.standing().into(),
        };
        findings.push_str(&format!(
            r#"<option value="{v}">{dim} · {name} ({label}) — {conf:.2}, {state}</option>"#,
            v = esc(&value),
            dim = esc(f.dimension.prefix()),
            name = esc(&term_name(f.dimension, &f.label)),
            label = esc(&f.label),
            conf = f.confidence,
        ));
    }
    let judge = if findings.is_empty() {
        r#"<p class="empty">The rules found nothing to confirm or reject.</p>"#.to_string()
    } else {
        format!(
            r#"<form method="post" action="/incident/assessment" class="form" id="decide-finding">{hidden}
<label>Finding <select name="finding" required>{findings}</select></label>
<label>Decision <select name="verdict"><option value="confirm">Confirm: it counts whatever its confidence</option><option value="reject">Reject: it no longer counts (the machine's judgment stays visible)</option></select></label>
{reason}
<button type="submit" class="primary">Record decision</button></form>"#
        )
    };
    // Add a label the rules missed: every term not already counting, by dimension.
    let assessor = Assessor::global();
    let mut groups = String::new();
    for dimension in Dimension::ALL {
        let mut opts = String::new();
        for t in &assessor.vocabularies.get(dimension).terms {
            if assessment
                .finding(dimension, &t.id)
                .is_some_and(Finding::counts)
            {
                continue;
            }
            opts.push_str(&format!(
                r#"<option value="{v}">{name} ({id})</option>"#,
                v = esc(&format!("{}:{}", dimension.prefix(), t.id)),
                name = esc(&t.label),
                id = esc(&t.id),
            ));
        }
        if !opts.is_empty() {
            groups.push_str(&format!(
                r#"<optgroup label="{}">{opts}</optgroup>"#,
                esc(dimension.prefix())
            ));
        }
    }
    let add = format!(
        r#"<form method="post" action="/incident/assessment" class="form" id="decide-add">{hidden}<input type="hidden" name="verdict" value="add">
<label>Label <select name="finding" required>{groups}</select></label>
{reason}
<button type="submit" class="primary">Add label</button></form>"#
    );
    // Reconciliation: split a report out, unlink two, merge with another incident.
    let report_opts: String = reports
        .iter()
        .map(|r| {
            format!(
                r#"<option value="{k}">{k} — {t}</option>"#,
                k = esc(&r.key()),
                t = esc(&r.title)
            )
        })
        .collect();
    let second_opts: String = reports
        .iter()
        .rev()
        .map(|r| {
            format!(
                r#"<option value="{k}">{k} — {t}</option>"#,
                k = esc(&r.key()),
                t = esc(&r.title)
            )
        })
        .collect();
    let several = if reports.len() > 1 {
        format!(
            r#"<form method="post" action="/incident/reconcile" class="form" id="decide-split">{hidden}<input type="hidden" name="decision" value="split">
<h3>Split a report out</h3>
<label>Report <select name="report" required>{report_opts}</select></label>
{reason}
<button type="submit" class="primary">Split out</button></form>
<form method="post" action="/incident/reconcile" class="form" id="decide-unlink">{hidden}<input type="hidden" name="decision" value="unlink">
<h3>Unlink two reports</h3>
<label>Report <select name="a" required>{report_opts}</select></label>
<label>From report <select name="b" required>{second_opts}</select></label>
{reason}
<button type="submit" class="primary">Unlink</button></form>"#
        )
    } else {
        String::new()
    };
    let merge = format!(
        r#"<form method="post" action="/incident/reconcile" class="form" id="decide-link">{hidden}<input type="hidden" name="decision" value="link">
<h3>Merge with another incident</h3>
<label>A report of the other incident <input name="other" required placeholder="its key, e.g. eurepoc:842"></label>
{reason}
<button type="submit" class="primary">Merge</button></form>"#
    );
    format!(
        r#"<section class="card" id="decide"><h2>Your decision on the assessment</h2>
<p class="muted">Recorded under your name with your reason, kept beside the machine's judgment, and applied from the next page view (as <code>threatscape assess confirm|reject|add</code> does).</p>
<div class="cols">{judge}{add}</div></section>
<section class="card" id="reconcile"><h2>Your decision on the reports</h2>
<p class="muted">As <code>threatscape reconcile link|unlink|split</code>: recorded in the audit log and replayed by every reconciliation.</p>
<div class="cols">{several}{merge}</div></section>"#
    )
}

/// The incident holding report `key`, as `ctx`'s user sees it, with `notice` (already HTML).
fn render(
    ctx: &Ctx,
    derived: &Derived,
    summaries: &[Summary],
    key: &str,
    status: StatusCode,
    notice: &str,
) -> Response {
    let max = ctx.release();
    let not_found = || {
        message(
            Some(ctx),
            StatusCode::NOT_FOUND,
            "Not found",
            "No such incident is available to you.",
        )
    };
    let Some(report) = derived.released(key, max) else {
        return not_found();
    };
    let key = derived.landscape.reports[report].key();
    let cluster = derived.landscape.incident_of[report];
    let Some(summary) = summaries.iter().find(|x| x.cluster == cluster) else {
        return not_found();
    };
    let reports: Vec<&Report> = summary
        .members
        .iter()
        .map(|&i| &derived.landscape.reports[i])
        .collect();
    let Some(assessment) = assess(derived, cluster, max) else {
        return not_found();
    };
    let names = |dimension: Dimension, labels: &[String]| -> String {
        labels
            .iter()
            .map(|l| format!("{} ({})", esc(&term_name(dimension, l)), esc(l)))
            .collect::<Vec<_>>()
            .join("<br>")
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
        ("Agenda items", names(Dimension::Agenda, &summary.agenda)),
        ("Norms", names(Dimension::Norm, &summary.norms)),
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
                format!("<code>{}</code>", esc(&r.key())),
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
            let mut why = evidence.join("<br>");
            if let Some(d) = &fnd.decision {
                why.push_str(&format!(
                    r#"<div class="analyst-note"><strong>{}</strong>: {}</div>"#,
                    esc(&d.analyst),
                    esc(&d.reason)
                ));
            }
            vec![
                esc(&word(&fnd.dimension)),
                format!(
                    r#"{} <span class="muted">({})</span>"#,
                    esc(&fnd.label),
                    esc(&term_name(fnd.dimension, &fnd.label))
                ),
                format!("{:.2}", fnd.confidence),
                status_cell(fnd),
                esc(&fnd.rule_ids().join(", ")),
                why,
            ]
        })
        .collect();

    // Coded values of the (released) reports that no vocabulary reads: shown, not dropped.
    let unread = if assessment.unread.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<String>> = assessment
            .unread
            .iter()
            .map(|u| {
                vec![
                    esc(&word(&u.dimension)),
                    format!("<code>{}</code>", esc(&u.value)),
                    esc(&u.place),
                    esc(&u.report),
                ]
            })
            .collect();
        format!(
            r#"<h3>Coded values nothing reads</h3><p class="muted">No vocabulary or crosswalk row knows these values, so no finding rests on them; a crosswalk row (in the folder <code>threatscape --assess-data</code> reads, or <code>crates/assess/data/crosswalks/</code>) or an analyst's decision can account for them.</p>{}"#,
            table(&["Dimension", "Value", "Where", "Report"], &rows, "")
        )
    };

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

    let history_rows = history(derived, &summary.members, &assessment, max);
    let forms = if decides(&ctx.user) {
        decision_forms(ctx, &key, &reports, &assessment)
    } else {
        String::new()
    };

    let title = reports[0].title.clone();
    let body = format!(
        r#"{notice}<section class="card">{facts}</section>
<section class="card"><h2>Reports</h2>{reports}</section>
<section class="card"><h2>Attributions</h2>{contested_note}{attributions}</section>
<section class="card" id="assessment"><h2>Assessment</h2><p class="muted">Rule set {made_by}; each finding with the rules that made it, what they found and, where an analyst decided, their word beside the machine's.</p>{findings}{unread}</section>
{forms}
<section class="card"><h2>Why these reports are one incident</h2>{merges}</section>
<section class="card" id="history"><h2>Decision history</h2>{history}</section>"#,
        reports = table(
            &["Report", "Key", "Contributor", "Provenance", "TLP"],
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
            &[
                "Dimension",
                "Label",
                "Confidence",
                "Status",
                "Rules",
                "Evidence"
            ],
            &finding_rows,
            "No finding."
        ),
        merges = table(
            &["Report", "Merged with", "Score", "Evidence", "Rule"],
            &merge_rows,
            "A single report, or merges involving reports you cannot see."
        ),
        history = table(
            &[
                "When (UTC)",
                "Analyst",
                "Decision",
                "Reason",
                "Machine's judgment",
                "Outcome"
            ],
            &history_rows,
            "No analyst has decided on this incident."
        ),
    );
    respond(status, page(Some(ctx), &title, "/incidents", &body))
}

/// The incident of `key` as it stands now, for `ctx`'s user, with `notice`.
async fn current_page(
    s: &AppState,
    ctx: &Ctx,
    key: &str,
    status: StatusCode,
    notice: &str,
) -> Response {
    let max = ctx.release();
    let cache = Arc::clone(&s.0);
    let data = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await;
    let (derived, summaries) = match data {
        Ok(d) => d,
        Err(e) => return failed(ctx, e),
    };
    let shown = derived
        .released(key, max)
        .map(|i| derived.landscape.incident_of[i])
        .and_then(|cluster| summaries.iter().find(|x| x.cluster == cluster))
        .map(|x| derived.report_levels(&x.members))
        .unwrap_or_default();
    if let Err(e) = s
        .audit_report_reads(&ctx.user, format!("/incident?key={key}"), shown)
        .await
    {
        return failed(ctx, e);
    }
    render(ctx, &derived, &summaries, key, status, notice)
}

/// `GET /incident?key=`: facts, reports with provenance, attributions, assessment, merges, the
/// decision history and, for analysts, the decision forms.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(k): Query<IncidentKey>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let notice = match k.recorded.as_deref() {
        Some(what) => format!(
            r##"<p class="notice ok">Your {} decision is recorded and applied below; it is listed in the <a href="#history">decision history</a>.</p>"##,
            match what {
                "split" | "unlink" | "link" => "reconciliation",
                _ => "assessment",
            }
        ),
        None => String::new(),
    };
    current_page(
        &s,
        &ctx,
        k.key.as_deref().unwrap_or(""),
        StatusCode::OK,
        &notice,
    )
    .await
}

/// Why a decision was refused, as an API error (its status says whose fault).
fn refusal(e: DecideError) -> ApiError {
    match e {
        DecideError::Invalid(why) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Decision not recorded",
            why,
        ),
        e @ DecideError::Stale { .. } => {
            ApiError::new(StatusCode::CONFLICT, "Decision not recorded", e.to_string())
        }
        e => ApiError::internal(format!("recording the decision failed: {e}")),
    }
}

fn unprocessable(why: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Decision not recorded",
        why,
    )
}

/// Records an assessment decision by `user` on the landscape as it stands (deciding again on a
/// fresh view when another decision landed meanwhile, at most three times).
pub(crate) async fn record_assessment(
    s: &AppState,
    user: &User,
    incident: String,
    dimension: String,
    label: String,
    verdict: Verdict,
    reason: String,
) -> Result<RecordedAssessment, ApiError> {
    if !decides(user) {
        return Err(ApiError::forbidden(format!(
            "your role ({}) does not record analysts' decisions; the analyst, secretariat and admin roles do",
            user.role.as_str()
        )));
    }
    let max = crate::web::release_of(user);
    let request = AssessmentRequest {
        incident,
        dimension,
        label,
        verdict,
        reason,
        analyst: user.name.clone(),
    };
    let cache = Arc::clone(&s.0);
    let actor = user.name.clone();
    s.with_store(move |st| {
        let mut tries = 0;
        loop {
            let (derived, _) = cache.web.incidents.get(st, max)?;
            match threatscape_landscape::record_assessment_decision(
                st,
                &derived.landscape,
                Assessor::global(),
                max,
                &actor,
                &request,
            ) {
                Err(DecideError::Stale { .. }) if tries < 3 => tries += 1,
                other => return other.map_err(refusal),
            }
        }
    })
    .await
}

/// A reconciliation decision as asked for: which, on what reports, why.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct ReconcileAsk {
    /// `link`, `unlink` or `split`.
    pub(crate) decision: String,
    /// For link and unlink: one report.
    #[serde(default)]
    pub(crate) a: Option<String>,
    /// For link and unlink: the other report.
    #[serde(default)]
    pub(crate) b: Option<String>,
    /// For split: the report to take out.
    #[serde(default)]
    pub(crate) report: Option<String>,
    /// Why.
    #[serde(default)]
    pub(crate) reason: String,
}

/// Checks a reconciliation decision by `user` against the incidents as they see them and
/// records it; returns the key of a report whose incident shows the result.
pub(crate) async fn record_reconcile(
    s: &AppState,
    user: &User,
    ask: ReconcileAsk,
) -> Result<(ReconcileRecord, String), ApiError> {
    if !decides(user) {
        return Err(ApiError::forbidden(format!(
            "your role ({}) does not record analysts' decisions; the analyst, secretariat and admin roles do",
            user.role.as_str()
        )));
    }
    let max = crate::web::release_of(user);
    let cache = Arc::clone(&s.0);
    let actor = user.name.clone();
    s.with_store(move |st| {
        let (derived, _) = cache.web.incidents.get(st, max)?;
        let field = |v: &Option<String>, name: &str| -> Result<(usize, String), ApiError> {
            let key = v.as_deref().map(str::trim).unwrap_or_default();
            if key.is_empty() {
                return Err(unprocessable(format!("name the report `{name}` by its key")));
            }
            derived
                .released(key, max)
                .map(|i| (i, key.to_string()))
                .ok_or_else(|| {
                    unprocessable(format!(
                        "no report available to you has the key `{key}` (keys look like `eurepoc:842`; each incident page lists its reports' keys)"
                    ))
                })
        };
        let incident_of = |i: usize| derived.landscape.incident_of[i];
        let members = |i: usize| {
            derived.landscape.incidents()[incident_of(i)]
                .members
                .iter()
                .filter(|&&m| derived.landscape.admits(m, max))
                .count()
        };
        let (decision, show) = match ask.decision.trim() {
            "link" => {
                let ((ia, a), (ib, b)) = (field(&ask.a, "a")?, field(&ask.b, "b")?);
                if a != b && incident_of(ia) == incident_of(ib) {
                    return Err(unprocessable(format!(
                        "`{a}` and `{b}` are already one incident"
                    )));
                }
                (ReconcileDecision::Link { a: a.clone(), b }, a)
            }
            "unlink" => {
                let ((ia, a), (ib, b)) = (field(&ask.a, "a")?, field(&ask.b, "b")?);
                if a != b && incident_of(ia) != incident_of(ib) {
                    return Err(unprocessable(format!(
                        "`{a}` and `{b}` are already in different incidents"
                    )));
                }
                (ReconcileDecision::Unlink { a: a.clone(), b }, a)
            }
            "split" => {
                let (i, report) = field(&ask.report, "report")?;
                if members(i) < 2 {
                    return Err(unprocessable(format!(
                        "`{report}` is already an incident of its own"
                    )));
                }
                // Show the incident it leaves.
                let stays = derived.landscape.incidents()[incident_of(i)]
                    .members
                    .iter()
                    .copied()
                    .find(|&m| m != i && derived.landscape.admits(m, max))
                    .map(|m| derived.landscape.reports[m].key())
                    .unwrap_or_else(|| report.clone());
                (ReconcileDecision::Split { report }, stays)
            }
            other => {
                return Err(unprocessable(format!(
                    "`{other}` is not a reconciliation decision; use link, unlink or split"
                )))
            }
        };
        let record = threatscape_landscape::record_reconcile_decision(
            st,
            Some(&derived.landscape),
            &Reconciler::default(),
            &actor,
            &decision,
            &ask.reason,
        )
        .map_err(refusal)?;
        Ok((record, show))
    })
    .await
}

/// The fields of the incident page's decision forms.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DecisionForm {
    csrf: Option<String>,
    /// The page's incident, by one of its reports.
    #[serde(default)]
    key: String,
    /// `dimension:label` (assessment forms).
    #[serde(default)]
    finding: String,
    /// `confirm`, `reject` or `add` (assessment forms).
    #[serde(default)]
    verdict: String,
    /// `link`, `unlink` or `split` (reconciliation forms).
    #[serde(default)]
    decision: String,
    #[serde(default)]
    report: Option<String>,
    #[serde(default)]
    a: Option<String>,
    #[serde(default)]
    b: Option<String>,
    /// The other incident's report (merge).
    #[serde(default)]
    other: Option<String>,
    #[serde(default)]
    reason: String,
}

/// The incident page again, with why the decision was refused.
async fn refused_page(s: &AppState, ctx: &Ctx, key: &str, e: ApiError) -> Response {
    if e.status == StatusCode::NOT_FOUND || e.status == StatusCode::INTERNAL_SERVER_ERROR {
        return failed(ctx, e);
    }
    let notice = format!(
        r#"<p class="notice error">{}: {}</p>"#,
        esc(&e.title),
        esc(&e.description)
    );
    current_page(s, ctx, key, e.status, &notice).await
}

/// The 403 page for a user whose role does not record analysts' decisions, `None` for one whose
/// role does.
fn refuse_non_analyst(ctx: &Ctx) -> Option<Response> {
    (!decides(&ctx.user)).then(|| {
        message(
            Some(ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            &format!(
                "Your role ({}) does not record analysts' decisions; the analyst, secretariat and admin roles do.",
                ctx.user.role.as_str()
            ),
        )
    })
}

/// `POST /incident/assessment`: an analyst confirms, rejects or adds a label.
pub(crate) async fn decide_assessment(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<DecisionForm>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if let Some(refused) = refuse_non_analyst(&ctx) {
        return refused;
    }
    let verdict = match f.verdict.trim() {
        "confirm" => Verdict::Confirm,
        "reject" => Verdict::Reject,
        "add" => Verdict::Add,
        other => {
            let e = unprocessable(format!(
                "`{other}` is not a decision on a label; use confirm, reject or add"
            ));
            return refused_page(&s, &ctx, &f.key, e).await;
        }
    };
    let Some((dimension, label)) = f.finding.split_once(':') else {
        let e = unprocessable("choose a finding or a label (dimension:label)");
        return refused_page(&s, &ctx, &f.key, e).await;
    };
    match record_assessment(
        &s,
        &ctx.user,
        f.key.clone(),
        dimension.to_string(),
        label.to_string(),
        verdict,
        f.reason.clone(),
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "/incident?key={}&recorded=assessment#assessment",
            enc(f.key.trim())
        )),
        Err(e) => refused_page(&s, &ctx, &f.key, e).await,
    }
}

/// `POST /incident/reconcile`: an analyst splits a report out, unlinks two, or merges the
/// incident with another one.
pub(crate) async fn decide_reconcile(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<DecisionForm>,
) -> Response {
    let Some(ctx) = s.check_csrf(&headers, f.csrf.as_deref()).await else {
        return csrf_refused();
    };
    if let Some(refused) = refuse_non_analyst(&ctx) {
        return refused;
    }
    let decision = f.decision.trim().to_string();
    let ask = match decision.as_str() {
        "link" => ReconcileAsk {
            decision: decision.clone(),
            a: Some(f.key.clone()),
            b: f.other.clone(),
            report: None,
            reason: f.reason.clone(),
        },
        _ => ReconcileAsk {
            decision: decision.clone(),
            a: f.a.clone(),
            b: f.b.clone(),
            report: f.report.clone(),
            reason: f.reason.clone(),
        },
    };
    match record_reconcile(&s, &ctx.user, ask).await {
        Ok((_, show)) => {
            // The page's own report, unless it was the one split out.
            let key = if decision == "split"
                && f.report.as_deref().map(str::trim) == Some(f.key.trim())
            {
                show
            } else {
                f.key.trim().to_string()
            };
            see_other(&format!(
                "/incident?key={}&recorded={}#history",
                enc(&key),
                enc(&decision)
            ))
        }
        Err(e) => refused_page(&s, &ctx, &f.key, e).await,
    }
}

/// `GET /api/v1/incident?key=`: one incident as the REST API gives it: its reports, assessment
/// (with the analysts' decisions applied) and decision history.
pub(crate) async fn api_incident(
    s: &AppState,
    user: &User,
    key: &str,
) -> Result<serde_json::Value, ApiError> {
    let max = crate::web::release_of(user);
    let cache = Arc::clone(&s.0);
    let (derived, summaries) = s
        .with_store(move |st| cache.web.incidents.get(st, max))
        .await?;
    let missing = || {
        ApiError::not_found(format!(
            "no incident available to you holds the report {key:?}"
        ))
    };
    let report = derived.released(key, max).ok_or_else(missing)?;
    let cluster = derived.landscape.incident_of[report];
    let summary = summaries
        .iter()
        .find(|x| x.cluster == cluster)
        .ok_or_else(missing)?;
    let assessment = assess(&derived, cluster, max).ok_or_else(missing)?;
    let member_keys: BTreeSet<String> = summary
        .members
        .iter()
        .map(|&i| derived.landscape.reports[i].key())
        .collect();
    let shown = |k: &str| derived.released(k, max).is_some();
    let reconcile: Vec<&ReconcileRecord> = derived
        .records
        .iter()
        .filter(|r| record_keys(r).iter().any(|k| member_keys.contains(k)))
        .filter(|r| r.keys().into_iter().all(shown))
        .collect();
    let reports: Vec<serde_json::Value> = summary
        .members
        .iter()
        .map(|&i| {
            let r = &derived.landscape.reports[i];
            serde_json::json!({
                "key": r.key(), "title": r.title, "tlp": r.tlp.as_str(),
                "contributor": r.contributor.name, "format": r.provenance.format,
            })
        })
        .collect();
    s.audit_report_reads(
        user,
        format!("/api/v1/incident?key={key}"),
        derived.report_levels(&summary.members),
    )
    .await?;
    Ok(serde_json::json!({
        "key": derived.landscape.reports[summary.members[0]].key(),
        "title": derived.landscape.reports[summary.members[0]].title,
        "started": summary.start,
        "tlp": summary.tlp.as_str(),
        "sectors": summary.sectors,
        "threat_kinds": summary.kinds,
        "agenda_items": summary.agenda,
        "norms": summary.norms,
        "reports": reports,
        "assessment": assessment,
        "reconcile_decisions": reconcile,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(cluster: usize, start: &str) -> Summary {
        Summary {
            cluster,
            members: vec![],
            start: start.into(),
            countries: BTreeSet::new(),
            actors: BTreeSet::new(),
            contributor_types: BTreeSet::new(),
            tlp: Tlp::Clear,
            sectors: vec![],
            kinds: vec![],
            agenda: vec![],
            norms: vec![],
            text: String::new(),
        }
    }

    /// Skipping by binary search finds exactly what testing every summary finds, whatever the
    /// precision of the dates and of `to`.
    #[test]
    fn the_skip_to_a_date_keeps_every_match() {
        let starts = [
            "2024",
            "2023-01-05",
            "2022-12",
            "2022-07",
            "2022-06-30",
            "2022-06-01",
            "2022-06",
            "2022-05-31",
            "2022-01",
            "2022",
            "2021-12-31",
            "2021",
            "2019-03-02",
            "",
        ];
        let mut summaries: Vec<Summary> = starts
            .iter()
            .enumerate()
            .map(|(n, s)| summary(n, s))
            .collect();
        summaries.sort_by(|a, b| b.start.cmp(&a.start).then(a.cluster.cmp(&b.cluster)));
        for to in [
            "2025",
            "2024",
            "2023-01",
            "2022-12-31",
            "2022-06",
            "2022-06-30",
            "2022-06-01",
            "2022",
            "2021-12",
            "2020",
            "2019-03-02",
            "2019-03-01",
            "1999",
        ] {
            for from in [None, Some("2022"), Some("2022-06-15")] {
                let f = IncidentFilter {
                    to: Some(to.into()),
                    from: from.map(str::to_string),
                    ..IncidentFilter::default()
                };
                let compiled = f.compile();
                let every: Vec<usize> = summaries
                    .iter()
                    .filter(|x| compiled.matches(x))
                    .map(|x| x.cluster)
                    .collect();
                let skipped: Vec<usize> =
                    matching(&summaries, &f).iter().map(|x| x.cluster).collect();
                assert_eq!(skipped, every, "to {to}, from {from:?}");
            }
        }
    }
}
