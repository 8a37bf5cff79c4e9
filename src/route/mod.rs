//! Routing: turn a parsed request into a [`Plan`]. Every API request goes through [`plan`]:
//! a model served by an upstream is a plain lookup; an ensemble (virtual model) is detected
//! (dilemma or not), routed by its mode ([`ensemble`]), the body rewritten for the member
//! (model name, steering sentence: [`steer`]), and the route explained in response headers
//! (`x-pluralis-dilemma`, `x-pluralis-route`, `x-pluralis-member`).

pub mod calibrate;
pub mod detector;
pub mod ensemble;
pub mod feed;
pub mod mixture;
mod modes;
pub mod overton;
pub mod overton_answer;
pub mod persona;
pub mod profiles;
pub mod stated;
pub mod steer;
pub mod sticky;
pub mod values_header;

use crate::error::ProxyError;
use crate::server::observe::ResponseObserver;
use crate::server::request::ApiRequest;
use crate::state::AppState;
use crate::upstream::UpstreamHandle;
use bytes::Bytes;
use ensemble::Ensemble;
use http::{HeaderMap, HeaderName, HeaderValue};
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
    /// The value persona the member was steered with (persona and steer modes), for observers.
    pub persona: Option<persona::Persona>,
}

/// Response header: `true` when the request was detected as a dilemma.
pub const DILEMMA_HEADER: HeaderName = HeaderName::from_static("x-pluralis-dilemma");
/// Response header: `default` or the dilemma mode that routed the request.
pub const ROUTE_HEADER: HeaderName = HeaderName::from_static("x-pluralis-route");
/// Response header: the member that answered, as the policy names it.
pub const MEMBER_HEADER: HeaderName = HeaderName::from_static("x-pluralis-member");

/// Map a request to its plan. Unknown model: 404.
pub fn plan(state: &AppState, request: &ApiRequest) -> Result<Plan, ProxyError> {
    if let Some(ensemble) = state.ensembles.get(&request.model) {
        return ensemble_plan(state, ensemble, request);
    }
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
        persona: None,
    })
}

/// Route a request to an ensemble: detect, draw the member, rewrite the body, explain.
fn ensemble_plan(
    state: &AppState,
    ensemble: &Ensemble,
    request: &ApiRequest,
) -> Result<Plan, ProxyError> {
    let messages: Vec<(&str, &str)> = steer::messages(&request.json).collect();
    let verdict = state.dilemma_detector.detect(&messages);
    let dilemma = verdict.dilemma;
    let header = request
        .headers
        .get(steer::CONVERSATION_HEADER)
        .and_then(|v| v.to_str().ok());
    let key = steer::conversation_key(header, &request.json);
    if let Some(mut plan) = modes::mode_plan(state, ensemble, request, &verdict, key)? {
        if dilemma && plan.observer.is_none() {
            plan.observer = feed::mode_observer(state, request, &verdict, ensemble.name(), &plan);
        }
        return Ok(plan);
    }
    // The guardrail: members whose monitored autonomy share fell below the physician range
    // leave dilemma routing until they recover (the monitor logs and counts the transitions).
    let decision = ensemble.route_excluding(dilemma, key, |m| {
        state
            .monitor
            .as_ref()
            .is_some_and(|monitor| monitor.guardrail_active(m))
    });
    let candidates = state
        .models
        .get(&decision.spec.model)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ProxyError::UnknownModel {
            model: decision.spec.model.clone(),
        })?;
    let steering = decision.spec.steer.map(steer::steering_sentence);
    let body = steer::member_body(&request.json, &decision.spec.model, steering);
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        DILEMMA_HEADER,
        HeaderValue::from_static(if dilemma { "true" } else { "false" }),
    );
    response_headers.insert(ROUTE_HEADER, HeaderValue::from_static(decision.route));
    if let Ok(member) = HeaderValue::from_str(decision.member) {
        response_headers.insert(MEMBER_HEADER, member);
    }
    let observer = if dilemma {
        let ctx = feed::context(
            state,
            request,
            &verdict,
            ensemble.name(),
            decision.member,
            decision.route,
        );
        ctx.and_then(|ctx| feed::observer(state, ctx))
    } else {
        None
    };
    Ok(Plan {
        candidates: candidates.clone(),
        body,
        response_headers,
        observer,
        persona: None,
    })
}
