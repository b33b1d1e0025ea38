//! Marking definitions: the four TLP 1.0 objects the specification fixes word for word, statement
//! markings, extension-defined markings (TLP 2.0), and markings that mark themselves.

use serde_json::Value;

use super::common::{self, ExtensionRules};
use super::objects::spec_version;
use super::props::{self, Env, Kind, Table, Target};
use super::vocab::{MARKING_DEFINITION_TYPE, TLP2_LEVEL};
use super::{code, show, Ctx, Ptr};
use crate::markings::TLP2_EXTENSION_ID;
use crate::JsonMap;

/// The TLP 1.0 marking definitions of the specification: id, name and `definition.tlp`.
const TLP1: [(&str, &str, &str); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "TLP:WHITE",
        "white",
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "TLP:GREEN",
        "green",
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "TLP:AMBER",
        "amber",
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        "TLP:RED",
        "red",
    ),
];

/// The `created` of every TLP 1.0 marking definition.
const TLP1_CREATED: &str = "2017-01-20T00:00:00.000Z";

const MARKING: Table = &[
    ("type", Kind::Skip),
    ("spec_version", Kind::Skip),
    ("id", Kind::Skip),
    ("created_by_ref", Kind::Ref(Target::Only(&["identity"]))),
    ("created", Kind::Ts),
    ("name", Kind::Str),
    ("lang", Kind::Check(common::lang)),
    (
        "external_references",
        Kind::Check(common::external_references),
    ),
    (
        "object_marking_refs",
        Kind::RefList(Target::Only(&["marking-definition"])),
    ),
    ("granular_markings", Kind::Check(common::granular_markings)),
    ("extensions", Kind::Check(marking_extensions)),
    ("definition_type", Kind::Skip),
    ("definition", Kind::Skip),
];

fn marking_extensions(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    common::extensions(ctx, at, v, env, ExtensionRules::Marking);
    let Some(tlp2) = v.get(TLP2_EXTENSION_ID).and_then(Value::as_object) else {
        return;
    };
    let here = at.key(TLP2_EXTENSION_ID);
    match tlp2.get("tlp_2_0").and_then(Value::as_str) {
        Some(level) if TLP2_LEVEL.contains(level) => {}
        Some(level) => ctx.warn(
            &here.key("tlp_2_0"),
            code::MARKING_DEFINITION,
            format!("TLP 2.0 level {level:?} is not one of clear, green, amber, amber+strict, red"),
        ),
        None => ctx.warn(
            &here,
            code::MARKING_DEFINITION,
            "the TLP 2.0 extension should give the level in `tlp_2_0`".to_string(),
        ),
    }
}

/// Checks a marking definition.
pub(crate) fn check(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, env: &Env<'_>) {
    let definition_type = obj.get("definition_type").and_then(Value::as_str);
    if definition_type == Some("tlp") {
        tlp1(ctx, root, obj);
    } else {
        generic(ctx, root, obj, env, definition_type);
    }
    circular(ctx, root, obj);
}

/// A TLP 1.0 marking must be one of the four the specification defines, exactly.
fn tlp1(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap) {
    let id = obj.get("id").and_then(Value::as_str).unwrap_or_default();
    let Some((_, name, color)) = TLP1.iter().find(|(i, _, _)| *i == id) else {
        ctx.error(
            &root.key("id"),
            code::MARKING_DEFINITION,
            "a marking definition of type tlp must be one of the four TLP 1.0 objects of the specification (white, green, amber, red), with their ids".to_string(),
        );
        return;
    };
    let expect = |ctx: &mut Ctx, key: &str, want: &str| match obj.get(key) {
        None => ctx.error(
            &root.key(key),
            code::MISSING_PROPERTY,
            format!("the {name} marking definition must have `{key}` {want:?}"),
        ),
        Some(v) if v.as_str() != Some(want) => ctx.error(
            &root.key(key),
            code::MARKING_DEFINITION,
            format!(
                "the {name} marking definition must have `{key}` {want:?}, got {}",
                show(v)
            ),
        ),
        Some(_) => {}
    };
    expect(ctx, "spec_version", "2.1");
    expect(ctx, "created", TLP1_CREATED);
    expect(ctx, "name", name);
    match obj.get("definition") {
        None => ctx.error(
            &root.key("definition"),
            code::MISSING_PROPERTY,
            format!("the {name} marking definition must have `definition`"),
        ),
        Some(Value::Object(d))
            if d.len() == 1 && d.get("tlp").and_then(Value::as_str) == Some(color) => {}
        Some(_) => ctx.error(
            &root.key("definition"),
            code::MARKING_DEFINITION,
            format!(
                "the {name} marking definition must have `definition` {{\"tlp\": \"{color}\"}}"
            ),
        ),
    }
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "type" | "id" | "spec_version" | "created" | "name" | "definition" | "definition_type"
        ) {
            ctx.error(
                &root.key(key),
                code::MARKING_DEFINITION,
                format!("the {name} marking definition must be exactly as the specification gives it; `{key}` is not part of it"),
            );
        }
    }
}

