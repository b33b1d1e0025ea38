//! Tokens of the STIX patterning language, read on demand by the parser.
//!
//! The rules follow the lexer part of the OASIS ANTLR grammar (`STIXPattern.g4`), including its longest-match
//! behaviour: `1AND` is an integer followed by `AND`, `file-x` is one identifier, `007` would be three integers.
//! Where ANTLR would fall back to shorter tokens after a malformed literal (`t'2020-13-01…'` becomes the identifier
//! `t` and a string), no grammar rule can accept the result, so the lexer reports the malformed literal itself,
//! which gives a better message at a more precise offset with the same verdict.

use crate::error::PatternError;

/// What a token is; its text is the source slice `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    LBrack,
    RBrack,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Star,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    /// `'+'? ('0' | [1-9][0-9]*)` or with a leading `-`.
    Int,
    /// `[+-]? [0-9]* '.' [0-9]+`.
    Float,
    Str,
    True,
    False,
    Timestamp,
    Hex,
    Binary,
    /// `[a-zA-Z_][a-zA-Z0-9_]*` that is not a keyword.
    Ident,
    /// An identifier with at least one `-`: allowed only as an object type.
    IdentHyphen,
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
    Eof,
}

/// One token: its kind and its byte span in the pattern.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Keywords are case sensitive, as in the grammar; `true` and `false` are the boolean literals.
pub(crate) fn keyword(word: &[u8]) -> Option<Kind> {
    Some(match word {
        b"AND" => Kind::And,
        b"OR" => Kind::Or,
        b"NOT" => Kind::Not,
        b"FOLLOWEDBY" => Kind::FollowedBy,
        b"LIKE" => Kind::Like,
        b"MATCHES" => Kind::Matches,
        b"ISSUPERSET" => Kind::IsSuperset,
        b"ISSUBSET" => Kind::IsSubset,
        b"EXISTS" => Kind::Exists,
        b"LAST" => Kind::Last,
        b"IN" => Kind::In,
        b"START" => Kind::Start,
        b"STOP" => Kind::Stop,
        b"SECONDS" => Kind::Seconds,
        b"WITHIN" => Kind::Within,
        b"REPEATS" => Kind::Repeats,
        b"TIMES" => Kind::Times,
        b"true" => Kind::True,
        b"false" => Kind::False,
        _ => return None,
    })
}

