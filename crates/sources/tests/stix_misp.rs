//! The STIX and MISP adapters on the real files in ../shared/data, and on small inline documents
//! for the cases the real files do not have.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use threatscape_model::{
    AttributorKind, Contributor, ContributorType, DateSpan, FuzzyDate, Reliability, Report, Tlp,
};
use threatscape_sources::{
    misp, read_file, read_file_with, stix_incidents, AdapterOutput, ReadOptions, SourceFormat,
};
use threatscape_testkit::{shared_data, shared_peer};

fn day(y: i32, m: u8, d: u8) -> FuzzyDate {
    FuzzyDate::day(y, m, d).unwrap()
}

fn month(y: i32, m: u8) -> FuzzyDate {
    FuzzyDate::month(y, m).unwrap()
}

fn span(start: FuzzyDate, end: Option<FuzzyDate>) -> Option<DateSpan> {
    Some(DateSpan { start, end })
}

/// Every record is accounted for, and every rejection and repair names its place.
fn assert_accounted(out: &AdapterOutput) {
    assert_eq!(
        out.read,
        out.accepted + out.rejected,
        "read = accepted + rejected"
    );
    assert_eq!(out.accepted as usize, out.reports.len());
    assert_eq!(out.rejected as usize, out.rejections.len());
    assert!(out.repaired <= out.accepted);
    for issue in out.rejections.iter().chain(&out.repairs) {
        assert!(
            !issue.locator.is_empty() && !issue.message.is_empty(),
            "{issue:?}"
        );
    }
}

fn titled<'a>(out: &'a AdapterOutput, title: &str) -> &'a Report {
    out.reports
        .iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no report titled {title:?}"))
}

fn names(report: &Report) -> Vec<&str> {
    report.actors.iter().map(|a| a.name.as_str()).collect()
}

fn parse(original: &str) -> serde_json::Map<String, Value> {
    serde_json::from_str(original).expect("the original is a JSON object")
}

// ---------------------------------------------------------------------------------------------
// STIX on real files

#[test]
fn stix_apt1_report_names_its_actors() {
    let Some(path) = shared_data("stix2-json-schemas/examples/threat-reports/apt1.json") else {
        return;
    };
    let out = read_file(SourceFormat::Stix, &path).unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (1, 1, 0));
    let report = &out.reports[0];
    assert_eq!(
        report.title,
        "APT1: Exposing One of China's Cyber Espionage Units"
    );
    assert_eq!(report.provenance.locator, "/objects/45");
    assert_eq!(
        report.source_id.as_deref(),
        Some("report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf")
    );
    assert_eq!(report.reported, Some(day(2013, 2, 19)));
    assert_eq!(
        names(report),
        [
            "APT1",
            "Ugly Gorilla",
            "DOTA",
            "SuperHard",
            "Communist Party of China",
            "Unit 61398"
        ]
    );
    assert_eq!(
        report.actors[0].aliases,
        ["Comment Crew", "Comment Group", "Shady Rat"]
    );
    assert_eq!(report.actors[4].category.as_deref(), Some("nation-state"));
    assert!(report.tags.contains(&"report-type:threat-actor".to_owned()));
    assert!(report.tags.contains(&"malware:BANGAT".to_owned()));
    assert!(report.tags.contains(&"tool:mimikatz".to_owned()));
    // No creator identity, no marking: an unnamed producer, CLEAR, and the choice is a repair.
    assert_eq!(report.contributor.name, "unidentified STIX producer");
    assert_eq!(report.contributor.reliability, Reliability::F);
    assert_eq!(report.tlp, Tlp::Clear);
    assert_eq!(out.repaired, 1);
    assert!(out.repairs[0].message.starts_with("no TLP marking"));
    assert_eq!(
        parse(&report.original)["id"],
        report.source_id.as_deref().unwrap()
    );
}

#[test]
fn stix_poisonivy_campaigns_and_report() {
    let Some(path) = shared_data("stix2-json-schemas/examples/threat-reports/poisonivy.json")
    else {
        return;
    };
    let out = read_file(SourceFormat::Stix, &path).unwrap();
    assert_accounted(&out);
    // The report covers the three campaigns: a collection, not one account, so each campaign is
    // read on its own and the report is listed as not read, with the reason.
    assert_eq!((out.read, out.accepted, out.rejected), (4, 3, 1));
    let locators: Vec<&str> = out
        .reports
        .iter()
        .map(|r| r.provenance.locator.as_str())
        .collect();
    assert_eq!(locators, ["/objects/2", "/objects/3", "/objects/4"]);
    assert!(
        out.rejections[0]
            .message
            .contains("a collection citing 3 incidents or campaigns"),
        "{}",
        out.rejections[0].message
    );
    assert_eq!(out.rejections[0].locator, "/objects/64");
    for report in &out.reports {
        // The campaigns have no creator; the report citing them names FireEye.
        assert_eq!(report.contributor.name, "FireEye, Inc.");
        assert_eq!(report.contributor.type_, ContributorType::PrivateSector);
    }
    let admin = titled(&out, "admin@338");
    assert_eq!(admin.occurred, span(day(2008, 1, 7), None));
    assert_eq!(
        admin.tags,
        [
            "attack-pattern:Spear Phishing Attack Pattern used by admin@338",
            "malware:PIVY Variant (808e21d6efa2884811fbd0adf67fda78)",
            "vulnerability:CVE-2012-0158",
            "vulnerability:CVE-2009-4324"
        ]
    );
}

