//! TLP data markings: the well-known marking-definition ids of TLP 1.0 (STIX 2.1 section 7.2.1.4)
//! and TLP 2.0 (the OASIS TLP 2.0 extension), and the TLP level of a marked object.

use threatscape_model::Tlp;

use crate::JsonMap;

/// The extension definition that carries TLP 2.0 levels in marking-definition objects.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// Well-known TLP marking-definition ids and their levels (TLP 1.0 WHITE reads as CLEAR).
pub const TLP_MARKINGS: [(&str, Tlp); 9] = [
    // TLP 1.0, defined in the STIX 2.1 specification.
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
    ),
    // TLP 2.0, defined by the OASIS TLP 2.0 marking extension.
    (
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp::Clear,
    ),
    (
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp::Green,
    ),
    (
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp::Amber,
    ),
    (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::AmberStrict,
    ),
    (
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        Tlp::Red,
    ),
];

/// The TLP level of a well-known marking-definition id.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    TLP_MARKINGS.iter().find(|(m, _)| *m == id).map(|(_, t)| *t)
}

/// The TLP 2.0 marking-definition id for a level.
pub fn tlp2_marking_id(tlp: Tlp) -> &'static str {
    TLP_MARKINGS[4..]
        .iter()
        .find(|(_, t)| *t == tlp)
        .map(|(m, _)| *m)
        .expect("every level has a TLP 2.0 marking")
}

/// The most restrictive TLP level among the object's `object_marking_refs`, if it has any.
///
/// Granular markings restrict parts of an object; the object as a whole is released at the most
/// restrictive level any of its parts carries, so they count too. A marking-definition object that
/// itself defines a TLP level (1.0 `definition.tlp` or the 2.0 extension) is released as CLEAR.
pub fn tlp_of(obj: &JsonMap) -> Option<Tlp> {
    let object_level = obj
        .get("object_marking_refs")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(tlp_of_marking));
    let granular_level = obj
        .get("granular_markings")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|g| {
            g.get("marking_ref")
                .and_then(|v| v.as_str())
                .and_then(tlp_of_marking)
        });
    object_level.chain(granular_level).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_most_restrictive_level() {
        let obj: JsonMap = serde_json::from_str(&format!(
            r#"{{"object_marking_refs": ["{}", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
                "granular_markings": [{{"marking_ref": "{}", "selectors": ["description"]}}]}}"#,
            tlp2_marking_id(Tlp::Clear),
            tlp2_marking_id(Tlp::AmberStrict)
        ))
        .unwrap();
        assert_eq!(tlp_of(&obj), Some(Tlp::AmberStrict));
        assert_eq!(tlp_of(&JsonMap::new()), None);
        for t in Tlp::ALL {
            assert_eq!(tlp_of_marking(tlp2_marking_id(t)), Some(t));
        }
    }
}
