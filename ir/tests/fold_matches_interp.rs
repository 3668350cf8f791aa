//! Random straight-line programs over constants and parameters: the interpreter must give
//! the same bits (results are bitcast to integers, so NaN payloads count too) and the same
//! traps before and after `-O2`, whose constant folding evaluates the same operations at
//! compile time.

use proptest::prelude::*;
use strata_ir::interp::{Interpreter, Val};
use strata_ir::parse_module;
use strata_ir::passes::{run_pipeline, PassOptions};

const INT_OPS: &[&str] = &[
    "iadd", "isub", "imul", "sdiv", "udiv", "srem", "urem", "smin", "smax", "umin", "umax", "band", "bor", "bxor",
    "shl", "lshr", "ashr",
];
const INT_UNARY: &[&str] = &["ineg", "bnot", "popcnt", "clz", "ctz"];
const FLOAT_OPS: &[&str] = &["fadd", "fsub", "fmul", "fdiv", "fmin", "fmax", "fcopysign"];
const FLOAT_UNARY: &[&str] = &["fneg", "fabs", "fsqrt", "ffloor", "fceil", "ftrunc", "fnearest"];
const INT_CONSTS: &[i64] = &[0, 1, -1, 2, 31, 32, -128, 127, 255, i32::MIN as i64, i32::MAX as i64, 7, i64::MIN, 64];
const FLOAT_CONSTS: &[&str] = &["0.0", "-0.0", "1.0", "-1.5", "0.1", "inf", "-inf", "nan", "SNAN", "1e-45", "3.5"];

/// One generated step: (kind, op choice, operand choices, constant choice).
type Step = (u8, usize, usize, usize, usize);

/// `v` as a signed literal of `ty`.
fn truncate(ty: &str, v: i64) -> i64 {
    match ty {
        "i8" => v as i8 as i64,
        "i16" => v as i16 as i64,
        "i32" => v as i32 as i64,
        _ => v,
    }
}

/// A signalling NaN with a payload of the right width for `SNAN`, else `lit`.
fn float_lit(ty: &str, lit: &str) -> String {
    match (lit, ty) {
        ("SNAN", "f32") => "nan:0x7fa00001".to_string(),
        ("SNAN", _) => "nan:0x7ff4000000000001".to_string(),
        _ => lit.to_string(),
    }
}

