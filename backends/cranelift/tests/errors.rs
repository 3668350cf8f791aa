//! Modules tier 1 refuses come back as `CompileError`s naming the function, never as panics.

mod common;
use common::*;
use strata_cranelift::{compile, CompileError};
use strata_ir::{Function, Linkage, Module, Param, Signature, Type};

#[test]
fn vector_parameters_of_exported_functions_are_refused() {
    let mut m = Module::new();
    m.add_function(build("v", Linkage::Export, vec![Param::scalar("x", Type::F32X4)], Some(Type::F32X4), |b, p| {
        b.ret(Some(p[0]));
    }));
    match compile(&m, &opts()) {
        Err(CompileError::Unsupported { func, .. }) => assert_eq!(func, "v"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reserved_names_are_refused() {
    let mut m = Module::new();
    m.add_function(build("f__strata_array_call", Linkage::Local, vec![], None, |b, _| b.ret(None)));
    assert!(matches!(compile(&m, &opts()), Err(CompileError::Unsupported { .. })));
}

#[test]
fn malformed_functions_are_errors() {
    // No body at all.
    let mut m = Module::new();
    m.add_function(Function::new("empty", Linkage::Export, Signature::default()));
    match compile(&m, &opts()) {
        Err(CompileError::InvalidIr { func, .. }) => assert_eq!(func, "empty"),
        other => panic!("{other:?}"),
    }
    // A block without a terminator (built by hand, bypassing the builder's checks).
    let mut f = Function::new("open", Linkage::Export, Signature::new(vec![], Some(Type::I32)));
    let blk = f.dfg.make_block();
    f.layout.append_block(blk);
    let inst = f.dfg.make_inst(strata_ir::InstData::IntConst { imm: 1 }, Some(Type::I32));
    f.layout.append_inst(inst, blk);
    let mut m = Module::new();
    m.add_function(f);
    assert!(matches!(compile(&m, &opts()), Err(CompileError::InvalidIr { .. })));
    // Two functions with one name.
    let mut m = Module::new();
    for _ in 0..2 {
        m.add_function(build("twin", Linkage::Local, vec![], None, |b, _| b.ret(None)));
    }
    assert!(matches!(compile(&m, &opts()), Err(CompileError::InvalidIr { .. })));
}

#[test]
fn errors_name_the_function() {
    let e = CompileError::Unsupported { func: "k".into(), what: "this".into() };
    assert_eq!(e.to_string(), "function `k`: this is not supported by the Cranelift backend");
}
