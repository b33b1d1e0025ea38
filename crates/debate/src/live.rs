//! The meeting as it runs: who has the floor, the statement timer, suspensions, totals.
//!
//! A pure state machine over an append-only log of [`LiveEvent`]s, each with the time it happened
//! (given by the caller: there is no clock in here). The live page shows [`Live::countdown`] and
//! [`Live::next_up`]; the record of statements with their real durations and overruns, and the
//! totals, are derived from the same log, which [`Live::replay`] rebuilds exactly.
//!
//! ```text
//!   NotOpened --open--> Sitting --suspend--> Suspended --resume--> Sitting --close--> Closed
//!   Sitting: call (floor: called) --start--> (floor: speaking) --stop--> (floor empty)
//!            calling someone else while the called speaker has not started passes them over.
//! ```

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::inscription::InscriptionId;
use crate::order::{Entry, SpeakingOrder};

/// What happened in the chamber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum LiveChange {
    /// The President opens the meeting (or the first sitting).
    Open,
    /// The President gives the floor to a speaker.
    Call {
        /// The inscription.
        inscription: InscriptionId,
        /// The delegation, as listed.
        name: String,
    },
    /// The speaker starts; the timer runs.
    Start,
    /// The speaker ends; the timer stops.
    Stop,
    /// The meeting is suspended (e.g. at 13:00, to resume at 15:00 or on another day).
    Suspend,
    /// The meeting resumes.
    Resume,
    /// The meeting rises.
    Close,
}

/// One entry of the live log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// When.
    pub at: Timestamp,
    /// What.
    #[serde(flatten)]
    pub change: LiveChange,
}

/// Where the meeting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Not opened yet.
    NotOpened,
    /// In session.
    Sitting,
    /// Suspended.
    Suspended,
    /// Adjourned: nothing more happens.
    Closed,
}

/// Who has the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// When called.
    pub called_at: Timestamp,
    /// When the statement started, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
}

/// A statement as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRecord {
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// When the floor was given.
    pub called_at: Timestamp,
    /// When the statement started.
    pub started_at: Timestamp,
    /// When it ended.
    pub stopped_at: Timestamp,
    /// Its real duration.
    pub duration: SignedDuration,
    /// The limit in force.
    pub limit: SignedDuration,
    /// How far past the limit (zero when within it).
    pub overrun: SignedDuration,
}

/// The timer of the running statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    /// The inscription speaking.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// Time spoken so far.
    pub elapsed: SignedDuration,
    /// Time left; negative once over the limit.
    pub remaining: SignedDuration,
    /// True once over the limit.
    pub overrun: bool,
}

/// Figures for the meeting so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Statements delivered.
    pub statements: usize,
    /// Their total duration.
    pub speaking_time: SignedDuration,
    /// Their mean duration (zero when none).
    pub average: SignedDuration,
    /// How many went over the limit.
    pub overruns: usize,
    /// Total time over the limit.
    pub overrun_time: SignedDuration,
    /// The longest statement (inscription and duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest: Option<(InscriptionId, SignedDuration)>,
    /// Time in session (the open sitting counted up to `now`).
    pub sitting_time: SignedDuration,
    /// Time suspended between sittings (a running suspension counted up to `now`).
    pub suspended_time: SignedDuration,
    /// Sittings so far.
    pub sittings: usize,
    /// Speakers passed over when called (absent), not yet heard.
    pub passed_over: Vec<InscriptionId>,
}

/// A step the meeting's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    /// Before `open`.
    #[error("the meeting is not open yet")]
    NotOpened,
    /// `open` twice.
    #[error("the meeting is already open")]
    AlreadyOpened,
    /// While suspended.
    #[error("the meeting is suspended: resume it first")]
    Suspended,
    /// After `close`.
    #[error("the meeting is closed")]
    Closed,
    /// `resume` when not suspended.
    #[error("the meeting is not suspended")]
    NotSuspended,
    /// `start` with nobody called.
    #[error("nobody has been given the floor")]
    NobodyCalled,
    /// Something that needs the statement to be stopped first.
    #[error("{0} is speaking: stop the statement first")]
    Speaking(String),
    /// `stop` when nobody speaks.
    #[error("no statement is running")]
    NotSpeaking,
    /// `call` for someone not on the list.
    #[error("inscription no. {0} is not on the list of speakers")]
    NotOnList(InscriptionId),
    /// An event dated before the previous one.
    #[error("time {now} is before the previous event's time {last}")]
    OutOfOrder {
        /// The previous event's time.
        last: Timestamp,
        /// The time given.
        now: Timestamp,
    },
}

/// The live state of a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Live {
    time_limit: SignedDuration,
    events: Vec<LiveEvent>,
    phase: Phase,
    floor: Option<Floor>,
    statements: Vec<StatementRecord>,
    passed: Vec<InscriptionId>,
    /// Sittings as (start, end); the last has no end while in session.
    sittings: Vec<(Timestamp, Option<Timestamp>)>,
}

