//! Text normalisation shared by every feature: words, similarity tokens, compact names, TF-IDF.

use std::collections::HashMap;

/// Lowercase words of letters and digits, accents folded; apostrophes are dropped inside words
/// ("Ukraine's" -> "ukraines") and every other character separates words.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch == '\'' || ch == '\u{2019}' {
            continue;
        }
        if ch.is_alphanumeric() {
            for low in ch.to_lowercase() {
                push_folded(&mut cur, low);
            }
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A name reduced to lowercase letters and digits with nothing between them: the form alias
/// tables are keyed by ("APT 28", "apt-28" and "APT28" all become "apt28").
pub(crate) fn compact(name: &str) -> String {
    words(name).concat()
}

fn push_folded(out: &mut String, ch: char) {
    let folded = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ß' => {
            out.push_str("ss");
            return;
        }
        other => other,
    };
    out.push(folded);
}

/// Words that say nothing about which incident a text describes: English function words and the
/// vocabulary every incident record shares.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "allegedly",
    "also",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "believed",
    "between",
    "both",
    "but",
    "by",
    "can",
    "claim",
    "claimed",
    "claims",
    "could",
    "cyber",
    "cyberattack",
    "cyberattacks",
    "did",
    "do",
    "does",
    "during",
    "each",
    "early",
    "either",
    "first",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "he",
    "her",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "including",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "last",
    "late",
    "later",
    "least",
    "like",
    "made",
    "many",
    "may",
    "might",
    "more",
    "most",
    "much",
    "must",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "part",
    "per",
    "reported",
    "reportedly",
    "reports",
    "said",
    "same",
    "says",
    "several",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "using",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "years",
    "yet",
    "attack",
    "attacks",
    "attacked",
    "attacker",
    "attackers",
    "hack",
    "hacked",
    "hacker",
    "hackers",
    "hacking",
    "threat",
    "actor",
    "actors",
    "target",
    "targeted",
    "targeting",
    "targets",
    "incident",
    "group",
    "groups",
];

fn is_stopword(word: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().copied().collect())
        .contains(word)
}

/// Prefixes of actor designators that are written with a space before the number ("APT 28",
/// "UNC 2452", "TA 505"); they are joined to the number so the designator is one token.
const DESIGNATOR_PREFIXES: &[&str] = &["apt", "fin", "g", "ta", "temp", "uac", "unc", "dev"];

/// A light English stemmer: plurals only, so "hackers"/"hacker" and "agencies"/"agency" meet
/// while names stay recognisable.
fn stem(word: &str) -> String {
    let n = word.len();
    if n >= 5 && word.ends_with("ies") {
        return format!("{}y", &word[..n - 3]);
    }
    if n >= 5
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..n - 1].to_string();
    }
    word.to_string()
}

/// Similarity tokens from a text's words: stopwords and bare numbers dropped, designators joined
/// ("apt 28" -> "apt28"), plurals stemmed.
pub(crate) fn tokens_from_words(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if DESIGNATOR_PREFIXES.contains(&w.as_str())
            && i + 1 < words.len()
            && words[i + 1].bytes().all(|b| b.is_ascii_digit())
        {
            out.push(format!("{w}{}", words[i + 1]));
            i += 2;
            continue;
        }
        i += 1;
        if w.len() < 2 || w.bytes().all(|b| b.is_ascii_digit()) || is_stopword(w) {
            continue;
        }
        out.push(stem(w));
    }
    out
}

/// Term ids and document frequencies over one corpus, for TF-IDF weights.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    ids: HashMap<String, u32>,
    terms: Vec<String>,
    df: Vec<u32>,
    docs: u32,
}

impl Vocabulary {
    /// The id of a term, creating it.
    pub(crate) fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.df.len() as u32;
        self.ids.insert(term.to_string(), id);
        self.terms.push(term.to_string());
        self.df.push(0);
        id
    }

    /// Counts one document containing each of `terms` (ids may repeat).
    pub(crate) fn add_document(&mut self, terms: &[u32]) {
        self.docs += 1;
        let mut seen: Vec<u32> = terms.to_vec();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            self.df[t as usize] += 1;
        }
    }

    /// The terms of `ids`, space-separated, for evidence lines.
    pub(crate) fn describe(&self, ids: &[u32]) -> String {
        ids.iter()
            .map(|&t| self.terms[t as usize].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// How many documents contain the term.
    pub(crate) fn df(&self, term: u32) -> u32 {
        self.df[term as usize]
    }

    /// The number of documents counted.
    pub(crate) fn docs(&self) -> u32 {
        self.docs
    }

    /// Smoothed inverse document frequency: rare terms weigh more.
    pub(crate) fn idf(&self, term: u32) -> f32 {
        (((self.docs as f32) + 1.0) / (self.df(term) as f32 + 1.0)).ln() + 1.0
    }
}

/// A sparse vector sorted by term id, L2-normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SparseVec(pub(crate) Vec<(u32, f32)>);

impl SparseVec {
    /// Builds a unit TF-IDF vector from (term, raw weight multiplier) occurrences.
    pub(crate) fn tfidf(occurrences: &[(u32, f32)], vocab: &Vocabulary) -> SparseVec {
        let mut sorted = occurrences.to_vec();
        sorted.sort_unstable_by_key(|&(t, _)| t);
        let mut out: Vec<(u32, f32)> = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let term = sorted[i].0;
            let mut tf = 0.0f32;
            let mut boost = 0.0f32;
            while i < sorted.len() && sorted[i].0 == term {
                tf += 1.0;
                boost = boost.max(sorted[i].1);
                i += 1;
            }
            out.push((term, (1.0 + tf.ln()) * vocab.idf(term) * boost));
        }
        let norm = out.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut out {
                *w /= norm;
            }
        }
        SparseVec(out)
    }

    /// Cosine similarity of two unit vectors.
    pub(crate) fn cosine(&self, other: &SparseVec) -> f32 {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        dot.clamp(0.0, 1.0)
    }

    /// The terms with the highest weights, best first.
    pub(crate) fn top_terms(&self, k: usize) -> Vec<u32> {
        let mut v = self.0.clone();
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(k).map(|(t, _)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_accents_and_apostrophes() {
        assert_eq!(
            words("Ukraine's NotPetya_A, Société Générale"),
            ["ukraines", "notpetya", "a", "societe", "generale"]
        );
        assert_eq!(compact("APT 28"), "apt28");
        assert_eq!(compact("NoName057(16)"), "noname05716");
    }

    #[test]
    fn tokens_join_designators_and_drop_noise() {
        let w = words("The hackers of APT 28 attacked 3 agencies in 2016");
        assert_eq!(tokens_from_words(&w), ["apt28", "agency"]);
    }
}
