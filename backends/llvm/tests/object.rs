//! JIT objects for a disk cache: `compile_object` then `load_object` gives the same
//! results as `compile`, math calls resolve to the interpreter's functions, equal
//! namespaces share code within a process, and bytes that are not an object are an error.

mod common;
use common::kernels::ola;
use common::*;
use strata_ir::abi::{strata_expf, strata_powf};
use strata_ir::{Opcode, Type};
use strata_llvm::{compile, compile_object, load_object, LlvmOptions};

fn ola_args(frame: &[f32], win: &[f32], out: &mut [f32]) -> Vec<u64> {
    let mut a = Vec::new();
    a.extend(slice_args(frame));
    a.extend(slice_args(win));
    a.extend([out.as_mut_ptr() as u64, out.len() as u64]);
    a.extend([f32_slot(0.8), f32_slot(-0.5), f32_slot(0.5)]);
    a
}

#[test]
fn loaded_object_computes_what_compile_computes() {
    let m = module(vec![ola()]);
    let opts = LlvmOptions::default();
    let object = compile_object(&m, &opts, "test_ola_roundtrip").expect("compiles to an object");
    assert!(object.starts_with(b"\x7fELF") || !cfg!(target_os = "linux"), "an ELF object on Linux");
    let loaded = load_object(&m, &object, "test_ola_roundtrip").expect("loads");
    let fresh = compile(&m, &opts).expect("compiles");
    let n = 301;
    let frame: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
    let win: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
    let (mut a, mut b) = (vec![0.25f32; n], vec![0.25f32; n]);
    assert_eq!(call(&func(&loaded, "ola"), &ola_args(&frame, &win, &mut a)), Ok(None));
    assert_eq!(call(&func(&fresh, "ola"), &ola_args(&frame, &win, &mut b)), Ok(None));
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "same bits");
    assert!(a.iter().any(|&x| x != 0.25), "the kernel ran");
    assert_eq!(loaded.timings().optimize, std::time::Duration::ZERO, "no LLVM pipeline on load");
}

#[test]
fn math_calls_in_objects_match_the_interpreter() {
    let exp = simple("e", &[Type::F32], Type::F32, |b, p| b.unary(Opcode::Fexp, p[0]));
    let pow = simple("p", &[Type::F32, Type::F32], Type::F32, |b, p| b.binary(Opcode::Fpow, p[0], p[1]));
    let m = module(vec![exp, pow]);
    let object = compile_object(&m, &LlvmOptions::default(), "test_math").expect("compiles");
    let code = load_object(&m, &object, "test_math").expect("loads");
    for x in [0.0f32, -1.5, 3.25, 88.7, -103.0, f32::INFINITY, f32::NAN] {
        let got = slot_f32(call_ok(&func(&code, "e"), &[f32_slot(x)]));
        assert!(same_f32(got, strata_expf(x)), "exp({x}) = {got}");
        let got = slot_f32(call_ok(&func(&code, "p"), &[f32_slot(x), f32_slot(1.5)]));
        assert!(same_f32(got, strata_powf(x, 1.5)), "pow({x}, 1.5) = {got}");
    }
}

#[test]
fn one_namespace_is_linked_once_per_process_and_again_after_drop() {
    let m = module(vec![simple("inc", &[Type::I64], Type::I64, |b, p| {
        let one = b.iconst(Type::I64, 1);
        b.iadd(p[0], one)
    })]);
    let object = compile_object(&m, &LlvmOptions::default(), "test_shared").expect("compiles");
    let a = load_object(&m, &object, "test_shared").expect("loads");
    let b = load_object(&m, &object, "test_shared").expect("a second load shares the code");
    assert_eq!(func(&a, "inc").entry, func(&b, "inc").entry);
    drop((a, b));
    let c = load_object(&m, &object, "test_shared").expect("loads again once dropped");
    assert_eq!(call_ok(&func(&c, "inc"), &[41]), 42);
    // Many threads loading and dropping the same namespace never see duplicate symbols.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..25 {
                    let code = load_object(&m, &object, "test_shared").expect("loads");
                    assert_eq!(call_ok(&func(&code, "inc"), &[1]), 2);
                }
            });
        }
    });
}

#[test]
fn bytes_that_are_not_an_object_are_an_error() {
    let m = module(vec![simple("inc", &[Type::I64], Type::I64, |b, p| {
        let one = b.iconst(Type::I64, 1);
        b.iadd(p[0], one)
    })]);
    for junk in [&b""[..], b"not an object at all", b"\x7fELF\x02\x01\x01\x00garbage"] {
        assert!(load_object(&m, junk, "test_junk").is_err(), "{junk:?} rejected");
    }
    // A real object for another module lacks this module's symbols.
    let other = module(vec![simple("dec", &[Type::I64], Type::I64, |b, p| {
        let one = b.iconst(Type::I64, 1);
        b.isub(p[0], one)
    })]);
    let object = compile_object(&other, &LlvmOptions::default(), "test_other").expect("compiles");
    assert!(load_object(&m, &object, "test_other").is_err(), "missing export");
    assert!(compile_object(&m, &LlvmOptions::default(), "bad namespace!").is_err());
    assert!(compile_object(&m, &LlvmOptions::default(), "").is_err());
}
