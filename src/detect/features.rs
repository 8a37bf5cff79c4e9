//! Hashed n-gram features of a text, produced on the fly with no allocation.
//!
//! The text is normalized one character at a time (lowercase, digits folded to `0`, apostrophes
//! dropped inside words, `?` kept as a token of its own, everything else a word break), then:
//! - word unigrams and bigrams (namespace [`Kind::Word`]),
//! - character 3-, 4- and 5-grams over the normalized stream, words separated by one space
//!   (namespace [`Kind::Char`]).
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

/// Digits are folded to one symbol so that ages, doses and bed numbers do not become features.
const DIGIT: u32 = '0' as u32;
const SPACE: u32 = ' ' as u32;
const QUESTION: u32 = '?' as u32;

const SEED_WORD: u64 = 0x51_7c_c1_b7_27_22_0a_95;
const SEED_BIGRAM: u64 = 0x2545_f491_4f6c_dd1d;
const SEED_CHAR: u64 = 0x94d0_49bb_1331_11eb;
/// Odd 64-bit multiplier (2^64 / golden ratio): one multiply per step spreads each input over
/// the high bits, which are the ones kept as the bucket index.
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const FINAL: u64 = 0xbf58_476d_1ce4_e5b9;

#[inline]
fn mix(h: u64, x: u32) -> u64 {
    (h ^ u64::from(x)).wrapping_mul(MUL)
}

/// Keeps the top `bits` bits after one more multiply (callers validate `bits` to 8..=24).
#[inline]
fn finish(h: u64, bits: u32) -> u32 {
    ((h ^ (h >> 29)).wrapping_mul(FINAL) >> (64 - bits)) as u32
}

/// What a character contributes to the normalized stream.
enum Norm {
    Letter(u32),
    Skip,
    Break,
    Question,
}

/// The ASCII fast path of [`normalize`].
#[inline]
fn ascii(b: u8) -> Norm {
    match b {
        b'a'..=b'z' => Norm::Letter(u32::from(b)),
        b'A'..=b'Z' => Norm::Letter(u32::from(b | 0x20)),
        b'0'..=b'9' => Norm::Letter(DIGIT),
        b'\'' => Norm::Skip,
        b'?' => Norm::Question,
        _ => Norm::Break,
    }
}

#[inline]
fn normalize(c: char) -> Norm {
    if c.is_ascii_alphabetic() {
        Norm::Letter(u32::from(c.to_ascii_lowercase()))
    } else if c.is_ascii_digit() {
        Norm::Letter(DIGIT)
    } else if c == '\'' || c == '\u{2019}' {
        Norm::Skip
    } else if c == '?' {
        Norm::Question
    } else if c.is_ascii() {
        Norm::Break
    } else if c.is_alphabetic() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        Norm::Letter(u32::from(lower))
    } else if c.is_numeric() {
        Norm::Letter(DIGIT)
    } else {
        Norm::Break
    }
}

/// Streaming state over one text segment (one chat message).
struct Stream<'f, F: FnMut(Kind, u32)> {
    bits: u32,
    sink: &'f mut F,
    /// Last five characters of the normalized stream as 12-bit codes, newest in the low bits.
    window: u64,
    filled: u32,
    word: u64,
    in_word: bool,
    prev_word: u64,
}

/// Character codes are 12 bits so that five fit in one `u64` with room for the n-gram length.
const CODE_BITS: u32 = 12;
const CODE_MASK: u64 = (1 << CODE_BITS) - 1;
const WINDOW_MASK: u64 = (1 << (5 * CODE_BITS)) - 1;
const GRAM_MASK: [u64; 2] = [(1 << (3 * CODE_BITS)) - 1, (1 << (4 * CODE_BITS)) - 1];

/// ASCII keeps its own code; other characters fold into the codes above 127 (collisions
/// between rare non-ASCII letters cost little).
#[inline]
fn code(c: u32) -> u64 {
    if c < 128 {
        u64::from(c)
    } else {
        128 + u64::from(c) % (CODE_MASK as u32 - 127) as u64
    }
}

