//! The recorded answers a `replay` upstream serves: every model's runs on every benchmark case of
//! a ValueBench-format folder, indexed by the case's user prompt, plus the value-steered runs.
//!
//! A request is matched to a case by its last user message (whitespace-normalised, exact), so
//! replay answers the benchmark's own prompts and nothing else. Which recorded run answers is a
//! hash of the request's key (e.g. the `user` field) and the model: reproducible per patient,
//! spread over the runs across patients. A request whose system prompt contains the steering
//! sentence of the steered experiment gets the steered runs when the model has them.

use crate::route::sticky::hash_key;
use crate::valuebench::{self, ReadError, MAIN_EXPERIMENT, STEERED_EXPERIMENT};
use crate::values::Choice;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One recorded answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAnswer {
    pub content: String,
    pub finish_reason: String,
    pub usage: Option<serde_json::Value>,
    /// The paper's label of this answer.
    pub choice: Choice,
}

#[derive(Debug, Clone, Default)]
struct ReplayCase {
    case_id: String,
    plain: BTreeMap<String, Vec<RecordedAnswer>>,
    steered: BTreeMap<String, Vec<RecordedAnswer>>,
}

/// A served answer and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replayed<'a> {
    pub case_id: &'a str,
    pub run: usize,
    pub steered: bool,
    pub answer: &'a RecordedAnswer,
}

/// Why nothing was replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayMiss {
    /// The prompt is not one of the folder's benchmark prompts.
    UnknownPrompt,
    /// The case is known but this model has no recorded answer for it.
    UnknownModel,
}

/// Every recorded answer of a folder, ready to serve.
#[derive(Debug, Clone, Default)]
pub struct ReplayStore {
    by_prompt: HashMap<String, usize>,
    cases: Vec<ReplayCase>,
    /// Whitespace-normalised text the steered experiment adds to the system prompt.
    steering_text: Option<String>,
}

impl ReplayStore {
    /// Load `llm_decisions/physician_recommendation` and, when present, the steered experiment.
    pub fn load(root: &Path) -> Result<ReplayStore, ReadError> {
        let main = valuebench::read_experiment(root, MAIN_EXPERIMENT)?;
        let mut store = ReplayStore::default();
        let mut main_system = None;
        for case in &main.cases {
            let Some(prompt) = case.user_prompt.as_deref() else {
                continue;
            };
            main_system = main_system.or(case.system_prompt.clone());
            let plain = answers_by_model(&case.makers);
            if plain.is_empty() {
                continue;
            }
            store.by_prompt.insert(normalise(prompt), store.cases.len());
            store.cases.push(ReplayCase {
                case_id: case.case_id.clone(),
                plain,
                steered: BTreeMap::new(),
            });
        }
        if root.join("llm_decisions").join(STEERED_EXPERIMENT).is_dir() {
            let steered = valuebench::read_experiment(root, STEERED_EXPERIMENT)?;
            for case in &steered.cases {
                let Some(&idx) = case
                    .user_prompt
                    .as_deref()
                    .and_then(|p| store.by_prompt.get(&normalise(p)))
                else {
                    continue;
                };
                if store.steering_text.is_none() {
                    store.steering_text = steering_text(
                        main_system.as_deref().unwrap_or(""),
                        case.system_prompt.as_deref().unwrap_or(""),
                    );
                }
                store.cases[idx].steered = answers_by_model(&case.makers);
            }
        }
        Ok(store)
    }

    pub fn n_cases(&self) -> usize {
        self.cases.len()
    }

