//! Trigger words: a cheap, sound pre-check that lets most sentences skip most cue patterns.
//!
//! Every match of a gated pattern contains one of its trigger words as a *token* (a maximal run
//! of ASCII letters and digits, compared without ASCII case): equal to the word (`Exact`) or
//! starting with it (`Prefix`). So a text whose tokens carry no trigger of a pattern cannot
//! match it, and the pattern need not run: skipping it changes no result. One byte-level pass
//! over the text (a trie walk per token) gives the bits of every pattern at once.
//!
//! Why the tokens are sound: the patterns bound each trigger by an ASCII `\b`, whitespace,
//! punctuation or the text's edge, all of which also end a token here (tokens are split more
//! finely than regex words: `_`, `'`, `-` and every non-ASCII char split them). The one gap is
//! case: `(?i)` in the regex crate also folds the Kelvin sign and the long s to ASCII letters,
//! and the Chinese cues have no ASCII words, so a text with either of those, or any CJK char,
//! sets every bit (the patterns then run as if ungated). A test checks each trigger list
//! against its pattern on generated text and on ValueBench answers when present.

use std::sync::OnceLock;

/// Pattern bits (one per gated pattern).
pub const STRONG: u32 = 1 << 0;
pub const COMMIT: u32 = 1 << 1;
pub const WEAK: u32 = 1 << 2;
pub const LABEL: u32 = 1 << 3;
pub const REFUSAL: u32 = 1 << 4;
pub const CONDITIONAL: u32 = 1 << 5;
pub const NEGATION_BEFORE: u32 = 1 << 6;
pub const AUTONOMY: u32 = 1 << 7;
pub const BENEFICENCE: u32 = 1 << 8;
pub const NONMALEFICENCE: u32 = 1 << 9;
pub const JUSTICE: u32 = 1 << 10;
pub const CONTRAST: u32 = 1 << 11;
/// A token a label match may start at: "Choice", "option", "first", "former", ...
pub const LABEL_START: u32 = 1 << 12;
/// "former"/"latter": a label match ("the former") may start at the token before.
pub const LABEL_AFTER_THE: u32 = 1 << 13;
/// The tokens cannot vouch for the text (see the module comment): positions mean nothing.
pub const VOID: u32 = 1 << 14;
/// Laying out considerations instead of advising ("some things to weigh").
pub const CONSIDER: u32 = 1 << 15;
/// An inclination reported as superseded ("my first instinct was", "I was going to say").
pub const SUPERSEDED: u32 = 1 << 16;
/// Every bit: what a text the tokens cannot vouch for gets.
pub const ALL: u32 = (1 << 17) - 1;

/// The value patterns' bits, in [`crate::values::Value::ALL`] order.
pub const VALUES: [u32; 4] = [AUTONOMY, BENEFICENCE, NONMALEFICENCE, JUSTICE];
/// Any value bit.
pub const ANY_VALUE: u32 = AUTONOMY | BENEFICENCE | NONMALEFICENCE | JUSTICE;

#[derive(Clone, Copy)]
enum Kind {
    Exact,
    Prefix,
}
use Kind::{Exact as E, Prefix as P};

/// The trigger words of each pattern in `cues.rs` and `discussion.rs`, read off its
/// alternatives: for each alternative, a literal every match of it contains (see the module
/// comment for why token bounds hold). Change a pattern, change its list here.
/// Label words ("choice 2", "option B", Spanish "opción"): both where label matches occur and
/// where they start.
const LABEL_WORDS: &[&str] = &[
    "choice",
    "option",
    "opci",
    "opz",
    "optie",
    "keuze",
    "scelta",
    "choix",
    "premi",
    "deuxi",
    "alternativ",
    "approach",
    "pathway",
    "variante",
];

/// Ordinals of other languages ("la segunda opción") and the "op" of Portuguese "opção", as
/// whole tokens (the tokens split at accented letters: "première" is "premi" + "re").
const FOREIGN_ORDINALS: &[&str] = &[
    "op", "primera", "segunda", "seconde", "erste", "ersten", "zweite", "zweiten", "prima",
    "seconda", "primeira", "eerste", "tweede",
];

