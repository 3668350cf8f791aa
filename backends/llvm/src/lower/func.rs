//! One Strata function → one LLVM function body.
//!
//! Blocks are created in layout order (so the `.ll` reads like the Strata IR) and filled in
//! reverse post-order, so every operand is lowered before its uses. Block parameters become
//! phis at the top of their block; each branch adds its arguments as incoming values from
//! the LLVM block that ends in the branch (which is not always the block the Strata block
//! started in: division guards, call checks and fuel checks split blocks).
//!
//! The LLVM entry block is a prologue of its own: stack slots (allocas, zeroed with
//! `llvm.memset`), the call-depth check, and the conversion of ABI parameters (`i8` bools)
//! to SSA values. The Strata entry block follows it. A leaf function (no calls to IR
//! functions, a small frame) only checks that some depth is left: it takes none, since
//! nothing it runs could observe it, so it neither stores nor restores the counter and
//! needs no stack probe (see `control.rs`).

use super::ModuleCx;
use crate::error::{CompileError, Result};
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValue, BasicValueEnum, FunctionValue, IntValue, PhiValue, PointerValue};
use inkwell::IntPredicate;
use std::collections::HashMap;
use strata_ir::text::Names;
use strata_ir::{Block, EntityRef, FuncId, Function, Inst, InstData, SecondaryMap, TrapCode, Type, Value};

/// Stack slots a leaf function may allocate and still skip the native stack check: its
/// caller's check (or the embedder, for an entry call) left [`strata_ir::abi::DEFAULT_STACK_BUDGET`]
/// minus a frame below the limit, and a leaf adds at most one frame of this size.
const LEAF_FRAME_MAX: u64 = 64 * 1024;

/// The state of lowering one function.
pub(crate) struct FuncLower<'m, 'a, 'ctx> {
    pub m: &'m ModuleCx<'a, 'ctx>,
    pub func: &'a Function,
    pub llfn: FunctionValue<'ctx>,
    blocks: SecondaryMap<Block, Option<BasicBlock<'ctx>>>,
    phis: SecondaryMap<Block, Option<Vec<PhiValue<'ctx>>>>,
    values: SecondaryMap<Value, Option<BasicValueEnum<'ctx>>>,
    /// Layout position of each block (for recognising loop back-edges).
    pub layout_pos: SecondaryMap<Block, u32>,
    pub slots: Vec<PointerValue<'ctx>>,
    /// The context pointer: the function's last parameter.
    pub ctx_ptr: PointerValue<'ctx>,
    /// `depth_remaining` as found on entry, restored on every exit (with `depth_limit`).
    pub saved_depth: Option<IntValue<'ctx>>,
    pub trap_blocks: HashMap<u32, BasicBlock<'ctx>>,
    pub unwind_block: Option<BasicBlock<'ctx>>,
    /// The text format's names of blocks and values, for naming LLVM values in dumps.
    names: Option<Names>,
    /// Headers of loops that only run on the slow path of a versioned loop.
    cold_headers: Vec<Block>,
}

/// Lowers the body of function `id` into its declared LLVM function.
pub(crate) fn lower_function(m: &ModuleCx<'_, '_>, id: FuncId) -> Result<()> {
    let func = &m.ir.functions[id];
    let llfn = m.funcs[id.index()];
    let mut fl = FuncLower::new(m, func, llfn)?;
    fl.cold_headers = m.cold_loops.get(&id).cloned().unwrap_or_default();
    fl.lower_body()
}

impl<'m, 'a, 'ctx> FuncLower<'m, 'a, 'ctx> {
    fn new(m: &'m ModuleCx<'a, 'ctx>, func: &'a Function, llfn: FunctionValue<'ctx>) -> Result<Self> {
        let ctx_ptr = llfn
            .get_last_param()
            .map(|p| p.into_pointer_value())
            .ok_or_else(|| CompileError::Internal(format!("`{}` has no context parameter", func.name)))?;
        Ok(FuncLower {
            m,
            func,
            llfn,
            blocks: SecondaryMap::new(),
            phis: SecondaryMap::new(),
            values: SecondaryMap::new(),
            layout_pos: SecondaryMap::new(),
            slots: Vec::new(),
            ctx_ptr,
            saved_depth: None,
            trap_blocks: HashMap::new(),
            unwind_block: None,
            names: m.names.then(|| Names::new(func)),
            cold_headers: Vec::new(),
        })
    }

    /// An error for IR that breaks a verifier invariant.
    pub fn malformed(&self, message: impl Into<String>) -> CompileError {
        CompileError::MalformedIr { func: self.func.name.clone(), message: message.into() }
    }

