//! The project's vocabularies: canonical sectors, threat kinds, actor categories, ransomware roles,
//! harm dimensions, affected populations, and the cues the intensity score reads (scale,
//! duration). Each is a data file in `crates/assess/data` (id, label, definition, and for some a
//! parent or an attribute); MISP's state-responsibility spectrum is the [`StateResponsibility`]
//! enum.
//!
//! Ids are stable: judgments, crosswalks and rules name terms by id. A term with a parent is a
//! subsector or subkind (`health.hospitals` is within `health`); a judgment for it is a judgment
//! for its parent too (see [`Vocabulary::is_within`]).

use std::collections::HashMap;
use std::fmt;

use crate::error::AssessError;

/// What a judgment is about: which vocabulary its label comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// The victim's critical-infrastructure sector.
    Sector,
    /// The kind of threat or operation.
    Threat,
    /// The category of the actor behind it.
    Actor,
    /// The ransomware-as-a-service role of an actor.
    Raas,
    /// Where State responsibility sits on MISP's 10-step spectrum.
    Responsibility,
    /// A dimension of harm done.
    Harm,
    /// A population affected.
    Population,
    /// How widespread the effects were.
    Scale,
    /// How long a disruption lasted.
    Duration,
    /// An armed conflict the incident is linked to (`conflicts.toml`; a phase is a term within
    /// its conflict: `russia-ukraine.full-scale-invasion`).
    Conflict,
    /// An armed conflict whose effects the incident carried to a third State (not a party): the
    /// label is the conflict's id, the evidence names the third States.
    SpillOver,
    /// A Security Council agenda item the incident bears on (ids of the reference crate's
    /// `agenda-items.csv`).
    Agenda,
    /// A norm of A/70/174 para 13 the incident may engage (its letter, `a` to `k`).
    Norm,
}

impl Dimension {
    /// Every dimension, in the order assessments list them.
    pub const ALL: [Dimension; 13] = [
        Dimension::Sector,
        Dimension::Threat,
        Dimension::Actor,
        Dimension::Raas,
        Dimension::Responsibility,
        Dimension::Harm,
        Dimension::Population,
        Dimension::Scale,
        Dimension::Duration,
        Dimension::Conflict,
        Dimension::SpillOver,
        Dimension::Agenda,
        Dimension::Norm,
    ];

    /// The prefix rules use to name a label of this dimension (`threat:ransomware`).
    pub fn prefix(self) -> &'static str {
        match self {
            Dimension::Sector => "sector",
            Dimension::Threat => "threat",
            Dimension::Actor => "actor",
            Dimension::Raas => "raas",
            Dimension::Responsibility => "responsibility",
            Dimension::Harm => "harm",
            Dimension::Population => "population",
            Dimension::Scale => "scale",
            Dimension::Duration => "duration",
            Dimension::Conflict => "conflict",
            Dimension::SpillOver => "spill-over",
            Dimension::Agenda => "agenda",
            Dimension::Norm => "norm",
        }
    }

    /// The dimension named by a prefix, if any.
    pub fn from_prefix(prefix: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.prefix() == prefix)
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// What a threat kind does to its target, which the intensity score weighs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Access that prepares something else (intrusion, supply-chain compromise).
    Enabling,
    /// Takes information or money without disrupting.
    Exploitive,
    /// Manipulates what people believe or see.
    Influence,
    /// Denies or degrades a service for a while.
    Disruptive,
    /// Destroys data, systems or physical processes.
    Destructive,
}

impl Effect {
    /// Reads `enabling`, `exploitive`, `influence`, `disruptive` or `destructive`.
    pub fn parse(text: &str) -> Option<Effect> {
        Some(match text.trim() {
            "enabling" => Effect::Enabling,
            "exploitive" => Effect::Exploitive,
            "influence" => Effect::Influence,
            "disruptive" => Effect::Disruptive,
            "destructive" => Effect::Destructive,
            _ => return None,
        })
    }
}

