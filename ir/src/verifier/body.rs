//! Checks of a function body: the layout (L1–L6), then each instruction's format, result,
//! float flags, operands, SSA dominance and branch targets (I1–I6). Operand and result
//! types (I7, I8) are in `typing.rs`. See the invariant list in `mod.rs`.
//!
//! Order matters for robustness: the layout walk runs first and, if the lists themselves
//! are broken (L2), nothing else runs, because the CFG and positions would be meaningless.
//! Otherwise the CFG and dominator tree are built (they ignore bad branch targets) and every
//! instruction is checked with all lookups through `get`.

use super::{describe_block, describe_inst, Location, Reporter};
use crate::analysis::{ControlFlowGraph, DominatorTree};
use crate::dfg::ValueDef;
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData};
use crate::module::Module;
use crate::opcode::{Format, Opcode};
use crate::types::Type;
use smallvec::SmallVec;

/// State of the checks on one function.
pub(super) struct FuncChecker<'a> {
    pub(super) m: &'a Module,
    pub(super) f: &'a Function,
    r: &'a mut Reporter,
    /// Blocks seen in the layout walk.
    in_layout: SecondaryMap<Block, bool>,
    /// Instructions seen in the layout walk (and present in the DFG).
    placed: SecondaryMap<Inst, bool>,
    /// Index of each placed instruction within its block.
    pos: SecondaryMap<Inst, u32>,
    /// The layout as walked: each block with its instructions.
    blocks: Vec<(Block, Vec<Inst>)>,
}

/// Runs L1–L6 and I1–I8 on `f`.
pub(super) fn verify_body(r: &mut Reporter, m: &Module, f: &Function) {
    let mut c = FuncChecker {
        m,
        f,
        r,
        in_layout: SecondaryMap::new(),
        placed: SecondaryMap::new(),
        pos: SecondaryMap::new(),
        blocks: Vec::new(),
    };
    // L1
    let Some(entry) = f.layout.entry_block() else {
        c.func_err("function has no entry block (its layout is empty)".to_string());
        return;
    };
    // L2: without sound lists, positions and the CFG mean nothing.
    if !c.walk_layout() {
        return;
    }
    c.check_blocks(entry);
    let cfg = ControlFlowGraph::with_function(f);
    let domtree = DominatorTree::with_function(f, &cfg);
    let blocks = std::mem::take(&mut c.blocks);
    for (b, insts) in &blocks {
        // Dominance is only meaningful where control can reach (I5).
        let dt = domtree.is_reachable(*b).then_some(&domtree);
        for &inst in insts {
            if c.r.is_full() {
                return;
            }
            c.check_inst(entry, dt, *b, inst);
        }
    }
}

