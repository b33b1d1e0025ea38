//! Reference data: UN holidays, presidencies, Council membership, Member States and observers,
//! agenda items, norms and the linker's vocabulary.
//!
//! The crate ships its own copy as CSV files under `data/` (embedded in the binary), and a user can
//! override any of them with a folder holding files of the same names: a new year brings a new
//! Council, new holidays and new agenda items without a new release. Every fact keeps the `verified`
//! flag and the `source` of its row, so a screen or an export can show how sure the fact is.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

mod phrase;

pub use phrase::{Phrase, Word};

/// The file names the loader knows, with their embedded default contents.
const FILES: [(&str, &str); 7] = [
    (HOLIDAYS, include_str!("../data/un-holidays.csv")),
    (PRESIDENCIES, include_str!("../data/presidencies.csv")),
    (COUNCIL, include_str!("../data/council-membership.csv")),
    (ENTITIES, include_str!("../data/member-states.csv")),
    (AGENDA, include_str!("../data/agenda-items.csv")),
    (NORMS, include_str!("../data/norms.csv")),
    (VOCABULARY, include_str!("../data/vocabulary.csv")),
];

/// `un-holidays.csv`: official UN Headquarters holidays.
pub const HOLIDAYS: &str = "un-holidays.csv";
/// `presidencies.csv`: the presidency of each month.
pub const PRESIDENCIES: &str = "presidencies.csv";
/// `council-membership.csv`: the fifteen members of each year.
pub const COUNCIL: &str = "council-membership.csv";
/// `member-states.csv`: Member States, observer States and the EU.
pub const ENTITIES: &str = "member-states.csv";
/// `agenda-items.csv`: items of which the Council is seized.
pub const AGENDA: &str = "agenda-items.csv";
/// `norms.csv`: the eleven norms of responsible State behaviour, A/70/174 para 13 (a)-(k); the
/// project's copy adds a `topic` column (a few words naming each, for labels and tables).
pub const NORMS: &str = "norms.csv";
/// `vocabulary.csv`: the statement linker's terms and phrases.
pub const VOCABULARY: &str = "vocabulary.csv";

/// How sure a reference fact is, from the row's `verified` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verified {
    /// Checked against a source.
    Yes,
    /// Only part of it was checked (the note says which).
    Partly,
    /// Derived by a rule (e.g. the alphabetical rotation of presidencies), not yet confirmed.
    Derived,
    /// An estimate to confirm.
    Uncertain,
    /// The file has no `verified` column (e.g. `member-states.csv`).
    Unstated,
}

impl Verified {
    /// The word used in the CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verified::Yes => "yes",
            Verified::Partly => "partly",
            Verified::Derived => "derived",
            Verified::Uncertain => "uncertain",
            Verified::Unstated => "unstated",
        }
    }
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a reference fact comes from and how sure it is: the row's `verified` and `source` columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The `verified` flag.
    pub verified: Verified,
    /// The `verified` cell when it says more than the flag (e.g. "partly (wording recalled ...)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_note: Option<String>,
    /// The `source` cell: a URL or a citation; empty when the file has no such column.
    pub source: String,
    /// The file and line the fact was read from, e.g. `un-holidays.csv:7`.
    pub location: String,
}

/// Whether a holiday closes Headquarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HolidayKind {
    /// An official holiday: Headquarters is closed, the day is not a working day.
    Official,
    /// A floating holiday: a staff member may take it, Headquarters stays open (a working day).
    Floating,
}

/// One row of `un-holidays.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// Its name, e.g. "Eid al-Adha".
    pub name: String,
    /// Official (a closure) or floating (not a closure).
    pub kind: HolidayKind,
    /// The `note` column, when not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How sure the date is.
    pub provenance: Provenance,
}

/// One row of `presidencies.csv`: the member presiding over the Council for a calendar month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presidency {
    /// The year.
    pub year: i16,
    /// The month, 1-12.
    pub month: i8,
    /// The member's name as the Council uses it.
    pub member: String,
    /// Its ISO 3166 alpha-3 code.
    pub iso3: String,
    /// How sure the fact is (months after mid-2026 are derived from rule 18).
    pub provenance: Provenance,
}

