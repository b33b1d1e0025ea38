//! Who acts and where: threat actors, intrusion sets, campaigns, identities and locations.

use serde::{Deserialize, Serialize};

use super::common::Common;
use crate::JsonMap;

/// An individual, group or organisation believed to act with malicious intent (`threat-actor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatActor {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The name used to identify the actor.
    pub name: String,
    /// A description of the actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of actor (`threat-actor-type-ov`: nation-state, crime-syndicate, hacktivist, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_actor_types: Option<Vec<String>>,
    /// Other names the actor is known by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// When the actor was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the actor was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Roles the actor plays (`threat-actor-role-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// High-level goals of the actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goals: Option<Vec<String>>,
    /// The actor's skill (`threat-actor-sophistication-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sophistication: Option<String>,
    /// The organisational level the actor works at (`attack-resource-level-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_level: Option<String>,
    /// The primary reason behind the actor's activity (`attack-motivation-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_motivation: Option<String>,
    /// Secondary reasons behind the actor's activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_motivations: Option<Vec<String>>,
    /// Personal reasons of the individuals involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_motivations: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A grouped set of adversarial behaviours and resources believed to have one organisation
/// behind it (`intrusion-set`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntrusionSet {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The name used to identify the intrusion set.
    pub name: String,
    /// A description of the intrusion set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other names the intrusion set is known by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// When the intrusion set was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the intrusion set was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// High-level goals of the intrusion set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goals: Option<Vec<String>>,
    /// The organisational level it works at (`attack-resource-level-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_level: Option<String>,
    /// The primary reason behind its activity (`attack-motivation-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_motivation: Option<String>,
    /// Secondary reasons behind its activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_motivations: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A set of malicious activities over a period of time against a specific set of targets
/// (`campaign`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The name used to identify the campaign.
    pub name: String,
    /// A description of the campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other names the campaign is known by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// When the campaign was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the campaign was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The campaign's primary goal or desired outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// An individual, organisation, group or system (`identity`): victims, sources, authors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The identity's name.
    pub name: String,
    /// A description of the identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Roles the identity plays (free text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// The kind of entity (`identity-class-ov`: individual, group, system, organization, class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_class: Option<String>,
    /// Industry sectors the identity belongs to (`industry-sector-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sectors: Option<Vec<String>>,
    /// Contact information (free text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_information: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A geographic location (`location`): a region, country, city, address or coordinates.
///
/// Coordinates stay [`serde_json::Number`] so that `10` and `10.0` both come back as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// A name for the location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description of the location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Latitude in decimal degrees (WGS 84).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<serde_json::Number>,
    /// Longitude in decimal degrees (WGS 84).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<serde_json::Number>,
    /// Precision of the coordinates, in metres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<serde_json::Number>,
    /// The region (`region-ov`), e.g. `eastern-europe`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The country, by ISO 3166-1 alpha-2 code by recommendation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A state, province or other sub-national area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub administrative_area: Option<String>,
    /// The city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// The postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
