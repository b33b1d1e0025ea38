//! Checks of the structures shared by many object types: hashes, dictionaries, external
//! references, kill chain phases, granular markings and their selectors, extensions, `lang`.

use serde_json::Value;

use super::props::{self, Env, Target};
use super::vocab::{EXTENSION_TYPE, HASH_ALGORITHM};
use super::{code, formats, observables, show, Ctx, Ptr};
use crate::JsonMap;

/// Checks a hashes dictionary; with `vocab`, warns about algorithm names outside
/// `hash-algorithm-ov` that are not `x_` prefixed.
pub(crate) fn hashes(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, vocab: bool) {
    let Some(map) = props::non_empty_object(ctx, at, v) else {
        return;
    };
    for (algo, value) in map {
        let here = at.key(algo);
        let name_ok = (3..=250).contains(&algo.len())
            && algo
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        if !name_ok {
            ctx.error(
                &here,
                code::FORMAT,
                format!("hash algorithm name {algo:?} must be 3 to 250 characters of letters, digits, _ and -"),
            );
        }
        let Some(s) = props::string(ctx, &here, value) else {
            continue;
        };
        let shape_ok = match algo.as_str() {
            "MD5" => hex_len(s, 32),
            "SHA-1" => hex_len(s, 40),
            "SHA-256" | "SHA3-256" => hex_len(s, 64),
            "SHA-512" | "SHA3-512" => hex_len(s, 128),
            "SSDEEP" => {
                (1..=128).contains(&s.len())
                    && s.bytes().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b':' | b'.')
                    })
            }
            "TLSH" => s.len() == 70 && s.bytes().all(|c| c.is_ascii_alphanumeric()),
            _ => true,
        };
        if !shape_ok {
            ctx.error(
                &here,
                code::FORMAT,
                format!("{s:?} is not a valid {algo} hash value"),
            );
        }
        if vocab && !HASH_ALGORITHM.contains(algo) && !algo.starts_with("x_") {
            ctx.warn(
                &here,
                code::HASH_ALGORITHM,
                format!("hash algorithm {algo:?} is not in hash-algorithm-ov; custom algorithm names should start with x_"),
            );
        }
    }
}

fn hex_len(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Checks a dictionary: a non-empty object whose keys are at most 250 letters, digits, `_` and
/// `-`, with values that are not null and lists that are not empty.
pub(crate) fn dictionary<'v>(ctx: &mut Ctx, at: &Ptr<'_>, v: &'v Value) -> Option<&'v JsonMap> {
    let map = props::non_empty_object(ctx, at, v)?;
    for (key, value) in map {
        let here = at.key(key);
        if !formats::dictionary_key(key) {
            ctx.error(
                &here,
                code::PROPERTY_NAME,
                format!("dictionary key {key:?} must be at most 250 characters of letters, digits, _ and -"),
            );
        }
        match value {
            Value::Null => ctx.error(
                &here,
                code::NULL_VALUE,
                format!("dictionary value `{key}` must not be null"),
            ),
            Value::Array(items) if items.is_empty() => ctx.error(
                &here,
                code::EMPTY,
                format!("dictionary value `{key}` must not be an empty list"),
            ),
            _ => {}
        }
    }
    Some(map)
}

/// Checks `external_references`.
pub(crate) fn external_references(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(r) = props::object(ctx, &here, item) else {
            continue;
        };
        external_reference(ctx, &here, r);
    }
}

