//! Array-call trampolines (`strata_ir::ArrayCallFn`): for each exported function, an
//! `extern "C" fn(args: *const u64, ret: *mut u64, ctx)` that loads one `u64` slot per ABI
//! parameter, calls the direct entry point and writes the result slot. Slot encoding (see
//! `strata_ir::abi`): integers in the low bits (results sign-extended to 64 bits), `bool`
//! 0/1 (any non-zero low byte reads as true), `f32` in the low 32 bits (upper bits zero in
//! results), `f64` and `ptr` as 64 bits.

use crate::abi;
use crate::lower::Env;
use crate::repr::lane_cl;
use crate::CompileError;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, ExtFuncData, ExternalName, InstBuilder, MemFlagsData, UserExternalName,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use strata_ir::{Function, LaneType};

/// Builds the trampoline of `func` (function number `index` of the module) into `clf`.
pub(crate) fn build_trampoline(
    env: &Env<'_>,
    index: usize,
    func: &Function,
    clf: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<(), CompileError> {
    let unsupported = |what: &str| CompileError::Unsupported { func: func.name.clone(), what: what.into() };
    let params = func.sig.abi_params();
    if params.iter().chain(&func.sig.ret).any(|t| t.is_vector()) {
        return Err(unsupported("a vector parameter or result of an exported function (array-call slots are u64)"));
    }
    let (target, target_sig) =
        env.funcs.get(index).cloned().ok_or_else(|| unsupported("function outside the module"))?;
    let offset = |i: usize| i32::try_from(i * 8).map_err(|_| unsupported("this many parameters"));
    clf.signature = abi::array_call_signature(env.call_conv);
    let mut b = FunctionBuilder::new(clf, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let &[args, ret, ctx] = b.block_params(entry) else {
        return Err(unsupported("array-call signature"));
    };
    // The slots are an aligned `[u64]` the caller owns.
    let flags = MemFlagsData::trusted();
    let mut call_args = Vec::with_capacity(params.len() + 1);
    for (i, ty) in params.iter().enumerate() {
        let off = offset(i)?;
        let v = if ty.is_bool() {
            let byte = b.ins().load(types::I8, flags, args, off);
            b.ins().icmp_imm_s(IntCC::NotEqual, byte, 0)
        } else {
            b.ins().load(lane_cl(ty.lane()), flags, args, off)
        };
        call_args.push(v);
    }
    call_args.push(ctx);
    let sig = b.import_signature(target_sig);
    let name = b.func.declare_imported_user_function(UserExternalName::new(0, target.as_u32()));
    let fref = b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature: sig,
        colocated: false,
        patchable: false,
    });
    let call = b.ins().call(fref, &call_args);
    if let (Some(ty), &[r]) = (func.sig.ret, b.inst_results(call)) {
        let slot = match ty.lane() {
            LaneType::Bool => b.ins().uextend(types::I64, r),
            LaneType::I8 | LaneType::I16 | LaneType::I32 => b.ins().sextend(types::I64, r),
            LaneType::F32 => {
                let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), r);
                b.ins().uextend(types::I64, bits)
            }
            LaneType::I64 | LaneType::F64 | LaneType::Ptr => r,
        };
        b.ins().store(flags, slot, ret, 0);
    }
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(env.frontend);
    Ok(())
}
