//! Strata's test generators and differential runner.
//!
//! - [`ir_gen`]: random IR programs — typed, verified by construction, every instruction and
//!   type (scalars, 128-bit vectors, bool vectors), bounded loops, guarded memory accesses to
//!   the input slice, stack slots and data objects, calls between generated functions,
//!   strict floats only; deterministic per seed.
//! - [`bpf_gen`]: random valid BPF programs (ALU/ALU64, forward jumps and bounded loops,
//!   memory and stack accesses, byte swaps, atomics, `lddw`, local calls) and mutated ones.
//! - [`run`]: one function on every tier and configuration, compared with the interpreter.
//! - [`reduce`]: delta reduction of a failing module.
//! - [`regression`]: the regression-file format replayed by the root `tests/regressions.rs`.
//! - [`difftest`]: the loop behind the `strata-difftest` binary and `ci/test`'s bounded run.
//! - [`isolate`]: batches in worker processes, so a crash or hang is a finding, not the end.
//!
//! This crate is for testing Strata; it is not published and nothing in Strata depends on it.

pub mod bpf_gen;
mod bpf_interp_check;
pub mod difftest;
pub mod ir_gen;
pub mod isolate;
pub mod reduce;
pub mod regression;
mod rng;
pub mod run;

pub use rng::{edge_values, mix, Rng};
