//! Splits a module into one module per exported function: what tier 2 compiles in
//! parallel (one part per thread), and what an adaptive kernel's tier-up compiles (its own
//! part only, so the module's cold kernels never reach LLVM).
//!
//! The part of an export holds that function (still exported), every function it reaches
//! through calls (local in the part, whatever they were: an exported callee is exported
//! by its own part), the data objects those functions address, and all extern
//! declarations (only declarations). Calls and data references are renumbered.
//!
//! Why whole call trees rather than one function per part with cross-part calls: each part
//! becomes an object of its own in a JIT, and calls inside one object stay direct calls
//! LLVM can inline; a callee shared by two exports is compiled twice (the example kernels'
//! callees are small and inlined anyway).
//!
//! What it must not do: change any function body beyond the renumbering, or drop a
//! function or data object a part's code can reach.

use crate::entities::{DataId, EntityRef, FuncId};
use crate::function::Linkage;
use crate::instructions::InstData;
use crate::module::Module;
use std::collections::HashMap;

/// The exported functions of `module` that have a body, in id order.
pub fn roots(module: &Module) -> Vec<FuncId> {
    module
        .functions
        .iter()
        .filter(|(_, f)| f.linkage == Linkage::Export && f.entry_block().is_some())
        .map(|(id, _)| id)
        .collect()
}

/// The part of `module` for the exported function `root` (see the module documentation).
pub fn part(module: &Module, root: FuncId) -> Module {
    // Functions reachable from `root`, in discovery order, and the data they address. Ids
    // out of range (an unverified module) are not followed.
    let mut order: Vec<FuncId> = Vec::new();
    let mut data: Vec<DataId> = Vec::new();
    let mut next = vec![root];
    while let Some(id) = next.pop() {
        if order.contains(&id) {
            continue;
        }
        let Some(f) = module.functions.get(id) else { continue };
        order.push(id);
        for b in f.layout.blocks() {
            for inst in f.layout.block_insts(b) {
                match f.dfg.insts[inst] {
                    InstData::Call { func, .. } => next.push(func),
                    InstData::DataAddr { data: d, .. } if !data.contains(&d) && module.data.get(d).is_some() => {
                        data.push(d)
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out = Module::new();
    out.externs = module.externs.clone();
    let data_map: HashMap<DataId, DataId> =
        data.iter().filter_map(|&d| Some((d, out.add_data(module.data.get(d)?.clone())))).collect();
    // Ids are assigned in push order, so the new id of `order[k]` is the k-th.
    let func_map: HashMap<FuncId, FuncId> = order.iter().enumerate().map(|(k, &old)| (old, FuncId::new(k))).collect();
    for &old in &order {
        let Some(f) = module.functions.get(old) else { continue };
        let mut f = f.clone();
        if old != root {
            f.linkage = Linkage::Local;
        }
        let blocks: Vec<_> = f.layout.blocks().collect();
        for b in blocks {
            let insts: Vec<_> = f.layout.block_insts(b).collect();
            for inst in insts {
                match &mut f.dfg.insts[inst] {
                    InstData::Call { func, .. } => *func = func_map.get(func).copied().unwrap_or(*func),
                    InstData::DataAddr { data: d, .. } => *d = data_map.get(d).copied().unwrap_or(*d),
                    _ => {}
                }
            }
        }
        out.add_function(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "data @k: i32 = [1, 2]\n\
        data @unused: i32 = [3]\n\
        fn @helper(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = data_addr.ptr @k\n    \
        v2 = iconst.i64 0\n    v3 = load.i32 v1, v2\n    v4 = iadd.i32 v0, v3\n    return v4\n}\n\
        export fn @a(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = call.i32 @b(v0)\n    return v1\n}\n\
        export fn @b(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = call.i32 @helper(v0)\n    return v1\n}\n";

    #[test]
    fn a_part_holds_its_call_tree_with_only_the_root_exported() {
        let m = crate::text::parse_module(TEXT).expect("parses");
        assert_eq!(roots(&m).len(), 2);
        let a = m.func_by_name("a").expect("a");
        let p = part(&m, a);
        assert!(crate::verifier::verify_module(&p).is_ok(), "{}", crate::print_module(&p));
        let names: Vec<(&str, Linkage)> = p.functions.values().map(|f| (f.name.as_str(), f.linkage)).collect();
        assert_eq!(names, [("a", Linkage::Export), ("b", Linkage::Local), ("helper", Linkage::Local)]);
        assert_eq!(p.data.len(), 1, "only the data the call tree addresses");
        // The interpreter computes the same through the renumbered calls and data.
        let run = |m: &Module| {
            let interp = crate::Interpreter::new(m).expect("valid");
            interp.call("a", &mut [crate::Arg::Val(crate::Val::I32(5))]).expect("runs")
        };
        assert_eq!(run(&p), Some(crate::Val::I32(6)));
        assert_eq!(run(&m), run(&p));
    }

    #[test]
    fn a_leaf_part_is_the_function_alone() {
        let m = crate::text::parse_module(TEXT).expect("parses");
        let b = m.func_by_name("b").expect("b");
        let p = part(&part(&m, b), FuncId::new(0));
        assert_eq!(p.functions.len(), 2);
        assert_eq!(p.functions.values().filter(|f| f.linkage == Linkage::Export).count(), 1);
    }
}
