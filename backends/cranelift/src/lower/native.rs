//! Which lane-wise operations are lowered with Cranelift's own 128-bit vector instructions.
//! Everything here has a lowering on x86-64 (with SSE2 fallbacks where SSE4.1/AVX is missing)
//! and AArch64; anything else is done lane by lane on scalars (`lanes::map_n`). The
//! `vector_ops` tests compile every operation on every vector type, so an entry that stops
//! being true shows up there.

use cranelift_codegen::ir::{types, Type as ClType};
use strata_ir::Opcode;

/// Whether `op` on vector parts of type `part` can be one Cranelift vector instruction.
pub(crate) fn native_ok(op: Opcode, part: ClType) -> bool {
    use Opcode::*;
    let lane = part.lane_type();
    let float = lane.is_float();
    match op {
        Iadd | Isub | Ineg | Band | Bor | Bxor | Bnot | Shl | Lshr | Ashr => !float,
        // x86 has no 8-bit lane multiply.
        Imul => !float && lane != types::I8,
        Smin | Smax | Umin | Umax => !float,
        Fadd | Fsub | Fmul | Fdiv | Fneg | Fabs | Fsqrt | Fmin | Fmax | Fcopysign | Ffloor | Fceil | Ftrunc
        | Fnearest | Fma => float,
        _ => false,
    }
}

/// Whether a conversion `op` from vector parts `from` to parts `to` (same lane count) is
/// one Cranelift instruction.
pub(crate) fn native_convert_ok(op: Opcode, from: ClType, to: ClType) -> bool {
    use Opcode::*;
    match op {
        Sitofp | Uitofp => matches!((from, to), (types::I32X4, types::F32X4) | (types::I64X2, types::F64X2)),
        Fptosi | Fptoui => (from, to) == (types::F32X4, types::I32X4),
        _ => false,
    }
}
