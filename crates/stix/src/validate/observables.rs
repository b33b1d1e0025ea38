//! Cyber-observable objects (SCOs): their properties, their required and combined properties, and
//! the predefined extensions of `file`, `network-traffic`, `process` and `user-account`.

use serde_json::Value;

use super::common::{self, ExtensionRules};
use super::props::{self, Env, Kind, Table, Target};
use super::vocab::*;
use super::{code, formats, registries, show, Ctx, Ptr};
use crate::JsonMap;

const ANY_INT: Kind = Kind::Int(i64::MIN, i64::MAX);
const NON_NEGATIVE: Kind = Kind::Int(0, i64::MAX);
const ANY_NUM: Kind = Kind::Num(f64::MIN, f64::MAX);
const MARKINGS: Kind = Kind::RefList(Target::Only(&["marking-definition"]));

/// The properties every cyber-observable may have.
const SCO_COMMON: Table = &[
    ("type", Kind::Skip),
    ("id", Kind::Skip),
    ("spec_version", Kind::Skip),
    ("object_marking_refs", Kind::Check(markings)),
    ("granular_markings", Kind::Check(common::granular_markings)),
    ("defanged", Kind::Bool),
    ("extensions", Kind::Check(sco_extensions)),
];

fn markings(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    props::check_kind(ctx, at, v, MARKINGS, &common::no_embedding(env));
}

fn sco_extensions(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    common::extensions(ctx, at, v, env, ExtensionRules::Sco);
}

/// Checks a cyber-observable (a known one, or a custom object without `created`/`modified`).
pub(crate) fn check(ctx: &mut Ctx, root: &Ptr<'_>, obj: &JsonMap, env: &Env<'_>) {
    if let Some(v) = obj.get("spec_version") {
        if let Some(s) = props::string(ctx, &root.key("spec_version"), v) {
            if s != "2.1" {
                ctx.error(
                    &root.key("spec_version"),
                    code::SPEC_VERSION,
                    format!("`spec_version` must be \"2.1\", got {}", show(v)),
                );
            }
        }
    }
    let table = table(env.ty);
    props::check_properties(
        ctx,
        root,
        obj,
        &[table.unwrap_or(&[]), SCO_COMMON],
        true,
        env,
    );
    match env.ty {
        "artifact" => {
            let (payload, url, hashes) = (
                obj.contains_key("payload_bin"),
                obj.contains_key("url"),
                obj.contains_key("hashes"),
            );
            if payload == url {
                ctx.error(
                    root,
                    code::COMBINATION,
                    "an artifact must have exactly one of `payload_bin` and `url`".to_string(),
                );
            } else if url && !hashes {
                ctx.error(
                    &root.key("hashes"),
                    code::MISSING_PROPERTY,
                    "an artifact with `url` must have `hashes`".to_string(),
                );
            }
            if obj.contains_key("decryption_key") && !obj.contains_key("encryption_algorithm") {
                ctx.error(
                    &root.key("decryption_key"),
                    code::COMBINATION,
                    "`decryption_key` requires `encryption_algorithm`".to_string(),
                );
            }
        }
        "autonomous-system" => props::required(ctx, root, obj, &["number"]),
        "directory" => props::required(ctx, root, obj, &["path"]),
        "domain-name" | "email-addr" | "ipv4-addr" | "ipv6-addr" | "mac-addr" | "url" => {
            props::required(ctx, root, obj, &["value"])
        }
        "email-message" => match obj.get("is_multipart").and_then(Value::as_bool) {
            None if !obj.contains_key("is_multipart") => {
                props::required(ctx, root, obj, &["is_multipart"]);
            }
            Some(true) if obj.contains_key("body") => ctx.error(
                &root.key("body"),
                code::COMBINATION,
                "a multipart email-message carries its body in `body_multipart`, not `body`"
                    .to_string(),
            ),
            Some(false) if obj.contains_key("body_multipart") => ctx.error(
                &root.key("body_multipart"),
                code::COMBINATION,
                "`body_multipart` requires `is_multipart` true".to_string(),
            ),
            _ => {}
        },
        "file" => props::any_of(ctx, root, obj, &["hashes", "name"], "a file"),
        "mutex" => props::required(ctx, root, obj, &["name"]),
        "network-traffic" => {
            props::required(ctx, root, obj, &["protocols"]);
            props::any_of(ctx, root, obj, &["src_ref", "dst_ref"], "a network-traffic");
            if obj.get("is_active") == Some(&Value::Bool(true)) && obj.contains_key("end") {
                ctx.error(
                    &root.key("end"),
                    code::COMBINATION,
                    "an active network-traffic (`is_active` true) must not have `end`".to_string(),
                );
            }
            props::order(ctx, root, obj, "start", "end", true);
        }
        "process" => props::any_of(
            ctx,
            root,
            obj,
            &[
                "extensions",
                "is_hidden",
                "pid",
                "name",
                "created",
                "cwd",
                "arguments",
                "command_line",
                "environment_variables",
                "opened_connection_refs",
                "creator_user_ref",
                "image_ref",
                "parent_ref",
                "child_refs",
            ],
            "a process",
        ),
        "software" => props::required(ctx, root, obj, &["name"]),
        "user-account" => props::any_of(
            ctx,
            root,
            obj,
            &[
                "extensions",
                "user_id",
                "credential",
                "account_login",
                "account_type",
                "display_name",
                "is_service_account",
                "is_privileged",
                "can_escalate_privs",
                "is_disabled",
                "account_created",
                "account_expires",
                "credential_last_changed",
                "account_first_login",
                "account_last_login",
            ],
            "a user-account",
        ),
        "windows-registry-key" => props::any_of(
            ctx,
            root,
            obj,
            &[
                "key",
                "values",
                "modified",
                "creator_user_ref",
                "number_of_subkeys",
            ],
            "a windows-registry-key",
        ),
        "x509-certificate" => props::any_of(
            ctx,
            root,
            obj,
            &[
                "is_self_signed",
                "hashes",
                "version",
                "serial_number",
                "signature_algorithm",
                "issuer",
                "validity_not_before",
                "validity_not_after",
                "subject",
                "subject_public_key_algorithm",
                "subject_public_key_modulus",
                "subject_public_key_exponent",
                "x509_v3_extensions",
            ],
            "an x509-certificate",
        ),
        _ => {}
    }
}