#[test]
fn stix_attack_ics_campaigns_resolve_attributions() {
    let Some(path) = shared_data("mitre-attack/ics-attack-18.1.json") else {
        return;
    };
    let out = read_file(SourceFormat::Stix, &path).unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (8, 8, 0));
    // ATT&CK marks its objects with a copyright statement, not a TLP level.
    assert_eq!(out.repaired, 8);

    let ukraine_2015 = titled(&out, "2015 Ukraine Electric Power Attack");
    assert_eq!(ukraine_2015.provenance.locator, "/objects/327");
    assert_eq!(
        ukraine_2015.source_id.as_deref(),
        Some("campaign--46421788-b6e1-4256-b351-f8beffd1afba")
    );
    // ATT&CK knows campaign dates to the month.
    assert_eq!(
        ukraine_2015.occurred,
        span(month(2015, 12), Some(month(2016, 1)))
    );
    assert_eq!(names(ukraine_2015), ["Sandworm Team"]);
    assert!(ukraine_2015.actors[0]
        .aliases
        .contains(&"ELECTRUM".to_owned()));
    assert!(ukraine_2015.actors[0].aliases.contains(&"APT44".to_owned()));
    let claim = &ukraine_2015.attributions[0];
    assert_eq!(claim.actor.name, "Sandworm Team");
    assert_eq!(
        claim.attributed_by.as_deref(),
        Some("The MITRE Corporation")
    );
    assert_eq!(claim.attributor_kind, AttributorKind::Company);
    assert!(claim
        .basis
        .as_deref()
        .unwrap()
        .contains("US District Court Indictment GRU Unit 74455"));
    for tag in [
        "malware:BlackEnergy",
        "malware:KillDisk",
        "attack-pattern:T0855",
    ] {
        assert!(ukraine_2015.tags.contains(&tag.to_owned()), "{tag}");
    }
    assert_eq!(ukraine_2015.contributor.name, "The MITRE Corporation");
    assert!(ukraine_2015
        .urls
        .contains(&"https://attack.mitre.org/campaigns/C0028".to_owned()));

    let ukraine_2016 = titled(&out, "2016 Ukraine Electric Power Attack");
    assert_eq!(names(ukraine_2016), ["Sandworm Team"]);
    assert_eq!(ukraine_2016.occurred, span(month(2016, 12), None));
    assert!(ukraine_2016
        .tags
        .contains(&"malware:Industroyer".to_owned()));
    assert_eq!(
        names(titled(&out, "Triton Safety Instrumented System Attack")),
        ["TEMP.Veles"]
    );
    assert_eq!(
        names(titled(&out, "Unitronics Defacement Campaign")),
        ["CyberAv3ngers"]
    );
    assert!(titled(&out, "Maroochy Water Breach").actors.is_empty());
}

#[test]
fn stix_2_0_campaigns_are_upgraded_and_kept_as_written() {
    let Some(path) = shared_data("mitre-attack/enterprise-attack-18.1-stix20-groups-software.json")
    else {
        return;
    };
    let out = read_file(SourceFormat::Stix, &path).unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (52, 52, 0));
    assert_eq!(out.repaired, 52);
    let upgrades = out
        .repairs
        .iter()
        .filter(|r| r.message == "upgraded from STIX 2.0 to 2.1 (changed /spec_version)")
        .count();
    assert_eq!(upgrades, 52);
    for report in &out.reports {
        // The original is the 2.0 object as written, not the upgraded one.
        assert!(!parse(&report.original).contains_key("spec_version"));
    }
    let dream_job = titled(&out, "Operation Dream Job");
    assert_eq!(names(dream_job), ["Lazarus Group"]);
    assert_eq!(
        dream_job.occurred,
        span(month(2019, 9), Some(month(2020, 8)))
    );
}

/// The STIX that MISP's converter wrote from the CIRCL events reads as the events do.
#[test]
fn stix_from_misp_agrees_with_the_misp_events() {
    let (Some(stix_dir), Some(misp_dir)) =
        (shared_data("misp-stix-out"), shared_data("misp-events"))
    else {
        return;
    };
    let mut files = 0;
    for entry in std::fs::read_dir(&stix_dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".stix21.json") else {
            continue;
        };
        files += 1;
        let stix = read_file(SourceFormat::Stix, &path).unwrap();
        assert_accounted(&stix);
        assert_eq!(
            (stix.read, stix.accepted, stix.rejected),
            (1, 1, 0),
            "{name}"
        );
        assert_eq!(
            stix.repaired, 0,
            "{name}: marked TLP:WHITE, so nothing to repair"
        );
        let from_stix = &stix.reports[0];
        let event = read_file(SourceFormat::Misp, &misp_dir.join(format!("{stem}.json"))).unwrap();
        let from_misp = &event.reports[0];
        assert_eq!(from_stix.title, from_misp.title, "{name}");
        assert_eq!(from_stix.tlp, Tlp::Clear);
        assert_eq!(from_stix.contributor, from_misp.contributor, "{name}");
        let uuid = from_misp.source_id.as_deref().unwrap();
        let stix_id = from_stix.source_id.as_deref().unwrap();
        assert!(
            stix_id == format!("report--{uuid}") || stix_id == format!("grouping--{uuid}"),
            "{name}: {stix_id} vs {uuid}"
        );
        // Both name the same actors (from threat-actor objects or MISP galaxy labels), and the
        // same kinds (MISP's incident-classification and malware-type tags, labels in STIX).
        assert_eq!(names(from_stix), names(from_misp), "{name}");
        let sorted = |kinds: &[String]| {
            let mut k = kinds.to_vec();
            k.sort();
            k
        };
        assert_eq!(sorted(&from_stix.kinds), sorted(&from_misp.kinds), "{name}");
        if stem == "57c4445b-c548-4654-af0b-4be3950d210f" {
            assert!(from_stix.kinds.contains(&"Ransom".to_owned()), "{name}");
        }
    }
    assert_eq!(files, 10);
}

