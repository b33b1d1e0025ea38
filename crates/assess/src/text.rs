//! Text matching for the rules: words with their places, phrases matched on word boundaries, and
//! simple negation.
//!
//! Text is cut into words at every character that is not a letter or a digit, and lowercased, so
//! `hack-and-leak` and `Hack and leak` both match the phrase `hack and leak`: punctuation never
//! matters. A phrase word ending in `*` matches any word that
//! starts with it (`hospital*` matches hospitals; it needs at least three letters before the
//! star). A `~` between two phrase words stands for up to [`GAP_WORDS`] words of any kind in the
//! same sentence, so `by the ~ government` matches "by the government", "by the Iranian
//! government" and "by the North Korean government" (names of States and groups vary; the words
//! around them are what tells an actor from a victim). A `...` between two phrase words stands for
//! the rest of a list of names the word before it belongs to ([`LIST_ITEMS`] more at most), so
//! `nato ... attributed` matches "NATO attributed" and "the EU, NATO, Japan and New Zealand
//! attributed": who attributes or condemns is told by the list it stands in, however long.
//!
//! A match is negated when a negation cue (`not`, `no`, `without`...) stands at most `window`
//! words before it in the same sentence, with no breaker word (`but`, `pay`...) between, and
//! every match in a sentence that tells of another incident or of the actor's other operations
//! ("had already been hit by", "the group has also targeted") is treated as negated.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use threatscape_model::Report;

/// Which part of a report a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The title.
    Title,
    /// The description.
    Description,
    /// The victims' names, one sentence each. A name is where a report is most precise about
    /// whom an operation hit ("Northfield General Hospital", "freight companies in two neighbouring
    /// States"); it is what the report says, not how anyone coded it.
    Victims,
    /// What the title or description says a named victim is: the words right before its name
    /// ("Australian software provider Energy One") or an apposition right after it ("Studio
    /// Barba, an Italian accounting firm, is hit"). A report's own account of what the victim
    /// does is better evidence of its sector than the words of its name ("Energy One"). See
    /// [`victim_descriptions`].
    VictimDescriptions,
}

impl Field {
    /// The name rules and evidence use: `title`, `description`, `victims`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::Victims => "victims",
            Field::VictimDescriptions => "victim descriptions",
        }
    }

    /// Every field, in reading order.
    pub const ALL: [Field; 4] = [
        Field::Title,
        Field::Description,
        Field::Victims,
        Field::VictimDescriptions,
    ];
}

/// What a report says in words: its title, its description and its victims' names (never a
/// coded field), each cut into [`words`] once and read by both the text rules and the text model.
/// The title and description are borrowed from the report; only the joined names are new text.
#[derive(Debug, Clone, Default)]
pub struct Texts<'a> {
    parts: Vec<(Field, Cow<'a, str>, Vec<Word>)>,
}

