//! `pluralis serve --policy FILE [--listen ADDR] [--log-format json|text]`: load the policy,
//! serve until SIGTERM/SIGINT (then drain), reload the policy on SIGHUP.

use crate::config::Policy;
use crate::server;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy file (TOML).
    #[arg(long, env = "PLURALIS_POLICY")]
    pub policy: PathBuf,
    /// Listen address, overriding the policy's `listen`.
    #[arg(long, env = "PLURALIS_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Log format. Filter with RUST_LOG (default `info`).
    #[arg(long, value_enum, default_value = "text", env = "PLURALIS_LOG_FORMAT")]
    pub log_format: LogFormat,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    init_tracing(args.log_format);
    let policy = Policy::load(&args.policy, args.listen)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args, policy))
}

async fn serve(args: Args, policy: Policy) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let handle = server::start(policy).await?;
    println!("pluralis listening on http://{}", handle.local_addr());
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                tracing::info!(policy = %args.policy.display(), "SIGHUP: reloading policy");
                match Policy::load(&args.policy, args.listen) {
                    Ok(policy) => {
                        // Errors are logged and counted inside; the old state keeps serving.
                        let _ = handle.reload(policy);
                    }
                    Err(error) => {
                        tracing::error!(%error, "policy reload failed; keeping the previous policy");
                        handle.state().load().metrics.policy_reloads_total.with_label_values(&["error"]).inc();
                    }
                }
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    tracing::info!("shutting down");
    handle.shutdown().await;
    Ok(())
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if let Err(error) = result {
        eprintln!("pluralis: logging not initialised: {error}");
    }
}
