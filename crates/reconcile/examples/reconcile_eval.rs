//! Reconciles the four incident trackers of `../shared/data` (EuRepoC, CFR, CISSM, DCID), then
//! prints the timing, the famous incidents' clusters and precision/recall on `gold/pairs.csv`.
//!
//! ```text
//! cargo run --release -p threatscape-reconcile --example reconcile_eval [-- --errors] [--no-galaxy]
//!     [--show KEY]... [--pair KEY KEY]... [--threshold X] [--famous-detail] [--biggest N]
//!     [--sample K]
//! ```
//! `--errors` explains each gold pair judged wrongly; `--show KEY` prints the incident holding a
//! report and the evidence of its merges.

#[path = "common/famous.rs"]
mod famous;
#[path = "common/gold.rs"]
mod gold;
#[path = "common/load.rs"]
mod load;

use std::time::Instant;

use threatscape_reconcile::{report_key, Options, Reconciler};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = load::data_dir();
    let t0 = Instant::now();
    let reports = match load::load_trackers(&data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot load the trackers under {}: {e}", data.display());
            std::process::exit(2);
        }
    };
    let load_time = t0.elapsed();
    let mut options = Options::default();
    if let Some(i) = args.iter().position(|a| a == "--threshold") {
        options.threshold = args[i + 1].parse().expect("--threshold takes a number");
    }
    let mut rec = Reconciler::new(options);
    if !args.iter().any(|a| a == "--no-galaxy") {
        let t = Instant::now();
        rec = rec
            .with_aliases_from_misp_galaxy(data.join(load::GALAXY))
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2);
            });
        println!(
            "alias table: {} groups (galaxy read in {:.2?})",
            rec.aliases().groups(),
            t.elapsed()
        );
    }
    println!("loaded {} reports in {load_time:.2?}", reports.len());

    let t = Instant::now();
    let out = rec.reconcile(&reports, &[]);
    let took = t.elapsed();
    let multi = out.incidents.iter().filter(|c| c.members.len() > 1).count();
    let biggest = out
        .incidents
        .iter()
        .map(|c| c.members.len())
        .max()
        .unwrap_or(0);
    println!(
        "reconciled {} reports into {} incidents ({multi} with several reports, largest {biggest}) in {took:.2?}",
        reports.len(),
        out.incidents.len()
    );
    println!("stats: {:?}", out.stats);

    let keys = gold::key_index(&reports);
    let of = out.incident_of();
    println!("\nfamous incidents:");
    for famous::Famous {
        name,
        reports: members,
        known_gap,
    } in famous::FAMOUS
    {
        let found: Vec<usize> = members
            .iter()
            .filter_map(|k| gold::resolve(&reports, &keys, k))
            .collect();
        let clusters: std::collections::BTreeSet<usize> = found.iter().map(|&i| of[i]).collect();
        let extra: usize = clusters
            .iter()
            .map(|&c| out.incidents[c].members.len())
            .sum::<usize>()
            - found.len();
        println!(
            "  {name:<28} {} of {} reports found, in {} cluster(s){}",
            found.len(),
            members.len(),
            clusters.len(),
            if extra > 0 {
                format!(", with {extra} other report(s)")
            } else {
                String::new()
            }
        );
        if let (Some(gap), true) = (known_gap, clusters.len() > 1) {
            println!("    known gap: {gap}");
        }
        if args.iter().any(|a| a == "--famous-detail") && (clusters.len() > 1 || extra > 0) {
            for &c in &clusters {
                println!("    cluster:");
                for &m in &out.incidents[c].members {
                    println!(
                        "      {}{} | {}",
                        if found.contains(&m) { "" } else { "+ " },
                        report_key(&reports[m]),
                        reports[m].title
                    );
                }
            }
        }
    }

    let pairs = gold::read_gold();
    let s = gold::evaluate(&reports, &out, &pairs);
    println!(
        "\ngold set: {} pairs ({} same, {} different); TP {} FP {} FN {} TN {}; missing keys {:?}",
        pairs.len(),
        pairs.iter().filter(|p| p.same).count(),
        pairs.iter().filter(|p| !p.same).count(),
        s.true_pos,
        s.false_pos,
        s.false_neg,
        s.true_neg,
        s.missing
    );
    println!("precision {:.3}  recall {:.3}", s.precision(), s.recall());

    if args.iter().any(|a| a == "--errors") {
        for e in &s.errors {
            let (a, b) = (keys[&e.a], keys[&e.b]);
            let m = rec.score_pairs(&reports, &[(a, b)]).remove(0);
            println!(
                "\n{} {} | {} ({})\n  {}\n  {}\n  {}",
                if e.same { "MISSED" } else { "WRONG MERGE" },
                e.a,
                e.b,
                e.note,
                reports[a].title,
                reports[b].title,
                m.evidence.join("\n  ")
            );
        }
    }
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--pair" && i + 2 < args.len() {
            match (
                gold::resolve(&reports, &keys, &args[i + 1]),
                gold::resolve(&reports, &keys, &args[i + 2]),
            ) {
                (Some(a), Some(b)) => {
                    let m = rec.score_pairs(&reports, &[(a, b)]).remove(0);
                    println!(
                        "\npair {} | {} (same incident now: {})\n  A: {:.120}\n  B: {:.120}\n  {}",
                        args[i + 1],
                        args[i + 2],
                        of[a] == of[b],
                        reports[a].title,
                        reports[b].title,
                        m.evidence.join("\n  ")
                    );
                }
                _ => println!("\nunknown report in --pair {} {}", args[i + 1], args[i + 2]),
            }
        }
        if args[i] == "--biggest" && i + 1 < args.len() {
            let k: usize = args[i + 1].parse().unwrap_or(5);
            let mut order: Vec<usize> = (0..out.incidents.len()).collect();
            order.sort_by_key(|&c| std::cmp::Reverse(out.incidents[c].members.len()));
            for &c in order.iter().take(k) {
                let inc = &out.incidents[c];
                println!("\nincident of {} reports:", inc.members.len());
                for &m in inc.members.iter().take(12) {
                    println!("  {} | {:.110}", report_key(&reports[m]), reports[m].title);
                }
            }
        }
        if args[i] == "--band" && i + 2 < args.len() {
            // Automatic merges scored within [LO, HI), for judging the threshold by eye.
            let (lo, hi): (f64, f64) = (
                args[i + 1].parse().unwrap_or(0.0),
                args[i + 2].parse().unwrap_or(0.0),
            );
            for m in out
                .incidents
                .iter()
                .flat_map(|c| &c.merges)
                .filter(|m| m.score >= lo && m.score < hi)
            {
                println!(
                    "\n{} | {} ({:.2})\n  A: {:.150}\n  B: {:.150}\n  {}",
                    report_key(&reports[m.a]),
                    report_key(&reports[m.b]),
                    m.score,
                    reports[m.a].title,
                    reports[m.b].title,
                    m.evidence.join("; ")
                );
            }
        }
        if args[i] == "--sample" && i + 1 < args.len() {
            // Every k-th automatic merge between two different sources, for review by eye.
            let k: usize = args[i + 1].parse().unwrap_or(50);
            let merges: Vec<_> = out
                .incidents
                .iter()
                .flat_map(|c| &c.merges)
                .filter(|m| {
                    reports[m.a].provenance.format != reports[m.b].provenance.format
                        || args.iter().any(|a| a == "--same-source")
                })
                .collect();
            println!("\n{} merges, every {k}th:", merges.len());
            for m in merges.iter().step_by(k) {
                println!(
                    "\n{} | {}\n  A: {:.150}\n  B: {:.150}\n  {}",
                    report_key(&reports[m.a]),
                    report_key(&reports[m.b]),
                    reports[m.a].title,
                    reports[m.b].title,
                    m.evidence.join("; ")
                );
            }
        }
        if args[i] == "--show" && i + 1 < args.len() {
            let key = &args[i + 1];
            match keys.get(key) {
                None => println!("\nno report with key {key}"),
                Some(&r) => {
                    let c = &out.incidents[of[r]];
                    println!("\nincident of {key}:");
                    for &m in &c.members {
                        println!(
                            "  {} | {} | {:?}",
                            report_key(&reports[m]),
                            reports[m].title,
                            reports[m].occurred.map(|o| o.start.to_string())
                        );
                    }
                    for m in &c.merges {
                        println!(
                            "  merge {} + {} ({:.2}): {}",
                            report_key(&reports[m.a]),
                            report_key(&reports[m.b]),
                            m.score,
                            m.evidence.join("; ")
                        );
                    }
                }
            }
            i += 1;
        }
        i += 1;
    }
}
