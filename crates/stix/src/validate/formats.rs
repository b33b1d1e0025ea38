//! Value formats: identifiers, type names, URIs, host names, addresses, encodings.
//!
//! Each function is a direct reading of the pattern the OASIS STIX 2.1 JSON schemas (or the format
//! checkers the OASIS validator plugs into them) apply, written as byte loops: no regex engine and no
//! allocation. Where a schema pattern has an evident bug, the function says so and follows the
//! specification instead.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::registries;

const HEX_LOWER: u8 = 1; // 0-9 a-f
const HEX_UPPER: u8 = 2; // A-F
const TYPE_CHAR: u8 = 4; // a-z 0-9 -
const UNRESERVED: u8 = 8; // RFC 3986 unreserved: ALPHA DIGIT - . _ ~
const SUB_DELIM: u8 = 16; // ! $ & ' ( ) * + , ; =
const COLON_AT: u8 = 32; // : @
const SLASH: u8 = 64; // /
const QUESTION: u8 = 128; // ?

/// Character classes of ASCII bytes, so that each byte costs one table lookup.
static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut k = 0;
        if b.is_ascii_digit() || (b >= b'a' && b <= b'f') {
            k |= HEX_LOWER;
        }
        if b >= b'A' && b <= b'F' {
            k |= HEX_UPPER;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            k |= TYPE_CHAR;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            k |= UNRESERVED;
        }
        if matches!(
            b,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        ) {
            k |= SUB_DELIM;
        }
        if matches!(b, b':' | b'@') {
            k |= COLON_AT;
        }
        if b == b'/' {
            k |= SLASH;
        }
        if b == b'?' {
            k |= QUESTION;
        }
        t[c] = k;
        c += 1;
    }
    t
}

const PCHAR: u8 = UNRESERVED | SUB_DELIM | COLON_AT;

/// A STIX identifier split into its parts: `<type>--<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identifier<'a> {
    /// The object type part, before the `--`.
    pub ty: &'a str,
    /// The UUID part.
    pub uuid: &'a str,
    uppercase: bool,
}

impl Identifier<'_> {
    /// The UUID version digit (1-5).
    pub fn uuid_version(&self) -> u8 {
        self.uuid.as_bytes()[14] - b'0'
    }

    /// True when the UUID has uppercase hex digits (allowed on input, but RFC 4122 writes lowercase).
    pub fn has_uppercase(&self) -> bool {
        self.uppercase
    }
}

/// Why a string is not a STIX identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdentifierError {
    /// No `--` followed by 36 characters at the end.
    Shape,
    /// The type part is not lowercase letters, digits and hyphens starting with a letter.
    TypePart,
    /// The UUID part is not 8-4-4-4-12 hex digits.
    Uuid,
    /// The UUID is not an RFC 4122 UUID (version 1 to 5, variant bits `10`).
    UuidVersion,
}

impl IdentifierError {
    /// What is wrong, in words.
    pub fn describe(self) -> &'static str {
        match self {
            IdentifierError::Shape => "is not of the form <type>--<UUID>",
            IdentifierError::TypePart => {
                "has a type part that is not lowercase letters, digits and hyphens"
            }
            IdentifierError::Uuid => "has a UUID part that is not 8-4-4-4-12 hexadecimal digits",
            IdentifierError::UuidVersion => {
                "has a UUID that is not RFC 4122 (version 1 to 5, variant 8, 9, a or b)"
            }
        }
    }
}

