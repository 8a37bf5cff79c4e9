//! Phrasal verbs and idioms read as the plain verb they mean: "turn it down" is "decline",
//! "take him off the ventilator" is "withdraw", "come clean" is "disclose". Answers in a
//! clinician's own voice name an option's action this way far more often than its wording.
//!
//! A phrase is a few words; `_` stands for at most [`SLOT_WORDS`] words between its parts
//! ("take *the tube* out", "turn *it* down"). The plain verb then goes through the usual
//! stems and synonym classes, so "decline" meets "refuse" and "withdraw" meets "stop".

use crate::decide::lexicon::WordClass;
use crate::decide::text::{packed_lowercase, words};

/// Most words a `_` slot spans.
const SLOT_WORDS: usize = 3;

/// (phrase, the verb it means). Idioms whose meaning depends on the case ("call it", "let
/// it stand") are left out: they would name an action only in some dilemmas.
const PHRASES: &[(&str, &str)] = &[
    ("turn _ down", "decline"),
    ("turn down", "decline"),
    ("turn _ away", "refuse"),
    ("say no", "decline"),
    ("sit tight", "wait"),
    ("hold fire", "wait"),
    ("hold off", "defer"),
    ("go ahead", "proceed"),
    ("press ahead", "proceed"),
    ("push ahead", "proceed"),
    ("press on", "proceed"),
    ("push on", "proceed"),
    ("crack on", "proceed"),
    ("go for it", "proceed"),
    ("stand down", "stop"),
    ("back off", "stop"),
    ("pull the plug", "withdraw"),
    ("take _ off", "withdraw"),
    ("pull _ off", "withdraw"),
    ("take _ out", "withdraw"),
    ("come off", "withdraw"),
    ("go along with", "respect"),
    ("fess up", "disclose"),
    ("come clean", "disclose"),
    ("own up", "disclose"),
    ("level with", "tell"),
    ("let _ know", "tell"),
    ("be upfront", "disclose"),
    ("keep quiet", "withhold"),
    ("keep _ quiet", "withhold"),
    ("hush _ up", "conceal"),
    ("cover _ up", "conceal"),
    ("cover up", "conceal"),
    ("sign _ up", "enrol"),
    ("sign up", "enrol"),
    ("blow the whistle", "report"),
    ("write _ script", "prescribe"),
    ("send _ home", "discharge"),
    ("put _ under", "sedate"),
    ("hand _ over", "give"),
    ("turn off", "stop"),
    ("turn _ off", "stop"),
    ("switch off", "stop"),
    ("switch _ off", "stop"),
    ("turning off", "stop"),
    ("turning _ off", "stop"),
    ("pass on this one", "decline"),
    ("pass on that one", "decline"),
];

/// When a phrase starts at word `at` of `text` (a byte range from [`words`]) whose classes
/// are `class`, the verb it means and the byte where the phrase ends.
pub(super) fn phrase_at(
    text: &str,
    at: &std::ops::Range<usize>,
    class: WordClass,
) -> Option<(&'static str, usize)> {
    // Most words start no phrase: one bit of the word's classes says so, before any lookahead
    // (this runs on every word of every answer).
    if !class.starts_phrase() {
        return None;
    }
    let key = packed_lowercase(&text[at.clone()])?;
    let table = table();
    let from = table.partition_point(|p| p.key < key);
    let rest = &text[at.end..];
    table[from..]
        .iter()
        .take_while(|p| p.key == key)
        .find_map(|p| matches_rest(rest, p.rest.iter().copied()).map(|end| (p.verb, at.end + end)))
}

/// The first words of the phrases, which the lexicon marks (see [`WordClass::starts_phrase`]).
pub(crate) fn first_words() -> impl Iterator<Item = &'static str> {
    PHRASES
        .iter()
        .map(|(phrase, _)| phrase.split(' ').next().unwrap_or_default())
}

/// A phrase split once: its first word's key, the words after it, and its verb.
struct Entry {
    key: u64,
    rest: Vec<&'static str>,
    verb: &'static str,
}

/// [`PHRASES`] split and sorted by first word (stable, so a phrase listed first is tried
/// first).
fn table() -> &'static [Entry] {
    static TABLE: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Vec<Entry> = PHRASES
            .iter()
            .map(|(phrase, verb)| {
                let mut parts = phrase.split(' ');
                let first = parts.next().unwrap_or_default();
                Entry {
                    key: packed_lowercase(first).expect("a phrase's first word is 1-8 letters"),
                    rest: parts.collect(),
                    verb,
                }
            })
            .collect();
        t.sort_by_key(|e| e.key);
        t
    })
}

/// Whether `rest` (the text after a phrase's first word) goes on with `parts`, each a word
/// or a `_` slot; returns where the match ends. Only plain spaces may separate the words:
/// punctuation ends the phrase.
fn matches_rest<'a>(rest: &str, parts: impl Iterator<Item = &'a str>) -> Option<usize> {
    let mut pos = 0;
    let mut slot = false;
    for part in parts {
        if part == "_" {
            slot = true;
            continue;
        }
        let mut skipped = 0;
        loop {
            let (word, end) = next_word(rest, pos)?;
            if rest[word.0..word.1].eq_ignore_ascii_case(part) {
                pos = end;
                break;
            }
            skipped += 1;
            if !slot || skipped > SLOT_WORDS {
                return None;
            }
            pos = end;
        }
        slot = false;
    }
    Some(pos)
}

/// The next word after byte `pos` of `rest`, when only spaces lie between: (its range, end).
fn next_word(rest: &str, pos: usize) -> Option<((usize, usize), usize)> {
    let r = words(&rest[pos..]).next()?;
    let gap = &rest[pos..pos + r.start];
    if !gap.bytes().all(|b| b == b' ') || gap.is_empty() {
        return None;
    }
    Some(((pos + r.start, pos + r.end), pos + r.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_start(text: &str) -> Option<(&'static str, usize)> {
        let first = words(text).next()?;
        phrase_at(text, &first, WordClass::of(&text[first.clone()]))
    }

    #[test]
    fn every_phrase_is_in_the_table() {
        assert_eq!(table().len(), PHRASES.len());
    }

    #[test]
    fn phrases_and_their_slots_are_read() {
        assert_eq!(at_start("turn it down"), Some(("decline", 12)));
        assert_eq!(at_start("Take him off the vent"), Some(("withdraw", 12)));
        assert_eq!(
            at_start("take the breathing tube out"),
            Some(("withdraw", 27))
        );
        assert_eq!(at_start("come clean with them"), Some(("disclose", 10)));
        assert_eq!(at_start("Go ahead."), Some(("proceed", 8)));
        assert_eq!(at_start("let her know soon"), Some(("tell", 12)));
    }

    #[test]
    fn near_misses_are_not_phrases() {
        for t in [
            "turn",
            "turn, down",
            "take a long time to think it off",
            "go home",
            "take care",
            "come",
            "keep talking to her",
        ] {
            assert_eq!(at_start(t), None, "{t}");
        }
    }
}
