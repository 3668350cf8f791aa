//! The random BPF program generator (RFC 9669), valid by construction, plus mutated (mostly
//! invalid) variants that exercise the decoder, verifier and lifter.
//!
//! Register discipline, so that results never depend on where memory happens to live:
//! r0–r5 hold data, r6 is an address scratch register set right before each memory access
//! (`r9 + c` or `r10 - c`), r7 counts loop iterations, r8 holds the memory length and r9 the
//! memory address. Pointers (r9, r10, r6) never flow into data registers, memory or r0, so
//! every tier computes the same bits. Memory accesses are in range except for a small share
//! placed past the end of `mem` (they trap `out_of_bounds`). Loops are bottom-tested with
//! r7 counting down from at most 7, or top-tested with r7 counting down to 0 or up to a
//! bound and indexing memory (`r9 + r7·scale`), conditional jumps only go forward within their region,
//! local calls only go to functions defined later (so at most four frames), and every
//! function initializes the registers it reads. This file must not run programs.

use crate::rng::Rng;
use strata_frontend::bpf::insn::*;
use strata_frontend::bpf::Insn;

/// Bytes of `mem` the runner passes to generated programs.
pub const MEM_BYTES: usize = 64;

const DATA: [u8; 6] = [0, 1, 2, 3, 4, 5];
/// Registers a jump condition or an ALU source may read (data only).
const READABLE: [u8; 8] = [0, 1, 2, 3, 4, 5, 7, 8];
const ALU_OPS: [u8; 12] = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xc0];
const JMP_OPS: [u8; 11] = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];

#[derive(Clone, Debug)]
enum Item {
    Ins(Insn),
    Lddw(u8, u64),
    /// A conditional jump (or `ja` when `opc` is 0x05) to a label.
    Jump(Insn, usize),
    /// `ja32` with the offset in imm.
    Ja32(usize),
    CallLocal(usize),
    Label(usize),
}

struct Gen<'a> {
    rng: &'a mut Rng,
    items: Vec<Item>,
    labels: usize,
    /// Labels of the functions this one may call.
    callable: Vec<usize>,
    budget: u32,
}

