//! The STIX 2.1 validator: agreement with the OASIS validator on real files, and one table-driven
//! check per rule (valid and invalid), repairs, and the cross-object reference index.

use std::path::Path;

use serde_json::{json, Value};
use threatscape_stix::upgrade;
use threatscape_stix::validate::{code, validate_object, Outcome, RefIndex, Severity};

/// The OASIS validator's verdict on every file of the shared STIX test corpora, obtained with the
/// peer (`../shared/peers/validate-stix FILE`, stix2-validator 3.3.2, default options, one file a
/// run) on 2026-11-26. `true` = valid (exit 0), `false` = invalid (exit 2, or 16 for broken JSON).
const OASIS_VERDICTS: &[(&str, bool)] = &[
    ("stix2-validator-testdata/identity.json", true),
    ("stix2-validator-testdata/identity_custom.json", true),
    ("stix2-validator-testdata/identity_unicode.json", true),
    ("stix2-validator-testdata/identity_warning.json", true),
    ("stix2-validator-testdata/invalid_braces.json", false),
    ("stix2-validator-testdata/invalid_comma.json", false),
    ("stix2-validator-testdata/invalid_identity.json", false),
    ("stix2-validator-testdata/invalid_timestamp.json", false),
    ("stix2-validator-testdata/tlp-amber.json", true),
    ("stix2-validator-testdata/tool.json", true),
    ("misp-stix-out/57c4445b-c548-4654-af0b-4be3950d210f.stix21.json", true),
    ("misp-stix-out/HTML_event.stix21.json", false),
    ("misp-stix-out/existing_event.stix21.json", true),
    ("misp-stix-out/long_event.stix21.json", false),
    ("misp-stix-out/mainly_objects_1.stix21.json", true),
    ("misp-stix-out/mainly_objects_2.stix21.json", true),
    ("misp-stix-out/to_delete1.stix21.json", false),
    ("misp-stix-out/to_delete2.stix21.json", true),
    ("misp-stix-out/to_delete3.stix21.json", false),
    ("misp-stix-out/very_long_event.stix21.json", true),
    ("stix2-json-schemas/examples/indicator-for-c2-ip-address.json", true),
    ("stix2-json-schemas/examples/indicator-to-campaign-relationship.json", true),
    ("stix2-json-schemas/examples/indicators-for-C2-with-COA.json", true),
    ("stix2-json-schemas/examples/infrastructure.json", true),
    ("stix2-json-schemas/examples/interop-objectmarking-test.json", true),
    ("stix2-json-schemas/examples/malicious-email-indicator-with-attachment.json", true),
    ("stix2-json-schemas/examples/threat-reports/apt1.json", true),
    ("stix2-json-schemas/examples/threat-reports/poisonivy.json", true),
    ("stix2-python-testdata/sco-examples-bundle.json", false),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--0a3ead4e-6d47-4ccb-854c-a6a4f9d96b22/20170531213019735010.json", true),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--0f20e3cb-245b-4a61-8a91-2d93f7cb0e9b/20170531213026496201.json", true),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--774a3188-6ba9-4dc4-879d-d54ee48a5ce9/20170531213029458940.json", true),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--7e150503-88e7-4861-866b-ff1ac82c4475/20170531213045139269.json", true),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--ae676644-d2d2-41b7-af7e-9bed1b55898c/20170531213041022897.json", true),
    ("stix2-python-testdata/stix2_data/attack-pattern/attack-pattern--b3d682b6-98f2-4fb0-aa3b-b4df007ca70a/20170531213032662702.json", true),
    ("stix2-python-testdata/stix2_data/course-of-action/course-of-action--95ddb356-7ba0-4bd9-a889-247262b8946f/20170531213026495974.json", true),
    ("stix2-python-testdata/stix2_data/course-of-action/course-of-action--d9727aee-48b8-4fdb-89e2-4c49746ba4dd/20170531213041022744.json", true),
    ("stix2-python-testdata/stix2_data/directory/directory--572827aa-e0cd-44fd-afd5-a717a7585f39.json", true),
    ("stix2-python-testdata/stix2_data/identity/identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5/20170601000000000000.json", true),
    ("stix2-python-testdata/stix2_data/identity/identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5/20181101232448446000.json", true),
    ("stix2-python-testdata/stix2_data/intrusion-set/intrusion-set--a653431d-6a5e-4600-8ad3-609b5af57064/20170531213149412497.json", true),
    ("stix2-python-testdata/stix2_data/intrusion-set/intrusion-set--f3bdec95-3d62-42d9-a840-29630f6cdc1a/20170531213153197755.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--6b616fc1-1505-48e3-8b2c-0d19337bff38.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--6b616fc1-1505-48e3-8b2c-0d19337bff38/20170531213258226477.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--6b616fc1-1505-48e3-8b2c-0d19337bff38/20181101232448456000.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--6b616fc1-1505-48e3-8b2c-0d19337bff38/20181101232448457000.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--92ec0cbd-2c30-44a2-b270-73f4ec949841/20170531213326565056.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--96b08451-b27a-4ff6-893f-790e26393a8e/20170531213248482655.json", true),
    ("stix2-python-testdata/stix2_data/malware/malware--b42378e0-f147-496f-992a-26a49705395b/20170531213215263882.json", true),
    ("stix2-python-testdata/stix2_data/marking-definition/marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--0d4a7788-7f3b-4df8-a498-31a38003c883/20170531213327182784.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--0e55ee98-0c6d-43d4-b424-b18a0036b227/20170531213327082801.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--1e91cd45-a725-4965-abe3-700694374432/20170531213327018782.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--3a3084f9-0302-4fd5-9b8a-e0db10f5345e/20170531213327100701.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--3a3ed0b2-0c38-441f-ac40-53b873e545d1/20170531213327143973.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--592d0c31-e61f-495e-a60e-70d7be59a719/20170531213327021562.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--70dc6b5c-c524-429e-a6ab-0dd40f0482c1/20170531213327044387.json", true),
    ("stix2-python-testdata/stix2_data/relationship/relationship--8797579b-e3be-4209-a71b-255a4d08243d/20170531213327051532.json", true),
    ("stix2-python-testdata/stix2_data/tool/tool--03342581-f790-4f03-ba41-e82e67392e23/20170531213231601148.json", true),
    ("stix2-python-testdata/stix2_data/tool/tool--242f3da3-4425-4d11-8f5c-b842886da966/20170531213212684914.json", true),
];

