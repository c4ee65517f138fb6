//! The data model shared by the SQRT compiler, the planner VM and the runtime: interned labels,
//! label sets, metas, values, tool schemas, datetimes and the preset prelude.

pub mod datetime;
pub mod label;
pub mod meta;
pub mod prelude;
pub mod tools;
pub mod value;
