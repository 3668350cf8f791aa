//! The differential-testing loop: generate a batch of programs into one module, compile it on
//! every configuration, call every program with a few input sets, and turn each disagreement
//! (or compile failure, or panic) into a [`Finding`] — isolated to its program, reduced, and
//! written as a regression file when an output directory is given.
//!
//! Work is split in batches (one module each) handed to `jobs` threads, each running its
//! batches in process or in a worker process of its own ([`Settings::isolate`]); everything
//! is determined by the seed, so a finding's batch seed reproduces it exactly. This file must not
//! know how programs are generated beyond the `ir_gen`/`bpf_gen` entry points.

use crate::isolate::{Worker, WorkerCommand};
use crate::run::{self, check_function, compile, Config, Input, Outcome, REFERENCE};
use crate::{bpf_gen, ir_gen, mix, reduce, regression, Rng};
use std::panic::catch_unwind;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use strata_ir::Module;

/// Which generator to run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Ir,
    Bpf,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ir => "ir",
            Kind::Bpf => "bpf",
        }
    }
}

/// Settings for a run.
#[derive(Clone, Debug)]
pub struct Settings {
    pub kind: Kind,
    /// Programs to run, starting at [`Settings::first_program`].
    pub programs: u64,
    /// Index of the first program in the seed's sequence; a multiple of [`Settings::batch`]
    /// (rounded down otherwise). Runs `seed`, first `a`, `n` programs and `seed`, first `a + n`
    /// add up to the run `seed`, first `a`, with `n + m` programs (same batch size).
    pub first_program: u64,
    pub seed: u64,
    pub time_limit: Option<Duration>,
    pub jobs: usize,
    /// Programs per module.
    pub batch: usize,
    /// Input sets per program.
    pub inputs: usize,
    /// Where to write regression files (`None`: only report).
    pub out_dir: Option<PathBuf>,
    /// Reduction attempts per finding.
    pub reduce_budget: usize,
    /// Wall-clock time per finding's reduction; when it runs out the smallest failing program
    /// found so far is the finding. Keep it well under the worker's batch timeout.
    pub reduce_time: Duration,
    /// Print progress to stderr every this often.
    pub progress: Option<Duration>,
    /// Run batches in worker processes started with this command (see [`crate::isolate`]),
    /// so that a crash or hang of a tier becomes a finding instead of ending the run.
    pub isolate: Option<WorkerCommand>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kind: Kind::Ir,
            programs: 1000,
            first_program: 0,
            seed: 0,
            time_limit: None,
            jobs: 1,
            batch: 32,
            inputs: 3,
            out_dir: None,
            reduce_budget: 300,
            reduce_time: Duration::from_secs(60),
            progress: None,
            isolate: None,
        }
    }
}

/// One problem found.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Where it came from: kind, batch seed, program seed, configuration.
    pub origin: String,
    /// What went wrong (the mismatch, error or panic message).
    pub message: String,
    /// The regression file written for it, if any.
    pub file: Option<PathBuf>,
}

/// What one batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub programs: u64,
    pub calls: u64,
    pub mutants: u64,
    pub findings: Vec<Finding>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub programs: u64,
    /// Where a run that continues this one should start (`--first-program`): every batch
    /// before it completed (batches are handed out in order and always finished).
    pub next_first_program: u64,
    pub calls: u64,
    /// Mutated BPF programs pushed through decode/verify/lift/disassemble.
    pub mutants: u64,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
}

struct Shared {
    next_batch: AtomicU64,
    programs: AtomicU64,
    calls: AtomicU64,
    mutants: AtomicU64,
    stop: AtomicBool,
    findings: Mutex<Vec<Finding>>,
}

