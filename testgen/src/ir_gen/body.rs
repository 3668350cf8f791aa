//! The body generator: random instructions over a pool of typed values, guarded memory
//! accesses (input slice, stack slots, data objects), diamonds, counted loops, calls to
//! earlier generated functions and rare explicit traps.
//!
//! Everything it emits verifies by construction: operands are taken from the pool of values
//! that dominate the insertion point (values made inside a branch or loop body leave the pool
//! when the region ends), and every memory access is guarded by `bounds_check`s against the
//! region's length, so the program is defined on every tier (an out-of-range index traps
//! `out_of_bounds` instead of touching memory). Loops have trip counts below 8, calls only go
//! to functions generated earlier (no recursion), so every program terminates.
//!
//! NaN payloads are unspecified (docs/ir.md), so wherever a float's bits become observable
//! as something else — a float→int `bitcast`, the sign source of `fcopysign`, a store to the
//! output slice — the value first goes through [`Gen::quiet`], which maps NaN to 0.0. This
//! file must not emit float flags (strict floats only) or host calls.

use crate::rng::Rng;
use strata_ir::{
    DataId, FloatCC, FloatFlags, FuncId, FunctionBuilder, IntCC, LaneType, Opcode, StackSlot, TrapCode, Type, Value,
};

/// Scalar types values can have.
pub const SCALARS: [Type; 7] = [Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64, Type::BOOL];

/// The 128-bit vector types (plus their bool shapes, which come from comparisons).
pub fn vectors() -> [Type; 6] {
    let v = |l, n| Type::vector(l, n).unwrap_or(Type::I64);
    [
        v(LaneType::F32, 4),
        v(LaneType::F64, 2),
        v(LaneType::I8, 16),
        v(LaneType::I16, 8),
        v(LaneType::I32, 4),
        v(LaneType::I64, 2),
    ]
}

/// Vector types of other widths (64 and 256 bits), which backends split or widen: generated
/// now and then.
pub fn wide_vectors() -> [Type; 9] {
    let v = |l, n| Type::vector(l, n).unwrap_or(Type::I64);
    [
        v(LaneType::F32, 2),
        v(LaneType::I32, 2),
        v(LaneType::I16, 4),
        v(LaneType::I8, 8),
        v(LaneType::F32, 8),
        v(LaneType::I32, 8),
        v(LaneType::F64, 4),
        v(LaneType::I64, 4),
        v(LaneType::I16, 16),
    ]
}

fn all_vectors() -> Vec<Type> {
    vectors().into_iter().chain(wide_vectors()).collect()
}

/// A memory region a function may access: its base address value, its length in elements
/// (a value or a constant) and the element type it is accessed with.
#[derive(Copy, Clone)]
pub struct Region {
    pub kind: RegionKind,
    /// Element type for typed regions (stack slots, data); `None` for the byte-addressed
    /// input slice, which is read at any type and offset.
    pub elem: Option<Type>,
    pub len: u32,
}

#[derive(Copy, Clone)]
pub enum RegionKind {
    Stack(StackSlot),
    Data(DataId),
}

/// A function that generated code may call.
#[derive(Clone)]
pub struct Callee {
    pub id: FuncId,
    /// Types of the scalar parameters after the leading `inp` slice.
    pub params: Vec<Type>,
    pub ret: Type,
}

pub struct Gen<'a, 'b> {
    pub rng: &'a mut Rng,
    pub b: FunctionBuilder<'b>,
    pub pool: Vec<(Type, Value)>,
    /// The input slice: pointer and byte length.
    pub inp: (Value, Value),
    /// A caller-chosen index into `inp` (an `i64` parameter), so loads can go out of range.
    pub idx: Option<Value>,
    pub regions: Vec<Region>,
    pub callees: Vec<Callee>,
    /// Loop/diamond nesting depth of the insertion point.
    pub depth: u32,
    /// Instructions still allowed (keeps generated functions bounded).
    pub budget: u32,
    /// Typed slices for kernel-shaped loops: `xs: [T]` (pointer, length in elements),
    /// `ys: mut [T]`, and `T`.
    pub kernel: Option<KernelSlices>,
    /// Induction variables of the enclosing top-tested counted loops, innermost last.
    pub ivs: Vec<Value>,
}

