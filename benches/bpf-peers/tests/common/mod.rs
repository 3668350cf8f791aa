//! Helpers shared by the tests and (through `#[path]`) the bench.
pub mod rbpf_engines;