// ---------------------------------------------------------------------------------------------
// STIX: the cases the real files lack

const GOV: &str = "identity--1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";
const AMBER_TLP2: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

fn synthetic_bundle() -> String {
    let core = threatscape_stix::types::INCIDENT_CORE_EXTENSION_ID;
    format!(
        r#"{{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [
  {{"type": "identity", "spec_version": "2.1", "id": "{GOV}", "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z", "name": "Example National CERT", "identity_class": "organization",
    "sectors": ["government-national"]}},
  {{"type": "incident", "spec_version": "2.1", "id": "incident--11111111-1111-4111-8111-111111111111",
    "created": "2024-02-01T00:00:00.000Z", "modified": "2024-02-02T00:00:00.000Z", "created_by_ref": "{GOV}",
    "name": "Wiper attack on an example grid operator", "description": "Example text.", "confidence": 70,
    "object_marking_refs": ["{AMBER_TLP2}"],
    "external_references": [{{"source_name": "cert", "url": "https://example.org/advisory/1"}}],
    "extensions": {{"{core}": {{"extension_type": "property-extension", "determination": "successful-attempt",
       "investigation_status": "closed", "incident_types": ["destruction"],
       "impact_refs": ["impact--22222222-2222-4222-8222-222222222222"]}}}}}},
  {{"type": "impact", "spec_version": "2.1", "id": "impact--22222222-2222-4222-8222-222222222222",
    "created": "2024-02-01T00:00:00.000Z", "modified": "2024-02-01T00:00:00.000Z", "impact_category": "availability",
    "start_time": "2023-12-05T00:00:00Z", "start_time_fidelity": "month",
    "extensions": {{"availability": {{"availability_impact": 90}}}}}},
  {{"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--33333333-3333-4333-8333-333333333333",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "EXAMPLE SPIDER",
    "aliases": ["EXAMPLE SPIDER", "Group 99"], "threat_actor_types": ["nation-state"]}},
  {{"type": "location", "spec_version": "2.1", "id": "location--44444444-4444-4444-8444-444444444444",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "country": "ua"}},
  {{"type": "location", "spec_version": "2.1", "id": "location--55555555-5555-4555-8555-555555555555",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "country": "RU"}},
  {{"type": "identity", "spec_version": "2.1", "id": "identity--66666666-6666-4666-8666-666666666666",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Example Grid Operator",
    "identity_class": "organization", "sectors": ["utilities"]}},
  {{"type": "malware", "spec_version": "2.1", "id": "malware--77777777-7777-4777-8777-777777777777",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "ExampleWiper", "is_family": true}},
  {{"type": "relationship", "spec_version": "2.1", "id": "relationship--a0000000-0000-4000-8000-000000000001",
    "created": "2024-02-03T00:00:00.000Z", "modified": "2024-02-03T00:00:00.000Z", "created_by_ref": "{GOV}",
    "relationship_type": "attributed-to", "source_ref": "incident--11111111-1111-4111-8111-111111111111",
    "target_ref": "threat-actor--33333333-3333-4333-8333-333333333333", "confidence": 85,
    "description": "Shared infrastructure and code."}},
  {{"type": "relationship", "spec_version": "2.1", "id": "relationship--a0000000-0000-4000-8000-000000000002",
    "created": "2024-02-03T00:00:00.000Z", "modified": "2024-02-03T00:00:00.000Z", "relationship_type": "targets",
    "source_ref": "incident--11111111-1111-4111-8111-111111111111",
    "target_ref": "identity--66666666-6666-4666-8666-666666666666"}},
  {{"type": "relationship", "spec_version": "2.1", "id": "relationship--a0000000-0000-4000-8000-000000000003",
    "created": "2024-02-03T00:00:00.000Z", "modified": "2024-02-03T00:00:00.000Z", "relationship_type": "targets",
    "source_ref": "incident--11111111-1111-4111-8111-111111111111",
    "target_ref": "location--44444444-4444-4444-8444-444444444444"}},
  {{"type": "relationship", "spec_version": "2.1", "id": "relationship--a0000000-0000-4000-8000-000000000004",
    "created": "2024-02-03T00:00:00.000Z", "modified": "2024-02-03T00:00:00.000Z", "relationship_type": "uses",
    "source_ref": "incident--11111111-1111-4111-8111-111111111111",
    "target_ref": "malware--77777777-7777-4777-8777-777777777777"}},
  {{"type": "relationship", "spec_version": "2.1", "id": "relationship--a0000000-0000-4000-8000-000000000005",
    "created": "2024-02-03T00:00:00.000Z", "modified": "2024-02-03T00:00:00.000Z", "relationship_type": "located-at",
    "source_ref": "threat-actor--33333333-3333-4333-8333-333333333333",
    "target_ref": "location--55555555-5555-4555-8555-555555555555"}},
  {{"type": "report", "spec_version": "2.1", "id": "report--88888888-8888-4888-8888-888888888888",
    "created": "2024-02-05T00:00:00.000Z", "modified": "2024-02-05T00:00:00.000Z", "created_by_ref": "{GOV}",
    "name": "Advisory on the grid wiper", "published": "2024-02-06T00:00:00Z", "report_types": ["attack-pattern"],
    "object_refs": ["incident--11111111-1111-4111-8111-111111111111"]}},
  {{"type": "report", "spec_version": "2.1", "id": "report--99999999-9999-4999-8999-999999999999",
    "created": "2024-02-05T00:00:00.000Z", "modified": "2024-02-05T00:00:00.000Z",
    "name": "Indicator feed", "published": "2024-02-06T00:00:00Z", "report_types": ["indicator"],
    "object_refs": ["malware--77777777-7777-4777-8777-777777777777"]}},
  {{"type": "campaign", "spec_version": "2.1", "id": "campaign--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Old name"}},
  {{"type": "campaign", "spec_version": "2.1", "id": "campaign--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z", "name": "New name",
    "first_seen": "2023-06-01T00:00:00Z"}},
  {{"type": "campaign", "spec_version": "2.1", "id": "campaign--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Withdrawn", "revoked": true}}
]}}"#
    )
}

