//! The gold set (`gold/pairs.csv`) and precision/recall of a reconciliation against it (shared by
//! the evaluation example and the integration tests).

use std::collections::HashMap;
use std::path::PathBuf;

use threatscape_model::Report;
use threatscape_reconcile::{report_key, Reconciliation};

/// One labelled pair.
#[derive(Debug, Clone)]
pub struct GoldPair {
    pub a: String,
    pub b: String,
    pub same: bool,
    pub note: String,
}

/// The gold set file of this crate.
pub fn gold_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("gold/pairs.csv")
}

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads the gold set; panics with the line on a malformed row.
pub fn read_gold() -> Vec<GoldPair> {
    let text = std::fs::read_to_string(gold_path()).expect("gold/pairs.csv is readable");
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f = csv_fields(line);
        assert!(
            f.len() == 4,
            "gold/pairs.csv line {}: expected 4 fields, got {}",
            n + 1,
            f.len()
        );
        let same = match f[2].as_str() {
            "same" => true,
            "different" => false,
            other => panic!(
                "gold/pairs.csv line {}: label `{other}` is not same|different",
                n + 1
            ),
        };
        out.push(GoldPair {
            a: f[0].clone(),
            b: f[1].clone(),
            same,
            note: f[3].clone(),
        });
    }
    out
}

/// Finds a report by key, or by `format@title` (exact title) for sources whose key is a hash.
pub fn resolve(reports: &[Report], keys: &HashMap<String, usize>, spec: &str) -> Option<usize> {
    if let Some(&i) = keys.get(spec) {
        return Some(i);
    }
    let (format, title) = spec.split_once('@')?;
    reports
        .iter()
        .position(|r| r.provenance.format == format && r.title.trim() == title)
}

/// Pair counts of a reconciliation against the gold set.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
    pub true_neg: usize,
    /// Gold keys with no report in this run.
    pub missing: Vec<String>,
    /// The pairs judged wrongly, with their label.
    pub errors: Vec<GoldPair>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_pos).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_neg).max(1) as f64
    }
}

/// Index of the first report with each key.
pub fn key_index(reports: &[Report]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for (i, r) in reports.iter().enumerate() {
        out.entry(report_key(r)).or_insert(i);
    }
    out
}

/// Precision and recall of "same incident" over the gold pairs.
pub fn evaluate(reports: &[Report], rec: &Reconciliation, gold: &[GoldPair]) -> Score {
    let keys = key_index(reports);
    let of = rec.incident_of();
    let mut s = Score::default();
    for p in gold {
        let (Some(&a), Some(&b)) = (keys.get(&p.a), keys.get(&p.b)) else {
            for k in [&p.a, &p.b] {
                if !keys.contains_key(k) {
                    s.missing.push(k.clone());
                }
            }
            continue;
        };
        let predicted = of[a] == of[b];
        match (p.same, predicted) {
            (true, true) => s.true_pos += 1,
            (false, true) => {
                s.false_pos += 1;
                s.errors.push(p.clone());
            }
            (true, false) => {
                s.false_neg += 1;
                s.errors.push(p.clone());
            }
            (false, false) => s.true_neg += 1,
        }
    }
    s
}
