//! TODO: `prelude`.