/// Our strict verdict on a file, read the way the OASIS validator reads it: a bundle (its envelope,
/// then each object; objects of a STIX 2.0 bundle are upgraded first, as ingest does), a bare list of
/// objects, or one object. Broken JSON is invalid. Returns the errors found, with their locations.
fn strict_errors(path: &Path) -> Vec<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return vec![format!("cannot read: {e}")],
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return vec![format!("broken JSON: {e}")],
    };
    let mut errors = Vec::new();
    match value {
        Value::Object(mut bundle)
            if bundle.get("type").and_then(Value::as_str) == Some("bundle") =>
        {
            check_item(
                Value::Object(bundle.clone()),
                None,
                String::new(),
                &mut errors,
            );
            let version = bundle
                .get("spec_version")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(Value::Array(items)) = bundle.remove("objects") {
                for (i, item) in items.into_iter().enumerate() {
                    check_item(
                        item,
                        version.as_deref(),
                        format!("/objects/{i}"),
                        &mut errors,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                check_item(item, None, format!("/{i}"), &mut errors);
            }
        }
        other => check_item(other, None, String::new(), &mut errors),
    }
    errors
}

fn check_item(item: Value, bundle_version: Option<&str>, at: String, errors: &mut Vec<String>) {
    let Value::Object(mut obj) = item else {
        errors.push(format!("{at}: not a JSON object"));
        return;
    };
    if upgrade::is_stix20(&obj, bundle_version) {
        upgrade::upgrade_20_to_21(&mut obj);
    }
    let outcome = validate_object(&mut obj, false);
    for f in outcome.errors() {
        errors.push(format!("{at}{}: {} ({})", f.pointer, f.message, f.code));
    }
}

#[test]
fn strict_verdicts_agree_with_the_oasis_validator() {
    let Some(data) = threatscape_testkit::shared_data("stix2-validator-testdata") else {
        return;
    };
    let data = data.parent().expect("the data folder").to_path_buf();
    let mut disagreements = Vec::new();
    for (file, oasis_valid) in OASIS_VERDICTS {
        let errors = strict_errors(&data.join(file));
        let ours = errors.is_empty();
        if ours != *oasis_valid {
            disagreements.push(format!(
                "{file}: OASIS says {}, we say {}{}",
                if *oasis_valid { "valid" } else { "invalid" },
                if ours { "valid" } else { "invalid" },
                errors
                    .iter()
                    .take(5)
                    .map(|e| format!("\n    {e}"))
                    .collect::<String>()
            ));
        }
    }
    let agree = OASIS_VERDICTS.len() - disagreements.len();
    eprintln!("agree {agree}/{}", OASIS_VERDICTS.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// One check per rule.

const T: &str = "2016-04-06T20:03:48.000Z";
const T_LATER: &str = "2017-01-01T00:00:00.000Z";
const UUID4: &str = "2f2ba6b9-6a21-4b8e-9b2c-3d9c0c1b6a11";
const UUID5: &str = "e277603e-1060-5ad4-9937-c26c97f1ca68";
const IDENTITY: &str = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5";
const MALWARE: &str = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
const INDICATOR: &str = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
const TLP_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
const EXT_DEF: &str = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
const DELETE: &str = "__delete__";

/// `base` with the members of `changes` set (or removed when the change is [`DELETE`]).
fn with(mut base: Value, changes: Value) -> Value {
    let obj = base.as_object_mut().expect("an object");
    for (k, v) in changes.as_object().expect("an object of changes") {
        if v == DELETE {
            obj.remove(k);
        } else {
            obj.insert(k.clone(), v.clone());
        }
    }
    base
}

/// A valid domain (or relationship, or meta) object of type `ty` with `extra` properties.
fn sdo(ty: &str, extra: Value) -> Value {
    with(
        json!({"type": ty, "spec_version": "2.1", "id": format!("{ty}--{UUID4}"), "created": T, "modified": T}),
        extra,
    )
}

/// A valid cyber-observable of type `ty` with `extra` properties.
fn sco(ty: &str, extra: Value) -> Value {
    with(
        json!({"type": ty, "spec_version": "2.1", "id": format!("{ty}--{UUID5}")}),
        extra,
    )
}

fn indicator() -> Value {
    sdo(
        "indicator",
        json!({
            "name": "Poison Ivy C2", "description": "Its command and control address.",
            "indicator_types": ["malicious-activity"],
            "pattern": "[ipv4-addr:value = '198.51.100.3']", "pattern_type": "stix",
            "valid_from": "2016-01-01T00:00:00Z"
        }),
    )
}

fn relationship() -> Value {
    sdo(
        "relationship",
        json!({"relationship_type": "indicates", "source_ref": INDICATOR, "target_ref": MALWARE}),
    )
}

fn tlp_white() -> Value {
    json!({
        "type": "marking-definition", "spec_version": "2.1", "id": TLP_WHITE,
        "created": "2017-01-20T00:00:00.000Z", "name": "TLP:WHITE",
        "definition_type": "tlp", "definition": {"tlp": "white"}
    })
}

/// A rule case: an object, the error codes it must produce (exactly) and warning codes it must
/// produce (at least). `oasis_differs` is empty when the OASIS validator gives the same verdict
/// (checked with [`export_rule_cases`] and the peer), else why it does not.
struct Case {
    name: &'static str,
    obj: Value,
    errors: &'static [&'static str],
    warnings: &'static [&'static str],
    oasis_differs: &'static str,
}

fn cases() -> Vec<Case> {
    use code::*;
    let mut out = Vec::new();
    macro_rules! case {
        ($name:literal, $obj:expr, [$($e:expr),*], [$($w:expr),*]) => {
            case!($name, $obj, [$($e),*], [$($w),*], "")
        };
        ($name:literal, $obj:expr, [$($e:expr),*], [$($w:expr),*], $why:literal) => {
            out.push(Case { name: $name, obj: $obj, errors: &[$($e),*], warnings: &[$($w),*], oasis_differs: $why })
        };
    }

    // type and id
    case!("valid-indicator", indicator(), [], []);
    case!(
        "type-missing",
        with(indicator(), json!({"type": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "type-uppercase",
        with(indicator(), json!({"type": "Indicator"})),
        [TYPE_NAME, ID_TYPE_MISMATCH],
        []
    );
    case!(
        "type-too-short",
        sco("ab", json!({"id": format!("ab--{UUID4}")})),
        [TYPE_NAME, IDENTIFIER],
        []
    );
    case!(
        "type-double-hyphen",
        sco("x--a", json!({"id": format!("x--a--{UUID4}")})),
        [TYPE_NAME],
        []
    );
    case!(
        "id-missing",
        with(indicator(), json!({"id": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "id-not-uuid",
        with(indicator(), json!({"id": "indicator--1234"})),
        [IDENTIFIER],
        []
    );
    case!(
        "id-uuid-v7",
        with(
            indicator(),
            json!({"id": "indicator--018f4a3c-9d2e-7b1a-8c3d-4e5f6a7b8c9d"})
        ),
        [IDENTIFIER],
        []
    );
    case!(
        "id-other-type",
        with(indicator(), json!({"id": MALWARE})),
        [ID_TYPE_MISMATCH],
        []
    );
    case!(
        "id-custom-type-mismatch",
        sdo(
            "x-acme-widget",
            json!({"id": format!("x-acme-gadget--{UUID4}")})
        ),
        [ID_TYPE_MISMATCH],
        [CUSTOM_TYPE],
        "the OASIS validator checks the id prefix only for the types the specification defines"
    );
    case!(
        "id-uppercase",
        with(
            indicator(),
            json!({"id": "indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F"})
        ),
        [],
        [UPPERCASE_ID]
    );
    case!(
        "id-uuid-v1",
        with(
            indicator(),
            json!({"id": "indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8"})
        ),
        [],
        [UUID_RECOMMENDED]
    );

    // spec_version
    case!(
        "spec-version-missing",
        with(indicator(), json!({"spec_version": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "spec-version-2.0",
        with(indicator(), json!({"spec_version": "2.0"})),
        [SPEC_VERSION],
        [],
        "the OASIS schemas accept spec_version 2.0 on a 2.1 object; ingest upgrades 2.0 objects before validating"
    );
    case!(
        "spec-version-2.2",
        with(indicator(), json!({"spec_version": "2.2"})),
        [SPEC_VERSION],
        []
    );
    case!(
        "spec-version-number",
        with(indicator(), json!({"spec_version": 2.1})),
        [WRONG_TYPE],
        []
    );

    // timestamps
    case!(
        "created-missing",
        with(indicator(), json!({"created": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "modified-missing",
        with(indicator(), json!({"modified": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "created-date-only",
        with(indicator(), json!({"created": "2016-04-06"})),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "created-lowercase-t",
        with(indicator(), json!({"created": "2016-04-06t20:03:48.000Z"})),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "created-offset",
        with(
            indicator(),
            json!({"created": "2016-04-06T20:03:48.000+00:00"})
        ),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "created-february-30",
        with(
            indicator(),
            json!({"created": "2016-02-30T20:03:48.000Z", "modified": T_LATER})
        ),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "created-not-leap-year",
        with(
            indicator(),
            json!({"created": "2015-02-29T20:03:48.000Z", "modified": T_LATER})
        ),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "created-leap-year",
        with(indicator(), json!({"created": "2016-02-29T20:03:48.000Z"})),
        [],
        []
    );
    case!(
        "created-seconds-only",
        with(indicator(), json!({"created": "2016-04-06T20:03:48Z"})),
        [TIMESTAMP_PRECISION],
        []
    );
    case!(
        "created-centiseconds",
        with(
            indicator(),
            json!({"created": "2016-04-06T20:03:48.12Z", "modified": T_LATER})
        ),
        [TIMESTAMP_PRECISION],
        []
    );
    case!(
        "created-microseconds",
        with(
            indicator(),
            json!({"created": "2016-04-06T20:03:48.000001Z", "modified": T_LATER})
        ),
        [],
        []
    );
    case!(
        "modified-before-created",
        with(indicator(), json!({"created": T_LATER})),
        [TIMESTAMP_ORDER],
        []
    );
    case!(
        "valid-from-seconds-ok",
        with(indicator(), json!({"valid_from": "2016-01-01T00:00:00Z"})),
        [],
        []
    );
    case!(
        "valid-until-equal",
        with(indicator(), json!({"valid_until": "2016-01-01T00:00:00Z"})),
        [TIMESTAMP_ORDER],
        []
    );
    case!(
        "valid-until-later",
        with(
            indicator(),
            json!({"valid_until": "2016-01-01T00:00:00.001Z"})
        ),
        [],
        []
    );

    // common property types
    case!(
        "confidence-range",
        with(indicator(), json!({"confidence": 101})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "confidence-string",
        with(indicator(), json!({"confidence": "50"})),
        [WRONG_TYPE],
        []
    );
    case!(
        "confidence-integral-float",
        with(indicator(), json!({"confidence": 50.0})),
        [],
        []
    );
    case!(
        "confidence-fraction",
        with(indicator(), json!({"confidence": 50.5})),
        [WRONG_TYPE],
        []
    );
    case!(
        "labels-empty",
        with(indicator(), json!({"labels": []})),
        [EMPTY],
        []
    );
    case!(
        "labels-string",
        with(indicator(), json!({"labels": "x"})),
        [WRONG_TYPE],
        []
    );
    case!(
        "labels-null",
        with(indicator(), json!({"labels": null})),
        [NULL_VALUE],
        []
    );
    case!(
        "revoked-string",
        with(indicator(), json!({"revoked": "yes"})),
        [WRONG_TYPE],
        []
    );
    case!("lang-ok", with(indicator(), json!({"lang": "fr"})), [], []);
    case!(
        "lang-unknown",
        with(indicator(), json!({"lang": "french"})),
        [LANGUAGE],
        []
    );
    case!(
        "name-number",
        with(indicator(), json!({"name": 3})),
        [WRONG_TYPE],
        []
    );

    // references
    case!(
        "created-by-identity",
        with(indicator(), json!({"created_by_ref": IDENTITY})),
        [],
        []
    );
    case!(
        "created-by-malware",
        with(indicator(), json!({"created_by_ref": MALWARE})),
        [REFERENCE_TYPE],
        [],
        "the OASIS validator checks only that created_by_ref is an identifier"
    );
    case!(
        "created-by-garbage",
        with(indicator(), json!({"created_by_ref": "someone"})),
        [IDENTIFIER],
        []
    );
    case!(
        "markings-tlp",
        with(indicator(), json!({"object_marking_refs": [TLP_WHITE]})),
        [],
        []
    );
    case!(
        "markings-empty",
        with(indicator(), json!({"object_marking_refs": []})),
        [EMPTY],
        []
    );
    case!(
        "markings-identity",
        with(indicator(), json!({"object_marking_refs": [IDENTITY]})),
        [REFERENCE_TYPE],
        [],
        "the OASIS validator checks only that object_marking_refs holds identifiers"
    );

    // external references
    let ext = |r: Value| with(indicator(), json!({"external_references": [r]}));
    case!(
        "extref-ok",
        ext(json!({"source_name": "vendor", "url": "https://example.com/report"})),
        [],
        []
    );
    case!(
        "extref-cve-ok",
        ext(json!({"source_name": "cve", "external_id": "CVE-2016-1234"})),
        [],
        []
    );
    case!(
        "extref-source-only",
        ext(json!({"source_name": "vendor"})),
        [EXTERNAL_REFERENCE],
        []
    );
    case!(
        "extref-no-source",
        ext(json!({"url": "https://example.com"})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "extref-cve-malformed",
        ext(json!({"source_name": "cve", "external_id": "CVE-2016-1"})),
        [EXTERNAL_REFERENCE],
        []
    );
    case!(
        "extref-capec-no-id",
        ext(json!({"source_name": "capec", "description": "x"})),
        [EXTERNAL_REFERENCE],
        []
    );
    case!(
        "extref-cve-id-elsewhere",
        ext(json!({"source_name": "nvd", "external_id": "CVE-2016-1234"})),
        [EXTERNAL_REFERENCE],
        []
    );
    case!(
        "extref-url-not-uri",
        ext(json!({"source_name": "vendor", "url": "example.com/report"})),
        [FORMAT],
        []
    );
    case!(
        "extref-hash-ok",
        ext(
            json!({"source_name": "v", "url": "https://e.com", "hashes": {"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"}})
        ),
        [],
        []
    );
    case!(
        "extref-hash-bad",
        ext(json!({"source_name": "v", "url": "https://e.com", "hashes": {"MD5": "xyz"}})),
        [FORMAT],
        []
    );
    case!(
        "extref-hash-custom",
        ext(json!({"source_name": "v", "url": "https://e.com", "hashes": {"x_acme": "abc"}})),
        [EXTERNAL_REFERENCE],
        []
    );

    // kill chain phases
    let kcp = |p: Value| with(indicator(), json!({"kill_chain_phases": [p]}));
    case!(
        "kill-chain-ok",
        kcp(
            json!({"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"})
        ),
        [],
        []
    );
    case!(
        "kill-chain-no-phase",
        kcp(json!({"kill_chain_name": "lockheed-martin-cyber-kill-chain"})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "kill-chain-style",
        kcp(json!({"kill_chain_name": "misp-category", "phase_name": "Payload delivery"})),
        [],
        [KILL_CHAIN_NAME]
    );

    // granular markings
    let gm = |m: Value| with(indicator(), json!({"granular_markings": [m]}));
    case!(
        "granular-ok",
        gm(json!({"marking_ref": TLP_WHITE, "selectors": ["description", "indicator_types.[0]"]})),
        [],
        []
    );
    case!(
        "granular-selector-missing-property",
        gm(json!({"marking_ref": TLP_WHITE, "selectors": ["labels"]})),
        [SELECTOR],
        []
    );
    case!(
        "granular-selector-bad-index",
        gm(json!({"marking_ref": TLP_WHITE, "selectors": ["indicator_types.[3]"]})),
        [SELECTOR],
        []
    );
    case!(
        "granular-selector-malformed",
        gm(json!({"marking_ref": TLP_WHITE, "selectors": ["Description"]})),
        [SELECTOR],
        []
    );
    case!(
        "granular-no-selectors",
        gm(json!({"marking_ref": TLP_WHITE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "granular-empty-selectors",
        gm(json!({"marking_ref": TLP_WHITE, "selectors": []})),
        [EMPTY],
        []
    );
    case!(
        "granular-ref-identity",
        gm(json!({"marking_ref": IDENTITY, "selectors": ["description"]})),
        [REFERENCE_TYPE],
        []
    );
    case!(
        "granular-ref-and-lang",
        gm(json!({"marking_ref": TLP_WHITE, "lang": "en", "selectors": ["description"]})),
        [COMBINATION],
        [],
        "the OASIS schema does not enforce that marking_ref and lang exclude each other"
    );
    case!(
        "granular-lang-only",
        gm(json!({"lang": "en", "selectors": ["description"]})),
        [],
        [],
        "the OASIS schema requires marking_ref in every granular marking; the specification allows lang instead"
    );

    // extensions
    let exts = |e: Value| with(indicator(), json!({"extensions": e}));
    case!(
        "extension-defined",
        exts(json!({EXT_DEF: {"extension_type": "property-extension", "rank": 5}})),
        [],
        []
    );
    case!(
        "extension-predefined-style",
        exts(json!({"x-acme-ext": {"rank": 5}})),
        [],
        []
    );
    case!(
        "extension-bad-key",
        exts(json!({"acme": {"rank": 5}})),
        [EXTENSION],
        []
    );
    case!(
        "extension-bad-uuid",
        exts(json!({"extension-definition--1234": {"extension_type": "property-extension"}})),
        [EXTENSION],
        []
    );
    case!(
        "extension-no-type",
        exts(json!({EXT_DEF: {"rank": 5}})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "extension-bad-type",
        exts(json!({EXT_DEF: {"extension_type": "new-thing"}})),
        [ENUM_VALUE],
        []
    );
    case!("extensions-empty", exts(json!({})), [EMPTY], []);
    case!(
        "extension-empty",
        exts(json!({"x-acme-ext": {}})),
        [EMPTY],
        []
    );
    case!(
        "extension-bad-member-name",
        exts(json!({"x-acme-ext": {"Rank": 5}})),
        [PROPERTY_NAME],
        []
    );

    // custom properties
    case!(
        "custom-property",
        with(indicator(), json!({"foo_bar": 1})),
        [],
        [CUSTOM_PROPERTY]
    );
    case!(
        "custom-property-x",
        with(indicator(), json!({"x_acme_rank": 1})),
        [],
        []
    );
    case!(
        "custom-property-camel-case",
        with(indicator(), json!({"x_acmeRank": 1})),
        [],
        [PROPERTY_NAME]
    );
    case!(
        "custom-property-declared",
        with(
            indicator(),
            json!({"rank": 1, "extensions": {EXT_DEF: {"extension_type": "toplevel-property-extension"}}})
        ),
        [],
        []
    );
    case!(
        "custom-property-null",
        with(indicator(), json!({"x_acme_rank": null})),
        [NULL_VALUE],
        []
    );
    case!(
        "custom-property-empty-list",
        with(indicator(), json!({"x_acme_tags": []})),
        [EMPTY],
        []
    );
    case!(
        "custom-property-uppercase",
        with(indicator(), json!({"Rank": 1})),
        [PROPERTY_NAME],
        [CUSTOM_PROPERTY]
    );
    case!(
        "custom-property-short",
        with(indicator(), json!({"rk": 1})),
        [PROPERTY_NAME],
        [CUSTOM_PROPERTY]
    );
    case!(
        "custom-property-bin",
        with(indicator(), json!({"x_acme_bin": "not base64!"})),
        [FORMAT],
        []
    );
    case!(
        "custom-property-hex",
        with(indicator(), json!({"x_acme_hex": "xyz"})),
        [FORMAT],
        []
    );
    case!(
        "custom-ref-empty",
        with(indicator(), json!({"x_acme_ref": ""})),
        [],
        [IDENTIFIER]
    );
    case!(
        "reserved-property",
        with(indicator(), json!({"severity": "high"})),
        [RESERVED_PROPERTY],
        []
    );
    case!(
        "custom-object",
        sdo("x-acme-widget", json!({"size": 3})),
        [],
        [CUSTOM_TYPE]
    );
    case!(
        "custom-object-no-prefix",
        sdo("acme-widget", json!({})),
        [],
        [CUSTOM_TYPE]
    );
    case!(
        "custom-observable",
        sco("x-acme-thing", json!({"value": "x"})),
        [],
        [CUSTOM_TYPE]
    );
    case!(
        "custom-object-missing-created",
        with(sdo("x-acme-widget", json!({})), json!({"created": DELETE})),
        [MISSING_PROPERTY],
        [CUSTOM_TYPE]
    );

    // domain objects
    case!(
        "attack-pattern-no-name",
        sdo("attack-pattern", json!({})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "campaign-seen-order",
        sdo(
            "campaign",
            json!({"name": "c", "first_seen": T_LATER, "last_seen": T})
        ),
        [TIMESTAMP_ORDER],
        []
    );
    case!(
        "course-of-action-action",
        sdo("course-of-action", json!({"name": "c", "action": "block"})),
        [RESERVED_PROPERTY],
        []
    );
    case!(
        "grouping-ok",
        sdo(
            "grouping",
            json!({"context": "suspicious-activity", "object_refs": [INDICATOR]})
        ),
        [],
        []
    );
    case!(
        "grouping-no-context",
        sdo("grouping", json!({"object_refs": [INDICATOR]})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "grouping-context-vocab",
        sdo(
            "grouping",
            json!({"context": "whatever", "object_refs": [INDICATOR]})
        ),
        [],
        [VOCABULARY]
    );
    case!(
        "identity-vocab",
        sdo(
            "identity",
            json!({"name": "ACME", "identity_class": "company", "sectors": ["banking"]})
        ),
        [],
        [VOCABULARY]
    );
    case!(
        "identity-no-name",
        sdo("identity", json!({"identity_class": "organization"})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "incident-ok",
        sdo("incident", json!({"name": "Breach"})),
        [],
        []
    );
    case!(
        "indicator-no-pattern-type",
        with(indicator(), json!({"pattern_type": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "indicator-bad-pattern",
        with(
            indicator(),
            json!({"pattern": "[ipv4-addr:value = '198.51.100.3'"})
        ),
        [PATTERN],
        []
    );
    case!(
        "indicator-other-pattern-language",
        with(
            indicator(),
            json!({"pattern_type": "snort", "pattern": "alert tcp any any"})
        ),
        [],
        []
    );
    case!(
        "indicator-types-vocab",
        with(indicator(), json!({"indicator_types": ["bad-stuff"]})),
        [],
        [VOCABULARY]
    );
    case!(
        "infrastructure-no-name",
        sdo("infrastructure", json!({})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "intrusion-set-ok",
        sdo(
            "intrusion-set",
            json!({"name": "APT1", "primary_motivation": "organizational-gain"})
        ),
        [],
        []
    );
    case!(
        "location-country",
        sdo("location", json!({"country": "fr"})),
        [],
        []
    );
    case!(
        "location-country-unknown",
        sdo("location", json!({"country": "ZZ"})),
        [],
        [COUNTRY]
    );
    case!(
        "location-nothing",
        sdo("location", json!({"name": "HQ"})),
        [COMBINATION],
        []
    );
    case!(
        "location-latitude-only",
        sdo("location", json!({"region": "europe", "latitude": 48.8})),
        [COMBINATION],
        []
    );
    case!(
        "location-latitude-range",
        sdo("location", json!({"latitude": 91, "longitude": 2.3})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "location-precision-alone",
        sdo("location", json!({"region": "europe", "precision": 10})),
        [COMBINATION],
        []
    );
    case!(
        "malware-ok",
        sdo("malware", json!({"is_family": false})),
        [],
        []
    );
    case!(
        "malware-no-is-family",
        sdo("malware", json!({"name": "Ivy"})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "malware-family-no-name",
        sdo("malware", json!({"is_family": true})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "malware-is-family-string",
        sdo("malware", json!({"is_family": "yes", "name": "Ivy"})),
        [WRONG_TYPE],
        []
    );
    case!(
        "malware-sample-identity",
        sdo("malware", json!({"is_family": false, "sample_refs": [IDENTITY]})),
        [REFERENCE_TYPE],
        [],
        "the OASIS schema gives sample_refs no type restriction; the specification allows artifact and file"
    );
    case!(
        "malware-analysis-ok",
        sdo(
            "malware-analysis",
            json!({"product": "acme-av", "result": "malicious"})
        ),
        [],
        []
    );
    case!(
        "malware-analysis-no-result",
        sdo("malware-analysis", json!({"product": "acme-av"})),
        [COMBINATION],
        []
    );
    case!(
        "note-no-content",
        sdo("note", json!({"object_refs": [INDICATOR]})),
        [MISSING_PROPERTY],
        []
    );
    let observed = |extra: Value| {
        sdo(
            "observed-data",
            with(
                json!({"first_observed": T, "last_observed": T, "number_observed": 1}),
                extra,
            ),
        )
    };
    case!(
        "observed-data-ok",
        observed(json!({"object_refs": [format!("ipv4-addr--{UUID5}")]})),
        [],
        []
    );
    case!(
        "observed-data-count-zero",
        observed(json!({"object_refs": [format!("ipv4-addr--{UUID5}")], "number_observed": 0})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "observed-data-no-refs",
        observed(json!({})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "observed-data-sdo-ref",
        observed(json!({"object_refs": [MALWARE]})),
        [REFERENCE_TYPE],
        []
    );
    case!(
        "observed-data-embedded",
        observed(json!({"objects": {"0": sco("ipv4-addr", json!({"value": "198.51.100.3"}))}})),
        [],
        [DEPRECATED]
    );
    case!(
        "observed-data-embedded-bad-ref",
        observed(
            json!({"objects": {"0": sco("network-traffic", json!({"id": format!("network-traffic--{UUID4}"), "protocols": ["tcp"], "src_ref": "1"}))}})
        ),
        [EMBEDDED_REFERENCE],
        [DEPRECATED]
    );
    case!(
        "observed-data-embedded-marked",
        observed(
            json!({"objects": {"0": sco("ipv4-addr", json!({"value": "198.51.100.3", "object_marking_refs": [TLP_WHITE]}))}})
        ),
        [],
        [DEPRECATED]
    );
    case!(
        "opinion-bad",
        sdo(
            "opinion",
            json!({"opinion": "maybe", "object_refs": [INDICATOR]})
        ),
        [ENUM_VALUE],
        []
    );
    case!(
        "report-no-published",
        sdo("report", json!({"name": "r", "object_refs": [INDICATOR]})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "threat-actor-ok",
        sdo(
            "threat-actor",
            json!({"name": "t", "sophistication": "expert"})
        ),
        [],
        []
    );
    case!(
        "tool-no-name",
        sdo("tool", json!({})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "vulnerability-ok",
        sdo(
            "vulnerability",
            json!({"name": "CVE-2016-1234", "external_references": [{"source_name": "cve", "external_id": "CVE-2016-1234"}]})
        ),
        [],
        []
    );

    // relationships
    case!("relationship-ok", relationship(), [], []);
    case!(
        "relationship-to-marking",
        with(relationship(), json!({"target_ref": TLP_WHITE})),
        [REFERENCE_TYPE],
        []
    );
    case!(
        "relationship-type-style",
        with(relationship(), json!({"relationship_type": "Indicates"})),
        [FORMAT],
        []
    );
    case!(
        "relationship-no-target",
        with(relationship(), json!({"target_ref": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "relationship-times",
        with(relationship(), json!({"start_time": T, "stop_time": T})),
        [TIMESTAMP_ORDER],
        []
    );
    let sighting = |extra: Value| {
        sdo(
            "sighting",
            with(json!({"sighting_of_ref": INDICATOR}), extra),
        )
    };
    case!(
        "sighting-ok",
        sighting(json!({"count": 2, "where_sighted_refs": [IDENTITY]})),
        [],
        []
    );
    case!(
        "sighting-of-relationship",
        sighting(json!({"sighting_of_ref": format!("relationship--{UUID4}")})),
        [REFERENCE_TYPE],
        []
    );
    case!(
        "sighting-count",
        sighting(json!({"count": -1})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "sighting-where-malware",
        sighting(json!({"where_sighted_refs": [MALWARE]})),
        [REFERENCE_TYPE],
        []
    );

    // meta objects
    let lc = |contents: Value| {
        sdo(
            "language-content",
            json!({"object_ref": INDICATOR, "object_modified": T, "contents": contents}),
        )
    };
    case!(
        "language-content-ok",
        lc(json!({"fr": {"name": "Indicateur"}})),
        [],
        []
    );
    case!(
        "language-content-bad-lang",
        lc(json!({"french": {"name": "Indicateur"}})),
        [LANGUAGE],
        []
    );
    case!(
        "language-content-bad-key",
        lc(json!({"fr": {"Name": "Indicateur"}})),
        [PROPERTY_NAME],
        []
    );
    let ed = |extra: Value| {
        sdo(
            "extension-definition",
            with(
                json!({"created_by_ref": IDENTITY, "name": "acme", "description": "d", "schema": "https://acme.example/schema",
                       "version": "1.0", "extension_types": ["property-extension"]}),
                extra,
            ),
        )
    };
    case!("extension-definition-ok", ed(json!({})), [], []);
    case!(
        "extension-definition-no-schema",
        ed(json!({"schema": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "extension-definition-properties",
        ed(json!({"extension_properties": ["rank"]})),
        [COMBINATION],
        []
    );
    case!(
        "extension-definition-bad-type",
        ed(json!({"extension_types": ["new-thing"]})),
        [ENUM_VALUE],
        []
    );

    // marking definitions
    case!("tlp-white", tlp_white(), [], []);
    case!(
        "tlp-white-renamed",
        with(tlp_white(), json!({"name": "TLP:CLEAR"})),
        [MARKING_DEFINITION],
        []
    );
    case!(
        "tlp-white-other-color",
        with(tlp_white(), json!({"definition": {"tlp": "green"}})),
        [MARKING_DEFINITION],
        []
    );
    case!(
        "tlp-white-extra",
        with(tlp_white(), json!({"created_by_ref": IDENTITY})),
        [MARKING_DEFINITION],
        []
    );
    case!(
        "tlp-unknown-id",
        with(
            tlp_white(),
            json!({"id": format!("marking-definition--{UUID4}")})
        ),
        [MARKING_DEFINITION],
        []
    );
    let statement = |extra: Value| {
        with(
            json!({"type": "marking-definition", "spec_version": "2.1", "id": format!("marking-definition--{UUID4}"),
                   "created": T, "definition_type": "statement", "definition": {"statement": "Copyright ACME"}}),
            extra,
        )
    };
    case!("statement-ok", statement(json!({})), [], []);
    case!(
        "statement-empty",
        statement(json!({"definition": {}})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "statement-no-created",
        statement(json!({"created": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "statement-no-definition",
        statement(json!({"definition": DELETE})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "marking-custom-kind",
        statement(json!({"definition_type": "acme", "definition": {"level": 3}})),
        [],
        [VOCABULARY]
    );
    case!(
        "marking-reserved-kind",
        statement(json!({"definition_type": "acme-tlp"})),
        [MARKING_DEFINITION],
        []
    );
    case!(
        "marking-tlp-prefixed-kind",
        statement(json!({"definition_type": "tlp-acme"})),
        [],
        [VOCABULARY]
    );
    case!(
        "marking-statement-prefixed-kind",
        statement(json!({"definition_type": "statements"})),
        [MARKING_DEFINITION],
        []
    );
    case!(
        "marking-marks-itself",
        statement(json!({"object_marking_refs": [format!("marking-definition--{UUID4}")]})),
        [CIRCULAR_MARKING],
        []
    );
    case!(
        "tlp2-marking",
        json!({"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
               "created": "2022-10-01T00:00:00.000Z", "name": "TLP:CLEAR",
               "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"extension_type": "property-extension", "tlp_2_0": "clear"}}}),
        [],
        []
    );
    case!(
        "marking-ext-key",
        statement(json!({"extensions": {"x-acme-ext": {"level": 3}}})),
        [EXTENSION],
        []
    );

    // cyber-observables
    case!(
        "ipv4-ok",
        sco("ipv4-addr", json!({"value": "198.51.100.0/24"})),
        [],
        []
    );
    case!(
        "ipv4-bad",
        sco("ipv4-addr", json!({"value": "198.51.100"})),
        [FORMAT],
        []
    );
    case!(
        "ipv4-no-value",
        sco("ipv4-addr", json!({})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "ipv4-spec-2.0",
        sco(
            "ipv4-addr",
            json!({"value": "198.51.100.3", "spec_version": "2.0"})
        ),
        [SPEC_VERSION],
        [],
        "the OASIS schemas accept spec_version 2.0"
    );
    case!(
        "ipv4-no-spec-version",
        sco(
            "ipv4-addr",
            json!({"value": "198.51.100.3", "spec_version": DELETE})
        ),
        [],
        []
    );
    case!(
        "ipv6-ok",
        sco("ipv6-addr", json!({"value": "2001:db8::1"})),
        [],
        []
    );
    case!(
        "ipv6-bad",
        sco("ipv6-addr", json!({"value": "2001:db8:::1"})),
        [FORMAT],
        []
    );
    case!(
        "ipv4-resolves-to-domain",
        sco(
            "ipv4-addr",
            json!({"value": "198.51.100.3", "resolves_to_refs": [format!("domain-name--{UUID5}")]})
        ),
        [REFERENCE_TYPE],
        [],
        "the OASIS schemas give cyber-observable references no type restriction"
    );
    case!(
        "ipv6-embedded-ipv4",
        sco("ipv6-addr", json!({"value": "::ffff:198.51.100.3"})),
        [],
        [],
        "the OASIS schema's IPv6 pattern is broken for the embedded IPv4 forms"
    );
    case!(
        "timestamp-trailing-newline",
        with(indicator(), json!({"valid_from": "2016-01-01T00:00:00Z\n"})),
        [TIMESTAMP_FORMAT],
        [],
        "Python's `$` matches before a final newline, so the OASIS schema accepts it"
    );
    case!(
        "domain-ok",
        sco("domain-name", json!({"value": "example.com"})),
        [],
        []
    );
    case!(
        "domain-underscore",
        sco("domain-name", json!({"value": "_dmarc.example.com"})),
        [FORMAT],
        []
    );
    case!(
        "url-ok",
        sco("url", json!({"value": "https://example.com/a?b=c"})),
        [],
        []
    );
    case!(
        "url-no-scheme",
        sco("url", json!({"value": "example.com/a"})),
        [FORMAT],
        []
    );
    case!(
        "email-addr-bad",
        sco("email-addr", json!({"value": "jdoe"})),
        [FORMAT],
        []
    );
    case!(
        "mac-uppercase",
        sco("mac-addr", json!({"value": "D2:FB:49:24:37:18"})),
        [FORMAT],
        []
    );
    case!(
        "mutex-ok",
        sco("mutex", json!({"name": "Global\\x"})),
        [],
        []
    );
    case!(
        "file-nothing",
        sco("file", json!({"size": 3})),
        [COMBINATION],
        []
    );
    case!(
        "file-md5-bad",
        sco("file", json!({"hashes": {"MD5": "abc"}})),
        [FORMAT],
        []
    );
    case!(
        "file-hash-custom",
        sco("file", json!({"hashes": {"md4": "abc"}})),
        [],
        [HASH_ALGORITHM]
    );
    case!(
        "file-size-negative",
        sco("file", json!({"name": "a.exe", "size": -1})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "file-ntfs-ok",
        sco(
            "file",
            json!({"name": "a.exe", "extensions": {"ntfs-ext": {"sid": "S-1-5"}}})
        ),
        [],
        []
    );
    case!(
        "file-ntfs-empty",
        sco(
            "file",
            json!({"name": "a.exe", "extensions": {"ntfs-ext": {"x_acme_flag": true}}})
        ),
        [COMBINATION],
        []
    );
    case!(
        "file-pe-no-type",
        sco(
            "file",
            json!({"name": "a.exe", "extensions": {"windows-pebinary-ext": {"imphash": "x"}}})
        ),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "file-name-enc",
        sco(
            "file",
            json!({"name": "a.exe", "name_enc": "not-a-charset"})
        ),
        [CHARSET],
        []
    );
    case!(
        "file-mime-unregistered",
        sco(
            "file",
            json!({"name": "a.exe", "mime_type": "application/x-acme"})
        ),
        [],
        [MEDIA_TYPE]
    );
    case!(
        "artifact-ok",
        sco(
            "artifact",
            json!({"mime_type": "application/zip", "payload_bin": "aGVsbG8="})
        ),
        [],
        []
    );
    case!(
        "artifact-both",
        sco(
            "artifact",
            json!({"payload_bin": "aGVsbG8=", "url": "https://e.com/a", "hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e"}})
        ),
        [COMBINATION],
        []
    );
    case!(
        "artifact-url-no-hash",
        sco(
            "artifact",
            json!({"id": format!("artifact--{UUID4}"), "url": "https://e.com/a"})
        ),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "artifact-mime-unregistered",
        sco(
            "artifact",
            json!({"mime_type": "application/x-acme", "payload_bin": "aGVsbG8="})
        ),
        [MEDIA_TYPE],
        []
    );
    case!(
        "artifact-bad-base64",
        sco("artifact", json!({"payload_bin": "aGVsbG8"})),
        [FORMAT],
        []
    );
    case!(
        "network-traffic-ok",
        sco(
            "network-traffic",
            json!({"src_ref": format!("ipv4-addr--{UUID5}"), "protocols": ["tcp"], "dst_port": 443})
        ),
        [],
        []
    );
    case!(
        "network-traffic-no-protocols",
        sco(
            "network-traffic",
            json!({"src_ref": format!("ipv4-addr--{UUID5}")})
        ),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "network-traffic-port",
        sco(
            "network-traffic",
            json!({"src_ref": format!("ipv4-addr--{UUID5}"), "protocols": ["tcp"], "dst_port": 70000})
        ),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "network-traffic-active-end",
        sco(
            "network-traffic",
            json!({"src_ref": format!("ipv4-addr--{UUID5}"), "protocols": ["tcp"], "is_active": true, "end": T})
        ),
        [COMBINATION],
        []
    );
    case!(
        "network-traffic-socket",
        sco(
            "network-traffic",
            json!({"src_ref": format!("ipv4-addr--{UUID5}"), "protocols": ["tcp"], "extensions": {"socket-ext": {"is_listening": true}}})
        ),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "process-ok",
        sco(
            "process",
            json!({"id": format!("process--{UUID4}"), "pid": 4})
        ),
        [],
        []
    );
    case!(
        "process-uuid5",
        sco("process", json!({"pid": 4})),
        [UUID_VERSION],
        []
    );
    case!(
        "process-empty",
        sco("process", json!({"id": format!("process--{UUID4}")})),
        [COMBINATION],
        []
    );
    case!(
        "software-cpe",
        sco(
            "software",
            json!({"name": "Word", "cpe": "cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*"})
        ),
        [],
        []
    );
    case!(
        "software-cpe-bad",
        sco(
            "software",
            json!({"name": "Word", "cpe": "cpe:/a:microsoft:word"})
        ),
        [FORMAT],
        []
    );
    case!(
        "software-language",
        sco(
            "software",
            json!({"name": "Word", "languages": ["en", "klingon"]})
        ),
        [LANGUAGE],
        []
    );
    case!(
        "registry-key-ok",
        sco(
            "windows-registry-key",
            json!({"key": "HKEY_LOCAL_MACHINE\\System\\Foo"})
        ),
        [],
        []
    );
    case!(
        "registry-key-abbreviated",
        sco("windows-registry-key", json!({"key": "HKLM\\System\\Foo"})),
        [FORMAT],
        []
    );
    case!(
        "registry-values-bad-type",
        sco(
            "windows-registry-key",
            json!({"key": "HKEY_LOCAL_MACHINE\\x", "values": [{"name": "a", "data_type": "REG_TEXT"}]})
        ),
        [ENUM_VALUE],
        []
    );
    case!(
        "email-message-ok",
        sco(
            "email-message",
            json!({"is_multipart": false, "subject": "hi"})
        ),
        [],
        []
    );
    case!(
        "email-message-no-multipart",
        sco("email-message", json!({"subject": "hi"})),
        [MISSING_PROPERTY],
        []
    );
    case!(
        "email-message-multipart-body",
        sco(
            "email-message",
            json!({"is_multipart": true, "subject": "hi", "body": "x"})
        ),
        [COMBINATION],
        []
    );
    case!(
        "user-account-empty",
        sco(
            "user-account",
            json!({"id": format!("user-account--{UUID4}")})
        ),
        [COMBINATION],
        []
    );
    case!(
        "user-account-no-contributing-v5",
        sco("user-account", json!({"display_name": "J"})),
        [UUID_VERSION],
        []
    );
    case!(
        "autonomous-system-string",
        sco("autonomous-system", json!({"number": "AS15139"})),
        [WRONG_TYPE],
        []
    );
    case!(
        "directory-ok",
        sco("directory", json!({"path": "C:\\Windows"})),
        [],
        []
    );
    case!(
        "x509-ok",
        sco(
            "x509-certificate",
            json!({"serial_number": "36:f7:d4:32:f4:ab:70:ea"})
        ),
        [],
        []
    );
    case!("leap-second", with(indicator(), json!({"valid_from": "2016-12-31T23:59:60Z"})), [], [], "the OASIS validator parses timestamps with dateutil, which rejects a leap second the specification allows");
    case!(
        "year-zero",
        with(indicator(), json!({"valid_from": "0000-01-01T00:00:00Z"})),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "valid-from-trailing",
        with(indicator(), json!({"valid_from": "2016-01-01T00:00:00Zx"})),
        [TIMESTAMP_FORMAT],
        []
    );
    case!(
        "confidence-negative",
        with(indicator(), json!({"confidence": -1})),
        [OUT_OF_RANGE],
        []
    );
    case!(
        "custom-property-id-suffix",
        with(indicator(), json!({"Xid": "a"})),
        [],
        [CUSTOM_PROPERTY]
    );
    case!("relationship-to-extension-definition", with(relationship(), json!({"target_ref": EXT_DEF})), [REFERENCE_TYPE], [], "the OASIS schema does not list extension-definition among the types a relationship may not point at");
    case!(
        "sighting-of-observable",
        sighting(json!({"sighting_of_ref": format!("ipv4-addr--{UUID5}")})),
        [],
        []
    );
    case!(
        "observed-data-relationship-ref",
        observed(json!({"object_refs": [format!("relationship--{UUID4}")]})),
        [],
        []
    );
    case!(
        "number-observed-float",
        observed(json!({"object_refs": [format!("ipv4-addr--{UUID5}")], "number_observed": 1.0})),
        [],
        []
    );
    case!(
        "language-content-not-object",
        lc(json!({"fr": "Indicateur"})),
        [WRONG_TYPE],
        []
    );
    case!(
        "file-hash-other-name",
        sco("file", json!({"hashes": {"SHA256": "abc"}})),
        [],
        [HASH_ALGORITHM]
    );
    case!(
        "file-tlsh-long",
        sco(
            "file",
            json!({"hashes": {"TLSH": "T1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8"}})
        ),
        [FORMAT],
        []
    );
    case!(
        "file-extension-defined",
        sco(
            "file",
            json!({"name": "a", "extensions": {EXT_DEF: {"extension_type": "property-extension", "rank": 2}}})
        ),
        [],
        []
    );
    case!(
        "file-custom-uppercase",
        sco("file", json!({"name": "a", "Rank": 2})),
        [PROPERTY_NAME],
        [CUSTOM_PROPERTY]
    );
    case!(
        "email-headers-reserved",
        sco(
            "email-message",
            json!({"is_multipart": false, "subject": "s", "additional_header_fields": {"date": "x"}})
        ),
        [PROPERTY_NAME],
        []
    );
    case!(
        "email-headers-ok",
        sco(
            "email-message",
            json!({"is_multipart": false, "subject": "s", "additional_header_fields": {"X-Mailer": "x", "Received": ["a", "b"]}})
        ),
        [],
        []
    );
    case!(
        "x509-v3-empty",
        sco(
            "x509-certificate",
            json!({"serial_number": "01", "x509_v3_extensions": {}})
        ),
        [COMBINATION],
        []
    );
    case!(
        "bundle-ok",
        json!({"type": "bundle", "id": format!("bundle--{UUID4}"), "objects": [indicator()]}),
        [],
        []
    );
    case!(
        "bundle-bad-id",
        json!({"type": "bundle", "id": format!("report--{UUID4}"), "objects": [indicator()]}),
        [ID_TYPE_MISMATCH],
        []
    );
    case!(
        "sco-extension-custom",
        sco(
            "file",
            json!({"name": "a", "extensions": {"x-acme-ext": {"flag": true}}})
        ),
        [],
        [CUSTOM_EXTENSION]
    );
    out
}

#[test]
fn each_rule_reports_what_it_should() {
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    for case in cases() {
        assert!(names.insert(case.name), "duplicate case name {}", case.name);
        let mut obj = case.obj.as_object().expect("an object").clone();
        let outcome = validate_object(&mut obj, false);
        assert!(
            outcome.repairs.is_empty(),
            "{}: repairs without being asked",
            case.name
        );
        let mut got: Vec<&str> = outcome.errors().map(|f| f.code).collect();
        got.sort_unstable();
        got.dedup();
        let mut want = case.errors.to_vec();
        want.sort_unstable();
        let warnings: Vec<&str> = outcome.warnings().map(|f| f.code).collect();
        let missing_warnings: Vec<&&str> = case
            .warnings
            .iter()
            .filter(|w| !warnings.contains(w))
            .collect();
        if got != want || !missing_warnings.is_empty() {
            failures.push(format!(
                "{}: errors {got:?}, expected {want:?}; warnings {warnings:?}, expected at least {:?}\n    {:#?}",
                case.name, case.warnings, outcome.findings
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_point_at_the_offending_value() {
    let mut obj = with(
        indicator(),
        json!({"external_references": [{"source_name": "a", "url": "https://a.example"}, {"source_name": "cve", "external_id": "CVE-1"}]}),
    );
    let outcome = validate_object(obj.as_object_mut().unwrap(), false);
    let errors: Vec<(&str, &str)> = outcome
        .errors()
        .map(|f| (f.pointer.as_str(), f.code))
        .collect();
    assert_eq!(
        errors,
        [(
            "/external_references/1/external_id",
            code::EXTERNAL_REFERENCE
        )]
    );
    assert!(outcome
        .errors()
        .all(|f| f.severity == Severity::Error && !f.message.is_empty()));
}

/// Writes each rule case to `$CASES_DIR/<name>.json`, to run the OASIS validator on them:
/// `for f in $CASES_DIR/*.json; do ../shared/peers/validate-stix $f >/dev/null 2>&1; echo "$? $f"; done`
#[test]
#[ignore]
fn export_rule_cases() {
    let dir = std::env::var("CASES_DIR").expect("set CASES_DIR");
    std::fs::create_dir_all(&dir).unwrap();
    for case in cases() {
        let text = serde_json::to_string_pretty(&case.obj).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{}.json", case.name)), text).unwrap();
        let expect_valid = case.errors.is_empty() == case.oasis_differs.is_empty();
        println!(
            "{} {}",
            case.name,
            if expect_valid { "valid" } else { "invalid" }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Repairs.

fn validate(mut obj: Value, repair: bool) -> (Value, Outcome) {
    let outcome = validate_object(obj.as_object_mut().expect("an object"), repair);
    (obj, outcome)
}

fn repaired(outcome: &Outcome) -> Vec<&str> {
    outcome.repairs.iter().map(|r| r.pointer.as_str()).collect()
}

#[test]
fn repairs_what_needs_no_guessing() {
    let broken = with(
        indicator(),
        json!({
            "id": "indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F",
            "spec_version": DELETE,
            "modified": DELETE,
            "created": "2016-04-06t20:03:48z",
            "valid_from": "2016-01-01T00:00:00+00:00",
            "created_by_ref": "identity--C78CB6E5-0C4B-4611-8297-D1B8B55E40B5",
        }),
    );
    let (_, unrepaired) = validate(broken.clone(), false);
    assert!(unrepaired.has_errors() && unrepaired.repairs.is_empty());

    let (fixed, outcome) = validate(broken, true);
    assert!(!outcome.has_errors(), "{:#?}", outcome.findings);
    assert_eq!(
        outcome.warnings().count(),
        0,
        "the uppercase-id warnings went with the repair: {:#?}",
        outcome.findings
    );
    assert_eq!(
        repaired(&outcome),
        [
            "/created_by_ref",
            "/id",
            "/created",
            "/created",
            "/valid_from",
            "/spec_version",
            "/modified"
        ]
    );
    assert!(outcome.repairs.iter().all(|r| !r.message.is_empty()));
    assert_eq!(fixed["id"], INDICATOR);
    assert_eq!(fixed["created_by_ref"], IDENTITY);
    assert_eq!(fixed["created"], "2016-04-06T20:03:48.000Z");
    assert_eq!(fixed["modified"], "2016-04-06T20:03:48.000Z");
    assert_eq!(fixed["valid_from"], "2016-01-01T00:00:00Z");
    assert_eq!(fixed["spec_version"], "2.1");
}

#[test]
fn leaves_alone_what_would_need_guessing() {
    // A real offset would have to be converted, "yesterday" is not a date, and without a valid
    // `created` there is nothing to copy into `modified`.
    let (fixed, outcome) = validate(
        with(
            indicator(),
            json!({"created": "yesterday", "modified": DELETE, "valid_from": "2016-01-01T02:00:00+02:00"}),
        ),
        true,
    );
    assert!(outcome.repairs.is_empty(), "{:#?}", outcome.repairs);
    let errors: Vec<(&str, &str)> = outcome
        .errors()
        .map(|f| (f.pointer.as_str(), f.code))
        .collect();
    assert_eq!(
        errors,
        [
            ("/modified", code::MISSING_PROPERTY),
            ("/created", code::TIMESTAMP_FORMAT),
            ("/valid_from", code::TIMESTAMP_FORMAT),
        ]
    );
    assert_eq!(fixed["created"], "yesterday");

    // Missing content is not invented: a missing name stays missing.
    let (_, outcome) = validate(with(indicator(), json!({"pattern": DELETE})), true);
    assert!(outcome.repairs.is_empty());
    assert_eq!(
        outcome.errors().map(|f| f.code).collect::<Vec<_>>(),
        [code::MISSING_PROPERTY]
    );
}

#[test]
fn repairs_follow_the_object_family() {
    // A cyber-observable has no spec_version requirement nor modified: nothing to add.
    let (fixed, outcome) = validate(
        sco(
            "ipv4-addr",
            json!({"value": "198.51.100.3", "spec_version": DELETE}),
        ),
        true,
    );
    assert!(outcome.repairs.is_empty() && !outcome.has_errors());
    assert!(fixed.get("modified").is_none());
    // Its timestamps are normalised too.
    let (fixed, outcome) = validate(
        sco(
            "file",
            json!({"name": "a", "mtime": "2016-01-01 00:00:00Z"}),
        ),
        true,
    );
    assert_eq!(repaired(&outcome), ["/mtime"]);
    assert_eq!(fixed["mtime"], "2016-01-01T00:00:00Z");
    // A marking definition gets its spec_version, and no modified (it has none).
    let (fixed, outcome) = validate(with(tlp_white(), json!({"spec_version": DELETE})), true);
    assert_eq!(repaired(&outcome), ["/spec_version"]);
    assert!(!outcome.has_errors() && fixed.get("modified").is_none());
}

// ---------------------------------------------------------------------------------------------
// Cross-object references.

#[test]
fn dangling_references_are_warnings_unless_known() {
    let mut index = RefIndex::new();
    let objects = [
        sdo("identity", json!({"id": IDENTITY, "name": "ACME"})),
        with(
            indicator(),
            json!({"id": INDICATOR, "created_by_ref": IDENTITY, "object_marking_refs": [TLP_WHITE]}),
        ),
        with(relationship(), json!({"created_by_ref": IDENTITY})),
    ];
    for obj in &objects {
        index.add(obj.as_object().unwrap());
    }
    assert!(index.contains(INDICATOR) && !index.contains(MALWARE));
    let in_store = |id: &str| id == "malware--00000000-0000-4000-8000-000000000000";
    let warnings = index.finish(in_store);
    let got: Vec<(usize, &str, &str, Severity)> = warnings
        .iter()
        .map(|w| {
            (
                w.object,
                w.finding.pointer.as_str(),
                w.finding.code,
                w.finding.severity,
            )
        })
        .collect();
    assert_eq!(
        got,
        [(
            2,
            "/target_ref",
            code::DANGLING_REFERENCE,
            Severity::Warning
        )]
    );
    assert!(warnings[0].finding.message.contains(MALWARE));

    let mut index = RefIndex::new();
    index.add(objects[2].as_object().unwrap());
    assert!(index
        .finish(|id| id == MALWARE || id == IDENTITY || id == INDICATOR)
        .is_empty());
}
