//! `sqrtc serve`: the OpenAI-compatible relay (protocol.md, docs/relay.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::relay::{Config, Relay};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The configuration file; without it, `./sqrt.toml` if present, else the defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Overrides the file's `listen`. The bound address is printed on stdout.
    #[arg(long)]
    pub listen: Option<String>,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("sqrtc serve: {message}");
    ExitCode::from(super::exit::USAGE)
}

pub fn run(args: Args) -> ExitCode {
    let config = match &args.config {
        Some(path) => Config::load(path),
        None if Path::new("sqrt.toml").exists() => Config::load(Path::new("sqrt.toml")),
        None => Ok(Config::default()),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // Logs go to stderr; `RUST_LOG` filters them (default `info`; `trace` with
    // `log.llm_payloads` shows LLM bodies).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let listen = args.listen.clone().unwrap_or_else(|| config.listen.clone());
    let addr = match config.listen_addr(&listen) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let relay = match Relay::builder(config).build() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
        };
        let bound = listener.local_addr().unwrap_or(addr);
        let mut out = std::io::stdout();
        if writeln!(out, "{bound}").and_then(|()| out.flush()).is_err() {
            return fail("cannot write to stdout");
        }
        eprintln!("sqrtc serve: relay listening on http://{bound}; Ctrl-C or SIGTERM stops");
        match relay.serve_until(listener, shutdown_signal()).await {
            Ok(()) => {
                eprintln!("sqrtc serve: stopped");
                ExitCode::from(super::exit::OK)
            }
            Err(e) => fail(e),
        }
    })
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one (how containers are stopped).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
