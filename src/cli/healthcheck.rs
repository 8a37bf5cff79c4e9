//! `pluralis healthcheck`: a probe for container HEALTHCHECKs, so the runtime image needs no curl.

use anyhow::{bail, Context};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// URL of the health endpoint (plain HTTP).
    #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
    url: http::Uri,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let timeout = Duration::from_millis(args.timeout_ms);
    let host = args.url.host().context("the URL has no host")?;
    if args.url.scheme_str().is_some_and(|s| s != "http") {
        bail!("only plain http is supported for the health probe");
    }
    let port = args.url.port_u16().unwrap_or(80);
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .context("the host did not resolve")?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let path = args.url.path_and_query().map_or("/", |p| p.as_str());
    // One write: a server may answer and close after the first segment it reads.
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    // "HTTP/1.1 200"
    if &head[9..12] == b"200" {
        Ok(())
    } else {
        bail!("unhealthy: {}", String::from_utf8_lossy(&head).trim_end())
    }
}
