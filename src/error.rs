//! Every error a request can meet, and the ONE place that turns an error into the HTTP response
//! the client sees (OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`).
//!
//! Each variant knows its status, where it came from ([`Origin`]), whether a retry may help and a
//! label-safe name for metrics ([`ProxyError::label`]: static text only, never a message).
//! Messages never include keys, prompt text or raw upstream bodies.

use crate::body::{full, ProxyBody};
use http::{header, HeaderValue, Response, StatusCode};
use serde_json::json;

/// Where an error came from: the client's request, the upstream provider, or the proxy itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Client,
    Upstream,
    Proxy,
}

/// A request failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyError {
    #[error("missing or invalid API key; send it as `Authorization: Bearer <key>`")]
    Unauthorized,
    #[error("request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("request body is not valid JSON: {reason}")]
    InvalidJson { reason: String },
    #[error("request body must be a JSON object with a string field `{field}`")]
    MissingField { field: &'static str },
    #[error("header `{header}` is invalid: {reason}")]
    InvalidHeader {
        header: &'static str,
        reason: String,
    },
    #[error("the model `{model}` does not exist or is not served by this proxy")]
    UnknownModel { model: String },
    #[error("no route for this path")]
    NotFound,
    #[error("method not allowed for this path")]
    MethodNotAllowed,
    #[error("upstream `{upstream}` did not answer within {timeout_ms} ms")]
    UpstreamTimeout { upstream: String, timeout_ms: u64 },
    #[error("upstream `{upstream}` could not be reached")]
    UpstreamConnect { upstream: String },
    #[error("upstream `{upstream}` failed with status {status}")]
    UpstreamStatus { upstream: String, status: u16 },
    #[error("upstream `{upstream}` is temporarily unavailable (circuit breaker open)")]
    UpstreamUnavailable { upstream: String },
    #[error("upstream `{upstream}` ended the response early")]
    UpstreamInterrupted { upstream: String },
    #[error("internal proxy error")]
    Internal { detail: String },
}

impl ProxyError {
    /// HTTP status sent to the client.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidJson { .. } | Self::MissingField { .. } | Self::InvalidHeader { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::UnknownModel { .. } | Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            Self::UpstreamConnect { .. }
            | Self::UpstreamStatus { .. }
            | Self::UpstreamInterrupted { .. } => StatusCode::BAD_GATEWAY,
            Self::UpstreamUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Who caused it.
    pub fn origin(&self) -> Origin {
        match self {
            Self::Unauthorized
            | Self::BodyTooLarge { .. }
            | Self::InvalidJson { .. }
            | Self::MissingField { .. }
            | Self::InvalidHeader { .. }
            | Self::UnknownModel { .. }
            | Self::NotFound
            | Self::MethodNotAllowed => Origin::Client,
            Self::UpstreamTimeout { .. }
            | Self::UpstreamConnect { .. }
            | Self::UpstreamStatus { .. }
            | Self::UpstreamUnavailable { .. }
            | Self::UpstreamInterrupted { .. } => Origin::Upstream,
            Self::Internal { .. } => Origin::Proxy,
        }
    }

