//! Values that cross the interpreter's boundary, and their register form.
//!
//! [`Val`] is a typed scalar or vector; [`VectorVal`] holds up to 64 bytes of lanes; [`Arg`]
//! is what a caller passes for one parameter (a value, or the raw little-endian bytes of a
//! slice). Inside the interpreter every value lives in one or more `u64` register slots:
//! a scalar in one slot with its bits zero-extended (`bool` as 0/1, `f32` as its 32 bits,
//! narrow integers zero-extended), a vector as its lane bytes in little-endian order over
//! `ceil(bytes / 8)` slots, padded with zeros. `bool` vector lanes take one byte each (0 or 1)
//! since `bool` has no memory form of its own.

use crate::types::{LaneType, Type};
use std::fmt;

/// The largest vector the interpreter handles, in bytes (512 bits).
pub const MAX_VECTOR_BYTES: usize = 64;

/// Bytes one lane of `lane` takes in a [`VectorVal`] (`bool` lanes take one byte).
pub(crate) const fn lane_bytes(lane: LaneType) -> usize {
    match lane {
        LaneType::Bool | LaneType::I8 => 1,
        LaneType::I16 => 2,
        LaneType::I32 | LaneType::F32 => 4,
        LaneType::I64 | LaneType::F64 | LaneType::Ptr => 8,
    }
}

/// Bytes a vector of type `ty` takes in a [`VectorVal`] (and in registers).
pub(crate) const fn vector_bytes(ty: Type) -> usize {
    lane_bytes(ty.lane()) * ty.lanes() as usize
}

/// Register slots a value of type `ty` occupies: 1 for a scalar, `ceil(bytes / 8)` for a
/// vector.
pub(crate) const fn slot_count(ty: Type) -> usize {
    if ty.is_scalar() {
        1
    } else {
        vector_bytes(ty).div_ceil(8)
    }
}

/// A vector value: its type and its lanes as little-endian bytes.
///
/// Equality follows [`Val`]'s rule lane by lane: bit-exact, except that any NaN equals any
/// NaN.
#[derive(Copy, Clone)]
pub struct VectorVal {
    ty: Type,
    bytes: [u8; MAX_VECTOR_BYTES],
}

impl VectorVal {
    /// A vector of type `ty` whose lanes are `bytes` (little-endian; one byte per `bool`
    /// lane, 0 or 1). `None` if `ty` is not a vector type of at most
    /// [`MAX_VECTOR_BYTES`] bytes, if the length is wrong, or if a `bool` lane is not 0/1.
    pub fn new(ty: Type, bytes: &[u8]) -> Option<VectorVal> {
        let mut v = VectorVal::zeroed(ty)?;
        if bytes.len() != vector_bytes(ty) || (ty.is_bool() && bytes.iter().any(|&b| b > 1)) {
            return None;
        }
        v.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(v)
    }

    /// The all-zero vector of type `ty` (`None` if `ty` is not a supported vector type).
    pub fn zeroed(ty: Type) -> Option<VectorVal> {
        (ty.is_vector() && vector_bytes(ty) <= MAX_VECTOR_BYTES).then_some(VectorVal { ty, bytes: [0; 64] })
    }

    /// A zero vector of `ty` without checking `ty` (the decoder only admits supported
    /// vector types; lanes past 64 bytes would read as zero and ignore writes).
    pub(crate) fn blank(ty: Type) -> VectorVal {
        VectorVal { ty, bytes: [0; MAX_VECTOR_BYTES] }
    }

    /// A vector from its lanes, which must all have the lane type of a valid vector type.
    pub fn from_lanes(lanes: &[Val]) -> Option<VectorVal> {
        let first = lanes.first()?;
        let lane_ty = first.ty();
        if !lane_ty.is_scalar() {
            return None;
        }
        let ty = Type::vector(lane_ty.lane(), u32::try_from(lanes.len()).ok()?)?;
        let mut v = VectorVal::zeroed(ty)?;
        for (i, l) in lanes.iter().enumerate() {
            if l.ty() != lane_ty {
                return None;
            }
            v.set_lane_bits(i, l.to_bits()?);
        }
        Some(v)
    }

