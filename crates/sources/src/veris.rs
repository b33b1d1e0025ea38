//! VERIS incidents (the VERIS Community Database's JSON, schema 1.3) read as [`Report`]s.
//!
//! A file holds one incident (as VCDB ships them, one file each), an array of incidents, or one
//! incident per line. Each incident is a record, located by its JSON pointer (`/3` in an array,
//! `line N` for a lone object), and kept verbatim in `Report.original`.
//!
//! # What is read
//! - `incident_id` is the source id and `timeline.incident.year` the least date: an incident
//!   without either is rejected. `timeline.incident` (year, month, day) is when it occurred, to
//!   the precision given; a month or day that cannot be is dropped (the year or month is kept) and
//!   listed as a repair. `plus.timeline.notification` is when it was disclosed, `plus.created`
//!   when it was reported;
//! - the title is the summary's first sentence (cut at 140 characters), else the victim and the
//!   kinds; the description is the whole `summary`;
//! - `victim`: `victim_id` is the name, `industry` the sector (the NAICS code as given), each
//!   `country` (ISO alpha-2 in VERIS) a victim's country as ISO alpha-3;
//! - `actor`: each of `external`, `internal` and `partner` that says something (a name, a variety
//!   other than Unknown, or a country) is an actor, named by `name` when VERIS gives one, else by
//!   its varieties (e.g. "State-affiliated"), with category `external: State-affiliated` and the
//!   first country as ISO alpha-3; motives become `veris-motive:` tags;
//! - `action`: each variety is a kind written `category:variety` (e.g. `malware:Ransomware`,
//!   `hacking:DoS`); a category without a variety is the category alone;
//! - where a deliberate action (not an error, nor the environment) is coded, the attributes that
//!   name a kind become kinds too: a confirmed data disclosure `confidentiality:Data disclosure`,
//!   and `integrity:Defacement`, `integrity:Fraudulent transaction`, `availability:Obscuration`
//!   (data made unreadable: encrypted);
//! - `reference` gives the URLs; `discovery_method`, `security_incident`, `targeted`, the
//!   attribute varieties, `source_id` and `plus.master_id` become `veris-` tags;
//! - `confidence` (High, Medium, Low) becomes the credibility (2, 3, 4).
//!
//! VERIS has no release marking and VCDB is a public dataset: records are TLP:CLEAR unless the
//! caller declares a level. The contributor is the caller's, else the VERIS Community Database for
//! `source_id: vcdb` (otherwise the `source_id` as written), private sector, reliability F.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value};
use threatscape_model::{
    Actor, Contributor, ContributorType, DateSpan, FuzzyDate, Provenance, Reliability, Report, Tlp,
    Victim,
};
use threatscape_stix::reader::Reader;

use crate::stix_incidents::alpha3_of_code;
use crate::{AdapterOutput, ReadOptions, RecordIssue, SourceError};

const FORMAT: &str = "veris";

/// The longest title taken from a summary, in characters.
const TITLE_CHARS: usize = 140;

/// The action categories of a deliberate act: what they did to an asset was meant.
const DELIBERATE_ACTIONS: [&str; 5] = ["hacking", "malware", "social", "misuse", "physical"];

/// The attribute varieties (category, variety) that, done deliberately, name a kind.
const ATTRIBUTE_KINDS: [(&str, &str); 3] = [
    ("integrity", "Defacement"),
    ("integrity", "Fraudulent transaction"),
    ("availability", "Obscuration"),
];

/// The kind written for a confirmed disclosure (`data_disclosure: "Yes"`) by a deliberate act.
const DATA_DISCLOSED: &str = "Data disclosure";

/// Reads a VERIS file with no caller overrides.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    read_with(path, &ReadOptions::default())
}

/// Reads a VERIS file, with the caller's contributor and declared TLP.
pub fn read_with(path: &Path, options: &ReadOptions) -> Result<AdapterOutput, SourceError> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|source| SourceError::Io {
        file: file_name.clone(),
        source,
    })?;
    read_from(BufReader::new(file), &file_name, options)
}

