//! The IR text format: printer and parser. See docs/ir.md. (Being written.)
