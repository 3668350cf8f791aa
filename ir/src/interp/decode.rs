//! Pre-decoding: turns every function of a module into the flat form of `code.rs`, once,
//! when the interpreter is built, so that running never walks the DFG, the layout or a map.
//!
//! Per function:
//! 1. Blocks are numbered in layout order; a branch to a block at the same or an earlier
//!    position is a back-edge (it costs fuel).
//! 2. Every value gets register slots: the entry block's parameters first (so a caller
//!    knows where they are from the callee's signature alone), then the other block
//!    parameters and instruction results, then one slot per distinct constant, then a
//!    scratch slot for breaking cycles of block-parameter copies.
//! 3. Copy elimination: a value computed in a block only to be passed to a `br` (used once,
//!    as that argument) is computed straight into the target parameter's slot when nothing
//!    later in the block reads that slot. Loop counters and accumulators then need no copy
//!    on the back-edge.
//! 4. Instructions become ops chosen by type (`select.rs`): an `icmp` right before the
//!    `brif` that is its only user fuses with it, and so does the guarded access
//!    `bounds_check i, n; off = imul i, 2^k; load base, off` (or `store`). Edges with
//!    copies get `Mov`s, inline for `br`, in stubs after the blocks for `brif`; labels are
//!    then patched into code offsets.
//! 5. Loop rotation: a `br` to a block that starts with a conditional branch (a loop header
//!    testing its condition) becomes a copy of that branch, paying the jump's fuel.
//! 6. Counted loops: an in-place `i = i + step` (small constant step) right before a
//!    compare-and-branch on `i` fuses with it. A loop like docs/ir.md's first example then
//!    runs 4 ops per iteration.
//!
//! The decoder checks what it relies on (entity references, terminators, operand types,
//! argument counts) and reports an [`InterpError::InvalidIr`] instead of panicking.

use crate::dfg::ValueDef;
use crate::entities::{Block, EntityRef, Inst, SecondaryMap, StackSlot, Value};
use crate::function::{Function, Linkage};
use crate::instructions::{BlockCall, InstData};
use crate::interp::code::{param_slots, CallSite, DFunc, HostSite, Op, Slot};
use crate::interp::error::InterpError;
use crate::interp::memory::{addr_of, StackLayout, MAX_FRAME_BYTES, MAX_SLOT_ALIGN};
use crate::interp::ops::{mask, shift_of};
use crate::interp::value::{slot_count, vector_bytes, VectorVal, MAX_VECTOR_BYTES};
use crate::interp::vector::VecInst;
use crate::module::{ExternFunc, Module};
use crate::types::{LaneType, Type};
use std::collections::HashMap;

/// A decoded module.
pub(crate) struct Program {
    pub funcs: Vec<DFunc>,
    pub by_name: HashMap<String, u32>,
    /// Data objects, owned here so their addresses stay fixed for the program's life.
    pub data: Vec<Box<[u8]>>,
    pub externs: Vec<ExternFunc>,
}

/// Decodes every function of `m`.
pub(crate) fn decode_module(m: &Module) -> Result<Program, InterpError> {
    let data: Vec<Box<[u8]>> = m.data.values().map(|d| d.bytes.clone().into_boxed_slice()).collect();
    // Box contents never move, so these addresses are valid constants for `data_addr`.
    let data_addrs: Vec<u64> = data.iter().map(|b| addr_of(b.as_ptr())).collect();
    let mut funcs = Vec::with_capacity(m.functions.len());
    let mut by_name = HashMap::new();
    for (id, f) in m.functions.iter() {
        funcs.push(FuncDecoder::new(m, f, &data_addrs).decode()?);
        // Like `Module::func_by_name`, the first function of a name wins.
        by_name.entry(f.name.clone()).or_insert(id.as_u32());
    }
    Ok(Program { funcs, by_name, data, externs: m.externs.values().cloned().collect() })
}

/// A `brif` edge that needs copies or fuel goes through a stub: `copies`, then a jump.
struct Stub {
    copies: Vec<(Slot, Slot)>,
    target: u32,
    back: bool,
}

