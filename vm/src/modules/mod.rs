//! The importable modules: `json`, `datetime`, `re`.

pub mod datetime;
pub mod json;
pub mod re;

use std::rc::Rc;

use crate::builtins::{Kw, deep_all, idx};
use crate::label::Label;
use crate::value::{Slot, Value};
use crate::vm::{R, Vm};

pub const NAMES: [&str; 3] = ["json", "datetime", "re"];

pub(crate) fn module_attr(vm: &mut Vm, m: u8, name: &str) -> R<Value> {
    let ok = match (m, name) {
        (0, "dumps" | "loads") => true,
        (0, "JSONDecodeError") => return Ok(Value::Builtin(idx("JSONDecodeError"))),
        (2, "error") => return Ok(Value::Builtin(idx("error"))),
        (2, n) if re::flag(n).is_some() => return Ok(Value::Int(re::flag(n).unwrap_or(0))),
        (2, n) => re::FUNCTIONS.contains(&n),
        (1, n) => datetime::has_attr(n),
        _ => false,
    };
    if ok {
        return Ok(Value::ModAttr(m, name.into()));
    }
    vm.err(
        "AttributeError",
        format!(
            "module '{}' has no attribute '{name}'",
            NAMES[m as usize % 3]
        ),
        Label::BOTTOM,
    )
}

pub(crate) fn call(vm: &mut Vm, m: u8, name: &str, args: Vec<Slot>, kw: Kw) -> R<Slot> {
    let l = deep_all(vm, &args, &kw);
    match (m, name) {
        (0, "dumps") => json::dumps(vm, args, kw, l),
        (0, "loads") => json::loads(vm, args, l),
        (1, _) => datetime::call(vm, name, args, kw, l),
        (2, _) => re::call(vm, name, args, kw, l),
        _ => {
            let _ = Rc::<str>::from(name);
            vm.err(
                "NotImplementedError",
                format!(
                    "{}.{name} is not available yet in this VM",
                    NAMES[m as usize % 3]
                ),
                l,
            )
        }
    }
}
