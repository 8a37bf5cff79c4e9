//! Negation right after a mention, with the aside a writer may put before the verb.
//!
//! "Choice 1 (the operation tonight) is not ..." and "Choice 1 – operating tonight – would be a
//! mistake" put up to 80 characters between the mention and its verb. As bounded repetitions
//! inside the pattern, those asides made the lazy DFA step through dozens of states for every
//! mention, the largest single cost of a parse; here they are found by a scan instead, and the
//! pattern only runs, anchored, where the verb may start.

use super::Cues;

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
        let body = |from: &str| self.negation_after_body.is_match(from.trim_start());
        // Stopping the leading run early opens no other start: a verb starts at a letter, and
        // a dash inside the run is followed only by run characters.
        if self.negation_after_body.is_match(rest) {
            return true;
        }
        if let Some(inner) = rest.strip_prefix('(') {
            if let Some(closed) = past_first_within(inner, |c| c == ')') {
                if body(&inner[closed..]) {
                    return true;
                }
            }
        }
        past_first_within(rest, |c| matches!(c, '—' | '–'))
            .is_some_and(|dashed| body(&rest[dashed..]))
    }
}

/// The byte offset just past the first char of `text` that `is_end` accepts, if at most
/// [`ASIDE_CHARS`] chars come before it.
fn past_first_within(text: &str, is_end: impl Fn(char) -> bool) -> Option<usize> {
    text.char_indices()
        .take(ASIDE_CHARS + 1)
        .find(|&(_, c)| is_end(c))
        .map(|(i, c)| i + c.len_utf8())
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
