//! The `replay` kind: answers benchmark prompts with real recorded answers of the requested model
//! from a ValueBench-format folder ([`ReplayStore`]), as JSON or as an SSE stream. No network.
//!
//! Every reply carries a top-level `pluralis_replay` object (case id, run index, whether the
//! steered runs were used, the recorded label) so nobody mistakes it for a live answer. A prompt
//! that is not a benchmark prompt gets a short answer that says so (so a demo's ordinary traffic
//! still flows); a model without recordings gets an OpenAI-style 404.

use super::replay_store::{ReplayMiss, ReplayStore};
use super::synth::{local_error, unix_now, SynthAnswer};
use super::{BuildError, ForwardRequest, Upstream, UpstreamError};
use crate::body::{full, BoxError, ProxyBody};
use crate::config::UpstreamConfig;
use crate::route::steer::{conversation_key, messages, CONVERSATION_HEADER};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{header, HeaderValue, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use serde_json::{json, Value as Json};
use std::sync::Arc;

/// Characters per streamed content chunk: small enough that a client sees a real stream.
const STREAM_PIECE_CHARS: usize = 48;

pub struct ReplayUpstream {
    store: Arc<ReplayStore>,
}

impl ReplayUpstream {
    pub fn new(config: &UpstreamConfig) -> Result<Self, BuildError> {
        let invalid = |message: String| BuildError::Invalid {
            upstream: config.name.clone(),
            message,
        };
        let dir = config
            .dir
            .as_deref()
            .ok_or_else(|| invalid("dir (a ValueBench-format folder) is required".into()))?;
        let store = ReplayStore::load(dir).map_err(|e| invalid(e.to_string()))?;
        if store.n_cases() == 0 {
            return Err(invalid(format!(
                "{}: no recorded answers with prompts",
                dir.display()
            )));
        }
        Ok(Self::from_store(Arc::new(store)))
    }

    pub fn from_store(store: Arc<ReplayStore>) -> Self {
        ReplayUpstream { store }
    }

    /// The whole reply for one request (pure apart from the clock).
    pub fn reply(&self, request: &ForwardRequest) -> Response<ProxyBody> {
        let Ok(body) = serde_json::from_slice::<Json>(&request.body) else {
            return local_error(StatusCode::BAD_REQUEST, "replay: the body is not JSON");
        };
        let model = body.get("model").and_then(Json::as_str).unwrap_or("");
        let system = messages(&body)
            .find(|(role, _)| *role == "system")
            .map(|(_, text)| text);
        let user = messages(&body)
            .filter(|(role, _)| *role == "user")
            .last()
            .map_or("", |(_, text)| text);
        let header = request
            .headers
            .get(CONVERSATION_HEADER)
            .and_then(|v| v.to_str().ok());
        let key = conversation_key(header, &body);
        let answer = match self.store.answer(model, system, user, key) {
            Ok(found) => SynthAnswer {
                id: format!("replay-{}-{}", found.case_id, found.run),
                model: model.to_owned(),
                created: unix_now(),
                content: found.answer.content.clone(),
                finish_reason: found.answer.finish_reason.clone(),
                usage: found.answer.usage.clone(),
                provenance: Some((
                    "pluralis_replay".into(),
                    json!({
                        "case_id": found.case_id,
                        "run": found.run,
                        "steered": found.steered,
                        "recorded_choice": found.answer.choice.as_str(),
                    }),
                )),
            },
            Err(ReplayMiss::UnknownPrompt) => SynthAnswer {
                id: "replay-no-match".into(),
                model: model.to_owned(),
                created: unix_now(),
                content: "[pluralis replay] This replay upstream only answers the benchmark's \
                          recorded prompts; no recorded answer matches this one."
                    .into(),
                finish_reason: "stop".into(),
                usage: None,
                provenance: Some(("pluralis_replay".into(), json!({"case_id": null}))),
            },
            Err(ReplayMiss::UnknownModel) => {
                return local_error(
                    StatusCode::NOT_FOUND,
                    "replay: no recorded answers of this model for this prompt",
                )
            }
        };
        respond(&answer, request.stream)
    }
}

impl Upstream for ReplayUpstream {
    fn send(
        &self,
        request: ForwardRequest,
    ) -> BoxFuture<'static, Result<Response<ProxyBody>, UpstreamError>> {
        let response = self.reply(&request);
        Box::pin(async move { Ok(response) })
    }
}

/// A synthesised answer as a JSON completion or an SSE stream.
pub fn respond(answer: &SynthAnswer, stream: bool) -> Response<ProxyBody> {
    let (body, content_type) = if stream {
        let frames = answer
            .sse_events(STREAM_PIECE_CHARS)
            .into_iter()
            .map(|b| Ok::<_, BoxError>(Frame::data(b)));
        (
            StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync(),
            "text/event-stream",
        )
    } else {
        (
            full(Bytes::from(answer.completion_json().to_string())),
            "application/json",
        )
    };
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::valuebench::{read_experiment, shared_dir, MAIN_EXPERIMENT};
    use http::{HeaderMap, Method};

    fn forward(body: Json, stream: bool) -> ForwardRequest {
        ForwardRequest {
            method: Method::POST,
            path: "/chat/completions".into(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            stream,
        }
    }

    async fn text(response: Response<ProxyBody>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn replays_recorded_answers_as_json_and_sse() {
        let Some(root) = shared_dir() else {
            eprintln!("skipped: no shared ValueBench folder");
            return;
        };
        let upstream = ReplayUpstream::from_store(Arc::new(ReplayStore::load(&root).unwrap()));
        let case = read_experiment(&root, MAIN_EXPERIMENT).unwrap().cases[0].clone();
        let req = json!({"model": "openai/gpt-5.2", "user": "patient-7", "messages": [
            {"role": "system", "content": case.system_prompt.clone().unwrap()},
            {"role": "user", "content": case.user_prompt.clone().unwrap()}]});
        let response = upstream.reply(&forward(req.clone(), false));
        assert_eq!(response.status(), StatusCode::OK);
        let v: Json = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(v["pluralis_replay"]["case_id"], case.case_id.as_str());
        let run = v["pluralis_replay"]["run"].as_u64().unwrap() as usize;
        let recorded = &case.makers["openai/gpt-5.2"][run];
        assert_eq!(
            v["choices"][0]["message"]["content"].as_str(),
            recorded.content()
        );

        let sse = text(upstream.reply(&forward(req, true))).await;
        assert!(sse.ends_with("data: [DONE]\n\n"));
        let mut streamed = String::new();
        for line in sse.lines().filter_map(|l| l.strip_prefix("data: ")) {
            if line != "[DONE]" {
                let chunk: Json = serde_json::from_str(line).unwrap();
                if let Some(c) = chunk["choices"][0]["delta"]["content"].as_str() {
                    streamed.push_str(c);
                }
            }
        }
        assert_eq!(Some(streamed.as_str()), recorded.content());

        let other =
            json!({"model": "openai/gpt-5.2", "messages": [{"role": "user", "content": "hello"}]});
        let v: Json =
            serde_json::from_str(&text(upstream.reply(&forward(other, false))).await).unwrap();
        assert!(v["pluralis_replay"]["case_id"].is_null());
        let unknown = json!({"model": "nobody/none", "messages": [{"role": "user", "content": case.user_prompt.unwrap()}]});
        assert_eq!(
            upstream.reply(&forward(unknown, false)).status(),
            StatusCode::NOT_FOUND
        );
    }
}
