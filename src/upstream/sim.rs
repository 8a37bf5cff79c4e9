//! The `sim` kind: SIMULATED agents with known value weights answer two-option dilemmas by the
//! attribution GLM ([`super::sim_model`]) and respond to persona steering. A ground truth for
//! tests and the demo when no recorded data is around; never a clinician or a language model.
//!
//! Every reply is a valid OpenAI chat completion (JSON, or SSE when `stream` is true) whose
//! text says it is simulated, and carries a top-level `pluralis_sim` object (`simulation: true`,
//! agent, case id, `p_choice_1`, the choice in the case's terms, whether steering applied). A
//! prompt that matches no known dilemma gets a short simulated answer saying so; a model that
//! is not one of the agents gets an OpenAI-style 404.

use super::replay::respond;
use super::sim_model::{SimAgent, SimCases};
use super::synth::{local_error, unix_now, SynthAnswer};
use super::{BuildError, ForwardRequest, Upstream, UpstreamError};
use crate::body::ProxyBody;
use crate::config::UpstreamConfig;
use crate::route::steer::{conversation_key, messages, CONVERSATION_HEADER};
use crate::valuebench::CaseChoice;
use crate::values::{Choice, Value};
use futures_util::future::BoxFuture;
use http::{Response, StatusCode};
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::sync::Arc;

/// Provenance key of every simulated answer.
pub const SIM_FIELD: &str = "pluralis_sim";

/// One simulated decision, before it is dressed as a completion.
#[derive(Debug, Clone, PartialEq)]
pub struct SimDecision {
    pub case_id: String,
    pub p_choice_1: f64,
    /// In the case's terms (its `choice_1` / `choice_2`).
    pub choice: Choice,
    pub steered: bool,
    /// The assistant text, numbered as the prompt numbered the options.
    pub content: String,
}

/// Why no decision was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimMiss {
    UnknownAgent,
    UnknownPrompt,
}

pub struct SimUpstream {
    agents: HashMap<String, SimAgent>,
    cases: Arc<SimCases>,
    seed: u64,
}

impl SimUpstream {
    pub fn new(config: &UpstreamConfig) -> Result<Self, BuildError> {
        let invalid = |message: String| BuildError::Invalid {
            upstream: config.name.clone(),
            message,
        };
        let cases = match &config.cases {
            Some(path) => SimCases::load(path),
            None => SimCases::embedded(),
        }
        .map_err(|e| invalid(e.to_string()))?;
        if cases.is_empty() {
            return Err(invalid("no dilemmas with two options in `cases`".into()));
        }
        let agents = config.agents.iter().map(SimAgent::from_config).collect();
        Ok(Self::from_parts(agents, Arc::new(cases), config.seed))
    }

    pub fn from_parts(agents: Vec<SimAgent>, cases: Arc<SimCases>, seed: u64) -> Self {
        let agents = agents.into_iter().map(|a| (a.name.clone(), a)).collect();
        SimUpstream {
            agents,
            cases,
            seed,
        }
    }

    /// What `agent` answers to (system, user) for conversation `key`. Pure.
    pub fn decide(
        &self,
        agent: &str,
        system: &str,
        user: &str,
        key: &[u8],
    ) -> Result<SimDecision, SimMiss> {
        let agent = self.agents.get(agent).ok_or(SimMiss::UnknownAgent)?;
        let matched = self.cases.find(user).ok_or(SimMiss::UnknownPrompt)?;
        let case = matched.case;
        let (p_choice_1, choice, steered) = agent.choose(system, case, key, self.seed);
        let (taken, other) = match choice {
            Choice::Choice1 => (&case.choice_1, &case.choice_2),
            _ => (&case.choice_2, &case.choice_1),
        };
        let shown = if (choice == Choice::Choice1) != matched.swapped {
            1
        } else {
            2
        };
        let content = format!(
            "Recommendation: Choice {shown}: {}\n\n{}\n\n[SIMULATED answer from pluralis sim \
             agent `{}`: a value-weighted model of a decision maker, not a clinician and not a \
             language model.]",
            taken.choice.trim(),
            weighed_sentence(taken, other),
            agent.name
        );
        Ok(SimDecision {
            case_id: case.case_id.clone(),
            p_choice_1,
            choice,
            steered,
            content,
        })
    }

    /// The whole reply for one request (pure apart from the clock).
    pub fn reply(&self, request: &ForwardRequest) -> Response<ProxyBody> {
        let Ok(body) = serde_json::from_slice::<Json>(&request.body) else {
            return local_error(StatusCode::BAD_REQUEST, "sim: the body is not JSON");
        };
        let model = body.get("model").and_then(Json::as_str).unwrap_or("");
        let system: Vec<&str> = messages(&body)
            .filter(|(role, _)| *role == "system")
            .map(|(_, text)| text)
            .collect();
        let user = messages(&body)
            .filter(|(role, _)| *role == "user")
            .last()
            .map_or("", |(_, text)| text);
        let header = request
            .headers
            .get(CONVERSATION_HEADER)
            .and_then(|v| v.to_str().ok());
        let mut key = conversation_key(header, &body);
        if key.is_empty() {
            key = &request.body;
        }
        let (id, content, provenance) = match self.decide(model, &system.join("\n"), user, key) {
            Ok(d) => (
                format!("sim-{}", d.case_id),
                d.content,
                json!({
                    "simulation": true,
                    "agent": model,
                    "case_id": d.case_id,
                    "p_choice_1": d.p_choice_1,
                    "choice": d.choice.as_str(),
                    "steered": d.steered,
                }),
            ),
            Err(SimMiss::UnknownPrompt) => (
                "sim-no-match".to_owned(),
                format!(
                    "[SIMULATED answer from pluralis sim agent `{model}`] This simulated agent \
                     only answers the two-option dilemmas it was given; this prompt matches none \
                     of them."
                ),
                json!({"simulation": true, "agent": model, "case_id": null}),
            ),
            Err(SimMiss::UnknownAgent) => {
                return local_error(
                    StatusCode::NOT_FOUND,
                    "sim: no simulated agent of this name",
                )
            }
        };
        let answer = SynthAnswer {
            id,
            model: model.to_owned(),
            created: unix_now(),
            content,
            finish_reason: "stop".into(),
            usage: None,
            provenance: Some((SIM_FIELD.into(), provenance)),
        };
        respond(&answer, request.stream)
    }
}

impl Upstream for SimUpstream {
    fn send(
        &self,
        request: ForwardRequest,
    ) -> BoxFuture<'static, Result<Response<ProxyBody>, UpstreamError>> {
        let response = self.reply(&request);
        Box::pin(async move { Ok(response) })
    }
}

/// One sentence naming the values the taken option serves better and those it gives up.
fn weighed_sentence(taken: &CaseChoice, other: &CaseChoice) -> String {
    let (mut gains, mut costs) = (Vec::new(), Vec::new());
    for v in Value::ALL {
        let d = taken.alignment(v).score() - other.alignment(v).score();
        if d > 0 {
            gains.push(v.name());
        } else if d < 0 {
            costs.push(v.name());
        }
    }
    match (gains.is_empty(), costs.is_empty()) {
        (false, false) => format!(
            "I weighed {} above {}.",
            gains.join(" and "),
            costs.join(" and ")
        ),
        (false, true) => format!("This option serves {} better.", gains.join(" and ")),
        (true, false) => format!("I accepted the cost to {}.", costs.join(" and ")),
        (true, true) => "Both options serve the four values alike.".to_owned(),
    }
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
