//! STIX 2.1 accounts of attacks, read as [`Report`]s: incidents, campaigns, and the threat reports
//! (and MISP-style groupings) that describe them.
//!
//! # What is a record
//! The records of a STIX file, for this adapter, are its `incident`, `campaign`, `report` and
//! `grouping` objects; every other object (actors, malware, identities, relationships...) is context
//! that fills those records in. Each record is either accepted (one [`Report`]) or rejected with its
//! JSON pointer and the reason:
//! - an `incident` (with the Incident Core Extension when present) and a `campaign` are accounts of
//!   an attack by definition, and are always taken;
//! - a `report` is taken when it is about an attack: its `object_refs` include an incident or a
//!   campaign, or its `report_types` (STIX 2.0 `labels`) or `labels` say `threat-report`, `campaign`
//!   or `incident`. A report about an indicator feed, a vulnerability or an identity only is
//!   rejected as "not an account of an attack";
//! - a `grouping` is taken when it refers to an incident or a campaign, or when its context is
//!   `suspicious-activity` (MISP's converter writes unpublished events that way, published ones as
//!   reports);
//! - an object revoked by its creator, and an older version of an object whose newer version is in
//!   the same file, are rejected (the newest version is the record).
//!
//! An incident referred to by a report in the same file yields two Reports: the incident's own, and
//! the report's (which carries the incident's actors, victims and dates too). Reconciliation puts
//! them in one incident; keeping both keeps each object's original.
//!
//! # How the context is read
//! The whole file is read first (objects by id, newest version kept), then each record resolves
//! its relationships within the file:
//! - `attributed-to` an intrusion set or threat actor (or a non-individual identity) gives an
//!   [`Actor`] and an [`Attribution`] (claimed by the relationship's creator, else the record's);
//!   actors those are in turn attributed to are added as actors too (no attribution of their own);
//! - `targets` an identity gives a victim (an identity of class `class` is a sector, as OpenCTI
//!   writes them), `targets` a location gives the victim's country (ISO alpha-3), `targets` a
//!   vulnerability a `vulnerability:` tag;
//! - `uses` a malware, tool or attack pattern gives `malware:`, `tool:` or `attack-pattern:` tags
//!   (ATT&CK ids when the pattern has one);
//! - a report's `object_refs` bring in the intrusion sets and threat actors it names as actors, the
//!   malware, tools, attack patterns and vulnerabilities as tags, and the incidents and campaigns
//!   it covers with all of the above and their dates;
//! - labels are kept as tags; a MISP threat-actor galaxy label (`misp-galaxy:threat-actor="..."`,
//!   as MISP's converter writes them) also names an actor, and an incident-type or malware-type
//!   tag (`circl:incident-classification="malware"`, `ms-caro-malware:malware-type="Ransom"`) a
//!   kind, and a sector-galaxy tag (`misp-galaxy:sector="Finance"`) the victims' sector, as the
//!   MISP adapter reads them.
//!
//! Dates: `occurred` from `first_seen`/`last_seen` (incidents as OpenCTI writes them, campaigns),
//! else from the incident's impacts (`start_time`/`end_time`, to their stated fidelity). ATT&CK
//! campaigns (objects with `x_mitre_` properties) give those dates to the month, written as the
//! month's first day: such a first day is read as the month. `reported`
//! from a report's `published`, else the object's `created`. `confidence` becomes the credibility by
//! the STIX 2.1 specification's Admiralty mapping.
//!
//! # Contributor and TLP
//! The contributor is the caller's ([`ReadOptions::contributor`]) when given, else the identity in
//! the record's `created_by_ref` (or in that of a report citing it): its name, its type guessed from
//! its name, class and sectors (private sector when nothing says otherwise) and reliability F
//! ("cannot be judged"). TLP comes from the record's markings (well-known TLP 1.0 and 2.0 ids, or a
//! TLP marking definition in the file), raised to the caller's declared level. An unmarked record
//! with no declared level is released as TLP:CLEAR, as the STIX ingest treats unmarked objects, and
//! that choice is listed as a repair of the record.
//!
//! STIX 2.0 input is upgraded object by object ([`threatscape_stix::upgrade`]); an upgraded record
//! lists the upgrade among its repairs. `Report.original` is the object's bytes exactly as in the
//! file (before any upgrade).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde_json::Value;
use threatscape_model::{
    Actor, Attribution, AttributorKind, Contributor, ContributorType, DateSpan, FuzzyDate,
    Provenance, Reliability, Report, Tlp, Victim,
};
use threatscape_stix::reader::{RawObject, Reader};
use threatscape_stix::timestamp::parse_timestamp;
use threatscape_stix::types::{self, Typed};
use threatscape_stix::{markings, upgrade, JsonMap};

use crate::{AdapterOutput, ReadOptions, RecordIssue, SourceError};

const FORMAT: &str = "stix";

/// The object types that are records of this adapter.
const RECORD_TYPES: [&str; 4] = ["incident", "campaign", "report", "grouping"];

/// Reads a STIX file (any shape the STIX reader accepts) with no caller overrides.
pub fn read(path: &Path) -> Result<AdapterOutput, SourceError> {
    read_with(path, &ReadOptions::default())
}

/// Reads a STIX file, with the caller's contributor and declared TLP.
pub fn read_with(path: &Path, options: &ReadOptions) -> Result<AdapterOutput, SourceError> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|source| SourceError::Io {
        file: file_name.clone(),
        source,
    })?;
    read_from(BufReader::new(file), &file_name, options)
}

