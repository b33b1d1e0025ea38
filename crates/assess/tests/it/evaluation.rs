//! The text rules and model measured against the human coding of EuRepoC, CFR and CISSM, on the
//! held-out split (records whose key's FNV-1a hash is 0 mod 5; the rules were tuned on the
//! others), and of DCID, never read in tuning or training, on every record. Text only: the
//! classifier reads titles, descriptions and victims' names, never the coded fields.
//!
//! Run with `cargo test -p threatscape-assess --release -- --nocapture evaluation` to see the
//! tables (EVALUATION.md holds the current figures).

use crate::datasets::{classify_text, load, score, tasks, Split};
use threatscape_assess::Assessor;

/// The floors asserted on the held-out split, per task: (macro-F1, top-1 accuracy). Set a little
/// under the figures reached, so a change that makes the rules worse fails.
const FLOORS: &[(&str, f64, f64)] = &[
    ("eurepoc sector (top level)", 0.51, 0.75),
    (
        "eurepoc sector (critical-infrastructure subcodes)",
        0.42,
        0.63,
    ),
    ("cfr sector (victim category)", 0.67, 0.76),
    ("cissm sector (NAICS industry)", 0.37, 0.59),
    ("eurepoc threat kind (incident_type)", 0.64, 0.79),
    ("cfr threat kind (Type)", 0.60, 0.87),
    ("cissm threat kind (event_type; Mixed = both)", 0.85, 0.90),
    ("dcid sector (target type)", 0.52, 0.52),
    ("dcid sector (critical-infrastructure sector)", 0.40, 0.47),
    ("dcid threat kind (objective)", 0.58, 0.70),
];

#[test]
fn text_rules_against_human_coding() {
    let assessor = Assessor::builtin();
    for dataset in ["eurepoc", "cfr", "cissm", "dcid"] {
        let Some(reports) = load(dataset) else {
            continue;
        };
        let judgments = classify_text(assessor, &reports);
        for task in tasks().iter().filter(|t| t.dataset == dataset) {
            let train = score(assessor, task, &reports, &judgments, Split::Train);
            // An unseen dataset is scored on every record.
            let split = Split::for_dataset(Split::HeldOut, dataset);
            let held = score(assessor, task, &reports, &judgments, split);
            println!(
                "\n### {} ({} records)\n\n{held}\n\ntraining split: macro-F1 {:.2}, top-1 {:.2}, {} records",
                task.name,
                split.name(),
                train.macro_f1,
                train.top1_accuracy,
                train.records
            );
            let (_, f1, top1) = FLOORS
                .iter()
                .find(|(n, _, _)| *n == task.name)
                .expect("a floor for every task");
            assert!(
                held.macro_f1 >= *f1,
                "{}: held-out macro-F1 {:.3} fell below {f1}",
                task.name,
                held.macro_f1
            );
            assert!(
                held.top1_accuracy >= *top1,
                "{}: held-out top-1 accuracy {:.3} fell below {top1}",
                task.name,
                held.top1_accuracy
            );
        }
    }
}
