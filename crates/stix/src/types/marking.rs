//! Marking definitions: TLP 1.0 (`definition_type: tlp`), statements, and the TLP 2.0 extension.

use serde::{Deserialize, Serialize};

use super::common::Common;
use super::{read_extension, TypedError};
use crate::JsonMap;

/// The extension id of the FIRST TLP 2.0 marking definitions.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// A data marking: handling or sharing rules for the objects that reference it
/// (`marking-definition`).
///
/// TLP 1.0 and statement markings use `definition_type` and `definition`; TLP 2.0 markings have
/// neither and carry their level in the [`TLP2_EXTENSION_ID`] extension (see [`Self::tlp2`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkingDefinition {
    /// The common properties (a marking has no `modified`, `revoked`, `labels` or `confidence`).
    #[serde(flatten)]
    pub common: Common,
    /// A name for the marking, e.g. `TLP:GREEN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kind of definition (`tlp` or `statement`), absent in extension-based markings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_type: Option<String>,
    /// The marking's content for `definition_type` markings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<MarkingContent>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// The `definition` of a TLP 1.0 (`{"tlp": "green"}`) or statement (`{"statement": "..."}`) marking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkingContent {
    /// The TLP 1.0 level: `white`, `green`, `amber` or `red`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tlp: Option<String>,
    /// A statement, such as a copyright or terms of use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Properties of other definition types, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// The TLP 2.0 marking extension's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlpExtension {
    /// Always `property-extension`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_type: Option<String>,
    /// The TLP 2.0 level: `clear`, `green`, `amber`, `amber+strict` or `red`.
    pub tlp_2_0: String,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

impl MarkingDefinition {
    /// The TLP 2.0 extension, if present (an error when it does not have the extension's shape).
    pub fn tlp2(&self) -> Option<Result<TlpExtension, TypedError>> {
        read_extension(&self.common, TLP2_EXTENSION_ID)
    }

    /// The TLP level as written, lowercase without the `TLP:` prefix: the TLP 2.0 level when the
    /// extension is present, otherwise the TLP 1.0 `definition.tlp`.
    pub fn tlp_level(&self) -> Option<String> {
        if let Some(Ok(ext)) = self.tlp2() {
            return Some(ext.tlp_2_0.to_ascii_lowercase());
        }
        let tlp = self.definition.as_ref()?.tlp.as_ref()?;
        Some(tlp.to_ascii_lowercase())
    }
}
