//! Every way of loading code: kernel source, IR text, an IR module built in Rust and BPF
//! (assembly, raw bytecode), on every tier; host functions on the interpreter.

use strata_ir::{Function, FunctionBuilder, Linkage, Param, Signature, Type};
use strata_runtime::{available_tiers, BpfInput, Engine, Error, Tier, TrapCode};

#[test]
fn ir_text_and_built_modules_run_on_every_tier() {
    let engine = Engine::new();
    let src = engine.load_source("sq.sk", "export fn sq(x: i64) -> i64 { return x * x; }").expect("compiles");
    let text = strata_ir::print_module(src.ir());
    let from_text = engine.load_ir(&text).expect("parses");

    let sig = Signature::new(vec![Param::scalar("x", Type::I64)], Some(Type::I64));
    let mut f = Function::new("sq", Linkage::Export, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let y = b.imul(p[0], p[0]);
    b.ret(Some(y));
    b.finalize().expect("builds");
    let mut ir = strata_ir::Module::new();
    ir.add_function(f);
    let built = engine.load_module(ir).expect("verifies");

    for tier in available_tiers() {
        for m in [&src, &from_text, &built] {
            let sq = m.get_on::<i64, i64>("sq", tier).expect("compiles");
            assert_eq!(sq.call(-12), Ok(144), "{tier}");
        }
    }
    // The same IR is one cache entry per tier, however it was loaded.
    assert_eq!(engine.stats().compiles_on(Tier::Interpreter), 1);
}

#[test]
fn bpf_programs_run_on_every_tier() {
    let engine = Engine::new();
    let asm = "ldxb %r0, [%r1+1]\nadd %r0, %r2\nexit";
    let from_asm = engine.load_bpf(BpfInput::Asm(asm)).expect("assembles");
    let bytes = strata_frontend::bpf::encode(&strata_frontend::bpf::assemble(asm).expect("assembles"));
    let from_bytes = engine.load_bpf(BpfInput::detect(&bytes)).expect("decodes");
    for tier in available_tiers() {
        for m in [&from_asm, &from_bytes] {
            let main = m.get_on::<&mut [u8], i64>("main", tier).expect("compiles");
            assert_eq!(main.call(&mut [9, 40, 7]), Ok(43), "{tier}");
            assert_eq!(main.call(&mut [9]).map_err(|t| t.kind), Err(TrapCode::OutOfBounds), "{tier}");
        }
    }
}

#[test]
fn host_functions_on_every_tier() {
    let engine = Engine::new();
    let src = "extern fn mix(a: f64, b: i64) -> f64;\nexport fn f(x: f64) -> f64 { return mix(x, 3); }";
    let m = engine.load_source("h.sk", src).expect("compiles");
    let mut tiers = available_tiers();
    tiers.push(Tier::Adaptive);
    let kernels: Vec<_> = tiers.iter().map(|&t| m.get_on::<f64, f64>("f", t).expect("compiles")).collect();
    for f in &kernels {
        // Not registered yet: the call traps, it does not crash.
        assert_eq!(f.call(1.0).map_err(|t| t.kind), Err(TrapCode::HostError), "{}", f.tier());
    }
    // Registered after compiling: every tier finds it.
    engine.host_fn("mix", |a: f64, b: i64| a * b as f64);
    for f in &kernels {
        assert_eq!(f.call(1.5), Ok(4.5), "{}", f.tier());
    }
    let raw: strata_runtime::HostFn = std::sync::Arc::new(|_args| Err(TrapCode::User(9)));
    engine.host_fn_raw("mix", raw);
    for f in &kernels {
        assert_eq!(f.call(1.5).map_err(|t| t.kind), Err(TrapCode::User(9)), "{}", f.tier());
    }
}

#[test]
fn bad_input_is_an_error_with_its_location() {
    let engine = Engine::new();
    match engine.load_source("bad.sk", "export fn f(x: f32) -> f32 {\n    return y;\n}") {
        Err(Error::Source(msg)) => assert!(msg.contains("bad.sk:2:"), "{msg}"),
        other => panic!("expected a source error, got {other:?}"),
    }
    assert!(matches!(engine.load_ir("function %f() {"), Err(Error::Ir(_))));
    assert!(matches!(engine.load_bpf(BpfInput::Asm("exit\nexit\nmov %r0")), Err(Error::Bpf(_))));
}
