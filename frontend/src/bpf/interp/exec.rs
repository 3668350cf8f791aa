//! The run loop of the BPF interpreter: one `match` per executed instruction over the
//! pre-decoded ops, registers in a local array, memory accesses checked against the two
//! regions exactly as the lifted IR checks them (the caller's memory, then the stack a
//! frame may use), fuel paid on back-edges, local calls and failed access checks, where
//! the lifted IR's back-edges are.
//! This file does not decode (see `predecode.rs`).

use super::op::Op;
use super::predecode::Decoded;
use super::BpfTrap;
use crate::bpf::lift::{MAX_FRAMES, STACK_SIZE};
use strata_ir::interp::{HostFn, Val};
use strata_ir::TrapCode;

const FRAME: usize = STACK_SIZE as usize;
const STACK_BYTES: usize = (STACK_SIZE * MAX_FRAMES) as usize;

/// A caller's state while its callee runs.
struct Frame {
    regs: [u64; 16],
    ret: usize,
    func: u32,
    top: usize,
}

/// Where an access lands: the caller's memory or the stack, at a byte offset.
enum Loc {
    Mem(usize),
    Stack(usize),
}

/// The two regions and the current frame's window (all as the lifter computes them).
struct Regions<'m> {
    mem: &'m mut [u8],
    mem_base: u64,
    mem_len: u64,
    stack: Vec<u8>,
    stack_base: u64,
    /// Offset of this frame's r10 in `stack`.
    top: usize,
}

impl Regions<'_> {
    /// The region and offset of a `size`-byte access at `addr`, or `out_of_bounds`.
    #[inline(always)]
    fn locate(&self, addr: u64, size: u64) -> Result<Loc, TrapCode> {
        let moff = addr.wrapping_sub(self.mem_base);
        if self.mem_len >= size && moff <= self.mem_len - size {
            return Ok(Loc::Mem(moff as usize));
        }
        // This frame's 512 bytes and its callers' frames above it.
        let frame_lo = self.stack_base.wrapping_add((self.top - FRAME) as u64);
        let span = (STACK_BYTES - (self.top - FRAME)) as u64;
        if addr.wrapping_sub(frame_lo) <= span - size {
            return Ok(Loc::Stack(addr.wrapping_sub(self.stack_base) as usize));
        }
        Err(TrapCode::OutOfBounds)
    }

    #[inline(always)]
    fn bytes(&mut self, loc: Loc, size: usize) -> Result<&mut [u8], TrapCode> {
        let r = match loc {
            Loc::Mem(o) => self.mem.get_mut(o..o.wrapping_add(size)),
            Loc::Stack(o) => self.stack.get_mut(o..o.wrapping_add(size)),
        };
        r.ok_or(TrapCode::OutOfBounds)
    }

    #[inline(always)]
    fn load(&mut self, addr: u64, size: u8) -> Result<u64, TrapCode> {
        let loc = self.locate(addr, u64::from(size))?;
        Ok(read(self.bytes(loc, size as usize)?))
    }

    #[inline(always)]
    fn store(&mut self, addr: u64, size: u8, v: u64) -> Result<(), TrapCode> {
        let loc = self.locate(addr, u64::from(size))?;
        write(self.bytes(loc, size as usize)?, v);
        Ok(())
    }

    /// A zero-extended load of `N` bytes at `addr`: inside the caller's memory after one
    /// bounds check (the common case), else the full two-region check out of line.
    #[inline(always)]
    fn load_n<const N: usize>(&mut self, addr: u64) -> Result<u64, TrapCode> {
        let o = addr.wrapping_sub(self.mem_base) as usize;
        match self.mem.get(o..).and_then(|m| m.first_chunk::<N>()) {
            Some(b) => Ok(read(b)),
            None => self.load_slow(addr, N as u8),
        }
    }

    /// A store of the low `N` bytes of `v` at `addr`, checked like [`Regions::load_n`].
    #[inline(always)]
    fn store_n<const N: usize>(&mut self, addr: u64, v: u64) -> Result<(), TrapCode> {
        let o = addr.wrapping_sub(self.mem_base) as usize;
        match self.mem.get_mut(o..).and_then(|m| m.first_chunk_mut::<N>()) {
            Some(b) => {
                write(b, v);
                Ok(())
            }
            None => self.store_slow(addr, N as u8, v),
        }
    }

    /// The stack (or trap) side of [`Regions::load_n`], kept out of the run loop.
    #[cold]
    #[inline(never)]
    fn load_slow(&mut self, addr: u64, size: u8) -> Result<u64, TrapCode> {
        self.load(addr, size)
    }

    /// The stack (or trap) side of [`Regions::store_n`].
    #[cold]
    #[inline(never)]
    fn store_slow(&mut self, addr: u64, size: u8, v: u64) -> Result<(), TrapCode> {
        self.store(addr, size, v)
    }

    /// The bytes of an access through r10 inside this frame (no check is needed: the
    /// predecoder proved `-512 <= off` and `off + size <= 0`).
    #[inline(always)]
    fn frame_bytes(&mut self, off: i16, size: usize) -> Result<&mut [u8], TrapCode> {
        let o = self.top.wrapping_add(off as isize as usize);
        self.stack.get_mut(o..o.wrapping_add(size)).ok_or(TrapCode::OutOfBounds)
    }
}

