//! Targets: one-time LLVM target initialization, and the target machine for a triple and
//! CPU. The host case asks LLVM for the host CPU name and its detected features, so the
//! loop and SLP vectorizers see the vector ISA (SSE/AVX2/AVX-512/NEON) the code will run on.

use crate::error::{CompileError, Result};
use crate::options::LlvmOptions;
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple};
use inkwell::OptimizationLevel;
use std::sync::Once;

/// Registers every target built into the LLVM library (x86, AArch64, … for Debian's
/// build), once per process. Safe to call from several threads.
pub(crate) fn initialize() {
    static INIT: Once = Once::new();
    INIT.call_once(|| Target::initialize_all(&InitializationConfig::default()));
}

/// The target triple, CPU and feature string code is generated for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TargetSpec {
    pub triple: String,
    pub cpu: String,
    pub features: String,
}

impl TargetSpec {
    /// The spec for `opts` and an optional triple (`None` = the host).
    pub fn new(opts: &LlvmOptions, triple: Option<&str>) -> TargetSpec {
        let host = host_triple();
        let triple = match triple {
            Some(t) => normalize(t),
            None => host.clone(),
        };
        let (cpu, features) = match (&opts.target_cpu, triple == host) {
            (Some(cpu), _) => (cpu.clone(), String::new()),
            (None, true) => (
                TargetMachine::get_host_cpu_name().to_string_lossy().into_owned(),
                TargetMachine::get_host_cpu_features().to_string_lossy().into_owned(),
            ),
            (None, false) => ("generic".to_string(), String::new()),
        };
        TargetSpec { triple, cpu, features }
    }

    /// An LLVM target machine for this spec at `opt_level` (0–3), position-independent so
    /// objects link into PIE executables and shared libraries.
    pub fn machine(&self, opt_level: u8) -> Result<TargetMachine> {
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

/// The host's target triple, normalized.
pub(crate) fn host_triple() -> String {
    TargetMachine::get_default_triple().as_str().to_string_lossy().into_owned()
}

/// LLVM's normal form of a triple (`aarch64-linux-gnu` → `aarch64-unknown-linux-gnu`).
fn normalize(triple: &str) -> String {
    TargetMachine::normalize_triple(&TargetTriple::create(triple)).as_str().to_string_lossy().into_owned()
}
