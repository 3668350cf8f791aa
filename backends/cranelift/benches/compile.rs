//! Compile time of tier 1 on a few small kernels (IR → CLIF → machine code → finalized
//! memory, and the drop that frees it), at both optimization levels. Target: a median
//! below 0.5 ms per small kernel.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use strata_cranelift::{compile, CraneliftOptions, OptLevel};
use strata_ir::{
    DataObject, FloatCC, Function, FunctionBuilder, IntCC, Linkage, Module, Opcode, Param, Signature, Type, Value,
};

fn build(
    m: &mut Module,
    name: &str,
    params: Vec<Param>,
    ret: Option<Type>,
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) {
    let mut f = Function::new(name, Linkage::Export, Signature::new(params, ret));
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    body(&mut b, &p);
    b.seal_all_blocks();
    b.finalize().expect("benchmark kernel is well formed");
    m.add_function(f);
}

/// `for i in 0..n { acc += x[i] * x[i] }` (docs/ir.md's first example).
fn sumsq() -> Module {
    let mut m = Module::new();
    build(&mut m, "sumsq", vec![Param::slice("x", Type::F32, false)], Some(Type::F32), |b, p| {
        let head = b.create_block();
        let i = b.append_block_param(head, Type::I64);
        let acc = b.append_block_param(head, Type::F32);
        let (body, exit) = (b.create_block(), b.create_block());
        let zero = b.iconst(Type::I64, 0);
        let fz = b.f32const(0.0);
        b.jump(head, &[zero, fz]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[1]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, p[1]);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let x = b.load(Type::F32, p[0], off);
        let sq = b.fmul(x, x);
        let acc2 = b.fadd(acc, sq);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    m
}

/// The `ola` kernel of DESIGN.md, vectorized by 4 with a scalar tail:
/// `out[i] += clamp(frame[i] * win[i] * gain, lo, hi)`.
fn ola_f32x4() -> Module {
    let mut m = Module::new();
    let params = vec![
        Param::slice("frame", Type::F32, false),
        Param::slice("win", Type::F32, false),
        Param::slice("out", Type::F32, true),
        Param::scalar("gain", Type::F32),
        Param::scalar("lo", Type::F32),
        Param::scalar("hi", Type::F32),
    ];
    build(&mut m, "ola", params, None, |b, p| {
        let (frame, win, out, n) = (p[0], p[2], p[4], p[1]);
        let v4 = Type::F32X4;
        let (g, lo, hi) = (b.splat(v4, p[6]), b.splat(v4, p[7]), b.splat(v4, p[8]));
        let head = b.create_block();
        let i = b.append_block_param(head, Type::I64);
        let (body, exit) = (b.create_block(), b.create_block());
        let zero = b.iconst(Type::I64, 0);
        b.jump(head, &[zero]);
        b.switch_to_block(head);
        let four = b.iconst(Type::I64, 4);
        let end = b.iadd(i, four);
        let c = b.icmp(IntCC::Sle, end, n);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let last = b.isub(end, one);
        b.bounds_check(last, n);
        let sixteen = b.iconst(Type::I64, 16);
        let _ = sixteen;
        let off = b.imul(i, four);
        let x = b.load(v4, frame, off);
        let w = b.load(v4, win, off);
        let o = b.load(v4, out, off);
        let xw = b.fmul(x, w);
        let y = b.fmul(xw, g);
        let y = b.binary(Opcode::Fmax, y, lo);
        let y = b.binary(Opcode::Fmin, y, hi);
        let s = b.fadd(o, y);
        b.store(out, off, s);
        b.jump(head, &[end]);
        b.switch_to_block(exit);
        b.ret(None);
    });
    m
}

/// Recursive fib with a compare and two calls.
fn fib() -> Module {
    let mut m = Module::new();
    let id = m.functions.next_key();
    build(&mut m, "fib", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let two = b.iconst(Type::I64, 2);
        let c = b.icmp(IntCC::Slt, p[0], two);
        let (base, rec) = (b.create_block(), b.create_block());
        b.brif(c, base, &[], rec, &[]);
        b.switch_to_block(base);
        b.ret(Some(p[0]));
        b.switch_to_block(rec);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let n2 = b.isub(p[0], two);
        let a = b.call(id, Some(Type::I64), &[n1]).unwrap_or(n1);
        let d = b.call(id, Some(Type::I64), &[n2]).unwrap_or(n2);
        let s = b.iadd(a, d);
        b.ret(Some(s));
    });
    m
}

/// A 5-tap FIR with coefficients in a data object and a select.
fn fir() -> Module {
    let mut m = Module::new();
    let taps = m.add_data(DataObject::from_f32s("taps", &[0.1, 0.2, 0.4, 0.2, 0.1]));
    let params = vec![Param::slice("x", Type::F32, false), Param::scalar("i", Type::I64)];
    build(&mut m, "fir", params, Some(Type::F32), |b, p| {
        let t = b.data_addr(taps);
        let mut acc = b.f32const(0.0);
        for k in 0..5i64 {
            let kk = b.iconst(Type::I64, k);
            let idx = b.iadd(p[2], kk);
            b.bounds_check(idx, p[1]);
            let four = b.iconst(Type::I64, 4);
            let off = b.imul(idx, four);
            let x = b.load(Type::F32, p[0], off);
            let toff = b.iconst(Type::I64, 4 * k);
            let w = b.load(Type::F32, t, toff);
            let y = b.fmul(x, w);
            acc = b.fadd(acc, y);
        }
        let z = b.f32const(0.0);
        let neg = b.fcmp(FloatCC::Lt, acc, z);
        let r = b.select(neg, z, acc);
        b.ret(Some(r));
    });
    m
}

fn bench(c: &mut Criterion) {
    let kernels = [("sumsq", sumsq()), ("ola_f32x4", ola_f32x4()), ("fib", fib()), ("fir5", fir())];
    for (level, opt_level) in [("speed", OptLevel::Speed), ("none", OptLevel::None)] {
        let opts = CraneliftOptions { opt_level, fuel: false, depth_limit: true, verify: false };
        let mut group = c.benchmark_group(format!("compile/{level}"));
        for (name, m) in &kernels {
            group.bench_function(*name, |b| b.iter(|| black_box(compile(black_box(m), &opts).expect("compiles"))));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
