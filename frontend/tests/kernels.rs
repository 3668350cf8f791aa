//! Runs every example kernel on the IR interpreter and compares it with a reference
//! written in plain Rust: exactly for integers and for strict float kernels (the reference
//! performs the same operations in the same order), within 1e-6 relative for the
//! `#[fastmath]` one. Also checks the language's run-time semantics (wrapping, traps,
//! saturating casts, `round`, NaN-propagating `min`/`max`, short-circuiting).

use strata_frontend::compile_source;
use strata_ir::interp::{from_le_bytes, to_le_bytes, Arg, InterpError, Interpreter, Val};
use strata_ir::{Module, TrapCode};

fn kernel(name: &str) -> Module {
    let path = format!("{}/../examples/kernels/{name}.sk", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap();
    compile_source(&path, &src).unwrap_or_else(|d| panic!("{}", d.render(&path, &src, false)))
}

fn compile(src: &str) -> Module {
    compile_source("t.sk", src).unwrap_or_else(|d| panic!("{d}"))
}

/// Deterministic pseudo-random data (a 64-bit LCG), so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn f32s(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| (self.next() as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32).collect()
    }
    fn f64s(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next() as f64 / (1u64 << 53) as f64 * 2.0 - 1.0).collect()
    }
    fn i32s(&mut self, n: usize) -> Vec<i32> {
        (0..n).map(|_| self.next() as i32).collect()
    }
    fn i64s(&mut self, n: usize) -> Vec<i64> {
        (0..n).map(|_| (self.next() as i64) << 11 ^ self.next() as i64).collect()
    }
}

/// IEEE-754-2019 maximum / minimum (`fmax`/`fmin`): NaN-propagating, -0 < +0.
fn fmax(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == b {
        if a.is_sign_positive() {
            a
        } else {
            b
        }
    } else {
        a.max(b)
    }
}
fn fmin(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == b {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

#[track_caller]
fn assert_bits_eq(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "element {i}: got {g}, want {w}");
    }
}

fn ret_f32(v: Option<Val>) -> f32 {
    v.and_then(|v| v.as_f32()).expect("an f32 result")
}
fn ret_f64(v: Option<Val>) -> f64 {
    v.and_then(|v| v.as_f64()).expect("an f64 result")
}
fn ret_i64(v: Option<Val>) -> i64 {
    v.and_then(|v| v.as_i64()).expect("an integer result")
}

fn trap_code(e: InterpError) -> TrapCode {
    match e {
        InterpError::Trap(t) => t.code,
        other => panic!("expected a trap, got {other:?}"),
    }
}

// ---- the example kernels ----------------------------------------------------------------

#[test]
fn ola_matches_reference() {
    let m = kernel("ola");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(1);
    for n in [0, 1, 7, 64, 257] {
        let (frame, win, out0) = (r.f32s(n), r.f32s(n), r.f32s(n));
        let (gain, lo, hi) = (1.7f32, -0.4f32, 0.45f32);
        let mut out = to_le_bytes(&out0);
        it.call(
            "ola",
            &mut [
                Arg::Slice(&to_le_bytes(&frame)),
                Arg::Slice(&to_le_bytes(&win)),
                Arg::SliceMut(&mut out),
                Arg::Val(Val::F32(gain)),
                Arg::Val(Val::F32(lo)),
                Arg::Val(Val::F32(hi)),
            ],
        )
        .unwrap();
        let mut want = out0.clone();
        for i in 0..n {
            want[i] += fmin(fmax(frame[i] * win[i] * gain, lo), hi);
        }
        assert_bits_eq(&from_le_bytes::<f32>(&out), &want);
    }
}

#[test]
fn ola_traps_when_out_is_shorter_than_frame() {
    let m = kernel("ola");
    let it = Interpreter::new(&m).unwrap();
    let frame = to_le_bytes(&[1.0f32; 4]);
    let mut out = to_le_bytes(&[0.0f32; 2]);
    let err = it
        .call(
            "ola",
            &mut [
                Arg::Slice(&frame),
                Arg::Slice(&frame),
                Arg::SliceMut(&mut out),
                Arg::Val(Val::F32(1.0)),
                Arg::Val(Val::F32(-1.0)),
                Arg::Val(Val::F32(1.0)),
            ],
        )
        .unwrap_err();
    assert_eq!(trap_code(err), TrapCode::OutOfBounds);
    assert_eq!(from_le_bytes::<f32>(&out), vec![1.0, 1.0], "writes before the trap stay");
}

