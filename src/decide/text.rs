//! Cheap, allocation-light text helpers: sentence spans, word spans and word roles.
//!
//! Everything works on byte ranges of the original answer so evidence spans point back into it.

use std::ops::Range;

/// Byte ranges of the sentences of `text`. A sentence ends at a newline, or at `.`, `!`, `?`
/// followed by whitespace, or at CJK full-width stops. Empty (whitespace-only) pieces are dropped.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 60 + 1);
    let mut start = 0;
    let push = |start: usize, end: usize, out: &mut Vec<Range<usize>>| {
        if bytes[start..end].iter().any(|b| !b.is_ascii_whitespace()) {
            out.push(start..end);
        }
    };
    let mut may_end = MayEnd::new(bytes);
    let mut i = 0;
    while i < bytes.len() {
        // Most bytes cannot end a sentence: skip to the next one that may.
        match may_end.next(i) {
            Some(at) => i = at,
            None => break,
        }
        let b = bytes[i];
        let end_here = match b {
            b'\n' => Some(i + 1),
            // "1. " at the start of a line is a list marker, not a sentence.
            b'.' if is_list_marker(bytes, start, i) => None,
            b'.' | b'!' | b'?' => match bytes.get(i + 1) {
                None => Some(i + 1),
                Some(n) if n.is_ascii_whitespace() => Some(i + 1),
                _ => None,
            },
            // 。！？ are three bytes in UTF-8, all starting with 0xE3 / 0xEF.
            0xE3 if bytes.get(i + 1..i + 3) == Some(&[0x80, 0x82]) => Some(i + 3),
            0xEF if matches!(
                bytes.get(i + 1..i + 3),
                Some([0xBC, 0x81]) | Some([0xBC, 0x9F])
            ) =>
            {
                Some(i + 3)
            }
            _ => None,
        };
        match end_here {
            Some(end) => {
                push(start, end, &mut out);
                start = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if start < bytes.len() {
        push(start, bytes.len(), &mut out);
    }
    out
}

/// Finds the bytes that may end a sentence: newline, `.!?`, and the lead bytes of the CJK
/// stops. Six bytes are two vectorised three-byte searches; each one's next hit is kept, so
/// every byte of the text is searched once by each.
struct MayEnd<'a> {
    bytes: &'a [u8],
    /// The next hit of `[\n.?]` and of `[!\xE3\xEF]` at or after the last position asked,
    /// `None` once none is left.
    hits: [Option<usize>; 2],
}

impl<'a> MayEnd<'a> {
    fn new(bytes: &'a [u8]) -> MayEnd<'a> {
        MayEnd {
            bytes,
            hits: [0, 1].map(|k| Self::search(bytes, k, 0)),
        }
    }

    fn search(bytes: &[u8], k: usize, from: usize) -> Option<usize> {
        let rest = bytes.get(from..)?;
        let found = if k == 0 {
            memchr::memchr3(b'\n', b'.', b'?', rest)
        } else {
            memchr::memchr3(b'!', 0xE3, 0xEF, rest)
        };
        found.map(|i| from + i)
    }

    /// The first byte at or after `from` that may end a sentence; `from` never decreases.
    fn next(&mut self, from: usize) -> Option<usize> {
        for k in 0..2 {
            if self.hits[k].is_some_and(|at| at < from) {
                self.hits[k] = Self::search(self.bytes, k, from);
            }
        }
        self.hits.iter().flatten().min().copied()
    }
}

/// Whether `bytes[start..dot]` is only markup and digits ("**2", "  10"): a list marker.
fn is_list_marker(bytes: &[u8], start: usize, dot: usize) -> bool {
    let piece = &bytes[start..dot];
    piece.iter().any(u8::is_ascii_digit)
        && piece.iter().all(|b| {
            b.is_ascii_digit() || b.is_ascii_whitespace() || matches!(b, b'*' | b'_' | b'#' | b'>')
        })
}

/// Byte ranges of the ASCII words (letters, digits, inner apostrophes and hyphens) of `text`.
pub fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            let inner = (b == b'\'' || b == b'-')
                && bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
            if b.is_ascii_alphanumeric() || inner {
                i += 1;
            } else {
                break;
            }
        }
        Some(start..i)
    })
}

/// Words that carry no option-specific meaning. Negations are handled apart (see [`NEGATIONS`]).
pub(crate) const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "has",
    "have",
    "her",
    "his",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "our",
    "per",
    "she",
    "he",
    "so",
    "that",
    "the",
    "their",
    "them",
    "then",
    "they",
    "this",
    "to",
    "was",
    "were",
    "which",
    "while",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    "we",
    "i",
    "my",
    "me",
    "him",
    "all",
    "any",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "shall",
    "than",
    "there",
    "these",
    "those",
    "what",
    "when",
    "where",
    "whether",
    "also",
    "only",
    "just",
    "more",
    "most",
    "very",
    "such",
    "including",
    "plan",
    "choice",
    "option",
    "patient",
    "patients",
    "s",
];

/// What a word does to the clause around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordRole {
    /// Opens a new clause whose option mention is contrasted or subordinate:
    /// "transfuse *over* withholding", "keep him on X *because* ...".
    ClauseOpener,
    /// Flips what a mention of an option means.
    Negation,
    Other,
}