/// One entry of a vocabulary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Term {
    /// The stable id (`health.hospitals`).
    pub id: String,
    /// The id of the broader term, for a subsector or subkind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The name shown to people.
    pub label: String,
    /// What the term covers, in the project's words.
    pub definition: String,
    /// For sectors: how critical (0 not critical .. 3 the highest: life-sustaining services, elections,
    /// international organisations); the intensity score and the norm links read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<u8>,
    /// For threat kinds: what the kind does to its target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// For threat kinds: the kind names an effect without its means ("unspecified disruption").
    /// It stands aside when a kind naming the means of the same or a graver effect is
    /// found ([`Vocabulary::superseded`]). Unlike an enabling kind it closes the text model's gap
    /// ([`Vocabulary::leaves_gap_open`]): where the account says only that a site went down, the
    /// model's "denial of service" would be a guess from base rates, not a reading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generic: bool,
    /// For threat kinds: the kind this one is made to look like (decoy ransomware disguises
    /// ransomware). Where it is found, a finding of the disguise is its appearance, not a second
    /// kind of operation: NotPetya counted as ransomware would be a wrong figure in a briefing
    /// ([`Vocabulary::superseded`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disguises: Option<String>,
}

/// A list of terms with their hierarchy.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Which dimension the terms belong to.
    pub dimension: Dimension,
    /// The terms, in file order.
    pub terms: Vec<Term>,
    index: HashMap<String, usize>,
    by_label: HashMap<String, usize>,
    by_loose_name: HashMap<String, usize>,
}

impl Vocabulary {
    /// Builds a vocabulary from its terms, checking ids are unique and parents exist.
    pub fn new(dimension: Dimension, file: &str, terms: Vec<Term>) -> Result<Self, AssessError> {
        let mut index = HashMap::new();
        let mut by_label = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            if t.id.is_empty() || t.id.contains(char::is_whitespace) {
                return Err(AssessError::data(
                    file,
                    format!("term {}", i + 1),
                    format!(
                        "`{}` is not a usable id: ids are non-empty and have no spaces",
                        t.id
                    ),
                ));
            }
            if index.insert(t.id.clone(), i).is_some() {
                return Err(AssessError::data(
                    file,
                    format!("term `{}`", t.id),
                    "the id is listed twice",
                ));
            }
            by_label.insert(normalise(&t.label), i);
        }
        // Looser keys, for a producer's spelling of an id or label: punctuation as spaces
        // ("ot-ics-sabotage" for "OT/ICS sabotage"). Labels first; the first term keeps a key.
        let mut by_loose_name = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            by_loose_name.entry(loose(&t.label)).or_insert(i);
        }
        for (i, t) in terms.iter().enumerate() {
            by_loose_name.entry(loose(&t.id)).or_insert(i);
        }
        for t in &terms {
            if let Some(d) = t.disguises.as_deref().filter(|d| !index.contains_key(*d)) {
                return Err(AssessError::data(
                    file,
                    format!("term `{}`", t.id),
                    format!("the kind it disguises, `{d}`, is not in the file"),
                ));
            }
            if let Some(p) = &t.parent {
                if !index.contains_key(p) {
                    return Err(AssessError::data(
                        file,
                        format!("term `{}`", t.id),
                        format!("its parent `{p}` is not in the file"),
                    ));
                }
            }
        }
        Ok(Vocabulary {
            dimension,
            terms,
            index,
            by_label,
            by_loose_name,
        })
    }

    /// The term with this id.
    pub fn get(&self, id: &str) -> Option<&Term> {
        self.index.get(id).map(|&i| &self.terms[i])
    }

    /// Whether the id is in the vocabulary.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The id whose id or label equals `text`, ignoring case and spacing, and then also
    /// punctuation (`ot-ics-sabotage`, `Decoy_Ransomware`).
    pub fn find(&self, text: &str) -> Option<&str> {
        let n = normalise(text);
        self.index
            .get_key_value(n.as_str())
            .map(|(k, _)| k.as_str())
            .or_else(|| self.by_label.get(&n).map(|&i| self.terms[i].id.as_str()))
            .or_else(|| {
                self.by_loose_name
                    .get(&loose(text))
                    .map(|&i| self.terms[i].id.as_str())
            })
    }

    /// The term's parent id.
    pub fn parent(&self, id: &str) -> Option<&str> {
        self.get(id).and_then(|t| t.parent.as_deref())
    }

    /// The id and then each ancestor's, up to the top.
    pub fn lineage<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let current = next?;
            next = self.parent(current);
            Some(current)
        })
        .take(8)
    }

    /// Whether `id` is `ancestor` or lies within it.
    pub fn is_within(&self, id: &str, ancestor: &str) -> bool {
        self.lineage(id).any(|a| a == ancestor)
    }

    /// Whether a finding of `generic` stands aside for one of `specific`: `generic` is a generic
    /// kind (an effect without its means) and `specific` a kind that is not, whose effect is the
    /// same or graver (a denial of service, ransomware or a wiper says how a disruption was done;
    /// an espionage operation does not); or `specific` is made to look like `generic` (decoy
    /// ransomware and the ransomware it poses as: one account's "ransomware" is the disguise
    /// another account saw through).
    pub fn superseded(&self, generic: &str, specific: &str) -> bool {
        let (Some(g), Some(s)) = (self.get(generic), self.get(specific)) else {
            return false;
        };
        if s.disguises.as_deref() == Some(generic) {
            return true;
        }
        g.generic && !s.generic && matches!((g.effect, s.effect), (Some(a), Some(b)) if b >= a)
    }

    /// Whether a finding of `id` leaves open what was done: an enabling kind says how access was
    /// gained, not what was done with it. The text model may then give a kind of its own
    /// ([`crate::classify::MODEL_FILLS_GAPS`]). A generic kind does not leave the gap open: the
    /// model would only guess its means (five-fold cross-validation inside the training split
    /// gave the same figures either way, EVALUATION.md).
    pub fn leaves_gap_open(&self, id: &str) -> bool {
        self.get(id)
            .is_some_and(|t| t.effect == Some(Effect::Enabling))
    }

    /// The top-level term of `id`.
    pub fn top_level<'a>(&'a self, id: &'a str) -> &'a str {
        self.lineage(id).last().unwrap_or(id)
    }

    /// The ids of the top-level terms.
    pub fn top_level_ids(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .filter(|t| t.parent.is_none())
            .map(|t| t.id.as_str())
    }
}

