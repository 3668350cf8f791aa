//! Cranelift signatures for the one compiled-code ABI (`strata_ir::abi`): every function,
//! exported or local, is `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret` in the
//! ISA's default calling convention (System V on x86-64 Linux). `bool` travels as an `i8`
//! 0/1, zero-extended like Rust's `bool`; `i8`/`i16` are sign-extended like Rust's `i8`/`i16`
//! (System V leaves the upper bits to the caller, and Rust callees rely on the extension).
//! Vectors — only in local functions, whose callers are all generated here — travel as their
//! parts (see `repr`). Host functions are all called as `strata_ir::HostCallFn`, with arguments in `u64` slots.

use crate::repr::{Layouts, Repr};
use cranelift_codegen::ir::{types, AbiParam, Signature as ClSignature};
use cranelift_codegen::isa::CallConv;
use strata_ir::{LaneType, Signature, Type};

/// The Cranelift pointer type (Strata only targets 64-bit hosts).
pub(crate) const PTR: cranelift_codegen::ir::Type = types::I64;

/// The ABI parameters (or returns) that hold one value of `ty`.
pub(crate) fn abi_params(layouts: &Layouts, ty: Type, out: &mut Vec<AbiParam>) {
    let repr = layouts.repr(ty);
    let part = repr.part_type();
    let param = match (repr, ty.lane()) {
        (Repr::Native { .. }, _) => AbiParam::new(part),
        (_, LaneType::Bool) => AbiParam::new(part).uext(),
        (_, LaneType::I8 | LaneType::I16) => AbiParam::new(part).sext(),
        _ => AbiParam::new(part),
    };
    out.extend(std::iter::repeat_n(param, repr.count()));
}

/// The signature of an IR function.
pub(crate) fn function_signature(layouts: &Layouts, sig: &Signature, call_conv: CallConv) -> ClSignature {
    let mut s = ClSignature::new(call_conv);
    for ty in sig.abi_params() {
        abi_params(layouts, ty, &mut s.params);
    }
    s.params.push(AbiParam::new(PTR));
    if let Some(ret) = sig.ret {
        abi_params(layouts, ret, &mut s.returns);
    }
    s
}

/// The signature of every host function (`strata_ir::HostCallFn`):
/// `(ctx, index: u64, args: *const u64, ret: *mut u64)`.
pub(crate) fn host_call_signature(call_conv: CallConv) -> ClSignature {
    let mut s = ClSignature::new(call_conv);
    s.params.extend([AbiParam::new(PTR), AbiParam::new(types::I64), AbiParam::new(PTR), AbiParam::new(PTR)]);
    s
}

/// The signature of an array-call trampoline: `(args: *const u64, ret: *mut u64, ctx)`.
pub(crate) fn array_call_signature(call_conv: CallConv) -> ClSignature {
    let mut s = ClSignature::new(call_conv);
    s.params.extend([AbiParam::new(PTR), AbiParam::new(PTR), AbiParam::new(PTR)]);
    s
}
