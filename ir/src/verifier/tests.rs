//! Tests of the verifier: well-formed functions built with [`FunctionBuilder`] verify
//! clean; each kind of malformed IR (built, then corrupted through the public DFG and
//! layout API) gives its message at its location; and random corruption never panics.

use super::*;
use crate::builder::FunctionBuilder;
use crate::dfg::ValueDef;
use crate::entities::{FuncId, StackSlot, Value};
use crate::function::Linkage;
use crate::instructions::{BlockCall, FloatCC, FloatFlags, InstData, IntCC, TrapCode};
use crate::module::{DataObject, ExternFunc};
use crate::opcode::Opcode;
use crate::signature::{Param, Signature};
use crate::types::Type;

// ---- fixtures ------------------------------------------------------------------------

fn sig(params: &[(&str, Type)], ret: Option<Type>) -> Signature {
    Signature::new(params.iter().map(|&(n, t)| Param::scalar(n, t)).collect(), ret)
}

/// Builds a function with the builder: `body` gets the builder and the entry parameters.
/// Not finalized, so unreachable blocks and explicit block parameters stay as written.
fn build(name: &str, sig: Signature, body: impl FnOnce(&mut FunctionBuilder, &[Value])) -> Function {
    let mut f = Function::new(name, Linkage::Local, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    body(&mut b, &p);
    b.seal_all_blocks();
    f
}

/// `fn @add(a: i32, b: i32) -> i32 { v2 = iadd a, b; return v2 }`
fn add_fn() -> Function {
    build("add", sig(&[("a", Type::I32), ("b", Type::I32)], Some(Type::I32)), |b, p| {
        let s = b.iadd(p[0], p[1]);
        b.ret(Some(s));
    })
}

/// `sum = 0; for i in 0..n { sum += i }; return sum`, finalized (header has two params).
fn sum_loop() -> Function {
    let mut f = Function::new("sum", Linkage::Export, sig(&[("n", Type::I64)], Some(Type::I64)));
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let (i, sum) = (b.declare_var(Type::I64), b.declare_var(Type::I64));
    let z = b.iconst(Type::I64, 0);
    b.def_var(i, z);
    b.def_var(sum, z);
    let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.jump(head, &[]);
    b.switch_to_block(head);
    let iv = b.use_var(i);
    let c = b.icmp(IntCC::Slt, iv, p[0]);
    b.brif(c, body, &[], exit, &[]);
    b.switch_to_block(body);
    b.seal_block(body);
    let (iv, s) = (b.use_var(i), b.use_var(sum));
    let s2 = b.iadd(s, iv);
    b.def_var(sum, s2);
    let one = b.iconst(Type::I64, 1);
    let i2 = b.iadd(iv, one);
    b.def_var(i, i2);
    b.jump(head, &[]);
    b.seal_block(head);
    b.switch_to_block(exit);
    b.seal_block(exit);
    let s = b.use_var(sum);
    b.ret(Some(s));
    b.finalize().unwrap();
    f
}

/// A module with a callee `@twice(i32) -> i32`, a void `@sink(i32)`, an extern
/// `@expf(f32) -> f32` and a data object `@taps: f32`.
fn module() -> Module {
    let mut m = Module::new();
    m.add_function(build("twice", sig(&[("x", Type::I32)], Some(Type::I32)), |b, p| {
        let s = b.iadd(p[0], p[0]);
        b.ret(Some(s));
    }));
    m.add_function(build("sink", sig(&[("x", Type::I32)], None), |b, _| b.ret(None)));
    m.add_extern(ExternFunc { name: "expf".into(), params: vec![Type::F32], ret: Some(Type::F32) });
    m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25]));
    m
}

const TWICE: FuncId = FuncId::from_u32(0);
const SINK: FuncId = FuncId::from_u32(1);

/// A function using every opcode, well typed. Local, so it may pass vectors around.
fn kitchen_sink(m: &Module) -> Function {
    let params = vec![
        Param::slice("x", Type::F32, false),
        Param::slice("y", Type::I32, true),
        Param::scalar("a", Type::I32),
        Param::scalar("g", Type::F64),
    ];
    let mut f = Function::new("kitchen", Linkage::Local, Signature::new(params, Some(Type::I64)));
    let ss = f.create_stack_slot(16, 16);
    let expf = m.extern_by_name("expf").unwrap();
    let taps = m.data_by_name("taps").unwrap();
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let (xp, xn, yp, a, g) = (p[0], p[1], p[2], p[4], p[5]);
    // Integers.
    let k = b.iconst(Type::I32, 7);
    for op in [Opcode::Iadd, Opcode::Isub, Opcode::Imul, Opcode::Smin, Opcode::Smax, Opcode::Umin, Opcode::Umax] {
        b.binary(op, a, k);
    }
    for op in [Opcode::Sdiv, Opcode::Udiv, Opcode::Srem, Opcode::Urem, Opcode::Band, Opcode::Bor, Opcode::Bxor] {
        b.binary(op, a, k);
    }
    for op in [Opcode::Shl, Opcode::Lshr, Opcode::Ashr] {
        b.binary(op, a, k);
    }
    for op in [Opcode::Ineg, Opcode::Bnot, Opcode::Popcnt, Opcode::Clz, Opcode::Ctz, Opcode::Bswap] {
        b.unary(op, a);
    }
    // Bools.
    let c = b.icmp(IntCC::Slt, a, k);
    let t = b.bconst(true);
    let c2 = b.binary(Opcode::Band, c, t);
    let c3 = b.unary(Opcode::Bnot, c2);
    let _ = b.icmp(IntCC::Ne, c3, c);
    // Floats.
    let h = b.f64const(1.5);
    for op in [Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmin, Opcode::Fmax, Opcode::Fcopysign] {
        b.binary(op, h, g);
    }
    b.binary_flags(Opcode::Fadd, FloatFlags::FAST, h, g);
    b.binary(Opcode::Fpow, h, g);
    for op in [
        Opcode::Fneg,
        Opcode::Fabs,
        Opcode::Fsqrt,
        Opcode::Ffloor,
        Opcode::Fceil,
        Opcode::Ftrunc,
        Opcode::Fnearest,
        Opcode::Fexp,
        Opcode::Flog,
        Opcode::Fsin,
        Opcode::Fcos,
    ] {
        b.unary(op, h);
    }
    b.fma(FloatFlags::CONTRACT, h, h, g);
    let fc = b.fcmp(FloatCC::Lt, h, g);
    let _ = b.select(fc, a, k);
    // Conversions.
    let a64 = b.convert(Opcode::Sext, Type::I64, a);
    b.convert(Opcode::Zext, Type::I64, a);
    b.convert(Opcode::Zext, Type::I32, c);
    b.convert(Opcode::Sext, Type::I8, c);
    b.convert(Opcode::Trunc, Type::I8, a);
    let f32v = b.convert(Opcode::Fdemote, Type::F32, h);
    b.convert(Opcode::Fpromote, Type::F64, f32v);
    b.convert(Opcode::Sitofp, Type::F32, a);
    b.convert(Opcode::Uitofp, Type::F64, a64);
    b.convert(Opcode::Fptosi, Type::I32, h);
    b.convert(Opcode::Fptoui, Type::I64, f32v);
    b.convert(Opcode::Bitcast, Type::F32, a);
    let pi = b.convert(Opcode::PtrToInt, Type::I64, xp);
    let pp = b.convert(Opcode::IntToPtr, Type::PTR, pi);
    let q = b.binary(Opcode::PtrAdd, pp, xn);
    // Memory.
    b.bounds_check(a64, xn);
    let off = b.iconst(Type::I64, 4);
    let x0 = b.load(Type::F32, q, off);
    b.store(yp, off, a);
    let sa = b.stack_addr(ss);
    let v4 = b.load(Type::F32X4, sa, off);
    b.store(sa, off, v4);
    let _ = b.data_addr(taps);
    // Vectors.
    let s = b.splat(Type::F32X4, x0);
    let s2 = b.binary(Opcode::Fmul, s, v4);
    let e = b.extractlane(s2, 3);
    let s3 = b.insertlane(s2, e, 0);
    b.unary_flags(Opcode::ReduceAdd, FloatFlags::REASSOC, s3);
    let iv = b.splat(Type::I32X4, a);
    let iv2 = b.binary(Opcode::Iadd, iv, iv);
    let iv3 = b.binary(Opcode::Shl, iv2, k);
    b.unary(Opcode::ReduceMin, iv3);
    b.unary(Opcode::ReduceMax, s3);
    let vc = b.fcmp(FloatCC::Le, s3, s);
    let _ = b.select(vc, s3, s);
    let wide = Type::vector(crate::types::LaneType::I64, 4).unwrap();
    b.convert(Opcode::Sext, wide, iv3);
    b.convert(Opcode::Bitcast, Type::F32X4, iv3);
    b.convert(Opcode::Sitofp, Type::F32X4, iv3);
    // Calls.
    let r = b.call(TWICE, Some(Type::I32), &[a]).unwrap();
    b.call(SINK, None, &[r]);
    b.call_host(expf, Some(Type::F32), &[x0]);
    // Control flow: a trap, a join with a parameter fed two different values.
    let (bt, bm, bj, bk) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
    let jp = b.append_block_param(bj, Type::I64);
    b.brif(c, bt, &[], bk, &[]);
    b.switch_to_block(bt);
    b.jump(bm, &[]);
    b.switch_to_block(bm);
    b.brif(fc, bj, &[a64], bj, &[pi]);
    b.switch_to_block(bk);
    b.trap(TrapCode::User(7));
    b.switch_to_block(bj);
    b.ret(Some(jp));
    b.seal_all_blocks();
    b.finalize().unwrap();
    f
}