#[test]
fn stix_incident_with_core_extension_relationships_and_markings() {
    let bundle = synthetic_bundle();
    let out =
        stix_incidents::read_from(bundle.as_bytes(), "test.json", &ReadOptions::default()).unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (6, 3, 3));
    let rejected: BTreeMap<&str, &str> = out
        .rejections
        .iter()
        .map(|r| (r.locator.as_str(), r.message.as_str()))
        .collect();
    assert!(rejected["/objects/14"].contains("not an account of an attack"));
    assert!(
        rejected["/objects/15"].contains("an older version (modified 2024-01-01T00:00:00.000Z)")
    );
    assert!(rejected["/objects/15"].contains("/objects/16"));
    assert!(rejected["/objects/17"].ends_with("revoked by its creator"));

    let incident = titled(&out, "Wiper attack on an example grid operator");
    assert_eq!(incident.provenance.locator, "/objects/1");
    assert_eq!(incident.kinds, ["destruction"]);
    assert_eq!(incident.tlp, Tlp::Amber);
    assert_eq!(incident.credibility, Some(2));
    // The impact's start, to its month fidelity.
    assert_eq!(
        incident.occurred,
        span(FuzzyDate::month(2023, 12).unwrap(), None)
    );
    assert_eq!(
        incident.contributor,
        Contributor {
            name: "Example National CERT".into(),
            type_: ContributorType::MemberState,
            reliability: Reliability::F,
        }
    );
    assert_eq!(incident.victims.len(), 1);
    let victim = &incident.victims[0];
    assert_eq!(victim.name.as_deref(), Some("Example Grid Operator"));
    assert_eq!(victim.sectors, ["utilities"]);
    assert_eq!(
        (
            victim.country.as_deref(),
            victim.country_as_given.as_deref()
        ),
        (Some("UKR"), Some("ua"))
    );
    assert_eq!(incident.actors.len(), 1);
    let actor = &incident.actors[0];
    assert_eq!(
        (actor.name.as_str(), actor.country.as_deref()),
        ("EXAMPLE SPIDER", Some("RUS"))
    );
    assert_eq!(actor.aliases, ["Group 99"]);
    let claim = &incident.attributions[0];
    assert_eq!(
        claim.attributed_by.as_deref(),
        Some("Example National CERT")
    );
    assert_eq!(claim.attributor_kind, AttributorKind::State);
    assert_eq!(claim.confidence, Some(85));
    assert_eq!(claim.date, Some(day(2024, 2, 3)));
    assert_eq!(
        incident.tags,
        [
            "malware:ExampleWiper",
            "incident-determination:successful-attempt",
            "investigation-status:closed",
            "impact:availability"
        ]
    );
    assert_eq!(incident.urls, ["https://example.org/advisory/1"]);
    assert!(incident.original.starts_with("{\"type\": \"incident\""));

    // The report citing the incident carries its account; unmarked, so CLEAR with a repair.
    let advisory = titled(&out, "Advisory on the grid wiper");
    assert_eq!(advisory.actors, incident.actors);
    assert_eq!(advisory.victims, incident.victims);
    assert_eq!(advisory.kinds, incident.kinds);
    assert_eq!(advisory.reported, Some(day(2024, 2, 6)));
    assert_eq!(advisory.tlp, Tlp::Clear);
    assert!(out
        .repairs
        .iter()
        .any(|r| r.locator == "/objects/13" && r.message.starts_with("no TLP marking")));

    let campaign = titled(&out, "New name");
    assert_eq!(campaign.occurred, span(day(2023, 6, 1), None));
}

#[test]
fn stix_caller_options_override_the_file() {
    let bundle = synthetic_bundle();
    let options = ReadOptions {
        contributor: Some(Contributor {
            name: "Submitting CERT".into(),
            type_: ContributorType::MemberState,
            reliability: Reliability::B,
        }),
        tlp: Some(Tlp::Red),
    };
    let out = stix_incidents::read_from(bundle.as_bytes(), "test.json", &options).unwrap();
    assert!(
        out.repairs.is_empty(),
        "a declared TLP leaves nothing to repair"
    );
    for report in &out.reports {
        assert_eq!(report.contributor.name, "Submitting CERT");
        assert_eq!(report.tlp, Tlp::Red);
    }
}

