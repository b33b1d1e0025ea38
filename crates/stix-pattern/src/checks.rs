//! Rules beyond the grammar, as the OASIS tools apply them to STIX 2.1 indicators.
//!
//! The reference is the OASIS pattern validator (PyPI `stix2-patterns` 2.1.2, `v21/validator.py` and
//! `v21/object_validator.py`) plus the object type rule that the OASIS indicator validator (`stix2-validator`,
//! `v21/musts.py`) applies to pattern types. The quirks of the pattern validator are kept on purpose, so that what
//! this crate accepts the reference tools accept too; each is noted where it is mirrored.

use crate::ast::{ObjectPath, PathStep};
use crate::error::PatternError;

/// The pattern must open with `[`, possibly after `(` and whitespace: the validator checks the raw text, so a
/// comment before the first `[`, which the grammar itself allows, is refused.
pub(crate) fn leading_bracket(src: &str) -> Result<(), PatternError> {
    match src.char_indices().find(|&(_, c)| c != '(' && !c.is_whitespace()) {
        Some((_, '[')) => Ok(()),
        Some((at, c)) => Err(PatternError::new(
            at,
            format!(
                "expected '[' (after any '(') at the start of the pattern, found '{}': comments may not come first",
                c.escape_debug()
            ),
        )),
        None => Err(PatternError::new(src.len(), "expected '[' at the start of the pattern, found nothing")),
    }
}

/// Object types follow the STIX 2.1 type name rule, as `stix2-validator` checks it: 3 to 250 characters,
/// lowercase ASCII letters and digits in runs joined by single hyphens (its regex also allows a trailing hyphen).
/// The grammar alone accepts any identifier, so `File` or `my_type` pass `stix2-patterns` but not `stix2-validator`.
pub(crate) fn object_type(name: &str, at: usize) -> Result<(), PatternError> {
    let b = name.as_bytes();
    let chars_ok = b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    let hyphens_ok = !b.windows(2).any(|w| w == b"--");
    if chars_ok && hyphens_ok && (3..=250).contains(&b.len()) {
        return Ok(());
    }
    Err(PatternError::new(
        at,
        format!(
            "expected an object type of 3 to 250 lowercase letters, digits and single hyphens, found '{name}'"
        ),
    ))
}

/// The hash algorithms whose values the pattern validator checks, by key with case, `-` and `'` removed.
enum HashForm {
    /// Exactly this many hex digits.
    Hex(usize),
    /// 1 to 128 characters of `[a-zA-Z0-9/+:.]`.
    Ssdeep,
    /// The validator's MD6 regex lacks a group, so in effect it asks only for 32 hex digits at the start.
    Md6,
}

fn hash_form(algorithm: &str) -> Option<HashForm> {
    Some(match algorithm {
        "MD5" => HashForm::Hex(32),
        "MD6" => HashForm::Md6,
        "RIPEMD160" | "SHA1" => HashForm::Hex(40),
        "SHA224" | "SHA3224" => HashForm::Hex(56),
        "SHA256" | "SHA3256" => HashForm::Hex(64),
        "SHA384" | "SHA3384" => HashForm::Hex(96),
        "SHA512" | "SHA3512" | "WHIRLPOOL" => HashForm::Hex(128),
        "SSDEEP" => HashForm::Ssdeep,
        _ => return None,
    })
}

/// A comparison on `….hashes.<algorithm>` must compare with a well-formed hash of that algorithm.
///
/// Mirrors `object_validator.verify_object`: it applies to every operator but EXISTS, to any path with a `hashes`
/// step, and tests the operand's source text with every `'` removed (so `h'…'`, numbers and escapes count as their
/// characters, and an `IN` set, whose text starts with `(`, never passes). `raw` is that text, `None` for a set.
pub(crate) fn hash_value(
    path: &ObjectPath,
    raw: Option<&str>,
    at: usize,
) -> Result<(), PatternError> {
    if !path
        .steps
        .iter()
        .any(|s| matches!(s, PathStep::Key(k) if k == "hashes"))
    {
        return Ok(());
    }
    let key = match path.steps.last() {
        Some(PathStep::Key(k)) => k,
        Some(PathStep::Index(_)) => {
            // The validator crashes on this (it upper-cases the index), so no indicator with it passes.
            return Err(PatternError::new(
                at,
                "expected a hash algorithm key after 'hashes', found a list index (hashes is a dictionary)",
            ));
        }
        _ => return Ok(()),
    };
    let Some(form) = algorithm(key) else {
        return Ok(());
    };
    let Some(raw) = raw else {
        return Err(PatternError::new(
            at,
            format!(
                "expected one hashes.{key} value, found a set after IN: the OASIS validator rejects sets of \
                 hashes (join '=' comparisons with OR instead)"
            ),
        ));
    };
    if hash_matches(&form, raw.as_bytes()) {
        return Ok(());
    }
    let what = match form {
        HashForm::Hex(n) => format!("{n} hex digits"),
        HashForm::Ssdeep => "1 to 128 characters of A-Z a-z 0-9 / + : .".to_owned(),
        HashForm::Md6 => "at least 32 hex digits".to_owned(),
    };
    let value: String = raw.chars().filter(|&c| c != '\'').collect();
    Err(PatternError::new(
        at,
        format!(
            "expected {what} for a hashes.{key} value, found '{}'",
            truncate(&value)
        ),
    ))
}

