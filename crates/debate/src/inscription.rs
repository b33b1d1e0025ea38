//! Inscriptions on the list of speakers, kept as an append-only log of events.
//!
//! Nothing is ever changed in place: a request, a refusal, a letter arriving, a withdrawal, the
//! replacement of a speaker, a move by the Secretariat, the draw, a statement's text are each an
//! [`Event`] with its time and author. The inscriptions and the speaking order are derived from the
//! log, so the audit trail is the data itself and anyone holding the log (and the seed it records)
//! gets the same list.

use std::collections::BTreeMap;
use std::fmt;

use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{at_new_york, Opening};
use crate::meeting::Meeting;
use crate::order::{self, SpeakingOrder};
use crate::reference::{EntityStatus, Reference};

/// The number of an inscription: the sequence number of the event that requested it.
pub type InscriptionId = u32;

/// The level at which a delegation is represented, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// A Head of State or Government.
    HeadOfStateOrGovernment,
    /// A Deputy Prime Minister.
    DeputyPrimeMinister,
    /// A Minister.
    Minister,
    /// A Vice-Minister (deputy minister, State secretary).
    ViceMinister,
    /// The Permanent Representative.
    PermanentRepresentative,
    /// Another representative (a deputy, a counsellor, a briefer's own title).
    Other,
}

impl Level {
    /// The protocol tier used for ordering: lower speaks earlier. A Permanent Representative and
    /// another representative share the last tier: practice moves ministers and other high-level
    /// speakers ahead, not ambassadors ahead of their deputies.
    pub fn tier(self) -> u8 {
        match self {
            Level::HeadOfStateOrGovernment => 0,
            Level::DeputyPrimeMinister => 1,
            Level::Minister => 2,
            Level::ViceMinister => 3,
            Level::PermanentRepresentative | Level::Other => 4,
        }
    }

    /// Whether the level is above ambassador (the speaker is moved ahead).
    pub fn is_high_level(self) -> bool {
        self.tier() < Level::PermanentRepresentative.tier()
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Level::HeadOfStateOrGovernment => "Head of State or Government",
            Level::DeputyPrimeMinister => "Deputy Prime Minister",
            Level::Minister => "Minister",
            Level::ViceMinister => "Vice-Minister",
            Level::PermanentRepresentative => "Permanent Representative",
            Level::Other => "other",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The person who will speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The name, e.g. "Ms. Kaja Kallas".
    pub name: String,
    /// The title, e.g. "Prime Minister".
    pub title: String,
    /// The level of representation.
    pub level: Level,
}

/// Who asks to speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Delegation {
    /// A State or organisation of `member-states.csv`, by code (ISO alpha-3, or `EU`).
    Entity {
        /// The code.
        code: String,
    },
    /// Another organisation invited under rule 39 (e.g. the African Union, the ICRC).
    Organisation {
        /// Its name.
        name: String,
    },
    /// A person invited to brief under rule 39 (a UN official, civil society, an academic).
    Briefer {
        /// The person's name.
        name: String,
        /// Their organisation or role.
        #[serde(default)]
        affiliation: Option<String>,
    },
}

impl Delegation {
    /// What makes two inscriptions the same delegation.
    fn key(&self) -> String {
        match self {
            Delegation::Entity { code } => format!("entity:{}", code.to_ascii_uppercase()),
            Delegation::Organisation { name } => format!("org:{}", name.trim().to_lowercase()),
            Delegation::Briefer { name, .. } => format!("briefer:{}", name.trim().to_lowercase()),
        }
    }

    /// The code, for a State or organisation of the data.
    pub fn code(&self) -> Option<&str> {
        match self {
            Delegation::Entity { code } => Some(code),
            _ => None,
        }
    }
}

/// On what basis a delegation takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// A member of the Council in the meeting's year.
    CouncilMember,
    /// A Member State not on the Council, invited under rule 37 (needs a letter).
    Rule37,
    /// An observer State, taking part on its own basis (the State of Palestine under the rules of
    /// procedure and previous practice; the Holy See as a non-member observer State).
    ObserverState,
    /// An organisation invited under rule 39 (e.g. the European Union).
    Rule39Organisation,
    /// A briefer invited under rule 39.
    Rule39Briefer,
}

