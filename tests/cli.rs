//! The `strata` command line, driven as a user drives it: output JSON, exit codes, and
//! clear errors (naming the parameter, or file:line:col) for bad input.

use std::process::Command;

fn strata(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the strata binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn run_ir_file() {
    let (code, out, _) = strata(&["run", "examples/ir/sumsq.sir", "--fn", "sumsq", "--args", "[[1.0, 2.0, 3.0]]"]);
    assert_eq!((code, out.trim()), (0, r#"{"outputs":{},"ret":14.0}"#));
}

#[test]
fn run_kernel_with_outputs() {
    let args = "[[0.5, 1.0, -2.0], [0.0, 1.0, 0.5], [1.0, 1.0, 1.0], 2.0, -0.75, 0.75]";
    let (code, out, err) = strata(&["run", "examples/kernels/ola.sk", "--fn", "ola", "--args", args]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"{"outputs":{"out":[1.0,1.75,0.25]},"ret":null}"#);
}

#[test]
fn bad_arguments_name_the_parameter() {
    let cases = [
        ("[]", "function `sumsq` takes 1 argument(s) ((x: [f32]) -> f32), but 0 were given"),
        ("[1.5]", "argument 1 (`x`): expected an array of f32 for `[f32]`, found 1.5"),
        ("[[1, true]]", "argument 1 (`x`): element 1: expected a number (f32), found true"),
        ("[[1", "--args is not valid JSON"),
    ];
    for (args, msg) in cases {
        let (code, out, err) = strata(&["run", "examples/ir/sumsq.sir", "--fn", "sumsq", "--args", args]);
        assert_eq!(code, 1, "{args}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(msg), "{args}: stderr was {err}");
    }
}

#[test]
fn unknown_function_lists_exports() {
    let (code, _, err) = strata(&["run", "examples/ir/sumsq.sir", "--fn", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("no exported function `nope`") && err.contains("exported: sumsq"), "{err}");
}

#[test]
fn trap_prints_json_and_exits_3() {
    let (code, out, err) = strata(&["run", "tests/corpus/arith_int.sir", "--fn", "sdiv32", "--args", "[1, 0]"]);
    assert_eq!(code, 3);
    assert_eq!(out.trim(), r#"{"function":"sdiv32","trap":"div_by_zero"}"#);
    assert!(err.contains("div_by_zero"));
}

#[test]
fn compile_errors_have_positions() {
    let dir = std::env::temp_dir().join(format!("strata-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sk = dir.join("bad.sk");
    std::fs::write(&sk, "export fn f(x: [f32]) {\n    x[0] = 1.0;\n}\n").unwrap();
    let (code, _, err) = strata(&["check", "--color", "never", sk.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.sk:2:5"), "{err}");
    assert!(err.contains("cannot assign to `x`"), "{err}");
    let sir = dir.join("bad.sir");
    std::fs::write(&sir, "export fn @f() {\nblock0:\n    v0 = iadd.i32 v1, v1\n    return\n}\n").unwrap();
    let (code, _, err) = strata(&["run", sir.to_str().unwrap(), "--fn", "f"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.sir:3:"), "{err}");
    let (code, _, err) = strata(&["run", "Cargo.toml", "--fn", "f"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown source kind"), "{err}");
    let (code, _, err) = strata(&["run", "missing.sk", "--fn", "f"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read `missing.sk`"), "{err}");
}

#[test]
fn every_tier_prints_the_same_result() {
    let args = "[[0.5, 1.0, -2.0], [0.0, 1.0, 0.5], [1.0, 1.0, 1.0], 2.0, -0.75, 0.75]";
    let tiers: Vec<String> = strata_runtime::available_tiers().iter().map(|t| t.to_string()).collect();
    assert!(!tiers.is_empty());
    for t in &tiers {
        let (code, out, err) = strata(&["run", "examples/kernels/ola.sk", "--fn", "ola", "--args", args, "--tier", t]);
        assert_eq!(code, 0, "{t}: {err}");
        assert_eq!(out.trim(), r#"{"outputs":{"out":[1.0,1.75,0.25]},"ret":null}"#, "{t}");
        let (code, out, _) =
            strata(&["run", "tests/corpus/arith_int.sir", "--fn", "sdiv32", "--args", "[1, 0]", "--tier", t]);
        assert_eq!((code, out.trim()), (3, r#"{"function":"sdiv32","trap":"div_by_zero"}"#), "{t}");
    }
    let (code, _, err) = strata(&["run", "examples/ir/sumsq.sir", "--fn", "sumsq", "--tier", "fastest"]);
    assert_eq!(code, 2, "clap rejects unknown tiers");
    assert!(err.contains("unknown tier `fastest`"), "{err}");
}

#[test]
fn fuel_stops_endless_loops_on_every_tier() {
    let dir = std::env::temp_dir().join(format!("strata-cli-fuel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sk = dir.join("spin.sk");
    std::fs::write(
        &sk,
        "export fn spin() -> i64 {\n    let mut i = 0;\n    while true { i += 1; }\n    return i;\n}\n",
    )
    .unwrap();
    for t in strata_runtime::available_tiers() {
        let (code, out, err) =
            strata(&["run", sk.to_str().unwrap(), "--fn", "spin", "--tier", t.name(), "--fuel", "1000"]);
        assert_eq!(code, 3, "{t}: {err}");
        assert!(out.contains("fuel_exhausted"), "{t}: {out}");
    }
}

#[test]
fn dump_ir_parses_back() {
    let (code, out, err) = strata(&["dump", "examples/kernels/fir.sk", "--emit", "ir"]);
    assert_eq!(code, 0, "{err}");
    let m = strata_ir::parse_module(&out).expect("dumped IR parses");
    strata_ir::verify_module(&m).expect("dumped IR verifies");
    assert_eq!(strata_ir::print_module(&m), out.trim_end().to_string() + "\n");
}

#[cfg(all(feature = "cranelift", feature = "llvm", target_arch = "x86_64"))]
#[test]
fn dumps_of_backend_code() {
    let (code, out, _) = strata(&["dump", "examples/kernels/ola.sk", "--emit", "clif"]);
    assert_eq!(code, 0);
    assert!(out.contains("function %ola"), "{out}");
    let (code, out, _) = strata(&["dump", "examples/kernels/ola.sk", "--emit", "llvm"]);
    assert_eq!(code, 0);
    assert!(out.contains("before the pipeline") && out.contains("define"), "{out}");
    // The energy reduction (#[fastmath]) and the fused overlap-add vectorize to the widest
    // profitable registers: ymm with AVX2 (LLVM may choose zmm with AVX-512).
    if std::arch::is_x86_feature_detected!("avx2") {
        for (file, f) in [("examples/kernels/stats.sk", "energy"), ("examples/kernels/ola.sk", "ola")] {
            let (code, asm, _) = strata(&["dump", file, "--emit", "asm"]);
            assert_eq!(code, 0);
            // Exported symbols are aliases of internal bodies named `<name>$<n>`.
            let body = asm.split(&format!("\n{f}$")).nth(1).unwrap_or_default();
            let body = body.split(".Lfunc_end").next().unwrap_or_default();
            assert!(body.contains("%ymm") || body.contains("%zmm"), "{file}: no 256/512-bit vectors in `{f}`:\n{body}");
        }
    } else {
        eprintln!("skipping the AVX2 check: this CPU has no AVX2");
    }
}

#[cfg(feature = "llvm")]
#[test]
fn build_objects_and_libraries() {
    let dir = std::env::temp_dir().join(format!("strata-cli-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (emit, file, magic) in [
        ("obj", "dot.o", &b"\x7fELF"[..]),
        ("staticlib", "libdot.a", &b"!<arch>\n"[..]),
        ("cdylib", "libdot.so", &b"\x7fELF"[..]),
        ("llvm-ir", "dot.ll", &b"; ModuleID"[..]),
    ] {
        let out = dir.join(file);
        let (code, _, err) = strata(&[
            "build",
            "examples/kernels/dot.sk",
            "-o",
            out.to_str().unwrap(),
            "--emit",
            emit,
            "--opt-level",
            "2",
        ]);
        assert_eq!(code, 0, "{emit}: {err}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(magic), "{emit}: unexpected file start");
    }
    let (code, _, err) = strata(&["build", "examples/kernels/dot.sk", "-o", "/nonexistent/dir/x.o"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn passes_dumps_and_timings() {
    let args = "[[1.0, 0.0, 0.0, 0.0, 2.0], [0.5, 0.25, 0.125], [0, 0, 0, 0, 0]]";
    let (code, out, err) = strata(&[
        "run",
        "examples/kernels/fir.sk",
        "--fn",
        "fir",
        "--args",
        args,
        "--passes",
        "-O2",
        "--dump-after",
        "gvn",
        "--time-passes",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"{"outputs":{"y":[0.5,0.25,0.125,0.0,1.0]},"ret":null}"#);
    assert!(err.contains("; ---- IR after gvn ----") && err.contains("export fn @fir"), "{err}");
    for pass in ["const-fold", "gvn", "licm", "dce"] {
        assert!(err.contains(&format!(" ms  {pass}")), "no timing for {pass}: {err}");
    }
    let (code, _, err) = strata(&["dump", "examples/kernels/fir.sk", "--passes", "const-fold,nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown pass `nope`; known passes:"), "{err}");
}
