//! Strata IR → LLVM IR. Crate-private: inkwell types never leave this crate.
//!
//! [`lower_module`] declares every function first (each body internal under a `name$N`
//! symbol that no IR name can take; each exported function also as an external alias of its
//! body under its IR name, with its array-call trampoline), then the data objects as private
//! constant globals, then lowers each body ([`func`]) and builds the trampolines
//! ([`trampoline`]). The result is one LLVM module that both drivers use: the JIT links its
//! object code in memory, AOT writes it out.

mod arith;
mod attrs;
mod control;
mod func;
mod loop_md;
mod memory;
mod trampoline;
mod types;
mod vector;

use crate::error::{CompileError, Result};
use crate::options::LlvmOptions;
use crate::target::TargetSpec;
use inkwell::attributes::Attribute;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetMachine;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{BasicValue, BasicValueEnum, FunctionValue, GlobalValue, MetadataValue, PointerValue};
use strata_ir::abi::array_call_symbol;
use strata_ir::{EntityRef, Opcode, Type};
pub(crate) use types::Types;

/// How transcendental opcodes (`fexp`, …) reach their implementation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum MathCalls {
    /// Call the in-process functions of `strata_ir::abi::math_fns` by address: what the
    /// interpreter computes, bit for bit (JIT).
    InProcess,
    /// Call the C library symbols (`expf`, …), resolved by the linker (AOT).
    Libm,
}

/// An exported function of the lowered module.
#[derive(Clone, Debug)]
pub(crate) struct Export {
    /// The IR name.
    pub name: String,
    /// The symbol of the direct entry point.
    pub symbol: String,
    /// The symbol of the array-call trampoline.
    pub trampoline: String,
    pub sig: strata_ir::Signature,
}

impl Export {
    /// The export of `func` with its symbols under `prefix`: what lowering defines and what
    /// [`crate::load_object`] looks up, so the two cannot name them differently.
    pub(crate) fn of(func: &strata_ir::Function, prefix: &str) -> Export {
        Export {
            name: func.name.clone(),
            symbol: format!("{prefix}{}", func.name),
            trampoline: format!("{prefix}{}", array_call_symbol(&func.name)),
            sig: func.sig.clone(),
        }
    }
}

/// What to lower and how.
pub(crate) struct LowerOptions<'a> {
    pub opts: &'a LlvmOptions,
    pub spec: &'a TargetSpec,
    pub math: MathCalls,
    /// Name LLVM values after IR values (`%v12`), for dumps.
    pub names: bool,
    /// Prepended to the symbols of exported functions and trampolines (the JIT makes them
    /// unique in its one symbol table; AOT output uses none).
    pub symbol_prefix: &'a str,
    /// Loops (by function and header) that only run on the slow path of a versioned loop.
    pub cold_loops: &'a ColdLoops,
}

/// Headers of loops, per function, that LLVM should neither vectorize nor unroll.
pub(crate) type ColdLoops = std::collections::HashMap<strata_ir::FuncId, Vec<strata_ir::Block>>;

/// A callee for a math function.
pub(crate) enum MathCallee<'ctx> {
    Direct(FunctionValue<'ctx>),
    Address(FunctionType<'ctx>, PointerValue<'ctx>),
}

/// Module-wide state shared by the function lowerings.
pub(crate) struct ModuleCx<'a, 'ctx> {
    pub ctx: &'ctx Context,
    pub module: &'a Module<'ctx>,
    pub builder: Builder<'ctx>,
    pub ir: &'a strata_ir::Module,
    pub opts: &'a LlvmOptions,
    pub types: Types<'ctx>,
    pub names: bool,
    math: MathCalls,
    /// The LLVM function of each IR function, by `FuncId` index.
    pub funcs: Vec<FunctionValue<'ctx>>,
    /// The global of each data object, by `DataId` index.
    pub data: Vec<GlobalValue<'ctx>>,
    /// `!{!"branch_weights", i32 1, i32 2000}`: for branches to trap paths.
    pub unlikely: MetadataValue<'ctx>,
    /// The kind id of `!prof` metadata.
    pub prof_kind: u32,
    pub cold_loops: &'a ColdLoops,
}

/// Symbols that exported functions may not take: C library functions the generated code
/// calls (by name in AOT objects, or that LLVM emits calls to for intrinsics).
fn reserved_symbol(name: &str) -> bool {
    const LIBCALLS: &[&str] = &[
        "memset",
        "memcpy",
        "memmove",
        "fma",
        "fmaf",
        "floor",
        "floorf",
        "ceil",
        "ceilf",
        "trunc",
        "truncf",
        "roundeven",
        "roundevenf",
        "sqrt",
        "sqrtf",
        "fmin",
        "fminf",
        "fmax",
        "fmaxf",
        "fminimum",
        "fminimumf",
        "fmaximum",
        "fmaximumf",
    ];
    LIBCALLS.contains(&name) || strata_ir::abi::math_fns().iter().any(|m| m.libm_name == name)
}

