//! Specialization from the runtime: `module.specialize("fir").bind("taps", &taps)
//! .bind("n", 1024).tier(Tier::Optimized).build()` binds parameters to constants (the IR
//! pass `strata_ir::passes::specialize`) and gives a new [`Module`] whose function has only
//! the remaining parameters. The constants are part of the kernel-cache key, so the same
//! bindings compile once. This file converts Rust values to bindings; the IR transform is
//! the pass's job.

use crate::cache::fnv1a;
use crate::error::Error;
use crate::module::{Module, ModuleIr};
use crate::tier::Tier;
use crate::typed::SliceElem;
use std::sync::Arc;
use strata_ir::interp::{LeBytes, Val};
use strata_ir::passes::{specialize, Binding};
use strata_ir::{ParamKind, Type};

/// A value a parameter can be bound to: a scalar (`i32 i64 f32 f64 bool`) or a read-only
/// array (`&[T]`, `&Vec<T>`, `&[T; N]`).
pub trait BindValue {
    /// The binding, before adapting literals to the parameter's type.
    fn binding(self) -> Binding;
}

macro_rules! bind_scalars {
    ($($t:ty),*) => {$(
        impl BindValue for $t {
            fn binding(self) -> Binding {
                Binding::Scalar(Val::from(self))
            }
        }
    )*};
}
bind_scalars!(i32, i64, f32, f64, bool);

fn array<T: SliceElem + LeBytes>(xs: &[T]) -> Binding {
    Binding::Array { elem: T::TYPE, bytes: strata_ir::interp::to_le_bytes(xs) }
}

impl<T: SliceElem + LeBytes> BindValue for &[T] {
    fn binding(self) -> Binding {
        array(self)
    }
}
impl<T: SliceElem + LeBytes> BindValue for &Vec<T> {
    fn binding(self) -> Binding {
        array(self)
    }
}
impl<T: SliceElem + LeBytes, const N: usize> BindValue for &[T; N] {
    fn binding(self) -> Binding {
        array(&self[..])
    }
}

/// Builds a specialized module (see [`Module::specialize`]).
#[must_use = "call .build() to specialize"]
pub struct Specializer {
    module: Module,
    func: String,
    bindings: Vec<(String, Binding)>,
    tier: Option<Tier>,
}

impl Module {
    /// Starts specializing function `func`: bind parameters with
    /// [`Specializer::bind`], then [`Specializer::build`] a module in which `func` takes
    /// only the parameters left unbound.
    ///
    /// ```
    /// use strata_runtime::{Engine, Tier};
    /// let src = "export fn fir(x: [f32], taps: [f32], y: mut [f32], n: i64) {
    ///     for i in 0..n {
    ///         let mut acc = 0.0;
    ///         for k in 0..taps.len() { acc += x[i + k] * taps[k]; }
    ///         y[i] = acc;
    ///     }
    /// }";
    /// let m = Engine::new().load_source("fir.sk", src)?;
    /// let taps = vec![0.25f32, 0.5, 0.25];
    /// let fir = m.specialize("fir").bind("taps", &taps).bind("n", 4).tier(Tier::Optimized).build()?;
    /// let f = fir.get::<(&[f32], &mut [f32]), ()>("fir")?;   // x and y remain
    /// let mut y = [0.0f32; 4];
    /// f.call((&[0.0, 4.0, 0.0, 4.0, 0.0, 4.0], &mut y))?;
    /// assert_eq!(y, [2.0, 2.0, 2.0, 2.0]);
    ///
    /// let err = m.specialize("fir").bind("y", &taps).build().unwrap_err();
    /// assert!(err.to_string().contains("mut"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn specialize(&self, func: &str) -> Specializer {
        Specializer { module: self.clone(), func: func.to_string(), bindings: Vec::new(), tier: None }
    }
}

impl Specializer {
    /// Binds parameter `param` to `value`. An integer or float literal is adapted to the
    /// parameter's type (`.bind("n", 1024)` for an `i64` `n`: integers must fit, an `f64`
    /// for an `f32` parameter is rounded as `as f32` does).
    pub fn bind(mut self, param: &str, value: impl BindValue) -> Self {
        self.bindings.push((param.to_string(), value.binding()));
        self
    }

    /// The tier kernels of the specialized module run on by default.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = Some(tier);
        self
    }

    /// Runs the specialization. Errors name the parameter (unknown, bound twice, a `mut`
    /// slice, a value of the wrong type).
    pub fn build(self) -> Result<Module, Error> {
        let err = |message: String| Error::Specialize { function: self.func.clone(), message };
        let src = &self.module.ir.module;
        let id = src.func_by_name(&self.func).ok_or_else(|| Error::NoSuchFunction(self.func.clone()))?;
        let sig = &src.functions.get(id).ok_or_else(|| Error::NoSuchFunction(self.func.clone()))?.sig;
        let mut bindings = Vec::with_capacity(self.bindings.len());
        for (name, b) in self.bindings {
            let kind = sig.param(&name).map(|(_, p)| p.kind);
            bindings.push((name.clone(), adapt(b, kind).map_err(|m| err(format!("parameter `{name}`: {m}")))?));
        }
        let mut ir = src.clone();
        specialize(&mut ir, &self.func, &bindings).map_err(|e| err(e.to_string()))?;
        let spec_hash = fnv1a(describe(&self.func, &bindings).as_bytes());
        let name = format!("{}#{}", self.module.name, self.func);
        Ok(Module {
            engine: self.module.engine.clone(),
            name: name.into(),
            ir: Arc::new(ModuleIr::new(ir, spec_hash)),
            tier: self.tier.or(self.module.tier),
        })
    }
}

/// Adapts a literal to the parameter's scalar type; other bindings pass through (the pass
/// reports mismatches).
fn adapt(b: Binding, kind: Option<ParamKind>) -> Result<Binding, String> {
    let Some(ParamKind::Scalar(ty)) = kind else { return Ok(b) };
    let Binding::Scalar(v) = b else { return Ok(b) };
    let fits = |x: i64| format!("{x} does not fit in {ty}");
    let v = match (v, ty) {
        (Val::I32(x), Type::I64) => Val::I64(x as i64),
        (Val::I64(x), Type::I32) => Val::I32(i32::try_from(x).map_err(|_| fits(x))?),
        (Val::F64(x), Type::F32) => Val::F32(x as f32),
        (Val::F32(x), Type::F64) => Val::F64(x as f64),
        (v, _) => v,
    };
    Ok(Binding::Scalar(v))
}

/// The bindings as text, for the cache key.
fn describe(func: &str, bindings: &[(String, Binding)]) -> String {
    let mut s = format!("{func}(");
    for (name, b) in bindings {
        match b {
            Binding::Scalar(v) => s.push_str(&format!("{name}={}:{:?};", v.ty(), v.to_bits())),
            Binding::Array { elem, bytes } => {
                s.push_str(&format!("{name}=[{elem};{}]{:x};", bytes.len(), fnv1a(bytes)))
            }
        }
    }
    s.push(')');
    s
}
