#![warn(missing_docs)]
//! Trends and the Council's cyber-threat landscape briefing.
//!
//! How the pieces fit:
//! - [`stats`]: exact statistics written out (log-gamma, binomial tails, the conditional test of
//!   two Poisson rates with its exact interval, the exact test of a share stratified by source,
//!   Benjamini-Hochberg);
//! - [`period`]: months, quarters, years and day ranges, baselines, and placing dates known to a
//!   year, month or day;
//! - [`trends`]: incidents released to an audience ([`trends::release`]), counted per cell and
//!   tested ([`trends::analyse`]), with caveats on reporting lag, attribution lag and source
//!   coverage, and where a source started, stopped or thinned its reporting, each change tested
//!   again within the sources that report in both periods, as a share of what each reports
//!   ([`trends::ContinuingCheck`]), before it is called a trend; a clear change one actor carries
//!   says so with the change without it ([`trends::Concentration`]), and one resting in good part
//!   on the text model's reading says how much ([`trends::Cell::model_read`]);
//! - [`lag`]: attribution lag measured on the sources' dated attribution claims, and how much of
//!   a period's eventual State or State-affiliated attributions are public yet;
//! - [`model`]: the briefing itself ([`Briefing`]), every figure carrying the incident ids and
//!   report keys behind it;
//! - [`render`]: Markdown, self-contained HTML with hand-written SVG charts, and JSON;
//! - [`charts`] and [`map`]: the SVG bar charts, monthly time series and world map (Natural
//!   Earth outlines), shared by the HTML and the PDF;
//! - [`pdf`]: the PDF, typeset by typst as a library from `data/briefing.typ`;
//! - [`stix`]: a STIX 2.1 bundle whose `report` refers to the cited incidents and what they cite;
//! - [`capacity`]: the editable table of sourced capacity indicators per State.
//!
//! The crate does no I/O (the capacity table aside, read only when a caller names a file): callers
//! pass reports and clusters in and write the rendered bytes out.

pub mod capacity;
pub mod charts;
pub mod lag;
pub mod map;
pub mod model;
pub mod pdf;
pub mod period;
pub mod render;
pub mod stats;
pub mod stix;
pub mod trends;

pub use capacity::CapacityTable;
pub use model::{build, build_framed, Audience, BriefOptions, Briefing, Figure, Section};
pub use period::{Baseline, Period};
pub use trends::{
    analyse, analyse_framed, release, DateBasis, Dated, Frame, Incident, ReportDates,
    TrendAnalysis, TrendOptions,
};

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