#[test]
fn fir_matches_reference() {
    let m = kernel("fir");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(2);
    for (n, t) in [(0, 3), (1, 1), (10, 4), (100, 17), (33, 40)] {
        let (x, taps) = (r.f32s(n), r.f32s(t));
        let mut y = to_le_bytes(&vec![0.0f32; n]);
        it.call("fir", &mut [Arg::Slice(&to_le_bytes(&x)), Arg::Slice(&to_le_bytes(&taps)), Arg::SliceMut(&mut y)])
            .unwrap();
        let mut want = vec![0.0f32; n];
        for (i, w) in want.iter_mut().enumerate() {
            let mut acc = 0.0f32;
            for k in 0..t.min(i + 1) {
                acc += taps[k] * x[i - k];
            }
            *w = acc;
        }
        assert_bits_eq(&from_le_bytes::<f32>(&y), &want);
    }
}

#[test]
fn resampler_matches_reference() {
    let m = kernel("resample");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(3);
    for (n, out_n, step, phase) in [(16, 40, 0.37, 0.0), (50, 25, 2.0, 0.5), (9, 30, 0.3333, 1.25), (1, 4, 0.5, 0.0)] {
        let x = r.f32s(n);
        let mut y = to_le_bytes(&vec![0.0f32; out_n]);
        let next = it
            .call(
                "resample_linear",
                &mut [
                    Arg::Slice(&to_le_bytes(&x)),
                    Arg::SliceMut(&mut y),
                    Arg::Val(Val::F64(step)),
                    Arg::Val(Val::F64(phase)),
                ],
            )
            .unwrap();
        let last = n as i64 - 1;
        let mut want = vec![0.0f32; out_n];
        for (i, w) in want.iter_mut().enumerate() {
            let pos = phase + (i as f64) * step;
            let base = pos.floor();
            let j = (base as i64).min(last) as usize;
            let k = (j as i64 + 1).min(last) as usize;
            let frac = (pos - base) as f32;
            *w = x[j] + (x[k] - x[j]) * frac;
        }
        assert_bits_eq(&from_le_bytes::<f32>(&y), &want);
        assert_eq!(ret_f64(next).to_bits(), (phase + (out_n as f64) * step).to_bits());
    }
}

#[test]
fn stats_match_reference() {
    let m = kernel("stats");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(4);
    for n in [0usize, 1, 5, 1000] {
        let x = r.f32s(n);
        let xb = to_le_bytes(&x);
        // energy is #[fastmath]: compare within 1e-6 relative.
        let e = ret_f32(it.call("energy", &mut [Arg::Slice(&xb)]).unwrap());
        let want: f32 = x.iter().map(|v| v * v).sum();
        assert!((e - want).abs() <= 1e-6 * want.abs().max(f32::MIN_POSITIVE), "energy {e} vs {want}");
        // mean and peak are strict: exact.
        let mean = ret_f32(it.call("mean", &mut [Arg::Slice(&xb)]).unwrap());
        let want_mean = if n == 0 {
            0.0
        } else {
            let mut s = 0.0f64;
            for v in &x {
                s += *v as f64;
            }
            (s / n as f64) as f32
        };
        assert_eq!(mean.to_bits(), want_mean.to_bits());
        let peak = ret_f32(it.call("peak", &mut [Arg::Slice(&xb)]).unwrap());
        let want_peak = x.iter().fold(0.0f32, |p, v| fmax(p, v.abs()));
        assert_eq!(peak.to_bits(), want_peak.to_bits());
    }
}

#[test]
fn peak_propagates_nan() {
    let m = kernel("stats");
    let it = Interpreter::new(&m).unwrap();
    let x = to_le_bytes(&[1.0f32, f32::NAN, 3.0]);
    assert!(ret_f32(it.call("peak", &mut [Arg::Slice(&x)]).unwrap()).is_nan());
}

