#![warn(missing_docs)]
//! Trends and the Council's cyber-threat landscape briefing.
//!
//! How the pieces fit:
//! - [`stats`]: exact statistics written out (log-gamma, binomial tails, the conditional test of
//!   two Poisson rates with its exact interval, Benjamini-Hochberg);
//! - [`period`]: months, quarters, years and day ranges, baselines, and placing dates known to a
//!   year, month or day;
//! - [`trends`]: incidents released to an audience ([`trends::release`]), counted per cell and
//!   tested ([`trends::analyse`]), with caveats on reporting lag and source coverage;
//! - [`model`]: the briefing itself ([`Briefing`]), every figure carrying the incident ids and
//!   report keys behind it;
//! - [`render`]: Markdown, self-contained HTML with hand-written SVG charts, and JSON.
//!
//! The crate does no I/O: callers pass reports and clusters in and write the rendered strings out.

pub mod capacity;
pub mod charts;
pub mod map;
pub mod model;
pub mod pdf;
pub mod period;
pub mod render;
pub mod stats;
pub mod stix;
pub mod trends;

pub use capacity::CapacityTable;
pub use model::{build, Audience, BriefOptions, Briefing, Figure, Section};
pub use period::{Baseline, Period};
pub use trends::{analyse, release, DateBasis, Incident, TrendAnalysis, TrendOptions};

/// What can go wrong reading a briefing's parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BriefError {
    /// A period that cannot be read.
    #[error("`{given}` is not a period: {why}")]
    Period {
        /// What was given.
        given: String,
        /// Why it is not a period.
        why: String,
    },
    /// A baseline that cannot be read.
    #[error("`{0}` is not a baseline; use previous, year-ago or trailing:N (N >= 1)")]
    Baseline(String),
    /// An audience that cannot be read.
    #[error("`{0}` is not an audience; use public, council or restricted")]
    Audience(String),
    /// A format that cannot be written.
    #[error("`{0}` is not a briefing format; use html, pdf, md, json or stix")]
    Format(String),
}
