//! The decoded form the interpreter runs: per function, a flat `Vec<Op>` over a window of
//! `u64` register slots, plus side tables for the rare, bulky instructions (calls, vector
//! operations). `decode.rs` builds it once per module; `exec.rs` runs it.
//!
//! Operands are slot indices relative to the frame's window; branch targets are indices
//! into the function's code. Ops are specialized at decode time by type (`FaddF32`,
//! `Load32`) or carry the integer width as `sh = 64 - width` (see `ops.rs`), so the loop
//! never looks at a type. Constants, `data_addr` and `stack_addr` have no op: their slots
//! are filled when a frame is entered. A `brif` on a compare just before it is fused
//! (`BrSlt`, …), and so is the guarded array access frontends emit (`LoadChk32`, …).
//! Block-parameter copies are plain `Mov`s, inline before a `br` or in a stub
//! after the function's blocks for the edges of a `brif`.

use crate::instructions::TrapCode;
use crate::interp::memory::StackLayout;
use crate::interp::vector::VecInst;
use crate::signature::Signature;
use crate::types::Type;

/// A register slot index within a frame's window.
pub(crate) type Slot = u32;

/// One decoded operation. Every op reads all its operands before it writes its result,
/// which the decoder relies on when it lets a result overwrite a block parameter.
#[derive(Copy, Clone, Debug, PartialEq)]
#[rustfmt::skip] // A table: one op per line reads better than rustfmt's one field per line.
pub(crate) enum Op {
    /// Copies one slot.
    Mov { d: Slot, s: Slot },
    /// Scalar `select`: `d = c ? a : b`.
    Select { d: Slot, c: Slot, a: Slot, b: Slot },

    // ---- integers, width given by `sh` ----
    Iadd { d: Slot, a: Slot, b: Slot, sh: u8 },
    Isub { d: Slot, a: Slot, b: Slot, sh: u8 },
    Imul { d: Slot, a: Slot, b: Slot, sh: u8 },
    /// 64-bit add without a mask (`i64`, `ptr_add`).
    Iadd64 { d: Slot, a: Slot, b: Slot },
    Imul64 { d: Slot, a: Slot, b: Slot },
    Band { d: Slot, a: Slot, b: Slot },
    Bor { d: Slot, a: Slot, b: Slot },
    Bxor { d: Slot, a: Slot, b: Slot },
    Bnot { d: Slot, a: Slot, sh: u8 },
    Ineg { d: Slot, a: Slot, sh: u8 },
    Shl { d: Slot, a: Slot, b: Slot, sh: u8 },
    Lshr { d: Slot, a: Slot, b: Slot, sh: u8 },
    Ashr { d: Slot, a: Slot, b: Slot, sh: u8 },
    Smin { d: Slot, a: Slot, b: Slot, sh: u8 },
    Smax { d: Slot, a: Slot, b: Slot, sh: u8 },
    Umin { d: Slot, a: Slot, b: Slot },
    Umax { d: Slot, a: Slot, b: Slot },
    Sdiv { d: Slot, a: Slot, b: Slot, sh: u8 },
    Srem { d: Slot, a: Slot, b: Slot, sh: u8 },
    Udiv { d: Slot, a: Slot, b: Slot },
    Urem { d: Slot, a: Slot, b: Slot },
    Popcnt { d: Slot, a: Slot },
    Clz { d: Slot, a: Slot, sh: u8 },
    Ctz { d: Slot, a: Slot, sh: u8 },
    Bswap { d: Slot, a: Slot, sh: u8 },
    IcmpEq { d: Slot, a: Slot, b: Slot },
    IcmpNe { d: Slot, a: Slot, b: Slot },
    IcmpUlt { d: Slot, a: Slot, b: Slot },
    IcmpUle { d: Slot, a: Slot, b: Slot },
    IcmpUgt { d: Slot, a: Slot, b: Slot },
    IcmpUge { d: Slot, a: Slot, b: Slot },
    IcmpSlt { d: Slot, a: Slot, b: Slot, sh: u8 },
    IcmpSle { d: Slot, a: Slot, b: Slot, sh: u8 },
    IcmpSgt { d: Slot, a: Slot, b: Slot, sh: u8 },
    IcmpSge { d: Slot, a: Slot, b: Slot, sh: u8 },