/// Reads STIX from any byte source; `file_name` is what provenance and issues name.
pub fn read_from<R: Read>(
    src: R,
    file_name: &str,
    options: &ReadOptions,
) -> Result<AdapterOutput, SourceError> {
    let mut collector = Collector::new(file_name);
    let mut reader = Reader::new(src);
    while let Some(next) = reader.next_object() {
        let format_error = |message: String| SourceError::Format {
            file: file_name.to_owned(),
            message,
        };
        let raw = next.map_err(|e| format_error(format!("not readable as STIX: {e}")))?;
        let mut map = raw
            .parse()
            .map_err(|e| format_error(format!("not readable as STIX (at {}): {e}", raw.pointer)))?;
        let upgraded = if upgrade::is_stix20(&map, raw.bundle_spec_version.as_deref()) {
            upgrade::upgrade_20_to_21(&mut map)
                .into_iter()
                .map(|c| c.pointer)
                .collect()
        } else {
            Vec::new()
        };
        collector.push(&raw, map, upgraded);
    }
    collector.finish(options)
}

/// Gathers, object by object, what the records of a STIX file need, so that a caller already
/// streaming the file (the ingest pipeline, which parses every object once) can derive the reports
/// without reading the file again. Only the objects a record can draw on are kept: the records,
/// the actors, victims, locations, impacts, malware, tools, attack patterns, vulnerabilities and
/// marking definitions they may name, and the relationships that start at a record (plus every
/// `attributed-to`, which chains actors, and `located-at`, which places actors and victims). Everything else (most relationships, indicators,
/// observables, ATT&CK's own object types) is skipped, so memory follows the records' context, not
/// the file.
#[derive(Debug)]
pub struct Collector {
    file_name: String,
    objects: Vec<Object>,
    seen_stix_id: bool,
    seen_any: bool,
}

impl Collector {
    /// A collector for the file named `file_name` (as provenance and issues will name it).
    pub fn new(file_name: &str) -> Self {
        Collector {
            file_name: file_name.to_owned(),
            objects: Vec::new(),
            seen_stix_id: false,
            seen_any: false,
        }
    }

    /// Whether an object of this kind can matter to a record (see the type's documentation).
    pub fn wants(map: &JsonMap) -> bool {
        let kind = str_of(map, "type").unwrap_or("");
        match kind {
            "relationship" => {
                matches!(
                    str_of(map, "relationship_type"),
                    Some("attributed-to" | "located-at")
                ) || str_of(map, "source_ref").is_some_and(|source| {
                    RECORD_TYPES.iter().any(|t| {
                        source
                            .strip_prefix(t)
                            .is_some_and(|rest| rest.starts_with("--"))
                    })
                })
            }
            "intrusion-set" | "threat-actor" | "identity" | "location" | "malware" | "tool"
            | "attack-pattern" | "vulnerability" | "marking-definition" | "infrastructure"
            | "impact" => true,
            _ => RECORD_TYPES.contains(&kind),
        }
    }

    /// Offers one object (after any 2.0 upgrade, `upgraded` listing what it changed); kept only
    /// when [`Collector::wants`] it.
    pub fn push(&mut self, raw: &RawObject, map: JsonMap, upgraded: Vec<&'static str>) {
        self.seen_any = true;
        if !self.seen_stix_id && str_of(&map, "id").is_some_and(|id| id.contains("--")) {
            self.seen_stix_id = true;
        }
        if !Self::wants(&map) {
            return;
        }
        let is_record = str_of(&map, "type").is_some_and(|t| RECORD_TYPES.contains(&t));
        self.objects.push(Object {
            map,
            pointer: raw.pointer.clone(),
            line: raw.start.line,
            raw: is_record.then(|| raw.bytes.clone()),
            upgraded,
        });
    }

    /// Resolves the records against what was gathered and reads each into a Report.
    pub fn finish(self, options: &ReadOptions) -> Result<AdapterOutput, SourceError> {
        if self.seen_any && !self.seen_stix_id {
            return Err(SourceError::Format {
                file: self.file_name,
                message: "no STIX object in the file (none has an id of the form `type--uuid`): \
                          is it another format?"
                    .to_owned(),
            });
        }
        let file_name = self.file_name.clone();
        let graph = Graph::index(self.objects);
        Ok(graph.records(&file_name, options))
    }
}

impl Graph {
    /// Reads every record of the graph.
    fn records(&self, file_name: &str, options: &ReadOptions) -> AdapterOutput {
        let graph = self;
        let mut out = AdapterOutput::default();
        for (index, object) in graph.objects.iter().enumerate() {
            let kind = object.kind();
            if !RECORD_TYPES.contains(&kind) {
                continue;
            }
            out.read += 1;
            let locator = object.locator();
            match graph.record(index, file_name, options) {
                Ok((report, repairs)) => {
                    if !repairs.is_empty() {
                        out.repaired += 1;
                    }
                    out.repairs
                        .extend(repairs.into_iter().map(|message| RecordIssue {
                            file: file_name.to_owned(),
                            locator: locator.clone(),
                            message,
                        }));
                    out.reports.push(report);
                    out.accepted += 1;
                }
                Err(message) => {
                    out.rejected += 1;
                    out.rejections.push(RecordIssue {
                        file: file_name.to_owned(),
                        locator,
                        message: format!(
                            "{kind} {}: {message}",
                            object.id().unwrap_or("without id")
                        ),
                    });
                }
            }
        }
        out
    }
}

/// One object of the file.
#[derive(Debug)]
struct Object {
    /// The object in generic form, upgraded to 2.1 when it was 2.0.
    map: JsonMap,
    /// Its JSON pointer in the file ("" for a lone top-level object).
    pointer: String,
    /// The line it starts on.
    line: u64,
    /// Its bytes as in the file (kept for records only).
    raw: Option<Vec<u8>>,
    /// Where the 2.0 to 2.1 upgrade changed the object (JSON pointers).
    upgraded: Vec<&'static str>,
}

impl Object {
    fn kind(&self) -> &str {
        str_of(&self.map, "type").unwrap_or("")
    }

    fn id(&self) -> Option<&str> {
        str_of(&self.map, "id")
    }

