//! Test support shared by every crate's tests.
//!
//! Tests that need something outside the repository (the real datasets in `../shared/data`, the peer
//! tools in `../shared/peers`, a PostgreSQL server) ask for it here. When it is missing they are
//! skipped with a message on stderr saying what and why, unless `THREATSCAPE_REQUIRE_ALL=1` is set
//! (as `.ci/run` does), in which case a missing dependency fails the test.

use std::path::{Path, PathBuf};

/// The variable that turns every skip into a failure.
pub const REQUIRE_ALL: &str = "THREATSCAPE_REQUIRE_ALL";

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    // This crate lives at <root>/crates/testkit.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("testkit sits two levels below the workspace root")
        .to_path_buf()
}

/// The shared folder beside the checkout (`<root>/../shared`), or `THREATSCAPE_SHARED` when set.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("THREATSCAPE_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("..").join("shared"),
    }
}

/// A path under `../shared/data`, or `None` (after reporting the skip) when it does not exist.
///
/// Use as `let Some(path) = threatscape_testkit::shared_data("mitre-attack/ics-attack-18.1.json") else { return };`
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    require(
        shared_dir().join("data").join(relative),
        "the shared dataset",
    )
}

/// A peer tool under `../shared/peers`, or `None` (after reporting the skip) when absent.
pub fn shared_peer(name: &str) -> Option<PathBuf> {
    require(shared_dir().join("peers").join(name), "the peer tool")
}

/// Reports a skip for a reason other than a missing path (e.g. no database server), or fails under
/// `THREATSCAPE_REQUIRE_ALL=1`.
pub fn skip(what: &str, why: &str) {
    if std::env::var(REQUIRE_ALL).as_deref() == Ok("1") {
        panic!("{what} is required ({REQUIRE_ALL}=1) but unavailable: {why}");
    }
    eprintln!("SKIPPED {what}: {why} (set {REQUIRE_ALL}=1 to make this a failure)");
}

fn require(path: PathBuf, kind: &str) -> Option<PathBuf> {
    if path.exists() {
        Some(path)
    } else {
        skip(
            &format!("test needing {kind} {}", path.display()),
            "it is not on this machine (a fresh clone has no ../shared)",
        );
        None
    }
}
