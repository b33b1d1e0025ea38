//! Trains the text model on the training split of EuRepoC, CFR and CISSM and writes
//! `crates/assess/data/text_model.tsv`; then measures it.
//!
//! `cargo run -p threatscape-assess --release --example train_model [-- --data DIR] [--no-write]`
//!
//! `-- --cv` instead compares training options by five-fold cross-validation inside the training
//! split (fold: FNV-1a of the key divided by 5, mod 5), so options are chosen without reading the
//! held-out split; it prints rules + model per task and option, and writes nothing. Its last
//! column classifies each dataset's training records with a model trained on the other datasets
//! only: how the defaults carry to a dataset the model never learnt from.
//!
//! `-- --cv --defaults` cross-validates the defaults alone (five-fold and leave-one-dataset-out,
//! about a fifth of the time) and prints each task's per-label table for both, so that a change to
//! the rules can be read label by label without the held-out split. `--dump FILE` also writes the
//! defaults' five-fold judgments, one JSON line per training record (its key, texts, gold labels,
//! projected predictions and judgments), for reading errors outside the program; the file holds
//! the datasets' text, so it belongs outside the project. `-- --cv --variant NAME` compares the
//! defaults with one named option alone ("terms of two datasets", "bias per source"...).
//!
//! Deterministic: the same data gives the same file. The held-out split (key hash 0 mod 5) is
//! never seen in training. Printed after training: per task on the held-out split, rules alone,
//! model alone and both; then cross-dataset, a model trained on two datasets' training splits
//! scored on the third's held-out split (model alone and with the rules), which shows whether
//! it learnt the subject or one dataset's conventions.

use threatscape_assess::eval::{fnv1a64, load_dataset, score, tasks, Split, DATASETS};
use threatscape_assess::model::{train, Example, TextModel, TrainingOptions};
use threatscape_assess::text::Texts;
use threatscape_assess::{Assessor, Judgment, Mode};
use threatscape_model::Report;

/// The model's name and version; bump it with each retraining that changes the figures.
const MODEL_ID: &str = "text-lr/2026-11.6";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = threatscape_testkit::data_dir_from_args(&args);
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
    let cv = args.iter().any(|a| a == "--cv");
    if !cv && args.iter().any(|a| a == "--defaults" || a == "--dump") {
        eprintln!("error: --defaults and --dump go with --cv");
        std::process::exit(2);
    }
    if cv {
        let d = TrainingOptions::default;
        let variants = [
            ("defaults", d()),
            ("24 epochs", TrainingOptions { epochs: 24, ..d() }),
            ("L2 1e-3", TrainingOptions { l2: 1e-3, ..d() }),
            ("L2 1e-5", TrainingOptions { l2: 1e-5, ..d() }),
            (
                "prune 0.3",
                TrainingOptions {
                    prune_below: 0.3,
                    ..d()
                },
            ),
            (
                "rate 0.2",
                TrainingOptions {
                    learning_rate: 0.2,
                    ..d()
                },
            ),
            (
                "bias per source",
                TrainingOptions {
                    per_source_bias: true,
                    ..d()
                },
            ),
            (
                "terms of two datasets",
                TrainingOptions {
                    min_sources: 2,
                    ..d()
                },
            ),
        ];
        let defaults_only = args.iter().any(|a| a == "--defaults");
        // `--variant NAME`: the defaults and that variant alone.
        let chosen: Vec<(&str, TrainingOptions)> = match args.iter().position(|a| a == "--variant")
        {
            Some(i) => {
                let name = args.get(i + 1).map(String::as_str).unwrap_or_default();
                let Some(v) = variants.iter().find(|(n, _)| *n == name) else {
                    let names: Vec<&str> = variants.iter().map(|(n, _)| *n).collect();
                    eprintln!("error: --variant takes one of {names:?}");
                    std::process::exit(2)
                };
                vec![variants[0].clone(), v.clone()]
            }
            None if defaults_only => variants[..1].to_vec(),
            None => variants.to_vec(),
        };
        let variants = &chosen[..];
        let dump = args.iter().position(|a| a == "--dump").map(|i| {
            let Some(path) = args.get(i + 1) else {
                eprintln!("error: --dump needs a file to write");
                std::process::exit(2)
            };
            std::path::PathBuf::from(path)
        });
        cross_validate(
            &rules_only,
            &datasets,
            variants,
            defaults_only,
            dump.as_deref(),
        );
        return;
    }
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