/// The contributing properties without which an SCO's id must be a random (version 4) UUID.
pub(crate) fn id_contributing_properties(ty: &str) -> Option<&'static [&'static str]> {
    Some(match ty {
        "artifact" => &["hashes", "payload_bin"],
        "email-message" => &["from_ref", "subject", "body"],
        "user-account" => &["account_type", "user_id", "account_login"],
        "windows-registry-key" => &["key", "values"],
        "x509-certificate" => &["hashes", "serial_number"],
        _ => return None,
    })
}

fn table(ty: &str) -> Option<Table> {
    Some(match ty {
        "artifact" => ARTIFACT,
        "autonomous-system" => AUTONOMOUS_SYSTEM,
        "directory" => DIRECTORY,
        "domain-name" => DOMAIN_NAME,
        "email-addr" => EMAIL_ADDR,
        "email-message" => EMAIL_MESSAGE,
        "file" => FILE,
        "ipv4-addr" => IPV4_ADDR,
        "ipv6-addr" => IPV6_ADDR,
        "mac-addr" => MAC_ADDR,
        "mutex" => MUTEX,
        "network-traffic" => NETWORK_TRAFFIC,
        "process" => PROCESS,
        "software" => SOFTWARE,
        "url" => URL,
        "user-account" => USER_ACCOUNT,
        "windows-registry-key" => WINDOWS_REGISTRY_KEY,
        "x509-certificate" => X509_CERTIFICATE,
        _ => return None,
    })
}

