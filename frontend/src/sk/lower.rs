//! Lowering: the checked syntax tree to Strata IR, through [`FunctionBuilder`].
//!
//! Mutable variables (`let mut`, `mut` parameters, `for` counters, the result of `&&` and
//! `||`) become builder [`Variable`]s, so SSA form and block parameters come from the
//! builder's sealing algorithm, never from this file; immutable bindings are plain SSA
//! values. Each block is sealed as soon as all its predecessors are emitted: branch
//! targets of a condition right after the condition, loop headers after the loop body,
//! exits and joins when the construct ends.
//!
//! Memory: a slice parameter is its `ptr` and `len` ABI values; `a[i]` is
//! `bounds_check i, len` then `load.T ptr, i * size` (or `store`), `a.len()` is `len`.
//! Order of evaluation is left to right, except that an assignment evaluates its
//! right-hand side before the place it writes (as Rust does), so `a[i] += f()` calls `f`
//! before checking `i`. Statements after a `return`/`break`/`continue` are still lowered,
//! into blocks without predecessors that `finalize` deletes.

use super::ast::{BinOp, Block, Expr, ExprKind, File, FnDecl, Item, NodeId, Scalar, Stmt, StmtKind, UnOp};
use super::checker::{Checked, Res};
use super::resolve::{Callee, FnSig};
use super::types::Ty;
use std::collections::HashMap;
use strata_ir::{
    Block as IrBlock, EntityRef, ExternFunc, ExternId, FloatCC, FloatFlags, FuncId, Function, FunctionBuilder, IntCC,
    Linkage, Module, Opcode, Param, Signature, TrapCode, Type, Value, Variable,
};

/// Builds the IR module of a checked file. Fails only on an internal inconsistency (a bug
/// in the checker or the builder), described by the message.
pub fn lower(file: &File, checked: &Checked) -> Result<Module, String> {
    let mut module = Module::new();
    for e in &checked.items.externs {
        let params = e.params.iter().map(|p| scalar_type(p.ty)).collect::<Option<Vec<_>>>();
        let ret = e.ret.map(scalar_type);
        let (Some(params), None | Some(Some(_))) = (params, ret) else {
            return Err(format!("host function `{}` has a non-scalar type after checking", e.name));
        };
        module.add_extern(ExternFunc { name: e.name.clone(), params, ret: ret.flatten() });
    }
    let decls: Vec<&FnDecl> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Fn(f) => Some(f),
            Item::Extern(_) => None,
        })
        .collect();
    for (f, sig) in decls.iter().zip(&checked.items.funcs) {
        let linkage = if f.export { Linkage::Export } else { Linkage::Local };
        module.add_function(Function::new(f.name.name.clone(), linkage, ir_signature(sig)?));
    }
    for (i, f) in decls.iter().enumerate() {
        let func = &mut module.functions[FuncId::new(i)];
        lower_function(f, func, checked).map_err(|e| format!("function `{}`: {e}", f.name.name))?;
    }
    Ok(module)
}

fn scalar_type(t: Ty) -> Option<Type> {
    match t {
        Ty::Scalar(s) => Some(ir_type(s)),
        _ => None,
    }
}

fn ir_type(s: Scalar) -> Type {
    match s {
        Scalar::I32 => Type::I32,
        Scalar::I64 => Type::I64,
        Scalar::F32 => Type::F32,
        Scalar::F64 => Type::F64,
        Scalar::Bool => Type::BOOL,
    }
}

fn ir_signature(sig: &FnSig) -> Result<Signature, String> {
    let mut params = Vec::with_capacity(sig.params.len());
    for p in &sig.params {
        params.push(match p.ty {
            Ty::Scalar(s) => Param::scalar(p.name.clone(), ir_type(s)),
            Ty::Slice { elem, mutable } => Param::slice(p.name.clone(), ir_type(elem), mutable),
            t => return Err(format!("parameter `{}` has type {t} after checking", p.name)),
        });
    }
    let ret = match sig.ret {
        None => None,
        Some(t) => Some(scalar_type(t).ok_or_else(|| format!("return type {t} after checking"))?),
    };
    Ok(Signature::new(params, ret))
}

/// How a binding is represented.
#[derive(Copy, Clone, Debug)]
enum Binding {
    Value(Value),
    Var(Variable),
    Slice { ptr: Value, len: Value },
}

#[derive(Copy, Clone)]
struct LoopTargets {
    brk: IrBlock,
    cont: IrBlock,
    /// Whether a `continue` jumped to `cont` (a `for` loop without one needs no latch).
    continued: bool,
}

