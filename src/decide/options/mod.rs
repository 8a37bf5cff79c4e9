//! Paraphrase matching: does a sentence restate one option's own words more than the other's?
//!
//! Only the words that tell the options apart count (two options often share "chemotherapy" or
//! "surgery"). Each word carries a polarity: a negation makes the next content word negated,
//! in the options and in the answer alike. So "Report" and "Do not report" differ by their
//! polarity of "report": "Report." restates the first and "I would not report" the second,
//! while "no sitter" still names the option that has a sitter (the scorer then reads the "no"
//! as rejecting it).

mod phrasal;
mod words;

use super::lexicon::WordClass;
use super::stem::{negates_action, StartSet, Stem};
use super::text::{words, WordRole};
pub(crate) use phrasal::first_words;
use std::ops::Range;
use words::{action_stems, ends_ignore_case, is_noun_use, Polarity};
pub(crate) use words::{CONJUNCTIONS, DETERMINERS, LEAD_FILLERS, SCOPE_FILLERS};

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
    /// The option's first content word: its action ("*Enrol* the patient in the trial").
    lead: bool,
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
    /// Where the other option's words matched in the same clause end, when they all come
    /// before this hit's: a negation before them is theirs ("not *ordering the MRI* right now
    /// and managing conservatively" rejects the MRI, and backs this hit).
    pub rival_end: Option<usize>,
    /// Where the first of this option's words read under a plain negation starts, when the
    /// hit starts before that negation: the scorer's negation test looks before this word
    /// ("The surgical team should not *proceed*", where "surgical" opened the hit).
    pub negated_at: Option<usize>,
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
                    lead: x.first() == Some(&(stem, negated)),
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
            for anti in t.stem.antonyms() {
                anti.add_starts_to(&mut starts);
            }
        }
        // An abbreviation can only tell when what it stands for does.
        for &(short, full, _) in ABBREVIATIONS {
            let full = Stem::of(full);
            if telling.iter().flatten().any(|t| t.stem == full) {
                starts.insert(short.as_bytes());
            }
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
            if r.start < last_end {
                // Inside a phrase read as one verb.
                continue;
            }
            let gap = &sentence[last_end..r.start];
            let raw = &sentence[r.clone()];
            let raw_class = WordClass::of(raw);
            let (w, r, class) = match phrasal::phrase_at(sentence, &r, raw_class) {
                Some((verb, end)) => (verb, r.start..end, WordClass::of(verb)),
                None => (raw, r, raw_class),
            };
            last_end = r.end;
            if class.role() == WordRole::ClauseOpener || breaks_clause(gap) {
                hits.extend(self.judge_clause(&clause, offset));
                clause = ClauseState::default();
                polarity.reset();
            }
            if class.is_conjunction() {
                polarity.reset();
            }
            // "hand-feed" matches "hand feeding": hyphenated parts count one by one; so do
            // a number and the unit glued to it ("the 78yo" is "the 78-year-old").
            let digits = w.bytes().take_while(u8::is_ascii_digit).count();
            let parts = if w.as_bytes().contains(&b'-') {
                Parts::Split(w.split('-'))
            } else if digits > 0 && digits < w.len() {
                Parts::Two([Some(&w[..digits]), Some(&w[digits..])])
            } else {
                Parts::One(Some(w))
            };
            for part in parts {
                let class = if part.len() == w.len() {
                    class
                } else {
                    WordClass::of(part)
                };
                let Some(negated) = polarity.feed(part, class) else {
                    continue;
                };
                let first = !clause.lead_passed && !class.is_stopword() && !class.is_lead_filler();
                if first {
                    clause.lead_passed = true;
                    // "Withhold the transfusion", "I'd decline it": the clause's own action
                    // rejects; "she refuses dialysis" narrates the case.
                    clause.verb_led = negates_action(part) && !ends_ignore_case(part, "s");
                }
                let lead = has_heads && first;
                // Only the plain verb leads as an action: "list him", not "listing criteria".
                if lead && !ends_ignore_case(part, "ing") && !ends_ignore_case(part, "ed") {
                    self.match_head(&mut clause, Stem::of(part), negated, r.clone());
                }
                // Numbers tell options apart too: "the 81-year-old" against "the 34-year-old".
                let long_enough = part.len() >= 3
                    || (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()));
                if long_enough && self.may_tell(part) && !is_noun_use(part, &sentence[r.end..]) {
                    let (stem, read_negated) = read_word(part, negated);
                    let how = WordNegation {
                        negated: read_negated,
                        by_verb: read_negated && clause.verb_led && polarity.last_by_verb(),
                        carried: read_negated != negated,
                    };
                    let negated = read_negated;
                    self.match_word(&mut clause, stem, how, first, r.clone());
                    // Under a negation the word is read as itself ("don't stop" names the
                    // option that stops, and the scorer's negation cue flips it).
                    if !negated {
                        for anti in stem.antonyms() {
                            self.match_antonym(&mut clause, stem, anti, r.clone());
                        }
                    }
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

    /// Count one answer word (its stem and how a negation bears on it) in the clause.
    /// `first`: the word is the clause's first content word, so
    /// matching an option's own action there ("I wouldn't *enrol* him") says which option
    /// the clause is about.
    fn match_word(
        &self,
        clause: &mut ClauseState,
        stem: Stem,
        how: WordNegation,
        first: bool,
        at: Range<usize>,
    ) {
        let WordNegation {
            negated,
            by_verb,
            carried,
        } = how;
        for k in 0..2 {
            for (i, t) in self.telling[k].iter().enumerate() {
                if t.stem != stem {
                    continue;
                }
                let target = if t.negated == negated {
                    clause.plain_word[k] |= !negated;
                    clause.seen[k] |= 1 << i;
                    clause.action_led[k] |= first && t.lead;
                    // A negation the abbreviation carries ("DNR") is none of the answer's:
                    // "don't write the DNR" still rejects the option.
                    clause.negation_matched[k] |= t.negated && !carried;
                    k
                } else if t.opposed {
                    // The other option holds this polarity and matches in its own turn.
                    continue;
                } else if t.negated {
                    // The answer does what option k says not to: that backs the other one.
                    clause.contra[1 - k] += 1;
                    1 - k
                } else if by_verb {
                    // "Withhold the transfusion" against "Give the transfusion": the verb
                    // rejects option k's word, and no "not" is left for the scorer to flip.
                    clause.contra[1 - k] += 1;
                    clause.verb_negated[1 - k] = true;
                    1 - k
                } else {
                    // Option k's word under a negation ("no sitter"): a mention of k that the
                    // scorer's negation cues flip.
                    if !clause.plain_word[k] {
                        clause.negated_word[k].get_or_insert(at.start);
                    }
                    clause.seen[k] |= 1 << i;
                    clause.action_led[k] |= first && t.lead;
                    k
                };
                let s = clause.span[target].get_or_insert(at.clone());
                s.end = at.end;
            }
        }
    }

    /// Count a plain word whose opposite an option says: "stop" against "Continue dialysis"
    /// backs the other option, against "Do not continue" that one. An option that says the
    /// word itself too ("Stop the medication she keeps refusing") is read by the word alone.
    fn match_antonym(&self, clause: &mut ClauseState, stem: Stem, anti: Stem, at: Range<usize>) {
        for k in 0..2 {
            if self.telling[k].iter().any(|t| t.stem == stem) {
                continue;
            }
            for t in &self.telling[k] {
                if t.stem != anti {
                    continue;
                }
                let target = if t.negated { k } else { 1 - k };
                clause.contra[target] += 1;
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
            // A clause that leads with the option's own action counts it twice.
            let lead = c.action_led[k];
            let hits = c.seen[k].count_ones() as usize + c.contra[k] + usize::from(lead);
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
        let rival_end = c.span[1 - best]
            .as_ref()
            .filter(|r| r.end <= span.start)
            .map(|r| r.end + offset);
        Some(ParaphraseHit {
            option: best,
            strength,
            span: span.start + offset..span.end + offset,
            // A verb's rejection is read already: the scorer's negation cues, which know some
            // of the same verbs ("avoid the scan"), must not flip it back.
            negation_matched: c.negation_matched[best] || c.verb_negated[best],
            rival_end,
            negated_at: c.negated_word[best]
                .filter(|&at| at > span.start)
                .map(|at| at + offset),
        })
    }
}

/// How a negation bears on one answer word.
#[derive(Clone, Copy)]
struct WordNegation {
    negated: bool,
    /// The negation is a negating verb's ("withhold the transfusion"), which the scorer does
    /// not see.
    by_verb: bool,
    /// The negation is one an abbreviation carries ("DNR"), not a word of the answer's.
    carried: bool,
}

/// Clinical abbreviations read as the words they stand for, with the negation they carry:
/// "DNR" is "do not resuscitate".
const ABBREVIATIONS: &[(&str, &str, bool)] = &[
    ("dnr", "resuscitate", true),
    ("dnar", "resuscitate", true),
    ("dnacpr", "resuscitate", true),
    ("cps", "protective", false),
];

/// The stem a word is matched by and whether it is negated, abbreviations expanded (a
/// negation before an abbreviation that carries one cancels it: "no DNR").
pub(super) fn read_word(word: &str, negated: bool) -> (Stem, bool) {
    match ABBREVIATIONS
        .iter()
        .find(|a| a.0.eq_ignore_ascii_case(word))
    {
        Some(&(_, full, carried)) => (Stem::of(full), negated != carried),
        None => (Stem::of(word), negated),
    }
}

/// Whether the text between two words ends a clause: `,;:()` or a dash.
pub(super) fn breaks_clause(gap: &str) -> bool {
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
    Two([Option<&'a str>; 2]),
    Split(std::str::Split<'a, char>),
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Parts::One(w) => w.take(),
            Parts::Two([a, b]) => a.take().or_else(|| b.take()),
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
    /// The clause leads with the option's own action (see `match_word`).
    action_led: [bool; 2],
    /// The other option's word was rejected by a negating verb (see `match_word`).
    verb_negated: [bool; 2],
    /// The clause leads with a negating verb in the form that proposes it.
    verb_led: bool,
    /// The first word of each option read under a plain negation (see `match_word`), unless
    /// one of its words was read plainly before it ("'nothing more to prescribe' doesn't
    /// sound like 'nothing more we can do'" still names the option).
    negated_word: [Option<usize>; 2],
    /// A word of the option was read plainly: matched, and under no negation.
    plain_word: [bool; 2],
}

#[cfg(test)]
mod tests;
