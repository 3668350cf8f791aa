//! Builds the example kernels into a temporary directory, outside cargo's build scripts.

use std::path::PathBuf;

fn kernels(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/kernels").join(name)
}

fn out_dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("strata-build-test-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn builds_library_bindings_and_header() {
    let dir = out_dir("ok");
    let a = strata_build::Build::new()
        .file(kernels("ola.sk"))
        .file(kernels("dot.sk"))
        .opt_level(2)
        .target("x86_64-unknown-linux-gnu")
        .target_cpu("x86-64-v2")
        .out_dir(&dir)
        .try_compile("dsp")
        .map_err(|e| e.to_string())
        .unwrap();
    let lib = std::fs::read(&a.library).unwrap();
    assert!(lib.starts_with(b"!<arch>\n"));
    // The symbol index names the exported functions.
    assert!(lib.windows(4).any(|w| w == b"ola\0"));
    let rs = std::fs::read_to_string(&a.bindings).unwrap();
    assert!(
        rs.contains(
            "pub fn ola(frame: &[f32], win: &[f32], out: &mut [f32], gain: f32, lo: f32, hi: f32) -> Result<(), Trap>"
        ),
        "{rs}"
    );
    assert!(rs.contains("pub fn dot(a: &[f32], b: &[f32]) -> Result<f32, Trap>"), "{rs}");
    let h = std::fs::read_to_string(&a.header).unwrap();
    assert!(
        h.contains("float dot(const float *a, int64_t a_len, const float *b, int64_t b_len, strata_vm_context *ctx);"),
        "{h}"
    );
    assert!(h.contains("#include <stdint.h>"));
    assert!(a.cargo_lines.iter().any(|l| l == "cargo:rustc-link-lib=static=dsp"));
    assert!(a.cargo_lines.iter().any(|l| l == "cargo:rustc-link-lib=m"));
    assert!(a.cargo_lines.iter().any(|l| l.starts_with("cargo:rerun-if-changed=") && l.ends_with("ola.sk")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kernel_errors_are_rendered_diagnostics() {
    let dir = out_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.sk");
    std::fs::write(&bad, "export fn f(x: f32) -> f32 {\n    return y;\n}\n").unwrap();
    let err = strata_build::Build::new().file(&bad).out_dir(&dir).target("x86_64-unknown-linux-gnu").try_compile("bad");
    match err {
        Err(strata_build::Error::Diagnostics { rendered, .. }) => assert!(rendered.contains('y'), "{rendered}"),
        other => panic!("expected diagnostics, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rejects_bad_target_and_name() {
    let r = strata_build::Build::new()
        .file(kernels("dot.sk"))
        .out_dir(out_dir("t"))
        .target("not-a-triple-x")
        .try_compile("x");
    assert!(matches!(r, Err(strata_build::Error::Config(_))), "{r:?}");
    let r = strata_build::Build::new().file(kernels("dot.sk")).out_dir(out_dir("n")).try_compile("a/b");
    assert!(matches!(r, Err(strata_build::Error::Config(_))));
}

#[test]
fn multiversion_suffixes_symbols_and_dispatches() {
    let dir = out_dir("mv");
    let a = strata_build::Build::new()
        .file(kernels("dot.sk"))
        .target("x86_64-unknown-linux-gnu")
        .multiversion(&["x86-64-v2", "x86-64-v3"])
        .out_dir(&dir)
        .try_compile("mv")
        .map_err(|e| e.to_string())
        .unwrap();
    assert_eq!(strata_build::symbol_suffix("x86-64-v3"), "__x86_64_v3");
    let lib = std::fs::read(&a.library).unwrap();
    for sym in [&b"dot__x86_64_v2\0"[..], b"dot__x86_64_v3\0", b"dot_f64__x86_64_v3\0"] {
        assert!(lib.windows(sym.len()).any(|w| w == sym), "{}", String::from_utf8_lossy(sym));
    }
    let rs = std::fs::read_to_string(&a.bindings).unwrap();
    assert!(rs.contains("pub const CPU_LEVELS: &[&str] = &[\"x86-64-v2\", \"x86-64-v3\"];"), "{rs}");
    assert!(rs.contains("STRATA_FORCE_CPU"));
    assert!(rs.contains("pub fn dot(a: &[f32], b: &[f32]) -> Result<f32, Trap>"));
    let h = std::fs::read_to_string(&a.header).unwrap();
    assert!(h.contains("float dot__x86_64_v3(const float *a"), "{h}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[should_panic(expected = "failed to build `broken`")]
fn compile_panics_with_the_diagnostics() {
    let dir = out_dir("panic");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("broken.sk");
    std::fs::write(&bad, "export fn f(x: f32) -> f32 {\n    return x +;\n}\n").unwrap();
    strata_build::Build::new().file(&bad).out_dir(&dir).target("x86_64-unknown-linux-gnu").compile("broken");
}

/// The header and library work from C: a program calls `dot` and `ola` and checks a trap.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn c_program_links_against_the_library() {
    let Ok(cc) = which_cc() else {
        eprintln!("no C compiler; skipped");
        return;
    };
    let dir = out_dir("c");
    strata_build::Build::new()
        .file(kernels("ola.sk"))
        .file(kernels("dot.sk"))
        .out_dir(&dir)
        .try_compile("ck")
        .map_err(|e| e.to_string())
        .unwrap();
    let main = dir.join("main.c");
    // The header's context must have the layout compiled code reads (every field, in order).
    let size = std::mem::size_of::<strata_ir::VmContext>();
    std::fs::write(
        &main,
        r#"#include "ck.h"
#include <stdio.h>
#include <stddef.h>
_Static_assert(sizeof(strata_vm_context) == SIZE, "strata_vm_context layout");
_Static_assert(offsetof(strata_vm_context, stack_limit) == SIZE - 8, "stack_limit is last");
int main(void) {
    float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, out[2] = {0, 0};
    strata_vm_context ctx = {0, 10000, INT64_MAX, 0, 0, 0};
    float d = dot(a, 3, b, 3, &ctx);
    if (ctx.trap_code != 0 || d != 32.0f) return 1;
    ola(a, 3, b, 3, out, 2, 1.0f, -100.0f, 100.0f, &ctx);
    if (ctx.trap_code != 2 || out[0] != 4.0f) return 2;
    printf("ok\n");
    return 0;
}
"#
        .replace("SIZE", &size.to_string()),
    )
    .unwrap();
    let exe = dir.join("main");
    let st = std::process::Command::new(&cc)
        .arg(&main)
        .arg("-I")
        .arg(&dir)
        .arg("-L")
        .arg(&dir)
        .args(["-lck", "-lm", "-o"])
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success(), "{cc} failed");
    let out = std::process::Command::new(&exe).output().unwrap();
    assert!(out.status.success(), "{:?}", out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let _ = std::fs::remove_dir_all(&dir);
}

fn which_cc() -> Result<String, ()> {
    for cc in ["cc", "gcc", "clang"] {
        if std::process::Command::new(cc).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Ok(cc.to_string());
        }
    }
    Err(())
}
