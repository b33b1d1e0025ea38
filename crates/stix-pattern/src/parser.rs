//! Recursive-descent parser for the grammar in `STIXPattern.g4`, with the semantic checks of the OASIS validators
//! applied as it goes (when asked), so that every error carries the offset of what caused it.

use crate::ast::{
    Comparison, ComparisonExpr, Constant, ObjectPath, ObservationExpr, PathStep, Pattern,
    Qualifier, Test,
};
use crate::checks;
use crate::error::PatternError;
use crate::lexer::{Kind, Lexer, Token};

/// Nesting deeper than this is refused rather than risking the stack; real patterns nest a few levels at most, and
/// the OASIS validator itself fails (Python recursion limit) at about 250 levels of parentheses.
const MAX_DEPTH: usize = 256;

pub(crate) struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    tok: Token,
    /// Whether to apply the semantic checks (`validate`) or only the grammar (`parse`).
    check: bool,
    depth: usize,
}

type Result<T> = std::result::Result<T, PatternError>;

/// Which constants an operator accepts, after the grammar's `primitiveLiteral` and `orderableLiteral`.
#[derive(Clone, Copy, PartialEq)]
enum Literals {
    Primitive,
    Orderable,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str, check: bool) -> Result<Self> {
        let mut lexer = Lexer::new(src);
        let tok = lexer.next_token()?;
        Ok(Parser {
            src,
            lexer,
            tok,
            check,
            depth: 0,
        })
    }

    /// `pattern : observationExpressions EOF`.
    pub fn parse_pattern(mut self) -> Result<Pattern> {
        let root = self.observation_expressions()?;
        if self.tok.kind != Kind::Eof {
            let expected = "AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end of the pattern";
            return Err(self.unexpected(expected));
        }
        if self.check {
            checks::leading_bracket(self.src)?;
        }
        Ok(Pattern { root })
    }

    fn text(&self, tok: Token) -> &'a str {
        &self.src[tok.start..tok.end]
    }

    fn bump(&mut self) -> Result<Token> {
        let tok = self.tok;
        self.tok = self.lexer.next_token()?;
        Ok(tok)
    }

    fn eat(&mut self, kind: Kind) -> Result<bool> {
        if self.tok.kind == kind {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// What the current token is, for messages.
    fn found(&self) -> String {
        if self.tok.kind == Kind::Eof {
            return "the end of the pattern".to_owned();
        }
        let text = self.text(self.tok);
        let text = match text.char_indices().nth(40) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        };
        // Literals carry their own quotes.
        match self.tok.kind {
            Kind::Str => format!("the string {text}"),
            Kind::Timestamp => format!("the timestamp {text}"),
            Kind::Hex => format!("the hex constant {text}"),
            Kind::Binary => format!("the base64 constant {text}"),
            _ => format!("'{text}'"),
        }
    }

    #[cold]
    #[inline(never)]
    fn unexpected(&self, expected: &str) -> PatternError {
        PatternError::new(
            self.tok.start,
            format!("expected {expected}, found {}", self.found()),
        )
    }

    fn expect(&mut self, kind: Kind, expected: &str) -> Result<Token> {
        if self.tok.kind == kind {
            self.bump()
        } else {
            Err(self.unexpected(expected))
        }
    }

    #[inline]
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> PatternError {
        PatternError::new(
            self.tok.start,
            format!("expected at most {MAX_DEPTH} levels of nested brackets and parentheses, found more"),
        )
    }

    /// `observationExpressions`: observation expressions joined by AND, OR and FOLLOWEDBY, in that order of
    /// precedence, all left-associative.
    ///
    /// One loop handles the three levels, so nesting costs two stack frames per parenthesis, not four.
    fn observation_expressions(&mut self) -> Result<ObservationExpr> {
        let mut and = vec![self.observation()?];
        let mut or = Vec::new();
        let mut followed_by = Vec::new();
        loop {
            let op = self.tok.kind;
            if !matches!(op, Kind::And | Kind::Or | Kind::FollowedBy) {
                break;
            }
            self.bump()?;
            if op != Kind::And {
                or.push(join(std::mem::take(&mut and), ObservationExpr::And));
                if op == Kind::FollowedBy {
                    followed_by.push(join(std::mem::take(&mut or), ObservationExpr::Or));
                }
            }
            and.push(self.observation()?);
        }
        or.push(join(and, ObservationExpr::And));
        followed_by.push(join(or, ObservationExpr::Or));
        Ok(join(followed_by, ObservationExpr::FollowedBy))
    }

    /// `observationExpression`: `[ comparisonExpression ]` or `( observationExpressions )`, then qualifiers.
    ///
    /// This function and `observation_expressions` recurse into each other once per parenthesis, so the work of
    /// brackets and qualifiers lives in functions that are kept out of line, keeping this frame small.
    fn observation(&mut self) -> Result<ObservationExpr> {
        let open = self.tok;
        let expr = match open.kind {
            Kind::LBrack => self.bracketed()?,
            Kind::LParen => {
                self.enter()?;
                self.bump()?;
                let e = self.observation_expressions()?;
                self.close(Kind::RParen, open)?;
                self.depth -= 1;
                ObservationExpr::Group(Box::new(e))
            }
            _ => return Err(self.unexpected("'[' or '(' to start an observation expression")),
        };
        if matches!(self.tok.kind, Kind::Within | Kind::Repeats | Kind::Start) {
            return self.qualifiers(expr, open.kind == Kind::LBrack);
        }
        Ok(expr)
    }

    /// `[ comparisonExpression ]`.
    #[inline(never)]
    fn bracketed(&mut self) -> Result<ObservationExpr> {
        let open = self.tok;
        self.enter()?;
        self.bump()?;
        let c = self.comparison_or()?;
        self.close(Kind::RBrack, open)?;
        self.depth -= 1;
        Ok(ObservationExpr::Observation(c))
    }

    /// The qualifiers after an observation expression; `bracketed` when it is `[…]` rather than `(…)`.
    #[inline(never)]
    fn qualifiers(
        &mut self,
        mut expr: ObservationExpr,
        bracketed: bool,
    ) -> Result<ObservationExpr> {
        // The OASIS validator refuses two qualifiers of one kind applied directly to `[…]`, but not to `(…)`.
        let mut seen = [false; 3];
        loop {
            let at = self.tok;
            let (q, kind) = match at.kind {
                Kind::Within => (self.within()?, 0),
                Kind::Repeats => (self.repeats()?, 1),
                Kind::Start => (self.start_stop()?, 2),
                _ => return Ok(expr),
            };
            if self.check && bracketed && std::mem::replace(&mut seen[kind], true) {
                let name = self.text(at);
                return Err(PatternError::new(
                    at.start,
                    format!("expected at most one {name} qualifier on an observation expression, found a second"),
                ));
            }
            expr = ObservationExpr::Qualified(Box::new(expr), q);
        }
    }

    #[inline(never)]
    fn close(&mut self, kind: Kind, open: Token) -> Result<()> {
        if self.tok.kind == kind {
            self.bump()?;
            return Ok(());
        }
        let (close, what) = match kind {
            Kind::RBrack => ("']'", "AND, OR or ']'"),
            _ => ("')'", "AND, OR, FOLLOWEDBY, a qualifier or ')'"),
        };
        let mut message = format!(
            "expected {what} (to close the '{}' at byte {}), found {}",
            self.text(open),
            open.start,
            self.found()
        );
        // Unbalanced input most often ends early; say what is missing.
        if self.tok.kind == Kind::Eof {
            message.push_str(&format!(": add {close}"));
        }
        Err(PatternError::new(self.tok.start, message))
    }

    /// `WITHIN (IntPosLiteral | FloatPosLiteral) SECONDS`.
    fn within(&mut self) -> Result<Qualifier> {
        self.bump()?;
        let n = self.tok;
        let text = self.text(n);
        if !matches!(n.kind, Kind::Int | Kind::Float) || text.starts_with('-') {
            return Err(self.unexpected("a non-negative number of seconds after WITHIN"));
        }
        let seconds: f64 = text.trim_start_matches('+').parse().map_err(|_| {
            PatternError::new(
                n.start,
                format!("expected a number of seconds, found '{text}'"),
            )
        })?;
        if !seconds.is_finite() {
            return Err(PatternError::new(
                n.start,
                format!("expected a number of seconds within the range of a 64-bit float, found '{text}'"),
            ));
        }
        self.bump()?;
        self.expect(Kind::Seconds, "SECONDS after the number of WITHIN")?;
        Ok(Qualifier::Within(seconds))
    }

    /// `REPEATS IntPosLiteral TIMES`.
    fn repeats(&mut self) -> Result<Qualifier> {
        self.bump()?;
        let n = self.tok;
        let text = self.text(n);
        if n.kind != Kind::Int || text.starts_with('-') {
            return Err(self.unexpected("a non-negative integer after REPEATS"));
        }
        let times: u64 = text.trim_start_matches('+').parse().map_err(|_| {
            PatternError::new(
                n.start,
                format!("expected a repeat count that fits in 64 bits, found '{text}'"),
            )
        })?;
        self.bump()?;
        self.expect(Kind::Times, "TIMES after the count of REPEATS")?;
        Ok(Qualifier::Repeats(times))
    }

    /// `START TimestampLiteral STOP TimestampLiteral`.
    fn start_stop(&mut self) -> Result<Qualifier> {
        self.bump()?;
        let start = self.expect(Kind::Timestamp, "a timestamp t'…' after START")?;
        self.expect(Kind::Stop, "STOP after the START timestamp")?;
        let stop = self.expect(Kind::Timestamp, "a timestamp t'…' after STOP")?;
        Ok(Qualifier::StartStop {
            start: self.quoted_body(start).to_owned(),
            stop: self.quoted_body(stop).to_owned(),
        })
    }

    /// The text between the quotes of a `t'…'`, `h'…'` or `b'…'` token.
    fn quoted_body(&self, tok: Token) -> &'a str {
        &self.src[tok.start + 2..tok.end - 1]
    }

    /// `comparisonExpression`: property tests joined by AND and OR (AND binds tighter), flattened.
    ///
    /// One loop handles both levels, so nesting costs two stack frames per parenthesis.
    fn comparison_or(&mut self) -> Result<ComparisonExpr> {
        let mut and = Vec::new();
        let mut or = Vec::new();
        push_flat(&mut and, self.prop_test()?, true);
        loop {
            let op = self.tok.kind;
            if !matches!(op, Kind::And | Kind::Or) {
                break;
            }
            self.bump()?;
            if op == Kind::Or {
                push_flat(&mut or, join_comparisons(std::mem::take(&mut and)), false);
            }
            push_flat(&mut and, self.prop_test()?, true);
        }
        push_flat(&mut or, join_comparisons(and), false);
        Ok(if or.len() == 1 {
            or.pop().expect("one item")
        } else {
            ComparisonExpr::Or(or)
        })
    }

    /// `propTest`: a comparison, `( comparisonExpression )`, or `NOT? EXISTS objectPath`.
    fn prop_test(&mut self) -> Result<ComparisonExpr> {
        match self.tok.kind {
            Kind::LParen => {
                let open = self.tok;
                self.enter()?;
                self.bump()?;
                let inner = self.comparison_or()?;
                if self.tok.kind != Kind::RParen {
                    return Err(self.unclosed_paren(open));
                }
                self.bump()?;
                self.depth -= 1;
                Ok(inner)
            }
            Kind::Not | Kind::Exists => self.exists(),
            Kind::Ident | Kind::IdentHyphen => self.comparison(),
            _ => Err(self.unexpected("an object path (type:property), '(' or EXISTS")),
        }
    }

    #[cold]
    #[inline(never)]
    fn unclosed_paren(&self, open: Token) -> PatternError {
        PatternError::new(
            self.tok.start,
            format!(
                "expected AND, OR or ')' (to close the '(' at byte {}), found {}",
                open.start,
                self.found()
            ),
        )
    }

    /// `NOT? EXISTS objectPath`.
    #[inline(never)]
    fn exists(&mut self) -> Result<ComparisonExpr> {
        let negated = self.eat(Kind::Not)?;
        self.expect(
            Kind::Exists,
            "EXISTS after NOT (a negated comparison puts NOT after the path)",
        )?;
        let path = self.object_path()?;
        Ok(ComparisonExpr::Comparison(Comparison {
            path,
            negated,
            test: Test::Exists,
        }))
    }

    /// `objectPath NOT? operator operand`.
    #[inline(never)]
    fn comparison(&mut self) -> Result<ComparisonExpr> {
        let path = self.object_path()?;
        let negated = self.eat(Kind::Not)?;
        let op = self.tok;
        if !is_operator(op.kind) {
            let not = if negated { "" } else { "NOT or " };
            return Err(self.unexpected(&format!(
                "{not}a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after \
                 the object path"
            )));
        }
        self.bump()?;
        let value = self.tok;
        let test = match op.kind {
            Kind::Eq => Test::Equal(self.constant(Literals::Primitive)?),
            Kind::Neq => Test::NotEqual(self.constant(Literals::Primitive)?),
            Kind::Gt => Test::Greater(self.constant(Literals::Orderable)?),
            Kind::Lt => Test::Less(self.constant(Literals::Orderable)?),
            Kind::Ge => Test::GreaterOrEqual(self.constant(Literals::Orderable)?),
            Kind::Le => Test::LessOrEqual(self.constant(Literals::Orderable)?),
            Kind::In => Test::In(self.set()?),
            Kind::Like => Test::Like(self.string_operand("LIKE")?),
            Kind::Matches => Test::Matches(self.string_operand("MATCHES")?),
            Kind::IsSubset => Test::IsSubset(self.string_operand("ISSUBSET")?),
            Kind::IsSuperset => Test::IsSuperset(self.string_operand("ISSUPERSET")?),
            _ => unreachable!("is_operator admitted {:?}", op.kind),
        };
        if self.check {
            // The set's text is what the OASIS validator checks as a hash, so `IN` gets its own marker.
            let raw = match test {
                Test::In(_) => None,
                _ => Some(self.text(value)),
            };
            checks::hash_value(&path, raw, value.start)?;
        }
        Ok(ComparisonExpr::Comparison(Comparison {
            path,
            negated,
            test,
        }))
    }

    /// `objectType ':' firstPathComponent objectPathComponent*`.
    fn object_path(&mut self) -> Result<ObjectPath> {
        let ty = self.tok;
        if !matches!(ty.kind, Kind::Ident | Kind::IdentHyphen) {
            return Err(self.unexpected("an object type such as 'file' or 'network-traffic'"));
        }
        let object_type = self.text(ty);
        if self.check {
            checks::object_type(object_type, ty.start)?;
        }
        self.bump()?;
        self.expect(Kind::Colon, "':' between the object type and the property")?;
        let mut steps = Vec::with_capacity(2);
        steps.push(PathStep::Key(self.key("a property name after ':'")?));
        loop {
            match self.tok.kind {
                Kind::Dot => {
                    self.bump()?;
                    steps.push(PathStep::Key(
                        self.key("a property name or quoted key after '.'")?,
                    ));
                }
                Kind::LBrack => {
                    self.bump()?;
                    let index = self.tok;
                    match index.kind {
                        Kind::Star => steps.push(PathStep::AnyIndex),
                        Kind::Int => {
                            let text = self.text(index);
                            let n: i64 = text.parse().map_err(|_| {
                                PatternError::new(
                                    index.start,
                                    format!("expected a list index that fits in 64 bits, found '{text}'"),
                                )
                            })?;
                            // `-0` too: the validator fails on any negative literal here.
                            if self.check && text.starts_with('-') {
                                return Err(PatternError::new(
                                    index.start,
                                    format!(
                                        "expected a list index of 0 or more, found '{text}' (the OASIS validator \
                                         cannot process negative indexes)"
                                    ),
                                ));
                            }
                            steps.push(PathStep::Index(n));
                        }
                        _ => {
                            return Err(
                                self.unexpected("a list index (an integer or '*') after '['")
                            )
                        }
                    }
                    self.bump()?;
                    self.expect(Kind::RBrack, "']' after the list index")?;
                }
                _ => break,
            }
        }
        Ok(ObjectPath {
            object_type: object_type.to_owned(),
            steps,
        })
    }

    /// A property name: an identifier without hyphens, or a quoted string.
    fn key(&mut self, expected: &str) -> Result<String> {
        let tok = self.tok;
        let key = match tok.kind {
            Kind::Ident => self.text(tok).to_owned(),
            Kind::Str => unescape(self.text(tok)),
            Kind::IdentHyphen => {
                return Err(PatternError::new(
                    tok.start,
                    format!(
                    "expected {expected}, found '{}': a name with '-' must be quoted, as in '{}'",
                    self.text(tok),
                    self.text(tok)
                ),
                ))
            }
            _ => return Err(self.unexpected(expected)),
        };
        self.bump()?;
        Ok(key)
    }

    /// A constant operand: `primitiveLiteral` (with booleans) or `orderableLiteral` (without).
    fn constant(&mut self, allowed: Literals) -> Result<Constant> {
        let tok = self.tok;
        let text = self.text(tok);
        let c = match tok.kind {
            // The grammar puts no bound on integers, and neither does the OASIS validator.
            Kind::Int => match text.parse() {
                Ok(n) => Constant::Int(n),
                Err(_) => Constant::BigInt(text.trim_start_matches('+').to_owned()),
            },
            Kind::Float => {
                let x: f64 = text.parse().map_err(|_| {
                    PatternError::new(
                        tok.start,
                        format!("expected a floating-point number, found '{text}'"),
                    )
                })?;
                if !x.is_finite() {
                    return Err(PatternError::new(
                        tok.start,
                        format!(
                            "expected a number within the range of a 64-bit float, found '{text}'"
                        ),
                    ));
                }
                Constant::Float(x)
            }
            Kind::Str => Constant::String(unescape(text)),
            Kind::True | Kind::False if allowed == Literals::Primitive => {
                Constant::Bool(tok.kind == Kind::True)
            }
            Kind::Timestamp => Constant::Timestamp(self.quoted_body(tok).to_owned()),
            Kind::Hex => Constant::Hex(self.quoted_body(tok).to_owned()),
            Kind::Binary => Constant::Binary(self.quoted_body(tok).to_owned()),
            Kind::True | Kind::False => return Err(self.unexpected(
                "a number, string, timestamp, hex or base64 constant (booleans are not ordered)",
            )),
            _ => {
                return Err(self.unexpected(
                    "a constant (a quoted string, number, boolean, t'…', h'…' or b'…')",
                ))
            }
        };
        self.bump()?;
        Ok(c)
    }

    /// `setLiteral : '(' ')' | '(' primitiveLiteral (',' primitiveLiteral)* ')'`.
    fn set(&mut self) -> Result<Vec<Constant>> {
        self.expect(Kind::LParen, "'(' to open the set after IN")?;
        let mut items = Vec::new();
        if self.eat(Kind::RParen)? {
            return Ok(items);
        }
        loop {
            items.push(self.constant(Literals::Primitive)?);
            match self.tok.kind {
                Kind::Comma => {
                    self.bump()?;
                }
                Kind::RParen => {
                    self.bump()?;
                    return Ok(items);
                }
                _ => return Err(self.unexpected("',' or ')' in the set")),
            }
        }
    }

    /// The quoted string operand of LIKE, MATCHES, ISSUBSET and ISSUPERSET.
    fn string_operand(&mut self, op: &str) -> Result<String> {
        if self.tok.kind != Kind::Str {
            return Err(self.unexpected(&format!("a quoted string after {op}")));
        }
        let tok = self.bump()?;
        Ok(unescape(self.text(tok)))
    }
}