impl Live {
    /// A meeting not yet opened, with the statement time limit.
    pub fn new(time_limit: SignedDuration) -> Live {
        Live {
            time_limit,
            events: Vec::new(),
            phase: Phase::NotOpened,
            floor: None,
            statements: Vec::new(),
            passed: Vec::new(),
            sittings: Vec::new(),
        }
    }

    /// Rebuilds the state from a stored log, checking every step.
    pub fn replay(
        time_limit: SignedDuration,
        events: impl IntoIterator<Item = LiveEvent>,
    ) -> Result<Live, LiveError> {
        let mut live = Live::new(time_limit);
        for e in events {
            live.apply(e.at, e.change)?;
        }
        Ok(live)
    }

    /// The log, oldest first.
    pub fn events(&self) -> &[LiveEvent] {
        &self.events
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Who has the floor.
    pub fn floor(&self) -> Option<&Floor> {
        self.floor.as_ref()
    }

    /// Statements delivered, in order.
    pub fn statements(&self) -> &[StatementRecord] {
        &self.statements
    }

    /// The time limit.
    pub fn time_limit(&self) -> SignedDuration {
        self.time_limit
    }

    /// Applies one event, or says why it cannot happen now (the state is then unchanged).
    pub fn apply(&mut self, at: Timestamp, change: LiveChange) -> Result<(), LiveError> {
        self.allowed(at, &change)?;
        match &change {
            LiveChange::Open => {
                self.phase = Phase::Sitting;
                self.sittings.push((at, None));
            }
            LiveChange::Call { inscription, name } => {
                if let Some(previous) = self.floor.take() {
                    // Called but never started: passed over, heard later if called again.
                    self.passed.push(previous.inscription);
                }
                self.passed.retain(|p| p != inscription);
                self.floor = Some(Floor {
                    inscription: *inscription,
                    name: name.clone(),
                    called_at: at,
                    started_at: None,
                });
            }
            LiveChange::Start => {
                if let Some(f) = self.floor.as_mut() {
                    f.started_at = Some(at);
                }
            }
            LiveChange::Stop => {
                let f = self.floor.take().expect("checked: someone is speaking");
                let started_at = f.started_at.expect("checked: the statement started");
                let duration = at.duration_since(started_at);
                let overrun = (duration - self.time_limit).max(SignedDuration::ZERO);
                self.statements.push(StatementRecord {
                    inscription: f.inscription,
                    name: f.name,
                    called_at: f.called_at,
                    started_at,
                    stopped_at: at,
                    duration,
                    limit: self.time_limit,
                    overrun,
                });
            }
            LiveChange::Suspend | LiveChange::Close => {
                if let Some(previous) = self.floor.take() {
                    self.passed.push(previous.inscription);
                }
                if let Some(last) = self.sittings.last_mut() {
                    last.1 = Some(at);
                }
                self.phase = if change == LiveChange::Close {
                    Phase::Closed
                } else {
                    Phase::Suspended
                };
            }
            LiveChange::Resume => {
                self.phase = Phase::Sitting;
                self.sittings.push((at, None));
            }
        }
        self.events.push(LiveEvent { at, change });
        Ok(())
    }

    /// Whether `change` may happen at `at`, and if not why.
    fn allowed(&self, at: Timestamp, change: &LiveChange) -> Result<(), LiveError> {
        if let Some(last) = self.events.last() {
            if at < last.at {
                return Err(LiveError::OutOfOrder {
                    last: last.at,
                    now: at,
                });
            }
        }
        let speaking = self
            .floor
            .as_ref()
            .filter(|f| f.started_at.is_some())
            .map(|f| f.name.clone());
        match (change, self.phase) {
            (LiveChange::Open, Phase::NotOpened) => {}
            (LiveChange::Open, Phase::Closed) => return Err(LiveError::Closed),
            (LiveChange::Open, _) => return Err(LiveError::AlreadyOpened),
            (_, Phase::NotOpened) => return Err(LiveError::NotOpened),
            (_, Phase::Closed) => return Err(LiveError::Closed),
            (LiveChange::Resume, Phase::Suspended) => {}
            (LiveChange::Resume, _) => return Err(LiveError::NotSuspended),
            (_, Phase::Suspended) => return Err(LiveError::Suspended),
            (LiveChange::Stop, Phase::Sitting) if speaking.is_none() => {
                return Err(LiveError::NotSpeaking)
            }
            (LiveChange::Start, Phase::Sitting) if self.floor.is_none() => {
                return Err(LiveError::NobodyCalled)
            }
            (LiveChange::Stop, Phase::Sitting) => {}
            (_, Phase::Sitting) => {
                if let Some(name) = speaking {
                    return Err(LiveError::Speaking(name));
                }
            }
        }
        Ok(())
    }

    /// Opens the meeting.
    pub fn open(&mut self, now: Timestamp) -> Result<(), LiveError> {
        self.apply(now, LiveChange::Open)
    }

    /// Gives the floor to the next speaker on `order` not yet heard, passed over, or on the floor.
    /// `None` when the list is exhausted (nothing is recorded then).
    pub fn call_next(
        &mut self,
        order: &SpeakingOrder,
        now: Timestamp,
    ) -> Result<Option<Entry>, LiveError> {
        let current = self.floor.as_ref().map(|f| f.inscription);
        let Some(next) = self.next_after(order, current).cloned() else {
            // Nobody left: still say why a call would be refused now.
            let probe = LiveChange::Call {
                inscription: 0,
                name: String::new(),
            };
            return self.allowed(now, &probe).map(|()| None);
        };
        self.apply(
            now,
            LiveChange::Call {
                inscription: next.inscription,
                name: next.name.clone(),
            },
        )?;
        Ok(Some(next))
    }

    /// Gives the floor to a given speaker on `order` (e.g. one passed over, now present).
    pub fn call(
        &mut self,
        order: &SpeakingOrder,
        inscription: InscriptionId,
        now: Timestamp,
    ) -> Result<(), LiveError> {
        let entry = order
            .entry(inscription)
            .ok_or(LiveError::NotOnList(inscription))?;
        self.apply(
            now,
            LiveChange::Call {
                inscription,
                name: entry.name.clone(),
            },
        )
    }

    /// Starts the called speaker's statement.
    pub fn start(&mut self, now: Timestamp) -> Result<(), LiveError> {
        self.apply(now, LiveChange::Start)
    }

    /// Stops the statement and returns its record.
    pub fn stop(&mut self, now: Timestamp) -> Result<&StatementRecord, LiveError> {
        self.apply(now, LiveChange::Stop)?;
        Ok(self
            .statements
            .last()
            .expect("a statement was just recorded"))
    }

    /// Suspends the meeting.
    pub fn suspend(&mut self, now: Timestamp) -> Result<(), LiveError> {
        self.apply(now, LiveChange::Suspend)
    }

    /// Resumes the meeting.
    pub fn resume(&mut self, now: Timestamp) -> Result<(), LiveError> {
        self.apply(now, LiveChange::Resume)
    }

    /// Closes the meeting.
    pub fn close(&mut self, now: Timestamp) -> Result<(), LiveError> {
        self.apply(now, LiveChange::Close)
    }

    /// The running statement's timer at `now`.
    pub fn countdown(&self, now: Timestamp) -> Option<Countdown> {
        let f = self.floor.as_ref()?;
        let elapsed = now.duration_since(f.started_at?).max(SignedDuration::ZERO);
        let remaining = self.time_limit - elapsed;
        Some(Countdown {
            inscription: f.inscription,
            name: f.name.clone(),
            elapsed,
            remaining,
            overrun: remaining.is_negative(),
        })
    }

    /// Who would be called next (not the one on the floor).
    pub fn next_up<'a>(&self, order: &'a SpeakingOrder) -> Option<&'a Entry> {
        self.next_after(order, self.floor.as_ref().map(|f| f.inscription))
    }

    fn next_after<'a>(
        &self,
        order: &'a SpeakingOrder,
        current: Option<InscriptionId>,
    ) -> Option<&'a Entry> {
        let heard: HashSet<InscriptionId> = self.statements.iter().map(|s| s.inscription).collect();
        order.entries.iter().find(|e| {
            !heard.contains(&e.inscription)
                && !self.passed.contains(&e.inscription)
                && Some(e.inscription) != current
        })
    }

    /// Speakers on `order` not heard yet (passed-over speakers included).
    pub fn remaining<'a>(&self, order: &'a SpeakingOrder) -> Vec<&'a Entry> {
        let heard: HashSet<InscriptionId> = self.statements.iter().map(|s| s.inscription).collect();
        order
            .entries
            .iter()
            .filter(|e| !heard.contains(&e.inscription))
            .collect()
    }

    /// The figures at `now`.
    pub fn totals(&self, now: Timestamp) -> Totals {
        let speaking_time: SignedDuration = self.statements.iter().map(|s| s.duration).sum();
        let n = self.statements.len();
        let average = if n == 0 {
            SignedDuration::ZERO
        } else {
            speaking_time / n as i32
        };
        let over: Vec<&StatementRecord> = self
            .statements
            .iter()
            .filter(|s| s.overrun.is_positive())
            .collect();
        let sitting_time = self
            .sittings
            .iter()
            .map(|(s, e)| e.unwrap_or(now).duration_since(*s))
            .sum();
        let mut suspended_time = SignedDuration::ZERO;
        for pair in self.sittings.windows(2) {
            if let (Some(end), next_start) = (pair[0].1, pair[1].0) {
                suspended_time += next_start.duration_since(end);
            }
        }
        if self.phase == Phase::Suspended {
            if let Some((_, Some(end))) = self.sittings.last() {
                suspended_time += now.duration_since(*end);
            }
        }
        let heard: HashSet<InscriptionId> = self.statements.iter().map(|s| s.inscription).collect();
        Totals {
            statements: n,
            speaking_time,
            average,
            overruns: over.len(),
            overrun_time: over.iter().map(|s| s.overrun).sum(),
            longest: self
                .statements
                .iter()
                .max_by_key(|s| s.duration)
                .map(|s| (s.inscription, s.duration)),
            sitting_time,
            suspended_time,
            sittings: self.sittings.len(),
            passed_over: self
                .passed
                .iter()
                .copied()
                .filter(|p| !heard.contains(p))
                .collect(),
        }
    }
}