    fn locator(&self) -> String {
        if self.pointer.is_empty() {
            format!("line {}", self.line)
        } else {
            self.pointer.clone()
        }
    }

    fn typed(&self) -> Option<Typed> {
        Typed::from_map(&self.map).ok()
    }
}

/// A relationship, as far as this adapter needs it.
struct Edge {
    kind: String,
    target: String,
    /// Index of the relationship object.
    object: usize,
}

/// Every object of the file, indexed.
struct Graph {
    objects: Vec<Object>,
    /// id -> index of its newest version.
    newest: HashMap<String, usize>,
    /// source_ref -> relationships from it (newest versions only).
    edges: HashMap<String, Vec<Edge>>,
    /// id -> index of the first report or grouping that refers to it.
    cited_by: HashMap<String, usize>,
}

impl Graph {
    /// Indexes the gathered objects: newest version of each id, relationships by source, and
    /// which report or grouping cites what.
    fn index(objects: Vec<Object>) -> Graph {
        let mut newest: HashMap<String, usize> = HashMap::new();
        for (index, object) in objects.iter().enumerate() {
            let Some(id) = object.id() else { continue };
            match newest.get(id) {
                Some(&kept) if !is_newer(&object.map, &objects[kept].map) => {}
                _ => {
                    newest.insert(id.to_owned(), index);
                }
            }
        }

        let mut edges: HashMap<String, Vec<Edge>> = HashMap::new();
        let mut cited_by: HashMap<String, usize> = HashMap::new();
        for (index, object) in objects.iter().enumerate() {
            if object.id().and_then(|id| newest.get(id)) != Some(&index) {
                continue;
            }
            match object.kind() {
                "relationship" => {
                    let map = &object.map;
                    if let (Some(kind), Some(source), Some(target)) = (
                        str_of(map, "relationship_type"),
                        str_of(map, "source_ref"),
                        str_of(map, "target_ref"),
                    ) {
                        edges.entry(source.to_owned()).or_default().push(Edge {
                            kind: kind.to_owned(),
                            target: target.to_owned(),
                            object: index,
                        });
                    }
                }
                "report" | "grouping" => {
                    for referenced in strs_of(&object.map, "object_refs") {
                        cited_by.entry(referenced.to_owned()).or_insert(index);
                    }
                }
                _ => {}
            }
        }
        Graph {
            objects,
            newest,
            edges,
            cited_by,
        }
    }

    /// The newest version of the object with this id.
    fn get(&self, id: &str) -> Option<&Object> {
        self.newest.get(id).map(|&i| &self.objects[i])
    }

    fn edges_from(&self, id: &str) -> &[Edge] {
        self.edges.get(id).map_or(&[], Vec::as_slice)
    }

