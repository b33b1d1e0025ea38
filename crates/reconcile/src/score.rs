//! The pair score: a weighted sum of feature agreements, with hard constraints (see [`Weights`]).

use threatscape_model::DatePrecision;

use crate::dates::compare;
use crate::features::{kind, Corpus, Features};
use crate::Options;

/// The weights of the pair score.
///
/// ```text
/// score = text    * cosine(title + description + victim names, TF-IDF, named incidents boosted)
///       + named   (both leads name the same well-known incident, and no title names another)
///       + date    * date_score  (-1..1 by the gap between the closest dates and their coarser
///                                precision: 1 within 3 days, 0.55 same month, 0.2 same year,
///                                -1 beyond four months)
///       + country (a victim country in common)  | country_mismatch (both known, none shared)
///       + org     (a victim organisation in common or named in the other's text or title)
///                                               | org_mismatch (both name victims, none meet)
///       + actor * specificity (an actor group in common; specificity falls for prolific actors)
///                                               | actor_mismatch (both name known groups, disjoint)
///       + sponsor (a sponsoring State in common) | sponsor_mismatch (both known, disjoint)
///       + kind    (a kind in common)            | kind_conflict (espionage vs DDoS, defacement
///                                                  or ransomware)
/// ```
///
/// A pair merges when its score reaches [`Options::threshold`](crate::Options::threshold) *and*
/// something identifies the incident: text similarity of at least `identity_text`, title
/// similarity of at least `identity_title`, a named incident, a victim organisation, or an actor
/// of specificity at least `identity_actor`. Agreeing dates, countries and sponsors alone never
/// merge two reports.
///
/// Hard constraints: dates whose closest anchors are more than `max_gap_days` apart never merge
/// (only an analyst's link joins them); an actor profile (a record of a group's activity over
/// years) never merges with an incident. Two reports of one source need `threshold +
/// same_source_margin` (half the margin on the same day) and must not name different victims,
/// unless they are copies: the same description on the same date (one row per victim), or the
/// same title within a week with a near-identical or missing description (dyads, second sheets),
/// never two sides of one conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Multiplies the text cosine (0..1).
    pub text: f64,
    /// Both reports name the same well-known incident (NotPetya, SolarWinds...).
    pub named: f64,
    /// Multiplier of a well-known incident name's weight inside the TF-IDF vectors.
    pub named_incident_boost: f64,
    /// Multiplies the date score (-1..1).
    pub date: f64,
    /// A victim country in common.
    pub country: f64,
    /// Both give victim countries and none is shared.
    pub country_mismatch: f64,
    /// A victim organisation in common (or named in the other's text).
    pub org: f64,
    /// Both name specific victim organisations and none meets.
    pub org_mismatch: f64,
    /// An actor in common, times the actor's specificity (0..1).
    pub actor: f64,
    /// Both name actors the alias table knows and they are different groups.
    pub actor_mismatch: f64,
    /// A sponsoring State in common.
    pub sponsor: f64,
    /// Both name sponsoring States and none is shared.
    pub sponsor_mismatch: f64,
    /// A kind in common.
    pub kind: f64,
    /// Conflicting kinds (espionage vs DDoS, defacement or ransomware).
    pub kind_conflict: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            text: 2.5,
            named: 0.8,
            named_incident_boost: 3.0,
            date: 1.0,
            country: 0.3,
            country_mismatch: -0.5,
            org: 0.8,
            org_mismatch: -0.5,
            actor: 0.7,
            actor_mismatch: -0.4,
            sponsor: 0.2,
            sponsor_mismatch: -0.8,
            kind: 0.15,
            kind_conflict: -0.3,
        }
    }
}