/// Permanent or elected seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeatCategory {
    /// One of the five permanent members (Charter Art. 23).
    Permanent,
    /// Elected for two years.
    Elected,
}

/// One row of `council-membership.csv`: a member of the Council in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilSeat {
    /// The year.
    pub year: i16,
    /// The member's name.
    pub member: String,
    /// Its ISO 3166 alpha-3 code.
    pub iso3: String,
    /// Permanent or elected.
    pub category: SeatCategory,
    /// The term of an elected member (first and last day); `None` for a permanent member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<(Date, Date)>,
    /// How sure the fact is.
    pub provenance: Provenance,
}

/// What kind of participant an entry of `member-states.csv` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityStatus {
    /// A Member State of the United Nations.
    MemberState,
    /// A non-member observer State (the Holy See, the State of Palestine).
    ObserverState,
    /// An intergovernmental organisation (the European Union).
    Organisation,
}

/// One row of `member-states.csv`: a State or organisation that can ask to speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The code the module uses: the ISO 3166 alpha-3 code, or an internal code (`EU`).
    pub code: String,
    /// The name as the UN writes it.
    pub name: String,
    /// The ISO 3166 alpha-3 code, when the entity has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso3: Option<String>,
    /// Member State, observer State or organisation.
    pub status: EntityStatus,
    /// The `status` cell verbatim.
    pub status_text: String,
    /// The UNTERM short name (with "the"), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unterm_short: Option<String>,
    /// The `note` column, when not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How sure the fact is (this file has no `verified` column: `unstated`).
    pub provenance: Provenance,
}

/// One row of `agenda-items.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// A short stable id, e.g. `mips`.
    pub id: String,
    /// The title as it appears in the Council's agenda.
    pub title: String,
    /// thematic, country, regional, ... (verbatim).
    pub kind: String,
    /// The related sanctions committee, when there is one (verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_sanctions_committee: Option<String>,
    /// How sure the title is.
    pub provenance: Provenance,
}

/// One row of `norms.csv`: a norm of responsible State behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Norm {
    /// The letter, `a` to `k`.
    pub id: String,
    /// A paraphrase (not the official text).
    pub paraphrase: String,
    /// The paragraph, e.g. "A/70/174 para 13(a)".
    pub source_para: String,
    /// What the norm is about in a few words, for labels and tables ("not damaging critical
    /// infrastructure"); the project's own column, absent from the shared reference table.
    pub topic: Option<String>,
    /// How sure the paraphrase is.
    pub provenance: Provenance,
}

impl Norm {
    /// The norm's name for labels and tables: "norm (f) on not damaging critical
    /// infrastructure", or its paragraph where the table gives no topic ("norm (f), A/70/174
    /// para 13(f)").
    pub fn name(&self) -> String {
        match &self.topic {
            Some(topic) => format!("norm ({}) on {topic}", self.id),
            None => format!("norm ({}), {}", self.id, self.source_para),
        }
    }
}

/// The kinds of term the statement linker knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermKind {
    /// Ransomware, wiper, DDoS, espionage, ...
    ThreatKind,
    /// Critical-infrastructure sectors and other targets: health, energy, elections, ...
    Sector,
    /// A norm (a)-(k).
    Norm,
    /// An agenda item of the Council.
    AgendaItem,
}

impl TermKind {
    /// The word used in `vocabulary.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            TermKind::ThreatKind => "threat-kind",
            TermKind::Sector => "sector",
            TermKind::Norm => "norm",
            TermKind::AgendaItem => "agenda-item",
        }
    }
}

impl fmt::Display for TermKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `vocabulary.csv`: a term and the phrases that signal it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VocabularyRow {
    /// The kind of term.
    pub kind: TermKind,
    /// Its id (a norm letter or an agenda-item id must exist in their files).
    pub id: String,
    /// A label for people.
    pub label: String,
    /// The phrases, as written (`;`-separated in the file).
    pub phrases: Vec<String>,
    /// Where the row is, e.g. `vocabulary.csv:12`.
    pub location: String,
}

