//! The briefing as a STIX 2.1 bundle: one `report` whose `object_refs` list the incidents the
//! briefing cites and the objects they cite (victim organisations as `identity`, victim
//! countries as `location`, actors as `threat-actor`, and the `relationship`s between them),
//! every object marked with its TLP 2.0 level and the report with the highest one it contains.
//!
//! Ids are UUIDv5 of what the object stands for (the incident id, the actor's name...), so two
//! runs over the same store give the same ids and a consumer can tell an update from a new object.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use threatscape_model::Tlp;
use threatscape_stix::markings::{tlp2_marking_id, TLP2_EXTENSION_ID};
use uuid::Uuid;

use crate::model::Briefing;
use crate::trends::Incident;

/// The namespace of the briefing's deterministic ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1e_7a0b_3f4d_4e8a_9b1c_2d3e_4f5a_6b7c);

fn id(kind: &str, name: &str) -> String {
    format!(
        "{kind}--{}",
        Uuid::new_v5(&NAMESPACE, format!("{kind}|{name}").as_bytes())
    )
}

/// The TLP 2.0 marking-definition object of a level, as the OASIS extension defines it.
fn marking_definition(tlp: Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp2_marking_id(tlp),
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.to_string(),
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.as_str().to_ascii_lowercase(),
            }
        }
    })
}

/// The bundle as pretty JSON. `published` is the STIX timestamp the report is published at
/// (`2026-11-26T21:00:00.000Z`); it is also every object's `created` and `modified`.
pub fn bundle(b: &Briefing, incidents: &[Incident], published: &str) -> String {
    let by_id: BTreeMap<&str, &Incident> = incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let author = id("identity", "threatscape");
    let mut objects: BTreeMap<String, Value> = BTreeMap::new();
    let mut levels: BTreeSet<Tlp> = BTreeSet::new();
    let common = |kind: &str, oid: &str, tlp: Tlp| -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), json!(kind));
        m.insert("spec_version".into(), json!("2.1"));
        m.insert("id".into(), json!(oid));
        m.insert("created".into(), json!(published));
        m.insert("modified".into(), json!(published));
        m.insert("created_by_ref".into(), json!(author));
        m.insert("object_marking_refs".into(), json!([tlp2_marking_id(tlp)]));
        m
    };
    let mut refs: Vec<String> = Vec::new();
    for entry in &b.annex {
        let Some(incident) = by_id.get(entry.id.as_str()) else {
            continue;
        };
        let tlp = entry.tlp;
        levels.insert(tlp);
        let iid = id("incident", &entry.id);
        let mut inc = common("incident", &iid, tlp);
        inc.insert("name".into(), json!(entry.title));
        let mut description = Vec::new();
        if let Some(d) = &entry.date {
            description.push(format!(
                "Date ({}): {d}.",
                b.date_basis.split(' ').next().unwrap_or("")
            ));
        }
        if !entry.labels.is_empty() {
            description.push(format!("Assessed as: {}.", entry.labels.join(", ")));
        }
        description.push(format!("Briefing incident id {}.", entry.id));
        inc.insert("description".into(), json!(description.join(" ")));
        let mut external: Vec<Value> = incident
            .reports
            .iter()
            .map(|r| {
                let mut e = json!({"source_name": r.contributor.name, "external_id": r.key()});
                if let Some(u) = r.urls.first() {
                    e["url"] = json!(uri(u));
                }
                e
            })
            .collect();
        external.extend(
            entry
                .urls
                .iter()
                .skip(1)
                .map(|u| json!({"source_name": "reference", "url": uri(u)})),
        );
        inc.insert("external_references".into(), Value::Array(external));
        objects.insert(iid.clone(), Value::Object(inc));
        refs.push(iid.clone());

        // What the incident cites: victims, their countries, actors; each with a relationship.
        // Most are cited by many incidents (a country, a prolific actor): an object is built only
        // when it is new or this incident's level is stricter than the one it carries (the
        // object then carries the most restrictive level of the incidents citing it).
        let mut cited: BTreeMap<String, (&str, Cited)> = BTreeMap::new();
        for r in &incident.reports {
            for v in &r.victims {
                if let Some(name) = v.name.as_deref().filter(|n| !n.trim().is_empty()) {
                    let vid = id(
                        "identity",
                        &format!("victim|{}", name.trim().to_lowercase()),
                    );
                    cited.insert(vid, ("victim organisation", Cited::Victim(name.trim())));
                }
                if let Some(alpha2) = v
                    .country
                    .as_deref()
                    .and_then(threatscape_sources::countries::to_alpha2)
                {
                    let name = v.country.as_deref().unwrap_or(alpha2);
                    cited.insert(
                        id("location", alpha2),
                        ("victim country", Cited::Country { alpha2, name }),
                    );
                }
            }
            let actors = r
                .actors
                .iter()
                .chain(r.attributions.iter().map(|a| &a.actor));
            for a in actors {
                if a.name.trim().is_empty() {
                    continue;
                }
                let aid = id("threat-actor", &a.name.trim().to_lowercase());
                cited.insert(aid, ("actor named by a source", Cited::Actor(a)));
            }
        }
        for (oid, (role, what)) in cited {
            let level = match what {
                Cited::Country { .. } => Tlp::Clear,
                _ => tlp,
            };
            let build = || {
                let mut o = common(what.kind(), &oid, level);
                match what {
                    Cited::Victim(name) => {
                        o.insert("name".into(), json!(name));
                        o.insert("identity_class".into(), json!("organization"));
                    }
                    Cited::Country { alpha2, name } => {
                        o.insert("name".into(), json!(crate::trends::state_name(name)));
                        o.insert("country".into(), json!(alpha2));
                    }
                    Cited::Actor(a) => {
                        o.insert("name".into(), json!(a.name.trim()));
                        if !a.aliases.is_empty() {
                            o.insert("aliases".into(), json!(a.aliases));
                        }
                    }
                }
                Value::Object(o)
            };
            match objects.get_mut(&oid) {
                Some(existing) if level > marking_of(existing) => *existing = build(),
                Some(_) => {}
                None => {
                    objects.insert(oid.clone(), build());
                }
            }
            let rid = id("relationship", &format!("{iid}|{oid}"));
            let mut rel = common("relationship", &rid, tlp);
            rel.insert("relationship_type".into(), json!("related-to"));
            rel.insert(
                "description".into(),
                json!(format!("The incident's {role}.")),
            );
            rel.insert("source_ref".into(), json!(iid));
            rel.insert("target_ref".into(), json!(oid));
            objects.insert(rid.clone(), Value::Object(rel));
            refs.push(oid);
            refs.push(rid);
        }
    }
    let highest = b
        .highest_tlp_used
        .max(levels.iter().copied().max().unwrap_or(Tlp::Clear));
    levels.insert(highest);
    // The author identity is CLEAR, so that marking definition is always in the bundle.
    levels.insert(Tlp::Clear);
    let mut seen = BTreeSet::new();
    refs.retain(|r| seen.insert(r.clone()));
    if refs.is_empty() {
        // A report must refer to something: with nothing cited it refers to its author.
        refs.push(author.clone());
    }
    let report_id = id(
        "report",
        &format!("{}|{}|{}", b.period.label, b.audience, published),
    );
    let mut report = common("report", &report_id, highest);
    report.insert("name".into(), json!(b.title));
    report.insert(
        "description".into(),
        json!(b
            .executive_summary
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")),
    );
    report.insert("report_types".into(), json!(["threat-report"]));
    report.insert("published".into(), json!(published));
    report.insert("object_refs".into(), json!(refs));
    let mut out: Vec<Value> = levels.iter().map(|t| marking_definition(*t)).collect();
    out.push(json!({
        "type": "identity", "spec_version": "2.1", "id": author,
        "created": published, "modified": published,
        "name": "threatscape", "identity_class": "system",
        "description": "The cyber-threat landscape observatory that compiled the briefing.",
        "object_marking_refs": [tlp2_marking_id(Tlp::Clear)],
    }));
    out.push(Value::Object(report));
    out.extend(objects.into_values());
    let bundle = json!({
        "type": "bundle",
        "id": id("bundle", &report_id),
        "objects": out,
    });
    serde_json::to_string_pretty(&bundle).expect("a JSON value always serialises")
}

