//! Prefix stems with a few clinical synonym classes, so a paraphrase meets its option.
//!
//! A stem is the first [`STEM_LEN`] bytes of a word after common endings are cut. Endings are
//! cut the same way however long the word, and a doubled final consonant left by "-ing"/"-ed"
//! is undoubled, so "stopping" meets "stop" and "deferring" meets "defer". Answers also say an
//! option's action in other words ("tell" for "disclose", "hold off" for "defer"): words of one
//! synonym class share one stem. Classes are keyed by the whole cut word (up to 8 bytes), not
//! the 5-byte prefix, so "discontinue" joins "stop" while "discomfort" does not.

use std::sync::OnceLock;

/// Length of the prefix stem: long enough to tell clinical words apart, short enough that
/// "disclose"/"disclosure" and "transfer"/"transferring" meet.
pub const STEM_LEN: usize = 5;

/// Bytes of a cut word a synonym key holds.
const KEY_LEN: usize = 8;

/// Synonym classes: words an answer may use for the same option action. Ambiguous words are
/// left out on purpose ("end" would catch nearly everything); "informed consent" is kept out
/// where the words are read (a noun use).
const CLASSES: &[&[&str]] = &[
    &["disclose", "tell", "notify", "reveal", "share", "inform"],
    &[
        "defer", "delay", "wait", "postpone", "hold", "pause", "later",
    ],
    &[
        "stop",
        "withdraw",
        "discontinue",
        "cease",
        "halt",
        "terminate",
        "suspend",
        "deactivate",
        "disable",
    ],
    &["continue", "maintain", "keep", "sustain"],
    &["give", "administer"],
    &["start", "begin", "initiate", "commence"],
    &["respect", "honour", "honor", "uphold", "accept"],
    &["override", "overrule", "overturn", "disregard", "ignore"],
    &["operate", "operation", "surgery", "surgical"],
    &["allow", "permit"],
    &["decline", "refuse", "reject"],
    &["withhold", "skip", "omit", "forgo", "forego"],
    &[
        "covert", "covertly", "hide", "hidden", "conceal", "secretly", "sneak", "disguise",
    ],
    &["openly", "transparently", "overtly", "truthfully"],
    &["proceed", "ahead"],
    &["warn", "alert"],
    &["resuscitate", "resuscitation", "cpr"],
    &[
        "confidential",
        "confidentiality",
        "privacy",
        "private",
        "secret",
    ],
    &["comfort", "palliative", "palliation"],
    &["now", "immediately", "tonight", "promptly", "today"],
];

/// Verbs that negate the action they take ("decline the funding", "withhold transfusion", and
/// for now "defer testing"), in any inflection: matched on their cut form, like the classes.
const NEGATING_VERBS: &[&str] = &[
    "decline", "refuse", "withhold", "forgo", "forego", "avoid", "stop", "suspend", "defer",
    "delay", "postpone", "skip", "omit",
];

/// The first three letters of each of [`NEGATING_VERBS`] (all lowercase, at least four long).
const NEGATING_HEADS: [[u8; 3]; NEGATING_VERBS.len()] = {
    let mut heads = [[0u8; 3]; NEGATING_VERBS.len()];
    let mut i = 0;
    while i < NEGATING_VERBS.len() {
        let w = NEGATING_VERBS[i].as_bytes();
        heads[i] = [w[0], w[1], w[2]];
        i += 1;
    }
    heads
};

/// Whether `word` is one of [`NEGATING_VERBS`], plain or in "-ing" or "-s" ("declining").
/// Past forms ("she refused dialysis") narrate the case rather than name an action.
pub fn negates_action(word: &str) -> bool {
    // Every negating verb is at least four letters; most words fail this cheap test.
    let b = word.as_bytes();
    if b.len() < 4 || b[b.len() - 2..].eq_ignore_ascii_case(b"ed") {
        return false;
    }
    // The suffix cut never touches a word's start: a word whose first three letters start no
    // negating verb is none of them in any form (this runs on nearly every answer word).
    let head = [0, 1, 2].map(|i| b[i].to_ascii_lowercase());
    if !NEGATING_HEADS.contains(&head) {
        return false;
    }
    let mut buf = [0u8; 32];
    let key = key_of(cut_word(word, &mut buf));
    synonyms().negating.binary_search(&key).is_ok()
}

/// A lowercase ASCII prefix stem of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stem {
    bytes: [u8; STEM_LEN],
    len: u8,
}

impl Stem {
    /// The stem of `word`, its synonym class's stem when it has one.
    pub fn of(word: &str) -> Stem {
        let mut buf = [0u8; 32];
        let cut = cut_word(word, &mut buf);
        if let Some(class) = synonyms().class_of(cut) {
            return class;
        }
        Stem::prefix(cut)
    }

