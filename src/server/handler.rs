//! One request, outside in: request id and span -> route by path -> client auth -> read body
//! (limit) -> parse -> `route::plan` -> `upstream::dispatch` -> response head -> body wrapped by
//! `observe::ObservedBody` (metrics, observer, SSE error events). Every error becomes a response
//! through `ProxyError::to_response`, here and nowhere else.

use super::observe::{
    InFlightGuard, ObservedBody, ResponseObserver, ResponseRecord, UpstreamBodyPolicy,
};
use super::request::{parse_body, read_body, ApiRequest, Endpoint};
use crate::body::{full, BoxError, ProxyBody};
use crate::error::{Origin, ProxyError};
use crate::route;
use crate::state::AppState;
use crate::upstream::{dispatch, ForwardRequest};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Header carrying the request id, honoured from the client and always returned.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Header naming the upstream that served the response.
pub const UPSTREAM_HEADER: HeaderName = HeaderName::from_static("x-pluralis-upstream");

/// Headers never forwarded upstream: hop-by-hop ones, the client's credentials (the proxy
/// authenticates upstream with its own key), length (recomputed) and encodings (upstream
/// answers must be plain so later stages can read them).
const NOT_FORWARDED: &[&str] = &[
    "host",
    "authorization",
    "proxy-authorization",
    "cookie",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "accept-encoding",
];

/// Response headers from upstream not passed back (hop-by-hop and length, set by hyper).
const NOT_RETURNED: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "set-cookie",
];

/// A response before its body is wrapped.
struct Handled {
    response: Response<ProxyBody>,
    model_label: String,
    upstream: Option<UpstreamBodyPolicy>,
    observer: Option<Box<dyn ResponseObserver>>,
}

impl Handled {
    fn local(response: Response<ProxyBody>) -> Self {
        Self {
            response,
            model_label: "none".into(),
            upstream: None,
            observer: None,
        }
    }

    fn error(error: &ProxyError, model_label: String) -> Self {
        match error.origin() {
            Origin::Client => tracing::debug!(error = error.label(), "request refused"),
            Origin::Upstream => tracing::warn!(kind = error.label(), %error, "upstream failure"),
            Origin::Proxy => tracing::error!(kind = error.label(), ?error, "proxy failure"),
        }
        Self {
            response: error.to_response(),
            model_label,
            upstream: None,
            observer: None,
        }
    }
}

/// Serve one request against one state snapshot.
pub async fn handle<B>(state: Arc<AppState>, request: Request<B>) -> Response<ProxyBody>
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: Into<BoxError>,
{
    let started = Instant::now();
    let in_flight = InFlightGuard::new(Arc::clone(&state.metrics));
    let request_id = request_id(request.headers());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
        model = tracing::field::Empty,
    );
    let handled = route_request(&state, request, &request_id)
        .instrument(span)
        .await;
    let (mut parts, body) = handled.response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        parts.headers.insert(REQUEST_ID, value);
    }
    let record = ResponseRecord {
        metrics: Arc::clone(&state.metrics),
        model_label: handled.model_label,
        status: parts.status.as_u16(),
        started,
        request_id,
        upstream: handled.upstream.as_ref().map(|u| u.upstream.clone()),
    };
    let body = ObservedBody::new(body, record, handled.upstream, handled.observer, in_flight);
    Response::from_parts(parts, http_body_util::BodyExt::boxed_unsync(body))
}

