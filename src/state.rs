//! Runtime state built from a validated policy: upstream clients and breakers, the model index,
//! client keys. One [`AppState`] is live at a time behind an `ArcSwap` ([`SharedState`]); a
//! reload builds a complete new one (which may fail, leaving the old one serving) and then swaps
//! the pointer, which cannot fail. Requests keep the state they started with. Metrics are shared
//! across reloads so counters never reset.
//!
//! Later stages add their runtime pieces as fields here and build them in [`AppState::build`].

use crate::config::Policy;
use crate::metrics::Metrics;
use crate::route::detector::DilemmaDetector;
use crate::route::ensemble::Ensemble;
use crate::server::auth::ClientAuth;
use crate::server::tenant::TenantResolver;
use crate::upstream::{BuildError, UpstreamHandle};
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;

/// The live state, swapped whole on reload.
pub type SharedState = Arc<ArcSwap<AppState>>;

pub struct AppState {
    pub policy: Arc<Policy>,
    /// Upstreams by name.
    pub upstreams: HashMap<String, Arc<UpstreamHandle>>,
    /// For each exposed model: the upstreams to try, primary first, then its fallbacks that
    /// serve the same model.
    pub models: HashMap<String, Vec<Arc<UpstreamHandle>>>,
    pub auth: ClientAuth,
    /// Which declared tenant a request belongs to (`[tenants]`).
    pub tenants: TenantResolver,
    pub metrics: Arc<Metrics>,
    /// The live monitor, when the policy has `[monitor]`. Started once by the server and carried
    /// across reloads (one log writer per process).
    pub monitor: Option<Arc<crate::monitor::Monitor>>,
    /// Ensembles (virtual models) by name.
    pub ensembles: HashMap<String, Arc<Ensemble>>,
    /// Decides which requests to an ensemble are dilemmas.
    pub dilemma_detector: Arc<dyn DilemmaDetector>,
    /// Benchmark cases dilemma decisions are recognised as (only read with `[monitor]`).
    pub known_cases: Arc<crate::route::feed::KnownCases>,
    /// The optional judge model of `[monitor.judge]`, one per state (its budget and cache).
    pub judge: Option<Arc<crate::monitor::judge::Judge>>,
}

/// Why runtime state could not be built from a (valid) policy.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Upstream(#[from] BuildError),
    #[error("auth: {0}")]
    Auth(String),
    #[error("tenants: {0}")]
    Tenant(String),
    #[error("ensemble: {0}")]
    Ensemble(String),
    #[error("dilemma detector: {0}")]
    Detector(String),
}

impl AppState {
    /// Build every client, breaker and index. Reads the environment (keys) and CA files.
    pub fn build(policy: Policy, metrics: Arc<Metrics>) -> Result<Self, StateError> {
        let mut upstreams = HashMap::new();
        for config in &policy.upstreams {
            let handle = UpstreamHandle::new(config.clone())?;
            upstreams.insert(config.name.clone(), Arc::new(handle));
        }
        Self::assemble(policy, upstreams, metrics)
    }

    /// Build with upstream handles made by the caller (tests, in-process kinds).
    pub fn assemble(
        policy: Policy,
        upstreams: HashMap<String, Arc<UpstreamHandle>>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, StateError> {
        let auth = ClientAuth::from_config(&policy.auth).map_err(StateError::Auth)?;
        let tenants =
            TenantResolver::from_config(policy.tenants.as_ref()).map_err(StateError::Tenant)?;
        let models = model_index(&policy, &upstreams);
        for name in upstreams.keys() {
            metrics
                .upstream_breaker_state
                .with_label_values(&[name])
                .set(0);
        }
        let ensembles = policy
            .ensembles
            .iter()
            .map(|c| {
                Ensemble::new(c.clone())
                    .map(|e| (c.name.clone(), Arc::new(e)))
                    .map_err(StateError::Ensemble)
            })
            .collect::<Result<_, _>>()?;
        // Loaded once per state build: the request path only scores.
        let dilemma_detector =
            crate::route::detector::from_config(&policy.detector).map_err(StateError::Detector)?;
        let known_cases = Arc::new(if policy.monitor.is_some() {
            crate::route::feed::KnownCases::for_policy(&policy)
        } else {
            crate::route::feed::KnownCases::new(Vec::new())
        });
        let mut state = Self {
            policy: Arc::new(policy),
            upstreams,
            models,
            auth,
            tenants,
            metrics,
            ensembles,
            dilemma_detector,
            known_cases,
            judge: None,
            monitor: None,
        };
        state.judge = crate::monitor::judge::Judge::for_state(&state);
        Ok(state)
    }

    /// True when `model` is served (used to keep metric labels bounded).
    pub fn knows_model(&self, model: &str) -> bool {
        self.models.contains_key(model) || self.ensembles.contains_key(model)
    }
}

fn model_index(
    policy: &Policy,
    upstreams: &HashMap<String, Arc<UpstreamHandle>>,
) -> HashMap<String, Vec<Arc<UpstreamHandle>>> {
    let mut index: HashMap<String, Vec<Arc<UpstreamHandle>>> = HashMap::new();
    for config in &policy.upstreams {
        for model in &config.models {
            if index.contains_key(model) {
                continue; // the first upstream listing a model is its primary
            }
            let chain = std::iter::once(&config.name)
                .chain(config.fallback.iter())
                .filter_map(|name| upstreams.get(name))
                .filter(|u| u.config.models.contains(model));
            let mut candidates: Vec<Arc<UpstreamHandle>> = Vec::new();
            for upstream in chain {
                if !candidates.iter().any(|c| c.name() == upstream.name()) {
                    candidates.push(Arc::clone(upstream));
                }
            }
            index.insert(model.clone(), candidates);
        }
    }
    index
}
