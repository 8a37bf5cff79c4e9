//! Synthetic tagged decisions for the monitor tests: random value tags for each option, and a
//! choice drawn from the paper's GLM with given weights (no benchmark text involved).

use pluralis::attribution::glm::sigmoid;
use pluralis::monitor::log::{OptionTags, ValueTags};
use pluralis::values::{Alignment, Choice};
use rand::Rng;

const ALIGN: [Alignment; 3] = [Alignment::Violates, Alignment::Neutral, Alignment::Promotes];

/// Each option's alignment with each value, drawn uniformly.
pub fn random_tags(rng: &mut impl Rng) -> OptionTags {
    OptionTags {
        choice_1: ValueTags::from_fn(|_| ALIGN[rng.gen_range(0..3)]),
        choice_2: ValueTags::from_fn(|_| ALIGN[rng.gen_range(0..3)]),
    }
}

/// The choice a model with value weights `beta` makes between tagged options: choice 1 with
/// probability sigmoid(sum of weight x tag difference).
pub fn glm_choice(tags: &OptionTags, beta: [f64; 4], rng: &mut impl Rng) -> Choice {
    let eta: f64 = (0..4).map(|v| f64::from(tags.deltas()[v]) * beta[v]).sum();
    if rng.gen::<f64>() < sigmoid(eta) {
        Choice::Choice1
    } else {
        Choice::Choice2
    }
}
