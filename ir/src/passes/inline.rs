//! Inlining: replaces a `call` by a copy of the callee's body.
//!
//! A callee is inlined when it has a body, no stack slots, is not part of a recursive
//! cycle (it cannot reach itself through calls), and is either small (at most
//! [`SMALL_CALLEE`] instructions) or a `Local` function with exactly one call site in the
//! module. The call's block is split: the instructions after the call move to a new
//! continuation block whose parameter is the call's result; the callee's blocks are copied
//! between the two, with `return v` becoming `br cont(v)`. Callers stop growing once they
//! reach [`MAX_CALLER`] instructions. Functions left without callers stay in the module.
//!
//! Layout: the copied blocks keep their order and sit right after the call's block, with
//! the continuation after them, so every branch that was a loop back-edge (a jump to the
//! same or an earlier layout position) still is one, and no other branch becomes one.
//!
//! What it must not do — and what it does change:
//! - It never inlines a recursive function (that would not terminate, and would change
//!   where `stack_overflow` traps for recursion), nor a callee with stack slots (their
//!   contents are zeroed on every call, which an inlined copy inside a loop would not be).
//! - Fuel: an IR `call` costs one unit of fuel on every tier and the IR has no instruction
//!   that charges fuel by itself, so an inlined call costs one unit less. Loop back-edges
//!   are unchanged (see Layout). Programs that do not run out of fuel compute the same
//!   results; with a fuel budget, exhaustion may come later. This is why `inline` is not in
//!   the `-O` presets: it must be asked for (`--passes -O2,inline`) by users who run
//!   without fuel or accept that difference.
//! - A trap in an inlined callee is reported (`Trap::function`) in the function it was
//!   inlined into.
//! - Call depth: inlining only removes frames, so a program that did not trap
//!   `stack_overflow` still does not; one that hit the limit only through non-recursive
//!   calls may now finish.

use crate::entities::{Block, FuncId, Inst, SecondaryMap, Value};
use crate::function::{Function, Linkage};
use crate::instructions::{BlockCall, InstData};
use crate::module::Module;

/// Callees with at most this many instructions are inlined at every call site.
pub const SMALL_CALLEE: usize = 32;
/// No more calls are inlined into a function once it has this many instructions.
pub const MAX_CALLER: usize = 4000;

/// Inlines calls in every function of `module`.
pub fn run(module: &mut Module) {
    let recursive = recursive_functions(module);
    let ids: Vec<FuncId> = module.functions.keys().collect();
    for caller in ids {
        // Each inlining can expose further calls (from the copied body); every inlinable
        // callee is non-recursive, so this terminates, and MAX_CALLER bounds the growth.
        while module.functions[caller].inst_count() < MAX_CALLER {
            let Some((inst, callee)) = next_candidate(module, caller, &recursive) else { break };
            let body = module.functions[callee].clone();
            inline_call(&mut module.functions[caller], inst, &body);
        }
    }
}

/// `recursive[f]`: whether `f` can reach itself through calls.
fn recursive_functions(module: &Module) -> SecondaryMap<FuncId, bool> {
    let mut callees: SecondaryMap<FuncId, Vec<FuncId>> = SecondaryMap::new();
    for (id, f) in module.functions.iter() {
        let mut out = Vec::new();
        for_each_call(f, |_, callee| {
            if !out.contains(&callee) {
                out.push(callee);
            }
        });
        callees[id] = out;
    }
    let mut recursive = SecondaryMap::new();
    for id in module.functions.keys() {
        let mut seen: Vec<FuncId> = Vec::new();
        let mut stack: Vec<FuncId> = callees[id].clone();
        while let Some(g) = stack.pop() {
            if g == id {
                recursive[id] = true;
                break;
            }
            if !seen.contains(&g) {
                seen.push(g);
                stack.extend(callees[g].iter().copied());
            }
        }
    }
    recursive
}

/// Calls `f(inst, callee)` for every `call` placed in `func`'s layout.
fn for_each_call(func: &Function, mut f: impl FnMut(Inst, FuncId)) {
    for b in func.layout.blocks() {
        for i in func.layout.block_insts(b) {
            if let InstData::Call { func: callee, .. } = &func.dfg.insts[i] {
                f(i, *callee);
            }
        }
    }
}

/// The first call in `caller` (in layout order) to a callee worth inlining.
fn next_candidate(module: &Module, caller: FuncId, recursive: &SecondaryMap<FuncId, bool>) -> Option<(Inst, FuncId)> {
    let mut found = None;
    for_each_call(&module.functions[caller], |inst, callee| {
        if found.is_none() && callee != caller && inlinable(module, callee, recursive) {
            found = Some((inst, callee));
        }
    });
    found
}

fn inlinable(module: &Module, callee: FuncId, recursive: &SecondaryMap<FuncId, bool>) -> bool {
    let Some(f) = module.functions.get(callee) else { return false };
    if f.entry_block().is_none() || !f.stack_slots.is_empty() || recursive[callee] {
        return false;
    }
    if f.inst_count() <= SMALL_CALLEE {
        return true;
    }
    if f.linkage != Linkage::Local {
        return false;
    }
    let mut sites = 0;
    for g in module.functions.values() {
        for_each_call(g, |_, c| sites += usize::from(c == callee));
    }
    sites == 1
}

