//! Control flow and the context protocol: branches (with phi inputs), returns, traps, calls
//! to IR functions, host functions and math functions, fuel and the call-depth limit.
//!
//! Traps never fault: a trap stores its [`TrapCode::to_u32`] into `ctx.trap_code` and
//! returns a zero value (meaningless to the caller, which reads the context). After every
//! call that may trap (IR functions and host functions) the caller loads `ctx.trap_code`
//! and returns at once when it is set. All trap paths are cold branches to one shared block
//! per trap code, which jumps to one shared `unwind` block (restore the depth, return).
//!
//! Fuel (with [`crate::LlvmOptions::fuel`]): `ctx.fuel` is decremented on every loop
//! back-edge — a branch to a block at the same or an earlier layout position — and before
//! every `call`; when the new value is negative the code traps `fuel_exhausted`. Host and
//! math calls, and the embedder's call of the entry function, cost no fuel. Back-edges get
//! an edge block of their own for the check. With both fuel and the depth limit, a call
//! checks the depth before paying fuel, so exhausting both at once reports
//! `stack_overflow` (the interpreter's order).
//!
//! Depth (with [`crate::LlvmOptions::depth_limit`]; a stack pointer below
//! `ctx.stack_limit` counts as no depth left): on entry a function traps
//! `stack_overflow` if `ctx.depth_remaining` is 0, else decrements it, and every exit
//! (return, trap, unwind) stores the entry value back. A leaf function (see `func.rs`)
//! only traps at depth 0: what it would take is given back before anyone could read it,
//! and its caller's stack check (with the budget's headroom) covers its small frame. Its
//! entry is one load and a predicted branch, with no stores and no stack frame of its own.

use super::func::FuncLower;
use super::{set_align, MathCallee};
use crate::error::{CompileError, Result};
use inkwell::attributes::AttributeLoc;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum, InstructionOpcode as Op, IntValue, PointerValue};
use inkwell::IntPredicate;
use strata_ir::{
    Block, BlockCall, EntityRef, ExternId, FloatFlags, FuncId, Inst, LaneType, Opcode, TrapCode, Type, Value, VmContext,
};

