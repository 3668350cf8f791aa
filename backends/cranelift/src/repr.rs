//! How an IR value is held in Cranelift values ("parts").
//!
//! - A scalar is one Cranelift value: `i8 … i64`, `f32`, `f64` as themselves, `ptr` as `i64`,
//!   `bool` as an `i8` holding 0 or 1.
//! - A vector of 128 bits or more is split into 128-bit Cranelift vectors, lowest lanes first:
//!   `f32x4` is one `f32x4`, `f32x8` is two (lanes 0–3, then 4–7), `i8x64` is four `i8x16`.
//!   Operations apply to each half (quarter, …) separately, so a split vector costs what the
//!   same work on native vectors costs.
//! - A vector narrower than 128 bits (`f32x2`, `i8x4`, …) is scalarized: one Cranelift
//!   scalar per lane, as the lane type alone would be held.
//! - A bool vector is a Cranelift mask (every lane all ones or all zeros) whose lane width
//!   is chosen per module and lane count ([`Layouts`]): the width of the data compared and
//!   selected with bool vectors of that lane count, so `fcmp` on `f32x8` and `select` on
//!   `f32x8` need no conversion (two `i32x4` masks). If masks of that width make less than
//!   128 bits, the bool vector is scalarized like any narrow vector (one `i8` 0/1 per lane).

use cranelift_codegen::ir::{types, Type as ClType};
use std::collections::BTreeMap;
use strata_ir::{InstData, LaneType, Module, Opcode, Type};

/// The Cranelift scalar type of one lane of `lane` (`bool` → `i8`, `ptr` → `i64`).
pub(crate) fn lane_cl(lane: LaneType) -> ClType {
    match lane {
        LaneType::Bool | LaneType::I8 => types::I8,
        LaneType::I16 => types::I16,
        LaneType::I32 => types::I32,
        LaneType::I64 | LaneType::Ptr => types::I64,
        LaneType::F32 => types::F32,
        LaneType::F64 => types::F64,
    }
}

/// The integer type of `bits` bits.
pub(crate) fn int_cl(bits: u32) -> ClType {
    match bits {
        8 => types::I8,
        16 => types::I16,
        32 => types::I32,
        _ => types::I64,
    }
}

/// The Cranelift form of an IR type.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Repr {
    /// One value of this type.
    Scalar(ClType),
    /// `parts` 128-bit vectors of type `part`, lowest lanes first.
    Native { part: ClType, parts: u32 },
    /// One scalar of type `lane` per lane.
    Lanes { lane: ClType, lanes: u32 },
}

impl Repr {
    /// Number of Cranelift values.
    pub(crate) fn count(self) -> usize {
        match self {
            Repr::Scalar(_) => 1,
            Repr::Native { parts, .. } => parts as usize,
            Repr::Lanes { lanes, .. } => lanes as usize,
        }
    }

    /// The type of each Cranelift value.
    pub(crate) fn part_type(self) -> ClType {
        match self {
            Repr::Scalar(t) => t,
            Repr::Native { part, .. } => part,
            Repr::Lanes { lane, .. } => lane,
        }
    }

    /// Whether two values of these forms can be combined part by part, lane `i` of one
    /// meeting lane `i` of the other (same number of parts, same lanes in each).
    pub(crate) fn parallel(self, other: Repr) -> bool {
        match (self, other) {
            (Repr::Scalar(_), Repr::Scalar(_)) => true,
            (Repr::Lanes { lanes: a, .. }, Repr::Lanes { lanes: b, .. }) => a == b,
            (Repr::Native { part: p, parts: a }, Repr::Native { part: q, parts: b }) => {
                a == b && p.lane_count() == q.lane_count()
            }
            _ => false,
        }
    }
}

/// Module-wide choice of mask lane width for each bool-vector lane count.
#[derive(Clone, Debug)]
pub(crate) struct Layouts {
    /// Indexed by log2 of the lane count (1 ..= 6).
    mask_bits: [u32; 7],
}

