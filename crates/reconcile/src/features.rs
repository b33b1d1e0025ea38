//! What reconciliation compares: each report reduced once to dates, text vectors, victims, actors,
//! kinds and the well-known incident names it mentions.

use std::collections::HashMap;

use threatscape_model::Report;

use crate::aliases::AliasTable;
use crate::dates::{anchors, compare, Anchor};
use crate::text::{compact, tokens_from_words, words, SparseVec, Vocabulary};
use crate::Options;

/// The compiled-in list of well-known incident names.
const NAMED_INCIDENTS: &str = include_str!("../data/named_incidents.csv");

/// Well-known incident names and their spellings, matched as word sequences.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamedIncidents {
    /// Canonical names, by id.
    pub(crate) names: Vec<String>,
    /// First word of a spelling -> (the remaining words, incident id).
    by_first: HashMap<String, Vec<(Vec<String>, u16)>>,
}

impl NamedIncidents {
    pub(crate) fn builtin() -> Self {
        let mut out = NamedIncidents::default();
        for line in NAMED_INCIDENTS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line == "incident,names" {
                continue;
            }
            let Some((name, spellings)) = line.split_once(',') else {
                continue;
            };
            let id = out.names.len() as u16;
            out.names.push(name.to_string());
            for spelling in spellings.split('|') {
                let w = words(spelling);
                if let Some((first, rest)) = w.split_first() {
                    out.by_first
                        .entry(first.clone())
                        .or_default()
                        .push((rest.to_vec(), id));
                }
            }
        }
        for v in out.by_first.values_mut() {
            // Longest spelling first, so "not petya" is tried before "not".
            v.sort_by_key(|(rest, _)| std::cmp::Reverse(rest.len()));
        }
        out
    }

    /// The incidents named in a word sequence, sorted, without repeats.
    pub(crate) fn find(&self, words: &[String]) -> Vec<u16> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut step = 1;
            if let Some(cands) = self.by_first.get(&words[i]) {
                if let Some((rest, id)) = cands
                    .iter()
                    .find(|(rest, _)| words[i + 1..].starts_with(rest))
                {
                    found.push(*id);
                    step += rest.len();
                }
            }
            i += step;
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Canonical kinds of incident, as bits.
pub(crate) mod kind {
    pub(crate) const RANSOMWARE: u16 = 1;
    pub(crate) const WIPER: u16 = 1 << 1;
    pub(crate) const DDOS: u16 = 1 << 2;
    pub(crate) const ESPIONAGE: u16 = 1 << 3;
    pub(crate) const DEFACEMENT: u16 = 1 << 4;
    pub(crate) const LEAK: u16 = 1 << 5;
    pub(crate) const THEFT: u16 = 1 << 6;
    pub(crate) const SABOTAGE: u16 = 1 << 7;
    pub(crate) const INFLUENCE: u16 = 1 << 8;

    /// Display names, by bit position.
    pub(crate) const NAMES: [&str; 9] = [
        "ransomware",
        "wiper",
        "DDoS",
        "espionage",
        "defacement",
        "leak",
        "financial theft",
        "sabotage",
        "information operation",
    ];

    /// Kinds that one event is rarely both of: an espionage intrusion is not a DDoS, a defacement
    /// or a ransomware extortion.
    pub(crate) const CONFLICTS: [(u16, u16); 3] = [
        (ESPIONAGE, DDOS),
        (ESPIONAGE, DEFACEMENT),
        (ESPIONAGE, RANSOMWARE),
    ];

    /// The kind a word signals, if any.
    pub(crate) fn of_word(w: &str) -> u16 {
        match w {
            "ransomware" | "ransom" | "extortion" => RANSOMWARE,
            "wiper" | "wiping" | "wiped" | "destructive" | "destruction" => WIPER,
            "ddos" | "dos" | "denial" | "botnet" => DDOS,
            "espionage" | "cyberespionage" | "spy" | "spying" | "spyware" | "exfiltration" => {
                ESPIONAGE
            }
            "deface" | "defaced" | "defacement" | "defacements" | "defacing" => DEFACEMENT,
            "leak" | "leaked" | "leaks" | "doxing" | "doxxing" => LEAK,
            "heist" | "theft" | "stole" | "stolen" | "fraud" | "financial" => THEFT,
            "sabotage" => SABOTAGE,
            "disinformation" | "influence" | "propaganda" => INFLUENCE,
            _ => 0,
        }
    }
}