/// Fails as lowering the whole of `ir` would if an exported function's symbol or its
/// trampoline's takes a reserved name or the name of another export's symbol: for a
/// module compiled in parts, where each part sees only one export.
pub(crate) fn check_export_symbols(ir: &strata_ir::Module) -> Result<()> {
    let mut taken = std::collections::HashSet::new();
    for func in ir.functions.values().filter(|f| f.linkage == strata_ir::Linkage::Export) {
        if reserved_symbol(&func.name) {
            return Err(CompileError::SymbolClash(func.name.clone()));
        }
        for name in [func.name.clone(), array_call_symbol(&func.name)] {
            if !taken.insert(name.clone()) {
                return Err(CompileError::SymbolClash(name));
            }
        }
    }
    Ok(())
}

/// Lowers `ir` into a new LLVM module of `ctx`, for the target machine `tm`.
pub(crate) fn lower_module<'ctx>(
    ctx: &'ctx Context,
    ir: &strata_ir::Module,
    lo: &LowerOptions<'_>,
    tm: &TargetMachine,
) -> Result<(Module<'ctx>, Vec<Export>)> {
    let module = ctx.create_module("strata");
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    let types = Types::new(ctx);
    let prof_kind = ctx.get_kind_id("prof");
    let i32t = ctx.i32_type();
    let unlikely = ctx.metadata_node(&[
        ctx.metadata_string("branch_weights").into(),
        i32t.const_int(1, false).into(),
        i32t.const_int(2000, false).into(),
    ]);
    let mut cx = ModuleCx {
        ctx,
        module: &module,
        builder: ctx.create_builder(),
        ir,
        opts: lo.opts,
        types,
        names: lo.names,
        math: lo.math,
        funcs: Vec::with_capacity(ir.functions.len()),
        data: Vec::with_capacity(ir.data.len()),
        unlikely,
        prof_kind,
        cold_loops: lo.cold_loops,
    };

    // Every body is an internal function under a `name$N` symbol that no IR name can take:
    // calls between functions are direct (never through a PLT, never interposed), and no
    // body collides with a C library function LLVM calls. Each exported function is an
    // external alias of its body under its IR name (with the JIT's prefix), next to its
    // array-call trampoline.
    for (id, func) in ir.functions.iter() {
        let ty = types.fn_type(&func.sig.abi_params(), func.sig.ret);
        let body = cx.declare(&format!("{}${}", func.name, id.index()), ty, Linkage::Internal)?;
        cx.funcs.push(body);
    }
    let mut exports = Vec::new();
    let mut trampolines = Vec::new();
    for (id, func) in ir.functions.iter() {
        if func.linkage != strata_ir::Linkage::Export {
            continue;
        }
        if reserved_symbol(&func.name) {
            return Err(CompileError::SymbolClash(func.name.clone()));
        }
        trampoline::check_signature(&cx, id)?;
        let export = Export::of(func, lo.symbol_prefix);
        cx.export_alias(&export.symbol, cx.funcs[id.index()])?;
        let t = cx.declare(&export.trampoline, trampoline::fn_type(&cx), Linkage::External)?;
        trampolines.push((id, t));
        exports.push(export);
    }
    for (id, func) in ir.functions.iter() {
        let f = cx.funcs[id.index()];
        cx.add_function_attrs(f, lo.spec);
        cx.add_param_attrs(f, func);
    }
    for &(_, t) in &trampolines {
        cx.add_function_attrs(t, lo.spec);
        trampoline::add_attrs(&cx, t);
    }
    for (id, d) in ir.data.iter() {
        let g = cx.add_data(&format!("{}$data{}", d.name, id.index()), &d.bytes);
        cx.data.push(g);
    }

    for id in ir.functions.keys() {
        func::lower_function(&cx, id)?;
    }
    for &(id, t) in &trampolines {
        trampoline::build(&cx, id, t)?;
    }
    drop(cx);
    Ok((module, exports))
}

