//! Vector instructions (and scalar shapes too rare to specialize), executed lane by lane
//! through the generic evaluators of `ops.rs`, so a vector lane computes exactly what the
//! scalar op computes. Vectors sit in consecutive register slots as little-endian lane
//! bytes (see `value.rs`); each instruction reads its operands into [`VectorVal`]s, works
//! on those, and writes the result back, so operands may share slots with the result.

use crate::instructions::{FloatCC, IntCC, TrapCode};
use crate::interp::code::Slot;
use crate::interp::memory::Memory;
use crate::interp::ops;
use crate::interp::value::{slot_count, vector_bytes, VectorVal};
use crate::opcode::Opcode;
use crate::types::{LaneType, Type};

/// A lane-wise (or whole-vector) instruction. `ty` is the vector type named in each
/// variant's doc.
#[derive(Clone, Debug, PartialEq)]
#[rustfmt::skip] // A table: one instruction per line.
pub(crate) enum VecInst {
    /// Same-type unary op; `ty` of operand and result.
    Unary { op: Opcode, ty: Type, d: Slot, a: Slot },
    /// Same-type binary op; for shifts `b` is a scalar amount. `ty` of `a` and the result.
    Binary { op: Opcode, ty: Type, d: Slot, a: Slot, b: Slot },
    Fma { ty: Type, d: Slot, a: Slot, b: Slot, c: Slot },
    /// `select` of `ty` values with a bool-vector condition (lane-wise) or a scalar one.
    Select { ty: Type, lanewise: bool, d: Slot, c: Slot, a: Slot, b: Slot },
    /// `ty` of the operands; the result is the bool vector of the same shape.
    Icmp { cc: IntCC, ty: Type, d: Slot, a: Slot, b: Slot },
    Fcmp { cc: FloatCC, ty: Type, d: Slot, a: Slot, b: Slot },
    /// Lane-wise conversion between vectors of equal lane counts.
    Convert { op: Opcode, from: Type, to: Type, d: Slot, a: Slot },
    /// Copies `n` slots (bitcasts; selects of whole vectors are `Select`).
    Copy { d: Slot, s: Slot, n: u32 },
    Splat { ty: Type, d: Slot, a: Slot },
    Extract { ty: Type, lane: u8, d: Slot, a: Slot },
    Insert { ty: Type, lane: u8, d: Slot, a: Slot, x: Slot },
    /// `reduce_add`/`reduce_min`/`reduce_max` of a `ty` vector to its lane type.
    Reduce { op: Opcode, ty: Type, d: Slot, a: Slot },
    Load { ty: Type, d: Slot, base: Slot, off: Slot },
    Store { ty: Type, base: Slot, off: Slot, s: Slot },
}

/// Reads the vector of type `ty` at slot `s`. The decoder keeps every operand's slots
/// inside the window; an out-of-range read gives zeros rather than a panic.
fn get(r: &[u64], ty: Type, s: Slot) -> VectorVal {
    let s = s as usize;
    VectorVal::read_slots(ty, r.get(s..s + slot_count(ty)).unwrap_or(&[]))
}

fn put(r: &mut [u64], v: &VectorVal, d: Slot) {
    let d = d as usize;
    if let Some(slots) = r.get_mut(d..d + slot_count(v.ty())) {
        v.write_slots(slots);
    }
}

fn scalar(r: &[u64], s: Slot) -> u64 {
    r.get(s as usize).copied().unwrap_or(0)
}

fn set_scalar(r: &mut [u64], d: Slot, x: u64) {
    if let Some(slot) = r.get_mut(d as usize) {
        *slot = x;
    }
}

fn zero(ty: Type) -> VectorVal {
    VectorVal::blank(ty)
}