/// Little-endian read of 1, 2, 4 or 8 bytes, zero-extended.
#[inline(always)]
fn read(b: &[u8]) -> u64 {
    match *b {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => 0,
    }
}

/// Little-endian write of the low `b.len()` bytes of `v`.
#[inline(always)]
fn write(b: &mut [u8], v: u64) {
    let all = v.to_le_bytes();
    for (d, s) in b.iter_mut().zip(all.iter()) {
        *d = *s;
    }
}

/// Sign-extends the low `bytes` bytes of `v`.
#[inline(always)]
fn sext(v: u64, bytes: u8) -> u64 {
    let sh = 64 - 8 * u32::from(bytes.clamp(1, 8));
    (((v << sh) as i64) >> sh) as u64
}

/// Every ALU operation, by opcode (the generic path; the common ones have their own ops).
/// `k` is the immediate as the opcode reads it. Division by zero gives 0 and modulo by zero
/// the dividend, as the lifter's selects do; 32-bit results are zero-extended.
fn alu(opc: u8, off: i16, a: u64, s: u64, k: u64) -> u64 {
    if opc & 0xf0 == 0xd0 {
        // Byte swaps on the low `imm` bits of the full register, zero-extended: `le`
        // (0xd4) only truncates; `be` (0xdc) and the 64-bit `bswap` (0xd7) swap.
        let v = a_full_width(a, (k as u32 / 8) as u8);
        return if opc == 0xd4 {
            v
        } else {
            match k {
                8 => v,
                16 => u64::from((v as u16).swap_bytes()),
                32 => u64::from((v as u32).swap_bytes()),
                _ => v.swap_bytes(),
            }
        };
    }
    let wide = opc & 7 == 7;
    let b = if opc & 0x08 != 0 { s } else { k };
    let (a, b) = if wide { (a, b) } else { (a & 0xffff_ffff, b & 0xffff_ffff) };
    let bits = if wide { 64 } else { 32 };
    let mask = if wide { u64::MAX } else { 0xffff_ffff };
    let sx = |v: u64| if wide { v } else { sext(v, 4) };
    let r = match opc & 0xf0 {
        0x00 => a.wrapping_add(b),
        0x10 => a.wrapping_sub(b),
        0x20 => a.wrapping_mul(b),
        0x30 | 0x90 if b == 0 => {
            if opc & 0xf0 == 0x30 {
                0
            } else {
                a
            }
        }
        0x30 if off == 0 => a / b,
        0x30 => (sx(a) as i64).wrapping_div(sx(b) as i64) as u64,
        0x90 if off == 0 => a % b,
        0x90 => (sx(a) as i64).wrapping_rem(sx(b) as i64) as u64,
        0x40 => a | b,
        0x50 => a & b,
        0x60 => a << (b & (bits - 1)),
        0x70 => a >> (b & (bits - 1)),
        0xc0 => ((sx(a) as i64) >> (b & (bits - 1))) as u64,
        0x80 => a.wrapping_neg(),
        0xa0 => a ^ b,
        0xb0 if off != 0 => sext(s, (off / 8) as u8),
        0xb0 => b,
        _ => 0,
    };
    r & mask
}

