//! TODO: stage `check`.