/// Where each reference file was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "from", content = "path")]
pub enum Origin {
    /// The copy embedded in the program.
    Embedded,
    /// A file in the user's folder.
    Folder(PathBuf),
}

/// A problem in a reference file, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file (its name for the embedded copy, its path for a user's file).
    pub file: String,
    /// The line (1-based), when the problem is on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What is wrong and, where it helps, what to do.
    pub reason: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// The reference data could not be loaded: every problem found, each with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the reference data:\n{}", .diagnostics.len(), list(.diagnostics))]
pub struct ReferenceError {
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// All reference data the debate module needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    /// Holidays, by date.
    pub holidays: Vec<Holiday>,
    /// Presidencies, by year and month.
    pub presidencies: Vec<Presidency>,
    /// Council seats, by year.
    pub council: Vec<CouncilSeat>,
    /// Member States, observer States and organisations.
    pub entities: Vec<Entity>,
    /// Agenda items.
    pub agenda_items: Vec<AgendaItem>,
    /// Norms (a)-(k).
    pub norms: Vec<Norm>,
    /// The statement linker's vocabulary.
    pub vocabulary: Vec<VocabularyRow>,
    /// Where each file came from, by file name.
    pub origins: BTreeMap<String, Origin>,
}

impl Reference {
    /// The copy shipped with the program. It is checked by the crate's tests, so this cannot fail.
    pub fn embedded() -> Reference {
        static EMBEDDED: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
        EMBEDDED
            .get_or_init(|| {
                let files = FILES
                    .iter()
                    .map(|(name, text)| {
                        (*name, name.to_string(), text.to_string(), Origin::Embedded)
                    })
                    .collect();
                Reference::parse_all(files).expect("the embedded reference data is valid (tested)")
            })
            .clone()
    }

