//! Overton ensembles end to end through the real proxy against loopback mocks: the fan-out to k
//! members, the one composed answer (JSON and SSE), the deadline, and members that fail.

mod common;
use common::*;
use pluralis::config::Policy;
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};

const DILEMMA: &str =
    "A patient refuses treatment.\nChoice 1: Treat anyway\nChoice 2: Respect the refusal";

fn answer(model: &str, content: &str) -> String {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
    .to_string()
}

/// Three members `a/x`, `b/y`, `c/z` on three mocks; `extra` goes into the ensemble table.
fn overton_policy(mocks: [&MockUpstream; 3], extra: &str) -> Policy {
    let mut text = String::from("listen = \"127.0.0.1:0\"\n");
    for (mock, (name, model)) in mocks
        .iter()
        .zip([("ua", "a/x"), ("ub", "b/y"), ("uc", "c/z")])
    {
        text.push_str(&format!(
            "[[upstream]]\nname = \"{name}\"\nkind = \"openai\"\nbase_url = \"{}\"\n\
             models = [\"{model}\"]\nretries = 0\n",
            mock.base_url()
        ));
    }
    text.push_str(&format!(
        "[[ensemble]]\nname = \"pluralis-ensemble\"\nmembers = [\"a/x\", \"b/y\", \"c/z\"]\n\
         default_member = \"b/y\"\ndilemma_mode = \"overton\"\n{extra}\n"
    ));
    Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Posts one chat request to the ensemble as `user`.
async fn chat(proxy: std::net::SocketAddr, user: &str, content: &str, stream: bool) -> Got {
    let body = json!({"model": "pluralis-ensemble", "user": user, "stream": stream,
        "messages": [{"role": "user", "content": content}]});
    send(proxy, "POST", "/v1/chat/completions", &[], body.to_string()).await
}

async fn three_mocks(late: Duration) -> [MockUpstream; 3] {
    [
        mock(|_, _| {
            Reply::Json(
                200,
                answer(
                    "a/x",
                    "I recommend Choice 1: the benefit outweighs the harm.",
                ),
            )
        })
        .await,
        mock(|_, _| {
            Reply::Json(
                200,
                answer(
                    "b/y",
                    "I recommend Choice 2: her autonomy must be respected.",
                ),
            )
        })
        .await,
        mock(move |_, _| {
            Reply::Delay(late, Box::new(Reply::Json(200, answer("c/z", "Choice 1."))))
        })
        .await,
    ]
}

#[tokio::test]
async fn overton_fans_out_and_answers_once_with_each_recommendation() {
    let [a, b, c] = three_mocks(Duration::ZERO).await;
    let proxy = proxy(overton_policy([&a, &b, &c], "overton_k = 3")).await;
    let got = chat(proxy.local_addr(), "p1", DILEMMA, false).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
    assert_eq!(got.header("x-pluralis-route"), Some("overton"));
    let mut consulted: Vec<&str> = got
        .header("x-pluralis-member")
        .unwrap()
        .split(',')
        .collect();
    consulted.sort_unstable();
    assert_eq!(consulted, ["a/x", "b/y", "c/z"]);
    assert_eq!(got.header("x-pluralis-unavailable"), None);
    assert_eq!((a.calls(), b.calls(), c.calls()), (1, 1, 1));
    for (mock, model) in [(&a, "a/x"), (&b, "b/y"), (&c, "c/z")] {
        let sent: Json = serde_json::from_slice(&mock.last().body).unwrap();
        assert_eq!(sent["model"], model);
        assert_eq!(sent["stream"], false, "members answer as JSON");
    }
    let reply = got.json();
    assert_eq!(reply["object"], "chat.completion");
    assert_eq!(reply["model"], "pluralis-ensemble");
    assert_eq!(reply["choices"][0]["message"]["role"], "assistant");
    let text = reply["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(text.contains("reasonable physicians differ"), "{text}");
    let treat = text.find("Recommendation: Treat anyway").expect(text);
    let respect = text
        .find("Recommendation: Respect the refusal")
        .expect(text);
    assert!(treat < respect);
    assert!(
        text.contains("(2 of 3)") && text.contains("(1 of 3)"),
        "{text}"
    );
    assert!(text[respect..].contains("autonomy"), "{text}");
    assert_eq!(reply["usage"]["total_tokens"], 45);
    let members = reply["pluralis_overton"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| m["status"] == "answered"));

    // Ordinary traffic is not fanned out.
    let plain = chat(proxy.local_addr(), "p1", "What is a normal pulse?", false).await;
    assert_eq!(plain.header("x-pluralis-route"), Some("default"));
    assert_eq!(plain.header("x-pluralis-member"), Some("b/y"));
    assert_eq!((a.calls(), b.calls(), c.calls()), (1, 2, 1));
    proxy.shutdown().await;
}

#[tokio::test]
async fn overton_consults_k_members_reproducibly() {
    let [a, b, c] = three_mocks(Duration::ZERO).await;
    let proxy = proxy(overton_policy([&a, &b, &c], "overton_k = 2")).await;
    for i in 0..6 {
        let user = format!("patient-{i}");
        let first = chat(proxy.local_addr(), &user, DILEMMA, false).await;
        assert_eq!(first.status, 200);
        let consulted = first.header("x-pluralis-member").unwrap().to_owned();
        assert_eq!(consulted.split(',').count(), 2, "{consulted}");
        let again = chat(proxy.local_addr(), &user, DILEMMA, false).await;
        assert_eq!(again.header("x-pluralis-member"), Some(consulted.as_str()));
    }
    assert_eq!(a.calls() + b.calls() + c.calls(), 6 * 2 * 2);
    proxy.shutdown().await;
}

#[tokio::test]
async fn overton_names_late_members_and_keeps_the_deadline() {
    let [a, b, c] = three_mocks(Duration::from_secs(5)).await;
    let proxy = proxy(overton_policy([&a, &b, &c], "overton_deadline_ms = 400")).await;
    let started = Instant::now();
    let got = chat(proxy.local_addr(), "p1", DILEMMA, false).await;
    let elapsed = started.elapsed();
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(3),
        "deadline ignored: {elapsed:?}"
    );
    assert_eq!(got.header("x-pluralis-unavailable"), Some("c/z"));
    let reply = got.json();
    let text = reply["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(text.contains("- c/z: no answer within 400 ms"), "{text}");
    assert!(text.contains("(1 of 2)"), "{text}");
    let members = reply["pluralis_overton"]["members"].as_array().unwrap();
    assert!(members
        .iter()
        .any(|m| m["member"] == "c/z" && m["status"] == "timed_out"));
    proxy.shutdown().await;
}

#[tokio::test]
async fn overton_streams_the_composed_answer_as_sse() {
    let [a, b, c] = three_mocks(Duration::ZERO).await;
    let proxy = proxy(overton_policy([&a, &b, &c], "")).await;
    let got = chat(proxy.local_addr(), "p2", DILEMMA, true).await;
    assert_eq!(got.status, 200);
    assert!(got
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    let sse = got.text();
    assert!(sse.ends_with("data: [DONE]\n\n"), "{sse}");
    let events: Vec<Json> = sse
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert_eq!(events[0]["choices"][0]["delta"]["role"], "assistant");
    assert!(events
        .iter()
        .all(|e| e["object"] == "chat.completion.chunk"));
    let text: String = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert!(text.contains("Recommendation: Treat anyway"), "{text}");
    assert!(
        text.contains("Recommendation: Respect the refusal"),
        "{text}"
    );
    assert!(events
        .iter()
        .any(|e| e["choices"][0]["finish_reason"] == "stop"));
    for mock in [&a, &b, &c] {
        let sent: Json = serde_json::from_slice(&mock.last().body).unwrap();
        assert_eq!(sent["stream"], false);
        assert!(sent.get("stream_options").is_none());
    }
    proxy.shutdown().await;
}

/// The consulted members, as the route header lists them.
fn consulted(got: &Got) -> &str {
    got.header("x-pluralis-member").unwrap()
}

#[tokio::test]
async fn overton_with_every_member_failing_is_an_openai_error() {
    let failing = || mock(|_, _| Reply::Json(500, r#"{"error":{"message":"boom"}}"#.into()));
    let (a, b, c) = (failing().await, failing().await, failing().await);
    let all_failing = proxy(overton_policy([&a, &b, &c], "")).await;
    for stream in [false, true] {
        let got = chat(all_failing.local_addr(), "p3", DILEMMA, stream).await;
        assert_eq!(got.status, 502, "{}", got.text());
        assert_eq!(error_code(&got), "no_member_answered");
        assert_eq!(got.header("x-pluralis-route"), Some("overton"));
        assert_eq!(got.header("x-pluralis-unavailable"), Some(consulted(&got)));
        let message = got.json()["error"]["message"].as_str().unwrap().to_owned();
        for member in ["a/x (failed)", "b/y (failed)", "c/z (failed)"] {
            assert!(message.contains(member), "{message}");
        }
    }
    assert_eq!(
        a.calls() + b.calls() + c.calls(),
        6,
        "each member asked once per request"
    );

    // Every member late: still an OpenAI error, saying the fan-out ran out of time.
    let slow = |_: usize, _: &Received| {
        Reply::Delay(
            Duration::from_secs(5),
            Box::new(Reply::Json(200, answer("m", "Choice 1."))),
        )
    };
    let (x, y, z) = (mock(slow).await, mock(slow).await, mock(slow).await);
    let all_late = proxy(overton_policy([&x, &y, &z], "overton_deadline_ms = 200")).await;
    let got = chat(all_late.local_addr(), "p3", DILEMMA, false).await;
    assert_eq!(got.status, 504, "{}", got.text());
    assert_eq!(error_code(&got), "no_member_answered");
    let message = got.json()["error"]["message"].as_str().unwrap().to_owned();
    assert_eq!(message.matches("(timed_out)").count(), 3, "{message}");
    all_late.shutdown().await;

    // One member answering is enough: the others are named as unavailable.
    let ok = mock(|_, _| Reply::Json(200, answer("a/x", "I recommend Choice 2."))).await;
    let one_ok = proxy(overton_policy([&ok, &b, &c], "")).await;
    let got = chat(one_ok.local_addr(), "p3", DILEMMA, false).await;
    assert_eq!(got.status, 200);
    let mut unavailable: Vec<&str> = got
        .header("x-pluralis-unavailable")
        .unwrap()
        .split(',')
        .collect();
    unavailable.sort_unstable();
    assert_eq!(unavailable, ["b/y", "c/z"]);
    let text = got.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("- b/y: could not answer"), "{text}");
    all_failing.shutdown().await;
    one_ok.shutdown().await;
}
