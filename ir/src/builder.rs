//! Building functions: [`FunctionBuilder`] appends instructions at a current block and
//! constructs SSA form from mutable variables, so frontends never place block parameters
//! by hand.
//!
//! SSA construction follows Braun, Buchwald, Hack, Leißa, Mallon and Zwinkau, "Simple and
//! Efficient Construction of Static Single Assignment Form" (CC 2013): `def_var` records
//! the current definition of a variable in the current block; `use_var` looks it up,
//! walking to predecessors, and adds a block parameter where control flow merges. A block
//! must be *sealed* once all its predecessors are known; until then, reads in it create
//! incomplete parameters that sealing completes. [`FunctionBuilder::finalize`] then removes
//! unreachable blocks and trivial block parameters (those that receive one value only).
//!
//! Contract for frontends: add explicit block parameters before emitting branches to the
//! block; seal every block (or call `seal_all_blocks`) before `finalize`; do not branch
//! to a block after sealing it. Emitting into a block that already ends in a terminator
//! starts a fresh unreachable block, which `finalize` drops.

use crate::entities::{Block, DataId, EntityRef, ExternId, FuncId, Inst, SecondaryMap, StackSlot, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatCC, FloatFlags, InstData, IntCC, TrapCode};
use crate::opcode::Opcode;
use crate::types::Type;
use std::collections::{HashMap, HashSet};

/// A mutable variable of the source program, turned into SSA values by the builder.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Variable(u32);

impl EntityRef for Variable {
    fn new(i: usize) -> Self {
        Variable(i as u32)
    }
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why a function could not be finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("function `{func}`: {block} does not end in a terminator")]
    MissingTerminator { func: String, block: Block },
    #[error("function `{func}`: {block} was never sealed")]
    Unsealed { func: String, block: Block },
    #[error("function `{func}` has no entry block")]
    NoEntry { func: String },
}

#[derive(Clone, Default)]
struct BlockState {
    sealed: bool,
    /// Branch instructions that target this block, with the block holding them.
    preds: Vec<(Block, Inst)>,
    /// Parameters created while unsealed, to be completed when sealed.
    incomplete: Vec<(Variable, Value)>,
}

/// Appends instructions to a [`Function`] and builds SSA form from variables.
///
/// ```
/// use strata_ir::{FunctionBuilder, Function, Linkage, Signature, Param, Type, IntCC};
/// // fn @count(n: i64) -> i64 { let mut i = 0; while i < n { i += 1 } return i }
/// let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
/// let mut func = Function::new("count", Linkage::Export, sig);
/// let mut b = FunctionBuilder::new(&mut func);
/// let params = b.create_entry_block();
/// let i = b.declare_var(Type::I64);
/// let zero = b.iconst(Type::I64, 0);
/// b.def_var(i, zero);
/// let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
/// b.jump(header, &[]);
/// b.switch_to_block(header);
/// let iv = b.use_var(i);
/// let c = b.icmp(IntCC::Slt, iv, params[0]);
/// b.brif(c, body, &[], exit, &[]);
/// b.switch_to_block(body);
/// b.seal_block(body);
/// let iv = b.use_var(i);
/// let one = b.iconst(Type::I64, 1);
/// let next = b.iadd(iv, one);
/// b.def_var(i, next);
/// b.jump(header, &[]);
/// b.seal_block(header);
/// b.switch_to_block(exit);
/// b.seal_block(exit);
/// let iv = b.use_var(i);
/// b.ret(Some(iv));
/// b.finalize().unwrap();
/// assert_eq!(func.dfg.block_params(func.layout.blocks().nth(1).unwrap()).len(), 1);
/// ```
pub struct FunctionBuilder<'f> {
    /// The function being built.
    pub func: &'f mut Function,
    position: Option<Block>,
    var_types: Vec<Type>,
    defs: HashMap<(Variable, Block), Value>,
    state: SecondaryMap<Block, BlockState>,
}

impl<'f> FunctionBuilder<'f> {
    /// A builder appending to `func`.
    pub fn new(func: &'f mut Function) -> Self {
        FunctionBuilder {
            func,
            position: None,
            var_types: Vec::new(),
            defs: HashMap::new(),
            state: SecondaryMap::new(),
        }
    }