const WORDS: &[(u32, Kind, &[&str])] = &[
    // "I/we ... recommend", "my recommendation", "Recommendation:", "final answer",
    // "if I must choose", "forced to choose".
    (
        STRONG,
        P,
        &[
            "recommend",
            "advise",
            "advocate",
            "suggest",
            "choose",
            "chose",
            "select",
            "favor",
            "favour",
            "prefer",
            "support",
            "endorse",
            "lean",
            "pick",
            "urge",
            "counsel",
        ],
    ),
    (
        STRONG,
        E,
        &[
            "come",
            "plan",
            "so",
            "therefore",
            "hence",
            "thus",
            "overall",
            "balance",
        ],
    ),
    (
        STRONG,
        E,
        &[
            "opt",
            "go",
            "side",
            "proceed",
            "my",
            "decision",
            "answer",
            "verdict",
            "conclusion",
            "bottom",
            "final",
            "best",
            "correct",
            "if",
            "forced",
            "pressed",
            "required",
            "where",
            "asked",
        ],
    ),
    (COMMIT, E, &["i", "we", "let", "my", "id", "you"]),
    (WEAK, P, &["recommend", "prefer"]),
    (
        WEAK,
        E,
        &[
            "better",
            "best",
            "wiser",
            "safer",
            "safest",
            "wisest",
            "strongest",
            "right",
            "preferred",
            "optimal",
            "stronger",
            "most",
            "more",
            "should",
            "conclusion",
            "summary",
            "ultimately",
            "decision",
            "make",
            "makes",
            "sounds",
            "seems",
        ],
    ),
    (LABEL, P, LABEL_WORDS),
    (
        LABEL,
        E,
        &[
            "course", "first", "second", "former", "latter", "1st", "2nd",
        ],
    ),
    (LABEL, E, FOREIGN_ORDINALS),
    // Where label matches start: every alternative but "the former/latter" starts with one of
    // these words; that one is caught by `LABEL_AFTER_THE`.
    (LABEL_START, P, LABEL_WORDS),
    (
        LABEL_START,
        E,
        &[
            "course", "first", "second", "former", "latter", "1st", "2nd",
        ],
    ),
    (LABEL_START, E, FOREIGN_ORDINALS),
    (
        LABEL_AFTER_THE,
        E,
        &[
            "former", "latter", "first", "second", "primera", "segunda", "premi", "seconde",
            "deuxi", "prima", "seconda", "primeira",
        ],
    ),
    (
        REFUSAL,
        E,
        &[
            "i",
            "we",
            "unable",
            "not",
            "both",
            "equally",
            "defer",
            "leave",
            "no",
            "neither",
            "without",
            "ai",
            "isn",
            "think",
            "my",
            "only",
            "belongs",
            "rests",
            "rather",
            "instead",
            "made",
            "taken",
            "come",
            "rest",
            "let",
            "cannot",
            "can",
            "before",
            "depends",
            "pretend",
            "need",
            "outside",
            "worked",
            "decided",
            "resolved",
            "want",
            "committee",
            "board",
            "panel",
            "forum",
            "lawyers",
            "legal",
            "court",
            "determined",
            "settled",
            "answered",
            "either",
            "call",
            "puedo",
            "podemos",
            "debo",
            "corresponde",
            "posso",
            "devo",
            "cabe",
            "deve",
            "pas",
            "non",
            "nicht",
            "yours",
            "entirely",
            "completely",
            "wholly",
            "purely",
            "differently",
            "kein",
            "keine",
            "anyone",
            "beide",
            "deux",
            "null",
            "none",
            "doesn",
            "don",
            "aren",
            "avoid",
            "pretending",
            "chatbot",
            "bot",
            "assistant",
            "wish",
            "hold",
            "has",
            "must",
            "should",
            "believe",
        ],
    ),
    (CONDITIONAL, E, &["if", "unless", "should", "case", "were"]),
    (
        SUPERSEDED,
        E,
        &[
            "instinct",
            "instincts",
            "reaction",
            "impulse",
            "thought",
            "initially",
            "originally",
            "going",
            "leaning",
            "tempted",
            "part",
            "first",
            "started",
        ],
    ),
    (
        CONSIDER,
        E,
        &[
            "things",
            "points",
            "questions",
            "considerations",
            "ask",
            "tell",
            // "both are sound" by its adjective, not by the common "both".
            "reasonable",
            "valid",
            "sound",
            "legitimate",
            "defensible",
            "loving",
            "recognised",
            "recognized",
            "acceptable",
            "accepted",
            "supported",
            "safe",
            "choose",
            "wrong",
            "these",
            "jump",
            "jumping",
            "rush",
            "rushing",
        ],
    ),
    (
        NEGATION_BEFORE,
        E,
        &[
            "not",
            "never",
            "no",
            "neither",
            "nor",
            "against",
            "reject",
            "rejecting",
            "oppose",
            "opposing",
            "cannot",
            "unable",
            "instead",
            "rather",
            "over",
            "versus",
            "vs",
            "than",
            "forgo",
            "forgoing",
            "avoid",
            "avoiding",
            "steer",
            "hold",
            "refrain",
            "preference",
            "cautious",
            "wary",
            "hesitant",
            "reluctant",
            "t",
        ],
    ),
    (AUTONOMY, P, &["autonom", "decision", "respect"]),
    (
        AUTONOMY,
        E,
        &[
            "self", "informed", "right", "stated", "patient", "his", "her", "their",
        ],
    ),
    (BENEFICENCE, P, &["beneficen", "well", "benefit", "promot"]),
    (BENEFICENCE, E, &["best", "quality", "welfare", "life"]),
    (
        NONMALEFICENCE,
        P,
        &["non", "harm", "complication", "iatrogenic"],
    ),
    (
        NONMALEFICENCE,
        E,
        &["do", "side", "adverse", "suffering", "risk", "risks"],
    ),
    (
        JUSTICE,
        P,
        &[
            "fair",
            "equit",
            "scarcity",
            "allocat",
            "resource",
            "discriminat",
            "stewardship",
            "distributive",
        ],
    ),
    (JUSTICE, E, &["justice", "equal", "scarce", "other"]),
    (CONTRAST, P, &["counter"]),
    (
        CONTRAST,
        E,
        &[
            "hand",
            "although",
            "while",
            "however",
            "said",
            "case",
            "argument",
            "arguments",
            "reason",
            "reasons",
            "pro",
            "pros",
            "con",
            "cons",
            "advantage",
            "advantages",
            "favor",
            "favour",
            "reasonable",
            "defensible",
            "legitimate",
            "understandable",
            "strength",
            "strengths",
        ],
    ),
];

