//! The lifter: BPF → Strata IR.
//!
//! The program becomes `export fn @main(mem: mut [i8]) -> i64`; each `call local` target
//! becomes `fn @bpf_local_<slot>(mem: mut [i8], stack: mut [i8], fp: i64, r1..r5: i64) -> i64`.
//! Registers are builder variables of type `i64`, so each function (frame) has its own
//! r0–r10 and the caller's r6–r9 survive a call. `main` owns one stack slot of
//! `MAX_FRAMES` × 512 bytes shared by all frames (just 512 bytes in a program without local
//! calls, since the slot is zeroed on every entry): main's r10 is its top, and each callee's
//! r10 (`fp`) is 512 bytes below its caller's, so a callee can use pointers into its
//! callers' frames. A call that would need a ninth frame traps `stack_overflow`. In `main`,
//! r1 = the address of `mem` (0 if `mem` is empty) and r2 = its length.
//!
//! Every load, store and atomic computes its address as an `i64` and checks that the whole
//! access lies in `mem` or in the stack a frame may use — its own 512 bytes below its r10
//! and its callers' frames above (so pointers into a caller's frame work), never the unused
//! frames below it — before touching either (through the slice pointer or the stack slot
//! address); anything else traps `out_of_bounds`.
//!
//! Helpers: `call N` becomes `call_host @bpf_helper_N(r1, .., r5) -> i64`. `call %rX`
//! (callx) calls helper N when rX was set by `mov rX, N` or `lddw` earlier in the same
//! straight-line code; otherwise it traps `unreachable`.

use super::error::BpfError;
use super::insn::*;
use super::verify::{local_target, successors, verify};
use std::collections::{BTreeMap, BTreeSet};
use strata_ir::{
    Block, EntityRef, ExternFunc, ExternId, FuncId, Function, FunctionBuilder, IntCC, Linkage, Module, Opcode, Param,
    Signature, TrapCode, Type, Value, Variable,
};

/// Bytes of each frame's stack.
pub const STACK_SIZE: i64 = 512;
/// Most frames (main and nested local calls) live at once; one more call traps `stack_overflow`.
pub const MAX_FRAMES: i64 = 8;

/// Lifts a program (verified first) to an IR module that passes `strata_ir::verify_module`.
pub fn lift(insns: &[Insn]) -> Result<Module, BpfError> {
    verify(insns)?;
    // Function entries: slot 0 is main, then every local-call target.
    let mut entries = BTreeSet::new();
    let mut i = 0;
    while i < insns.len() {
        if insns[i].opc == CALL && insns[i].src == 1 {
            entries.insert(local_target(insns, i)?);
        }
        i += if insns[i].is_lddw() { 2 } else { 1 };
    }
    entries.remove(&0);
    let mut funcs: BTreeMap<usize, FuncId> = BTreeMap::new();
    funcs.insert(0, FuncId::new(0));
    for (k, &e) in entries.iter().enumerate() {
        funcs.insert(e, FuncId::new(k + 1));
    }
    let mut module = Module::new();
    let mut helpers: BTreeMap<i64, ExternId> = BTreeMap::new();
    for (&entry, _) in funcs.iter() {
        let f = lift_function(insns, entry, &funcs, &mut helpers, &mut module)?;
        module.add_function(f);
    }
    strata_ir::verify_module(&module).map_err(|e| BpfError::new(0, format!("lifted IR does not verify: {e}")))?;
    Ok(module)
}

