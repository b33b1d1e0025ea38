//! STIX 2.1 core of threatscape.
//!
//! How the pieces fit, in the order an ingest uses them:
//! - [`reader`] streams STIX objects out of any file shape (bundle, bare array, single object, one object
//!   per line) without holding the whole input, each with its location in the file;
//! - [`upgrade`] converts STIX 2.0 objects to 2.1;
//! - [`validate`] checks the specification's MUST rules (errors) and SHOULD rules (warnings), and
//!   repairs what it safely can, reporting every repair;
//! - [`canonical`] writes an object in canonical form (sorted keys, values as received), the form stored
//!   and compared;
//! - [`markings`] reads TLP levels from marking references;
//! - [`bundle`] writes bundles as a stream, for export;
//! - [`ids`] makes deterministic identifiers; [`types`] gives typed views of the objects the product
//!   reasons about, over the lossless generic form ([`JsonMap`]).

pub mod bundle;
pub mod canonical;
pub mod ids;
pub mod markings;
pub mod reader;
pub mod timestamp;
pub mod types;
pub mod upgrade;
pub mod validate;

/// The lossless generic form of a STIX object: every property as received, custom ones included.
///
/// serde_json's map is a `BTreeMap` here (no `preserve_order`), so iteration is in key order, which is
/// what makes [`canonical`] output stable.
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

pub use threatscape_stix_pattern as pattern;
