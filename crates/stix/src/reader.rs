//! A streaming reader of STIX objects from any file shape.
//!
//! One mechanism covers every shape: the input is a sequence of top-level JSON values (one for a
//! bundle, an array or a single object; several for a file of one object per line). Each top-level
//! value is
//! - a bundle (an object with an `objects` array): its objects are yielded one by one as the array
//!   is read, and its header (`type`, `id`, `spec_version`) is checked;
//! - an array: its elements are yielded one by one;
//! - any other object: yielded whole.
//!
//! The reader only finds object boundaries (a byte scanner that tracks strings, nesting and lines);
//! each object's bytes are then parsed by serde_json. Memory holds one object and one read buffer, so
//! it does not grow with the input: a 1 GB bundle is read with the same few megabytes as a small one.
//! A single object is capped at [`ReaderOptions::max_object_bytes`] so that a hostile or broken file
//! (a 50 MB string, an unterminated string) gets a clear error rather than an unbounded buffer.

use std::fmt;
use std::io::{self, Read};

use crate::JsonMap;

/// Where something is in an input file: byte offset, and 1-based line and column (in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Location {
    /// Byte offset from the start of the file.
    pub offset: u64,
    /// Line number, from 1.
    pub line: u64,
    /// Column in bytes, from 1.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One STIX object's bytes, cut out of the input, with where it came from.
#[derive(Debug, Clone)]
pub struct RawObject {
    /// The object's JSON text, exactly as in the file.
    pub bytes: Vec<u8>,
    /// Where the object starts (its `{`).
    pub start: Location,
    /// JSON pointer of the object in its top-level value: `/objects/3` in a bundle, `/3` in an
    /// array, `` for a single object. With several top-level values (one object per line) the
    /// location's line tells them apart.
    pub pointer: String,
    /// The enclosing bundle's `spec_version`, when it declared one (STIX 2.0 bundles do; 2.1 ones do not).
    pub bundle_spec_version: Option<String>,
}

impl RawObject {
    /// Parses the object's bytes into the generic form; syntax errors carry their place in the file.
    pub fn parse(&self) -> Result<JsonMap, ReadError> {
        parse_object(&self.bytes).map_err(|e| {
            let location = self.relative_location(e.line() as u64, e.column() as u64);
            ReadError::syntax(location, strip_serde_position(&e.to_string()))
        })
    }

    /// Turns a (line, column) inside the object's bytes into a location in the file.
    fn relative_location(&self, line: u64, column: u64) -> Location {
        let line = line.max(1);
        let offset = line_offset(&self.bytes, line) + column.saturating_sub(1);
        Location {
            offset: self.start.offset + offset,
            line: self.start.line + line - 1,
            column: if line == 1 {
                self.start.column + column.saturating_sub(1)
            } else {
                column
            },
        }
    }
}

/// Parses one JSON object, refusing a key repeated in any object at any depth.
///
/// RFC 8259 leaves repeated keys to the parser, and `serde_json` silently keeps the last value:
/// a `"created_by_ref"` or a marking written twice would lose one of its values unseen. The error
/// carries serde_json's line and column, at the repeated key's value.
pub fn parse_object(bytes: &[u8]) -> Result<JsonMap, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = UniqueKeys.deserialize(&mut de)?;
    de.end()?;
    match value {
        serde_json::Value::Object(map) => Ok(map),
        other => Err(<serde_json::Error as serde::de::Error>::invalid_type(
            unexpected(&other),
            &"a JSON object",
        )),
    }
}

/// Parses any JSON value as [`parse_object`] does, refusing repeated keys.
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = UniqueKeys.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

fn unexpected(v: &serde_json::Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match v {
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Bool(b) => Unexpected::Bool(*b),
        serde_json::Value::Number(_) => Unexpected::Other("a number"),
        serde_json::Value::String(s) => Unexpected::Str(s),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
    }
}

