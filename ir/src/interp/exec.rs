//! The interpreter loop: runs decoded code (`code.rs`) with an explicit frame stack, so IR
//! recursion never recurses on the Rust stack.
//!
//! All frames' registers live in one `Vec<u64>`; a frame is a window `[base, base + nslots)`
//! of it, and a callee's window starts where its caller's ends. [`run_frame`] is the hot
//! loop: it runs one frame's code over its window until a call, a return or a trap, and
//! [`run`] handles those (pushing and popping frames, copying arguments and results; the
//! vector may grow on a call). Fuel is a counter, `u64::MAX` when unlimited, paid by
//! back-edges (`JumpBack`, and rotated branches with `back` set) and calls.

use crate::instructions::TrapCode;
use crate::interp::code::{DFunc, Op};
use crate::interp::decode::{Program, DISCARD};
use crate::interp::error::Trap;
use crate::interp::memory::Memory;
use crate::interp::ops::{self, bits32, bits64, f32_of, f64_of, sext};
use crate::interp::value::{slot_count, Val};
use crate::interp::{vector, HostFn};
use smallvec::SmallVec;

/// Per-call limits.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Limits {
    /// Fuel; `u64::MAX` means unlimited (it cannot run out in practice).
    pub fuel: u64,
    /// Most frames live at once, the entry frame included.
    pub max_depth: u32,
}

/// A suspended caller.
struct Frame {
    func: u32,
    pc: u32,
    base: u32,
    /// Where the callee's result goes in the caller's window ([`DISCARD`]: nowhere).
    ret: u32,
}

/// Fills the slots a frame needs on entry: constants, and the addresses of its stack
/// slots (allocating them, zeroed). The decoder keeps all these slots inside the window.
fn enter(f: &DFunc, r: &mut [u64], mem: &mut Memory<'_>) {
    let cb = f.const_base as usize;
    if let Some(dst) = r.get_mut(cb..cb + f.consts.len()) {
        dst.copy_from_slice(&f.consts);
    }
    if !f.stack.slots.is_empty() {
        let base = mem.push_frame(&f.stack);
        for &(s, i) in &f.stack_addrs {
            let off = f.stack.slots.get(i as usize).map_or(0, |&(off, _)| off);
            if let Some(slot) = r.get_mut(s as usize) {
                *slot = base.wrapping_add(off as u64);
            }
        }
    }
}

fn leave(f: &DFunc, mem: &mut Memory<'_>) {
    if !f.stack.slots.is_empty() {
        mem.pop_frame(&f.stack);
    }
}

#[cold]
fn trap(f: &DFunc, code: TrapCode) -> Trap {
    Trap { code, function: f.name.clone() }
}

/// Why [`run_frame`] stopped.
enum Exit {
    /// At a `call` (index into the function's call sites); `pc` is the return address.
    Call(u32),
    /// At a `return` of the `n` slots from `s`.
    Return(u32, u32),
    Trap(TrapCode),
}

