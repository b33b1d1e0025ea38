//! Typed views of the STIX objects the product reasons about, over the lossless generic form.
//!
//! [`Typed::from_map`] reads a [`JsonMap`] into the struct for its `type` (or [`Typed::Other`] for
//! types not modelled here) and [`Typed::to_map`] gives the map back. The round trip is lossless:
//! `Typed::from_map(&m)?.to_map() == m` for every object `from_map` accepts. Three rules make it so:
//! - every struct keeps the properties it does not model in a flattened `custom` map;
//! - optional properties are `Option`s skipped when `None`, lists included, so an absent property,
//!   an empty list and `false` all come back as they were; numbers that may be fractional stay
//!   [`serde_json::Number`], so `10` does not come back as `10.0`;
//! - a `null` where an optional property was expected is moved to `custom` (it would otherwise be
//!   read as `None` and dropped), and a `null` deeper down that a nested struct cannot hold makes
//!   `from_map` fail rather than lose it.
//!
//! Properties the specification requires and that say what an object is (a name, a relationship's
//! ends, an indicator's pattern) are plain fields; the rest are optional, so objects written to
//! STIX 2.0 or bending the 2.1 rules still get a typed view and the validator judges them.
//! Timestamps stay strings, as received. Extensions stay in [`Common::extensions`] as received;
//! the ones the product reads have typed accessors ([`Incident::core`], [`Impact::detail`],
//! [`MarkingDefinition::tlp2`]).

mod actors;
mod analysis;
mod capabilities;
mod common;
mod incident;
mod marking;
mod relationships;

pub use actors::{Campaign, Identity, IntrusionSet, Location, ThreatActor};
pub use analysis::{Grouping, Note, Opinion, Report};
pub use capabilities::{AttackPattern, Indicator, Infrastructure, Malware, Tool, Vulnerability};
pub use common::{Common, ExternalReference, GranularMarking, KillChainPhase};
pub use incident::{
    AvailabilityImpact, ConfidentialityImpact, ExternalImpact, Impact, ImpactDetail, Incident,
    IncidentCoreExtension, IncidentScore, InlineImpact, IntegrityImpact, MonetaryImpact, NextStep,
    PhysicalImpact, SequenceEntry, TraceabilityImpact, IMPACT_EXTENSION_ID,
    INCIDENT_CORE_EXTENSION_ID,
};
pub use marking::{MarkingContent, MarkingDefinition, TlpExtension, TLP2_EXTENSION_ID};
pub use relationships::{Relationship, Sighting};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::JsonMap;

/// Why an object could not be read into its typed view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read {} {} as a typed object: {reason} (at {})",
    display_or(kind, "object"),
    display_or(id, "without id"),
    display_pointer(pointer)
)]
pub struct TypedError {
    /// The object's `type` (empty when it has none).
    pub kind: String,
    /// The object's `id` (empty when it has none).
    pub id: String,
    /// JSON pointer (RFC 6901) to the offending value within the object; empty for the object
    /// itself (a missing property, or several offending values).
    pub pointer: String,
    /// What is wrong, in serde's words.
    pub reason: String,
}

fn display_or<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.is_empty() {
        fallback
    } else {
        s
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the object itself"
    } else {
        pointer
    }
}

/// A STIX object read into the typed view for its type, or kept generic.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// An `attack-pattern`.
    AttackPattern(Box<AttackPattern>),
    /// A `campaign`.
    Campaign(Box<Campaign>),
    /// A `grouping`.
    Grouping(Box<Grouping>),
    /// An `identity`.
    Identity(Box<Identity>),
    /// An `impact` (incident extension suite).
    Impact(Box<Impact>),
    /// An `incident`.
    Incident(Box<Incident>),
    /// An `indicator`.
    Indicator(Box<Indicator>),
    /// An `infrastructure`.
    Infrastructure(Box<Infrastructure>),
    /// An `intrusion-set`.
    IntrusionSet(Box<IntrusionSet>),
    /// A `location`.
    Location(Box<Location>),
    /// A `malware`.
    Malware(Box<Malware>),
    /// A `marking-definition`.
    MarkingDefinition(Box<MarkingDefinition>),
    /// A `note`.
    Note(Box<Note>),
    /// An `opinion`.
    Opinion(Box<Opinion>),
    /// A `relationship`.
    Relationship(Box<Relationship>),
    /// A `report`.
    Report(Box<Report>),
    /// A `sighting`.
    Sighting(Box<Sighting>),
    /// A `threat-actor`.
    ThreatActor(Box<ThreatActor>),
    /// A `tool`.
    Tool(Box<Tool>),
    /// A `vulnerability`.
    Vulnerability(Box<Vulnerability>),
    /// Any other type (SCOs, observed-data, course-of-action, custom objects), as received.
    Other(JsonMap),
}

