//! The test programs of this crate as module builders, shared by the per-topic tests (which
//! check them against hand-written references) and the differential test (which checks them
//! against the interpreter).

use super::kernels::{elem, ola, sumsq};
use super::{function, module, simple};
use strata_ir::{DataObject, ExternFunc, FuncId, Function, Linkage, Signature, TrapCode};
use strata_ir::{FloatCC, FloatFlags, FunctionBuilder, IntCC, LaneType, Module, Opcode, Param, Type, Value};

/// The integer widths.
pub const WIDTHS: [(Type, u32); 4] = [(Type::I8, 8), (Type::I16, 16), (Type::I32, 32), (Type::I64, 64)];

/// Integer binary opcodes.
pub const INT_BINARY: [Opcode; 17] = [
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
];

/// Integer unary opcodes.
pub const INT_UNARY: [Opcode; 6] =
    [Opcode::Ineg, Opcode::Bnot, Opcode::Popcnt, Opcode::Clz, Opcode::Ctz, Opcode::Bswap];

/// Float unary opcodes.
pub const FLOAT_UNARY: [Opcode; 11] = [
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
];

/// Float binary opcodes.
pub const FLOAT_BINARY: [Opcode; 8] = [
    Opcode::Fadd,
    Opcode::Fsub,
    Opcode::Fmul,
    Opcode::Fdiv,
    Opcode::Fmin,
    Opcode::Fmax,
    Opcode::Fcopysign,
    Opcode::Fpow,
];

/// Bit patterns of the float-constant functions.
pub const FLOAT_BITS32: [u32; 5] = [0x7fc0_0001, 0x8000_0000, 0x0000_0001, 0xff80_0000, 0x3dcc_cccd];
pub const FLOAT_BITS64: [u64; 4] = [0x7ff8_0000_0000_0001, 0x8000_0000_0000_0000, 1, 0x3fb9_9999_9999_999a];

/// The integer types with their widths.
pub const INT_WIDTHS: [(Type, u32); 4] = [(Type::I8, 8u32), (Type::I16, 16), (Type::I32, 32), (Type::I64, 64)];

/// Every integer binary op on every width: `{op}_{ty}(a, b)`.
pub fn int_binary() -> Module {
    let mut funcs = Vec::new();
    for op in INT_BINARY {
        for (ty, _) in WIDTHS {
            funcs.push(simple(&format!("{op}_{ty}"), &[ty, ty], ty, |b, p| b.binary(op, p[0], p[1])));
        }
    }

    module(funcs)
}

/// Every integer unary op on every width: `{op}_{ty}(a)`.
pub fn int_unary() -> Module {
    let mut funcs = Vec::new();
    for op in INT_UNARY {
        for (ty, _) in WIDTHS {
            if op == Opcode::Bswap && ty == Type::I8 {
                continue; // bswap is defined on i16, i32 and i64
            }
            funcs.push(simple(&format!("{op}_{ty}"), &[ty], ty, |b, p| b.unary(op, p[0])));
        }
    }

    module(funcs)
}

/// Every `icmp` condition on every integer width, `ptr` and (`eq`/`ne`) `bool`.
pub fn icmp() -> Module {
    let mut funcs = Vec::new();
    for cc in IntCC::ALL {
        for (ty, _) in WIDTHS.iter().copied().chain([(Type::PTR, 64)]) {
            funcs.push(simple(&format!("{}_{ty}", cc.name()), &[ty, ty], Type::BOOL, |b, p| b.icmp(cc, p[0], p[1])));
        }
    }
    for cc in [IntCC::Eq, IntCC::Ne] {
        funcs.push(simple(&format!("{}_bool", cc.name()), &[Type::BOOL, Type::BOOL], Type::BOOL, |b, p| {
            b.icmp(cc, p[0], p[1])
        }));
    }

    module(funcs)
}

