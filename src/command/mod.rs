//! The `/lotto` grammar.

pub mod datetime;
pub mod lexer;
pub mod suggest;
pub mod values;
pub mod zone;
