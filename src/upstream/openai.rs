//! The `openai` kind: any OpenAI-compatible HTTP API, over the hyper-util pooled client with
//! rustls (ring, webpki roots plus an optional extra CA file). Plain `http://` is allowed for
//! loopback and internal endpoints. The API key is read from the environment once, at build,
//! and marked sensitive so it is never printed by `Debug` or logs.

use super::{BuildError, ForwardRequest, Upstream, UpstreamError};
use crate::body::ProxyBody;
use crate::config::UpstreamConfig;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{header, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub struct OpenAiUpstream {
    name: String,
    /// Base URL without a trailing slash, e.g. `https://api.openai.com/v1`.
    base_url: String,
    authorization: Option<HeaderValue>,
    client: HttpsClient,
}

impl OpenAiUpstream {
    pub fn new(config: &UpstreamConfig) -> Result<Self, BuildError> {
        let invalid = |message: String| BuildError::Invalid {
            upstream: config.name.clone(),
            message,
        };
        let base_url = config
            .base_url
            .as_deref()
            .ok_or_else(|| invalid("base_url is required".into()))?
            .trim_end_matches('/')
            .to_string();
        let authorization = match &config.api_key_env {
            None => None,
            Some(var) => {
                let key = std::env::var(var).map_err(|_| {
                    invalid(format!(
                        "environment variable {var} (api_key_env) is not set"
                    ))
                })?;
                let mut value =
                    HeaderValue::try_from(format!("Bearer {}", key.trim())).map_err(|_| {
                        invalid(format!("environment variable {var} holds an invalid key"))
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let tls = tls_config(config).map_err(invalid)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_millis(config.connect_timeout_ms)));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Ok(Self {
            name: config.name.clone(),
            base_url,
            authorization,
            client,
        })
    }
}

fn tls_config(config: &UpstreamConfig) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read ca_file {}: {e}", path.display()))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "no certificate found in ca_file {}",
                path.display()
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The proxy's own `x-pluralis-*` request headers (tenant, conversation, values, persona...)
/// steer pluralis and the local upstreams; a vendor has no use for them, and a tenant name or
/// a conversation id is the hospital's business, so they stop here.
fn strip_control_headers(headers: &mut http::HeaderMap) {
    let control: Vec<http::HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("x-pluralis-"))
        .cloned()
        .collect();
    for name in control {
        headers.remove(name);
    }
}

impl Upstream for OpenAiUpstream {
    fn send(
        &self,
        request: ForwardRequest,
    ) -> BoxFuture<'static, Result<Response<ProxyBody>, UpstreamError>> {
        let uri = format!("{}{}", self.base_url, request.path);
        let mut builder = Request::builder().method(request.method).uri(uri);
        if let Some(headers) = builder.headers_mut() {
            *headers = request.headers;
            strip_control_headers(headers);
            if let Some(auth) = &self.authorization {
                headers.insert(header::AUTHORIZATION, auth.clone());
            }
            headers
                .entry(header::CONTENT_TYPE)
                .or_insert(HeaderValue::from_static("application/json"));
        }
        let built = builder.body(Full::new(request.body));
        let client = self.client.clone();
        let name = self.name.clone();
        Box::pin(async move {
            let outgoing =
                built.map_err(|e| UpstreamError::Transport(format!("bad request: {e}")))?;
            let response = client.request(outgoing).await.map_err(|e| {
                tracing::debug!(upstream = %name, error = %e, "upstream transport error");
                UpstreamError::Transport(e.to_string())
            })?;
            Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Policy;

    fn config(extra: &str) -> UpstreamConfig {
        let text = format!(
            "[[upstream]]\nname = \"u\"\nkind = \"openai\"\nbase_url = \"https://example.invalid/v1/\"\nmodels = [\"m\"]\n{extra}\n"
        );
        Policy::from_toml_str(&text).unwrap().upstreams.remove(0)
    }

    fn build_error(extra: &str) -> String {
        match OpenAiUpstream::new(&config(extra)) {
            Ok(_) => panic!("expected a build error for {extra}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn builds_with_webpki_roots_and_trims_the_base_url() {
        let upstream = OpenAiUpstream::new(&config("")).unwrap();
        assert_eq!(upstream.base_url, "https://example.invalid/v1");
        assert!(upstream.authorization.is_none());
    }

    #[test]
    fn key_comes_from_the_environment_and_is_sensitive() {
        std::env::set_var("OPENAI_UPSTREAM_TEST_KEY", "sk-test");
        let upstream =
            OpenAiUpstream::new(&config("api_key_env = \"OPENAI_UPSTREAM_TEST_KEY\"")).unwrap();
        let auth = upstream.authorization.unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth, "Bearer sk-test");
        let err = build_error("api_key_env = \"OPENAI_UPSTREAM_TEST_UNSET\"");
        assert!(err.contains("OPENAI_UPSTREAM_TEST_UNSET"), "{err}");
    }

    #[test]
    fn bad_ca_files_are_refused() {
        let err = build_error("ca_file = \"/nonexistent/ca.pem\"");
        assert!(err.contains("cannot read ca_file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let err = build_error(&format!("ca_file = \"{}\"", empty.display()));
        assert!(err.contains("no certificate found"), "{err}");
    }
}