fn build(int_ty: &str, float_ty: &str, steps: &[Step]) -> String {
    let (bits_ty, fbits) = if float_ty == "f32" { ("i32", "f32") } else { ("i64", "f64") };
    let mut body = String::new();
    let mut ints = vec!["v0".to_string()];
    let mut floats = vec!["v1".to_string()];
    let mut bools: Vec<String> = Vec::new();
    let mut n = 2;
    let mut fresh = |body: &mut String, text: String| {
        let v = format!("v{n}");
        n += 1;
        body.push_str(&format!("    {v} = {text}\n"));
        v
    };
    for &(kind, op, a, b, c) in steps {
        let ia = ints[a % ints.len()].clone();
        let ib = ints[b % ints.len()].clone();
        let fa = floats[a % floats.len()].clone();
        let fb = floats[b % floats.len()].clone();
        match kind % 9 {
            0 => ints.push(fresh(
                &mut body,
                format!("iconst.{int_ty} {}", truncate(int_ty, INT_CONSTS[c % INT_CONSTS.len()])),
            )),
            1 => floats.push(fresh(
                &mut body,
                format!("fconst.{fbits} {}", float_lit(fbits, FLOAT_CONSTS[c % FLOAT_CONSTS.len()])),
            )),
            2 | 3 => ints.push(fresh(&mut body, format!("{}.{int_ty} {ia}, {ib}", INT_OPS[op % INT_OPS.len()]))),
            4 => ints.push(fresh(&mut body, format!("{}.{int_ty} {ia}", INT_UNARY[op % INT_UNARY.len()]))),
            5 => floats.push(fresh(&mut body, format!("{}.{fbits} {fa}, {fb}", FLOAT_OPS[op % FLOAT_OPS.len()]))),
            6 => floats.push(fresh(&mut body, format!("{}.{fbits} {fa}", FLOAT_UNARY[op % FLOAT_UNARY.len()]))),
            7 => {
                let conv = ["fptosi", "fptoui"][op % 2];
                ints.push(fresh(&mut body, format!("{conv}.{int_ty} {fa}")));
                floats.push(fresh(&mut body, format!("sitofp.{fbits} {ia}")));
                bools.push(fresh(&mut body, format!("icmp.bool {} {ia}, {ib}", ["slt", "ult", "eq", "sge"][op % 4])));
                bools.push(fresh(&mut body, format!("fcmp.bool {} {fa}, {fb}", ["lt", "ne", "uno", "ge"][op % 4])));
            }
            _ => {
                if let Some(cnd) = bools.get(c % bools.len().max(1)).cloned() {
                    ints.push(fresh(&mut body, format!("select.{int_ty} {cnd}, {ia}, {ib}")));
                    floats.push(fresh(&mut body, format!("select.{fbits} {cnd}, {fa}, {fb}")));
                }
            }
        }
    }
    // Combine everything into the result so nothing is dead.
    let mut acc = ints[0].clone();
    for v in ints.clone().iter().skip(1) {
        acc = fresh(&mut body, format!("bxor.{int_ty} {acc}, {v}"));
    }
    let mut facc = fresh(&mut body, format!("bitcast.{bits_ty} {}", floats[0]));
    for v in floats.clone().iter().skip(1) {
        let b = fresh(&mut body, format!("bitcast.{bits_ty} {v}"));
        facc = fresh(&mut body, format!("bxor.{bits_ty} {facc}, {b}"));
    }
    let wide = if int_ty == "i64" { acc } else { fresh(&mut body, format!("sext.i64 {acc}")) };
    let fwide = if bits_ty == "i64" { facc } else { fresh(&mut body, format!("zext.i64 {facc}")) };
    let mut res = fresh(&mut body, format!("imul.i64 {fwide}, {wide}"));
    for cnd in &bools {
        let z = fresh(&mut body, format!("zext.i64 {cnd}"));
        res = fresh(&mut body, format!("iadd.i64 {res}, {z}"));
    }
    format!("export fn @f(a: {int_ty}, x: {float_ty}) -> i64 {{\nblock0(v0: {int_ty}, v1: {float_ty}):\n{body}    return {res}\n}}\n")
}

