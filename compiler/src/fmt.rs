//! TODO: stage `fmt`.
