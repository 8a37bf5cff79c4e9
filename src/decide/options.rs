//! Paraphrase matching: does a sentence restate one option's own words more than the other's?
//!
//! Only the words that tell the options apart count (two options often share "chemotherapy" or
//! "surgery"). A negation in an option ("Do not schedule surgery") is one more telling word, so
//! "I would not schedule surgery" matches it rather than being read as a negated mention.

use super::text::{is_negation, is_stopword, word_role, words, Stem, WordRole};
use std::ops::Range;

/// At most this many telling stems per option are kept: options are one line, and a fixed
/// bound keeps matching a bitmask.
const MAX_STEMS: usize = 64;

/// The two options, prepared for matching. Build once per dilemma, reuse for every answer.
#[derive(Debug, Clone, Default)]
pub struct OptionPair {
    /// Stems found in one option and not the other.
    telling: [Vec<Stem>; 2],
    /// Whether the option is phrased with a negation the other lacks.
    negated: [bool; 2],
    /// Set of the first bytes of the telling stems (a 256-bit set).
    first_bytes: [u64; 4],
}

/// A sentence that restates one option's telling words.
#[derive(Debug, Clone, PartialEq)]
pub struct ParaphraseHit {
    /// 0 for choice 1, 1 for choice 2.
    pub option: usize,
    /// Share of that option's telling words matched minus the other's share, in (0, 1].
    pub strength: f64,
    /// From the first to the last matched word.
    pub span: Range<usize>,
    /// The option's own negation was matched, so a "not" before it is no flip.
    pub negation_matched: bool,
}

fn content_stems(text: &str) -> (Vec<Stem>, bool) {
    let mut stems = Vec::new();
    let mut negated = false;
    for w in words(text).flat_map(|r| text[r].split('-')) {
        if is_negation(w) {
            negated = true;
        } else if !is_stopword(w) {
            let s = Stem::of(w);
            if !stems.contains(&s) {
                stems.push(s);
            }
        }
    }
    (stems, negated)
}

