//! BPF bytecode (RFC 9669): instruction encoding, assembler and disassembler for the
//! conformance suite's text syntax, an ELF loader, a verifier and a lifter to Strata IR.
//!
//! A program is a `Vec<Insn>` with one entry per 8-byte slot; `lddw` takes two slots
//! (the second has opcode 0 and holds the high 32 bits in `imm`), so jump offsets are
//! plain slot differences.

pub mod asm;
pub mod decode;
pub mod disasm;
pub mod elf;
pub mod encode;
pub mod error;
pub mod insn;
pub mod interp;
pub mod lift;
pub mod verify;

pub use asm::assemble;
pub use decode::decode;
pub use disasm::disassemble;
pub use elf::load_elf;
pub use encode::encode;
pub use error::BpfError;
pub use insn::Insn;
pub use interp::{BpfInterp, BpfTrap};
pub use lift::lift;
pub use verify::verify;
