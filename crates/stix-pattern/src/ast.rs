//! The syntax tree of a pattern, and its normal-form printer.
//!
//! Comparison expressions are flattened (`a AND (b AND c)` is one `And` of three) because grouping inside brackets
//! carries no meaning. Parentheses between observation expressions are kept as [`ObservationExpr::Group`]: a
//! qualifier binds to what it follows, and the OASIS validator treats a repeated qualifier on `[…]` differently from
//! one on `(…)`.

use std::fmt::{self, Display, Formatter, Write};

/// A parsed STIX pattern: one observation expression, the root of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The whole pattern.
    pub root: ObservationExpr,
}

/// An observation expression: what must be observed, and how observations combine in time.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpr {
    /// `[ … ]`: one observation whose objects satisfy the comparison expression.
    Observation(ComparisonExpr),
    /// `( … )`: an observation expression in parentheses, as written.
    Group(Box<ObservationExpr>),
    /// `a AND b AND …`: all operands are observed (two or more).
    And(Vec<ObservationExpr>),
    /// `a OR b OR …`: any operand is observed (two or more).
    Or(Vec<ObservationExpr>),
    /// `a FOLLOWEDBY b FOLLOWEDBY …`: the operands are observed in this order (two or more).
    FollowedBy(Vec<ObservationExpr>),
    /// An observation expression followed by a qualifier (`WITHIN`, `REPEATS`, `START … STOP`).
    Qualified(Box<ObservationExpr>, Qualifier),
}

/// A qualifier that constrains when or how often an observation expression matches.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`: all observations fall within this many seconds.
    Within(f64),
    /// `REPEATS n TIMES`: the expression matches this many times.
    Repeats(u64),
    /// `START t'…' STOP t'…'`: observations fall in this time window (the timestamps as written, without `t'…'`).
    StartStop {
        /// Start of the window, an RFC 3339 UTC timestamp.
        start: String,
        /// End of the window, an RFC 3339 UTC timestamp.
        stop: String,
    },
}

/// A comparison expression: the boolean condition inside `[ … ]`.
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpr {
    /// One test of one property.
    Comparison(Comparison),
    /// All operands hold (two or more, none of them an `And`).
    And(Vec<ComparisonExpr>),
    /// Any operand holds (two or more, none of them an `Or`).
    Or(Vec<ComparisonExpr>),
}

/// One property test, such as `file:size > 1000` or `NOT EXISTS file:name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The property tested.
    pub path: ObjectPath,
    /// Whether the test is negated with `NOT`.
    pub negated: bool,
    /// The operator and its operand.
    pub test: Test,
}

/// A comparison operator with its operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `=` (also written `==`).
    Equal(Constant),
    /// `!=` (also written `<>`).
    NotEqual(Constant),
    /// `>`.
    Greater(Constant),
    /// `<`.
    Less(Constant),
    /// `>=`.
    GreaterOrEqual(Constant),
    /// `<=`.
    LessOrEqual(Constant),
    /// `IN ( … )`: the value is one of the set (which may be empty).
    In(Vec<Constant>),
    /// `LIKE '…'`: SQL-style match with `%` and `_`.
    Like(String),
    /// `MATCHES '…'`: PCRE regular expression match.
    Matches(String),
    /// `ISSUBSET '…'`: the address is in the given CIDR range.
    IsSubset(String),
    /// `ISSUPERSET '…'`: the range contains the given address or CIDR range.
    IsSuperset(String),
    /// `EXISTS`: the property is present (written before the path).
    Exists,
}

/// An object path: an object type and the steps to a property, as in `file:extensions.'x'.sections[*].name`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectPath {
    /// The object type (`file`, `network-traffic`, …).
    pub object_type: String,
    /// The steps from the object to the property; the first one is always a key.
    pub steps: Vec<PathStep>,
}