    /// Reads the record at `index` into a Report and the repairs made, or says why it is rejected.
    fn record(
        &self,
        index: usize,
        file_name: &str,
        options: &ReadOptions,
    ) -> Result<(Report, Vec<String>), String> {
        let object = &self.objects[index];
        let id = object.id().ok_or("the object has no id")?;
        let newest = self.newest[id];
        if newest != index {
            let other = &self.objects[newest];
            return Err(match str_of(&other.map, "modified") {
                Some(m) if str_of(&object.map, "modified") != Some(m) => format!(
                    "an older version (modified {}); the newest, modified {m}, is at {}",
                    str_of(&object.map, "modified").unwrap_or("unknown"),
                    other.locator()
                ),
                _ => format!("a second copy of the version at {}", other.locator()),
            });
        }
        if object.map.get("revoked") == Some(&Value::Bool(true)) {
            return Err("revoked by its creator".to_owned());
        }
        let typed = Typed::from_map(&object.map).map_err(|e| e.to_string())?;

        let mut account = Account::default();
        let mut repairs = Vec::new();
        if !object.upgraded.is_empty() {
            repairs.push(format!(
                "upgraded from STIX 2.0 to 2.1 (changed {})",
                object.upgraded.join(", ")
            ));
        }
        let (title, description, reported) = match &typed {
            Typed::Incident(incident) => {
                self.incident_into(incident, &mut account);
                (
                    incident.name.clone(),
                    incident.description.clone(),
                    incident.common.created.as_deref().and_then(date_of),
                )
            }
            Typed::Campaign(campaign) => {
                self.campaign_into(campaign, &mut account);
                (
                    campaign.name.clone(),
                    campaign.description.clone(),
                    campaign.common.created.as_deref().and_then(date_of),
                )
            }
            Typed::Report(report) => {
                let refs = report.object_refs.as_deref().unwrap_or_default();
                let mut types: Vec<&str> = report
                    .report_types
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                types.extend(report.common.labels.iter().flatten().map(String::as_str));
                if !self.cites_attack(refs)
                    && !types.iter().any(|t| {
                        ["threat-report", "campaign", "incident"]
                            .contains(&t.to_ascii_lowercase().as_str())
                    })
                {
                    return Err(format!(
                        "not an account of an attack: it refers to no incident or campaign and its \
                         report types ({}) do not include threat-report, campaign or incident",
                        if types.is_empty() {
                            "none".to_owned()
                        } else {
                            types.join(", ")
                        }
                    ));
                }
                // A report citing several incidents or campaigns (a panel's survey, a joint
                // attribution statement) is a collection, not one account: merged into one of the
                // incidents it cites it would lend that incident the others' dates, victims and
                // actors. Each cited incident is read as a record of its own.
                let cited = refs
                    .iter()
                    .filter(|r| r.starts_with("incident--") || r.starts_with("campaign--"))
                    .count();
                if cited > 1 {
                    return Err(format!(
                        "a collection citing {cited} incidents or campaigns, not one account; each \
                         cited one is read as a record of its own"
                    ));
                }
                for t in report.report_types.iter().flatten() {
                    account.tag(format!("report-type:{t}"));
                }
                self.refs_into(refs, &mut account);
                (
                    report.name.clone(),
                    report.description.clone(),
                    report
                        .published
                        .as_deref()
                        .or(report.common.created.as_deref())
                        .and_then(date_of),
                )
            }
            Typed::Grouping(grouping) => {
                let refs = grouping.object_refs.as_deref().unwrap_or_default();
                if !self.cites_attack(refs) && grouping.context != "suspicious-activity" {
                    return Err(format!(
                        "not an account of an attack: it refers to no incident or campaign and its \
                         context is `{}`, not suspicious-activity",
                        grouping.context
                    ));
                }
                account.tag(format!("grouping-context:{}", grouping.context));
                self.refs_into(refs, &mut account);
                (
                    grouping
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{} ({id})", grouping.context)),
                    grouping.description.clone(),
                    grouping.common.created.as_deref().and_then(date_of),
                )
            }
            _ => return Err("not a record type of this adapter".to_owned()),
        };
        let common = typed
            .common()
            .ok_or("the object has no common properties")?;
        let title = title.trim().to_owned();
        if title.is_empty() {
            return Err("the object has an empty name".to_owned());
        }

        for label in common.labels.iter().flatten() {
            // MISP's converter carries the event's tags as labels: its threat-actor galaxy tags
            // name actors, its incident-classification and malware-type tags kinds, its
            // sector-galaxy tags the victims' sectors, as in MISP.
            if let Some(actor) = crate::misp::actor_of_galaxy_tag(label) {
                account.actor(actor);
            }
            if let Some(kind) = crate::misp::kind_of_tag(label) {
                account.kind(kind.to_owned());
            }
            if let Some(sector) = crate::misp::sector_of_tag(label) {
                if !account.tagged_sectors.iter().any(|s| s == sector) {
                    account.tagged_sectors.push(sector.to_owned());
                }
            }
            account.tag(label.clone());
        }
        if object.map.get("x_mitre_deprecated") == Some(&Value::Bool(true)) {
            account.tag("deprecated".to_owned());
        }
        let creator = common
            .created_by_ref
            .clone()
            .or_else(|| self.citing_creator(id));
        let contributor = match &options.contributor {
            Some(c) => c.clone(),
            None => self.contributor(creator.as_deref()),
        };
        // Attributions made by the record's creator name it; others name their own.
        for attribution in &mut account.attributions {
            if attribution.attributed_by.is_none() {
                if let Some(identity) = creator.as_deref().and_then(|c| self.identity(c)) {
                    attribution.attributed_by = Some(identity.name.clone());
                    attribution.attributor_kind = attributor_kind_of(&identity);
                }
            }
        }

        let tlp = match (self.tlp_of(&object.map), options.tlp) {
            (None, None) => {
                repairs.push(
                    "no TLP marking: released as TLP:CLEAR, as unmarked STIX is (declare a level \
                     to restrict it)"
                        .to_owned(),
                );
                Tlp::Clear
            }
            (marked, declared) => marked.max(declared).unwrap_or(Tlp::Clear),
        };

        let mut urls = Vec::new();
        for reference in common.external_references.iter().flatten() {
            if let Some(url) = &reference.url {
                if !urls.contains(url) {
                    urls.push(url.clone());
                }
            }
        }
        repairs.append(&mut account.notes);
        let occurred = account.occurred();
        account.merge_victims();
        account.give_tagged_sectors();
        let report = Report {
            provenance: Provenance {
                format: FORMAT.to_owned(),
                file: file_name.to_owned(),
                locator: object.locator(),
            },
            contributor,
            source_id: Some(id.to_owned()),
            title,
            description: description.filter(|d| !d.trim().is_empty()),
            urls,
            occurred,
            disclosed: None,
            reported,
            victims: account.victims,
            actors: account.actors,
            attributions: account.attributions,
            kinds: account.kinds,
            tags: account.tags,
            tlp,
            credibility: common.confidence.and_then(credibility_from_confidence),
            original: String::from_utf8_lossy(object.raw.as_deref().unwrap_or_default())
                .into_owned(),
        };
        Ok((report, repairs))
    }

    /// True when `refs` include an incident or a campaign.
    fn cites_attack(&self, refs: &[String]) -> bool {
        refs.iter()
            .any(|r| r.starts_with("incident--") || r.starts_with("campaign--"))
    }

    /// The creator of the first report or grouping that cites `id`.
    fn citing_creator(&self, id: &str) -> Option<String> {
        let citing = &self.objects[*self.cited_by.get(id)?];
        str_of(&citing.map, "created_by_ref").map(str::to_owned)
    }

    fn incident_into(&self, incident: &types::Incident, account: &mut Account) {
        let id = incident.common.id.as_str();
        self.relations_into(id, account);
        let seen = span_of(
            incident.first_seen.as_deref(),
            incident.last_seen.as_deref(),
        );
        if let Some(kind) = &incident.incident_type {
            account.kind(kind.clone());
        }
        if let Some(severity) = &incident.severity {
            account.tag(format!("severity:{severity}"));
        }
        let mut impacts_span = None;
        let core = match incident.core() {
            Some(Ok(core)) => Some(core),
            Some(Err(e)) => {
                account
                    .notes
                    .push(format!("the Incident Core Extension was left out: {e}"));
                None
            }
            None => None,
        };
        if let Some(core) = core {
            for kind in core.incident_types.iter().flatten() {
                account.kind(kind.clone());
            }
            if let Some(d) = &core.determination {
                account.tag(format!("incident-determination:{d}"));
            }
            if let Some(s) = &core.investigation_status {
                account.tag(format!("investigation-status:{s}"));
            }
            if let Some(c) = core.criticality {
                account.tag(format!("criticality:{c}"));
            }
            if let Some(r) = &core.recoverability {
                account.tag(format!("recoverability:{r}"));
            }
            for m in core.detection_methods.iter().flatten() {
                account.tag(format!("detection-method:{m}"));
            }
            let mut start: Option<FuzzyDate> = None;
            let mut end: Option<FuzzyDate> = None;
            for impact_id in core.impact_refs.iter().flatten() {
                let Some(Typed::Impact(impact)) = self.get(impact_id).and_then(Object::typed)
                else {
                    continue;
                };
                account.tag(format!("impact:{}", impact.impact_category));
                let s = impact
                    .start_time
                    .as_deref()
                    .and_then(|t| date_with_fidelity(t, impact.start_time_fidelity.as_deref()));
                let e = impact
                    .end_time
                    .as_deref()
                    .and_then(|t| date_with_fidelity(t, impact.end_time_fidelity.as_deref()));
                start = min_date(start, s);
                end = max_date(end, e.or(s));
            }
            if let Some(start) = start {
                impacts_span = Some(DateSpan {
                    start,
                    end: end.filter(|e| *e != start),
                });
            }
        }
        if let Some(span) = seen.or(impacts_span) {
            account.spans.push(span);
        }
    }