fn external_reference(ctx: &mut Ctx, at: &Ptr<'_>, r: &JsonMap) {
    for (key, value) in r {
        let here = at.key(key);
        match key.as_str() {
            "source_name" | "description" | "external_id" => {
                props::string(ctx, &here, value);
            }
            "url" => {
                if let Some(s) = props::string(ctx, &here, value) {
                    if !formats::uri(s) {
                        ctx.error(
                            &here,
                            code::FORMAT,
                            format!(
                                "`url` must be a URI (with a scheme such as https:), got {}",
                                show(value)
                            ),
                        );
                    }
                }
            }
            "hashes" => {
                hashes(ctx, &here, value, false);
                if let Some(map) = value.as_object() {
                    for algo in map.keys() {
                        if !external_reference_hash_name(algo) {
                            ctx.error(
                                &here.key(algo),
                                code::EXTERNAL_REFERENCE,
                                format!("external reference hash algorithm {algo:?} must be one of hash-algorithm-ov (MD5, SHA-1, SHA-256, ...)"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let Some(source) = r.get("source_name") else {
        ctx.error(
            &at.key("source_name"),
            code::MISSING_PROPERTY,
            "an external reference must have `source_name`".to_string(),
        );
        return;
    };
    let Some(source) = source.as_str() else {
        return;
    };
    let external_id = r.get("external_id").and_then(Value::as_str);
    match source {
        "cve" | "capec" => {
            let (well_formed, example): (fn(&str) -> bool, _) = if source == "cve" {
                (cve_id, "CVE-2016-1234")
            } else {
                (capec_id, "CAPEC-123")
            };
            match (r.get("external_id"), external_id) {
                (None, _) => ctx.error(
                    &at.key("external_id"),
                    code::EXTERNAL_REFERENCE,
                    format!("an external reference with source_name {source:?} must have `external_id` (like {example})"),
                ),
                (Some(_), Some(id)) if !well_formed(id) => ctx.error(
                    &at.key("external_id"),
                    code::EXTERNAL_REFERENCE,
                    format!("`external_id` {id:?} is not a {} id (like {example})", source.to_uppercase()),
                ),
                _ => {}
            }
        }
        _ => {
            if let Some(id) = external_id {
                if cve_id(id) || capec_id(id) {
                    let want = if cve_id(id) { "cve" } else { "capec" };
                    ctx.error(
                        &at.key("source_name"),
                        code::EXTERNAL_REFERENCE,
                        format!("`external_id` {id:?} is a {} id, so `source_name` must be {want:?}, not {source:?}", want.to_uppercase()),
                    );
                }
            }
            if !["external_id", "description", "url"]
                .iter()
                .any(|k| r.contains_key(*k))
            {
                ctx.error(
                    at,
                    code::EXTERNAL_REFERENCE,
                    "an external reference must have at least one of `external_id`, `description` or `url` besides `source_name`".to_string(),
                );
            }
        }
    }
}

/// The OASIS schema's (unanchored) rule for external-reference hash names.
fn external_reference_hash_name(algo: &str) -> bool {
    algo.starts_with("MD5")
        || algo.ends_with("TLSH")
        || [
            "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP",
        ]
        .iter()
        .any(|n| algo.contains(n))
}

fn cve_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|c| c.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|c| c.is_ascii_digit())
        && (number.len() == 4 || !number.starts_with('0'))
}

fn capec_id(s: &str) -> bool {
    s.strip_prefix("CAPEC-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// Checks `kill_chain_phases`.
pub(crate) fn kill_chain_phases(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(phase) = props::object(ctx, &here, item) else {
            continue;
        };
        for key in ["kill_chain_name", "phase_name"] {
            let field = here.key(key);
            match phase.get(key) {
                None => ctx.error(
                    &field,
                    code::MISSING_PROPERTY,
                    format!("a kill chain phase must have `{key}`"),
                ),
                Some(value) => {
                    if let Some(s) = props::string(ctx, &field, value) {
                        let lower =
                            s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase);
                        if !lower || s.contains(['_', ' ']) {
                            ctx.warn(
                                &field,
                                code::KILL_CHAIN_NAME,
                                format!("`{key}` {s:?} should be all lowercase with hyphens between words"),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Checks `granular_markings`, including that each selector resolves inside the object.
pub(crate) fn granular_markings(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(marking) = props::object(ctx, &here, item) else {
            continue;
        };
        match (marking.get("marking_ref"), marking.get("lang")) {
            (Some(r), None) => {
                props::reference(
                    ctx,
                    &here.key("marking_ref"),
                    r,
                    Target::Only(&["marking-definition"]),
                    &no_embedding(env),
                );
            }
            (None, Some(l)) => {
                props::string(ctx, &here.key("lang"), l);
            }
            (Some(_), Some(_)) => ctx.error(
                &here,
                code::COMBINATION,
                "a granular marking must have `marking_ref` or `lang`, not both".to_string(),
            ),
            (None, None) => ctx.error(
                &here.key("marking_ref"),
                code::MISSING_PROPERTY,
                "a granular marking must have `marking_ref` (or `lang`)".to_string(),
            ),
        }
        let selectors_at = here.key("selectors");
        let Some(selectors) = marking.get("selectors") else {
            ctx.error(
                &selectors_at,
                code::MISSING_PROPERTY,
                "a granular marking must have `selectors`".to_string(),
            );
            continue;
        };
        let Some(selectors) = props::list(ctx, &selectors_at, selectors) else {
            continue;
        };
        for (j, selector) in selectors.iter().enumerate() {
            let sel_at = selectors_at.index(j);
            let Some(s) = props::string(ctx, &sel_at, selector) else {
                continue;
            };
            if !selector_syntax(s) {
                ctx.error(&sel_at, code::SELECTOR, format!("selector {s:?} is malformed (property names and [index] parts joined by dots)"));
            } else if let Err(why) = resolve_selector(env.obj, s) {
                ctx.error(
                    &sel_at,
                    code::SELECTOR,
                    format!("selector {s:?} does not resolve inside the object: {why}"),
                );
            }
        }
    }
}

/// The environment with references read as identifiers again (markings inside an embedded
/// observable refer to marking definitions, not to keys of the observed-data `objects`).
pub(crate) fn no_embedding<'o>(env: &Env<'o>) -> Env<'o> {
    Env {
        embedded_in: None,
        ..*env
    }
}

/// The OASIS selector pattern: `^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$`.
fn selector_syntax(s: &str) -> bool {
    if s == "id" {
        return true;
    }
    let name = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len())
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
    };
    let mut parts = s.split('.');
    let first = parts.next().unwrap_or_default();
    name(first, 3, 249)
        && parts.all(|p| {
            name(p, 1, 250)
                || p.strip_prefix('[')
                    .and_then(|p| p.strip_suffix(']'))
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()))
        })
}

fn resolve_selector(obj: &JsonMap, s: &str) -> Result<(), String> {
    let mut at: Option<&Value> = None;
    for seg in s.split('.') {
        let index = seg
            .strip_prefix('[')
            .and_then(|p| p.strip_suffix(']'))
            .and_then(|d| d.parse::<usize>().ok());
        let next = match (at, index) {
            (None, None) => obj
                .get(seg)
                .ok_or_else(|| format!("{seg:?} is not a property"))?,
            (None, Some(_)) => {
                return Err(format!(
                    "{seg:?} indexes the object itself, which is not a list"
                ))
            }
            (Some(Value::Array(items)), Some(i)) => items
                .get(i)
                .ok_or_else(|| format!("{i} is not a valid index"))?,
            (Some(Value::Object(m)), None) => m
                .get(seg)
                .ok_or_else(|| format!("{seg:?} is not a property"))?,
            (Some(_), Some(_)) => {
                return Err(format!("{seg:?} indexes a value that is not a list"))
            }
            (Some(_), None) => {
                return Err(format!(
                    "{seg:?} is looked up in a value that is not an object"
                ))
            }
        };
        at = Some(next);
    }
    Ok(())
}

/// How the `extensions` of an object are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtensionRules {
    /// Domain, relationship and meta objects: extension-definition ids and `*-ext` names.
    Core,
    /// Cyber-observables: as core, plus the predefined extensions of the type.
    Sco,
    /// Marking definitions: extension-definition ids only.
    Marking,
}

/// Checks an `extensions` dictionary.
pub(crate) fn extensions(
    ctx: &mut Ctx,
    at: &Ptr<'_>,
    v: &Value,
    env: &Env<'_>,
    rules: ExtensionRules,
) {
    let Some(map) = props::non_empty_object(ctx, at, v) else {
        return;
    };
    let sco_dictionary =
        rules == ExtensionRules::Sco && observables::has_extension_dictionary(env.ty);
    for (name, ext) in map {
        let here = at.key(name);
        if let Some(uuid_part) = name.strip_prefix("extension-definition--") {
            let ok = formats::identifier(name).is_ok_and(|id| id.ty == "extension-definition");
            if !ok {
                ctx.error(
                    &here,
                    code::EXTENSION,
                    format!("extension key {name:?} must be an extension-definition identifier (its UUID {uuid_part:?} is not valid)"),
                );
            }
            defined_extension(ctx, &here, ext, env);
        } else if rules != ExtensionRules::Marking && formats::extension_name(name) {
            if rules == ExtensionRules::Sco
                && observables::predefined_extension(ctx, &here, name, ext, env)
            {
                continue;
            }
            if let Some(members) = props::non_empty_object(ctx, &here, ext) {
                property_rules(ctx, &here, members, env);
                if sco_dictionary {
                    dictionary(ctx, &here, ext);
                }
            }
            if rules == ExtensionRules::Sco && env.known_type && !env.property_extension {
                ctx.warn(
                    &here,
                    code::CUSTOM_EXTENSION,
                    format!("custom extension `{name}` should be declared by an extension-definition with extension_type property-extension"),
                );
            }
        } else {
            let allowed = if rules == ExtensionRules::Marking {
                "an extension-definition identifier"
            } else {
                "an extension-definition identifier or a name ending in -ext"
            };
            ctx.error(
                &here,
                code::EXTENSION,
                format!("extension key {name:?} must be {allowed}"),
            );
        }
    }
}

/// An extension defined by an extension-definition: a non-empty object with a valid
/// `extension_type`, whose properties follow the naming rules.
fn defined_extension(ctx: &mut Ctx, at: &Ptr<'_>, ext: &Value, env: &Env<'_>) {
    let Some(members) = props::non_empty_object(ctx, at, ext) else {
        return;
    };
    match members.get("extension_type") {
        None => ctx.error(
            &at.key("extension_type"),
            code::MISSING_PROPERTY,
            "an extension defined by an extension-definition must have `extension_type`"
                .to_string(),
        ),
        Some(t) => props::check_kind(
            ctx,
            &at.key("extension_type"),
            t,
            props::Kind::Enum(EXTENSION_TYPE),
            env,
        ),
    }
    property_rules(ctx, at, members, env);
}

/// The OASIS `properties` schema on an extension's members: names and generic value rules.
fn property_rules(ctx: &mut Ctx, at: &Ptr<'_>, members: &JsonMap, env: &Env<'_>) {
    for (name, value) in members {
        let here = at.key(name);
        if !formats::property_name(name) {
            ctx.error(
                &here,
                code::PROPERTY_NAME,
                format!("property name {name:?} is not allowed: names are at least 3 characters of a-z, 0-9 and _, starting with a letter"),
            );
        }
        props::custom_value(ctx, &here, name, value, &no_embedding(env));
    }
}

/// An extension of `extension_type` new-sdo, new-sco or new-sro.
pub(crate) const NEW_TYPE: u8 = 1;
/// An extension of `extension_type` property-extension.
pub(crate) const PROPERTY_EXTENSION: u8 = 2;
/// An extension of `extension_type` toplevel-property-extension.
pub(crate) const TOPLEVEL_PROPERTY_EXTENSION: u8 = 4;

/// The `extension_type`s an object's extensions declare, as a set of the flags above.
pub(crate) fn extension_types(obj: &JsonMap) -> u8 {
    let Some(extensions) = obj.get("extensions").and_then(Value::as_object) else {
        return 0;
    };
    extensions
        .values()
        .map(|e| match e.get("extension_type").and_then(Value::as_str) {
            Some("new-sdo" | "new-sco" | "new-sro") => NEW_TYPE,
            Some("property-extension") => PROPERTY_EXTENSION,
            Some("toplevel-property-extension") => TOPLEVEL_PROPERTY_EXTENSION,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

/// Checks `lang`: a language tag from the list the OASIS validator accepts.
pub(crate) fn lang(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::lang_code(s) {
            ctx.error(
                at,
                code::LANGUAGE,
                format!("`lang` {s:?} is not an RFC 5646 language code (e.g. en, fr, pt-BR)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert!(
            selector_syntax("description")
                && selector_syntax("external_references.[1].url")
                && selector_syntax("id")
        );
        assert!(
            !selector_syntax("ab")
                && !selector_syntax("a.b.")
                && !selector_syntax("abc.[x]")
                && !selector_syntax("Name")
        );
        let obj: JsonMap =
            serde_json::from_str(r#"{"description": "x", "external_references": [{"url": "u"}]}"#)
                .unwrap();
        assert!(resolve_selector(&obj, "description").is_ok());
        assert!(resolve_selector(&obj, "external_references.[0].url").is_ok());
        assert!(resolve_selector(&obj, "external_references.[1]").is_err());
        assert!(resolve_selector(&obj, "external_references.url").is_err());
        assert!(resolve_selector(&obj, "description.[0]").is_err());
        assert!(resolve_selector(&obj, "name").is_err());
    }

    #[test]
    fn vulnerability_ids() {
        assert!(cve_id("CVE-2016-1234") && cve_id("CVE-2021-44228") && cve_id("CVE-2016-0123"));
        assert!(
            !cve_id("CVE-2016-01234")
                && !cve_id("CVE-16-1234")
                && !cve_id("cve-2016-1234")
                && !cve_id("CVE-2016-123")
        );
        assert!(capec_id("CAPEC-163") && !capec_id("CAPEC-") && !capec_id("CAPEC-x"));
    }
}
