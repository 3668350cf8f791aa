//! The generators: deterministic, valid by construction, and interesting (most programs
//! return rather than trap, every opcode family shows up), and the reducer shrinks.

use std::collections::BTreeMap;
use strata_testgen::run::{self, Outcome, REFERENCE};
use strata_testgen::{bpf_gen, ir_gen, reduce, Rng};

#[test]
fn ir_programs_are_deterministic_and_verify() {
    for seed in 0..40 {
        let a = ir_gen::program(seed, "p0").unwrap();
        let b = ir_gen::program(seed, "p0").unwrap();
        assert_eq!(strata_ir::print_module(&a), strata_ir::print_module(&b));
        strata_ir::verify_module(&a).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
    assert!(ir_gen::batch(9, 16).is_ok());
}

#[test]
fn ir_programs_mostly_return_and_use_every_opcode_family() {
    let m = ir_gen::batch(77, 150).unwrap();
    let text = strata_ir::print_module(&m);
    for op in [
        "iadd",
        "sdiv",
        "urem",
        "popcnt",
        "bswap",
        "fma",
        "fsqrt",
        "fcopysign",
        "fnearest",
        "fpow",
        "select",
        "icmp",
        "fcmp",
        "sext",
        "trunc",
        "fptosi",
        "uitofp",
        "bitcast",
        "fdemote",
        "splat",
        "extractlane",
        "insertlane",
        "reduce_add",
        "reduce_max",
        "load",
        "store",
        "bounds_check",
        "stack_addr",
        "data_addr",
        "ptr_add",
        "call",
        "brif",
        "trap",
        ".f32x4",
        ".i8x16",
        ".i64x2",
        ".boolx",
        "stack_slot",
    ] {
        assert!(text.contains(op), "no `{op}` in 150 generated programs");
    }
    assert!(!text.contains("reassoc") && !text.contains("contract"), "strict floats only");
    let c = run::compile(&m, REFERENCE).unwrap();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut rng = Rng::new(1);
    for k in 0..150 {
        let name = format!("p{k}");
        let id = m.func_by_name(&name).unwrap();
        let inputs = run::inputs(&mut rng, &m.functions[id].sig);
        let key = match run::call(&c, &name, &inputs) {
            Outcome::Returned { .. } => "returned".to_string(),
            Outcome::Trapped(t) => t.to_string(),
            Outcome::Failed(e) => panic!("{name}: {e}"),
        };
        *counts.entry(key).or_default() += 1;
    }
    let returned = counts.get("returned").copied().unwrap_or(0);
    eprintln!("{counts:?}");
    assert!(returned >= 75, "too few programs return: {counts:?}");
    assert!(counts.len() >= 3, "too few kinds of outcome: {counts:?}");
}

#[test]
fn bpf_programs_verify_lift_and_mostly_return() {
    let mut returned = 0;
    for seed in 0..100 {
        let p = bpf_gen::program(seed);
        assert_eq!(p, bpf_gen::program(seed));
        let m = strata_frontend::bpf::lift(&p).unwrap_or_else(|e| {
            panic!("seed {seed}: {e}\n{}", strata_frontend::bpf::disassemble(&p));
        });
        let c = run::compile(&m, REFERENCE).unwrap();
        let id = m.func_by_name("main").unwrap();
        let inputs = run::inputs(&mut Rng::new(seed), &m.functions[id].sig);
        match run::call(&c, "main", &inputs) {
            Outcome::Returned { .. } => returned += 1,
            Outcome::Trapped(_) => {}
            Outcome::Failed(e) => panic!("seed {seed}: {e}"),
        }
        let _ = strata_frontend::bpf::verify(&bpf_gen::mutated(seed));
    }
    assert!(returned >= 60, "only {returned} of 100 BPF programs return");
}

#[test]
fn reducer_shrinks_while_the_predicate_holds() {
    let m = ir_gen::program(5, "p0").unwrap();
    let before = strata_ir::print_module(&m).lines().count();
    // "Fails" while the exported function still contains a bounds check.
    let mut fails = |m: &strata_ir::Module| strata_ir::print_module(m).contains("bounds_check");
    assert!(fails(&m));
    let r = reduce::reduce(&m, "p0", 2000, std::time::Duration::from_secs(600), &mut fails);
    let after = strata_ir::print_module(&r);
    assert!(fails(&r));
    assert!(strata_ir::verify_module(&r).is_ok());
    assert!(after.lines().count() * 3 < before, "{before} lines -> {}:\n{after}", after.lines().count());
}

#[test]
fn reduction_candidates_that_loop_forever_are_rejected_not_run_forever() {
    // What a reduction step does to a counted loop when it turns the exit test into a jump.
    let endless = strata_ir::parse_module(
        "export fn @f(n: i64) -> i64 {\nblock0(v0: i64):\n    br block1\nblock1:\n    br block1\n}\n",
    )
    .unwrap();
    let inputs = [run::Input::Scalar(strata_ir::Val::I64(3))];
    let config = run::Config { tier: strata_runtime::Tier::Interpreter, pipeline: "-O2" };
    assert!(!run::still_mismatches(&endless, config, "f", &inputs, false, Some(10_000)));
}

#[test]
fn reduction_stops_when_its_time_is_up() {
    let m = ir_gen::program(5, "p0").unwrap();
    let mut tries = 0;
    let mut fails = |_: &strata_ir::Module| {
        tries += 1;
        true
    };
    let r = reduce::reduce(&m, "p0", 2000, std::time::Duration::ZERO, &mut fails);
    // At most the one candidate tried before the first check of the clock.
    assert!(tries <= 1, "{tries} candidates tried after the time was up");
    assert!(strata_ir::verify_module(&r).is_ok());
}

#[test]
fn runner_detects_a_tier_that_computes_something_else() {
    // Compile a copy of the batch in which every `iconst` is off by one: the runner must
    // see the difference on most programs that return.
    let m = ir_gen::batch(5, 20).unwrap();
    let text = strata_ir::print_module(&m);
    let mut wrong = String::new();
    for line in text.lines() {
        match line.split_once("= iconst.") {
            Some((lhs, rest)) if !rest.starts_with("i64") => {
                let (ty, imm) = rest.split_once(' ').unwrap();
                let imm: i64 = imm.parse().unwrap();
                let imm = if imm == 0 { 1 } else { 0 };
                wrong += &format!("{lhs}= iconst.{ty} {imm}\n");
            }
            _ => wrong += &format!("{line}\n"),
        }
    }
    let wrong = strata_ir::parse_module(&wrong).unwrap();
    let reference = run::compile(&m, REFERENCE).unwrap();
    let config = run::configs()[0];
    let compiled = vec![(config, run::compile(&wrong, config).unwrap())];
    let mut rng = Rng::new(3);
    let mut found = 0;
    for k in 0..20 {
        let name = format!("p{k}");
        let id = m.func_by_name(&name).unwrap();
        let inputs = run::inputs(&mut rng, &m.functions[id].sig);
        if !run::check_function(&reference, &compiled, &name, &inputs).is_empty() {
            found += 1;
        }
    }
    assert!(found >= 8, "only {found} of 20 altered programs detected");
}

#[test]
fn a_run_reports_the_range_it_completed_for_resuming() {
    use strata_testgen::difftest::{run, Kind, Settings};
    let s = Settings { kind: Kind::Bpf, programs: 8, first_program: 16, batch: 4, inputs: 1, ..Default::default() };
    let r = run(&s);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.programs, 8);
    assert_eq!(r.next_first_program, 24);
    // Stopped at once by its time limit: nothing completed, resume where it started.
    let r = run(&Settings { time_limit: Some(std::time::Duration::ZERO), ..s });
    assert_eq!((r.programs, r.next_first_program), (0, 16));
}