/// Runs the current frame until it calls, returns or traps. Kept apart from the frame
/// handling in [`run`] so the hot loop has few live variables (and keeps them in
/// registers). `pc` and `fuel` are read on entry and written back on exit.
fn run_frame(
    prog: &Program,
    hosts: &[Option<HostFn>],
    f: &DFunc,
    r: &mut [u64],
    pc_io: &mut usize,
    fuel_io: &mut u64,
    mem: &mut Memory<'_>,
) -> Exit {
    let code = &f.code[..];
    let mut pc = *pc_io;
    let mut fuel = *fuel_io;
    macro_rules! exit {
        ($e:expr) => {{
            *pc_io = pc;
            *fuel_io = fuel;
            return $e;
        }};
    }
    // Operand access: the decoder only emits slots inside the window.
    macro_rules! bin {
        ($r:ident, $d:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {{
            let $x = $r[$a as usize];
            let $y = $r[$b as usize];
            $r[$d as usize] = $e;
        }};
    }
    macro_rules! un {
        ($r:ident, $d:ident, $a:ident, |$x:ident| $e:expr) => {{
            let $x = $r[$a as usize];
            $r[$d as usize] = $e;
        }};
    }
    macro_rules! f32bin {
        ($r:ident, $d:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {
            bin!($r, $d, $a, $b, |p, q| {
                let ($x, $y) = (f32_of(p), f32_of(q));
                bits32($e)
            })
        };
    }
    macro_rules! f64bin {
        ($r:ident, $d:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {
            bin!($r, $d, $a, $b, |p, q| {
                let ($x, $y) = (f64_of(p), f64_of(q));
                bits64($e)
            })
        };
    }
    macro_rules! f32un {
        ($r:ident, $d:ident, $a:ident, |$x:ident| $e:expr) => {
            un!($r, $d, $a, |p| {
                let $x = f32_of(p);
                bits32($e)
            })
        };
    }
    macro_rules! f64un {
        ($r:ident, $d:ident, $a:ident, |$x:ident| $e:expr) => {
            un!($r, $d, $a, |p| {
                let $x = f64_of(p);
                bits64($e)
            })
        };
    }
    macro_rules! cmp {
        ($r:ident, $d:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {
            bin!($r, $d, $a, $b, |$x, $y| ($e) as u64)
        };
    }
    macro_rules! pay_fuel {
        () => {
            if fuel == 0 {
                exit!(Exit::Trap(TrapCode::FuelExhausted));
            }
            fuel -= 1;
        };
    }
    macro_rules! br {
        ($r:ident, $a:ident, $b:ident, $t:ident, $e:ident, $back:ident, |$x:ident, $y:ident| $c:expr) => {{
            if $back {
                pay_fuel!();
            }
            let ($x, $y) = ($r[$a as usize], $r[$b as usize]);
            pc = if $c { $t } else { $e } as usize;
        }};
    }
    macro_rules! tryop {
        ($f:ident, $e:expr) => {
            match $e {
                Ok(v) => v,
                Err(code) => exit!(Exit::Trap(code)),
            }
        };
    }

    macro_rules! incbr {
        ($r:ident, $i:ident, $n:ident, $t:ident, $e:ident, $step:ident, $back:ident, |$x:ident, $y:ident| $c:expr) => {{
            let $x = $r[$i as usize].wrapping_add($step as i64 as u64);
            $r[$i as usize] = $x;
            if $back {
                pay_fuel!();
            }
            let $y = $r[$n as usize];
            pc = if $c { $t } else { $e } as usize;
        }};
    }
    // `base + (idx << sh)`, after the optional bounds check of a fused access.
    macro_rules! idx_addr {
        ($r:ident, $base:ident, $idx:ident, $sh:ident) => {
            $r[$base as usize].wrapping_add($r[$idx as usize] << $sh)
        };
        ($r:ident, $base:ident, $idx:ident, $len:ident, $sh:ident) => {{
            if $r[$idx as usize] >= $r[$len as usize] {
                exit!(Exit::Trap(TrapCode::OutOfBounds));
            }
            idx_addr!($r, $base, $idx, $sh)
        }};
    }
    macro_rules! load {
        ($r:ident, $d:ident, $addr:expr, $n:literal, $t:ty) => {{
            let addr = $addr;
            $r[$d as usize] = <$t>::from_le_bytes(tryop!(f, mem.load::<$n>(addr))) as u64;
        }};
    }
    macro_rules! store {
        ($r:ident, $s:ident, $addr:expr, $n:literal, $t:ty) => {{
            let addr = $addr;
            tryop!(f, mem.store::<$n>(addr, ($r[$s as usize] as $t).to_le_bytes()));
        }};
    }
    loop {
        let Some(&op) = code.get(pc) else {
            // Every block ends in a terminator, so this is unreachable for decoded code.
            exit!(Exit::Trap(TrapCode::Unreachable));
        };
        pc += 1;
        match op {
            Op::Mov { d, s } => r[d as usize] = r[s as usize],
            Op::Select { d, c, a, b } => r[d as usize] = if r[c as usize] != 0 { r[a as usize] } else { r[b as usize] },

            Op::Iadd { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::iadd(x, y, sh as u32)),
            Op::Isub { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::isub(x, y, sh as u32)),
            Op::Imul { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::imul(x, y, sh as u32)),
            Op::Iadd64 { d, a, b } => bin!(r, d, a, b, |x, y| x.wrapping_add(y)),
            Op::Imul64 { d, a, b } => bin!(r, d, a, b, |x, y| x.wrapping_mul(y)),
            Op::Band { d, a, b } => bin!(r, d, a, b, |x, y| x & y),
            Op::Bor { d, a, b } => bin!(r, d, a, b, |x, y| x | y),
            Op::Bxor { d, a, b } => bin!(r, d, a, b, |x, y| x ^ y),
            Op::Bnot { d, a, sh } => un!(r, d, a, |x| ops::bnot(x, sh as u32)),
            Op::Ineg { d, a, sh } => un!(r, d, a, |x| ops::ineg(x, sh as u32)),
            Op::Shl { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::shl(x, y, sh as u32)),
            Op::Lshr { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::lshr(x, y, sh as u32)),
            Op::Ashr { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::ashr(x, y, sh as u32)),
            Op::Smin { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::smin(x, y, sh as u32)),
            Op::Smax { d, a, b, sh } => bin!(r, d, a, b, |x, y| ops::smax(x, y, sh as u32)),
            Op::Umin { d, a, b } => bin!(r, d, a, b, |x, y| x.min(y)),
            Op::Umax { d, a, b } => bin!(r, d, a, b, |x, y| x.max(y)),
            Op::Sdiv { d, a, b, sh } => bin!(r, d, a, b, |x, y| tryop!(f, ops::sdiv(x, y, sh as u32))),
            Op::Srem { d, a, b, sh } => bin!(r, d, a, b, |x, y| tryop!(f, ops::srem(x, y, sh as u32))),
            Op::Udiv { d, a, b } => bin!(r, d, a, b, |x, y| tryop!(f, ops::udiv(x, y))),
            Op::Urem { d, a, b } => bin!(r, d, a, b, |x, y| tryop!(f, ops::urem(x, y))),
            Op::Popcnt { d, a } => un!(r, d, a, |x| x.count_ones() as u64),
            Op::Clz { d, a, sh } => un!(r, d, a, |x| ops::clz(x, sh as u32)),
            Op::Ctz { d, a, sh } => un!(r, d, a, |x| ops::ctz(x, sh as u32)),
            Op::Bswap { d, a, sh } => un!(r, d, a, |x| ops::bswap(x, sh as u32)),
            Op::IcmpEq { d, a, b } => cmp!(r, d, a, b, |x, y| x == y),
            Op::IcmpNe { d, a, b } => cmp!(r, d, a, b, |x, y| x != y),
            Op::IcmpUlt { d, a, b } => cmp!(r, d, a, b, |x, y| x < y),
            Op::IcmpUle { d, a, b } => cmp!(r, d, a, b, |x, y| x <= y),
            Op::IcmpUgt { d, a, b } => cmp!(r, d, a, b, |x, y| x > y),
            Op::IcmpUge { d, a, b } => cmp!(r, d, a, b, |x, y| x >= y),
            Op::IcmpSlt { d, a, b, sh } => cmp!(r, d, a, b, |x, y| sext(x, sh as u32) < sext(y, sh as u32)),
            Op::IcmpSle { d, a, b, sh } => cmp!(r, d, a, b, |x, y| sext(x, sh as u32) <= sext(y, sh as u32)),
            Op::IcmpSgt { d, a, b, sh } => cmp!(r, d, a, b, |x, y| sext(x, sh as u32) > sext(y, sh as u32)),
            Op::IcmpSge { d, a, b, sh } => cmp!(r, d, a, b, |x, y| sext(x, sh as u32) >= sext(y, sh as u32)),

            Op::FaddF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| x + y),
            Op::FsubF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| x - y),
            Op::FmulF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| x * y),
            Op::FdivF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| x / y),
            Op::FminF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| ops::fmin_f32(x, y)),
            Op::FmaxF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| ops::fmax_f32(x, y)),
            Op::FcopysignF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| x.copysign(y)),
            Op::FpowF32 { d, a, b } => f32bin!(r, d, a, b, |x, y| crate::abi::strata_powf(x, y)),
            Op::FnegF32 { d, a } => f32un!(r, d, a, |x| -x),
            Op::FabsF32 { d, a } => f32un!(r, d, a, |x| x.abs()),
            Op::FsqrtF32 { d, a } => f32un!(r, d, a, |x| x.sqrt()),
            Op::FfloorF32 { d, a } => f32un!(r, d, a, |x| x.floor()),
            Op::FceilF32 { d, a } => f32un!(r, d, a, |x| x.ceil()),
            Op::FtruncF32 { d, a } => f32un!(r, d, a, |x| x.trunc()),
            Op::FnearestF32 { d, a } => f32un!(r, d, a, |x| x.round_ties_even()),
            Op::FexpF32 { d, a } => f32un!(r, d, a, |x| crate::abi::strata_expf(x)),
            Op::FlogF32 { d, a } => f32un!(r, d, a, |x| crate::abi::strata_logf(x)),
            Op::FsinF32 { d, a } => f32un!(r, d, a, |x| crate::abi::strata_sinf(x)),
            Op::FcosF32 { d, a } => f32un!(r, d, a, |x| crate::abi::strata_cosf(x)),
            Op::FmaF32 { d, a, b, c } => {
                let (x, y, z) = (f32_of(r[a as usize]), f32_of(r[b as usize]), f32_of(r[c as usize]));
                r[d as usize] = bits32(x.mul_add(y, z));
            }
            Op::FcmpEqF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) == f32_of(y)),
            Op::FcmpNeF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) != f32_of(y)),
            Op::FcmpLtF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) < f32_of(y)),
            Op::FcmpLeF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) <= f32_of(y)),
            Op::FcmpGtF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) > f32_of(y)),
            Op::FcmpGeF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x) >= f32_of(y)),
            Op::FcmpOrdF32 { d, a, b } => cmp!(r, d, a, b, |x, y| !f32_of(x).is_nan() && !f32_of(y).is_nan()),
            Op::FcmpUnoF32 { d, a, b } => cmp!(r, d, a, b, |x, y| f32_of(x).is_nan() || f32_of(y).is_nan()),

            Op::FaddF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| x + y),
            Op::FsubF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| x - y),
            Op::FmulF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| x * y),
            Op::FdivF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| x / y),
            Op::FminF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| ops::fmin_f64(x, y)),
            Op::FmaxF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| ops::fmax_f64(x, y)),
            Op::FcopysignF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| x.copysign(y)),
            Op::FpowF64 { d, a, b } => f64bin!(r, d, a, b, |x, y| crate::abi::strata_pow(x, y)),
            Op::FnegF64 { d, a } => f64un!(r, d, a, |x| -x),
            Op::FabsF64 { d, a } => f64un!(r, d, a, |x| x.abs()),
            Op::FsqrtF64 { d, a } => f64un!(r, d, a, |x| x.sqrt()),
            Op::FfloorF64 { d, a } => f64un!(r, d, a, |x| x.floor()),
            Op::FceilF64 { d, a } => f64un!(r, d, a, |x| x.ceil()),
            Op::FtruncF64 { d, a } => f64un!(r, d, a, |x| x.trunc()),
            Op::FnearestF64 { d, a } => f64un!(r, d, a, |x| x.round_ties_even()),
            Op::FexpF64 { d, a } => f64un!(r, d, a, |x| crate::abi::strata_exp(x)),
            Op::FlogF64 { d, a } => f64un!(r, d, a, |x| crate::abi::strata_log(x)),
            Op::FsinF64 { d, a } => f64un!(r, d, a, |x| crate::abi::strata_sin(x)),
            Op::FcosF64 { d, a } => f64un!(r, d, a, |x| crate::abi::strata_cos(x)),
            Op::FmaF64 { d, a, b, c } => {
                let (x, y, z) = (f64_of(r[a as usize]), f64_of(r[b as usize]), f64_of(r[c as usize]));
                r[d as usize] = bits64(x.mul_add(y, z));
            }
            Op::FcmpEqF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) == f64_of(y)),
            Op::FcmpNeF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) != f64_of(y)),
            Op::FcmpLtF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) < f64_of(y)),
            Op::FcmpLeF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) <= f64_of(y)),
            Op::FcmpGtF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) > f64_of(y)),
            Op::FcmpGeF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x) >= f64_of(y)),
            Op::FcmpOrdF64 { d, a, b } => cmp!(r, d, a, b, |x, y| !f64_of(x).is_nan() && !f64_of(y).is_nan()),
            Op::FcmpUnoF64 { d, a, b } => cmp!(r, d, a, b, |x, y| f64_of(x).is_nan() || f64_of(y).is_nan()),

            Op::Sext { d, a, from, to } => {
                un!(r, d, a, |x| sext(x, from as u32) as u64 & ops::mask(to as u32))
            }
            Op::Trunc { d, a, sh } => un!(r, d, a, |x| x & ops::mask(sh as u32)),
            Op::Fpromote { d, a } => un!(r, d, a, |x| bits64(f32_of(x) as f64)),
            Op::Fdemote { d, a } => un!(r, d, a, |x| bits32(f64_of(x) as f32)),
            Op::SitofpF32 { d, a, sh } => un!(r, d, a, |x| bits32(sext(x, sh as u32) as f32)),
            Op::SitofpF64 { d, a, sh } => un!(r, d, a, |x| bits64(sext(x, sh as u32) as f64)),
            Op::UitofpF32 { d, a } => un!(r, d, a, |x| bits32(x as f32)),
            Op::UitofpF64 { d, a } => un!(r, d, a, |x| bits64(x as f64)),
            Op::FptosiF32 { d, a, sh } => un!(r, d, a, |x| ops::fptosi32(f32_of(x), sh as u32)),
            Op::FptosiF64 { d, a, sh } => un!(r, d, a, |x| ops::fptosi(f64_of(x), sh as u32)),
            Op::FptouiF32 { d, a, sh } => un!(r, d, a, |x| ops::fptoui32(f32_of(x), sh as u32)),
            Op::FptouiF64 { d, a, sh } => un!(r, d, a, |x| ops::fptoui(f64_of(x), sh as u32)),

            Op::Load8 { d, base, off } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                r[d as usize] = u8::from_le_bytes(tryop!(f, mem.load::<1>(addr))) as u64;
            }
            Op::Load16 { d, base, off } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                r[d as usize] = u16::from_le_bytes(tryop!(f, mem.load::<2>(addr))) as u64;
            }
            Op::Load32 { d, base, off } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                r[d as usize] = u32::from_le_bytes(tryop!(f, mem.load::<4>(addr))) as u64;
            }
            Op::Load64 { d, base, off } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                r[d as usize] = u64::from_le_bytes(tryop!(f, mem.load::<8>(addr)));
            }
            Op::Store8 { base, off, s } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                tryop!(f, mem.store::<1>(addr, (r[s as usize] as u8).to_le_bytes()));
            }
            Op::Store16 { base, off, s } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                tryop!(f, mem.store::<2>(addr, (r[s as usize] as u16).to_le_bytes()));
            }
            Op::Store32 { base, off, s } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                tryop!(f, mem.store::<4>(addr, (r[s as usize] as u32).to_le_bytes()));
            }
            Op::Store64 { base, off, s } => {
                let addr = r[base as usize].wrapping_add(r[off as usize]);
                tryop!(f, mem.store::<8>(addr, r[s as usize].to_le_bytes()));
            }
            Op::BoundsCheck { idx, len } => {
                if r[idx as usize] >= r[len as usize] {
                    exit!(Exit::Trap(TrapCode::OutOfBounds));
                }
            }

            Op::LoadChk8 { d, base, idx, len, sh } => load!(r, d, idx_addr!(r, base, idx, len, sh), 1, u8),
            Op::LoadChk16 { d, base, idx, len, sh } => load!(r, d, idx_addr!(r, base, idx, len, sh), 2, u16),
            Op::LoadChk32 { d, base, idx, len, sh } => load!(r, d, idx_addr!(r, base, idx, len, sh), 4, u32),
            Op::LoadChk64 { d, base, idx, len, sh } => load!(r, d, idx_addr!(r, base, idx, len, sh), 8, u64),
            Op::StoreChk8 { base, idx, len, s, sh } => store!(r, s, idx_addr!(r, base, idx, len, sh), 1, u8),
            Op::StoreChk16 { base, idx, len, s, sh } => store!(r, s, idx_addr!(r, base, idx, len, sh), 2, u16),
            Op::StoreChk32 { base, idx, len, s, sh } => store!(r, s, idx_addr!(r, base, idx, len, sh), 4, u32),
            Op::StoreChk64 { base, idx, len, s, sh } => store!(r, s, idx_addr!(r, base, idx, len, sh), 8, u64),
            Op::LoadIdx8 { d, base, idx, sh } => load!(r, d, idx_addr!(r, base, idx, sh), 1, u8),
            Op::LoadIdx16 { d, base, idx, sh } => load!(r, d, idx_addr!(r, base, idx, sh), 2, u16),
            Op::LoadIdx32 { d, base, idx, sh } => load!(r, d, idx_addr!(r, base, idx, sh), 4, u32),
            Op::LoadIdx64 { d, base, idx, sh } => load!(r, d, idx_addr!(r, base, idx, sh), 8, u64),
            Op::StoreIdx8 { base, idx, s, sh } => store!(r, s, idx_addr!(r, base, idx, sh), 1, u8),
            Op::StoreIdx16 { base, idx, s, sh } => store!(r, s, idx_addr!(r, base, idx, sh), 2, u16),
            Op::StoreIdx32 { base, idx, s, sh } => store!(r, s, idx_addr!(r, base, idx, sh), 4, u32),
            Op::StoreIdx64 { base, idx, s, sh } => store!(r, s, idx_addr!(r, base, idx, sh), 8, u64),

            Op::Vector { i } => {
                if let Some(vi) = f.vector.get(i as usize) {
                    tryop!(f, vector::exec(vi, r, mem));
                }
            }

            Op::Jump { t } => pc = t as usize,
            Op::JumpBack { t } => {
                pay_fuel!();
                pc = t as usize;
            }
            Op::Brif { c, t, e, back } => {
                if back {
                    pay_fuel!();
                }
                pc = if r[c as usize] != 0 { t } else { e } as usize;
            }
            Op::BrEq { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x == y),
            Op::BrNe { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x != y),
            Op::BrUlt { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x < y),
            Op::BrUle { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x <= y),
            Op::BrUgt { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x > y),
            Op::BrUge { a, b, t, e, back } => br!(r, a, b, t, e, back, |x, y| x >= y),
            Op::BrSlt { a, b, t, e, sh, back } => {
                br!(r, a, b, t, e, back, |x, y| sext(x, sh as u32) < sext(y, sh as u32))
            }
            Op::BrSle { a, b, t, e, sh, back } => {
                br!(r, a, b, t, e, back, |x, y| sext(x, sh as u32) <= sext(y, sh as u32))
            }
            Op::BrSgt { a, b, t, e, sh, back } => {
                br!(r, a, b, t, e, back, |x, y| sext(x, sh as u32) > sext(y, sh as u32))
            }
            Op::BrSge { a, b, t, e, sh, back } => {
                br!(r, a, b, t, e, back, |x, y| sext(x, sh as u32) >= sext(y, sh as u32))
            }

            Op::IncBrSlt { i, n, t, e, step, back } => {
                incbr!(r, i, n, t, e, step, back, |x, y| (x as i64) < (y as i64))
            }
            Op::IncBrSle { i, n, t, e, step, back } => {
                incbr!(r, i, n, t, e, step, back, |x, y| (x as i64) <= (y as i64))
            }
            Op::IncBrSgt { i, n, t, e, step, back } => {
                incbr!(r, i, n, t, e, step, back, |x, y| (x as i64) > (y as i64))
            }
            Op::IncBrSge { i, n, t, e, step, back } => {
                incbr!(r, i, n, t, e, step, back, |x, y| (x as i64) >= (y as i64))
            }
            Op::IncBrUlt { i, n, t, e, step, back } => incbr!(r, i, n, t, e, step, back, |x, y| x < y),
            Op::IncBrNe { i, n, t, e, step, back } => incbr!(r, i, n, t, e, step, back, |x, y| x != y),
            Op::Call { site } => exit!(Exit::Call(site)),
            Op::CallHost { site } => {
                let Some(hs) = f.host_calls.get(site as usize) else { continue };
                let Some(Some(host)) = hosts.get(hs.ext as usize) else {
                    exit!(Exit::Trap(TrapCode::HostError));
                };
                let args: SmallVec<[Val; 8]> = hs
                    .args
                    .iter()
                    .map(|&(s, t)| Val::read_slots(t, r.get(s as usize..s as usize + slot_count(t)).unwrap_or(&[])))
                    .collect();
                let result = tryop!(f, host(&args));
                // The host must return what the declaration promises.
                let expected = prog.externs.get(hs.ext as usize).and_then(|e| e.ret);
                if result.map(|v| v.ty()) != expected {
                    exit!(Exit::Trap(TrapCode::HostError));
                }
                if let (Some((d, t)), Some(v)) = (hs.ret, result) {
                    if let Some(slots) = r.get_mut(d as usize..d as usize + slot_count(t)) {
                        v.write_slots(slots);
                    }
                }
            }
            Op::Return { s, n } => exit!(Exit::Return(s, n)),
            Op::Trap { code } => exit!(Exit::Trap(code)),
        }
    }
}