/// A STIX report written from a MISP event carries the event's tags as labels: its sector-galaxy
/// tags are the victims' sectors and its incident-classification tags its kinds, as in MISP.
#[test]
fn stix_labels_from_misp_tags_give_sectors_and_kinds() {
    let bundle = r#"{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000009", "objects": [
  {"type": "report", "spec_version": "2.1", "id": "report--99999999-9999-4999-8999-999999999999",
   "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z",
   "published": "2024-03-01T00:00:00Z", "name": "Ransomware at a regional bank",
   "report_types": ["threat-report"],
   "labels": ["Threat-Report", "tlp:white", "misp-galaxy:sector=\"Finance\"",
              "misp-galaxy:sector=\"Finance\"", "ecsirt:malicious-code=\"ransomware\""],
   "object_refs": ["identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"]},
  {"type": "identity", "spec_version": "2.1", "id": "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
   "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z",
   "name": "Example CERT", "identity_class": "organization"}
]}"#;
    let out =
        stix_incidents::read_from(bundle.as_bytes(), "test.json", &ReadOptions::default()).unwrap();
    assert_accounted(&out);
    let report = &out.reports[0];
    assert_eq!(report.kinds, ["ransomware"]);
    assert_eq!(report.victims.len(), 1, "{:?}", report.victims);
    assert_eq!(report.victims[0].sectors, ["Finance"]);
    assert!(report
        .tags
        .contains(&"misp-galaxy:sector=\"Finance\"".to_owned()));
}

#[test]
fn stix_broken_json_stops_the_file_with_its_place() {
    let text = r#"{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [
  {"type": "campaign", "id": "campaign--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "name": "x",}
]}"#;
    let err = stix_incidents::read_from(text.as_bytes(), "broken.json", &ReadOptions::default())
        .unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("broken.json: "), "{message}");
    assert!(message.contains("line 2"), "{message}");

    // A MISP event given as STIX is refused rather than read as zero records.
    let err = stix_incidents::read_from(
        br#"{"Event": {"info": "x"}}"#.as_slice(),
        "event.json",
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no STIX object"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// MISP on the real events, checked against PyMISP

/// What PyMISP (the reference reader, `../shared/peers/misp-load`'s library) loads from each event:
/// `MISPEvent.load_file`, then `info`, `date`, `Orgc.name`, `[t.name for t in tags]`,
/// `len(attributes)`, `len(objects)`, the attributes inside objects, the distinct `link`/`url`
/// values filed under "External analysis" or "Internal reference", and the dates of
/// `publish_timestamp` and `timestamp`. Taken with PyMISP from the venv of ../shared/peers/setup.
struct Peer {
    file: &'static str,
    info: &'static str,
    date: &'static str,
    org: &'static str,
    tags: &'static [&'static str],
    attributes: usize,
    objects: usize,
    object_attributes: usize,
    references: usize,
    published: &'static str,
    timestamp: &'static str,
}