/// Bool logic, select, extensions, constants and pointer round trips.
pub fn bools() -> Module {
    module(vec![
        simple("sel", &[Type::BOOL, Type::I32, Type::I32], Type::I32, |b, p| b.select(p[0], p[1], p[2])),
        simple("band", &[Type::BOOL, Type::BOOL], Type::BOOL, |b, p| b.binary(Opcode::Band, p[0], p[1])),
        simple("bor", &[Type::BOOL, Type::BOOL], Type::BOOL, |b, p| b.binary(Opcode::Bor, p[0], p[1])),
        simple("bxor", &[Type::BOOL, Type::BOOL], Type::BOOL, |b, p| b.binary(Opcode::Bxor, p[0], p[1])),
        simple("bnot", &[Type::BOOL], Type::BOOL, |b, p| b.unary(Opcode::Bnot, p[0])),
        simple("zext", &[Type::BOOL], Type::I32, |b, p| b.convert(Opcode::Zext, Type::I32, p[0])),
        simple("sext", &[Type::BOOL], Type::I64, |b, p| b.convert(Opcode::Sext, Type::I64, p[0])),
        simple("sext8", &[Type::I8], Type::I64, |b, p| b.convert(Opcode::Sext, Type::I64, p[0])),
        simple("zext16", &[Type::I16], Type::I64, |b, p| b.convert(Opcode::Zext, Type::I64, p[0])),
        simple("trunc16", &[Type::I64], Type::I16, |b, p| b.convert(Opcode::Trunc, Type::I16, p[0])),
        simple("consts", &[], Type::I32, |b, _| {
            let t = b.bconst(true);
            let x = b.iconst(Type::I32, -5);
            let y = b.iconst(Type::I32, 0x1_0000_0007); // truncated to 7
            b.select(t, x, y)
        }),
        simple("wide_const", &[], Type::I8, |b, _| b.iconst(Type::I8, 0x1ff)),
        simple("ptr_roundtrip", &[Type::I64], Type::I64, |b, p| {
            let q = b.convert(Opcode::IntToPtr, Type::PTR, p[0]);
            let off = b.iconst(Type::I64, -8);
            let r = b.binary(Opcode::PtrAdd, q, off);
            b.convert(Opcode::PtrToInt, Type::I64, r)
        }),
    ])
}

/// Float unary and binary ops (strict and `_fast`) and `fma` on f32 and f64.
pub fn floats() -> Module {
    let mut funcs = Vec::new();
    for ty in [Type::F32, Type::F64] {
        for op in FLOAT_UNARY {
            funcs.push(simple(&format!("{op}_{ty}"), &[ty], ty, |b, p| b.unary(op, p[0])));
        }
        for op in FLOAT_BINARY {
            funcs.push(simple(&format!("{op}_{ty}"), &[ty, ty], ty, |b, p| b.binary(op, p[0], p[1])));
            funcs.push(simple(&format!("{op}_{ty}_fast"), &[ty, ty], ty, |b, p| {
                b.binary_flags(op, FloatFlags::FAST, p[0], p[1])
            }));
        }
        funcs.push(simple(&format!("fma_{ty}"), &[ty, ty, ty], ty, |b, p| b.fma(FloatFlags::NONE, p[0], p[1], p[2])));
    }

    module(funcs)
}

/// `min`/`max` on f32.
pub fn min_max() -> Module {
    module(vec![
        simple("min", &[Type::F32, Type::F32], Type::F32, |b, p| b.binary(Opcode::Fmin, p[0], p[1])),
        simple("max", &[Type::F32, Type::F32], Type::F32, |b, p| b.binary(Opcode::Fmax, p[0], p[1])),
    ])
}

/// Every `fcmp` condition on f32 and f64.
pub fn fcmp() -> Module {
    let mut funcs = Vec::new();
    for ty in [Type::F32, Type::F64] {
        for cc in FloatCC::ALL {
            funcs.push(simple(&format!("{}_{ty}", cc.name()), &[ty, ty], Type::BOOL, |b, p| b.fcmp(cc, p[0], p[1])));
        }
    }

    module(funcs)
}

/// Float↔int conversions on every width, promote/demote, bitcasts.
pub fn conversion_ops() -> Module {
    let ints = [(Type::I8, 8u32), (Type::I16, 16), (Type::I32, 32), (Type::I64, 64)];
    let mut funcs = Vec::new();
    for ft in [Type::F32, Type::F64] {
        for (it, _) in ints {
            for op in [Opcode::Fptosi, Opcode::Fptoui] {
                funcs.push(simple(&format!("{op}_{ft}_{it}"), &[ft], it, |b, p| b.convert(op, it, p[0])));
            }
            for op in [Opcode::Sitofp, Opcode::Uitofp] {
                funcs.push(simple(&format!("{op}_{it}_{ft}"), &[it], ft, |b, p| b.convert(op, ft, p[0])));
            }
        }
    }
    funcs.push(simple("promote", &[Type::F32], Type::F64, |b, p| b.convert(Opcode::Fpromote, Type::F64, p[0])));
    funcs.push(simple("demote", &[Type::F64], Type::F32, |b, p| b.convert(Opcode::Fdemote, Type::F32, p[0])));
    funcs.push(simple("bits32", &[Type::F32], Type::I32, |b, p| b.convert(Opcode::Bitcast, Type::I32, p[0])));
    funcs.push(simple("from_bits64", &[Type::I64], Type::F64, |b, p| b.convert(Opcode::Bitcast, Type::F64, p[0])));

    module(funcs)
}

