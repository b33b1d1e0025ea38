//! The entry point of the checks, the rules common to every object (`type`, `id`, `spec_version`,
//! timestamps), and the domain, relationship and meta objects.

use serde_json::Value;

use super::common::{self, ExtensionRules};
use super::formats;
use super::props::{self, Class, Env, Kind, Table, Target};
use super::vocab::*;
use super::{code, marking, observables, show, Ctx, Ptr};
use crate::JsonMap;

/// The domain object types the specification defines.
pub(crate) const SDO_TYPES: &[&str] = &[
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];

/// Types a relationship or sighting may not point at: they are not domain or observable objects.
const NOT_NODES: &[&str] = &[
    "relationship",
    "sighting",
    "bundle",
    "marking-definition",
    "language-content",
    "extension-definition",
];

const MARKINGS: Kind = Kind::RefList(Target::Only(&["marking-definition"]));
const ANY_NUM: Kind = Kind::Num(f64::MIN, f64::MAX);

/// Checks one object; `embedded_in` is the observed-data `objects` dictionary an embedded
/// cyber-observable sits in.
pub(crate) fn check_object(
    ctx: &mut Ctx,
    obj: &JsonMap,
    root: &Ptr<'_>,
    embedded_in: Option<&JsonMap>,
) {
    let ty = match obj.get("type") {
        None => {
            ctx.error(
                &root.key("type"),
                code::MISSING_PROPERTY,
                "every STIX object must have a `type`".to_string(),
            );
            ""
        }
        Some(v) => props::string(ctx, &root.key("type"), v).unwrap_or_default(),
    };
    if !ty.is_empty() && !formats::type_name(ty) {
        ctx.error(
            &root.key("type"),
            code::TYPE_NAME,
            format!("`type` {ty:?} is not a valid type name: 3 to 250 characters of a-z, 0-9 and single hyphens, starting with a letter"),
        );
    }
    let known = known_class(ty);
    let known_type = known.is_some();
    let class = known.unwrap_or_else(|| classify(ty, obj));
    let extension_types = common::extension_types(obj);
    let env = Env {
        obj,
        ty,
        embedded_in,
        toplevel_extension: extension_types & common::TOPLEVEL_PROPERTY_EXTENSION != 0,
        property_extension: extension_types & common::PROPERTY_EXTENSION != 0,
        known_type,
    };
    check_id(ctx, root, obj, ty, class, known_type);
    match class {
        Class::Bundle => bundle(ctx, root, obj, &env),
        Class::Marking => marking::check(ctx, root, obj, &env),
        Class::Core => core(ctx, root, obj, &env),
        Class::Sco => observables::check(ctx, root, obj, &env),
    }
    if !known_type && formats::type_name(ty) && extension_types & common::NEW_TYPE == 0 {
        let prefix = if ty.starts_with("x-") {
            ""
        } else {
            "; custom type names should also start with x-"
        };
        ctx.warn(
            &root.key("type"),
            code::CUSTOM_TYPE,
            format!("custom object type `{ty}` should be defined by an extension-definition (extension_type new-sdo, new-sco or new-sro){prefix}"),
        );
    }
}

/// The family of a type the specification defines, or `None` for a custom type.
pub(crate) fn known_class(ty: &str) -> Option<Class> {
    Some(match ty {
        "bundle" => Class::Bundle,
        "marking-definition" => Class::Marking,
        "attack-pattern"
        | "campaign"
        | "course-of-action"
        | "grouping"
        | "identity"
        | "incident"
        | "indicator"
        | "infrastructure"
        | "intrusion-set"
        | "location"
        | "malware"
        | "malware-analysis"
        | "note"
        | "observed-data"
        | "opinion"
        | "report"
        | "threat-actor"
        | "tool"
        | "vulnerability"
        | "relationship"
        | "sighting"
        | "language-content"
        | "extension-definition" => Class::Core,
        "artifact"
        | "autonomous-system"
        | "directory"
        | "domain-name"
        | "email-addr"
        | "email-message"
        | "file"
        | "ipv4-addr"
        | "ipv6-addr"
        | "mac-addr"
        | "mutex"
        | "network-traffic"
        | "process"
        | "software"
        | "url"
        | "user-account"
        | "windows-registry-key"
        | "x509-certificate" => Class::Sco,
        _ => return None,
    })
}

