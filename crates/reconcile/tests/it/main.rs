//! Integration tests of reconciliation: each feature on hand-made reports, analyst decisions
//! across re-runs, blocking cost, and (when ../shared/data is present) the famous incidents and
//! precision/recall on the gold set.

mod decisions;
mod features;
mod real_data;
mod support;

#[path = "../../examples/common/famous.rs"]
mod famous;
#[path = "../../examples/common/gold.rs"]
#[allow(dead_code)]
mod gold;
#[path = "../../examples/common/load.rs"]
mod load;
