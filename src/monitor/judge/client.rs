//! How the judge reaches its model: one non-streamed chat completion through the state's
//! upstreams (the same dispatch, retries, breaker and fallbacks as client traffic), returning
//! the reply text.

use crate::body::ProxyBody;
use crate::decide::judge::ChatMessage;
use crate::metrics::Metrics;
use crate::upstream::{dispatch, ForwardRequest, UpstreamHandle};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{header, HeaderMap, HeaderValue, Method};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;

/// Largest judge reply read, bytes.
const MAX_REPLY_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgeError {
    #[error("transport: {0}")]
    Transport(String),
    #[error("status {0}")]
    Status(u16),
    #[error("timeout")]
    Timeout,
    #[error("unreadable reply")]
    Unreadable,
}

/// Something that answers a chat request with text. Object safe; tests script it.
pub trait JudgeClient: Send + Sync + 'static {
    fn complete(&self, messages: Vec<ChatMessage>) -> BoxFuture<'_, Result<String, JudgeError>>;
}

/// The judge model behind the policy's upstreams.
pub struct UpstreamJudge {
    model: String,
    candidates: Vec<Arc<UpstreamHandle>>,
    metrics: Arc<Metrics>,
    timeout: Duration,
}

impl UpstreamJudge {
    pub fn new(
        model: &str,
        candidates: Vec<Arc<UpstreamHandle>>,
        metrics: Arc<Metrics>,
        timeout: Duration,
    ) -> Self {
        UpstreamJudge {
            model: model.to_owned(),
            candidates,
            metrics,
            timeout,
        }
    }

    /// The request body: model and messages only (some models refuse a non-default
    /// temperature or `max_tokens`; the prompts ask for a one-word or small-JSON reply).
    pub fn body(&self, messages: &[ChatMessage]) -> Bytes {
        let body = serde_json::json!({"model": self.model, "messages": messages, "stream": false});
        Bytes::from(body.to_string())
    }
}

impl JudgeClient for UpstreamJudge {
    fn complete(&self, messages: Vec<ChatMessage>) -> BoxFuture<'_, Result<String, JudgeError>> {
        let request = ForwardRequest {
            method: Method::POST,
            path: "/chat/completions".into(),
            headers: json_headers(),
            body: self.body(&messages),
            stream: false,
        };
        let candidates = self.candidates.clone();
        let metrics = self.metrics.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            tokio::time::timeout(timeout, call(candidates, metrics, request))
                .await
                .unwrap_or(Err(JudgeError::Timeout))
        })
    }
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

async fn call(
    candidates: Vec<Arc<UpstreamHandle>>,
    metrics: Arc<Metrics>,
    request: ForwardRequest,
) -> Result<String, JudgeError> {
    let dispatched = dispatch(&candidates, &request, &metrics)
        .await
        .map_err(|e| JudgeError::Transport(e.to_string()))?;
    let status = dispatched.response.status();
    if !status.is_success() {
        return Err(JudgeError::Status(status.as_u16()));
    }
    let body = read_limited(dispatched.response.into_body()).await?;
    reply_text(&body).ok_or(JudgeError::Unreadable)
}

/// The whole body, up to [`MAX_REPLY_BYTES`].
async fn read_limited(mut body: ProxyBody) -> Result<Vec<u8>, JudgeError> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| JudgeError::Transport(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > MAX_REPLY_BYTES {
                return Err(JudgeError::Unreadable);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// `choices[0].message.content` of a chat completion.
pub fn reply_text(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json.pointer("/choices/0/message/content")?
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_completion_text() {
        let body = br#"{"choices":[{"message":{"role":"assistant","content":"choice_2"}}]}"#;
        assert_eq!(reply_text(body).as_deref(), Some("choice_2"));
        assert_eq!(reply_text(b"{\"choices\":[]}"), None);
        assert_eq!(reply_text(b"not json"), None);
    }
}