/// The family of rules an object falls under. Custom types follow the OASIS validator: with
/// `created` or `modified` they are checked as domain objects, without as cyber-observables.
pub(crate) fn classify(ty: &str, obj: &JsonMap) -> Class {
    known_class(ty).unwrap_or_else(|| {
        if obj.contains_key("created") || obj.contains_key("modified") {
            Class::Core
        } else {
            Class::Sco
        }
    })
}

fn check_id(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, ty: &str, class: Class, known: bool) {
    let at = root.key("id");
    let Some(v) = obj.get("id") else {
        ctx.error(
            &at,
            code::MISSING_PROPERTY,
            "every STIX object must have an `id`".to_string(),
        );
        return;
    };
    let Some(id) = props::identifier(ctx, &at, v) else {
        return;
    };
    if !ty.is_empty() && id.ty != ty {
        ctx.error(
            &at,
            code::ID_TYPE_MISMATCH,
            format!(
                "`id` must start with the object's type: expected {ty}--<UUID>, got {}",
                show(v)
            ),
        );
        return;
    }
    let version = id.uuid_version();
    let random_required = ty == "process"
        || observables::id_contributing_properties(ty)
            .is_some_and(|props| !props.iter().any(|p| obj.contains_key(*p)));
    if random_required && version != 4 {
        let why = if ty == "process" {
            "a process id must use a version 4 (random) UUID".to_string()
        } else {
            format!("a {ty} without any of its id contributing properties must use a version 4 (random) UUID")
        };
        ctx.error(&at, code::UUID_VERSION, why);
    } else if class == Class::Sco && known && ty != "process" {
        if version != 5 && !random_required {
            ctx.warn(
                &at,
                code::UUID_RECOMMENDED,
                format!("cyber-observable ids should use version 5 (deterministic) UUIDs; this one is version {version}"),
            );
        }
    } else if version != 4 && !random_required {
        ctx.warn(
            &at,
            code::UUID_RECOMMENDED,
            format!("ids should use version 4 (random) UUIDs; this one is version {version}"),
        );
    }
}

/// Checks `spec_version` on an object that must have it.
pub(crate) fn spec_version(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap) {
    let at = root.key("spec_version");
    match obj.get("spec_version") {
        None => ctx.error(
            &at,
            code::MISSING_PROPERTY,
            "required property `spec_version` is missing (\"2.1\" for STIX 2.1 objects)"
                .to_string(),
        ),
        Some(v) => match props::string(ctx, &at, v) {
            Some("2.1") | None => {}
            Some("2.0") => ctx.error(
                &at,
                code::SPEC_VERSION,
                "this is a STIX 2.0 object; upgrade it to 2.1 before validating it as 2.1"
                    .to_string(),
            ),
            Some(_) => ctx.error(
                &at,
                code::SPEC_VERSION,
                format!("`spec_version` must be \"2.1\", got {}", show(v)),
            ),
        },
    }
}

const CORE_COMMON: Table = &[
    ("type", Kind::Skip),
    ("spec_version", Kind::Skip),
    ("id", Kind::Skip),
    ("created_by_ref", Kind::Ref(Target::Only(&["identity"]))),
    ("created", Kind::TsMillis),
    ("modified", Kind::TsMillis),
    ("revoked", Kind::Bool),
    ("labels", Kind::StrList),
    ("confidence", Kind::Int(0, 100)),
    ("lang", Kind::Check(common::lang)),
    (
        "external_references",
        Kind::Check(common::external_references),
    ),
    ("object_marking_refs", MARKINGS),
    ("granular_markings", Kind::Check(common::granular_markings)),
    ("extensions", Kind::Check(core_extensions)),
];

fn core_extensions(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    common::extensions(ctx, at, v, env, ExtensionRules::Core);
}

fn core(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, env: &Env<'_>) {
    spec_version(ctx, root, obj);
    props::required(ctx, root, obj, &["created", "modified"]);
    let spec = spec(env.ty);
    props::check_properties(ctx, root, obj, &[spec.table, CORE_COMMON], true, env);
    props::required(ctx, root, obj, spec.required);
    props::order(ctx, root, obj, "created", "modified", true);
    for (earlier, later, or_equal) in spec.order {
        props::order(ctx, root, obj, earlier, later, *or_equal);
    }
    if let Some(extra) = spec.extra {
        extra(ctx, root, obj, env);
    }
}