    fn campaign_into(&self, campaign: &types::Campaign, account: &mut Account) {
        self.relations_into(&campaign.common.id, account);
        for alias in campaign.aliases.iter().flatten() {
            if *alias != campaign.name {
                account.tag(format!("alias:{alias}"));
            }
        }
        if let Some(mut span) = span_of(
            campaign.first_seen.as_deref(),
            campaign.last_seen.as_deref(),
        ) {
            // ATT&CK records when campaigns were seen to the month, written as the month's first
            // day: read them as months, so that they compare with other sources at the
            // precision actually known.
            if campaign.custom.keys().any(|k| k.starts_with("x_mitre_")) {
                span.start = month_if_first_day(span.start);
                span.end = span
                    .end
                    .map(month_if_first_day)
                    .filter(|e| *e != span.start);
            }
            account.spans.push(span);
        }
    }

    /// What a report's or grouping's `object_refs` bring in.
    fn refs_into(&self, refs: &[String], account: &mut Account) {
        for referenced in refs {
            let Some(object) = self.get(referenced) else {
                continue;
            };
            match object.typed() {
                Some(Typed::Incident(incident)) => self.incident_into(&incident, account),
                Some(Typed::Campaign(campaign)) => self.campaign_into(&campaign, account),
                Some(typed @ (Typed::IntrusionSet(_) | Typed::ThreatActor(_))) => {
                    if let Some(actor) = self.actor_of(&typed) {
                        account.actor(actor);
                    }
                }
                Some(typed) => self.capability_into(&typed, account),
                None => {}
            }
        }
    }

    /// Follows the relationships from a record (or an incident or campaign a report cites).
    fn relations_into(&self, id: &str, account: &mut Account) {
        for edge in self.edges_from(id) {
            let Some(target) = self.get(&edge.target).and_then(Object::typed) else {
                continue;
            };
            match edge.kind.as_str() {
                "attributed-to" => {
                    let Some(actor) = self.actor_of(&target) else {
                        continue;
                    };
                    let relationship = &self.objects[edge.object].map;
                    let by = str_of(relationship, "created_by_ref").and_then(|c| self.identity(c));
                    account.attributions.push(Attribution {
                        actor: actor.clone(),
                        attributed_by: by.as_ref().map(|i| i.name.clone()),
                        attributor_kind: by
                            .as_ref()
                            .map_or(AttributorKind::Unknown, attributor_kind_of),
                        basis: str_of(relationship, "description")
                            .map(str::trim)
                            .filter(|d| !d.is_empty())
                            .map(str::to_owned),
                        date: str_of(relationship, "created").and_then(date_of),
                        confidence: relationship
                            .get("confidence")
                            .and_then(Value::as_i64)
                            .and_then(|c| u8::try_from(c).ok())
                            .filter(|c| *c <= 100),
                        state_responsibility: None,
                    });
                    account.actor(actor);
                    if let Some(target_id) = target.id() {
                        self.sponsors_into(target_id, account, &mut HashSet::new());
                    }
                }
                "targets" => match &target {
                    Typed::Identity(identity) => {
                        let victim = self.victim_of(identity);
                        account.victim(victim);
                    }
                    Typed::Location(location) => match country_of_location(location) {
                        Some(victim) => account.location_victims.push(victim),
                        None => {
                            if let Some(region) = &location.region {
                                account.tag(format!("targets-region:{region}"));
                            }
                        }
                    },
                    _ => self.capability_into(&target, account),
                },
                "uses" => self.capability_into(&target, account),
                _ => {}
            }
        }
    }

    /// Actors an actor is attributed to (a sponsor, an operator), recursively.
    fn sponsors_into(&self, id: &str, account: &mut Account, seen: &mut HashSet<String>) {
        if !seen.insert(id.to_owned()) {
            return;
        }
        for edge in self.edges_from(id) {
            if edge.kind != "attributed-to" {
                continue;
            }
            let Some(target) = self.get(&edge.target).and_then(Object::typed) else {
                continue;
            };
            if let Typed::Identity(identity) = &target {
                if identity.identity_class.as_deref() == Some("individual") {
                    continue;
                }
            }
            if let Some(actor) = self.actor_of(&target) {
                account.actor(actor);
                self.sponsors_into(&edge.target, account, seen);
            }
        }
    }

    /// Tags for a malware, tool, attack pattern or vulnerability.
    fn capability_into(&self, typed: &Typed, account: &mut Account) {
        match typed {
            Typed::Malware(m) => account.tag(format!("malware:{}", m.name)),
            Typed::Tool(t) => account.tag(format!("tool:{}", t.name)),
            Typed::AttackPattern(p) => {
                let attack_id = p.common.external_references.iter().flatten().find_map(|r| {
                    r.source_name
                        .starts_with("mitre-")
                        .then(|| r.external_id.clone())
                        .flatten()
                });
                account.tag(format!(
                    "attack-pattern:{}",
                    attack_id.unwrap_or(p.name.clone())
                ));
            }
            Typed::Vulnerability(v) => account.tag(format!("vulnerability:{}", v.name)),
            _ => {}
        }
    }