impl OptionPair {
    pub fn new(option1: &str, option2: &str) -> OptionPair {
        let (a, neg_a) = content_stems(option1);
        let (b, neg_b) = content_stems(option2);
        let only = |x: &[Stem], y: &[Stem]| -> Vec<Stem> {
            x.iter()
                .filter(|s| !y.contains(s))
                .take(MAX_STEMS)
                .copied()
                .collect()
        };
        let telling = [only(&a, &b), only(&b, &a)];
        let mut first_bytes = [0u64; 4];
        for stem in telling.iter().flatten() {
            let b = stem.first_byte();
            first_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        OptionPair {
            telling,
            negated: [neg_a && !neg_b, neg_b && !neg_a],
            first_bytes,
        }
    }

    /// Whether either option has telling words at all (identical options cannot be matched).
    pub fn is_matchable(&self) -> bool {
        self.telling.iter().any(|t| !t.is_empty())
    }

    /// The clauses of `sentence` that clearly restate one option. `sentence` is a slice of the
    /// answer starting at byte `offset`; spans are in answer coordinates. Clauses break at
    /// punctuation and at contrast or reason words ("over", "rather", "because"), so
    /// "transfuse over withholding" yields two clauses the scorer can read apart.
    pub fn match_clauses(&self, sentence: &str, offset: usize) -> Vec<ParaphraseHit> {
        let mut hits = Vec::new();
        if !self.is_matchable() {
            return hits;
        }
        let mut clause = ClauseState::default();
        let mut last_end = 0;
        for r in words(sentence) {
            let gap = &sentence[last_end..r.start];
            last_end = r.end;
            let w = &sentence[r.clone()];
            let role = word_role(w);
            if role == WordRole::ClauseOpener || breaks_clause(gap) {
                hits.extend(self.judge_clause(&clause, offset));
                clause = ClauseState::default();
            }
            if role == WordRole::Negation {
                clause.has_negation = true;
                continue;
            }
            // "hand-feed" matches "hand feeding": hyphenated parts count one by one.
            let parts = if w.as_bytes().contains(&b'-') {
                Parts::Split(w.split('-'))
            } else {
                Parts::One(Some(w))
            };
            for part in parts.filter(|p| p.len() >= 3 && self.may_tell(p)) {
                let stem = Stem::of(part);
                for k in 0..2 {
                    if let Some(i) = self.telling[k].iter().position(|s| *s == stem) {
                        clause.seen[k] |= 1 << i;
                        let s = clause.span[k].get_or_insert(r.clone());
                        s.end = r.end;
                    }
                }
            }
        }
        hits.extend(self.judge_clause(&clause, offset));
        hits
    }

    /// Whether a word could be telling at all: its first letter starts some telling stem
    /// (most words fail here, before a stem is built).
    fn may_tell(&self, word: &str) -> bool {
        let b = word.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
        self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn judge_clause(&self, c: &ClauseState, offset: usize) -> Option<ParaphraseHit> {
        // Matching three or four telling words is a full restatement, however long the option.
        let share = |k: usize| {
            let hits =
                c.seen[k].count_ones() as usize + usize::from(self.negated[k] && c.has_negation);
            let total = (self.telling[k].len() + usize::from(self.negated[k])).min(4);
            if total == 0 {
                (0.0, 0)
            } else {
                ((hits as f64 / total as f64).min(1.0), hits)
            }
        };
        let (s0, h0) = share(0);
        let (s1, h1) = share(1);
        let (best, hits, best_share, other) = if s0 >= s1 {
            (0, h0, s0, s1)
        } else {
            (1, h1, s1, s0)
        };
        let strength = best_share - other;
        if hits == 0 || strength < 0.2 {
            return None;
        }
        // A single shared-looking word is weak evidence; say so in the strength.
        let strength = if hits >= 2 { strength } else { strength * 0.6 };
        let span = c.span[best].clone().unwrap_or(0..0);
        Some(ParaphraseHit {
            option: best,
            strength,
            span: span.start + offset..span.end + offset,
            negation_matched: self.negated[best] && c.has_negation,
        })
    }
}

/// Whether the text between two words ends a clause: `,;:()` or a dash.
fn breaks_clause(gap: &str) -> bool {
    let bytes = gap.as_bytes();
    bytes
        .iter()
        .any(|b| matches!(b, b',' | b';' | b':' | b'(' | b')'))
        // Both dashes start with 0xE2: look for them only then.
        || (bytes.contains(&0xE2) && (gap.contains('—') || gap.contains('–')))
}

/// The parts of a word between hyphens, without a searcher for the usual unhyphenated word.
enum Parts<'a> {
    One(Option<&'a str>),
    Split(std::str::Split<'a, char>),
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Parts::One(w) => w.take(),
            Parts::Split(s) => s.next(),
        }
    }
}

/// What one clause matched so far.
#[derive(Default)]
struct ClauseState {
    seen: [u64; 2],
    span: [Option<Range<usize>>; 2],
    has_negation: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_option_whose_telling_words_appear() {
        let p = OptionPair::new(
            "Proceed with the scheduled chemotherapy infusion.",
            "Cancel chemotherapy and continue symptom-focused care only.",
        );
        let s = "I advise cancelling chemotherapy and continuing symptom-focused care.";
        let hits = p.match_clauses(s, 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].option, 1);
        assert!(hits[0].span.start >= 10);
        assert!(p.match_clauses("Chemotherapy is hard.", 0).is_empty());
    }

    #[test]
    fn option_negation_counts_as_a_telling_word() {
        let p = OptionPair::new(
            "Schedule surgery now",
            "Do not schedule surgery now; continue surveillance",
        );
        let hits = p.match_clauses("We should not schedule surgery and keep up surveillance", 0);
        assert_eq!(hits[0].option, 1);
        assert!(hits[0].negation_matched);
    }

    #[test]
    fn identical_options_never_match() {
        let p = OptionPair::new("Same text", "same text");
        assert!(!p.is_matchable());
        assert!(p.match_clauses("same text", 0).is_empty());
    }

    #[test]
    fn contrast_words_split_clauses() {
        let p = OptionPair::new("Transfuse now", "Withhold blood and give iron");
        let hits = p.match_clauses("I favour transfusing over withholding", 0);
        assert_eq!(
            hits.iter().map(|h| h.option).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
}
