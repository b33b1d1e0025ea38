//! Links between objects: relationships and sightings.

use serde::{Deserialize, Serialize};

use super::common::Common;
use crate::JsonMap;

/// A typed link from one object to another (`relationship`), e.g. `attributed-to` or `targets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The kind of link, e.g. `uses`, `attributed-to`, `targets`, `located-at`.
    pub relationship_type: String,
    /// A description of the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The object the link goes from.
    pub source_ref: String,
    /// The object the link goes to.
    pub target_ref: String,
    /// From when the link holds, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Until when the link holds, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// The belief that something in threat intelligence was seen (`sighting`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// A description of the sighting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the sighted thing was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the sighted thing was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// How many times it was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// What was seen (an SDO, e.g. an indicator or malware).
    pub sighting_of_ref: String,
    /// Observed data supporting the sighting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_data_refs: Option<Vec<String>>,
    /// Identities or locations where it was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub where_sighted_refs: Option<Vec<String>>,
    /// Whether this sighting is a summary of others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<bool>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