    // ---- blocks ----------------------------------------------------------------------

    /// Creates the entry block with the signature's ABI parameters, makes it current and
    /// sealed, and returns the parameter values.
    pub fn create_entry_block(&mut self) -> Vec<Value> {
        let b = self.create_block();
        for ty in self.func.sig.abi_params() {
            self.func.dfg.append_block_param(b, ty);
        }
        self.switch_to_block(b);
        self.seal_block(b);
        self.func.dfg.block_params(b).to_vec()
    }

    /// Creates a block; it joins the layout when first switched to.
    pub fn create_block(&mut self) -> Block {
        self.func.dfg.make_block()
    }

    /// Adds an explicit parameter to `b` (before any branch to `b` is emitted).
    pub fn append_block_param(&mut self, b: Block, ty: Type) -> Value {
        self.func.dfg.append_block_param(b, ty)
    }

    /// Makes `b` the block new instructions go to, placing it at the end of the layout if
    /// it is not placed yet.
    pub fn switch_to_block(&mut self, b: Block) {
        if !self.func.layout.is_block_inserted(b) {
            self.func.layout.append_block(b);
        }
        self.position = Some(b);
    }

    /// The block new instructions go to.
    pub fn current_block(&self) -> Option<Block> {
        self.position
    }

    /// Whether the current block already ends in a terminator.
    pub fn is_filled(&self) -> bool {
        self.position.is_some_and(|b| self.func.terminator(b).is_some())
    }

    /// Declares that all predecessors of `b` are known.
    pub fn seal_block(&mut self, b: Block) {
        if self.state[b].sealed {
            return;
        }
        let incomplete = std::mem::take(&mut self.state[b].incomplete);
        for (var, param) in incomplete {
            self.add_param_args(var, b, param);
        }
        self.state[b].sealed = true;
    }

    /// Seals every block created so far.
    pub fn seal_all_blocks(&mut self) {
        for b in self.func.dfg.blocks.keys().collect::<Vec<_>>() {
            self.seal_block(b);
        }
    }

    // ---- variables -------------------------------------------------------------------

    /// Declares a variable of type `ty`.
    pub fn declare_var(&mut self, ty: Type) -> Variable {
        self.var_types.push(ty);
        Variable::new(self.var_types.len() - 1)
    }

    /// The type of `var`.
    pub fn var_type(&self, var: Variable) -> Type {
        self.var_types[var.index()]
    }

    /// Sets the value of `var` in the current block.
    pub fn def_var(&mut self, var: Variable, v: Value) {
        let b = self.block_for_insert();
        self.defs.insert((var, b), v);
    }

    /// The value of `var` at the current position. A variable read on a path where it was
    /// never defined reads as zero.
    pub fn use_var(&mut self, var: Variable) -> Value {
        let b = self.block_for_insert();
        self.read_var(var, b)
    }

    fn read_var(&mut self, var: Variable, block: Block) -> Value {
        // Walk chains of single predecessors iteratively; recurse only at merges.
        let mut chain = Vec::new();
        let mut b = block;
        let value = loop {
            if let Some(&v) = self.defs.get(&(var, b)) {
                break v;
            }
            let ty = self.var_types[var.index()];
            if !self.state[b].sealed {
                let p = self.func.dfg.append_block_param(b, ty);
                self.state[b].incomplete.push((var, p));
                self.defs.insert((var, b), p);
                break p;
            }
            let preds = &self.state[b].preds;
            match preds.len() {
                0 => {
                    let z = self.zero_at_block_start(b, ty);
                    self.defs.insert((var, b), z);
                    break z;
                }
                1 => {
                    chain.push(b);
                    b = preds[0].0;
                }
                _ => {
                    let p = self.func.dfg.append_block_param(b, ty);
                    self.defs.insert((var, b), p);
                    self.add_param_args(var, b, p);
                    break p;
                }
            }
        };
        for c in chain {
            self.defs.insert((var, c), value);
        }
        value
    }