fn is_operator(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Eq
            | Kind::Neq
            | Kind::Gt
            | Kind::Lt
            | Kind::Ge
            | Kind::Le
            | Kind::In
            | Kind::Like
            | Kind::Matches
            | Kind::IsSubset
            | Kind::IsSuperset
    )
}

/// One operand as itself, several as an `And`.
fn join_comparisons(mut items: Vec<ComparisonExpr>) -> ComparisonExpr {
    if items.len() == 1 {
        items.pop().expect("one item")
    } else {
        ComparisonExpr::And(items)
    }
}

/// One operand as itself, several as the n-ary node `make` builds.
fn join(
    mut items: Vec<ObservationExpr>,
    make: fn(Vec<ObservationExpr>) -> ObservationExpr,
) -> ObservationExpr {
    if items.len() == 1 {
        items.pop().expect("one item")
    } else {
        make(items)
    }
}

/// Adds an operand to an AND (or OR) list, splicing in a parenthesised AND (or OR) so the tree stays flat.
fn push_flat(items: &mut Vec<ComparisonExpr>, e: ComparisonExpr, and: bool) {
    match e {
        ComparisonExpr::And(v) if and => items.extend(v),
        ComparisonExpr::Or(v) if !and => items.extend(v),
        e => items.push(e),
    }
}

