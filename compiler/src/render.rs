//! TODO: stage `render`.
