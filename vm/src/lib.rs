//! Planner VM.
