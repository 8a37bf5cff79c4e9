//! Test harness: mock upstreams (small hyper servers on 127.0.0.1:0 whose replies are scripted
//! per call and which record what they received), the real proxy started on 127.0.0.1:0, and a
//! plain HTTP client that records when each response chunk arrived.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use pluralis::body::BoxError;
use pluralis::config::Policy;
use pluralis::server::{self, ServerHandle};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// What a mock upstream received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A scripted reply.
#[derive(Debug, Clone)]
pub enum Reply {
    Json(u16, String),
    /// SSE events sent with a delay before each; `cut` aborts the connection after them.
    Sse {
        events: Vec<(Duration, String)>,
        cut: bool,
    },
    /// Wait, then reply.
    Delay(Duration, Box<Reply>),
}

pub type Script = Arc<dyn Fn(usize, &Received) -> Reply + Send + Sync>;

pub struct MockUpstream {
    pub addr: SocketAddr,
    pub calls: Arc<AtomicUsize>,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// When the last SSE event of the latest streamed reply was written.
    pub stream_finished: Arc<Mutex<Option<Instant>>>,
}

impl MockUpstream {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    pub fn last(&self) -> Received {
        self.received
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("no request received")
    }
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }
}

/// Start a mock upstream whose reply to call `n` (0-based) is `script(n, request)`.
pub async fn mock(
    script: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static,
) -> MockUpstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(Mutex::new(Vec::new()));
    let stream_finished = Arc::new(Mutex::new(None));
    let script: Script = Arc::new(script);
    let (c, r, f) = (calls.clone(), received.clone(), stream_finished.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (c, r, f, script) = (c.clone(), r.clone(), f.clone(), script.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let (c, r, f, script) = (c.clone(), r.clone(), f.clone(), script.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let got = Received {
                            path: parts
                                .uri
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers: parts.headers,
                            body,
                        };
                        let n = c.fetch_add(1, Ordering::SeqCst);
                        r.lock().unwrap().push(got.clone());
                        let reply = script(n, &got);
                        Ok::<_, Infallible>(respond(reply, f).await)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    MockUpstream {
        addr,
        calls,
        received,
        stream_finished,
    }
}

type MockBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

async fn respond(reply: Reply, finished: Arc<Mutex<Option<Instant>>>) -> Response<MockBody> {
    let mut reply = reply;
    while let Reply::Delay(delay, inner) = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    match reply {
        Reply::Json(status, body) => Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)).map_err(|e| match e {}).boxed())
            .unwrap(),
        Reply::Sse { events, cut } => {
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, BoxError>>(16);
            tokio::spawn(async move {
                for (delay, event) in events {
                    tokio::time::sleep(delay).await;
                    if tx.send(Ok(Frame::data(Bytes::from(event)))).await.is_err() {
                        return;
                    }
                }
                *finished.lock().unwrap() = Some(Instant::now());
                if cut {
                    let _ = tx.send(Err("cut".into())).await;
                }
            });
            let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            });
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(StreamBody::new(stream).boxed())
                .unwrap()
        }
        Reply::Delay(..) => unreachable!(),
    }
}

/// An SSE `data:` event.
pub fn event(json: &str) -> String {
    format!("data: {json}\n\n")
}

pub const DONE: &str = "data: [DONE]\n\n";

pub fn chat_completion_json(model: &str) -> String {
    format!(
        r#"{{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"{model}","choices":[{{"index":0,"message":{{"role":"assistant","content":"hello"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}},"system_fingerprint":"fp_x"}}"#
    )
}

/// A policy with one upstream per `(name, base_url, models, extra lines)`.
pub fn policy(upstreams: &[(&str, &str, &[&str], &str)], extra: &str) -> Policy {
    let mut text = String::from("listen = \"127.0.0.1:0\"\n");
    text.push_str(extra);
    text.push('\n');
    for (name, url, models, lines) in upstreams {
        let models: Vec<String> = models.iter().map(|m| format!("\"{m}\"")).collect();
        text.push_str(&format!(
            "[[upstream]]\nname = \"{name}\"\nkind = \"openai\"\nbase_url = \"{url}\"\nmodels = [{}]\nbackoff_ms = 1\nbackoff_max_ms = 5\n{lines}\n",
            models.join(", ")
        ));
    }
    Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub async fn proxy(policy: Policy) -> ServerHandle {
    server::start(policy).await.unwrap()
}

/// A response read whole, with the arrival time of each chunk.
pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub chunks: Vec<(Instant, Bytes)>,
    pub error: Option<String>,
}

impl Got {
    pub fn body(&self) -> Bytes {
        let mut all = Vec::new();
        for (_, chunk) in &self.chunks {
            all.extend_from_slice(chunk);
        }
        Bytes::from(all)
    }
    pub fn text(&self) -> String {
        String::from_utf8(self.body().to_vec()).unwrap()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body()).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// Send a request to the proxy and read the answer chunk by chunk.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Got {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(Full::new(body.into())).unwrap();
    let response = tokio::time::timeout(Duration::from_secs(20), client().request(request))
        .await
        .expect("proxy did not answer in 20 s")
        .expect("request failed");
    let (parts, mut body) = response.into_parts();
    let mut chunks = Vec::new();
    let mut error = None;
    loop {
        match tokio::time::timeout(Duration::from_secs(20), body.frame()).await {
            Err(_) => panic!("body stalled for 20 s"),
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                error = Some(e.to_string());
                break;
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    chunks.push((Instant::now(), data));
                }
            }
        }
    }
    Got {
        status: parts.status,
        headers: parts.headers,
        chunks,
        error,
    }
}

pub async fn post(addr: SocketAddr, path: &str, body: &str) -> Got {
    send(addr, "POST", path, &[], body.to_string()).await
}

/// Assert an OpenAI-shaped error body and return `error.code`.
pub fn error_code(got: &Got) -> String {
    let json = got.json();
    let error = &json["error"];
    assert!(error["message"].is_string(), "{json}");
    assert!(error["type"].is_string(), "{json}");
    assert!(error.get("param").is_some(), "{json}");
    error["code"].as_str().unwrap().to_string()
}

/// An address where nothing listens.
pub async fn dead_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}