impl Basis {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Basis::CouncilMember => "member of the Council",
            Basis::Rule37 => "rule 37",
            Basis::ObserverState => "observer State",
            Basis::Rule39Organisation => "rule 39 (organisation)",
            Basis::Rule39Briefer => "rule 39 (briefer)",
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The title of whoever signed a rule 37 letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "title", rename_all = "kebab-case")]
pub enum SignatoryTitle {
    /// The Permanent Representative.
    PermanentRepresentative,
    /// The Chargé d'affaires a.i.
    ChargeDAffairesAi,
    /// Any other title (e.g. Deputy Permanent Representative), verbatim: not enough for rule 37.
    Other(String),
}

impl SignatoryTitle {
    /// Reads a title as typed, e.g. "Permanent Representative", "Chargé d'affaires a.i.",
    /// "Charge d'affaires ad interim"; anything else (a deputy, a counsellor) is `Other`.
    pub fn parse(text: &str) -> SignatoryTitle {
        let t = text.trim().to_lowercase().replace('é', "e");
        let words: Vec<&str> = t
            .split(|c: char| !c.is_alphanumeric() && c != '.')
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        if t.contains("permanent representative") && !has("deputy") && !has("alternate") {
            SignatoryTitle::PermanentRepresentative
        } else if t.contains("charge d")
            && t.contains("affaires")
            && (has("a.i.") || has("a.i") || t.contains("ad interim"))
        {
            SignatoryTitle::ChargeDAffairesAi
        } else {
            SignatoryTitle::Other(text.trim().to_string())
        }
    }

    /// Whether rule 37 practice accepts a letter signed with this title.
    pub fn qualifies(&self) -> bool {
        !matches!(self, SignatoryTitle::Other(_))
    }
}

impl fmt::Display for SignatoryTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatoryTitle::PermanentRepresentative => f.write_str("Permanent Representative"),
            SignatoryTitle::ChargeDAffairesAi => f.write_str("Chargé d'affaires a.i."),
            SignatoryTitle::Other(t) => f.write_str(t),
        }
    }
}

/// The letter to the President of the Council that supports a rule 37 request: the uploaded PDF is
/// identified by its name and SHA-256; the file itself is kept by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    /// The uploaded file's name.
    pub file_name: String,
    /// The SHA-256 of its bytes, 64 lowercase hex digits.
    pub sha256: String,
    /// Who signed it.
    pub signatory_name: String,
    /// Their title.
    pub signatory_title: SignatoryTitle,
}

impl Letter {
    /// A letter from the uploaded PDF's bytes (which must start like a PDF).
    pub fn from_pdf(
        file_name: &str,
        bytes: &[u8],
        signatory_name: &str,
        signatory_title: SignatoryTitle,
    ) -> Result<Letter, ListError> {
        if !bytes.starts_with(b"%PDF-") {
            return Err(ListError::InvalidLetter(format!(
                "{file_name} is not a PDF (it does not start with %PDF-)"
            )));
        }
        use sha2::{Digest, Sha256};
        let sha256 = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Letter {
            file_name: file_name.to_string(),
            sha256,
            signatory_name: signatory_name.trim().to_string(),
            signatory_title,
        })
    }

    fn check(&self) -> Result<(), ListError> {
        if self.file_name.trim().is_empty() {
            return Err(ListError::InvalidLetter(
                "the letter has no file name".into(),
            ));
        }
        if !(self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        {
            return Err(ListError::InvalidLetter(format!(
                "sha256 of {} must be 64 lowercase hex digits, not '{}'",
                self.file_name, self.sha256
            )));
        }
        Ok(())
    }
}

/// One speaker on behalf of several delegations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joint {
    /// The group's name, e.g. "the Nordic-Baltic countries".
    #[serde(default)]
    pub group: Option<String>,
    /// The delegations joining (codes of `member-states.csv` or names).
    #[serde(default)]
    pub on_behalf_of: Vec<String>,
}

/// A request to be inscribed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Who asks.
    pub delegation: Delegation,
    /// Who will speak.
    pub speaker: Speaker,
    /// The rule 37 letter, when there is one.
    #[serde(default)]
    pub letter: Option<Letter>,
    /// Set for a joint statement.
    #[serde(default)]
    pub joint: Option<Joint>,
}