/// The outcome of comparing two reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PairScore {
    pub(crate) score: f64,
    /// Same source, same day, no victim conflict and a cross-source score: two parts of one
    /// incident that a tracker coded separately (DCID's dyads and methods) may share a cluster.
    pub(crate) may_cohabit: bool,
    /// Dates too far apart: never merged automatically.
    pub(crate) blocked: bool,
    /// Whether the pair clears its bar (cross-source threshold, or the same-source one).
    pub(crate) accepted: bool,
    pub(crate) evidence: Vec<String>,
}

fn intersects<T: Ord>(a: &[T], b: &[T]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

fn shared<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok())
        .collect()
}

fn code(c: &[u8; 3]) -> &str {
    std::str::from_utf8(c).unwrap_or("???")
}

impl Corpus {
    /// Whether organisation `org` (sorted terms) is the same as one of `f`'s organisations or is
    /// named in `f`'s text: its specific terms must all be present, and be most of its weight.
    fn org_meets(&self, org: &[u32], f: &Features) -> bool {
        let specific: Vec<u32> = org
            .iter()
            .copied()
            .filter(|&t| self.is_specific(t))
            .collect();
        if specific.is_empty() {
            return false;
        }
        let total: f32 = org.iter().map(|&t| self.vocab.idf(t)).sum();
        let covered = |set: &[u32]| -> bool {
            specific.iter().all(|t| set.binary_search(t).is_ok()) && {
                let w: f32 = org
                    .iter()
                    .filter(|t| set.binary_search(t).is_ok())
                    .map(|&t| self.vocab.idf(t))
                    .sum();
                w >= 0.7 * total
            }
        };
        f.orgs.iter().any(|o| covered(o)) || covered(&f.terms)
    }

    fn has_specific_org(&self, f: &Features) -> bool {
        f.orgs
            .iter()
            .any(|o| o.iter().any(|&t| self.is_specific(t)))
    }