/// The low `w` bytes of `v`.
fn a_full_width(v: u64, w: u8) -> u64 {
    match w {
        1 => v & 0xff,
        2 => v & 0xffff,
        4 => v & 0xffff_ffff,
        _ => v,
    }
}

/// Generic conditional jump (`jset` and all 32-bit ones): whether it is taken.
fn jcc(opc: u8, a: u64, s: u64, k: u64) -> bool {
    let b = if opc & 0x08 != 0 { s } else { k };
    let (a, b, sa, sb) = if opc & 7 == 6 {
        let (a, b) = (a & 0xffff_ffff, b & 0xffff_ffff);
        (a, b, a as u32 as i32 as i64, b as u32 as i32 as i64)
    } else {
        (a, b, a as i64, b as i64)
    };
    match opc & 0xf0 {
        0x10 => a == b,
        0x20 => a > b,
        0x30 => a >= b,
        0x40 => a & b != 0,
        0x50 => a != b,
        0x60 => sa > sb,
        0x70 => sa >= sb,
        0xa0 => a < b,
        0xb0 => a <= b,
        0xc0 => sa < sb,
        _ => sa <= sb,
    }
}

/// Runs the program from slot 0 on `mem` with `fuel` (`u64::MAX`: unlimited).
pub(crate) fn run(
    p: &Decoded,
    names: &[String],
    mem: &mut [u8],
    mut fuel: u64,
    helpers: &[Option<HostFn>],
) -> Result<u64, BpfTrap> {
    let mem_base = mem.as_mut_ptr() as u64;
    let mem_len = mem.len() as u64;
    let stack = vec![0u8; STACK_BYTES];
    let stack_base = stack.as_ptr() as u64;
    let mut m = Regions { mem, mem_base, mem_len, stack, stack_base, top: STACK_BYTES };
    let mut r = [0u64; 16];
    // r1 is 0 (null) when there is no memory, as in the lifted code.
    r[1] = if mem_len == 0 { 0 } else { mem_base };
    r[2] = mem_len;
    r[10] = stack_base.wrapping_add(STACK_BYTES as u64);
    let mut frames: Vec<Frame> = Vec::new();
    let mut func = 0u32;
    let mut pc = 0usize;
    let code = p.code.as_slice();
    let trap = |code: TrapCode, func: u32| BpfTrap {
        code,
        function: names.get(func as usize).cloned().unwrap_or_else(|| "main".to_string()),
    };
    macro_rules! reg {
        ($x:expr) => {
            r[($x & 15) as usize]
        };
    }
    macro_rules! tryop {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(c) => return Err(trap(c, func)),
            }
        };
    }
    // A failed access check: in the lifted IR the trap block comes before the check in the
    // layout, so reaching it is a back-edge and costs fuel first.
    macro_rules! memop {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(c) => {
                    let c = if fuel == 0 { TrapCode::FuelExhausted } else { c };
                    return Err(trap(c, func));
                }
            }
        };
    }
    macro_rules! jump {
        ($cond:expr, $t:expr, $back:expr) => {
            if $cond {
                if $back {
                    if fuel == 0 {
                        return Err(trap(TrapCode::FuelExhausted, func));
                    }
                    fuel -= 1;
                }
                pc = $t as usize;
                continue;
            }
        };
    }
    loop {
        let Some(op) = code.get(pc) else { return Err(trap(TrapCode::Unreachable, func)) };
        pc += 1;
        match *op {
            Op::Add64R { d, s } => reg!(d) = reg!(d).wrapping_add(reg!(s)),
            Op::Add64I { d, k } => reg!(d) = reg!(d).wrapping_add(k),
            Op::Sub64R { d, s } => reg!(d) = reg!(d).wrapping_sub(reg!(s)),
            Op::Mul64R { d, s } => reg!(d) = reg!(d).wrapping_mul(reg!(s)),
            Op::Mul64I { d, k } => reg!(d) = reg!(d).wrapping_mul(k),
            Op::Or64R { d, s } => reg!(d) |= reg!(s),
            Op::Or64I { d, k } => reg!(d) |= k,
            Op::And64R { d, s } => reg!(d) &= reg!(s),
            Op::And64I { d, k } => reg!(d) &= k,
            Op::Xor64R { d, s } => reg!(d) ^= reg!(s),
            Op::Xor64I { d, k } => reg!(d) ^= k,
            Op::Lsh64R { d, s } => reg!(d) <<= reg!(s) & 63,
            Op::Lsh64I { d, k } => reg!(d) <<= k & 63,
            Op::Rsh64R { d, s } => reg!(d) >>= reg!(s) & 63,
            Op::Rsh64I { d, k } => reg!(d) >>= k & 63,
            Op::Arsh64R { d, s } => reg!(d) = ((reg!(d) as i64) >> (reg!(s) & 63)) as u64,
            Op::Arsh64I { d, k } => reg!(d) = ((reg!(d) as i64) >> (k & 63)) as u64,
            Op::Mov64R { d, s } => reg!(d) = reg!(s),
            Op::Mov64I { d, k } => reg!(d) = k,
            Op::Add32R { d, s } => reg!(d) = u64::from((reg!(d) as u32).wrapping_add(reg!(s) as u32)),
            Op::Add32I { d, k } => reg!(d) = u64::from((reg!(d) as u32).wrapping_add(k as u32)),
            Op::Sub32R { d, s } => reg!(d) = u64::from((reg!(d) as u32).wrapping_sub(reg!(s) as u32)),
            Op::Sub32I { d, k } => reg!(d) = u64::from((reg!(d) as u32).wrapping_sub(k as u32)),
            Op::Mul32R { d, s } => reg!(d) = u64::from((reg!(d) as u32).wrapping_mul(reg!(s) as u32)),
            Op::Mul32I { d, k } => reg!(d) = u64::from((reg!(d) as u32).wrapping_mul(k as u32)),
            Op::Or32R { d, s } => reg!(d) = (reg!(d) | reg!(s)) & 0xffff_ffff,
            Op::Or32I { d, k } => reg!(d) = (reg!(d) | k) & 0xffff_ffff,
            Op::And32R { d, s } => reg!(d) = reg!(d) & reg!(s) & 0xffff_ffff,
            Op::And32I { d, k } => reg!(d) = reg!(d) & k & 0xffff_ffff,
            Op::Xor32R { d, s } => reg!(d) = (reg!(d) ^ reg!(s)) & 0xffff_ffff,
            Op::Xor32I { d, k } => reg!(d) = (reg!(d) ^ k) & 0xffff_ffff,
            Op::Mov32R { d, s } => reg!(d) = reg!(s) & 0xffff_ffff,
            Op::Alu { opc, d, s, off, k } => reg!(d) = alu(opc, off, reg!(d), reg!(s), k),

            Op::Ja { t, back } => jump!(true, t, back),
            Op::JeqR { d, s, t, back } => jump!(reg!(d) == reg!(s), t, back),
            Op::JeqI { d, t, back, k } => jump!(reg!(d) == k, t, back),
            Op::JneR { d, s, t, back } => jump!(reg!(d) != reg!(s), t, back),
            Op::JneI { d, t, back, k } => jump!(reg!(d) != k, t, back),
            Op::JgtR { d, s, t, back } => jump!(reg!(d) > reg!(s), t, back),
            Op::JgtI { d, t, back, k } => jump!(reg!(d) > k, t, back),
            Op::JgeR { d, s, t, back } => jump!(reg!(d) >= reg!(s), t, back),
            Op::JgeI { d, t, back, k } => jump!(reg!(d) >= k, t, back),
            Op::JltR { d, s, t, back } => jump!(reg!(d) < reg!(s), t, back),
            Op::JltI { d, t, back, k } => jump!(reg!(d) < k, t, back),
            Op::JleR { d, s, t, back } => jump!(reg!(d) <= reg!(s), t, back),
            Op::JleI { d, t, back, k } => jump!(reg!(d) <= k, t, back),
            Op::JsgtR { d, s, t, back } => jump!((reg!(d) as i64) > reg!(s) as i64, t, back),
            Op::JsgtI { d, t, back, k } => jump!((reg!(d) as i64) > k as i64, t, back),
            Op::JsgeR { d, s, t, back } => jump!((reg!(d) as i64) >= reg!(s) as i64, t, back),
            Op::JsgeI { d, t, back, k } => jump!((reg!(d) as i64) >= k as i64, t, back),
            Op::JsltR { d, s, t, back } => jump!((reg!(d) as i64) < reg!(s) as i64, t, back),
            Op::JsltI { d, t, back, k } => jump!((reg!(d) as i64) < k as i64, t, back),
            Op::JsleR { d, s, t, back } => jump!((reg!(d) as i64) <= reg!(s) as i64, t, back),
            Op::JsleI { d, t, back, k } => jump!((reg!(d) as i64) <= k as i64, t, back),
            Op::Jcc { opc, d, s, t, back, k } => jump!(jcc(opc, reg!(d), reg!(s), k), t, back),

            Op::LdxB { d, b, off } => reg!(d) = memop!(m.load_n::<1>(reg!(b).wrapping_add(off as i64 as u64))),
            Op::LdxH { d, b, off } => reg!(d) = memop!(m.load_n::<2>(reg!(b).wrapping_add(off as i64 as u64))),
            Op::LdxW { d, b, off } => reg!(d) = memop!(m.load_n::<4>(reg!(b).wrapping_add(off as i64 as u64))),
            Op::LdxDw { d, b, off } => reg!(d) = memop!(m.load_n::<8>(reg!(b).wrapping_add(off as i64 as u64))),
            Op::Ldx { d, b, off, size, sx } => {
                let v = memop!(m.load(reg!(b).wrapping_add(off as i64 as u64), size));
                reg!(d) = if sx { sext(v, size) } else { v };
            }
            Op::LdxStk64 { d, off } => reg!(d) = read(tryop!(m.frame_bytes(off, 8))),
            Op::LdxStk { d, off, size, sx } => {
                let v = read(tryop!(m.frame_bytes(off, size as usize)));
                reg!(d) = if sx { sext(v, size) } else { v };
            }
            Op::StxB { b, s, off } => memop!(m.store_n::<1>(reg!(b).wrapping_add(off as i64 as u64), reg!(s))),
            Op::StxH { b, s, off } => memop!(m.store_n::<2>(reg!(b).wrapping_add(off as i64 as u64), reg!(s))),
            Op::StxW { b, s, off } => memop!(m.store_n::<4>(reg!(b).wrapping_add(off as i64 as u64), reg!(s))),
            Op::StxDw { b, s, off } => memop!(m.store_n::<8>(reg!(b).wrapping_add(off as i64 as u64), reg!(s))),
            Op::StxStk64 { s, off } => write(tryop!(m.frame_bytes(off, 8)), reg!(s)),
            Op::StxStk { s, off, size } => write(tryop!(m.frame_bytes(off, size as usize)), reg!(s)),
            Op::St { b, off, size, stk, k } => {
                if stk {
                    write(tryop!(m.frame_bytes(off, size as usize)), k);
                } else {
                    memop!(m.store(reg!(b).wrapping_add(off as i64 as u64), size, k));
                }
            }
            Op::Atomic { b, s, off, size, imm } => {
                let src = a_full_width(reg!(s), size);
                let r0 = a_full_width(r[0], size);
                let loc = memop!(m.locate(reg!(b).wrapping_add(off as i64 as u64), u64::from(size)));
                let bytes = tryop!(m.bytes(loc, size as usize));
                let old = read(bytes);
                let new = match imm {
                    crate::bpf::insn::ATOMIC_XCHG => src,
                    crate::bpf::insn::ATOMIC_CMPXCHG => {
                        if old == r0 {
                            src
                        } else {
                            old
                        }
                    }
                    x => match x & !crate::bpf::insn::ATOMIC_FETCH {
                        0x00 => old.wrapping_add(src),
                        0x40 => old | src,
                        0x50 => old & src,
                        _ => old ^ src,
                    },
                };
                write(bytes, new);
                if imm == crate::bpf::insn::ATOMIC_CMPXCHG {
                    r[0] = old;
                } else if imm == crate::bpf::insn::ATOMIC_XCHG || imm & crate::bpf::insn::ATOMIC_FETCH != 0 {
                    reg!(s) = old;
                }
            }

            Op::CallLocal { t, f } => {
                // The callee's frame is the 512 bytes below this one (stack overflow first,
                // then the call's fuel, as in the lifted code and the IR tiers).
                if m.top < 2 * FRAME {
                    return Err(trap(TrapCode::StackOverflow, func));
                }
                if fuel == 0 {
                    return Err(trap(TrapCode::FuelExhausted, func));
                }
                fuel -= 1;
                let mut callee = [0u64; 16];
                callee[1..6].copy_from_slice(&r[1..6]);
                frames.push(Frame { regs: r, ret: pc, func, top: m.top });
                m.top -= FRAME;
                callee[10] = stack_base.wrapping_add(m.top as u64);
                r = callee;
                func = f;
                pc = t as usize;
            }
            Op::CallHelper { h } => r[0] = tryop!(call_helper(helpers, h, &r)),
            Op::CallX { x } => {
                let h = p.callx.get(x as usize).and_then(|row| row.get(func as usize)).copied().flatten();
                match h {
                    Some(h) => r[0] = tryop!(call_helper(helpers, h, &r)),
                    None => return Err(trap(TrapCode::Unreachable, func)),
                }
            }
            Op::Exit => match frames.pop() {
                None => return Ok(r[0]),
                Some(fr) => {
                    let r0 = r[0];
                    r = fr.regs;
                    r[0] = r0;
                    pc = fr.ret;
                    func = fr.func;
                    m.top = fr.top;
                }
            },
            Op::Nop => {}

            // Superinstructions: the covered slots' work in order, then past them.
            Op::MovLshAdd { d, s, sh, b } => {
                reg!(d) = reg!(s) << (sh & 63);
                reg!(d) = reg!(d).wrapping_add(reg!(b));
                pc += 2;
            }
            Op::AddIJa { d, k, t, back } => {
                reg!(d) = reg!(d).wrapping_add(k as i64 as u64);
                jump!(true, t, back);
            }
            Op::AddIJneI { d, c, k, kc, t, back } => {
                reg!(d) = reg!(d).wrapping_add(k as i64 as u64);
                jump!(reg!(c) != kc as i64 as u64, t, back);
                pc += 1;
            }
            Op::AddIJltI { d, c, k, kc, t, back } => {
                reg!(d) = reg!(d).wrapping_add(k as i64 as u64);
                jump!(reg!(c) < kc as i64 as u64, t, back);
                pc += 1;
            }
        }
    }
}

/// Calls helper `h` with r1–r5; it must return an i64 (else `host_error`, as on the IR tiers).
fn call_helper(helpers: &[Option<HostFn>], h: u32, r: &[u64; 16]) -> Result<u64, TrapCode> {
    let Some(Some(f)) = helpers.get(h as usize) else { return Err(TrapCode::HostError) };
    let args = [r[1], r[2], r[3], r[4], r[5]].map(|v| Val::I64(v as i64));
    match f(&args)? {
        Some(Val::I64(v)) => Ok(v as u64),
        _ => Err(TrapCode::HostError),
    }
}