#[test]
fn biquad_matches_reference_across_blocks() {
    let m = kernel("biquad");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(5);
    let (b0, b1, b2, a1, a2) = (0.2f32, 0.4f32, 0.2f32, -0.5f32, 0.25f32);
    let mut state = to_le_bytes(&[0.0f32, 0.0]);
    let (mut z1, mut z2) = (0.0f32, 0.0f32);
    for n in [16, 1, 100] {
        let x = r.f32s(n);
        let mut y = to_le_bytes(&vec![0.0f32; n]);
        let mut args = vec![Arg::Slice(&[]), Arg::SliceMut(&mut y), Arg::SliceMut(&mut state)];
        let xb = to_le_bytes(&x);
        args[0] = Arg::Slice(&xb);
        args.extend([b0, b1, b2, a1, a2].map(|c| Arg::Val(Val::F32(c))));
        it.call("biquad", &mut args).unwrap();
        drop(args);
        let mut want = vec![0.0f32; n];
        for i in 0..n {
            let xn = x[i];
            let yn = b0 * xn + z1;
            z1 = b1 * xn - a1 * yn + z2;
            z2 = b2 * xn - a2 * yn;
            want[i] = yn;
        }
        assert_bits_eq(&from_le_bytes::<f32>(&y), &want);
        assert_bits_eq(&from_le_bytes::<f32>(&state), &[z1, z2]);
    }
}

#[test]
fn dot_matches_reference() {
    let m = kernel("dot");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(6);
    for (n, k) in [(0, 0), (3, 3), (100, 99), (1000, 1000)] {
        let (a, b) = (r.f32s(n), r.f32s(k));
        let got = ret_f32(it.call("dot", &mut [Arg::Slice(&to_le_bytes(&a)), Arg::Slice(&to_le_bytes(&b))]).unwrap());
        let mut acc = 0.0f32;
        for i in 0..n.min(k) {
            acc += a[i] * b[i];
        }
        assert_eq!(got.to_bits(), acc.to_bits());
        let (a, b) = (r.f64s(n), r.f64s(k));
        let got =
            ret_f64(it.call("dot_f64", &mut [Arg::Slice(&to_le_bytes(&a)), Arg::Slice(&to_le_bytes(&b))]).unwrap());
        let mut acc = 0.0f64;
        for i in 0..n.min(k) {
            acc = a[i].mul_add(b[i], acc);
        }
        assert_eq!(got.to_bits(), acc.to_bits());
    }
}

#[test]
fn matmul_matches_reference() {
    let m = kernel("matmul");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(7);
    for (n, k, p) in [(1, 1, 1), (2, 3, 4), (5, 5, 5), (3, 8, 2)] {
        let (a, b) = (r.f32s(n * k), r.f32s(k * p));
        let mut c = to_le_bytes(&vec![0.0f32; n * p]);
        it.call(
            "matmul",
            &mut [
                Arg::Slice(&to_le_bytes(&a)),
                Arg::Slice(&to_le_bytes(&b)),
                Arg::SliceMut(&mut c),
                Arg::Val(Val::I64(n as i64)),
                Arg::Val(Val::I64(k as i64)),
                Arg::Val(Val::I64(p as i64)),
            ],
        )
        .unwrap();
        let mut want = vec![0.0f32; n * p];
        for i in 0..n {
            for j in 0..p {
                let mut acc = 0.0f32;
                for q in 0..k {
                    acc += a[i * k + q] * b[q * p + j];
                }
                want[i * p + j] = acc;
            }
        }
        assert_bits_eq(&from_le_bytes::<f32>(&c), &want);
    }
}

fn fnv1a_ref(words: &[i32]) -> i32 {
    let mut h: u32 = 0x811c9dc5;
    for w in words {
        for byte in w.to_le_bytes() {
            h = (h ^ byte as u32).wrapping_mul(16777619);
        }
    }
    h as i32
}

fn fmix32_ref(x: i32) -> i32 {
    let mut h = x as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85ebca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2ae35);
    h ^= h >> 16;
    h as i32
}

#[test]
fn hashes_match_reference() {
    let m = kernel("hash");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(8);
    for n in [0, 1, 3, 64] {
        let x = r.i32s(n);
        let xb = to_le_bytes(&x);
        assert_eq!(ret_i64(it.call("fnv1a", &mut [Arg::Slice(&xb)]).unwrap()) as i32, fnv1a_ref(&x));
        let mut out = to_le_bytes(&vec![0i32; n]);
        it.call("hash_all", &mut [Arg::Slice(&xb), Arg::SliceMut(&mut out)]).unwrap();
        let want: Vec<i32> = x.iter().map(|&v| fmix32_ref(v ^ 0x9e3779b9u32 as i32)).collect();
        assert_eq!(from_le_bytes::<i32>(&out), want);
    }
    for v in [0, 1, -1, i32::MIN, i32::MAX, 0x12345678] {
        assert_eq!(ret_i64(it.call("fmix32", &mut [Arg::Val(Val::I32(v))]).unwrap()) as i32, fmix32_ref(v));
    }
    // The classic FNV-1a test vector: the empty input hashes to the offset basis.
    assert_eq!(fnv1a_ref(&[]) as u32, 0x811c9dc5);
}