    /// Scores the pair (i, j). With `explain`, fills the evidence lines.
    pub(crate) fn score_pair(&self, i: usize, j: usize, o: &Options, explain: bool) -> PairScore {
        let (a, b) = (&self.features[i], &self.features[j]);
        let w = &o.weights;
        let mut ev = Vec::new();
        let mut score = 0.0;

        // Dates.
        let mut blocked = false;
        let mut same_date = false;
        let mut gap_days = i32::MAX;
        let mut same_day = false;
        if let Some(m) = compare(&a.anchors, &b.anchors) {
            if m.gap > o.max_gap_days {
                blocked = true;
            }
            gap_days = m.gap;
            same_date = m.gap == 0 && m.precision != DatePrecision::Year;
            same_day = m.gap == 0 && m.precision == DatePrecision::Day;
            let s = m.score() * w.date;
            score += s;
            if explain {
                ev.push(format!("{} ({s:+.2})", m.describe()));
            }
        } else if explain {
            ev.push("no date to compare (+0.00)".to_string());
        }

        // Text.
        let cos = f64::from(a.text.cosine(&b.text));
        score += w.text * cos;
        if explain {
            ev.push(format!(
                "text similarity {cos:.2}, title similarity {:.2} ({:+.2})",
                a.title.cosine(&b.title),
                w.text * cos
            ));
        }
        // The same well-known incident named in both leads, unless one of the two titles names
        // another incident (then the shared name is context: "Duqu, a Stuxnet-related tool").
        let context = |f: &Features, n: u16| {
            !f.named_in_title_only.is_empty() && !f.named_in_title_only.contains(&n)
        };
        let named: Vec<u16> = shared(&a.named_in_title, &b.named_in_title)
            .into_iter()
            .filter(|&n| !context(a, n) && !context(b, n))
            .collect();
        if !named.is_empty() {
            score += w.named;
            if explain {
                let names: Vec<&str> = named
                    .iter()
                    .map(|&n| self.named.names[n as usize].as_str())
                    .collect();
                ev.push(format!(
                    "named incident: {} ({:+.2})",
                    names.join(", "),
                    w.named
                ));
            }
        }

        // Victim countries.
        if !a.countries.is_empty() && !b.countries.is_empty() {
            let common = shared(&a.countries, &b.countries);
            if common.is_empty() {
                score += w.country_mismatch;
                if explain {
                    let l = |v: &[[u8; 3]]| v.iter().map(code).collect::<Vec<_>>().join("/");
                    ev.push(format!(
                        "different victim countries {} vs {} ({:+.2})",
                        l(&a.countries),
                        l(&b.countries),
                        w.country_mismatch
                    ));
                }
            } else {
                score += w.country;
                if explain {
                    let l: Vec<&str> = common.iter().map(code).collect();
                    ev.push(format!(
                        "victim country {} ({:+.2})",
                        l.join("/"),
                        w.country
                    ));
                }
            }
        }

        // Victim organisations.
        let mut org_conflict = false;
        let org_a = a.orgs.iter().position(|org| self.org_meets(org, b));
        let org_b = b.orgs.iter().position(|org| self.org_meets(org, a));
        let compact_meets = |x: &Features, y: &Features| {
            x.org_compacts.iter().any(|h| {
                y.org_compacts.binary_search(h).is_ok() || y.title_ngrams.binary_search(h).is_ok()
            })
        };
        let org_compact =
            org_a.is_none() && org_b.is_none() && (compact_meets(a, b) || compact_meets(b, a));
        let org_meets = org_a.is_some() || org_b.is_some() || org_compact;
        if org_compact {
            score += w.org;
            if explain {
                ev.push(format!("victim organisation named alike ({:+.2})", w.org));
            }
        } else if org_meets {
            score += w.org;
            if explain {
                let terms = match (org_a, org_b) {
                    (Some(x), _) => &a.orgs[x],
                    (_, Some(y)) => &b.orgs[y],
                    _ => unreachable!(),
                };
                ev.push(format!(
                    "victim organisation: {} ({:+.2})",
                    self.vocab.describe(terms),
                    w.org
                ));
            }
        } else if self.has_specific_org(a) && self.has_specific_org(b) {
            org_conflict = true;
            score += w.org_mismatch;
            if explain {
                ev.push(format!(
                    "different victim organisations ({:+.2})",
                    w.org_mismatch
                ));
            }
        }

        // Actors.
        let common = shared(&a.actors, &b.actors);
        let mut actor_identifies = false;
        if !common.is_empty() {
            let best = common
                .iter()
                .copied()
                .max_by(|x, y| {
                    self.actor_specificity(*x)
                        .total_cmp(&self.actor_specificity(*y))
                })
                .expect("not empty");
            let specificity = self.actor_specificity(best);
            actor_identifies = specificity >= o.identity_actor;
            let s = w.actor * specificity;
            score += s;
            if explain {
                let names = |f: &Features| -> String {
                    f.actors
                        .iter()
                        .filter(|&&x| x == best || common.contains(&x))
                        .map(|&x| self.actor_names[x as usize].as_str())
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" = ")
                };
                ev.push(format!("actor alias: {} ({s:+.2})", names(a)));
            }
        } else {
            let known = |f: &Features| f.actors.iter().any(|&x| self.is_group(x));
            if known(a) && known(b) {
                score += w.actor_mismatch;
                if explain {
                    ev.push(format!("different actors ({:+.2})", w.actor_mismatch));
                }
            }
        }
        // Two sides of one conflict: each names the other's victim country as its sponsor.
        let mirror = intersects(&a.sponsors, &b.countries) && intersects(&b.sponsors, &a.countries);
        if !a.sponsors.is_empty() && !b.sponsors.is_empty() {
            if intersects(&a.sponsors, &b.sponsors) {
                score += w.sponsor;
                if explain {
                    let common = shared(&a.sponsors, &b.sponsors);
                    let l: Vec<&str> = common.iter().map(code).collect();
                    ev.push(format!("actor country {} ({:+.2})", l.join("/"), w.sponsor));
                }
            } else {
                score += w.sponsor_mismatch;
                if explain {
                    ev.push(format!(
                        "different actor countries ({:+.2})",
                        w.sponsor_mismatch
                    ));
                }
            }
        }

