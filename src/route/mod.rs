//! Routing: turn a parsed request into a [`Plan`]. Every API request goes through [`plan`], so
//! this is the one place to add virtual models (ensembles), body rewrites (steering prompts) and
//! response headers that explain the route. Today it is a plain model -> upstream lookup.

pub mod calibrate;
pub mod ensemble;
pub mod mixture;
pub mod steer;
pub mod sticky;

use crate::error::ProxyError;
use crate::server::observe::ResponseObserver;
use crate::server::request::ApiRequest;
use crate::state::AppState;
use crate::upstream::UpstreamHandle;
use bytes::Bytes;
use http::HeaderMap;
use std::sync::Arc;

/// What to do with one request.
pub struct Plan {
    /// Upstreams to try in order: the model's primary, then its fallbacks.
    pub candidates: Vec<Arc<UpstreamHandle>>,
    /// Body to send upstream: the client's bytes untouched unless routing rewrote them.
    pub body: Bytes,
    /// Extra headers for the client's response (e.g. `x-pluralis-route`).
    pub response_headers: HeaderMap,
    /// Optional observer fed every response body frame and the end of the response.
    pub observer: Option<Box<dyn ResponseObserver>>,
}

/// Map a request to its plan. Unknown model: 404.
pub fn plan(state: &AppState, request: &ApiRequest) -> Result<Plan, ProxyError> {
    let candidates = state
        .models
        .get(&request.model)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ProxyError::UnknownModel {
            model: request.model.clone(),
        })?;
    Ok(Plan {
        candidates: candidates.clone(),
        body: request.body.clone(),
        response_headers: HeaderMap::new(),
        observer: None,
    })
}