/// Reads VERIS incidents from any byte source; `file_name` is what provenance and issues name.
pub fn read_from<R: Read>(
    src: R,
    file_name: &str,
    options: &ReadOptions,
) -> Result<AdapterOutput, SourceError> {
    let mut reader = Reader::new(src);
    let mut out = AdapterOutput::default();
    while let Some(next) = reader.next_object() {
        let raw = next.map_err(|e| SourceError::Format {
            file: file_name.to_owned(),
            message: format!("not VERIS JSON: {e}"),
        })?;
        out.read += 1;
        let locator = if raw.pointer.is_empty() {
            format!("line {}", raw.start.line)
        } else {
            raw.pointer.clone()
        };
        let issue = |message: String| RecordIssue {
            file: file_name.to_owned(),
            locator: locator.clone(),
            message,
        };
        let parsed = raw.parse().map_err(|e| e.to_string());
        let result = parsed.and_then(|incident| {
            let provenance = Provenance {
                format: FORMAT.to_owned(),
                file: file_name.to_owned(),
                locator: locator.clone(),
            };
            let original = String::from_utf8_lossy(&raw.bytes).into_owned();
            incident_report(&incident, provenance, original, options)
        });
        match result {
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

/// A string or number as text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A VERIS enumeration: a list of strings, or one string.
fn list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(other).into_iter().collect(),
    }
}

fn object<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

/// Known values: VERIS writes "Unknown" where it knows nothing and "NA" where nothing applies.
fn known(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .filter(|v| !v.eq_ignore_ascii_case("unknown") && v != "NA")
        .collect()
}

/// A `{year, month, day}` date, as precise as it validly is, with what was dropped.
fn veris_date(date: &Map<String, Value>, at: &str) -> (Option<FuzzyDate>, Option<String>) {
    let number = |key: &str| text(date.get(key)).and_then(|t| t.parse::<i64>().ok());
    let Some(year) = number("year").and_then(|y| i32::try_from(y).ok()) else {
        return (None, None);
    };
    if !(1900..=2100).contains(&year) {
        return (
            None,
            Some(format!("{at}.year {year} is not a plausible year")),
        );
    }
    let Some(month) = number("month") else {
        return (Some(FuzzyDate::year(year)), None);
    };
    let Some(by_month) = u8::try_from(month)
        .ok()
        .and_then(|m| FuzzyDate::month(year, m))
    else {
        return (
            Some(FuzzyDate::year(year)),
            Some(format!(
                "{at}.month {month} is not a month: only the year is kept"
            )),
        );
    };
    let Some(day) = number("day") else {
        return (Some(by_month), None);
    };
    match u8::try_from(day)
        .ok()
        .and_then(|d| FuzzyDate::day(year, by_month.month.unwrap_or(1), d))
    {
        Some(date) => (Some(date), None),
        None => (
            Some(by_month),
            Some(format!(
                "{at}.day {day} is not a day of {by_month}: only the month is kept"
            )),
        ),
    }
}

fn incident_report(
    incident: &Map<String, Value>,
    provenance: Provenance,
    original: String,
    options: &ReadOptions,
) -> Result<(Report, Vec<String>), String> {
    let mut repairs = Vec::new();
    let incident_id = text(incident.get("incident_id")).ok_or("no `incident_id`")?;
    let timeline = object(incident, "timeline")
        .and_then(|t| object(t, "incident"))
        .ok_or("no `timeline.incident`: VERIS requires at least its year")?;
    let (start, note) = veris_date(timeline, "timeline.incident");
    repairs.extend(note);
    let start = start.ok_or_else(|| {
        repairs
            .first()
            .cloned()
            .unwrap_or_else(|| "no `timeline.incident.year`".to_owned())
    })?;

    let plus = object(incident, "plus");
    let disclosed = plus
        .and_then(|p| object(p, "timeline"))
        .and_then(|t| object(t, "notification"))
        .and_then(|n| {
            let (date, note) = veris_date(n, "plus.timeline.notification");
            repairs.extend(note);
            date
        });
    let reported = plus
        .and_then(|p| text(p.get("created")))
        .and_then(|c| FuzzyDate::parse_iso(&c));

    let mut tags: Vec<String> = Vec::new();
    let mut tag = |t: String| {
        if !tags.contains(&t) {
            tags.push(t);
        }
    };

    // Victims: one per country given (VERIS lists them), all with the same name and industry.
    let mut victims = Vec::new();
    let victim_objects: Vec<&Map<String, Value>> = match incident.get("victim") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(victim)) => vec![victim],
        _ => Vec::new(),
    };
    for victim in victim_objects {
        let name = text(victim.get("victim_id"));
        let sectors: Vec<String> = known(list(victim.get("industry")));
        let countries = known(list(victim.get("country")));
        if countries.is_empty() {
            victims.push(Victim {
                name,
                country: None,
                country_as_given: None,
                sectors,
            });
            continue;
        }
        for country in countries {
            victims.push(Victim {
                name: name.clone(),
                country: alpha3_of_code(&country),
                country_as_given: Some(country),
                sectors: sectors.clone(),
            });
        }
    }

    // Actors: external, internal, partner.
    let mut actors = Vec::new();
    if let Some(actor) = object(incident, "actor") {
        for (category, detail) in actor {
            let Some(detail) = detail.as_object() else {
                continue;
            };
            for motive in known(list(detail.get("motive"))) {
                tag(format!("veris-motive:{motive}"));
            }
            let names = list(detail.get("name"));
            let varieties = known(list(detail.get("variety")));
            let country = known(list(detail.get("country")))
                .into_iter()
                .find(|c| !c.eq_ignore_ascii_case("other"));
            if names.is_empty() && varieties.is_empty() && country.is_none() {
                continue;
            }
            let label = if varieties.is_empty() {
                category.clone()
            } else {
                format!("{category}: {}", varieties.join(", "))
            };
            let (name, aliases) = match names.split_first() {
                Some((first, rest)) => (first.clone(), rest.to_vec()),
                None if !varieties.is_empty() => (varieties.join(", "), Vec::new()),
                None => (format!("Unknown {category} actor"), Vec::new()),
            };
            actors.push(Actor {
                name,
                aliases,
                country: country.as_deref().and_then(alpha3_of_code),
                category: Some(label),
            });
        }
    }

    // Kinds: action category and variety.
    let mut kinds: Vec<String> = Vec::new();
    if let Some(action) = object(incident, "action") {
        for (category, detail) in action {
            if category.eq_ignore_ascii_case("unknown") {
                continue;
            }
            let varieties = known(list(detail.get("variety")));
            if varieties.is_empty() {
                kinds.push(category.clone());
            }
            for variety in varieties {
                kinds.push(format!("{category}:{variety}"));
            }
        }
    }

    match incident.get("discovery_method") {
        Some(Value::Object(method)) => {
            for (category, detail) in method {
                let varieties = known(list(detail.get("variety")));
                if varieties.is_empty() && detail != &Value::Bool(false) {
                    tag(format!("veris-discovery:{category}"));
                }
                for variety in varieties {
                    tag(format!("veris-discovery:{category}:{variety}"));
                }
            }
        }
        other => {
            if let Some(method) = text(other) {
                tag(format!("veris-discovery:{method}"));
            }
        }
    }
    for key in ["security_incident", "targeted"] {
        if let Some(value) = text(incident.get(key)) {
            tag(format!("veris-{}:{value}", key.replace('_', "-")));
        }
    }
    // Attributes are what the actions did to the assets. Where a deliberate action did it, a few of
    // them name a kind of their own: data disclosed is data stolen, a transaction made is money
    // stolen. After an error (an e-mail sent to the wrong address) the same disclosure is an
    // accident, and no kind.
    let deliberate = kinds
        .iter()
        .any(|k| DELIBERATE_ACTIONS.contains(&k.split(':').next().unwrap_or_default()));
    if let Some(attribute) = object(incident, "attribute") {
        for (category, detail) in attribute {
            for variety in known(list(detail.get("variety"))) {
                if deliberate && ATTRIBUTE_KINDS.contains(&(category.as_str(), variety.as_str())) {
                    kinds.push(format!("{category}:{variety}"));
                }
                tag(format!("veris-attribute:{category}:{variety}"));
            }
            if deliberate
                && category == "confidentiality"
                && text(detail.get("data_disclosure")).as_deref() == Some("Yes")
            {
                kinds.push(format!("{category}:{DATA_DISCLOSED}"));
            }
            if let Some(disclosure) = text(detail.get("data_disclosure")) {
                tag(format!(
                    "veris-attribute:{category}:data_disclosure={disclosure}"
                ));
            }
        }
    }
    let source = text(incident.get("source_id"));
    if let Some(source) = &source {
        tag(format!("veris-source:{source}"));
    }
    if let Some(master) = plus.and_then(|p| text(p.get("master_id"))) {
        tag(format!("veris-master-id:{master}"));
    }

    let mut urls: Vec<String> = Vec::new();
    if let Some(reference) = text(incident.get("reference")) {
        for word in reference.split(|c: char| c == ';' || c.is_whitespace()) {
            let word = word.trim_end_matches([',', ')', '.']);
            if (word.starts_with("http://") || word.starts_with("https://"))
                && !urls.iter().any(|u| u == word)
            {
                urls.push(word.to_owned());
            }
        }
    }

    let summary = text(incident.get("summary"));
    let title = summary
        .as_deref()
        .map(title_from_summary)
        .unwrap_or_else(|| {
            let who = victims
                .first()
                .and_then(|v| v.name.clone())
                .unwrap_or_else(|| "Unknown victim".to_owned());
            if kinds.is_empty() {
                format!("{who}: incident {incident_id}")
            } else {
                format!("{who}: {}", kinds.join(", "))
            }
        });

    let credibility = match text(incident.get("confidence")).as_deref() {
        Some("High") => Some(2),
        Some("Medium") => Some(3),
        Some("Low") => Some(4),
        _ => None,
    };
    let contributor = options.contributor.clone().unwrap_or_else(|| Contributor {
        name: match source.as_deref() {
            Some(s) if s.eq_ignore_ascii_case("vcdb") => {
                "VERIS Community Database (VCDB)".to_owned()
            }
            Some(s) => s.to_owned(),
            None => "unidentified VERIS source".to_owned(),
        },
        type_: ContributorType::PrivateSector,
        reliability: Reliability::F,
    });

    let report = Report {
        provenance,
        contributor,
        source_id: Some(incident_id),
        title,
        description: summary,
        urls,
        occurred: Some(DateSpan { start, end: None }),
        disclosed,
        reported,
        victims,
        actors,
        attributions: Vec::new(),
        kinds,
        tags,
        tlp: options.tlp.unwrap_or(Tlp::Clear),
        credibility,
        original,
    };
    Ok((report, repairs))
}