impl<'a> Texts<'a> {
    /// The texts of a report.
    pub fn of(report: &'a Report) -> Texts<'a> {
        let names: Vec<&str> = report
            .victims
            .iter()
            .filter_map(|v| v.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        // One sentence per name, so no word pair spans two names.
        let victims = (!names.is_empty()).then(|| Cow::Owned(names.join(".\n")));
        let mut texts = Texts::from_parts([
            (Field::Title, Some(Cow::Borrowed(report.title.as_str()))),
            (
                Field::Description,
                report.description.as_deref().map(Cow::Borrowed),
            ),
            (Field::Victims, victims),
        ]);
        let wanted: Vec<Vec<String>> = names.iter().map(|n| name_words(n)).collect();
        let mut described: Vec<&str> = Vec::new();
        for (field, text, ws) in texts.parts() {
            if matches!(field, Field::Title | Field::Description) {
                for name in &wanted {
                    for d in describe(name, text, ws) {
                        if !described.contains(&d) {
                            described.push(d);
                        }
                    }
                }
            }
        }
        if !described.is_empty() {
            let joined = described.join(".\n");
            let w = words(&joined);
            texts
                .parts
                .push((Field::VictimDescriptions, Cow::Owned(joined), w));
        }
        texts
    }

    /// Texts from their parts; absent or empty parts are left out.
    pub fn new(
        title: Option<&'a str>,
        description: Option<&'a str>,
        victims: Option<&'a str>,
    ) -> Texts<'a> {
        Texts::from_parts([
            (Field::Title, title.map(Cow::Borrowed)),
            (Field::Description, description.map(Cow::Borrowed)),
            (Field::Victims, victims.map(Cow::Borrowed)),
        ])
    }

    fn from_parts<const N: usize>(parts: [(Field, Option<Cow<'a, str>>); N]) -> Texts<'a> {
        let parts = parts
            .into_iter()
            .filter_map(|(f, t)| {
                let t = t?;
                if t.trim().is_empty() {
                    return None;
                }
                let w = words(&t);
                Some((f, t, w))
            })
            .collect();
        Texts { parts }
    }

    /// Only the given fields' parts.
    pub fn only(&self, fields: &[Field]) -> Texts<'a> {
        Texts {
            parts: self
                .parts
                .iter()
                .filter(|(f, _, _)| fields.contains(f))
                .cloned()
                .collect(),
        }
    }

    /// Each part: which field, its text, its words.
    pub fn parts(&self) -> impl Iterator<Item = (Field, &str, &[Word])> {
        self.parts
            .iter()
            .map(|(f, t, w)| (*f, t.as_ref(), w.as_slice()))
    }
}

/// A word of a text: lowercased, with its byte range in the text and its sentence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word, lowercased.
    pub text: String,
    /// Byte offset of its start in the text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Which sentence it is in (0-based); a sentence ends at `.`, `!`, `?`, `;` or a line break.
    pub sentence: u32,
    /// Which full sentence it is in (0-based): as `sentence`, but a semicolon does not end one.
    /// What a sentence says of another incident reaches over its semicolons ("the group has also
    /// targeted Microsoft; in March it hit a hospital, delaying care for patients").
    pub full_sentence: u32,
    /// Whether a comma stands between it and the word before it in the same sentence (what
    /// tells the items of a list apart: "the US, the UK and NATO").
    pub after_comma: bool,
}

/// Whether the byte range `span` of `text` lies inside double quotation marks (`"..."`,
/// `“...”`, `«...»`): someone's words, a message or a title, not the report's own account. Straight
/// quotes pair in order; an opening mark with no closing one quotes nothing. Single quotes are
/// not read: they are also apostrophes ("children's").
pub fn quoted(text: &str, span: (usize, usize)) -> bool {
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        if i >= span.1 && open.is_none() {
            return false;
        }
        match (open, c) {
            (None, '"' | '“' | '«') => open = Some((i, c)),
            (Some((start, o)), c)
                if (o == '"' && c == '"') || (o == '“' && c == '”') || (o == '«' && c == '»') =>
            {
                if start < span.0 && span.1 <= i {
                    return true;
                }
                open = None;
            }
            _ => {}
        }
    }
    false
}

/// Words that end a description walking back from a victim's name: function words and the verbs
/// that stand right before a name in reports ("Clop lists Acme", "a breach at Acme").
#[rustfmt::skip]
const NOT_DESCRIBING: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "by", "for", "from", "with", "to", "and", "or", "but",
    "as", "into", "onto", "against", "after", "before", "over", "under", "via", "about", "is",
    "was", "were", "are", "be", "been", "has", "have", "had", "its", "their", "his", "her", "it",
    "this", "that", "these", "those", "who", "which", "what", "when", "where", "while", "than",
    "then", "also", "not", "no", "says", "said", "reveals", "reports", "confirms", "claims", "adds",
    "lists", "targets", "hits", "hit", "breaches", "attacks", "joins", "warns", "notifies",
    "discloses", "suffers", "leaks", "publishes", "posts", "drops", "including", "like", "such",
    "both", "between", "among", "victim", "victims", "customers", "clients", "users", "employees",
    "staff", "members", "s",
];

/// Words that open a qualifier after what an apposition says a victim is.
#[rustfmt::skip]
const QUALIFIER_OPENS: &[&str] = &[
    "in", "for", "with", "that", "which", "who", "whose", "based", "about", "at", "on", "from",
    "to", "and", "since", "serving", "offering", "providing", "specializing", "specialising",
];

/// Legal-form words left off the end of a name before it is looked for ("Acme, Inc.").
#[rustfmt::skip]
const LEGAL_FORMS: &[&str] = &[
    "inc", "llc", "ltd", "limited", "corp", "corporation", "co", "plc", "gmbh", "ag", "sa", "spa",
    "srl", "bv", "nv", "lp", "llp", "pc",
];

/// The most words a description before a name, or an apposition after it, may have.
const DESCRIPTION_WORDS: usize = 8;

/// What `text` (cut into `ws`) says the victim `name` is, wherever the name's words stand in it in
/// one sentence: the words right before the name back to a function word, a verb before it or
/// punctuation ("Australian software provider" in "The Australian software provider Energy One
/// confirms"), and an apposition after it, set off by a comma and opening with an article, up to
/// a qualifier ("an Italian accounting firm" in "Studio Barba, an Italian accounting firm, is
/// hit"; "an electric utility" in "RMLD, an electric utility in Massachusetts"). Words ending in
/// "-ed" end the description too ("breached Acme"), so "UK-based firm Acme" gives "firm".
pub fn victim_descriptions<'t>(name: &str, text: &'t str, ws: &[Word]) -> Vec<&'t str> {
    describe(&name_words(name), text, ws)
}

/// The words a victim's name is looked for by: without what is in brackets and without a legal
/// form at its end ("Acme, Inc." is looked for as "acme").
fn name_words(name: &str) -> Vec<String> {
    let name = name.split('(').next().unwrap_or(name);
    let mut wanted: Vec<String> = words(name).into_iter().map(|w| w.text).collect();
    while wanted.len() > 1 && LEGAL_FORMS.contains(&wanted[wanted.len() - 1].as_str()) {
        wanted.pop();
    }
    wanted
}