/// The typed slice parameters of an exported function.
#[derive(Copy, Clone)]
pub struct KernelSlices {
    pub xs: (Value, Value),
    pub ys: (Value, Value),
    pub elem: Type,
}

impl Gen<'_, '_> {
    fn of(&self, ty: Type) -> Vec<Value> {
        self.pool.iter().filter(|(t, _)| *t == ty).map(|(_, v)| *v).collect()
    }

    pub fn add(&mut self, ty: Type, v: Value) -> Value {
        self.pool.push((ty, v));
        v
    }

    /// A random value type: a scalar, a 128-bit vector, sometimes a bool vector.
    pub fn rand_type(&mut self) -> Type {
        if self.rng.chance(55) {
            self.rng.pick(&SCALARS)
        } else {
            let v = if self.rng.chance(10) { self.rng.pick(&wide_vectors()) } else { self.rng.pick(&vectors()) };
            if self.rng.chance(10) {
                v.as_bool()
            } else {
                v
            }
        }
    }

    pub fn rand_data_type(&mut self) -> Type {
        loop {
            let t = self.rand_type();
            if !t.is_bool() {
                return t;
            }
        }
    }

    /// A constant scalar of `ty`.
    pub fn constant(&mut self, ty: Type) -> Value {
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
    pub fn value(&mut self, ty: Type) -> Value {
        let have = self.of(ty);
        if !have.is_empty() && self.rng.chance(85) {
            // Prefer recent values, so that results form long dependency chains that reach
            // the outputs instead of dying unobserved.
            let recent = &have[have.len().saturating_sub(3)..];
            return if self.rng.chance(60) { self.rng.pick(recent) } else { self.rng.pick(&have) };
        }
        if ty.is_scalar() {
            if ty.is_bool() {
                let x = self.value(Type::I32);
                let y = self.value(Type::I32);
                let c = self.rng.pick(&IntCC::ALL);
                let v = self.b.icmp(c, x, y);
                return self.add(ty, v);
            }
            return if self.rng.chance(60) { self.constant(ty) } else { self.load_input(ty) };
        }
        if ty.is_bool() {
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
        if self.rng.chance(50) {
            let s = self.value(ty.lane_type());
            let v = self.b.splat(ty, s);
            self.add(ty, v)
        } else {
            self.load_input(ty)
        }
    }

    fn data_type_with_lanes(&mut self, lanes: u32) -> Type {
        let options: Vec<Type> = all_vectors().into_iter().filter(|v| v.lanes() == lanes).collect();
        self.rng.pick(&options)
    }

    /// NaN → 0.0 (lane-wise), so a NaN's unspecified payload can't become observable bits.
    pub fn quiet(&mut self, v: Value, ty: Type) -> Value {
        if !ty.is_float() {
            return v;
        }
        let c = self.b.fcmp(FloatCC::Ord, v, v);
        let zero = match ty.lane() {
            LaneType::F32 => self.b.f32const(0.0),
            _ => self.b.f64const(0.0),
        };
        let zero = if ty.is_vector() { self.b.splat(ty, zero) } else { zero };
        self.b.select(c, v, zero)
    }

    /// `load.ty inp, idx + off` (or a constant offset), guarded by bounds checks on the
    /// first and last byte: in range most of the time; out of range when the caller's `idx`
    /// is large or negative.
    pub fn load_input(&mut self, ty: Type) -> Value {
        let size = ty.bytes().unwrap_or(1).max(1);
        let off = self.rng.below((crate::ir_gen::IN_BYTES - size as usize + 1).max(1)) as i64;
        let o = self.b.iconst(Type::I64, off);
        let at = match self.idx {
            Some(idx) if self.rng.chance(40) => self.b.iadd(idx, o),
            _ => o,
        };
        let last_off = self.b.iconst(Type::I64, i64::from(size) - 1);
        let last = self.b.iadd(at, last_off);
        self.b.bounds_check(at, self.inp.1);
        self.b.bounds_check(last, self.inp.1);
        let v = if self.rng.chance(25) {
            // Address arithmetic through ptr_add.
            let p = self.b.binary(Opcode::PtrAdd, self.inp.0, at);
            let zero = self.b.iconst(Type::I64, 0);
            self.b.load(ty, p, zero)
        } else {
            self.b.load(ty, self.inp.0, at)
        };
        self.add(ty, v)
    }

    /// An `i64` index for a region of `len` elements: in range except about one time in
    /// fifty (then the guarding `bounds_check` traps).
    fn index(&mut self, len: u32) -> Value {
        match self.rng.below(50) {
            0 => self.b.iconst(Type::I64, len as i64 + self.rng.below(3) as i64),
            1..=29 => self.b.iconst(Type::I64, self.rng.below(len as usize) as i64),
            _ => {
                // A pool value reduced into range.
                let x = self.value(Type::I64);
                let n = self.b.iconst(Type::I64, i64::from(len.max(1)));
                self.b.binary(Opcode::Urem, x, n)
            }
        }
    }

    /// A load from or store to a stack slot or data object.
    fn region_access(&mut self) {
        if self.regions.is_empty() {
            return;
        }
        let i = self.rng.below(self.regions.len());
        let Some(r) = self.regions.get(i).copied() else { return };
        let Some(elem) = r.elem else { return };
        let size = i64::from(elem.bytes().unwrap_or(1));
        let idx = self.index(r.len);
        let len = self.b.iconst(Type::I64, i64::from(r.len));
        self.b.bounds_check(idx, len);
        let scale = self.b.iconst(Type::I64, size);
        let off = self.b.imul(idx, scale);
        let base = match r.kind {
            RegionKind::Stack(s) => self.b.stack_addr(s),
            RegionKind::Data(d) => self.b.data_addr(d),
        };
        let writable = matches!(r.kind, RegionKind::Stack(_));
        if writable && self.rng.chance(50) {
            let v = self.value(elem);
            if self.rng.chance(30) {
                let p = self.b.binary(Opcode::PtrAdd, base, off);
                let zero = self.b.iconst(Type::I64, 0);
                self.b.store(p, zero, v);
            } else {
                self.b.store(base, off, v);
            }
        } else {
            let v = self.b.load(elem, base, off);
            self.add(elem, v);
        }
    }

    /// One random step: an instruction, a memory access, or (when nesting allows) a diamond,
    /// a loop, a call or a conditional trap.
    pub fn step(&mut self) {
        if self.budget == 0 {
            return;
        }
        self.budget -= 1;
        let r = self.rng.below(100);
        match r {
            0..=71 => self.instruction(),
            72..=81 => self.region_access(),
            82..=84 => {
                let ty = self.rand_data_type();
                self.load_input(ty);
            }
            85..=89 if self.depth < 3 => self.diamond(),
            90..=92 if self.depth < 3 => self.counted_loop(),
            93 | 94 if self.depth < 2 && self.kernel.is_some() => self.kernel_loop(),
            93 | 94 if self.depth < 3 => self.counted_loop(),
            95..=98 => self.call(),
            99 => self.maybe_trap(),
            _ => self.instruction(),
        }
    }

    /// `steps` random steps.
    pub fn steps(&mut self, n: usize) {
        for _ in 0..n {
            self.step();
        }
    }

    fn instruction(&mut self) {
        use Opcode::*;
        let ty = self.rand_type();
        let r = self.rng.below(100);
        let v = if ty.is_bool() {
            match r % 6 {
                0 if ty.is_scalar() => return self.select(ty),
                1 => return self.select_or_compare(ty),
                _ => {
                    let (x, y) = (self.value(ty), self.value(ty));
                    match r % 4 {
                        0 => self.b.binary(Band, x, y),
                        1 => self.b.binary(Bor, x, y),
                        2 => self.b.binary(Bxor, x, y),
                        _ => self.b.unary(Bnot, x),
                    }
                }
            }
        } else if ty.is_int() {
            match r {
                0..=34 => {
                    let op = self.rng.pick(&[Iadd, Isub, Imul, Smin, Smax, Umin, Umax, Band, Bor, Bxor]);
                    let (x, y) = (self.value(ty), self.value(ty));
                    self.b.binary(op, x, y)
                }
                35..=42 => {
                    let op = self.rng.pick(&[Ineg, Bnot]);
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                43..=52 => {
                    let op = self.rng.pick(&[Shl, Lshr, Ashr]);
                    let x = self.value(ty);
                    let a = self.value(ty.lane_type());
                    self.b.binary(op, x, a)
                }
                53..=62 if ty.is_scalar() => {
                    let op = self.rng.pick(&[Sdiv, Udiv, Srem, Urem]);
                    let (x, mut y) = (self.value(ty), self.value(ty));
                    if self.rng.chance(80) {
                        let one = self.b.iconst(ty, 1);
                        y = self.b.binary(Bor, y, one);
                    }
                    self.b.binary(op, x, y)
                }
                63..=70 if ty.is_scalar() => {
                    let op = if ty == Type::I8 {
                        self.rng.pick(&[Popcnt, Clz, Ctz])
                    } else {
                        self.rng.pick(&[Popcnt, Clz, Ctz, Bswap])
                    };
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                71..=82 => return self.convert_to(ty),
                83..=89 => return self.select(ty),
                _ => return self.lanes(ty),
            }
        } else {
            match r {
                0..=29 => {
                    let op = self.rng.pick(&[Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax]);
                    let (x, y) = (self.value(ty), self.value(ty));
                    self.b.binary(op, x, y)
                }
                30..=33 => {
                    let x = self.value(ty);
                    let y = self.value(ty);
                    let y = self.quiet(y, ty);
                    self.b.binary(Fcopysign, x, y)
                }
                34..=47 => {
                    let op = self.rng.pick(&[Fneg, Fabs, Fsqrt, Ffloor, Fceil, Ftrunc, Fnearest]);
                    let x = self.value(ty);
                    self.b.unary(op, x)
                }
                48..=54 => {
                    let (x, y, z) = (self.value(ty), self.value(ty), self.value(ty));
                    self.b.fma(FloatFlags::NONE, x, y, z)
                }
                55..=59 if ty.is_scalar() => {
                    let op = self.rng.pick(&[Fexp, Flog, Fsin, Fcos, Fpow]);
                    let x = self.value(ty);
                    if op == Fpow {
                        let y = self.value(ty);
                        self.b.binary(op, x, y)
                    } else {
                        self.b.unary(op, x)
                    }
                }
                60..=76 => return self.convert_to(ty),
                77..=86 => return self.select(ty),
                _ => return self.lanes(ty),
            }
        };
        self.add(ty, v);
    }

    fn select_or_compare(&mut self, ty: Type) {
        // A comparison of two data values of this shape.
        let data = if ty.is_scalar() {
            self.rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64])
        } else {
            self.data_type_with_lanes(ty.lanes())
        };
        let (x, y) = (self.value(data), self.value(data));
        let v = if data.is_float() {
            let c = self.rng.pick(&FloatCC::ALL);
            self.b.fcmp(c, x, y)
        } else {
            let c = self.rng.pick(&IntCC::ALL);
            self.b.icmp(c, x, y)
        };
        self.add(ty, v);
    }

    fn select(&mut self, ty: Type) {
        let c = self.value(ty.as_bool());
        let (x, y) = (self.value(ty), self.value(ty));
        let v = self.b.select(c, x, y);
        self.add(ty, v);
    }

    /// extractlane / insertlane / reduce, producing `ty`.
    fn lanes(&mut self, ty: Type) {
        if ty.is_scalar() {
            let options: Vec<Type> = all_vectors().into_iter().filter(|v| v.lane_type() == ty).collect();
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
        if from.bits() > 256 && from.is_vector() {
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
        let mut x = self.value(from);
        if op == Bitcast && from.is_float() {
            x = self.quiet(x, from);
        }
        let v = self.b.convert(op, to, x);
        self.add(to, v);
    }

    /// `brif c, then, else` with a few steps in each arm, merging one value.
    fn diamond(&mut self) {
        let ty = self.rand_type();
        let c = self.value(Type::BOOL);
        let (then_b, else_b, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let m = self.b.append_block_param(merge, ty);
        self.b.brif(c, then_b, &[], else_b, &[]);
        let saved = self.pool.len();
        self.depth += 1;
        for blk in [then_b, else_b] {
            self.b.switch_to_block(blk);
            let n = 1 + self.rng.below(4);
            self.steps(n);
            let v = self.value(ty);
            self.b.jump(merge, &[v]);
            self.pool.truncate(saved);
        }
        self.depth -= 1;
        self.b.switch_to_block(merge);
        self.add(ty, m);
    }

    /// `for i in 0..trip { acc = op(acc, …) }` with `trip < 8`, either top-tested (runs
    /// zero or more times) or bottom-tested (at least once); the body sees `i` and `acc`.
    fn counted_loop(&mut self) {
        let ty = self.rand_data_type();
        let init = self.value(ty);
        let outer = self.ivs.last().copied();
        let trip = if let Some(o) = outer.filter(|_| self.rng.chance(30)) {
            // `min(C, o + c)` of an enclosing loop's counter: the FIR filter's shape, which
            // `index-split` splits the enclosing loop on.
            let c = self.b.iconst(Type::I64, self.rng.below(6) as i64);
            let o = if self.rng.chance(50) {
                let one = self.b.iconst(Type::I64, 1);
                self.b.iadd(o, one)
            } else {
                o
            };
            if self.rng.chance(50) {
                self.b.binary(Opcode::Smin, c, o)
            } else {
                self.b.binary(Opcode::Smin, o, c)
            }
        } else if self.rng.chance(50) {
            self.b.iconst(Type::I64, self.rng.below(6) as i64)
        } else {
            let src = self.value(Type::I64);
            let seven = self.b.iconst(Type::I64, 7);
            self.b.binary(Opcode::Band, src, seven)
        };
        let zero = self.b.iconst(Type::I64, 0);
        let cond = if self.rng.chance(50) { IntCC::Slt } else { IntCC::Ult };
        let bottom_tested = self.rng.chance(35);
        let saved = self.pool.len();
        self.depth += 1;
        let body = self.b.create_block();
        let exit = self.b.create_block();
        let (i, acc);
        if bottom_tested {
            i = self.b.append_block_param(body, Type::I64);
            acc = self.b.append_block_param(body, ty);
            self.b.jump(body, &[zero, init]);
            self.b.switch_to_block(body);
        } else {
            let head = self.b.create_block();
            i = self.b.append_block_param(head, Type::I64);
            acc = self.b.append_block_param(head, ty);
            self.b.jump(head, &[zero, init]);
            self.b.switch_to_block(head);
            let c = self.b.icmp(cond, i, trip);
            let out = self.b.append_block_param(exit, ty);
            self.b.brif(c, body, &[], exit, &[acc]);
            self.b.switch_to_block(body);
            self.pool.push((Type::I64, i));
            self.pool.push((ty, acc));
            self.ivs.push(i);
            let next = self.loop_body(ty, acc);
            self.ivs.pop();
            let one = self.b.iconst(Type::I64, 1);
            let i2 = self.b.iadd(i, one);
            self.b.jump(head, &[i2, next]);
            self.pool.truncate(saved);
            self.depth -= 1;
            self.b.switch_to_block(exit);
            self.add(ty, out);
            return;
        }
        self.pool.push((Type::I64, i));
        self.pool.push((ty, acc));
        let next = self.loop_body(ty, acc);
        let one = self.b.iconst(Type::I64, 1);
        let i2 = self.b.iadd(i, one);
        let c = self.b.icmp(cond, i2, trip);
        let out = self.b.append_block_param(exit, ty);
        self.b.brif(c, body, &[i2, next], exit, &[next]);
        self.pool.truncate(saved);
        self.depth -= 1;
        self.b.switch_to_block(exit);
        self.add(ty, out);
    }

    /// The loop shape the frontend emits and the loop passes (BCE, unrolling, vectorizing)
    /// look for: `for i in 0..n { ys[i] = f(xs[i]); acc = g(acc, …) }` with each access
    /// guarded by `bounds_check i, len`. `n` is usually `xs.len()`, sometimes one past
    /// `ys.len()` (the last iteration traps) or a masked pool value.
    ///
    /// A third of them test unsigned (`i <u n`) and guard each access with an explicit
    /// `brif (i + c) <u len` to a block that traps `out_of_bounds` (`c` is 0, or 1 for
    /// `xs[i + 1]`, which traps in the last iteration when `n` is `xs.len()`): the shape of
    /// lifted BPF code that `version-ranges` versions. Of the others, over `xs.len()`, more
    /// than half start at `i = c` (1 to 3) and also read `xs[i - c]` unchecked (always in
    /// range), half of those with a plain lane-wise body: the shifted loads `vectorize` takes.
    fn kernel_loop(&mut self) {
        let Some(k) = self.kernel else { return };
        let ty = k.elem;
        let size = i64::from(ty.bytes().unwrap_or(1));
        let choice = self.rng.below(10);
        let n = match choice {
            0..=5 => k.xs.1,
            6 => {
                let one = self.b.iconst(Type::I64, 1);
                self.b.iadd(k.ys.1, one)
            }
            _ => {
                let x = self.value(Type::I64);
                let m = self.b.iconst(Type::I64, 31);
                self.b.binary(Opcode::Band, x, m)
            }
        };
        let init = self.value(ty);
        let saved = self.pool.len();
        self.depth += 1;
        let (head, body, exit) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let i = self.b.append_block_param(head, Type::I64);
        let acc = self.b.append_block_param(head, ty);
        let out = self.b.append_block_param(exit, ty);
        let explicit = self.rng.chance(33);
        // Some loops over `xs` itself also read `xs[i - c]` without a check, starting at
        // `i = c` so that it stays inside `xs`: the shifted loads `vectorize` takes (a FIR's
        // `x[n - k]` once its taps are unrolled).
        let shift = (!explicit && choice <= 5 && self.rng.chance(60)).then(|| 1 + self.rng.below(3) as i64);
        let start = self.b.iconst(Type::I64, shift.unwrap_or(0));
        self.b.jump(head, &[start, init]);
        self.b.switch_to_block(head);
        let c = self.b.icmp(if explicit { IntCC::Ult } else { IntCC::Slt }, i, n);
        self.b.brif(c, body, &[], exit, &[acc]);
        self.b.switch_to_block(body);
        let scale = self.b.iconst(Type::I64, size);
        let off = self.b.imul(i, scale);
        let x = if explicit {
            let ahead = self.rng.chance(25);
            let xi = if ahead {
                let one = self.b.iconst(Type::I64, 1);
                self.b.iadd(i, one)
            } else {
                i
            };
            self.range_test(xi, k.xs.1);
            let xoff = if ahead { self.b.imul(xi, scale) } else { off };
            self.b.load(ty, k.xs.0, xoff)
        } else {
            self.b.bounds_check(i, k.xs.1);
            self.b.load(ty, k.xs.0, off)
        };
        self.pool.push((ty, acc));
        self.pool.push((ty, x));
        if let Some(c) = shift {
            let c = self.b.iconst(Type::I64, c);
            let back = self.b.isub(i, c);
            let back_off = self.b.imul(back, scale);
            let earlier = self.b.load(ty, k.xs.0, back_off);
            self.pool.push((ty, earlier));
        }
        // A shifted loop keeps a body `vectorize` takes (lane-wise `x op xs[i - c]`, an
        // exact reduction) half the time; random steps usually make a loop scalar.
        let simple = shift.is_some() && self.rng.chance(50);
        let y = if simple {
            let earlier = self.pool.last().map_or(x, |&(_, v)| v);
            let op = if ty.is_float() { Opcode::Fadd } else { Opcode::Isub };
            self.b.binary(op, x, earlier)
        } else {
            let steps = self.rng.below(4);
            self.steps(steps);
            self.value(ty)
        };
        let yq = self.quiet(y, ty);
        if explicit {
            self.range_test(i, k.ys.1);
        } else {
            self.b.bounds_check(i, k.ys.1);
        }
        self.b.store(k.ys.0, off, yq);
        let op = if simple {
            if ty.is_float() {
                Opcode::Fmax
            } else {
                Opcode::Iadd
            }
        } else if ty.is_float() {
            self.rng.pick(&[Opcode::Fadd, Opcode::Fmul, Opcode::Fmax])
        } else {
            self.rng.pick(&[Opcode::Iadd, Opcode::Imul, Opcode::Bxor, Opcode::Smax])
        };
        let next = self.b.binary(op, acc, y);
        let one = self.b.iconst(Type::I64, 1);
        let i2 = self.b.iadd(i, one);
        self.b.jump(head, &[i2, next]);
        self.pool.truncate(saved);
        self.depth -= 1;
        self.b.switch_to_block(exit);
        self.add(ty, out);
    }

    /// `brif idx <u len, cont, trap` with `trap` trapping `out_of_bounds`; goes on in `cont`.
    fn range_test(&mut self, idx: Value, len: Value) {
        let ok = self.b.icmp(IntCC::Ult, idx, len);
        let (cont, t) = (self.b.create_block(), self.b.create_block());
        self.b.brif(ok, cont, &[], t, &[]);
        self.b.switch_to_block(t);
        self.b.trap(TrapCode::OutOfBounds);
        self.b.switch_to_block(cont);
    }

    /// The steps of a loop body and the next accumulator value.
    fn loop_body(&mut self, ty: Type, acc: Value) -> Value {
        let n = 1 + self.rng.below(5);
        self.steps(n);
        let x = self.value(ty);
        let op = if ty.is_float() {
            self.rng.pick(&[Opcode::Fadd, Opcode::Fmul, Opcode::Fmin, Opcode::Fsub])
        } else {
            self.rng.pick(&[Opcode::Iadd, Opcode::Imul, Opcode::Bxor, Opcode::Isub])
        };
        self.b.binary(op, acc, x)
    }

    fn call(&mut self) {
        if self.callees.is_empty() {
            return;
        }
        let i = self.rng.below(self.callees.len());
        let Some(c) = self.callees.get(i).cloned() else { return };
        let mut args = vec![self.inp.0, self.inp.1];
        for &t in &c.params {
            args.push(self.value(t));
        }
        if let Some(r) = self.b.call(c.id, Some(c.ret), &args) {
            self.add(c.ret, r);
        }
    }

    /// `brif c, trap_block, cont` where `c` compares a value with a constant for equality
    /// (so it is rarely true).
    fn maybe_trap(&mut self) {
        let ty = self.rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64]);
        let x = self.value(ty);
        let k = self.constant(ty);
        let c = self.b.icmp(IntCC::Eq, x, k);
        let (t, cont) = (self.b.create_block(), self.b.create_block());
        self.b.brif(c, t, &[], cont, &[]);
        self.b.switch_to_block(t);
        let code = if self.rng.chance(50) { TrapCode::User(self.rng.below(100) as u16) } else { TrapCode::Unreachable };
        self.b.trap(code);
        self.b.switch_to_block(cont);
    }
}
