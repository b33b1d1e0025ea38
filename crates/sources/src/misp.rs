//! MISP events read as [`Report`]s: one Report per event.
//!
//! # File shapes
//! A file holds one event wrapped as MISP exports it (`{"Event": {...}}`), a bare event (`{"info":
//! ..., "Attribute": [...]}`), a MISP API response (`{"response": [{"Event": {...}}, ...]}`) or an
//! array of events. A folder of feed events is the caller's to walk: this module reads one file.
//! Each event is a record, located by its JSON pointer (`/Event`, `/response/3/Event`; `line 1` for
//! a bare event), and its text is kept in `Report.original` exactly as in the file.
//!
//! # What is read
//! - `info` is the title; the `text` attributes filed under "External analysis" are the
//!   description (CIRCL's OSINT events hold the source's summary there);
//! - `date` is when it occurred (to the day); `publish_timestamp` (else `timestamp`; 0 counts as
//!   absent) is when it was reported;
//! - `Orgc` (the creator organisation) is the contributor: its name, its type guessed from its
//!   `type`, `sector` and name (private sector when nothing says otherwise), and its reliability
//!   from an `admiralty-scale:source-reliability` tag (`g`, deliberately deceptive, reads as E),
//!   else F. The caller's contributor replaces it;
//! - tags: `tlp:*` gives the TLP (`tlp:white` is CLEAR); `admiralty-scale:information-credibility`
//!   the credibility; the incident-classification taxonomies (`circl:incident-classification`,
//!   `ecsirt`, `rsit`, `enisa:nefarious-activity-abuse`, `malware_classification:malware-category`,
//!   `ms-caro-malware(-full):malware-type`) the kinds; every tag but the TLP one is kept in `tags`
//!   verbatim;
//! - galaxies: threat-actor and intrusion-set clusters (and `misp-galaxy:threat-actor=` tags
//!   without a cluster) are the actors, with the cluster's synonyms as aliases and its country
//!   (`meta.country`, else the CFR suspected state sponsor) as ISO alpha-3; sector clusters are the
//!   victims' sectors, country clusters their countries; every other cluster (ransomware, tool,
//!   malware...) is a `misp-galaxy:TYPE="VALUE"` tag unless the event already has that tag;
//! - `state-responsibility:*` tags, when present, make each actor an attribution by the creator
//!   organisation on that step of the spectrum; without them the actors stay actors (a galaxy on an
//!   OSINT event relays someone else's claim, not the organisation's own);
//! - references: `link` and `url` attributes filed under "External analysis" or "Internal
//!   reference", in the event and its objects. URLs filed elsewhere are indicators (payload
//!   delivery, network activity), not references, and stay in the original only, as do the
//!   attribute and object counts;
//! - `distribution` becomes a `misp-distribution:N` tag.
//!
//! # TLP without a tag
//! An event without a TLP tag takes the caller's declared level. Without that either, the level is
//! read from the event's distribution (0 your organisation only: AMBER+STRICT; 1 this community,
//! 2 connected communities: GREEN; 4 a sharing group: AMBER; 3 all communities, or none given:
//! CLEAR), and the choice is listed as a repair of the record.

use std::path::Path;

use serde_json::{Map, Value};
use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, DateSpan, FuzzyDate,
    Provenance, Reliability, Report, Tlp, Victim,
};

use crate::stix_incidents::{alpha3, alpha3_of_code, attributor_kind_from, contributor_type_from};
use crate::{AdapterOutput, ReadOptions, RecordIssue, SourceError};

const FORMAT: &str = "misp";

/// Reads a MISP event file with no caller overrides.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    read_with(path, &ReadOptions::default())
}

/// Reads a MISP event file, with the caller's contributor and declared TLP.
pub fn read_with(path: &Path, options: &ReadOptions) -> Result<AdapterOutput, SourceError> {
    let file_name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
        file: file_name.clone(),
        source,
    })?;
    read_bytes(&bytes, &file_name, options)
}