/// One step of an object path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    /// A property name or dictionary key (`.name` or `.'SHA-256'`).
    Key(String),
    /// A list index (`[0]`).
    Index(i64),
    /// Any list element (`[*]`).
    AnyIndex,
}

/// A constant in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    /// An integer such as `42` or `-1`.
    Int(i64),
    /// An integer beyond the 64-bit range, as its decimal digits with any `-` sign (the grammar sets no bound).
    BigInt(String),
    /// A floating-point number such as `7.0` or `-.5`.
    Float(f64),
    /// A string, with its escapes resolved.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// `t'…'`: an RFC 3339 UTC timestamp, as written between the quotes.
    Timestamp(String),
    /// `h'…'`: hex-encoded bytes, as written between the quotes.
    Hex(String),
    /// `b'…'`: base64-encoded bytes, as written between the quotes.
    Binary(String),
}

impl Pattern {
    /// The distinct object types the pattern refers to, in order of first appearance.
    pub fn object_types(&self) -> Vec<&str> {
        let mut types = Vec::new();
        self.root.visit_comparisons(&mut |c| {
            let t = c.path.object_type.as_str();
            // Patterns name few types, so a linear scan beats hashing.
            if !types.contains(&t) {
                types.push(t);
            }
        });
        types
    }

    /// Every comparison in the pattern, in the order written.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut all = Vec::new();
        self.root.visit_comparisons(&mut |c| all.push(c));
        all
    }
}

impl ObservationExpr {
    fn visit_comparisons<'a>(&'a self, f: &mut impl FnMut(&'a Comparison)) {
        match self {
            ObservationExpr::Observation(c) => c.visit_comparisons(f),
            ObservationExpr::Group(e) | ObservationExpr::Qualified(e, _) => e.visit_comparisons(f),
            ObservationExpr::And(v) | ObservationExpr::Or(v) | ObservationExpr::FollowedBy(v) => {
                v.iter().for_each(|e| e.visit_comparisons(f))
            }
        }
    }

    /// Binding strength: FOLLOWEDBY < OR < AND < everything else.
    fn precedence(&self) -> u8 {
        match self {
            ObservationExpr::FollowedBy(_) => 0,
            ObservationExpr::Or(_) => 1,
            ObservationExpr::And(_) => 2,
            _ => 3,
        }
    }
}

impl ComparisonExpr {
    fn visit_comparisons<'a>(&'a self, f: &mut impl FnMut(&'a Comparison)) {
        match self {
            ComparisonExpr::Comparison(c) => f(c),
            ComparisonExpr::And(v) | ComparisonExpr::Or(v) => {
                v.iter().for_each(|e| e.visit_comparisons(f))
            }
        }
    }
}

/// Writes the normal form: single spaces, `=` and `!=` for their synonyms, no comments, bare property names where
/// the grammar allows them, and parentheses only where written (observations) or needed (comparisons).
impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl Display for ObservationExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let list = |f: &mut Formatter<'_>, items: &[ObservationExpr], op: &str| {
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                // A parsed tree never needs these parentheses (lower-precedence operands come as `Group`), but a
                // tree built by hand may.
                if e.precedence() <= self.precedence() {
                    write!(f, "({e})")?;
                } else {
                    write!(f, "{e}")?;
                }
            }
            Ok(())
        };
        match self {
            ObservationExpr::Observation(c) => write!(f, "[{c}]"),
            ObservationExpr::Group(e) => write!(f, "({e})"),
            ObservationExpr::And(v) => list(f, v, "AND"),
            ObservationExpr::Or(v) => list(f, v, "OR"),
            ObservationExpr::FollowedBy(v) => list(f, v, "FOLLOWEDBY"),
            ObservationExpr::Qualified(e, q) => {
                if e.precedence() < 3 {
                    write!(f, "({e}) {q}")
                } else {
                    write!(f, "{e} {q}")
                }
            }
        }
    }
}