        // Kinds.
        if a.kinds & b.kinds != 0 {
            score += w.kind;
            if explain {
                let names: Vec<&str> = (0..kind::NAMES.len())
                    .filter(|bit| a.kinds & b.kinds & (1 << bit) != 0)
                    .map(|bit| kind::NAMES[bit])
                    .collect();
                ev.push(format!("kind {} ({:+.2})", names.join(", "), w.kind));
            }
        } else if kind::CONFLICTS.iter().any(|&(x, y)| {
            (a.kinds & x != 0 && b.kinds & y != 0) || (a.kinds & y != 0 && b.kinds & x != 0)
        }) {
            score += w.kind_conflict;
            if explain {
                ev.push(format!("conflicting kinds ({:+.2})", w.kind_conflict));
            }
        }

        if a.profile != b.profile && explain {
            ev.push("one is an actor profile, not an incident".to_string());
        }

        // Agreeing dates, countries and sponsors only make a merge possible; something must
        // identify the incident: similar text or titles, a named incident, a victim
        // organisation, or an actor that is not prolific.
        let title_cos = f64::from(a.title.cosine(&b.title));
        let identified = cos >= o.identity_text
            || title_cos >= o.identity_title
            || !named.is_empty()
            || org_meets
            || actor_identifies;
        let same_source = a.source == b.source;
        // Copies: the same long description on the same date (one row per victim), or the same
        // title within a week with a near-identical or no description (a tracker's dyads and
        // sheets); never two sides of a conflict (each one's sponsor is the other's victim).
        let same_description = a.description_hash != 0 && a.description_hash == b.description_hash;
        let copies = same_source
            && (!a.template || org_meets)
            && !mirror
            && ((same_date && same_description && a.long_description)
                || (gap_days <= 7
                    && a.title_hash != 0
                    && a.title_hash == b.title_hash
                    && (cos >= 0.8 || !a.has_description || !b.has_description)));
        // A tracker that names two different victims in two differently worded rows describes two
        // incidents, however alike its templated wording ("X claims a DDoS against Y").
        let victim_conflict = same_source && !copies && org_conflict;
        // One source lists an incident once, except for parts of one event coded on the same day
        // (DCID's methods and dyads): its own rows need a much higher score, parts half as much.
        let bar = match (same_source, same_day) {
            (false, _) => o.threshold,
            (true, true) => o.threshold + o.same_source_margin / 2.0,
            (true, false) => o.threshold + o.same_source_margin,
        };
        // An actor profile (an actor's activity over years) is not one incident.
        let profile_conflict = a.profile != b.profile;
        let accepted = !blocked
            && !victim_conflict
            && !profile_conflict
            && ((identified && score >= bar) || copies);
        if explain {
            if copies {
                ev.push("same description or title in one source: a repeated row".to_string());
            }
            if !identified && !copies {
                ev.push(
                    "nothing identifies the incident (text, title, name, victim or actor)"
                        .to_string(),
                );
            }
            if victim_conflict {
                ev.push("one source, different victims: separate incidents".to_string());
            }
            if blocked {
                ev.push(format!("dates more than {} days apart", o.max_gap_days));
            }
        }
        let may_cohabit = accepted
            || (same_source
                && same_day
                && !blocked
                && !victim_conflict
                && !profile_conflict
                && identified
                && score >= o.threshold);
        PairScore {
            score,
            may_cohabit,
            blocked,
            accepted,
            evidence: ev,
        }
    }

    /// Whether an actor id is a group of the alias table (rather than a raw name).
    fn is_group(&self, actor: u32) -> bool {
        (actor as usize) < self.alias_groups
    }
}