pub(super) struct FuncDecoder<'m> {
    pub(super) m: &'m Module,
    pub(super) f: &'m Function,
    pub(super) data_addrs: &'m [u64],
    /// Blocks in layout order, and each block's position + 1 (0: not in the layout).
    pub(super) blocks: Vec<Block>,
    pub(super) pos: SecondaryMap<Block, u32>,
    pub(super) insts: Vec<Vec<Inst>>,
    pub(super) defined: SecondaryMap<Value, bool>,
    pub(super) uses: SecondaryMap<Value, u32>,
    pub(super) slot: SecondaryMap<Value, Slot>,
    pub(super) nslots: u32,
    pub(super) temp: Slot,
    pub(super) const_base: Slot,
    pub(super) consts: Vec<u64>,
    pub(super) stack_addrs: Vec<(Slot, u32)>,
    pub(super) code: Vec<Op>,
    pub(super) calls: Vec<CallSite>,
    pub(super) host_calls: Vec<HostSite>,
    pub(super) vector: Vec<VecInst>,
    stubs: Vec<Stub>,
}

pub(super) type Res<T> = Result<T, InterpError>;

/// Marks a call result that is discarded.
pub(crate) const DISCARD: Slot = u32::MAX;

impl<'m> FuncDecoder<'m> {
    fn new(m: &'m Module, f: &'m Function, data_addrs: &'m [u64]) -> Self {
        FuncDecoder {
            m,
            f,
            data_addrs,
            blocks: Vec::new(),
            pos: SecondaryMap::new(),
            insts: Vec::new(),
            defined: SecondaryMap::new(),
            uses: SecondaryMap::new(),
            slot: SecondaryMap::new(),
            nslots: 0,
            temp: 0,
            const_base: 0,
            consts: Vec::new(),
            stack_addrs: Vec::new(),
            code: Vec::new(),
            calls: Vec::new(),
            host_calls: Vec::new(),
            vector: Vec::new(),
            stubs: Vec::new(),
        }
    }

    pub(super) fn err(&self, message: impl Into<String>) -> InterpError {
        InterpError::InvalidIr { function: self.f.name.clone(), message: message.into() }
    }

    pub(super) fn unsupported(&self, message: impl Into<String>) -> InterpError {
        InterpError::Unsupported { function: self.f.name.clone(), message: message.into() }
    }

    pub(super) fn ensure(&self, ok: bool, message: impl FnOnce() -> String) -> Res<()> {
        if ok {
            Ok(())
        } else {
            Err(self.err(message()))
        }
    }

    fn decode(mut self) -> Res<DFunc> {
        let f = self.f;
        let entry = f.entry_block().ok_or_else(|| self.err("no entry block"))?;
        self.collect_blocks()?;
        let param_types = f.sig.abi_params();
        let entry_params = f.dfg.block_params(entry);
        let entry_types: Vec<Type> = entry_params.iter().map(|&v| f.dfg.value_type(v)).collect();
        self.ensure(entry_types == param_types, || {
            format!(
                "entry block parameters {entry_types:?} do not match the signature's ABI parameters {param_types:?}"
            )
        })?;
        for p in &f.sig.params {
            if let crate::signature::ParamKind::Slice { elem, .. } = p.kind {
                self.ensure(elem.bytes().is_some_and(|b| b > 0), || {
                    format!("slice parameter `{}` has element type {elem}, which has no memory form", p.name)
                })?;
            }
        }
        if let Some(t) = f.sig.ret {
            self.check_type(t)?;
        }
        self.assign_slots(entry, &param_types)?;
        let stack = self.stack_layout()?;
        self.eliminate_copies();
        let mut block_pc = Vec::with_capacity(self.blocks.len());
        for bi in 0..self.blocks.len() {
            block_pc.push(self.code.len() as u32);
            self.emit_block(bi)?;
        }
        let nblocks = self.blocks.len() as u32;
        let mut stub_pc = Vec::with_capacity(self.stubs.len());
        for stub in std::mem::take(&mut self.stubs) {
            stub_pc.push(self.code.len() as u32);
            let mut moves = Vec::new();
            self.sequentialize(stub.copies, &mut moves);
            self.code.extend(moves);
            self.code.push(if stub.back { Op::JumpBack { t: stub.target } } else { Op::Jump { t: stub.target } });
        }
        let resolve = |label: u32| {
            if label < nblocks {
                block_pc.get(label as usize).copied().unwrap_or(0)
            } else {
                stub_pc.get((label - nblocks) as usize).copied().unwrap_or(0)
            }
        };
        for op in &mut self.code {
            op.map_targets(resolve);
        }
        // Loop rotation: a jump to a conditional branch becomes a copy of it. Copies are
        // taken from the code before rotation: a jump to a jump that became a copy must
        // not inherit it (it would skip that jump's fuel).
        let original = self.code.clone();
        for (pc, op) in original.iter().enumerate() {
            let (t, back) = match *op {
                Op::Jump { t } => (t, false),
                Op::JumpBack { t } => (t, true),
                _ => continue,
            };
            if let Some(op) = original.get(t as usize).and_then(|op| op.as_jump_replacement(back)) {
                self.code[pc] = op;
            }
        }
        self.fuse_counter_branches();
        let (param_slots, _) = param_slots(&param_types);
        Ok(DFunc {
            name: f.name.clone(),
            exported: f.linkage == Linkage::Export,
            sig: f.sig.clone(),
            nslots: self.nslots,
            param_slots,
            const_base: self.const_base,
            consts: self.consts,
            stack_addrs: self.stack_addrs,
            stack,
            code: self.code,
            calls: self.calls,
            host_calls: self.host_calls,
            vector: self.vector,
        })
    }