/// [`victim_descriptions`] for a name already cut into [`name_words`].
fn describe<'t>(wanted: &[String], text: &'t str, ws: &[Word]) -> Vec<&'t str> {
    let mut out = Vec::new();
    if wanted.is_empty() || (wanted.len() == 1 && wanted[0].chars().count() < 3) {
        return out;
    }
    let gap = |a: &Word, b: &Word| &text[a.end..b.start];
    let joins_words = |g: &str| {
        g.chars()
            .all(|c| c == ' ' || c == '-' || c == '\'' || c == '’')
    };
    let k = wanted.len();
    for i in 0..ws.len().saturating_sub(k - 1) {
        let sentence = ws[i].sentence;
        if !(0..k).all(|j| ws[i + j].text == wanted[j] && ws[i + j].sentence == sentence) {
            continue;
        }
        // Before the name.
        let mut first = i;
        while first > 0 && i - first < DESCRIPTION_WORDS {
            let w = &ws[first - 1];
            let ends = w.sentence != sentence
                || !joins_words(gap(w, &ws[first]))
                || NOT_DESCRIBING.contains(&w.text.as_str())
                || (w.text.ends_with("ed") && w.text.chars().count() > 3)
                || !w.text.chars().any(char::is_alphabetic);
            if ends {
                break;
            }
            first -= 1;
        }
        if first < i {
            out.push(&text[ws[first].start..ws[i - 1].end]);
        }
        // An apposition after it: ", a/an/the ..." up to the next punctuation.
        let mut at = i + k;
        if at < ws.len() && gap(&ws[at - 1], &ws[at]).contains('(') {
            // A short form in brackets right after the name: "(WSRP)".
            while at < ws.len() && !gap(&ws[at - 1], &ws[at]).contains(')') {
                at += 1;
            }
        }
        let opens = at < ws.len()
            && ws[at].sentence == sentence
            && gap(&ws[at - 1], &ws[at]).trim_start_matches(')').trim() == ","
            && matches!(ws[at].text.as_str(), "a" | "an" | "the");
        if opens {
            // It runs to the next punctuation or to a word that opens a qualifier ("an electric
            // utility in Massachusetts", "a foundation for children"): what it is comes before.
            let mut last = at + 1;
            while last < ws.len()
                && last - at <= DESCRIPTION_WORDS
                && ws[last].sentence == sentence
                && !gap(&ws[last - 1], &ws[last]).contains(|c: char| ",.;:()!?\"".contains(c))
                && !QUALIFIER_OPENS.contains(&ws[last].text.as_str())
            {
                last += 1;
            }
            if last > at + 1 && last - at <= DESCRIPTION_WORDS {
                out.push(&text[ws[at].start..ws[last - 1].end]);
            }
        }
    }
    out
}

/// Cuts a text into words.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut sentence = 0u32;
    let mut full_sentence = 0u32;
    let mut start: Option<usize> = None;
    let mut pending_break = false;
    let mut pending_full_break = false;
    let mut comma = false;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                if pending_break {
                    sentence += 1;
                    pending_break = false;
                    comma = false;
                }
                if pending_full_break {
                    full_sentence += 1;
                    pending_full_break = false;
                }
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            let after_comma = std::mem::take(&mut comma);
            out.push(word(text, s, i, (sentence, full_sentence), after_comma));
        }
        if c == ',' && !out.is_empty() {
            comma = true;
        }
        // A full stop between two digits or right after a single letter (U.S., e.g.) does not end
        // a sentence.
        let ends = match c {
            '!' | '?' | ';' | '\n' => true,
            '.' => {
                let before = text[..i].chars().rev().take_while(|c| c.is_alphanumeric());
                before.count() > 1
            }
            _ => false,
        };
        if ends && !out.is_empty() {
            pending_break = true;
            pending_full_break |= c != ';';
        }
    }
    if let Some(s) = start {
        out.push(word(text, s, text.len(), (sentence, full_sentence), comma));
    }
    out
}

/// A word of `text[start..end]` in its (sentence, full sentence).
fn word(
    text: &str,
    start: usize,
    end: usize,
    (sentence, full_sentence): (u32, u32),
    after_comma: bool,
) -> Word {
    Word {
        text: text[start..end].to_lowercase(),
        start,
        end,
        sentence,
        full_sentence,
        after_comma,
    }
}

/// How many words a `~` in a phrase may stand for: enough for a two-word name ("North Korean",
/// "U.S.", which is cut into two words), few enough to stay within one clause. Figures are not
/// counted, nor a possessive's "s": "stole ~ million in" matches "stole at least $20 million in",
/// "deleted ~ files" matches "deleted the school's files".
pub const GAP_WORDS: usize = 2;

/// How many further items a `...` in a phrase may stand for: more than any joint attribution
/// names ("the US, the UK, the EU, NATO, Japan, Australia, Canada and New Zealand").
pub const LIST_ITEMS: usize = 8;

/// How many words one item of a list may have, not counting an article: a State's or an
/// organisation's name ("New Zealand", "the United Kingdom"), not a clause.
const LIST_ITEM_WORDS: usize = 2;

/// Words that make a clause, not a name: "NATO was hit, the US attributed" is no list.
#[rustfmt::skip]
const NOT_IN_A_NAME: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "said", "says", "which", "who",
    "that", "it", "its", "they", "their", "when", "after", "before", "while", "but", "then",
];

/// One word of a phrase pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PatternWord {
    text: String,
    prefix: bool,
}

/// One piece of a phrase pattern: a word, a gap of up to [`GAP_WORDS`] words (`~`), or the rest
/// of a list (`...`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word(PatternWord),
    Gap,
    List,
}

impl Piece {
    fn word(&self) -> Option<&PatternWord> {
        match self {
            Piece::Word(w) => Some(w),
            Piece::Gap | Piece::List => None,
        }
    }
}

