//! The IR text format of `docs/ir.md`: a printer and a parser that round-trip.
//!
//! Printing numbers blocks and values canonically ([`Names`]), so print → parse → print
//! gives the same text and parse → print → parse gives an equal [`crate::Module`]. The
//! parser accepts any numbering, resolves forward references, reports the first error
//! with its line and column, and never panics; it checks structure, not types (the
//! verifier does that).
//!
//! Files: `lexer` (tokens), `literals` (numbers), `parser` (items and blocks),
//! `inst_parser` (instructions), `scope` (names inside a function), `assemble` (building
//! the function), `names` (canonical numbering), `printer`, `error`.

mod assemble;
mod error;
mod inst_parser;
mod lexer;
mod literals;
mod names;
mod parser;
mod printer;
mod scope;

pub use error::ParseError;
pub use names::Names;
pub use parser::parse_module;
pub use printer::{print_function, print_inst, print_inst_with, print_module};
