//! Hashed n-gram features of a text, produced on the fly with no allocation.
//!
//! The text is normalized one byte at a time through a 256-entry class table (ASCII letters
//! lowercased, digits folded to `0`, apostrophes dropped inside words, `?` kept as a token of its
//! own, everything else a word break; non-ASCII characters take a slower decoding path), then:
//! - word unigrams and bigrams (namespace [`Kind::Word`]),
//! - character 4-grams over the normalized stream, words separated by one space (namespace
//!   [`Kind::Char`]).
//!
//! One character n-gram size, not several: each extra size costs a hash and a table lookup per
//! byte, and on the labelled set extra sizes changed the held-out F1 by a couple of examples
//! either way, while the request path pays for every one of them.
//!
//! Each n-gram is hashed straight into a bucket of a table of `2^bits` weights. Training and
//! detection both call [`for_each_feature`], so they see exactly the same features.

/// Which family a feature belongs to; each family is length-normalized on its own so that a
/// long text does not drown its word features in character features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Char,
}

/// Length of the character n-grams.
pub const CHAR_GRAM: u32 = 4;

/// Class codes of the byte table: below [`LETTER_MIN`] a byte is not part of a word.
const BREAK: u8 = 0;
const SKIP: u8 = 1;
const QUESTION: u8 = 2;
const NON_ASCII: u8 = 3;
/// Every letter code is at least this (`'0'`, which all digits fold to, so that ages, doses and
/// bed numbers do not become features).
const LETTER_MIN: u8 = b'0';

static CLASS: [u8; 256] = class_table();

const fn class_table() -> [u8; 256] {
    let mut table = [BREAK; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = match b {
            b'a'..=b'z' => b,
            b'A'..=b'Z' => b | 0x20,
            b'0'..=b'9' => LETTER_MIN,
            b'\'' => SKIP,
            b'?' => QUESTION,
            0x80..=0xff => NON_ASCII,
            _ => BREAK,
        };
        i += 1;
    }
    table
}

const SPACE: u64 = b' ' as u64;
const SEED_WORD: u64 = 0x51_7c_c1_b7_27_22_0a_95;
const SEED_BIGRAM: u64 = 0x2545_f491_4f6c_dd1d;
const SEED_CHAR: u64 = 0x94d0_49bb_1331_11eb;
/// Odd 64-bit multiplier (2^64 / golden ratio): one multiply per step spreads each input over
/// the high bits, which are the ones kept as the bucket index.
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const FINAL: u64 = 0xbf58_476d_1ce4_e5b9;

/// Character codes are 12 bits (ASCII as is, other letters folded above 127) so that a whole
/// n-gram is one integer.
const CODE_BITS: u32 = 12;
const CODE_SPACE: u64 = (1 << CODE_BITS) - 128;
const WINDOW_MASK: u64 = (1 << (CHAR_GRAM * CODE_BITS)) - 1;

#[inline(always)]
fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(MUL)
}

/// Keeps the top bits after one more multiply (`shift` = 64 - bits).
#[inline(always)]
fn finish(h: u64, shift: u32) -> u32 {
    ((h ^ (h >> 29)).wrapping_mul(FINAL) >> shift) as u32
}

/// Streaming state over one text segment (one chat message).
struct Stream<'f, F: FnMut(Kind, u32)> {
    shift: u32,
    sink: &'f mut F,
    /// The last [`CHAR_GRAM`] characters of the normalized stream, newest in the low bits. It
    /// starts as one space, so a segment's first characters form n-grams with its start.
    window: u64,
    word: u64,
    in_word: bool,
    prev_word: u64,
}

