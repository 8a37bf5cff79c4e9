//! A pluralis server serving two decided `sim` agents (`sim/autonomy`, `sim/beneficence`):
//! the members' provider for the canary tests, reached through an `openai` upstream.

use pluralis::config::Policy;
use pluralis::server::ServerHandle;

/// Agents decided enough that a case's sign on their value fixes the answer.
pub async fn provider() -> ServerHandle {
    let policy = Policy::from_toml_str(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "sim"
kind = "sim"
seed = 3
agents = [
  { name = "sim/autonomy", weights = { autonomy = 30.0 } },
  { name = "sim/beneficence", weights = { beneficence = 30.0 } },
]
"#,
    )
    .unwrap();
    pluralis::server::start(policy).await.unwrap()
}
