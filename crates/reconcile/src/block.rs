//! Blocking: which pairs are worth scoring.
//!
//! Every report gets a few *keys*: its most distinctive text terms (rare in the corpus), the
//! well-known incidents it names, its actors, the specific words of its victims' names and a hash
//! of its description. Only reports sharing a key are compared, and within a key only those whose
//! dates could still merge (envelopes at most `max_gap_days` apart), walking the key's reports in
//! date order and stopping after `block_neighbours` of them. The number of pairs therefore grows
//! with n * keys * neighbours instead of n^2.

use std::collections::HashMap;

use crate::features::Corpus;
use crate::Options;

const TAG_TERM: u64 = 1 << 60;
const TAG_NAMED: u64 = 2 << 60;
const TAG_ACTOR: u64 = 3 << 60;
const TAG_DESCRIPTION: u64 = 4 << 60;
const TAG_TITLE: u64 = 5 << 60;
const VALUE_MASK: u64 = (1 << 60) - 1;

/// Candidate pairs (i < j), sorted, without repeats.
pub(crate) fn candidate_pairs(corpus: &Corpus, o: &Options) -> Vec<(u32, u32)> {
    let n = corpus.features.len();
    let max_term_df = ((n as f64) * o.block_max_df_fraction).max(50.0) as u32;
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, f) in corpus.features.iter().enumerate() {
        let i = i as u32;
        let mut keys: Vec<u64> = Vec::new();
        let mut taken = 0;
        for t in f.text.top_terms(usize::MAX) {
            if taken == o.block_terms {
                break;
            }
            let df = corpus.vocab.df(t);
            if df >= 2 && df <= max_term_df {
                keys.push(TAG_TERM | u64::from(t));
                taken += 1;
            }
        }
        for org in &f.orgs {
            for &t in org {
                if corpus.is_specific(t) && corpus.vocab.df(t) >= 2 {
                    keys.push(TAG_TERM | u64::from(t));
                }
            }
        }
        keys.extend(f.named.iter().map(|&x| TAG_NAMED | u64::from(x)));
        keys.extend(f.actors.iter().map(|&x| TAG_ACTOR | u64::from(x)));
        if f.long_description {
            keys.push(TAG_DESCRIPTION | (f.description_hash & VALUE_MASK));
        }
        if f.title_hash != 0 {
            keys.push(TAG_TITLE | (f.title_hash & VALUE_MASK));
        }
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            postings.entry(k).or_default().push(i);
        }
    }

    let window = o.max_gap_days;
    let cap = o.block_neighbours;
    let mut pairs: Vec<u64> = Vec::new();
    let push = |pairs: &mut Vec<u64>, a: u32, b: u32| {
        let (x, y) = if a < b { (a, b) } else { (b, a) };
        pairs.push((u64::from(x) << 32) | u64::from(y));
    };
    let mut keys: Vec<u64> = postings.keys().copied().collect();
    keys.sort_unstable();
    for key in keys {
        let list = &postings[&key];
        if list.len() < 2 {
            continue;
        }
        let (mut dated, undated): (Vec<u32>, Vec<u32>) = list
            .iter()
            .partition(|&&i| corpus.features[i as usize].envelope.is_some());
        let env = |i: u32| corpus.features[i as usize].envelope.expect("dated");
        dated.sort_by_key(|&i| (env(i).0, i));
        for (p, &i) in dated.iter().enumerate() {
            let hi = env(i).1;
            for &j in dated[p + 1..].iter().take(cap) {
                if env(j).0 > hi.saturating_add(window) {
                    break;
                }
                push(&mut pairs, i, j);
            }
        }
        // An undated report can meet anyone of the key, but only through small keys.
        if !undated.is_empty() && list.len() <= 2 * cap {
            for (p, &i) in undated.iter().enumerate() {
                for &j in undated[p + 1..].iter().chain(dated.iter()) {
                    push(&mut pairs, i, j);
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}