impl<F: FnMut(Kind, u32)> Stream<'_, F> {
    #[inline]
    fn push_char(&mut self, c: u32) {
        self.window = ((self.window << CODE_BITS) | code(c)) & WINDOW_MASK;
        if self.filled < 5 {
            self.filled += 1;
        }
        // An n-gram is its characters packed with its length in the top bits; one multiply
        // turns it into a bucket. The window starts with one space, so a segment's first
        // character already completes nothing and its third completes a 3-gram.
        let w = self.window;
        match self.filled {
            5 => {
                self.emit_char(w & GRAM_MASK[0] | 3 << 60);
                self.emit_char(w & GRAM_MASK[1] | 4 << 60);
                self.emit_char(w | 5 << 60);
            }
            4 => {
                self.emit_char(w & GRAM_MASK[0] | 3 << 60);
                self.emit_char(w & GRAM_MASK[1] | 4 << 60);
            }
            3 => self.emit_char(w & GRAM_MASK[0] | 3 << 60),
            _ => {}
        }
    }

    #[inline]
    fn emit_char(&mut self, key: u64) {
        let bucket = (key ^ SEED_CHAR).wrapping_mul(FINAL) >> (64 - self.bits);
        (self.sink)(Kind::Char, bucket as u32);
    }

    #[inline]
    fn letter(&mut self, c: u32) {
        if !self.in_word {
            self.in_word = true;
            self.word = SEED_WORD;
        }
        self.word = mix(self.word, c);
        self.push_char(c);
    }

    /// Ends the current word (if any): emits its unigram and its bigram with the previous word.
    #[inline]
    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        self.emit_word(self.word);
        self.push_char(SPACE);
    }

    #[inline]
    fn emit_word(&mut self, word: u64) {
        (self.sink)(Kind::Word, finish(word, self.bits));
        let bigram = mix(self.prev_word ^ SEED_BIGRAM, (word >> 32) as u32) ^ word;
        (self.sink)(Kind::Word, finish(bigram.wrapping_mul(MUL), self.bits));
        self.prev_word = word;
    }

    fn question(&mut self) {
        self.end_word();
        self.emit_word(mix(SEED_WORD, QUESTION));
        self.push_char(QUESTION);
        self.push_char(SPACE);
    }
}

/// Calls `sink(kind, bucket)` for every n-gram of `text`, each bucket in `0..2^bits`.
/// `bits` must be in `8..=24` (checked by the callers that build weight tables).
pub fn for_each_feature<F: FnMut(Kind, u32)>(text: &str, bits: u32, sink: &mut F) {
    let mut s = Stream {
        bits,
        sink,
        window: u64::from(SPACE),
        filled: 1,
        word: SEED_WORD,
        in_word: false,
        prev_word: SEED_WORD,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let norm = if b < 0x80 {
            i += 1;
            ascii(b)
        } else {
            // Not ASCII: decode the whole character (i is always at a char boundary here).
            let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
            i += c.len_utf8().max(1);
            normalize(c)
        };
        match norm {
            Norm::Letter(l) => s.letter(l),
            Norm::Skip => {}
            Norm::Break => s.end_word(),
            Norm::Question => s.question(),
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
        assert_ne!(collect("should we wait"), collect("should we walk"));
    }

    #[test]
    fn counts_scale_with_text() {
        let f = collect("abc de");
        let words = f.iter().filter(|(k, _)| *k == Kind::Word).count();
        // two unigrams + two bigrams
        assert_eq!(words, 4);
        // stream " abc de " : 3-grams at positions 2..=7 (6), 4-grams 5, 5-grams 4
        let chars = f.iter().filter(|(k, _)| *k == Kind::Char).count();
        assert_eq!(chars, 15);
        assert!(f.iter().all(|(_, b)| *b < (1 << 18)));
    }

    #[test]
    fn empty_text_has_no_features() {
        assert!(collect("").is_empty());
        assert!(collect("  ,;- ").is_empty());
    }
}