/// What a domain, relationship or meta object type adds to the common properties.
struct Spec {
    table: Table,
    required: &'static [&'static str],
    /// Timestamp pairs `(earlier, later, equal allowed)`.
    order: &'static [(&'static str, &'static str, bool)],
    extra: Option<fn(&mut Ctx, &Ptr<'_>, &JsonMap, &Env<'_>)>,
}

const SEEN: &[(&str, &str, bool)] = &[("first_seen", "last_seen", true)];

fn spec(ty: &str) -> Spec {
    let s = |table, required, order, extra| Spec {
        table,
        required,
        order,
        extra,
    };
    match ty {
        "attack-pattern" => s(ATTACK_PATTERN, &["name"], &[], None),
        "campaign" => s(CAMPAIGN, &["name"], SEEN, None),
        "course-of-action" => s(NAMED, &["name"], &[], None),
        "grouping" => s(GROUPING, &["context", "object_refs"], &[], None),
        "identity" => s(IDENTITY, &["name"], &[], None),
        "incident" => s(INCIDENT, &["name"], &[], None),
        "indicator" => s(
            INDICATOR,
            &["pattern", "pattern_type", "valid_from"],
            &[("valid_from", "valid_until", false)],
            Some(indicator),
        ),
        "infrastructure" => s(INFRASTRUCTURE, &["name"], SEEN, None),
        "intrusion-set" => s(INTRUSION_SET, &["name"], SEEN, None),
        "location" => s(LOCATION, &[], &[], Some(location)),
        "malware" => s(MALWARE, &["is_family"], SEEN, Some(malware)),
        "malware-analysis" => s(MALWARE_ANALYSIS, &["product"], &[], Some(malware_analysis)),
        "note" => s(NOTE, &["content", "object_refs"], &[], None),
        "observed-data" => s(
            OBSERVED_DATA,
            &["first_observed", "last_observed", "number_observed"],
            &[("first_observed", "last_observed", true)],
            Some(observed_data),
        ),
        "opinion" => s(OPINION_TABLE, &["object_refs", "opinion"], &[], None),
        "report" => s(REPORT, &["name", "object_refs", "published"], &[], None),
        "threat-actor" => s(THREAT_ACTOR, &["name"], SEEN, None),
        "tool" => s(TOOL, &["name"], &[], None),
        "vulnerability" => s(NAMED, &["name"], &[], None),
        "relationship" => s(
            RELATIONSHIP,
            &["relationship_type", "source_ref", "target_ref"],
            &[("start_time", "stop_time", false)],
            None,
        ),
        "sighting" => s(SIGHTING, &["sighting_of_ref"], SEEN, None),
        "language-content" => s(LANGUAGE_CONTENT, &["object_ref", "contents"], &[], None),
        "extension-definition" => s(
            EXTENSION_DEFINITION,
            &["name", "schema", "version", "extension_types"],
            &[],
            Some(extension_definition),
        ),
        _ => s(&[], &[], &[], None),
    }
}

const KILL_CHAIN: Kind = Kind::Check(common::kill_chain_phases);
const ANY_REFS: Kind = Kind::RefList(Target::Any);

