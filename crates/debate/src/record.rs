//! A meeting's whole history as one log of serialisable events, and the fold that rebuilds its
//! state from them.
//!
//! The store keeps one stream per meeting; each entry of the stream is one decision (a batch of
//! [`MeetingEvent`]s, usually one: calling the next speaker is three, stop, call and start, which
//! must be kept together). The first event creates the meeting, with everything the reference
//! data said on that day (presidency, Council, agenda title, the list's opening), so replaying the
//! log gives the same state in any process and any later year, whatever the reference files say
//! then. Later events are the list's [`Change`]s and the chamber's [`LiveChange`]s, each checked
//! again as it is replayed.
//!
//! Callers change a meeting through [`MeetingRecord`]'s methods, which validate with the same
//! rules as [`SpeakersList`] and [`Live`] and keep the events they produced as *unsaved*; the
//! caller takes them with [`MeetingRecord::take_unsaved`] and appends them to the stream. A refused
//! inscription is an event too (it stays in the audit trail), so it is unsaved even though the
//! method returns an error.

use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{at_new_york, Calendar, CalendarError};
use crate::inscription::{
    Acknowledgement, Change, InscriptionId, Letter, ListContext, ListError, Placement, Request,
    Speaker, SpeakersList,
};
use crate::live::{Live, LiveChange, LiveError, Phase};
use crate::meeting::{Meeting, MeetingError, MeetingSpec, Session};
use crate::order::{Entry, SpeakingOrder};
use crate::reference::Reference;

/// One event of a meeting's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum MeetingEvent {
    /// The meeting was created: the first event of every log.
    Created {
        /// When.
        at: Timestamp,
        /// By whom.
        by: String,
        /// The meeting, as the reference data made it that day.
        meeting: Meeting,
        /// When its list of speakers opens, in New York.
        opens_at: ZonedDateTime,
    },
    /// Another sitting was planned (a resumption, possibly on a later day).
    SessionPlanned {
        /// When.
        at: Timestamp,
        /// By whom.
        by: String,
        /// The sitting.
        session: Session,
    },
    /// A change to the list of speakers (request, refusal, letter, withdrawal, replacement, move,
    /// draw, statement text).
    List {
        /// When.
        at: Timestamp,
        /// By whom.
        by: String,
        /// What.
        change: Change,
    },
    /// Something in the chamber (opening, floor given, statement start and end, suspension,
    /// resumption, closing).
    Live {
        /// When.
        at: Timestamp,
        /// By whom.
        by: String,
        /// What.
        change: LiveChange,
    },
}

impl MeetingEvent {
    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            MeetingEvent::Created { at, .. }
            | MeetingEvent::SessionPlanned { at, .. }
            | MeetingEvent::List { at, .. }
            | MeetingEvent::Live { at, .. } => *at,
        }
    }

    /// Who did it.
    pub fn by(&self) -> &str {
        match self {
            MeetingEvent::Created { by, .. }
            | MeetingEvent::SessionPlanned { by, .. }
            | MeetingEvent::List { by, .. }
            | MeetingEvent::Live { by, .. } => by,
        }
    }

    /// A short name of the kind of event, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            MeetingEvent::Created { .. } => "created",
            MeetingEvent::SessionPlanned { .. } => "session-planned",
            MeetingEvent::List { .. } => "list",
            MeetingEvent::Live { .. } => "live",
        }
    }
}

