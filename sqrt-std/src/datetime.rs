//! TODO: `datetime`.