const NAMED: Table = &[("name", Kind::Str), ("description", Kind::Str)];
const ATTACK_PATTERN: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("aliases", Kind::StrList),
    ("kill_chain_phases", KILL_CHAIN),
];
const CAMPAIGN: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("aliases", Kind::StrList),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
    ("objective", Kind::Str),
];
const GROUPING: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("context", Kind::Open(GROUPING_CONTEXT)),
    ("object_refs", ANY_REFS),
];
const IDENTITY: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("roles", Kind::StrList),
    ("identity_class", Kind::Open(IDENTITY_CLASS)),
    ("sectors", Kind::OpenList(INDUSTRY_SECTOR)),
    ("contact_information", Kind::Str),
];
const INCIDENT: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("kill_chain_phases", KILL_CHAIN),
];
const INDICATOR: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("indicator_types", Kind::OpenList(INDICATOR_TYPE)),
    ("pattern", Kind::Str),
    ("pattern_type", Kind::Open(PATTERN_TYPE)),
    ("pattern_version", Kind::Str),
    ("valid_from", Kind::Ts),
    ("valid_until", Kind::Ts),
    ("kill_chain_phases", KILL_CHAIN),
];
const INFRASTRUCTURE: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("infrastructure_types", Kind::OpenList(INFRASTRUCTURE_TYPE)),
    ("aliases", Kind::StrList),
    ("kill_chain_phases", KILL_CHAIN),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
];
const INTRUSION_SET: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("aliases", Kind::StrList),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
    ("goals", Kind::StrList),
    ("resource_level", Kind::Open(ATTACK_RESOURCE_LEVEL)),
    ("primary_motivation", Kind::Open(ATTACK_MOTIVATION)),
    ("secondary_motivations", Kind::OpenList(ATTACK_MOTIVATION)),
];
const LOCATION: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("latitude", Kind::Num(-90.0, 90.0)),
    ("longitude", Kind::Num(-180.0, 180.0)),
    ("precision", ANY_NUM),
    ("region", Kind::Open(REGION)),
    ("country", Kind::Check(country)),
    ("administrative_area", Kind::Str),
    ("city", Kind::Str),
    ("street_address", Kind::Str),
    ("postal_code", Kind::Str),
];
const MALWARE: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("malware_types", Kind::OpenList(MALWARE_TYPE)),
    ("is_family", Kind::Bool),
    ("aliases", Kind::StrList),
    ("kill_chain_phases", KILL_CHAIN),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
    (
        "operating_system_refs",
        Kind::RefList(Target::Only(&["software"])),
    ),
    (
        "architecture_execution_envs",
        Kind::OpenList(PROCESSOR_ARCHITECTURE),
    ),
    (
        "implementation_languages",
        Kind::OpenList(IMPLEMENTATION_LANGUAGE),
    ),
    ("capabilities", Kind::OpenList(MALWARE_CAPABILITIES)),
    (
        "sample_refs",
        Kind::RefList(Target::Only(&["artifact", "file"])),
    ),
];
const MALWARE_ANALYSIS: Table = &[
    ("product", Kind::Str),
    ("version", Kind::Str),
    ("host_vm_ref", Kind::Ref(Target::Only(&["software"]))),
    (
        "operating_system_ref",
        Kind::Ref(Target::Only(&["software"])),
    ),
    (
        "installed_software_refs",
        Kind::RefList(Target::Only(&["software"])),
    ),
    ("configuration_version", Kind::Str),
    ("modules", Kind::StrList),
    ("analysis_engine_version", Kind::Str),
    ("analysis_definition_version", Kind::Str),
    ("submitted", Kind::Ts),
    ("analysis_started", Kind::Ts),
    ("analysis_ended", Kind::Ts),
    ("result_name", Kind::Str),
    ("result", Kind::Open(MALWARE_RESULT)),
    ("analysis_sco_refs", ANY_REFS),
    (
        "sample_ref",
        Kind::Ref(Target::Only(&["artifact", "file", "network-traffic"])),
    ),
];
const NOTE: Table = &[
    ("abstract", Kind::Str),
    ("content", Kind::Str),
    ("authors", Kind::StrList),
    ("object_refs", ANY_REFS),
];
const OBSERVED_DATA: Table = &[
    ("first_observed", Kind::Ts),
    ("last_observed", Kind::Ts),
    ("number_observed", Kind::Int(1, 999_999_999)),
    ("objects", Kind::Check(embedded_objects)),
    ("object_refs", Kind::RefList(Target::Not(SDO_TYPES))),
];
const OPINION_TABLE: Table = &[
    ("explanation", Kind::Str),
    ("authors", Kind::StrList),
    ("object_refs", ANY_REFS),
    ("opinion", Kind::Enum(OPINION)),
];
const REPORT: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("report_types", Kind::OpenList(REPORT_TYPE)),
    ("published", Kind::Ts),
    ("object_refs", ANY_REFS),
];
const THREAT_ACTOR: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("threat_actor_types", Kind::OpenList(THREAT_ACTOR_TYPE)),
    ("aliases", Kind::StrList),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
    ("roles", Kind::OpenList(THREAT_ACTOR_ROLE)),
    ("goals", Kind::StrList),
    ("sophistication", Kind::Open(THREAT_ACTOR_SOPHISTICATION)),
    ("resource_level", Kind::Open(ATTACK_RESOURCE_LEVEL)),
    ("primary_motivation", Kind::Open(ATTACK_MOTIVATION)),
    ("secondary_motivations", Kind::OpenList(ATTACK_MOTIVATION)),
    ("personal_motivations", Kind::OpenList(ATTACK_MOTIVATION)),
];
const TOOL: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("tool_types", Kind::OpenList(TOOL_TYPE)),
    ("aliases", Kind::StrList),
    ("kill_chain_phases", KILL_CHAIN),
    ("tool_version", Kind::Str),
];
const RELATIONSHIP: Table = &[
    ("relationship_type", Kind::Check(relationship_type)),
    ("description", Kind::Str),
    ("source_ref", Kind::Ref(Target::Not(NOT_NODES))),
    ("target_ref", Kind::Ref(Target::Not(NOT_NODES))),
    ("start_time", Kind::Ts),
    ("stop_time", Kind::Ts),
];
const SIGHTING: Table = &[
    ("description", Kind::Str),
    ("first_seen", Kind::Ts),
    ("last_seen", Kind::Ts),
    ("count", Kind::Int(0, 999_999_999)),
    ("sighting_of_ref", Kind::Ref(Target::Not(NOT_NODES))),
    (
        "observed_data_refs",
        Kind::RefList(Target::Only(&["observed-data"])),
    ),
    (
        "where_sighted_refs",
        Kind::RefList(Target::Only(&["identity", "location"])),
    ),
    ("summary", Kind::Bool),
];
const LANGUAGE_CONTENT: Table = &[
    (
        "object_ref",
        Kind::Ref(Target::Not(&["bundle", "language-content"])),
    ),
    ("object_modified", Kind::Ts),
    ("contents", Kind::Check(language_contents)),
];
const EXTENSION_DEFINITION: Table = &[
    ("name", Kind::Str),
    ("description", Kind::Str),
    ("schema", Kind::Str),
    ("version", Kind::Str),
    ("extension_types", Kind::Check(extension_types)),
    ("extension_properties", Kind::StrList),
];

