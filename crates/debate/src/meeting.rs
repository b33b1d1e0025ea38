//! A Council meeting as announced in the Journal: when, under which agenda item, in which format,
//! who presides, who briefs, how long statements may be, and its sessions.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{in_new_york, new_york, Calendar, CalendarError, Opening, OpeningRule};
use crate::reference::{Provenance, Reference};

/// The kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Open to non-members of the Council (rule 37 and 39 participants speak).
    OpenDebate,
    /// A debate.
    Debate,
    /// A briefing followed by statements by Council members.
    Briefing,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::OpenDebate => "Open debate",
            Format::Debate => "Debate",
            Format::Briefing => "Briefing",
        })
    }
}

/// Someone named in the meeting: the chair or a briefer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The name, e.g. "Mr. Cho Tae-yul".
    pub name: String,
    /// The title, e.g. "Minister for Foreign Affairs of the Republic of Korea".
    pub title: String,
}

/// The standard half-day sittings of the Council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    /// 10:00-13:00.
    Morning,
    /// 15:00-18:00.
    Afternoon,
}

impl Slot {
    /// Its start and end in New York.
    pub fn hours(self) -> (Time, Time) {
        match self {
            Slot::Morning => (Time::constant(10, 0, 0, 0), Time::constant(13, 0, 0, 0)),
            Slot::Afternoon => (Time::constant(15, 0, 0, 0), Time::constant(18, 0, 0, 0)),
        }
    }
}

/// A planned sitting: the meeting runs in one or more, suspended between them and resumed, also on
/// later days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Its start, in New York.
    pub start: ZonedDateTime,
    /// Its planned end, in New York.
    pub end: ZonedDateTime,
}

impl Session {
    /// A standard sitting on `date`.
    pub fn slot(date: Date, slot: Slot) -> Result<Session, MeetingError> {
        let (s, e) = slot.hours();
        Session::between(date.to_datetime(s), date.to_datetime(e))
    }

    /// A sitting with other hours (New York wall-clock times).
    pub fn between(start: DateTime, end: DateTime) -> Result<Session, MeetingError> {
        if end <= start {
            return Err(MeetingError::Session(format!(
                "a session must end after it starts ({start} - {end})"
            )));
        }
        Ok(Session {
            start: in_new_york(start)?,
            end: in_new_york(end)?,
        })
    }
}

/// What a user gives to create a meeting; the rest comes from the reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSpec {
    /// An id chosen by the Secretariat (e.g. the meeting number or the Journal's reference).
    pub id: String,
    /// The start, New York wall-clock time.
    pub start: DateTime,
    /// An id from `agenda-items.csv`, e.g. `mips`.
    pub agenda_item: String,
    /// A subtitle, e.g. "Addressing evolving threats in cyberspace".
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The format.
    pub format: Format,
    /// Who chairs (usually the presidency's minister or Permanent Representative).
    #[serde(default)]
    pub chair: Option<Person>,
    /// Briefers invited under rule 39, in the order the presidency announced.
    #[serde(default)]
    pub briefers: Vec<Person>,
    /// The statement time limit; 3 minutes when absent.
    #[serde(default)]
    pub time_limit: Option<SignedDuration>,
    /// The concept note's symbol, e.g. `S/2024/446`.
    #[serde(default)]
    pub concept_note: Option<String>,
    /// When the list opens; the default rule (3 working days, 09:30) when absent.
    #[serde(default)]
    pub opening_rule: Option<OpeningRule>,
}

/// The presidency of the meeting's month, copied from the reference data with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingPresidency {
    /// The member's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How sure the fact is.
    pub provenance: Provenance,
}