/// The slots of the function entered at `entry` that execution can reach, and its block
/// leaders (the entry and every successor of a jump). The BPF interpreter uses the same
/// sets, so that it resolves `callx` exactly as the lifted code does.
pub(crate) fn reach_and_leaders(insns: &[Insn], entry: usize) -> Result<(BTreeSet<usize>, BTreeSet<usize>), BpfError> {
    let mut reach = BTreeSet::new();
    let mut leaders = BTreeSet::from([entry]);
    let mut work = vec![entry];
    while let Some(i) = work.pop() {
        if !reach.insert(i) {
            continue;
        }
        let succ = successors(insns, i)?;
        let is_jump = matches!(insns[i].class(), CLS_JMP | CLS_JMP32) && !matches!(insns[i].opc, CALL | CALLX);
        if is_jump {
            leaders.extend(succ.iter().copied());
        }
        work.extend(succ);
    }
    Ok((reach, leaders))
}

/// The constant value of `reg` at slot `i`, if straight-line code before it (back to the
/// nearest leader) sets it with `mov reg, imm` or `lddw`: how `callx` picks its helper.
pub(crate) fn known_const(insns: &[Insn], i: usize, reg: u8, is_leader: &dyn Fn(usize) -> bool) -> Option<i64> {
    let mut j = i;
    while j > 0 && !is_leader(j) {
        j -= 1;
        let p = *insns.get(j)?;
        if p.opc == 0 && j > 0 && insns.get(j - 1).is_some_and(Insn::is_lddw) {
            continue;
        }
        if p.class() == CLS_JMP || p.class() == CLS_JMP32 {
            if p.opc == CALL || p.opc == CALLX {
                continue;
            }
            return None;
        }
        if p.class() == CLS_ST || p.class() == CLS_STX {
            // Stores use dst as the base only; atomics may write src or r0.
            if p.opc & 0xe0 == MODE_ATOMIC && (p.src == reg || reg == 0) {
                return None;
            }
            continue;
        }
        if p.dst == reg {
            return match p.opc {
                0xb7 => Some(p.imm as i64),
                LDDW => Some(((insns.get(j + 1)?.imm as u32 as u64) << 32 | p.imm as u32 as u64) as i64),
                _ => None,
            };
        }
    }
    None
}

fn i64_params() -> Vec<Param> {
    let mut p = vec![
        Param::slice("mem", Type::I8, true),
        Param::slice("stack", Type::I8, true),
        Param::scalar("fp", Type::I64),
    ];
    for r in 1..=5 {
        p.push(Param::scalar(format!("r{r}"), Type::I64));
    }
    p
}

struct Lifter<'a, 'f> {
    fb: FunctionBuilder<'f>,
    regs: [Variable; 11],
    mem_ptr: Value,
    mem_len: Value,
    mem_base: Value,
    stack_ptr: Value,
    stack_base: Value,
    stack_len: Value,
    top: Value,
    /// The lowest stack address this frame may use (`r10 - 512`).
    frame_lo: Value,
    /// Bytes from `frame_lo` to the end of the stack (this frame and its callers').
    frame_span: Value,
    /// r10 as an offset into the stack slot (a constant in `main`).
    top_off: Value,
    oob: Option<Block>,
    insns: &'a [Insn],
}

