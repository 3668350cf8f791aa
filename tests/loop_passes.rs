//! The loop passes (`bce`, `unroll`, `vectorize` in `-O2`, without fuel) on every tier:
//! each kernel gives the same result as the same tier without passes, and when the loop
//! traps part-way (a slice shorter than the loop bound), the same trap code **and the same
//! memory contents** — the vector loop must not have stored anything the scalar loop had
//! not stored when it trapped. The differential harness compares trap codes only; this file
//! also compares the buffers after a trap, with lengths chosen around the vector width.

use std::path::Path;
use strata_ir::interp::{Arg, Val};
use strata_runtime::{CallError, CompiledModule, Options};

fn load(file: &str) -> strata_ir::Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kernels").join(file);
    strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn f32_bytes(n: usize, seed: u32) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            let x = ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 2000) as f32 / 1000.0 - 1.0;
            x.to_le_bytes()
        })
        .collect()
}

/// The outcome of one call: the return value or trap code, and the mutable buffers.
type Outcome = (Result<Option<Val>, String>, Vec<Vec<u8>>);

/// Calls `func` with slices (`(bytes, mutable)`) followed by scalars.
fn run(c: &CompiledModule, func: &str, slices: &[(Vec<u8>, bool)], scalars: &[Val]) -> Outcome {
    let mut owned: Vec<(Vec<u8>, bool)> = slices.to_vec();
    let mut args: Vec<Arg<'_>> =
        owned.iter_mut().map(|(b, m)| if *m { Arg::SliceMut(b) } else { Arg::Slice(b) }).collect();
    args.extend(scalars.iter().map(|&v| Arg::Val(v)));
    let r = match c.call(func, &mut args) {
        Ok(v) => Ok(v),
        Err(CallError::Trap(t)) => Err(format!("trap {}", t.code)),
        Err(e) => Err(format!("failed: {e}")),
    };
    drop(args);
    (r, owned.into_iter().filter(|(_, m)| *m).map(|(b, _)| b).collect())
}

#[test]
fn o2_keeps_results_traps_and_memory_at_the_trap() {
    let ola = load("ola.sk");
    let stats = load("stats.sk");
    let prefix = load("prefix_sum.sk");
    let o2 = Options { pipeline: Some("-O2".into()), ..Options::default() };
    // The passes fire on these kernels (so this test exercises them).
    let mut m = ola.clone();
    let r = strata_ir::passes::run_pipeline(&mut m, "-O2", &strata_ir::passes::PassOptions::default());
    assert!(r.is_ok() && strata_ir::print_module(&m).contains("f32x4"), "ola is vectorized at -O2");
    let mut checked = 0;
    let mut trapped = 0;
    for tier in strata_runtime::available_tiers() {
        let compile = |m: &strata_ir::Module, o: &Options| strata_runtime::compile(m, tier, o).expect("compiles");
        let pairs = [(compile(&ola, &Options::default()), compile(&ola, &o2))];
        // ola: frame and win of length n, out of length k <= n traps at index k.
        for n in [0usize, 1, 3, 4, 5, 8, 13, 33] {
            for k in [0usize, 1, 2, 3, 4, 5, 7, 9, 12, 13, n.saturating_sub(1), n] {
                if k > n {
                    continue;
                }
                let win_len = if k % 3 == 0 { n } else { n.min(k + 2) };
                let slices = [(f32_bytes(n, 1), false), (f32_bytes(win_len, 2), false), (f32_bytes(k, 3), true)];
                let scalars = [Val::F32(0.8), Val::F32(-0.5), Val::F32(0.5)];
                for (plain, opt) in &pairs {
                    let want = run(plain, "ola", &slices, &scalars);
                    let got = run(opt, "ola", &slices, &scalars);
                    assert_eq!(want, got, "ola on {tier}: n = {n}, win = {win_len}, out = {k}");
                    trapped += usize::from(want.0.is_err());
                    checked += 1;
                }
            }
        }
        // Reductions and a carried store: same value (peak and prefix_sum bit-exact).
        let (s0, s2) = (compile(&stats, &Options::default()), compile(&stats, &o2));
        let (p0, p2) = (compile(&prefix, &Options::default()), compile(&prefix, &o2));
        for n in [0usize, 1, 2, 3, 4, 5, 7, 8, 9, 31, 64] {
            let x = [(f32_bytes(n, 9), false)];
            assert_eq!(run(&s0, "peak", &x, &[]), run(&s2, "peak", &x, &[]), "peak on {tier}, n = {n}");
            let (Ok(Some(Val::F32(a))), Ok(Some(Val::F32(b)))) =
                (run(&s0, "energy", &x, &[]).0, run(&s2, "energy", &x, &[]).0)
            else {
                panic!("energy returns an f32 on {tier}");
            };
            assert!((a - b).abs() <= 1e-4 * a.abs().max(1.0), "energy on {tier}, n = {n}: {a} vs {b}");
            let xs: Vec<u8> = (0..n as i64).flat_map(|v| (v * 7 - 3).to_le_bytes()).collect();
            let s = [(xs, true)];
            assert_eq!(run(&p0, "prefix_sum", &s, &[]), run(&p2, "prefix_sum", &s, &[]), "prefix_sum on {tier}");
            checked += 3;
        }
    }
    assert!(trapped > 10, "only {trapped} runs trapped");
    eprintln!("loop passes: {checked} comparisons, {trapped} of them trapping");
}