    /// An intrusion set, threat actor or (non-individual) identity as an actor.
    fn actor_of(&self, typed: &Typed) -> Option<Actor> {
        let (name, aliases, category) = match typed {
            Typed::IntrusionSet(is) => (is.name.clone(), is.aliases.clone(), None),
            Typed::ThreatActor(ta) => (
                ta.name.clone(),
                ta.aliases.clone(),
                ta.threat_actor_types
                    .as_ref()
                    .filter(|t| !t.is_empty())
                    .map(|t| t.join("; ")),
            ),
            Typed::Identity(identity)
                if identity.identity_class.as_deref() != Some("individual") =>
            {
                (identity.name.clone(), None, identity.identity_class.clone())
            }
            _ => return None,
        };
        let aliases = aliases
            .unwrap_or_default()
            .into_iter()
            .filter(|a| *a != name)
            .collect();
        let country = typed.id().and_then(|id| self.country_of(id));
        Some(Actor {
            name,
            aliases,
            country: country.and_then(|v| v.country),
            category,
        })
    }

    /// An identity targeted by a record, as a victim.
    fn victim_of(&self, identity: &types::Identity) -> Victim {
        let mut sectors: Vec<String> = Vec::new();
        let name = if identity.identity_class.as_deref() == Some("class") {
            sectors.push(identity.name.clone());
            None
        } else {
            Some(identity.name.clone())
        };
        for sector in identity.sectors.iter().flatten() {
            if !sectors.contains(sector) {
                sectors.push(sector.clone());
            }
        }
        let place = self.country_of(&identity.common.id);
        Victim {
            name,
            country: place.as_ref().and_then(|p| p.country.clone()),
            country_as_given: place.and_then(|p| p.country_as_given),
            sectors,
        }
    }

    /// The country of an object from its `located-at` relationship.
    fn country_of(&self, id: &str) -> Option<Victim> {
        self.edges_from(id)
            .iter()
            .filter(|e| e.kind == "located-at")
            .find_map(|e| match self.get(&e.target).and_then(Object::typed) {
                Some(Typed::Location(location)) => country_of_location(&location),
                _ => None,
            })
    }

    fn identity(&self, id: &str) -> Option<types::Identity> {
        match self.get(id).and_then(Object::typed) {
            Some(Typed::Identity(identity)) => Some(*identity),
            _ => None,
        }
    }

    /// The contributor named by a creator identity, or an unnamed one.
    fn contributor(&self, creator: Option<&str>) -> Contributor {
        match creator.and_then(|c| self.identity(c)) {
            Some(identity) => {
                let mut words: Vec<&str> = vec![identity.name.as_str()];
                words.extend(identity.sectors.iter().flatten().map(String::as_str));
                Contributor {
                    name: identity.name.clone(),
                    type_: contributor_type_from(&words).unwrap_or(ContributorType::PrivateSector),
                    reliability: Reliability::F,
                }
            }
            None => Contributor {
                name: creator.map_or_else(
                    || "unidentified STIX producer".to_owned(),
                    |c| format!("unidentified STIX producer ({c})"),
                ),
                type_: ContributorType::PrivateSector,
                reliability: Reliability::F,
            },
        }
    }

    /// The most restrictive TLP level among the object's markings: well-known ids, or TLP
    /// marking definitions in the file.
    fn tlp_of(&self, map: &JsonMap) -> Option<Tlp> {
        let known = markings::tlp_of(map);
        let in_file = strs_of(map, "object_marking_refs")
            .filter_map(|id| match self.get(id).and_then(Object::typed) {
                Some(Typed::MarkingDefinition(m)) => m.tlp_level()?.parse::<Tlp>().ok(),
                _ => None,
            })
            .max();
        known.max(in_file)
    }
}

/// What a record gathers from its context.
#[derive(Default)]
struct Account {
    actors: Vec<Actor>,
    attributions: Vec<Attribution>,
    victims: Vec<Victim>,
    /// Victims known only by a targeted location.
    location_victims: Vec<Victim>,
    kinds: Vec<String>,
    tags: Vec<String>,
    /// Sectors a MISP sector-galaxy label names (`misp-galaxy:sector="Finance"`): the victims'.
    tagged_sectors: Vec<String>,
    spans: Vec<DateSpan>,
    /// What could not be read and was left out.
    notes: Vec<String>,
}

impl Account {
    fn tag(&mut self, tag: String) {
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
    }

    fn kind(&mut self, kind: String) {
        if !self.kinds.contains(&kind) {
            self.kinds.push(kind);
        }
    }

    fn actor(&mut self, actor: Actor) {
        if !self.actors.iter().any(|a| a.name == actor.name) {
            self.actors.push(actor);
        }
    }

    fn victim(&mut self, victim: Victim) {
        if !self.victims.contains(&victim) {
            self.victims.push(victim);
        }
    }

    /// The span covering every date gathered.
    fn occurred(&self) -> Option<DateSpan> {
        let start = self.spans.iter().map(|s| s.start).min()?;
        let end = self
            .spans
            .iter()
            .map(|s| s.end.unwrap_or(s.start))
            .max()
            .filter(|e| *e != start);
        Some(DateSpan { start, end })
    }

    /// The sectors MISP's sector-galaxy labels name are the victims', as MISP reads them: added to
    /// each victim, or a victim of their own where the record names none.
    fn give_tagged_sectors(&mut self) {
        let tagged = std::mem::take(&mut self.tagged_sectors);
        if tagged.is_empty() {
            return;
        }
        if self.victims.is_empty() {
            self.victims.push(Victim {
                sectors: tagged,
                ..Victim::default()
            });
            return;
        }
        for victim in &mut self.victims {
            for sector in &tagged {
                if !victim.sectors.contains(sector) {
                    victim.sectors.push(sector.clone());
                }
            }
        }
    }