fn lift_function(
    insns: &[Insn],
    entry: usize,
    funcs: &BTreeMap<usize, FuncId>,
    helpers: &mut BTreeMap<i64, ExternId>,
    module: &mut Module,
) -> Result<Function, BpfError> {
    let (name, linkage, params) = if entry == 0 {
        ("main".to_string(), Linkage::Export, vec![Param::slice("mem", Type::I8, true)])
    } else {
        (format!("bpf_local_{entry}"), Linkage::Local, i64_params())
    };
    let mut func = Function::new(name, linkage, Signature::new(params, Some(Type::I64)));
    let frames = if funcs.len() > 1 { MAX_FRAMES } else { 1 };
    let slot = (entry == 0).then(|| func.create_stack_slot((STACK_SIZE * frames) as u32, 8));
    let (reach, leaders) = reach_and_leaders(insns, entry)?;
    {
        let mut fb = FunctionBuilder::new(&mut func);
        let params = fb.create_entry_block();
        let regs: [Variable; 11] = std::array::from_fn(|_| fb.declare_var(Type::I64));
        let (mem_ptr, mem_len) = (params[0], params[1]);
        let mem_base = fb.convert(Opcode::PtrToInt, Type::I64, mem_ptr);
        let (stack_ptr, stack_len, stack_base, top, top_off) = match slot {
            Some(slot) => {
                let p = fb.stack_addr(slot);
                let len = fb.iconst(Type::I64, STACK_SIZE * frames);
                let base = fb.convert(Opcode::PtrToInt, Type::I64, p);
                let top = fb.iadd(base, len);
                (p, len, base, top, len)
            }
            None => {
                let base = fb.convert(Opcode::PtrToInt, Type::I64, params[2]);
                let top_off = fb.isub(params[4], base);
                (params[2], params[3], base, params[4], top_off)
            }
        };
        fb.def_var(regs[10], top);
        let frame = fb.iconst(Type::I64, STACK_SIZE);
        let frame_lo = fb.isub(top, frame);
        let end = fb.iadd(stack_base, stack_len);
        let frame_span = fb.isub(end, frame_lo);
        if entry == 0 {
            // r1 is 0 (null) when there is no memory, as in the suite's reference engines.
            let zero = fb.iconst(Type::I64, 0);
            let empty = fb.icmp(IntCC::Eq, mem_len, zero);
            let r1 = fb.select(empty, zero, mem_base);
            fb.def_var(regs[1], r1);
            fb.def_var(regs[2], mem_len);
        } else {
            for r in 1..=5 {
                fb.def_var(regs[r], params[r + 4]);
            }
        }
        let blocks: BTreeMap<usize, Block> = leaders.iter().map(|&l| (l, fb.create_block())).collect();
        let mut l = Lifter {
            fb,
            regs,
            mem_ptr,
            mem_len,
            mem_base,
            stack_ptr,
            stack_base,
            stack_len,
            top,
            frame_lo,
            frame_span,
            top_off,
            oob: None,
            insns,
        };
        l.fb.jump(blocks[&entry], &[]);
        for &i in &reach {
            if let Some(&b) = blocks.get(&i) {
                if !l.fb.is_filled() {
                    l.fb.jump(b, &[]);
                }
                l.fb.switch_to_block(b);
            }
            l.insn(i, &blocks, funcs, helpers, module)?;
        }
        l.fb.seal_all_blocks();
        l.fb.finalize().map_err(|e| BpfError::new(entry, format!("IR construction failed: {e}")))?;
    }
    Ok(func)
}

fn cond_of(op: u8) -> IntCC {
    match op {
        0x10 => IntCC::Eq,
        0x20 => IntCC::Ugt,
        0x30 => IntCC::Uge,
        0x50 => IntCC::Ne,
        0x60 => IntCC::Sgt,
        0x70 => IntCC::Sge,
        0xa0 => IntCC::Ult,
        0xb0 => IntCC::Ule,
        0xc0 => IntCC::Slt,
        _ => IntCC::Sle,
    }
}

fn int_type(bytes: u32) -> Type {
    match bytes {
        1 => Type::I8,
        2 => Type::I16,
        4 => Type::I32,
        _ => Type::I64,
    }
}

impl Lifter<'_, '_> {
    fn get(&mut self, r: u8) -> Value {
        self.fb.use_var(self.regs[r as usize])
    }
    fn set(&mut self, r: u8, v: Value) {
        self.fb.def_var(self.regs[r as usize], v);
    }
    fn k(&mut self, ty: Type, v: i64) -> Value {
        self.fb.iconst(ty, v)
    }
    /// `v` (an i64) narrowed to `ty`.
    fn narrow(&mut self, v: Value, ty: Type) -> Value {
        if ty == Type::I64 {
            v
        } else {
            self.fb.convert(Opcode::Trunc, ty, v)
        }
    }
    /// `v` zero-extended to i64.
    fn widen(&mut self, v: Value, ty: Type) -> Value {
        if ty == Type::I64 {
            v
        } else {
            self.fb.convert(Opcode::Zext, Type::I64, v)
        }
    }