struct Lower<'a, 'f> {
    b: FunctionBuilder<'f>,
    checked: &'a Checked,
    flags: FloatFlags,
    locals: HashMap<NodeId, Binding>,
    loops: Vec<LoopTargets>,
    /// The first internal inconsistency met; lowering carries on with placeholder values
    /// and the whole function fails at the end.
    bug: Option<String>,
}

fn lower_function(f: &FnDecl, func: &mut Function, checked: &Checked) -> Result<(), String> {
    let has_ret = func.sig.ret.is_some();
    let slices: Vec<bool> = func.sig.params.iter().map(|p| p.abi_len() == 2).collect();
    let mut lw = Lower {
        b: FunctionBuilder::new(func),
        checked,
        flags: if f.fastmath { FloatFlags::FAST } else { FloatFlags::NONE },
        locals: HashMap::new(),
        loops: Vec::new(),
        bug: None,
    };
    let params = lw.b.create_entry_block();
    let mut k = 0;
    for (p, is_slice) in f.params.iter().zip(slices) {
        let binding = if is_slice {
            let (Some(&ptr), Some(&len)) = (params.get(k), params.get(k + 1)) else {
                return Err("entry block has fewer parameters than the signature".to_string());
            };
            k += 2;
            Binding::Slice { ptr, len }
        } else {
            let Some(&v) = params.get(k) else {
                return Err("entry block has fewer parameters than the signature".to_string());
            };
            k += 1;
            if p.mutable {
                let var = lw.b.declare_var(lw.b.func.dfg.value_type(v));
                lw.b.def_var(var, v);
                Binding::Var(var)
            } else {
                Binding::Value(v)
            }
        };
        lw.locals.insert(p.id, binding);
    }
    lw.stmts(&f.body.stmts);
    if let Some(tail) = &f.body.tail {
        let v = lw.expr(tail);
        if has_ret {
            let v = lw.need(v);
            lw.b.ret(Some(v));
        }
    }
    if !lw.b.is_filled() {
        if has_ret {
            // The checker proved this point unreachable (every path returns).
            lw.b.trap(TrapCode::Unreachable);
        } else {
            lw.b.ret(None);
        }
    }
    lw.b.seal_all_blocks();
    if let Some(bug) = lw.bug {
        return Err(bug);
    }
    lw.b.finalize().map_err(|e| e.to_string())
}

impl Lower<'_, '_> {
    fn ty(&self, id: NodeId) -> Ty {
        self.checked.ty.get(id.index()).copied().unwrap_or(Ty::Error)
    }

    fn scalar(&mut self, id: NodeId) -> Scalar {
        match self.ty(id) {
            Ty::Scalar(s) => s,
            t => {
                self.fail(format!("expected a scalar type, found {t}"));
                Scalar::I64
            }
        }
    }

    fn fail(&mut self, msg: String) {
        self.bug.get_or_insert(msg);
    }

    /// The value of an expression that must have one.
    fn need(&mut self, v: Option<Value>) -> Value {
        match v {
            Some(v) => v,
            None => {
                self.fail("a value-less call used as a value".to_string());
                self.b.iconst(Type::I64, 0)
            }
        }
    }

