//! Reconciliation: clusters [`Report`]s that describe the same incident, across sources and within
//! one, without losing any report.
//!
//! How the pieces fit:
//! 1. Features — each report is reduced once to date anchors (with their precision, and the span
//!    of a campaign), TF-IDF vectors of its text (well-known incident names such as NotPetya
//!    weighted up), victim countries and organisations, actors resolved through an
//!    [`AliasTable`], and kinds.
//! 2. Blocking — only reports sharing a distinctive key (a rare term, a named incident, an actor,
//!    a victim name, a copied description) and dated within `max_gap_days` are compared.
//! 3. Scoring — a documented weighted sum, an identification requirement and hard constraints
//!    ([`Weights`]); each merge keeps its evidence lines.
//! 4. Clustering — union-find over accepted pairs, best first, with guards against chaining and
//!    with the analysts' [`Decision`]s applied: `Link` forces a join, `Unlink` forbids one,
//!    `Split` keeps a report out of every automatic join.
//!
//! Decisions name reports by [`report_key`] (source format and record id), never by position, so
//! they hold when reconciliation runs again over more data. Nothing here does I/O except
//! [`Reconciler::with_aliases_from_misp_galaxy`], which reads the galaxy file once.

mod aliases;
mod block;
mod cluster;
mod dates;
mod features;
mod score;
mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use threatscape_model::Report;

pub use aliases::{AliasError, AliasTable};
pub use score::Weights;

use cluster::{Clusters, Refusal};
use features::Corpus;

/// The version of the automatic rules, recorded with every merge they make.
pub const RULE_VERSION: &str = "reconcile-1";

/// The `rule_version` of merges an analyst forced with [`Decision::Link`].
pub const ANALYST_RULE: &str = "analyst-link";

/// The stable key of a report ([`Report::key`]): `format:source_id`, or `format:sha256:<digest>` of
/// the original record when the source gives no id. Decisions refer to reports by this key, and the
/// store files report versions under the same key.
pub fn report_key(report: &Report) -> String {
    report.key()
}

/// Tuning of reconciliation. The defaults are what `gold/pairs.csv` was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The weights of the pair score.
    pub weights: Weights,
    /// A pair from two sources merges when its score reaches this.
    pub threshold: f64,
    /// Two reports of one source need `threshold + same_source_margin` (trackers rarely list an
    /// incident twice), half that margin on the same day (parts of one event), and merge anyway
    /// when they are copies (a repeated row).
    pub same_source_margin: f64,
    /// Text similarity that identifies an incident (see [`Weights`] for the other identifiers).
    pub identity_text: f64,
    /// Title similarity that identifies an incident.
    pub identity_title: f64,
    /// Actor specificity (0..1) from which a shared actor identifies an incident.
    pub identity_actor: f64,
    /// Reports whose closest dates are further apart than this never merge automatically.
    pub max_gap_days: i32,
    /// Treat the 1st of January as "that year" and the 1st of a month as "that month".
    pub placeholder_dates: bool,
    /// Most distinctive terms per report used as blocking keys.
    pub block_terms: usize,
    /// Terms in more than this fraction of reports (or 50) are not blocking keys.
    pub block_max_df_fraction: f64,
    /// Within one blocking key, how many date-ordered neighbours each report is compared with.
    pub block_neighbours: usize,
    /// Two clusters of several reports join only if their members' average score reaches this.
    pub cluster_support: f64,
    /// No automatic join makes a cluster larger than this.
    pub max_cluster_size: usize,
    /// Worker threads for scoring (0: as many as the machine has).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            weights: Weights::default(),
            threshold: 1.6,
            same_source_margin: 3.0,
            identity_text: 0.25,
            identity_title: 0.5,
            identity_actor: 0.5,
            max_gap_days: 180,
            placeholder_dates: true,
            block_terms: 6,
            block_max_df_fraction: 0.01,
            block_neighbours: 40,
            cluster_support: 0.9,
            max_cluster_size: 300,
            threads: 0,
        }
    }
}

