//! Finding the few word starts where an option marker or an alternative question can begin.
//!
//! A per-byte loop with a branch at every word boundary mispredicts about once per word, which
//! on a 4 KB request cost more than the rest of the option search. Instead each chunk of the
//! text gets one flag per byte, computed with no branches from the byte before, the byte and the
//! byte after (so the compiler turns the loop into vector instructions), and only the flagged
//! positions (a few dozen in a page of prose) are visited.

/// The first two letters (lowercased) of every word the option search looks at: label words
/// (`choice`, `option`, `alternative`, `approach`, `plan`) first, then the openers of inline
/// alternatives (`should`, `whether`, `do we`, `is it better to`, `would you`).
pub const KEYS: [[u8; 2]; 10] = [
    *b"ch", *b"op", *b"al", *b"ap", *b"pl", *b"sh", *b"wh", *b"do", *b"is", *b"wo",
];
/// How many of [`KEYS`] begin label words.
pub const LABEL_KEYS: usize = 5;

/// Positions per chunk of flags (a stack array; big enough that the chunk loop is rare).
const CHUNK: usize = 256;

#[inline(always)]
fn is_key(first: u8, second: u8) -> bool {
    let (a, b) = (first | 0x20, second | 0x20);
    let mut hit = false;
    for k in KEYS {
        hit |= (a == k[0]) & (b == k[1]);
    }
    hit
}

#[inline(always)]
fn is_ascii_alnum(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26 || b.wrapping_sub(b'0') < 10
}

/// Whether the byte at `at` starts a word: the character before it is not alphanumeric.
fn starts_word(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|head| head.chars().next_back())
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Each word start of `text` whose first two letters are one of [`KEYS`], in order, with the
/// index of that key.
pub fn key_starts(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut flags = [0u8; CHUNK];
    let mut base = 0usize;
    let mut filled = 0usize;
    let mut next = 0usize;
    let mut started = false;
    std::iter::from_fn(move || loop {
        while next < filled {
            // Most positions are not flagged: skip them eight at a time.
            if let Some(eight) = flags.get(next..next + 8).filter(|_| next + 8 <= filled) {
                if u64::from_le_bytes(eight.try_into().unwrap_or([1; 8])) == 0 {
                    next += 8;
                    continue;
                }
            }
            let j = next;
            next += 1;
            if flags[j] == 0 {
                continue;
            }
            let at = base + j;
            // A non-ASCII byte before: decide on the whole character (it may be a letter).
            if at > 0 && bytes[at - 1] >= 0x80 && !starts_word(text, at) {
                continue;
            }
            let key = [bytes[at] | 0x20, bytes[at + 1] | 0x20];
            if let Some(k) = KEYS.iter().position(|x| *x == key) {
                return Some((at, k));
            }
        }
        base = if started { base + CHUNK } else { 0 };
        started = true;
        // Positions `at` with a byte after them (a key is two letters).
        let end = (base + CHUNK).min(bytes.len().saturating_sub(1));
        if base >= end {
            return None;
        }
        filled = end - base;
        next = 0;
        flag_chunk(bytes, base, &mut flags[..filled]);
    })
}

/// `flags[j]` = 1 if a key starts a word at `base + j`, else 0.
fn flag_chunk(bytes: &[u8], base: usize, flags: &mut [u8]) {
    let end = base + flags.len();
    let (here, after) = (&bytes[base..end], &bytes[base + 1..end + 1]);
    // The byte before position 0 of the text counts as a space.
    let (flags, here, after, before) = if base == 0 {
        flags[0] = u8::from(is_key(here[0], after[0]));
        (&mut flags[1..], &here[1..], &after[1..], &bytes[..end - 1])
    } else {
        (flags, here, after, &bytes[base - 1..end - 1])
    };
    for (((f, &p), &c), &n) in flags.iter_mut().zip(before).zip(here).zip(after) {
        *f = u8::from(is_key(c, n) & !is_ascii_alnum(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain per-byte definition the chunked scan must agree with.
    fn naive(text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        (0..b.len().saturating_sub(1))
            .filter(|&i| b[i].is_ascii_alphabetic() && starts_word(text, i))
            .filter_map(|i| {
                let key = [b[i] | 0x20, b[i + 1] | 0x20];
                KEYS.iter().position(|k| *k == key).map(|k| (i, k))
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_per_byte_definition() {
        let mut long = String::new();
        for i in 0..200 {
            long.push_str(if i % 7 == 0 {
                "Should we, "
            } else {
                "chop\u{e9}ration is "
            });
            long.push_str("an option; Plan b\u{2014}whether ");
        }
        for text in [
            "",
            "s",
            "sh",
            "Option A: x. Option B: y",
            "xshould (should) 2do do\u{e9}is \u{e9}is",
            long.as_str(),
        ] {
            assert_eq!(
                key_starts(text).collect::<Vec<_>>(),
                naive(text),
                "{text:?}"
            );
        }
    }
}