    fn prefix(cut: &[u8]) -> Stem {
        let mut bytes = [0u8; STEM_LEN];
        let len = cut.len().min(STEM_LEN);
        bytes[..len].copy_from_slice(&cut[..len]);
        Stem {
            bytes,
            len: len as u8,
        }
    }

    /// The synonym classes of the opposite actions, for the classes that have them: stopping
    /// against continuing or proceeding, respecting a wish against overriding it.
    pub fn antonyms(self) -> impl Iterator<Item = Stem> {
        static PAIRS: OnceLock<Vec<(Stem, Stem)>> = OnceLock::new();
        let pairs = PAIRS.get_or_init(|| {
            [
                ("stop", "continue"),
                ("stop", "proceed"),
                ("respect", "override"),
                ("covert", "openly"),
            ]
            .iter()
            .map(|&(a, b)| (Stem::of(a), Stem::of(b)))
            .collect()
        });
        pairs.iter().filter_map(move |&(a, b)| {
            if self == a {
                Some(b)
            } else if self == b {
                Some(a)
            } else {
                None
            }
        })
    }

    /// Add to `set` the starts of every word with this stem: its own, and those of its
    /// synonym class's members (a word may tell an option without sharing its first letters).
    pub fn add_starts_to(&self, set: &mut StartSet) {
        set.insert(&self.bytes[..usize::from(self.len)]);
        for member in synonyms().members_of(*self) {
            set.insert(member);
        }
    }
}

/// A set of two-byte word starts (ASCII letters and digits, case folded): the cheap test of
/// whether a word may have one of a few stems, before its stem is built.
#[derive(Debug, Clone)]
pub struct StartSet {
    bits: [u64; START_WORDS],
}

/// Byte classes of a start: 26 letters, 10 digits, anything else.
const START_CLASSES: usize = 37;
const START_WORDS: usize = (START_CLASSES * START_CLASSES).div_ceil(64);

impl Default for StartSet {
    fn default() -> Self {
        StartSet {
            bits: [0; START_WORDS],
        }
    }
}

impl StartSet {
    fn class(b: u8) -> usize {
        match b.to_ascii_lowercase() {
            c @ b'a'..=b'z' => usize::from(c - b'a'),
            c @ b'0'..=b'9' => 26 + usize::from(c - b'0'),
            _ => 36,
        }
    }

    fn set(&mut self, i: usize) {
        self.bits[i / 64] |= 1 << (i % 64);
    }

    /// Add the start of `word` (a one-byte word adds every start with that first byte).
    pub fn insert(&mut self, word: &[u8]) {
        match word {
            [] => {}
            [a] => {
                for c in 0..START_CLASSES {
                    self.set(Self::class(*a) * START_CLASSES + c);
                }
            }
            [a, b, ..] => self.set(Self::class(*a) * START_CLASSES + Self::class(*b)),
        }
    }

    /// Whether a word of at least two bytes may start like a word added.
    pub fn may_start(&self, word: &[u8]) -> bool {
        match word {
            [a, b, ..] => {
                let i = Self::class(*a) * START_CLASSES + Self::class(*b);
                self.bits[i / 64] & (1 << (i % 64)) != 0
            }
            _ => true,
        }
    }
}

/// `word` lowercased into `buf` with its ending cut: "-ing", "-ed" (undoubling "stopp"),
/// "-er" on longer words ("younger"; not "defer"), "-es", "-s" and a final "e" ("give" meets
/// "giving"). Non-ASCII words are only lowercased.
fn cut_word<'a>(word: &str, buf: &'a mut [u8; 32]) -> &'a [u8] {
    let n = word.len().min(buf.len());
    for (slot, b) in buf.iter_mut().zip(word.bytes()) {
        *slot = b.to_ascii_lowercase();
    }
    let w = &buf[..n];
    if !word.is_ascii() || word.len() > buf.len() {
        return w;
    }
    let ends = |s: &[u8]| w.len() >= s.len() + 3 && w.ends_with(s);
    let mut end = n;
    if ends(b"ing") || ends(b"ed") {
        end -= if ends(b"ing") { 3 } else { 2 };
        let doubled = end >= 2 && w[end - 1] == w[end - 2];
        if doubled
            && matches!(
                w[end - 1],
                b'b' | b'd' | b'g' | b'm' | b'n' | b'p' | b'r' | b't'
            )
        {
            end -= 1;
        }
    } else if (w.len() >= 6 && w.ends_with(b"er")) || ends(b"es") {
        end -= 2;
    } else if ends(b"s") && !w.ends_with(b"ss") {
        end -= 1;
    }
    if end >= 4 && w[end - 1] == b'e' {
        end -= 1;
    }
    &buf[..end]
}

