//! TODO: `value`.
