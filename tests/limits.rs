//! Resource limits and bad input, end to end: each case gives a clear error or a trap within
//! bounded time on every tier this build includes — a 100k-instruction function, 64 nested
//! loops, recursion without end (with big frames, on the test thread's small native stack),
//! giant constants, and non-UTF-8 source.

use std::time::{Duration, Instant};
use strata_ir::interp::Val;
use strata_ir::{FunctionBuilder, Linkage, Module, Opcode, Param, Signature, TrapCode, Type};
use strata_testgen::run::{self, Config, Input, Outcome, REFERENCE};

fn all_configs() -> Vec<Config> {
    std::iter::once(REFERENCE).chain(run::configs()).collect()
}

/// Runs `name` on every configuration and returns the outcomes with their labels.
fn everywhere(m: &Module, name: &str, inputs: &[Input], limit: Duration) -> Vec<(String, Outcome)> {
    all_configs()
        .into_iter()
        .map(|c| {
            eprintln!("{name} on {}", c.label());
            let t = Instant::now();
            let out = match run::compile(m, c) {
                Ok(cm) => run::call(&cm, name, inputs),
                Err(e) => Outcome::Failed(e),
            };
            let took = t.elapsed();
            assert!(took < limit, "{} took {took:?} (limit {limit:?})", c.label());
            (c.label(), out)
        })
        .collect()
}

#[test]
fn a_function_with_100k_instructions_compiles_and_runs_on_every_tier() {
    // x = x * 3 + i, 50k times: 100k arithmetic instructions plus constants, one block.
    let mut f = strata_ir::Function::new(
        "big",
        Linkage::Export,
        Signature::new(vec![Param::scalar("x", Type::I64)], Some(Type::I64)),
    );
    let n = 50_000;
    {
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let three = b.iconst(Type::I64, 3);
        let mut x = p[0];
        for i in 0..n {
            let k = b.iconst(Type::I64, i);
            let m = b.binary(Opcode::Imul, x, three);
            x = b.binary(Opcode::Bxor, m, k);
        }
        b.ret(Some(x));
        b.finalize().unwrap();
    }
    assert!(f.inst_count() >= 100_000 + n as usize);
    let mut m = Module::new();
    m.add_function(f);
    let mut want = 5i64;
    for i in 0..n {
        want = want.wrapping_mul(3) ^ i;
    }
    // Only the fast configurations: LLVM's -O2 pipeline on 150k instructions is slow in a
    // debug build and is what the (release) ci/fuzz runs cover.
    for c in [REFERENCE, Config { tier: strata_runtime::Tier::Baseline, pipeline: "-O0" }] {
        if !strata_runtime::available_tiers().contains(&c.tier) {
            continue;
        }
        let t = Instant::now();
        let cm = run::compile(&m, c).unwrap_or_else(|e| panic!("{e}"));
        let got = run::call(&cm, "big", &[Input::Scalar(Val::I64(5))]);
        assert_eq!(got, Outcome::Returned { ret: Some(Val::I64(want)), slices: vec![] }, "{}", c.label());
        assert!(t.elapsed() < Duration::from_secs(20), "{} took {:?}", c.label(), t.elapsed());
    }
}

#[test]
fn sixty_four_nested_loops_compile_and_agree() {
    // for i0 in 0..1 { for i1 in 0..1 { … for i63 in 0..3 { acc += i63 + 1 } … } }
    let depth = 64;
    let mut src = String::from("export fn nest(n: i64) -> i64 {\n    let mut acc: i64 = 0;\n");
    for d in 0..depth {
        let hi = if d == depth - 1 { "n" } else { "1" };
        src += &format!("for i{d} in 0..{hi} {{\n");
    }
    src += &format!("acc += i{} + 1;\n", depth - 1);
    for _ in 0..depth {
        src += "}\n";
    }
    src += "return acc;\n}\n";
    let m = strata_frontend::compile_source("nest.sk", &src).unwrap_or_else(|e| panic!("{e}"));
    let outs = everywhere(&m, "nest", &[Input::Scalar(Val::I64(3))], Duration::from_secs(30));
    for (label, o) in outs {
        assert_eq!(o, Outcome::Returned { ret: Some(Val::I64(6)), slices: vec![] }, "{label}");
    }
}

