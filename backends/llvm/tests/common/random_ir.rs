//! Random valid IR for the differential test: modules of a few functions built with
//! `FunctionBuilder` from a typed pool of values, with random arithmetic, bitwise,
//! comparison, conversion, float, transcendental and vector instructions, diamonds (block
//! parameters from variables), small counted loops, bounds-checked loads and stores through a
//! slice parameter, and calls to earlier functions (so every program terminates). Float
//! instructions are strict: results must match the interpreter bit for bit.

use super::{Rng, F32S, F64S, I64S};
use std::collections::HashMap;
use strata_ir::{
    FloatCC, FuncId, Function, FunctionBuilder, IntCC, LaneType, Linkage, Module, Opcode, Param, Signature, Type, Value,
};

const INTS: [Type; 4] = [Type::I8, Type::I16, Type::I32, Type::I64];
const FLOATS: [Type; 2] = [Type::F32, Type::F64];
const SCALARS: [Type; 7] = [Type::BOOL, Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64];

/// Values available at the current point, by type.
#[derive(Clone, Default)]
struct Pool(HashMap<Type, Vec<Value>>);

impl Pool {
    fn add(&mut self, ty: Type, v: Value) {
        self.0.entry(ty).or_default().push(v);
    }
    fn get(&self, rng: &mut Rng, ty: Type) -> Option<Value> {
        let vs = self.0.get(&ty)?;
        (!vs.is_empty()).then(|| vs[rng.below(vs.len())])
    }
}

struct Gen<'r, 'b, 'f> {
    rng: &'r mut Rng,
    b: &'b mut FunctionBuilder<'f>,
    pool: Pool,
    /// The slice parameter: pointer, length, element type, mutable.
    slice: Option<(Value, Value, Type, bool)>,
    /// Earlier functions that may be called: id and signature.
    callees: Vec<(FuncId, Signature)>,
}

