//! Array-call trampolines (`strata_ir::ArrayCallFn`): for each exported function `f`, a
//! function `array_call_symbol(f)` of type `void(ptr args, ptr ret, ptr ctx)` that reads
//! one `u64` slot per ABI parameter, calls `f` directly, and writes the result slot.
//!
//! Slot encoding (`strata_ir::abi`): integers in the low bits (the result is written
//! zero-extended), `bool` as 0/1, `f32` as its bits in the low 32 bits, `f64` as its bits,
//! `ptr` as the address. Vectors have no slot encoding, so an exported function with a
//! vector parameter or result is rejected. The call is `noinline`: the trampoline is glue for
//! dynamic callers, and inlining would double the optimization and code-generation work.

use super::{set_align, ModuleCx};
use crate::error::{CompileError, Result};
use inkwell::attributes::AttributeLoc;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum, FunctionValue, InstructionOpcode as Op};
use strata_ir::{EntityRef, FuncId, LaneType, Type};

/// Checks that the parameters and result of exported function `id` have a slot encoding.
pub(crate) fn check_signature(m: &ModuleCx<'_, '_>, id: FuncId) -> Result<()> {
    let func = &m.ir.functions[id];
    match func.sig.abi_params().into_iter().chain(func.sig.ret).find(|t| t.is_vector()) {
        Some(t) => Err(CompileError::Unsupported {
            func: func.name.clone(),
            message: format!("exported functions take and return scalars only (found {t})"),
        }),
        None => Ok(()),
    }
}

/// The type of every trampoline: `void(ptr, ptr, ptr)`.
pub(crate) fn fn_type<'ctx>(m: &ModuleCx<'_, 'ctx>) -> inkwell::types::FunctionType<'ctx> {
    let p = m.types.ptr().into();
    m.ctx.void_type().fn_type(&[p, p, p], false)
}

/// Parameter attributes of a trampoline.
pub(crate) fn add_attrs<'ctx>(m: &ModuleCx<'_, 'ctx>, tramp: FunctionValue<'ctx>) {
    for (idx, access) in [(0, "readonly"), (1, "writeonly")] {
        for (name, val) in [("noalias", 0), ("nocapture", 0), ("noundef", 0), ("align", 8), (access, 0)] {
            tramp.add_attribute(AttributeLoc::Param(idx), m.enum_attr(name, val));
        }
    }
    m.add_ctx_attrs(tramp, 2, false);
    for name in ["noinline", "optnone"] {
        tramp.add_attribute(AttributeLoc::Function, m.enum_attr(name, 0));
    }
}

/// Fills in the body of trampoline `tramp` for exported function `id`.
pub(crate) fn build<'ctx>(m: &ModuleCx<'_, 'ctx>, id: FuncId, tramp: FunctionValue<'ctx>) -> Result<()> {
    let func = &m.ir.functions[id];
    let callee = m.funcs[id.index()];
    let b = &m.builder;
    let i64t = m.ctx.i64_type();
    let param =
        |i: u32| tramp.get_nth_param(i).ok_or_else(|| CompileError::Internal("trampoline parameter missing".into()));
    let (args_p, ret_p, ctx_p) = (param(0)?.into_pointer_value(), param(1)?.into_pointer_value(), param(2)?);
    b.position_at_end(m.ctx.append_basic_block(tramp, "entry"));
    let mut call_args: Vec<BasicMetadataValueEnum> = Vec::new();
    for (i, t) in func.sig.abi_params().into_iter().enumerate() {
        let idx = i64t.const_int(i as u64, false);
        // SAFETY: slot `i` of the argument array, which the `ArrayCallFn` contract says
        // holds one `u64` per ABI parameter.
        let slot = unsafe { b.build_in_bounds_gep(i64t, args_p, &[idx], "")? };
        let raw = b.build_load(i64t, slot, "")?;
        set_align(raw, 8)?;
        call_args.push(decode(m, raw, t)?.into());
    }
    call_args.push(ctx_p.into());
    let call = b.build_call(callee, &call_args, "")?;
    // Calling the direct entry keeps the trampoline a few instructions long; inlining would
    // have LLVM optimize and generate every exported function twice.
    call.add_attribute(AttributeLoc::Function, m.enum_attr("noinline", 0));
    if let (Some(t), Some(v)) = (func.sig.ret, call.try_as_basic_value().basic()) {
        let enc = encode(m, v, t)?;
        b.build_store(ret_p, enc)?.set_alignment(8).map_err(|e| CompileError::Internal(e.to_string()))?;
    }
    b.build_return(None)?;
    Ok(())
}

/// An ABI value of type `t` from its `u64` slot.
fn decode<'ctx>(m: &ModuleCx<'_, 'ctx>, raw: BasicValueEnum<'ctx>, t: Type) -> Result<BasicValueEnum<'ctx>> {
    let b = &m.builder;
    let abi = m.types.abi(t);
    Ok(match t.lane() {
        LaneType::I64 => raw,
        LaneType::Bool | LaneType::I8 | LaneType::I16 | LaneType::I32 => b.build_cast(Op::Trunc, raw, abi, "")?,
        LaneType::F32 => {
            let bits = b.build_cast(Op::Trunc, raw, m.ctx.i32_type(), "")?;
            b.build_cast(Op::BitCast, bits, abi, "")?
        }
        LaneType::F64 => b.build_cast(Op::BitCast, raw, abi, "")?,
        LaneType::Ptr => b.build_cast(Op::IntToPtr, raw, abi, "")?,
    })
}

/// The `u64` slot of an ABI value of type `t`.
fn encode<'ctx>(m: &ModuleCx<'_, 'ctx>, v: BasicValueEnum<'ctx>, t: Type) -> Result<BasicValueEnum<'ctx>> {
    let b = &m.builder;
    let i64t: BasicTypeEnum = m.ctx.i64_type().into();
    Ok(match t.lane() {
        LaneType::I64 => v,
        LaneType::Bool | LaneType::I8 | LaneType::I16 | LaneType::I32 => b.build_cast(Op::ZExt, v, i64t, "")?,
        LaneType::F32 => {
            let bits = b.build_cast(Op::BitCast, v, m.ctx.i32_type(), "")?;
            b.build_cast(Op::ZExt, bits, i64t, "")?
        }
        LaneType::F64 => b.build_cast(Op::BitCast, v, i64t, "")?,
        LaneType::Ptr => b.build_cast(Op::PtrToInt, v, i64t, "")?,
    })
}