/// Why a request is received but not yet on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Missing {
    /// No letter is attached to a rule 37 request.
    Letter,
    /// The letter is signed by someone whose title is not accepted.
    Signatory {
        /// The title on the letter.
        title: String,
    },
    /// The letter does not name its signatory.
    SignatoryName,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Letter => f.write_str(
                "a rule 37 request needs a letter addressed to the President of the Security Council, signed by the Permanent Representative or the Chargé d'affaires a.i.: none is attached",
            ),
            Missing::Signatory { title } => write!(
                f,
                "the letter is signed by the {title}; a rule 37 letter must be signed by the Permanent Representative or the Chargé d'affaires a.i."
            ),
            Missing::SignatoryName => f.write_str("the letter does not name its signatory"),
        }
    }
}

/// What is missing from a request, if anything.
fn missing(basis: Basis, letter: Option<&Letter>) -> Vec<Missing> {
    if basis != Basis::Rule37 {
        return Vec::new();
    }
    let Some(letter) = letter else {
        return vec![Missing::Letter];
    };
    let mut m = Vec::new();
    if !letter.signatory_title.qualifies() {
        m.push(Missing::Signatory {
            title: letter.signatory_title.to_string(),
        });
    }
    if letter.signatory_name.trim().is_empty() {
        m.push(Missing::SignatoryName);
    }
    m
}

/// Where the Secretariat moves a speaker, relative to another inscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "inscription", rename_all = "lowercase")]
pub enum Placement {
    /// Just before that inscription.
    Before(InscriptionId),
    /// Just after it.
    After(InscriptionId),
}

impl Placement {
    /// The inscription it is relative to.
    pub fn anchor(self) -> InscriptionId {
        match self {
            Placement::Before(id) | Placement::After(id) => id,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Change {
    /// A request was received and accepted (complete or not); the event's number is the
    /// inscription's number.
    Requested {
        /// The request.
        request: Request,
        /// The delegation's name at the time.
        name: String,
        /// Its basis, decided from the reference data at the time.
        basis: Basis,
    },
    /// A request was refused (kept for the audit trail).
    Refused {
        /// The request.
        request: Request,
        /// Why.
        reason: String,
    },
    /// A letter was attached to a request (a later letter supersedes an earlier one).
    LetterAttached {
        /// The inscription.
        inscription: InscriptionId,
        /// The letter.
        letter: Letter,
    },
    /// The delegation withdrew.
    Withdrawn {
        /// The inscription.
        inscription: InscriptionId,
        /// Why, as given.
        reason: String,
    },
    /// Another person will speak for the delegation, in the same place.
    Replaced {
        /// The inscription.
        inscription: InscriptionId,
        /// The new speaker.
        speaker: Speaker,
        /// Why, as given.
        reason: String,
    },
    /// The Secretariat moved a speaker.
    Moved {
        /// The inscription moved.
        inscription: InscriptionId,
        /// Where to.
        placement: Placement,
        /// Why (required).
        reason: String,
    },
    /// The draw for the order of Council members.
    Drawn {
        /// The seed of the SplitMix64 draw (see the `draw` module).
        seed: u64,
    },
    /// A statement's text was attached (a later text supersedes an earlier one).
    StatementAttached {
        /// The inscription.
        inscription: InscriptionId,
        /// The text.
        text: String,
        /// The file it came from, if any.
        #[serde(default)]
        file_name: Option<String>,
    },
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1, 2, 3, ... in log order.
    pub seq: u32,
    /// When it happened (shown in New York).
    pub at: Timestamp,
    /// Who did it: "eSpeakers", "Secretariat (J. Doe)", ...
    pub by: String,
    /// What happened.
    #[serde(flatten)]
    pub change: Change,
}

/// What the list knows about its meeting, fixed when the list is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListContext {
    /// The meeting's id.
    pub meeting_id: String,
    /// The meeting's year (Council membership).
    pub year: i16,
    /// When the list opens.
    pub opening: ZonedDateTime,
    /// The Council members of the year, by code.
    pub council: Vec<String>,
    /// The presidency's code.
    pub presidency: String,
    /// The presidency's name.
    pub presidency_name: String,
}

/// A withdrawal, as derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// When.
    pub at: Timestamp,
    /// Why.
    pub reason: String,
}

/// A replacement of the speaker, as derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// When.
    pub at: Timestamp,
    /// Who was to speak before.
    pub previous: Speaker,
    /// Why.
    pub reason: String,
}

