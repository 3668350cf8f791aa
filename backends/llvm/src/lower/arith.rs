//! Arithmetic, bitwise operations, comparisons, `select`, `fma` and conversions.
//!
//! Exactness comes first (docs/ir.md, "Semantics"):
//! - integer arithmetic wraps: no `nsw`/`nuw` flags anywhere;
//! - division and remainder branch to the `div_by_zero` trap on a zero divisor, and divide
//!   by 1 instead of -1 so `sdiv MIN, -1` (= `MIN`, computed as `0 - a`) and `srem MIN, -1`
//!   (= 0) never reach LLVM's undefined case;
//! - shift amounts are masked to the lane width, so LLVM never sees an over-wide shift;
//! - float operations carry exactly the fast-math flags the IR gives (`reassoc`, `contract`),
//!   nothing else, and strict operations none;
//! - `fmin`/`fmax` are IEEE-754-2019 minimum/maximum: `llvm.minimum`/`llvm.maximum` on
//!   vectors, and on scalars the same function written as selects on float compares (see
//!   `scalar_min_max`: x86 turns the intrinsic's sign test into data-dependent branches),
//!   `fnearest` is
//!   `llvm.roundeven`, float→int conversions are `llvm.fpto[su]i.sat` (saturating, NaN → 0),
//!   and `clz`/`ctz` are defined at zero (`is_zero_poison = false`).

use super::func::FuncLower;
use crate::error::{CompileError, Result};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicMetadataValueEnum, BasicValue, BasicValueEnum, InstructionOpcode as Op, IntValue};
use inkwell::values::{FastMathFlags, FloatValue, FunctionValue};
use inkwell::{FloatPredicate, IntPredicate};
use strata_ir::{FloatCC, FloatFlags, Inst, IntCC, Opcode, TrapCode, Type, Value};

impl<'ctx> FuncLower<'_, '_, 'ctx> {
    pub(crate) fn unary(&mut self, inst: Inst, op: Opcode, arg: Value, flags: FloatFlags) -> Result<()> {
        let (_, rty) = self.result(inst)?;
        let a = self.val(arg)?;
        let aty = self.ty(arg);
        let b = &self.m.builder;
        let v = match op {
            Opcode::Ineg => b.build_binop(Op::Sub, self.zero(aty), a, "")?,
            Opcode::Bnot => b.build_binop(Op::Xor, a, self.int_const(aty, u64::MAX)?, "")?,
            Opcode::Popcnt => self.intrinsic("llvm.ctpop", &[aty], &[a], FloatFlags::NONE)?,
            Opcode::Clz | Opcode::Ctz => {
                let name = if op == Opcode::Clz { "llvm.ctlz" } else { "llvm.cttz" };
                let poison = self.m.ctx.bool_type().const_zero().into();
                self.intrinsic(name, &[aty], &[a, poison], FloatFlags::NONE)?
            }
            // `bswap` of a single byte is the byte itself (and not an LLVM intrinsic).
            Opcode::Bswap if aty.lane_bits() == 8 => a,
            Opcode::Bswap => self.intrinsic("llvm.bswap", &[aty], &[a], FloatFlags::NONE)?,
            Opcode::Fneg => {
                let v = match a {
                    BasicValueEnum::FloatValue(x) => b.build_float_neg(x, "")?.into(),
                    BasicValueEnum::VectorValue(x) => b.build_float_neg(x, "")?.into(),
                    _ => return Err(self.malformed(format!("fneg of {aty}"))),
                };
                self.set_flags(v, flags);
                v
            }
            Opcode::Fabs => self.intrinsic("llvm.fabs", &[aty], &[a], flags)?,
            Opcode::Fsqrt => self.intrinsic("llvm.sqrt", &[aty], &[a], flags)?,
            Opcode::Ffloor => self.intrinsic("llvm.floor", &[aty], &[a], flags)?,
            Opcode::Fceil => self.intrinsic("llvm.ceil", &[aty], &[a], flags)?,
            Opcode::Ftrunc => self.intrinsic("llvm.trunc", &[aty], &[a], flags)?,
            Opcode::Fnearest => self.intrinsic("llvm.roundeven", &[aty], &[a], flags)?,
            Opcode::Fexp | Opcode::Flog | Opcode::Fsin | Opcode::Fcos => self.math_call(op, aty, &[a], flags)?,
            Opcode::Sext
            | Opcode::Zext
            | Opcode::Trunc
            | Opcode::Fpromote
            | Opcode::Fdemote
            | Opcode::Sitofp
            | Opcode::Uitofp
            | Opcode::Fptosi
            | Opcode::Fptoui
            | Opcode::Bitcast
            | Opcode::PtrToInt
            | Opcode::IntToPtr => self.convert(op, a, aty, rty)?,
            Opcode::Splat => self.splat(a, rty)?,
            Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax => self.reduce(op, a, aty, flags)?,
            _ => return Err(self.malformed(format!("{op} is not a unary operation"))),
        };
        self.define(inst, v)
    }

