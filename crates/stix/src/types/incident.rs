//! Incidents, the Incident Core Extension and the Impact objects of the OASIS incident extension
//! suite (cti-stix-common-objects, `extension-definition-specifications/incident-core`).
//!
//! The suite has two generations, both found in the wild and both read here:
//! - version 2.0 (current): the extension holds `determination`, `investigation_status`,
//!   `criticality`, `recoverability`, `incident_types`, `detection_methods`, `scores`,
//!   `impacted_entity_counts`, and refers to separate `impact` SDOs (`impact_refs`) and to
//!   event/task sequences (`events`, `tasks`); each `impact` carries one extension named after its
//!   `impact_category` (availability, confidentiality, external, integrity, monetary, physical,
//!   traceability);
//! - version 1.0: the same impacts inline in the extension as `availability_impacts`, ...,
//!   `traceability_impacts`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::common::{Common, KillChainPhase};
use super::{read_extension, TypedError};
use crate::JsonMap;

/// The extension id of the Incident Core Extension.
pub const INCIDENT_CORE_EXTENSION_ID: &str =
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126";

/// The extension id that marks an `impact` object as defined by the incident extension suite.
pub const IMPACT_EXTENSION_ID: &str = "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9";

/// A cyber incident (`incident`); its substance lives in the Incident Core Extension
/// (see [`Self::core`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The incident's name.
    pub name: String,
    /// A description of the incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kill chain phases the incident went through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// Other names of the incident (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// When the incident was first seen, as received (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the incident was last seen, as received (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The adversary's objective (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    /// The kind of incident as one value (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_type: Option<String>,
    /// The incident's severity (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Where the incident was reported from (not in the specification; written by OpenCTI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

impl Incident {
    /// The Incident Core Extension, if present (an error when it does not have the extension's shape).
    pub fn core(&self) -> Option<Result<IncidentCoreExtension, TypedError>> {
        read_extension(&self.common, INCIDENT_CORE_EXTENSION_ID)
    }

    /// Stores `core` as the Incident Core Extension, replacing any previous one.
    pub fn set_core(&mut self, core: &IncidentCoreExtension) {
        let value = serde_json::to_value(core).expect("extension structs serialise to JSON");
        self.common
            .extensions
            .get_or_insert_with(JsonMap::new)
            .insert(INCIDENT_CORE_EXTENSION_ID.to_owned(), value);
    }
}

/// The Incident Core Extension's content (both generations; see the module documentation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IncidentCoreExtension {
    /// Always `property-extension`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_type: Option<String>,
    /// The outcome (`incident-determination-enum`: blocked, failed-attempt, false-positive,
    /// low-value, successful-attempt, suspected); required by the extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub determination: Option<String>,
    /// The state of the investigation (`incident-investigation-ov`: new, open, closed); required
    /// by the extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investigation_status: Option<String>,
    /// How critical the incident is, 0-100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criticality: Option<i64>,
    /// How the activity was detected (`detection-methods-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection_methods: Option<Vec<String>>,
    /// Kinds of incident (`event-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_types: Option<Vec<String>>,
    /// What recovery takes (`recoverability-enum`: not-applicable, regular, supplemented,
    /// extended, not-recoverable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recoverability: Option<String>,
    /// Counts of impacted entities by kind (individuals, organizations, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_entity_counts: Option<BTreeMap<String, i64>>,
    /// Scores from automated or manual mechanisms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<IncidentScore>>,
    /// The `impact` objects of this incident (version 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_refs: Option<Vec<String>>,
    /// Event sequences of this incident (version 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<SequenceEntry>>,
    /// Task sequences of this incident (version 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<SequenceEntry>>,
    /// Event objects of this incident (pre-2.0 drafts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_refs: Option<Vec<String>>,
    /// Task objects of this incident (pre-2.0 drafts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_refs: Option<Vec<String>>,
    /// Inline availability impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_impacts: Option<Vec<InlineImpact<AvailabilityImpact>>>,
    /// Inline confidentiality impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidentiality_impacts: Option<Vec<InlineImpact<ConfidentialityImpact>>>,
    /// Inline external impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_impacts: Option<Vec<InlineImpact<ExternalImpact>>>,
    /// Inline integrity impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity_impacts: Option<Vec<InlineImpact<IntegrityImpact>>>,
    /// Inline monetary impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monetary_impacts: Option<Vec<InlineImpact<MonetaryImpact>>>,
    /// Inline physical impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_impacts: Option<Vec<InlineImpact<PhysicalImpact>>>,
    /// Inline traceability impacts (version 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceability_impacts: Option<Vec<InlineImpact<TraceabilityImpact>>>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A named score given to an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentScore {
    /// The scoring system or process.
    pub name: String,
    /// The score, kept as the number received.
    pub value: serde_json::Number,
    /// How the score was arrived at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// One step of an incident's event or task sequence (`event_ref` or `task_ref` names the step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceEntry {
    /// The event of an event sequence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ref: Option<String>,
    /// The task of a task sequence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_ref: Option<String>,
    /// Whether this step starts a sequence (the extension's default is true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_start: Option<bool>,
    /// The steps that may follow this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<NextStep>>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A transition to a following event or task in a sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    /// Whether the next step is `optional`, `required` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_type: Option<String>,
    /// The next event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ref: Option<String>,
    /// The next task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_ref: Option<String>,
    /// What end state starts the next step: `completion`, `failure`, `success` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition_type: Option<String>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A version 1.0 inline impact: the impact kind's own properties plus the properties every inline