/// One report, reduced to what reconciliation compares.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    /// The source (adapter format and contributor), interned: within one source the bar is higher.
    pub(crate) source: u32,
    /// Date anchors (see [`crate::dates`]).
    pub(crate) anchors: Vec<Anchor>,
    /// The smallest interval covering every anchor, for blocking.
    pub(crate) envelope: Option<(i32, i32)>,
    /// TF-IDF vector of title, description and victim names.
    pub(crate) text: SparseVec,
    /// TF-IDF vector of the title alone.
    pub(crate) title: SparseVec,
    /// The report's distinct terms, sorted.
    pub(crate) terms: Vec<u32>,
    /// Well-known incidents named anywhere in the text, sorted.
    pub(crate) named: Vec<u16>,
    /// Well-known incidents named in the lead (the title and the description's first sentence),
    /// sorted: what the report is about, rather than context it mentions.
    pub(crate) named_in_title: Vec<u16>,
    /// Well-known incidents named in the title itself, sorted.
    pub(crate) named_in_title_only: Vec<u16>,
    /// Victim countries (ISO alpha-3), sorted.
    pub(crate) countries: Vec<[u8; 3]>,
    /// Victim organisations, each as its sorted distinct terms.
    pub(crate) orgs: Vec<Vec<u32>>,
    /// Actor ids (alias-table groups, or interned raw names above the table's range), sorted.
    pub(crate) actors: Vec<u32>,
    /// States the actors are associated with (ISO alpha-3), sorted.
    pub(crate) sponsors: Vec<[u8; 3]>,
    /// Canonical kinds, as bits.
    pub(crate) kinds: u16,
    /// A threat-actor profile (a group's activity over years), not an account of one incident.
    pub(crate) profile: bool,
    /// A hash of the normalised description, to recognise a tracker's one-row-per-victim copies.
    pub(crate) description_hash: u64,
    /// A hash of the normalised title without a trailing one-letter dyad suffix ("NotPetya_A"),
    /// to recognise a tracker's repeated rows (DCID lists an incident once per sheet and per dyad).
    pub(crate) title_hash: u64,
    /// The description recurs in its source on other dates: a template ("Vice Society
    /// encrypts network and threatens to leak data") that says nothing about which incident.
    pub(crate) template: bool,
    /// Whether the report has a description at all.
    pub(crate) has_description: bool,
    /// Whether the description is long enough (40 characters) for a copy of it to mean a
    /// repeated row.
    pub(crate) long_description: bool,
    /// Each victim organisation of two to four words, its words run together ("tv5monde"),
    /// hashed, sorted.
    pub(crate) org_compacts: Vec<u64>,
    /// One to three consecutive title words run together, hashed, sorted: where an
    /// organisation written as one word ("TV5Monde") or as several ("TV5 Monde") is found.
    pub(crate) title_ngrams: Vec<u64>,
}

/// Everything extracted from a corpus of reports at once.
#[derive(Debug, Default)]
pub(crate) struct Corpus {
    pub(crate) features: Vec<Features>,
    pub(crate) vocab: Vocabulary,
    /// Display names of actor ids (table groups first, then raw names).
    pub(crate) actor_names: Vec<String>,
    /// How many reports name each actor id.
    pub(crate) actor_df: Vec<u32>,
    /// Actor ids below this are alias-table groups; above, raw names.
    pub(crate) alias_groups: usize,
    pub(crate) named: NamedIncidents,
}