/// A `serde_json::Value` deserializer that fails on a repeated key (serde_json's own keeps the last).
#[derive(Clone, Copy)]
struct UniqueKeys;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // JSON has no NaN or infinity, so every f64 serde_json hands over is finite.
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = JsonMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(self)?);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    return Err(serde::de::Error::custom(format_args!(
                        "the key {:?} appears twice in one object (a JSON parser would silently keep only one value)",
                        slot.key()
                    )));
                }
            }
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// Byte offset at which 1-based `line` starts in `bytes`.
fn line_offset(bytes: &[u8], line: u64) -> u64 {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', bytes)
        .nth((line - 2) as usize)
        .map_or(bytes.len() as u64, |i| i as u64 + 1)
}

/// serde_json appends " at line L column C" (relative to the object); we report absolute positions instead.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Why reading stopped or an object could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bytes are not well-formed JSON, or not a shape that holds STIX objects.
    #[error("{location}: {message}")]
    Syntax {
        /// Where the problem was found.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
}

impl ReadError {
    fn syntax(location: Location, message: impl Into<String>) -> Self {
        ReadError::Syntax {
            location,
            message: message.into(),
        }
    }

    /// The location of a syntax error.
    pub fn location(&self) -> Option<Location> {
        match self {
            ReadError::Syntax { location, .. } => Some(*location),
            ReadError::Io(_) => None,
        }
    }
}

/// Limits of the reader.
#[derive(Debug, Clone, Copy)]
pub struct ReaderOptions {
    /// The largest single STIX object accepted, in bytes.
    pub max_object_bytes: usize,
    /// The size of each read from the input.
    pub chunk_bytes: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            // Real STIX objects are kilobytes; the largest in ATT&CK is under 100 KB. 16 MiB leaves
            // room for reports with embedded artifacts while refusing runaway input.
            max_object_bytes: 16 << 20,
            chunk_bytes: 256 << 10,
        }
    }
}

/// What the scanner is in the middle of, between two yielded objects.
#[derive(Debug)]
enum State {
    /// Between top-level values.
    Top,
    /// Inside the array of a bundle or a bare array, before the next element or the closing `]`.
    Elements {
        in_bundle: bool,
        index: usize,
        first: bool,
    },
    /// After a bundle's `objects` array: the remaining keys of the bundle.
    BundleTail,
    /// Finished, or stopped on an error.
    Done,
}

/// The header of the bundle being read, gathered from its keys.
#[derive(Debug, Default)]
struct BundleHeader {
    type_: Option<String>,
    spec_version: Option<String>,
    start: Location,
    /// Where an `objects` property that is not an array starts, and what it is: an error when the
    /// object turns out to be a bundle (a 2.0 `observed-data` has an `objects` dictionary).
    objects_not_array: Option<(Location, String)>,
}

/// Streams [`RawObject`]s out of a reader; see the module documentation.
pub struct Reader<R> {
    src: R,
    options: ReaderOptions,
    buf: Vec<u8>,
    /// Next byte to look at.
    pos: usize,
    /// End of the valid bytes in `buf`.
    end: usize,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Start of the bytes that must be kept when the buffer is refilled (the object being cut out).
    mark: Option<usize>,
    eof: bool,
    line: u64,
    /// Absolute offset of the first byte of the current line.
    line_start: u64,
    state: State,
    bundle: BundleHeader,
    /// Bracket kinds open inside the value being skipped.
    nesting: Vec<u8>,
    at_start: bool,
}

impl<R> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("offset", &(self.base + self.pos as u64))
            .field("state", &self.state)
            .finish()
    }
}

impl<R: Read> Reader<R> {
    /// A reader with default limits.
    pub fn new(src: R) -> Self {
        Self::with_options(src, ReaderOptions::default())
    }

    /// A reader with the given limits.
    pub fn with_options(src: R, options: ReaderOptions) -> Self {
        Reader {
            src,
            options,
            buf: vec![0; options.chunk_bytes.max(16)],
            pos: 0,
            end: 0,
            base: 0,
            mark: None,
            eof: false,
            line: 1,
            line_start: 0,
            state: State::Top,
            bundle: BundleHeader::default(),
            nesting: Vec::new(),
            at_start: true,
        }
    }

