//! Links statements to the landscape's vocabulary (threat kinds, sectors, norms, agenda items),
//! with the phrases that matched as evidence, so the presidency sees which concerns were raised by
//! whom.
//!
//! The rules are few and visible, so a person can predict and check every link:
//! - Text and phrases are cut into words at every character that is not a letter or a digit, so
//!   "denial-of-service" and "denial of service" are the same three words.
//! - A phrase matches a run of consecutive words of the text, compared case-insensitively.
//! - A word of a phrase ending in `*` matches any word starting with it (`hospital*`).
//! - A phrase written in capitals (`ICS`, `CERT`, `DPRK`: two letters or more, none in lower case)
//!   matches only in capitals, so an acronym does not match an ordinary word.
//! - Each agenda item's title is a phrase of its own, besides the rows of `vocabulary.csv`.
//! - Within one term, a match inside a longer match of the same term is not counted twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inscription::{InscriptionId, SpeakersList};
use threatscape_reference::{Phrase, Reference, TermKind};

/// A term the linker can find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Its kind.
    pub kind: TermKind,
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
    phrases: Vec<Phrase>,
}

/// The terms and their phrases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    terms: Vec<Term>,
}

/// One matched phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The vocabulary phrase that matched, as written there.
    pub phrase: String,
    /// The text that matched it, verbatim.
    pub matched: String,
    /// Byte offset of the match in the text.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
    /// Some words around the match.
    pub context: String,
}

/// A term found in a text, with every match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The term's kind.
    pub kind: TermKind,
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// The matches, in text order.
    pub evidence: Vec<Evidence>,
}

/// One text's words: lower-cased and verbatim, with their byte spans.
struct Tokens<'a> {
    text: &'a str,
    spans: Vec<(usize, usize)>,
    lower: Vec<String>,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, text.len()));
        }
        let lower = spans
            .iter()
            .map(|&(s, e)| text[s..e].to_lowercase())
            .collect();
        Tokens { text, spans, lower }
    }

    fn word(&self, i: usize, exact: bool) -> &str {
        if exact {
            let (s, e) = self.spans[i];
            &self.text[s..e]
        } else {
            &self.lower[i]
        }
    }

    /// The number of words the phrase matches at word `i`, if it does.
    fn matches_at(&self, phrase: &Phrase, i: usize) -> bool {
        if i + phrase.words().len() > self.spans.len() {
            return false;
        }
        phrase.words().iter().enumerate().all(|(k, w)| {
            let t = self.word(i + k, phrase.exact_case());
            if w.prefix {
                t.starts_with(&w.text)
            } else {
                t == w.text
            }
        })
    }

    fn context(&self, start: usize, end: usize) -> String {
        const AROUND: usize = 60;
        let mut s = start.saturating_sub(AROUND);
        while !self.text.is_char_boundary(s) {
            s -= 1;
        }
        let mut e = (end + AROUND).min(self.text.len());
        while !self.text.is_char_boundary(e) {
            e += 1;
        }
        let mut out = String::new();
        if s > 0 {
            out.push('…');
        }
        out.push_str(
            &self.text[s..e]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        if e < self.text.len() {
            out.push('…');
        }
        out
    }
}

impl Vocabulary {
    /// The vocabulary of the reference data: `vocabulary.csv` plus each agenda item's title.
    pub fn from_reference(reference: &Reference) -> Vocabulary {
        let mut terms: Vec<Term> = Vec::new();
        for row in &reference.vocabulary {
            terms.push(Term {
                kind: row.kind,
                id: row.id.clone(),
                label: row.label.clone(),
                phrases: row
                    .phrases
                    .iter()
                    .filter_map(|p| Phrase::parse(p))
                    .collect(),
            });
        }
        for item in &reference.agenda_items {
            let Some(title) = Phrase::parse(&item.title) else {
                continue;
            };
            match terms
                .iter_mut()
                .find(|t| t.kind == TermKind::AgendaItem && t.id == item.id)
            {
                Some(t) => t.phrases.insert(0, title),
                None => terms.push(Term {
                    kind: TermKind::AgendaItem,
                    id: item.id.clone(),
                    label: item.title.clone(),
                    phrases: vec![title],
                }),
            }
        }
        Vocabulary { terms }
    }

    /// The terms.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The terms found in `text`, by kind then id, each with its evidence.
    pub fn link(&self, text: &str) -> Vec<Link> {
        let tokens = Tokens::new(text);
        let mut links = Vec::new();
        for term in &self.terms {
            let mut found: Vec<(usize, usize, &Phrase)> = Vec::new();
            for i in 0..tokens.spans.len() {
                for p in &term.phrases {
                    if tokens.matches_at(p, i) {
                        let start = tokens.spans[i].0;
                        let end = tokens.spans[i + p.words().len() - 1].1;
                        found.push((start, end, p));
                    }
                }
            }
            // Longest first, so a match inside a longer one of the same term is dropped.
            found.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
            let mut kept: Vec<(usize, usize, &Phrase)> = Vec::new();
            for f in found {
                if !kept.iter().any(|k| k.0 <= f.0 && f.1 <= k.1) {
                    kept.push(f);
                }
            }
            if kept.is_empty() {
                continue;
            }
            links.push(Link {
                kind: term.kind,
                id: term.id.clone(),
                label: term.label.clone(),
                evidence: kept
                    .into_iter()
                    .map(|(start, end, p)| Evidence {
                        phrase: p.as_str().to_string(),
                        matched: text[start..end].to_string(),
                        start,
                        end,
                        context: tokens.context(start, end),
                    })
                    .collect(),
            });
        }
        links.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        links
    }
}