/// Why a meeting cannot be created or changed, or a log does not replay.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// The meeting's description is refused.
    #[error(transparent)]
    Meeting(#[from] MeetingError),
    /// The list's opening cannot be computed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The list refuses the change.
    #[error(transparent)]
    List(#[from] ListError),
    /// The chamber's state refuses the step.
    #[error(transparent)]
    Live(#[from] LiveError),
    /// A log without events.
    #[error("the log is empty: a meeting's first event creates it")]
    Empty,
    /// A log whose first event is not the creation.
    #[error("the first event must create the meeting, not be a '{0}' event")]
    NotCreatedFirst(&'static str),
    /// A second creation.
    #[error("the meeting is created again: only the first event may create it")]
    CreatedTwice,
    /// An event that does not replay, with its place in the log (1-based).
    #[error("event no. {index} ({kind}): {source}")]
    Replay {
        /// Its place.
        index: usize,
        /// Its kind.
        kind: &'static str,
        /// Why.
        source: Box<RecordError>,
    },
}

/// A meeting and everything that happened to it, rebuilt from its log.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRecord {
    meeting: Meeting,
    list: SpeakersList,
    live: Live,
    created_at: Timestamp,
    created_by: String,
    /// The events applied, saved or not, oldest first.
    events: Vec<MeetingEvent>,
    /// How many of `events` came from the log (the rest are unsaved).
    saved: usize,
}

impl MeetingRecord {
    /// Creates a meeting at `now` from `spec` and the reference data; the creation is unsaved.
    pub fn create(
        reference: &Reference,
        spec: MeetingSpec,
        by: &str,
        now: Timestamp,
    ) -> Result<MeetingRecord, RecordError> {
        let meeting = Meeting::new(reference, spec)?;
        let opening = meeting.opening(&Calendar::of(reference))?;
        let created = MeetingEvent::Created {
            at: now,
            by: by.to_string(),
            meeting,
            opens_at: opening.at,
        };
        let mut record = Self::from_creation(&created)?;
        record.events.push(created);
        Ok(record)
    }

    fn from_creation(event: &MeetingEvent) -> Result<MeetingRecord, RecordError> {
        let MeetingEvent::Created {
            at,
            by,
            meeting,
            opens_at,
        } = event
        else {
            return Err(RecordError::NotCreatedFirst(event.kind()));
        };
        let context = ListContext {
            meeting_id: meeting.id.clone(),
            year: meeting.year(),
            opening: opens_at.clone(),
            council: meeting.council.clone(),
            presidency: meeting.presidency.code.clone(),
            presidency_name: meeting.presidency.name.clone(),
        };
        Ok(MeetingRecord {
            list: SpeakersList::from_events(context, Vec::new())?,
            live: Live::new(meeting.time_limit),
            meeting: meeting.clone(),
            created_at: *at,
            created_by: by.clone(),
            events: Vec::new(),
            saved: 0,
        })
    }

    /// Rebuilds a meeting from its stored log, checking every event; all of them count as saved.
    pub fn replay(
        events: impl IntoIterator<Item = MeetingEvent>,
    ) -> Result<MeetingRecord, RecordError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(RecordError::Empty)?;
        let mut record = Self::from_creation(&first)?;
        record.events.push(first);
        for (k, event) in events.enumerate() {
            let kind = event.kind();
            record.apply(event).map_err(|e| RecordError::Replay {
                index: k + 2,
                kind,
                source: Box::new(e),
            })?;
        }
        record.saved = record.events.len();
        Ok(record)
    }

    /// Applies one stored event (after the creation) to the state.
    fn apply(&mut self, event: MeetingEvent) -> Result<(), RecordError> {
        match &event {
            MeetingEvent::Created { .. } => return Err(RecordError::CreatedTwice),
            MeetingEvent::SessionPlanned { session, .. } => {
                self.meeting.add_session(session.clone())?;
            }
            MeetingEvent::List { at, by, change } => {
                self.list.apply_recorded(*at, by, change.clone())?;
            }
            MeetingEvent::Live { at, change, .. } => {
                self.live.apply(*at, change.clone())?;
            }
        }
        self.events.push(event);
        Ok(())
    }

    /// The meeting (with every sitting planned so far).
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }

    /// When the list of speakers opens, in New York.
    pub fn opens_at(&self) -> &ZonedDateTime {
        &self.list.context().opening
    }

    /// When and by whom the meeting was created.
    pub fn created(&self) -> (Timestamp, &str) {
        (self.created_at, &self.created_by)
    }

    /// The list of speakers.
    pub fn list(&self) -> &SpeakersList {
        &self.list
    }

    /// The chamber's state.
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// The speaking order as of now.
    pub fn order(&self) -> SpeakingOrder {
        self.list.order()
    }

    /// Every event, saved or not, oldest first.
    pub fn events(&self) -> &[MeetingEvent] {
        &self.events
    }

    /// How many events came from the stored log (the next stored entry follows them).
    pub fn saved(&self) -> usize {
        self.saved
    }

    /// The events produced since the log was read, to be stored; they count as saved afterwards.
    pub fn take_unsaved(&mut self) -> Vec<MeetingEvent> {
        let unsaved = self.events[self.saved..].to_vec();
        self.saved = self.events.len();
        unsaved
    }

    /// Runs a list operation and records every event it logged, also when it fails (a refused
    /// request is logged as refused).
    fn on_list<T>(
        &mut self,
        f: impl FnOnce(&mut SpeakersList) -> Result<T, ListError>,
    ) -> Result<T, ListError> {
        let before = self.list.events().len();
        let out = f(&mut self.list);
        for e in &self.list.events()[before..] {
            self.events.push(MeetingEvent::List {
                at: e.at,
                by: e.by.clone(),
                change: e.change.clone(),
            });
        }
        out
    }

    /// Runs chamber steps all or nothing: on a copy, kept only when every step succeeds.
    fn on_live<T>(
        &mut self,
        by: &str,
        f: impl FnOnce(&mut Live, &SpeakingOrder) -> Result<T, LiveError>,
    ) -> Result<T, LiveError> {
        let order = self.list.order();
        let mut live = self.live.clone();
        let before = live.events().len();
        let out = f(&mut live, &order)?;
        for e in &live.events()[before..] {
            self.events.push(MeetingEvent::Live {
                at: e.at,
                by: by.to_string(),
                change: e.change.clone(),
            });
        }
        self.live = live;
        Ok(out)
    }

    /// Plans another sitting (a resumption).
    pub fn plan_session(
        &mut self,
        session: Session,
        by: &str,
        now: Timestamp,
    ) -> Result<(), RecordError> {
        let event = MeetingEvent::SessionPlanned {
            at: now,
            by: by.to_string(),
            session,
        };
        let mut meeting = self.meeting.clone();
        if let MeetingEvent::SessionPlanned { session, .. } = &event {
            meeting.add_session(session.clone())?;
        }
        self.meeting = meeting;
        self.events.push(event);
        Ok(())
    }

    /// Receives a request to speak (see [`SpeakersList::inscribe`]).
    pub fn inscribe(
        &mut self,
        reference: &Reference,
        request: Request,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.on_list(|l| l.inscribe(reference, request, by, now))
    }

    /// Attaches a rule 37 letter.
    pub fn attach_letter(
        &mut self,
        inscription: InscriptionId,
        letter: Letter,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.on_list(|l| l.attach_letter(inscription, letter, by, now))
    }

    /// Withdraws an inscription, with the reason given.
    pub fn withdraw(
        &mut self,
        inscription: InscriptionId,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        self.on_list(|l| l.withdraw(inscription, reason, by, now))
    }

    /// Replaces the speaker of an inscription.
    pub fn replace_speaker(
        &mut self,
        inscription: InscriptionId,
        speaker: Speaker,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<Acknowledgement, ListError> {
        self.on_list(|l| l.replace_speaker(inscription, speaker, reason, by, now))
    }

    /// Moves a speaker, with a reason.
    pub fn move_speaker(
        &mut self,
        inscription: InscriptionId,
        placement: Placement,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        self.on_list(|l| l.move_speaker(inscription, placement, reason, by, now))
    }

    /// Makes the draw for the Council members with `seed`.
    pub fn make_draw(&mut self, seed: u64, by: &str, now: Timestamp) -> Result<(), ListError> {
        self.on_list(|l| l.make_draw(seed, by, now))
    }

    /// Attaches a statement's text.
    pub fn attach_statement(
        &mut self,
        inscription: InscriptionId,
        text: &str,
        file_name: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<(), ListError> {
        self.on_list(|l| l.attach_statement(inscription, text, file_name, by, now))
    }

    /// Opens the meeting (its first sitting).
    pub fn open(&mut self, by: &str, now: Timestamp) -> Result<(), LiveError> {
        self.on_live(by, |live, _| live.open(now))
    }

    /// Ends the running statement (its real duration is recorded), gives the floor to the next
    /// speaker on the list and starts their timer, all at `now`. `None` when nobody is left (the
    /// running statement, if any, is still ended).
    pub fn next_speaker(&mut self, by: &str, now: Timestamp) -> Result<Option<Entry>, LiveError> {
        self.on_live(by, |live, order| {
            if live.floor().is_some_and(|f| f.started_at.is_some()) {
                live.stop(now)?;
            }
            let next = live.call_next(order, now)?;
            if next.is_some() {
                live.start(now)?;
            }
            Ok(next)
        })
    }

    /// Gives the floor to a given speaker (e.g. one passed over, now in the room) and starts the
    /// timer, ending the running statement first.
    pub fn call_speaker(
        &mut self,
        inscription: InscriptionId,
        by: &str,
        now: Timestamp,
    ) -> Result<(), LiveError> {
        self.on_live(by, |live, order| {
            if live.floor().is_some_and(|f| f.started_at.is_some()) {
                live.stop(now)?;
            }
            live.call(order, inscription, now)?;
            live.start(now)
        })
    }

    /// Ends the running statement without calling anyone.
    pub fn stop_statement(&mut self, by: &str, now: Timestamp) -> Result<(), LiveError> {
        self.on_live(by, |live, _| live.stop(now).map(drop))
    }

    /// Suspends the meeting, ending the running statement first.
    pub fn suspend(&mut self, by: &str, now: Timestamp) -> Result<(), LiveError> {
        self.on_live(by, |live, _| {
            if live.floor().is_some_and(|f| f.started_at.is_some()) {
                live.stop(now)?;
            }
            live.suspend(now)
        })
    }

    /// Resumes the meeting.
    pub fn resume(&mut self, by: &str, now: Timestamp) -> Result<(), LiveError> {
        self.on_live(by, |live, _| live.resume(now))
    }

    /// Closes the meeting, ending the running statement first.
    pub fn close(&mut self, by: &str, now: Timestamp) -> Result<(), LiveError> {
        self.on_live(by, |live, _| {
            if live.floor().is_some_and(|f| f.started_at.is_some()) {
                live.stop(now)?;
            }
            live.close(now)
        })
    }

    /// What the chamber's screen shows at `now`.
    pub fn live_view(&self, now: Timestamp) -> LiveView {
        let order = self.list.order();
        let live = &self.live;
        let position = |id: InscriptionId| order.entry(id).map(|e| e.position);
        let floor = live.floor().map(|f| {
            let countdown = live.countdown(now);
            FloorView {
                inscription: f.inscription,
                position: position(f.inscription),
                name: f.name.clone(),
                speaker: order.entry(f.inscription).map(|e| e.speaker.clone()),
                called_at: at_new_york(f.called_at),
                started_at: f.started_at.map(at_new_york),
                started_at_ms: f.started_at.map(|t| t.as_millisecond()),
                elapsed_ms: countdown.as_ref().map_or(0, |c| millis(c.elapsed)),
                remaining_ms: countdown
                    .as_ref()
                    .map_or(millis(live.time_limit()), |c| millis(c.remaining)),
                overrun: countdown.is_some_and(|c| c.overrun),
            }
        });
        let statements = live
            .statements()
            .iter()
            .map(|s| StatementView {
                inscription: s.inscription,
                position: position(s.inscription),
                name: s.name.clone(),
                started_at: at_new_york(s.started_at),
                stopped_at: at_new_york(s.stopped_at),
                duration_ms: millis(s.duration),
                limit_ms: millis(s.limit),
                overrun_ms: millis(s.overrun),
            })
            .collect();
        let t = live.totals(now);
        let remaining = live.remaining(&order);
        let on_floor = live.floor().map(|f| f.inscription);
        LiveView {
            meeting: self.meeting.id.clone(),
            now: at_new_york(now),
            now_ms: now.as_millisecond(),
            phase: live.phase(),
            since: live.events().iter().rev().find_map(|e| {
                matches!(
                    e.change,
                    LiveChange::Open | LiveChange::Suspend | LiveChange::Resume | LiveChange::Close
                )
                .then(|| at_new_york(e.at))
            }),
            time_limit_ms: millis(live.time_limit()),
            floor,
            next: live.next_up(&order).cloned(),
            waiting: remaining
                .iter()
                .filter(|e| Some(e.inscription) != on_floor)
                .count(),
            statements,
            totals: TotalsView {
                statements: t.statements,
                speaking_ms: millis(t.speaking_time),
                average_ms: millis(t.average),
                overruns: t.overruns,
                overrun_ms: millis(t.overrun_time),
                sitting_ms: millis(t.sitting_time),
                suspended_ms: millis(t.suspended_time),
                sittings: t.sittings,
                passed_over: t.passed_over,
            },
        }
    }
}

fn millis(d: SignedDuration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The speaker on the floor, for the chamber's screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloorView {
    /// The inscription.
    pub inscription: InscriptionId,
    /// Their place on the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// The delegation.
    pub name: String,
    /// Who speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Speaker>,
    /// When given the floor, in New York.
    pub called_at: ZonedDateTime,
    /// When the statement started, in New York.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<ZonedDateTime>,
    /// The same instant in milliseconds since 1970 (for a client's own countdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at_ms: Option<i64>,
    /// Time spoken so far.
    pub elapsed_ms: i64,
    /// Time left; negative once over the limit.
    pub remaining_ms: i64,
    /// True once over the limit.
    pub overrun: bool,
}

/// A statement as delivered, for the chamber's screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementView {
    /// The inscription.
    pub inscription: InscriptionId,
    /// Its place on the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// The delegation.
    pub name: String,
    /// Start, in New York.
    pub started_at: ZonedDateTime,
    /// End, in New York.
    pub stopped_at: ZonedDateTime,
    /// Real duration.
    pub duration_ms: i64,
    /// The limit in force.
    pub limit_ms: i64,
    /// Time past the limit (0 when within it).
    pub overrun_ms: i64,
}

/// The meeting's figures so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalsView {
    /// Statements delivered.
    pub statements: usize,
    /// Their total duration.
    pub speaking_ms: i64,
    /// Their mean duration.
    pub average_ms: i64,
    /// How many went over the limit.
    pub overruns: usize,
    /// Total time over the limit.
    pub overrun_ms: i64,
    /// Time in session.
    pub sitting_ms: i64,
    /// Time suspended.
    pub suspended_ms: i64,
    /// Sittings so far.
    pub sittings: usize,
    /// Speakers passed over when called, not yet heard.
    pub passed_over: Vec<InscriptionId>,
}

