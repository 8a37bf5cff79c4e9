//! Ensembles: virtual models whose dilemma traffic is spread across members.
//!
//! [`EnsembleConfig`] is the policy's plain `[[ensemble]]` table; [`Ensemble`] is its runtime
//! form (validated, with a ready draw table). [`Ensemble::route`] decides, for one request, which
//! member answers and how: non-dilemmas go to the default member untouched; dilemmas follow the
//! ensemble's mode. A member written `model+autonomy` is `model` steered toward autonomy by a
//! system-prompt sentence (see [`super::steer`]).

use super::profiles::RecordedProfiles;
use super::steer::{parse_member, MemberSpec};
use super::sticky::{WeightError, WeightedMembers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Default number of members an Overton answer consults.
pub const DEFAULT_OVERTON_K: usize = 3;
/// Default deadline, in milliseconds, for an Overton fan-out to gather its answers.
pub const DEFAULT_OVERTON_DEADLINE_MS: u64 = 60_000;

/// How an ensemble routes the requests detected as dilemmas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DilemmaMode {
    /// To the default member, like any other request.
    Passthrough,
    /// One member per conversation, drawn by weight, sticky by conversation.
    Distributional,
    /// A drawn member steered by a drawn value persona.
    Persona,
    /// Several members; one answer presenting their distinct recommendations.
    Overton,
    /// The member whose values are closest to the patient's stated values, steered to them.
    Steer,
}

impl DilemmaMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DilemmaMode::Passthrough => "passthrough",
            DilemmaMode::Distributional => "distributional",
            DilemmaMode::Persona => "persona",
            DilemmaMode::Overton => "overton",
            DilemmaMode::Steer => "steer",
        }
    }
}

/// One `[[ensemble]]` table of the policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsembleConfig {
    /// The virtual model name clients request. Required; must not also be an upstream's model.
    pub name: String,
    /// Member models (each served by some upstream), optionally suffixed `+autonomy` etc. for a
    /// steered member. Required, non-empty.
    pub members: Vec<String>,
    /// Member answering non-dilemma traffic, unsteered. Required; must be a plain member model.
    pub default_member: String,
    /// Routing of dilemmas. Default `distributional`.
    #[serde(default = "default_mode")]
    pub dilemma_mode: DilemmaMode,
    /// Relative draw weights by member; members not listed weigh 0. Default: all equal.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Seed mixed into every routing draw (change it to reshuffle all conversations). Default 0.
    #[serde(default)]
    pub seed: u64,
    /// Overton mode: members consulted per dilemma. Default 3.
    #[serde(default = "default_overton_k")]
    pub overton_k: usize,
    /// Overton mode: deadline for gathering answers, in milliseconds. Default 60000.
    #[serde(default = "default_overton_deadline_ms")]
    pub overton_deadline_ms: u64,
    /// Persona and steer modes: an attribution report (`pluralis attribute --format json`)
    /// whose individual physicians are the persona panel and whose models' profiles are steer
    /// mode's member profiles until the monitor has enough decisions. Default: fitted from the
    /// ValueBench folder (`$PLURALIS_VALUEBENCH` or ../shared/valuebench) when present; persona
    /// mode without either is refused at load.
    #[serde(default)]
    pub profiles: Option<std::path::PathBuf>,
}

fn default_mode() -> DilemmaMode {
    DilemmaMode::Distributional
}
fn default_overton_k() -> usize {
    DEFAULT_OVERTON_K
}
fn default_overton_deadline_ms() -> u64 {
    DEFAULT_OVERTON_DEADLINE_MS
}

