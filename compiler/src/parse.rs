//! TODO: stage `parse`.
