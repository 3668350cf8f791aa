//! The Rust side of typed calls: which Rust types stand for which IR parameter and return
//! types ([`KernelArg`], [`KernelParams`], [`KernelResult`]), checked once against a
//! function's signature, and how a checked argument tuple reaches compiled code (flattened
//! into an [`AbiList`]) or the interpreter (as [`Arg`]s in a stack array).
//!
//! Implemented for `i32 i64 f32 f64 bool`, `&[T]` and `&mut [T]` of `i8 u8 i16 i32 i64 f32
//! f64`, and tuples of 0..=8 of them (a single argument may also be passed bare). The traits
//! are sealed: a new impl could break the layout guarantees the native call relies on.
//! This file does not hold kernels or call anything itself (see `kernel.rs` and `func.rs`).

use crate::dynamic_call::{CallError, CompiledModule};
use crate::native_call::{AbiList, AbiRet};
use strata_ir::interp::{Arg, Val};
use strata_ir::{ParamKind, Signature, Type, VmContext};

mod sealed {
    pub trait Sealed {}
}

/// How an IR parameter kind is written as the Rust type that matches it.
pub(crate) fn rust_name(kind: ParamKind) -> String {
    match kind {
        ParamKind::Scalar(t) => scalar_name(t),
        ParamKind::Slice { elem, mutable: false } => format!("&[{}]", scalar_name(elem)),
        ParamKind::Slice { elem, mutable: true } => format!("&mut [{}]", scalar_name(elem)),
    }
}

fn scalar_name(t: Type) -> String {
    if t == Type::BOOL {
        "bool".to_string()
    } else {
        t.to_string()
    }
}

/// One Rust argument type that can be passed to a kernel parameter.
pub trait KernelArg: sealed::Sealed {
    /// The Rust type's name, for signature-mismatch errors.
    fn rust_type() -> String;
    /// Whether this Rust type may be passed for a parameter of `kind`.
    fn matches(kind: ParamKind) -> bool;
    /// The ABI list after this argument's slots.
    #[doc(hidden)]
    type Pushed<L: AbiList>: AbiList;
    /// Appends this argument's ABI slots (a slice: its pointer, then its length).
    #[doc(hidden)]
    fn push<L: AbiList>(self, l: L) -> Self::Pushed<L>;
    /// The argument as the interpreter takes it.
    #[doc(hidden)]
    fn into_interp<'s>(self) -> Arg<'s>
    where
        Self: 's;
}

macro_rules! scalar_args {
    ($($t:ty => $ir:expr, $abi:ty, |$x:ident| $conv:expr;)*) => {$(
        impl sealed::Sealed for $t {}
        impl KernelArg for $t {
            fn rust_type() -> String {
                stringify!($t).to_string()
            }
            fn matches(kind: ParamKind) -> bool {
                kind == ParamKind::Scalar($ir)
            }
            type Pushed<L: AbiList> = L::Push<$abi>;
            #[inline(always)]
            fn push<L: AbiList>(self, l: L) -> Self::Pushed<L> {
                let $x = self;
                l.push::<$abi>($conv)
            }
            fn into_interp<'s>(self) -> Arg<'s> where Self: 's {
                Arg::Val(Val::from(self))
            }
        }
    )*};
}
scalar_args! {
    i32 => Type::I32, i32, |x| x;
    i64 => Type::I64, i64, |x| x;
    f32 => Type::F32, f32, |x| x;
    f64 => Type::F64, f64, |x| x;
    bool => Type::BOOL, u8, |x| x as u8;
}

/// An element type of slice arguments: plain numbers for which every bit pattern is a valid
/// value (so compiled code may write any bytes into a `&mut [T]`).
pub trait SliceElem: Copy + sealed::Sealed + 'static {
    /// The IR element type.
    const TYPE: Type;
    /// The Rust name.
    const NAME: &'static str;
}

