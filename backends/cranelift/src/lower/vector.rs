//! Comparisons, `select`, lane access and reductions. A comparison of vectors is one
//! Cranelift compare per part when the result mask has the operands' lane width (the
//! module-wide mask choice in `crate::repr` makes that the usual case), and lane by lane
//! otherwise. `select` on a bool vector is a `bitselect` with the mask, on a scalar bool a
//! `select` of each part. Float `reduce_add` adds the lanes in lane order,
//! `((l0 + l1) + l2) + …`, even under `reassoc`; integer reductions and min/max (which are
//! associative, NaN payloads aside) first combine the parts with vector instructions.

use super::native::native_ok;
use super::{Lowerer, Parts, Result};
use crate::repr::Repr;
use cranelift_codegen::ir::{condcodes, InstBuilder, MemFlagsData, Value as ClValue};
use smallvec::smallvec;
use strata_ir::{FloatCC, IntCC, Opcode, Value};

/// A comparison condition.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Cond {
    Int(IntCC),
    Float(FloatCC),
}

fn int_cc(c: IntCC) -> condcodes::IntCC {
    use condcodes::IntCC as C;
    match c {
        IntCC::Eq => C::Equal,
        IntCC::Ne => C::NotEqual,
        IntCC::Slt => C::SignedLessThan,
        IntCC::Sle => C::SignedLessThanOrEqual,
        IntCC::Sgt => C::SignedGreaterThan,
        IntCC::Sge => C::SignedGreaterThanOrEqual,
        IntCC::Ult => C::UnsignedLessThan,
        IntCC::Ule => C::UnsignedLessThanOrEqual,
        IntCC::Ugt => C::UnsignedGreaterThan,
        IntCC::Uge => C::UnsignedGreaterThanOrEqual,
    }
}

fn float_cc(c: FloatCC) -> condcodes::FloatCC {
    use condcodes::FloatCC as C;
    match c {
        FloatCC::Eq => C::Equal,
        // Cranelift's `ne` is "unordered or not equal", like Rust's `!=`.
        FloatCC::Ne => C::NotEqual,
        FloatCC::Lt => C::LessThan,
        FloatCC::Le => C::LessThanOrEqual,
        FloatCC::Gt => C::GreaterThan,
        FloatCC::Ge => C::GreaterThanOrEqual,
        FloatCC::Ord => C::Ordered,
        FloatCC::Uno => C::Unordered,
    }
}

impl Lowerer<'_, '_> {
    fn compare(&mut self, cond: Cond, x: ClValue, y: ClValue) -> ClValue {
        match cond {
            Cond::Int(c) => self.b.ins().icmp(int_cc(c), x, y),
            Cond::Float(c) => self.b.ins().fcmp(float_cc(c), x, y),
        }
    }

    pub(super) fn lower_compare(&mut self, cond: Cond, args: [Value; 2], res: Value) -> Result<()> {
        let (ty, rty) = (self.ty(args[0])?, self.ty(res)?);
        let ok = match cond {
            Cond::Int(c) => ty.is_int() || ty.is_ptr() || (ty.is_bool() && matches!(c, IntCC::Eq | IntCC::Ne)),
            Cond::Float(_) => ty.is_float(),
        };
        if !ok || self.ty(args[1])? != ty || rty != ty.as_bool() {
            return Err(self.invalid(format!("comparison of {ty} giving {rty}")));
        }
        let (a, b) = (self.get(args[0])?, self.get(args[1])?);
        let (ra, rr) = (self.repr(ty), self.repr(rty));
        let same_width = match (ra, rr) {
            (Repr::Native { part: p, .. }, Repr::Native { part: q, .. }) => p.lane_bits() == q.lane_bits(),
            _ => true,
        };
        let out = if ra.parallel(rr) && same_width {
            a.iter().zip(&b).map(|(&x, &y)| self.compare(cond, x, y)).collect()
        } else {
            let (xs, ys) = (self.lanes_of(ty, &a)?, self.lanes_of(ty, &b)?);
            let lanes: Vec<ClValue> = xs.into_iter().zip(ys).map(|(x, y)| self.compare(cond, x, y)).collect();
            self.build_from_lanes(rty, &lanes)?
        };
        self.def(res, out)
    }