const ARTIFACT: Table = &[
    ("mime_type", Kind::Check(artifact_mime_type)),
    ("payload_bin", Kind::Binary),
    ("url", Kind::Check(uri)),
    ("hashes", Kind::HashesVocab),
    ("encryption_algorithm", Kind::Enum(ENCRYPTION_ALGORITHM)),
    ("decryption_key", Kind::Str),
];
const AUTONOMOUS_SYSTEM: Table = &[("number", ANY_INT), ("name", Kind::Str), ("rir", Kind::Str)];
const DIRECTORY: Table = &[
    ("path", Kind::Str),
    ("path_enc", Kind::Check(charset)),
    ("ctime", Kind::Ts),
    ("mtime", Kind::Ts),
    ("atime", Kind::Ts),
    (
        "contains_refs",
        Kind::RefList(Target::Only(&["file", "directory"])),
    ),
];
const DOMAIN_NAME: Table = &[
    ("value", Kind::Check(hostname)),
    (
        "resolves_to_refs",
        Kind::RefList(Target::Only(&["ipv4-addr", "ipv6-addr", "domain-name"])),
    ),
];
const EMAIL_ADDR: Table = &[
    ("value", Kind::Check(email)),
    ("display_name", Kind::Str),
    ("belongs_to_ref", Kind::Ref(Target::Only(&["user-account"]))),
];
const EMAIL_REF: Kind = Kind::Ref(Target::Only(&["email-addr"]));
const EMAIL_REFS: Kind = Kind::RefList(Target::Only(&["email-addr"]));
const EMAIL_MESSAGE: Table = &[
    ("is_multipart", Kind::Bool),
    ("date", Kind::Ts),
    ("content_type", Kind::Str),
    ("from_ref", EMAIL_REF),
    ("sender_ref", EMAIL_REF),
    ("to_refs", EMAIL_REFS),
    ("cc_refs", EMAIL_REFS),
    ("bcc_refs", EMAIL_REFS),
    ("message_id", Kind::Str),
    ("subject", Kind::Str),
    ("received_lines", Kind::StrList),
    (
        "additional_header_fields",
        Kind::Check(additional_header_fields),
    ),
    ("body", Kind::Str),
    ("body_multipart", Kind::Check(body_multipart)),
    ("raw_email_ref", Kind::Ref(Target::Only(&["artifact"]))),
];
const FILE: Table = &[
    ("hashes", Kind::HashesVocab),
    ("size", NON_NEGATIVE),
    ("name", Kind::Str),
    ("name_enc", Kind::Check(charset)),
    ("magic_number_hex", Kind::Hex),
    ("mime_type", Kind::Check(file_mime_type)),
    ("ctime", Kind::Ts),
    ("mtime", Kind::Ts),
    ("atime", Kind::Ts),
    (
        "parent_directory_ref",
        Kind::Ref(Target::Only(&["directory"])),
    ),
    ("contains_refs", Kind::RefList(Target::Any)),
    ("content_ref", Kind::Ref(Target::Only(&["artifact"]))),
];
const IPV4_ADDR: Table = &[
    ("value", Kind::Check(ipv4)),
    (
        "resolves_to_refs",
        Kind::RefList(Target::Only(&["mac-addr"])),
    ),
    (
        "belongs_to_refs",
        Kind::RefList(Target::Only(&["autonomous-system"])),
    ),
];
const IPV6_ADDR: Table = &[
    ("value", Kind::Check(ipv6)),
    (
        "resolves_to_refs",
        Kind::RefList(Target::Only(&["mac-addr"])),
    ),
    (
        "belongs_to_refs",
        Kind::RefList(Target::Only(&["autonomous-system"])),
    ),
];
const MAC_ADDR: Table = &[("value", Kind::Check(mac))];
const MUTEX: Table = &[("name", Kind::Str)];
const ADDRESS: Target = Target::Only(&["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"]);
const PORT: Kind = Kind::Int(0, 65535);
const NETWORK_TRAFFIC: Table = &[
    ("start", Kind::Ts),
    ("end", Kind::Ts),
    ("is_active", Kind::Bool),
    ("src_ref", Kind::Ref(ADDRESS)),
    ("dst_ref", Kind::Ref(ADDRESS)),
    ("src_port", PORT),
    ("dst_port", PORT),
    ("protocols", Kind::StrList),
    ("src_byte_count", ANY_INT),
    ("dst_byte_count", ANY_INT),
    ("src_packets", ANY_INT),
    ("dst_packets", ANY_INT),
    ("ipfix", Kind::Check(ipfix)),
    ("src_payload_ref", Kind::Ref(Target::Only(&["artifact"]))),
    ("dst_payload_ref", Kind::Ref(Target::Only(&["artifact"]))),
    (
        "encapsulates_refs",
        Kind::RefList(Target::Only(&["network-traffic"])),
    ),
    (
        "encapsulated_by_ref",
        Kind::Ref(Target::Only(&["network-traffic"])),
    ),
];
const PROCESS: Table = &[
    ("is_hidden", Kind::Bool),
    ("pid", ANY_INT),
    ("created_time", Kind::Ts),
    ("cwd", Kind::Str),
    ("command_line", Kind::Str),
    ("environment_variables", Kind::Dict),
    (
        "opened_connection_refs",
        Kind::RefList(Target::Only(&["network-traffic"])),
    ),
    (
        "creator_user_ref",
        Kind::Ref(Target::Only(&["user-account"])),
    ),
    ("image_ref", Kind::Ref(Target::Only(&["file"]))),
    ("parent_ref", Kind::Ref(Target::Only(&["process"]))),
    ("child_refs", Kind::RefList(Target::Only(&["process"]))),
];
const SOFTWARE: Table = &[
    ("name", Kind::Str),
    ("cpe", Kind::Check(cpe)),
    ("swid", Kind::Str),
    ("languages", Kind::Check(software_languages)),
    ("vendor", Kind::Str),
    ("version", Kind::Str),
];
const URL: Table = &[("value", Kind::Check(uri))];
const USER_ACCOUNT: Table = &[
    ("user_id", Kind::Str),
    ("credential", Kind::Str),
    ("account_login", Kind::Str),
    ("account_type", Kind::Open(ACCOUNT_TYPE)),
    ("display_name", Kind::Str),
    ("is_service_account", Kind::Bool),
    ("is_privileged", Kind::Bool),
    ("can_escalate_privs", Kind::Bool),
    ("is_disabled", Kind::Bool),
    ("account_created", Kind::Ts),
    ("account_expires", Kind::Ts),
    ("credential_last_changed", Kind::Ts),
    ("account_first_login", Kind::Ts),
    ("account_last_login", Kind::Ts),
];
const WINDOWS_REGISTRY_KEY: Table = &[
    ("key", Kind::Check(registry_key)),
    ("values", Kind::Check(registry_values)),
    ("modified_time", Kind::Ts),
    (
        "creator_user_ref",
        Kind::Ref(Target::Only(&["user-account"])),
    ),
    ("number_of_subkeys", ANY_INT),
];
const X509_CERTIFICATE: Table = &[
    ("is_self_signed", Kind::Bool),
    ("hashes", Kind::HashesVocab),
    ("version", Kind::Str),
    ("serial_number", Kind::Str),
    ("signature_algorithm", Kind::Str),
    ("issuer", Kind::Str),
    ("validity_not_before", Kind::Ts),
    ("validity_not_after", Kind::Ts),
    ("subject", Kind::Str),
    ("subject_public_key_algorithm", Kind::Str),
    ("subject_public_key_modulus", Kind::Str),
    ("subject_public_key_exponent", ANY_INT),
    ("x509_v3_extensions", Kind::Check(x509_v3_extensions)),
];

