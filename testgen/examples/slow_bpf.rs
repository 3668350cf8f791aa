//! Times tier 2 -O2 compilation of difftest BPF batch B (seed S, hex) merged into one
//! module, for programs FROM..TO — to find compile-time blowups.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let seed = u64::from_str_radix(a.get(1).map_or("2000", |s| s.as_str()), 16).unwrap_or(0);
    let arg = |i: usize, d: usize| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (b, from, to) = (arg(2, 27) as u64, arg(3, 0), arg(4, 32));
    let bseed = strata_testgen::mix(seed, b);
    let mut text = String::new();
    for k in from..to {
        let pseed = strata_testgen::ir_gen::batch_program_seed(bseed, k);
        let p = strata_testgen::bpf_gen::program(pseed);
        if std::env::var_os("SHOW").is_some() {
            println!("; program {k} seed {pseed:#x}\n{}", strata_frontend::bpf::disassemble(&p));
        }
        let Ok(m) = strata_frontend::bpf::lift(&p) else { continue };
        text += &strata_ir::print_module(&m).replace('@', &format!("@b{k}_"));
        text.push('\n');
    }
    let Ok(m) = strata_ir::parse_module(&text) else { return };
    let c = strata_testgen::run::Config { tier: strata_runtime::Tier::Optimized, pipeline: "-O2" };
    let t = std::time::Instant::now();
    let r = strata_testgen::run::compile(&m, c);
    println!("batch {b} programs {from}..{to}: {:?}, ok={}", t.elapsed(), r.is_ok());
}