#[rustfmt::skip]
const PEER: [Peer; 13] = [
    Peer { file: "57c4445b-c548-4654-af0b-4be3950d210f.json", info: "Ransomware - Xorist", date: "2016-08-29", org: "CIRCL", tags: &["tlp:white", "circl:incident-classification=\"malware\"", "ms-caro-malware:malware-type=\"Ransom\"", "malware_classification:malware-category=\"Ransomware\""], attributes: 9, objects: 0, object_attributes: 0, references: 2, published: "2016-08-30", timestamp: "2016-08-30" },
    Peer { file: "HTML_event.json", info: "Cerber Ransomware", date: "2016-03-10", org: "CIRCL", tags: &["circl:incident-classification=\"malware\"", "malware_classification:malware-category=\"Ransomware\"", "tlp:white"], attributes: 13, objects: 0, object_attributes: 0, references: 0, published: "2019-02-20", timestamp: "2016-03-10" },
    Peer { file: "existing_event.json", info: "OSINT - Sednit update: How Fancy Bear Spent the Year", date: "2017-12-21", org: "CIRCL", tags: &["tlp:white", "workflow:state=\"incomplete\"", "workflow:todo=\"create-missing-misp-galaxy-cluster-values\"", "workflow:todo=\"create-missing-misp-galaxy-cluster\"", "misp-galaxy:threat-actor=\"Sofacy\"", "misp-galaxy:exploit-kit=\"Sednit EK\"", "misp-galaxy:tool=\"GAMEFISH\"", "misp-galaxy:mitre-malware=\"JHUHUGIT\"", "misp-galaxy:tool=\"X-Tunnel\"", "misp-galaxy:mitre-malware=\"XTunnel\"", "misp-galaxy:mitre-malware=\"ADVSTORESHELL\"", "misp-galaxy:tool=\"EVILTOSS\"", "misp-galaxy:mitre-malware=\"USBStealer\"", "misp-galaxy:tool=\"X-Agent\"", "misp-galaxy:mitre-malware=\"XAgentOSX\"", "misp-galaxy:mitre-malware=\"CHOPSTICK\"", "misp-galaxy:exploit-kit=\"DealersChoice\"", "misp-galaxy:mitre-malware=\"Downdelph\""], attributes: 9, objects: 49, object_attributes: 113, references: 1, published: "1970-01-01", timestamp: "2017-12-22" },
    Peer { file: "galaxy_1.json", info: "OSINT - PUBG Ransomware Decrypts Your Files If You Play PlayerUnknown's Battlegrounds", date: "2018-04-09", org: "CIRCL", tags: &["tlp:white", "malware_classification:malware-category=\"Ransomware\"", "circl:incident-classification=\"malware\"", "ms-caro-malware-full:malware-type=\"Joke\"", "workflow:todo=\"create-missing-misp-galaxy-cluster-values\"", "misp-galaxy:guidelines=\"Defacement, DoS or overload of websites or other systems used for publication of the results\"", "misp-galaxy:guidelines=\"Leak of confidential information\"", "misp-galaxy:guidelines=\"Tampering or DoS of communication links uesd to transfer (interim) results\"", "misp-galaxy:mitre-intrusion-set=\"APT1 - G0006\"", "misp-galaxy:mitre-intrusion-set=\"APT12 - G0005\"", "misp-galaxy:mitre-malware=\"ANDROIDOS_ANSERVER.A - S0310\"", "misp-galaxy:mitre-malware=\"BACKSPACE - S0031\""], attributes: 4, objects: 2, object_attributes: 6, references: 2, published: "2019-02-18", timestamp: "2019-02-28" },
    Peer { file: "image_event.json", info: "OSINT - New BabyShark Malware Targets U.S. National Security Think Tanks", date: "2019-02-22", org: "CIRCL", tags: &["type:OSINT", "osint:lifetime=\"perpetual\"", "tlp:white", "misp-galaxy:mitre-attack-pattern=\"Stolen Developer Credentials or Signing Keys - T1441\"", "misp-galaxy:tool=\"BabyShark\"", "misp-galaxy:threat-actor=\"STOLEN PENCIL\""], attributes: 19, objects: 20, object_attributes: 60, references: 1, published: "2019-02-26", timestamp: "2019-02-26" },
    Peer { file: "long_event.json", info: "OSINT - ASERT Threat Intelligence Report 2016-03 The Four-Element Sword Engagement", date: "2016-04-18", org: "CIRCL", tags: &["tlp:white", "type:OSINT"], attributes: 370, objects: 0, object_attributes: 0, references: 64, published: "2019-02-20", timestamp: "2016-07-08" },
    Peer { file: "mainly_objects_1.json", info: "MAR-10164494.r1.v1 (SamSam ransomware)", date: "2018-11-27", org: "CIRCL", tags: &["tlp:white", "misp-galaxy:malpedia=\"SamSam\"", "misp-galaxy:ransomware=\"Samas-Samsam\""], attributes: 0, objects: 17, object_attributes: 74, references: 0, published: "2019-02-20", timestamp: "2019-02-20" },
    Peer { file: "mainly_objects_2.json", info: "MAR-10219351.r1.v2 (SamSam ransomware)", date: "2018-11-27", org: "CIRCL", tags: &["tlp:white", "misp-galaxy:malpedia=\"SamSam\"", "misp-galaxy:ransomware=\"Samas-Samsam\""], attributes: 1, objects: 15, object_attributes: 62, references: 0, published: "2019-02-20", timestamp: "2019-02-20" },
    Peer { file: "sighting_1.json", info: "Ursnif, MALWAREMESSIAGH", date: "2018-08-01", org: "Synovus Financial", tags: &["PasteBin: MALWAREMESSIAGH", "misp-galaxy:banker=\"Gozi\""], attributes: 5, objects: 0, object_attributes: 0, references: 0, published: "2019-02-18", timestamp: "2018-08-03" },
    Peer { file: "to_delete1.json", info: "OSINT -  New Malware with Ties to SunOrcal Discovered", date: "2017-11-10", org: "CIRCL", tags: &["type:OSINT", "tlp:white", "circl:incident-classification=\"malware\"", "osint:source-type=\"blog-post\""], attributes: 75, objects: 0, object_attributes: 0, references: 15, published: "2018-02-12", timestamp: "2017-11-17" },
    Peer { file: "to_delete2.json", info: "OSINT - HIDDEN COBRA – North Korean Remote Administration Tool: FALLCHILL", date: "2017-11-14", org: "CIRCL", tags: &["type:OSINT", "tlp:white", "osint:source-type=\"technical-report\"", "misp-galaxy:threat-actor=\"Lazarus Group\"", "misp-galaxy:rat=\"FALLCHILL\""], attributes: 111, objects: 5, object_attributes: 17, references: 3, published: "1970-01-01", timestamp: "2017-11-20" },
    Peer { file: "to_delete3.json", info: "OSINT - Mitigating and eliminating info-stealing Qakbot and Emotet in corporate networks", date: "2017-11-06", org: "CIRCL", tags: &["type:OSINT", "tlp:white", "osint:source-type=\"blog-post\"", "misp-galaxy:tool=\"Emotet\"", "misp-galaxy:banker=\"Qakbot\""], attributes: 48, objects: 24, object_attributes: 48, references: 6, published: "1970-01-01", timestamp: "2017-11-20" },
    Peer { file: "very_long_event.json", info: "OSINT - Crypter-as-a-Service Helps jRAT Fly Under The Radar", date: "2018-03-31", org: "CIRCL", tags: &["tlp:white", "misp-galaxy:rat=\"jRAT\"", "osint:source-type=\"blog-post\"", "misp-galaxy:tool=\"qrat\"", "misp-galaxy:rat=\"Quaverse\""], attributes: 16, objects: 16, object_attributes: 48, references: 10, published: "2019-02-20", timestamp: "2019-02-20" },
];

/// Attribute, object and object-attribute counts of an event, from its original text.
fn counts(original: &str) -> (usize, usize, usize) {
    let event = parse(original);
    let len = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, Vec::len);
    let objects = event.get("Object").and_then(Value::as_array);
    (
        len(event.get("Attribute")),
        objects.map_or(0, Vec::len),
        objects.map_or(0, |o| o.iter().map(|o| len(o.get("Attribute"))).sum()),
    )
}