impl Display for Qualifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            // `{}` on f64 never uses an exponent and drops `.0`, so it always reads back as the same number.
            Qualifier::Within(s) => write!(f, "WITHIN {s} SECONDS"),
            Qualifier::Repeats(n) => write!(f, "REPEATS {n} TIMES"),
            Qualifier::StartStop { start, stop } => write!(f, "START t'{start}' STOP t'{stop}'"),
        }
    }
}

impl Display for ComparisonExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let list = |f: &mut Formatter<'_>, items: &[ComparisonExpr], op: &str, paren_and: bool| {
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                let needs = match e {
                    ComparisonExpr::Comparison(_) => false,
                    ComparisonExpr::Or(_) => true,
                    ComparisonExpr::And(_) => paren_and,
                };
                if needs {
                    write!(f, "({e})")?;
                } else {
                    write!(f, "{e}")?;
                }
            }
            Ok(())
        };
        match self {
            ComparisonExpr::Comparison(c) => write!(f, "{c}"),
            ComparisonExpr::And(v) => list(f, v, "AND", true),
            ComparisonExpr::Or(v) => list(f, v, "OR", false),
        }
    }
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        let (op, value) = match &self.test {
            Test::Exists => return write!(f, "{not}EXISTS {}", self.path),
            Test::Equal(c) => ("=", c),
            Test::NotEqual(c) => ("!=", c),
            Test::Greater(c) => (">", c),
            Test::Less(c) => ("<", c),
            Test::GreaterOrEqual(c) => (">=", c),
            Test::LessOrEqual(c) => ("<=", c),
            Test::In(set) => {
                write!(f, "{} {not}IN (", self.path)?;
                for (i, c) in set.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c}")?;
                }
                return f.write_str(")");
            }
            Test::Like(s) => return write!(f, "{} {not}LIKE {}", self.path, Quoted(s)),
            Test::Matches(s) => return write!(f, "{} {not}MATCHES {}", self.path, Quoted(s)),
            Test::IsSubset(s) => return write!(f, "{} {not}ISSUBSET {}", self.path, Quoted(s)),
            Test::IsSuperset(s) => return write!(f, "{} {not}ISSUPERSET {}", self.path, Quoted(s)),
        };
        write!(f, "{} {not}{op} {value}", self.path)
    }
}

impl Display for ObjectPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.object_type)?;
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Key(k) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    if is_bare_key(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{}", Quoted(k))?;
                    }
                }
                PathStep::Index(n) => write!(f, "[{n}]")?,
                PathStep::AnyIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// Whether a key can be written without quotes: an identifier without hyphens that the lexer will not read as a
/// keyword or boolean.
fn is_bare_key(k: &str) -> bool {
    let b = k.as_bytes();
    matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && crate::lexer::keyword(b).is_none()
}

impl Display for Constant {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Int(n) => write!(f, "{n}"),
            Constant::BigInt(digits) => f.write_str(digits),
            Constant::Float(x) => {
                // `{}` writes 7.0 as "7", which would read back as an integer.
                let mut buf = String::new();
                write!(buf, "{x}")?;
                if !buf.contains('.') {
                    buf.push_str(".0");
                }
                f.write_str(&buf)
            }
            Constant::String(s) => write!(f, "{}", Quoted(s)),
            Constant::Bool(b) => write!(f, "{b}"),
            Constant::Timestamp(t) => write!(f, "t'{t}'"),
            Constant::Hex(h) => write!(f, "h'{h}'"),
            Constant::Binary(b) => write!(f, "b'{b}'"),
        }
    }
}

/// A string written as a pattern string literal, escaping `'` and `\`.
struct Quoted<'a>(&'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        let mut rest = self.0;
        while let Some(i) = rest.find(['\'', '\\']) {
            f.write_str(&rest[..i])?;
            f.write_char('\\')?;
            f.write_str(&rest[i..i + 1])?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)?;
        f.write_char('\'')
    }
}