    /// Appends, to every branch into `b`, the value of `var` at its end, as the argument
    /// for the new parameter `_param`.
    fn add_param_args(&mut self, var: Variable, b: Block, _param: Value) {
        let preds = self.state[b].preds.clone();
        let mut done = HashSet::new();
        for (pred, inst) in preds {
            if !done.insert(inst) {
                continue;
            }
            let arg = self.read_var(var, pred);
            self.func.dfg.insts[inst].for_each_target_mut(|t| {
                if t.block == b {
                    t.args.push(arg);
                }
            });
        }
    }

    /// A zero of type `ty` defined at the start of `b`.
    fn zero_at_block_start(&mut self, b: Block, ty: Type) -> Value {
        let first = self.func.layout.first_inst(b);
        let place = |fb: &mut Self, data: InstData, t: Type| {
            let inst = fb.func.dfg.make_inst(data, Some(t));
            match first {
                Some(f) => fb.func.layout.insert_inst_before(inst, f),
                None => fb.func.layout.append_inst(inst, b),
            }
            fb.func.dfg.inst_result(inst).unwrap_or_else(|| unreachable!("made with a result"))
        };
        let lane = ty.lane_type();
        let scalar = if lane.is_float() {
            place(self, InstData::FloatConst { bits: 0 }, lane)
        } else if lane.is_bool() {
            place(self, InstData::BoolConst { imm: false }, lane)
        } else if lane.is_ptr() {
            let z = place(self, InstData::IntConst { imm: 0 }, Type::I64);
            place(self, InstData::Unary { op: Opcode::IntToPtr, arg: z, flags: FloatFlags::NONE }, Type::PTR)
        } else {
            place(self, InstData::IntConst { imm: 0 }, lane)
        };
        if ty.is_vector() {
            place(self, InstData::Unary { op: Opcode::Splat, arg: scalar, flags: FloatFlags::NONE }, ty)
        } else {
            scalar
        }
    }

    // ---- emitting instructions ---------------------------------------------------------

    /// The block to emit into: the current one, or a fresh unreachable one if the current
    /// block is already terminated (or there is none).
    fn block_for_insert(&mut self) -> Block {
        match self.position {
            Some(b) if self.func.terminator(b).is_none() => b,
            _ => {
                let b = self.create_block();
                self.switch_to_block(b);
                self.seal_block(b);
                b
            }
        }
    }

    /// Appends an instruction to the current block, with a result of type `result`.
    pub fn ins(&mut self, data: InstData, result: Option<Type>) -> Inst {
        let b = self.block_for_insert();
        let is_branch = data.opcode().is_terminator();
        let inst = self.func.dfg.make_inst(data, result);
        self.func.layout.append_inst(inst, b);
        if is_branch {
            let mut targets = Vec::new();
            self.func.dfg.insts[inst].for_each_target(|t| targets.push(t.block));
            for t in targets {
                debug_assert!(!self.state[t].sealed, "branch to sealed {t}");
                self.state[t].preds.push((b, inst));
            }
        }
        inst
    }

    fn ins_value(&mut self, data: InstData, ty: Type) -> Value {
        let inst = self.ins(data, Some(ty));
        self.func.dfg.inst_result(inst).unwrap_or_else(|| unreachable!("made with a result"))
    }

    fn ty(&self, v: Value) -> Type {
        self.func.dfg.value_type(v)
    }

    /// `iconst.ty imm`. The immediate is stored in canonical form: truncated to the type's
    /// width and sign-extended, so `iconst.i8 255` and `iconst.i8 -1` are the same constant.
    pub fn iconst(&mut self, ty: Type, imm: i64) -> Value {
        let imm = canonical_imm(ty, imm);
        self.ins_value(InstData::IntConst { imm }, ty)
    }
    /// `fconst.ty x` (`x` rounded to `f32` when `ty` is `f32`).
    pub fn fconst(&mut self, ty: Type, x: f64) -> Value {
        let bits = if ty == Type::F32 { (x as f32).to_bits() as u64 } else { x.to_bits() };
        self.ins_value(InstData::FloatConst { bits }, ty)
    }
    /// `fconst.f32 x`, exactly.
    pub fn f32const(&mut self, x: f32) -> Value {
        self.ins_value(InstData::FloatConst { bits: x.to_bits() as u64 }, Type::F32)
    }
    /// `fconst.f64 x`.
    pub fn f64const(&mut self, x: f64) -> Value {
        self.ins_value(InstData::FloatConst { bits: x.to_bits() }, Type::F64)
    }
    /// `bconst.bool imm`.
    pub fn bconst(&mut self, imm: bool) -> Value {
        self.ins_value(InstData::BoolConst { imm }, Type::BOOL)
    }

