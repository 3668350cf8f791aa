//! Moving between the part form of a value (`crate::repr`) and its individual lanes, and
//! applying an operation part by part — or lane by lane when Cranelift has no native form
//! of it for the vector type (`native::native_ok`). Bool lanes are `i8` 0/1 as scalars and
//! all-ones/all-zeros inside masks.

use super::native::native_ok;
use super::{Lowerer, Parts, Result};
use crate::repr::Repr;
use cranelift_codegen::ir::{condcodes::IntCC, immediates::Ieee32, immediates::Ieee64, types, InstBuilder};
use cranelift_codegen::ir::{Type as ClType, Value as ClValue};
use smallvec::smallvec;
use strata_ir::{LaneType, Opcode, Type};

impl Lowerer<'_, '_> {
    /// Applies `f` to each part of `args` (all of type `ty`), or to each lane when `op` has
    /// no native form for `ty`'s vector parts, and assembles the results in `ty`'s form.
    pub(super) fn map_n(
        &mut self,
        op: Opcode,
        ty: Type,
        args: &[&[ClValue]],
        mut f: impl FnMut(&mut Self, &[ClValue]) -> Result<ClValue>,
    ) -> Result<Parts> {
        let repr = self.repr(ty);
        let per_lane = matches!(repr, Repr::Native { part, .. } if !native_ok(op, part));
        let columns: Vec<Vec<ClValue>> = if per_lane {
            args.iter().map(|a| self.lanes_of(ty, a)).collect::<Result<_>>()?
        } else {
            args.iter().map(|a| a.to_vec()).collect()
        };
        let n = columns.first().map_or(0, Vec::len);
        if n == 0 || columns.iter().any(|c| c.len() != n) {
            return Err(self.invalid(format!("operands of `{op}` have different types")));
        }
        let mut out = Vec::with_capacity(n);
        let mut xs = Vec::with_capacity(columns.len());
        for i in 0..n {
            xs.clear();
            xs.extend(columns.iter().map(|c| c[i]));
            out.push(f(self, &xs)?);
        }
        if per_lane {
            self.build_from_lanes(ty, &out)
        } else {
            Ok(out.into())
        }
    }

    /// Every lane of a value of type `ty`, as scalars (bool lanes as `i8` 0/1).
    pub(super) fn lanes_of(&mut self, ty: Type, parts: &[ClValue]) -> Result<Vec<ClValue>> {
        let repr = self.repr(ty);
        if parts.len() != repr.count() {
            return Err(self.invalid(format!("a value of type {ty} has the wrong shape")));
        }
        match repr {
            Repr::Scalar(_) | Repr::Lanes { .. } => Ok(parts.to_vec()),
            Repr::Native { part, .. } => {
                let per_part = part.lane_count();
                let mut out = Vec::with_capacity(parts.len() * per_part as usize);
                for &p in parts {
                    for i in 0..per_part {
                        let x = self.b.ins().extractlane(p, i as u8);
                        out.push(if ty.is_bool() { self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0) } else { x });
                    }
                }
                Ok(out)
            }
        }
    }

    /// A value of type `ty` from its lanes (scalars; bool lanes as `i8` 0/1).
    pub(super) fn build_from_lanes(&mut self, ty: Type, lanes: &[ClValue]) -> Result<Parts> {
        let repr = self.repr(ty);
        match repr {
            Repr::Scalar(_) | Repr::Lanes { .. } if lanes.len() == repr.count() => Ok(lanes.into()),
            Repr::Native { part, parts } if lanes.len() == (parts * part.lane_count()) as usize => {
                let mut out = Parts::new();
                for chunk in lanes.chunks(part.lane_count() as usize) {
                    let mut v = None;
                    for (i, &x) in chunk.iter().enumerate() {
                        let x = if ty.is_bool() { self.bool_to_mask_lane(x, part.lane_type()) } else { x };
                        v = Some(match v {
                            None => self.b.ins().splat(part, x),
                            Some(v) => self.b.ins().insertlane(v, x, i as u8),
                        });
                    }
                    out.extend(v);
                }
                Ok(out)
            }
            _ => Err(self.invalid(format!("building a {ty} from {} lanes", lanes.len()))),
        }
    }

    /// A mask lane (all ones or zeros, of type `lane`) from a bool `i8` 0/1.
    pub(super) fn bool_to_mask_lane(&mut self, x: ClValue, lane: ClType) -> ClValue {
        let wide = if lane == types::I8 { x } else { self.b.ins().uextend(lane, x) };
        self.b.ins().ineg(wide)
    }

    /// `ty` with every lane `x` (a scalar of `ty`'s lane type).
    pub(super) fn splat_value(&mut self, ty: Type, x: ClValue) -> Result<Parts> {
        match self.repr(ty) {
            Repr::Scalar(_) => Ok(smallvec![x]),
            Repr::Lanes { lanes, .. } => Ok(std::iter::repeat_n(x, lanes as usize).collect()),
            Repr::Native { part, parts } => {
                let lane = if ty.is_bool() { self.bool_to_mask_lane(x, part.lane_type()) } else { x };
                if self.cl_type(lane) != part.lane_type() {
                    return Err(self.invalid(format!("splat of a value of the wrong type to {ty}")));
                }
                let v = self.b.ins().splat(part, lane);
                Ok(std::iter::repeat_n(v, parts as usize).collect())
            }
        }
    }

    /// An integer constant of `width`, from an immediate truncated to the width.
    pub(super) fn int_const(&mut self, ty: ClType, imm: i64) -> ClValue {
        let bits = ty.bits();
        let imm = if bits >= 64 { imm } else { imm & ((1i64 << bits) - 1) };
        self.b.ins().iconst(ty, imm)
    }

    /// `iconst.ty imm`, for integer and `ptr` types and their vectors.
    pub(super) fn int_const_value(&mut self, ty: Type, imm: i64) -> Result<Parts> {
        if !(ty.is_int() || ty.is_ptr()) {
            return Err(self.invalid(format!("`iconst` of type {ty}")));
        }
        let x = self.int_const(crate::repr::lane_cl(ty.lane()), imm);
        self.splat_value(ty, x)
    }

    /// `fconst.ty bits`, for float types and their vectors.
    pub(super) fn float_const_value(&mut self, ty: Type, bits: u64) -> Result<Parts> {
        let x = match ty.lane() {
            LaneType::F32 => self.b.ins().f32const(Ieee32::with_bits(bits as u32)),
            LaneType::F64 => self.b.ins().f64const(Ieee64::with_bits(bits)),
            _ => return Err(self.invalid(format!("`fconst` of type {ty}"))),
        };
        self.splat_value(ty, x)
    }
}
