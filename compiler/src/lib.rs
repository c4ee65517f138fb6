//! The SQRT compiler: policy text to a checked, typed IR, and from there to verified bytecode.
//!
//! Stages, each one module with one entry point:
//! `lex` (text → tokens) → `parse` (tokens → `ast`) → `check` (AST → typed `ir`, via `resolve`
//! and `typeck`) → `lower` (IR → `bytecode`) → `verify` → `interp`. `fmt` prints an AST in the
//! canonical style; `render` turns `diag::Diagnostic`s into the human and JSON formats.

pub mod ast;
pub mod bytecode;
pub mod check;
pub mod diag;
pub mod disasm;
pub mod eval;
pub mod fmt;
pub mod interp;
pub mod ir;
pub mod jit;
pub mod lex;
pub mod lower;
pub mod parse;
pub mod policy;
pub mod render;
pub mod split;
pub mod verify;
