//! Vector operations: `splat`, `extractlane`, `insertlane` and the reductions.
//!
//! A float `reduce_add` is `llvm.vector.reduce.fadd` with start value -0.0, the additive
//! identity (`-0.0 + x == x` for every `x`, including ±0 and NaN), so the strict form
//! computes exactly `((l0 + l1) + l2) + …`; only with the `reassoc` flag may LLVM reorder
//! it. `reduce_min`/`reduce_max` on floats are `llvm.vector.reduce.fminimum`/`fmaximum`,
//! which follow `fmin`/`fmax` (NaN wins, -0.0 < +0.0).

use super::func::FuncLower;
use crate::error::Result;
use inkwell::values::BasicValueEnum;
use strata_ir::{FloatFlags, Inst, Opcode, Type, Value};

impl<'ctx> FuncLower<'_, '_, 'ctx> {
    /// A vector of type `ty` with `x` in every lane (`x` itself if `ty` is scalar).
    pub fn splat(&self, x: BasicValueEnum<'ctx>, ty: Type) -> Result<BasicValueEnum<'ctx>> {
        if ty.is_scalar() {
            return Ok(x);
        }
        let BasicValueEnum::VectorValue(poison) = self.m.types.ty(ty).const_zero() else {
            return Err(self.malformed(format!("splat to {ty}")));
        };
        let poison = poison.get_type().get_poison();
        let b = &self.m.builder;
        let zero = self.m.ctx.i32_type().const_zero();
        let one = b.build_insert_element(poison, x, zero, "")?;
        let mask = self.m.ctx.i32_type().vec_type(ty.lanes()).const_zero();
        Ok(b.build_shuffle_vector(one, poison, mask, "")?.into())
    }

    pub(crate) fn extract_lane(&mut self, inst: Inst, arg: Value, lane: u8) -> Result<()> {
        let ty = self.ty(arg);
        let BasicValueEnum::VectorValue(v) = self.val(arg)? else {
            return Err(self.malformed(format!("extractlane of {ty}")));
        };
        if lane as u32 >= ty.lanes() {
            return Err(self.malformed(format!("lane {lane} of {ty}")));
        }
        let idx = self.m.ctx.i32_type().const_int(lane as u64, false);
        let x = self.m.builder.build_extract_element(v, idx, "")?;
        self.define(inst, x)
    }

    pub(crate) fn insert_lane(&mut self, inst: Inst, [vec, x]: [Value; 2], lane: u8) -> Result<()> {
        let ty = self.ty(vec);
        let BasicValueEnum::VectorValue(v) = self.val(vec)? else {
            return Err(self.malformed(format!("insertlane into {ty}")));
        };
        if lane as u32 >= ty.lanes() {
            return Err(self.malformed(format!("lane {lane} of {ty}")));
        }
        let x = self.val(x)?;
        let idx = self.m.ctx.i32_type().const_int(lane as u64, false);
        let r = self.m.builder.build_insert_element(v, x, idx, "")?;
        self.define(inst, r.into())
    }

    /// `reduce_add`, `reduce_min` or `reduce_max` of vector `a` of type `ty`.
    pub fn reduce(
        &self,
        op: Opcode,
        a: BasicValueEnum<'ctx>,
        ty: Type,
        flags: FloatFlags,
    ) -> Result<BasicValueEnum<'ctx>> {
        if ty.is_scalar() {
            return Err(self.malformed(format!("{op} of the scalar type {ty}")));
        }
        if ty.is_float() {
            if op == Opcode::ReduceAdd {
                let start = self.float_const(ty.lane_type(), neg_zero_bits(ty.lane_type()))?;
                return self.intrinsic("llvm.vector.reduce.fadd", &[ty], &[start, a], flags);
            }
            let name =
                if op == Opcode::ReduceMin { "llvm.vector.reduce.fminimum" } else { "llvm.vector.reduce.fmaximum" };
            return self.intrinsic(name, &[ty], &[a], flags);
        }
        let name = match op {
            Opcode::ReduceAdd => "llvm.vector.reduce.add",
            Opcode::ReduceMin => "llvm.vector.reduce.smin",
            _ => "llvm.vector.reduce.smax",
        };
        self.intrinsic(name, &[ty], &[a], FloatFlags::NONE)
    }
}

/// The bits of -0.0 in the float type `t`.
fn neg_zero_bits(t: Type) -> u64 {
    if t == Type::F32 {
        (-0.0f32).to_bits() as u64
    } else {
        (-0.0f64).to_bits()
    }
}
