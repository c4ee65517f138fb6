//! planner.md §2 "Rejected": every static rejection, with its exact message and position, and
//! nothing runs when any exists.

mod common;

use common::*;
use sqrt_vm::*;

fn diags(src: &str) -> Vec<Diagnostic> {
    let vm = Vm::new(src, config(Mode::Normal, vec![send_stub(), get_stub()]));
    vm.diagnostics().to_vec()
}

fn one(src: &str) -> (String, u32, u32) {
    let d = diags(src);
    assert!(!d.is_empty(), "expected a diagnostic for {src:?}");
    (d[0].message.clone(), d[0].line, d[0].column)
}

#[test]
fn rejected_constructs_have_exact_messages() {
    let cases: &[(&str, &str)] = &[
        (
            "class C:\n  def m(self): pass",
            "class C may only declare fields (name: type [= constant])",
        ),
        (
            "@dec\ndef f(): pass",
            "decorators are not supported; call the function explicitly",
        ),
        (
            "async def f(): pass",
            "async is not supported; tools are plain calls",
        ),
        (
            "with x: pass",
            "'with' is not supported: nothing needs opening or closing",
        ),
        (
            "def f():\n  global x",
            "'global' is not supported; return the value and assign it at the call site",
        ),
        (
            "def f():\n  nonlocal x",
            "'nonlocal' is not supported; return the value and assign it at the call site",
        ),
        (
            "def f():\n  yield 1",
            "generators are not supported; build and return a list",
        ),
        (
            "from json import *",
            "star imports are not supported; import the names you need",
        ),
        (
            "import os",
            "module 'os' cannot be imported; only json, datetime and re exist, and tools need no import",
        ),
        (
            "import os.path",
            "module 'os' cannot be imported; only json, datetime and re exist, and tools need no import",
        ),
        (
            "x = __name__",
            "names that start and end with '__' are not accessible",
        ),
        (
            "x = [].__class__",
            "names that start and end with '__' are not accessible",
        ),
        (
            "eval('1')",
            "'eval' is not available; write the code directly",
        ),
        (
            "exec('1')",
            "'exec' is not available; write the code directly",
        ),
        (
            "open('f')",
            "'open' is not available: no files or user input; use the tools",
        ),
        (
            "input()",
            "'input' is not available: no files or user input; use the tools",
        ),
        (
            "getattr(x, 'a')",
            "'getattr' is not available; use obj.field or d.get(key)",
        ),
        (
            "globals()",
            "'globals' is not available; use variables by name",
        ),
        (
            "exit()",
            "'exit' is not available; set final_return_value and let the program end",
        ),
        (
            "match x:\n  case 1: pass",
            "'match' is not supported; use if/elif",
        ),
        (
            "x = 99999999999999999999",
            "integer literal out of range: integers are 64-bit",
        ),
        (
            "len = 3",
            "cannot assign to 'len', a builtin name; choose another",
        ),
        (
            "send = 3",
            "cannot assign to 'send', a tool name; choose another",
        ),
        (
            "def f():\n  final_return_value = 1",
            "set final_return_value at module level; return the value instead",
        ),
        ("x = y", "name 'y' is not defined"),
        ("x = b'raw'", "bytes are not supported; use str"),
    ];
    for (src, msg) in cases {
        assert_eq!(one(src).0, *msg, "for {src:?}");
    }
}

#[test]
fn positions_are_one_based_line_and_column() {
    assert_eq!(
        one("x = 1\ny = 2\nz = w + 1"),
        ("name 'w' is not defined".into(), 3, 5)
    );
    assert_eq!(one("x = 1\nif x:\n    import os"), (
        "module 'os' cannot be imported; only json, datetime and re exist, and tools need no import".into(),
        3,
        5
    ));
}

#[test]
fn up_to_ten_in_source_order_and_nothing_runs() {
    let src: String = (0..15).map(|i| format!("v{i} = missing{i}\n")).collect();
    let d = diags(&src);
    assert_eq!(d.len(), 10);
    assert!(d.windows(2).all(|w| w[0].line < w[1].line));
    assert_eq!(d[0].message, "name 'missing0' is not defined");
    let r = drive(
        &format!("send(to=\"a\", body=\"b\")\n{src}"),
        config(Mode::Normal, vec![send_stub()]),
        |_| panic!("a tool ran before validation finished"),
        false,
    );
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::InvalidProgram);
}

#[test]
fn tool_call_shapes_and_literals_are_checked_statically() {
    let d = diags("send(to=\"a\", body=\"b\", cc=\"c\")");
    assert_eq!(
        (d[0].kind.as_str(), d[0].message.as_str()),
        (
            "TypeError",
            "send() got an unexpected keyword argument 'cc' (parameters: to, body)"
        )
    );
    assert_eq!(
        diags("send(to=1, body=\"b\")")[0].message,
        "send() argument 'to': expected string, got int"
    );
    assert!(
        diags("send(\"a\", \"b\")").is_empty(),
        "positional arguments bind in stub order"
    );
}

#[test]
fn syntax_errors_are_reported_with_position() {
    let d = diags("x = (1,\ny = 2");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, "SyntaxError");
}

#[test]
fn a_program_may_shadow_nothing_but_may_define_its_own_names() {
    assert!(diags("def total(xs):\n  return sum(xs)\nfinal_return_value = total([1])").is_empty());
    assert!(diags("import json\nfrom json import dumps as d\nx = d(json.loads('1'))").is_empty());
}
