//! Loop unrolling of counted loops (see [`crate::analysis::counted`]).
//!
//! - **Full**: when the induction variable starts at a constant and the bound is a constant,
//!   and the trip count and the copied code stay under [`FULL_MAX_TRIPS`] and
//!   [`FULL_MAX_INSTS`], the body is copied once per iteration (the induction variable a
//!   constant in each copy) into a block in front of the header, which jumps straight to the
//!   loop's exit (the original loop is removed) or, when code after the loop refers to the
//!   header's values directly, to the header, whose test then fails once.
//! - **Partial by [`FACTOR`]**: otherwise, when the body is small, a copy of the loop whose
//!   body is [`FACTOR`] copies of the original runs while all of the next [`FACTOR`]
//!   iterations pass the loop test (`i <s n - (FACTOR - 1)`, guarded against wrapping);
//!   the original loop, unchanged, runs the remaining iterations.
//!
//! Every copy keeps its bounds checks and other traps, in the original order, so a run
//! traps at the same point with the same memory contents; the only difference is how many
//! back-edges execute. That changes fuel consumption, so the pass manager skips this pass
//! when the code will count fuel (`PassOptions::keep_fuel`).
//!
//! What it must not do: unroll a loop the vectorizer would take (it would no longer have
//! the unit-step shape the vectorizer needs; the vector loop is the better unrolling), a
//! body that uses the header's test value, or anything that is not a counted loop.

use crate::analysis::counted::CountedLoop;
use crate::analysis::loop_walk::each_counted_loop;
use crate::analysis::ranges::const_i64;
use crate::builder::remove_unreachable_blocks;
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData, IntCC};
use crate::module::Module;
use crate::opcode::Opcode;
use crate::types::Type;
use std::collections::HashMap;

/// Partial unrolling factor.
pub const FACTOR: i64 = 4;
/// Full unrolling: at most this many iterations …
pub const FULL_MAX_TRIPS: i64 = 16;
/// … and at most this many copied instructions.
pub const FULL_MAX_INSTS: usize = 160;
/// Partial unrolling: at most this many instructions in the body.
pub const PARTIAL_MAX_INSTS: usize = 40;

/// Unrolls the counted loops of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Unrolls the counted loops of one function.
pub fn run_function(f: &mut Function) {
    each_counted_loop(
        f,
        |f, round, lp, cl| (!crate::passes::vectorize::is_vectorizable(f, round.loops, lp, &cl)).then_some(cl),
        unroll,
    );
}

/// Unrolls the counted loop `cl`, fully or partially, when its shape and size allow.
fn unroll(f: &mut Function, cl: CountedLoop) {
    let body: Vec<Inst> = f.layout.block_insts(cl.body).filter(|&i| i != cl.latch_jump).collect();
    let test = f.dfg.inst_result(cl.test);
    let uses_test = body.iter().any(|&i| {
        let mut u = false;
        f.dfg.insts[i].for_each_value(|v| u |= Some(v) == test);
        u
    });
    if uses_test {
        return;
    }
    let InstData::Jump { dest } = &f.dfg.insts[cl.entry_jump] else { return };
    let init = dest.args.clone();
    let start = init.get(cl.iv_index).and_then(|&v| const_i64(f, v));
    let trips = start.zip(const_i64(f, cl.bound)).map(|(s, n)| i128::from(n) - i128::from(s));
    match trips {
        Some(t) if t <= 0 => {}
        Some(t) if t <= i128::from(FULL_MAX_TRIPS) && (t as usize) * body.len() <= FULL_MAX_INSTS => {
            full(f, &cl, &body, &init, start.unwrap_or(0), t as i64);
        }
        _ if body.len() <= PARTIAL_MAX_INSTS => partial(f, &cl, &body, &init),
        _ => {}
    }
}

/// Appends a copy of `body` to `block`, with the header's parameters bound to `params`;
/// returns the values the latch would pass back.
fn copy_body(f: &mut Function, cl: &CountedLoop, body: &[Inst], params: &[Value], block: Block) -> Vec<Value> {
    let mut map: HashMap<Value, Value> = HashMap::new();
    for (&p, &v) in f.dfg.block_params(cl.header).iter().zip(params) {
        map.insert(p, v);
    }
    for &inst in body {
        let mut data = f.dfg.insts[inst].clone();
        data.map_values(|x| map.get(&x).copied().unwrap_or(x));
        let ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
        let new = f.dfg.make_inst(data, ty);
        f.layout.append_inst(new, block);
        if let (Some(old), Some(nv)) = (f.dfg.inst_result(inst), f.dfg.inst_result(new)) {
            map.insert(old, nv);
        }
    }
    let InstData::Jump { dest } = &f.dfg.insts[cl.latch_jump] else { return params.to_vec() };
    dest.args.iter().map(|a| map.get(a).copied().unwrap_or(*a)).collect()
}

fn append(f: &mut Function, block: Block, data: InstData, ty: Option<Type>) -> Option<Value> {
    let inst = f.dfg.make_inst(data, ty);
    f.layout.append_inst(inst, block);
    f.dfg.inst_result(inst)
}