/// The algorithm a hashes key names, compared as the validator does: upper-cased, without `-` and `'`.
fn algorithm(key: &str) -> Option<HashForm> {
    if !key.is_ascii() {
        // Python's upper() maps e.g. 'ſ' to 'S', and Rust's does the same; rare enough to allocate.
        let upper: String = key
            .to_uppercase()
            .chars()
            .filter(|&c| c != '-' && c != '\'')
            .collect();
        return hash_form(&upper);
    }
    // The longest known name has 9 characters, so a small buffer avoids allocating per comparison.
    let mut buf = [0u8; 10];
    let mut len = 0;
    for c in key.bytes().filter(|&c| c != b'-' && c != b'\'') {
        if len == buf.len() {
            return None;
        }
        buf[len] = c.to_ascii_uppercase();
        len += 1;
    }
    hash_form(std::str::from_utf8(&buf[..len]).ok()?)
}

/// Whether the operand's source text, without its `'` characters, is a well-formed hash.
fn hash_matches(form: &HashForm, raw: &[u8]) -> bool {
    let value = || raw.iter().copied().filter(|&c| c != b'\'');
    let total = value().count();
    // Python's `$` also matches before one final newline.
    let len = total - usize::from(value().next_back() == Some(b'\n'));
    let hex_prefix = |n: usize, skip: usize| {
        value()
            .skip(skip)
            .take(n)
            .filter(u8::is_ascii_hexdigit)
            .count()
            == n
    };
    match *form {
        HashForm::Hex(n) => len == n && value().take(n).all(|c| c.is_ascii_hexdigit()),
        HashForm::Ssdeep => {
            (1..=128).contains(&len)
                && value()
                    .take(len)
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b':' | b'.'))
        }
        HashForm::Md6 => {
            let indented = value().take(5).eq(b"\n    ".iter().copied());
            hex_prefix(32, 0) || (indented && hex_prefix(64, 5))
        }
    }
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expectations checked against the validator's regexes with Python's `re.match`; the line-based peer tool cannot
    // be given values with newlines.
    #[test]
    fn hash_forms_follow_the_python_regexes() {
        let md5 = HashForm::Hex(32);
        assert!(hash_matches(&md5, b"'d41d8cd98f00b204e9800998ecf8427e'"));
        assert!(hash_matches(&md5, b"'d41d8cd98f00b204e9800998ecf8427e\n'"));
        assert!(!hash_matches(
            &md5,
            b"'d41d8cd98f00b204e9800998ecf8427e\n\n'"
        ));
        assert!(!hash_matches(&md5, b"h'd41d8cd98f00b204e9800998ecf8427e'"));
        let md6 = HashForm::Md6;
        assert!(hash_matches(
            &md6,
            format!("'{}zz'", "a".repeat(32)).as_bytes()
        ));
        assert!(hash_matches(
            &md6,
            format!("'\n    {}'", "a".repeat(64)).as_bytes()
        ));
        assert!(!hash_matches(
            &md6,
            format!("'\n    {}'", "a".repeat(63)).as_bytes()
        ));
        let ssdeep = HashForm::Ssdeep;
        assert!(hash_matches(
            &ssdeep,
            format!("'{}\n'", "a".repeat(128)).as_bytes()
        ));
        assert!(!hash_matches(
            &ssdeep,
            format!("'{}'", "a".repeat(129)).as_bytes()
        ));
        assert!(hash_matches(&ssdeep, b"true"));
    }

    #[test]
    fn algorithm_names_compare_as_python_does() {
        assert!(matches!(algorithm("sha-256"), Some(HashForm::Hex(64))));
        assert!(matches!(algorithm("SHA3-512"), Some(HashForm::Hex(128))));
        assert!(matches!(algorithm("\u{17f}ha1"), Some(HashForm::Hex(40))));
        assert!(algorithm("TLSH").is_none());
        assert!(algorithm("a-very-long-name-indeed").is_none());
    }

    #[test]
    fn type_names_follow_the_stix_rule() {
        for ok in ["file", "x-foo-bar", "ipv4-addr", "abc-", "a1b"] {
            assert!(object_type(ok, 0).is_ok(), "{ok}");
        }
        for bad in ["ab", "File", "my_type", "a--b", &"a".repeat(251)] {
            assert!(object_type(bad, 0).is_err(), "{bad}");
        }
    }
}
