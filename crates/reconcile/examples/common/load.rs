//! Loads the four incident trackers of `../shared/data` with the source adapters (shared by the
//! examples and the integration tests).

use std::path::{Path, PathBuf};

use threatscape_model::Report;

/// The tracker files reconciliation is measured on, relative to `../shared/data`.
pub const TRACKERS: &[(&str, &str)] = &[
    ("eurepoc", "eurepoc/EuRepoC_Global_Database_1.1.csv"),
    ("cfr", "cfr-cyber-operations/cyber-operations-incidents.csv"),
    ("cissm", "cissm/CISSM_cleaned.csv"),
    ("dcid", "dcid/dcid_2.0_public_june2020.csv"),
    ("dcid", "dcid/dcid_2.0_update_feb2023.csv"),
];

/// The MISP threat-actor galaxy, relative to `../shared/data`.
#[allow(dead_code)]
pub const GALAXY: &str = "misp-galaxy/clusters/threat-actor.json";

/// `../shared/data` (or `$THREATSCAPE_SHARED/data`).
pub fn data_dir() -> PathBuf {
    threatscape_testkit::shared_dir().join("data")
}

/// Reads every tracker file under `data`, in the order of [`TRACKERS`].
pub fn load_trackers(data: &Path) -> Result<Vec<Report>, String> {
    let mut reports = Vec::new();
    for (format, rel) in TRACKERS {
        let path = data.join(rel);
        let out = match *format {
            "eurepoc" => threatscape_sources::eurepoc::read(&path),
            "cfr" => threatscape_sources::cfr::read(&path),
            "cissm" => threatscape_sources::cissm::read(&path),
            "dcid" => threatscape_sources::dcid::read(&path),
            _ => unreachable!("known formats"),
        }
        .map_err(|e| e.to_string())?;
        reports.extend(out.reports);
    }
    Ok(reports)
}
