//! `pluralis demo [--replay DIR] [--listen ADDR] [--patients N] [--no-serve]`: start the proxy
//! on an embedded policy (recorded answers when a ValueBench folder is found, else SIMULATED
//! agents), drive dilemmas and ordinary requests through it, print the deployment's decision
//! spread against the reference panel's, then keep serving until Ctrl-C.

use crate::config::Policy;
use crate::demo;
use crate::server;
use anyhow::Context;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// ValueBench-format folder to replay (default: $PLURALIS_VALUEBENCH or ../shared/valuebench;
    /// without one, the demo runs on simulated agents and says so).
    #[arg(long)]
    pub replay: Option<PathBuf>,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Patients per benchmark case (each a distinct `user`).
    #[arg(long, default_value_t = 40)]
    pub patients: usize,
    /// Exit after the report instead of serving until Ctrl-C.
    #[arg(long)]
    pub no_serve: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let setup = demo::setup(args.replay.clone(), &args.listen)?;
    let policy = Policy::from_toml_str(&setup.policy.toml).context("embedded demo policy")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let handle = server::start(policy).await?;
        let addr = handle.local_addr();
        print!("{}", demo::describe(&setup, addr));
        let (requests, dilemmas) = demo::ensemble_requests(&setup.experiment, args.patients);
        println!(
            "\nsending {} requests ({dilemmas} dilemmas, {} ordinary) to `{}`:",
            requests.len(),
            requests.len() - dilemmas,
            demo::DEMO_ENSEMBLE
        );
        let outcome = demo::run(&setup, addr, args.patients, progress_bar).await;
        eprintln!();
        print!("\n{}", demo::render(&setup, &outcome));
        if args.no_serve {
            handle.shutdown().await;
            return Ok(());
        }
        println!(
            "\nstill serving on http://{addr} (live monitor: http://{addr}/monitor); try:\n  curl -s http://{addr}/v1/chat/completions \
             -H 'content-type: application/json' \\\n    -d '{{\"model\":\"{}\",\"user\":\"me\",\
             \"messages\":[{{\"role\":\"user\",\"content\":\"hello\"}}]}}'\nCtrl-C to stop.",
            demo::DEMO_ENSEMBLE
        );
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        anyhow::Ok(())
    })
}

fn progress_bar(done: usize, total: usize) {
    const WIDTH: usize = 40;
    if done % 20 != 0 && done != total {
        return;
    }
    let filled = WIDTH * done / total.max(1);
    eprint!(
        "\r  [{}{}] {done}/{total}",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    let _ = std::io::stderr().flush();
}
