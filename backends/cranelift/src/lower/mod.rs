//! Lowering one IR function to CLIF.
//!
//! The IR is already SSA with block parameters, so the translation is direct: one Cranelift
//! block per IR block (plus blocks for checks), block parameters carried over part by part
//! (see `crate::repr`), no Cranelift variables. The files under `lower/` each handle one
//! group of instructions; this one drives the walk over blocks and instructions and lowers
//! the terminators.

mod calls;
mod convert;
mod float;
mod guards;
mod int;
mod lanes;
mod memory;
mod native;
mod vector;

use crate::options::CraneliftOptions;
use crate::repr::{Layouts, Repr};
use crate::CompileError;
use cranelift_codegen::ir::{
    self, types, BlockArg, FuncRef, GlobalValue, InstBuilder, SigRef, Type as ClType, Value as ClValue,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use smallvec::smallvec;
use smallvec::SmallVec;
use std::collections::HashMap;
use strata_ir::{BlockCall, EntityRef, Function, InstData, Module, Opcode, TrapCode, Type, Value};

/// The Cranelift values holding one IR value.
pub(crate) type Parts = SmallVec<[ClValue; 2]>;

type Result<T> = std::result::Result<T, CompileError>;

/// What every function of a module needs to know about the others.
pub(crate) struct Env<'m> {
    pub(crate) module: &'m Module,
    pub(crate) layouts: Layouts,
    pub(crate) opts: CraneliftOptions,
    pub(crate) call_conv: CallConv,
    pub(crate) frontend: cranelift_codegen::isa::TargetFrontendConfig,
    /// Cranelift id and signature of each IR function, by `FuncId` index.
    pub(crate) funcs: Vec<(cranelift_module::FuncId, ir::Signature)>,
    /// Cranelift id of each data object, by `DataId` index.
    pub(crate) data: Vec<cranelift_module::DataId>,
    /// The math functions: opcode, float type, Cranelift id and signature.
    pub(crate) math: Vec<(Opcode, Type, cranelift_module::FuncId, ir::Signature)>,
}