/// A statement's text, as derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementText {
    /// When it was attached.
    pub at: Timestamp,
    /// The text.
    pub text: String,
    /// The file it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// An inscription's current state, derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inscription {
    /// Its number.
    pub id: InscriptionId,
    /// Who asked.
    pub delegation: Delegation,
    /// The delegation's name.
    pub name: String,
    /// The basis of participation.
    pub basis: Basis,
    /// Who will speak now.
    pub speaker: Speaker,
    /// Set for a joint statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<Joint>,
    /// When the request was received.
    pub received_at: Timestamp,
    /// The letter (rule 37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<Letter>,
    /// When the request became complete: it takes its place in the order of inscription from then
    /// (for a rule 37 request, when a valid letter is attached). `None` while incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_since: Option<Timestamp>,
    /// What is missing while incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Missing>,
    /// Set when withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
    /// Earlier speakers replaced, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<Replacement>,
    /// The statement's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementText>,
}

impl Inscription {
    /// Complete and not withdrawn: on the speaking order.
    pub fn is_listed(&self) -> bool {
        self.complete_since.is_some() && self.withdrawn.is_none()
    }
}

/// Whether a request is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// On the list.
    Complete,
    /// Received, not yet on the list: what is missing.
    Incomplete {
        /// The reasons.
        missing: Vec<Missing>,
    },
}

/// The automatic acknowledgement of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The inscription's number.
    pub inscription: InscriptionId,
    /// The delegation's name.
    pub delegation: String,
    /// When the request was received, in New York.
    pub received_at: ZonedDateTime,
    /// Complete or incomplete with reasons.
    #[serde(flatten)]
    pub status: Status,
    /// The current place on the list (1-based), when complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// True until the draw for the Council members is made: positions may still change.
    pub provisional: bool,
}

impl fmt::Display for Acknowledgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Request no. {} from {} received on {}.",
            self.inscription,
            self.delegation,
            self.received_at.strftime("%A %-d %B %Y at %H:%M:%S %Z")
        )?;
        match (&self.status, self.position) {
            (Status::Complete, Some(p)) => {
                write!(f, " Current position on the list of speakers: {p}")?;
                if self.provisional {
                    f.write_str(" (provisional until the draw)")?;
                }
                f.write_str(".")
            }
            (Status::Complete, None) => f.write_str(" Inscribed."),
            (Status::Incomplete { missing }, _) => {
                f.write_str(" The request is incomplete and not yet on the list: ")?;
                let reasons: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
                write!(f, "{}.", reasons.join("; "))
            }
        }
    }
}

/// A request or change that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// The list is not open yet.
    #[error("the list of speakers opens on {}; this request was received on {}: please send it again from then",
        .opens_at.strftime("%A %-d %B %Y at %H:%M %Z (New York)"),
        .received_at.strftime("%A %-d %B %Y at %H:%M:%S %Z"))]
    BeforeOpening {
        /// When it opens.
        opens_at: ZonedDateTime,
        /// When the request arrived.
        received_at: ZonedDateTime,
    },
    /// The code is not in `member-states.csv`.
    #[error("'{0}' is not a code in member-states.csv (use an ISO 3166 alpha-3 code such as EST, or EU)")]
    UnknownDelegation(String),
    /// The delegation is already on the list.
    #[error("{name} is already inscribed (no. {inscription}): withdraw it or replace the speaker instead")]
    AlreadyInscribed {
        /// The existing inscription.
        inscription: InscriptionId,
        /// The delegation.
        name: String,
    },
    /// A letter is malformed.
    #[error("letter: {0}")]
    InvalidLetter(String),
    /// A letter was attached to an inscription that needs none.
    #[error("inscription no. {0} is not a rule 37 request: it needs no letter")]
    NoLetterNeeded(InscriptionId),
    /// No such inscription.
    #[error("there is no inscription no. {0}")]
    UnknownInscription(InscriptionId),
    /// The inscription was withdrawn.
    #[error("inscription no. {0} was withdrawn")]
    Withdrawn(InscriptionId),
    /// The inscription is not complete (it cannot be moved or be an anchor yet).
    #[error("inscription no. {0} is incomplete and not yet on the list")]
    Incomplete(InscriptionId),
    /// A move relative to itself.
    #[error("inscription no. {0} cannot be moved relative to itself")]
    MoveToSelf(InscriptionId),
    /// A move, withdrawal or replacement without a reason.
    #[error("a reason is required")]
    NoReason,
    /// The draw was already made.
    #[error("the draw was already made on {} with seed {seed}", at_new_york(*.at).strftime("%-d %B %Y at %H:%M:%S %Z"))]
    AlreadyDrawn {
        /// The seed used.
        seed: u64,
        /// When.
        at: Timestamp,
    },
    /// An event dated before the previous one.
    #[error(
        "event time {now} is before the previous event's time {last}: the log only moves forward"
    )]
    OutOfOrder {
        /// The previous event's time.
        last: Timestamp,
        /// The time given.
        now: Timestamp,
    },
    /// A log that does not replay.
    #[error("event no. {seq}: {reason}")]
    Replay {
        /// The event.
        seq: u32,
        /// Why.
        reason: String,
    },
}

