//! The STIX 2.1 validator: MUST rules as errors, SHOULD rules as warnings, safe repairs.
//!
//! [`validate_object`] checks one object in its generic form ([`JsonMap`]) and returns an
//! [`Outcome`]: the findings (each with a JSON pointer inside the object, a stable code and a
//! message) and, when asked to repair, the repairs made. [`RefIndex`] adds the one check that needs
//! the whole file: references to objects that are nowhere to be found.
//!
//! What counts as an error follows the OASIS STIX 2.1 validator (`stix2-validator`, default options):
//! the OASIS JSON schemas (required properties, property types, value formats) plus its MUST checks
//! (real calendar dates, timestamp order, marking selectors, STIX patterns, the IANA media type and
//! character set registries, language codes, UUID versions where the specification fixes them). What
//! it reports as a warning is a warning here (custom content, open vocabularies, recommended UUID
//! versions, naming style). Where the two differ, the specification decides, on purpose:
//! - errors here, accepted by the OASIS validator: an `id` whose prefix is not the `type` of a custom
//!   object; `spec_version` `2.0` (ingest upgrades 2.0 objects first); references to objects of a
//!   type the specification does not allow there (`created_by_ref` to a non-identity, markings to a
//!   non-marking-definition, observable references such as `resolves_to_refs`, `sample_refs`, a
//!   relationship to an extension-definition); a granular marking with both `marking_ref` and `lang`;
//!   a timestamp followed by a newline (Python's `$` lets it through);
//! - accepted here, errors for the OASIS validator: a granular marking with `lang` instead of
//!   `marking_ref`; a leap second (`23:59:60`); IPv6 addresses with an embedded IPv4 part.
//!
//! The checks are direct Rust over the map (no JSON-schema engine, no regex), allocate nothing for a
//! valid object, and build the pointer and message of a finding only when there is one.

mod common;
mod formats;
mod marking;
mod objects;
mod observables;
mod props;
mod refs;
mod registries;
mod repair;
mod vocab;

use serde_json::Value;

use crate::JsonMap;

pub use refs::{references, RefIndex, RefWarning, Reference};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks a MUST rule of the specification.
    Error,
    /// Breaks a SHOULD rule, or looks wrong without breaking a rule.
    Warning,
}

/// One thing the validator found in one object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer inside the object (RFC 6901), `""` for the object itself.
    pub pointer: String,
    /// A stable short code, e.g. `missing-property`, `timestamp-format`.
    pub code: &'static str,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

/// A change the validator made to make an object valid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// JSON pointer inside the object of what was changed.
    pub pointer: String,
    /// The finding that was repaired, and what was done.
    pub message: String,
}

/// Everything found in one object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// Findings still standing after repairs (errors and warnings).
    pub findings: Vec<Finding>,
    /// Repairs made (only when repairing was asked for).
    pub repairs: Vec<Repair>,
}

impl Outcome {
    /// True when some error breaks the object's structure (see [`code::is_structural`]).
    pub fn has_structural_errors(&self) -> bool {
        self.errors().any(|f| code::is_structural(f.code))
    }

    /// True when some error remains.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The errors, in the order found.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// The warnings, in the order found.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }
}