impl<'ctx> ModuleCx<'_, 'ctx> {
    /// Adds function `name`; fails if LLVM had to rename it because the name is taken.
    fn declare(&self, name: &str, ty: FunctionType<'ctx>, linkage: Linkage) -> Result<FunctionValue<'ctx>> {
        if self.module.get_function(name).is_some() || self.module.get_global(name).is_some() {
            return Err(CompileError::SymbolClash(name.to_string()));
        }
        let f = self.module.add_function(name, ty, Some(linkage));
        if f.get_name().to_bytes() != name.as_bytes() {
            return Err(CompileError::SymbolClash(name.to_string()));
        }
        Ok(f)
    }

    /// An external alias `name` of `body` (the exported symbol of an IR function); fails if
    /// the name is taken.
    fn export_alias(&self, name: &str, body: FunctionValue<'ctx>) -> Result<()> {
        use inkwell::llvm_sys::core::{LLVMAddAlias2, LLVMGetValueName2};
        use inkwell::types::AsTypeRef;
        use inkwell::values::AsValueRef;
        let clash = || CompileError::SymbolClash(name.to_string());
        if self.module.get_function(name).is_some() || self.module.get_global(name).is_some() {
            return Err(clash());
        }
        let cname = std::ffi::CString::new(name).map_err(|_| clash())?;
        // SAFETY: the module, the function type and the body belong to this live context;
        // `cname` is NUL-terminated and only read during the call. The alias is owned by
        // the module. `LLVMGetValueName2` returns the alias's name (valid while it lives)
        // and its length, which bound the slice.
        let actual = unsafe {
            let alias = LLVMAddAlias2(
                self.module.as_mut_ptr(),
                body.get_type().as_type_ref(),
                0,
                body.as_value_ref(),
                cname.as_ptr(),
            );
            let mut len = 0;
            let p = LLVMGetValueName2(alias, &mut len);
            if p.is_null() {
                return Err(clash());
            }
            std::slice::from_raw_parts(p.cast::<u8>(), len).to_vec()
        };
        if actual != name.as_bytes() {
            return Err(clash());
        }
        Ok(())
    }

    /// A private constant global holding `bytes`: 64-byte aligned (a cache line) from 64
    /// bytes on, else 16. A bound window or tap array is read with full-width vector loads
    /// (32 bytes with AVX2, 64 with AVX-512); at 16 every other load of a 256-bit loop
    /// straddles a cache line.
    fn add_data(&self, name: &str, bytes: &[u8]) -> GlobalValue<'ctx> {
        let init = self.ctx.const_string(bytes, false);
        let g = self.module.add_global(init.get_type(), None, name);
        g.set_initializer(&init);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        g.set_alignment(if bytes.len() >= 64 { 64 } else { 16 });
        g
    }

    /// The declaration of intrinsic `name` overloaded on `tys`.
    pub fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ctx>]) -> Result<FunctionValue<'ctx>> {
        Intrinsic::find(name)
            .and_then(|i| i.get_declaration(self.module, tys))
            .ok_or_else(|| CompileError::Internal(format!("LLVM has no intrinsic {name} for {tys:?}")))
    }

    /// How to call the math function implementing `op` on `ty`, if there is one.
    pub fn math_callee(&self, op: Opcode, ty: Type) -> Result<Option<MathCallee<'ctx>>> {
        let Some(mf) = strata_ir::abi::math_fn(op, ty) else { return Ok(None) };
        let fty = self.types.ty(ty);
        let arity = if op == Opcode::Fpow { 2 } else { 1 };
        let params: Vec<BasicMetadataTypeEnum> = vec![fty.into(); arity];
        let fn_ty = fty.fn_type(&params, false);
        Ok(Some(match self.math {
            MathCalls::InProcess => {
                let addr = self.ctx.i64_type().const_int(mf.addr as usize as u64, false);
                MathCallee::Address(fn_ty, addr.const_to_pointer(self.types.ptr()))
            }
            MathCalls::Libm => match self.module.get_function(mf.libm_name) {
                Some(f) => MathCallee::Direct(f),
                None => MathCallee::Direct(self.declare(mf.libm_name, fn_ty, Linkage::External)?),
            },
        }))
    }

    /// Call-site attributes of math calls: pure, and (for C library calls) not to be
    /// replaced by LLVM's own idea of the function (`nobuiltin`), so results are the
    /// library's at run time and never constant-folded at compile time.
    pub fn math_call_attrs(&self) -> Vec<Attribute> {
        let mut attrs =
            vec![self.enum_attr("nounwind", 0), self.enum_attr("willreturn", 0), self.enum_attr("memory", 0)];
        if self.math == MathCalls::Libm {
            attrs.push(self.enum_attr("nobuiltin", 0));
        }
        attrs
    }
}

/// Sets the alignment of a load or store (a constant-folded value has none to set).
pub(crate) fn set_align(v: BasicValueEnum<'_>, align: u32) -> Result<()> {
    if let Some(i) = v.as_instruction_value() {
        i.set_alignment(align).map_err(|e| CompileError::Internal(e.to_string()))?;
    }
    Ok(())
}
