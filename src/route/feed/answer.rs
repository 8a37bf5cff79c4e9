//! The answer text of an OpenAI chat response, read from the bytes the client was sent: a
//! `chat.completion` JSON body, or the `chat.completion.chunk` events of an SSE stream. Outside
//! text: never panics, gives up (None) on anything it cannot read.

use serde_json::Value as Json;

/// What the member answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerText {
    pub content: String,
    /// A separate reasoning field (`reasoning` or `reasoning_content`), when the provider sent one.
    pub reasoning: Option<String>,
}

/// Reads a response body; `stream` says whether the request asked for SSE. A body that is not
/// what was asked for is tried the other way too (upstreams may ignore `stream`).
pub fn read(body: &[u8], stream: bool) -> Option<AnswerText> {
    if stream {
        from_sse(body).or_else(|| from_json(body))
    } else {
        from_json(body).or_else(|| from_sse(body))
    }
}

/// `choices[0].message` of a non-streaming response.
pub fn from_json(body: &[u8]) -> Option<AnswerText> {
    let json: Json = serde_json::from_slice(body).ok()?;
    let message = json.pointer("/choices/0/message")?;
    let mut answer = AnswerText::default();
    push_content(&mut answer.content, message.get("content"));
    answer.reasoning = reasoning_of(message).map(str::to_owned);
    (!answer.content.is_empty() || answer.reasoning.is_some()).then_some(answer)
}

/// The `choices[0].delta` pieces of every `data:` event, concatenated. Needs at least one event
/// that parses as a chunk.
pub fn from_sse(body: &[u8]) -> Option<AnswerText> {
    let text = std::str::from_utf8(body).ok()?;
    let mut answer = AnswerText::default();
    let mut reasoning = String::new();
    let mut chunks = 0usize;
    for line in text.lines() {
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let data = data.trim();
        if data == "[DONE]" || data.is_empty() {
            continue;
        }
        let Ok(event) = serde_json::from_str::<Json>(data) else {
            continue;
        };
        let Some(delta) = event.pointer("/choices/0/delta") else {
            continue;
        };
        chunks += 1;
        push_content(&mut answer.content, delta.get("content"));
        if let Some(r) = reasoning_of(delta) {
            reasoning.push_str(r);
        }
    }
    if chunks == 0 {
        return None;
    }
    answer.reasoning = (!reasoning.is_empty()).then_some(reasoning);
    Some(answer)
}

fn reasoning_of(message: &Json) -> Option<&str> {
    ["reasoning", "reasoning_content"]
        .iter()
        .find_map(|k| message.get(*k).and_then(Json::as_str))
        .filter(|r| !r.is_empty())
}

/// Content as a string, or as an array of `{type: "text", text}` parts.
fn push_content(out: &mut String, content: Option<&Json>) {
    match content {
        Some(Json::String(s)) => out.push_str(s),
        Some(Json::Array(parts)) => {
            for text in parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Json::as_str))
            {
                out.push_str(text);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_a_completion_body() {
        let body = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Recommendation: Choice 2","reasoning":"weighing"}}]}"#;
        let a = read(body, false).unwrap();
        assert_eq!(a.content, "Recommendation: Choice 2");
        assert_eq!(a.reasoning.as_deref(), Some("weighing"));
        let parts = br#"{"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}}]}"#;
        assert_eq!(from_json(parts).unwrap().content, "ab");
        assert_eq!(from_json(br#"{"error":{"message":"x"}}"#), None);
    }

    #[test]
    fn reads_a_stream_split_anywhere() {
        let body = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n\
                    data: {\"choices\":[{\"delta\":{\"content\":\"Recommendation: \"}}]}\n\n\
                    data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hm\"}}]}\n\n\
                    data: {\"choices\":[{\"delta\":{\"content\":\"Choice 1\"}}]}\n\n\
                    data: [DONE]\n\n";
        let a = read(body.as_bytes(), true).unwrap();
        assert_eq!(a.content, "Recommendation: Choice 1");
        assert_eq!(a.reasoning.as_deref(), Some("hm"));
        // A body that is JSON although SSE was asked for is still read.
        let json = br#"{"choices":[{"message":{"content":"x"}}]}"#;
        assert_eq!(read(json, true).unwrap().content, "x");
        assert_eq!(read(b"data: [DONE]\n\n", true), None);
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512), stream: bool) {
            let _ = read(&bytes, stream);
        }

        #[test]
        fn never_panics_on_sse_like_text(lines in proptest::collection::vec("(data: )?[{}\\[\\]\":a-z0-9 ]{0,40}", 0..12)) {
            let _ = read(lines.join("\n").as_bytes(), true);
        }
    }
}
