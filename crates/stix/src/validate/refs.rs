//! The cross-object check: references to objects that are nowhere to be found, and repeated
//! versions of one object.

use std::collections::HashSet;

use serde_json::Value;

use super::{code, formats, Finding, Ptr, Severity};
use crate::markings::{tlp_of_marking, TLP2_EXTENSION_ID};
use crate::JsonMap;

/// Collects the ids of the objects of a file and the references they make, then reports the
/// references to objects that are neither in the file nor known to the caller (its store).
///
/// Dangling references are warnings: STIX allows referring to objects a consumer may not have (the
/// OASIS validator does not reject them), but an analyst wants to know.
///
/// ```
/// use threatscape_stix::validate::RefIndex;
/// let mut index = RefIndex::new();
/// let obj = serde_json::json!({
///     "type": "relationship", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
///     "source_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
///     "target_ref": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
/// });
/// index.add(obj.as_object().unwrap());
/// let warnings = index.finish(|id| id.starts_with("malware--"));
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(warnings[0].finding.pointer, "/source_ref");
/// ```
#[derive(Debug, Default)]
pub struct RefIndex {
    ids: HashSet<Box<str>>,
    versions: HashSet<Box<str>>,
    refs: Vec<PendingRef>,
    duplicates: Vec<RefWarning>,
    objects: usize,
}

#[derive(Debug)]
struct PendingRef {
    object: usize,
    reference: Reference,
}

/// One reference an object makes to another object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// JSON pointer inside the referring object (`/object_refs/2`).
    pub pointer: String,
    /// The property that holds it (`object_refs`, `marking_ref`, `extensions`).
    pub property: String,
    /// The id referred to.
    pub target: String,
}

/// Every reference `obj` makes to another object: `*_ref` and `*_refs` properties at any depth
/// (relationship and sighting references, `created_by_ref`, `object_marking_refs`, granular
/// markings' `marking_ref`, references inside extensions and embedded lists) and the extension
/// definitions named in `extensions`. Left out: values that are not identifiers, the TLP marking
/// definitions and the TLP 2.0 extension definition (fixed by the specification, so never missing),
/// and the references of observed-data's deprecated embedded `objects` (they name keys of that map).
pub fn references(obj: &JsonMap) -> Vec<Reference> {
    let mut out = Vec::new();
    for (key, value) in obj {
        if key == "objects" && obj.get("type").and_then(Value::as_str) == Some("observed-data") {
            continue;
        }
        collect(&mut out, &Ptr::ROOT.key(key), key, value);
    }
    out
}

fn collect(out: &mut Vec<Reference>, at: &Ptr<'_>, key: &str, value: &Value) {
    match value {
        Value::String(s) if key.ends_with("_ref") => record(out, at, key, s),
        Value::Array(items) if key.ends_with("_refs") => {
            for (i, item) in items.iter().enumerate() {
                if let Value::String(s) = item {
                    record(out, &at.index(i), key, s);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Value::Object(m) = item {
                    collect_map(out, &at.index(i), m);
                }
            }
        }
        Value::Object(m) => {
            if key == "extensions" {
                for name in m.keys().filter(|n| n.starts_with("extension-definition--")) {
                    record(out, &at.key(name), "extensions", name);
                }
            }
            collect_map(out, at, m);
        }
        _ => {}
    }
}

fn collect_map(out: &mut Vec<Reference>, at: &Ptr<'_>, m: &JsonMap) {
    for (key, value) in m {
        collect(out, &at.key(key), key, value);
    }
}

fn record(out: &mut Vec<Reference>, at: &Ptr<'_>, property: &str, target: &str) {
    if formats::identifier(target).is_err()
        || tlp_of_marking(target).is_some()
        || target == TLP2_EXTENSION_ID
    {
        return;
    }
    out.push(Reference {
        pointer: at.render(),
        property: property.into(),
        target: target.into(),
    });
}

/// A finding about one object that needed the whole file to be seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefWarning {
    /// The object, as the 0-based count of [`RefIndex::add`] calls before it.
    pub object: usize,
    /// The warning (its pointer is inside that object).
    pub finding: Finding,
}

impl RefIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an object: its id as present, and every reference it makes. Returns its index.
    pub fn add(&mut self, obj: &JsonMap) -> usize {
        let object = self.objects;
        self.objects += 1;
        if let Some(id) = obj.get("id").and_then(Value::as_str) {
            if !self.ids.contains(id) {
                self.ids.insert(id.into());
            }
            if let Some(modified) = obj.get("modified").and_then(Value::as_str) {
                let key: Box<str> = format!("{id}\u{0}{modified}").into();
                if !self.versions.insert(key) {
                    self.duplicates.push(RefWarning {
                        object,
                        finding: Finding {
                            severity: Severity::Warning,
                            pointer: "/modified".to_string(),
                            code: code::DUPLICATE_VERSION,
                            message: format!(
                                "{id} appears twice with the same `modified` ({modified}); different versions must have different `modified`"
                            ),
                        },
                    });
                }
            }
        }
        for reference in references(obj) {
            self.refs.push(PendingRef { object, reference });
        }
        object
    }

    /// True when an object with this id has been added.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// The warnings: repeated versions, and references to objects neither added nor `known`.
    pub fn finish(self, mut known: impl FnMut(&str) -> bool) -> Vec<RefWarning> {
        let mut out = self.duplicates;
        for r in self.refs {
            let r = (r.object, r.reference);
            if self.ids.contains(r.1.target.as_str()) || known(&r.1.target) {
                continue;
            }
            out.push(RefWarning {
                object: r.0,
                finding: Finding {
                    severity: Severity::Warning,
                    pointer: r.1.pointer,
                    code: code::DANGLING_REFERENCE,
                    message: format!(
                        "`{}` refers to {}, which is neither in this file nor already known",
                        r.1.property, r.1.target
                    ),
                },
            });
        }
        out.sort_by_key(|w| w.object);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: serde_json::Value) -> JsonMap {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn reports_dangling_references_and_repeated_versions() {
        let identity = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5";
        let mut index = RefIndex::new();
        index.add(&obj(serde_json::json!({"type": "identity", "id": identity, "modified": "2017-01-01T00:00:00.000Z"})));
        index.add(&obj(serde_json::json!({
            "type": "report", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
            "modified": "2017-01-01T00:00:00.000Z",
            "created_by_ref": identity,
            "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
            "object_refs": ["indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2", "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"],
            "granular_markings": [{"marking_ref": "marking-definition--089a6ecb-cc15-43cc-9494-767639779123", "selectors": ["name"]}],
            "extensions": {"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {"extension_type": "property-extension"}}
        })));
        index.add(&obj(serde_json::json!({"type": "identity", "id": identity, "modified": "2017-01-01T00:00:00.000Z"})));
        assert!(index.contains(identity));
        let warnings = index.finish(|id| id.starts_with("malware--"));
        let got: Vec<(usize, &str, &str)> = warnings
            .iter()
            .map(|w| (w.object, w.finding.pointer.as_str(), w.finding.code))
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "/extensions/extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
                    code::DANGLING_REFERENCE
                ),
                (
                    1,
                    "/granular_markings/0/marking_ref",
                    code::DANGLING_REFERENCE
                ),
                (1, "/object_refs/0", code::DANGLING_REFERENCE),
                (2, "/modified", code::DUPLICATE_VERSION),
            ]
        );
    }
}
