//! X-Policy code checked by the SQRT compiler: policy text turned into the diagnostics of
//! `sqrtc check --format json` (protocol.md §3, §11 `policy_compile_error`), checked against
//! the request's tools when it has some. [`super::policies`] caches what this computes.

use serde_json::Value;
use sqrt_compiler::check::{CheckOptions, check};
use sqrt_compiler::diag;
use sqrt_compiler::render::{LineIndex, json_diagnostic};
use sqrt_std::tools::ToolSet;

use super::error::Diagnostic;
use super::headers::PolicyCompiler;

/// The [`PolicyCompiler`] backed by `sqrt_compiler::check`, uncached.
#[derive(Clone, Copy, Debug, Default)]
pub struct SqrtCompiler;

impl PolicyCompiler for SqrtCompiler {
    fn check(&self, code: &str, tools: Option<&Value>) -> Vec<Diagnostic> {
        // The request's tools were validated already; a set the compiler's reader refuses
        // still gets the checks that need no schema.
        let tools = tools.and_then(|t| ToolSet::from_value(t).ok());
        let options = CheckOptions {
            tools: tools.as_ref(),
            ..CheckOptions::default()
        };
        // A compiler panic must not take the request (or the relay) down, and must not let an
        // unchecked policy through: it becomes an error diagnostic, so the request is refused.
        let checked = std::panic::catch_unwind(|| check(code, &options));
        match checked {
            Ok(checked) => located(code, &checked.diagnostics),
            Err(_) => vec![internal_error(
                "internal compiler error while checking this policy",
            )],
        }
    }
}

/// The compiler's diagnostics of `code` with line and column positions (`sqrtc check --format
/// json`, without `file`).
pub fn located(code: &str, diagnostics: &[diag::Diagnostic]) -> Vec<Diagnostic> {
    let index = LineIndex::new(code);
    diagnostics
        .iter()
        .filter_map(|d| serde_json::from_value(json_diagnostic("", &index, d)).ok())
        .collect()
}

/// An error diagnostic at 1:1 for a failure that is not the policy author's (a compiler panic,
/// a module that does not verify): the policy is refused, never let through.
pub fn internal_error(message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: "error".into(),
        code: "E9999".into(),
        message: message.into(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    }
}
