//! Float operations. Cranelift's `fmin`/`fmax` already are IEEE-754-2019 `minimum`/`maximum`
//! (NaN if either operand is NaN, −0 < +0), `nearest` rounds ties to even and `fma` is
//! always fused (an instruction, or the exact `mul_add` libcall from `crate::symbols`).
//! `fcopysign` on vectors is a bit select with the sign mask. The transcendental
//! operations call the shared math functions, lane by lane on vectors.

use super::{Lowerer, Result};
use cranelift_codegen::ir::{types, InstBuilder, Value as ClValue};
use strata_ir::{Opcode, Type};

impl Lowerer<'_, '_> {
    /// One float operation on one part or lane of each operand of type `ty`.
    pub(super) fn float_prim(&mut self, op: Opcode, ty: Type, xs: &[ClValue]) -> Result<ClValue> {
        use Opcode::*;
        let v = match (op, xs) {
            (Fadd, &[x, y]) => self.b.ins().fadd(x, y),
            (Fsub, &[x, y]) => self.b.ins().fsub(x, y),
            (Fmul, &[x, y]) => self.b.ins().fmul(x, y),
            (Fdiv, &[x, y]) => self.b.ins().fdiv(x, y),
            (Fmin, &[x, y]) => self.b.ins().fmin(x, y),
            (Fmax, &[x, y]) => self.b.ins().fmax(x, y),
            (Fcopysign, &[x, y]) => {
                let vty = self.cl_type(x);
                if vty.is_vector() {
                    let sign = match vty.lane_type() {
                        types::F32 => self.b.ins().f32const(-0.0f32),
                        _ => self.b.ins().f64const(-0.0f64),
                    };
                    let mask = self.b.ins().splat(vty, sign);
                    self.b.ins().bitselect(mask, y, x)
                } else {
                    self.b.ins().fcopysign(x, y)
                }
            }
            (Fneg, &[x]) => self.b.ins().fneg(x),
            (Fabs, &[x]) => self.b.ins().fabs(x),
            (Fsqrt, &[x]) => self.b.ins().sqrt(x),
            (Ffloor, &[x]) => self.b.ins().floor(x),
            (Fceil, &[x]) => self.b.ins().ceil(x),
            (Ftrunc, &[x]) => self.b.ins().trunc(x),
            (Fnearest, &[x]) => self.b.ins().nearest(x),
            (Fma, &[x, y, z]) => self.b.ins().fma(x, y, z),
            (Fexp | Flog | Fsin | Fcos, &[x]) => self.math_call(op, ty.lane_type(), &[x])?,
            (Fpow, &[x, y]) => self.math_call(op, ty.lane_type(), &[x, y])?,
            _ => return Err(self.invalid(format!("`{op}` on {ty}"))),
        };
        Ok(v)
    }
}