    fn oob_block(&mut self) -> Block {
        if let Some(b) = self.oob {
            return b;
        }
        let cur = self.fb.current_block();
        let b = self.fb.create_block();
        self.fb.switch_to_block(b);
        self.fb.trap(TrapCode::OutOfBounds);
        if let Some(c) = cur {
            self.fb.switch_to_block(c);
        }
        self.oob = Some(b);
        b
    }

    /// Emits a checked access of `size` bytes at `reg + off`: `f(builder, base, off)` runs
    /// once for `mem` and once for the stack, and its result (of type `ret`) is joined.
    ///
    /// An access through r10 (read-only, so always this frame's top) whose offset keeps it
    /// inside this frame's 512 bytes needs no check and cannot be in `mem` (a separate
    /// allocation): it goes straight to the stack slot at an offset that is a constant in
    /// `main`, which lets the passes and LLVM keep such slots in registers.
    fn access(
        &mut self,
        reg: u8,
        off: i16,
        size: u32,
        ret: Option<Type>,
        f: &mut dyn FnMut(&mut FunctionBuilder, Value, Value) -> Option<Value>,
    ) -> Option<Value> {
        let o = i64::from(off);
        if reg == 10 && o >= -STACK_SIZE && o + i64::from(size) <= 0 {
            let k = self.k(Type::I64, o);
            let soff = self.fb.iadd(self.top_off, k);
            return f(&mut self.fb, self.stack_ptr, soff);
        }
        let addr = self.addr(reg, off);
        let oob = self.oob_block();
        let sz = self.k(Type::I64, size as i64);
        let moff = self.fb.isub(addr, self.mem_base);
        let room = self.fb.isub(self.mem_len, sz);
        let fits = self.fb.icmp(IntCC::Ule, moff, room);
        let big = self.fb.icmp(IntCC::Uge, self.mem_len, sz);
        let in_mem = self.fb.binary(Opcode::Band, fits, big);
        let mem_b = self.fb.create_block();
        let stk_check = self.fb.create_block();
        let stk_b = self.fb.create_block();
        let join = self.fb.create_block();
        let param = ret.map(|t| self.fb.append_block_param(join, t));
        self.fb.brif(in_mem, mem_b, &[], stk_check, &[]);

        self.fb.switch_to_block(mem_b);
        let r = f(&mut self.fb, self.mem_ptr, moff);
        let args: Vec<Value> = r.into_iter().collect();
        self.fb.jump(join, &args);

        self.fb.switch_to_block(stk_check);
        let foff = self.fb.isub(addr, self.frame_lo);
        let sz = self.k(Type::I64, size as i64);
        let sroom = self.fb.isub(self.frame_span, sz);
        let in_stk = self.fb.icmp(IntCC::Ule, foff, sroom);
        self.fb.brif(in_stk, stk_b, &[], oob, &[]);

        // Through the address itself rather than `stack_ptr + (addr - stack_base)`: the same
        // byte, but LLVM's loop strength reduction then keeps no induction variable for the
        // stack path of an access in a loop (insertion sort's inner loop went from 23 to 16
        // x86 instructions and ran ~25% faster on tier 2).
        self.fb.switch_to_block(stk_b);
        let p = self.fb.convert(Opcode::IntToPtr, Type::PTR, addr);
        let zero = self.k(Type::I64, 0);
        let r = f(&mut self.fb, p, zero);
        let args: Vec<Value> = r.into_iter().collect();
        self.fb.jump(join, &args);

        self.fb.switch_to_block(join);
        param
    }

    fn addr(&mut self, base: u8, off: i16) -> Value {
        let b = self.get(base);
        let o = self.k(Type::I64, off as i64);
        self.fb.iadd(b, o)
    }

