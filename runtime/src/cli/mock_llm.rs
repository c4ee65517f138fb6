//! `sqrtc mock-llm`: the scripted OpenAI-compatible provider (protocol.md §9) on its own.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::relay::{MockServer, Script};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The script: `{"entries": [...]}` (docs/relay.md).
    #[arg(long)]
    pub script: PathBuf,
    /// Address to listen on; port 0 picks a free one. The bound address is printed on stdout.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("sqrtc mock-llm: {message}");
    ExitCode::from(super::exit::USAGE)
}

pub fn run(args: Args) -> ExitCode {
    let text = match std::fs::read_to_string(&args.script) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", args.script.display())),
    };
    let script = match Script::parse(&text) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", args.script.display())),
    };
    let addr: SocketAddr = match args.listen.parse() {
        Ok(a) => a,
        Err(_) => {
            return fail(format!(
                "--listen: {:?} is not an IP address with a port",
                args.listen
            ));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let server = match MockServer::bind(script, addr).await {
            Ok(s) => s,
            Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
        };
        let bound = server.addr();
        let mut out = std::io::stdout();
        if writeln!(out, "{bound}").and_then(|()| out.flush()).is_err() {
            return fail("cannot write to stdout");
        }
        eprintln!("sqrtc mock-llm: serving; use base_url = \"http://{bound}\"; Ctrl-C stops");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = server.wait() => {}
        }
        ExitCode::from(super::exit::OK)
    })
}
