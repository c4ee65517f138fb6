//! The OpenAI-compatible relay (`sqrtc serve`, protocol.md).
//!
//! Stages, in the order a request meets them: [`server`] (routes, limits, dispatch), [`auth`]
//! (relay key → tenant), [`request`] (body → validated chat request), [`headers`] (control
//! headers → [`controls`], with [`compile`] checking the policy text), then the architecture:
//! [`single`] (single-LLM mode: [`store`] sessions, [`history`] checks, [`provider`] calls,
//! [`checker`] verdicts, [`stream`]ed or whole answers, the [`decisions`] log) or [`dual`]
//! (dual-LLM mode: [`prompt`] for the planner, the engine running its programs, [`qllm`] for
//! `parse_with_ai`). Beside them: [`config`]
//! (`sqrt.toml`), [`error`] (every refusal as a §11 body), [`metrics`], and [`mock`], the
//! scripted provider for tests and demos.

pub mod auth;
pub mod checker;
pub mod compile;
pub mod config;
pub mod controls;
pub mod decisions;
pub mod dual;
pub mod error;
pub mod headers;
pub mod history;
pub mod metrics;
pub mod mock;
pub mod policies;
pub mod prompt;
pub mod provider;
pub mod qllm;
pub mod request;
pub mod server;
pub mod single;
pub mod store;
pub mod stream;

pub use config::Config;
pub use error::{ApiError, ErrorCode};
pub use mock::{MockServer, Script};
pub use server::{Relay, RelayBuilder, RunningRelay};
