//! Shared pieces of the CSV tracker adapters (EuRepoC, CFR, CISSM, DCID): loading a table with its
//! header checked and every row's physical line, the verbatim `original` of a row, the record
//! accounting, and the small parsers the trackers' dirty cells need (Python list literals, leaked
//! spreadsheet formulas, mojibake, URLs inside free text).
//!
//! Everything here works on one cell or one row; the adapters decide what a cell means.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use threatscape_model::{DateSpan, FuzzyDate, Report};

use crate::{AdapterOutput, RecordIssue, SourceError};

/// The actor name used when a source gives an actor's country or category but no name.
pub const UNNAMED_ACTOR: &str = "(unnamed)";

/// Whether a cell says nothing: empty, or one of the trackers' "no value" words
/// (`Not available`, `Unknown`, `N/A`, `nan`, `None`), compared case-insensitively.
pub fn is_absent(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty()
        || ["not available", "unknown", "n/a", "nan", "none"]
            .iter()
            .any(|w| t.eq_ignore_ascii_case(w))
}

/// The trimmed cell, or None when [`is_absent`].
pub fn present(cell: &str) -> Option<&str> {
    (!is_absent(cell)).then(|| cell.trim())
}

// ---------------------------------------------------------------------------------------------
// Tables

/// A CSV file's header, checked; its rows come one at a time from [`Rows`] (or all at once from
/// [`Table::read`], for the small side tables that are joined by key).
#[derive(Debug)]
pub(crate) struct Table {
    /// The file, as given (used in provenance and issues).
    pub file: String,
    /// The header cells, verbatim (a UTF-8 byte-order mark removed).
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    /// The rows that have as many cells as the header ([`Table::read`] only; empty when streamed).
    pub rows: Vec<Row>,
    /// Rows that could not be used at all (wrong number of cells), with line and reason
    /// ([`Table::read`] only).
    pub malformed: Vec<RecordIssue>,
}

/// The largest cell a tracker row may have. The longest real ones (EuRepoC's descriptions and
/// source lists) are a few kilobytes; one megabyte leaves room while refusing a runaway cell, as the
/// STIX reader caps one object.
pub const MAX_CELL_BYTES: usize = 1 << 20;

/// One CSV row.
#[derive(Debug)]
pub(crate) struct Row {
    /// The 1-based physical line where the record starts (a quoted cell may span lines).
    pub line: u64,
    /// The cells, unquoted.
    pub cells: Vec<String>,
    /// Whether invalid UTF-8 was replaced by U+FFFD while reading the row.
    pub lossy: bool,
}

/// The rows of a CSV file, read one record at a time through a buffered reader, so memory holds
/// one record (and the reader's buffer) whatever the file's size.
pub(crate) struct Rows {
    reader: csv::Reader<LineEnds<std::io::BufReader<std::fs::File>>>,
    record: csv::ByteRecord,
    lines: LineCounter,
    file: String,
    width: usize,
}