/// The stable codes of findings, one constant per kind of problem.
pub mod code {
    /// A required property is absent.
    pub const MISSING_PROPERTY: &str = "missing-property";
    /// A property has the wrong JSON type (a number where a string is required, ...).
    pub const WRONG_TYPE: &str = "wrong-type";
    /// A list is empty, or an object that must have members has none.
    pub const EMPTY: &str = "empty-value";
    /// A property is `null`.
    pub const NULL_VALUE: &str = "null-value";
    /// The `type` is not a valid object type name.
    pub const TYPE_NAME: &str = "invalid-type-name";
    /// A value that must be an identifier (`<type>--<UUID>`) is not one.
    pub const IDENTIFIER: &str = "invalid-identifier";
    /// The `id` does not start with the object's `type`.
    pub const ID_TYPE_MISMATCH: &str = "id-type-mismatch";
    /// A timestamp is not in the STIX form or not a real date and time.
    pub const TIMESTAMP_FORMAT: &str = "timestamp-format";
    /// `created` or `modified` is not precise to the millisecond.
    pub const TIMESTAMP_PRECISION: &str = "timestamp-precision";
    /// Two timestamps are in the wrong order (`modified` before `created`, ...).
    pub const TIMESTAMP_ORDER: &str = "timestamp-order";
    /// `spec_version` is missing where required, or is not `2.1`.
    pub const SPEC_VERSION: &str = "spec-version";
    /// A reference points at an object of a type not allowed there.
    pub const REFERENCE_TYPE: &str = "reference-type";
    /// A property name does not follow the naming rules.
    pub const PROPERTY_NAME: &str = "property-name";
    /// A reserved property name (`severity`, `action`, `username`, `phone_numbers`) is used.
    pub const RESERVED_PROPERTY: &str = "reserved-property";
    /// A number is outside its allowed range.
    pub const OUT_OF_RANGE: &str = "out-of-range";
    /// A value is not one of the values a closed enumeration allows.
    pub const ENUM_VALUE: &str = "enum-value";
    /// A value does not have its required format (URI, e-mail, host name, address, base64, hex,
    /// CPE, hash value, ...).
    pub const FORMAT: &str = "invalid-format";
    /// Properties that must (or must not) appear together do not.
    pub const COMBINATION: &str = "property-combination";
    /// An external reference breaks its rules.
    pub const EXTERNAL_REFERENCE: &str = "external-reference";
    /// A granular marking selector does not resolve inside the object, or is malformed.
    pub const SELECTOR: &str = "invalid-selector";
    /// An `extensions` entry breaks its rules.
    pub const EXTENSION: &str = "invalid-extension";
    /// A marking definition breaks its rules (TLP 1.0 objects must match the specification).
    pub const MARKING_DEFINITION: &str = "marking-definition";
    /// A marking definition marks itself.
    pub const CIRCULAR_MARKING: &str = "circular-marking";
    /// An indicator's STIX pattern does not parse.
    pub const PATTERN: &str = "invalid-pattern";
    /// A language tag is not a known RFC 5646 tag.
    pub const LANGUAGE: &str = "language-code";
    /// A media type is not in the IANA registry.
    pub const MEDIA_TYPE: &str = "media-type";
    /// A character set name is not in the IANA registry.
    pub const CHARSET: &str = "charset";
    /// A UUID version the specification requires (version 4) is not used.
    pub const UUID_VERSION: &str = "uuid-version";
    /// An observed-data embedded object reference does not resolve.
    pub const EMBEDDED_REFERENCE: &str = "embedded-reference";

    /// True for errors that leave an object without a sound structure (what it is, which version,
    /// what it refers to, which properties it has): such an object cannot be stored. Other errors
    /// are about the form of a value (a URI, a base64 string, a vocabulary of a closed list) and
    /// leave the object usable; ingest keeps it, flagged, unless `--strict`.
    pub fn is_structural(code: &str) -> bool {
        matches!(
            code,
            MISSING_PROPERTY
                | WRONG_TYPE
                | EMPTY
                | NULL_VALUE
                | TYPE_NAME
                | IDENTIFIER
                | ID_TYPE_MISMATCH
                | TIMESTAMP_FORMAT
                | TIMESTAMP_ORDER
                | SPEC_VERSION
                | PROPERTY_NAME
                | RESERVED_PROPERTY
        )
    }

    /// Warning: a custom object type (not an extension-defined new type, or not `x-` prefixed).
    pub const CUSTOM_TYPE: &str = "custom-type";
    /// Warning: a custom property (not `x_` prefixed and not declared by a toplevel extension).
    pub const CUSTOM_PROPERTY: &str = "custom-property";
    /// Warning: a custom extension on a cyber-observable not declared with an extension definition.
    pub const CUSTOM_EXTENSION: &str = "custom-extension";
    /// Warning: a value outside the suggested open vocabulary.
    pub const VOCABULARY: &str = "vocabulary";
    /// Warning: kill chain or phase names not lowercase with hyphens.
    pub const KILL_CHAIN_NAME: &str = "kill-chain-name";
    /// Warning: a hash algorithm name outside `hash-algorithm-ov` and not `x_` prefixed.
    pub const HASH_ALGORITHM: &str = "hash-algorithm";
    /// Warning: an identifier with uppercase hex digits.
    pub const UPPERCASE_ID: &str = "uppercase-id";
    /// Warning: an identifier whose UUID version is not the recommended one (4 for domain, relationship
    /// and meta objects, 5 for cyber-observables).
    pub const UUID_RECOMMENDED: &str = "uuid-recommended";
    /// Warning: a deprecated property (observed-data `objects`).
    pub const DEPRECATED: &str = "deprecated-property";
    /// Warning: a location `country` that is not an ISO 3166-1 alpha-2 code.
    pub const COUNTRY: &str = "country-code";
    /// Warning: a rule the specification states that the OASIS validator does not enforce, so that
    /// this validator reports rather than rejects (e.g. an extension definition without
    /// `created_by_ref`).
    pub const SPEC_RULE: &str = "spec-rule";
    /// Warning: a reference to an object neither in the file nor already known.
    pub const DANGLING_REFERENCE: &str = "dangling-reference";
    /// Warning: two objects with the same `id` and `modified`.
    pub const DUPLICATE_VERSION: &str = "duplicate-version";
}