    /// Whether trying again (the same upstream after a backoff, or a fallback) may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            Self::UpstreamTimeout { .. }
            | Self::UpstreamConnect { .. }
            | Self::UpstreamUnavailable { .. } => true,
            Self::UpstreamStatus { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// Static, bounded name for metric labels and log fields.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::InvalidJson { .. } => "invalid_json",
            Self::MissingField { .. } => "missing_field",
            Self::InvalidHeader { .. } => "invalid_header",
            Self::UnknownModel { .. } => "unknown_model",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UpstreamTimeout { .. } => "upstream_timeout",
            Self::UpstreamConnect { .. } => "upstream_connect",
            Self::UpstreamStatus { .. } => "upstream_status",
            Self::UpstreamUnavailable { .. } => "upstream_unavailable",
            Self::UpstreamInterrupted { .. } => "upstream_interrupted",
            Self::Internal { .. } => "internal",
        }
    }

    /// OpenAI's `error.type`.
    fn openai_type(&self) -> &'static str {
        match self.origin() {
            Origin::Client if matches!(self, Self::Unauthorized) => "authentication_error",
            Origin::Client => "invalid_request_error",
            Origin::Upstream => "upstream_error",
            Origin::Proxy => "server_error",
        }
    }

    /// OpenAI's `error.code` (OpenAI uses `model_not_found`, `invalid_api_key`, ...).
    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "invalid_api_key",
            Self::UnknownModel { .. } => "model_not_found",
            other => other.label(),
        }
    }

    /// OpenAI's `error.param`: the request field at fault, when there is one.
    fn param(&self) -> Option<&'static str> {
        match self {
            Self::MissingField { field } => Some(field),
            Self::InvalidHeader { header, .. } => Some(header),
            Self::UnknownModel { .. } => Some("model"),
            _ => None,
        }
    }

    /// The error as OpenAI-shaped JSON. Internal details stay out (they go to the log).
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "error": {
                "message": self.to_string(),
                "type": self.openai_type(),
                "param": self.param(),
                "code": self.code(),
            }
        })
    }

    /// The complete HTTP response for this error. The upstream's status, when there is one, is
    /// also sent as `x-pluralis-upstream-status` so clients and operators can tell 429 from 500.
    pub fn to_response(&self) -> Response<ProxyBody> {
        let mut response = Response::new(full(self.to_json().to_string()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Self::UpstreamStatus { status, .. } = self {
            headers.insert("x-pluralis-upstream-status", HeaderValue::from(*status));
        }
        if matches!(self, Self::Unauthorized) {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }

    /// The error as one SSE event, for a stream that already started and cannot change status.
    pub fn to_sse_event(&self) -> bytes::Bytes {
        bytes::Bytes::from(format!("data: {}\n\n", self.to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<ProxyError> {
        let upstream = "u".to_string();
        vec![
            ProxyError::Unauthorized,
            ProxyError::BodyTooLarge { limit: 10 },
            ProxyError::InvalidJson { reason: "x".into() },
            ProxyError::MissingField { field: "model" },
            ProxyError::InvalidHeader {
                header: "x-pluralis-values",
                reason: "x".into(),
            },
            ProxyError::UnknownModel { model: "m".into() },
            ProxyError::NotFound,
            ProxyError::MethodNotAllowed,
            ProxyError::UpstreamTimeout {
                upstream: upstream.clone(),
                timeout_ms: 1,
            },
            ProxyError::UpstreamConnect {
                upstream: upstream.clone(),
            },
            ProxyError::UpstreamStatus {
                upstream: upstream.clone(),
                status: 503,
            },
            ProxyError::UpstreamUnavailable {
                upstream: upstream.clone(),
            },
            ProxyError::UpstreamInterrupted { upstream },
            ProxyError::Internal {
                detail: "secret detail".into(),
            },
        ]
    }

    #[test]
    fn every_error_has_openai_shape_and_hides_internal_detail() {
        for err in all() {
            let body = err.to_json();
            let inner = &body["error"];
            assert!(inner["message"].is_string(), "{err:?}");
            assert!(inner["type"].is_string(), "{err:?}");
            assert!(inner["code"].is_string(), "{err:?}");
            assert!(inner.get("param").is_some(), "{err:?}");
            assert!(!body.to_string().contains("secret detail"));
            assert!(err.status().is_client_error() || err.status().is_server_error());
        }
    }

    #[test]
    fn statuses_match_the_contract() {
        let statuses: Vec<u16> = all().iter().map(|e| e.status().as_u16()).collect();
        assert_eq!(
            statuses,
            vec![401, 413, 400, 400, 400, 404, 404, 405, 504, 502, 502, 503, 502, 500]
        );
    }

    #[test]
    fn only_transient_upstream_failures_are_retryable() {
        let retryable: Vec<&str> = all()
            .iter()
            .filter(|e| e.retryable())
            .map(|e| e.label())
            .collect();
        assert_eq!(
            retryable,
            vec![
                "upstream_timeout",
                "upstream_connect",
                "upstream_status",
                "upstream_unavailable"
            ]
        );
        let not_found = ProxyError::UpstreamStatus {
            upstream: "u".into(),
            status: 404,
        };
        assert!(!not_found.retryable());
    }
}
