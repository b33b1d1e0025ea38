//! The dashboard (`/`): the landscape at a glance for a chosen period, at the reader's level.
//!
//! Everything shown is the landscape briefing's own analysis (`threatscape_brief::build`) over the
//! incidents of `threatscape_landscape` released at the reader's level, so the dashboard, the CLI's
//! `brief` and the briefings page never disagree on a count: counts and trends against a baseline
//! (exact Poisson rate-ratio tests with Benjamini-Hochberg correction), the monthly series, the map
//! of affected States, top threat kinds and sectors, conflict-linked activity and spill-over,
//! agenda items and norms engaged, and the most intense incidents of the period.
//!
//! The reader's level is the incident pages' rule ([`Ctx::release_level`]:
//! `min(clearance, AMBER)`); each level maps to the one briefing audience with that ceiling.
//! Derivations are cached: the landscape while the store's change marker stays put
//! (`threatscape_landscape::Cached`), and beside it the incidents released per level and the
//! briefing per (period, baseline, level), all dropped together when the marker moves.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use threatscape_assess::{Assessor, Dimension};
use threatscape_brief::model::Bar;
use threatscape_brief::period::{day_number, format_day, Day};
use threatscape_brief::trends::{label_name, Cell};
use threatscape_brief::{
    build, Audience, Baseline, BriefOptions, Briefing, CapacityTable, DateBasis, Figure, Incident,
    Period, TrendOptions,
};
use threatscape_landscape::{Cached, Landscape};
use threatscape_model::Tlp;
use threatscape_store::Store;

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::{see_other, Ctx};
use crate::{ApiError, AppState};

/// Incidents shown in the "most significant" table.
const SIGNIFICANT: usize = 10;
/// Bars in the threat-kind and sector charts.
const TOP_BARS: usize = 8;
/// Dashboard briefings kept per landscape (periods, baselines and levels asked for).
const MAX_VIEWS: usize = 256;

/// How many incidents a dashboard figure lists by name: a quarter of a large store counts
/// thousands behind one sentence.
const IDS_LISTED: usize = 50;

/// The incidents a reader at one level sees, assessed from their released reports only.
pub(crate) struct Released {
    /// Incidents with at least one released report.
    pub(crate) incidents: Vec<Incident>,
    /// Reports above the level, left out.
    pub(crate) withheld_reports: usize,
    /// Incidents none of whose reports is released.
    pub(crate) withheld_incidents: usize,
    /// The quarters (year, quarter) in which some incident is dated to the month or the day.
    quarters: BTreeSet<(i32, u8)>,
}

/// Builds the incidents released at `max` from the landscape, as `threatscape_brief::release`
/// does but with the analysts' assessment decisions applied (`Landscape::assess`).
pub(crate) fn release(landscape: &Landscape, assessor: &'static Assessor, max: Tlp) -> Released {
    let mut out = Released {
        incidents: Vec::new(),
        withheld_reports: 0,
        withheld_incidents: 0,
        quarters: BTreeSet::new(),
    };
    let assessed = landscape.assessed(assessor, max);
    for (index, cluster) in landscape.incidents().iter().enumerate() {
        let reports = landscape.released(index, max);
        out.withheld_reports += cluster.members.len() - reports.len();
        let Some(assessment) = assessed[index].clone() else {
            out.withheld_incidents += 1;
            continue;
        };
        let id = format!(
            "inc:{}",
            reports.iter().map(|r| r.key()).min().unwrap_or_default()
        );
        let incident = Incident {
            id,
            reports: reports.into_iter().cloned().collect(),
            assessment,
        };
        if let Some(d) = DateBasis::Occurred.incident_date(&incident) {
            if let Some(m) = d.month {
                out.quarters.insert((d.year, (m - 1) / 3 + 1));
            }
        }
        out.incidents.push(incident);
    }
    out
}

/// The one audience whose ceiling is `level` (a reader's level is at most AMBER).
pub(crate) fn audience_at(level: Tlp) -> Audience {
    match level {
        Tlp::Clear => Audience::Public,
        Tlp::Green => Audience::Council,
        _ => Audience::Restricted,
    }
}