async fn route_request<B>(state: &AppState, request: Request<B>, request_id: &str) -> Handled
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: Into<BoxError>,
{
    let path = request.uri().path();
    let method = request.method();
    if let Some(endpoint) = Endpoint::from_path(path) {
        if method != Method::POST {
            return Handled::error(&ProxyError::MethodNotAllowed, "none".into());
        }
        return api(state, endpoint, request, request_id).await;
    }
    let known_get = matches!(
        path,
        "/healthz" | "/metrics" | "/v1/models" | "/monitor" | "/monitor/api/state"
    );
    if !known_get {
        return Handled::error(&ProxyError::NotFound, "none".into());
    }
    if method != Method::GET && method != Method::HEAD {
        return Handled::error(&ProxyError::MethodNotAllowed, "none".into());
    }
    match path {
        "/healthz" => Handled::local(json_response(r#"{"status":"ok"}"#.into())),
        "/metrics" => {
            let mut response = Response::new(full(state.metrics.render()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            Handled::local(response)
        }
        "/monitor" | "/monitor/api/state" => match &state.monitor {
            Some(monitor) => Handled::local(crate::monitor::dashboard::response(monitor, path)),
            None => Handled::error(&ProxyError::NotFound, "none".into()),
        },
        _ if !state.auth.allows(request.headers()) => {
            Handled::error(&ProxyError::Unauthorized, "none".into())
        }
        _ => Handled::local(json_response(models_json(state))),
    }
}

async fn api<B>(
    state: &AppState,
    endpoint: Endpoint,
    request: Request<B>,
    request_id: &str,
) -> Handled
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: Into<BoxError>,
{
    let mut model_label = String::from("none");
    match forward(state, endpoint, request, request_id, &mut model_label).await {
        Ok(handled) => handled,
        Err(error) => Handled::error(&error, model_label),
    }
}

async fn forward<B>(
    state: &AppState,
    endpoint: Endpoint,
    request: Request<B>,
    request_id: &str,
    model_label: &mut String,
) -> Result<Handled, ProxyError>
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: Into<BoxError>,
{
    if !state.auth.allows(request.headers()) {
        return Err(ProxyError::Unauthorized);
    }
    let (parts, body) = request.into_parts();
    let bytes = read_body(&parts.headers, body, state.policy.limits.max_body_bytes).await?;
    let (json, model, stream) = parse_body(&bytes)?;
    *model_label = if state.knows_model(&model) {
        model.clone()
    } else {
        "unknown".into()
    };
    tracing::Span::current().record("model", model_label.as_str());
    let api_request = ApiRequest {
        endpoint,
        request_id: request_id.to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: bytes,
        json,
        model,
        stream,
    };
    let plan = route::plan(state, &api_request)?;
    let path = match &api_request.query {
        Some(query) => format!("{}?{query}", endpoint.upstream_path()),
        None => endpoint.upstream_path().to_string(),
    };
    let forward = ForwardRequest {
        method: Method::POST,
        path,
        headers: forward_headers(&api_request.headers, request_id),
        body: plan.body,
        stream,
    };
    let dispatched = dispatch(&plan.candidates, &forward, &state.metrics).await?;
    let upstream = dispatched.upstream.name().to_string();
    let (mut parts, body) = dispatched.response.into_parts();
    for name in NOT_RETURNED {
        parts.headers.remove(*name);
    }
    parts.headers.extend(plan.response_headers);
    if let Ok(value) = HeaderValue::from_str(&upstream) {
        parts.headers.insert(UPSTREAM_HEADER, value);
    }
    let sse = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let idle_timeout = Duration::from_millis(dispatched.upstream.config.timeout_ms);
    Ok(Handled {
        response: Response::from_parts(parts, body),
        model_label: model_label.clone(),
        upstream: Some(UpstreamBodyPolicy {
            upstream,
            idle_timeout,
            sse,
        }),
        observer: plan.observer,
    })
}

/// The client's headers minus those never forwarded, plus the request id.
fn forward_headers(client: &HeaderMap, request_id: &str) -> HeaderMap {
    let mut headers = client.clone();
    for name in NOT_FORWARDED {
        headers.remove(*name);
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, value);
    }
    headers
}

/// The client's `x-request-id` when it is short printable ASCII, else a fresh random id.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("req_{:032x}", rand::random::<u128>()))
}

fn models_json(state: &AppState) -> String {
    let data: Vec<serde_json::Value> = state
        .policy
        .model_names()
        .into_iter()
        .map(|id| {
            let owner = state
                .models
                .get(id)
                .and_then(|c| c.first())
                .map_or("pluralis", |u| u.name());
            serde_json::json!({"id": id, "object": "model", "created": 0, "owned_by": owner})
        })
        .collect();
    serde_json::json!({"object": "list", "data": data}).to_string()
}

fn json_response(body: String) -> Response<ProxyBody> {
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
