//! Optional alert webhook: a JSON POST per raised or cleared drift alert. Fire and forget on
//! the runtime with a timeout; a failing receiver is logged and never slows anything else.

use super::online::AlertChange;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

#[derive(Clone)]
pub struct Webhook {
    url: http::Uri,
    client: HttpsClient,
}

impl Webhook {
    pub fn new(url: &str) -> anyhow::Result<Webhook> {
        let url: http::Uri = url.parse()?;
        anyhow::ensure!(
            matches!(url.scheme_str(), Some("http" | "https")),
            "monitor.drift.webhook_url: must be an http or https URL"
        );
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Webhook { url, client })
    }

    /// Posts one alert change; returns once the receiver answered (or the timeout hit).
    pub async fn post(&self, change: &AlertChange) -> anyhow::Result<http::StatusCode> {
        let body = serde_json::to_vec(&serde_json::json!({
            "source": "pluralis",
            "alert": "value_drift",
            "state": if change.raised { "raised" } else { "cleared" },
            "detail": change,
        }))?;
        let request = http::Request::post(self.url.clone())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))?;
        let response =
            tokio::time::timeout(WEBHOOK_TIMEOUT, self.client.request(request)).await??;
        Ok(response.status())
    }

    /// Posts in the background when a runtime is available.
    pub fn spawn_post(&self, change: AlertChange) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let hook = self.clone();
        handle.spawn(async move {
            match hook.post(&change).await {
                Ok(status) if status.is_success() => {}
                Ok(status) => {
                    tracing::warn!(%status, "drift webhook answered with an error status")
                }
                Err(err) => tracing::warn!(error = %err, "drift webhook failed"),
            }
        });
    }
}
