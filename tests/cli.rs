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
    assert!(err.contains("no function `nope`") && err.contains("exported: sumsq"), "{err}");
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