    /// An `f32` vector.
    pub fn from_f32s(xs: &[f32]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::F32(x)).collect::<Vec<_>>())
    }
    /// An `f64` vector.
    pub fn from_f64s(xs: &[f64]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::F64(x)).collect::<Vec<_>>())
    }
    /// An `i8` vector.
    pub fn from_i8s(xs: &[i8]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::I8(x)).collect::<Vec<_>>())
    }
    /// An `i16` vector.
    pub fn from_i16s(xs: &[i16]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::I16(x)).collect::<Vec<_>>())
    }
    /// An `i32` vector.
    pub fn from_i32s(xs: &[i32]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::I32(x)).collect::<Vec<_>>())
    }
    /// An `i64` vector.
    pub fn from_i64s(xs: &[i64]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::I64(x)).collect::<Vec<_>>())
    }
    /// A `bool` vector.
    pub fn from_bools(xs: &[bool]) -> Option<VectorVal> {
        VectorVal::from_lanes(&xs.iter().map(|&x| Val::Bool(x)).collect::<Vec<_>>())
    }

    pub fn ty(&self) -> Type {
        self.ty
    }
    /// Number of lanes.
    pub fn lanes(&self) -> usize {
        self.ty.lanes() as usize
    }
    /// The lane bytes (little-endian, one byte per `bool` lane).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..vector_bytes(self.ty).min(MAX_VECTOR_BYTES)]
    }
    /// Lane `i` as a scalar value.
    pub fn lane(&self, i: usize) -> Option<Val> {
        (i < self.lanes()).then(|| Val::from_bits(self.ty.lane_type(), self.lane_bits(i)))?
    }
    /// All lanes as scalar values.
    pub fn to_vals(&self) -> Vec<Val> {
        (0..self.lanes()).filter_map(|i| self.lane(i)).collect()
    }

    /// The bits of lane `i`, zero-extended (callers keep `i` below the lane count).
    pub(crate) fn lane_bits(&self, i: usize) -> u64 {
        let w = lane_bytes(self.ty.lane());
        let mut b = [0u8; 8];
        if let Some(src) = self.bytes.get(i * w..i * w + w) {
            b[..w].copy_from_slice(src);
        }
        u64::from_le_bytes(b)
    }

    /// Sets lane `i` to the low bits of `bits` (callers keep `i` below the lane count).
    pub(crate) fn set_lane_bits(&mut self, i: usize, bits: u64) {
        let w = lane_bytes(self.ty.lane());
        let bits = if self.ty.is_bool() { bits & 1 } else { bits };
        if let Some(dst) = self.bytes.get_mut(i * w..i * w + w) {
            dst.copy_from_slice(&bits.to_le_bytes()[..w]);
        }
    }

    /// Reads a vector of type `ty` from register slots (the decoder guarantees `ty` fits).
    pub(crate) fn read_slots(ty: Type, slots: &[u64]) -> VectorVal {
        let mut v = VectorVal { ty, bytes: [0; 64] };
        for (chunk, s) in v.bytes.chunks_exact_mut(8).zip(slots) {
            chunk.copy_from_slice(&s.to_le_bytes());
        }
        // Registers are zero-padded past the vector's bytes; keep the invariant here too.
        let n = vector_bytes(ty);
        v.bytes[n.min(MAX_VECTOR_BYTES)..].fill(0);
        v
    }

    /// Writes the vector to register slots (as many as `slots` holds, zero-padded).
    pub(crate) fn write_slots(&self, slots: &mut [u64]) {
        for (chunk, s) in self.bytes.chunks_exact(8).zip(slots.iter_mut()) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *s = u64::from_le_bytes(b);
        }
    }
}

impl PartialEq for VectorVal {
    fn eq(&self, other: &Self) -> bool {
        self.ty == other.ty && (0..self.lanes()).all(|i| self.lane(i) == other.lane(i))
    }
}
impl Eq for VectorVal {}

impl fmt::Debug for VectorVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:?}", self.ty, self.to_vals())
    }
}

/// A typed value: a scalar or a vector.
///
/// `PartialEq` is bit-exact (so `-0.0 != +0.0`), except that any NaN equals any NaN of
/// the same type: the IR leaves NaN payloads unspecified, so tiers may differ in them.
/// Use [`Val::bit_eq`] to compare NaN payloads too.
#[derive(Copy, Clone, Debug)]
pub enum Val {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    /// An address.
    Ptr(u64),
    Vector(VectorVal),
}

impl Val {
    /// The value's IR type.
    pub fn ty(&self) -> Type {
        match self {
            Val::Bool(_) => Type::BOOL,
            Val::I8(_) => Type::I8,
            Val::I16(_) => Type::I16,
            Val::I32(_) => Type::I32,
            Val::I64(_) => Type::I64,
            Val::F32(_) => Type::F32,
            Val::F64(_) => Type::F64,
            Val::Ptr(_) => Type::PTR,
            Val::Vector(v) => v.ty(),
        }
    }

