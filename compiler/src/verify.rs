//! TODO: stage `verify`.
