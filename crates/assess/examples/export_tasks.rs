//! Writes every evaluation record as JSON lines, for judging the assessment against an outside
//! baseline on exactly the same records, split, text and gold labels.
//!
//! `cargo run -p threatscape-assess --release --example export_tasks [-- --data DIR] > tasks.jsonl`
//!
//! One line per (task, record with gold labels): `task`, `dataset`, `key`, `split` (`train` or
//! `held-out`, by [`threatscape_assess::eval::is_held_out`]; `unseen` for every record of a dataset
//! never read in tuning or training, which has nothing to train a baseline on), `text` (what the text rules and the
//! model read: title, description and victims' names, one per line), `gold` (the record's coded
//! labels of the task). `scripts/eval-baseline.py` reads it.

use std::io::Write;

use threatscape_assess::eval::{all_datasets, load_dataset, tasks, Split};
use threatscape_assess::text::Texts;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = threatscape_testkit::data_dir_from_args(&args);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (dataset, _) in all_datasets() {
        let reports = load_dataset(&data, dataset).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1)
        });
        for task in tasks().iter().filter(|t| t.dataset == *dataset) {
            for r in &reports {
                let gold = task.gold(r);
                if gold.is_empty() {
                    continue;
                }
                let texts = Texts::of(r);
                let text: Vec<&str> = texts.parts().map(|(_, t, _)| t).collect();
                let line = serde_json::json!({
                    "task": task.name,
                    "dataset": dataset,
                    "key": r.key(),
                    "split": match Split::for_dataset(Split::HeldOut, dataset) {
                        Split::All => "unseen",
                        _ if Split::HeldOut.contains(r) => "held-out",
                        _ => "train",
                    },
                    "text": text.join("\n"),
                    "gold": gold,
                });
                writeln!(out, "{line}").expect("stdout is writable");
            }
        }
    }
}
