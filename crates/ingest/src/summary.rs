//! What an ingest or validation found: per file, and for the whole run.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use threatscape_stix::reader::{Location, RawObject};

use crate::inputs::Skipped;

/// At most this many diagnostics of each kind are kept per file; the counts stay exact.
const KEEP_PER_FILE: usize = 200;

/// One finding, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file.
    pub file: String,
    /// The line (1-based) where the object or the problem starts, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The column (1-based, in bytes), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The JSON pointer in the file (`/objects/3/created`), when the problem is inside an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// A short stable code (`syntax`, `missing-property`, `repaired`, ...).
    pub code: String,
    /// What is wrong or what was done.
    pub message: String,
}

impl Diagnostic {
    /// A finding about the file as a whole.
    pub fn in_file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: path.display().to_string(),
            line: None,
            column: None,
            pointer: None,
            code: "file".into(),
            message: message.into(),
        }
    }

    /// A finding at a location in the file.
    pub fn located(
        path: &Path,
        at: Location,
        pointer: Option<String>,
        code: &str,
        message: &str,
    ) -> Self {
        Diagnostic {
            file: path.display().to_string(),
            line: Some(at.line),
            column: Some(at.column),
            pointer,
            code: code.into(),
            message: message.into(),
        }
    }

    /// A finding about a record located by its adapter (`line 12`, or a JSON pointer).
    pub fn record(file: &str, locator: &str, code: &str, message: &str) -> Self {
        let line = locator
            .strip_prefix("line ")
            .and_then(|n| n.trim().parse().ok());
        Diagnostic {
            file: file.to_string(),
            line,
            column: None,
            pointer: if line.is_none() {
                Some(locator.to_string())
            } else {
                None
            },
            code: code.into(),
            message: message.into(),
        }
    }

    /// A finding inside an object: located at the object's start, pointing into it.
    pub fn at(
        path: &Path,
        raw: &RawObject,
        pointer_in_object: &str,
        code: &str,
        message: &str,
    ) -> Self {
        Self::located(
            path,
            raw.start,
            Some(format!("{}{}", raw.pointer, pointer_in_object)),
            code,
            message,
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(pointer) = &self.pointer {
            if !pointer.is_empty() {
                write!(f, " {pointer}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A reference to an object that is neither in the same file nor in the store (a dangling
/// reference): where it is, which object makes it, through which property, and the id missing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DanglingRef {
    /// The file.
    pub file: String,
    /// The line (1-based) where the referring object starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Its column (1-based, in bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The JSON pointer of the reference in the file (`/objects/3/object_refs/2`).
    pub pointer: String,
    /// The id of the referring object.
    pub object: String,
    /// The property holding the reference (`object_refs`, `source_ref`, `marking_ref`, `extensions`).
    pub property: String,
    /// The id referred to, found neither in the file nor in the store.
    pub missing: String,
}

impl DanglingRef {
    /// The reference in words, without its place.
    pub fn what(&self) -> String {
        format!(
            "{} `{}` ({}) refers to {}, which is neither in this file nor in the store",
            self.object, self.property, self.pointer, self.missing
        )
    }
}

impl fmt::Display for DanglingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.what())
    }
}

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Still being processed.
    Pending,
    /// Its valid objects are in the store (or, when validating, it is valid).
    Stored,
    /// Nothing of it was kept (or, when validating, it is invalid).
    Rejected,
}

