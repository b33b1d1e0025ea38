//! Upgrade of STIX 2.0 objects to STIX 2.1.
//!
//! STIX 2.0 had no per-object `spec_version` (the bundle carried it) and used `labels` for what 2.1
//! splits into typed vocabularies. The upgrade adds `spec_version`, moves those labels to the 2.1
//! property, and adds what 2.1 made required with an obvious value (`is_family` on malware,
//! `pattern_type` on indicators). Each change is returned so that the ingest summary can report it.

use serde_json::Value;

use crate::JsonMap;

/// True when an object is in STIX 2.0 form: it says so; or it has no `spec_version` and came in a
/// bundle that declared 2.0; or it has no `spec_version`, its bundle declared none (yet: a bundle may
/// state its version after its objects), and it has `created`, which only 2.0 domain objects carry
/// without `spec_version` (2.1 requires it on them, and SCOs have no `created`). The OASIS
/// validator draws the same line.
pub fn is_stix20(obj: &JsonMap, bundle_spec_version: Option<&str>) -> bool {
    match obj.get("spec_version").and_then(Value::as_str) {
        Some(v) => v == "2.0",
        None => match bundle_spec_version {
            Some(v) => v == "2.0",
            None => obj.contains_key("created"),
        },
    }
}

/// One change made by the upgrade: a JSON pointer in the object and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where in the object.
    pub pointer: &'static str,
    /// What was done, in words.
    pub message: &'static str,
}

/// Upgrades a STIX 2.0 object to 2.1 in place and lists the changes.
pub fn upgrade_20_to_21(obj: &mut JsonMap) -> Vec<Change> {
    let mut changes = Vec::new();
    let type_ = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if type_ == "bundle" {
        return changes;
    }
    obj.insert("spec_version".into(), Value::from("2.1"));
    changes.push(Change {
        pointer: "/spec_version",
        message: "set to 2.1 (upgraded from STIX 2.0)",
    });
    // 2.0 put each of these types' required vocabulary in `labels`; 2.1 gives it its own property.
    let typed_labels = match type_.as_str() {
        "malware" => Some((
            "malware_types",
            "moved labels to malware_types (STIX 2.0 to 2.1)",
        )),
        "tool" => Some(("tool_types", "moved labels to tool_types (STIX 2.0 to 2.1)")),
        "threat-actor" => Some((
            "threat_actor_types",
            "moved labels to threat_actor_types (STIX 2.0 to 2.1)",
        )),
        "indicator" => Some((
            "indicator_types",
            "moved labels to indicator_types (STIX 2.0 to 2.1)",
        )),
        "report" => Some((
            "report_types",
            "moved labels to report_types (STIX 2.0 to 2.1)",
        )),
        _ => None,
    };
    if let Some((property, message)) = typed_labels {
        if !obj.contains_key(property) {
            if let Some(labels) = obj.remove("labels") {
                obj.insert(property.to_string(), labels);
                changes.push(Change {
                    pointer: "/labels",
                    message,
                });
            }
        }
    }
    match type_.as_str() {
        // Every 2.0 malware object described a family or an instance without saying; ATT&CK, the
        // largest 2.0 corpus, publishes the same objects in 2.1 with `is_family: true`.
        "malware" if !obj.contains_key("is_family") => {
            obj.insert("is_family".into(), Value::Bool(true));
            changes.push(Change {
                pointer: "/is_family",
                message:
                    "set to true (required in STIX 2.1; 2.0 malware objects describe families)",
            });
        }
        // 2.0 indicators could only hold STIX patterns.
        "indicator" if !obj.contains_key("pattern_type") => {
            obj.insert("pattern_type".into(), Value::from("stix"));
            changes.push(Change {
                pointer: "/pattern_type",
                message: "set to stix (required in STIX 2.1; 2.0 indicators hold STIX patterns)",
            });
        }
        _ => {}
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrades_a_2_0_malware() {
        let mut obj: JsonMap = serde_json::from_str(
            r#"{"type":"malware","id":"malware--00000000-0000-4000-8000-000000000000","labels":["malware"],"name":"X"}"#,
        )
        .unwrap();
        assert!(is_stix20(&obj, Some("2.0")));
        assert!(
            !is_stix20(&obj, None),
            "no created: an SCO-like object is not taken for 2.0"
        );
        obj.insert("created".into(), Value::from("2017-01-01T00:00:00.000Z"));
        assert!(
            is_stix20(&obj, None),
            "a domain object without spec_version is 2.0"
        );
        assert!(!is_stix20(&obj, Some("2.1")));
        let changes = upgrade_20_to_21(&mut obj);
        assert_eq!(changes.len(), 3);
        assert_eq!(obj["spec_version"], "2.1");
        assert_eq!(obj["is_family"], true);
        assert_eq!(obj["malware_types"], serde_json::json!(["malware"]));
        assert!(!obj.contains_key("labels"));
    }
}
