//! Runs an e2e/ script (Playwright driving Debian's Chromium) against a server on `state`: one
//! place for the tool checks, the loopback server and the script's environment.

use std::path::PathBuf;

use threatscape_server::AppState;

use super::PW;

/// What one script run gave: its standard output and the folder its screenshots went to.
pub(crate) struct Run {
    pub(crate) stdout: String,
    pub(crate) shots: PathBuf,
}

/// Serves `state` on a free loopback port and runs `e2e/<script>` with `BASE_URL`, `PASSWORD`,
/// `SHOTS` (`target/<shots>`) and `env`; asserts it exited successfully. `None`, after reporting
/// the skip (a failure under THREATSCAPE_REQUIRE_ALL=1), when node, Chromium or playwright-core
/// is missing.
pub(crate) fn run(
    state: &AppState,
    script: &str,
    what: &str,
    shots: &str,
    env: &[(&str, &str)],
) -> Option<Run> {
    let root = threatscape_testkit::workspace_root();
    let e2e = root.join("e2e");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        threatscape_testkit::skip(what, "node is not installed");
        return None;
    }
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        threatscape_testkit::skip(
            what,
            "/usr/bin/chromium is missing (apt-get install chromium; .ci/run does it)",
        );
        return None;
    }
    if !e2e.join("node_modules/playwright-core").exists() {
        threatscape_testkit::skip(
            what,
            "playwright-core is not installed (npm ci in e2e/; .ci/run does it)",
        );
        return None;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(threatscape_server::serve_on(state.clone(), listener));
    let shots = root.join("target").join(shots);
    std::fs::create_dir_all(&shots).unwrap();
    let out = std::process::Command::new("node")
        .arg(e2e.join(script))
        .current_dir(&e2e)
        .env("BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("PASSWORD", PW)
        .env("SHOTS", &shots)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed");
    Some(Run { stdout, shots })
}