    /// Blocks in layout order, their instructions, the values they define and use counts.
    fn collect_blocks(&mut self) -> Res<()> {
        let (dfg, layout) = (&self.f.dfg, &self.f.layout);
        for b in layout.blocks() {
            self.ensure(dfg.blocks.is_valid(b), || format!("the layout holds {b}, which does not exist"))?;
            self.ensure(self.pos[b] == 0, || format!("{b} appears twice in the layout"))?;
            self.blocks.push(b);
            self.pos[b] = self.blocks.len() as u32;
            for &p in dfg.block_params(b) {
                self.define(p)?;
            }
            let mut insts = Vec::new();
            for inst in layout.block_insts(b) {
                self.ensure(dfg.insts.is_valid(inst), || format!("{b} holds {inst}, which does not exist"))?;
                if let Some(r) = dfg.inst_result(inst) {
                    self.define(r)?;
                }
                insts.push(inst);
                if insts.len() > dfg.insts.len() {
                    return Err(self.err(format!("the instruction list of {b} is cyclic")));
                }
            }
            self.insts.push(insts);
            if self.blocks.len() > dfg.blocks.len() {
                return Err(self.err("the block list is cyclic"));
            }
        }
        for insts in &self.insts {
            for &inst in insts {
                self.f.dfg.insts[inst].for_each_value(|v| {
                    if self.f.dfg.values.is_valid(v) {
                        self.uses[v] += 1;
                    }
                });
            }
        }
        Ok(())
    }

    fn define(&mut self, v: Value) -> Res<()> {
        self.ensure(self.f.dfg.values.is_valid(v), || format!("{v} does not exist"))?;
        self.ensure(!self.defined[v], || format!("{v} is defined twice"))?;
        self.check_type(self.f.dfg.value_type(v))?;
        self.defined[v] = true;
        Ok(())
    }

    pub(super) fn check_type(&self, t: Type) -> Res<()> {
        if t.is_vector() && vector_bytes(t) > MAX_VECTOR_BYTES {
            return Err(self.unsupported(format!("type {t} is wider than {} bits", MAX_VECTOR_BYTES * 8)));
        }
        Ok(())
    }

    fn alloc(&mut self, t: Type) -> Res<Slot> {
        let s = self.nslots;
        self.nslots = s.checked_add(slot_count(t) as u32).ok_or_else(|| self.unsupported("too many values"))?;
        Ok(s)
    }