fn format_error(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, what: &str) {
    ctx.error(
        at,
        code::FORMAT,
        format!("`{}` must be {what}, got {}", at.name(), show(v)),
    );
}

fn uri(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::uri(s) {
            format_error(ctx, at, v, "a URI with a scheme (such as https://...)");
        }
    }
}

fn hostname(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::idn_hostname(s) {
            format_error(
                ctx,
                at,
                v,
                "a domain name (letters, digits and hyphens in dot-separated labels)",
            );
        }
    }
}

fn email(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::email(s) {
            format_error(ctx, at, v, "an e-mail address");
        }
    }
}

fn ipv4(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::ipv4_cidr(s) {
            format_error(
                ctx,
                at,
                v,
                "an IPv4 address, optionally with a /0-32 prefix",
            );
        }
    }
}

fn ipv6(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::ipv6_cidr(s) {
            format_error(
                ctx,
                at,
                v,
                "an IPv6 address, optionally with a /0-128 prefix",
            );
        }
    }
}

fn mac(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::mac(s) {
            format_error(
                ctx,
                at,
                v,
                "a MAC address as six lowercase hex pairs joined by colons",
            );
        }
    }
}

fn cpe(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::cpe23(s) {
            format_error(
                ctx,
                at,
                v,
                "a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:...)",
            );
        }
    }
}

fn charset(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(s) = props::string(ctx, at, v) else {
        return;
    };
    let shape = (2..=250).contains(&s.len())
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'/' | b'.' | b'+' | b'_' | b':' | b'-')
        });
    if !shape {
        format_error(ctx, at, v, "a character set name");
    } else if !formats::registered_charset(s) {
        ctx.error(
            at,
            code::CHARSET,
            format!(
                "`{}` {s:?} is not an IANA registered character set",
                at.name()
            ),
        );
    }
}

fn artifact_mime_type(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(s) = props::string(ctx, at, v) else {
        return;
    };
    if !formats::media_type_shape(s) {
        format_error(ctx, at, v, "a media type of the form type/subtype");
    } else if !formats::registered_media_type(s) {
        ctx.error(
            at,
            code::MEDIA_TYPE,
            format!("`mime_type` {s:?} is not an IANA registered media type"),
        );
    }
}

fn file_mime_type(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if !formats::registered_media_type(s) {
            ctx.warn(
                at,
                code::MEDIA_TYPE,
                format!("`mime_type` {s:?} should be an IANA registered media type"),
            );
        }
    }
}

fn software_languages(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(s) = props::string(ctx, &here, item) else {
            continue;
        };
        match formats::software_language(s) {
            Some(true) => {}
            Some(false) => ctx.warn(
                &here,
                code::LANGUAGE,
                format!("{s:?} is an ISO 639-2 code; STIX 2.1 prefers RFC 5646 language tags"),
            ),
            None => ctx.error(
                &here,
                code::LANGUAGE,
                format!("{s:?} is not a language code (RFC 5646, e.g. en, fr-CA)"),
            ),
        }
    }
}

fn registry_key(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(s) = props::string(ctx, at, v) else {
        return;
    };
    // The schema's unanchored pattern `^HKLM|HKCC|HKCR|HKCU|HKU|hklm|hkcc|hkcr|hkcu|hku`.
    let abbreviated = s.starts_with("HKLM")
        || [
            "HKCC", "HKCR", "HKCU", "HKU", "hklm", "hkcc", "hkcr", "hkcu", "hku",
        ]
        .iter()
        .any(|a| s.contains(a));
    if abbreviated {
        ctx.error(
            at,
            code::FORMAT,
            format!("`key` {} uses an abbreviated hive; write it in full (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, ...)", show(v)),
        );
    }
}

