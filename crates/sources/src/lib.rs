//! Source adapters: each reads one kind of input into [`Report`]s, keeping every original record
//! verbatim, and accounts for every record it read (accepted, repaired or rejected, with the reason
//! and the place).
//!
//! Adapters are pure: they take a path (or bytes) and return an [`AdapterOutput`]; storing the
//! reports is the ingest crate's job, one transaction per file.

pub mod countries;
pub mod csv_util;
pub mod cfr;
pub mod cissm;
pub mod dcid;
pub mod eurepoc;
pub mod misp;
pub mod native;
pub mod stix_incidents;
pub mod veris;

use std::path::Path;

use threatscape_model::Report;

/// The formats with an adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// STIX 2.1 incidents, reports, campaigns and their relationships.
    Stix,
    /// MISP event JSON (one event, or a folder of feed events).
    Misp,
    /// EuRepoC Global Database CSV.
    Eurepoc,
    /// CFR Cyber Operations Tracker CSV.
    Cfr,
    /// CISSM Cyber Events Database CSV.
    Cissm,
    /// DCID 2.0 CSV.
    Dcid,
    /// VERIS (VCDB) incident JSON.
    Veris,
    /// The native contributor template, CSV or JSON.
    Native,
}

/// One finding about one record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordIssue {
    /// The file.
    pub file: String,
    /// Where: `line 12` (CSV, 1-based physical line where the record starts) or a JSON pointer.
    pub locator: String,
    /// What is wrong, or what was repaired.
    pub message: String,
}

/// What an adapter read from one file.
#[derive(Debug, Clone, Default)]
pub struct AdapterOutput {
    /// The reports read.
    pub reports: Vec<Report>,
    /// Records read (rows or events).
    pub read: u64,
    /// Records accepted (= reports.len(); a record may also have been repaired).
    pub accepted: u64,
    /// Records accepted after a repair (each repair is in `repairs`).
    pub repaired: u64,
    /// Records rejected (each with its reason in `rejections`).
    pub rejected: u64,
    /// Why each rejected record was rejected.
    pub rejections: Vec<RecordIssue>,
    /// What was repaired, record by record.
    pub repairs: Vec<RecordIssue>,
}

/// An error that stops a whole file (unreadable, not the expected format).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not in the expected format.
    #[error("{file}: {message}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong, with the place when known.
        message: String,
    },
}

/// Reads one file with the adapter for `format`.
pub fn read_file(format: SourceFormat, path: &Path) -> Result<AdapterOutput, SourceError> {
    let _ = (format, path);
    todo!("each adapter module provides `read(path)`; wire them here")
}
