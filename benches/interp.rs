//! The interpreter (tier 0) against the same loops in plain Rust, over 1M elements:
//! - `sumsq`: the sum of squares of docs/ir.md's first example (`bounds_check`, `imul`,
//!   `load`, `fmul`, `fadd`, `iadd`, `icmp`, `brif` per element; strict float order);
//! - `fnv`: an FNV-1a-style hash, `h = (h ^ x[i]) * 16777619` with wrapping `i32`s.
//!
//! Run: `cargo bench --bench interp -- --warm-up-time 1 --measurement-time 3`. The ratio
//! of the `interp` and `native` times of a group is the interpreter's slowdown.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use strata_ir::interp::to_le_bytes;
use strata_ir::{
    Arg, Function, FunctionBuilder, IntCC, Interpreter, Linkage, Module, Opcode, Param, Signature, Type, Val,
};

const N: usize = 1_000_000;
const FNV_OFFSET: u32 = 2_166_136_261;
const FNV_PRIME: i64 = 16_777_619;

/// A loop over a slice `x` of `elem`: `acc = step(acc, x[i])` for every `i`, then `return
/// acc`. The shape is docs/ir.md's first example.
fn slice_loop(
    name: &str,
    elem: Type,
    init: impl FnOnce(&mut FunctionBuilder) -> strata_ir::Value,
    step: impl FnOnce(&mut FunctionBuilder, strata_ir::Value, strata_ir::Value) -> strata_ir::Value,
) -> Function {
    let sig = Signature::new(vec![Param::slice("x", elem, false)], Some(elem));
    let mut f = Function::new(name, Linkage::Export, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let (x, n) = (p[0], p[1]);
    let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    let i = b.append_block_param(head, Type::I64);
    let acc = b.append_block_param(head, elem);
    let zero = b.iconst(Type::I64, 0);
    let acc0 = init(&mut b);
    b.jump(head, &[zero, acc0]);
    b.switch_to_block(head);
    let more = b.icmp(IntCC::Slt, i, n);
    b.brif(more, body, &[], exit, &[]);
    b.switch_to_block(body);
    b.bounds_check(i, n);
    let size = b.iconst(Type::I64, elem.bytes().unwrap_or(4) as i64);
    let off = b.imul(i, size);
    let v = b.load(elem, x, off);
    let acc2 = step(&mut b, acc, v);
    let one = b.iconst(Type::I64, 1);
    let i2 = b.iadd(i, one);
    b.jump(head, &[i2, acc2]);
    b.switch_to_block(exit);
    b.ret(Some(acc));
    b.seal_all_blocks();
    b.finalize().expect("benchmark IR builds");
    f
}

fn module() -> Module {
    let mut m = Module::new();
    m.add_function(slice_loop(
        "sumsq",
        Type::F32,
        |b| b.fconst(Type::F32, 0.0),
        |b, acc, v| {
            let sq = b.fmul(v, v);
            b.fadd(acc, sq)
        },
    ));
    m.add_function(slice_loop(
        "fnv",
        Type::I32,
        |b| b.iconst(Type::I32, FNV_OFFSET as i64),
        |b, h, v| {
            let p = b.iconst(Type::I32, FNV_PRIME);
            let x = b.binary(Opcode::Bxor, h, v);
            b.imul(x, p)
        },
    ));
    m
}

fn native_sumsq(x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    for &v in x {
        s += v * v;
    }
    s
}

fn native_fnv(x: &[i32]) -> i32 {
    let mut h = FNV_OFFSET as i32;
    for &v in x {
        h = (h ^ v).wrapping_mul(FNV_PRIME as i32);
    }
    h
}

fn bench(c: &mut Criterion) {
    let interp = Interpreter::new(&module()).expect("benchmark IR decodes");
    let xs: Vec<f32> = (0..N).map(|i| (i % 1000) as f32 * 0.001).collect();
    let ks: Vec<i32> = (0..N).map(|i| (i as i32).wrapping_mul(2_654_435_761u32 as i32)).collect();
    let (xb, kb) = (to_le_bytes(&xs), to_le_bytes(&ks));

    // Both tiers must agree before their speed means anything.
    let got = interp.call("sumsq", &mut [Arg::Slice(&xb)]).expect("sumsq runs");
    assert_eq!(got, Some(Val::F32(native_sumsq(&xs))));
    let got = interp.call("fnv", &mut [Arg::Slice(&kb)]).expect("fnv runs");
    assert_eq!(got, Some(Val::I32(native_fnv(&ks))));

    let mut g = c.benchmark_group("sumsq_f32_1M");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("native", |b| b.iter(|| native_sumsq(black_box(&xs))));
    g.bench_function("interp", |b| b.iter(|| interp.call("sumsq", &mut [Arg::Slice(black_box(&xb))])));
    g.finish();

    let mut g = c.benchmark_group("fnv_i32_1M");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("native", |b| b.iter(|| native_fnv(black_box(&ks))));
    g.bench_function("interp", |b| b.iter(|| interp.call("fnv", &mut [Arg::Slice(black_box(&kb))])));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
