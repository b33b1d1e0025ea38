//! Times the store on one large STIX bundle, on SQLite and on PostgreSQL: one batch of every
//! object (an ingest of one file), the same batch again (every version recognised), the first
//! search (which builds the full-text index), a later search, a full read, and copies each way.
//!
//! ```text
//! xz -dc ../shared/data/mitre-attack/enterprise-attack-18.1-stix20-full.json.xz > /tmp/enterprise.json
//! cargo run --release -p threatscape-store --example store_bench -- /tmp/enterprise.json [postgres://...]
//! ```
//!
//! The objects are prepared before the clock starts (sorted-key JSON stands in for the canonical
//! form), so the figures are the store's alone.

use std::time::{Duration, Instant};

use threatscape_model::Tlp;
use threatscape_store::{
    migrate, AuditEntry, BatchItem, NewRun, ObjectFilter, ObjectVersion, OnConflict, PgStore,
    SqliteStore, Store,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: store_bench BUNDLE.json [POSTGRES_URL]")?;
    let url = args
        .next()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let versions: Vec<ObjectVersion> = bundle["objects"]
        .as_array()
        .ok_or("no objects array")?
        .iter()
        .map(|o| ObjectVersion {
            id: o["id"].as_str().unwrap_or_default().into(),
            modified: o["modified"].as_str().unwrap_or_default().into(),
            type_: o["type"].as_str().unwrap_or_default().into(),
            tlp: Tlp::Clear,
            json: o.to_string(),
            tag: 0,
        })
        .collect();
    let bytes: usize = versions.iter().map(|v| v.json.len()).sum();
    println!(
        "{} objects, {:.1} MB of JSON",
        versions.len(),
        bytes as f64 / 1e6
    );

    let dir = tempfile::tempdir()?;
    let mut sqlite = SqliteStore::open(dir.path().join("bench.db"))?;
    let mut pg = PgStore::connect_scratch(&url)?;
    for (name, store) in [
        ("SQLite", &mut sqlite as &mut dyn Store),
        ("PostgreSQL", &mut pg as &mut dyn Store),
    ] {
        println!("\n{name}");
        let batch = versions.clone();
        let first = time(|| ingest(store, batch));
        println!(
            "  ingest, new:          {:>8.0} ms  {:>7.0} objects/s  ({} new)",
            ms(first.0),
            versions.len() as f64 / first.0.as_secs_f64(),
            first.1
        );
        let batch = versions.clone();
        let again = time(|| ingest(store, batch));
        println!(
            "  ingest, all repeats:  {:>8.0} ms  {:>7.0} objects/s  ({} new)",
            ms(again.0),
            versions.len() as f64 / again.0.as_secs_f64(),
            again.1
        );
        let (t, hits) = time(|| {
            store
                .search("credential dumping", Tlp::Red, 20)
                .unwrap()
                .len()
        });
        println!("  first search (index): {:>8.0} ms  ({hits} hits)", ms(t));
        let (t, hits) = time(|| {
            store
                .search("lateral movement", Tlp::Red, 20)
                .unwrap()
                .len()
        });
        println!("  next search:          {:>8.1} ms  ({hits} hits)", ms(t));
        let (t, n) = time(|| {
            let mut n = 0usize;
            store
                .for_each_object(
                    &ObjectFilter {
                        types: vec![],
                        max_tlp: Tlp::Red,
                    },
                    &mut |_| {
                        n += 1;
                        Ok(())
                    },
                )
                .unwrap();
            n
        });
        println!("  read every object:    {:>8.0} ms  ({n})", ms(t));
        let (t, counts) = time(|| store.counts_by_type(Tlp::Red).unwrap().len());
        println!(
            "  counts by type:       {:>8.1} ms  ({counts} types)",
            ms(t)
        );
    }

    let mut pg_copy = PgStore::connect_scratch(&url)?;
    let (t, fp) = time(|| migrate(&sqlite, &mut pg_copy).unwrap());
    println!(
        "\nmigrate SQLite -> PostgreSQL: {:>6.0} ms  ({} objects, verified)",
        ms(t),
        fp.objects.count
    );
    let mut sqlite_copy = SqliteStore::open(dir.path().join("copy.db"))?;
    let (t, fp) = time(|| migrate(&pg, &mut sqlite_copy).unwrap());
    println!(
        "migrate PostgreSQL -> SQLite: {:>6.0} ms  ({} objects, verified)",
        ms(t),
        fp.objects.count
    );
    Ok(())
}

fn ingest(store: &mut dyn Store, versions: Vec<ObjectVersion>) -> u64 {
    let run = store.begin_run(&NewRun::default()).unwrap();
    let audit = AuditEntry {
        actor: "bench".into(),
        action: "ingest-file".into(),
        subject: "bundle.json".into(),
        detail: serde_json::json!({}),
    };
    let outcome = store
        .write_batch(
            run,
            &audit,
            OnConflict::Reject,
            &mut versions.into_iter().map(|v| Ok(BatchItem::Object(v))),
        )
        .unwrap();
    outcome.new
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
