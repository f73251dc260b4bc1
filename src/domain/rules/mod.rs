//! Rule data and the pure functions that apply it.

pub mod lists;
