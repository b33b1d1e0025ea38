//! The tool the gold set was built with (see gold/README.md). It never consults the reconciler's
//! scores, so the gold set does not merely echo the algorithm.
//!
//! ```text
//! cargo run -p threatscape-reconcile --example gold_candidates -- find WORD...
//!     every tracker report whose title, description or victims contain all the words
//!     (case-insensitive), as `key | date | title | victims | actors | description`
//! cargo run -p threatscape-reconcile --example gold_candidates -- resolve gold/pairs.src.csv
//!     rewrites labelled pairs whose reports are named by key or as `format@title` (CFR rows,
//!     whose key is a hash) into `key_a,key_b,label,note` on standard output (gold/pairs.csv)
//! cargo run -p threatscape-reconcile --example gold_candidates -- pairs SEED COUNT
//!     COUNT cross-tracker pairs drawn at random (seeded) among those that share a word of
//!     five letters or more in their titles and are dated within a year of each other
//! ```

#[path = "common/gold.rs"]
#[allow(dead_code)]
mod gold;
#[path = "common/load.rs"]
mod load;

use threatscape_model::Report;
use threatscape_reconcile::report_key;

fn date(r: &Report) -> String {
    match &r.occurred {
        Some(o) => match o.end {
            Some(e) => format!("{}..{}", o.start, e),
            None => o.start.to_string(),
        },
        None => r
            .disclosed
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
    }
}

fn line(r: &Report) -> String {
    let victims: Vec<String> = r
        .victims
        .iter()
        .map(|v| {
            format!(
                "{}/{}",
                v.name.as_deref().unwrap_or(""),
                v.country.as_deref().unwrap_or("")
            )
        })
        .collect();
    let actors: Vec<&str> = r.actors.iter().map(|a| a.name.as_str()).collect();
    let desc: String = r
        .description
        .as_deref()
        .unwrap_or("")
        .chars()
        .take(220)
        .collect();
    format!(
        "{} | {} | {} | {} | {} | {}",
        report_key(r),
        date(r),
        r.title,
        victims.join("; "),
        actors.join("; "),
        desc
    )
}

fn year(r: &Report) -> Option<i32> {
    r.occurred
        .map(|o| o.start.year)
        .or(r.disclosed.map(|d| d.year))
}

fn title_words(r: &Report) -> Vec<String> {
    let mut w: Vec<String> = r
        .title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .collect();
    w.sort();
    w.dedup();
    w
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reports = load::load_trackers(&load::data_dir()).expect("trackers load");
    match args.first().map(String::as_str) {
        Some("find") => {
            let words: Vec<String> = args[1..].iter().map(|w| w.to_lowercase()).collect();
            for r in &reports {
                let hay = format!(
                    "{} {} {}",
                    r.title,
                    r.description.as_deref().unwrap_or(""),
                    r.victims
                        .iter()
                        .filter_map(|v| v.name.as_deref())
                        .collect::<Vec<_>>()
                        .join(" ")
                )
                .to_lowercase();
                if words.iter().all(|w| hay.contains(w.as_str())) {
                    println!("{}", line(r));
                }
            }
        }
        Some("resolve") => {
            let path = args.get(1).expect("resolve needs the source file");
            let text = std::fs::read_to_string(path).expect("source file readable");
            let keys = gold::key_index(&reports);
            let quote = |s: &str| {
                if s.contains([',', '"']) {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s.to_string()
                }
            };
            println!("key_a,key_b,label,note");
            let mut failed = false;
            for (n, line) in text.lines().enumerate().skip(1) {
                let f = gold::csv_fields(line);
                let resolved: Vec<Option<usize>> = f[..2]
                    .iter()
                    .map(|s| gold::resolve(&reports, &keys, s))
                    .collect();
                match (resolved[0], resolved[1]) {
                    (Some(a), Some(b)) => println!(
                        "{},{},{},{}",
                        quote(&report_key(&reports[a])),
                        quote(&report_key(&reports[b])),
                        f[2],
                        quote(&f[3])
                    ),
                    _ => {
                        eprintln!("{path} line {}: cannot find {:?}", n + 1, &f[..2]);
                        failed = true;
                    }
                }
            }
            if failed {
                std::process::exit(1);
            }
        }
        Some("pairs") => {
            let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
            let count: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
            // Title words that are not everywhere.
            let mut df = std::collections::HashMap::<String, usize>::new();
            let words: Vec<Vec<String>> = reports.iter().map(title_words).collect();
            for w in &words {
                for x in w {
                    *df.entry(x.clone()).or_default() += 1;
                }
            }
            let mut by_word = std::collections::HashMap::<&str, Vec<usize>>::new();
            for (i, w) in words.iter().enumerate() {
                for x in w {
                    if df[x] <= 30 {
                        by_word.entry(x.as_str()).or_default().push(i);
                    }
                }
            }
            let mut pairs = Vec::new();
            for list in by_word.values() {
                for (p, &i) in list.iter().enumerate() {
                    for &j in &list[p + 1..] {
                        let (a, b) = (&reports[i], &reports[j]);
                        if a.provenance.format == b.provenance.format {
                            continue;
                        }
                        if let (Some(x), Some(y)) = (year(a), year(b)) {
                            if (x - y).abs() <= 1 {
                                pairs.push((i.min(j), i.max(j)));
                            }
                        }
                    }
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            // xorshift, seeded: a reproducible sample.
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            for _ in 0..count.min(pairs.len()) {
                let k = (next() % pairs.len() as u64) as usize;
                let (i, j) = pairs.swap_remove(k);
                println!("A {}\nB {}\n", line(&reports[i]), line(&reports[j]));
            }
        }
        _ => eprintln!("usage: gold_candidates find WORD... | pairs SEED COUNT"),
    }
}