/// Validates one object; with `repair`, fixes what can be fixed safely and records each fix.
///
/// Repairs are made first, so the findings describe the object as returned. A repair is made only
/// when it needs no guessing (see *Repairs* below); everything else stays a finding.
///
/// # Repairs
/// - a missing `spec_version` on a domain, relationship or meta object is set to `2.1`;
/// - a timestamp written with lowercase `t`/`z`, a space for `T`, or a zero UTC offset (`+00:00`)
///   is rewritten in the STIX form; `created`/`modified` written to less than the millisecond are
///   padded with zeros (the same instant);
/// - a missing `modified` is set to `created` (an object's first version);
/// - uppercase hex in the `id` and in references is lowercased.
pub fn validate_object(obj: &mut JsonMap, repair: bool) -> Outcome {
    let mut outcome = Outcome {
        findings: check(obj),
        repairs: Vec::new(),
    };
    // Every condition a repair fixes is also a finding, so an object without findings needs no
    // repair pass: the common case costs one check. Otherwise repair, then check the result.
    if repair && !outcome.findings.is_empty() {
        repair::repair(obj, &mut outcome.repairs);
        if !outcome.repairs.is_empty() {
            outcome.findings = check(obj);
        }
    }
    outcome
}

fn check(obj: &JsonMap) -> Vec<Finding> {
    let mut ctx = Ctx::default();
    objects::check_object(&mut ctx, obj, &Ptr::ROOT, None);
    ctx.findings
}

/// Where in the object a check is: a JSON pointer kept as a chain of borrowed segments on the stack,
/// turned into a string only when a finding needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    seg: Seg<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    /// The object itself.
    pub const ROOT: Ptr<'static> = Ptr {
        parent: None,
        seg: Seg::Root,
    };

    /// The member `key` of the value here.
    pub fn key<'b>(&'b self, key: &'b str) -> Ptr<'b> {
        Ptr {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// The item `index` of the list here.
    pub fn index(&self, index: usize) -> Ptr<'_> {
        Ptr {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    /// The RFC 6901 form (`/external_references/2/source_name`).
    pub fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segs.push(p.seg);
            at = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    out.push('/');
                    for c in k.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Seg::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
            }
        }
        out
    }

    /// The last key of the pointer, for messages (`""` at the root or on a list item).
    pub fn name(&self) -> &'a str {
        match self.seg {
            Seg::Key(k) => k,
            _ => match self.parent {
                Some(p) => p.name(),
                None => "",
            },
        }
    }
}

/// The findings gathered while checking one object.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    findings: Vec<Finding>,
}

impl Ctx {
    /// Records a broken MUST.
    pub fn error(&mut self, at: &Ptr<'_>, code: &'static str, message: String) {
        self.push(Severity::Error, at, code, message);
    }

    /// Records a broken SHOULD or something suspicious.
    pub fn warn(&mut self, at: &Ptr<'_>, code: &'static str, message: String) {
        self.push(Severity::Warning, at, code, message);
    }

    fn push(&mut self, severity: Severity, at: &Ptr<'_>, code: &'static str, message: String) {
        self.findings.push(Finding {
            severity,
            pointer: at.render(),
            code,
            message,
        });
    }
}

/// A short quoted form of a value for messages (long strings are cut).
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut cut: String = s.chars().take(80).collect();
            if cut.len() < s.len() {
                cut.push_str("...");
            }
            format!("{cut:?}")
        }
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
        other => other.to_string(),
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_nest() {
        let root = Ptr::ROOT;
        let a = root.key("external_references");
        let b = a.index(2);
        let c = b.key("a/b~c");
        assert_eq!(c.render(), "/external_references/2/a~1b~0c");
        assert_eq!(root.render(), "");
        assert_eq!(b.name(), "external_references");
    }
}