/// Calls `$body` with the boxed view of every typed variant bound to `$v`.
macro_rules! each_typed {
    ($self:expr, $v:ident => $body:expr, $other:ident => $other_body:expr) => {
        match $self {
            Typed::AttackPattern($v) => $body,
            Typed::Campaign($v) => $body,
            Typed::Grouping($v) => $body,
            Typed::Identity($v) => $body,
            Typed::Impact($v) => $body,
            Typed::Incident($v) => $body,
            Typed::Indicator($v) => $body,
            Typed::Infrastructure($v) => $body,
            Typed::IntrusionSet($v) => $body,
            Typed::Location($v) => $body,
            Typed::Malware($v) => $body,
            Typed::MarkingDefinition($v) => $body,
            Typed::Note($v) => $body,
            Typed::Opinion($v) => $body,
            Typed::Relationship($v) => $body,
            Typed::Report($v) => $body,
            Typed::Sighting($v) => $body,
            Typed::ThreatActor($v) => $body,
            Typed::Tool($v) => $body,
            Typed::Vulnerability($v) => $body,
            Typed::Other($other) => $other_body,
        }
    };
}

impl Typed {
    /// Reads `map` into the typed view for its `type`; types not modelled here become
    /// [`Typed::Other`].
    pub fn from_map(map: &JsonMap) -> Result<Typed, TypedError> {
        let Some(kind) = map.get("type").and_then(Value::as_str) else {
            return Err(TypedError {
                kind: String::new(),
                id: id_of(map),
                pointer: "/type".to_owned(),
                reason: "the object has no string `type` property".to_owned(),
            });
        };
        Ok(match kind {
            "attack-pattern" => Typed::AttackPattern(read(map)?),
            "campaign" => Typed::Campaign(read(map)?),
            "grouping" => Typed::Grouping(read(map)?),
            "identity" => Typed::Identity(read(map)?),
            "impact" => Typed::Impact(read(map)?),
            "incident" => Typed::Incident(read(map)?),
            "indicator" => Typed::Indicator(read(map)?),
            "infrastructure" => Typed::Infrastructure(read(map)?),
            "intrusion-set" => Typed::IntrusionSet(read(map)?),
            "location" => Typed::Location(read(map)?),
            "malware" => Typed::Malware(read(map)?),
            "marking-definition" => Typed::MarkingDefinition(read(map)?),
            "note" => Typed::Note(read(map)?),
            "opinion" => Typed::Opinion(read(map)?),
            "relationship" => Typed::Relationship(read(map)?),
            "report" => Typed::Report(read(map)?),
            "sighting" => Typed::Sighting(read(map)?),
            "threat-actor" => Typed::ThreatActor(read(map)?),
            "tool" => Typed::Tool(read(map)?),
            "vulnerability" => Typed::Vulnerability(read(map)?),
            _ => Typed::Other(map.clone()),
        })
    }

    /// The generic form of the object: every property, custom ones included.
    pub fn to_map(&self) -> JsonMap {
        each_typed!(self, v => write(v.as_ref()), m => m.clone())
    }

    /// Consumes the view and returns the generic form.
    pub fn into_map(self) -> JsonMap {
        each_typed!(self, v => write(v.as_ref()), m => m)
    }

    /// The object's `type`.
    pub fn kind(&self) -> &str {
        each_typed!(self, v => v.common.kind.as_str(), m => m.get("type").and_then(Value::as_str).unwrap_or(""))
    }

    /// The object's `id`, when it has a string one.
    pub fn id(&self) -> Option<&str> {
        each_typed!(self, v => Some(v.common.id.as_str()), m => m.get("id").and_then(Value::as_str))
    }

    /// The common properties of a typed object (`None` for [`Typed::Other`]).
    pub fn common(&self) -> Option<&Common> {
        each_typed!(self, v => Some(&v.common), _m => None)
    }
}

/// The typed structs: readable from and writable to a map, with a place for custom properties.
trait View: Serialize + DeserializeOwned {
    fn custom_mut(&mut self) -> &mut JsonMap;
}

macro_rules! impl_view {
    ($($t:ty),* $(,)?) => {
        $(impl View for $t {
            fn custom_mut(&mut self) -> &mut JsonMap {
                &mut self.custom
            }
        })*
    };
}

impl_view!(
    AttackPattern,
    Campaign,
    Grouping,
    Identity,
    Impact,
    Incident,
    Indicator,
    Infrastructure,
    IntrusionSet,
    Location,
    Malware,
    MarkingDefinition,
    Note,
    Opinion,
    Relationship,
    Report,
    Sighting,
    ThreatActor,
    Tool,
    Vulnerability,
);