fn relationship_type(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if s.is_empty()
            || !s
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        {
            ctx.error(
                at,
                code::FORMAT,
                format!("`relationship_type` must be lowercase letters, digits and hyphens (e.g. indicates), got {}", show(v)),
            );
        }
    }
}

fn country(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::country_code(s) {
            ctx.warn(
                at,
                code::COUNTRY,
                format!("`country` {s:?} should be an ISO 3166-1 alpha-2 code (e.g. FR)"),
            );
        }
    }
}

fn location(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    let (lat, long) = (obj.contains_key("latitude"), obj.contains_key("longitude"));
    if !(obj.contains_key("region") || obj.contains_key("country") || (lat && long)) {
        ctx.error(
            root,
            code::COMBINATION,
            "a location must have `region`, `country`, or both `latitude` and `longitude`"
                .to_string(),
        );
    }
    if lat != long {
        ctx.error(
            root,
            code::COMBINATION,
            "`latitude` and `longitude` must be given together".to_string(),
        );
    }
    if obj.contains_key("precision") && !(lat && long) {
        ctx.error(
            &root.key("precision"),
            code::COMBINATION,
            "`precision` requires `latitude` and `longitude`".to_string(),
        );
    }
}

fn malware(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    if obj.get("is_family") == Some(&Value::Bool(true)) && !obj.contains_key("name") {
        ctx.error(
            &root.key("name"),
            code::MISSING_PROPERTY,
            "a malware family (`is_family` true) must have a `name`".to_string(),
        );
    }
}

fn malware_analysis(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    props::any_of(
        ctx,
        root,
        obj,
        &["result", "analysis_sco_refs"],
        "a malware-analysis",
    );
}

fn indicator(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    if obj.get("pattern_type").and_then(Value::as_str) != Some("stix") {
        return;
    }
    let Some(pattern) = obj.get("pattern").and_then(Value::as_str) else {
        return;
    };
    if let Err((offset, message)) = stix_pattern(pattern) {
        ctx.error(
            &root.key("pattern"),
            code::PATTERN,
            format!("the STIX pattern is invalid at character {offset}: {message}"),
        );
    }
}

