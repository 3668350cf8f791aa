//! rbpf's three engines (interpreter, x86-64 JIT, Cranelift JIT) as [`Engine`]s. Only
//! setup; measures nothing.

use crate::Engine;

/// rbpf's engines for raw bytecode `code`, each compiled once. rbpf ties a run's memory
/// borrow to the VM's lifetime, so the bytecode is leaked (a few bytes per program, once)
/// and each run hands rbpf its memory under an unbounded lifetime.
pub fn rbpf_engines(code: Vec<u8>) -> Result<Vec<Engine>, String> {
    let code: &'static [u8] = Box::leak(code.into_boxed_slice());
    let err = |what: &str, e: std::io::Error| format!("rbpf {what}: {e}");
    let interp = rbpf::EbpfVmRaw::new(Some(code)).map_err(|e| err("rejects the program", e))?;
    let mut jit = rbpf::EbpfVmRaw::new(Some(code)).map_err(|e| err("rejects the program", e))?;
    jit.jit_compile().map_err(|e| err("x86 JIT", e))?;
    let mut clif = rbpf::EbpfVmRaw::new(Some(code)).map_err(|e| err("rejects the program", e))?;
    clif.cranelift_compile().map_err(|e| err("Cranelift JIT", e))?;
    // SAFETY (all three): rbpf reads and writes `mem` only during the call and keeps no
    // reference to it afterwards, so the unbounded lifetime never outlives the borrow.
    let widen = |mem: &mut [u8]| unsafe { std::slice::from_raw_parts_mut(mem.as_mut_ptr(), mem.len()) };
    Ok(vec![
        Engine {
            name: "rbpf-interp".into(),
            run: Box::new(move |mem| interp.execute_program(widen(mem)).map_err(|e| e.to_string())),
        },
        Engine {
            name: "rbpf-jit".into(),
            // SAFETY: rbpf verified the program; its x86 JIT does not check memory accesses, and
            // these programs stay inside `mem` and the stack (every engine agrees on the result
            // in the agreement test, including those that check every access).
            run: Box::new(move |mem| unsafe { jit.execute_program_jit(widen(mem)) }.map_err(|e| e.to_string())),
        },
        Engine {
            name: "rbpf-cranelift".into(),
            run: Box::new(move |mem| clif.execute_program_cranelift(widen(mem)).map_err(|e| e.to_string())),
        },
    ])
}