/// Float constants with exact bits (NaN payloads, -0.0, subnormals).
pub fn float_constants() -> Module {
    let (bits32, bits64) = (FLOAT_BITS32, FLOAT_BITS64);
    let mut funcs = Vec::new();
    for (i, &b32) in bits32.iter().enumerate() {
        funcs.push(simple(&format!("c32_{i}"), &[], Type::I32, |b, _| {
            let c = b.f32const(f32::from_bits(b32));
            b.convert(Opcode::Bitcast, Type::I32, c)
        }));
    }
    for (i, &b64) in bits64.iter().enumerate() {
        funcs.push(simple(&format!("c64_{i}"), &[], Type::I64, |b, _| {
            let c = b.f64const(f64::from_bits(b64));
            b.convert(Opcode::Bitcast, Type::I64, c)
        }));
    }

    module(funcs)
}

/// Float vector binary opcodes.
pub const VEC_FLOAT_BINARY: [Opcode; 7] =
    [Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmin, Opcode::Fmax, Opcode::Fcopysign];
/// Float vector unary opcodes.
pub const VEC_FLOAT_UNARY: [Opcode; 7] =
    [Opcode::Fneg, Opcode::Fabs, Opcode::Fsqrt, Opcode::Ffloor, Opcode::Fceil, Opcode::Ftrunc, Opcode::Fnearest];
/// The float vector types tested.
pub fn vec_float_types() -> [Type; 3] {
    [vt(LaneType::F32, 4), vt(LaneType::F32, 8), vt(LaneType::F32, 16)]
}
/// Integer vector binary opcodes (shifts are separate: their amount is a scalar).
pub const VEC_INT_BINARY: [Opcode; 10] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Smin,
    Opcode::Smax,
    Opcode::Umin,
    Opcode::Umax,
    Opcode::Band,
    Opcode::Bor,
    Opcode::Bxor,
];
/// The integer vector types tested.
pub fn vec_int_types() -> [Type; 5] {
    [vt(LaneType::I32, 4), vt(LaneType::I32, 8), vt(LaneType::I64, 2), vt(LaneType::I16, 8), vt(LaneType::I8, 16)]
}

/// The vector type of `n` lanes of `lane`.
pub fn vt(lane: LaneType, n: u32) -> Type {
    Type::vector(lane, n).expect("valid vector type")
}

/// `name(a: [T], b: [T], out: mut [T]) { out[0..n] = body(load a, load b) }`.
pub fn vec_fn(
    name: &str,
    ty: Type,
    out_ty: Type,
    body: impl FnOnce(&mut FunctionBuilder, Value, Value) -> Value,
) -> strata_ir::Function {
    let params = vec![
        Param::slice("a", ty.lane_type(), false),
        Param::slice("b", ty.lane_type(), false),
        Param::slice("out", out_ty.lane_type(), true),
    ];
    function(name, params, None, |b, p| {
        // The whole vector must lie inside each slice.
        let last = b.iconst(Type::I64, ty.lanes() as i64 - 1);
        for len in [p[1], p[3], p[5]] {
            b.bounds_check(last, len);
        }
        let zero = b.iconst(Type::I64, 0);
        let va = b.load(ty, p[0], zero);
        let vb = b.load(ty, p[2], zero);
        let r = body(b, va, vb);
        b.store(p[4], zero, r);
        b.ret(None);
    })
}

/// `name(a: [T]) -> T { reduce(load a) }`.
pub fn reduce_fn(name: &str, ty: Type, op: Opcode, flags: FloatFlags) -> strata_ir::Function {
    function(name, vec![Param::slice("a", ty.lane_type(), false)], Some(ty.lane_type()), |b, p| {
        let last = b.iconst(Type::I64, ty.lanes() as i64 - 1);
        b.bounds_check(last, p[1]);
        let zero = b.iconst(Type::I64, 0);
        let v = b.load(ty, p[0], zero);
        let r = b.unary_flags(op, flags, v);
        b.ret(Some(r));
    })
}

