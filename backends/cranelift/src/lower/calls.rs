//! Calls. An IR call passes the callee's expanded parameters and the context, costs one unit
//! of fuel (when fuel is on) before it, and is followed by a check of `ctx.trap_code` that
//! returns at once if the callee trapped. Host calls store their arguments in a stack
//! array of `u64` slots and call `ctx.host_table[extern index]` as a [`strata_ir::HostCallFn`]
//! (an index at or past `ctx.host_count`, or a null entry, traps `host_error`); they cost no
//! fuel (as in the interpreter) and are followed by the same check. Math functions are
//! plain calls to the shared implementations and cannot trap.
//!
//! Every reference to another function is "not colocated" (an absolute address), because
//! the JIT places functions in separate mappings that may be far apart.

use super::{Lowerer, Result};
use crate::abi::{self, PTR};
use crate::repr::lane_cl;
use cranelift_codegen::ir::{
    condcodes::IntCC, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, UserExternalName, Value as ClValue,
};
use cranelift_codegen::ir::{types, StackSlotData, StackSlotKind};
use strata_ir::{EntityRef, ExternId, FuncId, LaneType, Opcode, TrapCode, Type, Value, VmContext};

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

    /// `call_host`: the arguments go into a stack array of `u64` slots (the array-call slot
    /// encoding of `strata_ir::abi`), one more slot receives the result, and the code calls
    /// `ctx.host_table[index](ctx, index, args, ret)` (a [`strata_ir::HostCallFn`]).
    pub(super) fn lower_call_host(&mut self, ext: ExternId, args: &[Value], res: Option<Value>) -> Result<()> {
        let module = self.env.module;
        let Some(e) = module.externs.get(ext) else { return Err(self.invalid(format!("unknown host function {ext}"))) };
        if e.params.iter().chain(&e.ret).any(|t| t.is_vector()) {
            return Err(self.invalid(format!("host function `{}` takes or returns a vector", e.name)));
        }
        if args.len() != e.params.len() {
            return Err(self.invalid(format!("call with {} arguments, expected {}", args.len(), e.params.len())));
        }
        let mut parts = Vec::with_capacity(args.len());
        for (&a, &t) in args.iter().zip(&e.params) {
            if self.ty(a)? != t {
                return Err(self.invalid(format!("call argument {a} is not a {t}")));
            }
            match self.get(a)?.as_slice() {
                &[v] => parts.push((v, t)),
                _ => return Err(self.invalid(format!("host call argument {a} is not a scalar"))),
            }
        }
        let sig = match self.host_sig {
            Some(s) => s,
            None => {
                let s = self.b.import_signature(abi::host_call_signature(self.env.call_conv));
                self.host_sig = Some(s);
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
        // Slots 0..n hold the arguments, slot n the result.
        let size = u32::try_from((parts.len() + 1) * 8)
            .map_err(|_| self.invalid(format!("host function `{}` has too many parameters", e.name)))?;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, size, 3));
        let flags = MemFlagsData::trusted();
        for (i, &(v, t)) in parts.iter().enumerate() {
            let enc = match t.lane() {
                LaneType::Bool => self.b.ins().uextend(types::I64, v),
                LaneType::I8 | LaneType::I16 | LaneType::I32 => self.b.ins().sextend(types::I64, v),
                LaneType::F32 => {
                    let bits = self.b.ins().bitcast(types::I32, MemFlagsData::new(), v);
                    self.b.ins().uextend(types::I64, bits)
                }
                LaneType::F64 => self.b.ins().bitcast(types::I64, MemFlagsData::new(), v),
                LaneType::I64 | LaneType::Ptr => v,
            };
            self.b.ins().stack_store(PTR, enc, slot, (i * 8) as i32);
        }
        let ret_off = (parts.len() * 8) as i32;
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().stack_store(PTR, zero, slot, ret_off);
        let args_p = self.b.ins().stack_addr(PTR, slot, 0);
        let ret_p = self.b.ins().stack_addr(PTR, slot, ret_off);
        let idx = self.b.ins().iconst(types::I64, index);
        let ctx = self.ctx;
        self.b.ins().call_indirect(sig, fptr, &[ctx, idx, args_p, ret_p]);
        self.check_callee_trap();
        match (res, e.ret) {
            (Some(r), Some(t)) if self.ty(r)? == t => {
                let v = if t.is_bool() {
                    let byte = self.b.ins().load(types::I8, flags, ret_p, 0);
                    self.b.ins().icmp_imm_s(IntCC::NotEqual, byte, 0)
                } else {
                    self.b.ins().load(lane_cl(t.lane()), flags, ret_p, 0)
                };
                self.def(r, smallvec::smallvec![v])
            }
            (None, _) => Ok(()),
            _ => Err(self.invalid("call result does not match the callee's return type")),
        }
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