/// The value of a string literal token (quotes included), with `\'` and `\\` resolved.
fn unescape(token: &str) -> String {
    let body = &token[1..token.len() - 1];
    if !body.contains('\\') {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    let mut escaped = false;
    for c in body.chars() {
        if c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::{parse, validate};

    fn only_comparison(p: &Pattern) -> &ComparisonExpr {
        match &p.root {
            ObservationExpr::Observation(c) => c,
            other => panic!("not one observation: {other:?}"),
        }
    }

    #[test]
    fn comparison_groups_are_flattened() {
        let a =
            parse("[(file:a = 1 AND (file:b = 2 AND file:c = 3)) OR (file:d = 4 OR file:e = 5)]")
                .unwrap();
        let ComparisonExpr::Or(items) = only_comparison(&a) else {
            panic!("{a:?}")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], ComparisonExpr::And(v) if v.len() == 3));
        assert_eq!(
            a.to_string(),
            "[file:a = 1 AND file:b = 2 AND file:c = 3 OR file:d = 4 OR file:e = 5]"
        );
        let b = parse("[file:a = 1 AND (file:b = 2 OR file:c = 3)]").unwrap();
        assert_eq!(b.to_string(), "[file:a = 1 AND (file:b = 2 OR file:c = 3)]");
    }

    #[test]
    fn observation_groups_and_qualifiers_are_kept() {
        let p = parse("(([a-b:c = 1]) WITHIN 1 SECONDS) REPEATS 2 TIMES").unwrap();
        let ObservationExpr::Qualified(inner, Qualifier::Repeats(2)) = &p.root else {
            panic!("{p:?}")
        };
        assert!(matches!(&**inner, ObservationExpr::Group(_)));
        assert_eq!(
            p.to_string(),
            "(([a-b:c = 1]) WITHIN 1 SECONDS) REPEATS 2 TIMES"
        );
    }

    #[test]
    fn constants_and_paths_read_as_written() {
        let p = parse(
            "[file:x.'a b'[0][*].y IN (1, -2, 2.5, 'it\\'s', true, t'2020-01-01T00:00:00Z', h'0a', b'QQ==', 99999999999999999999)]",
        )
        .unwrap();
        let c = p.comparisons()[0].clone();
        assert_eq!(c.path.object_type, "file");
        assert_eq!(
            c.path.steps,
            [
                PathStep::Key("x".into()),
                PathStep::Key("a b".into()),
                PathStep::Index(0),
                PathStep::AnyIndex,
                PathStep::Key("y".into())
            ]
        );
        let Test::In(set) = c.test else { panic!() };
        assert_eq!(
            set,
            [
                Constant::Int(1),
                Constant::Int(-2),
                Constant::Float(2.5),
                Constant::String("it's".into()),
                Constant::Bool(true),
                Constant::Timestamp("2020-01-01T00:00:00Z".into()),
                Constant::Hex("0a".into()),
                Constant::Binary("QQ==".into()),
                Constant::BigInt("99999999999999999999".into()),
            ]
        );
    }

    #[test]
    fn the_normal_form_spells_synonyms_one_way() {
        let p = parse("[file:'name' == 'a' AND file:size<>+7 AND file:'AND' = 7.0] /* c */ WITHIN +.5 SECONDS").unwrap();
        assert_eq!(
            p.to_string(),
            "[file:name = 'a' AND file:size != 7 AND file:'AND' = 7.0] WITHIN 0.5 SECONDS"
        );
    }

    #[test]
    fn object_types_are_distinct_and_in_order() {
        let p = parse("[url:value = 'a' OR file:name = 'b'] FOLLOWEDBY [EXISTS url:x AND ipv4-addr:value = 'c']").unwrap();
        assert_eq!(p.object_types(), ["url", "file", "ipv4-addr"]);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}[file:name = 'x']{}", "(".repeat(n), ")".repeat(n));
        assert!(validate(&deep(255)).is_ok());
        let e = validate(&deep(300)).unwrap_err();
        assert_eq!(e.offset, 256);
        let deep_cmp = |n: usize| format!("[{}file:name = 'x'{}]", "(".repeat(n), ")".repeat(n));
        assert!(validate(&deep_cmp(255)).is_ok());
        assert!(validate(&deep_cmp(10_000)).is_err());
    }

    #[test]
    fn hand_built_trees_print_parentheses_where_needed() {
        let obs = |v: &str| {
            ObservationExpr::Observation(ComparisonExpr::Comparison(Comparison {
                path: ObjectPath {
                    object_type: "file".into(),
                    steps: vec![PathStep::Key("name".into())],
                },
                negated: false,
                test: Test::Equal(Constant::String(v.into())),
            }))
        };
        let tree = Pattern {
            root: ObservationExpr::Qualified(
                Box::new(ObservationExpr::And(vec![
                    obs("a"),
                    ObservationExpr::Or(vec![obs("b"), obs("c")]),
                ])),
                Qualifier::Within(5.0),
            ),
        };
        let text = tree.to_string();
        assert_eq!(
            text,
            "([file:name = 'a'] AND ([file:name = 'b'] OR [file:name = 'c'])) WITHIN 5 SECONDS"
        );
        assert!(validate(&text).is_ok());
    }
}