fn errors(m: &Module, f: &Function) -> Vec<VerifierError> {
    verify_function(m, f).err().map_or(Vec::new(), |e| e.0)
}

/// Asserts that verifying `f` gives exactly one error, at `loc`, saying `msg`.
#[track_caller]
fn assert_one(m: &Module, f: &Function, loc: Location, msg: &str) {
    let errs = errors(m, f);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    assert_eq!(errs[0].function, f.name);
    assert_eq!(errs[0].location, loc);
    assert_eq!(errs[0].message, msg);
}

/// Asserts that verifying `f` gives (among others) an error at `loc` saying `msg`.
#[track_caller]
fn assert_has(m: &Module, f: &Function, loc: Location, msg: &str) {
    let errs = errors(m, f);
    assert!(
        errs.iter().any(|e| e.location == loc && e.message == msg && e.function == f.name),
        "no error {loc:?}: {msg}\ngot {errs:#?}"
    );
}

#[track_caller]
fn assert_clean(m: &Module, f: &Function) {
    if let Err(e) = verify_function(m, f) {
        panic!("{e}");
    }
}

/// The first instruction with opcode `op`, in layout order.
fn find(f: &Function, op: Opcode) -> Inst {
    f.layout.blocks().flat_map(|b| f.layout.block_insts(b)).find(|&i| f.dfg.insts[i].opcode() == op).unwrap()
}

fn block(f: &Function, n: usize) -> Block {
    f.layout.blocks().nth(n).unwrap()
}

fn result(f: &Function, i: Inst) -> Value {
    f.dfg.inst_result(i).unwrap()
}

/// Appends an instruction before `before` and returns it with its result.
fn insert(f: &mut Function, before: Inst, data: InstData, ty: Option<Type>) -> (Inst, Option<Value>) {
    let i = f.dfg.make_inst(data, ty);
    f.layout.insert_inst_before(i, before);
    (i, f.dfg.inst_result(i))
}

/// `fn @t(params) { <one instruction> ; return }` with the instruction built by `make`.
fn one_inst(
    params: &[(&str, Type)],
    ret: Option<Type>,
    data: impl FnOnce(&[Value]) -> InstData,
    ty: Option<Type>,
) -> (Function, Inst) {
    let mut f = build("t", sig(params, ret), |b, _| b.trap(TrapCode::Unreachable));
    let term = f.layout.last_inst(block(&f, 0)).unwrap();
    let args = f.params().to_vec();
    let (i, _) = insert(&mut f, term, data(&args), ty);
    (f, i)
}

fn unary(op: Opcode, arg: Value) -> InstData {
    InstData::Unary { op, arg, flags: FloatFlags::NONE }
}

fn binary(op: Opcode, a: Value, b: Value) -> InstData {
    InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE }
}

// ---- well-formed IR --------------------------------------------------------------------

#[test]
fn well_formed_functions_verify() {
    let m = module();
    assert_clean(&m, &add_fn());
    assert_clean(&m, &sum_loop());
    assert_clean(&m, &kitchen_sink(&m));
    assert!(verify_module(&m).is_ok());
}

#[test]
fn kitchen_sink_uses_every_opcode() {
    let m = module();
    let f = kitchen_sink(&m);
    let used: std::collections::HashSet<Opcode> =
        f.layout.blocks().flat_map(|b| f.layout.block_insts(b)).map(|i| f.dfg.insts[i].opcode()).collect();
    for op in Opcode::ALL {
        assert!(used.contains(op), "kitchen sink does not use `{op}`");
    }
}

#[test]
fn module_with_everything_verifies() {
    let mut m = module();
    let k = kitchen_sink(&m);
    m.add_function(k);
    m.add_function(sum_loop());
    assert_eq!(verify_module(&m), Ok(()));
}

#[test]
fn unreachable_blocks_skip_dominance_but_not_types() {
    // block1 is unreachable and uses a value defined after it in its own block: fine.
    let mut f = build("u", sig(&[("a", Type::I32)], None), |b, _| b.ret(None));
    let dead = f.dfg.make_block();
    f.layout.append_block(dead);
    let c = f.dfg.make_inst(InstData::IntConst { imm: 1 }, Some(Type::I32));
    let cv = f.dfg.inst_result(c).unwrap();
    let add = f.dfg.make_inst(binary(Opcode::Iadd, cv, cv), Some(Type::I32));
    let ret = f.dfg.make_inst(InstData::Return { arg: None }, None);
    for i in [add, c, ret] {
        f.layout.append_inst(i, dead);
    }
    assert_clean(&Module::new(), &f);
    // A type error there is still reported.
    f.dfg.values[cv].ty = Type::I64;
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(add),
        &format!("result {} has type i32, expected i64 (the operand type)", result(&f, add)),
    );
}

// ---- layout and block structure ----------------------------------------------------------

#[test]
fn no_entry_block() {
    let f = Function::new("e", Linkage::Local, Signature::default());
    assert_one(&Module::new(), &f, Location::Function, "function has no entry block (its layout is empty)");
}

#[test]
fn empty_block() {
    let mut f = add_fn();
    let b = f.dfg.make_block();
    f.layout.append_block(b);
    assert_one(&Module::new(), &f, Location::Block(b), "block has no instructions");
}

#[test]
fn missing_terminator() {
    let mut f = add_fn();
    let ret = find(&f, Opcode::Return);
    f.layout.remove_inst(ret);
    assert_one(&Module::new(), &f, Location::Block(block(&f, 0)), "block does not end in a terminator");
}