    /// A binary operation; the result has the type of `a` (`ptr` for `ptr_add`).
    pub fn binary(&mut self, op: Opcode, a: Value, b: Value) -> Value {
        self.binary_flags(op, FloatFlags::NONE, a, b)
    }
    /// A binary operation with float flags.
    pub fn binary_flags(&mut self, op: Opcode, flags: FloatFlags, a: Value, b: Value) -> Value {
        let ty = if op == Opcode::PtrAdd { Type::PTR } else { self.ty(a) };
        self.ins_value(InstData::Binary { op, args: [a, b], flags }, ty)
    }
    /// A unary operation whose result has the operand's type (or, for the `reduce_*`
    /// operations, its lane type).
    pub fn unary(&mut self, op: Opcode, a: Value) -> Value {
        self.unary_flags(op, FloatFlags::NONE, a)
    }
    /// A unary operation with float flags.
    pub fn unary_flags(&mut self, op: Opcode, flags: FloatFlags, a: Value) -> Value {
        let t = self.ty(a);
        let ty = match op {
            Opcode::ReduceAdd | Opcode::ReduceMin | Opcode::ReduceMax => t.lane_type(),
            _ => t,
        };
        self.ins_value(InstData::Unary { op, arg: a, flags }, ty)
    }
    /// A conversion (`sext`, `fptosi`, `bitcast`, `splat`, …) to type `to`.
    pub fn convert(&mut self, op: Opcode, to: Type, a: Value) -> Value {
        self.ins_value(InstData::Unary { op, arg: a, flags: FloatFlags::NONE }, to)
    }
    /// `fma a, b, c` with float flags.
    pub fn fma(&mut self, flags: FloatFlags, a: Value, b: Value, c: Value) -> Value {
        let ty = self.ty(a);
        self.ins_value(InstData::Ternary { op: Opcode::Fma, args: [a, b, c], flags }, ty)
    }
    /// `select c, a, b`.
    pub fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        let ty = self.ty(a);
        self.ins_value(InstData::Ternary { op: Opcode::Select, args: [c, a, b], flags: FloatFlags::NONE }, ty)
    }
    /// `icmp cc a, b`.
    pub fn icmp(&mut self, cond: IntCC, a: Value, b: Value) -> Value {
        let ty = self.ty(a).as_bool();
        self.ins_value(InstData::IntCompare { cond, args: [a, b] }, ty)
    }
    /// `fcmp cc a, b`.
    pub fn fcmp(&mut self, cond: FloatCC, a: Value, b: Value) -> Value {
        let ty = self.ty(a).as_bool();
        self.ins_value(InstData::FloatCompare { cond, args: [a, b] }, ty)
    }
    pub fn iadd(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Iadd, a, b)
    }
    pub fn isub(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Isub, a, b)
    }
    pub fn imul(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Imul, a, b)
    }
    pub fn fadd(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Fadd, a, b)
    }
    pub fn fsub(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Fsub, a, b)
    }
    pub fn fmul(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Fmul, a, b)
    }
    pub fn fdiv(&mut self, a: Value, b: Value) -> Value {
        self.binary(Opcode::Fdiv, a, b)
    }

    /// `load.ty base, offset` (offset in bytes, i64).
    pub fn load(&mut self, ty: Type, base: Value, offset: Value) -> Value {
        self.ins_value(InstData::Load { args: [base, offset] }, ty)
    }
    /// `store base, offset, value`.
    pub fn store(&mut self, base: Value, offset: Value, value: Value) {
        self.ins(InstData::Store { args: [base, offset, value] }, None);
    }
    /// `bounds_check idx, len`.
    pub fn bounds_check(&mut self, idx: Value, len: Value) {
        self.ins(InstData::BoundsCheck { args: [idx, len] }, None);
    }
    /// `stack_addr.ptr slot`.
    pub fn stack_addr(&mut self, slot: StackSlot) -> Value {
        self.ins_value(InstData::StackAddr { slot }, Type::PTR)
    }
    /// `data_addr.ptr @data`.
    pub fn data_addr(&mut self, data: DataId) -> Value {
        self.ins_value(InstData::DataAddr { data }, Type::PTR)
    }
    /// `splat.ty x`.
    pub fn splat(&mut self, ty: Type, x: Value) -> Value {
        self.convert(Opcode::Splat, ty, x)
    }
    /// `extractlane v, lane`.
    pub fn extractlane(&mut self, v: Value, lane: u8) -> Value {
        let ty = self.ty(v).lane_type();
        self.ins_value(InstData::ExtractLane { arg: v, lane }, ty)
    }
    /// `insertlane v, x, lane`.
    pub fn insertlane(&mut self, v: Value, x: Value, lane: u8) -> Value {
        let ty = self.ty(v);
        self.ins_value(InstData::InsertLane { args: [v, x], lane }, ty)
    }
    /// `call @func(args)`, returning the result if `ret` is given.
    pub fn call(&mut self, func: FuncId, ret: Option<Type>, args: &[Value]) -> Option<Value> {
        let inst = self.ins(InstData::Call { func, args: args.to_vec() }, ret);
        self.func.dfg.inst_result(inst)
    }
    /// `call_host @func(args)`, returning the result if `ret` is given.
    pub fn call_host(&mut self, func: ExternId, ret: Option<Type>, args: &[Value]) -> Option<Value> {
        let inst = self.ins(InstData::CallHost { func, args: args.to_vec() }, ret);
        self.func.dfg.inst_result(inst)
    }

    // ---- terminators -------------------------------------------------------------------

    /// `br block(args)`.
    pub fn jump(&mut self, block: Block, args: &[Value]) {
        self.ins(InstData::Jump { dest: BlockCall::new(block, args.to_vec()) }, None);
    }
    /// `brif cond, then(args), else(args)`.
    pub fn brif(
        &mut self,
        cond: Value,
        then_block: Block,
        then_args: &[Value],
        else_block: Block,
        else_args: &[Value],
    ) {
        let data = InstData::Brif {
            cond,
            then_dest: BlockCall::new(then_block, then_args.to_vec()),
            else_dest: BlockCall::new(else_block, else_args.to_vec()),
        };
        self.ins(data, None);
    }
    /// `return` or `return v`.
    pub fn ret(&mut self, v: Option<Value>) {
        self.ins(InstData::Return { arg: v }, None);
    }
    /// `trap code`.
    pub fn trap(&mut self, code: TrapCode) {
        self.ins(InstData::Trap { code }, None);
    }

    // ---- finishing ---------------------------------------------------------------------

    /// Checks that every block is sealed and terminated, then removes unreachable blocks
    /// and trivial block parameters.
    pub fn finalize(self) -> Result<(), BuildError> {
        let func = self.func;
        let name = func.name.clone();
        let entry = func.entry_block().ok_or(BuildError::NoEntry { func: name.clone() })?;
        for b in func.layout.blocks() {
            if !self.state[b].sealed {
                return Err(BuildError::Unsealed { func: name, block: b });
            }
        }
        remove_unreachable_blocks(func, entry);
        for b in func.layout.blocks() {
            if func.terminator(b).is_none() {
                return Err(BuildError::MissingTerminator { func: name, block: b });
            }
        }
        // A branch to a block that was never placed in the layout is an unterminated block.
        for b in func.layout.blocks() {
            if let Some(t) = func.terminator(b) {
                for s in func.dfg.insts[t].successors() {
                    if !func.layout.is_block_inserted(s) {
                        return Err(BuildError::MissingTerminator { func: name, block: s });
                    }
                }
            }
        }
        remove_trivial_block_params(func, entry);
        Ok(())
    }
}