    fn insn(
        &mut self,
        i: usize,
        blocks: &BTreeMap<usize, Block>,
        funcs: &BTreeMap<usize, FuncId>,
        helpers: &mut BTreeMap<i64, ExternId>,
        module: &mut Module,
    ) -> Result<(), BpfError> {
        let ins = self.insns[i];
        match ins.class() {
            CLS_ALU | CLS_ALU64 => self.alu(&ins),
            CLS_JMP | CLS_JMP32 => return self.jmp(i, &ins, blocks, funcs, helpers, module),
            CLS_LD => {
                let hi = self.insns.get(i + 1).map_or(0, |n| n.imm);
                let v = ((hi as u32 as u64) << 32 | ins.imm as u32 as u64) as i64;
                let c = self.k(Type::I64, v);
                self.set(ins.dst, c);
            }
            CLS_LDX => {
                let size = ins.mem_size();
                let ty = int_type(size);
                let sx = ins.opc & 0xe0 == MODE_MEMSX;
                let v = self.access(ins.src, ins.off, size, Some(Type::I64), &mut |fb, base, off| {
                    let v = fb.load(ty, base, off);
                    Some(if ty == Type::I64 {
                        v
                    } else if sx {
                        fb.convert(Opcode::Sext, Type::I64, v)
                    } else {
                        fb.convert(Opcode::Zext, Type::I64, v)
                    })
                });
                if let Some(v) = v {
                    self.set(ins.dst, v);
                }
            }
            CLS_ST | CLS_STX => {
                let size = ins.mem_size();
                let ty = int_type(size);
                if ins.opc & 0xe0 == MODE_ATOMIC {
                    return self.atomic(&ins, ty);
                }
                let v = if ins.class() == CLS_ST { self.k(Type::I64, ins.imm as i64) } else { self.get(ins.src) };
                let v = self.narrow(v, ty);
                self.access(ins.dst, ins.off, size, None, &mut |fb, base, off| {
                    fb.store(base, off, v);
                    None
                });
            }
            _ => return Err(BpfError::new(i, format!("unknown opcode {:#04x}", ins.opc))),
        }
        Ok(())
    }

    fn atomic(&mut self, ins: &Insn, ty: Type) -> Result<(), BpfError> {
        let src = self.get(ins.src);
        let src = self.narrow(src, ty);
        let r0 = self.get(0);
        let r0 = self.narrow(r0, ty);
        let imm = ins.imm;
        let old = self.access(ins.dst, ins.off, ins.mem_size(), Some(ty), &mut |fb, base, off| {
            let old = fb.load(ty, base, off);
            let new = match imm {
                ATOMIC_XCHG => src,
                ATOMIC_CMPXCHG => {
                    let eq = fb.icmp(IntCC::Eq, old, r0);
                    fb.select(eq, src, old)
                }
                x => {
                    let op = match x & !ATOMIC_FETCH {
                        0x00 => Opcode::Iadd,
                        0x40 => Opcode::Bor,
                        0x50 => Opcode::Band,
                        _ => Opcode::Bxor,
                    };
                    fb.binary(op, old, src)
                }
            };
            fb.store(base, off, new);
            Some(old)
        });
        if let Some(old) = old {
            let old = self.widen(old, ty);
            if imm == ATOMIC_CMPXCHG {
                self.set(0, old);
            } else if imm == ATOMIC_XCHG || imm & ATOMIC_FETCH != 0 {
                self.set(ins.src, old);
            }
        }
        Ok(())
    }

