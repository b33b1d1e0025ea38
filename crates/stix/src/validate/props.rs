//! Property kinds and the checks of a single value against its kind.
//!
//! Each object type is described by a table of `(property, Kind)`; [`check_kind`] checks one value
//! against its kind. The tables are short, so they are scanned linearly.

use serde_json::Value;

use super::formats::{self, Identifier};
use super::vocab::Vocab;
use super::{code, common, json_type, show, Ctx, Ptr};
use crate::timestamp::{parse_timestamp, Timestamp, TimestampError};
use crate::JsonMap;

/// What a reference may point at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// Any object.
    Any,
    /// Only these types.
    Only(&'static [&'static str]),
    /// Anything but these types.
    Not(&'static [&'static str]),
}

impl Target {
    fn allows(self, ty: &str) -> bool {
        match self {
            Target::Any => true,
            Target::Only(types) => types.contains(&ty),
            Target::Not(types) => !types.contains(&ty),
        }
    }

    fn describe(self) -> String {
        match self {
            Target::Any => "any object".to_string(),
            Target::Only(types) => format!("an object of type {}", types.join(" or ")),
            Target::Not(types) => format!("an object of a type other than {}", types.join(", ")),
        }
    }
}

/// A custom check of one value.
pub(crate) type CheckFn = fn(&mut Ctx, &Ptr<'_>, &Value, &Env<'_>);

/// The kind of a property's value.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// An integer within bounds (inclusive).
    Int(i64, i64),
    /// A number within bounds (inclusive).
    Num(f64, f64),
    /// A timestamp.
    Ts,
    /// A timestamp precise to the millisecond (`created`, `modified`).
    TsMillis,
    /// A non-empty list of strings.
    StrList,
    /// An identifier of an allowed type.
    Ref(Target),
    /// A non-empty list of identifiers of allowed types.
    RefList(Target),
    /// A string from a closed enumeration.
    Enum(Vocab),
    /// A string, expected from an open vocabulary.
    Open(Vocab),
    /// A non-empty list of strings, expected from an open vocabulary.
    OpenList(Vocab),
    /// A hashes dictionary whose algorithm names should come from `hash-algorithm-ov`.
    HashesVocab,
    /// A dictionary.
    Dict,
    /// Base64 binary.
    Binary,
    /// Hex binary.
    Hex,
    /// Checked elsewhere (`type`, `id`, `spec_version`).
    Skip,
    /// A check of its own.
    Check(CheckFn),
}

/// A table of an object type's properties.
pub(crate) type Table = &'static [(&'static str, Kind)];

/// The kind of `name` in `table`.
pub(crate) fn lookup(table: Table, name: &str) -> Option<Kind> {
    // Comparing lengths and first bytes before the whole names keeps the scan cheap.
    let (len, first) = (name.len(), name.as_bytes().first());
    table
        .iter()
        .find(|(n, _)| n.len() == len && n.as_bytes().first() == first && *n == name)
        .map(|(_, k)| *k)
}

/// The family of an object, which decides the common rules that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A domain object, relationship, language-content, extension-definition, or a custom object
    /// with `created`/`modified` (the OASIS `core` schema applies).
    Core,
    /// A cyber-observable, or a custom object without `created` and `modified`.
    Sco,
    /// A marking definition.
    Marking,
    /// A bundle envelope.
    Bundle,
}

/// What a check needs to know about the object it is in.
#[derive(Clone, Copy)]
pub(crate) struct Env<'o> {
    /// The object (for granular marking selectors).
    pub obj: &'o JsonMap,
    /// Its type.
    pub ty: &'o str,
    /// For a cyber-observable inside an observed-data `objects`: that dictionary, whose keys its
    /// references must name.
    pub embedded_in: Option<&'o JsonMap>,
    /// The object has a `toplevel-property-extension`, so its custom properties are declared.
    pub toplevel_extension: bool,
    /// The object has a `property-extension`, so its custom extensions are declared.
    pub property_extension: bool,
    /// The type is one the specification defines (custom properties are only reported on those).
    pub known_type: bool,
}

