//! TODO: `label`.
