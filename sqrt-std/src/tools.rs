//! TODO: `tools`.