    /// One targeted country and victims without a country: the country is theirs. Otherwise each
    /// targeted country is a victim of its own.
    fn merge_victims(&mut self) {
        let locations = std::mem::take(&mut self.location_victims);
        let countryless = self.victims.iter().any(|v| v.country_as_given.is_none());
        if let ([place], true) = (locations.as_slice(), countryless) {
            for victim in self
                .victims
                .iter_mut()
                .filter(|v| v.country_as_given.is_none())
            {
                victim.country = place.country.clone();
                victim.country_as_given = place.country_as_given.clone();
            }
            return;
        }
        for place in locations {
            self.victim(place);
        }
    }
}

/// The country of a location, as a victim holding only that.
fn country_of_location(location: &types::Location) -> Option<Victim> {
    let given = location
        .country
        .clone()
        .or_else(|| location.name.clone().filter(|_| location.region.is_none()))?;
    Some(Victim {
        name: None,
        country: alpha3_of_code(&given),
        country_as_given: Some(given),
        sectors: Vec::new(),
    })
}

/// True when `a` is a newer version than `b` (by `modified`, then `created`).
fn is_newer(a: &JsonMap, b: &JsonMap) -> bool {
    fn stamp(m: &JsonMap) -> Option<&str> {
        str_of(m, "modified").or_else(|| str_of(m, "created"))
    }
    match (stamp(a), stamp(b)) {
        (Some(x), Some(y)) => match (parse_timestamp(x), parse_timestamp(y)) {
            (Ok(x), Ok(y)) => x.cmp_instant(&y).is_gt(),
            _ => x > y,
        },
        (Some(_), None) => true,
        _ => false,
    }
}

fn str_of<'a>(map: &'a JsonMap, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn strs_of<'a>(map: &'a JsonMap, key: &str) -> impl Iterator<Item = &'a str> {
    map.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn date_of(timestamp: &str) -> Option<FuzzyDate> {
    FuzzyDate::parse_iso(timestamp)
}

/// A timestamp cut to the precision its fidelity states (`year`, `month`, else the day).
fn date_with_fidelity(timestamp: &str, fidelity: Option<&str>) -> Option<FuzzyDate> {
    let date = date_of(timestamp)?;
    match fidelity {
        Some("year") => Some(FuzzyDate::year(date.year)),
        Some("month") => date.month.and_then(|m| FuzzyDate::month(date.year, m)),
        _ => Some(date),
    }
}

fn span_of(first: Option<&str>, last: Option<&str>) -> Option<DateSpan> {
    let first = first.and_then(date_of);
    let last = last.and_then(date_of);
    let start = first.or(last)?;
    Some(DateSpan {
        start,
        end: last.filter(|l| *l != start),
    })
}

fn month_if_first_day(date: FuzzyDate) -> FuzzyDate {
    match (date.month, date.day) {
        (Some(month), Some(1)) => FuzzyDate::month(date.year, month).unwrap_or(date),
        _ => date,
    }
}

fn min_date(a: Option<FuzzyDate>, b: Option<FuzzyDate>) -> Option<FuzzyDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_date(a: Option<FuzzyDate>, b: Option<FuzzyDate>) -> Option<FuzzyDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Who an identity making an attribution is.
fn attributor_kind_of(identity: &types::Identity) -> AttributorKind {
    let mut words: Vec<&str> = vec![identity.name.as_str()];
    words.extend(identity.sectors.iter().flatten().map(String::as_str));
    attributor_kind_from(&words).unwrap_or(match identity.identity_class.as_deref() {
        Some("individual") => AttributorKind::Researcher,
        Some("organization") | None => AttributorKind::Company,
        _ => AttributorKind::Unknown,
    })
}

// Helpers shared with the other adapters of this crate (MISP, VERIS, native).

/// The kinds of organisation the word heuristics below recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgKind {
    UnSystem,
    International,
    Government,
    Academia,
    CivilSociety,
    Media,
    Company,
}

/// Guesses what kind of organisation a name, type or sector label describes, from its words.
///
/// A heuristic, and documented as one: the words of governments (CERT, ministry, agency, national,
/// government sectors), universities, NGOs, the media, UN bodies and other international
/// organisations; company forms (Inc, Ltd, GmbH...) for companies. None when no word says.
fn org_kind(words: &[&str]) -> Option<OrgKind> {
    const UN: [&str; 14] = [
        "united nations",
        "unidir",
        "unoda",
        "unodc",
        "unicef",
        "undp",
        "unhcr",
        "unicc",
        "ocha",
        "unitar",
        "international telecommunication union",
        "world health organization",
        "un secretariat",
        "un-system",
    ];
    const INTERNATIONAL: [&str; 8] = [
        "european union",
        "cert-eu",
        "enisa",
        "nato",
        "osce",
        "interpol",
        "europol",
        "african union",
    ];
    const GOVERNMENT: [&str; 22] = [
        "government",
        "ministry",
        "ministère",
        "department of",
        "national cyber",
        "cyber security centre",
        "cybersecurity and infrastructure",
        "agency",
        "cert",
        "csirt",
        "ncsc",
        "cisa",
        "bsi",
        "anssi",
        "fbi",
        "police",
        "military",
        "armed forces",
        "defense",
        "defence",
        "law-enforcement",
        "member-state",
    ];
    const ACADEMIA: [&str; 8] = [
        "university",
        "universität",
        "université",
        "universidad",
        "college",
        "academ",
        "education",
        "institute of technology",
    ];
    const CIVIL_SOCIETY: [&str; 9] = [
        "foundation",
        "ngo",
        "non-profit",
        "nonprofit",
        "civil-society",
        "civil society",
        "human rights",
        "red cross",
        "association",
    ];
    const MEDIA: [&str; 7] = [
        "news",
        "media",
        "press",
        "journal",
        "magazine",
        "broadcast",
        "reuters",
    ];
    const COMPANY: [&str; 12] = [
        "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "corp", "corp.", "s.a.", "plc", "ag",
        "private",
    ];
    let text = words.join(" | ").to_lowercase();
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.'))
        .filter(|t| !t.is_empty())
        .collect();
    // Short words must be whole tokens (`cert` is not in "concert"); longer ones may be part of a
    // word (`academ` in "academic").
    let has = |list: &[&str]| {
        list.iter().any(|w| {
            if w.contains(' ') || w.chars().count() > 5 {
                text.contains(w)
            } else {
                tokens
                    .iter()
                    .any(|t| t == w || t.split('-').any(|part| part == *w))
            }
        })
    };
    if has(&UN) || has(&["un"]) {
        Some(OrgKind::UnSystem)
    } else if has(&INTERNATIONAL) {
        Some(OrgKind::International)
    } else if has(&GOVERNMENT) {
        Some(OrgKind::Government)
    } else if has(&ACADEMIA) {
        Some(OrgKind::Academia)
    } else if has(&CIVIL_SOCIETY) {
        Some(OrgKind::CivilSociety)
    } else if has(&MEDIA) {
        Some(OrgKind::Media)
    } else if has(&COMPANY) {
        Some(OrgKind::Company)
    } else {
        None
    }
}

