//! The kernels of DESIGN.md as IR (what the kernel-language frontend produces for them):
//! `sumsq`/`energy` and `ola`, with a bounds check before every access.

use super::function;
use strata_ir::{FloatFlags, FunctionBuilder, IntCC, Opcode, Param, Type, Value};

/// `for i in 0..n { body(i) }` with `n` an i64 value; `body` gets the index.
pub fn counted_loop(b: &mut FunctionBuilder, n: Value, body: impl FnOnce(&mut FunctionBuilder, Value)) {
    let i = b.declare_var(Type::I64);
    let zero = b.iconst(Type::I64, 0);
    b.def_var(i, zero);
    let (head, body_b, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.jump(head, &[]);
    b.switch_to_block(head);
    let iv = b.use_var(i);
    let c = b.icmp(IntCC::Slt, iv, n);
    b.brif(c, body_b, &[], exit, &[]);
    b.switch_to_block(body_b);
    b.seal_block(body_b);
    body(b, iv);
    let one = b.iconst(Type::I64, 1);
    let iv = b.use_var(i);
    let next = b.iadd(iv, one);
    b.def_var(i, next);
    b.jump(head, &[]);
    b.seal_block(head);
    b.switch_to_block(exit);
    b.seal_block(exit);
}

/// Byte offset of element `i` of `size` bytes, after a bounds check against `len`.
pub fn elem(b: &mut FunctionBuilder, i: Value, len: Value, size: i64) -> Value {
    b.bounds_check(i, len);
    let s = b.iconst(Type::I64, size);
    b.imul(i, s)
}

/// DESIGN.md's `energy`/`sumsq`: sum of squares of an f32 slice, with `flags` on the ops.
pub fn sumsq(name: &str, flags: FloatFlags) -> strata_ir::Function {
    function(name, vec![Param::slice("x", Type::F32, false)], Some(Type::F32), |b, p| {
        let acc = b.declare_var(Type::F32);
        let z = b.f32const(0.0);
        b.def_var(acc, z);
        counted_loop(b, p[1], |b, i| {
            let off = elem(b, i, p[1], 4);
            let x = b.load(Type::F32, p[0], off);
            let sq = b.binary_flags(Opcode::Fmul, flags, x, x);
            let a = b.use_var(acc);
            let s = b.binary_flags(Opcode::Fadd, flags, a, sq);
            b.def_var(acc, s);
        });
        let a = b.use_var(acc);
        b.ret(Some(a));
    })
}

/// DESIGN.md's `ola`: `out[i] += clamp(frame[i] * win[i] * gain, lo, hi)` for i in 0..frame.len().
pub fn ola() -> strata_ir::Function {
    let params = vec![
        Param::slice("frame", Type::F32, false),
        Param::slice("win", Type::F32, false),
        Param::slice("out", Type::F32, true),
        Param::scalar("gain", Type::F32),
        Param::scalar("lo", Type::F32),
        Param::scalar("hi", Type::F32),
    ];
    function("ola", params, None, |b, p| {
        let (frame, frame_len, win, win_len, out, out_len, gain, lo, hi) =
            (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
        counted_loop(b, frame_len, |b, i| {
            let o1 = elem(b, i, frame_len, 4);
            let x = b.load(Type::F32, frame, o1);
            let o2 = elem(b, i, win_len, 4);
            let w = b.load(Type::F32, win, o2);
            let xw = b.fmul(x, w);
            let g = b.fmul(xw, gain);
            let c1 = b.binary(Opcode::Fmax, g, lo);
            let c = b.binary(Opcode::Fmin, c1, hi);
            let o3 = elem(b, i, out_len, 4);
            let prev = b.load(Type::F32, out, o3);
            let sum = b.fadd(prev, c);
            b.store(out, o3, sum);
        });
        b.ret(None);
    })
}
