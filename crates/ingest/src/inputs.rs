//! Turning the paths a user gives into the list of files to read.

use std::path::{Path, PathBuf};

/// File name endings read when walking a folder; files named explicitly are always read.
const READ_IN_FOLDERS: [&str; 4] = ["json", "jsonl", "ndjson", "stix"];

/// A path that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The path.
    pub path: String,
    /// Why it was not read.
    pub reason: String,
    /// True when the path was asked for and could not be read (a problem), false when a folder
    /// simply held a file that is not input (a note).
    pub problem: bool,
}

/// The files to read, in a stable order, and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files to read.
    pub files: Vec<PathBuf>,
    /// Paths not read, each with its reason (nothing is left out silently).
    pub skipped: Vec<Skipped>,
}

/// Expands files and folders (recursively, sorted) into [`Inputs`].
pub fn collect_inputs(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut inputs);
        } else if path.exists() {
            inputs.files.push(path.clone());
        } else {
            inputs.skipped.push(Skipped {
                path: path.display().to_string(),
                reason: "does not exist".into(),
                problem: true,
            });
        }
    }
    inputs
}

fn walk(dir: &Path, inputs: &mut Inputs) {
    let mut entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect::<Vec<_>>(),
        Err(e) => {
            inputs.skipped.push(Skipped {
                path: dir.display().to_string(),
                reason: format!("cannot list the folder: {e}"),
                problem: true,
            });
            return;
        }
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, inputs);
            continue;
        }
        let readable = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| READ_IN_FOLDERS.contains(&e.to_ascii_lowercase().as_str()));
        if readable {
            inputs.files.push(path);
        } else {
            inputs.skipped.push(Skipped {
                path: path.display().to_string(),
                reason: format!(
                    "not a {} file (name it on the command line to read it anyway)",
                    READ_IN_FOLDERS.join("/")
                ),
                problem: false,
            });
        }
    }
}
