//! Training the detector: class-balanced logistic regression fitted by AdaGrad over the same
//! hashed features the detector reads, then quantized to one byte per bucket.
//!
//! Reproducible by construction: examples in a fixed order, one seeded ChaCha shuffle per
//! epoch, single-threaded float arithmetic in a fixed order; the same inputs give the same
//! weight file bytes.

use super::corpus::{self, Corpus, Example};
use super::features::{self, Counts, Kind};
use super::model::{Model, MAX_BITS, MIN_BITS};
use super::{options, sigmoid, structural_features, tail_within, Detector, STRUCTURAL};
use crate::valuebench::CaseLine;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Hyper-parameters; the defaults are what `pluralis train-detector` uses.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Bucket table of `2^bits` entries (one byte each at run time). Default 18 (256 KiB).
    pub bits: u8,
    /// Passes over the training set. Default 30.
    pub epochs: u32,
    /// AdaGrad base step. Default 0.5.
    pub learning_rate: f32,
    /// L2 penalty per update on the touched weights. Default 3e-3: with the breadth and
    /// hard-negative rows, weaker penalties fit train perfectly and generalise worse.
    pub l2: f32,
    /// Seed of the per-epoch shuffles. Default 0x5eed.
    pub seed: u64,
    /// Probability at or above which a request is called a dilemma. Default 0.4: the training
    /// set holds more negatives than positives, so 0.5 trades too much recall for precision.
    pub threshold: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 18,
            epochs: 30,
            learning_rate: 0.5,
            l2: 3e-3,
            seed: 0x5eed,
            threshold: 0.4,
        }
    }
}

/// Confusion counts of a detector on labelled examples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    pub true_pos: usize,
    pub false_pos: usize,
    pub true_neg: usize,
    pub false_neg: usize,
}

