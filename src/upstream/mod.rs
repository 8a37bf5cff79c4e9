//! Provider clients. Every kind implements the object-safe [`Upstream`] trait: take a
//! [`ForwardRequest`], return the provider's response with a streaming body. Reliability
//! (timeouts, retries, breaker, fallback) is not the kind's business: [`dispatch`] wraps any kind.
//!
//! Adding a kind (e.g. `sim`, `replay`): one variant in [`crate::config::UpstreamKind`], one arm
//! in [`build`], and a type implementing [`Upstream`].

pub mod breaker;
pub mod dispatch;
pub mod openai;
pub mod replay;
pub mod replay_store;
pub mod sim;
pub mod sim_model;
pub mod synth;

use crate::body::ProxyBody;
use crate::config::{UpstreamConfig, UpstreamKind};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{HeaderMap, Method, Response};
use std::sync::Arc;

pub use breaker::Breaker;
pub use dispatch::{dispatch, Dispatched};

/// What the proxy asks an upstream to do.
#[derive(Debug, Clone)]
pub struct ForwardRequest {
    pub method: Method,
    /// Path below the upstream's base URL, with query if any, e.g. `/chat/completions`.
    pub path: String,
    /// Client headers safe to forward (hop-by-hop, auth, host and length already removed).
    pub headers: HeaderMap,
    /// The body to send, normally the client's bytes untouched.
    pub body: Bytes,
    /// Whether the client asked for a streamed (SSE) answer.
    pub stream: bool,
}

/// A transport failure: no response at all came back.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Could not connect, or the connection failed before a response head arrived.
    #[error("transport error: {0}")]
    Transport(String),
}

/// A provider client. Object safe so kinds can be mixed behind `Arc<dyn Upstream>`.
pub trait Upstream: Send + Sync + 'static {
    /// Send one attempt. Any HTTP status is `Ok`; the dispatcher decides what is retryable.
    fn send(
        &self,
        request: ForwardRequest,
    ) -> BoxFuture<'static, Result<Response<ProxyBody>, UpstreamError>>;
}

/// Why an upstream could not be built from its config.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("upstream `{upstream}`: {message}")]
    Invalid { upstream: String, message: String },
}

/// Build the client for one upstream config.
pub fn build(config: &UpstreamConfig) -> Result<Arc<dyn Upstream>, BuildError> {
    match config.kind {
        UpstreamKind::Openai => Ok(Arc::new(openai::OpenAiUpstream::new(config)?)),
        UpstreamKind::Replay => Ok(Arc::new(replay::ReplayUpstream::new(config)?)),
        UpstreamKind::Sim => Ok(Arc::new(sim::SimUpstream::new(config)?)),
    }
}

/// Runtime state of one upstream: its client, breaker and settings.
pub struct UpstreamHandle {
    pub config: UpstreamConfig,
    pub client: Arc<dyn Upstream>,
    pub breaker: Breaker,
}

impl UpstreamHandle {
    pub fn new(config: UpstreamConfig) -> Result<Self, BuildError> {
        let client = build(&config)?;
        Ok(Self::with_client(config, client))
    }

    /// A handle around a client built elsewhere (tests, in-process kinds).
    pub fn with_client(config: UpstreamConfig, client: Arc<dyn Upstream>) -> Self {
        let breaker = Breaker::new(
            config.breaker_failures,
            std::time::Duration::from_millis(config.breaker_open_ms),
        );
        Self {
            config,
            client,
            breaker,
        }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }
}

impl std::fmt::Debug for UpstreamHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamHandle")
            .field("name", &self.config.name)
            .finish_non_exhaustive()
    }
}
