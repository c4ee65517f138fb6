//! The SQRT runtime: the embeddable engine, the relay, and the `sqrtc` command line.

pub mod cli;
pub mod engine;
pub mod host;
pub mod relay;
