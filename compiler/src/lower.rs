//! TODO: stage `lower`.
