//! AOT output and dumps: ELF objects for the host and AArch64 with the expected symbols,
//! vector instructions in the assembly of the DESIGN.md kernels, the attributes and
//! fast-math flags in the LLVM IR, no runtime unrolling of strict reductions, and the
//! errors for bad options and unsupported input.

mod common;
use common::kernels::{ola, sumsq};
use common::*;
use object::{Object, ObjectSymbol};
use strata_ir::{abi::array_call_symbol, FloatFlags, Linkage, Module, Opcode, Param, Type};
use strata_llvm::{dump, emit, CompileError, EmitKind, LlvmOptions};

/// `kernels`: ola, energy (fastmath), sumsq (strict), a local helper and a call of `expf`.
fn kernels() -> Module {
    let mut m = module(vec![ola(), sumsq("energy", FloatFlags::FAST), sumsq("sumsq", FloatFlags::NONE)]);
    let helper = m.add_function({
        let mut f = simple("helper", &[Type::F32], Type::F32, |b, p| b.unary(Opcode::Fexp, p[0]));
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(simple("use_exp", &[Type::F32], Type::F32, |b, p| {
        b.call(helper, Some(Type::F32), &[p[0]]).unwrap_or(p[0])
    }));
    m
}

fn symbols(bytes: &[u8]) -> (object::File<'_>, Vec<(String, bool, bool)>) {
    let file = object::File::parse(bytes).expect("a valid object file");
    let syms =
        file.symbols().filter_map(|s| Some((s.name().ok()?.to_string(), s.is_global(), s.is_undefined()))).collect();
    (file, syms)
}

fn check_symbols(syms: &[(String, bool, bool)]) {
    for name in ["ola", "energy", "sumsq", "use_exp"] {
        for sym in [name.to_string(), array_call_symbol(name)] {
            assert!(syms.iter().any(|(n, g, u)| *n == sym && *g && !u), "{sym} is a defined global: {syms:?}");
        }
    }
    assert!(!syms.iter().any(|(n, g, _)| n.starts_with("helper") && *g), "local functions stay local");
    assert!(syms.iter().any(|(n, _, u)| n == "expf" && *u), "expf is imported from libm: {syms:?}");
}

#[test]
fn host_object_is_an_elf_with_the_exported_symbols() {
    let bytes = emit(&kernels(), &LlvmOptions::default(), EmitKind::Object, None).expect("emits");
    let (file, syms) = symbols(&bytes);
    assert_eq!(file.format(), object::BinaryFormat::Elf);
    #[cfg(target_arch = "x86_64")]
    assert_eq!(file.architecture(), object::Architecture::X86_64);
    check_symbols(&syms);
}

#[test]
fn aarch64_object() {
    let opts = LlvmOptions { target_cpu: Some("neoverse-n1".into()), ..LlvmOptions::default() };
    match emit(&kernels(), &opts, EmitKind::Object, Some("aarch64-unknown-linux-gnu")) {
        Ok(bytes) => {
            let (file, syms) = symbols(&bytes);
            assert_eq!(file.format(), object::BinaryFormat::Elf);
            assert_eq!(file.architecture(), object::Architecture::Aarch64);
            check_symbols(&syms);
            // Generic AArch64 (no CPU named) works too, and NEON shows in the assembly.
            let asm = emit(&kernels(), &LlvmOptions::default(), EmitKind::Assembly, Some("aarch64-linux-gnu"))
                .expect("emits assembly");
            let asm = String::from_utf8_lossy(&asm);
            assert!(asm.contains(".4s"), "NEON vectors in the ola loop");
        }
        Err(CompileError::Target { message, .. }) => println!("skipped: LLVM has no AArch64 target: {message}"),
        Err(e) => panic!("{e}"),
    }
}

/// The DESIGN.md kernels at O3 for the host CPU use 256-bit (or wider) vectors.
#[test]
fn assembly_shows_vector_instructions() {
    #[cfg(target_arch = "x86_64")]
    {
        if !std::arch::is_x86_feature_detected!("avx2") {
            println!("skipped: the host has no AVX2, so no ymm registers are expected");
            return;
        }
        let asm = emit(&kernels(), &LlvmOptions::default(), EmitKind::Assembly, None).expect("emits");
        let asm = String::from_utf8_lossy(&asm);
        // The exported symbol is an alias (`.set name, name$N`) of the function's body.
        let body = |name: &str| -> String {
            let set = format!(".set {name}, ");
            let line = asm.lines().find(|l| l.starts_with(&set)).unwrap_or_else(|| panic!("{name} in the assembly"));
            let label = &line[set.len()..];
            let start = asm.find(&format!("\n{label}:")).unwrap_or_else(|| panic!("{label} in the assembly"));
            let end = asm[start..].find(".size").map_or(asm.len(), |e| start + e);
            asm[start..end].to_string()
        };
        let wide = |s: &str| s.contains("%ymm") || s.contains("%zmm");
        let energy = body("energy");
        assert!(wide(&energy) && energy.contains("vfmadd"), "energy: reassoc+contract vectorize and fuse:\n{energy}");
        let ola = body("ola");
        assert!(wide(&ola) && ola.contains("vmulps") && ola.contains("vaddps"), "ola vectorizes:\n{ola}");
        // The strict reduction stays in order: scalar adds, no vector accumulator.
        let strict = body("sumsq");
        assert!(!strict.contains("vaddps") && strict.contains("vaddss"), "strict sumsq is sequential:\n{strict}");
        println!("vector instructions seen: energy {:?}, ola {:?}", vector_mnemonics(&energy), vector_mnemonics(&ola));
    }
    #[cfg(not(target_arch = "x86_64"))]
    println!("skipped: x86-64 only");
}

fn vector_mnemonics(asm: &str) -> Vec<String> {
    let mut m: Vec<String> = asm
        .lines()
        .filter(|l| l.contains("%ymm") || l.contains("%zmm"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    m.sort();
    m.dedup();
    m
}

#[test]
fn llvm_ir_has_the_attributes_and_flags() {
    let m = kernels();
    let before =
        String::from_utf8(emit(&m, &LlvmOptions::default(), EmitKind::LlvmIrUnoptimized, None).expect("emits"))
            .expect("utf-8");
    // The mutable slice of ola is noalias; read-only slices are readonly; lengths have a range.
    // Exported functions are external aliases of internal bodies.
    assert!(before.contains("@ola = alias void ("), "{before}");
    let ola_def = before.lines().find(|l| l.starts_with("define internal void @\"ola$")).expect("ola is defined");
    assert!(ola_def.contains("ptr noalias nocapture nofree noundef align 4"), "{ola_def}");
    assert!(ola_def.contains("readonly align 4"), "{ola_def}");
    assert!(ola_def.contains("range(i64 0, 2305843009213693952)"), "{ola_def}");
    // fastmath code carries exactly reassoc and contract; strict code carries nothing.
    assert!(before.contains("fadd reassoc contract float"));
    assert!(before.contains("fmul reassoc contract float"));
    for flag in ["nnan", "ninf", "nsz", "arcp", "afn", " fast "] {
        assert!(!before.contains(flag), "no {flag}");
    }
    let sumsq = &before[before.find("define internal float @\"sumsq$").expect("sumsq")..];
    let sumsq = &sumsq[..sumsq.find("\n}").unwrap_or(sumsq.len())];
    assert!(sumsq.contains("fadd float") && !sumsq.contains("reassoc"), "{sumsq}");
    // Block parameters are phis; scalar min/max are IEEE-754-2019 minimum/maximum written as
    // selects on float compares (no intrinsic, whose x86 lowering branches); ola's clamp
    // bounds are parameters, compared against directly (`fcmp ogt`/`olt`); no nsw/nuw.
    assert!(before.contains("phi i64") && before.contains("fcmp uno float"));
    assert!(before.contains("fcmp ogt float") && before.contains("fcmp olt float"));
    assert!(!before.contains("@llvm.minimum.f32") && !before.contains("@llvm.maximum.f32"));
    assert!(!before.contains(" nsw ") && !before.contains(" nuw "));
    assert!(before.contains("call float @expf(") && before.contains("nobuiltin"));
    let after =
        String::from_utf8(emit(&m, &LlvmOptions::default(), EmitKind::LlvmIr, None).expect("emits")).expect("utf-8");
    assert!(after.contains("<8 x float>") || after.contains("<16 x float>") || after.contains("<4 x float>"));
    // ola's loop is versioned on its bounds checks: the checked original (the slow path)
    // is kept scalar and not unrolled.
    assert!(before.contains("!{!\"llvm.loop.vectorize.enable\", i1 false}"), "{before}");
    assert!(before.contains("!{!\"llvm.loop.unroll.disable\"}"), "{before}");
}

#[test]
fn dump_shows_both_sides_of_the_pipeline() {
    let m = module(vec![sumsq("sumsq", FloatFlags::NONE)]);
    let (before, after) = dump(&m, &LlvmOptions::with_opt_level(2)).expect("dumps");
    // Blocks and values are named as the text format prints them.
    let text = strata_ir::print_module(&m);
    assert!(text.contains("block1(v4: i64, v5: f32):"), "{text}");
    assert!(
        before.contains("\nblock1:") && before.contains("%v4 = phi i64") && before.contains("%v5 = phi float"),
        "{before}"
    );
    assert!(after.contains("@sumsq = alias float (") && before != after);
}

/// A strict float reduction cannot be vectorized; LLVM runtime-unrolls it (a remainder loop
/// in `.epil` blocks) unless `STRATA_LLVM_RUNTIME_UNROLL=0` turns that off (`target.rs`:
/// it costs compile time, and its removal cost `prefix_sum` run time). The options are
/// process-wide, so this test checks whichever setting the process runs with.
#[test]
fn runtime_unrolling_follows_the_switch() {
    let off = std::env::var_os("STRATA_LLVM_RUNTIME_UNROLL").is_some_and(|v| v == "0");
    let m = module(vec![sumsq("sumsq", FloatFlags::NONE)]);
    for level in [2, 3] {
        let (_, after) = dump(&m, &LlvmOptions::with_opt_level(level)).expect("dumps");
        assert!(after.contains("fadd float"), "O{level}: the loop is still there:\n{after}");
        let unrolled = after.contains(".epil") || after.contains(".unr");
        assert_eq!(
            unrolled,
            !off,
            "O{level}: runtime unrolling should be {}:\n{after}",
            if off { "off" } else { "on" }
        );
    }
}

/// Every test program and corpus module, for AArch64 (every opcode must be selectable there
/// too, or LLVM would abort the process).
#[test]
fn every_program_emits_for_aarch64() {
    use common::suite::*;
    let mut modules = vec![
        int_binary(),
        int_unary(),
        icmp(),
        bools(),
        floats(),
        fcmp(),
        conversion_ops(),
        float_constants(),
        vector_floats(),
        vector_conversions(),
        vector_ints(),
        reductions_module(),
        lanes(),
        data_and_slots_module(),
        host_module(),
        spin_module(),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    for e in std::fs::read_dir(dir).expect("tests/corpus exists").flatten() {
        if e.path().extension().is_some_and(|x| x == "sir") {
            let text = std::fs::read_to_string(e.path()).expect("readable");
            modules.push(strata_ir::parse_module(&text).expect("parses"));
        }
    }
    let opts = LlvmOptions { fuel: true, ..LlvmOptions::default() };
    for m in &modules {
        match emit(m, &opts, EmitKind::Object, Some("aarch64-unknown-linux-gnu")) {
            Ok(bytes) => assert!(object::File::parse(&*bytes).is_ok()),
            Err(CompileError::Target { message, .. }) => return println!("skipped: no AArch64 target: {message}"),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn errors_instead_of_panics() {
    let m = kernels();
    assert!(matches!(
        emit(&m, &LlvmOptions::with_opt_level(4), EmitKind::Object, None),
        Err(CompileError::InvalidOption(_))
    ));
    assert!(matches!(
        emit(&m, &LlvmOptions::default(), EmitKind::Object, Some("nonsense-unknown-none")),
        Err(CompileError::Target { .. })
    ));
    // An exported function may not take a C library function's name.
    let clash = module(vec![simple("expf", &[Type::F32], Type::F32, |_, p| p[0])]);
    assert_eq!(
        strata_llvm::compile(&clash, &LlvmOptions::default()).err(),
        Some(CompileError::SymbolClash("expf".into()))
    );
    // Nor the name of another export's trampoline.
    let clash = module(vec![
        simple("f", &[], Type::I32, |b, _| b.iconst(Type::I32, 1)),
        simple(&array_call_symbol("f"), &[], Type::I32, |b, _| b.iconst(Type::I32, 2)),
    ]);
    assert!(matches!(strata_llvm::compile(&clash, &LlvmOptions::default()), Err(CompileError::SymbolClash(_))));
    // Unverified IR is reported by the verifier.
    let mut bad = module(vec![simple("g", &[Type::I32], Type::I32, |b, p| b.iadd(p[0], p[0]))]);
    if let Some(f) = bad.functions.values_mut().next() {
        f.sig.params.push(Param::scalar("extra", Type::F64));
    }
    assert!(matches!(strata_llvm::compile(&bad, &LlvmOptions::default()), Err(CompileError::InvalidIr(_))));
}