/// The BPF generator's indexed loops are the shape `version-ranges` versions: a good share
/// of programs must get a guarded copy after the pipeline's passes before it (otherwise the
/// differential runs would not exercise the pass at all).
#[test]
fn bpf_programs_exercise_range_versioning() {
    let mut versioned = 0;
    for seed in 0..200 {
        let p = bpf_gen::program(seed);
        let m = strata_frontend::bpf::lift(&p).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        versioned += usize::from(gets_a_range_versioned_loop(m, seed));
    }
    assert!(versioned >= 20, "only {versioned} of 200 BPF programs have a loop version-ranges versions");
    eprintln!("{versioned} of 200 BPF programs versioned");
}

/// The IR generator's kernel loops with explicit range tests are `version-ranges`' shape
/// too, so the IR runs exercise the pass (on tier 2 it runs on every module at O2+).
#[test]
fn ir_programs_exercise_range_versioning() {
    let mut versioned = 0;
    for seed in 0..300 {
        versioned += usize::from(gets_a_range_versioned_loop(ir_gen::program(seed, "p0").unwrap(), seed));
    }
    assert!(versioned >= 15, "only {versioned} of 300 IR programs have a loop version-ranges versions");
    eprintln!("{versioned} of 300 IR programs versioned");
}

/// Whether `version-ranges` versions a loop of `m` after the `-O2` passes that run before it.
fn gets_a_range_versioned_loop(mut m: strata_ir::Module, seed: u64) -> bool {
    let opts = strata_ir::passes::PassOptions { verify: true, ..Default::default() };
    strata_ir::passes::run_pipeline(&mut m, "inline,const-fold,simplify-cfg,gvn,licm,bce", &opts)
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    m.functions.values_mut().any(|f| !strata_ir::passes::version_ranges::run_function(f).is_empty())
}