/// The outcome for one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSummary {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// What became of it.
    pub status: FileStatus,
    /// The adapter that read it (`stix`, `misp`, `eurepoc`, ...), once known.
    pub format: Option<&'static str>,
    /// Records (tracker rows, MISP events, STIX incidents/campaigns/reports) read by the adapter.
    pub records_read: u64,
    /// Records taken as reports.
    pub records_accepted: u64,
    /// Records taken after a repair.
    pub records_repaired: u64,
    /// Records not taken (each listed with its place and reason).
    pub records_rejected: u64,
    /// Reports stored for the first time (or as a new version).
    pub records_new: u64,
    /// Reports already stored, identical.
    pub records_unchanged: u64,
    /// Reports accepted, by adapter.
    pub by_format: BTreeMap<String, u64>,
    /// STIX objects read.
    pub objects: u64,
    /// Objects accepted, by STIX type.
    pub by_type: BTreeMap<String, u64>,
    /// Versions stored for the first time.
    pub new: u64,
    /// Versions already stored, identical.
    pub unchanged: u64,
    /// Objects upgraded from STIX 2.0.
    pub upgraded: u64,
    /// Objects repaired.
    pub repaired: u64,
    /// Objects kept although a value in them breaks a MUST rule (flagged; export withholds them).
    pub kept_with_errors: u64,
    /// Objects not kept.
    pub rejected: u64,
    /// Warnings (SHOULD rules), counted.
    pub warnings: u64,
    /// Why the whole file was refused, when it was.
    pub fatal: Option<Diagnostic>,
    /// Errors (first ones kept).
    pub errors: Vec<Diagnostic>,
    /// Errors in all, including those not kept.
    pub error_count: u64,
    /// Repairs (first ones kept).
    pub repairs: Vec<Diagnostic>,
    /// Warnings (first ones kept).
    pub warning_list: Vec<Diagnostic>,
    /// References to objects neither in this file nor in the store, counted.
    pub dangling_refs: u64,
    /// Those references (first ones kept).
    pub dangling: Vec<DanglingRef>,
    /// How many of them name each missing id (all of them, for resolving across files).
    #[serde(skip)]
    pub(crate) missing: BTreeMap<String, u64>,
}

impl FileSummary {
    pub(crate) fn new(path: &Path) -> Self {
        FileSummary {
            path: path.display().to_string(),
            bytes: 0,
            status: FileStatus::Pending,
            format: None,
            records_read: 0,
            records_accepted: 0,
            records_repaired: 0,
            records_rejected: 0,
            records_new: 0,
            records_unchanged: 0,
            by_format: BTreeMap::new(),
            objects: 0,
            by_type: BTreeMap::new(),
            new: 0,
            unchanged: 0,
            upgraded: 0,
            repaired: 0,
            kept_with_errors: 0,
            rejected: 0,
            warnings: 0,
            fatal: None,
            errors: Vec::new(),
            error_count: 0,
            repairs: Vec::new(),
            warning_list: Vec::new(),
            dangling_refs: 0,
            dangling: Vec::new(),
            missing: BTreeMap::new(),
        }
    }

    pub(crate) fn dangling(&mut self, r: DanglingRef) {
        self.dangling_refs += 1;
        *self.missing.entry(r.missing.clone()).or_default() += 1;
        if self.dangling.len() < KEEP_PER_FILE {
            self.dangling.push(r);
        }
    }

    pub(crate) fn fatal(&mut self, d: Diagnostic) {
        self.error_count += 1;
        self.fatal = Some(d);
    }

    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.error_count += 1;
        if self.errors.len() < KEEP_PER_FILE {
            self.errors.push(d);
        }
    }

    pub(crate) fn warning(&mut self, d: Diagnostic) {
        self.warnings += 1;
        if self.warning_list.len() < KEEP_PER_FILE {
            self.warning_list.push(d);
        }
    }

    pub(crate) fn repair(&mut self, d: Diagnostic) {
        if self.repairs.len() < KEEP_PER_FILE {
            self.repairs.push(d);
        }
    }

    /// Every error of the file, the fatal one first.
    pub fn all_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.fatal.iter().chain(self.errors.iter())
    }
}

/// Counts of reports over a run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReportCounts {
    /// Records read by the adapters.
    pub read: u64,
    /// Records taken as reports.
    pub accepted: u64,
    /// Records taken after a repair.
    pub repaired: u64,
    /// Records not taken.
    pub rejected: u64,
    /// Reports stored for the first time.
    pub new: u64,
    /// Reports already stored.
    pub unchanged: u64,
    /// Reports accepted, by adapter.
    pub by_format: BTreeMap<String, u64>,
}

