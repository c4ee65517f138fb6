//! TODO: stage `bytecode`.
