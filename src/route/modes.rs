//! The dilemma modes beyond distributional: persona, steer and overton. [`mode_plan`] is called
//! by `ensemble_plan` once detection is done; `None` leaves the request to the distributional
//! and passthrough code there.
//!
//! - persona: the member drawn as in distributional mode, steered with a value persona drawn
//!   from the physician panel ([`super::persona`]).
//! - steer: the member closest to the patient's `x-pluralis-values` ([`super::stated`]),
//!   steered to them. An invalid header is refused (400) on every request to the ensemble, so a
//!   client's mistake shows at once; a missing header routes distributionally (the route header
//!   says `distributional`), since most patients never state their values.
//! - overton: k members consulted at once ([`super::overton`]).

use super::ensemble::{DilemmaMode, Ensemble};
use super::overton::{fan_out_handle, pick_members, Consulted, FanOut};
use super::persona::{draw_persona, Persona, PersonaOrigin, PERSONA_HEADER};
use super::stated::{closest_member, member_profile, PROFILE_SOURCE_HEADER};
use super::steer::{member_body, messages, steering_sentence, MemberSpec};
use super::values_header::{parse_values, VALUES_HEADER};
use super::{Plan, DILEMMA_HEADER, MEMBER_HEADER, ROUTE_HEADER};
use crate::detect::Detection;
use crate::error::ProxyError;
use crate::server::request::ApiRequest;
use crate::state::AppState;
use crate::upstream::UpstreamHandle;
use http::{HeaderMap, HeaderValue};
use serde_json::Value as Json;
use std::sync::Arc;
use std::time::Duration;

/// The plan for persona, steer and overton ensembles; None for the other modes and for the
/// requests these modes leave to the default member.
pub(super) fn mode_plan(
    state: &AppState,
    ensemble: &Ensemble,
    request: &ApiRequest,
    verdict: &Detection<'_>,
    key: &[u8],
) -> Result<Option<Plan>, ProxyError> {
    let dilemma = verdict.dilemma;
    match ensemble.config.dilemma_mode {
        DilemmaMode::Steer => steer_plan(state, ensemble, request, dilemma, key),
        DilemmaMode::Persona if dilemma => persona_plan(state, ensemble, request, key).map(Some),
        DilemmaMode::Overton if dilemma => {
            overton_plan(state, ensemble, request, verdict, key).map(Some)
        }
        _ => Ok(None),
    }
}

/// The guardrail: members the monitor currently keeps out of dilemma routing.
fn guarded(state: &AppState) -> impl Fn(&str) -> bool + '_ {
    |m: &str| {
        state
            .monitor
            .as_ref()
            .is_some_and(|monitor| monitor.guardrail_active(m))
    }
}

fn persona_plan(
    state: &AppState,
    ensemble: &Ensemble,
    request: &ApiRequest,
    key: &[u8],
) -> Result<Plan, ProxyError> {
    let decision = ensemble.route_excluding(true, key, guarded(state));
    let panel = ensemble
        .recorded_profiles()
        .map_or(&[][..], |p| p.physicians.as_slice());
    let persona = draw_persona(panel, key, ensemble.config.seed);
    let mut plan = member_plan(
        state,
        request,
        decision.route,
        decision.member,
        decision.spec,
        persona,
    )?;
    plan.persona = persona;
    Ok(plan)
}

fn steer_plan(
    state: &AppState,
    ensemble: &Ensemble,
    request: &ApiRequest,
    dilemma: bool,
    key: &[u8],
) -> Result<Option<Plan>, ProxyError> {
    let stated = match request.headers.get(VALUES_HEADER) {
        None => None,
        Some(raw) => {
            let text = raw
                .to_str()
                .map_err(|_| invalid_values("not visible ASCII".into()))?;
            Some(parse_values(text).map_err(|e| invalid_values(e.to_string()))?)
        }
    };
    if !dilemma {
        return Ok(None);
    }
    let excluded = guarded(state);
    let Some(values) = stated else {
        let d = ensemble.route_excluding(true, key, &excluded);
        let route = if d.route == "guardrail" {
            "guardrail"
        } else {
            "distributional"
        };
        return member_plan(state, request, route, d.member, d.spec, None).map(Some);
    };
    let persona = Persona {
        values,
        origin: PersonaOrigin::Patient,
    };
    let eligible: Vec<&String> = ensemble.members().iter().filter(|m| !excluded(m)).collect();
    let profiles: Vec<_> = eligible
        .iter()
        .map(|m| {
            let model = ensemble.spec(m).map_or(m.as_str(), |s| s.model.as_str());
            member_profile(
                m,
                model,
                state.monitor.as_deref(),
                ensemble.recorded_profiles(),
            )
        })
        .collect();
    let (route, member, source) = match closest_member(&values, &profiles) {
        Some((i, source)) => ("steer", eligible[i].as_str(), source.as_str()),
        None => {
            // No eligible member has a profile yet: the weighted draw, still steered.
            let d = ensemble.route_excluding(true, key, &excluded);
            let route = if d.route == "guardrail" {
                "guardrail"
            } else {
                "steer"
            };
            (route, d.member, "none")
        }
    };
    let spec = ensemble.spec(member).ok_or_else(|| ProxyError::Internal {
        detail: format!("steer chose `{member}`, which has no spec"),
    })?;
    let mut plan = member_plan(state, request, route, member, spec, Some(persona))?;
    plan.persona = Some(persona);
    plan.response_headers
        .insert(PROFILE_SOURCE_HEADER, HeaderValue::from_static(source));
    Ok(Some(plan))
}

