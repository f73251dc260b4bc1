//! Domain <-> wire conversion.
//!
//! Reading from the wire is parsing: every missing field, unknown enum value
//! or impossible date becomes a `Violation` naming the field, so a caller
//! learns everything wrong with a request at once. `enums` maps the enums,
//! `reader` reads wire values, `records` converts records and their bodies,
//! `decisions` the answers made from state and rules, `names` party names.

mod decisions;
mod enums;
mod names;
mod reader;
mod records;

pub use decisions::*;
pub use enums::FromWireEnum;
pub use names::*;
pub use reader::*;
pub use records::*;