/// Splits and checks an identifier (`^[a-z][a-z0-9-]+[a-z0-9]--<RFC 4122 UUID>$`).
pub(crate) fn identifier(s: &str) -> Result<Identifier<'_>, IdentifierError> {
    let b = s.as_bytes();
    if b.len() < 36 + 2 + 3
        || !s.is_char_boundary(b.len() - 36)
        || &b[b.len() - 38..b.len() - 36] != b"--"
    {
        return Err(IdentifierError::Shape);
    }
    let ty = &s[..b.len() - 38];
    let uuid = &s[b.len() - 36..];
    let tb = ty.as_bytes();
    let type_ok = tb[0].is_ascii_lowercase()
        && tb.iter().all(|c| CLASS[usize::from(*c)] & TYPE_CHAR != 0)
        && tb[tb.len() - 1] != b'-';
    if !type_ok {
        return Err(IdentifierError::TypePart);
    }
    let ub = uuid.as_bytes();
    let (mut bad, mut upper) = (false, 0u8);
    for (i, &c) in ub.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            bad |= c != b'-';
        } else {
            let class = CLASS[usize::from(c)];
            bad |= class & (HEX_LOWER | HEX_UPPER) == 0;
            upper |= class & HEX_UPPER;
        }
    }
    if bad {
        return Err(IdentifierError::Uuid);
    }
    if !(b'1'..=b'5').contains(&ub[14])
        || !matches!(ub[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
    {
        return Err(IdentifierError::UuidVersion);
    }
    Ok(Identifier {
        ty,
        uuid,
        uppercase: upper != 0,
    })
}

/// True for a valid object type name: 3-250 characters, lowercase letters, digits and single
/// hyphens, starting with a letter (the OASIS schema tolerates one trailing hyphen), not `action`.
pub(crate) fn type_name(s: &str) -> bool {
    let b = s.as_bytes();
    if !(3..=250).contains(&b.len()) || !b[0].is_ascii_lowercase() || s == "action" {
        return false;
    }
    let mut prev_hyphen = false;
    for &c in b {
        if c == b'-' {
            if prev_hyphen {
                return false;
            }
            prev_hyphen = true;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            prev_hyphen = false;
        } else {
            return false;
        }
    }
    true
}

/// True for a name the OASIS `properties` schema accepts at the top of an object: it begins with
/// a lowercase letter followed by two lowercase letters, digits or underscores, or it ends in `id`.
pub(crate) fn property_name(s: &str) -> bool {
    let b = s.as_bytes();
    let prefix_ok = b.len() >= 3
        && b[0].is_ascii_lowercase()
        && b[1..3]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
    prefix_ok || s.ends_with("id")
}

/// True for a name of the form the specification gives custom property names and language-content
/// keys (`^[a-z0-9_]{3,250}$`).
pub(crate) fn strict_property_name(s: &str) -> bool {
    (3..=250).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// True for a dictionary key (`^[a-zA-Z0-9_-]{0,250}$`).
pub(crate) fn dictionary_key(s: &str) -> bool {
    s.len() <= 250
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// True for a predefined or custom extension name (`^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext$`).
pub(crate) fn extension_name(s: &str) -> bool {
    match s.strip_suffix("-ext") {
        Some(stem) => {
            let b = stem.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase()
                && b[b.len() - 1] != b'-'
                && !stem.contains("--")
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        }
        None => false,
    }
}

/// True for standard base64 with padding (`binary` in the schemas).
pub(crate) fn base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let alphabet = |c: &u8| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/';
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    pad <= 2 && b[..b.len() - pad].iter().all(alphabet)
}

/// True for a non-empty even-length string of hex digits (`hex` in the schemas).
pub(crate) fn hex(s: &str) -> bool {
    !s.is_empty() && s.len().is_multiple_of(2) && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// True for an RFC 3986 URI (scheme required), as the OASIS validator's `uri` format checker reads
/// it: ASCII only, percent-escapes well formed, an authority after `//` of the form
/// `[userinfo@]host[:port]`.
pub(crate) fn uri(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(colon) = b.iter().position(|c| *c == b':') else {
        return false;
    };
    let scheme = &b[..colon];
    if scheme.is_empty()
        || !scheme[0].is_ascii_alphabetic()
        || !scheme
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
    {
        return false;
    }
    let rest = &b[colon + 1..];
    let (before_fragment, fragment) = split_at_byte(rest, b'#');
    if let Some(f) = fragment {
        if !chars_ok(f, PCHAR | SLASH | QUESTION) {
            return false;
        }
    }
    let (hier, query) = split_at_byte(before_fragment, b'?');
    if let Some(q) = query {
        if !chars_ok(q, PCHAR | SLASH | QUESTION) {
            return false;
        }
    }
    if let Some(after) = hier.strip_prefix(b"//") {
        let end = after.iter().position(|c| *c == b'/').unwrap_or(after.len());
        authority(&after[..end]) && chars_ok(&after[end..], PCHAR | SLASH)
    } else {
        chars_ok(hier, PCHAR | SLASH)
    }
}

fn split_at_byte(b: &[u8], at: u8) -> (&[u8], Option<&[u8]>) {
    match b.iter().position(|c| *c == at) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    }
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// True when every byte is in one of the `classes`, `%` being accepted only as the start of `%XX`.
fn chars_ok(b: &[u8], classes: u8) -> bool {
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else if CLASS[usize::from(b[i])] & classes != 0 {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn authority(a: &[u8]) -> bool {
    let (userinfo, hostport) = match a.iter().position(|c| *c == b'@') {
        Some(i) => (Some(&a[..i]), &a[i + 1..]),
        None => (None, a),
    };
    if let Some(u) = userinfo {
        if !chars_ok(u, UNRESERVED | SUB_DELIM | COLON_AT) {
            return false;
        }
    }
    let (host_ok, port) = if hostport.first() == Some(&b'[') {
        match hostport.iter().position(|c| *c == b']') {
            Some(close) => (ip_literal(&hostport[1..close]), &hostport[close + 1..]),
            None => return false,
        }
    } else {
        let end = hostport
            .iter()
            .position(|c| *c == b':')
            .unwrap_or(hostport.len());
        (
            chars_ok(&hostport[..end], UNRESERVED | SUB_DELIM),
            &hostport[end..],
        )
    };
    host_ok && (port.is_empty() || (port[0] == b':' && port[1..].iter().all(u8::is_ascii_digit)))
}

fn ip_literal(b: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    if let Some(future) = s.strip_prefix(['v', 'V']) {
        return match future.split_once('.') {
            Some((version, rest)) => {
                !version.is_empty()
                    && version.bytes().all(|c| c.is_ascii_hexdigit())
                    && !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|c| is_unreserved(c) || is_sub_delim(c) || c == b':')
            }
            None => false,
        };
    }
    s.parse::<Ipv6Addr>().is_ok()
}

/// True for an internationalized host name as the OASIS validator's `idn-hostname` check (the
/// `idna` package, IDNA 2008) reads it: dot-separated labels of at most 63 bytes, letters, digits
/// and hyphens (lowercase for ASCII; non-ASCII letters and digits allowed), no hyphen at either end
/// of a label or in the third and fourth positions (except `xn--` A-labels), at most 253 bytes.
pub(crate) fn idn_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
        .all(idn_label)
}

fn idn_label(label: &str) -> bool {
    if label.is_empty() {
        return false;
    }
    let lower = |c: char| c.to_ascii_lowercase();
    if label.is_ascii() {
        if label.len() > 63 {
            return false;
        }
        let b = label.as_bytes();
        if b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"xn--") {
            let rest = &b[4..];
            return !rest.is_empty()
                && rest[rest.len() - 1] != b'-'
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
        }
        let ok_chars = label
            .chars()
            .map(lower)
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        return ok_chars && hyphens_ok(label);
    }
    // A U-label: its punycode form must fit in 63 bytes; approximated by its UTF-8 length.
    label.len() <= 63 * 2
        && hyphens_ok(label)
        && !label.chars().next().is_some_and(is_combining_mark)
        && label.chars().all(|c| {
            c == '-'
                || c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || (!c.is_ascii()
                    && (c.is_alphanumeric() && !c.is_uppercase() || is_combining_mark(c)))
        })
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036f | 0x0483..=0x0489 | 0x0591..=0x05bd | 0x0610..=0x061a | 0x064b..=0x065f | 0x0900..=0x0903 | 0x093a..=0x094f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f)
}

fn hyphens_ok(label: &str) -> bool {
    let b = label.as_bytes();
    b[0] != b'-' && b[b.len() - 1] != b'-' && !(b.len() >= 4 && &b[2..4] == b"--")
}

/// True for the e-mail address form the OASIS validator checks
/// (`^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`).
pub(crate) fn email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'+' | b'-'));
    let Some((first, rest)) = domain.split_once('.') else {
        return false;
    };
    local_ok
        && !first.is_empty()
        && first
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
}