impl Gen<'_> {
    fn label(&mut self) -> usize {
        self.labels += 1;
        self.labels - 1
    }
    fn ins(&mut self, opc: u8, dst: u8, src: u8, off: i16, imm: i32) {
        self.items.push(Item::Ins(Insn::new(opc, dst, src, off, imm)));
    }
    fn imm(&mut self) -> i32 {
        match self.rng.below(4) {
            0 => self.rng.next_u64() as i32,
            1 => self.rng.pick(&[0, 1, -1, i32::MIN, i32::MAX, 31, 32, 63, 64, 8, 16]),
            _ => self.rng.below(64) as i32 - 16,
        }
    }
    fn data(&mut self) -> u8 {
        self.rng.pick(&DATA)
    }

    /// Sets r6 to an address for an access of `size` bytes: in `mem` (usually) or on the
    /// stack, sometimes past the end of `mem`. Returns the offset to use with r6.
    fn address(&mut self, size: i32) -> i16 {
        let in_mem = self.rng.chance(60);
        let off = self.rng.below(9) as i32 - 4;
        if in_mem {
            let limit = MEM_BYTES as i32 - size;
            let mut at = self.rng.below(limit as usize + 1) as i32;
            if self.rng.chance(3) {
                at = MEM_BYTES as i32 - size + 1 + self.rng.below(8) as i32;
            }
            self.ins(CLS_ALU64 | SRC_X | 0xb0, 6, 9, 0, 0);
            self.ins(CLS_ALU64, 6, 0, 0, at - off); // add r6, imm
        } else {
            // Stack: r10 - 512 .. r10 - size.
            let at = -(size + self.rng.below((512 - size) as usize + 1) as i32);
            self.ins(CLS_ALU64 | SRC_X | 0xb0, 6, 10, 0, 0);
            self.ins(CLS_ALU64, 6, 0, 0, at - off); // add r6, imm
        }
        off as i16
    }

    fn alu(&mut self) {
        let alu64 = self.rng.chance(60);
        let cls = if alu64 { CLS_ALU64 } else { CLS_ALU };
        let dst = self.data();
        match self.rng.below(10) {
            0 => {
                // mov / movsx
                if self.rng.chance(50) {
                    let widths: &[i16] = if alu64 { &[8, 16, 32] } else { &[8, 16] };
                    let w = self.rng.pick(widths);
                    let src = self.rng.pick(&READABLE);
                    self.ins(cls | SRC_X | 0xb0, dst, src, w, 0);
                } else if self.rng.chance(50) {
                    let src = self.rng.pick(&READABLE);
                    self.ins(cls | SRC_X | 0xb0, dst, src, 0, 0);
                } else {
                    let imm = self.imm();
                    self.ins(cls | 0xb0, dst, 0, 0, imm);
                }
            }
            1 => {
                // byte swaps: le/be (ALU) and bswap (ALU64 0xd7)
                let w = self.rng.pick(&[16, 32, 64]);
                match self.rng.below(3) {
                    0 => self.ins(CLS_ALU | 0xd0, dst, 0, 0, w),
                    1 => self.ins(CLS_ALU | SRC_X | 0xd0, dst, 0, 0, w),
                    _ => self.ins(CLS_ALU64 | 0xd0, dst, 0, 0, w),
                }
            }
            2 => {
                // signed div/mod (offset 1)
                let op = self.rng.pick(&[0x30, 0x90]);
                if self.rng.chance(50) {
                    let src = self.rng.pick(&READABLE);
                    self.ins(cls | SRC_X | op, dst, src, 1, 0);
                } else {
                    let imm = self.imm();
                    self.ins(cls | op, dst, 0, 1, imm);
                }
            }
            3 => {
                let k = self.rng.below(4);
                if k == 0 {
                    let v = self.rng.next_u64();
                    self.items.push(Item::Lddw(dst, v));
                } else {
                    self.ins(cls | 0x80, dst, 0, 0, 0); // neg
                }
            }
            _ => {
                let op = self.rng.pick(&ALU_OPS);
                if op == 0x80 {
                    self.ins(cls | op, dst, 0, 0, 0);
                } else if self.rng.chance(50) {
                    let src = self.rng.pick(&READABLE);
                    self.ins(cls | SRC_X | op, dst, src, 0, 0);
                } else {
                    let imm = self.imm();
                    self.ins(cls | op, dst, 0, 0, imm);
                }
            }
        }
    }

    fn memory(&mut self) {
        let sizes = [(SIZE_B, 1), (SIZE_H, 2), (SIZE_W, 4), (SIZE_DW, 8)];
        let (sz, n) = self.rng.pick(&sizes);
        let off = self.address(n);
        match self.rng.below(6) {
            0 | 1 => {
                let dst = self.data();
                let sx = sz != SIZE_DW && self.rng.chance(30);
                let mode = if sx { MODE_MEMSX } else { MODE_MEM };
                self.ins(CLS_LDX | mode | sz, dst, 6, off, 0);
            }
            2 => {
                let src = self.rng.pick(&READABLE);
                self.ins(CLS_STX | MODE_MEM | sz, 6, src, off, 0);
            }
            3 => {
                let imm = self.imm();
                self.ins(CLS_ST | MODE_MEM | sz, 6, 0, off, imm);
            }
            _ => {
                // Atomics: 32 or 64 bits.
                let (sz, _) = if n >= 8 || self.rng.chance(50) { (SIZE_DW, 8) } else { (SIZE_W, 4) };
                let op = self.rng.pick(&[0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, ATOMIC_XCHG, ATOMIC_CMPXCHG]);
                let src = self.data();
                self.ins(CLS_STX | MODE_ATOMIC | sz, 6, src, off, op);
            }
        }
    }

    fn cond_jump(&mut self, target: usize) {
        let cls = if self.rng.chance(70) { CLS_JMP } else { CLS_JMP32 };
        let op = self.rng.pick(&JMP_OPS);
        let dst = self.rng.pick(&READABLE);
        let ins = if self.rng.chance(50) {
            let src = self.rng.pick(&READABLE);
            Insn::new(cls | SRC_X | op, dst, src, 0, 0)
        } else {
            let imm = self.imm();
            Insn::new(cls | op, dst, 0, 0, imm)
        };
        self.items.push(Item::Jump(ins, target));
    }

    /// A region of straight-line code, forward branches over sub-regions, loops and calls.
    fn region(&mut self, depth: u32, in_loop: bool) {
        let n = 1 + self.rng.below(8);
        for _ in 0..n {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            match self.rng.below(20) {
                0..=8 => self.alu(),
                9..=12 => self.memory(),
                13 | 14 if depth < 3 => {
                    // if (cond) skip { region }
                    let skip = self.label();
                    if self.rng.chance(85) {
                        self.cond_jump(skip);
                    } else if self.rng.chance(50) {
                        self.items.push(Item::Jump(Insn::new(CLS_JMP, 0, 0, 0, 0), skip));
                    } else {
                        self.items.push(Item::Ja32(skip));
                    }
                    self.region(depth + 1, in_loop);
                    if !in_loop && self.rng.chance(15) {
                        self.ins(EXIT, 0, 0, 0, 0);
                    }
                    self.items.push(Item::Label(skip));
                }
                15 if depth < 3 && !in_loop => {
                    // do { region } while (--r7 != 0), r7 = 1..=7
                    let trip = 1 + self.rng.below(7) as i32;
                    self.ins(CLS_ALU64 | 0xb0, 7, 0, 0, trip);
                    let head = self.label();
                    self.items.push(Item::Label(head));
                    self.region(depth + 1, true);
                    self.ins(CLS_ALU64 | 0x10, 7, 0, 0, 1);
                    let op = if self.rng.chance(50) { 0x50 } else { 0x20 }; // jne / jgt
                    self.items.push(Item::Jump(Insn::new(CLS_JMP | op, 7, 0, 0, 0), head));
                }
                17 if depth < 3 && !in_loop => self.indexed_loop(depth),
                16 if !self.callable.is_empty() => {
                    let f = self.rng.pick(&self.callable.clone());
                    // Arguments: r1 = mem, r2 = len, r3–r5 data (already set).
                    self.ins(CLS_ALU64 | SRC_X | 0xb0, 1, 9, 0, 0);
                    self.ins(CLS_ALU64 | SRC_X | 0xb0, 2, 8, 0, 0);
                    self.items.push(Item::CallLocal(f));
                    // r1 held a pointer: overwrite it with data.
                    let imm = self.imm();
                    self.ins(CLS_ALU64 | 0xb0, 1, 0, 0, imm);
                    let imm = self.imm();
                    self.ins(CLS_ALU64 | 0xb0, 2, 0, 0, imm);
                }
                _ => self.alu(),
            }
        }
    }

    /// A loop on r7 whose body first accesses memory at an address scaled from r7 (the
    /// shape `version-ranges` versions): counting down,
    /// `while (r7 != 0) { r6 = r9 + r7·scale + d; access [r6 + off]; region; r7 -= 1 }`, or
    /// up, `r7 = start; while (r7 <u end) { ...; r7 += step }`, top- or bottom-tested,
    /// sometimes with an early exit, and sometimes r7 read after the loop. The accesses are in `mem` for every r7
    /// the body sees, except in a small share of loops where the displacement puts the
    /// highest index 1–8 bytes past the end (a trap in the first or last iteration).
    fn indexed_loop(&mut self, depth: u32) {
        let sizes = [(SIZE_B, 1), (SIZE_H, 2), (SIZE_W, 4), (SIZE_DW, 8)];
        let (sz, size) = self.rng.pick(&sizes);
        let k = self.rng.below(4) as i32;
        let scale = 1 << k;
        let exit = self.label();
        let head = self.label();
        let down = self.rng.chance(50);
        // Bottom-tested (`do { ... } while (r7 != 0)` or `while (r7 <u end)`): the body
        // runs at least once, so a down-counting one starts at 1 or more.
        let bottom = self.rng.chance(40);
        // The values r7 takes in the body: [min, max].
        let (min, max, step, end) = if down {
            let trip = self.rng.below(8) as i32 + bottom as i32;
            self.ins(CLS_ALU64 | 0xb0, 7, 0, 0, trip);
            (1, trip.max(1), -1, 0)
        } else {
            let start = self.rng.below(4) as i32;
            let step = 1 + self.rng.below(3) as i32;
            let end = start + self.rng.below(8) as i32 * step;
            self.ins(CLS_ALU64 | 0xb0, 7, 0, 0, start);
            let last = if end > start { start + (end - start - 1) / step * step } else { start };
            (start, last, step, end)
        };
        self.items.push(Item::Label(head));
        if bottom {
            // No test at the top.
        } else if down {
            let jeq = Insn::new(CLS_JMP | 0x10, 7, 0, 0, 0);
            self.items.push(Item::Jump(jeq, exit));
        } else {
            let jge = Insn::new(CLS_JMP | 0x30, 7, 0, 0, end);
            self.items.push(Item::Jump(jge, exit));
        }
        // r6 = r9 + r7·scale + d, with d keeping every access in mem (usually).
        let (lo_d, hi_d) = (-min * scale, MEM_BYTES as i32 - size - max * scale);
        let d = if hi_d >= lo_d && !self.rng.chance(4) {
            lo_d + self.rng.below((hi_d - lo_d) as usize + 1) as i32
        } else {
            hi_d + 1 + self.rng.below(8) as i32
        };
        let off = self.rng.below(9) as i32 - 4;
        self.ins(CLS_ALU64 | SRC_X | 0xb0, 6, 7, 0, 0);
        if k > 0 {
            if self.rng.chance(70) {
                self.ins(CLS_ALU64 | 0x60, 6, 0, 0, k); // lsh r6, k
            } else {
                self.ins(CLS_ALU64 | 0x20, 6, 0, 0, scale); // mul r6, scale
            }
        }
        self.ins(CLS_ALU64 | SRC_X, 6, 9, 0, 0); // add r6, r9
        self.ins(CLS_ALU64, 6, 0, 0, d - off);
        match self.rng.below(3) {
            0 => {
                let dst = self.data();
                self.ins(CLS_LDX | MODE_MEM | sz, dst, 6, off as i16, 0);
            }
            1 => {
                let src = self.rng.pick(&READABLE);
                self.ins(CLS_STX | MODE_MEM | sz, 6, src, off as i16, 0);
            }
            _ => {
                let imm = self.imm();
                self.ins(CLS_ST | MODE_MEM | sz, 6, 0, off as i16, imm);
            }
        }
        if self.rng.chance(20) {
            self.cond_jump(exit);
        }
        self.region(depth + 1, true);
        if down {
            self.ins(CLS_ALU64 | 0x10, 7, 0, 0, 1);
        } else {
            self.ins(CLS_ALU64, 7, 0, 0, step);
        }
        if !bottom {
            self.items.push(Item::Jump(Insn::new(CLS_JMP, 0, 0, 0, 0), head));
        } else if down {
            let jne = Insn::new(CLS_JMP | 0x50, 7, 0, 0, 0);
            self.items.push(Item::Jump(jne, head));
        } else {
            let jlt = Insn::new(CLS_JMP | 0xa0, 7, 0, 0, end);
            self.items.push(Item::Jump(jlt, head));
        }
        self.items.push(Item::Label(exit));
        if self.rng.chance(40) {
            let dst = self.data();
            self.ins(CLS_ALU64 | SRC_X, dst, 7, 0, 0); // add dst, r7
        }
    }

    /// Prologue of a function: keep r1/r2 as mem/len in r9/r8, give every other register a
    /// value (r3–r5 keep the caller's arguments in local functions).
    fn prologue(&mut self, local: bool) {
        self.ins(CLS_ALU64 | SRC_X | 0xb0, 9, 1, 0, 0);
        self.ins(CLS_ALU64 | SRC_X | 0xb0, 8, 2, 0, 0);
        let regs: &[u8] = if local { &[0, 1, 2, 6, 7] } else { &[0, 1, 2, 3, 4, 5, 6, 7] };
        for &r in regs {
            if self.rng.chance(20) {
                let v = self.rng.next_u64();
                self.items.push(Item::Lddw(r, v));
            } else {
                let imm = self.imm();
                self.ins(CLS_ALU64 | 0xb0, r, 0, 0, imm);
            }
        }
    }
}

