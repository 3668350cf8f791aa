//! Delta reduction of a failing module: greedily simplifies instructions while the failure
//! persists and the IR still verifies.
//!
//! Moves, each kept only if the caller's predicate still holds: drop functions nothing calls
//! any more (other than the one under test), turn `brif` into `br` to either side (dropping
//! the blocks that become unreachable), delete stores and bounds checks, and replace an
//! instruction's result by a constant zero of its type (a `splat` of one for vectors). Each
//! round walks every candidate once; rounds repeat until nothing changes or the attempt
//! budget (candidates tried, or wall-clock time) runs out. This file must not know how a
//! failure is detected.

use std::time::{Duration, Instant};
use strata_ir::{builder::remove_unreachable_blocks, FloatFlags, FuncId, InstData, Module, Opcode, Type};

/// Reduces `module` while `fails` holds, trying at most `budget` candidates and starting no
/// candidate after `time` has passed. `keep` names the function under test (never removed).
/// Returns the smallest failing module found (the input itself if nothing smaller fails).
pub fn reduce(
    module: &Module,
    keep: &str,
    budget: usize,
    time: Duration,
    fails: &mut dyn FnMut(&Module) -> bool,
) -> Module {
    let mut best = module.clone();
    let deadline = Instant::now() + time;
    let mut tries = 0;
    let spent = |tries: usize| tries >= budget || Instant::now() >= deadline;
    loop {
        let mut progress = false;
        // Unused functions.
        if let Some(m) = drop_unused_functions(&best, keep) {
            if m.functions.len() < best.functions.len() && !spent(tries) {
                tries += 1;
                if fails(&m) {
                    best = m;
                    progress = true;
                }
            }
        }
        let funcs: Vec<FuncId> = best.functions.keys().collect();
        for f in funcs {
            let insts: Vec<_> = {
                let func = &best.functions[f];
                func.layout.blocks().flat_map(|b| func.layout.block_insts(b).collect::<Vec<_>>()).collect()
            };
            for inst in insts.into_iter().rev() {
                for choice in 0..2 {
                    if spent(tries) {
                        return best;
                    }
                    let mut m = best.clone();
                    if !simplify(&mut m, f, inst, choice) {
                        continue;
                    }
                    // Drop what the change left dead (a failing dce is just a worse candidate).
                    let mut cleaned = m.clone();
                    let opts = strata_ir::passes::PassOptions::default();
                    if strata_ir::passes::run_pipeline(&mut cleaned, "dce", &opts).is_ok() {
                        m = cleaned;
                    }
                    tries += 1;
                    if fails(&m) {
                        best = m;
                        progress = true;
                        break;
                    }
                }
            }
        }
        if !progress || spent(tries) {
            return best;
        }
    }
}

/// Applies simplification `choice` to `inst`; false if there is nothing to do.
fn simplify(m: &mut Module, f: FuncId, inst: strata_ir::Inst, choice: u32) -> bool {
    let func = &mut m.functions[f];
    if func.layout.inst_block(inst).is_none() {
        return false;
    }
    let data = func.dfg.insts[inst].clone();
    match data {
        InstData::Brif { then_dest, else_dest, .. } => {
            let dest = if choice == 0 { then_dest } else { else_dest };
            func.dfg.replace_inst(inst, InstData::Jump { dest });
            if let Some(entry) = func.layout.entry_block() {
                remove_unreachable_blocks(func, entry);
            }
            true
        }
        InstData::Store { .. } | InstData::BoundsCheck { .. } if choice == 0 => {
            func.layout.remove_inst(inst);
            true
        }
        InstData::IntConst { .. } | InstData::FloatConst { .. } | InstData::BoolConst { .. } => false,
        _ if choice == 0 => {
            let Some(r) = func.dfg.inst_result(inst) else { return false };
            let ty = func.dfg.value_type(r);
            let Some(scalar) = const_of(ty.lane_type()) else { return false };
            if ty.is_scalar() {
                func.dfg.replace_inst(inst, scalar);
            } else {
                let c = func.dfg.make_inst(scalar, Some(ty.lane_type()));
                func.layout.insert_inst_before(c, inst);
                let Some(cv) = func.dfg.inst_result(c) else { return false };
                func.dfg.replace_inst(inst, InstData::Unary { op: Opcode::Splat, arg: cv, flags: FloatFlags::NONE });
            }
            true
        }
        _ => false,
    }
}

fn const_of(ty: Type) -> Option<InstData> {
    if ty.is_bool() {
        Some(InstData::BoolConst { imm: false })
    } else if ty.is_float() {
        Some(InstData::FloatConst { bits: 0 })
    } else if ty.is_int() {
        Some(InstData::IntConst { imm: 0 })
    } else {
        None
    }
}

/// The module without the local functions no other kept function calls, by printing and
/// re-parsing (which renumbers the remaining functions consistently).
fn drop_unused_functions(m: &Module, keep: &str) -> Option<Module> {
    let mut used: Vec<FuncId> = m.func_by_name(keep).into_iter().collect();
    let mut stack = used.clone();
    while let Some(id) = stack.pop() {
        let f = &m.functions[id];
        for b in f.layout.blocks() {
            for i in f.layout.block_insts(b) {
                if let InstData::Call { func, .. } = &f.dfg.insts[i] {
                    if !used.contains(func) {
                        used.push(*func);
                        stack.push(*func);
                    }
                }
            }
        }
    }
    let full = strata_ir::print_module(m);
    let mut text = String::new();
    // Cut the unused functions' text out of the printed module.
    let mut skipping = false;
    for line in full.lines() {
        if let Some(name) = fn_name(line) {
            skipping = m.func_by_name(name).is_some_and(|id| !used.contains(&id));
        }
        if !skipping {
            text.push_str(line);
            text.push('\n');
        }
        if skipping && line.trim_end() == "}" {
            skipping = false;
        }
    }
    strata_ir::parse_module(&text).ok()
}

/// The name a function header line defines (`export fn @name(` or `fn @name(`).
fn fn_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("export fn @").or_else(|| line.strip_prefix("fn @"))?;
    rest.split('(').next()
}
