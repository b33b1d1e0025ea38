//! Safe repairs: changes that make an object valid without guessing any of its content.

use serde_json::Value;

use super::formats;
use super::objects::classify;
use super::props::Class;
use super::{Ptr, Repair};
use crate::timestamp::{normalize_timestamp, pad_to_milliseconds, parse_timestamp};
use crate::JsonMap;

/// Repairs what can be repaired in place and records each repair.
pub(crate) fn repair(obj: &mut JsonMap, out: &mut Vec<Repair>) {
    let (class, timestamps) = {
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        let class = classify(ty, obj);
        (class, timestamp_properties(ty, class))
    };
    lowercase_identifiers(obj, out);
    for (key, millis) in timestamps {
        let Some(Value::String(s)) = obj.get_mut(*key) else {
            continue;
        };
        if parse_timestamp(s).is_err() {
            if let Some(fixed) = normalize_timestamp(s) {
                out.push(Repair {
                    pointer: Ptr::ROOT.key(key).render(),
                    message: format!(
                        "timestamp {s:?} was not in the STIX form; rewritten as {fixed:?}"
                    ),
                });
                *s = fixed;
            }
        }
        if *millis {
            if let Some(padded) = pad_to_milliseconds(s) {
                out.push(Repair {
                    pointer: Ptr::ROOT.key(key).render(),
                    message: format!("timestamp {s:?} was not precise to the millisecond; written as {padded:?} (the same instant)"),
                });
                *s = padded;
            }
        }
    }
    if matches!(class, Class::Core | Class::Marking) && !obj.contains_key("spec_version") {
        obj.insert("spec_version".to_string(), Value::from("2.1"));
        out.push(Repair {
            pointer: "/spec_version".to_string(),
            message: "`spec_version` was missing; set to \"2.1\"".to_string(),
        });
    }
    if class == Class::Core && !obj.contains_key("modified") {
        let created = obj
            .get("created")
            .and_then(Value::as_str)
            .filter(|c| parse_timestamp(c).is_ok())
            .map(str::to_string);
        if let Some(created) = created {
            out.push(Repair {
                pointer: "/modified".to_string(),
                message: format!("`modified` was missing; set to `created` ({created:?}), as for a first version"),
            });
            obj.insert("modified".to_string(), Value::String(created));
        }
    }
}

/// The top-level timestamp properties of a type, each with whether it must be precise to the
/// millisecond.
fn timestamp_properties(ty: &str, class: Class) -> &'static [(&'static str, bool)] {
    const CORE: &[(&str, bool)] = &[("created", true), ("modified", true)];
    match (class, ty) {
        (Class::Marking, _) => &[("created", false)],
        (
            Class::Core,
            "campaign" | "infrastructure" | "intrusion-set" | "malware" | "threat-actor"
            | "sighting",
        ) => &[
            ("created", true),
            ("modified", true),
            ("first_seen", false),
            ("last_seen", false),
        ],
        (Class::Core, "indicator") => &[
            ("created", true),
            ("modified", true),
            ("valid_from", false),
            ("valid_until", false),
        ],
        (Class::Core, "observed-data") => &[
            ("created", true),
            ("modified", true),
            ("first_observed", false),
            ("last_observed", false),
        ],
        (Class::Core, "report") => &[("created", true), ("modified", true), ("published", false)],
        (Class::Core, "relationship") => &[
            ("created", true),
            ("modified", true),
            ("start_time", false),
            ("stop_time", false),
        ],
        (Class::Core, "malware-analysis") => &[
            ("created", true),
            ("modified", true),
            ("submitted", false),
            ("analysis_started", false),
            ("analysis_ended", false),
        ],
        (Class::Core, "language-content") => &[
            ("created", true),
            ("modified", true),
            ("object_modified", false),
        ],
        (Class::Core, _) => CORE,
        (Class::Sco, "directory" | "file") => {
            &[("ctime", false), ("mtime", false), ("atime", false)]
        }
        (Class::Sco, "email-message") => &[("date", false)],
        (Class::Sco, "network-traffic") => &[("start", false), ("end", false)],
        (Class::Sco, "process") => &[("created_time", false)],
        (Class::Sco, "windows-registry-key") => &[("modified_time", false)],
        (Class::Sco, "x509-certificate") => &[
            ("validity_not_before", false),
            ("validity_not_after", false),
        ],
        (Class::Sco, "user-account") => &[
            ("account_created", false),
            ("account_expires", false),
            ("credential_last_changed", false),
            ("account_first_login", false),
            ("account_last_login", false),
        ],
        _ => &[],
    }
}

/// Lowercases the hex digits of the `id` and of top-level references (and granular marking refs).
fn lowercase_identifiers(obj: &mut JsonMap, out: &mut Vec<Repair>) {
    for (key, value) in obj.iter_mut() {
        let at = Ptr::ROOT.key(key);
        if key == "id" || key.ends_with("_ref") {
            lowercase_one(value, &at, out);
        } else if key.ends_with("_refs") {
            if let Value::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    lowercase_one(item, &at.index(i), out);
                }
            }
        } else if key == "granular_markings" {
            if let Value::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    if let Some(r) = item.get_mut("marking_ref") {
                        lowercase_one(r, &at.index(i).key("marking_ref"), out);
                    }
                }
            }
        }
    }
}

fn lowercase_one(v: &mut Value, at: &Ptr<'_>, out: &mut Vec<Repair>) {
    let Value::String(s) = v else { return };
    let uppercase = formats::identifier(s).is_ok_and(|id| id.has_uppercase());
    if uppercase {
        let fixed = s.to_ascii_lowercase();
        out.push(Repair {
            pointer: at.render(),
            message: format!("identifier {s:?} had uppercase hex digits; lowercased to {fixed:?}"),
        });
        *s = fixed;
    }
}