/// An analyst's decision about reports, by [`report_key`]. Later decisions about the same reports
/// override earlier ones.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Decision {
    /// The two reports describe the same incident: always join them.
    Link {
        /// A report key.
        a: String,
        /// Another report key.
        b: String,
    },
    /// The two reports describe different incidents: never put them in one cluster.
    Unlink {
        /// A report key.
        a: String,
        /// Another report key.
        b: String,
    },
    /// Take the report out of automatic merging (it stays alone unless later linked).
    Split {
        /// The report key.
        report: String,
    },
}

/// Why one merge happened.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MergeEvidence {
    /// Index of a report (into the slice given to [`Reconciler::reconcile`]).
    pub a: usize,
    /// Index of the other report.
    pub b: usize,
    /// The pair's score (see [`Weights`]).
    pub score: f64,
    /// The evidence that fired, each with its contribution, e.g. "same day 2017-06-27 (+1.00)".
    pub evidence: Vec<String>,
    /// [`RULE_VERSION`] for automatic merges, [`ANALYST_RULE`] for analyst links.
    pub rule_version: &'static str,
}

/// One incident: the reports reconciled into it and the merges that joined them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cluster {
    /// Indexes of the reports, ascending.
    pub members: Vec<usize>,
    /// The joins that made the cluster (members.len() - 1 of them), in the order made.
    pub merges: Vec<MergeEvidence>,
}

/// A decision that could not be applied (yet).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionIssue {
    /// The decision.
    pub decision: Decision,
    /// Why: an unknown key (kept for later runs) or a conflict with another decision.
    pub reason: String,
}

/// Counts describing one run, for summaries and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Reports given.
    pub reports: usize,
    /// Pairs compared after blocking.
    pub candidate_pairs: usize,
    /// Pairs whose score cleared the bar.
    pub accepted_pairs: usize,
    /// Joins made (automatic and forced).
    pub joins: usize,
    /// Joins refused by an Unlink or Split decision.
    pub refused_by_decision: usize,
    /// Joins refused by the cluster date window.
    pub refused_by_date_window: usize,
    /// Joins refused for lack of support between two clusters.
    pub refused_by_support: usize,
    /// Joins refused because two reports of one source would not merge on their own.
    pub refused_by_same_source: usize,
    /// Joins refused by the cluster size cap.
    pub refused_by_size: usize,
}

/// The outcome: every report in exactly one incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reconciliation {
    /// The incidents, ordered by their first member; single-report incidents included.
    pub incidents: Vec<Cluster>,
    /// Decisions that named unknown reports or conflicted with others.
    pub decision_issues: Vec<DecisionIssue>,
    /// Counts.
    pub stats: Stats,
}

impl Reconciliation {
    /// For each report index, the index of its incident in `incidents`.
    pub fn incident_of(&self) -> Vec<usize> {
        let n = self.incidents.iter().map(|c| c.members.len()).sum();
        let mut out = vec![usize::MAX; n];
        for (k, c) in self.incidents.iter().enumerate() {
            for &m in &c.members {
                out[m] = k;
            }
        }
        out
    }
}

/// Reconciles reports into incidents with a fixed set of options and actor aliases.
#[derive(Debug, Clone)]
pub struct Reconciler {
    options: Options,
    aliases: AliasTable,
}

impl Default for Reconciler {
    fn default() -> Self {
        Reconciler::new(Options::default())
    }
}

impl Reconciler {
    /// A digest of everything that decides this reconciler's output: the rule version, the
    /// options and the actor aliases. A reconciliation kept from an earlier run is reused only by
    /// a reconciler with the same fingerprint.
    pub fn fingerprint(&self) -> String {
        threatscape_model::sha256_hex(
            format!(
                "{RULE_VERSION}\n{:?}\n{:?}",
                self.options,
                self.aliases.canonical()
            )
            .as_bytes(),
        )
    }

    /// A reconciler with the project's built-in actor aliases.
    pub fn new(options: Options) -> Self {
        Reconciler {
            options,
            aliases: AliasTable::builtin(),
        }
    }

    /// A reconciler with a given alias table (e.g. [`AliasTable::empty`] in tests).
    pub fn with_alias_table(options: Options, aliases: AliasTable) -> Self {
        Reconciler { options, aliases }
    }