fn registry_values(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(value) = props::object(ctx, &here, item) else {
            continue;
        };
        sub_object(ctx, &here, value, REGISTRY_VALUE, env);
        props::any_of(
            ctx,
            &here,
            value,
            &["name", "data", "data_type"],
            "a registry value",
        );
    }
}

const REGISTRY_VALUE: Table = &[
    ("name", Kind::Str),
    ("data", Kind::Str),
    ("data_type", Kind::Enum(WINDOWS_REGISTRY_DATATYPE)),
];

/// Checks the described members of an embedded object and warns about the others.
fn sub_object(ctx: &mut Ctx, at: &Ptr<'_>, members: &JsonMap, table: Table, env: &Env<'_>) {
    for (name, value) in members {
        let here = at.key(name);
        match props::lookup(table, name) {
            Some(kind) => props::check_kind(ctx, &here, value, kind, env),
            None => {
                if env.known_type && !name.starts_with("x_") {
                    ctx.warn(
                        &here,
                        code::CUSTOM_PROPERTY,
                        format!("custom property `{name}` should be defined with an extension or start with x_"),
                    );
                }
            }
        }
    }
}

fn additional_header_fields(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    let reserved = |k: &str| {
        k.starts_with("date")
            || [
                "received_lines",
                "content_type",
                "from_ref",
                "sender_ref",
                "to_refs",
                "cc_refs",
                "bcc_refs",
            ]
            .iter()
            .any(|r| k.contains(r))
            || k.ends_with("subject")
    };
    if map.keys().all(|k| reserved(k)) {
        ctx.error(
            at,
            code::PROPERTY_NAME,
            "`additional_header_fields` must not repeat headers that have their own properties (date, subject, ...)".to_string(),
        );
    }
    for (key, value) in map {
        let here = at.key(key);
        let ok = match value {
            Value::String(_) => true,
            Value::Array(items) => items.len() >= 2 && items.iter().all(Value::is_string),
            _ => false,
        };
        if !ok {
            ctx.error(
                &here,
                code::WRONG_TYPE,
                format!("header `{key}` must be a string, or a list of at least two strings"),
            );
        }
    }
}

fn body_multipart(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(part) = props::object(ctx, &here, item) else {
            continue;
        };
        sub_object(ctx, &here, part, MIME_PART, env);
        if part.contains_key("body") == part.contains_key("body_raw_ref") {
            ctx.error(
                &here,
                code::COMBINATION,
                "a MIME part must have exactly one of `body` and `body_raw_ref`".to_string(),
            );
        }
    }
}

const MIME_PART: Table = &[
    ("body", Kind::Str),
    (
        "body_raw_ref",
        Kind::Ref(Target::Only(&["artifact", "file"])),
    ),
    ("content_type", Kind::Str),
    ("content_disposition", Kind::Str),
];

fn ipfix(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (key, value) in map {
        if !(value.is_string() || props::as_integer(value).is_some()) {
            ctx.error(
                &at.key(key),
                code::WRONG_TYPE,
                format!("IPFIX element `{key}` must be a string or an integer"),
            );
        }
    }
}

fn x509_v3_extensions(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(map) = props::object(ctx, at, v) else {
        return;
    };
    sub_object(ctx, at, map, X509_V3, env);
    if !X509_V3.iter().any(|(n, _)| map.contains_key(*n)) {
        ctx.error(
            at,
            code::COMBINATION,
            "`x509_v3_extensions` must have at least one of its defined properties".to_string(),
        );
    }
}

const X509_V3: Table = &[
    ("basic_constraints", Kind::Str),
    ("name_constraints", Kind::Str),
    ("policy_constraints", Kind::Str),
    ("key_usage", Kind::Str),
    ("extended_key_usage", Kind::Str),
    ("subject_key_identifier", Kind::Str),
    ("authority_key_identifier", Kind::Str),
    ("subject_alternative_name", Kind::Str),
    ("issuer_alternative_name", Kind::Str),
    ("subject_directory_attributes", Kind::Str),
    ("crl_distribution_points", Kind::Str),
    ("inhibit_any_policy", Kind::Str),
    ("private_key_usage_period_not_before", Kind::Ts),
    ("private_key_usage_period_not_after", Kind::Ts),
    ("certificate_policies", Kind::Str),
    ("policy_mappings", Kind::Str),
];

/// True for the SCO types whose `extensions` are a dictionary with predefined entries.
pub(crate) fn has_extension_dictionary(ty: &str) -> bool {
    matches!(ty, "file" | "network-traffic" | "process" | "user-account")
}