/// Checks one value against its kind.
pub(crate) fn check_kind(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, kind: Kind, env: &Env<'_>) {
    match kind {
        Kind::Str => {
            string(ctx, at, v);
        }
        Kind::Bool => {
            if !v.is_boolean() {
                wrong_type(ctx, at, v, "a boolean");
            }
        }
        Kind::Int(min, max) => integer(ctx, at, v, min, max),
        Kind::Num(min, max) => number(ctx, at, v, min, max),
        Kind::Ts => {
            timestamp(ctx, at, v);
        }
        Kind::TsMillis => {
            if let Some(ts) = timestamp(ctx, at, v) {
                if !ts.has_millisecond_precision() {
                    ctx.error(
                        at,
                        code::TIMESTAMP_PRECISION,
                        format!("`{}` must be precise to the millisecond (at least 3 fraction digits), got {}", at.name(), show(v)),
                    );
                }
            }
        }
        Kind::StrList => {
            if let Some(items) = list(ctx, at, v) {
                for (i, item) in items.iter().enumerate() {
                    string(ctx, &at.index(i), item);
                }
            }
        }
        Kind::Ref(target) => reference(ctx, at, v, target, env),
        Kind::RefList(target) => {
            if let Some(items) = list(ctx, at, v) {
                for (i, item) in items.iter().enumerate() {
                    reference(ctx, &at.index(i), item, target, env);
                }
            }
        }
        Kind::Enum(vocab) => {
            if let Some(s) = string(ctx, at, v) {
                if !vocab.contains(s) {
                    ctx.error(
                        at,
                        code::ENUM_VALUE,
                        format!(
                            "`{}` must be one of {} ({}), got {}",
                            at.name(),
                            vocab.values.join(", "),
                            vocab.name,
                            show(v)
                        ),
                    );
                }
            }
        }
        Kind::Open(vocab) => {
            if let Some(s) = string(ctx, at, v) {
                open_value(ctx, at, s, vocab);
            }
        }
        Kind::OpenList(vocab) => {
            if let Some(items) = list(ctx, at, v) {
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = string(ctx, &at.index(i), item) {
                        open_value(ctx, &at.index(i), s, vocab);
                    }
                }
            }
        }
        Kind::HashesVocab => common::hashes(ctx, at, v, true),
        Kind::Dict => {
            common::dictionary(ctx, at, v);
        }
        Kind::Binary => {
            if let Some(s) = string(ctx, at, v) {
                if !formats::base64(s) {
                    ctx.error(
                        at,
                        code::FORMAT,
                        format!(
                            "`{}` must be base64-encoded binary, got {}",
                            at.name(),
                            show(v)
                        ),
                    );
                }
            }
        }
        Kind::Hex => {
            if let Some(s) = string(ctx, at, v) {
                if !formats::hex(s) {
                    ctx.error(
                        at,
                        code::FORMAT,
                        format!(
                            "`{}` must be an even number of hex digits, got {}",
                            at.name(),
                            show(v)
                        ),
                    );
                }
            }
        }
        Kind::Skip => {}
        Kind::Check(f) => f(ctx, at, v, env),
    }
}

fn open_value(ctx: &mut Ctx, at: &Ptr<'_>, s: &str, vocab: Vocab) {
    if !vocab.contains(s) {
        ctx.warn(
            at,
            code::VOCABULARY,
            format!(
                "{s:?} is allowed but is not in the suggested {} vocabulary",
                vocab.name
            ),
        );
    }
}

/// Reports a value of the wrong JSON type.
pub(crate) fn wrong_type(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, expected: &str) {
    let code = if v.is_null() {
        code::NULL_VALUE
    } else {
        code::WRONG_TYPE
    };
    ctx.error(
        at,
        code,
        format!("`{}` must be {expected}, got {}", at.name(), json_type(v)),
    );
}