/// Lane-wise float ops, `fma` and `fcmp`+`select` on f32x4, f32x8, f32x16 through slices.
pub fn vector_floats() -> Module {
    let (ops, unops, tys) = (VEC_FLOAT_BINARY, VEC_FLOAT_UNARY, vec_float_types());
    let mut funcs = Vec::new();
    for ty in tys {
        for op in ops {
            funcs.push(vec_fn(&format!("{op}_{ty}"), ty, ty, |b, x, y| b.binary(op, x, y)));
        }
        for op in unops {
            funcs.push(vec_fn(&format!("{op}_{ty}"), ty, ty, |b, x, _| b.unary(op, x)));
        }
        funcs.push(vec_fn(&format!("fma_{ty}"), ty, ty, |b, x, y| b.fma(FloatFlags::NONE, x, y, y)));
        funcs.push(vec_fn(&format!("sel_{ty}"), ty, ty, |b, x, y| {
            let c = b.fcmp(FloatCC::Lt, x, y);
            b.select(c, x, y)
        }));
    }

    module(funcs)
}
/// f64x2 arithmetic and vector conversions.
pub fn vector_conversions() -> Module {
    let f64x2 = vt(LaneType::F64, 2);
    let f32x4 = vt(LaneType::F32, 4);
    let i32x4 = vt(LaneType::I32, 4);

    module(vec![
        vec_fn("add_f64x2", f64x2, f64x2, |b, x, y| b.binary(Opcode::Fadd, x, y)),
        vec_fn("min_f64x2", f64x2, f64x2, |b, x, y| b.binary(Opcode::Fmin, x, y)),
        vec_fn("fptosi", f32x4, i32x4, |b, x, _| b.convert(Opcode::Fptosi, i32x4, x)),
        vec_fn("fptoui", f32x4, i32x4, |b, x, _| b.convert(Opcode::Fptoui, i32x4, x)),
        vec_fn("sitofp", i32x4, f32x4, |b, x, _| b.convert(Opcode::Sitofp, f32x4, x)),
        vec_fn("uitofp", i32x4, f32x4, |b, x, _| b.convert(Opcode::Uitofp, f32x4, x)),
        vec_fn("bits", f32x4, i32x4, |b, x, _| b.convert(Opcode::Bitcast, i32x4, x)),
    ])
}
/// Lane-wise integer ops, shifts by a scalar, `ineg` and `icmp`+`select` through slices.
pub fn vector_ints() -> Module {
    let (ops, tys) = (VEC_INT_BINARY, vec_int_types());
    let mut funcs = Vec::new();
    for ty in tys {
        for op in ops {
            funcs.push(vec_fn(&format!("{op}_{ty}"), ty, ty, |b, x, y| b.binary(op, x, y)));
        }
        for op in [Opcode::Shl, Opcode::Lshr, Opcode::Ashr] {
            // The amount is a scalar: lane 1 of b, applied to every lane (modulo the width).
            funcs.push(vec_fn(&format!("{op}_{ty}"), ty, ty, |b, x, y| {
                let amt = b.extractlane(y, 1);
                b.binary(op, x, amt)
            }));
        }
        funcs.push(vec_fn(&format!("ineg_{ty}"), ty, ty, |b, x, _| b.unary(Opcode::Ineg, x)));
        funcs.push(vec_fn(&format!("cmpsel_{ty}"), ty, ty, |b, x, y| {
            let c = b.icmp(IntCC::Ult, x, y);
            b.select(c, x, y)
        }));
    }

    module(funcs)
}
/// Every reduction on f32x4, f32x8 (strict, and `reassoc` as `fast_add`), i32x4, i64x2.
pub fn reductions_module() -> Module {
    let f32x4 = vt(LaneType::F32, 4);
    let f32x8 = vt(LaneType::F32, 8);
    let i32x4 = vt(LaneType::I32, 4);
    let i64x2 = vt(LaneType::I64, 2);
    let mut funcs = Vec::new();
    for ty in [f32x4, f32x8] {
        for op in [Opcode::ReduceAdd, Opcode::ReduceMin, Opcode::ReduceMax] {
            funcs.push(reduce_fn(&format!("{op}_{ty}"), ty, op, FloatFlags::NONE));
        }
    }
    funcs.push(reduce_fn("fast_add", f32x8, Opcode::ReduceAdd, FloatFlags::REASSOC));
    for ty in [i32x4, i64x2] {
        for op in [Opcode::ReduceAdd, Opcode::ReduceMin, Opcode::ReduceMax] {
            funcs.push(reduce_fn(&format!("{op}_{ty}"), ty, op, FloatFlags::NONE));
        }
    }

    module(funcs)
}
/// `splat`, `insertlane`, `extractlane`.
pub fn lanes() -> Module {
    let f32x4 = vt(LaneType::F32, 4);

    module(vec![
        // (x, y) → lane 2 of insertlane(splat(x), y, 2) + lane 0 … as f32: y + x.
        simple("lanes", &[Type::F32, Type::F32], Type::F32, |b, p| {
            let s = b.splat(f32x4, p[0]);
            let v = b.insertlane(s, p[1], 2);
            let l2 = b.extractlane(v, 2);
            let l0 = b.extractlane(v, 0);
            let l3 = b.extractlane(v, 3);
            let t = b.fadd(l2, l0);
            b.fadd(t, l3)
        }),
        simple("ivec", &[Type::I32], Type::I32, |b, p| {
            let v = b.splat(vt(LaneType::I32, 8), p[0]);
            let one = b.iconst(Type::I32, 1);
            let v = b.insertlane(v, one, 7);
            b.unary(Opcode::ReduceAdd, v)
        }),
    ])
}