/// True for an IPv4 address with an optional CIDR suffix (`/0` to `/32`), no leading zeros.
pub(crate) fn ipv4_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    addr.parse::<Ipv4Addr>().is_ok()
        && addr.split('.').all(|o| o == "0" || !o.starts_with('0'))
        && prefix.is_none_or(|p| prefix_len(p, 32))
}

/// True for an IPv6 address with an optional zone (`%eth0`) and CIDR suffix (`/0` to `/128`).
///
/// The OASIS schema's pattern for this is broken (it writes `d` for `\d`, so it rejects the
/// embedded-IPv4 forms such as `::ffff:192.0.2.1`); the standard syntax is followed instead.
pub(crate) fn ipv6_cidr(s: &str) -> bool {
    let (rest, prefix) = match s.rsplit_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = match rest.split_once('%') {
        Some((a, zone)) if !zone.is_empty() => a,
        Some(_) => return false,
        None => rest,
    };
    addr.parse::<Ipv6Addr>().is_ok() && prefix.is_none_or(|p| prefix_len(p, 128))
}

fn prefix_len(p: &str, max: u32) -> bool {
    !p.is_empty()
        && p.len() <= 3
        && p.bytes().all(|c| c.is_ascii_digit())
        && (p == "0" || !p.starts_with('0'))
        && p.parse::<u32>().is_ok_and(|n| n <= max)
}

