//! Validates a file of patterns, one a line, and reports each verdict and the parse throughput.
//!
//! `cargo run --release -p threatscape-stix-pattern --example validate_file -- FILE [--quiet]`
//! (the same input format as the OASIS `validate-patterns -f FILE`, for comparing verdicts).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: validate_file FILE [--quiet]");
        std::process::exit(2);
    };
    let quiet = args.next().as_deref() == Some("--quiet");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let mut failed = 0;
    for (i, line) in lines.iter().enumerate() {
        match threatscape_stix_pattern::validate(line) {
            Ok(()) => {
                if !quiet {
                    println!("{}\tPASS", i + 1)
                }
            }
            Err(e) => {
                failed += 1;
                if !quiet {
                    println!("{}\tFAIL\t{}\t{}", i + 1, e.offset, e.message)
                }
            }
        }
    }
    // Timing: repeat the whole file until at least a second has passed, so the figures are stable.
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    for (name, f) in [
        (
            "parse",
            (|p: &str| threatscape_stix_pattern::parse(p).is_ok()) as fn(&str) -> bool,
        ),
        ("validate", |p: &str| {
            threatscape_stix_pattern::validate(p).is_ok()
        }),
    ] {
        let start = Instant::now();
        let mut rounds = 0u32;
        while start.elapsed().as_secs_f64() < 1.0 {
            for line in &lines {
                std::hint::black_box(f(std::hint::black_box(line)));
            }
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let n = lines.len() as f64 * f64::from(rounds);
        eprintln!(
            "{name}: {} patterns ({failed} invalid), {:.0} patterns/s, {:.0} MB/s, {:.2} us/pattern ({rounds} rounds)",
            lines.len(),
            n / secs,
            bytes as f64 * f64::from(rounds) / secs / 1e6,
            secs / n * 1e6
        );
    }
}
