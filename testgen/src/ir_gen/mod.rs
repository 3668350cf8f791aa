//! The random IR program generator.
//!
//! A *program* is one exported function `@NAME(inp: [i8], out: mut [i8], idx: i64,
//! s0.. : scalars) -> T` plus the local helpers it calls (`@NAME_h0`, …, which may take and
//! return vectors and call earlier helpers) and the read-only data objects it reads
//! (`@NAME_d0`, …). Its observable behaviour is the return value, the bytes of `out`, or the
//! trap it stops with. Every program is a pure function of its seed and verifies by
//! construction; [`add_program`] adds one to an existing module, so a batch of programs can
//! share one compilation (much faster than one module each).
//!
//! Inputs for a program come from [`crate::inputs`]. This file decides the shape of a
//! program; the instructions themselves come from `body.rs`.

mod body;

pub use body::{vectors, SCALARS};

use crate::rng::{mix, Rng};
use body::{Callee, Gen, Region, RegionKind};
use strata_ir::{verify_module, DataObject, Function, FunctionBuilder, Linkage, Module, Param, Signature, Type};

/// Bytes of the `inp` slice the runner passes (loads index it by `idx` + a constant).
pub const IN_BYTES: usize = 128;
/// Bytes of the `out` slice the runner passes: [`OUT_SLOTS`] slots of [`OUT_SLOT`] bytes.
pub const OUT_BYTES: usize = OUT_SLOT * OUT_SLOTS;
pub const OUT_SLOT: usize = 16;
pub const OUT_SLOTS: usize = 8;

/// Adds program `seed` to `module` under the name `name` (helpers and data objects get
/// `name_`-prefixed names). The module must not already hold those names.
///
/// ```
/// let mut m = strata_ir::Module::new();
/// strata_testgen::ir_gen::add_program(&mut m, 42, "p0").unwrap();
/// strata_testgen::ir_gen::add_program(&mut m, 43, "p1").unwrap();
/// assert!(strata_ir::verify_module(&m).is_ok());
/// assert!(m.func_by_name("p1").is_some());
/// ```
pub fn add_program(module: &mut Module, seed: u64, name: &str) -> Result<(), String> {
    let mut rng = Rng::new(seed);

    // Data objects: 1–2 small read-only arrays of a random scalar type.
    let mut data = Vec::new();
    for j in 0..1 + rng.below(2) {
        let elem = rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64]);
        let n = 1 + rng.below(12);
        let w = elem.bytes().unwrap_or(1) as usize;
        let mut bytes = Vec::with_capacity(n * w);
        for _ in 0..n {
            let x = rng.lane(elem);
            bytes.extend_from_slice(&x.to_le_bytes()[..w]);
        }
        let id = module.add_data(DataObject { name: format!("{name}_d{j}"), elem, bytes });
        data.push(Region { kind: RegionKind::Data(id), elem: Some(elem), len: n as u32 });
    }

    // Local helpers, each callable by the later ones and by the exported function.
    let mut callees: Vec<Callee> = Vec::new();
    for j in 0..rng.below(3) {
        let nparams = rng.below(3);
        let mut params = vec![Param::slice("inp", Type::I8, false)];
        let mut types = Vec::new();
        for k in 0..nparams {
            let t = data_type(&mut rng);
            types.push(t);
            params.push(Param::scalar(format!("a{k}"), t));
        }
        let ret = data_type(&mut rng);
        let hname = format!("{name}_h{j}");
        let mut f = Function::new(hname.clone(), Linkage::Local, Signature::new(params, Some(ret)));
        let steps = 4 + rng.below(14);
        build_body(&mut f, &mut rng, &data, &callees, &types, None, steps, ret, false)
            .map_err(|e| format!("helper {hname}: {e}"))?;
        let id = module.add_function(f);
        callees.push(Callee { id, params: types, ret });
    }

    // The exported function.
    let nscalars = rng.below(4);
    let scalars: Vec<Type> = (0..nscalars).map(|_| rng.pick(&SCALARS)).collect();
    let ret = rng.pick(&SCALARS);
    let mut params = vec![
        Param::slice("inp", Type::I8, false),
        Param::slice("out", Type::I8, true),
        Param::scalar("idx", Type::I64),
    ];
    // Typed slices for kernel-shaped loops, in about half the programs.
    let kernel_elem =
        rng.chance(50).then(|| rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64]));
    if let Some(elem) = kernel_elem {
        params.push(Param::slice("xs", elem, false));
        params.push(Param::slice("ys", elem, true));
    }
    params.extend(scalars.iter().enumerate().map(|(i, &ty)| Param::scalar(format!("s{i}"), ty)));
    let mut f = Function::new(name, Linkage::Export, Signature::new(params, Some(ret)));
    let steps = 8 + rng.below(40);
    build_body(&mut f, &mut rng, &data, &callees, &scalars, Some(kernel_elem), steps, ret, true)
        .map_err(|e| format!("function {name}: {e}"))?;
    module.add_function(f);
    Ok(())
}