#[test]
fn terminator_before_the_end() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let (trap, _) = insert(&mut f, add, InstData::Trap { code: TrapCode::Unreachable }, None);
    assert_one(&Module::new(), &f, Location::Inst(trap), "terminator `trap` is not the last instruction of its block");
}

#[test]
fn block_in_layout_but_not_in_dfg() {
    let mut f = add_fn();
    let ghost = Block::from_u32(50);
    f.layout.append_block(ghost);
    assert_one(&Module::new(), &f, Location::Block(ghost), "block is in the layout but not in the DFG");
}

#[test]
fn instruction_in_layout_but_not_in_dfg() {
    let mut f = add_fn();
    let ret = find(&f, Opcode::Return);
    let ghost = Inst::from_u32(500);
    f.layout.insert_inst_before(ghost, ret);
    assert_one(&Module::new(), &f, Location::Inst(ghost), "instruction is in the layout but not in the DFG");
    assert_eq!(errors(&Module::new(), &f)[0].location_text, "inst500 (not in the DFG) in block0");
}

#[test]
fn entry_parameter_count() {
    let mut f = add_fn();
    let entry = block(&f, 0);
    f.dfg.append_block_param(entry, Type::F32);
    assert_one(
        &Module::new(),
        &f,
        Location::Block(entry),
        "entry block has 3 parameters but the signature has 2 ABI parameters (i32, i32)",
    );
}

#[test]
fn entry_parameter_type() {
    // Slices expand to (ptr, i64): the entry must say so.
    let s = Signature::new(vec![Param::slice("x", Type::F32, false)], None);
    let mut f = build("s", s, |b, _| b.ret(None));
    let n = f.params()[1];
    f.dfg.values[n].ty = Type::I32;
    assert_one(
        &Module::new(),
        &f,
        Location::Block(block(&f, 0)),
        &format!("entry block parameter 1 ({n}) has type i32, but ABI parameter 1 is i64"),
    );
}

#[test]
fn branch_to_entry_block() {
    let mut f = build("loop", Signature::default(), |b, _| {
        let next = b.create_block();
        b.jump(next, &[]);
        b.switch_to_block(next);
        b.ret(None);
    });
    let entry = block(&f, 0);
    let ret = find(&f, Opcode::Return);
    f.dfg.replace_inst(ret, InstData::Jump { dest: BlockCall::new(entry, vec![]) });
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        "branches to the entry block block0, which must have no predecessors",
    );
}

#[test]
fn block_parameter_with_wrong_definition() {
    let mut f = sum_loop();
    let head = block(&f, 1);
    let add = find(&f, Opcode::Iadd);
    let r = result(&f, add);
    // Claim the iadd's result is also the header's first parameter.
    f.dfg.blocks[head].params[0] = r;
    assert_has(
        &Module::new(),
        &f,
        Location::Block(head),
        &format!("parameter 0 ({r}) is defined as the result of {add}, expected parameter 0 of {head}"),
    );
}

// ---- instructions ------------------------------------------------------------------------

#[test]
fn format_does_not_match_opcode() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let a = f.params()[0];
    f.dfg.replace_inst(add, unary(Opcode::Iadd, a));
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(add),
        "opcode `iadd` has format Binary, but the instruction data is Unary",
    );
}

#[test]
fn result_on_an_instruction_without_one() {
    let mut f = add_fn();
    let ret = find(&f, Opcode::Return);
    let v = f.dfg.set_result(ret, Type::I32);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("`return` produces no value, but the instruction has result {v}"),
    );
}

#[test]
fn missing_result() {
    let (mut f, i) = one_inst(&[], None, |_| InstData::IntConst { imm: 3 }, Some(Type::I32));
    f.dfg.clear_result(i);
    assert_one(&Module::new(), &f, Location::Inst(i), "`iconst` produces a value, but the instruction has no result");
}

#[test]
fn result_with_wrong_definition() {
    let (mut f, i) = one_inst(&[], None, |_| InstData::IntConst { imm: 3 }, Some(Type::I32));
    let v = result(&f, i);
    let entry = block(&f, 0);
    f.dfg.values[v].def = ValueDef::Param(entry, 0);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {v} is defined as parameter 0 of {entry}, expected the result of {i}"),
    );
}

#[test]
fn call_result_presence_follows_the_callee() {
    let m = module();
    let (mut f, call) = one_inst(&[("a", Type::I32)], None, |p| InstData::Call { func: SINK, args: vec![p[0]] }, None);
    assert_clean(&m, &f);
    let v = f.dfg.set_result(call, Type::I32);
    assert_one(&m, &f, Location::Inst(call), &format!("call has result {v}, but `sink` returns nothing"));

    let (f, call) = one_inst(&[("a", Type::I32)], None, |p| InstData::Call { func: TWICE, args: vec![p[0]] }, None);
    assert_one(&m, &f, Location::Inst(call), "call has no result, but `twice` returns i32");
}

#[test]
fn float_flags_on_an_integer_operation() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let p = f.params().to_vec();
    f.dfg.replace_inst(add, InstData::Binary { op: Opcode::Iadd, args: [p[0], p[1]], flags: FloatFlags::REASSOC });
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(add),
        "float flags (reassoc) on `iadd`, which is not a float operation",
    );
}

#[test]
fn float_flags_on_an_integer_reduction() {
    let v = Type::I32X4;
    let (f, i) = one_inst(
        &[("v", v)],
        None,
        |p| InstData::Unary { op: Opcode::ReduceAdd, arg: p[0], flags: FloatFlags::FAST },
        Some(Type::I32),
    );
    assert_one(&Module::new(), &f, Location::Inst(i), "float flags (reassoc contract) on an integer reduction");
}

// ---- values and SSA ----------------------------------------------------------------------

#[test]
fn value_out_of_range() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    f.dfg.insts[add].args_mut()[1] = Value::from_u32(1000);
    assert_one(&Module::new(), &f, Location::Inst(add), "uses v1000, which is not a value of this function");
}

#[test]
fn detached_value() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let old = result(&f, add);
    f.dfg.set_result(add, Type::I32); // the return still uses the old, now detached, value
    let ret = find(&f, Opcode::Return);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("uses {old}, which is detached (removed from its block or instruction)"),
    );
}

#[test]
fn value_claims_a_definition_it_does_not_have() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let ret = find(&f, Opcode::Return);
    let (c, cv) = insert(&mut f, add, InstData::IntConst { imm: 1 }, Some(Type::I32));
    let cv = cv.unwrap();
    // The return uses the constant, which claims to be the iadd's result.
    f.dfg.values[cv].def = ValueDef::Result(add);
    f.dfg.insts[ret].args_mut()[0] = cv;
    let r = result(&f, add);
    let errs = errors(&Module::new(), &f);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(errs[0].location, Location::Inst(c));
    assert_eq!(errs[0].message, format!("result {cv} is defined as the result of {add}, expected the result of {c}"));
    assert_eq!(errs[1].location, Location::Inst(ret));
    assert_eq!(errs[1].message, format!("uses {cv}, which claims to be the result of {add}, but {add} has result {r}"));
}

#[test]
fn value_defined_by_an_instruction_outside_the_layout() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let ret = find(&f, Opcode::Return);
    let r = result(&f, add);
    f.layout.remove_inst(add);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("uses {r}, the result of {add}, which is not in the layout"),
    );
}

