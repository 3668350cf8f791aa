//! `strata run|dump --specialize`: specialized runs print what the unspecialized run
//! prints (on every tier), `--args` may list only the unbound or all parameters, and bad
//! bindings exit 1 with an error naming the parameter.

use std::path::PathBuf;
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

/// A scratch file holding `text`, unique to this test process and `name`.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-cli-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scratch file");
    path
}

const OLA: &str = "examples/kernels/ola.sk";
const FULL: &str = "[[0.5, 1.0, -2.0, 3.0], [0.0, 1.0, 0.5, 0.25], [1.0, 1.0, 1.0, -1.0], 2.0, -0.75, 0.75]";

#[test]
fn specialized_runs_match_the_unspecialized_run_on_every_tier() {
    let (code, want, err) = strata(&["run", OLA, "--fn", "ola", "--args", FULL]);
    assert_eq!(code, 0, "{err}");
    assert!(want.contains("\"out\""), "{want}");
    let win = scratch("win.json", "[0.0, 1.0, 0.5, 0.25]");
    let win_arg = format!("win=@{},gain=2.0", win.display());
    let rest = "[[0.5, 1.0, -2.0, 3.0], [1.0, 1.0, 1.0, -1.0], -0.75, 0.75]";
    let mut tiers = vec!["interpreter"];
    if cfg!(feature = "cranelift") {
        tiers.push("baseline");
    }
    if cfg!(feature = "llvm") {
        tiers.push("optimized");
    }
    for tier in tiers {
        for passes in ["-O0", "-O2"] {
            let (code, out, err) = strata(&[
                "run",
                OLA,
                "--fn",
                "ola",
                "--tier",
                tier,
                "--passes",
                passes,
                "--specialize",
                &win_arg,
                "--args",
                rest,
            ]);
            assert_eq!((code, out.as_str()), (0, want.as_str()), "{tier} {passes}: {err}");
            // All parameters given: the bound positions are ignored.
            let (code, out, err) = strata(&[
                "run",
                OLA,
                "--fn",
                "ola",
                "--tier",
                tier,
                "--passes",
                passes,
                "--specialize",
                &win_arg,
                "--args",
                FULL,
            ]);
            assert_eq!((code, out.as_str()), (0, want.as_str()), "{tier} {passes} (all args): {err}");
        }
    }
}

#[test]
fn inline_arrays_and_repeated_options() {
    let (_, want, _) = strata(&["run", OLA, "--fn", "ola", "--args", FULL]);
    let (code, out, err) = strata(&[
        "run",
        OLA,
        "--fn",
        "ola",
        "--specialize",
        "win=[0.0, 1.0, 0.5, 0.25], lo=-0.75",
        "--specialize",
        "hi=0.75,gain=2",
        "--args",
        "[[0.5, 1.0, -2.0, 3.0], [1.0, 1.0, 1.0, -1.0]]",
    ]);
    assert_eq!((code, out.as_str()), (0, want.as_str()), "{err}");
}

#[test]
fn the_bound_slice_keeps_its_own_length() {
    // `frame` bound to 2 elements: the loop runs over 2 elements only.
    let (code, out, err) = strata(&[
        "run",
        OLA,
        "--fn",
        "ola",
        "--specialize",
        "frame=[0.5, 1.0]",
        "--args",
        "[[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], 1.0, -10.0, 10.0]",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"{"outputs":{"out":[0.5,1.0,0.0]},"ret":null}"#);
}

#[test]
fn bad_bindings_exit_1_and_say_what_is_wrong() {
    let missing = std::env::temp_dir().join("strata-no-such-dir-xyz/win.json");
    let missing_arg = format!("win=@{}", missing.display());
    let not_json = scratch("bad.json", "[1.0, ");
    let not_json_arg = format!("win=@{}", not_json.display());
    let cases: Vec<(&str, String)> = vec![
        ("out=[1.0]", "`out` is a `mut` slice".into()),
        ("gain=[2.0]", "--specialize gain: expected a number (f32), found an array".into()),
        ("win=2.0", "--specialize win: expected an array of f32".into()),
        ("win=[1.0, true]", "element 1: expected a number (f32), found true".into()),
        ("gainx=1", "function `ola` has no parameter `gainx`".into()),
        ("gain=1,gain=2", "parameter `gain` is bound twice".into()),
        ("gain", "`gain` is not NAME=VALUE".into()),
        ("gain=abc", "--specialize gain: the value is not valid JSON".into()),
        (missing_arg.as_str(), "cannot read".into()),
        (not_json_arg.as_str(), "is not valid JSON".into()),
    ];
    for (spec, msg) in cases {
        let (code, out, err) = strata(&["run", OLA, "--fn", "ola", "--specialize", spec, "--args", "[]"]);
        assert_eq!(code, 1, "{spec}: {err}");
        assert!(out.is_empty(), "{spec}: {out}");
        assert!(err.contains(&msg), "{spec}: expected `{msg}` in stderr, got {err}");
    }
    // Wrong argument count after specialization names the new signature.
    let (code, _, err) = strata(&["run", OLA, "--fn", "ola", "--specialize", "gain=1", "--args", "[[1.0]]"]);
    assert_eq!(code, 1);
    assert!(err.contains("(frame: [f32], win: [f32], out: mut [f32], lo: f32, hi: f32)"), "{err}");
}

#[test]
fn dump_shows_the_specialized_ir() {
    let (code, out, err) =
        strata(&["dump", OLA, "--fn", "ola", "--specialize", "win=[1.0, 2.0],gain=0.5", "--passes", "-O2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("data @ola.win: f32 = [1.0, 2.0]"), "{out}");
    assert!(out.contains("export fn @ola(frame: [f32], out: mut [f32], lo: f32, hi: f32)"), "{out}");
    assert!(out.contains("fconst.f32 0.5"), "{out}");
    let (code, _, err) = strata(&["dump", OLA, "--specialize", "gain=0.5"]);
    assert_eq!(code, 1);
    assert!(err.contains("--specialize needs --fn"), "{err}");
}

#[cfg(feature = "llvm")]
#[test]
fn build_takes_specialize_too() {
    let dir = std::env::temp_dir().join(format!("strata-cli-spec-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("ola.ll");
    let out_s = out.to_string_lossy().to_string();
    let (code, _, err) = strata(&[
        "build",
        OLA,
        "--fn",
        "ola",
        "--specialize",
        "win=[0.5, 0.25],gain=3.0",
        "--emit",
        "llvm-ir",
        "-o",
        &out_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let ir = std::fs::read_to_string(&out).expect("build wrote the LLVM IR");
    // The gain and the (two-element) window are constants LLVM folded into the code.
    assert!(ir.contains("3.000000e+00") && ir.contains("2.500000e-01"), "{ir}");
    let (code, _, err) = strata(&["build", OLA, "--specialize", "gain=3.0", "--emit", "llvm-ir", "-o", &out_s]);
    assert_eq!(code, 1);
    assert!(err.contains("--specialize needs --fn"), "{err}");
}
