//! The incident list and page, and the administration page: filters, contested attributions,
//! TLP on incidents, stored markup rendered inert, CSRF on the token form, admin-only access.

use serde_json::json;
use threatscape_model::{Report, Tlp};
use threatscape_server::{auth, AppState, Role};
use threatscape_store::AuditEntry;

use super::web::{call, csrf_of, enc, report, sign_in, write_reports};
use super::PW;

const SCRIPT: &str = "<script>window.__xss=1</script>";

/// A report with a victim, kind and an attribution, in the fixture's shape.
fn account(title: &str, tlp: Tlp, n: u32, country: &str, actor: &str, by: &str) -> Report {
    let mut v = serde_json::to_value(report(title, tlp, "native", "member-state", n)).unwrap();
    v["victims"] =
        json!([{"name": "Port authority", "country": country, "sectors": ["Transport"]}]);
    v["kinds"] = json!(["wiper"]);
    v["attributions"] = json!([{"actor": {"name": actor}, "attributed_by": by,
                                "attributor_kind": "state", "basis": format!("{by}'s statement {SCRIPT}")}]);
    serde_json::from_value(v).unwrap()
}

struct Site {
    _dir: tempfile::TempDir,
    db: String,
    state: AppState,
    linked: String,
    amber: String,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut store = threatscape_store::open(&db).unwrap();
    for (name, role, tlp) in [
        ("reader", Role::Reader, Tlp::Green),
        ("analyst", Role::Analyst, Tlp::Amber),
        ("admin", Role::Admin, Tlp::Red),
    ] {
        auth::create_user(&mut *store, name, "CERT-A", role, tlp, PW).unwrap();
    }
    let a = account(
        &format!("Wiper at the port {SCRIPT}"),
        Tlp::Clear,
        1,
        "UKR",
        "Sandworm",
        "Government A",
    );
    let b = account(
        "Port authority systems erased",
        Tlp::Green,
        2,
        "UKR",
        "Cyber Army",
        "Government B",
    );
    let c = account(
        "Quietfalcon espionage against ministry",
        Tlp::Amber,
        3,
        "FRA",
        "Quietfalcon",
        "Company C",
    );
    let (linked, amber) = (a.key(), c.key());
    // The analysts' decision joins the two accounts of the wiper, as `threatscape reconcile link`.
    store
        .audit(&AuditEntry {
            actor: "analyst".into(),
            action: "reconcile-decision".into(),
            subject: format!("{} {}", a.key(), b.key()),
            detail: json!({"decision": {"decision": "link", "a": a.key(), "b": b.key()}, "reason": "same event"}),
        })
        .unwrap();
    write_reports(&mut *store, vec![a, b, c]);
    Site {
        state: AppState::new(&db).unwrap(),
        db,
        _dir: dir,
        linked,
        amber,
    }
}

