//! The engine's table of host functions by name (`Engine::host_fn`), and the typed
//! convenience wrappers that turn a Rust closure over `f32 f64 i32 i64` into a
//! [`HostFn`]. Compiled modules get forwarders that look names up here at call time, so a
//! function registered after a module was compiled is still found. The call mechanism for
//! compiled code is `host.rs`; this file only keeps the names.

use crate::host::HostFunctions;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use strata_ir::interp::{HostFn, Val};
use strata_ir::{Module, TrapCode, Type};

/// Host functions by name, shared by an engine and everything it compiled.
#[derive(Default)]
pub(crate) struct HostRegistry {
    by_name: RwLock<HashMap<String, HostFn>>,
}

impl HostRegistry {
    pub(crate) fn insert(&self, name: &str, f: HostFn) {
        self.by_name.write().unwrap_or_else(|p| p.into_inner()).insert(name.to_string(), f);
    }

    pub(crate) fn get(&self, name: &str) -> Option<HostFn> {
        self.by_name.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    /// A [`HostFunctions`] with a forwarder for every `extern fn` of `module`: it looks
    /// the name up here when called (so later registrations are seen, on every tier) and
    /// traps `host_error` if nothing is registered.
    pub(crate) fn forwarders(self: &Arc<Self>, module: &Module) -> HostFunctions {
        let mut hosts = HostFunctions::new();
        for (_, ext) in module.externs.iter() {
            let reg = Arc::clone(self);
            let name = ext.name.clone();
            hosts = hosts.with(&ext.name, move |args| match reg.get(&name) {
                Some(f) => f(args),
                None => Err(TrapCode::HostError),
            });
        }
        hosts
    }
}

/// A Rust function usable as a typed host function: `Fn(A..) -> R` over `f32 f64 i32 i64`
/// with 0..=5 arguments.
pub trait IntoHostFn<Args>: Send + Sync + 'static {
    /// The parameter and return types, as the `extern fn` declaration must have them.
    fn signature() -> (Vec<Type>, Option<Type>);
    /// The function as a dynamically typed [`HostFn`], checking argument types per call.
    fn into_host_fn(self) -> HostFn;
}

/// A scalar a host function takes or returns.
pub trait HostScalar: Copy + Send + Sync + 'static {
    /// Its IR type.
    const TYPE: Type;
    #[doc(hidden)]
    fn from_val(v: &Val) -> Option<Self>;
    #[doc(hidden)]
    fn into_val(self) -> Val;
}

macro_rules! host_scalars {
    ($($t:ty => $ty:expr, $v:ident;)*) => {$(
        impl HostScalar for $t {
            const TYPE: Type = $ty;
            fn from_val(v: &Val) -> Option<Self> {
                match v {
                    Val::$v(x) => Some(*x),
                    _ => None,
                }
            }
            fn into_val(self) -> Val {
                Val::$v(self)
            }
        }
    )*};
}
host_scalars! { i32 => Type::I32, I32; i64 => Type::I64, I64; f32 => Type::F32, F32; f64 => Type::F64, F64; }

macro_rules! into_host_fn {
    ($($a:ident $i:tt)*) => {
        impl<F, R, $($a),*> IntoHostFn<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostScalar,
            $($a: HostScalar,)*
        {
            fn signature() -> (Vec<Type>, Option<Type>) {
                (vec![$($a::TYPE),*], Some(R::TYPE))
            }
            #[allow(unused_variables)]
            fn into_host_fn(self) -> HostFn {
                Arc::new(move |args: &[Val]| {
                    const N: usize = <[&str]>::len(&[$(stringify!($a)),*]);
                    if args.len() != N {
                        return Err(TrapCode::HostError);
                    }
                    Ok(Some(self($($a::from_val(args.get($i).ok_or(TrapCode::HostError)?).ok_or(TrapCode::HostError)?),*).into_val()))
                })
            }
        }
    };
}
into_host_fn!();
into_host_fn!(A0 0);
into_host_fn!(A0 0 A1 1);
into_host_fn!(A0 0 A1 1 A2 2);
into_host_fn!(A0 0 A1 1 A2 2 A3 3);
into_host_fn!(A0 0 A1 1 A2 2 A3 3 A4 4);
