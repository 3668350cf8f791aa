//! Run time of the example kernels on every tier next to the same algorithm written
//! naturally in Rust. Build with `RUSTFLAGS="-C target-cpu=native"` (as `ci/bench` does) so
//! the native contender gets the host's full ISA, like tier 2 does.
//!
//! Compiled tiers are called through the runtime's dynamic path (`interpreter`, `baseline`,
//! `optimized`: arguments checked and packed on every call, with a fresh `VmContext`), and
//! the LLVM code also directly through its array-call trampoline with pre-packed slots, as a
//! typed call does: `optimized-direct` (tier 2, host CPU) and `aot-v3` (the object code
//! `strata build`/strata-build makes for `x86-64-v3`, i.e. AVX2 without AVX-512, linked
//! in-process instead of by the system linker). Groups are `<kernel>/<size>`; `c` is the
//! same algorithm in C (gcc -O3 -march=native, benches/c/, only when built with
//! STRATA_BENCH_C=1 as ci/bench does); the interpreter runs at 256, 4K and 1M elements only
//! ([`INTERP_SIZES`]: its cost per element hardly depends on the size, and at 64K and 4M it
//! would dominate the suite's run time). The group `memcpy/<size>` copies `size` f32s with
//! `copy_from_slice`: the memory bandwidth the report sets the kernels' GB/s against.
//!
//! Time budget (ci/bench must finish in 15 minutes on 2 cores): every group is tuned by
//! [`tune`] (short warm-up and measurement, fewer samples at the large sizes, where one call
//! takes milliseconds and criterion's flat sampling makes the sample count the cost) and
//! criterion's bootstrap uses 10,000 resamples (the report shows medians only).

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use strata_ir::interp::Arg;
use strata_runtime::{CompiledModule, Options, Tier};

const SIZES: [usize; 5] = [256, 4096, 1 << 16, 1 << 20, 1 << 22];

/// The sizes the interpreter runs at: in cache, and the headline size (1M).
const INTERP_SIZES: [usize; 3] = [256, 4096, 1 << 20];

#[cfg(strata_bench_c)]
mod c {
    extern "C" {
        pub fn c_ola(frame: *const f32, win: *const f32, out: *mut f32, n: i64, gain: f32, lo: f32, hi: f32);
        pub fn c_fir(x: *const f32, nx: i64, taps: *const f32, nt: i64, y: *mut f32, ny: i64);
        pub fn c_dot(a: *const f32, b: *const f32, n: i64) -> f32;
        pub fn c_energy(x: *const f32, n: i64) -> f32;
        pub fn c_hash_all(x: *const i32, out: *mut i32, n: i64);
        pub fn c_prefix_sum(x: *mut i64, n: i64) -> i64;
    }
}

/// The sizes to run: all of them under `cargo bench`; only the smallest when `cargo test`
/// runs the benchmark once as a smoke test (no `--bench` flag), which is a debug build.
fn sizes() -> &'static [usize] {
    if std::env::args().any(|a| a == "--bench") {
        &SIZES
    } else {
        &SIZES[..1]
    }
}

fn load(file: &str) -> strata_ir::Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kernels").join(file);
    strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The tiers to run at size `n` (the interpreter only at [`INTERP_SIZES`]).
fn at_size(tiers: &[(Tier, CompiledModule)], n: usize) -> impl Iterator<Item = &(Tier, CompiledModule)> {
    tiers.iter().filter(move |(t, _)| *t != Tier::Interpreter || INTERP_SIZES.contains(&n))
}

/// A group for `<kernel>/<n>` with the criterion settings for size `n`: below 1M, a call
/// takes at most a few ms, so 0.6 s of measurement gives many iterations per sample; from
/// 1M on, calls take up to 0.5 s (fir16 on the interpreter), criterion samples flat (one
/// or a few calls per sample) and 10 samples of 1 s in all is what the suite can afford.
fn tune<'a>(c: &'a mut Criterion, kernel: &str, n: usize) -> criterion::BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(format!("{kernel}/{n}"));
    g.warm_up_time(Duration::from_millis(200));
    if n >= 1 << 20 {
        g.sample_size(10).measurement_time(Duration::from_secs(1));
    } else {
        g.sample_size(15).measurement_time(Duration::from_millis(600));
    }
    g
}