fn generic(
    ctx: &mut Ctx,
    root: &Ptr<'_>,
    obj: &JsonMap,
    env: &Env<'_>,
    definition_type: Option<&str>,
) {
    spec_version(ctx, root, obj);
    props::required(ctx, root, obj, &["created"]);
    props::check_properties(ctx, root, obj, &[MARKING], false, env);
    if !obj.contains_key("extensions") {
        props::required(ctx, root, obj, &["definition_type", "definition"]);
    }
    if let Some(v) = obj.get("definition_type") {
        props::string(ctx, &root.key("definition_type"), v);
    }
    let definition = obj.get("definition");
    match definition_type {
        Some("statement") => {
            if let Some(d) = definition {
                if let Some(d) = props::object(ctx, &root.key("definition"), d) {
                    match d.get("statement") {
                        None => ctx.error(
                            &root.key("definition").key("statement"),
                            code::MISSING_PROPERTY,
                            "a statement marking must have `definition.statement`".to_string(),
                        ),
                        Some(s) => {
                            props::string(ctx, &root.key("definition").key("statement"), s);
                        }
                    }
                }
            }
        }
        Some(other) => {
            // The OASIS schema (`^(statement)|(tlp)$`) reserves every definition_type that starts
            // with "statement" or ends with "tlp" for the two predefined kinds.
            if other.starts_with("statement") || other.ends_with("tlp") {
                ctx.error(
                    &root.key("definition_type"),
                    code::MARKING_DEFINITION,
                    format!("`definition_type` {other:?} is too close to the predefined statement and tlp kinds; use one of them exactly or another name"),
                );
            }
            if let Some(d) = definition {
                props::object(ctx, &root.key("definition"), d);
            }
            if !MARKING_DEFINITION_TYPE.contains(other) {
                ctx.warn(
                    &root.key("definition_type"),
                    code::VOCABULARY,
                    format!("`definition_type` {other:?} is not statement or tlp; custom markings should use an extension instead"),
                );
            }
        }
        None => {
            if let Some(d) = definition {
                props::object(ctx, &root.key("definition"), d);
            }
        }
    }
}

fn circular(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap) {
    let Some(id) = obj.get("id").and_then(Value::as_str) else {
        return;
    };
    if let Some(refs) = obj.get("object_marking_refs").and_then(Value::as_array) {
        for (i, r) in refs.iter().enumerate() {
            if r.as_str() == Some(id) {
                ctx.error(
                    &root.key("object_marking_refs").index(i),
                    code::CIRCULAR_MARKING,
                    "a marking definition must not mark itself".to_string(),
                );
            }
        }
    }
    if let Some(markings) = obj.get("granular_markings").and_then(Value::as_array) {
        for (i, m) in markings.iter().enumerate() {
            if m.get("marking_ref").and_then(Value::as_str) == Some(id) {
                ctx.error(
                    &root.key("granular_markings").index(i).key("marking_ref"),
                    code::CIRCULAR_MARKING,
                    "a marking definition must not mark itself".to_string(),
                );
            }
        }
    }
}
