//! TODO: `meta`.