/// Replaces `call` (a call of `callee` placed in `f`) by a copy of `callee`'s body.
fn inline_call(f: &mut Function, call: Inst, callee: &Function) {
    let (Some(call_block), Some(callee_entry)) = (f.layout.inst_block(call), callee.entry_block()) else { return };
    let InstData::Call { args, .. } = f.dfg.insts[call].clone() else { return };

    // Continuation: the instructions after the call, with the call's result as parameter.
    let cont = f.dfg.make_block();
    f.layout.insert_block_after(cont, call_block);
    let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
    if let Some(r) = f.dfg.inst_result(call) {
        let p = f.dfg.append_block_param(cont, f.dfg.value_type(r));
        subst[r] = Some(p);
    }
    while let Some(next) = f.layout.next_inst(call) {
        f.layout.remove_inst(next);
        f.layout.append_inst(next, cont);
    }

    // Blocks first (in the callee's layout order, between the call's block and `cont`),
    // so branches can be retargeted; the entry's parameters become the call's arguments.
    let mut blocks: SecondaryMap<Block, Option<Block>> = SecondaryMap::new();
    let mut values: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
    let mut after = call_block;
    for b in callee.layout.blocks() {
        let nb = f.dfg.make_block();
        f.layout.insert_block_after(nb, after);
        after = nb;
        blocks[b] = Some(nb);
        if b == callee_entry {
            for (&p, &a) in callee.dfg.block_params(b).iter().zip(&args) {
                values[p] = Some(a);
            }
        } else {
            for &p in callee.dfg.block_params(b) {
                values[p] = Some(f.dfg.append_block_param(nb, callee.dfg.value_type(p)));
            }
        }
    }
    // Instructions next, with their results (a value may be used in a block placed before
    // its definition), then their operands and targets.
    // (copy, whether it is a former `return`, whose target is already `cont`).
    let mut copied: Vec<(Inst, bool)> = Vec::new();
    for b in callee.layout.blocks() {
        let Some(nb) = blocks[b] else { continue };
        for i in callee.layout.block_insts(b) {
            let is_return = matches!(callee.dfg.insts[i], InstData::Return { .. });
            let (data, ty) = match &callee.dfg.insts[i] {
                InstData::Return { arg } => {
                    (InstData::Jump { dest: BlockCall::new(cont, arg.iter().copied().collect()) }, None)
                }
                d => (d.clone(), callee.dfg.inst_result(i).map(|r| callee.dfg.value_type(r))),
            };
            let ni = f.dfg.make_inst(data, ty);
            if let (Some(r), Some(nr)) = (callee.dfg.inst_result(i), f.dfg.inst_result(ni)) {
                values[r] = Some(nr);
            }
            f.layout.append_inst(ni, nb);
            copied.push((ni, is_return));
        }
    }
    for (ni, is_return) in copied {
        let data = &mut f.dfg.insts[ni];
        data.map_values(|v| values[v].unwrap_or(v));
        if !is_return {
            data.for_each_target_mut(|t| t.block = blocks[t.block].unwrap_or(t.block));
        }
    }

    // The call becomes a jump into the copied entry block.
    let entry = blocks[callee_entry].unwrap_or(cont);
    f.dfg.replace_inst(call, InstData::Jump { dest: BlockCall::new(entry, Vec::new()) });
    f.dfg.replace_uses(&subst);
    f.dfg.clear_result(call);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::{Arg, Interpreter, Val};
    use crate::text::{parse_module, print_module};
    use crate::verifier::verify_module;

    fn module(text: &str) -> Module {
        match parse_module(text) {
            Ok(m) => m,
            Err(e) => panic!("test module does not parse: {e}"),
        }
    }

    fn call_i64(m: &Module, name: &str, a: i64) -> Option<u64> {
        let interp = Interpreter::new(m).ok()?;
        interp.call(name, &mut [Arg::Val(Val::I64(a))]).ok().flatten().and_then(|v| v.to_bits())
    }

    const CALLS: &str = "fn @sq(x: i64) -> i64 {
block0(v0: i64):
    v1 = imul.i64 v0, v0
    return v1
}

export fn @f(a: i64) -> i64 {
block0(v0: i64):
    v1 = call.i64 @sq(v0)
    v2 = call.i64 @sq(v1)
    v3 = iadd.i64 v2, v0
    return v3
}

export fn @fact(n: i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 1
    v2 = icmp.bool sle v0, v1
    brif v2, block1, block2
block1:
    return v1
block2:
    v3 = isub.i64 v0, v1
    v4 = call.i64 @fact(v3)
    v5 = imul.i64 v0, v4
    return v5
}
";

    #[test]
    fn small_callees_are_inlined_and_results_agree() {
        let orig = module(CALLS);
        let mut m = orig.clone();
        run(&mut m);
        assert!(verify_module(&m).is_ok(), "{}", print_module(&m));
        let text = print_module(&m);
        let f_body = text.split("export fn @f").nth(1).unwrap_or_default();
        assert!(!f_body.split("export fn @fact").next().unwrap_or_default().contains("call"), "{text}");
        assert!(text.contains("call.i64 @fact"), "recursive calls stay: {text}");
        for a in [-3, 0, 2, 7, 1 << 20] {
            assert_eq!(call_i64(&m, "f", a), call_i64(&orig, "f", a));
            assert_eq!(call_i64(&m, "fact", a.min(20)), call_i64(&orig, "fact", a.min(20)));
        }
    }

    #[test]
    fn recursion_is_detected_through_cycles() {
        let text = "fn @a(x: i64) -> i64 {\nblock0(v0: i64):\n    v1 = call.i64 @b(v0)\n    return v1\n}\n\n\
                    fn @b(x: i64) -> i64 {\nblock0(v0: i64):\n    v1 = call.i64 @a(v0)\n    return v1\n}\n\n\
                    fn @c(x: i64) -> i64 {\nblock0(v0: i64):\n    v1 = call.i64 @a(v0)\n    return v1\n}\n";
        let m = module(text);
        let r = recursive_functions(&m);
        let id = |n: &str| m.func_by_name(n).unwrap_or_else(|| panic!("{n}"));
        assert!(r[id("a")] && r[id("b")] && !r[id("c")]);
    }
}
