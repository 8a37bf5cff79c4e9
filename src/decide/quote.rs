//! Whether a position in a sentence is inside quotation marks: reported speech ("the family
//! keeps saying 'do everything'") restates an option without recommending it.
//!
//! Straight double quotes pair up; curly quotes open and close; a straight single quote opens
//! after a space or a bracket and before a letter, and closes after a letter before a space
//! or punctuation (so "he's" and "parents' wishes" after no opening never count). A quote
//! right after `:` or `=` opens a value ("decision": "list him now"), not speech.

/// Whether byte `at` of `sentence` is inside a quotation.
pub fn is_quoted(sentence: &str, at: usize) -> bool {
    let bytes = sentence.as_bytes();
    let at = at.min(bytes.len());
    let mut open: Option<Quote> = None;
    let mut i = 0;
    // Only quote chars change the state, and each starts with one of three bytes: jump from
    // one to the next.
    while let Some(skip) = bytes
        .get(i..at)
        .and_then(|b| memchr::memchr3(b'"', b'\'', 0xE2, b))
    {
        i += skip;
        let Some(c) = sentence[i..].chars().next() else {
            break;
        };
        open = step(open, c, bytes, i);
        i += c.len_utf8();
    }
    open.is_some()
}

/// The quotation open after char `c` at byte `i`, given the one open before it.
fn step(open: Option<Quote>, c: char, bytes: &[u8], i: usize) -> Option<Quote> {
    match (open, c) {
        (None, '"' | '“' | '‘') if !is_value(bytes, i) => Some(match c {
            '"' => Quote::Straight,
            '“' => Quote::CurlyDouble,
            _ => Quote::CurlySingle,
        }),
        (None, '\'') if opens_single(bytes, i) && !is_value(bytes, i) => Some(Quote::Single),
        (Some(Quote::Straight), '"')
        | (Some(Quote::CurlyDouble), '”')
        | (Some(Quote::CurlySingle), '’') => None,
        (Some(Quote::Single), '\'') if closes_single(bytes, i) => None,
        _ => open,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    Straight,
    CurlyDouble,
    CurlySingle,
    Single,
}

/// A quote right after `:` or `=` (spaces skipped) opens a value, as in JSON or YAML.
fn is_value(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b':' | b'='))
}

fn opens_single(bytes: &[u8], at: usize) -> bool {
    let before = at.checked_sub(1).map(|j| bytes[j]);
    let after = bytes.get(at + 1);
    before.is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'(' | b'['))
        && after.is_some_and(u8::is_ascii_alphanumeric)
}

fn closes_single(bytes: &[u8], at: usize) -> bool {
    let before = at.checked_sub(1).map(|j| bytes[j]);
    let after = bytes.get(at + 1);
    before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'!' | b'?'))
        && after.is_none_or(|b| !b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::is_quoted;

    fn quoted_at(text: &str, word: &str) -> bool {
        is_quoted(text, text.find(word).expect("word in text"))
    }

    #[test]
    fn reported_speech_is_quoted() {
        let t = "'We're waiting on the review' is what hospitals say.";
        assert!(quoted_at(t, "waiting"));
        assert!(!quoted_at(t, "hospitals"));
        let t = "His wife keeps saying “do everything”, but I'd stop.";
        assert!(quoted_at(t, "everything"));
        assert!(!quoted_at(t, "stop"));
        let t = "Telling her that she \"nearly got the wrong drug\" would frighten her.";
        assert!(quoted_at(t, "wrong"));
        assert!(!quoted_at(t, "frighten"));
    }

    #[test]
    fn apostrophes_and_values_are_not_quotes() {
        let t = "He's clear, and the parents' wishes matter, so report it.";
        assert!(!quoted_at(t, "report"));
        let t = "{\"decision\": \"list him now\"}";
        assert!(!quoted_at(t, "list"));
        let t = "answer: 'defer listing'";
        assert!(!quoted_at(t, "defer"));
    }

    /// The walk over every char that the jumps between quote bytes replaced, kept as their
    /// reference.
    fn walked(sentence: &str, at: usize) -> bool {
        let bytes = sentence.as_bytes();
        let at = at.min(bytes.len());
        let mut open = None;
        let mut i = 0;
        while i < at {
            let Some(c) = sentence[i..].chars().next() else {
                break;
            };
            open = super::step(open, c, bytes, i);
            i += c.len_utf8();
        }
        open.is_some()
    }

    proptest::proptest! {
        #[test]
        fn jumping_between_quotes_agrees_with_the_walk(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", " ", "'", "\"", "“", "”", "‘", "’", "—", "é", ":", "=", ".", "(",
                ]),
                0..40,
            ),
            cut in 0usize..200,
        ) {
            let text = pieces.concat();
            let at = cut % (text.len() + 1);
            if text.is_char_boundary(at) {
                proptest::prop_assert_eq!(is_quoted(&text, at), walked(&text, at));
            }
        }
    }

    #[test]
    fn any_position_and_any_text_is_safe() {
        for t in ["", "'", "\"", "“", "a'b", "é'"] {
            for at in 0..=t.len() + 2 {
                let _ = is_quoted(t, at);
            }
        }
    }
}