/// A predefined extension of a cyber-observable type.
struct ExtensionSpec {
    table: Table,
    required: &'static [&'static str],
    any_of: &'static [&'static str],
}

fn extension_spec(ty: &str, name: &str) -> Option<ExtensionSpec> {
    let spec = |table, required, any_of| {
        Some(ExtensionSpec {
            table,
            required,
            any_of,
        })
    };
    match (ty, name) {
        ("file", "ntfs-ext") => spec(NTFS_EXT, &[], &["sid", "alternate_data_streams"]),
        ("file", "raster-image-ext") => spec(
            RASTER_IMAGE_EXT,
            &[],
            &[
                "image_height",
                "image_width",
                "bits_per_pixel",
                "image_compression_algorithm",
                "exif_tags",
            ],
        ),
        ("file", "pdf-ext") => spec(
            PDF_EXT,
            &[],
            &[
                "version",
                "is_optimized",
                "document_info_dict",
                "pdfid0",
                "pdfid1",
            ],
        ),
        ("file", "archive-ext") => spec(ARCHIVE_EXT, &["contains_refs"], &[]),
        ("file", "windows-pebinary-ext") => spec(
            WINDOWS_PEBINARY_EXT,
            &["pe_type"],
            &[
                "imphash",
                "machine_hex",
                "number_of_sections",
                "time_date_stamp",
                "pointer_to_symbol_table_hex",
                "number_of_symbols",
                "size_of_optional_header",
                "characteristics_hex",
                "file_header_hashes",
                "optional_header",
                "sections",
            ],
        ),
        ("network-traffic", "http-request-ext") => {
            spec(HTTP_REQUEST_EXT, &["request_method", "request_value"], &[])
        }
        ("network-traffic", "icmp-ext") => spec(ICMP_EXT, &["icmp_type_hex", "icmp_code_hex"], &[]),
        ("network-traffic", "socket-ext") => spec(SOCKET_EXT, &["address_family"], &[]),
        ("network-traffic", "tcp-ext") => spec(TCP_EXT, &[], &["src_flags_hex", "dst_flags_hex"]),
        ("process", "windows-process-ext") => spec(
            WINDOWS_PROCESS_EXT,
            &[],
            &[
                "aslr_enabled",
                "dep_enabled",
                "priority",
                "owner_sid",
                "window_title",
                "startup_info",
            ],
        ),
        ("process", "windows-service-ext") => spec(
            WINDOWS_SERVICE_EXT,
            &[],
            &[
                "service_name",
                "descriptions",
                "display_name",
                "group_name",
                "start_type",
                "service_dll_refs",
                "service_type",
                "service_status",
            ],
        ),
        ("user-account", "unix-account-ext") => spec(
            UNIX_ACCOUNT_EXT,
            &[],
            &["gid", "groups", "home_dir", "shell"],
        ),
        _ => None,
    }
}

/// Checks a predefined extension of the object's type; false when `name` is not one.
pub(crate) fn predefined_extension(
    ctx: &mut Ctx,
    at: &Ptr<'_>,
    name: &str,
    ext: &Value,
    env: &Env<'_>,
) -> bool {
    let Some(spec) = extension_spec(env.ty, name) else {
        return false;
    };
    let Some(members) = props::non_empty_object(ctx, at, ext) else {
        return true;
    };
    props::check_properties(ctx, at, members, &[spec.table], true, env);
    props::required(ctx, at, members, spec.required);
    if !spec.any_of.is_empty() && !spec.any_of.iter().any(|n| members.contains_key(*n)) {
        ctx.error(
            at,
            code::COMBINATION,
            format!(
                "the {name} extension must have at least one of: {}",
                spec.any_of.join(", ")
            ),
        );
    }
    true
}

const NTFS_EXT: Table = &[
    ("sid", Kind::Str),
    (
        "alternate_data_streams",
        Kind::Check(alternate_data_streams),
    ),
];

fn alternate_data_streams(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(stream) = props::object(ctx, &here, item) else {
            continue;
        };
        sub_object(
            ctx,
            &here,
            stream,
            &[
                ("name", Kind::Str),
                ("hashes", Kind::HashesVocab),
                ("size", NON_NEGATIVE),
            ],
            env,
        );
        props::required(ctx, &here, stream, &["name"]);
    }
}

const RASTER_IMAGE_EXT: Table = &[
    ("image_height", ANY_INT),
    ("image_width", ANY_INT),
    ("bits_per_pixel", ANY_INT),
    ("exif_tags", Kind::Check(exif_tags)),
];

fn exif_tags(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (key, value) in map {
        let here = at.key(key);
        let b = key.as_bytes();
        let key_ok = b.len() >= 2
            && b[0].is_ascii_uppercase()
            && b[1..]
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-');
        if !key_ok {
            ctx.error(
                &here,
                code::PROPERTY_NAME,
                format!("EXIF tag name {key:?} must start with an uppercase letter"),
            );
        }
        if !(value.is_string() || props::as_integer(value).is_some()) {
            ctx.error(
                &here,
                code::WRONG_TYPE,
                format!("EXIF tag `{key}` must be a string or an integer"),
            );
        }
    }
}

