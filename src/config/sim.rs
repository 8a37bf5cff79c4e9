//! `[[upstream]] kind = "sim"` agents: plain config data. The behaviour (GLM choice, steering)
//! lives in `upstream::sim_model`.

use crate::values::Value;
use serde::{Deserialize, Serialize};

/// One simulated agent: `{ name = "...", weights = { autonomy = 1.2, ... }, temperature = 1.0 }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SimAgentConfig {
    /// The model name clients (and ensembles) use for this agent.
    pub name: String,
    /// The agent's GLM coefficient per value (log-odds per step of alignment difference).
    pub weights: ValueWeights,
    /// Divides every weight: above 1 the agent is more random, below 1 more decided. Default 1.
    #[serde(default)]
    pub temperature: Option<f64>,
}

/// A number per value; values not given are 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueWeights {
    #[serde(default)]
    pub autonomy: f64,
    #[serde(default)]
    pub beneficence: f64,
    #[serde(default)]
    pub nonmaleficence: f64,
    #[serde(default)]
    pub justice: f64,
}

impl ValueWeights {
    /// The weights in [`Value::ALL`] order.
    pub fn to_array(self) -> [f64; 4] {
        [
            self.autonomy,
            self.beneficence,
            self.nonmaleficence,
            self.justice,
        ]
    }

    pub fn from_array(w: [f64; 4]) -> Self {
        ValueWeights {
            autonomy: w[Value::Autonomy.index()],
            beneficence: w[Value::Beneficence.index()],
            nonmaleficence: w[Value::Nonmaleficence.index()],
            justice: w[Value::Justice.index()],
        }
    }
}
