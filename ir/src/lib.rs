//! Strata's mid-level IR: an SSA IR with block parameters, stored as entity arenas.
//!
//! A [`Module`] holds [`Function`]s, read-only [`DataObject`]s and host-function
//! declarations ([`ExternFunc`]). A function's body is a [`DataFlowGraph`] (what each
//! instruction is) plus a [`Layout`] (where it stands). [`FunctionBuilder`] builds SSA
//! from variables. The opcode table ([`Opcode`]) is the one place that lists operations
//! and their properties. Semantics are documented in `docs/ir.md`.
//! The optimizer's passes and pipeline are in [`passes`] (see `docs/passes.md`).
//!
//! This crate depends on nothing else in the workspace: no backend, no frontend.

pub mod abi;
pub mod analysis;
pub mod builder;
pub mod dfg;
pub mod entities;
pub mod function;
pub mod instructions;
pub mod interp;
pub mod layout;
pub mod module;
pub mod opcode;
pub mod partition;
pub mod passes;
pub mod signature;
pub mod text;
pub mod types;
pub mod verifier;

pub use abi::{ArrayCallFn, HostCallFn, VmContext};
pub use analysis::{BlockPredecessor, ControlFlowGraph, DominatorTree, Loop, LoopAnalysis};
pub use builder::{BuildError, FunctionBuilder, Variable};
pub use dfg::{BlockData, DataFlowGraph, ValueData, ValueDef};
pub use entities::{Block, DataId, EntityRef, ExternId, FuncId, Inst, PrimaryMap, SecondaryMap, StackSlot, Value};
pub use function::{Function, Linkage, StackSlotData};
pub use instructions::{BlockCall, FloatCC, FloatFlags, InstData, IntCC, TrapCode};
pub use interp::{Arg, HostFn, InterpError, Interpreter, Trap, Val, VectorVal};
pub use layout::Layout;
pub use module::{DataObject, ExternFunc, Module};
pub use opcode::{Format, OpFlags, Opcode};
pub use signature::{Param, ParamKind, Signature};
pub use text::{parse_module, print_module, ParseError};
pub use types::{LaneType, Type};
pub use verifier::{verify_function, verify_module, VerifierError, VerifierErrors};
