//! What the `replay` and `sim` targets share: both fuzz an in-process upstream that answers a
//! chat request body with a JSON or SSE reply, and both check the reply the same way. A target
//! includes this file with `#[path = "shared/chat_reply.rs"] mod chat_reply;` and passes its
//! upstream's `reply` to [`check`].

use bytes::Bytes;
use http::Response;
use http_body_util::BodyExt;
use pluralis::body::ProxyBody;
use pluralis::upstream::ForwardRequest;

#[path = "runtime.rs"]
mod runtime;
use runtime::runtime;

/// The input's flags (first byte, bit 0 = streamed request) and the request body (the rest).
pub fn split_input(data: &[u8]) -> Option<(bool, &[u8])> {
    let (&flags, body) = data.split_first()?;
    Some((flags & 1 != 0, body))
}

/// Sends `body` as a chat completion request to `reply` and checks the answer: a known status,
/// a body that never fails, JSON when not streamed (or not 200), else SSE events of JSON ending
/// with `[DONE]`.
pub fn check(stream: bool, body: &[u8], reply: impl Fn(&ForwardRequest) -> Response<ProxyBody>) {
    let request = ForwardRequest {
        method: http::Method::POST,
        path: "/chat/completions".into(),
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
        stream,
    };
    let response = reply(&request);
    let status = response.status().as_u16();
    assert!(matches!(status, 200 | 400 | 404), "status {status}");
    let bytes = runtime()
        .block_on(response.into_body().collect())
        .expect("an in-process upstream's body never fails")
        .to_bytes();
    if status != 200 || !stream {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON reply");
        return;
    }
    let text = std::str::from_utf8(&bytes).expect("an SSE reply is UTF-8");
    assert!(text.ends_with("data: [DONE]\n\n"));
    for line in text.lines().filter_map(|l| l.strip_prefix("data: ")) {
        if line != "[DONE]" {
            serde_json::from_str::<serde_json::Value>(line).expect("each event is JSON");
        }
    }
}