impl Gen<'_, '_, '_> {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        self.rng.pick(xs)
    }

    /// A value of type `ty`: from the pool, or a new constant.
    fn val(&mut self, ty: Type) -> Value {
        if self.rng.below(5) != 0 {
            if let Some(v) = self.pool.get(self.rng, ty) {
                return v;
            }
        }
        self.constant(ty)
    }

    fn constant(&mut self, ty: Type) -> Value {
        let v = match ty.lane() {
            LaneType::Bool => self.b.bconst(self.rng.next() & 1 == 1),
            LaneType::F32 => {
                let x = self.pick(F32S);
                self.b.f32const(x)
            }
            LaneType::F64 => {
                let x = self.pick(F64S);
                self.b.f64const(x)
            }
            _ if ty.is_vector() => {
                let lane = self.constant(ty.lane_type());
                self.b.splat(ty, lane)
            }
            _ => {
                let x = if self.rng.below(2) == 0 { self.pick(I64S) } else { self.rng.below(9) as i64 - 2 };
                let bits = ty.lane_bits();
                let x = if bits == 64 { x } else { (x << (64 - bits)) >> (64 - bits) };
                self.b.iconst(ty, x)
            }
        };
        if ty.is_scalar() {
            self.pool.add(ty, v);
        }
        v
    }

    /// One random instruction; its result joins the pool.
    fn inst(&mut self) {
        let (ty, v) = match self.rng.below(12) {
            0..=2 => self.int_op(),
            3..=4 => self.float_op(),
            5 => self.compare(),
            6 => self.conversion(),
            7 => self.vector_op(),
            8 => self.select(),
            9 => self.memory(),
            10 => self.call(),
            _ => {
                let t = self.pick(&SCALARS);
                (t, self.constant(t))
            }
        };
        self.pool.add(ty, v);
    }

    fn int_op(&mut self) -> (Type, Value) {
        let t = self.pick(&INTS);
        let (a, c) = (self.val(t), self.val(t));
        let op = self.pick(&[
            Opcode::Iadd,
            Opcode::Isub,
            Opcode::Imul,
            Opcode::Sdiv,
            Opcode::Udiv,
            Opcode::Srem,
            Opcode::Urem,
            Opcode::Smin,
            Opcode::Smax,
            Opcode::Umin,
            Opcode::Umax,
            Opcode::Band,
            Opcode::Bor,
            Opcode::Bxor,
            Opcode::Shl,
            Opcode::Lshr,
            Opcode::Ashr,
            Opcode::Ineg,
            Opcode::Bnot,
            Opcode::Popcnt,
            Opcode::Clz,
            Opcode::Ctz,
            Opcode::Bswap,
        ]);
        let v = match op {
            Opcode::Ineg | Opcode::Bnot | Opcode::Popcnt | Opcode::Clz | Opcode::Ctz => self.b.unary(op, a),
            Opcode::Bswap if t != Type::I8 => self.b.unary(op, a),
            Opcode::Bswap => self.b.unary(Opcode::Popcnt, a),
            _ => self.b.binary(op, a, c),
        };
        (t, v)
    }

    fn float_op(&mut self) -> (Type, Value) {
        let t = self.pick(&FLOATS);
        let (a, c) = (self.val(t), self.val(t));
        let op = self.pick(&[
            Opcode::Fadd,
            Opcode::Fsub,
            Opcode::Fmul,
            Opcode::Fdiv,
            Opcode::Fmin,
            Opcode::Fmax,
            Opcode::Fcopysign,
            Opcode::Fpow,
            Opcode::Fneg,
            Opcode::Fabs,
            Opcode::Fsqrt,
            Opcode::Ffloor,
            Opcode::Fceil,
            Opcode::Ftrunc,
            Opcode::Fnearest,
            Opcode::Fexp,
            Opcode::Flog,
            Opcode::Fsin,
            Opcode::Fcos,
            Opcode::Fma,
        ]);
        let v = match op {
            Opcode::Fma => {
                let d = self.val(t);
                self.b.fma(strata_ir::FloatFlags::NONE, a, c, d)
            }
            Opcode::Fadd
            | Opcode::Fsub
            | Opcode::Fmul
            | Opcode::Fdiv
            | Opcode::Fmin
            | Opcode::Fmax
            | Opcode::Fcopysign
            | Opcode::Fpow => self.b.binary(op, a, c),
            _ => self.b.unary(op, a),
        };
        (t, v)
    }

    fn compare(&mut self) -> (Type, Value) {
        let v = if self.rng.below(2) == 0 {
            let t = self.pick(&INTS);
            let (a, c) = (self.val(t), self.val(t));
            let cc = self.pick(&IntCC::ALL);
            self.b.icmp(cc, a, c)
        } else {
            let t = self.pick(&FLOATS);
            let (a, c) = (self.val(t), self.val(t));
            let cc = self.pick(&FloatCC::ALL);
            self.b.fcmp(cc, a, c)
        };
        (Type::BOOL, v)
    }

    fn select(&mut self) -> (Type, Value) {
        let t = self.pick(&SCALARS);
        let c = self.val(Type::BOOL);
        let (a, d) = (self.val(t), self.val(t));
        (t, self.b.select(c, a, d))
    }

    fn conversion(&mut self) -> (Type, Value) {
        let from = self.pick(&SCALARS);
        let x = self.val(from);
        let to = self.pick(&SCALARS);
        let b = &mut *self.b;
        let v = match (from.is_bool(), from.is_int(), to.is_bool(), to.is_int()) {
            // bool → int: extension; bool → bool or float: negation.
            (true, _, _, true) => b.convert(if self.rng.below(2) == 0 { Opcode::Zext } else { Opcode::Sext }, to, x),
            (true, ..) => return (Type::BOOL, b.unary(Opcode::Bnot, x)),
            // int → bool / float → bool: a comparison.
            (_, true, true, _) => {
                let z = b.iconst(from, 0);
                return (Type::BOOL, b.icmp(IntCC::Ne, x, z));
            }
            (_, false, true, _) => return (Type::BOOL, b.fcmp(FloatCC::Uno, x, x)),
            // int → int
            (_, true, _, true) if from.lane_bits() < to.lane_bits() => {
                b.convert(if self.rng.below(2) == 0 { Opcode::Zext } else { Opcode::Sext }, to, x)
            }
            (_, true, _, true) if from.lane_bits() > to.lane_bits() => b.convert(Opcode::Trunc, to, x),
            (_, true, _, true) => return (from, b.unary(Opcode::Bnot, x)),
            // int ↔ float
            (_, true, _, false) => {
                b.convert(if self.rng.below(2) == 0 { Opcode::Sitofp } else { Opcode::Uitofp }, to, x)
            }
            (_, false, _, true) => {
                b.convert(if self.rng.below(2) == 0 { Opcode::Fptosi } else { Opcode::Fptoui }, to, x)
            }
            // float → float: promote, demote, or the bits as an integer.
            _ if from == Type::F32 && to == Type::F64 => b.convert(Opcode::Fpromote, to, x),
            _ if from == Type::F64 && to == Type::F32 => b.convert(Opcode::Fdemote, to, x),
            _ => {
                let int = if from == Type::F32 { Type::I32 } else { Type::I64 };
                return (int, b.convert(Opcode::Bitcast, int, x));
            }
        };
        (to, v)
    }

    fn vector_op(&mut self) -> (Type, Value) {
        let lane = self.pick(&[Type::F32, Type::I32, Type::F64, Type::I16]);
        let n = if lane.lane_bits() == 64 { 2 } else { self.pick(&[4u32, 8]) };
        let vt = lane.with_lanes(n).unwrap_or(lane);
        let x = self.val(lane);
        let y = self.val(lane);
        let (va, vb) = (self.b.splat(vt, x), self.b.splat(vt, y));
        let k = self.rng.below(n as usize) as u8;
        let vb = self.b.insertlane(vb, x, k);
        let r = if lane.is_float() {
            let op = self.pick(&[Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmin, Opcode::Fmax]);
            let r = self.b.binary(op, va, vb);
            let c = self.b.fcmp(self.rng.pick(&FloatCC::ALL), r, vb);
            self.b.select(c, r, va)
        } else {
            let op = self.pick(&[Opcode::Iadd, Opcode::Isub, Opcode::Imul, Opcode::Smin, Opcode::Umax, Opcode::Bxor]);
            let r = self.b.binary(op, va, vb);
            let c = self.b.icmp(self.rng.pick(&IntCC::ALL), r, vb);
            self.b.select(c, r, va)
        };
        let v = match self.rng.below(4) {
            0 => self.b.unary(Opcode::ReduceAdd, r),
            1 => self.b.unary(Opcode::ReduceMin, r),
            2 => self.b.unary(Opcode::ReduceMax, r),
            _ => {
                let k = self.rng.below(n as usize) as u8;
                self.b.extractlane(r, k)
            }
        };
        (lane, v)
    }

    /// A bounds-checked load (and maybe store) through the slice parameter.
    fn memory(&mut self) -> (Type, Value) {
        let Some((p, len, elem, mutable)) = self.slice else {
            let t = self.pick(&SCALARS);
            return (t, self.constant(t));
        };
        let raw = self.val(Type::I64);
        let idx = if self.rng.below(3) == 0 {
            raw
        } else {
            let mask = self.b.iconst(Type::I64, 7);
            self.b.binary(Opcode::Band, raw, mask)
        };
        self.b.bounds_check(idx, len);
        let size = self.b.iconst(Type::I64, elem.bytes().unwrap_or(4) as i64);
        let off = self.b.imul(idx, size);
        let v = self.b.load(elem, p, off);
        if mutable && self.rng.below(2) == 0 {
            let w = self.val(elem);
            self.b.store(p, off, w);
        }
        (elem, v)
    }

    fn call(&mut self) -> (Type, Value) {
        if self.callees.is_empty() {
            return self.int_op();
        }
        let (id, sig) = self.callees[self.rng.below(self.callees.len())].clone();
        if sig.params.iter().any(|p| matches!(p.kind, strata_ir::ParamKind::Slice { .. })) {
            return self.int_op();
        }
        let args: Vec<Value> = sig.abi_params().into_iter().map(|t| self.val(t)).collect();
        match (sig.ret, self.b.call(id, sig.ret, &args)) {
            (Some(t), Some(v)) => (t, v),
            _ => {
                let t = self.pick(&SCALARS);
                (t, self.constant(t))
            }
        }
    }

    fn straight(&mut self, n: usize) {
        for _ in 0..n {
            self.inst();
        }
    }

    /// `if c { x = f(…) } else { x = g(…) }`: a variable merged by a block parameter.
    fn diamond(&mut self) {
        let t = self.pick(&SCALARS);
        let var = self.b.declare_var(t);
        let init = self.val(t);
        self.b.def_var(var, init);
        let c = self.val(Type::BOOL);
        let (then_b, else_b, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.brif(c, then_b, &[], else_b, &[]);
        for arm in [then_b, else_b] {
            self.b.switch_to_block(arm);
            self.b.seal_block(arm);
            let saved = self.pool.clone();
            let n = self.rng.below(4);
            self.straight(n);
            let v = self.val(t);
            self.b.def_var(var, v);
            self.b.jump(join, &[]);
            self.pool = saved;
        }
        self.b.switch_to_block(join);
        self.b.seal_block(join);
        let merged = self.b.use_var(var);
        self.pool.add(t, merged);
    }

    /// `for i in 0..(x & 7) { acc = op(acc, …) }`.
    fn counted_loop(&mut self) {
        let t = self.pick(&SCALARS);
        let acc = self.b.declare_var(t);
        let init = self.val(t);
        self.b.def_var(acc, init);
        let x = self.val(Type::I64);
        let seven = self.b.iconst(Type::I64, 7);
        let limit = self.b.binary(Opcode::Band, x, seven);
        let i = self.b.declare_var(Type::I64);
        let zero = self.b.iconst(Type::I64, 0);
        self.b.def_var(i, zero);
        let (head, body, exit) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.jump(head, &[]);
        self.b.switch_to_block(head);
        let iv = self.b.use_var(i);
        let c = self.b.icmp(IntCC::Ult, iv, limit);
        self.b.brif(c, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        let saved = self.pool.clone();
        let a = self.b.use_var(acc);
        self.pool.add(t, a);
        self.pool.add(Type::I64, iv);
        let n = 1 + self.rng.below(4);
        self.straight(n);
        let next = self.val(t);
        self.b.def_var(acc, next);
        let one = self.b.iconst(Type::I64, 1);
        let iv = self.b.use_var(i);
        let inc = self.b.iadd(iv, one);
        self.b.def_var(i, inc);
        self.b.jump(head, &[]);
        self.b.seal_block(head);
        self.pool = saved;
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        let out = self.b.use_var(acc);
        self.pool.add(t, out);
    }
}

/// A random function named `name` that may call `callees`.
fn random_function(rng: &mut Rng, name: &str, linkage: Linkage, callees: &[(FuncId, Signature)]) -> Function {
    let mut params: Vec<Param> =
        (0..rng.below(4)).map(|i| Param::scalar(format!("p{i}"), rng.pick(&SCALARS))).collect();
    let with_slice = linkage == Linkage::Export && rng.below(3) != 0;
    if with_slice {
        let elem = rng.pick(&[Type::F32, Type::I32, Type::F64, Type::I16]);
        params.insert(rng.below(params.len() + 1), Param::slice("s", elem, rng.below(2) == 0));
    }
    let ret = rng.pick(&SCALARS);
    let sig = Signature::new(params, Some(ret));
    let mut f = Function::new(name, linkage, sig.clone());
    let mut b = FunctionBuilder::new(&mut f);
    let ps = b.create_entry_block();
    let mut g = Gen { rng, b: &mut b, pool: Pool::default(), slice: None, callees: callees.to_vec() };
    let mut k = 0;
    for p in &sig.params {
        match p.kind {
            strata_ir::ParamKind::Scalar(t) => g.pool.add(t, ps[k]),
            strata_ir::ParamKind::Slice { elem, mutable } => g.slice = Some((ps[k], ps[k + 1], elem, mutable)),
        }
        k += p.abi_len();
    }
    for _ in 0..1 + g.rng.below(3) {
        let n = g.rng.below(6);
        g.straight(n);
        match g.rng.below(3) {
            0 => g.diamond(),
            1 => g.counted_loop(),
            _ => {}
        }
    }
    let n = g.rng.below(4);
    g.straight(n);
    let r = g.val(ret);
    g.b.ret(Some(r));
    g.b.seal_all_blocks();
    drop(g);
    b.finalize().expect("random functions are complete");
    f
}

/// A random module: three functions, each able to call the ones before it; the last is
/// exported, the others are exported or local at random.
pub fn random_module(rng: &mut Rng) -> Module {
    let mut m = Module::new();
    let mut callees = Vec::new();
    for i in 0..3 {
        let linkage = if i == 2 || rng.below(2) == 0 { Linkage::Export } else { Linkage::Local };
        let f = random_function(rng, &format!("f{i}"), linkage, &callees);
        let sig = f.sig.clone();
        let id = m.add_function(f);
        callees.push((id, sig));
    }
    m
}