/// Whether `words` (what a `...` stands for) are the further items of a list: each opens with a
/// comma or with "and"/"or" ("..., Japan, Canada and New Zealand"), has one or two words besides
/// an article, and none of them makes a clause.
fn is_list_rest(words: &[Word]) -> bool {
    let mut items = 0;
    let mut in_item = false; // an item has begun and no separator has closed it
    let mut item_words = 0;
    let mut separated = false; // a separator stands since the last item
    for w in words {
        let joins = matches!(w.text.as_str(), "and" | "or");
        if w.after_comma || joins {
            in_item = false;
            item_words = 0;
            separated = true;
            if joins {
                continue;
            }
        }
        if !in_item {
            // A word that goes on with the item before the list ("NATO forces") makes no list.
            if !separated {
                return false;
            }
            separated = false;
            in_item = true;
            items += 1;
            if items > LIST_ITEMS {
                return false;
            }
        }
        if NOT_IN_A_NAME.contains(&w.text.as_str()) || w.text.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if !matches!(w.text.as_str(), "the" | "s") {
            item_words += 1;
            if item_words > LIST_ITEM_WORDS {
                return false;
            }
        }
    }
    // A list ends on an item, not on a separator waiting for one.
    !separated
}

/// Where a pattern's match starting at word `at` ends (just past its last word), if it matches
/// there; a gap takes as few words as it can, and never reaches past the sentence it starts in.
fn match_at(pattern: &[Piece], words: &[Word], at: usize) -> Option<usize> {
    match pattern.split_first() {
        None => Some(at),
        Some((Piece::Word(pw), rest)) => {
            let w = words.get(at)?;
            if pw.matches(&w.text) {
                match_at(rest, words, at + 1)
            } else {
                None
            }
        }
        Some((Piece::Gap, rest)) => {
            // A gap follows a word (compile guarantees it), so `at - 1` is that word.
            let sentence = words[at - 1].sentence;
            let mut end = at;
            let mut counted = 0;
            loop {
                let w = words.get(end)?;
                if w.sentence != sentence {
                    return None;
                }
                if let Some(m) = match_at(rest, words, end) {
                    return Some(m);
                }
                // A figure belongs to the words around it ("stole at least $20 million"), and a
                // possessive's "s" to its word ("the school's files"): neither uses up the gap.
                let figure = w.text.chars().all(|c| c.is_ascii_digit());
                if !figure && w.text != "s" {
                    counted += 1;
                    if counted > GAP_WORDS {
                        return None;
                    }
                }
                end += 1;
            }
        }
        Some((Piece::List, rest)) => {
            // A list follows a word (compile guarantees it); it takes as few words as it can,
            // never more than its longest form, and never reaches past its sentence.
            let sentence = words[at - 1].sentence;
            let longest = LIST_ITEMS * (LIST_ITEM_WORDS + 2);
            for end in at..=at + longest {
                if words.get(end)?.sentence != sentence {
                    return None;
                }
                if is_list_rest(&words[at..end]) {
                    if let Some(m) = match_at(rest, words, end) {
                        return Some(m);
                    }
                }
            }
            None
        }
    }
}

impl PatternWord {
    fn matches(&self, word: &str) -> bool {
        if self.prefix {
            word.starts_with(&self.text)
        } else {
            word == self.text
        }
    }
}

/// Why a phrase cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseError(pub String);

fn misplaced_gap(phrase: &str) -> PhraseError {
    PhraseError(format!(
        "`~` and `...` in phrase `{phrase}` must stand between two words (`~` is a gap of up to {GAP_WORDS} words, `...` the rest of a list of names)"
    ))
}

/// How many forms one phrase with alternatives may stand for: room for a list of names in every
/// position, not for a slip that would make millions.
const MAX_FORMS: usize = 4096;

/// The forms a phrase with alternatives stands for, in order: `{after|since} {stuxnet|triton}`
/// is "after stuxnet", "after triton", "since stuxnet", "since triton". An alternative may be
/// several words, a gap or empty (`targeting {the |}isis`: the word is optional); braces do not
/// nest. A phrase without braces is its only form.
fn expand_alternatives(phrase: &str) -> Result<Vec<String>, PhraseError> {
    let unbalanced = || {
        PhraseError(format!(
            "unbalanced braces in phrase `{phrase}`: alternatives are written `{{a|b}}`, without nesting"
        ))
    };
    let mut forms = vec![String::new()];
    let mut rest = phrase;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(unbalanced());
        }
        let literal = &rest[..open];
        let inside = &rest[open + 1..];
        let close = inside.find(['{', '}']).ok_or_else(unbalanced)?;
        if inside[close..].starts_with('{') {
            return Err(unbalanced());
        }
        let options: Vec<&str> = inside[..close].split('|').collect();
        if options.len() < 2 {
            return Err(PhraseError(format!(
                "braces in phrase `{phrase}` hold one alternative: write `{{a|b}}`, or the words alone"
            )));
        }
        if forms.len() * options.len() > MAX_FORMS {
            return Err(PhraseError(format!(
                "phrase `{phrase}` stands for more than {MAX_FORMS} forms: split it"
            )));
        }
        forms = forms
            .iter()
            .flat_map(|form| options.iter().map(move |o| format!("{form}{literal}{o}")))
            .collect();
        rest = &inside[close + 1..];
    }
    for form in &mut forms {
        form.push_str(rest);
    }
    Ok(forms)
}

/// A phrase compiled for comparing with other phrases: each of its forms
/// ([`PhrasePattern::can_overlap`]).
#[derive(Debug, Clone)]
pub(crate) struct PhrasePattern(Vec<Vec<Piece>>);

