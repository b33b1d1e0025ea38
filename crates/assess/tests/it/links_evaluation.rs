//! Conflict links, and two norms, measured against EuRepoC's expert coding on the held-out split
//! (records whose key's FNV-1a hash is 0 mod 5). The conflict coding a report carries
//! (`conflict:` tags, from EuRepoC's HIIK conflict names) is removed before assessing, so what is
//! measured is the linking from parties, dates and text alone.
//!
//! Run with `cargo test -p threatscape-assess --release --test it links_evaluation -- --nocapture`
//! to see the tables (EVALUATION.md holds the current figures).

use std::collections::BTreeSet;
use std::time::Instant;

use threatscape_assess::eval::{is_held_out, Counts};
use threatscape_assess::{Assessor, Dimension};
use threatscape_model::Report;

use crate::datasets::load;

/// EuRepoC's HIIK conflict names that are conflicts of `conflicts.toml`, and their ids.
const GOLD_CONFLICTS: &[(&str, &str)] = &[
    ("Russia – Ukraine", "russia-ukraine"),
    ("Israel (Hamas et al.)", "israel-hamas"),
];

/// EuRepoC's international-law breach indicators set beside the norm they come closest to.
/// The two are different things (a coder's reading of which body of law a State's conduct may
/// breach; a voluntary norm of behaviour), so agreement is indicative, not a score to tune for.
const NORM_PROXIES: &[(&str, &str)] = &[("Human rights", "e"), ("Due diligence", "c")];

fn cells(original: &serde_json::Value, column: &str) -> Vec<String> {
    original[column]
        .as_str()
        .unwrap_or_default()
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

struct Table {
    name: String,
    rows: Vec<(String, Counts)>,
    records: u64,
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "### {} ({} records)\n", self.name, self.records)?;
        writeln!(
            f,
            "| label | support | predicted | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|"
        )?;
        for (l, c) in &self.rows {
            writeln!(
                f,
                "| {l} | {} | {} | {:.2} | {:.2} | {:.2} |",
                c.tp + c.fn_,
                c.tp + c.fp,
                c.precision(),
                c.recall(),
                c.f1()
            )?;
        }
        Ok(())
    }
}

fn tally(counts: &mut Counts, gold: bool, predicted: bool) {
    match (gold, predicted) {
        (true, true) => counts.tp += 1,
        (false, true) => counts.fp += 1,
        (true, false) => counts.fn_ += 1,
        (false, false) => {}
    }
}

#[test]
fn links_against_eurepoc_coding() {
    let Some(reports) = load("eurepoc") else {
        return;
    };
    let assessor = Assessor::builtin();
    let started = Instant::now();
    let assessed: Vec<(&Report, BTreeSet<String>, BTreeSet<String>)> = reports
        .iter()
        .map(|r| {
            let mut stripped = r.clone();
            stripped.tags.retain(|t| !t.starts_with("conflict:"));
            let a = assessor.assess_incident(&[stripped], &[]);
            let conflicts = a
                .labels(Dimension::Conflict)
                .into_iter()
                .filter(|l| !l.contains('.'))
                .map(str::to_string)
                .collect();
            let norms = a
                .labels(Dimension::Norm)
                .into_iter()
                .map(str::to_string)
                .collect();
            (r, conflicts, norms)
        })
        .collect();
    println!(
        "assessed {} EuRepoC records (every stage) in {:.2} s",
        reports.len(),
        started.elapsed().as_secs_f64()
    );

    // Every stage over the other two datasets too: the issue asks for all of them under 10 s.
    let mut total = reports.len();
    let started = Instant::now();
    for dataset in ["cfr", "cissm"] {
        let Some(more) = load(dataset) else { continue };
        total += more.len();
        for r in &more {
            let a = assessor.assess_incident(std::slice::from_ref(r), &[]);
            assert!(!a.reports.is_empty());
        }
    }
    println!(
        "assessed {total} records of EuRepoC, CFR and CISSM (every stage; EuRepoC timed above) in {:.2} s more",
        started.elapsed().as_secs_f64()
    );

    for held_out in [false, true] {
        let split = if held_out { "held out" } else { "training" };
        let mut conflicts = vec![Counts::default(); GOLD_CONFLICTS.len()];
        let mut any = Counts::default();
        let mut norms = vec![Counts::default(); NORM_PROXIES.len()];
        let mut records = 0;
        for (r, predicted, predicted_norms) in &assessed {
            if is_held_out(&r.key()) != held_out {
                continue;
            }
            records += 1;
            let original: serde_json::Value =
                serde_json::from_str(&r.original).expect("EuRepoC originals are JSON objects");
            let names = cells(&original, "offline_conflict_name_HIIK");
            let gold: BTreeSet<&str> = GOLD_CONFLICTS
                .iter()
                .filter(|(name, _)| names.iter().any(|n| n == name))
                .map(|(_, id)| *id)
                .collect();
            for (i, (_, id)) in GOLD_CONFLICTS.iter().enumerate() {
                tally(
                    &mut conflicts[i],
                    gold.contains(id),
                    predicted.contains(*id),
                );
                // Training-split disagreements, for tuning (never the held-out records).
                if !held_out
                    && gold.contains(id) != predicted.contains(*id)
                    && std::env::var_os("THREATSCAPE_SHOW_ERRORS").is_some()
                {
                    println!(
                        "{} {id}: {} | {}",
                        if gold.contains(id) { "missed" } else { "extra" },
                        r.key(),
                        r.description
                            .as_deref()
                            .unwrap_or(&r.title)
                            .chars()
                            .take(400)
                            .collect::<String>()
                    );
                }
            }
            let known: BTreeSet<&str> = GOLD_CONFLICTS.iter().map(|(_, id)| *id).collect();
            tally(
                &mut any,
                !gold.is_empty(),
                predicted.iter().any(|p| known.contains(p.as_str())),
            );
            let breaches = cells(&original, "IL_breach_indicator");
            for (i, (indicator, norm)) in NORM_PROXIES.iter().enumerate() {
                tally(
                    &mut norms[i],
                    breaches.iter().any(|b| b == indicator),
                    predicted_norms.contains(*norm),
                );
            }
        }
        let mut rows: Vec<(String, Counts)> = GOLD_CONFLICTS
            .iter()
            .zip(&conflicts)
            .map(|((name, id), c)| (format!("{id} (HIIK \"{name}\")"), *c))
            .collect();
        rows.push(("either conflict".into(), any));
        let table = Table {
            name: format!("eurepoc conflict links, coding removed ({split})"),
            rows,
            records,
        };
        println!("\n{table}");
        let norm_table = Table {
            name: format!("eurepoc IL breach indicator vs norm ({split}; indicative)"),
            rows: NORM_PROXIES
                .iter()
                .zip(&norms)
                .map(|((indicator, norm), c)| (format!("\"{indicator}\" vs norm ({norm})"), *c))
                .collect(),
            records,
        };
        println!("\n{norm_table}");
        if held_out {
            // Floors a little under the figures reached (EVALUATION.md), so a change that
            // makes the linking worse fails.
            let ru = conflicts[0];
            assert!(
                ru.recall() >= 0.7,
                "Russia-Ukraine held-out recall {:.3}",
                ru.recall()
            );
            assert!(ru.f1() >= 0.6, "Russia-Ukraine held-out F1 {:.3}", ru.f1());
        }
    }
}