#[test]
fn prefix_sums_match_reference() {
    let m = kernel("prefix_sum");
    let it = Interpreter::new(&m).unwrap();
    let mut r = Lcg(9);
    for n in [0, 1, 10, 500] {
        let x = r.i64s(n);
        let mut xb = to_le_bytes(&x);
        let total = ret_i64(it.call("prefix_sum", &mut [Arg::SliceMut(&mut xb)]).unwrap());
        let mut acc = 0i64;
        let want: Vec<i64> = x
            .iter()
            .map(|v| {
                acc = acc.wrapping_add(*v);
                acc
            })
            .collect();
        assert_eq!(from_le_bytes::<i64>(&xb), want, "wrapping inclusive scan");
        assert_eq!(total, acc);

        let x = r.i32s(n);
        let mut out = to_le_bytes(&vec![0i32; n]);
        let total =
            ret_i64(it.call("exclusive_scan", &mut [Arg::Slice(&to_le_bytes(&x)), Arg::SliceMut(&mut out)]).unwrap());
        let mut acc = 0i32;
        let want: Vec<i32> = x
            .iter()
            .map(|v| {
                let before = acc;
                acc = acc.wrapping_add(*v);
                before
            })
            .collect();
        assert_eq!(from_le_bytes::<i32>(&out), want);
        assert_eq!(total as i32, acc);
    }
}

// ---- language semantics at run time -------------------------------------------------------

#[test]
fn round_is_ties_away_like_rust() {
    let m = compile("export fn r(x: f32) -> f32 { return round(x); }\nexport fn r64(x: f64) -> f64 { return x.round(); }\nexport fn e(x: f32) -> f32 { return round_even(x); }");
    let it = Interpreter::new(&m).unwrap();
    let specials = [
        0.0f32,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999997,
        -0.49999997,
        1.0e7 + 0.5,
        8388607.5,
        8388608.0,
        1.0e30,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        3.4999998,
        f32::MAX,
    ];
    let mut r = Lcg(10);
    let randoms: Vec<f32> = r.f32s(500).iter().map(|v| v * 1000.0).collect();
    for &x in specials.iter().chain(&randoms) {
        let got = ret_f32(it.call("r", &mut [Arg::Val(Val::F32(x))]).unwrap());
        assert!(got.to_bits() == x.round().to_bits() || (got.is_nan() && x.is_nan()), "round({x}) = {got}");
        let got = ret_f32(it.call("e", &mut [Arg::Val(Val::F32(x))]).unwrap());
        assert!(got.to_bits() == x.round_ties_even().to_bits() || x.is_nan(), "round_even({x}) = {got}");
        let x = x as f64 + 0.5;
        let got = ret_f64(it.call("r64", &mut [Arg::Val(Val::F64(x))]).unwrap());
        assert!(got.to_bits() == x.round().to_bits() || x.is_nan(), "round({x}) = {got}");
    }
}