impl Table {
    /// Opens `path` as CSV with a header and returns the header and the rows still to read; fails
    /// when the file cannot be read or when any of `required` is missing from the header (so a
    /// file of another dataset is refused by name: `dataset` says which dataset was expected).
    pub fn open(
        path: &Path,
        dataset: &str,
        required: &[&str],
    ) -> Result<(Table, Rows), SourceError> {
        let file = path.display().to_string();
        let source = std::fs::File::open(path).map_err(|source| SourceError::Io {
            file: file.clone(),
            source,
        })?;
        let ends = LineEnds {
            inner: std::io::BufReader::with_capacity(64 << 10, source),
            offset: 0,
            seen: Default::default(),
        };
        let seen = std::rc::Rc::clone(&ends.seen);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(ends);
        let mut rows = Rows {
            reader,
            record: csv::ByteRecord::new(),
            lines: LineCounter {
                seen,
                line: 1,
                cursor: 0,
            },
            file: file.clone(),
            width: 0,
        };
        if !rows.read_record()? {
            return Err(rows.format_err(format!(
                "empty file: expected a {dataset} CSV with a header line"
            )));
        }
        let mut headers: Vec<String> = rows
            .record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        if let Some(first) = headers.first_mut() {
            if let Some(stripped) = first.strip_prefix('\u{feff}') {
                *first = stripped.to_string();
            }
        }
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            index.entry(h.trim().to_string()).or_insert(i);
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !index.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(rows.format_err(format!(
                "not a {dataset} CSV: the header lacks column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        rows.width = headers.len();
        let table = Table {
            file,
            headers,
            index,
            rows: Vec::new(),
            malformed: Vec::new(),
        };
        Ok((table, rows))
    }

    /// Reads `path` whole (see [`Table::open`]): its rows in [`Table::rows`], the unusable ones in
    /// [`Table::malformed`]. For tables that must be held to be joined; stream the others.
    pub fn read(path: &Path, dataset: &str, required: &[&str]) -> Result<Table, SourceError> {
        let (mut table, mut rows) = Table::open(path, dataset, required)?;
        while let Some(item) = rows.next_row(&table)? {
            match item {
                Ok(row) => table.rows.push(row),
                Err(issue) => table.malformed.push(issue),
            }
        }
        Ok(table)
    }

    /// The column's position (header compared trimmed), when the header has it.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The cell of `row` in column `name`, or "" when the column does not exist.
    pub fn get<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.col(name)
            .and_then(|i| row.cells.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The row as a JSON object of header -> cell text, in column order (see [`original_json`]).
    pub fn original(&self, row: &Row) -> String {
        original_json(&self.headers, &row.cells)
    }
}

impl Rows {
    fn format_err(&self, message: String) -> SourceError {
        SourceError::Format {
            file: self.file.clone(),
            message,
        }
    }

    fn read_record(&mut self) -> Result<bool, SourceError> {
        self.reader.read_byte_record(&mut self.record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            self.format_err(format!("line {line}: not readable as CSV: {e}"))
        })
    }

    /// The next row: `Ok(Some(Ok(row)))`, or `Ok(Some(Err(issue)))` for a row that cannot be used
    /// (wrong number of cells, a runaway cell), `Ok(None)` at the end; an error when the file
    /// stops being readable as CSV (the whole file fails, as a STIX syntax error does).
    pub fn next_row(
        &mut self,
        table: &Table,
    ) -> Result<Option<Result<Row, RecordIssue>>, SourceError> {
        if !self.read_record()? {
            return Ok(None);
        }
        let record = &self.record;
        let line = self.lines.line_of(record);
        let issue = |message: String| RecordIssue {
            file: self.file.clone(),
            locator: format!("line {line}"),
            message,
        };
        if record.len() != self.width {
            return Ok(Some(Err(issue(format!(
                "the row has {} cells but the header has {}: cells cannot be matched to columns",
                record.len(),
                self.width
            )))));
        }
        if let Some((column, cell)) = record
            .iter()
            .enumerate()
            .find(|(_, c)| c.len() > MAX_CELL_BYTES)
        {
            return Ok(Some(Err(issue(format!(
                "the cell of column `{}` holds {} bytes, more than the {} a cell may hold: \
                 it is not a tracker's coding (a quote left open swallows the rest of a file)",
                table.headers.get(column).map_or("?", String::as_str).trim(),
                cell.len(),
                MAX_CELL_BYTES
            )))));
        }
        let mut lossy = false;
        let cells = record
            .iter()
            .map(|c| match std::str::from_utf8(c) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    lossy = true;
                    String::from_utf8_lossy(c).into_owned()
                }
            })
            .collect();
        Ok(Some(Ok(Row { line, cells, lossy })))
    }
}

/// A reader that notes the offset of every line-end byte (`\r`, `\n`) that passes through it, for
/// [`LineCounter`]. Only those not yet passed by the records are kept: the reader's look-ahead.
struct LineEnds<R> {
    inner: R,
    offset: u64,
    seen: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<(u64, u8)>>>,
}

impl<R: std::io::Read> std::io::Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.seen.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\r' || b == b'\n' {
                seen.push_back((self.offset + i as u64, b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Physical line numbers of records. The `csv` crate's own line count is one short after a CRLF
/// line end (it counts the `\n` of the previous record's `\r\n` as part of the next record), so
/// lines are counted here from each record's byte offset: the record starts after any line-end
/// bytes at that offset, on the line after the last `\n` before it.
struct LineCounter {
    seen: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<(u64, u8)>>>,
    line: u64,
    /// Line ends before this offset are counted in `line`.
    cursor: u64,
}

impl LineCounter {
    fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let Some(pos) = record.position() else {
            return self.line;
        };
        let mut seen = self.seen.borrow_mut();
        let mut start = pos.byte();
        if start < self.cursor {
            return self.line;
        }
        // Line ends before the record's offset, then those right at it (they precede its text).
        while let Some(&(at, byte)) = seen.front() {
            if at <= start {
                if at == start {
                    start += 1;
                }
                if byte == b'\n' {
                    self.line += 1;
                }
                seen.pop_front();
            } else {
                break;
            }
        }
        self.cursor = start;
        self.line
    }
}

/// A CSV row as a JSON object of header -> raw cell text, in column order: the `original` kept
/// with every CSV report. A repeated header name gets ` (2)`, ` (3)`... so no cell is lost.
pub fn original_json(headers: &[String], cells: &[String]) -> String {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = String::with_capacity(cells.iter().map(|c| c.len() + 8).sum::<usize>() + 64);
    out.push('{');
    for (i, (h, c)) in headers.iter().zip(cells).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let n = seen.entry(h.as_str()).or_insert(0);
        *n += 1;
        let key = if *n == 1 {
            h.clone()
        } else {
            format!("{h} ({n})")
        };
        out.push_str(&serde_json::to_string(&key).expect("a string serialises"));
        out.push(':');
        out.push_str(&serde_json::to_string(c).expect("a string serialises"));
    }
    out.push('}');
    out
}

// ---------------------------------------------------------------------------------------------
// Accounting

/// Builds an [`AdapterOutput`] record by record so that `read == accepted + rejected` holds by
/// construction and every issue carries the file and line.
#[derive(Debug)]
pub(crate) struct Ledger {
    out: AdapterOutput,
}

/// What happened to one accepted record besides being read: repairs and caveats, in order.
#[derive(Debug, Default)]
pub(crate) struct Fixes {
    items: Vec<(bool, String)>,
}

impl Fixes {
    /// Something in the record was changed (formula dropped, text re-decoded, columns realigned).
    pub fn repaired(&mut self, message: impl Into<String>) {
        self.items.push((true, message.into()));
    }

    /// Something is worth knowing but nothing was changed (no usable date, mojibake left as is).
    pub fn note(&mut self, message: impl Into<String>) {
        self.items.push((false, message.into()));
    }

    /// Whether any real repair was made.
    pub fn any_repair(&self) -> bool {
        self.items.iter().any(|(r, _)| *r)
    }
}

impl Ledger {
    pub fn new() -> Self {
        Ledger {
            out: AdapterOutput::default(),
        }
    }

    /// A record that could not be used.
    pub fn reject(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.out.read += 1;
        self.out.rejected += 1;
        self.out.rejections.push(RecordIssue {
            file: file.to_string(),
            locator: format!("line {line}"),
            message: message.into(),
        });
    }

    /// Issues already made elsewhere (e.g. [`Table::malformed`]), each one a rejected record.
    pub fn reject_all(&mut self, issues: Vec<RecordIssue>) {
        self.out.read += issues.len() as u64;
        self.out.rejected += issues.len() as u64;
        self.out.rejections.extend(issues);
    }