impl Layouts {
    /// Chooses mask widths by majority over the comparisons, selects and bool-to-int
    /// conversions of `module` (ties go to the wider mask); lane counts never seen get
    /// `128 / lanes` bits (one native mask), at least 8.
    pub(crate) fn for_module(module: &Module) -> Layouts {
        let mut votes: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for func in module.functions.values() {
            let ty = |v| func.dfg.values.get(v).map(|d| d.ty);
            for block in func.layout.blocks() {
                for inst in func.layout.block_insts(block) {
                    let Some(data) = func.dfg.insts.get(inst) else { continue };
                    let data_ty = match data {
                        InstData::IntCompare { args, .. } | InstData::FloatCompare { args, .. } => ty(args[0]),
                        InstData::Ternary { op: Opcode::Select, args, .. } => {
                            ty(args[0]).filter(|c| c.is_vector()).and(ty(args[1]))
                        }
                        InstData::Unary { op: Opcode::Sext | Opcode::Zext, arg, .. } => {
                            ty(*arg).filter(|a| a.is_bool()).and(func.dfg.inst_result(inst)).and_then(ty)
                        }
                        _ => None,
                    };
                    if let Some(t) = data_ty.filter(|t| t.is_vector() && !t.is_bool()) {
                        *votes.entry((t.lanes(), t.lane_bits())).or_default() += 1;
                    }
                }
            }
        }
        let mut mask_bits = [8; 7];
        for (log, bits) in mask_bits.iter_mut().enumerate().skip(1) {
            let lanes = 1u32 << log;
            let default = (128 / lanes).max(8);
            *bits = votes
                .iter()
                .filter(|((l, _), _)| *l == lanes)
                .max_by_key(|((_, w), n)| (**n, *w))
                .map_or(default, |((_, w), _)| *w);
        }
        Layouts { mask_bits }
    }

    /// The mask lane width of bool vectors with `lanes` lanes.
    pub(crate) fn mask_bits(&self, lanes: u32) -> u32 {
        self.mask_bits.get(lanes.trailing_zeros() as usize).copied().unwrap_or(8)
    }

    /// How values of `ty` are held.
    pub(crate) fn repr(&self, ty: Type) -> Repr {
        if ty.is_scalar() {
            return Repr::Scalar(lane_cl(ty.lane()));
        }
        let lanes = ty.lanes();
        let (lane, lane_bits) = if ty.is_bool() {
            let bits = self.mask_bits(lanes);
            (int_cl(bits), bits)
        } else {
            (lane_cl(ty.lane()), ty.lane_bits())
        };
        let total = lane_bits * lanes;
        match lane.by(128 / lane_bits) {
            Some(part) if total >= 128 => Repr::Native { part, parts: total / 128 },
            _ => Repr::Lanes { lane: lane_cl(ty.lane()), lanes },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let l = Layouts::for_module(&Module::new());
        let t = |s: &str| s.parse::<Type>().unwrap();
        assert_eq!(l.repr(t("f32")), Repr::Scalar(types::F32));
        assert_eq!(l.repr(t("bool")), Repr::Scalar(types::I8));
        assert_eq!(l.repr(t("f32x4")), Repr::Native { part: types::F32X4, parts: 1 });
        assert_eq!(l.repr(t("f32x8")), Repr::Native { part: types::F32X4, parts: 2 });
        assert_eq!(l.repr(t("i8x64")), Repr::Native { part: types::I8X16, parts: 4 });
        assert_eq!(l.repr(t("f32x2")), Repr::Lanes { lane: types::F32, lanes: 2 });
        assert_eq!(l.repr(t("boolx4")), Repr::Native { part: types::I32X4, parts: 1 });
        assert_eq!(l.repr(t("boolx8")), Repr::Native { part: types::I16X8, parts: 1 });
        assert_eq!(l.repr(t("boolx32")), Repr::Native { part: types::I8X16, parts: 2 });
    }
}
