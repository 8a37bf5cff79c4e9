//! What a word is to the readers, found by one table probe: stopword, clause opener, negation,
//! conjunction, lead or scope filler, determiner, first word of a phrasal verb. The lists stay
//! beside the readers that own them (`text`, `options`);
//! this table is built from them once, because the paraphrase matcher's word loop runs on every
//! word of every answer and used to search five lists per word.

use crate::decide::options::{first_words, CONJUNCTIONS, DETERMINERS, LEAD_FILLERS, SCOPE_FILLERS};
use crate::decide::text::{packed_lowercase, WordRole, CLAUSE_OPENERS, NEGATIONS, STOPWORDS};
use std::sync::OnceLock;

/// The classes of one word (any case), as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordClass(u8);

const STOP: u8 = 1;
const OPENER: u8 = 2;
const NEGATION: u8 = 4;
const CONJUNCTION: u8 = 8;
const LEAD_FILLER: u8 = 16;
const SCOPE_FILLER: u8 = 32;
const PHRASE_START: u8 = 64;
const DETERMINER: u8 = 128;

impl WordClass {
    /// The classes of `word`. A possessive is its word for the stopword test ("the
    /// patient's consent", "it's"); a word of one or two letters is a stopword unless it is a
    /// negation ("no") or a number ("IV" is neither, "24" is a number).
    pub fn of(word: &str) -> WordClass {
        let bits = listed(word);
        let stop = match word.strip_suffix("'s").or_else(|| word.strip_suffix("'S")) {
            Some(own) => stop_of(own, listed(own)),
            None => stop_of(word, bits),
        };
        WordClass((bits & !STOP) | if stop { STOP } else { 0 })
    }

    pub fn is_stopword(self) -> bool {
        self.0 & STOP != 0
    }

    pub fn is_negation(self) -> bool {
        self.0 & NEGATION != 0
    }

    pub fn is_conjunction(self) -> bool {
        self.0 & CONJUNCTION != 0
    }

    pub fn is_lead_filler(self) -> bool {
        self.0 & LEAD_FILLER != 0
    }

    pub fn is_scope_filler(self) -> bool {
        self.0 & SCOPE_FILLER != 0
    }

    pub fn is_determiner(self) -> bool {
        self.0 & DETERMINER != 0
    }

    /// The word is the first of a phrasal verb or idiom ("turn", "come", "pull").
    pub fn starts_phrase(self) -> bool {
        self.0 & PHRASE_START != 0
    }

    pub fn role(self) -> WordRole {
        if self.0 & OPENER != 0 {
            WordRole::ClauseOpener
        } else if self.0 & NEGATION != 0 {
            WordRole::Negation
        } else {
            WordRole::Other
        }
    }
}

fn stop_of(word: &str, listed: u8) -> bool {
    if word.len() < 3 {
        listed & NEGATION == 0 && !word.bytes().all(|b| b.is_ascii_digit())
    } else {
        listed & STOP != 0
    }
}

/// Slots of the open-addressed table: a power of two, about four times the listed words, so
/// most probes end at their first slot.
const SLOTS: usize = 1024;

struct Table {
    /// Packed lowercase words (see [`packed_lowercase`]); 0 marks an empty slot, which no
    /// packed word is.
    keys: Box<[u64]>,
    classes: Box<[u8]>,
    /// The listed words longer than a packed key holds, few enough to compare one by one.
    long: Vec<(&'static str, u8)>,
}

fn slot_of(key: u64) -> usize {
    // Fibonacci hashing: the top bits of the product spread the packed letters.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lists: [(&[&'static str], u8); 7] = [
            (STOPWORDS, STOP),
            (CLAUSE_OPENERS, OPENER),
            (NEGATIONS, NEGATION),
            (CONJUNCTIONS, CONJUNCTION),
            (LEAD_FILLERS, LEAD_FILLER),
            (SCOPE_FILLERS, SCOPE_FILLER),
            (DETERMINERS, DETERMINER),
        ];
        let mut t = Table {
            keys: vec![0; SLOTS].into_boxed_slice(),
            classes: vec![0; SLOTS].into_boxed_slice(),
            long: Vec::new(),
        };
        let phrase_starts: Vec<&'static str> = first_words().collect();
        let lists = lists
            .into_iter()
            .chain([(&phrase_starts[..], PHRASE_START)]);
        for (list, bit) in lists {
            for &word in list {
                let Some(key) = packed_lowercase(word) else {
                    match t
                        .long
                        .iter_mut()
                        .find(|(w, _)| w.eq_ignore_ascii_case(word))
                    {
                        Some((_, class)) => *class |= bit,
                        None => t.long.push((word, bit)),
                    }
                    continue;
                };
                let mut slot = slot_of(key);
                while t.keys[slot] != 0 && t.keys[slot] != key {
                    slot = (slot + 1) % SLOTS;
                }
                t.keys[slot] = key;
                t.classes[slot] |= bit;
            }
        }
        t
    })
}