/// A list of speakers: its meeting context and its log of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakersList {
    context: ListContext,
    events: Vec<Event>,
}

impl SpeakersList {
    /// An empty list for `meeting`, opening at `opening`.
    pub fn new(meeting: &Meeting, opening: &Opening) -> SpeakersList {
        SpeakersList {
            context: ListContext {
                meeting_id: meeting.id.clone(),
                year: meeting.year(),
                opening: opening.at.clone(),
                council: meeting.council.clone(),
                presidency: meeting.presidency.code.clone(),
                presidency_name: meeting.presidency.name.clone(),
            },
            events: Vec::new(),
        }
    }

    /// A list rebuilt from a stored log; the log is checked by replaying it.
    pub fn from_events(
        context: ListContext,
        events: Vec<Event>,
    ) -> Result<SpeakersList, ListError> {
        let mut list = SpeakersList {
            context,
            events: Vec::new(),
        };
        for (i, e) in events.into_iter().enumerate() {
            let expected = i as u32 + 1;
            let fail = |reason: String| ListError::Replay { seq: e.seq, reason };
            if e.seq != expected {
                return Err(fail(format!("expected event no. {expected}")));
            }
            if let Some(last) = list.events.last() {
                if e.at < last.at {
                    return Err(fail(format!(
                        "dated {} before the previous event ({})",
                        e.at, last.at
                    )));
                }
            }
            list.check(&e.change).map_err(|err| fail(err.to_string()))?;
            list.events.push(e);
        }
        Ok(list)
    }

    /// Appends one event read back from storage (its number is the next one), checking it as
    /// [`SpeakersList::from_events`] does: forward in time and applicable to the current state. A
    /// request's basis and name are taken as recorded, since they were decided from the reference
    /// data of the day it arrived. Returns the event's number.
    pub fn apply_recorded(
        &mut self,
        at: Timestamp,
        by: &str,
        change: Change,
    ) -> Result<InscriptionId, ListError> {
        self.ensure_forward(at)?;
        self.check(&change)?;
        Ok(self.push(at, by, change))
    }

    /// The meeting context.
    pub fn context(&self) -> &ListContext {
        &self.context
    }

    /// The log, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The seed and time of the draw, once made.
    pub fn draw(&self) -> Option<(u64, Timestamp)> {
        self.events.iter().find_map(|e| match e.change {
            Change::Drawn { seed } => Some((seed, e.at)),
            _ => None,
        })
    }