/// Runs function `entry`, whose parameters are already in `regs[param_slots]` (and `regs`
/// holds at least its window), to completion.
pub(crate) fn run(
    prog: &Program,
    hosts: &[Option<HostFn>],
    limits: Limits,
    entry: u32,
    regs: &mut Vec<u64>,
    mem: &mut Memory<'_>,
) -> Result<Option<Val>, Trap> {
    let Some(mut f) = prog.funcs.get(entry as usize) else {
        return Ok(None);
    };
    if limits.max_depth == 0 {
        return Err(trap(f, TrapCode::StackOverflow));
    }
    let mut fi = entry as usize;
    let mut fb = 0usize;
    let mut pc = 0usize;
    let mut fuel = limits.fuel;
    let mut frames: Vec<Frame> = Vec::new();
    if regs.len() < f.nslots as usize {
        regs.resize(f.nslots as usize, 0);
    }
    enter(f, &mut regs[..f.nslots as usize], mem);
    loop {
        let r = &mut regs[fb..fb + f.nslots as usize];
        match run_frame(prog, hosts, f, r, &mut pc, &mut fuel, mem) {
            Exit::Trap(code) => return Err(trap(f, code)),
            Exit::Call(site) => {
                let Some(cs) = f.calls.get(site as usize) else { continue };
                let Some(callee) = prog.funcs.get(cs.callee as usize) else { continue };
                if frames.len() + 1 >= limits.max_depth as usize {
                    return Err(trap(f, TrapCode::StackOverflow));
                }
                if fuel == 0 {
                    return Err(trap(f, TrapCode::FuelExhausted));
                }
                fuel -= 1;
                // The callee's window starts where the caller's ends; `regs` may grow.
                let nb = fb + f.nslots as usize;
                let need = nb + callee.nslots as usize;
                if regs.len() < need {
                    regs.resize(need.max(regs.len() * 2), 0);
                }
                for &(d, s) in &cs.args {
                    regs[nb + d as usize] = regs[fb + s as usize];
                }
                frames.push(Frame { func: fi as u32, pc: pc as u32, base: fb as u32, ret: cs.ret });
                fi = cs.callee as usize;
                f = callee;
                fb = nb;
                pc = 0;
                enter(f, &mut regs[fb..need], mem);
            }
            Exit::Return(s, n) => {
                leave(f, mem);
                let (s, n) = (fb + s as usize, n as usize);
                let Some(caller) = frames.pop() else {
                    return Ok(f.sig.ret.map(|t| Val::read_slots(t, &regs[s..s + n])));
                };
                if caller.ret != DISCARD {
                    regs.copy_within(s..s + n, caller.base as usize + caller.ret as usize);
                }
                fi = caller.func as usize;
                let Some(cf) = prog.funcs.get(fi) else { return Ok(None) };
                f = cf;
                fb = caller.base as usize;
                pc = caller.pc as usize;
            }
        }
    }
}
