//! Domain types and vocabularies of threatscape.
//!
//! This crate does no I/O and cannot fail except on parsing user-supplied words: every other crate
//! speaks in these types. Later stages (sources, assessment) add their vocabularies here.

mod contributor;
mod report;
mod tlp;

pub use contributor::{ContributorType, ParseContributorTypeError};
pub use report::{
    sha256, sha256_hex, Actor, Attribution, AttributorKind, Contributor, DatePrecision, DateSpan,
    DatedAttribution, FuzzyDate, Provenance, Reliability, Report, Victim,
};
pub use tlp::{ParseTlpError, Tlp};
