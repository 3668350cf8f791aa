//! Running one function on every tier and comparing what it did.
//!
//! The reference is the interpreter on the unoptimized module. The other configurations are
//! [`configs`]: the interpreter after `-O2`, and tiers 1 and 2 at `-O0` and `-O2` (Strata's
//! pass pipeline; tier 2 also runs LLVM's own pipeline at the matching level). Results are
//! compared bit for bit, except that any NaN equals any NaN (docs/ir.md: NaN payloads are
//! unspecified); mutable slices must end byte-identical; traps must have the same code. A
//! panic inside a compiler or a call is caught and reported as a failure, never as a match.
//! This file must not generate programs or decide what to do with a mismatch.

use crate::rng::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use strata_ir::interp::{Arg, Val};
use strata_ir::{Module, ParamKind, Signature, TrapCode, Type};
use strata_runtime::{CallError, CompiledModule, Options, Tier};

/// One way of compiling and running a module.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub tier: Tier,
    /// Strata's pass pipeline (`-O0` runs none).
    pub pipeline: &'static str,
}

impl Config {
    /// `"baseline -O2"` and so on.
    pub fn label(&self) -> String {
        format!("{} {}", self.tier, self.pipeline)
    }

    /// Parses [`Config::label`]'s output.
    pub fn from_label(s: &str) -> Option<Config> {
        let (t, p) = s.trim().split_once(' ')?;
        let tier: Tier = t.parse().ok()?;
        let pipeline = match p.trim() {
            "-O0" => "-O0",
            "-O2" => "-O2",
            _ => return None,
        };
        Some(Config { tier, pipeline })
    }

    pub fn options(&self) -> Options {
        let optimized = self.pipeline != "-O0";
        Options {
            llvm_opt_level: if optimized { 3 } else { 0 },
            fuel: None,
            pipeline: optimized.then(|| self.pipeline.to_string()),
            ..Options::default()
        }
    }
}

/// The reference configuration: the interpreter on the module as generated.
pub const REFERENCE: Config = Config { tier: Tier::Interpreter, pipeline: "-O0" };

/// Every configuration this build can run, other than [`REFERENCE`].
pub fn configs() -> Vec<Config> {
    let mut out = vec![Config { tier: Tier::Interpreter, pipeline: "-O2" }];
    for tier in strata_runtime::available_tiers() {
        if tier != Tier::Interpreter {
            out.push(Config { tier, pipeline: "-O0" });
            out.push(Config { tier, pipeline: "-O2" });
        }
    }
    out
}

/// An owned argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Scalar(Val),
    Slice { bytes: Vec<u8>, mutable: bool },
}

/// What one call did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Returned {
        ret: Option<Val>,
        slices: Vec<Vec<u8>>,
    },
    Trapped(TrapCode),
    /// Not a program behaviour: a compile error, a panic, bad arguments.
    Failed(String),
}

impl Outcome {
    /// Whether two outcomes agree (NaN results equal each other; failures never match).
    pub fn matches(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Failed(_), _) | (_, Outcome::Failed(_)) => false,
            _ => self == other,
        }
    }
}

/// Compiles `module` for `config`, turning errors and panics into a message.
pub fn compile(module: &Module, config: Config) -> Result<CompiledModule, String> {
    compile_with(module, config, config.options())
}

/// [`compile`] with options other than `config`'s own (fuel for the reference, say).
fn compile_with(module: &Module, config: Config, opts: Options) -> Result<CompiledModule, String> {
    match catch_unwind(AssertUnwindSafe(|| strata_runtime::compile(module, config.tier, &opts))) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(format!("compile error on {}: {e}", config.label())),
        Err(p) => Err(format!("compiler panicked on {}: {}", config.label(), panic_message(&p))),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Calls `name` with `inputs` (copied, so the caller's stay as they were).
pub fn call(c: &CompiledModule, name: &str, inputs: &[Input]) -> Outcome {
    let mut owned = inputs.to_vec();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut args: Vec<Arg<'_>> = owned
            .iter_mut()
            .map(|i| match i {
                Input::Scalar(v) => Arg::Val(*v),
                Input::Slice { bytes, mutable: true } => Arg::SliceMut(bytes),
                Input::Slice { bytes, mutable: false } => Arg::Slice(bytes),
            })
            .collect();
        c.call(name, &mut args)
    }));
    match r {
        Ok(Ok(ret)) => Outcome::Returned {
            ret,
            slices: owned
                .into_iter()
                .filter_map(|i| match i {
                    Input::Slice { bytes, mutable: true } => Some(bytes),
                    _ => None,
                })
                .collect(),
        },
        Ok(Err(CallError::Trap(t))) => Outcome::Trapped(t.code),
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(p) => Outcome::Failed(format!("call panicked: {}", panic_message(&p))),
    }
}