    /// Reads the files found in `dir` and takes the embedded copy for the others.
    ///
    /// Every problem in every file is reported at once, each with its file and line.
    pub fn load(dir: &Path) -> Result<Reference, ReferenceError> {
        if !dir.is_dir() {
            return Err(ReferenceError {
                diagnostics: vec![Diagnostic {
                    file: dir.display().to_string(),
                    line: None,
                    reason: "not a folder; give a folder holding any of: ".to_string()
                        + &FILES.map(|(n, _)| n).join(", "),
                }],
            });
        }
        let mut files = Vec::new();
        let mut diagnostics = Vec::new();
        for (name, embedded) in FILES {
            let path = dir.join(name);
            if path.exists() {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        files.push((name, path.display().to_string(), text, Origin::Folder(path)))
                    }
                    Err(e) => diagnostics.push(Diagnostic {
                        file: path.display().to_string(),
                        line: None,
                        reason: format!("cannot be read: {e}"),
                    }),
                }
            } else {
                files.push((
                    name,
                    name.to_string(),
                    embedded.to_string(),
                    Origin::Embedded,
                ));
            }
        }
        if !diagnostics.is_empty() {
            return Err(ReferenceError { diagnostics });
        }
        Reference::parse_all(files)
    }

    /// Parses the files given as (known name, display name, text, origin), then checks them
    /// against each other.
    fn parse_all(files: Vec<(&str, String, String, Origin)>) -> Result<Reference, ReferenceError> {
        let mut d = Vec::new();
        let mut r = Reference {
            holidays: Vec::new(),
            presidencies: Vec::new(),
            council: Vec::new(),
            entities: Vec::new(),
            agenda_items: Vec::new(),
            norms: Vec::new(),
            vocabulary: Vec::new(),
            origins: BTreeMap::new(),
        };
        let mut shown = HashMap::new();
        for (name, display, text, origin) in files {
            let mut table = Table::new(&display, &text, &mut d);
            match name {
                HOLIDAYS => r.holidays = table.rows(parse_holiday),
                PRESIDENCIES => r.presidencies = table.rows(parse_presidency),
                COUNCIL => r.council = table.rows(parse_seat),
                ENTITIES => r.entities = table.rows(parse_entity),
                AGENDA => r.agenda_items = table.rows(parse_agenda_item),
                NORMS => r.norms = table.rows(parse_norm),
                VOCABULARY => r.vocabulary = table.rows(parse_vocabulary),
                _ => unreachable!("only known file names are passed"),
            }
            shown.insert(name, display);
            r.origins.insert(name.to_string(), origin);
        }
        let file = |name: &str| shown.get(name).cloned().unwrap_or_else(|| name.to_string());
        r.check(&file, &mut d);
        if d.is_empty() {
            r.holidays.sort_by_key(|h| h.date);
            r.presidencies.sort_by_key(|p| (p.year, p.month));
            Ok(r)
        } else {
            Err(ReferenceError { diagnostics: d })
        }
    }

    /// Checks across rows and files: duplicates, codes that must exist, fifteen seats a year.
    fn check(&self, file: &dyn Fn(&str) -> String, d: &mut Vec<Diagnostic>) {
        let mut at = |name: &str, location: &str, reason: String| {
            let line = location.rsplit(':').next().and_then(|l| l.parse().ok());
            d.push(Diagnostic {
                file: file(name),
                line,
                reason,
            });
        };
        let mut seen = HashMap::new();
        for h in &self.holidays {
            if let Some(first) = seen.insert(h.date, &h.provenance.location) {
                at(
                    HOLIDAYS,
                    &h.provenance.location,
                    format!("{} is listed twice (first at {first})", h.date),
                );
            }
        }
        let mut codes = HashMap::new();
        for e in &self.entities {
            if let Some(first) = codes.insert(e.code.as_str(), &e.provenance.location) {
                at(
                    ENTITIES,
                    &e.provenance.location,
                    format!("code {} is used twice (first at {first})", e.code),
                );
            }
        }
        let mut seats: BTreeMap<i16, BTreeSet<&str>> = BTreeMap::new();
        for s in &self.council {
            if !seats.entry(s.year).or_default().insert(&s.iso3) {
                at(
                    COUNCIL,
                    &s.provenance.location,
                    format!("{} is listed twice for {}", s.iso3, s.year),
                );
            }
            if !codes.contains_key(s.iso3.as_str()) {
                at(
                    COUNCIL,
                    &s.provenance.location,
                    format!("{} is not a code in {ENTITIES}", s.iso3),
                );
            }
        }
        for (year, members) in &seats {
            if members.len() != 15 {
                let last = self
                    .council
                    .iter()
                    .rev()
                    .find(|s| s.year == *year)
                    .expect("a seat of that year");
                at(
                    COUNCIL,
                    &last.provenance.location,
                    format!(
                        "{year} has {} members; the Council has 15 (Charter Art. 23)",
                        members.len()
                    ),
                );
            }
        }
        let mut months = HashMap::new();
        for p in &self.presidencies {
            if let Some(first) = months.insert((p.year, p.month), &p.provenance.location) {
                at(
                    PRESIDENCIES,
                    &p.provenance.location,
                    format!(
                        "{}-{:02} is listed twice (first at {first})",
                        p.year, p.month
                    ),
                );
            }
            if let Some(members) = seats.get(&p.year) {
                if !members.contains(p.iso3.as_str()) {
                    at(
                        PRESIDENCIES,
                        &p.provenance.location,
                        format!("{} presides in {}-{:02} but is not a Council member that year in {COUNCIL}", p.iso3, p.year, p.month),
                    );
                }
            }
        }
        let mut ids = HashSet::new();
        for a in &self.agenda_items {
            if !ids.insert(a.id.as_str()) {
                at(
                    AGENDA,
                    &a.provenance.location,
                    format!("agenda item id {} is used twice", a.id),
                );
            }
        }
        let norms: HashSet<&str> = self.norms.iter().map(|n| n.id.as_str()).collect();
        let mut terms = HashSet::new();
        for v in &self.vocabulary {
            if !terms.insert((v.kind, v.id.as_str())) {
                at(
                    VOCABULARY,
                    &v.location,
                    format!("{} {} is listed twice", v.kind, v.id),
                );
            }
            let known = match v.kind {
                TermKind::Norm => norms.contains(v.id.as_str()),
                TermKind::AgendaItem => ids.contains(v.id.as_str()),
                TermKind::ThreatKind | TermKind::Sector => true,
            };
            if !known {
                let other = if v.kind == TermKind::Norm {
                    NORMS
                } else {
                    AGENDA
                };
                at(
                    VOCABULARY,
                    &v.location,
                    format!("{} {} is not an id in {other}", v.kind, v.id),
                );
            }
        }
    }

    /// The presidency of a month.
    pub fn presidency(&self, year: i16, month: i8) -> Option<&Presidency> {
        self.presidencies
            .iter()
            .find(|p| p.year == year && p.month == month)
    }

    /// The fifteen members of a year (empty when the year is not in the data).
    pub fn council(&self, year: i16) -> Vec<&CouncilSeat> {
        self.council.iter().filter(|s| s.year == year).collect()
    }

    /// Whether `code` sits on the Council in `year`.
    pub fn is_council_member(&self, code: &str, year: i16) -> bool {
        self.council
            .iter()
            .any(|s| s.year == year && s.iso3 == code)
    }

    /// A State or organisation by code (case-insensitive).
    pub fn entity(&self, code: &str) -> Option<&Entity> {
        self.entities
            .iter()
            .find(|e| e.code.eq_ignore_ascii_case(code))
    }

    /// An agenda item by id.
    pub fn agenda_item(&self, id: &str) -> Option<&AgendaItem> {
        self.agenda_items.iter().find(|a| a.id == id)
    }

    /// A norm by letter.
    pub fn norm(&self, id: &str) -> Option<&Norm> {
        self.norms.iter().find(|n| n.id == id)
    }
}