/// Reads MISP events from a file's bytes; `file_name` is what provenance and issues name.
pub fn read_bytes(
    bytes: &[u8],
    file_name: &str,
    options: &ReadOptions,
) -> Result<AdapterOutput, SourceError> {
    let format_error = |message: String| SourceError::Format {
        file: file_name.to_owned(),
        message,
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = threatscape_stix::reader::parse_value(text)
        .map_err(|e| format_error(format!("not a MISP event file: not JSON: {e}")))?;
    let places = event_places(&root).ok_or_else(|| {
        format_error(
            "not a MISP event file: expected {\"Event\": {...}}, a bare event, \
             {\"response\": [...]} or an array of events"
                .to_owned(),
        )
    })?;

    let mut out = AdapterOutput::default();
    for path in places {
        out.read += 1;
        let span = span_of(text, &path);
        let locator = match (&path[..], span) {
            ([], Some((start, _))) => format!("line {}", line_at(text, start)),
            _ => pointer_of(&path),
        };
        let issue = |message: String| RecordIssue {
            file: file_name.to_owned(),
            locator: locator.clone(),
            message,
        };
        let Some(event) = value_at(&root, &path).and_then(Value::as_object) else {
            out.rejected += 1;
            out.rejections
                .push(issue("not a MISP event: not a JSON object".to_owned()));
            continue;
        };
        let original = match span {
            Some((start, end)) => String::from_utf8_lossy(&text[start..end]).into_owned(),
            None => Value::Object(event.clone()).to_string(),
        };
        let provenance = Provenance {
            format: FORMAT.to_owned(),
            file: file_name.to_owned(),
            locator: locator.clone(),
        };
        match event_report(event, provenance, original, options) {
            Ok((report, repairs)) => {
                if !repairs.is_empty() {
                    out.repaired += 1;
                }
                out.repairs.extend(repairs.into_iter().map(issue));
                out.reports.push(report);
                out.accepted += 1;
            }
            Err(message) => {
                out.rejected += 1;
                out.rejections.push(issue(message));
            }
        }
    }
    Ok(out)
}

/// One step of a path into the JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Key(&'static str),
    Index(usize),
}

/// Where the events are in the document.
fn event_places(root: &Value) -> Option<Vec<Vec<Step>>> {
    let element = |prefix: Vec<Step>, item: &Value| {
        let mut path = prefix;
        if item.get("Event").is_some() {
            path.push(Step::Key("Event"));
        }
        path
    };
    match root {
        Value::Object(map) if map.contains_key("Event") => Some(vec![vec![Step::Key("Event")]]),
        Value::Object(map) if map.get("response").is_some_and(Value::is_array) => Some(
            map["response"]
                .as_array()?
                .iter()
                .enumerate()
                .map(|(i, item)| element(vec![Step::Key("response"), Step::Index(i)], item))
                .collect(),
        ),
        Value::Object(map) if looks_like_event(map) => Some(vec![Vec::new()]),
        Value::Array(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| element(vec![Step::Index(i)], item))
                .collect(),
        ),
        _ => None,
    }
}

fn looks_like_event(map: &Map<String, Value>) -> bool {
    map.contains_key("info") || map.contains_key("Attribute") || map.contains_key("Orgc")
}

fn value_at<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get(*k),
        Step::Index(i) => node.get(*i),
    })
}

fn pointer_of(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{k}"),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

fn line_at(text: &[u8], offset: usize) -> usize {
    text[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// The byte range of the value at `path` in JSON text already known to parse.
fn span_of(text: &[u8], path: &[Step]) -> Option<(usize, usize)> {
    let mut cursor = Cursor { text, at: 0 };
    for step in path {
        cursor.space();
        match step {
            Step::Key(key) => {
                cursor.expect(b'{')?;
                loop {
                    cursor.space();
                    let (start, end) = cursor.string()?;
                    cursor.space();
                    cursor.expect(b':')?;
                    cursor.space();
                    if &text[start..end] == key.as_bytes() {
                        break;
                    }
                    cursor.value()?;
                    cursor.space();
                    cursor.expect(b',')?;
                }
            }
            Step::Index(index) => {
                cursor.expect(b'[')?;
                for _ in 0..*index {
                    cursor.space();
                    cursor.value()?;
                    cursor.space();
                    cursor.expect(b',')?;
                }
            }
        }
    }
    cursor.space();
    let start = cursor.at;
    cursor.value()?;
    Some((start, cursor.at))
}

/// A scanner over JSON text that only finds where values start and end.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Skips a string and returns the range of its contents (escapes left as written).
    fn string(&mut self) -> Option<(usize, usize)> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some((start, self.at - 1));
                }
                _ => self.at += 1,
            }
        }
    }

    /// Skips one value of any kind.
    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