impl PhrasePattern {
    /// Compiles every form of `phrase`.
    pub(crate) fn new(phrase: &str) -> Result<PhrasePattern, PhraseError> {
        expand_alternatives(phrase)?
            .iter()
            .map(|form| compile(form))
            .collect::<Result<_, _>>()
            .map(PhrasePattern)
    }

    /// Whether some text can hold a match of this phrase and one of `other` that share a word:
    /// whether a mask written so (a rule's `except`) can ever cover a hit of `other` (one of the
    /// rule's phrases), since a hit that overlaps a mask does not count. A mask that can overlap
    /// none of its rule's phrases masks nothing, whatever it says. A gap or a list may stand for
    /// any words of the other phrase; a word ending in `*` is compatible with every word it could
    /// match.
    pub(crate) fn can_overlap(&self, other: &PhrasePattern) -> bool {
        self.0.iter().any(|a| {
            other.0.iter().any(|b| {
                (0..a.len()).any(|start| meets(b, &a[start..]))
                    || (0..b.len()).any(|start| meets(a, &b[start..]))
            })
        })
    }
}

/// Whether `a`, laid from the start of `b`, agrees with it wherever the two meet; past the end of
/// `b` it is free ([`PhrasePattern::can_overlap`]).
fn meets(a: &[Piece], b: &[Piece]) -> bool {
    let only_words = |ps: &[Piece]| ps.iter().all(|p| matches!(p, Piece::Word(_)));
    match a.split_first() {
        None => true,
        Some((Piece::Word(aw), arest)) => match b.split_first() {
            None => true,
            Some((Piece::Word(bw), brest)) => compatible(aw, bw) && meets(arest, brest),
            // A gap of `b` stands for up to GAP_WORDS of any words, a list for any number.
            Some((Piece::Gap, brest)) => {
                (0..=GAP_WORDS.min(a.len())).any(|k| only_words(&a[..k]) && meets(&a[k..], brest))
            }
            Some((Piece::List, brest)) => {
                (0..=a.len()).any(|k| only_words(&a[..k]) && meets(&a[k..], brest))
            }
        },
        Some((Piece::Gap, arest)) => (0..=GAP_WORDS.min(b.len())).any(|k| meets(arest, &b[k..])),
        Some((Piece::List, arest)) => (0..=b.len()).any(|k| meets(arest, &b[k..])),
    }
}

/// Whether some word matches both pattern words.
fn compatible(a: &PatternWord, b: &PatternWord) -> bool {
    match (a.prefix, b.prefix) {
        (false, false) => a.text == b.text,
        (true, false) => b.text.starts_with(&a.text),
        (false, true) => a.text.starts_with(&b.text),
        (true, true) => a.text.starts_with(&b.text) || b.text.starts_with(&a.text),
    }
}

fn compile(phrase: &str) -> Result<Vec<Piece>, PhraseError> {
    let mut out = Vec::new();
    for raw in phrase.split_whitespace() {
        if raw == "~" {
            if !matches!(out.last(), Some(Piece::Word(_))) {
                return Err(misplaced_gap(phrase));
            }
            out.push(Piece::Gap);
            continue;
        }
        if raw == "..." {
            if !matches!(out.last(), Some(Piece::Word(_))) {
                return Err(misplaced_gap(phrase));
            }
            out.push(Piece::List);
            continue;
        }
        let (body, prefix) = match raw.strip_suffix('*') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        if body.is_empty() {
            return Err(PhraseError(format!(
                "a lone `*` in phrase `{phrase}`: `*` ends a word (`hospital*`), it is not a word; `~` stands for up to {GAP_WORDS} words between two words"
            )));
        }
        // Punctuation between words (`ernst & young`) matches nothing and is skipped.
        let ws = words(body);
        let n = ws.len();
        for (i, w) in ws.into_iter().enumerate() {
            let is_prefix = prefix && i + 1 == n;
            if is_prefix && w.text.chars().count() < 3 {
                return Err(PhraseError(format!(
                    "`{raw}` in phrase `{phrase}`: a word ending in * needs at least three letters before the star"
                )));
            }
            out.push(Piece::Word(PatternWord {
                text: w.text,
                prefix: is_prefix,
            }));
        }
    }
    match out.last() {
        None => Err(PhraseError("an empty phrase".to_string())),
        Some(Piece::Gap | Piece::List) => Err(misplaced_gap(phrase)),
        Some(Piece::Word(_)) => Ok(out),
    }
}

/// A match of a phrase in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The phrase's number, in the order phrases were added.
    pub phrase: usize,
    /// Index of the first matched word.
    pub first: usize,
    /// Index just past the last matched word.
    pub last: usize,
    /// Byte range of the match in the text.
    pub span: (usize, usize),
    /// Whether a negation cue governs it.
    pub negated: bool,
}

/// How negation is recognised.
#[derive(Debug, Clone, Default)]
pub struct Negation {
    /// Words that negate what follows them.
    pub cues: HashSet<String>,
    /// Words that stop a cue from reaching past them ("did not pay the ransom" is not a denial
    /// that there was a ransom).
    pub breakers: HashSet<String>,
    /// How many words before a phrase a cue may stand.
    pub window: usize,
    /// Phrases that make their sentence tell of another, earlier incident ("the port had already
    /// been hit by a DDoS attack claimed by Killnet in 2022"): nothing in that sentence is read as
    /// this incident's, as if negated.
    pub elsewhere: PhraseSet,
}

