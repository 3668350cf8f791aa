//! `fmin`/`fmax` against a constant operand (the clamp bounds of a specialized kernel) take a
//! shorter lowering when the constant is neither NaN nor ±0; these tests hold it to the
//! IEEE-754-2019 minimum/maximum the interpreter computes, for constants on either side and
//! for the constants (0, −0, NaN) that must keep the general lowering.

mod common;
use common::*;
use strata_ir::text::parse_module;

const XS: [f64; 12] = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-310, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 3.0, 2.4];
const CONSTS: [&str; 8] = ["2.5", "-1.0", "0.0", "-0.0", "inf", "-inf", "nan", "1e-40"];

fn check(ty: &str) {
    for c in CONSTS {
        for op in ["fmin", "fmax"] {
            for const_first in [false, true] {
                let (a, b) = if const_first { ("v1", "v0") } else { ("v0", "v1") };
                let text = format!(
                    "export fn @f(x: {ty}) -> {ty} {{\nblock0(v0: {ty}):\n    v1 = fconst.{ty} {c}\n    v2 = {op}.{ty} {a}, {b}\n    return v2\n}}\n"
                );
                let m = parse_module(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
                for compiled in compile_levels(&m) {
                    let f = func(&compiled, "f");
                    for x in XS {
                        let (got, want) = if ty == "f32" {
                            let cv: f32 = parse_const(c) as f32;
                            let x = x as f32;
                            let want = if op == "fmin" { minimum_f32(x, cv) } else { maximum_f32(x, cv) };
                            let got = slot_f32(call_ok(&f, &[f32_slot(x)]));
                            (same_f32(got, want), format!("{got:?} want {want:?}"))
                        } else {
                            let cv = parse_const(c);
                            let want = if op == "fmin" { minimum_f64(x, cv) } else { maximum_f64(x, cv) };
                            let got = slot_f64(call_ok(&f, &[f64_slot(x)]));
                            (same_f64(got, want), format!("{got:?} want {want:?}"))
                        };
                        assert!(got, "{op}.{ty} {a},{b} with c = {c}, x = {x:?}: {want}");
                    }
                }
            }
        }
    }
}

fn parse_const(c: &str) -> f64 {
    match c {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" => f64::NAN,
        s => s.parse().unwrap_or(f64::NAN),
    }
}

#[test]
fn f32_min_max_against_constants() {
    check("f32");
}

#[test]
fn f64_min_max_against_constants() {
    check("f64");
}
