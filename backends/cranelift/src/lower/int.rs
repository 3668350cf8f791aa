//! Integer and bitwise operations: wrapping arithmetic, min/max, bit operations, shifts
//! (Cranelift masks the amount to the lane width, as the IR does), and division with
//! explicit checks instead of Cranelift's faulting ones: a zero divisor branches to the
//! `div_by_zero` trap block, and a divisor of −1 is replaced by 1 so that `sdiv MIN, -1`
//! (computed as `-MIN` = `MIN`) and `srem MIN, -1` (= 0) never reach a faulting `idiv`.

use super::{Lowerer, Result};
use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value as ClValue};
use strata_ir::{Opcode, TrapCode, Type, Value};

impl Lowerer<'_, '_> {
    /// One integer or bitwise operation on one part or lane of each operand of type `ty`.
    pub(super) fn int_prim(&mut self, op: Opcode, ty: Type, xs: &[ClValue]) -> Result<ClValue> {
        use Opcode::*;
        let scalar_bool = |s: &Self, x: ClValue| ty.is_bool() && s.cl_type(x) == types::I8;
        let v = match (op, xs) {
            (Iadd, &[x, y]) => self.b.ins().iadd(x, y),
            (Isub, &[x, y]) => self.b.ins().isub(x, y),
            (Imul, &[x, y]) => self.b.ins().imul(x, y),
            (Smin, &[x, y]) => self.b.ins().smin(x, y),
            (Smax, &[x, y]) => self.b.ins().smax(x, y),
            (Umin, &[x, y]) => self.b.ins().umin(x, y),
            (Umax, &[x, y]) => self.b.ins().umax(x, y),
            (Band, &[x, y]) => self.b.ins().band(x, y),
            (Bor, &[x, y]) => self.b.ins().bor(x, y),
            (Bxor, &[x, y]) => self.b.ins().bxor(x, y),
            (Shl, &[x, y]) => self.b.ins().ishl(x, y),
            (Lshr, &[x, y]) => self.b.ins().ushr(x, y),
            (Ashr, &[x, y]) => self.b.ins().sshr(x, y),
            (Ineg, &[x]) => self.b.ins().ineg(x),
            // A scalar bool is 0/1: flip the low bit only.
            (Bnot, &[x]) if scalar_bool(self, x) => self.b.ins().bxor_imm_u(x, 1),
            (Bnot, &[x]) => self.b.ins().bnot(x),
            (Popcnt, &[x]) => self.b.ins().popcnt(x),
            (Clz, &[x]) => self.b.ins().clz(x),
            (Ctz, &[x]) => self.b.ins().ctz(x),
            (Bswap, &[x]) if self.cl_type(x) == types::I8 => x,
            (Bswap, &[x]) => self.b.ins().bswap(x),
            _ => return Err(self.invalid(format!("`{op}` on {ty}"))),
        };
        Ok(v)
    }

    /// `shl`/`lshr`/`ashr`: the amount is one scalar for every lane.
    pub(super) fn lower_shift(&mut self, op: Opcode, args: [Value; 2], res: Value) -> Result<()> {
        let ty = self.ty(args[0])?;
        if !ty.is_int() {
            return Err(self.invalid(format!("`{op}` on {ty}")));
        }
        let amount = self.scalar(args[1])?;
        let a = self.get(args[0])?;
        let out = self.map_n(op, ty, &[&a], |s, xs| match xs {
            &[x] => s.int_prim(op, ty, &[x, amount]),
            _ => Err(s.invalid("shift operands")),
        })?;
        self.def(res, out)
    }

    /// `sdiv udiv srem urem` (lane by lane on vectors, each lane checked).
    pub(super) fn lower_div(&mut self, op: Opcode, args: [Value; 2], res: Value) -> Result<()> {
        let ty = self.ty(args[0])?;
        if !ty.is_int() {
            return Err(self.invalid(format!("`{op}` on {ty}")));
        }
        let (a, b) = (self.get(args[0])?, self.get(args[1])?);
        let (xs, ys) = (self.lanes_of(ty, &a)?, self.lanes_of(ty, &b)?);
        if xs.len() != ys.len() {
            return Err(self.invalid(format!("operands of `{op}` have different types")));
        }
        let mut out = Vec::with_capacity(xs.len());
        for (x, y) in xs.into_iter().zip(ys) {
            out.push(self.div_scalar(op, x, y));
        }
        let parts = self.build_from_lanes(ty, &out)?;
        self.def(res, parts)
    }

    fn div_scalar(&mut self, op: Opcode, x: ClValue, y: ClValue) -> ClValue {
        let ty = self.cl_type(x);
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        self.trap_if(zero, TrapCode::DivByZero);
        match op {
            Opcode::Udiv => self.b.ins().udiv(x, y),
            Opcode::Urem => self.b.ins().urem(x, y),
            _ => {
                let minus_one = self.int_const(ty, -1);
                let is_minus_one = self.b.ins().icmp(IntCC::Equal, y, minus_one);
                let one = self.b.ins().iconst(ty, 1);
                let safe = self.b.ins().select(is_minus_one, one, y);
                if op == Opcode::Sdiv {
                    let q = self.b.ins().sdiv(x, safe);
                    let neg = self.b.ins().ineg(x);
                    self.b.ins().select(is_minus_one, neg, q)
                } else {
                    // x % 1 == x % -1 == 0.
                    self.b.ins().srem(x, safe)
                }
            }
        }
    }
}
