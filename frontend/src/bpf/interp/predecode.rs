//! Pre-decoding: a verified program becomes the flat [`Op`] form of `op.rs` once, before it
//! runs. Jump targets come from the verifier's `successors`, `callx` targets from the
//! lifter's `known_const` over each function's own leaders, so the interpreter resolves
//! both exactly as the lifted IR does. This file does not run anything.

use super::fuse::fuse;
use super::op::Op;
use crate::bpf::error::BpfError;
use crate::bpf::insn::*;
use crate::bpf::lift::{known_const, reach_and_leaders, STACK_SIZE};
use crate::bpf::verify::{local_target, successors, verify};
use std::collections::BTreeMap;

/// A program ready to run.
#[derive(Clone, Debug)]
pub(crate) struct Decoded {
    /// One op per slot.
    pub code: Vec<Op>,
    /// Entry slot of each function (index 0 is `main`, at slot 0).
    pub entries: Vec<u32>,
    /// Helper numbers the program calls (`CallHelper { h }` indexes this).
    pub helpers: Vec<i64>,
    /// For each `CallX { x }`: per function index, the helper index it calls (`None`: the
    /// target is not a known constant, so the call traps `unreachable`).
    pub callx: Vec<Vec<Option<u32>>>,
}

/// Decodes `insns` after verifying them.
pub(crate) fn predecode(insns: &[Insn]) -> Result<Decoded, BpfError> {
    verify(insns)?;
    // Functions: main at slot 0, then every local-call target (as the lifter numbers them).
    let mut entries: BTreeMap<usize, u32> = BTreeMap::new();
    let mut i = 0;
    while let Some(ins) = insns.get(i) {
        if ins.opc == CALL && ins.src == 1 {
            let t = local_target(insns, i)?;
            if t != 0 {
                entries.insert(t, 0);
            }
        }
        i += if ins.is_lddw() { 2 } else { 1 };
    }
    let mut entry_list = vec![0u32];
    for (k, (slot, idx)) in entries.iter_mut().enumerate() {
        *idx = k as u32 + 1;
        entry_list.push(*slot as u32);
    }
    let mut helpers: Vec<i64> = Vec::new();
    let mut helper_index = |n: i64| -> u32 {
        match helpers.iter().position(|&h| h == n) {
            Some(p) => p as u32,
            None => {
                helpers.push(n);
                (helpers.len() - 1) as u32
            }
        }
    };
    let mut code = Vec::with_capacity(insns.len());
    let mut callx: Vec<Vec<Option<u32>>> = Vec::new();
    // Each callx slot's resolution per function, from that function's leaders.
    let mut callx_slots: BTreeMap<usize, Vec<Option<u32>>> = BTreeMap::new();
    for (f, &entry) in entry_list.iter().enumerate() {
        let (reach, leaders) = reach_and_leaders(insns, entry as usize)?;
        for &i in reach.iter().filter(|&&i| insns.get(i).is_some_and(|x| x.opc == CALLX)) {
            let dst = insns.get(i).map_or(0, |x| x.dst);
            let n = known_const(insns, i, dst, &|j| leaders.contains(&j)).map(&mut helper_index);
            let row = callx_slots.entry(i).or_insert_with(|| vec![None; entry_list.len()]);
            if let Some(cell) = row.get_mut(f) {
                *cell = n;
            }
        }
    }
    let mut i = 0;
    while let Some(&ins) = insns.get(i) {
        let op = match ins.opc {
            CALL if ins.src == 1 => {
                let t = local_target(insns, i)?;
                let f = if t == 0 { 0 } else { entries.get(&t).copied().unwrap_or(0) };
                Op::CallLocal { t: t as u32, f }
            }
            CALL => Op::CallHelper { h: helper_index(ins.imm as i64) },
            CALLX => {
                callx.push(callx_slots.remove(&i).unwrap_or_default());
                Op::CallX { x: (callx.len() - 1) as u32 }
            }
            _ => op_of(insns, i, &ins)?,
        };
        code.push(op);
        if ins.is_lddw() {
            code.push(Op::Nop);
            i += 2;
        } else {
            i += 1;
        }
    }
    fuse(&mut code);
    Ok(Decoded { code, entries: entry_list, helpers, callx })
}

/// Whether an access of `size` bytes at `r10 + off` stays inside the frame (the lifter's
/// unchecked fast path).
fn in_frame(reg: u8, off: i16, size: u32) -> bool {
    let o = i64::from(off);
    reg == 10 && o >= -STACK_SIZE && o + i64::from(size) <= 0
}

