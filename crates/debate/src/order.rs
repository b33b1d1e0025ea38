//! The speaking order, derived from a list's log by explicit rules, each entry carrying the rules
//! that placed it.
//!
//! 1. Briefers (rule 39) first, in the order they were inscribed.
//! 2. Members of the Council, ordered by the recorded draw (see [`crate::draw`]), then by protocol
//!    tier (higher-ranking representatives first; the draw decides within a tier); the presidency
//!    last among members, speaking in its national capacity. Before the draw, members are in order
//!    of inscription and the order is provisional.
//! 3. Everyone else (rule 37 States, observer States, organisations) in order of inscription (the
//!    time the request became complete), with higher-ranking speakers moved ahead of lower ones.
//! 4. The Secretariat's moves, applied in the order they were made, each before or after another
//!    inscription; withdrawn inscriptions keep anchoring moves but are not listed.

use std::collections::HashMap;
use std::fmt;

use jiff::ZonedDateTime;
use serde::{Deserialize, Serialize};

use crate::calendar::at_new_york;
use crate::draw::draw_order;
use crate::inscription::{
    Basis, Change, Inscription, InscriptionId, Joint, Missing, Placement, Speaker, SpeakersList,
};

/// The three parts of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// Briefers under rule 39.
    Briefers,
    /// Members of the Security Council.
    CouncilMembers,
    /// Other speakers.
    OtherSpeakers,
}

impl Group {
    /// A heading as the Journal prints it.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Briefers => "Briefers",
            Group::CouncilMembers => "Members of the Security Council",
            Group::OtherSpeakers => "Other speakers",
        }
    }

    /// The word used in CSV and JSON: `briefers`, `council-members`, `other-speakers`.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Briefers => "briefers",
            Group::CouncilMembers => "council-members",
            Group::OtherSpeakers => "other-speakers",
        }
    }

    fn of(basis: Basis) -> Group {
        match basis {
            Basis::Rule39Briefer => Group::Briefers,
            Basis::CouncilMember => Group::CouncilMembers,
            Basis::Rule37 | Basis::ObserverState | Basis::Rule39Organisation => {
                Group::OtherSpeakers
            }
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.heading())
    }
}

/// One place on the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based.
    pub position: usize,
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation's name.
    pub name: String,
    /// The code (States and the EU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The basis of participation.
    pub basis: Basis,
    /// The part of the list the rules put it in (a move may put it elsewhere).
    pub group: Group,
    /// Who speaks.
    pub speaker: Speaker,
    /// Set for a joint statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<Joint>,
    /// When it took its place in the order of inscription, in New York.
    pub inscribed_at: ZonedDateTime,
    /// Why it is here: each rule that placed it, in the order applied.
    pub reasons: Vec<String>,
}

/// A received request not on the list yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// When received.
    pub received_at: ZonedDateTime,
    /// What is missing.
    pub missing: Vec<Missing>,
}

/// A withdrawn inscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// When.
    pub at: ZonedDateTime,
    /// Why.
    pub reason: String,
}

/// The speaking order at a point of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakingOrder {
    /// The list, in speaking order.
    pub entries: Vec<Entry>,
    /// The draw's seed, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The draw of the Council members (codes), once made: the order before protocol adjustments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub draw: Vec<String>,
    /// Requests received but incomplete.
    pub pending: Vec<Pending>,
    /// Withdrawn inscriptions.
    pub withdrawn: Vec<Withdrawn>,
}

impl SpeakingOrder {
    /// True until the draw is made.
    pub fn is_provisional(&self) -> bool {
        self.seed.is_none()
    }

    /// The entry of an inscription.
    pub fn entry(&self, inscription: InscriptionId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.inscription == inscription)
    }
}

fn when(i: &Inscription) -> String {
    at_new_york(i.complete_since.unwrap_or(i.received_at))
        .strftime("%-d %b %Y %H:%M:%S %Z")
        .to_string()
}

