//! Source adapters: each reads one kind of input into [`Report`]s, keeping every original record
//! verbatim, and accounts for every record it read (accepted, repaired or rejected, with the reason
//! and the place).
//!
//! Adapters are pure: they take a path (or bytes) and return an [`AdapterOutput`]; storing the
//! reports is the ingest crate's job, one transaction per file.

pub mod cfr;
pub mod cissm;
pub mod countries;
pub mod csv_util;
pub mod dcid;
pub mod eurepoc;
pub mod misp;
pub mod native;
pub mod stix_incidents;
pub mod veris;

use std::path::Path;

use threatscape_model::{Contributor, Report, Tlp};

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

impl SourceFormat {
    /// Every format with an adapter.
    pub const ALL: [SourceFormat; 8] = [
        SourceFormat::Stix,
        SourceFormat::Misp,
        SourceFormat::Eurepoc,
        SourceFormat::Cfr,
        SourceFormat::Cissm,
        SourceFormat::Dcid,
        SourceFormat::Veris,
        SourceFormat::Native,
    ];

    /// The format `--format` names `name` ([`SourceFormat::name`]), if any.
    pub fn from_name(name: &str) -> Option<SourceFormat> {
        SourceFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The adapter's name, as `--format` spells it (`stix`, `veris`, `native`...).
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Stix => "stix",
            SourceFormat::Misp => "misp",
            SourceFormat::Eurepoc => "eurepoc",
            SourceFormat::Cfr => "cfr",
            SourceFormat::Cissm => "cissm",
            SourceFormat::Dcid => "dcid",
            SourceFormat::Veris => "veris",
            SourceFormat::Native => "native",
        }
    }
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

/// What the caller knows about a submission that the file itself may not say.
///
/// The STIX, MISP and VERIS adapters read the contributor and the release level from the file when
/// they can; these override or raise them. The native template has no contributor column, so it
/// needs [`ReadOptions::contributor`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Who sent the file; replaces whatever the file says about its producer.
    pub contributor: Option<Contributor>,
    /// The release level declared for the whole file; raises (never lowers) each record's own.
    pub tlp: Option<Tlp>,
}

/// Reads one file with the adapter for `format`, with no caller overrides.
///
/// The native template needs a contributor: use [`read_file_with`] for it.
pub fn read_file(format: SourceFormat, path: &Path) -> Result<AdapterOutput, SourceError> {
    read_file_with(format, path, &ReadOptions::default())
}

/// Reads one file with the adapter for `format`, with the caller's contributor and declared TLP
/// where the adapter takes them (STIX, MISP, VERIS, native; the tracker CSVs name their own
/// contributor and release level).
pub fn read_file_with(
    format: SourceFormat,
    path: &Path,
    options: &ReadOptions,
) -> Result<AdapterOutput, SourceError> {
    match format {
        SourceFormat::Stix => stix_incidents::read_with(path, options),
        SourceFormat::Misp => misp::read_with(path, options),
        SourceFormat::Veris => veris::read_with(path, options),
        SourceFormat::Native => {
            let Some(contributor) = &options.contributor else {
                return Err(SourceError::Format {
                    file: path.display().to_string(),
                    message: "the native template does not name its contributor: say who sends \
                              it (--contributor NAME --contributor-type TYPE)"
                        .to_owned(),
                });
            };
            native::read_with(path, contributor, options.tlp)
        }
        SourceFormat::Eurepoc => eurepoc::read(path),
        SourceFormat::Cfr => cfr::read(path),
        SourceFormat::Cissm => cissm::read(path),
        SourceFormat::Dcid => dcid::read(path),
    }
}

/// How many bytes [`detect`] looks at.
const SNIFF_BYTES: u64 = 64 << 10;

/// Guesses a file's format from its first bytes, or None when nothing fits.
///
/// JSON is told apart by its keys: a STIX bundle (`"type": "bundle"`), a MISP event (`"Event"`, or
/// `"Attribute"` beside `"info"`, `"Orgc"` or an attribute's `"to_ids"`), a VERIS incident (`"incident_id"` and `"timeline"`), the
/// native template (`"title"`, `"occurred_start"`, `"tlp"`), other STIX (`"spec_version"`, or a
/// `"type"` beside an `"id"` of the form `type--uuid`). CSV is told apart by the header: each
/// tracker's distinctive columns, or the native template's.
pub fn detect(path: &Path) -> Option<SourceFormat> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') || text.starts_with('[') {
        detect_json(text)
    } else {
        detect_csv(text)
    }
}

fn detect_json(text: &str) -> Option<SourceFormat> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let has_key = |key: &str| compact.contains(&format!("\"{key}\":"));
    if compact.contains("\"type\":\"bundle\"") {
        Some(SourceFormat::Stix)
    } else if has_key("Event")
        || (has_key("Attribute") && (has_key("info") || has_key("Orgc") || has_key("to_ids")))
    {
        Some(SourceFormat::Misp)
    } else if has_key("incident_id") && has_key("timeline") {
        Some(SourceFormat::Veris)
    } else if has_key("title") && has_key("occurred_start") && has_key("tlp") {
        Some(SourceFormat::Native)
    } else if has_key("spec_version") || (has_key("type") && compact.contains("--")) {
        Some(SourceFormat::Stix)
    } else {
        None
    }
}

fn detect_csv(text: &str) -> Option<SourceFormat> {
    let header = text.lines().next()?;
    let delimiter = if header.contains(',') || !header.contains(';') {
        b','
    } else {
        b';'
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(header.as_bytes());
    let record = reader.records().next()?.ok()?;
    let columns: Vec<String> = record.iter().map(|c| c.trim().to_lowercase()).collect();
    let has = |names: &[&str]| names.iter().all(|n| columns.iter().any(|c| c == n));
    if has(&["title", "occurred_start", "tlp"]) {
        Some(SourceFormat::Native)
    } else if has(&["receiver_name", "initiator_name", "incident_type"]) {
        Some(SourceFormat::Eurepoc)
    } else if has(&["event_description", "actor_type", "dnx_id"]) {
        Some(SourceFormat::Cissm)
    } else if has(&["cyberincidentnum", "dyadpair", "statea", "stateb"]) {
        Some(SourceFormat::Dcid)
    } else if has(&["title", "date", "affiliations", "sponsor", "victims"]) {
        Some(SourceFormat::Cfr)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::SourceFormat;

    #[test]
    fn every_format_is_read_back_from_its_name() {
        for f in SourceFormat::ALL {
            assert_eq!(SourceFormat::from_name(f.name()), Some(f));
        }
        assert_eq!(SourceFormat::from_name("auto"), None);
        assert_eq!(SourceFormat::from_name("STIX"), None);
    }
}
