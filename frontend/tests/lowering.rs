//! The IR the frontend produces: every example kernel compiles to a module the verifier
//! accepts, with the signatures, linkage, memory accesses and float flags the source asks
//! for.

use strata_frontend::compile_source;
use strata_ir::{verify_module, FloatFlags, Function, InstData, Linkage, Module, Opcode, ParamKind, Type};

fn kernel(name: &str) -> Module {
    let path = format!("{}/../examples/kernels/{name}.sk", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap();
    let m = compile_source(&path, &src).unwrap_or_else(|d| panic!("{}", d.render(&path, &src, false)));
    verify_module(&m).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    m
}

fn compile(src: &str) -> Module {
    let m = compile_source("t.sk", src).unwrap_or_else(|d| panic!("{d}"));
    verify_module(&m).unwrap();
    m
}

fn func<'m>(m: &'m Module, name: &str) -> &'m Function {
    &m.functions[m.func_by_name(name).unwrap_or_else(|| panic!("no function {name}"))]
}

/// Number of placed instructions with opcode `op`.
fn count(f: &Function, op: Opcode) -> usize {
    insts(f).filter(|d| d.opcode() == op).count()
}

fn insts(f: &Function) -> impl Iterator<Item = &InstData> {
    f.layout.blocks().flat_map(move |b| f.layout.block_insts(b)).map(move |i| &f.dfg.insts[i])
}

