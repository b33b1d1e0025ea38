//! The dashboard and the briefings pages over the demo data (examples/demo-incidents.json, all
//! TLP:CLEAR, and examples/demo-restricted.json, fictional AMBER and RED contributions) ingested
//! into a fresh store: counts per period at two clearances, nothing restricted shown to a GREEN
//! reader or put in a public briefing, editions recorded in their stream and served in every
//! format.

use std::path::{Path, PathBuf};

use threatscape_model::Tlp;
use threatscape_server::{auth, AppState, Role};
use threatscape_store::{NewRun, Store};

use super::web::{call, csrf_of, sign_in};
use super::PW;

/// Words found only in the fictional restricted contributions.
const RESTRICTED_WORDS: [&str; 3] = ["FICTIONAL", "Example Central Hospital", "Example Satellite"];

struct Demo {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn ingest(store: &mut dyn Store, file: &str, contributor: Option<&str>) {
    let options = threatscape_ingest::Options {
        run: NewRun {
            contributor: contributor.map(str::to_string),
            actor: "test".into(),
            ..NewRun::default()
        },
        ..threatscape_ingest::Options::default()
    };
    let inputs = threatscape_ingest::collect_inputs(&[examples().join(file)]);
    let summary = threatscape_ingest::ingest(store, &inputs, &options, &mut |_| {}).unwrap();
    assert!(summary.all_files_kept(), "{file} did not ingest cleanly");
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    for (name, role, tlp) in [
        ("reader", Role::Reader, Tlp::Green),
        ("analyst", Role::Analyst, Tlp::Amber),
    ] {
        auth::create_user(&mut *store, name, "Secretariat", role, tlp, PW).unwrap();
    }
    ingest(&mut *store, "demo-incidents.json", None);
    ingest(
        &mut *store,
        "demo-restricted.json",
        Some("Example Ministry"),
    );
    Demo {
        state: AppState::new(&db).unwrap(),
        db,
        _dir: dir,
    }
}

/// The first headline number of the dashboard (incidents in the period).
fn incidents_in_period(body: &str) -> usize {
    let at = body
        .find(r#"<span class="tile-num">"#)
        .expect("a headline tile")
        + 23;
    body[at..].split('<').next().unwrap().parse().unwrap()
}

/// Public demo incidents whose first day (`first_seen`, at day or month precision) falls in
/// `year`, counted from the source table the demo bundle is built from.
fn public_incidents_in(year: &str) -> usize {
    let table = std::fs::read_to_string(examples().join("incidents.toml")).unwrap();
    let mut count = 0;
    let mut first_seen = None;
    for line in table.lines().chain(["[[incident]]"]) {
        if line.starts_with("[[") {
            if first_seen
                .take()
                .is_some_and(|d: String| d.starts_with(year))
            {
                count += 1;
            }
        } else if let Some(v) = line.strip_prefix("first_seen = ") {
            first_seen = Some(v.trim_matches('"').to_string());
        }
    }
    count
}

/// Incidents of the reconciled landscape whose earliest occurrence date among the reports
/// released at `max` starts with one of `prefixes` (counted here without the briefing code).
fn reconciled_in(db: &str, max: Tlp, prefixes: &[&str]) -> usize {
    let store = threatscape_store::open(db).unwrap();
    let l = threatscape_landscape::Landscape::load(
        &*store,
        &threatscape_reconcile::Reconciler::default(),
    )
    .unwrap();
    (0..l.incidents().len())
        .filter(|&i| {
            l.released(i, max)
                .iter()
                .filter_map(|r| r.occurred.as_ref().map(|o| o.start.to_string()))
                .min()
                .is_some_and(|d| prefixes.iter().any(|p| d.starts_with(p)))
        })
        .count()
}

#[tokio::test]
async fn the_dashboard_counts_the_period_at_each_clearance() {
    let d = demo();
    let st = &d.state;
    let reader = sign_in(st, "reader", PW).await.ok().unwrap();
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();

    // The demo's restricted incidents are in 2025-Q4, where it has no public one.
    let r = call(st, "GET", "/?period=2025-Q4", &reader, "").await;
    assert_eq!(r.status, 200);
    assert_eq!(incidents_in_period(&r.body), 0, "{}", r.body);
    for w in RESTRICTED_WORDS {
        assert!(!r.body.contains(w), "a GREEN reader sees {w:?}");
    }
    let a = call(st, "GET", "/?period=2025-Q4", &analyst, "").await;
    assert_eq!(a.status, 200);
    const Q4: [&str; 3] = ["2025-10", "2025-11", "2025-12"];
    let amber_in_q4 = reconciled_in(&d.db, Tlp::Amber, &Q4);
    assert_eq!(reconciled_in(&d.db, Tlp::Green, &Q4), 0);
    assert!(amber_in_q4 >= 1);
    assert_eq!(incidents_in_period(&a.body), amber_in_q4, "{}", a.body);
    assert!(a.body.contains("Example Central Hospital"));
    assert!(a.body.contains("/incident?key="));
    // The analyst's view held AMBER material: recorded as a restricted read; the reader's not.
    let audit = threatscape_store::open(&d.db)
        .unwrap()
        .recent_audit(50)
        .unwrap();
    let views: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "read-restricted" && e.detail["view"] == "dashboard")
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(views, ["analyst"], "{audit:?}");

    // A year of public incidents: the same count at both clearances, at least the source
    // table's (a report of another incident that cites a 2017 event can date its incident then).
    let expected = reconciled_in(&d.db, Tlp::Amber, &["2017-"]);
    assert!(expected >= public_incidents_in("2017") && expected >= 3);
    for cookie in [&reader, &analyst] {
        let r = call(st, "GET", "/?period=2017&baseline=year-ago", cookie, "").await;
        assert_eq!(r.status, 200);
        assert_eq!(incidents_in_period(&r.body), expected);
        // The charts and the map are drawn.
        assert!(r.body.matches("<svg").count() >= 4, "charts missing");
    }

    // The default period is the last closed quarter with data the reader can see.
    let r = call(st, "GET", "/", &reader, "").await;
    assert!(r
        .body
        .contains(r#"name="period" list="ls-quarters" value="2025-Q3""#));
    let a = call(st, "GET", "/", &analyst, "").await;
    assert!(a
        .body
        .contains(r#"name="period" list="ls-quarters" value="2025-Q4""#));

    // A range, and input that cannot be read is named rather than ignored.
    let r = call(st, "GET", "/?from=2017-01-01&to=2017-12-31", &reader, "").await;
    assert_eq!(incidents_in_period(&r.body), expected);
    let r = call(st, "GET", "/?period=2017-Q7", &reader, "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("notice error") && r.body.contains("quarter"));
    // The store statistics stay reachable.
    assert_eq!(call(st, "GET", "/store", &reader, "").await.status, 200);
}

#[tokio::test]
async fn a_public_briefing_holds_nothing_restricted_and_is_recorded() {
    let d = demo();
    let st = &d.state;
    let reader = sign_in(st, "reader", PW).await.ok().unwrap();
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();

    let page = call(st, "GET", "/briefings", &analyst, "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"value="restricted""#));
    let csrf = csrf_of(&page.body);
    // A reader may not generate; nobody may without the session's token.
    let form = "period=2025-Q4&baseline=previous&audience=public";
    let reader_csrf = csrf_of(&call(st, "GET", "/briefings", &reader, "").await.body);
    let r = call(
        st,
        "POST",
        "/briefings",
        &reader,
        &format!("csrf={reader_csrf}&{form}"),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        call(st, "POST", "/briefings", &analyst, form).await.status,
        403
    );

    let r = call(
        st,
        "POST",
        "/briefings",
        &analyst,
        &format!("csrf={csrf}&{form}"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.location.unwrap();
    assert_eq!(at, "/briefings/1");
    let view = call(st, "GET", &at, &reader, "").await;
    assert_eq!(view.status, 200);
    assert!(view.body.contains("TLP:CLEAR"));
    for format in ["html", "md", "json", "stix"] {
        let f = call(
            st,
            "GET",
            &format!("{at}/download?format={format}"),
            &reader,
            "",
        )
        .await;
        assert_eq!(f.status, 200, "{format}: {}", f.body);
        for w in RESTRICTED_WORDS {
            assert!(!f.body.contains(w), "the public {format} holds {w:?}");
        }
        assert!(!f.body.contains("TLP:AMBER") && !f.body.contains("\"AMBER\""));
    }
    let pdf = call(st, "GET", &format!("{at}/download?format=pdf"), &reader, "").await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF"));

    // A restricted edition: the analyst's, never shown to the GREEN reader.
    let r = call(
        st,
        "POST",
        "/briefings",
        &analyst,
        &format!("csrf={csrf}&period=2025-Q4&baseline=previous&audience=restricted"),
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/briefings/2"));
    let view = call(st, "GET", "/briefings/2", &analyst, "").await;
    assert!(view.body.contains("Example Central Hospital"));
    assert_eq!(
        call(st, "GET", "/briefings/2", &reader, "").await.status,
        404
    );
    let listed = call(st, "GET", "/briefings", &reader, "").await;
    assert!(listed.body.contains(r#"href="/briefings/1""#));
    assert!(!listed.body.contains(r#"href="/briefings/2""#));

    // The regular briefing is the Secretariat's and administrators' to set.
    let r = call(
        st,
        "POST",
        "/briefings/schedule",
        &analyst,
        &format!("csrf={csrf}&cadence=quarterly&audience=public&baseline=previous"),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(listed.body.contains("No regular briefing is scheduled."));

    // Both editions are in the stream with what went into them; generating is audited.
    let store = threatscape_store::open(&d.db).unwrap();
    let editions = store.read_stream("briefing-editions", 0).unwrap();
    assert_eq!(editions.len(), 2);
    let first = &editions[0].body;
    assert_eq!(
        (first["period"].as_str(), first["audience"].as_str()),
        (Some("2025-Q4"), Some("public"))
    );
    assert_eq!(first["requested_by"], "analyst");
    assert_eq!(first["reports_digest"].as_str().unwrap().len(), 64);
    assert!(first["store_marker"]["reports"].as_i64().unwrap() > 0);
    assert_eq!(first["briefing"]["highest_tlp_used"], "CLEAR");
    assert_eq!(editions[1].body["briefing"]["highest_tlp_used"], "AMBER");
    let audit = store.recent_audit(20).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "brief" && e.subject == "briefing-editions#1"));
    assert!(audit
        .iter()
        .any(|e| e.action == "read-restricted" && e.subject == "briefing-editions#2"));

    // An edition reads the same later: its JSON is the recorded briefing, byte for byte.
    let again = call(st, "GET", "/briefings/1/download?format=json", &reader, "").await;
    let once = call(st, "GET", "/briefings/1/download?format=json", &analyst, "").await;
    assert_eq!(again.body, once.body);
    let stix1 = call(st, "GET", "/briefings/1/download?format=stix", &reader, "").await;
    let stix2 = call(st, "GET", "/briefings/1/download?format=stix", &reader, "").await;
    assert_eq!(stix1.body, stix2.body);
}

/// e2e/briefings.mjs in Debian's Chromium: the dashboard and a briefing render without console
/// errors; screenshots in target/screenshots/.
#[test]
fn dashboard_and_briefing_in_chromium() {
    let d = demo();
    let Some(super::browser::Run { stdout, shots }) = super::browser::run(
        &d.state,
        "briefings.mjs",
        "the briefings browser test",
        "screenshots",
        &[],
    ) else {
        return;
    };
    assert!(stdout.contains("briefings e2e: OK"));
    assert!(shots.join("dashboard-2017.png").exists());
}
