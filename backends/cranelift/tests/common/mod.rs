//! Helpers shared by the integration tests: building one-function modules, compiling with
//! the CLIF verifier on, and calling through the array-call trampoline. Every call made
//! through [`call_ctx`] is also run on the interpreter (the reference semantics) with the
//! same arguments, fuel and depth budget, and must give the same result, trap and slice
//! contents — so every test of this crate is also a differential test.

#![allow(dead_code)]

pub mod gen;
pub mod interp;
pub mod reference;

use strata_cranelift::{compile, CompiledModule, CraneliftOptions, OptLevel};
use strata_ir::{Function, FunctionBuilder, Linkage, Module, Param, Signature, TrapCode, Type, Value, VmContext};

/// A compiled module with its IR and options, for cross-checking calls on the interpreter.
pub struct Compiled {
    pub cm: CompiledModule,
    pub module: Module,
    pub opts: CraneliftOptions,
}

impl std::ops::Deref for Compiled {
    type Target = CompiledModule;
    fn deref(&self) -> &CompiledModule {
        &self.cm
    }
}

/// Options for tests: verified, with depth limit, no fuel; optimized unless
/// `STRATA_TEST_OPT_LEVEL=none` asks for the fast-compile level.
pub fn opts() -> CraneliftOptions {
    let opt_level = match std::env::var("STRATA_TEST_OPT_LEVEL").as_deref() {
        Ok("none") => OptLevel::None,
        _ => OptLevel::Speed,
    };
    CraneliftOptions { opt_level, fuel: false, depth_limit: true, verify: true }
}

/// Builds a function with `body`, which receives the builder and the entry parameters and
/// must terminate every block it creates.
pub fn build(
    name: &str,
    linkage: Linkage,
    params: Vec<Param>,
    ret: Option<Type>,
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) -> Function {
    let mut func = Function::new(name, linkage, Signature::new(params, ret));
    let mut b = FunctionBuilder::new(&mut func);
    let p = b.create_entry_block();
    body(&mut b, &p);
    b.seal_all_blocks();
    b.finalize().expect("test function is well formed");
    func
}

/// Scalar parameters `a0, a1, …` of the given types.
pub fn scalars(tys: &[Type]) -> Vec<Param> {
    tys.iter().enumerate().map(|(i, &t)| Param::scalar(format!("a{i}"), t)).collect()
}

/// A module holding one exported function `f`.
pub fn module1(params: &[Type], ret: Option<Type>, body: impl FnOnce(&mut FunctionBuilder, &[Value])) -> Module {
    let mut m = Module::new();
    m.add_function(build("f", Linkage::Export, scalars(params), ret, body));
    m
}

pub fn compile_ok(m: &Module) -> Compiled {
    compile_opts(m, &opts())
}

/// Verifies `m` with the IR verifier, then compiles it.
pub fn compile_opts(m: &Module, o: &CraneliftOptions) -> Compiled {
    if let Err(e) = strata_ir::verifier::verify_module(m) {
        panic!("test module does not verify: {e}");
    }
    match compile(m, o) {
        Ok(cm) => Compiled { cm, module: m.clone(), opts: *o },
        Err(e) => panic!("compile failed: {e}"),
    }
}

/// Calls exported `name` with u64 slots and a fresh context.
pub fn call(cm: &Compiled, name: &str, args: &[u64]) -> Result<u64, TrapCode> {
    let mut ctx = VmContext::default();
    call_ctx(cm, name, args, &mut ctx)
}

/// Calls exported `name` with u64 slots and the given context (its trap code is reset),
/// and checks that the interpreter agrees (unless the module calls host functions, which
/// the interpreter would need as closures).
pub fn call_ctx(cm: &Compiled, name: &str, args: &[u64], ctx: &mut VmContext) -> Result<u64, TrapCode> {
    let f = cm.function(name).expect("exported function");
    let check = cm.module.externs.is_empty().then(|| interp::Expected::new(cm, &f.sig, name, args, ctx)).flatten();
    let got = call_raw(cm, name, args, ctx);
    if let Some(check) = check {
        check.assert_agrees(&f.sig, args, got);
    }
    got
}

/// Calls exported `name` on tier 1 only.
pub fn call_raw(cm: &CompiledModule, name: &str, args: &[u64], ctx: &mut VmContext) -> Result<u64, TrapCode> {
    let f = cm.function(name).expect("exported function");
    assert_eq!(f.sig.abi_params().len(), args.len(), "argument count");
    let mut ret = 0u64;
    ctx.trap_code = 0;
    // SAFETY: the trampoline reads `args.len()` slots (checked above), writes one slot to
    // `ret` and uses `ctx`, all valid for the call; the module outlives the call.
    unsafe { (f.array_call)(args.as_ptr(), &mut ret, ctx) };
    match ctx.trap_code {
        0 => Ok(ret),
        c => Err(TrapCode::from_u32(c).expect("valid trap code")),
    }
}

pub fn f32s(x: f32) -> u64 {
    u64::from(x.to_bits())
}
pub fn f64s(x: f64) -> u64 {
    x.to_bits()
}
pub fn as_f32(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
pub fn as_f64(x: u64) -> f64 {
    f64::from_bits(x)
}

/// Float equality where all NaNs are equal and -0.0 != +0.0.
pub fn same_f32(a: f32, b: f32) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}
pub fn same_f64(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}
