//! Random verified programs (`common::gen`) all compile, at both optimization levels, with
//! the CLIF verifier on — and run without crashing on random inputs.

mod common;
use common::gen::{self, Rng};
use common::*;
use strata_cranelift::{CraneliftOptions, OptLevel};

#[test]
fn random_programs_compile_and_run() {
    for seed in 0..300u64 {
        let p = gen::program(seed);
        if let Err(e) = strata_ir::verifier::verify_module(&p.module) {
            panic!("seed {seed}: generated IR does not verify: {e}\n{}", strata_ir::text::print_module(&p.module));
        }
        let o = if seed % 2 == 0 { opts() } else { CraneliftOptions { opt_level: OptLevel::None, ..opts() } };
        let cm = match strata_cranelift::compile(&p.module, &o) {
            Ok(c) => c,
            Err(e) => panic!("seed {seed}: {e}\n{}", strata_ir::text::print_module(&p.module)),
        };
        let mut rng = Rng::new(seed * 7919);
        for _ in 0..20 {
            let (inp, idx, scalars) = gen::inputs(&mut rng, &p);
            let mut out = vec![0u8; p.out_bytes];
            let mut args =
                vec![inp.as_ptr() as u64, inp.len() as u64, out.as_mut_ptr() as u64, out.len() as u64, idx as u64];
            args.extend(scalars);
            let _ = call_raw(&cm, "f", &args, &mut strata_ir::VmContext::default());
        }
    }
}
