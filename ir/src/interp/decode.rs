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
//! 4. Instructions become ops chosen by type; an `icmp` right before the `brif` that is its
//!    only user fuses with it, and so does the guarded access `bounds_check i, n;
//!    off = imul i, size; load base, off` (or `store`) when `size` is a power of two; edges with copies get `Mov`s, inline for `br`, in stubs after
//!    the blocks for `brif`; labels are then patched into code offsets.
//! 5. Loop rotation: a `br` to a block that starts with a conditional branch (a loop header
//!    testing its condition) becomes a copy of that branch, paying the jump's fuel.
//!
//! The decoder checks what it relies on (entity references, terminators, operand types,
//! argument counts) and reports an [`InterpError::InvalidIr`] instead of panicking.

use crate::dfg::ValueDef;
use crate::entities::{Block, EntityRef, Inst, SecondaryMap, StackSlot, Value};
use crate::function::{Function, Linkage};
use crate::instructions::{BlockCall, FloatCC, InstData, IntCC};
use crate::interp::code::{param_slots, CallSite, DFunc, HostSite, Op, Slot};
use crate::interp::error::InterpError;
use crate::interp::memory::{addr_of, StackLayout, MAX_FRAME_BYTES, MAX_SLOT_ALIGN};
use crate::interp::ops::{mask, shift_of};
use crate::interp::value::{slot_count, vector_bytes, VectorVal, MAX_VECTOR_BYTES};
use crate::interp::vector::VecInst;
use crate::module::{ExternFunc, Module};
use crate::opcode::Opcode;
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

struct FuncDecoder<'m> {
    m: &'m Module,
    f: &'m Function,
    data_addrs: &'m [u64],
    /// Blocks in layout order, and each block's position + 1 (0: not in the layout).
    blocks: Vec<Block>,
    pos: SecondaryMap<Block, u32>,
    insts: Vec<Vec<Inst>>,
    defined: SecondaryMap<Value, bool>,
    uses: SecondaryMap<Value, u32>,
    slot: SecondaryMap<Value, Slot>,
    nslots: u32,
    temp: Slot,
    const_base: Slot,
    consts: Vec<u64>,
    stack_addrs: Vec<(Slot, u32)>,
    code: Vec<Op>,
    calls: Vec<CallSite>,
    host_calls: Vec<HostSite>,
    vector: Vec<VecInst>,
    stubs: Vec<Stub>,
}

type Res<T> = Result<T, InterpError>;

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

    fn err(&self, message: impl Into<String>) -> InterpError {
        InterpError::InvalidIr { function: self.f.name.clone(), message: message.into() }
    }

    fn unsupported(&self, message: impl Into<String>) -> InterpError {
        InterpError::Unsupported { function: self.f.name.clone(), message: message.into() }
    }

    fn ensure(&self, ok: bool, message: impl FnOnce() -> String) -> Res<()> {
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

    fn check_type(&self, t: Type) -> Res<()> {
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

    /// Step 3 of the module doc: lets a `br` argument computed in its block for that
    /// branch alone be written straight into the target parameter's slot.
    fn eliminate_copies(&mut self) {
        let dfg = &self.f.dfg;
        for bi in 0..self.blocks.len() {
            let b = self.blocks[bi];
            let insts = &self.insts[bi];
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
                    let _ = b;
                    self.slot[a] = self.slot[p];
                }
            }
        }
    }

    // ---- operands -----------------------------------------------------------------------

    fn val(&self, inst: Inst, v: Value) -> Res<(Slot, Type)> {
        self.ensure(self.defined[v], || format!("{inst} uses {v}, which is not defined in this function"))?;
        Ok((self.slot[v], self.f.dfg.value_type(v)))
    }

    fn result(&self, inst: Inst) -> Res<(Slot, Type)> {
        let r = self.f.dfg.inst_result(inst);
        let r = r.ok_or_else(|| self.err(format!("{inst} ({}) has no result", self.f.dfg.insts[inst].opcode())))?;
        self.val(inst, r)
    }

    fn no_result(&self, inst: Inst) -> Res<()> {
        self.ensure(self.f.dfg.inst_result(inst).is_none(), || {
            format!("{inst} ({}) cannot have a result", self.f.dfg.insts[inst].opcode())
        })
    }

    fn push_vec(&mut self, vi: VecInst) {
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

    /// Whether `inst` produces no op (its value is filled on frame entry).
    fn is_const_like(&self, inst: Inst) -> bool {
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
    fn try_fused_access(&mut self, insts: &[Inst], k: usize) -> Res<Option<Vec<usize>>> {
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
    fn try_fused_branch(&mut self, cmp: Inst, br: Inst, bi: usize) -> Res<bool> {
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
    fn edge_label(&mut self, bi: usize, dest: &BlockCall) -> Res<u32> {
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

    fn emit_inst(&mut self, inst: Inst) -> Res<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::FunctionBuilder;
    use crate::function::Function;
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
    fn the_first_example_decodes_to_six_ops_per_iteration() {
        let mut m = Module::new();
        m.add_function(sumsq());
        let prog = decode_module(&m).unwrap();
        let code = &prog.funcs[0].code;
        let kinds: Vec<String> =
            code.iter().map(|op| format!("{op:?}").split([' ', '{']).next().unwrap_or("").to_string()).collect();
        // Entry: copies into the header's parameters, then the loop: fused compare and
        // branch, fused guarded load, fmul, fadd and iadd computed straight into the
        // header's parameter slots (no copies), and the back-edge. Both jumps to the
        // header became copies of its branch (loop rotation).
        assert_eq!(
            kinds,
            ["Mov", "Mov", "BrSlt", "BrSlt", "LoadChk32", "FmulF32", "FaddF32", "Iadd64", "BrSlt", "Return"],
            "{code:?}"
        );
    }
}