/// One CSV file being read: its header and a place to put diagnostics.
struct Table<'a> {
    file: &'a str,
    text: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// One record with its columns by name.
struct Row<'a> {
    file: &'a str,
    line: u64,
    header: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// A required column's value, trimmed, non-empty.
    fn get(&self, column: &str) -> Result<&str, String> {
        let v = self.opt(column).unwrap_or("");
        if v.is_empty() {
            Err(format!("column '{column}' is empty"))
        } else {
            Ok(v)
        }
    }

    /// An optional column's value, trimmed; `None` when absent or empty.
    fn opt(&self, column: &str) -> Option<&str> {
        let i = *self.header.get(column)?;
        let v = self.record.get(i)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn location(&self) -> String {
        let name = Path::new(self.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.to_string());
        format!("{name}:{}", self.line)
    }

    /// The `verified` and `source` columns (absent columns give `unstated` and "").
    fn provenance(&self) -> Result<Provenance, String> {
        let (verified, verified_note) = if self.header.contains_key("verified") {
            let cell = self.get("verified")?;
            let lower = cell.to_ascii_lowercase();
            let flag = [
                ("yes", Verified::Yes),
                ("partly", Verified::Partly),
                ("derived", Verified::Derived),
                ("uncertain", Verified::Uncertain),
            ]
            .into_iter()
            .find(|(w, _)| lower.starts_with(w))
            .map(|(_, v)| v)
            .ok_or_else(|| {
                format!("verified '{cell}' is not one of yes, partly, derived, uncertain")
            })?;
            let note = (lower != flag.as_str()).then(|| cell.to_string());
            (flag, note)
        } else {
            (Verified::Unstated, None)
        };
        Ok(Provenance {
            verified,
            verified_note,
            source: self.opt("source").unwrap_or("").to_string(),
            location: self.location(),
        })
    }
}

impl<'a> Table<'a> {
    fn new(file: &'a str, text: &'a str, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Table {
            file,
            text,
            diagnostics,
        }
    }