impl EnsembleConfig {
    /// Every problem with this table, each naming its field (`ensemble[i].field`).
    pub fn problems(&self, index: usize) -> Vec<(String, String)> {
        let field = |f: &str| format!("ensemble[{index}].{f}");
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push((field("name"), "must not be empty".to_owned()));
        }
        if self.members.is_empty() {
            out.push((field("members"), "must list at least one member".to_owned()));
        }
        for m in &self.members {
            if let Err(e) = parse_member(m) {
                out.push((field("members"), e));
            }
        }
        if !self.members.contains(&self.default_member) {
            out.push((
                field("default_member"),
                "must be one of `members`".to_owned(),
            ));
        } else if parse_member(&self.default_member).is_ok_and(|s| s.steer.is_some()) {
            out.push((
                field("default_member"),
                "must be an unsteered member (ordinary traffic is never steered)".to_owned(),
            ));
        }
        for name in self.weights.keys() {
            if !self.members.contains(name) {
                out.push((
                    field("weights"),
                    format!("`{name}` is not one of `members`"),
                ));
            }
        }
        if let Err(e) = self.draw_table() {
            out.push((field("weights"), e.to_string()));
        }
        if self.overton_k == 0 {
            out.push((field("overton_k"), "must be at least 1".to_owned()));
        }
        if self.overton_deadline_ms == 0 {
            out.push((
                field("overton_deadline_ms"),
                "must be at least 1".to_owned(),
            ));
        }
        out
    }

    fn draw_table(&self) -> Result<WeightedMembers, WeightError> {
        if self.weights.is_empty() {
            WeightedMembers::uniform(self.members.iter().cloned())
        } else {
            WeightedMembers::new(
                self.members
                    .iter()
                    .map(|m| (m.clone(), self.weights.get(m).copied().unwrap_or(0.0))),
            )
        }
    }
}

/// A validated ensemble with its draw table.
#[derive(Debug, Clone)]
pub struct Ensemble {
    pub config: EnsembleConfig,
    table: WeightedMembers,
    specs: Vec<MemberSpec>,
    /// Persona and steer modes: the recorded profiles (see [`RecordedProfiles::discover`]).
    profiles: Option<Arc<RecordedProfiles>>,
}

/// What routing decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDecision<'a> {
    /// `default` (not a dilemma, or passthrough) or the dilemma mode's name.
    pub route: &'static str,
    /// The member as written in the policy (e.g. `anthropic/claude-opus-4.5+autonomy`).
    pub member: &'a str,
    /// The model and steering it stands for.
    pub spec: &'a MemberSpec,
}

impl Ensemble {
    pub fn new(config: EnsembleConfig) -> Result<Ensemble, String> {
        if let Some((field, problem)) = config.problems(0).into_iter().next() {
            return Err(format!("{field}: {problem}"));
        }
        let table = config.draw_table().map_err(|e| e.to_string())?;
        let specs = table
            .names()
            .iter()
            .map(|m| parse_member(m))
            .collect::<Result<Vec<_>, _>>()?;
        let profiles = match config.dilemma_mode {
            DilemmaMode::Persona | DilemmaMode::Steer => {
                RecordedProfiles::discover(config.profiles.as_deref())
                    .map_err(|e| format!("ensemble `{}`: profiles: {e}", config.name))?
            }
            _ => None,
        };
        if config.dilemma_mode == DilemmaMode::Persona
            && profiles.as_ref().is_none_or(|p| p.physicians.is_empty())
        {
            return Err(format!(
                "ensemble `{}`: persona mode needs the physician panel's value profiles: set \
                 `profiles` to a `pluralis attribute --format json` report with individual \
                 physicians, or provide ValueBench data (PLURALIS_VALUEBENCH)",
                config.name
            ));
        }
        Ok(Ensemble {
            config,
            table,
            specs,
            profiles,
        })
    }

    /// The recorded profiles persona and steer modes use (None in other modes).
    pub fn recorded_profiles(&self) -> Option<&RecordedProfiles> {
        self.profiles.as_deref()
    }

    /// The model and steering of a member as the policy writes it.
    pub fn spec(&self, member: &str) -> Option<&MemberSpec> {
        let idx = self.table.names().iter().position(|m| m == member)?;
        self.specs.get(idx)
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn members(&self) -> &[String] {
        self.table.names()
    }

    pub fn weights(&self) -> Vec<f64> {
        self.table.weights()
    }

    fn default_index(&self) -> usize {
        self.table
            .names()
            .iter()
            .position(|m| *m == self.config.default_member)
            .unwrap_or(0)
    }

    /// Route one request. `conversation` is the sticky key (see [`super::steer::conversation_key`]).
    pub fn route(&self, dilemma: bool, conversation: &[u8]) -> RouteDecision<'_> {
        self.route_excluding(dilemma, conversation, |_| false)
    }

