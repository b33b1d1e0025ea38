//! The pieces every STIX object shares: common properties, external references, kill chain phases
//! and granular markings.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::JsonMap;

/// The common properties of STIX Domain Objects, Relationship Objects and marking definitions.
///
/// Only `type` and `id` are plain fields; everything else is optional so that objects written to
/// STIX 2.0 or bending the 2.1 rules still get a typed view (the validator judges them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    /// The object's type name (the `type` property), e.g. `intrusion-set`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The object's identifier, `<type>--<uuid>`.
    pub id: String,
    /// The STIX version the object follows (`2.1`); absent in STIX 2.0 objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// When the first version of the object was created, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When this version of the object was made, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The identity that created the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_ref: Option<String>,
    /// Whether the creator has revoked the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Free-form classification terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// The creator's confidence in the object, 0-100 by the specification (not range-checked here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<i64>,
    /// The language of the object's text (RFC 5646 tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// References to non-STIX information about the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
    /// Marking definitions that apply to the whole object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_marking_refs: Option<Vec<String>>,
    /// Marking definitions that apply to parts of the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granular_markings: Option<Vec<GranularMarking>>,
    /// Extensions keyed by extension id or name, kept as received (typed accessors exist on the
    /// objects whose extensions the product reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<JsonMap>,
}

impl Common {
    /// Common properties holding only a type and an id.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Common {
            kind: kind.into(),
            id: id.into(),
            spec_version: None,
            created: None,
            modified: None,
            created_by_ref: None,
            revoked: None,
            labels: None,
            confidence: None,
            lang: None,
            external_references: None,
            object_marking_refs: None,
            granular_markings: None,
            extensions: None,
        }
    }

    /// The extension stored under `key`, if any.
    pub fn extension(&self, key: &str) -> Option<&serde_json::Value> {
        self.extensions.as_ref()?.get(key)
    }
}

/// A pointer to non-STIX information: a URL, a record in another system, a document's hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalReference {
    /// The source the reference comes from, e.g. `mitre-attack` or `cve`.
    pub source_name: String,
    /// A human-readable description of the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A URL for the referenced material.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Hashes of the content at `url`, keyed by algorithm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
    /// The identifier in the source's system, e.g. `T0801` or `CVE-2021-44228`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A phase of a kill chain (e.g. `mitre-attack` / `initial-access`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KillChainPhase {
    /// The kill chain's name.
    pub kill_chain_name: String,
    /// The phase's name within that kill chain.
    pub phase_name: String,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A marking that applies to the properties of an object selected by `selectors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GranularMarking {
    /// The language of the selected text (instead of a marking reference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The marking definition that applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking_ref: Option<String>,
    /// Selectors of the marked properties, e.g. `description` or `labels.[1]`.
    pub selectors: Vec<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