/// Lowers `func` (function number `index` of the module) into `clf`.
pub(crate) fn lower_function(
    env: &Env<'_>,
    index: usize,
    func: &Function,
    clf: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<()> {
    let sig = env.funcs.get(index).map(|(_, s)| s.clone()).ok_or_else(|| CompileError::InvalidIr {
        func: func.name.clone(),
        message: "function is not part of the module".into(),
    })?;
    clf.signature = sig;
    let mut b = FunctionBuilder::new(clf, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let mut params = b.block_params(entry).to_vec();
    let ctx = params.pop().ok_or_else(|| CompileError::InvalidIr {
        func: func.name.clone(),
        message: "signature without context parameter".into(),
    })?;
    let ret_types = b.func.signature.returns.iter().map(|p| p.value_type).collect();
    let counts_depth = env.opts.depth_limit && makes_calls(func);
    let mut l = Lowerer {
        env,
        func,
        b,
        ctx,
        vals: vec![Parts::new(); func.dfg.values.len()],
        blocks: vec![None; func.dfg.blocks.len()],
        cur_pos: 0,
        terminated: false,
        slots: Vec::new(),
        ret_types,
        traps: Vec::new(),
        propagate: None,
        entry_overflow: None,
        func_refs: HashMap::new(),
        host_sig: None,
        math_refs: HashMap::new(),
        data_gvs: HashMap::new(),
        counts_depth,
    };
    l.run(entry, &params)?;
    l.b.seal_all_blocks();
    l.b.finalize(env.frontend);
    Ok(())
}

/// State of the lowering of one function.
pub(crate) struct Lowerer<'a, 'f> {
    env: &'a Env<'a>,
    func: &'a Function,
    b: FunctionBuilder<'f>,
    /// The `*mut VmContext` parameter.
    ctx: ClValue,
    /// Parts of each IR value, by value index (empty until defined).
    vals: Vec<Parts>,
    /// Cranelift block and layout position of each IR block, by block index.
    blocks: Vec<Option<(ir::Block, u32)>>,
    /// Layout position of the IR block being lowered.
    cur_pos: u32,
    /// Whether the IR block being lowered has seen its terminator.
    terminated: bool,
    /// Cranelift stack slot of each IR stack slot, and its realigned address if it asks
    /// for more than 16-byte alignment.
    slots: Vec<(ir::StackSlot, Option<ClValue>)>,
    ret_types: Vec<ClType>,
    /// Blocks that store a trap code and return, one per code used.
    traps: Vec<(TrapCode, ir::Block)>,
    /// Block that returns after a callee trapped.
    propagate: Option<ir::Block>,
    /// Block that traps `stack_overflow` before the depth counter was decremented.
    entry_overflow: Option<ir::Block>,
    func_refs: HashMap<usize, FuncRef>,
    /// The imported signature of [`strata_ir::HostCallFn`], once a host call needs it.
    host_sig: Option<SigRef>,
    math_refs: HashMap<(Opcode, Type), FuncRef>,
    data_gvs: HashMap<usize, GlobalValue>,
    /// Whether entry decrements `ctx.depth_remaining` and every exit gives it back: only
    /// with the depth limit, and only in functions that make IR calls (see `guards.rs`).
    counts_depth: bool,
}

/// Whether `func` calls another IR function (host calls do not count: a host function
/// that runs a kernel again gives it a fresh context).
fn makes_calls(func: &Function) -> bool {
    func.layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .any(|i| matches!(func.dfg.insts.get(i), Some(InstData::Call { .. })))
}

impl Lowerer<'_, '_> {
    fn invalid(&self, message: impl Into<String>) -> CompileError {
        CompileError::InvalidIr { func: self.func.name.clone(), message: message.into() }
    }

    fn unsupported(&self, what: impl Into<String>) -> CompileError {
        CompileError::Unsupported { func: self.func.name.clone(), what: what.into() }
    }

    fn repr(&self, ty: Type) -> Repr {
        self.env.layouts.repr(ty)
    }

    fn ty(&self, v: Value) -> Result<Type> {
        self.func.dfg.values.get(v).map(|d| d.ty).ok_or_else(|| self.invalid(format!("unknown value {v}")))
    }

    fn get(&self, v: Value) -> Result<Parts> {
        match self.vals.get(v.index()) {
            Some(p) if !p.is_empty() => Ok(p.clone()),
            _ => Err(self.invalid(format!("{v} is used before it is defined"))),
        }
    }

    /// The single Cranelift value of a scalar IR value.
    fn scalar(&self, v: Value) -> Result<ClValue> {
        match self.get(v)?.as_slice() {
            [x] if self.ty(v)?.is_scalar() => Ok(*x),
            _ => Err(self.invalid(format!("{v} should be a scalar"))),
        }
    }

    fn cl_type(&self, v: ClValue) -> ClType {
        self.b.func.dfg.value_type(v)
    }

    /// Records the parts of `v`, checking that they have its form.
    fn def(&mut self, v: Value, parts: Parts) -> Result<()> {
        let repr = self.repr(self.ty(v)?);
        if parts.len() != repr.count() || parts.iter().any(|&p| self.cl_type(p) != repr.part_type()) {
            return Err(self.invalid(format!("{v} is defined with operands of the wrong type")));
        }
        match self.vals.get_mut(v.index()) {
            Some(slot) => *slot = parts,
            None => return Err(self.invalid(format!("unknown value {v}"))),
        }
        Ok(())
    }

    fn need(&self, res: Option<Value>, op: Opcode) -> Result<Value> {
        res.ok_or_else(|| self.invalid(format!("`{op}` without a result")))
    }

    fn run(&mut self, entry: ir::Block, abi_params: &[ClValue]) -> Result<()> {
        let func = self.func;
        let Some(ir_entry) = func.layout.entry_block() else { return Err(self.invalid("function has no body")) };
        // Layout positions decide which branches are loop back-edges (fuel); the blocks are
        // lowered in reverse postorder, where definitions come before their uses (the
        // layout need not be a dominance order). Unreachable blocks are not lowered.
        let mut positions = vec![u32::MAX; func.dfg.blocks.len()];
        for (pos, blk) in func.layout.blocks().enumerate() {
            match positions.get_mut(blk.index()) {
                Some(p) => *p = pos as u32,
                None => return Err(self.invalid(format!("unknown block {blk}"))),
            }
        }
        let order = self.reverse_postorder(ir_entry)?;
        for &blk in &order {
            let pos = positions[blk.index()];
            let cl = if blk == ir_entry {
                entry
            } else {
                let cb = self.b.create_block();
                for &p in func.dfg.block_params(blk) {
                    let repr = self.repr(self.ty(p)?);
                    for _ in 0..repr.count() {
                        self.b.append_block_param(cb, repr.part_type());
                    }
                }
                cb
            };
            self.blocks[blk.index()] = Some((cl, pos));
        }
        self.define_params(ir_entry, abi_params)?;
        self.prologue()?;
        for &blk in &order {
            let Some((cl, pos)) = self.blocks[blk.index()] else { continue };
            if blk != ir_entry {
                self.b.switch_to_block(cl);
                let params = self.b.block_params(cl).to_vec();
                self.define_params(blk, &params)?;
            }
            self.cur_pos = pos;
            self.terminated = false;
            for inst in func.layout.block_insts(blk) {
                if self.terminated {
                    return Err(self.invalid(format!("{blk} has instructions after its terminator")));
                }
                self.lower_inst(inst)?;
            }
            if !self.terminated {
                return Err(self.invalid(format!("{blk} does not end in a terminator")));
            }
        }
        self.finish_guards();
        Ok(())
    }

    /// The blocks reachable from `entry`, in reverse postorder.
    fn reverse_postorder(&self, entry: strata_ir::Block) -> Result<Vec<strata_ir::Block>> {
        let func = self.func;
        let mut seen = vec![false; func.dfg.blocks.len()];
        let mut post = Vec::new();
        let mut stack = vec![(entry, 0usize)];
        seen[entry.index()] = true;
        while let Some((blk, next)) = stack.last_mut() {
            let succs =
                func.terminator(*blk).and_then(|t| func.dfg.insts.get(t)).map(|d| d.successors()).unwrap_or_default();
            match succs.get(*next) {
                Some(&s) => {
                    *next += 1;
                    match seen.get_mut(s.index()) {
                        Some(true) => {}
                        Some(flag) => {
                            *flag = true;
                            stack.push((s, 0));
                        }
                        None => return Err(self.invalid(format!("branch to unknown block {s}"))),
                    }
                }
                None => {
                    post.push(*blk);
                    stack.pop();
                }
            }
        }
        post.reverse();
        Ok(post)
    }

    /// Defines the parameters of IR block `blk` from the Cranelift values `cl`.
    fn define_params(&mut self, blk: strata_ir::Block, cl: &[ClValue]) -> Result<()> {
        let mut rest = cl;
        for &p in self.func.dfg.block_params(blk) {
            let n = self.repr(self.ty(p)?).count();
            if rest.len() < n {
                return Err(self.invalid(format!("parameters of {blk} do not match its signature")));
            }
            let (now, later) = rest.split_at(n);
            self.def(p, now.into())?;
            rest = later;
        }
        if !rest.is_empty() {
            return Err(self.invalid(format!("parameters of {blk} do not match its signature")));
        }
        Ok(())
    }

    fn lower_inst(&mut self, inst: strata_ir::Inst) -> Result<()> {
        let func = self.func;
        let Some(data) = func.dfg.insts.get(inst) else { return Err(self.invalid(format!("unknown {inst}"))) };
        let res = func.dfg.inst_result(inst);
        let op = data.opcode();
        match data {
            InstData::IntConst { imm } => {
                let r = self.need(res, op)?;
                let parts = self.int_const_value(self.ty(r)?, *imm)?;
                self.def(r, parts)
            }
            InstData::FloatConst { bits } => {
                let r = self.need(res, op)?;
                let parts = self.float_const_value(self.ty(r)?, *bits)?;
                self.def(r, parts)
            }
            InstData::BoolConst { imm } => {
                let r = self.need(res, op)?;
                let x = self.b.ins().iconst(types::I8, i64::from(*imm));
                let parts = self.splat_value(self.ty(r)?, x)?;
                self.def(r, parts)
            }
            InstData::Unary { op, arg, .. } => self.lower_unary(*op, *arg, self.need(res, *op)?),
            InstData::Binary { op, args, .. } => self.lower_binary(*op, *args, self.need(res, *op)?),
            InstData::Ternary { op: Opcode::Fma, args, .. } => {
                let r = self.need(res, op)?;
                let ty = self.ty(r)?;
                let (a, b, c) = (self.get(args[0])?, self.get(args[1])?, self.get(args[2])?);
                let out = self.map_n(Opcode::Fma, ty, &[&a, &b, &c], |s, xs| s.prim(Opcode::Fma, ty, xs))?;
                self.def(r, out)
            }
            InstData::Ternary { op: Opcode::Select, args, .. } => self.lower_select(*args, self.need(res, op)?),
            InstData::Ternary { op, .. } => Err(self.invalid(format!("`{op}` is not a ternary operation"))),
            InstData::IntCompare { cond, args } => {
                self.lower_compare(vector::Cond::Int(*cond), *args, self.need(res, op)?)
            }
            InstData::FloatCompare { cond, args } => {
                self.lower_compare(vector::Cond::Float(*cond), *args, self.need(res, op)?)
            }
            InstData::Load { args } => self.lower_load(*args, self.need(res, op)?),
            InstData::Store { args } => self.lower_store(*args),
            InstData::BoundsCheck { args } => self.lower_bounds_check(*args),
            InstData::StackAddr { slot } => self.lower_stack_addr(*slot, self.need(res, op)?),
            InstData::DataAddr { data } => self.lower_data_addr(*data, self.need(res, op)?),
            InstData::ExtractLane { arg, lane } => self.lower_extractlane(*arg, *lane, self.need(res, op)?),
            InstData::InsertLane { args, lane } => self.lower_insertlane(*args, *lane, self.need(res, op)?),
            InstData::Call { func, args } => self.lower_call(*func, args, res),
            InstData::CallHost { func, args } => self.lower_call_host(*func, args, res),
            InstData::Jump { dest } => {
                let (target, pos, args) = self.branch_target(dest)?;
                if self.env.opts.fuel && pos <= self.cur_pos {
                    self.fuel_tick();
                }
                self.b.ins().jump(target, &args);
                self.terminated = true;
                Ok(())
            }
            InstData::Brif { cond, then_dest, else_dest } => self.lower_brif(*cond, then_dest, else_dest),
            InstData::Return { arg } => {
                let parts = match arg {
                    Some(v) => self.get(*v)?,
                    None => Parts::new(),
                };
                let types: Vec<ClType> = parts.iter().map(|&p| self.cl_type(p)).collect();
                if types != self.ret_types {
                    return Err(self.invalid("`return` does not match the function's return type"));
                }
                self.restore_depth();
                self.b.ins().return_(&parts);
                self.terminated = true;
                Ok(())
            }
            InstData::Trap { code } => {
                let blk = self.trap_block(*code);
                self.b.ins().jump(blk, &[]);
                self.terminated = true;
                Ok(())
            }
        }
    }

    /// The Cranelift block, layout position and arguments of a branch target.
    fn branch_target(&mut self, call: &BlockCall) -> Result<(ir::Block, u32, Vec<BlockArg>)> {
        let Some(Some((cl, pos))) = self.blocks.get(call.block.index()).copied() else {
            return Err(self.invalid(format!("branch to {}, which is not in the layout", call.block)));
        };
        if pos == 0 {
            return Err(self.invalid("branch to the entry block"));
        }
        let params = self.func.dfg.block_params(call.block);
        if params.len() != call.args.len() {
            return Err(self.invalid(format!("wrong number of arguments for {}", call.block)));
        }
        let mut args = Vec::with_capacity(call.args.len());
        for (&a, &p) in call.args.iter().zip(params) {
            if self.ty(a)? != self.ty(p)? {
                return Err(self.invalid(format!("argument {a} has the wrong type for {}", call.block)));
            }
            args.extend(self.get(a)?.into_iter().map(BlockArg::Value));
        }
        Ok((cl, pos, args))
    }

    fn lower_brif(&mut self, cond: Value, then_dest: &BlockCall, else_dest: &BlockCall) -> Result<()> {
        if self.ty(cond)? != Type::BOOL {
            return Err(self.invalid("`brif` condition is not a bool"));
        }
        let c = self.scalar(cond)?;
        let mut edges = Vec::new();
        let mut dests = Vec::with_capacity(2);
        for dest in [then_dest, else_dest] {
            let (target, pos, args) = self.branch_target(dest)?;
            if self.env.opts.fuel && pos <= self.cur_pos {
                // A loop back-edge: count it on its own edge, so leaving the loop is free.
                let edge = self.b.create_block();
                edges.push((edge, target, args));
                dests.push((edge, Vec::new()));
            } else {
                dests.push((target, args));
            }
        }
        let [(t, targs), (e, eargs)] = <[_; 2]>::try_from(dests).map_err(|_| self.invalid("`brif` targets"))?;
        self.b.ins().brif(c, t, &targs, e, &eargs);
        for (edge, target, args) in edges {
            self.b.switch_to_block(edge);
            self.fuel_tick();
            self.b.ins().jump(target, &args);
        }
        self.terminated = true;
        Ok(())
    }

    fn lower_unary(&mut self, op: Opcode, arg: Value, res: Value) -> Result<()> {
        use Opcode::*;
        match op {
            Ineg | Bnot | Popcnt | Clz | Ctz | Bswap | Fneg | Fabs | Fsqrt | Ffloor | Fceil | Ftrunc | Fnearest
            | Fexp | Flog | Fsin | Fcos => {
                let ty = self.ty(arg)?;
                let a = self.get(arg)?;
                let out = self.map_n(op, ty, &[&a], |s, xs| s.prim(op, ty, xs))?;
                self.def(res, out)
            }
            Sext | Zext | Trunc | Fpromote | Fdemote | Sitofp | Uitofp | Fptosi | Fptoui | PtrToInt | IntToPtr => {
                self.lower_convert(op, arg, res)
            }
            Bitcast => self.lower_bitcast(arg, res),
            Splat => {
                let x = self.scalar(arg)?;
                let parts = self.splat_value(self.ty(res)?, x)?;
                self.def(res, parts)
            }
            ReduceAdd | ReduceMin | ReduceMax => self.lower_reduce(op, arg, res),
            _ => Err(self.invalid(format!("`{op}` is not a unary operation"))),
        }
    }

    fn lower_binary(&mut self, op: Opcode, args: [Value; 2], res: Value) -> Result<()> {
        use Opcode::*;
        match op {
            Sdiv | Udiv | Srem | Urem => self.lower_div(op, args, res),
            Shl | Lshr | Ashr => self.lower_shift(op, args, res),
            PtrAdd => {
                let (p, off) = (self.scalar(args[0])?, self.scalar(args[1])?);
                let sum = self.b.ins().iadd(p, off);
                self.def(res, smallvec![sum])
            }
            Iadd | Isub | Imul | Smin | Smax | Umin | Umax | Band | Bor | Bxor | Fadd | Fsub | Fmul | Fdiv | Fmin
            | Fmax | Fcopysign | Fpow => {
                let ty = self.ty(args[0])?;
                let (a, b) = (self.get(args[0])?, self.get(args[1])?);
                let out = self.map_n(op, ty, &[&a, &b], |s, xs| s.prim(op, ty, xs))?;
                self.def(res, out)
            }
            _ => Err(self.invalid(format!("`{op}` is not a binary operation"))),
        }
    }

    /// One lane-wise operation on one part (or one lane) of each operand.
    fn prim(&mut self, op: Opcode, ty: Type, xs: &[ClValue]) -> Result<ClValue> {
        if ty.is_float() {
            self.float_prim(op, ty, xs)
        } else {
            self.int_prim(op, ty, xs)
        }
    }
}