    fn alu(&mut self, ins: &Insn) {
        let ty = if ins.class() == CLS_ALU64 { Type::I64 } else { Type::I32 };
        let op = ins.opc & 0xf0;
        let d = self.get(ins.dst);
        if op == 0xd0 {
            let w = int_type(ins.imm as u32 / 8);
            let mut v = self.narrow(d, w);
            if ins.opc != 0xd4 {
                v = self.fb.unary(Opcode::Bswap, v);
            }
            let v = self.widen(v, w);
            self.set(ins.dst, v);
            return;
        }
        let a = self.narrow(d, ty);
        let b = if ins.opc & SRC_X != 0 {
            let s = self.get(ins.src);
            self.narrow(s, ty)
        } else {
            self.k(ty, ins.imm as i64)
        };
        let simple = |op| match op {
            0x00 => Some(Opcode::Iadd),
            0x10 => Some(Opcode::Isub),
            0x20 => Some(Opcode::Imul),
            0x40 => Some(Opcode::Bor),
            0x50 => Some(Opcode::Band),
            0x60 => Some(Opcode::Shl),
            0x70 => Some(Opcode::Lshr),
            0xa0 => Some(Opcode::Bxor),
            0xc0 => Some(Opcode::Ashr),
            _ => None,
        };
        let r = if let Some(o) = simple(op) {
            self.fb.binary(o, a, b)
        } else {
            match op {
                0x80 => self.fb.unary(Opcode::Ineg, a),
                0xb0 if ins.off != 0 => {
                    let s = self.get(ins.src);
                    let n = self.narrow(s, int_type(ins.off as u32 / 8));
                    self.fb.convert(Opcode::Sext, ty, n)
                }
                0xb0 => b,
                _ => {
                    // div (0x30) / mod (0x90), unsigned or (off = 1) signed.
                    let zero = self.k(ty, 0);
                    let one = self.k(ty, 1);
                    let is0 = self.fb.icmp(IntCC::Eq, b, zero);
                    let safe = self.fb.select(is0, one, b);
                    let o = match (op, ins.off) {
                        (0x30, 0) => Opcode::Udiv,
                        (0x30, _) => Opcode::Sdiv,
                        (_, 0) => Opcode::Urem,
                        _ => Opcode::Srem,
                    };
                    let q = self.fb.binary(o, a, safe);
                    let dflt = if op == 0x30 { zero } else { a };
                    self.fb.select(is0, dflt, q)
                }
            }
        };
        let r = self.widen(r, ty);
        self.set(ins.dst, r);
    }

    fn call_helper(&mut self, n: i64, helpers: &mut BTreeMap<i64, ExternId>, module: &mut Module) {
        let id = *helpers.entry(n).or_insert_with(|| {
            module.add_extern(ExternFunc {
                name: format!("bpf_helper_{n}"),
                params: vec![Type::I64; 5],
                ret: Some(Type::I64),
            })
        });
        let args: Vec<Value> = (1..=5).map(|r| self.get(r)).collect();
        if let Some(r) = self.fb.call_host(id, Some(Type::I64), &args) {
            self.set(0, r);
        }
    }