#[tokio::test]
async fn incidents_list_filters_and_page_with_contested_attribution() {
    let s = site();
    let st = &s.state;
    let reader = sign_in(st, "reader", PW).await.ok().unwrap();
    let list = call(st, "GET", "/incidents", &reader, "").await;
    assert_eq!(list.status, 200);
    // The two accounts of the wiper are one incident (the analyst linked them).
    assert!(list.body.contains("1 incident ·"), "{}", list.body);
    assert!(
        !list.body.contains("Quietfalcon"),
        "AMBER incident shown to a GREEN reader"
    );
    assert!(!list.body.contains(SCRIPT) && list.body.contains("&lt;script&gt;"));
    for (query, count) in [
        ("country=UKR", 1),
        ("country=FRA", 0),
        ("actor=sandworm", 1),
        ("q=erased", 1),
        ("q=nothing+like+this", 0),
        ("tlp=GREEN", 1),
        ("tlp=CLEAR", 0),
        ("type=member-state", 1),
        ("type=media", 0),
        ("from=2024-03&to=2024-03", 1),
        ("from=2025", 0),
        ("to=2023", 0),
    ] {
        let r = call(st, "GET", &format!("/incidents?{query}"), &reader, "").await;
        assert_eq!(r.status, 200, "{query}");
        assert!(
            r.body.contains(&format!(
                "{count} incident{} ·",
                if count == 1 { "" } else { "s" }
            )),
            "{query}: expected {count}: {}",
            r.body
        );
    }

    let page = call(
        st,
        "GET",
        &format!("/incident?key={}", enc(&s.linked)),
        &reader,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Contested"), "{body}");
    assert!(body.contains("Sandworm") && body.contains("Cyber Army"));
    assert!(body.contains("Government B") && body.contains("TLP:GREEN"));
    assert!(
        body.contains("analyst"),
        "the merge shows the analyst's rule: {body}"
    );
    assert!(body.contains("fixture.csv"), "provenance is shown");
    assert!(
        !body.contains(SCRIPT) && !body.contains("<script>"),
        "{body}"
    );

    // An AMBER incident does not exist for a GREEN reader; an AMBER analyst sees it.
    let amber = format!("/incident?key={}", enc(&s.amber));
    assert_eq!(call(st, "GET", &amber, &reader, "").await.status, 404);
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    let r = call(st, "GET", &amber, &analyst, "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Quietfalcon"));
    assert_eq!(
        call(st, "GET", "/incident?key=nope", &analyst, "")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_rest_api_lists_incidents_with_the_same_filters() {
    let s = site();
    let mut store = threatscape_store::open(&s.db).unwrap();
    let green = auth::create_token(&mut *store, "reader", "t").unwrap();
    let amber = auth::create_token(&mut *store, "analyst", "t").unwrap();
    let get = |token: String, uri: &'static str| {
        let app = threatscape_server::router(s.state.clone());
        async move {
            let resp = tower::ServiceExt::oneshot(
                app,
                axum::http::Request::get(uri)
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }
    };
    let (status, all) = get(green.clone(), "/api/v1/incidents").await;
    assert_eq!(status, 200);
    let results = all["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{all}");
    assert_eq!(results[0]["reports"].as_array().unwrap().len(), 2, "{all}");
    assert!(!all.to_string().contains("Quietfalcon"));
    let (_, none) = get(green.clone(), "/api/v1/incidents?country=FRA").await;
    assert_eq!(none["results"], json!([]));
    let (_, amber_list) = get(amber.clone(), "/api/v1/incidents?country=FRA").await;
    assert_eq!(amber_list["results"][0]["key"], s.amber, "{amber_list}");
    let (_, paged) = get(amber, "/api/v1/incidents?limit=1").await;
    assert_eq!(paged["results"].as_array().unwrap().len(), 1);
    assert_eq!(paged["next_cursor"], "1");
    assert_eq!(get(green, "/api/v1/incidents?cursor=x").await.0, 400);
}

#[tokio::test]
async fn admin_lists_users_and_issues_tokens_behind_csrf() {
    let s = site();
    let st = &s.state;
    let analyst = sign_in(st, "analyst", PW).await.ok().unwrap();
    assert_eq!(call(st, "GET", "/admin", &analyst, "").await.status, 403);
    let admin = sign_in(st, "admin", PW).await.ok().unwrap();
    let page = call(st, "GET", "/admin", &admin, "").await;
    assert_eq!(page.status, 200);
    for name in ["reader", "analyst", "admin"] {
        assert!(page.body.contains(&format!("<td>{name}</td>")), "{name}");
    }
    assert!(page.body.contains("TLP:RED"));
    assert!(!page.body.contains("<td>secretariat</td>"), "no such user");
    assert!(
        !page.body.contains("$argon2"),
        "password hashes never shown"
    );
    // Without or with a wrong token the form is refused, and no token is issued.
    for form in ["user=reader&label=x", "csrf=forged&user=reader&label=x"] {
        assert_eq!(
            call(st, "POST", "/admin/tokens", &admin, form).await.status,
            403
        );
    }
    let csrf = csrf_of(&page.body);
    // The form token belongs to the admin's session: another session cannot use it.
    let r = call(
        st,
        "POST",
        "/admin/tokens",
        &analyst,
        &format!("csrf={csrf}&user=reader&label=x"),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = call(
        st,
        "POST",
        "/admin/tokens",
        &admin,
        &format!("csrf={csrf}&user=reader&label=nightly+pull+%3Cb%3E"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let open = r#"<code class="secret">"#;
    let at = r.body.find(open).unwrap() + open.len();
    let secret = r.body[at..].split('<').next().unwrap();
    assert!(secret.starts_with("ts_"));
    assert!(r.body.contains("nightly pull &lt;b&gt;"));
    // The token works on the API, as the reader.
    let resp = tower::ServiceExt::oneshot(
        threatscape_server::router(st.clone()),
        axum::http::Request::get("/api/v1/stats")
            .header("authorization", format!("Bearer {secret}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    // And the page lists it, without its secret.
    let page = call(st, "GET", "/admin", &admin, "").await;
    assert!(page.body.contains("nightly pull") && !page.body.contains(secret));

    // Revoked, it stops working at once.
    let stats = |secret: String| {
        let st = st.clone();
        async move {
            tower::ServiceExt::oneshot(
                threatscape_server::router(st),
                axum::http::Request::get("/api/v1/stats")
                    .header("authorization", format!("Bearer {secret}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
            .status()
        }
    };
    let digest = threatscape_model::sha256_hex(secret.as_bytes());
    let r = call(
        st,
        "POST",
        "/admin/tokens/revoke",
        &admin,
        &format!("csrf={csrf}&user=reader&sha256={digest}"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(stats(secret.to_string()).await, 401, "a revoked token");
    let r = call(
        st,
        "POST",
        "/admin/tokens/revoke",
        &admin,
        &format!("csrf={csrf}&user=reader&sha256={digest}"),
    )
    .await;
    assert_eq!(r.status, 422, "revoked once");
}

#[tokio::test]
async fn admins_register_organisations_create_users_and_change_their_access() {
    let s = site();
    let st = &s.state;
    let admin = sign_in(st, "admin", PW).await.ok().unwrap();
    let csrf = csrf_of(&call(st, "GET", "/admin", &admin, "").await.body);
    let post = |uri: &'static str, form: String| {
        let admin = admin.clone();
        async move { call(st, "POST", uri, &admin, &form).await }
    };
    // The registry: a name and a contributor type; a bad type is refused with the reason.
    let r = post(
        "/admin/organisations",
        format!("csrf={csrf}&name=UNODA&contributor_type=army"),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("not a contributor type"), "{}", r.body);
    let r = post(
        "/admin/organisations",
        format!("csrf={csrf}&name=UNODA&contributor_type=un-system"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("<td>UNODA</td><td>un-system</td>"),
        "{}",
        r.body
    );
    // A new user of it: a short password is refused, then the user is created and signs in.
    let form = |password: &str| {
        format!("csrf={csrf}&name=dana&organisation=UNODA&role=contributor&clearance=GREEN&password={password}")
    };
    let r = post("/admin/users", form("short")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("12 characters"), "{}", r.body);
    let r = post("/admin/users", form("a-long-enough-password")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let dana = sign_in(st, "dana", "a-long-enough-password")
        .await
        .ok()
        .unwrap();
    // Her contribution form preselects her organisation's registered type.
    let page = call(st, "GET", "/contribute", &dana, "").await;
    assert!(
        page.body.contains(r#"<option value="un-system" selected>"#),
        "{}",
        page.body
    );
    assert_eq!(call(st, "GET", "/admin", &dana, "").await.status, 403);
    // Made an admin, her open session has the role at its next request.
    let r = post(
        "/admin/access",
        format!("csrf={csrf}&user=dana&role=admin&clearance=AMBER"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(call(st, "GET", "/admin", &dana, "").await.status, 200);
    // An admin cannot demote themself; the forms need the admin's CSRF token.
    let r = post(
        "/admin/access",
        format!("csrf={csrf}&user=admin&role=reader&clearance=CLEAR"),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        st,
        "POST",
        "/admin/users",
        &admin,
        "csrf=forged&name=eve&organisation=X&role=admin&clearance=RED&password=a-long-enough-password",
    )
    .await;
    assert_eq!(r.status, 403);
    // Every change is audited with the administrator as actor.
    let audit = threatscape_store::open(&s.db)
        .unwrap()
        .recent_audit(20)
        .unwrap();
    for action in ["register-organisation", "create-user", "change-access"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.actor == "admin"),
            "{action}: {audit:?}"
        );
    }
}