/// The string, or an error.
pub(crate) fn string<'v>(ctx: &mut Ctx, at: &Ptr<'_>, v: &'v Value) -> Option<&'v str> {
    match v {
        Value::String(s) => Some(s),
        _ => {
            wrong_type(ctx, at, v, "a string");
            None
        }
    }
}

/// The non-empty list, or an error.
pub(crate) fn list<'v>(ctx: &mut Ctx, at: &Ptr<'_>, v: &'v Value) -> Option<&'v [Value]> {
    match v {
        Value::Array(items) if items.is_empty() => {
            ctx.error(
                at,
                code::EMPTY,
                format!("`{}` must not be an empty list", at.name()),
            );
            None
        }
        Value::Array(items) => Some(items),
        _ => {
            wrong_type(ctx, at, v, "a list");
            None
        }
    }
}

/// The object, or an error.
pub(crate) fn object<'v>(ctx: &mut Ctx, at: &Ptr<'_>, v: &'v Value) -> Option<&'v JsonMap> {
    match v {
        Value::Object(m) => Some(m),
        _ => {
            wrong_type(ctx, at, v, "an object");
            None
        }
    }
}

/// The non-empty object, or an error.
pub(crate) fn non_empty_object<'v>(
    ctx: &mut Ctx,
    at: &Ptr<'_>,
    v: &'v Value,
) -> Option<&'v JsonMap> {
    let m = object(ctx, at, v)?;
    if m.is_empty() {
        ctx.error(
            at,
            code::EMPTY,
            format!("`{}` must have at least one property", at.name()),
        );
        return None;
    }
    Some(m)
}

/// An integer value, accepting `1.0` as the OASIS validator does.
pub(crate) fn as_integer(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i as f64)
            } else if let Some(u) = n.as_u64() {
                Some(u as f64)
            } else {
                n.as_f64().filter(|f| f.fract() == 0.0)
            }
        }
        _ => None,
    }
}

fn integer(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, min: i64, max: i64) {
    match as_integer(v) {
        Some(n) => {
            if n < min as f64 || n > max as f64 {
                ctx.error(
                    at,
                    code::OUT_OF_RANGE,
                    range_message(
                        at,
                        v,
                        min as f64,
                        max as f64,
                        min == i64::MIN,
                        max == i64::MAX,
                    ),
                );
            }
        }
        None => wrong_type(ctx, at, v, "an integer"),
    }
}

fn number(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, min: f64, max: f64) {
    match v.as_f64() {
        Some(n) => {
            if n < min || n > max {
                ctx.error(
                    at,
                    code::OUT_OF_RANGE,
                    range_message(at, v, min, max, min == f64::MIN, max == f64::MAX),
                );
            }
        }
        None => wrong_type(ctx, at, v, "a number"),
    }
}

fn range_message(
    at: &Ptr<'_>,
    v: &Value,
    min: f64,
    max: f64,
    no_min: bool,
    no_max: bool,
) -> String {
    let bounds = match (no_min, no_max) {
        (true, false) => format!("at most {max}"),
        (false, true) => format!("at least {min}"),
        _ => format!("between {min} and {max}"),
    };
    format!("`{}` must be {bounds}, got {v}", at.name())
}

/// A timestamp value, or an error saying what is wrong with it.
pub(crate) fn timestamp(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value) -> Option<Timestamp> {
    let s = string(ctx, at, v)?;
    match parse_timestamp(s) {
        Ok(ts) => Some(ts),
        Err(e) => {
            let why = match e {
                TimestampError::Syntax { .. } => {
                    "is not in the STIX form YYYY-MM-DDTHH:MM:SS[.s+]Z (UTC, uppercase T and Z)"
                        .to_string()
                }
                TimestampError::OutOfRange { field } => {
                    format!("is not a real date and time ({field} out of range)")
                }
            };
            ctx.error(
                at,
                code::TIMESTAMP_FORMAT,
                format!("`{}` {why}: {}", at.name(), show(v)),
            );
            None
        }
    }
}

