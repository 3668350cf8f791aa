//! The `strata-difftest` binary end to end: worker processes (the default) give the same
//! counts as one process, and `--print-batch` prints IR that parses.

use std::process::Command;

fn difftest(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata-difftest")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// The summary line without its timing.
fn summary(stdout: &str) -> String {
    stdout.lines().last().unwrap_or("").split(" in ").next().unwrap_or("").to_string()
}

#[test]
fn worker_processes_run_the_same_programs_as_one_process() {
    for kind in ["ir", "bpf"] {
        let common = ["--kind", kind, "--seed", "0x77", "--first-program", "32", "--programs", "40", "--jobs", "2"];
        let (ok_iso, iso, err_iso) = difftest(&common);
        let mut alone = common.to_vec();
        alone.push("--no-isolate");
        let (ok_one, one, err_one) = difftest(&alone);
        assert!(ok_iso && ok_one, "{kind}:\n{iso}{err_iso}\n{one}{err_one}");
        assert_eq!(summary(&iso), summary(&one));
        assert!(summary(&iso).starts_with("40 programs"), "{iso}");
    }
}

#[test]
fn print_batch_prints_the_batch_as_parseable_ir() {
    for kind in ["ir", "bpf"] {
        let (ok, text, err) =
            difftest(&["--kind", kind, "--seed", "5", "--first-program", "64", "--programs", "3", "--print-batch"]);
        assert!(ok, "{err}");
        let m = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let want = if kind == "ir" { "p2" } else { "b2_main" };
        assert!(m.func_by_name(want).is_some(), "{kind}: no {want} in\n{text}");
    }
}