/// Lower case, every run of characters other than letters and digits one space, trimmed: how a
/// producer's spelling of a term is compared when the exact comparison finds nothing.
fn loose(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lowercase, trimmed, inner whitespace collapsed: how labels are compared.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Reads a vocabulary CSV: `id,label,definition` and optionally `parent`, `criticality`, `effect`,
/// `generic` (`yes` or empty; a generic kind needs an effect), `disguises` (the id of the kind a
/// kind is made to look like).
pub fn parse_vocabulary(
    dimension: Dimension,
    file: &str,
    text: &str,
) -> Result<Vocabulary, AssessError> {
    let table = crate::csvdata::Table::parse(file, text, &["id", "label", "definition"])?;
    let mut terms = Vec::new();
    for row in &table.rows {
        let place = format!("line {}", row.line);
        let opt = |col: &str| table.get(row, col).filter(|v| !v.is_empty());
        let criticality = match opt("criticality") {
            None => None,
            Some(c) => Some(c.parse::<u8>().ok().filter(|c| *c <= 3).ok_or_else(|| {
                AssessError::data(
                    file,
                    &place,
                    format!("criticality `{c}` is not 0, 1, 2 or 3"),
                )
            })?),
        };
        let effect = match opt("effect") {
            None => None,
            Some(e) => Some(Effect::parse(e).ok_or_else(|| {
                AssessError::data(
                    file,
                    &place,
                    format!(
                        "effect `{e}` is not one of enabling, exploitive, influence, disruptive, destructive"
                    ),
                )
            })?),
        };
        let generic = match opt("generic") {
            None => false,
            Some("yes") if effect.is_some() => true,
            Some("yes") => {
                return Err(AssessError::data(
                    file,
                    &place,
                    "a generic kind needs an effect: it stands aside for kinds of that effect or a graver one",
                ))
            }
            Some(g) => {
                return Err(AssessError::data(
                    file,
                    &place,
                    format!("generic `{g}` is not `yes` or empty"),
                ))
            }
        };
        terms.push(Term {
            id: table.get(row, "id").unwrap_or_default().to_string(),
            parent: opt("parent").map(str::to_string),
            label: table.get(row, "label").unwrap_or_default().to_string(),
            definition: table.get(row, "definition").unwrap_or_default().to_string(),
            criticality,
            effect,
            generic,
            disguises: opt("disguises").map(str::to_string),
        });
    }
    Vocabulary::new(dimension, file, terms)
}

/// Where State responsibility sits, on the 10-step spectrum MISP takes from Jason Healey's
/// "Spectrum of State Responsibility": from a State that works to stop an attack to one that
/// carries it out with its own forces as part of its plans.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum StateResponsibility {
    /// The State helps stop the attack from its territory.
    StateProhibited,
    /// The State wants to stop it but cannot do so in full.
    StateProhibitedButInadequate,
    /// The State knows of the attack and does nothing about it.
    StateIgnored,
    /// Third parties act, and the State encourages them as a matter of policy.
    StateEncouraged,
    /// Third parties act, and the State gives them some support.
    StateShaped,
    /// The State coordinates third parties by suggesting operational details.
    StateCoordinated,
    /// The State directs third parties to act on its behalf.
    StateOrdered,
    /// Forces under the State's control act without the government's approval.
    StateRogueConducted,
    /// The State's own forces carry out the attack.
    StateExecuted,
    /// The State attacks with integrated third parties and its own forces.
    StateIntegrated,
}