    pub(crate) fn binary(&mut self, inst: Inst, op: Opcode, args: [Value; 2], flags: FloatFlags) -> Result<()> {
        let (a, c) = (self.val(args[0])?, self.val(args[1])?);
        let ty = self.ty(args[0]);
        let b = &self.m.builder;
        let float = |fl: &Self, o: Op| -> Result<BasicValueEnum<'ctx>> {
            let v = fl.m.builder.build_binop(o, a, c, "")?;
            fl.set_flags(v, flags);
            Ok(v)
        };
        let v = match op {
            Opcode::Iadd => b.build_binop(Op::Add, a, c, "")?,
            Opcode::Isub => b.build_binop(Op::Sub, a, c, "")?,
            Opcode::Imul => b.build_binop(Op::Mul, a, c, "")?,
            Opcode::Sdiv | Opcode::Udiv | Opcode::Srem | Opcode::Urem => self.divide(op, a, c, ty)?,
            Opcode::Smin => self.intrinsic("llvm.smin", &[ty], &[a, c], FloatFlags::NONE)?,
            Opcode::Smax => self.intrinsic("llvm.smax", &[ty], &[a, c], FloatFlags::NONE)?,
            Opcode::Umin => self.intrinsic("llvm.umin", &[ty], &[a, c], FloatFlags::NONE)?,
            Opcode::Umax => self.intrinsic("llvm.umax", &[ty], &[a, c], FloatFlags::NONE)?,
            Opcode::Band => b.build_binop(Op::And, a, c, "")?,
            Opcode::Bor => b.build_binop(Op::Or, a, c, "")?,
            Opcode::Bxor => b.build_binop(Op::Xor, a, c, "")?,
            Opcode::Shl => self.shift(Op::Shl, a, c, ty, self.ty(args[1]))?,
            Opcode::Lshr => self.shift(Op::LShr, a, c, ty, self.ty(args[1]))?,
            Opcode::Ashr => self.shift(Op::AShr, a, c, ty, self.ty(args[1]))?,
            Opcode::Fadd => float(self, Op::FAdd)?,
            Opcode::Fsub => float(self, Op::FSub)?,
            Opcode::Fmul => float(self, Op::FMul)?,
            Opcode::Fdiv => float(self, Op::FDiv)?,
            Opcode::Fmin | Opcode::Fmax if !ty.is_vector() => {
                match (self.is_entry_param(args[0]), self.is_entry_param(args[1])) {
                    (false, true) => self.min_max_by_invariant(op == Opcode::Fmax, a, c)?,
                    (true, false) => self.min_max_by_invariant(op == Opcode::Fmax, c, a)?,
                    _ => self.scalar_min_max(op == Opcode::Fmax, a, c)?,
                }
            }
            Opcode::Fmin => self.intrinsic("llvm.minimum", &[ty], &[a, c], flags)?,
            Opcode::Fmax => self.intrinsic("llvm.maximum", &[ty], &[a, c], flags)?,
            Opcode::Fcopysign => self.intrinsic("llvm.copysign", &[ty], &[a, c], flags)?,
            Opcode::Fpow => self.math_call(op, ty, &[a, c], flags)?,
            Opcode::PtrAdd => {
                let (BasicValueEnum::PointerValue(p), BasicValueEnum::IntValue(off)) = (a, c) else {
                    return Err(self.malformed("ptr_add takes a ptr and an i64"));
                };
                // SAFETY: a GEP without `inbounds` is plain wrapping address arithmetic,
                // which is what `ptr_add` means; it has no undefined case.
                unsafe { b.build_gep(self.m.ctx.i8_type(), p, &[off], "")? }.into()
            }
            _ => return Err(self.malformed(format!("{op} is not a binary operation"))),
        };
        self.define(inst, v)
    }

    pub(crate) fn ternary(&mut self, inst: Inst, op: Opcode, args: [Value; 3], flags: FloatFlags) -> Result<()> {
        let [x, y, z] = [self.val(args[0])?, self.val(args[1])?, self.val(args[2])?];
        let v = match op {
            Opcode::Fma => self.intrinsic("llvm.fma", &[self.ty(args[0])], &[x, y, z], flags)?,
            Opcode::Select => {
                let b = &self.m.builder;
                match x {
                    BasicValueEnum::IntValue(c) => b.build_select(c, y, z, "")?,
                    BasicValueEnum::VectorValue(c) => b.build_select(c, y, z, "")?,
                    _ => return Err(self.malformed("select condition is not a bool")),
                }
            }
            _ => return Err(self.malformed(format!("{op} is not a ternary operation"))),
        };
        self.define(inst, v)
    }

    pub(crate) fn icmp(&mut self, inst: Inst, cond: IntCC, args: [Value; 2]) -> Result<()> {
        let (mut a, mut c) = (self.val(args[0])?, self.val(args[1])?);
        let b = &self.m.builder;
        if self.ty(args[0]).is_ptr() {
            let i64t = self.m.ctx.i64_type();
            a = b.build_cast(Op::PtrToInt, a, i64t, "")?;
            c = b.build_cast(Op::PtrToInt, c, i64t, "")?;
        }
        let pred = match cond {
            IntCC::Eq => IntPredicate::EQ,
            IntCC::Ne => IntPredicate::NE,
            IntCC::Slt => IntPredicate::SLT,
            IntCC::Sle => IntPredicate::SLE,
            IntCC::Sgt => IntPredicate::SGT,
            IntCC::Sge => IntPredicate::SGE,
            IntCC::Ult => IntPredicate::ULT,
            IntCC::Ule => IntPredicate::ULE,
            IntCC::Ugt => IntPredicate::UGT,
            IntCC::Uge => IntPredicate::UGE,
        };
        let v: BasicValueEnum = match (a, c) {
            (BasicValueEnum::IntValue(x), BasicValueEnum::IntValue(y)) => b.build_int_compare(pred, x, y, "")?.into(),
            (BasicValueEnum::VectorValue(x), BasicValueEnum::VectorValue(y)) => {
                b.build_int_compare(pred, x, y, "")?.into()
            }
            _ => return Err(self.malformed("icmp operands are not integers of one type")),
        };
        self.define(inst, v)
    }

    pub(crate) fn fcmp(&mut self, inst: Inst, cond: FloatCC, args: [Value; 2]) -> Result<()> {
        let (a, c) = (self.val(args[0])?, self.val(args[1])?);
        let pred = match cond {
            FloatCC::Eq => FloatPredicate::OEQ,
            // Rust's `!=`: true when unordered.
            FloatCC::Ne => FloatPredicate::UNE,
            FloatCC::Lt => FloatPredicate::OLT,
            FloatCC::Le => FloatPredicate::OLE,
            FloatCC::Gt => FloatPredicate::OGT,
            FloatCC::Ge => FloatPredicate::OGE,
            FloatCC::Ord => FloatPredicate::ORD,
            FloatCC::Uno => FloatPredicate::UNO,
        };
        let b = &self.m.builder;
        let v: BasicValueEnum = match (a, c) {
            (BasicValueEnum::FloatValue(x), BasicValueEnum::FloatValue(y)) => {
                b.build_float_compare(pred, x, y, "")?.into()
            }
            (BasicValueEnum::VectorValue(x), BasicValueEnum::VectorValue(y)) => {
                b.build_float_compare(pred, x, y, "")?.into()
            }
            _ => return Err(self.malformed("fcmp operands are not floats of one type")),
        };
        self.define(inst, v)
    }

    /// `sdiv udiv srem urem` on scalars, guarded as the module doc says.
    fn divide(
        &mut self,
        op: Opcode,
        a: BasicValueEnum<'ctx>,
        d: BasicValueEnum<'ctx>,
        ty: Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        let (BasicValueEnum::IntValue(a), BasicValueEnum::IntValue(d)) = (a, d) else {
            return Err(self.malformed(format!("{op} on {ty}: division is defined on integer scalars only")));
        };
        let t = d.get_type();
        let b = &self.m.builder;
        let is_zero = b.build_int_compare(IntPredicate::EQ, d, t.const_zero(), "")?;
        self.trap_if(is_zero, TrapCode::DivByZero)?;
        let b = &self.m.builder;
        Ok(match op {
            Opcode::Udiv => b.build_int_unsigned_div(a, d, "")?.into(),
            Opcode::Urem => b.build_int_unsigned_rem(a, d, "")?.into(),
            _ => {
                let minus_one = b.build_int_compare(IntPredicate::EQ, d, t.const_all_ones(), "")?;
                let safe = b.build_select(minus_one, t.const_int(1, false), d, "")?.into_int_value();
                if op == Opcode::Srem {
                    // x % 1 == 0 == x % -1, and MIN % -1 is never evaluated.
                    b.build_int_signed_rem(a, safe, "")?.into()
                } else {
                    let q = b.build_int_signed_div(a, safe, "")?;
                    let neg = b.build_int_sub(t.const_zero(), a, "")?;
                    b.build_select(minus_one, neg, q, "")?
                }
            }
        })
    }

    /// A shift with the amount taken modulo the lane width; a scalar amount applies to
    /// every lane of a vector.
    fn shift(
        &self,
        op: Op,
        a: BasicValueEnum<'ctx>,
        amount: BasicValueEnum<'ctx>,
        ty: Type,
        amount_ty: Type,
    ) -> Result<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        let mask = self.int_const(amount_ty, (ty.lane_bits() - 1) as u64)?;
        let mut amt = b.build_binop(Op::And, amount, mask, "")?;
        if ty.is_vector() && amount_ty.is_scalar() {
            amt = self.splat(amt, ty)?;
        }
        Ok(b.build_binop(op, a, amt, "")?)
    }

    /// A conversion `op` of `a` (of type `from`) to type `to`.
    fn convert(&self, op: Opcode, a: BasicValueEnum<'ctx>, from: Type, to: Type) -> Result<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        let tt = self.m.types.ty(to);
        if from == to && matches!(op, Opcode::Sext | Opcode::Zext | Opcode::Trunc | Opcode::Bitcast) {
            return Ok(a);
        }
        let cast = |o: Op| -> Result<BasicValueEnum<'ctx>> { Ok(b.build_cast(o, a, tt, "")?) };
        match op {
            Opcode::Sext => cast(Op::SExt),
            Opcode::Zext => cast(Op::ZExt),
            Opcode::Trunc => cast(Op::Trunc),
            Opcode::Fpromote => cast(Op::FPExt),
            Opcode::Fdemote => cast(Op::FPTrunc),
            Opcode::Sitofp => cast(Op::SIToFP),
            Opcode::Uitofp => cast(Op::UIToFP),
            Opcode::Fptosi => {
                self.intrinsic_tys("llvm.fptosi.sat", &[tt, self.m.types.ty(from)], &[a], FloatFlags::NONE)
            }
            Opcode::Fptoui => {
                self.intrinsic_tys("llvm.fptoui.sat", &[tt, self.m.types.ty(from)], &[a], FloatFlags::NONE)
            }
            Opcode::Bitcast if from.is_ptr() => cast(Op::PtrToInt),
            Opcode::Bitcast if to.is_ptr() => cast(Op::IntToPtr),
            Opcode::Bitcast => cast(Op::BitCast),
            Opcode::PtrToInt => cast(Op::PtrToInt),
            Opcode::IntToPtr => cast(Op::IntToPtr),
            _ => Err(self.malformed(format!("{op} is not a conversion"))),
        }
    }

    /// The zero of type `ty`.
    pub fn zero(&self, ty: Type) -> BasicValueEnum<'ctx> {
        self.m.types.ty(ty).const_zero()
    }

    /// Sets exactly the fast-math flags `flags` allows on `v`, if it is an instruction that
    /// can carry them (a constant-folded result carries nothing).
    pub fn set_flags(&self, v: BasicValueEnum<'ctx>, flags: FloatFlags) {
        if flags.is_empty() {
            return;
        }
        let mut fmf = FastMathFlags::empty();
        if flags.contains(FloatFlags::REASSOC) {
            fmf |= FastMathFlags::AllowReassoc;
        }
        if flags.contains(FloatFlags::CONTRACT) {
            fmf |= FastMathFlags::AllowContract;
        }
        if let Some(i) = v.as_instruction_value() {
            if i.can_use_fast_math_flags() {
                // Cannot fail: checked just above.
                let _ = i.set_fast_math_flags(fmf);
            }
        }
    }

    /// Calls intrinsic `name` overloaded on the LLVM types of the Strata types `tys`.
    pub fn intrinsic(
        &self,
        name: &str,
        tys: &[Type],
        args: &[BasicValueEnum<'ctx>],
        flags: FloatFlags,
    ) -> Result<BasicValueEnum<'ctx>> {
        let tys: Vec<BasicTypeEnum> = tys.iter().map(|&t| self.m.types.ty(t)).collect();
        self.intrinsic_tys(name, &tys, args, flags)
    }

    /// Calls intrinsic `name` overloaded on `tys`, with fast-math `flags`.
    pub fn intrinsic_tys(
        &self,
        name: &str,
        tys: &[BasicTypeEnum<'ctx>],
        args: &[BasicValueEnum<'ctx>],
        flags: FloatFlags,
    ) -> Result<BasicValueEnum<'ctx>> {
        let f: FunctionValue = self.m.intrinsic(name, tys)?;
        let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        let call = self.m.builder.build_call(f, &args, "")?;
        let v = call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CompileError::Internal(format!("intrinsic {name} returns nothing")))?;
        self.set_flags(v, flags);
        Ok(v)
    }

    /// IEEE-754-2019 `maximum` (`is_max`) or `minimum` of two scalar floats, branch-free:
    /// `uno ? a + b : (a == b ? bits(a) & bits(b) (max) or | (min) : (a > b) == is_max ? a : b)`.
    /// Every select is on a float compare, which x86 lowers to compare-and-blend; the
    /// intrinsic's lowering tests a sign bit instead, which x86 (without AVX-512) expands into
    /// branches that mispredict on mixed-sign data: ~0.5 µs per call of the overlap-add
    /// kernel, in its scalar remainder loop. The loop vectorizer turns this form into vector
    /// compares and blends. Equal operands differ only for ±0, where AND gives +0 (max) and OR
    /// gives −0 (min); a NaN operand makes `a + b` a NaN.
    fn scalar_min_max(
        &self,
        is_max: bool,
        a: BasicValueEnum<'ctx>,
        c: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let (BasicValueEnum::FloatValue(x), BasicValueEnum::FloatValue(y)) = (a, c) else {
            return Err(self.malformed("fmin/fmax take floats"));
        };
        let b = &self.m.builder;
        // Against a constant that is neither NaN nor ±0 (a clamp bound after specialization),
        // no tie can need the sign rule and only `x` can be NaN: `c > x ? c : x` (max) keeps a
        // NaN `x` because the ordered compare is false, and is one `maxss`/`maxps` on x86.
        let plain_constant = |v: FloatValue<'ctx>| constant_fp(v).is_some_and(|c| !c.is_nan() && c != 0.0);
        for (k, v) in [(y, x), (x, y)] {
            if plain_constant(k) {
                let order = if is_max { FloatPredicate::OGT } else { FloatPredicate::OLT };
                return Ok(b.build_select(b.build_float_compare(order, k, v, "")?, k, v, "")?);
            }
        }
        let int_ty = match x.get_type().get_bit_width() {
            32 => self.m.ctx.i32_type(),
            64 => self.m.ctx.i64_type(),
            w => return Err(self.malformed(format!("fmin/fmax on a {w}-bit float"))),
        };
        let order = if is_max { FloatPredicate::OGT } else { FloatPredicate::OLT };
        let pick = b.build_select(b.build_float_compare(order, x, y, "")?, x, y, "")?;
        let (xi, yi) =
            (b.build_bit_cast(x, int_ty, "")?.into_int_value(), b.build_bit_cast(y, int_ty, "")?.into_int_value());
        let merged = if is_max { b.build_and(xi, yi, "")? } else { b.build_or(xi, yi, "")? };
        let merged = b.build_bit_cast(merged, x.get_type(), "")?;
        let eq = b.build_select(b.build_float_compare(FloatPredicate::OEQ, x, y, "")?, merged, pick, "")?;
        let nan = b.build_float_add(x, y, "")?;
        Ok(b.build_select(b.build_float_compare(FloatPredicate::UNO, x, y, "")?, nan.into(), eq, "")?)
    }

    /// Whether `v` is a parameter of the entry block: the same value in every iteration of
    /// every loop, so what is computed from it alone LLVM hoists out of loops.
    fn is_entry_param(&self, v: Value) -> bool {
        matches!(self.func.dfg.value_def(v), strata_ir::ValueDef::Param(b, _) if Some(b) == self.func.entry_block())
    }

    /// IEEE-754-2019 `maximum` (`is_max`) or `minimum` of a scalar float `x` and a
    /// loop-invariant `b` (a clamp bound passed as a parameter), as one ordered compare and
    /// select against `b` plus work that depends on `b` only (hoisted out of loops). In a
    /// vector loop that is `addps` + `maxps` for `maximum` and `addps` + `cmpps` + `blendvps`
    /// for `minimum`, where the general form takes seven operations each:
    /// - `maximum`: `x' = x + z` with `z = copysign(0, b)` (or `b` itself when `b` is NaN);
    ///   `r = b > x' ? b : x'`. Adding a zero is exact, except that `-0 + +0 = +0`: when
    ///   `b >= +0` that turns a `-0` tie into `+0`, the larger zero. A NaN `x` or `b` makes
    ///   `x'` NaN, the compare false, and the result NaN.
    /// - `minimum`: `x' = x + w` with `w = -0` (exact for every `x`) or `b` when `b` is NaN;
    ///   `r = t < x' ? b : x'` with threshold `t = b`, or `-denorm_min` when `b` is `-0`
    ///   (so `x = +0`, which compares equal to `-0`, still yields `-0`).
    fn min_max_by_invariant(
        &self,
        is_max: bool,
        x: BasicValueEnum<'ctx>,
        bound: BasicValueEnum<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let (BasicValueEnum::FloatValue(x), BasicValueEnum::FloatValue(b)) = (x, bound) else {
            return Err(self.malformed("fmin/fmax take floats"));
        };
        let bd = &self.m.builder;
        let fty = x.get_type();
        let (int_ty, neg_zero, neg_denorm_min) = match fty.get_bit_width() {
            32 => (self.m.ctx.i32_type(), 0x8000_0000u64, 0x8000_0001u64),
            64 => (self.m.ctx.i64_type(), 0x8000_0000_0000_0000, 0x8000_0000_0000_0001),
            w => return Err(self.malformed(format!("fmin/fmax on a {w}-bit float"))),
        };
        let b_nan = bd.build_float_compare(FloatPredicate::UNO, b, b, "")?;
        if is_max {
            let args = [fty.const_zero().into(), b.into()];
            let zero = self.intrinsic_tys("llvm.copysign", &[fty.into()], &args, FloatFlags::NONE)?;
            let z = bd.build_select(b_nan, b, zero.into_float_value(), "")?.into_float_value();
            let xp = bd.build_float_add(x, z, "")?;
            let gt = bd.build_float_compare(FloatPredicate::OGT, b, xp, "")?;
            Ok(bd.build_select(gt, b, xp, "")?)
        } else {
            let w = bd.build_select(b_nan, b, fty.const_float(-0.0), "")?.into_float_value();
            let xp = bd.build_float_add(x, w, "")?;
            let bits = bd.build_bit_cast(b, int_ty, "")?.into_int_value();
            let is_neg_zero = bd.build_int_compare(IntPredicate::EQ, bits, int_ty.const_int(neg_zero, false), "")?;
            let dm = bd.build_bit_cast(int_ty.const_int(neg_denorm_min, false), fty, "")?.into_float_value();
            let t = bd.build_select(is_neg_zero, dm, b, "")?.into_float_value();
            let lt = bd.build_float_compare(FloatPredicate::OLT, t, xp, "")?;
            Ok(bd.build_select(lt, b, xp, "")?)
        }
    }

    /// Branches to the trap block of `code` when `cond` holds, and continues in a new block.
    pub fn trap_if(&mut self, cond: IntValue<'ctx>, code: TrapCode) -> Result<()> {
        let trap = self.trap_block(code)?;
        self.cold_branch(cond, trap)
    }
}