/// Actor names that designate nobody in particular.
const GENERIC_ACTORS: &[&str] = &[
    "",
    "na",
    "none",
    "notavailable",
    "unknown",
    "undetermined",
    "unattributed",
    "unidentified",
    "unnamed",
    "other",
    "others",
    "multiple",
    "various",
    "state",
    "states",
    "statesponsored",
    "nonstategroup",
    "nonstateactor",
    "hacker",
    "hackers",
    "hacktivist",
    "hacktivists",
    "criminal",
    "criminals",
    "cybercriminal",
    "cybercriminals",
    "individual",
    "individuals",
    "group",
    "apt",
    "insider",
    "nationstate",
];

/// Words that make a victim name generic ("unknown", "several websites", "government").
const GENERIC_VICTIM_WORDS: &[&str] = &[
    "not",
    "available",
    "unknown",
    "undisclosed",
    "unnamed",
    "unidentified",
    "multiple",
    "several",
    "various",
    "other",
    "others",
    "none",
    "government",
    "governments",
    "company",
    "companies",
    "organization",
    "organizations",
    "organisation",
    "organisations",
    "individual",
    "individuals",
    "user",
    "users",
    "website",
    "websites",
    "entity",
    "entities",
];

/// Legal-form words dropped from organisation names.
const LEGAL_WORDS: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "corp",
    "corporation",
    "co",
    "sa",
    "ag",
    "gmbh",
    "spa",
    "nv",
    "bv",
    "ab",
    "as",
    "oy",
    "srl",
    "pte",
    "pty",
    "group",
    "holding",
    "holdings",
    "international",
    "global",
    "worldwide",
    "entertainment",
];