/// `imm` truncated to the lane width of `ty` and sign-extended back to 64 bits: the one
/// stored form of an integer constant.
pub fn canonical_imm(ty: Type, imm: i64) -> i64 {
    match ty.lane_bits() {
        8 => imm as i8 as i64,
        16 => imm as i16 as i64,
        32 => imm as i32 as i64,
        _ => imm,
    }
}

/// Removes blocks that cannot be reached from `entry`.
pub fn remove_unreachable_blocks(func: &mut Function, entry: Block) {
    let mut reachable: SecondaryMap<Block, bool> = SecondaryMap::new();
    let mut stack = vec![entry];
    reachable[entry] = true;
    while let Some(b) = stack.pop() {
        if let Some(t) = func.terminator(b) {
            for s in func.dfg.insts[t].successors() {
                if !reachable[s] && func.layout.is_block_inserted(s) {
                    reachable[s] = true;
                    stack.push(s);
                }
            }
        }
    }
    let dead: Vec<Block> = func.layout.blocks().filter(|&b| !reachable[b]).collect();
    for b in dead {
        func.layout.remove_block(b);
    }
}

/// Removes block parameters that receive a single value (other than themselves) on every
/// incoming edge, replacing their uses with that value, until none is left. The entry
/// block's parameters are the function's and are never removed.
pub fn remove_trivial_block_params(func: &mut Function, entry: Block) {
    loop {
        // Incoming edges of each block: (branch inst, index of the target in the inst).
        let mut incoming: HashMap<Block, Vec<(Inst, usize)>> = HashMap::new();
        for b in func.layout.blocks() {
            if let Some(t) = func.terminator(b) {
                let mut k = 0;
                func.dfg.insts[t].for_each_target(|c| {
                    incoming.entry(c.block).or_default().push((t, k));
                    k += 1;
                });
            }
        }
        let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
        let mut changed = false;
        let blocks: Vec<Block> = func.layout.blocks().filter(|&b| b != entry).collect();
        for b in blocks {
            let edges = incoming.get(&b).cloned().unwrap_or_default();
            let mut i = func.dfg.block_params(b).len();
            while i > 0 {
                i -= 1;
                let p = func.dfg.block_params(b)[i];
                let mut unique: Option<Value> = None;
                let mut trivial = true;
                for &(inst, k) in &edges {
                    // A branch with too few arguments is malformed; leave it for the verifier.
                    let Some(arg) = nth_target_arg(&func.dfg.insts[inst], k, i) else {
                        trivial = false;
                        break;
                    };
                    let arg = resolve(&subst, arg);
                    if arg == p || Some(arg) == unique {
                        continue;
                    }
                    if unique.is_some() {
                        trivial = false;
                        break;
                    }
                    unique = Some(arg);
                }
                let Some(v) = unique.filter(|_| trivial) else { continue };
                subst[p] = Some(v);
                func.dfg.remove_block_param(b, i);
                for &(inst, k) in &edges {
                    let mut n = 0;
                    func.dfg.insts[inst].for_each_target_mut(|c| {
                        if n == k {
                            c.args.remove(i);
                        }
                        n += 1;
                    });
                }
                changed = true;
            }
        }
        if !changed {
            return;
        }
        func.dfg.replace_uses(&subst);
    }
}

