//! Prints generated program SEED (IR, or with `bpf` the BPF assembly and its lifted IR).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    if args.get(2).is_some_and(|k| k == "bpf") {
        let p = strata_testgen::bpf_gen::program(seed);
        print!("{}", strata_frontend::bpf::disassemble(&p));
    } else {
        match strata_testgen::ir_gen::program(seed, "p0") {
            Ok(m) => print!("{m}"),
            Err(e) => eprintln!("{e}"),
        }
    }
}