    // ---- f32 ----
    FaddF32 { d: Slot, a: Slot, b: Slot },
    FsubF32 { d: Slot, a: Slot, b: Slot },
    FmulF32 { d: Slot, a: Slot, b: Slot },
    FdivF32 { d: Slot, a: Slot, b: Slot },
    FminF32 { d: Slot, a: Slot, b: Slot },
    FmaxF32 { d: Slot, a: Slot, b: Slot },
    FcopysignF32 { d: Slot, a: Slot, b: Slot },
    FpowF32 { d: Slot, a: Slot, b: Slot },
    FnegF32 { d: Slot, a: Slot },
    FabsF32 { d: Slot, a: Slot },
    FsqrtF32 { d: Slot, a: Slot },
    FfloorF32 { d: Slot, a: Slot },
    FceilF32 { d: Slot, a: Slot },
    FtruncF32 { d: Slot, a: Slot },
    FnearestF32 { d: Slot, a: Slot },
    FexpF32 { d: Slot, a: Slot },
    FlogF32 { d: Slot, a: Slot },
    FsinF32 { d: Slot, a: Slot },
    FcosF32 { d: Slot, a: Slot },
    FmaF32 { d: Slot, a: Slot, b: Slot, c: Slot },
    FcmpEqF32 { d: Slot, a: Slot, b: Slot },
    FcmpNeF32 { d: Slot, a: Slot, b: Slot },
    FcmpLtF32 { d: Slot, a: Slot, b: Slot },
    FcmpLeF32 { d: Slot, a: Slot, b: Slot },
    FcmpGtF32 { d: Slot, a: Slot, b: Slot },
    FcmpGeF32 { d: Slot, a: Slot, b: Slot },
    FcmpOrdF32 { d: Slot, a: Slot, b: Slot },
    FcmpUnoF32 { d: Slot, a: Slot, b: Slot },

    // ---- f64 ----
    FaddF64 { d: Slot, a: Slot, b: Slot },
    FsubF64 { d: Slot, a: Slot, b: Slot },
    FmulF64 { d: Slot, a: Slot, b: Slot },
    FdivF64 { d: Slot, a: Slot, b: Slot },
    FminF64 { d: Slot, a: Slot, b: Slot },
    FmaxF64 { d: Slot, a: Slot, b: Slot },
    FcopysignF64 { d: Slot, a: Slot, b: Slot },
    FpowF64 { d: Slot, a: Slot, b: Slot },
    FnegF64 { d: Slot, a: Slot },
    FabsF64 { d: Slot, a: Slot },
    FsqrtF64 { d: Slot, a: Slot },
    FfloorF64 { d: Slot, a: Slot },
    FceilF64 { d: Slot, a: Slot },
    FtruncF64 { d: Slot, a: Slot },
    FnearestF64 { d: Slot, a: Slot },
    FexpF64 { d: Slot, a: Slot },
    FlogF64 { d: Slot, a: Slot },
    FsinF64 { d: Slot, a: Slot },
    FcosF64 { d: Slot, a: Slot },
    FmaF64 { d: Slot, a: Slot, b: Slot, c: Slot },
    FcmpEqF64 { d: Slot, a: Slot, b: Slot },
    FcmpNeF64 { d: Slot, a: Slot, b: Slot },
    FcmpLtF64 { d: Slot, a: Slot, b: Slot },
    FcmpLeF64 { d: Slot, a: Slot, b: Slot },
    FcmpGtF64 { d: Slot, a: Slot, b: Slot },
    FcmpGeF64 { d: Slot, a: Slot, b: Slot },
    FcmpOrdF64 { d: Slot, a: Slot, b: Slot },
    FcmpUnoF64 { d: Slot, a: Slot, b: Slot },

    // ---- conversions (zext, bitcast and ptr/int casts are `Mov`) ----
    /// Sign-extends from width `64 - from` and masks to width `64 - to`.
    Sext { d: Slot, a: Slot, from: u8, to: u8 },
    Trunc { d: Slot, a: Slot, sh: u8 },
    Fpromote { d: Slot, a: Slot },
    Fdemote { d: Slot, a: Slot },
    SitofpF32 { d: Slot, a: Slot, sh: u8 },
    SitofpF64 { d: Slot, a: Slot, sh: u8 },
    UitofpF32 { d: Slot, a: Slot },
    UitofpF64 { d: Slot, a: Slot },
    /// Float to integer of width `64 - sh`, saturating.
    FptosiF32 { d: Slot, a: Slot, sh: u8 },
    FptosiF64 { d: Slot, a: Slot, sh: u8 },
    FptouiF32 { d: Slot, a: Slot, sh: u8 },
    FptouiF64 { d: Slot, a: Slot, sh: u8 },

