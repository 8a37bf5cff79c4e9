//! Typographic apostrophes read as ASCII ones. Models often write "don’t" and "I’d", and every
//! cue, negation and word list spells "don't"; a "’" between letters becomes "'" before the
//! answer is read, and spans found in the plain text are mapped back to the original. A "’"
//! next to a space or punctuation closes a quotation and is left for [`super::quote`].

use std::borrow::Cow;
use std::ops::Range;

/// The right single quotation mark, U+2019, in UTF-8.
const CURLY: &str = "\u{2019}";
/// Bytes saved by each replacement.
const SAVED: usize = CURLY.len() - 1;

/// An answer with its inner apostrophes made ASCII.
#[derive(Debug)]
pub struct Plain<'a> {
    text: Cow<'a, str>,
    /// Positions, in the plain text, of the apostrophes that replaced a "’", ascending.
    replaced: Vec<usize>,
}

impl<'a> Plain<'a> {
    pub fn new(original: &'a str) -> Plain<'a> {
        // Most answers have no "’" at all: one byte search, and the text is borrowed.
        if !original.contains(CURLY) {
            return Plain {
                text: Cow::Borrowed(original),
                replaced: Vec::new(),
            };
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
        Plain {
            text: Cow::Owned(text),
            replaced,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the plain text differs from the original.
    pub fn changed(&self) -> bool {
        !self.replaced.is_empty()
    }

    /// The original text's byte range for a range of the plain text.
    pub fn original_span(&self, span: &Range<usize>) -> Range<usize> {
        self.original_at(span.start)..self.original_at(span.end)
    }

    fn original_at(&self, at: usize) -> usize {
        // Every replacement before `at` shrank the text by SAVED bytes.
        let before = self.replaced.partition_point(|&r| r < at);
        at + before * SAVED
    }
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
    fn odd_texts_do_not_panic() {
        for t in ["’", "’’", "a’", "’a", "é’é", "a’’b"] {
            let p = Plain::new(t);
            let _ = p.original_span(&(0..p.as_str().len()));
        }
    }
}