    // ---- statements --------------------------------------------------------------------

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn block(&mut self, b: &Block) {
        self.stmts(&b.stmts);
        if let Some(t) = &b.tail {
            self.expr(t);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { id, mutable, init, .. } => {
                let v = self.expr(init);
                let v = self.need(v);
                let binding = if *mutable {
                    let var = self.b.declare_var(self.b.func.dfg.value_type(v));
                    self.b.def_var(var, v);
                    Binding::Var(var)
                } else {
                    Binding::Value(v)
                };
                self.locals.insert(*id, binding);
            }
            StmtKind::Assign { target, op, value, .. } => self.assign(target, *op, value),
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::If { cond, then_block, else_branch } => {
                let then_b = self.b.create_block();
                let merge = self.b.create_block();
                let else_b = if else_branch.is_some() { self.b.create_block() } else { merge };
                self.cond(cond, then_b, else_b);
                self.b.seal_block(then_b);
                self.b.switch_to_block(then_b);
                self.block(then_block);
                self.jump_if_open(merge);
                if let Some(e) = else_branch {
                    self.b.seal_block(else_b);
                    self.b.switch_to_block(else_b);
                    self.stmt(e);
                    self.jump_if_open(merge);
                }
                self.b.seal_block(merge);
                self.b.switch_to_block(merge);
            }
            StmtKind::For { id, start, end, body, .. } => self.for_loop(*id, start, end, body),
            StmtKind::While { cond, body } => {
                let (header, body_b, exit) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                self.b.jump(header, &[]);
                self.b.switch_to_block(header);
                self.cond(cond, body_b, exit);
                self.b.seal_block(body_b);
                self.b.switch_to_block(body_b);
                self.loop_body(body, exit, header);
                self.jump_if_open(header);
                self.b.seal_block(header);
                self.b.seal_block(exit);
                self.b.switch_to_block(exit);
            }
            StmtKind::Loop { body } => {
                let (header, exit) = (self.b.create_block(), self.b.create_block());
                self.b.jump(header, &[]);
                self.b.switch_to_block(header);
                self.loop_body(body, exit, header);
                self.jump_if_open(header);
                self.b.seal_block(header);
                self.b.seal_block(exit);
                self.b.switch_to_block(exit);
            }
            StmtKind::Break | StmtKind::Continue => match self.loops.last_mut() {
                Some(t) => {
                    let is_break = matches!(s.kind, StmtKind::Break);
                    t.continued |= !is_break;
                    let target = if is_break { t.brk } else { t.cont };
                    self.b.jump(target, &[]);
                }
                None => self.fail("`break` outside a loop after checking".to_string()),
            },
            StmtKind::Return(value) => {
                let v = value.as_ref().map(|e| {
                    let v = self.expr(e);
                    self.need(v)
                });
                self.b.ret(v);
            }
            StmtKind::Block(b) => self.block(b),
        }
    }

    fn jump_if_open(&mut self, target: IrBlock) {
        if !self.b.is_filled() {
            self.b.jump(target, &[]);
        }
    }

    /// Lowers a loop body; true if a `continue` in it jumped to `cont`.
    fn loop_body(&mut self, body: &Block, brk: IrBlock, cont: IrBlock) -> bool {
        self.loops.push(LoopTargets { brk, cont, continued: false });
        self.block(body);
        self.loops.pop().is_some_and(|t| t.continued)
    }

