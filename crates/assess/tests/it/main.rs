//! Integration tests of the assessment: built-in data, real cases, and the evaluation against the
//! shared datasets' human coding.

mod cases;
mod data;
mod datasets;
mod demo;
mod evaluation;
mod links_evaluation;