    /// Every inscription, by number, derived from the log.
    pub fn inscriptions(&self) -> BTreeMap<InscriptionId, Inscription> {
        let mut out: BTreeMap<InscriptionId, Inscription> = BTreeMap::new();
        for e in &self.events {
            match &e.change {
                Change::Requested {
                    request,
                    name,
                    basis,
                } => {
                    let missing = missing(*basis, request.letter.as_ref());
                    out.insert(
                        e.seq,
                        Inscription {
                            id: e.seq,
                            delegation: request.delegation.clone(),
                            name: name.clone(),
                            basis: *basis,
                            speaker: request.speaker.clone(),
                            joint: request.joint.clone(),
                            received_at: e.at,
                            letter: request.letter.clone(),
                            complete_since: missing.is_empty().then_some(e.at),
                            missing,
                            withdrawn: None,
                            replacements: Vec::new(),
                            statement: None,
                        },
                    );
                }
                Change::LetterAttached {
                    inscription,
                    letter,
                } => {
                    if let Some(i) = out.get_mut(inscription) {
                        i.letter = Some(letter.clone());
                        i.missing = missing(i.basis, Some(letter));
                        if i.missing.is_empty() && i.complete_since.is_none() {
                            i.complete_since = Some(e.at);
                        }
                    }
                }
                Change::Withdrawn {
                    inscription,
                    reason,
                } => {
                    if let Some(i) = out.get_mut(inscription) {
                        i.withdrawn = Some(Withdrawal {
                            at: e.at,
                            reason: reason.clone(),
                        });
                    }
                }
                Change::Replaced {
                    inscription,
                    speaker,
                    reason,
                } => {
                    if let Some(i) = out.get_mut(inscription) {
                        let previous = std::mem::replace(&mut i.speaker, speaker.clone());
                        i.replacements.push(Replacement {
                            at: e.at,
                            previous,
                            reason: reason.clone(),
                        });
                    }
                }
                Change::StatementAttached {
                    inscription,
                    text,
                    file_name,
                } => {
                    if let Some(i) = out.get_mut(inscription) {
                        i.statement = Some(StatementText {
                            at: e.at,
                            text: text.clone(),
                            file_name: file_name.clone(),
                        });
                    }
                }
                Change::Refused { .. } | Change::Moved { .. } | Change::Drawn { .. } => {}
            }
        }
        out
    }

    /// The speaking order as of now.
    pub fn order(&self) -> SpeakingOrder {
        order::compute(self)
    }

    /// Receives a request at `now`.
    ///
    /// Refused (and logged as refused): before the opening (except rule 39 briefers, whom the
    /// presidency invites), an unknown code, a delegation already inscribed, a malformed letter.
    /// Accepted otherwise, complete or, for a rule 37 request without a proper letter, incomplete
    /// with the reasons; the acknowledgement gives the current position.
    pub fn inscribe(
        &mut self,
        reference: &Reference,
        request: Request,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.ensure_forward(now)?;
        match self.classify(reference, &request, now) {
            Ok((name, basis)) => {
                let seq = self.push(
                    now,
                    by,
                    Change::Requested {
                        request,
                        name,
                        basis,
                    },
                );
                Ok(self.acknowledgement(seq))
            }
            Err(e) => {
                let reason = e.to_string();
                self.push(now, by, Change::Refused { request, reason });
                Err(e)
            }
        }
    }

    /// Attaches (or replaces) the rule 37 letter of an inscription.
    pub fn attach_letter(
        &mut self,
        inscription: InscriptionId,
        letter: Letter,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.ensure_forward(now)?;
        let change = Change::LetterAttached {
            inscription,
            letter,
        };
        self.check(&change)?;
        self.push(now, by, change);
        Ok(self.acknowledgement(inscription))
    }

    /// Withdraws an inscription.
    pub fn withdraw(
        &mut self,
        inscription: InscriptionId,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        self.apply(
            now,
            by,
            Change::Withdrawn {
                inscription,
                reason: reason.trim().to_string(),
            },
        )
    }

    /// Replaces the speaker of an inscription; the place in the order of inscription is kept (the
    /// new level of representation may move it, as protocol requires).
    pub fn replace_speaker(
        &mut self,
        inscription: InscriptionId,
        speaker: Speaker,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.apply(
            now,
            by,
            Change::Replaced {
                inscription,
                speaker,
                reason: reason.trim().to_string(),
            },
        )?;
        Ok(self.acknowledgement(inscription))
    }

    /// Moves a speaker (the Secretariat, at the presidency's request), with a reason.
    pub fn move_speaker(
        &mut self,
        inscription: InscriptionId,
        placement: Placement,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        self.apply(
            now,
            by,
            Change::Moved {
                inscription,
                placement,
                reason: reason.trim().to_string(),
            },
        )
    }

    /// Makes the draw for the order of Council members with `seed` (chosen by the caller, e.g.
    /// from the operating system's randomness, and recorded). Only once.
    pub fn make_draw(&mut self, seed: u64, by: &str, now: Timestamp) -> Result<(), ListError> {
        self.apply(now, by, Change::Drawn { seed })
    }

