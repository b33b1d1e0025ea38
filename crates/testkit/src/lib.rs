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

/// The shared data folder a measuring tool (an example, a script's helper) is pointed at: the
/// value after `--data` in `args`, else `data` under [`shared_dir`].
pub fn data_dir_from_args(args: &[String]) -> PathBuf {
    args.iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| shared_dir().join("data"))
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

/// A fresh PostgreSQL database for one test, dropped (with its connections) at the end. The server
/// is `THREATSCAPE_TEST_POSTGRES` (an admin URL), or the local one at 127.0.0.1:5432, database
/// `test`.
pub struct ScratchDatabase {
    admin: String,
    name: String,
}

impl ScratchDatabase {
    /// Creates the database; `None` (after reporting the skip of `what`, or failing under
    /// `THREATSCAPE_REQUIRE_ALL=1`) when no server answers.
    pub fn create(what: &str) -> Option<Self> {
        let admin = std::env::var("THREATSCAPE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                skip(
                    what,
                    &format!("no PostgreSQL server at {admin} ({e}); set THREATSCAPE_TEST_POSTGRES to an admin URL"),
                );
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "ts_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("creating the scratch database {name}: {e}"));
        Some(ScratchDatabase { admin, name })
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        let (base, _) = self
            .admin
            .rsplit_once('/')
            .expect("a PostgreSQL URL ends with its database");
        format!("{base}/{}", self.name)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
