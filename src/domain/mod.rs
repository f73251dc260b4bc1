//! The domain: the credit file's records, the rules that apply to them and the
//! state they fold into. Pure Rust: no I/O, no protobuf, no SQL.

pub mod admission;
pub mod assess;
pub mod decide;
pub mod party;
pub mod record;
pub mod rules;
pub mod state;
pub mod statistics;
pub mod uscc;
mod violation;

pub use violation::{Refusal, Violation};
