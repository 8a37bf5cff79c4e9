//! How the words of an option or an answer are read before matching: which words a negation
//! governs (polarity), verb forms used as nouns ("waiting list"), the fillers a clause may
//! open with before its action, and the descriptive clauses that end an option's action.

use super::breaks_clause;
use super::phrasal::phrase_at;
use crate::decide::lexicon::WordClass;
use crate::decide::stem::{negates_action, Stem};
use crate::decide::text::words;
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// Most content words a negation governs in a row: "without *palliative sedation*".
const NEGATION_RUN: u8 = 3;

/// Tracks which content words a negation governs: the next one, skipping function words, and
/// the content words right after it ("no *breathing machine*"), up to the next function word
/// ("do not *report* the patient's dementia").
#[derive(Default)]
pub(super) struct Polarity {
    pending: bool,
    run: u8,
    /// The pending or running scope was opened by a negating verb, not by "not"/"no".
    by_verb: bool,
    /// The word fed last was governed by a negating verb's scope.
    last_by_verb: bool,
    /// The word fed last was a determiner: an "-ing" form after it is an adjective or a
    /// noun ("the *refusing* patient", "her *declining* health"), not a negating action.
    after_determiner: bool,
}

impl Polarity {
    /// Feed a word and its classes; returns whether it is a content word under a negation, or
    /// `None` when the word is itself a negation.
    pub(super) fn feed(&mut self, word: &str, class: WordClass) -> Option<bool> {
        let after_determiner = std::mem::replace(&mut self.after_determiner, class.is_determiner());
        if class.is_negation() {
            self.pending = true;
            self.run = 0;
            self.by_verb = false;
            return None;
        }
        let governed = self.governed(class);
        self.last_by_verb = governed && self.by_verb;
        if negates_action(word) && !(after_determiner && ends_ignore_case(word, "ing")) {
            // "Decline *the funding*": the verb is a content word of its own and negates the
            // action words after it, as "not" would; negated itself ("don't stop dialysis"),
            // it leaves them plain.
            self.pending = !governed;
            self.run = 0;
            self.by_verb = true;
        }
        Some(governed)
    }

    /// Whether the word just fed was governed by a negating verb ("*decline* the
    /// transfusion") rather than by a negation word, which the scorer reads for itself.
    pub(super) fn last_by_verb(&self) -> bool {
        self.last_by_verb
    }

    fn governed(&mut self, class: WordClass) -> bool {
        if self.run > 0 {
            if class.is_stopword() {
                self.run = 0;
                return false;
            }
            self.run -= 1;
            return true;
        }
        if !self.pending || class.is_stopword() || class.is_scope_filler() {
            return false;
        }
        self.pending = false;
        self.run = NEGATION_RUN - 1;
        true
    }

    pub(super) fn reset(&mut self) {
        *self = Polarity::default();
    }
}

/// Words between a negation and the word it governs: "do not *really* want", "not *even* try",
/// and the light verbs that pass it on to the action: "not *make* him wait", "don't *let* her
/// leave".
pub(crate) const SCOPE_FILLERS: &[&str] = &[
    "really",
    "even",
    "ever",
    "yet",
    "necessarily",
    "immediately",
    "make",
    "let",
    "force",
    "ask",
    "have",
];

/// Verb forms that, before these nouns, name a thing rather than the action: "waiting list",
/// "informed consent".
const NOUN_USES: &[(&str, &[&str])] = &[
    ("waiting", &["list", "room", "time"]),
    ("informed", &["consent", "decision", "choice", "refusal"]),
];

/// Whether `word`, followed by `after`, is a verb form used as part of a noun.
pub(super) fn is_noun_use(word: &str, after: &str) -> bool {
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

pub(super) fn ends_ignore_case(word: &str, suffix: &str) -> bool {
    let (w, s) = (word.as_bytes(), suffix.as_bytes());
    w.len() >= s.len() && w[w.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// Words a clause may start with before its action: "I'd *list* him", "so, *report*".
pub(crate) const LEAD_FILLERS: &[&str] = &[
    "i'd",
    "id",
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
];

pub(super) fn content_stems(text: &str) -> Vec<(Stem, bool)> {
    let mut stems = Vec::new();
    let mut polarity = Polarity::default();
    // Inside "rather than ..." / "instead of ...": the option rejects what follows.
    let mut rejected = false;
    let mut last_end = 0;
    for r in words(text) {
        if r.start < last_end {
            // Inside a phrase read as one verb.
            continue;
        }
        if breaks_clause(&text[last_end..r.start]) {
            rejected = false;
        }
        let class = WordClass::of(&text[r.clone()]);
        if breaks_clause(&text[last_end..r.start]) || class.is_conjunction() {
            polarity.reset();
        }
        let (word, end) = phrase_at(text, &r, class).unwrap_or((&text[r.clone()], r.end));
        // "instead of" rejects; a bare "instead" ("and instead counsel him") proposes.
        let next = text[end..].trim_start();
        let next = &next[..next
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(next.len())];
        if (word.eq_ignore_ascii_case("rather") && next.eq_ignore_ascii_case("than"))
            || (word.eq_ignore_ascii_case("instead") && next.eq_ignore_ascii_case("of"))
        {
            rejected = true;
        }
        last_end = end;
        for w in word.split('-') {
            let class = WordClass::of(w);
            let Some(negated) = polarity.feed(w, class) else {
                continue;
            };
            let negated = negated || rejected;
            if !class.is_stopword() && !is_noun_use(w, &text[last_end..]) {
                let s = super::read_word(w, negated);
                if !stems.contains(&s) {
                    stems.push(s);
                }
            }
        }
    }
    stems
}

/// Words before a noun that make an "-ing" form after them an adjective or a noun.
pub(crate) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "his", "her", "their", "its", "our", "your", "my",
];

/// "and"/"or" end a negation's reach: "Do not report *and* keep working with the family".
pub(crate) const CONJUNCTIONS: &[&str] = &["and", "or"];

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
pub(super) fn action_stems(option: &str) -> Vec<(Stem, bool)> {
    // One pass for all openers: the leftmost match is the earliest opener.
    static OPENERS: OnceLock<AhoCorasick> = OnceLock::new();
    let openers = OPENERS.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(DESCRIPTOR_OPENERS)
            // Constant patterns: failing to build is a programming error.
            .expect("descriptor openers build")
    });
    let cut = openers.find(option).map_or(option.len(), |m| m.start());
    if cut < option.len() {
        let action = content_stems(&option[..cut]);
        if action.len() >= 2 {
            return action;
        }
    }
    content_stems(option)
}
