//! The canonical form of a STIX object: the form stored, compared and exported.
//!
//! Compact JSON with object keys in sorted order at every level, strings (timestamps included)
//! exactly as received, numbers as parsed (serde_json's `float_roundtrip` keeps them exact). Two
//! objects are the same version when their canonical forms are byte-equal; ingest -> export ->
//! ingest reproduces it byte for byte.

use crate::JsonMap;

/// Writes `obj` in canonical form.
pub fn to_canonical(obj: &JsonMap) -> String {
    // serde_json's Map is a BTreeMap in this build (no `preserve_order` feature anywhere in the
    // workspace), so serialising in iteration order sorts keys at every depth.
    serde_json::to_string(obj).expect("a JSON map always serialises")
}

/// Appends `obj` in canonical form to `out` (no intermediate string).
pub fn write_canonical(out: &mut Vec<u8>, obj: &JsonMap) {
    serde_json::to_writer(out, obj).expect("writing JSON to memory cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_at_every_depth_and_keeps_values_as_received() {
        let obj: JsonMap = serde_json::from_str(
            r#"{"z": 1, "created": "2017-01-01T00:00:00.1Z", "a": {"y": [3, {"b": 0.1, "a": 1e2}], "x": "é\n"}}"#,
        )
        .unwrap();
        assert_eq!(
            to_canonical(&obj),
            r#"{"a":{"x":"é\n","y":[3,{"a":100.0,"b":0.1}]},"created":"2017-01-01T00:00:00.1Z","z":1}"#
        );
        let again: JsonMap = serde_json::from_str(&to_canonical(&obj)).unwrap();
        assert_eq!(to_canonical(&again), to_canonical(&obj));
    }
}