/// A meeting of the Council.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// The Secretariat's id.
    pub id: String,
    /// The start, in New York.
    pub start: ZonedDateTime,
    /// The agenda item's id.
    pub agenda_item: String,
    /// Its title as the agenda gives it.
    pub agenda_title: String,
    /// A subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// The format.
    pub format: Format,
    /// The presidency of the month.
    pub presidency: MeetingPresidency,
    /// The chair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair: Option<Person>,
    /// Briefers, in the announced order.
    pub briefers: Vec<Person>,
    /// The statement time limit.
    pub time_limit: SignedDuration,
    /// The concept note's symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept_note: Option<String>,
    /// The opening rule of the list of speakers.
    pub opening_rule: OpeningRule,
    /// The members of the Council in the meeting's year, by code.
    pub council: Vec<String>,
    /// Planned sittings, in order.
    pub sessions: Vec<Session>,
}

/// A meeting that cannot be created or changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    /// The agenda item is not in the data.
    #[error("agenda item '{0}' is not in agenda-items.csv (add it there, or use one of its ids, e.g. mips)")]
    UnknownAgendaItem(String),
    /// No presidency is recorded for the month.
    #[error("no presidency is recorded for {0}: add the month to presidencies.csv")]
    NoPresidency(String),
    /// No Council membership is recorded for the year.
    #[error("no Council membership is recorded for {0}: add the year to council-membership.csv")]
    NoCouncil(i16),
    /// The time limit is not positive.
    #[error("the time limit must be positive, not {0}")]
    TimeLimit(String),
    /// The concept note symbol is not a Security Council document symbol.
    #[error("concept note '{0}' is not a Security Council symbol like S/2024/446")]
    ConceptNote(String),
    /// A session conflicts with another or is malformed.
    #[error("session: {0}")]
    Session(String),
    /// A date or time problem.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Whether `s` looks like `S/YYYY/N` (optionally with a suffix such as `/Add.1`).