    fn jmp(
        &mut self,
        i: usize,
        ins: &Insn,
        blocks: &BTreeMap<usize, Block>,
        funcs: &BTreeMap<usize, FuncId>,
        helpers: &mut BTreeMap<i64, ExternId>,
        module: &mut Module,
    ) -> Result<(), BpfError> {
        let block_at = |s: usize| blocks.get(&s).copied().ok_or_else(|| BpfError::new(i, "internal: no block"));
        match ins.opc {
            EXIT => {
                let r0 = self.get(0);
                self.fb.ret(Some(r0));
            }
            CALL if ins.src == 1 => {
                let t = local_target(self.insns, i)?;
                let f = *funcs.get(&t).ok_or_else(|| BpfError::new(i, "internal: no callee"))?;
                // The callee's frame is the 512 bytes below this one, inside the shared stack.
                let used = self.fb.isub(self.top, self.stack_base);
                let need = self.k(Type::I64, 2 * STACK_SIZE);
                let room = self.fb.icmp(IntCC::Uge, used, need);
                let ok = self.fb.create_block();
                let ovf = self.fb.create_block();
                self.fb.brif(room, ok, &[], ovf, &[]);
                self.fb.switch_to_block(ovf);
                self.fb.trap(TrapCode::StackOverflow);
                self.fb.switch_to_block(ok);
                let frame = self.k(Type::I64, STACK_SIZE);
                let fp = self.fb.isub(self.top, frame);
                let mut args = vec![self.mem_ptr, self.mem_len, self.stack_ptr, self.stack_len, fp];
                args.extend((1..=5).map(|r| self.get(r)));
                if let Some(r) = self.fb.call(f, Some(Type::I64), &args) {
                    self.set(0, r);
                }
            }
            CALL => self.call_helper(ins.imm as i64, helpers, module),
            CALLX => match known_const(self.insns, i, ins.dst, &|j| blocks.contains_key(&j)) {
                Some(n) => self.call_helper(n, helpers, module),
                None => {
                    self.fb.trap(TrapCode::Unreachable);
                    let dead = self.fb.create_block();
                    self.fb.switch_to_block(dead);
                }
            },
            0x05 | 0x06 => {
                let s = successors(self.insns, i)?;
                let b = block_at(s[0])?;
                self.fb.jump(b, &[]);
            }
            _ => {
                let s = successors(self.insns, i)?;
                let (fall, taken) = (block_at(s[0])?, block_at(s[1])?);
                let ty = if ins.class() == CLS_JMP { Type::I64 } else { Type::I32 };
                let d = self.get(ins.dst);
                let a = self.narrow(d, ty);
                let b = if ins.opc & SRC_X != 0 {
                    let s = self.get(ins.src);
                    self.narrow(s, ty)
                } else {
                    self.k(ty, ins.imm as i64)
                };
                let op = ins.opc & 0xf0;
                let c = if op == 0x40 {
                    let m = self.fb.binary(Opcode::Band, a, b);
                    let z = self.k(ty, 0);
                    self.fb.icmp(IntCC::Ne, m, z)
                } else {
                    self.fb.icmp(cond_of(op), a, b)
                };
                self.fb.brif(c, taken, &[], fall, &[]);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::asm::assemble;
    use super::*;
    use strata_ir::{Arg, InterpError, Interpreter, Val};

    fn run(src: &str, mem: &mut [u8]) -> Result<i64, InterpError> {
        let m = lift(&assemble(src).unwrap()).unwrap();
        let it = Interpreter::new(&m).unwrap().with_host("bpf_helper_7", |a| Ok(Some(a[1])));
        match it.call("main", &mut [Arg::SliceMut(mem)])? {
            Some(Val::I64(v)) => Ok(v),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn memory_and_stack_are_checked() {
        let mut mem = [1u8, 2, 3, 4];
        assert_eq!(run("ldxw %r0, [%r1+0]\nexit", &mut mem).unwrap(), 0x0403_0201);
        assert_eq!(run("stb [%r1+3], 9\nldxb %r0, [%r1+3]\nexit", &mut mem).unwrap(), 9);
        assert_eq!(mem[3], 9);
        assert!(run("ldxw %r0, [%r1+1]\nexit", &mut mem).is_err());
        assert!(run("ldxb %r0, [%r1-1]\nexit", &mut mem).is_err());
        assert!(run("ldxdw %r0, [%r1+0]\nexit", &mut []).is_err());
        assert_eq!(run("stdw [%r10-8], -2\nldxdw %r0, [%r10-8]\nexit", &mut []).unwrap(), -2);
        assert!(run("ldxdw %r0, [%r10-4]\nexit", &mut []).is_err());
        assert!(run("ldxb %r0, [%r10-4097]\nexit", &mut []).is_err());
        // Only this frame's 512 bytes: the unused frames below are off limits too.
        assert_eq!(run("stb [%r10-512], 3\nldxb %r0, [%r10-512]\nexit", &mut []).unwrap(), 3);
        assert!(run("ldxb %r0, [%r10-513]\nexit", &mut []).is_err());
        assert!(run("call local f\nexit\nf:\nldxb %r0, [%r10-513]\nexit", &mut []).is_err());
        assert_eq!(run("mov %r0, %r1\nexit", &mut []).unwrap(), 0);
    }

    #[test]
    fn calls() {
        // Each frame has its own registers and stack.
        let src = "mov %r6, 5\nstdw [%r10-8], 1\nmov %r1, 3\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r6\n\
                   add %r0, %r1\nexit\nf:\nmov %r6, 100\nstdw [%r10-8], 50\nmov %r0, %r1\nmul %r0, 10\nexit";
        assert_eq!(run(src, &mut []).unwrap(), 36);
        assert_eq!(run("mov %r1, 1\nmov %r2, 2\ncall 7\nexit", &mut []).unwrap(), 2);
        assert_eq!(run("mov %r2, 2\nmov %r3, 7\ncall %r3\nexit", &mut []).unwrap(), 2);
        assert!(run("mov %r0, 0\njeq %r0, 0, +0\ncall %r2\nexit", &mut []).is_err());
        // A callee reads and writes its caller's frame through a pointer.
        let src =
            "stdw [%r10-8], 20\nmov %r1, %r10\nsub %r1, 8\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n\
                   f:\nldxdw %r0, [%r1+0]\nstdw [%r1+0], 1\nexit";
        assert_eq!(run(src, &mut []).unwrap(), 21);
        // Unbounded recursion runs out of frames.
        let e = run("call local f\nexit\nf:\ncall local f\nexit", &mut []).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::StackOverflow), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Random programs that pass the verifier lift to valid IR and run without panicking.
        #[test]
        fn random_verified_programs_run(
            ops in proptest::collection::vec((0usize..16, 0u8..10, 0u8..10, -3i32..4), 1..20),
        ) {
            let mut src = String::from("mov %r0, 0\nmov %r3, 7\nmov %r4, -1\nmov %r5, 3\nmov %r6, 1\nmov %r7, 2\nmov %r8, 9\nmov %r9, 4\n");
            for (k, d, s, imm) in ops {
                let line = match k {
                    0 => format!("add %r{d}, %r{s}"),
                    1 => format!("sdiv32 %r{d}, {imm}"),
                    2 => format!("mod %r{d}, %r{s}"),
                    3 => format!("lsh %r{d}, %r{s}"),
                    4 => format!("be16 %r{d}"),
                    5 => format!("jslt %r{d}, %r{s}, +1"),
                    6 => format!("ldxb %r{d}, [%r1+{}]", imm.unsigned_abs()),
                    7 => format!("stxdw [%r10-{}], %r{s}", 8 * (imm.unsigned_abs() + 1)),
                    8 => format!("ldxdw %r{d}, [%r10-{}]", 8 * (imm.unsigned_abs() + 1)),
                    9 => format!("lock fetch add [%r10-8], %r{s}"),
                    10 => format!("lock cmpxchg32 [%r1+0], %r{s}"),
                    11 => format!("movsx1664 %r{d}, %r{s}"),
                    12 => format!("jset32 %r{d}, {imm}, -1"),
                    13 => format!("neg32 %r{d}"),
                    14 => format!("lddw %r{d}, {imm}"),
                    _ => format!("smod %r{d}, %r{s}"),
                };
                src.push_str(&line);
                src.push('\n');
            }
            src.push_str("exit\nexit\n");
            let p = assemble(&src).unwrap();
            // Rejected only when a jump lands inside an lddw.
            proptest::prop_assume!(verify(&p).is_ok());
            {
                let m = lift(&p).unwrap();
                proptest::prop_assert!(strata_ir::verify_module(&m).is_ok());
                let it = Interpreter::new(&m).unwrap().with_fuel(10_000);
                let mut mem = [5u8; 4];
                let _ = it.call("main", &mut [Arg::SliceMut(&mut mem)]);
            }
        }
    }
}
