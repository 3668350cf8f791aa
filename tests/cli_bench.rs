//! `strata bench`, driven as a user drives it: the table and the JSON agree with what was
//! asked (tiers, element counts, ratios), and bad input exits 1 with a clear message. The
//! time budget per tier is a few milliseconds (STRATA_BENCH_BUDGET_MS) so the tests stay fast.

use serde_json::Value as Json;
use std::process::Command;

fn strata(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .env("STRATA_BENCH_BUDGET_MS", "5")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the strata binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn bench_json(args: &[&str]) -> Json {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.push("--json");
    let (code, out, err) = strata(&all);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn num(j: &Json) -> f64 {
    j.as_f64().unwrap_or_else(|| panic!("expected a number, got {j}"))
}

#[test]
fn json_has_every_tier_with_consistent_numbers() {
    let j = bench_json(&["examples/kernels/dot.sk", "--fn", "dot", "--size", "300"]);
    assert_eq!(j["function"], "dot");
    assert_eq!(j["elements"], 300);
    let tiers = j["tiers"].as_array().expect("tiers array");
    let names: Vec<_> = tiers.iter().map(|t| t["tier"].as_str().unwrap_or("?")).collect();
    let expected: Vec<_> = strata_runtime::available_tiers().iter().map(|t| t.name()).collect();
    assert_eq!(names, expected);
    let mut min_ratio = f64::INFINITY;
    for t in tiers {
        let per_call = num(&t["ns_per_call"]);
        assert!(per_call > 0.0, "{t}");
        assert!((num(&t["ns_per_element"]) - per_call / 300.0).abs() < 1e-6 * per_call, "{t}");
        assert!(num(&t["compile_cold_ms"]) > 0.0 && num(&t["compile_warm_ms"]) > 0.0, "{t}");
        assert!(num(&t["samples"]) >= 3.0 && num(&t["iterations_per_sample"]) >= 1.0, "{t}");
        let ratio = num(&t["ratio_to_fastest"]);
        assert!(ratio >= 1.0, "{t}");
        min_ratio = min_ratio.min(ratio);
    }
    assert_eq!(min_ratio, 1.0);
    // With both JIT tiers, the break-even point is a count of calls or null (tier 2 slower).
    if expected.contains(&"baseline") && expected.contains(&"optimized") {
        let b = &j["break_even_calls"];
        assert!(b.is_null() || num(b) >= 0.0, "{j}");
    }
}

#[test]
fn explicit_args_and_tier_list() {
    let j = bench_json(&[
        "examples/kernels/ola.sk",
        "--fn",
        "ola",
        "--tiers",
        "interpreter",
        "--args",
        "[[0.5, 1.0, -2.0, 4.0], [0.0, 1.0, 0.5, 1.0], [1.0, 1.0, 1.0, 1.0], 2.0, -0.75, 0.75]",
    ]);
    assert_eq!(j["elements"], 4);
    assert_eq!(j["tiers"].as_array().map(Vec::len), Some(1));
    assert_eq!(j["tiers"][0]["tier"], "interpreter");
    assert!(j["break_even_calls"].is_null());
}

#[test]
fn scalar_only_function_has_no_per_element_time() {
    let j = bench_json(&["examples/kernels/hash.sk", "--fn", "fmix32", "--size", "10", "--tiers", "interpreter"]);
    assert!(j["elements"].is_null());
    assert!(j["tiers"][0]["ns_per_element"].is_null());
}

#[test]
fn table_names_tiers_and_ratio() {
    let (code, out, err) = strata(&["bench", "examples/kernels/stats.sk", "--fn", "energy", "--size", "64"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("examples/kernels/stats.sk --fn energy, 64 elements\n"), "{out}");
    for t in strata_runtime::available_tiers() {
        assert!(out.lines().any(|l| l.starts_with(t.name())), "{t} missing:\n{out}");
    }
    assert!(out.contains("1.00x"), "{out}");
    // Not a terminal: no progress bar drawn on stderr.
    assert!(err.is_empty(), "stderr: {err}");
}

#[test]
fn bad_input_exits_1_with_a_message() {
    let cases: [(&[&str], &str); 7] = [
        (&["bench", "nope.sk", "--fn", "f", "--size", "4"], "nope.sk"),
        (&["bench", "examples/kernels/ola.sk", "--fn", "olx", "--size", "4"], "no exported function `olx`"),
        (&["bench", "examples/kernels/ola.sk", "--fn", "ola"], "--args JSON, or --size N"),
        (&["bench", "examples/kernels/ola.sk", "--fn", "ola", "--args", "[1]"], "takes 6 argument(s)"),
        (&["bench", "examples/kernels/ola.sk", "--fn", "ola", "--args", "[[1"], "not valid JSON"),
        (&["bench", "examples/kernels/ola.sk", "--fn", "ola", "--size", "4", "--tiers", "fast"], "unknown tier `fast`"),
        (&["bench", "examples/kernels/dot.sk", "--fn", "dot", "--size", "usize::MAX"], "invalid value"),
    ];
    for (args, msg) in cases {
        let (code, out, err) = strata(args);
        // clap's own usage errors exit 2; everything Strata checks exits 1.
        let want = if msg == "invalid value" { 2 } else { 1 };
        assert_eq!(code, want, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(msg), "{args:?}: stderr was {err}");
    }
}

#[test]
fn trap_exits_3() {
    let (code, _, err) = strata(&[
        "bench",
        "tests/corpus/arith_int.sir",
        "--fn",
        "sdiv32",
        "--args",
        "[1, 0]",
        "--tiers",
        "interpreter",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("div_by_zero"), "{err}");
}

#[test]
fn specialized_function_takes_only_the_unbound_parameters() {
    let spec = ["--specialize", "taps=[0.5, 0.25]", "--tiers", "interpreter"];
    let mut args = vec!["examples/kernels/fir.sk", "--fn", "fir", "--size", "50"];
    args.extend_from_slice(&spec);
    assert_eq!(bench_json(&args)["elements"], 50);
    // --args gives x and y only; taps is bound.
    let mut args = vec!["examples/kernels/fir.sk", "--fn", "fir", "--args", "[[1, 2, 3], [0, 0, 0]]"];
    args.extend_from_slice(&spec);
    assert_eq!(bench_json(&args)["elements"], 3);
    // Binding a parameter the function lacks is bad input.
    let (code, _, err) =
        strata(&["bench", "examples/kernels/fir.sk", "--fn", "fir", "--size", "4", "--specialize", "nope=1"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nope"), "{err}");
}
