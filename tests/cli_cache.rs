//! The disk cache of tier-2 code across processes: `strata run --tier optimized
//! --cache-dir DIR` run twice compiles once and links the cached object the second time,
//! and a truncated cache file is ignored, recompiled and rewritten.
#![cfg(feature = "llvm")]

use std::path::Path;
use std::process::Command;

const ARGS: &str = "[[0.5, 1.0, -2.0], [0.0, 1.0, 0.5], [1.0, 1.0, 1.0], 2.0, -0.75, 0.75]";
const EXPECTED: &str = r#"{"outputs":{"out":[1.0,1.75,0.25]},"ret":null}"#;

/// Runs the ola kernel on tier 2 through the cache in `dir`: (exit code, stdout, stderr).
fn run_cached(dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["run", "examples/kernels/ola.sk", "--fn", "ola", "--tier", "optimized", "--args", ARGS])
        .arg("--cache-dir")
        .arg(dir)
        .env("STRATA_CACHE_STATS", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the strata binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn cache_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).expect("cache dir").map(|e| e.expect("entry").path()).collect()
}

#[test]
fn second_process_hits_and_a_truncated_file_is_rewritten() {
    let dir = std::env::temp_dir().join(format!("strata-cli-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let (code, out, err) = run_cached(&dir);
    assert_eq!((code, out.as_str()), (0, EXPECTED), "{err}");
    assert!(err.contains("cache miss"), "first run compiles: {err}");
    let files = cache_files(&dir);
    assert_eq!(files.len(), 1, "one object stored: {files:?}");
    let stored = std::fs::read(&files[0]).expect("reads the cache file");

    let (code, out, err) = run_cached(&dir);
    assert_eq!((code, out.as_str()), (0, EXPECTED), "{err}");
    assert!(err.contains("cache hit"), "second run links the cached object: {err}");

    // Truncated (as by a crash mid-write without the rename): ignored, recompiled, rewritten.
    std::fs::write(&files[0], &stored[..stored.len() / 2]).expect("truncates");
    let (code, out, err) = run_cached(&dir);
    assert_eq!((code, out.as_str()), (0, EXPECTED), "{err}");
    assert!(err.contains("cache miss (1 rejected"), "the truncated file is rejected: {err}");
    assert_eq!(std::fs::read(&files[0]).expect("rewritten").len(), stored.len());
    let (_, _, err) = run_cached(&dir);
    assert!(err.contains("cache hit"), "the rewritten file is used: {err}");

    std::fs::remove_dir_all(&dir).expect("cleans up");
}

#[test]
fn cache_dir_needs_the_optimized_tier() {
    let dir = std::env::temp_dir().join(format!("strata-cli-cache-tier-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["run", "examples/kernels/ola.sk", "--fn", "ola", "--tier", "baseline", "--args", ARGS])
        .arg("--cache-dir")
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the strata binary runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --tier optimized"));
}