/// The parsed timestamp of `obj[key]` when it is one (no findings).
pub(crate) fn timestamp_of(obj: &JsonMap, key: &str) -> Option<Timestamp> {
    obj.get(key)
        .and_then(Value::as_str)
        .and_then(|s| parse_timestamp(s).ok())
}

/// Checks that `later` is after (or, with `or_equal`, not before) `earlier`, when both are valid.
pub(crate) fn order(
    ctx: &mut Ctx,
    root: &Ptr<'_>,
    obj: &JsonMap,
    earlier: &str,
    later: &str,
    or_equal: bool,
) {
    let (Some(a), Some(b)) = (timestamp_of(obj, earlier), timestamp_of(obj, later)) else {
        return;
    };
    let ok = match b.cmp_instant(&a) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => or_equal,
        std::cmp::Ordering::Less => false,
    };
    if !ok {
        let relation = if or_equal {
            "later than or equal to"
        } else {
            "later than"
        };
        ctx.error(
            &root.key(later),
            code::TIMESTAMP_ORDER,
            format!("`{later}` ({b}) must be {relation} `{earlier}` ({a})"),
        );
    }
}

/// Checks an identifier string and returns its parts.
pub(crate) fn identifier<'v>(ctx: &mut Ctx, at: &Ptr<'_>, v: &'v Value) -> Option<Identifier<'v>> {
    let s = string(ctx, at, v)?;
    match formats::identifier(s) {
        Ok(id) => {
            if id.has_uppercase() {
                ctx.warn(
                    at,
                    code::UPPERCASE_ID,
                    format!(
                        "identifier {s:?} has uppercase hex digits; UUIDs are written in lowercase"
                    ),
                );
            }
            Some(id)
        }
        Err(e) => {
            ctx.error(
                at,
                code::IDENTIFIER,
                format!(
                    "`{}` must be an identifier (<type>--<UUID>): {s:?} {}",
                    at.name(),
                    e.describe()
                ),
            );
            None
        }
    }
}

/// Checks a reference: an identifier of an allowed type, or inside an observed-data `objects`, the
/// key of an embedded object of an allowed type.
pub(crate) fn reference(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, target: Target, env: &Env<'_>) {
    if let Some(objects) = env.embedded_in {
        let Some(key) = string(ctx, at, v) else {
            return;
        };
        match objects.get(key) {
            None => ctx.error(
                at,
                code::EMBEDDED_REFERENCE,
                format!(
                    "`{}` refers to {key:?}, which is not a key of the observed-data `objects`",
                    at.name()
                ),
            ),
            Some(target_obj) => {
                if let Some(ty) = target_obj.get("type").and_then(Value::as_str) {
                    if !target.allows(ty) {
                        ctx.error(
                            at,
                            code::REFERENCE_TYPE,
                            format!(
                                "`{}` must refer to {}, but {key:?} is a {ty}",
                                at.name(),
                                target.describe()
                            ),
                        );
                    }
                }
            }
        }
        return;
    }
    let Some(id) = identifier(ctx, at, v) else {
        return;
    };
    if !target.allows(id.ty) {
        ctx.error(
            at,
            code::REFERENCE_TYPE,
            format!(
                "`{}` must refer to {}, not a {}",
                at.name(),
                target.describe(),
                id.ty
            ),
        );
    }
}