#[test]
fn parameter_of_a_block_outside_the_layout() {
    let mut f = add_fn();
    let lost = f.dfg.make_block();
    let p = f.dfg.append_block_param(lost, Type::I32);
    let add = find(&f, Opcode::Iadd);
    f.dfg.insts[add].args_mut()[0] = p;
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(add),
        &format!("uses {p}, a parameter of {lost}, which is not in the layout"),
    );
}

#[test]
fn use_not_dominated_across_blocks() {
    // block0: brif c, block1, block2; block1: x = iconst; br block3; block2: br block3;
    // block3: return x — x does not dominate block3.
    let mut x = None;
    let f = build("d", sig(&[("c", Type::BOOL)], Some(Type::I32)), |b, p| {
        let (b1, b2, b3) = (b.create_block(), b.create_block(), b.create_block());
        b.brif(p[0], b1, &[], b2, &[]);
        b.switch_to_block(b1);
        x = Some(b.iconst(Type::I32, 1));
        b.jump(b3, &[]);
        b.switch_to_block(b2);
        b.jump(b3, &[]);
        b.switch_to_block(b3);
        b.ret(x);
    });
    let x = x.unwrap();
    let ret = find(&f, Opcode::Return);
    let def = find(&f, Opcode::Iconst);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("uses {x}, defined by {def} in block1, which does not dominate block3"),
    );
}

#[test]
fn use_before_definition_in_the_same_block() {
    let mut f = build("u", sig(&[("a", Type::I32)], Some(Type::I32)), |b, p| {
        let k = b.iconst(Type::I32, 2);
        let s = b.iadd(p[0], k);
        b.ret(Some(s));
    });
    let k = find(&f, Opcode::Iconst);
    let add = find(&f, Opcode::Iadd);
    f.layout.remove_inst(k);
    f.layout.insert_inst_after(k, add);
    let kv = result(&f, k);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(add),
        &format!("uses {kv} before its definition by {k}, later in block0"),
    );
}

#[test]
fn instruction_uses_its_own_result() {
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    let r = result(&f, add);
    f.dfg.insts[add].args_mut()[0] = r;
    assert_one(&Module::new(), &f, Location::Inst(add), &format!("uses its own result {r}"));
}

#[test]
fn block_parameter_used_where_its_block_does_not_dominate() {
    // The loop exit returns the loop body's... no: the exit returns a parameter of the body
    // block, which does not dominate the exit.
    let mut f = build("p", sig(&[("c", Type::BOOL), ("a", Type::I32)], Some(Type::I32)), |b, p| {
        let (b1, b2) = (b.create_block(), b.create_block());
        let x = b.append_block_param(b1, Type::I32);
        b.brif(p[0], b1, &[p[1]], b2, &[]);
        b.switch_to_block(b1);
        b.ret(Some(x));
        b.switch_to_block(b2);
        b.ret(Some(p[1]));
    });
    let b1 = block(&f, 1);
    let x = f.dfg.block_params(b1)[0];
    let ret2 = f.layout.last_inst(block(&f, 2)).unwrap();
    f.dfg.insts[ret2].args_mut()[0] = x;
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret2),
        &format!("uses {x}, a parameter of block1, which does not dominate block2"),
    );
}

#[test]
fn value_from_an_unreachable_block_used_in_a_reachable_one() {
    let mut f = add_fn();
    let dead = f.dfg.make_block();
    f.layout.append_block(dead);
    let c = f.dfg.make_inst(InstData::IntConst { imm: 1 }, Some(Type::I32));
    let t = f.dfg.make_inst(InstData::Trap { code: TrapCode::Unreachable }, None);
    f.layout.append_inst(c, dead);
    f.layout.append_inst(t, dead);
    let ret = find(&f, Opcode::Return);
    let cv = result(&f, c);
    f.dfg.insts[ret].args_mut()[0] = cv;
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("uses {cv}, defined by {c} in {dead}, which does not dominate block0"),
    );
}

// ---- branches ----------------------------------------------------------------------------

#[test]
fn branch_argument_count() {
    let mut f = sum_loop();
    let back = f.layout.last_inst(block(&f, 2)).unwrap();
    f.dfg.insts[back].for_each_target_mut(|t| {
        t.args.pop();
    });
    assert_one(&Module::new(), &f, Location::Inst(back), "passes 1 argument to block1, which has 2 parameters");
}

#[test]
fn branch_argument_type() {
    let mut f = sum_loop();
    let entry_jump = f.layout.last_inst(block(&f, 0)).unwrap();
    let (_, k) = insert(&mut f, entry_jump, InstData::IntConst { imm: 0 }, Some(Type::I32));
    let k = k.unwrap();
    f.dfg.insts[entry_jump].for_each_target_mut(|t| t.args[1] = k);
    let p = f.dfg.block_params(block(&f, 1))[1];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(entry_jump),
        &format!("argument 1 to block1 ({k}) has type i32, but parameter {p} has type i64"),
    );
}

#[test]
fn branch_to_a_block_that_does_not_exist() {
    let mut f = sum_loop();
    let brif = find(&f, Opcode::Brif);
    if let InstData::Brif { else_dest, .. } = &mut f.dfg.insts[brif] {
        else_dest.block = Block::from_u32(99);
    }
    assert_one(&Module::new(), &f, Location::Inst(brif), "branches to block99, which does not exist");
}

#[test]
fn branch_to_a_block_outside_the_layout() {
    let mut f = sum_loop();
    let brif = find(&f, Opcode::Brif);
    let lost = f.dfg.make_block();
    if let InstData::Brif { then_dest, .. } = &mut f.dfg.insts[brif] {
        then_dest.block = lost;
    }
    // The loop body is now unreachable; only the branch is wrong.
    assert_one(&Module::new(), &f, Location::Inst(brif), &format!("branches to {lost}, which is not in the layout"));
}

#[test]
fn brif_condition_must_be_bool() {
    let mut f = sum_loop();
    let brif = find(&f, Opcode::Brif);
    let n = f.params()[0];
    if let InstData::Brif { cond, .. } = &mut f.dfg.insts[brif] {
        *cond = n;
    }
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(brif),
        &format!("operand {n} has type i64, expected bool (the branch condition)"),
    );
}

#[test]
fn return_value_must_match_the_signature() {
    let mut f = add_fn();
    let ret = find(&f, Opcode::Return);
    let (c, cv) = insert(&mut f, ret, InstData::IntConst { imm: 1 }, Some(Type::I64));
    let _ = c;
    let cv = cv.unwrap();
    f.dfg.replace_inst(ret, InstData::Return { arg: Some(cv) });
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(ret),
        &format!("returns {cv} of type i64, but the function returns i32"),
    );
    f.dfg.replace_inst(ret, InstData::Return { arg: None });
    assert_one(&Module::new(), &f, Location::Inst(ret), "returns nothing, but the function returns i32");
    f.sig.ret = None;
    f.dfg.replace_inst(ret, InstData::Return { arg: Some(cv) });
    assert_one(&Module::new(), &f, Location::Inst(ret), &format!("returns {cv}, but the function returns nothing"));
}

// ---- typing ------------------------------------------------------------------------------

#[test]
fn binary_operands_must_agree() {
    let (f, i) =
        one_inst(&[("a", Type::I32), ("b", Type::I64)], None, |p| binary(Opcode::Iadd, p[0], p[1]), Some(Type::I32));
    let p = f.params();
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operands {} and {} have different types (i32 and i64)", p[0], p[1]),
    );
}