    /// The next object, an error (after which the reader yields nothing more), or `None` at the end.
    pub fn next_object(&mut self) -> Option<Result<RawObject, ReadError>> {
        match self.advance() {
            Ok(Some(obj)) => Some(Ok(obj)),
            Ok(None) => {
                self.state = State::Done;
                None
            }
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }

    fn advance(&mut self) -> Result<Option<RawObject>, ReadError> {
        if self.at_start {
            self.at_start = false;
            self.skip_bom()?;
        }
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Top => {
                    self.skip_ws()?;
                    let Some(b) = self.peek()? else {
                        return Ok(None);
                    };
                    match b {
                        b'[' => {
                            self.bump();
                            self.bundle = BundleHeader::default();
                            self.state = State::Elements {
                                in_bundle: false,
                                index: 0,
                                first: true,
                            };
                        }
                        b'{' => {
                            if let Some(obj) = self.top_object()? {
                                return Ok(Some(obj));
                            }
                        }
                        _ => {
                            return Err(self.error_here(format!(
                                "expected a STIX bundle, object or array of objects, found {}",
                                describe(b)
                            )))
                        }
                    }
                }
                State::Elements {
                    in_bundle,
                    index,
                    first,
                } => {
                    self.skip_ws()?;
                    let Some(b) = self.peek()? else {
                        return Err(self.error_here("the input ends inside an array of objects"));
                    };
                    if b == b']' {
                        self.bump();
                        self.state = if in_bundle {
                            State::BundleTail
                        } else {
                            State::Top
                        };
                        continue;
                    }
                    if !first {
                        if b != b',' {
                            return Err(self.error_here(format!(
                                "expected `,` or `]` after an object, found {}",
                                describe(b)
                            )));
                        }
                        self.bump();
                        self.skip_ws()?;
                    }
                    let Some(b) = self.peek()? else {
                        return Err(self.error_here("the input ends inside an array of objects"));
                    };
                    if b != b'{' {
                        return Err(self.error_here(format!(
                            "expected a STIX object (`{{`) as element {index} of the array, found {}",
                            describe(b)
                        )));
                    }
                    let pointer = if in_bundle {
                        format!("/objects/{index}")
                    } else {
                        format!("/{index}")
                    };
                    self.state = State::Elements {
                        in_bundle,
                        index: index + 1,
                        first: false,
                    };
                    let obj = self.cut_value(pointer)?;
                    return Ok(Some(obj));
                }
                State::BundleTail => {
                    self.bundle_keys(None)?;
                    self.finish_bundle()?;
                    self.state = State::Top;
                }
            }
        }
    }

    /// Reads a top-level object: a bundle (switching to element mode) or a single STIX object.
    fn top_object(&mut self) -> Result<Option<RawObject>, ReadError> {
        let start = self.location();
        self.mark = Some(self.pos);
        self.bundle = BundleHeader {
            start,
            ..BundleHeader::default()
        };
        self.bump(); // `{`
        if self.bundle_keys(Some(start))? {
            // Found `objects: [`: the header before it is not needed any more.
            self.mark = None;
            self.state = State::Elements {
                in_bundle: true,
                index: 0,
                first: true,
            };
            return Ok(None);
        }
        // A whole object with no `objects` array: a single STIX object (or an empty bundle).
        let mark = self.mark.take().expect("mark set above");
        if self.bundle.type_.as_deref() == Some("bundle") {
            if let Some((at, found)) = self.bundle.objects_not_array.take() {
                return Err(ReadError::syntax(
                    at,
                    format!("a bundle's `objects` must be an array of objects, found {found}"),
                ));
            }
            return Ok(None);
        }
        Ok(Some(RawObject {
            bytes: self.buf[mark..self.pos].to_vec(),
            start,
            pointer: String::new(),
            bundle_spec_version: None,
        }))
    }

    /// Reads the keys of a top-level object up to its `}` or, when `opening` is given (its first
    /// keys), up to an `objects` array, which it enters (returning true). Records `type` and `spec_version`.
    fn bundle_keys(&mut self, opening: Option<Location>) -> Result<bool, ReadError> {
        let mut first = opening.is_some();
        loop {
            self.skip_ws()?;
            let b = self.expect_more("the input ends inside an object")?;
            if b == b'}' {
                self.bump();
                return Ok(false);
            }
            if !first {
                if b != b',' {
                    return Err(self.error_here(format!(
                        "expected `,` or `}}` between properties, found {}",
                        describe(b)
                    )));
                }
                self.bump();
                self.skip_ws()?;
            }
            first = false;
            let b = self.expect_more("the input ends inside an object")?;
            if b != b'"' {
                return Err(self.error_here(format!(
                    "expected a property name in double quotes, found {}",
                    describe(b)
                )));
            }
            // Indices move when the buffer is refilled; keep absolute offsets and hold the bytes
            // with a mark while they are needed.
            let own_mark = self.mark.is_none();
            if own_mark {
                self.mark = Some(self.pos);
            }
            let key_start = self.offset();
            self.skip_string()?;
            let key = self.slice_from(key_start)[1..].to_vec();
            let key = &key[..key.len() - 1];
            self.skip_ws()?;
            let b = self.expect_more("the input ends inside an object")?;
            if b != b':' {
                return Err(self.error_here(format!(
                    "expected `:` after a property name, found {}",
                    describe(b)
                )));
            }
            self.bump();
            self.skip_ws()?;
            let b = self.expect_more("the input ends inside an object")?;
            if key == b"objects" && b == b'[' && opening.is_some() {
                if own_mark {
                    self.mark = None;
                }
                self.bump();
                return Ok(true);
            }
            if key == b"objects" {
                if opening.is_none() {
                    // After the bundle's array: a second one would be skipped unread.
                    return Err(self.error_here("the bundle has a second `objects` property"));
                }
                self.bundle.objects_not_array = Some((self.location(), describe(b)));
            }
            let value_start = self.offset();
            let value_location = self.location();
            self.skip_value()?;
            if key == b"type" || key == b"spec_version" {
                let text: serde_json::Value = serde_json::from_slice(self.slice_from(value_start))
                    .map_err(|e| {
                        ReadError::syntax(value_location, strip_serde_position(&e.to_string()))
                    })?;
                let text = text.as_str().map(str::to_string);
                if key == b"type" {
                    self.bundle.type_ = text;
                } else {
                    self.bundle.spec_version = text;
                }
            }
            if own_mark {
                self.mark = None;
            }
        }
    }

    /// Checks a finished bundle's header.
    fn finish_bundle(&mut self) -> Result<(), ReadError> {
        match self.bundle.type_.as_deref() {
            Some("bundle") => Ok(()),
            other => Err(ReadError::syntax(
                self.bundle.start,
                format!(
                    "a top-level object with an `objects` array must be a STIX bundle, but its type is {}",
                    other.map_or("missing".to_string(), |t| format!("`{t}`"))
                ),
            )),
        }
    }

    /// Cuts out the object starting at the current position (a `{`) as a [`RawObject`].
    fn cut_value(&mut self, pointer: String) -> Result<RawObject, ReadError> {
        let start = self.location();
        self.mark = Some(self.pos);
        self.skip_value()?;
        let mark = self.mark.take().expect("mark set above");
        Ok(RawObject {
            bytes: self.buf[mark..self.pos].to_vec(),
            start,
            pointer,
            bundle_spec_version: self.bundle.spec_version.clone(),
        })
    }

    /// Skips one JSON value, checking that brackets balance and strings end. Scalars are only
    /// delimited here; serde_json checks them when the object is parsed.
    fn skip_value(&mut self) -> Result<(), ReadError> {
        self.nesting.clear();
        loop {
            let Some(b) = self.peek()? else {
                return Err(self.error_here(if self.nesting.is_empty() {
                    "the input ends where a value was expected"
                } else {
                    "the input ends inside an object or array (a `}` or `]` is missing)"
                }));
            };
            match b {
                b'"' => self.skip_string()?,
                b'{' | b'[' => {
                    self.nesting.push(b);
                    self.bump();
                }
                b'}' | b']' => {
                    let open = if b == b'}' { b'{' } else { b'[' };
                    match self.nesting.pop() {
                        Some(o) if o == open => self.bump(),
                        Some(o) => {
                            return Err(self
                                .error_here(format!("`{}` closes a `{}`", b as char, o as char)))
                        }
                        None => {
                            return Err(self.error_here(format!("unexpected `{}`", b as char)));
                        }
                    }
                }
                b'\n' => self.newline(),
                _ => {
                    if self.nesting.is_empty() && (b == b',' || b == b':') {
                        return Err(
                            self.error_here(format!("expected a value, found `{}`", b as char))
                        );
                    }
                    self.bump();
                }
            }
            if self.nesting.is_empty() && matches!(b, b'"' | b'}' | b']') {
                return Ok(());
            }
            if self.nesting.is_empty() && !matches!(b, b'{' | b'[') {
                // A scalar at the top of the value: it ends at the next delimiter.
                while let Some(c) = self.peek()? {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.bump();
                }
                return Ok(());
            }
        }
    }

    /// Skips a string starting at the current `"`.
    fn skip_string(&mut self) -> Result<(), ReadError> {
        let start = self.location();
        self.bump();
        loop {
            match memchr::memchr2(b'"', b'\\', &self.buf[self.pos..self.end]) {
                Some(i) => {
                    let at = self.pos + i;
                    if self.buf[at] == b'"' {
                        self.pos = at + 1;
                        return Ok(());
                    }
                    // A backslash: skip it and the byte it escapes.
                    self.pos = at + 1;
                    if self.peek()?.is_none() {
                        break;
                    }
                    self.pos += 1;
                }
                None => {
                    self.pos = self.end;
                    if !self.fill()? {
                        break;
                    }
                }
            }
        }
        Err(ReadError::syntax(
            start,
            "a string starting here never ends",
        ))
    }

    fn skip_ws(&mut self) -> Result<(), ReadError> {
        while let Some(b) = self.peek()? {
            match b {
                b' ' | b'\t' | b'\r' => self.bump(),
                b'\n' => self.newline(),
                _ => break,
            }
        }
        Ok(())
    }

    fn skip_bom(&mut self) -> Result<(), ReadError> {
        while self.end - self.pos < 3 && self.fill()? {}
        if self.buf[self.pos..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos += 3;
            self.line_start = 3;
        }
        Ok(())
    }

    fn expect_more(&mut self, message: &str) -> Result<u8, ReadError> {
        match self.peek()? {
            Some(b) => Ok(b),
            None => Err(self.error_here(message)),
        }
    }

    #[inline]
    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        if self.pos < self.end || self.fill()? {
            Ok(Some(self.buf[self.pos]))
        } else {
            Ok(None)
        }
    }

    #[inline]
    fn bump(&mut self) {
        self.pos += 1;
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.base + self.pos as u64;
    }

    /// Absolute offset of the current position.
    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The bytes from absolute offset `from` (still held in the buffer by a mark) to the current position.
    fn slice_from(&self, from: u64) -> &[u8] {
        &self.buf[(from - self.base) as usize..self.pos]
    }

    fn location(&self) -> Location {
        let offset = self.base + self.pos as u64;
        Location {
            offset,
            line: self.line,
            column: offset - self.line_start + 1,
        }
    }

    fn error_here(&self, message: impl Into<String>) -> ReadError {
        ReadError::syntax(self.location(), message)
    }

    /// Reads more input after `end`, keeping the marked object; false at the end of the input.
    fn fill(&mut self) -> Result<bool, ReadError> {
        if self.eof {
            return Ok(false);
        }
        let keep_from = self.mark.unwrap_or(self.pos);
        if keep_from > 0 {
            self.buf.copy_within(keep_from..self.end, 0);
            self.base += keep_from as u64;
            self.pos -= keep_from;
            self.end -= keep_from;
            if let Some(m) = self.mark.as_mut() {
                *m = 0;
            }
        }
        if self.end + self.options.chunk_bytes > self.buf.len() {
            let kept = self.end;
            if kept > self.options.max_object_bytes {
                let start = self.mark_location();
                return Err(ReadError::syntax(
                    start,
                    format!(
                        "the object starting here is larger than the {} MiB limit for one STIX object",
                        self.options.max_object_bytes >> 20
                    ),
                ));
            }
            self.buf.resize(self.end + self.options.chunk_bytes, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The location of the marked object's start, for the size-limit error. Lines are not tracked
    /// backwards, so this names the offset and the line where reading stopped.
    fn mark_location(&self) -> Location {
        let offset = self.base + self.mark.unwrap_or(self.pos) as u64;
        Location {
            offset,
            line: self.line,
            column: offset.saturating_sub(self.line_start) + 1,
        }
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<RawObject, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_object()
    }
}

fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str, chunk: usize) -> Vec<Result<(String, String, u64, u64), String>> {
        let opts = ReaderOptions {
            max_object_bytes: 1 << 20,
            chunk_bytes: chunk,
        };
        Reader::with_options(input.as_bytes(), opts)
            .map(|r| {
                r.map(|o| {
                    (
                        String::from_utf8(o.bytes).unwrap(),
                        o.pointer,
                        o.start.line,
                        o.start.column,
                    )
                })
                .map_err(|e| e.to_string())
            })
            .collect()
    }

    fn check(input: &str, expected: &[(&str, &str, u64, u64)]) {
        // Every chunk size, down to one byte, must cut the same objects.
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let got = read_all(input, chunk);
            let want: Vec<_> = expected
                .iter()
                .map(|(b, p, l, c)| Ok((b.to_string(), p.to_string(), *l, *c)))
                .collect();
            assert_eq!(got, want, "chunk size {chunk}");
        }
    }

    #[test]
    fn cuts_objects_out_of_every_shape() {
        check(
            "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"a\":\"}\"},\n  {\"b\":[1,{\"c\":\"\\\"\"}]}]}",
            &[
                ("{\"a\":\"}\"}", "/objects/0", 1, 46),
                ("{\"b\":[1,{\"c\":\"\\\"\"}]}", "/objects/1", 2, 3),
            ],
        );
        check(
            "[{\"x\":1} , {\"y\":2}]",
            &[("{\"x\":1}", "/0", 1, 2), ("{\"y\":2}", "/1", 1, 12)],
        );
        check(
            "{\"type\":\"indicator\"}",
            &[("{\"type\":\"indicator\"}", "", 1, 1)],
        );
        check(
            "{\"type\":\"a\"}\n{\"type\":\"b\"}\n",
            &[
                ("{\"type\":\"a\"}", "", 1, 1),
                ("{\"type\":\"b\"}", "", 2, 1),
            ],
        );
        check("{\"type\":\"bundle\",\"id\":\"bundle--1\"}", &[]);
        check("\u{feff}[{\"x\":1}]", &[("{\"x\":1}", "/0", 1, 2)]);
        check("[]", &[]);
    }

    #[test]
    fn keeps_the_bundle_spec_version_for_the_2_0_upgrade() {
        let input = r#"{"type":"bundle","spec_version":"2.0","objects":[{"type":"malware"}]}"#;
        let objs: Vec<_> = Reader::new(input.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(objs[0].bundle_spec_version.as_deref(), Some("2.0"));
    }

    #[test]
    fn reports_broken_input_with_its_place() {
        let errors = |input: &str| -> Vec<String> {
            read_all(input, 3)
                .into_iter()
                .filter_map(Result::err)
                .collect()
        };
        assert_eq!(
            errors("[{\"a\":1},\n {\"b\":2]"),
            vec!["line 2, column 8: `]` closes a `{`"]
        );
        assert_eq!(
            errors("{\"type\":\"bundle\",\"objects\":[{\"a\":\"x}]}"),
            vec!["line 1, column 34: a string starting here never ends"]
        );
        assert_eq!(
            errors("[{\"a\":1} {\"b\":1}]"),
            vec!["line 1, column 10: expected `,` or `]` after an object, found `{`"]
        );
        assert_eq!(
            errors("{\"type\":\"report\",\"objects\":[]}"),
            vec!["line 1, column 1: a top-level object with an `objects` array must be a STIX bundle, but its type is `report`"]
        );
        assert_eq!(errors("[1]"), vec!["line 1, column 2: expected a STIX object (`{`) as element 0 of the array, found `1`"]);
        assert_eq!(
            errors("nope"),
            vec!["line 1, column 1: expected a STIX bundle, object or array of objects, found `n`"]
        );
        assert_eq!(
            errors("[{\"a\":1}"),
            vec!["line 1, column 9: the input ends inside an array of objects"]
        );
    }

    #[test]
    fn parse_errors_point_into_the_file() {
        let input = "[\n  {\"a\": 1},\n  {\"b\":\n     tru}\n]";
        let objs: Vec<_> = Reader::new(input.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(objs[0].parse().is_ok());
        let err = objs[1].parse().unwrap_err();
        assert_eq!(err.location().map(|l| (l.line, l.column)), Some((4, 9)));
    }

    #[test]
    fn refuses_a_repeated_key_at_any_depth_with_its_place() {
        let input = "[\n {\"type\": \"campaign\",\n  \"x\": {\"a\": 1,\n        \"a\": 2}}]";
        let objs: Vec<_> = Reader::new(input.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let err = objs[0].parse().unwrap_err();
        assert!(err.to_string().contains("\"a\" appears twice"), "{err}");
        assert_eq!(err.location().map(|l| l.line), Some(4));
        // The same keys in different objects, and numbers, are read as serde_json reads them.
        let fine = br#"{"a": {"a": 1.5e300, "b": -0.0}, "b": [{"a": 18446744073709551615}]}"#;
        assert_eq!(
            serde_json::Value::Object(parse_object(fine).unwrap()),
            serde_json::from_slice::<serde_json::Value>(fine).unwrap()
        );
        assert!(parse_object(b"[1]").is_err());
        assert!(parse_value(b"{\"k\": 1, \"k\": 1}").is_err());
    }

    #[test]
    fn a_bundle_whose_objects_are_not_an_array_is_an_error() {
        let errors = |input: &str| -> Vec<String> {
            Reader::new(input.as_bytes())
                .filter_map(Result::err)
                .map(|e| e.to_string())
                .collect()
        };
        assert_eq!(
            errors("{\"type\":\"bundle\",\n\"objects\": 5}"),
            vec!["line 2, column 12: a bundle's `objects` must be an array of objects, found `5`"]
        );
        assert_eq!(
            errors("{\"objects\": {\"0\": {}}, \"type\": \"bundle\"}").len(),
            1
        );
        assert_eq!(
            errors("{\"type\":\"bundle\",\"objects\":[],\n\"objects\":[{\"a\":1}]}"),
            vec!["line 2, column 11: the bundle has a second `objects` property"]
        );
        // A STIX 2.0 observed-data has an `objects` dictionary: it is an object, not a bundle.
        let observed = r#"{"type":"observed-data","objects":{"0":{"type":"file"}}}"#;
        let objs: Vec<_> = Reader::new(observed.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(objs.len(), 1);
    }

    #[test]
    fn refuses_an_object_over_the_limit() {
        let big = format!("[{{\"description\":\"{}\"}}]", "x".repeat(3000));
        let opts = ReaderOptions {
            max_object_bytes: 1000,
            chunk_bytes: 256,
        };
        let err = Reader::with_options(big.as_bytes(), opts)
            .find_map(Result::err)
            .unwrap();
        assert!(err.to_string().contains("larger than the"), "{err}");
        assert_eq!(err.location().unwrap().offset, 1);
    }
}