    /// Exact equality: same type and the same bits in every lane (NaN payloads included).
    pub fn bit_eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Vector(a), Val::Vector(b)) => a.ty == b.ty && a.as_bytes() == b.as_bytes(),
            _ => self.ty() == other.ty() && self.to_bits() == other.to_bits(),
        }
    }

    /// The scalar of type `ty` whose bits are the low bits of `bits` (`None` for vectors).
    pub fn from_bits(ty: Type, bits: u64) -> Option<Val> {
        if !ty.is_scalar() {
            return None;
        }
        Some(match ty.lane() {
            LaneType::Bool => Val::Bool(bits & 1 != 0),
            LaneType::I8 => Val::I8(bits as u8 as i8),
            LaneType::I16 => Val::I16(bits as u16 as i16),
            LaneType::I32 => Val::I32(bits as u32 as i32),
            LaneType::I64 => Val::I64(bits as i64),
            LaneType::F32 => Val::F32(f32::from_bits(bits as u32)),
            LaneType::F64 => Val::F64(f64::from_bits(bits)),
            LaneType::Ptr => Val::Ptr(bits),
        })
    }

    /// A scalar's bits, zero-extended to 64 (`None` for vectors).
    pub fn to_bits(&self) -> Option<u64> {
        Some(match *self {
            Val::Bool(b) => b as u64,
            Val::I8(x) => x as u8 as u64,
            Val::I16(x) => x as u16 as u64,
            Val::I32(x) => x as u32 as u64,
            Val::I64(x) => x as u64,
            Val::F32(x) => x.to_bits() as u64,
            Val::F64(x) => x.to_bits(),
            Val::Ptr(p) => p,
            Val::Vector(_) => return None,
        })
    }

    /// An integer (sign-extended), `bool` (0/1) or `ptr` as an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        Some(match *self {
            Val::Bool(b) => b as i64,
            Val::I8(x) => x as i64,
            Val::I16(x) => x as i64,
            Val::I32(x) => x as i64,
            Val::I64(x) => x,
            Val::Ptr(p) => p as i64,
            _ => return None,
        })
    }
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Val::F32(x) => Some(x),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Val::F64(x) => Some(x),
            _ => None,
        }
    }
    pub fn as_vector(&self) -> Option<&VectorVal> {
        match self {
            Val::Vector(v) => Some(v),
            _ => None,
        }
    }

    /// Reads a value of type `ty` from its register slots.
    pub(crate) fn read_slots(ty: Type, slots: &[u64]) -> Val {
        if ty.is_vector() {
            Val::Vector(VectorVal::read_slots(ty, slots))
        } else {
            let bits = slots.first().copied().unwrap_or(0);
            // Scalars always convert; the fallback is for the impossible vector case only.
            Val::from_bits(ty, bits).unwrap_or(Val::I64(bits as i64))
        }
    }

    /// Writes the value to its register slots (`slots.len()` is its slot count).
    pub(crate) fn write_slots(&self, slots: &mut [u64]) {
        match self {
            Val::Vector(v) => v.write_slots(slots),
            s => {
                if let (Some(slot), Some(bits)) = (slots.first_mut(), s.to_bits()) {
                    *slot = bits;
                }
            }
        }
    }
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::F32(a), Val::F32(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (Val::F64(a), Val::F64(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (Val::Vector(a), Val::Vector(b)) => a == b,
            _ => self.bit_eq(other),
        }
    }
}
// NaN == NaN under this relation, so it is reflexive: a true equivalence.
impl Eq for Val {}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Bool(b) => write!(f, "{b}"),
            Val::I8(x) => write!(f, "{x}"),
            Val::I16(x) => write!(f, "{x}"),
            Val::I32(x) => write!(f, "{x}"),
            Val::I64(x) => write!(f, "{x}"),
            Val::F32(x) => write!(f, "{x:?}"),
            Val::F64(x) => write!(f, "{x:?}"),
            Val::Ptr(p) => write!(f, "{p:#x}"),
            Val::Vector(v) => {
                f.write_str("[")?;
                for (i, l) in v.to_vals().iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{l}")?;
                }
                f.write_str("]")
            }
        }
    }
}

