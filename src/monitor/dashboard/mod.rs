//! The `/monitor` page and its JSON feed. The page is one self-contained HTML file (inline CSS,
//! JS and SVG; it fetches nothing but `/monitor/api/state` from the same server), compiled into
//! the binary. Kept free of HTTP types so the server wires it in a few lines.

use super::Monitor;

/// The dashboard page.
pub const PAGE_HTML: &str = include_str!("page.html");
pub const PAGE_CONTENT_TYPE: &str = "text/html; charset=utf-8";
pub const STATE_CONTENT_TYPE: &str = "application/json";

/// Path of the page and of its data feed.
pub const PAGE_PATH: &str = "/monitor";
pub const STATE_PATH: &str = "/monitor/api/state";

/// The body of `/monitor/api/state`: the last published state as JSON.
pub fn state_json(monitor: &Monitor) -> Vec<u8> {
    serde_json::to_vec(&*monitor.state()).unwrap_or_else(|_| b"{}".to_vec())
}

/// The HTTP response for `PAGE_PATH` or `STATE_PATH` (the server's router calls this).
pub fn response(monitor: &Monitor, path: &str) -> http::Response<crate::body::ProxyBody> {
    let (content_type, body) = if path == STATE_PATH {
        (STATE_CONTENT_TYPE, bytes::Bytes::from(state_json(monitor)))
    } else {
        (
            PAGE_CONTENT_TYPE,
            bytes::Bytes::from_static(PAGE_HTML.as_bytes()),
        )
    };
    let mut response = http::Response::new(crate::body::full(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    // Live data: never served from a cache.
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_fetches_nothing_external() {
        for needle in ["http://", "https://", "<link", "src=\"", "@import"] {
            let hits: Vec<_> = PAGE_HTML
                .match_indices(needle)
                .filter(|(i, _)| !PAGE_HTML[*i..].starts_with("http://www.w3.org/2000/svg"))
                .collect();
            assert!(hits.is_empty(), "page references {needle}");
        }
        assert!(PAGE_HTML.contains(STATE_PATH));
    }
}