/// The first sentence of a summary, cut at a word boundary when long.
fn title_from_summary(summary: &str) -> String {
    let first = summary
        .split_inclusive(". ")
        .next()
        .unwrap_or(summary)
        .trim()
        .trim_end_matches('.');
    if first.chars().count() <= TITLE_CHARS {
        return first.to_owned();
    }
    let cut: String = first.chars().take(TITLE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}...", cut.trim_end_matches([',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_of(json: &str) -> (Option<FuzzyDate>, Option<String>) {
        let map: Map<String, Value> = serde_json::from_str(json).unwrap();
        veris_date(&map, "timeline.incident")
    }

    #[test]
    fn dates_keep_the_precision_given_and_drop_what_cannot_be() {
        assert_eq!(
            date_of(r#"{"year": 2019}"#),
            (Some(FuzzyDate::year(2019)), None)
        );
        assert_eq!(
            date_of(r#"{"year": 2019, "month": 2, "day": 28}"#),
            (FuzzyDate::day(2019, 2, 28), None)
        );
        let (date, note) = date_of(r#"{"year": 2019, "month": 2, "day": 30}"#);
        assert_eq!(date, FuzzyDate::month(2019, 2));
        assert!(note.unwrap().contains("day 30"));
        let (date, note) = date_of(r#"{"year": 2019, "month": 13}"#);
        assert_eq!(date, Some(FuzzyDate::year(2019)));
        assert!(note.unwrap().contains("month 13"));
    }

    #[test]
    fn titles_are_first_sentences() {
        assert_eq!(
            title_from_summary("A clinic was hit. Files were encrypted."),
            "A clinic was hit"
        );
        let long = "word ".repeat(60);
        let title = title_from_summary(&long);
        assert!(title.ends_with("...") && title.chars().count() <= TITLE_CHARS + 3);
    }
}