/// Some IR programs bound an inner loop by `min(C, i + c)` of an enclosing counter, the
/// shape `index-split` splits, so the IR runs exercise that pass too.
#[test]
fn ir_programs_exercise_index_splitting() {
    let mut split = 0;
    for seed in 0..300 {
        let mut m = ir_gen::program(seed, "p0").unwrap();
        let opts = strata_ir::passes::PassOptions { verify: true, ..Default::default() };
        strata_ir::passes::run_pipeline(&mut m, "inline,const-fold,simplify-cfg,gvn,licm,bce", &opts)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let before = strata_ir::print_module(&m);
        strata_ir::passes::run_pipeline(&mut m, "index-split", &opts).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        split += usize::from(strata_ir::print_module(&m) != before);
    }
    assert!(split >= 5, "only {split} of 300 IR programs have a loop index-split splits");
    eprintln!("{split} of 300 IR programs split");
}

#[test]
fn ir_programs_exercise_shifted_vector_loads() {
    // A vector load whose offset is `(i - c) * size`: `vectorize` took a shifted load.
    fn shifted_vector_load(text: &str) -> bool {
        let mut defs = std::collections::HashMap::new();
        for line in text.lines() {
            if let Some((lhs, rhs)) = line.trim().split_once(" = ") {
                defs.insert(lhs.to_string(), rhs.to_string());
            }
        }
        let operand = |rhs: &str, k: usize| rhs.split([' ', ',']).filter(|w| !w.is_empty()).nth(k).map(str::to_string);
        defs.values().any(|rhs| {
            let vector_load =
                rhs.starts_with("load.") && rhs.split_whitespace().next().is_some_and(|op| op.contains('x'));
            vector_load
                && operand(rhs, 2)
                    .and_then(|off| defs.get(&off))
                    .filter(|d| d.starts_with("imul.i64"))
                    .and_then(|d| operand(d, 1))
                    .and_then(|idx| defs.get(&idx))
                    .is_some_and(|d| d.starts_with("isub.i64"))
        })
    }
    let mut shifted = 0;
    for seed in 0..300 {
        let mut m = ir_gen::program(seed, "p0").unwrap();
        let opts = strata_ir::passes::PassOptions { verify: true, ..Default::default() };
        strata_ir::passes::run_pipeline(&mut m, "-O2", &opts).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        shifted += usize::from(shifted_vector_load(&strata_ir::print_module(&m)));
    }
    assert!(shifted >= 5, "only {shifted} of 300 IR programs get a vector load at a shifted index");
    eprintln!("{shifted} of 300 IR programs get a vector load at a shifted index");
}