    /// Gives every defined value its slots (see the module doc for the order).
    fn assign_slots(&mut self, entry: Block, param_types: &[Type]) -> Res<()> {
        let dfg = &self.f.dfg;
        let (pslots, n) = param_slots(param_types);
        for (&p, &s) in dfg.block_params(entry).iter().zip(&pslots) {
            self.slot[p] = s;
        }
        self.nslots = n;
        // Constants and stack addresses are filled on frame entry: collect them here.
        let mut consts: Vec<(Value, Vec<u64>)> = Vec::new();
        let mut stack_addr_of: HashMap<StackSlot, Slot> = HashMap::new();
        for bi in 0..self.blocks.len() {
            let b = self.blocks[bi];
            if b != entry {
                for &p in dfg.block_params(b) {
                    self.slot[p] = self.alloc(dfg.value_type(p))?;
                }
            }
            for k in 0..self.insts[bi].len() {
                let inst = self.insts[bi][k];
                let Some(r) = dfg.inst_result(inst) else { continue };
                let ty = dfg.value_type(r);
                if let Some(words) = self.const_words(inst, ty)? {
                    consts.push((r, words));
                } else if let InstData::StackAddr { slot } = dfg.insts[inst] {
                    self.ensure(self.f.stack_slots.is_valid(slot), || {
                        format!("{inst} refers to {slot}, which does not exist")
                    })?;
                    self.ensure(ty == Type::PTR, || format!("{inst}: stack_addr must have type ptr, not {ty}"))?;
                    let s = match stack_addr_of.get(&slot) {
                        Some(&s) => s,
                        None => {
                            let s = self.alloc(ty)?;
                            stack_addr_of.insert(slot, s);
                            self.stack_addrs.push((s, slot.as_u32()));
                            s
                        }
                    };
                    self.slot[r] = s;
                } else {
                    self.slot[r] = self.alloc(ty)?;
                }
            }
        }
        // One slot per distinct constant.
        self.const_base = self.nslots;
        let mut pool: HashMap<Vec<u64>, Slot> = HashMap::new();
        for (v, words) in consts {
            let s = match pool.get(&words) {
                Some(&s) => s,
                None => {
                    let s = self.const_base + self.consts.len() as u32;
                    self.consts.extend_from_slice(&words);
                    pool.insert(words, s);
                    s
                }
            };
            self.slot[v] = s;
        }
        self.nslots = self.const_base + self.consts.len() as u32;
        self.temp = self.nslots;
        self.nslots += 1;
        Ok(())
    }

    /// The register words of a constant-like instruction (`iconst`, `fconst`, `bconst`,
    /// `data_addr`) of type `ty`, or `None` for other instructions.
    fn const_words(&self, inst: Inst, ty: Type) -> Res<Option<Vec<u64>>> {
        let lane = ty.lane();
        let bits = match self.f.dfg.insts[inst] {
            InstData::IntConst { imm } => {
                self.ensure(ty.is_int() || ty.is_ptr(), || format!("{inst}: iconst cannot have type {ty}"))?;
                // The immediate is truncated to the type's width.
                imm as u64 & mask(shift_of(lane))
            }
            InstData::FloatConst { bits } => match lane {
                LaneType::F32 => bits & 0xffff_ffff,
                LaneType::F64 => bits,
                _ => return Err(self.err(format!("{inst}: fconst cannot have type {ty}"))),
            },
            InstData::BoolConst { imm } => {
                self.ensure(ty.is_bool(), || format!("{inst}: bconst cannot have type {ty}"))?;
                imm as u64
            }
            InstData::DataAddr { data } => {
                self.ensure(ty == Type::PTR, || format!("{inst}: data_addr must have type ptr, not {ty}"))?;
                *self
                    .data_addrs
                    .get(data.index())
                    .ok_or_else(|| self.err(format!("{inst} refers to {data}, which does not exist")))?
            }
            _ => return Ok(None),
        };
        if ty.is_scalar() {
            return Ok(Some(vec![bits]));
        }
        let mut v = VectorVal::blank(ty);
        for i in 0..ty.lanes() as usize {
            v.set_lane_bits(i, bits);
        }
        let mut words = vec![0u64; slot_count(ty)];
        v.write_slots(&mut words);
        Ok(Some(words))
    }

    fn stack_layout(&self) -> Res<StackLayout> {
        let mut layout = StackLayout { slots: Vec::new(), size: 0, align: 1 };
        let mut off: u64 = 0;
        for (ss, d) in self.f.stack_slots.iter() {
            self.ensure(d.align.is_power_of_two(), || format!("{ss} has alignment {}, not a power of two", d.align))?;
            if d.align > MAX_SLOT_ALIGN {
                return Err(self.unsupported(format!("{ss} is aligned to {} (at most {MAX_SLOT_ALIGN})", d.align)));
            }
            off = off.next_multiple_of(d.align as u64);
            layout.slots.push((off as u32, d.size));
            off += d.size as u64;
            if off > MAX_FRAME_BYTES {
                return Err(self.unsupported(format!("stack slots take more than {MAX_FRAME_BYTES} bytes")));
            }
            layout.align = layout.align.max(d.align);
        }
        layout.size = off as u32;
        Ok(layout)
    }