/// `fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)` as function `id` of its module.
pub fn fib(id: FuncId, linkage: Linkage) -> Function {
    let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
    let mut f = Function::new("fib", linkage, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let two = b.iconst(Type::I64, 2);
    let small = b.icmp(IntCC::Slt, p[0], two);
    let (base, rec) = (b.create_block(), b.create_block());
    b.brif(small, base, &[], rec, &[]);
    b.switch_to_block(base);
    b.ret(Some(p[0]));
    b.switch_to_block(rec);
    let one = b.iconst(Type::I64, 1);
    let n1 = b.isub(p[0], one);
    let n2 = b.isub(p[0], two);
    let a = b.call(id, Some(Type::I64), &[n1]).unwrap_or(n1);
    let c = b.call(id, Some(Type::I64), &[n2]).unwrap_or(n2);
    let s = b.iadd(a, c);
    b.ret(Some(s));
    b.seal_all_blocks();
    b.finalize().expect("fib builds");
    f
}

/// The reference `fib`.
pub fn fib_ref(n: i64) -> i64 {
    if n < 2 {
        n
    } else {
        fib_ref(n - 1) + fib_ref(n - 2)
    }
}

/// is_even/is_odd by mutual recursion (local), `parity` exported, taking and returning bools.
pub fn parity_module() -> Module {
    let mut m = Module::new();
    let even = FuncId::from_u32(0);
    let odd = FuncId::from_u32(1);
    for (name, other, base) in [("is_even", odd, true), ("is_odd", even, false)] {
        let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::BOOL));
        let mut f = Function::new(name, Linkage::Local, sig);
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let zero = b.iconst(Type::I64, 0);
        let done = b.icmp(IntCC::Eq, p[0], zero);
        let (t, e) = (b.create_block(), b.create_block());
        b.brif(done, t, &[], e, &[]);
        b.switch_to_block(t);
        let r = b.bconst(base);
        b.ret(Some(r));
        b.switch_to_block(e);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let r = b.call(other, Some(Type::BOOL), &[n1]).unwrap_or(done);
        b.ret(Some(r));
        b.seal_all_blocks();
        b.finalize().expect("builds");
        m.add_function(f);
    }
    // parity(n, flip: bool) -> bool = is_even(n) xor flip
    m.add_function(function(
        "parity",
        vec![Param::scalar("n", Type::I64), Param::scalar("flip", Type::BOOL)],
        Some(Type::BOOL),
        |b, p| {
            let e = b.call(even, Some(Type::BOOL), &[p[0]]).unwrap_or(p[1]);
            let r = b.binary(Opcode::Bxor, e, p[1]);
            b.ret(Some(r));
        },
    ));
    m
}

/// `fib` exported.
pub fn fib_module() -> Module {
    let mut m = Module::new();
    m.add_function(fib(FuncId::from_u32(0), Linkage::Export));
    m
}

