//! Value types of the IR: scalars (`bool i8 i16 i32 i64 f32 f64 ptr`) and fixed vectors
//! of them (`f32x4`, `i32x8`, `boolx4`, …).
//!
//! A [`Type`] is a small `Copy` value: a lane type and a lane count (1 for scalars).
//! `bool` is the result of comparisons and the condition of `brif`/`select`; it has no
//! memory representation, so it can't be loaded or stored. `ptr` is a 64-bit address.
//! This file knows nothing about instructions; it only names, sizes and parses types.

use std::fmt;
use std::str::FromStr;

/// The type of one lane (or of a whole scalar value).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum LaneType {
    /// Result of comparisons; no memory representation.
    Bool,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// A 64-bit address.
    Ptr,
}

impl LaneType {
    /// Width in bits (`bool` counts as 1).
    pub const fn bits(self) -> u32 {
        match self {
            LaneType::Bool => 1,
            LaneType::I8 => 8,
            LaneType::I16 => 16,
            LaneType::I32 | LaneType::F32 => 32,
            LaneType::I64 | LaneType::F64 | LaneType::Ptr => 64,
        }
    }

    /// Name as written in the text format.
    pub const fn name(self) -> &'static str {
        match self {
            LaneType::Bool => "bool",
            LaneType::I8 => "i8",
            LaneType::I16 => "i16",
            LaneType::I32 => "i32",
            LaneType::I64 => "i64",
            LaneType::F32 => "f32",
            LaneType::F64 => "f64",
            LaneType::Ptr => "ptr",
        }
    }

    fn from_name(s: &str) -> Option<LaneType> {
        Some(match s {
            "bool" => LaneType::Bool,
            "i8" => LaneType::I8,
            "i16" => LaneType::I16,
            "i32" => LaneType::I32,
            "i64" => LaneType::I64,
            "f32" => LaneType::F32,
            "f64" => LaneType::F64,
            "ptr" => LaneType::Ptr,
            _ => return None,
        })
    }
}

/// An IR value type: a lane type and a lane count (1 = scalar).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Type {
    lane: LaneType,
    lanes: u8,
}

/// The largest lane count a vector type may have.
pub const MAX_LANES: u32 = 64;

impl Type {
    pub const BOOL: Type = Type::scalar(LaneType::Bool);
    pub const I8: Type = Type::scalar(LaneType::I8);
    pub const I16: Type = Type::scalar(LaneType::I16);
    pub const I32: Type = Type::scalar(LaneType::I32);
    pub const I64: Type = Type::scalar(LaneType::I64);
    pub const F32: Type = Type::scalar(LaneType::F32);
    pub const F64: Type = Type::scalar(LaneType::F64);
    pub const PTR: Type = Type::scalar(LaneType::Ptr);
    pub const F32X4: Type = Type { lane: LaneType::F32, lanes: 4 };
    pub const F64X2: Type = Type { lane: LaneType::F64, lanes: 2 };
    pub const I32X4: Type = Type { lane: LaneType::I32, lanes: 4 };
    pub const I64X2: Type = Type { lane: LaneType::I64, lanes: 2 };

    /// The scalar type of `lane`.
    pub const fn scalar(lane: LaneType) -> Type {
        Type { lane, lanes: 1 }
    }

    /// A vector of `lanes` lanes of `lane`, if that is a valid vector type: 2 to
    /// [`MAX_LANES`] lanes, a power of two, and not of `ptr`.
    pub fn vector(lane: LaneType, lanes: u32) -> Option<Type> {
        let ok = (2..=MAX_LANES).contains(&lanes) && lanes.is_power_of_two() && lane != LaneType::Ptr;
        ok.then_some(Type { lane, lanes: lanes as u8 })
    }

    /// This type with its lane count replaced (`lanes == 1` gives the scalar).
    pub fn with_lanes(self, lanes: u32) -> Option<Type> {
        if lanes == 1 {
            Some(Type::scalar(self.lane))
        } else {
            Type::vector(self.lane, lanes)
        }
    }

    /// The same shape with `bool` lanes: the result type of a comparison of this type.
    pub fn as_bool(self) -> Type {
        Type { lane: LaneType::Bool, lanes: self.lanes }
    }

    pub const fn lane(self) -> LaneType {
        self.lane
    }
    /// The scalar type of one lane.
    pub const fn lane_type(self) -> Type {
        Type::scalar(self.lane)
    }
    pub const fn lanes(self) -> u32 {
        self.lanes as u32
    }
    pub const fn is_vector(self) -> bool {
        self.lanes > 1
    }
    pub const fn is_scalar(self) -> bool {
        self.lanes == 1
    }
    /// Integer scalar or integer vector (not `bool`, not `ptr`).
    pub const fn is_int(self) -> bool {
        matches!(self.lane, LaneType::I8 | LaneType::I16 | LaneType::I32 | LaneType::I64)
    }
    /// Float scalar or float vector.
    pub const fn is_float(self) -> bool {
        matches!(self.lane, LaneType::F32 | LaneType::F64)
    }
    pub const fn is_bool(self) -> bool {
        matches!(self.lane, LaneType::Bool)
    }
    pub const fn is_ptr(self) -> bool {
        matches!(self.lane, LaneType::Ptr)
    }
    /// Bits of one lane.
    pub const fn lane_bits(self) -> u32 {
        self.lane.bits()
    }
    /// Bits of the whole value (lane bits × lanes).
    pub const fn bits(self) -> u32 {
        self.lane.bits() * self.lanes as u32
    }
    /// Bytes the value occupies in memory, or `None` for types with no memory
    /// representation (`bool` and bool vectors).
    pub const fn bytes(self) -> Option<u32> {
        if self.is_bool() {
            None
        } else {
            Some(self.bits() / 8)
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lanes == 1 {
            f.write_str(self.lane.name())
        } else {
            write!(f, "{}x{}", self.lane.name(), self.lanes)
        }
    }
}

/// Error returned when a string does not name a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown type `{0}` (expected bool, i8, i16, i32, i64, f32, f64, ptr, or a vector such as f32x4)")]
pub struct UnknownType(pub String);

impl FromStr for Type {
    type Err = UnknownType;
    fn from_str(s: &str) -> Result<Type, UnknownType> {
        let err = || UnknownType(s.to_string());
        if let Some(lane) = LaneType::from_name(s) {
            return Ok(Type::scalar(lane));
        }
        let (lane, lanes) = s.split_once('x').ok_or_else(err)?;
        let lane = LaneType::from_name(lane).ok_or_else(err)?;
        let lanes: u32 = lanes.parse().map_err(|_| err())?;
        Type::vector(lane, lanes).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in ["bool", "i8", "i16", "i32", "i64", "f32", "f64", "ptr", "f32x4", "i8x16", "boolx8", "f64x2", "f32x8"]
        {
            let t: Type = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
        }
    }

    #[test]
    fn invalid_types_rejected() {
        for s in ["", "i128", "f32x3", "ptrx2", "f32x1", "f32x128", "x4", "f32x", "i32x-4"] {
            assert!(s.parse::<Type>().is_err(), "{s} should not parse");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(Type::F32X4.bytes(), Some(16));
        assert_eq!(Type::PTR.bytes(), Some(8));
        assert_eq!(Type::BOOL.bytes(), None);
        assert_eq!(Type::F32X4.as_bool().to_string(), "boolx4");
        assert_eq!(Type::F32X4.lane_type(), Type::F32);
    }
}
