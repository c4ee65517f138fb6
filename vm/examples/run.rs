//! Runs a tool-free planner program and prints its output and `final_return_value`, for trying
//! programs against CPython by hand and for profiling:
//! `cargo run --release -p sqrt-vm --example run -- PROGRAM.py [REPEAT]`.

use sqrt_vm::{RunConfig, Step, Vm};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: run PROGRAM.py [REPEAT]");
        std::process::exit(2);
    };
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let repeat: u32 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let start = std::time::Instant::now();
    let mut last = None;
    for _ in 0..repeat {
        let mut vm = Vm::new(&src, RunConfig::default());
        match vm.run() {
            Step::Done(o) => last = Some(o),
            Step::ToolCall(r) => {
                eprintln!("the program calls tool {}: not supported here", r.tool);
                std::process::exit(2);
            }
        }
    }
    let o = last.expect("at least one run");
    print!("{}", o.printed);
    println!("final_return_value = {}", o.final_return_value);
    if let Some(e) = &o.error {
        println!("{}", e.rendered);
    }
    if repeat > 1 {
        eprintln!("{:?} per run", start.elapsed() / repeat);
    }
}
