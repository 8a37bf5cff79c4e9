//! Apostrophes read the one way every cue spells them. Models often write "don’t" and "I’d",
//! and chat writers "dont" and "isnt"; every cue, negation and word list spells "don't". So a
//! "’" between letters becomes "'", a contraction written without its apostrophe gets one, and
//! spans found in the plain text are mapped back to the original. A "’" next to a space or
//! punctuation closes a quotation and is left for [`super::quote`].

use memchr::memmem::Finder;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// The right single quotation mark, U+2019, in UTF-8.
const CURLY: &str = "\u{2019}";
/// Bytes saved by each replacement.
const SAVED: usize = CURLY.len() - 1;

/// Contractions chat writers spell without the apostrophe, with where it goes (bytes from the
/// word's start). Only words that are not also ordinary words: "ill", "its", "id", "im" ("IM"
/// is intramuscular), "lets", "hes" and "shes" stay as written.
const BARE_CONTRACTIONS: &[(&str, usize)] = &[
    ("dont", 3),
    ("doesnt", 5),
    ("didnt", 4),
    ("wont", 3),
    ("wouldnt", 6),
    ("shouldnt", 7),
    ("couldnt", 6),
    ("cant", 3),
    ("isnt", 3),
    ("arent", 4),
    ("wasnt", 4),
    ("werent", 5),
    ("havent", 5),
    ("hasnt", 4),
    ("hadnt", 4),
    ("mustnt", 5),
    ("thats", 4),
    ("theres", 5),
    ("whats", 4),
    ("youre", 3),
    ("theyre", 4),
    ("ive", 1),
];

/// An answer with its apostrophes made ASCII and restored.
#[derive(Debug)]
pub struct Plain<'a> {
    text: Cow<'a, str>,
    /// Positions, in the text after the first pass, of the apostrophes that replaced a "’",
    /// ascending.
    replaced: Vec<usize>,
    /// Positions, in the plain text, of the apostrophes put into bare contractions, ascending.
    inserted: Vec<usize>,
}