fn run(text: &str, a: Val, x: Val) -> Result<String, String> {
    let m = parse_module(text).map_err(|e| format!("parse: {e}\n{text}"))?;
    let mut opt = m.clone();
    let opts = PassOptions { verify: true, ..PassOptions::default() };
    run_pipeline(&mut opt, "-O2", &opts).map_err(|e| format!("{e}\n{text}"))?;
    let call = |m: &strata_ir::Module| -> String {
        match Interpreter::new(m) {
            Ok(i) => format!("{:?}", i.call("f", &mut [a.into(), x.into()])),
            Err(e) => format!("{e:?}"),
        }
    };
    Ok(format!("{}\n=== optimized\n{}", call(&m), call(&opt)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn folding_matches_interpretation(
        ty in 0usize..4,
        steps in prop::collection::vec((0u8..9, 0usize..32, 0usize..64, 0usize..64, 0usize..64), 1..40),
        a in prop::sample::select(vec![0i64, 1, -1, 5, i64::MIN, 1 << 40]),
        x in prop::sample::select(vec![0.0f64, -0.0, 2.5, f64::NAN, -1e300]),
    ) {
        let (int_ty, float_ty) = [("i32", "f32"), ("i64", "f64"), ("i8", "f64"), ("i16", "f32")][ty];
        let text = build(int_ty, float_ty, &steps);
        let av = match int_ty { "i8" => Val::I8(a as i8), "i16" => Val::I16(a as i16), "i32" => Val::I32(a as i32), _ => Val::I64(a) };
        let xv = if float_ty == "f32" { Val::F32(x as f32) } else { Val::F64(x) };
        let out = run(&text, av, xv);
        prop_assert!(out.is_ok(), "{:?}", out);
        let out = out.unwrap_or_default();
        let (before, after) = out.split_once("\n=== optimized\n").unwrap_or(("", "?"));
        prop_assert_eq!(before, after, "{}", text);
    }
}

/// A loop with a conditional entry, a diamond in its body and random integer code that
/// mixes invariants (parameters, constants), the induction variable and the accumulator,
/// including divisions that may trap: exercises const-fold on branches, gvn, licm (with
/// preheader creation) and dce together.
fn build_loop(steps: &[Step], entry_const: Option<bool>, trip: i64) -> String {
    let mut body = String::new();
    // v0 = a, v1 = b (params); v2 = i, v3 = acc (header params).
    let mut vals = vec!["v0".to_string(), "v1".to_string(), "v2".to_string(), "v3".to_string()];
    let mut arm = String::new();
    let mut n = 10;
    let mut fresh = |out: &mut String, text: String| {
        let v = format!("v{n}");
        n += 1;
        out.push_str(&format!("    {v} = {text}\n"));
        v
    };
    for &(kind, op, a, b, c) in steps {
        let x = vals[a % vals.len()].clone();
        let y = vals[b % vals.len()].clone();
        let v = match kind % 4 {
            0 => fresh(&mut body, format!("iconst.i32 {}", truncate("i32", INT_CONSTS[c % INT_CONSTS.len()]))),
            1 | 2 => fresh(&mut body, format!("{}.i32 {x}, {y}", INT_OPS[op % INT_OPS.len()])),
            _ => fresh(&mut body, format!("{}.i32 {x}", INT_UNARY[op % INT_UNARY.len()])),
        };
        vals.push(v);
    }
    let pick = |k: usize| vals[k % vals.len()].clone();
    let last = vals.last().cloned().unwrap_or_else(|| "v3".to_string());
    let cnd = fresh(&mut body, format!("icmp.bool slt {}, {}", pick(steps.len() * 7 + 1), pick(steps.len() * 3)));
    let s = fresh(&mut arm, "imul.i32 v0, v1".to_string());
    let t = fresh(&mut arm, format!("iadd.i32 {s}, {last}"));
    let entry = match entry_const {
        Some(k) => format!("    v5 = bconst.bool {k}\n"),
        None => "    v5 = icmp.bool sgt v0, v1\n".to_string(),
    };
    format!(
        "export fn @f(a: i32, b: i32) -> i32 {{\n\
         block0(v0: i32, v1: i32):\n\
         \x20   v4 = iconst.i32 0\n{entry}\
         \x20   brif v5, block1(v4, v4), block5(v1)\n\
         block1(v2: i32, v3: i32):\n{body}\
         \x20   brif {cnd}, block2, block3\n\
         block2:\n{arm}\
         \x20   br block4({t})\n\
         block3:\n\
         \x20   br block4({last})\n\
         block4(v6: i32):\n\
         \x20   v7 = iconst.i32 1\n\
         \x20   v8 = iadd.i32 v2, v7\n\
         \x20   v9 = iconst.i32 {trip}\n\
         \x20   v99 = icmp.bool slt v8, v9\n\
         \x20   brif v99, block1(v8, v6), block5(v6)\n\
         block5(v98: i32):\n\
         \x20   return v98\n\
         }}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn loops_keep_their_meaning(
        steps in prop::collection::vec((0u8..4, 0usize..32, 0usize..64, 0usize..64, 0usize..64), 1..25),
        entry in prop::sample::select(vec![None, Some(true), Some(false)]),
        trip in 0i64..6,
        a in prop::sample::select(vec![0i32, 1, -1, 5, i32::MIN, 77]),
        b in prop::sample::select(vec![0i32, 2, -3, i32::MAX]),
    ) {
        let text = build_loop(&steps, entry, trip);
        let out = run(&text, Val::I32(a), Val::I32(b));
        prop_assert!(out.is_ok(), "{:?}", out);
        let out = out.unwrap_or_default();
        let (before, after) = out.split_once("\n=== optimized\n").unwrap_or(("", "?"));
        prop_assert_eq!(before, after, "{}", text);
    }
}
