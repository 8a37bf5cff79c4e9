//! The listener: hyper 1.x (HTTP/1.1 and HTTP/2 by protocol detection), `TCP_NODELAY` on every
//! accepted socket, one task per connection, graceful shutdown that stops accepting and drains
//! in-flight requests and streams, and policy reload by atomic state swap.

pub mod auth;
pub mod handler;
pub mod observe;
pub mod request;
pub mod tenant;

use crate::config::Policy;
use crate::metrics::Metrics;
use crate::state::{AppState, SharedState, StateError};
use arc_swap::ArcSwap;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    state: SharedState,
    /// `[monitor.canary]` probes, restarted by [`ServerHandle::reload`] when the table changes.
    canary: crate::monitor::canary_task::CanaryTask,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Build the state for `policy` and serve it on `listener` in a background task.
pub fn spawn(listener: TcpListener, state: AppState) -> std::io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let drain = Duration::from_millis(state.policy.limits.shutdown_drain_ms);
    let state: SharedState = Arc::new(ArcSwap::from_pointee(state));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(
        listener,
        Arc::clone(&state),
        shutdown_rx,
        drain,
    ));
    tracing::info!(%addr, "listening");
    Ok(ServerHandle {
        addr,
        state,
        canary: Default::default(),
        shutdown,
        task,
    })
}

/// Bind `policy.listen` and serve with fresh metrics.
pub async fn start(policy: Policy) -> anyhow::Result<ServerHandle> {
    let listener = TcpListener::bind(policy.listen).await?;
    let metrics = Arc::new(Metrics::new()?);
    let mut state = AppState::build(policy, metrics)?;
    if let Some(config) = state.policy.monitor.as_ref().filter(|c| c.enabled) {
        let monitor = crate::monitor::Monitor::start(config, state.metrics.registry())?;
        monitor.attach_judge(state.judge.clone());
        state.monitor = Some(monitor);
    }
    let handle = spawn(listener, state)?;
    // `[monitor.canary]`: scheduled benchmark probes of every member.
    handle.canary.sync(&handle.state)?;
    Ok(handle)
}

impl ServerHandle {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The live state.
    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// The `[monitor.canary]` task of the live policy.
    pub fn canary(&self) -> &crate::monitor::canary_task::CanaryTask {
        &self.canary
    }

    /// Build a new state from `policy`; on success swap it in, on error keep the old one.
    /// The listen address cannot change without a restart (a change is logged and ignored).
    pub fn reload(&self, policy: Policy) -> Result<(), StateError> {
        let current = self.state.load();
        let metrics = Arc::clone(&current.metrics);
        if policy.listen != current.policy.listen {
            tracing::warn!("reload: `listen` changed; restart to apply it");
        }
        match AppState::build(policy, Arc::clone(&metrics)) {
            Ok(mut next) => {
                // The monitor (and its log writer) outlives reloads; `[monitor]` changes need a
                // restart, except `[monitor.judge]` (built with the state) and
                // `[monitor.canary]` (its task is restarted below).
                next.monitor = current.monitor.clone();
                if let Some(monitor) = &next.monitor {
                    monitor.attach_judge(next.judge.clone());
                }
                self.state.store(Arc::new(next));
                metrics
                    .policy_reloads_total
                    .with_label_values(&["ok"])
                    .inc();
                tracing::info!("policy reloaded");
                // The policy is live either way; a canary table that cannot start is logged
                // and the running canary (if any) goes on.
                if let Err(error) = self.canary.sync(&self.state) {
                    tracing::error!(%error, "reload: [monitor.canary] not applied");
                }
                Ok(())
            }
            Err(error) => {
                metrics
                    .policy_reloads_total
                    .with_label_values(&["error"])
                    .inc();
                tracing::error!(%error, "policy reload failed; keeping the previous policy");
                Err(error)
            }
        }
    }

    /// Stop accepting, let in-flight requests and streams finish (up to the drain timeout),
    /// then return.
    pub async fn shutdown(self) {
        self.canary.stop();
        let _ = self.shutdown.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "server task failed");
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: SharedState,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        // e.g. out of file descriptors: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "set_nodelay failed");
                }
                let state = Arc::clone(&state);
                let service = service_fn(move |request| {
                    let current = state.load_full();
                    async move { Ok::<_, Infallible>(handler::handle(current, request).await) }
                });
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let watched = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = watched.await {
                        tracing::debug!(%peer, %error, "connection ended with error");
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    tracing::info!(connections = graceful.count(), "shutting down, draining");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("drained"),
        _ = tokio::time::sleep(drain) => tracing::warn!("drain timeout reached; closing"),
    }
}