    /// Attaches a statement's text to an inscription.
    pub fn attach_statement(
        &mut self,
        inscription: InscriptionId,
        text: &str,
        file_name: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        let change = Change::StatementAttached {
            inscription,
            text: text.to_string(),
            file_name: file_name.map(str::to_string),
        };
        self.apply(now, by, change)
    }

    /// The acknowledgement of an inscription as things stand.
    pub fn acknowledgement(&self, inscription: InscriptionId) -> Acknowledgement {
        let all = self.inscriptions();
        let i = &all[&inscription];
        let order = self.order();
        let position = order
            .entries
            .iter()
            .find(|e| e.inscription == inscription)
            .map(|e| e.position);
        Acknowledgement {
            inscription,
            delegation: i.name.clone(),
            received_at: at_new_york(i.received_at),
            status: if i.missing.is_empty() {
                Status::Complete
            } else {
                Status::Incomplete {
                    missing: i.missing.clone(),
                }
            },
            position,
            provisional: order.seed.is_none(),
        }
    }

    fn apply(&mut self, now: Timestamp, by: &str, change: Change) -> Result<(), ListError> {
        self.ensure_forward(now)?;
        self.check(&change)?;
        self.push(now, by, change);
        Ok(())
    }

    fn push(&mut self, at: Timestamp, by: &str, change: Change) -> u32 {
        let seq = self.events.len() as u32 + 1;
        self.events.push(Event {
            seq,
            at,
            by: by.to_string(),
            change,
        });
        seq
    }

    fn ensure_forward(&self, now: Timestamp) -> Result<(), ListError> {
        match self.events.last() {
            Some(last) if now < last.at => Err(ListError::OutOfOrder { last: last.at, now }),
            _ => Ok(()),
        }
    }

    /// Decides the delegation's name and basis, or why the request is refused.
    fn classify(
        &self,
        reference: &Reference,
        request: &Request,
        now: Timestamp,
    ) -> Result<(String, Basis), ListError> {
        let (name, basis) = match &request.delegation {
            Delegation::Entity { code } => {
                let e = reference
                    .entity(code)
                    .ok_or_else(|| ListError::UnknownDelegation(code.clone()))?;
                let basis = match e.status {
                    EntityStatus::MemberState if self.context.council.contains(&e.code) => {
                        Basis::CouncilMember
                    }
                    EntityStatus::MemberState => Basis::Rule37,
                    EntityStatus::ObserverState => Basis::ObserverState,
                    EntityStatus::Organisation => Basis::Rule39Organisation,
                };
                (e.name.clone(), basis)
            }
            Delegation::Organisation { name } => {
                (name.trim().to_string(), Basis::Rule39Organisation)
            }
            Delegation::Briefer { name, affiliation } => {
                let shown = match affiliation {
                    Some(a) if !a.trim().is_empty() => format!("{}, {}", name.trim(), a.trim()),
                    _ => name.trim().to_string(),
                };
                (shown, Basis::Rule39Briefer)
            }
        };
        if basis != Basis::Rule39Briefer && now < self.context.opening.timestamp() {
            return Err(ListError::BeforeOpening {
                opens_at: self.context.opening.clone(),
                received_at: at_new_york(now),
            });
        }
        let key = request.delegation.key();
        let canonical_key = match (
            &request.delegation,
            reference.entity(request.delegation.code().unwrap_or("")),
        ) {
            (Delegation::Entity { .. }, Some(e)) => {
                format!("entity:{}", e.code.to_ascii_uppercase())
            }
            _ => key,
        };
        if let Some(i) = self
            .inscriptions()
            .values()
            .find(|i| i.withdrawn.is_none() && i.delegation.key() == canonical_key)
        {
            return Err(ListError::AlreadyInscribed {
                inscription: i.id,
                name: i.name.clone(),
            });
        }
        if let Some(letter) = &request.letter {
            letter.check()?;
        }
        Ok((name, basis))
    }