#[test]
fn integer_operation_on_floats() {
    let (f, i) = one_inst(&[("a", Type::F32)], None, |p| unary(Opcode::Ineg, p[0]), Some(Type::F32));
    let a = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {a} has type f32, expected an integer scalar or vector"),
    );
}

#[test]
fn float_operation_on_integers() {
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| unary(Opcode::Fsqrt, p[0]), Some(Type::I32));
    let a = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {a} has type i32, expected a float scalar or vector"),
    );
}

#[test]
fn result_type_must_match_operands() {
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| binary(Opcode::Iadd, p[0], p[0]), Some(Type::I64));
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type i64, expected i32 (the operand type)"),
    );
}

#[test]
fn division_is_scalar_only() {
    let (f, i) = one_inst(&[("v", Type::I32X4)], None, |p| binary(Opcode::Sdiv, p[0], p[0]), Some(Type::I32X4));
    let v = f.params()[0];
    let msg = format!("operand {v} has type i32x4, expected an integer scalar");
    let errs = errors(&Module::new(), &f);
    assert_eq!(errs.len(), 2, "one per operand: {errs:#?}");
    assert!(errs.iter().all(|e| e.location == Location::Inst(i) && e.message == msg));
}

#[test]
fn transcendentals_are_scalar_only() {
    let (f, i) = one_inst(&[("v", Type::F32X4)], None, |p| unary(Opcode::Fexp, p[0]), Some(Type::F32X4));
    let v = f.params()[0];
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("operand {v} has type f32x4, expected a float scalar"));
}

#[test]
fn shift_amount_has_the_lane_type() {
    let (f, i) =
        one_inst(&[("v", Type::I32X4), ("s", Type::I64)], None, |p| binary(Opcode::Shl, p[0], p[1]), Some(Type::I32X4));
    let s = f.params()[1];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {s} has type i64, expected i32 (the lane type of the shifted value)"),
    );
}

#[test]
fn bswap_needs_more_than_one_byte() {
    let (f, i) = one_inst(&[("a", Type::I8)], None, |p| unary(Opcode::Bswap, p[0]), Some(Type::I8));
    let a = f.params()[0];
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("operand {a} has type i8, expected i16, i32 or i64"));
}

#[test]
fn fma_operands_share_one_float_type() {
    let (f, i) = one_inst(
        &[("a", Type::F32), ("b", Type::F64)],
        None,
        |p| InstData::Ternary { op: Opcode::Fma, args: [p[0], p[0], p[1]], flags: FloatFlags::NONE },
        Some(Type::F32),
    );
    let p = f.params();
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operands {} and {} have different types (f32 and f64)", p[0], p[1]),
    );
}

#[test]
fn icmp_on_bools_only_eq_and_ne() {
    let (f, i) = one_inst(
        &[("a", Type::BOOL)],
        None,
        |p| InstData::IntCompare { cond: IntCC::Slt, args: [p[0], p[0]] },
        Some(Type::BOOL),
    );
    assert_one(&Module::new(), &f, Location::Inst(i), "`icmp slt` on bool operands; bools compare only with eq and ne");
}

#[test]
fn comparison_result_has_bool_lanes() {
    let (f, i) = one_inst(
        &[("v", Type::F32X4)],
        None,
        |p| InstData::FloatCompare { cond: FloatCC::Lt, args: [p[0], p[0]] },
        Some(Type::BOOL),
    );
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type bool, expected boolx4 (the operand type with bool lanes)"),
    );
}

#[test]
fn fcmp_on_integers() {
    let (f, i) = one_inst(
        &[("a", Type::I32)],
        None,
        |p| InstData::FloatCompare { cond: FloatCC::Eq, args: [p[0], p[0]] },
        Some(Type::BOOL),
    );
    assert_eq!(errors(&Module::new(), &f).len(), 2, "one per operand");
    assert_has(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {} has type i32, expected a float scalar or vector", f.params()[0]),
    );
}

#[test]
fn select_condition_shape() {
    let (f, i) = one_inst(
        &[("c", Type::BOOL), ("v", Type::F32X4)],
        None,
        |p| InstData::Ternary { op: Opcode::Select, args: [p[0], p[1], p[1]], flags: FloatFlags::NONE },
        Some(Type::F32X4),
    );
    let c = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("condition {c} has type bool, expected boolx4 (the operand type with bool lanes)"),
    );
}

#[test]
fn extension_must_widen() {
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| unary(Opcode::Sext, p[0]), Some(Type::I16));
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        "result type i16 is not strictly wider than the operand type i32",
    );
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| unary(Opcode::Trunc, p[0]), Some(Type::I32));
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        "result type i32 is not strictly narrower than the operand type i32",
    );
}

#[test]
fn conversion_lane_counts_must_match() {
    let f32x8 = Type::vector(crate::types::LaneType::F32, 8).unwrap();
    let (f, i) = one_inst(&[("v", Type::I32X4)], None, |p| unary(Opcode::Sitofp, p[0]), Some(f32x8));
    assert_one(&Module::new(), &f, Location::Inst(i), "result type f32x8 has 8 lanes but the operand type i32x4 has 4");
}

#[test]
fn float_conversions_go_the_right_way() {
    let (f, i) = one_inst(&[("a", Type::F64)], None, |p| unary(Opcode::Fpromote, p[0]), Some(Type::F64));
    let a = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {a} has type f64, expected f32 or an f32 vector"),
    );
    let (f, i) = one_inst(&[("a", Type::F32)], None, |p| unary(Opcode::Fptosi, p[0]), Some(Type::F32));
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type f32, expected an integer scalar or vector"),
    );
}

#[test]
fn bitcast_rules() {
    let (f, i) = one_inst(&[("c", Type::BOOL)], None, |p| unary(Opcode::Bitcast, p[0]), Some(Type::I8));
    let c = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {c} has type bool, expected a non-bool, non-ptr scalar or vector"),
    );
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| unary(Opcode::Bitcast, p[0]), Some(Type::F64));
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        "result type f64 is not of the same lane width as the operand type i32",
    );
    let (f, i) =
        one_inst(&[("a", Type::I64)], None, |p| unary(Opcode::Bitcast, p[0]), Some(Type::I32X4.with_lanes(2).unwrap()));
    assert_one(&Module::new(), &f, Location::Inst(i), "result type i32x2 has 2 lanes but the operand type i64 has 1");
}

#[test]
fn pointer_conversions() {
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| unary(Opcode::IntToPtr, p[0]), Some(Type::PTR));
    let a = f.params()[0];
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("operand {a} has type i32, expected i64"));
    let (f, i) = one_inst(&[("p", Type::PTR)], None, |p| unary(Opcode::PtrToInt, p[0]), Some(Type::I32));
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type i32, expected i64 (`ptr_to_int` gives an i64)"),
    );
}

#[test]
fn ptr_add_takes_a_pointer_and_an_i64() {
    let (f, i) = one_inst(&[("a", Type::I64)], None, |p| binary(Opcode::PtrAdd, p[0], p[0]), Some(Type::PTR));
    let a = f.params()[0];
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("operand {a} has type i64, expected ptr"));
}

#[test]
fn splat_builds_a_vector_of_the_scalar() {
    let (f, i) = one_inst(&[("a", Type::F32)], None, |p| unary(Opcode::Splat, p[0]), Some(Type::I32X4));
    let r = result(&f, i);
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("result {r} has type i32x4, expected a vector of f32"));
}

