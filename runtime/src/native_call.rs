//! Calling a compiled entry point `extern "C" fn(abi params…, *mut VmContext) -> ret` with
//! statically known argument types, without allocation or boxing.
//!
//! A typed parameter list flattens to 0..=16 ABI scalars (a slice is a pointer and an
//! `i64` length). [`AbiList`] is a tuple of such scalars built up one value at a time
//! ([`AbiList::push`]); its [`AbiList::invoke`] transmutes the entry address to the function
//! type with exactly those parameters and calls it. Everything here is generic and inlines
//! to one indirect call. This file does not check signatures: callers (`typed.rs`) must have
//! checked the IR signature against the Rust types before calling [`AbiList::invoke`].

use strata_ir::{TrapCode, VmContext};

mod sealed {
    pub trait Scalar {}
    pub trait Ret {}
    pub trait List {}
}

/// A value passed in one ABI slot: integers, floats and pointers of the compiled-code ABI.
pub trait AbiScalar: Copy + sealed::Scalar + 'static {}

/// A value returned by compiled code (or `()` for none).
pub trait AbiRet: Copy + sealed::Ret + 'static {
    /// The value returned when no call was made (only on the unreachable overflow path).
    fn zero() -> Self;
}

macro_rules! abi_scalars {
    ($($t:ty = $z:expr),*) => {$(
        impl sealed::Scalar for $t {}
        impl sealed::Ret for $t {}
        impl AbiScalar for $t {}
        impl AbiRet for $t {
            fn zero() -> Self { $z }
        }
    )*};
}
abi_scalars!(u8 = 0, i32 = 0, i64 = 0, f32 = 0.0, f64 = 0.0, *const u8 = std::ptr::null(), *mut u8 = std::ptr::null_mut());

impl sealed::Ret for () {}
impl AbiRet for () {
    fn zero() -> Self {}
}

/// A flattened list of ABI arguments (a tuple of [`AbiScalar`]s, at most 16).
pub trait AbiList: Sized + sealed::List {
    /// This list with `T` appended.
    type Push<T: AbiScalar>: AbiList;
    /// Appends `t`.
    fn push<T: AbiScalar>(self, t: T) -> Self::Push<T>;
    /// Calls `entry` with these arguments and `ctx`.
    ///
    /// # Safety
    /// `entry` must be a live compiled function whose ABI parameters are exactly the types
    /// of this list, in order, followed by the context pointer, and whose return type is
    /// `R`; the pointers in the list must satisfy what the function does with them.
    unsafe fn invoke<R: AbiRet>(self, entry: *const u8, ctx: *mut VmContext) -> R;
}

/// The list after 16 values: unreachable, since 8 parameters take at most 16 slots. Its
/// `invoke` makes no call and reports a trap instead of transmuting anything.
pub struct Overflow;
impl sealed::List for Overflow {}
impl AbiList for Overflow {
    type Push<T: AbiScalar> = Overflow;
    fn push<T: AbiScalar>(self, _t: T) -> Overflow {
        Overflow
    }
    unsafe fn invoke<R: AbiRet>(self, _entry: *const u8, ctx: *mut VmContext) -> R {
        // SAFETY: the caller passes a valid context (see the trait's contract).
        unsafe { (*ctx).trap_code = TrapCode::Unreachable.to_u32() };
        R::zero()
    }
}

macro_rules! abi_list {
    ($(($($a:ident)*) => ($($b:ident)*) $push:ident;)*) => {$(
        impl<$($a: AbiScalar),*> sealed::List for ($($a,)*) {}
        impl<$($a: AbiScalar),*> AbiList for ($($a,)*) {
            type Push<T: AbiScalar> = abi_list!(@ty $push ($($b)*));
            #[inline(always)]
            #[allow(non_snake_case)]
            fn push<T: AbiScalar>(self, t: T) -> Self::Push<T> {
                let ($($a,)*) = self;
                abi_list!(@val $push ($($a)*) t)
            }
            #[inline(always)]
            #[allow(non_snake_case)]
            unsafe fn invoke<R: AbiRet>(self, entry: *const u8, ctx: *mut VmContext) -> R {
                let ($($a,)*) = self;
                // SAFETY: per the contract, `entry` has exactly this type.
                unsafe {
                    let f: unsafe extern "C" fn($($a,)* *mut VmContext) -> R = std::mem::transmute(entry);
                    f($($a,)* ctx)
                }
            }
        }
    )*};
    (@ty next ($($b:ident)*)) => { ($($b,)* T,) };
    (@ty overflow ($($b:ident)*)) => { Overflow };
    (@val next ($($a:ident)*) $t:ident) => { ($($a,)* $t,) };
    (@val overflow ($($a:ident)*) $t:ident) => {{ let _ = ($($a,)* $t); Overflow }};
}

abi_list! {
    () => () next;
    (A0) => (A0) next;
    (A0 A1) => (A0 A1) next;
    (A0 A1 A2) => (A0 A1 A2) next;
    (A0 A1 A2 A3) => (A0 A1 A2 A3) next;
    (A0 A1 A2 A3 A4) => (A0 A1 A2 A3 A4) next;
    (A0 A1 A2 A3 A4 A5) => (A0 A1 A2 A3 A4 A5) next;
    (A0 A1 A2 A3 A4 A5 A6) => (A0 A1 A2 A3 A4 A5 A6) next;
    (A0 A1 A2 A3 A4 A5 A6 A7) => (A0 A1 A2 A3 A4 A5 A6 A7) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8) => (A0 A1 A2 A3 A4 A5 A6 A7 A8) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14) => (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14) next;
    (A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15) => () overflow;
}

#[cfg(test)]
mod tests {
    use super::*;

    extern "C" fn add3(a: i32, b: i64, c: f64, ctx: *mut VmContext) -> f64 {
        // SAFETY: the test passes a live context.
        unsafe { (*ctx).fuel -= 1 };
        a as f64 + b as f64 + c
    }

    #[test]
    fn invokes_with_pushed_arguments() {
        let mut ctx = VmContext::default();
        let l = ().push(1i32).push(2i64).push(0.5f64);
        // SAFETY: `add3` has exactly these parameters and return type.
        let r: f64 = unsafe { l.invoke(add3 as *const u8, &mut ctx) };
        assert_eq!(r, 3.5);
        assert_eq!(ctx.fuel, i64::MAX - 1);
    }

    #[test]
    fn overflow_traps_without_calling() {
        let mut ctx = VmContext::default();
        // SAFETY: `Overflow::invoke` never calls the entry.
        let r: i32 = unsafe { Overflow.push(1i32).invoke(std::ptr::null(), &mut ctx) };
        assert_eq!(r, 0);
        assert_eq!(ctx.trap_code, TrapCode::Unreachable.to_u32());
    }
}