/// Parses a STIX pattern with the patterning crate; the error is the character offset and why.
fn stix_pattern(pattern: &str) -> Result<(), (usize, String)> {
    crate::pattern::validate(pattern).map_err(|e| (e.offset, e.message))
}

fn observed_data(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    match (obj.contains_key("objects"), obj.contains_key("object_refs")) {
        (true, true) => ctx.error(root, code::COMBINATION, "observed-data must have `object_refs` or `objects`, not both".to_string()),
        (false, false) => ctx.error(
            &root.key("object_refs"),
            code::MISSING_PROPERTY,
            "observed-data must have `object_refs` (or the deprecated `objects`)".to_string(),
        ),
        (true, false) => ctx.warn(
            &root.key("objects"),
            code::DEPRECATED,
            "`objects` is deprecated in STIX 2.1: give the observables as top-level objects and list them in `object_refs`".to_string(),
        ),
        (false, true) => {}
    }
}

fn embedded_objects(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(objects) = props::non_empty_object(ctx, at, v) else {
        return;
    };
    for (key, item) in objects {
        let here = at.key(key);
        match item {
            Value::Object(sco) if sco.contains_key("type") => {
                check_object(ctx, sco, &here, Some(objects))
            }
            Value::Object(_) => ctx.error(
                &here.key("type"),
                code::MISSING_PROPERTY,
                "an observable object must have a `type`".to_string(),
            ),
            other => props::wrong_type(ctx, &here, other, "an object"),
        }
    }
}

fn language_contents(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(contents) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (lang, translations) in contents {
        let here = at.key(lang);
        if !formats::lang_code(lang) {
            ctx.error(
                &here,
                code::LANGUAGE,
                format!("`contents` key {lang:?} must be an RFC 5646 language code"),
            );
        }
        let Some(translations) = props::object(ctx, &here, translations) else {
            continue;
        };
        for name in translations.keys() {
            if !formats::strict_property_name(name) {
                ctx.error(
                    &here.key(name),
                    code::PROPERTY_NAME,
                    format!("{name:?} must be the name of a property of the translated object"),
                );
            }
        }
    }
}

fn extension_types(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        props::check_kind(ctx, &at.index(i), item, Kind::Enum(EXTENSION_TYPE), env);
    }
}

fn extension_definition(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, _env: &Env<'_>) {
    let toplevel = obj
        .get("extension_types")
        .and_then(Value::as_array)
        .is_some_and(|types| {
            types
                .iter()
                .any(|t| t.as_str() == Some("toplevel-property-extension"))
        });
    if obj.contains_key("extension_properties") && !toplevel {
        ctx.error(
            &root.key("extension_properties"),
            code::COMBINATION,
            "`extension_properties` is only for extension definitions of type toplevel-property-extension".to_string(),
        );
    }
    if toplevel && !obj.contains_key("extension_properties") {
        ctx.warn(
            &root.key("extension_properties"),
            code::SPEC_RULE,
            "a toplevel-property-extension should list its properties in `extension_properties`"
                .to_string(),
        );
    }
    if !obj.contains_key("description") {
        ctx.warn(
            &root.key("description"),
            code::SPEC_RULE,
            "an extension definition should have a `description`".to_string(),
        );
    }
    if !obj.contains_key("created_by_ref") {
        ctx.warn(
            &root.key("created_by_ref"),
            code::SPEC_RULE,
            "the specification requires `created_by_ref` on an extension definition (the OASIS validator does not enforce it)".to_string(),
        );
    }
}

fn bundle(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, env: &Env<'_>) {
    props::check_properties(ctx, root, obj, &[BUNDLE], false, env);
}

const BUNDLE: Table = &[
    ("type", Kind::Skip),
    ("id", Kind::Skip),
    ("objects", Kind::Check(bundle_objects)),
];

/// A bundle's objects are validated one by one by the caller; here only the envelope.
fn bundle_objects(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    match v {
        Value::Array(items) => {
            if items.is_empty() {
                ctx.warn(
                    at,
                    code::SPEC_RULE,
                    "an empty `objects` list should be omitted".to_string(),
                );
            }
            for (i, item) in items.iter().enumerate() {
                if !item.is_object() {
                    props::wrong_type(ctx, &at.index(i), item, "an object");
                }
            }
        }
        other => props::wrong_type(ctx, at, other, "a list"),
    }
}