macro_rules! slice_elems {
    ($($t:ty => $ir:expr;)*) => {$(
        impl sealed::Sealed for $t {}
        impl SliceElem for $t {
            const TYPE: Type = $ir;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
slice_elems! { i8 => Type::I8; u8 => Type::I8; i16 => Type::I16; }

/// `i32 i64 f32 f64` are already `Sealed` as scalars; they are slice elements too.
macro_rules! slice_elems_sealed {
    ($($t:ty => $ir:expr;)*) => {$(
        impl SliceElem for $t {
            const TYPE: Type = $ir;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
slice_elems_sealed! { i32 => Type::I32; i64 => Type::I64; f32 => Type::F32; f64 => Type::F64; }

impl<T: SliceElem> sealed::Sealed for &[T] {}
impl<T: SliceElem> KernelArg for &[T] {
    fn rust_type() -> String {
        format!("&[{}]", T::NAME)
    }
    fn matches(kind: ParamKind) -> bool {
        kind == ParamKind::Slice { elem: T::TYPE, mutable: false }
    }
    type Pushed<L: AbiList> = <L::Push<*const u8> as AbiList>::Push<i64>;
    #[inline(always)]
    fn push<L: AbiList>(self, l: L) -> Self::Pushed<L> {
        // A slice never holds more than isize::MAX bytes, so its length fits an i64.
        l.push(self.as_ptr() as *const u8).push(self.len() as i64)
    }
    fn into_interp<'s>(self) -> Arg<'s>
    where
        Self: 's,
    {
        // SAFETY: `T` is a plain number type without padding (`SliceElem`), so its bytes
        // may be read as `u8`s; the byte slice covers exactly the same memory and borrow.
        Arg::Slice(unsafe { std::slice::from_raw_parts(self.as_ptr() as *const u8, std::mem::size_of_val(self)) })
    }
}

impl<T: SliceElem> sealed::Sealed for &mut [T] {}
impl<T: SliceElem> KernelArg for &mut [T] {
    fn rust_type() -> String {
        format!("&mut [{}]", T::NAME)
    }
    fn matches(kind: ParamKind) -> bool {
        kind == ParamKind::Slice { elem: T::TYPE, mutable: true }
    }
    type Pushed<L: AbiList> = <L::Push<*mut u8> as AbiList>::Push<i64>;
    #[inline(always)]
    fn push<L: AbiList>(self, l: L) -> Self::Pushed<L> {
        let len = self.len() as i64;
        l.push(self.as_mut_ptr() as *mut u8).push(len)
    }
    fn into_interp<'s>(self) -> Arg<'s>
    where
        Self: 's,
    {
        let bytes = std::mem::size_of_val(self);
        // SAFETY: as for `&[T]`; in addition every byte pattern is a valid `T`
        // (`SliceElem`), so writes through the byte view cannot make an invalid value.
        Arg::SliceMut(unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr() as *mut u8, bytes) })
    }
}

/// The return type of a kernel: `()` for none, or one of `i32 i64 f32 f64 bool`.
pub trait KernelResult: sealed::Sealed + Sized {
    /// The IR return type this Rust type matches.
    fn ir_type() -> Option<Type>;
    /// The Rust type's name, for errors.
    fn rust_type() -> &'static str;
    /// What compiled code returns for it.
    #[doc(hidden)]
    type Native: AbiRet;
    #[doc(hidden)]
    fn from_native(n: Self::Native) -> Self;
    /// The interpreter's result as this type (`None` if it has another type).
    #[doc(hidden)]
    fn from_val(v: Option<Val>) -> Option<Self>;
}

impl sealed::Sealed for () {}
impl KernelResult for () {
    fn ir_type() -> Option<Type> {
        None
    }
    fn rust_type() -> &'static str {
        "()"
    }
    type Native = ();
    fn from_native(_: ()) {}
    fn from_val(v: Option<Val>) -> Option<()> {
        v.is_none().then_some(())
    }
}

macro_rules! results {
    ($($t:ty => $ir:expr, $native:ty, $from:expr, $val:ident;)*) => {$(
        impl KernelResult for $t {
            fn ir_type() -> Option<Type> {
                Some($ir)
            }
            fn rust_type() -> &'static str {
                stringify!($t)
            }
            type Native = $native;
            #[inline(always)]
            fn from_native(n: $native) -> Self {
                ($from)(n)
            }
            fn from_val(v: Option<Val>) -> Option<Self> {
                match v {
                    Some(Val::$val(x)) => Some(x),
                    _ => None,
                }
            }
        }
    )*};
}
results! {
    i32 => Type::I32, i32, |n| n, I32;
    i64 => Type::I64, i64, |n| n, I64;
    f32 => Type::F32, f32, |n| n, F32;
    f64 => Type::F64, f64, |n| n, F64;
    bool => Type::BOOL, u8, |n: u8| n & 1 != 0, Bool;
}

/// The argument list of a kernel: a [`KernelArg`] or a tuple of 0..=8 of them.
pub trait KernelParams: Sized {
    /// Checks the Rust types against `sig`'s parameters; the error names the first
    /// mismatch (`parameter 2 `gain`: expected f32, found f64`).
    fn check(sig: &Signature) -> Result<(), String>;
    /// Calls compiled code.
    ///
    /// # Safety
    /// `entry` must be the live direct entry point of a function whose signature passed
    /// [`KernelParams::check`] and returns `R`.
    #[doc(hidden)]
    unsafe fn invoke<R: AbiRet>(self, entry: *const u8, ctx: *mut VmContext) -> R;
    /// Calls `name` on an interpreter-tier module.
    #[doc(hidden)]
    fn call_interp(self, code: &CompiledModule, name: &str) -> Result<Option<Val>, CallError>;
}

fn check_one<A: KernelArg>(sig: &Signature, i: usize) -> Result<(), String> {
    match sig.params.get(i) {
        Some(p) if A::matches(p.kind) => Ok(()),
        Some(p) => Err(format!("parameter {i} `{}`: expected {}, found {}", p.name, rust_name(p.kind), A::rust_type())),
        None => Err(format!("takes {} parameters, but {} were given", sig.params.len(), i + 1)),
    }
}

fn check_count(sig: &Signature, n: usize) -> Result<(), String> {
    if sig.params.len() == n {
        Ok(())
    } else {
        let all: Vec<String> = sig.params.iter().map(|p| format!("{}: {}", p.name, rust_name(p.kind))).collect();
        Err(format!("takes {} parameters ({}), but {n} were given", sig.params.len(), all.join(", ")))
    }
}

impl<A: KernelArg> KernelParams for A {
    fn check(sig: &Signature) -> Result<(), String> {
        check_count(sig, 1)?;
        check_one::<A>(sig, 0)
    }
    #[inline(always)]
    unsafe fn invoke<R: AbiRet>(self, entry: *const u8, ctx: *mut VmContext) -> R {
        // SAFETY: forwarded contract.
        unsafe { AbiList::invoke(self.push(()), entry, ctx) }
    }
    fn call_interp(self, code: &CompiledModule, name: &str) -> Result<Option<Val>, CallError> {
        code.call(name, &mut [self.into_interp()])
    }
}

macro_rules! params {
    ($($n:literal: ($($a:ident $i:tt)*);)*) => {$(
        impl<$($a: KernelArg),*> KernelParams for ($($a,)*) {
            fn check(sig: &Signature) -> Result<(), String> {
                check_count(sig, $n)?;
                $(check_one::<$a>(sig, $i)?;)*
                Ok(())
            }
            #[inline(always)]
            #[allow(non_snake_case, clippy::unused_unit)]
            unsafe fn invoke<R: AbiRet>(self, entry: *const u8, ctx: *mut VmContext) -> R {
                let ($($a,)*) = self;
                let l = ();
                $(let l = $a.push(l);)*
                // SAFETY: forwarded contract; the list holds the checked parameters' slots.
                unsafe { AbiList::invoke(l, entry, ctx) }
            }
            #[allow(non_snake_case)]
            fn call_interp(self, code: &CompiledModule, name: &str) -> Result<Option<Val>, CallError> {
                let ($($a,)*) = self;
                let mut args: [Arg<'_>; $n] = [$($a.into_interp()),*];
                code.call(name, &mut args)
            }
        }
    )*};
}
params! {
    0: ();
    1: (A0 0);
    2: (A0 0 A1 1);
    3: (A0 0 A1 1 A2 2);
    4: (A0 0 A1 1 A2 2 A3 3);
    5: (A0 0 A1 1 A2 2 A3 3 A4 4);
    6: (A0 0 A1 1 A2 2 A3 3 A4 4 A5 5);
    7: (A0 0 A1 1 A2 2 A3 3 A4 4 A5 5 A6 6);
    8: (A0 0 A1 1 A2 2 A3 3 A4 4 A5 5 A6 6 A7 7);
}

/// Checks the return type.
pub(crate) fn check_result<R: KernelResult>(sig: &Signature) -> Result<(), String> {
    if sig.ret == R::ir_type() {
        return Ok(());
    }
    let expected = sig.ret.map(scalar_name).unwrap_or_else(|| "()".to_string());
    Err(format!("return type: expected {expected}, found {}", R::rust_type()))
}