/// `index-split` on the FIR filter with constant taps: every tier, with `-O2`, equals the
/// unspecialized kernel without passes, for tap counts on both sides of the vector width
/// and signal lengths around the split point (`taps - 1`), including `y` shorter than `x`
/// (the loop bound is `min(y.len(), x.len())`).
#[test]
fn split_fir_with_constant_taps_matches_the_unsplit_kernel() {
    use strata_ir::passes::{run_pipeline, specialize, Binding, PassOptions};
    let fir = load("fir.sk");
    let o2 = Options { pipeline: Some("-O2".into()), ..Options::default() };
    let mut checked = 0;
    for taps in [1usize, 2, 7, 16, 17] {
        let taps_bytes = f32_bytes(taps, 7);
        let bound = [("taps".to_string(), Binding::Array { elem: strata_ir::Type::F32, bytes: taps_bytes.clone() })];
        let mut spec = fir.clone();
        specialize(&mut spec, "fir", &bound).expect("specializes");
        // The split fires (a second copy of the outer loop, so more loops than before).
        let mut split = spec.clone();
        let r = run_pipeline(&mut split, "index-split", &PassOptions { verify: true, ..PassOptions::default() });
        assert!(r.is_ok(), "{r:?}");
        assert_ne!(strata_ir::print_module(&split), strata_ir::print_module(&spec), "taps = {taps}: split");
        for tier in strata_runtime::available_tiers() {
            let plain = strata_runtime::compile(&fir, tier, &Options::default()).expect("compiles");
            let opt = strata_runtime::compile(&spec, tier, &o2).expect("compiles");
            for n in [0usize, 1, 2, taps.saturating_sub(2), taps - 1, taps, taps + 1, 2 * taps + 9, 40] {
                for y_len in [n, n.saturating_sub(3), n + 2] {
                    let (x, y) = (f32_bytes(n, 3), f32_bytes(y_len, 5));
                    let args = [(x.clone(), false), (taps_bytes.clone(), false), (y.clone(), true)];
                    let want = run(&plain, "fir", &args, &[]);
                    let got = run(&opt, "fir", &[(x, false), (y, true)], &[]);
                    assert_eq!(want, got, "fir on {tier}: taps = {taps}, x = {n}, y = {y_len}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 5 * 27, "{checked} runs");
}