/// Letters and digits of a token (ASCII case folded).
const ALPHABET: usize = 36;
/// Byte classes: `0..36` a token byte, `SEP` a separator, `CHECK` a byte that may start a
/// char the tokens cannot vouch for (see [`vouches_for`]).
const SEP: u8 = 36;
const CHECK: u8 = 37;

const fn byte_classes() -> [u8; 256] {
    let mut t = [SEP; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'a'..=b'z' => c - b'a',
            b'A'..=b'Z' => c - b'A',
            b'0'..=b'9' => 26 + c - b'0',
            0xC5 | 0xE2..=0xE9 => CHECK,
            _ => SEP,
        };
        b += 1;
    }
    t
}
static CLASS: [u8; 256] = byte_classes();

/// A trie over the trigger words: node 0 is dead (no trigger starts this way), node 1 the root.
struct Trie {
    /// [`NODE_SLOTS`] nodes, the unused ones empty: a fixed size lets the walk index them
    /// without bounds checks.
    nodes: Box<[Node; NODE_SLOTS]>,
}

/// Room for the trie's nodes (the trigger words make about 1,000).
const NODE_SLOTS: usize = 2048;

/// One trie node, its bits beside its edges: a step reads one node's memory, and small nodes
/// keep the walk in cache (it runs on every byte of every answer).
#[derive(Clone, Copy)]
struct Node {
    next: [u16; ALPHABET],
    /// Bits of the words that end here (token equal to the word).
    exact: u32,
    /// Bits of the prefix words that end here (token starting with the word).
    prefix: u32,
}