/// The outcome of a whole run, in the shape `ingest --json` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// Files read.
    pub files: u64,
    /// Files rejected whole.
    pub files_rejected: u64,
    /// Objects read.
    pub objects: u64,
    /// Objects accepted, by type.
    pub by_type: BTreeMap<String, u64>,
    /// Versions stored for the first time.
    pub new: u64,
    /// Versions already stored.
    pub unchanged: u64,
    /// Objects upgraded from STIX 2.0.
    pub upgraded: u64,
    /// Objects repaired.
    pub repaired: u64,
    /// Objects kept although a value in them breaks a MUST rule (flagged; export withholds them).
    pub kept_with_errors: u64,
    /// Objects not kept.
    pub rejected: u64,
    /// Warnings.
    pub warnings: u64,
    /// References to objects neither in their file nor in the store (see `dangling`).
    pub dangling_refs: u64,
    /// Reports (accounts of incidents) read by the adapters: read, accepted, repaired, rejected,
    /// new, unchanged, and accepted by adapter.
    pub reports: ReportCounts,
    /// Errors: fatal file errors and object errors (the first ones of each file).
    pub errors: Vec<Diagnostic>,
    /// Repairs made (the first ones of each file).
    pub repairs: Vec<Diagnostic>,
    /// Dangling references (the first ones of each file).
    pub dangling: Vec<DanglingRef>,
    /// Paths given or found that were not read, and why.
    pub skipped: Vec<Skipped>,
    /// Per file.
    pub per_file: Vec<FileSummary>,
}

impl Summary {
    pub(crate) fn new(skipped: &[Skipped]) -> Self {
        Summary {
            files: 0,
            files_rejected: 0,
            objects: 0,
            by_type: BTreeMap::new(),
            new: 0,
            unchanged: 0,
            upgraded: 0,
            repaired: 0,
            kept_with_errors: 0,
            rejected: 0,
            warnings: 0,
            dangling_refs: 0,
            reports: ReportCounts::default(),
            errors: Vec::new(),
            repairs: Vec::new(),
            dangling: Vec::new(),
            skipped: skipped.to_vec(),
            per_file: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, file: FileSummary) {
        self.files += 1;
        if file.status == FileStatus::Rejected {
            self.files_rejected += 1;
        }
        self.objects += file.objects;
        for (t, n) in &file.by_type {
            *self.by_type.entry(t.clone()).or_default() += n;
        }
        self.new += file.new;
        self.unchanged += file.unchanged;
        self.upgraded += file.upgraded;
        self.repaired += file.repaired;
        self.kept_with_errors += file.kept_with_errors;
        self.rejected += file.rejected;
        self.warnings += file.warnings;
        self.dangling_refs += file.dangling_refs;
        self.dangling.extend(file.dangling.iter().cloned());
        self.reports.read += file.records_read;
        self.reports.accepted += file.records_accepted;
        self.reports.repaired += file.records_repaired;
        self.reports.rejected += file.records_rejected;
        self.reports.new += file.records_new;
        self.reports.unchanged += file.records_unchanged;
        for (f, n) in &file.by_format {
            *self.reports.by_format.entry(f.clone()).or_default() += n;
        }
        self.errors.extend(file.all_errors().cloned());
        self.repairs.extend(file.repairs.iter().cloned());
        self.per_file.push(file);
    }

    /// True when every file asked for was read and none was rejected whole. Records rejected
    /// inside a kept file (with `--skip-invalid-objects`, or rows of a tracker) are reported in
    /// `errors` but do not make the run fail.
    pub fn all_files_kept(&self) -> bool {
        self.files_rejected == 0 && self.files > 0 && !self.skipped.iter().any(|s| s.problem)
    }
}
