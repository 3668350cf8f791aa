//! The programs of the BPF peer benchmark (issue #8) and the engines that run them: rbpf's
//! interpreter, x86-64 JIT and Cranelift JIT ([`rbpf_engines`]), and Strata's tiers, all set
//! up by [`all_engines`] and checked against each other by [`agree`]. Shared by the
//! criterion bench (`benches/bpf.rs`) and the agreement test (`tests/agree.rs`), so both run
//! exactly the same programs on exactly the same engines. This file measures nothing.
//!
//! Each program's cost is counted in BPF instructions executed, from a counting copy of
//! the program ([`executed`]), so a benchmark's time divided by that count is ns per
//! executed instruction for every engine alike.

mod rbpf_engines;
pub use rbpf_engines::rbpf_engines;

use strata_frontend::bpf::{self, Insn};
use strata_ir::{Arg, Val};
use strata_runtime::{CompiledModule, Options, Tier};

/// One benchmark program: its assembly and the memory it runs on.
#[derive(Clone, Debug)]
pub struct Program {
    /// The benchmark group's name (`bpf/<name>`).
    pub name: &'static str,
    /// The program in the conformance suite's assembly syntax.
    pub asm: String,
    /// The memory it gets (r1 = its address, r2 = its length).
    pub mem: Vec<u8>,
    /// Whether it writes its memory (then the bench restores it before every run).
    pub writes: bool,
}

impl Program {
    /// The assembled instructions.
    pub fn insns(&self) -> Result<Vec<Insn>, String> {
        bpf::assemble(&self.asm).map_err(|e| format!("{}: {e}", self.name))
    }
}

/// A loop on registers only: `r0 = r0 * 3 + r1` for r1 = n down to 1 (not foldable to a
/// closed form, so every engine really runs the loop).
pub fn count_loop(n: u32) -> Program {
    let asm = format!("mov %r0, 0\nmov %r1, {n}\nmul %r0, 3\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -4\nexit\n");
    Program { name: "count_loop", asm, mem: Vec::new(), writes: false }
}

/// The same recurrence with the accumulator spilled to a stack slot on every trip.
pub fn stack_loop(n: u32) -> Program {
    let asm = format!(
        "mov %r0, 0\nmov %r1, {n}\nstxdw [%r10-8], %r0\n\
         ldxdw %r2, [%r10-8]\nmul %r2, 3\nadd %r2, %r1\nstxdw [%r10-8], %r2\nsub %r1, 1\njne %r1, 0, -6\n\
         ldxdw %r0, [%r10-8]\nexit\n"
    );
    Program { name: "stack_loop", asm, mem: Vec::new(), writes: false }
}

/// A rotate-and-add checksum over the 32-bit words of a buffer of `bytes` bytes (a
/// multiple of 4, at least 4).
pub fn checksum(bytes: u32) -> Program {
    let asm = format!(
        "mov %r0, 0\nmov %r3, 0\n\
         ldxw %r4, [%r1+0]\nmov %r5, %r0\nlsh %r5, 5\nrsh %r0, 59\nor %r0, %r5\nadd %r0, %r4\n\
         add %r1, 4\nadd %r3, 4\njlt %r3, {bytes}, -9\nexit\n"
    );
    let mem = (0..bytes).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    Program { name: "checksum", asm, mem, writes: false }
}

/// Insertion sort of `n` (at least 2) u32 in memory, given in descending order (the worst
/// case); returns the smallest.
pub fn sort(n: u32) -> Program {
    let asm = format!(
        "mov %r2, 1\n\
         mov %r3, %r2\nlsh %r3, 2\nadd %r3, %r1\nldxw %r4, [%r3+0]\nmov %r5, %r2\n\
         jeq %r5, 0, +8\nmov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nldxw %r7, [%r6-4]\njle %r7, %r4, +3\n\
         stxw [%r6+0], %r7\nsub %r5, 1\nja -9\n\
         mov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nstxw [%r6+0], %r4\nadd %r2, 1\njlt %r2, {n}, -20\n\
         ldxw %r0, [%r1+0]\nexit\n"
    );
    let mem = (0..n).rev().flat_map(|v| (v * 7 + 1).to_le_bytes()).collect();
    Program { name: "sort", asm, mem, writes: true }
}

/// The four programs: at benchmark size when `full`, else tiny (for the agreement test).
pub fn programs(full: bool) -> Vec<Program> {
    if full {
        vec![count_loop(100_000), stack_loop(100_000), checksum(64 * 1024), sort(64)]
    } else {
        vec![count_loop(10), stack_loop(10), checksum(64), sort(8)]
    }
}

