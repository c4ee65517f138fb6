//! Runs a planner program and prints its output and `final_return_value`, for trying programs
//! against CPython by hand and for profiling:
//! `cargo run --release -p sqrt-vm --example run -- PROGRAM.py [REPEAT]`.
//!
//! `SQRT_VM_TOOLS="get_doc:id;send:to,body"` declares tools (string parameters, all required);
//! every call is answered with the string `"The document content is: ..."`, untagged, as the
//! monty comparison bench does. `SQRT_VM_DIS=1` prints the bytecode first.

use sqrt_vm::{NamedMeta, Resume, RunConfig, Step, ToolStub, Vm};

fn config() -> RunConfig {
    let spec = std::env::var("SQRT_VM_TOOLS").unwrap_or_default();
    let s = serde_json::json!({"type": "string"});
    let tools = spec
        .split(';')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let (name, params) = t.split_once(':').unwrap_or((t, ""));
            let params: Vec<_> = params
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| (p, true, s.clone()))
                .collect();
            ToolStub::new(name, &params)
        })
        .collect();
    RunConfig {
        tools,
        ..RunConfig::default()
    }
}

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
    if std::env::var_os("SQRT_VM_DIS").is_some() {
        eprint!("{}", Vm::new(&src, config()).disassemble());
    }
    let repeat: u32 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let start = std::time::Instant::now();
    let mut last = None;
    for _ in 0..repeat {
        let mut vm = Vm::new(&src, config());
        let mut step = vm.run();
        while let Step::ToolCall(_) = step {
            let meta = NamedMeta::default().to_meta(vm.labels_mut());
            step = vm.resume(Resume::Return {
                value: "The document content is: ...".into(),
                meta,
            });
        }
        let Step::Done(o) = step else { unreachable!() };
        last = Some(o);
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