const EMPTY: Node = Node {
    next: [0; ALPHABET],
    exact: 0,
    prefix: 0,
};

const DEAD: usize = 0;
const ROOT: usize = 1;

impl Trie {
    fn build() -> Trie {
        let mut nodes = vec![EMPTY; 2];
        for &(bits, kind, words) in WORDS {
            for word in words {
                let mut node = ROOT;
                for &b in word.as_bytes() {
                    let c = usize::from(CLASS[usize::from(b)]);
                    debug_assert!(c < ALPHABET, "trigger words are ASCII letters");
                    let c = c.min(ALPHABET - 1);
                    if nodes[node].next[c] == 0 {
                        nodes.push(EMPTY);
                        let id = u16::try_from(nodes.len() - 1)
                            .expect("the trigger words make fewer than 65536 trie nodes");
                        nodes[node].next[c] = id;
                    }
                    node = usize::from(nodes[node].next[c]);
                }
                match kind {
                    Kind::Exact => nodes[node].exact |= bits,
                    Kind::Prefix => nodes[node].prefix |= bits,
                }
            }
        }
        assert!(
            nodes.len() <= NODE_SLOTS,
            "the trigger words need more than NODE_SLOTS trie nodes"
        );
        nodes.resize(NODE_SLOTS, EMPTY);
        let nodes: Box<[Node; NODE_SLOTS]> = nodes
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!("resized to NODE_SLOTS"));
        Trie { nodes }
    }
}

fn trie() -> &'static Trie {
    static TRIE: OnceLock<Trie> = OnceLock::new();
    TRIE.get_or_init(Trie::build)
}

/// Whether the char starting at `bytes[i]` (a `CHECK` byte) leaves the tokens sound: false for
/// the long s (U+017F) and the Kelvin sign (U+212A), which `(?i)` folds to `s` and `k`, and
/// for CJK (lead bytes E3-E9: the Chinese label and recommendation cues).
fn vouches_for(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        0xC5 => bytes.get(i + 1) != Some(&0xBF),
        0xE2 => bytes.get(i + 1..i + 3) != Some(&[0x84, 0xAA]),
        _ => false,
    }
}

/// The bits of every pattern that may match somewhere in `text`. A pattern whose bit is clear
/// has no match in `text` (nor in any slice of it that cuts no token).
pub fn scan(text: &str) -> u32 {
    scan_tokens(text, 0, &mut Vec::new())
}

/// A token carrying some wanted bits, at byte `start` of the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub bits: u32,
}

/// [`scan`], also appending to `tokens` every token whose bits meet `keep`. The value words
/// and [`LABEL_START`] are where their patterns' matches start, so anchored searches at those
/// tokens find every match; when the result has [`VOID`], the tokens mean nothing.
pub fn scan_tokens(text: &str, keep: u32, tokens: &mut Vec<Token>) -> u32 {
    let nodes = &trie().nodes;
    let step = |node: usize, class: u8| usize::from(nodes[node].next[usize::from(class)]);
    let bytes = text.as_bytes();
    let mut bits = 0;
    let mut i = 0;
    while i < bytes.len() {
        let mut class = CLASS[usize::from(bytes[i])];
        if class >= SEP {
            if class == CHECK && !vouches_for(bytes, i) {
                return ALL;
            }
            i += 1;
            continue;
        }
        // A token starts here: walk the trie to its end.
        let start = i;
        let mut node = ROOT;
        let mut token_bits = 0;
        loop {
            node = step(node, class) % NODE_SLOTS;
            token_bits |= nodes[node].prefix;
            i += 1;
            if node == DEAD {
                // No trigger starts like this token: skip the rest of it.
                while i < bytes.len() && CLASS[usize::from(bytes[i])] < SEP {
                    i += 1;
                }
                break;
            }
            match bytes.get(i) {
                Some(&b) if CLASS[usize::from(b)] < SEP => class = CLASS[usize::from(b)],
                _ => break,
            }
        }
        token_bits |= nodes[node].exact;
        if token_bits & keep != 0 {
            tokens.push(Token {
                start,
                bits: token_bits,
            });
        }
        bits |= token_bits;
    }
    bits
}

#[cfg(test)]
mod tests;