#[test]
fn loads_and_stores_have_no_bools() {
    let (f, i) = one_inst(
        &[("p", Type::PTR), ("o", Type::I64)],
        None,
        |p| InstData::Load { args: [p[0], p[1]] },
        Some(Type::BOOL),
    );
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type bool, expected a type with a memory representation (not bool)"),
    );
    let (f, i) =
        one_inst(&[("p", Type::PTR), ("o", Type::I32)], None, |p| InstData::Store { args: [p[0], p[1], p[1]] }, None);
    let o = f.params()[1];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {o} has type i32, expected i64 (a byte offset)"),
    );
}

#[test]
fn bounds_check_takes_i64s() {
    let (f, i) =
        one_inst(&[("i", Type::I32), ("n", Type::I64)], None, |p| InstData::BoundsCheck { args: [p[0], p[1]] }, None);
    let idx = f.params()[0];
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("operand {idx} has type i32, expected i64 (the index)"));
}

#[test]
fn stack_slot_must_exist() {
    let (f, i) = one_inst(&[], None, |_| InstData::StackAddr { slot: StackSlot::from_u32(3) }, Some(Type::PTR));
    assert_one(&Module::new(), &f, Location::Inst(i), "stack slot ss3 does not exist");
}

#[test]
fn data_object_must_exist() {
    let (f, i) = one_inst(&[], None, |_| InstData::DataAddr { data: DataId::from_u32(5) }, Some(Type::PTR));
    assert_one(&module(), &f, Location::Inst(i), "data object data5 does not exist in the module");
}

#[test]
fn lane_index_in_range() {
    let (f, i) =
        one_inst(&[("v", Type::F32X4)], None, |p| InstData::ExtractLane { arg: p[0], lane: 4 }, Some(Type::F32));
    assert_one(&Module::new(), &f, Location::Inst(i), "lane 4 is out of range for f32x4");
}

#[test]
fn insertlane_takes_a_scalar_of_the_lane_type() {
    let (f, i) = one_inst(
        &[("v", Type::F32X4), ("x", Type::F64)],
        None,
        |p| InstData::InsertLane { args: [p[0], p[1]], lane: 1 },
        Some(Type::F32X4),
    );
    let x = f.params()[1];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {x} has type f64, expected f32 (the lane type)"),
    );
}

#[test]
fn reductions_take_vectors() {
    let (f, i) = one_inst(&[("a", Type::F32)], None, |p| unary(Opcode::ReduceMax, p[0]), Some(Type::F32));
    let a = f.params()[0];
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("operand {a} has type f32, expected an integer or float vector"),
    );
}

#[test]
fn constants() {
    let (f, i) = one_inst(&[], None, |_| InstData::IntConst { imm: 0 }, Some(Type::PTR));
    let r = result(&f, i);
    assert_one(
        &Module::new(),
        &f,
        Location::Inst(i),
        &format!("result {r} has type ptr, expected an integer scalar (i8, i16, i32, i64)"),
    );
    let (f, i) = one_inst(&[], None, |_| InstData::FloatConst { bits: 1 << 32 }, Some(Type::F32));
    assert_one(&Module::new(), &f, Location::Inst(i), "f32 constant has bits 0x100000000, which do not fit in 32 bits");
    let (f, i) = one_inst(&[], None, |_| InstData::BoolConst { imm: true }, Some(Type::I8));
    let r = result(&f, i);
    assert_one(&Module::new(), &f, Location::Inst(i), &format!("result {r} has type i8, expected bool"));
}

#[test]
fn call_arguments_match_the_callee() {
    let m = module();
    let (f, i) = one_inst(&[("a", Type::I64)], None, |p| InstData::Call { func: SINK, args: vec![p[0]] }, None);
    let a = f.params()[0];
    assert_one(&m, &f, Location::Inst(i), &format!("argument 0 ({a}) has type i64, but `sink` expects i32"));
    let (f, i) = one_inst(&[("a", Type::I32)], None, |p| InstData::Call { func: SINK, args: vec![p[0], p[0]] }, None);
    assert_one(&m, &f, Location::Inst(i), "passes 2 arguments, but `sink` takes 1 (i32)");
    let (f, i) =
        one_inst(&[("a", Type::I32)], None, |p| InstData::Call { func: TWICE, args: vec![p[0]] }, Some(Type::F32));
    let r = result(&f, i);
    assert_one(&m, &f, Location::Inst(i), &format!("result {r} has type f32, but `twice` returns i32"));
}

#[test]
fn call_to_a_missing_function() {
    let (f, i) = one_inst(&[], None, |_| InstData::Call { func: FuncId::from_u32(9), args: vec![] }, None);
    assert_one(&module(), &f, Location::Inst(i), "calls fn9, which is not a function of the module");
}

#[test]
fn host_calls_match_the_declaration() {
    let m = module();
    let expf = m.extern_by_name("expf").unwrap();
    let (f, i) =
        one_inst(&[("x", Type::F64)], None, |p| InstData::CallHost { func: expf, args: vec![p[0]] }, Some(Type::F32));
    let x = f.params()[0];
    assert_one(&m, &f, Location::Inst(i), &format!("argument 0 ({x}) has type f64, but extern `expf` expects f32"));
    let (f, i) = one_inst(&[], None, |_| InstData::CallHost { func: ExternId::from_u32(4), args: vec![] }, None);
    assert_one(&m, &f, Location::Inst(i), "calls extern4, which is not declared in the module");
}

// ---- function headers and modules --------------------------------------------------------

#[test]
fn function_header_rules() {
    let params = vec![
        Param::scalar("v", Type::F32X4),
        Param::slice("x", Type::BOOL, false),
        Param::scalar("x", Type::I32),
        Param::scalar("2bad", Type::I32),
    ];
    let mut f = Function::new("my fn", Linkage::Export, Signature::new(params, Some(Type::F32X4)));
    f.create_stack_slot(8, 3);
    f.create_stack_slot(2 << 20, 8);
    let mut b = FunctionBuilder::new(&mut f);
    b.create_entry_block();
    b.trap(TrapCode::Unreachable);
    let msgs: Vec<String> = errors(&Module::new(), &f)
        .into_iter()
        .inspect(|e| assert_eq!((e.location, e.function.as_str()), (Location::Function, "my fn")))
        .map(|e| e.message)
        .collect();
    assert_eq!(
        msgs,
        vec![
            "function name `my fn` is not an identifier ([A-Za-z_][A-Za-z0-9_.]*)",
            "exported function has vector parameter `v: f32x4`; exported functions take scalars and slices",
            "slice parameter `x` has element type bool, expected a numeric scalar (i8, i16, i32, i64, f32, f64)",
            "parameters 1 and 2 are both named `x`",
            "parameter 3 has name `2bad`, which is not an identifier",
            "exported function returns vector type f32x4; exported functions return scalars",
            "stack slot ss0 has alignment 3, expected a power of two up to 4096",
            "stack slot ss1 has size 2097152, more than the limit of 1048576 bytes",
        ]
    );
}

#[test]
fn local_functions_may_pass_vectors() {
    let f = build("v", sig(&[("v", Type::F32X4)], Some(Type::F32X4)), |b, p| b.ret(Some(p[0])));
    assert_clean(&Module::new(), &f);
}