/// Runs the loop with `s` and reports.
///
/// ```no_run
/// let s = strata_testgen::difftest::Settings { programs: 64, ..Default::default() };
/// let r = strata_testgen::difftest::run(&s);
/// assert!(r.findings.is_empty());
/// ```
pub fn run(s: &Settings) -> Report {
    let start = Instant::now();
    let shared = Shared {
        next_batch: AtomicU64::new(0),
        programs: AtomicU64::new(0),
        calls: AtomicU64::new(0),
        mutants: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        findings: Mutex::new(Vec::new()),
    };
    let batch = s.batch.max(1) as u64;
    let first_batch = s.first_program / batch;
    let batches = s.programs.div_ceil(batch);
    let sh = &shared;
    let start_ref = &start;
    std::thread::scope(|scope| {
        for _ in 0..s.jobs.max(1) {
            let mut worker = s.isolate.as_ref().map(|cmd| Worker::new(cmd.clone()));
            scope.spawn(move || loop {
                let (shared, start) = (sh, start_ref);
                if shared.stop.load(Ordering::Relaxed) {
                    return;
                }
                if s.time_limit.is_some_and(|t| start.elapsed() >= t) {
                    return;
                }
                let b = shared.next_batch.fetch_add(1, Ordering::Relaxed);
                if b >= batches {
                    return;
                }
                let count = (s.programs - b * batch).min(batch) as usize;
                let done = match worker.as_mut() {
                    Some(w) => w.run(s, first_batch + b, count),
                    None => run_batch(s, first_batch + b, count),
                };
                shared.programs.fetch_add(done.programs, Ordering::Relaxed);
                shared.calls.fetch_add(done.calls, Ordering::Relaxed);
                shared.mutants.fetch_add(done.mutants, Ordering::Relaxed);
                if !done.findings.is_empty() {
                    if let Ok(mut f) = shared.findings.lock() {
                        f.extend(done.findings);
                    }
                }
            });
        }
        if let Some(every) = s.progress {
            scope.spawn(move || {
                let (shared, start) = (sh, start_ref);
                let mut last = Instant::now();
                while shared.next_batch.load(Ordering::Relaxed) < batches
                    && s.time_limit.is_none_or(|t| start.elapsed() < t)
                {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.elapsed() >= every {
                        last = Instant::now();
                        let p = shared.programs.load(Ordering::Relaxed);
                        let n = shared.findings.lock().map(|f| f.len()).unwrap_or(0);
                        let secs = start.elapsed().as_secs_f64();
                        eprintln!(
                            "[{:.0}s] {} {p} programs ({:.0}/s), {} calls, {n} findings",
                            secs,
                            s.kind.name(),
                            p as f64 / secs.max(1e-9),
                            shared.calls.load(Ordering::Relaxed)
                        );
                    }
                }
            });
        }
    });
    shared.stop.store(true, Ordering::Relaxed);
    let done = shared.next_batch.load(Ordering::Relaxed).min(batches);
    Report {
        programs: shared.programs.load(Ordering::Relaxed),
        next_first_program: ((first_batch + done) * batch).min(first_batch * batch + s.programs),
        calls: shared.calls.load(Ordering::Relaxed),
        mutants: shared.mutants.load(Ordering::Relaxed),
        findings: shared.findings.into_inner().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}

/// The IR text of batch number `batch` (`count` programs) as the runner compiles it (for BPF:
/// the lifted programs), to reproduce a finding outside the runner.
pub fn batch_text(s: &Settings, batch: u64, count: usize) -> Result<String, String> {
    let bseed = mix(s.seed, batch);
    match s.kind {
        Kind::Ir => ir_gen::batch(bseed, count).map(|m| strata_ir::print_module(&m)),
        Kind::Bpf => {
            let mut text = String::new();
            for k in 0..count {
                text += &bpf_text(ir_gen::batch_program_seed(bseed, k), k)?;
                text.push('\n');
            }
            Ok(text)
        }
    }
}

/// The function name of program `k` in a batch.
fn fname(kind: Kind, k: usize) -> String {
    match kind {
        Kind::Ir => format!("p{k}"),
        Kind::Bpf => format!("b{k}_main"),
    }
}

/// The module of program `k` alone (same names as in its batch).
fn single(kind: Kind, seed: u64, k: usize) -> Result<Module, String> {
    match kind {
        Kind::Ir => ir_gen::program(seed, &format!("p{k}")),
        Kind::Bpf => {
            let text = bpf_text(seed, k)?;
            strata_ir::parse_module(&text).map_err(|e| format!("lifted BPF text does not parse: {e}"))
        }
    }
}

/// Lifts BPF program `seed` and prints it with every `@name` prefixed `b{k}_`, after checking
/// the encode/decode and disassemble/assemble round trips.
fn bpf_text(seed: u64, k: usize) -> Result<String, String> {
    use strata_frontend::bpf;
    let insns = bpf_gen::program(seed);
    let bytes = bpf::encode(&insns);
    match bpf::decode(&bytes) {
        Ok(back) if back == insns => {}
        Ok(_) => return Err("decode(encode(p)) differs from p".into()),
        Err(e) => return Err(format!("decode(encode(p)) failed: {e}")),
    }
    let asm = bpf::disassemble(&insns);
    match bpf::assemble(&asm) {
        Ok(back) if back == insns => {}
        Ok(_) => return Err(format!("assemble(disassemble(p)) differs from p:\n{asm}")),
        Err(e) => return Err(format!("assemble(disassemble(p)) failed: {e}\n{asm}")),
    }
    let m = bpf::lift(&insns).map_err(|e| format!("lift failed: {e}\n{asm}"))?;
    crate::bpf_interp_check::check(&insns, &m).map_err(|e| format!("{e}\n{asm}"))?;
    Ok(strata_ir::print_module(&m).replace('@', &format!("@b{k}_")))
}

/// Pushes a mutated BPF program through every BPF entry point; an `Err` is a panic.
fn bpf_mutant(seed: u64) -> Result<(), String> {
    use strata_frontend::bpf;
    let insns = bpf_gen::mutated(seed);
    let r = catch_unwind(|| {
        let bytes = bpf::encode(&insns);
        let _ = bpf::decode(&bytes);
        let _ = bpf::decode(&bytes[..bytes.len().saturating_sub(3)]);
        let _ = bpf::verify(&insns);
        let asm = bpf::disassemble(&insns);
        let _ = bpf::assemble(&asm);
        if let Ok(m) = bpf::lift(&insns) {
            let _ = strata_ir::verify_module(&m);
        }
    });
    r.map_err(|_| format!("a BPF entry point panicked on mutant {seed:#x}"))
}

/// Runs batch number `batch` of the seed's sequence (`count` programs) in this process.
pub fn run_batch(s: &Settings, batch: u64, count: usize) -> BatchOutcome {
    let bseed = mix(s.seed, batch);
    let mut done = BatchOutcome::default();
    done.findings = run_batch_with(s, bseed, count, &mut done);
    done
}

/// The findings of one batch; the counts go into `counts` as the batch runs.
fn run_batch_with(s: &Settings, bseed: u64, count: usize, counts: &mut BatchOutcome) -> Vec<Finding> {
    let mut findings = Vec::new();
    let origin = |k: usize, extra: &str| {
        let pseed = ir_gen::batch_program_seed(bseed, k);
        format!("kind {} batch {bseed:#x} program {k} seed {pseed:#x}{extra}", s.kind.name())
    };
    // Build the batch module.
    let module = match s.kind {
        Kind::Ir => match catch_unwind(|| ir_gen::batch(bseed, count)) {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                findings.push(Finding { origin: origin(0, ""), message: e, file: None });
                return findings;
            }
            Err(_) => {
                findings.push(Finding { origin: origin(0, ""), message: "generator panicked".into(), file: None });
                return findings;
            }
        },
        Kind::Bpf => {
            let mut text = String::new();
            for k in 0..count {
                let pseed = ir_gen::batch_program_seed(bseed, k);
                match catch_unwind(|| bpf_text(pseed, k)) {
                    Ok(Ok(t)) => text += &t,
                    Ok(Err(e)) => findings.push(Finding { origin: origin(k, ""), message: e, file: None }),
                    Err(_) => findings.push(Finding {
                        origin: origin(k, ""),
                        message: "BPF frontend panicked".into(),
                        file: None,
                    }),
                }
                if let Err(e) = bpf_mutant(pseed) {
                    findings.push(Finding { origin: origin(k, " (mutant)"), message: e, file: None });
                }
                counts.mutants += 1;
                text.push('\n');
            }
            match strata_ir::parse_module(&text) {
                Ok(m) => m,
                Err(e) => {
                    findings.push(Finding {
                        origin: origin(0, ""),
                        message: format!("merged BPF batch does not parse: {e}"),
                        file: None,
                    });
                    return findings;
                }
            }
        }
    };
    let reference = match compile(&module, REFERENCE) {
        Ok(c) => c,
        Err(e) => {
            findings.push(Finding { origin: origin(0, ""), message: e, file: None });
            return findings;
        }
    };
    let mut compiled = Vec::new();
    let mut broken: Vec<Config> = Vec::new();
    for config in run::configs() {
        match compile(&module, config) {
            Ok(c) => compiled.push((config, c)),
            Err(_) => broken.push(config),
        }
    }
    for k in 0..count {
        let name = fname(s.kind, k);
        if module.func_by_name(&name).is_none() {
            continue; // its generation failed (already reported)
        }
        counts.programs += 1;
        let Some(id) = module.func_by_name(&name) else { continue };
        let sig = module.functions[id].sig.clone();
        let mut rng = Rng::new(mix(bseed, 1_000_000 + k as u64));
        let sets: Vec<Vec<Input>> = (0..s.inputs).map(|_| run::inputs(&mut rng, &sig)).collect();
        // Configurations the whole batch failed to compile on: try this program alone.
        for &config in &broken {
            let pseed = ir_gen::batch_program_seed(bseed, k);
            let Ok(m) = single(s.kind, pseed, k) else { continue };
            if let Err(e) = compile(&m, config) {
                let inputs = sets.first().cloned().unwrap_or_default();
                findings.push(finding(
                    s,
                    &origin(k, &format!(" found {}", config.label())),
                    e,
                    &m,
                    &name,
                    config,
                    &inputs,
                    true,
                ));
            }
        }
        for inputs in &sets {
            counts.calls += 1 + compiled.len() as u64;
            let ms = check_function(&reference, &compiled, &name, inputs);
            if let Some(m) = ms.into_iter().next() {
                let pseed = ir_gen::batch_program_seed(bseed, k);
                let o = origin(k, &format!(" found {}", m.config.label()));
                match single(s.kind, pseed, k) {
                    Ok(alone) => findings.push(finding(s, &o, m.to_string(), &alone, &name, m.config, inputs, false)),
                    Err(e) => {
                        findings.push(Finding { origin: o, message: format!("{m}\n(isolating: {e})"), file: None })
                    }
                }
                break; // one finding per program is enough
            }
        }
    }
    findings
}