impl Negation {
    /// The full sentences of `words` that tell of another incident ([`Negation::elsewhere`]).
    fn elsewhere_sentences(&self, words: &[Word]) -> Vec<u32> {
        if self.elsewhere.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<u32> = self
            .elsewhere
            .find(words, &Negation::default())
            .iter()
            .map(|h| words[h.first].full_sentence)
            .collect();
        out.dedup();
        out
    }

    fn negated(&self, words: &[Word], first: usize) -> bool {
        let sentence = words[first].sentence;
        for back in 1..=self.window.min(first) {
            let w = &words[first - back];
            if w.sentence != sentence || self.breakers.contains(&w.text) {
                return false;
            }
            if self.cues.contains(&w.text) {
                return true;
            }
        }
        false
    }
}

/// A set of phrases matched together in one pass over a text.
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    /// The compiled patterns: one per phrase, or one per form of a phrase with alternatives.
    patterns: Vec<Vec<Piece>>,
    /// For each pattern, the number of the phrase it is a form of.
    phrase_of: Vec<usize>,
    /// How many phrases were added.
    phrases: usize,
    /// Patterns by their first word (exact first words).
    exact: HashMap<String, Vec<usize>>,
    /// Patterns whose first word is a prefix, by its first three characters.
    prefixed: HashMap<String, Vec<usize>>,
}

