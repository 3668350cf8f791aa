//! The specialized overlap-add (window, gain and clamp bounds bound to constants, the trip
//! count the window's length) compiles on x86-64 with AVX2 to a constant-trip-count loop of
//! 256-bit vectors with one `maxps`/`minps` per clamp: what makes it faster than native Rust.
//! Being a leaf, its only per-call cost before the length checks is one test of the depth.

use strata_ir::interp::Val;
use strata_ir::passes::{run_pipeline, specialize, Binding, PassOptions};
use strata_ir::text::parse_module;
use strata_ir::Type;
use strata_llvm::{emit, EmitKind, LlvmOptions};

/// `out[i] += clamp(a[i] * b[i] * g, lo, hi)` for `i` in `0..b.len()`.
const OLA_FIXED: &str = "export fn @f(a: [f32], b: [f32], out: mut [f32], g: f32, lo: f32, hi: f32) {
block0(v0: ptr, v1: i64, v2: ptr, v3: i64, v4: ptr, v5: i64, v6: f32, v7: f32, v8: f32):
    v90 = iconst.i64 0
    v91 = iconst.i64 1
    br block1(v90)
block1(v10: i64):
    v30 = icmp.bool slt v10, v3
    brif v30, block2, block3
block2:
    v20 = iconst.i64 4
    v21 = imul.i64 v10, v20
    bounds_check v10, v1
    v22 = load.f32 v0, v21
    bounds_check v10, v3
    v23 = load.f32 v2, v21
    v24 = fmul.f32 v22, v23
    v26 = fmul.f32 v24, v6
    v27 = fmax.f32 v26, v7
    v28 = fmin.f32 v27, v8
    bounds_check v10, v5
    v29 = load.f32 v4, v21
    v31 = fadd.f32 v29, v28
    store v4, v21, v31
    v25 = iadd.i64 v10, v91
    br block1(v25)
block3:
    return
}
";

#[test]
fn specialized_ola_is_a_constant_trip_avx2_loop() {
    if !cfg!(target_arch = "x86_64") || !std::arch::is_x86_feature_detected!("avx2") {
        println!("skipped: the host has no AVX2");
        return;
    }
    let mut m = parse_module(OLA_FIXED).expect("parses");
    let win: Vec<u8> = (0..1024).flat_map(|i| (i as f32 / 1024.0).to_le_bytes()).collect();
    let bindings = [
        ("b".to_string(), Binding::Array { elem: Type::F32, bytes: win }),
        ("g".to_string(), Binding::Scalar(Val::F32(0.8))),
        ("lo".to_string(), Binding::Scalar(Val::F32(-0.5))),
        ("hi".to_string(), Binding::Scalar(Val::F32(0.5))),
    ];
    specialize(&mut m, "f", &bindings).expect("specializes");
    run_pipeline(&mut m, strata_ir::passes::O2_SELF_VECTORIZING, &PassOptions::default()).expect("optimizes");
    let asm = emit(&m, &LlvmOptions::default(), EmitKind::Assembly, None).expect("emits");
    let asm = String::from_utf8(asm).expect("utf-8");
    let ymm = |op: &str| asm.lines().any(|l| l.trim_start().starts_with(op) && l.contains("%ymm"));
    assert!(ymm("vmaxps") && ymm("vminps") && ymm("vmulps"), "{asm}");
    // Constant bounds: no IEEE minimum/maximum sequence (compare + blend) anywhere.
    assert!(!asm.contains("vblendvps"), "{asm}");
    // The checked lengths are compared once with the constant trip count.
    assert!(asm.contains("$1024"), "{asm}");
    // A leaf: the context's depth counter (offset 4) is read once on entry and never
    // written, and there is no stack probe (no `sub ..., %rsp` frame for it).
    let body = asm.split("f__strata_array_call").next().unwrap_or(&asm);
    let depth_refs: Vec<&str> = body.lines().filter(|l| l.contains(" 4(%") || l.contains("\t4(%")).collect();
    assert!(depth_refs.len() == 1 && depth_refs[0].contains("cmpl\t$0"), "depth: {depth_refs:?}\n{asm}");
    assert!(!body.contains("%rsp"), "{asm}");
}
