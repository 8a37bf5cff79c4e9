//! Paraphrase matching: does a sentence restate one option's own words more than the other's?
//!
//! Only the words that tell the options apart count (two options often share "chemotherapy" or
//! "surgery"). Each word carries a polarity: a negation makes the next content word negated,
//! in the options and in the answer alike. So "Report" and "Do not report" differ by their
//! polarity of "report": "Report." restates the first and "I would not report" the second,
//! while "no sitter" still names the option that has a sitter (the scorer then reads the "no"
//! as rejecting it).

use super::stem::{StartSet, Stem};
use super::text::{is_negation, is_stopword, word_role, words, WordRole};
use std::ops::Range;

/// At most this many telling stems per option are kept: options are one line, and a fixed
/// bound keeps matching a bitmask.
const MAX_STEMS: usize = 64;

/// One word that tells an option apart.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Telling {
    stem: Stem,
    /// The option says it under a negation ("Do *not report*").
    negated: bool,
    /// The other option has the same stem with the other polarity.
    opposed: bool,
}

/// The two options, prepared for matching. Build once per dilemma, reuse for every answer.
#[derive(Debug, Clone, Default)]
pub struct OptionPair {
    /// Stems (with polarity) found in one option and not the other.
    telling: [Vec<Telling>; 2],
    /// Starts of the telling stems and their synonyms.
    starts: StartSet,
    /// An option's leading action when the other option shares the word but does not lead
    /// with it ("*List* him" vs "Defer *listing*"): it tells them apart only as the word an
    /// answer's clause leads with.
    heads: [Option<(Stem, bool)>; 2],
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
    /// A negated word of the option was matched under a negation, so a "not" before it is no
    /// flip.
    pub negation_matched: bool,
}

/// Most content words a negation governs in a row: "without *palliative sedation*".
const NEGATION_RUN: u8 = 3;

/// Tracks which content words a negation governs: the next one, skipping function words, and
/// the content words right after it ("no *breathing machine*"), up to the next function word
/// ("do not *report* the patient's dementia").
#[derive(Default)]
struct Polarity {
    pending: bool,
    run: u8,
}

impl Polarity {
    /// Feed a word and whether it is a negation; returns whether it is a content word under a
    /// negation, or `None` when the word is itself a negation.
    fn feed(&mut self, word: &str, negation: bool) -> Option<bool> {
        if negation {
            self.pending = true;
            self.run = 0;
            return None;
        }
        if self.run > 0 {
            if is_stopword(word) {
                self.run = 0;
                return Some(false);
            }
            self.run -= 1;
            return Some(true);
        }
        if !self.pending || is_stopword(word) || is_scope_filler(word) {
            return Some(false);
        }
        self.pending = false;
        self.run = NEGATION_RUN - 1;
        Some(true)
    }

    fn reset(&mut self) {
        self.pending = false;
        self.run = 0;
    }
}

/// Words between a negation and the word it governs: "do not *really* want", "not *even* try".
fn is_scope_filler(word: &str) -> bool {
    [
        "really",
        "even",
        "ever",
        "yet",
        "necessarily",
        "immediately",
    ]
    .iter()
    .any(|f| f.eq_ignore_ascii_case(word))
}

/// Verb forms that, before these nouns, name a thing rather than the action: "waiting list",
/// "informed consent".
const NOUN_USES: &[(&str, &[&str])] = &[
    ("waiting", &["list", "room", "time"]),
    ("informed", &["consent", "decision", "choice", "refusal"]),
];

/// Whether `word`, followed by `after`, is a verb form used as part of a noun.
fn is_noun_use(word: &str, after: &str) -> bool {
    NOUN_USES.iter().any(|(verb, nouns)| {
        word.eq_ignore_ascii_case(verb) && {
            let next = after.trim_start();
            let next = &next[..next
                .bytes()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(next.len())];
            nouns.iter().any(|n| next.eq_ignore_ascii_case(n))
        }
    })
}