    /// Parses every record with `parse`, collecting a diagnostic for each failure.
    fn rows<T>(&mut self, parse: fn(&Row<'_>) -> Result<T, String>) -> Vec<T> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(self.text.as_bytes());
        let header: HashMap<String, usize> = match reader.headers() {
            Ok(h) => h
                .iter()
                .enumerate()
                .map(|(i, c)| (c.trim().to_string(), i))
                .collect(),
            Err(e) => {
                self.push(Some(1), format!("the header cannot be read: {e}"));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    if record.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let row = Row {
                        file: self.file,
                        line,
                        header: &header,
                        record: &record,
                    };
                    match parse(&row) {
                        Ok(v) => out.push(v),
                        Err(reason) => self.push(Some(line), reason),
                    }
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line());
                    let reason = match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("{len} fields where the header has {expected_len} (a comma inside a value needs quotes)")
                        }
                        _ => e.to_string(),
                    };
                    self.push(line, reason);
                    if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                }
            }
        }
        out
    }

    fn push(&mut self, line: Option<u64>, reason: String) {
        self.diagnostics.push(Diagnostic {
            file: self.file.to_string(),
            line,
            reason,
        });
    }
}

fn parse_date(cell: &str, column: &str) -> Result<Date, String> {
    cell.parse::<Date>()
        .map_err(|e| format!("{column} '{cell}' is not a date YYYY-MM-DD: {e}"))
}

fn weekday_abbrev(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

fn parse_holiday(row: &Row<'_>) -> Result<Holiday, String> {
    let date = parse_date(row.get("date")?, "date")?;
    if let Some(weekday) = row.opt("weekday") {
        let actual = weekday_abbrev(date.weekday());
        if !weekday.eq_ignore_ascii_case(actual) {
            return Err(format!(
                "weekday says {weekday} but {date} is a {actual}: fix the date or the weekday"
            ));
        }
    }
    let kind_cell = row.get("kind")?;
    let lower = kind_cell.to_ascii_lowercase();
    // "official (HQ closed)" in the shipped file; a floating holiday leaves Headquarters open.
    let kind = if lower.contains("floating") {
        HolidayKind::Floating
    } else if lower.starts_with("official") || lower.contains("closed") {
        HolidayKind::Official
    } else {
        return Err(format!(
            "kind '{kind_cell}' is neither official (HQ closed) nor floating"
        ));
    };
    Ok(Holiday {
        date,
        name: row.get("name")?.to_string(),
        kind,
        note: row.opt("note").map(str::to_string),
        provenance: row.provenance()?,
    })
}

fn parse_year(row: &Row<'_>) -> Result<i16, String> {
    let cell = row.get("year")?;
    cell.parse::<i16>()
        .ok()
        .filter(|y| (1946..=9999).contains(y))
        .ok_or_else(|| format!("year '{cell}' is not a year"))
}

fn parse_iso3(row: &Row<'_>) -> Result<String, String> {
    let cell = row.get("iso3")?;
    if cell.len() == 3 && cell.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(cell.to_string())
    } else {
        Err(format!("iso3 '{cell}' is not three capital letters"))
    }
}

fn parse_presidency(row: &Row<'_>) -> Result<Presidency, String> {
    let year = parse_year(row)?;
    let cell = row.get("month")?;
    let month = cell
        .parse::<i8>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| format!("month '{cell}' is not 1-12"))?;
    Ok(Presidency {
        year,
        month,
        member: row.get("member")?.to_string(),
        iso3: parse_iso3(row)?,
        provenance: row.provenance()?,
    })
}

fn parse_seat(row: &Row<'_>) -> Result<CouncilSeat, String> {
    let year = parse_year(row)?;
    let category = match row.get("category")? {
        "permanent" => SeatCategory::Permanent,
        "elected" => SeatCategory::Elected,
        other => {
            return Err(format!(
                "category '{other}' is neither permanent nor elected"
            ))
        }
    };
    let term_cell = row.get("term")?;
    let term = match category {
        SeatCategory::Permanent => None,
        SeatCategory::Elected => {
            let (from, to) = term_cell.split_once('/').ok_or_else(|| {
                format!("term '{term_cell}' is not FROM/TO (e.g. 2024-01-01/2025-12-31)")
            })?;
            let (from, to) = (parse_date(from, "term")?, parse_date(to, "term")?);
            if !(from.year() <= year && year <= to.year()) {
                return Err(format!("the term {term_cell} does not cover {year}"));
            }
            Some((from, to))
        }
    };
    Ok(CouncilSeat {
        year,
        member: row.get("member")?.to_string(),
        iso3: parse_iso3(row)?,
        category,
        term,
        provenance: row.provenance()?,
    })
}