#[test]
fn module_level_rules() {
    let mut m = module();
    m.add_function(build("twice", Signature::default(), |b, _| b.ret(None)));
    let d_dup = m.add_data(DataObject::from_f32s("sink", &[1.0]));
    let d_bool = m.add_data(DataObject { name: "flags".into(), elem: Type::BOOL, bytes: vec![1] });
    let d_len = m.add_data(DataObject { name: "odd".into(), elem: Type::I32, bytes: vec![1, 2, 3] });
    let e_vec = m.add_extern(ExternFunc { name: "vec.op".into(), params: vec![Type::F32X4], ret: Some(Type::I32X4) });
    let e_name = m.add_extern(ExternFunc { name: "".into(), params: vec![], ret: None });
    let errs = verify_module(&m).unwrap_err().0;
    let got: Vec<(String, Location, String)> = errs.into_iter().map(|e| (e.function, e.location, e.message)).collect();
    let want = vec![
        (String::new(), Location::Data(d_dup), "name `sink` is already used by function fn1".to_string()),
        (
            String::new(),
            Location::Data(d_bool),
            "element type bool is not a numeric scalar (i8, i16, i32, i64, f32, f64)".into(),
        ),
        (String::new(), Location::Data(d_len), "byte length 3 is not a multiple of the element size 4".into()),
        (
            String::new(),
            Location::Extern(e_vec),
            "parameter 0 has vector type f32x4; extern parameters are scalars".into(),
        ),
        (String::new(), Location::Extern(e_vec), "result type i32x4 is a vector; extern results are scalars".into()),
        (String::new(), Location::Extern(e_name), "name `` is not an identifier".into()),
        ("twice".to_string(), Location::Function, "name `twice` is already used by function fn0".into()),
    ];
    assert_eq!(got, want);
}

#[test]
fn display_format() {
    let mut m = module();
    m.add_data(DataObject { name: "odd".into(), elem: Type::I32, bytes: vec![1] });
    let mut f = add_fn();
    let add = find(&f, Opcode::Iadd);
    f.dfg.insts[add].args_mut()[1] = Value::from_u32(77);
    let entry = block(&f, 0);
    f.dfg.append_block_param(entry, Type::I8);
    m.add_function(f);
    let text = verify_module(&m).unwrap_err().to_string();
    assert_eq!(
        text,
        "data object `odd` (data1): byte length 1 is not a multiple of the element size 4\n\
         function `add`, block0: entry block has 3 parameters but the signature has 2 ABI parameters (i32, i32)\n\
         function `add`, `v3 = iadd.i32 v0, v?77` in block0: uses v77, which is not a value of this function"
    );
    let e = VerifierError {
        function: "f".into(),
        location: Location::Function,
        message: "m".into(),
        location_text: String::new(),
    };
    assert_eq!(e.to_string(), "function `f`: m");
}

#[test]
fn errors_are_capped() {
    let mut f = add_fn();
    let ret = find(&f, Opcode::Return);
    for _ in 0..80 {
        insert(&mut f, ret, InstData::IntConst { imm: 0 }, Some(Type::F32));
    }
    let errs = errors(&Module::new(), &f);
    assert_eq!(errs.len(), MAX_ERRORS + 1);
    assert_eq!(errs[MAX_ERRORS].location, Location::Function);
    assert_eq!(errs[MAX_ERRORS].message, "too many errors; stopped after 50");
}

#[test]
fn several_errors_in_one_function() {
    // Independent problems in different places are all reported, in layout order.
    let mut f = sum_loop();
    let brif = find(&f, Opcode::Brif);
    let ret = find(&f, Opcode::Return);
    let n = f.params()[0];
    if let InstData::Brif { cond, .. } = &mut f.dfg.insts[brif] {
        *cond = n;
    }
    f.dfg.replace_inst(ret, InstData::Return { arg: None });
    let errs = errors(&Module::new(), &f);
    let locs: Vec<Location> = errs.iter().map(|e| e.location).collect();
    assert_eq!(locs, vec![Location::Inst(brif), Location::Inst(ret)]);
}

// ---- scale and robustness ----------------------------------------------------------------

#[test]
fn hundred_thousand_blocks() {
    // A chain of 100k blocks, each passing a counter to the next; the last one returns a
    // value defined in the entry block (a dominance query spanning the whole chain).
    let n = 100_000;
    let mut f = Function::new("chain", Linkage::Local, sig(&[("a", Type::I64)], Some(Type::I64)));
    let blocks: Vec<Block> = (0..n).map(|_| f.dfg.make_block()).collect();
    let a = f.dfg.append_block_param(blocks[0], Type::I64);
    let mut params = vec![a];
    for &b in &blocks[1..] {
        params.push(f.dfg.append_block_param(b, Type::I64));
    }
    for (k, &b) in blocks.iter().enumerate() {
        f.layout.append_block(b);
        let data = match blocks.get(k + 1) {
            Some(&next) => InstData::Jump { dest: BlockCall::new(next, vec![params[k]]) },
            None => InstData::Return { arg: Some(a) },
        };
        let i = f.dfg.make_inst(data, None);
        f.layout.append_inst(i, b);
    }
    assert_clean(&Module::new(), &f);
}

mod corruption {
    //! Random corruptions of well-formed functions: the verifier must never panic.
    use super::*;
    use proptest::prelude::*;

    /// One way to break a function, with raw numbers resolved modulo what exists (or
    /// deliberately past it).
    #[derive(Clone, Debug)]
    enum Mutation {
        /// Replace a used value with raw value number `value` (may be out of range).
        SetArg {
            inst: usize,
            arg: usize,
            value: u32,
        },
        RemoveInst {
            inst: usize,
        },
        /// Change the opcode of a unary/binary/ternary instruction to any opcode.
        SetOpcode {
            inst: usize,
            op: usize,
        },
        /// Point a branch target at raw block number `block`.
        Retarget {
            inst: usize,
            block: u32,
        },
        PushBranchArg {
            inst: usize,
            value: u32,
        },
        AddBlockParam {
            block: usize,
            ty: usize,
        },
        RemoveBlockParam {
            block: usize,
            idx: usize,
        },
        SetResult {
            inst: usize,
            ty: usize,
        },
        ClearResult {
            inst: usize,
        },
        SetValueType {
            value: u32,
            ty: usize,
        },
        SetValueDef {
            value: u32,
            def: u32,
            block: bool,
            idx: u32,
        },
        MoveInst {
            inst: usize,
            before: usize,
        },
        RemoveBlock {
            block: usize,
        },
        SetEntity {
            inst: usize,
            id: u32,
        },
        SetLane {
            inst: usize,
            lane: u8,
        },
        ReplaceWithReturn {
            inst: usize,
            value: Option<u32>,
        },
        AppendGhostInst {
            block: usize,
            id: u32,
        },
        SetSigRet {
            ty: Option<usize>,
        },
    }