/// True for a MAC address in the STIX form: six lowercase hex pairs separated by colons.
pub(crate) fn mac(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| {
            if i % 3 == 2 {
                *c == b':'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(c)
            }
        })
}

/// True when the string contains a CPE 2.3 formatted string (the schema's pattern is unanchored).
pub(crate) fn cpe23(s: &str) -> bool {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&b[from..], b"cpe:2.3:") {
        if cpe_at(&b[from + i + 8..]) {
            return true;
        }
        from += i + 1;
    }
    false
}

fn cpe_at(b: &[u8]) -> bool {
    let Some(&part) = b.first() else { return false };
    if !matches!(part, b'a' | b'h' | b'o' | b'*' | b'-') {
        return false;
    }
    let mut i = 1;
    for n in 0..10 {
        if b.get(i) != Some(&b':') {
            return false;
        }
        i += 1;
        let len = if n == 5 {
            cpe_language(&b[i..])
        } else {
            cpe_component(&b[i..])
        };
        match len {
            Some(len) => i += len,
            None => return false,
        }
        // The components before the last must be followed by another component.
        if n < 9 && b.get(i) != Some(&b':') {
            return false;
        }
    }
    true
}

fn cpe_component(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    if b.first() == Some(&b'?') {
        while b.get(i) == Some(&b'?') {
            i += 1;
        }
    } else if b.first() == Some(&b'*') {
        i = 1;
    }
    let body_start = i;
    loop {
        match b.get(i) {
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_') => i += 1,
            Some(b'\\')
                if b.get(i + 1)
                    .is_some_and(|c| br##"\*?!"#$%&'()+,/:;<=>@[]^`{|}~"##.contains(c)) =>
            {
                i += 2
            }
            _ => break,
        }
    }
    if i == body_start {
        return matches!(b.first(), Some(b'*' | b'-')).then_some(1);
    }
    if b.get(i) == Some(&b'?') {
        while b.get(i) == Some(&b'?') {
            i += 1;
        }
    } else if b.get(i) == Some(&b'*') {
        i += 1;
    }
    Some(i)
}

fn cpe_language(b: &[u8]) -> Option<usize> {
    if matches!(b.first(), Some(b'*' | b'-')) {
        return Some(1);
    }
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(2..=3).contains(&letters) {
        return None;
    }
    let rest = &b[letters..];
    if rest.first() == Some(&b'-') {
        let region = &rest[1..];
        if region.len() >= 2
            && region[..2].iter().all(u8::is_ascii_alphabetic)
            && region.get(2) == Some(&b':')
        {
            return Some(letters + 3);
        }
        if region.len() >= 3 && region[..3].iter().all(u8::is_ascii_digit) {
            return Some(letters + 4);
        }
    }
    Some(letters)
}

/// True for a language tag the OASIS validator accepts for `lang` (its list of RFC 5646 tags).
pub(crate) fn lang_code(s: &str) -> bool {
    registries::LANG_CODES.binary_search(&s).is_ok()
}

/// Whether a software `languages` value is an RFC 5646 tag, an ISO 639-2 code, or neither.
pub(crate) fn software_language(s: &str) -> Option<bool> {
    if registries::SOFTWARE_RFC5646.binary_search(&s).is_ok() {
        Some(true)
    } else if registries::SOFTWARE_ISO639_2.binary_search(&s).is_ok() {
        Some(false)
    } else {
        None
    }
}

/// True for a media type in the IANA registry.
pub(crate) fn registered_media_type(s: &str) -> bool {
    registries::MEDIA_TYPES.binary_search(&s).is_ok()
}

/// True for a media type of the general form `type/subtype` with a top-level type IANA defines.
pub(crate) fn media_type_shape(s: &str) -> bool {
    let Some((top, sub)) = s.split_once('/') else {
        return false;
    };
    matches!(
        top,
        "application"
            | "audio"
            | "font"
            | "image"
            | "message"
            | "model"
            | "multipart"
            | "text"
            | "video"
    ) && sub
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'_' | b'-'))
}

