//! OpenAI chat-completion bodies made inside the proxy (replay, simulation, Overton summaries):
//! one JSON completion, or the same answer as a valid SSE stream (a role-only first chunk, content
//! chunks, a final chunk with `finish_reason`, then `data: [DONE]`).

use bytes::Bytes;
use serde_json::{json, Value as Json};

/// An answer to serve.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthAnswer {
    pub id: String,
    pub model: String,
    /// Unix seconds.
    pub created: u64,
    pub content: String,
    pub finish_reason: String,
    pub usage: Option<Json>,
    /// A top-level field naming where the answer came from, e.g. `("pluralis_replay", {...})`,
    /// so a client (and an auditor) can tell a replayed or simulated answer from a live one.
    pub provenance: Option<(String, Json)>,
}

impl SynthAnswer {
    /// The non-streamed `chat.completion` object.
    pub fn completion_json(&self) -> Json {
        let mut body = json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": self.content},
                "finish_reason": self.finish_reason,
            }],
        });
        if let Some(usage) = &self.usage {
            body["usage"] = usage.clone();
        }
        self.add_provenance(&mut body);
        body
    }

    /// The answer as SSE events, content split into pieces of about `piece_chars` characters
    /// (split on char boundaries, so multi-byte text stays valid UTF-8).
    pub fn sse_events(&self, piece_chars: usize) -> Vec<Bytes> {
        let mut events = Vec::new();
        let chunk = |delta: Json, finish: Option<&str>| {
            let mut c = json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            });
            self.add_provenance(&mut c);
            Bytes::from(format!("data: {c}\n\n"))
        };
        events.push(chunk(json!({"role": "assistant", "content": ""}), None));
        for piece in split_chars(&self.content, piece_chars.max(1)) {
            events.push(chunk(json!({ "content": piece }), None));
        }
        events.push(chunk(json!({}), Some(&self.finish_reason)));
        events.push(Bytes::from_static(b"data: [DONE]\n\n"));
        events
    }

    fn add_provenance(&self, body: &mut Json) {
        if let Some((key, value)) = &self.provenance {
            body[key.as_str()] = value.clone();
        }
    }
}

/// Split text into pieces of at most `n` chars.
fn split_chars(text: &str, n: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, _) in text.char_indices() {
        if count == n {
            pieces.push(&text[start..i]);
            start = i;
            count = 0;
        }
        count += 1;
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The error body a local (replay or sim) upstream answers with, in the OpenAI shape a real
/// provider would use, so it flows through dispatch like any upstream's error.
pub fn local_error(
    status: http::StatusCode,
    message: &str,
) -> http::Response<crate::body::ProxyBody> {
    let body = serde_json::json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}});
    let mut response = http::Response::new(crate::body::full(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content: &str) -> SynthAnswer {
        SynthAnswer {
            id: "x".into(),
            model: "m".into(),
            created: 1,
            content: content.into(),
            finish_reason: "stop".into(),
            usage: None,
            provenance: Some(("pluralis_sim".into(), json!({"agent": 1}))),
        }
    }

    #[test]
    fn stream_reassembles_to_the_content() {
        let a = answer("Choix 1 — é ü, then more words here");
        let events = a.sse_events(4);
        assert_eq!(
            events.last().unwrap(),
            &Bytes::from_static(b"data: [DONE]\n\n")
        );
        let mut text = String::new();
        let mut finishes = Vec::new();
        for e in &events[..events.len() - 1] {
            let s = std::str::from_utf8(e).unwrap();
            let v: Json = serde_json::from_str(s.strip_prefix("data: ").unwrap().trim()).unwrap();
            assert_eq!(v["object"], "chat.completion.chunk");
            assert_eq!(v["pluralis_sim"]["agent"], 1);
            if let Some(c) = v["choices"][0]["delta"]["content"].as_str() {
                text.push_str(c);
            }
            finishes.push(v["choices"][0]["finish_reason"].clone());
        }
        assert_eq!(text, a.content);
        let first: Json = serde_json::from_slice(&events[0][6..]).unwrap();
        assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(finishes.last().unwrap(), "stop");
        assert!(finishes[..finishes.len() - 1].iter().all(Json::is_null));
    }

    #[test]
    fn completion_has_the_openai_shape() {
        let v = answer("hi").completion_json();
        assert_eq!(v["object"], "chat.completion");
        assert_eq!(v["choices"][0]["message"]["content"], "hi");
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
    }

    #[test]
    fn split_handles_empty_and_exact() {
        assert!(split_chars("", 3).is_empty());
        assert_eq!(split_chars("abcdef", 3), vec!["abc", "def"]);
        assert_eq!(split_chars("abcdefg", 3), vec!["abc", "def", "g"]);
    }
}