/// The first three characters of a word (all of it when shorter), without copying it.
fn head3(text: &str) -> &str {
    match text.char_indices().nth(3) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

impl PhraseSet {
    /// Adds a phrase and returns its number. A phrase with alternatives (`{after|since} stuxnet`)
    /// is one phrase: its hits all carry the same number.
    pub fn add(&mut self, phrase: &str) -> Result<usize, PhraseError> {
        // Every form compiles before any is added, so a bad phrase leaves the set as it was.
        let forms = expand_alternatives(phrase)?
            .iter()
            .map(|form| compile(form))
            .collect::<Result<Vec<_>, _>>()?;
        let id = self.phrases;
        self.phrases += 1;
        for pattern in forms {
            let at = self.patterns.len();
            let first = pattern[0]
                .word()
                .expect("compile starts every pattern with a word");
            if first.prefix {
                self.prefixed
                    .entry(head3(&first.text).to_string())
                    .or_default()
                    .push(at);
            } else {
                self.exact.entry(first.text.clone()).or_default().push(at);
            }
            self.patterns.push(pattern);
            self.phrase_of.push(id);
        }
        Ok(id)
    }

    /// How many phrases there are.
    pub fn len(&self) -> usize {
        self.phrases
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.phrases == 0
    }

    /// Every match of every phrase in `words`, in text order.
    pub fn find(&self, words: &[Word], negation: &Negation) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let elsewhere = negation.elsewhere_sentences(words);
        for (i, w) in words.iter().enumerate() {
            let candidates = self
                .exact
                .get(&w.text)
                .into_iter()
                .chain(self.prefixed.get(head3(&w.text)))
                .flatten();
            let here = hits.len();
            for &p in candidates {
                let Some(last) = match_at(&self.patterns[p], words, i) else {
                    continue;
                };
                let phrase = self.phrase_of[p];
                // Two forms of one phrase matching at one word are one hit: the longer.
                if let Some(h) = hits[here..].iter_mut().find(|h| h.phrase == phrase) {
                    if last > h.last {
                        h.last = last;
                        h.span.1 = words[last - 1].end;
                    }
                    continue;
                }
                hits.push(Hit {
                    phrase,
                    first: i,
                    last,
                    span: (w.start, words[last - 1].end),
                    negated: negation.negated(words, i) || elsewhere.contains(&w.full_sentence),
                });
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negation() -> Negation {
        Negation {
            cues: ["not", "no", "without"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            breakers: ["but", "pay"].iter().map(|s| s.to_string()).collect(),
            window: 3,
            elsewhere: PhraseSet::default(),
        }
    }

    #[test]
    fn a_sentence_about_another_incident_is_negated_whole() {
        let mut neg = negation();
        neg.elsewhere.add("had already been hit").unwrap();
        let mut set = PhraseSet::default();
        set.add("ddos").unwrap();
        let text = "Ransomware stopped the port. It had already been hit by a DDoS in 2022. \
                    Then a DDoS followed.";
        let hits = set.find(&words(text), &neg);
        assert_eq!(hits.len(), 2);
        assert!(hits[0].negated, "the earlier incident's sentence");
        assert!(!hits[1].negated, "a later sentence is read");

        // A semicolon ends a clause, not what the sentence tells of.
        let text = "Ransomware stopped the port. It had already been hit in 2021; a DDoS took \
                    its site down. Then a DDoS followed.";
        let w = words(text);
        let hits = set.find(&w, &neg);
        assert_eq!(hits.len(), 2);
        assert!(hits[0].negated, "the clause after the semicolon");
        assert!(!hits[1].negated, "the next full sentence is read");
        assert_ne!(w[6].sentence, w[12].sentence, "a clause of its own");
        assert_eq!(
            w[6].full_sentence, w[12].full_sentence,
            "in the same full sentence"
        );
        assert_ne!(w[12].full_sentence, w[18].full_sentence, "the next one");
    }

    #[test]
    fn words_and_sentences() {
        let w = words("The U.S. hospital's EHR was hit. Ransomware!");
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "the",
                "u",
                "s",
                "hospital",
                "s",
                "ehr",
                "was",
                "hit",
                "ransomware"
            ]
        );
        assert_eq!(w[3].sentence, 0);
        assert_eq!(w[8].sentence, 1);
        assert_eq!(&"The U.S. hospital's"[w[3].start..w[3].end], "hospital");
    }

    #[test]
    fn phrases_match_on_word_boundaries() {
        let mut set = PhraseSet::default();
        let hack = set.add("hack-and-leak").unwrap();
        let hosp = set.add("hospital*").unwrap();
        let ddos = set.add("ddos").unwrap();
        let text = "A hack and leak hit two Hospitals; the DDoS-for-hire shop. Not ddosed.";
        let w = words(text);
        let hits = set.find(&w, &negation());
        let found: Vec<usize> = hits.iter().map(|h| h.phrase).collect();
        assert_eq!(found, [hack, hosp, ddos]);
        assert_eq!(&text[hits[1].span.0..hits[1].span.1], "Hospitals");
        assert!(set.add("ab*").is_err());
        assert!(set.add("  ").is_err());
        assert!(set.add("stole * million").is_err());
        assert!(set.add("ernst & young").is_ok());
    }

    #[test]
    fn a_gap_stands_for_up_to_two_words_of_one_sentence() {
        let mut set = PhraseSet::default();
        let by = set.add("by the ~ government").unwrap();
        let text = |t: &str| -> Vec<String> {
            let w = words(t);
            set.find(&w, &negation())
                .iter()
                .map(|h| t[h.span.0..h.span.1].to_string())
                .collect()
        };
        assert_eq!(text("Run by the government."), ["by the government"]);
        assert_eq!(
            text("run by the Iranian government"),
            ["by the Iranian government"]
        );
        assert_eq!(
            text("run by the U.S. government"),
            ["by the U.S. government"]
        );
        assert_eq!(
            text("run by the North Korean government"),
            ["by the North Korean government"]
        );
        assert!(text("run by the Democratic People's Republic government").is_empty());
        assert!(text("run by the. North Korean government").is_empty());
        // A figure does not use up the gap.
        let stole = set.add("stole ~ million in").unwrap();
        let hits = set.find(
            &words("and stole at least $20 million in benefits"),
            &negation(),
        );
        assert_eq!(hits.iter().map(|h| h.phrase).collect::<Vec<_>>(), [stole]);
        assert!(set
            .find(
                &words("stole from at least 20 firms million in"),
                &negation()
            )
            .is_empty());
        let files = set.add("deleted ~ files").unwrap();
        let hits = set.find(&words("it deleted the school's files"), &negation());
        assert_eq!(hits.iter().map(|h| h.phrase).collect::<Vec<_>>(), [files]);
        assert_eq!(
            set.find(&words("by the government"), &negation())[0].phrase,
            by
        );
        for bad in ["~ government", "by the ~", "by ~ ~ government", "~"] {
            assert!(set.add(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn alternatives_make_one_phrase_of_many_forms() {
        let mut set = PhraseSet::default();
        let after = set.add("{after|similar* ~} {stuxnet|triton}").unwrap();
        let like = set.add("{stuxnet|triton}{-like| ~ related}").unwrap();
        let target = set.add("targeting {the |}{isis|islamic state}").unwrap();
        assert_eq!(set.len(), 3);
        let found = |t: &str| -> Vec<(usize, String)> {
            let w = words(t);
            set.find(&w, &negation())
                .iter()
                .map(|h| (h.phrase, t[h.span.0..h.span.1].to_string()))
                .collect()
        };
        assert_eq!(found("the worst since Stuxnet"), []);
        assert_eq!(
            found("the most dangerous after Triton"),
            [(after, "after Triton".into())]
        );
        assert_eq!(
            found("it is similar to Stuxnet"),
            [(after, "similar to Stuxnet".into())]
        );
        assert_eq!(
            found("the Stuxnet-related Flame; a Triton-like tool"),
            [
                (like, "Stuxnet-related".into()),
                (like, "Triton-like".into())
            ]
        );
        assert_eq!(
            found("targeting Islamic State media"),
            [(target, "targeting Islamic State".into())]
        );
        assert_eq!(
            found("targeting the ISIS"),
            [(target, "targeting the ISIS".into())]
        );
        // Two forms matching at one word are one hit, the longer.
        let mut set = PhraseSet::default();
        let n = set.add("{targeting|targeting the} isis").unwrap();
        set.add("targeting").unwrap();
        let hits = set.find(&words("targeting the isis site"), &negation());
        assert_eq!(hits.iter().filter(|h| h.phrase == n).count(), 1);
        for bad in [
            "{after stuxnet",
            "after} stuxnet",
            "{a|{b|c}}",
            "{stuxnet}",
            "{|}",
            "{a|b}{c|d}{e|f}{g|h}{i|j}{k|l}{m|n}{o|p}{q|r}{s|t}{u|v}{w|x}{y|z}",
        ] {
            let before = set.len();
            assert!(set.add(bad).is_err(), "{bad}");
            assert_eq!(set.len(), before, "{bad} left nothing behind");
        }
    }

    #[test]
    fn a_mask_covers_a_phrase_only_where_some_text_could_match_both_on_a_shared_word() {
        let covers = |mask: &str, phrase: &str| {
            PhrasePattern::new(mask)
                .unwrap()
                .can_overlap(&PhrasePattern::new(phrase).unwrap())
        };
        // Containing the phrase, or sharing words with it at either end.
        assert!(covers("security researcher*", "researcher"));
        assert!(covers("researcher*", "researchers"));
        assert!(covers("microsoft {exchange|office}", "microsoft"));
        assert!(covers("{cisco|adobe} {switch*|zero-day*}", "adobe"));
        assert!(covers("forged documents", "leaked ~ documents"));
        assert!(covers("documents leaked", "published documents"));
        // Gaps and lists stand for any words.
        assert!(covers("backed by the ~ government", "government"));
        assert!(covers("stole at least million", "stole ~ million"));
        assert!(covers("nato ... attributed", "nato"));
        // No word in common.
        assert!(!covers("researchers at", "researcher"));
        assert!(!covers("google docs", "tech compan*"));
        assert!(!covers("sabotage of", "plc"));
        assert!(PhrasePattern::new("{a|b").is_err());
    }

    #[test]
    fn a_list_stands_for_the_rest_of_a_list_of_names() {
        let mut set = PhraseSet::default();
        set.add("nato ... attributed").unwrap();
        let found = |t: &str| -> Vec<String> {
            set.find(&words(t), &negation())
                .iter()
                .map(|h| t[h.span.0..h.span.1].to_string())
                .collect()
        };
        // However long the list, and however it is joined.
        assert_eq!(found("NATO attributed it."), ["NATO attributed"]);
        assert_eq!(found("the US and NATO attributed it"), ["NATO attributed"]);
        assert_eq!(
            found(
                "On 19 July the US, the UK, the EU, NATO, Japan, Australia, Canada and New Zealand \
                 attributed the campaign to China."
            ),
            ["NATO, Japan, Australia, Canada and New Zealand attributed"]
        );
        assert_eq!(
            found("NATO and the United Kingdom attributed it"),
            ["NATO and the United Kingdom attributed"]
        );
        // A clause, a word going on with NATO's own item, a long item or another sentence is
        // not a list.
        assert!(found("NATO was hit, the US attributed it to Russia.").is_empty());
        assert!(found("NATO's network went down and Ukraine attributed it.").is_empty());
        assert!(found("NATO forces attributed it").is_empty());
        assert!(found("NATO, a large defence alliance attributed").is_empty());
        assert!(found("NATO. Japan attributed it").is_empty());
        assert!(found("NATO, and attributed").is_empty());
        for bad in ["... attributed", "nato ...", "nato ~ ... attributed"] {
            assert!(set.add(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quotation_marks_enclose_someones_words() {
        let text =
            r#"a picture and the message "Russian children have fun" on «the site» of "Girls"#;
        let at = |w: &str| {
            let i = text.find(w).unwrap();
            (i, i + w.len())
        };
        assert!(quoted(text, at("children")));
        assert!(quoted(text, at("site")));
        assert!(!quoted(text, at("picture")));
        // An opening mark never closed quotes nothing.
        assert!(!quoted(text, at("Girls")));
        let curly = "the “Girls” account and girls";
        assert!(quoted(
            curly,
            (
                curly.find("Girls").unwrap(),
                curly.find("Girls").unwrap() + 5
            )
        ));
        assert!(!quoted(curly, (curly.len() - 5, curly.len())));
    }

    #[test]
    fn what_a_report_says_a_victim_is() {
        let said = |name: &str, text: &str| -> Vec<String> {
            victim_descriptions(name, text, &words(text))
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        // The words right before the name, back to a function word or a verb.
        assert_eq!(
            said(
                "Energy One",
                "The Australian software provider Energy One confirms an attack."
            ),
            ["Australian software provider"]
        );
        assert_eq!(said("Acme", "Clop lists UK-based firm Acme."), ["firm"]);
        assert!(said("Acme", "Hackers breached Acme on Monday.").is_empty());
        // An apposition after it, up to a qualifier or punctuation; a short form in brackets
        // and a legal form in the name do not stand in the way.
        assert_eq!(
            said(
                "Studio Barba",
                "Studio Barba, an Italian accounting firm, is hit by ransomware."
            ),
            ["an Italian accounting firm"]
        );
        assert_eq!(
            said(
                "Reading Light Department (RMLD)",
                "The Reading Light Department (RMLD), an electric utility in Massachusetts, was hit."
            ),
            ["an electric utility"]
        );
        assert_eq!(
            said(
                "Acme, Inc.",
                "Acme, the largest maker of anvils, confirms it."
            ),
            ["the largest maker of anvils"]
        );
        // Without an article it is a list, not an apposition; a name not in the text says nothing.
        assert!(said("Acme", "Acme, Globex and Initech were hit.").is_empty());
        assert!(said("Initrode", "Acme, a bank, was hit.").is_empty());
    }

    #[test]
    fn negation_is_local() {
        let mut set = PhraseSet::default();
        set.add("ransomware").unwrap();
        set.add("ransom").unwrap();
        let hit = |t: &str| set.find(&words(t), &negation())[0].negated;
        assert!(hit("This was not ransomware."));
        assert!(hit("with no sign of ransomware"));
        assert!(!hit("It was not clear. Ransomware was found."));
        assert!(!hit("they did not pay the ransom"));
        assert!(!hit("not a wiper but ransomware"));
        assert!(!hit("ransomware, not a wiper"));
    }
}