    /// Whether a change other than a request can be applied to the current state.
    fn check(&self, change: &Change) -> Result<(), ListError> {
        let all = self.inscriptions();
        let live = |id: InscriptionId| -> Result<&Inscription, ListError> {
            let i = all.get(&id).ok_or(ListError::UnknownInscription(id))?;
            if i.withdrawn.is_some() {
                return Err(ListError::Withdrawn(id));
            }
            Ok(i)
        };
        let reason_given = |r: &str| {
            if r.trim().is_empty() {
                Err(ListError::NoReason)
            } else {
                Ok(())
            }
        };
        match change {
            Change::Requested { .. } | Change::Refused { .. } => Ok(()),
            Change::LetterAttached {
                inscription,
                letter,
            } => {
                let i = live(*inscription)?;
                if i.basis != Basis::Rule37 {
                    return Err(ListError::NoLetterNeeded(*inscription));
                }
                letter.check()
            }
            Change::Withdrawn {
                inscription,
                reason,
            } => {
                live(*inscription)?;
                reason_given(reason)
            }
            Change::Replaced {
                inscription,
                reason,
                ..
            } => {
                live(*inscription)?;
                reason_given(reason)
            }
            Change::Moved {
                inscription,
                placement,
                reason,
            } => {
                if *inscription == placement.anchor() {
                    return Err(ListError::MoveToSelf(*inscription));
                }
                for id in [*inscription, placement.anchor()] {
                    if !live(id)?.missing.is_empty() {
                        return Err(ListError::Incomplete(id));
                    }
                }
                reason_given(reason)
            }
            Change::Drawn { .. } => match self.draw() {
                Some((seed, at)) => Err(ListError::AlreadyDrawn { seed, at }),
                None => Ok(()),
            },
            Change::StatementAttached { inscription, .. } => all
                .get(inscription)
                .map(|_| ())
                .ok_or(ListError::UnknownInscription(*inscription)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatory_titles_are_read_leniently_but_deputies_do_not_qualify() {
        use SignatoryTitle::*;
        assert_eq!(
            SignatoryTitle::parse("Permanent Representative"),
            PermanentRepresentative
        );
        assert_eq!(
            SignatoryTitle::parse(
                "Ambassador, Permanent Representative of Estonia to the United Nations"
            ),
            PermanentRepresentative
        );
        assert_eq!(
            SignatoryTitle::parse("Chargé d'affaires a.i."),
            ChargeDAffairesAi
        );
        assert_eq!(
            SignatoryTitle::parse("Charge d'Affaires ad interim"),
            ChargeDAffairesAi
        );
        assert_eq!(
            SignatoryTitle::parse("Deputy Permanent Representative"),
            Other("Deputy Permanent Representative".into())
        );
        assert_eq!(
            SignatoryTitle::parse("Chargé d'affaires"),
            Other("Chargé d'affaires".into())
        );
        assert!(!SignatoryTitle::parse("Counsellor").qualifies());
    }

    #[test]
    fn levels_share_a_tier_at_ambassador_level() {
        assert!(Level::Minister.tier() < Level::ViceMinister.tier());
        assert_eq!(Level::PermanentRepresentative.tier(), Level::Other.tier());
        assert!(Level::ViceMinister.is_high_level());
        assert!(!Level::PermanentRepresentative.is_high_level());
    }

    #[test]
    fn a_letter_needs_pdf_bytes_and_a_valid_digest() {
        let l = Letter::from_pdf(
            "est.pdf",
            b"%PDF-1.7 ...",
            "Rein Tammsaar",
            SignatoryTitle::PermanentRepresentative,
        )
        .unwrap();
        assert_eq!(l.sha256.len(), 64);
        assert!(l.check().is_ok());
        assert!(Letter::from_pdf(
            "est.docx",
            b"PK..",
            "x",
            SignatoryTitle::PermanentRepresentative
        )
        .is_err());
        let bad = Letter {
            sha256: "ABC".into(),
            ..l
        };
        assert!(matches!(bad.check(), Err(ListError::InvalidLetter(_))));
    }

    #[test]
    fn missing_lists_every_reason() {
        let l = Letter {
            file_name: "x.pdf".into(),
            sha256: "0".repeat(64),
            signatory_name: " ".into(),
            signatory_title: SignatoryTitle::Other("First Secretary".into()),
        };
        assert_eq!(missing(Basis::Rule37, None), [Missing::Letter]);
        assert_eq!(missing(Basis::Rule37, Some(&l)).len(), 2);
        assert!(missing(Basis::ObserverState, None).is_empty());
        assert!(missing(Basis::CouncilMember, None).is_empty());
    }
}
