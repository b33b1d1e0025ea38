//! How adversaries operate: malware, tools, attack patterns, infrastructure, vulnerabilities and
//! the indicators that detect them.

use serde::{Deserialize, Serialize};

use super::common::{Common, KillChainPhase};
use crate::JsonMap;

/// Malicious code, as a family or as one instance (`malware`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Malware {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The malware's name.
    pub name: String,
    /// A description of the malware.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of malware (`malware-type-ov`: ransomware, wiper, backdoor, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub malware_types: Option<Vec<String>>,
    /// Whether this is a family (true) or one instance (false); absent in STIX 2.0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_family: Option<bool>,
    /// Other names of the malware.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// Kill chain phases the malware is used in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// When the malware was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the malware was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Software objects for the operating systems it runs on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system_refs: Option<Vec<String>>,
    /// Processor architectures it runs on (`processor-architecture-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture_execution_envs: Option<Vec<String>>,
    /// Programming languages it is written in (`implementation-language-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implementation_languages: Option<Vec<String>>,
    /// What it can do (`malware-capabilities-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// File or artifact objects holding samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_refs: Option<Vec<String>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Legitimate software that adversaries use (`tool`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The tool's name.
    pub name: String,
    /// A description of the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of tool (`tool-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_types: Option<Vec<String>>,
    /// Other names of the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// Kill chain phases the tool is used in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// The tool's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A tactic, technique or procedure adversaries use (`attack-pattern`), e.g. an ATT&CK technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackPattern {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The attack pattern's name.
    pub name: String,
    /// A description of the attack pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other names of the attack pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// Kill chain phases the attack pattern belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// Systems, services and resources used to conduct or support attacks, or to defend
/// (`infrastructure`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Infrastructure {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The infrastructure's name.
    pub name: String,
    /// A description of the infrastructure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of infrastructure (`infrastructure-type-ov`: botnet, command-and-control, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_types: Option<Vec<String>>,
    /// Other names of the infrastructure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    /// Kill chain phases the infrastructure is used in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// When the infrastructure was first seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When the infrastructure was last seen, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A mistake in software that can be used to gain access to a system (`vulnerability`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// The vulnerability's name, often its CVE id.
    pub name: String,
    /// A description of the vulnerability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}

/// A pattern that can detect suspicious or malicious activity (`indicator`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The common properties.
    #[serde(flatten)]
    pub common: Common,
    /// A name for the indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description of the indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of indicator (`indicator-type-ov`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator_types: Option<Vec<String>>,
    /// The detection pattern, in the language named by `pattern_type`.
    pub pattern: String,
    /// The pattern language (`pattern-type-ov`: stix, snort, yara, sigma, ...); absent in STIX 2.0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_type: Option<String>,
    /// The version of the pattern language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_version: Option<String>,
    /// From when the indicator is valid, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Until when the indicator is valid, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Kill chain phases the indicator detects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_chain_phases: Option<Vec<KillChainPhase>>,
    /// Properties not defined by the specification, kept as received.
    #[serde(flatten)]
    pub custom: JsonMap,
}