/// Fuel for the reference run of each reduction candidate (loop back-edges and calls); the
/// generator's programs need far less.
const REDUCE_FUEL: u64 = 1_000_000;

/// Reduces the failure of `function` in `module` on `config` and writes a regression file.
#[allow(clippy::too_many_arguments)]
fn finding(
    s: &Settings,
    origin: &str,
    message: String,
    module: &Module,
    function: &str,
    config: Config,
    inputs: &[Input],
    compile_failure: bool,
) -> Finding {
    if !run::still_mismatches(module, config, function, inputs, compile_failure, None) {
        return Finding {
            origin: origin.to_string(),
            message: format!("{message}\n(does not reproduce with the program alone)"),
            file: None,
        };
    }
    // Candidates run with fuel (a reduction step can make a loop endless) and within a time
    // budget: when either rules reduction out, the finding keeps the program as generated.
    let mut fails = |m: &Module| run::still_mismatches(m, config, function, inputs, compile_failure, Some(REDUCE_FUEL));
    let reduced = if fails(module) {
        reduce::reduce(module, function, s.reduce_budget, s.reduce_time, &mut fails)
    } else {
        module.clone()
    };
    let mut file = None;
    if let Some(dir) = &s.out_dir {
        let want = compile(&reduced, REFERENCE).map(|r| run::call(&r, function, inputs));
        if let Ok(want @ (Outcome::Returned { .. } | Outcome::Trapped(_))) = want {
            let text = regression::write(origin, function, inputs, &want, &reduced);
            let tag: String = origin.split_whitespace().skip_while(|w| *w != "seed").nth(1).unwrap_or("x").into();
            let path = dir.join(format!("{}-{}.sir", s.kind.name(), tag.trim_start_matches("0x")));
            if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&path, text).is_ok() {
                file = Some(path);
            }
        }
    }
    let reduced_text = strata_ir::print_module(&reduced);
    Finding { origin: origin.to_string(), message: format!("{message}\nreduced:\n{reduced_text}"), file }
}