impl StateResponsibility {
    /// The ten steps, from least to most responsible.
    pub const ALL: [StateResponsibility; 10] = [
        StateResponsibility::StateProhibited,
        StateResponsibility::StateProhibitedButInadequate,
        StateResponsibility::StateIgnored,
        StateResponsibility::StateEncouraged,
        StateResponsibility::StateShaped,
        StateResponsibility::StateCoordinated,
        StateResponsibility::StateOrdered,
        StateResponsibility::StateRogueConducted,
        StateResponsibility::StateExecuted,
        StateResponsibility::StateIntegrated,
    ];

    /// The id (MISP's predicate without its trailing dot): `state-executed`.
    pub fn id(self) -> &'static str {
        match self {
            StateResponsibility::StateProhibited => "state-prohibited",
            StateResponsibility::StateProhibitedButInadequate => "state-prohibited-but-inadequate",
            StateResponsibility::StateIgnored => "state-ignored",
            StateResponsibility::StateEncouraged => "state-encouraged",
            StateResponsibility::StateShaped => "state-shaped",
            StateResponsibility::StateCoordinated => "state-coordinated",
            StateResponsibility::StateOrdered => "state-ordered",
            StateResponsibility::StateRogueConducted => "state-rogue-conducted",
            StateResponsibility::StateExecuted => "state-executed",
            StateResponsibility::StateIntegrated => "state-integrated",
        }
    }

    /// The step number, 1 (prohibited) to 10 (integrated).
    pub fn step(self) -> u8 {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8 + 1
    }

    /// Reads an id or a MISP predicate (`state-prohibited.`, `State-executed`).
    pub fn parse(text: &str) -> Option<StateResponsibility> {
        let t = normalise(text);
        let t = t.trim_end_matches('.');
        Self::ALL.into_iter().find(|s| s.id() == t)
    }

    /// A vocabulary of the ten steps, so crosswalks and judgments treat them like other terms.
    pub fn vocabulary() -> Vocabulary {
        let terms = Self::ALL
            .into_iter()
            .map(|s| Term {
                id: s.id().to_string(),
                parent: None,
                label: s.id().replace('-', " "),
                definition: s.definition().to_string(),
                criticality: None,
                effect: None,
                generic: false,
                disguises: None,
            })
            .collect();
        Vocabulary::new(Dimension::Responsibility, "state responsibility", terms)
            .expect("the built-in spectrum has unique ids")
    }

    /// What the step means, in the project's words.
    pub fn definition(self) -> &'static str {
        match self {
            StateResponsibility::StateProhibited => {
                "The State helps stop the attack from its territory."
            }
            StateResponsibility::StateProhibitedButInadequate => {
                "The State wants to stop it but cannot do so in full."
            }
            StateResponsibility::StateIgnored => {
                "The State knows of the attack and does nothing about it."
            }
            StateResponsibility::StateEncouraged => {
                "Third parties act, and the State encourages them as a matter of policy."
            }
            StateResponsibility::StateShaped => {
                "Third parties act, and the State gives them some support."
            }
            StateResponsibility::StateCoordinated => {
                "The State coordinates third parties by suggesting operational details."
            }
            StateResponsibility::StateOrdered => {
                "The State directs third parties to act on its behalf."
            }
            StateResponsibility::StateRogueConducted => {
                "Forces under the State's control act without the government's approval."
            }
            StateResponsibility::StateExecuted => "The State's own forces carry out the attack.",
            StateResponsibility::StateIntegrated => {
                "The State attacks with integrated third parties and its own forces."
            }
        }
    }
}

