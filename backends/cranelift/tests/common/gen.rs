//! Random IR programs for the robustness and differential tests: straight-line code over
//! a pool of typed values (every pure operation on scalars, native, split and scalarized
//! vectors, bool vectors), guarded loads from a byte slice, divisions that may trap, a
//! diamond with a merge parameter, a counted loop with a loop-carried value, a call to a
//! local helper, and stores of chosen values to an output slice. Deterministic per seed.

#![allow(dead_code)]

use super::reference::edge_values;
use strata_ir::{
    FloatCC, FloatFlags, FunctionBuilder, IntCC, LaneType, Linkage, Module, Opcode, Param, Signature, TrapCode, Type,
    Value,
};

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    /// A lane value of type `ty`: an edge case most of the time, random bits otherwise.
    pub fn lane(&mut self, ty: Type) -> u64 {
        if self.chance(70) {
            self.pick(&edge_values(ty.lane_type()))
        } else {
            let bits = ty.lane_bits();
            let x = self.next();
            if ty.is_bool() {
                x & 1
            } else if bits >= 64 {
                x
            } else {
                x & ((1 << bits) - 1)
            }
        }
    }
}

/// A generated program: `f(inp: [i8], out: mut [i8], idx: i64, scalars…) -> ret`.
pub struct Program {
    pub module: Module,
    /// Scalar parameter types after `idx`.
    pub scalars: Vec<Type>,
    pub ret: Type,
    /// Values stored to `out`: byte offset and type.
    pub outputs: Vec<(usize, Type)>,
    pub in_bytes: usize,
    pub out_bytes: usize,
}

const SCALARS: [Type; 7] = [Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64, Type::BOOL];
const VECTORS: [&str; 15] = [
    "f32x4", "i32x4", "i16x8", "i8x16", "f64x2", "i64x2", "f32x8", "i32x8", "f64x4", "i16x16", "f32x2", "i32x2",
    "i16x4", "i8x8", "f32x16",
];
pub const IN_BYTES: usize = 256;
const SLOT: usize = 64;

struct Gen<'a, 'b> {
    rng: &'a mut Rng,
    b: FunctionBuilder<'b>,
    pool: Vec<(Type, Value)>,
    inp: (Value, Value),
    idx: Value,
}

fn t(s: &str) -> Type {
    s.parse().expect("vector type")
}

impl Gen<'_, '_> {
    fn of(&self, ty: Type) -> Vec<Value> {
        self.pool.iter().filter(|(t, _)| *t == ty).map(|(_, v)| *v).collect()
    }

    fn add(&mut self, ty: Type, v: Value) -> Value {
        self.pool.push((ty, v));
        v
    }

    fn rand_type(&mut self) -> Type {
        if self.rng.chance(45) {
            self.rng.pick(&SCALARS)
        } else {
            t(self.rng.pick(&VECTORS))
        }
    }

    /// A scalar constant of `ty` (int, float or bool).
    fn constant(&mut self, ty: Type) -> Value {
        let x = self.rng.lane(ty);
        let v = match ty.lane() {
            LaneType::F32 => self.b.f32const(f32::from_bits(x as u32)),
            LaneType::F64 => self.b.f64const(f64::from_bits(x)),
            LaneType::Bool => self.b.bconst(x & 1 == 1),
            _ => self.b.iconst(ty, x as i64),
        };
        self.add(ty, v)
    }

    /// A value of type `ty`: from the pool most of the time, else a new one.
    fn value(&mut self, ty: Type) -> Value {
        let have = self.of(ty);
        if !have.is_empty() && self.rng.chance(80) {
            return self.rng.pick(&have);
        }
        if ty.is_scalar() {
            if ty.is_bool() {
                let x = self.value(Type::I32);
                let y = self.value(Type::I32);
                let c = self.rng.pick(&IntCC::ALL);
                let v = self.b.icmp(c, x, y);
                return self.add(ty, v);
            }
            return if self.rng.chance(50) { self.constant(ty) } else { self.load(ty) };
        }
        if ty.is_bool() {
            // A comparison of vectors of this shape.
            let data = self.data_type_with_lanes(ty.lanes());
            let (x, y) = (self.value(data), self.value(data));
            let v = if data.is_float() {
                let c = self.rng.pick(&FloatCC::ALL);
                self.b.fcmp(c, x, y)
            } else {
                let c = self.rng.pick(&IntCC::ALL);
                self.b.icmp(c, x, y)
            };
            return self.add(ty, v);
        }
        match self.rng.below(3) {
            0 => {
                let s = self.value(ty.lane_type());
                let v = self.b.splat(ty, s);
                self.add(ty, v)
            }
            _ => self.load(ty),
        }
    }