    /// Models with recorded answers, sorted.
    pub fn models(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .cases
            .iter()
            .flat_map(|c| c.plain.keys().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The steering text this folder's steered runs were recorded under, if any.
    pub fn steering_text(&self) -> Option<&str> {
        self.steering_text.as_deref()
    }

    /// Whether a system prompt carries the recorded steering.
    pub fn is_steered(&self, system: Option<&str>) -> bool {
        match (system, &self.steering_text) {
            (Some(s), Some(t)) => normalise(s).contains(t.as_str()),
            _ => false,
        }
    }

    /// The recorded answer for (model, prompts, key).
    pub fn answer(
        &self,
        model: &str,
        system: Option<&str>,
        user: &str,
        key: &[u8],
    ) -> Result<Replayed<'_>, ReplayMiss> {
        let idx = *self
            .by_prompt
            .get(&normalise(user))
            .ok_or(ReplayMiss::UnknownPrompt)?;
        let case = &self.cases[idx];
        let steered_runs = self
            .is_steered(system)
            .then(|| case.steered.get(model))
            .flatten()
            .filter(|r| !r.is_empty());
        let (runs, steered) = match steered_runs {
            Some(runs) => (runs, true),
            None => (
                case.plain
                    .get(model)
                    .filter(|r| !r.is_empty())
                    .ok_or(ReplayMiss::UnknownModel)?,
                false,
            ),
        };
        // Salted apart from routing draws so run choice is independent of member choice.
        let mut salted = Vec::with_capacity(key.len() + model.len() + 8);
        salted.extend_from_slice(b"replay\0");
        salted.extend_from_slice(model.as_bytes());
        salted.push(0);
        salted.extend_from_slice(key);
        let run = (hash_key(&salted, idx as u64) % runs.len() as u64) as usize;
        Ok(Replayed {
            case_id: &case.case_id,
            run,
            steered,
            answer: &runs[run],
        })
    }
}

fn answers_by_model(
    makers: &BTreeMap<String, Vec<valuebench::Run>>,
) -> BTreeMap<String, Vec<RecordedAnswer>> {
    makers
        .iter()
        .filter(|(m, _)| !valuebench::is_physician(m))
        .map(|(m, runs)| {
            let answers = runs
                .iter()
                .filter_map(|r| {
                    Some(RecordedAnswer {
                        content: r.content()?.to_owned(),
                        finish_reason: r
                            .full_response
                            .pointer("/choices/0/finish_reason")
                            .and_then(|v| v.as_str())
                            .unwrap_or("stop")
                            .to_owned(),
                        usage: r.full_response.get("usage").cloned(),
                        choice: r.parsed_choice,
                    })
                })
                .collect();
            (m.clone(), answers)
        })
        .collect()
}

/// Collapse runs of whitespace to one space and trim.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `steered` adds to `base`: the steered prompt with the base prompt removed.
fn steering_text(base: &str, steered: &str) -> Option<String> {
    let (base, steered) = (normalise(base), normalise(steered));
    let extra = if base.is_empty() {
        steered
    } else {
        steered.replace(&base, " ")
    };
    let extra = normalise(&extra);
    (!extra.is_empty()).then_some(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steering_text_is_the_added_sentence() {
        assert_eq!(
            steering_text(
                "Be a doctor. Pick one. ",
                "Be a doctor.  Pick one. Prefer X. "
            ),
            Some("Prefer X.".into())
        );
        assert_eq!(steering_text("Same.", "Same."), None);
    }

    #[test]
    fn replays_shared_answers_reproducibly() {
        let Some(root) = valuebench::shared_dir() else {
            eprintln!("skipped: no shared ValueBench folder");
            return;
        };
        let store = ReplayStore::load(&root).unwrap();
        assert!(store.n_cases() >= 50);
        assert!(store.steering_text().is_some());
        let exp = valuebench::read_experiment(&root, MAIN_EXPERIMENT).unwrap();
        let case = &exp.cases[0];
        let prompt = case.user_prompt.clone().unwrap();
        let model = "anthropic/claude-opus-4.5";
        let a = store.answer(model, None, &prompt, b"p1").unwrap();
        assert_eq!(a, store.answer(model, None, &prompt, b"p1").unwrap());
        assert!(!a.steered);
        assert_eq!(a.case_id, case.case_id);
        let runs = &case.makers[model];
        assert_eq!(runs[a.run].parsed_choice, a.answer.choice);
        // Different patients see different recorded runs.
        let distinct: std::collections::HashSet<usize> = (0..50)
            .map(|i| {
                store
                    .answer(model, None, &prompt, format!("p{i}").as_bytes())
                    .unwrap()
                    .run
            })
            .collect();
        assert!(distinct.len() > 3);
        // Steering in the system prompt serves the steered runs.
        let system = format!("You are careful. {}", store.steering_text().unwrap());
        let s = store.answer(model, Some(&system), &prompt, b"p1").unwrap();
        assert!(s.steered);
        assert_eq!(
            store.answer("no/such-model", None, &prompt, b"p1"),
            Err(ReplayMiss::UnknownModel)
        );
        assert_eq!(
            store.answer(model, None, "What is the capital of France?", b"p1"),
            Err(ReplayMiss::UnknownPrompt)
        );
    }
}