    // ---- memory: `base + off`, little-endian, unaligned ----
    Load8 { d: Slot, base: Slot, off: Slot },
    Load16 { d: Slot, base: Slot, off: Slot },
    Load32 { d: Slot, base: Slot, off: Slot },
    Load64 { d: Slot, base: Slot, off: Slot },
    Store8 { base: Slot, off: Slot, s: Slot },
    Store16 { base: Slot, off: Slot, s: Slot },
    Store32 { base: Slot, off: Slot, s: Slot },
    Store64 { base: Slot, off: Slot, s: Slot },
    BoundsCheck { idx: Slot, len: Slot },
    /// Fused `bounds_check idx, len; off = imul idx, 1 << sh; load base, off`: the
    /// canonical guarded array access. (`off` has no other use and is never written.)
    LoadChk8 { d: Slot, base: Slot, idx: Slot, len: Slot, sh: u8 },
    LoadChk16 { d: Slot, base: Slot, idx: Slot, len: Slot, sh: u8 },
    LoadChk32 { d: Slot, base: Slot, idx: Slot, len: Slot, sh: u8 },
    LoadChk64 { d: Slot, base: Slot, idx: Slot, len: Slot, sh: u8 },
    /// Fused `bounds_check idx, len; off = imul idx, 1 << sh; store base, off, s`.
    StoreChk8 { base: Slot, idx: Slot, len: Slot, s: Slot, sh: u8 },
    StoreChk16 { base: Slot, idx: Slot, len: Slot, s: Slot, sh: u8 },
    StoreChk32 { base: Slot, idx: Slot, len: Slot, s: Slot, sh: u8 },
    StoreChk64 { base: Slot, idx: Slot, len: Slot, s: Slot, sh: u8 },
    /// The same without the bounds check (once bounds-check elimination removed it).
    LoadIdx8 { d: Slot, base: Slot, idx: Slot, sh: u8 },
    LoadIdx16 { d: Slot, base: Slot, idx: Slot, sh: u8 },
    LoadIdx32 { d: Slot, base: Slot, idx: Slot, sh: u8 },
    LoadIdx64 { d: Slot, base: Slot, idx: Slot, sh: u8 },
    StoreIdx8 { base: Slot, idx: Slot, s: Slot, sh: u8 },
    StoreIdx16 { base: Slot, idx: Slot, s: Slot, sh: u8 },
    StoreIdx32 { base: Slot, idx: Slot, s: Slot, sh: u8 },
    StoreIdx64 { base: Slot, idx: Slot, s: Slot, sh: u8 },

    /// A vector operation: index into [`DFunc::vector`].
    Vector { i: u32 },

