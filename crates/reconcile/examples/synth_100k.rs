//! Generates 10,000 and 100,000 synthetic reports from the real trackers' distributions and times
//! reconciliation of both, printing the ratio (10x the data must take far less than 100x the
//! time: the cost is sub-quadratic).
//!
//! ```text
//! cargo run --release -p threatscape-reconcile --example synth_100k [-- --sizes 10000,100000]
//! ```
//!
//! How reports are made: each synthetic report takes a real report as its template (drawn at
//! random, so sources, kinds, actors, victim countries and text lengths follow the real mix) and
//! gets a new date (the real date shifted by up to ±5 years, precision kept), a new title and
//! description of words drawn from the real vocabulary with the real word frequencies, half of the
//! template's own words kept, and a fresh victim name. One report in five is a re-telling of an
//! earlier synthetic one by another source (same event, nearby date, reworded), so there is real
//! merging work at every size. Seeded: the same sizes always give the same reports.

#[path = "common/load.rs"]
mod load;

use std::time::Instant;

use threatscape_model::{DateSpan, FuzzyDate, Report, Victim};
use threatscape_reconcile::Reconciler;

/// A small, seeded xorshift generator (no dependency needed for a benchmark's dice).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn shift(date: FuzzyDate, days: i32) -> FuzzyDate {
    // Month arithmetic is enough for a benchmark: move by whole months and keep the day.
    let months = date.year * 12 + i32::from(date.month.unwrap_or(1)) - 1 + days / 30;
    let (year, month) = (months.div_euclid(12), (months.rem_euclid(12) + 1) as u8);
    match (date.month, date.day) {
        (Some(_), Some(d)) => FuzzyDate::day(year, month, d.min(28)).unwrap_or(date),
        (Some(_), None) => FuzzyDate::month(year, month).unwrap_or(date),
        _ => FuzzyDate::year(year),
    }
}

fn words_of(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Makes `n` synthetic reports from the real ones.
fn synthesise(real: &[Report], n: usize, seed: u64) -> Vec<Report> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // The corpus vocabulary with repetition, so draws follow real word frequencies.
    let bag: Vec<&str> = real
        .iter()
        .flat_map(|r| {
            words_of(&r.title)
                .into_iter()
                .chain(r.description.as_deref().map(words_of).unwrap_or_default())
        })
        .collect();
    let mut out: Vec<Report> = Vec::with_capacity(n);
    for i in 0..n {
        let retell = i > 0 && rng.below(5) == 0;
        let base = if retell {
            out[rng.below(out.len())].clone()
        } else {
            real[rng.below(real.len())].clone()
        };
        let mut r = base.clone();
        if retell {
            // Another source's account of the same event: other format, a few days off,
            // a third of the words changed.
            let other = &real[rng.below(real.len())];
            r.provenance = other.provenance.clone();
            r.contributor = other.contributor.clone();
            if let Some(span) = &mut r.occurred {
                span.start = shift(span.start, rng.below(7) as i32 - 3);
            }
            let reword = |text: &str, rng: &mut Rng| -> String {
                words_of(text)
                    .into_iter()
                    .map(|w| {
                        if rng.below(3) == 0 {
                            bag[rng.below(bag.len())]
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            r.title = reword(&base.title, &mut rng);
            r.description = base.description.as_deref().map(|d| reword(d, &mut rng));
        } else {
            let days = rng.below(3650) as i32 - 1825;
            r.occurred = base.occurred.map(|s| DateSpan {
                start: shift(s.start, days),
                end: s.end.map(|e| shift(e, days)),
            });
            let mix = |text: &str, rng: &mut Rng| -> String {
                words_of(text)
                    .into_iter()
                    .map(|w| {
                        if rng.below(2) == 0 {
                            bag[rng.below(bag.len())]
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            r.title = mix(&base.title, &mut rng);
            r.description = base.description.as_deref().map(|d| mix(d, &mut rng));
            r.victims = base
                .victims
                .iter()
                .map(|v| Victim {
                    name: v
                        .name
                        .as_ref()
                        .map(|_| format!("Victim {i} {}", bag[rng.below(bag.len())])),
                    ..v.clone()
                })
                .collect();
        }
        r.source_id = Some(format!("synth-{i}"));
        r.original = format!("synthetic report {i}");
        out.push(r);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = match args.iter().position(|a| a == "--sizes") {
        Some(i) => args[i + 1]
            .split(',')
            .map(|s| s.parse().expect("--sizes takes numbers"))
            .collect(),
        None => vec![10_000, 100_000],
    };
    let data = load::data_dir();
    let real = match load::load_trackers(&data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot load the trackers under {}: {e}", data.display());
            std::process::exit(2);
        }
    };
    let rec = Reconciler::default()
        .with_aliases_from_misp_galaxy(data.join(load::GALAXY))
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
    println!("templates: {} real reports", real.len());
    let t = Instant::now();
    let out = rec.reconcile(&real, &[]);
    println!(
        "real trackers: {:>7} reports -> {:>7} incidents in {:>8.2?} ({} candidate pairs)",
        real.len(),
        out.incidents.len(),
        t.elapsed(),
        out.stats.candidate_pairs
    );
    let mut timings = Vec::new();
    for &n in &sizes {
        let reports = synthesise(&real, n, 42);
        let t = Instant::now();
        let out = rec.reconcile(&reports, &[]);
        let took = t.elapsed();
        println!(
            "synthetic:     {n:>7} reports -> {:>7} incidents in {took:>8.2?} ({} candidate pairs, {} joins)",
            out.incidents.len(),
            out.stats.candidate_pairs,
            out.stats.joins
        );
        timings.push((n, took.as_secs_f64()));
    }
    if let [(n1, t1), .., (n2, t2)] = timings.as_slice() {
        let size = *n2 as f64 / *n1 as f64;
        let time = t2 / t1;
        println!(
            "{n2} / {n1} reports = {size:.0}x data took {time:.1}x time (quadratic would be {:.0}x): {}",
            size * size,
            if time < size * size / 4.0 { "sub-quadratic" } else { "NOT clearly sub-quadratic" }
        );
    }
}