/// impact shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InlineImpact<T> {
    /// The impact kind's own properties (and any custom ones).
    #[serde(flatten)]
    pub detail: T,
    /// Incident activities that caused this impact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_refs: Option<Vec<String>>,
    /// How critical this impact is, 0-100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criticality: Option<i64>,
    /// A description of this impact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Assets or infrastructure impacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_refs: Option<Vec<String>>,
    /// Free-form classification terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// What recovery from this impact takes (`recoverability-enum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recoverability: Option<String>,
}

/// The effect of an incident on something, over a period of time (`impact`, version 2.0 of the
/// suite); the details sit in the extension named by `impact_category` (see [`Self::detail`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The kind of impact: availability, confidentiality, external, integrity, monetary, physical,
    /// traceability (or a custom one).
    pub impact_category: String,
    /// How critical this impact is, 0-100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criticality: Option<i64>,
    /// A description of this impact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the impact was first recorded, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// How precise `start_time` is: second, minute, hour, day, month or year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time_fidelity: Option<String>,
    /// When the impact was last recorded, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// How precise `end_time` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time_fidelity: Option<String>,
    /// Counts of impacted entities by kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_entity_counts: Option<BTreeMap<String, i64>>,
    /// Entities or infrastructure impacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_refs: Option<Vec<String>>,
    /// What recovery from this impact takes (`recoverability-enum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recoverability: Option<String>,
    /// The impact that replaces this one from its `end_time` on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by_ref: Option<String>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

impl Impact {
    /// The typed extension named by `impact_category`, if the category is one of the seven
    /// defined ones and the extension is present.
    pub fn detail(&self) -> Option<Result<ImpactDetail, TypedError>> {
        let key = self.impact_category.as_str();
        Some(match key {
            "availability" => read_extension(&self.common, key)?.map(ImpactDetail::Availability),
            "confidentiality" => {
                read_extension(&self.common, key)?.map(ImpactDetail::Confidentiality)
            }
            "external" => read_extension(&self.common, key)?.map(ImpactDetail::External),
            "integrity" => read_extension(&self.common, key)?.map(ImpactDetail::Integrity),
            "monetary" => read_extension(&self.common, key)?.map(ImpactDetail::Monetary),
            "physical" => read_extension(&self.common, key)?.map(ImpactDetail::Physical),
            "traceability" => read_extension(&self.common, key)?.map(ImpactDetail::Traceability),
            _ => return None,
        })
    }
}

/// The category-specific details of an impact.
#[derive(Debug, Clone, PartialEq)]
pub enum ImpactDetail {
    /// Loss of availability or function.
    Availability(AvailabilityImpact),
    /// Information stolen or exposed.
    Confidentiality(ConfidentialityImpact),
    /// Effects beyond the organisation (national security, public health, ...).
    External(ExternalImpact),
    /// Information altered or destroyed.
    Integrity(IntegrityImpact),
    /// Money lost or demanded.
    Monetary(MonetaryImpact),
    /// Physical damage.
    Physical(PhysicalImpact),
    /// Loss of the ability to audit or attribute.
    Traceability(TraceabilityImpact),
}

/// Availability impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityImpact {
    /// The availability or functional impact, 0-100.
    pub availability_impact: i64,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Confidentiality impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidentialityImpact {
    /// The kind of information compromised (`information-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_type: Option<String>,
    /// The kind of loss: confirmed-loss, contained, exploited-loss, suspected-loss or none.
    pub loss_type: String,
    /// How many records were compromised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_count: Option<i64>,
    /// How many bytes were compromised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_size: Option<i64>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// External impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalImpact {
    /// The kind of external impact (`external-impact-ov`: national-security, foreign-relations,
    /// economic, public-confidence, civil-liberties, public-health, ...).
    pub impact_type: String,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Integrity impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrityImpact {
    /// The alteration (`integrity-alteration-enum`: potential-/partial-/full- destruction or
    /// modification, or none).
    pub alteration: String,
    /// The kind of information altered (`information-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_type: Option<String>,
    /// How many records were altered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_count: Option<i64>,
    /// How many bytes were altered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_size: Option<i64>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Monetary impact details; amounts stay the numbers received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonetaryImpact {
    /// The kind of monetary impact (`monetary-impact-type-ov`: ransom-demand, ransom-payment, ...).
    pub variety: String,
    /// The currency of `min_amount` and `max_amount` (ISO 4217 or a cryptocurrency code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The currency actually used, when it differs (e.g. the ransom's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_actual: Option<String>,
    /// The rate between `currency` and `currency_actual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_rate: Option<serde_json::Number>,
    /// When the conversion rate was taken, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_time: Option<String>,
    /// The lower estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<serde_json::Number>,
    /// The upper estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<serde_json::Number>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Physical impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhysicalImpact {
    /// The damage: damaged-functional, damaged-nonfunctional, destruction or none.
    pub impact_type: String,
    /// The kind of asset damaged (`asset-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_type: Option<String>,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Traceability impact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceabilityImpact {
    /// The effect on accountability: accountability-lost, partial-accountability or
    /// provable-accountability.
    pub traceability_impact: String,
    /// Properties not defined by the extension, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