fn nth_target_arg(data: &InstData, k: usize, i: usize) -> Option<Value> {
    let mut n = 0;
    let mut out = None;
    data.for_each_target(|c| {
        if n == k {
            out = c.args.get(i).copied();
        }
        n += 1;
    });
    out
}

fn resolve(subst: &SecondaryMap<Value, Option<Value>>, mut v: Value) -> Value {
    while let Some(w) = subst[v] {
        v = w;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::Linkage;
    use crate::signature::{Param, Signature};

    /// sum = 0; for i in 0..n { sum += i }; return sum
    fn build_sum() -> Function {
        let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
        let mut func = Function::new("sum", Linkage::Export, sig);
        let mut b = FunctionBuilder::new(&mut func);
        let p = b.create_entry_block();
        let (i, sum) = (b.declare_var(Type::I64), b.declare_var(Type::I64));
        let z = b.iconst(Type::I64, 0);
        b.def_var(i, z);
        b.def_var(sum, z);
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        b.jump(head, &[]);
        b.switch_to_block(head);
        let iv = b.use_var(i);
        let c = b.icmp(IntCC::Slt, iv, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.seal_block(body);
        let (iv, s) = (b.use_var(i), b.use_var(sum));
        let s2 = b.iadd(s, iv);
        b.def_var(sum, s2);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(iv, one);
        b.def_var(i, i2);
        b.jump(head, &[]);
        b.seal_block(head);
        b.switch_to_block(exit);
        b.seal_block(exit);
        let s = b.use_var(sum);
        b.ret(Some(s));
        b.finalize().unwrap();
        func
    }

    #[test]
    fn loop_gets_two_params() {
        let f = build_sum();
        let blocks: Vec<_> = f.layout.blocks().collect();
        assert_eq!(blocks.len(), 4);
        assert_eq!(f.dfg.block_params(blocks[1]).len(), 2, "i and sum merge at the header");
        assert_eq!(f.dfg.block_params(blocks[2]).len(), 0);
        assert_eq!(f.dfg.block_params(blocks[3]).len(), 0);
    }

    #[test]
    fn invariant_variable_param_is_removed() {
        // x is defined before the loop and only read in it: no header parameter remains.
        let sig = Signature::new(vec![Param::scalar("x", Type::I32)], Some(Type::I32));
        let mut func = Function::new("f", Linkage::Local, sig);
        let mut b = FunctionBuilder::new(&mut func);
        let p = b.create_entry_block();
        let x = b.declare_var(Type::I32);
        b.def_var(x, p[0]);
        let (head, exit) = (b.create_block(), b.create_block());
        b.jump(head, &[]);
        b.switch_to_block(head);
        let xv = b.use_var(x);
        let z = b.iconst(Type::I32, 0);
        let c = b.icmp(IntCC::Eq, xv, z);
        b.brif(c, exit, &[], head, &[]);
        b.seal_block(head);
        b.switch_to_block(exit);
        b.seal_block(exit);
        let xv = b.use_var(x);
        b.ret(Some(xv));
        b.finalize().unwrap();
        let head = func.layout.blocks().nth(1).unwrap();
        assert!(func.dfg.block_params(head).is_empty());
        let ret = func.terminator(func.layout.last_block().unwrap()).unwrap();
        assert_eq!(func.dfg.insts[ret].args(), &[func.params()[0]]);
    }

    #[test]
    fn code_after_return_is_dropped_and_missing_terminator_reported() {
        let mut func = Function::new("g", Linkage::Local, Signature::default());
        let mut b = FunctionBuilder::new(&mut func);
        b.create_entry_block();
        b.ret(None);
        let _ = b.iconst(Type::I32, 1); // lands in a fresh unreachable block
        b.trap(TrapCode::Unreachable);
        b.finalize().unwrap();
        assert_eq!(func.layout.blocks().count(), 1);

        let mut func = Function::new("h", Linkage::Local, Signature::default());
        let mut b = FunctionBuilder::new(&mut func);
        b.create_entry_block();
        let _ = b.iconst(Type::I32, 1);
        assert!(matches!(b.finalize(), Err(BuildError::MissingTerminator { .. })));
    }

    #[test]
    fn undefined_variable_reads_zero() {
        let mut func = Function::new("z", Linkage::Local, Signature::new(vec![], Some(Type::F32)));
        let mut b = FunctionBuilder::new(&mut func);
        b.create_entry_block();
        let v = b.declare_var(Type::F32);
        let x = b.use_var(v);
        b.ret(Some(x));
        b.finalize().unwrap();
        let first = func.layout.first_inst(func.entry_block().unwrap()).unwrap();
        assert_eq!(func.dfg.insts[first], InstData::FloatConst { bits: 0 });
    }
}