impl<'ctx> FuncLower<'_, '_, 'ctx> {
    fn current_block(&self) -> Result<BasicBlock<'ctx>> {
        self.m.builder.get_insert_block().ok_or_else(|| CompileError::Internal("builder is not positioned".into()))
    }

    /// The block a branch from `from` to `dest` jumps to, with `dest`'s phis given their
    /// inputs: `dest`'s own block, or a new edge block when the edge is a loop back-edge
    /// that burns fuel, or when `split` asks for one (the second edge of a `brif` whose two
    /// targets are the same block, which one LLVM predecessor could not tell apart).
    pub(crate) fn edge(&mut self, from: Block, dest: &BlockCall, split: bool) -> Result<BasicBlock<'ctx>> {
        let target = self.bb(dest.block)?;
        let params = self.func.dfg.block_params(dest.block);
        if params.len() != dest.args.len() {
            return Err(self.malformed(format!(
                "branch passes {} arguments to {}, which has {} parameters",
                dest.args.len(),
                dest.block,
                params.len()
            )));
        }
        for (&a, &p) in dest.args.iter().zip(params) {
            if self.ty(a) != self.ty(p) {
                return Err(self.malformed(format!("branch argument {a} does not match the type of {p}")));
            }
        }
        let args = self.vals(&dest.args)?;
        let phis = self.phis(dest.block)?.to_vec();
        let back = self.m.opts.fuel && self.layout_pos[dest.block] <= self.layout_pos[from];
        let add_incoming = |bb: BasicBlock<'ctx>| {
            for (phi, a) in phis.iter().zip(&args) {
                phi.add_incoming(&[(a, bb)]);
            }
        };
        let cur = self.current_block()?;
        if !back && !split {
            add_incoming(cur);
            return Ok(target);
        }
        let edge = self.m.ctx.insert_basic_block_after(cur, "edge");
        self.m.builder.position_at_end(edge);
        if back {
            self.fuel_tick()?;
        }
        add_incoming(self.current_block()?);
        self.m.builder.build_unconditional_branch(target)?;
        self.m.builder.position_at_end(cur);
        Ok(edge)
    }

    /// Branches to `cold` when `cond` holds (marked unlikely), and continues in a new block.
    pub(crate) fn cold_branch(&mut self, cond: IntValue<'ctx>, cold: BasicBlock<'ctx>) -> Result<()> {
        let cur = self.current_block()?;
        let cont = self.m.ctx.insert_basic_block_after(cur, "");
        let br = self.m.builder.build_conditional_branch(cond, cold, cont)?;
        // Branch weights are a hint; an instruction that took no metadata changes nothing.
        let _ = br.set_metadata(self.m.unlikely, self.m.prof_kind);
        self.m.builder.position_at_end(cont);
        Ok(())
    }

    /// The shared block that stores `code` into the context and unwinds.
    pub(crate) fn trap_block(&mut self, code: TrapCode) -> Result<BasicBlock<'ctx>> {
        if let Some(&b) = self.trap_blocks.get(&code.to_u32()) {
            return Ok(b);
        }
        let unwind = self.unwind_block()?;
        let cur = self.current_block()?;
        let bb = self.m.ctx.append_basic_block(self.llfn, &format!("trap.{code}"));
        self.m.builder.position_at_end(bb);
        self.store_trap_code(code)?;
        self.m.builder.build_unconditional_branch(unwind)?;
        self.m.builder.position_at_end(cur);
        self.trap_blocks.insert(code.to_u32(), bb);
        Ok(bb)
    }

    fn store_trap_code(&self, code: TrapCode) -> Result<()> {
        let p = self.ctx_field(VmContext::OFFSET_TRAP_CODE)?;
        let st = self.m.builder.build_store(p, self.trap_code_const(code))?;
        st.set_alignment(4).map_err(|e| CompileError::Internal(e.to_string()))?;
        Ok(())
    }

    /// The shared block that leaves the function after a trap (the code is already stored).
    fn unwind_block(&mut self) -> Result<BasicBlock<'ctx>> {
        if let Some(b) = self.unwind_block {
            return Ok(b);
        }
        let cur = self.current_block()?;
        let bb = self.m.ctx.append_basic_block(self.llfn, "unwind");
        self.m.builder.position_at_end(bb);
        self.return_zero()?;
        self.m.builder.position_at_end(cur);
        self.unwind_block = Some(bb);
        Ok(bb)
    }

    /// Restores the call depth and returns a zero of the return type (after a trap).
    fn return_zero(&self) -> Result<()> {
        self.restore_depth()?;
        match self.func.sig.ret {
            Some(t) => self.m.builder.build_return(Some(&self.m.types.abi(t).const_zero()))?,
            None => self.m.builder.build_return(None)?,
        };
        Ok(())
    }

    fn restore_depth(&self) -> Result<()> {
        if let Some(d) = self.saved_depth {
            let p = self.ctx_field(VmContext::OFFSET_DEPTH_REMAINING)?;
            let st = self.m.builder.build_store(p, d)?;
            st.set_alignment(4).map_err(|e| CompileError::Internal(e.to_string()))?;
        }
        Ok(())
    }

    /// `return` / `return v`.
    pub(crate) fn ret(&mut self, arg: Option<Value>) -> Result<()> {
        let v = match (arg, self.func.sig.ret) {
            (Some(v), Some(t)) if self.ty(v) == t => Some(self.ssa_to_abi(self.val(v)?, t)?),
            (None, None) => None,
            _ => return Err(self.malformed("return does not match the signature")),
        };
        self.restore_depth()?;
        self.m.builder.build_return(v.as_ref().map(|v| v as &dyn inkwell::values::BasicValue))?;
        Ok(())
    }

    /// Function entry with a depth limit: trap at depth 0, else take one.
    pub(crate) fn depth_enter(&mut self) -> Result<()> {
        let b = &self.m.builder;
        let p = self.ctx_field(VmContext::OFFSET_DEPTH_REMAINING)?;
        let d = b.build_load(self.m.ctx.i32_type(), p, "depth")?.into_int_value();
        set_align(d.into(), 4)?;
        let exhausted = b.build_int_compare(IntPredicate::EQ, d, d.get_type().const_zero(), "")?;
        // The native stack: an entry below `ctx.stack_limit` (0 = unchecked) counts as no
        // depth left, so big frames can't overflow the real stack before the depth runs out.
        // The address of a fresh alloca in this frame stands for the stack pointer.
        let i64t = self.m.ctx.i64_type();
        let probe = b.build_alloca(self.m.ctx.i8_type(), "sp.probe")?;
        let sp = b.build_ptr_to_int(probe, i64t, "sp")?;
        let lp = self.ctx_field(VmContext::OFFSET_STACK_LIMIT)?;
        let b = &self.m.builder;
        let limit = b.build_load(i64t, lp, "stack_limit")?.into_int_value();
        set_align(limit.into(), 8)?;
        let low = b.build_int_compare(IntPredicate::ULT, sp, limit, "")?;
        let exhausted = b.build_or(exhausted, low, "")?;
        // Nothing was taken yet, so this exit must not restore the depth.
        let overflow = self.m.ctx.append_basic_block(self.llfn, "trap.stack_overflow");
        let cur = self.current_block()?;
        self.m.builder.position_at_end(overflow);
        self.store_trap_code(TrapCode::StackOverflow)?;
        self.return_zero()?;
        self.m.builder.position_at_end(cur);
        self.cold_branch(exhausted, overflow)?;
        let b = &self.m.builder;
        let d1 = b.build_int_sub(d, d.get_type().const_int(1, false), "")?;
        b.build_store(p, d1)?.set_alignment(4).map_err(|e| CompileError::Internal(e.to_string()))?;
        self.saved_depth = Some(d);
        Ok(())
    }

    /// Leaf function entry with a depth limit: trap at depth 0 (as the interpreter does when
    /// the call would exceed the limit), take nothing.
    pub(crate) fn leaf_depth_check(&mut self) -> Result<()> {
        let b = &self.m.builder;
        let p = self.ctx_field(VmContext::OFFSET_DEPTH_REMAINING)?;
        let d = b.build_load(self.m.ctx.i32_type(), p, "depth")?.into_int_value();
        set_align(d.into(), 4)?;
        let exhausted = b.build_int_compare(IntPredicate::EQ, d, d.get_type().const_zero(), "")?;
        // `saved_depth` stays unset, so the shared trap path restores nothing either.
        self.trap_if(exhausted, TrapCode::StackOverflow)
    }

    /// Burns one unit of fuel; traps `fuel_exhausted` when the rest goes below zero.
    fn fuel_tick(&mut self) -> Result<()> {
        let b = &self.m.builder;
        let i64t = self.m.ctx.i64_type();
        let p = self.ctx_field(VmContext::OFFSET_FUEL)?;
        let f = b.build_load(i64t, p, "fuel")?.into_int_value();
        set_align(f.into(), 8)?;
        let f1 = b.build_int_sub(f, i64t.const_int(1, false), "")?;
        b.build_store(p, f1)?.set_alignment(8).map_err(|e| CompileError::Internal(e.to_string()))?;
        let out = b.build_int_compare(IntPredicate::SLT, f1, i64t.const_zero(), "")?;
        self.trap_if(out, TrapCode::FuelExhausted)
    }

    /// Returns from this function when a callee left a trap code in the context.
    fn check_trap(&mut self) -> Result<()> {
        let p = self.ctx_field(VmContext::OFFSET_TRAP_CODE)?;
        let i32t = self.m.ctx.i32_type();
        let code = self.m.builder.build_load(i32t, p, "trap_code")?.into_int_value();
        set_align(code.into(), 4)?;
        let trapped = self.m.builder.build_int_compare(IntPredicate::NE, code, i32t.const_zero(), "")?;
        let unwind = self.unwind_block()?;
        self.cold_branch(trapped, unwind)
    }

    /// Checks call arguments against the callee's ABI parameter types and converts them.
    fn call_args(&self, args: &[Value], params: &[Type], what: &str) -> Result<Vec<BasicMetadataValueEnum<'ctx>>> {
        if args.len() != params.len() {
            return Err(self.malformed(format!("{what} takes {} arguments, got {}", params.len(), args.len())));
        }
        let mut out = Vec::with_capacity(args.len() + 1);
        for (&a, &t) in args.iter().zip(params) {
            if self.ty(a) != t {
                return Err(self.malformed(format!("argument {a} of {what} is not of type {t}")));
            }
            out.push(self.ssa_to_abi(self.val(a)?, t)?.into());
        }
        out.push(self.ctx_ptr.into());
        Ok(out)
    }

    /// Defines the result of a call instruction from the callee's ABI result.
    fn call_result(&mut self, inst: Inst, ret: Option<Type>, v: Option<BasicValueEnum<'ctx>>) -> Result<()> {
        match (self.func.dfg.inst_result(inst), ret, v) {
            (Some(r), Some(t), Some(v)) if self.ty(r) == t => {
                let v = self.abi_to_ssa(v, t)?;
                self.define(inst, v)
            }
            (None, _, _) => Ok(()),
            _ => Err(self.malformed(format!("{inst}: the call's result does not match the callee"))),
        }
    }

    /// `call @f(args)`.
    pub(crate) fn call(&mut self, inst: Inst, func: FuncId, args: &[Value]) -> Result<()> {
        let callee = self.m.ir.functions.get(func).ok_or_else(|| self.malformed(format!("{func} does not exist")))?;
        let llcallee = self.m.funcs[func.index()];
        let llargs = self.call_args(args, &callee.sig.abi_params(), &format!("`{}`", callee.name))?;
        if self.m.opts.fuel {
            if self.m.opts.depth_limit {
                // The callee would trap `stack_overflow` on entry: that takes precedence
                // over running out of fuel on the call, as in the interpreter.
                let b = &self.m.builder;
                let d = b.build_load(self.m.ctx.i32_type(), self.ctx_field(VmContext::OFFSET_DEPTH_REMAINING)?, "")?;
                set_align(d, 4)?;
                let d = d.into_int_value();
                let full = b.build_int_compare(IntPredicate::EQ, d, d.get_type().const_zero(), "")?;
                self.trap_if(full, TrapCode::StackOverflow)?;
            }
            self.fuel_tick()?;
        }
        let call = self.m.builder.build_call(llcallee, &llargs, "")?;
        self.call_result(inst, callee.sig.ret, call.try_as_basic_value().basic())?;
        self.check_trap()
    }

    /// `call_host @h(args)`: the arguments go into a `[n + 1 x i64]` alloca (array-call
    /// slot encoding; the last slot receives the result) and `ctx.host_table[h]` is called
    /// as a [`strata_ir::HostCallFn`]: `(ctx, h, args, ret)`. A missing entry (index past
    /// `host_count`, or a null pointer) traps `host_error`; a trap code the host stored in
    /// the context ends this function like a callee's trap.
    pub(crate) fn call_host(&mut self, inst: Inst, func: ExternId, args: &[Value]) -> Result<()> {
        let ext = self.m.ir.externs.get(func).ok_or_else(|| self.malformed(format!("{func} does not exist")))?;
        if ext.params.iter().chain(&ext.ret).any(|t| t.is_vector()) {
            return Err(self.malformed(format!("host function `{}` takes or returns a vector", ext.name)));
        }
        if args.len() != ext.params.len() {
            return Err(self.malformed(format!(
                "host function `{}` takes {} arguments, got {}",
                ext.name,
                ext.params.len(),
                args.len()
            )));
        }
        for (&a, &t) in args.iter().zip(&ext.params) {
            if self.ty(a) != t {
                return Err(self.malformed(format!("argument {a} of host function `{}` is not of type {t}", ext.name)));
            }
        }
        let (i64t, ptr) = (self.m.ctx.i64_type(), self.m.types.ptr());
        let b = &self.m.builder;
        let table = b.build_load(ptr, self.ctx_field(VmContext::OFFSET_HOST_TABLE)?, "host_table")?;
        set_align(table, 8)?;
        let count = b.build_load(i64t, self.ctx_field(VmContext::OFFSET_HOST_COUNT)?, "host_count")?;
        set_align(count, 8)?;
        let idx = i64t.const_int(func.index() as u64, false);
        let missing = b.build_int_compare(IntPredicate::UGE, idx, count.into_int_value(), "")?;
        self.trap_if(missing, TrapCode::HostError)?;
        let b = &self.m.builder;
        // SAFETY: `idx < host_count` was checked just above, so the GEP stays inside the
        // table the embedder described (the `VmContext` contract).
        let slot = unsafe { b.build_in_bounds_gep(ptr, table.into_pointer_value(), &[idx], "")? };
        let fp = b.build_load(ptr, slot, "host_fn")?;
        set_align(fp, 8)?;
        let fp = fp.into_pointer_value();
        let null = b.build_is_null(fp, "")?;
        self.trap_if(null, TrapCode::HostError)?;
        let n = args.len() as u64;
        let slots = self.entry_alloca(i64t.array_type(n as u32 + 1), "host_slots")?;
        let slot_ptr = |i: u64| {
            // SAFETY: `i <= n`, inside the `[n + 1 x i64]` alloca.
            unsafe { self.m.builder.build_in_bounds_gep(i64t, slots, &[i64t.const_int(i, false)], "") }
        };
        for (i, (&a, &t)) in args.iter().zip(&ext.params).enumerate() {
            let enc = self.host_slot_encode(self.val(a)?, t)?;
            let p = slot_ptr(i as u64)?;
            self.m.builder.build_store(p, enc)?.set_alignment(8).map_err(|e| CompileError::Internal(e.to_string()))?;
        }
        let ret_p = slot_ptr(n)?;
        self.m
            .builder
            .build_store(ret_p, i64t.const_zero())?
            .set_alignment(8)
            .map_err(|e| CompileError::Internal(e.to_string()))?;
        let fn_ty = self.m.ctx.void_type().fn_type(&[ptr.into(), i64t.into(), ptr.into(), ptr.into()], false);
        let call_args: [BasicMetadataValueEnum; 4] = [self.ctx_ptr.into(), idx.into(), slots.into(), ret_p.into()];
        self.m.builder.build_indirect_call(fn_ty, fp, &call_args, "")?;
        self.check_trap()?;
        match (self.func.dfg.inst_result(inst), ext.ret) {
            (Some(r), Some(t)) if self.ty(r) == t => {
                let raw = self.m.builder.build_load(i64t, ret_p, "host_ret")?;
                set_align(raw, 8)?;
                let v = self.host_slot_decode(raw.into_int_value(), t)?;
                self.define(inst, v)
            }
            (None, _) => Ok(()),
            _ => Err(self.malformed(format!("{inst}: the call's result does not match the host function"))),
        }
    }

    /// An alloca at the top of the function's first block (so it is a static frame slot,
    /// not a dynamic allocation repeated in a loop).
    fn entry_alloca(&self, ty: inkwell::types::ArrayType<'ctx>, name: &str) -> Result<PointerValue<'ctx>> {
        let first = self.llfn.get_first_basic_block().ok_or_else(|| CompileError::Internal("no entry block".into()))?;
        let b = self.m.ctx.create_builder();
        match first.get_first_instruction() {
            Some(i) => b.position_before(&i),
            None => b.position_at_end(first),
        }
        let p = b.build_alloca(ty, name)?;
        if let Some(i) = inkwell::values::BasicValue::as_instruction_value(&p) {
            i.set_alignment(8).map_err(|e| CompileError::Internal(e.to_string()))?;
        }
        Ok(p)
    }

    /// A scalar SSA value as a `u64` slot: integers sign-extended, `bool` 0/1, `f32` bits
    /// zero-extended, `f64` bits, `ptr` the address.
    fn host_slot_encode(&self, v: BasicValueEnum<'ctx>, t: Type) -> Result<IntValue<'ctx>> {
        let b = &self.m.builder;
        let i64t = self.m.ctx.i64_type();
        let out = match t.lane() {
            LaneType::I64 => v,
            LaneType::Bool => b.build_cast(Op::ZExt, v, i64t, "")?,
            LaneType::I8 | LaneType::I16 | LaneType::I32 => b.build_cast(Op::SExt, v, i64t, "")?,
            LaneType::F32 => {
                let bits = b.build_cast(Op::BitCast, v, self.m.ctx.i32_type(), "")?;
                b.build_cast(Op::ZExt, bits, i64t, "")?
            }
            LaneType::F64 => b.build_cast(Op::BitCast, v, i64t, "")?,
            LaneType::Ptr => b.build_cast(Op::PtrToInt, v, i64t, "")?,
        };
        Ok(out.into_int_value())
    }

    /// The SSA value of type `t` in a `u64` slot (only the low bits of narrow types count).
    fn host_slot_decode(&self, raw: IntValue<'ctx>, t: Type) -> Result<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        let ctx = self.m.ctx;
        Ok(match t.lane() {
            LaneType::I64 => raw.into(),
            LaneType::Bool => {
                let byte = b.build_int_truncate(raw, ctx.i8_type(), "")?;
                b.build_int_compare(IntPredicate::NE, byte, ctx.i8_type().const_zero(), "")?.into()
            }
            LaneType::I8 | LaneType::I16 | LaneType::I32 => b.build_cast(Op::Trunc, raw, self.m.types.ty(t), "")?,
            LaneType::F32 => {
                let bits = b.build_int_truncate(raw, ctx.i32_type(), "")?;
                b.build_cast(Op::BitCast, bits, self.m.types.ty(t), "")?
            }
            LaneType::F64 => b.build_cast(Op::BitCast, raw, self.m.types.ty(t), "")?,
            LaneType::Ptr => b.build_cast(Op::IntToPtr, raw, self.m.types.ty(t), "")?,
        })
    }

    /// `v` with its quiet bit set if it is a NaN, computed on the bits (LLVM may treat a
    /// signalling NaN as quiet, so a float-level `select` could be folded away).
    fn quiet_nan(&self, v: BasicValueEnum<'ctx>, ty: Type) -> Result<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        let BasicValueEnum::FloatValue(f) = v else {
            return Err(self.malformed(format!("fpow operand of {ty} is not a float")));
        };
        let (int_ty, bit) =
            if ty == Type::F32 { (self.m.ctx.i32_type(), 1u64 << 22) } else { (self.m.ctx.i64_type(), 1u64 << 51) };
        let is_nan = b.build_float_compare(inkwell::FloatPredicate::UNO, f, f, "")?;
        let bits = b.build_bit_cast(f, int_ty, "")?.into_int_value();
        let quiet = b.build_select(is_nan, int_ty.const_int(bit, false), int_ty.const_zero(), "")?.into_int_value();
        let bits = b.build_or(bits, quiet, "")?;
        Ok(b.build_bit_cast(bits, f.get_type(), "")?)
    }

    /// A transcendental (`fexp flog fsin fcos fpow`) as a call to the C library function, or
    /// in a JIT module to its in-process address. Vectors are done lane by lane.
    pub(crate) fn math_call(
        &self,
        op: Opcode,
        ty: Type,
        args: &[BasicValueEnum<'ctx>],
        flags: FloatFlags,
    ) -> Result<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        if ty.is_vector() {
            let mut acc = match self.m.types.ty(ty).const_zero() {
                BasicValueEnum::VectorValue(v) => v.get_type().get_poison(),
                _ => return Err(self.malformed(format!("{op} of {ty}"))),
            };
            for lane in 0..ty.lanes() {
                let idx = self.m.ctx.i32_type().const_int(lane as u64, false);
                let mut lane_args = Vec::with_capacity(args.len());
                for a in args {
                    let BasicValueEnum::VectorValue(v) = a else {
                        return Err(self.malformed(format!("{op}: operands of {ty} are not vectors")));
                    };
                    lane_args.push(b.build_extract_element(*v, idx, "")?);
                }
                let r = self.math_call(op, ty.lane_type(), &lane_args, flags)?;
                acc = b.build_insert_element(acc, r, idx, "")?;
            }
            return Ok(acc.into());
        }
        let callee =
            self.m.math_callee(op, ty)?.ok_or_else(|| self.malformed(format!("{op} is not defined on {ty}")))?;
        let mut args = args.to_vec();
        if op == Opcode::Fpow && matches!(callee, MathCallee::Direct(_)) {
            // The C library's `pow` would tell a signalling NaN from a quiet one; the
            // in-process wrapper quiets NaN operands (strata_ir::abi), and so must AOT code.
            for a in &mut args {
                *a = self.quiet_nan(*a, ty)?;
            }
        }
        let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        let call = match callee {
            MathCallee::Direct(f) => b.build_call(f, &args, "")?,
            MathCallee::Address(fn_ty, p) => b.build_indirect_call(fn_ty, p, &args, "")?,
        };
        for attr in self.m.math_call_attrs() {
            call.add_attribute(AttributeLoc::Function, attr);
        }
        let v = call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CompileError::Internal(format!("{op} call returns nothing")))?;
        self.set_flags(v, flags);
        Ok(v)
    }
}