/// Words that open a new clause (see [`WordRole::ClauseOpener`]).
pub(crate) const CLAUSE_OPENERS: &[&str] = &[
    "over", "rather", "instead", "versus", "vs", "than", "because", "since", "while", "but",
    "although", "though", "whereas", "unless", "before",
];

/// Words that negate (see [`WordRole::Negation`]).
pub(crate) const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "nor",
    "don't",
    "doesn't",
    "won't",
    "cannot",
    "can't",
    "wouldn't",
    "isn't",
    "aren't",
    "didn't",
    "neither",
    "shouldn't",
];

/// A word of 1 to 8 bytes without NUL, ASCII-lowercased and packed little-endian (the
/// zero padding then implies the length).
pub(crate) fn packed_lowercase(word: &str) -> Option<u64> {
    let b = word.as_bytes();
    let n = b.len();
    // Two overlapping loads fill the word's bytes (the overlap holds the same bytes twice);
    // this runs on every answer word, where a byte loop or a copy cost more than the lookup.
    let x = match n {
        1 => u64::from(b[0]),
        2..=3 => {
            let lo = u16::from_le_bytes([b[0], b[1]]);
            let hi = u16::from_le_bytes([b[n - 2], b[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 2))
        }
        4..=8 => {
            let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 4))
        }
        _ => return None,
    };
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let in_word = if n == 8 { !0 } else { (1u64 << (8 * n)) - 1 };
    // A zero byte inside the word sets its high bit here; a borrow can flag a byte above a
    // zero byte too, but only above one.
    if x.wrapping_sub(ONES) & !x & HIGHS & in_word != 0 {
        return None;
    }
    // ASCII lowercase, eight bytes at once: a byte in 'A'..='Z' gains 0x20; any byte with
    // its high bit set (UTF-8) is left alone, as `to_ascii_lowercase` does.
    let low7 = x & !HIGHS;
    let at_least_a = low7 + ONES * u64::from(0x80 - b'A');
    let above_z = low7 + ONES * u64::from(0x80 - b'Z' - 1);
    let upper = at_least_a & !above_z & !x & HIGHS;
    Some(x | upper >> 2)
}

/// The largest char boundary at or below `at`.
pub fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary at or above `at`.
pub fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_on_stops_and_newlines() {
        let t = "I recommend Choice 2. It is safer!\n\n**Why?** Because e.g.x holds\n**1. Safety**";
        let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            s,
            vec![
                "I recommend Choice 2.",
                " It is safer!",
                "**Why?** Because e.g.x holds\n",
                "**1. Safety**"
            ]
        );
    }

    proptest::proptest! {
        /// The two three-byte searches find every byte that may end a sentence, in order.
        #[test]
        fn may_end_finds_what_a_byte_walk_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", " ", ".", "!", "?", "\n", "。", "！", "é", "—"]),
                0..60,
            )
        ) {
            let text = pieces.concat();
            let bytes = text.as_bytes();
            let walk: Vec<usize> = (0..bytes.len())
                .filter(|&i| matches!(bytes[i], b'\n' | b'.' | b'!' | b'?' | 0xE3 | 0xEF))
                .collect();
            let mut may_end = MayEnd::new(bytes);
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(at) = may_end.next(from) {
                found.push(at);
                from = at + 1;
                if from >= bytes.len() {
                    break;
                }
            }
            proptest::prop_assert_eq!(found, walk);
        }
    }

    #[test]
    fn splits_cjk_sentences() {
        let t = "我推荐选择 2。理由如下";
        assert_eq!(sentences(t).len(), 2);
    }

    #[test]
    fn words_keep_inner_apostrophes_and_hyphens() {
        let t = "don't re-assess (Choice 1)";
        let w: Vec<&str> = words(t).map(|r| &t[r]).collect();
        assert_eq!(w, vec!["don't", "re-assess", "Choice", "1"]);
    }

    /// The packing a byte at a time, as the word-wise one must read.
    fn packed_bytewise(word: &str) -> Option<u64> {
        if word.is_empty() || word.len() > 8 || word.as_bytes().contains(&0) {
            return None;
        }
        let mut buf = [0u8; 8];
        for (slot, b) in buf.iter_mut().zip(word.bytes()) {
            *slot = b.to_ascii_lowercase();
        }
        Some(u64::from_le_bytes(buf))
    }

    #[test]
    fn packing_reads_every_length_edge_letter_and_nul() {
        for w in [
            "",
            "a",
            "Z",
            "@",
            "[",
            "`",
            "{",
            "AZaz",
            "é",
            "Évian",
            "no\0",
            "\0",
            "ab\0cdefg",
            "SHOULDNT",
            "shouldn't",
            "Mid-Way",
            "12AB",
            "ÀÉÎ",
            "a\u{7f}B",
        ] {
            assert_eq!(packed_lowercase(w), packed_bytewise(w), "{w:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn packing_matches_the_bytewise_packing(w in "[\\x00-\\x7fÀ-ÿ]{0,10}") {
            proptest::prop_assert_eq!(packed_lowercase(&w), packed_bytewise(&w));
        }
    }
}
