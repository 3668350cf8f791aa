//! Instruction selection: turns one IR instruction, or a fused group (`icmp` + `brif`,
//! `bounds_check` + `imul` + `load`/`store`), into ops specialized by type, checking the
//! operand types it relies on. Part of the decoder (`decode.rs` walks the function and
//! calls in here).

use crate::dfg::ValueDef;
use crate::entities::{Inst, Value};
use crate::instructions::{FloatCC, InstData, IntCC};
use crate::interp::code::{param_slots, CallSite, HostSite, Op, Slot};
use crate::interp::decode::{FuncDecoder, Res, DISCARD};
use crate::interp::ops::shift_of;
use crate::interp::value::slot_count;
use crate::interp::vector::VecInst;
use crate::opcode::Opcode;
use crate::types::{LaneType, Type};

impl FuncDecoder<'_> {
    /// Whether `inst` produces no op (its value is filled on frame entry).
    pub(super) fn is_const_like(&self, inst: Inst) -> bool {
        matches!(
            self.f.dfg.insts[inst],
            InstData::IntConst { .. }
                | InstData::FloatConst { .. }
                | InstData::BoolConst { .. }
                | InstData::DataAddr { .. }
                | InstData::StackAddr { .. }
        )
    }

    /// The value of an `i64` constant.
    fn i64_const(&self, v: Value) -> Option<u64> {
        let dfg = &self.f.dfg;
        if !self.defined[v] || dfg.value_type(v) != Type::I64 {
            return None;
        }
        let ValueDef::Result(inst) = dfg.value_def(v) else { return None };
        match dfg.insts[inst] {
            InstData::IntConst { imm } => Some(imm as u64),
            _ => None,
        }
    }

    /// Fuses the guarded array access frontends emit, `[bounds_check idx, len;]
    /// off = imul idx, 2^k; load/store base, off` (constants may sit in between), into
    /// one op when `off` has no other use. Returns the indices of the instructions it
    /// emitted, or `None` if the pattern does not match at `k`.
    pub(super) fn try_fused_access(&mut self, insts: &[Inst], k: usize) -> Res<Option<Vec<usize>>> {
        let dfg = &self.f.dfg;
        let last = insts.len() - 1; // the terminator
        let next = |mut j: usize| {
            while j < last && self.is_const_like(insts[j]) {
                j += 1;
            }
            (j < last).then_some(j)
        };
        let mut used = Vec::new();
        let mut j = k;
        let check = match dfg.insts[insts[j]] {
            InstData::BoundsCheck { args: [idx, len] } => {
                used.push(j);
                let Some(n) = next(j + 1) else { return Ok(None) };
                j = n;
                Some((idx, len))
            }
            _ => None,
        };
        let InstData::Binary { op: Opcode::Imul, args: [x, y], .. } = dfg.insts[insts[j]] else { return Ok(None) };
        let Some(off) = dfg.inst_result(insts[j]) else { return Ok(None) };
        let (idx, scale) = match (self.i64_const(y), self.i64_const(x)) {
            (Some(c), _) => (x, c),
            (None, Some(c)) => (y, c),
            _ => return Ok(None),
        };
        if !scale.is_power_of_two() || self.uses[off] != 1 || check.is_some_and(|(i, _)| i != idx) {
            return Ok(None);
        }
        used.push(j);
        let Some(m) = next(j + 1) else { return Ok(None) };
        used.push(m);
        // Operand types as the unfused instructions would check them.
        let (is, it) = self.val(insts[j], idx)?;
        if it != Type::I64 || !self.defined[off] || dfg.value_type(off) != Type::I64 {
            return Ok(None);
        }
        let len = match check {
            Some((_, len)) => {
                let (ls, lt) = self.val(insts[k], len)?;
                if lt != Type::I64 {
                    return Ok(None);
                }
                Some(ls)
            }
            None => None,
        };
        let sh = scale.trailing_zeros() as u8;
        let op = match dfg.insts[insts[m]] {
            InstData::Load { args: [base, o] } if o == off => {
                let (base, bt) = self.val(insts[m], base)?;
                let Some(r) = dfg.inst_result(insts[m]) else { return Ok(None) };
                let (d, t) = self.val(insts[m], r)?;
                if bt != Type::PTR || t.is_vector() {
                    return Ok(None);
                }
                match (t.bytes(), len) {
                    (Some(1), Some(len)) => Op::LoadChk8 { d, base, idx: is, len, sh },
                    (Some(2), Some(len)) => Op::LoadChk16 { d, base, idx: is, len, sh },
                    (Some(4), Some(len)) => Op::LoadChk32 { d, base, idx: is, len, sh },
                    (Some(8), Some(len)) => Op::LoadChk64 { d, base, idx: is, len, sh },
                    (Some(1), None) => Op::LoadIdx8 { d, base, idx: is, sh },
                    (Some(2), None) => Op::LoadIdx16 { d, base, idx: is, sh },
                    (Some(4), None) => Op::LoadIdx32 { d, base, idx: is, sh },
                    (Some(8), None) => Op::LoadIdx64 { d, base, idx: is, sh },
                    _ => return Ok(None),
                }
            }
            InstData::Store { args: [base, o, v] } if o == off => {
                let (base, bt) = self.val(insts[m], base)?;
                let (s, t) = self.val(insts[m], v)?;
                if bt != Type::PTR || t.is_vector() || dfg.inst_result(insts[m]).is_some() {
                    return Ok(None);
                }
                match (t.bytes(), len) {
                    (Some(1), Some(len)) => Op::StoreChk8 { base, idx: is, len, s, sh },
                    (Some(2), Some(len)) => Op::StoreChk16 { base, idx: is, len, s, sh },
                    (Some(4), Some(len)) => Op::StoreChk32 { base, idx: is, len, s, sh },
                    (Some(8), Some(len)) => Op::StoreChk64 { base, idx: is, len, s, sh },
                    (Some(1), None) => Op::StoreIdx8 { base, idx: is, s, sh },
                    (Some(2), None) => Op::StoreIdx16 { base, idx: is, s, sh },
                    (Some(4), None) => Op::StoreIdx32 { base, idx: is, s, sh },
                    (Some(8), None) => Op::StoreIdx64 { base, idx: is, s, sh },
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        self.code.push(op);
        Ok(Some(used))
    }

    /// Emits `icmp` + `brif` as one op if `brif` branches on the `icmp` and nothing else
    /// uses its result.
    pub(super) fn try_fused_branch(&mut self, cmp: Inst, br: Inst, bi: usize) -> Res<bool> {
        let dfg = &self.f.dfg;
        let (InstData::IntCompare { cond, args }, InstData::Brif { cond: c, then_dest, else_dest }) =
            (&dfg.insts[cmp], &dfg.insts[br])
        else {
            return Ok(false);
        };
        if dfg.inst_result(cmp) != Some(*c) || self.uses[*c] != 1 {
            return Ok(false);
        }
        let (cond, args) = (*cond, *args);
        let (a, at) = self.val(cmp, args[0])?;
        let (b, bt) = self.val(cmp, args[1])?;
        let (_, rt) = self.result(cmp)?;
        if !at.is_scalar() {
            return Ok(false);
        }
        self.check_icmp(cmp, at, bt, rt)?;
        let (then_dest, else_dest) = (then_dest.clone(), else_dest.clone());
        let t = self.edge_label(bi, &then_dest)?;
        let e = self.edge_label(bi, &else_dest)?;
        let sh = shift_of(at.lane()) as u8;
        self.code.push(match cond {
            IntCC::Eq => Op::BrEq { a, b, t, e, back: false },
            IntCC::Ne => Op::BrNe { a, b, t, e, back: false },
            IntCC::Ult => Op::BrUlt { a, b, t, e, back: false },
            IntCC::Ule => Op::BrUle { a, b, t, e, back: false },
            IntCC::Ugt => Op::BrUgt { a, b, t, e, back: false },
            IntCC::Uge => Op::BrUge { a, b, t, e, back: false },
            IntCC::Slt => Op::BrSlt { a, b, t, e, sh, back: false },
            IntCC::Sle => Op::BrSle { a, b, t, e, sh, back: false },
            IntCC::Sgt => Op::BrSgt { a, b, t, e, sh, back: false },
            IntCC::Sge => Op::BrSge { a, b, t, e, sh, back: false },
        });
        Ok(true)
    }

    pub(super) fn emit_inst(&mut self, inst: Inst) -> Res<()> {
        let data = self.f.dfg.insts[inst].clone();
        let op = data.opcode();
        self.ensure(op.format() == format_of(&data), || format!("{inst}: {op} does not take this operand format"))?;
        match data {
            // Filled on frame entry (see `assign_slots`).
            InstData::IntConst { .. }
            | InstData::FloatConst { .. }
            | InstData::BoolConst { .. }
            | InstData::DataAddr { .. }
            | InstData::StackAddr { .. } => {
                self.result(inst)?;
            }
            InstData::Unary { op, arg, .. } => self.emit_unary(inst, op, arg)?,
            InstData::Binary { op, args, .. } => self.emit_binary(inst, op, args)?,
            InstData::Ternary { op, args, .. } => self.emit_ternary(inst, op, args)?,
            InstData::IntCompare { cond, args } => {
                let (a, at) = self.val(inst, args[0])?;
                let (b, bt) = self.val(inst, args[1])?;
                let (d, rt) = self.result(inst)?;
                self.check_icmp(inst, at, bt, rt)?;
                if at.is_vector() {
                    self.push_vec(VecInst::Icmp { cc: cond, ty: at, d, a, b });
                } else {
                    let sh = shift_of(at.lane()) as u8;
                    self.code.push(match cond {
                        IntCC::Eq => Op::IcmpEq { d, a, b },
                        IntCC::Ne => Op::IcmpNe { d, a, b },
                        IntCC::Ult => Op::IcmpUlt { d, a, b },
                        IntCC::Ule => Op::IcmpUle { d, a, b },
                        IntCC::Ugt => Op::IcmpUgt { d, a, b },
                        IntCC::Uge => Op::IcmpUge { d, a, b },
                        IntCC::Slt => Op::IcmpSlt { d, a, b, sh },
                        IntCC::Sle => Op::IcmpSle { d, a, b, sh },
                        IntCC::Sgt => Op::IcmpSgt { d, a, b, sh },
                        IntCC::Sge => Op::IcmpSge { d, a, b, sh },
                    });
                }
            }
            InstData::FloatCompare { cond, args } => {
                let (a, at) = self.val(inst, args[0])?;
                let (b, bt) = self.val(inst, args[1])?;
                let (d, rt) = self.result(inst)?;
                self.ensure(at.is_float() && at == bt && rt == at.as_bool(), || {
                    format!(
                        "{inst}: fcmp needs two operands of one float type and a bool result, got {at}, {bt} -> {rt}"
                    )
                })?;
                if at.is_vector() {
                    self.push_vec(VecInst::Fcmp { cc: cond, ty: at, d, a, b });
                } else {
                    self.code.push(fcmp_op(cond, at.lane() == LaneType::F64, d, a, b));
                }
            }
            InstData::Load { args } => {
                let (base, off) = self.address(inst, args)?;
                let (d, t) = self.result(inst)?;
                self.ensure(t.bytes().is_some(), || format!("{inst}: cannot load {t}, which has no memory form"))?;
                self.code.push(match (t.is_vector(), t.bytes()) {
                    (false, Some(1)) => Op::Load8 { d, base, off },
                    (false, Some(2)) => Op::Load16 { d, base, off },
                    (false, Some(4)) => Op::Load32 { d, base, off },
                    (false, _) => Op::Load64 { d, base, off },
                    (true, _) => {
                        self.push_vec(VecInst::Load { ty: t, d, base, off });
                        return Ok(());
                    }
                });
            }
            InstData::Store { args } => {
                self.no_result(inst)?;
                let (base, off) = self.address(inst, [args[0], args[1]])?;
                let (s, t) = self.val(inst, args[2])?;
                self.ensure(t.bytes().is_some(), || format!("{inst}: cannot store {t}, which has no memory form"))?;
                self.code.push(match (t.is_vector(), t.bytes()) {
                    (false, Some(1)) => Op::Store8 { base, off, s },
                    (false, Some(2)) => Op::Store16 { base, off, s },
                    (false, Some(4)) => Op::Store32 { base, off, s },
                    (false, _) => Op::Store64 { base, off, s },
                    (true, _) => {
                        self.push_vec(VecInst::Store { ty: t, base, off, s });
                        return Ok(());
                    }
                });
            }
            InstData::BoundsCheck { args } => {
                self.no_result(inst)?;
                let (idx, it) = self.val(inst, args[0])?;
                let (len, lt) = self.val(inst, args[1])?;
                self.ensure(it == Type::I64 && lt == Type::I64, || {
                    format!("{inst}: bounds_check needs two i64 operands, got {it} and {lt}")
                })?;
                self.code.push(Op::BoundsCheck { idx, len });
            }
            InstData::ExtractLane { arg, lane } => {
                let (a, at) = self.val(inst, arg)?;
                let (d, rt) = self.result(inst)?;
                self.ensure(at.is_vector() && u32::from(lane) < at.lanes() && rt == at.lane_type(), || {
                    format!("{inst}: extractlane {lane} of {at} to {rt}")
                })?;
                self.push_vec(VecInst::Extract { ty: at, lane, d, a });
            }
            InstData::InsertLane { args, lane } => {
                let (a, at) = self.val(inst, args[0])?;
                let (x, xt) = self.val(inst, args[1])?;
                let (d, rt) = self.result(inst)?;
                self.ensure(
                    at.is_vector() && u32::from(lane) < at.lanes() && xt == at.lane_type() && rt == at,
                    || format!("{inst}: insertlane {lane} of {xt} into {at} giving {rt}"),
                )?;
                self.push_vec(VecInst::Insert { ty: at, lane, d, a, x });
            }
            InstData::Call { func, args } => self.emit_call(inst, func, &args)?,
            InstData::CallHost { func, args } => self.emit_call_host(inst, func, &args)?,
            InstData::Jump { .. } | InstData::Brif { .. } | InstData::Return { .. } | InstData::Trap { .. } => {
                return Err(self.err(format!("{inst}: terminator {op} before the end of its block")));
            }
        }
        Ok(())
    }

    /// The `ptr` base and `i64` offset operands of a load or store.
    fn address(&self, inst: Inst, args: [Value; 2]) -> Res<(Slot, Slot)> {
        let (base, bt) = self.val(inst, args[0])?;
        let (off, ot) = self.val(inst, args[1])?;
        self.ensure(bt == Type::PTR && ot == Type::I64, || {
            format!("{inst}: memory access needs a ptr base and an i64 offset, got {bt} and {ot}")
        })?;
        Ok((base, off))
    }

    fn check_icmp(&self, inst: Inst, at: Type, bt: Type, rt: Type) -> Res<()> {
        self.ensure((at.is_int() || at.is_ptr() || at.is_bool()) && at == bt && rt == at.as_bool(), || {
            format!("{inst}: icmp needs two operands of one integer, ptr or bool type and a bool result, got {at}, {bt} -> {rt}")
        })
    }

    fn emit_unary(&mut self, inst: Inst, op: Opcode, arg: Value) -> Res<()> {
        let (a, at) = self.val(inst, arg)?;
        let (d, rt) = self.result(inst)?;
        let bad = || format!("{inst}: {op} cannot take {at} to {rt}");
        let (lane, sh) = (at.lane(), shift_of(at.lane()) as u8);
        let is_f64 = lane == LaneType::F64;
        match op {
            Opcode::Ineg | Opcode::Bnot | Opcode::Popcnt | Opcode::Clz | Opcode::Ctz | Opcode::Bswap => {
                self.ensure(at == rt && (at.is_int() || (op == Opcode::Bnot && at.is_bool())), bad)?;
                if at.is_vector() {
                    self.push_vec(VecInst::Unary { op, ty: at, d, a });
                    return Ok(());
                }
                self.code.push(match op {
                    Opcode::Ineg => Op::Ineg { d, a, sh },
                    Opcode::Bnot => Op::Bnot { d, a, sh },
                    Opcode::Popcnt => Op::Popcnt { d, a },
                    Opcode::Clz => Op::Clz { d, a, sh },
                    Opcode::Ctz => Op::Ctz { d, a, sh },
                    _ => Op::Bswap { d, a, sh },
                });
            }
            Opcode::Fneg
            | Opcode::Fabs
            | Opcode::Fsqrt
            | Opcode::Ffloor
            | Opcode::Fceil
            | Opcode::Ftrunc
            | Opcode::Fnearest
            | Opcode::Fexp
            | Opcode::Flog
            | Opcode::Fsin
            | Opcode::Fcos => {
                self.ensure(at == rt && at.is_float(), bad)?;
                if at.is_vector() {
                    self.push_vec(VecInst::Unary { op, ty: at, d, a });
                    return Ok(());
                }
                self.code.push(float_unary_op(op, is_f64, d, a));
            }
            Opcode::Sext
            | Opcode::Zext
            | Opcode::Trunc
            | Opcode::Fpromote
            | Opcode::Fdemote
            | Opcode::Sitofp
            | Opcode::Uitofp
            | Opcode::Fptosi
            | Opcode::Fptoui => {
                let (f, t) = (at.lane(), rt.lane());
                let ok = at.lanes() == rt.lanes()
                    && match op {
                        Opcode::Sext | Opcode::Zext => {
                            (at.is_int() || at.is_bool()) && rt.is_int() && f.bits() <= t.bits()
                        }
                        Opcode::Trunc => at.is_int() && rt.is_int() && f.bits() >= t.bits(),
                        Opcode::Fpromote => f == LaneType::F32 && t == LaneType::F64,
                        Opcode::Fdemote => f == LaneType::F64 && t == LaneType::F32,
                        Opcode::Sitofp | Opcode::Uitofp => at.is_int() && rt.is_float(),
                        _ => at.is_float() && rt.is_int(),
                    };
                self.ensure(ok, bad)?;
                if at.is_vector() {
                    self.push_vec(VecInst::Convert { op, from: at, to: rt, d, a });
                    return Ok(());
                }
                let (fsh, tsh) = (shift_of(f) as u8, shift_of(t) as u8);
                let to_f64 = t == LaneType::F64;
                self.code.push(match op {
                    Opcode::Sext => Op::Sext { d, a, from: fsh, to: tsh },
                    Opcode::Zext => Op::Mov { d, s: a },
                    Opcode::Trunc => Op::Trunc { d, a, sh: tsh },
                    Opcode::Fpromote => Op::Fpromote { d, a },
                    Opcode::Fdemote => Op::Fdemote { d, a },
                    Opcode::Sitofp if to_f64 => Op::SitofpF64 { d, a, sh: fsh },
                    Opcode::Sitofp => Op::SitofpF32 { d, a, sh: fsh },
                    Opcode::Uitofp if to_f64 => Op::UitofpF64 { d, a },
                    Opcode::Uitofp => Op::UitofpF32 { d, a },
                    Opcode::Fptosi if is_f64 => Op::FptosiF64 { d, a, sh: tsh },
                    Opcode::Fptosi => Op::FptosiF32 { d, a, sh: tsh },
                    Opcode::Fptoui if is_f64 => Op::FptouiF64 { d, a, sh: tsh },
                    _ => Op::FptouiF32 { d, a, sh: tsh },
                });
            }
            Opcode::Bitcast => {
                // Registers hold the little-endian bytes of every type with a memory form,
                // so a bitcast between equal widths copies the slots.
                self.ensure(at.bytes().is_some() && at.bytes() == rt.bytes(), bad)?;
                if at.is_scalar() && rt.is_scalar() {
                    self.code.push(Op::Mov { d, s: a });
                } else {
                    self.push_vec(VecInst::Copy { d, s: a, n: slot_count(rt) as u32 });
                }
            }
            Opcode::PtrToInt | Opcode::IntToPtr => {
                let ok = if op == Opcode::PtrToInt {
                    at == Type::PTR && rt == Type::I64
                } else {
                    at == Type::I64 && rt == Type::PTR
                };
                self.ensure(ok, bad)?;
                self.code.push(Op::Mov { d, s: a });
            }
            Opcode::Splat => {
                self.ensure(at.is_scalar() && rt.is_vector() && rt.lane_type() == at, bad)?;
                self.push_vec(VecInst::Splat { ty: rt, d, a });
            }
            Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax => {
                self.ensure(at.is_vector() && (at.is_int() || at.is_float()) && rt == at.lane_type(), bad)?;
                self.push_vec(VecInst::Reduce { op, ty: at, d, a });
            }
            _ => return Err(self.err(format!("{inst}: {op} is not a unary operation"))),
        }
        Ok(())
    }

    fn emit_binary(&mut self, inst: Inst, op: Opcode, args: [Value; 2]) -> Res<()> {
        let (a, at) = self.val(inst, args[0])?;
        let (b, bt) = self.val(inst, args[1])?;
        let (d, rt) = self.result(inst)?;
        let bad = || format!("{inst}: {op} cannot take {at}, {bt} to {rt}");
        let lane = at.lane();
        let sh = shift_of(lane) as u8;
        match op {
            Opcode::PtrAdd => {
                self.ensure(at == Type::PTR && bt == Type::I64 && rt == Type::PTR, bad)?;
                self.code.push(Op::Iadd64 { d, a, b });
                return Ok(());
            }
            Opcode::Shl | Opcode::Lshr | Opcode::Ashr => {
                // The amount is a scalar (of the lane type in verified IR); only its value
                // modulo the width matters.
                self.ensure(at.is_int() && rt == at && bt.is_int() && bt.is_scalar(), bad)?;
            }
            Opcode::Iadd
            | Opcode::Isub
            | Opcode::Imul
            | Opcode::Sdiv
            | Opcode::Udiv
            | Opcode::Srem
            | Opcode::Urem
            | Opcode::Smin
            | Opcode::Smax
            | Opcode::Umin
            | Opcode::Umax => self.ensure(at.is_int() && at == bt && at == rt, bad)?,
            Opcode::Band | Opcode::Bor | Opcode::Bxor => {
                self.ensure((at.is_int() || at.is_bool()) && at == bt && at == rt, bad)?
            }
            Opcode::Fadd
            | Opcode::Fsub
            | Opcode::Fmul
            | Opcode::Fdiv
            | Opcode::Fmin
            | Opcode::Fmax
            | Opcode::Fcopysign
            | Opcode::Fpow => self.ensure(at.is_float() && at == bt && at == rt, bad)?,
            _ => return Err(self.err(format!("{inst}: {op} is not a binary operation"))),
        }
        if at.is_vector() {
            self.push_vec(VecInst::Binary { op, ty: at, d, a, b });
            return Ok(());
        }
        let f64 = lane == LaneType::F64;
        self.code.push(match op {
            Opcode::Iadd if sh == 0 => Op::Iadd64 { d, a, b },
            Opcode::Iadd => Op::Iadd { d, a, b, sh },
            Opcode::Isub => Op::Isub { d, a, b, sh },
            Opcode::Imul if sh == 0 => Op::Imul64 { d, a, b },
            Opcode::Imul => Op::Imul { d, a, b, sh },
            Opcode::Sdiv => Op::Sdiv { d, a, b, sh },
            Opcode::Udiv => Op::Udiv { d, a, b },
            Opcode::Srem => Op::Srem { d, a, b, sh },
            Opcode::Urem => Op::Urem { d, a, b },
            Opcode::Smin => Op::Smin { d, a, b, sh },
            Opcode::Smax => Op::Smax { d, a, b, sh },
            Opcode::Umin => Op::Umin { d, a, b },
            Opcode::Umax => Op::Umax { d, a, b },
            Opcode::Band => Op::Band { d, a, b },
            Opcode::Bor => Op::Bor { d, a, b },
            Opcode::Bxor => Op::Bxor { d, a, b },
            Opcode::Shl => Op::Shl { d, a, b, sh },
            Opcode::Lshr => Op::Lshr { d, a, b, sh },
            Opcode::Ashr => Op::Ashr { d, a, b, sh },
            Opcode::Fadd if f64 => Op::FaddF64 { d, a, b },
            Opcode::Fadd => Op::FaddF32 { d, a, b },
            Opcode::Fsub if f64 => Op::FsubF64 { d, a, b },
            Opcode::Fsub => Op::FsubF32 { d, a, b },
            Opcode::Fmul if f64 => Op::FmulF64 { d, a, b },
            Opcode::Fmul => Op::FmulF32 { d, a, b },
            Opcode::Fdiv if f64 => Op::FdivF64 { d, a, b },
            Opcode::Fdiv => Op::FdivF32 { d, a, b },
            Opcode::Fmin if f64 => Op::FminF64 { d, a, b },
            Opcode::Fmin => Op::FminF32 { d, a, b },
            Opcode::Fmax if f64 => Op::FmaxF64 { d, a, b },
            Opcode::Fmax => Op::FmaxF32 { d, a, b },
            Opcode::Fcopysign if f64 => Op::FcopysignF64 { d, a, b },
            Opcode::Fcopysign => Op::FcopysignF32 { d, a, b },
            Opcode::Fpow if f64 => Op::FpowF64 { d, a, b },
            _ => Op::FpowF32 { d, a, b },
        });
        Ok(())
    }

    fn emit_ternary(&mut self, inst: Inst, op: Opcode, args: [Value; 3]) -> Res<()> {
        let (x, xt) = self.val(inst, args[0])?;
        let (y, yt) = self.val(inst, args[1])?;
        let (z, zt) = self.val(inst, args[2])?;
        let (d, rt) = self.result(inst)?;
        let bad = || format!("{inst}: {op} cannot take {xt}, {yt}, {zt} to {rt}");
        match op {
            Opcode::Fma => {
                self.ensure(xt.is_float() && xt == yt && xt == zt && xt == rt, bad)?;
                if xt.is_vector() {
                    self.push_vec(VecInst::Fma { ty: xt, d, a: x, b: y, c: z });
                } else if xt.lane() == LaneType::F64 {
                    self.code.push(Op::FmaF64 { d, a: x, b: y, c: z });
                } else {
                    self.code.push(Op::FmaF32 { d, a: x, b: y, c: z });
                }
            }
            Opcode::Select => {
                let lanewise = xt.is_vector();
                let ok = xt.is_bool() && yt == zt && yt == rt && (!lanewise || (yt.lanes() == xt.lanes()));
                self.ensure(ok, bad)?;
                if yt.is_scalar() {
                    self.code.push(Op::Select { d, c: x, a: y, b: z });
                } else {
                    self.push_vec(VecInst::Select { ty: yt, lanewise, d, c: x, a: y, b: z });
                }
            }
            _ => return Err(self.err(format!("{inst}: {op} is not a ternary operation"))),
        }
        Ok(())
    }

    fn emit_call(&mut self, inst: Inst, func: crate::FuncId, args: &[Value]) -> Res<()> {
        let callee =
            self.m.functions.get(func).ok_or_else(|| self.err(format!("{inst} calls {func}, which does not exist")))?;
        let ptypes = callee.sig.abi_params();
        self.ensure(ptypes.len() == args.len(), || {
            format!("{inst} passes {} arguments to `{}`, which takes {}", args.len(), callee.name, ptypes.len())
        })?;
        let (pslots, _) = param_slots(&ptypes);
        let mut copies = Vec::new();
        for ((&a, &pt), &ps) in args.iter().zip(&ptypes).zip(&pslots) {
            let (s, at) = self.val(inst, a)?;
            self.ensure(at == pt, || format!("{inst} passes {a}: {at} to `{}` where {pt} is expected", callee.name))?;
            for k in 0..slot_count(pt) as u32 {
                copies.push((ps + k, s + k));
            }
        }
        let ret = match (self.f.dfg.inst_result(inst), callee.sig.ret) {
            (Some(_), Some(t)) => {
                let (d, rt) = self.result(inst)?;
                self.ensure(rt == t, || format!("{inst}: `{}` returns {t}, not {rt}", callee.name))?;
                d
            }
            (None, _) => DISCARD,
            (Some(_), None) => {
                return Err(self.err(format!("{inst} uses the result of `{}`, which returns nothing", callee.name)))
            }
        };
        let site = self.calls.len() as u32;
        self.calls.push(CallSite { callee: func.as_u32(), args: copies, ret });
        self.code.push(Op::Call { site });
        Ok(())
    }

    fn emit_call_host(&mut self, inst: Inst, func: crate::ExternId, args: &[Value]) -> Res<()> {
        let ext =
            self.m.externs.get(func).ok_or_else(|| self.err(format!("{inst} calls {func}, which does not exist")))?;
        self.ensure(ext.params.len() == args.len(), || {
            format!(
                "{inst} passes {} arguments to host function `{}`, which takes {}",
                args.len(),
                ext.name,
                ext.params.len()
            )
        })?;
        let mut slots = Vec::new();
        for (&a, &pt) in args.iter().zip(&ext.params) {
            let (s, at) = self.val(inst, a)?;
            self.ensure(at == pt, || {
                format!("{inst} passes {a}: {at} to host function `{}` where {pt} is expected", ext.name)
            })?;
            slots.push((s, at));
        }
        let ret = match (self.f.dfg.inst_result(inst), ext.ret) {
            (Some(_), Some(t)) => {
                let (d, rt) = self.result(inst)?;
                self.ensure(rt == t, || format!("{inst}: host function `{}` returns {t}, not {rt}", ext.name))?;
                Some((d, t))
            }
            (None, _) => None,
            (Some(_), None) => {
                return Err(
                    self.err(format!("{inst} uses the result of host function `{}`, which returns nothing", ext.name))
                )
            }
        };
        let site = self.host_calls.len() as u32;
        self.host_calls.push(HostSite { ext: func.as_u32(), args: slots, ret });
        self.code.push(Op::CallHost { site });
        Ok(())
    }
}

/// The format an instruction's data has (to check it against its opcode's).
fn format_of(data: &InstData) -> crate::opcode::Format {
    use crate::opcode::Format;
    match data {
        InstData::IntConst { .. } => Format::IntConst,
        InstData::FloatConst { .. } => Format::FloatConst,
        InstData::BoolConst { .. } => Format::BoolConst,
        InstData::Unary { .. } => Format::Unary,
        InstData::Binary { .. } => Format::Binary,
        InstData::Ternary { .. } => Format::Ternary,
        InstData::IntCompare { .. } => Format::IntCompare,
        InstData::FloatCompare { .. } => Format::FloatCompare,
        InstData::Load { .. } => Format::Load,
        InstData::Store { .. } => Format::Store,
        InstData::BoundsCheck { .. } => Format::BoundsCheck,
        InstData::StackAddr { .. } => Format::StackAddr,
        InstData::DataAddr { .. } => Format::DataAddr,
        InstData::ExtractLane { .. } => Format::ExtractLane,
        InstData::InsertLane { .. } => Format::InsertLane,
        InstData::Call { .. } => Format::Call,
        InstData::CallHost { .. } => Format::CallHost,
        InstData::Jump { .. } => Format::Jump,
        InstData::Brif { .. } => Format::Brif,
        InstData::Return { .. } => Format::Return,
        InstData::Trap { .. } => Format::Trap,
    }
}

fn float_unary_op(op: Opcode, f64: bool, d: Slot, a: Slot) -> Op {
    match (op, f64) {
        (Opcode::Fneg, false) => Op::FnegF32 { d, a },
        (Opcode::Fneg, true) => Op::FnegF64 { d, a },
        (Opcode::Fabs, false) => Op::FabsF32 { d, a },
        (Opcode::Fabs, true) => Op::FabsF64 { d, a },
        (Opcode::Fsqrt, false) => Op::FsqrtF32 { d, a },
        (Opcode::Fsqrt, true) => Op::FsqrtF64 { d, a },
        (Opcode::Ffloor, false) => Op::FfloorF32 { d, a },
        (Opcode::Ffloor, true) => Op::FfloorF64 { d, a },
        (Opcode::Fceil, false) => Op::FceilF32 { d, a },
        (Opcode::Fceil, true) => Op::FceilF64 { d, a },
        (Opcode::Ftrunc, false) => Op::FtruncF32 { d, a },
        (Opcode::Ftrunc, true) => Op::FtruncF64 { d, a },
        (Opcode::Fnearest, false) => Op::FnearestF32 { d, a },
        (Opcode::Fnearest, true) => Op::FnearestF64 { d, a },
        (Opcode::Fexp, false) => Op::FexpF32 { d, a },
        (Opcode::Fexp, true) => Op::FexpF64 { d, a },
        (Opcode::Flog, false) => Op::FlogF32 { d, a },
        (Opcode::Flog, true) => Op::FlogF64 { d, a },
        (Opcode::Fsin, false) => Op::FsinF32 { d, a },
        (Opcode::Fsin, true) => Op::FsinF64 { d, a },
        (_, false) => Op::FcosF32 { d, a },
        (_, true) => Op::FcosF64 { d, a },
    }
}

fn fcmp_op(cc: FloatCC, f64: bool, d: Slot, a: Slot, b: Slot) -> Op {
    match (cc, f64) {
        (FloatCC::Eq, false) => Op::FcmpEqF32 { d, a, b },
        (FloatCC::Ne, false) => Op::FcmpNeF32 { d, a, b },
        (FloatCC::Lt, false) => Op::FcmpLtF32 { d, a, b },
        (FloatCC::Le, false) => Op::FcmpLeF32 { d, a, b },
        (FloatCC::Gt, false) => Op::FcmpGtF32 { d, a, b },
        (FloatCC::Ge, false) => Op::FcmpGeF32 { d, a, b },
        (FloatCC::Ord, false) => Op::FcmpOrdF32 { d, a, b },
        (FloatCC::Uno, false) => Op::FcmpUnoF32 { d, a, b },
        (FloatCC::Eq, true) => Op::FcmpEqF64 { d, a, b },
        (FloatCC::Ne, true) => Op::FcmpNeF64 { d, a, b },
        (FloatCC::Lt, true) => Op::FcmpLtF64 { d, a, b },
        (FloatCC::Le, true) => Op::FcmpLeF64 { d, a, b },
        (FloatCC::Gt, true) => Op::FcmpGtF64 { d, a, b },
        (FloatCC::Ge, true) => Op::FcmpGeF64 { d, a, b },
        (FloatCC::Ord, true) => Op::FcmpOrdF64 { d, a, b },
        (FloatCC::Uno, true) => Op::FcmpUnoF64 { d, a, b },
    }
}