/// Splits an actor string into the names it lists: trackers pack aliases with '/', ';', ',' and
/// parentheses ("Sandworm/VOODOO Bear/TeleBots (GRU, Unit 74455)").
fn actor_parts(name: &str) -> impl Iterator<Item = &str> {
    name.split(['/', ';', ',', '(', ')', '[', ']', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Splits a victim field that lists several organisations.
fn victim_parts(name: &str) -> impl Iterator<Item = &str> {
    name.split([',', ';', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn iso3(code: &str) -> Option<[u8; 3]> {
    let b = code.trim().as_bytes();
    (b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic)).then(|| {
        [
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]
    })
}

fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The words of a report's lead: its title and its description's first sentence (at most 300
/// characters), where trackers say what the record is about.
fn lead_words(title_words: &[String], description: Option<&str>) -> Vec<String> {
    let mut out = title_words.to_vec();
    if let Some(d) = description {
        let end = d
            .char_indices()
            .find(|&(i, c)| (c == '.' && d[i + 1..].starts_with(' ')) || i >= 300)
            .map_or(d.len(), |(i, _)| i);
        out.extend(words(&d[..end]));
    }
    out
}

/// Actor names written in a title ("Sandworm/BlackEnergy sabotage", "APT 28 phishing"): runs of
/// one to three words that the alias table knows, at least six letters long or with a digit, so
/// that ordinary words that happen to be some group's name ("snake") do not count.
fn title_actors(title_words: &[String], aliases: &AliasTable) -> Vec<u32> {
    let mut out = Vec::new();
    for len in 1..=3 {
        for w in title_words.windows(len) {
            let key = w.concat();
            if key.len() < 6 && !key.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            if key.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            out.extend_from_slice(aliases.lookup_compact(&key));
        }
    }
    out
}

/// Per-report intermediate: term occurrences before IDF is known.
struct Draft {
    text: Vec<(u32, f32)>,
    title: Vec<(u32, f32)>,
    orgs: Vec<Vec<u32>>,
}

/// Weight of title terms relative to description terms.
const TITLE_BOOST: f32 = 1.5;

impl Corpus {
    /// Extracts features of every report (two passes: terms and frequencies, then TF-IDF).
    pub(crate) fn build(reports: &[Report], aliases: &AliasTable, options: &Options) -> Corpus {
        let named = NamedIncidents::builtin();
        let mut vocab = Vocabulary::default();
        let mut source_ids: HashMap<String, u32> = HashMap::new();
        let mut actor_names: Vec<String> = (0..aliases.groups() as u32)
            .map(|g| aliases.group_id(g).to_string())
            .collect();
        let mut raw_actor_ids: HashMap<String, u32> = HashMap::new();
        let mut features = Vec::with_capacity(reports.len());
        let mut drafts = Vec::with_capacity(reports.len());
        let generic_victim = |w: &str| GENERIC_VICTIM_WORDS.contains(&w);
        // Country names as the sources write them, with the codes they give: a victim "name"
        // that is a country ("Bangladesh" in a list of victims) is a victim country.
        let mut country_names: HashMap<String, [u8; 3]> = HashMap::new();
        for r in reports {
            for v in &r.victims {
                if let (Some(given), Some(code)) = (
                    v.country_as_given.as_deref(),
                    v.country.as_deref().and_then(iso3),
                ) {
                    country_names.entry(compact(given)).or_insert(code);
                }
            }
        }

        for r in reports {
            let mut f = Features::default();
            let source = format!("{}/{}", r.provenance.format, r.contributor.name);
            let next = source_ids.len() as u32;
            f.source = *source_ids.entry(source).or_insert(next);

            f.anchors = anchors(r, options.placeholder_dates);
            f.envelope = match (f.anchors.first(), f.anchors.iter().map(|a| a.hi).max()) {
                (Some(first), Some(hi)) => Some((first.lo, hi)),
                _ => None,
            };

            // Text: title (boosted), description, victim names, and named incidents.
            let title_words = words(&r.title);
            let desc_words = r.description.as_deref().map(words).unwrap_or_default();
            let mut victim_words = Vec::new();
            for v in &r.victims {
                if let Some(n) = &v.name {
                    victim_words.extend(words(n));
                }
            }
            let mut d = Draft {
                text: Vec::new(),
                title: Vec::new(),
                orgs: Vec::new(),
            };
            for t in tokens_from_words(&title_words) {
                let id = vocab.intern(&t);
                d.text.push((id, TITLE_BOOST));
                d.title.push((id, 1.0));
            }
            for t in tokens_from_words(&desc_words)
                .into_iter()
                .chain(tokens_from_words(&victim_words))
            {
                d.text.push((vocab.intern(&t), 1.0));
            }
            let mut all_words = title_words.clone();
            all_words.extend(desc_words.iter().cloned());
            all_words.extend(victim_words);
            // A name in the title is what the report is about; in the description it may be
            // context ("the group behind Industroyer"), so only title names are boosted.
            f.named = named.find(&all_words);
            f.named_in_title = named.find(&lead_words(&title_words, r.description.as_deref()));
            f.named_in_title_only = named.find(&title_words);
            for &n in &f.named {
                let id = vocab.intern(&format!("#{}", named.names[n as usize]));
                if f.named_in_title.contains(&n) {
                    let boost = options.weights.named_incident_boost as f32;
                    d.text.push((id, boost));
                    if f.named_in_title_only.contains(&n) {
                        d.title.push((id, boost));
                    }
                } else {
                    d.text.push((id, 1.0));
                }
            }
            let mut title_core: &[String] = &title_words;
            while let Some((last, rest)) = title_core.split_last() {
                if last.len() == 1
                    && last.bytes().all(|b| b.is_ascii_alphabetic())
                    && !rest.is_empty()
                {
                    title_core = rest;
                } else {
                    break;
                }
            }
            let title_norm = title_core.join(" ");
            f.title_hash = if title_norm.len() >= 4 {
                fnv64(title_norm.as_bytes())
            } else {
                0
            };
            let desc_norm = desc_words.join(" ");
            f.description_hash = if desc_norm.is_empty() {
                0
            } else {
                fnv64(desc_norm.as_bytes())
            };
            f.long_description = desc_norm.len() >= 40;

            f.has_description = !desc_words.is_empty();
            for len in 1..=3 {
                for w in title_words.windows(len) {
                    let key = w.concat();
                    if key.len() >= 5 {
                        f.title_ngrams.push(fnv64(key.as_bytes()));
                    }
                }
            }
            f.title_ngrams.sort_unstable();
            f.title_ngrams.dedup();

            // Victims.
            for v in &r.victims {
                if let Some(c) = v.country.as_deref().and_then(iso3) {
                    f.countries.push(c);
                }
                if let Some(n) = &v.name {
                    for part in victim_parts(n) {
                        if let Some(&code) = country_names.get(&compact(part)) {
                            f.countries.push(code);
                            continue;
                        }
                        let w: Vec<String> = words(part)
                            .into_iter()
                            .filter(|w| !LEGAL_WORDS.contains(&w.as_str()))
                            .collect();
                        if w.iter().all(|w| generic_victim(w)) {
                            continue;
                        }
                        let joined = w.concat();
                        if joined.len() >= 5 && (2..=4).contains(&w.len()) {
                            f.org_compacts.push(fnv64(joined.as_bytes()));
                        }
                        let mut terms: Vec<u32> = tokens_from_words(&w)
                            .iter()
                            .filter(|t| !generic_victim(t))
                            .map(|t| vocab.intern(t))
                            .collect();
                        terms.sort_unstable();
                        terms.dedup();
                        if !terms.is_empty() {
                            d.orgs.push(terms);
                        }
                    }
                }
            }
            f.countries.sort_unstable();
            f.countries.dedup();
            f.org_compacts.sort_unstable();
            f.org_compacts.dedup();

            // Actors: each name resolved through the alias table by majority of its parts.
            let mut actor_list: Vec<&threatscape_model::Actor> = r.actors.iter().collect();
            actor_list.extend(r.attributions.iter().map(|a| &a.actor));
            for a in actor_list {
                if let Some(c) = a.country.as_deref().and_then(iso3) {
                    f.sponsors.push(c);
                }
                // A State as the actor ("Russian Federation", category "State", no aliases, not a
                // known group) says who sponsored, not which group acted: a sponsor only.
                if a.category
                    .as_deref()
                    .is_some_and(|c| c.trim().eq_ignore_ascii_case("state"))
                    && a.aliases.is_empty()
                    && aliases.lookup_compact(&compact(&a.name)).is_empty()
                {
                    continue;
                }
                let mut votes: HashMap<u32, u32> = HashMap::new();
                let mut raw: Vec<String> = Vec::new();
                for part in actor_parts(&a.name).chain(a.aliases.iter().map(String::as_str)) {
                    let key = compact(part);
                    if GENERIC_ACTORS.contains(&key.as_str()) || key.len() < 3 {
                        continue;
                    }
                    let groups = aliases.lookup_compact(&key);
                    if groups.is_empty() {
                        raw.push(key);
                    } else {
                        for &g in groups {
                            *votes.entry(g).or_default() += 1;
                        }
                    }
                }
                let top = votes.values().copied().max().unwrap_or(0);
                for (g, v) in votes {
                    if 2 * v >= top {
                        f.actors.push(g);
                    }
                }
                for key in raw {
                    let id = *raw_actor_ids.entry(key.clone()).or_insert_with(|| {
                        actor_names.push(key);
                        (actor_names.len() - 1) as u32
                    });
                    f.actors.push(id);
                }
            }
            // A profile of a threat actor (its activity over years) rather than an account of one
            // incident: marked so by the source, or described as "This threat actor ...".
            f.profile = r.tags.iter().any(|t| t.contains("threat-actor-profile"))
                || desc_words.starts_with(&[
                    "this".to_string(),
                    "threat".to_string(),
                    "actor".to_string(),
                ]);

            f.actors.extend(title_actors(&title_words, aliases));
            f.actors.sort_unstable();
            f.actors.dedup();
            f.sponsors.sort_unstable();
            f.sponsors.dedup();

            // Kinds: the source's labels and tags, and the title's words.
            for label in r.kinds.iter().chain(r.tags.iter()) {
                let w = words(label);
                for x in &w {
                    f.kinds |= kind::of_word(x);
                }
                if w.windows(2)
                    .any(|p| p[0] == "data" && (p[1] == "destruction" || p[1] == "deletion"))
                {
                    f.kinds |= kind::WIPER;
                }
            }
            for x in &title_words {
                f.kinds |= kind::of_word(x);
            }

            let mut terms: Vec<u32> = d.text.iter().map(|&(t, _)| t).collect();
            terms.sort_unstable();
            terms.dedup();
            vocab.add_document(&terms);
            f.terms = terms;
            features.push(f);
            drafts.push(d);
        }

        // Templates: a (source, text hash) seen on dates that do not overlap.
        let mut dates_of: HashMap<(u32, u64), (usize, bool)> = HashMap::new();
        for (i, f) in features.iter().enumerate() {
            if f.anchors.is_empty() {
                continue;
            }
            for h in [f.description_hash] {
                if h == 0 {
                    continue;
                }
                let e = dates_of.entry((f.source, h)).or_insert((i, false));
                if !e.1 {
                    let first = &features[e.0].anchors;
                    e.1 = compare(first, &f.anchors).is_some_and(|m| m.gap > 0);
                }
            }
        }
        for f in &mut features {
            f.template = f.description_hash != 0
                && dates_of
                    .get(&(f.source, f.description_hash))
                    .is_some_and(|e| e.1);
        }

        let mut actor_df = vec![0u32; actor_names.len()];
        for f in &features {
            for &a in &f.actors {
                actor_df[a as usize] += 1;
            }
        }
        for (f, d) in features.iter_mut().zip(drafts) {
            f.text = SparseVec::tfidf(&d.text, &vocab);
            f.title = SparseVec::tfidf(&d.title, &vocab);
            f.orgs = d.orgs;
        }
        Corpus {
            features,
            vocab,
            actor_names,
            actor_df,
            alias_groups: aliases.groups(),
            named,
        }
    }

    /// Whether a term is rare enough to tell incidents apart (used for organisation names and
    /// blocking keys).
    pub(crate) fn is_specific(&self, term: u32) -> bool {
        let df = self.vocab.df(term);
        df as f64 <= (self.vocab.docs() as f64 * 0.002).max(10.0)
    }

    /// How much a shared actor says, in [0, 1]: 1 for an actor with a handful of reports, less for
    /// prolific ones (a ransomware brand with hundreds of victims says little about which incident).
    pub(crate) fn actor_specificity(&self, actor: u32) -> f64 {
        let n = f64::from(self.vocab.docs().max(2));
        let df = f64::from(self.actor_df[actor as usize].max(1));
        ((n / df).ln() / (n / 3.0).ln().max(1.0)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_incidents_match_spellings_as_words() {
        let n = NamedIncidents::builtin();
        let id = |name: &str| n.names.iter().position(|x| x == name).unwrap() as u16;
        assert_eq!(n.find(&words("the Not-Petya outbreak")), [id("notpetya")]);
        assert_eq!(n.find(&words("NotPetya_A")), [id("notpetya")]);
        assert_eq!(n.find(&words("Petya ransomware, 2016")), [id("petya")]);
        assert_eq!(n.find(&words("WannaCry- UK NHS")), [id("wannacry")]);
        assert!(n.find(&words("a petition")).is_empty());
    }

    #[test]
    fn actor_strings_split_into_names() {
        let parts: Vec<&str> = actor_parts("Sandworm/VOODOO Bear (GRU, Unit 74455)").collect();
        assert_eq!(parts, ["Sandworm", "VOODOO Bear", "GRU", "Unit 74455"]);
    }

    #[test]
    fn kinds_come_from_words() {
        assert_eq!(kind::of_word("ddos"), kind::DDOS);
        assert_eq!(kind::of_word("wiper"), kind::WIPER);
        assert_eq!(kind::of_word("website"), 0);
    }
}