impl fmt::Display for StateResponsibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Every vocabulary the assessment uses.
#[derive(Debug, Clone)]
pub struct Vocabularies {
    /// Canonical critical-infrastructure sectors.
    pub sectors: Vocabulary,
    /// Threat kinds.
    pub threats: Vocabulary,
    /// Actor categories.
    pub actors: Vocabulary,
    /// Ransomware-as-a-service roles.
    pub raas: Vocabulary,
    /// MISP's state-responsibility spectrum.
    pub responsibility: Vocabulary,
    /// Harm dimensions.
    pub harms: Vocabulary,
    /// Affected populations.
    pub populations: Vocabulary,
    /// Scale cues for the intensity score.
    pub scale: Vocabulary,
    /// Duration cues for the intensity score.
    pub duration: Vocabulary,
    /// Armed conflicts and their phases (also the labels of spill-over findings).
    pub conflicts: Vocabulary,
    /// The Security Council's agenda items.
    pub agenda: Vocabulary,
    /// The norms of A/70/174 para 13, by letter.
    pub norms: Vocabulary,
}

impl Vocabularies {
    /// The vocabulary of a dimension.
    pub fn get(&self, dimension: Dimension) -> &Vocabulary {
        match dimension {
            Dimension::Sector => &self.sectors,
            Dimension::Threat => &self.threats,
            Dimension::Actor => &self.actors,
            Dimension::Raas => &self.raas,
            Dimension::Responsibility => &self.responsibility,
            Dimension::Harm => &self.harms,
            Dimension::Population => &self.populations,
            Dimension::Scale => &self.scale,
            Dimension::Duration => &self.duration,
            Dimension::Conflict | Dimension::SpillOver => &self.conflicts,
            Dimension::Agenda => &self.agenda,
            Dimension::Norm => &self.norms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectrum_parses_misp_predicates() {
        assert_eq!(
            StateResponsibility::parse("state-prohibited."),
            Some(StateResponsibility::StateProhibited)
        );
        assert_eq!(
            StateResponsibility::parse("State-executed"),
            Some(StateResponsibility::StateExecuted)
        );
        assert_eq!(StateResponsibility::StateIntegrated.step(), 10);
        assert!(StateResponsibility::StateIgnored < StateResponsibility::StateOrdered);
    }

    #[test]
    fn hierarchy() {
        let v = parse_vocabulary(
            Dimension::Sector,
            "t",
            "id,parent,label,definition\nhealth,,Health,x\nhealth.hospitals,health,Hospitals,y\n",
        )
        .unwrap();
        assert!(v.is_within("health.hospitals", "health"));
        assert!(!v.is_within("health", "health.hospitals"));
        assert_eq!(v.top_level("health.hospitals"), "health");
        assert_eq!(v.find(" HOSPITALS "), Some("health.hospitals"));
        // A producer's own spelling of an id or a label: punctuation is not a difference.
        assert_eq!(v.find("health_hospitals"), Some("health.hospitals"));
        assert_eq!(v.find("Hospitals."), Some("health.hospitals"));
        assert_eq!(v.find("hospital"), None);
        assert!(parse_vocabulary(
            Dimension::Sector,
            "t",
            "id,parent,label,definition\na,b,A,x\n"
        )
        .is_err());
    }

    #[test]
    fn a_generic_kind_stands_aside_for_one_that_names_the_means() {
        let v = parse_vocabulary(
            Dimension::Threat,
            "t",
            "id,label,effect,generic,definition\n\
             disruption,Disruption,disruptive,yes,x\n\
             ddos,DDoS,disruptive,,x\n\
             wiper,Wiper,destructive,,x\n\
             espionage,Espionage,exploitive,,x\n\
             intrusion,Intrusion,enabling,,x\n",
        )
        .unwrap();
        assert!(v.superseded("disruption", "ddos"));
        assert!(
            v.superseded("disruption", "wiper"),
            "a graver effect names the means too"
        );
        assert!(
            !v.superseded("disruption", "espionage"),
            "a lesser effect does not"
        );
        assert!(!v.superseded("ddos", "disruption"));
        assert!(!v.superseded("disruption", "disruption"));
        assert!(v.leaves_gap_open("intrusion"));
        assert!(!v.leaves_gap_open("ddos") && !v.leaves_gap_open("disruption"));

        let no_effect = parse_vocabulary(
            Dimension::Threat,
            "threat_kinds.csv",
            "id,label,effect,generic,definition\nx,X,,yes,d\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            no_effect.contains("threat_kinds.csv") && no_effect.contains("line 2"),
            "{no_effect}"
        );
        assert!(no_effect.contains("needs an effect"), "{no_effect}");
        assert!(parse_vocabulary(
            Dimension::Threat,
            "t",
            "id,label,effect,generic,definition\nx,X,disruptive,maybe,d\n"
        )
        .is_err());
    }
}
