//! Run-time checks, all through the `VmContext` (no signals): trap blocks that store a
//! `TrapCode` into `ctx.trap_code` and return dummy zeros, the check after every call that
//! returns at once when the callee trapped, fuel on loop back-edges and IR calls, and the
//! call-depth counter decremented on entry and restored on every exit (normal return, trap
//! or propagated trap), so a context can be reused after a call whatever its outcome.
//!
//! The counting matches the interpreter: fuel `n` allows `n` back-edges and calls and traps
//! on the next; depth `d` allows `d` live frames, the entry function's included; a call
//! that exhausts both reports `stack_overflow`. With the depth limit, a function entered
//! with its stack pointer below `ctx.stack_limit` also traps `stack_overflow` (the native
//! stack is the one resource the interpreter does not share).
//!
//! A leaf function (no IR calls) checks the depth and the stack on entry like any other
//! but does not decrement and restore the counter: nothing it runs could read the
//! decremented value (a host function that re-enters a kernel gives that call a fresh
//! context), and every exit would restore it, so the counter is the same either way.
//! That is 5 of the ~15 instructions of an empty kernel's call.

use super::{Lowerer, Result};
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Type as ClType, Value as ClValue};
use strata_ir::{TrapCode, VmContext};

impl Lowerer<'_, '_> {
    pub(super) fn ctx_load(&mut self, ty: ClType, offset: i32) -> ClValue {
        self.b.ins().load(ty, MemFlagsData::trusted(), self.ctx, offset)
    }

    pub(super) fn ctx_store(&mut self, v: ClValue, offset: i32) {
        self.b.ins().store(MemFlagsData::trusted(), v, self.ctx, offset);
    }

    /// Entry checks: the call-depth counter, then zeroing the stack slots.
    pub(super) fn prologue(&mut self) -> Result<()> {
        if self.env.opts.depth_limit {
            let depth = self.ctx_load(types::I32, VmContext::OFFSET_DEPTH_REMAINING);
            let overflow = *self.entry_overflow.get_or_insert_with(|| self.b.create_block());
            self.b.set_cold_block(overflow);
            let cont = self.b.create_block();
            self.b.ins().brif(depth, cont, &[], overflow, &[]);
            self.b.switch_to_block(cont);
            // The native stack: below `ctx.stack_limit` (0 = unchecked) counts as no depth
            // left, so big frames can't overflow the real stack before the depth runs out.
            let sp = self.b.ins().get_stack_pointer(types::I64);
            let limit = self.ctx_load(types::I64, VmContext::OFFSET_STACK_LIMIT);
            let low = self.b.ins().icmp(ir::condcodes::IntCC::UnsignedLessThan, sp, limit);
            let cont = self.b.create_block();
            self.b.ins().brif(low, overflow, &[], cont, &[]);
            self.b.switch_to_block(cont);
            if self.counts_depth {
                let less = self.b.ins().iadd_imm_s(depth, -1);
                self.ctx_store(less, VmContext::OFFSET_DEPTH_REMAINING);
            }
        }
        self.zero_stack_slots()
    }

    /// Traps `stack_overflow` in the caller if a call would find no depth left (the callee
    /// would trap on entry anyway; checking here first orders it before the fuel check).
    pub(super) fn check_depth_before_call(&mut self) {
        let depth = self.ctx_load(types::I32, VmContext::OFFSET_DEPTH_REMAINING);
        let none = self.b.ins().icmp_imm_s(ir::condcodes::IntCC::Equal, depth, 0);
        self.trap_if(none, TrapCode::StackOverflow);
    }

    /// Gives back the call-depth unit taken on entry.
    pub(super) fn restore_depth(&mut self) {
        if self.counts_depth {
            let depth = self.ctx_load(types::I32, VmContext::OFFSET_DEPTH_REMAINING);
            let more = self.b.ins().iadd_imm_s(depth, 1);
            self.ctx_store(more, VmContext::OFFSET_DEPTH_REMAINING);
        }
    }

    /// The block that traps with `code` (created on first use, filled by `finish_guards`).
    pub(super) fn trap_block(&mut self, code: TrapCode) -> ir::Block {
        if let Some(&(_, b)) = self.traps.iter().find(|(c, _)| *c == code) {
            return b;
        }
        let b = self.b.create_block();
        self.b.set_cold_block(b);
        self.traps.push((code, b));
        b
    }

    /// Traps with `code` if `cond` (an `i8` 0/1) is non-zero; continues in a new block.
    pub(super) fn trap_if(&mut self, cond: ClValue, code: TrapCode) {
        let trap = self.trap_block(code);
        let cont = self.b.create_block();
        self.b.ins().brif(cond, trap, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Takes one unit of fuel; traps `fuel_exhausted` when the counter goes below zero.
    pub(super) fn fuel_tick(&mut self) {
        let fuel = self.ctx_load(types::I64, VmContext::OFFSET_FUEL);
        let less = self.b.ins().iadd_imm_s(fuel, -1);
        self.ctx_store(less, VmContext::OFFSET_FUEL);
        let out = self.b.ins().icmp_imm_s(ir::condcodes::IntCC::SignedLessThan, less, 0);
        self.trap_if(out, TrapCode::FuelExhausted);
    }

    /// After a call: returns at once if the callee left a trap code.
    pub(super) fn check_callee_trap(&mut self) {
        let code = self.ctx_load(types::I32, VmContext::OFFSET_TRAP_CODE);
        let propagate = *self.propagate.get_or_insert_with(|| self.b.create_block());
        self.b.set_cold_block(propagate);
        let cont = self.b.create_block();
        self.b.ins().brif(code, propagate, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// A zero of any Cranelift type (the dummy result of a trapping function).
    pub(super) fn zero_of(&mut self, ty: ClType) -> ClValue {
        if ty.is_vector() {
            let lane = self.zero_of(ty.lane_type());
            return self.b.ins().splat(ty, lane);
        }
        match ty {
            types::F32 => self.b.ins().f32const(0.0),
            types::F64 => self.b.ins().f64const(0.0),
            _ => self.b.ins().iconst(ty, 0),
        }
    }

    fn return_zeros(&mut self) {
        let types = self.ret_types.clone();
        let zeros: Vec<ClValue> = types.into_iter().map(|t| self.zero_of(t)).collect();
        self.b.ins().return_(&zeros);
    }

    /// Fills the trap and propagation blocks used by the function.
    pub(super) fn finish_guards(&mut self) {
        for (code, block) in std::mem::take(&mut self.traps) {
            self.b.switch_to_block(block);
            let c = self.b.ins().iconst(types::I32, i64::from(code.to_u32()));
            self.ctx_store(c, VmContext::OFFSET_TRAP_CODE);
            self.restore_depth();
            self.return_zeros();
        }
        if let Some(block) = self.propagate.take() {
            self.b.switch_to_block(block);
            self.restore_depth();
            self.return_zeros();
        }
        if let Some(block) = self.entry_overflow.take() {
            self.b.switch_to_block(block);
            let c = self.b.ins().iconst(types::I32, i64::from(TrapCode::StackOverflow.to_u32()));
            self.ctx_store(c, VmContext::OFFSET_TRAP_CODE);
            self.return_zeros();
        }
    }
}
