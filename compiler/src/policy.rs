//! TODO: stage `policy`.
