//! Constant folding and propagation.
//!
//! Replaces every scalar instruction whose operands are all constants (`iconst`, `fconst`,
//! `bconst`) by the constant it computes, evaluated with the interpreter's own semantic
//! functions (`interp::ops`), so a folded program gives bit for bit what the interpreter
//! gives for the unfolded one: wrapping integers, shift amounts modulo the width,
//! saturating float-to-int conversions, IEEE `minimum`/`maximum`, the same NaN bits.
//! Folded comparisons and `select`s on a constant condition follow; `brif` on a constant
//! becomes `br`, after which unreachable blocks and block parameters that became trivial
//! are removed (the builder's cleanups). Exact integer identities are applied too:
//! `x+0`, `0+x`, `x-0`, `x*1`, `x*0`, `x&-1`, `x|0`, `x^0`, shifts by a multiple of
//! the width, and same-operand rules `x-x`, `x^x` (0), `x&x`, `x|x`, `min/max x, x` (x),
//! `icmp cc x, x` (true for `eq sle sge ule uge`). A scalar load from a data object's
//! address at a constant offset, wholly inside the object, becomes the constant it reads
//! (data objects are read-only; with specialization this turns `taps[k]` into a number
//! once `unroll` has made `k` constant). Only [`run`] sees the module's data;
//! [`run_function`] leaves loads alone.
//!
//! What it must not do: fold an operation that traps (`sdiv`/`udiv`/`srem`/`urem` by
//! zero stays, so the trap happens at run time); apply float identities (`x+0.0`,
//! `x*1.0` are not exact for `-0.0` or signalling NaNs); fold transcendental functions
//! (`fexp`, `flog`, `fsin`, `fcos`, `fpow`: the host library decides their bits at run
//! time); fold vectors or pointers (no constant form). Float flags are ignored: folding is
//! exact, which every flag allows.
//!
//! Folding is iterated to a fixed point in reverse post-order (Wegman and Zadeck's sparse
//! conditional constant propagation, 1991, would also use unreachable edges; this is the
//! simple version).

use crate::analysis::{ControlFlowGraph, DominatorTree};
use crate::builder::{remove_trivial_block_params, remove_unreachable_blocks};
use crate::entities::{Block, DataId, Inst, PrimaryMap, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, InstData};
use crate::interp::ops;
use crate::module::{DataObject, Module};
use crate::opcode::Opcode;
use crate::types::{LaneType, Type};
use crate::ValueDef;

/// Folds every function of `module`, including loads from its (read-only) data objects.
pub fn run(module: &mut Module) {
    let Module { functions, data, .. } = module;
    for f in functions.values_mut() {
        fold_function(f, Some(data));
    }
}

/// Folds one function (loads stay: the data objects are the module's).
pub fn run_function(f: &mut Function) {
    fold_function(f, None);
}

/// The data objects loads may be folded from.
type DataObjects = PrimaryMap<DataId, DataObject>;