    /// A record turned into `report`; its repairs and notes are listed in `repairs`, and it counts
    /// as repaired when at least one of them is a real repair.
    pub fn accept(&mut self, report: Report, fixes: Fixes) {
        self.out.read += 1;
        self.out.accepted += 1;
        if fixes.any_repair() {
            self.out.repaired += 1;
        }
        for (_, message) in fixes.items {
            self.out.repairs.push(RecordIssue {
                file: report.provenance.file.clone(),
                locator: report.provenance.locator.clone(),
                message,
            });
        }
        self.out.reports.push(report);
    }

    pub fn finish(self) -> AdapterOutput {
        self.out
    }
}

// ---------------------------------------------------------------------------------------------
// Python list literals (EuRepoC)

/// A value written in Python literal syntax, as EuRepoC writes its multi-valued cells
/// (`"[['Armenia'], ['Azerbaijan']]"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyLiteral {
    /// A string (`'...'` or `"..."`, escapes decoded).
    Str(String),
    /// A list `[...]` or a tuple `(...)`.
    List(Vec<PyLiteral>),
    /// `None`.
    None,
    /// Any other bare word or number (`True`, `3`, `1.5`), as written.
    Atom(String),
}

impl PyLiteral {
    /// Every string in the value, depth first (atoms included as written, `None` skipped).
    pub fn strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_strings(&mut out);
        out
    }

    fn collect_strings(&self, out: &mut Vec<String>) {
        match self {
            PyLiteral::Str(s) | PyLiteral::Atom(s) => out.push(s.clone()),
            PyLiteral::List(items) => items.iter().for_each(|i| i.collect_strings(out)),
            PyLiteral::None => {}
        }
    }

    /// The items of a list, or the value itself as a one-item slice.
    pub fn items(&self) -> &[PyLiteral] {
        match self {
            PyLiteral::List(items) => items,
            other => std::slice::from_ref(other),
        }
    }
}

/// Why a cell is not a Python literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyLiteralError {
    /// Character offset of the problem.
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for PyLiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for PyLiteralError {}

/// Parses one Python literal: nested lists/tuples of strings (single- or double-quoted, with the
/// escapes Python's `repr` writes: `\\ \' \" \n \r \t \xhh \uhhhh \Uhhhhhhhh` and octal), `None`,
/// and bare atoms (numbers, `True`). An optional `u`/`r`/`b` prefix on a string is accepted.
/// Trailing commas are allowed; anything after the value other than spaces is an error.
pub fn parse_py_literal(text: &str) -> Result<PyLiteral, PyLiteralError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = PyParser { s: &chars, i: 0 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != chars.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok(v)
}

/// The strings of a multi-valued cell: a Python literal's strings, or the cell itself when it is
/// not a literal; absent values ([`is_absent`]) removed, each trimmed.
pub fn cell_strings(cell: &str) -> Vec<String> {
    let t = cell.trim();
    let raw = if t.starts_with('[') || t.starts_with('(') {
        match parse_py_literal(t) {
            Ok(v) => v.strings(),
            Err(_) => vec![t.to_string()],
        }
    } else {
        vec![t.to_string()]
    };
    raw.into_iter()
        .filter(|s| !is_absent(s))
        .map(|s| s.trim().to_string())
        .collect()
}

struct PyParser<'a> {
    s: &'a [char],
    i: usize,
}

impl PyParser<'_> {
    fn err(&self, message: &str) -> PyLiteralError {
        PyLiteralError {
            offset: self.i,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<PyLiteral, PyLiteralError> {
        match self.peek() {
            None => Err(self.err("expected a value, found the end")),
            Some('[') => self.list(']'),
            Some('(') => self.list(')'),
            Some('\'') | Some('"') => self.string().map(PyLiteral::Str),
            Some(c)
                if matches!(c, 'u' | 'U' | 'r' | 'R' | 'b' | 'B')
                    && matches!(self.s.get(self.i + 1), Some('\'') | Some('"')) =>
            {
                let raw = matches!(c, 'r' | 'R');
                self.i += 1;
                if raw {
                    self.raw_string().map(PyLiteral::Str)
                } else {
                    self.string().map(PyLiteral::Str)
                }
            }
            Some(c) if c.is_alphanumeric() || c == '-' || c == '+' || c == '.' => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || "-+._".contains(c))
                {
                    self.i += 1;
                }
                let word: String = self.s[start..self.i].iter().collect();
                Ok(if word == "None" {
                    PyLiteral::None
                } else {
                    PyLiteral::Atom(word)
                })
            }
            Some(_) => Err(self.err("expected a list, a string or a word")),
        }
    }

    fn list(&mut self, close: char) -> Result<PyLiteral, PyLiteralError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok(PyLiteral::List(items));
            }
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(',') => self.i += 1,
                Some(c) if c == close => {}
                None => return Err(self.err(&format!("unclosed list: expected `{close}`"))),
                Some(_) => return Err(self.err(&format!("expected `,` or `{close}`"))),
            }
        }
    }

    fn raw_string(&mut self) -> Result<String, PyLiteralError> {
        let quote = self.s[self.i];
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.i += 2;
                continue;
            }
            if c == quote {
                let s: String = self.s[start..self.i].iter().collect();
                self.i += 1;
                return Ok(s);
            }
            self.i += 1;
        }
        Err(self.err("unterminated string"))
    }

    fn string(&mut self) -> Result<String, PyLiteralError> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else {
                return Err(self.err("unterminated escape"));
            };
            self.i += 1;
            match e {
                '\\' | '\'' | '"' => out.push(e),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'v' => out.push('\u{b}'),
                '\n' => {}
                'x' => out.push(self.hex(2)?),
                'u' => out.push(self.hex(4)?),
                'U' => out.push(self.hex(8)?),
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek().and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                self.i += 1;
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(v).ok_or_else(|| self.err("bad octal escape"))?);
                }
                // Python keeps an unknown escape as written.
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }

    fn hex(&mut self, n: usize) -> Result<char, PyLiteralError> {
        let digits: String = self
            .s
            .get(self.i..self.i + n)
            .unwrap_or(&[])
            .iter()
            .collect();
        if digits.len() != n {
            return Err(self.err("truncated hex escape"));
        }
        let v = u32::from_str_radix(&digits, 16).map_err(|_| self.err("bad hex escape"))?;
        self.i += n;
        char::from_u32(v).ok_or_else(|| self.err("hex escape is not a character"))
    }
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet formulas (DCID)