/// The program with `add %r9, 1` before every instruction and r9 returned at `exit`: it
/// returns how many instructions the original executes. Each instruction becomes three
/// slots (counter, instruction, `ja +0` filler — or counter, `mov %r0, %r9`, `exit`), so a
/// jump offset `off` becomes `3 * off + 1`; one `mov %r9, 0` in front (jumps are relative,
/// so it shifts nothing). Needs a program without r9, `lddw` or calls.
pub fn counting_copy(prog: &[Insn]) -> Result<Vec<Insn>, String> {
    let mut out = Vec::with_capacity(prog.len() * 3 + 1);
    out.push(Insn::new(0xb7, 9, 0, 0, 0));
    for (i, ins) in prog.iter().enumerate() {
        if ins.dst == 9 || ins.src == 9 {
            return Err(format!("slot {i}: the counter register r9 is in use"));
        }
        if matches!(ins.opc, 0x18 | 0x85 | 0x8d | 0x06) {
            return Err(format!("slot {i}: counting needs a program without lddw, calls or gotol"));
        }
        out.push(Insn::new(0x07, 9, 0, 0, 1));
        if ins.opc == 0x95 {
            out.push(Insn::new(0xbf, 0, 9, 0, 0));
            out.push(*ins);
            continue;
        }
        let mut ins = *ins;
        if matches!(ins.opc & 7, 5 | 6) {
            ins.off = ins
                .off
                .checked_mul(3)
                .and_then(|o| o.checked_add(1))
                .ok_or_else(|| format!("slot {i}: the counting copy's jump offset overflows"))?;
        }
        out.push(ins);
        out.push(Insn::new(0x05, 0, 0, 0, 0));
    }
    Ok(out)
}

/// Instructions one run of `prog` on `mem` executes, from its counting copy on Strata's
/// IR interpreter.
pub fn executed(prog: &[Insn], mem: &[u8]) -> Result<u64, String> {
    let module = bpf::lift(&counting_copy(prog)?).map_err(|e| e.to_string())?;
    let cm = strata_runtime::compile(&module, Tier::Interpreter, &Options::default()).map_err(|e| e.to_string())?;
    strata_run(&cm, &mut mem.to_vec())
}

/// `prog` on `tier` (through `compile_bpf`: the BPF interpreter on `Tier::Interpreter`,
/// the lifted IR after Strata's `-O2` pipeline on the others), without fuel (rbpf has none).
pub fn strata_tier(prog: &[Insn], tier: Tier) -> Result<CompiledModule, String> {
    let opts = Options { pipeline: Some("-O2".into()), ..Options::default() };
    strata_runtime::compile_bpf(prog, tier, &opts).map_err(|e| e.to_string())
}

/// One run of a compiled program: r0, or what went wrong.
pub fn strata_run(cm: &CompiledModule, mem: &mut [u8]) -> Result<u64, String> {
    match cm.call("main", &mut [Arg::SliceMut(mem)]) {
        Ok(Some(Val::I64(v))) => Ok(v as u64),
        other => Err(format!("{}: {other:?}", cm.tier().name())),
    }
}

/// One run of a program on `mem`: r0, or what went wrong.
pub type RunFn = Box<dyn FnMut(&mut [u8]) -> Result<u64, String>>;

/// A named way to run one program: `run(mem)` returns r0.
pub struct Engine {
    /// The contender's name in the benchmark group.
    pub name: String,
    /// Runs the program once on `mem`.
    pub run: RunFn,
}

/// Strata's engines for `prog`, each compiled once: every tier this build has through
/// `strata_runtime::compile_bpf` (so `interpreter` is the BPF interpreter), and the IR
/// interpreter on the lifted program as `ir-interp`.
pub fn strata_engines(prog: &[Insn]) -> Result<Vec<Engine>, String> {
    let mut out = Vec::new();
    for tier in strata_runtime::available_tiers() {
        let cm = strata_tier(prog, tier)?;
        out.push(Engine { name: tier.name().to_string(), run: Box::new(move |mem| strata_run(&cm, mem)) });
    }
    let module = bpf::lift(prog).map_err(|e| e.to_string())?;
    let opts = Options { pipeline: Some("-O2".into()), ..Options::default() };
    let ir = strata_runtime::compile(&module, Tier::Interpreter, &opts).map_err(|e| e.to_string())?;
    out.push(Engine { name: "ir-interp".to_string(), run: Box::new(move |mem| strata_run(&ir, mem)) });
    Ok(out)
}

/// Every engine for `prog`, rbpf's first (so `rbpf-interp` is the reference [`agree`]
/// compares with), then Strata's ([`strata_engines`]).
pub fn all_engines(prog: &[Insn]) -> Result<Vec<Engine>, String> {
    let mut engines = rbpf_engines(bpf::encode(prog))?;
    engines.extend(strata_engines(prog)?);
    Ok(engines)
}

/// Runs `p` once on every engine, each on a fresh copy of its memory, and checks that all
/// give the first engine's r0 and final memory: returns those, or which engine differs and how.
pub fn agree(p: &Program, engines: &mut [Engine]) -> Result<(u64, Vec<u8>), String> {
    let mut want: Option<(u64, Vec<u8>)> = None;
    let mut reference = "";
    for e in engines.iter_mut() {
        let mut mem = p.mem.clone();
        let r = (e.run)(&mut mem).map_err(|err| format!("{}: {}: {err}", p.name, e.name))?;
        match &want {
            None => {
                want = Some((r, mem));
                reference = e.name.as_str();
            }
            Some((w, _)) if *w != r => {
                return Err(format!("{}: {} returns {r:#x}, {reference} {w:#x}", p.name, e.name));
            }
            Some((_, wmem)) if *wmem != mem => {
                return Err(format!("{}: {} leaves different memory than {reference}", p.name, e.name));
            }
            Some(_) => {}
        }
    }
    want.ok_or_else(|| format!("{}: no engines", p.name))
}