/// A baseline as its query-string word (`previous`, `year-ago`, `trailing:N`).
pub(crate) fn baseline_word(b: Baseline) -> String {
    match b {
        Baseline::Previous => "previous".into(),
        Baseline::YearAgo => "year-ago".into(),
        Baseline::Trailing(n) => format!("trailing:{n}"),
    }
}

/// Builds the briefing of `period` against `baseline` over incidents released at the
/// audience's ceiling (occurrence dates, the CLI's defaults otherwise).
pub(crate) fn briefing(
    released: &Released,
    audience: Audience,
    period: Period,
    baseline: Baseline,
) -> Briefing {
    let options = BriefOptions {
        audience,
        trend: TrendOptions::new(period, baseline),
        withheld_reports: released.withheld_reports,
        withheld_incidents: released.withheld_incidents,
        capacity: CapacityTable::embedded(),
    };
    build(Assessor::global(), &released.incidents, &options)
}

/// The landscape and what the dashboard derives from it, per level and per view.
pub(crate) struct LandscapeCache {
    landscape: Arc<Cached>,
    views: Mutex<Views>,
}

impl Default for LandscapeCache {
    /// A cache with a landscape of its own.
    fn default() -> Self {
        LandscapeCache::new(Arc::new(Cached::new(
            threatscape_reconcile::Reconciler::default(),
        )))
    }
}

impl LandscapeCache {
    /// A cache over `landscape`, the derivation the incident pages share (one copy per process).
    pub(crate) fn new(landscape: Arc<Cached>) -> Self {
        LandscapeCache {
            landscape,
            views: Mutex::new(Views::default()),
        }
    }
}

impl std::fmt::Debug for LandscapeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LandscapeCache").finish_non_exhaustive()
    }
}

/// Derivations from one landscape (`of`); dropped when the landscape is replaced.
#[derive(Default)]
struct Views {
    of: Option<Arc<Landscape>>,
    released: HashMap<Tlp, Arc<Released>>,
    briefings: HashMap<(String, String, Tlp), Arc<Briefing>>,
    /// Dashboard bodies rendered from a briefing held above (by its address) for one query.
    pages: HashMap<(usize, String), Arc<String>>,
}

impl LandscapeCache {
    /// The landscape as the store stands and the incidents released at `level`.
    pub(crate) fn released(
        &self,
        store: &dyn Store,
        level: Tlp,
    ) -> Result<(Arc<Landscape>, Arc<Released>), ApiError> {
        let landscape = self
            .landscape
            .get(store)
            .map_err(|e| ApiError::internal(format!("deriving the landscape failed: {e}")))?;
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if !views
            .of
            .as_ref()
            .is_some_and(|l| Arc::ptr_eq(l, &landscape))
        {
            *views = Views {
                of: Some(Arc::clone(&landscape)),
                ..Views::default()
            };
        }
        let released = views
            .released
            .entry(level)
            .or_insert_with(|| Arc::new(release(&landscape, Assessor::global(), level)))
            .clone();
        Ok((landscape, released))
    }

    /// The dashboard body for `b` and the query `key`, rendered once while `b` is the briefing
    /// held for its view (a body over 100,000 incidents takes milliseconds to render, and a busy
    /// dashboard is asked for the same few views again and again).
    fn page(&self, b: &Arc<Briefing>, key: String, render: impl FnOnce() -> String) -> Arc<String> {
        let slot = (Arc::as_ptr(b) as usize, key);
        {
            let views = self.views.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(p) = views.pages.get(&slot) {
                return Arc::clone(p);
            }
        }
        let body = Arc::new(render());
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        // Kept only while `b` is still held (so its address cannot be reused by another).
        if views.briefings.values().any(|held| Arc::ptr_eq(held, b)) {
            if views.pages.len() >= MAX_VIEWS {
                views.pages.clear();
            }
            views.pages.insert(slot, Arc::clone(&body));
        }
        body
    }