fn tiers(m: &strata_ir::Module) -> Vec<(Tier, CompiledModule)> {
    strata_runtime::available_tiers()
        .into_iter()
        .map(|t| (t, strata_runtime::compile(m, t, &Options::default()).expect("compiles")))
        .collect()
}

fn data(n: usize, seed: u32) -> Vec<f32> {
    (0..n).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 2000) as f32 / 1000.0 - 1.0).collect()
}

fn bytes<T: Copy>(v: &[T]) -> Vec<u8> {
    let n = std::mem::size_of_val(v);
    // SAFETY: plain numeric data viewed as its bytes (little-endian on the hosts we run on).
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, n) }.to_vec()
}

fn configure(c: &mut Criterion) -> &mut Criterion {
    c
}

/// Tier-2 code called directly: the JIT for the host CPU and the AOT object for
/// `x86-64-v3` (on x86-64; on other hosts the AOT contender is absent).
#[cfg(feature = "llvm")]
fn direct(m: &strata_ir::Module, kernel: &str) -> Vec<(&'static str, strata_llvm::CompiledModule)> {
    use strata_llvm::LlvmOptions;
    let mut out = vec![("optimized-direct", strata_llvm::compile(m, &LlvmOptions::default()).expect("compiles"))];
    if cfg!(target_arch = "x86_64") && std::arch::is_x86_feature_detected!("avx2") {
        let aot = LlvmOptions { target_cpu: Some("x86-64-v3".into()), ..LlvmOptions::default() };
        let ns = format!("bench_aot_v3_{kernel}");
        let object = strata_llvm::compile_object(m, &aot, &ns).expect("compiles for x86-64-v3");
        out.push(("aot-v3", strata_llvm::load_object(m, &object, &ns).expect("links")));
    }
    out
}
#[cfg(not(feature = "llvm"))]
fn direct(_: &strata_ir::Module, _: &str) -> Vec<(&'static str, ())> {
    Vec::new()
}