/// Random inputs for `sig`: `inp`-like read-only byte slices full of edge-case values laid
/// end to end, zeroed writable `out` slices, random writable `mem` (BPF), an `idx` that is
/// usually 0 or small and sometimes out of range, and edge-case scalars.
pub fn inputs(rng: &mut Rng, sig: &Signature) -> Vec<Input> {
    sig.params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Slice { mutable: false, .. } => {
                Input::Slice { bytes: edge_bytes(rng, crate::ir_gen::IN_BYTES), mutable: false }
            }
            ParamKind::Slice { mutable: true, .. } if p.name == "mem" => {
                Input::Slice { bytes: edge_bytes(rng, crate::bpf_gen::MEM_BYTES), mutable: true }
            }
            ParamKind::Slice { mutable: true, .. } => {
                Input::Slice { bytes: vec![0; crate::ir_gen::OUT_BYTES], mutable: true }
            }
            ParamKind::Scalar(Type::I64) if p.name == "idx" => {
                let idx: i64 = match rng.below(20) {
                    0 => -1,
                    1 => crate::ir_gen::IN_BYTES as i64,
                    2 => rng.next_u64() as i64,
                    3..=6 => rng.below(16) as i64,
                    _ => 0,
                };
                Input::Scalar(Val::I64(idx))
            }
            ParamKind::Scalar(t) => {
                let bits = rng.lane(t);
                Input::Scalar(Val::from_bits(t, bits).unwrap_or(Val::I64(0)))
            }
        })
        .collect()
}

fn edge_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(n + 8);
    while bytes.len() < n {
        let ty = rng.pick(&[Type::F32, Type::F64, Type::I32, Type::I64, Type::I8, Type::I16]);
        let x = rng.lane(ty);
        let w = ty.bytes().unwrap_or(1) as usize;
        bytes.extend_from_slice(&x.to_le_bytes()[..w]);
    }
    bytes.truncate(n);
    bytes
}

/// One disagreement with the reference.
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub function: String,
    pub config: Config,
    pub inputs: Vec<Input>,
    pub want: Outcome,
    pub got: Outcome,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` on {}:\n  inputs: {:?}\n  interpreter: {:?}\n  {}: {:?}",
            self.function,
            self.config.label(),
            self.inputs,
            self.want,
            self.config.label(),
            self.got
        )
    }
}

/// Runs `function` with `inputs` on the reference and on `compiled`, returning the
/// mismatches. A reference failure is reported against the reference itself.
pub fn check_function(
    reference: &CompiledModule,
    compiled: &[(Config, CompiledModule)],
    function: &str,
    inputs: &[Input],
) -> Vec<Mismatch> {
    let want = call(reference, function, inputs);
    let mut out = Vec::new();
    if let Outcome::Failed(_) = want {
        out.push(Mismatch {
            function: function.to_string(),
            config: REFERENCE,
            inputs: inputs.to_vec(),
            want: want.clone(),
            got: want,
        });
        return out;
    }
    for (config, c) in compiled {
        let got = call(c, function, inputs);
        if !want.matches(&got) {
            out.push(Mismatch {
                function: function.to_string(),
                config: *config,
                inputs: inputs.to_vec(),
                want: want.clone(),
                got,
            });
        }
    }
    out
}

/// Whether `module` still fails the same way for `function` with `inputs` on `config`: a
/// compile failure there when `compile_failure`, else a different outcome. False if the
/// module does not verify or the reference itself fails (or, with `fuel`, runs out of it:
/// one unit per loop back-edge and call). Only the reference counts fuel: counting it changes
/// what the tier under test compiles.
pub fn still_mismatches(
    module: &Module,
    config: Config,
    function: &str,
    inputs: &[Input],
    compile_failure: bool,
    fuel: Option<u64>,
) -> bool {
    if strata_ir::verify_module(module).is_err() {
        return false;
    }
    // The reference runs with `fuel` (a reduction step can turn a bounded loop into an
    // endless one); a candidate that runs out of it is not a failure of the tier under test.
    let reference = match fuel {
        None => compile(module, REFERENCE),
        Some(f) => compile_with(module, REFERENCE, Options { fuel: Some(f), ..REFERENCE.options() }),
    };
    let Ok(reference) = reference else { return false };
    let want = call(&reference, function, inputs);
    match want {
        Outcome::Failed(_) => return false,
        Outcome::Trapped(TrapCode::FuelExhausted) if fuel.is_some() => return false,
        _ => {}
    }
    match compile(module, config) {
        Err(_) => compile_failure,
        Ok(c) => !compile_failure && !want.matches(&call(&c, function, inputs)),
    }
}