/// Whether a cell is a spreadsheet formula that leaked into the CSV instead of its value
/// (`=SUM($X3+$Y3)`, `=DATEVALUE("3/14/2010")`).
pub fn is_formula(cell: &str) -> bool {
    let t = cell.trim_start();
    t.len() > 1
        && t.starts_with('=')
        && t[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '$' || c == '(')
}

/// The date of a `=DATEVALUE("M/D/YYYY")` formula whose argument is a literal (the only
/// formula whose value can be known without the spreadsheet).
pub fn datevalue_literal(cell: &str) -> Option<FuzzyDate> {
    let t = cell.trim();
    let inner = t
        .strip_prefix("=DATEVALUE(\"")
        .or_else(|| t.strip_prefix("=datevalue(\""))?
        .strip_suffix("\")")?;
    parse_mdy(inner)
}

/// Parses `M/D/YYYY` (US order, as CFR and Excel write it) to a day-precision date.
pub fn parse_mdy(text: &str) -> Option<FuzzyDate> {
    let mut parts = text.trim().split('/');
    let m: u8 = parts.next()?.trim().parse().ok()?;
    let d: u8 = parts.next()?.trim().parse().ok()?;
    let y: i32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1900..=2100).contains(&y) {
        return None;
    }
    FuzzyDate::day(y, m, d)
}

/// Parses an ISO date cell of a tracker that codes unknown parts as `01`: `YYYY-01-01` reads as
/// the year only when `jan_first_is_year`, and `YYYY-MM-01` as the month only. A real first of
/// the month then loses its day, which costs reconciliation nothing (dates are compared at the
/// coarser precision), while a placeholder read as a day would make false mismatches.
pub fn parse_iso_placeholder(text: &str, jan_first_is_year: bool) -> Option<FuzzyDate> {
    let d = FuzzyDate::parse_iso(text)?;
    match (d.month, d.day) {
        (Some(1), Some(1)) if jan_first_is_year => Some(FuzzyDate::year(d.year)),
        (Some(m), Some(1)) => FuzzyDate::month(d.year, m),
        _ => Some(d),
    }
}

/// Whether `a` is certainly before `b` (compared at the coarser of their precisions).
pub fn certainly_before(a: FuzzyDate, b: FuzzyDate) -> bool {
    let key = |d: FuzzyDate, months: bool, days: bool| {
        (
            d.year,
            if months { d.month.unwrap_or(0) } else { 0 },
            if days { d.day.unwrap_or(0) } else { 0 },
        )
    };
    let months = a.month.is_some() && b.month.is_some();
    let days = months && a.day.is_some() && b.day.is_some();
    key(a, months, days) < key(b, months, days)
}

