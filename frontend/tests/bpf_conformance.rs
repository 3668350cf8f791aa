//! The BPF conformance suite (`<repo>/../shared/conformance/bpf/*.data`) on the interpreter:
//! each file is assembled (or decoded from `-- raw`), verified, lifted, run, and its r0
//! compared with `-- result`. Also checks disassemble → assemble round trips and
//! encode → decode round trips for every file.

#[path = "common/bpf_suite.rs"]
mod bpf_suite;

use bpf_suite::{cases, program, Case};
use strata_frontend::bpf;
use strata_ir::{Arg, Interpreter, Val};

fn run_interp(c: &Case) -> Result<u64, String> {
    let p = program(c)?;
    bpf::verify(&p).map_err(|e| format!("verify: {e}"))?;
    let m = bpf::lift(&p).map_err(|e| format!("lift: {e}"))?;
    let it = Interpreter::new(&m).map_err(|e| format!("interp: {e}"))?.with_host("bpf_helper_5", |a| Ok(Some(a[0])));
    let mut mem = c.mem.clone();
    match it.call("main", &mut [Arg::SliceMut(&mut mem)]) {
        Ok(Some(Val::I64(v))) => Ok(v as u64),
        Ok(other) => Err(format!("unexpected return {other:?}")),
        Err(e) => Err(format!("run: {e}")),
    }
}

#[test]
fn conformance_interpreter() {
    let Some(cases) = cases() else { return };
    let mut failures = Vec::new();
    for c in &cases {
        match run_interp(c) {
            Ok(v) if v == c.result => {}
            Ok(v) => failures.push(format!("{}: got {v:#x}, expected {:#x}", c.name, c.result)),
            Err(e) => failures.push(format!("{}: {e}", c.name)),
        }
    }
    println!("interpreter: {}/{} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The dedicated BPF interpreter (`bpf::BpfInterp`) on every file: the expected r0, and the
/// same r0 and final memory as the IR interpreter on the lifted program.
#[test]
fn conformance_bpf_interpreter() {
    let Some(cases) = cases() else { return };
    let echo: strata_ir::interp::HostFn = std::sync::Arc::new(|a: &[Val]| Ok(a.first().copied()));
    let mut failures = Vec::new();
    for c in &cases {
        let p = program(c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let vm = bpf::BpfInterp::new(&p).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let helpers: Vec<_> = vm.helpers().iter().map(|&n| (n == 5).then(|| echo.clone())).collect();
        let mut mem = c.mem.clone();
        match vm.run(&mut mem, Some(10_000_000), &helpers) {
            Ok(v) if v == c.result => {}
            Ok(v) => failures.push(format!("{}: got {v:#x}, expected {:#x}", c.name, c.result)),
            Err(e) => failures.push(format!("{}: {e}", c.name)),
        }
        let m = bpf::lift(&p).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let it = Interpreter::new(&m).unwrap().with_host("bpf_helper_5", |a| Ok(Some(a[0])));
        let mut ir_mem = c.mem.clone();
        let _ = it.call("main", &mut [Arg::SliceMut(&mut ir_mem)]);
        if ir_mem != mem {
            failures.push(format!("{}: final memory differs from the IR interpreter's", c.name));
        }
    }
    println!("bpf interpreter: {}/{} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn disassembly_and_encoding_round_trip() {
    let Some(cases) = cases() else { return };
    for c in &cases {
        let p = program(c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let text = bpf::disassemble(&p);
        assert_eq!(bpf::assemble(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", c.name)), p, "{}", c.name);
        assert_eq!(bpf::decode(&bpf::encode(&p)).unwrap_or_else(|e| panic!("{}: {e}", c.name)), p, "{}", c.name);
        if c.raw.is_some() {
            assert_eq!(bpf::assemble(&c.asm).unwrap(), p, "{}: asm and raw differ", c.name);
        }
    }
}
