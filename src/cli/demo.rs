//! `pluralis demo [--replay DIR] [--listen ADDR] [--patients N] [--no-serve]`: start the proxy
//! on an embedded policy, drive dilemmas and ordinary requests through it, print the
//! deployment's decision spread against the physician panel's, then keep serving until Ctrl-C.

use crate::config::Policy;
use crate::demo::{self, DriveRequest, Spread};
use crate::server;
use crate::valuebench::{self, MAIN_EXPERIMENT};
use anyhow::Context;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// ValueBench-format folder to replay (default: $PLURALIS_VALUEBENCH or ../shared/valuebench).
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
    let dir = args
        .replay
        .clone()
        .or_else(valuebench::shared_dir)
        .context(
            "no ValueBench folder: pass --replay DIR (a ValueBench `data/` folder) or set \
         PLURALIS_VALUEBENCH (the simulated-agent ensemble is not in this build yet)",
        )?;
    let built = demo::replay_policy(&dir, &args.listen)?;
    let policy = Policy::from_toml_str(&built.toml).context("embedded demo policy")?;
    let experiment = valuebench::read_experiment(&dir, MAIN_EXPERIMENT)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let handle = server::start(policy).await?;
        let addr = handle.local_addr();
        println!("pluralis demo: proxy on http://{addr} replaying {}", dir.display());
        println!("ensemble `{}` (distributional, weights calibrated to the physician panel):", demo::DEMO_ENSEMBLE);
        for (m, w) in built.members.iter().zip(&built.weights) {
            println!("  {m:<42} {w:.3}");
        }

        let mut requests = demo::dilemma_requests(&experiment, demo::DEMO_ENSEMBLE, args.patients);
        let n_dilemmas = requests.len();
        requests.extend(demo::ordinary_requests(demo::DEMO_ENSEMBLE, (n_dilemmas / 10).max(4)));
        interleave(&mut requests);
        println!("\nsending {} requests ({n_dilemmas} dilemmas, {} ordinary) to `{}`:", requests.len(), requests.len() - n_dilemmas, demo::DEMO_ENSEMBLE);
        let ensemble = demo::drive(addr, requests, 16, progress_bar).await;
        eprintln!();
        let single = demo::drive(
            addr,
            demo::dilemma_requests(&experiment, &built.default_member, args.patients),
            16,
            |_, _| {},
        )
        .await;

        let n = experiment.cases.len();
        println!(
            "\n{} dilemmas detected, {} ordinary answered by the default member, {} failed",
            ensemble.dilemmas_detected, ensemble.ordinary_ok, ensemble.failed + single.failed
        );
        println!("answers per member: {}", ensemble.members.iter().map(|(m, c)| format!("{m} {c}")).collect::<Vec<_>>().join(", "));
        println!("\ndecision spread over {} benchmark cases (per-case JSD to the physicians: lower is closer):", demo::physician_spread(&experiment).cases);
        println!("  {:<44} {:>8} {:>14} {:>15}", "", "mean JSD", "entropy (bits)", "autonomy share");
        print_spread("physician panel (20 physicians)", &demo::physician_spread(&experiment));
        print_spread(&format!("pluralis ensemble ({} members)", built.members.len()), &demo::spread(&experiment, &ensemble.case_counts(n)));
        print_spread(&format!("single model {}", built.default_member), &demo::spread(&experiment, &single.case_counts(n)));
        if args.no_serve {
            handle.shutdown().await;
            return Ok(());
        }
        println!("\nstill serving on http://{addr}; try:\n  curl -s http://{addr}/v1/chat/completions -H 'content-type: application/json' \\\n    -d '{{\"model\":\"{}\",\"user\":\"me\",\"messages\":[{{\"role\":\"user\",\"content\":\"hello\"}}]}}'\nCtrl-C to stop.", demo::DEMO_ENSEMBLE);
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        anyhow::Ok(())
    })
}

fn print_spread(name: &str, s: &Spread) {
    let autonomy = s
        .autonomy_share
        .map_or("-".to_owned(), |a| format!("{a:.3}"));
    println!(
        "  {name:<44} {:>8.4} {:>14.3} {:>15}",
        s.mean_jsd, s.mean_entropy_bits, autonomy
    );
}

/// Spread ordinary requests among the dilemmas (deterministic), as real traffic would be.
fn interleave(requests: &mut [DriveRequest]) {
    let n = requests.len();
    for i in 0..n {
        let j = (i * 7919) % n;
        requests.swap(i, j);
    }
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
