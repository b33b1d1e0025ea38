//! `eval`: the classification measured against the human coding of EuRepoC, CFR and CISSM on the
//! held-out split, and of DCID (never read in tuning or training) on every record (text only:
//! titles, descriptions and victims' names, never the coded fields), per task: records, macro-F1,
//! micro-F1, top-1 accuracy and coverage, with the split rule and the rule set's and text model's
//! versions. Method: `crates/assess/EVALUATION.md`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use threatscape_assess::eval::{self, Split, TaskResult};
use threatscape_assess::Assessor;

use crate::Outcome;

/// Arguments of `threatscape eval`.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// The shared data folder holding `eurepoc/`, `cfr-cyber-operations/` and `cissm/`.
    #[arg(long, env = "THREATSCAPE_DATA", default_value = "../shared/data")]
    data: PathBuf,
    /// Only this dataset's tasks (DCID was never read in tuning or training: all its records are
    /// scored).
    #[arg(long, value_enum)]
    against: Option<Dataset>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: EvalFormat,
    /// The same as `--format json`, as `ingest`, `validate` and `debate` spell it.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// The text rules alone, without the statistical text model (the "before" figures).
    #[arg(long)]
    rules_only: bool,
    /// Score the training split instead (what the rules were tuned and the model trained on).
    #[arg(long)]
    training_split: bool,
    /// Also print per-label precision, recall and F1 (table format).
    #[arg(long)]
    per_label: bool,
    /// Instead of the shared datasets, score every record of FILE (or of every input file in a
    /// folder, as `ingest` walks it), human-coded, in any format `ingest` reads (a VCDB export, STIX, MISP, a tracker's CSV) whose coding the
    /// crosswalks read, or the native contributor template with canonical ids or labels in
    /// `victim_sector` and `kinds` (`;`-separated): sector and threat kind at the canonical top
    /// level.
    #[arg(long, value_name = "FILE|FOLDER", conflicts_with_all = ["against", "training_split"])]
    coded: Option<PathBuf>,
    /// The format of the --coded file (default: recognised from its content).
    #[arg(long, value_enum, default_value = "auto", requires = "coded")]
    coded_format: crate::FormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Dataset {
    Eurepoc,
    Cfr,
    Cissm,
    Dcid,
}