    // ---- control ----
    Jump { t: u32 },
    /// A jump to a block at the same or an earlier layout position: costs one fuel.
    JumpBack { t: u32 },
    Brif { c: Slot, t: u32, e: u32, back: bool },
    /// Fused `icmp` + `brif`: to `t` if the condition holds, else to `e`. Conditional
    /// branches with `back` set are copies that replaced a jump to them (loop rotation)
    /// and pay that jump's back-edge fuel first.
    BrEq { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrNe { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrUlt { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrUle { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrUgt { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrUge { a: Slot, b: Slot, t: u32, e: u32, back: bool },
    BrSlt { a: Slot, b: Slot, t: u32, e: u32, sh: u8, back: bool },
    BrSle { a: Slot, b: Slot, t: u32, e: u32, sh: u8, back: bool },
    BrSgt { a: Slot, b: Slot, t: u32, e: u32, sh: u8, back: bool },
    BrSge { a: Slot, b: Slot, t: u32, e: u32, sh: u8, back: bool },
    /// Fused `i = i + step; if i <cond> n goto t else e` on an `i64` (or `ptr`) counter
    /// with a small constant step: the end of a counted loop (`iadd` into the counter's
    /// slot, then the loop's rotated compare-and-branch). `back` as for `BrSlt`.
    IncBrSlt { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    IncBrSle { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    IncBrSgt { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    IncBrSge { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    IncBrUlt { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    IncBrNe { i: Slot, n: Slot, t: u32, e: u32, step: i8, back: bool },
    /// A call: index into [`DFunc::calls`].
    Call { site: u32 },
    /// A host call: index into [`DFunc::host_calls`].
    CallHost { site: u32 },
    /// Returns the `n` slots from `s` (`n = 0`: no value).
    Return { s: Slot, n: u32 },
    Trap { code: TrapCode },
}

impl Op {
    /// For a conditional branch, a copy that stands in for a jump to it: the jump's
    /// target runs the branch next anyway, so the jump can run it itself and save a
    /// dispatch per loop iteration. `back` says whether the jump was a back-edge.
    pub(crate) fn as_jump_replacement(self, back: bool) -> Option<Op> {
        let mut op = self;
        match &mut op {
            Op::Brif { back: b, .. }
            | Op::BrEq { back: b, .. }
            | Op::BrNe { back: b, .. }
            | Op::BrUlt { back: b, .. }
            | Op::BrUle { back: b, .. }
            | Op::BrUgt { back: b, .. }
            | Op::BrUge { back: b, .. }
            | Op::BrSlt { back: b, .. }
            | Op::BrSle { back: b, .. }
            | Op::BrSgt { back: b, .. }
            | Op::BrSge { back: b, .. } => *b = back,
            _ => return None,
        }
        Some(op)
    }

    /// Applies `f` to every branch target (used to patch labels into code offsets).
    pub(crate) fn map_targets(&mut self, f: impl Fn(u32) -> u32) {
        match self {
            Op::Jump { t } | Op::JumpBack { t } => *t = f(*t),
            Op::Brif { t, e, .. }
            | Op::BrEq { t, e, .. }
            | Op::BrNe { t, e, .. }
            | Op::BrUlt { t, e, .. }
            | Op::BrUle { t, e, .. }
            | Op::BrUgt { t, e, .. }
            | Op::BrUge { t, e, .. }
            | Op::BrSlt { t, e, .. }
            | Op::BrSle { t, e, .. }
            | Op::BrSgt { t, e, .. }
            | Op::BrSge { t, e, .. }
            | Op::IncBrSlt { t, e, .. }
            | Op::IncBrSle { t, e, .. }
            | Op::IncBrSgt { t, e, .. }
            | Op::IncBrSge { t, e, .. }
            | Op::IncBrUlt { t, e, .. }
            | Op::IncBrNe { t, e, .. } => {
                *t = f(*t);
                *e = f(*e);
            }
            _ => {}
        }
    }
}

/// A call site: which function, and how the arguments reach its parameter slots.
#[derive(Clone, Debug)]
pub(crate) struct CallSite {
    pub callee: u32,
    /// `(callee slot, caller slot)` pairs, one per argument slot.
    pub args: Vec<(Slot, Slot)>,
    /// Where the result goes in the caller (its slot count is the callee's `ret_slots`).
    pub ret: Slot,
}

/// A host call site.
#[derive(Clone, Debug)]
pub(crate) struct HostSite {
    /// Index of the `extern fn` (an [`crate::ExternId`]).
    pub ext: u32,
    pub args: Vec<(Slot, Type)>,
    pub ret: Option<(Slot, Type)>,
}

/// A decoded function.
#[derive(Clone, Debug)]
pub(crate) struct DFunc {
    pub name: String,
    pub exported: bool,
    pub sig: Signature,
    /// Slots in the window (the frame's register count).
    pub nslots: u32,
    /// ABI parameter `i` lives at `param_slots[i]`.
    pub param_slots: Vec<Slot>,
    /// Constant slots, `consts.len()` of them from `const_base`, filled on entry.
    pub const_base: Slot,
    pub consts: Vec<u64>,
    /// `(slot, stack slot index)`: `stack_addr` results, filled on entry.
    pub stack_addrs: Vec<(Slot, u32)>,
    pub stack: StackLayout,
    pub code: Vec<Op>,
    pub calls: Vec<CallSite>,
    pub host_calls: Vec<HostSite>,
    pub vector: Vec<VecInst>,
}

/// Slots the ABI parameters of a function with these parameter types occupy, in order from
/// slot 0: the decoder puts the entry block's parameters there so callers can find them
/// from the callee's signature alone.
pub(crate) fn param_slots(types: &[Type]) -> (Vec<Slot>, u32) {
    let mut next = 0u32;
    let slots = types
        .iter()
        .map(|&t| {
            let s = next;
            next += crate::interp::value::slot_count(t) as u32;
            s
        })
        .collect();
    (slots, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_is_small() {
        // Four slots and a width: 20 bytes. A u64 immediate would make it 24.
        assert!(std::mem::size_of::<Op>() <= 20, "Op is {} bytes", std::mem::size_of::<Op>());
    }
}