impl<F: FnMut(Kind, u32)> Stream<'_, F> {
    #[inline(always)]
    fn push_char(&mut self, code: u64) {
        self.window = ((self.window << CODE_BITS) | code) & WINDOW_MASK;
        let bucket = (self.window ^ SEED_CHAR).wrapping_mul(FINAL) >> self.shift;
        (self.sink)(Kind::Char, bucket as u32);
    }

    #[inline(always)]
    fn letter(&mut self, c: u64, code: u64) {
        self.in_word = true;
        self.word = mix(self.word, c);
        self.push_char(code);
    }

    /// Ends the current word (if any): emits its unigram and its bigram with the previous word.
    #[inline(always)]
    fn end_word(&mut self) {
        if self.in_word {
            self.in_word = false;
            let word = self.word;
            self.word = SEED_WORD;
            self.emit_word(word);
            self.push_char(SPACE);
        }
    }

    #[inline(always)]
    fn emit_word(&mut self, word: u64) {
        (self.sink)(Kind::Word, finish(word, self.shift));
        let bigram = mix(self.prev_word ^ SEED_BIGRAM, word >> 32) ^ word;
        (self.sink)(Kind::Word, finish(bigram.wrapping_mul(MUL), self.shift));
        self.prev_word = word;
    }

    #[cold]
    fn question(&mut self) {
        self.end_word();
        self.emit_word(mix(SEED_WORD, u64::from(b'?')));
        self.push_char(u64::from(b'?'));
        self.push_char(SPACE);
    }

    /// A non-ASCII character: letters and numbers join words, the curly apostrophe is skipped
    /// like the straight one, anything else breaks words.
    #[cold]
    fn wide(&mut self, c: char) {
        if c.is_alphabetic() {
            let lower = u64::from(c.to_lowercase().next().unwrap_or(c));
            self.letter(lower, 128 + lower % CODE_SPACE);
        } else if c.is_numeric() {
            self.letter(u64::from(LETTER_MIN), u64::from(LETTER_MIN));
        } else if c != '\u{2019}' {
            self.end_word();
        }
    }
}

/// Calls `sink(kind, bucket)` for every n-gram of `text`, each bucket in `0..2^bits`.
/// `bits` must be in `8..=24` (checked by the callers that build weight tables).
pub fn for_each_feature<F: FnMut(Kind, u32)>(text: &str, bits: u32, sink: &mut F) {
    let mut s = Stream {
        shift: 64 - bits,
        sink,
        window: SPACE,
        word: SEED_WORD,
        in_word: false,
        prev_word: SEED_WORD,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let class = CLASS[usize::from(b)];
        if class >= LETTER_MIN {
            s.letter(u64::from(class), u64::from(class));
        } else if class == BREAK {
            s.end_word();
        } else if class == QUESTION {
            s.question();
        } else if class == NON_ASCII {
            // `i - 1` is a char boundary: ASCII bytes and whole characters are consumed.
            let c = text
                .get(i - 1..)
                .and_then(|t| t.chars().next())
                .unwrap_or(' ');
            i += c.len_utf8().saturating_sub(1);
            s.wide(c);
        }
    }
    s.end_word();
}

/// Counts of features per family, for the length normalization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub word: u32,
    pub char: u32,
}

impl Counts {
    /// The normalization factors `1/sqrt(n)` per family (0 when the family is empty).
    pub fn factors(self) -> (f32, f32) {
        let f = |n: u32| if n == 0 { 0.0 } else { 1.0 / (n as f32).sqrt() };
        (f(self.word), f(self.char))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Vec<(Kind, u32)> {
        let mut v = Vec::new();
        for_each_feature(text, 18, &mut |k, b| v.push((k, b)));
        v
    }

    #[test]
    fn case_digits_and_punctuation_are_normalized() {
        assert_eq!(
            collect("Should we WAIT, aged 45?"),
            collect("should we wait aged 99 ?")
        );
        assert_eq!(collect("don't"), collect("don\u{2019}t"));
        assert_eq!(collect("Élan"), collect("élan"));
        assert_ne!(collect("should we wait"), collect("should we walk"));
    }

    #[test]
    fn counts_scale_with_text() {
        let f = collect("abc de");
        let words = f.iter().filter(|(k, _)| *k == Kind::Word).count();
        // two unigrams + two bigrams
        assert_eq!(words, 4);
        // one character n-gram per character of the stream "abc de " after its leading space
        let chars = f.iter().filter(|(k, _)| *k == Kind::Char).count();
        assert_eq!(chars, 7);
        assert!(f.iter().all(|(_, b)| *b < (1 << 18)));
    }

    #[test]
    fn empty_text_has_no_features() {
        assert!(collect("").is_empty());
        assert!(collect("  ,;- ").is_empty());
    }

    #[test]
    fn multibyte_text_is_read_whole() {
        // Every character is consumed once: the 4-byte emoji breaks words, the accented
        // letters join them.
        let f = collect("caf\u{e9} \u{1f600} na\u{ef}ve");
        let words = f.iter().filter(|(k, _)| *k == Kind::Word).count();
        assert_eq!(words, 4);
    }
}