const PDF_EXT: Table = &[
    ("version", Kind::Str),
    ("is_optimized", Kind::Bool),
    ("document_info_dict", Kind::Check(document_info_dict)),
    ("pdfid0", Kind::Str),
    ("pdfid1", Kind::Str),
];

fn document_info_dict(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (key, value) in map {
        let here = at.key(key);
        props::string(ctx, &here, value);
        if registries::PDF_DOCUMENT_INFO_KEYS
            .binary_search(&key.as_str())
            .is_err()
        {
            ctx.warn(
                &here,
                code::VOCABULARY,
                format!("{key:?} is not a PDF document information dictionary key"),
            );
        }
    }
}

const ARCHIVE_EXT: Table = &[
    (
        "contains_refs",
        Kind::RefList(Target::Only(&["file", "directory"])),
    ),
    ("comment", Kind::Str),
];

const WINDOWS_PEBINARY_EXT: Table = &[
    ("pe_type", Kind::Open(WINDOWS_PEBINARY_TYPE)),
    ("imphash", Kind::Str),
    ("machine_hex", Kind::Hex),
    ("number_of_sections", NON_NEGATIVE),
    ("time_date_stamp", Kind::Check(whole_second_timestamp)),
    ("pointer_to_symbol_table_hex", Kind::Hex),
    ("number_of_symbols", NON_NEGATIVE),
    ("size_of_optional_header", NON_NEGATIVE),
    ("characteristics_hex", Kind::Hex),
    ("file_header_hashes", Kind::HashesVocab),
    ("optional_header", Kind::Check(optional_header)),
    ("sections", Kind::Check(pe_sections)),
];

fn whole_second_timestamp(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(ts) = props::timestamp(ctx, at, v) {
        if ts.precision() != 0 {
            ctx.error(
                at,
                code::TIMESTAMP_PRECISION,
                format!(
                    "`{}` must be precise to the second (no fraction)",
                    at.name()
                ),
            );
        }
    }
}

fn optional_header(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(map) = props::non_empty_object(ctx, at, v) else {
        return;
    };
    for (name, value) in map {
        let here = at.key(name);
        match props::lookup(OPTIONAL_HEADER, name) {
            Some(kind) => props::check_kind(ctx, &here, value, kind, env),
            None => ctx.error(
                &here,
                code::PROPERTY_NAME,
                format!("`{name}` is not a property of a Windows PE optional header"),
            ),
        }
    }
}

const OPTIONAL_HEADER: Table = &[
    ("magic_hex", Kind::Hex),
    ("major_linker_version", ANY_INT),
    ("minor_linker_version", ANY_INT),
    ("size_of_code", NON_NEGATIVE),
    ("size_of_initialized_data", NON_NEGATIVE),
    ("size_of_uninitialized_data", NON_NEGATIVE),
    ("address_of_entry_point", ANY_INT),
    ("base_of_code", ANY_INT),
    ("base_of_data", ANY_INT),
    ("image_base", ANY_INT),
    ("section_alignment", ANY_INT),
    ("file_alignment", ANY_INT),
    ("major_os_version", ANY_INT),
    ("minor_os_version", ANY_INT),
    ("major_image_version", ANY_INT),
    ("minor_image_version", ANY_INT),
    ("major_subsystem_version", ANY_INT),
    ("minor_subsystem_version", ANY_INT),
    ("win32_version_value_hex", Kind::Hex),
    ("size_of_image", NON_NEGATIVE),
    ("size_of_headers", NON_NEGATIVE),
    ("checksum_hex", Kind::Hex),
    ("subsystem_hex", Kind::Hex),
    ("dll_characteristics_hex", Kind::Hex),
    ("size_of_stack_reserve", NON_NEGATIVE),
    ("size_of_stack_commit", NON_NEGATIVE),
    ("size_of_heap_reserve", NON_NEGATIVE),
    ("size_of_heap_commit", NON_NEGATIVE),
    ("loader_flags_hex", Kind::Hex),
    ("number_of_rva_and_sizes", ANY_INT),
    ("hashes", Kind::HashesVocab),
];

fn pe_sections(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, env: &Env<'_>) {
    let Some(items) = props::list(ctx, at, v) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(section) = props::object(ctx, &here, item) else {
            continue;
        };
        sub_object(
            ctx,
            &here,
            section,
            &[
                ("name", Kind::Str),
                ("size", NON_NEGATIVE),
                ("entropy", ANY_NUM),
                ("hashes", Kind::HashesVocab),
            ],
            env,
        );
        props::required(ctx, &here, section, &["name"]);
    }
}