    /// Adds the MISP threat-actor galaxy (`clusters/threat-actor.json`) to the aliases, read now.
    pub fn with_aliases_from_misp_galaxy(
        mut self,
        path: impl AsRef<Path>,
    ) -> Result<Self, AliasError> {
        self.aliases.add_misp_galaxy_file(path.as_ref())?;
        Ok(self)
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The actor aliases in force.
    pub fn aliases(&self) -> &AliasTable {
        &self.aliases
    }

    /// Scores given pairs of reports in the context of all of them (for explanations and
    /// evaluation), whether or not blocking would have compared them.
    pub fn score_pairs(&self, reports: &[Report], pairs: &[(usize, usize)]) -> Vec<MergeEvidence> {
        let corpus = Corpus::build(reports, &self.aliases, &self.options);
        pairs
            .iter()
            .map(|&(a, b)| {
                let s = corpus.score_pair(a, b, &self.options, true);
                let mut evidence = s.evidence;
                evidence.push(format!(
                    "{} (score {:.2})",
                    if s.accepted {
                        "accepted"
                    } else {
                        "not accepted"
                    },
                    s.score
                ));
                MergeEvidence {
                    a,
                    b,
                    score: s.score,
                    evidence,
                    rule_version: RULE_VERSION,
                }
            })
            .collect()
    }

    /// Clusters the reports into incidents, applying the analysts' decisions.
    pub fn reconcile(&self, reports: &[Report], decisions: &[Decision]) -> Reconciliation {
        let o = &self.options;
        let n = reports.len();
        let corpus = Corpus::build(reports, &self.aliases, o);
        let mut stats = Stats {
            reports: n,
            ..Stats::default()
        };

        // Decisions, reduced to their final state (later ones win), then mapped to indexes.
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, r) in reports.iter().enumerate() {
            by_key.entry(report_key(r)).or_default().push(i as u32);
        }
        let (pairs, splits, issues) = settle(decisions);
        let mut decision_issues = issues;
        let mut isolated = vec![false; n];
        for key in &splits {
            match by_key.get(key) {
                Some(ix) => ix.iter().for_each(|&i| isolated[i as usize] = true),
                None => decision_issues.push(unknown(
                    Decision::Split {
                        report: key.clone(),
                    },
                    key,
                )),
            }
        }
        let mut clusters = Clusters::new(n);
        let mut links = Vec::new();
        for ((a, b), link) in &pairs {
            let decision = if *link {
                Decision::Link {
                    a: a.clone(),
                    b: b.clone(),
                }
            } else {
                Decision::Unlink {
                    a: a.clone(),
                    b: b.clone(),
                }
            };
            let (Some(ia), Some(ib)) = (by_key.get(a), by_key.get(b)) else {
                let missing = if by_key.contains_key(a) { b } else { a };
                decision_issues.push(unknown(decision, missing));
                continue;
            };
            for &x in ia {
                for &y in ib {
                    if *link {
                        links.push((x, y, decision.clone()));
                    } else {
                        clusters.add_cannot_link(x, y);
                    }
                }
            }
        }
        let mut merges: Vec<(u32, MergeEvidence)> = Vec::new();
        for (x, y, decision) in links {
            match clusters.join(x, y, true, &corpus, o) {
                Ok(true) => {
                    stats.joins += 1;
                    let s = corpus.score_pair(x as usize, y as usize, o, true);
                    let mut evidence = vec![format!(
                        "analyst link {} = {}",
                        key_of(&decision).0,
                        key_of(&decision).1
                    )];
                    evidence.extend(s.evidence);
                    merges.push((
                        x,
                        MergeEvidence {
                            a: x as usize,
                            b: y as usize,
                            score: s.score,
                            evidence,
                            rule_version: ANALYST_RULE,
                        },
                    ));
                }
                Ok(false) => {}
                Err(_) => decision_issues.push(DecisionIssue {
                    decision,
                    reason: "conflicts with an unlink decision; the unlink holds".to_string(),
                }),
            }
        }

        // Automatic pairs: block, score (in parallel), join best first.
        let candidates = block::candidate_pairs(&corpus, o);
        stats.candidate_pairs = candidates.len();
        let mut accepted = score_all(&corpus, &candidates, o);
        stats.accepted_pairs = accepted.len();
        accepted.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (score, x, y) in accepted {
            if isolated[x as usize] || isolated[y as usize] {
                stats.refused_by_decision += 1;
                continue;
            }
            match clusters.join(x, y, false, &corpus, o) {
                Ok(true) => {
                    stats.joins += 1;
                    let s = corpus.score_pair(x as usize, y as usize, o, true);
                    merges.push((
                        x,
                        MergeEvidence {
                            a: x as usize,
                            b: y as usize,
                            score,
                            evidence: s.evidence,
                            rule_version: RULE_VERSION,
                        },
                    ));
                }
                Ok(false) => {}
                Err(Refusal::CannotLink) => stats.refused_by_decision += 1,
                Err(Refusal::DateWindow) => stats.refused_by_date_window += 1,
                Err(Refusal::Support) => stats.refused_by_support += 1,
                Err(Refusal::SameSource) => stats.refused_by_same_source += 1,
                Err(Refusal::Size) => stats.refused_by_size += 1,
            }
        }

        // Collect clusters.
        let mut root_of = vec![0u32; n];
        let mut by_root: HashMap<u32, usize> = HashMap::new();
        let mut incidents: Vec<Cluster> = Vec::new();
        for i in 0..n as u32 {
            let r = clusters.find(i);
            root_of[i as usize] = r;
            let k = *by_root.entry(r).or_insert_with(|| {
                incidents.push(Cluster {
                    members: Vec::new(),
                    merges: Vec::new(),
                });
                incidents.len() - 1
            });
            incidents[k].members.push(i as usize);
        }
        for (x, m) in merges {
            incidents[by_root[&root_of[x as usize]]].merges.push(m);
        }
        Reconciliation {
            incidents,
            decision_issues,
            stats,
        }
    }
}