    /// The dashboard's briefing for a level, period and baseline, and the released incidents.
    fn view(
        &self,
        store: &dyn Store,
        level: Tlp,
        choice: &Choice,
    ) -> Result<(Arc<Released>, Arc<Briefing>, Period), ApiError> {
        let (landscape, released) = self.released(store, level)?;
        let period = match &choice.period {
            Some(p) => p.clone(),
            None => default_period(&released.quarters, today()),
        };
        let key = (period.label.clone(), baseline_word(choice.baseline), level);
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if !views
            .of
            .as_ref()
            .is_some_and(|l| Arc::ptr_eq(l, &landscape))
        {
            // Replaced between the two locks: compute without caching against a stale key.
            let b = briefing(
                &released,
                audience_at(level),
                period.clone(),
                choice.baseline,
            );
            return Ok((released, Arc::new(b), period));
        }
        if views.briefings.len() >= MAX_VIEWS && !views.briefings.contains_key(&key) {
            // Any period can be asked for: keep the cache bounded by starting it afresh.
            views.briefings.clear();
            views.pages.clear();
        }
        let b = views
            .briefings
            .entry(key)
            .or_insert_with(|| {
                Arc::new(briefing(
                    &released,
                    audience_at(level),
                    period.clone(),
                    choice.baseline,
                ))
            })
            .clone();
        Ok((released, b, period))
    }
}

/// Today's day number (UTC).
pub(crate) fn today() -> Day {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    day_number(1970, 1, 1) + (secs / 86_400) as Day
}

/// The last quarter that has ended by `today` and has data; the latest quarter with data when
/// none has ended; the quarter before today's when there is no data at all.
fn default_period(quarters: &BTreeSet<(i32, u8)>, today: Day) -> Period {
    let closed = |&&(y, q): &&(i32, u8)| Period::quarter(y, q).end < today;
    quarters
        .iter()
        .rev()
        .find(closed)
        .or_else(|| quarters.iter().next_back())
        .map(|&(y, q)| Period::quarter(y, q))
        .unwrap_or_else(|| {
            let (y, m, _) = threatscape_brief::period::civil(today);
            Period::quarter(y, (m - 1) / 3 + 1).shifted_back(1)
        })
}

/// The period the dashboard opens on for these incidents (see [`default_period`]).
pub(crate) fn default_period_of(released: &Released) -> Period {
    default_period(&released.quarters, today())
}

/// The dashboard's query: a period (`2023-Q2`, `2023-06`, `2023`), or `from` and `to` days, and
/// a baseline.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DashboardQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    baseline: Option<String>,
}

/// What the query asks for, read; `problems` says what could not be read (and was replaced by
/// the default).
struct Choice {
    period: Option<Period>,
    baseline: Baseline,
    problems: Vec<String>,
}

fn filled(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl DashboardQuery {
    fn choice(&self) -> Choice {
        let mut problems = Vec::new();
        let asked = match (filled(&self.from), filled(&self.to)) {
            (Some(from), Some(to)) => Some(format!("{from}..{to}")),
            (Some(_), None) | (None, Some(_)) => {
                problems.push("Give both ends of a range (from and to).".to_string());
                None
            }
            (None, None) => filled(&self.period).map(str::to_string),
        };
        let period = asked.and_then(|p| match p.parse::<Period>() {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        });
        let baseline = match filled(&self.baseline).map(str::parse::<Baseline>) {
            None => Baseline::Previous,
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                problems.push(e.to_string());
                Baseline::Previous
            }
        };
        Choice {
            period,
            baseline,
            problems,
        }
    }
}

/// The address of the dashboard for a period and baseline.
fn dashboard_href(period: &Period, baseline: Baseline) -> String {
    format!(
        "/?period={}&baseline={}",
        enc(&period.label),
        enc(&baseline_word(baseline))
    )
}

/// The incident page of a briefing incident id (`inc:` and one of its report keys).
pub(crate) fn incident_href(id: &str) -> String {
    format!(
        "/incident?key={}",
        enc(id.strip_prefix("inc:").unwrap_or(id))
    )
}