#[test]
fn misp_events_agree_with_pymisp() {
    let Some(dir) = shared_data("misp-events") else {
        return;
    };
    for peer in &PEER {
        let path = dir.join(peer.file);
        let out = read_file(SourceFormat::Misp, &path).unwrap();
        assert_accounted(&out);
        assert_eq!(
            (out.read, out.accepted, out.rejected),
            (1, 1, 0),
            "{}",
            peer.file
        );
        let report = &out.reports[0];
        assert_eq!(report.title, peer.info, "{}", peer.file);
        assert_eq!(
            report.occurred,
            span(FuzzyDate::parse_iso(peer.date).unwrap(), None),
            "{}",
            peer.file
        );
        assert_eq!(report.contributor.name, peer.org, "{}", peer.file);
        // PyMISP's tags, less the TLP one, open the report's tags in the same order; after them
        // come only cluster tags the event lacked and the distribution.
        let expected: Vec<&str> = peer
            .tags
            .iter()
            .copied()
            .filter(|t| !t.starts_with("tlp:"))
            .collect();
        assert_eq!(
            &report.tags[..expected.len()],
            &expected[..],
            "{}",
            peer.file
        );
        for extra in &report.tags[expected.len()..] {
            assert!(
                extra.starts_with("misp-distribution:") || extra.starts_with("misp-galaxy:"),
                "{}: {extra}",
                peer.file
            );
        }
        let tlp_tagged = peer.tags.contains(&"tlp:white");
        assert_eq!(report.tlp, Tlp::Clear, "{}", peer.file);
        assert_eq!(out.repaired, u64::from(!tlp_tagged), "{}", peer.file);
        assert_eq!(
            counts(&report.original),
            (peer.attributes, peer.objects, peer.object_attributes),
            "{}",
            peer.file
        );
        assert_eq!(report.urls.len(), peer.references, "{}", peer.file);
        // PyMISP reads a publish_timestamp of 0 as 1970; it means "never published" here.
        let reported = if peer.published == "1970-01-01" {
            peer.timestamp
        } else {
            peer.published
        };
        assert_eq!(
            report.reported,
            FuzzyDate::parse_iso(reported),
            "{}",
            peer.file
        );
        assert_eq!(report.source_id.as_deref().map(str::len), Some(36));
    }
}

