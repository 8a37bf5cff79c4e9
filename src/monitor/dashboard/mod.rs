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