impl FuncChecker<'_> {
    pub(super) fn func_err(&mut self, message: String) {
        self.r.report(Location::Function, String::new, message);
    }

    pub(super) fn block_err(&mut self, b: Block, message: String) {
        let f = self.f;
        self.r.report(Location::Block(b), || describe_block(f, b), message);
    }

    pub(super) fn inst_err(&mut self, inst: Inst, message: String) {
        let (m, f) = (self.m, self.f);
        self.r.report(Location::Inst(inst), || describe_inst(m, f, inst), message);
    }

    /// The type of `v` if it is a live value of the function (invalid uses are reported by
    /// `check_use`; typing then stays quiet about them).
    pub(super) fn value_type(&self, v: Value) -> Option<Type> {
        self.f.dfg.values.get(v).filter(|d| d.def != ValueDef::Detached).map(|d| d.ty)
    }

    /// L2: walks the block and instruction lists once, recording positions. Returns false
    /// if the lists are inconsistent.
    fn walk_layout(&mut self) -> bool {
        let f = self.f;
        let mut sound = true;
        for b in f.layout.blocks() {
            if self.in_layout[b] {
                self.block_err(b, "block is listed twice in the layout (the block list is cyclic)".to_string());
                return false;
            }
            self.in_layout[b] = true;
            if !f.dfg.blocks.is_valid(b) {
                self.block_err(b, "block is in the layout but not in the DFG".to_string());
                sound = false;
            }
            let mut insts = Vec::new();
            let mut last = None;
            for i in f.layout.block_insts(b) {
                if self.placed[i] {
                    self.inst_err(i, "instruction is listed twice in the layout".to_string());
                    return false;
                }
                self.placed[i] = true;
                last = Some(i);
                if f.layout.inst_block(i) != Some(b) {
                    let at = f.layout.inst_block(i).map_or("no block".to_string(), |x| x.to_string());
                    self.inst_err(i, format!("instruction is listed in {b}, but the layout places it in {at}"));
                    sound = false;
                }
                if !f.dfg.insts.is_valid(i) {
                    self.inst_err(i, "instruction is in the layout but not in the DFG".to_string());
                    sound = false;
                    continue;
                }
                self.pos[i] = insts.len() as u32;
                insts.push(i);
            }
            if f.layout.last_inst(b) != last {
                self.block_err(b, "the layout's last instruction of the block is not the end of its list".to_string());
                sound = false;
            }
            self.blocks.push((b, insts));
            if self.r.is_full() {
                return false;
            }
        }
        sound
    }

    /// L3–L6.
    fn check_blocks(&mut self, entry: Block) {
        let f = self.f;
        let blocks = std::mem::take(&mut self.blocks);
        for (b, insts) in &blocks {
            let b = *b;
            // L3, L4
            match insts.last() {
                None => self.block_err(b, "block has no instructions".to_string()),
                Some(&last) => {
                    for &i in &insts[..insts.len() - 1] {
                        if let Some(op) = self.opcode(i).filter(|op| op.is_terminator()) {
                            self.inst_err(i, format!("terminator `{op}` is not the last instruction of its block"));
                        }
                    }
                    if !self.opcode(last).is_some_and(|op| op.is_terminator()) {
                        self.block_err(b, "block does not end in a terminator".to_string());
                    }
                }
            }
            // L6
            let params = f.dfg.blocks.get(b).map_or(&[][..], |d| &d.params[..]);
            for (k, &p) in params.iter().enumerate() {
                match f.dfg.values.get(p) {
                    None => self.block_err(b, format!("parameter {k} is {p}, which is not a value of this function")),
                    Some(d) if d.def != ValueDef::Param(b, k as u32) => self.block_err(
                        b,
                        format!(
                            "parameter {k} ({p}) is defined as {}, expected parameter {k} of {b}",
                            describe_def(d.def)
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        self.blocks = blocks;
        // L5 (the entry's predecessors are checked at each branch, in `check_targets`).
        let abi = f.sig.abi_params();
        let params = f.dfg.blocks.get(entry).map_or(&[][..], |d| &d.params[..]);
        if params.len() != abi.len() {
            self.block_err(
                entry,
                format!(
                    "entry block has {} but the signature has {} ABI parameters ({})",
                    plural(params.len(), "parameter"),
                    abi.len(),
                    type_list(&abi)
                ),
            );
        } else {
            for (k, (&p, &t)) in params.iter().zip(&abi).enumerate() {
                if let Some(pt) = self.value_type(p).filter(|&pt| pt != t) {
                    self.block_err(
                        entry,
                        format!("entry block parameter {k} ({p}) has type {pt}, but ABI parameter {k} is {t}"),
                    );
                }
            }
        }
    }

    fn opcode(&self, i: Inst) -> Option<Opcode> {
        self.f.dfg.insts.get(i).map(InstData::opcode)
    }

    /// I1–I8 for one instruction of block `b`. `dt` is `None` when `b` is unreachable.
    fn check_inst(&mut self, entry: Block, dt: Option<&DominatorTree>, b: Block, inst: Inst) {
        let Some(data) = self.f.dfg.insts.get(inst) else { return };
        let op = data.opcode();
        // I1: every later check reads operands by format.
        let format = data_format(data);
        if format != op.format() {
            self.inst_err(
                inst,
                format!("opcode `{op}` has format {:?}, but the instruction data is {format:?}", op.format()),
            );
            return;
        }
        let result = self.check_result(inst, data, op);
        self.check_flags(inst, data, op);
        let mut uses: SmallVec<[Value; 4]> = SmallVec::new();
        data.for_each_value(|v| uses.push(v));
        for v in uses {
            self.check_use(inst, b, v, dt);
        }
        self.check_targets(inst, data, entry);
        self.check_types(inst, data, result);
    }

    /// I2. Returns the result value and its type, if the instruction has a usable one.
    fn check_result(&mut self, inst: Inst, data: &InstData, op: Opcode) -> Option<(Value, Type)> {
        let f = self.f;
        let actual = f.dfg.inst_result(inst);
        // For calls the callee decides (`Opcode::has_result` is true for them); a callee
        // that does not exist is reported by typing, and then presence is not judged.
        let callee = match data {
            InstData::Call { func, .. } => {
                Some(self.m.functions.get(*func).map(|c| (c.sig.ret, format!("`{}`", c.name))))
            }
            InstData::CallHost { func, .. } => {
                Some(self.m.externs.get(*func).map(|e| (e.ret, format!("extern `{}`", e.name))))
            }
            _ => None,
        };
        match (callee, actual) {
            (Some(Some((Some(t), who))), None) => {
                self.inst_err(inst, format!("call has no result, but {who} returns {t}"))
            }
            (Some(Some((None, who))), Some(v)) => {
                self.inst_err(inst, format!("call has result {v}, but {who} returns nothing"))
            }
            (None, None) if op.has_result() => {
                self.inst_err(inst, format!("`{op}` produces a value, but the instruction has no result"))
            }
            (None, Some(v)) if !op.has_result() => {
                self.inst_err(inst, format!("`{op}` produces no value, but the instruction has result {v}"))
            }
            _ => {}
        }
        let v = actual?;
        let Some(d) = f.dfg.values.get(v) else {
            self.inst_err(inst, format!("result {v} is not a value of this function"));
            return None;
        };
        if d.def != ValueDef::Result(inst) {
            self.inst_err(
                inst,
                format!("result {v} is defined as {}, expected the result of {inst}", describe_def(d.def)),
            );
        }
        Some((v, d.ty))
    }

    /// I3.
    fn check_flags(&mut self, inst: Inst, data: &InstData, op: Opcode) {
        let flags = data.float_flags();
        if flags.is_empty() {
            return;
        }
        let names: Vec<&str> =
            FloatFlags::NAMED.iter().filter(|(fl, _)| flags.contains(*fl)).map(|(_, n)| *n).collect();
        let names = names.join(" ");
        if !op.is_float_op() {
            self.inst_err(inst, format!("float flags ({names}) on `{op}`, which is not a float operation"));
        } else if matches!(op, Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax) {
            let arg = data.args().first().and_then(|&v| self.value_type(v));
            if arg.is_some_and(|t| !t.is_float()) {
                self.inst_err(inst, format!("float flags ({names}) on an integer reduction"));
            }
        }
    }

    /// I4 and I5 for one use of `v` by `inst` in block `b`.
    fn check_use(&mut self, inst: Inst, b: Block, v: Value, dt: Option<&DominatorTree>) {
        let f = self.f;
        let Some(d) = f.dfg.values.get(v) else {
            self.inst_err(inst, format!("uses {v}, which is not a value of this function"));
            return;
        };
        match d.def {
            ValueDef::Detached => {
                self.inst_err(inst, format!("uses {v}, which is detached (removed from its block or instruction)"))
            }
            ValueDef::Result(j) => {
                if !f.dfg.insts.is_valid(j) {
                    self.inst_err(inst, format!("uses {v}, the result of {j}, which is not in the DFG"));
                } else if f.dfg.inst_result(j) != Some(v) {
                    let actual =
                        f.dfg.inst_result(j).map_or("has no result".to_string(), |r| format!("has result {r}"));
                    self.inst_err(inst, format!("uses {v}, which claims to be the result of {j}, but {j} {actual}"));
                } else if !self.placed[j] {
                    self.inst_err(inst, format!("uses {v}, the result of {j}, which is not in the layout"));
                } else if let Some(dt) = dt {
                    let def_block = f.layout.inst_block(j);
                    if j == inst {
                        self.inst_err(inst, format!("uses its own result {v}"));
                    } else if def_block == Some(b) {
                        if self.pos[j] > self.pos[inst] {
                            self.inst_err(inst, format!("uses {v} before its definition by {j}, later in {b}"));
                        }
                    } else if let Some(db) = def_block.filter(|&db| !dt.dominates(db, b)) {
                        self.inst_err(inst, format!("uses {v}, defined by {j} in {db}, which does not dominate {b}"));
                    }
                }
            }
            ValueDef::Param(pb, k) => {
                let actual = f.dfg.blocks.get(pb).map(|bd| bd.params.get(k as usize).copied());
                match actual {
                    None => self.inst_err(inst, format!("uses {v}, a parameter of {pb}, which does not exist")),
                    Some(p) if p != Some(v) => {
                        let is = p.map_or(format!("{pb} has no parameter {k}"), |p| format!("that parameter is {p}"));
                        self.inst_err(inst, format!("uses {v}, which claims to be parameter {k} of {pb}, but {is}"));
                    }
                    Some(_) if !self.in_layout[pb] => {
                        self.inst_err(inst, format!("uses {v}, a parameter of {pb}, which is not in the layout"))
                    }
                    Some(_) => {
                        if dt.is_some_and(|dt| !dt.dominates(pb, b)) {
                            self.inst_err(inst, format!("uses {v}, a parameter of {pb}, which does not dominate {b}"));
                        }
                    }
                }
            }
        }
    }

    /// I6 (and L5's "no branch to the entry block").
    fn check_targets(&mut self, inst: Inst, data: &InstData, entry: Block) {
        let f = self.f;
        for t in targets(data) {
            let blk = t.block;
            let Some(bd) = f.dfg.blocks.get(blk) else {
                self.inst_err(inst, format!("branches to {blk}, which does not exist"));
                continue;
            };
            if !self.in_layout[blk] {
                self.inst_err(inst, format!("branches to {blk}, which is not in the layout"));
                continue;
            }
            if blk == entry {
                self.inst_err(inst, format!("branches to the entry block {blk}, which must have no predecessors"));
            }
            if t.args.len() != bd.params.len() {
                self.inst_err(
                    inst,
                    format!(
                        "passes {} to {blk}, which has {}",
                        plural(t.args.len(), "argument"),
                        plural(bd.params.len(), "parameter")
                    ),
                );
                continue;
            }
            for (k, (&a, &p)) in t.args.iter().zip(&bd.params).enumerate() {
                if let (Some(at), Some(pt)) = (self.value_type(a), self.value_type(p)) {
                    if at != pt {
                        self.inst_err(
                            inst,
                            format!("argument {k} to {blk} ({a}) has type {at}, but parameter {p} has type {pt}"),
                        );
                    }
                }
            }
        }
    }
}

/// The branch targets of an instruction, in order.
fn targets(data: &InstData) -> SmallVec<[&BlockCall; 2]> {
    match data {
        InstData::Jump { dest } => smallvec::smallvec![dest],
        InstData::Brif { then_dest, else_dest, .. } => smallvec::smallvec![then_dest, else_dest],
        _ => SmallVec::new(),
    }
}

/// The format an instruction's data has (I1 compares it with the opcode's).
fn data_format(d: &InstData) -> Format {
    match d {
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

fn describe_def(def: ValueDef) -> String {
    match def {
        ValueDef::Result(i) => format!("the result of {i}"),
        ValueDef::Param(b, k) => format!("parameter {k} of {b}"),
        ValueDef::Detached => "detached".to_string(),
    }
}

/// `1 argument`, `2 arguments`.
pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `i32, f64` (or `none`).
pub(super) fn type_list(types: &[Type]) -> String {
    if types.is_empty() {
        return "none".to_string();
    }
    types.iter().map(Type::to_string).collect::<Vec<_>>().join(", ")
}
