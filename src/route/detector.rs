//! Which requests to an ensemble are dilemmas. Routing asks a [`DilemmaDetector`] so the
//! classifier can be swapped (the trained detector of `crate::detect`, or a fixed answer in
//! tests) without touching the routing code.

use std::sync::Arc;

/// Decides whether a chat request (role, text) pairs, oldest first, is a clinical dilemma.
pub trait DilemmaDetector: Send + Sync + 'static {
    fn is_dilemma(&self, messages: &[(&str, &str)]) -> bool;
}

/// Interim rule until the trained detector is wired in: the newest user message states two
/// labelled options (`Choice 1` and `Choice 2`), the form every benchmark dilemma uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatedOptions;

impl DilemmaDetector for StatedOptions {
    fn is_dilemma(&self, messages: &[(&str, &str)]) -> bool {
        messages
            .iter()
            .rev()
            .find(|(role, _)| *role == "user")
            .is_some_and(|(_, text)| {
                let lower = text.to_ascii_lowercase();
                lower.contains("choice 1") && lower.contains("choice 2")
            })
    }
}

/// A fixed verdict (tests, benches).
#[derive(Debug, Clone, Copy)]
pub struct Always(pub bool);

impl DilemmaDetector for Always {
    fn is_dilemma(&self, _: &[(&str, &str)]) -> bool {
        self.0
    }
}

/// The detector the proxy uses by default.
pub fn default_detector() -> Arc<dyn DilemmaDetector> {
    Arc::new(StatedOptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_options_reads_the_newest_user_message() {
        let d = StatedOptions;
        assert!(d.is_dilemma(&[("user", "Case...\nChoice 1: a\nChoice 2: b")]));
        assert!(!d.is_dilemma(&[("user", "Choice 1: a\nChoice 2: b"), ("user", "thanks")]));
        assert!(!d.is_dilemma(&[("system", "Choice 1 Choice 2")]));
        assert!(!d.is_dilemma(&[]));
    }
}
