//! TODO: stage `lex`.