/// The value of `v` when it is an LLVM `ConstantFP`. inkwell's `FloatValue::get_constant`
/// only asks whether `v` is *a* constant and then reads it as a `ConstantFP`, which for
/// `poison`, `undef` or a constant expression reads unrelated memory (LLVM's C API does an
/// unchecked cast): a generated program with `fmax(x, poison)` crashed the JIT that way.
fn constant_fp(v: FloatValue<'_>) -> Option<f64> {
    use inkwell::values::AsValueRef;
    // SAFETY: `v` is a live value of the module being built; `LLVMIsAConstantFP` only reads
    // its kind and returns null unless it is a `ConstantFP`.
    let is_fp = unsafe { !llvm_sys::core::LLVMIsAConstantFP(v.as_value_ref()).is_null() };
    if is_fp {
        v.get_constant().map(|(c, _)| c)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::constant_fp;
    use inkwell::context::Context;

    /// Before the check, `poison` and `undef` came back as `Some` of whatever memory followed
    /// the value (and sometimes a segfault).
    #[test]
    fn only_constant_fp_values_have_a_constant() {
        let ctx = Context::create();
        let f32t = ctx.f32_type();
        assert_eq!(constant_fp(f32t.const_float(2.5)), Some(2.5));
        assert_eq!(constant_fp(ctx.f64_type().const_float(-0.0)).map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(constant_fp(f32t.get_poison()), None);
        assert_eq!(constant_fp(f32t.get_undef()), None);
        // A function parameter is no constant at all.
        let m = ctx.create_module("t");
        let f = m.add_function("f", f32t.fn_type(&[f32t.into()], false), None);
        let p = f.get_nth_param(0).map(|p| p.into_float_value());
        assert_eq!(p.and_then(constant_fp), None);
    }
}
