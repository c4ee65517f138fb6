//! The builtin namespace: functions, types and exception classes, by index.

/// Public names first (what programs can name); hidden type names after `N_PUBLIC`.
pub const NAMES: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "format",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "ord",
    "print",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    // exceptions (BaseException is an alias of Exception)
    "Exception",
    "ArithmeticError",
    "ZeroDivisionError",
    "OverflowError",
    "LookupError",
    "KeyError",
    "IndexError",
    "ValueError",
    "TypeError",
    "AttributeError",
    "NameError",
    "UnboundLocalError",
    "RuntimeError",
    "RecursionError",
    "NotImplementedError",
    "AssertionError",
    "ToolError",
    "NotEnoughInformationError",
    // hidden
    "NoneType",
    "function",
    "builtin_function_or_method",
    "module",
    "method",
    "slice",
    "ellipsis",
    "JSONDecodeError",
    "error",
    "PolicyDenied",
    "tool",
];

pub const N_PUBLIC: usize = 49;
const FIRST_EXC: usize = 31;

/// Whether a tool may not be named `name` in a planner program: it would shadow a builtin, an
/// exception class, a module, the internal tool or `final_return_value`.
pub fn is_reserved(name: &str) -> bool {
    builtin_index(name).is_some()
        || matches!(
            name,
            "json" | "datetime" | "re" | "parse_with_ai" | "final_return_value"
        )
}

pub fn builtin_index(n: &str) -> Option<u32> {
    // The compiler asks for every name a program binds or reads: one hash probe, not a scan.
    static PUBLIC: std::sync::LazyLock<rustc_hash::FxHashMap<&str, u32>> =
        std::sync::LazyLock::new(|| {
            let mut m: rustc_hash::FxHashMap<&str, u32> = NAMES[..N_PUBLIC]
                .iter()
                .enumerate()
                .rev() // a repeated name keeps its first index
                .map(|(i, n)| (*n, i as u32))
                .collect();
            if let Some(&e) = m.get("Exception") {
                m.insert("BaseException", e);
            }
            m
        });
    PUBLIC.get(n).copied()
}

pub fn idx(n: &str) -> u32 {
    NAMES.iter().position(|x| *x == n).unwrap_or(0) as u32
}

pub fn name(i: u32) -> &'static str {
    NAMES.get(i as usize).copied().unwrap_or("?")
}

pub fn is_exception_name(n: &str) -> bool {
    builtin_index(n).is_some_and(is_exception)
}

pub fn is_exception(i: u32) -> bool {
    let i = i as usize;
    (FIRST_EXC..N_PUBLIC).contains(&i)
        || matches!(
            NAMES.get(i),
            Some(&("JSONDecodeError" | "error" | "PolicyDenied"))
        )
}

/// The parent of a builtin exception class (None for `Exception`).
pub fn exc_parent(i: u32) -> Option<u32> {
    let p = match name(i) {
        "Exception" => return None,
        "ZeroDivisionError" | "OverflowError" => "ArithmeticError",
        "KeyError" | "IndexError" => "LookupError",
        "UnboundLocalError" => "NameError",
        "RecursionError" | "NotImplementedError" => "RuntimeError",
        "JSONDecodeError" => "ValueError",
        _ => "Exception",
    };
    Some(idx(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        assert_eq!(NAMES[N_PUBLIC - 1], "NotEnoughInformationError");
        assert_eq!(NAMES[FIRST_EXC], "Exception");
        assert!(is_exception_name("KeyError") && !is_exception_name("len"));
        assert_eq!(exc_parent(idx("KeyError")), Some(idx("LookupError")));
    }
}