/// Runs one vector instruction on the frame's registers.
pub(crate) fn exec(vi: &VecInst, r: &mut [u64], mem: &mut Memory<'_>) -> Result<(), TrapCode> {
    match *vi {
        VecInst::Unary { op, ty, d, a } => {
            let x = get(r, ty, a);
            let mut out = zero(ty);
            for i in 0..x.lanes() {
                out.set_lane_bits(i, ops::eval_unary(op, ty.lane(), x.lane_bits(i)));
            }
            put(r, &out, d);
        }
        VecInst::Binary { op, ty, d, a, b } => {
            let x = get(r, ty, a);
            let is_shift = matches!(op, Opcode::Shl | Opcode::Lshr | Opcode::Ashr);
            let amount = scalar(r, b);
            let y = if is_shift { x } else { get(r, ty, b) };
            let mut out = zero(ty);
            for i in 0..x.lanes() {
                let yb = if is_shift { amount } else { y.lane_bits(i) };
                out.set_lane_bits(i, ops::eval_binary(op, ty.lane(), x.lane_bits(i), yb)?);
            }
            put(r, &out, d);
        }
        VecInst::Fma { ty, d, a, b, c } => {
            let (x, y, z) = (get(r, ty, a), get(r, ty, b), get(r, ty, c));
            let mut out = zero(ty);
            for i in 0..x.lanes() {
                out.set_lane_bits(i, ops::eval_fma(ty.lane(), x.lane_bits(i), y.lane_bits(i), z.lane_bits(i)));
            }
            put(r, &out, d);
        }
        VecInst::Select { ty, lanewise, d, c, a, b } => {
            let (x, y) = (get(r, ty, a), get(r, ty, b));
            let out = if lanewise {
                let cond = get(r, ty.as_bool(), c);
                let mut out = zero(ty);
                for i in 0..x.lanes() {
                    out.set_lane_bits(i, if cond.lane_bits(i) != 0 { x.lane_bits(i) } else { y.lane_bits(i) });
                }
                out
            } else if scalar(r, c) != 0 {
                x
            } else {
                y
            };
            put(r, &out, d);
        }
        VecInst::Icmp { cc, ty, d, a, b } => {
            let (x, y) = (get(r, ty, a), get(r, ty, b));
            let sh = ops::shift_of(ty.lane());
            let mut out = zero(ty.as_bool());
            for i in 0..x.lanes() {
                out.set_lane_bits(i, ops::icmp(cc, x.lane_bits(i), y.lane_bits(i), sh) as u64);
            }
            put(r, &out, d);
        }
        VecInst::Fcmp { cc, ty, d, a, b } => {
            let (x, y) = (get(r, ty, a), get(r, ty, b));
            let mut out = zero(ty.as_bool());
            for i in 0..x.lanes() {
                out.set_lane_bits(i, ops::eval_fcmp(cc, ty.lane(), x.lane_bits(i), y.lane_bits(i)) as u64);
            }
            put(r, &out, d);
        }
        VecInst::Convert { op, from, to, d, a } => {
            let x = get(r, from, a);
            let mut out = zero(to);
            for i in 0..x.lanes() {
                out.set_lane_bits(i, ops::eval_convert(op, from.lane(), to.lane(), x.lane_bits(i)));
            }
            put(r, &out, d);
        }
        VecInst::Copy { d, s, n } => {
            let (d, s, n) = (d as usize, s as usize, n as usize);
            if s + n <= r.len() && d + n <= r.len() {
                r.copy_within(s..s + n, d);
            }
        }
        VecInst::Splat { ty, d, a } => {
            let x = scalar(r, a);
            let mut out = zero(ty);
            for i in 0..out.lanes() {
                out.set_lane_bits(i, x);
            }
            put(r, &out, d);
        }
        VecInst::Extract { ty, lane, d, a } => {
            let x = get(r, ty, a);
            set_scalar(r, d, x.lane_bits(lane as usize));
        }
        VecInst::Insert { ty, lane, d, a, x } => {
            let mut v = get(r, ty, a);
            v.set_lane_bits(lane as usize, scalar(r, x));
            put(r, &v, d);
        }
        VecInst::Reduce { op, ty, d, a } => {
            let x = get(r, ty, a);
            set_scalar(r, d, reduce(op, ty.lane(), &x));
        }
        VecInst::Load { ty, d, base, off } => {
            let addr = scalar(r, base).wrapping_add(scalar(r, off));
            let mut bytes = [0u8; 64];
            let n = vector_bytes(ty).min(64);
            mem.load_bytes(addr, &mut bytes[..n])?;
            let v = VectorVal::new(ty, &bytes[..n]).unwrap_or_else(|| zero(ty));
            put(r, &v, d);
        }
        VecInst::Store { ty, base, off, s } => {
            let addr = scalar(r, base).wrapping_add(scalar(r, off));
            let v = get(r, ty, s);
            mem.store_bytes(addr, v.as_bytes())?;
        }
    }
    Ok(())
}

/// `reduce_add` adds in lane order (`((l0 + l1) + l2) + …`, wrapping for integers; the
/// `reassoc` flag allows other orders but the interpreter never uses one);
/// `reduce_min`/`reduce_max` are signed for integers and follow `fmin`/`fmax` for floats.
fn reduce(op: Opcode, lane: LaneType, x: &VectorVal) -> u64 {
    let sh = ops::shift_of(lane);
    let mut acc = x.lane_bits(0);
    for i in 1..x.lanes() {
        let l = x.lane_bits(i);
        acc = match (op, lane) {
            (Opcode::ReduceAdd, LaneType::F32 | LaneType::F64) => {
                ops::eval_binary(Opcode::Fadd, lane, acc, l).unwrap_or(0)
            }
            (Opcode::ReduceAdd, _) => ops::iadd(acc, l, sh),
            (Opcode::ReduceMin, LaneType::F32 | LaneType::F64) => {
                ops::eval_binary(Opcode::Fmin, lane, acc, l).unwrap_or(0)
            }
            (Opcode::ReduceMin, _) => ops::smin(acc, l, sh),
            (Opcode::ReduceMax, LaneType::F32 | LaneType::F64) => {
                ops::eval_binary(Opcode::Fmax, lane, acc, l).unwrap_or(0)
            }
            (_, _) => ops::smax(acc, l, sh),
        };
    }
    acc
}