const HTTP_REQUEST_EXT: Table = &[
    ("request_method", Kind::Str),
    ("request_value", Kind::Str),
    ("request_version", Kind::Str),
    ("request_header", Kind::Check(request_header)),
    ("message_body_length", ANY_INT),
    (
        "message_body_data_ref",
        Kind::Ref(Target::Only(&["artifact"])),
    ),
];

fn request_header(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (key, value) in map {
        let here = at.key(key);
        if key.is_empty() {
            ctx.error(
                &here,
                code::PROPERTY_NAME,
                "a request header name must not be empty".to_string(),
            );
        }
        match value {
            Value::Array(items) if items.iter().all(Value::is_string) => {}
            Value::String(_) => {}
            _ => ctx.error(
                &here,
                code::WRONG_TYPE,
                format!("request header `{key}` must be a string or a list of strings"),
            ),
        }
        if registries::HTTP_REQUEST_HEADERS
            .binary_search(&key.as_str())
            .is_err()
        {
            ctx.warn(
                &here,
                code::VOCABULARY,
                format!("{key:?} is not a known HTTP request header"),
            );
        }
    }
}

const ICMP_EXT: Table = &[("icmp_type_hex", Kind::Hex), ("icmp_code_hex", Kind::Hex)];

const SOCKET_EXT: Table = &[
    ("address_family", Kind::Enum(NETWORK_SOCKET_ADDRESS_FAMILY)),
    ("is_blocking", Kind::Bool),
    ("is_listening", Kind::Bool),
    ("options", Kind::Check(socket_options)),
    ("socket_type", Kind::Enum(NETWORK_SOCKET_TYPE)),
    ("socket_descriptor", NON_NEGATIVE),
    ("socket_handle", ANY_INT),
];

fn socket_options(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    let Some(map) = common::dictionary(ctx, at, v) else {
        return;
    };
    for (key, value) in map {
        let here = at.key(key);
        let shape = ["SO", "ICMP", "ICMP6", "IP", "IPV6", "MCAST", "TCP", "IRLMP"]
            .iter()
            .any(|p| {
                key.strip_prefix(p).is_some_and(|rest| {
                    rest.split('_')
                        .skip(1)
                        .all(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_uppercase()))
                        && rest.starts_with('_')
                })
            });
        if !shape {
            ctx.error(
                &here,
                code::PROPERTY_NAME,
                format!("socket option {key:?} must look like SO_*, IP_*, TCP_*, ..."),
            );
        } else if registries::SOCKET_OPTIONS
            .binary_search(&key.as_str())
            .is_err()
        {
            ctx.warn(
                &here,
                code::VOCABULARY,
                format!("{key:?} is not a known socket option"),
            );
        }
        if props::as_integer(value).is_none() {
            ctx.error(
                &here,
                code::WRONG_TYPE,
                format!("socket option `{key}` must be an integer"),
            );
        }
    }
}

const TCP_EXT: Table = &[("src_flags_hex", Kind::Hex), ("dst_flags_hex", Kind::Hex)];

const WINDOWS_PROCESS_EXT: Table = &[
    ("aslr_enabled", Kind::Bool),
    ("dep_enabled", Kind::Bool),
    ("priority", Kind::Check(process_priority)),
    ("owner_sid", Kind::Str),
    ("window_title", Kind::Str),
    ("startup_info", Kind::Dict),
    ("integrity_level", Kind::Enum(WINDOWS_INTEGRITY_LEVEL)),
];

fn process_priority(ctx: &mut Ctx, at: &Ptr<'_>, v: &Value, _env: &Env<'_>) {
    if let Some(s) = props::string(ctx, at, v) {
        if s.len() <= "_CLASS".len() || !s.ends_with("_CLASS") {
            ctx.warn(
                at,
                code::VOCABULARY,
                format!("`priority` {s:?} should end in _CLASS (e.g. NORMAL_PRIORITY_CLASS)"),
            );
        }
    }
}

const WINDOWS_SERVICE_EXT: Table = &[
    ("service_name", Kind::Str),
    ("descriptions", Kind::StrList),
    ("display_name", Kind::Str),
    ("group_name", Kind::Str),
    ("start_type", Kind::Enum(WINDOWS_SERVICE_START_TYPE)),
    ("service_dll_refs", Kind::RefList(Target::Only(&["file"]))),
    ("service_type", Kind::Enum(WINDOWS_SERVICE_TYPE)),
    ("service_status", Kind::Enum(WINDOWS_SERVICE_STATUS)),
];

const UNIX_ACCOUNT_EXT: Table = &[
    ("gid", ANY_NUM),
    ("groups", Kind::StrList),
    ("home_dir", Kind::Str),
    ("shell", Kind::Str),
];