fn ends_ignore_case(word: &str, suffix: &str) -> bool {
    let (w, s) = (word.as_bytes(), suffix.as_bytes());
    w.len() >= s.len() && w[w.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// Words a clause may start with before its action: "I'd *list* him", "so, *report*".
fn is_lead_filler(word: &str) -> bool {
    [
        "i'd",
        "we'd",
        "i'll",
        "we'll",
        "let's",
        "just",
        "simply",
        "still",
        "go",
        "ahead",
        "please",
        "yes",
        "ok",
        "okay",
        "definitely",
        "clearly",
        "now",
        "then",
    ]
    .iter()
    .any(|f| f.eq_ignore_ascii_case(word))
}

fn content_stems(text: &str) -> Vec<(Stem, bool)> {
    let mut stems = Vec::new();
    let mut polarity = Polarity::default();
    // Inside "rather than ..." / "instead of ...": the option rejects what follows.
    let mut rejected = false;
    let mut last_end = 0;
    for r in words(text) {
        if breaks_clause(&text[last_end..r.start]) {
            rejected = false;
        }
        if breaks_clause(&text[last_end..r.start]) || is_conjunction(&text[r.clone()]) {
            polarity.reset();
        }
        let word = &text[r.clone()];
        if word.eq_ignore_ascii_case("rather") || word.eq_ignore_ascii_case("instead") {
            rejected = true;
        }
        last_end = r.end;
        for w in text[r].split('-') {
            let Some(negated) = polarity.feed(w, is_negation(w)) else {
                continue;
            };
            let negated = negated || rejected;
            if !is_stopword(w) && !is_noun_use(w, &text[last_end..]) {
                let s = (Stem::of(w), negated);
                if !stems.contains(&s) {
                    stems.push(s);
                }
            }
        }
    }
    stems
}

/// "and"/"or" end a negation's reach: "Do not report *and* keep working with the family".
fn is_conjunction(word: &str) -> bool {
    word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or")
}

/// Where an option's action ends and a clause describing the people or the reasons begins
/// ("..., as the patient's children insist", "... despite her husband's request").
const DESCRIPTOR_OPENERS: &[&str] = &[
    " despite ",
    " who ",
    " whose ",
    " because ",
    " since ",
    " although ",
    " even though ",
    ", as ",
    " as the ",
    " as his ",
    " as her ",
    " as their ",
    " as she ",
    " as he ",
    " as they ",
    " as requested",
    " as per ",
];

/// The stems of an option's action: the words before a descriptive clause, when they hold at
/// least two content words (the clause describes the case, which answers to either option
/// talk about); else the whole option.
fn action_stems(option: &str) -> Vec<(Stem, bool)> {
    let lower = option.to_ascii_lowercase();
    let cut = DESCRIPTOR_OPENERS
        .iter()
        .filter_map(|o| lower.find(o))
        .min()
        .unwrap_or(option.len());
    if cut < option.len() {
        let action = content_stems(&option[..cut]);
        if action.len() >= 2 {
            return action;
        }
    }
    content_stems(option)
}

impl OptionPair {
    pub fn new(option1: &str, option2: &str) -> OptionPair {
        let a = action_stems(option1);
        let b = action_stems(option2);
        let only = |x: &[(Stem, bool)], y: &[(Stem, bool)]| -> Vec<Telling> {
            x.iter()
                .filter(|s| !y.contains(s))
                .take(MAX_STEMS)
                .map(|&(stem, negated)| Telling {
                    stem,
                    negated,
                    opposed: y.contains(&(stem, !negated)),
                })
                .collect()
        };
        let telling = [only(&a, &b), only(&b, &a)];
        let head = |x: &[(Stem, bool)], y: &[(Stem, bool)]| {
            x.first()
                .copied()
                .filter(|h| y.contains(h) && y.first() != Some(h))
        };
        let heads = [head(&a, &b), head(&b, &a)];
        let mut starts = StartSet::default();
        for t in telling.iter().flatten() {
            t.stem.add_starts_to(&mut starts);
        }
        OptionPair {
            telling,
            starts,
            heads,
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
        let mut polarity = Polarity::default();
        let has_heads = self.heads.iter().any(Option::is_some);
        let mut last_end = 0;
        for r in words(sentence) {
            let gap = &sentence[last_end..r.start];
            last_end = r.end;
            let w = &sentence[r.clone()];
            let role = word_role(w);
            if role == WordRole::ClauseOpener || breaks_clause(gap) {
                hits.extend(self.judge_clause(&clause, offset));
                clause = ClauseState::default();
                polarity.reset();
            }
            if is_conjunction(w) {
                polarity.reset();
            }
            // "hand-feed" matches "hand feeding": hyphenated parts count one by one.
            let parts = if w.as_bytes().contains(&b'-') {
                Parts::Split(w.split('-'))
            } else {
                Parts::One(Some(w))
            };
            for part in parts {
                let negation = if part.len() == w.len() {
                    role == WordRole::Negation
                } else {
                    is_negation(part)
                };
                let Some(negated) = polarity.feed(part, negation) else {
                    continue;
                };
                let lead =
                    has_heads && !clause.lead_passed && !is_stopword(part) && !is_lead_filler(part);
                if lead {
                    clause.lead_passed = true;
                }
                // Only the plain verb leads as an action: "list him", not "listing criteria".
                if lead && !ends_ignore_case(part, "ing") && !ends_ignore_case(part, "ed") {
                    self.match_head(&mut clause, Stem::of(part), negated, r.clone());
                }
                if part.len() >= 3 && self.may_tell(part) && !is_noun_use(part, &sentence[r.end..])
                {
                    self.match_word(&mut clause, Stem::of(part), negated, r.clone());
                }
            }
        }
        hits.extend(self.judge_clause(&clause, offset));
        hits
    }

    /// Count the word a clause leads with when it is an option's leading action; led with
    /// under a negation ("do not *sign*"), it backs the other option.
    fn match_head(&self, clause: &mut ClauseState, stem: Stem, negated: bool, at: Range<usize>) {
        for k in 0..2 {
            let target = match self.heads[k] {
                Some(h) if h == (stem, negated) => k,
                Some(h) if h == (stem, !negated) => 1 - k,
                _ => continue,
            };
            clause.contra[target] += 1;
            let s = clause.span[target].get_or_insert(at.clone());
            s.end = at.end;
        }
    }

    /// Count one answer word (its stem and whether a negation governs it) in the clause.
    fn match_word(&self, clause: &mut ClauseState, stem: Stem, negated: bool, at: Range<usize>) {
        for k in 0..2 {
            for (i, t) in self.telling[k].iter().enumerate() {
                if t.stem != stem {
                    continue;
                }
                let target = if t.negated == negated {
                    clause.seen[k] |= 1 << i;
                    clause.negation_matched[k] |= t.negated;
                    k
                } else if t.opposed {
                    // The other option holds this polarity and matches in its own turn.
                    continue;
                } else if t.negated {
                    // The answer does what option k says not to: that backs the other one.
                    clause.contra[1 - k] += 1;
                    1 - k
                } else {
                    // Option k's word under a negation ("no sitter"): a mention of k that the
                    // scorer's negation cues flip.
                    clause.seen[k] |= 1 << i;
                    k
                };
                let s = clause.span[target].get_or_insert(at.clone());
                s.end = at.end;
            }
        }
    }

    /// Whether a word could be telling at all: its first two letters start some telling stem
    /// or synonym (most words fail here, before a stem is built).
    fn may_tell(&self, word: &str) -> bool {
        self.starts.may_start(word.as_bytes())
    }

    fn judge_clause(&self, c: &ClauseState, offset: usize) -> Option<ParaphraseHit> {
        // Matching three or four telling words is a full restatement, however long the option.
        let share = |k: usize| {
            let hits = c.seen[k].count_ones() as usize + c.contra[k];
            // An option with no telling word of its own is still backed by contradictions.
            let total = self.telling[k].len().clamp(1, 4);
            ((hits as f64 / total as f64).min(1.0), hits)
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
            negation_matched: c.negation_matched[best],
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
    /// Words that back an option by contradicting the other (see `match_word`) or by leading
    /// with its action (see `match_head`).
    contra: [usize; 2],
    span: [Option<Range<usize>>; 2],
    negation_matched: [bool; 2],
    /// The clause's first content word has been seen.
    lead_passed: bool,
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
    fn polarity_tells_an_option_from_its_negation() {
        let p = OptionPair::new(
            "Report the dementia to the licensing authority",
            "Do not report and keep working with the family",
        );
        assert_eq!(p.match_clauses("Report.", 0)[0].option, 0);
        let hits = p.match_clauses("I would not report him.", 0);
        assert_eq!(hits[0].option, 1);
        assert!(hits[0].negation_matched);
    }

    #[test]
    fn synonyms_and_noun_uses() {
        let p = OptionPair::new(
            "Inform the parents before the procedure",
            "Proceed without informing the parents",
        );
        assert_eq!(p.match_clauses("Tell the parents first", 0)[0].option, 0);
        assert!(p.match_clauses("She gave informed consent", 0).is_empty());
    }

    #[test]
    fn a_shared_action_counts_where_a_clause_leads_with_it() {
        let p = OptionPair::new("List him for a transplant", "Defer listing until release");
        assert_eq!(p.match_clauses("So list him.", 0)[0].option, 0);
        assert!(p
            .match_clauses("The listing criteria are met.", 0)
            .is_empty());
        assert_eq!(p.match_clauses("Do not list him yet.", 0)[0].option, 1);
    }

    #[test]
    fn a_descriptive_clause_does_not_tell() {
        let p = OptionPair::new(
            "Withdraw ventilation now, as the patient requests",
            "Postpone withdrawal until mediation, as the patient's children insist",
        );
        assert!(p.match_clauses("His children insist on it", 0).is_empty());
        assert_eq!(p.match_clauses("Withdraw it now", 0)[0].option, 0);
    }

    #[test]
    fn what_an_option_puts_after_rather_than_is_rejected() {
        let p = OptionPair::new(
            "Give the drug covertly in her food",
            "Stop the drug rather than give it covertly",
        );
        assert_eq!(p.match_clauses("Covert administration", 0)[0].option, 0);
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
