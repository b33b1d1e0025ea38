//! Union-find over accepted pairs, with analyst decisions and guards against chaining.
//!
//! Forced links (analyst `Link`) are joined first. Accepted pairs are then joined best score
//! first, and a join of two clusters is refused when:
//! - an analyst said two of their members are different incidents (`Unlink`), or one side was
//!   split off (`Split`: that report takes part in no automatic join);
//! - a member of one is dated more than `max_gap_days` from a member of the other, unless a
//!   member that reports a span of time (start and end) is close to both (so a cluster cannot
//!   drift along a chain of pairs that are each close in time, while a long campaign can hold
//!   reports dated by its start and reports dated by its disclosure);
//! - both already hold several reports and the average score between their members is below
//!   `cluster_support` (one good pair does not fuse two incidents);
//! - it would put together two reports of one source that would not merge on their own and are
//!   not parts of one event coded on the same date (a tracker lists an incident once, so two of
//!   its rows in one cluster must be repeats or parts);
//! - the result would exceed `max_cluster_size`.

use crate::dates::compare;
use crate::features::Corpus;
use crate::Options;

/// Disjoint sets of report indexes, with each root's members and cannot-link partners.
#[derive(Debug)]
pub(crate) struct Clusters {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
    cannot: Vec<Vec<u32>>,
}

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    CannotLink,
    DateWindow,
    Support,
    SameSource,
    Size,
}

impl Clusters {
    pub(crate) fn new(n: usize) -> Self {
        Clusters {
            parent: (0..n as u32).collect(),
            members: (0..n as u32).map(|i| vec![i]).collect(),
            cannot: vec![Vec::new(); n],
        }
    }

    pub(crate) fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        let mut cur = x;
        while self.parent[cur as usize] != root {
            let next = self.parent[cur as usize];
            self.parent[cur as usize] = root;
            cur = next;
        }
        root
    }

    /// Records that `a` and `b` must never be in one cluster.
    pub(crate) fn add_cannot_link(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.cannot[ra as usize].push(b);
        self.cannot[rb as usize].push(a);
    }

    fn violates_cannot_link(&mut self, ra: u32, rb: u32) -> bool {
        let list = self.cannot[ra as usize].clone();
        if list.iter().any(|&c| self.find(c) == rb) {
            return true;
        }
        let list = self.cannot[rb as usize].clone();
        list.iter().any(|&c| self.find(c) == ra)
    }

    /// Joins the clusters of a and b after checking the guards (`forced` checks cannot-links
    /// only). Returns Ok(true) when joined, Ok(false) when already together.
    pub(crate) fn join(
        &mut self,
        a: u32,
        b: u32,
        forced: bool,
        corpus: &Corpus,
        o: &Options,
    ) -> Result<bool, Refusal> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(false);
        }
        if self.violates_cannot_link(ra, rb) {
            return Err(Refusal::CannotLink);
        }
        if !forced {
            let (ma, mb) = (&self.members[ra as usize], &self.members[rb as usize]);
            if ma.len() + mb.len() > o.max_cluster_size {
                return Err(Refusal::Size);
            }
            let far = |x: u32, y: u32| {
                compare(
                    &corpus.features[x as usize].anchors,
                    &corpus.features[y as usize].anchors,
                )
                .is_some_and(|m| m.gap > o.max_gap_days)
            };
            for &x in ma {
                for &y in mb {
                    if far(x, y) {
                        // Allowed only if a member reporting a span of time (a campaign with a
                        // start and an end) is close to both.
                        let spans = ma.iter().chain(mb.iter()).any(|&z| {
                            corpus.features[z as usize]
                                .anchors
                                .iter()
                                .any(|a| a.span_end.is_some())
                                && !far(x, z)
                                && !far(z, y)
                        });
                        if !spans {
                            return Err(Refusal::DateWindow);
                        }
                    }
                }
            }
            // A tracker lists an incident once (or repeats a row, or codes parts of one event on
            // the same date): two reports of one source may share a cluster only if they would
            // merge on their own or are such parts.
            for &x in ma {
                for &y in mb {
                    if corpus.features[x as usize].source == corpus.features[y as usize].source
                        && !corpus
                            .score_pair(x as usize, y as usize, o, false)
                            .may_cohabit
                    {
                        return Err(Refusal::SameSource);
                    }
                }
            }
            if ma.len() > 1 && mb.len() > 1 {
                // Average over up to 64 cross pairs (the first members of each side).
                let mut sum = 0.0;
                let mut count = 0.0;
                for &x in ma.iter().take(8) {
                    for &y in mb.iter().take(8) {
                        sum += corpus.score_pair(x as usize, y as usize, o, false).score;
                        count += 1.0;
                    }
                }
                if sum / count < o.cluster_support {
                    return Err(Refusal::Support);
                }
            }
        }
        let (big, small) = if self.members[ra as usize].len() >= self.members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        let moved = std::mem::take(&mut self.members[small as usize]);
        self.members[big as usize].extend(moved);
        let moved = std::mem::take(&mut self.cannot[small as usize]);
        self.cannot[big as usize].extend(moved);
        Ok(true)
    }
}
