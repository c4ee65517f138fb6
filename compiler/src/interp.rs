//! TODO: stage `interp`.