/// Which of five cross-validation folds a training record is in: independent of the held-out
/// rule (which uses the hash modulo 5), so every fold holds all kinds of records.
fn fold_of(report: &Report) -> u64 {
    (fnv1a64(report.key().as_bytes()) / 5) % 5
}

/// Five-fold cross-validation of training options inside the training split: each training record
/// is classified (rules + model) by a model trained on the other four folds; prints per task and
/// option macro-F1 / top-1 accuracy / coverage.
fn cross_validate(
    rules_only: &Assessor,
    datasets: &[(&str, Vec<Report>)],
    variants: &[(&str, TrainingOptions)],
    per_label: bool,
    dump: Option<&std::path::Path>,
) {
    let examples: Vec<Vec<Option<Example>>> = datasets
        .iter()
        .map(|(_, rs)| {
            rs.iter()
                .map(|r| Split::Train.contains(r).then(|| Example::of(rules_only, r)))
                .collect()
        })
        .collect();
    let mut columns: Vec<Vec<String>> = Vec::new();
    for (name, options) in variants {
        let mut judgments: Vec<Vec<Vec<Judgment>>> = datasets
            .iter()
            .map(|(_, rs)| vec![Vec::new(); rs.len()])
            .collect();
        for fold in 0..5 {
            let training: Vec<Example> = datasets
                .iter()
                .zip(&examples)
                .flat_map(|((_, rs), es)| rs.iter().zip(es))
                .filter(|(r, e)| e.is_some() && fold_of(r) != fold)
                .filter_map(|(_, e)| e.clone())
                .collect();
            let mut with_model = rules_only.clone();
            with_model.model = Some(train(name, "cross-validation", &training, options));
            for (d, (_, rs)) in datasets.iter().enumerate() {
                for (i, r) in rs.iter().enumerate() {
                    if Split::Train.contains(r) && fold_of(r) == fold {
                        judgments[d][i] = with_model.classify_report(r, Mode::TextOnly);
                    }
                }
            }
        }
        eprintln!("cross-validated {name}");
        if let (Some(path), true) = (dump, columns.is_empty()) {
            dump_judgments(rules_only, datasets, &judgments, path);
        }
        if per_label {
            print_per_label(
                rules_only,
                datasets,
                &judgments,
                &format!("{name}, five-fold"),
            );
        }
        columns.push(training_split_column(rules_only, datasets, &judgments));
    }
    // How the first option set carries to a dataset it never learnt from: each dataset's training
    // records classified by a model trained on the other datasets' training records only (what
    // "datasets you do not have" will see, still without the held-out split).
    let (first, options) = &variants[0];
    let judgments: Vec<Vec<Vec<Judgment>>> = datasets
        .iter()
        .enumerate()
        .map(|(d, (_, rs))| {
            let training: Vec<Example> = examples
                .iter()
                .enumerate()
                .filter(|(o, _)| *o != d)
                .flat_map(|(_, es)| es.iter().flatten().cloned())
                .collect();
            let mut with_model = rules_only.clone();
            with_model.model = Some(train(first, "leave one dataset out", &training, options));
            rs.iter()
                .map(|r| {
                    if Split::Train.contains(r) {
                        with_model.classify_report(r, Mode::TextOnly)
                    } else {
                        Vec::new()
                    }
                })
                .collect()
        })
        .collect();
    eprintln!("left each dataset out ({first})");
    if per_label {
        print_per_label(
            rules_only,
            datasets,
            &judgments,
            &format!("{first}, trained on the other datasets"),
        );
    }
    columns.push(training_split_column(rules_only, datasets, &judgments));
    let mut names: Vec<&str> = variants.iter().map(|(n, _)| *n).collect();
    let left_out = format!("{first}, trained on the other datasets");
    names.push(&left_out);
    println!(
        "## Five-fold cross-validation inside the training split: macro-F1 / top-1 / coverage\n"
    );
    println!("| task | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    let task_names: Vec<&str> = datasets
        .iter()
        .flat_map(|(d, _)| tasks().into_iter().filter(move |t| t.dataset == *d))
        .map(|t| t.name)
        .collect();
    for (row, task) in task_names.iter().enumerate() {
        let cells: Vec<&str> = columns.iter().map(|c| c[row].as_str()).collect();
        println!("| {task} | {} |", cells.join(" | "));
    }
}

/// One column of the cross-validation table: per dataset and task, the training split's
/// macro-F1 / top-1 accuracy / coverage of `judgments` (per dataset, per record).
fn training_split_column(
    rules_only: &Assessor,
    datasets: &[(&str, Vec<Report>)],
    judgments: &[Vec<Vec<Judgment>>],
) -> Vec<String> {
    let mut column = Vec::new();
    for ((dataset, rs), js) in datasets.iter().zip(judgments) {
        for task in tasks().iter().filter(|t| t.dataset == *dataset) {
            let s = score(rules_only, task, rs, js, Split::Train);
            column.push(format!(
                "{:.3} / {:.3} / {:.2}",
                s.macro_f1, s.top1_accuracy, s.coverage
            ));
        }
    }
    column
}

/// Prints each task's per-label table (training split) of cross-validated `judgments`.
fn print_per_label(
    rules_only: &Assessor,
    datasets: &[(&str, Vec<Report>)],
    judgments: &[Vec<Vec<Judgment>>],
    heading: &str,
) {
    for ((dataset, rs), js) in datasets.iter().zip(judgments) {
        for task in tasks().iter().filter(|t| t.dataset == *dataset) {
            let s = score(rules_only, task, rs, js, Split::Train);
            println!("\n### {} ({heading})\n\n{s}", task.name);
        }
    }
}

/// Writes one JSON line per training record: its key, texts, gold labels and projected
/// predictions per task, and its judgments.
fn dump_judgments(
    rules_only: &Assessor,
    datasets: &[(&str, Vec<Report>)],
    judgments: &[Vec<Vec<Judgment>>],
    path: &std::path::Path,
) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap_or_else(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        std::process::exit(1)
    }));
    for ((dataset, rs), js) in datasets.iter().zip(judgments) {
        let tasks: Vec<_> = tasks()
            .into_iter()
            .filter(|t| t.dataset == *dataset)
            .collect();
        let projections: Vec<_> = tasks.iter().map(|t| t.projection(rules_only)).collect();
        for (r, j) in rs.iter().zip(js).filter(|(r, _)| Split::Train.contains(r)) {
            let per_task: serde_json::Map<String, serde_json::Value> = tasks
                .iter()
                .zip(&projections)
                .map(|(t, p)| {
                    let (all, top) = p.predict(j);
                    // What each judged label of the task's dimension projects onto, for
                    // reading a rule's precision against this coding outside the program.
                    let projects: serde_json::Map<String, serde_json::Value> = j
                        .iter()
                        .filter(|j| j.dimension == t.dimension)
                        .map(|j| (j.label.clone(), serde_json::json!(p.project(&j.label))))
                        .collect();
                    let v = serde_json::json!({"gold": t.gold(r), "predicted": all, "top": top,
                        "projects": projects});
                    (t.name.to_string(), v)
                })
                .collect();
            let victims: Vec<&str> = r.victims.iter().filter_map(|v| v.name.as_deref()).collect();
            let line = serde_json::json!({
                "dataset": dataset, "key": r.key(), "title": r.title,
                "description": r.description, "victims": victims,
                "tasks": per_task, "judgments": j,
            });
            writeln!(out, "{line}").expect("the dump is written");
        }
    }
    eprintln!("wrote {}", path.display());
}