fn invalid_values(reason: String) -> ProxyError {
    ProxyError::InvalidHeader {
        header: VALUES_HEADER,
        reason,
    }
}

/// A plan sending the request to one member, steered by its `+value` sentence and the persona.
fn member_plan(
    state: &AppState,
    request: &ApiRequest,
    route: &'static str,
    member: &str,
    spec: &MemberSpec,
    persona: Option<Persona>,
) -> Result<Plan, ProxyError> {
    let candidates = candidates(state, &spec.model)?;
    let steering = steering(spec, persona.as_ref());
    let body = member_body(&request.json, &spec.model, steering.as_deref());
    let mut response_headers = route_headers(route, member);
    if let Some(p) = &persona {
        if let Ok(v) = HeaderValue::from_str(&p.header_value()) {
            response_headers.insert(PERSONA_HEADER, v);
        }
    }
    Ok(Plan {
        candidates,
        body,
        response_headers,
        observer: None,
        persona: None,
    })
}

fn overton_plan(
    state: &AppState,
    ensemble: &Ensemble,
    request: &ApiRequest,
    verdict: &Detection<'_>,
    key: &[u8],
) -> Result<Plan, ProxyError> {
    let config = &ensemble.config;
    let picked = pick_members(
        ensemble.members(),
        &ensemble.weights(),
        config.overton_k,
        key,
        config.seed,
        guarded(state),
    );
    if picked.is_empty() {
        // Every member is out (guardrail): the default member answers alone.
        let member = &config.default_member;
        let spec = ensemble.spec(member).ok_or_else(|| ProxyError::Internal {
            detail: format!("default member `{member}` has no spec"),
        })?;
        return member_plan(state, request, "guardrail", member, spec, None);
    }
    // Members answer as JSON; the client's stream choice applies to the composed answer.
    let mut json = request.json.clone();
    if let Some(obj) = json.as_object_mut() {
        obj.insert("stream".into(), Json::Bool(false));
        obj.remove("stream_options");
    }
    let mut members = Vec::with_capacity(picked.len());
    for &i in &picked {
        let member = &ensemble.members()[i];
        let spec = ensemble.spec(member).ok_or_else(|| ProxyError::Internal {
            detail: format!("member `{member}` has no spec"),
        })?;
        members.push(Consulted {
            member: member.clone(),
            candidates: candidates(state, &spec.model)?,
            body: member_body(&json, &spec.model, steering(spec, None).as_deref()),
        });
    }
    let names: Vec<&str> = members.iter().map(|m| m.member.as_str()).collect();
    let response_headers = route_headers("overton", &names.join(","));
    let handle = fan_out_handle(FanOut {
        members,
        deadline: Duration::from_millis(config.overton_deadline_ms),
        options: stated_options(&request.json),
        model: request.model.clone(),
        metrics: Arc::clone(&state.metrics),
        // Each member's answer is one decision for the monitor.
        feed: super::feed::Feed::of(state).zip(super::feed::context(
            state,
            request,
            verdict,
            ensemble.name(),
            "",
            "overton",
        )),
    })
    .map_err(|detail| ProxyError::Internal { detail })?;
    Ok(Plan {
        candidates: vec![handle],
        body: request.body.clone(),
        response_headers,
        observer: None,
        persona: None,
    })
}

/// The two options the newest user message states (the detector's option extraction).
fn stated_options(request: &Json) -> Option<(String, String)> {
    let (_, text) = messages(request)
        .filter(|(role, _)| *role == "user")
        .last()?;
    let options = crate::detect::options::extract(text)?;
    Some((options.first.to_owned(), options.second.to_owned()))
}

fn candidates(state: &AppState, model: &str) -> Result<Vec<Arc<UpstreamHandle>>, ProxyError> {
    state
        .models
        .get(model)
        .filter(|c| !c.is_empty())
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel {
            model: model.to_owned(),
        })
}

/// The member's own `+value` sentence, then the persona's priorities.
fn steering(spec: &MemberSpec, persona: Option<&Persona>) -> Option<String> {
    let parts: Vec<String> = spec
        .steer
        .map(|v| steering_sentence(v).to_owned())
        .into_iter()
        .chain(persona.map(Persona::steering_text))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

fn route_headers(route: &'static str, member: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(DILEMMA_HEADER, HeaderValue::from_static("true"));
    headers.insert(ROUTE_HEADER, HeaderValue::from_static(route));
    if let Ok(v) = HeaderValue::from_str(member) {
        headers.insert(MEMBER_HEADER, v);
    }
    headers
}
