//! Dilemma detection: is a chat request a clinical ethical dilemma, and which two options does
//! it state?
//!
//! A logistic regression over hashed word uni/bigrams and character 4-grams ([`features`]),
//! plus one indicator per form of stated options ([`options`]). The weights live in
//! `policies/detector-weights.bin` (rebuilt by `pluralis train-detector`, see [`train`]) and are
//! embedded in the binary; another file can be loaded instead.
//!
//! The hot path hashes n-grams on the fly into a one-byte-per-bucket table and sums integers:
//! no allocation, one pass per message.

pub mod corpus;
pub mod features;
pub mod model;
pub mod options;
pub mod train;

use features::{Counts, Kind};
pub use model::{Model, ModelError};
pub use options::{OptionForm, Options};
use std::path::Path;

/// The weights trained from this repository's labelled set, embedded at build time.
pub const EMBEDDED_WEIGHTS: &[u8] = include_bytes!("../../policies/detector-weights.bin");

/// Number of structural features: one indicator per [`OptionForm`].
pub const STRUCTURAL: usize = 4;

/// Only the newest this-many bytes of a conversation are read, so a huge request costs a
/// bounded time on the request path (a dilemma is stated in the last few messages).
pub const MAX_SCANNED_BYTES: usize = 64 * 1024;

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection<'a> {
    /// Probability (0..=1) that the request is a clinical ethical dilemma.
    pub score: f32,
    /// `score >= threshold` of the model.
    pub dilemma: bool,
    /// The two options, when the request states them (also for non-dilemmas: a request can
    /// list two options of a routine choice).
    pub options: Option<Options<'a>>,
}

/// Structural feature vector of stated options: a one-hot of their form.
pub fn structural_features(options: Option<&Options<'_>>) -> [f32; STRUCTURAL] {
    let mut z = [0f32; STRUCTURAL];
    if let Some(o) = options {
        let i = match o.form {
            OptionForm::Labelled => 0,
            OptionForm::Enumerated => 1,
            OptionForm::Bulleted => 2,
            OptionForm::Inline => 3,
        };
        z[i] = 1.0;
    }
    z
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Model {
        path: std::path::PathBuf,
        source: ModelError,
    },
}

/// A loaded detector. Cheap to share (`&Detector` is all the hot path needs).
#[derive(Debug, Clone)]
pub struct Detector {
    model: Model,
}

impl Detector {
    pub fn new(model: Model) -> Self {
        Detector { model }
    }

    /// The detector built into the binary.
    pub fn embedded() -> Result<Self, ModelError> {
        Model::decode(EMBEDDED_WEIGHTS).map(Detector::new)
    }

    pub fn from_file(path: &Path) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        Model::decode(&bytes)
            .map(Detector::new)
            .map_err(|source| LoadError::Model {
                path: path.to_owned(),
                source,
            })
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Scores a chat request given as (role, content) pairs, oldest first. Options are taken
    /// from the newest user message that states two, else from the newest message that does.
    pub fn detect<'a, R: AsRef<str>, C: AsRef<str>>(
        &self,
        messages: &'a [(R, C)],
    ) -> Detection<'a> {
        let mut sums = Sums::default();
        let mut budget = MAX_SCANNED_BYTES;
        let mut user_options = None;
        let mut any_options = None;
        for (role, content) in messages.iter().rev() {
            if budget == 0 {
                break;
            }
            let text = tail_within(content.as_ref(), budget);
            budget -= text.len();
            self.accumulate(text, &mut sums);
            let is_user = role.as_ref() == "user";
            if (is_user && user_options.is_none()) || any_options.is_none() {
                let found = options::extract(text);
                if is_user && user_options.is_none() {
                    user_options = found;
                }
                any_options = any_options.or(found);
            }
        }
        let options = user_options.or(any_options);
        self.verdict(sums, options)
    }

    /// Scores one text as if it were the only user message of a request.
    pub fn detect_text<'a>(&self, text: &'a str) -> Detection<'a> {
        let text = tail_within(text, MAX_SCANNED_BYTES);
        let mut sums = Sums::default();
        self.accumulate(text, &mut sums);
        self.verdict(sums, options::extract(text))
    }

    fn accumulate(&self, text: &str, sums: &mut Sums) {
        let weights = self.model.weights.as_slice();
        features::for_each_feature(text, u32::from(self.model.bits), &mut |kind, bucket| {
            // Buckets are < 2^bits == weights.len() by construction of both.
            let w = i32::from(weights.get(bucket as usize).copied().unwrap_or(0));
            match kind {
                Kind::Word => {
                    sums.word += w;
                    sums.counts.word += 1;
                }
                Kind::Char => {
                    sums.char += w;
                    sums.counts.char += 1;
                }
            }
        });
    }

    fn verdict<'a>(&self, sums: Sums, options: Option<Options<'a>>) -> Detection<'a> {
        let m = &self.model;
        let (fw, fc) = sums.counts.factors();
        let z = structural_features(options.as_ref());
        let structural: f32 = z.iter().zip(m.structural).map(|(x, w)| x * w).sum();
        let logit = m.bias + m.scale * (sums.word as f32 * fw + sums.char as f32 * fc) + structural;
        let score = sigmoid(logit);
        Detection {
            score,
            dilemma: score >= m.threshold,
            options,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    word: i32,
    char: i32,
    counts: Counts,
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The last at most `max` bytes of `text`, cut at a character boundary.
pub(crate) fn tail_within(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_is_cut_at_a_char_boundary() {
        assert_eq!(tail_within("héllo", 4), "llo");
        assert_eq!(tail_within("abc", 10), "abc");
    }

    #[test]
    fn embedded_weights_decode() {
        let d = Detector::embedded().unwrap();
        assert_eq!(d.model().weights.len(), 1 << d.model().bits);
    }
}