    fn lower_body(&mut self) -> Result<()> {
        let func = self.func;
        let entry = func.entry_block().ok_or_else(|| self.malformed("function has no body"))?;
        let order = reverse_postorder(func, entry);
        let mut reachable: SecondaryMap<Block, bool> = SecondaryMap::new();
        for &b in &order {
            reachable[b] = true;
        }
        let ctx = self.m.ctx;
        let prologue = ctx.append_basic_block(self.llfn, "prologue");
        for (i, b) in func.layout.blocks().enumerate() {
            self.layout_pos[b] = i as u32;
            if reachable[b] {
                let name = self.names.as_ref().map(|n| n.block(b).to_string()).unwrap_or_default();
                self.blocks[b] = Some(ctx.append_basic_block(self.llfn, &name));
            }
        }
        for &b in &order {
            if b != entry {
                self.create_phis(b)?;
            }
        }
        self.m.builder.position_at_end(prologue);
        self.prologue(entry)?;
        let entry_bb = self.bb(entry)?;
        self.m.builder.build_unconditional_branch(entry_bb)?;
        for &b in &order {
            self.m.builder.position_at_end(self.bb(b)?);
            for inst in func.layout.block_insts(b) {
                self.lower_inst(b, inst)?;
            }
            if func.terminator(b).is_none() {
                return Err(self.malformed(format!("{b} does not end in a terminator")));
            }
        }
        Ok(())
    }

    fn create_phis(&mut self, b: Block) -> Result<()> {
        let bb = self.bb(b)?;
        self.m.builder.position_at_end(bb);
        let mut phis = Vec::new();
        for &p in self.func.dfg.block_params(b) {
            let ty = self.m.types.ty(self.func.dfg.value_type(p));
            let phi = self.m.builder.build_phi(ty, &self.value_name(p))?;
            self.values[p] = Some(phi.as_basic_value());
            phis.push(phi);
        }
        self.phis[b] = Some(phis);
        Ok(())
    }

    /// Stack slots, the depth check, and the entry block's parameters.
    fn prologue(&mut self, entry: Block) -> Result<()> {
        let m = self.m;
        let i8t = m.ctx.i8_type();
        for (_, slot) in self.func.stack_slots.iter() {
            let ty = i8t.array_type(slot.size);
            let ptr = m.builder.build_alloca(ty, "slot")?;
            let align = slot.align.max(1);
            if let Some(inst) = ptr.as_instruction_value() {
                inst.set_alignment(align).map_err(|e| self.malformed(format!("stack slot alignment: {e}")))?;
            }
            if slot.size > 0 {
                let zero = i8t.const_zero();
                let size = m.ctx.i64_type().const_int(slot.size as u64, false);
                m.builder.build_memset(ptr, align, zero, size).map_err(CompileError::from)?;
            }
            self.slots.push(ptr);
        }
        if m.opts.depth_limit {
            if super::attrs::calls_ir_functions(self.func) || self.frame_bytes() > LEAF_FRAME_MAX {
                self.depth_enter()?;
            } else {
                self.leaf_depth_check()?;
            }
        }
        let params = self.func.dfg.block_params(entry);
        let abi = self.func.sig.abi_params();
        if params.len() != abi.len() {
            return Err(self.malformed(format!(
                "entry block has {} parameters, the signature {}",
                params.len(),
                abi.len()
            )));
        }
        for (i, (&p, &ty)) in params.iter().zip(&abi).enumerate() {
            if self.func.dfg.value_type(p) != ty {
                return Err(self.malformed(format!("entry parameter {p} is not of type {ty}")));
            }
            let raw = self
                .llfn
                .get_nth_param(i as u32)
                .ok_or_else(|| CompileError::Internal(format!("missing LLVM parameter {i}")))?;
            let v = self.abi_to_ssa(raw, ty)?;
            self.values[p] = Some(v);
        }
        Ok(())
    }

    /// Bytes of stack slots this function allocates.
    fn frame_bytes(&self) -> u64 {
        self.func.stack_slots.iter().map(|(_, s)| u64::from(s.size) + u64::from(s.align)).sum()
    }

    // ---- values -------------------------------------------------------------------------

