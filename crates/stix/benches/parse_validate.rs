//! Parse + validate throughput on one core, on real ATT&CK data read from memory.
//!
//!     cargo bench -p threatscape-stix --bench parse_validate
//!
//! Measures the reader (object boundaries), serde_json parsing into the generic form, the 2.0 -> 2.1
//! upgrade where needed, and validation with repairs: everything ingest does before the store.

use std::path::Path;

// The binary runs with mimalloc (see crates/cli/src/main.rs); measure what it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use threatscape_stix::reader::Reader;
use threatscape_stix::{canonical, upgrade, validate};

fn shared(relative: &str) -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    if relative.ends_with(".xz") {
        let out = std::process::Command::new("xz")
            .arg("-dc")
            .arg(&path)
            .output()
            .ok()?;
        return out.status.success().then_some(out.stdout);
    }
    std::fs::read(path).ok()
}

/// Reads, parses, upgrades and validates every object; returns how many were valid.
fn parse_validate(bytes: &[u8]) -> usize {
    let mut valid = 0;
    for raw in Reader::new(bytes) {
        let raw = raw.expect("well-formed input");
        let mut obj = raw.parse().expect("well-formed object");
        if upgrade::is_stix20(&obj, raw.bundle_spec_version.as_deref()) {
            upgrade::upgrade_20_to_21(&mut obj);
        }
        if !validate::validate_object(&mut obj, true).has_errors() {
            valid += 1;
        }
    }
    valid
}

fn bench(c: &mut Criterion) {
    let inputs = [
        ("ics-attack-2.1", "mitre-attack/ics-attack-18.1.json"),
        (
            "enterprise-attack-2.0",
            "mitre-attack/enterprise-attack-18.1-stix20-full.json.xz",
        ),
    ];
    let mut group = c.benchmark_group("parse_validate");
    group.sample_size(10);
    for (name, relative) in inputs {
        let Some(bytes) = shared(relative) else {
            eprintln!("SKIPPED {name}: ../shared/data/{relative} is not on this machine");
            continue;
        };
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| parse_validate(&bytes)));
        // The canonical writer as well: the full per-object cost before the store.
        group.bench_function(format!("{name}+canonical"), |b| {
            b.iter(|| {
                Reader::new(&bytes[..])
                    .map(|raw| {
                        let raw = raw.unwrap();
                        let mut obj = raw.parse().unwrap();
                        if upgrade::is_stix20(&obj, raw.bundle_spec_version.as_deref()) {
                            upgrade::upgrade_20_to_21(&mut obj);
                        }
                        validate::validate_object(&mut obj, true);
                        canonical::to_canonical(&obj).len()
                    })
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