/// Reads `map` as `T`, keeping top-level nulls and refusing to drop nested ones.
fn read<T: View>(map: &JsonMap) -> Result<Box<T>, TypedError> {
    let mut view: T = T::deserialize(map).map_err(|e| TypedError {
        kind: kind_of(map),
        id: id_of(map),
        pointer: locate::<T>(map),
        reason: e.to_string(),
    })?;
    // A null read into an `Option` property is `None`, which writes nothing: keep the null as a
    // custom property so that it is written back. (Unknown properties are already there.)
    for (key, value) in map {
        if value.is_null() {
            view.custom_mut().entry(key.clone()).or_insert(Value::Null);
        }
    }
    // Nested structs have no such fix-up; nulls below the top are rare (STIX forbids them), so
    // check the round trip only when there is one.
    if map.values().any(contains_null) {
        let back = write(&view);
        if back != *map {
            return Err(TypedError {
                kind: kind_of(map),
                id: id_of(map),
                pointer: first_difference(map, &back),
                reason: "a null value here would be dropped by the typed view".to_owned(),
            });
        }
    }
    Ok(Box::new(view))
}

/// Writes a typed struct back to its generic form.
fn write<T: Serialize>(view: &T) -> JsonMap {
    match serde_json::to_value(view) {
        Ok(Value::Object(map)) => map,
        // The typed structs are maps of strings, numbers, booleans and JSON values: serialising
        // them to a JSON object cannot fail.
        other => unreachable!("a typed STIX view serialised to {other:?}"),
    }
}

/// Reads the extension stored under `key` as `T`.
pub(crate) fn read_extension<T: DeserializeOwned>(
    common: &Common,
    key: &str,
) -> Option<Result<T, TypedError>> {
    let value = common.extension(key)?;
    Some(T::deserialize(value).map_err(|e| TypedError {
        kind: common.kind.clone(),
        id: common.id.clone(),
        pointer: format!("/extensions/{}", escape_token(key)),
        reason: e.to_string(),
    }))
}

fn kind_of(map: &JsonMap) -> String {
    map.get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn id_of(map: &JsonMap) -> String {
    map.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

/// How many children of one node `locate` tries before giving up on going deeper.
const LOCATE_BREADTH: usize = 512;

/// Finds the value that stops `map` from reading as `T`: descends, one level at a time, into the
/// single child whose removal or replacement makes the object readable. Runs only on the error
/// path.
fn locate<T: DeserializeOwned>(map: &JsonMap) -> String {
    let root = Value::Object(map.clone());
    let mut path: Vec<String> = Vec::new();
    'descend: loop {
        let children: Vec<String> = match node_at(&root, &path) {
            Some(Value::Object(m)) => m.keys().take(LOCATE_BREADTH).cloned().collect(),
            Some(Value::Array(a)) => (0..a.len().min(LOCATE_BREADTH))
                .map(|i| i.to_string())
                .collect(),
            _ => break,
        };
        for child in children {
            // Removing the child finds a bad optional value; a stand-in of each JSON kind finds a
            // bad required one. Either way, a trial only reads when every offending value is
            // inside this child.
            let stand_ins = [
                None,
                Some(Value::String(String::new())),
                Some(Value::from(0)),
                Some(Value::Bool(false)),
                Some(Value::Array(Vec::new())),
                Some(Value::Object(JsonMap::new())),
            ];
            for stand_in in stand_ins {
                let mut trial = root.clone();
                let Some(parent) = node_at_mut(&mut trial, &path) else {
                    break;
                };
                match (parent, stand_in) {
                    (Value::Object(m), None) => {
                        m.remove(&child);
                    }
                    (Value::Object(m), Some(v)) => {
                        m.insert(child.clone(), v);
                    }
                    (Value::Array(a), stand_in) => {
                        let i = child.parse::<usize>().unwrap_or_default();
                        match stand_in {
                            None => {
                                a.remove(i);
                            }
                            Some(v) => a[i] = v,
                        }
                    }
                    _ => break,
                }
                if T::deserialize(&trial).is_ok() {
                    path.push(child);
                    continue 'descend;
                }
            }
        }
        break;
    }
    path.iter()
        .map(|t| format!("/{}", escape_token(t)))
        .collect()
}

fn node_at<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, token| match node {
        Value::Object(m) => m.get(token),
        Value::Array(a) => a.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

fn node_at_mut<'a>(root: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, token| match node {
        Value::Object(m) => m.get_mut(token),
        Value::Array(a) => a.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// The JSON pointer of the first place where `a` and `b` differ.
fn first_difference(a: &JsonMap, b: &JsonMap) -> String {
    fn walk(a: &Value, b: &Value, at: String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for key in x.keys().chain(y.keys()) {
                    let here = format!("{at}/{}", escape_token(key));
                    match (x.get(key), y.get(key)) {
                        (Some(p), Some(q)) => {
                            if let Some(found) = walk(p, q, here) {
                                return Some(found);
                            }
                        }
                        _ => return Some(here),
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| walk(p, q, format!("{at}/{i}"))),
            _ if a == b => None,
            _ => Some(at),
        }
    }
    walk(
        &Value::Object(a.clone()),
        &Value::Object(b.clone()),
        String::new(),
    )
    .unwrap_or_default()
}

/// Escapes one JSON pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
