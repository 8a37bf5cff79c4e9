//! Sending the demo's requests to a running proxy over HTTP, a bounded number at a time, and
//! tallying what came back: the recorded decision of each replayed answer (or the choice of each
//! simulated one) per case, and the
//! member that answered (`x-pluralis-member`).

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// One request to send.
#[derive(Debug, Clone)]
pub struct DriveRequest {
    /// Index of the benchmark case (None: an ordinary request).
    pub case: Option<usize>,
    pub body: String,
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct DriveReport {
    /// Per case index: (choice_1, choice_2, refusal) of the answers.
    pub counts: BTreeMap<usize, (u64, u64, u64)>,
    /// Answers per member header value (`-` when the header was absent).
    pub members: BTreeMap<String, u64>,
    pub dilemmas_detected: u64,
    pub ordinary_ok: u64,
    pub failed: u64,
}

impl DriveReport {
    /// (choice_1, choice_2) per case index `0..n`.
    pub fn case_counts(&self, n: usize) -> Vec<(u64, u64)> {
        (0..n)
            .map(|i| self.counts.get(&i).map_or((0, 0), |c| (c.0, c.1)))
            .collect()
    }
}

/// Send every request to `addr` (`/v1/chat/completions`), at most `concurrency` at once;
/// `progress(done, total)` is called after each.
pub async fn drive(
    addr: SocketAddr,
    requests: Vec<DriveRequest>,
    concurrency: usize,
    mut progress: impl FnMut(usize, usize),
) -> DriveReport {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let total = requests.len();
    let mut results = stream::iter(requests.into_iter().map(|r| {
        let client = client.clone();
        async move { (r.case, send(&client, addr, r.body).await) }
    }))
    .buffer_unordered(concurrency.max(1));
    let mut report = DriveReport::default();
    let mut done = 0;
    while let Some((case, outcome)) = results.next().await {
        done += 1;
        progress(done, total);
        let Some((member, dilemma, body)) = outcome else {
            report.failed += 1;
            continue;
        };
        *report.members.entry(member).or_default() += 1;
        report.dilemmas_detected += u64::from(dilemma);
        match case {
            None => report.ordinary_ok += 1,
            Some(i) => {
                let entry = report.counts.entry(i).or_default();
                let choice = body
                    .pointer("/pluralis_replay/recorded_choice")
                    .or_else(|| body.pointer("/pluralis_sim/choice"));
                match choice.and_then(|v| v.as_str()) {
                    Some("choice_1") => entry.0 += 1,
                    Some("choice_2") => entry.1 += 1,
                    _ => entry.2 += 1,
                }
            }
        }
    }
    report
}

/// (member header, dilemma header, body JSON) of a 200 answer; None on any failure.
async fn send(
    client: &Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
    body: String,
) -> Option<(String, bool, serde_json::Value)> {
    let request = Request::post(format!("http://{addr}/v1/chat/completions"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .ok()?;
    let response = client.request(request).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let member = header("x-pluralis-member").unwrap_or_else(|| "-".into());
    let dilemma = header("x-pluralis-dilemma").as_deref() == Some("true");
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    Some((member, dilemma, serde_json::from_slice(&bytes).ok()?))
}
