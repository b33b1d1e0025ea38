//! Phrases of the landscape's vocabulary, cut into words the way the statement linker matches them:
//! at every character that is not a letter or a digit, case-insensitively unless the phrase is
//! written in capitals (an acronym), with a trailing `*` matching any word that starts with it.
//! The rules live here so that loading `vocabulary.csv` can refuse a phrase that could never match.

/// One word of a [`Phrase`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word, lower-cased unless its phrase is matched in exact case.
    pub text: String,
    /// True when the word ended in `*`: it matches any word starting with `text`.
    pub prefix: bool,
}

/// A phrase of the vocabulary, cut into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    source: String,
    words: Vec<Word>,
    exact_case: bool,
}

impl Phrase {
    /// Cuts a phrase into words; `None` when it has no word, or a `*` not ending a word.
    pub fn parse(source: &str) -> Option<Phrase> {
        let letters: Vec<char> = source.chars().filter(|c| c.is_alphabetic()).collect();
        let exact_case = letters.len() >= 2 && letters.iter().all(|c| !c.is_lowercase());
        let mut words: Vec<Word> = Vec::new();
        let mut current = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_alphanumeric() {
                current.push(c);
                continue;
            }
            if c == '*' {
                let at_word_end =
                    !current.is_empty() && chars.peek().is_none_or(|n| !n.is_alphanumeric());
                if !at_word_end {
                    return None;
                }
            }
            if !current.is_empty() {
                let text = if exact_case {
                    current.clone()
                } else {
                    current.to_lowercase()
                };
                words.push(Word {
                    text,
                    prefix: c == '*',
                });
                current.clear();
            }
        }
        if !current.is_empty() {
            let text = if exact_case {
                current.clone()
            } else {
                current.to_lowercase()
            };
            words.push(Word {
                text,
                prefix: false,
            });
        }
        (!words.is_empty()).then(|| Phrase {
            source: source.to_string(),
            words,
            exact_case,
        })
    }

    /// The phrase as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Its words, in order.
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// True for a phrase written in capitals (an acronym): it matches only in capitals.
    pub fn exact_case(&self) -> bool {
        self.exact_case
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_parse_with_wildcards_and_acronyms() {
        let p = Phrase::parse("hospital*").unwrap();
        assert!(p.words[0].prefix && !p.exact_case);
        assert!(Phrase::parse("ICS").unwrap().exact_case);
        assert!(!Phrase::parse("DDoS").unwrap().exact_case);
        assert!(Phrase::parse("*").is_none());
        assert!(Phrase::parse("ho*spital").is_none());
        assert_eq!(
            Phrase::parse("denial-of-service attack*")
                .unwrap()
                .words()
                .len(),
            4
        );
    }
}
