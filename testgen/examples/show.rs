//! Prints generated program SEED (IR, or with `bpf` the BPF assembly and its lifted IR), or
//! with a number N the batch module of N programs that `strata-difftest` compiles for SEED.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    if args.get(2).is_some_and(|k| k == "bpf") {
        let p = strata_testgen::bpf_gen::program(seed);
        print!("{}", strata_frontend::bpf::disassemble(&p));
    } else {
        let batch = args.get(2).and_then(|s| s.parse().ok());
        let m = match batch {
            Some(n) => strata_testgen::ir_gen::batch(seed, n),
            None => strata_testgen::ir_gen::program(seed, "p0"),
        };
        match m {
            Ok(m) => print!("{m}"),
            Err(e) => eprintln!("{e}"),
        }
    }
}