#[test]
fn integer_arithmetic_wraps_and_division_traps() {
    let m = compile(
        "export fn add(a: i32, b: i32) -> i32 { return a + b; }\n\
         export fn div(a: i32, b: i32) -> i32 { return a / b; }\n\
         export fn rem(a: i64, b: i64) -> i64 { return a % b; }\n\
         export fn neg(a: i32) -> i32 { return -a + abs(a) - abs(a); }\n\
         export fn shifts(a: i32, n: i64) -> i32 { return (a << n) ^ (a >> n) ^ (a >>> n); }",
    );
    let it = Interpreter::new(&m).unwrap();
    let i32v = |v| Arg::Val(Val::I32(v));
    assert_eq!(ret_i64(it.call("add", &mut [i32v(i32::MAX), i32v(1)]).unwrap()), i32::MIN as i64);
    assert_eq!(ret_i64(it.call("div", &mut [i32v(i32::MIN), i32v(-1)]).unwrap()), i32::MIN as i64);
    assert_eq!(ret_i64(it.call("div", &mut [i32v(-7), i32v(2)]).unwrap()), -3);
    assert_eq!(trap_code(it.call("div", &mut [i32v(1), i32v(0)]).unwrap_err()), TrapCode::DivByZero);
    assert_eq!(ret_i64(it.call("rem", &mut [Arg::Val(Val::I64(-7)), Arg::Val(Val::I64(2))]).unwrap()), -1);
    assert_eq!(ret_i64(it.call("rem", &mut [Arg::Val(Val::I64(i64::MIN)), Arg::Val(Val::I64(-1))]).unwrap()), 0);
    assert_eq!(
        trap_code(it.call("rem", &mut [Arg::Val(Val::I64(1)), Arg::Val(Val::I64(0))]).unwrap_err()),
        TrapCode::DivByZero
    );
    assert_eq!(ret_i64(it.call("neg", &mut [i32v(i32::MIN)]).unwrap()), i32::MIN as i64);
    for (a, n) in [(-12345i32, 3i64), (0x7fff_0001, 33), (-1, 31), (5, -1)] {
        let s = (n as u32) % 32;
        let want = a.wrapping_shl(s) ^ a.wrapping_shr(s) ^ ((a as u32) >> s) as i32;
        assert_eq!(ret_i64(it.call("shifts", &mut [i32v(a), Arg::Val(Val::I64(n))]).unwrap()) as i32, want, "{a} {n}");
    }
}

#[test]
fn casts_saturate_like_rust() {
    let m = compile(
        "export fn to_i32(x: f32) -> i32 { return x as i32; }\n\
         export fn to_i64(x: f64) -> i64 { return x as i64; }\n\
         export fn narrow(x: i64) -> i32 { return x as i32; }\n\
         export fn widen(x: i32) -> f32 { return (x as i64 + 1) as f32; }",
    );
    let it = Interpreter::new(&m).unwrap();
    for x in [0.0f32, -0.9, 2.9, 3e9, -3e9, f32::NAN, f32::INFINITY, -2147483648.0, 2147483520.0] {
        assert_eq!(ret_i64(it.call("to_i32", &mut [Arg::Val(Val::F32(x))]).unwrap()), x as i32 as i64, "{x}");
    }
    for x in [1e19f64, -1e19, f64::NAN, -0.5, 12345.678] {
        assert_eq!(ret_i64(it.call("to_i64", &mut [Arg::Val(Val::F64(x))]).unwrap()), x as i64, "{x}");
    }
    assert_eq!(ret_i64(it.call("narrow", &mut [Arg::Val(Val::I64(0x1_0000_0005))]).unwrap()), 5);
    assert_eq!(ret_f32(it.call("widen", &mut [Arg::Val(Val::I32(16777216))]).unwrap()), 16777217i64 as f32);
}

