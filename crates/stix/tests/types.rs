//! Typed views: lossless round trip on every object of the real datasets, and the edge cases that
//! make a round trip lossy when handled carelessly (nulls, empty lists, `false`, integral floats).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use threatscape_stix::types::{
    ImpactDetail, Incident, IncidentCoreExtension, Typed, INCIDENT_CORE_EXTENSION_ID,
};
use threatscape_stix::JsonMap;

fn map(value: Value) -> JsonMap {
    match value {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Every STIX object in a parsed file: a bundle's objects, an array's items, or the object itself.
fn objects_in(value: Value, out: &mut Vec<JsonMap>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| objects_in(v, out)),
        Value::Object(mut m) => {
            if m.get("type").and_then(Value::as_str) == Some("bundle") {
                if let Some(objects) = m.remove("objects") {
                    objects_in(objects, out);
                }
            } else if m.contains_key("type") {
                out.push(m);
            }
        }
        _ => {}
    }
}

fn json_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        entries.iter().for_each(|p| json_files(p, out));
    } else if path.extension().is_some_and(|e| e == "json") {
        out.push(path.to_path_buf());
    }
}

/// Reads every object under `relative` and checks map -> typed -> map is the identity; returns
/// (objects, typed objects) and adds typed counts per type to `per_type`.
fn check_round_trip(relative: &str, per_type: &mut BTreeMap<String, usize>) -> (usize, usize) {
    let Some(root) = threatscape_testkit::shared_data(relative) else {
        return (0, 0);
    };
    let mut files = Vec::new();
    json_files(&root, &mut files);
    let (mut total, mut typed) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            continue; // not JSON (none expected, but e.g. a README.json would not be STIX)
        };
        let mut objects = Vec::new();
        objects_in(value, &mut objects);
        for obj in objects {
            total += 1;
            match Typed::from_map(&obj) {
                Ok(view) => {
                    if !matches!(view, Typed::Other(_)) {
                        typed += 1;
                        *per_type.entry(view.kind().to_owned()).or_default() += 1;
                        assert_eq!(view.id(), obj.get("id").and_then(Value::as_str));
                    }
                    let back = view.to_map();
                    if back != obj {
                        failures.push(format!(
                            "{}: {} not reproduced:\n  in:  {}\n  out: {}",
                            file.display(),
                            view.kind(),
                            Value::Object(obj.clone()),
                            Value::Object(back)
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", file.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} objects under {relative} failed:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    eprintln!("{relative}: {total} objects, {typed} typed, all reproduced");
    (total, typed)
}

#[test]
fn round_trip_is_lossless_on_every_real_object() {
    let mut per_type = BTreeMap::new();
    let mut total = 0;
    let mut typed = 0;
    for relative in [
        "mitre-attack/ics-attack-18.1.json",
        "mitre-attack/enterprise-attack-18.1-stix20-groups-software.json",
        "stix2-json-schemas/examples",
        "stix2-python-testdata",
        "misp-stix-out",
    ] {
        let (t, ty) = check_round_trip(relative, &mut per_type);
        total += t;
        typed += ty;
    }
    eprintln!("round trip: {total} objects, {typed} typed; typed per type: {per_type:?}");
    if total > 0 {
        // The ICS bundle alone has 1,826 objects; a much smaller total means a reader bug.
        assert!(total > 5000, "only {total} objects found");
        for kind in [
            "attack-pattern",
            "campaign",
            "grouping",
            "identity",
            "indicator",
            "infrastructure",
            "intrusion-set",
            "malware",
            "marking-definition",
            "opinion",
            "relationship",
            "report",
            "sighting",
            "threat-actor",
            "tool",
            "vulnerability",
        ] {
            assert!(per_type.contains_key(kind), "no {kind} was typed");
        }
    }
}

fn round_trip(value: Value) -> Typed {
    let m = map(value);
    let view = Typed::from_map(&m).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.to_map(), m, "not reproduced");
    assert_eq!(view.clone().into_map(), m, "into_map differs");
    view
}

#[test]
fn keeps_false_empty_lists_and_custom_properties() {
    let view = round_trip(json!({
        "type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
        "spec_version": "2.1", "created": "2016-04-06T20:07:09.000Z",
        "modified": "2016-04-06T20:07:09.000Z", "name": "Poison Ivy", "is_family": false,
        "revoked": false, "labels": [], "aliases": [],
        "x_custom": {"nested": [1, 2.5, "x"]}, "x_flag": true
    }));
    let Typed::Malware(m) = view else {
        panic!("not malware")
    };
    assert_eq!(m.is_family, Some(false));
    assert_eq!(m.common.revoked, Some(false));
    assert_eq!(m.common.labels.as_deref(), Some(&[][..]));
    assert_eq!(m.custom.len(), 2);
}

#[test]
fn keeps_numbers_as_received() {
    let view = round_trip(json!({
        "type": "location", "id": "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
        "latitude": 10, "longitude": -33.5, "precision": 1.0, "confidence": 85
    }));
    let Typed::Location(l) = view else {
        panic!("not a location")
    };
    assert_eq!(l.latitude.as_ref().and_then(|n| n.as_f64()), Some(10.0));
    assert_eq!(
        serde_json::to_string(&l.latitude).unwrap(),
        "10",
        "an integer stays an integer"
    );
    assert_eq!(serde_json::to_string(&l.precision).unwrap(), "1.0");
    assert_eq!(l.common.confidence, Some(85));
}

#[test]
fn keeps_top_level_nulls() {
    let view = round_trip(json!({
        "type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
        "valid_from": "2020-01-01T00:00:00Z", "description": null, "extensions": null,
        "x_null": null
    }));
    let Typed::Indicator(i) = view else {
        panic!("not an indicator")
    };
    assert_eq!(i.description, None);
    assert_eq!(i.custom.get("description"), Some(&Value::Null));
}

#[test]
fn refuses_to_drop_nested_nulls() {
    let m = map(json!({
        "type": "attack-pattern", "id": "attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5",
        "name": "Spearphishing Attachment",
        "external_references": [{"source_name": "capec", "url": null}]
    }));
    let err = Typed::from_map(&m).unwrap_err();
    assert_eq!(err.kind, "attack-pattern");
    assert_eq!(err.pointer, "/external_references/0/url");
    // A null where the nested struct keeps custom properties survives.
    round_trip(json!({
        "type": "attack-pattern", "id": "attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5",
        "name": "Spearphishing Attachment",
        "external_references": [{"source_name": "capec", "x_note": null}],
        "extensions": {"x-ext": {"a": null}}
    }));
}

#[test]
fn errors_name_the_type_and_the_offending_value() {
    let m = map(json!({
        "type": "relationship", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
        "relationship_type": "uses", "source_ref": "intrusion-set--1", "target_ref": "malware--2",
        "external_references": [{"source_name": "a"}, {"source_name": 7}]
    }));
    let err = Typed::from_map(&m).unwrap_err();
    assert_eq!(err.kind, "relationship");
    assert_eq!(err.id, "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad");
    assert_eq!(err.pointer, "/external_references/1/source_name");
    assert!(err.reason.contains("expected a string"), "{}", err.reason);
    assert!(err.to_string().contains("/external_references/1"), "{err}");

    let missing =
        map(json!({"type": "report", "id": "report--1", "published": "2020-01-01T00:00:00Z"}));
    let err = Typed::from_map(&missing).unwrap_err();
    assert_eq!(err.pointer, "");
    assert!(
        err.reason.contains("missing field `name`"),
        "{}",
        err.reason
    );

    let no_type = map(json!({"id": "x--1"}));
    assert_eq!(Typed::from_map(&no_type).unwrap_err().pointer, "/type");
}

#[test]
fn other_types_stay_generic() {
    let view = round_trip(json!({
        "type": "x-mitre-tactic", "id": "x-mitre-tactic--1", "name": "Impact",
        "x_mitre_shortname": "impact"
    }));
    assert!(matches!(view, Typed::Other(_)));
    assert_eq!(view.kind(), "x-mitre-tactic");
    assert_eq!(view.id(), Some("x-mitre-tactic--1"));
    assert!(view.common().is_none());
}

#[test]
fn reads_the_incident_core_extension() {
    // Version 2.0 of the extension, after the suite's own examples.
    let view = round_trip(json!({
        "type": "incident", "spec_version": "2.1",
        "id": "incident--7b8b2b0e-8e7c-4a4c-9f1b-1c5e3c0e8d11",
        "created": "2023-06-01T10:00:00.000Z", "modified": "2023-06-02T10:00:00.000Z",
        "name": "Ransomware at a water utility",
        "first_seen": "2023-05-30T00:00:00Z",
        "extensions": {
            INCIDENT_CORE_EXTENSION_ID: {
                "extension_type": "property-extension",
                "determination": "successful-attempt",
                "investigation_status": "open",
                "criticality": 85,
                "recoverability": "supplemented",
                "incident_types": ["ransomware"],
                "detection_methods": ["external-notification"],
                "impacted_entity_counts": {"organizations": 1, "individuals": 12000},
                "scores": [{"name": "triage", "value": 7.5}],
                "impact_refs": ["impact--0b0d4a6e-5f0b-4a55-8a3e-6c1c7b7e1f00"],
                "events": [{"event_ref": "event--1", "sequence_start": true,
                            "next_steps": [{"condition_type": "required", "event_ref": "event--2",
                                            "transition_type": "success"}]}]
            },
            "x-other-extension": {"k": 1}
        }
    }));
    let Typed::Incident(incident) = view else {
        panic!("not an incident")
    };
    assert_eq!(incident.first_seen.as_deref(), Some("2023-05-30T00:00:00Z"));
    let core = incident.core().unwrap().unwrap();
    assert_eq!(core.determination.as_deref(), Some("successful-attempt"));
    assert_eq!(core.investigation_status.as_deref(), Some("open"));
    assert_eq!(core.criticality, Some(85));
    assert_eq!(core.recoverability.as_deref(), Some("supplemented"));
    assert_eq!(
        core.impacted_entity_counts.as_ref().unwrap()["individuals"],
        12000
    );
    assert_eq!(core.scores.as_ref().unwrap()[0].value.as_f64(), Some(7.5));
    let events = core.events.as_ref().unwrap();
    assert_eq!(
        events[0].next_steps.as_ref().unwrap()[0]
            .event_ref
            .as_deref(),
        Some("event--2")
    );

    // Writing the extension back through the typed struct loses nothing either.
    let mut copy: Incident = (*incident).clone();
    copy.set_core(&core);
    assert_eq!(
        Typed::Incident(Box::new(copy)).to_map(),
        Typed::Incident(incident).to_map()
    );
}

#[test]
fn reads_version_1_inline_impacts() {
    let core: IncidentCoreExtension = serde_json::from_value(json!({
        "extension_type": "property-extension", "determination": "confirmed",
        "investigation_status": "closed",
        "availability_impacts": [{"availability_impact": 90, "recoverability": "extended",
                                  "impacted_refs": ["infrastructure--1"]}],
        "monetary_impacts": [{"variety": "ransom-demand", "currency": "USD",
                              "min_amount": 4400000, "max_amount": 4400000.0, "x_paid": true}],
        "physical_impacts": [{"impact_type": "none"}]
    }))
    .unwrap();
    let availability = &core.availability_impacts.as_ref().unwrap()[0];
    assert_eq!(availability.detail.availability_impact, 90);
    assert_eq!(availability.recoverability.as_deref(), Some("extended"));
    let monetary = &core.monetary_impacts.as_ref().unwrap()[0];
    assert_eq!(monetary.detail.currency.as_deref(), Some("USD"));
    assert_eq!(monetary.detail.custom.get("x_paid"), Some(&json!(true)));
    let back = serde_json::to_value(&core).unwrap();
    assert_eq!(back["monetary_impacts"][0]["min_amount"], json!(4400000));
    assert_eq!(
        back["monetary_impacts"][0]["max_amount"].to_string(),
        "4400000.0"
    );
}

#[test]
fn reads_impact_objects_by_category() {
    let view = round_trip(json!({
        "type": "impact", "spec_version": "2.1",
        "id": "impact--0b0d4a6e-5f0b-4a55-8a3e-6c1c7b7e1f00",
        "created": "2023-06-01T10:00:00.000Z", "modified": "2023-06-01T10:00:00.000Z",
        "impact_category": "confidentiality", "criticality": 60,
        "start_time": "2023-05-30T00:00:00Z", "start_time_fidelity": "day",
        "impacted_refs": ["identity--1"],
        "extensions": {
            "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9": {"extension_type": "new-sdo"},
            "confidentiality": {"information_type": "pii", "loss_type": "confirmed-loss", "record_count": 12000}
        }
    }));
    let Typed::Impact(impact) = view else {
        panic!("not an impact")
    };
    match impact.detail().unwrap().unwrap() {
        ImpactDetail::Confidentiality(c) => {
            assert_eq!(c.loss_type, "confirmed-loss");
            assert_eq!(c.record_count, Some(12000));
        }
        other => panic!("wrong detail {other:?}"),
    }
}

#[test]
fn reads_tlp_markings_of_both_generations() {
    let tlp2 = round_trip(json!({
        "type": "marking-definition", "spec_version": "2.1",
        "id": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:GREEN",
        "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                       {"extension_type": "property-extension", "tlp_2_0": "green"}}
    }));
    let Typed::MarkingDefinition(m) = tlp2 else {
        panic!("not a marking")
    };
    assert_eq!(m.tlp_level().as_deref(), Some("green"));
    assert_eq!(m.tlp2().unwrap().unwrap().tlp_2_0, "green");

    let tlp1 = round_trip(json!({
        "type": "marking-definition", "spec_version": "2.1",
        "id": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER",
        "definition": {"tlp": "amber"}
    }));
    let Typed::MarkingDefinition(m) = tlp1 else {
        panic!("not a marking")
    };
    assert_eq!(m.tlp_level().as_deref(), Some("amber"));
    assert!(m.tlp2().is_none());

    let statement = round_trip(json!({
        "type": "marking-definition", "id": "marking-definition--1", "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "statement", "definition": {"statement": "Copyright 2019, Example Corp"}
    }));
    let Typed::MarkingDefinition(m) = statement else {
        panic!("not a marking")
    };
    assert!(m.tlp_level().is_none());
    assert!(m.definition.unwrap().statement.is_some());
}

#[test]
fn extension_errors_point_into_the_extension() {
    let view = round_trip(json!({
        "type": "incident", "id": "incident--1", "name": "x",
        "extensions": {INCIDENT_CORE_EXTENSION_ID: {"criticality": "high"}}
    }));
    let Typed::Incident(incident) = view else {
        panic!("not an incident")
    };
    let err = incident.core().unwrap().unwrap_err();
    assert_eq!(
        err.pointer,
        "/extensions/extension-definition--ef765651-680c-498d-9894-99799f2fa126"
    );
}
