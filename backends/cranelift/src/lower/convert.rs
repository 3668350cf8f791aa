//! Conversions. Float→int conversions saturate with NaN → 0 (Cranelift's
//! `fcvt_to_*int_sat`; 8- and 16-bit results go through `i32` and are clamped, since the
//! saturating instructions only saturate to 32 and 64 bits). Conversions of vectors use the
//! one-instruction vector form where Cranelift has it (`native_convert_ok`), turn a mask
//! into integers directly when the widths agree, and otherwise go lane by lane. `bitcast`
//! reinterprets part by part.

use super::native::native_convert_ok;
use super::{Lowerer, Parts, Result};
use crate::repr::{lane_cl, Repr};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value as ClValue};
use strata_ir::{Opcode, Type, Value};

impl Lowerer<'_, '_> {
    pub(super) fn lower_convert(&mut self, op: Opcode, arg: Value, res: Value) -> Result<()> {
        let (from, to) = (self.ty(arg)?, self.ty(res)?);
        self.check_convert(op, from, to)?;
        let a = self.get(arg)?;
        let (rf, rt) = (self.repr(from), self.repr(to));
        if let (Repr::Native { part: pf, .. }, Repr::Native { part: pt, .. }) = (rf, rt) {
            if rf.parallel(rt) && from.is_bool() && pf == pt {
                // A mask already is the sign extension of its bools.
                let shift = i64::from(pt.lane_bits()) - 1;
                let out: Parts = match op {
                    Opcode::Sext => a,
                    _ => a.iter().map(|&p| self.b.ins().ushr_imm_u(p, shift)).collect(),
                };
                return self.def(res, out);
            }
            if rf.parallel(rt) && native_convert_ok(op, pf, pt) {
                let out = a.iter().map(|&p| self.native_convert(op, pt, p)).collect();
                return self.def(res, out);
            }
        }
        let out = if rf.parallel(rt) && !matches!(rf, Repr::Native { .. }) {
            a.iter().map(|&x| self.scalar_convert(op, from, to, x)).collect::<Result<Parts>>()?
        } else {
            let lanes = self.lanes_of(from, &a)?;
            let out = lanes.into_iter().map(|x| self.scalar_convert(op, from, to, x)).collect::<Result<Vec<_>>>()?;
            self.build_from_lanes(to, &out)?
        };
        self.def(res, out)
    }

    fn check_convert(&self, op: Opcode, from: Type, to: Type) -> Result<()> {
        use Opcode::*;
        let int_or_bool = |t: Type| t.is_int() || t.is_bool();
        let ok = from.lanes() == to.lanes()
            && match op {
                Sext | Zext => int_or_bool(from) && to.is_int() && to.lane_bits() > from.lane_bits(),
                Trunc => from.is_int() && to.is_int() && to.lane_bits() < from.lane_bits(),
                Fpromote => from.lane_type() == Type::F32 && to.lane_type() == Type::F64,
                Fdemote => from.lane_type() == Type::F64 && to.lane_type() == Type::F32,
                Sitofp | Uitofp => from.is_int() && to.is_float(),
                Fptosi | Fptoui => from.is_float() && to.is_int(),
                PtrToInt => from == Type::PTR && to == Type::I64,
                IntToPtr => from == Type::I64 && to == Type::PTR,
                _ => false,
            };
        if ok {
            Ok(())
        } else {
            Err(self.invalid(format!("`{op}` from {from} to {to}")))
        }
    }

    fn native_convert(&mut self, op: Opcode, to: cranelift_codegen::ir::Type, x: ClValue) -> ClValue {
        match op {
            Opcode::Sitofp => self.b.ins().fcvt_from_sint(to, x),
            Opcode::Uitofp => self.b.ins().fcvt_from_uint(to, x),
            Opcode::Fptosi => self.b.ins().fcvt_to_sint_sat(to, x),
            _ => self.b.ins().fcvt_to_uint_sat(to, x),
        }
    }

    /// Converts one lane (a scalar) of type `from`'s lane type to `to`'s lane type.
    fn scalar_convert(&mut self, op: Opcode, from: Type, to: Type, x: ClValue) -> Result<ClValue> {
        use Opcode::*;
        let t = lane_cl(to.lane());
        let same = self.cl_type(x) == t;
        let v = match op {
            Sext if from.is_bool() => {
                let wide = if t == types::I8 { x } else { self.b.ins().uextend(t, x) };
                self.b.ins().ineg(wide)
            }
            Sext | Zext | Trunc | PtrToInt | IntToPtr if same => x,
            Sext => self.b.ins().sextend(t, x),
            Zext => self.b.ins().uextend(t, x),
            Trunc => self.b.ins().ireduce(t, x),
            Fpromote => self.b.ins().fpromote(t, x),
            Fdemote => self.b.ins().fdemote(t, x),
            Sitofp => self.b.ins().fcvt_from_sint(t, x),
            Uitofp => self.b.ins().fcvt_from_uint(t, x),
            Fptosi | Fptoui if t.bits() >= 32 => self.native_convert(op, t, x),
            Fptosi => {
                let bits = t.bits();
                let wide = self.b.ins().fcvt_to_sint_sat(types::I32, x);
                let lo = self.int_const(types::I32, -(1i64 << (bits - 1)));
                let hi = self.b.ins().iconst(types::I32, (1i64 << (bits - 1)) - 1);
                let clamped = self.b.ins().smax(wide, lo);
                let clamped = self.b.ins().smin(clamped, hi);
                self.b.ins().ireduce(t, clamped)
            }
            Fptoui => {
                let wide = self.b.ins().fcvt_to_uint_sat(types::I32, x);
                let hi = self.b.ins().iconst(types::I32, (1i64 << t.bits()) - 1);
                let clamped = self.b.ins().umin(wide, hi);
                self.b.ins().ireduce(t, clamped)
            }
            _ => return Err(self.invalid(format!("`{op}` from {from} to {to}"))),
        };
        Ok(v)
    }

    /// `bitcast`: same lane count and lane width (the verifier's rule), so the two types
    /// have the same form and each part is reinterpreted on its own.
    pub(super) fn lower_bitcast(&mut self, arg: Value, res: Value) -> Result<()> {
        let (from, to) = (self.ty(arg)?, self.ty(res)?);
        let (rf, rt) = (self.repr(from), self.repr(to));
        if from.is_bool() || to.is_bool() || from.bits() != to.bits() || !rf.parallel(rt) {
            return Err(self.invalid(format!("`bitcast` from {from} to {to}")));
        }
        let target = rt.part_type();
        let out: Parts = self
            .get(arg)?
            .iter()
            .map(|&x| if self.cl_type(x) == target { x } else { self.b.ins().bitcast(target, MemFlagsData::new(), x) })
            .collect();
        self.def(res, out)
    }
}