impl<'a> Plain<'a> {
    pub fn new(original: &'a str) -> Plain<'a> {
        let (text, replaced) = ascii_apostrophes(original);
        let (text, inserted) = match restore_contractions(&text) {
            Some((restored, inserted)) => (Cow::Owned(restored), inserted),
            None => (text, Vec::new()),
        };
        Plain {
            text,
            replaced,
            inserted,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the plain text differs from the original.
    pub fn changed(&self) -> bool {
        !self.replaced.is_empty() || !self.inserted.is_empty()
    }

    /// The original text's byte range for a range of the plain text.
    pub fn original_span(&self, span: &Range<usize>) -> Range<usize> {
        self.original_at(span.start)..self.original_at(span.end)
    }

    fn original_at(&self, at: usize) -> usize {
        // Each apostrophe put in before `at` grew the text by one byte (one at `at` itself
        // stands for the letter after it), and each "’" replaced before that shrank it by
        // SAVED bytes.
        let at = at - self.inserted.partition_point(|&i| i < at);
        at + self.replaced.partition_point(|&r| r < at) * SAVED
    }
}

/// The text with every "’" between letters made "'", and where those went.
fn ascii_apostrophes(original: &str) -> (Cow<'_, str>, Vec<usize>) {
    // Most answers have no "’" at all: one byte search, and the text is borrowed.
    if !original.contains(CURLY) {
        return (Cow::Borrowed(original), Vec::new());
    }
    let mut text = String::with_capacity(original.len());
    let mut replaced = Vec::new();
    let mut rest = original;
    while let Some(at) = rest.find(CURLY) {
        let (before, after) = (&rest[..at], &rest[at + CURLY.len()..]);
        text.push_str(before);
        let letter_before = text.chars().next_back().is_some_and(char::is_alphanumeric);
        let letter_after = after.chars().next().is_some_and(char::is_alphanumeric);
        if letter_before && letter_after {
            replaced.push(text.len());
            text.push('\'');
        } else {
            text.push_str(CURLY);
        }
        rest = after;
    }
    text.push_str(rest);
    (Cow::Owned(text), replaced)
}

/// Pieces every word of [`BARE_CONTRACTIONS`] ends with in its usual spellings ("dont",
/// "Dont", "DONT", "Ive"), found by vectorised substring searches: most answers have none of
/// these words, and a walk over every word would cost more than the rest of the reading.
const PIECES: &[&str] = &[
    "nt", "NT", "ats", "eres", "oure", "eyre", "ive", "Ive", "IVE",
];

/// The text with an apostrophe put into each bare contraction, and where those went; `None`
/// when it has none.
fn restore_contractions(text: &str) -> Option<(String, Vec<usize>)> {
    let bytes = text.as_bytes();
    static FINDERS: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| PIECES.iter().map(Finder::new).collect());
    let mut found: Vec<(usize, usize)> = finders
        .iter()
        .flat_map(|finder| {
            let piece = finder.needle().len();
            finder
                .find_iter(bytes)
                .filter_map(move |hit| bare_contraction_at(bytes, hit, piece))
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    found.dedup();
    let mut out = String::with_capacity(text.len() + found.len());
    let mut inserted = Vec::with_capacity(found.len());
    let mut copied = 0;
    for (at, cut) in found {
        out.push_str(&text[copied..at + cut]);
        inserted.push(out.len());
        out.push('\'');
        copied = at + cut;
    }
    out.push_str(&text[copied..]);
    Some((out, inserted))
}

/// The start of the bare contraction ending in the piece found at `hit`, and where its
/// apostrophe goes.
fn bare_contraction_at(bytes: &[u8], hit: usize, piece: usize) -> Option<(usize, usize)> {
    const LONGEST: usize = 8;
    // A word joined to more letters, an apostrophe or a non-ASCII char ("dont's", "éive") is
    // not one; every piece ends its word, so most hits ("patient", "into") stop here.
    let joined =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80);
    let end = hit + piece;
    if joined(bytes.get(end)) {
        return None;
    }
    let mut at = hit;
    while at > 0 && bytes[at - 1].is_ascii_alphanumeric() && end - at <= LONGEST {
        at -= 1;
    }
    if at > 0 && joined(bytes.get(at - 1)) {
        return None;
    }
    let word = &bytes[at..end];
    BARE_CONTRACTIONS
        .iter()
        .find(|(bare, _)| bare.as_bytes().eq_ignore_ascii_case(word))
        .map(|&(_, cut)| (at, cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_apostrophes_become_ascii_and_quotes_stay() {
        let p = Plain::new("I don’t think so; she said ‘no’.");
        assert_eq!(p.as_str(), "I don't think so; she said ‘no’.");
        assert!(p.changed());
        let plain = Plain::new("I don't");
        assert!(!plain.changed() && matches!(plain.text, Cow::Borrowed(_)));
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let original = "I wouldn’t, I’d transfuse.";
        let p = Plain::new(original);
        let at = p.as_str().find("transfuse").unwrap();
        let span = p.original_span(&(at..at + "transfuse".len()));
        assert_eq!(&original[span], "transfuse");
        let span = p.original_span(&(0..p.as_str().len()));
        assert_eq!(span, 0..original.len());
    }

    #[test]
    fn bare_contractions_get_their_apostrophe() {
        let p = Plain::new("i dont think so, Isnt it? IM morphine, ill, its fine. dont’s");
        assert_eq!(
            p.as_str(),
            "i don't think so, Isn't it? IM morphine, ill, its fine. dont's"
        );
        let original = "wouldnt do it’s — i’d wait, cant rush";
        let p = Plain::new(original);
        assert_eq!(p.as_str(), "wouldn't do it's — i'd wait, can't rush");
        for word in ["wait", "rush", "do", "wouldn't"] {
            let at = p.as_str().find(word).unwrap();
            let span = p.original_span(&(at..at + word.len()));
            assert_eq!(&original[span], word.replace('\'', ""));
        }
        assert!(!Plain::new("I don't").changed());
    }

    proptest::proptest! {
        #[test]
        fn every_word_maps_back_to_itself(
            words in proptest::collection::vec(
                "(dont|Isnt|ive|thats|don’t|it’s|patient|nt|é|’|'|\\*)", 0..12),
            gaps in proptest::collection::vec("( |, |’ |—|\n)", 12),
        ) {
            let original: String =
                words.iter().zip(&gaps).map(|(w, g)| format!("{w}{g}")).collect();
            let p = Plain::new(&original);
            let whole = p.original_span(&(0..p.as_str().len()));
            proptest::prop_assert_eq!(whole, 0..original.len());
            let mut from = 0;
            for word in p.as_str().split([' ', ',', '\n', '—']).filter(|w| !w.is_empty()) {
                let at = from + p.as_str()[from..].find(word).unwrap();
                from = at + word.len();
                let span = p.original_span(&(at..from));
                let bare = |t: &str| t.replace(['’', '\''], "");
                proptest::prop_assert_eq!(bare(&original[span]), bare(word));
            }
        }
    }

    #[test]
    fn odd_texts_do_not_panic() {
        for t in [
            "’", "’’", "a’", "’a", "é’é", "a’’b", "dont", "’dont", "dont’", "éive",
        ] {
            let p = Plain::new(t);
            let _ = p.original_span(&(0..p.as_str().len()));
        }
    }
}