/// Computes the order of a list.
pub(crate) fn compute(list: &SpeakersList) -> SpeakingOrder {
    let ctx = list.context();
    let all = list.inscriptions();
    let draw = list.draw();
    let seed = draw.map(|(s, _)| s);
    let drawn = seed
        .map(|s| draw_order(&ctx.council, s))
        .unwrap_or_default();
    let draw_index: HashMap<&str, usize> = drawn
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();

    let placed: Vec<&Inscription> = all
        .values()
        .filter(|i| i.complete_since.is_some())
        .collect();
    let mut reasons: HashMap<InscriptionId, Vec<String>> = HashMap::new();
    let by_time = |i: &&Inscription| (i.complete_since, i.id);

    let mut briefers: Vec<&Inscription> = placed
        .iter()
        .copied()
        .filter(|i| i.basis == Basis::Rule39Briefer)
        .collect();
    briefers.sort_by_key(by_time);
    for b in &briefers {
        reasons.insert(
            b.id,
            vec![format!(
                "rule 39 briefer: briefers speak first, in order of inscription ({})",
                when(b)
            )],
        );
    }

    let mut members: Vec<&Inscription> = placed
        .iter()
        .copied()
        .filter(|i| i.basis == Basis::CouncilMember)
        .collect();
    let is_presidency = |i: &Inscription| i.delegation.code() == Some(ctx.presidency.as_str());
    members.sort_by_key(|i| {
        let drawn_at = i
            .delegation
            .code()
            .and_then(|c| draw_index.get(c))
            .copied()
            .unwrap_or(usize::MAX);
        (
            is_presidency(i),
            i.speaker.level.tier(),
            drawn_at,
            i.complete_since,
            i.id,
        )
    });
    for m in &members {
        let mut why = Vec::new();
        match m.delegation.code().and_then(|c| draw_index.get(c)) {
            Some(k) => why.push(format!(
                "member of the Council: drawn {} of {} (seed {})",
                k + 1,
                drawn.len(),
                seed.unwrap_or_default()
            )),
            None => why.push(format!(
                "member of the Council: no draw yet, provisionally in order of inscription ({})",
                when(m)
            )),
        }
        if is_presidency(m) {
            why.push(format!(
                "presidency ({}): speaks last among members, in its national capacity",
                ctx.presidency_name
            ));
        } else if m.speaker.level.is_high_level() {
            why.push(format!(
                "{}: placed ahead of members represented at a lower level",
                m.speaker.level
            ));
        }
        reasons.insert(m.id, why);
    }

    let mut others: Vec<&Inscription> = placed
        .iter()
        .copied()
        .filter(|i| Group::of(i.basis) == Group::OtherSpeakers)
        .collect();
    others.sort_by_key(|i| (i.speaker.level.tier(), i.complete_since, i.id));
    for o in &others {
        let mut why = vec![format!(
            "{}: in order of inscription ({})",
            o.basis,
            when(o)
        )];
        if o.speaker.level.is_high_level() {
            why.push(format!(
                "{}: moved ahead of lower-ranking speakers",
                o.speaker.level
            ));
        }
        reasons.insert(o.id, why);
    }

    let mut ids: Vec<InscriptionId> = briefers
        .iter()
        .chain(&members)
        .chain(&others)
        .map(|i| i.id)
        .collect();
    for e in list.events() {
        if let Change::Moved {
            inscription,
            placement,
            reason,
        } = &e.change
        {
            let (Some(from), true) = (
                ids.iter().position(|id| id == inscription),
                ids.contains(&placement.anchor()),
            ) else {
                continue; // refused when made: both were complete, and completeness is never lost
            };
            let id = ids.remove(from);
            let anchor = ids
                .iter()
                .position(|x| *x == placement.anchor())
                .expect("anchor present");
            let (at, word) = match placement {
                Placement::Before(_) => (anchor, "before"),
                Placement::After(_) => (anchor + 1, "after"),
            };
            ids.insert(at, id);
            let anchor_name = &all[&placement.anchor()].name;
            reasons.entry(id).or_default().push(format!(
                "moved {word} {anchor_name} by {} on {}: {reason}",
                e.by,
                at_new_york(e.at).strftime("%-d %b %Y %H:%M %Z")
            ));
        }
    }

    let entries = ids
        .iter()
        .map(|id| &all[id])
        .filter(|i| i.withdrawn.is_none())
        .enumerate()
        .map(|(k, i)| Entry {
            position: k + 1,
            inscription: i.id,
            name: i.name.clone(),
            code: i.delegation.code().map(str::to_string),
            basis: i.basis,
            group: Group::of(i.basis),
            speaker: i.speaker.clone(),
            joint: i.joint.clone(),
            inscribed_at: at_new_york(i.complete_since.unwrap_or(i.received_at)),
            reasons: reasons.remove(&i.id).unwrap_or_default(),
        })
        .collect();
    let pending = all
        .values()
        .filter(|i| i.complete_since.is_none() && i.withdrawn.is_none())
        .map(|i| Pending {
            inscription: i.id,
            name: i.name.clone(),
            received_at: at_new_york(i.received_at),
            missing: i.missing.clone(),
        })
        .collect();
    let withdrawn = all
        .values()
        .filter_map(|i| {
            let w = i.withdrawn.as_ref()?;
            Some(Withdrawn {
                inscription: i.id,
                name: i.name.clone(),
                at: at_new_york(w.at),
                reason: w.reason.clone(),
            })
        })
        .collect();
    SpeakingOrder {
        entries,
        seed,
        draw: drawn,
        pending,
        withdrawn,
    }
}
