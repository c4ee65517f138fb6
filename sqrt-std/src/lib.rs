//! The data model shared by the SQRT compiler, the planner VM and the runtime.
