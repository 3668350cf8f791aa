//! Memory: `load`, `store` and `bounds_check`.
//!
//! An address is `base + byte offset`, a GEP on `i8` without `inbounds` (the IR allows any
//! address arithmetic; only the access itself must be in bounds). Accesses are emitted with
//! `align 1`, since the IR allows unaligned addresses; LLVM's alignment inference raises
//! that where it can prove more from the `align` attributes of slice parameters, stack
//! slots and data objects. `bounds_check` is one unsigned compare and a cold branch to the
//! `out_of_bounds` trap.

use super::func::FuncLower;
use crate::error::Result;
use inkwell::values::{BasicValue, BasicValueEnum, PointerValue};
use inkwell::IntPredicate;
use strata_ir::{Inst, TrapCode, Value};

impl<'ctx> FuncLower<'_, '_, 'ctx> {
    /// `base + off` as a pointer.
    fn address(&self, base: Value, off: Value) -> Result<PointerValue<'ctx>> {
        let (BasicValueEnum::PointerValue(p), BasicValueEnum::IntValue(o)) = (self.val(base)?, self.val(off)?) else {
            return Err(self.malformed("an address is a ptr base and an i64 offset"));
        };
        // SAFETY: a GEP without `inbounds` is wrapping address arithmetic with no undefined
        // case; whether the access through it is valid is the IR's contract (docs/ir.md).
        Ok(unsafe { self.m.builder.build_gep(self.m.ctx.i8_type(), p, &[o], "")? })
    }

    pub(crate) fn load(&mut self, inst: Inst, [base, off]: [Value; 2]) -> Result<()> {
        let (_, ty) = self.result(inst)?;
        if ty.bytes().is_none() {
            return Err(self.malformed(format!("load of {ty}, which has no memory form")));
        }
        let addr = self.address(base, off)?;
        let v = self.m.builder.build_load(self.m.types.ty(ty), addr, "")?;
        if let Some(i) = v.as_instruction_value() {
            i.set_alignment(1).map_err(|e| self.malformed(e.to_string()))?;
        }
        self.define(inst, v)
    }

    pub(crate) fn store(&mut self, [base, off, value]: [Value; 3]) -> Result<()> {
        let ty = self.ty(value);
        if ty.bytes().is_none() {
            return Err(self.malformed(format!("store of {ty}, which has no memory form")));
        }
        let addr = self.address(base, off)?;
        let v = self.val(value)?;
        let st = self.m.builder.build_store(addr, v)?;
        st.set_alignment(1).map_err(|e| self.malformed(e.to_string()))?;
        Ok(())
    }

    pub(crate) fn bounds_check(&mut self, [idx, len]: [Value; 2]) -> Result<()> {
        let (BasicValueEnum::IntValue(i), BasicValueEnum::IntValue(n)) = (self.val(idx)?, self.val(len)?) else {
            return Err(self.malformed("bounds_check takes two i64"));
        };
        let out = self.m.builder.build_int_compare(IntPredicate::UGE, i, n, "oob")?;
        self.trap_if(out, TrapCode::OutOfBounds)
    }
}