/// Pack the first [`KEY_LEN`] bytes of a cut word.
fn key_of(cut: &[u8]) -> u64 {
    let mut k = [0u8; KEY_LEN];
    let n = cut.len().min(KEY_LEN);
    k[..n].copy_from_slice(&cut[..n]);
    u64::from_le_bytes(k)
}

struct Synonyms {
    /// (key of a member's cut word, its class stem), sorted by key.
    members: Vec<(u64, Stem)>,
    /// (class stem, its member words).
    classes: Vec<(Stem, &'static [&'static str])>,
    /// Keys of the [`NEGATING_VERBS`]' cut words, sorted.
    negating: Vec<u64>,
}

impl Synonyms {
    fn build() -> Synonyms {
        let mut members = Vec::new();
        let mut classes = Vec::new();
        for class in CLASSES {
            let mut buf = [0u8; 32];
            let class_stem = Stem::prefix(cut_word(class[0], &mut buf));
            for word in *class {
                let mut buf = [0u8; 32];
                members.push((key_of(cut_word(word, &mut buf)), class_stem));
            }
            classes.push((class_stem, *class));
        }
        members.sort_by_key(|m| m.0);
        let mut negating: Vec<u64> = NEGATING_VERBS
            .iter()
            .map(|w| key_of(cut_word(w, &mut [0u8; 32])))
            .collect();
        negating.sort_unstable();
        Synonyms {
            members,
            classes,
            negating,
        }
    }

    fn class_of(&self, cut: &[u8]) -> Option<Stem> {
        let key = key_of(cut);
        self.members
            .binary_search_by_key(&key, |m| m.0)
            .ok()
            .map(|i| self.members[i].1)
    }

    fn members_of(&self, stem: Stem) -> impl Iterator<Item = &'static [u8]> + '_ {
        self.classes
            .iter()
            .filter(move |(s, _)| *s == stem)
            .flat_map(|(_, words)| words.iter().map(|w| w.as_bytes()))
    }
}

fn synonyms() -> &'static Synonyms {
    static SYNONYMS: OnceLock<Synonyms> = OnceLock::new();
    SYNONYMS.get_or_init(Synonyms::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_across_inflections() {
        for (a, b) in [
            ("Disclosure", "disclose"),
            ("younger", "young"),
            ("holds", "hold"),
            ("stopping", "stop"),
            ("deferring", "defer"),
            ("Deferred", "defer"),
            ("giving", "give"),
            ("admitted", "admit"),
            ("restraints", "restraint"),
            ("wishes", "wish"),
        ] {
            assert_eq!(Stem::of(a), Stem::of(b), "{a} / {b}");
        }
        assert_ne!(Stem::of("continue"), Stem::of("contact"));
        assert_ne!(Stem::of("defer"), Stem::of("definite"));
    }

    #[test]
    fn negating_verbs_are_read_in_any_present_inflection() {
        for w in [
            "Decline",
            "declining",
            "refuses",
            "withholding",
            "skipping",
            "stopping",
            "deferring",
        ] {
            assert!(negates_action(w), "{w}");
        }
        for w in [
            "refused",
            "stopped",
            "refusal",
            "decidedly",
            "stop-gap",
            "top",
            "delayed",
        ] {
            assert!(!negates_action(w), "{w}");
        }
    }

    #[test]
    fn synonyms_share_a_stem_and_near_misses_do_not() {
        assert_eq!(Stem::of("tell"), Stem::of("disclosing"));
        assert_eq!(Stem::of("postponed"), Stem::of("defer"));
        assert_eq!(Stem::of("discontinuing"), Stem::of("stop"));
        assert_eq!(Stem::of("Honour"), Stem::of("respecting"));
        assert_eq!(Stem::of("accept"), Stem::of("respect"));
        assert_eq!(Stem::of("sneaking"), Stem::of("hidden"));
        assert_ne!(Stem::of("discomfort"), Stem::of("stop"));
        assert_ne!(Stem::of("information"), Stem::of("disclose"));
        let mut set = StartSet::default();
        Stem::of("tell").add_starts_to(&mut set);
        assert!(set.may_start(b"Sharing") && set.may_start(b"disclosed"));
        assert!(!set.may_start(b"surgery"));
        Stem::of("chemotherapy").add_starts_to(&mut set);
        assert!(set.may_start(b"chemo") && !set.may_start(b"cardiac"));
    }

    #[test]
    fn odd_words_do_not_panic() {
        for w in [
            "",
            "e",
            "ed",
            "ing",
            "ss",
            "é",
            "x".repeat(40).as_str(),
            "NOW",
        ] {
            let _ = Stem::of(w);
        }
    }
}