/// `total(x)` sums two halves of `x` through a local `sum(x: [i32])`.
pub fn slices_across_calls() -> Module {
    let mut m = Module::new();
    let sum = m.add_function({
        let mut f = function("sum", vec![Param::slice("x", Type::I32, false)], Some(Type::I32), |b, p| {
            let acc = b.declare_var(Type::I32);
            let z = b.iconst(Type::I32, 0);
            b.def_var(acc, z);
            let i = b.declare_var(Type::I64);
            let zi = b.iconst(Type::I64, 0);
            b.def_var(i, zi);
            let (h, body, exit) = (b.create_block(), b.create_block(), b.create_block());
            b.jump(h, &[]);
            b.switch_to_block(h);
            let iv = b.use_var(i);
            let c = b.icmp(IntCC::Ult, iv, p[1]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            let four = b.iconst(Type::I64, 4);
            let off = b.imul(iv, four);
            let v = b.load(Type::I32, p[0], off);
            let a = b.use_var(acc);
            let s = b.iadd(a, v);
            b.def_var(acc, s);
            let one = b.iconst(Type::I64, 1);
            let n = b.iadd(iv, one);
            b.def_var(i, n);
            b.jump(h, &[]);
            b.switch_to_block(exit);
            let a = b.use_var(acc);
            b.ret(Some(a));
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function("total", vec![Param::slice("x", Type::I32, false)], Some(Type::I32), |b, p| {
        let two = b.iconst(Type::I64, 2);
        let half = b.binary(Opcode::Udiv, p[1], two);
        let a = b.call(sum, Some(Type::I32), &[p[0], half]).unwrap_or(half);
        let rest = b.isub(p[1], half);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(half, four);
        let q = b.binary(Opcode::PtrAdd, p[0], off);
        let c = b.call(sum, Some(Type::I32), &[q, rest]).unwrap_or(rest);
        let s = b.iadd(a, c);
        b.ret(Some(s));
    }));
    m
}

/// `f(x, n)` calls the host functions `scale(f32, i32) -> f32`, `is_big(i64) -> bool` and `flag(bool) -> i32`.
pub fn host_module() -> Module {
    let mut m = Module::new();
    let scale =
        m.add_extern(ExternFunc { name: "scale".into(), params: vec![Type::F32, Type::I32], ret: Some(Type::F32) });
    let big = m.add_extern(ExternFunc { name: "is_big".into(), params: vec![Type::I64], ret: Some(Type::BOOL) });
    let flag = m.add_extern(ExternFunc { name: "flag".into(), params: vec![Type::BOOL], ret: Some(Type::I32) });
    m.add_function(simple("f", &[Type::F32, Type::I64], Type::F32, |b, p| {
        let three = b.iconst(Type::I32, 3);
        let s = b.call_host(scale, Some(Type::F32), &[p[0], three]).unwrap_or(p[0]);
        let isbig = b.call_host(big, Some(Type::BOOL), &[p[1]]).unwrap_or(p[1]);
        let fl = b.call_host(flag, Some(Type::I32), &[isbig]).unwrap_or(three);
        let ff = b.convert(Opcode::Sitofp, Type::F32, fl);
        b.fadd(s, ff)
    }));
    m
}

/// `dot(a: [f64], b: [f64], neg: bool) -> f64` of the first two elements.
pub fn dot_module() -> Module {
    let mut m = Module::new();
    m.add_function(function(
        "dot",
        vec![
            Param::slice("a", Type::F64, false),
            Param::slice("b", Type::F64, false),
            Param::scalar("neg", Type::BOOL),
        ],
        Some(Type::F64),
        |b, p| {
            let one = b.iconst(Type::I64, 1);
            b.bounds_check(one, p[1]);
            b.bounds_check(one, p[3]);
            let zero = b.iconst(Type::I64, 0);
            let eight = b.iconst(Type::I64, 8);
            let a0 = b.load(Type::F64, p[0], zero);
            let b0 = b.load(Type::F64, p[2], zero);
            let a1 = b.load(Type::F64, p[0], eight);
            let b1 = b.load(Type::F64, p[2], eight);
            let x = b.fmul(a0, b0);
            let y = b.fmul(a1, b1);
            let s = b.fadd(x, y);
            let n = b.unary(Opcode::Fneg, s);
            let r = b.select(p[4], n, s);
            b.ret(Some(r));
        },
    ));
    m
}

/// `name() -> i32 { trap code }`.
pub fn trap_fn(name: &str, code: TrapCode) -> Function {
    function(name, vec![], Some(Type::I32), |b, _| b.trap(code))
}

/// Explicit traps and divisions.
pub fn traps_module() -> Module {
    module(vec![
        trap_fn("unreachable", TrapCode::Unreachable),
        trap_fn("user0", TrapCode::User(0)),
        trap_fn("user65535", TrapCode::User(65535)),
        trap_fn("oob", TrapCode::OutOfBounds),
        simple("sdiv", &[Type::I32, Type::I32], Type::I32, |b, p| b.binary(Opcode::Sdiv, p[0], p[1])),
        simple("urem", &[Type::I64, Type::I64], Type::I64, |b, p| b.binary(Opcode::Urem, p[0], p[1])),
        simple("const_div", &[Type::I32], Type::I32, |b, p| {
            let z = b.iconst(Type::I32, 0);
            b.binary(Opcode::Udiv, p[0], z)
        }),
    ])
}

/// `outer(out: mut [i64], d)`: out[0] = 1; out[1] = inner(d) = 100 / d; out[2] = 3.
pub fn callee_trap_module() -> Module {
    let mut m = Module::new();
    let inner = m.add_function({
        let mut f = simple("inner", &[Type::I64], Type::I64, |b, p| {
            let h = b.iconst(Type::I64, 100);
            b.binary(Opcode::Sdiv, h, p[0])
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function(
        "outer",
        vec![Param::slice("out", Type::I64, true), Param::scalar("d", Type::I64)],
        None,
        |b, p| {
            let two = b.iconst(Type::I64, 2);
            b.bounds_check(two, p[1]);
            for (k, v) in [(0i64, None), (1, Some(())), (2, None)] {
                let off = b.iconst(Type::I64, 8 * k);
                let val = match v {
                    Some(()) => b.call(inner, Some(Type::I64), &[p[2]]).unwrap_or(off),
                    None => b.iconst(Type::I64, k + 1),
                };
                b.store(p[0], off, val);
            }
            b.ret(None);
        },
    ));
    m
}

/// `spin(n)`: a loop of `n` iterations, each calling `tick` (a local function).
pub fn spin_module() -> Module {
    let mut m = Module::new();
    let tick = m.add_function({
        let mut f = simple("tick", &[Type::I64], Type::I64, |b, p| {
            let one = b.iconst(Type::I64, 1);
            b.iadd(p[0], one)
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function("spin", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let i = b.declare_var(Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.def_var(i, z);
        let (h, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        b.jump(h, &[]);
        b.switch_to_block(h);
        let iv = b.use_var(i);
        let c = b.icmp(IntCC::Slt, iv, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let next = b.call(tick, Some(Type::I64), &[iv]).unwrap_or(iv);
        b.def_var(i, next);
        b.jump(h, &[]);
        b.switch_to_block(exit);
        let iv = b.use_var(i);
        b.ret(Some(iv));
    }));
    m
}

/// `down(n) = n == 0 ? 0 : down(n - 1) + 1`.
pub fn down_module() -> Module {
    let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
    let mut f = Function::new("down", Linkage::Export, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let z = b.iconst(Type::I64, 0);
    let done = b.icmp(IntCC::Eq, p[0], z);
    let (t, e) = (b.create_block(), b.create_block());
    b.brif(done, t, &[], e, &[]);
    b.switch_to_block(t);
    b.ret(Some(z));
    b.switch_to_block(e);
    let one = b.iconst(Type::I64, 1);
    let n1 = b.isub(p[0], one);
    let r = b.call(FuncId::from_u32(0), Some(Type::I64), &[n1]).unwrap_or(n1);
    let r1 = b.iadd(r, one);
    b.ret(Some(r1));
    b.seal_all_blocks();
    b.finalize().expect("builds");
    let mut m = Module::new();
    m.add_function(f);
    m
}

/// `f(out: mut [i32], x)`: out[0] = h(x); out[1] = 1, with host `h(i32) -> i32`.
pub fn host_error_module() -> Module {
    let mut m = Module::new();
    let h = m.add_extern(ExternFunc { name: "h".into(), params: vec![Type::I32], ret: Some(Type::I32) });
    // out[0] = h(x); out[1] = 1 (not reached when h fails).
    m.add_function(function(
        "f",
        vec![Param::slice("out", Type::I32, true), Param::scalar("x", Type::I32)],
        None,
        |b, p| {
            let one = b.iconst(Type::I64, 1);
            b.bounds_check(one, p[1]);
            let r = b.call_host(h, Some(Type::I32), &[p[2]]).unwrap_or(p[2]);
            let z = b.iconst(Type::I64, 0);
            b.store(p[0], z, r);
            let four = b.iconst(Type::I64, 4);
            let one = b.iconst(Type::I32, 1);
            b.store(p[0], four, one);
            b.ret(None);
        },
    ));
    m
}

/// `sumsq` (strict) and `energy` (fastmath).
pub fn sums_module() -> Module {
    module(vec![sumsq("sumsq", FloatFlags::NONE), sumsq("energy", FloatFlags::FAST)])
}

/// DESIGN.md's `ola`.
pub fn ola_module() -> Module {
    module(vec![ola()])
}

/// Unaligned scalar and vector loads and stores in a byte slice.
pub fn unaligned_module() -> Module {
    let params = vec![Param::slice("bytes", Type::I8, true), Param::scalar("off", Type::I64)];

    module(vec![
        // Reads an i32 and an f64 at `off` and `off + 4`, writes their sum as f64 at `off + 1`.
        function("mix", params.clone(), Some(Type::I32), |b, p| {
            guard_bytes(b, p[2], 12, p[1]);
            let x = b.load(Type::I32, p[0], p[2]);
            let four = b.iconst(Type::I64, 4);
            let o4 = b.iadd(p[2], four);
            let d = b.load(Type::F64, p[0], o4);
            let xf = b.convert(Opcode::Sitofp, Type::F64, x);
            let s = b.fadd(xf, d);
            let one = b.iconst(Type::I64, 1);
            let o1 = b.iadd(p[2], one);
            b.store(p[0], o1, s);
            b.ret(Some(x));
        }),
        // A vector load and store at odd offsets.
        function("vec_copy", params, None, |b, p| {
            guard_bytes(b, p[2], 19, p[1]);
            let v = b.load(Type::F32X4, p[0], p[2]);
            let three = b.iconst(Type::I64, 3);
            let o = b.iadd(p[2], three);
            b.store(p[0], o, v);
            b.ret(None);
        }),
    ])
}

/// Bounds checks for bytes `off .. off + n` of a byte slice of length `len` (two checks,
/// so a huge `off` cannot wrap around).
fn guard_bytes(b: &mut FunctionBuilder, off: Value, n: i64, len: Value) {
    b.bounds_check(off, len);
    let k = b.iconst(Type::I64, n - 1);
    let end = b.iadd(off, k);
    b.bounds_check(end, len);
}

/// Data objects (`fir3`, `second_int`) and a stack slot zeroed on every call (`slot`).
pub fn data_and_slots_module() -> Module {
    let mut m = Module::new();
    let taps = m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25]));
    let ints = m.add_data(DataObject::from_ints("ints", Type::I16, &[-3, 1000, 7]));
    // fir3(x, i) = taps · x[i..i+3]
    m.add_function(function(
        "fir3",
        vec![Param::slice("x", Type::F32, false), Param::scalar("i", Type::I64)],
        Some(Type::F32),
        |b, p| {
            let t = b.data_addr(taps);
            let acc = b.f32const(0.0);
            let mut acc = acc;
            for k in 0..3 {
                let kk = b.iconst(Type::I64, k);
                let idx = b.iadd(p[2], kk);
                let off = elem(b, idx, p[1], 4);
                let x = b.load(Type::F32, p[0], off);
                let toff = b.iconst(Type::I64, 4 * k);
                let w = b.load(Type::F32, t, toff);
                let prod = b.fmul(x, w);
                acc = b.fadd(acc, prod);
            }
            b.ret(Some(acc));
        },
    ));
    m.add_function(simple("second_int", &[], Type::I16, |b, _| {
        let d = b.data_addr(ints);
        let two = b.iconst(Type::I64, 2);
        b.load(Type::I16, d, two)
    }));
    // Reads slot word 1 (always 0: slots are zeroed on every call), then writes x there.
    m.add_function(function("slot", vec![Param::scalar("x", Type::I64)], Some(Type::I64), |b, p| {
        let ss = b.func.create_stack_slot(24, 8);
        let a = b.stack_addr(ss);
        let eight = b.iconst(Type::I64, 8);
        let old = b.load(Type::I64, a, eight);
        b.store(a, eight, p[0]);
        let again = b.load(Type::I64, a, eight);
        let s = b.iadd(old, again);
        b.ret(Some(s));
    }));
    m
}

/// `get(x: [i32], i) -> i32` with a bounds check.
pub fn get_module() -> Module {
    module(vec![function(
        "get",
        vec![Param::slice("x", Type::I32, false), Param::scalar("i", Type::I64)],
        Some(Type::I32),
        |b, p| {
            let off = elem(b, p[2], p[1], 4);
            let v = b.load(Type::I32, p[0], off);
            b.ret(Some(v));
        },
    )])
}

/// `sign(x: f64) -> i32` by branches on `fcmp` (NaN → 2).
pub fn sign_module() -> Module {
    module(vec![function("sign", vec![Param::scalar("x", Type::F64)], Some(Type::I32), |b, p| {
        let (neg, nonneg, pos, zero, nan) =
            (b.create_block(), b.create_block(), b.create_block(), b.create_block(), b.create_block());
        let isnan = b.fcmp(FloatCC::Uno, p[0], p[0]);
        let notnan = b.create_block();
        b.brif(isnan, nan, &[], notnan, &[]);
        b.switch_to_block(notnan);
        let z = b.f64const(0.0);
        let lt = b.fcmp(FloatCC::Lt, p[0], z);
        b.brif(lt, neg, &[], nonneg, &[]);
        b.switch_to_block(nonneg);
        let gt = b.fcmp(FloatCC::Gt, p[0], z);
        b.brif(gt, pos, &[], zero, &[]);
        for (blk, v) in [(neg, -1i64), (pos, 1), (zero, 0), (nan, 2)] {
            b.switch_to_block(blk);
            let c = b.iconst(Type::I32, v);
            b.ret(Some(c));
        }
    })])
}
