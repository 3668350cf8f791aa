//! `fmin`/`fmax` of a computed value and an entry parameter (a clamp bound that stays the
//! same in every loop iteration) take a lowering built around compare-and-select against the
//! parameter; these tests hold it to the IEEE-754-2019 minimum/maximum the interpreter
//! computes, for every pairing of special values (±0, NaN, ±inf, denormals), the parameter
//! on either side.

mod common;
use common::*;
use strata_ir::text::parse_module;

const VALUES: [f64; 14] =
    [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-310, -1e-310, 1e-45, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 3.0, 2.4];

fn check(ty: &str) {
    for op in ["fmin", "fmax"] {
        for param_first in [false, true] {
            // v3 = x * 1.0 is x exactly (NaN stays NaN, -0 stays -0) but not a parameter.
            let (a, b) = if param_first { ("v1", "v3") } else { ("v3", "v1") };
            let text = format!(
                "export fn @f(x: {ty}, p: {ty}) -> {ty} {{\nblock0(v0: {ty}, v1: {ty}):\n    v2 = fconst.{ty} 1.0\n    \
                 v3 = fmul.{ty} v0, v2\n    v4 = {op}.{ty} {a}, {b}\n    return v4\n}}\n"
            );
            let m = parse_module(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            for compiled in compile_levels(&m) {
                let f = func(&compiled, "f");
                for x in VALUES {
                    for p in VALUES {
                        let (ok, msg) = if ty == "f32" {
                            let (x, p) = (x as f32, p as f32);
                            let want = if op == "fmin" { minimum_f32(x, p) } else { maximum_f32(x, p) };
                            let got = slot_f32(call_ok(&f, &[f32_slot(x), f32_slot(p)]));
                            (same_f32(got, want), format!("{got:?} want {want:?}"))
                        } else {
                            let want = if op == "fmin" { minimum_f64(x, p) } else { maximum_f64(x, p) };
                            let got = slot_f64(call_ok(&f, &[f64_slot(x), f64_slot(p)]));
                            (same_f64(got, want), format!("{got:?} want {want:?}"))
                        };
                        assert!(ok, "{op}.{ty} {a},{b} with x = {x:?}, p = {p:?}: {msg}");
                    }
                }
            }
        }
    }
}

#[test]
fn f32_min_max_against_parameters() {
    check("f32");
}

#[test]
fn f64_min_max_against_parameters() {
    check("f64");
}

/// `out[i] = clamp(x[i], lo, hi)` over every special value, in a loop long enough for the
/// vector body (and with a remainder for the scalar one): each lane must match the scalar
/// definition, for every pair of bounds.
#[test]
fn clamp_loop_against_parameters() {
    let text = "export fn @f(x: [f32], out: mut [f32], lo: f32, hi: f32) {
block0(v0: ptr, v1: i64, v2: ptr, v3: i64, v4: f32, v5: f32):
    v6 = iconst.i64 0
    v7 = iconst.i64 1
    v8 = iconst.i64 4
    br block1(v6)
block1(v10: i64):
    v11 = icmp.bool slt v10, v1
    brif v11, block2, block3
block2:
    bounds_check v10, v1
    v12 = imul.i64 v10, v8
    v13 = load.f32 v0, v12
    v14 = fmax.f32 v13, v4
    v15 = fmin.f32 v14, v5
    bounds_check v10, v3
    store v2, v12, v15
    v16 = iadd.i64 v10, v7
    br block1(v16)
block3:
    return
}
";
    let m = parse_module(text).unwrap_or_else(|e| panic!("{e:?}"));
    // Every value at every lane position of a 32-wide vector body, plus a remainder.
    let xs: Vec<f32> = (0..VALUES.len() * 37).map(|i| VALUES[i % VALUES.len()] as f32).collect();
    for compiled in compile_levels(&m) {
        let f = func(&compiled, "f");
        for lo in VALUES {
            for hi in VALUES {
                let (lo, hi) = (lo as f32, hi as f32);
                let mut out = vec![0.0f32; xs.len()];
                let [xp, xn] = slice_args(&xs);
                let (op, on) = (out.as_mut_ptr() as u64, out.len() as u64);
                assert!(matches!(call(&f, &[xp, xn, op, on, f32_slot(lo), f32_slot(hi)]), Ok(None)));
                for (k, (&x, &got)) in xs.iter().zip(&out).enumerate() {
                    let want = minimum_f32(maximum_f32(x, lo), hi);
                    assert!(same_f32(got, want), "clamp({x:?}, {lo:?}, {hi:?}) at {k}: {got:?} want {want:?}");
                }
            }
        }
    }
}
