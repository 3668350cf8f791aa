//! [`Module`]: loaded, verified IR inside an engine, from which typed kernels are taken
//! ([`Module::get`], [`Module::get_on`]). Looking a kernel up checks its signature against
//! the Rust types once, then compiles through the engine's cache. This file does not load
//! (see `load.rs`) or run code (see `kernel.rs`).

use crate::cache::fnv1a;
use crate::engine::Engine;
use crate::error::Error;
use crate::func::TypedFunc;
use crate::kernel::Kernel;
use crate::tier::Tier;
use crate::typed::{check_result, KernelParams, KernelResult};
use std::sync::Arc;
use strata_frontend::bpf::Insn;
use strata_ir::Linkage;

/// The IR of a module with the hashes that key its compiled code.
pub(crate) struct ModuleIr {
    pub(crate) module: strata_ir::Module,
    pub(crate) hash: u64,
    pub(crate) spec_hash: u64,
    /// The BPF program `module` was lifted from (`load_bpf`): `Tier::Interpreter` runs it
    /// on the dedicated BPF interpreter instead of interpreting `module`.
    pub(crate) bpf: Option<Arc<[Insn]>>,
}

impl ModuleIr {
    pub(crate) fn new(module: strata_ir::Module, spec_hash: u64) -> Self {
        let hash = fnv1a(strata_ir::print_module(&module).as_bytes());
        ModuleIr { module, hash, spec_hash, bpf: None }
    }

    /// A lifted BPF program with its instructions. Its hash differs from the same IR
    /// loaded as IR, so the two never share cached interpreter code.
    pub(crate) fn new_bpf(module: strata_ir::Module, insns: Vec<Insn>) -> Self {
        let mut text = strata_ir::print_module(&module);
        text.push_str("\n; bpf interpreter\n");
        ModuleIr { hash: fnv1a(text.as_bytes()), module, spec_hash: 0, bpf: Some(insns.into()) }
    }
}

/// Code loaded into an [`Engine`] (see `Engine::load_source`, `load_ir`, `load_module`,
/// `load_bpf`). Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Module {
    pub(crate) engine: Engine,
    pub(crate) name: Arc<str>,
    pub(crate) ir: Arc<ModuleIr>,
    pub(crate) tier: Option<Tier>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("name", &self.name).field("tier", &self.tier()).finish_non_exhaustive()
    }
}

impl Module {
    pub(crate) fn new(engine: Engine, name: &str, ir: strata_ir::Module) -> Module {
        Module { engine, name: name.into(), ir: Arc::new(ModuleIr::new(ir, 0)), tier: None }
    }

    /// A lifted BPF program (`load_bpf`), kept with its instructions for the BPF interpreter.
    pub(crate) fn new_bpf(engine: Engine, name: &str, ir: strata_ir::Module, insns: Vec<Insn>) -> Module {
        Module { engine, name: name.into(), ir: Arc::new(ModuleIr::new_bpf(ir, insns)), tier: None }
    }

    /// The name it was loaded under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verified IR.
    pub fn ir(&self) -> &strata_ir::Module {
        &self.ir.module
    }

    /// The tier [`Module::get`] uses: the one set with [`Module::with_tier`], else the
    /// engine's.
    pub fn tier(&self) -> Tier {
        self.tier.unwrap_or(self.engine.tier())
    }

    /// This module with kernels taken on `tier` by default.
    pub fn with_tier(mut self, tier: Tier) -> Module {
        self.tier = Some(tier);
        self
    }

    /// The engine that loaded it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The exported function `name` as a typed kernel on this module's tier. `P` is the
    /// parameter list (a type or a tuple of up to 8: `i32 i64 f32 f64 bool`, `&[T]`,
    /// `&mut [T]`), `R` the return type (`()` for none). The types must match the
    /// signature exactly; the error names the first parameter that does not.
    ///
    /// ```
    /// use strata_runtime::Engine;
    /// let src = "export fn ola(x: [f32], y: mut [f32], gain: f32) { for i in 0..x.len() { y[i] += x[i] * gain; } }";
    /// let m = Engine::new().load_source("ola.sk", src).unwrap();
    /// let err = m.get::<(&[f32], &mut [f32], f64), ()>("ola").unwrap_err();
    /// assert_eq!(err.to_string(), "function `ola`: parameter 2 `gain`: expected f32, found f64");
    /// let ola = m.get::<(&[f32], &mut [f32], f32), ()>("ola").unwrap();
    /// let mut y = [1.0; 4];
    /// ola.call((&[1.0, 2.0, 3.0, 4.0], &mut y, 0.5)).unwrap();
    /// assert_eq!(y, [1.5, 2.0, 2.5, 3.0]);
    /// ```
    pub fn get<P: KernelParams, R: KernelResult>(&self, name: &str) -> Result<TypedFunc<P, R>, Error> {
        self.get_on(name, self.tier())
    }

    /// [`Module::get`] on a given tier (including [`Tier::Adaptive`]).
    pub fn get_on<P: KernelParams, R: KernelResult>(&self, name: &str, tier: Tier) -> Result<TypedFunc<P, R>, Error> {
        let m = &self.ir.module;
        let id = m.func_by_name(name).ok_or_else(|| Error::NoSuchFunction(name.to_string()))?;
        let func = m.functions.get(id).ok_or_else(|| Error::NoSuchFunction(name.to_string()))?;
        if func.linkage != Linkage::Export {
            return Err(Error::NotExported(name.to_string()));
        }
        let sig_err = |message| Error::Signature { function: name.to_string(), message };
        P::check(&func.sig).map_err(sig_err)?;
        check_result::<R>(&func.sig).map_err(sig_err)?;
        let kernel = Kernel::new(&self.engine, &self.ir, name, tier)?;
        Ok(TypedFunc::new(kernel))
    }
}
