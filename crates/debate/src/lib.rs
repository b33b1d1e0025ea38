//! The Security Council's open debate: the list of speakers, inscriptions, speaking order,
//! statement timer, exports and the linking of statements to the landscape's vocabulary.
//!
//! How the pieces fit:
//! - [`mod@reference`] loads the facts the module needs (UN holidays, presidencies, Council membership,
//!   Member and observer States, agenda items, norms, the linker's vocabulary) from CSV files
//!   shipped in the crate, or from a user's folder that overrides them; every fact keeps its
//!   `verified` flag and `source`.
//! - [`calendar`] knows the working days at Headquarters and computes when a list opens
//!   ([`Calendar::list_opening`]), with every day skipped and why.
//! - [`meeting`] describes a meeting ([`Meeting::new`] takes the presidency and the Council from the
//!   reference data).
//! - [`inscription`] keeps a [`SpeakersList`] as an append-only log of events (requests, refusals,
//!   letters, withdrawals, replacements, moves, the draw, statements); [`order`] derives the
//!   speaking order from it by explicit rules, each entry saying which rules placed it; [`draw`] is
//!   the reproducible, documented draw.
//! - [`live`] is the state machine of the running meeting: floor, timer, suspensions, totals.
//! - [`record`] is a meeting's whole history as one log of serialisable events (creation, the
//!   list's changes, the chamber's steps) and the fold that rebuilds its state; the store keeps
//!   the log, one stream per meeting.
//! - [`export`] prints the list as the Journal does, as CSV and as JSON.
//! - [`linker`] finds threat kinds, sectors, norms and agenda items in statements, with evidence.
//!
//! Nothing here reads a clock, a database or the network: the caller passes `now`, stores the
//! serialisable values (every type is serde), and the store and server crates add persistence and
//! pages. All times are shown in New York from the time-zone database bundled with the program.

pub mod calendar;
pub mod draw;
pub mod export;
pub mod inscription;
pub mod linker;
pub mod live;
pub mod meeting;
pub mod order;
pub mod record;

pub use calendar::{Calendar, CalendarError, Caveat, Opening, OpeningRule, Reason, SkippedDay};
pub use inscription::{
    Acknowledgement, Basis, Delegation, Event, Inscription, InscriptionId, Joint, Letter, Level,
    ListError, Placement, Request, SignatoryTitle, Speaker, SpeakersList,
};
pub use linker::{Link, Vocabulary};
pub use live::{Live, LiveError};
pub use meeting::{Format, Meeting, MeetingError, MeetingSpec, Person, Session, Slot};
pub use order::{Entry, Group, SpeakingOrder};
pub use record::{LiveView, MeetingEvent, MeetingRecord, RecordError};
/// The UN reference data (its own crate, shared with the assessment and the briefing).
pub use threatscape_reference as reference;
pub use threatscape_reference::{Reference, ReferenceError, Verified};

/// The date-time library the API speaks, re-exported so callers use the same version.
pub use jiff;
