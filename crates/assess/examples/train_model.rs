//! Trains the text model on the training split of EuRepoC, CFR and CISSM and writes
//! `crates/assess/data/text_model.tsv`; then measures it.
//!
//! `cargo run -p threatscape-assess --release --example train_model [-- --data DIR] [--no-write]`
//!
//! Deterministic: the same data gives the same file. The held-out split (key hash 0 mod 5) is
//! never seen in training. Printed after training: per task on the held-out split, rules alone,
//! model alone and both; then cross-dataset, a model trained on two datasets' training splits
//! scored on the third's held-out split (model alone and with the rules), which shows whether
//! it learnt the subject or one dataset's conventions.

use std::path::PathBuf;

use threatscape_assess::eval::{load_dataset, score, tasks, Split, DATASETS};
use threatscape_assess::model::{train, Example, TextModel, TrainingOptions};
use threatscape_assess::text::Texts;
use threatscape_assess::{Assessor, Judgment, Mode};
use threatscape_model::Report;

/// The model's name and version; bump it with each retraining that changes the figures.
const MODEL_ID: &str = "text-lr/2026-11.2";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| threatscape_testkit::workspace_root().join("../shared/data"));
    let write = !args.iter().any(|a| a == "--no-write");
    let rules_only = {
        let mut a = Assessor::load_builtin().expect("the built-in data is valid");
        a.model = None;
        a
    };
    let datasets: Vec<(&str, Vec<Report>)> = DATASETS
        .iter()
        .map(|(d, _)| {
            let reports = load_dataset(&data, d).unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(1)
            });
            (*d, reports)
        })
        .collect();
    let examples_of = |names: &[&str]| -> Vec<Example> {
        datasets
            .iter()
            .filter(|(d, _)| names.contains(d))
            .flat_map(|(_, rs)| rs.iter().filter(|r| Split::Train.contains(r)))
            .map(|r| Example::of(&rules_only, r))
            .collect()
    };
    let options = TrainingOptions::default();
    let all = ["eurepoc", "cfr", "cissm"];
    let examples = examples_of(&all);
    let trained_on = format!(
        "EuRepoC Global Database 1.1, CFR Cyber Operations Tracker, CISSM Cyber Events Database: \
         training split only (FNV-1a of the record key not 0 mod 5), {} records; {} epochs, \
         AdaGrad rate {}, L2 {}",
        examples.len(),
        options.epochs,
        options.learning_rate,
        options.l2
    );
    let model = train(MODEL_ID, &trained_on, &examples, &options);
    println!(
        "trained {MODEL_ID}: {} labels, {} terms, {} training records",
        model.labels.len(),
        model.weights.len(),
        examples.len()
    );
    let text = model.write();
    // What ships is what was measured: read back from the written text.
    let model = TextModel::parse("text_model.tsv", &text).expect("the written model reads");
    if write {
        let path = threatscape_testkit::workspace_root().join("crates/assess/data/text_model.tsv");
        std::fs::write(&path, &text).expect("the model file is written");
        println!("wrote {} ({} bytes)", path.display(), text.len());
    }

    println!("\n## Held-out split: macro-F1 / top-1 accuracy / coverage\n");
    println!("| task | records | rules | model | rules + model |\n|---|---:|---:|---:|---:|");
    for (dataset, reports) in &datasets {
        report_row(&rules_only, &model, dataset, reports);
    }

    println!("\n## Cross-dataset: trained on the other two, scored on this one's held-out split\n");
    println!("| task | records | rules | model | rules + model |\n|---|---:|---:|---:|---:|");
    for (dataset, reports) in &datasets {
        let others: Vec<&str> = all.iter().copied().filter(|d| d != dataset).collect();
        let cross = train(
            &format!("{MODEL_ID}-without-{dataset}"),
            "cross-dataset check",
            &examples_of(&others),
            &options,
        );
        report_row(&rules_only, &cross, dataset, reports);
    }
}

/// Prints one row per task of a dataset: rules alone, model alone, both.
fn report_row(rules_only: &Assessor, model: &TextModel, dataset: &str, reports: &[Report]) {
    let held: Vec<&Report> = reports
        .iter()
        .filter(|r| Split::HeldOut.contains(r))
        .collect();
    let held: Vec<Report> = held.into_iter().cloned().collect();
    let rules: Vec<Vec<Judgment>> = held
        .iter()
        .map(|r| rules_only.classify_report(r, Mode::TextOnly))
        .collect();
    let alone: Vec<Vec<Judgment>> = held
        .iter()
        .map(|r| model.judgments(&Texts::of(r), None))
        .collect();
    let mut with_model = rules_only.clone();
    with_model.model = Some(model.clone());
    let both: Vec<Vec<Judgment>> = held
        .iter()
        .map(|r| with_model.classify_report(r, Mode::TextOnly))
        .collect();
    for task in tasks().iter().filter(|t| t.dataset == dataset) {
        let cell = |j: &[Vec<Judgment>]| {
            let s = score(rules_only, task, &held, j, Split::HeldOut);
            (
                s.records,
                format!(
                    "{:.2} / {:.2} / {:.2}",
                    s.macro_f1, s.top1_accuracy, s.coverage
                ),
            )
        };
        let (n, r) = cell(&rules);
        let (_, m) = cell(&alone);
        let (_, b) = cell(&both);
        println!("| {} | {n} | {r} | {m} | {b} |", task.name);
    }
}
