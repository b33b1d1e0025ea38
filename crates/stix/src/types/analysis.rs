//! What analysts write: reports, groupings, notes and opinions.

use serde::{Deserialize, Serialize};

use super::common::Common;
use crate::JsonMap;

/// A collection of threat intelligence about one or more topics, as published (`report`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The report's title.
    pub name: String,
    /// A description of the report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The primary subjects of the report (`report-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_types: Option<Vec<String>>,
    /// When the report was published, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The objects the report is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_refs: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A set of objects said to be related, in a stated context (`grouping`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// A name for the grouping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description of the grouping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the objects are grouped (`grouping-context-ov`: suspicious-activity, malware-analysis, ...).
    pub context: String,
    /// The grouped objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_refs: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Analyst commentary attached to other objects (`note`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// A short summary of the note (the `abstract` property).
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The note's text.
    pub content: String,
    /// Names of the note's authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    /// The objects the note is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_refs: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// An assessment of whether other objects are correct (`opinion`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opinion {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// Why the opinion is held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Names of the opinion's authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    /// The opinion (`opinion-enum`: strongly-disagree ... strongly-agree).
    pub opinion: String,
    /// The objects the opinion is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_refs: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