/// The terms one statement raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLinks {
    /// The inscription.
    pub inscription: InscriptionId,
    /// The delegation.
    pub name: String,
    /// The terms, with evidence.
    pub links: Vec<Link>,
}

/// One term and the delegations that raised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    /// The term's kind.
    pub kind: TermKind,
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Who raised it (inscription and delegation), in list order.
    pub raised_by: Vec<(InscriptionId, String)>,
}

/// Links every statement attached to the list.
pub fn link_statements(list: &SpeakersList, vocabulary: &Vocabulary) -> Vec<StatementLinks> {
    let order = list.order();
    let position = |id: InscriptionId| order.entry(id).map_or(usize::MAX, |e| e.position);
    let mut out: Vec<StatementLinks> = list
        .inscriptions()
        .into_values()
        .filter_map(|i| {
            let s = i.statement.as_ref()?;
            Some(StatementLinks {
                inscription: i.id,
                name: i.name.clone(),
                links: vocabulary.link(&s.text),
            })
        })
        .collect();
    out.sort_by_key(|s| (position(s.inscription), s.inscription));
    out
}

/// Who raised what: each term found, with its delegations, most raised first.
pub fn concerns(statements: &[StatementLinks]) -> Vec<Concern> {
    let mut by_term: BTreeMap<(TermKind, String), Concern> = BTreeMap::new();
    for s in statements {
        for l in &s.links {
            by_term
                .entry((l.kind, l.id.clone()))
                .or_insert_with(|| Concern {
                    kind: l.kind,
                    id: l.id.clone(),
                    label: l.label.clone(),
                    raised_by: Vec::new(),
                })
                .raised_by
                .push((s.inscription, s.name.clone()));
        }
    }
    let mut out: Vec<Concern> = by_term.into_values().collect();
    out.sort_by(|a, b| {
        b.raised_by
            .len()
            .cmp(&a.raised_by.len())
            .then((a.kind, &a.id).cmp(&(b.kind, &b.id)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::from_reference(&Reference::embedded())
    }

    fn ids(links: &[Link]) -> Vec<String> {
        links
            .iter()
            .map(|l| format!("{}:{}", l.kind, l.id))
            .collect()
    }

    #[test]
    fn hyphens_case_and_endings() {
        let links = vocab().link("Denial-of-service attacks hit HOSPITALS and the power grid.");
        let found = ids(&links);
        assert!(found.contains(&"threat-kind:ddos".to_string()), "{found:?}");
        assert!(found.contains(&"sector:health".to_string()), "{found:?}");
        assert!(found.contains(&"sector:energy".to_string()), "{found:?}");
        let health = links.iter().find(|l| l.id == "health").unwrap();
        assert_eq!(health.evidence[0].matched, "HOSPITALS");
        assert_eq!(health.evidence[0].phrase, "hospital*");
    }

    #[test]
    fn acronyms_match_only_in_capitals() {
        let v = vocab();
        assert!(ids(&v.link("attacks on ICS in the region"))
            .contains(&"threat-kind:ot-ics-sabotage".to_string()));
        assert!(!ids(&v.link("the ics of it")).contains(&"threat-kind:ot-ics-sabotage".to_string()));
        assert!(ids(&v.link("national CERTs must be protected")).contains(&"norm:k".to_string()));
        assert!(!ids(&v.link("we are cert ain")).contains(&"norm:k".to_string()));
    }

    #[test]
    fn nested_matches_of_one_term_count_once_and_evidence_is_located() {
        let text = "Cyber espionage and more espionage.";
        let links = vocab().link(text);
        let esp = links.iter().find(|l| l.id == "espionage").unwrap();
        assert_eq!(esp.evidence.len(), 2, "{esp:?}");
        assert_eq!(esp.evidence[0].matched, "Cyber espionage");
        let e = &esp.evidence[1];
        assert_eq!(&text[e.start..e.end], "espionage");
    }

    #[test]
    fn agenda_titles_are_phrases() {
        let links = vocab()
            .link("We meet under the item on the maintenance of international peace and security.");
        assert!(ids(&links).contains(&"agenda-item:mips".to_string()));
        let mips = links.iter().find(|l| l.id == "mips").unwrap();
        assert_eq!(mips.evidence.len(), 1, "one match for one mention");
    }

    #[test]
    fn concerns_group_delegations_by_term() {
        let mk = |id, name: &str, text: &str| StatementLinks {
            inscription: id,
            name: name.into(),
            links: vocab().link(text),
        };
        let s = [
            mk(1, "Estonia", "ransomware against hospitals"),
            mk(2, "Japan", "ransomware and crypto theft"),
        ];
        let c = concerns(&s);
        assert_eq!(c[0].id, "ransomware");
        assert_eq!(
            c[0].raised_by,
            [(1, "Estonia".to_string()), (2, "Japan".to_string())]
        );
    }
}