macro_rules! val_from {
    ($($t:ty => $v:ident),*) => {
        $(impl From<$t> for Val {
            fn from(x: $t) -> Val {
                Val::$v(x)
            }
        })*
    };
}
val_from!(bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64, VectorVal => Vector);

/// One argument of a call: a scalar or vector value, or the bytes of a slice parameter.
///
/// Slices are raw little-endian bytes; the element count is `bytes.len() / element size`.
/// A `mut [T]` parameter needs [`Arg::SliceMut`]; a `[T]` parameter takes either kind
/// (and never writes). [`to_le_bytes`] and [`from_le_bytes`] convert typed slices.
#[derive(Debug)]
pub enum Arg<'a> {
    Val(Val),
    Slice(&'a [u8]),
    SliceMut(&'a mut [u8]),
}

impl From<Val> for Arg<'_> {
    fn from(v: Val) -> Self {
        Arg::Val(v)
    }
}

/// Numbers that have a little-endian byte form, for building slice arguments.
pub trait LeBytes: Copy {
    /// Size in bytes.
    const SIZE: usize;
    /// Appends the little-endian bytes of `self` to `out`.
    fn put(self, out: &mut Vec<u8>);
    /// Reads a value from the first [`LeBytes::SIZE`] bytes (missing bytes read as zero).
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! le_bytes {
    ($($t:ty),*) => {
        $(impl LeBytes for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                let n = b.len().min(bytes.len());
                b[..n].copy_from_slice(&bytes[..n]);
                <$t>::from_le_bytes(b)
            }
        })*
    };
}
le_bytes!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

/// The little-endian bytes of `xs`, for an [`Arg::Slice`] or [`Arg::SliceMut`].
pub fn to_le_bytes<T: LeBytes>(xs: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xs.len() * T::SIZE);
    xs.iter().for_each(|x| x.put(&mut out));
    out
}

/// The values whose little-endian bytes are `bytes` (a trailing partial element is ignored).
pub fn from_le_bytes<T: LeBytes>(bytes: &[u8]) -> Vec<T> {
    bytes.chunks_exact(T::SIZE).map(T::get).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_equality_rule() {
        let q = Val::F32(f32::NAN);
        let other_nan = Val::F32(f32::from_bits(0x7fc0_0001));
        assert_eq!(q, other_nan);
        assert!(!q.bit_eq(&other_nan));
        assert!(q.bit_eq(&q));
        assert_ne!(Val::F32(0.0), Val::F32(-0.0));
        assert_ne!(Val::F32(f32::NAN), Val::F64(f64::NAN));
        assert_eq!(Val::F64(-f64::NAN), Val::F64(f64::NAN));
        assert_ne!(Val::I32(1), Val::I64(1));
    }

    #[test]
    fn vectors() {
        let v = VectorVal::from_f32s(&[1.0, f32::NAN, -0.0, 4.0]).unwrap();
        assert_eq!(v.ty(), Type::F32X4);
        assert_eq!(v.lane(2), Some(Val::F32(-0.0)));
        assert_eq!(v.lane(4), None);
        let w = VectorVal::from_f32s(&[1.0, -f32::NAN, -0.0, 4.0]).unwrap();
        assert_eq!(Val::Vector(v), Val::Vector(w));
        assert!(!Val::Vector(v).bit_eq(&Val::Vector(w)));
        let b = VectorVal::from_bools(&[true, false]).unwrap();
        assert_eq!(b.as_bytes(), &[1, 0]);
        assert!(VectorVal::new(b.ty(), &[2, 0]).is_none());
        assert!(VectorVal::from_i64s(&[0; 16]).is_none(), "1024 bits is too wide");
        let mut slots = [0u64; 2];
        v.write_slots(&mut slots);
        assert_eq!(VectorVal::read_slots(v.ty(), &slots).as_bytes(), v.as_bytes());
        assert_eq!(Val::Vector(v).to_string(), "[1.0, NaN, -0.0, 4.0]");
    }

    #[test]
    fn bits_round_trip() {
        for v in [Val::Bool(true), Val::I8(-1), Val::I16(-2), Val::I32(-3), Val::I64(-4), Val::Ptr(8)] {
            assert!(Val::from_bits(v.ty(), v.to_bits().unwrap()).unwrap().bit_eq(&v));
        }
        assert_eq!(Val::I8(-1).to_bits(), Some(0xff), "narrow integers are zero-extended");
        assert_eq!(from_le_bytes::<f32>(&to_le_bytes(&[1.5f32, -2.0])), vec![1.5, -2.0]);
    }
}