/// Full unrolling: `trips` copies in a new block in front of the header.
fn full(f: &mut Function, cl: &CountedLoop, body: &[Inst], init: &[Value], start: i64, trips: i64) {
    let block = f.dfg.make_block();
    f.layout.insert_block_before(block, cl.header);
    let mut params = init.to_vec();
    for k in 0..trips {
        // The induction variable as a constant in each copy, so offsets fold.
        if let Some(iv) = append(f, block, InstData::IntConst { imm: start.wrapping_add(k) }, Some(Type::I64)) {
            if let Some(p) = params.get_mut(cl.iv_index) {
                *p = iv;
            }
        }
        params = copy_body(f, cl, body, &params, block);
    }
    f.dfg.insts[cl.entry_jump] = InstData::Jump { dest: BlockCall::new(block, vec![]) };
    match exit_after(f, cl, &params) {
        Some(exit) => {
            append(f, block, InstData::Jump { dest: exit }, None);
            // The original loop is now unreachable.
            if let Some(entry) = f.entry_block() {
                remove_unreachable_blocks(f, entry);
            }
        }
        None => {
            append(f, block, InstData::Jump { dest: BlockCall::new(cl.header, params) }, None);
        }
    }
}

/// Where a fully unrolled loop goes on: the loop's exit, when the header holds only the
/// test and its branch and nothing outside the loop uses the test. The header's parameters
/// are then replaced everywhere by their values after the last copy (`finals`): code after
/// the loop could only use them where the header dominated, which is now only reached
/// through the copies, where `finals` are defined. Otherwise `None` (nothing changed), and
/// the copies jump to the header, whose test then fails once (what later passes cannot see
/// through: its parameter also receives the back-edge's value).
fn exit_after(f: &mut Function, cl: &CountedLoop, finals: &[Value]) -> Option<BlockCall> {
    let header: Vec<Inst> = f.layout.block_insts(cl.header).collect();
    if header != [cl.test, cl.branch] {
        return None;
    }
    let InstData::Brif { then_dest, else_dest, .. } = &f.dfg.insts[cl.branch] else { return None };
    let exit_is_else = match (then_dest.block == cl.exit, else_dest.block == cl.exit) {
        (false, true) => true,
        (true, false) => false,
        _ => return None,
    };
    let test = f.dfg.inst_result(cl.test)?;
    for b in f.layout.blocks() {
        if b == cl.header || b == cl.body {
            continue;
        }
        for i in f.layout.block_insts(b) {
            let mut uses = false;
            f.dfg.insts[i].for_each_value(|v| uses |= v == test);
            if uses {
                return None;
            }
        }
    }
    let exit = if exit_is_else { else_dest } else { then_dest };
    if exit.args.contains(&test) {
        return None;
    }
    let params = f.dfg.block_params(cl.header).to_vec();
    if params.len() != finals.len() {
        return None;
    }
    let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
    for (&p, &v) in params.iter().zip(finals) {
        subst[p] = Some(v);
    }
    f.dfg.replace_uses(&subst);
    let InstData::Brif { then_dest, else_dest, .. } = &f.dfg.insts[cl.branch] else { return None };
    Some(if exit_is_else { else_dest.clone() } else { then_dest.clone() })
}

/// Partial unrolling by [`FACTOR`] in front of the original loop.
fn partial(f: &mut Function, cl: &CountedLoop, body: &[Inst], init: &[Value]) {
    // limit = bound - (FACTOR - 1), or i64::MIN (no unrolled iteration) if that wraps.
    let mk = |f: &mut Function, data: InstData, ty: Type| {
        let inst = f.dfg.make_inst(data, Some(ty));
        f.layout.insert_inst_before(inst, cl.entry_jump);
        f.dfg.inst_result(inst)
    };
    let (Some(min), Some(km1)) = (
        mk(f, InstData::IntConst { imm: i64::MIN }, Type::I64),
        mk(f, InstData::IntConst { imm: FACTOR - 1 }, Type::I64),
    ) else {
        return;
    };
    let bin = |op, a, b| InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE };
    let Some(t) = mk(f, bin(Opcode::Isub, cl.bound, km1), Type::I64) else { return };
    let Some(ok) = mk(f, InstData::IntCompare { cond: IntCC::Slt, args: [t, cl.bound] }, Type::BOOL) else { return };
    let select = InstData::Ternary { op: Opcode::Select, args: [ok, t, min], flags: FloatFlags::NONE };
    let Some(limit) = mk(f, select, Type::I64) else { return };
    let uhead = f.dfg.make_block();
    let ubody = f.dfg.make_block();
    f.layout.insert_block_before(uhead, cl.header);
    f.layout.insert_block_before(ubody, cl.header);
    let types: Vec<Type> = f.dfg.block_params(cl.header).iter().map(|&p| f.dfg.value_type(p)).collect();
    let uparams: Vec<Value> = types.into_iter().map(|t| f.dfg.append_block_param(uhead, t)).collect();
    let Some(&ui) = uparams.get(cl.iv_index) else { return };
    let Some(go) = append(f, uhead, InstData::IntCompare { cond: IntCC::Slt, args: [ui, limit] }, Some(Type::BOOL))
    else {
        return;
    };
    let branch = InstData::Brif {
        cond: go,
        then_dest: BlockCall::new(ubody, vec![]),
        else_dest: BlockCall::new(cl.header, uparams.clone()),
    };
    append(f, uhead, branch, None);
    let mut params = uparams;
    for _ in 0..FACTOR {
        params = copy_body(f, cl, body, &params, ubody);
    }
    append(f, ubody, InstData::Jump { dest: BlockCall::new(uhead, params) }, None);
    f.dfg.insts[cl.entry_jump] = InstData::Jump { dest: BlockCall::new(uhead, init.to_vec()) };
}