/// A module holding only program `seed`, named `name`.
pub fn program(seed: u64, name: &str) -> Result<Module, String> {
    let mut m = Module::new();
    add_program(&mut m, seed, name)?;
    Ok(m)
}

/// A module holding `count` programs `p0`, `p1`, … whose seeds are derived from `seed`
/// (program `k` has seed [`batch_program_seed`]`(seed, k)`), verified.
pub fn batch(seed: u64, count: usize) -> Result<Module, String> {
    let mut m = Module::new();
    for k in 0..count {
        add_program(&mut m, batch_program_seed(seed, k), &format!("p{k}"))?;
    }
    verify_module(&m).map_err(|e| format!("generated batch {seed:#x} does not verify: {e}"))?;
    Ok(m)
}

/// The seed of program `k` in batch `seed`.
pub fn batch_program_seed(seed: u64, k: usize) -> u64 {
    mix(seed, k as u64)
}

fn data_type(rng: &mut Rng) -> Type {
    if rng.chance(60) {
        rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64])
    } else {
        rng.pick(&vectors())
    }
}

/// Fills `f` (whose signature starts with `inp: [i8]`, then for the exported function
/// `out: mut [i8], idx: i64`, then one parameter per `scalars` entry).
#[allow(clippy::too_many_arguments)]
fn build_body(
    f: &mut Function,
    rng: &mut Rng,
    data: &[Region],
    callees: &[Callee],
    scalars: &[Type],
    exported: Option<Option<Type>>,
    steps: usize,
    ret: Type,
    stores: bool,
) -> Result<(), String> {
    // Stack slots: 0–2 typed arrays of 1–8 elements.
    let mut regions: Vec<Region> = data.to_vec();
    for _ in 0..rng.below(3) {
        let elem = data_type(rng);
        let n = 1 + rng.below(8) as u32;
        let size = elem.bytes().unwrap_or(1) * n;
        let align = if rng.chance(50) { elem.bytes().unwrap_or(1).min(16) } else { 1 };
        let slot = f.create_stack_slot(size, align.max(1));
        regions.push(Region { kind: RegionKind::Stack(slot), elem: Some(elem), len: n });
    }
    let mut b = FunctionBuilder::new(f);
    let p = b.create_entry_block();
    let at = |i: usize| p.get(i).copied().ok_or_else(|| format!("missing entry parameter {i}"));
    let inp = (at(0)?, at(1)?);
    let (mut first_scalar, idx, out) =
        if exported.is_some() { (5, Some(at(4)?), Some((at(2)?, at(3)?))) } else { (2, None, None) };
    let kernel = match exported {
        Some(Some(elem)) => {
            first_scalar += 4;
            Some(body::KernelSlices { xs: (at(5)?, at(6)?), ys: (at(7)?, at(8)?), elem })
        }
        _ => None,
    };
    let mut g = Gen {
        rng,
        b,
        pool: Vec::new(),
        inp,
        idx,
        regions,
        callees: callees.to_vec(),
        depth: 0,
        ivs: Vec::new(),
        budget: (steps * 3) as u32,
        kernel,
    };
    if let Some(i) = idx {
        g.add(Type::I64, i);
    }
    for (k, &ty) in scalars.iter().enumerate() {
        let v = at(first_scalar + k)?;
        g.add(ty, v);
    }
    g.steps(steps);
    if let (true, Some((out_ptr, out_len))) = (stores, out) {
        // Store the most recent values of distinct types (they depend on the most), then a
        // few random ones, each NaN-quieted so its bits are defined.
        let mut picks: Vec<(Type, strata_ir::Value)> = Vec::new();
        for &(t, v) in g.pool.iter().rev() {
            if !t.is_bool() && picks.len() < OUT_SLOTS - 2 && !picks.iter().any(|(pt, _)| *pt == t) {
                picks.push((t, v));
            }
        }
        for _ in 0..2 {
            let ty = g.rand_data_type();
            let v = g.value(ty);
            picks.push((ty, v));
        }
        for (k, (ty, v)) in picks.into_iter().enumerate() {
            let v = g.quiet(v, ty);
            let size = ty.bytes().unwrap_or(1) as usize;
            let off = k * OUT_SLOT + g.rng.below(OUT_SLOT - size.min(OUT_SLOT) + 1);
            let offv = g.b.iconst(Type::I64, off as i64);
            let last = g.b.iconst(Type::I64, (off + size - 1) as i64);
            g.b.bounds_check(last, out_len);
            g.b.store(out_ptr, offv, v);
        }
    }
    let r = g.value(ret);
    g.b.ret(Some(r));
    g.b.seal_all_blocks();
    g.b.finalize().map_err(|e| e.to_string())
}