/// A span from a start and an end: the end is kept when it is certainly after the start, left out
/// silently when it may be the same date, and left out with a note when it is before the start.
/// With only an end, the end becomes the one known date (as [`DateSpan::start`] allows).
pub(crate) fn date_span(
    start: Option<FuzzyDate>,
    end: Option<FuzzyDate>,
    start_col: &str,
    end_col: &str,
    fixes: &mut Fixes,
) -> Option<DateSpan> {
    match (start, end) {
        (Some(s), Some(e)) if certainly_before(e, s) => {
            fixes.note(format!(
                "`{end_col}` {e} is before `{start_col}` {s}: the end date is left out"
            ));
            Some(DateSpan {
                start: s,
                end: None,
            })
        }
        // An end no later than the start, at the coarser precision ("2017" for a start of
        // 2017-06-27), says nothing more.
        (Some(s), e) => Some(DateSpan {
            start: s,
            end: e.filter(|e| certainly_before(s, *e)),
        }),
        (None, Some(e)) => {
            fixes.note(format!(
                "no usable `{start_col}`: `{end_col}` {e} is kept as the one known date"
            ));
            Some(DateSpan {
                start: e,
                end: None,
            })
        }
        (None, None) => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Mojibake (CISSM)

/// Windows-1252's characters for bytes 0x80-0x9F (None: byte undefined in Windows-1252).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The byte a character stands for when UTF-8 was wrongly decoded as Latin-1 or Windows-1252:
/// U+0080-U+00FF map to themselves, and Windows-1252's specials (`€ ’ ƒ`...) to 0x80-0x9F.
fn mojibake_byte(c: char) -> Option<u8> {
    let v = c as u32;
    if (0x80..=0xFF).contains(&v) {
        return Some(v as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|x| *x == Some(c))
        .map(|i| 0x80 + i as u8)
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// One pass: every run of characters that stand for bytes >= 0x80 is re-read as UTF-8, sequence
/// by sequence; only complete, valid multi-byte sequences are replaced, anything else is kept.
fn redecode_once(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let Some(lead) = mojibake_byte(chars[i]) else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        let len = match lead {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if len > 0 && i + len <= chars.len() {
            let mut bytes = vec![lead];
            for &c in &chars[i + 1..i + len] {
                match mojibake_byte(c) {
                    Some(b) if (0x80..=0xBF).contains(&b) => bytes.push(b),
                    _ => break,
                }
            }
            if bytes.len() == len {
                if let Ok(s) = std::str::from_utf8(&bytes) {
                    out.push_str(s);
                    i += len;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Repairs mojibake: UTF-8 read as Latin-1 or Windows-1252 and written out again, possibly
/// several times over (`"â€™"` or `"â\u{80}\u{99}"` for `’`, `"Ã\u{83}Â©"` for `é`), and
/// Windows-1252 read as Latin-1 (a lone `\u{97}` for `—`).
///
/// Returns the repaired text, or None when nothing was safely repairable. The text is cut into
/// runs of characters that stand for bytes >= 0x80 (mojibake never spans an ASCII character).
/// A run is re-read as UTF-8, complete valid sequences only (so each pass is reversible), pass
/// after pass until nothing changes; its repair is kept only when the result no longer looks like
/// mojibake ([`looks_like_mojibake`]), holds no U+FFFD or C1 control character, and does not put a
/// capital right after a small letter (`"WomenÃ\u{8d}s"` would become `"WomenÍs"`: a lost
/// apostrophe, not an `Í`). A lone C1 control character is read as the Windows-1252 character of
/// its byte. Runs that fail keep their text, so one damaged sequence does not stop the others.
pub fn repair_mojibake(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    // Segments: runs of byte-like characters, and the text between them.
    let mut segments: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let is_run = mojibake_byte(c).is_some();
        match segments.last_mut() {
            Some((r, s)) if *r == is_run => s.push(c),
            _ => segments.push((is_run, c.to_string())),
        }
    }
    let mut fixed: Vec<Option<String>> = Vec::with_capacity(segments.len());
    for (k, (is_run, seg)) in segments.iter().enumerate() {
        let before = k.checked_sub(1).and_then(|p| segments[p].1.chars().last());
        let after = segments.get(k + 1).and_then(|n| n.1.chars().next());
        fixed.push(if *is_run {
            repair_run(seg, before, after)
        } else {
            None
        });
    }
    // Deep mojibake whose lost bytes became `'` or `"` comes as runs a quote or two apart; a run
    // that "repairs" beside one that cannot be repaired is part of the same damage: undo it.
    loop {
        let mut undone = false;
        for k in 0..segments.len() {
            if fixed[k].is_none() {
                continue;
            }
            // An unrepaired run of two characters or more, or a lone lead character (`Ã`).
            let damaged = |j: usize| {
                let seg = &segments[j].1;
                segments[j].0
                    && fixed[j].is_none()
                    && (seg.chars().nth(1).is_some()
                        || seg
                            .chars()
                            .all(|c| mojibake_byte(c).is_some_and(|b| b >= 0xC2)))
            };
            // One character between, or two quotes (lost bytes).
            let near = |gap: usize| {
                let g = &segments[gap].1;
                g.chars().count() <= 1
                    || (g.chars().count() == 2 && g.chars().all(|c| c == '\'' || c == '"'))
            };
            let prev = k >= 2 && near(k - 1) && damaged(k - 2);
            let next = k + 2 < segments.len() && near(k + 1) && damaged(k + 2);
            if prev || next {
                fixed[k] = None;
                undone = true;
            }
        }
        if !undone {
            break;
        }
    }
    if fixed.iter().all(Option::is_none) {
        return None;
    }
    Some(
        segments
            .iter()
            .zip(&fixed)
            .map(|((_, seg), f)| f.as_deref().unwrap_or(seg))
            .collect(),
    )
}

/// The repair of one run of byte-like characters, when there is a safe one; `before` and `after`
/// are the characters around the run.
fn repair_run(run: &str, before: Option<char>, after: Option<char>) -> Option<String> {
    let mut chars = run.chars();
    let first = chars.next()?;
    if chars.next().is_none() {
        // A lone C1 control: a Windows-1252 byte read as Latin-1.
        return is_c1(first)
            .then(|| CP1252_HIGH[first as usize - 0x80])
            .flatten()
            .map(String::from);
    }
    let mut current = run.to_string();
    for _ in 0..8 {
        let next = redecode_once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    // Letters that cannot be right where they land are wrong guesses (bytes lost to quotes and
    // apostrophes): a capital inside a word ("WomenÍs", "CEOÍs"), a small letter before a capital
    // ("ïSTART"), a letter standing alone after punctuation ("terrorism.î"), an `ñ` or `ï`
    // starting a word.
    let around: Vec<char> = before
        .into_iter()
        .chain(current.chars())
        .chain(after)
        .collect();
    let offset = usize::from(before.is_some());
    let misplaced = (offset..offset + current.chars().count()).any(|i| {
        let c = around[i];
        let prev = i.checked_sub(1).map(|p| around[p]);
        let next = around.get(i + 1).copied();
        let capital_inside = c.is_uppercase()
            && prev.is_some_and(char::is_alphabetic)
            && (prev.is_some_and(char::is_lowercase) || next.is_some_and(char::is_lowercase));
        let small_before_capital = c.is_lowercase() && next.is_some_and(char::is_uppercase);
        let alone = c.is_alphabetic()
            && prev.is_some_and(|p| p.is_ascii_punctuation())
            && !next.is_some_and(char::is_alphabetic);
        // "Ã±state sponsor of terrorism.Ã®": quotes lost the same way; no word starts with these.
        let false_initial = matches!(c, 'ñ' | 'ï') && !prev.is_some_and(char::is_alphabetic);
        capital_inside || small_before_capital || alone || false_initial
    });
    (current != run
        && !current.chars().any(|c| c == '\u{fffd}' || is_c1(c))
        && !current.chars().all(|c| LEADS.contains(c))
        && !looks_like_mojibake(&current)
        && !misplaced)
        .then_some(current)
}

/// Whether text still looks like mojibake ([`mojibake_at`] finds a place).
pub fn looks_like_mojibake(text: &str) -> bool {
    mojibake_at(text).is_some()
}

/// The characters that UTF-8 lead bytes become when misread, and that begin most mojibake.
const LEADS: &str = "ÃÂâÅÆÄ";

/// The character index of the first place that looks like mojibake: a C1 control character, or a
/// typical lead character (`Ã Â â Å Æ Ä`) followed by another or by a character standing for a
/// UTF-8 continuation byte.
pub fn mojibake_at(text: &str) -> Option<usize> {
    let mut prev: Option<char> = None;
    for (i, c) in text.chars().enumerate() {
        if is_c1(c) {
            return Some(i);
        }
        if let Some(p) = prev {
            if LEADS.contains(p)
                && (LEADS.contains(c)
                    || mojibake_byte(c).is_some_and(|b| (0x80..=0xBF).contains(&b)))
            {
                return Some(i - 1);
            }
        }
        prev = Some(c);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Free text

/// The `http(s)://` URLs in free text, in order, without duplicates; a URL ends at white space,
/// `;`, `|`, or a quote, and loses trailing `.,;:)` punctuation.
pub fn extract_urls(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(pos) = find_url_start(rest) {
        let tail = &rest[pos..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '"' | '<' | '>'))
            .unwrap_or(tail.len());
        // Two URLs run together ("...&tre??https://..."): the second starts a new one.
        if let Some(next) = find_url_start(&tail[1..end]) {
            end = next + 1;
        }
        let mut url = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', '\'']);
        if url.ends_with("??") {
            url = url.trim_end_matches('?');
        }
        if url.len() > "https://".len() && !out.iter().any(|u| u == url) {
            out.push(url.to_string());
        }
        rest = &tail[end..];
    }
    out
}

fn find_url_start(text: &str) -> Option<usize> {
    let a = text.find("http://");
    let b = text.find("https://");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Text with every URL removed and separators tidied, for the words around URLs in a cell.
pub fn text_without_urls(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = find_url_start(rest) {
        out.push_str(&rest[..pos]);
        out.push(' ');
        let tail = &rest[pos..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits an actor cell that lists a name and its aliases (`"Fancy Bear/APT28/Sofacy/Group
/// G0007 (GRU, 85th Main Special Service Center)"`, `"APT41/BARIUM < Winnti Umbrella"`): the first
/// name and the others, split at `/` and `<` outside parentheses, parenthetical remarks removed.
/// A cell without a separator is one name, kept as written.
pub fn split_aliases(text: &str) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '/' | '<' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    if parts.len() == 1 {
        return (text.trim().to_string(), Vec::new());
    }
    let clean: Vec<String> = parts
        .iter()
        .map(|p| strip_parenthetical(p))
        .filter(|p| !p.is_empty())
        .collect();
    let mut seen = HashSet::new();
    let mut names = clean.into_iter().filter(|n| seen.insert(n.to_lowercase()));
    let Some(first) = names.next() else {
        return (text.trim().to_string(), Vec::new());
    };
    (first, names.collect())
}

fn strip_parenthetical(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short title from free text: its first sentence, cut at a word boundary to at most 120
/// characters (with `…` when cut).
pub fn title_from(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = match text.find(". ") {
        Some(p) if p >= 20 => &text[..p],
        _ => text.as_str(),
    };
    let first = first.trim_end_matches('.');
    if first.chars().count() <= 120 {
        return first.to_string();
    }
    let cut: String = first.chars().take(120).collect();
    let cut = match cut.rfind(' ') {
        Some(p) if p > 60 => &cut[..p],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// 64-bit FNV-1a: a small, stable hash for ids derived from content (it never changes between
/// builds or platforms, unlike `std`'s hasher).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Pushes `value` unless an equal one is there already.
pub(crate) fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> PyLiteral {
        PyLiteral::Str(v.to_string())
    }

    #[test]
    fn python_literals_parse() {
        assert_eq!(
            parse_py_literal("[['Not available']]").unwrap(),
            PyLiteral::List(vec![PyLiteral::List(vec![s("Not available")])])
        );
        assert_eq!(
            parse_py_literal("['Armenia']").unwrap(),
            PyLiteral::List(vec![s("Armenia")])
        );
        assert_eq!(
            parse_py_literal("[['State institutions / political system', 'Media']]")
                .unwrap()
                .strings(),
            vec!["State institutions / political system", "Media"]
        );
        assert_eq!(
            parse_py_literal(r#"["Korea, Democratic People's Republic of"]"#)
                .unwrap()
                .strings(),
            vec!["Korea, Democratic People's Republic of"]
        );
        assert_eq!(
            parse_py_literal(r"['it\'s', 'a\\b', 'tab\there', '\x41\u00e9\U0001F600', '\101']")
                .unwrap()
                .strings(),
            vec!["it's", "a\\b", "tab\there", "Aé😀", "A"]
        );
        assert_eq!(parse_py_literal("[]").unwrap(), PyLiteral::List(vec![]));
        assert_eq!(
            parse_py_literal(" [ 'a' , ( 'b', ), None, 3 , ] ").unwrap(),
            PyLiteral::List(vec![
                s("a"),
                PyLiteral::List(vec![s("b")]),
                PyLiteral::None,
                PyLiteral::Atom("3".into())
            ])
        );
        assert_eq!(parse_py_literal("u'x'").unwrap(), s("x"));
        assert_eq!(parse_py_literal(r"r'a\b'").unwrap(), s(r"a\b"));
        assert_eq!(
            parse_py_literal("['a', '']").unwrap().strings(),
            vec!["a", ""]
        );
    }

    #[test]
    fn python_literal_errors_say_where() {
        let e = parse_py_literal("['a', 'b'").unwrap_err();
        assert!(e.message.contains("unclosed"), "{e}");
        let e = parse_py_literal("['a' 'b']").unwrap_err();
        assert_eq!(e.offset, 5);
        assert!(parse_py_literal("['abc").is_err());
        assert!(parse_py_literal("['a'] x").is_err());
        assert!(parse_py_literal(r"['\x4']").is_err());
        assert!(parse_py_literal("").is_err());
    }

    #[test]
    fn multi_valued_cells_drop_absent_values() {
        assert!(cell_strings("[['Not available'], ['Not available']]").is_empty());
        assert!(cell_strings("").is_empty());
        assert_eq!(
            cell_strings("['Unknown', 'China ', 'Russia']"),
            vec!["China", "Russia"]
        );
        assert_eq!(cell_strings("Armenia"), vec!["Armenia"]);
        // Not a literal after all: kept as the one value.
        assert_eq!(cell_strings("[broken"), vec!["[broken"]);
    }

    #[test]
    fn formulas_are_recognised() {
        assert!(is_formula("=SUM($X3+$Y3+$Z3)"));
        assert!(is_formula("=DATEVALUE(\"3/14/2010\")"));
        assert!(!is_formula("= not a formula"));
        assert!(!is_formula("2.8"));
        assert!(!is_formula("="));
        assert_eq!(
            datevalue_literal("=DATEVALUE(\"3/14/2010\")"),
            FuzzyDate::day(2010, 3, 14)
        );
        assert_eq!(datevalue_literal("=DATEVALUE(A3)"), None);
        assert_eq!(parse_mdy("1/20/2022"), FuzzyDate::day(2022, 1, 20));
        assert_eq!(parse_mdy("2/30/2022"), None);
        assert_eq!(parse_mdy("2022-01-20"), None);
    }

    #[test]
    fn placeholder_dates_lose_their_false_precision() {
        let p = |t, y| parse_iso_placeholder(t, y).unwrap().to_string();
        assert_eq!(p("2017-01-01", true), "2017");
        assert_eq!(p("2017-01-01", false), "2017-01");
        assert_eq!(p("2017-06-01", true), "2017-06");
        assert_eq!(p("2017-06-27", true), "2017-06-27");
        assert_eq!(p("2021-01-01 00:00:00", true), "2021");
        assert!(parse_iso_placeholder("", true).is_none());
        let d = |t| FuzzyDate::parse_iso(t).unwrap();
        assert!(certainly_before(d("2015-07-10"), d("2015-10-07")));
        assert!(!certainly_before(d("2014-02"), d("2014-02-15")));
        assert!(!certainly_before(d("2017"), d("2017-06-27")));
        assert!(certainly_before(d("2016"), d("2017-06-27")));
    }

    #[test]
    fn mojibake_is_repaired_when_safe() {
        // UTF-8 read as Windows-1252.
        assert_eq!(repair_mojibake("Itâ€™s").as_deref(), Some("It’s"));
        // UTF-8 read as Latin-1 (C1 controls).
        assert_eq!(
            repair_mojibake("Universit\u{c3}\u{a9} Aix").as_deref(),
            Some("Université Aix")
        );
        assert_eq!(repair_mojibake("â\u{80}\u{99}").as_deref(), Some("’"));
        // Twice and three times over.
        assert_eq!(
            repair_mojibake("San Jos\u{c3}\u{83}\u{c2}\u{a9}").as_deref(),
            Some("San José")
        );
        assert_eq!(
            repair_mojibake("Nestl\u{c3}\u{83}\u{c6}\u{92}\u{c3}\u{82}\u{c2}\u{a9}").as_deref(),
            Some("Nestlé")
        );
        // Correct text is left alone.
        assert_eq!(repair_mojibake("café ’quoted’ Türkiye"), None);
        assert_eq!(repair_mojibake("plain ascii"), None);
        // A sequence whose last byte was lost stays as it is.
        assert_eq!(repair_mojibake("Health â\u{80}\" La Porte"), None);
        assert!(looks_like_mojibake("Health â\u{80}\" La Porte"));
        assert!(looks_like_mojibake("Itâ€™s"));
        assert!(!looks_like_mojibake("Université, café, Türkiye, São Tomé"));
        // A repair that would leave a C1 control is refused.
        assert_eq!(repair_mojibake("\u{c2}\u{80}"), None);
        // Windows-1252 read as Latin-1.
        assert_eq!(
            repair_mojibake("Montréal (CSEM) \u{97} a").as_deref(),
            Some("Montréal (CSEM) — a")
        );
        // A capital after a small letter is a wrong guess (a lost apostrophe).
        assert_eq!(repair_mojibake("Women\u{c3}\u{8d}s"), None);
        assert_eq!(repair_mojibake("CEO\u{c3}\u{8d}s"), None);
        assert_eq!(repair_mojibake("platform \u{c3}\u{af}START"), None);
        assert_eq!(repair_mojibake("terrorism.\u{c3}\u{ae}"), None);
        assert_eq!(repair_mojibake("a \u{c3}\u{b1}state"), None);
        assert_eq!(
            repair_mojibake("Espa\u{c3}\u{b1}a").as_deref(),
            Some("España")
        );
        assert_eq!(
            repair_mojibake("\u{c3}\u{89}LYS\u{c3}\u{89}E").as_deref(),
            Some("ÉLYSÉE")
        );
        // A run that only comes down to a lead character is deeper damage, left with its
        // neighbours.
        assert_eq!(
            repair_mojibake("year.\u{c3}\u{83}'\u{c3}\u{82}\u{c2}\u{a0}"),
            None
        );
        assert_eq!(repair_mojibake("\u{c3}\u{96}BB").as_deref(), Some("ÖBB"));
        // Garbage that stays garbage after re-decoding is left alone.
        assert_eq!(
            repair_mojibake(
                "fa\u{c3}\u{83}\u{c6}\u{92}\u{c3}\u{86}'\u{c3}\u{83}'\u{c3}\u{82}\u{c2}\u{a7}ade"
            ),
            None
        );
    }

    #[test]
    fn urls_come_out_of_free_text() {
        assert_eq!(
            extract_urls("Denial   https://a.example/x?y=1 and http://b.example/p.html; https://a.example/x?y=1."),
            vec!["https://a.example/x?y=1", "http://b.example/p.html"]
        );
        assert_eq!(
            extract_urls("https://x.example/a : https://y.example/b;  https://z.example/c"),
            vec![
                "https://x.example/a",
                "https://y.example/b",
                "https://z.example/c"
            ]
        );
        assert!(extract_urls("Sandworm").is_empty());
        assert_eq!(
            extract_urls("https://a.example/x?y=1&tre??https://b.example/z"),
            vec!["https://a.example/x?y=1&tre", "https://b.example/z"]
        );
        assert_eq!(
            text_without_urls("Criminal charges   https://www.justice.gov/x"),
            "Criminal charges"
        );
    }

    #[test]
    fn alias_lists_split() {
        assert_eq!(
            split_aliases("NSA/Equation Group"),
            ("NSA".to_string(), vec!["Equation Group".to_string()])
        );
        assert_eq!(
            split_aliases("APT1/Comment Crew/ TG-8223/G0006 (PLA, Unit 61398)"),
            (
                "APT1".to_string(),
                vec!["Comment Crew".into(), "TG-8223".into(), "G0006".into()]
            )
        );
        assert_eq!(
            split_aliases("APT41/BARIUM/G0096 (Chengdu 404) <\u{a0}Winnti Umbrella/G0044"),
            (
                "APT41".to_string(),
                vec![
                    "BARIUM".into(),
                    "G0096".into(),
                    "Winnti Umbrella".into(),
                    "G0044".into()
                ]
            )
        );
        assert_eq!(
            split_aliases("Central Institute (CNIIHM; a.k.a. X/Y)"),
            ("Central Institute (CNIIHM; a.k.a. X/Y)".to_string(), vec![])
        );
    }

    fn temp_csv(name: &str, content: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "threatscape-sources-{}-{name}.csv",
            std::process::id()
        ));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn a_runaway_cell_rejects_its_row_with_the_column() {
        let text = format!("a,b\n1,2\n3,{}\n5,6\n", "x".repeat(MAX_CELL_BYTES + 1));
        let path = temp_csv("huge", &text);
        let t = Table::read(&path, "test", &["a", "b"]).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.malformed.len(), 1);
        assert_eq!(t.malformed[0].locator, "line 3");
        assert!(
            t.malformed[0].message.contains("column `b`"),
            "{}",
            t.malformed[0].message
        );
    }

    #[test]
    fn rows_know_their_physical_lines() {
        for (name, eol) in [("lf", "\n"), ("crlf", "\r\n")] {
            let text = ["a,b", "1,2", "3,\"multi", "line\"", "", "4,5", "6", "7,8"].join(eol);
            let path = temp_csv(name, &text);
            let t = Table::read(&path, "test", &["a", "b"]).unwrap();
            std::fs::remove_file(&path).ok();
            let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![2, 3, 6, 8], "{name}");
            assert_eq!(t.rows[1].cells[1], format!("multi{eol}line"));
            assert_eq!(t.malformed.len(), 1);
            assert_eq!(t.malformed[0].locator, "line 7", "{name}");
            assert_eq!(t.get(&t.rows[2], "b"), "5");
            assert_eq!(t.get(&t.rows[2], "nope"), "");
        }
    }

    /// Rows are streamed through a 64 KiB buffer: lines stay exact across its boundaries, with
    /// CRLF and LF, blank lines and cells spanning lines.
    #[test]
    fn streamed_rows_keep_their_lines_across_buffer_boundaries() {
        for (name, eol) in [("big-lf", "\n"), ("big-crlf", "\r\n")] {
            let mut text = format!("a,b{eol}");
            let mut line = 2u64;
            let mut expected = Vec::new();
            for n in 0..6000u64 {
                expected.push(line);
                if n % 7 == 3 {
                    text += &format!("{n},\"two{eol}lines {}\"{eol}", "y".repeat(n as usize % 50));
                    line += 2;
                } else {
                    text += &format!("{n},{}{eol}", "x".repeat(n as usize % 90));
                    line += 1;
                }
                if n % 11 == 5 {
                    text += eol;
                    line += 1;
                }
            }
            assert!(text.len() > 4 * 65536);
            let path = temp_csv(name, &text);
            let (table, mut rows) = Table::open(&path, "test", &["a", "b"]).unwrap();
            let mut lines = Vec::new();
            while let Some(row) = rows.next_row(&table).unwrap() {
                let row = row.unwrap();
                assert_eq!(row.cells[0], (lines.len()).to_string());
                lines.push(row.line);
            }
            std::fs::remove_file(&path).ok();
            assert_eq!(lines, expected, "{name}");
        }
    }

    #[test]
    fn a_wrong_header_names_the_missing_columns() {
        let path = temp_csv("header", "x,y\n1,2\n");
        let e = Table::read(&path, "EuRepoC", &["ID", "name", "x"]).unwrap_err();
        std::fs::remove_file(&path).ok();
        let msg = e.to_string();
        assert!(
            msg.contains("not a EuRepoC CSV") && msg.contains("`ID`, `name`"),
            "{msg}"
        );
        let path = temp_csv("empty", "");
        let e = Table::read(&path, "EuRepoC", &["ID"]).unwrap_err();
        std::fs::remove_file(&path).ok();
        assert!(e.to_string().contains("empty file"), "{e}");
    }

    #[test]
    fn originals_keep_column_order_and_every_cell() {
        let h = vec!["b".to_string(), "a".to_string(), "b".to_string()];
        let c = vec!["1".to_string(), "x\"y".to_string(), "".to_string()];
        assert_eq!(original_json(&h, &c), r#"{"b":"1","a":"x\"y","b (2)":""}"#);
    }

    #[test]
    fn titles_are_short() {
        assert_eq!(title_from("A short one."), "A short one");
        assert_eq!(
            title_from("Innovery, an Italian company, is hit. Then more text follows."),
            "Innovery, an Italian company, is hit"
        );
        let long = "word ".repeat(60);
        let t = title_from(&long);
        assert!(t.ends_with('…') && t.chars().count() <= 121, "{t}");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    }
}