fn parse_entity(row: &Row<'_>) -> Result<Entity, String> {
    let iso3 = row.opt("iso3").map(str::to_string);
    let code = row
        .opt("code")
        .map(str::to_string)
        .or_else(|| iso3.clone())
        .ok_or("neither 'code' nor 'iso3' is given: an entity without an ISO code needs an internal code (e.g. EU)")?;
    let status_text = row.get("status")?.to_string();
    let lower = status_text.to_ascii_lowercase();
    let status = if lower == "member" {
        EntityStatus::MemberState
    } else if lower.contains("observer state") {
        EntityStatus::ObserverState
    } else if lower.contains("organization") || lower.contains("organisation") {
        EntityStatus::Organisation
    } else {
        return Err(format!(
            "status '{status_text}' is not 'member', '... observer State' or '... organization ...'"
        ));
    };
    Ok(Entity {
        code,
        name: row.get("name")?.to_string(),
        iso3,
        status,
        status_text,
        unterm_short: row.opt("unterm_short").map(str::to_string),
        note: row.opt("note").map(str::to_string),
        provenance: row.provenance()?,
    })
}

fn parse_agenda_item(row: &Row<'_>) -> Result<AgendaItem, String> {
    Ok(AgendaItem {
        id: row.get("id")?.to_string(),
        title: row.get("title")?.to_string(),
        kind: row.get("kind")?.to_string(),
        related_sanctions_committee: row.opt("related_sanctions_committee").map(str::to_string),
        provenance: row.provenance()?,
    })
}

fn parse_norm(row: &Row<'_>) -> Result<Norm, String> {
    let id = row.get("id")?;
    if !(id.len() == 1 && id.as_bytes()[0].is_ascii_lowercase()) {
        return Err(format!("id '{id}' is not a letter a-k"));
    }
    Ok(Norm {
        id: id.to_string(),
        paraphrase: row.get("paraphrase")?.to_string(),
        source_para: row.get("source_para")?.to_string(),
        topic: row.opt("topic").map(str::to_string),
        provenance: row.provenance()?,
    })
}