    const TYPES: [Type; 10] = [
        Type::BOOL,
        Type::I8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::F32,
        Type::F64,
        Type::PTR,
        Type::F32X4,
        Type::I32X4,
    ];

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (0..200usize, 0..4usize, 0..300u32).prop_map(|(inst, arg, value)| Mutation::SetArg { inst, arg, value }),
            (0..200usize).prop_map(|inst| Mutation::RemoveInst { inst }),
            (0..200usize, 0..200usize).prop_map(|(inst, op)| Mutation::SetOpcode { inst, op }),
            (0..200usize, 0..12u32).prop_map(|(inst, block)| Mutation::Retarget { inst, block }),
            (0..200usize, 0..300u32).prop_map(|(inst, value)| Mutation::PushBranchArg { inst, value }),
            (0..10usize, 0..10usize).prop_map(|(block, ty)| Mutation::AddBlockParam { block, ty }),
            (0..10usize, 0..4usize).prop_map(|(block, idx)| Mutation::RemoveBlockParam { block, idx }),
            (0..200usize, 0..10usize).prop_map(|(inst, ty)| Mutation::SetResult { inst, ty }),
            (0..200usize).prop_map(|inst| Mutation::ClearResult { inst }),
            (0..300u32, 0..10usize).prop_map(|(value, ty)| Mutation::SetValueType { value, ty }),
            (0..300u32, 0..250u32, any::<bool>(), 0..4u32).prop_map(|(value, def, block, idx)| Mutation::SetValueDef {
                value,
                def,
                block,
                idx
            }),
            (0..200usize, 0..200usize).prop_map(|(inst, before)| Mutation::MoveInst { inst, before }),
            (0..10usize).prop_map(|block| Mutation::RemoveBlock { block }),
            (0..200usize, 0..6u32).prop_map(|(inst, id)| Mutation::SetEntity { inst, id }),
            (0..200usize, any::<u8>()).prop_map(|(inst, lane)| Mutation::SetLane { inst, lane }),
            (0..200usize, proptest::option::of(0..300u32))
                .prop_map(|(inst, value)| Mutation::ReplaceWithReturn { inst, value }),
            (0..10usize, 0..50u32).prop_map(|(block, id)| Mutation::AppendGhostInst { block, id }),
            proptest::option::of(0..10usize).prop_map(|ty| Mutation::SetSigRet { ty }),
        ]
    }

    /// Instructions in the layout that the DFG knows (ghosts from `AppendGhostInst` are not
    /// mutated further).
    fn layout_insts(f: &Function) -> Vec<Inst> {
        f.layout.blocks().flat_map(|b| f.layout.block_insts(b)).filter(|&i| f.dfg.insts.is_valid(i)).collect()
    }

    fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
        (!v.is_empty()).then(|| v[i % v.len()])
    }

    /// Applies `mu` through the public API, never in a way the API itself rejects (its
    /// debug assertions are not what is under test).
    fn apply(f: &mut Function, mu: &Mutation, ghost: &mut u32) {
        let insts = layout_insts(f);
        let blocks: Vec<Block> = f.layout.blocks().collect();
        let all_blocks: Vec<Block> = f.dfg.blocks.keys().collect();
        match *mu {
            Mutation::SetArg { inst, arg, value } => {
                if let Some(i) = pick(&insts, inst) {
                    let mut k = 0;
                    let n = f.dfg.insts[i].args().len() + {
                        let mut c = 0;
                        f.dfg.insts[i].for_each_target(|t| c += t.args.len());
                        c
                    };
                    if n > 0 {
                        let target = arg % n;
                        f.dfg.insts[i].map_values(|v| {
                            let out = if k == target { Value::from_u32(value) } else { v };
                            k += 1;
                            out
                        });
                    }
                }
            }
            Mutation::RemoveInst { inst } => {
                if let Some(i) = pick(&insts, inst) {
                    f.layout.remove_inst(i);
                }
            }
            Mutation::SetOpcode { inst, op } => {
                if let (Some(i), Some(&new)) = (pick(&insts, inst), Opcode::ALL.get(op % Opcode::ALL.len())) {
                    match &mut f.dfg.insts[i] {
                        InstData::Unary { op, .. } | InstData::Binary { op, .. } | InstData::Ternary { op, .. } => {
                            *op = new
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Retarget { inst, block } => {
                if let Some(i) = pick(&insts, inst) {
                    f.dfg.insts[i].for_each_target_mut(|t| t.block = Block::from_u32(block));
                }
            }
            Mutation::PushBranchArg { inst, value } => {
                if let Some(i) = pick(&insts, inst) {
                    f.dfg.insts[i].for_each_target_mut(|t| t.args.push(Value::from_u32(value)));
                }
            }
            Mutation::AddBlockParam { block, ty } => {
                if let Some(b) = pick(&all_blocks, block) {
                    f.dfg.append_block_param(b, TYPES[ty % TYPES.len()]);
                }
            }
            Mutation::RemoveBlockParam { block, idx } => {
                if let Some(b) = pick(&all_blocks, block) {
                    if idx < f.dfg.block_params(b).len() {
                        f.dfg.remove_block_param(b, idx);
                    }
                }
            }
            Mutation::SetResult { inst, ty } => {
                if let Some(i) = pick(&insts, inst) {
                    f.dfg.set_result(i, TYPES[ty % TYPES.len()]);
                }
            }
            Mutation::ClearResult { inst } => {
                if let Some(i) = pick(&insts, inst) {
                    f.dfg.clear_result(i);
                }
            }
            Mutation::SetValueType { value, ty } => {
                if let Some(d) = f.dfg.values.get_mut(Value::from_u32(value)) {
                    d.ty = TYPES[ty % TYPES.len()];
                }
            }
            Mutation::SetValueDef { value, def, block, idx } => {
                if let Some(d) = f.dfg.values.get_mut(Value::from_u32(value)) {
                    d.def = match (block, def % 7) {
                        (_, 6) => ValueDef::Detached,
                        (true, _) => ValueDef::Param(Block::from_u32(def % 12), idx),
                        (false, _) => ValueDef::Result(Inst::from_u32(def)),
                    };
                }
            }
            Mutation::MoveInst { inst, before } => {
                if let (Some(i), Some(j)) = (pick(&insts, inst), pick(&insts, before)) {
                    if i != j {
                        f.layout.remove_inst(i);
                        f.layout.insert_inst_before(i, j);
                    }
                }
            }
            Mutation::RemoveBlock { block } => {
                if let Some(b) = pick(&blocks, block) {
                    f.layout.remove_block(b);
                }
            }
            Mutation::SetEntity { inst, id } => {
                if let Some(i) = pick(&insts, inst) {
                    match &mut f.dfg.insts[i] {
                        InstData::Call { func, .. } => *func = FuncId::from_u32(id),
                        InstData::CallHost { func, .. } => *func = ExternId::from_u32(id),
                        InstData::DataAddr { data } => *data = DataId::from_u32(id),
                        InstData::StackAddr { slot } => *slot = StackSlot::from_u32(id),
                        _ => {}
                    }
                }
            }
            Mutation::SetLane { inst, lane: new } => {
                if let Some(i) = pick(&insts, inst) {
                    if let InstData::ExtractLane { lane, .. } | InstData::InsertLane { lane, .. } = &mut f.dfg.insts[i]
                    {
                        *lane = new;
                    }
                }
            }
            Mutation::ReplaceWithReturn { inst, value } => {
                if let Some(i) = pick(&insts, inst) {
                    f.dfg.replace_inst(i, InstData::Return { arg: value.map(Value::from_u32) });
                }
            }
            Mutation::AppendGhostInst { block, id } => {
                if let Some(b) = pick(&blocks, block) {
                    // Fresh, never-reused numbers past the DFG, so the layout accepts them.
                    *ghost += 1;
                    let i = Inst::from_u32(10_000 + *ghost * 64 + id);
                    f.layout.append_inst(i, b);
                }
            }
            Mutation::SetSigRet { ty } => f.sig.ret = ty.map(|t| TYPES[t % TYPES.len()]),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn verifier_never_panics(which in 0..3usize, muts in proptest::collection::vec(mutation(), 1..6)) {
            let m = module();
            let mut f = match which {
                0 => kitchen_sink(&m),
                1 => sum_loop(),
                _ => add_fn(),
            };
            let mut ghost = 0;
            for mu in &muts {
                apply(&mut f, mu, &mut ghost);
            }
            let r = verify_function(&m, &f);
            if let Err(e) = &r {
                prop_assert!(!e.0.is_empty() && e.0.len() <= MAX_ERRORS + 1);
                let _ = e.to_string();
            }
            let mut m2 = m.clone();
            m2.add_function(f);
            let _ = verify_module(&m2);
        }
    }
}