impl Metrics {
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn total(&self) -> usize {
        self.true_pos + self.false_pos + self.true_neg + self.false_neg
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores every example with `detector`; returns the confusion counts and the indices of the
/// misclassified examples.
pub fn evaluate(detector: &Detector, examples: &[Example]) -> (Metrics, Vec<usize>) {
    let mut m = Metrics::default();
    let mut wrong = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        let said = detector.detect_text(&e.text).dilemma;
        match (said, e.dilemma) {
            (true, true) => m.true_pos += 1,
            (true, false) => m.false_pos += 1,
            (false, false) => m.true_neg += 1,
            (false, true) => m.false_neg += 1,
        }
        if said != e.dilemma {
            wrong.push(i);
        }
    }
    (m, wrong)
}

/// An example as the trainer sees it: summed bucket values and structural indicators.
struct Vector {
    buckets: Vec<(u32, f32)>,
    structural: [f32; STRUCTURAL],
    label: f32,
}

/// The same features [`Detector::detect_text`] reads, with the same normalization.
fn vectorize(example: &Example, bits: u8) -> Vector {
    let text = tail_within(&example.text, super::MAX_SCANNED_BYTES);
    let mut raw: Vec<(u32, Kind)> = Vec::new();
    let mut counts = Counts::default();
    features::for_each_feature(text, u32::from(bits), &mut |kind, bucket| {
        match kind {
            Kind::Word => counts.word += 1,
            Kind::Char => counts.char += 1,
        }
        raw.push((bucket, kind));
    });
    let (fw, fc) = counts.factors();
    raw.sort_unstable_by_key(|(b, k)| (*b, *k == Kind::Char));
    let mut buckets: Vec<(u32, f32)> = Vec::new();
    for (bucket, kind) in raw {
        let x = if kind == Kind::Word { fw } else { fc };
        match buckets.last_mut() {
            Some((b, v)) if *b == bucket => *v += x,
            _ => buckets.push((bucket, x)),
        }
    }
    Vector {
        buckets,
        structural: structural_features(options::extract(text).as_ref()),
        label: if example.dilemma { 1.0 } else { 0.0 },
    }
}

/// Fits a model on `examples` (in the given order).
pub fn train(examples: &[Example], cfg: &TrainConfig, used_valuebench: bool) -> Model {
    let bits = cfg.bits.clamp(MIN_BITS, MAX_BITS);
    let table = 1usize << bits;
    let vectors: Vec<Vector> = examples.iter().map(|e| vectorize(e, bits)).collect();
    let positives = vectors.iter().filter(|v| v.label > 0.5).count();
    let negatives = vectors.len() - positives;
    // Class weights so that each class carries half the loss whatever the balance of the set.
    let class_weight = |label: f32| {
        let n = if label > 0.5 { positives } else { negatives };
        vectors.len() as f32 / (2.0 * n.max(1) as f32)
    };
    let mut w = vec![0f32; table];
    let mut g2 = vec![0f32; table];
    let mut s = [0f32; STRUCTURAL];
    let mut s_g2 = [0f32; STRUCTURAL];
    let (mut bias, mut bias_g2) = (0f32, 0f32);
    let eps = 1e-6f32;
    let lr = cfg.learning_rate;
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    for _ in 0..cfg.epochs {
        order.shuffle(&mut rng);
        for &i in &order {
            let v = &vectors[i];
            let mut logit = bias;
            for &(b, x) in &v.buckets {
                logit += w[b as usize] * x;
            }
            for (wk, zk) in s.iter().zip(v.structural) {
                logit += wk * zk;
            }
            let g = (sigmoid(logit) - v.label) * class_weight(v.label);
            for &(b, x) in &v.buckets {
                let b = b as usize;
                let grad = g * x + cfg.l2 * w[b];
                g2[b] += grad * grad;
                w[b] -= lr * grad / (g2[b].sqrt() + eps);
            }
            for k in 0..STRUCTURAL {
                let grad = g * v.structural[k] + cfg.l2 * s[k];
                s_g2[k] += grad * grad;
                s[k] -= lr * grad / (s_g2[k].sqrt() + eps);
            }
            bias_g2 += g * g;
            bias -= lr * g / (bias_g2.sqrt() + eps);
        }
    }
    let (weights, scale) = quantize(&w);
    Model {
        bits,
        weights,
        scale,
        bias,
        structural: s,
        threshold: cfg.threshold,
        used_valuebench,
        corpus_sha256: corpus::digest(examples),
    }
}

/// Symmetric 8-bit quantization with the scale set by the largest weight.
fn quantize(w: &[f32]) -> (Vec<i8>, f32) {
    let max = w.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; w.len()], 1.0);
    }
    let scale = max / 127.0;
    let q = w
        .iter()
        .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (q, scale)
}

/// What a training run produced and how it scored.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub model: Model,
    pub train_examples: usize,
    pub valuebench_examples: usize,
    pub train: Metrics,
    pub eval: Metrics,
    /// Indices into the eval split of the misclassified examples.
    pub eval_errors: Vec<usize>,
}

/// The training split followed by the usable ValueBench cases (when given), in that order.
pub fn training_examples(corpus: &Corpus, cases: Option<&[CaseLine]>) -> Vec<Example> {
    let mut examples = corpus.train.clone();
    examples.extend(cases.map(corpus::valuebench_examples).unwrap_or_default());
    examples
}

/// Trains on the corpus's train split (plus the usable ValueBench cases when given) and
/// evaluates the quantized model on both splits.
pub fn build(corpus: &Corpus, cases: Option<&[CaseLine]>, cfg: &TrainConfig) -> TrainReport {
    let examples = training_examples(corpus, cases);
    let model = train(&examples, cfg, cases.is_some());
    let detector = Detector::new(model);
    let (train_m, _) = evaluate(&detector, &examples);
    let (eval_m, eval_errors) = evaluate(&detector, &corpus.eval);
    TrainReport {
        model: detector.model().clone(),
        train_examples: examples.len(),
        valuebench_examples: examples.len() - corpus.train.len(),
        train: train_m,
        eval: eval_m,
        eval_errors,
    }
}
