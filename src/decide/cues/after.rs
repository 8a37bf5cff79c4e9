//! Negation right after a mention, with the aside a writer may put before the verb.
//!
//! "Choice 1 (the operation tonight) is not ..." and "Choice 1 – operating tonight – would be a
//! mistake" put up to 80 characters between the mention and its verb. As bounded repetitions
//! inside the pattern, those asides made the lazy DFA step through dozens of states for every
//! mention, the largest single cost of a parse; here they are found by a scan instead, and the
//! pattern only runs, anchored, where the verb may start.

use super::Cues;
use crate::decide::text::floor_boundary;

/// The most characters an aside may hold before its closing bracket or dash.
const ASIDE_CHARS: usize = 80;

impl Cues {
    /// Whether `after` (the text following a mention) opens by negating it: after leading
    /// spaces, emphasis, brackets, colons or dashes, and an optional parenthesis or an aside
    /// closed by a dash, a verb of the negation pattern.
    pub fn negated_after(&self, after: &str) -> bool {
        let lead = after
            .find(|c: char| {
                !(c.is_whitespace() || matches!(c, '*' | '_' | ')' | ':' | '-' | '–' | '—'))
            })
            .unwrap_or(after.len());
        let rest = &after[lead..];
        let body = |from: &str| {
            let from = from.trim_start();
            may_open_body(from) && self.negation_after_body.is_match(from)
        };
        // Stopping the leading run early opens no other start: a verb starts at a letter, and
        // a dash inside the run is followed only by run characters.
        if body(rest) {
            return true;
        }
        if let Some(inner) = rest.strip_prefix('(') {
            if let Some(closed) = past_first_within(inner, &[')']) {
                if body(&inner[closed..]) {
                    return true;
                }
            }
        }
        past_first_within(rest, &['—', '–']).is_some_and(|dashed| body(&rest[dashed..]))
    }
}

/// The first words of [`Cues::negation_after_body`]'s alternatives.
const BODY_OPENERS: &[&str] = &[
    "is",
    "are",
    "would",
    "seems",
    "appears",
    "remains",
    "should",
    "must",
    "will",
    "does",
    "could",
    "can",
    "won't",
    "wouldn't",
    "isn't",
    "shouldn't",
    "can't",
    "cannot",
    "sounds",
    "looks",
];

/// Whether `text` may open with a match of the negation body: its first word is one of
/// [`BODY_OPENERS`], or holds a non-ASCII char (case folding there is the pattern's to
/// judge). Most mentions are followed by other words, and the pattern need not run.
fn may_open_body(text: &str) -> bool {
    let word_len = text
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'\'')
        .count();
    if text.as_bytes().get(word_len).is_some_and(|b| *b >= 0x80) {
        return true;
    }
    let word = &text[..word_len];
    BODY_OPENERS.iter().any(|o| o.eq_ignore_ascii_case(word))
}

/// The byte offset just past the first of `ends` in `text`, if at most [`ASIDE_CHARS`] chars
/// come before it. Each end is found by a vectorised byte search of a window long enough for
/// that many chars of any width; chars are counted only before the one found.
fn past_first_within(text: &str, ends: &[char]) -> Option<usize> {
    let window = &text[..floor_boundary(text, (ASIDE_CHARS + 1) * 4)];
    let (at, end) = ends
        .iter()
        .filter_map(|&c| window.find(c).map(|i| (i, c)))
        .min_by_key(|&(i, _)| i)?;
    (window[..at].chars().count() <= ASIDE_CHARS).then_some(at + end.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::Cues;
    use proptest::prelude::*;
    use regex::Regex;

    /// The whole check as one pattern, asides included: the form the scan replaces, kept as
    /// the reference it must agree with.
    fn reference() -> Regex {
        let body = Cues::get().negation_after_body.as_str();
        let body = body
            .strip_prefix("(?i)^")
            .expect("body pattern is anchored");
        Regex::new(&format!(
            r"(?i)^[\s*_):\-–—]*(?:\([^)]{{0,80}}\)\s*|[^—–]{{0,80}}[—–]\s*)?{body}"
        ))
        .expect("reference compiles")
    }

    #[test]
    fn asides_of_every_kind() {
        let c = Cues::get();
        assert!(c.negated_after(" (operating tonight) would be a mistake"));
        assert!(c.negated_after(" – operating tonight – is not justified"));
        assert!(c.negated_after("** — that is, waiting — is wrong here"));
        assert!(!c.negated_after(" (operating tonight) is the right call"));
        let long = format!(" ({}) is not right", "x".repeat(81));
        assert!(!c.negated_after(&long));
        assert!(c.negated_after(&format!(" ({}) is not right", "é".repeat(80))));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_single_pattern(after in concat!(
            r"[ *_):\-–—\n]{0,3}",
            // Asides of any shape, and long plain ones near the length limit.
            r"(\([a-z é)(–]{0,84}\)|[a-z é)(—–]{0,84}[—–]|\([a-z é]{76,84}\)|[a-z é]{76,84}[—–])?",
            r"[ \n]{0,2}",
            r"(is not|is never|would be wrong|would be unwise|isn't perfect|won't work|",
            r"seems fine but isn't|can help|cannot be justified|should not|is the plan)?",
            r"[ .a-z]{0,4}",
        )) {
            prop_assert_eq!(Cues::get().negated_after(&after), reference().is_match(&after));
        }
    }
}