    /// Step 6 of the module doc: `Iadd64 { d: i, a: i, b: step }` right before a branch on
    /// `i` becomes one `IncBr*` op. The branch stays in place for anything that jumps to
    /// it; the fused op never falls through to it.
    fn fuse_counter_branches(&mut self) {
        let small = |s: Slot| {
            let k = s.checked_sub(self.const_base)? as usize;
            i8::try_from(*self.consts.get(k)? as i64).ok()
        };
        for pc in 0..self.code.len().saturating_sub(1) {
            let Op::Iadd64 { d: i, a, b } = self.code[pc] else { continue };
            let step = match (a == i, b == i) {
                (true, _) => small(b),
                (_, true) => small(a),
                _ => None,
            };
            let Some(step) = step else { continue };
            self.code[pc] = match self.code[pc + 1] {
                Op::BrSlt { a, b: n, t, e, sh: 0, back } if a == i => Op::IncBrSlt { i, n, t, e, step, back },
                Op::BrSle { a, b: n, t, e, sh: 0, back } if a == i => Op::IncBrSle { i, n, t, e, step, back },
                Op::BrSgt { a, b: n, t, e, sh: 0, back } if a == i => Op::IncBrSgt { i, n, t, e, step, back },
                Op::BrSge { a, b: n, t, e, sh: 0, back } if a == i => Op::IncBrSge { i, n, t, e, step, back },
                Op::BrUlt { a, b: n, t, e, back } if a == i => Op::IncBrUlt { i, n, t, e, step, back },
                Op::BrNe { a, b: n, t, e, back } if a == i => Op::IncBrNe { i, n, t, e, step, back },
                _ => continue,
            };
        }
    }

    /// Step 3 of the module doc: lets a `br` argument computed in its block for that
    /// branch alone be written straight into the target parameter's slot.
    fn eliminate_copies(&mut self) {
        let dfg = &self.f.dfg;
        for insts in &self.insts {
            let Some(&term) = insts.last() else { continue };
            let InstData::Jump { dest } = &dfg.insts[term] else { continue };
            if self.pos[dest.block] == 0 || !dfg.blocks.is_valid(dest.block) {
                continue;
            }
            let params = dfg.block_params(dest.block);
            if params.len() != dest.args.len() {
                continue;
            }
            for (i, (&a, &p)) in dest.args.iter().zip(params).enumerate() {
                if a == p || !self.defined[a] || self.uses[a] != 1 || dfg.value_type(a) != dfg.value_type(p) {
                    continue;
                }
                // Only results of ops (not constants, stack addresses or parameters),
                // computed in this block.
                let ValueDef::Result(def) = dfg.value_def(a) else { continue };
                let Some(k) = insts.iter().position(|&x| x == def) else { continue };
                if self.is_const_like(def) {
                    continue;
                }
                // The parameter's old value must not be needed after `def` writes its slot:
                // no later instruction of the block, and no other argument of this branch,
                // may read it. (`def` itself may: every op reads before it writes.)
                let read_later = insts[k + 1..insts.len() - 1].iter().any(|&j| {
                    let mut reads = false;
                    dfg.insts[j].for_each_value(|v| reads |= v == p);
                    reads
                }) || dest.args.iter().enumerate().any(|(j, &x)| j != i && x == p);
                if !read_later {
                    self.slot[a] = self.slot[p];
                }
            }
        }
    }

    // ---- operands -----------------------------------------------------------------------

    pub(super) fn val(&self, inst: Inst, v: Value) -> Res<(Slot, Type)> {
        self.ensure(self.defined[v], || format!("{inst} uses {v}, which is not defined in this function"))?;
        Ok((self.slot[v], self.f.dfg.value_type(v)))
    }

