//! Operand and result types of every opcode (I8) and the entities instructions refer to
//! (I7), per `docs/ir.md`. The match on the opcode is exhaustive, so a new opcode does not
//! compile until it has a typing rule here.
//!
//! A check only runs on types it knows: an operand that is not a live value was already
//! reported by `check_use`, a missing result by `check_result`; and an operand of the wrong
//! kind is reported once, after which the checks that would compare it stay quiet, so one
//! mistake gives one message.

use super::body::{plural, type_list, FuncChecker};
use crate::entities::{Inst, Value};
use crate::instructions::{InstData, IntCC};
use crate::opcode::Opcode;
use crate::types::{LaneType, Type};

const INT: &str = "an integer scalar or vector";
const INT_SCALAR: &str = "an integer scalar";
const INT_OR_BOOL: &str = "an integer or bool scalar or vector";
const FLOAT: &str = "a float scalar or vector";
const FLOAT_SCALAR: &str = "a float scalar";
const HAS_MEMORY_FORM: &str = "a type with a memory representation (not bool)";

type Pred = fn(Type) -> bool;
/// A relation `rel(from, to)` between a conversion's operand and result types, with how
/// the message describes it ("strictly wider than").
type Relation = (fn(Type, Type) -> bool, &'static str);

fn is_int(t: Type) -> bool {
    t.is_int()
}
fn is_int_scalar(t: Type) -> bool {
    t.is_int() && t.is_scalar()
}
fn is_int_or_bool(t: Type) -> bool {
    t.is_int() || t.is_bool()
}
fn is_float(t: Type) -> bool {
    t.is_float()
}
fn is_float_scalar(t: Type) -> bool {
    t.is_float() && t.is_scalar()
}
fn any(_: Type) -> bool {
    true
}
fn has_memory_form(t: Type) -> bool {
    !t.is_bool()
}
fn bitcastable(t: Type) -> bool {
    !t.is_bool() && !t.is_ptr()
}

impl FuncChecker<'_> {
    /// I7 and I8 for `inst`, whose result (if usable) is `result`.
    pub(super) fn check_types(&mut self, inst: Inst, data: &InstData, result: Option<(Value, Type)>) {
        use Opcode::*;
        let args = data.args();
        let arg = |k: usize| args.get(k).copied();
        match data.opcode() {
            Iconst => {
                self.result_ok(inst, result, is_int_scalar, "an integer scalar (i8, i16, i32, i64)");
            }
            Fconst => {
                let r = self.result_ok(inst, result, is_float_scalar, "f32 or f64");
                if let (Some((_, Type::F32)), InstData::FloatConst { bits }) = (r, data) {
                    if *bits > u64::from(u32::MAX) {
                        self.inst_err(inst, format!("f32 constant has bits {bits:#x}, which do not fit in 32 bits"));
                    }
                }
            }
            Bconst => {
                self.result_ok(inst, result, |t| t == Type::BOOL, "bool");
            }
            Iadd | Isub | Imul | Smin | Smax | Umin | Umax => {
                self.same_binary(inst, arg(0), arg(1), result, is_int, INT)
            }
            Sdiv | Udiv | Srem | Urem => self.same_binary(inst, arg(0), arg(1), result, is_int_scalar, INT_SCALAR),
            Band | Bor | Bxor => self.same_binary(inst, arg(0), arg(1), result, is_int_or_bool, INT_OR_BOOL),
            Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Fcopysign => {
                self.same_binary(inst, arg(0), arg(1), result, is_float, FLOAT)
            }
            Fpow => self.same_binary(inst, arg(0), arg(1), result, is_float_scalar, FLOAT_SCALAR),
            Ineg => self.same_unary(inst, arg(0), result, is_int, INT),
            Bnot => self.same_unary(inst, arg(0), result, is_int_or_bool, INT_OR_BOOL),
            Popcnt | Clz | Ctz => self.same_unary(inst, arg(0), result, is_int_scalar, INT_SCALAR),
            Bswap => self.same_unary(
                inst,
                arg(0),
                result,
                |t| t.is_scalar() && matches!(t.lane(), LaneType::I16 | LaneType::I32 | LaneType::I64),
                "i16, i32 or i64",
            ),
            Fneg | Fabs | Fsqrt | Ffloor | Fceil | Ftrunc | Fnearest => {
                self.same_unary(inst, arg(0), result, is_float, FLOAT)
            }
            Fexp | Flog | Fsin | Fcos => self.same_unary(inst, arg(0), result, is_float_scalar, FLOAT_SCALAR),
            Shl | Lshr | Ashr => {
                if let Some((_, t)) = self.operand(inst, arg(0), is_int, INT) {
                    let lane = t.lane_type();
                    let what = format!("{lane} (the lane type of the shifted value)");
                    self.operand(inst, arg(1), |a| a == lane, &what);
                    self.result_is(inst, result, t, "the shifted value's type");
                }
            }
            Fma => {
                let a = self.operand(inst, arg(0), is_float, FLOAT);
                let b = self.operand(inst, arg(1), is_float, FLOAT);
                let c = self.operand(inst, arg(2), is_float, FLOAT);
                if let (Some(a), Some(b), Some(c)) = (a, b, c) {
                    if self.same(inst, a, b) && self.same(inst, a, c) {
                        self.result_is(inst, result, a.1, "the operand type");
                    }
                }
            }
            Select => {
                let a = self.operand(inst, arg(1), any, "");
                let b = self.operand(inst, arg(2), any, "");
                if let (Some(a), Some(b)) = (a, b) {
                    if self.same(inst, a, b) {
                        let want = a.1.as_bool();
                        if let Some((c, ct)) = self.operand(inst, arg(0), any, "").filter(|&(_, ct)| ct != want) {
                            self.inst_err(
                                inst,
                                format!(
                                    "condition {c} has type {ct}, expected {want} (the operand type with bool lanes)"
                                ),
                            );
                        }
                        self.result_is(inst, result, a.1, "the operand type");
                    }
                }
            }
            Icmp => {
                let ok: Pred = |t| t.is_int() || t.is_ptr() || t.is_bool();
                let what = "an integer, ptr or bool scalar or vector";
                let a = self.operand(inst, arg(0), ok, what);
                let b = self.operand(inst, arg(1), ok, what);
                if let (Some(a), Some(b)) = (a, b) {
                    if self.same(inst, a, b) {
                        if let InstData::IntCompare { cond, .. } = data {
                            if a.1.is_bool() && !matches!(cond, IntCC::Eq | IntCC::Ne) {
                                self.inst_err(
                                    inst,
                                    format!(
                                        "`icmp {}` on bool operands; bools compare only with eq and ne",
                                        cond.name()
                                    ),
                                );
                            }
                        }
                        self.result_is(inst, result, a.1.as_bool(), "the operand type with bool lanes");
                    }
                }
            }
            Fcmp => {
                let a = self.operand(inst, arg(0), is_float, FLOAT);
                let b = self.operand(inst, arg(1), is_float, FLOAT);
                if let (Some(a), Some(b)) = (a, b) {
                    if self.same(inst, a, b) {
                        self.result_is(inst, result, a.1.as_bool(), "the operand type with bool lanes");
                    }
                }
            }
            Sext | Zext => self.conversion(
                inst,
                arg(0),
                result,
                (is_int_or_bool, INT_OR_BOOL),
                (is_int, INT),
                Some((|from, to| to.lane_bits() > from.lane_bits(), "strictly wider than")),
            ),
            Trunc => self.conversion(
                inst,
                arg(0),
                result,
                (is_int, INT),
                (is_int, INT),
                Some((|from, to| to.lane_bits() < from.lane_bits(), "strictly narrower than")),
            ),
            Fpromote => self.conversion(
                inst,
                arg(0),
                result,
                (|t| t.lane() == LaneType::F32, "f32 or an f32 vector"),
                (|t| t.lane() == LaneType::F64, "f64 or an f64 vector"),
                None,
            ),
            Fdemote => self.conversion(
                inst,
                arg(0),
                result,
                (|t| t.lane() == LaneType::F64, "f64 or an f64 vector"),
                (|t| t.lane() == LaneType::F32, "f32 or an f32 vector"),
                None,
            ),
            Sitofp | Uitofp => self.conversion(inst, arg(0), result, (is_int, INT), (is_float, FLOAT), None),
            Fptosi | Fptoui => self.conversion(inst, arg(0), result, (is_float, FLOAT), (is_int, INT), None),
            Bitcast => {
                let what = "a non-bool, non-ptr scalar or vector";
                self.conversion(
                    inst,
                    arg(0),
                    result,
                    (bitcastable, what),
                    (bitcastable, what),
                    Some((|from, to| to.lane_bits() == from.lane_bits(), "of the same lane width as")),
                )
            }
            PtrToInt => {
                self.operand(inst, arg(0), |t| t == Type::PTR, "ptr");
                self.result_is(inst, result, Type::I64, "`ptr_to_int` gives an i64");
            }
            IntToPtr => {
                self.operand(inst, arg(0), |t| t == Type::I64, "i64");
                self.result_is(inst, result, Type::PTR, "`int_to_ptr` gives a ptr");
            }
            Splat => {
                if let Some((_, t)) = self.operand(inst, arg(0), |t| t.is_scalar(), "a scalar") {
                    self.result_ok(inst, result, |r| r.is_vector() && r.lane_type() == t, &format!("a vector of {t}"));
                }
            }
            ReduceAdd | ReduceMin | ReduceMax => {
                let ok: Pred = |t| t.is_vector() && (t.is_int() || t.is_float());
                if let Some((_, t)) = self.operand(inst, arg(0), ok, "an integer or float vector") {
                    self.result_is(inst, result, t.lane_type(), "the lane type");
                }
            }
            PtrAdd => {
                self.operand(inst, arg(0), |t| t == Type::PTR, "ptr");
                self.operand(inst, arg(1), |t| t == Type::I64, "i64 (a byte offset)");
                self.result_is(inst, result, Type::PTR, "`ptr_add` gives a ptr");
            }
            Load => {
                self.operand(inst, arg(0), |t| t == Type::PTR, "ptr (the base address)");
                self.operand(inst, arg(1), |t| t == Type::I64, "i64 (a byte offset)");
                self.result_ok(inst, result, has_memory_form, HAS_MEMORY_FORM);
            }
            Store => {
                self.operand(inst, arg(0), |t| t == Type::PTR, "ptr (the base address)");
                self.operand(inst, arg(1), |t| t == Type::I64, "i64 (a byte offset)");
                self.operand(inst, arg(2), has_memory_form, HAS_MEMORY_FORM);
            }
            BoundsCheck => {
                self.operand(inst, arg(0), |t| t == Type::I64, "i64 (the index)");
                self.operand(inst, arg(1), |t| t == Type::I64, "i64 (the length)");
            }
            StackAddr => {
                if let InstData::StackAddr { slot } = data {
                    if !self.f.stack_slots.is_valid(*slot) {
                        self.inst_err(inst, format!("stack slot {slot} does not exist"));
                    }
                }
                self.result_is(inst, result, Type::PTR, "an address");
            }
            DataAddr => {
                if let InstData::DataAddr { data: d } = data {
                    if !self.m.data.is_valid(*d) {
                        self.inst_err(inst, format!("data object {d} does not exist in the module"));
                    }
                }
                self.result_is(inst, result, Type::PTR, "an address");
            }
            Extractlane => {
                if let Some((_, t)) = self.operand(inst, arg(0), |t| t.is_vector(), "a vector") {
                    if let InstData::ExtractLane { lane, .. } = data {
                        self.lane_in_range(inst, *lane, t);
                    }
                    self.result_is(inst, result, t.lane_type(), "the lane type");
                }
            }
            Insertlane => {
                if let Some((_, t)) = self.operand(inst, arg(0), |t| t.is_vector(), "a vector") {
                    let lane = t.lane_type();
                    self.operand(inst, arg(1), |x| x == lane, &format!("{lane} (the lane type)"));
                    if let InstData::InsertLane { lane, .. } = data {
                        self.lane_in_range(inst, *lane, t);
                    }
                    self.result_is(inst, result, t, "the vector type");
                }
            }
            Call => {
                if let InstData::Call { func, args } = data {
                    match self.m.functions.get(*func) {
                        None => self.inst_err(inst, format!("calls {func}, which is not a function of the module")),
                        Some(callee) => {
                            let who = format!("`{}`", callee.name);
                            self.call_args(inst, args, &callee.sig.abi_params(), &who);
                            self.call_result(inst, result, callee.sig.ret, &who);
                        }
                    }
                }
            }
            CallHost => {
                if let InstData::CallHost { func, args } = data {
                    match self.m.externs.get(*func) {
                        None => self.inst_err(inst, format!("calls {func}, which is not declared in the module")),
                        Some(ext) => {
                            let who = format!("extern `{}`", ext.name);
                            self.call_args(inst, args, &ext.params, &who);
                            self.call_result(inst, result, ext.ret, &who);
                        }
                    }
                }
            }
            Brif => {
                self.operand(inst, arg(0), |t| t == Type::BOOL, "bool (the branch condition)");
            }
            Return => {
                let ret = self.f.sig.ret;
                match (arg(0), ret) {
                    (Some(v), None) => self.inst_err(inst, format!("returns {v}, but the function returns nothing")),
                    (None, Some(t)) => self.inst_err(inst, format!("returns nothing, but the function returns {t}")),
                    (Some(v), Some(t)) => {
                        if let Some(vt) = self.value_type(v).filter(|&vt| vt != t) {
                            self.inst_err(inst, format!("returns {v} of type {vt}, but the function returns {t}"));
                        }
                    }
                    (None, None) => {}
                }
            }
            // Branch targets are I6 (`body.rs`); trap codes are all valid.
            Jump | Trap => {}
        }
    }

    /// The operand `v` with its type, if it is a live value of a type `ok` accepts;
    /// otherwise reports a wrong type (with `what` was expected) and returns `None`.
    fn operand(
        &mut self,
        inst: Inst,
        v: Option<Value>,
        ok: impl Fn(Type) -> bool,
        what: &str,
    ) -> Option<(Value, Type)> {
        let v = v?;
        let t = self.value_type(v)?;
        if ok(t) {
            Some((v, t))
        } else {
            self.inst_err(inst, format!("operand {v} has type {t}, expected {what}"));
            None
        }
    }

    /// The result, if its type is one `ok` accepts; otherwise reports it.
    fn result_ok(
        &mut self,
        inst: Inst,
        result: Option<(Value, Type)>,
        ok: impl Fn(Type) -> bool,
        what: &str,
    ) -> Option<(Value, Type)> {
        let (v, t) = result?;
        if ok(t) {
            Some((v, t))
        } else {
            self.inst_err(inst, format!("result {v} has type {t}, expected {what}"));
            None
        }
    }

    /// Reports a result whose type is not `want` (`why` names where `want` comes from).
    fn result_is(&mut self, inst: Inst, result: Option<(Value, Type)>, want: Type, why: &str) {
        if let Some((v, t)) = result.filter(|&(_, t)| t != want) {
            self.inst_err(inst, format!("result {v} has type {t}, expected {want} ({why})"));
        }
    }

    /// Whether two operands have the same type; reports them if not.
    fn same(&mut self, inst: Inst, (a, ta): (Value, Type), (b, tb): (Value, Type)) -> bool {
        if ta != tb {
            self.inst_err(inst, format!("operands {a} and {b} have different types ({ta} and {tb})"));
        }
        ta == tb
    }

    /// Two operands of one type that `ok` accepts; the result is that type.
    fn same_binary(
        &mut self,
        inst: Inst,
        a: Option<Value>,
        b: Option<Value>,
        result: Option<(Value, Type)>,
        ok: Pred,
        what: &str,
    ) {
        let a = self.operand(inst, a, ok, what);
        let b = self.operand(inst, b, ok, what);
        if let (Some(a), Some(b)) = (a, b) {
            if self.same(inst, a, b) {
                self.result_is(inst, result, a.1, "the operand type");
            }
        }
    }

    /// One operand of a type `ok` accepts; the result is that type.
    fn same_unary(&mut self, inst: Inst, a: Option<Value>, result: Option<(Value, Type)>, ok: Pred, what: &str) {
        if let Some((_, t)) = self.operand(inst, a, ok, what) {
            self.result_is(inst, result, t, "the operand type");
        }
    }

    /// A lane-wise conversion: operand and result kinds, equal lane counts, and an optional
    /// relation between the lane types (`rel(from, to)`, described as "to is … from").
    fn conversion(
        &mut self,
        inst: Inst,
        a: Option<Value>,
        result: Option<(Value, Type)>,
        (from_ok, from_what): (Pred, &str),
        (to_ok, to_what): (Pred, &str),
        rel: Option<Relation>,
    ) {
        let from = self.operand(inst, a, from_ok, from_what);
        let to = self.result_ok(inst, result, to_ok, to_what);
        let (Some((_, from)), Some((_, to))) = (from, to) else { return };
        if from.lanes() != to.lanes() {
            self.inst_err(
                inst,
                format!(
                    "result type {to} has {} but the operand type {from} has {}",
                    plural(to.lanes() as usize, "lane"),
                    from.lanes()
                ),
            );
        } else if let Some((_, desc)) = rel.filter(|(rel, _)| !rel(from, to)) {
            self.inst_err(inst, format!("result type {to} is not {desc} the operand type {from}"));
        }
    }

    fn lane_in_range(&mut self, inst: Inst, lane: u8, t: Type) {
        if u32::from(lane) >= t.lanes() {
            self.inst_err(inst, format!("lane {lane} is out of range for {t}"));
        }
    }

    /// Call arguments against the callee's (ABI) parameter types.
    fn call_args(&mut self, inst: Inst, args: &[Value], params: &[Type], who: &str) {
        if args.len() != params.len() {
            self.inst_err(
                inst,
                format!(
                    "passes {}, but {who} takes {} ({})",
                    plural(args.len(), "argument"),
                    params.len(),
                    type_list(params)
                ),
            );
            return;
        }
        for (k, (&a, &p)) in args.iter().zip(params).enumerate() {
            if let Some(t) = self.value_type(a).filter(|&t| t != p) {
                self.inst_err(inst, format!("argument {k} ({a}) has type {t}, but {who} expects {p}"));
            }
        }
    }

    /// A call's result type against the callee's return type (presence is I2's).
    fn call_result(&mut self, inst: Inst, result: Option<(Value, Type)>, ret: Option<Type>, who: &str) {
        if let (Some((v, t)), Some(rt)) = (result, ret) {
            if t != rt {
                self.inst_err(inst, format!("result {v} has type {t}, but {who} returns {rt}"));
            }
        }
    }
}