    fn data_type_with_lanes(&mut self, lanes: u32) -> Type {
        let options: Vec<Type> = VECTORS.iter().map(|s| t(s)).filter(|v| v.lanes() == lanes).collect();
        self.rng.pick(&options)
    }

    /// `load.ty inp, idx + off`, guarded by two bounds checks.
    fn load(&mut self, ty: Type) -> Value {
        let size = (ty.bits() / 8) as usize;
        let off = self.rng.below(IN_BYTES - size + 1) as i64;
        let o = self.b.iconst(Type::I64, off);
        let at = self.b.iadd(self.idx, o);
        let last_off = self.b.iconst(Type::I64, size as i64 - 1);
        let last = self.b.iadd(at, last_off);
        self.b.bounds_check(at, self.inp.1);
        self.b.bounds_check(last, self.inp.1);
        let v = self.b.load(ty, self.inp.0, at);
        self.add(ty, v)
    }

    /// One random instruction (or a few, for its operands).
    fn step(&mut self) {
        use Opcode::*;
        let ty = self.rand_type();
        let r = self.rng.below(100);
        let v = if ty.is_bool() {
            let (x, y) = (self.value(ty), self.value(ty));
            match r % 4 {
                0 => self.b.binary(Band, x, y),
                1 => self.b.binary(Bor, x, y),
                2 => self.b.binary(Bxor, x, y),
                _ => self.b.unary(Bnot, x),
            }
        } else if ty.is_int() {
            match r {
                0..=39 => {
                    let op = self.rng.pick(&[Iadd, Isub, Imul, Smin, Smax, Umin, Umax, Band, Bor, Bxor]);
                    let (x, y) = (self.value(ty), self.value(ty));
                    self.b.binary(op, x, y)
                }
                40..=49 => {
                    let op = self.rng.pick(&[Ineg, Bnot]);
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                50..=59 => {
                    let op = self.rng.pick(&[Shl, Lshr, Ashr]);
                    let x = self.value(ty);
                    let a = self.value(ty.lane_type());
                    self.b.binary(op, x, a)
                }
                60..=69 if ty.is_scalar() => {
                    let op = self.rng.pick(&[Sdiv, Udiv, Srem, Urem]);
                    let (x, mut y) = (self.value(ty), self.value(ty));
                    if self.rng.chance(70) {
                        let one = self.b.iconst(ty, 1);
                        y = self.b.binary(Bor, y, one);
                    }
                    self.b.binary(op, x, y)
                }
                70..=77 if ty.is_scalar() => {
                    let op = if ty == Type::I8 {
                        self.rng.pick(&[Popcnt, Clz, Ctz])
                    } else {
                        self.rng.pick(&[Popcnt, Clz, Ctz, Bswap])
                    };
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                78..=87 => return self.convert_to(ty),
                88..=93 => return self.select(ty),
                _ => return self.lanes(ty),
            }
        } else {
            match r {
                0..=34 => {
                    let op = self.rng.pick(&[Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax, Fcopysign]);
                    let (x, y) = (self.value(ty), self.value(ty));
                    self.b.binary(op, x, y)
                }
                35..=49 => {
                    let op = self.rng.pick(&[Fneg, Fabs, Fsqrt, Ffloor, Fceil, Ftrunc, Fnearest]);
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                50..=57 => {
                    let (x, y, z) = (self.value(ty), self.value(ty), self.value(ty));
                    self.b.fma(FloatFlags::NONE, x, y, z)
                }
                58..=63 if ty.is_scalar() => {
                    let op = self.rng.pick(&[Fexp, Flog, Fsin, Fcos, Fpow]);
                    let x = self.value(ty);
                    if op == Fpow {
                        let y = self.value(ty);
                        self.b.binary(op, x, y)
                    } else {
                        self.b.unary(op, x)
                    }
                }
                64..=79 => return self.convert_to(ty),
                80..=89 => return self.select(ty),
                _ => return self.lanes(ty),
            }
        };
        self.add(ty, v);
    }

    fn select(&mut self, ty: Type) {
        let c = self.value(ty.as_bool());
        let (x, y) = (self.value(ty), self.value(ty));
        let v = self.b.select(c, x, y);
        self.add(ty, v);
    }

    /// splat / extractlane / insertlane / reduce, producing or consuming `ty`.
    fn lanes(&mut self, ty: Type) {
        if ty.is_scalar() {
            // extractlane or reduce of some vector with this lane type.
            let options: Vec<Type> = VECTORS.iter().map(|s| t(s)).filter(|v| v.lane_type() == ty).collect();
            if options.is_empty() {
                return;
            }
            let vt = self.rng.pick(&options);
            let v = self.value(vt);
            let r = if self.rng.chance(50) {
                let lane = self.rng.below(vt.lanes() as usize) as u8;
                self.b.extractlane(v, lane)
            } else {
                let op = self.rng.pick(&[Opcode::ReduceAdd, Opcode::ReduceMin, Opcode::ReduceMax]);
                self.b.unary(op, v)
            };
            self.add(ty, r);
        } else {
            let v = self.value(ty);
            let x = self.value(ty.lane_type());
            let lane = self.rng.below(ty.lanes() as usize) as u8;
            let r = self.b.insertlane(v, x, lane);
            self.add(ty, r);
        }
    }

    /// A conversion producing `to` from some type with the same lane count.
    fn convert_to(&mut self, to: Type) {
        use Opcode::*;
        let lanes = to.lanes();
        let lane_types =
            [LaneType::I8, LaneType::I16, LaneType::I32, LaneType::I64, LaneType::F32, LaneType::F64, LaneType::Bool];
        let from_lane = self.rng.pick(&lane_types);
        let Some(from) = Type::scalar(from_lane).with_lanes(lanes) else { return };
        if from.bits() > 512 {
            return;
        }
        let (fb, tb) = (from.lane_bits(), to.lane_bits());
        let op = match (from.is_float() || from.is_bool(), to.is_float()) {
            _ if from.is_bool() && to.is_int() => self.rng.pick(&[Sext, Zext]),
            _ if from.is_bool() => return,
            (false, false) if fb < tb => self.rng.pick(&[Sext, Zext]),
            (false, false) if fb > tb => Trunc,
            (false, false) => return,
            (false, true) if fb == tb && self.rng.chance(30) => Bitcast,
            (false, true) => self.rng.pick(&[Sitofp, Uitofp]),
            (true, false) if fb == tb && self.rng.chance(30) => Bitcast,
            (true, false) => self.rng.pick(&[Fptosi, Fptoui]),
            (true, true) if fb < tb => Fpromote,
            (true, true) if fb > tb => Fdemote,
            (true, true) => return,
        };
        let x = self.value(from);
        let v = self.b.convert(op, to, x);
        self.add(to, v);
    }
}

/// Generates program number `seed`.
pub fn program(seed: u64) -> Program {
    let mut rng = Rng::new(seed);
    let nscalars = 1 + rng.below(3);
    let scalars: Vec<Type> = (0..nscalars).map(|_| rng.pick(&SCALARS)).collect();
    let ret = rng.pick(&SCALARS);
    let nout = 1 + rng.below(4);
    let mut params = vec![
        Param::slice("inp", Type::I8, false),
        Param::slice("out", Type::I8, true),
        Param::scalar("idx", Type::I64),
    ];
    params.extend(scalars.iter().enumerate().map(|(i, &ty)| Param::scalar(format!("s{i}"), ty)));
    let mut module = Module::new();

    // A local helper h(x: T, y: T) -> T over one random type, called from f.
    let helper_ty = {
        let all: Vec<Type> =
            SCALARS.iter().copied().filter(|t| !t.is_bool()).chain(VECTORS.iter().map(|s| t(s))).collect();
        rng.pick(&all)
    };
    let mut helper = strata_ir::Function::new(
        "h",
        Linkage::Local,
        Signature::new(vec![Param::scalar("x", helper_ty), Param::scalar("y", helper_ty)], Some(helper_ty)),
    );
    {
        let mut b = FunctionBuilder::new(&mut helper);
        let p = b.create_entry_block();
        let op = if helper_ty.is_float() { Opcode::Fsub } else { Opcode::Isub };
        let d = b.binary(op, p[0], p[1]);
        let op = if helper_ty.is_float() { Opcode::Fmul } else { Opcode::Imul };
        let r = b.binary(op, d, p[0]);
        b.ret(Some(r));
        b.finalize().expect("helper");
    }
    let helper_id = module.add_function(helper);

    let mut func = strata_ir::Function::new("f", Linkage::Export, Signature::new(params, Some(ret)));
    let mut outputs = Vec::new();
    {
        let b = FunctionBuilder::new(&mut func);
        let mut g = Gen {
            rng: &mut rng,
            b,
            pool: Vec::new(),
            inp: (Value::from_u32(0), Value::from_u32(0)),
            idx: Value::from_u32(0),
        };
        let p = g.b.create_entry_block();
        g.inp = (p[0], p[1]);
        g.idx = p[4];
        for (i, &ty) in scalars.iter().enumerate() {
            g.add(ty, p[5 + i]);
        }
        let steps = 6 + g.rng.below(20);
        for _ in 0..steps {
            g.step();
        }
        // A diamond merging one value of a random type.
        if g.rng.chance(60) {
            let ty = g.rand_type();
            let c = g.value(Type::BOOL);
            let (then_b, else_b, merge) = (g.b.create_block(), g.b.create_block(), g.b.create_block());
            let m = g.b.append_block_param(merge, ty);
            g.b.brif(c, then_b, &[], else_b, &[]);
            let saved = g.pool.clone();
            for blk in [then_b, else_b] {
                g.b.switch_to_block(blk);
                for _ in 0..1 + g.rng.below(4) {
                    g.step();
                }
                let v = g.value(ty);
                g.b.jump(merge, &[v]);
                g.pool = saved.clone();
            }
            g.b.switch_to_block(merge);
            g.add(ty, m);
        }
        // A counted loop: acc = op(acc, x) for i in 0..(trip & 7).
        if g.rng.chance(60) {
            let ty = g.rand_type();
            if !ty.is_bool() {
                let init = g.value(ty);
                let x = g.value(ty);
                let trip_src = g.value(Type::I64);
                let seven = g.b.iconst(Type::I64, 7);
                let trip = g.b.binary(Opcode::Band, trip_src, seven);
                let head = g.b.create_block();
                let i = g.b.append_block_param(head, Type::I64);
                let acc = g.b.append_block_param(head, ty);
                let (body, exit) = (g.b.create_block(), g.b.create_block());
                let zero = g.b.iconst(Type::I64, 0);
                g.b.jump(head, &[zero, init]);
                g.b.switch_to_block(head);
                let c = g.b.icmp(IntCC::Slt, i, trip);
                g.b.brif(c, body, &[], exit, &[]);
                g.b.switch_to_block(body);
                let op = if ty.is_float() {
                    g.rng.pick(&[Opcode::Fadd, Opcode::Fmul, Opcode::Fmin])
                } else {
                    g.rng.pick(&[Opcode::Iadd, Opcode::Imul, Opcode::Bxor])
                };
                let next = g.b.binary(op, acc, x);
                let one = g.b.iconst(Type::I64, 1);
                let i2 = g.b.iadd(i, one);
                g.b.jump(head, &[i2, next]);
                g.b.switch_to_block(exit);
                g.add(ty, acc);
            }
        }
        if g.rng.chance(50) {
            let (x, y) = (g.value(helper_ty), g.value(helper_ty));
            if let Some(r) = g.b.call(helper_id, Some(helper_ty), &[x, y]) {
                g.add(helper_ty, r);
            }
        }
        for _ in 0..2 + g.rng.below(6) {
            g.step();
        }
        let (out_ptr, out_len) = (p[2], p[3]);
        for k in 0..nout {
            let non_bool: Vec<(Type, Value)> = g.pool.iter().copied().filter(|(t, _)| !t.is_bool()).collect();
            if non_bool.is_empty() {
                break;
            }
            let (ty, v) = g.rng.pick(&non_bool);
            let off = g.b.iconst(Type::I64, (k * SLOT) as i64);
            let last = g.b.iconst(Type::I64, (k * SLOT) as i64 + i64::from(ty.bits() / 8) - 1);
            g.b.bounds_check(last, out_len);
            g.b.store(out_ptr, off, v);
            outputs.push((k * SLOT, ty));
        }
        let r = g.value(ret);
        g.b.ret(Some(r));
        g.b.seal_all_blocks();
        g.b.finalize().expect("generated function is well formed");
    }
    module.add_function(func);
    Program { module, scalars, ret, outputs, in_bytes: IN_BYTES, out_bytes: nout * SLOT }
}

/// Inputs for a program: the input bytes, `idx` and the scalar slots.
pub fn inputs(rng: &mut Rng, p: &Program) -> (Vec<u8>, i64, Vec<u64>) {
    let mut bytes = vec![0u8; p.in_bytes];
    let mut k = 0;
    while k < bytes.len() {
        // Mostly edge-case floats and integers laid end to end, some random bytes.
        let ty = rng.pick(&[Type::F32, Type::F64, Type::I32, Type::I64, Type::I8, Type::I16]);
        let x = rng.lane(ty);
        for b in x.to_le_bytes().iter().take((ty.bits() / 8) as usize) {
            if k < bytes.len() {
                bytes[k] = *b;
                k += 1;
            }
        }
    }
    let idx = match rng.below(20) {
        0 => -1,
        1 => p.in_bytes as i64,
        2 => rng.next() as i64,
        3 => 1 + rng.below(8) as i64,
        _ => 0,
    };
    let scalars = p.scalars.iter().map(|&t| rng.lane(t)).collect();
    (bytes, idx, scalars)
}

/// Trap codes are compared as values.
pub type Outcome = Result<(u64, Vec<u8>), TrapCode>;