fn parse_vocabulary(row: &Row<'_>) -> Result<VocabularyRow, String> {
    let kind = match row.get("kind")? {
        "threat-kind" => TermKind::ThreatKind,
        "sector" => TermKind::Sector,
        "norm" => TermKind::Norm,
        "agenda-item" => TermKind::AgendaItem,
        other => {
            return Err(format!(
                "kind '{other}' is not one of threat-kind, sector, norm, agenda-item"
            ))
        }
    };
    let phrases: Vec<String> = row
        .get("phrases")?
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    for p in &phrases {
        if Phrase::parse(p).is_none() {
            return Err(format!(
                "phrase '{p}' has no word in it (letters or digits; '*' only at the end of a word)"
            ));
        }
    }
    Ok(VocabularyRow {
        kind,
        id: row.get("id")?.to_string(),
        label: row.get("label")?.to_string(),
        phrases,
        location: row.location(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_with_its_flags() {
        let r = Reference::embedded();
        assert_eq!(r.holidays.len(), 27);
        assert_eq!(r.council(2024).len(), 15);
        assert_eq!(r.presidency(2024, 6).unwrap().iso3, "KOR");
        assert_eq!(
            r.presidency(2026, 12).unwrap().provenance.verified,
            Verified::Derived
        );
        assert_eq!(r.entity("eu").unwrap().status, EntityStatus::Organisation);
        assert_eq!(r.entity("VAT").unwrap().status, EntityStatus::ObserverState);
        assert_eq!(
            r.entity("FRA").unwrap().provenance.verified,
            Verified::Unstated
        );
        let j = r.norm("j").unwrap();
        assert_eq!(j.provenance.verified, Verified::Partly);
        assert!(j
            .provenance
            .verified_note
            .as_deref()
            .unwrap()
            .starts_with("partly ("));
        // Every norm has the project's topic; a table without the column names the paragraph.
        assert!(r.norms.iter().all(|n| n.topic.is_some()));
        assert_eq!(
            r.norm("f").unwrap().name(),
            "norm (f) on not damaging critical infrastructure"
        );
        let bare = Norm {
            topic: None,
            ..r.norm("f").unwrap().clone()
        };
        assert_eq!(bare.name(), "norm (f), A/70/174 para 13(f)");
        assert_eq!(r.holidays[0].provenance.location, "un-holidays.csv:2");
        assert!(r.origins.values().all(|o| *o == Origin::Embedded));
    }

    fn parse_one(name: &'static str, text: &str) -> Result<Reference, ReferenceError> {
        let files = FILES
            .iter()
            .map(|(n, t)| {
                let t = if *n == name { text } else { t };
                (*n, n.to_string(), t.to_string(), Origin::Embedded)
            })
            .collect();
        Reference::parse_all(files)
    }

    #[test]
    fn a_wrong_weekday_names_file_line_and_reason() {
        let text = "date,weekday,name,kind,verified,source,note\n\
                    2024-01-01,Mon,New Year's Day,official (HQ closed),yes,x,\n\
                    2024-03-29,Thu,Good Friday,official (HQ closed),yes,x,\n";
        let e = parse_one(HOLIDAYS, text).unwrap_err();
        assert_eq!(e.diagnostics.len(), 1, "{e}");
        assert_eq!(e.diagnostics[0].to_string(), "un-holidays.csv:3: weekday says Thu but 2024-03-29 is a Fri: fix the date or the weekday");
    }

    #[test]
    fn bad_rows_are_all_reported() {
        let text = "date,weekday,name,kind,verified,source,note\n\
                    2024-13-01,,Bad,official,yes,x,\n\
                    2024-01-02,,Odd,optional,yes,x,\n\
                    2024-01-03,,Unsure,official,maybe,x,\n\
                    2024-01-04,,Short\n";
        let e = parse_one(HOLIDAYS, text).unwrap_err();
        let lines: Vec<_> = e.diagnostics.iter().map(|d| d.line.unwrap()).collect();
        assert_eq!(lines, [2, 3, 4, 5], "{e}");
        assert!(e.to_string().contains("verified 'maybe'"), "{e}");
        assert!(e.to_string().contains("needs quotes"), "{e}");
    }

    #[test]
    fn floating_holidays_parse_as_not_closures() {
        let text = "date,weekday,name,kind,verified,source,note\n\
                    2024-10-12,Sat,Yom Kippur,floating (HQ open),yes,x,\n";
        let r = parse_one(HOLIDAYS, text).unwrap();
        assert_eq!(r.holidays[0].kind, HolidayKind::Floating);
    }

    #[test]
    fn cross_file_checks() {
        let text = "year,month,member,iso3,verified,source\n2024,1,Germany,DEU,yes,x\n";
        let e = parse_one(PRESIDENCIES, text).unwrap_err();
        assert!(
            e.diagnostics[0].to_string().starts_with(
                "presidencies.csv:2: DEU presides in 2024-01 but is not a Council member"
            ),
            "{e}"
        );
        let text = "kind,id,label,phrases,note\nnorm,z,Z,zz,\nsector,x,X,*,\n";
        let e = parse_one(VOCABULARY, text).unwrap_err();
        assert_eq!(e.diagnostics.len(), 2, "{e}");
        assert!(
            e.diagnostics[0]
                .to_string()
                .contains("vocabulary.csv:3: phrase '*'"),
            "{e}"
        );
        assert!(
            e.diagnostics[1]
                .to_string()
                .contains("vocabulary.csv:2: norm z is not an id in norms.csv"),
            "{e}"
        );
    }
}
