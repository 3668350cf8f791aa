//! Calls. An IR call passes the callee's expanded parameters and the context, costs one unit
//! of fuel (when fuel is on) before it, and is followed by a check of `ctx.trap_code` that
//! returns at once if the callee trapped. Host calls go through `ctx.host_table[extern
//! index]` (an index at or past `ctx.host_count`, or a null entry, traps `host_error`), cost
//! no fuel (as in the interpreter) and are followed by the same check. Math functions are
//! plain calls to the shared implementations and cannot trap.
//!
//! Every reference to another function is "not colocated" (an absolute address), because
//! the JIT places functions in separate mappings that may be far apart.

use super::{Lowerer, Result};
use crate::abi::{self, PTR};
use cranelift_codegen::ir::{
    condcodes::IntCC, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, UserExternalName, Value as ClValue,
};
use strata_ir::{EntityRef, ExternId, FuncId, Opcode, TrapCode, Type, Value, VmContext};

impl Lowerer<'_, '_> {
    fn import(&mut self, id: cranelift_module::FuncId, sig: cranelift_codegen::ir::Signature) -> FuncRef {
        let signature = self.b.import_signature(sig);
        let name = self.b.func.declare_imported_user_function(UserExternalName::new(0, id.as_u32()));
        self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: false,
            patchable: false,
        })
    }

    /// The arguments of a call: each value's parts, then the context.
    fn call_args(&self, args: &[Value], expected: &[Type]) -> Result<Vec<ClValue>> {
        if args.len() != expected.len() {
            return Err(self.invalid(format!("call with {} arguments, expected {}", args.len(), expected.len())));
        }
        let mut out = Vec::with_capacity(args.len() + 1);
        for (&a, &t) in args.iter().zip(expected) {
            if self.ty(a)? != t {
                return Err(self.invalid(format!("call argument {a} is not a {t}")));
            }
            out.extend(self.get(a)?);
        }
        out.push(self.ctx);
        Ok(out)
    }

    fn call_results(&mut self, inst: cranelift_codegen::ir::Inst, ret: Option<Type>, res: Option<Value>) -> Result<()> {
        let results: super::Parts = self.b.inst_results(inst).iter().copied().collect();
        match (res, ret) {
            (Some(r), Some(t)) if self.ty(r)? == t => self.def(r, results),
            (None, _) => Ok(()),
            _ => Err(self.invalid("call result does not match the callee's return type")),
        }
    }

    pub(super) fn lower_call(&mut self, callee: FuncId, args: &[Value], res: Option<Value>) -> Result<()> {
        let module = self.env.module;
        let Some(f) = module.functions.get(callee) else {
            return Err(self.invalid(format!("unknown function {callee}")));
        };
        let cargs = self.call_args(args, &f.sig.abi_params())?;
        let fref = match self.func_refs.get(&callee.index()) {
            Some(&r) => r,
            None => {
                let (id, sig) = self.env.funcs.get(callee.index()).cloned().ok_or_else(|| self.invalid("callee"))?;
                let r = self.import(id, sig);
                self.func_refs.insert(callee.index(), r);
                r
            }
        };
        if self.env.opts.fuel {
            if self.env.opts.depth_limit {
                // The interpreter checks the depth before it takes fuel.
                self.check_depth_before_call();
            }
            self.fuel_tick();
        }
        let inst = self.b.ins().call(fref, &cargs);
        self.check_callee_trap();
        self.call_results(inst, f.sig.ret, res)
    }

    pub(super) fn lower_call_host(&mut self, ext: ExternId, args: &[Value], res: Option<Value>) -> Result<()> {
        let module = self.env.module;
        let Some(e) = module.externs.get(ext) else { return Err(self.invalid(format!("unknown host function {ext}"))) };
        let cargs = self.call_args(args, &e.params)?;
        let sig = match self.host_sigs.get(&ext.index()) {
            Some(&s) => s,
            None => {
                let s = self.b.import_signature(abi::host_signature(&self.env.layouts, e, self.env.call_conv));
                self.host_sigs.insert(ext.index(), s);
                s
            }
        };
        let index = ext.index() as i64;
        let count = self.ctx_load(PTR, VmContext::OFFSET_HOST_COUNT);
        let missing = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, count, index);
        self.trap_if(missing, TrapCode::HostError);
        let table = self.ctx_load(PTR, VmContext::OFFSET_HOST_TABLE);
        let offset = self.b.ins().iconst(PTR, index * 8);
        let entry = self.b.ins().iadd(table, offset);
        let fptr = self.b.ins().load(PTR, MemFlagsData::trusted(), entry, 0);
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, fptr, 0);
        self.trap_if(null, TrapCode::HostError);
        let inst = self.b.ins().call_indirect(sig, fptr, &cargs);
        self.check_callee_trap();
        self.call_results(inst, e.ret, res)
    }

    /// Calls the shared implementation of a transcendental `op` on scalars of type `ty`.
    pub(super) fn math_call(&mut self, op: Opcode, ty: Type, xs: &[ClValue]) -> Result<ClValue> {
        let fref = match self.math_refs.get(&(op, ty)) {
            Some(&r) => r,
            None => {
                let Some((_, _, id, sig)) = self.env.math.iter().find(|m| m.0 == op && m.1 == ty).cloned() else {
                    return Err(self.invalid(format!("`{op}` on {ty}")));
                };
                let r = self.import(id, sig);
                self.math_refs.insert((op, ty), r);
                r
            }
        };
        let inst = self.b.ins().call(fref, xs);
        match self.b.inst_results(inst) {
            &[r] => Ok(r),
            _ => Err(self.invalid(format!("`{op}` on {ty}"))),
        }
    }
}