/// A tag parsed as a MISP machine tag: `namespace:predicate="value"`.
struct MachineTag<'a> {
    namespace: &'a str,
    predicate: &'a str,
    value: Option<&'a str>,
}

fn machine_tag(tag: &str) -> Option<MachineTag<'_>> {
    let (namespace, rest) = tag.split_once(':')?;
    let (predicate, value) = match rest.split_once('=') {
        Some((p, v)) => (p, Some(v.trim().trim_matches('"'))),
        None => (rest, None),
    };
    Some(MachineTag {
        namespace: namespace.trim(),
        predicate: predicate.trim(),
        value,
    })
}

/// Galaxy types whose clusters are actors.
fn is_actor_galaxy(kind: &str) -> bool {
    kind == "threat-actor"
        || kind.ends_with("intrusion-set")
        || kind == "microsoft-activity-group"
        || kind == "360net"
}

/// True when a tag is an incident-type label; its value is the kind.
fn is_kind_tag(tag: &MachineTag<'_>) -> bool {
    matches!(
        (tag.namespace, tag.predicate),
        ("circl", "incident-classification")
            | ("ecsirt" | "rsit", _)
            | ("enisa", "nefarious-activity-abuse")
            | ("malware_classification", "malware-category")
            | ("ms-caro-malware" | "ms-caro-malware-full", "malware-type")
    )
}

/// The kind an incident-type machine tag names (`circl:incident-classification="malware"` ->
/// `malware`), for other adapters that carry MISP tags (MISP's STIX converter writes them as
/// labels).
pub(crate) fn kind_of_tag(tag: &str) -> Option<&str> {
    let machine = machine_tag(tag)?;
    if is_kind_tag(&machine) {
        machine.value.filter(|v| !v.is_empty())
    } else {
        None
    }
}

/// The sector a sector-galaxy machine tag names (`misp-galaxy:sector="Finance"` -> `Finance`).
pub(crate) fn sector_of_tag(tag: &str) -> Option<&str> {
    let machine = machine_tag(tag)?;
    match (machine.namespace, machine.predicate, machine.value) {
        ("misp-galaxy", "sector", Some(value)) if !value.is_empty() => Some(value),
        _ => None,
    }
}