fn fold_function(f: &mut Function, data: Option<&DataObjects>) {
    let Some(entry) = f.entry_block() else { return };
    let mut branches_folded = false;
    loop {
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        let order: Vec<Block> = domtree.cfg_rpo().to_vec();
        let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
        let mut dead: Vec<Inst> = Vec::new();
        let mut changed = false;
        for b in order {
            let insts: Vec<Inst> = f.layout.block_insts(b).collect();
            for inst in insts {
                match fold(f, inst, &subst, data) {
                    Fold::Nothing => {}
                    Fold::Replace(data) => {
                        f.dfg.replace_inst(inst, data);
                        changed = true;
                    }
                    Fold::Alias(v) => {
                        if let Some(r) = f.dfg.inst_result(inst) {
                            subst[r] = Some(resolve(&subst, v));
                            dead.push(inst);
                            changed = true;
                        }
                    }
                    Fold::Jump(dest) => {
                        f.dfg.replace_inst(inst, InstData::Jump { dest });
                        branches_folded = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
        f.dfg.replace_uses(&subst);
        for inst in dead {
            f.layout.remove_inst(inst);
            f.dfg.clear_result(inst);
        }
    }
    if branches_folded {
        remove_unreachable_blocks(f, entry);
        remove_trivial_block_params(f, entry);
    }
}

enum Fold {
    Nothing,
    /// Replace the instruction (keeping its result).
    Replace(InstData),
    /// The result equals this value.
    Alias(Value),
    /// A `brif` that always goes to this target.
    Jump(BlockCall),
}

fn resolve(subst: &SecondaryMap<Value, Option<Value>>, mut v: Value) -> Value {
    while let Some(w) = subst[v] {
        v = w;
    }
    v
}

/// The register bits of `v` (integers zero-extended from their width) if it is a scalar
/// constant.
fn const_bits(f: &Function, subst: &SecondaryMap<Value, Option<Value>>, v: Value) -> Option<u64> {
    let v = resolve(subst, v);
    let ValueDef::Result(inst) = f.dfg.value_def(v) else { return None };
    let ty = f.dfg.value_type(v);
    match f.dfg.insts[inst] {
        InstData::IntConst { imm } if ty.is_scalar() && ty.is_int() => {
            Some(imm as u64 & ops::mask(ops::shift_of(ty.lane())))
        }
        InstData::FloatConst { bits } if ty == Type::F32 => Some(bits & 0xffff_ffff),
        InstData::FloatConst { bits } if ty == Type::F64 => Some(bits),
        InstData::BoolConst { imm } if ty == Type::BOOL => Some(imm as u64),
        _ => None,
    }
}

/// The constant instruction of type `ty` with register bits `bits`.
fn make_const(ty: Type, bits: u64) -> Option<InstData> {
    if !ty.is_scalar() {
        return None;
    }
    match ty.lane() {
        LaneType::I8 | LaneType::I16 | LaneType::I32 | LaneType::I64 => {
            Some(InstData::IntConst { imm: ops::sext(bits, ops::shift_of(ty.lane())) })
        }
        LaneType::F32 => Some(InstData::FloatConst { bits: bits & 0xffff_ffff }),
        LaneType::F64 => Some(InstData::FloatConst { bits }),
        LaneType::Bool => Some(InstData::BoolConst { imm: bits & 1 != 0 }),
        LaneType::Ptr => None,
    }
}

/// The register bits a scalar integer or float load of type `ty` reads at constant offset
/// `off` from a data object's address `base`, if the whole access lies inside the object
/// (outside, the load traps at run time and stays). Data objects are read-only, so the
/// bytes are the ones every execution reads; little-endian, as the interpreter reads them.
fn load_from_data(
    f: &Function,
    subst: &SecondaryMap<Value, Option<Value>>,
    data: &DataObjects,
    ty: Type,
    base: Value,
    off: Value,
) -> Option<u64> {
    if !ty.is_scalar() || !(ty.is_int() || ty.is_float()) {
        return None;
    }
    let ValueDef::Result(addr) = f.dfg.value_def(resolve(subst, base)) else { return None };
    let InstData::DataAddr { data: id } = f.dfg.insts[addr] else { return None };
    let object = data.get(id)?;
    let off = usize::try_from(const_bits(f, subst, off)? as i64).ok()?;
    let size = ty.bytes()? as usize;
    let bytes = object.bytes.get(off..off.checked_add(size)?)?;
    let mut le = [0u8; 8];
    le[..size].copy_from_slice(bytes);
    Some(u64::from_le_bytes(le))
}

fn is_int_scalar(ty: Type) -> bool {
    ty.is_scalar() && ty.is_int()
}

fn fold(f: &Function, inst: Inst, subst: &SecondaryMap<Value, Option<Value>>, data: Option<&DataObjects>) -> Fold {
    let c = |v: Value| const_bits(f, subst, v);
    let result_ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
    let konst = |bits: u64| match result_ty.and_then(|ty| make_const(ty, bits)) {
        Some(d) => Fold::Replace(d),
        None => Fold::Nothing,
    };
    match f.dfg.insts[inst] {
        InstData::Load { args: [base, off] } => match (result_ty, data) {
            (Some(ty), Some(data)) => load_from_data(f, subst, data, ty, base, off).map_or(Fold::Nothing, konst),
            _ => Fold::Nothing,
        },
        InstData::Unary { op, arg, .. } => {
            let Some(ty) = result_ty else { return Fold::Nothing };
            let from = f.dfg.value_type(arg);
            let Some(x) = c(arg) else { return Fold::Nothing };
            match op {
                Opcode::Ineg
                | Opcode::Bnot
                | Opcode::Popcnt
                | Opcode::Clz
                | Opcode::Ctz
                | Opcode::Bswap
                | Opcode::Fneg
                | Opcode::Fabs
                | Opcode::Fsqrt
                | Opcode::Ffloor
                | Opcode::Fceil
                | Opcode::Ftrunc
                | Opcode::Fnearest => konst(ops::eval_unary(op, ty.lane(), x)),
                Opcode::Sext
                | Opcode::Zext
                | Opcode::Trunc
                | Opcode::Fpromote
                | Opcode::Fdemote
                | Opcode::Sitofp
                | Opcode::Uitofp
                | Opcode::Fptosi
                | Opcode::Fptoui => konst(ops::eval_convert(op, from.lane(), ty.lane(), x)),
                // Same width, and integers and floats share the register bit layout.
                Opcode::Bitcast if from.bits() == ty.bits() => konst(x),
                _ => Fold::Nothing,
            }
        }
        InstData::Binary { op, args: [a, b], .. } => {
            let Some(ty) = result_ty else { return Fold::Nothing };
            if !ty.is_scalar() || matches!(op, Opcode::Fpow | Opcode::PtrAdd) || ty.is_ptr() {
                return Fold::Nothing;
            }
            match (c(a), c(b)) {
                (Some(x), Some(y)) => match ops::eval_binary(op, ty.lane(), x, y) {
                    Ok(bits) => konst(bits),
                    // A trap stays a trap, at run time.
                    Err(_) => Fold::Nothing,
                },
                (ca, cb) => identity(op, ty, resolve(subst, a), resolve(subst, b), ca, cb),
            }
        }
        InstData::Ternary { op: Opcode::Fma, args: [a, b, d], .. } => {
            let Some(ty) = result_ty else { return Fold::Nothing };
            match (c(a), c(b), c(d)) {
                (Some(x), Some(y), Some(z)) if ty.is_scalar() => konst(ops::eval_fma(ty.lane(), x, y, z)),
                _ => Fold::Nothing,
            }
        }
        InstData::Ternary { op: Opcode::Select, args: [cond, a, b], .. } => {
            if !f.dfg.value_type(cond).is_scalar() {
                return Fold::Nothing;
            }
            match c(cond) {
                Some(0) => Fold::Alias(b),
                Some(_) => Fold::Alias(a),
                None if resolve(subst, a) == resolve(subst, b) => Fold::Alias(a),
                None => Fold::Nothing,
            }
        }
        InstData::IntCompare { cond, args: [a, b] } => {
            let ty = f.dfg.value_type(a);
            if !ty.is_scalar() || ty.is_ptr() {
                return Fold::Nothing;
            }
            match (c(a), c(b)) {
                (Some(x), Some(y)) => konst(ops::icmp(cond, x, y, ops::shift_of(ty.lane())) as u64),
                // `x cc x`: true exactly for the reflexive conditions.
                _ if resolve(subst, a) == resolve(subst, b) => konst(ops::icmp(cond, 0, 0, 0) as u64),
                _ => Fold::Nothing,
            }
        }
        InstData::FloatCompare { cond, args: [a, b] } => {
            let ty = f.dfg.value_type(a);
            match (c(a), c(b)) {
                (Some(x), Some(y)) if ty.is_scalar() => konst(ops::eval_fcmp(cond, ty.lane(), x, y) as u64),
                _ => Fold::Nothing,
            }
        }
        InstData::Brif { cond, ref then_dest, ref else_dest } => match c(cond) {
            Some(0) => Fold::Jump(else_dest.clone()),
            Some(_) => Fold::Jump(then_dest.clone()),
            None => Fold::Nothing,
        },
        _ => Fold::Nothing,
    }
}

/// Exact integer identities with one constant operand.
fn identity(op: Opcode, ty: Type, a: Value, b: Value, ca: Option<u64>, cb: Option<u64>) -> Fold {
    let is_int = is_int_scalar(ty);
    let bitwise = is_int || ty == Type::BOOL;
    let ones = ops::mask(ops::shift_of(ty.lane()));
    let zero_const = || make_const(ty, 0).map_or(Fold::Nothing, Fold::Replace);
    match op {
        // Same operand twice.
        Opcode::Isub if is_int && a == b => zero_const(),
        Opcode::Bxor if bitwise && a == b => zero_const(),
        Opcode::Band | Opcode::Bor if bitwise && a == b => Fold::Alias(a),
        Opcode::Smin | Opcode::Smax | Opcode::Umin | Opcode::Umax if is_int && a == b => Fold::Alias(a),
        Opcode::Iadd if is_int && cb == Some(0) => Fold::Alias(a),
        Opcode::Iadd if is_int && ca == Some(0) => Fold::Alias(b),
        Opcode::Isub if is_int && cb == Some(0) => Fold::Alias(a),
        Opcode::Imul if is_int && cb == Some(1) => Fold::Alias(a),
        Opcode::Imul if is_int && ca == Some(1) => Fold::Alias(b),
        Opcode::Imul if is_int && (ca == Some(0) || cb == Some(0)) => zero_const(),
        Opcode::Band if bitwise && cb == Some(ones) => Fold::Alias(a),
        Opcode::Band if bitwise && ca == Some(ones) => Fold::Alias(b),
        Opcode::Band if bitwise && (ca == Some(0) || cb == Some(0)) => zero_const(),
        Opcode::Bor | Opcode::Bxor if bitwise && cb == Some(0) => Fold::Alias(a),
        Opcode::Bor | Opcode::Bxor if bitwise && ca == Some(0) => Fold::Alias(b),
        Opcode::Shl | Opcode::Lshr | Opcode::Ashr if is_int => match cb {
            // The amount is taken modulo the width (a power of two).
            Some(n) if n & (ty.lane_bits() as u64 - 1) == 0 => Fold::Alias(a),
            _ => Fold::Nothing,
        },
        _ => Fold::Nothing,
    }
}
