//! Reading and parsing an API request body, leniently: the body is kept as the client's exact
//! bytes (forwarded untouched, unknown fields included) and parsed once into a
//! `serde_json::Value` only to read `model` and `stream`.

use crate::error::ProxyError;
use bytes::Bytes;
use http::HeaderMap;
use http_body_util::{BodyExt, Limited};

/// The OpenAI endpoints the proxy forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    ChatCompletions,
    Completions,
    Embeddings,
}

impl Endpoint {
    /// Match a client path (`/v1/...`).
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            "/v1/chat/completions" => Some(Self::ChatCompletions),
            "/v1/completions" => Some(Self::Completions),
            "/v1/embeddings" => Some(Self::Embeddings),
            _ => None,
        }
    }

    /// Path below an upstream's base URL (which ends in its API prefix, e.g. `/v1`).
    pub fn upstream_path(self) -> &'static str {
        match self {
            Self::ChatCompletions => "/chat/completions",
            Self::Completions => "/completions",
            Self::Embeddings => "/embeddings",
        }
    }
}

/// A parsed API request.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub endpoint: Endpoint,
    pub request_id: String,
    /// The client's headers as received.
    pub headers: HeaderMap,
    /// The client's query string, forwarded as is (e.g. Azure's `api-version`).
    pub query: Option<String>,
    /// The client's body bytes, untouched.
    pub body: Bytes,
    /// The same body, parsed.
    pub json: serde_json::Value,
    pub model: String,
    pub stream: bool,
}

/// Read a body up to `limit` bytes; larger is `BodyTooLarge` (checked from `content-length`
/// first, so an honest oversized request is refused without reading it).
pub async fn read_body<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, ProxyError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<crate::body::BoxError>,
{
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ProxyError::BodyTooLarge { limit });
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(ProxyError::BodyTooLarge { limit })
        }
        Err(_) => Err(ProxyError::InvalidJson {
            reason: "the request body could not be read".into(),
        }),
    }
}

/// Parse a body: it must be a JSON object with a non-empty string `model`; `stream` is true
/// only when it is the JSON `true`.
pub fn parse_body(body: &[u8]) -> Result<(serde_json::Value, String, bool), ProxyError> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ProxyError::InvalidJson {
            // serde's message names a position and a category, never the input text.
            reason: e.to_string(),
        })?;
    let model = json
        .get("model")
        .and_then(serde_json::Value::as_str)
        .filter(|m| !m.is_empty())
        .ok_or(ProxyError::MissingField { field: "model" })?
        .to_string();
    let stream = json.get("stream").and_then(serde_json::Value::as_bool) == Some(true);
    Ok((json, model, stream))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_model_and_stream_and_keeps_unknown_fields() {
        let body = br#"{"model":"m","stream":true,"future_field":{"x":1}}"#;
        let (json, model, stream) = parse_body(body).unwrap();
        assert_eq!(model, "m");
        assert!(stream);
        assert_eq!(json["future_field"]["x"], 1);
    }

    #[test]
    fn rejects_bad_input_with_the_right_error() {
        assert_eq!(
            parse_body(b"{not json").unwrap_err().label(),
            "invalid_json"
        );
        assert_eq!(parse_body(b"[1,2]").unwrap_err().label(), "missing_field");
        assert_eq!(
            parse_body(br#"{"model":3}"#).unwrap_err().label(),
            "missing_field"
        );
        assert_eq!(
            parse_body(br#"{"model":""}"#).unwrap_err().label(),
            "missing_field"
        );
        let (_, _, stream) = parse_body(br#"{"model":"m","stream":"yes"}"#).unwrap();
        assert!(!stream);
    }

    proptest! {
        #[test]
        fn parse_body_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_body(&bytes);
        }

        #[test]
        fn parse_body_never_panics_on_jsonish_text(text in r#"\{("[a-z]{0,6}":("[a-z]{0,4}"|true|[0-9]{1,3}|null),?){0,4}\}"#) {
            let _ = parse_body(text.as_bytes());
        }
    }
}