/// The same comparison live, when the peer tool is on this machine: PyMISP's attribute and
/// object counts per file against the ones in our originals.
#[test]
fn misp_counts_agree_with_the_live_peer() {
    let (Some(dir), Some(peer)) = (shared_data("misp-events"), shared_peer("misp-load")) else {
        return;
    };
    let files: Vec<_> = PEER.iter().map(|p| dir.join(p.file)).collect();
    let output = match std::process::Command::new(&peer).args(&files).output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            threatscape_testkit::skip(
                "the live PyMISP comparison",
                &format!(
                    "misp-load failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ),
            );
            return;
        }
        Err(e) => {
            threatscape_testkit::skip("the live PyMISP comparison", &e.to_string());
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut checked = 0;
    for line in stdout.lines() {
        // `<file>: ok, <n> attributes, <m> objects` (attributes include those in objects).
        let Some((file, rest)) = line.split_once(": ok, ") else {
            continue;
        };
        let numbers: Vec<usize> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        let out = read_file(SourceFormat::Misp, Path::new(file)).unwrap();
        let (attributes, objects, in_objects) = counts(&out.reports[0].original);
        assert_eq!(numbers, [attributes + in_objects, objects], "{file}");
        checked += 1;
    }
    assert_eq!(checked, 13, "{stdout}");
}

#[test]
fn misp_galaxies_become_actors_kinds_and_tags() {
    let Some(dir) = shared_data("misp-events") else {
        return;
    };
    let read = |file: &str| read_file(SourceFormat::Misp, &dir.join(file)).unwrap();

    let sednit = read("existing_event.json");
    let report = &sednit.reports[0];
    assert_eq!(
        report.provenance.locator, "line 1",
        "a bare event is the whole file"
    );
    assert_eq!(names(report), ["Sofacy"]);
    assert_eq!(report.actors[0].country.as_deref(), Some("RUS"));
    assert!(report.actors[0].aliases.contains(&"APT28".to_owned()));
    assert!(report.attributions.is_empty());
    assert_eq!(report.tags.last().unwrap(), "misp-distribution:3");
    assert!(report
        .description
        .as_deref()
        .unwrap()
        .starts_with("The Sednit group"));
    assert_eq!(
        report.urls,
        ["https://www.welivesecurity.com/2017/12/21/sednit-update-fancy-bear-spent-year/"]
    );

    let pubg = read("galaxy_1.json");
    assert_eq!(names(&pubg.reports[0]), ["APT1", "APT12"]);
    assert_eq!(pubg.reports[0].kinds, ["Ransomware", "malware", "Joke"]);
    assert_eq!(pubg.reports[0].provenance.locator, "/Event");

    let xorist = read("57c4445b-c548-4654-af0b-4be3950d210f.json");
    assert_eq!(xorist.reports[0].kinds, ["malware", "Ransom", "Ransomware"]);

    let babyshark = read("image_event.json");
    assert_eq!(names(&babyshark.reports[0]), ["STOLEN PENCIL"]);

    let ursnif = read("sighting_1.json");
    assert_eq!(ursnif.reports[0].contributor.name, "Synovus Financial");
    assert_eq!(
        ursnif.repairs[0].message,
        "no TLP tag: released as TLP:CLEAR from the event's distribution 3, all communities \
         (declare a level to restrict it)"
    );

    // The original is the event's text as in the file, not a re-serialisation.
    let text = std::fs::read_to_string(dir.join("galaxy_1.json")).unwrap();
    assert!(text.contains(&pubg.reports[0].original));
    assert!(pubg.reports[0].original.starts_with('{'));
}

// ---------------------------------------------------------------------------------------------
// MISP: the cases the real events lack

#[test]
fn misp_response_lists_taxonomies_and_rejections() {
    let text = r#"{"response": [
  {"Event": {"uuid": "00000000-0000-4000-8000-00000000000a", "info": "Example wiper on a grid",
    "date": "2024-02-01", "publish_timestamp": "1706745600", "distribution": "1",
    "Orgc": {"name": "Example CERT", "type": "CSIRT"},
    "Tag": [{"name": "tlp:amber+strict"}, {"name": "admiralty-scale:source-reliability=\"b\""},
            {"name": "admiralty-scale:information-credibility=\"2\""},
            {"name": "state-responsibility:state-coordinated"}, {"name": "ecsirt:malicious-code=\"wiper\""}],
    "Galaxy": [
      {"type": "threat-actor", "GalaxyCluster": [{"type": "threat-actor", "value": "EXAMPLE BEAR",
        "tag_name": "misp-galaxy:threat-actor=\"EXAMPLE BEAR\"",
        "meta": {"synonyms": ["Example Group"], "country": "RU"}}]},
      {"type": "sector", "GalaxyCluster": [{"type": "sector", "value": "Energy"}]},
      {"type": "country", "GalaxyCluster": [{"type": "country", "value": "ukraine", "meta": {"ISO3": "UKR"}}]}],
    "Attribute": [{"type": "link", "category": "External analysis", "value": "https://example.org/a"},
                  {"type": "url", "category": "Network activity", "value": "http://bad.example/payload"}]}},
  {"Event": {"uuid": "00000000-0000-4000-8000-00000000000b", "date": "2024-02-02", "distribution": 0}},
  {"Event": {"uuid": "00000000-0000-4000-8000-00000000000c", "info": "Internal only", "distribution": 0}}
]}"#;
    let out = misp::read_bytes(text.as_bytes(), "response.json", &ReadOptions::default()).unwrap();
    assert_accounted(&out);
    assert_eq!((out.read, out.accepted, out.rejected), (3, 2, 1));
    assert_eq!(out.rejections[0].locator, "/response/1/Event");
    assert!(out.rejections[0].message.contains("no `info`"));

    let report = &out.reports[0];
    assert_eq!(report.provenance.locator, "/response/0/Event");
    assert_eq!(report.tlp, Tlp::AmberStrict);
    assert_eq!(report.credibility, Some(2));
    assert_eq!(
        report.contributor,
        Contributor {
            name: "Example CERT".into(),
            type_: ContributorType::MemberState,
            reliability: Reliability::B,
        }
    );
    assert_eq!(report.kinds, ["wiper"]);
    assert_eq!(report.reported, Some(day(2024, 2, 1)));
    assert_eq!(report.urls, ["https://example.org/a"]);
    assert_eq!(report.actors.len(), 1);
    assert_eq!(report.actors[0].aliases, ["Example Group"]);
    assert_eq!(report.actors[0].country.as_deref(), Some("RUS"));
    assert_eq!(report.victims.len(), 1);
    assert_eq!(report.victims[0].country.as_deref(), Some("UKR"));
    assert_eq!(
        report.victims[0].country_as_given.as_deref(),
        Some("ukraine")
    );
    assert_eq!(report.victims[0].sectors, ["Energy"]);
    let claim = &report.attributions[0];
    assert_eq!(
        claim.state_responsibility.as_deref(),
        Some("state-coordinated")
    );
    assert_eq!(claim.attributed_by.as_deref(), Some("Example CERT"));
    assert_eq!(claim.attributor_kind, AttributorKind::State);
    assert!(report
        .tags
        .contains(&"misp-galaxy:sector=\"Energy\"".to_owned()));
    assert!(report.tags.contains(&"misp-distribution:1".to_owned()));
    assert!(text.contains(&report.original));

    // Untagged, organisation-only: restricted, and the choice is listed.
    let internal = &out.reports[1];
    assert_eq!(internal.tlp, Tlp::AmberStrict);
    assert!(out.repairs.iter().any(|r| r.locator == "/response/2/Event"
        && r.message.contains("distribution 0, your organisation only")));

    // A declared level raises a lower tag and replaces the guess.
    let options = ReadOptions {
        tlp: Some(Tlp::Red),
        ..ReadOptions::default()
    };
    let raised = misp::read_bytes(text.as_bytes(), "response.json", &options).unwrap();
    assert!(raised.reports.iter().all(|r| r.tlp == Tlp::Red));
    assert!(raised.repairs.is_empty());
}

#[test]
fn misp_refuses_what_is_not_an_event_file() {
    let err = misp::read_bytes(
        br#"{"type": "bundle", "objects": []}"#,
        "x.json",
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a MISP event file"), "{err}");
    let err = misp::read_bytes(b"{\"Event\": ", "y.json", &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn read_file_with_passes_the_options_on() {
    let Some(path) = shared_data("misp-events/HTML_event.json") else {
        return;
    };
    let contributor = Contributor {
        name: "Relaying CERT".into(),
        type_: ContributorType::MemberState,
        reliability: Reliability::C,
    };
    let options = ReadOptions {
        contributor: Some(contributor.clone()),
        tlp: Some(Tlp::Green),
    };
    let out = read_file_with(SourceFormat::Misp, &path, &options).unwrap();
    assert_eq!(out.reports[0].contributor, contributor);
    assert_eq!(out.reports[0].tlp, Tlp::Green);
}