/// The live state for the chamber's screen at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveView {
    /// The meeting's id.
    pub meeting: String,
    /// The instant described, in New York.
    pub now: ZonedDateTime,
    /// The same in milliseconds since 1970.
    pub now_ms: i64,
    /// Not opened, sitting, suspended or closed.
    pub phase: Phase,
    /// When the phase began (opening, suspension, resumption or closing), in New York.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<ZonedDateTime>,
    /// The statement time limit.
    pub time_limit_ms: i64,
    /// Who has the floor, with the timer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<FloorView>,
    /// Who is called next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Entry>,
    /// Speakers on the list not yet heard, besides the one on the floor.
    pub waiting: usize,
    /// Statements delivered, in order.
    pub statements: Vec<StatementView>,
    /// Figures.
    pub totals: TotalsView,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inscription::{Delegation, Level};
    use crate::meeting::Format;
    use jiff::civil::date;

    fn on(day: i8, h: i8, m: i8) -> Timestamp {
        crate::calendar::in_new_york(date(2024, 6, day).at(h, m, 0, 0))
            .unwrap()
            .timestamp()
    }

    fn ny(h: i8, m: i8, s: i8) -> Timestamp {
        crate::calendar::in_new_york(date(2024, 6, 20).at(h, m, s, 0))
            .unwrap()
            .timestamp()
    }

    fn spec() -> MeetingSpec {
        MeetingSpec {
            id: "S/PV.9662".into(),
            start: date(2024, 6, 20).at(10, 0, 0, 0),
            agenda_item: "mips".into(),
            subtitle: None,
            format: Format::OpenDebate,
            chair: None,
            briefers: vec![],
            time_limit: None,
            concept_note: None,
            opening_rule: None,
        }
    }

    fn request(code: &str, level: Level) -> Request {
        Request {
            delegation: Delegation::Entity { code: code.into() },
            speaker: Speaker {
                name: format!("Representative of {code}"),
                title: String::new(),
                level,
            },
            letter: None,
            joint: None,
        }
    }

    #[test]
    fn a_replayed_log_gives_the_same_state_and_a_refusal_is_logged() {
        let r = Reference::embedded();
        let mut m = MeetingRecord::create(&r, spec(), "sec", on(14, 8, 0)).unwrap();
        // Before the opening (17 June 09:30): refused, and the refusal is an event to save.
        let early = m.inscribe(
            &r,
            request("FRA", Level::PermanentRepresentative),
            "sec",
            on(14, 9, 0),
        );
        assert!(
            matches!(early, Err(ListError::BeforeOpening { .. })),
            "{early:?}"
        );
        let first = m.take_unsaved();
        assert_eq!(first.len(), 2);
        assert!(matches!(
            first[1],
            MeetingEvent::List {
                change: Change::Refused { .. },
                ..
            }
        ));
        let mut log = first;

        let mut m = MeetingRecord::replay(log.clone()).unwrap();
        let later = ny(11, 0, 0);
        m.inscribe(
            &r,
            request("FRA", Level::PermanentRepresentative),
            "sec",
            later,
        )
        .unwrap();
        m.inscribe(&r, request("JPN", Level::Minister), "sec", later)
            .unwrap();
        m.make_draw(7, "sec", later).unwrap();
        m.open("sec", ny(11, 1, 0)).unwrap();
        // A minister speaks before a Permanent Representative among members.
        assert_eq!(
            m.next_speaker("sec", ny(11, 2, 0)).unwrap().unwrap().name,
            "Japan"
        );
        let second = m.next_speaker("sec", ny(11, 6, 30)).unwrap().unwrap();
        assert_eq!(second.name, "France");
        m.suspend("sec", ny(11, 8, 0)).unwrap();
        log.extend(m.take_unsaved());
        assert!(m.take_unsaved().is_empty());

        let again = MeetingRecord::replay(log.clone()).unwrap();
        assert_eq!(again.order(), m.order());
        assert_eq!(again.live(), m.live());
        assert_eq!(again.saved(), log.len());
        let view = again.live_view(ny(11, 10, 0));
        assert_eq!(view.phase, Phase::Suspended);
        assert_eq!(view.statements.len(), 2);
        assert_eq!(view.statements[0].duration_ms, 270_000);
        assert_eq!(view.statements[0].overrun_ms, 90_000);
        assert_eq!(view.totals.overruns, 1);
        assert_eq!(view.totals.suspended_ms, 120_000);

        // The log survives a JSON round trip unchanged.
        let json = serde_json::to_string(&log).unwrap();
        let back: Vec<MeetingEvent> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, log);
    }

    #[test]
    fn a_failed_chamber_step_records_nothing() {
        let r = Reference::embedded();
        let mut m = MeetingRecord::create(&r, spec(), "sec", ny(8, 0, 0)).unwrap();
        m.take_unsaved();
        assert_eq!(m.resume("sec", ny(10, 0, 0)), Err(LiveError::NotOpened));
        assert!(m.take_unsaved().is_empty());
        m.open("sec", ny(10, 0, 0)).unwrap();
        // Nobody is inscribed: the next call finds nobody, nothing is recorded beyond the opening.
        assert_eq!(m.next_speaker("sec", ny(10, 1, 0)), Ok(None));
        assert_eq!(m.take_unsaved().len(), 1);
    }

    #[test]
    fn a_log_that_does_not_replay_names_the_event() {
        let r = Reference::embedded();
        let m = MeetingRecord::create(&r, spec(), "sec", ny(8, 0, 0)).unwrap();
        let mut log = m.events().to_vec();
        log.push(MeetingEvent::Live {
            at: ny(9, 0, 0),
            by: "sec".into(),
            change: LiveChange::Resume,
        });
        let e = MeetingRecord::replay(log.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "event no. 2 (live): the meeting is not open yet"
        );
        assert_eq!(
            MeetingRecord::replay(log[1..].to_vec()).unwrap_err(),
            RecordError::NotCreatedFirst("live")
        );
        assert_eq!(
            MeetingRecord::replay(Vec::new()).unwrap_err(),
            RecordError::Empty
        );
        let twice = vec![log[0].clone(), log[0].clone()];
        assert!(matches!(
            MeetingRecord::replay(twice).unwrap_err(),
            RecordError::Replay { index: 2, .. }
        ));
    }
}