/// What an incident cites, as read from its reports (made into an object only when needed).
#[derive(Clone, Copy)]
enum Cited<'a> {
    /// A victim organisation, by its name.
    Victim(&'a str),
    /// A victim country: its ISO alpha-2 code and the name or code the report gave.
    Country { alpha2: &'a str, name: &'a str },
    /// An actor named by a source.
    Actor(&'a threatscape_model::Actor),
}

impl Cited<'_> {
    /// The STIX type of its object.
    fn kind(&self) -> &'static str {
        match self {
            Cited::Victim(_) => "identity",
            Cited::Country { .. } => "location",
            Cited::Actor(_) => "threat-actor",
        }
    }
}

/// The TLP level an object of the bundle is marked with.
fn marking_of(object: &Value) -> Tlp {
    object["object_marking_refs"][0]
        .as_str()
        .and_then(threatscape_stix::markings::tlp_of_marking)
        .unwrap_or(Tlp::Clear)
}

/// A URL as a valid URI (RFC 3986): trackers copy links from browsers with spaces, quotes and
/// stray `%` signs; those characters are percent-encoded so the link still leads where it did.
fn uri(url: &str) -> String {
    let bytes = url.trim().as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let valid_escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        if allowed || valid_escape {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_valid_uris() {
        assert_eq!(
            uri("https://a.org/x y?q=%20&r=%??"),
            "https://a.org/x%20y?q=%20&r=%25??"
        );
        assert_eq!(uri("https://b.org/é"), "https://b.org/%C3%A9");
    }
}