#[test]
fn endless_recursion_traps_stack_overflow_on_every_tier() {
    // Each frame has a 4 KiB stack slot it writes (so it can't be optimized away); the test
    // thread's native stack is only 2 MiB, so the depth limit must come first.
    let src = "\
export fn @down(n: i64) -> i64 {
    ss0 = stack_slot 4096, align 8
block0(v0: i64):
    v1 = stack_addr.ptr ss0
    v2 = iconst.i64 8
    v3 = iconst.i64 512
    v4 = urem.i64 v0, v3
    v5 = imul.i64 v4, v2
    store v1, v5, v0
    v6 = iconst.i64 1
    v7 = iadd.i64 v0, v6
    v8 = call.i64 @down(v7)
    v9 = load.i64 v1, v5
    v10 = iadd.i64 v8, v9
    return v10
}
";
    let m = strata_ir::parse_module(src).unwrap();
    strata_ir::verify_module(&m).unwrap();
    let outs = everywhere(&m, "down", &[Input::Scalar(Val::I64(0))], Duration::from_secs(30));
    for (label, o) in outs {
        assert_eq!(o, Outcome::Trapped(TrapCode::StackOverflow), "{label}");
    }
}

#[test]
fn giant_constants_are_clear_errors_or_exact() {
    // IR text: out-of-range literals are parse errors that say where.
    for (src, what) in [
        ("export fn @f() -> i64 {\nblock0:\n    v0 = iconst.i64 99999999999999999999999\n    return v0\n}\n", "iconst"),
        ("export fn @f() -> i8 {\nblock0:\n    v0 = iconst.i8 256\n    return v0\n}\n", "i8"),
        ("export fn @f() -> f32 {\nblock0:\n    v0 = fconst.f32 1e39\n    return v0\n}\n", "f32"),
        ("export fn @f() -> i64 {\nblock0:\n    v0 = iconst.i64 0x1ffffffffffffffff\n    return v0\n}\n", "hex"),
    ] {
        let e = strata_ir::parse_module(src).err().unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(e.to_string().contains('3'), "{what}: error does not name line 3: {e}");
    }
    // Kernel source: a literal too big for its type is a diagnostic, not a wrap.
    let e = strata_frontend::compile_source("big.sk", "export fn f() -> i32 { return 99999999999; }\n")
        .err()
        .expect("rejected");
    assert!(e.to_string().contains("big.sk:1"), "{e}");
    let e = strata_frontend::compile_source("big.sk", "export fn f() -> i64 { return 999999999999999999999999; }\n")
        .err()
        .expect("rejected");
    assert!(!e.is_empty());
    // Extremes that do fit are exact on every tier.
    let src = "export fn @f() -> i64 {\nblock0:\n    v0 = iconst.i64 -9223372036854775808\n    v1 = iconst.i64 0xffffffffffffffff\n    v2 = iadd.i64 v0, v1\n    return v2\n}\n";
    let m = strata_ir::parse_module(src).unwrap();
    for (label, o) in everywhere(&m, "f", &[], Duration::from_secs(30)) {
        assert_eq!(o, Outcome::Returned { ret: Some(Val::I64(i64::MAX)), slices: vec![] }, "{label}");
    }
    // A large data object (1 MiB) compiles on every tier and reads back exactly.
    let mut m = strata_ir::parse_module(
        "data @big: i8 = [0]\nexport fn @g(i: i64) -> i8 {\nblock0(v0: i64):\n    v1 = data_addr.ptr @big\n    v2 = iconst.i64 1048576\n    bounds_check v0, v2\n    v3 = load.i8 v1, v0\n    return v3\n}\n",
    )
    .unwrap();
    let id = m.data_by_name("big").unwrap();
    m.data[id].bytes = (0..1u32 << 20).map(|i| (i.wrapping_mul(7) >> 3) as u8).collect();
    strata_ir::verify_module(&m).unwrap();
    let last = (1u32 << 20) - 1;
    for (label, o) in everywhere(&m, "g", &[Input::Scalar(Val::I64(last as i64))], Duration::from_secs(30)) {
        let want = Val::I8((last.wrapping_mul(7) >> 3) as u8 as i8);
        assert_eq!(o, Outcome::Returned { ret: Some(want), slices: vec![] }, "{label}");
    }
}

#[test]
fn non_utf8_source_is_a_clear_error() {
    let bytes = b"export fn f() -> i32 {\n    return 1; \xff\xfe\n}\n";
    let e = strata_frontend::compile_bytes("bad.sk", bytes).err().expect("rejected");
    let text = e.to_string();
    assert!(text.contains("UTF-8") || text.contains("utf-8") || text.contains("utf8"), "{text}");
    assert!(text.contains("bad.sk:2"), "{text}");
    // Through the facade's loader, for both source kinds.
    let dir = std::env::temp_dir().join(format!("strata-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["bad.sk", "bad.sir"] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = strata::source::load_file(&p, false).err().unwrap_or_else(|| panic!("{name} accepted"));
        let msg = e.to_string();
        assert!(msg.to_lowercase().contains("utf-8") || msg.to_lowercase().contains("utf8"), "{name}: {msg}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