fn key_of(d: &Decision) -> (&str, &str) {
    match d {
        Decision::Link { a, b } | Decision::Unlink { a, b } => (a, b),
        Decision::Split { report } => (report, report),
    }
}

fn unknown(decision: Decision, key: &str) -> DecisionIssue {
    DecisionIssue {
        decision,
        reason: format!(
            "no report with key {key} in this run; the decision is kept for later runs"
        ),
    }
}

/// Settled pair decisions (key pair -> link?), in a deterministic order.
type PairDecisions = Vec<((String, String), bool)>;

/// Reduces the decision log to its final state: for each unordered pair the latest Link/Unlink;
/// a Split cancels the earlier links of its report and isolates it.
fn settle(decisions: &[Decision]) -> (PairDecisions, Vec<String>, Vec<DecisionIssue>) {
    let mut pairs: HashMap<(String, String), (usize, bool)> = HashMap::new();
    let mut splits: HashSet<String> = HashSet::new();
    let issues = Vec::new();
    let ordered = |a: &str, b: &str| {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    };
    for (seq, d) in decisions.iter().enumerate() {
        match d {
            Decision::Link { a, b } => {
                pairs.insert(ordered(a, b), (seq, true));
            }
            Decision::Unlink { a, b } => {
                pairs.insert(ordered(a, b), (seq, false));
            }
            Decision::Split { report } => {
                pairs.retain(|(a, b), (_, link)| !(*link && (a == report || b == report)));
                splits.insert(report.clone());
            }
        }
    }
    let mut pairs: Vec<((String, String), (usize, bool))> = pairs.into_iter().collect();
    pairs.sort_by_key(|(_, (seq, _))| *seq);
    let mut splits: Vec<String> = splits.into_iter().collect();
    splits.sort();
    (
        pairs.into_iter().map(|(k, (_, l))| (k, l)).collect(),
        splits,
        issues,
    )
}

/// Scores candidate pairs on worker threads; returns the accepted ones as (score, i, j).
fn score_all(corpus: &Corpus, pairs: &[(u32, u32)], o: &Options) -> Vec<(f64, u32, u32)> {
    let threads = if o.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        o.threads
    };
    let chunk = pairs.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|&(i, j)| {
                            let s = corpus.score_pair(i as usize, j as usize, o, false);
                            s.accepted.then_some((s.score, i, j))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("scoring thread panicked"))
            .collect()
    })
}