/// The bits of the lists `word` is on.
fn listed(word: &str) -> u8 {
    let t = table();
    let Some(key) = packed_lowercase(word) else {
        return t
            .long
            .iter()
            .find(|(w, _)| w.len() == word.len() && w.eq_ignore_ascii_case(word))
            .map_or(0, |&(_, class)| class);
    };
    let mut slot = slot_of(key);
    loop {
        match t.keys[slot] {
            k if k == key => return t.classes[slot],
            0 => return 0,
            _ => slot = (slot + 1) % SLOTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_word_has_its_class_in_any_case() {
        type Test = fn(WordClass) -> bool;
        let lists: [(&[&str], Test); 6] = [
            (CLAUSE_OPENERS, |c| c.role() == WordRole::ClauseOpener),
            (NEGATIONS, WordClass::is_negation),
            (CONJUNCTIONS, WordClass::is_conjunction),
            (LEAD_FILLERS, WordClass::is_lead_filler),
            (SCOPE_FILLERS, WordClass::is_scope_filler),
            (DETERMINERS, WordClass::is_determiner),
        ];
        for (list, has) in lists {
            for w in list {
                assert!(has(WordClass::of(w)), "{w}");
                assert!(has(WordClass::of(&w.to_ascii_uppercase())), "{w}");
            }
        }
        for w in STOPWORDS {
            assert!(WordClass::of(w).is_stopword(), "{w}");
        }
        for w in first_words() {
            assert!(WordClass::of(w).starts_phrase(), "{w}");
        }
    }

    #[test]
    fn unlisted_words_have_no_class() {
        for w in [
            "",
            "butter",
            "dialysis",
            "nots",
            "no\0",
            "transfusion",
            "shouldnt",
        ] {
            let c = WordClass::of(w);
            assert_eq!(c.role(), WordRole::Other, "{w:?}");
            assert!(
                !c.is_stopword() && !c.is_conjunction() && !c.is_lead_filler(),
                "{w:?}"
            );
        }
    }

    #[test]
    fn stopwords_by_key_match_the_list() {
        for w in STOPWORDS {
            assert!(WordClass::of(w).is_stopword(), "{w}");
            assert!(WordClass::of(&w.to_ascii_uppercase()).is_stopword(), "{w}");
        }
        for w in ["surgery", "not", "no", "12", "includings", "patientz"] {
            assert!(!WordClass::of(w).is_stopword(), "{w}");
        }
    }

    #[test]
    fn word_roles_ignore_case_and_need_the_whole_word() {
        for w in [
            "over", "Rather", "VS", "although", "Whereas", "unless", "but",
        ] {
            assert_eq!(WordClass::of(w).role(), WordRole::ClauseOpener, "{w}");
        }
        for w in [
            "not",
            "No",
            "shouldn't",
            "SHOULDN'T",
            "wouldn't",
            "neither",
            "can't",
        ] {
            assert_eq!(WordClass::of(w).role(), WordRole::Negation, "{w}");
        }
        for w in [
            "", "n", "nots", "overt", "no\0", "shouldnt", "butter", "neithers", "é",
        ] {
            assert_eq!(WordClass::of(w).role(), WordRole::Other, "{w:?}");
        }
    }

    #[test]
    fn short_words_possessives_and_numbers() {
        assert!(WordClass::of("IV").is_stopword());
        assert!(WordClass::of("é").is_stopword());
        assert!(!WordClass::of("no").is_stopword());
        assert!(!WordClass::of("24").is_stopword());
        assert!(WordClass::of("it's").is_stopword());
        assert!(WordClass::of("Its").is_stopword());
        assert!(!WordClass::of("mother's").is_stopword());
    }
}