impl Dataset {
    fn name(self) -> &'static str {
        match self {
            Dataset::Eurepoc => "eurepoc",
            Dataset::Cfr => "cfr",
            Dataset::Cissm => "cissm",
            Dataset::Dcid => "dcid",
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EvalFormat {
    /// A Markdown table, one row per task.
    Table,
    /// One JSON object: split rule, versions and every task's scores.
    Json,
}

pub(crate) fn eval(args: EvalArgs) -> Result<Outcome> {
    // The data in use (the built-in files, or the folder `--assess-data` names), so an
    // analyst's edits are measured before they are relied on.
    let mut assessor = Assessor::global().clone();
    if args.rules_only {
        assessor.model = None;
    }
    let split = if args.training_split {
        Split::Train
    } else {
        Split::HeldOut
    };
    let datasets: Vec<&str> = match args.against {
        Some(d) => vec![d.name()],
        None => eval::all_datasets().map(|(d, _)| *d).collect(),
    };
    let coded = match &args.coded {
        Some(path) => {
            // A folder is every input file in it (VCDB ships one JSON file per incident); a
            // file named that is not there, or a folder that cannot be listed, stops the command.
            let inputs = threatscape_ingest::collect_inputs(std::slice::from_ref(path));
            if let Some(problem) = inputs.skipped.iter().find(|s| s.problem) {
                anyhow::bail!("{}: {}", problem.path, problem.reason);
            }
            for note in &inputs.skipped {
                eprintln!("not read: {}: {}", note.path, note.reason);
            }
            if inputs.files.is_empty() {
                anyhow::bail!("{}: no file to score in it", path.display());
            }
            Some(
                eval::score_coded(&assessor, &inputs.files, args.coded_format.source_format())
                    .with_context(|| format!("evaluating against {}", path.display()))?,
            )
        }
        None => None,
    };
    let results: Vec<TaskResult> = match &coded {
        Some(c) => c.results.clone(),
        None => eval::run(&assessor, &args.data, &datasets, split).context("evaluating")?,
    };
    let (rules, model) = eval::versions(&assessor);
    let split_name = coded.as_ref().map_or(split, |c| c.split).name();
    let data = args
        .coded
        .as_ref()
        .unwrap_or(&args.data)
        .display()
        .to_string();
    let split_rule = match &coded {
        Some(c) if c.split == Split::All => {
            "every record of the coded files (none was read in tuning or training)"
        }
        Some(_) => {
            "held out: of a dataset the rules were tuned on (EuRepoC, CFR, CISSM) only the \
             held-out records are scored (FNV-1a 64-bit hash of the record key is 0 mod 5), of \
             any other file every record"
        }
        None => eval::SPLIT_RULE,
    };
    // What a coded file's own labels came to: the gold is its coding read through the
    // crosswalks, so what they could not read is shown, never dropped silently.
    let left_out: Vec<serde_json::Value> = coded
        .iter()
        .flat_map(|c| &c.left_out)
        .map(|(task, n)| serde_json::json!({"task": task, "records": n}))
        .collect();
    let unread: Vec<serde_json::Value> = coded
        .iter()
        .flat_map(|c| &c.unread)
        .map(|(d, v, n)| serde_json::json!({"dimension": d.prefix(), "value": v, "records": n}))
        .collect();
    let format = if args.json {
        EvalFormat::Json
    } else {
        args.format
    };
    match format {
        EvalFormat::Json => {
            let tasks: Vec<serde_json::Value> = results
                .iter()
                .map(|r| {
                    let s = &r.scores;
                    // No record scored is no figure, not a zero.
                    let figure = |x: f64| (s.records > 0).then_some(x);
                    serde_json::json!({
                        "task": r.task,
                        "dataset": r.dataset,
                        "split": r.split.name(),
                        "records": s.records,
                        "macro_precision": figure(s.macro_precision),
                        "macro_recall": figure(s.macro_recall),
                        "macro_f1": figure(s.macro_f1),
                        "micro_f1": figure(s.micro_f1),
                        "top1_accuracy": figure(s.top1_accuracy),
                        "coverage": figure(s.coverage),
                        "labels": s.rows.iter().map(|(l, c)| serde_json::json!({
                            "label": l,
                            "support": c.tp + c.fn_,
                            "predicted": c.tp + c.fp,
                            "precision": c.precision(),
                            "recall": c.recall(),
                            "f1": c.f1(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let out = serde_json::json!({
                "split": split_name,
                "split_rule": split_rule,
                "mode": "text only (title, description and victims' names)",
                "rules": rules,
                "model": model,
                "data": data,
                "format": coded.as_ref().map(|c| c.formats.join(", ")),
                "tasks": tasks,
                "left_out": left_out,
                "unread_values": unread,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        EvalFormat::Table => {
            let what = match (&args.coded, &coded) {
                (Some(file), Some(c)) => format!(
                    "{} of {} ({}; its coding read through the crosswalks, canonical top level)",
                    if c.split == Split::All {
                        "every record"
                    } else {
                        "the held-out records"
                    },
                    file.display(),
                    c.formats.join(", ")
                ),
                _ => format!("the {split_name} split"),
            };
            println!(
                "Evaluation on {what}, text only (title, description and victims' names)\n\
                 rules: {rules}; model: {}\nsplit: {}\n",
                model.as_deref().unwrap_or("none (--rules-only)"),
                split_rule
            );
            println!(
                "| task | records | macro-F1 | micro-F1 | top-1 accuracy | coverage |\n\
                 |---|---:|---:|---:|---:|---:|"
            );
            for r in &results {
                let s = &r.scores;
                if s.records == 0 {
                    println!("| {} | 0 | - | - | - | - |", r.task);
                    continue;
                }
                println!(
                    "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                    r.task, s.records, s.macro_f1, s.micro_f1, s.top1_accuracy, s.coverage
                );
            }
            let mut unseen: Vec<&str> = results
                .iter()
                .filter(|r| r.split == Split::All)
                .map(|r| r.dataset)
                .collect();
            unseen.dedup();
            if !unseen.is_empty() && args.coded.is_none() {
                println!(
                    "\n{}: every record is scored (never read to tune the rules or train the model)",
                    unseen.join(", ")
                );
            }
            if let Some(c) = &coded {
                for (task, n) in c.left_out.iter().filter(|(_, n)| *n > 0) {
                    println!(
                        "\n{task}: {} left out (no canonical term read from the coding)",
                        records(*n)
                    );
                }
                if !c.unread.is_empty() {
                    println!(
                        "\ncoded values no crosswalk reads ({}; add rows with --assess-data to \
                         read them):",
                        c.unread.len()
                    );
                    for (d, v, n) in &c.unread {
                        println!("- {} {v:?}: {}", d.prefix(), records(*n));
                    }
                }
            }
            if args.per_label {
                for r in &results {
                    println!("\n### {}\n\n{}", r.task, r.scores);
                }
            }
        }
    }
    Ok(Outcome::Success)
}

/// "1 record", "2 records".
fn records(n: u64) -> String {
    if n == 1 {
        "1 record".to_string()
    } else {
        format!("{n} records")
    }
}
