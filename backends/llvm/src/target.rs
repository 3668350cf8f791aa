//! Targets: one-time LLVM target initialization, and the target machine for a triple and
//! CPU. The host case asks LLVM for the host CPU name and its detected features, so the
//! loop and SLP vectorizers see the vector ISA (SSE/AVX2/AVX-512/NEON) the code will run on.
//!
//! Target machines are cached per thread (an LLVM target machine may not be used by two
//! threads at once, but may compile any number of modules one after the other): creating
//! one, and the subtarget it builds for the first function it sees, costs about a third of
//! the whole compile time of a small kernel.

use crate::error::{CompileError, Result};
use crate::options::LlvmOptions;
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple};
use inkwell::OptimizationLevel;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Once, OnceLock};

/// Registers every target built into the LLVM library (x86, AArch64, … for Debian's
/// build) and sets [`LLVM_FLAGS`], once per process. Safe to call from several threads.
pub(crate) fn initialize() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        Target::initialize_all(&InitializationConfig::default());
        set_llvm_flags();
    });
}

/// LLVM command-line options every compile in this process runs with (LLVM keeps them in
/// process-wide globals).
///
/// Runtime unrolling (of a loop whose trip count is only known at run time, with a
/// remainder loop) stays on by default. On x86 LLVM runtime-unrolls every small loop it did
/// not vectorize by up to 8; turning that off (`STRATA_LLVM_RUNTIME_UNROLL=0`, which adds
/// `-unroll-runtime=false`) cut compile work by 24–43% on the example files with such loops
/// (callgrind, `dot.sk` at O3: 55M → 27M instructions in `opt` + `llc` beyond their fixed
/// cost), but a quiet A/B on the kernels bench made the in-place `prefix_sum` 1.1–1.8×
/// slower at 4K and 1M elements, past native Rust. Run time wins until a cheaper compile
/// costs none (e.g. runtime unrolling only where it pays).
///
/// `-instcombine-negator-enabled=false`: LLVM 19's InstCombine never terminates (and
/// allocates without bound) when its Negator pushes a negation around a loop phi whose
/// update negates a truncation of the phi and shifts it back, e.g.
/// `x' = zext(0 - trunc(x)) << 47` — the shape a lifted BPF loop with `neg32` and `lsh`
/// has (testgen/findings/bpf-slow-llvm-c25b4399fe65db5b.s; `tests/llvm_termination.rs`).
/// The Negator only folds negations into their operands; without it InstCombine's other
/// `sub`/`neg` folds still apply. A compiler must not hang on any input, so it stays off.
pub(crate) const LLVM_FLAGS: &[&str] = &["-instcombine-negator-enabled=false"];

/// Added to [`LLVM_FLAGS`] when `STRATA_LLVM_RUNTIME_UNROLL=0` (A/B measurements of compile time).
const NO_RUNTIME_UNROLL: &str = "-unroll-runtime=false";

fn set_llvm_flags() {
    // `STRATA_LLVM_RUNTIME_UNROLL=0` turns LLVM's runtime unrolling off, for A/B measurements.
    let no_unroll = std::env::var_os("STRATA_LLVM_RUNTIME_UNROLL").is_some_and(|v| v == "0");
    let args: Vec<std::ffi::CString> = std::iter::once("strata")
        .chain(LLVM_FLAGS.iter().copied())
        .chain(no_unroll.then_some(NO_RUNTIME_UNROLL))
        .filter_map(|a| std::ffi::CString::new(a).ok())
        .collect();
    let argv: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let overview = c"strata";
    // SAFETY: `argv` holds `argv.len()` pointers to NUL-terminated strings that outlive the
    // call; LLVM copies what it keeps. Called once per process (inside `INIT`), before any
    // pass runs in this process's compiles, so no pass reads the options while they change.
    unsafe {
        llvm_sys::support::LLVMParseCommandLineOptions(argv.len() as i32, argv.as_ptr(), overview.as_ptr());
    }
}

/// The target triple, CPU and feature string code is generated for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TargetSpec {
    pub triple: String,
    pub cpu: String,
    pub features: String,
}

impl TargetSpec {
    /// The spec for `opts` and an optional triple (`None` = the host).
    pub fn new(opts: &LlvmOptions, triple: Option<&str>) -> TargetSpec {
        let host = host();
        let triple = match triple {
            Some(t) => normalize(t),
            None => host.triple.clone(),
        };
        match (&opts.target_cpu, triple == host.triple) {
            (Some(cpu), _) => TargetSpec { triple, cpu: cpu.clone(), features: String::new() },
            (None, true) => host.clone(),
            (None, false) => TargetSpec { triple, cpu: "generic".to_string(), features: String::new() },
        }
    }

    /// Runs `f` with this thread's cached target machine for this spec at `opt_level`,
    /// creating it on first use.
    pub fn with_machine<R>(&self, opt_level: u8, f: impl FnOnce(&TargetMachine) -> Result<R>) -> Result<R> {
        thread_local! {
            static MACHINES: RefCell<HashMap<(TargetSpec, u8), TargetMachine>> = RefCell::new(HashMap::new());
        }
        MACHINES.with(|cell| {
            let key = (self.clone(), opt_level);
            let cached = cell.try_borrow_mut().ok().and_then(|mut map| {
                if !map.contains_key(&key) {
                    let tm = self.machine(opt_level);
                    map.insert(key.clone(), tm.ok()?);
                }
                Some(())
            });
            match (cached, cell.try_borrow()) {
                (Some(()), Ok(map)) => match map.get(&key) {
                    Some(tm) => f(tm),
                    None => f(&self.machine(opt_level)?),
                },
                // Re-entered while borrowed, or the machine could not be made: no cache.
                _ => f(&self.machine(opt_level)?),
            }
        })
    }

    /// An LLVM target machine for this spec at `opt_level` (0–3), position-independent so
    /// objects link into PIE executables and shared libraries.
    fn machine(&self, opt_level: u8) -> Result<TargetMachine> {
        initialize();
        let triple = TargetTriple::create(&self.triple);
        let err = |message: String| CompileError::Target { triple: self.triple.clone(), message };
        let target = Target::from_triple(&triple).map_err(|e| err(e.to_string()))?;
        target
            .create_target_machine(
                &triple,
                &self.cpu,
                &self.features,
                codegen_level(opt_level),
                RelocMode::PIC,
                CodeModel::Default,
            )
            .ok_or_else(|| err(format!("LLVM cannot create a target machine for CPU `{}`", self.cpu)))
    }
}

/// LLVM's code-generation level for a pipeline level.
fn codegen_level(opt_level: u8) -> OptimizationLevel {
    match opt_level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    }
}

/// The host's target triple, CPU and features, detected once.
fn host() -> &'static TargetSpec {
    static HOST: OnceLock<TargetSpec> = OnceLock::new();
    HOST.get_or_init(|| TargetSpec {
        triple: TargetMachine::get_default_triple().as_str().to_string_lossy().into_owned(),
        cpu: TargetMachine::get_host_cpu_name().to_string_lossy().into_owned(),
        features: TargetMachine::get_host_cpu_features().to_string_lossy().into_owned(),
    })
}

/// LLVM's normal form of a triple (`aarch64-linux-gnu` → `aarch64-unknown-linux-gnu`).
fn normalize(triple: &str) -> String {
    TargetMachine::normalize_triple(&TargetTriple::create(triple)).as_str().to_string_lossy().into_owned()
}