    /// The LLVM block of a reachable Strata block.
    pub fn bb(&self, b: Block) -> Result<BasicBlock<'ctx>> {
        self.blocks[b].ok_or_else(|| self.malformed(format!("branch to {b}, which is not in the layout")))
    }

    /// The phis of block `b`, one per parameter.
    pub fn phis(&self, b: Block) -> Result<&[PhiValue<'ctx>]> {
        self.phis[b].as_deref().ok_or_else(|| self.malformed(format!("branch to the entry block {b}")))
    }

    /// The LLVM value of `v`.
    pub fn val(&self, v: Value) -> Result<BasicValueEnum<'ctx>> {
        self.values[v].ok_or_else(|| self.malformed(format!("{v} is used where it is not defined")))
    }

    /// The Strata type of `v`.
    pub fn ty(&self, v: Value) -> Type {
        self.func.dfg.value_type(v)
    }

    /// The LLVM values of `vs`.
    pub fn vals(&self, vs: &[Value]) -> Result<Vec<BasicValueEnum<'ctx>>> {
        vs.iter().map(|&v| self.val(v)).collect()
    }

    /// The result value and type of `inst`.
    pub fn result(&self, inst: Inst) -> Result<(Value, Type)> {
        let v = self.func.dfg.inst_result(inst).ok_or_else(|| self.malformed(format!("{inst} has no result")))?;
        Ok((v, self.ty(v)))
    }

    /// Records `value` as the result of `inst`.
    pub fn define(&mut self, inst: Inst, value: BasicValueEnum<'ctx>) -> Result<()> {
        let (v, _) = self.result(inst)?;
        if let Some(i) = value.as_instruction_value() {
            if self.names.is_some() && i.get_name().is_some_and(|n| n.is_empty()) {
                // Naming is cosmetic; an instruction that takes no name keeps none.
                let _ = i.set_name(&self.value_name(v));
            }
        }
        self.values[v] = Some(value);
        Ok(())
    }

    /// `v` as the text format prints it (`v12`), when naming; else nothing.
    fn value_name(&self, v: Value) -> String {
        self.names.as_ref().map(|n| n.value(v).to_string()).unwrap_or_default()
    }

    /// A value received at the ABI as an SSA value (`i8` bools become `i1`).
    pub fn abi_to_ssa(&self, raw: BasicValueEnum<'ctx>, ty: Type) -> Result<BasicValueEnum<'ctx>> {
        if !ty.is_bool() {
            return Ok(raw);
        }
        let b = &self.m.builder;
        Ok(match raw {
            BasicValueEnum::IntValue(x) => {
                b.build_int_compare(IntPredicate::NE, x, x.get_type().const_zero(), "")?.into()
            }
            BasicValueEnum::VectorValue(x) => {
                b.build_int_compare(IntPredicate::NE, x, x.get_type().const_zero(), "")?.into()
            }
            other => other,
        })
    }

    /// An SSA value as passed at the ABI (`i1` bools become `i8` 0/1).
    pub fn ssa_to_abi(&self, v: BasicValueEnum<'ctx>, ty: Type) -> Result<BasicValueEnum<'ctx>> {
        if !ty.is_bool() {
            return Ok(v);
        }
        Ok(self.m.builder.build_cast(inkwell::values::InstructionOpcode::ZExt, v, self.m.types.abi(ty), "")?)
    }

    // ---- instructions -------------------------------------------------------------------

    fn lower_inst(&mut self, block: Block, inst: Inst) -> Result<()> {
        let data = &self.func.dfg.insts[inst];
        match data {
            InstData::IntConst { imm } => {
                let (_, ty) = self.result(inst)?;
                let c = self.int_const(ty, *imm as u64)?;
                self.define(inst, c)
            }
            InstData::FloatConst { bits } => {
                let (_, ty) = self.result(inst)?;
                let c = self.float_const(ty, *bits)?;
                self.define(inst, c)
            }
            InstData::BoolConst { imm } => {
                let (_, ty) = self.result(inst)?;
                let c = self.int_const(ty, *imm as u64)?;
                self.define(inst, c)
            }
            InstData::Unary { op, arg, flags } => self.unary(inst, *op, *arg, *flags),
            InstData::Binary { op, args, flags } => self.binary(inst, *op, *args, *flags),
            InstData::Ternary { op, args, flags } => self.ternary(inst, *op, *args, *flags),
            InstData::IntCompare { cond, args } => self.icmp(inst, *cond, *args),
            InstData::FloatCompare { cond, args } => self.fcmp(inst, *cond, *args),
            InstData::Load { args } => self.load(inst, *args),
            InstData::Store { args } => self.store(*args),
            InstData::BoundsCheck { args } => self.bounds_check(*args),
            InstData::StackAddr { slot } => {
                let p = *self
                    .slots
                    .get(slot.index())
                    .ok_or_else(|| self.malformed(format!("{slot} is not a stack slot of this function")))?;
                self.define(inst, p.into())
            }
            InstData::DataAddr { data } => {
                let g = self
                    .m
                    .data
                    .get(data.index())
                    .ok_or_else(|| self.malformed(format!("{data} is not a data object of this module")))?;
                self.define(inst, g.as_pointer_value().into())
            }
            InstData::ExtractLane { arg, lane } => self.extract_lane(inst, *arg, *lane),
            InstData::InsertLane { args, lane } => self.insert_lane(inst, *args, *lane),
            InstData::Call { func, args } => self.call(inst, *func, args),
            InstData::CallHost { func, args } => self.call_host(inst, *func, args),
            InstData::Jump { dest } => {
                let target = self.edge(block, dest, false)?;
                let br = self.m.builder.build_unconditional_branch(target)?;
                let back_edge = self.layout_pos[dest.block] <= self.layout_pos[block];
                if back_edge && self.cold_headers.contains(&dest.block) {
                    self.m.mark_cold_loop(br);
                }
                Ok(())
            }
            InstData::Brif { cond, then_dest, else_dest } => {
                let c = self.val(*cond)?;
                let BasicValueEnum::IntValue(c) = c else {
                    return Err(self.malformed("brif condition is not a bool"));
                };
                let t = self.edge(block, then_dest, false)?;
                let e = self.edge(block, else_dest, then_dest.block == else_dest.block)?;
                self.m.builder.build_conditional_branch(c, t, e)?;
                Ok(())
            }
            InstData::Return { arg } => self.ret(*arg),
            InstData::Trap { code } => {
                let t = self.trap_block(*code)?;
                self.m.builder.build_unconditional_branch(t)?;
                Ok(())
            }
        }
    }

    /// An integer (or bool) constant of type `ty` (a splat for vectors), truncated to the
    /// lane width.
    pub fn int_const(&self, ty: Type, bits: u64) -> Result<BasicValueEnum<'ctx>> {
        let lane_ty = self.m.types.ty(ty.lane_type());
        let lane: BasicValueEnum = match lane_ty {
            inkwell::types::BasicTypeEnum::IntType(t) => {
                let w = t.get_bit_width();
                let masked = if w >= 64 { bits } else { bits & ((1u64 << w) - 1) };
                t.const_int(masked, false).into()
            }
            inkwell::types::BasicTypeEnum::PointerType(p) => {
                let i = self.m.ctx.i64_type().const_int(bits, false);
                self.m.builder.build_int_to_ptr(i, p, "")?.into()
            }
            _ => return Err(self.malformed(format!("integer constant of type {ty}"))),
        };
        self.splat_const(ty, lane)
    }

    /// A float constant of type `ty` with exactly the IEEE bits `bits` (NaN payloads kept).
    pub fn float_const(&self, ty: Type, bits: u64) -> Result<BasicValueEnum<'ctx>> {
        let (int, width) = match ty.lane_type() {
            Type::F32 => (self.m.ctx.i32_type(), 32),
            Type::F64 => (self.m.ctx.i64_type(), 64),
            _ => return Err(self.malformed(format!("float constant of type {ty}"))),
        };
        let masked = if width == 32 { bits & 0xffff_ffff } else { bits };
        let lane = self.m.builder.build_bit_cast(int.const_int(masked, false), self.m.types.ty(ty.lane_type()), "")?;
        self.splat_const(ty, lane)
    }

    /// `lane` itself for a scalar `ty`, else a constant vector of it.
    pub fn splat_const(&self, ty: Type, lane: BasicValueEnum<'ctx>) -> Result<BasicValueEnum<'ctx>> {
        if ty.is_scalar() {
            return Ok(lane);
        }
        let lanes = vec![lane; ty.lanes() as usize];
        Ok(inkwell::types::VectorType::const_vector(&lanes).into())
    }

    /// Byte pointer `ctx + offset` to a field of the `VmContext`.
    pub fn ctx_field(&self, offset: i32) -> Result<PointerValue<'ctx>> {
        let off = self.m.ctx.i64_type().const_int(offset as u64, false);
        // SAFETY: an in-bounds GEP into the context, which is `dereferenceable` for the whole
        // `VmContext`; `offset` is one of its field offsets.
        Ok(unsafe { self.m.builder.build_in_bounds_gep(self.m.ctx.i8_type(), self.ctx_ptr, &[off], "")? })
    }

    /// The trap code as the `i32` stored into `ctx.trap_code`.
    pub fn trap_code_const(&self, code: TrapCode) -> IntValue<'ctx> {
        self.m.ctx.i32_type().const_int(code.to_u32() as u64, false)
    }
}

/// Blocks reachable from `entry`, in reverse post-order (dominators before the blocks they
/// dominate), by an iterative depth-first search.
fn reverse_postorder(func: &Function, entry: Block) -> Vec<Block> {
    let mut visited: SecondaryMap<Block, bool> = SecondaryMap::new();
    let mut post = Vec::new();
    let succs = |b: Block| func.terminator(b).map(|t| func.dfg.insts[t].successors()).unwrap_or_default();
    let mut stack = vec![(entry, succs(entry), 0usize)];
    visited[entry] = true;
    while let Some((b, ss, i)) = stack.last_mut() {
        if let Some(&s) = ss.get(*i) {
            *i += 1;
            if !visited[s] && func.layout.is_block_inserted(s) {
                visited[s] = true;
                let next = succs(s);
                stack.push((s, next, 0));
            }
        } else {
            post.push(*b);
            stack.pop();
        }
    }
    post.reverse();
    post
}