/// Float flags of every float instruction.
fn float_flags(f: &Function) -> Vec<FloatFlags> {
    insts(f)
        .filter_map(|d| match d {
            InstData::Binary { op, flags, .. }
            | InstData::Unary { op, flags, .. }
            | InstData::Ternary { op, flags, .. }
                if op.is_float_op() =>
            {
                Some(*flags)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_example_kernel_compiles_and_verifies() {
    let dir = format!("{}/../examples/kernels", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_str().unwrap().to_string();
        let m = kernel(&name);
        assert!(m.functions.values().any(|f| f.linkage == Linkage::Export), "{name} exports a function");
        n += 1;
    }
    assert!(n >= 9, "all kernels found");
}

#[test]
fn every_example_kernel_prints_and_parses_back() {
    let dir = format!("{}/../examples/kernels", env!("CARGO_MANIFEST_DIR"));
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let m = kernel(p.file_stem().unwrap().to_str().unwrap());
        let text = strata_ir::print_module(&m);
        let back = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", p.display()));
        assert_eq!(strata_ir::print_module(&back), text, "{}", p.display());
    }
}

#[test]
fn ola_prints_as_expected() {
    let text = strata_ir::print_module(&kernel("ola"));
    let expected = "\
export fn @ola(frame: [f32], win: [f32], out: mut [f32], gain: f32, lo: f32, hi: f32) {
block0(v0: ptr, v1: i64, v2: ptr, v3: i64, v4: ptr, v5: i64, v6: f32, v7: f32, v8: f32):
";
    assert!(text.starts_with(expected), "{text}");
}

#[test]
fn ola_signature_and_accesses() {
    let m = kernel("ola");
    let f = func(&m, "ola");
    assert_eq!(f.linkage, Linkage::Export);
    assert_eq!(f.sig.to_string(), "(frame: [f32], win: [f32], out: mut [f32], gain: f32, lo: f32, hi: f32)");
    assert_eq!(f.params().len(), 9, "three slices expand to ptr + len");
    // frame[i], win[i], and out[i] (read and written through one check).
    assert_eq!(count(f, Opcode::BoundsCheck), 3);
    assert_eq!(count(f, Opcode::Load), 3);
    assert_eq!(count(f, Opcode::Store), 1);
    assert_eq!((count(f, Opcode::Fmax), count(f, Opcode::Fmin)), (1, 1), "clamp = min(max(x, lo), hi)");
    assert!(float_flags(f).iter().all(|fl| fl.is_empty()), "strict without #[fastmath]");
}

#[test]
fn fastmath_sets_flags_only_where_asked() {
    let m = kernel("stats");
    assert!(float_flags(func(&m, "energy")).iter().all(|&fl| fl == FloatFlags::FAST));
    assert!(!float_flags(func(&m, "energy")).is_empty());
    assert!(float_flags(func(&m, "mean")).iter().all(|fl| fl.is_empty()));
    assert_eq!(func(&m, "energy").sig.ret, Some(Type::F32));
}

#[test]
fn len_is_the_length_parameter() {
    let m = compile("export fn n(a: [i64], b: mut [f64]) -> i64 { return a.len() + b.len(); }");
    let f = func(&m, "n");
    let p = f.params();
    let add = insts(f).find(|d| d.opcode() == Opcode::Iadd).unwrap();
    assert_eq!(add.args(), &[p[1], p[3]]);
    assert_eq!(f.sig.params[1].kind, ParamKind::Slice { elem: Type::F64, mutable: true });
}

#[test]
fn element_offsets_scale_by_element_size() {
    let m = compile("export fn g(a: [f64], i: i32) -> f64 { return a[i]; }");
    let f = func(&m, "g");
    assert_eq!(count(f, Opcode::Sext), 1, "an i32 index is sign-extended to i64");
    assert!(insts(f).any(|d| *d == InstData::IntConst { imm: 8 }), "f64 elements are 8 bytes");
    assert_eq!(count(f, Opcode::Imul), 1);
}

#[test]
fn calls_pass_slices_as_pointer_and_length() {
    let m = kernel("matmul");
    let mm = func(&m, "matmul");
    assert_eq!(count(mm, Opcode::Call), 1);
    let call = insts(mm).find(|d| d.opcode() == Opcode::Call).unwrap();
    assert_eq!(call.args().len(), 8, "two slices (4 values) and four scalars");
    assert_eq!(func(&m, "row_col").linkage, Linkage::Local);
}

#[test]
fn extern_functions_are_host_calls() {
    let m = compile("extern fn tanhf(x: f32) -> f32;\nextern fn log_it(x: i64);\nexport fn f(x: f32) -> f32 { log_it(1); return tanhf(x) * 2.0; }");
    assert_eq!(m.externs.len(), 2);
    let e = &m.externs[m.extern_by_name("tanhf").unwrap()];
    assert_eq!((e.params.as_slice(), e.ret), (&[Type::F32][..], Some(Type::F32)));
    assert_eq!(count(func(&m, "f"), Opcode::CallHost), 2);
}

#[test]
fn integer_division_and_shifts() {
    let m = compile("export fn f(a: i32, b: i32) -> i32 { return a / b + a % b + (a >> 1) + (a >>> 1) + (a << b); }");
    let f = func(&m, "f");
    for op in [Opcode::Sdiv, Opcode::Srem, Opcode::Ashr, Opcode::Lshr, Opcode::Shl] {
        assert_eq!(count(f, op), 1, "{op}");
    }
}

#[test]
fn casts_use_the_documented_conversions() {
    let m = compile(
        "export fn f(x: f32, n: i64, b: bool) -> f64 { let a = x as i32; let c = n as i32; let d = a as i64 + (b as i64); return (d as f64) + (x as f64) + ((c as f32) as f64); }",
    );
    let f = func(&m, "f");
    for op in [Opcode::Fptosi, Opcode::Trunc, Opcode::Sext, Opcode::Zext, Opcode::Sitofp, Opcode::Fpromote] {
        assert!(count(f, op) >= 1, "{op}");
    }
}

#[test]
fn literal_types_are_inferred_from_use() {
    // `acc` and the literals become f32 because of `x[i]`; `k` becomes i32 from the return.
    let m = compile("export fn f(x: [f32]) -> i32 { let mut acc = 0.0; acc += x[0] * 2.0; let k = 3; return k; }");
    let f = func(&m, "f");
    let consts: Vec<_> = insts(f).filter(|d| d.opcode() == Opcode::Fconst).collect();
    assert!(consts.iter().all(|d| matches!(d, InstData::FloatConst { bits } if *bits <= u32::MAX as u64)));
    let ret_ty = f.sig.ret.unwrap();
    assert_eq!(ret_ty, Type::I32);
    // Unconstrained literals default to i64 and f64.
    let m = compile("export fn g() { let a = 1; let b = 2.0; }");
    let _ = func(&m, "g");
}

#[test]
fn short_circuit_and_loops_build_ssa_without_manual_params() {
    let m = compile(
        "export fn f(a: [i32], n: i64) -> i32 { let mut s = 0; let mut i = 0; while i < n && a[i] != 0 { s += a[i]; i += 1; if s > 100 { break; } } for j in 0..n { if j == 2 { continue; } s -= 1; } loop { if s < 0 { return s; } s -= 7; } }",
    );
    let f = func(&m, "f");
    assert!(count(f, Opcode::Brif) >= 5);
    // `loop` without a reachable end needs no trailing trap: every path returns.
    assert!(count(f, Opcode::Return) >= 1);
}

#[test]
fn unreachable_code_after_return_is_dropped() {
    let m = compile("export fn f(x: i32) -> i32 { return x; let y = x + 1; return y; }");
    let f = func(&m, "f");
    assert_eq!(f.layout.blocks().count(), 1);
    assert_eq!(count(f, Opcode::Iadd), 0);
}

#[test]
fn round_is_ties_away_with_an_exact_sequence() {
    let m = compile(
        "export fn r(x: f32) -> f32 { return round(x); }\nexport fn e(x: f64) -> f64 { return round_even(x); }",
    );
    let r = func(&m, "r");
    assert_eq!((count(r, Opcode::Ftrunc), count(r, Opcode::Fcopysign), count(r, Opcode::Select)), (1, 1, 1));
    assert_eq!(count(func(&m, "e"), Opcode::Fnearest), 1);
}

#[test]
fn intrinsics_map_to_ir_ops() {
    let m = compile(
        "export fn f(x: f64, y: f64) -> f64 { return sqrt(x) + abs(x) + floor(x) + ceil(x) + trunc(x) + exp(x) + log(x) + sin(x) + cos(x) + pow(x, y) + fma(x, y, x) + min(x, y) + max(x, y); }\nexport fn g(a: i32, b: i32) -> i32 { return abs(a) + min(a, b) + max(a, b) + clamp(a, 0, b); }",
    );
    let f = func(&m, "f");
    for op in [
        Opcode::Fsqrt,
        Opcode::Fabs,
        Opcode::Ffloor,
        Opcode::Fceil,
        Opcode::Ftrunc,
        Opcode::Fexp,
        Opcode::Flog,
        Opcode::Fsin,
        Opcode::Fcos,
        Opcode::Fpow,
        Opcode::Fma,
        Opcode::Fmin,
        Opcode::Fmax,
    ] {
        assert_eq!(count(f, op), 1, "{op}");
    }
    let g = func(&m, "g");
    assert_eq!((count(g, Opcode::Smin), count(g, Opcode::Smax), count(g, Opcode::Ineg)), (2, 3, 1));
}

#[test]
fn method_form_of_intrinsics() {
    let m = compile("export fn f(x: f32, lo: f32) -> f32 { return x.abs().sqrt().max(lo); }");
    let f = func(&m, "f");
    assert_eq!((count(f, Opcode::Fabs), count(f, Opcode::Fsqrt), count(f, Opcode::Fmax)), (1, 1, 1));
}

#[test]
fn mutable_parameters_and_tail_expressions() {
    let m = compile("fn sq(x: f32) -> f32 { x * x }\nexport fn f(mut g: f32) -> f32 { g *= 2.0; sq(g) }");
    assert_eq!(count(func(&m, "f"), Opcode::Call), 1);
}

#[test]
fn negative_literals_fold() {
    let m = compile("export fn f() -> i32 { return -2147483648; }\nexport fn g() -> f32 { return -0.0; }");
    let f = func(&m, "f");
    assert!(insts(f).any(|d| *d == InstData::IntConst { imm: i32::MIN as i64 }));
    let g = func(&m, "g");
    assert!(insts(g).any(|d| *d == InstData::FloatConst { bits: (-0.0f32).to_bits() as u64 }));
}

#[test]
fn recursion_is_allowed() {
    let m = compile("export fn fact(n: i64) -> i64 { if n <= 1 { return 1; } return n * fact(n - 1); }");
    assert_eq!(count(func(&m, "fact"), Opcode::Call), 1);
}