    pub(super) fn result(&self, inst: Inst) -> Res<(Slot, Type)> {
        let r = self.f.dfg.inst_result(inst);
        let r = r.ok_or_else(|| self.err(format!("{inst} ({}) has no result", self.f.dfg.insts[inst].opcode())))?;
        self.val(inst, r)
    }

    pub(super) fn no_result(&self, inst: Inst) -> Res<()> {
        self.ensure(self.f.dfg.inst_result(inst).is_none(), || {
            format!("{inst} ({}) cannot have a result", self.f.dfg.insts[inst].opcode())
        })
    }

    pub(super) fn push_vec(&mut self, vi: VecInst) {
        let i = self.vector.len() as u32;
        self.vector.push(vi);
        self.code.push(Op::Vector { i });
    }

    fn block_label(&self, b: Block) -> Res<u32> {
        match self.pos.get(b) {
            0 => Err(self.err(format!("branch to {b}, which is not in the layout"))),
            p => Ok(p - 1),
        }
    }

    // ---- blocks and terminators ---------------------------------------------------------

    fn emit_block(&mut self, bi: usize) -> Res<()> {
        let b = self.blocks[bi];
        let insts = self.insts[bi].clone();
        let n = insts.len();
        self.ensure(n > 0, || format!("{b} is empty: it has no terminator"))?;
        for (k, &inst) in insts.iter().enumerate() {
            let term = self.f.dfg.insts[inst].opcode().is_terminator();
            self.ensure(term == (k + 1 == n), || {
                if term {
                    format!("{b} has a terminator ({inst}) before its end")
                } else {
                    format!("{b} does not end in a terminator")
                }
            })?;
        }
        let mut consumed = vec![false; n];
        for k in 0..n - 1 {
            if consumed[k] {
                continue;
            }
            let inst = insts[k];
            if k + 2 == n && self.try_fused_branch(inst, insts[n - 1], bi)? {
                return Ok(());
            }
            if let Some(used) = self.try_fused_access(&insts, k)? {
                used.into_iter().for_each(|j| consumed[j] = true);
                continue;
            }
            self.emit_inst(inst)?;
        }
        self.emit_terminator(insts[n - 1], bi)
    }

    /// `(parameter slot, argument slot)` copies of a branch to `dest`, one per slot.
    fn edge_copies(&self, dest: &BlockCall) -> Res<Vec<(Slot, Slot)>> {
        let b = dest.block;
        self.block_label(b)?;
        let params = self.f.dfg.block_params(b);
        self.ensure(params.len() == dest.args.len(), || {
            format!("branch to {b} passes {} arguments for {} parameters", dest.args.len(), params.len())
        })?;
        let mut copies = Vec::new();
        for (&a, &p) in dest.args.iter().zip(params) {
            self.ensure(self.defined[a], || format!("branch to {b} passes {a}, which is not defined"))?;
            let (at, pt) = (self.f.dfg.value_type(a), self.f.dfg.value_type(p));
            self.ensure(at == pt, || format!("branch to {b} passes {a}: {at} for {p}: {pt}"))?;
            for k in 0..slot_count(pt) as u32 {
                copies.push((self.slot[p] + k, self.slot[a] + k));
            }
        }
        copies.retain(|(d, s)| d != s);
        Ok(copies)
    }

    /// The label a `brif` edge jumps to: the block itself, or a stub doing its copies
    /// and (for back-edges) paying fuel.
    pub(super) fn edge_label(&mut self, bi: usize, dest: &BlockCall) -> Res<u32> {
        let copies = self.edge_copies(dest)?;
        let target = self.block_label(dest.block)?;
        let back = target as usize <= bi;
        if copies.is_empty() && !back {
            return Ok(target);
        }
        self.stubs.push(Stub { copies, target, back });
        Ok((self.blocks.len() + self.stubs.len() - 1) as u32)
    }