    /// Route one request, keeping members for which `excluded` is true out of dilemma routing
    /// (the guardrail). The draw uses the same number for the remaining members (reweighted), so
    /// patients of unaffected members keep their member while possible. With every weighted
    /// member excluded, dilemmas go to the default member (route `guardrail`).
    pub fn route_excluding(
        &self,
        dilemma: bool,
        conversation: &[u8],
        excluded: impl Fn(&str) -> bool,
    ) -> RouteDecision<'_> {
        let mode = self.config.dilemma_mode;
        if !dilemma || mode == DilemmaMode::Passthrough {
            return self.decision("default", self.default_index());
        }
        let u = super::sticky::unit_from_key(conversation, self.config.seed);
        let idx = self.table.pick(u);
        if !excluded(&self.table.names()[idx]) {
            return self.decision(mode.as_str(), idx);
        }
        let remaining: Vec<(String, f64)> = self
            .table
            .names()
            .iter()
            .zip(self.table.weights())
            .filter(|(m, _)| !excluded(m))
            .map(|(m, w)| (m.clone(), w))
            .collect();
        match WeightedMembers::new(remaining) {
            Ok(table) => {
                let name = &table.names()[table.pick(u)];
                let idx = self
                    .table
                    .names()
                    .iter()
                    .position(|m| m == name)
                    .unwrap_or(0);
                self.decision(mode.as_str(), idx)
            }
            Err(_) => self.decision("guardrail", self.default_index()),
        }
    }

    fn decision(&self, route: &'static str, idx: usize) -> RouteDecision<'_> {
        RouteDecision {
            route,
            member: &self.table.names()[idx],
            spec: &self.specs[idx],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Value;

    fn config(toml_text: &str) -> EnsembleConfig {
        toml::from_str(toml_text).unwrap()
    }

    const BASIC: &str = r#"
        name = "pluralis-ensemble"
        members = ["a/x", "b/y", "a/x+autonomy"]
        default_member = "b/y"
        weights = { "a/x" = 0.2, "b/y" = 0.5, "a/x+autonomy" = 0.3 }
    "#;

    #[test]
    fn non_dilemmas_go_to_the_default_member_unsteered() {
        let e = Ensemble::new(config(BASIC)).unwrap();
        for i in 0..50 {
            let d = e.route(false, format!("c{i}").as_bytes());
            assert_eq!((d.route, d.member), ("default", "b/y"));
            assert_eq!(d.spec.steer, None);
        }
    }

    #[test]
    fn dilemmas_are_drawn_by_weight_and_sticky() {
        let e = Ensemble::new(config(BASIC)).unwrap();
        let mut steered = 0;
        for i in 0..2000 {
            let key = format!("patient-{i}");
            let d = e.route(true, key.as_bytes());
            assert_eq!(d.route, "distributional");
            assert_eq!(d, e.route(true, key.as_bytes()));
            if d.spec.steer == Some(Value::Autonomy) {
                assert_eq!(d.spec.model, "a/x");
                steered += 1;
            }
        }
        assert!(
            (500..700).contains(&steered),
            "{steered} of 2000 at weight 0.3"
        );
    }

    #[test]
    fn guardrail_excludes_members_from_dilemmas_only() {
        let e = Ensemble::new(config(BASIC)).unwrap();
        let out = |m: &str| m == "a/x";
        for i in 0..300 {
            let key = format!("patient-{i}");
            let plain = e.route(true, key.as_bytes());
            let guarded = e.route_excluding(true, key.as_bytes(), out);
            assert_ne!(guarded.member, "a/x");
            if plain.member != "a/x" {
                assert_eq!(plain, guarded, "unaffected patients keep their member");
            }
        }
        assert_eq!(e.route_excluding(false, b"k", |_| true).member, "b/y");
        let all_out = e.route_excluding(true, b"k", |_| true);
        assert_eq!((all_out.route, all_out.member), ("guardrail", "b/y"));
    }

    #[test]
    fn passthrough_sends_dilemmas_to_the_default() {
        let mut c = config(BASIC);
        c.dilemma_mode = DilemmaMode::Passthrough;
        let e = Ensemble::new(c).unwrap();
        assert_eq!(e.route(true, b"k").member, "b/y");
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let c = config(
            r#"
            name = ""
            members = ["a/x+autonomy", "b/y+greed"]
            default_member = "a/x+autonomy"
            weights = { "z" = 1.0 }
            overton_k = 0
        "#,
        );
        let fields: Vec<String> = c.problems(2).into_iter().map(|p| p.0).collect();
        for f in ["name", "members", "default_member", "weights", "overton_k"] {
            assert!(
                fields.contains(&format!("ensemble[2].{f}")),
                "{f} missing in {fields:?}"
            );
        }
        assert!(toml::from_str::<EnsembleConfig>(
            "name='a'\nmembers=[]\ndefault_member='a'\nbogus=1"
        )
        .is_err());
    }
}