/// A valid program for `seed`.
///
/// ```
/// let p = strata_testgen::bpf_gen::program(5);
/// assert!(strata_frontend::bpf::verify(&p).is_ok());
/// ```
pub fn program(seed: u64) -> Vec<Insn> {
    let mut rng = Rng::new(seed);
    let nfuncs = if rng.chance(40) { 1 + rng.below(3) } else { 0 };
    let mut g = Gen { rng: &mut rng, items: Vec::new(), labels: 0, callable: Vec::new(), budget: 60 };
    let func_labels: Vec<usize> = (0..nfuncs).map(|_| g.label()).collect();
    g.callable = func_labels.clone();
    g.prologue(false);
    g.region(0, false);
    g.ins(EXIT, 0, 0, 0, 0);
    for (k, &l) in func_labels.iter().enumerate() {
        g.callable = func_labels.get(k + 1..).map(|s| s.to_vec()).unwrap_or_default();
        g.budget = 25;
        g.items.push(Item::Label(l));
        g.prologue(true);
        g.region(1, false);
        g.ins(EXIT, 0, 0, 0, 0);
    }
    layout(&g.items)
}

/// Assigns slots and resolves labels.
fn layout(items: &[Item]) -> Vec<Insn> {
    let mut slot_of_label = std::collections::HashMap::new();
    let mut slot = 0usize;
    for it in items {
        match it {
            Item::Label(l) => {
                slot_of_label.insert(*l, slot);
            }
            Item::Lddw(..) => slot += 2,
            _ => slot += 1,
        }
    }
    let rel = |from: usize, l: &usize| slot_of_label.get(l).map_or(0, |&t| t as i64 - from as i64 - 1);
    let mut out = Vec::with_capacity(slot);
    for it in items {
        let here = out.len();
        match it {
            Item::Label(_) => {}
            Item::Ins(i) => out.push(*i),
            Item::Lddw(dst, v) => {
                out.push(Insn::new(LDDW, *dst, 0, 0, *v as u32 as i32));
                out.push(Insn::new(0, 0, 0, 0, (*v >> 32) as u32 as i32));
            }
            Item::Jump(i, l) => out.push(Insn { off: rel(here, l) as i16, ..*i }),
            Item::Ja32(l) => out.push(Insn::new(CLS_JMP32, 0, 0, 0, rel(here, l) as i32)),
            Item::CallLocal(l) => out.push(Insn::new(CALL, 0, 1, 0, rel(here, l) as i32)),
        }
    }
    out
}

/// A mutated copy of `program(seed)`: one to three random field changes, or a truncation.
/// Usually invalid; whatever it is, decoding, verifying and lifting must not panic.
pub fn mutated(seed: u64) -> Vec<Insn> {
    let mut p = program(seed);
    let mut rng = Rng::new(seed ^ 0xbad);
    for _ in 0..1 + rng.below(3) {
        if p.is_empty() {
            break;
        }
        let i = rng.below(p.len());
        let Some(ins) = p.get_mut(i) else { break };
        match rng.below(6) {
            0 => ins.opc = rng.next_u64() as u8,
            1 => ins.dst = rng.below(12) as u8,
            2 => ins.src = rng.below(12) as u8,
            3 => ins.off = rng.next_u64() as i16,
            4 => ins.imm = rng.next_u64() as i32,
            _ => p.truncate(i),
        }
    }
    p
}