/// A contributor type guessed from an organisation's name, type and sector words.
pub(crate) fn contributor_type_from(words: &[&str]) -> Option<ContributorType> {
    Some(match org_kind(words)? {
        OrgKind::UnSystem => ContributorType::UnSystem,
        // Intergovernmental bodies speak for their member States.
        OrgKind::International | OrgKind::Government => ContributorType::MemberState,
        OrgKind::Academia => ContributorType::Academia,
        OrgKind::CivilSociety => ContributorType::CivilSociety,
        OrgKind::Media => ContributorType::Media,
        OrgKind::Company => ContributorType::PrivateSector,
    })
}

/// An attributor kind guessed from the claimant's words; self-claims and victims are recognised
/// by those words.
pub(crate) fn attributor_kind_from(words: &[&str]) -> Option<AttributorKind> {
    let text = words.join(" ").to_lowercase();
    if [
        "self-claim",
        "self claim",
        "claimed responsibility",
        "themselves",
        "perpetrator",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        return Some(AttributorKind::SelfClaim);
    }
    if text
        .split(|c: char| !c.is_alphanumeric())
        .any(|t| t == "victim")
    {
        return Some(AttributorKind::Victim);
    }
    Some(match org_kind(words)? {
        OrgKind::UnSystem | OrgKind::International => AttributorKind::InternationalOrganisation,
        OrgKind::Government => AttributorKind::State,
        OrgKind::Academia | OrgKind::CivilSociety => AttributorKind::Researcher,
        OrgKind::Media => AttributorKind::Media,
        OrgKind::Company => AttributorKind::Company,
    })
}

/// The ISO 3166-1 alpha-3 code of a country name or code, when recognised.
pub(crate) fn alpha3(country: &str) -> Option<String> {
    let country = country.trim();
    if country.is_empty() {
        return None;
    }
    crate::countries::to_alpha3(country).map(str::to_owned)
}

/// The ISO 3166-1 alpha-3 code of a value that is meant to be a code (STIX, VERIS and MISP write
/// alpha-2 codes, sometimes in lower case), or of a name.
pub(crate) fn alpha3_of_code(code: &str) -> Option<String> {
    let code = code.trim();
    if code.len() <= 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        alpha3(&code.to_ascii_uppercase())
    } else {
        alpha3(code)
    }
}

/// The Admiralty credibility (1 confirmed .. 5 improbable) of a STIX confidence (0-100), by the
/// STIX 2.1 specification's mapping (appendix B); outside 0-100 it cannot be judged.
pub(crate) fn credibility_from_confidence(confidence: i64) -> Option<u8> {
    match confidence {
        80..=100 => Some(1),
        60..=79 => Some(2),
        40..=59 => Some(3),
        20..=39 => Some(4),
        0..=19 => Some(5),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_organisation_kinds_from_words() {
        assert_eq!(
            contributor_type_from(&["CERT-UA"]),
            Some(ContributorType::MemberState)
        );
        assert_eq!(
            contributor_type_from(&["Example", "government-national"]),
            Some(ContributorType::MemberState)
        );
        assert_eq!(
            contributor_type_from(&["University of Example"]),
            Some(ContributorType::Academia)
        );
        assert_eq!(
            contributor_type_from(&["UNIDIR"]),
            Some(ContributorType::UnSystem)
        );
        assert_eq!(contributor_type_from(&["CIRCL"]), None);
        assert_eq!(
            contributor_type_from(&["FireEye, Inc.", "technology"]),
            Some(ContributorType::PrivateSector)
        );
        assert_eq!(
            attributor_kind_from(&["Ministry of Foreign Affairs of Exampleland"]),
            Some(AttributorKind::State)
        );
        assert_eq!(
            attributor_kind_from(&["the group itself (self-claim)"]),
            Some(AttributorKind::SelfClaim)
        );
        assert_eq!(
            attributor_kind_from(&["European Union"]),
            Some(AttributorKind::InternationalOrganisation)
        );
        assert_eq!(attributor_kind_from(&["Someone"]), None);
    }

    #[test]
    fn maps_confidence_to_credibility_as_the_specification_does() {
        assert_eq!(credibility_from_confidence(85), Some(1));
        assert_eq!(credibility_from_confidence(50), Some(3));
        assert_eq!(credibility_from_confidence(0), Some(5));
        assert_eq!(credibility_from_confidence(101), None);
    }
}