/// The value rules the OASIS `properties` schema gives every property not otherwise described:
/// not null, lists not empty, `*_bin` base64, `*_hex` hex digits; and the specification's rule that
/// `*_ref` and `*_refs` properties hold identifiers.
pub(crate) fn custom_value(ctx: &mut Ctx, at: &Ptr<'_>, name: &str, v: &Value, env: &Env<'_>) {
    match v {
        Value::Null => {
            ctx.error(
                at,
                code::NULL_VALUE,
                format!("`{name}` is null; omit a property rather than setting it to null"),
            );
            return;
        }
        Value::Array(items) if items.is_empty() => {
            ctx.error(
                at,
                code::EMPTY,
                format!("`{name}` must not be an empty list; omit it instead"),
            );
            return;
        }
        _ => {}
    }
    let lowercase_start = name.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    if lowercase_start && name.len() > 4 && name.ends_with("_bin") {
        check_kind(ctx, at, v, Kind::Binary, env);
    } else if lowercase_start && name.len() > 4 && name.ends_with("_hex") {
        check_kind(ctx, at, v, Kind::Hex, env);
    } else if name.ends_with("_ref") && env.embedded_in.is_none() {
        custom_reference(ctx, at, name, v);
    } else if name.ends_with("_refs") && env.embedded_in.is_none() {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    custom_reference(ctx, &at.index(i), name, item);
                }
            }
            _ => custom_reference(ctx, at, name, v),
        }
    }
}

/// A custom `*_ref` value that is not an identifier is only a warning: real producers (MITRE
/// ATT&CK's `x_mitre_*_ref`) leave such properties empty, and the OASIS validator accepts them.
fn custom_reference(ctx: &mut Ctx, at: &Ptr<'_>, name: &str, v: &Value) {
    let ok = v.as_str().is_some_and(|s| formats::identifier(s).is_ok());
    if !ok {
        ctx.warn(
            at,
            code::IDENTIFIER,
            format!("custom reference property `{name}` should hold identifiers (<type>--<UUID>), got {}", show(v)),
        );
    }
}

/// Checks each property of an object against the tables (the specific one first), applying the
/// naming and value rules to properties the tables do not describe, and warning about custom ones.
///
/// `named` says whether the OASIS `properties` schema (names and generic value rules) applies.
pub(crate) fn check_properties(
    ctx: &mut Ctx,
    root: &Ptr<'_>,
    obj: &JsonMap,
    tables: &[Table],
    named: bool,
    env: &Env<'_>,
) {
    for (name, v) in obj {
        let at = root.key(name);
        if named
            && matches!(
                name.as_str(),
                "severity" | "action" | "username" | "phone_numbers"
            )
        {
            ctx.error(
                &at,
                code::RESERVED_PROPERTY,
                format!("`{name}` is a reserved property name and must not be used"),
            );
            continue;
        }
        match tables.iter().find_map(|t| lookup(t, name)) {
            Some(kind) => check_kind(ctx, &at, v, kind, env),
            None => {
                if named {
                    if !formats::property_name(name) {
                        ctx.error(
                            &at,
                            code::PROPERTY_NAME,
                            format!("property name {name:?} is not allowed: names are at least 3 characters of a-z, 0-9 and _, starting with a letter"),
                        );
                    } else if !formats::strict_property_name(name) {
                        ctx.warn(
                            &at,
                            code::PROPERTY_NAME,
                            format!("custom property names should be 3 to 250 characters of a-z, 0-9 and _ only: {name:?}"),
                        );
                    }
                    custom_value(ctx, &at, name, v, env);
                }
                if env.known_type && !env.toplevel_extension && !name.starts_with("x_") {
                    ctx.warn(
                        &at,
                        code::CUSTOM_PROPERTY,
                        format!("custom property `{name}` should be declared by a toplevel-property-extension or start with x_"),
                    );
                }
            }
        }
    }
}

/// Checks that each of `names` is present.
pub(crate) fn required(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, names: &[&str]) {
    for name in names {
        if !obj.contains_key(*name) {
            ctx.error(
                &root.key(name),
                code::MISSING_PROPERTY,
                format!("required property `{name}` is missing"),
            );
        }
    }
}

/// Checks that at least one of `names` is present.
pub(crate) fn any_of(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, names: &[&str], what: &str) {
    if !names.iter().any(|n| obj.contains_key(*n)) {
        ctx.error(
            root,
            code::COMBINATION,
            format!("{what} must have at least one of: {}", names.join(", ")),
        );
    }
}