fn is_council_symbol(s: &str) -> bool {
    let mut parts = s.split('/');
    parts.next() == Some("S")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Meeting {
    /// Creates a meeting, taking the agenda title, the presidency of the month and the Council of
    /// the year from the reference data. An open debate is planned for a morning and an afternoon
    /// on its day; other formats for one sitting from their start to 13:00 or 18:00.
    pub fn new(reference: &Reference, spec: MeetingSpec) -> Result<Meeting, MeetingError> {
        let agenda = reference
            .agenda_item(&spec.agenda_item)
            .ok_or_else(|| MeetingError::UnknownAgendaItem(spec.agenda_item.clone()))?;
        let start = in_new_york(spec.start)?;
        let (year, month) = (start.year(), start.month());
        let presidency = reference
            .presidency(year, month)
            .ok_or_else(|| MeetingError::NoPresidency(format!("{year}-{month:02}")))?;
        let council: Vec<String> = reference
            .council(year)
            .iter()
            .map(|s| s.iso3.clone())
            .collect();
        if council.is_empty() {
            return Err(MeetingError::NoCouncil(year));
        }
        let time_limit = spec.time_limit.unwrap_or(SignedDuration::from_mins(3));
        if !time_limit.is_positive() {
            return Err(MeetingError::TimeLimit(format!("{time_limit:#}")));
        }
        if let Some(symbol) = &spec.concept_note {
            if !is_council_symbol(symbol) {
                return Err(MeetingError::ConceptNote(symbol.clone()));
            }
        }
        let day = spec.start.date();
        let first_end = if spec.start.time() < Time::constant(13, 0, 0, 0) {
            Time::constant(13, 0, 0, 0)
        } else {
            Time::constant(18, 0, 0, 0).max(spec.start.time())
        };
        let mut sessions = vec![
            Session::between(spec.start, day.to_datetime(first_end)).map_err(|_| {
                MeetingError::Session(format!(
                    "the meeting starts at {} on {day}, too late for a sitting that day",
                    spec.start.time()
                ))
            })?,
        ];
        if spec.format == Format::OpenDebate && first_end == Time::constant(13, 0, 0, 0) {
            sessions.push(Session::slot(day, Slot::Afternoon)?);
        }
        Ok(Meeting {
            id: spec.id,
            start,
            agenda_item: agenda.id.clone(),
            agenda_title: agenda.title.clone(),
            subtitle: spec.subtitle,
            format: spec.format,
            presidency: MeetingPresidency {
                code: presidency.iso3.clone(),
                name: presidency.member.clone(),
                provenance: presidency.provenance.clone(),
            },
            chair: spec.chair,
            briefers: spec.briefers,
            time_limit,
            concept_note: spec.concept_note,
            opening_rule: spec.opening_rule.unwrap_or_default(),
            council,
            sessions,
        })
    }

    /// When the list of speakers opens, by the meeting's rule.
    pub fn opening(&self, calendar: &Calendar) -> Result<Opening, CalendarError> {
        calendar.list_opening(&self.start, self.opening_rule)
    }

    /// The year whose Council membership applies.
    pub fn year(&self) -> i16 {
        self.start.year()
    }

    /// Plans another sitting (a resumption), after the last one and not overlapping it.
    pub fn add_session(&mut self, session: Session) -> Result<(), MeetingError> {
        if let Some(last) = self.sessions.last() {
            if session.start.timestamp() < last.end.timestamp() {
                return Err(MeetingError::Session(format!(
                    "the resumption at {} starts before the sitting ending at {} is over",
                    session.start.with_time_zone(new_york()).datetime(),
                    last.end.datetime()
                )));
            }
        }
        self.sessions.push(session);
        Ok(())
    }

    /// The planned sitting time.
    pub fn planned_duration(&self) -> SignedDuration {
        self.sessions
            .iter()
            .map(|s| s.end.duration_since(&s.start))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    pub(crate) fn spec() -> MeetingSpec {
        MeetingSpec {
            id: "S/PV.9662".into(),
            start: date(2024, 6, 20).at(10, 0, 0, 0),
            agenda_item: "mips".into(),
            subtitle: Some("Addressing evolving threats in cyberspace".into()),
            format: Format::OpenDebate,
            chair: None,
            briefers: vec![],
            time_limit: None,
            concept_note: Some("S/2024/446".into()),
            opening_rule: None,
        }
    }

    #[test]
    fn a_meeting_takes_presidency_council_and_defaults_from_the_data() {
        let m = Meeting::new(&Reference::embedded(), spec()).unwrap();
        assert_eq!(m.presidency.code, "KOR");
        assert_eq!(m.council.len(), 15);
        assert_eq!(m.time_limit, SignedDuration::from_mins(3));
        assert_eq!(
            m.agenda_title,
            "Maintenance of international peace and security"
        );
        assert_eq!(m.sessions.len(), 2);
        assert_eq!(m.sessions[1].start.time(), Time::constant(15, 0, 0, 0));
        assert_eq!(m.planned_duration(), SignedDuration::from_hours(6));
    }

    #[test]
    fn bad_specs_are_refused_with_the_reason() {
        let r = Reference::embedded();
        let e = Meeting::new(
            &r,
            MeetingSpec {
                agenda_item: "cyber".into(),
                ..spec()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("'cyber' is not in agenda-items.csv"));
        let e = Meeting::new(
            &r,
            MeetingSpec {
                start: date(2031, 1, 5).at(10, 0, 0, 0),
                ..spec()
            },
        )
        .unwrap_err();
        assert_eq!(e, MeetingError::NoPresidency("2031-01".into()));
        let e = Meeting::new(
            &r,
            MeetingSpec {
                concept_note: Some("A/78/100".into()),
                ..spec()
            },
        )
        .unwrap_err();
        assert!(matches!(e, MeetingError::ConceptNote(_)));
        let e = Meeting::new(
            &r,
            MeetingSpec {
                time_limit: Some(SignedDuration::ZERO),
                ..spec()
            },
        )
        .unwrap_err();
        assert!(matches!(e, MeetingError::TimeLimit(_)));
    }

    #[test]
    fn resumptions_on_later_days_are_planned_in_order() {
        let mut m = Meeting::new(&Reference::embedded(), spec()).unwrap();
        m.add_session(Session::slot(date(2024, 6, 21), Slot::Morning).unwrap())
            .unwrap();
        let e = m
            .add_session(Session::slot(date(2024, 6, 20), Slot::Afternoon).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("starts before"), "{e}");
        assert_eq!(m.sessions.len(), 3);
    }
}