fn op_of(insns: &[Insn], i: usize, ins: &Insn) -> Result<Op, BpfError> {
    let (d, s, off) = (ins.dst, ins.src, ins.off);
    let x = ins.opc & SRC_X != 0;
    let k64 = ins.imm as i64 as u64;
    let k32 = ins.imm as u32 as u64;
    // The register or the immediate form of one operation, by the opcode's source bit.
    macro_rules! alu {
        ($r:ident, $i:ident, $k:expr) => {
            if x {
                Op::$r { d, s }
            } else {
                Op::$i { d, k: $k }
            }
        };
    }
    Ok(match ins.class() {
        CLS_ALU64 => match (ins.opc & 0xf0, x, off) {
            (0x00, _, _) => alu!(Add64R, Add64I, k64),
            (0x10, true, _) => Op::Sub64R { d, s },
            // `sub` of an immediate is an `add` of its negation (one op fewer to fuse).
            (0x10, false, _) => Op::Add64I { d, k: k64.wrapping_neg() },
            (0x20, _, _) => alu!(Mul64R, Mul64I, k64),
            (0x40, _, _) => alu!(Or64R, Or64I, k64),
            (0x50, _, _) => alu!(And64R, And64I, k64),
            (0xa0, _, _) => alu!(Xor64R, Xor64I, k64),
            (0x60, _, _) => alu!(Lsh64R, Lsh64I, k64 & 63),
            (0x70, _, _) => alu!(Rsh64R, Rsh64I, k64 & 63),
            (0xc0, _, _) => alu!(Arsh64R, Arsh64I, k64 & 63),
            (0xb0, true, 0) => Op::Mov64R { d, s },
            (0xb0, false, _) => Op::Mov64I { d, k: k64 },
            _ => Op::Alu { opc: ins.opc, d, s, off, k: k64 },
        },
        CLS_ALU => match (ins.opc & 0xf0, x, off) {
            (0x00, _, _) => alu!(Add32R, Add32I, k32),
            (0x10, _, _) => alu!(Sub32R, Sub32I, k32),
            (0x20, _, _) => alu!(Mul32R, Mul32I, k32),
            (0x40, _, _) => alu!(Or32R, Or32I, k32),
            (0x50, _, _) => alu!(And32R, And32I, k32),
            (0xa0, _, _) => alu!(Xor32R, Xor32I, k32),
            (0xb0, true, 0) => Op::Mov32R { d, s },
            (0xb0, false, _) => Op::Mov64I { d, k: k32 },
            _ => Op::Alu { opc: ins.opc, d, s, off, k: k32 },
        },
        CLS_JMP | CLS_JMP32 => {
            let succ = successors(insns, i)?;
            match ins.opc {
                EXIT => Op::Exit,
                0x05 | 0x06 => {
                    let t = succ.first().copied().ok_or_else(|| BpfError::new(i, "internal: ja without a target"))?;
                    Op::Ja { t: t as u32, back: t <= i }
                }
                _ => {
                    let t = succ.get(1).copied().ok_or_else(|| BpfError::new(i, "internal: jump without a target"))?;
                    let (t, back) = (t as u32, t <= i);
                    if ins.class() == CLS_JMP32 || ins.opc & 0xf0 == 0x40 {
                        let k = if ins.class() == CLS_JMP32 { k32 } else { k64 };
                        Op::Jcc { opc: ins.opc, d, s, t, back, k }
                    } else {
                        let k = k64;
                        // The register or the immediate form of one 64-bit compare.
                        macro_rules! jcc {
                            ($r:ident, $i:ident) => {
                                if x {
                                    Op::$r { d, s, t, back }
                                } else {
                                    Op::$i { d, t, back, k }
                                }
                            };
                        }
                        match ins.opc & 0xf0 {
                            0x10 => jcc!(JeqR, JeqI),
                            0x50 => jcc!(JneR, JneI),
                            0x20 => jcc!(JgtR, JgtI),
                            0x30 => jcc!(JgeR, JgeI),
                            0xa0 => jcc!(JltR, JltI),
                            0xb0 => jcc!(JleR, JleI),
                            0x60 => jcc!(JsgtR, JsgtI),
                            0x70 => jcc!(JsgeR, JsgeI),
                            0xc0 => jcc!(JsltR, JsltI),
                            0xd0 => jcc!(JsleR, JsleI),
                            _ => return Err(BpfError::new(i, format!("unknown jump opcode {:#04x}", ins.opc))),
                        }
                    }
                }
            }
        }
        CLS_LD => {
            let hi = insns.get(i + 1).map_or(0, |n| n.imm);
            Op::Mov64I { d, k: (hi as u32 as u64) << 32 | ins.imm as u32 as u64 }
        }
        CLS_LDX => {
            let size = ins.mem_size();
            let sx = ins.opc & 0xe0 == MODE_MEMSX;
            match (in_frame(s, off, size), size, sx) {
                (true, 8, _) => Op::LdxStk64 { d, off },
                (true, _, _) => Op::LdxStk { d, off, size: size as u8, sx },
                (false, 1, false) => Op::LdxB { d, b: s, off },
                (false, 2, false) => Op::LdxH { d, b: s, off },
                (false, 4, false) => Op::LdxW { d, b: s, off },
                (false, 8, false) => Op::LdxDw { d, b: s, off },
                (false, _, _) => Op::Ldx { d, b: s, off, size: size as u8, sx },
            }
        }
        CLS_ST | CLS_STX => {
            let size = ins.mem_size();
            if ins.opc & 0xe0 == MODE_ATOMIC {
                Op::Atomic { b: d, s, off, size: size as u8, imm: ins.imm }
            } else if ins.class() == CLS_ST {
                Op::St { b: d, off, size: size as u8, stk: in_frame(d, off, size), k: k64 }
            } else {
                match (in_frame(d, off, size), size) {
                    (true, 8) => Op::StxStk64 { s, off },
                    (true, _) => Op::StxStk { s, off, size: size as u8 },
                    (false, 1) => Op::StxB { b: d, s, off },
                    (false, 2) => Op::StxH { b: d, s, off },
                    (false, 4) => Op::StxW { b: d, s, off },
                    (false, _) => Op::StxDw { b: d, s, off },
                }
            }
        }
        _ => return Err(BpfError::new(i, format!("unknown opcode {:#04x}", ins.opc))),
    })
}