    pub(super) fn lower_select(&mut self, args: [Value; 3], res: Value) -> Result<()> {
        let (cty, ty) = (self.ty(args[0])?, self.ty(args[1])?);
        if !cty.is_bool() || self.ty(args[2])? != ty || (cty.is_vector() && cty.lanes() != ty.lanes()) {
            return Err(self.invalid(format!("`select` on {cty} between {ty} values")));
        }
        let (c, a, b) = (self.get(args[0])?, self.get(args[1])?, self.get(args[2])?);
        if a.len() != b.len() {
            return Err(self.invalid("`select` operands of different types"));
        }
        let (rc, rd) = (self.repr(cty), self.repr(ty));
        let out: Parts = match (rc, rd) {
            (Repr::Scalar(_), _) => {
                let c = c[0];
                a.iter().zip(&b).map(|(&x, &y)| self.b.ins().select(c, x, y)).collect()
            }
            (Repr::Native { part: q, .. }, Repr::Native { part: p, .. })
                if rc.parallel(rd) && q.lane_bits() == p.lane_bits() =>
            {
                let mut out = Parts::new();
                for ((&m, &x), &y) in c.iter().zip(&a).zip(&b) {
                    let m = if p == q { m } else { self.b.ins().bitcast(p, MemFlagsData::new(), m) };
                    out.push(self.b.ins().bitselect(m, x, y));
                }
                out
            }
            (Repr::Lanes { .. }, Repr::Lanes { .. }) if rc.parallel(rd) => {
                let mut out = Parts::new();
                for ((&m, &x), &y) in c.iter().zip(&a).zip(&b) {
                    out.push(self.b.ins().select(m, x, y));
                }
                out
            }
            _ => {
                let (cs, xs, ys) = (self.lanes_of(cty, &c)?, self.lanes_of(ty, &a)?, self.lanes_of(ty, &b)?);
                let mut lanes = Vec::with_capacity(xs.len());
                for ((m, x), y) in cs.into_iter().zip(xs).zip(ys) {
                    lanes.push(self.b.ins().select(m, x, y));
                }
                self.build_from_lanes(ty, &lanes)?
            }
        };
        self.def(res, out)
    }

    pub(super) fn lower_extractlane(&mut self, arg: Value, lane: u8, res: Value) -> Result<()> {
        let ty = self.ty(arg)?;
        if !ty.is_vector() || u32::from(lane) >= ty.lanes() || self.ty(res)? != ty.lane_type() {
            return Err(self.invalid(format!("`extractlane` {lane} of {ty}")));
        }
        let parts = self.get(arg)?;
        let x = match self.repr(ty) {
            Repr::Native { part, .. } => {
                let per = part.lane_count();
                let (k, i) = (u32::from(lane) / per, u32::from(lane) % per);
                let p = *parts.get(k as usize).ok_or_else(|| self.invalid("lane out of range"))?;
                let x = self.b.ins().extractlane(p, i as u8);
                if ty.is_bool() {
                    self.b.ins().icmp_imm_s(condcodes::IntCC::NotEqual, x, 0)
                } else {
                    x
                }
            }
            _ => *parts.get(usize::from(lane)).ok_or_else(|| self.invalid("lane out of range"))?,
        };
        self.def(res, smallvec![x])
    }

    pub(super) fn lower_insertlane(&mut self, args: [Value; 2], lane: u8, res: Value) -> Result<()> {
        let ty = self.ty(args[0])?;
        if !ty.is_vector() || u32::from(lane) >= ty.lanes() || self.ty(args[1])? != ty.lane_type() {
            return Err(self.invalid(format!("`insertlane` {lane} of {ty}")));
        }
        let mut parts = self.get(args[0])?;
        let x = self.scalar(args[1])?;
        match self.repr(ty) {
            Repr::Native { part, .. } => {
                let per = part.lane_count();
                let (k, i) = ((u32::from(lane) / per) as usize, u32::from(lane) % per);
                let x = if ty.is_bool() { self.bool_to_mask_lane(x, part.lane_type()) } else { x };
                let p = *parts.get(k).ok_or_else(|| self.invalid("lane out of range"))?;
                parts[k] = self.b.ins().insertlane(p, x, i as u8);
            }
            _ => match parts.get_mut(usize::from(lane)) {
                Some(slot) => *slot = x,
                None => return Err(self.invalid("lane out of range")),
            },
        }
        self.def(res, parts)
    }

    pub(super) fn lower_reduce(&mut self, op: Opcode, arg: Value, res: Value) -> Result<()> {
        let ty = self.ty(arg)?;
        if !(ty.is_int() || ty.is_float()) || self.ty(res)? != ty.lane_type() {
            return Err(self.invalid(format!("`{op}` of {ty}")));
        }
        let step = match (op, ty.is_float()) {
            (Opcode::ReduceAdd, false) => Opcode::Iadd,
            (Opcode::ReduceAdd, true) => Opcode::Fadd,
            (Opcode::ReduceMin, false) => Opcode::Smin,
            (Opcode::ReduceMin, true) => Opcode::Fmin,
            (Opcode::ReduceMax, false) => Opcode::Smax,
            _ => Opcode::Fmax,
        };
        let mut parts = self.get(arg)?;
        let mut whole = ty;
        // Combine the parts of a split vector first, where the order does not matter.
        if let Repr::Native { part, parts: n } = self.repr(ty) {
            if n > 1 && step != Opcode::Fadd && native_ok(step, part) {
                let mut acc = parts[0];
                for &p in &parts[1..] {
                    acc = self.prim(step, ty, &[acc, p])?;
                }
                parts = smallvec![acc];
                whole = ty.with_lanes(ty.lanes() / n).ok_or_else(|| self.invalid("vector shape"))?;
            }
        }
        let lanes = self.lanes_of(whole, &parts)?;
        let mut it = lanes.into_iter();
        let mut acc = it.next().ok_or_else(|| self.invalid(format!("`{op}` of an empty vector")))?;
        for x in it {
            acc = self.prim(step, ty.lane_type(), &[acc, x])?;
        }
        self.def(res, smallvec![acc])
    }
}