    /// `for i in start..end`: the bounds are evaluated once; `i` counts up by one while
    /// `i < end` (signed), so the loop runs `max(0, end - start)` times and `i + 1` cannot
    /// overflow.
    fn for_loop(&mut self, id: NodeId, start: &Expr, end: &Expr, body: &Block) {
        let s = self.expr(start);
        let s = self.need(s);
        let e = self.expr(end);
        let e = self.need(e);
        let var = self.b.declare_var(Type::I64);
        self.b.def_var(var, s);
        let (header, body_b, latch, exit) =
            (self.b.create_block(), self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.jump(header, &[]);
        self.b.switch_to_block(header);
        let i = self.b.use_var(var);
        let c = self.b.icmp(IntCC::Slt, i, e);
        self.b.brif(c, body_b, &[], exit, &[]);
        self.b.seal_block(body_b);
        self.b.switch_to_block(body_b);
        self.locals.insert(id, Binding::Var(var));
        let continued = self.loop_body(body, exit, latch);
        // The increment goes in a block of its own only if `continue` needs a target;
        // otherwise it ends the body.
        if continued {
            self.jump_if_open(latch);
            self.b.seal_block(latch);
            self.b.switch_to_block(latch);
        } else {
            self.b.seal_block(latch);
        }
        let i = self.b.use_var(var);
        let one = self.b.iconst(Type::I64, 1);
        let next = self.b.iadd(i, one);
        self.b.def_var(var, next);
        self.b.jump(header, &[]);
        self.b.seal_block(header);
        self.b.seal_block(exit);
        self.b.switch_to_block(exit);
    }

    fn assign(&mut self, target: &Expr, op: Option<BinOp>, value: &Expr) {
        let rhs = self.expr(value);
        let rhs = self.need(rhs);
        let target = strip_parens(target);
        match &target.kind {
            ExprKind::Var(_) => {
                let Some(Binding::Var(var)) = self.binding_of(target.id) else {
                    self.fail("assignment to an immutable binding after checking".to_string());
                    return;
                };
                let new = match op {
                    None => rhs,
                    Some(op) => {
                        let old = self.b.use_var(var);
                        let s = self.scalar(target.id);
                        let rs = self.scalar(value.id);
                        self.arith(op, s, rs, old, rhs)
                    }
                };
                self.b.def_var(var, new);
            }
            ExprKind::Index { base, index } => {
                let s = self.scalar(target.id);
                let (ptr, off) = self.element(base, index, s);
                let new = match op {
                    None => rhs,
                    Some(op) => {
                        let old = self.b.load(ir_type(s), ptr, off);
                        let rs = self.scalar(value.id);
                        self.arith(op, s, rs, old, rhs)
                    }
                };
                self.b.store(ptr, off, new);
            }
            _ => self.fail("invalid assignment target after checking".to_string()),
        }
    }

    /// Branches to `t` if `e` is true, else to `f`, short-circuiting `&&`, `||` and `!`
    /// into control flow instead of materialising booleans.
    fn cond(&mut self, e: &Expr, t: IrBlock, f: IrBlock) {
        let e = strip_parens(e);
        match &e.kind {
            ExprKind::Binary { op: op @ (BinOp::LogicAnd | BinOp::LogicOr), lhs, rhs, .. } => {
                let mid = self.b.create_block();
                if *op == BinOp::LogicAnd {
                    self.cond(lhs, mid, f);
                } else {
                    self.cond(lhs, t, mid);
                }
                self.b.seal_block(mid);
                self.b.switch_to_block(mid);
                self.cond(rhs, t, f);
            }
            ExprKind::Unary { op: UnOp::Not, expr } if self.ty(expr.id) == Ty::BOOL => self.cond(expr, f, t),
            _ => {
                let v = self.expr(e);
                let v = self.need(v);
                self.b.brif(v, t, &[], f, &[]);
            }
        }
    }

    // ---- expressions -------------------------------------------------------------------

    fn binding_of(&self, var_expr: NodeId) -> Option<Binding> {
        match self.checked.res.get(var_expr.index()) {
            Some(Res::Local(b)) => self.locals.get(b).copied(),
            _ => None,
        }
    }

    /// The `ptr` and `len` of a slice expression (a slice parameter, maybe parenthesised).
    fn slice(&mut self, e: &Expr) -> (Value, Value) {
        let e = strip_parens(e);
        match self.binding_of(e.id) {
            Some(Binding::Slice { ptr, len }) => (ptr, len),
            _ => {
                self.fail("a slice expression that is not a slice parameter".to_string());
                let z = self.b.iconst(Type::I64, 0);
                let p = self.b.convert(Opcode::IntToPtr, Type::PTR, z);
                (p, z)
            }
        }
    }

    /// Bounds-checks `base[index]` and returns the base pointer and byte offset.
    fn element(&mut self, base: &Expr, index: &Expr, elem: Scalar) -> (Value, Value) {
        let (ptr, len) = self.slice(base);
        let i = self.expr(index);
        let mut i = self.need(i);
        if self.ty(index.id) == Ty::I32 {
            i = self.b.convert(Opcode::Sext, Type::I64, i);
        }
        self.b.bounds_check(i, len);
        let size = ir_type(elem).bytes().unwrap_or(1);
        let size = self.b.iconst(Type::I64, i64::from(size));
        let off = self.b.imul(i, size);
        (ptr, off)
    }

    /// Lowers an expression; `None` for calls of functions without a result.
    fn expr(&mut self, e: &Expr) -> Option<Value> {
        Some(match &e.kind {
            ExprKind::Int { value, .. } => self.int_const(e.id, *value, false),
            ExprKind::Float { text, .. } => self.float_const(e.id, text, false),
            ExprKind::Bool(v) => self.b.bconst(*v),
            ExprKind::Var(_) => match self.binding_of(e.id) {
                Some(Binding::Value(v)) => v,
                Some(Binding::Var(var)) => self.b.use_var(var),
                _ => {
                    self.fail("a variable without a scalar binding".to_string());
                    self.b.iconst(Type::I64, 0)
                }
            },
            ExprKind::Paren(inner) => return self.expr(inner),
            ExprKind::Unary { op, expr } => self.unary(*op, expr),
            ExprKind::Binary { op: op @ (BinOp::LogicAnd | BinOp::LogicOr), lhs, rhs, .. } => {
                self.short_circuit(*op, lhs, rhs)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let a = self.expr(lhs);
                let a = self.need(a);
                let c = self.expr(rhs);
                let c = self.need(c);
                let (ls, rs) = (self.scalar(lhs.id), self.scalar(rhs.id));
                if op.is_comparison() {
                    self.compare(*op, ls, a, c)
                } else {
                    self.arith(*op, ls, rs, a, c)
                }
            }
            ExprKind::Index { base, index } => {
                let s = self.scalar(e.id);
                let (ptr, off) = self.element(base, index, s);
                self.b.load(ir_type(s), ptr, off)
            }
            ExprKind::Call { args, .. } => {
                let args: Vec<&Expr> = args.iter().collect();
                return self.call(e.id, &args);
            }
            ExprKind::Method { recv, args, .. } => {
                if self.checked.res.get(e.id.index()) == Some(&Res::Len) {
                    return Some(self.slice(recv).1);
                }
                let all: Vec<&Expr> = std::iter::once(&**recv).chain(args.iter()).collect();
                return self.call(e.id, &all);
            }
            ExprKind::Cast { expr, .. } => {
                let v = self.expr(expr);
                let v = self.need(v);
                let (from, to) = (self.scalar(expr.id), self.scalar(e.id));
                self.cast(v, from, to)
            }
            ExprKind::Error => {
                self.fail("an erroneous expression after checking".to_string());
                self.b.iconst(Type::I64, 0)
            }
        })
    }

    fn int_const(&mut self, id: NodeId, value: u64, negate: bool) -> Value {
        let s = self.scalar(id);
        // Literals were range-checked; reinterpret the bits at the type's width.
        let v = if negate { 0u64.wrapping_sub(value) } else { value };
        match s {
            Scalar::I32 => self.b.iconst(Type::I32, i64::from(v as u32 as i32)),
            Scalar::I64 => self.b.iconst(Type::I64, v as i64),
            _ => {
                self.fail(format!("integer literal of type {}", s.name()));
                self.b.iconst(Type::I64, 0)
            }
        }
    }

    fn float_const(&mut self, id: NodeId, text: &str, negate: bool) -> Value {
        let s = self.scalar(id);
        match s {
            // Parsing straight to f32 rounds once (via f64 it could round twice).
            Scalar::F32 => {
                let x = text.parse::<f32>().unwrap_or(f32::NAN);
                self.b.f32const(if negate { -x } else { x })
            }
            _ => {
                let x = text.parse::<f64>().unwrap_or(f64::NAN);
                self.b.f64const(if negate { -x } else { x })
            }
        }
    }

    fn unary(&mut self, op: UnOp, inner: &Expr) -> Value {
        let lit = strip_parens(inner);
        if op == UnOp::Neg {
            // Fold negated literals, so `-2147483648` is one constant of type i32.
            match &lit.kind {
                ExprKind::Int { value, .. } => return self.int_const(lit.id, *value, true),
                ExprKind::Float { text, .. } => return self.float_const(lit.id, text, true),
                _ => {}
            }
        }
        let v = self.expr(inner);
        let v = self.need(v);
        let s = self.scalar(inner.id);
        match op {
            UnOp::Neg if s.is_float() => self.b.unary_flags(Opcode::Fneg, self.flags, v),
            UnOp::Neg => self.b.unary(Opcode::Ineg, v),
            UnOp::Not => self.b.unary(Opcode::Bnot, v),
        }
    }

    /// `a && b` / `a || b` as a value: `b` is evaluated only when needed.
    fn short_circuit(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr) -> Value {
        let var = self.b.declare_var(Type::BOOL);
        let (rhs_b, done) = (self.b.create_block(), self.b.create_block());
        let a = self.expr(lhs);
        let a = self.need(a);
        self.b.def_var(var, a);
        if op == BinOp::LogicAnd {
            self.b.brif(a, rhs_b, &[], done, &[]);
        } else {
            self.b.brif(a, done, &[], rhs_b, &[]);
        }
        self.b.seal_block(rhs_b);
        self.b.switch_to_block(rhs_b);
        let c = self.expr(rhs);
        let c = self.need(c);
        self.b.def_var(var, c);
        self.b.jump(done, &[]);
        self.b.seal_block(done);
        self.b.switch_to_block(done);
        self.b.use_var(var)
    }

    fn compare(&mut self, op: BinOp, s: Scalar, a: Value, c: Value) -> Value {
        if s.is_float() {
            let cc = match op {
                BinOp::Eq => FloatCC::Eq,
                BinOp::Ne => FloatCC::Ne,
                BinOp::Lt => FloatCC::Lt,
                BinOp::Le => FloatCC::Le,
                BinOp::Gt => FloatCC::Gt,
                _ => FloatCC::Ge,
            };
            self.b.fcmp(cc, a, c)
        } else {
            let cc = match op {
                BinOp::Eq => IntCC::Eq,
                BinOp::Ne => IntCC::Ne,
                BinOp::Lt => IntCC::Slt,
                BinOp::Le => IntCC::Sle,
                BinOp::Gt => IntCC::Sgt,
                _ => IntCC::Sge,
            };
            self.b.icmp(cc, a, c)
        }
    }

    /// An arithmetic, bitwise or shift operation on operands of type `s` (the shift amount
    /// has type `rs` and is converted to `s` first).
    fn arith(&mut self, op: BinOp, s: Scalar, rs: Scalar, a: Value, c: Value) -> Value {
        if s.is_float() {
            let opc = match op {
                BinOp::Add => Opcode::Fadd,
                BinOp::Sub => Opcode::Fsub,
                BinOp::Mul => Opcode::Fmul,
                BinOp::Div => Opcode::Fdiv,
                _ => {
                    self.fail(format!("`{}` on floats after checking", op.symbol()));
                    Opcode::Fadd
                }
            };
            return self.b.binary_flags(opc, self.flags, a, c);
        }
        let opc = match op {
            BinOp::Add => Opcode::Iadd,
            BinOp::Sub => Opcode::Isub,
            BinOp::Mul => Opcode::Imul,
            BinOp::Div => Opcode::Sdiv,
            BinOp::Rem => Opcode::Srem,
            BinOp::And => Opcode::Band,
            BinOp::Or => Opcode::Bor,
            BinOp::Xor => Opcode::Bxor,
            BinOp::Shl => Opcode::Shl,
            BinOp::Shr => Opcode::Ashr,
            BinOp::Ushr => Opcode::Lshr,
            _ => {
                self.fail(format!("`{}` is not an arithmetic operator", op.symbol()));
                Opcode::Iadd
            }
        };
        let c = if op.is_shift() && rs != s { self.cast(c, rs, s) } else { c };
        self.b.binary(opc, a, c)
    }

    /// `v as to`, for `v` of type `from`.
    fn cast(&mut self, v: Value, from: Scalar, to: Scalar) -> Value {
        use Scalar::*;
        let t = ir_type(to);
        let op = match (from, to) {
            _ if from == to => return v,
            (I32, I64) | (Bool, I32 | I64) => {
                if from == Bool {
                    Opcode::Zext
                } else {
                    Opcode::Sext
                }
            }
            (I64, I32) => Opcode::Trunc,
            (I32 | I64, F32 | F64) => Opcode::Sitofp,
            (F32 | F64, I32 | I64) => Opcode::Fptosi,
            (F32, F64) => Opcode::Fpromote,
            (F64, F32) => Opcode::Fdemote,
            _ => {
                self.fail(format!("cast from {} to {} after checking", from.name(), to.name()));
                return v;
            }
        };
        self.b.convert(op, t, v)
    }

    /// A call of a function, host function or intrinsic with `args`; the result if any.
    fn call(&mut self, id: NodeId, args: &[&Expr]) -> Option<Value> {
        let res = self.checked.res.get(id.index()).copied().unwrap_or(Res::Unresolved);
        match res {
            Res::Intrinsic(intr) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = self.expr(a);
                    vals.push(self.need(v));
                }
                let s = self.scalar(id);
                match intr.lower(&mut self.b, s, self.flags, &vals) {
                    Some(v) => Some(v),
                    None => {
                        self.fail(format!("`{}` with too few arguments after checking", intr.name()));
                        Some(self.b.iconst(Type::I64, 0))
                    }
                }
            }
            Res::Call(callee) => {
                let sig = self.checked.items.sig(callee);
                let ret = sig.ret.and_then(scalar_type);
                let is_slice: Vec<bool> = sig.params.iter().map(|p| matches!(p.ty, Ty::Slice { .. })).collect();
                let mut vals = Vec::with_capacity(args.len() * 2);
                for (a, slice) in args.iter().zip(is_slice) {
                    if slice {
                        let (p, l) = self.slice(a);
                        vals.push(p);
                        vals.push(l);
                    } else {
                        let v = self.expr(a);
                        vals.push(self.need(v));
                    }
                }
                match callee {
                    Callee::Func(i) => self.b.call(FuncId::new(i), ret, &vals),
                    Callee::Extern(i) => self.b.call_host(ExternId::new(i), ret, &vals),
                }
            }
            _ => {
                self.fail("an unresolved call after checking".to_string());
                Some(self.b.iconst(Type::I64, 0))
            }
        }
    }
}

fn strip_parens(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}