/// The grammar's `WS` rule beyond ASCII; it is exactly Unicode's White_Space set.
fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Reads tokens one at a time from a pattern.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: 0,
        }
    }

    fn peek_at(&self, i: usize) -> u8 {
        // No token contains a 0 byte, so 0 doubles as "end of input".
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> PatternError {
        PatternError::new(offset, message)
    }

    fn char_at(&self, i: usize) -> char {
        self.src[i..].chars().next().unwrap_or('\0')
    }

    /// Skips whitespace and comments, which the grammar discards.
    fn skip_trivia(&mut self) -> Result<(), PatternError> {
        loop {
            match self.peek_at(self.pos) {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => self.pos += 1,
                b'/' if self.peek_at(self.pos + 1) == b'*' => {
                    let body = &self.bytes[self.pos + 2..];
                    match body.windows(2).position(|w| w == b"*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => {
                            return Err(self.err(
                                self.pos,
                                "unterminated comment: expected '*/', found the end of the pattern",
                            ))
                        }
                    }
                }
                b'/' if self.peek_at(self.pos + 1) == b'/' => {
                    while self.pos < self.bytes.len()
                        && !matches!(self.bytes[self.pos], b'\r' | b'\n')
                    {
                        self.pos += 1;
                    }
                }
                b if b >= 0x80 => {
                    let c = self.char_at(self.pos);
                    if !is_unicode_space(c) {
                        return Ok(());
                    }
                    self.pos += c.len_utf8();
                }
                _ => return Ok(()),
            }
        }
    }

    /// Reads the next token, or `Eof` at the end.
    #[inline(never)]
    pub fn next_token(&mut self) -> Result<Token, PatternError> {
        self.skip_trivia()?;
        let start = self.pos;
        if start >= self.bytes.len() {
            return Ok(Token {
                kind: Kind::Eof,
                start,
                end: start,
            });
        }
        let b = self.bytes[start];
        let next = self.peek_at(start + 1);
        let (kind, len) = match b {
            b'[' => (Kind::LBrack, 1),
            b']' => (Kind::RBrack, 1),
            b'(' => (Kind::LParen, 1),
            b')' => (Kind::RParen, 1),
            b':' => (Kind::Colon, 1),
            b',' => (Kind::Comma, 1),
            b'*' => (Kind::Star, 1),
            b'=' if next == b'=' => (Kind::Eq, 2),
            b'=' => (Kind::Eq, 1),
            b'!' if next == b'=' => (Kind::Neq, 2),
            b'<' if next == b'>' => (Kind::Neq, 2),
            b'<' if next == b'=' => (Kind::Le, 2),
            b'<' => (Kind::Lt, 1),
            b'>' if next == b'=' => (Kind::Ge, 2),
            b'>' => (Kind::Gt, 1),
            b'.' if next.is_ascii_digit() => return Ok(self.number(start)),
            b'.' => (Kind::Dot, 1),
            b'+' | b'-' | b'0'..=b'9' => {
                let tok = self.number(start);
                if tok.end == start {
                    let found = match self.bytes.get(start + 1) {
                        Some(_) => format!("'{}'", self.char_at(start + 1).escape_debug()),
                        None => "the end of the pattern".to_owned(),
                    };
                    return Err(self.err(
                        start,
                        format!("expected a number after '{}', found {found}", b as char),
                    ));
                }
                return Ok(tok);
            }
            b'\'' => return self.string(start),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => return self.word(start),
            _ => {
                let c = self.char_at(start);
                let hint = match c {
                    '"' => ": strings take single quotes",
                    '!' => ": did you mean '!='?",
                    _ => "",
                };
                return Err(self.err(
                    start,
                    format!(
                        "expected a bracket, operator, keyword, name or constant, found the character '{}'{hint}",
                        c.escape_debug()
                    ),
                ));
            }
        };
        self.pos = start + len;
        Ok(Token {
            kind,
            start,
            end: self.pos,
        })
    }

    /// Longest match of the four number rules; returns an empty token for a lone sign.
    fn number(&mut self, start: usize) -> Token {
        let mut i = start;
        if matches!(self.peek_at(i), b'+' | b'-') {
            i += 1;
        }
        let digits_start = i;
        while self.peek_at(i).is_ascii_digit() {
            i += 1;
        }
        let digits_end = i;
        if self.peek_at(i) == b'.' && self.peek_at(i + 1).is_ascii_digit() {
            i += 1;
            while self.peek_at(i).is_ascii_digit() {
                i += 1;
            }
            self.pos = i;
            return Token {
                kind: Kind::Float,
                start,
                end: i,
            };
        }
        if digits_end == digits_start {
            return Token {
                kind: Kind::Int,
                start,
                end: start,
            };
        }
        // An integer has no leading zeros: `007` is the integer `0` followed by more tokens.
        let end = if self.bytes[digits_start] == b'0' {
            digits_start + 1
        } else {
            digits_end
        };
        self.pos = end;
        Token {
            kind: Kind::Int,
            start,
            end,
        }
    }

    /// A quoted string: any character but `'` and `\`, or the escapes `\'` and `\\`.
    fn string(&mut self, start: usize) -> Result<Token, PatternError> {
        let end = self.string_end(start)?;
        self.pos = end;
        Ok(Token {
            kind: Kind::Str,
            start,
            end,
        })
    }

    /// The end (after the closing quote) of the string literal whose opening quote is at `quote`.
    fn string_end(&self, quote: usize) -> Result<usize, PatternError> {
        let mut i = quote + 1;
        loop {
            match self.bytes.get(i) {
                None => {
                    return Err(self.err(
                        quote,
                        "unterminated string: expected a closing ', found the end of the pattern",
                    ))
                }
                Some(b'\'') => return Ok(i + 1),
                Some(b'\\') => match self.bytes.get(i + 1) {
                    Some(b'\'') | Some(b'\\') => i += 2,
                    _ => {
                        let found = if i + 1 < self.bytes.len() {
                            format!("'\\{}'", self.char_at(i + 1).escape_debug())
                        } else {
                            "the end of the pattern".to_owned()
                        };
                        return Err(self.err(
                            i,
                            format!(
                                "invalid escape in string: expected \\' or \\\\, found {found}"
                            ),
                        ));
                    }
                },
                Some(_) => i += 1,
            }
        }
    }

    /// An identifier or keyword, or a `t'…'`, `h'…'`, `b'…'` literal.
    fn word(&mut self, start: usize) -> Result<Token, PatternError> {
        let mut i = start + 1;
        let mut hyphen = false;
        loop {
            match self.peek_at(i) {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => i += 1,
                b'-' => {
                    hyphen = true;
                    i += 1;
                }
                _ => break,
            }
        }
        if i == start + 1 && self.peek_at(i) == b'\'' {
            match self.bytes[start] {
                b't' => return self.timestamp(start),
                b'h' => return self.hex(start),
                b'b' => return self.binary(start),
                _ => {}
            }
        }
        let kind = if hyphen {
            Kind::IdentHyphen
        } else {
            keyword(&self.bytes[start..i]).unwrap_or(Kind::Ident)
        };
        self.pos = i;
        Ok(Token {
            kind,
            start,
            end: i,
        })
    }

    /// `t'YYYY-MM-DDTHH:MM:SS[.s+]Z'` with the field ranges of the grammar.
    fn timestamp(&mut self, start: usize) -> Result<Token, PatternError> {
        const FORM: &str = "YYYY-MM-DDTHH:MM:SS[.s+]Z";
        let mut i = start + 2;
        let fail = |at: usize, what: &str| {
            let found = match self.bytes.get(at) {
                None => "the end of the pattern".to_owned(),
                Some(_) => format!("'{}'", self.char_at(at).escape_debug()),
            };
            Err(self.err(
                at,
                format!("invalid timestamp: expected {what} (form t'{FORM}'), found {found}"),
            ))
        };
        let digit = |i: usize| self.peek_at(i).is_ascii_digit();
        // Each step: the allowed characters at this position, as the grammar spells them.
        for _ in 0..4 {
            if !digit(i) {
                return fail(i, "a four-digit year");
            }
            i += 1;
        }
        for (sep, name, lo, hi) in [(b'-', "month 01-12", 1, 12), (b'-', "day 01-31", 1, 31)] {
            if self.peek_at(i) != sep {
                return fail(i, "'-'");
            }
            i += 1;
            if !(digit(i) && digit(i + 1)) {
                return fail(i, name);
            }
            let v = (self.bytes[i] - b'0') as u32 * 10 + (self.bytes[i + 1] - b'0') as u32;
            if v < lo || v > hi {
                return fail(i, name);
            }
            i += 2;
        }
        for (sep, name, hi) in [
            (b'T', "hour 00-23", 23),
            (b':', "minute 00-59", 59),
            (b':', "second 00-60", 60),
        ] {
            if self.peek_at(i) != sep {
                return fail(i, if sep == b'T' { "'T'" } else { "':'" });
            }
            i += 1;
            if !(digit(i) && digit(i + 1)) {
                return fail(i, name);
            }
            let v = (self.bytes[i] - b'0') as u32 * 10 + (self.bytes[i + 1] - b'0') as u32;
            if v > hi {
                return fail(i, name);
            }
            i += 2;
        }
        if self.peek_at(i) == b'.' {
            i += 1;
            if !digit(i) {
                return fail(i, "a digit of the fraction of a second");
            }
            while digit(i) {
                i += 1;
            }
        }
        if self.peek_at(i) != b'Z' {
            return fail(i, "'Z' (UTC)");
        }
        i += 1;
        if self.peek_at(i) != b'\'' {
            return fail(i, "the closing '");
        }
        self.pos = i + 1;
        Ok(Token {
            kind: Kind::Timestamp,
            start,
            end: self.pos,
        })
    }

    /// `h'…'` with an even number of hex digits (possibly none).
    fn hex(&mut self, start: usize) -> Result<Token, PatternError> {
        let mut i = start + 2;
        while self.peek_at(i).is_ascii_hexdigit() {
            i += 1;
        }
        if self.peek_at(i) != b'\'' {
            return Err(self.bad_literal(start, i, "hex", "hex digits 0-9, a-f"));
        }
        if (i - start - 2) % 2 == 1 {
            return Err(self.err(
                start,
                format!(
                    "invalid hex constant: expected an even number of hex digits, found {}",
                    i - start - 2
                ),
            ));
        }
        self.pos = i + 1;
        Ok(Token {
            kind: Kind::Hex,
            start,
            end: self.pos,
        })
    }

    /// `b'…'` with non-empty, correctly padded base64.
    fn binary(&mut self, start: usize) -> Result<Token, PatternError> {
        let mut i = start + 2;
        while is_base64(self.peek_at(i)) {
            i += 1;
        }
        let chars = i - start - 2;
        let mut pad = 0;
        while self.peek_at(i) == b'=' && pad < 2 {
            i += 1;
            pad += 1;
        }
        if self.peek_at(i) != b'\'' {
            return Err(self.bad_literal(
                start,
                i,
                "base64",
                "base64 characters A-Z a-z 0-9 + / and at most two '='",
            ));
        }
        let ok = match pad {
            0 => chars > 0 && chars.is_multiple_of(4),
            1 => chars % 4 == 3,
            _ => chars % 4 == 2,
        };
        if !ok {
            return Err(self.err(
                start,
                format!(
                    "invalid base64 constant: expected a non-empty multiple of 4 characters with '=' padding, found {} characters and {pad} '='",
                    chars
                ),
            ));
        }
        self.pos = i + 1;
        Ok(Token {
            kind: Kind::Binary,
            start,
            end: self.pos,
        })
    }

    fn bad_literal(&self, start: usize, at: usize, name: &str, allowed: &str) -> PatternError {
        match self.bytes.get(at) {
            None => self.err(
                start,
                format!("unterminated {name} constant: expected a closing ', found the end of the pattern"),
            ),
            Some(_) => self.err(
                at,
                format!(
                    "invalid {name} constant: expected {allowed} or the closing ', found '{}'",
                    self.char_at(at).escape_debug()
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        let mut lexer = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lexer
                .next_token()
                .unwrap_or_else(|e| panic!("{src:?}: {e}"));
            if t.kind == Kind::Eof {
                return out;
            }
            out.push((t.kind, &src[t.start..t.end]));
        }
    }

    #[test]
    fn longest_match_as_antlr_does() {
        use Kind::*;
        assert_eq!(kinds("1AND"), [(Int, "1"), (And, "AND")]);
        assert_eq!(kinds("007"), [(Int, "0"), (Int, "0"), (Int, "7")]);
        assert_eq!(
            kinds("00.5 -.5 +1"),
            [(Float, "00.5"), (Float, "-.5"), (Int, "+1")]
        );
        assert_eq!(kinds("1.5.3"), [(Float, "1.5"), (Float, ".3")]);
        assert_eq!(kinds("1."), [(Int, "1"), (Dot, ".")]);
        assert_eq!(
            kinds("AND-x ANDx true TRUE"),
            [
                (IdentHyphen, "AND-x"),
                (Ident, "ANDx"),
                (True, "true"),
                (Ident, "TRUE")
            ]
        );
        assert_eq!(
            kinds("== = <> != <= < >= >"),
            [
                (Eq, "=="),
                (Eq, "="),
                (Neq, "<>"),
                (Neq, "!="),
                (Le, "<="),
                (Lt, "<"),
                (Ge, ">="),
                (Gt, ">")
            ]
        );
        assert_eq!(
            kinds("h'' ht b'QQ=='x"),
            [
                (Hex, "h''"),
                (Ident, "ht"),
                (Binary, "b'QQ=='"),
                (Ident, "x")
            ]
        );
        assert_eq!(
            kinds("a/* x */b // y\nc"),
            [(Ident, "a"), (Ident, "b"), (Ident, "c")]
        );
        assert_eq!(kinds("\u{a0}a\u{3000}"), [(Ident, "a")]);
    }

    #[test]
    fn strings_take_only_two_escapes() {
        assert_eq!(kinds(r"'a\'b\\c'"), [(Kind::Str, r"'a\'b\\c'")]);
        let e = Lexer::new(r"'a\nb'").next_token().unwrap_err();
        assert_eq!(e.offset, 2);
        let e = Lexer::new("'abc").next_token().unwrap_err();
        assert_eq!((e.offset, e.message.contains("unterminated")), (0, true));
    }

    #[test]
    fn malformed_literals_point_at_the_fault() {
        let at = |src: &str| Lexer::new(src).next_token().unwrap_err().offset;
        assert_eq!(at("t'2020-02-01T25:00:00Z'"), 13);
        assert_eq!(at("t'2020-02-01T00:00:00'"), 21);
        assert_eq!(at("h'0g'"), 3);
        assert_eq!(at("b'QUJ'"), 0);
        assert_eq!(at("/* open"), 0);
        assert_eq!(at("\u{200b}"), 0);
    }
}