/// True for a character set name in the IANA registry.
pub(crate) fn registered_charset(s: &str) -> bool {
    registries::CHARSETS.binary_search(&s).is_ok()
}

/// True for an ISO 3166-1 alpha-2 country code (any case).
pub(crate) fn country_code(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 2 {
        return false;
    }
    let upper = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
    std::str::from_utf8(&upper).is_ok_and(|u| registries::COUNTRY_CODES.binary_search(&u).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let id = identifier("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").unwrap();
        assert_eq!(
            (id.ty, id.uuid_version(), id.has_uppercase()),
            ("indicator", 4, false)
        );
        assert!(
            identifier("x-my-type--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F")
                .unwrap()
                .has_uppercase()
        );
        assert_eq!(
            identifier("indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            Err(IdentifierError::Shape)
        );
        assert_eq!(
            identifier("Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            Err(IdentifierError::TypePart)
        );
        assert_eq!(
            identifier("ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            Err(IdentifierError::Shape)
        );
        assert_eq!(
            identifier("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g"),
            Err(IdentifierError::Uuid)
        );
        assert_eq!(
            identifier("indicator--8e2e2d2b-17d4-7cbf-938f-98ee46b3cd3f"),
            Err(IdentifierError::UuidVersion)
        );
        assert_eq!(
            identifier("indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"),
            Err(IdentifierError::UuidVersion)
        );
        assert_eq!(
            identifier("indicator--é2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            Err(IdentifierError::Uuid)
        );
    }

    #[test]
    fn type_and_property_names() {
        for ok in ["indicator", "x-acme-widget", "abc", "a1b", "foo-"] {
            assert!(type_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "Indicator",
            "x--y",
            "-abc",
            "1abc",
            "a_b_c",
            "action",
            &"a".repeat(251),
        ] {
            assert!(!type_name(bad), "{bad}");
        }
        for ok in [
            "name",
            "x_acme_thing",
            "abc",
            "a12",
            "fooBar",
            "my_id",
            "Xid",
        ] {
            assert!(property_name(ok), "{ok}");
        }
        for bad in ["ab", "X_foo", "x-foo", "_abc", "1abc", "aB"] {
            assert!(!property_name(bad), "{bad}");
        }
        assert!(extension_name("x-acme-ext") && extension_name("ntfs-ext"));
        assert!(!extension_name("-ext") && !extension_name("x--a-ext") && !extension_name("X-ext"));
    }

    #[test]
    fn encodings() {
        assert!(base64("aGVsbG8=") && base64("aGVsbA==") && base64("aGVs"));
        assert!(
            !base64("")
                && !base64("aGVsbG8")
                && !base64("aG=sbG8=")
                && !base64("a===")
                && !base64("aGVs bG8=")
        );
        assert!(hex("00ff") && hex("ABcd"));
        assert!(!hex("") && !hex("abc") && !hex("zz"));
    }

    #[test]
    fn uris() {
        for ok in [
            "http://example.com",
            "https://user:pw@example.com:8080/a/b?c=d&e#f",
            "http://[::1]/x",
            "http://[v1.fe]/",
            "mailto:someone@example.com",
            "urn:isbn:0451450523",
            "file:///etc/passwd",
            "http://example.com/%20x",
            "x:",
        ] {
            assert!(uri(ok), "{ok}");
        }
        for bad in [
            "decrypttozxybarc.onion",
            "107.183.86",
            "www.kcico.com.tw/data/openwebmail/doc/wthk.txt",
            "Data/dtl.dat",
            "http://exa mple.com",
            "http://example.com/%zz",
            "http://example.com/%2",
            "http://a@b@c/",
            "http://host:80a/",
            "http://[::g]/",
            "1http://x",
            "http://example.com/ü",
            "http://example.com/#a#b",
        ] {
            assert!(!uri(bad), "{bad}");
        }
    }

    #[test]
    fn hosts_and_addresses() {
        for ok in [
            "example.com",
            "example.com.",
            "xn--bcher-kva.example",
            "bücher.example",
            "a-b.c",
        ] {
            assert!(idn_hostname(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "-a.com",
            "a-.com",
            "ab--c.com",
            "a..b",
            "_dmarc.example.com",
            "a b.com",
            &format!("{}.com", "a".repeat(64)),
        ] {
            assert!(!idn_hostname(bad), "{bad}");
        }
        assert!(
            idn_hostname("Example.COM"),
            "ASCII labels are compared lowercased"
        );
        assert!(
            email("a.b+c@example.co.uk") && !email("a@b") && !email("a@@b.c") && !email("@b.c")
        );
        assert!(ipv4_cidr("198.51.100.3") && ipv4_cidr("10.0.0.0/8") && ipv4_cidr("0.0.0.0/0"));
        assert!(
            !ipv4_cidr("198.51.100")
                && !ipv4_cidr("01.2.3.4")
                && !ipv4_cidr("1.2.3.4/33")
                && !ipv4_cidr("1.2.3.4/")
        );
        assert!(
            ipv6_cidr("2001:db8::1")
                && ipv6_cidr("fe80::1%eth0")
                && ipv6_cidr("2001:db8::/32")
                && ipv6_cidr("::ffff:192.0.2.1")
        );
        assert!(
            !ipv6_cidr("2001:db8:::1") && !ipv6_cidr("2001:db8::/129") && !ipv6_cidr("1.2.3.4")
        );
        assert!(mac("d2:fb:49:24:37:18") && !mac("D2:FB:49:24:37:18") && !mac("d2-fb-49-24-37-18"));
    }

    #[test]
    fn cpes() {
        assert!(cpe23("cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*"));
        assert!(cpe23(
            "cpe:2.3:o:linux:linux_kernel:5.4\\:rc1:*:*:*:*:*:*:*"
        ));
        assert!(cpe23("cpe:2.3:a:vendor:product:1.0:*:en-us:*:*:*:*:*"));
        assert!(!cpe23("cpe:/a:microsoft:word"));
        assert!(!cpe23("cpe:2.3:a:b"));
        assert!(!cpe23("cpe:2.3:x:microsoft:word:2000:*:*:*:*:*:*:*"));
    }

    #[test]
    fn registries_are_sorted_for_binary_search() {
        for table in [
            registries::MEDIA_TYPES,
            registries::CHARSETS,
            registries::LANG_CODES,
            registries::SOFTWARE_RFC5646,
            registries::SOFTWARE_ISO639_2,
            registries::COUNTRY_CODES,
            registries::HTTP_REQUEST_HEADERS,
            registries::SOCKET_OPTIONS,
            registries::PDF_DOCUMENT_INFO_KEYS,
        ] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{:?}", &table[..3]);
        }
        assert!(
            registered_media_type("application/zip")
                && !registered_media_type("application/x-nonsense")
        );
        assert!(registered_charset("UTF-8") && lang_code("en") && !lang_code("english"));
        assert_eq!(software_language("en"), Some(true));
        assert_eq!(software_language("eng"), Some(false));
        assert_eq!(software_language("english"), None);
        assert!(country_code("us") && country_code("FR") && !country_code("ZZ"));
    }
}