/// Benchmarks `name` of each directly called module with the array-call `slots` (pointers
/// into buffers that outlive the group), checking afterwards that nothing trapped.
#[cfg(feature = "llvm")]
fn bench_direct(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    mods: &[(&'static str, strata_llvm::CompiledModule)],
    name: &str,
    slots: &[u64],
) {
    for (id, m) in mods {
        let f = m.function(name).expect("exported");
        let mut ctx = strata_ir::VmContext::default();
        g.bench_function(*id, |bch| {
            bch.iter(|| {
                let mut ret = 0u64;
                // SAFETY: `slots` holds one slot per ABI parameter of `name`: pointers and
                // lengths of live, distinct buffers (the mutable one used by nothing else
                // during the group) and scalar bits; `ctx` has no host functions.
                unsafe { (f.array_call)(black_box(slots.as_ptr()), &mut ret, &mut ctx) };
                ret
            })
        });
        assert_eq!(ctx.trap_code, 0, "{id} {name} trapped");
    }
}
#[cfg(not(feature = "llvm"))]
fn bench_direct(
    _: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    _: &[(&'static str, ())],
    _: &str,
    _: &[u64],
) {
}

fn slice_slots<T>(v: &[T]) -> [u64; 2] {
    [v.as_ptr() as u64, v.len() as u64]
}

/// Slots of a slice the kernel writes (a pointer derived from a unique borrow).
fn slice_slots_mut<T>(v: &mut [T]) -> [u64; 2] {
    [v.as_mut_ptr() as u64, v.len() as u64]
}

// ---- native Rust references, written as a Rust user would ------------------------------

fn ola_native(frame: &[f32], win: &[f32], out: &mut [f32], gain: f32, lo: f32, hi: f32) {
    for ((o, f), w) in out.iter_mut().zip(frame).zip(win) {
        *o += (f * w * gain).max(lo).min(hi);
    }
}

fn fir_native(x: &[f32], taps: &[f32], y: &mut [f32]) {
    for n in 0..y.len().min(x.len()) {
        let mut acc = 0.0f32;
        for k in 0..taps.len().min(n + 1) {
            acc += taps[k] * x[n - k];
        }
        y[n] = acc;
    }
}

fn dot_native(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn energy_native(x: &[f32]) -> f32 {
    x.iter().map(|v| v * v).sum()
}

fn hash_all_native(x: &[i32], out: &mut [i32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        let mut h = v as u32;
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^= h >> 16;
        *o = h as i32;
    }
}

fn prefix_sum_native(x: &mut [i64]) -> i64 {
    let mut acc = 0i64;
    for v in x.iter_mut() {
        acc = acc.wrapping_add(*v);
        *v = acc;
    }
    acc
}

// ---- the benchmark groups ---------------------------------------------------------------

fn bench_kernels(c: &mut Criterion) {
    let c = configure(c);
    let ola = load("ola.sk");
    let fir = load("fir.sk");
    let dot = load("dot.sk");
    let stats = load("stats.sk");
    let hash = load("hash.sk");
    let prefix = load("prefix_sum.sk");
    let (ola_t, fir_t, dot_t, stats_t, hash_t, prefix_t) =
        (tiers(&ola), tiers(&fir), tiers(&dot), tiers(&stats), tiers(&hash), tiers(&prefix));
    let (ola_d, fir_d, dot_d, stats_d, hash_d, prefix_d) = (
        direct(&ola, "ola"),
        direct(&fir, "fir"),
        direct(&dot, "dot"),
        direct(&stats, "stats"),
        direct(&hash, "hash"),
        direct(&prefix, "prefix"),
    );
    let taps = data(16, 7);
    for &n in sizes() {
        let (a, b) = (data(n, 1), data(n, 2));
        let (ab, bb, tb) = (bytes(&a), bytes(&b), bytes(&taps));
        let ints: Vec<i32> = (0..n as i32).map(|i| i.wrapping_mul(-1640531535)).collect();
        let intb = bytes(&ints);
        let longs: Vec<i64> = (0..n as i64).collect();
        let longb = bytes(&longs);

        let mut g = tune(c, "ola", n);
        let mut out = vec![0.0f32; n];
        g.bench_function("native", |bch| bch.iter(|| ola_native(black_box(&a), &b, &mut out, 0.8, -0.5, 0.5)));
        #[cfg(strata_bench_c)]
        // SAFETY: every pointer covers n elements of live buffers; `out` is uniquely borrowed.
        g.bench_function("c", |bch| {
            bch.iter(|| unsafe {
                c::c_ola(black_box(a.as_ptr()), b.as_ptr(), out.as_mut_ptr(), n as i64, 0.8, -0.5, 0.5)
            })
        });
        for (t, m) in at_size(&ola_t, n) {
            let mut outb = bytes(&out);
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| {
                    let mut args = [
                        Arg::Slice(&ab),
                        Arg::Slice(&bb),
                        Arg::SliceMut(&mut outb),
                        Arg::Val(0.8f32.into()),
                        Arg::Val((-0.5f32).into()),
                        Arg::Val(0.5f32.into()),
                    ];
                    m.call("ola", black_box(&mut args)).expect("runs")
                })
            });
        }
        let mut out_d = out.clone();
        let mut slots = [slice_slots(&a), slice_slots(&b), slice_slots_mut(&mut out_d)].concat();
        slots.extend([0.8f32, -0.5, 0.5].map(|x| u64::from(x.to_bits())));
        bench_direct(&mut g, &ola_d, "ola", &slots);
        black_box(&mut out_d);
        g.finish();

        let mut g = tune(c, "fir16", n);
        let mut y = vec![0.0f32; n];
        g.bench_function("native", |bch| bch.iter(|| fir_native(black_box(&a), &taps, &mut y)));
        #[cfg(strata_bench_c)]
        // SAFETY: pointer/length pairs describe live buffers; `y` is uniquely borrowed.
        g.bench_function("c", |bch| {
            bch.iter(|| unsafe {
                c::c_fir(black_box(a.as_ptr()), n as i64, taps.as_ptr(), taps.len() as i64, y.as_mut_ptr(), n as i64)
            })
        });
        for (t, m) in at_size(&fir_t, n) {
            let mut yb = bytes(&y);
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| {
                    let mut args = [Arg::Slice(&ab), Arg::Slice(&tb), Arg::SliceMut(&mut yb)];
                    m.call("fir", black_box(&mut args)).expect("runs")
                })
            });
        }
        let mut y_d = y.clone();
        bench_direct(&mut g, &fir_d, "fir", &[slice_slots(&a), slice_slots(&taps), slice_slots_mut(&mut y_d)].concat());
        black_box(&mut y_d);
        g.finish();

        let mut g = tune(c, "dot", n);
        g.bench_function("native", |bch| bch.iter(|| dot_native(black_box(&a), &b)));
        #[cfg(strata_bench_c)]
        // SAFETY: both pointers cover n elements.
        g.bench_function("c", |bch| bch.iter(|| unsafe { c::c_dot(black_box(a.as_ptr()), b.as_ptr(), n as i64) }));
        for (t, m) in at_size(&dot_t, n) {
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| m.call("dot", black_box(&mut [Arg::Slice(&ab), Arg::Slice(&bb)])).expect("runs"))
            });
        }
        bench_direct(&mut g, &dot_d, "dot", &[slice_slots(&a), slice_slots(&b)].concat());
        g.finish();

        let mut g = tune(c, "energy_fastmath", n);
        g.bench_function("native", |bch| bch.iter(|| energy_native(black_box(&a))));
        #[cfg(strata_bench_c)]
        // SAFETY: the pointer covers n elements.
        g.bench_function("c", |bch| bch.iter(|| unsafe { c::c_energy(black_box(a.as_ptr()), n as i64) }));
        for (t, m) in at_size(&stats_t, n) {
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| m.call("energy", black_box(&mut [Arg::Slice(&ab)])).expect("runs"))
            });
        }
        bench_direct(&mut g, &stats_d, "energy", &slice_slots(&a));
        g.finish();

        let mut g = tune(c, "hash_all", n);
        let mut hout = vec![0i32; n];
        g.bench_function("native", |bch| bch.iter(|| hash_all_native(black_box(&ints), &mut hout)));
        #[cfg(strata_bench_c)]
        // SAFETY: both pointers cover n elements; `hout` is uniquely borrowed.
        g.bench_function("c", |bch| {
            bch.iter(|| unsafe { c::c_hash_all(black_box(ints.as_ptr()), hout.as_mut_ptr(), n as i64) })
        });
        for (t, m) in at_size(&hash_t, n) {
            let mut hb = bytes(&hout);
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| {
                    m.call("hash_all", black_box(&mut [Arg::Slice(&intb), Arg::SliceMut(&mut hb)])).expect("runs")
                })
            });
        }
        let mut hout_d = hout.clone();
        bench_direct(&mut g, &hash_d, "hash_all", &[slice_slots(&ints), slice_slots_mut(&mut hout_d)].concat());
        black_box(&mut hout_d);
        g.finish();

        let mut g = tune(c, "prefix_sum", n);
        let mut xs = longs.clone();
        g.bench_function("native", |bch| bch.iter(|| prefix_sum_native(black_box(&mut xs))));
        #[cfg(strata_bench_c)]
        // SAFETY: the pointer covers n elements and `xs` is uniquely borrowed.
        g.bench_function("c", |bch| bch.iter(|| unsafe { c::c_prefix_sum(black_box(xs.as_mut_ptr()), n as i64) }));
        for (t, m) in at_size(&prefix_t, n) {
            let mut xb = longb.clone();
            g.bench_function(BenchmarkId::from_parameter(t), |bch| {
                bch.iter(|| m.call("prefix_sum", black_box(&mut [Arg::SliceMut(&mut xb)])).expect("runs"))
            });
        }
        let mut xs_d = longs.clone();
        bench_direct(&mut g, &prefix_d, "prefix_sum", &slice_slots_mut(&mut xs_d));
        black_box(&mut xs_d);
        g.finish();

        let mut g = tune(c, "memcpy", n);
        let mut dst = vec![0.0f32; n];
        g.bench_function("memcpy", |bch| bch.iter(|| dst.copy_from_slice(black_box(&a))));
        g.finish();
    }
}

/// The defaults; every group overrides the times and sample size ([`tune`]).
fn quick() -> Criterion {
    Criterion::default()
        .sample_size(15)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600))
        .nresamples(10_000)
}

criterion_group! { name = kernels; config = quick(); targets = bench_kernels }
criterion_main!(kernels);