/// A JSON string or number as text (MISP writes numbers both ways).
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn array<'a>(map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The date of a Unix timestamp (seconds, UTC); 0 or unreadable is None.
fn date_of_unix(value: Option<&Value>) -> Option<FuzzyDate> {
    let seconds: i64 = text_of(value)?.parse().ok().filter(|s| *s > 0)?;
    // Days to civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    FuzzyDate::day(
        i32::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

/// The tags of an event or cluster list: `Tag: [{name}]` or `EventTag: [{Tag: {name}}]`.
fn tag_names(event: &Map<String, Value>) -> Vec<String> {
    let direct = array(event, "Tag").iter();
    let wrapped = array(event, "EventTag").iter().filter_map(|t| t.get("Tag"));
    let mut names: Vec<String> = Vec::new();
    for tag in direct.chain(wrapped) {
        if let Some(name) = text_of(tag.get("name")) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Every attribute of the event, its objects' included.
fn attributes(event: &Map<String, Value>) -> impl Iterator<Item = &Map<String, Value>> {
    let top = array(event, "Attribute").iter();
    let in_objects = array(event, "Object")
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| array(o, "Attribute").iter());
    top.chain(in_objects).filter_map(Value::as_object)
}

fn event_report(
    event: &Map<String, Value>,
    provenance: Provenance,
    original: String,
    options: &ReadOptions,
) -> Result<(Report, Vec<String>), String> {
    let mut repairs = Vec::new();
    let title = text_of(event.get("info"))
        .ok_or("the event has no `info` (its title), so it cannot be listed")?;

    let tags = tag_names(event);
    let mut tlp_tag: Option<Tlp> = None;
    let mut credibility = None;
    let mut reliability = None;
    let mut kinds: Vec<String> = Vec::new();
    let mut kept_tags: Vec<String> = Vec::new();
    let mut state_responsibility: Option<String> = None;
    let mut actors: Vec<Actor> = Vec::new();
    let mut sectors: Vec<String> = Vec::new();
    let mut countries: Vec<(Option<String>, String)> = Vec::new();
    for tag in &tags {
        if tag.to_ascii_lowercase().starts_with("tlp:") {
            if let Ok(level) = tag.parse::<Tlp>() {
                tlp_tag = tlp_tag.max(Some(level));
                continue;
            }
        }
        kept_tags.push(tag.clone());
        let Some(machine) = machine_tag(tag) else {
            continue;
        };
        match (machine.namespace, machine.predicate, machine.value) {
            ("admiralty-scale", "information-credibility", Some(v)) => {
                credibility = v.parse::<u8>().ok().filter(|c| (1..=6).contains(c));
            }
            ("admiralty-scale", "source-reliability", Some(v)) => {
                reliability = reliability_of(v);
            }
            ("state-responsibility", predicate, _) => {
                state_responsibility = Some(predicate.to_owned());
            }
            ("misp-galaxy", kind, Some(_)) if is_actor_galaxy(kind) => {
                if let Some(actor) = actor_of_galaxy_tag(tag) {
                    push_actor(&mut actors, actor);
                }
            }
            ("misp-galaxy", "sector", Some(value)) => push_new(&mut sectors, value.to_owned()),
            ("misp-galaxy", "country", Some(value)) => {
                push_country(&mut countries, alpha3(value), value);
            }
            (_, _, Some(value)) if is_kind_tag(&machine) => push_new(&mut kinds, value.to_owned()),
            _ => {}
        }
    }

    // Galaxy clusters: richer than their tags (synonyms, countries), and sometimes untagged.
    for galaxy in array(event, "Galaxy").iter().filter_map(Value::as_object) {
        let galaxy_type = text_of(galaxy.get("type")).unwrap_or_default();
        for cluster in array(galaxy, "GalaxyCluster")
            .iter()
            .filter_map(Value::as_object)
        {
            let Some(value) = text_of(cluster.get("value")) else {
                continue;
            };
            let kind = text_of(cluster.get("type")).unwrap_or_else(|| galaxy_type.clone());
            let meta = cluster.get("meta").and_then(Value::as_object);
            if is_actor_galaxy(&kind) {
                let mut actor = plain_actor(&value);
                if let Some(meta) = meta {
                    for synonym in meta
                        .get("synonyms")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        if synonym != actor.name && !actor.aliases.iter().any(|a| a == synonym) {
                            actor.aliases.push(synonym.to_owned());
                        }
                    }
                    actor.country = first_text(meta.get("country"))
                        .and_then(|c| alpha3_of_code(&c))
                        .or_else(|| {
                            first_text(meta.get("cfr-suspected-state-sponsor"))
                                .and_then(|c| alpha3(&c))
                        });
                }
                // A cluster says more than a tag of the same actor: it replaces it.
                actors.retain(|a| a.name != actor.name);
                actors.push(actor);
            } else if kind == "sector" {
                push_new(&mut sectors, value.clone());
            } else if kind == "country" {
                let code = meta
                    .and_then(|m| text_of(m.get("ISO3")))
                    .or_else(|| alpha3(&value));
                push_country(&mut countries, code, &value);
            }
            let tag = text_of(cluster.get("tag_name"))
                .unwrap_or_else(|| format!("misp-galaxy:{kind}=\"{value}\""));
            push_new(&mut kept_tags, tag);
        }
    }

    let distribution = text_of(event.get("distribution"));
    if let Some(d) = &distribution {
        kept_tags.push(format!("misp-distribution:{d}"));
    }
    let tlp = match (tlp_tag, options.tlp) {
        (None, None) => {
            let (level, why) = match distribution.as_deref() {
                Some("0") => (Tlp::AmberStrict, "distribution 0, your organisation only"),
                Some("1") => (Tlp::Green, "distribution 1, this community only"),
                Some("2") => (Tlp::Green, "distribution 2, connected communities"),
                Some("4") => (Tlp::Amber, "distribution 4, a sharing group"),
                Some("3") => (Tlp::Clear, "distribution 3, all communities"),
                _ => (Tlp::Clear, "no distribution given"),
            };
            repairs.push(format!(
                "no TLP tag: released as {level} from the event's {why} (declare a level to \
                 restrict it)"
            ));
            level
        }
        (tagged, declared) => tagged.max(declared).unwrap_or(Tlp::Clear),
    };

    let occurred = match text_of(event.get("date")) {
        Some(date) => match FuzzyDate::parse_iso(&date) {
            Some(start) => Some(DateSpan { start, end: None }),
            None => {
                repairs.push(format!(
                    "`date` {date:?} is not a date: when it occurred is left unknown"
                ));
                None
            }
        },
        None => None,
    };
    let reported = date_of_unix(event.get("publish_timestamp"))
        .or_else(|| date_of_unix(event.get("timestamp")));

    let org = event
        .get("Orgc")
        .or_else(|| event.get("Org"))
        .and_then(Value::as_object);
    let org_name = org.and_then(|o| text_of(o.get("name")));
    let org_words: Vec<String> = org
        .map(|o| {
            ["name", "type", "sector", "nationality"]
                .iter()
                .filter_map(|k| text_of(o.get(*k)))
                .collect()
        })
        .unwrap_or_default();
    let org_words: Vec<&str> = org_words.iter().map(String::as_str).collect();
    let contributor = match &options.contributor {
        Some(c) => c.clone(),
        None => Contributor {
            name: org_name
                .clone()
                .unwrap_or_else(|| "unidentified MISP organisation".to_owned()),
            type_: contributor_type_from(&org_words).unwrap_or(ContributorType::PrivateSector),
            reliability: reliability.unwrap_or(Reliability::F),
        },
    };

    let attributions = match &state_responsibility {
        Some(step) => actors
            .iter()
            .map(|actor| Attribution {
                actor: actor.clone(),
                attributed_by: org_name.clone(),
                attributor_kind: attributor_kind_from(&org_words)
                    .unwrap_or(AttributorKind::Company),
                basis: None,
                date: reported,
                confidence: None,
                state_responsibility: Some(step.clone()),
            })
            .collect(),
        None => Vec::new(),
    };

    let mut victims: Vec<Victim> = countries
        .into_iter()
        .map(|(country, given)| Victim {
            name: None,
            country,
            country_as_given: Some(given),
            sectors: sectors.clone(),
        })
        .collect();
    if victims.is_empty() && !sectors.is_empty() {
        victims.push(Victim {
            sectors,
            ..Victim::default()
        });
    }

    let mut urls = Vec::new();
    let mut summaries = Vec::new();
    for attribute in attributes(event) {
        let kind = text_of(attribute.get("type")).unwrap_or_default();
        let category = text_of(attribute.get("category")).unwrap_or_default();
        let reference = matches!(
            category.as_str(),
            "External analysis" | "Internal reference"
        );
        let Some(value) = text_of(attribute.get("value")) else {
            continue;
        };
        match kind.as_str() {
            "link" | "url" if reference => push_new(&mut urls, value),
            "text" if category == "External analysis" => push_new(&mut summaries, value),
            _ => {}
        }
    }
    let description = (!summaries.is_empty()).then(|| summaries.join("\n\n"));

    let report = Report {
        provenance,
        contributor,
        source_id: text_of(event.get("uuid")),
        title,
        description,
        urls,
        occurred,
        disclosed: None,
        reported,
        victims,
        actors,
        attributions,
        kinds,
        tags: kept_tags,
        tlp,
        credibility,
        original,
    };
    Ok((report, repairs))
}

/// The actor named by a threat-actor or intrusion-set galaxy tag
/// (`misp-galaxy:threat-actor="Sofacy"`), if the tag is one.
pub(crate) fn actor_of_galaxy_tag(tag: &str) -> Option<Actor> {
    match machine_tag(tag)? {
        MachineTag {
            namespace: "misp-galaxy",
            predicate,
            value: Some(value),
        } if is_actor_galaxy(predicate) && !value.is_empty() => Some(plain_actor(value)),
        _ => None,
    }
}

/// An actor named by a cluster value, without MITRE's ` - G0006` suffix.
fn plain_actor(value: &str) -> Actor {
    let name = match value.rsplit_once(" - ") {
        Some((name, id))
            if id.len() > 1
                && id.starts_with('G')
                && id[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => value,
    };
    Actor {
        name: name.trim().to_owned(),
        ..Actor::default()
    }
}

fn push_actor(actors: &mut Vec<Actor>, actor: Actor) {
    if !actors.iter().any(|a| a.name == actor.name) {
        actors.push(actor);
    }
}

/// Adds a victim country (its code when recognised, and as written) unless already there.
fn push_country(countries: &mut Vec<(Option<String>, String)>, code: Option<String>, given: &str) {
    if !countries.iter().any(|(_, g)| g == given) {
        countries.push((code, given.to_owned()));
    }
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A string, or the first string of a list.
fn first_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Array(items) => items.iter().find_map(|v| text_of(Some(v))),
        other => text_of(Some(other)),
    }
}

fn reliability_of(letter: &str) -> Option<Reliability> {
    Some(match letter.trim().to_ascii_lowercase().as_str() {
        "a" => Reliability::A,
        "b" => Reliability::B,
        "c" => Reliability::C,
        "d" => Reliability::D,
        // `g` is "deliberately deceptive": no better than unreliable.
        "e" | "g" => Reliability::E,
        "f" => Reliability::F,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_timestamps_become_dates() {
        let date = |s: &str| date_of_unix(Some(&Value::from(s)));
        assert_eq!(date("1472548231"), FuzzyDate::day(2016, 8, 30));
        assert_eq!(date("951782400"), FuzzyDate::day(2000, 2, 29));
        assert_eq!(date("0"), None);
        assert_eq!(
            date_of_unix(Some(&Value::from(86_399))),
            FuzzyDate::day(1970, 1, 1)
        );
    }

    #[test]
    fn finds_the_event_text_as_written() {
        let text = br#"{ "response" : [ {"Event": {"info": "a \"b\" ]", "x": [1, {"y": "}"}]}} , {"Event" :{"info":"c"} } ] }"#;
        let path = [Step::Key("response"), Step::Index(1), Step::Key("Event")];
        let (start, end) = span_of(text, &path).unwrap();
        assert_eq!(&text[start..end], br#"{"info":"c"}"#);
        let path = [Step::Key("response"), Step::Index(0), Step::Key("Event")];
        let (start, end) = span_of(text, &path).unwrap();
        assert_eq!(
            &text[start..end],
            br#"{"info": "a \"b\" ]", "x": [1, {"y": "}"}]}"#
        );
    }

    #[test]
    fn reads_machine_tags_and_mitre_actor_names() {
        let tag = machine_tag("circl:incident-classification=\"malware\"").unwrap();
        assert!(is_kind_tag(&tag));
        assert_eq!(tag.value, Some("malware"));
        assert_eq!(
            kind_of_tag("ms-caro-malware:malware-type=\"Ransom\""),
            Some("Ransom")
        );
        assert_eq!(kind_of_tag("misp:tool=\"MISP-STIX-Converter\""), None);
        assert_eq!(plain_actor("APT1 - G0006").name, "APT1");
        assert_eq!(plain_actor("Lazarus Group").name, "Lazarus Group");
    }
}