#[test]
fn min_max_propagate_nan_and_order_zeros() {
    let m = compile("export fn mn(a: f32, b: f32) -> f32 { return min(a, b); }\nexport fn mx(a: f32, b: f32) -> f32 { return a.max(b); }\nexport fn cl(x: f32) -> f32 { return clamp(x, -1.0, 1.0); }");
    let it = Interpreter::new(&m).unwrap();
    let call =
        |f: &str, a: f32, b: f32| ret_f32(it.call(f, &mut [Arg::Val(Val::F32(a)), Arg::Val(Val::F32(b))]).unwrap());
    assert!(call("mn", 1.0, f32::NAN).is_nan());
    assert!(call("mx", f32::NAN, 1.0).is_nan());
    assert_eq!(call("mn", 0.0, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(call("mx", -0.0, 0.0).to_bits(), 0.0f32.to_bits());
    let cl = |x: f32| ret_f32(it.call("cl", &mut [Arg::Val(Val::F32(x))]).unwrap());
    assert_eq!((cl(5.0), cl(-5.0), cl(0.25)), (1.0, -1.0, 0.25));
    assert!(cl(f32::NAN).is_nan());
}

#[test]
fn logical_operators_short_circuit() {
    // The right operand would trap (division by zero, out of bounds) if it were evaluated.
    let m = compile(
        "export fn safe_div(a: i32, b: i32) -> bool { return b != 0 && a / b > 1; }\n\
         export fn first_or_zero(x: [f32]) -> f32 { if x.len() == 0 || x[0] < 0.0 { return 0.0; } return x[0]; }\n\
         export fn not(a: bool, b: bool) -> bool { let c = !(a || b); return c; }",
    );
    let it = Interpreter::new(&m).unwrap();
    let r = it.call("safe_div", &mut [Arg::Val(Val::I32(5)), Arg::Val(Val::I32(0))]).unwrap();
    assert_eq!(r, Some(Val::Bool(false)));
    let r = it.call("safe_div", &mut [Arg::Val(Val::I32(5)), Arg::Val(Val::I32(2))]).unwrap();
    assert_eq!(r, Some(Val::Bool(true)));
    assert_eq!(ret_f32(it.call("first_or_zero", &mut [Arg::Slice(&[])]).unwrap()), 0.0);
    assert_eq!(ret_f32(it.call("first_or_zero", &mut [Arg::Slice(&to_le_bytes(&[2.5f32]))]).unwrap()), 2.5);
    for (a, b) in [(false, false), (true, false), (false, true)] {
        let r = it.call("not", &mut [Arg::Val(Val::Bool(a)), Arg::Val(Val::Bool(b))]).unwrap();
        assert_eq!(r, Some(Val::Bool(!(a || b))));
    }
}

#[test]
fn for_bounds_are_evaluated_once_and_loops_nest() {
    let m = compile(
        "export fn f(n: i64) -> i64 {\n\
             let mut m = n;\n\
             let mut count = 0;\n\
             for i in 0..m { m = 0; count += i; }\n\
             let mut j = 10;\n\
             while true { j -= 1; if j < 3 { break; } if j % 2 == 0 { continue; } count += 100; }\n\
             loop { count += 1000; if count > 5000 { break; } }\n\
             for k in 5..2 { count = -1; }\n\
             return count;\n\
         }",
    );
    let it = Interpreter::new(&m).unwrap();
    let mut want = 0i64;
    for i in 0..6 {
        want += i;
    }
    let mut j = 10;
    loop {
        j -= 1;
        if j < 3 {
            break;
        }
        if j % 2 == 0 {
            continue;
        }
        want += 100;
    }
    loop {
        want += 1000;
        if want > 5000 {
            break;
        }
    }
    assert_eq!(ret_i64(it.call("f", &mut [Arg::Val(Val::I64(6))]).unwrap()), want);
}

#[test]
fn host_functions_are_called() {
    let m = compile("extern fn twice(x: f32) -> f32;\nexport fn f(x: [f32], y: mut [f32]) { for i in 0..x.len() { y[i] = twice(x[i]) + 1.0; } }");
    let it = Interpreter::new(&m).unwrap().with_host("twice", |a: &[Val]| Ok(a[0].as_f32().map(|v| Val::F32(v * 2.0))));
    let x = to_le_bytes(&[1.0f32, 2.0]);
    let mut y = to_le_bytes(&[0.0f32; 2]);
    it.call("f", &mut [Arg::Slice(&x), Arg::SliceMut(&mut y)]).unwrap();
    assert_eq!(from_le_bytes::<f32>(&y), vec![3.0, 5.0]);
}

#[test]
fn recursion_runs() {
    let m = compile("export fn fib(n: i64) -> i64 { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }");
    let it = Interpreter::new(&m).unwrap();
    assert_eq!(ret_i64(it.call("fib", &mut [Arg::Val(Val::I64(15))]).unwrap()), 610);
}

#[test]
fn assignment_evaluates_the_value_before_the_place() {
    // `a[i] = g(a)` with i out of bounds: g runs (and writes a[0]) before the bounds check traps.
    let m = compile(
        "fn g(a: mut [i32]) -> i32 { a[0] = 7; return 1; }\nexport fn f(a: mut [i32], i: i64) { a[i] = g(a); }",
    );
    let it = Interpreter::new(&m).unwrap();
    let mut a = to_le_bytes(&[0i32; 2]);
    let e = it.call("f", &mut [Arg::SliceMut(&mut a), Arg::Val(Val::I64(5))]).unwrap_err();
    assert_eq!(trap_code(e), TrapCode::OutOfBounds);
    assert_eq!(from_le_bytes::<i32>(&a), vec![7, 0]);
}
