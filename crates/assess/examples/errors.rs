//! Lists where the text rules disagree with a dataset's human coding, on the training split only
//! (the held-out split is for measuring, not for tuning).
//!
//! `cargo run --release -p threatscape-assess --example errors -- "<task>" "<label>" [count]`
//! prints missed records (coded with the label, not predicted) and false alarms (predicted, not
//! coded), each with the judgments that fired. Task names are those of the evaluation test, e.g.
//! "cfr threat kind (Type)". `errors --scores` prints every task's scores on the training split.

#[path = "../tests/it/datasets.rs"]
#[allow(dead_code)]
mod datasets;

use datasets::{classify_text, load, score, tasks, Split};
use threatscape_assess::{Assessor, Mode};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--scores") {
        let assessor = Assessor::builtin();
        for dataset in ["eurepoc", "cfr", "cissm"] {
            let Some(reports) = load(dataset) else {
                continue;
            };
            let judgments = classify_text(assessor, &reports);
            for task in tasks().iter().filter(|t| t.dataset == dataset) {
                let s = score(assessor, task, &reports, &judgments, Split::Train);
                println!("\n### {} (training split)\n\n{s}", task.name);
            }
        }
        return;
    }
    let (Some(task_name), Some(label)) = (args.first(), args.get(1)) else {
        eprintln!("usage: errors \"<task>\" \"<label>\" [count]");
        for t in tasks() {
            eprintln!("  task: {}", t.name);
        }
        std::process::exit(2);
    };
    let count: usize = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(15);
    let tasks = tasks();
    let Some(task) = tasks.iter().find(|t| t.name == task_name.as_str()) else {
        eprintln!("no task named {task_name}");
        std::process::exit(2);
    };
    let Some(reports) = load(task.dataset) else {
        std::process::exit(1);
    };
    let assessor = Assessor::builtin();
    let projection = task.projection(assessor);
    let (mut missed, mut false_alarms) = (Vec::new(), Vec::new());
    // Per rule: how often its judgment projected onto the label, rightly and wrongly.
    let mut by_rule: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
    for r in reports.iter().filter(|r| Split::Train.contains(r)) {
        let gold = task.gold(r);
        if gold.is_empty() {
            continue;
        }
        let judgments = assessor.classify_report(r, Mode::TextOnly);
        let (predicted, _) = projection.predict(&judgments);
        for j in judgments
            .iter()
            .filter(|j| j.dimension == task.dimension && j.confidence >= 0.5)
        {
            if projection.project(&j.label).contains(label.as_str()) {
                let e = by_rule
                    .entry(format!("{} -> {}", j.rule_id, j.label))
                    .or_default();
                if gold.contains(label.as_str()) {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
        let fired: Vec<String> = judgments
            .iter()
            .filter(|j| j.dimension == task.dimension)
            .map(|j| {
                format!(
                    "{} {:.2} {} {:?}",
                    j.label, j.confidence, j.rule_id, j.evidence
                )
            })
            .collect();
        let text = format!(
            "{}\n  gold {:?}\n  predicted {:?}\n  {}\n  {}",
            r.key(),
            gold,
            predicted,
            fired.join("\n  "),
            r.description
                .as_deref()
                .unwrap_or(&r.title)
                .chars()
                .take(400)
                .collect::<String>()
        );
        match (gold.contains(label), predicted.contains(label)) {
            (true, false) => missed.push(text),
            (false, true) => false_alarms.push(text),
            _ => {}
        }
    }
    let mut rules: Vec<_> = by_rule.into_iter().collect();
    rules.sort_by_key(|(_, (_, fp))| std::cmp::Reverse(*fp));
    println!("== rules projecting onto {label}: right / wrong");
    for (r, (tp, fp)) in rules.iter().take(40) {
        println!("  {tp:5} {fp:5}  {r}");
    }
    println!("== missed: {} (showing {count})", missed.len());
    for m in missed.iter().take(count) {
        println!("- {m}\n");
    }
    println!("== false alarms: {} (showing {count})", false_alarms.len());
    for f in false_alarms.iter().take(count) {
        println!("- {f}\n");
    }
}