    /// Orders parallel copies `(dst, src)` (distinct destinations) into `Mov`s, breaking
    /// cycles through the scratch slot.
    fn sequentialize(&self, mut pending: Vec<(Slot, Slot)>, out: &mut Vec<Op>) {
        pending.retain(|(d, s)| d != s);
        while !pending.is_empty() {
            let free = (0..pending.len()).find(|&i| !pending.iter().any(|&(_, s)| s == pending[i].0));
            match free {
                Some(i) => {
                    let (d, s) = pending.remove(i);
                    out.push(Op::Mov { d, s });
                }
                None => {
                    // Every destination is still to be read: a cycle. Save one destination
                    // and let its readers read the copy.
                    let d0 = pending[0].0;
                    out.push(Op::Mov { d: self.temp, s: d0 });
                    for p in pending.iter_mut().filter(|p| p.1 == d0) {
                        p.1 = self.temp;
                    }
                }
            }
        }
    }

    fn emit_terminator(&mut self, inst: Inst, bi: usize) -> Res<()> {
        self.no_result(inst)?;
        match self.f.dfg.insts[inst].clone() {
            InstData::Jump { dest } => {
                let copies = self.edge_copies(&dest)?;
                let t = self.block_label(dest.block)?;
                let mut moves = Vec::new();
                self.sequentialize(copies, &mut moves);
                self.code.extend(moves);
                self.code.push(if t as usize <= bi { Op::JumpBack { t } } else { Op::Jump { t } });
            }
            InstData::Brif { cond, then_dest, else_dest } => {
                let (c, ct) = self.val(inst, cond)?;
                self.ensure(ct == Type::BOOL, || format!("{inst}: brif needs a bool condition, not {ct}"))?;
                let t = self.edge_label(bi, &then_dest)?;
                let e = self.edge_label(bi, &else_dest)?;
                self.code.push(Op::Brif { c, t, e, back: false });
            }
            InstData::Return { arg } => {
                let ret = self.f.sig.ret;
                match (arg, ret) {
                    (Some(v), Some(t)) => {
                        let (s, vt) = self.val(inst, v)?;
                        self.ensure(vt == t, || format!("{inst} returns {vt} from a function returning {t}"))?;
                        self.code.push(Op::Return { s, n: slot_count(t) as u32 });
                    }
                    (None, None) => self.code.push(Op::Return { s: 0, n: 0 }),
                    (Some(_), None) => return Err(self.err(format!("{inst} returns a value from a void function"))),
                    (None, Some(t)) => {
                        return Err(self.err(format!("{inst} returns nothing, but the function returns {t}")))
                    }
                }
            }
            InstData::Trap { code } => self.code.push(Op::Trap { code }),
            other => return Err(self.err(format!("{inst}: {} is not a terminator", other.opcode()))),
        }
        Ok(())
    }

    // ---- instructions -------------------------------------------------------------------
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::FunctionBuilder;
    use crate::function::Function;
    use crate::instructions::IntCC;
    use crate::signature::{Param, Signature};

    /// docs/ir.md's first example.
    fn sumsq() -> Function {
        let sig = Signature::new(vec![Param::slice("x", Type::F32, false)], Some(Type::F32));
        let mut f = Function::new("sumsq", Linkage::Export, sig);
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, acc) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::F32));
        let (z, fz) = (b.iconst(Type::I64, 0), b.fconst(Type::F32, 0.0));
        b.jump(head, &[z, fz]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[1]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, p[1]);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let v = b.load(Type::F32, p[0], off);
        let sq = b.fmul(v, v);
        let acc2 = b.fadd(acc, sq);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
        b.seal_all_blocks();
        b.finalize().unwrap();
        f
    }

    #[test]
    fn the_first_example_decodes_to_four_ops_per_iteration() {
        let mut m = Module::new();
        m.add_function(sumsq());
        let prog = decode_module(&m).unwrap();
        let code = &prog.funcs[0].code;
        let kinds: Vec<String> =
            code.iter().map(|op| format!("{op:?}").split([' ', '{']).next().unwrap_or("").to_string()).collect();
        // Entry: copies into the header's parameters, then the loop: fused compare and
        // branch, fused guarded load, fmul, fadd and iadd computed straight into the
        // header's parameter slots (no copies), and the back-edge. Both jumps to the
        // header became copies of its branch (loop rotation), and the increment fused
        // with the back-edge's copy (the copy stays, unused, after it).
        assert_eq!(
            kinds,
            ["Mov", "Mov", "BrSlt", "BrSlt", "LoadChk32", "FmulF32", "FaddF32", "IncBrSlt", "BrSlt", "Return"],
            "{code:?}"
        );
    }
}