/// A figure's sentence with the incidents behind it, each linked to its page.
fn figure_item(f: &Figure, titles: &HashMap<&str, &str>) -> String {
    let mut out = format!("<li>{}", esc(&f.text));
    if !f.incidents.is_empty() {
        let _ = write!(
            out,
            r#" <details class="ls-ids"><summary>{} incident{} in the period</summary><ul>"#,
            f.incidents.len(),
            if f.incidents.len() == 1 { "" } else { "s" }
        );
        for id in f.incidents.iter().take(IDS_LISTED) {
            let title = titles.get(id.as_str()).copied().unwrap_or(id.as_str());
            let _ = write!(out, "<li>{}</li>", link(&incident_href(id), title));
        }
        if f.incidents.len() > IDS_LISTED {
            let _ = write!(
                out,
                "<li>and {} more, all listed in the briefing's HTML and JSON editions</li>",
                f.incidents.len() - IDS_LISTED
            );
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</li>");
    out
}

/// The most frequent labels of a breakdown in the period, as chart bars.
fn top_bars(b: &Briefing, breakdown: &str, dim: Dimension) -> Vec<Bar> {
    let assessor = Assessor::global();
    let vocab = assessor.vocabularies.get(dim);
    let mut cells: Vec<&Cell> = b
        .trends
        .cells
        .iter()
        // Top-level labels only: a sub-sector's incidents are already its parent's.
        .filter(|c| c.breakdown == breakdown && vocab.top_level(&c.label) == c.label)
        .collect();
    cells.sort_by(|x, y| {
        (y.current.len(), y.baseline.len())
            .cmp(&(x.current.len(), x.baseline.len()))
            .then(x.label.cmp(&y.label))
    });
    cells
        .into_iter()
        .filter(|c| !c.current.is_empty())
        .take(TOP_BARS)
        .map(|c| Bar {
            label: label_name(assessor, dim, &c.label),
            current: c.current.len() as u64,
            baseline: c.baseline.len() as u64,
        })
        .collect()
}

fn ratio_text(c: &Cell) -> String {
    let high = c
        .test
        .ci_high
        .map_or("∞".to_string(), |h| format!("{h:.2}"));
    match c.test.rate_ratio {
        Some(r) => format!("{r:.2} [{:.2}, {high}]", c.test.ci_low),
        None => format!("new [{:.2}, {high}]", c.test.ci_low),
    }
}

/// A dashboard card for one of the briefing's sections (by id), its figures and chart.
fn section_card(b: &Briefing, id: &str, titles: &HashMap<&str, &str>) -> String {
    let Some(sec) = b.sections.iter().find(|s| s.id == id) else {
        return String::new();
    };
    let mut out = format!(
        r#"<section class="card ls-section"><h2>{}</h2>"#,
        esc(&sec.title)
    );
    if let Some(n) = &sec.note {
        let _ = write!(out, r#"<p class="muted">{}</p>"#, esc(n));
    }
    if sec.figures.is_empty() {
        out.push_str(r#"<p class="empty">Nothing in this period.</p>"#);
    } else {
        out.push_str(r#"<ul class="ls-figures">"#);
        for f in &sec.figures {
            out.push_str(&figure_item(f, titles));
        }
        out.push_str("</ul>");
    }
    if !sec.chart.is_empty() {
        let _ = write!(
            out,
            r#"<div class="ls-chart">{}</div>"#,
            threatscape_brief::charts::bar_chart(&sec.chart, &b.period.label)
        );
    }
    out.push_str("</section>");
    out
}

fn percent_change(c: Option<&Cell>) -> String {
    match c.and_then(|c| c.test.rate_ratio) {
        Some(r) => format!("{:+.0}% per day vs baseline", (r - 1.0) * 100.0),
        None if c.is_some_and(|c| c.test.k1 > 0) => "none in the baseline".to_string(),
        None => "no incidents".to_string(),
    }
}

fn failed(ctx: &Ctx, e: ApiError) -> Response {
    message(Some(ctx), e.status, &e.title, &e.description)
}

/// `GET /`: the landscape for a period at the reader's level.
pub(crate) async fn dashboard(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let level = ctx.release_level();
    let choice = q.choice();
    let inner = Arc::clone(&s.0);
    let asked = Choice {
        period: choice.period.clone(),
        baseline: choice.baseline,
        problems: Vec::new(),
    };
    let data = s
        .with_store(move |st| inner.web.landscape.view(st, level, &asked))
        .await;
    let (released, b, period) = match data {
        Ok(d) => d,
        Err(e) => return failed(&ctx, e),
    };
    // A view holding AMBER material is a restricted read: recorded as such (the briefing's
    // highest level and its period, not the thousands of reports behind its figures).
    if b.highest_tlp_used >= Tlp::Amber {
        let entry = threatscape_store::AuditEntry {
            actor: ctx.user.name.clone(),
            action: "read-restricted".into(),
            subject: "/".into(),
            detail: serde_json::json!({"organisation": ctx.user.organisation,
                "view": "dashboard", "period": period.label,
                "highest_tlp": b.highest_tlp_used.as_str()}),
        };
        if let Err(e) = s.audit(entry).await {
            return failed(&ctx, e);
        }
    }
    let key = format!("{level:?}|{q:?}");
    let body = s.0.web.landscape.page(&b, key, || {
        render(
            &released,
            &b,
            &period,
            choice.baseline,
            level,
            &choice.problems,
            &q,
        )
    });
    respond(StatusCode::OK, page(Some(&ctx), "Dashboard", "/", &body))
}

fn render(
    released: &Released,
    b: &Briefing,
    period: &Period,
    baseline: Baseline,
    level: Tlp,
    problems: &[String],
    q: &DashboardQuery,
) -> String {
    let by_id: HashMap<&str, &Incident> = released
        .incidents
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    let titles: HashMap<&str, &str> = released
        .incidents
        .iter()
        .map(|i| (i.id.as_str(), i.reports[0].title.as_str()))
        .collect();
    let mut body = String::new();

    // The period picker.
    let notices: String = problems
        .iter()
        .map(|p| format!(r#"<p class="notice error">{}</p>"#, esc(p)))
        .collect();
    let mut quarters = String::new();
    for &(y, qn) in released.quarters.iter().rev() {
        let p = Period::quarter(y, qn);
        let _ = write!(quarters, r#"<option value="{}">"#, esc(&p.label));
    }
    let baseline_options: String = [
        ("previous", "previous period"),
        ("year-ago", "same period a year before"),
        ("trailing:4", "4 previous periods"),
    ]
    .iter()
    .map(|(v, t)| {
        let sel = if baseline_word(baseline) == *v {
            " selected"
        } else {
            ""
        };
        format!(r#"<option value="{v}"{sel}>{t}</option>"#)
    })
    .collect();
    let is_range = period.kind == threatscape_brief::period::PeriodKind::Range;
    let _ = write!(
        body,
        r#"{notices}<form method="get" action="/" class="filters ls-picker">
<label>Period <input name="period" list="ls-quarters" value="{period_value}" placeholder="2023-Q2, 2023-06 or 2023"></label>
<datalist id="ls-quarters">{quarters}</datalist>
<label>or from <input type="date" name="from" value="{from}"></label>
<label>to <input type="date" name="to" value="{to}"></label>
<label>Baseline <select name="baseline">{baseline_options}</select></label>
<button type="submit" class="primary">Show</button>
<span class="ls-step">{prev} · {next}</span>
</form>"#,
        period_value = if is_range {
            String::new()
        } else {
            esc(&period.label)
        },
        from = esc(filled(&q.from).unwrap_or("")),
        to = esc(filled(&q.to).unwrap_or("")),
        prev = link(
            &dashboard_href(&period.shifted_back(1), baseline),
            &format!("← {}", period.shifted_back(1).label)
        ),
        next = link(
            &dashboard_href(&period.shifted_back(-1), baseline),
            &format!("{} →", period.shifted_back(-1).label)
        ),
    );
    let base_labels = b
        .baseline_periods
        .iter()
        .map(|p| p.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        body,
        r#"<p class="lede">{period} compared with {desc} ({base_labels}), incidents dated by when they occurred, from the reports at or below {level_badge}. {withheld}</p>"#,
        period = esc(&period.label),
        desc = esc(&b.baseline_description),
        base_labels = esc(&base_labels),
        level_badge = badge(level),
        withheld = match b.withheld_reports {
            0 => String::new(),
            1 => "1 report above your level is not used.".to_string(),
            n => format!("{n} reports above your level are not used."),
        },
    );

    // Headline tiles.
    let all = b.trends.cell("all", "all");
    let affected = b.states.iter().filter(|s| !s.incidents.is_empty()).count();
    let _ = write!(
        body,
        r#"<section class="tiles">
<div class="tile"><span class="tile-num">{cur}</span><span class="tile-label">incidents in {period}</span><span class="muted">{change}</span></div>
<div class="tile"><span class="tile-num">{base}</span><span class="tile-label">incidents in the baseline</span><span class="muted">{base_labels}</span></div>
<div class="tile"><span class="tile-num">{affected}</span><span class="tile-label">States with victims</span><span class="muted">{flagged} change{s} flagged as significant</span></div>
</section>"#,
        cur = b.trends.current.len(),
        period = esc(&period.label),
        change = esc(&percent_change(all)),
        base = b.trends.baseline_incidents.len(),
        base_labels = esc(&base_labels),
        flagged = b.trends.flagged().count(),
        s = if b.trends.flagged().count() == 1 {
            ""
        } else {
            "s"
        },
    );

    // Findings.
    body.push_str(r#"<section class="card"><h2>Key findings</h2><ul class="ls-figures">"#);
    for f in &b.executive_summary {
        body.push_str(&figure_item(f, &titles));
    }
    body.push_str("</ul></section>");

    // Time series and map.
    let (from, to) = (format_day(period.start), format_day(period.end));
    let map_link = |code: &str| {
        Some(format!(
            "/incidents?country={}&from={}&to={}",
            enc(code),
            enc(&from),
            enc(&to)
        ))
    };
    let _ = write!(
        body,
        r#"<div class="cols"><section class="card"><h2>Incidents per month</h2><div class="ls-chart">{series}</div></section>
<section class="card"><h2>Affected States</h2><div class="ls-chart">{map}</div></section></div>"#,
        series = threatscape_brief::charts::time_series(&b.monthly, &b.period.label),
        map = threatscape_brief::charts::world_map(&b.states, &b.period.label, &map_link),
    );

    // Top threat kinds and sectors.
    let bars = |bars: Vec<Bar>| {
        if bars.is_empty() {
            r#"<p class="empty">No incident in this period.</p>"#.to_string()
        } else {
            format!(
                r#"<div class="ls-chart">{}</div>"#,
                threatscape_brief::charts::bar_chart(&bars, &b.period.label)
            )
        }
    };
    let _ = write!(
        body,
        r#"<div class="cols"><section class="card"><h2>Top threat kinds</h2>{}</section><section class="card"><h2>Top sectors</h2>{}</section></div>"#,
        bars(top_bars(b, "threat", Dimension::Threat)),
        bars(top_bars(b, "sector", Dimension::Sector)),
    );

    // Trends flagged by the tests.
    let trend_rows: Vec<Vec<String>> = b
        .trends
        .flagged()
        .map(|c| {
            vec![
                esc(&c.name),
                format!(r#"<span class="num">{}</span>"#, c.current.len()),
                format!(r#"<span class="num">{}</span>"#, c.baseline.len()),
                esc(&ratio_text(c)),
                format!("{:.3}", c.q_value),
                esc(&c.sentence),
            ]
        })
        .collect();
    let _ = write!(
        body,
        r#"<section class="card"><h2>Emerging and evolving trends</h2><p class="muted">Each cell's change of rate tested exactly (conditional test of two Poisson rates), corrected for {n} comparisons at a false-discovery rate of {fdr:.0}%, flagged only with at least {min} incidents in the period.</p>{table}</section>"#,
        n = b.trends.comparisons,
        fdr = b.trends.fdr * 100.0,
        min = b.trends.min_count,
        table = table(
            &[
                "Cell",
                "Period",
                "Baseline",
                "Rate ratio [95% CI]",
                "q",
                "Finding"
            ],
            &trend_rows,
            "No change is significant in this period against its baseline."
        ),
    );

    // Conflicts, agenda items and norms.
    let _ = write!(
        body,
        r#"<div class="cols">{}{}</div>{}"#,
        section_card(b, "conflict", &titles),
        section_card(b, "agenda", &titles),
        section_card(b, "norms", &titles),
    );

    // The most intense incidents of the period.
    let mut significant: Vec<&Incident> = b
        .trends
        .current
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    significant.sort_by(|x, y| {
        y.assessment
            .intensity
            .score
            .total_cmp(&x.assessment.intensity.score)
            .then(x.id.cmp(&y.id))
    });
    let rows: Vec<Vec<String>> = significant
        .iter()
        .take(SIGNIFICANT)
        .map(|i| {
            let date = DateBasis::Occurred
                .incident_date(i)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let countries: BTreeSet<&str> = i
                .reports
                .iter()
                .flat_map(|r| r.victims.iter())
                .filter_map(|v| v.country.as_deref())
                .collect();
            vec![
                link(&incident_href(&i.id), &i.reports[0].title),
                esc(&date),
                esc(&countries.into_iter().collect::<Vec<_>>().join(", ")),
                esc(&i.assessment.labels(Dimension::Threat).join(", ")),
                format!(
                    r#"<span class="num">{:.1}</span>"#,
                    i.assessment.intensity.score
                ),
                badge(i.reports.iter().map(|r| r.tlp).max().unwrap_or(Tlp::Clear)),
            ]
        })
        .collect();
    let _ = write!(
        body,
        r#"<section class="card"><h2>Most significant incidents of {}</h2>{}</section>"#,
        esc(&period.label),
        table(
            &[
                "Incident",
                "Occurred",
                "Victims' States",
                "Kinds",
                "Intensity",
                "TLP"
            ],
            &rows,
            "No incident dated in this period."
        )
    );

    // Caveats.
    if !b.trends.caveats.is_empty() {
        body.push_str(r#"<section class="card"><h2>Caveats</h2><ul class="muted">"#);
        for c in &b.trends.caveats {
            let _ = write!(body, "<li>{}</li>", esc(c));
        }
        body.push_str("</ul></section>");
    }
    body.push_str(r#"<link rel="stylesheet" href="/static/landscape.css">"#);
    body
}

/// The dashboard's stylesheet (charts and figure lists), beside `app.css`.
pub(crate) const CSS: &str = include_str!("landscape.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_period_is_the_last_closed_quarter_with_data() {
        let quarters: BTreeSet<(i32, u8)> = [(2023, 2), (2024, 1), (2024, 4)].into();
        // On 2024-11-15 the last quarter of 2024 is still open.
        assert_eq!(
            default_period(&quarters, day_number(2024, 11, 15)).label,
            "2024-Q1"
        );
        assert_eq!(
            default_period(&quarters, day_number(2025, 1, 1)).label,
            "2024-Q4"
        );
        // Nothing closed yet: the latest with data.
        assert_eq!(
            default_period(&[(2030, 1)].into(), day_number(2024, 1, 1)).label,
            "2030-Q1"
        );
        assert_eq!(
            default_period(&BTreeSet::new(), day_number(2024, 5, 2)).label,
            "2024-Q1"
        );
    }

    #[test]
    fn a_range_needs_both_ends_and_bad_input_is_named() {
        let q = DashboardQuery {
            from: Some("2023-01-01".into()),
            to: Some("2023-02-15".into()),
            ..DashboardQuery::default()
        };
        let c = q.choice();
        assert_eq!(c.period.unwrap().label, "2023-01-01..2023-02-15");
        let q = DashboardQuery {
            from: Some("2023-01-01".into()),
            period: Some("2023-Q9".into()),
            baseline: Some("sometimes".into()),
            ..DashboardQuery::default()
        };
        let c = q.choice();
        assert!(c.period.is_none() && c.baseline == Baseline::Previous);
        assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
    }
}
